"""Checkers for the exercises of Chapter 2 (activation functions).

Each checker runs the learner's function on small float64 inputs and compares it with
:mod:`nncourse.functional` (itself tested against PyTorch):

* ``check_stable_sigmoid(fn)``: ``fn(x) -> σ(x)``, right on ordinary inputs, quiet at x = ±1000 (no overflow
  warning) and exact for tiny values such as σ(-720) ≈ 2·10⁻³¹³, which a float64 holds. This goes beyond
  PyTorch on purpose: its CPU sigmoid returns 0 below x ≈ -709, as the naive ``1 / (1 + e^(-x))`` does with
  its overflow silenced by ``np.errstate``; only the exact tail tells a stable formula from a silenced one.
* ``check_tanh_grad(fn)``: ``fn(x) -> 1 - tanh²(x)``.
* ``check_leaky_relu(fn)``: ``fn(x, negative_slope) -> (leaky_relu(x), its derivative)``, PyTorch's value
  ``negative_slope`` at x = 0 included.
* ``check_gelu_tanh(fn)``: ``fn(x) -> ½ x (1 + tanh(√(2/π)(x + 0.044715 x³)))``.

Each checker takes ``extra_cases``: more argument tuples for the learner's function (an instructor's hidden
tests), scored like the built-in ones.
"""

import numpy as np

from nncourse import functional as F
from nncourse.exercises._checker import (
    Exercise,
    attempt,
    call,
    compare,
    diagnose,
    extra,
    grade,
    items,
    numbers,
    require,
)

STABLE_SIGMOID = Exercise(2, "ch02-stable-sigmoid-check", "A sigmoid that survives x = ±1000", 3,
                          "check_stable_sigmoid")
TANH_GRAD = Exercise(2, "ch02-tanh-grad-check", "The derivative of tanh", 2, "check_tanh_grad")
LEAKY_RELU = Exercise(2, "ch02-leaky-relu-check", "Leaky ReLU and its derivative", 2, "check_leaky_relu")
GELU_TANH = Exercise(2, "ch02-gelu-tanh-check", "GELU's tanh approximation", 2, "check_gelu_tanh")
EXERCISES = (STABLE_SIGMOID, TANH_GRAD, LEAKY_RELU, GELU_TANH)

_OVERFLOW_HINT = (
    "e^(1000) is far beyond the largest float64 (about 1.8e308). Only ever take exp of a non-positive number: "
    "use 1 / (1 + e^(-x)) where x >= 0 and e^x / (1 + e^x) where x < 0 (np.exp(-np.abs(x)) gives the e you "
    "need for both). Careful: np.where(condition, a, b) computes both a and b for every x: both must be safe."
)


def _described(*arrays):
    return [(f"x = {np.array2string(x, separator=', ')}", (x,)) for x in arrays]


# ---------------------------------------------------------------------------------------------------------
def check_stable_sigmoid(fn, extra_cases=()):
    """``fn(x)`` returns σ(x) = 1 / (1 + e^(-x)) elementwise: exact, and quiet for any x.

    >>> from nncourse.functional import sigmoid
    >>> check_stable_sigmoid(sigmoid).passed
    True
    """
    cases = _described(
        np.array([-4.0, -1.0, -0.25, 0.0, 0.5, 2.0, 6.0]),
        np.array([-1000.0, -50.0, -1.0, 0.0, 1.0, 50.0, 1000.0]),
        np.array([-720.0, -300.0, -40.0, 40.0, 720.0]),
    ) + extra(extra_cases, F.sigmoid, "check_stable_sigmoid")
    outcomes = [attempt(_sigmoid_case, fn, *args, on=on) for on, args in cases]
    return grade(STABLE_SIGMOID, outcomes, "σ(x) is right, stays quiet at x = ±1000 and exact in its tails.")


def _sigmoid_case(fn, x, *, on):
    expected = F.sigmoid(x)
    got = numbers(call(fn, x, on=on, warning_hint=_OVERFLOW_HINT), "sigmoid(x)", on, shape=np.shape(x))
    diagnose(got, expected, [
        (F.sigmoid(-x), f"you computed σ(-x) (on {on}): σ(x) = 1 / (1 + e^(-x)) is above 1/2 for positive x."),
    ])
    zero = (got == 0) & (expected > 0)
    if np.any(zero):
        at, value = x[zero][0], expected[zero][0]
        require(
            False,
            f"σ({at:g}) ≈ {value:.3g} is tiny, but a float64 holds it; you returned 0 (on {on}). Precision was "
            "lost there: e^(-x) overflowed to infinity (perhaps silenced by np.errstate), or 1 minus a number "
            "close to 1 cancelled. For x < 0 compute e^x / (1 + e^x), which keeps every digit.",
        )
    compare(got, expected, what="sigmoid(x)", on=on, atol=0.0)


# ---------------------------------------------------------------------------------------------------------
def check_tanh_grad(fn, extra_cases=()):
    """``fn(x)`` returns tanh'(x) = 1 - tanh²(x) elementwise.

    >>> check_tanh_grad(lambda x: 1 - np.tanh(x) ** 2).passed
    True
    """
    cases = _described(
        np.array([-3.0, -1.0, -0.2, 0.0, 0.4, 1.5, 3.0]),
        np.array([[-2.0, -0.5], [0.7, 2.5]]),
    ) + extra(extra_cases, F.tanh_grad, "check_tanh_grad")
    outcomes = [attempt(_tanh_grad_case, fn, *args, on=on) for on, args in cases]
    return grade(TANH_GRAD, outcomes, "tanh'(x) = 1 - tanh²(x): it is 1 at x = 0 and vanishes as |x| grows.")


def _tanh_grad_case(fn, x, *, on):
    expected = F.tanh_grad(x)
    got = numbers(call(fn, x, on=on), "tanh'(x)", on)
    t = np.tanh(x)
    diagnose(got, expected, [
        (1 - t, f"you returned 1 - tanh(x) (on {on}): the derivative squares the tanh, 1 - tanh(x)**2."),
        (t * (1 - t), f"you returned tanh(x)(1 - tanh(x)), the pattern of the sigmoid's derivative (on {on}): "
                      "for tanh it is 1 - tanh(x)**2."),
        (1 - x**2, f"you returned 1 - x**2 (on {on}): square tanh(x), not x: 1 - np.tanh(x)**2."),
    ])
    compare(got, expected, what="tanh'(x)", on=on)


# ---------------------------------------------------------------------------------------------------------
def _leaky_reference(x, negative_slope):
    return F.leaky_relu(x, negative_slope), F.leaky_relu_grad(x, negative_slope)


def check_leaky_relu(fn, extra_cases=()):
    """``fn(x, negative_slope)`` returns ``(leaky_relu(x), leaky_relu'(x))``; the derivative at x = 0 is
    ``negative_slope`` (PyTorch's convention). Output and derivative count as separate cases.

    >>> from nncourse.functional import leaky_relu, leaky_relu_grad
    >>> check_leaky_relu(lambda x, s: (leaky_relu(x, s), leaky_relu_grad(x, s))).passed
    True
    """
    x = np.array([-3.0, -0.5, 0.0, 0.5, 2.0])
    cases = [
        (f"x = [-3, -0.5, 0, 0.5, 2] and negative_slope = {slope}", (x, slope)) for slope in (0.01, 0.2)
    ] + extra(extra_cases, _leaky_reference, "check_leaky_relu")
    outcomes = [attempt(case, fn, *args, on=on) for on, args in cases for case in (_leaky_output, _leaky_grad)]
    return grade(LEAKY_RELU, outcomes, "Leaky ReLU and its derivative are right, for any negative_slope.")


def _leaky_output(fn, x, slope, *, on):
    out, _ = items(call(fn, x, slope, on=on), ("output", "derivative"), on)
    out = numbers(out, "the output", on)
    diagnose(out, F.leaky_relu(x, slope), [
        (F.leaky_relu(x, 0.01),
         f"the output uses the slope 0.01 whatever negative_slope is (on {on}): use the argument."),
        (F.relu(x), f"the output is ReLU's (on {on}): negative inputs are multiplied by negative_slope, not set to 0."),
    ])
    compare(out, F.leaky_relu(x, slope), what="the output", on=on)


def _leaky_grad(fn, x, slope, *, on):
    _, grad = items(call(fn, x, slope, on=on), ("output", "derivative"), on)
    grad = numbers(grad, "the derivative", on)
    diagnose(grad, F.leaky_relu_grad(x, slope), [
        (np.where(x > 0, 1.0, 0.0), f"the derivative is ReLU's (on {on}): for x < 0 it is negative_slope, not 0."),
        (np.where(x >= 0, 1.0, slope),
         f"the derivative at x = 0 is 1 (on {on}): the kink has no derivative; PyTorch (and this course) uses "
         "negative_slope there, so test x > 0 rather than x >= 0."),
        (F.leaky_relu(x, slope),
         f"the derivative equals the output (on {on}): it is 1 for x > 0 and negative_slope otherwise."),
    ])
    compare(grad, F.leaky_relu_grad(x, slope), what="the derivative", on=on)


# ---------------------------------------------------------------------------------------------------------
def _gelu_tanh_reference(x):
    return F.gelu(x, approximate="tanh")


def check_gelu_tanh(fn, extra_cases=()):
    """``fn(x)`` returns ½ x (1 + tanh(√(2/π)(x + 0.044715 x³))), GELU's tanh approximation.

    >>> from nncourse.functional import gelu
    >>> check_gelu_tanh(lambda x: gelu(x, approximate="tanh")).passed
    True
    """
    cases = _described(
        np.array([-4.0, -1.5, -0.5, 0.0, 0.3, 1.0, 2.5, 5.0]),
        np.array([-30.0, -8.0, 8.0, 30.0]),
    ) + extra(extra_cases, _gelu_tanh_reference, "check_gelu_tanh")
    outcomes = [attempt(_gelu_case, fn, *args, on=on) for on, args in cases]
    return grade(GELU_TANH, outcomes,
                 "that is PyTorch's gelu(x, approximate='tanh'); it stays within 5e-4 of the exact x Φ(x).")


def _gelu_case(fn, x, *, on):
    expected = _gelu_tanh_reference(x)
    got = numbers(call(fn, x, on=on), "gelu_tanh(x)", on)
    c = np.sqrt(2 / np.pi)
    diagnose(got, expected, [
        (2 * expected, f"your values are twice too large (on {on}): the formula starts with ½ x."),
        (0.5 * x * (1 + np.tanh(c * (x + 0.044715 * x**2))),
         f"the correction term is 0.044715 x³, not x² (on {on})."),
        (0.5 * x * (1 + np.tanh(2 / np.pi * (x + 0.044715 * x**3))),
         f"the scale inside the tanh is √(2/π) ≈ 0.798, not 2/π (on {on})."),
        (x * F.sigmoid(1.702 * x),
         f"that is the sigmoid approximation x σ(1.702 x) (on {on}); this exercise asks for the tanh one."),
        (F.gelu(x), f"that is the exact GELU x Φ(x) (on {on}); this exercise asks for the tanh approximation."),
    ])
    compare(got, expected, what="gelu_tanh(x)", on=on)
