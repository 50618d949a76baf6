"""Input validation shared by the whole package.

Bad input must fail early with a message that names the function, what it expected and what it was given,
never with a NumPy broadcasting error from deep inside and never with a silently wrong answer.
Every helper takes ``where``, the name of the caller, which starts the message: ``"Linear(2, 3): ..."``.
"""

import numpy as np


def describe(x):
    """A short description of a value for error messages: its type, and its shape and dtype for arrays."""
    if isinstance(x, np.ndarray):
        return f"array of shape {x.shape} and dtype {x.dtype}"
    if isinstance(x, (list, tuple)):
        return f"{type(x).__name__} of length {len(x)}"
    return f"{type(x).__name__} {x!r}"


def as_array(x, name, where, *, ndim=None, dtype=None, shape_doc=None, finite=True):
    """Convert ``x`` to a NumPy array and check its number of dimensions and (optionally) finiteness.

    ``ndim`` may be an int or a tuple of allowed ints. ``shape_doc`` describes the expected shape in words,
    e.g. ``"(n_samples, n_features)"``. ``dtype=None`` keeps a floating dtype and turns anything else numeric
    into float64.
    """
    try:
        arr = np.asarray(x)
        if not np.iscomplexobj(arr):
            arr = np.asarray(arr, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {name} must be numeric array-like, got {describe(x)} ({exc})") from None
    if np.iscomplexobj(arr):  # casting it would drop the imaginary part: a silent wrong answer
        raise ValueError(f"{where}: {name} must be real, got {describe(arr)}")
    if dtype is None and not np.issubdtype(arr.dtype, np.floating):
        if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
            raise ValueError(f"{where}: {name} must be numeric, got {describe(x)}")
        arr = arr.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            doc = f" of shape {shape_doc}" if shape_doc else ""
            raise ValueError(f"{where}: {name} must be a {want} array{doc}, got shape {arr.shape}")
    if finite and np.issubdtype(arr.dtype, np.floating) and not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{where}: {name} must contain only finite values, got {bad} NaN or infinite value(s)")
    return arr


def check_same_length(a, b, name_a, name_b, where):
    """Check that two arrays have the same number of rows (samples)."""
    if len(a) != len(b):
        raise ValueError(
            f"{where}: {name_a} and {name_b} must have the same number of samples, "
            f"got {len(a)} and {len(b)}"
        )


def check_labels(y, allowed, name, where):
    """Check that every entry of ``y`` is one of ``allowed`` (e.g. ``(0, 1)``) and return it as an int array."""
    y = np.asarray(y)
    if y.size and not np.all(np.isin(y, allowed)):
        found = np.unique(y[~np.isin(y, allowed)])[:5]
        raise ValueError(
            f"{where}: {name} must contain only the labels {list(allowed)}, got other values such as {found.tolist()}"
        )
    return y.astype(np.int64)


def check_positive(value, name, where, *, integer=False, allow_zero=False):
    """Check a scalar hyper-parameter (a learning rate, a count) and return it."""
    kind = "integer" if integer else "number"
    ok_type = isinstance(value, (int, np.integer)) if integer else isinstance(value, (int, float, np.number))
    if isinstance(value, bool) or not ok_type or not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{where}: {name} must be a finite {kind} {bound}, got {value!r}")
    return value
