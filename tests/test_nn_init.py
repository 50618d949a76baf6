"""Specification of ``nncourse.nn.init``: PyTorch's ``torch.nn.init``, in place on a Parameter or a float array.

Gains and fans must equal PyTorch's exactly. Random fills are judged by their distribution: each sample's
mean, standard deviation and tail mass must lie within ``Z`` standard errors of the formula, for our function
and for the same function in PyTorch (so the formula we test against is PyTorch's), and the two samples must
agree with each other within the standard error of a difference. Standard errors come from the sample size
and the distribution's kurtosis, not from tuning: with ``Z = 5`` a correct implementation fails a check with
probability below 1e-6.
"""

import math
import re

import numpy as np
import pytest
import torch

import nncourse
from nncourse import _rng
from nncourse.nn import Parameter, init

Z = 5  # standard errors allowed for a statistic of a random sample
SHAPE = (400, 625)  # 250,000 draws; fan_in = 625 and fan_out = 400 differ, so a wrong mode shows
N = math.prod(SHAPE)
KURTOSIS = {"uniform": 9 / 5, "normal": 3.0}  # E[(x-μ)⁴] / σ⁴
TAIL = {"uniform": 0.0, "normal": math.erfc(2 / math.sqrt(2))}  # P(|x - μ| > 2σ): 0 and 0.0455

NONLINEARITIES = [
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "sigmoid", "tanh", "relu", "leaky_relu", "selu",
]


def torch_gain(*args):
    return torch.nn.init.calculate_gain(*args)


# ---------------------------------------------------------------------------------------------------------
# calculate_gain
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_gain_equals_pytorchs_for_every_nonlinearity(nonlinearity):
    assert init.calculate_gain(nonlinearity) == torch_gain(nonlinearity)


@pytest.mark.parametrize("param", [None, 0, 0.01, 0.2, 1, 3, math.sqrt(5), -0.5, np.float64(0.3)])
def test_leaky_relu_gain_with_a_slope_equals_pytorchs(param):
    assert init.calculate_gain("leaky_relu", param) == torch_gain("leaky_relu", param)


def test_gain_values_are_the_documented_formulas():
    assert init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("selu") == 3 / 4
    assert init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3), rel=1e-15)


def test_param_is_ignored_except_by_leaky_relu_as_in_pytorch():
    assert init.calculate_gain("relu", 0.5) == torch_gain("relu", 0.5) == math.sqrt(2)
    assert init.calculate_gain("tanh", "anything") == torch_gain("tanh", "anything")


@pytest.mark.parametrize("nonlinearity", ["gelu", "silu", "ReLU", "Tanh", "softmax", "", None, 3, ("relu",)])
def test_unsupported_nonlinearity_raises_where_pytorch_does(nonlinearity):
    with pytest.raises(ValueError):
        torch_gain(nonlinearity)
    with pytest.raises(ValueError, match=rf"unsupported nonlinearity {re.escape(repr(nonlinearity))}.*'relu'"):
        init.calculate_gain(nonlinearity)


@pytest.mark.parametrize("param", [True, "0.2", [0.2]])
def test_bad_leaky_relu_slope_raises_where_pytorch_does(param):
    with pytest.raises(ValueError):
        torch_gain("leaky_relu", param)
    with pytest.raises(ValueError, match="negative_slope.*must be a real number"):
        init.calculate_gain("leaky_relu", param)


def test_deliberate_differences_in_calculate_gain():
    # PyTorch returns NaN for a NaN slope; we refuse it.
    assert math.isnan(torch_gain("leaky_relu", math.nan))
    with pytest.raises(ValueError, match="negative_slope.*must be finite, got nan"):
        init.calculate_gain("leaky_relu", math.nan)
    # PyTorch refuses NumPy's float32 and int64 scalars; we take their value.
    assert init.calculate_gain("leaky_relu", np.float32(0.5)) == torch_gain("leaky_relu", 0.5)
    assert init.calculate_gain("leaky_relu", np.int64(2)) == torch_gain("leaky_relu", 2)


# ---------------------------------------------------------------------------------------------------------
# fans
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (1, 1), (4, 3, 7), (16, 3, 5, 5), (8, 4, 2, 3, 3), (2, 0, 3)])
def test_fans_equal_pytorchs(shape):
    expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert init._calculate_fan_in_and_fan_out(np.empty(shape)) == expected
    assert init._calculate_fan_in_and_fan_out(Parameter(np.empty(shape))) == expected


def test_conv_weight_fans_count_the_receptive_field():
    # (out_channels, in_channels, kh, kw): each output unit sees 3·5·5 inputs, each input feeds 16·5·5 outputs.
    assert init._calculate_fan_in_and_fan_out(np.empty((16, 3, 5, 5))) == (75, 400)


@pytest.mark.parametrize("shape", [(), (3,)])
def test_fans_need_two_dimensions_as_in_pytorch(shape):
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    with pytest.raises(ValueError, match=rf"fewer than 2 dimensions, got shape {re.escape(str(shape))}"):
        init._calculate_fan_in_and_fan_out(np.empty(shape))


# ---------------------------------------------------------------------------------------------------------
# Distributions: bounds and moments against the formula and against PyTorch
# ---------------------------------------------------------------------------------------------------------

FAN_IN, FAN_OUT = SHAPE[1], SHAPE[0]


def leaky(a):
    return torch_gain("leaky_relu", a)


# (function name, keyword arguments, distribution, mean, std): std written from the formula in the docstrings.
CASES = [
    ("uniform_", {}, "uniform", 0.5, 1 / math.sqrt(12)),
    ("uniform_", {"a": -2.0, "b": 3.0}, "uniform", 0.5, 5 / math.sqrt(12)),
    ("normal_", {}, "normal", 0.0, 1.0),
    ("normal_", {"mean": 1.5, "std": 0.25}, "normal", 1.5, 0.25),
    ("xavier_uniform_", {}, "uniform", 0.0, math.sqrt(2 / (FAN_IN + FAN_OUT))),
    ("xavier_uniform_", {"gain": 5 / 3}, "uniform", 0.0, 5 / 3 * math.sqrt(2 / (FAN_IN + FAN_OUT))),
    ("xavier_normal_", {}, "normal", 0.0, math.sqrt(2 / (FAN_IN + FAN_OUT))),
    ("xavier_normal_", {"gain": math.sqrt(2)}, "normal", 0.0, math.sqrt(2) * math.sqrt(2 / (FAN_IN + FAN_OUT))),
    ("kaiming_uniform_", {}, "uniform", 0.0, math.sqrt(2) / math.sqrt(FAN_IN)),
    ("kaiming_uniform_", {"a": math.sqrt(5)}, "uniform", 0.0, 1 / math.sqrt(3 * FAN_IN)),
    ("kaiming_uniform_", {"a": 0.2, "mode": "fan_out"}, "uniform", 0.0, leaky(0.2) / math.sqrt(FAN_OUT)),
    ("kaiming_uniform_", {"nonlinearity": "tanh"}, "uniform", 0.0, 5 / 3 / math.sqrt(FAN_IN)),
    ("kaiming_normal_", {}, "normal", 0.0, math.sqrt(2) / math.sqrt(FAN_IN)),
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}, "normal", 0.0, math.sqrt(2 / FAN_OUT)),
    ("kaiming_normal_", {"a": 0.1, "nonlinearity": "leaky_relu"}, "normal", 0.0, leaky(0.1) / math.sqrt(FAN_IN)),
    ("kaiming_normal_", {"nonlinearity": "selu"}, "normal", 0.0, 0.75 / math.sqrt(FAN_IN)),
]


def standard_errors(std, kind):
    """Standard errors of the sample mean, the sample std (delta method) and the 2σ tail fraction of N draws."""
    se_mean = std / math.sqrt(N)
    se_std = std * math.sqrt((KURTOSIS[kind] - 1) / N) / 2
    se_tail = math.sqrt(max(TAIL[kind] * (1 - TAIL[kind]), 1 / N) / N)
    return se_mean, se_std, se_tail


def statistics(sample, mean, std):
    """The sample's mean, std and fraction of draws more than 2σ (of the formula) from the formula's mean."""
    return sample.mean(), sample.std(), np.mean(np.abs(sample - mean) > 2 * std)


def ours(name, kwargs, seed=0):
    return getattr(init, name)(np.empty(SHAPE), rng=seed, **kwargs)


def theirs(name, kwargs, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return getattr(torch.nn.init, name)(torch.empty(SHAPE, dtype=torch.float64), generator=generator, **kwargs).numpy()


@pytest.mark.parametrize(("name", "kwargs", "kind", "mean", "std"), CASES)
def test_moments_match_the_formula_and_pytorch(name, kwargs, kind, mean, std):
    se = standard_errors(std, kind)
    seed = CASES.index((name, kwargs, kind, mean, std))  # independent samples from case to case
    our_stats = statistics(ours(name, kwargs, seed), mean, std)
    torch_stats = statistics(theirs(name, kwargs, seed), mean, std)
    rows = zip(("mean", "std", "tail"), (mean, std, TAIL[kind]), se, our_stats, torch_stats, strict=True)
    for label, expected, error, a, b in rows:
        assert abs(a - expected) <= Z * error, f"ours: {label} {a} vs formula {expected} (se {error:.2g})"
        assert abs(b - expected) <= Z * error, f"torch: {label} {b} vs formula {expected} (se {error:.2g})"
        assert abs(a - b) <= Z * math.sqrt(2) * error, f"{label}: ours {a} vs torch {b}"


@pytest.mark.parametrize(("name", "kwargs", "kind", "mean", "std"), [c for c in CASES if c[2] == "uniform"])
def test_uniform_fills_reach_but_never_pass_the_bound(name, kwargs, kind, mean, std):
    low, high = mean - math.sqrt(3) * std, mean + math.sqrt(3) * std  # bound = √3·std around the mean
    # Among N uniform draws the gap between the largest and the bound exceeds 20 (b-a)/N with probability e⁻²⁰.
    slack = 20 * (high - low) / N
    for sample in ours(name, kwargs), theirs(name, kwargs):
        assert low <= sample.min() <= low + slack
        assert high - slack <= sample.max() <= high


def test_kaiming_uniform_bound_is_exact_in_float64():
    bound = math.sqrt(3.0) * (init.calculate_gain("leaky_relu", 0) / math.sqrt(7))
    w = init.kaiming_uniform_(np.empty((20000, 7)), rng=1)
    assert np.abs(w).max() <= bound


def test_conv_shaped_weights_use_the_receptive_field_in_the_std():
    shape = (64, 16, 5, 5)  # fan_in = 400, fan_out = 1600; 25,600 draws
    n = math.prod(shape)
    for mode, fan in [("fan_in", 400), ("fan_out", 1600)]:
        std = math.sqrt(2 / fan)
        w = init.kaiming_normal_(np.empty(shape), mode=mode, nonlinearity="relu", rng=2)
        assert abs(w.std() - std) <= Z * std / math.sqrt(2 * n)
    bound = math.sqrt(6 / 2000)
    w = init.xavier_uniform_(np.empty(shape), rng=3)
    assert bound - 20 * 2 * bound / n <= np.abs(w).max() <= bound


def test_mode_is_case_insensitive_as_in_pytorch():
    a = init.kaiming_normal_(np.empty((3, 4)), mode="FAN_OUT", rng=5)
    b = init.kaiming_normal_(np.empty((3, 4)), mode="fan_out", rng=5)
    np.testing.assert_array_equal(a, b)


def test_constant_zeros_ones_fill_like_pytorch():
    for name, args in [("constant_", (0.3,)), ("zeros_", ()), ("ones_", ())]:
        expected = getattr(torch.nn.init, name)(torch.empty(2, 3, dtype=torch.float64), *args).numpy()
        np.testing.assert_array_equal(getattr(init, name)(np.full((2, 3), 7.0), *args), expected)


# ---------------------------------------------------------------------------------------------------------
# orthogonal_
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (4, 3, 3), (10, 2, 2), (1, 6)])
@pytest.mark.parametrize("gain", [1.0, 2.5, -1.0])
def test_orthogonal_rows_or_columns_are_orthonormal_times_gain(shape, gain):
    w = init.orthogonal_(np.empty(shape), gain=gain, rng=0)
    assert w.shape == shape
    flat = w.reshape(shape[0], -1)
    rows, cols = flat.shape
    gram = flat @ flat.T if rows <= cols else flat.T @ flat  # W Wᵀ = gain² I, or Wᵀ W = gain² I
    np.testing.assert_allclose(gram, gain**2 * np.eye(min(rows, cols)), rtol=0, atol=1e-13)


def test_orthogonal_is_uniformly_distributed_like_pytorchs():
    # For a uniformly (Haar) random orthogonal n×n matrix the trace has mean 0 and variance 1. Without the
    # sign correction from R's diagonal, QR's Q is biased (the mean trace of 30×30 matrices is about -3).
    draws, n = 200, 30
    rng, generator = np.random.default_rng(0), torch.Generator().manual_seed(0)
    our_traces = [np.trace(init.orthogonal_(np.empty((n, n)), rng=rng)) for _ in range(draws)]
    torch_traces = [
        torch.trace(torch.nn.init.orthogonal_(torch.empty(n, n, dtype=torch.float64), generator=generator)).item()
        for _ in range(draws)
    ]
    for traces in our_traces, torch_traces:
        assert abs(np.mean(traces)) <= Z / math.sqrt(draws)
        assert abs(np.var(traces) - 1) <= Z * math.sqrt(2 / draws)  # se of a variance of ~normal draws


# ---------------------------------------------------------------------------------------------------------
# rng, in-place behaviour, zero-element arrays
# ---------------------------------------------------------------------------------------------------------

DRAWING = [
    init.uniform_, init.normal_, init.xavier_uniform_, init.xavier_normal_,
    init.kaiming_uniform_, init.kaiming_normal_, init.orthogonal_,
]
FILLING = [*DRAWING, init.zeros_, init.ones_, lambda w: init.constant_(w, 0.5)]


@pytest.mark.parametrize("fill", DRAWING)
def test_seeded_fills_are_reproducible(fill, monkeypatch):
    np.testing.assert_array_equal(fill(np.empty((4, 6)), rng=3), fill(np.empty((4, 6)), rng=3))
    assert not np.array_equal(fill(np.empty((4, 6)), rng=3), fill(np.empty((4, 6)), rng=4))
    same_generator = np.random.default_rng(3)
    np.testing.assert_array_equal(fill(np.empty((4, 6)), rng=same_generator), fill(np.empty((4, 6)), rng=3))
    generator = np.random.default_rng(3)  # a Generator is advanced: its second fill differs from the first
    assert not np.array_equal(fill(np.empty((4, 6)), rng=generator), fill(np.empty((4, 6)), rng=generator))
    monkeypatch.setattr(_rng, "_default", _rng.default_generator())  # restored after the test
    nncourse.manual_seed(11)
    first = fill(np.empty((4, 6)))
    nncourse.manual_seed(11)
    np.testing.assert_array_equal(fill(np.empty((4, 6))), first)


@pytest.mark.parametrize("fill", FILLING)
def test_fills_in_place_and_return_what_they_were_given(fill):
    array = np.full((4, 6), np.nan, dtype=np.float32)
    assert fill(array) is array
    assert array.dtype == np.float32 and np.isfinite(array).all()

    parameter = Parameter(np.full((4, 6), np.nan))
    data, grad = parameter.data, parameter.grad
    assert fill(parameter) is parameter
    assert parameter.data is data and np.isfinite(data).all()
    assert parameter.grad is grad and not grad.any()  # the gradient is left alone


def test_a_view_is_filled_in_place_and_nothing_else():
    base = np.zeros((4, 6))
    init.ones_(base[:, ::2])
    np.testing.assert_array_equal(base[:, ::2], 1)
    np.testing.assert_array_equal(base[:, 1::2], 0)


def test_parameter_and_array_with_the_same_seed_get_the_same_numbers():
    parameter = init.kaiming_uniform_(Parameter(np.empty((3, 4))), rng=9)
    np.testing.assert_array_equal(parameter.data, init.kaiming_uniform_(np.empty((3, 4)), rng=9))


@pytest.mark.parametrize("fill", [init.kaiming_uniform_, init.kaiming_normal_])
@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0,)])
def test_kaiming_on_zero_elements_warns_and_does_nothing_as_pytorch(fill, shape):
    with pytest.warns(UserWarning, match="zero-element"):
        getattr(torch.nn.init, fill.__name__)(torch.empty(shape))
    array = np.empty(shape)
    with pytest.warns(UserWarning, match="zero-element"):
        assert fill(array) is array


def test_other_fills_on_zero_elements_do_nothing_as_pytorch():
    for fill in init.orthogonal_, init.xavier_uniform_, init.xavier_normal_, init.uniform_, init.normal_:
        array = np.empty((0, 3))
        assert fill(array) is array


def test_xavier_with_both_fans_zero_is_a_clear_error():
    with pytest.raises(ZeroDivisionError):  # PyTorch
        torch.nn.init.xavier_uniform_(torch.empty(0, 0))
    with pytest.raises(ValueError, match=r"xavier_normal_: fan_in \+ fan_out is 0 for shape \(0, 0\)"):
        init.xavier_normal_(np.empty((0, 0)))


# ---------------------------------------------------------------------------------------------------------
# Error messages
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tensor", "given"),
    [
        (np.zeros((2, 3), dtype=np.int64), "dtype int64"),
        (np.zeros((2, 3), dtype=complex), "dtype complex128"),
        (np.zeros((2, 3), dtype=bool), "dtype bool"),
        (np.zeros((2, 3), dtype=object), "dtype object"),
        ([[0.0, 1.0]], "list of length 1"),
        (torch.zeros(2, 3), "Tensor"),
        (None, "NoneType"),
    ],
)
@pytest.mark.parametrize("fill", [init.uniform_, init.kaiming_normal_, init.orthogonal_, init.zeros_])
def test_only_a_parameter_or_float_array_can_be_filled(fill, tensor, given):
    expected = rf"{fill.__name__}: expected a nncourse.nn.Parameter or a floating-point NumPy array.*got .*{given}"
    with pytest.raises(ValueError, match=expected):
        fill(tensor)


def test_read_only_array_is_refused():
    array = np.zeros((2, 3))
    array.flags.writeable = False
    with pytest.raises(ValueError, match="ones_: the array is read-only"):
        init.ones_(array)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda w: init.uniform_(w, 1.0, 0.0), r"uniform_: expected a <= b .*got a=1.0 > b=0.0"),
        (lambda w: init.uniform_(w, -math.inf, 1.0), "uniform_: a must be finite, got -inf"),
        (lambda w: init.uniform_(w, 0.0, math.nan), "uniform_: b must be finite, got nan"),
        (lambda w: init.uniform_(w, -1e308, 1e308), "uniform_: the width b - a must be a finite float"),
        (lambda w: init.uniform_(w.astype(np.float32), 0, 1e300), "b = 1e.300 does not fit in .* float32"),
        (lambda w: init.normal_(w, std=-1.0), "normal_: std must be >= 0, got -1.0"),
        (lambda w: init.normal_(w, std=math.nan), "normal_: std must be finite, got nan"),
        (lambda w: init.normal_(w, mean="0"), "normal_: mean must be a real number, got str '0'"),
        (lambda w: init.constant_(w, math.inf), "constant_: val must be finite, got inf"),
        (lambda w: init.constant_(w, True), "constant_: val must be a real number, got bool True"),
        (lambda w: init.xavier_uniform_(w, gain=-1.0), "xavier_uniform_: gain must be >= 0, got -1.0"),
        (lambda w: init.orthogonal_(w, gain=math.nan), "orthogonal_: gain must be finite, got nan"),
        (lambda w: init.kaiming_uniform_(w, mode="fan_avg"), "mode must be 'fan_in' or 'fan_out', got 'fan_avg'"),
        (lambda w: init.kaiming_normal_(w, mode=None), "mode must be 'fan_in' or 'fan_out', got None"),
        (lambda w: init.kaiming_normal_(w, nonlinearity="gelu"), "unsupported nonlinearity 'gelu'"),
        (lambda w: init.kaiming_uniform_(w, a="0.1"), "negative_slope.*must be a real number, got str"),
        (lambda w: init.kaiming_normal_(w[0]), r"kaiming_normal_: .*fewer than 2 dimensions, got shape \(3,\)"),
        (lambda w: init.xavier_uniform_(w[0]), r"xavier_uniform_: .*fewer than 2 dimensions, got shape \(3,\)"),
        (lambda w: init.orthogonal_(w[0]), r"orthogonal_: only arrays with 2 or more dimensions.*got shape \(3,\)"),
    ],
)
def test_bad_arguments_name_expected_and_given(call, message):
    with pytest.raises(ValueError, match=message):
        call(np.zeros((2, 3)))


@pytest.mark.parametrize(
    "call",
    [
        lambda init_, w: init_.kaiming_uniform_(w, mode="fan_avg"),
        lambda init_, w: init_.kaiming_normal_(w, nonlinearity="gelu"),
        lambda init_, w: init_.kaiming_normal_(w[0]),
        lambda init_, w: init_.xavier_uniform_(w[0]),
        lambda init_, w: init_.orthogonal_(w[0]),
    ],
)
def test_pytorch_raises_value_error_for_the_same_arguments(call):
    with pytest.raises(ValueError):
        call(torch.nn.init, torch.zeros(2, 3))
    with pytest.raises(ValueError):
        call(init, np.zeros((2, 3)))
