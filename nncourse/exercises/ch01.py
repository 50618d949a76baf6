"""Checkers for the exercises of Chapter 1 (the perceptron).

* ``check_predict(fn)``: ``fn(X, weight, bias) -> y_hat``, the perceptron's prediction
  ``step(X w + b)`` with labels in {0, 1} and ``step(0) = 1``.
* ``check_update(fn)``: ``fn(weight, bias, x, y, lr) -> (new_weight, new_bias)``, one application of
  Rosenblatt's rule ``w ← w + η (y − ŷ) x``, ``b ← b + η (y − ŷ)``.
* ``check_nand_weights(fn)``: ``fn() -> (weight, bias)``, weights found by hand that compute NAND.
* ``check_novikoff_bound(fn)``: ``fn(X, y, weight, bias) -> (R / γ)²`` with the augmented vectors
  ``(x, 1)`` and the unit separator ``(w, b) / ‖(w, b)‖``.
"""

import numpy as np

from nncourse.exercises._checker import call, checker, compare, require

_GATE_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
_NAND = np.array([1, 1, 1, 0])


def _step(z):
    return (np.asarray(z) >= 0).astype(float)


def _as_float(got, what, on):
    yield from require(got is not None, f"{what} is None (on {on}): did you forget to `return` it?")
    try:
        return np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        yield from require(False, f"{what} should be numbers, got {type(got).__name__} (on {on}).")


def _pair(got, names, on):
    yield from require(got is not None, f"got None (on {on}): did you forget to `return` {names}?")
    yield from require(
        isinstance(got, (tuple, list)) and len(got) == 2,
        f"return a tuple {names}, got {type(got).__name__}"
        + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else "")
        + f" (on {on}).",
    )
    return got


# ---------------------------------------------------------------------------------------------------------
@checker
def check_predict(fn):
    """``fn(X, weight, bias)`` returns ``step(X @ weight + bias)``: shape ``(n,)``, values in {0, 1}."""
    rng = np.random.default_rng(1)
    cases = [
        (_GATE_X, np.array([1.0, 1.0]), -1.5, "the AND inputs with w = (1, 1), b = -1.5"),
        (rng.normal(size=(6, 3)), rng.normal(size=3), 0.3, "6 random points in 3-D"),
        (np.array([[1.0, 1.0], [0.0, 0.0]]), np.array([1.0, 1.0]), -2.0,
         "x = (1, 1), which lies exactly on the line x1 + x2 - 2 = 0, and x = (0, 0)"),
    ]
    for X, weight, bias, on in cases:
        got = yield from call(fn, X, weight, bias, on=on)
        z = X @ weight + bias
        arr = yield from _as_float(got, "the prediction", on)
        yield from require(
            arr.shape != (len(X),) or not np.all(np.isin(arr, (-1, 1))) or np.all(arr == 1),
            f"the labels are 0 and 1, not -1 and +1 (on {on}): the step gives 0 where z < 0.",
        )
        yield from require(
            not (arr.shape == (len(X),) and np.allclose(arr, z)),
            f"you returned z = X w + b itself (on {on}): apply the step, 1 where z >= 0, else 0.",
        )
        on_line = np.isclose(z, 0)
        yield from require(
            arr.shape != (len(X),) or not np.any(on_line & (arr == 0)),
            f"a point with z = 0 exactly got 0 (on {on}): the course's step gives 1 at z = 0 (use z >= 0).",
        )
        yield from compare(arr, _step(z), what="the prediction", on=on)
    return "the perceptron predicts step(X w + b) in {0, 1}."


# ---------------------------------------------------------------------------------------------------------
@checker
def check_update(fn):
    """``fn(weight, bias, x, y, lr)`` returns the weight and bias after one application of the rule."""
    weight = np.array([0.5, -1.0])
    bias = 0.25
    cases = [
        (np.array([2.0, 1.0]), 1, 0.5, "a correctly classified point"),
        (np.array([1.0, 2.0]), 1, 0.5, "a missed 1 (y = 1, ŷ = 0)"),
        (np.array([2.0, -1.0]), 0, 0.5, "a false 1 (y = 0, ŷ = 1)"),
        (np.array([-1.0, 3.0]), 1, 2.0, "a missed 1 with lr = 2"),
        (np.array([0.5, 0.5]), 0, 1.0, "a point exactly on the line: z = 0, so ŷ = 1, a false 1"),
    ]
    for x, y, lr, what in cases:
        on = f"w = {weight.tolist()}, b = {bias}, x = {x.tolist()}, y = {y}, lr = {lr}: {what}"
        got = yield from call(fn, weight.copy(), bias, x, y, lr, on=on)
        new_weight, new_bias = yield from _pair(got, "(new_weight, new_bias)", on)
        y_hat = int(x @ weight + bias >= 0)
        expected_w = weight + lr * (y - y_hat) * x
        expected_b = bias + lr * (y - y_hat)
        got_w = yield from _as_float(new_weight, "new_weight", on)
        got_b = yield from _as_float(new_bias, "new_bias", on)
        yield from require(
            not (x @ weight + bias == 0 and got_w.shape == weight.shape and np.allclose(got_w, weight)),
            f"at z = 0 the prediction is ŷ = step(0) = 1 (on {on}): compare with z >= 0, not z > 0.",
        )
        if y == y_hat:
            yield from require(
                got_w.shape == weight.shape and np.allclose(got_w, weight) and np.allclose(got_b, bias),
                f"the point is classified correctly (on {on}), so nothing should change: y - ŷ = 0.",
            )
        else:
            yield from require(
                y == 1 or not (got_w.shape == weight.shape and np.allclose(got_w, weight + lr * y * x)),
                f"multiply by the error y - ŷ, not by y (on {on}): a false 1 must move w by -lr x.",
            )
            yield from require(
                lr == 1 or not (got_w.shape == weight.shape and np.allclose(got_w, weight + (y - y_hat) * x)),
                f"the step must be scaled by the learning rate lr = {lr} (on {on}).",
            )
        yield from compare(got_w, expected_w, what="new_weight", on=on)
        yield from require(np.size(got_b) == 1,
                           f"new_bias should be one number, got shape {got_b.shape} (on {on}).")
        yield from require(
            not (y != y_hat and np.isclose(float(got_b), bias)),
            f"the bias must be updated too, b ← b + lr (y - ŷ) (on {on}).",
        )
        yield from compare(float(got_b), expected_b, what="new_bias", on=on)
    return "one step of Rosenblatt's rule: w ← w + η (y − ŷ) x, b ← b + η (y − ŷ)."


# ---------------------------------------------------------------------------------------------------------
@checker
def check_nand_weights(fn):
    """``fn()`` returns ``(weight, bias)``: a line that computes NAND on the corners of the unit square."""
    on = "nand_weights()"
    got = yield from call(fn, on=on)
    weight, bias = yield from _pair(got, "(weight, bias)", on)
    weight = yield from _as_float(weight, "weight", on)
    bias = yield from _as_float(bias, "bias", on)
    yield from require(weight.shape == (2,), f"weight should have shape (2,), got {weight.shape}.")
    yield from require(bias.size == 1, f"bias should be one number, got shape {bias.shape}.")
    yield from require(np.isfinite(np.append(weight, bias)).all(), "weight and bias must be finite.")
    z = _GATE_X @ weight + float(bias)
    for x, zi, target in zip(_GATE_X, z, _NAND, strict=True):
        point = f"x = ({x[0]:g}, {x[1]:g})"
        yield from require(
            not np.isclose(zi, 0),
            f"{point} lies exactly on your line (z = 0): move the line off the points (change b a little).",
        )
        yield from require(
            (zi >= 0) == bool(target),
            f"NAND({x[0]:g}, {x[1]:g}) = {target}, but your perceptron gives {int(zi >= 0)} (z = {zi:.3g}). "
            "Only (1, 1) must give 0: try negative weights and a positive bias.",
        )
    return f"w = {np.round(weight, 3).tolist()}, b = {float(bias):.3g} computes NAND."


# ---------------------------------------------------------------------------------------------------------
def _bound(X, y, weight, bias, augmented=True, normalised=True):
    s = 2 * y - 1
    if augmented:
        X = np.hstack([X, np.ones((len(X), 1))])
        weight = np.append(weight, bias)
        z = X @ weight
    else:
        z = X @ weight + bias
    radius = np.max(np.linalg.norm(X, axis=1))
    gamma = np.min(s * z) / (np.linalg.norm(weight) if normalised else 1.0)
    return (radius / gamma) ** 2


@checker
def check_novikoff_bound(fn):
    """``fn(X, y, weight, bias)`` returns ``(R / γ)²`` for the augmented vectors and the unit separator."""
    X = np.array([[2.0, 1.0], [3.0, 2.5], [0.5, -1.0], [1.0, -2.0], [-1.0, 0.5]])
    y = np.array([1, 1, 0, 0, 0])
    cases = [(np.array([1.0, 2.0]), -1.0), (np.array([0.5, 1.5]), -0.5)]
    for weight, bias in cases:
        on = f"5 points, weight = {weight.tolist()}, bias = {bias}"
        got = yield from call(fn, X, y, weight, bias, on=on)
        value = yield from _as_float(got, "the bound", on)
        yield from require(value.size == 1, f"return one number, got shape {value.shape} (on {on}).")
        value = float(value)
        yield from require(
            not np.isclose(value, _bound(X, y, weight, bias, augmented=False)),
            f"use the augmented vectors (on {on}): R = max ‖(x, 1)‖ and γ with the unit vector "
            "(w, b)/‖(w, b)‖, so that the bias is part of the separator.",
        )
        yield from require(
            not np.isclose(value, _bound(X, y, weight, bias, normalised=False)),
            f"γ must use a unit vector (on {on}): divide the smallest s·(w, b)·(x, 1) by ‖(w, b)‖.",
        )
        yield from require(
            not np.isclose(value, np.sqrt(_bound(X, y, weight, bias))),
            f"you returned R / γ (on {on}): the bound is its square, (R / γ)².",
        )
        yield from compare(value, _bound(X, y, weight, bias), what="(R / γ)²", on=on)
    return "Novikoff's bound (R/γ)² with the augmented vectors."
