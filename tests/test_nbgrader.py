"""Real nbgrader accepts the course's notebooks, and releases exactly what our student build writes.

Every chapter goes into a temporary nbgrader course as ``source/nncourse/<chapter>.ipynb`` (one assignment,
so nbgrader starts once); ``nbgrader generate_assignment`` must succeed, and each released notebook must have
the same cells, cell for cell, as ``nncourse student`` makes of the same chapter.

nbgrader 0.9 runs the ``alembic`` executable by name (``nbgrader.api.get_alembic_version``), so it fails
with ``FileNotFoundError: 'alembic'`` unless the environment's ``bin`` folder is on ``PATH``; a virtual
environment used without being activated (as ``.ci/run`` does) is not. The test puts it there.
"""

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import NOTEBOOKS

from nncourse.student import student_notebook

CHAPTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
ASSIGNMENT = "nncourse"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """Run nbgrader generate_assignment on every chapter; return the release folder."""
    if not CHAPTERS:
        pytest.skip(f"no chapter notebooks in {NOTEBOOKS}")
    course = tmp_path_factory.mktemp("nbgrader_course")
    source = course / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    for chapter in CHAPTERS:
        (source / chapter.name).write_bytes(chapter.read_bytes())
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseDirectory.course_id = 'nncourse'\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
    )
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force"],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"nbgrader generate_assignment failed:\n{log}"
    assert "ERROR" not in log, log
    return course / "release" / ASSIGNMENT


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_nbgrader_release_matches_the_student_build(release, chapter):
    released = nbformat.read(release / chapter.name, as_version=4)
    ours = student_notebook(nbformat.read(chapter, as_version=4), chapter.name)
    assert len(released.cells) == len(ours.cells)
    for index, (theirs, mine) in enumerate(zip(released.cells, ours.cells, strict=True)):
        assert theirs.cell_type == mine.cell_type, f"cell {index}"
        assert theirs.source.rstrip() == mine.source.rstrip(), f"cell {index} differs from nbgrader's release"
        assert theirs.get("outputs", []) == [], f"cell {index}: nbgrader left outputs"
        for key in ("grade_id", "solution", "locked", "grade"):
            assert theirs.metadata.get("nbgrader", {}).get(key) == mine.metadata.get("nbgrader", {}).get(key)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_nbgrader_replaced_every_solution_with_its_stub(release, chapter):
    released = nbformat.read(release / chapter.name, as_version=4)
    solutions = [cell for cell in released.cells if cell.metadata.get("nbgrader", {}).get("solution")]
    assert solutions
    for cell in solutions:
        assert "BEGIN SOLUTION" not in cell.source
        assert "# YOUR CODE HERE\n" in cell.source and "raise NotImplementedError()" in cell.source
