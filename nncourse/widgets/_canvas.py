"""The picture of every widget: a scene computed in the kernel and painted by a small canvas module.

A widget describes what it shows as a list of *panels* (plot areas with limits, labels and items: lines,
points, polygons, segments, bars, images, text), built with the helpers below, and assigns it to
:attr:`Canvas.panels`. ``static/canvas.js``, shipped inside the package and loaded by ``anywidget``, paints
it on a ``<canvas>`` in the browser: no PNG is rendered in the kernel, so a control answers in a few
milliseconds (``docs/widget-rendering.md`` has the measurements). Colours are the course's own
(``nncourse.plot``), images are coloured in the kernel with matplotlib's colour maps, so a widget looks like
the static figure before it.

Numeric arrays travel as float32 buffers; a panel's ``box`` is ``[left, top, width, height]`` in pixels.
Images travel apart from the panels, in :attr:`Canvas.images`, named by their content: a change that leaves
the images as they were (moving an input over fixed heat maps) sends only the small panels.

>>> canvas = Canvas(width=300, height=200, description="a sine")
>>> x = np.linspace(0, 6, 50)
>>> canvas.panels = [panel([50, 30, 230, 130], xlim=(0, 6), ylim=(-1, 1), items=[line(x, np.sin(x))])]
>>> canvas.panels[0]["items"][0]["type"]
'line'
"""

import functools
import hashlib
from pathlib import Path

import anywidget
import numpy as np
import traitlets
from matplotlib import colormaps
from matplotlib.colors import LinearSegmentedColormap, to_hex, to_rgba

from nncourse.plot import COLORS

STATIC = Path(__file__).parent / "static"

# From a light tint of class 0's colour through white to one of class 1's: a map of P(class 1) whose colours
# agree with the points', light enough that the points stay visible on it.
CLASS_CMAP = "nncourse_classes"
if CLASS_CMAP not in colormaps:
    _tints = [0.5 * np.array(to_rgba(COLORS[name])) + 0.5 for name in ("class0", "class1")]
    colormaps.register(LinearSegmentedColormap.from_list(CLASS_CMAP, [_tints[0], "white", _tints[1]]))


class Canvas(anywidget.AnyWidget):
    """A ``<canvas>`` that shows :attr:`panels`, reports clicks, and asks for frames while :attr:`playing`.

    ``on_click(callback)`` calls ``callback(panel_index, x, y)`` (data coordinates) when the learner clicks or
    drags on a panel marked ``clickable``. While ``playing`` is true the front end asks for a new frame every
    ``interval`` milliseconds, but never before the previous frame has arrived and been drawn;
    ``on_tick(callback)`` calls ``callback()`` for each request, and the callback sets new panels.
    ``on_ready(callback)`` calls ``callback()`` when a browser view of the canvas appears (never when a
    notebook is executed without a front end).

    >>> canvas = Canvas(width=200, height=100)
    >>> canvas.on_click(lambda index, x, y: print(index, x, y))
    >>> canvas._handle_message(canvas, {"event": "click", "panel": 0, "x": 0.5, "y": 2.0}, [])
    0 0.5 2.0
    """

    _esm = STATIC / "canvas.js"
    width = traitlets.Int(600).tag(sync=True)
    height = traitlets.Int(400).tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)
    panels = traitlets.List().tag(sync=True, to_json=lambda panels, _widget: _without_pixels(panels))
    images = traitlets.Dict().tag(sync=True)  # the pixels of the panels' images, by image_key
    playing = traitlets.Bool(False).tag(sync=True)
    interval = traitlets.Int(50).tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._click_callbacks = []
        self._tick_callbacks = []
        self._ready_callbacks = []
        self.on_msg(self._handle_message)

    def on_click(self, callback):
        self._click_callbacks.append(callback)

    def on_tick(self, callback):
        self._tick_callbacks.append(callback)

    def on_ready(self, callback):
        self._ready_callbacks.append(callback)

    @traitlets.validate("panels")
    def _send_images_first(self, proposal):
        # Setting images here, before the panels change, sends them first; an unchanged set is not resent.
        self.images = {image_key(item): {"rgba": item["rgba"], "nx": item["nx"], "ny": item["ny"]}
                       for panel in proposal["value"] for item in panel.get("items", ()) if item["type"] == "image"}
        return proposal["value"]

    def _handle_message(self, _widget, content, _buffers):
        if content.get("event") == "click":
            for callback in self._click_callbacks:
                callback(int(content["panel"]), float(content["x"]), float(content["y"]))
        elif content.get("event") in ("tick", "ready"):
            for callback in self._tick_callbacks if content["event"] == "tick" else self._ready_callbacks:
                callback()


def image_key(item):
    """The name of an :func:`image` item's pixels in :attr:`Canvas.images`: a digest of its content.

    >>> image_key(image(np.zeros((2, 2)), (0, 1, 0, 1), cmap="RdBu", vmin=-1, vmax=1))
    '2x2:8a466f85258dcec7'
    """
    digest = hashlib.blake2b(item["rgba"], digest_size=8).hexdigest()
    return f"{item['nx']}x{item['ny']}:{digest}"


def _without_pixels(panels):
    """The panels as the front end receives them: each image names its pixels instead of carrying them."""
    return [{**panel, "items": [{**{k: v for k, v in item.items() if k != "rgba"}, "key": image_key(item)}
                                if item["type"] == "image" else item for item in panel.get("items", ())]}
            for panel in panels]


# -- scene helpers: each returns a plain dict the front end draws ------------------------------------------------


def _f32(values):
    """A float32 buffer of ``values`` (NaN for gaps), as the front end reads it."""
    return np.ascontiguousarray(np.ravel(values), dtype=np.float32).tobytes()


def panel(box, *, xlim=(0.0, 1.0), ylim=(0.0, 1.0), items=(), title="", xlabel="", ylabel="", xscale="linear",
          yscale="linear", axes=True, xticks=None, yticks=None, legend=None, legend_at=None, colorbar=None,
          clickable=False, title_size=None):
    """One plot area. ``legend`` is a list of :func:`legend_entry`; ``legend_at`` its offset ``(dx, dy)`` in
    pixels from the top-left corner (a negative ``dx`` counts from the right). ``xticks``/``yticks``: a list
    of ``(value, label)`` or None for automatic ones.

    >>> panel([40, 20, 200, 100], title="empty")["title"]
    'empty'
    """
    scene = {"box": [float(v) for v in box], "xlim": [float(v) for v in xlim], "ylim": [float(v) for v in ylim],
             "xscale": xscale, "yscale": yscale, "axes": bool(axes), "title": title, "xlabel": xlabel,
             "ylabel": ylabel, "items": list(items), "clickable": bool(clickable)}
    optional = {"xticks": xticks, "yticks": yticks, "legend": legend, "legend_at": legend_at,
                "colorbar": colorbar, "title_size": title_size}
    for key, value in optional.items():
        if value is not None:
            scene[key] = [[float(v), str(label)] for v, label in value] if key in ("xticks", "yticks") else value
    return scene


def line(x, y, *, color=COLORS["model"], width=2.0, dash=None, alpha=1.0):
    """A polyline through ``(x[i], y[i])``; NaN values break it.

    >>> line([0, 1], [1, 0], dash=[4, 2])["dash"]
    [4, 2]
    """
    item = {"type": "line", "x": _f32(x), "y": _f32(y), "color": color, "width": float(width), "alpha": alpha}
    if dash:
        item["dash"] = list(dash)
    return item


def points(x, y, *, color, size=4.0, marker="o", edge="white", edgewidth=0.8, alpha=1.0):
    """Markers (``"o"``, ``"s"``, ``"^"``, ``"D"``, ``"|"``) at ``(x[i], y[i])``; ``size`` is a radius in
    pixels. ``color``, ``edge``, ``edgewidth`` and ``size`` may be lists (one entry per point).

    >>> points([0.5], [0.5], color="#0072B2")["marker"]
    'o'
    """
    listed = {name: (list(value) if isinstance(value, (list, tuple, np.ndarray)) else value)
              for name, value in (("color", color), ("edge", edge), ("edgewidth", edgewidth), ("size", size))}
    for name in ("edgewidth", "size"):
        if isinstance(listed[name], list):
            listed[name] = [float(v) for v in listed[name]]
    return {"type": "points", "x": _f32(x), "y": _f32(y), "marker": marker, "alpha": alpha, **listed}


def polygon(x, y, *, color, alpha=1.0):
    """A filled polygon with vertices ``(x[i], y[i])``.

    >>> polygon([0, 1, 1], [0, 0, 1], color="#E69F00", alpha=0.2)["type"]
    'polygon'
    """
    return {"type": "polygon", "x": _f32(x), "y": _f32(y), "color": color, "alpha": alpha}


def segments(starts, ends, *, color, width):
    """Straight segments from ``starts[i]`` to ``ends[i]`` (arrays of shape ``(n, 2)``); ``color`` and
    ``width`` per segment (lists) or shared.

    >>> segments(np.zeros((2, 2)), np.ones((2, 2)), color="#999999", width=[1.0, 2.0])["width"]
    [1.0, 2.0]
    """
    starts, ends = np.asarray(starts, dtype=float).reshape(-1, 2), np.asarray(ends, dtype=float).reshape(-1, 2)
    width = [float(w) for w in np.ravel(width)] if np.ndim(width) else float(width)
    color = list(color) if isinstance(color, (list, tuple, np.ndarray)) else color
    return {"type": "segments", "x0": _f32(starts[:, 0]), "y0": _f32(starts[:, 1]), "x1": _f32(ends[:, 0]),
            "y1": _f32(ends[:, 1]), "color": color, "width": width}


def arrow(start, end, *, color=COLORS["boundary"], width=2.0):
    """An arrow from ``start`` to ``end`` (data coordinates).

    >>> arrow((0, 0), (1, 1))["type"]
    'arrow'
    """
    return {"type": "arrow", "x0": float(start[0]), "y0": float(start[1]), "x1": float(end[0]), "y1": float(end[1]),
            "color": color, "width": float(width)}


def bars(x, height, *, color, width=0.8, bottom=0.0, edge=None, dash=None):
    """Vertical bars centred on ``x`` from ``bottom`` up to ``height``; ``color``, ``edge``, ``dash`` may be
    lists.

    >>> bars([1, 2], [3, 4], color=["#0072B2", "#999999"])["color"]
    ['#0072B2', '#999999']
    """
    item = {"type": "bars", "x": _f32(x), "height": _f32(height), "width": float(width), "bottom": float(bottom),
            "color": list(color) if isinstance(color, (list, tuple)) else color}
    if edge is not None:
        item["edge"] = list(edge) if isinstance(edge, (list, tuple)) else edge
    if dash is not None:
        item["dash"] = dash
    return item


def image(values, extent, *, cmap, vmin, vmax, alpha=1.0, smooth=True):
    """``values`` (shape ``(ny, nx)``, row 0 at the bottom as ``imshow(origin="lower")``) coloured by the
    matplotlib colour map ``cmap`` between ``vmin`` and ``vmax``, drawn over ``extent = (x0, x1, y0, y1)``.

    >>> image(np.zeros((3, 4)), (0, 1, 0, 1), cmap="RdBu", vmin=-1, vmax=1)["nx"]
    4
    """
    values = np.asarray(values, dtype=float)
    scaled = np.nan_to_num((values - vmin) / (vmax - vmin) if vmax > vmin else values * 0.0, nan=0.5)
    rgba = _lookup_table(cmap)[_index(scaled)]
    return {"type": "image", "rgba": np.ascontiguousarray(rgba).tobytes(), "nx": int(values.shape[1]),
            "ny": int(values.shape[0]), "extent": [float(v) for v in extent], "alpha": float(alpha),
            "smooth": bool(smooth)}


def label(x, y, text, *, size=12, color="#000000", align="center", baseline="middle", weight="", dx=0, dy=0):
    """Text at ``(x, y)`` (data coordinates), shifted by ``(dx, dy)`` pixels.

    >>> label(0, 0, "hidden 1", align="left")["text"]
    'hidden 1'
    """
    return {"type": "text", "x": float(x), "y": float(y), "text": str(text), "size": size, "color": color,
            "align": align, "baseline": baseline, "weight": weight, "dx": dx, "dy": dy}


def legend_entry(text, color, *, marker=None, edge=None, edgewidth=1.0, width=2.0, dash=None):
    """One legend row: a marker (``marker="o"``...) or, without one, a line sample.

    >>> legend_entry("class 0", "#0072B2", marker="o")["label"]
    'class 0'
    """
    entry = {"label": text, "color": color, "width": width, "edgewidth": edgewidth}
    if marker:
        entry["marker"] = marker
    if edge:
        entry["edge"] = edge
    if dash:
        entry["dash"] = list(dash)
    return entry


def colorbar(cmap, vmin, vmax, *, label="", ticks=None, digits=2):
    """A vertical colour bar to the right of a panel: ``cmap`` from ``vmin`` (bottom) to ``vmax`` (top).

    >>> colorbar("RdBu", -1.0, 1.0, label="activation")["ticks"]
    [[-1.0, '−1'], [0.0, '0'], [1.0, '1']]
    """
    if ticks is None:
        ticks = [vmin, (vmin + vmax) / 2, vmax]
    stops = _lookup_table(cmap)[np.linspace(0, 255, 11).astype(int)]
    colors = [to_hex(rgba / 255.0, keep_alpha=False) for rgba in stops]
    return {"colors": colors, "vmin": float(vmin), "vmax": float(vmax), "label": label,
            "ticks": [[float(t), _number(t, digits)] for t in ticks]}


def _index(scaled):
    """Entries of the 256-colour table for values in [0, 1], as matplotlib's colour maps pick them."""
    return np.clip((np.asarray(scaled, dtype=float) * 256).astype(np.intp), 0, 255)


@functools.cache
def _lookup_table(cmap):
    """256 RGBA bytes of the matplotlib colour map ``cmap``, computed once."""
    return colormaps[cmap](np.linspace(0.0, 1.0, 256), bytes=True)


def _number(value, digits):
    text = f"{value:.{digits}g}"
    return "0" if float(text) == 0 else text.replace("-", "−")


def css(rgba):
    """CSS colours (``"rgba(r,g,b,a)"``) for an array of RGBA rows with entries in [0, 1].

    >>> css([[0.0, 0.5, 1.0, 0.25]])
    ['rgba(0,128,255,0.250)']
    """
    rgba = np.atleast_2d(np.asarray(rgba, dtype=float))
    return [f"rgba({r * 255:.0f},{g * 255:.0f},{b * 255:.0f},{a:.3f})" for r, g, b, a in rgba]


def network_panel(diagram, box, *, title="", node_radius=None, colorbar=None, clickable=False):
    """A panel showing a :class:`nncourse.plot.NetworkDiagram` built with ``ax=None``: its edges, its neurons
    and the layer names underneath, in the diagram's own colours.

    >>> from nncourse.plot import NetworkDiagram
    >>> scene = network_panel(NetworkDiagram(None, [2, 3, 1]), [10, 30, 300, 200])
    >>> [item["type"] for item in scene["items"]][:2]
    ['segments', 'points']
    """
    sizes = diagram.layer_sizes
    half = (max(sizes) - 1) / 2
    ylim = (-half - 1.0, half + 0.6)
    if node_radius is None:
        node_radius = float(np.clip(0.32 * box[3] / (ylim[1] - ylim[0]), 4.0, 13.0))
    centres = np.concatenate(diagram.positions)
    items = [
        segments(diagram.segments[:, 0], diagram.segments[:, 1], color=css(diagram.edge_colors),
                 width=diagram.edge_widths),
        points(centres[:, 0], centres[:, 1], color=css(diagram.node_fills), size=node_radius,
               edge=css(diagram.node_rings), edgewidth=diagram.node_ring_widths),
    ]
    items += [label(k, -half - 0.75, name, size=12) for k, name in enumerate(diagram.layer_names)]
    return panel(box, xlim=(-0.5, len(sizes) - 0.5), ylim=ylim, items=items, axes=False, title=title,
                 colorbar=colorbar, clickable=clickable, title_size=12)


def colormap_rgba(cmap, value):
    """The RGBA colour (entries in [0, 1]) that :func:`image` gives ``value`` in [0, 1] on ``cmap``.

    >>> colormap_rgba(CLASS_CMAP, 0.5).round(2).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    return _lookup_table(cmap)[_index(value)] / 255.0
