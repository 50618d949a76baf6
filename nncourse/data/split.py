"""Splitting a data set into training and validation parts, and cutting it into mini-batches."""

import numpy as np

from nncourse._checks import check_positive, check_same_length
from nncourse._rng import as_generator

__all__ = ["batches", "train_val_split"]


def _check_xy(X, y, where):
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(
            f"{where}: X and y must be arrays with one row per sample, got shapes {X.shape} and {y.shape}"
        )
    check_same_length(X, y, "X", "y", where)
    if len(X) == 0:
        raise ValueError(f"{where}: got an empty data set (X of shape {X.shape})")
    return X, y


def train_val_split(X, y, val_fraction=0.2, *, shuffle=True, rng=None):
    """Split ``(X, y)`` into a training and a validation part: ``(X_train, y_train), (X_val, y_val)``.

    ``val_fraction`` of the samples (rounded, at least one) go to validation. With ``shuffle=True`` (the
    default) the rows are drawn at random through ``rng``; otherwise the last rows are the validation part.

    >>> X, y = np.arange(20).reshape(10, 2), np.arange(10)
    >>> (X_train, y_train), (X_val, y_val) = train_val_split(X, y, val_fraction=0.2, rng=0)
    >>> X_train.shape, X_val.shape
    ((8, 2), (2, 2))
    >>> sorted(y_train.tolist() + y_val.tolist()) == y.tolist()  # every sample lands in exactly one part
    True
    """
    where = "train_val_split"
    X, y = _check_xy(X, y, where)
    is_number = isinstance(val_fraction, (float, int, np.number)) and not isinstance(val_fraction, bool)
    if not (is_number and 0 < val_fraction < 1):
        raise ValueError(
            f"{where}: val_fraction must be a number strictly between 0 and 1, got {val_fraction!r}"
        )
    n = len(X)
    n_val = max(1, round(n * val_fraction))
    if n_val >= n:
        raise ValueError(
            f"{where}: {n} sample(s) are too few to keep {n_val} for validation and train on the rest"
        )
    order = as_generator(rng).permutation(n) if shuffle else np.arange(n)
    train, val = order[: n - n_val], order[n - n_val:]
    return (X[train], y[train]), (X[val], y[val])


def batches(X, y, batch_size, shuffle=True, rng=None):
    """Yield mini-batches ``(X_batch, y_batch)`` that together cover every sample exactly once.

    With ``shuffle=True`` (the default, for training) the order is a fresh random permutation drawn from
    ``rng`` on every call, i.e. every epoch; with ``shuffle=False`` the batches are consecutive slices.
    The last batch is smaller when ``batch_size`` does not divide the number of samples (PyTorch's
    ``DataLoader`` with ``drop_last=False``).

    >>> X, y = np.zeros((10, 2)), np.arange(10)
    >>> [len(y_batch) for X_batch, y_batch in batches(X, y, batch_size=4, rng=0)]
    [4, 4, 2]
    >>> covered = np.concatenate([y_batch for _, y_batch in batches(X, y, batch_size=4, rng=0)])
    >>> sorted(covered.tolist()) == y.tolist()  # every sample exactly once
    True
    """
    where = "batches"
    X, y = _check_xy(X, y, where)  # checked here, when called, not at the first iteration
    batch_size = check_positive(batch_size, "batch_size", where, integer=True)
    order = as_generator(rng).permutation(len(X)) if shuffle else None
    return _iterate_batches(X, y, batch_size, order)


def _iterate_batches(X, y, batch_size, order):
    for start in range(0, len(X), batch_size):
        if order is None:  # consecutive slices: views, no copies
            yield X[start:start + batch_size], y[start:start + batch_size]
        else:
            index = order[start:start + batch_size]
            yield X[index], y[index]
