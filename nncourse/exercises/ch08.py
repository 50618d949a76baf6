"""Checkers for the exercises of Chapter 8 (regularization and normalization).

Each checker runs the learner's code on small, seeded float64 inputs and compares it with a reference
computed here from the chapter's formulas:

* ``check_dropout(forward, backward)``: inverted dropout with a given keep-mask,
  ``y = keep ⊙ x / (1 − p)`` and ``∂L/∂x = keep ⊙ ∂L/∂y / (1 − p)``.
* ``check_batch_norm_forward(fn)``: ``fn(x, gamma, beta, running_mean, running_var, training, eps)``; batch
  mean and biased variance in training, the running statistics in evaluation.
* ``check_l2_gradient(fn)``: ``fn(grad, weight, weight_decay)`` adds the gradient λw of the penalty
  (λ/2)‖w‖² (PyTorch's ``weight_decay=λ``).
* ``check_early_stopping(fn)``: ``fn(val_loss, patience)`` returns ``(best_epoch, stopped_epoch)``.
* ``check_regularized_model(train)``: the open-ended task; ``train(X, y)`` trains a model on
  :func:`noisy_digits_task`'s small, noisy training set, which must reach :data:`TARGET_ACCURACY` on the
  held-out digits.
"""

import numpy as np

from nncourse.exercises._checker import call, checker, compare, require, value_of

__all__ = [
    "TARGET_ACCURACY",
    "check_batch_norm_forward",
    "check_dropout",
    "check_early_stopping",
    "check_l2_gradient",
    "check_regularized_model",
    "noisy_digits_task",
]


def _close(got, expected):
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    expected = np.asarray(expected, dtype=float)
    return got.shape == expected.shape and np.allclose(got, expected, rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------------------------------------------------
# Dropout


@checker
def check_dropout(forward, backward):
    """``forward(x, p, keep)`` returns ``keep ⊙ x / (1 − p)``; ``backward(grad_output, p, keep)`` its gradient.

    >>> def forward(x, p, keep):
    ...     return x * keep / (1 - p)
    >>> def backward(grad_output, p, keep):
    ...     return grad_output * keep / (1 - p)
    >>> check_dropout(forward, backward).passed  # doctest: +ELLIPSIS
    \x1b[32m\x1b[1m✔ Correct!...
    True
    """
    rng = np.random.default_rng(80)
    for p in (0.3, 0.6):  # not 0.5, where dividing by p and by 1 − p agree
        x = rng.normal(size=(4, 5))
        keep = rng.random(size=(4, 5)) >= p
        on = f"x of shape (4, 5), p = {p} and a given keep-mask"
        expected = x * keep / (1 - p)
        got = yield from call(forward, x, p, keep, on=on)
        yield from require(not _close(got, x * keep), f"the kept units are not scaled (on {on}): divide them by the "
                           f"keep probability 1 − p = {1 - p}, so that every unit keeps its expected value.")
        yield from require(not _close(got, x * keep * (1 - p)), f"you multiplied by 1 − p (on {on}): inverted "
                           "dropout divides by it during training, so that evaluation needs no change.")
        yield from require(not _close(got, x * keep / p), f"you divided by p (on {on}): p is the probability of "
                           "dropping a unit; divide by the probability of keeping it, 1 − p.")
        yield from require(not _close(got, x * ~keep / (1 - p)), f"you kept the dropped units (on {on}): "
                           "keep[i] is True where the unit survives.")
        yield from compare(got, expected, what="forward(x, p, keep)", on=on)
        grad_output = rng.normal(size=(4, 5))
        got = yield from call(backward, grad_output, p, keep, on=on)
        yield from require(not _close(got, grad_output * keep), f"the backward pass is not scaled (on {on}): "
                           "y = keep ⊙ x / (1 − p), so ∂y/∂x = keep / (1 − p).")
        yield from require(not _close(got, grad_output), f"the backward pass lets every gradient through (on "
                           f"{on}): a dropped unit did not affect the loss, so its gradient is 0.")
        yield from compare(got, grad_output * keep / (1 - p), what="backward(grad_output, p, keep)", on=on)
    return "y = keep ⊙ x / (1 − p), and the same mask and factor in the backward pass."


# ---------------------------------------------------------------------------------------------------------
# Batch norm


def _batch_norm(x, gamma, beta, mean, var, eps):
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


@checker
def check_batch_norm_forward(fn):
    """``fn(x, gamma, beta, running_mean, running_var, training, eps)`` returns batch norm's output.

    >>> def batch_norm_forward(x, gamma, beta, running_mean, running_var, training, eps=1e-5):
    ...     mean, var = (x.mean(axis=0), x.var(axis=0)) if training else (running_mean, running_var)
    ...     return gamma * (x - mean) / np.sqrt(var + eps) + beta
    >>> check_batch_norm_forward(batch_norm_forward).passed  # doctest: +ELLIPSIS
    \x1b[32m\x1b[1m✔ Correct!...
    True
    """
    rng = np.random.default_rng(81)
    x = rng.normal(3.0, 2.0, size=(6, 4))
    gamma, beta = rng.normal(1.0, 0.3, size=4), rng.normal(0.0, 0.3, size=4)
    running_mean, running_var = rng.normal(size=4), rng.uniform(0.5, 2.0, size=4)
    eps = 1e-3  # large enough that forgetting it shows
    args = (x, gamma, beta, running_mean, running_var)
    on = "x of shape (6, 4), training=True, eps = 1e-3"
    got = yield from call(fn, *args, True, eps, on=on)
    batch_mean, batch_var = x.mean(axis=0), x.var(axis=0)
    yield from require(not _close(got, _batch_norm(x, gamma, beta, batch_mean, x.var(axis=0, ddof=1), eps)),
                       f"you used the unbiased variance (dividing by N − 1) (on {on}): batch norm normalises "
                       "with the biased one, x.var(axis=0), dividing by N.")
    yield from require(not _close(got, _batch_norm(x, gamma, beta, running_mean, running_var, eps)),
                       f"in training mode use the batch's own mean and variance (on {on}), not the running ones.")
    yield from require(not _close(got, _batch_norm(x, gamma, beta, batch_mean, batch_var, 0.0)),
                       f"ε is missing (on {on}): divide by √(σ² + ε).")
    per_sample = _batch_norm(x, gamma, beta, x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True), eps)
    yield from require(not _close(got, per_sample), f"you normalised each sample over its features (on {on}): "
                       "that is layer norm; batch norm takes each feature's statistics over the batch, axis=0.")
    yield from require(not _close(got, (x - batch_mean) / np.sqrt(batch_var + eps)),
                       f"γ and β are missing (on {on}): the output is γ x̂ + β.")
    yield from compare(got, _batch_norm(x, gamma, beta, batch_mean, batch_var, eps),
                       what="the training-mode output", on=on)
    on = "x of shape (6, 4), training=False, eps = 1e-3"
    got = yield from call(fn, *args, False, eps, on=on)
    yield from require(not _close(got, _batch_norm(x, gamma, beta, batch_mean, batch_var, eps)),
                       f"in evaluation mode use running_mean and running_var (on {on}), not the batch's "
                       "statistics: a sample's output must not depend on the rest of its batch.")
    yield from compare(got, _batch_norm(x, gamma, beta, running_mean, running_var, eps),
                       what="the evaluation-mode output", on=on)
    return "batch statistics (biased variance) in training, running statistics in evaluation."


# ---------------------------------------------------------------------------------------------------------
# The L2 gradient term


@checker
def check_l2_gradient(fn):
    """``fn(grad, weight, weight_decay)`` returns ``grad + weight_decay · weight``.

    >>> check_l2_gradient(lambda grad, weight, weight_decay: grad + weight_decay * weight).passed
    ... # doctest: +ELLIPSIS
    \x1b[32m\x1b[1m✔ Correct!...
    True
    """
    rng = np.random.default_rng(82)
    grad, weight = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    lam = 0.01
    on = "a (3, 4) gradient and weight, weight_decay = 0.01"
    got = yield from call(fn, grad, weight, lam, on=on)
    yield from require(not _close(got, lam * weight), f"you returned only the penalty's gradient (on {on}): add "
                       "it to the gradient of the loss, grad + λ w.")
    yield from require(not _close(got, grad + 2 * lam * weight), f"the penalty's gradient is twice too large "
                       f"(on {on}): the penalty is (λ/2)‖w‖², whose gradient is λ w (PyTorch's weight_decay).")
    yield from require(not _close(got, grad + lam / 2 * weight), f"the penalty's gradient is half what it should "
                       f"be (on {on}): the derivative of (λ/2) w² is λ w.")
    yield from require(not _close(got, grad - lam * weight), f"the sign of the decay term is flipped (on {on}): "
                       "the penalty grows with |w|, so its gradient λ w points away from 0 and the step "
                       "−γ(g + λ w) shrinks the weights.")
    yield from require(not _close(got, grad + lam * np.sign(weight)), f"that is the L1 penalty's gradient (on "
                       f"{on}): L2 uses λ w, not λ sign(w).")
    yield from compare(got, grad + lam * weight, what="the gradient", on=on)
    return "the penalty (λ/2)‖w‖² adds λ w to the gradient: weight decay."


# ---------------------------------------------------------------------------------------------------------
# Early stopping


def _early_stopping(val_loss, patience):
    best_loss, best_epoch = np.inf, 0
    for epoch, loss in enumerate(val_loss, start=1):
        if loss < best_loss:
            best_loss, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(val_loss)


@checker
def check_early_stopping(fn):
    """``fn(val_loss, patience)`` returns ``(best_epoch, stopped_epoch)``, both counted from 1.

    >>> def early_stopping(val_loss, patience):
    ...     best, best_epoch = float("inf"), 0
    ...     for epoch, loss in enumerate(val_loss, start=1):
    ...         if loss < best:
    ...             best, best_epoch = loss, epoch
    ...         elif epoch - best_epoch >= patience:
    ...             return best_epoch, epoch
    ...     return best_epoch, len(val_loss)
    >>> check_early_stopping(early_stopping).passed  # doctest: +ELLIPSIS
    \x1b[32m\x1b[1m✔ Correct!...
    True
    """
    cases = [
        ([1.0, 0.8, 0.6, 0.65, 0.7, 0.5, 0.4, 0.45, 0.5, 0.55, 0.3], 3, "a loss that dips again after 2 bad epochs"),
        ([0.9, 0.7, 0.7, 0.7, 0.6], 2, "a plateau: equal is not an improvement"),
        ([1.0, 0.9, 0.8, 0.7], 2, "a loss that keeps falling"),
        ([0.5, 0.6, 0.7, 0.2], 3, "the best epoch comes after the stop"),
    ]
    for val_loss, patience, story in cases:
        on = f"val_loss = {val_loss}, patience = {patience} ({story})"
        expected = _early_stopping(val_loss, patience)
        got = yield from call(fn, list(val_loss), patience, on=on)
        yield from require(isinstance(got, (tuple, list)) and len(got) == 2,
                           f"return a pair (best_epoch, stopped_epoch), got {type(got).__name__} (on {on}).")
        try:
            got = tuple(int(v) for v in got)
        except (TypeError, ValueError):
            yield from require(False, f"best_epoch and stopped_epoch must be integers, got {got!r} (on {on}).")
        yield from require(got[0] != expected[0] - 1,
                           f"count epochs from 1, as History does (on {on}): expected best_epoch {expected[0]}, "
                           f"got {got[0]}.")
        yield from require(got[1] == expected[1], f"stopped_epoch is off (on {on}): expected {expected[1]}, got "
                           f"{got[1]}. Stop once {patience} epochs in a row brought no new minimum (a tie is not "
                           "an improvement); without such a run, training ends at the last epoch.")
        yield from require(got[0] != int(np.argmin(val_loss)) + 1 or got[0] == expected[0],
                           f"training stops before it sees epoch {int(np.argmin(val_loss)) + 1} (on {on}): the best "
                           f"epoch is the best among those trained, epoch {expected[0]}.")
        yield from require(got[0] == expected[0], f"best_epoch is off (on {on}): expected {expected[0]}, got "
                           f"{got[0]} (the first epoch that reached the lowest loss before stopping).")
    return "best and stopping epochs are right, ties and late minima included."


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


@checker
def check_regularized_model(train):
    """``train(X_train, y_train)`` trains a model on :func:`noisy_digits_task`'s training digits and returns it;
    the model (any callable from images ``(N, 64)`` to logits ``(N, 10)``) must reach ``TARGET_ACCURACY`` on the
    held-out digits, which ``train`` never sees. The model is put into evaluation mode (if it has ``eval()``).

    >>> check_regularized_model(lambda X, y: None).passed  # doctest: +ELLIPSIS
    \x1b[31m\x1b[1m✘ Not yet:\x1b[0m got None: did you forget to `return` the result?
    False
    """
    (X_train, y_train), (X_val, y_val) = noisy_digits_task()
    model = yield from call(train, X_train, y_train, on="the 200 noisy training digits")
    model = yield from value_of(model)
    yield from require(callable(model), f"train should return a model (a callable such as nn.Sequential), got "
                       f"{type(model).__name__}.")
    if hasattr(model, "eval"):
        model.eval()
    on = "the 359 held-out digits"
    logits = yield from call(model, X_val, on=on)
    try:
        logits = np.asarray(logits, dtype=float)
    except (TypeError, ValueError):
        yield from require(False, f"the model should return an array of logits, got {type(logits).__name__}.")
    yield from require(logits.shape == (len(X_val), 10), f"the model should return logits of shape "
                       f"({len(X_val)}, 10), got shape {logits.shape} (on {on}).")
    yield from require(bool(np.all(np.isfinite(logits))), f"the logits contain NaN or infinity (on {on}): "
                       "training diverged; lower the learning rate.")
    accuracy = float(np.mean(logits.argmax(axis=1) == y_val))
    yield from require(accuracy >= TARGET_ACCURACY, f"validation accuracy {accuracy:.3f}, below the target "
                       f"{TARGET_ACCURACY}: try dropout, weight decay, early stopping or augmentation.")
    return f"validation accuracy {accuracy:.3f} ≥ {TARGET_ACCURACY}."
