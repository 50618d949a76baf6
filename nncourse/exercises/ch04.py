"""Checkers for the exercises of Chapter 4 (universal approximation). Right answers come from
:mod:`nncourse.universal`.

* ``check_sigmoid_bump(fn)``: ``fn(x, left, right, k) -> σ(k(x − left)) − σ(k(x − right))``, a bump made of
  two steep sigmoids, also at extreme inputs.
* ``check_staircase(fn)``: ``fn(f, n_units, a, b) -> (W1, b1, W2, b2)``, the weights of a one-hidden-layer
  sigmoid network ``ŷ = W2 σ(W1 x + b1) + b2`` that approximates ``f`` on ``[a, b]`` as a staircase: the
  shapes must be right and the sup-norm error as small as the chapter's construction achieves (``O(1/N)``).
* ``check_width_needed(fn)``: ``fn(f, interval, tolerance) -> N``, the smallest number of ReLU units for which
  the piecewise-linear interpolant (``nncourse.universal.bump_network(..., kind="relu")``) has a maximum
  error of at most ``tolerance``.

Each checker takes ``extra_cases``: more argument tuples for the learner's function (an instructor's hidden
tests), scored like the built-in ones.
"""

import numpy as np

from nncourse import universal
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
    whole_number,
)
from nncourse.functional import sigmoid

BUMP = Exercise(4, "ch04-bump-check", "A bump from two sigmoids", 2, "check_sigmoid_bump")
STAIRCASE = Exercise(4, "ch04-staircase-check", "A staircase with N units", 3, "check_staircase")
WIDTH = Exercise(4, "ch04-width-check", "The width needed for a target error", 3, "check_width_needed")
EXERCISES = (BUMP, STAIRCASE, WIDTH)


# ---------------------------------------------------------------------------------------------------------
def check_sigmoid_bump(fn, extra_cases=()):
    """``fn(x, left, right, k)`` returns the bump ``σ(k(x − left)) − σ(k(x − right))``.

    >>> from nncourse.universal import sigmoid_bump
    >>> check_sigmoid_bump(sigmoid_bump).passed
    True
    """
    x = np.array([-3.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 4.0])
    cases = [
        (f"x = {x.tolist()}, left = {left}, right = {right}, k = {k}", (x, left, right, k))
        for left, right, k in [(0.0, 2.0, 10.0), (-1.0, 1.0, 3.0)]
    ] + [("x = [-1e4, 1e4], left = 0, right = 1, k = 100", (np.array([-1e4, 1e4]), 0.0, 1.0, 100.0))]
    cases += extra(extra_cases, universal.sigmoid_bump, "check_sigmoid_bump")
    outcomes = [attempt(_bump_case, fn, *args, on=on) for on, args in cases]
    return grade(BUMP, outcomes, "two steep sigmoids, one up at `left` and one down at `right`, make a bump.")


def _bump_case(fn, x, left, right, k, *, on):
    expected = universal.sigmoid_bump(x, left, right, steepness=k)
    got = numbers(call(fn, x, left, right, k, on=on), "the bump", on)
    diagnose(got, expected, [
        (-expected, f"your bump points down (on {on}): subtract the step at `right` from the step at `left`, "
                    "not the other way round."),
        (sigmoid(k * (x - left)), f"that is a single step at `left` (on {on}): a bump also steps back down at "
                                  "`right`."),
        (sigmoid(x - left) - sigmoid(x - right),
         f"your sigmoids are not steep (on {on}): multiply (x − left) and (x − right) by k."),
    ])
    compare(got, expected, what="the bump", on=on, atol=1e-12)


# ---------------------------------------------------------------------------------------------------------
def _staircase_reference(f, n_units, a, b):
    return universal.bump_network(f, n_units, (a, b), kind="sigmoid")


def check_staircase(fn, extra_cases=()):
    """``fn(f, n_units, a, b)`` returns ``(W1, b1, W2, b2)`` of a sigmoid staircase approximating ``f``;
    its maximum error must be within 1.5 times that of the chapter's staircase.

    >>> from nncourse.universal import bump_network
    >>> check_staircase(lambda f, n, a, b: [p for layer in bump_network(f, n, (a, b)).layers for p in layer]).passed
    True
    """
    cases = [
        (f"f = {name} on [{a:g}, {b:.4g}] with {n} units", (f, n, a, b))
        for f, name, n, a, b in [(np.sin, "sin", 20, 0.0, np.pi), (np.square, "x**2", 40, -1.0, 1.0),
                                 (np.exp, "exp", 10, 0.0, 1.0)]
    ] + extra(extra_cases, _staircase_reference, "check_staircase")
    outcomes = [attempt(_staircase_case, fn, *args, on=on) for on, args in cases]
    return grade(STAIRCASE, outcomes, "your staircase approximates each target with an error of order 1/N.")


def _staircase_case(fn, f, n, a, b, *, on):
    target, _ = universal.approximation_error(f, _staircase_reference(f, n, a, b), (a, b), n_points=4001)
    weights = items(call(fn, f, n, a, b, on=on), ("W1", "b1", "W2", "b2"), on)
    shapes = {"W1": (n, 1), "b1": (n,), "W2": (1, n), "b2": (1,)}
    arrays = []
    for (name, shape), value in zip(shapes.items(), weights, strict=True):
        arr = numbers(value, name, on)
        require(
            arr.shape == shape,
            f"{name} should have shape {shape} (the course's layout, W of shape (out, in)), got {arr.shape} "
            f"(on {on}).",
        )
        require(np.all(np.isfinite(arr)), f"{name} contains NaN or infinity (on {on}).")
        arrays.append(arr)
    W1, b1, W2, b2 = arrays
    network = universal.Network([(W1, b1), (W2, b2)], "sigmoid")
    error, _ = universal.approximation_error(f, network, (a, b), n_points=4001)
    # The chapter's staircase: max error ≈ max|f′|·h/2 with h = (b − a)/(N + 1); allow a margin over it.
    require(
        error <= 1.5 * target,
        f"the maximum error of your network is {error:.3g} (on {on}); the staircase of the chapter reaches "
        f"{target:.3g}. Check that the steps sit between the cells, that each output weight is the jump "
        "f(c_j) − f(c_{j−1}), that b2 is the first level, and that the sigmoids are steep (k ≈ 40/h).",
    )


# ---------------------------------------------------------------------------------------------------------
def _error(f, interval, n):
    return universal.approximation_error(f, universal.bump_network(f, n, interval, kind="relu"), interval)[0]


def _width_reference(f, interval, tolerance):
    n = 1
    while _error(f, interval, n) > tolerance:
        n += 1
    return n


def check_width_needed(fn, extra_cases=()):
    """``fn(f, interval, tolerance)``: the smallest N whose ReLU interpolant has max error ≤ tolerance.

    >>> check_width_needed(_width_reference).passed
    True
    """
    cases = [
        (f"f = {name} on [{interval[0]:g}, {interval[1]:.4g}], tolerance {tolerance}", (f, interval, tolerance))
        for f, name, interval, tolerance in [(np.sin, "sin", (0.0, 2 * np.pi), 0.01),
                                             (np.exp, "exp", (-1.0, 2.0), 0.001),
                                             (np.abs, "abs", (-1.0, 1.0), 0.05)]
    ] + extra(extra_cases, _width_reference, "check_width_needed")
    outcomes = [attempt(_width_case, fn, *args, on=on) for on, args in cases]
    return grade(WIDTH, outcomes, "you found the smallest width for each tolerance.")


def _width_case(fn, f, interval, tolerance, *, on):
    expected = _width_reference(f, interval, tolerance)
    got = whole_number(call(fn, f, interval, tolerance, on=on), "the number of units", on)
    require(got >= 1, f"a network needs at least 1 hidden unit, got {got} (on {on}).")
    require(
        got <= expected,
        f"{got} units is enough but not the smallest (on {on}): already {expected} units reach a maximum error "
        f"of {_error(f, interval, expected):.3g}.",
    )
    require(
        got >= expected,
        f"{got} units is not enough (on {on}): their maximum error is {_error(f, interval, got):.3g} > "
        f"{tolerance}; count up until the error is at most the tolerance.",
    )
