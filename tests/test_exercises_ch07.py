"""Chapter 7 checkers: a right answer gets full points; an unsolved stub and typical mistakes get a specific
hint and partial or no credit."""

import math

import numpy as np
import pytest
import torch

from nncourse import nn
from nncourse.exercises import ch07


def stub(*args):
    raise NotImplementedError()


def assert_hint(result, words):
    assert not result.passed
    assert words in result.message, result.message
    assert 0 <= result.score < result.points


# -- the Xavier uniform bound ------------------------------------------------------------------------------


def xavier_uniform_bound(fan_in, fan_out, gain):
    return gain * math.sqrt(6 / (fan_in + fan_out))


def test_xavier_bound_reference_passes_and_is_torchs_bound():
    result = ch07.check_xavier_uniform_bound(xavier_uniform_bound)
    assert result.passed and result.score == 2 and result.n_cases == 4, result.message
    w = torch.empty(40, 200, dtype=torch.float64)
    torch.nn.init.xavier_uniform_(w, gain=5 / 3)
    assert w.abs().max().item() <= xavier_uniform_bound(200, 40, 5 / 3)
    assert w.abs().max().item() > 0.99 * xavier_uniform_bound(200, 40, 5 / 3)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda i, o, g: g * math.sqrt(2 / (i + o)), "the standard deviation gain·√"),
        (lambda i, o, g: math.sqrt(6 / (i + o)), "the gain is missing"),
        (lambda i, o, g: g * math.sqrt(3 / i), "uses fan_in only"),
        (lambda i, o, g: g * math.sqrt(6 / (i * o)), "the bound is off"),
        (lambda i, o, g: None, "is None"),
        (lambda i, o, g: "0.3", "should be a number"),
        (lambda i, o, g: math.nan, "NaN"),
        (lambda i, o, g: [0.1, 0.2], "should be one number"),
    ],
)
def test_xavier_bound_mistakes_are_explained(wrong, words):
    assert_hint(ch07.check_xavier_uniform_bound(wrong), words)


# -- the Kaiming normal standard deviation -------------------------------------------------------------------


def kaiming_normal_std(fan_in, nonlinearity):
    return nn.init.calculate_gain(nonlinearity) / math.sqrt(fan_in)


def test_kaiming_std_reference_passes_and_matches_torchs_draws():
    assert ch07.check_kaiming_normal_std(kaiming_normal_std).passed
    w = torch.empty(2000, 400, dtype=torch.float64)
    torch.manual_seed(0)
    torch.nn.init.kaiming_normal_(w, nonlinearity="tanh")
    assert w.std().item() == pytest.approx(kaiming_normal_std(400, "tanh"), rel=0.01)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda n, name: nn.init.calculate_gain(name) ** 2 / n, "the variance gain²/fan_in"),
        (lambda n, name: math.sqrt(3) * nn.init.calculate_gain(name) / math.sqrt(n), "bound of kaiming_uniform_"),
        (lambda n, name: 1 / math.sqrt(n), "the gain of 'relu' is missing"),
        (lambda n, name: math.sqrt(2 / n), "ReLU's gain √2 used for 'tanh'"),
        (lambda n, name: nn.init.calculate_gain(name) / n, "the standard deviation is off"),
    ],
)
def test_kaiming_std_mistakes_are_explained(wrong, words):
    assert_hint(ch07.check_kaiming_normal_std(wrong), words)


# -- the gain of leaky ReLU --------------------------------------------------------------------------------------


def test_leaky_relu_gain_reference_passes_and_is_torchs_gain():
    def gain(slope):
        return math.sqrt(2 / (1 + slope**2))

    assert ch07.check_leaky_relu_gain(gain).passed
    for slope in (0.01, 0.2, 0.7):
        assert gain(slope) == pytest.approx(torch.nn.init.calculate_gain("leaky_relu", slope), rel=1e-15)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda a: math.sqrt(2), "got √2, whatever the slope"),
        (lambda a: 2 / (1 + a**2), "is gain²"),
        (lambda a: math.sqrt(2 / (1 + a)), "uses the slope a, not a²"),
        (lambda a: math.sqrt(1 + a**2), "the gain is off"),
        (lambda a: complex(1, 1), "complex"),
    ],
)
def test_leaky_relu_gain_mistakes_are_explained(wrong, words):
    assert_hint(ch07.check_leaky_relu_gain(wrong), words)


# -- the gain of any activation, measured --------------------------------------------------------------------------


def sample(f):
    return f(np.random.default_rng(0).standard_normal(1_000_000))


def test_variance_preserving_gain_reference_passes():
    result = ch07.check_variance_preserving_gain(lambda f: 1 / np.sqrt(np.mean(sample(f) ** 2)))
    assert result.passed, result.message


def test_the_reference_gain_keeps_the_variance_of_a_deep_torch_network():
    # The checker's gain for tanh, measured the other way: through 30 PyTorch layers the variance stays put.
    gain = ch07._variance_preserving_gain(np.tanh)
    assert gain == pytest.approx(1.593, abs=1e-3)
    torch.manual_seed(0)
    h = torch.randn(2000, 512, dtype=torch.float64)
    for _ in range(30):
        w = torch.empty(512, 512, dtype=torch.float64)
        torch.nn.init.normal_(w, 0.0, gain / math.sqrt(512))
        z = h @ w.T
        h = torch.tanh(z)
    assert z.var().item() == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda f: 1 / np.std(sample(f)), "use the second moment, not the variance"),
        (lambda f: np.sqrt(np.mean(sample(f) ** 2)), "its inverse"),
        (lambda f: 1 / np.mean(sample(f) ** 2), "that is gain²"),
        (lambda f: math.sqrt(2), "the gain is off (on f = tanh)"),
        (lambda f: -1.0, "should be a positive number"),
    ],
)
def test_variance_preserving_gain_mistakes_are_explained(wrong, words):
    assert_hint(ch07.check_variance_preserving_gain(wrong), words)


# -- open-ended: make a deep tanh network train -------------------------------------------------------------------


def huge_weights(weight, rng):
    weight.data[...] = rng.choice([-3e38, 3e38], size=weight.data.shape)  # representable, but sums overflow


def test_a_tanh_matched_init_trains_the_deep_network():
    result = ch07.check_deep_tanh_init(lambda w, rng: nn.init.xavier_normal_(w, gain=5 / 3, rng=rng))
    assert result.passed and result.score == 4, result.message


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda w, rng: nn.init.normal_(w, 0.0, 0.01, rng=rng), "the signal vanishes with depth"),
        (lambda w, rng: nn.init.normal_(w, 0.0, 1.0, rng=rng), "the units saturate"),
        (lambda w, rng: None, "the weight was not changed"),
        (lambda w, rng: w.data.fill(np.nan), "NaN or infinity"),
        (lambda w, rng: nn.init.normal_(w.data, 0.0, 0.3, rng=rng) + 1e-9j, "complex"),
        (lambda w, rng: nn.init.normal_(w, 0.0, 0.3, rng=rng).data * 2, "returns something other than the weight"),
        (lambda w, rng: nn.init.constant_(w, 0.1), "symmetry"),
        (lambda w, rng: nn.init.normal_(w, 0.0, 1e37, rng=rng), "diverged"),
        (huge_weights, "overflows at initialisation"),
        (42, "expected a function"),
    ],
)
def test_bad_initialisations_are_explained(wrong, words):
    assert_hint(ch07.check_deep_tanh_init(wrong), words)


def test_extra_seeds_are_more_cases_and_a_bad_seed_is_the_instructors_error():
    result = ch07.check_deep_tanh_init(lambda w, rng: nn.init.normal_(w, 0.0, 0.01, rng=rng), [(1,)])
    assert result.n_cases == 2 and result.score == 0
    with pytest.raises(ValueError, match="extra case 1 is not a valid case"):
        ch07.check_deep_tanh_init(stub, [(-1,)])


def test_hidden_cases_of_the_formula_checkers_are_scored_like_the_others():
    result = ch07.check_leaky_relu_gain(lambda a: math.sqrt(2 / (1 + a**2)) if a != 0.1 else 1.0, [(0.1,)])
    assert not result.passed and result.n_cases == 6 and result.score == pytest.approx(2 * 5 / 6)
