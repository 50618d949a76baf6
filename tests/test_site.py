"""The course as a website: the book builds from the committed notebooks, and every page works in a real browser.

The build is the README's (``python -m sphinx -M html book book/_build``), run on a temporary copy of ``book/``
so that the repository's files are never touched, with warnings as errors. The pages are then served from
127.0.0.1 and opened one by one in Debian's Chromium through Playwright, launched as ``tests/test_browser.py``
launches it (no browser is ever downloaded): each renders its title, typesets all of its math (no raw TeX
left), loads every image, logs no console error and requests nothing from any host but the local one. The
exercises show their solutions behind a toggle, widgets are replaced by a note, and the search finds a
term of Chapter 5 on its page. Without ``/usr/bin/chromium`` the browser tests are skipped (failed under
``CI=true``), as the widget browser test is.
"""

import doctest
import functools
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

import pytest
from conftest import NOTEBOOKS, ROOT
from test_browser import launch_chromium, require_chromium

BOOK = ROOT / "book"
sys.path.insert(0, str(BOOK / "_ext"))
import nncourse_book  # noqa: E402  (book/_ext is not a package: the Sphinx extension that makes the pages)

CHAPTERS = nncourse_book.chapter_notebooks(NOTEBOOKS)
BUILD_LIMIT = 120  # seconds; about 10 s of CPU, under a minute on a loaded 2-core machine
SEARCH_TERM = "softplus"  # Chapter 5's last exercise: a new operation for the autograd engine
VIEWPORT = {"width": 1280, "height": 900}

# Run in a page once it has loaded: what the tests check, gathered in one pass.
PAGE_JS = """async () => {
    if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
    const images = [...document.images];
    await Promise.all(images.map((img) => img.decode().catch(() => null)));
    // Text a reader sees as prose: code, typeset math and scripts left out.
    const prose = [];
    const walker = document.createTreeWalker(document.querySelector('main') || document.body,
                                             NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        if (node.parentElement.closest('pre, code, script, style, mjx-container, mjx-assistive-mml')) continue;
        prose.push(node.textContent);
    }
    const solutions = [...document.querySelectorAll('details.hide.above-input')];
    return {
        title: document.querySelector('main h1')?.textContent.replace('#', '').trim() ?? null,
        documentTitle: document.title,
        math: document.querySelectorAll('.math').length,
        typeset: document.querySelectorAll('.math mjx-container').length,
        mathErrors: document.querySelectorAll('mjx-merror').length,
        prose: prose.join(' '),
        images: images.map((img) => ({src: img.currentSrc, ok: img.complete && img.naturalWidth > 0})),
        figures: document.querySelectorAll('main .cell_output img').length,
        widgetNotes: document.querySelectorAll('.widget-note').length,
        solutions: solutions.map((d) => ({open: d.open, summary: d.querySelector('summary').innerText.trim()})),
        next: document.querySelector('a.right-next')?.getAttribute('href') ?? null,
        previous: document.querySelector('a.left-prev')?.getAttribute('href') ?? null,
        binder: [...document.querySelectorAll('a[href*="mybinder.org"]')].map((a) => a.href),
        download: document.querySelector('main a[download]')?.getAttribute('href') ?? null,
        leftovers: ['Loading widget', 'widget-view+json', 'HIDDEN TESTS', 'BEGIN SOLUTION']
            .filter((text) => document.documentElement.outerHTML.includes(text)),
    };
}"""


def notebook(path):
    return json.loads(path.read_text(encoding="utf-8"))


def markdown_text(nb):
    return "\n".join(nncourse_book._source(cell) for cell in nb["cells"] if cell["cell_type"] == "markdown")


def png_outputs(nb):
    return sum("image/png" in output.get("data", {})
               for cell in nb["cells"] if cell["cell_type"] == "code" for output in cell["outputs"])


# ---------------------------------------------------------------------------------------------------------------
# How a chapter becomes a page (no build needed)


def test_the_extension_examples_run():
    result = doctest.testmod(nncourse_book)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.stem)
def test_a_chapter_page_hides_its_solutions_and_hidden_tests(path):
    nb = notebook(path)
    original = json.dumps(nb, sort_keys=True)
    page = nncourse_book.book_notebook(nb, download="<a download>x</a>", binder="https://binder.example")
    assert json.dumps(nb, sort_keys=True) == original, "the chapter itself must not change"

    solutions = [cell for cell in page["cells"] if nncourse_book.is_solution_cell(cell)]
    assert len(solutions) >= 3, "every chapter has at least three exercises"
    for cell in solutions:
        assert "hide-input" in cell["metadata"]["tags"]
        assert cell["metadata"]["mystnb"]["code_prompt_show"] == "Show the solution"
        assert "SOLUTION" not in cell["source"] and cell["source"].strip()
    text = json.dumps(page)
    assert "HIDDEN TESTS" not in text
    # Everything else is the chapter's own: same code cells, same outputs, in the same order.
    code = [(c["source"], c["outputs"]) for c in nb["cells"] if c["cell_type"] == "code"]
    page_code = [(c["source"], c["outputs"]) for c in page["cells"] if c["cell_type"] == "code"]
    assert len(page_code) == len(code)
    assert [outputs for _, outputs in page_code] == [outputs for _, outputs in code]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.stem)
def test_every_widget_is_found_and_gets_a_note(path):
    nb = notebook(path)
    uses_widgets = "nncourse.widgets" in path.with_suffix(".py").read_text(encoding="utf-8")
    names = nncourse_book.widget_names(nb)
    widget_cells = [cell for cell in nb["cells"] if nncourse_book.is_widget_cell(cell, names)]
    assert bool(widget_cells) == uses_widgets
    for cell in widget_cells:
        # The committed notebook stores no widget view, and nothing else is shown where the widget would be.
        assert cell["outputs"] == []
    page = nncourse_book.book_notebook(nb, download="<a download>x</a>", binder="https://binder.example")
    notes = [cell for cell in page["cells"] if "widget-note" in cell["metadata"].get("tags", [])]
    assert len(notes) == len(widget_cells)


def test_a_widget_view_output_is_dropped():
    nb = {"metadata": {"widgets": {"state": {}}}, "cells": [
        {"cell_type": "code", "metadata": {}, "source": "from nncourse.widgets.perceptron import PerceptronPlayground",
         "outputs": []},
        {"cell_type": "code", "metadata": {}, "source": "PerceptronPlayground('AND')", "outputs": [
            {"output_type": "display_data", "metadata": {},
             "data": {"application/vnd.jupyter.widget-view+json": {"model_id": "a"}, "text/plain": "VBox(...)"}}]}]}
    page = nncourse_book.book_notebook(nb, download="d", binder="b")
    assert "widgets" not in page["metadata"]
    assert page["cells"][1]["outputs"] == []
    assert "widget-note" in page["cells"][2]["metadata"]["tags"]


def test_the_binder_links_match_the_readme_badge():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    badge = re.search(r"\(https://mybinder\.org/v2/gh/([^/]+/[^/]+)/([^?]+)\?urlpath=lab/tree/([^)]+)\)", readme)
    assert badge, "the README has a Binder badge"
    repository, branch, path = badge.groups()
    assert nncourse_book.binder_url(repository, branch, path) == badge.group(0)[1:-1]


# ---------------------------------------------------------------------------------------------------------------
# The built site, in a browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Build the book once, from a copy of book/, and serve it on 127.0.0.1; yields (base URL, output folder)."""
    work = tmp_path_factory.mktemp("site")
    source = work / "book"
    shutil.copytree(BOOK, source, ignore=shutil.ignore_patterns("_build", "notebooks", "_generated", "__pycache__"))
    html = work / "html"
    command = [sys.executable, "-m", "sphinx", "-q", "-W", "--keep-going", "-d", str(work / "doctrees"),
               "-D", f"nncourse_notebooks={NOTEBOOKS}", str(source), str(html)]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_LIMIT * 2)
    seconds = time.perf_counter() - start
    assert result.returncode == 0, f"the build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    size = sum(file.stat().st_size for file in html.rglob("*") if file.is_file())
    print(f"\nsite built in {seconds:.1f} s: {size / 2**20:.1f} MiB in {html}")
    assert seconds < BUILD_LIMIT, f"the build took {seconds:.0f} s: are the notebooks being executed?"

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(html)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", html
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_the_build_writes_a_page_per_chapter(site):
    _, html = site
    assert (html / "index.html").is_file() and (html / "search.html").is_file()
    for path in CHAPTERS:
        assert (html / "notebooks" / path.with_suffix(".html").name).is_file()
        # What the download links give: the chapter exactly as committed.
        assert (html / "_sources" / "notebooks" / path.name).read_bytes() == path.read_bytes()
    assert (html / "_static" / "mathjax" / "tex-chtml.js").is_file()


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        # One context for every page, as one reader's browser: the theme and MathJax are fetched once, then cached.
        context = chromium.new_context(viewport=VIEWPORT)
        yield context
        context.close()
        chromium.close()


def open_page(browser, base, path):
    """Open ``path``; returns what PAGE_JS gathers, plus the console errors and the requests to other hosts."""
    page = browser.new_page()
    errors, foreign = [], []
    local = urlsplit(base).netloc
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    def request(req):
        url = urlsplit(req.url)
        if url.scheme not in ("data", "blob") and url.netloc != local:
            foreign.append(req.url)

    page.on("request", request)
    page.goto(f"{base}/{path}", wait_until="load")
    page.wait_for_load_state("networkidle")
    facts = page.evaluate(PAGE_JS)
    facts.update(errors=errors, foreign=foreign, page=page)
    return facts


def check_page_basics(facts, title):
    assert facts["title"] == title
    assert title in facts["documentTitle"]
    assert facts["errors"] == [], f"console errors: {facts['errors']}"
    assert facts["foreign"] == [], f"requests that left the site: {facts['foreign']}"
    broken = [image["src"] for image in facts["images"] if not image["ok"]]
    assert broken == [], f"images that did not load: {broken}"
    assert facts["typeset"] == facts["math"], "every math element is typeset by MathJax"
    assert facts["mathErrors"] == 0, "MathJax reported a TeX error"
    for raw in ("$$", "\\(", "\\[", "\\begin{"):
        assert raw not in facts["prose"], f"raw TeX {raw!r} left in the page's text"
    assert not re.search(r"\$[^$\s][^$]*\$", facts["prose"]), "a $...$ formula was not turned into math"


@pytest.mark.slow
def test_the_landing_page(site, browser):
    base, _ = site
    facts = open_page(browser, base, "index.html")
    try:
        check_page_basics(facts, "nncourse: neural-network fundamentals, built from scratch and checked against "
                                 "PyTorch")
        page = facts["page"]
        rows = page.locator("main table tbody tr")
        assert rows.count() == len(CHAPTERS)
        for row, path in zip(rows.all(), CHAPTERS, strict=True):
            assert row.locator("a").get_attribute("href") == f"notebooks/{path.stem}.html"
        assert facts["binder"], "the landing page says how to open the course on Binder"
        assert 'pip install -e ".[dev]"' in page.locator("main").inner_text()
        assert facts["next"] == f"notebooks/{CHAPTERS[0].stem}.html"
    finally:
        facts["page"].close()


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(CHAPTERS)), ids=[path.stem for path in CHAPTERS])
def test_a_chapter_page(site, browser, index):
    base, _ = site
    path = CHAPTERS[index]
    nb = notebook(path)
    facts = open_page(browser, base, f"notebooks/{path.stem}.html")
    try:
        check_page_basics(facts, nncourse_book._source(nb["cells"][0]).split("\n")[0].lstrip("# ").strip())
        assert facts["math"] > 0 or "$" not in markdown_text(nb)
        assert facts["figures"] == png_outputs(nb), "every figure of the notebook is on the page"
        info = nncourse_book.chapter_info(nb)
        assert facts["widgetNotes"] == info["widgets"]
        assert facts["leftovers"] == [], "widget views, hidden tests or solution markers left on the page"
        # Previous and next chapters in order; the first chapter's previous page is the landing page.
        assert facts["previous"] == (f"{CHAPTERS[index - 1].stem}.html" if index else "../index.html")
        assert facts["next"] == (f"{CHAPTERS[index + 1].stem}.html" if index + 1 < len(CHAPTERS) else None)
        binder = nncourse_book.binder_url("nncourse/nncourse", "main", f"notebooks/{path.name}")
        assert facts["binder"].count(binder) >= 2, "a Binder link under the title and the header's launch button"
        assert facts["download"] == f"../_sources/notebooks/{path.name}"

        # Exercises: a closed toggle per solution, whose code shows only when the reader opens it.
        solutions = facts["solutions"]
        assert len(solutions) == sum(bool(c["metadata"].get("nbgrader", {}).get("solution")) for c in nb["cells"])
        assert all(not s["open"] and s["summary"] == "Show the solution" for s in solutions)
        toggle = facts["page"].locator("details.hide.above-input").first
        code = toggle.locator("pre")
        assert not code.is_visible()
        toggle.locator("summary").click()
        code.wait_for(state="visible", timeout=5000)
        assert toggle.locator("summary").inner_text().strip() == "Hide the solution"
    finally:
        facts["page"].close()


@pytest.mark.slow
def test_the_search_finds_a_chapter_5_term_on_its_page(site, browser):
    base, _ = site
    chapter5 = next(path for path in CHAPTERS if path.name.startswith("05_"))
    assert SEARCH_TERM in markdown_text(notebook(chapter5)).lower()
    facts = open_page(browser, base, f"search.html?q={SEARCH_TERM}")
    page = facts["page"]
    try:
        results = page.locator("#search-results ul.search li a")
        results.first.wait_for(timeout=20000)
        found = [link.get_attribute("href").split("#")[0].split("?")[0] for link in results.all()]
        assert any(url.endswith(f"notebooks/{chapter5.stem}.html") for url in found), found
        assert facts["errors"] == [] and facts["foreign"] == []
    finally:
        page.close()
