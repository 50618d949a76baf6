"""Specification of ``nncourse.nn.Linear``: PyTorch's layout, initialisation, forward and backward passes."""

import math

import numpy as np
import pytest
import torch

from nncourse.nn import Linear, Parameter, init

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


def test_default_initialisation_is_written_with_nn_init():
    # PyTorch's reset_parameters: kaiming_uniform_(weight, a=√5), then the bias from U(±1/√fan_in), one generator.
    layer = Linear(5, 3, dtype=np.float64, rng=4)
    rng = np.random.default_rng(4)
    weight = init.kaiming_uniform_(np.empty((3, 5)), a=math.sqrt(5), rng=rng)
    bias = init.uniform_(np.empty(3), -1 / math.sqrt(5), 1 / math.sqrt(5), rng=rng)
    np.testing.assert_array_equal(layer.weight.data, weight)
    np.testing.assert_array_equal(layer.bias.data, bias)


def test_float32_weights_are_the_same_draws_as_the_plain_uniform_formula():
    # kaiming_uniform_'s bound √3·√(1/3)/√fan_in is 1/√fan_in up to 2 float64 ulps; in float32 the draws of
    # U(±1/√in_features), weight then bias, are unchanged, so seeded float32 results did not move.
    for in_features, out_features, seed in [(2, 16, 0), (16, 1, 1), (784, 256, 2), (50, 3, 3)]:
        rng = np.random.default_rng(seed)
        bound = 1 / math.sqrt(in_features)
        weight = rng.uniform(-bound, bound, size=(out_features, in_features)).astype(np.float32)
        bias = rng.uniform(-bound, bound, size=out_features).astype(np.float32)
        layer = Linear(in_features, out_features, rng=seed)
        np.testing.assert_array_equal(layer.weight.data, weight)
        np.testing.assert_array_equal(layer.bias.data, bias)


def test_reset_parameters_draws_again_in_place():
    layer = Linear(4, 2, rng=0)
    weight, first = layer.weight.data, layer.weight.data.copy()
    layer.reset_parameters(rng=1)
    assert layer.weight.data is weight and not np.array_equal(weight, first)
    layer.reset_parameters(rng=0)
    np.testing.assert_array_equal(layer.weight.data, first)


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


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (np.ones((3, 2), dtype=bool), r"x must be a numeric array, not a boolean one, got array .*dtype bool"),
        ([[True, False]], r"x must be a numeric array, not a boolean one, got array .*dtype bool"),
        (np.ones((3, 2), dtype=complex), r"x must be real, got array of shape \(3, 2\) and dtype complex128"),
        (np.ones((3, 2), dtype=object), r"x must be numeric, got array of shape \(3, 2\) and dtype object"),
        ([["a", "b"]], "x must be numeric"),
        ([[1.0, 2.0], [3.0]], "x must be numeric array-like, got list of length 2"),
        ([[np.nan, 1.0]], "x must contain only finite values"),
    ],
)
def test_bool_complex_object_and_malformed_inputs_are_refused(x, message):
    layer = Linear(2, 3)
    with pytest.raises(ValueError, match=r"Linear\(in_features=2, out_features=3, bias=True\): " + message):
        layer(x)


def test_float_arrays_go_straight_through_as_in_pytorch():
    # A float array, the output of the layer below, is not scanned again: a NaN propagates as in PyTorch, and
    # the next activation (which checks its input) stops it.
    layer = Linear(2, 1, dtype=np.float64, rng=0)
    out = layer(np.array([[np.nan, 0.0], [1.0, 2.0]]))
    assert np.isnan(out[0, 0]) and np.isfinite(out[1, 0])
