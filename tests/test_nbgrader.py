"""Real nbgrader on the course, as an instructor uses it (one course, built once for the whole module).

`nncourse nbgrader` writes the course (every chapter an assignment); `nbgrader generate_assignment` releases
each chapter exactly as `nncourse student` builds it, cell for cell and key for key; then nbgrader autogrades
two chapters for three submissions: the source notebook (full marks), the release (zero) and the source
with its first exercise reverted to the stub (every point but that exercise's). `nbgrader validate` on an
unsolved notebook names each unsolved exercise with the checker's hint.

How nbgrader scores a grade cell (``nbgrader.utils.determine_grade``): an error or any stderr output gives 0;
otherwise an ``execute_result`` whose ``text/plain`` is a number gives that many points (partial credit,
at most the cell's points); anything else gives full points. The checkers show their points that way under
nbgrader (see nncourse/exercises/_checker.py).

nbgrader 0.9 runs the ``alembic`` executable by name (``nbgrader.api.get_alembic_version``), so it fails
with ``FileNotFoundError: 'alembic'`` unless the environment's ``bin`` folder is on ``PATH``; a virtual
environment used without being activated (as ``.ci/run`` does) is not. The tests put it there.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import NOTEBOOKS

from nncourse.exercises import all_exercises
from nncourse.student import BEGIN_HIDDEN, student_notebook

CHAPTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
GRADED = ("05_backprop",)  # the chapter that runs fastest: one real autograde keeps the suite under 10 minutes
SUBMISSIONS = ("solved", "unsolved", "partial")

pytestmark = pytest.mark.slow


def run(*args, cwd):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [sys.executable, "-m", *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{log}"
    assert "| ERROR]" not in log, log
    return log


def points(chapter_stem):
    """The exercises of a chapter, {grade_id: points}, from the course's list."""
    number = int(chapter_stem[:2])
    return {exercise.grade_id: exercise.points for exercise in all_exercises() if exercise.chapter == number}


def is_grade(cell):
    return cell.metadata.get("nbgrader", {}).get("grade", False)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """An nbgrader course of every chapter, released, with three submissions of two chapters autograded."""
    if not CHAPTERS:
        pytest.skip(f"no chapter notebooks in {NOTEBOOKS}")
    root = tmp_path_factory.mktemp("nbgrader") / "course"
    run("nncourse", "nbgrader", root, cwd=root.parent)
    run("nbgrader", "generate_assignment", "*", cwd=root)
    for name in GRADED:
        source = nbformat.read(root / "source" / name / f"{name}.ipynb", as_version=4)
        release = nbformat.read(root / "release" / name / f"{name}.ipynb", as_version=4)
        partial = nbformat.read(root / "source" / name / f"{name}.ipynb", as_version=4)
        first = next(i for i, cell in enumerate(partial.cells) if cell.metadata.get("nbgrader", {}).get("solution"))
        partial.cells[first].source = release.cells[first].source
        for student, nb in zip(SUBMISSIONS, (source, release, partial), strict=True):
            folder = root / "submitted" / student / name
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{name}.ipynb")
    run("nbgrader", "autograde", "*", cwd=root)
    return root


# --- the course and the release ---------------------------------------------------------------------------


def test_the_course_holds_its_configuration_and_one_source_notebook_per_chapter(course):
    files = sorted(str(path.relative_to(course)) for path in (course / "source").rglob("*") if path.is_file())
    assert files == [f"source/{chapter.stem}/{chapter.name}" for chapter in CHAPTERS]
    assert (course / "nbgrader_config.py").is_file()


def test_the_configuration_autogrades_with_the_quiet_notebook_runner(course):
    from traitlets.config.loader import PyFileConfigLoader

    from nncourse.exercises.autograde import Execute

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    assert config.CourseDirectory.course_id == "nncourse"
    assert Execute in config.Autograde.autograde_preprocessors


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_nbgrader_release_equals_the_student_build(course, chapter):
    released = nbformat.read(course / "release" / chapter.stem / chapter.name, as_version=4)
    ours = student_notebook(nbformat.read(chapter, as_version=4), chapter.name)
    assert len(released.cells) == len(ours.cells)
    for index, (theirs, mine) in enumerate(zip(released.cells, ours.cells, strict=True)):
        assert json.dumps(theirs, sort_keys=True) == json.dumps(mine, sort_keys=True), f"cell {index} differs"
    assert json.loads(json.dumps(released)) == json.loads(json.dumps(ours)), "the notebooks' metadata differ"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_every_chapter_ships_hidden_tests_and_the_release_strips_them(course, chapter):
    source = nbformat.read(course / "source" / chapter.stem / chapter.name, as_version=4)
    released = nbformat.read(course / "release" / chapter.stem / chapter.name, as_version=4)
    hidden = [cell for cell in source.cells if BEGIN_HIDDEN in cell.source]
    assert hidden and all(is_grade(cell) for cell in hidden)
    assert not any("HIDDEN TESTS" in cell.source for cell in released.cells)
    for cell in released.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            assert "# YOUR CODE HERE\nraise NotImplementedError()" in cell.source.replace("    ", "")


# --- autograde --------------------------------------------------------------------------------------------


def scores(course, name, student):
    """The total and per-grade-cell scores nbgrader stored for a submission."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="nncourse") as gradebook:
        submission = gradebook.find_submission(name, student)
        cells = {grade.name: grade.score for grade in gradebook.find_submission_notebook(name, name, student).grades}
        return submission.score, submission.max_score, cells


@pytest.mark.parametrize("name", GRADED)
def test_the_instructors_solutions_earn_full_marks(course, name):
    total, maximum, cells = scores(course, name, "solved")
    assert maximum == sum(points(name).values())
    assert cells == points(name) and total == maximum


@pytest.mark.parametrize("name", GRADED)
def test_an_unsolved_notebook_earns_zero(course, name):
    total, _, cells = scores(course, name, "unsolved")
    assert total == 0 and set(cells.values()) == {0}


@pytest.mark.parametrize("name", GRADED)
def test_a_notebook_with_one_exercise_left_unsolved_earns_all_other_points(course, name):
    total, maximum, cells = scores(course, name, "partial")
    first, *others = points(name)
    assert 0 < total < maximum
    assert total == maximum - points(name)[first]
    assert cells[first] == 0 and all(cells[grade_id] == points(name)[grade_id] for grade_id in others)


@pytest.mark.parametrize("name", GRADED)
def test_the_feedback_carries_the_hint_and_the_points(course, name):
    nb = nbformat.read(course / "autograded" / "partial" / name / f"{name}.ipynb", as_version=4)
    first = next(cell for cell in nb.cells if is_grade(cell))
    (result,) = [out for out in first.outputs if out.output_type == "execute_result"]
    assert result["data"]["text/plain"] == "0.0"
    assert "✘ Not yet" in result["data"]["text/html"] and "not implemented yet" in result["data"]["text/html"]
    assert BEGIN_HIDDEN in "".join(cell.source for cell in nb.cells), "autograde restores the hidden tests"


# --- validate ---------------------------------------------------------------------------------------------


def exercises_only(nb):
    """The chapter's imports and its exercise section: what validate checks, without the slow rest (nor its
    widget cells: validate's notebook runner is nbgrader's own, exposed to the nbclient #312 stall)."""
    start = next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "markdown" and "Exercises" in cell.source)
    imports = next(cell for cell in nb.cells if cell.cell_type == "code" and "import numpy as np" in cell.source)
    nb.cells = [imports, *nb.cells[start:]]
    return nb


def test_validate_names_each_unsolved_exercise_with_its_hint(course, tmp_path):
    name = GRADED[0]
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(exercises_only(nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)), path)
    log = run("nbgrader", "validate", path, cwd=course)
    failed = len(points(name))
    assert f"VALIDATION FAILED ON {failed} CELL(S)!" in log
    assert log.count("The following cell failed:") == failed
    report = " ".join(line.strip() for line in log.splitlines())  # validate indents the hints it shows
    assert report.count("not implemented yet: replace `raise NotImplementedError()` with your code.") == failed
    assert "Traceback" not in log
