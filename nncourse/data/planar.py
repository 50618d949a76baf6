r"""Two-class problems on the plane, all on the same square, for a playground: circles, XOR, two Gaussian
clusters, two spirals and the two moons.

TensorFlow Playground offers the first four. Here every data set is drawn noise-free in the square
``[-1, 1]²`` (the moons squeezed to fit; the Gaussian clusters' tails reach a little beyond it), then each
coordinate gets Gaussian noise of standard deviation ``noise``, so one number means the same for every set:

.. math::
    x_i = s_i + \varepsilon_i, \qquad \varepsilon_i \sim \mathcal N(0, \text{noise}^2 I_2),

where ``s_i`` is a point of the clean shape of its class. Labels are 0 and 1 (int64), the rows shuffled.

>>> X, y = make_planar("xor", 200, noise=0.0, rng=0)
>>> X.shape, np.bincount(y).tolist(), bool(np.abs(X).max() <= 1.0)
((200, 2), [100, 100], True)
"""

import numpy as np

from nncourse._checks import check_positive
from nncourse._rng import as_generator
from nncourse.data.synthetic import make_blobs, make_circles, make_moons, make_spirals

__all__ = ["PLANAR_DATASETS", "make_planar", "make_xor"]

PLANAR_DATASETS = ("circles", "xor", "gaussians", "spirals", "moons")


def make_xor(n_samples=200, *, noise=0.0, margin=0.1, rng=None, dtype=np.float32):
    """The four quadrants of ``[-1, 1]²``: class 1 where ``x₁ x₂ > 0`` (first and third), class 0 elsewhere.

    Each class has half of the points, spread evenly over its two quadrants; every clean coordinate is
    uniform on ``margin ≤ |s| ≤ 1``, so a gap of ``2 · margin`` separates the quadrants before the
    Gaussian noise (standard deviation ``noise``) is added. No line separates the classes: one hidden layer
    of two units can.

    >>> X, y = make_xor(8, margin=0.5, rng=0)
    >>> bool(np.all((X[:, 0] * X[:, 1] > 0) == (y == 1))), bool(np.abs(X).min() >= 0.5)
    (True, True)
    """
    where = "make_xor"
    n_samples = check_positive(n_samples, "n_samples", where, integer=True)
    if n_samples < 2:
        raise ValueError(f"{where}: n_samples must be at least 2 (one point per class), got {n_samples}")
    noise = check_positive(noise, "noise", where, allow_zero=True)
    margin = check_positive(margin, "margin", where, allow_zero=True)
    if margin >= 1:
        raise ValueError(f"{where}: margin must be in [0, 1), got {margin!r}")
    gen = as_generator(rng)
    y = (np.arange(n_samples) + 1) % 2  # class 1, class 0, class 1, ...: half each
    magnitude = gen.uniform(margin, 1.0, size=(n_samples, 2))
    first_sign = np.where(np.arange(n_samples) // 2 % 2 == 0, 1.0, -1.0)  # alternate the two quadrants
    second_sign = np.where(y == 1, first_sign, -first_sign)  # same sign for class 1, opposite for class 0
    X = magnitude * np.column_stack([first_sign, second_sign])
    X = X + gen.normal(0.0, noise, size=X.shape) if noise > 0 else X
    y = y.astype(np.int64)
    order = gen.permutation(n_samples)
    return X[order].astype(dtype), y[order]


def make_planar(name, n_samples=300, *, noise=0.0, rng=None, dtype=np.float32):
    """The two-class data set ``name`` (one of :data:`PLANAR_DATASETS`) on the square ``[-1, 1]²``.

    * ``"circles"``: class 0 on the unit circle, class 1 on the circle of radius ½ inside it;
    * ``"xor"``: :func:`make_xor`, class 1 in the first and third quadrants;
    * ``"gaussians"``: two round clusters of standard deviation 0.2 around ``(−½, −½)`` (class 0) and
      ``(½, ½)`` (class 1), a problem a line solves;
    * ``"spirals"``: two spiral arms winding out from the centre over one full turn;
    * ``"moons"``: :func:`make_moons`, shifted and scaled by 1/1.5 into the square.

    ``noise`` is the standard deviation of the Gaussian noise then added to every coordinate (0 to 1).

    >>> X, y = make_planar("circles", 100, noise=0.0, rng=0)
    >>> radius = np.linalg.norm(X, axis=1)
    >>> [round(float(radius[y == k].mean()), 2) for k in (0, 1)]
    [1.0, 0.5]
    >>> make_planar("stripes")
    Traceback (most recent call last):
    ValueError: make_planar: name must be one of ['circles', 'xor', 'gaussians', 'spirals', 'moons'], got 'stripes'
    """
    where = "make_planar"
    if name not in PLANAR_DATASETS:
        raise ValueError(f"{where}: name must be one of {list(PLANAR_DATASETS)}, got {name!r}")
    noise = check_positive(noise, "noise", where, allow_zero=True)
    if noise > 1:
        raise ValueError(f"{where}: noise must be at most 1 (the square's half-width), got {noise!r}")
    gen = as_generator(rng)
    if name == "circles":
        X, y = make_circles(n_samples, noise=0.0, factor=0.5, rng=gen, dtype=np.float64)
    elif name == "xor":
        X, y = make_xor(n_samples, rng=gen, dtype=np.float64)
    elif name == "gaussians":
        X, y = make_blobs(n_samples, centers=[[-0.5, -0.5], [0.5, 0.5]], cluster_std=0.2, rng=gen,
                          dtype=np.float64)
    elif name == "spirals":
        X, y = make_spirals(n_samples, 2, noise=0.0, turns=1.0, rng=gen, dtype=np.float64)
    else:
        X, y = make_moons(n_samples, noise=0.0, rng=gen, dtype=np.float64)
        X = (X - [0.5, 0.25]) / 1.5  # x₁ from [−1, 2] to [−1, 1], x₂ from [−½, 1] to [−½, ½]
    X = X + gen.normal(0.0, noise, size=X.shape) if noise > 0 else X
    return X.astype(dtype), y
