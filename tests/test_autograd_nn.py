"""Specification of nncourse.autograd.nn: losses and layers written with Tensor operations only.

Values and gradients agree with torch (float64, rtol 1e-10, atol 1e-12); the layers take their weights from
nncourse.nn (one initialisation, one MLP builder); the losses refuse what nncourse.nn's losses refuse.
"""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

from nncourse import nn
from nncourse.autograd import MLP, Linear, Tensor, binary_cross_entropy_with_logits, cross_entropy, mse_loss

RTOL, ATOL = 1e-10, 1e-12
rng = np.random.default_rng(4)


def pair(array):
    array = np.asarray(array, dtype=np.float64)
    return Tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)


def assert_same(ours, theirs):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=RTOL, atol=ATOL)


# --------------------------------------------------------------------------- losses

PROBABILITIES = rng.uniform(size=(6, 4))
LOSSES = {  # name: (ours, torch's, prediction, target)
    "mse": (mse_loss, TF.mse_loss, rng.normal(size=(6, 4)), rng.normal(size=(6, 4))),
    "bce_logits": (binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits,
                   rng.normal(0, 3, size=(6, 4)), PROBABILITIES),
    "cross_entropy": (cross_entropy, TF.cross_entropy, rng.normal(size=(6, 4)), np.array([0, 3, 1, 1, 2, 0])),
}


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("name", list(LOSSES))
def test_losses_and_their_gradients_match_torch(name, reduction):
    ours_fn, torch_fn, prediction, target = LOSSES[name]
    z, zt = pair(prediction)
    loss = ours_fn(z, target, reduction=reduction)
    loss_t = torch_fn(zt, torch.tensor(target), reduction=reduction)
    assert_same(loss.data, loss_t)
    loss.backward()
    loss_t.backward()
    assert_same(z.grad, zt.grad)


def test_binary_cross_entropy_with_logits_is_finite_at_extreme_logits_like_torch():
    logits = np.array([[-1e4], [-800.0], [0.0], [800.0], [1e4]])
    target = np.array([[1.0], [1.0], [0.5], [0.0], [1.0]])
    z, zt = pair(logits)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = binary_cross_entropy_with_logits(z, target)
        loss.backward()
    loss_t = TF.binary_cross_entropy_with_logits(zt, torch.tensor(target))
    loss_t.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(z.grad))
    assert_same(loss.data, loss_t)
    assert_same(z.grad, zt.grad)
    # −log σ(−800) = 800: one sample of label 1 and logit −800
    assert binary_cross_entropy_with_logits(Tensor([-800.0], dtype=np.float64), [1.0]).item() == 800.0


def test_targets_may_be_tensors_or_arrays():
    z = Tensor(rng.normal(size=(3, 2)))
    y = rng.normal(size=(3, 2))
    assert mse_loss(z, y).item() == mse_loss(z, Tensor(y)).item()
    bce = binary_cross_entropy_with_logits
    assert bce(z, y > 0).item() == bce(z, Tensor(y > 0)).item()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        # PyTorch broadcasts a (3, 1) prediction against a (3,) target into a (3, 3) loss: a wrong value
        (lambda: mse_loss(Tensor(np.ones((3, 1))), np.zeros(3)),
         r"mse_loss: input and target must have the same shape, got input of shape \(3, 1\) and target of "
         r"shape \(3,\); reshape the target, e.g. y.reshape\(-1, 1\)"),
        (lambda: binary_cross_entropy_with_logits(Tensor(np.ones((2, 2))), np.ones(3)),
         r"binary_cross_entropy_with_logits: input and target must have the same shape.*\(2, 2\).*\(3,\)$"),
        (lambda: binary_cross_entropy_with_logits(Tensor(np.ones(2)), np.array([0.0, 2.0])),
         r"target must hold probabilities in \[0, 1\], got values from 0 to 2"),
        (lambda: mse_loss(np.ones(3), np.ones(3)), r"mse_loss: input \(the prediction\) must be a Tensor, got array"),
        (lambda: mse_loss(Tensor(np.ones((0, 2))), np.ones((0, 2))), r"mse_loss: got an empty batch.*\(0, 2\)"),
        (lambda: mse_loss(Tensor([np.nan]), [1.0]), "mse_loss: input .* must be finite.*diverged"),
        (lambda: mse_loss(Tensor([1.0]), [None]), "must be real numbers"),
        (lambda: mse_loss(Tensor([1.0]), [1.0], reduction="none"), r"reduction must be 'mean' or 'sum', got 'none'"),
        (lambda: cross_entropy(Tensor(np.ones((2, 3))), np.array([0.0, 1.0])), r"integer class indices of shape "
                                                                               r"\(2,\)"),
        (lambda: cross_entropy(Tensor(np.ones((2, 3))), np.array([True, False])), "integer class indices"),
        (lambda: cross_entropy(Tensor(np.ones((2, 3))), np.array([0, 1, 2])),
         r"of shape \(2,\) for input of shape \(2, 3\), got array of shape \(3,\)"),
        (lambda: cross_entropy(Tensor(np.ones((2, 3))), Tensor([0, 1])), r"integer class indices.*float32"),
        (lambda: cross_entropy(Tensor(np.ones((2, 3))), np.array([0, 3])), r"classes must lie in 0..2, got 0 to 3"),
        (lambda: cross_entropy(Tensor(np.ones(3)), np.array([0])), r"logits of shape \(N, C\), got shape \(3,\)"),
    ],
)
def test_bad_loss_input_is_explained(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# --------------------------------------------------------------------------- layers

def test_linear_takes_nn_linears_weights_and_layout():
    layer = Linear(50, 7, rng=0, dtype=np.float64)
    reference = nn.Linear(50, 7, rng=0, dtype=np.float64)  # the same draws: one initialisation
    np.testing.assert_array_equal(layer.weight.data, reference.weight.data)
    np.testing.assert_array_equal(layer.bias.data, reference.bias.data)
    assert layer.weight.shape == (7, 50) and layer.bias.shape == (7,)
    assert [p.requires_grad for p in layer.parameters()] == [True, True]
    assert layer(Tensor(np.ones((3, 50)))).shape == (3, 7)
    no_bias = Linear(4, 2, bias=False)
    assert no_bias.bias is None and len(no_bias.parameters()) == 1
    assert Linear(4, 2).weight.dtype == np.float32


def test_linear_copies_a_modules_parameters():
    module = nn.Linear(3, 2, dtype=np.float64, rng=1)
    layer = Linear.from_module(module)
    layer.weight.data += 1.0
    assert not np.array_equal(layer.weight.data, module.weight.data)  # a copy, not a view


def test_linear_matches_torch():
    layer = Linear(4, 3, rng=2, dtype=np.float64)
    reference = torch.nn.Linear(4, 3).double()
    with torch.no_grad():
        reference.weight.copy_(torch.tensor(layer.weight.data))
        reference.bias.copy_(torch.tensor(layer.bias.data))
    x, xt = pair(rng.normal(size=(5, 4)))
    out, out_t = layer(x), reference(xt)
    assert_same(out.data, out_t)
    upstream = rng.normal(size=(5, 3))
    out.backward(upstream)
    out_t.backward(torch.tensor(upstream))
    assert_same(x.grad, xt.grad)
    assert_same(layer.weight.grad, reference.weight.grad)
    assert_same(layer.bias.grad, reference.bias.grad)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Linear(0, 3), r"Linear\(0, 3\): in_features must be a finite integer > 0, got 0"),
        (lambda: Linear(3, -1), r"out_features must be a finite integer > 0, got -1"),
        (lambda: Linear(2.5, 3), r"in_features must be a finite integer > 0, got 2.5"),
        (lambda: Linear.from_module(nn.Tanh()), r"Linear.from_module: expected an nncourse.nn.Linear, got Tanh"),
        (lambda: MLP([4]), "at least two positive integers"),
        (lambda: MLP([4, 2], activation="softmax"), r"activation must be one of \['sigmoid'"),
        (lambda: MLP([4, 2], init="magic"), "init must be one of"),
    ],
)
def test_bad_layer_arguments_are_explained(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_every_registered_activation_but_softplus_has_a_tensor_method():
    # softplus is Chapter 5's exercise (the learner adds it to the engine), so the engine must not have it;
    # the MLP builds it from the registry (test_mlp_forward_and_backward_match_torch covers it)
    assert all(callable(getattr(Tensor, name, None)) for name in nn.ACTIVATIONS if name != "softplus")
    assert not hasattr(Tensor, "softplus")


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("activation", list(nn.ACTIVATIONS))
def test_mlp_has_build_mlps_weights(activation, bias):
    model = MLP([3, 5, 4, 2], activation, bias=bias, rng=7, dtype=np.float64)
    reference = nn.build_mlp([3, 5, 4, 2], activation, bias=bias, rng=7, dtype=np.float64)
    ours, theirs = model.parameters(), list(reference.parameters())
    assert len(ours) == len(theirs) == (6 if bias else 3)
    for p, q in zip(ours, theirs, strict=True):
        assert p.dtype == q.data.dtype == np.float64
        np.testing.assert_array_equal(p.data, q.data)


TORCH_ACTIVATIONS = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU,
                     "leaky_relu": torch.nn.LeakyReLU, "gelu": torch.nn.GELU, "silu": torch.nn.SiLU,
                     "elu": torch.nn.ELU, "softplus": torch.nn.Softplus}
ACTIVATION_KWARGS = [(name, {}) for name in nn.ACTIVATIONS] + [("leaky_relu", {"negative_slope": 0.2}),
                                                                ("gelu", {"approximate": "tanh"})]


def torch_twin(model, activation, **kwargs):
    """torch.nn.Sequential with the autograd MLP's weights and the same activation."""
    layers = []
    for layer in model.layers:
        linear = torch.nn.Linear(*reversed(layer.weight.shape)).double()
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(layer.weight.data))
            linear.bias.copy_(torch.tensor(layer.bias.data))
        layers += [linear, TORCH_ACTIVATIONS[activation](**kwargs)]
    return torch.nn.Sequential(*layers[:-1])


@pytest.mark.parametrize(("activation", "kwargs"), ACTIVATION_KWARGS)
def test_mlp_forward_and_backward_match_torch(activation, kwargs):
    model = MLP([4, 6, 5, 3], activation, rng=0, dtype=np.float64, **kwargs)
    reference = torch_twin(model, activation, **kwargs)
    x, xt = pair(rng.normal(size=(8, 4)))
    y = rng.integers(0, 3, size=8)
    loss, loss_t = cross_entropy(model(x), y), TF.cross_entropy(reference(xt), torch.tensor(y))
    assert_same(loss.data, loss_t)
    loss.backward()
    loss_t.backward()
    assert_same(x.grad, xt.grad)
    for p, q in zip(model.parameters(), reference.parameters(), strict=True):
        assert_same(p.grad, q.grad)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "gelu"])
def test_training_an_mlp_gives_torchs_and_the_hand_written_layers_weights(activation):
    gen = np.random.default_rng(3)
    X, y = gen.normal(size=(32, 5)), gen.integers(0, 3, size=32)
    model = MLP([5, 8, 3], activation=activation, rng=0, dtype=np.float64)
    reference = torch_twin(model, activation)
    hand = nn.build_mlp([5, 8, 3], activation, rng=0, dtype=np.float64)  # the same initial weights
    criterion = nn.CrossEntropyLoss()
    lr = 0.5
    for _ in range(10):
        model.zero_grad()
        cross_entropy(model(X), y).backward()
        for p in model.parameters():
            p.data -= lr * p.grad

        reference.zero_grad()
        TF.cross_entropy(reference(torch.tensor(X)), torch.tensor(y)).backward()
        with torch.no_grad():
            for p in reference.parameters():
                p -= lr * p.grad

        hand.zero_grad()
        criterion(hand(X), y)
        hand.backward(criterion.backward())
        for p in hand.parameters():
            p.data -= lr * p.grad
    everything = zip(model.parameters(), reference.parameters(), hand.parameters(), strict=True)
    for ours, theirs, handmade in everything:
        assert_same(ours.data, theirs)
        np.testing.assert_allclose(ours.data, handmade.data, rtol=RTOL, atol=ATOL)


def test_mlp_accepts_arrays_and_zero_grad_fills_zeros():
    model = MLP([2, 3, 1], rng=0)
    out = model(np.ones((4, 2), dtype=np.float32))
    assert isinstance(out, Tensor) and out.shape == (4, 1) and out.dtype == np.float32
    out.sum().backward()
    model.zero_grad()
    assert all(np.all(p.grad == 0) for p in model.parameters())
