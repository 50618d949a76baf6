"""Layers and losses built from :class:`~nncourse.autograd.engine.Tensor` operations: no backward code at all.

The engine derives every gradient from the operations these functions record, so each one is only its
forward formula. They mirror ``torch.nn.functional``'s losses and ``torch.nn.Linear``, and they take their
initial weights from :mod:`nncourse.nn` (one initialisation, one MLP builder for the whole package):

    >>> model = MLP([2, 8, 1], "tanh", rng=0, dtype=np.float64)
    >>> x, y = np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[1.0], [0.0]])
    >>> loss = mse_loss(model(x), y)
    >>> loss.backward()
    >>> [p.grad.shape for p in model.parameters()]
    [(8, 2), (8,), (1, 8), (1,)]

Like :mod:`nncourse.nn`'s losses, these refuse inputs that PyTorch would broadcast or accept silently: a
``(N, 1)`` prediction against an ``(N,)`` target, an empty batch, a NaN prediction.
"""

import numpy as np

from nncourse import nn
from nncourse._checks import describe
from nncourse.autograd.engine import Tensor

_REDUCTIONS = ("mean", "sum")


# -------------------------------------------------------------------- checks shared by the losses
def _prediction(input, where):
    """The prediction, a non-empty Tensor of finite numbers (the graph starts from it)."""
    if not isinstance(input, Tensor):
        raise ValueError(f"{where}: input (the prediction) must be a Tensor, got {describe(input)}")
    if input.data.size == 0:
        raise ValueError(f"{where}: got an empty batch (input of shape {input.shape}); a loss needs one sample")
    if not np.all(np.isfinite(input.data)):
        raise ValueError(
            f"{where}: input (the prediction) must be finite, got NaN or infinity; if this happens during "
            f"training, it has diverged (try a smaller learning rate)"
        )
    return input


def _same_shape_target(input, target, where):
    """An element-wise loss's target: a Tensor of exactly the prediction's shape (no broadcasting)."""
    target = target if isinstance(target, Tensor) else Tensor(target, dtype=input.dtype)
    if target.shape != input.shape:
        hint = "; reshape the target, e.g. y.reshape(-1, 1)" if target.data.size == input.data.size else ""
        raise ValueError(
            f"{where}: input and target must have the same shape, got input of shape {input.shape} and "
            f"target of shape {target.shape}{hint}"
        )
    return target


def _reduce(losses, reduction, where):
    """The mean (PyTorch's default) or the sum of the per-element losses."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{where}: reduction must be 'mean' or 'sum', got {reduction!r}")
    return losses.mean() if reduction == "mean" else losses.sum()


# -------------------------------------------------------------------- losses
def mse_loss(input, target, reduction="mean"):
    """Mean squared error (1/N) Σ (ŷ - y)² over all N elements, like ``torch.nn.functional.mse_loss``.

    ``input`` and ``target`` must have the same shape (PyTorch broadcasts them, with a warning).

    >>> mse_loss(Tensor([1.0, 2.0]), np.array([1.0, 4.0]))
    Tensor(2.)
    """
    where = "mse_loss"
    input = _prediction(input, where)
    target = _same_shape_target(input, target, where)
    return _reduce((input - target) ** 2, reduction, where)


def binary_cross_entropy_with_logits(input, target, reduction="mean"):
    """Binary cross-entropy of ``sigmoid(input)`` against ``target`` in [0, 1], from the logits ``input``:

        L = -(1/N) Σ [y log σ(z) + (1 - y) log(1 - σ(z))] = (1/N) Σ [(1 - y) z - log σ(z)],

    the second form (``torch.nn.functional.binary_cross_entropy_with_logits``'s) because log(1 - σ(z)) =
    log σ(z) - z, and :meth:`Tensor.log_sigmoid` never overflows: finite for logits of ±1e4. The engine
    derives the gradient σ(z) - y (over N).

    >>> binary_cross_entropy_with_logits(Tensor([-800.0]), np.array([1.0]))
    Tensor(800.)
    """
    where = "binary_cross_entropy_with_logits"
    input = _prediction(input, where)
    target = _same_shape_target(input, target, where)
    if not np.all((target.data >= 0) & (target.data <= 1)):
        raise ValueError(f"{where}: target must hold probabilities in [0, 1], got values from "
                         f"{target.data.min():g} to {target.data.max():g}")
    return _reduce((1 - target) * input - input.log_sigmoid(), reduction, where)


def cross_entropy(input, target, reduction="mean"):
    """Cross-entropy of raw logits ``input`` (N, C) against integer classes ``target`` (N,), like
    ``torch.nn.functional.cross_entropy``: L = -(1/N) Σ_n log softmax(z_n)[y_n].

    >>> cross_entropy(Tensor([[0.0, 0.0], [5.0, -5.0]]), np.array([1, 0]))
    Tensor(0.3466)
    """
    where = "cross_entropy"
    input = _prediction(input, where)
    target = np.asarray(target.data if isinstance(target, Tensor) else target)
    if input.ndim != 2:
        raise ValueError(f"{where}: input must be logits of shape (N, C), got shape {input.shape}")
    if target.shape != (input.shape[0],) or target.dtype == bool or not np.issubdtype(target.dtype, np.integer):
        raise ValueError(
            f"{where}: target must hold integer class indices of shape ({input.shape[0]},) for input of shape "
            f"{input.shape}, got {describe(target)}"
        )
    if target.min() < 0 or target.max() >= input.shape[1]:
        raise ValueError(f"{where}: target classes must lie in 0..{input.shape[1] - 1}, got {target.min()} to "
                         f"{target.max()}")
    return _reduce(-input.log_softmax(dim=1)[np.arange(len(target)), target], reduction, where)


# -------------------------------------------------------------------- layers
class Linear:
    """A fully connected layer built from Tensors: Z = A Wᵀ + b, with PyTorch's layout.

    The weights are those of an :class:`nncourse.nn.Linear` built with the same arguments (PyTorch's default
    initialisation, the same random numbers), copied into Tensors. It needs no backward code: the engine
    derives it from ``@``, ``.T`` and ``+``.

    >>> layer = Linear(3, 2, rng=0, dtype=np.float64)
    >>> layer(Tensor(np.ones((4, 3)))).shape
    (4, 2)
    >>> bool(np.all(layer.weight.data == nn.Linear(3, 2, rng=0, dtype=np.float64).weight.data))
    True
    """

    def __init__(self, in_features, out_features, bias=True, dtype=np.float32, rng=None):
        self._copy_parameters(nn.Linear(in_features, out_features, bias=bias, dtype=dtype, rng=rng))

    @classmethod
    def from_module(cls, module):
        """The layer with (copies of) the weight and bias of an :class:`nncourse.nn.Linear`.

        >>> Linear.from_module(nn.Linear(5, 2)).weight.shape
        (2, 5)
        """
        if not isinstance(module, nn.Linear):
            raise ValueError(f"Linear.from_module: expected an nncourse.nn.Linear, got {describe(module)}")
        layer = cls.__new__(cls)
        layer._copy_parameters(module)
        return layer

    def _copy_parameters(self, module):
        self.weight = Tensor(module.weight.data, requires_grad=True)
        self.bias = None if module.bias is None else Tensor(module.bias.data, requires_grad=True)

    def __call__(self, x):
        z = x @ self.weight.T
        return z if self.bias is None else z + self.bias

    def parameters(self):
        """The weight and the bias (if any), in PyTorch's order.

        >>> [p.shape for p in Linear(3, 2).parameters()]
        [(2, 3), (2,)]
        """
        return [self.weight] if self.bias is None else [self.weight, self.bias]


class MLP:
    """A multilayer perceptron: ``Linear`` layers with ``activation`` between them and none after the last.

    Built by :func:`nncourse.nn.build_mlp` with the same arguments (so with the same initial weights as that
    ``Sequential``), then copied into Tensors. ``activation`` is a name of :data:`nncourse.nn.ACTIVATIONS`;
    the :class:`Tensor` method of the same name, which receives ``activation_kwargs`` (e.g.
    ``negative_slope=0.1``), applies it. Softplus has no Tensor method (Chapter 5's exercise has the learner
    write it); it is built from the registry's function and derivative instead, as that exercise does.
    ``MLP([64, 128, 10])`` has one hidden layer of 128 units.

    >>> MLP([2, 3, 1], activation="softplus", rng=0)(np.zeros((1, 2))).shape
    (1, 1)

    >>> model = MLP([4, 16, 3], activation="gelu", rng=0)
    >>> model(np.zeros((5, 4), dtype=np.float32)).shape
    (5, 3)
    >>> len(model.parameters())
    4
    """

    def __init__(self, sizes, activation="relu", *, init="default", bias=True, dtype=np.float32, rng=None,
                 **activation_kwargs):
        sequential = nn.build_mlp(sizes, activation, init=init, bias=bias, dtype=dtype, rng=rng,
                                  **activation_kwargs)
        self.activation = nn.get_activation(activation).name
        self.activation_kwargs = activation_kwargs
        self.layers = [Linear.from_module(m) for m in sequential if isinstance(m, nn.Linear)]

    def __call__(self, x):
        x = x if isinstance(x, Tensor) else Tensor(x, dtype=self.layers[0].weight.dtype)
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = self._activate(x)
        return x

    def _activate(self, x):
        if hasattr(Tensor, self.activation):
            return getattr(x, self.activation)(**self.activation_kwargs)
        f, f_grad = nn.get_activation(self.activation).functions(**self.activation_kwargs)
        return Tensor.from_op(f(x.data), (x,), self.activation, lambda g: (g * f_grad(x.data),))

    def parameters(self):
        """Every weight and bias, layer by layer (PyTorch's order).

        >>> [p.shape for p in MLP([2, 3, 1]).parameters()]
        [(3, 2), (3,), (1, 3), (1,)]
        """
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self):
        """Fill every parameter's ``.grad`` with zeros.

        >>> model = MLP([2, 1])
        >>> model.zero_grad()
        >>> model.parameters()[0].grad
        array([[0., 0.]], dtype=float32)
        """
        for p in self.parameters():
            p.zero_grad()
