"""Sphinx configuration of the course as a website (README: "Read it as a website").

    python -m sphinx -M html book book/_build

builds the site from the committed, executed notebooks in ``notebooks/`` without running any of them
(``nb_execution_mode = "off"``): ``_ext/nncourse_book.py`` copies each chapter into ``book/notebooks/``
with its exercise solutions behind a toggle and a note under each widget, and ships MathJax inside the
site. Every page works offline: no script, font or style is loaded from another host.
"""

import sys
from pathlib import Path

BOOK = Path(__file__).resolve().parent
sys.path.insert(0, str(BOOK / "_ext"))
sys.path.insert(0, str(BOOK.parent))  # nncourse itself, for its nbgrader cell rules

project = "nncourse"
author = "The nncourse team"
copyright = "the nncourse team, MIT licence"
html_title = "nncourse: neural-network fundamentals"

extensions = ["myst_nb", "nncourse_book"]
nncourse_notebooks = str(BOOK.parent / "notebooks")
nncourse_repository = "nncourse/nncourse"
nncourse_branch = "main"

exclude_patterns = ["_build", "_generated", "_ext", "**.ipynb_checkpoints"]
# The notebooks are committed executed: show their stored outputs, never run them.
nb_execution_mode = "off"
# MyST-NB would load require.js and the widget manager from a CDN for widget state; the book has none.
nb_ipywidgets_js = {}
# $...$ and $$...$$ as in JupyterLab, and \begin{align} environments outside dollars.
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# MathJax 3 from inside the site (_ext/nncourse_book.py copies it into _static/mathjax), not from a CDN.
mathjax_path = "mathjax/tex-chtml.js"

html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_favicon = "_static/favicon.svg"  # without one, browsers ask for /favicon.ico and log its 404
# The download button offers _sources/notebooks/NN_topic.ipynb: the notebook itself, not a .txt copy.
html_sourcelink_suffix = ""
html_last_updated_fmt = None
# Light, as the figures are drawn for a white page (without a default the theme logs a console error).
html_context = {"default_mode": "light"}
html_theme_options = {
    "repository_url": f"https://github.com/{nncourse_repository}",
    "repository_branch": nncourse_branch,
    "path_to_docs": "",  # book/notebooks/NN_topic.ipynb opens as the repository's notebooks/NN_topic.ipynb
    "use_repository_button": True,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "launch_buttons": {"binderhub_url": "https://mybinder.org", "notebook_interface": "jupyterlab"},
    "show_toc_level": 2,
    "home_page_in_toc": False,
}
