"""Chapter 1 data: logic gates (AND, OR, NAND, XOR) and linearly separable blobs with a known margin."""

import numpy as np

from nncourse._checks import check_positive
from nncourse._rng import as_generator

__all__ = ["GATES", "logic_gate", "separable_blobs", "xor"]

# The four corners of the unit square, in the order of a truth table.
_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])

GATES = {
    "and": np.array([0, 0, 0, 1]),
    "or": np.array([0, 1, 1, 1]),
    "nand": np.array([1, 1, 1, 0]),
    "nor": np.array([1, 0, 0, 0]),
    "xor": np.array([0, 1, 1, 0]),
}


def logic_gate(name, *, dtype=np.float32):
    """The truth table of a two-input logic gate: ``X`` of shape ``(4, 2)`` (rows 00, 01, 10, 11) and ``y``.

    ``name`` is one of ``"and"``, ``"or"``, ``"nand"``, ``"nor"``, ``"xor"`` (any case). ``y`` is an int64
    array of labels in {0, 1}; ``X`` has dtype ``dtype`` (float32 by default, like PyTorch).

    >>> X, y = logic_gate("and")
    >>> X.tolist(), y.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 0, 0, 1])
    """
    key = name.lower() if isinstance(name, str) else None
    if key not in GATES:
        raise ValueError(f"logic_gate: name must be one of {sorted(GATES)}, got {name!r}")
    return _INPUTS.astype(dtype), GATES[key].astype(np.int64)


def xor(*, dtype=np.float32):
    """The XOR truth table, which no single line separates; the same as ``logic_gate("xor")``.

    >>> X, y = xor()
    >>> y.tolist()
    [0, 1, 1, 0]
    """
    return logic_gate("xor", dtype=dtype)


def separable_blobs(n_samples=100, margin=0.5, *, spread=1.0, rng=None, dtype=np.float32,
                    return_separator=False):
    r"""Two clouds of 2-D points that a line separates with a known margin.

    A random unit vector :math:`u` and offset :math:`c` define the line :math:`u \cdot x + c = 0`. Class 1
    lies on the side :math:`u` points to, class 0 on the other, and every point is at distance at least
    ``margin`` from the line, with the closest point of each class at exactly ``margin``: so
    :math:`\min_i s_i (u \cdot x_i + c) = ` ``margin``, with :math:`s_i = 2 y_i - 1`. Across the line the
    distances are ``margin`` plus a half-normal of scale ``spread``; along it, a normal of scale
    ``1.5 * spread``.

    Args:
        n_samples: number of points (at least 2), split as evenly as possible between the classes.
        margin: the distance :math:`\gamma > 0` from the line to the closest point of each class.
        spread: the scale of the clouds (> 0).
        rng: None, an int seed or a ``numpy.random.Generator``.
        dtype: the dtype of ``X`` (float32 by default, like PyTorch).
        return_separator: also return ``u`` (shape ``(2,)``, unit length) and ``c`` (a float).

    Returns:
        ``X`` of shape ``(n_samples, 2)`` and int64 labels ``y`` in {0, 1}; with ``return_separator``,
        ``X, y, u, c``. Use :func:`nncourse.perceptron.novikoff_bound` with ``(u, c)`` for :math:`R` and
        :math:`\gamma` of the augmented vectors.

    >>> X, y, u, c = separable_blobs(50, margin=0.5, rng=0, return_separator=True)
    >>> X.shape, np.bincount(y).tolist()
    ((50, 2), [25, 25])
    >>> round(float(np.min((2 * y - 1) * (X @ u + c))), 3)  # the closest point lies exactly on the margin
    0.5
    """
    where = "separable_blobs"
    n_samples = check_positive(n_samples, "n_samples", where, integer=True)
    if n_samples < 2:
        raise ValueError(f"{where}: n_samples must be at least 2 (one point per class), got {n_samples}")
    margin = check_positive(margin, "margin", where)
    spread = check_positive(spread, "spread", where)
    gen = as_generator(rng)

    angle = gen.uniform(0, 2 * np.pi)
    u = np.array([np.cos(angle), np.sin(angle)])
    v = np.array([-u[1], u[0]])
    center = gen.uniform(-1, 1, size=2)
    c = -float(u @ center)

    y = np.arange(n_samples) % 2
    gen.shuffle(y)
    distance = margin + np.abs(gen.normal(0, spread, size=n_samples))
    for k in (0, 1):  # the closest point of each class lies exactly on the margin
        distance[np.flatnonzero(y == k)[np.argmin(distance[y == k])]] = margin
    along = gen.normal(0, 1.5 * spread, size=n_samples)
    signed = np.where(y == 1, distance, -distance)
    X = center + signed[:, None] * u + along[:, None] * v
    if return_separator:
        return X.astype(dtype), y.astype(np.int64), u, c
    return X.astype(dtype), y.astype(np.int64)
