"""Specification of ``nncourse.optim.lr_scheduler``: step by step, the same learning rates as
``torch.optim.lr_scheduler`` (and the same momentum for OneCycleLR), PyTorch's defaults and its initial step."""

import math
import warnings

import numpy as np
import pytest
import torch

from nncourse.nn import Parameter
from nncourse.optim import SGD, Adam, lr_scheduler

STEPS = 120


def optimizers(lr=0.1, kind="sgd"):
    if kind == "adam":
        return Adam([Parameter(np.zeros(2))], lr=lr), torch.optim.Adam([torch.zeros(2, requires_grad=True)], lr=lr)
    return (SGD([Parameter(np.zeros(2))], lr=lr, momentum=0.9),
            torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=lr, momentum=0.9))


def run(make, kind="sgd", steps=STEPS):
    """The rates (and momenta) of both libraries at every step; ``make(module, optimizer)`` builds a scheduler."""
    ours_opt, theirs_opt = optimizers(kind=kind)
    ours, theirs = make(lr_scheduler, ours_opt), make(torch.optim.lr_scheduler, theirs_opt)
    key = "betas" if kind == "adam" else "momentum"
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # PyTorch warns when its optimizer never stepped
        for _ in range(steps):
            rows.append((ours.get_last_lr()[0], theirs.get_last_lr()[0], ours_opt.param_groups[0]["lr"],
                         ours_opt.param_groups[0][key], theirs_opt.param_groups[0][key], ours.last_epoch,
                         theirs.last_epoch))
            theirs_opt.step()
            ours.step()
            theirs.step()
    return rows


def assert_same(rows):
    ours, theirs, in_group = (np.array([r[i] for r in rows]) for i in range(3))
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-15)
    np.testing.assert_array_equal(ours, in_group)  # get_last_lr() is what the optimizer uses
    momentum_ours, momentum_theirs = [r[3] for r in rows], [r[4] for r in rows]
    np.testing.assert_allclose(np.array(momentum_ours, dtype=float), np.array(momentum_theirs, dtype=float),
                               rtol=1e-12)
    assert [r[5] for r in rows] == [r[6] for r in rows] == list(range(len(rows)))
    assert len(set(np.round(ours, 12))) > 1 or len(rows) < 2  # the schedule really changed the rate


CASES = {
    "StepLR": lambda m, o: m.StepLR(o, step_size=7),
    "StepLR(gamma=0.5)": lambda m, o: m.StepLR(o, step_size=30, gamma=0.5),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, gamma=0.97),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, T_max=100),
    "CosineAnnealingLR(past T_max, eta_min)": lambda m, o: m.CosineAnnealingLR(o, T_max=37, eta_min=0.01),
    "LinearLR": lambda m, o: m.LinearLR(o),
    "LinearLR(down)": lambda m, o: m.LinearLR(o, start_factor=1.0, end_factor=0.05, total_iters=80),
    "LambdaLR": lambda m, o: m.LambdaLR(o, lambda t: 1 / math.sqrt(t + 1)),
    "OneCycleLR": lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=STEPS),
    "OneCycleLR(linear)": lambda m, o: m.OneCycleLR(o, max_lr=0.5, total_steps=STEPS, anneal_strategy="linear"),
    "OneCycleLR(three_phase)": lambda m, o: m.OneCycleLR(o, max_lr=0.5, epochs=12, steps_per_epoch=10,
                                                         three_phase=True, pct_start=0.25),
    "OneCycleLR(three_phase, linear, no momentum)": lambda m, o: m.OneCycleLR(
        o, max_lr=0.5, total_steps=STEPS + 5, three_phase=True, anneal_strategy="linear", cycle_momentum=False,
        div_factor=10.0, final_div_factor=100.0),
    "SequentialLR(warmup, cosine)": lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.1, total_iters=10), m.CosineAnnealingLR(o, T_max=110)], milestones=[10]),
    "SequentialLR(constant, step, exponential)": lambda m, o: m.SequentialLR(
        o, [m.LambdaLR(o, lambda t: 0.5), m.StepLR(o, step_size=9, gamma=0.5), m.ExponentialLR(o, gamma=0.95)],
        milestones=[15, 60]),
}


@pytest.mark.parametrize("name", CASES)
def test_rates_equal_torch_step_by_step(name):
    assert_same(run(CASES[name]))


@pytest.mark.parametrize("name", ["OneCycleLR", "OneCycleLR(three_phase)", "CosineAnnealingLR"])
def test_with_adam_the_rates_and_beta1_equal_torch(name):
    assert_same(run(CASES[name], kind="adam"))


def test_construction_takes_the_initial_step_and_records_initial_lr():
    optimizer = SGD([Parameter(np.zeros(1))], lr=0.2)
    scheduler = lr_scheduler.LinearLR(optimizer, start_factor=0.5, total_iters=4)
    assert scheduler.last_epoch == 0
    assert scheduler.base_lrs == [0.2]
    assert optimizer.param_groups[0]["initial_lr"] == 0.2
    assert optimizer.param_groups[0]["lr"] == scheduler.get_last_lr()[0] == 0.1


def test_one_cycle_switches_on_sgd_momentum_as_torch_does():
    ours = SGD([Parameter(np.zeros(1))], lr=0.1)
    lr_scheduler.OneCycleLR(ours, max_lr=1.0, total_steps=10)
    theirs = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    torch.optim.lr_scheduler.OneCycleLR(theirs, max_lr=1.0, total_steps=10)
    assert ours.param_groups[0]["momentum"] == theirs.param_groups[0]["momentum"] == 0.95


def test_one_cycle_refuses_to_step_past_total_steps():
    scheduler = lr_scheduler.OneCycleLR(SGD([Parameter(np.zeros(1))]), max_lr=1.0, total_steps=3)
    for _ in range(3):
        scheduler.step()
    with pytest.raises(ValueError, match="OneCycleLR: tried to step 4 times; total_steps is 3"):
        scheduler.step()


def test_training_with_a_schedule_gives_torchs_weights():
    """The integration: OneCycleLR moves lr and momentum of SGD; 60 steps of the same gradients, same weights."""
    start = np.array([1.0, -1.0, 0.5])
    p, q = Parameter(start), torch.tensor(start, requires_grad=True)
    opt, opt_t = SGD([p], lr=0.1, momentum=0.9, nesterov=True), torch.optim.SGD([q], lr=0.1, momentum=0.9,
                                                                                nesterov=True)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=0.3, total_steps=60)
    sched_t = torch.optim.lr_scheduler.OneCycleLR(opt_t, max_lr=0.3, total_steps=60)
    for _ in range(60):
        p.grad = np.sin(p.data) + p.data
        q.grad = torch.sin(q.detach()) + q.detach()
        opt.step()
        opt_t.step()
        sched.step()
        sched_t.step()
    np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-11)


def test_state_dict_resumes_the_schedule():
    optimizer = SGD([Parameter(np.zeros(1))], lr=1.0)
    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=20)
    for _ in range(7):
        scheduler.step()
    saved = scheduler.state_dict()
    assert "optimizer" not in saved
    other = lr_scheduler.CosineAnnealingLR(SGD([Parameter(np.zeros(1))], lr=1.0), T_max=20)
    other.load_state_dict(saved)
    scheduler.step()
    other.step()
    assert other.last_epoch == scheduler.last_epoch == 8
    assert other.get_last_lr() == scheduler.get_last_lr()


@pytest.mark.parametrize("make, message", [
    (lambda o: lr_scheduler.StepLR(o, step_size=0), "StepLR: step_size must be a positive integer, got 0"),
    (lambda o: lr_scheduler.StepLR(o, step_size=2.5), "StepLR: step_size must be a positive integer, got 2.5"),
    (lambda o: lr_scheduler.ExponentialLR(o, gamma=-0.5), "ExponentialLR: gamma must be .* got -0.5"),
    (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0), "CosineAnnealingLR: T_max must be .* got 0"),
    (lambda o: lr_scheduler.LinearLR(o, start_factor=0.0), "LinearLR: start_factor must be > 0 .* got 0.0"),
    (lambda o: lr_scheduler.LinearLR(o, end_factor=1.5), r"LinearLR: end_factor must be .*\[0.0, 1.0\], got 1.5"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0), "OneCycleLR: give either total_steps or both epochs"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="exp"),
     "OneCycleLR: anneal_strategy must be 'cos' or 'linear', got 'exp'"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1.2),
     r"OneCycleLR: pct_start must be .* got 1.2"),
    (lambda o: lr_scheduler.LambdaLR(o, 0.5), "LambdaLR: lr_lambda must be a function of the step count, got 0.5"),
    (lambda o: lr_scheduler.StepLR(o, step_size=2, last_epoch=5), "StepLR: last_epoch must be -1 .* got 5"),
    (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.StepLR(o, 2)], milestones=[3]),
     "SequentialLR: expects one milestone fewer than schedulers, got 1 schedulers and 1 milestones"),
    (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.StepLR(SGD([Parameter(np.zeros(1))]), 2)], []),
     r"SequentialLR: schedulers\[0\] wraps a different optimizer"),
])
def test_bad_arguments_are_named(make, message):
    with pytest.raises(ValueError, match=message):
        make(SGD([Parameter(np.zeros(1))], lr=0.1))


def test_a_scheduler_needs_an_nncourse_optimizer():
    with pytest.raises(TypeError, match="StepLR: optimizer must be an nncourse.optim Optimizer, got SGD"):
        lr_scheduler.StepLR(torch.optim.SGD([torch.zeros(1, requires_grad=True)]), step_size=2)
