"""Checkers for the exercises of Chapter 8 (regularization and normalization).

Each checker runs the learner's code on small, seeded float64 inputs; the right answers come from the course's
own layers (:class:`nncourse.nn.Dropout`'s and :mod:`nncourse.nn.normalization`'s formulas, ``train.fit``'s
early stopping), and typical mistakes get a specific hint:

* ``check_dropout(forward, backward)``: inverted dropout with a given keep-mask,
  ``y = keep ⊙ x / (1 − p)`` and ``∂L/∂x = keep ⊙ ∂L/∂y / (1 − p)`` (forward and backward are separate cases).
* ``check_batch_norm_forward(fn)``: ``fn(x, gamma, beta, running_mean, running_var, training, eps)``; batch
  mean and biased variance in training, the running statistics in evaluation.
* ``check_l2_gradient(fn)``: ``fn(grad, weight, weight_decay)`` adds the gradient λw of the penalty
  (λ/2)‖w‖² (PyTorch's ``weight_decay=λ``).
* ``check_early_stopping(fn)``: ``fn(val_loss, patience)`` returns ``(best_epoch, stopped_epoch)``.
* ``check_regularized_model(train)``: the open-ended task; ``train(X, y)`` trains a model on
  :func:`noisy_digits_task`'s small, noisy training set, which must reach :data:`TARGET_ACCURACY` on the
  held-out digits.

The first four take ``extra_cases``: more argument tuples for the learner's function (an instructor's hidden
tests), scored like the built-in ones.
"""

import numpy as np

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
from nncourse.nn.dropout import dropout_backward, dropout_forward
from nncourse.nn.normalization import batch_norm_forward

__all__ = [
    "EXERCISES",
    "TARGET_ACCURACY",
    "check_batch_norm_forward",
    "check_dropout",
    "check_early_stopping",
    "check_l2_gradient",
    "check_regularized_model",
    "noisy_digits_task",
]

DROPOUT = Exercise(8, "ch08-dropout-check", "Inverted dropout, forward and backward", 3, "check_dropout")
BATCH_NORM = Exercise(8, "ch08-batch-norm-check", "Batch norm's forward pass in both modes", 3,
                      "check_batch_norm_forward")
L2_GRADIENT = Exercise(8, "ch08-l2-check", "The L2 gradient term", 1, "check_l2_gradient")
EARLY_STOPPING = Exercise(8, "ch08-early-stopping-check", "Early stopping from a history", 2,
                          "check_early_stopping")
REGULARIZED = Exercise(8, "ch08-regularized-model-check", "Regularize a network trained on noisy labels", 3,
                       "check_regularized_model")
EXERCISES = (DROPOUT, BATCH_NORM, L2_GRADIENT, EARLY_STOPPING, REGULARIZED)


# ---------------------------------------------------------------------------------------------------------
# Dropout


def _dropout_reference(x, p, keep):
    y, cache = dropout_forward(x, p, keep)
    return y, dropout_backward(np.ones_like(y), cache)


def check_dropout(forward, backward=None, extra_cases=()):
    """``forward(x, p, keep)`` returns ``keep ⊙ x / (1 − p)``; ``backward(grad_output, p, keep)`` its gradient.

    >>> check_dropout(lambda x, p, keep: x * keep / (1 - p), lambda g, p, keep: g * keep / (1 - p)).passed
    True
    """
    rng = np.random.default_rng(80)
    cases = []
    for p in (0.3, 0.6):  # not 0.5, where dividing by p and by 1 − p agree
        cases.append((f"x of shape (4, 5), p = {p} and a given keep-mask",
                      (rng.normal(size=(4, 5)), p, rng.random(size=(4, 5)) >= p)))
    cases += extra(extra_cases, _dropout_reference, "check_dropout")
    outcomes = []
    for on, (x, p, keep) in cases:
        outcomes.append(attempt(_dropout_forward_case, forward, x, p, keep, on=on))
        outcomes.append(attempt(_dropout_backward_case, backward, rng.normal(size=np.shape(x)), p, keep, on=on)
                        if backward is not None else "pass both functions: check_dropout(dropout_forward, "
                                                     "dropout_backward).")
    return grade(DROPOUT, outcomes, "y = keep ⊙ x / (1 − p), and the same mask and factor in the backward pass.")


def _dropout_forward_case(forward, x, p, keep, *, on):
    expected = dropout_forward(x, p, keep)[0]
    got = call(forward, x, p, keep, on=on)
    diagnose(got, expected, [
        (x * keep, f"the kept units are not scaled (on {on}): divide them by the keep probability 1 − p = "
                   f"{1 - p:g}, so that every unit keeps its expected value."),
        (x * keep * (1 - p), f"you multiplied by 1 − p (on {on}): inverted dropout divides by it during training, "
                             "so that evaluation needs no change."),
        (x * keep / p, f"you divided by p (on {on}): p is the probability of dropping a unit; divide by the "
                       "probability of keeping it, 1 − p."),
        (x * ~keep / (1 - p), f"you kept the dropped units (on {on}): keep[i] is True where the unit survives."),
    ])
    compare(got, expected, what="forward(x, p, keep)", on=on)


def _dropout_backward_case(backward, grad_output, p, keep, *, on):
    expected = dropout_backward(grad_output, dropout_forward(grad_output, p, keep)[1])
    got = call(backward, grad_output, p, keep, on=on)
    diagnose(got, expected, [
        (grad_output * keep, f"the backward pass is not scaled (on {on}): y = keep ⊙ x / (1 − p), so "
                             "∂y/∂x = keep / (1 − p)."),
        (grad_output, f"the backward pass lets every gradient through (on {on}): a dropped unit did not affect "
                      "the loss, so its gradient is 0."),
    ])
    compare(got, expected, what="backward(grad_output, p, keep)", on=on)


# ---------------------------------------------------------------------------------------------------------
# Batch norm


def _batch_norm_reference(x, gamma, beta, running_mean, running_var, training, eps=1e-5):
    if training:
        return batch_norm_forward(x, gamma, beta, eps)[0]
    return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta


def _normalized(x, gamma, beta, mean, var, eps):
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def check_batch_norm_forward(fn, extra_cases=()):
    """``fn(x, gamma, beta, running_mean, running_var, training, eps)`` returns batch norm's output.

    >>> def batch_norm(x, gamma, beta, running_mean, running_var, training, eps=1e-5):
    ...     mean, var = (x.mean(axis=0), x.var(axis=0)) if training else (running_mean, running_var)
    ...     return gamma * (x - mean) / np.sqrt(var + eps) + beta
    >>> check_batch_norm_forward(batch_norm).passed
    True
    """
    rng = np.random.default_rng(81)
    x = rng.normal(3.0, 2.0, size=(6, 4))
    gamma, beta = rng.normal(1.0, 0.3, size=4), rng.normal(0.0, 0.3, size=4)
    running_mean, running_var = rng.normal(size=4), rng.uniform(0.5, 2.0, size=4)
    cases = [(f"x of shape (6, 4), training={training}, eps = 1e-3",  # eps large enough that forgetting it shows
              (x, gamma, beta, running_mean, running_var, training, 1e-3)) for training in (True, False)]
    cases += extra(extra_cases, _batch_norm_reference, "check_batch_norm_forward")
    outcomes = [attempt(_batch_norm_case, fn, *args, on=on) for on, args in cases]
    return grade(BATCH_NORM, outcomes, "batch statistics (biased variance) in training, running statistics in "
                                       "evaluation.")


def _batch_norm_case(fn, x, gamma, beta, running_mean, running_var, training, eps=1e-5, *, on):
    expected = _batch_norm_reference(x, gamma, beta, running_mean, running_var, training, eps)
    got = call(fn, x, gamma, beta, running_mean, running_var, training, eps, on=on)
    batch_mean, batch_var = x.mean(axis=0), x.var(axis=0)
    if training:
        diagnose(got, expected, [
            (_normalized(x, gamma, beta, batch_mean, x.var(axis=0, ddof=1), eps),
             f"you used the unbiased variance (dividing by N − 1) (on {on}): batch norm normalises with the "
             "biased one, x.var(axis=0), dividing by N."),
            (_normalized(x, gamma, beta, running_mean, running_var, eps),
             f"in training mode use the batch's own mean and variance (on {on}), not the running ones."),
            (_normalized(x, gamma, beta, batch_mean, batch_var, 0.0), f"ε is missing (on {on}): divide by √(σ² + ε)."),
            (_normalized(x, gamma, beta, x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True), eps),
             f"you normalised each sample over its features (on {on}): that is layer norm; batch norm takes each "
             "feature's statistics over the batch, axis=0."),
            ((x - batch_mean) / np.sqrt(batch_var + eps), f"γ and β are missing (on {on}): the output is γ x̂ + β."),
        ])
        what = "the training-mode output"
    else:
        diagnose(got, expected, [
            (_normalized(x, gamma, beta, batch_mean, batch_var, eps),
             f"in evaluation mode use running_mean and running_var (on {on}), not the batch's statistics: a "
             "sample's output must not depend on the rest of its batch."),
        ])
        what = "the evaluation-mode output"
    compare(got, expected, what=what, on=on)


# ---------------------------------------------------------------------------------------------------------
# The L2 gradient term


def _l2_reference(grad, weight, weight_decay):
    return grad + weight_decay * weight


def check_l2_gradient(fn, extra_cases=()):
    """``fn(grad, weight, weight_decay)`` returns ``grad + weight_decay · weight``.

    >>> check_l2_gradient(lambda grad, weight, weight_decay: grad + weight_decay * weight).passed
    True
    """
    rng = np.random.default_rng(82)
    cases = [("a (3, 4) gradient and weight, weight_decay = 0.01", (rng.normal(size=(3, 4)), rng.normal(size=(3, 4)),
                                                                    0.01)),
             ("a (5,) gradient and weight, weight_decay = 0.3", (rng.normal(size=5), rng.normal(size=5), 0.3))]
    cases += extra(extra_cases, _l2_reference, "check_l2_gradient")
    outcomes = [attempt(_l2_case, fn, *args, on=on) for on, args in cases]
    return grade(L2_GRADIENT, outcomes, "the penalty (λ/2)‖w‖² adds λ w to the gradient: weight decay.")


def _l2_case(fn, grad, weight, lam, *, on):
    got = call(fn, grad, weight, lam, on=on)
    diagnose(got, _l2_reference(grad, weight, lam), [
        (lam * weight, f"you returned only the penalty's gradient (on {on}): add it to the gradient of the loss, "
                       "grad + λ w."),
        (grad + 2 * lam * weight, f"the penalty's gradient is twice too large (on {on}): the penalty is "
                                  "(λ/2)‖w‖², whose gradient is λ w (PyTorch's weight_decay)."),
        (grad + lam / 2 * weight, f"the penalty's gradient is half what it should be (on {on}): the derivative of "
                                  "(λ/2) w² is λ w."),
        (grad - lam * weight, f"the sign of the decay term is flipped (on {on}): the penalty grows with |w|, so its "
                              "gradient λ w points away from 0 and the step −γ(g + λ w) shrinks the weights."),
        (grad + lam * np.sign(weight), f"that is the L1 penalty's gradient (on {on}): L2 uses λ w, not λ sign(w)."),
    ])
    compare(got, _l2_reference(grad, weight, lam), what="the gradient", on=on)


# ---------------------------------------------------------------------------------------------------------
# Early stopping


def _early_stopping(val_loss, patience):
    """The rule of ``train.fit(patience=...)``, on a list of losses: ``(best_epoch, stopped_epoch)``."""
    best_loss, best_epoch = np.inf, 0
    for epoch, loss in enumerate(val_loss, start=1):
        if loss < best_loss:
            best_loss, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(val_loss)


def check_early_stopping(fn, extra_cases=()):
    """``fn(val_loss, patience)`` returns ``(best_epoch, stopped_epoch)``, both counted from 1.

    >>> def early_stopping(val_loss, patience):
    ...     best, best_epoch = float("inf"), 0
    ...     for epoch, loss in enumerate(val_loss, start=1):
    ...         if loss < best:
    ...             best, best_epoch = loss, epoch
    ...         elif epoch - best_epoch >= patience:
    ...             return best_epoch, epoch
    ...     return best_epoch, len(val_loss)
    >>> check_early_stopping(early_stopping).passed
    True
    """
    cases = [
        ("a loss that dips again after 2 bad epochs", ([1.0, 0.8, 0.6, 0.65, 0.7, 0.5, 0.4, 0.45, 0.5, 0.55, 0.3], 3)),
        ("a plateau: equal is not an improvement", ([0.9, 0.7, 0.7, 0.7, 0.6], 2)),
        ("a loss that keeps falling", ([1.0, 0.9, 0.8, 0.7], 2)),
        ("the best epoch comes after the stop", ([0.5, 0.6, 0.7, 0.2], 3)),
    ]
    cases = [(f"val_loss = {args[0]}, patience = {args[1]} ({story})", args) for story, args in cases]
    cases += extra(extra_cases, _early_stopping, "check_early_stopping")
    outcomes = [attempt(_early_stopping_case, fn, *args, on=on) for on, args in cases]
    return grade(EARLY_STOPPING, outcomes, "best and stopping epochs are right, ties and late minima included.")


def _early_stopping_case(fn, val_loss, patience, *, on):
    expected_best, expected_stop = _early_stopping(val_loss, patience)
    best, stop = items(call(fn, list(val_loss), patience, on=on), ("best_epoch", "stopped_epoch"), on)
    best, stop = whole_number(best, "best_epoch", on), whole_number(stop, "stopped_epoch", on)
    require(best != expected_best - 1, f"count epochs from 1, as History does (on {on}): expected best_epoch "
                                       f"{expected_best}, got {best}.")
    require(stop == expected_stop, f"stopped_epoch is off (on {on}): expected {expected_stop}, got {stop}. Stop once "
                                   f"{patience} epochs in a row brought no new minimum (a tie is not an improvement); "
                                   "without such a run, training ends at the last epoch.")
    last_minimum = int(np.argmin(val_loss)) + 1
    require(best != last_minimum or best == expected_best, f"training stops before it sees epoch {last_minimum} "
                                                           f"(on {on}): the best epoch is the best among those "
                                                           f"trained, epoch {expected_best}.")
    require(best == expected_best, f"best_epoch is off (on {on}): expected {expected_best}, got {best} (the first "
                                   "epoch that reached the lowest loss before stopping).")


# ---------------------------------------------------------------------------------------------------------
# The open-ended task


TARGET_ACCURACY = 0.84
"""The validation accuracy the open-ended exercise asks for (the unregularized baseline falls short)."""


def noisy_digits_task():
    """The open-ended exercise's data: 200 training digits with 20 % of their labels shuffled, and 359 clean
    held-out digits. Returns ``(X_train, y_train), (X_val, y_val)`` (float32 images in [0, 1]).

    >>> (X_train, y_train), (X_val, y_val) = noisy_digits_task()
    >>> X_train.shape, X_val.shape
    ((200, 64), (359, 64))
    """
    from nncourse.data import load_digits, shuffle_labels

    (X_train, y_train), val = load_digits(return_split=True)
    return (X_train[:200], shuffle_labels(y_train[:200], 0.2, rng=8)), val


def check_regularized_model(train):
    """``train(X_train, y_train)`` trains a model on :func:`noisy_digits_task`'s training digits and returns it;
    the model (any callable from images ``(N, 64)`` to logits ``(N, 10)``) must reach ``TARGET_ACCURACY`` on the
    held-out digits, which ``train`` never sees. The model is put into evaluation mode (if it has ``eval()``).

    >>> check_regularized_model(lambda X, y: None).message
    'train returned None (on the 200 noisy training digits): did you forget to `return` the model?'
    """
    (X_train, y_train), (X_val, y_val) = noisy_digits_task()
    reached = []  # the case appends the accuracy it measured
    outcome = attempt(_regularized_case, train, X_train, y_train, X_val, y_val, reached,
                      on="the 200 noisy training digits")
    success = f"validation accuracy {reached[0]:.3f} ≥ {TARGET_ACCURACY}." if outcome is None else ""
    return grade(REGULARIZED, [outcome], success)


def _regularized_case(train, X_train, y_train, X_val, y_val, reached, *, on):
    model = call(train, X_train, y_train, on=on, copy_args=True)
    require(model is not None, f"train returned None (on {on}): did you forget to `return` the model?")
    require(callable(model), f"train should return a model (a callable such as nn.Sequential), got "
                             f"{type(model).__name__}.")
    if hasattr(model, "eval"):
        model.eval()
    on = "the 359 held-out digits"
    logits = numbers(call(model, X_val, on=on), "the model's output", on, shape=(len(X_val), 10))
    require(bool(np.all(np.isfinite(logits))), f"the logits contain NaN or infinity (on {on}): training diverged; "
                                               "lower the learning rate.")
    accuracy = float(np.mean(logits.argmax(axis=1) == y_val))
    reached.append(accuracy)
    require(accuracy >= TARGET_ACCURACY, f"validation accuracy {accuracy:.3f}, below the target {TARGET_ACCURACY}: "
                                         "try dropout, weight decay, early stopping or augmentation.")
