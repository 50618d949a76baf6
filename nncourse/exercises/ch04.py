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
* ``check_square_approximation(fn)``: ``fn(x, m) -> x − Σ_{s=1}^m T^s(x)/4^s``, Yarotsky's sawtooth
  approximation of ``x²`` (:func:`nncourse.universal.yarotsky_square`).
* ``check_free_knots(fn)``: ``fn() -> (W1, b1, W2, b2)``, at most 8 ReLU units approximating ``tanh(5x)`` on
  ``[−1, 1]``; open-ended: judged by the maximum error reached, one mark each at 0.15 (what evenly spaced
  knots give), 0.08 and the target 0.05.

Each checker that runs a function on inputs takes ``extra_cases``: more argument tuples for the learner's
function (an instructor's hidden tests), scored like the built-in ones.
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
SQUARE = Exercise(4, "ch04-square-check", "x² from sawtooth functions", 2, "check_square_approximation")
FREE_KNOTS = Exercise(4, "ch04-free-knots-check", "Beat evenly spaced knots", 3, "check_free_knots")
EXERCISES = (BUMP, STAIRCASE, WIDTH, SQUARE, FREE_KNOTS)


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


# ---------------------------------------------------------------------------------------------------------
def check_square_approximation(fn, extra_cases=()):
    """``fn(x, m)`` returns Yarotsky's ``f_m(x) = x − Σ_{s=1}^m T^s(x) / 4^s`` for ``x`` in ``[0, 1]``.

    >>> check_square_approximation(universal.yarotsky_square).passed
    True
    """
    x = np.linspace(0.0, 1.0, 33)
    cases = [(f"x = np.linspace(0, 1, 33), m = {m}", (x, m)) for m in (1, 3, 5)]
    cases += extra(extra_cases, universal.yarotsky_square, "check_square_approximation")
    outcomes = [attempt(_square_case, fn, *args, on=on) for on, args in cases]
    return grade(SQUARE, outcomes, "x minus the sawtooths T^s(x)/4^s: the interpolant of x² at 2^m + 1 points.")


def _square_case(fn, x, m, *, on):
    expected = universal.yarotsky_square(x, m)
    got = numbers(call(fn, x, m, on=on), "f_m(x)", on)
    teeth = [universal.sawtooth(x, s) for s in range(1, m + 2)]
    diagnose(got, expected, [
        (x**2, f"you returned x² itself (on {on}): build f_m from x and the sawtooths T^s = universal.sawtooth(x, s)."),
        (x - sum(t / 2.0**s for s, t in enumerate(teeth[:m], start=1)),
         f"each sawtooth is divided by 4^s, not 2^s (on {on}): T^s has 2^s pieces of width h = 2^(−s), and the "
         "correction shrinks like h²."),
        (x + sum(t / 4.0**s for s, t in enumerate(teeth[:m], start=1)),
         f"subtract the sawtooths (on {on}): the chord of x² lies above the parabola, so each correction goes down."),
        (x - sum(t / 4.0**s for s, t in enumerate(teeth[: m - 1], start=1)),
         f"your sum stops at s = m − 1 (on {on}): it runs over s = 1, ..., m."),
        (x - sum(t / 4.0**s for s, t in enumerate(teeth, start=1)),
         f"your sum runs to s = m + 1 (on {on}): it runs over s = 1, ..., m."),
    ])
    compare(got, expected, what="f_m(x)", on=on, atol=1e-12)


# ---------------------------------------------------------------------------------------------------------
FREE_KNOTS_STEEPNESS = 5.0
MAX_UNITS = 8
ERROR_MARKS = (0.15, 0.08, 0.05)  # one mark each; evenly spaced knots reach the first, the last is the target


def _free_knots_target(x):
    return np.tanh(FREE_KNOTS_STEEPNESS * x)


def check_free_knots(fn):
    """``fn()`` returns ``(W1, b1, W2, b2)`` of a ReLU network with at most 8 hidden units that approximates
    ``tanh(5x)`` on ``[−1, 1]``. Each of the maximum errors 0.15, 0.08 and 0.05 reached is a mark.

    The chapter's interpolant with 8 evenly spaced knots has a maximum error of 0.131; knots placed where
    the curve bends reach the target.

    >>> knots = np.array([-1.0, -0.5, -0.3, -0.15, 0.0, 0.15, 0.3, 0.5, 1.0])
    >>> slopes = np.diff(np.tanh(5 * knots)) / np.diff(knots)
    >>> W2 = np.concatenate([slopes[:1], np.diff(slopes)])[None, :]
    >>> check_free_knots(lambda: (np.ones((8, 1)), -knots[:-1], W2, np.tanh(5 * knots[:1]))).passed
    True
    """
    run = {}
    setup = attempt(_free_knots_network, fn, run, on="free_knots()")
    if setup is not None:
        return grade(FREE_KNOTS, [setup] * len(ERROR_MARKS), "")
    error = run["error"]
    outcomes = [attempt(_within, error, mark) for mark in ERROR_MARKS]
    return grade(FREE_KNOTS, outcomes, f"your {run['units']} units reach a maximum error of {error:.3g} on [−1, 1] "
                                       f"(target {ERROR_MARKS[-1]}).")


def _free_knots_network(fn, run, *, on):
    W1, b1, W2, b2 = (numbers(value, name, on) for value, name in
                      zip(items(call(fn, on=on), ("W1", "b1", "W2", "b2"), on), ("W1", "b1", "W2", "b2"), strict=True))
    n = W1.shape[0] if W1.ndim == 2 else -1
    require(W1.ndim == 2 and W1.shape[1] == 1,
            f"W1 should have shape (N, 1), one row per hidden unit, got shape {W1.shape} (on {on}).")
    require(1 <= n <= MAX_UNITS, f"use at most {MAX_UNITS} hidden units, got {n} (on {on}).")
    for name, value, shape in (("b1", b1, (n,)), ("W2", W2, (1, n)), ("b2", b2, (1,))):
        require(value.shape == shape, f"{name} should have shape {shape}, got shape {value.shape} (on {on}).")
    for name, value in (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2)):
        require(np.all(np.isfinite(value)), f"{name} contains NaN or infinity (on {on}).")
    network = universal.Network([(W1, b1), (W2, b2)], "relu")
    run["error"] = universal.approximation_error(_free_knots_target, network, (-1.0, 1.0), n_points=4001)[0]
    run["units"] = n


def _within(error, mark):
    require(
        error <= mark,
        f"the maximum error of your network on [−1, 1] is {error:.3g}, above {mark} (one mark each at "
        f"{', '.join(map(str, ERROR_MARKS[:-1]))} and the target {ERROR_MARKS[-1]}). Evenly spaced knots waste "
        "units where tanh(5x) is almost straight: put them where it bends, near |x| ≈ 0.1 to 0.4.",
    )
