"""The optimizer lab: five optimizers race from the same start on a 2-D loss surface, live.

SGD, SGD with momentum, SGD with Nesterov momentum, RMSprop and Adam (the classes of ``nncourse.optim``,
each stepping its own :class:`nncourse.surfaces.Descent`) start together on a surface of
:mod:`nncourse.surfaces`: a ravine (a quadratic whose condition number κ is a slider), Rosenbrock's valley,
a saddle, or a bowl with a steep narrow well.

* left, the surface's contour lines, each optimizer's path and where it is now (○ the start, ◆ the global
  minimum);
* right, the gap to the minimum, f(θ) − f*, after every step, on a log scale.

The picture always shows the race after the current number of steps under the current settings: moving a
learning rate, the momentum, a beta, κ or the gradient noise runs the affected optimizers again from the
start, up to the same step, with the same noise (so the change shows, not the luck of the draw); a long
race catches up over a few frames, ``frame_budget`` seconds of work each, so the picture answers at once. "play"
advances the race ``steps per frame`` steps per frame, "step" by one frame's worth, "reset" puts every
control back and the race at step 0. Choosing a surface sets the learning rates to ones that suit it.
"""

import time
from contextlib import ExitStack

import contourpy
import ipywidgets as widgets
import numpy as np

from nncourse.optim import SGD, Adam, RMSprop
from nncourse.plot import CLASS_COLORS, COLORS
from nncourse.surfaces import SURFACES, Descent, Quadratic
from nncourse.widgets import _canvas as draw
from nncourse.widgets._base import LABEL_STYLE, CanvasWidget, check_choice, check_float, check_int
from nncourse.widgets.live import PlayControls

OPTIMIZERS = ("SGD", "momentum", "Nesterov", "RMSprop", "Adam")
COLOR = dict(zip(OPTIMIZERS, CLASS_COLORS, strict=False))
# Learning rates that suit each surface (the race is interesting at these: none diverges, they differ).
LEARNING_RATES = {
    "ravine (quadratic)": {"SGD": 1.5, "momentum": 0.3, "Nesterov": 0.3, "RMSprop": 0.05, "Adam": 0.1},
    "Rosenbrock": {"SGD": 0.0015, "momentum": 0.001, "Nesterov": 0.001, "RMSprop": 0.02, "Adam": 0.1},
    "saddle": {"SGD": 0.1, "momentum": 0.05, "Nesterov": 0.05, "RMSprop": 0.03, "Adam": 0.05},
    "narrow well": {"SGD": 0.1, "momentum": 0.05, "Nesterov": 0.05, "RMSprop": 0.02, "Adam": 0.05},
}
# The learning rates a slider offers: 1, 1.5, 2, 3, 5 and 7 times each power of ten from 10⁻⁴ to 3, exact
# values (a log slider would round 1.5 to 10^0.2 = 1.585 in the browser).
LEARNING_RATE_CHOICES = [round(m * 10.0**k, 12) for k in range(-4, 1) for m in (1, 1.5, 2, 3, 5, 7)][:-2]
KAPPA_RANGE = (1.0, 1000.0)
LEVELS = 14  # contour lines per surface
GRID = 120  # grid points per side for the contour lines (the narrow well, 0.1 wide, spans 8 of them)
CHUNK = 10  # steps a walk takes at a time while catching up, so that the five walks catch up together
FLOOR = 1e-12  # the loss panel's bottom, relative to the starting gap f(θ₀) − f*


def make_optimizer(name, params, lr, *, momentum=0.9, alpha=0.99, betas=(0.9, 0.999)):
    """The ``nncourse.optim`` optimizer the lab calls ``name``, over ``params``.

    >>> from nncourse import nn
    >>> optimizer = make_optimizer("Nesterov", [nn.Parameter(np.zeros(2))], 0.1, momentum=0.5)
    >>> type(optimizer).__name__, optimizer.param_groups[0]["nesterov"], optimizer.param_groups[0]["momentum"]
    ('SGD', True, 0.5)
    """
    check_choice("OptimizerLab", "optimizer", name, OPTIMIZERS)
    if name == "SGD":
        return SGD(params, lr=lr)
    if name in ("momentum", "Nesterov"):
        return SGD(params, lr=lr, momentum=momentum, nesterov=name == "Nesterov")
    if name == "RMSprop":
        return RMSprop(params, lr=lr, alpha=alpha)
    return Adam(params, lr=lr, betas=betas)


def contour_lines(surface, levels=LEVELS, n=GRID):
    """Contour lines of ``surface`` over its plane: ``levels`` values of f, spaced geometrically in f − f*
    between the 1 % and 90 % quantiles of f − f* on an ``n × n`` grid; for each, ``(level, x, y)`` with the
    x and y of its lines, NaN between pieces. The ravine's are exact ellipses (fast: κ is a slider), the
    others are traced on the grid by ``contourpy`` (matplotlib's own contouring).

    >>> lines = contour_lines(SURFACES["Rosenbrock"](), levels=5)
    >>> len(lines), [len(x) == len(y) for _, x, y in lines] == [True] * 5
    (5, True)
    """
    xs, ys, values = surface.grid(n)
    gaps = values - surface.lowest
    low, high = np.quantile(gaps, [0.01, 0.9])
    chosen = surface.lowest + np.geomspace(max(low, 1e-6 * high), high, levels)
    if isinstance(surface, Quadratic):
        # ½ θᵀAθ = ℓ: in the eigenvector coordinates c = Rᵀθ, c₁²/κ + c₂² = 2ℓ, an ellipse.
        t = np.append(np.linspace(0.0, 2 * np.pi, 121), np.nan)
        c, s = np.cos(surface.angle), np.sin(surface.angle)
        found = []
        for level in chosen:
            u, v = np.sqrt(2 * level * surface.kappa) * np.cos(t), np.sqrt(2 * level) * np.sin(t)
            found.append((float(level), c * u - s * v, s * u + c * v))
        return found
    generator = contourpy.contour_generator(xs, ys, values)
    found = []
    for level in chosen:
        pieces = generator.lines(level)
        x = np.concatenate([np.append(piece[:, 0], np.nan) for piece in pieces]) if pieces else np.array([np.nan])
        y = np.concatenate([np.append(piece[:, 1], np.nan) for piece in pieces]) if pieces else np.array([np.nan])
        found.append((float(level), x, y))
    return found


class OptimizerLab(CanvasWidget):
    """Five optimizers race on a 2-D surface: paths over contour lines, and the loss gap after every step.

    Headless use: set ``lab.controls[...]`` (``"surface"``, ``"kappa"``, ``"noise"``, ``"lr SGD"`` …
    ``"lr Adam"``, ``"momentum"``, ``"alpha"``, ``"beta1"``, ``"beta2"``, ``"steps_per_frame"``), call
    :meth:`advance` (what each frame of "play" does) and read ``lab.walks`` (one
    :class:`~nncourse.surfaces.Descent` per optimizer), ``lab.steps`` and ``lab.panels``.

    >>> lab = OptimizerLab(surface="Rosenbrock", steps_per_frame=10)
    >>> lab.advance(), lab.steps, lab.walks["Adam"].steps
    (True, 10, 10)
    >>> lab.controls["lr Adam"].value = 0.05   # Adam runs again from the start, up to the same step
    >>> lab.walks["Adam"].optimizer.param_groups[0]["lr"], lab.walks["Adam"].steps
    (0.05, 10)
    """

    where = "OptimizerLab"

    def __init__(self, *, surface="ravine (quadratic)", kappa=10.0, noise=0.0, steps_per_frame=2, max_steps=500,
                 seed=0, frame_budget=0.02):
        check_choice(self.where, "surface", surface, tuple(SURFACES))
        kappa = check_float(self.where, "kappa", kappa, *KAPPA_RANGE)
        noise = check_float(self.where, "noise", noise, 0.0, 1.0)
        check_int(self.where, "steps_per_frame", steps_per_frame, 1, 20)
        self.max_steps = check_int(self.where, "max_steps", max_steps, 1, 2000)
        self.seed = check_int(self.where, "seed", seed, 0, 2**32 - 1)
        self.frame_budget = None if frame_budget is None else check_float(self.where, "frame_budget",
                                                                          frame_budget, 0.001, 10.0)
        super().__init__(width=860, height=380, description="five optimizers racing on a loss surface: their "
                                                            "paths over its contour lines and their loss gaps")
        rates = [(f"{rate:g}", rate) for rate in LEARNING_RATE_CHOICES]
        slider = {"style": LABEL_STYLE, "layout": widgets.Layout(width="280px")}
        self.controls = {
            "surface": widgets.Dropdown(options=list(SURFACES), value=surface, description="surface",
                                        style=LABEL_STYLE, layout=widgets.Layout(width="260px")),
            "kappa": widgets.FloatLogSlider(value=kappa, base=10, min=0, max=3, step=0.05,
                                            description="condition number κ", readout_format=".3g", **slider),
            "noise": widgets.FloatSlider(value=noise, min=0.0, max=1.0, step=0.05, description="gradient noise σ",
                                         **slider),
            **{f"lr {name}": widgets.SelectionSlider(options=rates, value=LEARNING_RATES[surface][name],
                                                     description=f"lr γ {name}", **slider) for name in OPTIMIZERS},
            "momentum": widgets.FloatSlider(value=0.9, min=0.1, max=0.99, step=0.01, description="momentum μ",
                                            **slider),
            "alpha": widgets.FloatSlider(value=0.99, min=0.9, max=0.999, step=0.001, readout_format=".3f",
                                         description="RMSprop α", **slider),
            "beta1": widgets.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01, description="Adam β₁", **slider),
            "beta2": widgets.FloatSlider(value=0.999, min=0.9, max=0.999, step=0.001, readout_format=".3f",
                                         description="Adam β₂", **slider),
            "steps_per_frame": widgets.IntSlider(value=steps_per_frame, min=1, max=20, description="steps per frame",
                                                 **slider),
        }
        self.play = PlayControls(self.canvas, advance=self.advance, reset=self.reset, interval=40, what="race")
        self.canvas.on_tick(self._catch_up)  # after the play controls' own handler
        self.play.play.observe(lambda _change: self._keep_ticking(), names="value")
        self.observe_controls()
        c = self.controls
        self.ui = widgets.VBox([
            widgets.HBox([c["surface"], c["kappa"], c["noise"]]),
            widgets.HBox([c["lr SGD"], c["lr momentum"], c["lr Nesterov"]]),
            widgets.HBox([c["lr RMSprop"], c["lr Adam"], c["momentum"]]),
            widgets.HBox([c["alpha"], c["beta1"], c["beta2"]]),
            widgets.HBox([self.play.box, c["steps_per_frame"]]),
            self.canvas,
        ])
        self.ui.add_class("nncourse-widget")
        self.steps, self.behind = 0, False
        self.walks, self._settings, self._contours = {}, {}, {}
        self._surface_name = surface
        for name in SURFACES:  # the contour lines of the other surfaces now, not when the learner picks one
            if name != Quadratic.name:
                self._contour_items((name,), SURFACES[name]())
        self._race()
        self.update()

    # -- state -----------------------------------------------------------------------------------------------

    def _surface_key(self):
        name = self.controls["surface"].value
        return (name, float(self.controls["kappa"].value)) if name == Quadratic.name else (name,)

    def _build_surface(self, key):
        return Quadratic(kappa=key[1]) if key[0] == Quadratic.name else SURFACES[key[0]]()

    def _walk_settings(self, name):
        """Everything one optimizer's race depends on; a change of any of it runs that optimizer again."""
        c = self.controls
        own = {"SGD": (), "momentum": (c["momentum"].value,), "Nesterov": (c["momentum"].value,),
               "RMSprop": (c["alpha"].value,), "Adam": (c["beta1"].value, c["beta2"].value)}[name]
        return (self._surface_key(), c["noise"].value, c[f"lr {name}"].value, *own)

    def _race(self):
        """Bring every optimizer's walk towards ``self.steps`` under the current settings, running again from
        the start only those whose settings changed, for at most ``frame_budget`` seconds; True when all five
        have arrived."""
        began = time.perf_counter()
        key = self._surface_key()
        if getattr(self, "_key", None) != key:
            self._key, self.surface = key, self._build_surface(key)
        c = self.controls
        for name in OPTIMIZERS:
            settings = self._walk_settings(name)
            if self._settings.get(name) != settings:
                make = lambda params, name=name: make_optimizer(  # noqa: E731 (the walk's optimizer factory)
                    name, params, float(c[f"lr {name}"].value), momentum=float(c["momentum"].value),
                    alpha=float(c["alpha"].value), betas=(float(c["beta1"].value), float(c["beta2"].value)))
                noise = float(c["noise"].value) * self.surface.noise_scale
                self.walks[name] = Descent(self.surface, make, noise=noise, rng=self.seed)
                self._settings[name] = settings
        behind = [walk for walk in self.walks.values() if walk.steps < self.steps and not walk.diverged]
        out_of_time = False
        while behind and not out_of_time:
            for walk in behind:
                walk.step(min(CHUNK, self.steps - walk.steps))
                out_of_time = self.frame_budget is not None and time.perf_counter() - began > self.frame_budget
                if out_of_time:
                    break
            behind = [walk for walk in behind if walk.steps < self.steps and not walk.diverged]
        self.behind = bool(behind)
        return not behind

    def _keep_ticking(self):
        """Ask the browser for frames while playing or while the race is catching up."""
        self.canvas.playing = self.play.play.value or self.behind
        self._offer_steps()

    def _offer_steps(self):
        """Grey out "play" and "step" once the race is over (``max_steps`` reached, nobody behind): only reset
        starts it again."""
        over = self.steps >= self.max_steps and not self.behind
        self.play.step_button.disabled = over
        self.play.play.disabled = over and not self.play.play.value

    def _catch_up(self):
        if self.behind and not self.play.play.value:  # while playing, advance() catches up
            self._race()
            self.update()
            self._keep_ticking()

    def changed(self):
        name = self.controls["surface"].value
        with ExitStack() as held:  # the sliders' new values go out after the picture: that is what the learner
            for control in self.controls.values():  # waits for
                held.enter_context(control.hold_sync())
            if name != self._surface_name:  # a new surface brings learning rates that suit it
                self._surface_name = name
                with self.quiet():
                    for optimizer, lr in LEARNING_RATES[name].items():
                        self.controls[f"lr {optimizer}"].value = lr
            self.controls["kappa"].disabled = name != Quadratic.name
            self._race()
            self.update()
            self._keep_ticking()

    def advance(self):
        """One frame of the race: ``steps per frame`` more steps for every optimizer (up to ``max_steps``);
        False once the race is over."""
        if not self.behind:
            self.steps = min(self.max_steps, self.steps + int(self.controls["steps_per_frame"].value))
        self._race()
        self.update()
        self._offer_steps()
        return self.steps < self.max_steps or self.behind

    def reset(self):
        self.play.pause()
        self.steps = 0
        super().reset()

    # -- drawing ---------------------------------------------------------------------------------------------

    def _contour_items(self, key=None, surface=None):
        key, surface = key or self._key, surface or self.surface
        if key not in self._contours:  # once per surface and κ, all levels in one line (NaN between pieces)
            lines = contour_lines(surface)
            x = np.concatenate([np.append(x, np.nan) for _, x, _ in lines])
            y = np.concatenate([np.append(y, np.nan) for _, _, y in lines])
            self._contours[key] = [draw.line(x, y, color=COLORS["neutral"], width=0.8)]
        return self._contours[key]

    def _label(self, name):
        """``name``, its learning rate and the settings it has of its own, as the sliders show them."""
        c, walk = self.controls, self.walks[name]
        own = {"SGD": "", "momentum": f" μ={c['momentum'].value:.2f}", "Nesterov": f" μ={c['momentum'].value:.2f}",
               "RMSprop": f" α={c['alpha'].value:.3f}",
               "Adam": f" β₁={c['beta1'].value:.2f} β₂={c['beta2'].value:.3f}"}[name]
        label = f"{name} γ={c[f'lr {name}'].value:.2g}{own}"
        return label + (f", diverged at step {walk.steps + 1}" if walk.diverged else "")

    def scene(self):
        surface, c = self.surface, self.controls
        x0, x1, y0, y1 = surface.plane
        items = list(self._contour_items())
        for name in OPTIMIZERS:
            path = self.walks[name].path
            items.append(draw.line(path[:, 0], path[:, 1], color=COLOR[name], width=1.6))
        ends = np.array([self.walks[name].path[-1] for name in OPTIMIZERS])
        items.append(draw.points(ends[:, 0], ends[:, 1], color=[COLOR[n] for n in OPTIMIZERS], size=4.5,
                                 edge=COLORS["boundary"], edgewidth=0.8))
        items.append(draw.points([surface.start[0]], [surface.start[1]], color="white", size=4.5,
                                 edge=COLORS["boundary"], edgewidth=1.5))
        items.append(draw.points([surface.minimum[0]], [surface.minimum[1]], color=COLORS["boundary"], size=5,
                                 marker="D"))
        what = f"{surface.name}, κ = {surface.kappa:.3g}" if isinstance(surface, Quadratic) else surface.name
        noise = c["noise"].value
        title = f"{what}: step {self.steps}" + (" (catching up)" if self.behind else "")
        title += f", noise σ = {noise:.2g}" if noise else ""
        plane = draw.panel([48, 30, 390, 300], xlim=(x0, x1), ylim=(y0, y1), items=items, xlabel="x", ylabel="y",
                           title=title,
                           title_size=12)

        start_gap = max(surface(np.array(surface.start)) - surface.lowest, 1e-300)
        floor, top = start_gap * FLOOR, start_gap * 30
        curves, legend = [], []
        for name in OPTIMIZERS:
            gaps = np.clip(self.walks[name].losses - surface.lowest, floor, None)
            curves.append(draw.line(np.arange(len(gaps)), gaps, color=COLOR[name], width=1.6))
            legend.append(draw.legend_entry(self._label(name), COLOR[name]))
        gap_panel = draw.panel(
            [545, 30, 295, 300], xlim=(0, max(50, self.steps)), ylim=(floor, top), yscale="log", items=curves,
            xlabel="step t", ylabel="f(θₜ) − f*", title=f"the gap to the minimum ({c['steps_per_frame'].value} "
                                                          "steps per frame)", title_size=12,
            legend=legend, legend_at=(4, 300 - 17 * len(legend) - 10))  # bottom left: the curves start high
        return [plane, gap_panel]
