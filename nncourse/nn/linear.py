"""``Linear``: the affine layer z = W a + b, with its backward pass right beside it.

Shapes, batched with samples as rows (as in PyTorch):

* input ``A`` of shape ``(N, in_features)`` (any leading dimensions ``(*, in_features)`` work),
* weight ``W`` of shape ``(out_features, in_features)``, bias ``b`` of shape ``(out_features,)``,
* output ``Z = A Wᵀ + b`` of shape ``(N, out_features)``.

Backward, given ``G = ∂L/∂Z`` of shape ``(N, out_features)``:

* ``∂L/∂W = Gᵀ A``  (out_features, in_features), added to ``weight.grad``;
* ``∂L/∂b = Σ_n G[n]``  (out_features,), added to ``bias.grad``;
* ``∂L/∂A = G W``  (N, in_features), returned to the layer below.
"""

import math

import numpy as np

from nncourse import functional as F
from nncourse._checks import check_positive, describe
from nncourse._rng import as_generator
from nncourse.nn import init
from nncourse.nn.module import Module, Parameter


class Linear(Module):
    """Applies the affine map ``z = W a + b``; batched, ``Z = A Wᵀ + b`` (PyTorch's ``nn.Linear``).

    Args:
        in_features (int): size of each input sample.
        out_features (int): size of each output sample.
        bias (bool): whether the layer learns an additive bias. Default: ``True``.
        dtype: floating dtype of the parameters. Default: ``np.float32``, like PyTorch; tests use float64.
        rng: ``None`` (the package's default generator), an int seed or a ``numpy.random.Generator``,
            used for the initial weights.

    Attributes:
        weight (Parameter): shape ``(out_features, in_features)``, PyTorch's layout.
        bias (Parameter or None): shape ``(out_features,)``.

    Initialisation is PyTorch's default (:meth:`reset_parameters`): every entry of the weight and of the bias
    is drawn from ``U(-1/√in_features, 1/√in_features)``, the weight written as PyTorch writes it,
    ``init.kaiming_uniform_(weight, a=√5)``, whose bound ``gain·√(3/fan_in)`` with ``gain = √(2/(1+a²)) = √(1/3)``
    is ``1/√in_features`` (to 2 float64 ulps). The numbers differ from PyTorch's, because the random generators
    differ; the distribution is the same.

    Inputs of another real dtype (for example integer 0/1 inputs of a logic gate) are converted to the layer's
    dtype; PyTorch raises an error instead. Boolean, complex and non-numeric (object) inputs are refused with a
    ValueError, as are NaN or infinite values in an input that is not already a floating-point array.

    >>> layer = Linear(2, 3)
    >>> layer
    Linear(in_features=2, out_features=3, bias=True)
    >>> layer(np.zeros((5, 2), dtype=np.float32)).shape
    (5, 3)
    """

    def __init__(self, in_features, out_features, bias=True, dtype=np.float32, rng=None):
        where = f"Linear({in_features!r}, {out_features!r})"
        check_positive(in_features, "in_features", where, integer=True)
        check_positive(out_features, "out_features", where, integer=True)
        dtype = np.dtype(dtype)
        if not np.issubdtype(dtype, np.floating):
            raise ValueError(f"{where}: dtype must be a floating-point dtype such as np.float32, got {dtype}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dtype))
        self.bias = Parameter(np.empty(self.out_features, dtype=dtype)) if bias else None
        self.reset_parameters(rng)
        self._input = None  # the cache: the input of the last forward pass

    def reset_parameters(self, rng=None):
        """Draw the initial weight and bias again, as PyTorch's ``Linear.reset_parameters``: the weight from
        ``init.kaiming_uniform_(weight, a=√5)``, then the bias from ``U(-1/√fan_in, 1/√fan_in)``.

        >>> layer = Linear(4, 2, dtype=np.float64)
        >>> layer.reset_parameters(rng=0)
        >>> bool(np.abs(layer.bias.data).max() <= 1 / math.sqrt(4))
        True
        """
        rng = as_generator(rng)
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=rng)
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features)  # 1/√fan_in
            init.uniform_(self.bias, -bound, bound, rng=rng)

    def forward(self, x):
        """``Z = A Wᵀ + b``; caches ``A`` for the backward pass."""
        if not (isinstance(x, np.ndarray) and x.dtype.kind == "f"):  # a float array (the hot path) needs no check
            x = self._validated(x)
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"{self._name()}: expected input of shape (N, {self.in_features}) (last dimension = "
                f"in_features = {self.in_features}), got shape {x.shape}"
            )
        if x.dtype != self.weight.dtype:
            x = x.astype(self.weight.dtype)
        self._input = x
        z = x @ self.weight.data.T
        if self.bias is not None:
            z += self.bias.data  # in place: no second (N, out_features) array
        return z

    def backward(self, grad_output):
        """Given ``G = ∂L/∂Z``, accumulate ``Gᵀ A`` into ``weight.grad`` and ``Σ_n G[n]`` into ``bias.grad``;
        return ``∂L/∂A = G W``."""
        if self._input is None:
            raise RuntimeError(f"{self._name()}: backward() called before forward()")
        grad_output = np.asarray(grad_output)
        expected = (*self._input.shape[:-1], self.out_features)
        if grad_output.shape != expected:
            raise ValueError(
                f"{self._name()}: expected grad_output of shape {expected} (the shape of the last output), "
                f"got shape {grad_output.shape}"
            )
        # Flatten any leading dimensions into one batch dimension of N rows.
        g = grad_output.reshape(-1, self.out_features)
        a = self._input.reshape(-1, self.in_features)
        self.weight.grad += g.T @ a
        if self.bias is not None:
            # Σ_n G[n] written as the product 1ᵀ G: the same sum, but for a tall, narrow G (many samples,
            # few units) NumPy's g.sum(axis=0) is about 20 times slower than this matrix product.
            self.bias.grad += np.ones(len(g), dtype=g.dtype) @ g
        # np.dot is G W, like @; for out_features = 1 (an outer product) NumPy's @ is about 5 times slower.
        return np.dot(g, self.weight.data).reshape(self._input.shape)

    def extra_repr(self):
        has_bias = self.bias is not None
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={has_bias}"

    def _validated(self, x):
        """Any other input is checked as the activations check theirs (numeric, real, finite); bool is refused."""
        values = F._input(x, self._name())
        if np.asarray(x).dtype == bool:
            raise ValueError(
                f"{self._name()}: x must be a numeric array, not a boolean one, got {describe(np.asarray(x))}; "
                f"convert it first, e.g. x.astype(np.float32)"
            )
        return values

    def _name(self):
        return f"Linear({self.extra_repr()})"
