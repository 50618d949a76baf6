"""The activation explorer: f and f' side by side, and what f' does to a gradient through many layers.

Three panels: the chosen activations f(x) over an adjustable x range; their derivatives f'(x); and the size
of the gradient after it has flowed back through k layers of a deep random network built with each
activation (log scale), with the depth control marking k. A slider sets Leaky ReLU's negative slope (it is
disabled while Leaky ReLU is not shown).

The deep network is :func:`nncourse.nn.gradient_through_depth`'s: ``MAX_DEPTH`` layers of width ``WIDTH``
without bias, weights drawn with each activation's initialisation gain; the curve is the norm of the gradient
k layers down, divided by its norm at the top.
"""

import ipywidgets as widgets
import numpy as np

from nncourse import nn
from nncourse.plot import ACTIVATION_COLORS, COLORS
from nncourse.widgets import _canvas as draw
from nncourse.widgets._base import LABEL_STYLE, CanvasWidget, check_float, check_int, reset_button

ACTIVATIONS = tuple(nn.ACTIVATIONS)
MAX_DEPTH = 50
WIDTH = 64
BATCH = 32
X_LIMIT = 20.0
MAX_SLOPE = 0.5


def _own_arguments(name, slope):
    """The slope slider belongs to Leaky ReLU alone."""
    return {"negative_slope": slope} if name == "leaky_relu" else {}


class ActivationExplorer(CanvasWidget):
    """Choose activations; see f, f' and the gradient that survives ``depth`` layers.

    Controls (``self.controls``): ``"activations"`` (a SelectMultiple of ``ACTIVATIONS``), ``"x_range"``
    (a FloatRangeSlider within ±``X_LIMIT``), ``"negative_slope"`` (Leaky ReLU's slope, 0 to ``MAX_SLOPE``)
    and ``"depth"`` (1 to ``MAX_DEPTH``). Arguments outside these ranges are refused, never clamped.

    Headless use: set a control's ``value`` (each change redraws), then read ``curves`` (for each chosen
    activation, ``{"x", "f", "grad", "depth"}`` arrays), ``surviving`` (each chosen activation's relative
    gradient after ``depth`` layers) and ``panels`` (the scene drawn).

    >>> explorer = ActivationExplorer(activations=("sigmoid", "relu"), depth=20)
    >>> explorer.surviving["sigmoid"] < 1e-6 < explorer.surviving["relu"]
    True
    >>> ActivationExplorer(depth=100)
    Traceback (most recent call last):
    ValueError: ActivationExplorer: depth must be an integer from 1 to 50, got 100
    """

    where = "ActivationExplorer"

    def __init__(self, activations=("sigmoid", "tanh", "relu"), x_range=(-5.0, 5.0), negative_slope=0.1,
                 depth=10):
        unknown = [a for a in activations if a not in ACTIVATIONS]
        if unknown or not activations:
            raise ValueError(f"{self.where}: activations must be a non-empty selection of {list(ACTIVATIONS)}, "
                             f"got {list(activations)!r}")
        lo, hi = (check_float(self.where, "x_range", v, -X_LIMIT, X_LIMIT) for v in x_range)
        if not lo < hi:
            raise ValueError(f"{self.where}: x_range must be (low, high) with low < high, got {tuple(x_range)!r}")
        check_float(self.where, "negative_slope", negative_slope, 0.0, MAX_SLOPE)
        check_int(self.where, "depth", depth, 1, MAX_DEPTH)
        super().__init__(width=860, height=330, description="activations, their derivatives, and the gradient "
                                                            "that survives many layers")
        self.controls = {
            "activations": widgets.SelectMultiple(options=ACTIVATIONS, value=tuple(activations),
                                                  rows=len(ACTIVATIONS), description="activations", style=LABEL_STYLE,
                                                  layout=widgets.Layout(width="220px")),
            "x_range": widgets.FloatRangeSlider(value=(lo, hi), min=-X_LIMIT, max=X_LIMIT, step=0.5,
                                                description="x range", readout_format=".1f", style=LABEL_STYLE,
                                                layout=widgets.Layout(width="380px")),
            "negative_slope": widgets.FloatSlider(value=negative_slope, min=0.0, max=MAX_SLOPE, step=0.01,
                                                  description="leaky ReLU slope", readout_format=".2f",
                                                  style=LABEL_STYLE, layout=widgets.Layout(width="380px")),
            "depth": widgets.IntSlider(value=depth, min=1, max=MAX_DEPTH, description="depth (layers)",
                                       style=LABEL_STYLE, layout=widgets.Layout(width="380px")),
        }
        self._profiles = {}  # (name, slope) -> gradient_through_depth(...), computed once
        self.observe_controls()
        self.ui = widgets.VBox([
            widgets.HBox([
                self.controls["activations"],
                widgets.VBox([self.controls[k] for k in ("x_range", "negative_slope", "depth")]
                             + [reset_button(self)]),
            ]),
            self.canvas,
        ])
        self.ui.add_class("nncourse-widget")
        self.update()

    def _profile(self, name, slope):
        key = (name, slope if name == "leaky_relu" else None)
        if key not in self._profiles:
            self._profiles[key] = nn.gradient_through_depth(name, depth=MAX_DEPTH, width=WIDTH, batch=BATCH,
                                                            **_own_arguments(name, slope))
        return self._profiles[key]

    def scene(self):
        chosen = [name for name in ACTIVATIONS if name in self.controls["activations"].value]
        lo, hi = self.controls["x_range"].value
        hi = max(hi, lo + 0.5)
        slope = float(self.controls["negative_slope"].value)
        depth = int(self.controls["depth"].value)
        self.controls["negative_slope"].disabled = "leaky_relu" not in chosen
        x = np.linspace(lo, hi, 401)
        self.curves, self.surviving = {}, {}
        for name in chosen:
            f, f_grad = nn.get_activation(name).functions(**_own_arguments(name, slope))
            profile = self._profile(name, slope)
            self.curves[name] = {"x": x, "f": f(x), "grad": f_grad(x), "depth": profile}
            self.surviving[name] = float(profile[depth])
        boxes = ([55, 30, 215, 240], [340, 30, 215, 240], [625, 30, 215, 240])
        if not chosen:
            hint = draw.label(0.5, 0.5, "choose at least one activation", size=13, color=COLORS["highlight"])
            return [draw.panel(box, items=[hint] if k == 1 else [], axes=False) for k, box in enumerate(boxes)]

        def span(key):
            values = np.concatenate([c[key] for c in self.curves.values()])
            low, high = float(values.min()), float(values.max())
            pad = 0.08 * max(high - low, 1e-3)
            return low - pad, high + pad

        steps = np.arange(MAX_DEPTH + 1)
        lowest = min(c["depth"].min() for c in self.curves.values())
        highest = max(c["depth"].max() for c in self.curves.values())
        ylim = (max(min(lowest, 0.1) / 10, 1e-40), max(highest, 1.0) * 10)
        legend_f = [draw.legend_entry(name, ACTIVATION_COLORS[name]) for name in chosen]
        legend_depth = [draw.legend_entry(f"{name}: {self.surviving[name]:.2g}", ACTIVATION_COLORS[name])
                        for name in chosen]
        slope_note = f" (leaky slope {slope:.2f})" if "leaky_relu" in chosen else ""
        return [
            draw.panel(boxes[0], xlim=(lo, hi), ylim=span("f"), title="activation f(x)", xlabel="x", ylabel="f(x)",
                       items=[draw.line(x, self.curves[n]["f"], color=ACTIVATION_COLORS[n]) for n in chosen],
                       legend=legend_f),
            draw.panel(boxes[1], xlim=(lo, hi), ylim=span("grad"), title=f"derivative f'(x){slope_note}",
                       xlabel="x", ylabel="f'(x)", title_size=12,
                       items=[draw.line(x, self.curves[n]["grad"], color=ACTIVATION_COLORS[n]) for n in chosen]),
            draw.panel(boxes[2], xlim=(0, MAX_DEPTH), ylim=ylim, yscale="log",
                       title=f"gradient after {depth} layer{'s' if depth > 1 else ''}",
                       xlabel="layers flowed back through", ylabel="relative gradient norm",
                       items=[draw.line([depth, depth], ylim, color=COLORS["neutral"], width=1, dash=[4, 3])]
                       + [draw.line(steps, self.curves[n]["depth"], color=ACTIVATION_COLORS[n]) for n in chosen],
                       legend=legend_depth, legend_at=(6, 240 - 14 - 17 * len(chosen))),
        ]
