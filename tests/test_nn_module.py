"""Specification of Parameter, Module and Sequential: parameters listed once, gradients that accumulate (also
from ``grad = None``), and a layer refused where reusing it would give wrong gradients."""

import numpy as np
import pytest
import torch

from nncourse import nn
from nncourse.optim import SGD


def test_a_layer_used_twice_is_refused_because_its_cache_would_give_wrong_gradients():
    layer = nn.Linear(3, 3)
    with pytest.raises(ValueError, match=r"Sequential: argument 2 is the same Linear\(.*\) as argument 0"):
        nn.Sequential(layer, nn.Tanh(), layer)


def test_tied_weights_are_listed_once_and_get_the_sum_of_both_gradients_as_in_pytorch():
    first, second = nn.Linear(3, 3, dtype=np.float64, rng=0), nn.Linear(3, 3, dtype=np.float64, rng=1)
    second.weight = first.weight  # weight tying
    model = nn.Sequential(first, nn.Tanh(), second)
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.bias"]

    reference = torch.nn.Sequential(torch.nn.Linear(3, 3, dtype=torch.float64), torch.nn.Tanh(),
                                    torch.nn.Linear(3, 3, dtype=torch.float64))
    with torch.no_grad():
        reference[0].weight.copy_(torch.from_numpy(first.weight.data))
        reference[0].bias.copy_(torch.from_numpy(first.bias.data))
        reference[2].bias.copy_(torch.from_numpy(second.bias.data))
    reference[2].weight = reference[0].weight
    assert len(list(reference.parameters())) == 3

    x = np.random.default_rng(2).normal(size=(4, 3))
    g = np.random.default_rng(3).normal(size=(4, 3))
    model(x)
    model.backward(g)
    reference(torch.from_numpy(x)).backward(torch.from_numpy(g))
    for ours, theirs in zip(model.parameters(), reference.parameters(), strict=True):
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12)

    before = first.weight.data.copy()
    SGD(model.parameters(), lr=0.1).step()  # one step of the summed gradient, not two
    np.testing.assert_allclose(first.weight.data, before - 0.1 * reference[0].weight.grad.numpy(), rtol=1e-12)


def test_grad_none_is_started_afresh_by_backward_and_zero_grad():
    layer = nn.Linear(2, 1, dtype=np.float64, rng=0)
    layer.weight.grad = None
    layer.bias.grad = None
    layer(np.ones((3, 2)))
    layer.backward(np.ones((3, 1)))
    np.testing.assert_array_equal(layer.bias.grad, [3.0])
    layer.weight.grad = None
    layer.zero_grad()
    np.testing.assert_array_equal(layer.weight.grad, np.zeros((1, 2)))


def test_parameter_accumulate_adds_and_keeps_the_dtype():
    p = nn.Parameter(np.zeros(2, dtype=np.float32))
    p.grad = None
    p.accumulate(np.array([1.0, 2.0]))
    p.accumulate(np.array([1.0, 2.0]))
    assert p.grad.dtype == np.float32
    np.testing.assert_array_equal(p.grad, [2.0, 4.0])
