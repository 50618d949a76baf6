"""Loss functions with PyTorch's names, formulas and default reduction, each with its backward pass.

A loss is called like PyTorch's, ``loss = criterion(input, target)``, where ``input`` is the prediction of
the model. It returns the loss as a Python ``float`` (PyTorch returns a 0-d tensor whose ``.item()`` is
that float) and caches what its backward pass needs; ``criterion.backward()`` then returns ``∂L/∂input``,
an array of the shape and dtype of ``input``, ready for ``model.backward(...)``.

``reduction`` is ``"mean"`` (PyTorch's default: the average over the batch) or ``"sum"``. PyTorch also
offers ``"none"``, which returns the per-sample losses; the course does not need it.

Bad input (mismatched shapes, an empty batch, targets of the wrong kind or range, a NaN or infinite
prediction) raises a ``ValueError`` that names the loss, what it expected and what it got, instead of a
silently broadcast, wrong loss or a NaN.
"""

import numpy as np

from nncourse import functional as F
from nncourse._checks import as_array
from nncourse.nn.module import Module

_REDUCTIONS = ("mean", "sum")


class _Loss(Module):
    """What every loss shares: the ``reduction`` argument and the checks on ``input`` and ``target``."""

    def __init__(self, reduction="mean"):
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"{type(self).__name__}: reduction must be 'mean' or 'sum' (PyTorch also offers 'none', "
                f"which this course does not use), got {reduction!r}"
            )
        self.reduction = reduction
        self._cache = None

    def _reduce(self, losses):
        """Reduce per-element losses to one number: their mean or their sum."""
        total = losses.mean() if self.reduction == "mean" else losses.sum()
        return float(total)

    def _scale(self, n):
        """The derivative of the reduction with respect to each element: ``1/n`` (mean) or 1 (sum)."""
        return 1.0 / n if self.reduction == "mean" else 1.0

    def _cached(self):
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}: backward() called before computing the loss")
        return self._cache

    def _check_input(self, input):
        input = as_array(input, "input (the prediction)", type(self).__name__, finite=False)
        if not np.all(np.isfinite(input)):
            # PyTorch would return NaN; stopping here with a reason is kinder (functional does the same).
            bad = input.size - np.count_nonzero(np.isfinite(input))
            raise ValueError(
                f"{type(self).__name__}: input (the prediction) must be finite, got {bad} NaN or infinite "
                f"value(s); if this happens during training, it has diverged (try a smaller learning rate)"
            )
        if input.size == 0:
            raise ValueError(
                f"{type(self).__name__}: got an empty batch (input of shape {input.shape}); "
                f"a loss needs at least one sample"
            )
        return input

    def _check_same_shape(self, input, target):
        """For element-wise losses: a float ``target`` of exactly the shape of ``input`` (no broadcasting)."""
        input = self._check_input(input)
        target = as_array(target, "target", type(self).__name__).astype(input.dtype, copy=False)
        if target.shape != input.shape:
            hint = "; reshape the target, e.g. y.reshape(-1, 1)" if target.size == input.size else ""
            raise ValueError(
                f"{type(self).__name__}: input and target must have the same shape, "
                f"got input of shape {input.shape} and target of shape {target.shape}{hint}"
            )
        return input, target

    def _check_probabilities(self, values, name):
        if not np.all((values >= 0) & (values <= 1)):
            bad = values[~((values >= 0) & (values <= 1))]
            raise ValueError(
                f"{type(self).__name__}: {name} must be probabilities in [0, 1], "
                f"got {bad.size} value(s) outside, such as {bad.flat[0]:.4g}"
            )

    def extra_repr(self):
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    r"""Mean squared error: :math:`L = \frac{1}{N}\sum_i (\hat y_i - y_i)^2` over all N elements.

    Gradient: :math:`\partial L/\partial \hat y_i = \frac{2}{N} (\hat y_i - y_i)` (without the ``1/N`` for
    ``reduction="sum"``). ``input`` and ``target`` must have the same shape; PyTorch broadcasts (with a
    warning), which silently turns a ``(N, 1)`` prediction and a ``(N,)`` target into an ``(N, N)`` loss.

    >>> criterion = MSELoss()
    >>> criterion(np.array([1.0, 2.0]), np.array([0.0, 4.0]))  # ((1 - 0)² + (2 - 4)²) / 2
    2.5
    >>> criterion.backward().tolist()  # 2/N (ŷ - y)
    [1.0, -2.0]
    >>> criterion(np.zeros((3, 1)), np.zeros(3))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: MSELoss: input and target must have the same shape, got input of shape (3, 1) and target of shape...
    """

    def forward(self, input, target):
        input, target = self._check_same_shape(input, target)
        diff = input - target
        self._cache = (diff,)
        return self._reduce(diff * diff)

    def backward(self):
        (diff,) = self._cached()
        return (2 * self._scale(diff.size)) * diff


class BCELoss(_Loss):
    r"""Binary cross-entropy on probabilities :math:`p \in [0, 1]` (e.g. the output of a ``Sigmoid``):

    .. math::
        L = -\frac{1}{N}\sum_i \big[y_i \log p_i + (1 - y_i) \log(1 - p_i)\big]

    As in PyTorch, each logarithm is clamped at ``-100``, so that ``p = 0`` or ``p = 1`` gives a large finite
    loss instead of infinity, and the gradient :math:`(p_i - y_i) / (p_i (1 - p_i))` uses
    ``max(p (1 - p), 1e-12)`` as its denominator. Prefer ``BCEWithLogitsLoss`` on logits: it is exact where
    a probability has rounded to 0 or 1. ``target`` may be soft (any value in [0, 1]).

    >>> criterion = BCELoss()
    >>> round(criterion(np.array([0.9, 0.2]), np.array([1.0, 0.0])), 4)  # -(log 0.9 + log 0.8) / 2
    0.1643
    >>> criterion.backward().round(4).tolist()
    [-0.5556, 0.625]
    """

    # PyTorch's floor for p (1 - p) in the gradient: a C++ float 1e-12, i.e. 1e-12 rounded to float32.
    _EPSILON = float(np.float32(1e-12))

    def forward(self, input, target):
        input, target = self._check_same_shape(input, target)
        self._check_probabilities(input, "input (the prediction)")
        self._check_probabilities(target, "target")
        with np.errstate(divide="ignore"):  # log(0) = -inf is clamped to -100 right away
            log_p = np.maximum(np.log(input), -100)
            log_1mp = np.maximum(np.log1p(-input), -100)
        self._cache = (input, target)
        return self._reduce(-(target * log_p + (1 - target) * log_1mp))

    def backward(self):
        p, y = self._cached()
        return self._scale(p.size) * (p - y) / np.maximum(p * (1 - p), self._EPSILON)


class BCEWithLogitsLoss(_Loss):
    r"""Binary cross-entropy on a logit :math:`z` (the score before the sigmoid), :math:`p = \sigma(z)`:

    .. math::
        L = \frac{1}{N}\sum_i \big[(1 - y_i) z_i - \log \sigma(z_i)\big],
        \qquad \frac{\partial L}{\partial z_i} = \frac{1}{N}(\sigma(z_i) - y_i)

    which is the binary cross-entropy of ``sigmoid(z)`` written so that it never overflows: PyTorch's
    formula, with :math:`\log\sigma(z) = \min(z, 0) - \log(1 + e^{-|z|})`. Stable for logits of ±1e4.
    PyTorch's ``weight`` and ``pos_weight`` arguments are not offered here.

    >>> criterion = BCEWithLogitsLoss()
    >>> round(criterion(np.array([0.0, 2.0]), np.array([1.0, 0.0])), 4)
    1.41
    >>> criterion.backward().round(4).tolist()  # (σ(z) - y) / N
    [-0.25, 0.4404]
    >>> criterion(np.array([-1e4]), np.array([1.0]))  # -log σ(-1e4), finite
    10000.0
    """

    def forward(self, input, target):
        input, target = self._check_same_shape(input, target)
        self._check_probabilities(target, "target")
        log_sigmoid = np.minimum(input, 0) - np.log1p(np.exp(-np.abs(input)))
        self._cache = (input, target)
        return self._reduce((1 - target) * input - log_sigmoid)

    def backward(self):
        z, y = self._cached()
        return self._scale(z.size) * (F.sigmoid(z) - y)


class CrossEntropyLoss(_Loss):
    r"""Cross-entropy of raw logits ``(N, C)`` against integer class indices ``(N,)`` (softmax + NLL):

    .. math::
        L = -\frac{1}{N}\sum_n \log \mathrm{softmax}(z_n)_{y_n},
        \qquad \frac{\partial L}{\partial z_n} = \frac{1}{N}\big(\mathrm{softmax}(z_n) - e_{y_n}\big)

    where :math:`e_k` is the one-hot vector of class :math:`k`,
    computed through ``log_softmax`` (stable for logits of ±1e4). Do not apply a softmax before this loss:
    it expects logits, as PyTorch's does. PyTorch also accepts class probabilities as targets, ``weight``,
    ``ignore_index`` and ``label_smoothing``; this course uses class indices only.

    >>> criterion = CrossEntropyLoss()
    >>> logits = np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])  # N = 2 samples, C = 3 classes
    >>> round(criterion(logits, np.array([0, 2])), 4)
    0.6691
    >>> criterion.backward().round(4).tolist()  # (softmax(z_n) - e_{y_n}) / N
    [[-0.1065, 0.0533, 0.0533], [0.1667, 0.1667, -0.3333]]
    """

    def forward(self, input, target):
        name = type(self).__name__
        input = self._check_input(input)
        if input.ndim != 2:
            raise ValueError(
                f"{name}: input must be logits of shape (N, C), got shape {input.shape}"
                + ("; for a single sample use input.reshape(1, -1)" if input.ndim == 1 else "")
            )
        target = np.asarray(target)
        if target.dtype == bool or not np.issubdtype(target.dtype, np.integer):
            raise ValueError(
                f"{name}: target must hold integer class indices of shape (N,), got dtype {target.dtype}; "
                f"convert with y.astype(int) (class probabilities as targets are not supported)"
            )
        n, c = input.shape
        if target.shape != (n,):
            raise ValueError(f"{name}: target must have shape ({n},) for input of shape {input.shape}, "
                             f"got shape {target.shape}")
        if target.min() < 0 or target.max() >= c:
            bad = target[(target < 0) | (target >= c)]
            raise ValueError(
                f"{name}: target must contain class indices in 0..{c - 1} for {c} classes, got {bad[0]}"
            )
        log_p = F.log_softmax(input, dim=1)
        self._cache = (log_p, target)
        return self._reduce(-log_p[np.arange(n), target])

    def backward(self):
        log_p, target = self._cached()
        grad = np.exp(log_p)  # softmax(z), recovered from the cached log-probabilities
        grad[np.arange(len(target)), target] -= 1
        grad *= self._scale(len(target))
        return grad
