"""Specification of ``lr_range_test`` (Smith 2017): exponentially growing rates, one mini-batch loss each."""

import numpy as np
import pytest

from nncourse.data import make_moons
from nncourse.nn import CrossEntropyLoss, build_mlp
from nncourse.optim import Adam, RangeTest, lr_range_test


@pytest.fixture
def setup():
    return build_mlp([2, 16, 2], "tanh", rng=0), CrossEntropyLoss(), make_moons(200, rng=0)


def test_rates_grow_geometrically_from_start_to_end(setup):
    model, loss_fn, data = setup
    result = lr_range_test(model, loss_fn, data, start_lr=1e-4, end_lr=1e-1, num_steps=31, diverge_factor=1e9)
    assert len(result.lrs) == len(result.losses) == len(result.smoothed) == 31
    np.testing.assert_allclose(result.lrs, 1e-4 * 10 ** (np.arange(31) / 10), rtol=1e-12)
    assert result.losses[-1] < result.losses[0]  # useful rates at the end of this range: the loss fell


def test_the_model_is_restored_afterwards(setup):
    model, loss_fn, data = setup
    before = [p.data.copy() for p in model.parameters()]
    lr_range_test(model, loss_fn, data, num_steps=20)
    for p, b in zip(model.parameters(), before, strict=True):
        np.testing.assert_array_equal(p.data, b)


def test_it_stops_when_the_loss_explodes_and_reads_a_sensible_rate(setup):
    model, loss_fn, data = setup
    result = lr_range_test(model, loss_fn, data, start_lr=1e-3, end_lr=1e3, num_steps=120)
    assert len(result.lrs) < 120  # stopped early: the smoothed loss passed 4 × its minimum
    assert result.smoothed[-1] > 4 * result.smoothed.min()
    assert 1e-2 < result.steepest <= result.lr_at_minimum < 1e3


def test_smoothing_is_a_bias_corrected_moving_average():
    model, loss_fn, data = build_mlp([2, 8, 2], "relu", rng=1), CrossEntropyLoss(), make_moons(100, rng=1)
    result = lr_range_test(model, loss_fn, data, num_steps=10, beta=0.5, diverge_factor=1e9)
    average, expected = 0.0, []
    for k, loss in enumerate(result.losses):
        average = 0.5 * average + 0.5 * loss
        expected.append(average / (1 - 0.5 ** (k + 1)))
    np.testing.assert_allclose(result.smoothed, expected, rtol=1e-12)
    assert result.smoothed[0] == result.losses[0]


def test_any_optimizer_can_be_used(setup):
    model, loss_fn, data = setup
    result = lr_range_test(model, loss_fn, data, optimizer=lambda params: Adam(params), start_lr=1e-4, end_lr=1.0,
                           num_steps=40)
    assert isinstance(result, RangeTest) and len(result.losses) > 10


@pytest.mark.parametrize("options, message", [
    ({"start_lr": 1.0, "end_lr": 0.1}, "needs 0 < start_lr < end_lr, got start_lr=1.0 and end_lr=0.1"),
    ({"num_steps": 1}, "num_steps must be at least 2, got 1"),
    ({"beta": 1.0}, r"beta must be a finite number in \[0.0, 1.0\), got 1.0"),
    ({"optimizer": lambda params: "sgd"}, "optimizer must return an Optimizer, got str"),
])
def test_bad_arguments_are_named(setup, options, message):
    model, loss_fn, data = setup
    with pytest.raises(ValueError, match="lr_range_test: " + message):
        lr_range_test(model, loss_fn, data, **options)
