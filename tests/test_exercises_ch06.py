"""Specification of the Chapter 6 checkers: each passes the reference solution, and rejects an unsolved stub and
the typical wrong answers with a specific hint (and never raises)."""

import numpy as np
import pytest

from nncourse.exercises import ch06
from nncourse.optim import SGD, Adam, lr_scheduler


def stub(*args, **kwargs):
    raise NotImplementedError()


def assert_hint(result, *fragments):
    assert not result.passed
    for fragment in fragments:
        assert fragment in result.message, result.message


# Exercise 1 -------------------------------------------------------------------------------------------------

def momentum_step(theta, grad, buffer, lr, momentum):
    buffer = grad.copy() if buffer is None else momentum * buffer + grad
    return theta - lr * buffer, buffer


def test_momentum_reference_passes():
    assert ch06.check_momentum_step(momentum_step).passed


@pytest.mark.parametrize("wrong, fragments", [
    (stub, ["not implemented yet"]),
    (lambda th, g, b, lr, mu: (th - lr * g, g) if b is None else (th + (mu * b - lr * g), mu * b - lr * g),
     ["Sutskever", "b ← μb + g"]),
    (lambda th, g, b, lr, mu: (lambda nb: (th - lr * nb, nb))((1 - mu) * g if b is None else mu * b + (1 - mu) * g),
     ["without a (1 − μ) factor"]),
    (lambda th, g, b, lr, mu: (th - lr * g, mu * b + g), ["raised TypeError"]),  # fails on buffer=None
    (lambda th, g, b, lr, mu: (lambda nb: (th - nb, nb))(g if b is None else mu * b + g), ["the new theta is off"]),
    (lambda th, g, b, lr, mu: th, ["return a tuple (theta, buffer)"]),
])
def test_momentum_wrong_answers_get_specific_hints(wrong, fragments):
    assert_hint(ch06.check_momentum_step(wrong), *fragments)


# Exercise 2 -------------------------------------------------------------------------------------------------

def adam_step(theta, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    beta1, beta2 = betas
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def test_adam_reference_passes_and_agrees_with_nncourse_adam():
    assert ch06.check_adam_step(adam_step).passed
    from nncourse.nn import Parameter
    p = Parameter(np.array([1.0, -2.0]))
    optimizer = Adam([p], lr=0.1)
    theta, m, v = p.data.copy(), np.zeros(2), np.zeros(2)
    for t in range(1, 4):
        p.grad = np.array([0.3, -1.0]) * t
        optimizer.step()
        theta, m, v = adam_step(theta, p.grad, m, v, t, lr=0.1)
    np.testing.assert_allclose(p.data, theta, rtol=1e-12)


def no_correction(theta, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    m = betas[0] * m + (1 - betas[0]) * grad
    v = betas[1] * v + (1 - betas[1]) * grad**2
    return theta - lr * m / (np.sqrt(v) + eps), m, v


def power_t_plus_one(theta, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    return adam_step(theta, grad, m, v, t + 1, lr, betas, eps)[0], *adam_step(theta, grad, m, v, t, lr, betas, eps)[1:]


def returns_corrected(theta, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    new_theta, m, v = adam_step(theta, grad, m, v, t, lr, betas, eps)
    return new_theta, m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)


@pytest.mark.parametrize("wrong, fragments", [
    (stub, ["not implemented yet"]),
    (no_correction, ["bias correction is missing"]),
    (power_t_plus_one, ["wrong power", "t = 2"]),
    (returns_corrected, ["not the corrected m̂"]),
    (lambda *a, **k: (np.full(3, np.nan), *adam_step(*a, **k)[1:]), ["NaN"]),
    (lambda *a, **k: None, ["return a tuple (theta, m, v), got NoneType"]),
])
def test_adam_wrong_answers_get_specific_hints(wrong, fragments):
    assert_hint(ch06.check_adam_step(wrong), *fragments)


# Exercise 3 -------------------------------------------------------------------------------------------------

def warmup_cosine(step, total_steps, warmup_steps, max_lr, min_lr=0.0):
    if step < warmup_steps:
        return max_lr * step / warmup_steps
    progress = (step - warmup_steps) / (total_steps - 1 - warmup_steps)
    return min_lr + 0.5 * (max_lr - min_lr) * (1 + np.cos(np.pi * progress))


def test_warmup_cosine_reference_passes_and_agrees_with_lambda_lr():
    assert ch06.check_warmup_cosine(warmup_cosine).passed
    from nncourse.nn import Parameter
    optimizer = SGD([Parameter(np.zeros(1))], lr=1.0)
    scheduler = lr_scheduler.LambdaLR(optimizer, lambda t: warmup_cosine(t, 40, 4, 1.0, 0.01))
    rates = []
    for _ in range(40):
        rates.append(scheduler.get_last_lr()[0])
        scheduler.step()
    assert rates[0] == 0.0 and rates[4] == pytest.approx(1.0) and rates[-1] == pytest.approx(0.01)


def plus_one_warmup(step, total_steps, warmup_steps, max_lr, min_lr=0.0):
    if step < warmup_steps:
        return max_lr * (step + 1) / warmup_steps
    return warmup_cosine(step, total_steps, warmup_steps, max_lr, min_lr)


def one_short(step, total_steps, warmup_steps, max_lr, min_lr=0.0):
    return warmup_cosine(step, total_steps + 1, warmup_steps, max_lr, min_lr)


@pytest.mark.parametrize("wrong, fragments", [
    (stub, ["not implemented yet"]),
    (plus_one_warmup, ["use t, not t + 1"]),
    (one_short, ["should have reached min_lr", "T − 1 − W"]),
    (lambda step, total, warmup, max_lr, min_lr=0.0: max_lr, ["learning rates of steps 0 … T−1 is off"]),
])
def test_warmup_cosine_wrong_answers_get_specific_hints(wrong, fragments):
    assert_hint(ch06.check_warmup_cosine(wrong), *fragments)


# Exercise 4 -------------------------------------------------------------------------------------------------

def heavy_ball_parameters(A):
    lam = np.linalg.eigvalsh(A)
    root_min, root_max = np.sqrt(lam[0]), np.sqrt(lam[-1])
    return 4 / (root_max + root_min) ** 2, ((root_max - root_min) / (root_max + root_min)) ** 2


def test_heavy_ball_reference_passes_and_reports_the_measured_rate():
    result = ch06.check_heavy_ball_parameters(heavy_ball_parameters)
    assert result.passed
    assert "contract by 0.82" in result.message and "0.818 in theory" in result.message


@pytest.mark.parametrize("wrong, fragments", [
    (stub, ["not implemented yet"]),
    (lambda A: (2 / (np.linalg.eigvalsh(A)[0] + np.linalg.eigvalsh(A)[-1]), 0.0), ["best plain gradient descent"]),
    (lambda A: heavy_ball_parameters(A)[::-1], ["swapped"]),
    (lambda A: (heavy_ball_parameters(A)[0], np.sqrt(heavy_ball_parameters(A)[1])), ["which is the *rate*"]),
    (lambda A: (1 / np.linalg.eigvalsh(A)[-1], heavy_ball_parameters(A)[1]), ["lr is off"]),
    (lambda A: heavy_ball_parameters(np.diag(np.sort(np.diag(A)))),
     ["A = a rotated 4×4 matrix"]),  # the diagonal is not the spectrum of a rotated matrix
])
def test_heavy_ball_wrong_answers_get_specific_hints(wrong, fragments):
    assert_hint(ch06.check_heavy_ball_parameters(wrong), *fragments)


# Exercise 5 -------------------------------------------------------------------------------------------------

class Exploding(SGD):
    """An optimizer whose first step sends the weights to infinity (what a far too large rate ends in)."""

    def step(self):
        for p in self.param_groups[0]["params"]:
            p.data[...] = np.inf


def test_digits_training_accepts_a_good_configuration():
    def configure(parameters):
        optimizer = SGD(parameters, lr=0.1, momentum=0.9, nesterov=True)
        return optimizer, lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=300), 64

    result = ch06.check_digits_training(configure)
    assert result.passed, result.message
    assert "after 300 steps" in result.message


@pytest.mark.parametrize("configure, fragments", [
    (stub, ["not implemented yet"]),
    (lambda p: (SGD(p, lr=1e-4), None, 32), ["validation accuracy is 0.", "below 0.97"]),
    (lambda p: (SGD(p, lr=50.0, momentum=0.9), None, 32), ["validation accuracy is 0.1"]),  # dead ReLUs
    (lambda p: (Exploding(p), None, 32), ["NaN or infinite at step 2", "learning rate is too large"]),
    (lambda p: (lambda o: (o, lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=100), 32))(SGD(p, lr=0.1)),
     ["OneCycleLR", "total_steps ≥ 300"]),
    (lambda p: (SGD(list(p)[:2], lr=0.1), None, 32), ["all of them"]),
    (lambda p: (SGD(p, lr=0.1), None, 0), ["batch_size should be an integer"]),
    (lambda p: (Adam(p), "cosine", 32), ["scheduler should be None"]),
    (lambda p: ("adam", None, 32), ["nncourse.optim optimizer, got str"]),
])
def test_digits_training_rejects_with_specific_hints(configure, fragments):
    assert_hint(ch06.check_digits_training(configure), *fragments)
