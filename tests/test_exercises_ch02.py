"""Chapter 2 checkers: a right answer passes; an unsolved stub and the typical mistakes get a specific hint.

The checkers never raise and never let a RuntimeWarning from the learner's code escape (pytest turns
RuntimeWarnings into errors, so a leaked warning would fail these tests).
"""

import numpy as np
import pytest
import torch

from nncourse.exercises import ch02


def stub(*args):
    raise NotImplementedError()


# -- a numerically stable sigmoid --------------------------------------------------------------------------


def stable_sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def test_stable_sigmoid_reference_passes_and_matches_torch():
    result = ch02.check_stable_sigmoid(stable_sigmoid)
    assert result.passed, result.message
    x = np.array([-1000.0, -3.0, 0.0, 2.0, 1000.0])
    np.testing.assert_allclose(stable_sigmoid(x), torch.sigmoid(torch.from_numpy(x)).numpy(), rtol=1e-15)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda x: 1 / (1 + np.exp(-x)), "overflow"),
        (lambda x: np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x))), "np.where"),
        (lambda x: np.exp(x) / (1 + np.exp(x)), "overflow"),
        (lambda x: 1 / (1 + np.exp(x)), "σ(-x)"),
        (lambda x: 1 / (1 + np.exp(-np.clip(x, -5, 5))), "sigmoid(x) is off"),
        (lambda x: None, "None"),
    ],
)
def test_stable_sigmoid_mistakes_get_a_hint(wrong, words):
    result = ch02.check_stable_sigmoid(wrong)
    assert not result.passed
    assert words in result.message


def test_stable_sigmoid_nan_at_extremes_is_named():
    def nan_sigmoid(x):
        with np.errstate(all="ignore"):
            return np.exp(x) / (np.exp(x) + 1)  # inf / inf at x = 1000, silenced

    result = ch02.check_stable_sigmoid(nan_sigmoid)
    assert not result.passed
    assert "NaN or infinity" in result.message and "1000" in result.message


# -- the derivative of tanh --------------------------------------------------------------------------------


def tanh_grad(x):
    return 1 - np.tanh(x) ** 2


def test_tanh_grad_reference_passes_and_matches_torch_autograd():
    result = ch02.check_tanh_grad(tanh_grad)
    assert result.passed, result.message
    t = torch.linspace(-3, 3, 13, dtype=torch.float64, requires_grad=True)
    torch.tanh(t).sum().backward()
    np.testing.assert_allclose(tanh_grad(t.detach().numpy()), t.grad.numpy(), rtol=1e-14)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda x: 1 - np.tanh(x), "1 - tanh(x)**2"),
        (lambda x: np.tanh(x) * (1 - np.tanh(x)), "sigmoid"),
        (lambda x: 1 - x**2, "square tanh(x), not x"),
        (lambda x: 1 / np.cosh(x), "tanh'(x) is off"),
        (lambda x: "1 - tanh²", "number or an array"),
    ],
)
def test_tanh_grad_mistakes_get_a_hint(wrong, words):
    result = ch02.check_tanh_grad(wrong)
    assert not result.passed
    assert words in result.message


# -- Leaky ReLU and its derivative -------------------------------------------------------------------------


def leaky_relu(x, negative_slope=0.01):
    return np.where(x > 0, x, negative_slope * x), np.where(x > 0, 1.0, negative_slope)


def test_leaky_relu_reference_passes_and_matches_torch():
    result = ch02.check_leaky_relu(leaky_relu)
    assert result.passed, result.message
    t = torch.tensor([-2.0, 0.0, 3.0], dtype=torch.float64, requires_grad=True)
    out = torch.nn.functional.leaky_relu(t, 0.2)
    out.sum().backward()
    ours = leaky_relu(t.detach().numpy(), 0.2)
    np.testing.assert_array_equal(ours[0], out.detach().numpy())
    np.testing.assert_array_equal(ours[1], t.grad.numpy())


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda x, s: np.where(x > 0, x, s * x), "return a pair"),
        (lambda x, s: (np.where(x > 0, x, 0.01 * x), np.where(x > 0, 1.0, 0.01)), "use the argument"),
        (lambda x, s: (np.maximum(x, 0), np.where(x > 0, 1.0, s)), "ReLU's"),
        (lambda x, s: (np.where(x > 0, x, s * x), (x > 0).astype(float)), "not 0"),
        (lambda x, s: (np.where(x > 0, x, s * x), np.where(x >= 0, 1.0, s)), "x > 0 rather than x >= 0"),
        (lambda x, s: (np.where(x > 0, x, s * x),) * 2, "equals the output"),
    ],
)
def test_leaky_relu_mistakes_get_a_hint(wrong, words):
    result = ch02.check_leaky_relu(wrong)
    assert not result.passed
    assert words in result.message


# -- GELU's tanh approximation -----------------------------------------------------------------------------


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def test_gelu_tanh_reference_passes_and_matches_torch():
    result = ch02.check_gelu_tanh(gelu_tanh)
    assert result.passed, result.message
    x = np.linspace(-5, 5, 41)
    expected = torch.nn.functional.gelu(torch.from_numpy(x), approximate="tanh").numpy()
    np.testing.assert_allclose(gelu_tanh(x), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda x: x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))), "twice too large"),
        (lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**2))), "not x²"),
        (lambda x: 0.5 * x * (1 + np.tanh(2 / np.pi * (x + 0.044715 * x**3))), "not 2/π"),
        (lambda x: x / (1 + np.exp(-1.702 * x)), "sigmoid approximation"),
        (lambda x: x * torch.special.ndtr(torch.from_numpy(x)).numpy(), "exact GELU"),
        (lambda x: gelu_tanh(x)[:-1], "shape"),
    ],
)
def test_gelu_tanh_mistakes_get_a_hint(wrong, words):
    result = ch02.check_gelu_tanh(wrong)
    assert not result.passed
    assert words in result.message
