"""The student build (`nncourse student SOURCE OUT_DIR`): what nbgrader releases, without nbgrader.

Small synthetic notebooks pin down the rules (solutions replaced by stubs, hidden tests removed, outputs
cleared, cells locked and checksummed as nbgrader does) and every error; then the student version of every
chapter is built and executed, and must run to the end with each checker saying "Not yet" and 0 points
instead of a traceback. (tests/test_nbgrader.py compares the build with nbgrader's own release.)
"""

import ast
import json
import subprocess
import sys

import nbformat
import pytest
from conftest import NOTEBOOKS, ROOT
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from nncourse import cli
from nncourse.student import (
    StudentBuildError,
    build,
    course_notebook,
    nbgrader_checksum,
    read_notebook,
    strip_hidden_tests,
    student_notebook,
)

CHAPTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def solution_meta(grade_id="ch00-square"):
    return {
        "nbgrader": {
            "grade": False,
            "grade_id": grade_id,
            "locked": False,
            "schema_version": 3,
            "solution": True,
            "task": False,
        },
        "jupyter": {"source_hidden": True, "outputs_hidden": False},
    }


def checker_meta(grade_id="ch00-square-check"):
    return {
        "nbgrader": {
            "grade": True,
            "grade_id": grade_id,
            "locked": True,
            "points": 2,
            "schema_version": 3,
            "solution": False,
            "task": False,
        },
        "lines_to_next_cell": 2,  # jupytext's: authoring metadata
    }


SOLUTION = """def square(x):
    \"\"\"Return x squared.\"\"\"
    ### BEGIN SOLUTION
    y = x * x
    return y
    ### END SOLUTION"""

STUDENT = """def square(x):
    \"\"\"Return x squared.\"\"\"
    # YOUR CODE HERE
    raise NotImplementedError()"""

CHECKER = """cases = [3]
### BEGIN HIDDEN TESTS
cases = [3, -4]
### END HIDDEN TESTS
print('Not yet' if any(square(c) != c * c for c in cases) else 'ok')"""


def make_notebook(solution_source=SOLUTION, **solution_kwargs):
    """A tiny chapter: a markdown task, a solution cell with an output, a checker cell."""
    solution = new_code_cell(solution_source, metadata=solution_meta(**solution_kwargs), execution_count=3)
    solution.outputs = [new_output("stream", name="stdout", text="hi\n")]
    check = new_code_cell(CHECKER, metadata=checker_meta(), execution_count=4)
    check.outputs = [new_output("execute_result", data={"text/plain": "9"}, execution_count=4)]
    return new_notebook(
        cells=[new_markdown_cell("Write `square`."), solution, check],
        metadata={"kernelspec": KERNELSPEC, "jupytext": {"formats": "ipynb,py:percent"}},
    )


def write(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


# --- the rules --------------------------------------------------------------------------------------------


def test_solution_region_becomes_the_nbgrader_stub_with_its_indentation():
    student = student_notebook(make_notebook())
    assert student.cells[1].source == STUDENT


def test_every_region_of_a_cell_is_replaced_and_the_code_around_them_kept():
    source = (
        "import math\n\ndef f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n\n"
        "class A:\n    def g(self):\n        ### BEGIN SOLUTION\n        return 1\n        ### END SOLUTION\n"
    )
    student = student_notebook(make_notebook(source))
    assert student.cells[1].source == (
        "import math\n\ndef f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\n"
        "class A:\n    def g(self):\n        # YOUR CODE HERE\n        raise NotImplementedError()\n"
    )


def test_outputs_and_execution_counts_are_cleared():
    student = student_notebook(make_notebook())
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == []
            assert cell.execution_count is None


def test_solution_cells_are_shown_and_nbgrader_metadata_and_kernelspec_kept():
    student = student_notebook(make_notebook())
    meta = student.cells[1].metadata
    assert "source_hidden" not in meta["jupyter"]
    assert meta["jupyter"] == {"outputs_hidden": False}
    assert {key: meta["nbgrader"][key] for key in solution_meta()["nbgrader"]} == solution_meta()["nbgrader"]
    assert student.metadata["kernelspec"] == KERNELSPEC
    assert "jupytext" not in student.metadata, "the learner's copy is not paired with a .py file"
    nbformat.validate(student)


def test_hidden_tests_are_removed_from_grade_cells():
    student = student_notebook(make_notebook())
    assert student.cells[2].source == (
        "cases = [3]\nprint('Not yet' if any(square(c) != c * c for c in cases) else 'ok')"
    )
    assert "cases = [3, -4]" in make_notebook().cells[2].source, "the source keeps them"


def test_cells_are_locked_and_checksummed_as_nbgrader_does():
    from nbgrader.utils import compute_checksum

    student = student_notebook(make_notebook())
    markdown, solution, grade = student.cells
    assert "deletable" not in markdown.metadata and "editable" not in markdown.metadata
    assert solution.metadata["deletable"] is False and "editable" not in solution.metadata
    assert grade.metadata["deletable"] is False and grade.metadata["editable"] is False
    for cell in (solution, grade):
        assert cell.metadata["nbgrader"]["checksum"] == compute_checksum(cell) == nbgrader_checksum(cell)
        assert cell.metadata["nbgrader"]["cell_type"] == "code"
    assert "lines_to_next_cell" not in grade.metadata, "jupytext's cell metadata does not reach learners"


def test_the_course_notebook_keeps_solutions_hidden_tests_and_outputs_but_drops_authoring_metadata():
    course = course_notebook(make_notebook())
    assert course.cells[1].source == SOLUTION and course.cells[2].source == CHECKER
    assert course.cells[1].outputs and "source_hidden" not in course.cells[1].metadata["jupyter"]
    assert "lines_to_next_cell" not in course.cells[2].metadata and "jupytext" not in course.metadata


def test_strip_hidden_tests_keeps_the_code_around_the_region():
    source = "a = 1\n    ### BEGIN HIDDEN TESTS\n    b = 2\n    ### END HIDDEN TESTS\nc = 3"
    assert strip_hidden_tests(source) == ("a = 1\nc = 3", 1)


def test_the_source_notebook_is_left_unchanged():
    nb = make_notebook()
    before = json.dumps(nb, sort_keys=True)
    student_notebook(nb)
    assert json.dumps(nb, sort_keys=True) == before


def test_a_markdown_solution_cell_gets_nbgrader_text_stub():
    nb = make_notebook()
    nb.cells[0] = new_markdown_cell("Because the data are separable.", metadata=solution_meta("ch00-why"))
    assert student_notebook(nb).cells[0].source == "YOUR ANSWER HERE"


# --- errors: name the notebook, the cell and the problem --------------------------------------------------


@pytest.mark.parametrize(
    ("source", "match"),
    [
        (
            "def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
            r"ch\.ipynb, cell 1, line 3: nested '### BEGIN SOLUTION'.*line 2",
        ),
        ("def f():\n    ### BEGIN SOLUTION\n    return 1", r"ch\.ipynb, cell 1, line 2: .*never closed"),
        (
            "def f():\n    return 1\n    ### END SOLUTION",
            r"ch\.ipynb, cell 1, line 3: .*END SOLUTION.*without",
        ),
        (
            "def f():\n    return 1  ### BEGIN SOLUTION\n    ### END SOLUTION",
            r"ch\.ipynb, cell 1, line 2: a marker must stand alone",
        ),
        (
            "def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION",
            r"cell 1, line 2: .*stand alone",
        ),
        ("def f():\n    return 1", r"ch\.ipynb, cell 1: a solution cell without a '### BEGIN SOLUTION'"),
    ],
    ids=["nested", "unclosed", "end-without-begin", "marker-after-code", "marker-with-one-hash", "no-region"],
)
def test_malformed_solution_regions_are_clear_errors(source, match):
    with pytest.raises(StudentBuildError, match=match):
        student_notebook(make_notebook(source), "ch.ipynb")


@pytest.mark.parametrize(
    ("source", "match"),
    [
        ("### BEGIN HIDDEN TESTS\nx = 1", r"ch\.ipynb, cell 2, line 1: '### BEGIN HIDDEN TESTS' is never closed"),
        ("x = 1\n### END HIDDEN TESTS", r"cell 2, line 2: '### END HIDDEN TESTS' without"),
        ("x = 1  # BEGIN HIDDEN TESTS", r"cell 2, line 1: a marker must stand alone"),
        (
            "### BEGIN HIDDEN TESTS\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS",
            r"cell 2, line 2: nested '### BEGIN HIDDEN TESTS'",
        ),
    ],
    ids=["unclosed", "end-without-begin", "marker-after-code", "nested"],
)
def test_malformed_hidden_test_regions_are_clear_errors(source, match):
    nb = make_notebook()
    nb.cells[2].source = source
    with pytest.raises(StudentBuildError, match=match):
        student_notebook(nb, "ch.ipynb")


def test_hidden_tests_outside_a_grade_cell_are_an_error():
    nb = make_notebook()
    nb.cells[2].metadata["nbgrader"]["grade"] = False
    with pytest.raises(StudentBuildError, match=r"ch\.ipynb, cell 2: hidden tests .* not a grade cell"):
        student_notebook(nb, "ch.ipynb")


def test_a_solution_region_outside_a_solution_cell_is_an_error():
    nb = make_notebook()
    nb.cells[2].source = "def g():\n    ### BEGIN SOLUTION\n    return 2\n    ### END SOLUTION"
    with pytest.raises(
        StudentBuildError, match=r"ch\.ipynb, cell 2: a solution region .* not a solution cell"
    ):
        student_notebook(nb, "ch.ipynb")
    nb.cells[2].source = "print(1)"
    nb.cells[0].source = "Fill in between\n### BEGIN SOLUTION\nx\n### END SOLUTION"
    with pytest.raises(StudentBuildError, match=r"cell 0: a solution region"):
        student_notebook(nb, "ch.ipynb")


def test_the_student_build_is_a_value_error():
    assert issubclass(StudentBuildError, ValueError)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('{"cells": [', r"broken\.ipynb: not a valid notebook \(NotJSONError"),
        (
            '{"cells": 3, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
            r"broken\.ipynb: not a valid notebook",
        ),
        ("", r"broken\.ipynb: not a valid notebook"),
    ],
    ids=["truncated-json", "cells-not-a-list", "empty-file"],
)
def test_a_malformed_notebook_file_is_a_clear_error(tmp_path, text, match):
    path = tmp_path / "broken.ipynb"
    path.write_text(text)
    with pytest.raises(StudentBuildError, match=match):
        read_notebook(path)


# --- building a directory ---------------------------------------------------------------------------------


def test_build_folder_writes_every_notebook(tmp_path):
    src = tmp_path / "src"
    write(make_notebook(), src / "01_a.ipynb")
    write(make_notebook(grade_id="ch00-other"), src / "02_b.ipynb")
    (src / "notes.txt").write_text("not a notebook")
    written = build(src, tmp_path / "out")
    assert [p.name for p in written] == ["01_a.ipynb", "02_b.ipynb"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["01_a.ipynb", "02_b.ipynb"]
    assert nbformat.read(tmp_path / "out" / "01_a.ipynb", as_version=4).cells[1].source == STUDENT


def test_build_writes_one_notebook_and_never_a_py_file(tmp_path):
    src = write(make_notebook(), tmp_path / "src" / "01_a.ipynb")
    (tmp_path / "src" / "01_a.py").write_text("# the paired source: every solution")
    written = build(src, tmp_path / "out")
    assert written == [tmp_path / "out" / "01_a.ipynb"]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["01_a.ipynb"]
    with pytest.raises(StudentBuildError, match=r"paired \.py source, which holds every solution: pass .*01_a\.ipynb"):
        build(tmp_path / "src" / "01_a.py", tmp_path / "out2")
    assert not (tmp_path / "out2").exists()


def test_build_folder_refuses_to_overwrite_unless_forced(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    write(make_notebook(), src / "01_a.ipynb")
    write(make_notebook(), src / "02_b.ipynb")
    out.mkdir()
    (out / "02_b.ipynb").write_text("learner's work")
    with pytest.raises(
        StudentBuildError, match=r"refusing to overwrite existing files .*--force.*02_b\.ipynb"
    ):
        build(src, out)
    assert sorted(p.name for p in out.iterdir()) == ["02_b.ipynb"], "nothing is written when it refuses"
    assert (out / "02_b.ipynb").read_text() == "learner's work"
    build(src, out, force=True)
    assert nbformat.read(out / "02_b.ipynb", as_version=4).cells[1].source == STUDENT


def test_build_folder_writes_nothing_when_one_notebook_is_bad(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    write(make_notebook(), src / "01_a.ipynb")
    write(make_notebook("def f():\n    ### BEGIN SOLUTION\n"), src / "02_b.ipynb")
    with pytest.raises(StudentBuildError, match=r"02_b\.ipynb, cell 1"):
        build(src, out)
    assert not out.exists()


@pytest.mark.parametrize("case", ["missing-source", "empty-source", "out-is-source", "out-is-a-file"])
def test_build_rejects_bad_folders(tmp_path, case):
    src = tmp_path / "src"
    out = tmp_path / "out"
    if case != "missing-source":
        src.mkdir()
    if case in ("out-is-source", "out-is-a-file"):
        write(make_notebook(), src / "01_a.ipynb")
    if case == "out-is-source":
        out = src
    if case == "out-is-a-file":
        out.write_text("x")
    match = {
        "missing-source": "does not exist",
        "empty-source": r"no notebooks \(\*\.ipynb\)",
        "out-is-source": "is the source directory",
        "out-is-a-file": "is not a directory",
    }[case]
    with pytest.raises(StudentBuildError, match=match):
        build(src, out)


# --- the command line -------------------------------------------------------------------------------------


def run_cli(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "nncourse", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_cli_student_builds_refuses_then_forces(tmp_path):
    src = tmp_path / "src"
    write(make_notebook(), src / "01_a.ipynb")
    first = run_cli("student", "src", "out", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "1 student notebook(s)" in first.stdout
    assert nbformat.read(tmp_path / "out" / "01_a.ipynb", as_version=4).cells[1].source == STUDENT

    again = run_cli("student", "src", "out", cwd=tmp_path)
    assert again.returncode == 2
    assert "refusing to overwrite" in again.stderr and "01_a.ipynb" in again.stderr
    assert "Traceback" not in again.stderr

    forced = run_cli("student", "src", "out", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr


@pytest.mark.slow
def test_cli_student_builds_a_single_notebook(tmp_path):
    write(make_notebook(), tmp_path / "src" / "01_a.ipynb")
    result = run_cli("student", "src/01_a.ipynb", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["01_a.ipynb"]
    refused = run_cli("student", "src/01_a.py", "out2", cwd=tmp_path)
    assert refused.returncode == 2 and "holds every solution" in refused.stderr


@pytest.mark.slow
def test_cli_reports_a_malformed_notebook_without_a_traceback(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "bad.ipynb").write_text("{not json")
    result = run_cli("student", "src", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("nncourse student: error: bad.ipynb: not a valid notebook")
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_cli_usage_errors_exit_with_code_2(tmp_path):
    result = run_cli("student", "only-one-dir", cwd=tmp_path)
    assert result.returncode == 2
    assert "the following arguments are required: OUT_DIR" in result.stderr


@pytest.mark.slow
def test_cli_check_reports_every_component():
    result = run_cli("check", cwd=ROOT)
    assert result.returncode == 0, result.stdout
    for name in ("Python", "numpy", "matplotlib", "ipywidgets", "jupyterlab", "torch", "CUDA"):
        assert name in result.stdout
    assert "All good" in result.stdout


def test_check_reports_a_missing_package_and_fails(monkeypatch, capsys):
    real_version = cli.importlib.metadata.version

    def version(name):
        if name == "numpy":
            raise cli.importlib.metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(cli, "RUNTIME_PACKAGES", ("numpy", "matplotlib"))
    monkeypatch.setattr(cli.importlib.metadata, "version", version)
    assert cli.main(["check"]) == 1
    out = capsys.readouterr().out
    assert "numpy is not installed" in out and "Problems:" in out


def test_check_reports_a_version_outside_the_requirement(monkeypatch, capsys):
    monkeypatch.setattr(cli, "RUNTIME_PACKAGES", ("ipywidgets",))
    monkeypatch.setattr(cli.importlib.metadata, "version", lambda name: "7.6.0")
    assert cli.main(["check"]) == 1
    assert "ipywidgets 7.6.0 does not satisfy" in capsys.readouterr().out


# --- every chapter's student version runs to the end ------------------------------------------------------


def raises_outside_functions(source):
    """Line numbers of `raise NotImplementedError...` statements that are not inside a function body."""
    tree = ast.parse(source)
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inside.update(id(sub) for sub in ast.walk(node))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Raise)
        and "NotImplementedError" in ast.unparse(node)
        and id(node) not in inside
    ]


def test_raises_outside_functions_finds_top_level_stubs():
    assert raises_outside_functions(STUDENT) == []
    assert raises_outside_functions("# YOUR CODE HERE\nraise NotImplementedError()") == [2]
    assert raises_outside_functions("if True:\n    raise NotImplementedError()") == [2]


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_student_version_of_the_chapter_runs_to_the_end(chapter, tmp_path):
    from nbclient import NotebookClient

    from nncourse.exercises.autograde import QuietOutputWidget

    build(chapter, tmp_path)
    nb = nbformat.read(tmp_path / chapter.name, as_version=4)
    solutions = [i for i, cell in enumerate(nb.cells) if cell.metadata.get("nbgrader", {}).get("solution")]
    grades = [i for i, cell in enumerate(nb.cells) if cell.metadata.get("nbgrader", {}).get("grade")]
    assert solutions and grades, f"{chapter.name} has no exercises"
    for index, cell in enumerate(nb.cells):
        assert "BEGIN SOLUTION" not in cell.source and "END SOLUTION" not in cell.source, f"cell {index}"
        assert "HIDDEN TESTS" not in cell.source, f"cell {index}"
    for index in solutions:
        source = nb.cells[index].source
        assert "raise NotImplementedError()" in source, f"cell {index} has no stub"
        assert raises_outside_functions(source) == [], f"cell {index}: a stub outside a function body"

    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        record_timing=False,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    # nbclient's Output-widget mimic can stall a widget cell for the whole timeout (nbclient issue #312; see
    # nncourse/exercises/autograde.py): use the quiet one, as the course's nbgrader configuration does.
    client.widget_registry = {"@jupyter-widgets/output": {"OutputModel": QuietOutputWidget}}
    client.execute()  # the kernel inherits conftest's set-up, as nbval's do: one BLAS thread, Agg

    errors = [
        f"cell {i}: {out.get('ename', 'stderr')}: {out.get('evalue', out.get('text', ''))}"
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error" or out.get("name") == "stderr"
    ]
    assert errors == [], "the student notebook failed:\n" + "\n".join(errors)
    unexecuted = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and cell.source.strip() and cell.execution_count is None
    ]
    assert unexecuted == []
    for index in grades:
        results = [out for out in nb.cells[index].outputs if out.output_type == "execute_result"]
        assert len(results) == 1, f"grade cell {index} shows {nb.cells[index].outputs}"
        text = results[0]["data"]["text/plain"]
        assert text.startswith("✘ Not yet (0 of "), f"grade cell {index} shows {text!r}"
        assert "not implemented yet" in text
