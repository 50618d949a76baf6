"""Two-dimensional loss surfaces for watching optimizers, and a walk of an optimizer on one of them.

A surface is a function f: ℝ² → ℝ of θ = (x, y) with its gradient ∇f, written out by hand (and tested
against PyTorch's autograd). Both take points of shape ``(..., 2)``, so one call evaluates a whole grid for
a contour plot. Each surface also says where to look (``plane``), where to start (``start``) and where its
global minimum is (``minimum``, value ``lowest``), so that a loss curve can show f(θ) − f*.

* :class:`Quadratic` — a ravine: f(θ) = ½ θᵀAθ with A = R(φ) diag(1/κ, 1) R(φ)ᵀ, condition number κ;
* :class:`Rosenbrock` — a curved, flat-floored canyon: f = (a − x)² + b (y − x²)²;
* :class:`Saddle` — two minima and a saddle point between them: f = ½x² + ¼y⁴ − ½y²;
* :class:`NarrowWell` — a broad bowl with a steep, narrow well: f = c‖θ‖² − d exp(−‖θ − m‖² / (2s²)).

:class:`Descent` walks one ``nncourse.optim`` optimizer on a surface, optionally with noisy gradients
ĝ = ∇f(θ) + σε, ε ~ N(0, I), the 2-D picture of a mini-batch gradient.

>>> surface = Rosenbrock()
>>> float(surface(np.array([1.0, 1.0]))), surface.grad(np.array([0.0, 0.0])).tolist()
(0.0, [-2.0, 0.0])
"""

import numpy as np

from nncourse import nn
from nncourse._checks import as_array
from nncourse._rng import as_generator


class Surface:
    """Base class: a subclass sets ``name``, ``plane``, ``start``, ``minimum`` and ``noise_scale`` and writes
    ``_value`` and ``_grad`` for float points ``theta`` of shape ``(..., 2)``; :meth:`value` and :meth:`grad`
    check their input first (:class:`Descent` calls the unchecked ones: it knows its points are good).

    ``plane`` is ``(x from, x to, y from, y to)``, the region worth drawing; ``noise_scale`` a typical size
    of the gradient there, the unit of a widget's gradient-noise slider.

    >>> class Bowl(Surface):
    ...     name, plane, start, minimum, noise_scale = "bowl", (-1, 1, -1, 1), (1.0, 1.0), (0.0, 0.0), 1.0
    ...     def _value(self, theta):
    ...         return 0.5 * np.sum(theta**2, axis=-1)
    ...     def _grad(self, theta):
    ...         return theta.copy()
    >>> Bowl()(np.array([[1.0, 2.0], [0.0, 0.0]])).tolist(), Bowl().lowest
    ([2.5, 0.0], 0.0)
    """

    name = ""
    plane = (-1.0, 1.0, -1.0, 1.0)
    start = (0.0, 0.0)
    minimum = (0.0, 0.0)
    noise_scale = 1.0

    def __call__(self, theta):
        return self.value(theta)

    def value(self, theta):
        """f(θ) for points ``theta`` of shape ``(..., 2)``: an array of shape ``(...)``."""
        return self._value(self._points(theta))

    def grad(self, theta):
        """∇f(θ) for points ``theta`` of shape ``(..., 2)``: an array of the same shape."""
        return self._grad(self._points(theta))

    def _value(self, theta):
        raise NotImplementedError("a surface computes f(θ) for float points of shape (..., 2)")

    def _grad(self, theta):
        raise NotImplementedError("a surface computes ∇f(θ) for float points of shape (..., 2)")

    @property
    def lowest(self):
        """f* = f(minimum), the lowest value of the surface."""
        return float(self.value(np.asarray(self.minimum, dtype=np.float64)))

    def grid(self, n=100):
        """``(xs, ys, values)``: ``n`` points per side over ``plane`` and f on the ``(n, n)`` grid (row ``i`` at
        ``ys[i]``), ready for a contour plot.

        >>> xs, ys, values = Rosenbrock().grid(50)
        >>> values.shape
        (50, 50)
        """
        x0, x1, y0, y1 = self.plane
        xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
        return xs, ys, self.value(np.stack(np.meshgrid(xs, ys), axis=-1))

    def _points(self, theta):
        theta = as_array(theta, "theta", type(self).__name__)
        if theta.ndim == 0 or theta.shape[-1] != 2:
            raise ValueError(f"{type(self).__name__}: theta must have shape (..., 2), points (x, y), "
                             f"got shape {theta.shape}")
        return theta

    def __repr__(self):
        return f"{type(self).__name__}()"


class Quadratic(Surface):
    r"""A ravine: the quadratic f(θ) = ½ θᵀAθ with A = R(φ) diag(1/κ, 1) R(φ)ᵀ.

    .. math::
        f(\theta) = \tfrac12 \theta^\top A \theta, \qquad \nabla f(\theta) = A\theta, \qquad
        A = R(\varphi) \begin{pmatrix} 1/\kappa & 0 \\ 0 & 1 \end{pmatrix} R(\varphi)^\top

    with R(φ) the rotation by ``angle`` φ. The eigenvalues are λ_min = 1/κ along the flat direction
    (cos φ, sin φ) and λ_max = 1 across it, so the condition number is κ. The steep curvature stays 1
    whatever κ is: gradient descent converges for every γ < 2 at every κ, and a larger κ only makes the
    floor flatter (the chapter's quadratic fixes λ_min = 1 instead; the shapes are the same). The minimum
    is θ* = 0 with f* = 0; the start lies mostly along the flat direction.

    Args:
        kappa (float): the condition number κ ≥ 1. Default: ``10``.
        angle (float): the rotation φ of the flat direction from the x axis, in radians. Default: ``π/6``.

    >>> surface = Quadratic(kappa=100.0)
    >>> np.linalg.eigvalsh(surface.A).round(6).tolist()
    [0.01, 1.0]
    >>> surface.grad(np.array([1.0, 0.0])).tolist() == (surface.A @ [1.0, 0.0]).tolist()
    True
    """

    name = "ravine (quadratic)"
    plane = (-3.0, 3.0, -2.0, 2.0)
    minimum = (0.0, 0.0)
    noise_scale = 1.0

    def __init__(self, kappa=10.0, angle=np.pi / 6):
        kappa = float(as_array(kappa, "kappa", "Quadratic", ndim=0))
        if not kappa >= 1.0:
            raise ValueError(f"Quadratic: kappa (the condition number) must be at least 1, got {kappa!r}")
        self.kappa, self.angle = kappa, float(as_array(angle, "angle", "Quadratic", ndim=0))
        c, s = np.cos(self.angle), np.sin(self.angle)
        rotation = np.array([[c, -s], [s, c]])
        self.A = rotation @ np.diag([1.0 / kappa, 1.0]) @ rotation.T
        self.start = tuple(float(v) for v in rotation @ [-2.6, 0.8])  # 2.6 along the floor, 0.8 up the wall

    def _value(self, theta):
        return 0.5 * np.sum((theta @ self.A) * theta, axis=-1)

    def _grad(self, theta):
        return theta @ self.A  # A is symmetric: θA = (Aθ)ᵀ for every point

    def __repr__(self):
        return f"Quadratic(kappa={self.kappa:g})"


class Rosenbrock(Surface):
    r"""Rosenbrock's valley: a curved canyon with a flat floor and steep walls.

    .. math::
        f(x, y) = (a - x)^2 + b\,(y - x^2)^2, \qquad
        \nabla f = \begin{pmatrix} -2(a - x) - 4bx\,(y - x^2) \\ 2b\,(y - x^2) \end{pmatrix}

    The floor follows the parabola y = x²; the minimum is (a, a²) with f* = 0. With b = 100 the walls are
    steep (curvature ~200 across, ~2 along the floor), so plain gradient descent needs a tiny step and then
    crawls along the bending floor.

    Args:
        a (float): where the minimum lies, (a, a²). Default: ``1``.
        b (float): the steepness of the walls, b > 0. Default: ``100``.

    >>> surface = Rosenbrock()
    >>> surface.minimum, surface.lowest
    ((1.0, 1.0), 0.0)
    """

    name = "Rosenbrock"
    plane = (-2.0, 2.0, -1.0, 3.0)
    start = (-1.5, 2.0)
    noise_scale = 20.0

    def __init__(self, a=1.0, b=100.0):
        self.a = float(as_array(a, "a", "Rosenbrock", ndim=0))
        self.b = float(as_array(b, "b", "Rosenbrock", ndim=0))
        if not self.b > 0:
            raise ValueError(f"Rosenbrock: b must be positive, got {b!r}")
        self.minimum = (self.a, self.a**2)

    def _value(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        return (self.a - x) ** 2 + self.b * (y - x**2) ** 2

    def _grad(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        return np.stack([-2 * (self.a - x) - 4 * self.b * x * (y - x**2), 2 * self.b * (y - x**2)], axis=-1)


class Saddle(Surface):
    r"""Two minima with a saddle point between them.

    .. math::
        f(x, y) = \tfrac12 x^2 + \tfrac14 y^4 - \tfrac12 y^2, \qquad \nabla f = (x, \; y^3 - y)

    The minima are (0, ±1) with f* = −¼; the origin is a saddle (curvature +1 along x, −1 along y). The start
    lies a hair off the ridge, at y = 10⁻³: gradient descent slides to the saddle and lingers there, the
    distance from the ridge growing only by the factor 1 + γ per step, until it rolls off into a minimum.
    Noisy gradients, or steps that do not shrink with the gradient (Adam's), escape sooner.

    >>> surface = Saddle()
    >>> surface.lowest, surface.grad(np.array([0.0, 0.0])).tolist()
    (-0.25, [0.0, 0.0])
    """

    name = "saddle"
    plane = (-3.0, 3.0, -1.6, 1.6)
    start = (-2.8, 1e-3)
    minimum = (0.0, 1.0)
    noise_scale = 1.0

    def _value(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        return 0.5 * x**2 + 0.25 * y**4 - 0.5 * y**2

    def _grad(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        return np.stack([x, y**3 - y], axis=-1)


class NarrowWell(Surface):
    r"""A broad bowl with a steep, narrow well: two minima of very different widths.

    .. math::
        f(\theta) = c\,\|\theta\|^2 - d\, w(\theta), \quad w(\theta) = e^{-\|\theta - m\|^2 / (2s^2)}, \qquad
        \nabla f = 2c\,\theta + \frac{d\, w(\theta)}{s^2} (\theta - m)

    with c = 0.1, d = 2, s = 0.1 and the well at m = (1.5, 1.2) (the chapter's Section 7). The broad minimum is
    θ = 0 (f = 0); the deep one sits just inside m, where ∇f = 0 gives θ = m · (d w/s²) / (2c + d w/s²),
    solved by fixed-point iteration (f* ≈ −1.63). Inside the well the gradient reaches d e^{−1/2}/s ≈ 12, about
    thirty times the bowl's there: a step γ∇f that suits the bowl flings the optimizer out of the well.

    >>> surface = NarrowWell()
    >>> round(surface.lowest, 3), bool(np.allclose(surface.grad(np.array(surface.minimum)), 0.0, atol=1e-12))
    (-1.631, True)
    """

    name = "narrow well"
    plane = (-0.5, 2.7, -0.5, 2.3)
    start = (2.5, 2.0)
    noise_scale = 1.0
    c, d, s = 0.1, 2.0, 0.1
    centre = (1.5, 1.2)

    def __init__(self):
        m = np.array(self.centre)
        theta = m.copy()
        for _ in range(20):  # θ = m · a/(2c + a), a = d w(θ)/s²: a contraction (a ≈ 200 ≫ 2c)
            a = self.d * self._well(theta) / self.s**2
            theta = m * a / (2 * self.c + a)
        self.minimum = tuple(float(v) for v in theta)

    def _well(self, theta):
        return np.exp(-np.sum((theta - np.array(self.centre)) ** 2, axis=-1) / (2 * self.s**2))

    def _value(self, theta):
        return self.c * np.sum(theta**2, axis=-1) - self.d * self._well(theta)

    def _grad(self, theta):
        well = self._well(theta)[..., None]
        return 2 * self.c * theta + self.d * well * (theta - np.array(self.centre)) / self.s**2


SURFACES = {surface.name: surface for surface in (Quadratic, Rosenbrock, Saddle, NarrowWell)}


class Descent:
    r"""One ``nncourse.optim`` optimizer walking on a surface, a step at a time, with optional gradient noise.

    Each step sets the gradient and calls ``optimizer.step()``, exactly as a training loop does:

    .. math::
        \hat g_t = \nabla f(\theta_{t-1}) + \sigma \varepsilon_t, \quad \varepsilon_t \sim \mathcal N(0, I),
        \qquad \theta_t = \text{optimizer step with } \hat g_t

    ``rng`` (a seed or a Generator) draws the ε_t: walks built with the same seed see the same noise, so
    that a race between optimizers compares the optimizers and not their luck. A walk that leaves the box
    ``|x|, |y| ≤ bound`` (or reaches a non-finite value) has *diverged* and takes no further steps.

    Args:
        surface (Surface): where to walk.
        make_optimizer (callable): ``make_optimizer(params)`` returns an optimizer over ``params``,
            e.g. ``lambda p: Adam(p, lr=0.1)``.
        noise (float): σ ≥ 0, the standard deviation of the noise added to each gradient coordinate.
        rng: seed or ``numpy.random.Generator`` for the noise. Default: ``0``.
        start: where to start; the surface's own ``start`` by default.
        bound (float): the box beyond which the walk counts as diverged. Default: ``1e3``.

    Attributes: ``path`` (array ``(t + 1, 2)``: θ_0 … θ_t), ``losses`` (f along the path), ``steps`` (t),
    ``diverged``, ``theta`` (the :class:`~nncourse.nn.Parameter`) and ``optimizer``.

    >>> from nncourse.optim import SGD
    >>> walk = Descent(Quadratic(kappa=1.0), lambda p: SGD(p, lr=0.5)).step(3)
    >>> walk.steps, (walk.path[-1] / walk.path[0]).round(6).tolist()  # κ = 1: each step halves θ
    (3, [0.125, 0.125])
    """

    def __init__(self, surface, make_optimizer, *, noise=0.0, rng=0, start=None, bound=1e3):
        if not isinstance(surface, Surface):
            raise ValueError(f"Descent: surface must be a Surface (e.g. Rosenbrock()), got {type(surface).__name__}")
        noise = float(as_array(noise, "noise", "Descent", ndim=0))
        if not noise >= 0:
            raise ValueError(f"Descent: noise must be a standard deviation ≥ 0, got {noise!r}")
        start = surface.start if start is None else start
        start = as_array(start, "start", "Descent", ndim=1, dtype=np.float64)
        if start.shape != (2,):
            raise ValueError(f"Descent: start must be a point (x, y) of shape (2,), got shape {start.shape}")
        self.surface, self.noise, self.bound = surface, noise, float(bound)
        self.rng = as_generator(rng)
        self.theta = nn.Parameter(start.copy())
        self.optimizer = make_optimizer([self.theta])
        self._path = [start.copy()]
        self._losses = [float(surface(start))]
        self.diverged = False

    @property
    def steps(self):
        return len(self._path) - 1

    @property
    def path(self):
        return np.array(self._path)

    @property
    def losses(self):
        return np.array(self._losses)

    def step(self, steps=1):
        """Take ``steps`` optimizer steps (none once diverged); return the walk itself."""
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
            raise ValueError(f"Descent.step: steps must be a non-negative integer, got {steps!r}")
        surface, noise = self.surface, self.noise
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging walk is caught below
            for _ in range(int(steps)):
                if self.diverged:
                    break
                gradient = surface._grad(self.theta.data)
                if noise:
                    gradient = gradient + noise * self.rng.standard_normal(2)
                self.theta.grad = gradient
                self.optimizer.step()
                theta = self.theta.data.copy()
                inside = abs(theta[0]) <= self.bound and abs(theta[1]) <= self.bound  # False for NaN too
                loss = float(surface._value(theta)) if inside else np.inf
                if not np.isfinite(loss):
                    self.diverged = True
                    break
                self._path.append(theta)
                self._losses.append(loss)
        return self
