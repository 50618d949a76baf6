"""Chapter 1 in a real browser: JupyterLab runs every cell, the playground renders and answers its slider.

JupyterLab is started on 127.0.0.1 (a free port, no token, no password) over a temporary copy of
``notebooks/``, so the repository's files are never touched; Debian's Chromium, driven by Playwright for
Python, opens the chapter, runs all cells through JupyterLab's own ``notebook:run-all-cells`` command and
waits for the kernel to finish. No browser is ever downloaded: Playwright is pointed at ``/usr/bin/chromium``.

Without ``/usr/bin/chromium`` the test is skipped locally (``apt-get install chromium``), but fails under
``CI=true``: there, a missing browser is a broken set-up, not a reason to skip.
"""

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import NOTEBOOKS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHAPTER = "01_perceptron.ipynb"
SERVER_START_TIMEOUT = 90  # seconds
RUN_ALL_TIMEOUT = 180
WIDGET_TIMEOUT = 30

pytestmark = pytest.mark.slow

# User settings for the temporary JupyterLab: never fetch news or check for updates (no network), and attach
# every cell to the page so that all outputs can be inspected.
USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
LAB_CONFIG = """\
c = get_config()
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.handlers.announcements.NeverCheckForUpdate"
c.LabApp.expose_app_in_browser = True
"""

# Run in the page: the notebook's code cells as JupyterLab's model holds them (execution count and outputs).
CELLS_JS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const cells = [];
    for (const cell of panel.content.model.cells) {
        if (cell.type !== 'code') continue;
        cells.push({source: cell.sharedModel.getSource(), count: cell.executionCount,
                    outputs: cell.outputs.toJSON()});
    }
    return {cells, kernel: panel.sessionContext.session?.kernel?.status ?? 'none'};
}"""


def require_chromium():
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install Debian's browser with `apt-get install chromium`"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_jupyterlab(root, home):
    """Start JupyterLab over ``root`` with its configuration, settings and runtime files under ``home``."""
    config_dir, settings_dir = home / "config", home / "settings"
    config_dir.mkdir(parents=True)
    (config_dir / "jupyter_lab_config.py").write_text(LAB_CONFIG)
    for name, values in USER_SETTINGS.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config_dir),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings_dir),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",  # what a learner's kernel uses
    }
    port = free_port()
    log = open(home / "jupyterlab.log", "w")  # closed by the fixture
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--allow-root",
            f"--ServerApp.root_dir={root}",
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{url}/api/status", timeout=2) as response:
                if response.status == 200:
                    return process, url, log
        except OSError:
            time.sleep(0.5)
    process.terminate()
    log.close()
    pytest.fail(
        f"JupyterLab did not start within {SERVER_START_TIMEOUT} s:\n{(home / 'jupyterlab.log').read_text()}"
    )


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server over a copy of notebooks/; yields (url, notebook folder)."""
    require_chromium()
    root = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    process, url, log = start_jupyterlab(root, tmp_path / "lab")
    try:
        yield url, root
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def run_all_cells(page, url, name):
    """Open notebook ``name``, run all its cells and wait until every code cell has run; return the cells."""
    page.goto(f"{url}/lab/tree/{name}?reset", wait_until="domcontentloaded")
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.sessionContext"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === 'idle'",
        timeout=SERVER_START_TIMEOUT * 1000,
    )
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    deadline = time.monotonic() + RUN_ALL_TIMEOUT
    while time.monotonic() < deadline:
        state = page.evaluate(CELLS_JS)
        pending = [c for c in state["cells"] if c["source"].strip() and c["count"] is None]
        if not pending and state["kernel"] == "idle":
            return state["cells"]
        page.wait_for_timeout(500)
    pytest.fail(f"{name}: the cells did not finish within {RUN_ALL_TIMEOUT} s ({len(pending)} still pending)")


def error_outputs(cells):
    return [
        f"cell {i}: {out.get('ename')}: {out.get('evalue')}"
        for i, cell in enumerate(cells)
        for out in cell["outputs"]
        if out.get("output_type") == "error"
    ]


def widget_image(box):
    """The PNG bytes of the figure shown in a widget container."""
    src = box.locator("img").first.get_attribute("src") or ""
    return base64.b64decode(src.split(",", 1)[1]) if src.startswith("data:image/png;base64,") else b""


def playground(page):
    """The first widget container holding both a slider and a figure: the chapter's playground."""
    boxes = (
        page.locator(".jp-OutputArea-output .widget-box")
        .filter(has=page.locator(".widget-slider"))
        .filter(has=page.locator("img"))
    )
    boxes.first.wait_for(state="visible", timeout=WIDGET_TIMEOUT * 1000)
    return boxes.first


def move_slider(page, slider):
    """Drag the slider's handle a quarter of the track to the right (a real mouse gesture)."""
    handle = slider.locator(".noUi-handle").first
    handle.scroll_into_view_if_needed()
    track = slider.locator(".noUi-target, .noUi-base").first.bounding_box()
    knob = handle.bounding_box()
    x, y = knob["x"] + knob["width"] / 2, knob["y"] + knob["height"] / 2
    target = min(x + track["width"] / 4, track["x"] + track["width"] - 2)
    if target - x < 5:  # already near the right end: move left instead
        target = x - track["width"] / 4
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(target, y, steps=8)
    page.mouse.up()


def check_chapter_in_browser(url, name):
    """Everything the browser test asserts, for notebook ``name`` served at ``url``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            cells = run_all_cells(page, url, name)
            assert error_outputs(cells) == [], f"{name}: cells failed in JupyterLab"
            assert (
                page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']")
                .filter(has_text="Traceback")
                .count()
                == 0
            )

            box = playground(page)
            assert page.get_by_text("Error displaying widget").count() == 0, "a widget failed to render"
            assert page.get_by_text("Loading widget...").count() == 0, "a widget never finished loading"
            before = widget_image(box)
            assert before, "the playground shows no figure"
            sliders = box.locator(".widget-slider")
            w1 = sliders.filter(has=page.locator(".widget-label", has_text="w1"))
            slider = w1.first if w1.count() else sliders.first
            value_before = slider.locator(".widget-readout").first.inner_text()
            move_slider(page, slider)
            deadline = time.monotonic() + WIDGET_TIMEOUT
            after = before
            while time.monotonic() < deadline and after == before:
                page.wait_for_timeout(250)
                after = widget_image(box)
            value_after = slider.locator(".widget-readout").first.inner_text()
            assert value_after != value_before, "dragging the slider did not change its value"
            assert after != before, (
                f"the figure did not change when the slider went {value_before} -> {value_after}"
            )
            assert page.get_by_text("Error displaying widget").count() == 0
        finally:
            browser.close()


def test_chapter_1_runs_in_jupyterlab_and_its_playground_responds(lab):
    url, root = lab
    assert (root / CHAPTER).exists(), f"{CHAPTER} is missing from notebooks/"
    check_chapter_in_browser(url, CHAPTER)
