"""How fast the widgets answer, in JupyterLab in headless Chromium: from a control to the new picture on screen.

Three measurements, all with the machinery of ``tests/test_browser.py`` (one JupyterLab over a temporary copy
of ``notebooks/``, Debian's Chromium driven by Playwright, every control worked as a learner would: arrow
keys on a focused slider, a click on a button or toggle, a choice in a drop-down; the time runs from the
input event to the first frame painted after the widget drew its new picture):

* ``chapters`` (default): every control of every widget in the chapters, median over ``--repeats`` tries;
* ``options``: the Chapter 1 playground's three weight sliders built three ways, to choose how widgets
  render: matplotlib's interactive backend ``ipympl`` with blitting, ``bqplot``, and the course's canvas
  (``anywidget``). Needs ipympl and bqplot (``pip install ipympl bqplot``; they are not dependencies of the
  course). The fourth way, a PNG redrawn in an ``Output``, is what ``chapters`` measures on a checkout from
  before the change;
* ``live``: picture updates per second while the training playground of Chapter 3 trains;
* ``timeline``: where the time of each try goes, for one widget alone in a notebook (``--widget
  module:Class``): every WebSocket message the page sends or receives (``send``, ``recv``; ``recv*`` for a
  large one, the picture) and the start of each canvas frame (``draw``), in ms after the input event.

    python benchmarks/bench_widget_latency.py                       # every chapter, 5 tries per control
    python benchmarks/bench_widget_latency.py chapters 01_perceptron.ipynb --repeats 3
    python benchmarks/bench_widget_latency.py options
    python benchmarks/bench_widget_latency.py live --seconds 5
    python benchmarks/bench_widget_latency.py timeline --widget nncourse.widgets.gradient_flow:GradientFlowExplorer

Kernels get one BLAS thread, as in the tests. Run on an otherwise idle machine: other work on the two cores
shows up in every number.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))

import test_browser as lab  # noqa: E402

# The Chapter 1 playground (AND data, sliders w1 w2 b, a line with its class-1 side and rings around the
# misclassified points), written for each rendering option. Only what the measurement touches is built.
SETUP = """\
import ipywidgets as widgets
import numpy as np
from nncourse.functional import step
from nncourse.plot import CLASS_COLORS, COLORS
from nncourse.plot.linear import half_plane, line_segment
from nncourse.widgets.perceptron import load_dataset

X, y = load_dataset("AND")
LIM = (-0.5, 1.5)
sliders = {name: widgets.FloatSlider(value=value, min=-3, max=3, step=0.05, description=name)
           for name, value in (("w1", 1.0), ("w2", 1.0), ("b", -0.5))}
def state():
    w = np.array([sliders["w1"].value, sliders["w2"].value]); b = sliders["b"].value
    return w, b, step(X @ w + b) != y
"""

IPYMPL = SETUP + """\
%matplotlib widget
import matplotlib.pyplot as plt
plt.ioff()
fig, ax = plt.subplots(figsize=(5, 4))
fig.canvas.header_visible = False
fig.canvas.toolbar_visible = False
for k in (0, 1):
    ax.scatter(*X[y == k].T, s=60, color=CLASS_COLORS[k])
ax.set(xlim=LIM, ylim=LIM)
region = ax.fill([0], [0], color=COLORS["class1"], alpha=0.15, animated=True)[0]
(line,) = ax.plot([], [], color=COLORS["boundary"], animated=True)
rings = ax.scatter([], [], s=260, facecolors="none", edgecolors=COLORS["highlight"], animated=True)
fig.canvas.draw()
background = fig.canvas.copy_from_bbox(ax.bbox)

def update(_change=None):
    w, b, wrong = state()
    region.set_xy(half_plane(w, b, LIM, LIM) if len(half_plane(w, b, LIM, LIM)) else np.zeros((1, 2)))
    segment = line_segment(w, b, LIM, LIM)
    line.set_data(segment[:, 0], segment[:, 1])
    rings.set_offsets(X[wrong] if wrong.any() else np.empty((0, 2)))
    fig.canvas.restore_region(background)
    for artist in (region, line, rings):
        ax.draw_artist(artist)
    fig.canvas.blit(ax.bbox)

for s in sliders.values():
    s.observe(update, names="value")
# The canvas is displayed on its own: inside an ipywidgets layout ipympl's view shows a "broken" image
# (matplotlib/ipympl issue #472, open); the measurement times the whole cell output.
from IPython.display import display
display(widgets.VBox(list(sliders.values())))
display(fig.canvas)
"""

BQPLOT = SETUP + """\
import bqplot as bq
sx, sy = bq.LinearScale(min=LIM[0], max=LIM[1]), bq.LinearScale(min=LIM[0], max=LIM[1])
points = [bq.Scatter(x=X[y == k, 0], y=X[y == k, 1], scales={"x": sx, "y": sy}, colors=[CLASS_COLORS[k]])
          for k in (0, 1)]
region = bq.Lines(x=[0], y=[0], fill="inside", fill_colors=[COLORS["class1"]], fill_opacities=[0.15],
                  colors=[COLORS["class1"]], stroke_width=0, scales={"x": sx, "y": sy})
line = bq.Lines(x=[0, 0], y=[0, 0], colors=[COLORS["boundary"]], scales={"x": sx, "y": sy})
rings = bq.Scatter(x=[], y=[], colors=[COLORS["highlight"]], fill=False, stroke=COLORS["highlight"],
                   default_size=260, scales={"x": sx, "y": sy})
figure = bq.Figure(marks=[region, line, *points, rings], axes=[bq.Axis(scale=sx), bq.Axis(scale=sy,
                   orientation="vertical")], animation_duration=0, layout=widgets.Layout(width="420px",
                   height="380px"))

def update(_change=None):
    w, b, wrong = state()
    polygon = half_plane(w, b, LIM, LIM)
    segment = line_segment(w, b, LIM, LIM)
    with region.hold_sync(), line.hold_sync(), rings.hold_sync():
        region.x, region.y = (polygon[:, 0], polygon[:, 1]) if len(polygon) else ([0], [0])
        line.x, line.y = (segment[:, 0], segment[:, 1]) if len(segment) else ([0, 0], [0, 0])
        rings.x, rings.y = X[wrong, 0], X[wrong, 1]

for s in sliders.values():
    s.observe(update, names="value")
update()
widgets.HBox([widgets.VBox(list(sliders.values())), figure])
"""

CANVAS = """\
from nncourse.widgets.perceptron import PerceptronPlayground

PerceptronPlayground("AND")
"""

LIVE = """\
from nncourse.widgets.live import TrainingPlayground

TrainingPlayground(hidden=2, width=16)
"""


# Installed before the page loads (timeline): time-stamps the page's WebSocket traffic and canvas frames.
TIMELINE_JS = """(() => {
    window.__nnTimeline = [];
    const log = (what, size) => window.__nnTimeline.push([what, performance.now(), size]);
    const Socket = window.WebSocket;
    window.WebSocket = class extends Socket {
        constructor(...args) {
            super(...args);
            this.addEventListener('message', (e) => {
                const size = typeof e.data === 'string' ? e.data.length : (e.data.byteLength ?? e.data.size);
                log(size > 3000 ? 'recv*' : 'recv', size);
            });
        }
        send(data) { log('send', data.length ?? data.byteLength ?? data.size); return super.send(data); }
    };
    const clearRect = CanvasRenderingContext2D.prototype.clearRect;
    CanvasRenderingContext2D.prototype.clearRect = function (...args) {
        log('draw', 0);
        return clearRect.apply(this, args);
    };
})()"""


def print_timeline(page, root, repeats):
    for kind, label, element in lab.controls(root):
        if lab.is_disabled(element):
            continue
        for nth in range(repeats):
            page.evaluate("() => { window.__nnTimeline = []; }")
            milliseconds, _ = lab.time_control(page, root, kind, element, nth)
            t0 = page.evaluate("() => window.__nnStopwatch.t0")
            events = page.evaluate("() => window.__nnTimeline")
            end = (milliseconds or 300) + 30
            line = " ".join(f"{what}@{t - t0:.0f}" for what, t, _ in events if t0 is not None and 0 <= t - t0 < end)
            shown = "no redraw" if milliseconds is None else f"{milliseconds:.0f} ms"
            print(f"{kind + ' ' + label[:30]:<40} {shown:>9} | {line}")


def write_notebook(path, *cells):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nbformat.write(nb, path)


def print_table(title, rows):
    print(f"\n{title}")
    print(f"  {'control':<40} {'median ms':>9}  tries (ms)")
    medians = []
    for row in rows:
        median = lab.median_ms(row["times"])
        tries = " ".join("-" if t is None else f"{t:.0f}" for t in row["times"])
        shown = "no redraw" if median is None else f"{median:9.1f}"
        print(f"  {row['kind'] + ' ' + row['label']:<40} {shown:>9}  {tries}")
        if median is not None:
            medians.append(median)
    if medians:
        print(f"  {'median over controls':<40} {statistics.median(medians):9.1f}  (max {max(medians):.1f})")
    return medians


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("mode", nargs="?", default="chapters", choices=("chapters", "options", "live", "timeline"))
    parser.add_argument("notebooks", nargs="*", help="chapters to measure (default: all)")
    parser.add_argument("--repeats", type=int, default=5, help="tries per control (default 5)")
    parser.add_argument("--seconds", type=float, default=5.0, help="live: seconds of training counted")
    parser.add_argument("--widget", default="nncourse.widgets.gradient_flow:GradientFlowExplorer",
                        help="timeline: the widget, as module:Class (built with its defaults)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "notebooks"
        shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        if args.mode == "options":
            names = []
            for name, code in (("ipympl_blit", IPYMPL), ("bqplot", BQPLOT), ("canvas_anywidget", CANVAS)):
                write_notebook(root / f"option_{name}.ipynb", code)
                names.append(f"option_{name}.ipynb")
        elif args.mode == "live":
            write_notebook(root / "live.ipynb", LIVE)
            names = ["live.ipynb"]
        elif args.mode == "timeline":
            module, name = args.widget.split(":")
            write_notebook(root / "timeline.ipynb", f"from {module} import {name}\n\n{name}()")
            names = ["timeline.ipynb"]
        else:
            names = args.notebooks or lab.CHAPTERS
        process, url, log = lab.start_jupyterlab(root, Path(tmp) / "lab")
        try:
            with sync_playwright() as playwright:
                browser = lab.launch_chromium(playwright)
                page = browser.new_page(viewport=lab.VIEWPORT)
                if args.mode == "timeline":
                    page.add_init_script(TIMELINE_JS)
                everything = []
                for name in names:
                    cells = lab.run_all_cells(page, url, name)
                    errors = lab.error_outputs(cells)
                    if errors:
                        print(f"{name}: {errors}")
                    if args.mode == "timeline":
                        page.wait_for_timeout(1000)  # the view's first frames
                        print_timeline(page, lab.widget_roots(page)[0], args.repeats)
                    elif args.mode == "live":
                        root_box = lab.widget_roots(page)[0]
                        fps = [lab.frames_per_second(page, root_box, args.seconds) for _ in range(args.repeats)]
                        each = ", ".join(f"{f:.1f}" for f in fps)
                        print(f"live training, 2-16-16-1 on 200 points: picture updates per second "
                              f"{statistics.median(fps):.1f} (median of {len(fps)}: {each})")
                    else:
                        rows = lab.measure_widgets(page, repeats=args.repeats,
                                                   roots=".jp-Cell-outputArea" if args.mode == "options" else None)
                        if args.mode == "options":  # the controls every option has: the three weight sliders
                            rows = [r for r in rows if r["kind"] == "slider" and r["label"].split()[-1] in
                                    ("w1", "w2", "b")]
                        everything += print_table(name, rows)
                    lab.shut_down_kernel(page)
                if everything and args.mode == "chapters":
                    print(f"\nall {len(everything)} controls: median {statistics.median(everything):.1f} ms, "
                          f"range {min(everything):.1f}-{max(everything):.1f} ms")
                browser.close()
        finally:
            lab.stop_jupyterlab(process, log)


if __name__ == "__main__":
    main()
