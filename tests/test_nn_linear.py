"""Specification of ``nncourse.nn.Linear``: PyTorch's layout, initialisation, forward and backward passes."""

import math

import numpy as np
import pytest
import torch

from nncourse.nn import Linear, Parameter

RTOL, ATOL = 1e-12, 1e-14


def torch_copy(layer):
    """A float64 ``torch.nn.Linear`` with the same weights as our ``layer``."""
    has_bias = layer.bias is not None
    twin = torch.nn.Linear(layer.in_features, layer.out_features, bias=has_bias, dtype=torch.float64)
    with torch.no_grad():
        twin.weight.copy_(torch.from_numpy(layer.weight.data))
        if layer.bias is not None:
            twin.bias.copy_(torch.from_numpy(layer.bias.data))
    return twin


def test_shapes_dtype_and_repr_follow_pytorch():
    layer = Linear(2, 3)
    assert layer.weight.shape == (3, 2)  # (out_features, in_features)
    assert layer.bias.shape == (3,)
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    assert repr(layer) == repr(torch.nn.Linear(2, 3)) == "Linear(in_features=2, out_features=3, bias=True)"
    assert repr(Linear(4, 1, bias=False)) == repr(torch.nn.Linear(4, 1, bias=False))
    assert Linear(2, 3, dtype=np.float64).weight.dtype == np.float64


def test_parameters_in_pytorch_order():
    layer = Linear(2, 3)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    assert all(isinstance(p, Parameter) for p in layer.parameters())
    no_bias = Linear(2, 3, bias=False)
    assert no_bias.bias is None
    assert [name for name, _ in no_bias.named_parameters()] == ["weight"]


def test_default_initialisation_is_pytorchs_uniform_bound():
    in_features = 50
    layer = Linear(in_features, 400, rng=0)
    # PyTorch's kaiming_uniform_(a=√5): bound gain·√(3/fan_in), gain = calculate_gain("leaky_relu", √5).
    gain = torch.nn.init.calculate_gain("leaky_relu", math.sqrt(5))
    bound = gain * math.sqrt(3 / in_features)
    assert bound == pytest.approx(1 / math.sqrt(in_features))
    w = layer.weight.data
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > 0.99 * bound  # the whole interval is used
    assert w.mean() == pytest.approx(0, abs=0.01 * bound)
    assert w.var() == pytest.approx(bound**2 / 3, rel=0.05)  # the variance of U(-bound, bound)
    assert np.abs(layer.bias.data).max() <= bound
    assert torch.nn.Linear(in_features, 400).weight.abs().max().item() <= bound  # the same bound in PyTorch


def test_initialisation_is_seeded():
    np.testing.assert_array_equal(Linear(3, 4, rng=7).weight.data, Linear(3, 4, rng=7).weight.data)
    assert not np.array_equal(Linear(3, 4, rng=7).weight.data, Linear(3, 4, rng=8).weight.data)


@pytest.mark.parametrize("bias", [True, False])
def test_forward_and_backward_match_pytorch_in_float64(bias):
    rng = np.random.default_rng(0)
    layer = Linear(5, 4, bias=bias, dtype=np.float64, rng=1)
    twin = torch_copy(layer)
    x = rng.normal(size=(7, 5))
    g = rng.normal(size=(7, 4))

    out = layer(x)
    x_t = torch.tensor(x, requires_grad=True)
    out_t = twin(x_t)
    out_t.backward(torch.tensor(g))
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=RTOL, atol=ATOL)

    grad_input = layer.backward(g)
    np.testing.assert_allclose(grad_input, x_t.grad.numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(layer.weight.grad, twin.weight.grad.numpy(), rtol=RTOL, atol=ATOL)
    if bias:
        np.testing.assert_allclose(layer.bias.grad, twin.bias.grad.numpy(), rtol=RTOL, atol=ATOL)


def test_backward_accumulates_parameter_gradients_like_pytorch():
    rng = np.random.default_rng(1)
    layer = Linear(3, 2, dtype=np.float64, rng=2)
    twin = torch_copy(layer)
    for _ in range(2):  # two forward/backward passes on different batches, no zero_grad in between
        x, g = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
        layer(x)
        layer.backward(g)
        twin(torch.tensor(x)).backward(torch.tensor(g))
    np.testing.assert_allclose(layer.weight.grad, twin.weight.grad.numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(layer.bias.grad, twin.bias.grad.numpy(), rtol=RTOL, atol=ATOL)
    layer.zero_grad()
    assert not layer.weight.grad.any() and not layer.bias.grad.any()


def test_leading_dimensions_work_like_pytorch():
    rng = np.random.default_rng(2)
    layer = Linear(3, 2, dtype=np.float64, rng=3)
    twin = torch_copy(layer)
    x, g = rng.normal(size=(4, 5, 3)), rng.normal(size=(4, 5, 2))
    x_t = torch.tensor(x, requires_grad=True)
    out_t = twin(x_t)
    out_t.backward(torch.tensor(g))
    np.testing.assert_allclose(layer(x), out_t.detach().numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(layer.backward(g), x_t.grad.numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(layer.weight.grad, twin.weight.grad.numpy(), rtol=RTOL, atol=ATOL)


def test_output_dtype_is_the_layers():
    layer = Linear(2, 1)  # float32
    assert layer(np.ones((3, 2), dtype=np.float32)).dtype == np.float32
    assert layer(np.array([[0, 1], [1, 1]])).dtype == np.float32  # integer inputs are converted
    assert layer.backward(np.ones((2, 1), dtype=np.float32)).dtype == np.float32


def test_wrong_input_shape_names_layer_expected_and_given():
    layer = Linear(2, 3)
    name = r"Linear\(in_features=2, out_features=3, bias=True\)"
    with pytest.raises(ValueError, match=name + r".*\(N, 2\).*\(4, 3\)"):
        layer(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"Linear.*got shape \(\)"):
        layer(np.float32(1.0))


def test_wrong_grad_output_shape_and_backward_before_forward():
    layer = Linear(2, 3)
    with pytest.raises(RuntimeError, match="backward.*before forward"):
        layer.backward(np.ones((4, 3)))
    layer(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"Linear.*grad_output of shape \(4, 3\).*got shape \(4, 2\)"):
        layer.backward(np.ones((4, 2)))


@pytest.mark.parametrize(
    ("args", "words"),
    [((0, 3), "in_features must be"), ((2, 2.5), "out_features must be"), ((-1, 3), "got -1")],
)
def test_bad_sizes_are_rejected(args, words):
    with pytest.raises(ValueError, match=words):
        Linear(*args)


def test_integer_dtype_is_rejected():
    with pytest.raises(ValueError, match="dtype must be a floating-point dtype.*int64"):
        Linear(2, 3, dtype=np.int64)
