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
* ``"trained"``: the same one-hidden-layer ReLU network trained by full-batch gradient descent, as
  :func:`~nncourse.universal.trained_fit` does, but live: the fit moves as it learns, ``STEPS_PER_FRAME``
  steps per frame up to ``TRAIN_EPOCHS`` (play, pause, step, restart).

The seed matters only for the random features and the trained network: it is disabled for the others.
"""

import ipywidgets as widgets
import numpy as np

from nncourse import nn, optim, universal
from nncourse.data import target_function
from nncourse.plot import COLORS
from nncourse.widgets import _canvas as draw
from nncourse.widgets._base import LABEL_STYLE, CanvasWidget, check_choice, check_int, reset_button
from nncourse.widgets.live import PlayControls

TARGETS = ("sine", "abs", "step", "sawtooth", "custom")
CONSTRUCTIONS = {
    "sigmoid": "bumps: sigmoid steps",
    "relu": "bumps: ReLU hats",
    "random": "random features + least squares",
    "trained": "trained (gradient descent)",
}
SEEDED = ("random", "trained")  # the constructions that draw random numbers
INTERVAL = (-1.0, 1.0)
N_GRID = 401  # points where f, ŷ and the error are evaluated and drawn
N_TRAIN = 200  # samples used by the random-feature and trained fits
TRAIN_EPOCHS = 500
STEPS_PER_FRAME = 10
MAX_UNITS = 64
MAX_SEED = 9


class ApproximationPlayground(CanvasWidget):
    """Approximate a 1-D function with one hidden layer of ``n_units`` units, built, drawn at random or
    trained.

    Controls (``self.controls``): ``"target"`` (one of ``TARGETS``), ``"expression"`` (the formula used when
    the target is ``"custom"``), ``"n_units"`` (1 to ``MAX_UNITS``), ``"construction"`` (a key of
    ``CONSTRUCTIONS``) and ``"seed"`` (0 to ``MAX_SEED``, for the random features and the initial weights of
    training).

    Headless use: set a control's ``value``, then read ``errors`` (``(max, rms)``, or ``None`` when the target
    is invalid), ``y``, ``y_hat``, ``unit_positions``, ``status`` (an HTML widget with messages) and
    ``panels`` (the scene drawn). With ``"trained"``, :meth:`advance` trains one frame's steps and
    :meth:`train_to_end` the rest; ``epoch`` counts the steps taken.

    >>> playground = ApproximationPlayground(target="abs", n_units=8, construction="relu")
    >>> round(playground.errors[0], 3)
    0.0
    >>> playground.controls["construction"].value = "trained"
    >>> playground.train_to_end(); playground.epoch
    500
    """

    where = "ApproximationPlayground"

    def __init__(self, target="sine", n_units=8, construction="sigmoid", expression="sin(3*x) + x**2", seed=0):
        check_choice(self.where, "target", target, TARGETS)
        check_choice(self.where, "construction", construction, CONSTRUCTIONS)
        check_int(self.where, "n_units", n_units, 1, MAX_UNITS)
        check_int(self.where, "seed", seed, 0, MAX_SEED)
        super().__init__(width=520, height=440, description="a target function and a one-hidden-layer fit")
        wide = dict(style=LABEL_STYLE, layout=widgets.Layout(width="320px"))
        self.controls = {
            "target": widgets.Dropdown(options=TARGETS, value=target, description="target f", **wide),
            "expression": widgets.Text(value=expression, description="custom f(x) =", continuous_update=False,
                                       **wide),
            "n_units": widgets.IntSlider(value=n_units, min=1, max=MAX_UNITS, description="hidden units",
                                         **wide),
            "construction": widgets.Dropdown(options=[(label, key) for key, label in CONSTRUCTIONS.items()],
                                             value=construction, description="weights", **wide),
            "seed": widgets.IntSlider(value=seed, min=0, max=MAX_SEED, description="seed (random draws)", **wide),
        }
        self.play = PlayControls(self.canvas, advance=self.advance, reset=self.restart_training,
                                 what="train by gradient descent")
        self.play.reset_button.description = "restart"
        self.status = widgets.HTML(layout=widgets.Layout(width="330px"))
        self.x = np.linspace(*INTERVAL, N_GRID)
        self.x_train = np.linspace(*INTERVAL, N_TRAIN)
        self._cache = {}  # (target key, n_units, construction, seed) -> (ŷ on the grid, unit positions)
        self._training = None  # the live training run: (its key, model, optimizer)
        self.observe_controls()
        self.ui = widgets.HBox([
            widgets.VBox([*self.controls.values(), self.play.box, reset_button(self), self.status],
                         layout=widgets.Layout(width="340px")),
            self.canvas,
        ])
        self.ui.add_class("nncourse-widget")
        self.update()

    # -- the target and the fits --------------------------------------------------------------------------------

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
            else:
                network = universal.random_features_fit(self.x_train, f(self.x_train), n_units, rng=seed)
            (W1, b1), _ = network.layers
            self._cache[cache_key] = (network(self.x), _kinks(W1[:, 0], b1))
        return self._cache[cache_key]

    def restart_training(self):
        """Back to step 0 of the trained fit: the same random initialisation."""
        self._training = None
        self.update()

    def _new_training(self, f, key):
        """A new network at its random initialisation, to train from step 0 with trained_fit's recipe."""
        n_units, seed = int(self.controls["n_units"].value), int(self.controls["seed"].value)
        rng = np.random.default_rng(seed)
        model = nn.build_mlp([1, n_units, 1], "relu", dtype=np.float64, rng=rng)
        optimizer = optim.SGD(model.parameters(), lr=min(0.2, 2.0 / n_units))
        self._training = ((key, n_units, seed), model, optimizer, f(self.x_train)[:, None])
        self.epoch = 0

    def advance(self):
        """Train ``STEPS_PER_FRAME`` more steps and redraw; False once ``TRAIN_EPOCHS`` steps are done."""
        if self.controls["construction"].value != "trained" or self._training is None:
            return False
        _, model, optimizer, targets = self._training
        criterion = nn.MSELoss()
        X = self.x_train[:, None]
        for _ in range(min(STEPS_PER_FRAME, TRAIN_EPOCHS - self.epoch)):
            model.zero_grad()
            criterion(model(X), targets)
            model.backward(criterion.backward())
            optimizer.step()
            self.epoch += 1
        self.update()
        return self.epoch < TRAIN_EPOCHS

    def train_to_end(self):
        """Train the remaining steps at once (what "play" shows frame by frame)."""
        while self.advance():
            pass

    # -- drawing -----------------------------------------------------------------------------------------------

    def changed(self):
        self.play.pause()
        self.update()
        if self.controls["construction"].value == "trained" and self.errors is not None:
            self.play.play.value = True  # a new trained fit starts learning at once, in front of the learner

    def reset(self):
        self.play.pause()
        super().reset()

    def update(self):
        super().update()
        # Grey out what the current choice does not use, after the picture: that is what the learner waits for.
        construction = self.controls["construction"].value
        self.controls["expression"].disabled = self.controls["target"].value != "custom"
        self.controls["seed"].disabled = construction not in SEEDED
        for button in (self.play.play, self.play.step_button, self.play.reset_button):
            button.disabled = construction != "trained"

    def scene(self):
        construction = self.controls["construction"].value
        trained = construction == "trained"
        try:
            f, key = self._target()
        except ValueError as exc:
            return self._invalid(str(exc))
        n_units, seed = int(self.controls["n_units"].value), int(self.controls["seed"].value)
        if trained:
            if self._training is None or self._training[0] != (key, n_units, seed):
                self._new_training(f, key)
            model = self._training[1]
            y_hat = model(self.x[:, None])[:, 0]
            positions = _kinks(model[0].weight.data[:, 0], model[0].bias.data)
        else:
            y_hat, positions = self._fit(f, key, n_units, construction, seed)
        self.y, self.y_hat, self.unit_positions = f(self.x), y_hat, positions
        error = y_hat - self.y
        self.errors = (float(np.max(np.abs(error))), float(np.sqrt(np.mean(error**2))))
        return self._panels(key, n_units, construction, error)

    def _panels(self, key, n_units, construction, error):
        low, high = float(min(self.y.min(), self.y_hat.min())), float(max(self.y.max(), self.y_hat.max()))
        pad = 0.1 * (high - low) + 0.05
        tick_y = low - 0.5 * pad
        units = f"{n_units} hidden unit{'s' if n_units > 1 else ''}"
        title = f"{_shorten(key)}, {units}: {CONSTRUCTIONS[construction]}"
        if construction == "trained":
            title = f"{_shorten(key)}, {units}: trained, step {self.epoch} of {TRAIN_EPOCHS}"
        fit = draw.panel(
            [55, 30, 445, 230], xlim=INTERVAL, ylim=(low - pad, high + pad), ylabel="value", title=title,
            title_size=12,
            items=[draw.line(self.x, self.y, color=COLORS["target"]),
                   draw.line(self.x, self.y_hat, color=COLORS["model"]),
                   draw.points(self.unit_positions, np.full(len(self.unit_positions), tick_y), marker="|", size=6,
                               color="none", edge=COLORS["neutral"], edgewidth=1.5)],
            legend=[draw.legend_entry("target f", COLORS["target"]), draw.legend_entry("network ŷ", COLORS["model"]),
                    draw.legend_entry("hidden units", "none", marker="|", edge=COLORS["neutral"], edgewidth=1.5)])
        span = max(float(np.max(np.abs(error))), 1e-12) * 1.15
        errors = draw.panel(
            [55, 300, 445, 95], xlim=INTERVAL, ylim=(-span, span), xlabel="x", ylabel="ŷ − f", title_size=12,
            title=f"error: max |ŷ − f| = {self.errors[0]:.3g}, RMS = {self.errors[1]:.3g}",
            items=[draw.line(INTERVAL, (0, 0), color=COLORS["neutral"], width=1),
                   draw.line(self.x, error, color=COLORS["highlight"])])
        note = ""
        if key == "step":
            note = ("The step is not continuous, so the theorem does not apply: no continuous ŷ gets the maximum "
                    "error below 1/2, but the RMS error still shrinks.")
        elif construction == "trained":
            note = (f"Full-batch gradient descent from a random start, {STEPS_PER_FRAME} steps per frame: "
                    "play, pause, step or restart it.")
        self.status.value = f"<small>{note}</small>"
        return [fit, errors]

    def _invalid(self, message):
        self.errors = None
        self.status.value = f"<span style='color:{COLORS['highlight']}'>{_escape(message)}</span>"
        hint = draw.label(0.0, 0.5, "no valid target: fix the formula on the left", size=13,
                          color=COLORS["highlight"])
        return [draw.panel([55, 30, 445, 230], xlim=INTERVAL, ylim=(0, 1), items=[hint], title="no valid target"),
                draw.panel([55, 300, 445, 95], xlim=INTERVAL, ylim=(-1, 1), xlabel="x", ylabel="ŷ − f")]


def _kinks(w, b):
    """Where each unit's pre-activation ``w x + b`` is zero, for the units whose zero lies in the interval."""
    with np.errstate(divide="ignore", invalid="ignore"):
        positions = -b / w
    return positions[np.isfinite(positions) & (positions >= INTERVAL[0]) & (positions <= INTERVAL[1])]


def _shorten(text, limit=34):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
