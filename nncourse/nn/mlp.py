"""Multi-layer perceptrons: the one builder, and the two ways of looking inside one, layer by layer.

An MLP with sizes ``n_0 → n_1 → … → n_L`` is ``Linear(n_0, n_1), σ, Linear(n_1, n_2), σ, …, Linear(n_{L-1}, n_L)``:
every hidden layer computes ``a(l) = σ(z(l))`` with ``z(l) = W(l) a(l-1) + b(l)``, and the last layer is
linear, so that its output ``z(L)`` is the logit or the regression value that a loss takes.

* :func:`build_mlp` makes one, as an ``nn.Sequential``: every chapter, widget and notebook builds its MLPs here.
* :func:`layer_activations` runs the forward pass and keeps every layer's output ``[x, a(1), …, a(L-1), z(L)]``.
* :func:`backward_by_layer` runs the backward pass of a loss and keeps every layer's delta ``δ(l) = ∂L/∂z(l)``.
* :func:`gradient_through_depth` measures how much of a gradient survives the way back through a deep network.

>>> model = build_mlp([2, 8, 8, 1], "tanh", dtype=np.float64, rng=0)
>>> [type(m).__name__ for m in model]
['Linear', 'Tanh', 'Linear', 'Tanh', 'Linear']
"""

import math

import numpy as np

from nncourse._checks import check_positive, describe
from nncourse._rng import as_generator
from nncourse.nn.activation import get_activation
from nncourse.nn.linear import Linear
from nncourse.nn.loss import MSELoss
from nncourse.nn.module import Module, Sequential

__all__ = ["INITS", "backward_by_layer", "build_mlp", "gradient_through_depth", "layer_activations"]

# The weight initialisations build_mlp knows by name: each is the nn.init function of that name with PyTorch's
# defaults (kaiming_* therefore uses ReLU's gain √2, as torch.nn.init.kaiming_normal_(w) does), biases zero.
INITS = ("default", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "orthogonal")


def _check_sizes(sizes):
    ok = isinstance(sizes, (list, tuple)) and len(sizes) >= 2
    ok = ok and all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1 for n in sizes)
    if not ok:
        raise ValueError(
            f"build_mlp: sizes must be a list of at least two positive integers [n_in, hidden..., n_out], "
            f"got {sizes!r}"
        )
    return [int(n) for n in sizes]


def _initialise(linear, init, rng):
    from nncourse.nn import init as nn_init

    if callable(init):
        init(linear.weight, rng=rng)
    else:
        getattr(nn_init, f"{init}_")(linear.weight, rng=rng)
    if linear.bias is not None:
        nn_init.zeros_(linear.bias)


def build_mlp(sizes, activation="relu", *, init="default", bias=True, dtype=np.float32, rng=None,
              **activation_kwargs):
    """The MLP ``sizes[0] → sizes[1] → … → sizes[-1]`` as an ``nn.Sequential`` of ``Linear`` and activation layers.

    Args:
        sizes (list of int): the width of every layer, input first and output last (at least two).
        activation (str): a name from :data:`nncourse.nn.ACTIVATIONS`, used after every hidden layer; the last
            layer is linear.
        init: ``"default"`` keeps ``Linear``'s own (PyTorch's) initialisation; another name from :data:`INITS`
            re-draws every weight with that ``nn.init`` function (PyTorch's defaults) and sets the biases to
            zero; a function ``init(weight, rng=rng)`` re-draws every weight with it (biases zero).
        bias (bool): whether the ``Linear`` layers have biases. Default: ``True``.
        dtype: floating dtype of the parameters. Default: ``np.float32``.
        rng: ``None``, an int seed or a ``numpy.random.Generator``, for every draw.
        **activation_kwargs: the activation's own arguments, e.g. ``negative_slope=0.1``.

    The layers are first made with their default initialisation, in order, and only then re-initialised,
    exactly as PyTorch code does (``nn.Linear(...)`` then ``nn.init.kaiming_normal_(layer.weight)``).

    >>> build_mlp([2, 4, 1], "leaky_relu", negative_slope=0.1)
    Sequential(
      (0): Linear(in_features=2, out_features=4, bias=True)
      (1): LeakyReLU(negative_slope=0.1)
      (2): Linear(in_features=4, out_features=1, bias=True)
    )
    >>> model = build_mlp([3, 5, 5, 2], init="kaiming_normal", rng=0)
    >>> float(np.abs(model[0].bias.data).max())
    0.0
    """
    sizes = _check_sizes(sizes)
    spec = get_activation(activation)
    if not callable(init) and init not in INITS:
        raise ValueError(f"build_mlp: init must be one of {list(INITS)} or a function, got {describe(init)}")
    rng = as_generator(rng)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [Linear(n_in, n_out, bias=bias, dtype=dtype, rng=rng), spec.module(**activation_kwargs)]
    layers.pop()  # the last layer is linear
    if init != "default":
        for layer in layers[::2]:
            _initialise(layer, init, rng)
    return Sequential(*layers)


def _check_sequential(model, where):
    if not isinstance(model, Sequential):
        raise ValueError(
            f"{where}: model must be an nn.Sequential (for example from build_mlp), got {describe(model)}"
        )


def layer_activations(model, x):
    """Run ``model`` on ``x`` and return every layer's output ``[x, a(1), …, a(L-1), z(L)]``.

    ``a(l)`` is the output of the ``l``-th activation; the last entry is the output of the last layer (the
    logits, for a model that ends with ``Linear``).

    >>> model = build_mlp([2, 3, 1], "relu", dtype=np.float64, rng=0)
    >>> [a.shape for a in layer_activations(model, np.zeros((5, 2)))]
    [(5, 2), (5, 3), (5, 1)]
    """
    _check_sequential(model, "layer_activations")
    outputs = [x]
    a = x
    for module in model:
        a = module(a)
        if not isinstance(module, Linear):
            outputs.append(a)
    outputs.append(a)
    return outputs


def backward_by_layer(model, x, y, loss_fn=None):
    """Run the forward pass, the loss and the backward pass of ``model`` one module at a time.

    Returns ``(loss, deltas, weight_grads)``: ``deltas[l]`` is ``δ(l) = ∂L/∂z(l)`` of shape ``(N, n_l)`` for
    the pre-activation of layer ``l = 1..L``, and ``deltas[0]`` is ``∂L/∂x``; ``weight_grads[l - 1]`` is
    ``∂L/∂W(l) = δ(l)ᵀ a(l-1)`` of the ``l``-th ``Linear`` layer. ``loss_fn`` defaults to ``nn.MSELoss()``.
    The model's gradients are zeroed first, so they hold exactly this backward pass afterwards.

    >>> model = build_mlp([2, 3, 1], "tanh", dtype=np.float64, rng=0)
    >>> loss, deltas, weight_grads = backward_by_layer(model, np.ones((4, 2)), np.zeros((4, 1)))
    >>> [d.shape for d in deltas], [g.shape for g in weight_grads]
    ([(4, 2), (4, 3), (4, 1)], [(3, 2), (1, 3)])
    """
    _check_sequential(model, "backward_by_layer")
    loss_fn = MSELoss() if loss_fn is None else loss_fn
    if not isinstance(loss_fn, Module):
        raise ValueError(
            f"backward_by_layer: loss_fn must be a loss module such as nn.MSELoss(), got {describe(loss_fn)}"
        )
    model.zero_grad()
    loss = loss_fn(model(x), y)
    grad = loss_fn.backward()
    linears = [m for m in model if isinstance(m, Linear)]
    deltas = [None] * (len(linears) + 1)
    layer = len(linears)  # grad is ∂L/∂z(layer) here, the output of the layer-th Linear
    deltas[layer] = grad
    for module in reversed(list(model)):
        grad = module.backward(grad)
        if isinstance(module, Linear):
            layer -= 1  # grad is now ∂L/∂a(layer)
        else:
            deltas[layer] = grad  # through σ'(z(layer)): the delta of that layer
    deltas[0] = grad
    return float(loss), deltas, [m.weight.grad.copy() for m in linears]


def gradient_through_depth(activation, *, depth=50, width=64, batch=256, rng=0, **activation_kwargs):
    """How much of a gradient survives the way back through k = 0, 1, ..., ``depth`` layers.

    The network: ``depth`` layers ``Linear(width, width, bias=False)`` + activation, float64, every weight drawn
    from ``N(0, gain²/width)`` with the activation's gain (:meth:`Activation.gain`). A batch of ``batch``
    standard-normal inputs goes forward; a random gradient ``g = ∂L/∂a(L)`` comes back from the top, and each
    layer multiplies it by its ``Wᵀ diag(σ'(z))`` (its ``backward``). Returns ``r`` of length ``depth + 1``:
    ``r[k] = ‖∂L/∂a(L-k)‖ / ‖∂L/∂a(L)‖``, so ``r[0] = 1``. Seeded: the same ``rng`` draws the same numbers
    for every activation.

    >>> r = gradient_through_depth("sigmoid", depth=10)
    >>> float(r[0]), bool(r[10] < 1e-3)
    (1.0, True)
    """
    where = "gradient_through_depth"
    spec = get_activation(activation)
    for name, value in (("depth", depth), ("width", width), ("batch", batch)):
        check_positive(value, name, where, integer=True)
    gen = as_generator(rng)
    std = spec.gain(**activation_kwargs) / math.sqrt(width)
    layers = []
    for _ in range(depth):
        linear = Linear(width, width, bias=False, dtype=np.float64, rng=gen)
        linear.weight.data[...] = gen.normal(0.0, std, size=(width, width))
        layers += [linear, spec.module(**activation_kwargs)]
    model = Sequential(*layers)
    model(gen.normal(size=(batch, width)))
    grad = gen.normal(size=(batch, width))
    top = np.linalg.norm(grad)
    ratios = [1.0]
    for index, module in enumerate(reversed(layers)):
        grad = module.backward(grad)
        if index % 2 == 1:  # through one activation and its Linear layer
            ratios.append(np.linalg.norm(grad) / top)
    return np.array(ratios)
