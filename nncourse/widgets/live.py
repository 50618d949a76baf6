"""Live training: play, pause, one step and reset for anything that learns in steps, paced by the browser.

:class:`PlayControls` is the reusable piece. While "play" is pressed, the widget's canvas asks the kernel for
a new frame every ``interval`` milliseconds, but only once the previous frame has been drawn; each request
calls ``advance()``, which trains a little and redraws. The kernel does one short piece of work per frame and
is idle in between, so every other control keeps working while training runs.

:class:`TrainingPlayground` uses it to train a small MLP on the two moons in front of the learner: the
decision boundary and the loss curve move as it learns.
"""

import ipywidgets as widgets
import numpy as np

from nncourse import nn
from nncourse.data import make_moons
from nncourse.optim import SGD
from nncourse.plot import CLASS_COLORS, CLASS_MARKERS, COLORS
from nncourse.widgets import _canvas as draw
from nncourse.widgets._base import LABEL_STYLE, CanvasWidget, check_choice, check_float, check_int
from nncourse.widgets._canvas import CLASS_CMAP


class PlayControls:
    """Play/pause, step and reset buttons that drive ``advance`` from ``canvas``'s frame requests.

    ``advance()`` does one step of work and redraws; it returns False to stop playing (converged, or
    nothing left to do). ``reset()`` starts again. ``box`` is the row of buttons to lay out.

    >>> from nncourse.widgets._canvas import Canvas
    >>> steps = []
    >>> controls = PlayControls(Canvas(), advance=lambda: steps.append(1) or len(steps) < 3, reset=steps.clear)
    >>> controls.step_button.click(); controls.step_button.click(); len(steps)
    2
    >>> controls.play.value = True      # the browser now asks for frames; a request arrives:
    >>> controls.tick(); controls.play.value   # the third step returns False: playing stops
    False
    """

    def __init__(self, canvas, *, advance, reset, interval=50, what="train"):
        self.canvas, self.advance, self.restart = canvas, advance, reset
        canvas.interval = int(interval)
        self.play = widgets.ToggleButton(value=False, description="play", icon="play",
                                         tooltip=f"{what} continuously; press again to pause",
                                         layout={"width": "90px"})
        self.step_button = widgets.Button(description="step", icon="step-forward", tooltip=f"{what} one step",
                                          layout={"width": "90px"})
        self.reset_button = widgets.Button(description="reset", icon="undo", tooltip="start again",
                                           layout={"width": "90px"})
        self._first_frame = True
        self.play.observe(self._on_play, names="value")
        self.step_button.on_click(lambda _b: self.advance())
        self.reset_button.on_click(lambda _b: self._reset())
        canvas.on_tick(self.tick)
        self.box = widgets.HBox([self.play, self.step_button, self.reset_button])

    def _on_play(self, change):
        first_frame, self._first_frame = self._first_frame, True
        if change.new and first_frame and self.advance() is False:  # the first frame at once, not after a
            self.pause()                                            # round trip to the browser
            return
        with self.play.hold_sync():  # after the picture, in one message
            self.play.description, self.play.icon = ("pause", "pause") if change.new else ("play", "play")
        self.canvas.playing = self.play.value

    def start(self, *, first_frame=True):
        """Start playing, as the play button does; ``first_frame=False`` leaves the current picture up until
        the browser asks for the next one (a widget that has just drawn step 0 shows it first)."""
        self._first_frame = first_frame
        with self.play.hold_sync():  # its value, label and icon in one message
            self.play.value = True
        self._first_frame = True

    def tick(self):
        """One frame request from the browser: advance, and stop playing when ``advance`` says so."""
        if self.play.value and self.advance() is False:
            self.pause()

    def pause(self):
        with self.play.hold_sync():  # its value, label and icon in one message
            self.play.value = False

    def _reset(self):
        self.pause()
        self.restart()


ACTIVATIONS = ("tanh", "relu", "sigmoid")
GRID = 60  # points per side of the decision map
PLANE = (-1.6, 2.6, -1.1, 1.6)  # x1 from, x1 to, x2 from, x2 to: the two moons and a margin


class TrainingPlayground(CanvasWidget):
    """Train a ``2 → width → … → 1`` MLP on 200 two-moons points by full-batch gradient descent, live.

    Left, P(class 1) over the plane (class 0's colour below ½, class 1's above) and the training points;
    right, the loss after every step. Play trains ``steps_per_frame`` steps per frame; the learning rate
    can be changed while it trains; a new activation or seed starts again.

    Headless use: :meth:`advance` trains one frame's worth of steps and redraws; read ``losses``,
    ``accuracy`` and ``panels``.

    >>> playground = TrainingPlayground(hidden=2, width=16)
    >>> playground.advance()
    True
    >>> len(playground.losses)
    5
    """

    where = "TrainingPlayground"
    plane = PLANE  # (x1 from, x1 to, x2 from, x2 to) of the decision map
    cmap = CLASS_CMAP  # its colours: class 0's below ½, class 1's above

    def __init__(self, *, hidden=2, width=16, activation="tanh", lr=0.5, steps_per_frame=5, seed=0,
                 noise=0.15, max_steps=20_000):
        check_choice(self.where, "activation", activation, ACTIVATIONS)
        self.hidden = check_int(self.where, "hidden", hidden, 1, 4)
        self.width = check_int(self.where, "width", width, 1, 64)
        check_float(self.where, "lr", lr, 0.01, 5.0)
        check_int(self.where, "steps_per_frame", steps_per_frame, 1, 50)
        check_int(self.where, "seed", seed, 0, 9)
        self.max_steps = check_int(self.where, "max_steps", max_steps, 1, 100_000)
        super().__init__(width=800, height=360,
                         description=f"training a 2-{'-'.join([str(width)] * hidden)}-1 network on the two moons")
        X, y = make_moons(200, noise=check_float(self.where, "noise", noise, 0.0, 0.5), rng=0)
        self.X, self.y = X.astype(np.float64), y
        self.targets = y.astype(np.float64)[:, None]
        x0, x1, y0, y1 = PLANE
        xx, yy = np.meshgrid(np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID))
        self.grid = np.column_stack([xx.ravel(), yy.ravel()])
        self.controls = {
            "activation": widgets.Dropdown(options=ACTIVATIONS, value=activation, description="activation",
                                           style=LABEL_STYLE, layout=widgets.Layout(width="190px")),
            "lr": widgets.FloatLogSlider(value=lr, base=10, min=-2, max=np.log10(5.0), step=0.1,
                                         description="learning rate", readout_format=".2g", style=LABEL_STYLE),
            "steps_per_frame": widgets.IntSlider(value=steps_per_frame, min=1, max=50,
                                                 description="steps per frame", style=LABEL_STYLE),
            "seed": widgets.IntSlider(value=seed, min=0, max=9, description="initial weights (seed)",
                                      style=LABEL_STYLE),
        }
        self.play = PlayControls(self.canvas, advance=self.advance, reset=self.reset, interval=30)
        self.status = widgets.HTML()
        self.observe_controls()
        self.ui = widgets.VBox([
            widgets.HBox([self.play.box, self.controls["activation"], self.controls["lr"]]),
            widgets.HBox([self.controls["steps_per_frame"], self.controls["seed"], self.status]),
            self.canvas,
        ])
        self.ui.add_class("nncourse-widget")
        self.restart()
        self.update()

    def restart(self):
        """A fresh network for the current activation and seed, and an empty loss curve."""
        self._built = (self.controls["activation"].value, self.controls["seed"].value)
        sizes = [2] + [self.width] * self.hidden + [1]
        self.model = nn.build_mlp(sizes, self._built[0], dtype=np.float64, rng=int(self._built[1]))
        self.criterion = nn.BCEWithLogitsLoss()
        self.optimizer = SGD(self.model.parameters(), lr=float(self.controls["lr"].value))
        self.losses = []
        self.accuracy = float(np.mean((self.model(self.X)[:, 0] > 0) == self.y))

    def changed(self):
        # The learning rate and the steps per frame apply from the next step on; anything else starts again.
        for group in self.optimizer.param_groups:  # as a PyTorch learning-rate schedule does
            group["lr"] = float(self.controls["lr"].value)
        if (self.controls["activation"].value, self.controls["seed"].value) != self._built:
            self.restart()
        self.update()

    def reset(self):
        self.play.pause()
        with self.quiet():
            for name, value in self._initial.items():
                self.controls[name].value = value
        self.restart()
        self.update()

    def advance(self):
        """Train ``steps_per_frame`` full-batch gradient-descent steps, then redraw; False once at max_steps."""
        for _ in range(int(self.controls["steps_per_frame"].value)):
            if len(self.losses) >= self.max_steps:
                break
            self.model.zero_grad()
            logits = self.model(self.X)
            self.losses.append(float(self.criterion(logits, self.targets)))
            self.model.backward(self.criterion.backward())
            self.optimizer.step()
        self.accuracy = float(np.mean((self.model(self.X)[:, 0] > 0) == self.y))
        self.update()
        return len(self.losses) < self.max_steps

    def probability_map(self):
        """P(class 1) = σ(z) on a ``GRID × GRID`` grid over ``plane`` (row 0 at the bottom, as the map).

        >>> TrainingPlayground().probability_map().shape
        (60, 60)
        """
        logits = self.model(self.grid)[:, 0]
        return (0.5 * (1.0 + np.tanh(0.5 * logits))).reshape(GRID, GRID)  # σ(z), no overflow for large |z|

    def scene(self):
        x0, x1, y0, y1 = PLANE
        items = [draw.image(self.probability_map(), PLANE, cmap=CLASS_CMAP, vmin=0.0, vmax=1.0)]
        legend = []
        for k in (0, 1):
            mask = self.y == k
            items.append(draw.points(self.X[mask, 0], self.X[mask, 1], color=CLASS_COLORS[k],
                                     marker=CLASS_MARKERS[k], size=3.5, edge=COLORS["boundary"], edgewidth=0.4))
            legend.append(draw.legend_entry(f"class {k}", CLASS_COLORS[k], marker=CLASS_MARKERS[k],
                                            edge=COLORS["boundary"], edgewidth=0.4))
        steps = len(self.losses)
        boundary = draw.panel(
            [50, 32, 330, 280], xlim=(x0, x1), ylim=(y0, y1), items=items, xlabel="x₁", ylabel="x₂",
            title=f"after {steps} step{'s' * (steps != 1)}: accuracy {self.accuracy:.0%}",
            legend=legend, legend_at=(-8, 8),
            colorbar=draw.colorbar(CLASS_CMAP, 0.0, 1.0, label="P(class 1)"))
        every = len(self.losses) // 2000 + 1  # at most ~2,000 points drawn: the curve's shape, not its bulk
        curve = self.losses[::every] or [np.nan]
        steps_drawn = np.arange(1, len(self.losses) + 1)[::every] if self.losses else [1]
        top = max(max(self.losses, default=1.0), 0.8)
        loss = draw.panel(
            [520, 32, 250, 280], xlim=(0, max(100, steps)), ylim=(0, top * 1.05), xlabel="step",
            ylabel="loss (BCE)", title_size=12,
            title=(f"loss {self.losses[-1]:.3f}" if self.losses else "loss")
            + f" (lr {self.optimizer.param_groups[0]['lr']:.2g}, {self.controls['steps_per_frame'].value} steps/frame)",
            items=[draw.line(steps_drawn, curve, color=COLORS["train"])])
        return [boundary, loss]
