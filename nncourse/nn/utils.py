"""Gradient clipping as ``torch.nn.utils`` (``clip_grad_norm_``, ``clip_grad_value_``), and an L1 penalty.

Clipping by norm rescales all gradients together when their joint norm is too large. With g the gradients of
all parameters laid end to end and ‖·‖_p the p-norm (p = ∞: the largest absolute value),

    total = ‖g‖_p = ‖(‖g₁‖_p, ‖g₂‖_p, …)‖_p,      gᵢ ← gᵢ · min(1, max_norm / (total + 10⁻⁶)),

so the direction of the step is kept and only its length is capped. (The 10⁻⁶ is PyTorch's guard against
dividing by zero; it makes the clipped norm a hair below ``max_norm``.) Clipping by value clamps every
gradient entry into [−clip_value, clip_value], which can change the direction.

The L1 penalty λ Σ|w| (:func:`l1_penalty`) has the subgradient λ sign(w) (:func:`l1_penalty_grad_`, with
sign(0) = 0, the value PyTorch's autograd gives for |w| at 0).
"""

import math

import numpy as np

from nncourse._checks import describe
from nncourse.nn.module import Parameter

__all__ = ["clip_grad_norm_", "clip_grad_value_", "l1_penalty", "l1_penalty_grad_"]


def _parameter_list(parameters, where):
    """A single Parameter or an iterable of them (as PyTorch accepts), as a list."""
    if isinstance(parameters, Parameter):
        return [parameters]
    try:
        parameters = list(parameters)
    except TypeError:
        raise ValueError(f"{where}: parameters must be a Parameter or an iterable of Parameters, "
                         f"got {describe(parameters)}") from None
    for index, parameter in enumerate(parameters):
        if not isinstance(parameter, Parameter):
            raise ValueError(f"{where}: parameters[{index}] must be a Parameter, got {describe(parameter)}")
    return parameters


def _real(value, name, where, *, allow_inf=False):
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or math.isnan(value) or (math.isinf(value) and not allow_inf):
        raise ValueError(f"{where}: {name} must be a real number, got {describe(value)}")
    return float(value)


def _vector_norm(values, norm_type):
    """‖v‖_p = (Σ|vᵢ|^p)^(1/p), computed as M·(Σ(|vᵢ|/M)^p)^(1/p) with M = max|vᵢ| so that |vᵢ|^p cannot overflow."""
    largest = float(np.max(np.abs(values))) if values.size else 0.0
    if math.isinf(norm_type) or largest == 0 or not math.isfinite(largest):
        return largest
    return largest * float(np.sum((np.abs(values) / largest) ** norm_type) ** (1.0 / norm_type))


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Rescale the gradients in place so that their joint ``norm_type``-norm is at most ``max_norm``.

    Args:
        parameters: a Parameter or an iterable of Parameters; those whose ``.grad`` is ``None`` are skipped.
        max_norm (float): the largest norm allowed.
        norm_type (float): p of the p-norm, any p > 0, or ``float("inf")`` (also the string ``"inf"``) for the
            largest absolute entry. Default: 2.0. (PyTorch also accepts p ≤ 0, which are not norms; refused here.)
        error_if_nonfinite (bool): raise a RuntimeError if the total norm is NaN or infinite. Default: False.

    Returns:
        The total norm of the gradients before clipping, as a float (PyTorch returns a 0-d tensor).

    >>> p = Parameter(np.zeros(2)); p.grad = np.array([3.0, 4.0])
    >>> clip_grad_norm_([p], max_norm=1.0)  # the norm before clipping
    5.0
    >>> np.round(p.grad, 6)  # same direction, length 1 (minus PyTorch's 1e-6 guard)
    array([0.6, 0.8])
    """
    where = "clip_grad_norm_"
    parameters = [p for p in _parameter_list(parameters, where) if p.grad is not None]
    max_norm = _real(max_norm, "max_norm", where, allow_inf=True)
    if isinstance(norm_type, str) and norm_type == "inf":
        norm_type = math.inf
    norm_type = _real(norm_type, "norm_type", where, allow_inf=True)
    if norm_type <= 0:
        raise ValueError(f"{where}: norm_type must be > 0 or inf, got {norm_type!r}")
    if not parameters:
        return 0.0
    per_parameter = np.array([_vector_norm(p.grad, norm_type) for p in parameters])
    total = _vector_norm(per_parameter, norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"{where}: the total norm of order {norm_type} of the gradients is {total}, so they cannot be clipped; "
            f"set error_if_nonfinite=False to clip anyway"
        )
    clip_coef = min(max_norm / (total + 1e-6), 1.0)  # PyTorch multiplies even when the factor is 1
    with np.errstate(invalid="ignore"):  # an infinite total gives factor 0 and ∞·0 = NaN, as in PyTorch
        for parameter in parameters:
            parameter.grad *= clip_coef
    return total


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient entry into ``[-clip_value, clip_value]`` in place (``torch.nn.utils.clip_grad_value_``).

    >>> p = Parameter(np.zeros(3)); p.grad = np.array([-5.0, 0.5, 2.0])
    >>> clip_grad_value_(p, 1.0); p.grad
    array([-1. ,  0.5,  1. ])
    """
    where = "clip_grad_value_"
    parameters = _parameter_list(parameters, where)
    clip_value = _real(clip_value, "clip_value", where, allow_inf=True)
    if clip_value < 0:
        raise ValueError(f"{where}: clip_value must be >= 0, got {clip_value!r}")
    for parameter in parameters:
        if parameter.grad is not None:
            np.clip(parameter.grad, -clip_value, clip_value, out=parameter.grad)


def l1_penalty(parameters, alpha):
    """The L1 penalty ``alpha · Σ |w|`` over the given parameters (add it to the loss you report).

    >>> w = Parameter(np.array([1.0, -2.0, 0.0]))
    >>> l1_penalty([w], alpha=0.1)
    0.30000000000000004
    """
    where = "l1_penalty"
    parameters = _parameter_list(parameters, where)
    alpha = _check_alpha(alpha, where)
    return alpha * float(sum(np.abs(p.data).sum() for p in parameters))


def l1_penalty_grad_(parameters, alpha):
    """Add the penalty's gradient ``alpha · sign(w)`` to each parameter's ``.grad`` (call it after ``backward``).

    >>> w = Parameter(np.array([1.0, -2.0, 0.0]))
    >>> l1_penalty_grad_([w], alpha=0.1); w.grad
    array([ 0.1, -0.1,  0. ])
    """
    where = "l1_penalty_grad_"
    parameters = _parameter_list(parameters, where)
    alpha = _check_alpha(alpha, where)
    for parameter in parameters:
        parameter.accumulate(alpha * np.sign(parameter.data))


def _check_alpha(alpha, where):
    alpha = _real(alpha, "alpha", where)
    if alpha < 0:
        raise ValueError(f"{where}: alpha must be >= 0, got {alpha!r}")
    return alpha
