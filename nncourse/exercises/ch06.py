"""Checkers for the exercises of Chapter 6 (optimizers).

Each checker runs the learner's code on small, seeded float64 inputs and compares the result with a reference
computed here from the chapter's formulas, naming the usual mistakes when it recognises them:

* ``check_momentum_step(fn)``: ``fn(theta, grad, buffer, lr, momentum) -> (theta, buffer)``, PyTorch's form
  ``b ← μb + g`` (``b = g`` at the first step, when ``buffer is None``), ``θ ← θ − γb``.
* ``check_adam_step(fn)``: ``fn(theta, grad, m, v, t, lr, betas, eps) -> (theta, m, v)`` with bias correction.
* ``check_warmup_cosine(fn)``: ``fn(step, total_steps, warmup_steps, max_lr, min_lr)``, linear warm-up from 0
  then a half cosine that reaches ``min_lr`` at the last step.
* ``check_heavy_ball_parameters(fn)``: ``fn(A) -> (lr, momentum)``, Polyak's optimal settings for
  ``½ θᵀAθ``; the pass message reports the rate measured with them.
* ``check_digits_training(configure)``: ``configure(parameters) -> (optimizer, scheduler, batch_size)`` must
  reach 97 % validation accuracy on the digits within 300 optimizer steps (open-ended).
"""

import numpy as np

from nncourse.data import batches, load_digits
from nncourse.exercises._checker import _Hint, call, checker, compare, require
from nncourse.nn import CrossEntropyLoss, build_mlp
from nncourse.optim import Optimizer
from nncourse.optim.lr_scheduler import LRScheduler

__all__ = ["check_adam_step", "check_digits_training", "check_heavy_ball_parameters", "check_momentum_step",
           "check_warmup_cosine"]


def _pair(got, names, on):
    """The learner's result must be a tuple of ``len(names)`` items."""
    yield from require(
        isinstance(got, (tuple, list)) and len(got) == len(names),
        f"return a tuple ({', '.join(names)}), got {type(got).__name__}"
        + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else "") + f" (on {on}).",
    )
    return got


def _close(got, expected):
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    return got.shape == np.shape(expected) and np.allclose(got, expected, rtol=1e-6, atol=1e-10)


# ---------------------------------------------------------------------------------------------------------
# Exercise 1: momentum


@checker
def check_momentum_step(fn):
    """``fn(theta, grad, buffer, lr, momentum)`` returns ``(theta, buffer)`` after one PyTorch-style step.

    >>> def momentum_step(theta, grad, buffer, lr, momentum):
    ...     buffer = grad.copy() if buffer is None else momentum * buffer + grad
    ...     return theta - lr * buffer, buffer
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()) as printed:
    ...     result = check_momentum_step(momentum_step)
    >>> result.passed, "Correct" in printed.getvalue()
    (True, True)
    """
    rng = np.random.default_rng(6)
    theta, lr, momentum = rng.normal(size=4), 0.1, 0.9
    buffer = None
    for step in range(1, 5):
        grad = rng.normal(size=4)
        on = f"step {step}, buffer {'None' if buffer is None else 'from the previous step'}, lr=0.1, momentum=0.9"
        got = yield from call(fn, theta, grad, None if buffer is None else buffer.copy(), lr, momentum, on=on)
        got_theta, got_buffer = yield from _pair(got, ("theta", "buffer"), on)
        expected_buffer = grad if buffer is None else momentum * buffer + grad
        if buffer is not None:
            yield from require(
                not _close(got_buffer, momentum * buffer - lr * grad),
                f"your buffer is μb − γg, the velocity of Sutskever et al.; PyTorch's buffer accumulates the raw "
                f"gradients, b ← μb + g, and multiplies by γ only in θ ← θ − γb (on {on}).",
            )
            yield from require(
                not _close(got_buffer, momentum * buffer + (1 - momentum) * grad),
                f"your buffer is μb + (1 − μ)g, an average; PyTorch's (with dampening 0) is b ← μb + g (on {on}).",
            )
        else:
            yield from require(
                not _close(got_buffer, (1 - momentum) * grad),
                f"at the first step the buffer is the gradient itself, b = g, without a (1 − μ) factor (on {on}).",
            )
        yield from compare(got_buffer, expected_buffer, what="the new buffer", on=on)
        yield from compare(got_theta, theta - lr * expected_buffer, what="the new theta", on=on)
        theta, buffer = theta - lr * expected_buffer, expected_buffer
    return "four chained steps match torch.optim.SGD(lr=0.1, momentum=0.9)."


# ---------------------------------------------------------------------------------------------------------
# Exercise 2: Adam


def _adam(theta, grad, m, v, t, lr, betas, eps):
    beta1, beta2 = betas
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@checker
def check_adam_step(fn):
    """``fn(theta, grad, m, v, t, lr=..., betas=..., eps=...)`` returns ``(theta, m, v)`` after one Adam step.

    >>> def adam_step(theta, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    ...     m = betas[0] * m + (1 - betas[0]) * grad
    ...     v = betas[1] * v + (1 - betas[1]) * grad**2
    ...     m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
    ...     return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()) as printed:
    ...     result = check_adam_step(adam_step)
    >>> result.passed, "Correct" in printed.getvalue()
    (True, True)
    """
    rng = np.random.default_rng(7)
    cases = [(1, np.zeros(3), np.zeros(3), (0.9, 0.999), 1e-2, 1e-8),
             (4, 0.1 * rng.normal(size=3), 0.01 * rng.random(3), (0.8, 0.99), 5e-2, 1e-8),
             (2, np.zeros(3), np.zeros(3), (0.9, 0.999), 1e-3, 1e-3)]
    for t, m, v, betas, lr, eps in cases:
        theta, grad = rng.normal(size=3), rng.normal(size=3)
        on = f"t={t}, betas={betas}, lr={lr}, eps={eps}"
        got = yield from call(fn, theta, grad, m, v, t, lr=lr, betas=betas, eps=eps, on=on)
        got_theta, got_m, got_v = yield from _pair(got, ("theta", "m", "v"), on)
        expected_theta, expected_m, expected_v = _adam(theta, grad, m, v, t, lr, betas, eps)
        yield from require(
            not (_close(got_m, expected_m / (1 - betas[0] ** t)) and not _close(got_m, expected_m)),
            f"return the running averages m and v, not the corrected m̂ = m/(1 − β₁ᵗ) (on {on}).",
        )
        yield from compare(got_m, expected_m, what="the new m", on=on)
        yield from compare(got_v, expected_v, what="the new v", on=on)
        uncorrected = theta - lr * expected_m / (np.sqrt(expected_v) + eps)
        yield from require(
            not _close(got_theta, uncorrected),
            f"theta moved by γ m/(√v + ε): the bias correction is missing; divide m by 1 − β₁ᵗ and v by "
            f"1 − β₂ᵗ (on {on}).",
        )
        for shifted in (t - 1, t + 1):
            if shifted >= 1:
                wrong = _adam(theta, grad, m, v, shifted, lr, betas, eps)[0]
                yield from require(
                    not _close(got_theta, wrong),
                    f"the bias correction uses the wrong power: at step count t = {t} it is 1 − βᵗ, you used "
                    f"t = {shifted} (on {on}).",
                )
        yield from compare(got_theta, expected_theta, what="the new theta", on=on)
    return "your Adam step matches, bias correction included."


# ---------------------------------------------------------------------------------------------------------
# Exercise 3: warm-up and cosine


def _warmup_cosine(step, total_steps, warmup_steps, max_lr, min_lr):
    if step < warmup_steps:
        return max_lr * step / warmup_steps
    progress = (step - warmup_steps) / (total_steps - 1 - warmup_steps)
    return min_lr + 0.5 * (max_lr - min_lr) * (1 + np.cos(np.pi * progress))


@checker
def check_warmup_cosine(fn):
    """``fn(step, total_steps, warmup_steps, max_lr, min_lr)`` is the warm-up-then-cosine learning rate.

    >>> def warmup_cosine(step, total_steps, warmup_steps, max_lr, min_lr=0.0):
    ...     if step < warmup_steps:
    ...         return max_lr * step / warmup_steps
    ...     progress = (step - warmup_steps) / (total_steps - 1 - warmup_steps)
    ...     return min_lr + 0.5 * (max_lr - min_lr) * (1 + np.cos(np.pi * progress))
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()) as printed:
    ...     result = check_warmup_cosine(warmup_cosine)
    >>> result.passed, "Correct" in printed.getvalue()
    (True, True)
    """
    for total, warmup, max_lr, min_lr in [(50, 5, 0.1, 0.001), (30, 0, 1.0, 0.0), (20, 10, 0.5, 0.05)]:
        on = f"total_steps={total}, warmup_steps={warmup}, max_lr={max_lr}, min_lr={min_lr}"
        got = []
        for step in range(total):
            value = yield from call(fn, step, total, warmup, max_lr, min_lr, on=f"step={step}, {on}")
            got.append(value)
        expected = [_warmup_cosine(step, total, warmup, max_lr, min_lr) for step in range(total)]
        if warmup:
            plus_one = [max_lr * (step + 1) / warmup for step in range(warmup)]
            yield from require(
                not _close(got[:warmup], plus_one),
                f"the warm-up starts at 0 at step 0 (γ_max · t/W), yours at γ_max/W: use t, not t + 1 (on {on}).",
            )
        one_short = [_warmup_cosine(step, total + 1, warmup, max_lr, min_lr) for step in range(total)]
        yield from require(
            not _close(got, one_short),
            f"at the last step (t = T − 1) the rate should have reached min_lr = {min_lr}: divide by "
            f"T − 1 − W, not T − W (on {on}).",
        )
        yield from compare(got, expected, what="the learning rates of steps 0 … T−1", on=on)
    return "the warm-up and the cosine match at every step of three schedules."


# ---------------------------------------------------------------------------------------------------------
# Exercise 4: the heavy ball's optimal settings


def _measured_rate(A, lr, momentum, steps=400):
    previous = theta = np.ones(len(A))
    norms = []
    for _ in range(steps):
        theta, previous = theta - lr * A @ theta + momentum * (theta - previous), theta
        norms.append(np.linalg.norm(theta))
    return (norms[-1] / norms[steps // 2 - 1]) ** (1 / (steps - steps // 2))


@checker
def check_heavy_ball_parameters(fn):
    """``fn(A)`` returns the heavy ball's optimal ``(lr, momentum)`` for ``f(θ) = ½ θᵀAθ``.

    >>> def heavy_ball_parameters(A):
    ...     lam = np.linalg.eigvalsh(A)
    ...     root_min, root_max = np.sqrt(lam[0]), np.sqrt(lam[-1])
    ...     return 4 / (root_max + root_min) ** 2, ((root_max - root_min) / (root_max + root_min)) ** 2
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()) as printed:
    ...     result = check_heavy_ball_parameters(heavy_ball_parameters)
    >>> result.passed, "Correct" in printed.getvalue()
    (True, True)
    """
    rng = np.random.default_rng(8)
    Q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    matrices = [("diag(1, 100)", np.diag([1.0, 100.0])),
                ("a rotated 4×4 matrix with eigenvalues 0.5, 2, 3, 40", Q @ np.diag([0.5, 2.0, 3.0, 40.0]) @ Q.T)]
    settings = []
    for name, A in matrices:
        on = f"A = {name}"
        got = yield from call(fn, A, on=on)
        lr, momentum = yield from _pair(got, ("lr", "momentum"), on)
        lam = np.linalg.eigvalsh(A)
        root_min, root_max = np.sqrt(lam[0]), np.sqrt(lam[-1])
        expected_lr = 4 / (root_max + root_min) ** 2
        expected_momentum = ((root_max - root_min) / (root_max + root_min)) ** 2
        yield from require(
            not (_close(lr, 2 / (lam[0] + lam[-1])) and _close(momentum, 0.0)),
            f"(2/(λ_min + λ_max), 0) is the best plain gradient descent; with momentum the optimum is "
            f"γ* = 4/(√λ_max + √λ_min)² and μ* = ((√κ − 1)/(√κ + 1))² (on {on}).",
        )
        yield from require(
            not (_close(lr, expected_momentum) and _close(momentum, expected_lr)),
            f"lr and momentum are swapped: return (lr, momentum) (on {on}).",
        )
        yield from require(
            not _close(momentum, np.sqrt(expected_momentum)),
            f"your momentum is (√κ − 1)/(√κ + 1), which is the *rate*; the momentum is its square (on {on}).",
        )
        # compared as 1-element arrays: the shared compare() reports the index of the largest difference
        yield from compare(np.atleast_1d(np.asarray(lr, dtype=float)), [expected_lr], what="lr", on=on)
        yield from compare(np.atleast_1d(np.asarray(momentum, dtype=float)), [expected_momentum], what="momentum",
                           on=on)
        settings.append((float(lr), float(momentum)))
    kappa = 100.0
    measured = _measured_rate(np.diag([1.0, kappa]), *settings[0])
    return (f"on diag(1, 100) your settings contract by {measured:.3f} per step (measured), against "
            f"(√κ − 1)/(√κ + 1) = {(np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1):.3f} in theory and "
            f"{(kappa - 1) / (kappa + 1):.3f} for the best plain gradient descent.")


# ---------------------------------------------------------------------------------------------------------
# Exercise 5: open-ended training on the digits

STEP_BUDGET = 300
TARGET_ACCURACY = 0.97


@checker
def check_digits_training(configure):
    """``configure(parameters)`` returns ``(optimizer, scheduler, batch_size)`` reaching 97 % in 300 steps.

    The checker builds the network (64-64-10, ReLU, seed 0, float64) and the data, calls ``configure`` with the
    network's parameters, trains for exactly 300 optimizer steps (a scheduler, if any, is stepped after each),
    and measures the validation accuracy.

    >>> from nncourse.optim import SGD
    >>> def configure(parameters):
    ...     return SGD(parameters, lr=0.05, momentum=0.9), None, 32
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()) as printed:
    ...     result = check_digits_training(configure)
    >>> result.passed, "Correct" in printed.getvalue()
    (True, True)
    """
    (X_train, y_train), (X_val, y_val) = load_digits(return_split=True, dtype=np.float64)
    model = build_mlp([64, 64, 10], "relu", dtype=np.float64, rng=0)
    on = "the 64-64-10 ReLU network of the chapter"
    got = yield from call(configure, model.parameters(), on=on)
    optimizer, scheduler, batch_size = yield from _pair(got, ("optimizer", "scheduler", "batch_size"), on)
    yield from require(isinstance(optimizer, Optimizer),
                       f"the first item should be an nncourse.optim optimizer, got {type(optimizer).__name__}.")
    given = [p for group in optimizer.param_groups for p in group["params"]]
    yield from require(
        {id(p) for p in given} == {id(p) for p in model.parameters()},
        "build the optimizer on the `parameters` that configure receives, all of them.",
    )
    yield from require(
        scheduler is None or (isinstance(scheduler, LRScheduler) and scheduler.optimizer is optimizer),
        f"the scheduler should be None or an nncourse.optim.lr_scheduler scheduler of your optimizer, "
        f"got {type(scheduler).__name__}.",
    )
    yield from require(
        isinstance(batch_size, (int, np.integer)) and not isinstance(batch_size, bool)
        and 1 <= batch_size <= len(X_train),
        f"batch_size should be an integer between 1 and {len(X_train)}, got {batch_size!r}.",
    )
    criterion = CrossEntropyLoss()
    rng = np.random.default_rng(0)
    step = 0
    model.train()
    while step < STEP_BUDGET:
        for X_batch, y_batch in batches(X_train, y_train, int(batch_size), rng=rng):
            optimizer.zero_grad()
            try:
                with np.errstate(all="ignore"):
                    loss = criterion(model(X_batch), y_batch)
            except ValueError:  # the layers refuse NaN or infinite inputs: the weights already are
                loss = np.nan
            yield from require(np.isfinite(loss), f"the weights or the loss became NaN or infinite at step "
                                                  f"{step + 1}: the learning rate is too large.")
            model.backward(criterion.backward())
            try:
                optimizer.step()
                if scheduler is not None:
                    scheduler.step()
            except Exception as exc:
                raise _Hint(f"stepping your optimizer or scheduler raised {type(exc).__name__}: {exc} "
                            f"(at step {step + 1}; a OneCycleLR needs total_steps ≥ {STEP_BUDGET}).") from None
            step += 1
            if step == STEP_BUDGET:
                break
    model.eval()
    with np.errstate(all="ignore"):
        accuracy = float(np.mean(model(X_val).argmax(axis=1) == y_val))
    yield from require(
        accuracy >= TARGET_ACCURACY,
        f"after {STEP_BUDGET} steps the validation accuracy is {accuracy:.3f}, below {TARGET_ACCURACY}. Try the "
        "rate the range test suggests, momentum or Adam, or a one-cycle schedule.",
    )
    return f"validation accuracy {accuracy:.3f} after {STEP_BUDGET} steps (target {TARGET_ACCURACY})."
