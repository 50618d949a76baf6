"""Chapter 4 checkers: each gives the reference solution full points and rejects stubs and typical mistakes
kindly, with partial credit per case."""

import numpy as np
import pytest

from nncourse import functional as F
from nncourse import universal
from nncourse.exercises import ch04


def stub(*args, **kwargs):
    raise NotImplementedError()


def assert_rejected(result, words):
    assert not result.passed
    assert words in result.message, result.message
    assert 0 <= result.score < result.points


# -- a bump from two sigmoids -------------------------------------------------------------------------------


def reference_bump(x, left, right, k):
    return F.sigmoid(k * (x - left)) - F.sigmoid(k * (x - right))


def test_sigmoid_bump_reference_passes():
    assert ch04.check_sigmoid_bump(reference_bump).score == 2


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented yet"),
        (lambda x, left, right, k: -reference_bump(x, left, right, k), "your bump points down"),
        (lambda x, left, right, k: reference_bump(x, left, right, 1.0), "not steep"),
        (lambda x, left, right, k: F.sigmoid(k * (x - left)), "a single step at `left`"),
        (lambda x, left, right, k: "bump", "should be a number or an array of numbers"),
        (lambda x, left, right, k: reference_bump(x, left, right, k) + 1e-3j, "is complex"),
    ],
)
def test_sigmoid_bump_mistakes_get_a_hint(wrong, words):
    assert_rejected(ch04.check_sigmoid_bump(wrong), words)


def test_sigmoid_bump_with_an_overflowing_sigmoid_loses_the_extreme_case():
    def naive(x, left, right, k):
        return 1 / (1 + np.exp(-k * (x - left))) - 1 / (1 + np.exp(-k * (x - right)))

    result = ch04.check_sigmoid_bump(naive)
    assert_rejected(result, "NumPy warned 'overflow encountered in exp' (on x = [-1e4, 1e4]")
    assert (result.n_passed, result.n_cases) == (2, 3)


def test_sigmoid_bump_reports_nan_at_extreme_inputs():
    def nan_at_extremes(x, left, right, k):
        return np.where(np.abs(x) > 100, np.nan, reference_bump(x, left, right, k))

    assert_rejected(ch04.check_sigmoid_bump(nan_at_extremes), "the bump contains NaN or infinity at index (0,)")


# -- a staircase with N units -------------------------------------------------------------------------------


def reference_staircase(f, n_units, a, b):
    h = (b - a) / (n_units + 1)
    knots = a + h * np.arange(1, n_units + 1)
    levels = f(a + h * (np.arange(n_units + 1) + 0.5))
    k = 40 / h
    return np.full((n_units, 1), k), -k * knots, np.diff(levels)[None, :], levels[:1]


def test_staircase_accepts_the_reference_and_the_package_construction():
    assert ch04.check_staircase(reference_staircase).score == 3

    def from_package(f, n_units, a, b):
        (W1, b1), (W2, b2) = universal.bump_network(f, n_units, (a, b)).layers
        return W1, b1, W2, b2

    assert ch04.check_staircase(from_package).passed


def transposed(f, n_units, a, b):
    W1, b1, W2, b2 = reference_staircase(f, n_units, a, b)
    return W1.T, b1, W2, b2


def levels_not_jumps(f, n_units, a, b):
    W1, b1, _, b2 = reference_staircase(f, n_units, a, b)
    h = (b - a) / (n_units + 1)
    return W1, b1, f(a + h * (np.arange(1, n_units + 1) + 0.5))[None, :], b2


def gentle(f, n_units, a, b):
    W1, b1, W2, b2 = reference_staircase(f, n_units, a, b)
    return W1 / 40, b1 / 40, W2, b2


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented yet"),
        (transposed, "W1 should have shape (20, 1)"),
        (levels_not_jumps, "the jump"),
        (gentle, "steep"),
        (lambda f, n, a, b: np.zeros(4), "return a tuple (W1, b1, W2, b2)"),
    ],
)
def test_staircase_mistakes_get_a_hint(wrong, words):
    assert_rejected(ch04.check_staircase(wrong), words)


def test_staircase_gives_partial_credit_per_target():
    only_sin = lambda f, n, a, b: reference_staircase(f, n, a, b) if f is np.sin else gentle(f, n, a, b)  # noqa: E731
    assert ch04.check_staircase(only_sin).score == 1


# -- the width needed for a target error ---------------------------------------------------------------------


def reference_width(f, interval, tolerance):
    n = 1
    while (
        universal.approximation_error(f, universal.bump_network(f, n, interval, kind="relu"), interval)[0]
        > tolerance
    ):
        n += 1
    return n


def test_width_needed_accepts_the_reference_in_every_integer_form():
    assert ch04.check_width_needed(reference_width).score == 3
    # A 0-d array used to be rejected although its value was right.
    assert ch04.check_width_needed(lambda f, interval, tol: np.array(reference_width(f, interval, tol))).passed
    assert ch04.check_width_needed(lambda f, interval, tol: float(reference_width(f, interval, tol))).passed


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented yet"),
        (lambda f, interval, tol: reference_width(f, interval, tol) + 1, "enough but not the smallest"),
        (lambda f, interval, tol: reference_width(f, interval, tol) - 1, "is not enough"),
        (lambda f, interval, tol: 0, "at least 1 hidden unit"),
        (lambda f, interval, tol: reference_width(f, interval, tol) + 0.5, "should be a whole number"),
        (lambda f, interval, tol: [reference_width(f, interval, tol)], "should be one number"),
    ],
)
def test_width_needed_mistakes_get_a_hint(wrong, words):
    assert_rejected(ch04.check_width_needed(wrong), words)


def test_width_needed_hidden_case_of_the_notebook():
    hidden = [(np.cos, (0.0, np.pi), 0.02)]
    assert ch04.check_width_needed(reference_width, hidden).passed
    # A learner who hard-coded the visible answers passes them, and only the hidden case catches it.
    visible = {np.sin: ((0.0, 2 * np.pi), 0.01), np.exp: ((-1.0, 2.0), 0.001), np.abs: ((-1.0, 1.0), 0.05)}
    answers = {f.__name__: reference_width(f, *case) for f, case in visible.items()}
    hard_coded = lambda f, interval, tol: answers.get(f.__name__, 1)  # noqa: E731
    assert ch04.check_width_needed(hard_coded).passed
    result = ch04.check_width_needed(hard_coded, hidden)
    assert (result.n_passed, result.n_cases) == (3, 4) and "(on extra case 1)" in result.message


# -- x² from sawtooth functions ------------------------------------------------------------------------------


def reference_square(x, m):
    return x - sum(universal.sawtooth(x, s) / 4**s for s in range(1, m + 1))


def test_square_approximation_reference_passes_and_is_close_to_x_squared():
    assert ch04.check_square_approximation(reference_square).score == 2
    x = np.linspace(0, 1, 1025)
    assert np.max(np.abs(reference_square(x, 5) - x**2)) == pytest.approx(4.0**-6)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented yet"),
        (lambda x, m: x**2, "x² itself"),
        (lambda x, m: x - sum(universal.sawtooth(x, s) / 2**s for s in range(1, m + 1)), "not 2^s"),
        (lambda x, m: x + sum(universal.sawtooth(x, s) / 4**s for s in range(1, m + 1)), "subtract"),
        (lambda x, m: reference_square(x, m - 1), "stops at s = m − 1"),
        (lambda x, m: reference_square(x, m + 1), "runs to s = m + 1"),
        (lambda x, m: reference_square(x, m)[:-1], "should have shape (33,)"),
    ],
)
def test_square_approximation_mistakes_get_a_hint(wrong, words):
    assert_rejected(ch04.check_square_approximation(wrong), words)


def test_square_approximation_gives_partial_credit_and_takes_hidden_cases():
    only_small_m = lambda x, m: reference_square(x, m) if m < 5 else x  # noqa: E731
    assert ch04.check_square_approximation(only_small_m).n_passed == 2
    hidden = [(np.linspace(0, 1, 7), 9)]
    assert ch04.check_square_approximation(reference_square, hidden).passed
    assert not ch04.check_square_approximation(lambda x, m: reference_square(x, min(m, 5)), hidden).passed


# -- beat evenly spaced knots (open-ended) -------------------------------------------------------------------


def interpolant_weights(knots):
    """The ReLU interpolant of tanh(5x) at these knots (first knot −1, last knot 1), as (W1, b1, W2, b2)."""
    knots = np.asarray(knots, dtype=float)
    slopes = np.diff(np.tanh(5 * knots)) / np.diff(knots)
    n = len(knots) - 1
    return np.ones((n, 1)), -knots[:-1], np.concatenate([slopes[:1], np.diff(slopes)])[None, :], np.tanh(5 * knots[:1])


def least_squares_weights(knots):
    """Kinks at the given knots, output layer fitted by least squares on a fine grid: what a learner may try."""
    x = np.linspace(-1, 1, 2001)
    design = np.column_stack([np.maximum(x[:, None] - knots, 0), np.ones_like(x)])
    solution = np.linalg.lstsq(design, np.tanh(5 * x), rcond=None)[0]
    return np.ones((len(knots), 1)), -np.asarray(knots, float), solution[None, :-1], solution[-1:]


def test_free_knots_full_marks_for_knots_where_the_curve_bends():
    bent = [-1.0, -0.5, -0.3, -0.15, 0.0, 0.15, 0.3, 0.5, 1.0]
    result = ch04.check_free_knots(lambda: interpolant_weights(bent))
    assert result.score == 3, result.message
    assert ch04.check_free_knots(lambda: least_squares_weights([-1.0, -0.45, -0.25, -0.12, 0, 0.12, 0.25, 0.45])).passed


def test_free_knots_evenly_spaced_knots_earn_one_mark_of_three():
    even = ch04.check_free_knots(lambda: interpolant_weights(np.linspace(-1, 1, 9)))
    assert (even.n_passed, even.score) == (1, 1.0)
    assert "0.131" in even.message and "where it bends" in even.message


def test_free_knots_refuses_more_units_or_wrong_shapes():
    too_many = ch04.check_free_knots(lambda: interpolant_weights(np.linspace(-1, 1, 12)))
    assert_rejected(too_many, "at most 8 hidden units")
    W1, b1, W2, b2 = interpolant_weights(np.linspace(-1, 1, 9))
    assert_rejected(ch04.check_free_knots(lambda: (W1.T, b1, W2, b2)), "W1 should have shape (N, 1)")
    assert_rejected(ch04.check_free_knots(lambda: (W1, b1, W2.T, b2)), "W2 should have shape (1, 8)")
    assert_rejected(ch04.check_free_knots(stub), "not implemented yet")
    assert ch04.check_free_knots(stub).score == 0
