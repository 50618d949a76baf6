"""The perceptron playground: move a line by hand, or let Rosenblatt's rule move it, one step at a time.

Sliders set :math:`w_1, w_2, b`; the plot shows the line :math:`w \\cdot x + b = 0`, its normal vector
:math:`w`, the class-1 side shaded, and rings around the points the perceptron gets wrong. "step" applies
the rule to the next sample (in order), "epoch" to every sample once, "play" steps on its own until an epoch
passes without a mistake (or ``MAX_EPOCHS`` epochs), "reset" restores the starting weights.

The weights live in the widget (``weight``, ``bias``), not in the sliders: the sliders show them rounded
to their step, and a slider the rule moved never writes its rounded value back.
"""

import ipywidgets as widgets
import numpy as np

from nncourse._checks import as_array
from nncourse.data.logic import logic_gate, separable_blobs
from nncourse.functional import step
from nncourse.perceptron import Perceptron
from nncourse.plot import CLASS_COLORS, CLASS_MARKERS, COLORS
from nncourse.plot.linear import half_plane, line_segment
from nncourse.widgets import _canvas as draw
from nncourse.widgets._base import LABEL_STYLE, CanvasWidget, check_choice, check_float
from nncourse.widgets.live import PlayControls

DATASETS = ("AND", "OR", "NAND", "XOR", "separable blobs")
SLIDER_LIMIT = 3.0
SLIDER_STEP = 0.05
MAX_EPOCHS = 50  # play stops here when the data are not linearly separable (XOR)
PLOT = 300  # the plot's longer side, in pixels


def load_dataset(name, *, rng=0):
    """The points ``X`` (float64, shape ``(n, 2)``) and labels ``y`` the playground shows for ``name``.

    >>> X, y = load_dataset("XOR"); X.shape, y.tolist()
    ((4, 2), [0, 1, 1, 0])
    """
    check_choice("PerceptronPlayground", "dataset", name, DATASETS)
    if name == "separable blobs":
        return separable_blobs(24, margin=0.3, spread=0.6, rng=rng, dtype=np.float64)
    return logic_gate(name.lower(), dtype=np.float64)


class PerceptronPlayground(CanvasWidget):
    """Sliders for ``w1``, ``w2``, ``b`` over a chosen data set, and buttons for the learning rule.

    Args:
        dataset: one of ``DATASETS`` (default ``"AND"``).
        weight, bias: the starting weights, restored by "reset" (default a line that computes OR); each
            within ``±SLIDER_LIMIT``.
        lr: the learning rate the buttons use (also a slider), from 0.05 to 1.
        rng: the seed of the separable blobs.

    Headless use: set a control's ``value``, or call :meth:`step`, :meth:`epoch`, :meth:`reset`; then read
    ``weight``, ``bias``, ``misclassified``, ``n_errors`` and ``panels`` (the scene drawn).

    >>> playground = PerceptronPlayground("AND")
    >>> playground.n_errors                       # the starting line computes OR: two AND points are wrong
    2
    >>> while playground.epoch():
    ...     pass
    >>> playground.n_errors
    0
    """

    where = "PerceptronPlayground"

    def __init__(self, dataset="AND", *, weight=(1.0, 1.0), bias=-0.5, lr=0.5, rng=0):
        check_choice(self.where, "dataset", dataset, DATASETS)
        weight = as_array(weight, "weight", self.where, ndim=1, shape_doc="(2,)").astype(np.float64)
        if weight.shape != (2,):
            raise ValueError(f"{self.where}: weight must have 2 entries (w1, w2), got shape {weight.shape}")
        for name, value in (("weight[0]", weight[0]), ("weight[1]", weight[1]), ("bias", bias)):
            check_float(self.where, name, value, -SLIDER_LIMIT, SLIDER_LIMIT)
        lr = check_float(self.where, "lr", lr, 0.05, 1.0)
        super().__init__(width=500, height=370, description="the perceptron's line over the data set")
        self.initial = (float(weight[0]), float(weight[1]), float(bias))
        self.rng = rng
        self.model = Perceptron(lr=lr, dtype=np.float64)
        slider = dict(min=-SLIDER_LIMIT, max=SLIDER_LIMIT, step=SLIDER_STEP, readout_format=".2f",
                      continuous_update=True, style=LABEL_STYLE, layout=widgets.Layout(width="320px"))
        self.controls = {
            "w1": widgets.FloatSlider(value=self.initial[0], description="weight w1", **slider),
            "w2": widgets.FloatSlider(value=self.initial[1], description="weight w2", **slider),
            "b": widgets.FloatSlider(value=self.initial[2], description="bias b", **slider),
            "dataset": widgets.Dropdown(options=DATASETS, value=dataset, description="data set", style=LABEL_STYLE,
                                        layout=widgets.Layout(width="320px")),
            "lr": widgets.FloatSlider(value=lr, min=0.05, max=1.0, step=0.05, description="learning rate η",
                                      style=LABEL_STYLE, layout=widgets.Layout(width="320px")),
        }
        self.buttons = {
            "step": widgets.Button(description="step", tooltip="apply the rule to the next sample",
                                   layout={"width": "75px"}),
            "epoch": widgets.Button(description="epoch", tooltip="apply the rule to every sample once",
                                    layout={"width": "75px"}),
        }
        self.buttons["step"].on_click(lambda _b: self.step())
        self.buttons["epoch"].on_click(lambda _b: self.epoch())
        self.play = PlayControls(self.canvas, advance=self._play_step, reset=self.reset, interval=250,
                                 what="apply the rule step by step until an epoch has no mistake")
        self.play.step_button.layout.display = "none"  # "step" above is the rule's own step
        self.status = widgets.HTML(layout=widgets.Layout(width="330px"))
        self.controls["dataset"].observe(lambda _c: self._on_dataset(), names="value")
        for name in ("w1", "w2", "b"):
            self.controls[name].observe(lambda change, name=name: self._on_weight_slider(name, change), names="value")
        self.controls["lr"].observe(lambda _c: self._on_lr(), names="value")
        self.ui = widgets.HBox([
            widgets.VBox([self.controls[k] for k in ("w1", "w2", "b", "dataset", "lr")]
                         + [widgets.HBox([self.buttons["step"], self.buttons["epoch"], self.play.play,
                                          self.play.reset_button]), self.status],
                         layout=widgets.Layout(width="340px")),
            self.canvas,
        ])
        self.ui.add_class("nncourse-widget")
        self._load()
        self.update()

    # ------------------------------------------------------------------------ state
    @property
    def misclassified(self):
        """Boolean mask of the points the current line gets wrong."""
        return step(self.X @ self.weight + self.bias) != self.y

    @property
    def n_errors(self):
        return int(np.count_nonzero(self.misclassified))

    def _set_weights(self, weight, bias):
        """The one place the rule changes the weights; the sliders follow after the next redraw."""
        self.weight, self.bias = np.array(weight, dtype=np.float64), float(bias)
        self._sliders_stale = True

    def _sync_sliders(self):
        """Show the weights on the sliders, quietly, rounded to their step."""
        self._sliders_stale = False
        with self.quiet():
            for name, value in zip(("w1", "w2", "b"), (*self.weight, self.bias), strict=True):
                control = self.controls[name]
                limit = max(SLIDER_LIMIT, np.ceil(abs(value)))
                if limit > control.max:  # the rule may leave the slider's range: widen it rather than clip
                    control.max, control.min = limit, -limit
                control.value = round(round(value / SLIDER_STEP) * SLIDER_STEP, 10)

    def _on_weight_slider(self, name, change):
        if self._quiet:
            return
        index = ("w1", "w2", "b").index(name)
        current = (*self.weight, self.bias)[index]
        # A browser that snaps a value the rule set to the slider's step sends the snapped value back:
        # that is display rounding, not the learner's move, and must not overwrite the exact weight.
        if abs(change.new - current) < SLIDER_STEP / 2 - 1e-9:
            return
        values = [*self.weight, self.bias]
        values[index] = float(change.new)
        self.weight, self.bias = np.array(values[:2]), values[2]
        self.message = "moved by hand"
        self.update()

    def _on_lr(self):
        self.model.lr = float(self.controls["lr"].value)
        self.update()

    # ------------------------------------------------------------------------ the learning rule
    def step(self):
        """Apply the rule to the next sample (cycling through the data in order); return True on a mistake."""
        i = self.position % len(self.X)
        if i == 0:
            self.epochs_started += 1
            self.epoch_mistakes = 0
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
        """Apply the rule to every sample once, in order, starting where the last step stopped; return the
        number of mistakes."""
        mistakes = 0
        for _ in range(len(self.X)):
            i = self.position % len(self.X)
            if i == 0:
                self.epochs_started += 1
                self.epoch_mistakes = 0
            mistakes += self._apply(i)
            self.position = i + 1
        self.current = None
        outcome = "no mistake: the rule has converged" if mistakes == 0 else f"{mistakes} mistake(s)"
        self.message = f"epoch {self.epochs_started} ({len(self.X)} samples): {outcome}"
        self.update()
        return mistakes

    def _play_step(self):
        """One step of "play"; False (stop) after a whole epoch without a mistake, or after MAX_EPOCHS."""
        self.step()
        if self.position % len(self.X) == 0:
            if self.epoch_mistakes == 0:
                self.message = f"epoch {self.epochs_started} had no mistake: converged"
                self.update()
                return False
            if self.epochs_started >= MAX_EPOCHS:
                self.message = f"still making mistakes after {MAX_EPOCHS} epochs: no line separates these points"
                self.update()
                return False
        return True

    def reset(self):
        """Back to the starting weights and the first sample (the data set and learning rate stay)."""
        self.play.pause()
        self._set_weights(self.initial[:2], self.initial[2])
        self.position, self.epochs_started, self.epoch_mistakes, self.current = 0, 0, 0, None
        self.message = "reset: starting weights; the next step visits sample 0"
        self.update()

    def _apply(self, i):
        self.model.weight, self.model.bias = self.weight.copy(), self.bias
        mistake = self.model.update(self.X[i], int(self.y[i]), epoch=self.epochs_started, index=i)
        if mistake:
            self.epoch_mistakes += 1
            self._set_weights(self.model.weight, self.model.bias)
        return mistake

    def _load(self):
        """Load the chosen data set and start again from the starting weights."""
        self.X, self.y = load_dataset(self.controls["dataset"].value, rng=self.rng)
        self._set_weights(self.initial[:2], self.initial[2])
        self.position, self.epochs_started, self.epoch_mistakes, self.current = 0, 0, 0, None
        self.message = "move the sliders, or let the rule learn with step, epoch or play"
        pad = 0.5 if len(self.X) == 4 else 0.3 * np.ptp(self.X, axis=0).max()
        self.xlim = (self.X[:, 0].min() - pad, self.X[:, 0].max() + pad)
        self.ylim = (self.X[:, 1].min() - pad, self.X[:, 1].max() + pad)

    def _on_dataset(self):
        self.play.pause()
        self._load()
        self.update()

    # ------------------------------------------------------------------------ drawing
    def scene(self):
        """The data, the line, its normal, the class-1 side and the rings, with a legend to the right."""
        w, b, wrong = self.weight, self.bias, self.misclassified
        items = []
        region = half_plane(w, b, self.xlim, self.ylim)
        if len(region):
            items.append(draw.polygon(region[:, 0], region[:, 1], color=COLORS["class1"], alpha=0.15))
        segment = line_segment(w, b, self.xlim, self.ylim)
        if len(segment):
            items.append(draw.line(segment[:, 0], segment[:, 1], color=COLORS["boundary"]))
            # w, drawn from the point of the line nearest the centre, towards the class-1 side.
            centre = np.array([np.mean(self.xlim), np.mean(self.ylim)])
            foot = centre - (centre @ w + b) / (w @ w) * w
            length = 0.15 * np.hypot(np.ptp(self.xlim), np.ptp(self.ylim))
            items.append(draw.arrow(foot, foot + length * w / np.linalg.norm(w), width=1.5))
        legend = []
        for k in (0, 1):
            mask = self.y == k
            items.append(draw.points(self.X[mask, 0], self.X[mask, 1], color=CLASS_COLORS[k],
                                     marker=CLASS_MARKERS[k], size=7 if len(self.X) == 4 else 5))
            legend.append(draw.legend_entry(f"class {k}", CLASS_COLORS[k], marker=CLASS_MARKERS[k], edge="white"))
        if wrong.any():
            items.append(draw.points(self.X[wrong, 0], self.X[wrong, 1], color="none", size=13,
                                     edge=COLORS["highlight"], edgewidth=2))
        if self.current is not None:
            items.append(draw.points([self.X[self.current, 0]], [self.X[self.current, 1]], color="none",
                                     marker="s", size=14, edge=COLORS["boundary"], edgewidth=1.5))
        legend += [
            draw.legend_entry("w·x + b = 0", COLORS["boundary"]),
            draw.legend_entry("class-1 side", COLORS["class1"], width=8),
            draw.legend_entry("misclassified", "none", marker="o", edge=COLORS["highlight"], edgewidth=2),
            draw.legend_entry("visited by step", "none", marker="s", edge=COLORS["boundary"], edgewidth=1.5),
        ]
        width, height = np.ptp(self.xlim), np.ptp(self.ylim)
        box_w, box_h = (PLOT, PLOT * height / width) if width >= height else (PLOT * width / height, PLOT)
        name = self.controls["dataset"].value
        return [draw.panel(
            [48, 30, box_w, box_h], xlim=self.xlim, ylim=self.ylim, items=items, xlabel="x₁", ylabel="x₂",
            title=f"{name}: {self.n_errors} of {len(self.X)} misclassified (η = {self.model.lr:g})",
            legend=legend, legend_at=(box_w + 8, 0), title_size=12)]

    def update(self):
        super().update()  # the picture first: it is what the learner is waiting for
        if self._sliders_stale:
            self._sync_sliders()
        self.status.value = (f"<b>{self.n_errors} error(s)</b> &nbsp; w = ({self.weight[0]:.3g}, "
                             f"{self.weight[1]:.3g}), b = {self.bias:.3g}<br>{self.message}")
