"""Specification of ``nncourse.optim.SGD`` and ``Optimizer``: the same steps as ``torch.optim.SGD``."""

import math

import numpy as np
import pytest
import torch

from nncourse.nn import CrossEntropyLoss, Linear, Parameter, ReLU, Sequential
from nncourse.optim import SGD, Optimizer


def twin_models(seed=0):
    """Our 3-8-4 MLP in float64 and a torch.nn.Sequential with copied weights."""
    ours = Sequential(
        Linear(3, 8, dtype=np.float64, rng=seed), ReLU(), Linear(8, 4, dtype=np.float64, rng=seed + 1)
    )
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 4)).double()
    with torch.no_grad():
        for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
            q.copy_(torch.from_numpy(p.data))
    return ours, theirs


def test_sgd_steps_equal_torch_optim_sgd():
    ours, theirs = twin_models()
    opt, opt_t = SGD(ours.parameters(), lr=0.1), torch.optim.SGD(theirs.parameters(), lr=0.1)
    criterion, criterion_t = CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    for _ in range(5):
        x, y = rng.normal(size=(16, 3)), rng.integers(0, 4, size=16)
        opt.zero_grad()
        criterion(ours(x), y)
        ours.backward(criterion.backward())
        opt.step()
        opt_t.zero_grad()
        criterion_t(theirs(torch.tensor(x)), torch.tensor(y)).backward()
        opt_t.step()
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_step_is_theta_minus_lr_times_grad():
    p = Parameter(np.array([1.0, -2.0]))
    p.grad[:] = [0.5, 4.0]
    SGD([p], lr=0.25).step()
    np.testing.assert_array_equal(p.data, [1.0 - 0.125, -2.0 - 1.0])


def test_zero_grad_zeros_every_gradient_in_place():
    model, _ = twin_models()
    grads = [p.grad for p in model.parameters()]
    for p in model.parameters():
        p.grad += 1.0
    SGD(model.parameters(), lr=0.1).zero_grad()
    assert all(not p.grad.any() for p in model.parameters())
    assert all(p.grad is g for p, g in zip(model.parameters(), grads, strict=True))


def test_default_lr_and_param_groups_follow_pytorch():
    p = Parameter(np.zeros(2))
    opt = SGD([p])
    assert opt.param_groups[0]["lr"] == torch.optim.SGD([torch.zeros(2)]).defaults["lr"] == 1e-3
    assert opt.param_groups[0]["params"] == [p]
    # A learning-rate schedule changes the group's "lr", and the next step uses it.
    p.grad[:] = 1.0
    opt.param_groups[0]["lr"] = 0.5
    opt.step()
    np.testing.assert_array_equal(p.data, [-0.5, -0.5])
    assert "lr: 0.5" in repr(opt)


def test_lr_zero_is_allowed():
    p = Parameter(np.ones(2))
    p.grad[:] = 3.0
    SGD([p], lr=0).step()
    np.testing.assert_array_equal(p.data, [1.0, 1.0])


@pytest.mark.parametrize("lr", [-0.1, math.nan, math.inf, "fast", None])
def test_bad_lr_is_named_in_the_error(lr):
    with pytest.raises(ValueError, match=f"SGD: lr must be .*got {lr!r}"):
        SGD([Parameter(np.zeros(1))], lr=lr)


def test_params_are_validated():
    with pytest.raises(ValueError, match="SGD: params is empty"):
        SGD([], lr=0.1)
    with pytest.raises(ValueError, match="SGD: params is empty"):
        SGD(Sequential(ReLU()).parameters(), lr=0.1)  # a generator with nothing in it
    with pytest.raises(ValueError, match="SGD: .*only Parameters, got ndarray at position 1"):
        SGD([Parameter(np.zeros(1)), np.zeros(1)], lr=0.1)
    with pytest.raises(ValueError, match="SGD: params must be an iterable of Parameters.*single Parameter"):
        SGD(Parameter(np.zeros(1)), lr=0.1)
    with pytest.raises(ValueError, match="SGD: params must be an iterable.*got int"):
        SGD(3, lr=0.1)


def test_optimizer_base_requires_a_step():
    opt = Optimizer([Parameter(np.zeros(1))], {"lr": 0.1})
    with pytest.raises(NotImplementedError, match="Optimizer must implement step"):
        opt.step()


def test_the_same_parameter_twice_is_refused_rather_than_stepped_twice():
    p = Parameter(np.zeros(2))
    with pytest.raises(ValueError, match=r"SGD: params contains the same Parameter twice \(positions 0 and 1\)"):
        SGD([p, p], lr=0.1)


def test_a_parameter_whose_grad_is_none_is_skipped_and_zero_grad_restarts_it():
    p, q = Parameter(np.ones(2)), Parameter(np.ones(2))
    q.grad = np.full(2, 0.5)
    p.grad = None
    optimizer = SGD([p, q], lr=1.0)
    optimizer.step()
    np.testing.assert_array_equal(p.data, [1.0, 1.0])
    np.testing.assert_array_equal(q.data, [0.5, 0.5])
    optimizer.zero_grad()
    np.testing.assert_array_equal(p.grad, [0.0, 0.0])
