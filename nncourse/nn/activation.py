"""Activation layers (``Sigmoid, Tanh, ReLU, LeakyReLU, GELU, SiLU, ELU, Softplus``): PyTorch's modules from scratch.

Each layer applies an elementwise function a = σ(z) from :mod:`nncourse.functional`. Its forward pass
caches the input z; its backward pass applies the chain rule elementwise,

    ∂L/∂z = ∂L/∂a ⊙ σ'(z),

with σ' the matching ``*_grad`` function. Activations have no parameters, so nothing is accumulated.

The module ends with the course's one activation registry, :data:`ACTIVATIONS`: from a name (the
:mod:`nncourse.functional` function names) to the layer class, the function f, its derivative f' and the
weight-initialisation gain. Everything that picks an activation by name (the MLP builder, the widgets, the
autograd engine's small ``nn``, the notebooks) goes through it.

The layers share :mod:`nncourse.functional`'s private kernels (``F._relu``, ``F._relu_grad``, ...), one
implementation of each formula. The input is validated once, in ``forward`` (numeric, real, finite; this is
where a bad value enters the network); ``backward`` only checks that ``grad_output`` has the output's shape.

>>> from nncourse.nn import Linear, ReLU, Sequential
>>> model = Sequential(Linear(2, 8), ReLU(), Linear(8, 1))
"""

import functools
import math
from dataclasses import dataclass

import numpy as np

from nncourse import functional as F
from nncourse.nn import init
from nncourse.nn.module import Module

__all__ = ["ACTIVATIONS", "ELU", "GELU", "Activation", "LeakyReLU", "ReLU", "SiLU", "Sigmoid", "Softplus", "Tanh",
           "get_activation"]


class _Activation(Module):
    """What every activation layer shares: cache the input, multiply the incoming gradient by σ'(z).

    A subclass defines ``_function(z)`` and ``_derivative(z)``, which call the unchecked kernels of
    :mod:`nncourse.functional` on the validated z and return arrays of z's dtype (``_derivative`` may return
    a boolean mask, as ReLU's).
    """

    def __init__(self):
        self._input = None  # the cache: the input z of the last forward pass

    def _function(self, z):
        raise NotImplementedError

    def _derivative(self, z):
        raise NotImplementedError

    def forward(self, input):
        """a = σ(z), elementwise; caches z for the backward pass. The output has the input's dtype."""
        z = F._input(input, repr(self))  # a float array, or a ValueError naming this layer
        self._input = z
        return self._function(z)

    def backward(self, grad_output, *, input_grad=True):
        """Given ∂L/∂a (the shape of the last output), return ∂L/∂z = ∂L/∂a ⊙ σ'(z), in z's dtype.

        With ``input_grad=False`` (see ``Sequential.backward``) nothing is needed from this layer: ``None``."""
        z = self._input
        if z is None:
            raise RuntimeError(f"{self!r}: backward() called before forward()")
        grad_output = np.asarray(grad_output)
        if grad_output.shape != z.shape:
            raise ValueError(
                f"{self!r}: expected grad_output of shape {z.shape} (the shape of the last output), "
                f"got shape {grad_output.shape}"
            )
        if not input_grad:
            return None
        grad_input = grad_output * self._derivative(z)
        return np.asarray(grad_input, dtype=z.dtype)  # a float64 grad_output on a float32 layer: back to float32


class Sigmoid(_Activation):
    """σ(z) = 1 / (1 + e^(-z)), range (0, 1); σ'(z) = σ(z)(1 - σ(z)) <= 1/4. PyTorch's ``nn.Sigmoid``.

    >>> Sigmoid()(np.array([0.0]))
    array([0.5])
    """

    def _function(self, z):
        return F._sigmoid(z)

    def _derivative(self, z):
        return F._sigmoid_grad(z)


class Tanh(_Activation):
    """tanh(z), range (-1, 1), zero-centred; tanh'(z) = 1 - tanh²(z) <= 1. PyTorch's ``nn.Tanh``.

    >>> layer = Tanh()
    >>> layer(np.array([0.0, 1.0])).round(4).tolist()
    [0.0, 0.7616]
    >>> layer.backward(np.ones(2)).round(4).tolist()  # ∂L/∂a ⊙ (1 - tanh²(z))
    [1.0, 0.42]
    """

    def _function(self, z):
        return F._tanh(z)

    def _derivative(self, z):
        return F._tanh_grad(z)


class ReLU(_Activation):
    """max(0, z), range [0, ∞); derivative 1 for z > 0, else 0 (0 at z = 0, as PyTorch). ``nn.ReLU``.

    >>> layer = ReLU()
    >>> layer(np.array([-1.0, 0.0, 2.0])).tolist()
    [0.0, 0.0, 2.0]
    >>> layer.backward(np.array([5.0, 5.0, 5.0])).tolist()  # the gradient passes only where z > 0
    [0.0, 0.0, 5.0]
    """

    def _function(self, z):
        return F._relu(z)

    def _derivative(self, z):
        return F._relu_grad(z)


class LeakyReLU(_Activation):
    """z for z > 0, ``negative_slope * z`` otherwise; derivative 1 or ``negative_slope``. ``nn.LeakyReLU``.

    Args:
        negative_slope (float): the slope for negative inputs. Default: 0.01, as PyTorch.

    >>> LeakyReLU()
    LeakyReLU(negative_slope=0.01)
    """

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = F._check_slope(negative_slope, "LeakyReLU")

    def _function(self, z):
        return F._leaky_relu(z, self.negative_slope)

    def _derivative(self, z):
        return F._leaky_relu_grad(z, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class GELU(_Activation):
    """z Φ(z) with Φ the standard normal CDF; derivative Φ(z) + z φ(z). PyTorch's ``nn.GELU``.

    Args:
        approximate (str): ``"none"`` (exact, through erf) or ``"tanh"`` (the approximation
            ½ z (1 + tanh(√(2/π)(z + 0.044715 z³)))). Default: ``"none"``, as PyTorch.

    >>> GELU(approximate="tanh")
    GELU(approximate='tanh')
    """

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = F._check_approximate(approximate, "GELU")

    def _function(self, z):
        return F._gelu(z, self.approximate)

    def _derivative(self, z):
        return F._gelu_grad(z, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(_Activation):
    """z σ(z) (Swish), range [≈ -0.278, ∞); derivative σ(z)(1 + z(1 - σ(z))). PyTorch's ``nn.SiLU``.

    >>> layer = SiLU()
    >>> layer(np.array([-1.0, 0.0, 1.0])).round(4).tolist()
    [-0.2689, 0.0, 0.7311]
    >>> layer.backward(np.ones(3)).round(4).tolist()
    [0.0723, 0.5, 0.9277]
    """

    def _function(self, z):
        return F._silu(z)

    def _derivative(self, z):
        return F._silu_grad(z)


class ELU(_Activation):
    """z for z > 0, α (e^z - 1) otherwise, range (-α, ∞); derivative 1 or α e^z. PyTorch's ``nn.ELU``.

    Args:
        alpha (float): the level -α that the negative side approaches. Default: 1.0, as PyTorch.

    >>> layer = ELU()
    >>> layer(np.array([-1.0, 0.0, 2.0])).round(4).tolist()
    [-0.6321, 0.0, 2.0]
    >>> layer.backward(np.ones(3)).round(4).tolist()  # α e^z on the negative side
    [0.3679, 1.0, 1.0]
    """

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = F._check_real(alpha, "alpha", "ELU")

    def _function(self, z):
        return F._elu(z, self.alpha)

    def _derivative(self, z):
        return F._elu_grad(z, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"


class Softplus(_Activation):
    """log(1 + e^(βz)) / β, range (0, ∞); derivative σ(βz). PyTorch's ``nn.Softplus``.

    Args:
        beta (float): the sharpness β > 0. Default: 1.0, as PyTorch.
        threshold (float): where βz > threshold the layer returns z itself. Default: 20.0, as PyTorch.

    >>> layer = Softplus()
    >>> layer
    Softplus(beta=1.0, threshold=20.0)
    >>> layer(np.array([0.0, 30.0])).round(4).tolist(), layer.backward(np.ones(2)).tolist()
    ([0.6931, 30.0], [0.5, 1.0])
    """

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = F._check_real(beta, "beta", "Softplus", positive=True)
        self.threshold = F._check_real(threshold, "threshold", "Softplus")

    def _function(self, z):
        return F._softplus(z, self.beta, self.threshold)

    def _derivative(self, z):
        return F._softplus_grad(z, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


# ---------------------------------------------------------------------------------------------------------
# The registry: one table from a name to everything the course knows about that activation
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activation:
    """One activation under its :mod:`nncourse.functional` name: its layer, f, f' and its initialisation gain.

    The keyword arguments of :meth:`module`, :meth:`functions` and :meth:`gain` are the activation's own
    (``negative_slope`` for ``"leaky_relu"``, ``approximate`` for ``"gelu"``), as the layer takes them.

    >>> relu = get_activation("relu")
    >>> relu.module()
    ReLU()
    >>> f, f_grad = relu.functions()
    >>> f(np.array([-1.0, 2.0])), f_grad(np.array([-1.0, 2.0]))
    (array([0., 2.]), array([0., 1.]))
    >>> round(relu.gain(), 4)
    1.4142
    """

    name: str
    module_class: type
    function: object
    derivative: object

    def module(self, **kwargs):
        """A new layer: ``get_activation("leaky_relu").module(negative_slope=0.1)`` is ``LeakyReLU(0.1)``."""
        return self.module_class(**kwargs)

    def functions(self, **kwargs):
        """The pair ``(f, f')`` of :mod:`nncourse.functional` functions with the keyword arguments bound."""
        return functools.partial(self.function, **kwargs), functools.partial(self.derivative, **kwargs)

    def gain(self, **kwargs):
        """The factor by which weight initialisation scales this activation's weights (``std = gain/√fan``).

        ``torch.nn.init.calculate_gain``'s value where PyTorch has one (1 for sigmoid, 5/3 for tanh, √2 for
        ReLU, √(2/(1 + slope²)) for Leaky ReLU). PyTorch has none for GELU, SiLU, ELU and softplus: the course
        uses ReLU's √2, since all four behave like ReLU away from zero (an approximation; their exact
        variance-preserving gains differ a little, see Chapter 7).

        >>> get_activation("elu").gain() == get_activation("relu").gain()
        True
        """
        if self.name in ("gelu", "silu", "elu", "softplus"):
            return math.sqrt(2.0)
        return init.calculate_gain(self.name, kwargs.get("negative_slope"))


ACTIVATIONS = {
    spec.name: spec
    for spec in (
        Activation("sigmoid", Sigmoid, F.sigmoid, F.sigmoid_grad),
        Activation("tanh", Tanh, F.tanh, F.tanh_grad),
        Activation("relu", ReLU, F.relu, F.relu_grad),
        Activation("leaky_relu", LeakyReLU, F.leaky_relu, F.leaky_relu_grad),
        Activation("gelu", GELU, F.gelu, F.gelu_grad),
        Activation("silu", SiLU, F.silu, F.silu_grad),
        Activation("elu", ELU, F.elu, F.elu_grad),
        Activation("softplus", Softplus, F.softplus, F.softplus_grad),
    )
}


def get_activation(name):
    """The registry entry for ``name`` (one of :data:`ACTIVATIONS`' keys), or a ValueError listing them.

    >>> get_activation("tanh").module_class
    <class 'nncourse.nn.activation.Tanh'>
    """
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {list(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]
