"""Checkers for the exercises of Chapter 4 (universal approximation).

* ``check_sigmoid_bump(fn)``: ``fn(x, left, right, k) -> σ(k(x − left)) − σ(k(x − right))``, a bump made of
  two steep sigmoids, also at extreme inputs.
* ``check_staircase(fn)``: ``fn(f, n_units, a, b) -> (W1, b1, W2, b2)``, the weights of a one-hidden-layer
  sigmoid network ``ŷ = W2 σ(W1 x + b1) + b2`` that approximates ``f`` on ``[a, b]`` as a staircase: the
  shapes must be right and the sup-norm error as small as the chapter's construction achieves (``O(1/N)``).
* ``check_width_needed(fn)``: ``fn(f, interval, tolerance) -> N``, the smallest number of ReLU units for which
  the piecewise-linear interpolant (``nncourse.universal.bump_network(..., kind="relu")``) has a maximum
  error of at most ``tolerance``.
"""

import numpy as np

from nncourse import universal
from nncourse.exercises._checker import call, checker, compare, require
from nncourse.functional import sigmoid as _sigmoid


@checker
def check_sigmoid_bump(fn):
    """``fn(x, left, right, k)`` returns the bump ``σ(k(x − left)) − σ(k(x − right))``."""
    x = np.array([-3.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 4.0])
    for left, right, k in [(0.0, 2.0, 10.0), (-1.0, 1.0, 3.0)]:
        on = f"x = {x.tolist()}, left = {left}, right = {right}, k = {k}"
        got = yield from call(fn, x, left, right, k, on=on)
        expected = _sigmoid(k * (x - left)) - _sigmoid(k * (x - right))
        try:
            got_arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            got_arr = None  # not numbers: compare() below says so
        if got_arr is not None and got_arr.shape == expected.shape:
            yield from require(
                not np.allclose(got_arr, -expected),
                f"your bump points down (on {on}): subtract the step at "
                "`right` from the step at `left`, not the other way round.",
            )
            yield from require(
                not np.allclose(got_arr, _sigmoid(k * (x - left))),
                f"that is a single step at `left` (on {on}): a bump also steps back down at `right`.",
            )
            yield from require(
                not np.allclose(got_arr, _sigmoid(x - left) - _sigmoid(x - right)),
                f"your sigmoids are not steep (on {on}): multiply (x − left) and (x − right) by k.",
            )
        yield from compare(got, expected, what="the bump", on=on)
    on = "x = [-1e4, 1e4], left = 0, right = 1, k = 100"
    got = yield from call(fn, np.array([-1e4, 1e4]), 0.0, 1.0, 100.0, on=on)
    yield from compare(got, [0.0, 0.0], what="the bump at extreme inputs", on=on, atol=1e-12)
    return "two steep sigmoids, one up at `left` and one down at `right`, make a bump."


def _check_weights(got, n, on):
    """Check the 4-tuple of weights and their shapes; return them as float arrays."""
    yield from require(
        isinstance(got, (tuple, list)) and len(got) == 4,
        f"return a tuple (W1, b1, W2, b2), got {type(got).__name__}"
        + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else "")
        + f" (on {on}).",
    )
    shapes = {"W1": (n, 1), "b1": (n,), "W2": (1, n), "b2": (1,)}
    arrays = []
    for (name, shape), value in zip(shapes.items(), got, strict=True):
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            arr = None
        yield from require(
            arr is not None, f"{name} should be an array of numbers, got {type(value).__name__} (on {on})."
        )
        yield from require(
            arr.shape == shape,
            f"{name} should have shape {shape} (the course's layout, W of shape (out, in)), got {arr.shape} "
            f"(on {on}).",
        )
        yield from require(np.all(np.isfinite(arr)), f"{name} contains NaN or infinity (on {on}).")
        arrays.append(arr)
    return arrays


@checker
def check_staircase(fn):
    """``fn(f, n_units, a, b)`` returns ``(W1, b1, W2, b2)`` of a sigmoid staircase approximating ``f``."""
    cases = [
        (np.sin, "sin", 20, 0.0, np.pi),
        (np.square, "x**2", 40, -1.0, 1.0),
        (np.exp, "exp", 10, 0.0, 1.0),
    ]
    for f, name, n, a, b in cases:
        on = f"f = {name} on [{a:g}, {b:.4g}] with {n} units"
        got = yield from call(fn, f, n, a, b, on=on)
        W1, b1, W2, b2 = yield from _check_weights(got, n, on)
        network = universal.Network([(W1, b1), (W2, b2)], "sigmoid")
        error, _ = universal.approximation_error(f, network, (a, b), n_points=4001)
        # The chapter's staircase: max error ≈ max|f′|·h/2 with h = (b − a)/(N + 1); allow a margin over it.
        reference = universal.bump_network(f, n, (a, b), kind="sigmoid")
        target, _ = universal.approximation_error(f, reference, (a, b), n_points=4001)
        yield from require(
            error <= 1.5 * target,
            f"the maximum error of your network is {error:.3g} (on {on}); the staircase of the chapter "
            f"reaches {target:.3g}. Check that the steps sit between the cells, that each output weight is "
            "the jump f(c_j) − f(c_{j−1}), that b2 is the first level, and that the sigmoids are steep "
            "(k ≈ 40/h).",
        )
    return "your staircase approximates each target with an error of order 1/N."


@checker
def check_width_needed(fn):
    """``fn(f, interval, tolerance)``: the smallest N whose ReLU interpolant has max error ≤ tolerance."""
    cases = [
        (np.sin, "sin", (0.0, 2 * np.pi), 0.01),
        (np.exp, "exp", (-1.0, 2.0), 0.001),
        (np.abs, "abs", (-1.0, 1.0), 0.05),
    ]
    for f, name, interval, tolerance in cases:
        on = f"f = {name} on [{interval[0]:g}, {interval[1]:.4g}], tolerance {tolerance}"
        got = yield from call(fn, f, interval, tolerance, on=on)
        yield from require(
            isinstance(got, (int, np.integer)) and not isinstance(got, bool),
            f"return the number of units as an int, got {type(got).__name__} {got!r} (on {on}).",
        )
        expected = _width_needed(f, interval, tolerance)
        if got > expected:
            error = _error(f, interval, expected)
            yield from require(
                False,
                f"{got} units is enough but not the smallest (on {on}): already {expected} units reach a "
                f"maximum error of {error:.3g}.",
            )
        yield from require(got >= 1, f"a network needs at least 1 hidden unit, got {got} (on {on}).")
        if got < expected:
            error = _error(f, interval, int(got))
            yield from require(
                False,
                f"{got} units is not enough (on {on}): their maximum error is {error:.3g} > {tolerance}; "
                "count up until the error is at most the tolerance.",
            )
    return "you found the smallest width for each tolerance."


def _error(f, interval, n):
    return universal.approximation_error(f, universal.bump_network(f, n, interval, kind="relu"), interval)[0]


def _width_needed(f, interval, tolerance):
    n = 1
    while _error(f, interval, n) > tolerance:
        n += 1
    return n


__all__ = ["check_sigmoid_bump", "check_staircase", "check_width_needed"]
