"""The activation explorer: f and f' side by side, and what f' does to a gradient through many layers.

Three panels: the chosen activations f(x) over an adjustable x range; their derivatives f'(x); and the size
of the gradient after it has flowed back through k layers of a deep random network built with each
activation (log scale), with the depth control marking k. A slider sets Leaky ReLU's negative slope.

The deep network: ``MAX_DEPTH`` fully connected layers of width ``WIDTH`` without bias, weights drawn from
N(0, gain²/WIDTH) with PyTorch's recommended gain for each activation (``torch.nn.init.calculate_gain``:
1 for sigmoid, 5/3 for tanh, √2 for ReLU, √(2/(1 + slope²)) for Leaky ReLU; √2 for GELU and SiLU, which
PyTorch has no gain for). A batch of standard-normal inputs goes forward; a random gradient comes back from
the top; the curve is the norm of the gradient k layers down, divided by its norm at the top.
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from nncourse import nn
from nncourse.plot import ACTIVATION_COLORS as COLORS
from nncourse.plot import SIZES
from nncourse.widgets._base import FigureWidget

ACTIVATIONS = tuple(nn.ACTIVATIONS)
MAX_DEPTH = 50
WIDTH = 64
BATCH = 32


def _own_arguments(name, slope):
    """The slope slider belongs to Leaky ReLU alone."""
    return {"negative_slope": slope} if name == "leaky_relu" else {}


class ActivationExplorer(FigureWidget):
    """Choose activations; see f, f' and the gradient that survives ``depth`` layers.

    Controls (``self.controls``): ``"activations"`` (a SelectMultiple of ``ACTIVATIONS``), ``"x_range"``
    (a FloatRangeSlider), ``"negative_slope"`` (Leaky ReLU's slope) and ``"depth"`` (1 to ``MAX_DEPTH``).

    Headless use: set a control's ``value`` (each change calls :meth:`update`), then read
    ``lines["f"][name]``, ``lines["grad"][name]``, ``lines["depth"][name]`` (matplotlib Line2D objects; the
    hidden ones belong to activations not chosen), ``depth_marker`` and the axes' titles; ``surviving``
    maps each chosen activation to its relative gradient after ``depth`` layers.
    """

    height = "400px"

    def __init__(self, activations=("sigmoid", "tanh", "relu"), x_range=(-5.0, 5.0), negative_slope=0.1,
                 depth=10):
        unknown = [a for a in activations if a not in ACTIVATIONS]
        if unknown or not activations:
            raise ValueError(f"ActivationExplorer: activations must be a non-empty selection of "
                             f"{list(ACTIVATIONS)}, got {list(activations)!r}")
        fig, axes = plt.subplots(1, 3, figsize=(SIZES["wide"][0] + 1.0, SIZES["wide"][1]))
        super().__init__(fig)
        self.ax_f, self.ax_grad, self.ax_depth = axes
        self.controls = {
            "activations": widgets.SelectMultiple(options=ACTIVATIONS, value=tuple(activations), rows=6,
                                                  description="activations"),
            "x_range": widgets.FloatRangeSlider(value=tuple(x_range), min=-20.0, max=20.0, step=0.5,
                                                description="x range", readout_format=".1f"),
            "negative_slope": widgets.FloatSlider(value=negative_slope, min=0.0, max=0.5, step=0.01,
                                                  description="leaky slope", readout_format=".2f"),
            "depth": widgets.IntSlider(value=depth, min=1, max=MAX_DEPTH, description="depth"),
        }
        self.lines = {"f": {}, "grad": {}, "depth": {}}
        steps = np.arange(MAX_DEPTH + 1)
        for name in ACTIVATIONS:
            style = dict(color=COLORS[name], label=name)
            self.lines["f"][name] = self.ax_f.plot([], [], **style)[0]
            self.lines["grad"][name] = self.ax_grad.plot([], [], **style)[0]
            self.lines["depth"][name] = self.ax_depth.plot(steps, np.ones(len(steps)), **style)[0]
        self.depth_marker = self.ax_depth.axvline(depth, color="0.3", linestyle="--", linewidth=1)
        self.ax_f.set(xlabel="x", ylabel="f(x)", title="activation f(x)")
        self.ax_grad.set(xlabel="x", ylabel="f'(x)", title="derivative f'(x)")
        self.ax_depth.set(xlabel="layers the gradient flowed back through", ylabel="relative gradient norm",
                          yscale="log", xlim=(0, MAX_DEPTH))
        self._profiles = {}  # (name, slope) -> gradient_through_depth(...), computed once
        self.surviving = {}
        self.observe_controls()
        self.ui = widgets.HBox([
            widgets.VBox([self.controls[k] for k in ("activations", "x_range", "negative_slope", "depth")],
                         layout=widgets.Layout(width="330px")),
            self.output,
        ])
        self.update()

    def _profile(self, name, slope):
        key = (name, slope if name == "leaky_relu" else None)
        if key not in self._profiles:
            self._profiles[key] = nn.gradient_through_depth(name, max_depth=MAX_DEPTH, width=WIDTH, batch=BATCH,
                                                            **_own_arguments(name, slope))
        return self._profiles[key]

    def update(self):
        chosen = set(self.controls["activations"].value)
        lo, hi = self.controls["x_range"].value
        if hi <= lo:
            hi = lo + 0.5
        slope = float(self.controls["negative_slope"].value)
        depth = int(self.controls["depth"].value)
        x = np.linspace(lo, hi, 401)
        self.surviving = {}
        for name in ACTIVATIONS:
            visible = name in chosen
            for panel in ("f", "grad", "depth"):
                self.lines[panel][name].set_visible(visible)
            if not visible:
                continue
            f, f_grad = nn.get_activation(name).functions(**_own_arguments(name, slope))
            self.lines["f"][name].set_data(x, f(x))
            self.lines["grad"][name].set_data(x, f_grad(x))
            profile = self._profile(name, slope)
            self.lines["depth"][name].set_ydata(profile)
            self.surviving[name] = float(profile[depth])
        for ax in (self.ax_f, self.ax_grad):
            ax.relim(visible_only=True)
            ax.autoscale_view()
            ax.set_xlim(lo, hi)
        self.ax_grad.set_title("derivative f'(x)" + (f"  (leaky slope {slope:.2f})" if "leaky_relu" in chosen
                                                      else ""))
        self.depth_marker.set_xdata([depth, depth])
        profiles = [self._profile(name, slope) for name in chosen]
        if profiles:
            lowest, highest = min(p.min() for p in profiles), max(p.max() for p in profiles)
            self.ax_depth.set_ylim(max(min(lowest, 0.1) / 10, 1e-40), max(highest, 1.0) * 10)
        self.ax_depth.set_title(f"gradient after {depth} layer{'s' if depth > 1 else ''}")
        handles = [self.lines["depth"][n] for n in ACTIVATIONS if n in chosen]
        labels = [f"{n}: {self.surviving[n]:.2g}" for n in ACTIVATIONS if n in chosen]
        self.ax_depth.legend(handles, labels, loc="lower left", fontsize=8)
        self.ax_f.legend(loc="upper left", fontsize=8, handles=[self.lines["f"][n] for n in ACTIVATIONS
                                                                 if n in chosen])
        self.redraw()
