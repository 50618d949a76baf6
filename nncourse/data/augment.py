"""Data augmentation for the 8x8 digits, and random labels for the memorisation experiment.

Augmentation makes new training images from old ones by changes that keep the label: here a shift by a
pixel or so (:func:`random_shift`) and a little Gaussian noise (:func:`add_noise`); :func:`augment_digits`
applies both and is what ``train.fit(augment=...)`` takes. Every function draws from ``rng=``, so a seeded
run repeats exactly.

:func:`shuffle_labels` breaks the link between images and labels, as Zhang et al. (2017) did to show that a
network that generalises well can also memorise labels that carry no information at all.
"""

import numpy as np

from nncourse._checks import as_array, check_positive
from nncourse._rng import as_generator

__all__ = ["add_noise", "augment_digits", "random_shift", "shuffle_labels"]


def _images(X, where, image_shape):
    X = as_array(X, "X", where, ndim=2, shape_doc="(n_samples, height * width)")
    height, width = image_shape
    if X.shape[1] != height * width:
        raise ValueError(f"{where}: X must have one flattened {height}x{width} image per row "
                         f"({height * width} columns), got shape {X.shape}")
    return X


def random_shift(X, max_shift=1, *, rng=None, image_shape=(8, 8)):
    """Shift each flattened image by a random whole number of pixels, up to ``max_shift`` in each direction.

    Each image gets its own shift (dy, dx), both drawn uniformly from {−max_shift, …, max_shift}; pixels that
    move in from outside the image are 0 (background). Returns a new array of ``X``'s shape and dtype.

    >>> X = np.zeros((1, 64)); X[0, 3 * 8 + 3] = 1.0  # one bright pixel at row 3, column 3
    >>> shifted = random_shift(X, max_shift=1, rng=0).reshape(8, 8)
    >>> [(int(r), int(c)) for r, c in zip(*np.nonzero(shifted))]  # it moved by at most one pixel each way
    [(4, 3)]
    """
    where = "random_shift"
    X = _images(X, where, image_shape)
    max_shift = check_positive(max_shift, "max_shift", where, integer=True, allow_zero=True)
    rng = as_generator(rng)
    height, width = image_shape
    images = X.reshape(-1, height, width)
    padded = np.pad(images, ((0, 0), (max_shift, max_shift), (max_shift, max_shift)))
    shifts = rng.integers(-max_shift, max_shift + 1, size=(len(X), 2))
    out = np.empty_like(images)
    for i, (dy, dx) in enumerate(shifts):
        # out[r, c] = image[r − dy, c − dx]: the window of the padded image offset by (−dy, −dx)
        top, left = max_shift - dy, max_shift - dx
        out[i] = padded[i, top:top + height, left:left + width]
    return out.reshape(X.shape)


def add_noise(X, std=0.05, *, rng=None):
    """Add independent Gaussian noise of standard deviation ``std`` to every pixel (no clipping).

    >>> X = np.full((1000, 64), 0.5)
    >>> noisy = add_noise(X, std=0.1, rng=0)
    >>> noisy.shape, round(float(noisy.std()), 2)
    ((1000, 64), 0.1)
    """
    where = "add_noise"
    X = as_array(X, "X", where)
    std = check_positive(std, "std", where, allow_zero=True)
    return X + as_generator(rng).normal(0.0, std, size=X.shape).astype(X.dtype)


def augment_digits(X, *, max_shift=1, noise_std=0.0, rng=None, image_shape=(8, 8)):
    """A fresh random shift (:func:`random_shift`), then noise (:func:`add_noise`), for a batch of digits.

    This is the form ``train.fit(augment=...)`` takes: with ``functools.partial`` fix the settings, and ``fit``
    passes its own ``rng``:

    >>> import functools
    >>> augment = functools.partial(augment_digits, max_shift=1, noise_std=0.05)
    >>> augment(np.zeros((4, 64), dtype=np.float32), rng=0).dtype
    dtype('float32')
    """
    rng = as_generator(rng)
    X = random_shift(X, max_shift, rng=rng, image_shape=image_shape)
    return add_noise(X, noise_std, rng=rng) if noise_std else X


def shuffle_labels(y, fraction=1.0, *, rng=None):
    """Return a copy of ``y`` in which the labels of a random ``fraction`` of the samples are shuffled among them.

    ``fraction=1`` permutes all labels: every class keeps its count, but a label says nothing about its image
    any more (Zhang et al. 2017's "random labels"; they drew each new label uniformly, which also keeps the
    classes about balanced). A smaller fraction corrupts only that share of the samples (their "partially
    corrupted labels"); some shuffled labels land on their own class by chance, about 1 in 10 for ten classes.

    >>> y = np.repeat(np.arange(10), 100)
    >>> shuffled = shuffle_labels(y, fraction=1.0, rng=0)
    >>> np.bincount(shuffled).tolist() == np.bincount(y).tolist(), round(float(np.mean(shuffled == y)), 2)
    (True, 0.09)
    """
    where = "shuffle_labels"
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"{where}: y must be a non-empty 1-D array of labels, got shape {y.shape}")
    is_number = isinstance(fraction, (int, float, np.number)) and not isinstance(fraction, bool)
    if not (is_number and 0 <= fraction <= 1):
        raise ValueError(f"{where}: fraction must be a number in [0, 1], got {fraction!r}")
    rng = as_generator(rng)
    chosen = rng.permutation(len(y))[: round(fraction * len(y))]
    out = y.copy()
    out[chosen] = y[rng.permutation(chosen)]
    return out
