"""Chapter 6 checkers: a right answer gets full points; an unsolved stub and typical mistakes get a specific
hint and partial or no credit; the holes a learner found are closed."""

import sys

import numpy as np
import pytest

from nncourse.exercises import ch06
from nncourse.optim import SGD, Adam, lr_scheduler


def stub(*args):
    raise NotImplementedError()


def assert_rejected(result, words):
    assert not result.passed
    assert words in result.message, result.message
    assert 0 <= result.score < result.points


# -- Momentum ----------------------------------------------------------------------------------------------


def momentum_step(theta, grad, buffer, lr, momentum):
    buffer = grad.copy() if buffer is None else momentum * buffer + grad
    return theta - lr * buffer, buffer


def test_momentum_reference_passes():
    result = ch06.check_momentum_step(momentum_step)
    assert result.passed and result.score == 2 and result.n_cases == 4, result.message


def test_momentum_reference_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    theta, buffer = rng.normal(size=3), None
    p = torch.tensor(theta, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=0.2, momentum=0.8)
    for _ in range(5):
        grad = rng.normal(size=3)
        p.grad = torch.tensor(grad)
        optimizer.step()
        theta, buffer = momentum_step(theta, grad, buffer, 0.2, 0.8)
        np.testing.assert_allclose(theta, p.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(buffer, optimizer.state[p]["momentum_buffer"].numpy(), rtol=1e-12)


def sutskever(theta, grad, buffer, lr, momentum):
    velocity = -lr * grad if buffer is None else momentum * buffer - lr * grad
    return theta + velocity, velocity


def averaged(theta, grad, buffer, lr, momentum):
    buffer = (1 - momentum) * grad if buffer is None else momentum * buffer + (1 - momentum) * grad
    return theta - lr * buffer, buffer


def in_place(theta, grad, buffer, lr, momentum):
    if buffer is None:
        buffer = grad.copy()
    else:
        buffer *= momentum
        buffer += grad
    theta -= lr * buffer
    return theta, buffer


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (sutskever, "the velocity of Sutskever et al."),
        (averaged, "without a (1 − μ) factor"),
        (lambda th, g, b, lr, mu: (th - lr * g, mu * b + g), "raised TypeError"),  # fails on buffer=None
        (lambda th, g, b, lr, mu: (th - (g if b is None else mu * b + g), g if b is None else mu * b + g),
         "scale the step by the learning rate"),
        (lambda th, g, b, lr, mu: (th - lr * g, g if b is None else mu * b + g), "moved along the gradient"),
        (lambda th, g, b, lr, mu: th, "return a tuple (theta, buffer)"),
        (lambda th, g, b, lr, mu: (th[:2], g), "should have shape (4,), got shape (2,)"),
        (in_place, "changed theta in place"),
        (lambda th, g, b, lr, mu: (lambda nb: (th - lr * nb + 0j, nb))(momentum_step(th, g, b, lr, mu)[1]), "complex"),
        (lambda th, g, b, lr, mu: sys.exit(), "sys.exit()"),
    ],
)
def test_momentum_mistakes_are_explained(wrong, words):
    assert_rejected(ch06.check_momentum_step(wrong), words)


def test_momentum_changing_the_buffer_in_place_is_named():
    def buffer_in_place(theta, grad, buffer, lr, momentum):
        if buffer is not None:
            buffer *= momentum
            buffer += grad
            return theta - lr * buffer, buffer
        return momentum_step(theta, grad, buffer, lr, momentum)

    result = ch06.check_momentum_step(buffer_in_place)
    assert (result.n_passed, result.n_cases) == (1, 4)
    assert "changed buffer in place (on step 2" in result.message


def test_momentum_scores_each_step():
    # Wrong only where the buffer starts: three steps of four, 1.5 of 2 points.
    def first_buffer_doubled(theta, grad, buffer, lr, momentum):
        buffer = momentum * (grad if buffer is None else buffer) + grad
        return theta - lr * buffer, buffer

    result = ch06.check_momentum_step(first_buffer_doubled)
    assert (result.n_passed, result.n_cases) == (3, 4) and result.score == 1.5
    assert result.message.startswith("the new buffer is off (on step 1")


def test_momentum_hidden_case_of_the_notebook():
    rng = np.random.default_rng(61)
    hidden = [(rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), 0.05, 0.5)]
    assert ch06.check_momentum_step(momentum_step, hidden).n_cases == 5
    flat_only = lambda th, g, b, lr, mu: momentum_step(th, g, b, lr, mu) if th.ndim == 1 else stub()  # noqa: E731
    assert ch06.check_momentum_step(flat_only, hidden).n_passed == 4


def test_momentum_extra_cases_need_momentum():
    with pytest.raises(ValueError, match="extra case 1 is not a valid case: ValueError: momentum must be > 0"):
        ch06.check_momentum_step(momentum_step, [(np.zeros(2), np.ones(2), None, 0.1, 0.0)])


# -- Adam --------------------------------------------------------------------------------------------------


def adam_step(theta, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    beta1, beta2 = betas
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def test_adam_reference_passes():
    result = ch06.check_adam_step(adam_step)
    assert result.passed and result.score == 3 and result.n_cases == 3, result.message


def test_adam_reference_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    theta, m, v = rng.normal(size=4), np.zeros(4), np.zeros(4)
    p = torch.tensor(theta, requires_grad=True)
    optimizer = torch.optim.Adam([p], lr=0.05, betas=(0.8, 0.99), eps=1e-6)
    for t in range(1, 6):
        grad = rng.normal(size=4)
        p.grad = torch.tensor(grad)
        optimizer.step()
        theta, m, v = adam_step(theta, grad, m, v, t, lr=0.05, betas=(0.8, 0.99), eps=1e-6)
        np.testing.assert_allclose(theta, p.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(v, optimizer.state[p]["exp_avg_sq"].numpy(), rtol=1e-12)


def test_adam_that_updates_its_inputs_in_place_still_passes():
    # The checker passes copies: in-place updates of m and v (as nncourse.optim.Adam does) are no mistake.
    def in_place_adam(theta, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        m *= betas[0]
        m += (1 - betas[0]) * grad
        v *= betas[1]
        v += (1 - betas[1]) * grad**2
        theta -= lr * m / (1 - betas[0] ** t) / (np.sqrt(v / (1 - betas[1] ** t)) + eps)
        return theta, m, v

    assert ch06.check_adam_step(in_place_adam).score == 3


def no_correction(theta, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    m = betas[0] * m + (1 - betas[0]) * grad
    v = betas[1] * v + (1 - betas[1]) * grad**2
    return theta - lr * m / (np.sqrt(v) + eps), m, v


def power_t_plus_one(theta, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    return adam_step(theta, grad, m, v, t + 1, lr, betas, eps)[0], *adam_step(theta, grad, m, v, t, lr, betas, eps)[1:]


def returns_corrected(theta, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    new_theta, m, v = adam_step(theta, grad, m, v, t, lr, betas, eps)
    return new_theta, m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)


def eps_inside_the_root(theta, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    _, m, v = adam_step(theta, grad, m, v, t, lr, betas, eps)
    return theta - lr * (m / (1 - betas[0] ** t)) / np.sqrt(v / (1 - betas[1] ** t) + eps), m, v


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (no_correction, "bias correction is missing"),
        (power_t_plus_one, "you used t = 2"),
        (returns_corrected, "not the corrected m̂"),
        (eps_inside_the_root, "ε is inside the square root"),
        (lambda *args: (np.full(3, np.nan), *adam_step(*args)[1:]), "contains NaN or infinity"),
        (lambda *args: None, "did you forget to `return` (theta, m, v)?"),
        (lambda *args: adam_step(*args)[:2], "got tuple of length 2"),
        (lambda *args: tuple(x + 0j for x in adam_step(*args)), "complex"),
    ],
)
def test_adam_mistakes_are_explained(wrong, words):
    assert_rejected(ch06.check_adam_step(wrong), words)


def test_adam_with_eps_inside_the_root_loses_only_the_large_eps_case():
    result = ch06.check_adam_step(eps_inside_the_root)
    assert (result.n_passed, result.n_cases) == (2, 3) and result.score == 2
    assert "(on a large eps" in result.message


# -- Warm-up and cosine ------------------------------------------------------------------------------------


def warmup_cosine(step, total_steps, warmup_steps, max_lr, min_lr=0.0):
    if step < warmup_steps:
        return max_lr * step / warmup_steps
    progress = (step - warmup_steps) / (total_steps - 1 - warmup_steps)
    return min_lr + 0.5 * (max_lr - min_lr) * (1 + np.cos(np.pi * progress))


def test_warmup_cosine_reference_passes():
    result = ch06.check_warmup_cosine(warmup_cosine)
    assert result.passed and result.score == 2 and result.n_cases == 3, result.message


def test_warmup_cosine_reference_matches_torch():
    torch = pytest.importorskip("torch")
    total, warmup, max_lr, min_lr = 40, 4, 0.3, 0.01
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=max_lr)
    warm = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda t: t / warmup)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total - 1 - warmup, eta_min=min_lr)
    scheduler = torch.optim.lr_scheduler.SequentialLR(optimizer, [warm, cosine], milestones=[warmup])
    theirs = []
    for _ in range(total):
        theirs.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    ours = [warmup_cosine(step, total, warmup, max_lr, min_lr) for step in range(total)]
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    assert ours[0] == 0 and ours[warmup] == max_lr and ours[-1] == pytest.approx(min_lr, rel=1e-12)


def plus_one_warmup(step, total_steps, warmup_steps, max_lr, min_lr=0.0):
    if step < warmup_steps:
        return max_lr * (step + 1) / warmup_steps
    return warmup_cosine(step, total_steps, warmup_steps, max_lr, min_lr)


def one_short(step, total_steps, warmup_steps, max_lr, min_lr=0.0):
    return warmup_cosine(step, total_steps + 1, warmup_steps, max_lr, min_lr)


def divides_by_zero_without_warmup(step, total_steps, warmup_steps, max_lr, min_lr=0.0):
    if step < warmup_steps or warmup_steps == 0:
        return max_lr * step / warmup_steps
    return warmup_cosine(step, total_steps, warmup_steps, max_lr, min_lr)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (plus_one_warmup, "use t, not t + 1"),
        (one_short, "divide by T − 1 − W, not T − W"),
        (divides_by_zero_without_warmup, "ZeroDivisionError"),
        (lambda step, total, warmup, max_lr, min_lr=0.0: max_lr,
         "the learning rates of steps 0 … T−1 is off (on total_steps = 50, warmup_steps = 5, max_lr = 0.1, "
         "min_lr = 0.001) at index (0,): expected 0, got 0.1."),
        (lambda *args: np.array([warmup_cosine(*args)]), "the rate at step 0 should be one number"),
        (lambda *args: warmup_cosine(*args) + 0j, "complex"),
        (lambda *args: None, "None"),
    ],
)
def test_warmup_cosine_mistakes_are_explained(wrong, words):
    assert_rejected(ch06.check_warmup_cosine(wrong), words)


@pytest.mark.parametrize(("wrong", "passed"), [(plus_one_warmup, 1), (divides_by_zero_without_warmup, 2)])
def test_warmup_cosine_scores_each_schedule(wrong, passed):
    result = ch06.check_warmup_cosine(wrong)
    assert (result.n_passed, result.n_cases) == (passed, 3) and result.score == pytest.approx(2 * passed / 3)


def test_warmup_cosine_extra_cases_are_single_steps():
    hidden = [(7, 12, 3, 0.4, 0.04), (0, 12, 3, 0.4, 0.04)]
    assert ch06.check_warmup_cosine(warmup_cosine, hidden).n_cases == 5
    assert ch06.check_warmup_cosine(plus_one_warmup, hidden).n_passed == 2  # the cosine step and W = 0
    with pytest.raises(ValueError, match="need 0 <= step < total_steps"):
        ch06.check_warmup_cosine(warmup_cosine, [(12, 12, 3, 0.4, 0.0)])


# -- The heavy ball's optimal settings ---------------------------------------------------------------------


def heavy_ball_parameters(A):
    lam = np.linalg.eigvalsh(A)
    root_min, root_max = np.sqrt(lam[0]), np.sqrt(lam[-1])
    return 4 / (root_max + root_min) ** 2, ((root_max - root_min) / (root_max + root_min)) ** 2


def test_heavy_ball_reference_passes_and_reports_the_measured_rate():
    result = ch06.check_heavy_ball_parameters(heavy_ball_parameters)
    assert result.passed and result.score == 2 and result.n_cases == 4
    assert "contract by 0.821 per step" in result.message and "0.818 in theory" in result.message


def test_heavy_ball_reference_reaches_its_rate_with_torch():
    torch = pytest.importorskip("torch")
    kappa = 100.0
    lr, momentum = heavy_ball_parameters(np.diag([1.0, kappa]))
    A = torch.tensor([1.0, kappa], dtype=torch.float64)
    theta = torch.ones(2, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([theta], lr=lr, momentum=momentum)
    norms = []
    for _ in range(400):
        theta.grad = A * theta.detach()
        optimizer.step()
        norms.append(float(theta.detach().norm()))
    measured = (norms[-1] / norms[199]) ** (1 / 200)
    assert measured == pytest.approx((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1), rel=0.01)


def eigenvalues(A):
    lam = np.linalg.eigvalsh(A)
    return lam[0], lam[-1]


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda A: (2 / sum(eigenvalues(A)), 0.0), "best plain gradient descent"),
        (lambda A: heavy_ball_parameters(A)[::-1], "swapped"),
        (lambda A: (heavy_ball_parameters(A)[0], np.sqrt(heavy_ball_parameters(A)[1])), "which is the *rate*"),
        (lambda A: (heavy_ball_parameters(A)[0], ((eigenvalues(A)[1] / eigenvalues(A)[0] - 1)
                                                  / (eigenvalues(A)[1] / eigenvalues(A)[0] + 1)) ** 2),
         "uses κ where the formula has √κ"),
        (lambda A: (1 / eigenvalues(A)[1], heavy_ball_parameters(A)[1]),
         "lr is off (on A = diag(1, 100)): expected 0.0330579, got 0.01."),
        (lambda A: heavy_ball_parameters(np.diag(np.diag(A))), "you used the diagonal entries of A"),
        (lambda A: np.array(heavy_ball_parameters(A)), "return a tuple (lr, momentum), got an array"),
        (lambda A: tuple(np.atleast_1d(x) for x in heavy_ball_parameters(A)), "lr should be one number"),
        (lambda A: tuple(x + 0j for x in heavy_ball_parameters(A)), "complex"),
    ],
)
def test_heavy_ball_mistakes_are_explained(wrong, words):
    assert_rejected(ch06.check_heavy_ball_parameters(wrong), words)


def test_heavy_ball_scores_lr_and_momentum_apart():
    result = ch06.check_heavy_ball_parameters(lambda A: (heavy_ball_parameters(A)[0], 0.5))
    assert (result.n_passed, result.n_cases) == (2, 4) and result.score == 1
    assert result.message.startswith("momentum is off (on A = diag(1, 100))")


def test_heavy_ball_extra_cases_must_be_positive_definite():
    assert ch06.check_heavy_ball_parameters(heavy_ball_parameters, [(np.diag([2.0, 3.0, 50.0]),)]).n_cases == 6
    with pytest.raises(ValueError, match="A must be positive definite"):
        ch06.check_heavy_ball_parameters(heavy_ball_parameters, [(np.diag([-1.0, 3.0]),)])


# -- Open-ended: 97 % on the digits in 300 steps -----------------------------------------------------------


class Exploding(SGD):
    """An optimizer whose first step sends the weights to infinity (what a far too large rate ends in)."""

    def step(self):
        for p in self.param_groups[0]["params"]:
            p.data[...] = np.inf


def one_cycle(parameters):
    optimizer = SGD(parameters, lr=0.1, momentum=0.9, nesterov=True)
    return optimizer, lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=300), 64


def test_digits_training_accepts_the_notebooks_configuration():
    result = ch06.check_digits_training(one_cycle)
    assert result.passed and result.score == 3 and result.n_cases == 3, result.message
    assert "after 300 steps" in result.message


@pytest.mark.parametrize(
    ("configure", "passed", "accuracy"),
    [
        (lambda p: (SGD(p, lr=0.1), None, 32), 2, "0.955"),  # plain SGD: between 0.95 and the target
        (lambda p: (Adam(p), None, 32), 1, "0.939"),  # Adam's default rate is too timid for 300 steps
        (lambda p: (SGD(p, lr=1e-4), None, 32), 0, "0.109"),
    ],
)
def test_digits_training_earns_a_mark_for_each_accuracy_reached(configure, passed, accuracy):
    result = ch06.check_digits_training(configure)
    assert (result.n_passed, result.n_cases) == (passed, 3) and result.score == passed
    assert f"the validation accuracy is {accuracy}, below" in result.message


@pytest.mark.parametrize(
    ("configure", "words"),
    [
        (stub, "not implemented"),
        (lambda p: (SGD(p, lr=50.0, momentum=0.9), None, 32), "validation accuracy is 0.103"),  # dead ReLUs
        (lambda p: (Exploding(p), None, 32), "NaN or infinite at step 2: the learning rate is too large"),
        (lambda p: (lambda o: (o, lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=100), 32))(SGD(p, lr=0.1)),
         "A OneCycleLR needs total_steps ≥ 300"),
        (lambda p: (SGD(list(p)[:2], lr=0.1), None, 32), "all of them"),
        (lambda p: (SGD(p, lr=0.1), None, 0), "batch_size should be an integer between 1 and 1438, got 0"),
        (lambda p: (SGD(p, lr=0.1), None, 32.5), "batch_size should be a whole number, got 32.5"),
        (lambda p: (SGD(p, lr=0.1), None, 32 + 0j), "batch_size is complex"),
        (lambda p: (Adam(p), "cosine", 32), "scheduler should be None"),
        (lambda p: ("adam", None, 32), "nncourse.optim optimizer, got str"),
        (lambda p: SGD(p, lr=0.1), "return a tuple (optimizer, scheduler, batch_size)"),
        (lambda p: sys.exit(), "sys.exit()"),
    ],
)
def test_digits_training_rejects_with_specific_hints(configure, words):
    result = ch06.check_digits_training(configure)
    assert_rejected(result, words)
    assert result.score == 0
