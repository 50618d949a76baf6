"""Normalization layers: ``BatchNorm1d`` (Ioffe & Szegedy 2015) and ``LayerNorm`` (Ba et al. 2016).

Both standardise the pre-activations and then let the network rescale them. Over a set S of m values
(batch norm: one feature over the samples of the batch; layer norm: one sample over its features),

    μ = (1/m) Σ_{i∈S} x_i,    σ² = (1/m) Σ_{i∈S} (x_i − μ)²    (the biased variance),
    x̂_i = (x_i − μ) / √(σ² + ε),    y_i = γ x̂_i + β,

with a learned scale γ (``weight``, starting at 1) and shift β (``bias``, starting at 0). Backward, with
g = ∂L/∂y and ĝ = γ g = ∂L/∂x̂ (the sums run over S, because μ and σ² depend on every x in S):

    ∂L/∂γ = Σ g x̂,    ∂L/∂β = Σ g,
    ∂L/∂x_i = (1 / (m √(σ² + ε))) · (m ĝ_i − Σ_j ĝ_j − x̂_i Σ_j ĝ_j x̂_j).

The last line is the chain rule through μ and σ² collected into one expression (cs231n's "simplified"
batch-norm backward); the notebook derives it. When μ and σ² are fixed numbers instead (batch norm in
evaluation mode, which uses the running statistics), the backward pass is just ∂L/∂x = ĝ / √(σ² + ε).

The pairs :func:`batch_norm_forward`/:func:`batch_norm_backward` and :func:`layer_norm_forward`/
:func:`layer_norm_backward` hold these formulas with an explicit cache (cs231n's ``layers.py`` style);
the layers add the parameters, the running statistics and the train/eval switch.
"""

import math

import numpy as np

from nncourse import functional as F
from nncourse._checks import check_positive, describe
from nncourse.nn.module import Module, Parameter

__all__ = ["BatchNorm1d", "LayerNorm", "batch_norm_backward", "batch_norm_forward", "layer_norm_backward",
           "layer_norm_forward"]


# ---------------------------------------------------------------------------------------------------------
# The shared formulas: standardise over some axes, and the backward pass through it
# ---------------------------------------------------------------------------------------------------------


def _standardize(x, mean, var, eps):
    """x̂ = (x − μ)/√(σ² + ε) and 1/√(σ² + ε), the two things every backward pass below needs."""
    inv_std = 1.0 / np.sqrt(var + eps)
    return (x - mean) * inv_std, inv_std


def _affine(x_hat, weight, bias, shape):
    """y = γ x̂ + β, with γ and β (or None) reshaped to broadcast along ``shape``."""
    y = x_hat if weight is None else x_hat * weight.reshape(shape)
    return y if bias is None else y + bias.reshape(shape)


def _backward_through_statistics(grad_x_hat, x_hat, inv_std, axes):
    """∂L/∂x when μ and σ² were computed over ``axes`` from x itself (the formula of the module docstring)."""
    m = math.prod(x_hat.shape[a] for a in axes)
    sum_g = grad_x_hat.sum(axis=axes, keepdims=True)
    sum_gx = (grad_x_hat * x_hat).sum(axis=axes, keepdims=True)
    return (inv_std / m) * (m * grad_x_hat - sum_g - x_hat * sum_gx)


def _batch_axes(x, where):
    """Batch norm reduces over the samples, and over the length L of an (N, C, L) input, as PyTorch's does."""
    if x.ndim not in (2, 3):
        raise ValueError(f"{where}: expected 2D (N, C) or 3D (N, C, L) input, got {x.ndim}D input of shape {x.shape}")
    return (0,) if x.ndim == 2 else (0, 2)


def _channel_shape(x):
    return (1, x.shape[1]) if x.ndim == 2 else (1, x.shape[1], 1)


def batch_norm_forward(x, weight=None, bias=None, eps=1e-5):
    """Batch norm in training mode: standardise each feature with its batch mean and biased variance.

    ``x`` has shape (N, C) (or (N, C, L)); ``weight`` γ and ``bias`` β have shape (C,) or are None. Returns
    ``(y, cache)``; the cache holds what :func:`batch_norm_backward` needs.

    >>> x = np.array([[1.0, 10.0], [3.0, 30.0]])
    >>> y, cache = batch_norm_forward(x)
    >>> np.round(y, 4)  # each column now has mean 0 and (biased) variance ≈ 1
    array([[-1., -1.],
           [ 1.,  1.]])
    """
    x = np.asarray(x)
    axes = _batch_axes(x, "batch_norm_forward")
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    x_hat, inv_std = _standardize(x, mean, var, eps)
    cache = (x_hat, inv_std, weight, bias is not None, axes)
    return _affine(x_hat, weight, bias, _channel_shape(x)), cache


def batch_norm_backward(grad_output, cache):
    """Backward of :func:`batch_norm_forward`: returns ``(∂L/∂x, ∂L/∂γ, ∂L/∂β)`` (None for a missing γ, β).

    >>> x = np.array([[1.0, 10.0], [3.0, 30.0], [2.0, 5.0]])
    >>> y, cache = batch_norm_forward(x, np.ones(2), np.zeros(2))
    >>> dx, dgamma, dbeta = batch_norm_backward(np.ones_like(y), cache)
    >>> bool(np.abs(dx).max() < 1e-12), dbeta  # a gradient that shifts every x̂ equally is absorbed by μ
    (True, array([3., 3.]))
    """
    x_hat, inv_std, weight, has_bias, axes = cache
    return _backward(grad_output, x_hat, inv_std, weight, has_bias, axes, axes, through_statistics=True)


def _backward(grad_output, x_hat, inv_std, weight, has_bias, stat_axes, param_axes, *, through_statistics):
    grad_output = np.asarray(grad_output)
    if grad_output.shape != x_hat.shape:
        raise ValueError(f"expected grad_output of shape {x_hat.shape} (the shape of the last output), "
                         f"got shape {grad_output.shape}")
    grad_weight = (grad_output * x_hat).sum(axis=param_axes) if weight is not None else None
    grad_bias = grad_output.sum(axis=param_axes) if has_bias else None
    if weight is not None:
        shape = [1] * x_hat.ndim
        for axis in range(x_hat.ndim):
            if axis not in param_axes:
                shape[axis] = x_hat.shape[axis]
        grad_x_hat = grad_output * weight.reshape(shape)
    else:
        grad_x_hat = grad_output
    if through_statistics:
        grad_input = _backward_through_statistics(grad_x_hat, x_hat, inv_std, stat_axes)
    else:
        grad_input = grad_x_hat * inv_std
    return grad_input, grad_weight, grad_bias


def layer_norm_forward(x, normalized_ndim=1, weight=None, bias=None, eps=1e-5):
    """Layer norm: standardise each sample over its last ``normalized_ndim`` dimensions (its features).

    Returns ``(y, cache)``. ``weight`` γ and ``bias`` β have the shape of those last dimensions, or are None.

    >>> y, cache = layer_norm_forward(np.array([[1.0, 2.0, 3.0], [10.0, 10.0, 40.0]]))
    >>> np.round(y, 3)  # every row now has mean 0 and (biased) variance ≈ 1, whatever the other rows hold
    array([[-1.225,  0.   ,  1.225],
           [-0.707, -0.707,  1.414]])
    """
    x = np.asarray(x)
    axes = tuple(range(x.ndim - normalized_ndim, x.ndim))
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    x_hat, inv_std = _standardize(x, mean, var, eps)
    shape = (1,) * (x.ndim - normalized_ndim) + x.shape[x.ndim - normalized_ndim:]
    cache = (x_hat, inv_std, weight, bias is not None, axes)
    return _affine(x_hat, weight, bias, shape), cache


def layer_norm_backward(grad_output, cache):
    """Backward of :func:`layer_norm_forward`: returns ``(∂L/∂x, ∂L/∂γ, ∂L/∂β)`` (None for a missing γ, β).

    >>> y, cache = layer_norm_forward(np.array([[1.0, 2.0, 4.0]]), 1, np.ones(3), np.zeros(3))
    >>> dx, dgamma, dbeta = layer_norm_backward(np.array([[1.0, 0.0, 0.0]]), cache)
    >>> bool(abs(dx.sum()) < 1e-12), dbeta  # the sample's mean is subtracted, so ∂L/∂x sums to zero
    (True, array([1., 0., 0.]))
    """
    x_hat, inv_std, weight, has_bias, axes = cache
    leading = tuple(range(x_hat.ndim - len(axes)))
    return _backward(grad_output, x_hat, inv_std, weight, has_bias, axes, leading, through_statistics=True)


def _check_dtype(dtype, where):
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise ValueError(f"{where}: dtype must be a floating-point dtype such as np.float32, got {dtype}")
    return dtype


def _check_eps(eps, where):
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.number)) or not (np.isfinite(eps) and eps >= 0):
        raise ValueError(f"{where}: eps must be a finite number >= 0, got {eps!r}")
    return float(eps)


# ---------------------------------------------------------------------------------------------------------
# The layers
# ---------------------------------------------------------------------------------------------------------


class BatchNorm1d(Module):
    """Batch normalization over a mini-batch of shape (N, C) or (N, C, L) (PyTorch's ``nn.BatchNorm1d``).

    Training mode: each of the C features is standardised with the mean and the **biased** variance of the
    batch (over N, and over L for 3-D input), then scaled by γ and shifted by β. The running statistics are
    updated with the **unbiased** variance (m/(m−1) σ², m values per feature), as PyTorch does:

        running_mean ← (1 − momentum) · running_mean + momentum · μ
        running_var  ← (1 − momentum) · running_var  + momentum · m σ² / (m − 1)

    Evaluation mode uses ``running_mean`` and ``running_var`` instead of the batch's statistics, so the output
    of a sample no longer depends on the rest of its batch.

    Args:
        num_features (int): C, the number of features (channels).
        eps (float): ε added to the variance for numerical stability. Default: 1e-5.
        momentum (float or None): the weight of the newest batch in the running averages. ``None`` gives the
            cumulative (equal-weight) average over all batches seen, as in PyTorch. Default: 0.1.
        affine (bool): learn γ (``weight``) and β (``bias``). Default: ``True``.
        track_running_stats (bool): keep running statistics; if ``False``, the batch's statistics are used in
            evaluation mode too, and ``running_mean``/``running_var`` are ``None``. Default: ``True``.
        dtype: floating dtype of the parameters and running statistics. Default: ``np.float32``.
        bias (bool, keyword-only): learn β as well (only with ``affine``), as in PyTorch 2.x. Default: ``True``.

    Training needs more than one value per feature (its variance is otherwise 0 and x̂ = 0); a batch of one
    sample is refused with PyTorch's message.

    >>> layer = BatchNorm1d(2, dtype=np.float64)
    >>> layer
    BatchNorm1d(2, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    >>> x = np.array([[1.0, 10.0], [3.0, 30.0]])
    >>> np.round(layer(x), 4)
    array([[-1., -1.],
           [ 1.,  1.]])
    >>> layer.running_mean, layer.running_var  # 0.9·(0, 0) + 0.1·(2, 20);  0.9·(1, 1) + 0.1·(2, 200)
    (array([0.2, 2. ]), array([ 1.1, 20.9]))
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 dtype=np.float32, *, bias=True):
        where = f"BatchNorm1d({num_features!r})"
        check_positive(num_features, "num_features", where, integer=True)
        self.num_features = int(num_features)
        self.eps = _check_eps(eps, where)
        if momentum is not None:
            real = isinstance(momentum, (int, float, np.number)) and not isinstance(momentum, bool)
            if not (real and 0 <= momentum <= 1):
                raise ValueError(f"{where}: momentum must be a number in [0, 1] or None, got {momentum!r}")
            momentum = float(momentum)
        self.momentum = momentum
        self.affine = bool(affine)
        self.track_running_stats = bool(track_running_stats)
        dtype = _check_dtype(dtype, where)
        self.weight = Parameter(np.ones(self.num_features, dtype=dtype)) if self.affine else None
        self.bias = Parameter(np.zeros(self.num_features, dtype=dtype)) if self.affine and bias else None
        if self.track_running_stats:
            self.running_mean = np.zeros(self.num_features, dtype=dtype)
            self.running_var = np.ones(self.num_features, dtype=dtype)
            self.num_batches_tracked = np.array(0, dtype=np.int64)  # an array, so that it is updated in place
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None
        self._cache = None

    def named_buffers(self):
        """The running statistics and the batch count (PyTorch calls such non-trained state "buffers"), as
        ``(name, array)`` pairs; early stopping saves and restores them with the parameters.

        >>> [name for name, _ in BatchNorm1d(3).named_buffers()]
        ['running_mean', 'running_var', 'num_batches_tracked']
        """
        if self.track_running_stats:
            yield "running_mean", self.running_mean
            yield "running_var", self.running_var
            yield "num_batches_tracked", self.num_batches_tracked

    def forward(self, input):
        """Standardise each feature (batch statistics in training, running ones in evaluation), then γ x̂ + β."""
        x = F._input(input, repr(self))
        axes = _batch_axes(x, repr(self))
        if x.shape[1] != self.num_features:
            raise ValueError(
                f"{self!r}: expected input of shape (N, {self.num_features}) or (N, {self.num_features}, L) "
                f"(dimension 1 = num_features), got shape {x.shape}"
            )
        if self.weight is not None and x.dtype != self.weight.dtype:
            x = x.astype(self.weight.dtype)
        use_batch_statistics = self.training or not self.track_running_stats
        if use_batch_statistics:
            m = math.prod(x.shape[a] for a in axes)
            if m <= 1:
                raise ValueError(
                    f"{self!r}: expected more than 1 value per channel when training, got input of shape {x.shape}"
                )
            mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
            if self.training and self.track_running_stats:
                self._update_running_statistics(mean.ravel(), var.ravel() * m / (m - 1))
        else:
            shape = _channel_shape(x)
            mean, var = self.running_mean.reshape(shape), self.running_var.reshape(shape)
        x_hat, inv_std = _standardize(x, mean, var, self.eps)
        self._cache = (x_hat, inv_std, axes, use_batch_statistics)
        weight = self.weight.data if self.weight is not None else None
        bias = self.bias.data if self.bias is not None else None
        return _affine(x_hat, weight, bias, _channel_shape(x))

    def _update_running_statistics(self, mean, unbiased_var):
        self.num_batches_tracked += 1
        factor = self.momentum if self.momentum is not None else 1.0 / int(self.num_batches_tracked)
        self.running_mean[...] = (1 - factor) * self.running_mean + factor * mean
        self.running_var[...] = (1 - factor) * self.running_var + factor * unbiased_var

    def backward(self, grad_output, *, input_grad=True):
        """Accumulate ∂L/∂γ and ∂L/∂β; return ∂L/∂x (through the batch statistics when they were used), or
        ``None`` with ``input_grad=False``."""
        if self._cache is None:
            raise RuntimeError(f"{self!r}: backward() called before forward()")
        x_hat, inv_std, axes, through_statistics = self._cache
        weight = self.weight.data if self.weight is not None else None
        try:
            grad_input, grad_weight, grad_bias = _backward(
                grad_output, x_hat, inv_std, weight, self.bias is not None, axes, axes,
                through_statistics=through_statistics,
            )
        except ValueError as error:
            raise ValueError(f"{self!r}: {error}") from None
        if self.weight is not None:
            self.weight.accumulate(grad_weight)
        if self.bias is not None:
            self.bias.accumulate(grad_bias)
        return grad_input if input_grad else None

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class LayerNorm(Module):
    """Layer normalization over the last dimensions of the input (PyTorch's ``nn.LayerNorm``).

    Each sample is standardised with the mean and the biased variance of its own features (the last
    ``len(normalized_shape)`` dimensions), then scaled by γ and shifted by β, elementwise. Nothing depends on
    the other samples of the batch, so training and evaluation compute the same thing, for any batch size.

    Args:
        normalized_shape (int or tuple of ints): the shape of the trailing dimensions to normalise over.
        eps (float): ε added to the variance. Default: 1e-5.
        elementwise_affine (bool): learn γ (``weight``, ones) and β (``bias``, zeros) of shape
            ``normalized_shape``. Default: ``True``.
        bias (bool): learn β as well (only with ``elementwise_affine``). Default: ``True``.
        dtype: floating dtype of the parameters. Default: ``np.float32``.

    >>> layer = LayerNorm(3, dtype=np.float64)
    >>> layer
    LayerNorm((3,), eps=1e-05, elementwise_affine=True, bias=True)
    >>> np.round(layer(np.array([[1.0, 2.0, 3.0]])), 4)
    array([[-1.2247,  0.    ,  1.2247]])
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, dtype=np.float32):
        where = f"LayerNorm({normalized_shape!r})"
        shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else normalized_shape
        try:
            if isinstance(shape, str):
                raise TypeError
            shape = tuple(shape)
        except TypeError:
            raise ValueError(f"{where}: normalized_shape must be an int or a tuple of ints, "
                             f"got {describe(normalized_shape)}") from None
        if not shape:
            raise ValueError(f"{where}: normalized_shape must name at least one dimension, got {normalized_shape!r}")
        for size in shape:
            check_positive(size, "each size in normalized_shape", where, integer=True)
        self.normalized_shape = tuple(int(s) for s in shape)
        self.eps = _check_eps(eps, where)
        self.elementwise_affine = bool(elementwise_affine)
        dtype = _check_dtype(dtype, where)
        affine = self.elementwise_affine
        self.weight = Parameter(np.ones(self.normalized_shape, dtype=dtype)) if affine else None
        self.bias = Parameter(np.zeros(self.normalized_shape, dtype=dtype)) if affine and bias else None
        self._dtype = dtype
        self._cache = None

    def forward(self, input):
        """Standardise each sample over its last ``len(normalized_shape)`` dimensions, then γ x̂ + β."""
        x = F._input(input, repr(self))
        k = len(self.normalized_shape)
        if x.ndim < k or x.shape[x.ndim - k:] != self.normalized_shape:
            raise ValueError(
                f"{self!r}: expected input of shape (*, {', '.join(map(str, self.normalized_shape))}) "
                f"(the last dimensions = normalized_shape), got shape {x.shape}"
            )
        if x.dtype != self._dtype:
            x = x.astype(self._dtype)
        weight = self.weight.data if self.weight is not None else None
        bias = self.bias.data if self.bias is not None else None
        y, self._cache = layer_norm_forward(x, k, weight, bias, self.eps)
        return y

    def backward(self, grad_output, *, input_grad=True):
        """Accumulate ∂L/∂γ and ∂L/∂β; return ∂L/∂x (through each sample's mean and variance), or ``None``
        with ``input_grad=False``."""
        if self._cache is None:
            raise RuntimeError(f"{self!r}: backward() called before forward()")
        try:
            grad_input, grad_weight, grad_bias = layer_norm_backward(grad_output, self._cache)
        except ValueError as error:
            raise ValueError(f"{self!r}: {error}") from None
        if self.weight is not None:
            self.weight.accumulate(grad_weight)
        if self.bias is not None:
            self.bias.accumulate(grad_bias)
        return grad_input if input_grad else None

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")
