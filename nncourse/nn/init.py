"""``nncourse.nn.init``: fill a weight in place with a good initialisation, as PyTorch's ``torch.nn.init``.

The idea (Glorot & Bengio 2010; He et al. 2015): a layer ``z = W a + b`` keeps the variance of the signal from
layer to layer when every weight has

    Var[w] = gain² / fan,

where ``fan`` counts the inputs of a unit (``fan_in``, which keeps the forward signal) or the outputs
(``fan_out``, which keeps the backward gradient), and ``gain`` undoes what the activation does to the variance
(:func:`calculate_gain`). A uniform ``U(-bound, bound)`` has variance ``bound² / 3``, so the uniform versions
use ``bound = √3 · std``.

Fans follow PyTorch's layout: a weight of shape ``(out_features, in_features, *kernel)`` has
``fan_in = in_features · k`` and ``fan_out = out_features · k``, with ``k`` the product of the kernel
dimensions (1 for a ``Linear`` weight).

Every function fills its argument in place and returns it, as PyTorch does: a :class:`nncourse.nn.Parameter`
(its ``.data``) or a floating-point NumPy array. Functions that draw take ``rng=``: ``None`` (the package's
default generator), an int seed or a ``numpy.random.Generator``; the numbers differ from PyTorch's (different
generators), the distributions are the same.

Where PyTorch gives a silent wrong answer or an error from deep inside, these give a ValueError that names what
was expected and what was given: non-finite arguments (PyTorch fills with NaN or infinity), a negative xavier
``gain``, Xavier on a shape whose two fans are both 0 (PyTorch: ZeroDivisionError), bounds that overflow the
array's dtype. Arguments are checked before a zero-element array is skipped. NumPy scalars are accepted as
numbers (``calculate_gain`` in PyTorch refuses ``np.float32``).

>>> w = np.empty((256, 784))
>>> print(f"{kaiming_normal_(w, nonlinearity='relu', rng=0).std():.3f} vs √(2/784) = {math.sqrt(2 / 784):.3f}")
0.051 vs √(2/784) = 0.051
"""

import math
import warnings

import numpy as np

from nncourse._checks import describe
from nncourse._rng import as_generator
from nncourse.nn.module import Parameter

__all__ = [
    "calculate_gain",
    "constant_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "orthogonal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]

# The gains that need no parameter; the convolutions are linear maps, like "linear".
_GAINS = {
    "linear": 1.0,
    "conv1d": 1.0,
    "conv2d": 1.0,
    "conv3d": 1.0,
    "conv_transpose1d": 1.0,
    "conv_transpose2d": 1.0,
    "conv_transpose3d": 1.0,
    "sigmoid": 1.0,
    "tanh": 5.0 / 3,
    "relu": math.sqrt(2.0),
    "selu": 3.0 / 4,  # found empirically by PyTorch's developers (pytorch/pytorch#50664)
}


def _array(tensor, where):
    """The NumPy array that ``tensor`` (a Parameter or a floating-point array) holds, to be filled in place."""
    data = tensor.data if isinstance(tensor, Parameter) else tensor
    if not isinstance(data, np.ndarray) or not np.issubdtype(data.dtype, np.floating):
        raise ValueError(
            f"{where}: expected a nncourse.nn.Parameter or a floating-point NumPy array to fill in place "
            f"(e.g. np.empty(shape, dtype=np.float32)), got {describe(tensor)}"
        )
    if not data.flags.writeable:
        raise ValueError(f"{where}: the array is read-only, so it cannot be filled in place")
    return data


def _real(value, name, where, *, dtype=None, minimum=None):
    """``value`` as a finite float (bool refused), at least ``minimum`` and representable in ``dtype``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{where}: {name} must be a real number, got {describe(value)}")
    if not math.isfinite(value):
        raise ValueError(f"{where}: {name} must be finite, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{where}: {name} must be >= {minimum}, got {value!r}")
    if dtype is not None and abs(value) > float(np.finfo(dtype).max):
        raise ValueError(f"{where}: {name} = {value!r} does not fit in the array's dtype {np.dtype(dtype)}")
    return float(value)


def calculate_gain(nonlinearity, param=None):
    """The gain of Var[w] = gain² / fan for an activation (a ``functional`` name), as PyTorch's.

    ==================  ==============================
    nonlinearity        gain
    ==================  ==============================
    linear, conv*d,     1
    sigmoid
    tanh                5/3
    relu                √2
    leaky_relu          √(2 / (1 + negative_slope²)),
                        ``param`` = negative_slope (default 0.01)
    selu                3/4
    ==================  ==============================

    ReLU zeroes half of a symmetric input, halving its second moment, so √2 restores it; ``param`` is used
    only by ``leaky_relu``. Any other name (``"gelu"``, ``"ReLU"``) raises ValueError, as in PyTorch.

    >>> calculate_gain("relu")
    1.4142135623730951
    >>> calculate_gain("leaky_relu", 0.2)
    1.3867504905630728
    """
    if not isinstance(nonlinearity, str) or nonlinearity not in (*_GAINS, "leaky_relu"):
        names = ", ".join(repr(name) for name in (*_GAINS, "leaky_relu"))
        raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; supported: {names}")
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else _real(param, "negative_slope (param)", "calculate_gain")
        return math.sqrt(2.0 / (1 + slope**2))
    return _GAINS[nonlinearity]


def uniform_(tensor, a=0.0, b=1.0, rng=None):
    """Fill ``tensor`` with draws from U(a, b): mean (a + b)/2, std (b - a)/√12. Requires a <= b.

    >>> w = uniform_(np.empty((2, 3)), -1.0, 1.0, rng=0)
    >>> bool(np.all((-1 <= w) & (w < 1)))
    True
    """
    data = _array(tensor, "uniform_")
    a = _real(a, "a", "uniform_", dtype=data.dtype)
    b = _real(b, "b", "uniform_", dtype=data.dtype)
    if a > b:
        raise ValueError(f"uniform_: expected a <= b (the interval [a, b)), got a={a!r} > b={b!r}")
    if not math.isfinite(b - a):
        raise ValueError(f"uniform_: the width b - a must be a finite float, got a={a!r}, b={b!r}")
    data[...] = as_generator(rng).uniform(a, b, size=data.shape)
    return tensor


def normal_(tensor, mean=0.0, std=1.0, rng=None):
    """Fill ``tensor`` with draws from N(mean, std²). Requires std >= 0.

    >>> w = normal_(np.empty((2, 3)), std=0.0)  # std 0: every entry is the mean
    >>> w.tolist()
    [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    data = _array(tensor, "normal_")
    mean = _real(mean, "mean", "normal_", dtype=data.dtype)
    std = _real(std, "std", "normal_", dtype=data.dtype, minimum=0)
    data[...] = as_generator(rng).normal(mean, std, size=data.shape)
    return tensor


def constant_(tensor, val):
    """Fill ``tensor`` with the value ``val``.

    >>> constant_(np.empty(3), 0.5)
    array([0.5, 0.5, 0.5])
    """
    data = _array(tensor, "constant_")
    data[...] = _real(val, "val", "constant_", dtype=data.dtype)
    return tensor


def zeros_(tensor):
    """Fill ``tensor`` with 0 (the usual start for biases).

    >>> zeros_(np.ones(2))
    array([0., 0.])
    """
    _array(tensor, "zeros_")[...] = 0
    return tensor


def ones_(tensor):
    """Fill ``tensor`` with 1 (the usual start for a normalisation layer's scale).

    >>> ones_(np.zeros(2))
    array([1., 1.])
    """
    _array(tensor, "ones_")[...] = 1
    return tensor


def _calculate_fan_in_and_fan_out(tensor, where="_calculate_fan_in_and_fan_out"):
    """``(fan_in, fan_out)`` of a weight of shape ``(out, in, *kernel)``: ``(in · k, out · k)``, k = Π kernel.

    >>> _calculate_fan_in_and_fan_out(np.empty((16, 3, 5, 5)))  # a conv2d weight: 3·25 inputs per unit
    (75, 400)
    """
    shape = _array(tensor, where).shape
    if len(shape) < 2:
        raise ValueError(
            f"{where}: fan in and fan out can not be computed for an array with fewer than 2 dimensions, "
            f"got shape {shape}"
        )
    receptive_field = math.prod(shape[2:])  # 1 for a Linear weight
    return shape[1] * receptive_field, shape[0] * receptive_field


def _xavier_std(tensor, gain, where):
    """std = gain · √(2 / (fan_in + fan_out)), Glorot & Bengio's compromise between the two fans."""
    gain = _real(gain, "gain", where, minimum=0)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor, where)
    if fan_in + fan_out == 0:
        raise ValueError(f"{where}: fan_in + fan_out is 0 for shape {_array(tensor, where).shape}, so std is undefined")
    return gain * math.sqrt(2.0 / float(fan_in + fan_out))


def xavier_uniform_(tensor, gain=1.0, rng=None):
    """Glorot uniform: U(-bound, bound), bound = √3 · std = gain · √(6 / (fan_in + fan_out)).

    >>> w = xavier_uniform_(np.empty((300, 100)), rng=0)  # bound = √(6/400)
    >>> bool(np.abs(w).max() <= math.sqrt(6 / 400))
    True
    """
    bound = math.sqrt(3.0) * _xavier_std(tensor, gain, "xavier_uniform_")
    return uniform_(tensor, -bound, bound, rng=rng)


def xavier_normal_(tensor, gain=1.0, rng=None):
    """Glorot normal: N(0, std²), std = gain · √(2 / (fan_in + fan_out)).

    >>> print(f"{xavier_normal_(np.empty((300, 100)), rng=0).std():.3f}")  # √(2/400) = 0.0707
    0.071
    """
    return normal_(tensor, 0.0, _xavier_std(tensor, gain, "xavier_normal_"), rng=rng)


def _kaiming_std(tensor, a, mode, nonlinearity, where):
    """std = gain / √fan, with gain = calculate_gain(nonlinearity, a); None for a zero-element array."""
    gain = calculate_gain(nonlinearity, a)
    if not isinstance(mode, str) or mode.lower() not in ("fan_in", "fan_out"):
        raise ValueError(f"{where}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    if _array(tensor, where).size == 0:
        warnings.warn("Initializing zero-element tensors is a no-op", UserWarning, stacklevel=3)
        return None
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor, where)
    return gain / math.sqrt(fan_in if mode.lower() == "fan_in" else fan_out)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
    """He uniform: U(-bound, bound), bound = √3 · std = gain · √(3 / fan), gain = calculate_gain(nonlinearity, a).

    ``a`` is the negative slope of a following leaky ReLU (used only with ``nonlinearity="leaky_relu"``, the
    default; ``a=0`` gives ReLU's √2); ``mode`` picks ``fan = fan_in`` (default) or ``fan_out``. PyTorch's
    ``Linear`` uses ``a=√5``: gain √(1/3), bound 1/√fan_in.

    >>> w = kaiming_uniform_(np.empty((50, 20)), a=math.sqrt(5), rng=0)
    >>> print(f"largest |w| {np.abs(w).max():.4f}, bound 1/√20 = {1 / math.sqrt(20):.4f}")
    largest |w| 0.2235, bound 1/√20 = 0.2236
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform_")
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, rng=rng)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
    """He normal: N(0, std²), std = gain / √fan, gain = calculate_gain(nonlinearity, a) (see kaiming_uniform_).

    >>> print(f"{kaiming_normal_(np.empty((100, 200)), mode='fan_out', nonlinearity='relu', rng=0).std():.3f}")
    0.141
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal_")
    if std is None:
        return tensor
    return normal_(tensor, 0.0, std, rng=rng)


def orthogonal_(tensor, gain=1.0, rng=None):
    """Fill with gain · Q, Q a random (semi-)orthogonal matrix (Saxe et al. 2013): Q Qᵀ = I if rows <= cols,
    else Qᵀ Q = I. Dimensions after the first are flattened into columns.

    Q comes from the QR factorisation of a Gaussian matrix, with each column's sign set by the sign of R's
    diagonal, which makes Q uniformly (Haar) distributed (Mezzadri 2007), as in PyTorch.

    >>> w = orthogonal_(np.empty((3, 5)), rng=0)
    >>> np.allclose(w @ w.T, np.eye(3))
    True
    """
    data = _array(tensor, "orthogonal_")
    gain = _real(gain, "gain", "orthogonal_")
    if data.ndim < 2:
        raise ValueError(f"orthogonal_: only arrays with 2 or more dimensions are supported, got shape {data.shape}")
    if data.size == 0:
        return tensor
    rows = data.shape[0]
    cols = data.size // rows
    gaussian = as_generator(rng).standard_normal((rows, cols))
    if rows < cols:
        gaussian = gaussian.T  # QR of the tall matrix: orthonormal columns, transposed back below
    q, r = np.linalg.qr(gaussian)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    data[...] = (gain * q).reshape(data.shape)
    return tensor
