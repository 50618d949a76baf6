"""Specification of ``SGD`` (with momentum), ``Adagrad``, ``RMSprop``, ``Adam`` and ``AdamW``: the same gradients
give the same weights as ``torch.optim`` in float64, for every option, over many steps."""

import math

import numpy as np
import pytest
import torch

from nncourse.nn import CrossEntropyLoss, Linear, Parameter, Sequential, Tanh
from nncourse.optim import SGD, Adagrad, Adam, AdamW, RMSprop

SHAPES = [(3, 4), (4,), (1,)]

CASES = [
    (SGD, {"lr": 0.1}),
    (SGD, {"lr": 0.05, "momentum": 0.9}),
    (SGD, {"lr": 0.05, "momentum": 0.9, "dampening": 0.5}),
    (SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    (SGD, {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.1}),
    (SGD, {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.1, "maximize": True}),
    (SGD, {"lr": 0.05, "weight_decay": 0.3, "maximize": True}),
    (Adagrad, {}),
    (Adagrad, {"lr": 0.1, "lr_decay": 0.05}),
    (Adagrad, {"lr": 0.1, "weight_decay": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-3}),
    (Adagrad, {"lr": 0.1, "maximize": True}),
    (RMSprop, {}),
    (RMSprop, {"lr": 0.01, "alpha": 0.9, "eps": 1e-4}),
    (RMSprop, {"lr": 0.01, "momentum": 0.9}),
    (RMSprop, {"lr": 0.01, "centered": True}),
    (RMSprop, {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    (RMSprop, {"lr": 0.01, "weight_decay": 0.1, "maximize": True}),
    (Adam, {}),
    (Adam, {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-3}),
    (Adam, {"lr": 0.05, "weight_decay": 0.1}),
    (Adam, {"lr": 0.05, "amsgrad": True}),
    (Adam, {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1, "maximize": True}),
    (AdamW, {}),
    (AdamW, {"lr": 0.05, "weight_decay": 0.5}),
    (AdamW, {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True, "betas": (0.8, 0.99)}),
    (AdamW, {"lr": 0.05, "maximize": True}),
]


def case_id(case):
    cls, options = case
    return cls.__name__ + "(" + ",".join(f"{k}={v}" for k, v in options.items()) + ")"


def torch_twin(cls, params, options):
    return getattr(torch.optim, cls.__name__)(params, **options)


def gradient(theta, noise):
    """A gradient that depends on where the weights are (so that a wrong step changes every later one)."""
    return np.sin(3 * theta) + np.tanh(theta) + noise


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_sixty_steps_of_state_dependent_gradients_equal_torch_optim(case):
    cls, options = case
    rng = np.random.default_rng(0)
    start = [rng.normal(size=shape) for shape in SHAPES]
    ours = [Parameter(x) for x in start]
    theirs = [torch.tensor(x, requires_grad=True) for x in start]
    opt, opt_t = cls(ours, **options), torch_twin(cls, theirs, options)
    for _ in range(60):
        for p, q in zip(ours, theirs, strict=True):
            noise = rng.normal(size=p.shape)
            p.grad = gradient(p.data, noise)
            q.grad = torch.from_numpy(gradient(q.detach().numpy(), noise))
        opt.step()
        opt_t.step()
    for p, q in zip(ours, theirs, strict=True):
        assert np.all(np.isfinite(p.data))
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-10, atol=1e-12)
    # the trajectory went somewhere: the check above compares real updates, not two unchanged arrays
    assert max(np.abs(p.data - x).max() for p, x in zip(ours, start, strict=True)) > 1e-3


def mlp(seed):
    return Sequential(Linear(5, 8, dtype=np.float64, rng=seed), Tanh(), Linear(8, 3, dtype=np.float64, rng=seed + 1))


@pytest.mark.parametrize("case", [CASES[3], CASES[9], CASES[15], CASES[21], CASES[24]], ids=case_id)
def test_fifty_steps_training_an_mlp_equal_torch_optim(case):
    cls, options = case
    ours = mlp(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).double()
    with torch.no_grad():
        for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
            q.copy_(torch.from_numpy(p.data))
    opt, opt_t = cls(ours.parameters(), **options), torch_twin(cls, theirs.parameters(), options)
    criterion, criterion_t = CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    rng = np.random.default_rng(1)
    for _ in range(50):
        x, y = rng.normal(size=(16, 5)), rng.integers(0, 3, size=16)
        opt.zero_grad()
        criterion(ours(x), y)
        ours.backward(criterion.backward())
        opt.step()
        opt_t.zero_grad()
        criterion_t(theirs(torch.from_numpy(x)), torch.from_numpy(y)).backward()
        opt_t.step()
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-9, atol=1e-11)


def test_a_learning_rate_changed_in_param_groups_between_steps_is_used_as_in_torch():
    start = np.array([1.0, -2.0])
    p, q = Parameter(start), torch.tensor(start, requires_grad=True)
    opt, opt_t = SGD([p], lr=0.1, momentum=0.9), torch.optim.SGD([q], lr=0.1, momentum=0.9)
    for lr in [0.1, 0.5, 0.02, 0.3]:
        opt.param_groups[0]["lr"] = opt_t.param_groups[0]["lr"] = lr
        p.grad = p.data.copy()
        q.grad = q.detach().clone()
        opt.step()
        opt_t.step()
    np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-13)


@pytest.mark.parametrize("case", [(SGD, {"lr": 0.1, "momentum": 0.9}), (Adagrad, {}), (RMSprop, {"centered": True}),
                                  (Adam, {"amsgrad": True}), (AdamW, {})], ids=case_id)
def test_a_parameter_whose_grad_is_none_is_left_alone_and_gets_no_state(case):
    cls, options = case
    p, q = Parameter(np.ones(2)), Parameter(np.ones(2))
    q.grad = None
    opt = cls([p, q], **options)
    p.grad[:] = 1.0
    before = dict(opt.state.get(q, {}))
    opt.step()
    np.testing.assert_array_equal(q.data, [1.0, 1.0])
    assert set(opt.state.get(q, {})) == set(before)  # Adagrad's state exists from construction, as in PyTorch
    assert not np.array_equal(p.data, [1.0, 1.0])


def test_the_first_adam_steps_have_size_lr_thanks_to_the_bias_correction():
    p = Parameter(np.zeros(3))
    opt = Adam([p], lr=0.01)
    for _ in range(3):
        p.grad = np.array([1e3, 1.0, -1e-3])
        opt.step()
    np.testing.assert_allclose(p.data, [-0.03, -0.03, 0.03], rtol=1e-5)


def test_adamw_decay_is_lr_times_weight_decay_and_adam_l2_is_normalised_away():
    start = np.array([1.0, 1.0])
    decoupled, coupled = Parameter(start), Parameter(start)
    opt_w, opt_l2 = AdamW([decoupled], lr=0.1, weight_decay=0.1), Adam([coupled], lr=0.1, weight_decay=0.1)
    for p, opt in [(decoupled, opt_w), (coupled, opt_l2)]:
        p.grad = np.array([0.0, 100.0])  # a quiet coordinate and a noisy one
        opt.step()
    # AdamW: the quiet coordinate shrinks by exactly 1 - lr * wd; Adam's L2 term becomes a full step of size lr
    assert decoupled.data[0] == pytest.approx(1 - 0.1 * 0.1, rel=1e-12)
    assert coupled.data[0] == pytest.approx(1 - 0.1, rel=1e-6)


@pytest.mark.parametrize("case", CASES[::3], ids=case_id)
def test_state_dict_round_trip_continues_exactly_where_it_stopped(case):
    cls, options = case
    rng = np.random.default_rng(2)
    start = rng.normal(size=(2, 3))
    grads = [rng.normal(size=(2, 3)) for _ in range(20)]
    straight, resumed = Parameter(start), Parameter(start)
    opt = cls([straight], **options)
    for g in grads:
        straight.grad = g.copy()
        opt.step()
    first = cls([resumed], **options)
    for g in grads[:10]:
        resumed.grad = g.copy()
        first.step()
    saved = first.state_dict()
    fresh = Parameter(resumed.data)
    resumed.grad = grads[10].copy()
    first.step()  # stepping the first optimizer after saving must not change what was saved
    second = cls([fresh], lr=123.0)  # other hyper-parameters: load_state_dict restores them all
    second.load_state_dict(saved)
    assert second.param_groups[0] == {**opt.param_groups[0], "params": [fresh]}
    for g in grads[10:]:
        fresh.grad = g.copy()
        second.step()
    np.testing.assert_array_equal(fresh.data, straight.data)


@pytest.mark.parametrize("case", CASES[::4], ids=case_id)
def test_state_dict_has_torchs_layout_and_names(case):
    cls, options = case
    p, q = Parameter(np.ones(3)), torch.ones(3, dtype=torch.float64, requires_grad=True)
    opt, opt_t = cls([p], **options), torch_twin(cls, [q], options)
    p.grad, q.grad = np.full(3, 0.5), torch.full((3,), 0.5, dtype=torch.float64)
    opt.step()
    opt_t.step()
    ours, theirs = opt.state_dict(), opt_t.state_dict()
    assert ours["param_groups"][0]["params"] == theirs["param_groups"][0]["params"] == [0]
    assert set(ours["state"]) == set(theirs["state"])
    for index, state in theirs["state"].items():
        assert set(ours["state"][index]) == set(state)
        for key, value in state.items():
            if value is not None:
                np.testing.assert_allclose(ours["state"][index][key], np.asarray(value), rtol=1e-12)
    shared = set(ours["param_groups"][0]) & set(theirs["param_groups"][0])
    assert shared >= {"lr", "weight_decay", "maximize", "params"}
    assert all(ours["param_groups"][0][k] == theirs["param_groups"][0][k] for k in shared - {"params"})


def test_load_state_dict_refuses_a_state_for_other_parameters():
    opt = SGD([Parameter(np.zeros(2))], lr=0.1, momentum=0.9)
    other = SGD([Parameter(np.zeros(3))], lr=0.1, momentum=0.9)
    other.param_groups[0]["params"][0].grad[:] = 1.0
    other.step()
    with pytest.raises(ValueError, match=r"momentum_buffer' of parameter 0 has shape \(3,\).*shape \(2,\)"):
        opt.load_state_dict(other.state_dict())
    two = SGD([Parameter(np.zeros(2)), Parameter(np.zeros(2))], lr=0.1)
    with pytest.raises(ValueError, match="group 0 holds 1 parameter.*saved state 2"):
        opt.load_state_dict(two.state_dict())
    with pytest.raises(ValueError, match="expected a dict with keys 'state' and 'param_groups'"):
        opt.load_state_dict({"lr": 0.1})


@pytest.mark.parametrize("cls", [SGD, Adagrad, RMSprop, Adam, AdamW])
def test_defaults_are_pytorchs(cls):
    ours = cls([Parameter(np.zeros(1))]).defaults
    theirs = getattr(torch.optim, cls.__name__)([torch.zeros(1)]).defaults
    for key, value in ours.items():
        if key in theirs:
            assert value == theirs[key], key
    assert {"lr", "weight_decay", "maximize"} <= set(ours)


BAD = [
    (SGD, {"lr": -0.1}, "SGD: lr must be a finite number >= 0.0, got -0.1"),
    (SGD, {"momentum": -0.5}, "SGD: momentum must be a finite number >= 0.0, got -0.5"),
    (SGD, {"momentum": math.nan}, "SGD: momentum must be a finite number >= 0.0, got nan"),
    (SGD, {"weight_decay": -1}, "SGD: weight_decay must be a finite number >= 0.0, got -1"),
    (SGD, {"dampening": 1.5}, r"SGD: dampening must be a finite number in \[0.0, 1.0\], got 1.5"),
    (SGD, {"nesterov": True}, "SGD: Nesterov momentum requires momentum > 0 and dampening = 0, got momentum=0"),
    (SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "requires momentum > 0 and dampening = 0"),
    (SGD, {"nesterov": "yes"}, "SGD: nesterov must be True or False, got 'yes'"),
    (Adagrad, {"lr_decay": -1.0}, "Adagrad: lr_decay must be .* got -1.0"),
    (Adagrad, {"initial_accumulator_value": -1.0}, "Adagrad: initial_accumulator_value must be .* got -1.0"),
    (Adagrad, {"eps": -1e-10}, "Adagrad: eps must be .* got -1e-10"),
    (RMSprop, {"alpha": -0.1}, r"RMSprop: alpha must be a finite number in \[0.0, 1.0\], got -0.1"),
    (RMSprop, {"alpha": 1.5}, r"RMSprop: alpha must be .* got 1.5"),
    (RMSprop, {"momentum": -0.9}, "RMSprop: momentum must be .* got -0.9"),
    (RMSprop, {"centered": 1}, "RMSprop: centered must be True or False, got 1"),
    (Adam, {"betas": (1.0, 0.999)}, r"Adam: betas\[0\] must be a finite number in \[0.0, 1.0\), got 1.0"),
    (Adam, {"betas": (0.9, -0.1)}, r"Adam: betas\[1\] must be .* got -0.1"),
    (Adam, {"betas": 0.9}, r"Adam: betas must be a pair \(beta1, beta2\), got 0.9"),
    (Adam, {"eps": -1.0}, "Adam: eps must be .* got -1.0"),
    (Adam, {"lr": "fast"}, "Adam: lr must be .* got 'fast'"),
    (AdamW, {"weight_decay": -0.01}, "AdamW: weight_decay must be .* got -0.01"),
    (AdamW, {"amsgrad": None}, "AdamW: amsgrad must be True or False, got None"),
]


@pytest.mark.parametrize("cls, options, message", BAD)
def test_bad_arguments_raise_a_value_error_naming_the_value(cls, options, message):
    with pytest.raises(ValueError, match=message):
        cls([Parameter(np.zeros(1))], **options)


@pytest.mark.parametrize("cls, options", [
    (SGD, {"lr": -0.1}), (SGD, {"momentum": -0.5}), (SGD, {"nesterov": True}), (Adagrad, {"lr_decay": -1.0}),
    (RMSprop, {"alpha": -0.1}), (Adam, {"betas": (1.0, 0.999)}), (Adam, {"eps": -1.0}),
])
def test_pytorch_refuses_the_same_values(cls, options):
    """Where PyTorch checks an argument, it refuses what we refuse (we also refuse a few values it lets through)."""
    with pytest.raises(ValueError):
        getattr(torch.optim, cls.__name__)([torch.zeros(1)], **options)
