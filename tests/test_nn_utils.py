"""Specification of ``nncourse.nn.utils``: gradient clipping as ``torch.nn.utils``, and the L1 penalty."""

import math

import numpy as np
import pytest
import torch

from nncourse.nn import Parameter
from nncourse.nn.utils import clip_grad_norm_, clip_grad_value_, l1_penalty, l1_penalty_grad_


def parameter_pairs(scale, seed=0):
    """Three parameters with gradients, in nncourse and as torch tensors with the same .grad."""
    rng = np.random.default_rng(seed)
    ours, theirs = [], []
    for shape in [(4, 3), (4,), (2, 4)]:
        p = Parameter(rng.normal(size=shape))
        p.grad = scale * rng.normal(size=shape)
        t = torch.tensor(p.data, requires_grad=True)
        t.grad = torch.tensor(p.grad)
        ours.append(p)
        theirs.append(t)
    return ours, theirs


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.5, float("inf"), "inf"])
@pytest.mark.parametrize("scale", [0.01, 10.0])  # below and above max_norm
def test_clip_grad_norm_matches_torch(norm_type, scale):
    ours, theirs = parameter_pairs(scale)
    total = clip_grad_norm_(ours, max_norm=1.0, norm_type=norm_type)
    total_t = torch.nn.utils.clip_grad_norm_(theirs, max_norm=1.0, norm_type=norm_type)
    assert isinstance(total, float)
    assert total == pytest.approx(total_t.item(), rel=1e-13)
    for p, t in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-13, atol=1e-15)


def test_clip_grad_norm_keeps_the_direction_and_caps_the_length():
    ours, _ = parameter_pairs(10.0)
    before = np.concatenate([p.grad.ravel() for p in ours])
    clip_grad_norm_(ours, max_norm=2.0)
    after = np.concatenate([p.grad.ravel() for p in ours])
    assert np.linalg.norm(after) == pytest.approx(2.0, rel=1e-5)
    np.testing.assert_allclose(after / np.linalg.norm(after), before / np.linalg.norm(before), rtol=1e-12)


def test_clip_grad_norm_skips_missing_gradients_and_takes_a_single_parameter():
    p, q = Parameter(np.zeros(2)), Parameter(np.zeros(2))
    p.grad, q.grad = np.array([3.0, 4.0]), None
    assert clip_grad_norm_([p, q], 10.0) == 5.0
    assert q.grad is None
    assert clip_grad_norm_(p, 10.0) == 5.0
    assert clip_grad_norm_([q], 1.0) == 0.0


def test_clip_grad_norm_large_p_does_not_overflow():
    p = Parameter(np.zeros(2))
    p.grad = np.array([1e200, 1e200])
    assert clip_grad_norm_([p], 1.0, norm_type=4.0) == pytest.approx(1e200 * 2 ** 0.25, rel=1e-14)


def test_clip_grad_norm_nonfinite_total():
    p = Parameter(np.zeros(2))
    p.grad = np.array([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="total norm .* is inf"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    assert math.isinf(clip_grad_norm_([p], 1.0))
    assert np.isnan(p.grad[0])  # ∞ · 0, as PyTorch leaves it


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((5, 1.0), {}, "parameters must be a Parameter or an iterable"),
        (([np.zeros(2)], 1.0), {}, r"parameters\[0\] must be a Parameter"),
        (([], "1"), {}, "max_norm must be a real number"),
        (([], 1.0), {"norm_type": 0}, "norm_type must be > 0 or inf"),
        (([], 1.0), {"norm_type": "two"}, "norm_type must be a real number"),
    ],
)
def test_clip_grad_norm_refuses_bad_arguments(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        clip_grad_norm_(*args, **kwargs)


def test_clip_grad_value_matches_torch():
    ours, theirs = parameter_pairs(3.0)
    clip_grad_value_(ours, 0.5)
    torch.nn.utils.clip_grad_value_(theirs, 0.5)
    for p, t in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(p.grad, t.grad.numpy())
        assert np.abs(p.grad).max() == 0.5
    with pytest.raises(ValueError, match="clip_value must be >= 0"):
        clip_grad_value_(ours, -1.0)


def test_l1_penalty_value_and_gradient_match_torch_autograd():
    ours, theirs = parameter_pairs(1.0, seed=4)
    ours[1].data[0] = 0.0  # |w| at 0: PyTorch's (sub)gradient there is 0
    theirs = [torch.tensor(p.data, requires_grad=True) for p in ours]
    for p in ours:
        p.zero_grad()
    value = l1_penalty(ours, alpha=0.01)
    value_t = 0.01 * sum(t.abs().sum() for t in theirs)
    value_t.backward()
    assert value == pytest.approx(value_t.item(), rel=1e-14)
    l1_penalty_grad_(ours, alpha=0.01)
    for p, t in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-14)
    assert ours[1].grad[0] == 0.0
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        l1_penalty(ours, -0.1)
