"""The course as a website: the Sphinx extension that turns the committed, executed chapters into book pages.

Nothing is executed. When the build starts (``builder-inited``), every ``notebooks/NN_topic.ipynb`` of the
repository is copied into the book's source folder (``book/notebooks/``, ignored by git) with four changes
made to the copy, never to the chapter itself:

* under the chapter's title, a line with a link to download the notebook and a link to open it on Binder;
* each exercise's solution cell (nbgrader ``solution: true``, the cells ``nncourse.student`` replaces) gets
  MyST-NB's ``hide-input`` tag and the prompt "Show the solution", so the page shows it behind a toggle,
  and loses nbgrader's ``### BEGIN/END SOLUTION`` marker lines;
* each grade (checker) cell loses its instructor's hidden tests, as the student build removes them;
* each widget cell (its last line shows a widget from ``nncourse.widgets``) loses any widget-view output,
  which needs a live kernel, and is followed by a note saying how to run the live widget; the static
  figure before it is the page's picture.

It also writes the landing page's chapter table, and when the build ends it ships MathJax inside the site
(``_static/mathjax``, from the ``sphinx-mathjax-offline`` package) and puts the chapter notebooks, exactly
as committed, where the pages' download links point.
"""

import ast
import copy
import json
import re
import shutil
from importlib import metadata
from pathlib import Path

from nncourse.student import BEGIN, END, is_grade_cell, is_solution_cell, strip_hidden_tests

CHAPTER_GLOB = "[0-9][0-9]_*.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_MODULE = "nncourse.widgets"
SOLUTION_PROMPTS = {"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
WIDGET_NOTE = """\
```{{admonition}} A live widget
:class: note widget-note
{name} runs in JupyterLab: {download} or [open it on Binder]({binder}), run the cells down to here and
move its controls. The figure above shows its key idea.
```"""
RUN_LINE = "**Run this chapter yourself:** {download} and open it in JupyterLab, or [open it on Binder]({binder})."
# The MathJax files a page may load: the TeX-to-HTML bundle, and what it loads lazily (TeX extensions by
# autoload, its fonts, the context menu and its accessibility tools).
MATHJAX_DISTRIBUTION = "sphinx-mathjax-offline"
MATHJAX_BUNDLE = "tex-chtml.js"
MATHJAX_LAZY = ("input/tex/extensions", "output/chtml", "ui", "a11y", "adaptors", "sre")
MATHJAX_NOTICE = """\
MathJax 3.2.2 (https://www.mathjax.org), Copyright The MathJax Consortium, Apache License 2.0.
These files come from the sphinx-mathjax-offline package (version 0.0.2), copied by nncourse's book build.
"""


def chapter_notebooks(notebooks_dir):
    """The chapter notebooks, ``NN_topic.ipynb``, in chapter order.

    >>> [path.name for path in chapter_notebooks(Path(__file__).parents[2] / "notebooks")][:2]
    ['01_perceptron.ipynb', '02_activations.ipynb']
    """
    return sorted(Path(notebooks_dir).glob(CHAPTER_GLOB))


def _source(cell):
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def widget_names(nb):
    """Names that hold widgets in ``nb``: what it imports from ``nncourse.widgets``, and variables it sets to one.

    >>> cells = [{"cell_type": "code", "source": "from nncourse.widgets.perceptron import PerceptronPlayground"},
    ...          {"cell_type": "code", "source": "playground = PerceptronPlayground('AND')"}]
    >>> sorted(widget_names({"cells": cells}))
    ['PerceptronPlayground', 'playground']
    """
    trees = [_parse(_source(cell)) for cell in nb["cells"] if cell["cell_type"] == "code"]
    names = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(WIDGET_MODULE):
                names.update(alias.asname or alias.name for alias in node.names)
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and _makes_widget(node.value, names):
                names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


def _parse(source):
    # IPython's magics and shell escapes are not Python; the course's notebooks have none, but a page
    # must not fail to build for one.
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return ast.Module(body=[], type_ignores=[])


def _makes_widget(node, names):
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name):
            return func.id in names
        return WIDGET_MODULE in ast.unparse(func)
    return False


def is_widget_cell(cell, names):
    """Whether ``cell`` shows a widget: a widget-view output, or a last line that is one of the widget ``names``.

    >>> is_widget_cell({"cell_type": "code", "source": "x = 1\\nExplorer(depth=3)", "outputs": []}, {"Explorer"})
    True
    >>> is_widget_cell({"cell_type": "code", "source": "explorer = Explorer()", "outputs": []}, {"Explorer"})
    False
    """
    if cell["cell_type"] != "code":
        return False
    if any(WIDGET_VIEW in output.get("data", {}) for output in cell.get("outputs", [])):
        return True
    body = _parse(_source(cell)).body
    return bool(body) and isinstance(body[-1], ast.Expr) and _makes_widget(body[-1].value, names)


def _widget_label(cell, names):
    body = _parse(_source(cell)).body
    if body and isinstance(body[-1], ast.Expr):
        node = body[-1].value
        node = node.func if isinstance(node, ast.Call) else node
        return f"This widget (`{ast.unparse(node)}`)"
    return "This widget"


def binder_url(repository, branch, notebook_path):
    """The Binder link that opens ``notebook_path`` (relative to the repository root) in JupyterLab.

    >>> binder_url("nncourse/nncourse", "main", "notebooks/01_perceptron.ipynb")
    'https://mybinder.org/v2/gh/nncourse/nncourse/main?urlpath=lab/tree/notebooks/01_perceptron.ipynb'
    """
    return f"https://mybinder.org/v2/gh/{repository}/{branch}?urlpath=lab/tree/{notebook_path}"


def _markdown(source, cell_id, **metadata):
    return {"cell_type": "markdown", "id": cell_id, "metadata": metadata, "source": source}


def without_solution_markers(source):
    """A solution cell's code as a reader wants it: nbgrader's marker lines removed, the solution kept.

    >>> print(without_solution_markers("def f():\\n    ### BEGIN SOLUTION\\n    return 1\\n    ### END SOLUTION"))
    def f():
        return 1
    """
    return "\n".join(line for line in source.split("\n") if line.strip() not in (BEGIN, END))


def book_notebook(nb, *, download, binder):
    """A copy of chapter ``nb`` ready for the book; ``download`` is MyST for a download link, ``binder`` a URL.

    >>> nb = {"metadata": {}, "cells": [
    ...     {"cell_type": "markdown", "metadata": {}, "source": "# Chapter 0\\n\\nWhy."},
    ...     {"cell_type": "code", "metadata": {"nbgrader": {"solution": True}}, "source": "x = 1", "outputs": []}]}
    >>> page = book_notebook(nb, download="<a href=nb.ipynb>download</a>", binder="https://binder.example")
    >>> [cell["source"].split("\\n")[0] for cell in page["cells"]]
    ['# Chapter 0', '**Run this chapter yourself:** <a href=nb.ipynb>download</a> and open it in JupyterLab, \
or [open it on Binder](https://binder.example).', 'Why.', 'x = 1']
    >>> page["cells"][3]["metadata"]["tags"]
    ['hide-input']
    """
    nb = copy.deepcopy(nb)
    nb["metadata"].pop("widgets", None)
    names = widget_names(nb)
    cells = []
    for index, cell in enumerate(nb["cells"]):
        if index == 0 and cell["cell_type"] == "markdown" and _source(cell).startswith("# "):
            title, _, rest = _source(cell).partition("\n")
            cells.append({**cell, "source": title})
            cells.append(_markdown(RUN_LINE.format(download=download, binder=binder), "book-run"))
            if rest.strip():
                cells.append(_markdown(rest.strip("\n"), "book-intro"))
            continue
        cells.append(cell)
        if cell["cell_type"] != "code":
            continue
        if is_solution_cell(cell):
            tags = cell["metadata"].setdefault("tags", [])
            if "hide-input" not in tags:
                tags.append("hide-input")
            cell["metadata"]["mystnb"] = dict(SOLUTION_PROMPTS)
            cell["source"] = without_solution_markers(_source(cell))
        if is_grade_cell(cell):
            cell["source"], _ = strip_hidden_tests(_source(cell), where=f"cell {index}")
        if is_widget_cell(cell, names):
            cell["outputs"] = [out for out in cell.get("outputs", []) if WIDGET_VIEW not in out.get("data", {})]
            note = WIDGET_NOTE.format(name=_widget_label(cell, names), download=download, binder=binder)
            cells.append(_markdown(note, f"book-widget-note-{index}", tags=["widget-note"]))
    nb["cells"] = cells
    return nb


def chapter_info(nb):
    """What the landing page's table says of a chapter: title, estimated time, exercises, points, widgets.

    >>> nb = {"cells": [{"cell_type": "markdown", "source": "# Chapter 9 — Fun\\n\\n**Estimated time.** 1 hour."},
    ...                 {"cell_type": "code", "source": "", "outputs": [],
    ...                  "metadata": {"nbgrader": {"grade": True, "points": 2}}}]}
    >>> chapter_info(nb)
    {'number': '9', 'title': 'Fun', 'time': '1 hour', 'exercises': 1, 'points': 2, 'widgets': 0}
    """
    head = _source(nb["cells"][0])
    match = re.match(r"# Chapter (\d+)\s*[—–-]\s*(.+)", head)
    number, title = (match.group(1), match.group(2).strip()) if match else ("", head.split("\n")[0].lstrip("# "))
    time = re.search(r"\*\*Estimated time\.\*\*\s*(.+?)(?:,|\.\s|\.$)", head)
    grades = [cell for cell in nb["cells"] if is_grade_cell(cell)]
    names = widget_names(nb)
    return {
        "number": number,
        "title": title,
        "time": time.group(1).strip() if time else "",
        "exercises": len(grades),
        "points": sum(int(cell["metadata"]["nbgrader"].get("points", 0)) for cell in grades),
        "widgets": sum(is_widget_cell(cell, names) for cell in nb["cells"]),
    }


def chapter_table(rows):
    """The landing page's chapter table (MyST) from ``(docname, chapter_info)`` pairs.

    >>> info = {"number": "1", "title": "One", "time": "1 h", "exercises": 2, "points": 5, "widgets": 1}
    >>> print(chapter_table([("notebooks/01_one", info)]))
    | # | Chapter | Time | Exercises (points) | Live widgets |
    |---|---|---|---|---|
    | 1 | {doc}`One <notebooks/01_one>` | 1 h | 2 (5) | 1 |
    """
    lines = ["| # | Chapter | Time | Exercises (points) | Live widgets |", "|---|---|---|---|---|"]
    for docname, info in rows:
        lines.append(f"| {info['number']} | {{doc}}`{info['title']} <{docname}>` | {info['time']} | "
                     f"{info['exercises']} ({info['points']}) | {info['widgets'] or '—'} |")
    return "\n".join(lines)


def _write_if_changed(path, text):
    # An unchanged page keeps its file time, so that Sphinx's incremental build skips it.
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def stage_chapters(app):
    """``builder-inited``: write the book copies of the chapters and the chapter table into the source folder."""
    config = app.config
    srcdir = Path(app.srcdir)
    notebooks = Path(config.nncourse_notebooks)
    staged = srcdir / "notebooks"
    chapters = chapter_notebooks(notebooks)
    if not chapters:
        raise FileNotFoundError(f"no chapter notebooks ({CHAPTER_GLOB}) in {notebooks}")
    rows = []
    for path in chapters:
        nb = json.loads(path.read_text(encoding="utf-8"))
        download = f'<a href="../_sources/notebooks/{path.name}" download>download the notebook</a>'
        binder = binder_url(config.nncourse_repository, config.nncourse_branch, f"notebooks/{path.name}")
        page = book_notebook(nb, download=download, binder=binder)
        _write_if_changed(staged / path.name, json.dumps(page, indent=1, ensure_ascii=False) + "\n")
        rows.append((f"notebooks/{path.stem}", chapter_info(nb)))
    for old in staged.glob("*.ipynb"):
        if old.name not in {path.name for path in chapters}:
            old.unlink()
    _write_if_changed(srcdir / "_generated" / "chapter_table.md", chapter_table(rows) + "\n")


def mathjax_source():
    """The folder of the MathJax 3 distribution that ``sphinx-mathjax-offline`` installs.

    >>> (mathjax_source() / "tex-chtml.js").is_file()
    True
    """
    for file in metadata.files(MATHJAX_DISTRIBUTION) or ():
        if file.name == MATHJAX_BUNDLE:
            return Path(file.locate()).parent
    raise FileNotFoundError(f"{MATHJAX_BUNDLE} not found in the {MATHJAX_DISTRIBUTION} package: "
                            f"install the book's tools with `pip install -e '.[dev]'`")


def ship_assets(app, exception):
    """``build-finished``: MathJax into ``_static/mathjax``, the committed notebooks where the downloads point."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    source = mathjax_source()
    target = outdir / "_static" / "mathjax"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / MATHJAX_BUNDLE, target / MATHJAX_BUNDLE)
    for folder in MATHJAX_LAZY:
        shutil.copytree(source / folder, target / folder, dirs_exist_ok=True)
    (target / "NOTICE.txt").write_text(MATHJAX_NOTICE, encoding="utf-8")
    # The header's download button offers _sources/<page>.ipynb: give it the chapter as committed.
    for path in chapter_notebooks(app.config.nncourse_notebooks):
        shipped = outdir / "_sources" / "notebooks" / path.name
        if shipped.parent.is_dir():
            shutil.copy2(path, shipped)


def setup(app):
    app.add_config_value("nncourse_notebooks", "", "env")
    app.add_config_value("nncourse_repository", "nncourse/nncourse", "env")
    app.add_config_value("nncourse_branch", "main", "env")
    app.connect("builder-inited", stage_chapters)
    app.connect("build-finished", ship_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
