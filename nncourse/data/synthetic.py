"""Generated data sets: 2-D classification problems and 1-D regression targets, all seeded through ``rng=``.

Classification generators return ``X`` of shape ``(n_samples, 2)`` (dtype ``dtype``, float32 by default, like
PyTorch) and int64 labels ``y`` of shape ``(n_samples,)``, in random order. The regression generator returns
``X`` and ``y`` of shape ``(n_samples, 1)``, ready for a network with one input and one output and
``MSELoss``.
"""

import numpy as np

from nncourse._checks import check_positive
from nncourse._rng import as_generator

__all__ = [
    "TARGET_FUNCTIONS",
    "make_blobs",
    "make_circles",
    "make_moons",
    "make_regression_1d",
    "make_spirals",
    "target_function",
]


def _class_sizes(n_samples, n_classes, where):
    """Split ``n_samples`` as evenly as possible between the classes (the first classes get one more)."""
    n_samples = check_positive(n_samples, "n_samples", where, integer=True)
    if n_samples < n_classes:
        raise ValueError(
            f"{where}: n_samples must be at least {n_classes} (one point per class), got {n_samples}"
        )
    return [n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)]


def _finish(parts, gen, noise, dtype):
    """Stack the per-class point clouds, add Gaussian noise, label them and shuffle the rows."""
    X = np.concatenate(parts)
    y = np.concatenate([np.full(len(part), k, dtype=np.int64) for k, part in enumerate(parts)])
    X = X + gen.normal(0.0, noise, size=X.shape) if noise > 0 else X
    order = gen.permutation(len(X))
    return X[order].astype(dtype), y[order]


def make_moons(n_samples=200, *, noise=0.1, rng=None, dtype=np.float32):
    """Two interleaving half circles (scikit-learn's ``make_moons`` shape), which no line separates.

    Class 0 lies on the upper half of the unit circle, class 1 on a lower half circle shifted to the right
    by 1 and down by 0.5; the angles are uniform on [0, π]. ``noise`` is the standard deviation of the
    Gaussian noise added to every coordinate (0.1 by default; 0.3 makes the classes overlap).

    >>> X, y = make_moons(200, rng=0)
    >>> X.shape, X.dtype, np.bincount(y).tolist()
    ((200, 2), dtype('float32'), [100, 100])
    """
    where = "make_moons"
    sizes = _class_sizes(n_samples, 2, where)
    noise = check_positive(noise, "noise", where, allow_zero=True)
    gen = as_generator(rng)
    t0, t1 = gen.uniform(0, np.pi, size=sizes[0]), gen.uniform(0, np.pi, size=sizes[1])
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])
    return _finish([upper, lower], gen, noise, dtype)


def make_circles(n_samples=200, *, noise=0.05, factor=0.5, rng=None, dtype=np.float32):
    """Two concentric circles: class 0 on the unit circle, class 1 on a circle of radius ``factor`` < 1.

    A linear model fails on them; one hidden layer of a few units suffices. ``noise`` is the standard
    deviation of the Gaussian noise added to every coordinate.

    >>> X, y = make_circles(200, noise=0.0, factor=0.5, rng=0)
    >>> radius = np.linalg.norm(X, axis=1)
    >>> [round(float(radius[y == k].mean()), 3) for k in (0, 1)]  # class 0 outside, class 1 inside
    [1.0, 0.5]
    """
    where = "make_circles"
    sizes = _class_sizes(n_samples, 2, where)
    noise = check_positive(noise, "noise", where, allow_zero=True)
    factor = check_positive(factor, "factor", where)
    if factor >= 1:
        raise ValueError(f"{where}: factor (the inner radius) must be in (0, 1), got {factor!r}")
    gen = as_generator(rng)
    parts = []
    for radius, size in zip((1.0, factor), sizes, strict=True):
        t = gen.uniform(0, 2 * np.pi, size=size)
        parts.append(radius * np.column_stack([np.cos(t), np.sin(t)]))
    return _finish(parts, gen, noise, dtype)


def make_spirals(n_samples=300, n_classes=3, *, noise=0.2, turns=0.75, rng=None, dtype=np.float32):
    """``n_classes`` interleaved spiral arms around the origin (cs231n's spiral data).

    Arm ``k`` starts at the origin and winds outwards to radius 1 over ``turns`` full turns, rotated by
    ``2πk / n_classes``; ``noise`` is the standard deviation of the Gaussian noise added to each point's
    angle (in radians), so the arms blur into each other as it grows. Points are spaced evenly in radius.

    >>> X, y = make_spirals(300, n_classes=3, rng=0)
    >>> X.shape, np.bincount(y).tolist()
    ((300, 2), [100, 100, 100])
    """
    where = "make_spirals"
    n_classes = check_positive(n_classes, "n_classes", where, integer=True)
    if n_classes < 2:
        raise ValueError(f"{where}: n_classes must be at least 2, got {n_classes}")
    sizes = _class_sizes(n_samples, n_classes, where)
    noise = check_positive(noise, "noise", where, allow_zero=True)
    turns = check_positive(turns, "turns", where)
    gen = as_generator(rng)
    parts = []
    for k, size in enumerate(sizes):
        r = np.linspace(0.0, 1.0, size)
        t = 2 * np.pi * (turns * r + k / n_classes) + gen.normal(0.0, noise, size=size)
        parts.append(r[:, None] * np.column_stack([np.sin(t), np.cos(t)]))
    return _finish(parts, gen, 0.0, dtype)


def make_blobs(n_samples=200, centers=3, *, n_features=2, cluster_std=1.0, center_box=(-5.0, 5.0),
               rng=None, dtype=np.float32):
    """Gaussian blobs: one isotropic Gaussian cloud per class.

    ``centers`` is the number of classes (their centres drawn uniformly from ``center_box`` in each
    coordinate) or an array of shape ``(n_classes, n_features)`` with the centres themselves.
    ``cluster_std`` is the standard deviation of every cloud: raise it to make the classes overlap.

    >>> X, y = make_blobs(200, centers=[[0, 0], [5, 5]], cluster_std=0.5, rng=0)
    >>> np.bincount(y).tolist(), X[y == 1].mean(axis=0, dtype=float).round(1).tolist()
    ([100, 100], [4.9, 5.0])
    """
    where = "make_blobs"
    cluster_std = check_positive(cluster_std, "cluster_std", where, allow_zero=True)
    gen = as_generator(rng)
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        check_positive(centers, "centers", where, integer=True)
        n_features = check_positive(n_features, "n_features", where, integer=True)
        low, high = center_box
        centers = gen.uniform(low, high, size=(int(centers), n_features))
    else:
        centers = np.asarray(centers, dtype=float)
        if centers.ndim != 2 or len(centers) == 0:
            raise ValueError(
                f"{where}: centers must be a number of classes or an array of shape (n_classes, n_features), "
                f"got shape {centers.shape}"
            )
    sizes = _class_sizes(n_samples, len(centers), where)
    parts = [center + gen.normal(0.0, cluster_std, size=(size, len(center)))
             for center, size in zip(centers, sizes, strict=True)]
    return _finish(parts, gen, 0.0, dtype)


def _sawtooth(x):
    # Telgarsky's (2016) zigzag: 4 teeth between 0 and 1 over [-1, 1], piecewise linear and continuous.
    phase = (2 * (x + 1)) % 1.0
    return 1 - np.abs(2 * phase - 1)


TARGET_FUNCTIONS = {
    "sine": lambda x: np.sin(np.pi * x),
    "abs": np.abs,
    "step": lambda x: (x >= 0).astype(float),
    "sawtooth": _sawtooth,
    "gaussian": lambda x: np.exp(-(x**2) / 0.1),
    "cubic": lambda x: x**3 - 0.5 * x,
}
"""1-D target functions for regression, meant for ``x`` in [-1, 1]: a smooth periodic one (``sine``:
sin(πx)), one with a kink (``abs``), a jump (``step``: 1 for x ≥ 0, else 0), a zigzag of 4 teeth
(``sawtooth``, continuous, values in [0, 1]), a bump (``gaussian``: exp(-x²/0.1)) and a polynomial
(``cubic``: x³ - x/2)."""


def target_function(name):
    """The 1-D target function called ``name`` (a key of ``TARGET_FUNCTIONS``), vectorised over arrays.

    >>> f = target_function("abs")
    >>> f(np.array([-0.5, 0.0, 0.5])).tolist()
    [0.5, 0.0, 0.5]
    """
    if name not in TARGET_FUNCTIONS:
        raise ValueError(f"target_function: name must be one of {sorted(TARGET_FUNCTIONS)}, got {name!r}")
    return TARGET_FUNCTIONS[name]


def make_regression_1d(target="sine", n_samples=200, *, noise=0.0, low=-1.0, high=1.0, rng=None,
                       dtype=np.float32):
    """Samples of a 1-D function: ``x`` uniform on [``low``, ``high``], ``y = f(x) + noise · ε``, ε ~ N(0, 1).

    ``target`` is a name from ``TARGET_FUNCTIONS`` or any vectorised callable. Returns ``X`` and ``y`` of
    shape ``(n_samples, 1)``, with the rows sorted by ``x`` so that ``plt.plot(X, y)`` draws the curve.

    >>> X, y = make_regression_1d("sine", n_samples=100, rng=0)
    >>> X.shape, y.shape, bool(np.all(np.diff(X[:, 0]) >= 0))
    ((100, 1), (100, 1), True)
    >>> bool(np.allclose(y, np.sin(np.pi * X), atol=1e-6))  # noise=0: exactly the target
    True
    """
    where = "make_regression_1d"
    f = target if callable(target) else target_function(target)
    n_samples = check_positive(n_samples, "n_samples", where, integer=True)
    noise = check_positive(noise, "noise", where, allow_zero=True)
    if not low < high:
        raise ValueError(f"{where}: low must be smaller than high, got low={low!r}, high={high!r}")
    gen = as_generator(rng)
    x = np.sort(gen.uniform(low, high, size=n_samples))
    y = np.asarray(f(x), dtype=float)
    if y.shape != x.shape:
        raise ValueError(f"{where}: the target function must map shape {x.shape} to {x.shape}, got {y.shape}")
    y = y + gen.normal(0.0, noise, size=n_samples) if noise > 0 else y
    return x[:, None].astype(dtype), y[:, None].astype(dtype)
