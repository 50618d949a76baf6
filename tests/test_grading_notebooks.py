"""Every chapter's exercises are graded the same way: a collapsed solution cell, then a locked nbgrader grade
cell worth the points the course's exercise list gives, which imports its own checker and calls it; the
exercise's title shows its points; each chapter ships an example of hidden tests; the executed source
notebook earns every point."""

import importlib
import re

import nbformat
import pytest
from conftest import NOTEBOOKS

from nncourse.student import BEGIN_HIDDEN, is_grade_cell, is_solution_cell

CHAPTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def chapter_module(path):
    return importlib.import_module(f"nncourse.exercises.ch{path.name[:2]}")


@pytest.fixture(params=CHAPTERS, ids=[path.stem for path in CHAPTERS])
def chapter(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_the_grade_cells_are_the_chapters_exercises(chapter):
    path, nb = chapter
    grades = [cell for cell in nb.cells if is_grade_cell(cell)]
    exercises = chapter_module(path).EXERCISES
    assert [cell.metadata.nbgrader.grade_id for cell in grades] == [exercise.grade_id for exercise in exercises]
    for cell, exercise in zip(grades, exercises, strict=True):
        meta = cell.metadata.nbgrader
        assert meta.points == exercise.points and meta.locked and not meta.solution, exercise.grade_id
        module = f"nncourse.exercises.ch{path.name[:2]}"
        assert cell.source.startswith(f"from {module} import {exercise.checker}\n"), exercise.grade_id
        assert re.search(rf"^{exercise.checker}\(", cell.source, re.MULTILINE), exercise.grade_id


def test_no_other_cell_imports_a_checker(chapter):
    # A checker imported in an unlocked cell could be rebound there; the locked grade cell imports its own.
    _, nb = chapter
    others = [cell.source for cell in nb.cells if not is_grade_cell(cell) and cell.cell_type == "code"]
    assert not any("nncourse.exercises" in source for source in others)


def test_each_grade_cell_follows_its_collapsed_solution_and_its_title_shows_the_points(chapter):
    path, nb = chapter
    for index, cell in enumerate(nb.cells):
        if not is_grade_cell(cell):
            continue
        grade_id = cell.metadata.nbgrader.grade_id
        before = nb.cells[:index]
        solution = before[-1]
        assert is_solution_cell(solution) and solution.metadata.nbgrader.grade_id == grade_id.removesuffix("-check")
        assert solution.metadata.jupyter.source_hidden, f"{grade_id}: the solution is collapsed in the source"
        title = next(cell for cell in reversed(before) if cell.cell_type == "markdown")
        points = cell.metadata.nbgrader.points
        assert f"({points} point{'s' if points != 1 else ''})" in title.source, f"{grade_id}: {title.source[:80]}"


def test_each_chapter_ships_hidden_tests_in_a_grade_cell(chapter):
    _, nb = chapter
    hidden = [cell for cell in nb.cells if BEGIN_HIDDEN in cell.source]
    assert hidden and all(is_grade_cell(cell) for cell in hidden)


def test_the_executed_source_notebook_earns_every_point(chapter):
    _, nb = chapter
    for cell in nb.cells:
        if is_grade_cell(cell):
            points = cell.metadata.nbgrader.points
            (result,) = [out for out in cell.outputs if out.output_type == "execute_result"]
            assert result.data["text/plain"].startswith(f"✔ Correct! ({points} of {points} point"), result.data
