"""Activation functions and their derivatives, in plain NumPy, with PyTorch's names and defaults.

Every elementwise activation ``f`` comes with its derivative ``f_grad``, evaluated at the same input ``x``
(not at the output), so that the chain rule reads ``grad_input = grad_output * f_grad(x)``:

==============  =====================================  ========================
function        formula                                PyTorch
==============  =====================================  ========================
``step``        1 if x >= 0 else 0                     ``torch.heaviside(x, 1)``
``sigmoid``     1 / (1 + e^(-x))                       ``torch.sigmoid``
``tanh``        (e^x - e^(-x)) / (e^x + e^(-x))        ``torch.tanh``
``relu``        max(0, x)                              ``F.relu``
``leaky_relu``  x if x > 0 else negative_slope * x     ``F.leaky_relu``
``gelu``        x Φ(x)  (or its tanh approximation)    ``F.gelu``
``silu``        x σ(x)                                 ``F.silu``
``elu``         x if x > 0 else alpha (e^x - 1)        ``F.elu``
``softplus``    log(1 + e^(βx)) / β                    ``F.softplus``
``softmax``     e^(x_i) / Σ_j e^(x_j)                  ``F.softmax``
``log_softmax`` x_i - log Σ_j e^(x_j)                  ``F.log_softmax``
==============  =====================================  ========================

Conventions shared by every function here:

* **dtype**: a floating-point input keeps its dtype (float32 in, float32 out, as in PyTorch); integers,
  booleans and Python lists of ints become float64 (NumPy's default). A scalar in gives a NumPy scalar out.
* **Stable at the extremes**: no exponential is ever taken of a large positive number, so inputs of
  ±1e4 (or ±1e30) give no overflow warning, no NaN, and the correctly rounded limit.
* **Kinks**: where a derivative does not exist (ReLU and Leaky ReLU at 0, the step at 0) we return the
  value PyTorch's autograd uses: ``relu_grad(0) = 0``, ``leaky_relu_grad(0) = negative_slope``,
  ``step_grad(x) = 0`` everywhere.
* **Bad input** raises a ``ValueError`` that names the function: non-numeric or complex input, NaN or
  infinity (PyTorch would propagate them; here a non-finite pre-activation always means something upstream
  already went wrong, so we stop at once), a bad ``approximate`` string, a ``dim`` out of range.

The derivatives are written for accuracy, not only for brevity: ``sigmoid_grad`` uses σ(x) σ(-x) rather
than σ(x) (1 - σ(x)), and ``tanh_grad`` uses 4 e^(-2|x|) / (1 + e^(-2|x|))² rather than 1 - tanh²(x), so
they keep full relative precision in the tails where ``1 - σ(x)`` or ``1 - tanh²(x)`` would round to 0.
PyTorch's autograd uses the short forms; the two agree to about 1e-16 in absolute value everywhere and to
float64 rounding wherever the short form has not lost its digits.

Each formula is written once, in a private kernel (``_relu``, ``_relu_grad``, ...) that takes an already
validated floating-point array, checks nothing, and returns an array of the input's shape and dtype (except
``_relu_grad``: a boolean mask, which multiplies exactly like 0.0 and 1.0 without building a float array).
The public function validates its input, then calls the kernel; the layers in :mod:`nncourse.nn.activation`
validate once per forward pass and call the same kernels, so a training step pays for one check per layer.
"""

import math

import numpy as np
from scipy.special import erfc  # Φ(x) = ½ erfc(-x/√2); NumPy has no erf or erfc

from nncourse._checks import as_array, describe

__all__ = [
    "elu",
    "elu_grad",
    "gelu",
    "gelu_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "log_softmax",
    "relu",
    "relu_grad",
    "sigmoid",
    "sigmoid_grad",
    "silu",
    "silu_grad",
    "softmax",
    "softplus",
    "softplus_grad",
    "step",
    "step_grad",
    "tanh",
    "tanh_grad",
]

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)  # √(2/π), the scale inside GELU's tanh approximation
_GELU_KAPPA = 0.044715  # the cubic coefficient of the tanh approximation (Hendrycks & Gimpel 2016)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)  # the normal density's constant 1/√(2π)
_APPROXIMATIONS = ("none", "tanh")



def _input(x, where):
    """The input as a real floating-point array (float dtypes kept, others made float64), or a ValueError."""
    return as_array(x, "x", where)


def _output(values, dtype):
    """Cast to the input's dtype; a 0-d result becomes a NumPy scalar, as NumPy's own ufuncs return."""
    return np.asarray(values, dtype=dtype)[()]


def _check_slope(negative_slope, where):
    real = isinstance(negative_slope, (int, float, np.integer, np.floating))
    if isinstance(negative_slope, bool) or not real:
        raise ValueError(f"{where}: negative_slope must be a real number, got {describe(negative_slope)}")
    if not math.isfinite(negative_slope):
        raise ValueError(f"{where}: negative_slope must be finite, got {negative_slope!r}")
    return float(negative_slope)


def _check_real(value, name, where, *, positive=False):
    """A finite real number (positive if asked) as a float, or a ValueError naming ``name``."""
    real = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not real:
        raise ValueError(f"{where}: {name} must be a real number, got {describe(value)}")
    if not math.isfinite(value) or (positive and not value > 0):
        raise ValueError(f"{where}: {name} must be {'a finite number > 0' if positive else 'finite'}, got {value!r}")
    return float(value)


def _check_approximate(approximate, where):
    if not isinstance(approximate, str) or approximate not in _APPROXIMATIONS:
        raise ValueError(f"{where}: approximate must be 'none' or 'tanh', got {approximate!r}")
    return approximate


def _check_dim(dim, ndim, where):
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise ValueError(f"{where}: dim must be an integer, got {describe(dim)}")
    if ndim == 0:
        raise ValueError(f"{where}: x must have at least one dimension, got a scalar")
    if not -ndim <= dim < ndim:
        raise ValueError(
            f"{where}: dim {dim} is out of range for an array of {ndim} dimension(s) "
            f"(expected {-ndim} <= dim < {ndim})"
        )
    return int(dim)


# ---------------------------------------------------------------------------------------------------------
# The step function: the perceptron's activation
# ---------------------------------------------------------------------------------------------------------


def step(x):
    """The Heaviside step: ``step(x) = 1`` if ``x >= 0`` else ``0``.

    Range {0, 1}. The perceptron's activation (Rosenblatt 1958): ŷ = step(w·x + b). The value at 0 is 1,
    as ``torch.heaviside(x, torch.tensor(1.))``.

    Derivative: 0 for every x ≠ 0 and undefined at 0 (see :func:`step_grad`), which is why gradient
    descent cannot train a network of steps.

    >>> step(np.array([-2.0, 0.0, 2.0])).tolist()
    [0.0, 1.0, 1.0]
    """
    x = _input(x, "step")
    return _output(x >= 0, x.dtype)


def step_grad(x):
    """Derivative of :func:`step`: 0 everywhere (the jump at 0 has no derivative; we use 0 there too).

    PyTorch does not define it at all (``torch.heaviside`` has no backward); 0 is what the step "tells"
    gradient descent: no small change of the input changes the output.

    >>> step_grad(np.array([-2.0, 0.0, 2.0])).tolist()
    [0.0, 0.0, 0.0]
    """
    x = _input(x, "step_grad")
    return _output(np.zeros_like(x), x.dtype)


# ---------------------------------------------------------------------------------------------------------
# Sigmoid and tanh: the smooth, saturating activations
# ---------------------------------------------------------------------------------------------------------


def _sigmoid(x):
    # σ(x) = 1 / (1 + e^(-x)) for x >= 0 and e^x / (1 + e^x) for x < 0, both written e^min(x, 0) / (1 + e^(-|x|)):
    # no exponent is ever positive, so nothing overflows. (Two exponentials cost less than np.where(x >= 0, ...),
    # whose per-element branch on random signs is mispredicted half the time.)
    return np.exp(np.minimum(x, 0)) / (1.0 + np.exp(-np.abs(x)))


def sigmoid(x):
    """The logistic sigmoid: σ(x) = 1 / (1 + e^(-x)).

    Range (0, 1) (reaching 0 and 1 only by rounding, for |x| beyond ~37 in float64). Used for binary outputs
    (a probability) and in the gates of LSTMs. Problems as a hidden activation: it saturates (flat for large
    |x|) and its output is not zero-centred.

    Derivative: σ'(x) = σ(x) (1 - σ(x)) = σ(x) σ(-x), at most 1/4 (at x = 0); see :func:`sigmoid_grad`.

    Stable: computed as e^x / (1 + e^x) for negative x, so ``sigmoid(-1e4)`` is 0 with no overflow warning.
    Both forms are one branch-free expression, e^min(x, 0) / (1 + e^(-|x|)): faster than choosing a form per
    element, whose branch on random signs the CPU mispredicts half the time.

    >>> sigmoid(np.array([-2.0, 0.0, 2.0])).round(4).tolist()
    [0.1192, 0.5, 0.8808]
    >>> sigmoid(np.array([-1e4, 1e4])).tolist()  # no overflow warning, no NaN
    [0.0, 1.0]
    """
    x = _input(x, "sigmoid")
    return _output(_sigmoid(x), x.dtype)


def _sigmoid_grad(x):
    return _sigmoid(x) * _sigmoid(-x)


def sigmoid_grad(x):
    """Derivative of :func:`sigmoid`: σ'(x) = σ(x) (1 - σ(x)), written σ(x) σ(-x).

    Range (0, 1/4]; the maximum 1/4 is at x = 0, so every sigmoid layer shrinks a gradient at least 4-fold.
    σ(x) σ(-x) keeps full precision in the right tail, where 1 - σ(x) would round to 0.

    >>> sigmoid_grad(np.array([-2.0, 0.0, 2.0])).round(4).tolist()
    [0.105, 0.25, 0.105]
    >>> bool(sigmoid_grad(40.0) > 0), float(sigmoid(40.0) * (1 - sigmoid(40.0)))  # the short form rounds to 0
    (True, 0.0)
    """
    x = _input(x, "sigmoid_grad")
    return _output(_sigmoid_grad(x), x.dtype)


def _tanh(x):
    return np.tanh(x)


def tanh(x):
    """The hyperbolic tangent: tanh(x) = (e^x - e^(-x)) / (e^x + e^(-x)) = 2σ(2x) - 1.

    Range (-1, 1), zero-centred. Used in RNNs and LSTMs. Saturates like the sigmoid.

    Derivative: tanh'(x) = 1 - tanh²(x), at most 1 (at x = 0); see :func:`tanh_grad`.

    >>> tanh(np.array([-2.0, 0.0, 2.0])).round(4).tolist()
    [-0.964, 0.0, 0.964]
    """
    x = _input(x, "tanh")
    return _output(_tanh(x), x.dtype)


def _tanh_grad(x):
    e = np.exp(-2.0 * np.minimum(np.abs(x), 400))  # e^(-800) is already 0; keeps 2|x| finite in float32
    return 4.0 * e / (1.0 + e) ** 2


def tanh_grad(x):
    """Derivative of :func:`tanh`: tanh'(x) = 1 - tanh²(x) = sech²(x).

    Range (0, 1]; the maximum 1 is at x = 0. Computed as 4 e^(-2|x|) / (1 + e^(-2|x|))², which equals
    1 - tanh²(x) but keeps its precision for large |x|, where tanh²(x) rounds to 1.

    >>> tanh_grad(np.array([-2.0, 0.0, 2.0])).round(4).tolist()
    [0.0707, 1.0, 0.0707]
    >>> bool(tanh_grad(20.0) > 0), float(1 - tanh(20.0) ** 2)  # the short form rounds to 0
    (True, 0.0)
    """
    x = _input(x, "tanh_grad")
    return _output(_tanh_grad(x), x.dtype)


# ---------------------------------------------------------------------------------------------------------
# ReLU and Leaky ReLU: the piecewise-linear activations
# ---------------------------------------------------------------------------------------------------------


def _relu(x):
    return np.maximum(x, 0)  # a float array and the Python int 0: the result keeps x's dtype


def relu(x):
    """The rectified linear unit: relu(x) = max(0, x).

    Range [0, ∞). The default hidden activation of most CNNs (Nair & Hinton 2010): cheap, no saturation for
    x > 0. Problem: a unit whose input is negative for every sample outputs 0 and gets gradient 0 (a "dead
    ReLU"); in the first layer, whose inputs never change, it cannot recover.

    Derivative: 1 for x > 0, 0 for x < 0; at 0 we use 0, as PyTorch's autograd does; see :func:`relu_grad`.

    >>> relu(np.array([-2.0, 0.0, 2.0])).tolist()
    [0.0, 0.0, 2.0]
    >>> relu(np.array([-1.0, 3.0], dtype=np.float32)).dtype  # float32 in, float32 out
    dtype('float32')
    """
    x = _input(x, "relu")
    return _output(_relu(x), x.dtype)


def _relu_grad(x):
    return x > 0  # False (0) at x = 0, PyTorch's convention


def relu_grad(x):
    """Derivative of :func:`relu`: 1 where x > 0, else 0 (including x = 0, PyTorch's convention).

    >>> relu_grad(np.array([-2.0, 0.0, 2.0])).tolist()  # 0 at the kink x = 0
    [0.0, 0.0, 1.0]
    """
    x = _input(x, "relu_grad")
    return _output(_relu_grad(x), x.dtype)


def _leaky_relu(x, negative_slope):
    return np.where(x > 0, x, x * negative_slope)


def leaky_relu(x, negative_slope=0.01):
    """Leaky ReLU: x for x > 0, ``negative_slope * x`` otherwise (Maas et al. 2013).

    Range (-∞, ∞) for a positive slope. The small slope (default 0.01, as PyTorch) keeps a gradient flowing
    for negative inputs, so units cannot die.

    Derivative: 1 for x > 0, ``negative_slope`` for x <= 0 (PyTorch's value at 0); see
    :func:`leaky_relu_grad`.

    >>> leaky_relu(np.array([-2.0, 0.0, 2.0]), negative_slope=0.1).tolist()
    [-0.2, 0.0, 2.0]
    """
    slope = _check_slope(negative_slope, "leaky_relu")
    x = _input(x, "leaky_relu")
    return _output(_leaky_relu(x, slope), x.dtype)


def _leaky_relu_grad(x, negative_slope):
    as_dtype = x.dtype.type  # NumPy scalars of x's dtype, so that np.where keeps float32 as float32
    return np.where(x > 0, as_dtype(1.0), as_dtype(negative_slope))


def leaky_relu_grad(x, negative_slope=0.01):
    """Derivative of :func:`leaky_relu`: 1 where x > 0, ``negative_slope`` where x <= 0 (as PyTorch).

    >>> leaky_relu_grad(np.array([-2.0, 0.0, 2.0])).tolist()  # negative_slope at the kink x = 0
    [0.01, 0.01, 1.0]
    """
    slope = _check_slope(negative_slope, "leaky_relu_grad")
    x = _input(x, "leaky_relu_grad")
    return _output(_leaky_relu_grad(x, slope), x.dtype)


# ---------------------------------------------------------------------------------------------------------
# GELU and SiLU: the smooth ReLU-like activations of modern networks
# ---------------------------------------------------------------------------------------------------------


def _normal_cdf(x):
    # Φ(x) = ½ erfc(-x/√2): accurate in both tails (½ (1 + erf(x/√2)) would cancel to 0 for x << 0).
    return 0.5 * erfc(-x / math.sqrt(2.0))


def _gelu_tanh_parts(x):
    """For the tanh approximation: u = √(2/π) (x + 0.044715 x³) and du/dx, with x a float64 array."""
    # Beyond |x| = 1e3 the tanh is ±1 to the last bit; clipping keeps x³ finite for any finite input.
    xc = np.clip(x, -1e3, 1e3)
    u = _SQRT_2_OVER_PI * (xc + _GELU_KAPPA * xc**3)
    du = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_KAPPA * xc**2)
    return u, du


def _gelu(x, approximate):
    x64 = x.astype(np.float64)
    if approximate == "none":
        values = x64 * _normal_cdf(x64)
    else:
        u, _ = _gelu_tanh_parts(x64)
        values = x64 * _sigmoid(2.0 * u)  # ½ (1 + tanh u) = σ(2u), without cancellation for u << 0
    return values.astype(x.dtype, copy=False)


def gelu(x, approximate="none"):
    """The Gaussian error linear unit: gelu(x) = x Φ(x), with Φ the standard normal CDF.

    Φ(x) = ½ (1 + erf(x/√2)). With ``approximate="tanh"`` (the form of the original GPT and BERT code):
    gelu(x) ≈ ½ x (1 + tanh(√(2/π) (x + 0.044715 x³))). Range [≈ -0.170, ∞): it dips slightly below 0
    around x ≈ -0.75. Used in BERT, GPT and most transformers (Hendrycks & Gimpel 2016): smooth everywhere,
    and negative inputs still get a (small) gradient.

    Derivative: Φ(x) + x φ(x), with φ(x) = e^(-x²/2) / √(2π); see :func:`gelu_grad`.

    Computed in float64 (Φ through ``scipy.special.erfc``, NumPy having no erf) and cast back to the input's
    dtype.

    >>> gelu(np.array([-2.0, 0.0, 2.0])).round(4).tolist()
    [-0.0455, 0.0, 1.9545]
    >>> gelu(np.array([-2.0, 0.0, 2.0]), approximate="tanh").round(4).tolist()
    [-0.0454, 0.0, 1.9546]
    """
    approximate = _check_approximate(approximate, "gelu")
    x = _input(x, "gelu")
    return _output(_gelu(x, approximate), x.dtype)


def _gelu_grad(x, approximate):
    x64 = x.astype(np.float64)
    if approximate == "none":
        xc = np.clip(x64, -100.0, 100.0)  # φ(±100) = e^(-5000)/√(2π) is already 0; keeps x² finite
        pdf = _INV_SQRT_2PI * np.exp(-0.5 * xc * xc)
        values = _normal_cdf(x64) + x64 * pdf
    else:
        u, du = _gelu_tanh_parts(x64)
        s, s_neg = _sigmoid(2.0 * u), _sigmoid(-2.0 * u)
        values = s + x64 * 2.0 * s * s_neg * du  # ½ (1 - tanh² u) = 2 σ(2u) σ(-2u)
    return values.astype(x.dtype, copy=False)


def gelu_grad(x, approximate="none"):
    """Derivative of :func:`gelu`: Φ(x) + x φ(x), with φ(x) = e^(-x²/2) / √(2π).

    Range [≈ -0.129, ≈ 1.129]: it exceeds 1 a little near x ≈ 1.4 and is negative for x < ≈ -0.75. For
    ``approximate="tanh"``, the derivative of the approximation: ½ (1 + tanh u) + ½ x (1 - tanh² u) u',
    with u = √(2/π) (x + 0.044715 x³) and u' = √(2/π) (1 + 3·0.044715 x²).

    >>> gelu_grad(np.array([-2.0, 0.0, 2.0])).round(4).tolist()
    [-0.0852, 0.5, 1.0852]
    """
    approximate = _check_approximate(approximate, "gelu_grad")
    x = _input(x, "gelu_grad")
    return _output(_gelu_grad(x, approximate), x.dtype)


def _silu(x):
    return x * _sigmoid(x)


def silu(x):
    """The sigmoid linear unit (also called Swish): silu(x) = x σ(x).

    Range [≈ -0.278, ∞): minimum at x ≈ -1.278. Used in EfficientNet and, inside SwiGLU, in LLaMA
    (Elfwing et al. 2018; Ramachandran et al. 2017). Smooth, non-monotonic, like GELU.

    Derivative: σ(x) (1 + x (1 - σ(x))); see :func:`silu_grad`.

    >>> silu(np.array([-2.0, 0.0, 2.0])).round(4).tolist()
    [-0.2384, 0.0, 1.7616]
    """
    x = _input(x, "silu")
    return _output(_silu(x), x.dtype)


def _silu_grad(x):
    return _sigmoid(x) * (1.0 + x * _sigmoid(-x))


def silu_grad(x):
    """Derivative of :func:`silu`: σ(x) (1 + x (1 - σ(x))), written σ(x) (1 + x σ(-x)).

    Range [≈ -0.0998, ≈ 1.0998].

    >>> silu_grad(np.array([-2.0, 0.0, 2.0])).round(4).tolist()
    [-0.0908, 0.5, 1.0908]
    """
    x = _input(x, "silu_grad")
    return _output(_silu_grad(x), x.dtype)


# ---------------------------------------------------------------------------------------------------------
# ELU and softplus: two more smooth(er) ReLUs, with a negative side that is bounded
# ---------------------------------------------------------------------------------------------------------


def _elu(x, alpha):
    # alpha (e^x - 1) written alpha · expm1(min(x, 0)): exact for small |x| (e^x - 1 would cancel), and the
    # exponent is never positive, so nothing overflows on the side np.where throws away.
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def elu(x, alpha=1.0):
    """The exponential linear unit (Clevert, Unterthiner & Hochreiter 2016): x for x > 0, α (e^x - 1) otherwise.

    Range (-α, ∞): like ReLU for x > 0, but for x < 0 it bends smoothly down to -α instead of sticking at 0,
    so a unit's mean output can sit near zero and negative inputs still get a gradient. Default α = 1, as
    PyTorch's ``F.elu``.

    Derivative: 1 for x > 0, α e^x for x <= 0 (α at x = 0, PyTorch's value at the kink, which for α = 1
    is no kink at all); see :func:`elu_grad`.

    >>> elu(np.array([-10.0, -1.0, 0.0, 2.0])).round(4).tolist()
    [-1.0, -0.6321, 0.0, 2.0]
    >>> elu(np.array([-1e4, 1e4])).tolist()  # no overflow warning
    [-1.0, 10000.0]
    """
    alpha = _check_real(alpha, "alpha", "elu")
    x = _input(x, "elu")
    return _output(_elu(x, alpha), x.dtype)


def _elu_grad(x, alpha):
    return np.where(x > 0, x.dtype.type(1.0), alpha * np.exp(np.minimum(x, 0)))


def elu_grad(x, alpha=1.0):
    """Derivative of :func:`elu`: 1 where x > 0, α e^x where x <= 0 (α at 0, as PyTorch's autograd).

    Range (0, 1] for α = 1: positive everywhere, but it vanishes for x → -∞ (the left side saturates).

    >>> elu_grad(np.array([-1.0, 0.0, 2.0])).round(4).tolist()
    [0.3679, 1.0, 1.0]
    """
    alpha = _check_real(alpha, "alpha", "elu_grad")
    x = _input(x, "elu_grad")
    return _output(_elu_grad(x, alpha), x.dtype)


def _softplus(x, beta, threshold):
    # log(1 + e^(βx)) = max(βx, 0) + log(1 + e^(-|βx|)): the exponent is never positive, and log1p keeps the
    # tiny values of the left tail exact. Above the threshold PyTorch returns x itself (they differ by e^(-βx)).
    with np.errstate(over="ignore"):  # β x beyond the float range is ±inf, and the result is still right
        bx = beta * x
    smooth = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / beta
    return np.where(bx > threshold, x, smooth).astype(x.dtype, copy=False)


def softplus(x, beta=1.0, threshold=20.0):
    """Softplus: log(1 + e^(βx)) / β, a smooth ReLU that is positive everywhere (Dugas et al. 2001).

    Range (0, ∞). softplus(x) - relu(x) = log(1 + e^(-|x|)) / β, at most log(2)/β (at x = 0); a larger β
    hugs ReLU more tightly. Where βx > ``threshold`` it returns x itself, as PyTorch's ``F.softplus`` does
    (the two differ by less than e^(-20) there); defaults β = 1, threshold = 20, as PyTorch.

    Derivative: the sigmoid, σ(βx) (1 above the threshold); see :func:`softplus_grad`.

    Computed as max(βx, 0) + log(1 + e^(-|βx|)), so ``softplus(1e4)`` is 1e4 and ``softplus(-1e4)`` is
    0 with no overflow warning.

    >>> softplus(np.array([-2.0, 0.0, 2.0])).round(4).tolist()
    [0.1269, 0.6931, 2.1269]
    >>> softplus(np.array([-1e4, 1e4])).tolist()
    [0.0, 10000.0]
    """
    beta = _check_real(beta, "beta", "softplus", positive=True)
    threshold = _check_real(threshold, "threshold", "softplus")
    x = _input(x, "softplus")
    return _output(_softplus(x, beta, threshold), x.dtype)


def _softplus_grad(x, beta, threshold):
    with np.errstate(over="ignore"):
        bx = beta * x
    return np.where(bx > threshold, x.dtype.type(1.0), _sigmoid(bx)).astype(x.dtype, copy=False)


def softplus_grad(x, beta=1.0, threshold=20.0):
    """Derivative of :func:`softplus`: σ(βx), and 1 where βx > ``threshold`` (as PyTorch's autograd).

    Range (0, 1]: never exactly 0, but as small as the sigmoid's left tail.

    >>> softplus_grad(np.array([-2.0, 0.0, 2.0])).round(4).tolist()
    [0.1192, 0.5, 0.8808]
    """
    beta = _check_real(beta, "beta", "softplus_grad", positive=True)
    threshold = _check_real(threshold, "threshold", "softplus_grad")
    x = _input(x, "softplus_grad")
    return _output(_softplus_grad(x, beta, threshold), x.dtype)


# ---------------------------------------------------------------------------------------------------------
# Softmax and log-softmax: turning scores into probabilities
# ---------------------------------------------------------------------------------------------------------


def _shift_by_max(x, axis):
    """x - max(x) along ``axis``: every entry <= 0, so its exponential is at most 1."""
    # Only a difference beyond the dtype's range (float32 entries ±3e38 apart) can overflow; it becomes -inf,
    # whose exponential is the correct 0.
    with np.errstate(over="ignore"):
        return x - np.max(x, axis=axis, keepdims=True)


def softmax(x, dim=-1):
    """Softmax along ``dim`` (``torch.nn.functional.softmax``): softmax(x)_i = e^(x_i) / Σ_j e^(x_j).

    Range: each entry in [0, 1] (strictly inside in exact arithmetic), summing to 1 along ``dim``. Turns a
    vector of scores (logits) into probabilities for multi-class outputs.

    Invariant to shifts: softmax(x + c) = softmax(x) for any constant c. We use c = -max_j x_j, so every
    exponent is <= 0 and e^(...) never overflows: ``softmax([1e4, 0])`` is ``[1, 0]`` with no warning.

    Derivative (a matrix, not elementwise): ∂ softmax_i / ∂x_j = softmax_i (δ_ij - softmax_j).

    >>> softmax(np.array([[0.0, np.log(3.0)], [1e4, 0.0]]), dim=1)
    array([[0.25, 0.75],
           [1.  , 0.  ]])
    """
    x = _input(x, "softmax")
    dim = _check_dim(dim, x.ndim, "softmax")
    if x.size == 0:
        return x.copy()
    e = np.exp(_shift_by_max(x, dim))
    return _output(e / np.sum(e, axis=dim, keepdims=True), x.dtype)


def log_softmax(x, dim=-1):
    """Log of the softmax along ``dim`` (``torch.nn.functional.log_softmax``):
    log_softmax(x)_i = x_i - log Σ_j e^(x_j).

    Range (-∞, 0]. Computed with the log-sum-exp trick, log Σ_j e^(x_j) = m + log Σ_j e^(x_j - m) with
    m = max_j x_j, so it neither overflows (large x) nor takes log 0 (a tiny softmax entry):
    ``log_softmax([1e4, 0])`` is ``[0, -1e4]``, where ``log(softmax(x))`` would give ``-inf``. The
    cross-entropy loss is built on it.

    Derivative (a matrix): ∂ log_softmax_i / ∂x_j = δ_ij - softmax_j.

    >>> log_softmax(np.array([1e4, 0.0]), dim=0)
    array([     0., -10000.])
    """
    x = _input(x, "log_softmax")
    dim = _check_dim(dim, x.ndim, "log_softmax")
    if x.size == 0:
        return x.copy()
    shifted = _shift_by_max(x, dim)
    return _output(shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True)), x.dtype)
