"""The instructor's builds of the course: a chapter's nbgrader source, and its student version.

A solution sits in a cell whose metadata says ``nbgrader.solution == true``, between two marker lines::

    def predict(w, b, x):
        ### BEGIN SOLUTION
        return step(w @ x + b)
        ### END SOLUTION

and a grade cell (``nbgrader.grade == true``) may hold an instructor's hidden tests between
``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``.

* :func:`course_notebook` is a chapter as nbgrader's source: the authoring metadata (jupytext's pairing and
  cell keys, stored widget state) removed and the solution cells shown (``jupyter.source_hidden`` dropped,
  or nbgrader would release them collapsed). :func:`write_nbgrader_course` writes it into a ready course.
* :func:`student_notebook` is what ``nbgrader generate_assignment`` releases from that source, key for key:
  each solution region replaced by nbgrader's stub, indented like its ``### BEGIN SOLUTION`` line::

      def predict(w, b, x):
          # YOUR CODE HERE
          raise NotImplementedError()

  hidden tests removed, outputs and execution counts cleared, cells locked as nbgrader locks them
  (``deletable``/``editable``), and nbgrader's checksums computed. Nothing is executed.

The rules are nbgrader's (``ClearSolutions``, ``ClearHiddenTests``, ``LockCells``, ``ComputeChecksums``),
made strict so that a mistake is found at build time rather than by a learner: a marker line holds its
marker alone; regions are neither nested nor left open; a solution region outside a solution cell, hidden
tests outside a grade cell, and a solution code cell without a region (nbgrader would replace the whole
cell, ``def`` line included, and the student notebook would no longer run), are errors.
"""

import hashlib
import json
import re
from pathlib import Path

import nbformat

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
TEXT_STUB = ("YOUR ANSWER HERE",)

# nbgrader treats any line that contains these words as a marker; so do we, to agree with it.
_SOLUTION_WORDS = re.compile(r"(BEGIN|END) SOLUTION")
_HIDDEN_WORDS = re.compile(r"(BEGIN|END) HIDDEN TESTS")
# Metadata that belongs to the authoring set-up, not to a course: the notebook's and jupytext's per cell.
_AUTHORING_METADATA = ("jupytext", "widgets")
_JUPYTEXT_CELL_METADATA = ("lines_to_next_cell", "lines_to_end_of_cell_marker", "cell_marker", "region_name")
CONFIG_NAME = "nbgrader_config.py"
NBGRADER_CONFIG = '''\
"""nbgrader configuration of the nncourse chapters (written by `nncourse nbgrader`); run nbgrader here:

    nbgrader generate_assignment 01_perceptron        # release/01_perceptron/: what students get
    # put each student's notebook in submitted/<student>/01_perceptron/
    nbgrader autograde 01_perceptron
    nbgrader generate_feedback 01_perceptron
    nbgrader export                                   # grades.csv

nbgrader runs the `alembic` program by name: the Python environment's bin folder must be on PATH.
"""

from nncourse.exercises.autograde import autograde_preprocessors

c = get_config()  # noqa: F821 (nbgrader's config loader provides get_config)
c.CourseDirectory.course_id = "nncourse"
# nbgrader's autograde steps, with a notebook runner that never waits out a cell's whole timeout after a
# widget cell (nbclient issue #312; see nncourse/exercises/autograde.py).
c.Autograde.autograde_preprocessors = autograde_preprocessors()
'''


class StudentBuildError(ValueError):
    """A notebook that cannot be turned into a student version; the message says where and why.

    >>> student_notebook({"cells": 3}, "broken.ipynb")
    Traceback (most recent call last):
    ...
    nncourse.student.StudentBuildError: broken.ipynb: not a notebook (no list of cells)
    """


def is_solution_cell(cell):
    """Whether nbgrader treats ``cell`` as a solution cell (``metadata.nbgrader.solution`` is true).

    >>> is_solution_cell({"metadata": {"nbgrader": {"solution": True}}})
    True
    """
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution", False))


def is_grade_cell(cell):
    """Whether nbgrader treats ``cell`` as a grade cell (``metadata.nbgrader.grade`` is true).

    >>> is_grade_cell({"metadata": {"nbgrader": {"grade": True, "points": 2}}})
    True
    """
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("grade", False))


def is_locked_cell(cell):
    """Whether nbgrader treats ``cell`` as read-only: a grade cell, or ``locked`` and not a solution cell.

    >>> is_locked_cell({"metadata": {"nbgrader": {"grade": True, "solution": False}}})
    True
    """
    nbgrader = cell.get("metadata", {}).get("nbgrader")
    if nbgrader is None or is_solution_cell(cell):
        return False
    return is_grade_cell(cell) or bool(nbgrader.get("locked", False))


def strip_solutions(source, *, stub=CODE_STUB, where="cell"):
    """Return ``(new_source, n_regions)``: ``source`` with every solution region replaced by ``stub``.

    ``where`` names the cell in error messages, e.g. ``"01_perceptron.ipynb, cell 12"``.

    >>> strip_solutions("def f():\\n    ### BEGIN SOLUTION\\n    return 1\\n    ### END SOLUTION")
    ('def f():\\n    # YOUR CODE HERE\\n    raise NotImplementedError()', 1)
    """
    return _replace_regions(source, (BEGIN, END), _SOLUTION_WORDS, stub, where)


def strip_hidden_tests(source, *, where="cell"):
    """Return ``(new_source, n_regions)``: ``source`` without its hidden-test regions, markers included.

    >>> strip_hidden_tests("a = []\\n### BEGIN HIDDEN TESTS\\na = [1]\\n### END HIDDEN TESTS\\nf(a)")
    ('a = []\\nf(a)', 1)
    """
    return _replace_regions(source, (BEGIN_HIDDEN, END_HIDDEN), _HIDDEN_WORDS, (), where)


def _replace_regions(source, markers, marker_words, stub, where):
    begin, end = markers
    lines = source.split("\n")
    out = []
    begin_line = None  # line number of the open region's BEGIN marker, or None outside a region
    regions = 0
    for number, line in enumerate(lines, start=1):
        if marker_words.search(line) is None:
            if begin_line is None:
                out.append(line)
            continue
        text = line.strip()
        if text not in markers:
            raise StudentBuildError(
                f"{where}, line {number}: a marker must stand alone on its line as {begin!r} or {end!r}, "
                f"got {text!r}"
            )
        if text == begin:
            if begin_line is not None:
                raise StudentBuildError(
                    f"{where}, line {number}: nested {begin!r}: the region opened on line {begin_line} "
                    f"has no {end!r} before it"
                )
            begin_line = number
            regions += 1
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + stub_line for stub_line in stub)
        else:
            if begin_line is None:
                raise StudentBuildError(f"{where}, line {number}: {end!r} without a {begin!r} before it")
            begin_line = None
    if begin_line is not None:
        raise StudentBuildError(f"{where}, line {begin_line}: {begin!r} is never closed by {end!r}")
    return "\n".join(out), regions


def nbgrader_checksum(cell):
    """nbgrader's checksum of a grade, solution or locked cell (``nbgrader.utils.compute_checksum``).

    An MD5 of the source, the cell type, whether it is a grade, solution and locked cell, its grade id and,
    for a grade cell, its points; nbgrader compares it to tell whether a learner changed a locked cell.

    >>> cell = {"cell_type": "code", "source": "x = 1", "metadata": {"nbgrader": {"grade_id": "a"}}}
    >>> len(nbgrader_checksum(cell))
    32
    """
    nbgrader = cell["metadata"]["nbgrader"]
    digest = hashlib.md5()
    parts = [cell["source"], cell["cell_type"], str(nbgrader.get("grade", False)),
             str(nbgrader.get("solution", False)), str(is_locked_cell(cell)), nbgrader["grade_id"]]
    if is_grade_cell(cell):
        parts.append(str(float(nbgrader["points"])))
    for part in parts:
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()


def _copy(nb, name):
    copied = nbformat.from_dict(json.loads(json.dumps(nb)))  # a deep copy that is again a NotebookNode
    if not isinstance(copied.get("cells"), list):
        raise StudentBuildError(f"{name}: not a notebook (no list of cells)")
    return copied


def course_notebook(nb, name="notebook"):
    """A chapter as an nbgrader source notebook: authoring metadata removed, solution cells shown.

    ``nb`` (an nbformat NotebookNode) is not changed; outputs are kept.

    >>> nb = nbformat.v4.new_notebook(metadata={"jupytext": {"formats": "ipynb,py:percent"}})
    >>> "jupytext" in course_notebook(nb).metadata
    False
    """
    nb = _copy(nb, name)
    for key in _AUTHORING_METADATA:
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        for key in _JUPYTEXT_CELL_METADATA:
            cell.metadata.pop(key, None)
        jupyter = cell.metadata.get("jupyter")
        if isinstance(jupyter, dict):
            jupyter.pop("source_hidden", None)
            if not jupyter:
                del cell.metadata["jupyter"]
    return nb


def student_notebook(nb, name="notebook"):
    """Return the student version of the notebook ``nb``: nbgrader's release of :func:`course_notebook`.

    ``name`` (usually the file name) starts every error message; ``nb`` is not changed.

    >>> cell = nbformat.v4.new_code_cell("def f():\\n    ### BEGIN SOLUTION\\n    return 1\\n    ### END SOLUTION",
    ...                                  metadata={"nbgrader": {"solution": True, "grade_id": "f"}})
    >>> print(student_notebook(nbformat.v4.new_notebook(cells=[cell])).cells[0].source)
    def f():
        # YOUR CODE HERE
        raise NotImplementedError()
    """
    nb = course_notebook(nb, name)
    nb.metadata.pop("celltoolbar", None)
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index}"
        solution, grade = is_solution_cell(cell), is_grade_cell(cell)
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
        source, hidden = strip_hidden_tests(source, where=where)
        if hidden and not grade:
            raise StudentBuildError(
                f"{where}: hidden tests ({BEGIN_HIDDEN!r}) in a cell that is not a grade cell; "
                'give the cell nbgrader metadata with "grade": true and its points'
            )
        cell.source = source
        _lock(cell)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            for key in ("collapsed", "scrolled"):  # output display settings, cleared with the outputs
                cell.metadata.pop(key, None)
        if grade or solution or is_locked_cell(cell):
            cell.metadata.nbgrader["checksum"] = nbgrader_checksum(cell)
            cell.metadata.nbgrader["cell_type"] = cell.cell_type
    return nb


def _lock(cell):
    """Lock the cell in the learner's JupyterLab as nbgrader's ``LockCells`` does by default."""
    if is_solution_cell(cell):
        cell.metadata["deletable"] = False
    elif is_locked_cell(cell):
        cell.metadata["deletable"] = False
        cell.metadata["editable"] = False


def read_notebook(path):
    """Read and validate the notebook at ``path``; a malformed file gives a StudentBuildError naming it.

    >>> read_notebook("no/such/notebook.ipynb")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nncourse.student.StudentBuildError: notebook.ipynb: not a valid notebook (FileNotFoundError: ...)
    """
    path = Path(path)
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises JSON, validation, key and file errors for broken files
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StudentBuildError(f"{path.name}: not a valid notebook ({type(exc).__name__}: {reason})") from None
    return nb


def _sources(source):
    """The notebooks a build reads: ``source`` itself (one ``.ipynb``), or every ``*.ipynb`` in a folder."""
    source = Path(source)
    if source.is_dir():
        notebooks = sorted(source.glob("*.ipynb"))
        if not notebooks:
            raise StudentBuildError(f"no notebooks (*.ipynb) in {str(source)!r}")
        return notebooks
    if source.suffix == ".py":
        raise StudentBuildError(
            f"{str(source)!r} is a notebook's paired .py source, which holds every solution: "
            f"pass its .ipynb, {source.with_suffix('.ipynb').name!r}"
        )
    if not source.exists():
        raise StudentBuildError(f"source {str(source)!r} does not exist")
    if source.suffix != ".ipynb":
        raise StudentBuildError(f"source {str(source)!r} must be a notebook (*.ipynb) or a folder of notebooks")
    return [source]


def _write_all(built, *, force):
    """Write ``{path: text or notebook}``, refusing (before writing anything) to overwrite unless ``force``."""
    existing = [path for path in built if path.exists()]
    if existing and not force:
        names = ", ".join(str(path) for path in existing)
        raise StudentBuildError(f"refusing to overwrite existing files (use --force, or force=True): {names}")
    for path, content in built.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content)
        else:
            nbformat.write(content, path)
    return list(built)


def build(source, out_dir, *, force=False):
    """Write the student version of ``source`` (a notebook, or every ``*.ipynb`` in a folder) to ``out_dir``.

    Returns the paths written: one ``.ipynb`` per source notebook and nothing else (never a paired ``.py``,
    and no jupytext metadata, so that no editor pairs the learner's copy with a script). Every notebook is
    checked before anything is written, so an error leaves ``out_dir`` untouched. Existing files are not
    overwritten unless ``force=True``; the error lists them.

    >>> build("no-such-folder", "out")
    Traceback (most recent call last):
    ...
    nncourse.student.StudentBuildError: source 'no-such-folder' does not exist
    """
    out_dir = Path(out_dir)
    sources = _sources(source)
    if out_dir.exists() and not out_dir.is_dir():
        raise StudentBuildError(f"output {str(out_dir)!r} exists and is not a directory")
    if out_dir.exists() and any(out_dir.resolve() == path.parent.resolve() for path in sources):
        raise StudentBuildError(
            f"output directory {str(out_dir)!r} is the source directory: that would overwrite the solutions"
        )
    built = {out_dir / path.name: student_notebook(read_notebook(path), path.name) for path in sources}
    return _write_all(built, force=force)


def write_nbgrader_course(course_dir, notebooks, *, force=False):
    """Write an nbgrader course to ``course_dir``: ``nbgrader_config.py`` and ``source/<name>/<name>.ipynb``.

    Each chapter notebook becomes one assignment named after it (e.g. ``01_perceptron``), holding only
    :func:`course_notebook` of the chapter, so that ``nbgrader generate_assignment <name>`` works at once in
    ``course_dir``. Every notebook is checked (its student version must build) before anything is written.
    Returns the paths written.

    >>> write_nbgrader_course("course", [])
    Traceback (most recent call last):
    ...
    nncourse.student.StudentBuildError: no chapters to put in the course
    """
    course_dir = Path(course_dir)
    if not notebooks:
        raise StudentBuildError("no chapters to put in the course")
    if course_dir.exists() and not course_dir.is_dir():
        raise StudentBuildError(f"course folder {str(course_dir)!r} exists and is not a directory")
    built = {course_dir / CONFIG_NAME: NBGRADER_CONFIG}
    for path in map(Path, notebooks):
        nb = read_notebook(path)
        student_notebook(nb, path.name)  # the same checks as the student build
        built[course_dir / "source" / path.stem / path.name] = course_notebook(nb, path.name)
    return _write_all(built, force=force)
