"""Checkers for the exercises of Chapter 6 (optimizers). Right answers come from :mod:`nncourse.optim`.

* ``check_momentum_step(fn)``: ``fn(theta, grad, buffer, lr, momentum) -> (theta, buffer)``, one step of
  ``nncourse.optim.SGD(lr, momentum)``: ``b ← μb + g`` (``b = g`` when ``buffer is None``), ``θ ← θ − γb``,
  leaving the arrays it is given unchanged (four chained steps, each a case).
* ``check_adam_step(fn)``: ``fn(theta, grad, m, v, t, lr, betas, eps) -> (theta, m, v)``, one step of
  ``nncourse.optim.Adam`` at step count ``t``, bias correction included.
* ``check_warmup_cosine(fn)``: ``fn(step, total_steps, warmup_steps, max_lr, min_lr)``, the rate of a linear
  warm-up from 0 followed by a half cosine that reaches ``min_lr`` at the last step (the schedule
  ``SequentialLR([LambdaLR(t/W), CosineAnnealingLR(T − 1 − W, min_lr)], [W])``); each schedule is a case.
* ``check_heavy_ball_parameters(fn)``: ``fn(A) -> (lr, momentum)``, Polyak's optimal settings for
  ``f(θ) = ½ θᵀAθ``: ``γ* = 4/(√λ_max + √λ_min)²``, ``μ* = ((√κ − 1)/(√κ + 1))²`` (nothing in ``nncourse``
  computes them, so the formula is here); the pass message gives the rate ``nncourse.optim.SGD`` reaches
  with them.
* ``check_digits_training(configure)``: ``configure(parameters) -> (optimizer, scheduler, batch_size)``; the
  checker trains the chapter's digits network for 300 steps and judges the validation accuracy: one mark
  each at 0.90, 0.95 and the target 0.97 (open-ended).

The first four take ``extra_cases``: more argument tuples for the learner's function (an instructor's hidden
tests), scored like the built-in ones.
"""

import numpy as np

from nncourse.data import batches, load_digits
from nncourse.exercises._checker import (
    Exercise,
    Hint,
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
    whole_number,
)
from nncourse.nn import CrossEntropyLoss, Parameter, build_mlp
from nncourse.optim import SGD, Adam, Optimizer
from nncourse.optim.lr_scheduler import CosineAnnealingLR, LambdaLR, LRScheduler, OneCycleLR, SequentialLR

MOMENTUM = Exercise(6, "ch06-momentum-step-check", "The momentum update, PyTorch's form", 2, "check_momentum_step")
ADAM = Exercise(6, "ch06-adam-step-check", "One Adam step with bias correction", 3, "check_adam_step")
WARMUP_COSINE = Exercise(6, "ch06-warmup-cosine-check", "A cosine schedule with linear warm-up", 2,
                         "check_warmup_cosine")
HEAVY_BALL = Exercise(6, "ch06-heavy-ball-parameters-check", "The best step size and momentum for a quadratic", 2,
                      "check_heavy_ball_parameters")
DIGITS = Exercise(6, "ch06-digits-training-check", "97 % on the digits in 300 steps", 3, "check_digits_training")
EXERCISES = (MOMENTUM, ADAM, WARMUP_COSINE, HEAVY_BALL, DIGITS)


# ---------------------------------------------------------------------------------------------------------
def _momentum_reference(theta, grad, buffer, lr, momentum):
    """One step of ``nncourse.optim.SGD(lr, momentum)``: the new ``(theta, buffer)``."""
    if not momentum > 0:
        raise ValueError(f"momentum must be > 0 (SGD keeps no buffer without it), got {momentum!r}")
    p = Parameter(np.array(theta, dtype=np.float64))
    optimizer = SGD([p], lr=lr, momentum=momentum)
    if buffer is not None:
        optimizer.state[p]["momentum_buffer"] = np.array(buffer, dtype=np.float64)
    p.grad = np.array(grad, dtype=np.float64)
    optimizer.step()
    return p.data, optimizer.state[p]["momentum_buffer"]


def check_momentum_step(fn, extra_cases=()):
    """``fn(theta, grad, buffer, lr, momentum)`` returns ``(theta, buffer)`` after one step of PyTorch's SGD.

    >>> def momentum_step(theta, grad, buffer, lr, momentum):
    ...     buffer = grad.copy() if buffer is None else momentum * buffer + grad
    ...     return theta - lr * buffer, buffer
    >>> check_momentum_step(momentum_step).passed
    True
    """
    rng = np.random.default_rng(6)
    theta, buffer, cases = rng.normal(size=4), None, []
    for step in range(1, 5):  # four chained steps of the reference, each a case
        grad = rng.normal(size=4)
        held = "buffer None (the first step)" if buffer is None else "the buffer of the previous step"
        cases.append((f"step {step}: theta and grad of shape (4,), {held}, lr = 0.1, momentum = 0.9",
                      (theta, grad, buffer, 0.1, 0.9)))
        theta, buffer = _momentum_reference(theta, grad, buffer, 0.1, 0.9)
    cases += extra(extra_cases, _momentum_reference, "check_momentum_step")
    outcomes = [attempt(_momentum_case, fn, *args, on=on) for on, args in cases]
    return grade(MOMENTUM, outcomes, "four chained steps match nncourse.optim.SGD(lr=0.1, momentum=0.9).")


def _momentum_case(fn, theta, grad, buffer, lr, momentum, *, on):
    expected_theta, expected_buffer = _momentum_reference(theta, grad, buffer, lr, momentum)
    got = call(fn, theta, grad, buffer, lr, momentum, on=on, unchanged={0: "theta", 1: "grad", 2: "buffer"})
    got_theta, got_buffer = items(got, ("theta", "buffer"), on)
    got_buffer = numbers(got_buffer, "the new buffer", on)
    velocity = (f"your buffer is the velocity of Sutskever et al., v ← μv − γg (on {on}); PyTorch's buffer "
                "accumulates the raw gradients, b ← μb + g, and multiplies by γ only in θ ← θ − γb.")
    if buffer is None:
        diagnose(got_buffer, expected_buffer, [
            ((1 - momentum) * grad,
             f"at the first step the buffer is the gradient itself, b = g, without a (1 − μ) factor (on {on})."),
            (-lr * grad, velocity),
        ])
    else:
        diagnose(got_buffer, expected_buffer, [
            (momentum * buffer - lr * grad, velocity),
            (momentum * buffer + (1 - momentum) * grad,
             f"your buffer is μb + (1 − μ)g, an average; PyTorch's (with dampening 0) is b ← μb + g (on {on})."),
        ])
    compare(got_buffer, expected_buffer, what="the new buffer", on=on)
    got_theta = numbers(got_theta, "the new theta", on)
    diagnose(got_theta, expected_theta, [
        (theta - lr * grad, f"theta moved along the gradient (on {on}): with momentum it moves along the new "
                            "buffer, θ ← θ − γb."),
        (theta - expected_buffer, f"theta moved by the whole buffer (on {on}): scale the step by the learning "
                                  f"rate, θ ← θ − γb with γ = {lr}."),
    ])
    compare(got_theta, expected_theta, what="the new theta", on=on)


# ---------------------------------------------------------------------------------------------------------
def _adam_reference(theta, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    """Step ``t`` of ``nncourse.optim.Adam`` from the running averages ``m``, ``v`` of step ``t − 1``."""
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 1:
        raise ValueError(f"the step count t must be an integer >= 1, got {t!r}")
    p = Parameter(np.array(theta, dtype=np.float64))
    optimizer = Adam([p], lr=lr, betas=betas, eps=eps)
    optimizer.state[p] = {"step": int(t) - 1, "exp_avg": np.array(m, dtype=np.float64),
                          "exp_avg_sq": np.array(v, dtype=np.float64)}
    p.grad = np.array(grad, dtype=np.float64)
    optimizer.step()
    return p.data, optimizer.state[p]["exp_avg"], optimizer.state[p]["exp_avg_sq"]


def check_adam_step(fn, extra_cases=()):
    """``fn(theta, grad, m, v, t, lr, betas, eps)`` returns ``(theta, m, v)`` after Adam's step ``t``.

    >>> def adam_step(theta, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    ...     m = betas[0] * m + (1 - betas[0]) * grad
    ...     v = betas[1] * v + (1 - betas[1]) * grad**2
    ...     m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
    ...     return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    >>> check_adam_step(adam_step).passed
    True
    """
    rng = np.random.default_rng(7)
    settings = [(1, np.zeros(3), np.zeros(3), 1e-2, (0.9, 0.999), 1e-8, "the first step (m = v = 0)"),
                (4, 0.1 * rng.normal(size=3), 0.01 * rng.random(3), 5e-2, (0.8, 0.99), 1e-8, "a later step"),
                (2, np.zeros(3), np.zeros(3), 1e-3, (0.9, 0.999), 1e-3, "a large eps")]
    cases = [
        (f"{what}: t = {t}, lr = {lr}, betas = {betas}, eps = {eps}",
         (rng.normal(size=3), rng.normal(size=3), m, v, t, lr, betas, eps))
        for t, m, v, lr, betas, eps, what in settings
    ] + extra(extra_cases, _adam_reference, "check_adam_step")
    outcomes = [attempt(_adam_case, fn, *args, on=on) for on, args in cases]
    return grade(ADAM, outcomes, "your Adam step matches nncourse.optim.Adam, bias correction included.")


def _adam_case(fn, theta, grad, m, v, t, lr, betas, eps, *, on):
    expected_theta, expected_m, expected_v = _adam_reference(theta, grad, m, v, t, lr, betas, eps)
    got_theta, got_m, got_v = items(call(fn, theta, grad, m, v, t, lr, betas, eps, on=on), ("theta", "m", "v"), on)
    got_m = numbers(got_m, "the new m", on)
    mistake(got_m, expected_m, expected_m / (1 - betas[0] ** t),
            f"return the running averages m and v, not the corrected m̂ = m/(1 − β₁ᵗ) (on {on}).")
    compare(got_m, expected_m, what="the new m", on=on)
    compare(got_v, expected_v, what="the new v", on=on)
    got_theta = numbers(got_theta, "the new theta", on)
    wrong_powers = [(_adam_reference(theta, grad, m, v, s, lr, betas, eps)[0],
                     f"the bias correction uses the wrong power (on {on}): at step count t = {t} it is 1 − βᵗ, "
                     f"you used t = {s}.") for s in (t - 1, t + 1) if s >= 1]
    m_hat, v_hat = expected_m / (1 - betas[0] ** t), expected_v / (1 - betas[1] ** t)
    diagnose(got_theta, expected_theta, [
        (theta - lr * expected_m / (np.sqrt(expected_v) + eps),
         f"theta moved by γ m/(√v + ε): the bias correction is missing (on {on}); divide m by 1 − β₁ᵗ and v by "
         "1 − β₂ᵗ."),
        (theta - lr * m_hat / np.sqrt(v_hat + eps),
         f"ε is inside the square root (on {on}): Adam adds it to the root, θ ← θ − γ m̂/(√v̂ + ε)."),
        *wrong_powers,
    ])
    compare(got_theta, expected_theta, what="the new theta", on=on)


# ---------------------------------------------------------------------------------------------------------
def _schedule(total_steps, warmup_steps, max_lr, min_lr):
    """The rates of steps 0 … T − 1 set by nncourse's schedulers: ``LambdaLR(t/W)``, then the cosine."""
    total_steps, warmup_steps = int(total_steps), int(warmup_steps)
    if not 0 <= warmup_steps < total_steps - 1:
        raise ValueError(f"need 0 <= warmup_steps < total_steps - 1, got {warmup_steps} and {total_steps}")
    optimizer = SGD([Parameter(np.zeros(1))], lr=max_lr)
    scheduler = CosineAnnealingLR(optimizer, T_max=total_steps - 1 - warmup_steps, eta_min=min_lr)
    if warmup_steps:
        warmup = LambdaLR(optimizer, lambda t: t / warmup_steps)
        scheduler = SequentialLR(optimizer, [warmup, scheduler], milestones=[warmup_steps])
    rates = []
    for _ in range(total_steps):
        rates.append(scheduler.get_last_lr()[0])
        scheduler.step()
    return np.array(rates)


def _warmup_cosine_reference(step, total_steps, warmup_steps, max_lr, min_lr=0.0):
    if not 0 <= step < total_steps:
        raise ValueError(f"need 0 <= step < total_steps, got step {step} and total_steps {total_steps}")
    return _schedule(total_steps, warmup_steps, max_lr, min_lr)[int(step)]


def check_warmup_cosine(fn, extra_cases=()):
    """``fn(step, total_steps, warmup_steps, max_lr, min_lr)`` is the warm-up-then-cosine learning rate.

    >>> def warmup_cosine(step, total_steps, warmup_steps, max_lr, min_lr=0.0):
    ...     if step < warmup_steps:
    ...         return max_lr * step / warmup_steps
    ...     progress = (step - warmup_steps) / (total_steps - 1 - warmup_steps)
    ...     return min_lr + 0.5 * (max_lr - min_lr) * (1 + np.cos(np.pi * progress))
    >>> check_warmup_cosine(warmup_cosine).passed
    True
    """
    schedules = [(50, 5, 0.1, 0.001), (30, 0, 1.0, 0.0), (20, 10, 0.5, 0.05)]
    cases = [(f"total_steps = {total}, warmup_steps = {warmup}, max_lr = {max_lr}, min_lr = {min_lr}",
              (total, warmup, max_lr, min_lr)) for total, warmup, max_lr, min_lr in schedules]
    outcomes = [attempt(_schedule_case, fn, *args, on=on) for on, args in cases]
    outcomes += [attempt(_step_case, fn, *args, on=on)
                 for on, args in extra(extra_cases, _warmup_cosine_reference, "check_warmup_cosine")]
    return grade(WARMUP_COSINE, outcomes, "the warm-up and the cosine match at every step of three schedules.")


def _rate(fn, step, total, warmup, max_lr, min_lr, on):
    at = f"step = {step}, {on}"
    return one_number(call(fn, step, total, warmup, max_lr, min_lr, on=at), f"the rate at step {step}", at)


def _schedule_case(fn, total, warmup, max_lr, min_lr, *, on):
    expected = _schedule(total, warmup, max_lr, min_lr)
    got = np.array([_rate(fn, step, total, warmup, max_lr, min_lr, on) for step in range(total)])
    steps = np.arange(total)
    wrong = [(_schedule(total + 1, warmup, max_lr, min_lr)[:total],
              f"at the last step (t = T − 1) the rate should have reached min_lr = {min_lr} (on {on}): divide by "
              "T − 1 − W, not T − W.")]
    if warmup:
        plus_one = np.where(steps < warmup, max_lr * (steps + 1) / warmup, expected)
        wrong.append((plus_one, f"the warm-up starts at 0 at step 0, γ_max · t/W (on {on}); yours starts at "
                                "γ_max/W: use t, not t + 1."))
    diagnose(got, expected, wrong)
    compare(got, expected, what="the learning rates of steps 0 … T−1", on=on)


def _step_case(fn, step, total, warmup, max_lr, min_lr=0.0, *, on):
    got = _rate(fn, step, total, warmup, max_lr, min_lr, on)
    compare(got, _warmup_cosine_reference(step, total, warmup, max_lr, min_lr), what=f"the rate at step {step}",
            on=on)


# ---------------------------------------------------------------------------------------------------------
def _eigenvalues(A):
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or not np.allclose(A, A.T):
        raise ValueError(f"A must be a symmetric square matrix, got an array of shape {A.shape}")
    eigenvalues = np.linalg.eigvalsh(A)
    if eigenvalues[0] <= 0:
        raise ValueError(f"A must be positive definite, its smallest eigenvalue is {eigenvalues[0]:.3g}")
    return eigenvalues


def _optimal(lam_min, lam_max):
    """Polyak's optimal heavy ball for eigenvalues in [λ_min, λ_max]: ``(γ*, μ*)``."""
    root_min, root_max = np.sqrt(lam_min), np.sqrt(lam_max)
    return 4 / (root_max + root_min) ** 2, ((root_max - root_min) / (root_max + root_min)) ** 2


def _heavy_ball_reference(A):
    eigenvalues = _eigenvalues(A)
    return _optimal(eigenvalues[0], eigenvalues[-1])


def _measured_rate(A, lr, momentum, steps=400):
    """The contraction per step of ``nncourse.optim.SGD(lr, momentum)`` on ½ θᵀAθ, over the second half."""
    theta = Parameter(np.ones(len(A)))
    optimizer = SGD([theta], lr=lr, momentum=momentum)
    norms = []
    for _ in range(steps):
        theta.grad = A @ theta.data
        optimizer.step()
        norms.append(np.linalg.norm(theta.data))
    return (norms[-1] / norms[steps // 2 - 1]) ** (1 / (steps - steps // 2))


def check_heavy_ball_parameters(fn, extra_cases=()):
    """``fn(A)`` returns the heavy ball's optimal ``(lr, momentum)`` for ``f(θ) = ½ θᵀAθ``.

    >>> def heavy_ball_parameters(A):
    ...     lam = np.linalg.eigvalsh(A)
    ...     root_min, root_max = np.sqrt(lam[0]), np.sqrt(lam[-1])
    ...     return 4 / (root_max + root_min) ** 2, ((root_max - root_min) / (root_max + root_min)) ** 2
    >>> check_heavy_ball_parameters(heavy_ball_parameters).passed
    True
    """
    Q, _ = np.linalg.qr(np.random.default_rng(8).normal(size=(4, 4)))
    cases = [("A = diag(1, 100)", (np.diag([1.0, 100.0]),)),
             ("A = a rotated 4×4 matrix with eigenvalues 0.5, 2, 3, 40", (Q @ np.diag([0.5, 2.0, 3.0, 40.0]) @ Q.T,))]
    cases += extra(extra_cases, _heavy_ball_reference, "check_heavy_ball_parameters")
    outcomes = [attempt(_heavy_ball_case, fn, *args, which, on=on) for on, args in cases for which in (0, 1)]
    success = "γ* = 4/(√λ_max + √λ_min)² and μ* = ((√κ − 1)/(√κ + 1))² for every matrix."
    if all(outcome is None for outcome in outcomes):
        success = _rate_message(fn, on=cases[0][0]) or success
    return grade(HEAVY_BALL, outcomes, success)


def _settings(fn, A, on):
    """The learner's ``(lr, momentum)`` for ``A``, as two numbers."""
    got = items(call(fn, A, on=on), ("lr", "momentum"), on)
    return tuple(one_number(value, name, on) for value, name in zip(got, ("lr", "momentum"), strict=True))


def _rate_message(fn, *, on):
    """The rate ``nncourse.optim.SGD`` measures on diag(1, 100) with the learner's settings, in words."""
    kappa, A = 100.0, np.diag([1.0, 100.0])
    try:
        measured = _measured_rate(A, *_settings(fn, A, on))
    except Hint:  # the settings passed a moment ago; a function that changes its mind gets the plain message
        return None
    return (f"on diag(1, 100) your settings contract by {measured:.3f} per step (measured with nncourse.optim.SGD), "
            f"against (√κ − 1)/(√κ + 1) = {(np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1):.3f} in theory and "
            f"{(kappa - 1) / (kappa + 1):.3f} for the best plain gradient descent.")


def _heavy_ball_case(fn, A, which, *, on):
    """Case ``which`` = 0 checks the learning rate, 1 the momentum."""
    eigenvalues = _eigenvalues(A)
    lam_min, lam_max = eigenvalues[0], eigenvalues[-1]
    expected = _optimal(lam_min, lam_max)
    got = _settings(fn, A, on)
    name = ("lr", "momentum")[which]
    if np.isclose(got[which], expected[which], rtol=1e-6, atol=1e-8):
        return
    kappa, diagonal = lam_max / lam_min, np.diag(A)
    diagnose(got, expected, [
        ((2 / (lam_min + lam_max), 0.0),
         f"(2/(λ_min + λ_max), 0) is the best plain gradient descent (on {on}); with momentum the optimum is "
         "γ* = 4/(√λ_max + √λ_min)² and μ* = ((√κ − 1)/(√κ + 1))²."),
        (expected[::-1], f"lr and momentum are swapped (on {on}): return (lr, momentum)."),
        ((expected[0], np.sqrt(expected[1])),
         f"your momentum is (√κ − 1)/(√κ + 1), which is the *rate* (on {on}); the momentum is its square."),
        ((expected[0], ((kappa - 1) / (kappa + 1)) ** 2),
         f"your momentum uses κ where the formula has √κ (on {on}): μ* = ((√κ − 1)/(√κ + 1))²."),
        (_optimal(diagonal.min(), diagonal.max()),
         f"you used the diagonal entries of A (on {on}), which are its eigenvalues only when A is diagonal: "
         "take λ_min and λ_max from np.linalg.eigvalsh(A)."),
    ])
    compare(got[which], expected[which], what=name, on=on)


# ---------------------------------------------------------------------------------------------------------
STEP_BUDGET = 300
MARKS = (0.90, 0.95, 0.97)  # one mark each; the last is the target
TARGET_ACCURACY = MARKS[-1]


def check_digits_training(configure):
    """``configure(parameters)`` returns ``(optimizer, scheduler, batch_size)``; 97 % within 300 steps is the goal.

    The checker builds the network (64-64-10, ReLU, seed 0, float64) and the data, calls ``configure`` with the
    network's parameters, trains for exactly 300 optimizer steps (a scheduler, if any, is stepped after each),
    and measures the validation accuracy. Each of the marks 0.90, 0.95 and 0.97 reached is a case passed.

    >>> from nncourse.optim import SGD
    >>> check_digits_training(lambda parameters: (SGD(parameters, lr=0.05, momentum=0.9), None, 32)).passed
    True
    """
    run = {}
    setup = attempt(_train, configure, run, on="the chapter's 64-64-10 ReLU network")
    if setup is not None:
        return grade(DIGITS, [setup] * len(MARKS), "")
    accuracy = run["accuracy"]
    outcomes = [attempt(_reached, accuracy, mark) for mark in MARKS]
    return grade(DIGITS, outcomes, f"validation accuracy {accuracy:.3f} after {STEP_BUDGET} steps "
                                   f"(target {TARGET_ACCURACY}).")


def _reached(accuracy, mark):
    require(
        accuracy >= mark,
        f"after {STEP_BUDGET} steps the validation accuracy is {accuracy:.3f}, below {mark:.2f} (one mark each at "
        f"0.90, 0.95 and the target {TARGET_ACCURACY}). Try the rate the range test suggests, momentum or Adam, "
        "or a one-cycle schedule.",
    )


def _train(configure, run, *, on):
    """Train the digits network as ``configure`` says; store the validation accuracy in ``run``."""
    (X_train, y_train), (X_val, y_val) = load_digits(return_split=True, dtype=np.float64)
    model = build_mlp([64, 64, 10], "relu", dtype=np.float64, rng=0)
    # a generator of the network's own parameters, as in PyTorch: no copies, the optimizer must hold them
    got = call(configure, model.parameters(), on=on, copy_args=False)
    optimizer, scheduler, batch_size = items(got, ("optimizer", "scheduler", "batch_size"), on)
    require(isinstance(optimizer, Optimizer),
            f"the first item should be an nncourse.optim optimizer, got {type(optimizer).__name__}.")
    given = [p for group in optimizer.param_groups for p in group["params"]]
    require({id(p) for p in given} == {id(p) for p in model.parameters()},
            "build the optimizer on the `parameters` that configure receives, all of them.")
    require(scheduler is None or (isinstance(scheduler, LRScheduler) and scheduler.optimizer is optimizer),
            f"the scheduler should be None or an nncourse.optim.lr_scheduler scheduler of your optimizer, got "
            f"{type(scheduler).__name__}.")
    batch_size = whole_number(batch_size, "batch_size", on)
    require(1 <= batch_size <= len(X_train),
            f"batch_size should be an integer between 1 and {len(X_train)}, got {batch_size}.")
    criterion, rng, step = CrossEntropyLoss(), np.random.default_rng(0), 0
    model.train()
    while step < STEP_BUDGET:
        for X_batch, y_batch in batches(X_train, y_train, batch_size, rng=rng):
            optimizer.zero_grad()
            loss = _quietly(lambda X=X_batch, y=y_batch: criterion(model(X), y))
            require(np.isfinite(loss), f"the weights or the loss became NaN or infinite at step {step + 1}: the "
                                       "learning rate is too large.")
            with np.errstate(all="ignore"):
                model.backward(criterion.backward())
            _step(optimizer, scheduler, step + 1)
            step += 1
            if step == STEP_BUDGET:
                break
    model.eval()
    outputs = _quietly(lambda: model(X_val))
    require(np.all(np.isfinite(outputs)), f"the weights became NaN or infinite by step {STEP_BUDGET}: the learning "
                                          "rate is too large.")
    run["accuracy"] = float(np.mean(outputs.argmax(axis=1) == y_val))


def _quietly(compute):
    """``compute()`` without overflow warnings; NaN when the layers refuse non-finite inputs (the weights are)."""
    try:
        with np.errstate(all="ignore"):
            return compute()
    except ValueError:
        return np.nan


def _step(optimizer, scheduler, number):
    """``optimizer.step()``, then ``scheduler.step()``: the learner's objects, so run as their code."""
    def steps():
        optimizer.step()
        if scheduler is not None:
            scheduler.step()

    try:
        call(steps, on=f"step {number}", copy_args=False,
             warning_hint="the learning rate is too large: the weights overflowed.")
    except Hint as hint:
        advice = f" A OneCycleLR needs total_steps ≥ {STEP_BUDGET}." if isinstance(scheduler, OneCycleLR) else ""
        raise Hint(f"stepping your optimizer or scheduler failed: {hint}{advice}") from None
