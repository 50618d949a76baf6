"""The committed notebooks: paired with their .py source, executed and cleaned, small, built like chapters.

Running the notebooks is nbval's job (it collects notebooks/*.ipynb); these tests read the files only.
"""

import ast
import copy
import importlib
import json
import re
from collections import Counter

import execute_notebooks
import jupytext
import nbformat
import pytest
from conftest import NOTEBOOKS
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("*.ipynb"))
PY_FILES = sorted(NOTEBOOKS.glob("*.py"))
CHAPTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
MAX_BYTES = 3_000_000
MIN_EXERCISES = 3
CHECK_CALL = re.compile(r"^check_\w+\(.*\)$")


def ids(paths):
    return [path.stem for path in paths]


def read(path):
    return nbformat.read(path, as_version=4)


def nbgrader(cell):
    return cell.metadata.get("nbgrader", {})


def test_the_course_has_chapters():
    assert CHAPTERS, f"no chapter notebooks (NN_topic.ipynb) in {NOTEBOOKS}"


@pytest.mark.parametrize("ipynb", NOTEBOOK_FILES, ids=ids(NOTEBOOK_FILES))
def test_notebook_is_in_sync_with_its_py_file(ipynb):
    py = ipynb.with_suffix(".py")
    assert py.exists(), f"{ipynb.name} has no paired {py.name}"
    expected = jupytext.writes(jupytext.read(ipynb), fmt="py:percent")
    assert py.read_text(encoding="utf-8") == expected, (
        f"{py.name} and {ipynb.name} are out of sync: run `python scripts/execute_notebooks.py {py.name}`"
    )


@pytest.mark.parametrize("py", PY_FILES, ids=ids(PY_FILES))
def test_every_py_notebook_has_its_ipynb(py):
    assert py.with_suffix(".ipynb").exists(), (
        f"{py.name} has no executed .ipynb: run `python scripts/execute_notebooks.py notebooks/{py.name}`"
    )


@pytest.mark.parametrize("ipynb", NOTEBOOK_FILES, ids=ids(NOTEBOOK_FILES))
def test_notebook_has_a_python3_kernelspec(ipynb):
    kernelspec = read(ipynb).metadata.get("kernelspec", {})
    assert kernelspec.get("name") == "python3" and kernelspec.get("language") == "python", kernelspec


@pytest.mark.parametrize("ipynb", NOTEBOOK_FILES, ids=ids(NOTEBOOK_FILES))
def test_notebook_is_committed_executed_without_errors(ipynb):
    nb = read(ipynb)
    code = [(i, cell) for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and cell.source.strip()]
    unexecuted = [i for i, cell in code if cell.execution_count is None]
    assert unexecuted == [], f"cells {unexecuted} were not executed: run scripts/execute_notebooks.py"
    counts = [cell.execution_count for _, cell in code]
    assert counts == list(range(1, len(code) + 1)), (
        "cells were not executed once, top to bottom, in one kernel"
    )
    errors = [
        f"cell {i}: {out.ename}: {out.evalue}"
        for i, cell in code
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert errors == []


@pytest.mark.parametrize("ipynb", NOTEBOOK_FILES, ids=ids(NOTEBOOK_FILES))
def test_notebook_is_cleaned_as_the_execute_script_cleans(ipynb):
    nb = read(ipynb)
    views = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for out in cell.outputs
        if execute_notebooks.WIDGET_VIEW in out.get("data", {})
    ]
    assert views == [], f"cells {views} store widget views (they need a live kernel)"
    timed = [i for i, cell in enumerate(nb.cells) if "execution" in cell.metadata]
    assert timed == [], f"cells {timed} store execution timings"
    assert "widgets" not in nb.metadata, "the notebook stores widget state"
    cleaned = execute_notebooks.clean_outputs(copy.deepcopy(nb))
    assert cleaned == nb, "the notebook differs from what scripts/execute_notebooks.py writes"


@pytest.mark.parametrize("ipynb", NOTEBOOK_FILES, ids=ids(NOTEBOOK_FILES))
def test_notebook_is_small(ipynb):
    size = ipynb.stat().st_size
    assert size < MAX_BYTES, (
        f"{ipynb.name} is {size / 1e6:.2f} MB (limit {MAX_BYTES / 1e6:.0f} MB): shrink figures"
    )


# --- the anatomy of a chapter -----------------------------------------------------------------------------


@pytest.mark.parametrize("ipynb", CHAPTERS, ids=ids(CHAPTERS))
def test_chapter_has_exercises_each_followed_by_a_locked_checker(ipynb):
    cells = read(ipynb).cells
    solutions = [i for i, cell in enumerate(cells) if nbgrader(cell).get("solution")]
    assert len(solutions) >= MIN_EXERCISES, f"{len(solutions)} exercise(s), at least {MIN_EXERCISES} expected"
    for i in solutions:
        assert cells[i].cell_type == "code", f"cell {i}: exercises are code cells"
        assert i + 1 < len(cells), f"cell {i}: the exercise has no checker cell after it"
        check = cells[i + 1]
        meta = nbgrader(check)
        assert check.cell_type == "code" and meta.get("locked") and not meta.get("solution"), (
            f"cell {i + 1}, after exercise {nbgrader(cells[i]).get('grade_id')}, is not a locked checker"
        )
        last = check.source.strip().splitlines()[-1] if check.source.strip() else ""
        assert CHECK_CALL.match(last), f"cell {i + 1}: its last line should call a checker, got {last!r}"


@pytest.mark.parametrize("ipynb", CHAPTERS, ids=ids(CHAPTERS))
def test_chapter_solution_cells_are_collapsed(ipynb):
    cells = read(ipynb).cells
    shown = [
        i
        for i, cell in enumerate(cells)
        if nbgrader(cell).get("solution") and not cell.metadata.get("jupyter", {}).get("source_hidden")
    ]
    assert shown == [], f"solution cells {shown} lack jupyter.source_hidden: learners would see the answer"


@pytest.mark.parametrize("ipynb", CHAPTERS, ids=ids(CHAPTERS))
def test_chapter_checks_printed_numbers_with_nbval(ipynb):
    tagged = [cell for cell in read(ipynb).cells if "nbval-check-output" in cell.metadata.get("tags", [])]
    assert tagged, (
        "no cell is tagged nbval-check-output: nbval would check none of the numbers the prose cites"
    )


@pytest.mark.parametrize("ipynb", CHAPTERS, ids=ids(CHAPTERS))
def test_chapter_grade_ids_carry_the_chapter_prefix(ipynb):
    prefix = f"ch{ipynb.name[:2]}-"
    grade_ids = [nbgrader(cell)["grade_id"] for cell in read(ipynb).cells if "grade_id" in nbgrader(cell)]
    wrong = [gid for gid in grade_ids if not gid.startswith(prefix)]
    assert wrong == [], f"grade_ids should start with {prefix!r}"


def is_widget(value):
    """A widget class: something a notebook displays (an ipywidgets container or its own display hook)."""
    return isinstance(value, type) and any(hasattr(value, hook) for hook in ("_ipython_display_", "_repr_mimebundle_"))


@pytest.mark.parametrize("py", PY_FILES, ids=ids(PY_FILES))
def test_notebooks_take_only_widgets_from_the_widget_modules(py):
    """Widgets hold presentation only: the ideas a notebook computes with come from the core modules."""
    offending = []
    for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            offending += [a.name for a in node.names if a.name.startswith("nncourse.widgets")]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("nncourse.widgets"):
            module = importlib.import_module(node.module)
            offending += [f"{node.module}.{a.name}" for a in node.names if not is_widget(getattr(module, a.name))]
    assert offending == [], f"{py.name} imports what is not a widget from nncourse.widgets: {offending}"


def test_grade_ids_are_unique_across_the_course():
    counts = Counter(
        nbgrader(cell)["grade_id"]
        for path in CHAPTERS
        for cell in read(path).cells
        if "grade_id" in nbgrader(cell)
    )
    duplicates = sorted(gid for gid, n in counts.items() if n > 1)
    assert duplicates == []


# --- the execute script's cleaning ------------------------------------------------------------------------


def messy_notebook():
    """A notebook as nbclient leaves it: random ids, timings, widget views and widget state."""
    view = new_output(
        "display_data",
        data={
            execute_notebooks.WIDGET_VIEW: {"model_id": "a1b2", "version_major": 2},
            "text/plain": "VBox(...)",
        },
    )
    text = new_output("stream", name="stdout", text="0.333\n")
    cells = [
        new_markdown_cell("# Title"),
        new_code_cell("print(1 / 3)", execution_count=1),
        new_code_cell("display(ui)", execution_count=2),
    ]
    cells[1].outputs = [text]
    cells[2].outputs = [view, text]
    for cell in cells:
        cell.metadata["execution"] = {"iopub.execute_input": "2024-01-01T00:00:00.000000Z"}
    nb = new_notebook(cells=cells, metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {}}})
    return nb


def test_clean_outputs_removes_what_differs_between_runs():
    nb = execute_notebooks.clean_outputs(messy_notebook())
    assert [cell.id for cell in nb.cells] == ["cell-0", "cell-1", "cell-2"]
    assert all("execution" not in cell.metadata for cell in nb.cells)
    assert "widgets" not in nb.metadata
    assert nb.cells[2].outputs == [new_output("stream", name="stdout", text="0.333\n")]
    nbformat.validate(nb)


def test_clean_outputs_is_idempotent():
    once = execute_notebooks.clean_outputs(messy_notebook())
    twice = execute_notebooks.clean_outputs(copy.deepcopy(once))
    assert json.dumps(twice, sort_keys=True) == json.dumps(once, sort_keys=True)
