"""The universal-approximation playground: pick a target, a number of hidden units and a way to choose the
weights, and see the fit and its error.

Two panels over ``x ∈ [-1, 1]``: the target ``f`` and the network's output ``ŷ`` (with a tick for each
hidden unit where its kink or transition lies), and the error ``ŷ − f`` with its maximum and RMS in the
title. The targets are the course's 1-D functions (``nncourse.data.TARGET_FUNCTIONS``: sine, abs, step,
sawtooth) or a formula typed by the learner (parsed by :func:`nncourse.universal.safe_expression`, which
allows only ``x``, numbers, ``+ - * / **`` and a list of NumPy functions). The constructions:

* ``"sigmoid"``: hand-built bumps from steep sigmoids, a staircase (:func:`~nncourse.universal.bump_network`);
* ``"relu"``: hand-built ReLU hats, the piecewise-linear interpolant;
* ``"random"``: random hidden features and a least-squares output layer
  (:func:`~nncourse.universal.random_features_fit`);
* ``"trained"``: the same one-hidden-layer ReLU network trained by gradient descent
  (:func:`~nncourse.universal.trained_fit`, ``TRAIN_EPOCHS`` full-batch steps). Training takes up to a few
  tenths of a second, so results are cached and the sliders update on release.
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from nncourse import universal
from nncourse.data import target_function
from nncourse.plot import COLORS, SIZES
from nncourse.widgets._base import FigureWidget

TARGETS = ("sine", "abs", "step", "sawtooth", "custom")
CONSTRUCTIONS = {
    "sigmoid": "bumps: sigmoid steps",
    "relu": "bumps: ReLU hats",
    "random": "random features + least squares",
    "trained": "trained (gradient descent)",
}
INTERVAL = (-1.0, 1.0)
N_GRID = 401  # points where f, ŷ and the error are evaluated and drawn
N_TRAIN = 200  # samples used by the random-feature and trained fits
TRAIN_EPOCHS = 500
MAX_UNITS = 64
MAX_SEED = 9


class ApproximationPlayground(FigureWidget):
    """Approximate a 1-D function with one hidden layer of ``n_units`` units, built, drawn at random or
    trained.

    Controls (``self.controls``): ``"target"`` (one of ``TARGETS``), ``"expression"`` (the formula used when
    the target is ``"custom"``), ``"n_units"`` (1 to ``MAX_UNITS``), ``"construction"`` (a key of
    ``CONSTRUCTIONS``) and ``"seed"`` (0 to ``MAX_SEED``, for the random features and the initial weights of
    training).

    Headless use: set a control's ``value`` (each change calls :meth:`update`), then read ``target_line``,
    ``fit_line``, ``error_line`` and ``unit_ticks`` (matplotlib artists), ``errors`` (``(max, rms)``, or
    ``None`` when the target is invalid), ``status`` (an HTML widget with messages) and the axes' titles.
    """

    height = "470px"

    def __init__(
        self, target="sine", n_units=8, construction="sigmoid", expression="sin(3*x) + x**2", seed=0
    ):
        where = "ApproximationPlayground"
        if target not in TARGETS:
            raise ValueError(f"{where}: target must be one of {list(TARGETS)}, got {target!r}")
        if construction not in CONSTRUCTIONS:
            raise ValueError(
                f"{where}: construction must be one of {list(CONSTRUCTIONS)}, got {construction!r}"
            )
        # The sliders would silently clamp an out-of-range value.
        for name, value, top in (("n_units", n_units, MAX_UNITS), ("seed", seed, MAX_SEED)):
            low = 1 if name == "n_units" else 0
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= top:
                raise ValueError(f"{where}: {name} must be an integer from {low} to {top}, got {value!r}")
        fig, (self.ax_fit, self.ax_error) = plt.subplots(
            2,
            1,
            figsize=(SIZES["medium"][0] + 1.0, SIZES["medium"][1] + 1.2),
            sharex=True,
            gridspec_kw={"height_ratios": (2, 1)},
        )
        super().__init__(fig)
        self.controls = {
            "target": widgets.Dropdown(options=TARGETS, value=target, description="target"),
            "expression": widgets.Text(value=expression, description="f(x) =", continuous_update=False),
            "n_units": widgets.IntSlider(
                value=n_units, min=1, max=MAX_UNITS, description="hidden units", continuous_update=False
            ),
            "construction": widgets.Dropdown(
                options=[(label, key) for key, label in CONSTRUCTIONS.items()],
                value=construction,
                description="weights",
            ),
            "seed": widgets.IntSlider(value=seed, min=0, max=MAX_SEED, description="seed", continuous_update=False),
        }
        self.status = widgets.HTML()
        self.x = np.linspace(*INTERVAL, N_GRID)
        self.x_train = np.linspace(*INTERVAL, N_TRAIN)
        self.target_line = self.ax_fit.plot([], [], color=COLORS["target"], label="target f")[0]
        self.fit_line = self.ax_fit.plot([], [], color=COLORS["model"], label="network ŷ")[0]
        self.unit_ticks = self.ax_fit.plot(
            [], [], "|", color=COLORS["neutral"], markersize=10, label="hidden units"
        )[0]
        self.error_line = self.ax_error.plot([], [], color=COLORS["highlight"])[0]
        self.ax_error.axhline(0.0, color=COLORS["neutral"], linewidth=1)
        self.ax_fit.set(xlim=INTERVAL, ylabel="value")
        self.ax_fit.legend(loc="upper left", fontsize=8)
        self.ax_error.set(xlabel="x", ylabel="ŷ − f")
        self.errors = None
        self._cache = {}  # (target key, n_units, construction, seed) -> (ŷ on the grid, unit positions)
        self.observe_controls()
        self.ui = widgets.HBox(
            [
                widgets.VBox([*self.controls.values(), self.status], layout=widgets.Layout(width="340px")),
                self.output,
            ]
        )
        self.update()

    def _target(self):
        """The target function and a key naming it; raises ValueError for a bad custom formula."""
        name = self.controls["target"].value
        if name != "custom":
            return target_function(name), name
        text = self.controls["expression"].value
        f = universal.safe_expression(text)
        if not np.all(np.isfinite(f(self.x))):
            raise ValueError(f"f(x) = {text} is not finite everywhere on [-1, 1]")
        return f, f"custom: {text.strip()}"

    def _fit(self, f, key, n_units, construction, seed):
        """ŷ on the grid and the positions of the hidden units (kinks, step centres), cached."""
        cache_key = (key, n_units, construction, seed)
        if cache_key not in self._cache:
            if construction in ("sigmoid", "relu"):
                network = universal.bump_network(f, n_units, INTERVAL, kind=construction)
            elif construction == "random":
                network = universal.random_features_fit(self.x_train, f(self.x_train), n_units, rng=seed)
            else:
                network = universal.trained_fit(
                    self.x_train, f(self.x_train), n_units, epochs=TRAIN_EPOCHS, rng=seed
                )
            (W1, b1), _ = network.layers
            with np.errstate(divide="ignore", invalid="ignore"):
                positions = -b1 / W1[:, 0]  # where each unit's pre-activation w x + b is zero
            positions = positions[
                np.isfinite(positions) & (positions >= INTERVAL[0]) & (positions <= INTERVAL[1])
            ]
            self._cache[cache_key] = (network(self.x), positions)
        return self._cache[cache_key]

    def update(self):
        n_units = int(self.controls["n_units"].value)
        construction = self.controls["construction"].value
        self.controls["expression"].disabled = self.controls["target"].value != "custom"
        try:
            f, key = self._target()
        except ValueError as exc:
            self._show_invalid(str(exc))
            return
        y = f(self.x)
        y_hat, positions = self._fit(f, key, n_units, construction, int(self.controls["seed"].value))
        error = y_hat - y
        self.errors = (float(np.max(np.abs(error))), float(np.sqrt(np.mean(error**2))))
        low, high = float(min(y.min(), y_hat.min())), float(max(y.max(), y_hat.max()))
        pad = 0.1 * (high - low) + 0.05
        self.target_line.set_data(self.x, y)
        self.fit_line.set_data(self.x, y_hat)
        self.unit_ticks.set_data(positions, np.full(len(positions), low - 0.5 * pad))
        self.error_line.set_data(self.x, error)
        self.ax_fit.set_ylim(low - pad, high + pad)
        span = max(float(np.max(np.abs(error))), 1e-12) * 1.15
        self.ax_error.set_ylim(-span, span)
        self.ax_fit.set_title(
            f"{key} with {n_units} hidden unit{'s' if n_units > 1 else ''}: {CONSTRUCTIONS[construction]}"
        )
        self.ax_error.set_title(f"error: max |ŷ − f| = {self.errors[0]:.3g}, RMS = {self.errors[1]:.3g}")
        note = ""
        if key == "step":
            note = (
                "The step is not continuous, so the theorem does not apply: no continuous ŷ gets the maximum "
                "error below 1/2, but the RMS error still shrinks."
            )
        elif construction == "trained":
            note = f"{TRAIN_EPOCHS} steps of full-batch gradient descent from a random start."
        self.status.value = f"<small>{note}</small>"
        self.redraw()

    def _show_invalid(self, message):
        self.errors = None
        for line in (self.target_line, self.fit_line, self.unit_ticks, self.error_line):
            line.set_data([], [])
        self.ax_fit.set_title("no valid target: fix the formula")
        self.ax_error.set_title("")
        self.status.value = f"<span style='color:{COLORS['highlight']}'>{_escape(message)}</span>"
        self.redraw()


def _escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
