"""Specification of the activation registry and of the one MLP builder, and of the layer-by-layer views of an
MLP (forward outputs, backward deltas, the gradient through depth), all checked against PyTorch in float64."""

import math

import numpy as np
import pytest
import torch

from nncourse import functional as F
from nncourse import nn
from nncourse.train import moons_data, trained_mlp

TORCH_MODULES = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU,
                 "leaky_relu": torch.nn.LeakyReLU, "gelu": torch.nn.GELU, "silu": torch.nn.SiLU,
                 "elu": torch.nn.ELU, "softplus": torch.nn.Softplus}


def torch_copy(model):
    """The same Sequential in PyTorch (float64), weights copied: the reference for every value."""
    layers = []
    for module in model:
        if isinstance(module, nn.Linear):
            layer = torch.nn.Linear(module.in_features, module.out_features, bias=module.bias is not None,
                                    dtype=torch.float64)
            with torch.no_grad():
                layer.weight.copy_(torch.from_numpy(module.weight.data))
                if module.bias is not None:
                    layer.bias.copy_(torch.from_numpy(module.bias.data))
            layers.append(layer)
        else:
            name = next(n for n, spec in nn.ACTIVATIONS.items() if isinstance(module, spec.module_class))
            kwargs = {"negative_slope": module.negative_slope} if name == "leaky_relu" else {}
            layers.append(TORCH_MODULES[name](**kwargs))
    return torch.nn.Sequential(*layers)


# -- the registry ----------------------------------------------------------------------------------------


def test_the_registry_names_are_the_functional_names():
    assert list(nn.ACTIVATIONS) == ["sigmoid", "tanh", "relu", "leaky_relu", "gelu", "silu", "elu",
                                  "softplus"]
    for name, spec in nn.ACTIVATIONS.items():
        assert spec.name == name
        assert spec.function is getattr(F, name)
        assert spec.derivative is getattr(F, f"{name}_grad")


@pytest.mark.parametrize("name", list(TORCH_MODULES))
def test_each_entry_gives_the_layer_and_functions_of_pytorchs_activation(name):
    x = np.random.default_rng(0).normal(0, 3, size=50)
    spec = nn.get_activation(name)
    f, f_grad = spec.functions()
    t = torch.tensor(x, requires_grad=True)
    out = TORCH_MODULES[name]()(t)
    out.sum().backward()
    np.testing.assert_allclose(f(x), out.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(f_grad(x), t.grad.numpy(), rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(spec.module()(x), out.detach().numpy(), rtol=1e-12, atol=1e-15)


def test_keyword_arguments_reach_the_layer_and_the_functions():
    spec = nn.get_activation("leaky_relu")
    assert spec.module(negative_slope=0.2).negative_slope == 0.2
    f, f_grad = spec.functions(negative_slope=0.2)
    assert f(-1.0) == -0.2 and f_grad(-1.0) == 0.2


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_gains_are_pytorchs_calculate_gain(name):
    assert nn.get_activation(name).gain() == torch.nn.init.calculate_gain(name)
    if name == "leaky_relu":
        assert nn.get_activation(name).gain(negative_slope=0.3) == torch.nn.init.calculate_gain(name, 0.3)


@pytest.mark.parametrize("name", ["gelu", "silu", "elu", "softplus"])
def test_gelu_silu_elu_and_softplus_use_relus_gain_where_pytorch_has_none(name):
    with pytest.raises(ValueError):
        torch.nn.init.calculate_gain(name)
    assert nn.get_activation(name).gain() == math.sqrt(2)


@pytest.mark.parametrize("bad", ["swish", "ReLU", None, 3])
def test_an_unknown_name_lists_the_known_ones(bad):
    with pytest.raises(ValueError, match=r"activation must be one of \['sigmoid', 'tanh', 'relu'"):
        nn.get_activation(bad)


# -- the builder -----------------------------------------------------------------------------------------


def test_build_mlp_makes_linear_and_activation_layers_with_a_linear_output():
    model = nn.build_mlp([2, 5, 5, 5, 1], "relu", rng=1)
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU"] * 3 + ["Linear"]
    assert [(m.in_features, m.out_features) for m in model if isinstance(m, nn.Linear)] == [
        (2, 5), (5, 5), (5, 5), (5, 1)
    ]
    assert all(p.dtype == np.float32 for p in model.parameters())


def test_build_mlp_with_no_hidden_layer_is_one_linear_layer():
    model = nn.build_mlp([3, 2], "tanh")
    assert len(model) == 1 and isinstance(model[0], nn.Linear)


def test_build_mlp_is_seeded_and_takes_dtype_bias_and_activation_arguments():
    a = nn.build_mlp([2, 4, 1], "leaky_relu", bias=False, dtype=np.float64, rng=3, negative_slope=0.2)
    b = nn.build_mlp([2, 4, 1], "leaky_relu", bias=False, dtype=np.float64, rng=3, negative_slope=0.2)
    assert a[1].negative_slope == 0.2
    assert all(m.bias is None for m in a if isinstance(m, nn.Linear))
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert p.dtype == np.float64
        np.testing.assert_array_equal(p.data, q.data)


@pytest.mark.parametrize("name", list(TORCH_MODULES))
def test_the_built_model_computes_what_pytorch_computes(name):
    model = nn.build_mlp([3, 6, 6, 2], name, dtype=np.float64, rng=0)
    x = np.random.default_rng(1).normal(size=(9, 3))
    reference = torch_copy(model)
    t = torch.tensor(x, requires_grad=True)
    out = reference(t)
    grad_out = np.random.default_rng(2).normal(size=out.shape)
    out.backward(torch.from_numpy(grad_out))
    np.testing.assert_allclose(model(x), out.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(model.backward(grad_out), t.grad.numpy(), rtol=1e-10, atol=1e-14)
    for p, q in zip(model.parameters(), reference.parameters(), strict=True):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_default_initialisation_is_linears_own_and_draws_layer_by_layer():
    rng = np.random.default_rng(5)
    expected = [nn.Linear(2, 4, dtype=np.float64, rng=rng), nn.Linear(4, 1, dtype=np.float64, rng=rng)]
    model = nn.build_mlp([2, 4, 1], "tanh", dtype=np.float64, rng=5)
    for got, want in zip([model[0], model[2]], expected, strict=True):
        np.testing.assert_array_equal(got.weight.data, want.weight.data)
        np.testing.assert_array_equal(got.bias.data, want.bias.data)


def test_kaiming_normal_draws_he_weights_and_zero_biases():
    model = nn.build_mlp([400, 400, 400, 1], "relu", init="kaiming_normal", dtype=np.float64, rng=0)
    for layer in (model[0], model[2]):
        assert np.std(layer.weight.data) == pytest.approx(math.sqrt(2 / 400), rel=0.02)
        assert np.all(layer.bias.data == 0)


def test_an_init_function_is_called_on_every_weight():
    seen = []

    def init(weight, rng):
        seen.append(weight.shape)
        weight.data[...] = 0.5

    model = nn.build_mlp([2, 3, 1], "relu", init=init)
    assert seen == [(3, 2), (1, 3)]
    assert np.all(model[0].weight.data == 0.5) and np.all(model[2].bias.data == 0)


@pytest.mark.parametrize("sizes", [[2], [], [2, 0, 1], [2, 3.0, 1], (True, 2), "2-3-1", None])
def test_bad_sizes_are_refused_with_the_expected_form(sizes):
    with pytest.raises(ValueError, match=r"sizes must be a list of at least two positive integers"):
        nn.build_mlp(sizes)


def test_bad_activation_and_init_are_refused():
    with pytest.raises(ValueError, match="activation must be one of"):
        nn.build_mlp([2, 3, 1], "softmax")
    with pytest.raises(ValueError, match=r"init must be one of \['default', 'xavier_uniform'"):
        nn.build_mlp([2, 3, 1], init="xavier")


# -- looking inside ---------------------------------------------------------------------------------------


def test_layer_activations_are_pytorchs_layer_outputs():
    model = nn.build_mlp([2, 4, 4, 1], "tanh", dtype=np.float64, rng=3)
    x = np.random.default_rng(0).normal(size=(7, 2))
    ours = nn.layer_activations(model, x)
    h = torch.from_numpy(x)
    reference = [x]
    for module in torch_copy(model):
        h = module(h)
        if not isinstance(module, torch.nn.Linear):
            reference.append(h.detach().numpy())
    reference.append(h.detach().numpy())
    assert [a.shape for a in ours] == [(7, 2), (7, 4), (7, 4), (7, 1)]
    for a, b in zip(ours, reference, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_backward_by_layer_gives_pytorchs_pre_activation_gradients():
    model = nn.build_mlp([3, 3, 3, 1], "tanh", dtype=np.float64, rng=1)
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 1))
    loss, deltas, weight_grads = nn.backward_by_layer(model, x, y)
    reference = torch_copy(model)
    t = torch.tensor(x, requires_grad=True)
    pre_activations, h = [], t
    for module in reference:
        h = module(h)
        if isinstance(module, torch.nn.Linear):
            h.retain_grad()
            pre_activations.append(h)
    torch_loss = torch.nn.functional.mse_loss(h, torch.from_numpy(y))
    torch_loss.backward()
    assert loss == pytest.approx(torch_loss.item(), rel=1e-12)
    assert [d.shape for d in deltas] == [(5, 3), (5, 3), (5, 3), (5, 1)]
    np.testing.assert_allclose(deltas[0], t.grad.numpy(), rtol=1e-10, atol=1e-15)
    for delta, z in zip(deltas[1:], pre_activations, strict=True):
        np.testing.assert_allclose(delta, z.grad.numpy(), rtol=1e-10, atol=1e-15)
    linears = [m for m in reference if isinstance(m, torch.nn.Linear)]
    for got, layer in zip(weight_grads, linears, strict=True):
        np.testing.assert_allclose(got, layer.weight.grad.numpy(), rtol=1e-10, atol=1e-15)


def test_backward_by_layer_takes_another_loss_and_refuses_a_non_loss():
    model = nn.build_mlp([2, 3, 2], "relu", dtype=np.float64, rng=0)
    loss, deltas, _ = nn.backward_by_layer(model, np.ones((4, 2)), np.array([0, 1, 1, 0]), nn.CrossEntropyLoss())
    assert deltas[-1].shape == (4, 2) and loss > 0
    with pytest.raises(ValueError, match="loss_fn must be a loss module"):
        nn.backward_by_layer(model, np.ones((4, 2)), np.ones((4, 2)), loss_fn=np.mean)
    with pytest.raises(ValueError, match="model must be an nn.Sequential"):
        nn.layer_activations(nn.Linear(2, 3), np.ones((1, 2)))


@pytest.mark.parametrize(("name", "kwargs"), [("sigmoid", {}), ("tanh", {}), ("relu", {}),
                                              ("leaky_relu", {"negative_slope": 0.3}), ("gelu", {})])
def test_gradient_through_depth_matches_torch_autograd(name, kwargs):
    depth, width, batch = 6, 5, 4
    gen = np.random.default_rng(3)
    std = nn.get_activation(name).gain(**kwargs) / math.sqrt(width)
    weights, inputs = [], None
    # the same draws as gradient_through_depth: per layer the default Linear weights, then the N(0, std²) ones
    for _ in range(depth):
        nn.Linear(width, width, bias=False, dtype=np.float64, rng=gen)
        weights.append(torch.tensor(gen.normal(0.0, std, size=(width, width))))
    inputs = torch.tensor(gen.normal(size=(batch, width)))
    top = torch.tensor(gen.normal(size=(batch, width)))
    activations = [inputs.requires_grad_()]
    h = inputs
    for w in weights:
        h = TORCH_MODULES[name](**kwargs)(h @ w.T)
        h.retain_grad()
        activations.append(h)
    h.backward(top)
    expected = [a.grad.norm().item() / top.norm().item() for a in reversed(activations)]
    got = nn.gradient_through_depth(name, depth=depth, width=width, batch=batch, rng=3, **kwargs)
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_sigmoid_gradients_vanish_with_depth_and_relus_survive():
    sigmoid = nn.gradient_through_depth("sigmoid", depth=20, batch=32)
    relu = nn.gradient_through_depth("relu", depth=20, batch=32)
    assert sigmoid[0] == relu[0] == 1.0
    assert sigmoid[20] < 1e-6
    assert 0.1 < relu[20] < 10


def test_gradient_through_depth_refuses_a_zero_width():
    with pytest.raises(ValueError, match="width must be a finite integer > 0, got 0"):
        nn.gradient_through_depth("relu", width=0)


# -- the ready-trained moons network -------------------------------------------------------------------------


def test_the_trained_network_separates_the_moons_and_is_cached():
    X, y = moons_data()
    model = trained_mlp(2, "tanh")
    assert np.mean((model(X)[:, 0] > 0) == y) > 0.9
    again = trained_mlp(2, "tanh")
    for p, q in zip(model.parameters(), again.parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data)
        assert p.data is not q.data  # each call gets its own copy to change


@pytest.mark.parametrize(("depth", "activation"), [(1, "tanh"), (2, "relu"), (3, "sigmoid"), (4, "leaky_relu"),
                                                   (1, "gelu"), (2, "silu")])
def test_the_shipped_trained_weights_are_what_training_gives_today(depth, activation):
    from nncourse.train import _trained_parameters, train_moons_mlp

    shipped = _trained_parameters(depth, activation, 4, 0)
    fresh = train_moons_mlp(depth, activation, 4, 0)
    assert len(shipped) == len(fresh) == 2 * (depth + 1)
    for stored, trained in zip(shipped, fresh, strict=True):
        # 1500 SGD steps can amplify a different BLAS's rounding a little; anything larger means the recipe
        # changed and scripts/make_trained_mlps.py must be rerun.
        np.testing.assert_allclose(stored, trained, rtol=1e-7, atol=1e-9)


def test_a_width_that_does_not_ship_is_trained_on_first_use():
    from nncourse.train import SHIPPED_TRAINED_MLPS, shipped_key

    with np.load(SHIPPED_TRAINED_MLPS) as stored:
        assert f"{shipped_key(2, 'tanh', 3, 0)}/0" not in stored.files
    X, y = moons_data()
    assert np.mean((trained_mlp(2, "tanh", width=3)(X)[:, 0] > 0) == y) > 0.85


def test_trained_mlp_refuses_a_bad_depth():
    with pytest.raises(ValueError, match="depth must be a positive integer, got int 0"):
        trained_mlp(0, "tanh")


# -- layer statistics ------------------------------------------------------------------------------------------


def test_layer_statistics_are_the_stds_of_pytorchs_outputs_and_gradients():
    model = nn.build_mlp([4, 6, 6, 3], "tanh", init="xavier_uniform", dtype=np.float64, rng=5)
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(9, 4)), rng.integers(0, 3, size=9)
    stats = nn.layer_statistics(model, x, y, nn.CrossEntropyLoss())
    reference = torch_copy(model)
    h, pre_activations, outputs = torch.from_numpy(x), [], []
    for module in reference:
        h = module(h)
        if isinstance(module, torch.nn.Linear):
            h.retain_grad()
            pre_activations.append(h)
        else:
            outputs.append(h)
    outputs.append(h)
    loss = torch.nn.functional.cross_entropy(h, torch.from_numpy(y))
    loss.backward()
    linears = [m for m in reference if isinstance(m, torch.nn.Linear)]
    expected = {
        "activation_std": [a.std(unbiased=False).item() for a in outputs],
        "delta_std": [z.grad.std(unbiased=False).item() for z in pre_activations],
        "weight_grad_std": [m.weight.grad.std(unbiased=False).item() for m in linears],
    }
    assert stats["loss"] == pytest.approx(loss.item(), rel=1e-12)
    for key, values in expected.items():
        assert stats[key].shape == (3,)
        np.testing.assert_allclose(stats[key], values, rtol=1e-10)


def test_layer_statistics_show_a_small_fixed_variance_vanishing_and_he_init_keeping_the_scale():
    x, y = np.random.default_rng(0).normal(size=(128, 32)), np.zeros((128, 1))
    small = nn.layer_statistics(nn.build_mlp([32] * 11 + [1], "relu", init=lambda w, rng: nn.init.normal_(
        w, 0.0, 0.01, rng=rng), dtype=np.float64, rng=0), x, y)
    he = nn.layer_statistics(nn.build_mlp([32] * 11 + [1], "relu", init="kaiming_normal", dtype=np.float64,
                                          rng=0), x, y)
    assert small["activation_std"][9] < 1e-10
    assert 0.2 < he["activation_std"][9] < 5
    assert he["delta_std"][0] / he["delta_std"][-2] > 0.1


def test_layer_statistics_refuses_a_model_that_is_not_sequential():
    with pytest.raises(ValueError, match="model must be an nn.Sequential"):
        nn.layer_statistics(nn.Linear(2, 3), np.ones((1, 2)), np.ones((1, 3)))
