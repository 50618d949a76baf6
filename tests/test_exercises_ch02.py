"""Chapter 2 checkers: a right answer gets full points; an unsolved stub and the typical mistakes get a
specific hint and partial or no credit.

The checkers never raise and never let a RuntimeWarning from the learner's code escape (pytest turns
RuntimeWarnings into errors, so a leaked warning would fail these tests).
"""

import numpy as np
import pytest
import torch

from nncourse.exercises import ch02


def stub(*args):
    raise NotImplementedError()


def assert_rejected(result, words):
    assert not result.passed
    assert words in result.message, result.message
    assert 0 <= result.score < result.points


# -- a numerically stable sigmoid --------------------------------------------------------------------------


def stable_sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def test_stable_sigmoid_reference_passes_and_matches_torch():
    result = ch02.check_stable_sigmoid(stable_sigmoid)
    assert result.passed and result.score == 3, result.message
    x = np.array([-700.0, -3.0, 0.0, 2.0, 1000.0])
    np.testing.assert_allclose(stable_sigmoid(x), torch.sigmoid(torch.from_numpy(x)).numpy(), rtol=1e-15, atol=0)


def test_stable_sigmoid_is_exact_where_torch_rounds_to_zero():
    # Below x ≈ -709, e^(-x) overflows: PyTorch's CPU sigmoid returns 0 there, and so does the naive formula
    # with its overflow silenced. The exercise asks for the stable form, which keeps σ(x) = e^x / (1 + e^x)
    # exact down to the smallest float64 (about 5e-324); the checker tests it at x = -720.
    assert torch.sigmoid(torch.tensor(-720.0, dtype=torch.float64)).item() == 0.0
    assert stable_sigmoid(np.array(-720.0)) == np.exp(-720.0) > 0


def test_stable_sigmoid_accepts_other_stable_forms():
    assert ch02.check_stable_sigmoid(lambda x: np.exp(-np.logaddexp(0, -x))).passed


def naive_silenced(x):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


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
        (lambda x: stable_sigmoid(x) + 0j, "is complex"),
        # Silencing the overflow does not make the naive formula stable: σ(-720) comes out 0.
        (naive_silenced, "σ(-720) ≈ 2.03e-313 is tiny, but a float64 holds it; you returned 0"),
        (lambda x: 0.5 * (1 + np.tanh(x / 2)), "1 minus a number close to 1 cancelled"),
    ],
)
def test_stable_sigmoid_mistakes_get_a_hint(wrong, words):
    assert_rejected(ch02.check_stable_sigmoid(wrong), words)


def test_stable_sigmoid_gives_the_naive_formula_partial_credit():
    # 4 cases: ordinary, ±1000, the tails near ±720, ±1e4
    assert ch02.check_stable_sigmoid(naive_silenced).score == 3 * 3 / 4  # quiet, but not exact in the tail
    assert ch02.check_stable_sigmoid(lambda x: 1 / (1 + np.exp(-x))).score == 3 / 4  # it warns beyond ±709


def test_stable_sigmoid_is_tested_at_plus_minus_1e4():
    def clipped(x):  # right up to |x| = 5000, then gives up
        return np.where(np.abs(x) > 5000, 0.5, stable_sigmoid(np.clip(x, -5000, 5000)))

    result = ch02.check_stable_sigmoid(clipped)
    assert_rejected(result, "x = [-10000.,  -1000.,   1000.,  10000.]")


def test_stable_sigmoid_nan_at_extremes_is_named():
    def nan_sigmoid(x):
        with np.errstate(all="ignore"):
            return np.exp(x) / (np.exp(x) + 1)  # inf / inf at x = 1000, silenced

    result = ch02.check_stable_sigmoid(nan_sigmoid)
    assert_rejected(result, "NaN or infinity")
    assert "1000" in result.message


# -- the derivative of tanh --------------------------------------------------------------------------------


def test_tanh_grad_reference_passes():
    assert ch02.check_tanh_grad(lambda x: 1 - np.tanh(x) ** 2).score == 2


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda x: 1 - np.tanh(x), "1 - tanh(x)**2"),
        (lambda x: np.tanh(x) * (1 - np.tanh(x)), "sigmoid's derivative"),
        (lambda x: 1 - x**2, "square tanh(x), not x"),
        (lambda x: np.cosh(x) ** -2 + 0.01, "tanh'(x) is off"),
        (lambda x: np.ravel(1 - np.tanh(x) ** 2), "should have shape (2, 2), got shape (4,)"),
        # 17 of 20 checkers used to call this "Correct!": the imaginary part was silently dropped.
        (lambda x: 1 - np.tanh(x) ** 2 + 5j, "tanh'(x) is complex (dtype complex128)"),
    ],
)
def test_tanh_grad_mistakes_get_a_hint(wrong, words):
    assert_rejected(ch02.check_tanh_grad(wrong), words)


def test_tanh_grad_extra_case():
    flat_only = lambda x: 1 - np.tanh(np.ravel(x)) ** 2  # noqa: E731
    result = ch02.check_tanh_grad(flat_only, [(np.array([0.5, -0.5]),)])
    assert (result.n_passed, result.n_cases) == (2, 3)


# -- Leaky ReLU and its derivative -------------------------------------------------------------------------


def leaky_relu(x, negative_slope=0.01):
    return np.where(x > 0, x, negative_slope * x), np.where(x > 0, 1.0, negative_slope)


def test_leaky_relu_reference_passes_and_matches_torch():
    assert ch02.check_leaky_relu(leaky_relu).score == 2
    x = torch.tensor([-2.0, 0.0, 3.0], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.leaky_relu(x, 0.2).sum().backward()
    np.testing.assert_array_equal(leaky_relu(x.detach().numpy(), 0.2)[1], x.grad.numpy())


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda x, s: (np.maximum(x, 0), np.where(x > 0, 1.0, s)), "the output is ReLU's"),
        (lambda x, s: leaky_relu(x, 0.01), "whatever negative_slope is"),
        (lambda x, s: (leaky_relu(x, s)[0], np.where(x > 0, 1.0, 0.0)), "the derivative is ReLU's"),
        (lambda x, s: (leaky_relu(x, s)[0], np.where(x >= 0, 1.0, s)), "test x > 0 rather than x >= 0"),
        (lambda x, s: (leaky_relu(x, s)[0], leaky_relu(x, s)[0]), "the derivative equals the output"),
        (lambda x, s: leaky_relu(x, s)[0], "return a tuple (output, derivative)"),
    ],
)
def test_leaky_relu_mistakes_get_a_hint(wrong, words):
    assert_rejected(ch02.check_leaky_relu(wrong), words)


def test_leaky_relu_scores_output_and_derivative_separately():
    result = ch02.check_leaky_relu(lambda x, s: (leaky_relu(x, s)[0], np.where(x >= 0, 1.0, s)))
    assert (result.n_passed, result.n_cases) == (2, 4) and result.score == 1


# -- GELU's tanh approximation -----------------------------------------------------------------------------


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def test_gelu_tanh_reference_passes_and_matches_torch():
    assert ch02.check_gelu_tanh(gelu_tanh).score == 2
    x = np.linspace(-5, 5, 11)
    torch_gelu = torch.nn.functional.gelu(torch.from_numpy(x), approximate="tanh").numpy()
    np.testing.assert_allclose(gelu_tanh(x), torch_gelu, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda x: x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))), "twice too large"),
        (lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**2))), "not x²"),
        (lambda x: 0.5 * x * (1 + np.tanh(2 / np.pi * (x + 0.044715 * x**3))), "not 2/π"),
        (lambda x: x / (1 + np.exp(-1.702 * x)), "sigmoid approximation"),
        (lambda x: x * 0.5 * (1 + np.vectorize(__import__("math").erf)(x / np.sqrt(2))), "exact GELU"),
    ],
)
def test_gelu_tanh_mistakes_get_a_hint(wrong, words):
    assert_rejected(ch02.check_gelu_tanh(wrong), words)


def test_gelu_tanh_hidden_case_of_the_notebook():
    hidden = [(np.array([[-3.0, 0.1], [7.0, -0.7]]),)]
    assert ch02.check_gelu_tanh(gelu_tanh, hidden).passed
    result = ch02.check_gelu_tanh(lambda x: gelu_tanh(np.ravel(x)), hidden)
    assert result.n_passed == 2 and "extra case 1" in result.message


# -- ELU, quietly --------------------------------------------------------------------------------------------


def elu(x, alpha=1.0):
    e = np.exp(np.minimum(x, 0))
    return np.where(x > 0, x, alpha * (e - 1)), np.where(x > 0, 1.0, alpha * e)


def test_elu_reference_passes_and_matches_torch():
    result = ch02.check_elu(elu)
    assert result.passed and result.score == 2, result.message
    x = np.array([-1e4, -3.0, 0.0, 0.5, 1e4])
    t = torch.tensor(x, requires_grad=True)
    out = torch.nn.functional.elu(t, alpha=0.5)
    out.sum().backward()
    np.testing.assert_allclose(elu(x, 0.5)[0], out.detach().numpy(), rtol=1e-15)
    np.testing.assert_allclose(elu(x, 0.5)[1], t.grad.numpy(), rtol=1e-15)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda x, a: (np.where(x > 0, x, a * (np.exp(x) - 1)), np.where(x > 0, 1.0, a * np.exp(x))),
         "e^(10000) overflows"),
        (lambda x, a: elu(x, 1.0), "uses alpha = 1 whatever alpha is"),
        (lambda x, a: (np.where(x > 0, x, a * np.exp(np.minimum(x, 0))), elu(x, a)[1]), "not alpha e^x"),
        (lambda x, a: (elu(x, a)[0], np.where(x >= 0, 1.0, a * np.exp(np.minimum(x, 0)))), "test x > 0"),
        (lambda x, a: (elu(x, a)[0], np.where(x > 0, 1.0, a * np.expm1(np.minimum(x, 0)))), "the -1 goes"),
        (lambda x, a: (np.maximum(x, 0), elu(x, a)[1]), "the output is ReLU's"),
        (lambda x, a: elu(x, a)[0], "tuple"),
    ],
)
def test_elu_mistakes_get_a_hint(wrong, words):
    assert_rejected(ch02.check_elu(wrong), words)


def test_elu_scores_output_and_derivative_separately():
    wrong_grad = ch02.check_elu(lambda x, a: (elu(x, a)[0], np.where(x > 0, 1.0, 0.0)))
    # 3 outputs right; of the derivatives only the extreme case passes, where alpha e^x < 1e-8 on the left
    assert wrong_grad.score == pytest.approx(2 * 4 / 6)


# -- flat units and dead units ---------------------------------------------------------------------------------


def flat_statistics_of(z, f_grad, threshold=0.05):
    flat = np.abs(f_grad(z)) < threshold
    return flat.mean(), int(flat.all(axis=0).sum())


def test_flat_statistics_reference_passes():
    result = ch02.check_flat_statistics(flat_statistics_of)
    assert result.passed and result.score == 2, result.message


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda z, g, t: (int((np.abs(g(z)) < t).sum()), flat_statistics_of(z, g, t)[1]), "take the mean"),
        (lambda z, g, t: ((np.abs(z) < t).mean(), flat_statistics_of(z, g, t)[1]), "not z itself"),
        (lambda z, g, t: (flat_statistics_of(z, g, t)[0], int((np.abs(g(z)) < t).all(axis=1).sum())), "axis=0"),
        (lambda z, g, t: (flat_statistics_of(z, g, t)[0], int((np.abs(g(z)) < t).any(axis=0).sum())), ".any"),
        (lambda z, g, t: (flat_statistics_of(z, g, t)[0], 2.5), "dead_units"),
        (lambda z, g, t: flat_statistics_of(z, g, t)[0], "tuple"),
    ],
)
def test_flat_statistics_mistakes_get_a_hint(wrong, words):
    assert_rejected(ch02.check_flat_statistics(wrong), words)


def test_flat_statistics_counts_the_relu_kink_as_flat():
    # relu'(0) = 0: a learner who tests z < 0 instead of the derivative misses the entry at the kink
    result = ch02.check_flat_statistics(lambda z, g, t: ((z < 0).mean(), int((z < 0).all(axis=0).sum())))
    assert not result.passed and "flat_share is off (on 6 samples" in result.message


# -- accurate and alive (open-ended) ----------------------------------------------------------------------------


def test_accurate_and_alive_gives_elu_full_points():
    result = ch02.check_accurate_and_alive(lambda: ("elu", 0.2))
    assert result.passed and result.score == 3, result.message
    assert "0 dead units" in result.message


def test_accurate_and_alive_gives_relu_at_a_small_rate_no_dead_unit_point():
    result = ch02.check_accurate_and_alive(lambda: ("relu", 0.2))  # accurate (0.961), but 7 dead units
    assert not result.passed and result.score == 2, result.message
    assert "more than 2" in result.message


@pytest.mark.parametrize(
    ("wrong", "words", "score"),
    [
        (stub, "not implemented", 0),
        (lambda: ("mish", 0.1), "should be one of", 0),
        (lambda: ("relu", -1.0), "lr should be a number in (0, 10]", 0),
        (lambda: ("tanh",), "tuple", 0),
        (lambda: ("relu", 10.0), "below 0.93", 0),  # most units die at once
        (lambda: ("sigmoid", 0.1), "below 0.93", 1),  # chance level, but no dead unit
    ],
)
def test_accurate_and_alive_rejects_wrong_answers(wrong, words, score):
    result = ch02.check_accurate_and_alive(wrong)
    assert_rejected(result, words)
    assert result.score == score
