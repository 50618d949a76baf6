"""A regularization lab in the spirit of TensorFlow Playground: train a small MLP on a 2-D problem, live, and
watch what L1, L2, dropout, batch size and normalisation do to its decision boundary and its test loss.

Everything the lab computes comes from the package: the data sets from :mod:`nncourse.data.planar` and
:func:`nncourse.data.train_val_split`, the layers (``Linear``, ``BatchNorm1d``, ``LayerNorm``, ``Dropout``,
the activations) from :mod:`nncourse.nn`, the optimizers (``SGD``, ``Adam``, ``AdamW``) from
:mod:`nncourse.optim`, the L1 term from :func:`nncourse.nn.utils.l1_penalty_grad_`. The widget chooses, steps
and draws. Compared with TensorFlow Playground it adds dropout, batch and layer normalisation, momentum, Adam
and AdamW, and regularization rates on a finer scale (Playground's smallest rates already stop learning).
"""

import ipywidgets as widgets
import numpy as np

from nncourse import nn
from nncourse.data import train_val_split
from nncourse.data.planar import PLANAR_DATASETS, make_planar
from nncourse.nn.utils import l1_penalty_grad_
from nncourse.optim import SGD, Adam, AdamW
from nncourse.plot import CLASS_COLORS, CLASS_MARKERS, COLORS, DIVERGING_CMAP
from nncourse.widgets import _canvas as draw
from nncourse.widgets._base import LABEL_STYLE, CanvasWidget, check_choice, check_float, check_int
from nncourse.widgets._canvas import CLASS_CMAP
from nncourse.widgets.live import PlayControls

ACTIVATIONS = ("tanh", "relu", "sigmoid", "leaky_relu")
NORMALIZATIONS = ("none", "batch norm", "layer norm")
OPTIMIZERS = ("SGD", "momentum", "Adam", "AdamW")  # "momentum": SGD with momentum 0.9
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
PENALTIES = (0.0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256)
N_SAMPLES = 300  # points in every data set, before the train/test split
MAX_LAYERS, MAX_UNITS = 4, 8
PLANE = (-1.6, 1.6, -1.6, 1.6)  # x1 from, x1 to, x2 from, x2 to
GRID = 50  # points per side of the decision map
UNIT_GRID = 20  # points per side of each hidden unit's picture
UNIT_GAP = 3  # blank pixels between two units' pictures
WEIGHT_LIMIT = 1e6  # a parameter beyond this (or NaN) means the steps ran away: training stops before overflow


def _labelled(values):
    """(label, value) pairs for a SelectionSlider: ``0``, ``1e-05``, ``0.03``..."""
    return [(f"{v:g}", v) for v in values]


class RegularizationLab(CanvasWidget):
    """Train a ``2 → units → … → 1`` MLP on a two-class problem of the plane, live, with every regularizer.

    The data: ``N_SAMPLES`` points of ``dataset`` (one of :data:`nncourse.data.planar.PLANAR_DATASETS`)
    with Gaussian ``noise``, split at random into training and test points (``test_fraction`` of them for
    testing). The network: ``layers`` hidden layers of ``units`` units, each ``Linear → [BatchNorm1d |
    LayerNorm] → activation → Dropout(p)``, then ``Linear(units, 1)`` giving the logit of class 1, trained on
    ``BCEWithLogitsLoss`` by mini-batches of ``batch_size`` training points (a fresh random order every
    epoch). Each step adds the penalties' gradients to the weight matrices only (biases and normalisation
    parameters are not penalised, as usual):

    * L1: ``l1 · sign(W)`` (:func:`~nncourse.nn.utils.l1_penalty_grad_`), the gradient of ``l1 · Σ|w|``;
    * L2: the optimizer's ``weight_decay = l2``, i.e. ``l2 · W`` added to the gradient (the gradient of
      ``l2/2 · ‖W‖²``) for SGD, momentum and Adam, and the decoupled decay ``W ← (1 − γ·l2) W`` for AdamW.

    Picture: left, P(class 1) over the plane with the training points (white rings) and the test points
    (black rings); top right, the training and test loss (evaluation mode, the whole sets) after every
    frame; bottom right, every hidden unit's output over the plane (one row per layer, each picture scaled to
    its own largest magnitude: blue positive, red negative).

    Controls that change the problem or the network (data set, noise, test share, layers, units, activation,
    normalisation, optimizer, seed) start training again, and it goes on playing if it was; the learning
    rate, L1, L2, dropout rate, batch size and steps per frame apply from the next step on.

    Headless use: set ``lab.controls[name].value``, call :meth:`advance` (one frame: ``steps_per_frame``
    steps) and read ``steps``, ``history``, ``model`` and ``panels``.

    >>> lab = RegularizationLab(dataset="xor", layers=1, units=4)
    >>> lab.advance()
    True
    >>> lab.steps, len(lab.history)
    (10, 2)
    """

    where = "RegularizationLab"

    def __init__(self, *, dataset="circles", noise=0.1, test_fraction=0.5, layers=2, units=6, activation="tanh",
                 normalization="none", optimizer="SGD", lr=0.3, l1=0.0, l2=0.0, dropout=0.0, batch_size=16,
                 steps_per_frame=10, seed=0, max_steps=100_000):
        w = self.where
        check_choice(w, "dataset", dataset, PLANAR_DATASETS)
        check_float(w, "noise", noise, 0.0, 0.5)
        check_float(w, "test_fraction", test_fraction, 0.1, 0.9)
        check_int(w, "layers", layers, 0, MAX_LAYERS)
        check_int(w, "units", units, 1, MAX_UNITS)
        check_choice(w, "activation", activation, ACTIVATIONS)
        check_choice(w, "normalization", normalization, NORMALIZATIONS)
        check_choice(w, "optimizer", optimizer, OPTIMIZERS)
        check_choice(w, "lr", lr, LEARNING_RATES)
        check_choice(w, "l1", l1, PENALTIES)
        check_choice(w, "l2", l2, PENALTIES)
        check_float(w, "dropout", dropout, 0.0, 0.8)
        check_choice(w, "batch_size", batch_size, BATCH_SIZES)
        check_int(w, "steps_per_frame", steps_per_frame, 1, 50)
        check_int(w, "seed", seed, 0, 9)
        self.max_steps = check_int(w, "max_steps", max_steps, 1, 1_000_000)
        super().__init__(width=880, height=430, description="a regularization lab: a small network learning a "
                                                            "two-class problem of the plane, live")
        wide, narrow = widgets.Layout(width="290px"), widgets.Layout(width="195px")

        def slider(kind, value, description, **options):
            return kind(value=value, description=description, style=LABEL_STYLE, layout=wide,
                        continuous_update=False, **options)

        def selection(values, value, description):
            return widgets.SelectionSlider(options=_labelled(values), value=value, description=description,
                                           style=LABEL_STYLE, layout=wide, continuous_update=False)

        def dropdown(options, value, description):
            return widgets.Dropdown(options=options, value=value, description=description, style=LABEL_STYLE,
                                    layout=narrow)

        self.controls = {
            "dataset": dropdown(PLANAR_DATASETS, dataset, "data"),
            "activation": dropdown(ACTIVATIONS, activation, "activation"),
            "optimizer": dropdown(OPTIMIZERS, optimizer, "optimizer"),
            "normalization": widgets.ToggleButtons(options=NORMALIZATIONS, value=normalization,
                                                   description="normalization", style={**LABEL_STYLE,
                                                                                       "button_width": "86px"}),
            "layers": slider(widgets.IntSlider, layers, "hidden layers", min=0, max=MAX_LAYERS),
            "units": slider(widgets.IntSlider, units, "units per layer", min=1, max=MAX_UNITS),
            "noise": slider(widgets.FloatSlider, noise, "noise", min=0.0, max=0.5, step=0.05),
            "test_fraction": slider(widgets.FloatSlider, test_fraction, "test share", min=0.1, max=0.9, step=0.1),
            "seed": slider(widgets.IntSlider, seed, "initial weights (seed)", min=0, max=9),
            "lr": selection(LEARNING_RATES, lr, "learning rate"),
            "batch_size": selection(BATCH_SIZES, batch_size, "batch size"),
            "steps_per_frame": slider(widgets.IntSlider, steps_per_frame, "steps per frame", min=1, max=50),
            "l1": selection(PENALTIES, l1, "L1 rate"),
            "l2": selection(PENALTIES, l2, "L2 rate / weight decay"),
            "dropout": slider(widgets.FloatSlider, dropout, "dropout rate", min=0.0, max=0.8, step=0.05),
        }
        self.play = PlayControls(self.canvas, advance=self.advance, reset=self.reset, interval=30)
        self.observe_controls()
        c = self.controls
        self.ui = widgets.VBox([
            widgets.HBox([self.play.box, c["dataset"], c["activation"], c["optimizer"]]),
            widgets.HBox([c["normalization"], c["layers"]]),
            widgets.HBox([c["units"], c["noise"], c["test_fraction"]]),
            widgets.HBox([c["lr"], c["batch_size"], c["steps_per_frame"]]),
            widgets.HBox([c["l1"], c["l2"], c["dropout"]]),
            widgets.HBox([c["seed"]]),
            self.canvas,
        ])
        self.ui.add_class("nncourse-widget")
        xx, yy = np.meshgrid(np.linspace(PLANE[0], PLANE[1], GRID), np.linspace(PLANE[2], PLANE[3], GRID))
        self.grid = np.column_stack([xx.ravel(), yy.ravel()])
        uu, vv = np.meshgrid(np.linspace(PLANE[0], PLANE[1], UNIT_GRID), np.linspace(PLANE[2], PLANE[3], UNIT_GRID))
        self.unit_grid = np.column_stack([uu.ravel(), vv.ravel()])
        self.make_data()
        self.restart()
        self.update()

    # -- state ----------------------------------------------------------------------------------------------

    def _value(self, name):
        return self.controls[name].value

    def _data_key(self):
        return tuple(self._value(name) for name in ("dataset", "noise", "test_fraction"))

    def _network_key(self):
        return tuple(self._value(name) for name in ("layers", "units", "activation", "normalization", "optimizer",
                                                    "seed"))

    def make_data(self):
        """Draw the data set (seeded by its name, so the same settings give the same points) and split it."""
        self._data = self._data_key()
        name, noise, test_fraction = self._data
        seed = PLANAR_DATASETS.index(name)
        X, y = make_planar(name, N_SAMPLES, noise=float(noise), rng=seed, dtype=np.float64)
        (self.X_train, self.y_train), (self.X_test, self.y_test) = train_val_split(
            X, y, val_fraction=float(test_fraction), rng=seed)
        self.t_train = self.y_train.astype(np.float64)[:, None]
        self.t_test = self.y_test.astype(np.float64)[:, None]

    def restart(self):
        """A fresh network and optimizer for the current controls (weights from the seed), no steps yet."""
        self._network = self._network_key()
        layers, units, activation, normalization, _optimizer, seed = self._network
        self.rng = np.random.default_rng(int(seed))
        modules, n_in = [], 2
        for _ in range(int(layers)):
            modules.append(nn.Linear(n_in, units, dtype=np.float64, rng=self.rng))
            if normalization == "batch norm":
                modules.append(nn.BatchNorm1d(units, dtype=np.float64))
            elif normalization == "layer norm":
                modules.append(nn.LayerNorm(units, dtype=np.float64))
            modules += [nn.get_activation(activation).module(),
                        nn.Dropout(float(self._value("dropout")), rng=self.rng)]
            n_in = units
        modules.append(nn.Linear(n_in, 1, dtype=np.float64, rng=self.rng))
        self.model = nn.Sequential(*modules)
        self.weights = [m.weight for m in self.model if isinstance(m, nn.Linear)]
        penalised = {id(w) for w in self.weights}
        others = [p for p in self.model.parameters() if id(p) not in penalised]
        self.optimizers = [self._optimizer(self.weights, float(self._value("l2"))), self._optimizer(others, 0.0)]
        self.criterion = nn.BCEWithLogitsLoss()
        self._parameters = list(self.model.parameters())
        self.steps, self.diverged = 0, False
        self._order, self._cursor = np.arange(0), 0
        self.history = []  # (step, training loss, test loss, training accuracy, test accuracy) after each frame
        self._record()

    def _optimizer(self, params, weight_decay):
        name, lr = self._value("optimizer"), float(self._value("lr"))
        if name == "SGD":
            return SGD(params, lr=lr, weight_decay=weight_decay)
        if name == "momentum":
            return SGD(params, lr=lr, momentum=0.9, weight_decay=weight_decay)
        return (Adam if name == "Adam" else AdamW)(params, lr=lr, weight_decay=weight_decay)

    def _apply_live_settings(self):
        """The learning rate, the L2 rate and the dropout rate from the controls, effective from the next step."""
        for optimizer, decay in zip(self.optimizers, (float(self._value("l2")), 0.0), strict=True):
            for group in optimizer.param_groups:  # as a learning-rate schedule changes a PyTorch optimizer
                group["lr"], group["weight_decay"] = float(self._value("lr")), decay
        for module in self.model:
            if isinstance(module, nn.Dropout):
                module.p = float(self._value("dropout"))

    def changed(self):
        self.check_diverged()  # the weights may have been set by hand
        if self._data_key() != self._data:
            self.make_data()
            self.restart()
        elif self._network_key() != self._network:
            self.restart()
        else:
            self._apply_live_settings()
        self._enable_controls()
        self.update()

    def _enable_controls(self):
        # Without hidden layers there are no units to size, activate, normalise or drop.
        for name in ("units", "activation", "normalization", "dropout"):
            self.controls[name].disabled = self._value("layers") == 0

    def reset(self):
        self.play.pause()
        with self.quiet():
            for name, value in self._initial.items():
                self.controls[name].value = value
        self.make_data()
        self.restart()
        self._enable_controls()
        self.update()

    # -- training -------------------------------------------------------------------------------------------

    def check_diverged(self):
        """Set and return ``diverged``: whether a parameter is NaN or beyond ``WEIGHT_LIMIT`` in magnitude (a
        learning rate too large). Checked after every step, so that no forward pass ever overflows."""
        self.diverged = not all(np.all(np.abs(p.data) <= WEIGHT_LIMIT) for p in self._parameters)
        return self.diverged

    def blocked(self):
        """Why training cannot go on (a message), or ``""``: a diverged network, or batch norm on one point."""
        if self.diverged:
            return "the weights diverged: lower the learning rate (or reset)"
        if self._value("normalization") == "batch norm" and self._value("layers") and self._batch_size() < 2:
            return "batch norm needs at least 2 points per batch"
        return ""

    def _batch_size(self):
        return min(int(self._value("batch_size")), len(self.X_train))

    def _next_batch(self):
        """The next ``batch_size`` training points of this epoch's random order (a new order when it runs out)."""
        size = self._batch_size()
        if self._cursor + size > len(self._order):
            self._order, self._cursor = self.rng.permutation(len(self.X_train)), 0
        index = self._order[self._cursor:self._cursor + size]
        self._cursor += size
        return index

    def train_step(self):
        """One step: a mini-batch, the loss's gradient, the L1 term, then the optimizers (which add L2)."""
        index = self._next_batch()
        self.model.train()
        self.model.zero_grad()
        self.criterion(self.model(self.X_train[index]), self.t_train[index])
        self.model.backward(self.criterion.backward())
        if self._value("l1"):
            l1_penalty_grad_(self.weights, float(self._value("l1")))
        for optimizer in self.optimizers:
            optimizer.step()
        self.steps += 1

    def advance(self):
        """Train ``steps_per_frame`` steps, record the losses and redraw; False (stop playing) when blocked."""
        if not self.blocked():
            for _ in range(int(self._value("steps_per_frame"))):
                if self.steps >= self.max_steps or self.check_diverged():
                    break
                self.train_step()
            if not self.check_diverged():
                self._record()
        self.update()
        return not self.blocked() and self.steps < self.max_steps

    def _record(self):
        self.model.eval()
        row = [self.steps]
        for X, y, targets in ((self.X_train, self.y_train, self.t_train), (self.X_test, self.y_test, self.t_test)):
            logits = self.model(X)
            row += [float(self.criterion(logits, targets)), float(np.mean((logits[:, 0] > 0) == y))]
        self.model.train()
        self.history.append((row[0], row[1], row[3], row[2], row[4]))

    # -- picture --------------------------------------------------------------------------------------------

    def unit_outputs(self, points):
        """Every hidden unit's output (after its activation, evaluation mode) at ``points``, layer by layer,
        and the network's logits there.

        >>> lab = RegularizationLab(layers=2, units=3)
        >>> hidden, logits = lab.unit_outputs(np.zeros((5, 2)))
        >>> [h.shape for h in hidden], logits.shape
        ([(5, 3), (5, 3)], (5,))
        """
        if self.diverged:  # nothing meaningful to show: zeros (a white map, blank units)
            units = [np.zeros((len(points), int(self._value("units"))))] * int(self._value("layers"))
            return units, np.zeros(len(points))
        self.model.eval()
        hidden, a = [], points
        for module in self.model:
            a = module(a)
            if isinstance(module, nn.Dropout):  # the end of a hidden layer
                hidden.append(a)
        self.model.train()
        return hidden, a[:, 0]

    def probability_map(self):
        """P(class 1) = σ(logit) on a ``GRID × GRID`` grid over ``PLANE`` (row 0 at the bottom).

        >>> RegularizationLab().probability_map().shape
        (50, 50)
        """
        logits = self.unit_outputs(self.grid)[1]
        return (0.5 * (1.0 + np.tanh(0.5 * logits))).reshape(GRID, GRID)  # σ(z), no overflow for large |z|

    def settings(self):
        """The settings in force, in two lines (the picture shows them).

        >>> RegularizationLab(optimizer="AdamW", l2=0.01).settings()
        ['AdamW · lr 0.3 · L1 0 · decoupled decay 0.01', 'dropout 0.00 · batch 16 · 10 steps per frame']
        """
        optimizer = self._value("optimizer")
        decay = "decoupled decay" if optimizer == "AdamW" else "L2"
        return [f"{optimizer} · lr {self._value('lr'):g} · L1 {self._value('l1'):g} · {decay} {self._value('l2'):g}",
                f"dropout {self._value('dropout'):.2f} · {self._batch_text()} · "
                f"{self._value('steps_per_frame')} steps per frame"]

    def _batch_text(self):
        chosen, size = int(self._value("batch_size")), self._batch_size()
        return f"batch {chosen}" if chosen == size else f"batch {chosen} (all {size})"

    def scene(self):
        return [self._boundary_panel(), self._loss_panel(), self._settings_panel(), self._units_panel()]

    def _boundary_panel(self):
        items = [draw.image(self.probability_map(), PLANE, cmap=CLASS_CMAP, vmin=0.0, vmax=1.0)]
        for X, y, edge, width in ((self.X_train, self.y_train, "white", 0.8),
                                  (self.X_test, self.y_test, COLORS["boundary"], 1.3)):
            for k in (0, 1):
                mask = y == k
                items.append(draw.points(X[mask, 0], X[mask, 1], color=CLASS_COLORS[k], marker=CLASS_MARKERS[k],
                                         size=3.5, edge=edge, edgewidth=width))
        legend = [draw.legend_entry(f"class {k}", CLASS_COLORS[k], marker=CLASS_MARKERS[k]) for k in (0, 1)]
        legend += [draw.legend_entry("train", "white", marker="o", edge=COLORS["neutral"], edgewidth=1.0),
                   draw.legend_entry("test", "white", marker="o", edge=COLORS["boundary"], edgewidth=1.6)]
        step, _, _, train_accuracy, test_accuracy = self.history[-1]
        return draw.panel([52, 34, 290, 290], xlim=PLANE[:2], ylim=PLANE[2:], items=items, xlabel="x₁",
                          ylabel="x₂", title=f"step {step}: train {train_accuracy:.0%}, test {test_accuracy:.0%} right",
                          legend=legend, legend_at=(4, 4), title_size=12,
                          colorbar=draw.colorbar(CLASS_CMAP, 0.0, 1.0, label="P(class 1)"))

    def _loss_panel(self):
        history = np.array(self.history, dtype=float)
        every = len(history) // 1000 + 1  # at most ~1,000 points per curve: its shape, not its bulk
        shown = history[::every] if len(history) > 1 else np.repeat(history, 2, axis=0)
        finite = history[:, 1:3][np.isfinite(history[:, 1:3])]
        top = max(float(finite.max()) if finite.size else 1.0, 0.8) * 1.05
        items = [draw.line(shown[:, 0], np.minimum(shown[:, 1], top), color=COLORS["train"]),
                 draw.line(shown[:, 0], np.minimum(shown[:, 2], top), color=COLORS["test"])]
        _, train_loss, test_loss, _, _ = self.history[-1]
        return draw.panel([470, 30, 400, 110], xlim=(0, max(100, self.steps)), ylim=(0, top), items=items,
                          xlabel="step", ylabel="loss (BCE)", title_size=12,
                          title=f"loss: train {train_loss:.3f}, test {test_loss:.3f}",
                          legend=[draw.legend_entry("train", COLORS["train"]),
                                  draw.legend_entry("test", COLORS["test"])], legend_at=(-6, 4))

    def _settings_panel(self):
        lines = self.settings() + [self.blocked()]
        items = [draw.label(0.0, 2.5 - row, text, size=11, align="left", color=COLORS["highlight"] if row == 2 else
                            "#000000", weight="bold" if row == 2 else "") for row, text in enumerate(lines) if text]
        return draw.panel([470, 184, 400, 46], xlim=(0, 1), ylim=(0, 3), items=items, axes=False)

    def unit_mosaic(self):
        """Every hidden unit's output over the plane, each scaled to its own largest magnitude (so in [−1, 1]),
        as one array: layer 1 in the top row of pictures, ``UNIT_GAP`` blank (0) pixels between pictures,
        row 0 at the bottom as :func:`~nncourse.widgets._canvas.image` wants it. One image, coloured at once.

        >>> RegularizationLab(layers=2, units=3).unit_mosaic().shape  # 2 rows and 3 columns of 20 × 20
        (43, 66)
        """
        hidden, _ = self.unit_outputs(self.unit_grid)
        rows, cols, step = len(hidden), int(self._value("units")), UNIT_GRID + UNIT_GAP
        mosaic = np.zeros((max(rows * step - UNIT_GAP, 1), max(cols * step - UNIT_GAP, 1)))
        for row, outputs in enumerate(hidden):
            bottom = (rows - 1 - row) * step
            scale = np.max(np.abs(outputs), axis=0)
            scaled = outputs / np.where(scale > 0, scale, 1.0)
            for unit in range(cols):
                mosaic[bottom:bottom + UNIT_GRID, unit * step:unit * step + UNIT_GRID] = \
                    scaled[:, unit].reshape(UNIT_GRID, UNIT_GRID)
        return mosaic

    def _units_panel(self):
        """One small picture per hidden unit (one mosaic image), a label per layer."""
        rows, cols = int(self._value("layers")), int(self._value("units"))
        gap = UNIT_GAP / UNIT_GRID  # in units of one picture's side
        items = []
        if rows:
            extent = (0.0, cols + (cols - 1) * gap, -(rows + (rows - 1) * gap), 0.0)
            items.append(draw.image(self.unit_mosaic(), extent, cmap=DIVERGING_CMAP, vmin=-1.0, vmax=1.0))
            items += [draw.label(-0.12, -row * (1 + gap) - 0.5, f"layer {row + 1}", size=11, align="right")
                      for row in range(rows)]
        title = ("each hidden unit's output over the plane (blue +, red −, own scale)" if rows
                 else "no hidden layers: a linear model, logistic regression")
        width, height = 400, 160
        per_unit = min(width / (1.2 + MAX_UNITS * (1 + gap)), height / (MAX_LAYERS * (1 + gap)))
        return draw.panel([470, 262, width, height], xlim=(-1.2, -1.2 + width / per_unit),
                          ylim=(-height / per_unit, 0.0), items=items, axes=False, title=title, title_size=12)
