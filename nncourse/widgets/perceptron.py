"""The perceptron playground: move a line by hand, or let Rosenblatt's rule move it, one step at a time.

Sliders set :math:`w_1, w_2, b`; the plot shows the line :math:`w \\cdot x + b = 0`, its normal vector
:math:`w`, the class-1 side shaded, and rings around the points the perceptron gets wrong. "step" applies
the rule to the next sample (in order), "epoch" to every sample once, "reset" restores the starting weights.
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from nncourse._checks import as_array
from nncourse.data.logic import logic_gate, separable_blobs
from nncourse.functional import step
from nncourse.perceptron import Perceptron
from nncourse.plot import COLORS, SIZES, linear_boundary, scatter_classes
from nncourse.widgets._base import FigureWidget

DATASETS = ("AND", "OR", "NAND", "XOR", "separable blobs")


def load_dataset(name, *, rng=0):
    """The points ``X`` (float64, shape ``(n, 2)``) and labels ``y`` the playground shows for ``name``."""
    if name == "separable blobs":
        return separable_blobs(24, margin=0.3, spread=0.6, rng=rng, dtype=np.float64)
    if name not in DATASETS:
        raise ValueError(f"PerceptronPlayground: dataset must be one of {list(DATASETS)}, got {name!r}")
    return logic_gate(name.lower(), dtype=np.float64)


class PerceptronPlayground(FigureWidget):
    """Sliders for ``w1``, ``w2``, ``b`` over a chosen data set, and buttons for the learning rule.

    Args:
        dataset: one of ``DATASETS`` (default ``"AND"``).
        weight, bias: the starting weights, restored by "reset" (default a line that computes OR).
        lr: the learning rate the buttons use (also a slider).
        rng: the seed of the separable blobs.

    Headless use: set ``controls["w1"].value`` (or any control), or call :meth:`step`, :meth:`epoch`,
    :meth:`reset`; then read ``misclassified``, ``n_errors``, ``boundary.line`` and ``ax.get_title()``.
    """

    height = "390px"
    slider_limit = 3.0

    def __init__(self, dataset="AND", *, weight=(1.0, 1.0), bias=-0.5, lr=0.5, rng=0):
        if dataset not in DATASETS:
            raise ValueError(f"PerceptronPlayground: dataset must be one of {list(DATASETS)}, "
                             f"got {dataset!r}")
        weight = as_array(weight, "weight", "PerceptronPlayground", ndim=1, shape_doc="(2,)")
        if weight.shape != (2,):
            raise ValueError(f"PerceptronPlayground: weight must have 2 entries (w1, w2), got shape {weight.shape}")
        # Fixed margins instead of the course's constrained layout: it would double the cost of every redraw.
        fig, self.ax = plt.subplots(figsize=SIZES["medium"], layout="none")
        fig.subplots_adjust(left=0.1, right=0.72, bottom=0.13, top=0.91)
        super().__init__(fig)
        self.initial = (float(weight[0]), float(weight[1]), float(bias))
        self.rng = rng
        self.model = Perceptron(lr=lr, dtype=np.float64)
        slider = dict(min=-self.slider_limit, max=self.slider_limit, step=0.05, readout_format=".2f",
                      continuous_update=True, layout=widgets.Layout(width="300px"))
        self.controls = {
            "dataset": widgets.Dropdown(options=DATASETS, value=dataset, description="data"),
            "w1": widgets.FloatSlider(value=self.initial[0], description="w1", **slider),
            "w2": widgets.FloatSlider(value=self.initial[1], description="w2", **slider),
            "b": widgets.FloatSlider(value=self.initial[2], description="b", **slider),
            "lr": widgets.FloatSlider(value=lr, min=min(0.05, lr), max=max(1.0, lr), step=0.05, description="η (lr)",
                                      layout=widgets.Layout(width="300px")),
        }
        tips = {"step": "apply the rule to the next sample", "epoch": "apply the rule to every sample once",
                "reset": "back to the starting weights"}
        self.buttons = {name: widgets.Button(description=name, tooltip=tip, layout={"width": "80px"})
                        for name, tip in tips.items()}
        self.buttons["step"].on_click(lambda _b: self.step())
        self.buttons["epoch"].on_click(lambda _b: self.epoch())
        self.buttons["reset"].on_click(lambda _b: self.reset())
        self.status = widgets.HTML()
        self._quiet = False
        self._load()
        self.controls["dataset"].observe(lambda _c: self._on_dataset(), names="value")
        for name in ("w1", "w2", "b", "lr"):
            self.controls[name].observe(lambda _c: self._on_slider(), names="value")
        # The weight sliders come first: they are what the learner (and the browser test) moves.
        self.ui = widgets.VBox([
            widgets.HBox([
                widgets.VBox([self.controls[k] for k in ("w1", "w2", "b")]),
                widgets.VBox([self.controls["dataset"], self.controls["lr"],
                              widgets.HBox(list(self.buttons.values()))]),
            ]),
            self.status,
            self.output,
        ])
        self.update()

    # ------------------------------------------------------------------------ state read from the controls
    @property
    def weight(self):
        return np.array([self.controls["w1"].value, self.controls["w2"].value])

    @property
    def bias(self):
        return float(self.controls["b"].value)

    @property
    def misclassified(self):
        """Boolean mask of the points the current line gets wrong."""
        return step(self.X @ self.weight + self.bias) != self.y

    @property
    def n_errors(self):
        return int(np.count_nonzero(self.misclassified))

    # ------------------------------------------------------------------------ the learning rule
    def step(self):
        """Apply the rule to the next sample (cycling through the data in order); return True on a mistake."""
        i = self.position % len(self.X)
        if i == 0:
            self.epochs_started += 1
        mistake = self._apply(i)
        self.position = i + 1
        u = self.model.history_[-1]
        sign = "+" if u.y > u.y_hat else "−"
        verdict = f"mistake: w ← w {sign} η x, b ← b {sign} η" if mistake else "correct: nothing changes"
        self.message = (f"epoch {self.epochs_started}, sample {i}: x = ({u.x[0]:.3g}, {u.x[1]:.3g}), "
                        f"y = {u.y}, z = {u.z:.3g}, ŷ = {u.y_hat} → {verdict}")
        self.current = i
        self.update()
        return mistake

    def epoch(self):
        """Apply the rule to every sample once, in order, starting where the last step stopped."""
        if self.position % len(self.X) == 0:
            self.epochs_started += 1
        mistakes = 0
        for _ in range(len(self.X)):
            i = self.position % len(self.X)
            mistakes += self._apply(i)
            self.position = i + 1
        self.current = None
        outcome = "no mistake: the rule has converged" if mistakes == 0 else f"{mistakes} mistake(s)"
        self.message = f"one epoch ({len(self.X)} samples): {outcome}"
        self.update()
        return mistakes

    def reset(self):
        """Back to the starting weights and the first sample."""
        self._set_weights(np.array(self.initial[:2]), self.initial[2])
        self.position, self.epochs_started, self.current = 0, 0, None
        self.message = "reset: starting weights; the next step visits sample 0"
        self.update()

    def _apply(self, i):
        self.model.lr = float(self.controls["lr"].value)
        self.model.weight, self.model.bias = self.weight, self.bias
        mistake = self.model.update(self.X[i], int(self.y[i]), epoch=self.epochs_started, index=i)
        if mistake:
            self._set_weights(self.model.weight, self.model.bias)
        return mistake

    def _set_weights(self, weight, bias):
        self._quiet = True  # one redraw for the three sliders, not three
        try:
            for name, value in zip(("w1", "w2", "b"), (*weight, bias), strict=True):
                control = self.controls[name]
                limit = max(self.slider_limit, abs(float(value)))
                if limit > control.max:  # the rule may leave the slider's range: widen it rather than clip
                    control.max, control.min = limit, -limit
                control.value = float(value)
        finally:
            self._quiet = False

    # ------------------------------------------------------------------------ drawing
    def _load(self):
        """Load the chosen data set, start again from the starting weights, and draw the axes afresh."""
        self._set_weights(np.array(self.initial[:2]), self.initial[2])
        self.X, self.y = load_dataset(self.controls["dataset"].value, rng=self.rng)
        self.position, self.epochs_started, self.current = 0, 0, None
        self.message = "move the sliders, or let the rule learn with step / epoch"
        ax = self.ax
        ax.clear()
        pad = 0.5 if len(self.X) == 4 else 0.3 * np.ptp(self.X, axis=0).max()
        xlim = (self.X[:, 0].min() - pad, self.X[:, 0].max() + pad)
        ylim = (self.X[:, 1].min() - pad, self.X[:, 1].max() + pad)
        scatter_classes(ax, self.X, self.y, s=60, legend=False)
        self.rings = ax.scatter([], [], s=260, facecolors="none", edgecolors=COLORS["highlight"],
                                linewidths=2, label="misclassified", zorder=4)
        (self.marker,) = ax.plot([], [], "s", ms=18, mfc="none", mec=COLORS["boundary"], mew=1.5,
                                 label="visited by step", zorder=4)
        self.boundary = linear_boundary(ax, self.weight, self.bias, xlim=xlim, ylim=ylim)
        ax.set_aspect("equal", adjustable="box")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8)

    def _on_dataset(self):
        self._load()
        self.update()

    def _on_slider(self):
        if not self._quiet:
            self.update()

    def update(self):
        """Redraw from the controls: the line, the rings around misclassified points, the counts."""
        self.boundary.set(self.weight, self.bias)
        wrong = self.misclassified
        self.rings.set_offsets(self.X[wrong] if wrong.any() else np.empty((0, 2)))
        if self.current is None:
            self.marker.set_data([], [])
        else:
            self.marker.set_data([self.X[self.current, 0]], [self.X[self.current, 1]])
        name = self.controls["dataset"].value
        self.ax.set_title(f"{name}: {self.n_errors} of {len(self.X)} points misclassified")
        w1, w2, b = self.controls["w1"].value, self.controls["w2"].value, self.controls["b"].value
        self.status.value = (f"<b>{self.n_errors} error(s)</b> &nbsp; w = ({w1:.3g}, {w2:.3g}), b = {b:.3g}"
                             f" &nbsp;|&nbsp; {self.message}")
        self.redraw()
