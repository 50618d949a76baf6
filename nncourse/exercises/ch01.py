"""Checkers for the exercises of Chapter 1 (the perceptron). Right answers come from :mod:`nncourse.perceptron`.

* ``check_predict(fn)``: ``fn(X, weight, bias) -> y_hat``, the perceptron's prediction
  ``step(X w + b)`` with labels in {0, 1} and ``step(0) = 1``.
* ``check_update(fn)``: ``fn(weight, bias, x, y, lr) -> (new_weight, new_bias)``, one application of
  Rosenblatt's rule ``w ← w + η (y − ŷ) x``, ``b ← b + η (y − ŷ)``, leaving ``weight`` unchanged.
* ``check_nand_weights(fn)``: ``fn() -> (weight, bias)``, weights found by hand that compute NAND.
* ``check_novikoff_bound(fn)``: ``fn(X, y, weight, bias) -> (R / γ)²`` with the augmented vectors
  ``(x, 1)`` and the unit separator ``(w, b) / ‖(w, b)‖``.
* ``check_perceptron_loss_grad(fn)``: ``fn(weight, bias, x, y) -> (loss, grad_weight, grad_bias)``, the
  perceptron loss ``max(0, -s z)`` of one sample and its gradient, ``(-s x, -s)`` on a mistake, else 0.
* ``check_lms_update(fn)``: ``fn(weight, bias, x, y, lr) -> (new_weight, new_bias)``, one step of ADALINE's
  Widrow–Hoff rule ``w ← w + η (s − z) x``, ``b ← b + η (s − z)`` with ``s = 2y − 1``.
* ``check_overlapping_classifier(fn)``: ``fn(X, y) -> (weight, bias)``, open-ended: a single neuron trained
  on two overlapping clouds, judged by its accuracy on fresh points from the same clouds.

Each checker takes ``extra_cases``: more argument tuples for the learner's function (an instructor's hidden
tests), scored like the built-in ones.
"""

import numpy as np

from nncourse import functional as F
from nncourse.data import logic_gate, make_blobs
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
from nncourse.perceptron import Adaline, Perceptron, novikoff_bound, perceptron_loss

PREDICT = Exercise(1, "ch01-predict-check", "Prediction", 2, "check_predict")
UPDATE = Exercise(1, "ch01-update-check", "The update rule", 3, "check_update")
NAND = Exercise(1, "ch01-nand-check", "NAND by hand", 1, "check_nand_weights")
NOVIKOFF = Exercise(1, "ch01-novikoff-check", "Novikoff's bound", 2, "check_novikoff_bound")
LOSS_GRAD = Exercise(1, "ch01-loss-grad-check", "The perceptron loss and its gradient", 2, "check_perceptron_loss_grad")
LMS = Exercise(1, "ch01-lms-check", "One step of ADALINE's rule", 2, "check_lms_update")
OVERLAP = Exercise(1, "ch01-overlap-check", "A neuron for overlapping classes", 3, "check_overlapping_classifier")
EXERCISES = (PREDICT, UPDATE, NAND, NOVIKOFF, LOSS_GRAD, LMS, OVERLAP)

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


# ---------------------------------------------------------------------------------------------------------
def _loss_grad_reference(weight, bias, x, y):
    z = float(np.asarray(x, dtype=np.float64) @ weight + bias)
    loss, dloss_dz = perceptron_loss(np.array([z]), np.array([y]))
    return float(loss[0]), dloss_dz[0] * np.asarray(x, dtype=np.float64), float(dloss_dz[0])


def check_perceptron_loss_grad(fn, extra_cases=()):
    """``fn(weight, bias, x, y)`` returns ``(loss, grad_weight, grad_bias)`` of ``max(0, -s z)``, ``s = 2y - 1``.

    >>> def loss_grad(w, b, x, y):
    ...     s, z = 2 * y - 1, x @ w + b
    ...     mistake = int(z >= 0) != y
    ...     return max(0.0, -s * z), (-s * x if mistake else 0 * x), (-s if mistake else 0.0)
    >>> check_perceptron_loss_grad(loss_grad).passed
    True
    """
    weight, bias = np.array([0.5, -1.0]), 0.25
    visible = [
        (np.array([2.0, 1.0]), 1, "a correctly classified 1 (z = 0.25)"),
        (np.array([1.0, 2.0]), 1, "a missed 1 (z = -1.25)"),
        (np.array([2.0, -1.0]), 0, "a false 1 (z = 2.25)"),
        (np.array([0.5, 0.5]), 0, "a class-0 point exactly on the line: z = 0, ŷ = step(0) = 1, a mistake"),
        (np.array([0.5, 0.5]), 1, "a class-1 point exactly on the line: z = 0, ŷ = 1, right"),
    ]
    cases = [
        (f"w = {weight.tolist()}, b = {bias}, x = {x.tolist()}, y = {y}: {what}", (weight, bias, x, y))
        for x, y, what in visible
    ] + extra(extra_cases, _loss_grad_reference, "check_perceptron_loss_grad")
    outcomes = [attempt(_loss_grad_case, fn, *args, on=on) for on, args in cases]
    return grade(LOSS_GRAD, outcomes, "the perceptron loss and its gradient: SGD on it is Rosenblatt's rule.")


def _loss_grad_case(fn, weight, bias, x, y, *, on):
    expected_loss, expected_w, expected_b = _loss_grad_reference(weight, bias, x, y)
    got = call(fn, weight, bias, x, y, on=on, unchanged={0: "weight"})
    loss, grad_w, grad_b = items(got, ("loss", "grad_weight", "grad_bias"), on)
    loss = one_number(loss, "loss", on)
    z, s = float(x @ weight + bias), 2 * y - 1
    with_y, wrong_sign = max(0.0, -y * z), max(0.0, s * z)
    diagnose(loss, expected_loss, [
        (wrong_sign, f"this point is misclassified, so its loss max(0, -s z) is positive (on {on}): mind the minus "
                     f"sign, and use s = 2y - 1 = {s}, not y = {y}."),
    ] if with_y == wrong_sign else [
        (with_y, f"the loss uses s = 2y - 1 in {{-1, +1}}, not y itself (on {on})."),
        (wrong_sign, f"the loss is max(0, -s z), with a minus sign: it is 0 for a point on its side (on {on})."),
    ])
    compare(loss, expected_loss, what="loss", on=on)
    grad_w = numbers(grad_w, "grad_weight", on, shape=np.shape(weight))
    diagnose(grad_w, expected_w, [
        (-expected_w, f"grad_weight has the wrong sign (on {on}): the gradient of -s z is -s x; the descent step "
                      "w - lr * grad then adds s x."),
    ] + ([
        (np.zeros_like(x) if y == 0 else -s * x,
         f"at z = 0 the prediction is step(0) = 1 (on {on}): a class-0 point there is a mistake and gets the "
         "gradient -s x = x, a class-1 point is right and gets 0."),
    ] if z == 0 else [
        (-s * x, f"the point is on its side (on {on}), where the loss is flat at 0: its gradient is 0."),
    ] if expected_b == 0 else [
        (-y * x, f"use s = 2y - 1, not y (on {on}): a false 1 has s = -1 and gradient +x."),
    ] if y == 0 else []))
    compare(grad_w, expected_w, what="grad_weight", on=on)
    grad_b = one_number(grad_b, "grad_bias", on)
    compare(grad_b, expected_b, what="grad_bias", on=on)


# ---------------------------------------------------------------------------------------------------------
def _lms_reference(weight, bias, x, y, lr):
    model = Adaline(lr=lr, dtype=np.float64)
    model.weight, model.bias = np.array(weight, dtype=np.float64), np.float64(bias)
    model.fit_epoch(np.asarray(x, dtype=np.float64)[None], np.array([y]))
    return model.weight, float(model.bias)


def check_lms_update(fn, extra_cases=()):
    """``fn(weight, bias, x, y, lr)`` returns the weight and bias after one step of the Widrow–Hoff rule.

    >>> def lms(w, b, x, y, lr):
    ...     error = (2 * y - 1) - (x @ w + b)
    ...     return w + lr * error * x, b + lr * error
    >>> check_lms_update(lms).passed
    True
    """
    weight, bias = np.array([0.5, -1.0]), 0.25
    visible = [
        (np.array([2.0, 1.0]), 1, 0.1, "a correctly classified 1 (z = 0.25): ADALINE still updates"),
        (np.array([1.0, 2.0]), 1, 0.1, "a missed 1 (z = -1.25)"),
        (np.array([2.0, -1.0]), 0, 0.05, "a class-0 point far on the wrong side (z = 2.25)"),
        (np.array([-2.0, 3.0]), 0, 0.1, "a class-0 point far on its own side (z = -3.75): pulled back to -1"),
    ]
    cases = [
        (f"w = {weight.tolist()}, b = {bias}, x = {x.tolist()}, y = {y}, lr = {lr}: {what}",
         (weight, bias, x, y, lr))
        for x, y, lr, what in visible
    ] + extra(extra_cases, _lms_reference, "check_lms_update")
    outcomes = [attempt(_lms_case, fn, *args, on=on) for on, args in cases]
    return grade(LMS, outcomes, "one step of the Widrow–Hoff (LMS) rule: w ← w + η (s − z) x.")


def _lms_case(fn, weight, bias, x, y, lr, *, on):
    expected_w, expected_b = _lms_reference(weight, bias, x, y, lr)
    got = call(fn, weight, bias, x, y, lr, on=on, unchanged={0: "weight"})
    new_weight, new_bias = items(got, ("new_weight", "new_bias"), on)
    new_weight = numbers(new_weight, "new_weight", on, shape=np.shape(weight))
    z, s = float(x @ weight + bias), 2 * y - 1
    y_hat = int(z >= 0)
    diagnose(new_weight, expected_w, [
        (weight + lr * (y - z) * x, f"the target is s = 2y - 1 in {{-1, +1}}, not y (on {on}): error = s - z."),
        (weight + lr * (y - y_hat) * x,
         f"that is Rosenblatt's rule, with the error y - ŷ (on {on}); ADALINE uses the linear output: s - z."),
        (weight - lr * (s - z) * x, f"the sign is flipped (on {on}): w ← w + lr (s - z) x moves z towards s."),
        (weight + (s - z) * x, f"the step must be scaled by the learning rate lr = {lr} (on {on})."),
    ])
    compare(new_weight, expected_w, what="new_weight", on=on)
    new_bias = one_number(new_bias, "new_bias", on)
    mistake(new_bias, expected_b, bias, f"the bias must be updated too, b ← b + lr (s - z) (on {on}).")
    compare(new_bias, expected_b, what="new_bias", on=on)


# ---------------------------------------------------------------------------------------------------------
OVERLAP_CENTRES = np.array([[1.0, 0.0], [2.5, 2.0]])  # class 0, class 1
OVERLAP_SPREAD = 1.25
OVERLAP_MARKS = (0.80, 0.82)  # and the target: within 0.01 of the best line's accuracy


def overlapping_clouds(n_samples, seed):
    """The exercise's data: two Gaussian clouds (spread 1.25) around (1, 0) and (2.5, 2), in float64.

    >>> X, y = overlapping_clouds(300, seed=11)
    >>> X.shape, np.bincount(y).tolist()
    ((300, 2), [150, 150])
    """
    return make_blobs(n_samples, centers=OVERLAP_CENTRES, cluster_std=OVERLAP_SPREAD, rng=seed, dtype=np.float64)


def _best_line_accuracy(X, y):
    """The accuracy of the best line there is for these clouds (equal spreads and sizes): the perpendicular
    bisector of the two centres."""
    u = OVERLAP_CENTRES[1] - OVERLAP_CENTRES[0]
    return float(np.mean(F.step(X @ u - u @ OVERLAP_CENTRES.mean(axis=0)) == y))


def check_overlapping_classifier(fn):
    """``fn(X, y)`` returns ``(weight, bias)`` of a neuron trained on 300 points; judged on 4000 fresh ones.

    Each of the marks 0.80, 0.82 and the target (within 0.01 of the best line's accuracy, about 0.845 on the
    fresh points) that the accuracy reaches is a case passed.

    >>> from nncourse.perceptron import Adaline
    >>> def train(X, y):
    ...     model = Adaline(lr=0.002, epochs=50, dtype=np.float64).fit(X, y)
    ...     return model.weight, model.bias
    >>> check_overlapping_classifier(train).passed
    True
    """
    X_train, y_train = overlapping_clouds(300, seed=11)
    X_test, y_test = overlapping_clouds(4000, seed=12)
    target = round(_best_line_accuracy(X_test, y_test) - 0.01, 3)
    on = "300 points from two overlapping clouds"
    run = {}
    setup = attempt(_overlap_run, fn, X_train, y_train, X_test, y_test, run, on=on)
    marks = (*OVERLAP_MARKS, target)
    if setup is not None:
        return grade(OVERLAP, [setup] * len(marks), "")
    accuracy = run["accuracy"]
    outcomes = [attempt(_overlap_reached, accuracy, mark, target) for mark in marks]
    return grade(OVERLAP, outcomes, f"accuracy {accuracy:.3f} on 4000 fresh points (target {target}; the best "
                                    f"line gets {target + 0.01:.3f}).")


def _overlap_run(fn, X_train, y_train, X_test, y_test, run, *, on):
    weight, bias = items(call(fn, X_train, y_train, on=on), ("weight", "bias"), on)
    weight = numbers(weight, "weight", on, shape=(2,))
    bias = one_number(bias, "bias", on)
    require(np.isfinite(np.append(weight, bias)).all(),
            f"weight and bias must be finite (on {on}); a learning rate that is too large makes ADALINE diverge.")
    run["accuracy"] = float(np.mean(F.step(X_test @ weight + bias) == y_test))


def _overlap_reached(accuracy, mark, target):
    require(
        accuracy >= mark,
        f"on fresh points your neuron is right {accuracy:.3f} of the time, below {mark:.3f} (one mark each at 0.80, "
        f"0.82 and the target {target}). The perceptron's last weights depend on where it stopped: keep the best "
        "weights seen (pocket), average them, or train ADALINE with a small learning rate.",
    )
