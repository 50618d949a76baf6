"""Checkers for the exercises of Chapter 2 (activation functions).

Each checker runs the learner's function on small float64 inputs and compares it with
:mod:`nncourse.functional` (itself tested against PyTorch):

* ``check_stable_sigmoid(fn)``: ``fn(x) -> σ(x)``, right on ordinary inputs and at x = ±1000 without an
  overflow warning (a RuntimeWarning from the learner's code becomes a hint, not a red traceback).
* ``check_tanh_grad(fn)``: ``fn(x) -> 1 - tanh²(x)``.
* ``check_leaky_relu(fn)``: ``fn(x, negative_slope) -> (leaky_relu(x), its derivative)``, PyTorch's value
  ``negative_slope`` at x = 0 included.
* ``check_gelu_tanh(fn)``: ``fn(x) -> ½ x (1 + tanh(√(2/π)(x + 0.044715 x³)))``.
"""

import warnings

import numpy as np

from nncourse import functional as F
from nncourse.exercises._checker import call, checker, compare, require


def _close(got, expected):
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    expected = np.asarray(expected, dtype=float)
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=1e-6, atol=1e-8))


def _call_watching_warnings(fn, x, on):
    """Call the learner's ``fn(x)``, recording (instead of raising or printing) the warnings it emits."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = yield from call(fn, x, on=on)
    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    return got, runtime


# ---------------------------------------------------------------------------------------------------------
# A numerically stable sigmoid


@checker
def check_stable_sigmoid(fn):
    """``fn(x)`` returns σ(x) = 1 / (1 + e^(-x)) elementwise, and survives x = ±1000 without a warning."""
    x = np.array([-4.0, -1.0, -0.25, 0.0, 0.5, 2.0, 6.0])
    on = "x = [-4, -1, -0.25, 0, 0.5, 2, 6]"
    got = yield from call(fn, x, on=on)
    yield from require(
        not _close(got, np.exp(-x) / (1 + np.exp(-x))),
        f"you computed σ(-x) (on {on}): σ(x) = 1 / (1 + e^(-x)) is above 1/2 for positive x.",
    )
    yield from compare(got, F.sigmoid(x), what="sigmoid(x)", on=on)

    x = np.array([-1000.0, -50.0, -1.0, 0.0, 1.0, 50.0, 1000.0])
    on = "x = [-1000, -50, -1, 0, 1, 50, 1000]"
    got, runtime = yield from _call_watching_warnings(fn, x, on)
    if runtime:
        message = str(runtime[0].message)
        yield from require(
            "overflow" not in message,
            f"NumPy warned '{message}' (on {on}): e^(1000) is far beyond the largest float64 "
            "(about 1.8e308). Only ever take exp of a non-positive number: use 1 / (1 + e^(-x)) where "
            "x >= 0 and e^x / (1 + e^x) where x < 0 (np.exp(-np.abs(x)) gives the e you need for both). "
            "Careful: np.where(condition, a, b) computes both a and b for every x: both must be safe.",
        )
        yield from require(
            False,
            f"NumPy warned '{message}' (on {on}): an operation produced an invalid value (such as inf/inf "
            "or inf - inf). Only ever take exp of a non-positive number, e.g. np.exp(-np.abs(x)).",
        )
    yield from compare(got, F.sigmoid(x), what="sigmoid(x)", on=on)
    return "σ(x) is right, and stays exact and quiet at x = ±1000."


# ---------------------------------------------------------------------------------------------------------
# The derivative of tanh


@checker
def check_tanh_grad(fn):
    """``fn(x)`` returns tanh'(x) = 1 - tanh²(x) elementwise."""
    x = np.array([-3.0, -1.0, -0.2, 0.0, 0.4, 1.5, 3.0])
    on = "x = [-3, -1, -0.2, 0, 0.4, 1.5, 3]"
    got = yield from call(fn, x, on=on)
    t = np.tanh(x)
    yield from require(
        not _close(got, 1 - t),
        f"you returned 1 - tanh(x) (on {on}): the derivative squares the tanh, 1 - tanh(x)**2.",
    )
    yield from require(
        not _close(got, t * (1 - t)),
        f"you returned tanh(x)(1 - tanh(x)), the pattern of the sigmoid's derivative (on {on}): "
        "for tanh it is 1 - tanh(x)**2.",
    )
    yield from require(
        not _close(got, 1 - x**2),
        f"you returned 1 - x**2 (on {on}): square tanh(x), not x: 1 - np.tanh(x)**2.",
    )
    yield from compare(got, F.tanh_grad(x), what="tanh'(x)", on=on)
    return "tanh'(x) = 1 - tanh²(x): it is 1 at x = 0 and vanishes as |x| grows."


# ---------------------------------------------------------------------------------------------------------
# Leaky ReLU and its derivative


@checker
def check_leaky_relu(fn):
    """``fn(x, negative_slope)`` returns the pair ``(leaky_relu(x), leaky_relu'(x))``, the derivative being
    ``negative_slope`` at x = 0 (PyTorch's convention)."""
    x = np.array([-3.0, -0.5, 0.0, 0.5, 2.0])
    for slope in (0.01, 0.2):
        on = f"x = [-3, -0.5, 0, 0.5, 2] and negative_slope = {slope}"
        got = yield from call(fn, x, slope, on=on)
        yield from require(
            isinstance(got, (tuple, list)) and len(got) == 2,
            f"return a pair (output, derivative), got {type(got).__name__}"
            + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else "")
            + f" (on {on}).",
        )
        out, grad = got
        yield from require(
            slope == 0.01 or not _close(out, F.leaky_relu(x, 0.01)),
            f"the output uses the slope 0.01 whatever negative_slope is (on {on}): use the argument.",
        )
        yield from require(
            not _close(out, F.relu(x)),
            f"the output is ReLU's (on {on}): negative inputs are multiplied by negative_slope, "
            "not set to 0.",
        )
        yield from compare(out, F.leaky_relu(x, slope), what="the output", on=on)
        yield from require(
            not _close(grad, np.where(x > 0, 1.0, 0.0)),
            f"the derivative is ReLU's (on {on}): for x < 0 it is negative_slope, not 0.",
        )
        yield from require(
            not _close(grad, np.where(x >= 0, 1.0, slope)),
            f"the derivative at x = 0 is 1 (on {on}): the kink has no derivative; PyTorch (and this course) "
            "uses negative_slope there, so test x > 0 rather than x >= 0.",
        )
        yield from require(
            not _close(grad, F.leaky_relu(x, slope)),
            f"the derivative equals the output (on {on}): it is 1 for x > 0 and negative_slope otherwise.",
        )
        yield from compare(grad, F.leaky_relu_grad(x, slope), what="the derivative", on=on)
    return "Leaky ReLU and its derivative are right, for any negative_slope."


# ---------------------------------------------------------------------------------------------------------
# GELU's tanh approximation


@checker
def check_gelu_tanh(fn):
    """``fn(x)`` returns ½ x (1 + tanh(√(2/π)(x + 0.044715 x³))), GELU's tanh approximation."""
    x = np.array([-4.0, -1.5, -0.5, 0.0, 0.3, 1.0, 2.5, 5.0])
    on = "x = [-4, -1.5, -0.5, 0, 0.3, 1, 2.5, 5]"
    got = yield from call(fn, x, on=on)
    expected = F.gelu(x, approximate="tanh")
    c = np.sqrt(2 / np.pi)
    yield from require(
        not _close(got, 2 * expected),
        f"your values are twice too large (on {on}): the formula starts with ½ x.",
    )
    yield from require(
        not _close(got, 0.5 * x * (1 + np.tanh(c * (x + 0.044715 * x**2)))),
        f"the correction term is 0.044715 x³, not x² (on {on}).",
    )
    yield from require(
        not _close(got, 0.5 * x * (1 + np.tanh(2 / np.pi * (x + 0.044715 * x**3)))),
        f"the scale inside the tanh is √(2/π) ≈ 0.798, not 2/π (on {on}).",
    )
    yield from require(
        not _close(got, x * F.sigmoid(1.702 * x)),
        f"that is the sigmoid approximation x σ(1.702 x) (on {on}); this exercise asks for the tanh one.",
    )
    yield from require(
        not _close(got, F.gelu(x)),
        f"that is the exact GELU x Φ(x) (on {on}); this exercise asks for the tanh approximation.",
    )
    yield from compare(got, expected, what="gelu_tanh(x)", on=on)
    return "that is PyTorch's gelu(x, approximate='tanh'); it stays within 5e-4 of the exact x Φ(x)."
