"""The student version of the course: every solution replaced by a stub, every output cleared.

A solution sits in a cell whose metadata says ``nbgrader.solution == true``, between two marker lines::

    def predict(w, b, x):
        ### BEGIN SOLUTION
        return step(w @ x + b)
        ### END SOLUTION

The student build replaces the region, markers included, with the stub nbgrader writes, indented like the
``### BEGIN SOLUTION`` line::

    def predict(w, b, x):
        # YOUR CODE HERE
        raise NotImplementedError()

It also clears every output and execution count and un-hides the solution cells (``jupyter.source_hidden``),
so that the learner sees the task. nbgrader metadata and the kernelspec are kept, so instructors can feed
the student notebooks straight into nbgrader. Nothing is executed.

The rules are nbgrader's (``ClearSolutions``), made strict so that a mistake is found at build time rather
than by a learner: a marker line holds its marker alone; regions are neither nested nor left open; a
solution region outside a solution cell, and a solution code cell without a region (nbgrader would replace
the whole cell, ``def`` line included, and the student notebook would no longer run), are errors.
"""

import json
import re
from pathlib import Path

import nbformat

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
TEXT_STUB = ("YOUR ANSWER HERE",)

# nbgrader treats any line that contains these words as a marker; so do we, to agree with it.
_MARKER_WORDS = re.compile(r"(BEGIN|END) SOLUTION")
# Notebook metadata that belongs to the authoring set-up, not to the learner's copy.
_AUTHORING_METADATA = ("jupytext", "widgets")


class StudentBuildError(ValueError):
    """A notebook that cannot be turned into a student version; the message says where and why."""


def is_solution_cell(cell):
    """Whether nbgrader treats ``cell`` as a solution cell (``metadata.nbgrader.solution`` is true)."""
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution", False))


def strip_solutions(source, *, stub=CODE_STUB, where="cell"):
    """Return ``(new_source, n_regions)``: ``source`` with every solution region replaced by ``stub``.

    ``where`` names the cell in error messages, e.g. ``"01_perceptron.ipynb, cell 12"``.
    """
    lines = source.split("\n")
    out = []
    begin_line = None  # line number of the open region's BEGIN marker, or None outside a region
    regions = 0
    for number, line in enumerate(lines, start=1):
        marker = _MARKER_WORDS.search(line)
        if marker is None:
            if begin_line is None:
                out.append(line)
            continue
        text = line.strip()
        if text not in (BEGIN, END):
            raise StudentBuildError(
                f"{where}, line {number}: a solution marker must stand alone on its line as "
                f"{BEGIN!r} or {END!r}, got {text!r}"
            )
        if text == BEGIN:
            if begin_line is not None:
                raise StudentBuildError(
                    f"{where}, line {number}: nested {BEGIN!r}: the region opened on line {begin_line} "
                    f"has no {END!r} before it"
                )
            begin_line = number
            regions += 1
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + stub_line for stub_line in stub)
        else:
            if begin_line is None:
                raise StudentBuildError(f"{where}, line {number}: {END!r} without a {BEGIN!r} before it")
            begin_line = None
    if begin_line is not None:
        raise StudentBuildError(f"{where}, line {begin_line}: {BEGIN!r} is never closed by {END!r}")
    return "\n".join(out), regions


def student_notebook(nb, name="notebook"):
    """Return the student version of the notebook ``nb`` (an nbformat NotebookNode); ``nb`` is not changed.

    ``name`` (usually the file name) starts every error message.
    """
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))  # a deep copy that is again a NotebookNode
    if not isinstance(nb.get("cells"), list):
        raise StudentBuildError(f"{name}: not a notebook (no list of cells)")
    for key in _AUTHORING_METADATA:
        nb.metadata.pop(key, None)
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index}"
        solution = is_solution_cell(cell)
        stub = CODE_STUB if cell.cell_type == "code" else TEXT_STUB
        source, regions = strip_solutions(cell.source, stub=stub, where=where)
        if regions and not solution:
            raise StudentBuildError(
                f"{where}: a solution region ({BEGIN!r}) in a cell that is not a solution cell; "
                'give the cell nbgrader metadata with "solution": true'
            )
        if solution and not regions:
            if cell.cell_type == "code":
                raise StudentBuildError(
                    f"{where}: a solution cell without a {BEGIN!r} ... {END!r} region; "
                    "put the solution inside a function body between the two markers"
                )
            source = "\n".join(TEXT_STUB)
        cell.source = source
        jupyter = cell.metadata.get("jupyter")
        if isinstance(jupyter, dict):
            jupyter.pop("source_hidden", None)
            if not jupyter:
                del cell.metadata["jupyter"]
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def read_notebook(path):
    """Read and validate the notebook at ``path``; a malformed file gives a StudentBuildError naming it."""
    path = Path(path)
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises JSON, validation and key errors for broken files
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StudentBuildError(
            f"{path.name}: not a valid notebook ({type(exc).__name__}: {reason})"
        ) from None
    return nb


def build_directory(source_dir, out_dir, *, force=False):
    """Write the student version of every ``*.ipynb`` in ``source_dir`` to ``out_dir``; return the paths.

    Every notebook is checked before anything is written, so an error leaves ``out_dir`` untouched.
    Existing files are not overwritten unless ``force=True``; the error lists them.
    """
    source_dir, out_dir = Path(source_dir), Path(out_dir)
    if not source_dir.is_dir():
        raise StudentBuildError(f"source directory {str(source_dir)!r} does not exist or is not a directory")
    if out_dir.exists() and not out_dir.is_dir():
        raise StudentBuildError(f"output {str(out_dir)!r} exists and is not a directory")
    if out_dir.exists() and out_dir.resolve() == source_dir.resolve():
        raise StudentBuildError(
            f"output directory {str(out_dir)!r} is the source directory: that would overwrite the solutions"
        )
    sources = sorted(source_dir.glob("*.ipynb"))
    if not sources:
        raise StudentBuildError(f"no notebooks (*.ipynb) in {str(source_dir)!r}")
    built = {out_dir / path.name: student_notebook(read_notebook(path), path.name) for path in sources}
    existing = [path for path in built if path.exists()]
    if existing and not force:
        names = ", ".join(str(path) for path in existing)
        raise StudentBuildError(f"refusing to overwrite existing files (use --force, or force=True): {names}")
    out_dir.mkdir(parents=True, exist_ok=True)
    for path, nb in built.items():
        nbformat.write(nb, path)
    return list(built)
