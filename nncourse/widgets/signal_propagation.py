"""The signal-propagation explorer: how an initialisation carries the signal forward and the gradient back.

Choose a fully connected network on the 8×8 digits (``64 → width → … → width → 10``, ``depth`` hidden
layers, one activation after each), an initialisation scheme from :data:`nncourse.nn.INITS` (PyTorch's
default for ``nn.Linear`` included) and a gain that multiplies every weight the scheme draws, so that
``Var[w] = gain² · Var[w_scheme]``. A fixed batch of digits goes forward and its cross-entropy loss back
(:func:`nncourse.nn.layer_activations`, :func:`nncourse.nn.backward_by_layer`, float64):

* left, the scale of every layer on a log axis: the standard deviation of its activations ``a(l)`` going
  forward and of its back-propagated gradient ``δ(l) = ∂L/∂z(l)`` (the numbers of
  :func:`nncourse.nn.layer_statistics`). A good initialisation keeps both level; a factor ``r`` per layer
  becomes ``r^depth`` at the far end;
* right, histograms of the activations and of the gradients of one chosen layer, and the training loss:
  "play" trains the network with SGD on mini-batches of 32 digits, ``steps per frame`` steps per frame up
  to a few hundred steps, and the scales on the left follow the trained network (dashed: at initialisation).

A new network (another depth, width, activation, scheme or gain) starts untrained; the measurements of
recently seen networks are kept, so going back to one is instant.
"""

import copy
import math
import threading
from collections import OrderedDict

import ipywidgets as widgets
import numpy as np

from nncourse import nn
from nncourse.data import batches, load_digits
from nncourse.optim import SGD
from nncourse.plot import COLORS, OKABE_ITO
from nncourse.widgets import _canvas as draw
from nncourse.widgets._base import LABEL_STYLE, CanvasWidget, check_choice, check_float, check_int, reset_button
from nncourse.widgets.live import PlayControls

ACTIVATIONS = tuple(nn.ACTIVATIONS)
INITS = {
    "PyTorch default": "default",
    "Xavier uniform": "xavier_uniform",
    "Xavier normal": "xavier_normal",
    "Kaiming uniform": "kaiming_uniform",
    "Kaiming normal": "kaiming_normal",
    "orthogonal": "orthogonal",
}
LIMITS = {"depth": (1, 50), "width": (16, 128), "gain": (0.25, 4.0), "lr": (1e-3, 1.0), "steps_per_frame": (1, 20),
          "max_steps": (1, 5000)}
WIDTH_STEP = 16
PROBE = 64  # digits in the batch that is pushed through the network: enough for stds and histograms
BATCH_SIZE = 32  # training mini-batches
BINS = 41
FLOOR, CEILING = 1e-30, 1e30  # the scale axis (float32 on the way, which ends near 1e-38); beyond: drawn at the edge
CACHED = 8  # networks whose measurements are kept, and (width, scheme) pairs whose draws are kept
ACCURACY_EVERY = 50  # steps between two measurements of the validation accuracy while training

FORWARD = OKABE_ITO["blue"]  # activations a(l)
BACKWARD = OKABE_ITO["orange"]  # back-propagated gradients δ(l)


class SignalPropagationExplorer(CanvasWidget):
    """Per-layer activation and gradient scales of a deep MLP as you change its initialisation; train it live.

    ``widget.stats`` holds the current network's ``"activation_std"`` and ``"delta_std"`` (one entry per
    ``Linear`` layer, ``depth + 1`` of them) and ``widget.initial_stats`` the same at initialisation;
    ``widget.losses`` the training loss of every step so far, ``widget.accuracy`` the validation accuracy;
    :meth:`advance` trains one frame's worth of steps (what "play" and "step" do).

    >>> explorer = SignalPropagationExplorer(depth=20, activation="relu", init="xavier_normal")
    >>> a = explorer.stats["activation_std"]
    >>> bool(a[19] < 0.01 * a[0])          # Xavier loses about √2 per ReLU layer: the signal fades
    True
    >>> explorer.controls["init"].value = "kaiming_normal"
    >>> a = explorer.stats["activation_std"]
    >>> bool(0.2 < a[19] / a[0] < 5)       # He's initialisation keeps it level
    True
    """

    where = "SignalPropagationExplorer"

    def __init__(self, depth=30, width=64, activation="relu", init="default", gain=1.0, *, lr=0.02,
                 steps_per_frame=5, max_steps=300, seed=0):
        check_int(self.where, "depth", depth, *LIMITS["depth"])
        check_int(self.where, "width", width, *LIMITS["width"])
        if width % WIDTH_STEP:
            raise ValueError(f"{self.where}: width must be a multiple of {WIDTH_STEP}, got {width!r}")
        check_choice(self.where, "activation", activation, ACTIVATIONS)
        check_choice(self.where, "init", init, tuple(INITS.values()))
        check_float(self.where, "gain", gain, *LIMITS["gain"])
        check_float(self.where, "lr", lr, *LIMITS["lr"])
        check_int(self.where, "steps_per_frame", steps_per_frame, *LIMITS["steps_per_frame"])
        self.max_steps = check_int(self.where, "max_steps", max_steps, *LIMITS["max_steps"])
        self.seed = check_int(self.where, "seed", seed, 0, 2**31 - 1)
        super().__init__(width=900, height=420, description="per-layer scale of the activations and gradients of "
                                                            "a deep network, histograms of one layer, and training")
        (X_train, y_train), (X_val, y_val) = load_digits(return_split=True)
        self.X_train, self.y_train = X_train.astype(np.float64), y_train
        self.X_val, self.y_val = X_val.astype(np.float64), y_val
        self.X_probe, self.y_probe = self.X_train[:PROBE], self.y_train[:PROBE]
        self.criterion = nn.CrossEntropyLoss()
        slider = {"style": LABEL_STYLE, "layout": widgets.Layout(width="290px")}
        self.controls = {
            "depth": widgets.IntSlider(value=depth, min=1, max=LIMITS["depth"][1], description="hidden layers",
                                       **slider),
            "width": widgets.IntSlider(value=width, min=LIMITS["width"][0], max=LIMITS["width"][1],
                                       step=WIDTH_STEP, description="width (units)", **slider),
            "activation": widgets.Dropdown(options=ACTIVATIONS, value=activation, description="activation",
                                           style=LABEL_STYLE, layout=widgets.Layout(width="200px")),
            "init": widgets.Dropdown(options=list(INITS.items()), value=init, description="initialisation",
                                     style=LABEL_STYLE, layout=widgets.Layout(width="260px")),
            "gain": widgets.FloatLogSlider(value=gain, base=10, min=math.log10(LIMITS["gain"][0]),
                                           max=math.log10(LIMITS["gain"][1]), step=0.025, readout_format=".3g",
                                           description="gain (× every weight)", **slider),
            "layer": widgets.IntSlider(value=depth, min=1, max=depth, description="histograms of layer",
                                       **slider),
            "lr": widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0, step=0.1, readout_format=".2g",
                                         description="learning rate", **slider),
            "steps_per_frame": widgets.IntSlider(value=steps_per_frame, min=1, max=LIMITS["steps_per_frame"][1],
                                                 description="steps per frame", **slider),
        }
        self.play = PlayControls(self.canvas, advance=self.advance, reset=self.reset, interval=30,
                                 what="train a few SGD steps")
        self.play.step_button.description = "train"
        self._bases = OrderedDict()  # (width, init) → the Linear layers drawn at gain 1
        self._drawing = threading.Lock()  # the browser's first view draws the other schemes ahead, in a thread
        self._ahead = None
        self.canvas.on_ready(self._draw_ahead)
        self._measured = OrderedDict()  # the network's choices → its measurements at initialisation
        self.observe_controls()
        c = self.controls
        self.ui = widgets.VBox([
            widgets.HBox([c["depth"], c["width"], c["activation"]]),
            widgets.HBox([c["gain"], c["layer"], c["init"]]),
            widgets.HBox([c["lr"], c["steps_per_frame"], self.play.play, self.play.step_button,
                          reset_button(self)]),
            self.canvas,
        ])
        self.ui.add_class("nncourse-widget")
        self.restart()
        self.update()

    # -- computation ---------------------------------------------------------------------------------------

    def _choices(self):
        return tuple(self.controls[name].value for name in ("depth", "width", "activation", "init", "gain"))

    def _drawn(self, depth, width, scheme):
        """The ``Linear`` layers of these choices at gain 1: hidden layer ``k`` drawn by ``build_mlp`` with the
        seed ``(seed, k)`` and the output layer with ``(seed, 0)``, each when first needed, then kept.

        So a deeper network extends a shallower one with the same weights, and the same draws serve every
        activation and gain.
        """
        key = (width, scheme)
        with self._drawing:
            drawn = self._bases.setdefault(key, {})
            self._bases.move_to_end(key)
            while len(self._bases) > CACHED:
                self._bases.popitem(last=False)
            for k in range(depth + 1):
                if k not in drawn:
                    sizes = [64 if k == 1 else width, 10 if k == 0 else width]
                    rng = np.random.default_rng([self.seed, k])
                    drawn[k] = nn.build_mlp(sizes, init=scheme, dtype=np.float64, rng=rng)[0]
            return [drawn[k] for k in range(1, depth + 1)] + [drawn[0]]

    def _draw_ahead(self):
        """Once a browser shows the widget, draw the layers of every other scheme at the current depth and
        width in the background (about 25 ms each), so that choosing another initialisation only measures."""
        if self._ahead is not None:
            return
        depth, width, _, chosen, _ = self._config
        others = [scheme for scheme in INITS.values() if scheme != chosen]
        self._ahead = threading.Thread(target=lambda: [self._drawn(depth, width, scheme) for scheme in others],
                                       daemon=True, name="SignalPropagationExplorer draws ahead")
        self._ahead.start()

    def network(self, depth, width, activation, scheme, gain):
        """The network of these choices: ``depth`` hidden layers of ``width`` units, every weight × ``gain``.

        >>> explorer = SignalPropagationExplorer(depth=2, width=16)
        >>> explorer.network(3, 16, "tanh", "xavier_normal", 2.0)
        Sequential(
          (0): Linear(in_features=64, out_features=16, bias=True)
          (1): Tanh()
          (2): Linear(in_features=16, out_features=16, bias=True)
          (3): Tanh()
          (4): Linear(in_features=16, out_features=16, bias=True)
          (5): Tanh()
          (6): Linear(in_features=16, out_features=10, bias=True)
        )
        """
        layers = []
        for linear in self._drawn(depth, width, scheme):
            layers += [_copy(linear, gain), nn.get_activation(activation).module()]
        return nn.Sequential(*layers[:-1])  # the last layer is linear, as in build_mlp

    def measure(self, model):
        """One forward and one backward pass of the probe batch: every layer's outputs and deltas, their stds.

        The stds are those of :func:`nncourse.nn.layer_statistics` (ddof 0, over the batch and the units);
        the arrays are kept for the histograms.
        """
        outputs = nn.layer_activations(model, self.X_probe)
        loss, deltas, _ = nn.backward_by_layer(model, self.X_probe, self.y_probe, self.criterion)
        return {"outputs": outputs[1:], "deltas": deltas[1:], "loss": loss,
                "activation_std": np.array([a.std() for a in outputs[1:]]),
                "delta_std": np.array([d.std() for d in deltas[1:]])}

    def restart(self):
        """The network of the current choices, untrained, with its measurements (cached per choice)."""
        self._config = self._choices()
        if self._config not in self._measured:
            model = self.network(*self._config)
            self._measured[self._config] = (model, self.measure(model))
            while len(self._measured) > CACHED:
                self._measured.popitem(last=False)
        self._measured.move_to_end(self._config)
        self.initial_model, self.initial_stats = self._measured[self._config]
        self.model, self.stats = self.initial_model, self.initial_stats  # copied when training starts
        self.optimizer = None
        self.losses, self.diverged = [], False
        self.accuracy, self._accuracy_step = None, 0

    def _sync_layer_slider(self):
        """The histogram layer's slider ranges over the hidden layers of the current depth (quietly)."""
        layer, depth = self.controls["layer"], self._config[0]
        if layer.max != depth:
            with self.quiet(), layer.hold_sync():
                if layer.value > depth:
                    layer.value = depth
                layer.max = depth

    def changed(self):
        if self._choices() != self._config:
            self.play.pause()
            self.restart()
        if self.optimizer is not None:
            for group in self.optimizer.param_groups:  # the learning rate applies from the next step on
                group["lr"] = float(self.controls["lr"].value)
        self.update()

    def update(self):
        super().update()
        self._sync_layer_slider()

    def reset(self):
        self.play.pause()
        with self.quiet():
            self.controls["layer"].max = self._initial["depth"]  # before its value: no clamping
            for name, value in self._initial.items():
                self.controls[name].value = value
        self.restart()
        self.update()

    def advance(self):
        """Train ``steps per frame`` SGD steps on mini-batches of the digits, measure, redraw; False when done.

        Playing stops at ``max_steps`` ("train" goes on one frame at a time) or when the loss stops being finite
        (the weights diverged).
        The validation accuracy is measured every ``ACCURACY_EVERY`` steps and at the end.
        """
        if self.optimizer is None:
            self.model = self.network(*self._config)  # the same weights as initial_model, its own copy
            self.optimizer = SGD(self.model.parameters(), lr=float(self.controls["lr"].value))
            self._rng = np.random.default_rng(self.seed)
            self._batches = iter(())
        playing = self.play.play.value  # play stops at max_steps; "train" always trains one more frame
        for _ in range(int(self.controls["steps_per_frame"].value)):
            if (playing and len(self.losses) >= self.max_steps) or self.diverged:
                break
            batch = next(self._batches, None)
            if batch is None:  # a new epoch: a fresh shuffle
                self._batches = batches(self.X_train, self.y_train, BATCH_SIZE, rng=self._rng)
                batch = next(self._batches)
            self.diverged = not self._train_step(*batch)
        if not self.diverged:  # a step that overflowed shows in the next loss; the frame's last one, here
            self.diverged = not all(np.all(np.isfinite(p.data)) for p in self.optimizer.param_groups[0]["params"])
        done = len(self.losses) >= self.max_steps or self.diverged
        if not self.diverged:
            self.stats = self.measure(self.model)
            if self.accuracy is None or len(self.losses) >= self._accuracy_step + ACCURACY_EVERY or done:
                self._accuracy_step = len(self.losses)
                self.accuracy = float(np.mean(self.model(self.X_val).argmax(axis=1) == self.y_val))
        self.update()
        return not done

    def _train_step(self, X_batch, y_batch):
        """One SGD step; False when the loss is not finite (the weights have left the floating-point range)."""
        with np.errstate(over="ignore", invalid="ignore"):
            self.optimizer.zero_grad()
            try:
                loss = self.criterion(self.model(X_batch), y_batch)
            except ValueError as error:  # a layer refused a signal that overflowed on its way up
                if "finite" not in str(error):
                    raise
                return False
            if not math.isfinite(loss):
                return False
            self.losses.append(float(loss))
            self.model.backward(self.criterion.backward())
            self.optimizer.step()
        return True

    # -- drawing -------------------------------------------------------------------------------------------

    def scene(self):
        return [self._scale_panel(), *self._histogram_panels(), self._loss_panel()]

    def _scale_panel(self):
        depth, width, activation, scheme, gain = self._config
        layers = np.arange(1, depth + 2)
        trained = bool(self.losses)
        shown = [self.stats, self.initial_stats] if trained else [self.stats]
        values = np.concatenate([s[key] for s in shown for key in ("activation_std", "delta_std")])
        low = float(np.clip(values.min(), FLOOR, CEILING)) / 4
        high = float(np.clip(values.max(), FLOOR, CEILING)) * 4
        chosen = min(self.controls["layer"].value, depth)
        items = [draw.line([chosen, chosen], [low, high], color=COLORS["neutral"], width=1.0, dash=[3, 3])]
        legend = []
        for key, color, name in (("activation_std", FORWARD, "activations a(l)"),
                                 ("delta_std", BACKWARD, "gradients δ(l)")):
            if trained:
                items.append(draw.line(layers, np.clip(self.initial_stats[key], FLOOR, CEILING), color=color,
                                       width=1.2, dash=[5, 4], alpha=0.8))
            now = np.clip(self.stats[key], FLOOR, CEILING)
            items += [draw.line(layers, now, color=color), draw.points(layers, now, color=color, size=2.5)]
            legend.append(draw.legend_entry(name, color))
        if trained:
            legend.append(draw.legend_entry("at initialisation", COLORS["neutral"], dash=[5, 4]))
        a, d = self.stats["activation_std"], self.stats["delta_std"]
        title = f"a: ×{_ratio(a[depth - 1], a[0])} from layer 1 up to {depth};  δ: ×{_ratio(d[0], d[depth])} back to 1"
        ticks = [(layer, str(layer)) for layer in _layer_ticks(depth + 1)]
        return draw.panel([62, 34, 360, 300], xlim=(0.5, depth + 1.5), ylim=(low, high), yscale="log", items=items,
                          xticks=ticks, xlabel=f"layer l (1 = next to the input; {depth + 1} = output)",
                          ylabel="standard deviation", title=title, title_size=12, legend=legend, legend_at=(-6, 6))

    def _histogram_panels(self):
        layer = min(self.controls["layer"].value, self._config[0])  # its slider follows the depth just after
        panels = []
        for index, (key, color, symbol) in enumerate((("outputs", FORWARD, "a"), ("deltas", BACKWARD, "δ"))):
            values = self.stats[key][layer - 1]
            limit = float(np.max(np.abs(values)))
            limit = limit if limit > 0 else 1.0
            counts, edges = np.histogram(values, bins=BINS, range=(-limit, limit))
            share = counts / counts.sum()
            centres = (edges[:-1] + edges[1:]) / 2
            label = _number(limit / 2)  # ticks at ±limit/2: labels at the edges would run into the next panel
            panels.append(draw.panel(
                [500 + 205 * index, 34, 180, 120], xlim=(-limit, limit), ylim=(0, max(share.max(), 1e-3) * 1.1),
                items=[draw.bars(centres, share, color=color, width=edges[1] - edges[0])],
                xticks=[(-limit / 2, f"−{label}"), (0, "0"), (limit / 2, label)], yticks=[],
                title=f"{symbol}({layer}), std {_number(values.std())}", title_size=12,
                xlabel="activation" if symbol == "a" else "gradient ∂L/∂z"))
        return panels

    def _loss_panel(self):
        steps = len(self.losses)
        chance = math.log(10)
        top = max(4.0, min(max(self.losses, default=0.0), 10.0))  # room for the legend above log 10
        items = [draw.line([0, self.max_steps], [chance, chance], color=COLORS["neutral"], width=1.0, dash=[4, 3])]
        if self.losses:
            items.append(draw.line(np.arange(1, steps + 1), np.minimum(self.losses, top), color=COLORS["train"],
                                   width=1.5))
        if self.diverged:
            title = f"diverged after {steps} steps: the loss overflowed"
        elif steps:
            when = f" (at step {self._accuracy_step})" if self._accuracy_step < steps else ""
            title = f"step {steps}: loss {np.mean(self.losses[-20:]):.2f}, val. accuracy {self.accuracy:.0%}{when}"
        else:
            title = f"untrained: loss {self.stats['loss']:.3g}; press play to train"
        lr, frame = self.controls["lr"].value, self.controls["steps_per_frame"].value
        items.append(draw.label(0, 0, f"SGD, lr {lr:.2g}, {frame} steps/frame", size=11, align="left",
                                baseline="bottom", color=COLORS["neutral"], dx=6, dy=-4))
        return draw.panel(
            [500, 222, 385, 112], xlim=(0, self.max_steps), ylim=(0, top), items=items, xlabel="SGD step",
            ylabel="loss", title=title, title_size=12,
            legend=[draw.legend_entry("training loss", COLORS["train"]),
                    draw.legend_entry("chance: log 10", COLORS["neutral"], dash=[4, 3])], legend_at=(-6, 4))


def _copy(linear, gain=1.0):
    """A ``Linear`` layer with its own parameters: ``gain`` × the weight of ``linear``, the same bias."""
    layer = copy.copy(linear)
    layer.weight = nn.Parameter(gain * linear.weight.data)
    layer.bias = nn.Parameter(linear.bias.data)
    layer._input = None
    return layer


def _layer_ticks(n_layers):
    """About eight readable tick positions for layers ``1..n_layers``."""
    every = max(1, math.ceil(n_layers / 8))
    return sorted({1, n_layers, *range(every, n_layers - every // 2, every)})  # none crowding the last


def _number(value):
    """A value for a label: three significant digits, a true minus sign."""
    return f"{value:.2g}".replace("-", "−")


def _ratio(top, bottom):
    if bottom == 0:
        return "undefined (layer 1 is all zero)"
    return _number(top / bottom)
