"""Specification of the activation layers in ``nncourse.nn``: PyTorch's modules, forward and backward.

Forward values equal ``torch.nn``'s; ``backward(grad_output)`` equals the input gradient torch autograd
computes for the same upstream gradient, in float64 to rtol 1e-12; repr as PyTorch's; clear errors.
"""

import numpy as np
import pytest
import torch

from nncourse import functional as F
from nncourse import nn

RNG = np.random.default_rng(3)
X = np.concatenate([RNG.normal(0, 3, size=(6, 5)), [[-1e4, -20.0, 0.0, 20.0, 1e4]]])
G = RNG.normal(size=X.shape)

PAIRS = [
    (nn.Sigmoid(), torch.nn.Sigmoid()),
    (nn.Tanh(), torch.nn.Tanh()),
    (nn.ReLU(), torch.nn.ReLU()),
    (nn.LeakyReLU(), torch.nn.LeakyReLU()),
    (nn.LeakyReLU(negative_slope=0.2), torch.nn.LeakyReLU(negative_slope=0.2)),
    (nn.GELU(), torch.nn.GELU()),
    (nn.GELU(approximate="tanh"), torch.nn.GELU(approximate="tanh")),
    (nn.SiLU(), torch.nn.SiLU()),
    (nn.ELU(), torch.nn.ELU()),
    (nn.ELU(alpha=0.5), torch.nn.ELU(alpha=0.5)),
    (nn.Softplus(), torch.nn.Softplus()),
    (nn.Softplus(beta=2.0, threshold=10.0), torch.nn.Softplus(beta=2.0, threshold=10.0)),
]
IDS = [repr(ours) for ours, _ in PAIRS]
# The same layers' function and derivative in the public functional API, in the order of PAIRS.
FUNCTIONS = [
    (F.sigmoid, F.sigmoid_grad),
    (F.tanh, F.tanh_grad),
    (F.relu, F.relu_grad),
    (F.leaky_relu, F.leaky_relu_grad),
    (lambda x: F.leaky_relu(x, 0.2), lambda x: F.leaky_relu_grad(x, 0.2)),
    (F.gelu, F.gelu_grad),
    (lambda x: F.gelu(x, "tanh"), lambda x: F.gelu_grad(x, "tanh")),
    (F.silu, F.silu_grad),
    (F.elu, F.elu_grad),
    (lambda x: F.elu(x, 0.5), lambda x: F.elu_grad(x, 0.5)),
    (F.softplus, F.softplus_grad),
    (lambda x: F.softplus(x, 2.0, 10.0), lambda x: F.softplus_grad(x, 2.0, 10.0)),
]


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=IDS)
def test_forward_and_backward_match_torch_autograd(ours, theirs):
    t = torch.tensor(X, requires_grad=True)
    out = theirs(t)
    out.backward(torch.tensor(G))
    np.testing.assert_allclose(ours(X), out.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours.backward(G), t.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=IDS)
def test_repr_is_pytorchs(ours, theirs):
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize(("ours", "_"), PAIRS, ids=IDS)
def test_float32_in_float32_out_both_ways(ours, _):
    x = X.astype(np.float32)
    assert ours(x).dtype == np.float32
    assert ours.backward(np.ones_like(x)).dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("pair", "functions"), list(zip(PAIRS, FUNCTIONS, strict=True)), ids=IDS)
def test_layers_compute_exactly_what_the_functional_api_computes(pair, functions, dtype):
    # one implementation of each formula: forward is f(z) and backward is grad_output * f'(z), to the last bit
    (ours, _), (function, derivative) = pair, functions
    x, g = X.astype(dtype), G.astype(dtype)
    np.testing.assert_array_equal(ours(x), function(x))
    np.testing.assert_array_equal(ours.backward(g), g * derivative(x))


def test_a_float64_grad_output_on_a_float32_layer_gives_float32():
    layer = nn.ReLU()
    layer(np.array([-1.0, 0.0, 2.0], dtype=np.float32))
    grad_input = layer.backward(np.array([5.0, 5.0, 5.0]))
    assert grad_input.dtype == np.float32
    np.testing.assert_array_equal(grad_input, [0.0, 0.0, 5.0])  # relu'(0) = 0, as torch autograd


def test_backward_uses_the_input_of_the_latest_forward():
    layer = nn.ReLU()
    layer(np.array([-1.0, 2.0]))
    layer(np.array([3.0, -4.0]))
    np.testing.assert_array_equal(layer.backward(np.array([10.0, 10.0])), [10.0, 0.0])


def test_activations_stack_in_sequential_and_have_no_parameters():
    first, last = nn.Linear(3, 4, dtype=np.float64, rng=0), nn.Linear(4, 1, dtype=np.float64, rng=1)
    model = nn.Sequential(first, nn.Tanh(), last)
    out = model(RNG.normal(size=(5, 3)))
    assert out.shape == (5, 1)
    assert model.backward(np.ones((5, 1))).shape == (5, 3)
    assert list(nn.GELU().parameters()) == []


@pytest.mark.parametrize(("ours", "_"), PAIRS, ids=IDS)
def test_backward_before_forward_is_a_clear_error(ours, _):
    fresh = type(ours)()
    with pytest.raises(RuntimeError, match=r"backward\(\) called before forward\(\)"):
        fresh.backward(np.ones(3))


def test_grad_output_of_the_wrong_shape_is_a_clear_error():
    layer = nn.Sigmoid()
    layer(np.zeros((4, 2)))
    match = r"Sigmoid\(\): expected grad_output of shape \(4, 2\) .* got shape \(2, 4\)"
    with pytest.raises(ValueError, match=match):
        layer.backward(np.zeros((2, 4)))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: nn.LeakyReLU(negative_slope="big"), r"LeakyReLU: negative_slope must be a real number"),
        (lambda: nn.GELU(approximate="erf"), r"GELU: approximate must be 'none' or 'tanh', got 'erf'"),
        (lambda: nn.Tanh()(["a", "b"]), r"Tanh\(\): x must be numeric"),
        (lambda: nn.SiLU()(np.array([np.inf])), r"SiLU\(\): x must contain only finite values"),
        (lambda: nn.ELU(alpha=None), r"ELU: alpha must be a real number, got None"),
        (lambda: nn.Softplus(beta=0), r"Softplus: beta must be a finite number > 0, got 0"),
        (lambda: nn.Softplus(threshold=float("nan")), r"Softplus: threshold must be finite, got nan"),
    ],
)
def test_bad_arguments_and_inputs_are_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
