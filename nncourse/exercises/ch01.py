"""Checkers for the exercises of Chapter 1 (the perceptron). Right answers come from :mod:`nncourse.perceptron`.

* ``check_predict(fn)``: ``fn(X, weight, bias) -> y_hat``, the perceptron's prediction
  ``step(X w + b)`` with labels in {0, 1} and ``step(0) = 1``.
* ``check_update(fn)``: ``fn(weight, bias, x, y, lr) -> (new_weight, new_bias)``, one application of
  Rosenblatt's rule ``w ← w + η (y − ŷ) x``, ``b ← b + η (y − ŷ)``, leaving ``weight`` unchanged.
* ``check_nand_weights(fn)``: ``fn() -> (weight, bias)``, weights found by hand that compute NAND.
* ``check_novikoff_bound(fn)``: ``fn(X, y, weight, bias) -> (R / γ)²`` with the augmented vectors
  ``(x, 1)`` and the unit separator ``(w, b) / ‖(w, b)‖``.

Each checker takes ``extra_cases``: more argument tuples for the learner's function (an instructor's hidden
tests), scored like the built-in ones.
"""

import numpy as np

from nncourse import functional as F
from nncourse.data import logic_gate
from nncourse.exercises._checker import (
    Exercise,
    attempt,
    call,
    compare,
    diagnose,
    extra,
    grade,
    items,
    mistake,
    numbers,
    one_number,
    require,
)
from nncourse.perceptron import Perceptron, novikoff_bound

PREDICT = Exercise(1, "ch01-predict-check", "Prediction", 2, "check_predict")
UPDATE = Exercise(1, "ch01-update-check", "The update rule", 3, "check_update")
NAND = Exercise(1, "ch01-nand-check", "NAND by hand", 1, "check_nand_weights")
NOVIKOFF = Exercise(1, "ch01-novikoff-check", "Novikoff's bound", 2, "check_novikoff_bound")
EXERCISES = (PREDICT, UPDATE, NAND, NOVIKOFF)

_GATE_X, _ = logic_gate("and", dtype=np.float64)


# ---------------------------------------------------------------------------------------------------------
def _predict_reference(X, weight, bias):
    return F.step(np.asarray(X, dtype=np.float64) @ weight + bias)


def check_predict(fn, extra_cases=()):
    """``fn(X, weight, bias)`` returns ``step(X @ weight + bias)``: shape ``(n,)``, values in {0, 1}.

    >>> check_predict(lambda X, w, b: (X @ w + b >= 0).astype(int)).passed
    True
    """
    rng = np.random.default_rng(1)
    cases = [
        ("the AND inputs with w = (1, 1), b = -1.5", (_GATE_X, np.array([1.0, 1.0]), -1.5)),
        ("6 random points in 3-D", (rng.normal(size=(6, 3)), rng.normal(size=3), 0.3)),
        (
            "x = (1, 1), which lies exactly on the line x1 + x2 - 2 = 0, and x = (0, 0)",
            (np.array([[1.0, 1.0], [0.0, 0.0]]), np.array([1.0, 1.0]), -2.0),
        ),
    ] + extra(extra_cases, _predict_reference, "check_predict")
    outcomes = [attempt(_predict_case, fn, *args, on=on) for on, args in cases]
    return grade(PREDICT, outcomes, "the perceptron predicts step(X w + b) in {0, 1}.")


def _predict_case(fn, X, weight, bias, *, on):
    expected = _predict_reference(X, weight, bias)
    got = numbers(call(fn, X, weight, bias, on=on), "the prediction", on)
    z = X @ weight + bias
    diagnose(got, expected, [
        (np.where(z >= 0, 1.0, -1.0),
         f"the labels are 0 and 1, not -1 and +1 (on {on}): the step gives 0 where z < 0."),
        (z, f"you returned z = X w + b itself (on {on}): apply the step, 1 where z >= 0, else 0."),
        ((z > 0).astype(float),
         f"a point with z = 0 exactly got 0 (on {on}): the course's step gives 1 at z = 0 (use z >= 0)."),
    ])
    compare(got, expected, what="the prediction", on=on)


# ---------------------------------------------------------------------------------------------------------
def _update_reference(weight, bias, x, y, lr):
    model = Perceptron(lr=lr, dtype=np.float64)
    model.weight, model.bias = np.array(weight, dtype=np.float64), np.float64(bias)
    model.update(x, y)
    return model.weight, float(model.bias)


def check_update(fn, extra_cases=()):
    """``fn(weight, bias, x, y, lr)`` returns the weight and bias after one application of the rule.

    >>> def update(w, b, x, y, lr):
    ...     error = y - int(x @ w + b >= 0)
    ...     return w + lr * error * x, b + lr * error
    >>> check_update(update).passed
    True
    """
    weight, bias = np.array([0.5, -1.0]), 0.25
    visible = [
        (np.array([2.0, 1.0]), 1, 0.5, "a correctly classified point"),
        (np.array([1.0, 2.0]), 1, 0.5, "a missed 1 (y = 1, ŷ = 0)"),
        (np.array([2.0, -1.0]), 0, 0.5, "a false 1 (y = 0, ŷ = 1)"),
        (np.array([-1.0, 3.0]), 1, 2.0, "a missed 1 with lr = 2"),
        (np.array([0.5, 0.5]), 0, 1.0, "a point exactly on the line: z = 0, so ŷ = 1, a false 1"),
    ]
    cases = [
        (f"w = {weight.tolist()}, b = {bias}, x = {x.tolist()}, y = {y}, lr = {lr}: {what}", (weight, bias, x, y, lr))
        for x, y, lr, what in visible
    ] + extra(extra_cases, _update_reference, "check_update")
    outcomes = [attempt(_update_case, fn, *args, on=on) for on, args in cases]
    return grade(UPDATE, outcomes, "one step of Rosenblatt's rule: w ← w + η (y − ŷ) x, b ← b + η (y − ŷ).")


def _update_case(fn, weight, bias, x, y, lr, *, on):
    expected_w, expected_b = _update_reference(weight, bias, x, y, lr)
    got = call(fn, weight, bias, x, y, lr, on=on, unchanged={0: "weight"})
    new_weight, new_bias = items(got, ("new_weight", "new_bias"), on)
    new_weight = numbers(new_weight, "new_weight", on, shape=np.shape(weight))
    z = float(x @ weight + bias)
    error = y - int(z >= 0)
    if error == 0:
        require(
            np.allclose(new_weight, weight),
            f"the point is classified correctly (on {on}), so nothing should change: y - ŷ = 0.",
        )
    elif z == 0:
        mistake(new_weight, expected_w, weight,
                f"at z = 0 the prediction is ŷ = step(0) = 1 (on {on}): compare with z >= 0, not z > 0.")
    else:
        diagnose(new_weight, expected_w, [
            (weight + lr * y * x,
             f"multiply by the error y - ŷ, not by y (on {on}): a false 1 must move w by -lr x."),
            (weight + error * x, f"the step must be scaled by the learning rate lr = {lr} (on {on})."),
        ])
    compare(new_weight, expected_w, what="new_weight", on=on)
    new_bias = one_number(new_bias, "new_bias", on)
    mistake(new_bias, expected_b, bias, f"the bias must be updated too, b ← b + lr (y - ŷ) (on {on}).")
    compare(new_bias, expected_b, what="new_bias", on=on)


# ---------------------------------------------------------------------------------------------------------
def check_nand_weights(fn):
    """``fn()`` returns ``(weight, bias)``: a line that computes NAND on the corners of the unit square.

    >>> check_nand_weights(lambda: (np.array([-1.0, -1.0]), 1.5)).passed
    True
    """
    return grade(NAND, [attempt(_nand_case, fn, on="nand_weights()")], "your line computes NAND.")


def _nand_case(fn, *, on):
    weight, bias = items(call(fn, on=on), ("weight", "bias"), on)
    weight = numbers(weight, "weight", on, shape=(2,))
    bias = one_number(bias, "bias", on)
    require(np.isfinite(np.append(weight, bias)).all(), f"weight and bias must be finite (on {on}).")
    X, targets = logic_gate("nand", dtype=np.float64)
    z = X @ weight + bias
    for x, zi, target, predicted in zip(X, z, targets, F.step(z), strict=True):
        point = f"x = ({x[0]:g}, {x[1]:g})"
        require(
            not np.isclose(zi, 0),
            f"{point} lies exactly on your line (z = 0): move the line off the points (change b a little).",
        )
        require(
            predicted == target,
            f"NAND({x[0]:g}, {x[1]:g}) = {target}, but your perceptron gives {int(predicted)} (z = {zi:.3g}). "
            "Only (1, 1) must give 0: try negative weights and a positive bias.",
        )


# ---------------------------------------------------------------------------------------------------------
def _bound(X, y, weight, bias, *, augmented=True, normalised=True):
    """(R / γ)² computed right, or with one of the two typical slips (the wrong answers a hint names)."""
    s = 2 * y - 1
    if augmented:
        X, weight = np.hstack([X, np.ones((len(X), 1))]), np.append(weight, bias)
        z = X @ weight
    else:
        z = X @ weight + bias
    radius = np.max(np.linalg.norm(X, axis=1))
    gamma = np.min(s * z) / (np.linalg.norm(weight) if normalised else 1.0)
    return (radius / gamma) ** 2


def _novikoff_reference(X, y, weight, bias):
    return novikoff_bound(X, y, weight, bias).bound


def check_novikoff_bound(fn, extra_cases=()):
    """``fn(X, y, weight, bias)`` returns ``(R / γ)²`` for the augmented vectors and the unit separator.

    >>> from nncourse.perceptron import novikoff_bound
    >>> check_novikoff_bound(lambda *args: novikoff_bound(*args).bound).passed
    True
    """
    X = np.array([[2.0, 1.0], [3.0, 2.5], [0.5, -1.0], [1.0, -2.0], [-1.0, 0.5]])
    y = np.array([1, 1, 0, 0, 0])
    cases = [
        (f"5 points, weight = {weight.tolist()}, bias = {bias}", (X, y, weight, bias))
        for weight, bias in [(np.array([1.0, 2.0]), -1.0), (np.array([0.5, 1.5]), -0.5)]
    ] + extra(extra_cases, _novikoff_reference, "check_novikoff_bound")
    outcomes = [attempt(_novikoff_case, fn, *args, on=on) for on, args in cases]
    return grade(NOVIKOFF, outcomes, "Novikoff's bound (R/γ)² with the augmented vectors.")


def _novikoff_case(fn, X, y, weight, bias, *, on):
    expected = _novikoff_reference(X, y, weight, bias)
    value = one_number(call(fn, X, y, weight, bias, on=on), "the bound", on)
    diagnose(value, expected, [
        (_bound(X, y, weight, bias, augmented=False),
         f"use the augmented vectors (on {on}): R = max ‖(x, 1)‖ and γ with the unit vector (w, b)/‖(w, b)‖, "
         "so that the bias is part of the separator."),
        (_bound(X, y, weight, bias, normalised=False),
         f"γ must use a unit vector (on {on}): divide the smallest s·(w, b)·(x, 1) by ‖(w, b)‖."),
        (np.sqrt(expected), f"you returned R / γ (on {on}): the bound is its square, (R / γ)²."),
    ])
    compare(value, expected, what="(R / γ)²", on=on)
