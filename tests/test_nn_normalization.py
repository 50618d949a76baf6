"""Specification of ``BatchNorm1d`` and ``LayerNorm``: PyTorch's forward, backward and running statistics."""

import numpy as np
import pytest
import torch

from nncourse import nn
from nncourse.nn.normalization import batch_norm_backward, batch_norm_forward

RTOL, ATOL = 1e-10, 1e-12


def randomise_affine(ours, theirs, rng):
    """Give both layers the same non-trivial γ and β (the defaults 1 and 0 would hide mistakes)."""
    if ours.weight is not None:
        ours.weight.data[...] = rng.normal(1.0, 0.5, size=ours.weight.shape)
        with torch.no_grad():
            theirs.weight.copy_(torch.from_numpy(ours.weight.data))
    if ours.bias is not None:
        ours.bias.data[...] = rng.normal(0.0, 0.5, size=ours.bias.shape)
        with torch.no_grad():
            theirs.bias.copy_(torch.from_numpy(ours.bias.data))


def compare_step(ours, theirs, x, rng):
    """One forward and backward pass in both; outputs, input gradients and parameter gradients must agree."""
    x_t = torch.tensor(x, requires_grad=True)
    y_t = theirs(x_t)
    grad = rng.normal(size=y_t.shape)
    y_t.backward(torch.from_numpy(grad))
    y = ours(x)
    np.testing.assert_allclose(y, y_t.detach().numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ours.backward(grad), x_t.grad.numpy(), rtol=RTOL, atol=ATOL)
    for (name, p), (name_t, q) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        assert name == name_t
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("shape", [(16, 5), (8, 5, 7)])
@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
def test_batchnorm_training_then_eval_matches_torch(shape, momentum):
    rng = np.random.default_rng(0)
    ours = nn.BatchNorm1d(5, momentum=momentum, dtype=np.float64)
    theirs = torch.nn.BatchNorm1d(5, momentum=momentum, dtype=torch.float64)
    randomise_affine(ours, theirs, rng)
    for _ in range(3):  # three training batches: the running statistics must follow PyTorch's
        ours.zero_grad()
        theirs.zero_grad()
        compare_step(ours, theirs, rng.normal(3.0, 2.0, size=shape), rng)
        np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=RTOL, atol=ATOL)
    assert ours.num_batches_tracked == theirs.num_batches_tracked.item() == 3
    ours.eval()
    theirs.eval()
    ours.zero_grad()
    theirs.zero_grad()
    compare_step(ours, theirs, rng.normal(3.0, 2.0, size=shape), rng)  # running statistics, fixed μ and σ²


@pytest.mark.parametrize(("affine", "track", "bias"), [(False, True, True), (True, False, True),
                                                     (False, False, True), (True, True, False)])
def test_batchnorm_options_match_torch_in_both_modes(affine, track, bias):
    rng = np.random.default_rng(1)
    ours = nn.BatchNorm1d(4, affine=affine, track_running_stats=track, dtype=np.float64, bias=bias)
    theirs = torch.nn.BatchNorm1d(4, affine=affine, track_running_stats=track, dtype=torch.float64, bias=bias)
    assert repr(ours) == repr(theirs)
    randomise_affine(ours, theirs, rng)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    compare_step(ours, theirs, rng.normal(size=(10, 4)), rng)
    ours.eval()
    theirs.eval()
    compare_step(ours, theirs, rng.normal(size=(10, 4)), rng)
    if not track:
        assert ours.running_mean is None and theirs.running_mean is None


def test_batchnorm_uses_the_biased_variance_in_training_and_the_unbiased_one_for_running_var():
    layer = nn.BatchNorm1d(1, momentum=1.0, dtype=np.float64)  # momentum 1: the running stats = last batch's
    x = np.array([[1.0], [2.0], [6.0]])
    y = layer(x)
    np.testing.assert_allclose(y[:, 0], (x[:, 0] - 3.0) / np.sqrt(14 / 3 + 1e-5), rtol=1e-14)
    assert layer.running_mean[0] == pytest.approx(3.0, rel=1e-15)
    assert layer.running_var[0] == pytest.approx(7.0, rel=1e-15)  # 14 / (3 − 1)


def test_batchnorm_gradient_matches_finite_differences():
    rng = np.random.default_rng(2)
    layer = nn.BatchNorm1d(3, dtype=np.float64)
    layer.weight.data[...] = [0.5, 2.0, -1.0]
    x = rng.normal(size=(6, 3))
    g = rng.normal(size=(6, 3))
    layer(x)
    dx = layer.backward(g)
    h, numeric = 1e-6, np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        numeric[index] = ((layer(x + step) * g).sum() - (layer(x - step) * g).sum()) / (2 * h)
    np.testing.assert_allclose(dx, numeric, rtol=1e-6, atol=1e-8)


def test_batchnorm_refuses_one_sample_when_training_and_accepts_it_in_eval():
    layer = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="expected more than 1 value per channel when training"):
        layer(np.ones((1, 3)))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        torch.nn.BatchNorm1d(3)(torch.ones(1, 3))
    assert layer.eval()(np.ones((1, 3))).shape == (1, 3)


def test_batchnorm_repr_defaults_and_buffers_are_torchs():
    ours, theirs = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    assert repr(ours) == repr(theirs)
    assert repr(nn.BatchNorm1d(2, momentum=None, affine=False)) == repr(torch.nn.BatchNorm1d(2, momentum=None,
                                                                                             affine=False))
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())
    np.testing.assert_array_equal(ours.bias.data, theirs.bias.detach().numpy())
    assert ours.weight.dtype == ours.running_mean.dtype == np.float32
    names = [name for name, _ in ours.named_buffers()]
    assert names == [name for name, _ in theirs.named_buffers()] == ["running_mean", "running_var",
                                                                      "num_batches_tracked"]


def test_train_and_eval_reach_batchnorm_inside_sequential():
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.BatchNorm1d(4), nn.ReLU())
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    model(x)
    assert model[1].num_batches_tracked == 1
    model.eval()
    model(x)
    assert not model[1].training and model[1].num_batches_tracked == 1  # evaluation leaves the statistics alone


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_features": 0}, "num_features must be"),
        ({"num_features": 3, "eps": -1.0}, "eps must be"),
        ({"num_features": 3, "momentum": 1.5}, "momentum must be"),
        ({"num_features": 3, "momentum": "0.1"}, "momentum must be"),
        ({"num_features": 3, "dtype": np.int64}, "dtype must be a floating-point"),
    ],
)
def test_batchnorm_refuses_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nn.BatchNorm1d(**kwargs)


def test_batchnorm_refuses_bad_input_with_the_expected_shape():
    layer = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 3\).*got shape \(4, 2\)"):
        layer(np.ones((4, 2)))
    with pytest.raises(ValueError, match="expected 2D"):
        layer(np.ones((2, 3, 4, 5)))
    with pytest.raises(RuntimeError, match="before forward"):
        nn.BatchNorm1d(3).backward(np.ones((4, 3)))
    layer(np.random.default_rng(0).normal(size=(4, 3)))
    with pytest.raises(ValueError, match=r"expected grad_output of shape \(4, 3\)"):
        layer.backward(np.ones((3, 4)))


def test_functional_batch_norm_pair_agrees_with_the_layer():
    rng = np.random.default_rng(3)
    x, g = rng.normal(size=(7, 2)), rng.normal(size=(7, 2))
    gamma, beta = np.array([1.5, -0.5]), np.array([0.1, 0.2])
    layer = nn.BatchNorm1d(2, dtype=np.float64)
    layer.weight.data[...], layer.bias.data[...] = gamma, beta
    y, cache = batch_norm_forward(x, gamma, beta)
    np.testing.assert_allclose(y, layer(x), rtol=1e-14)
    dx, dgamma, dbeta = batch_norm_backward(g, cache)
    np.testing.assert_allclose(dx, layer.backward(g), rtol=1e-14)
    np.testing.assert_allclose(dgamma, layer.weight.grad, rtol=1e-14)
    np.testing.assert_allclose(dbeta, layer.bias.grad, rtol=1e-14)


@pytest.mark.parametrize(
    ("normalized_shape", "shape", "kwargs"),
    [
        (6, (5, 6), {}),
        (6, (2, 3, 6), {}),
        ((3, 4), (5, 3, 4), {}),
        (6, (5, 6), {"elementwise_affine": False}),
        (6, (5, 6), {"bias": False}),
        (6, (5, 6), {"eps": 1e-2}),
    ],
)
def test_layernorm_matches_torch_in_train_and_eval(normalized_shape, shape, kwargs):
    rng = np.random.default_rng(4)
    ours = nn.LayerNorm(normalized_shape, dtype=np.float64, **kwargs)
    theirs = torch.nn.LayerNorm(normalized_shape, dtype=torch.float64, **kwargs)
    randomise_affine(ours, theirs, rng)
    assert repr(ours) == repr(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    compare_step(ours, theirs, rng.normal(2.0, 3.0, size=shape), rng)
    ours.eval()
    theirs.eval()
    ours.zero_grad()
    theirs.zero_grad()
    compare_step(ours, theirs, rng.normal(2.0, 3.0, size=shape), rng)


def test_layernorm_treats_every_sample_on_its_own():
    layer = nn.LayerNorm(4, dtype=np.float64)
    x = np.random.default_rng(5).normal(size=(6, 4))
    np.testing.assert_allclose(layer(x)[:1], layer(x[:1]), rtol=1e-15)  # a batch of one gives the same row


def test_layernorm_refuses_bad_arguments_and_input():
    with pytest.raises(ValueError, match="normalized_shape must be an int or a tuple"):
        nn.LayerNorm("six")
    with pytest.raises(ValueError, match="each size in normalized_shape must be"):
        nn.LayerNorm((3, 0))
    with pytest.raises(ValueError, match="eps must be"):
        nn.LayerNorm(3, eps=float("nan"))
    with pytest.raises(ValueError, match=r"expected input of shape \(\*, 4\).*got shape \(2, 3\)"):
        nn.LayerNorm(4)(np.ones((2, 3)))
    with pytest.raises(RuntimeError, match="before forward"):
        nn.LayerNorm(4).backward(np.ones((2, 4)))


def test_extreme_inputs_stay_finite():
    x = np.array([[1e4, -1e4, 0.0], [1e4, 1e4, 1e4]])
    for layer in (nn.BatchNorm1d(3, dtype=np.float64), nn.LayerNorm(3, dtype=np.float64)):
        y = layer(x)
        assert np.all(np.isfinite(y)) and np.all(np.isfinite(layer.backward(np.ones_like(y))))


def test_first_layer_of_a_sequential_may_skip_the_input_gradient():
    x = np.random.default_rng(6).normal(size=(5, 3))
    for first in (nn.BatchNorm1d(3, dtype=np.float64), nn.LayerNorm(3, dtype=np.float64), nn.Dropout(0.5, rng=0)):
        model = nn.Sequential(first, nn.Linear(3, 2, dtype=np.float64, rng=0))
        model(x)
        assert model.backward(np.ones((5, 2)), input_grad=False) is None
        if not isinstance(first, nn.Dropout):
            assert np.abs(first.weight.grad).sum() > 0  # the parameters still got their gradients
