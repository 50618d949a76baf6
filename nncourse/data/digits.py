"""The 8x8 handwritten digits: a small real data set that ships with the package (nothing downloads).

1797 grey-scale images of the digits 0-9, about 180 of each, 8 x 8 pixels with integer intensities 0..16.
Each pixel counts the "on" pixels of a 4 x 4 block of a 32 x 32 bitmap, which NIST's preprocessing produced
from forms filled in by 43 writers.

Provenance: the test set (``optdigits.tes``) of the UCI Machine Learning Repository's "Optical Recognition
of Handwritten Digits" data set, by E. Alpaydin and C. Kaynak (1998), https://doi.org/10.24432/C50P49,
licensed under Creative Commons Attribution 4.0 (CC BY 4.0). ``digits.npz`` holds exactly the copy that
scikit-learn ships as ``sklearn.datasets.load_digits`` (same rows, same order), extracted once and stored as
uint8 arrays ``images`` (1797, 64) and ``target`` (1797,); nncourse does not depend on scikit-learn.

References: E. Alpaydin, C. Kaynak (1998), Optical Recognition of Handwritten Digits, UCI Machine Learning
Repository. C. Kaynak (1995), Methods of combining multiple classifiers and their applications to
handwritten digit recognition, MSc thesis, Bogazici University.
"""

from pathlib import Path

import numpy as np

from nncourse.data.split import train_val_split

__all__ = ["load_digits"]

_PATH = Path(__file__).with_name("digits.npz")


def load_digits(*, return_split=False, normalize=True, val_fraction=0.2, rng=0, dtype=np.float32):
    """Load the 8x8 digits: ``X`` of shape ``(1797, 64)`` (one flattened image per row) and labels ``y``.

    Args:
        return_split: if True, return ``(X_train, y_train), (X_val, y_val)`` from :func:`train_val_split`
            with ``val_fraction`` and ``rng`` instead of ``(X, y)``. The default ``rng=0`` makes the split
            the same every time, so that chapters and learners compare results on the same held-out images.
        normalize: if True (the default), divide the pixels by 16 so that they lie in [0, 1], a scale that
            suits a network's default initialisation; if False, keep the raw counts 0..16.
        val_fraction: the fraction of the images held out for validation when ``return_split`` is True.
        rng: None, an int seed or a ``numpy.random.Generator`` for the split.
        dtype: the dtype of ``X`` (float32 by default, like PyTorch).

    ``y`` is an int64 array of the digits 0..9. ``X.reshape(-1, 8, 8)`` gives the images for ``imshow``.
    """
    try:
        floating = np.issubdtype(np.dtype(dtype), np.floating)
    except TypeError:
        floating = False
    if not floating:
        raise ValueError(f"load_digits: dtype must be a floating-point dtype such as np.float32, got {dtype!r}")
    with np.load(_PATH) as data:
        X = data["images"].astype(dtype)
        y = data["target"].astype(np.int64)
    if normalize:
        X /= 16
    if return_split:
        return train_val_split(X, y, val_fraction=val_fraction, rng=rng)
    return X, y
