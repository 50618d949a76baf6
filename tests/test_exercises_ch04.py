"""Chapter 4 checkers: each accepts the reference solution and rejects stubs and typical mistakes kindly."""

import numpy as np

from nncourse import functional as F
from nncourse import universal
from nncourse.exercises import ch04


def stub(*args, **kwargs):
    raise NotImplementedError()


# -- a bump from two sigmoids -------------------------------------------------------------------------------


def reference_bump(x, left, right, k):
    return F.sigmoid(k * (x - left)) - F.sigmoid(k * (x - right))


def test_sigmoid_bump_accepts_the_reference():
    assert ch04.check_sigmoid_bump(reference_bump).passed


def test_sigmoid_bump_rejects_the_stub():
    result = ch04.check_sigmoid_bump(stub)
    assert not result.passed and "not implemented yet" in result.message


def test_sigmoid_bump_explains_an_upside_down_bump():
    result = ch04.check_sigmoid_bump(lambda x, left, right, k: -reference_bump(x, left, right, k))
    assert not result.passed and "points down" in result.message


def test_sigmoid_bump_explains_a_missing_steepness():
    result = ch04.check_sigmoid_bump(lambda x, left, right, k: reference_bump(x, left, right, 1.0))
    assert not result.passed and "not steep" in result.message


def test_sigmoid_bump_explains_a_single_step():
    result = ch04.check_sigmoid_bump(lambda x, left, right, k: F.sigmoid(k * (x - left)))
    assert not result.passed and "single step" in result.message


def test_sigmoid_bump_catches_an_overflowing_sigmoid():
    def naive(x, left, right, k):
        with np.errstate(over="ignore"):
            return 1 / (1 + np.exp(-k * (x - left))) - 1 / (1 + np.exp(-k * (x - right)))

    assert ch04.check_sigmoid_bump(naive).passed  # 1/(1 + inf) = 0 is still right


def test_sigmoid_bump_reports_nan_at_extreme_inputs():
    def nan_at_extremes(x, left, right, k):
        out = reference_bump(x, left, right, k)
        return np.where(np.abs(x) > 100, np.nan, out)

    result = ch04.check_sigmoid_bump(nan_at_extremes)
    assert not result.passed and "NaN" in result.message and "extreme" in result.message


# -- a staircase with N units -------------------------------------------------------------------------------


def reference_staircase(f, n_units, a, b):
    h = (b - a) / (n_units + 1)
    knots = a + h * np.arange(1, n_units + 1)
    levels = f(a + h * (np.arange(n_units + 1) + 0.5))
    k = 40 / h
    return np.full((n_units, 1), k), -k * knots, np.diff(levels)[None, :], levels[:1]


def test_staircase_accepts_the_reference_and_the_package_construction():
    assert ch04.check_staircase(reference_staircase).passed

    def from_package(f, n_units, a, b):
        (W1, b1), (W2, b2) = universal.bump_network(f, n_units, (a, b)).layers
        return W1, b1, W2, b2

    assert ch04.check_staircase(from_package).passed


def test_staircase_rejects_the_stub():
    result = ch04.check_staircase(stub)
    assert not result.passed and "not implemented yet" in result.message


def test_staircase_names_the_wrong_layout():
    def transposed(f, n_units, a, b):
        W1, b1, W2, b2 = reference_staircase(f, n_units, a, b)
        return W1.T, b1, W2, b2

    result = ch04.check_staircase(transposed)
    assert not result.passed and "W1 should have shape (20, 1)" in result.message


def test_staircase_rejects_levels_instead_of_jumps():
    def levels_not_jumps(f, n_units, a, b):
        W1, b1, _, b2 = reference_staircase(f, n_units, a, b)
        h = (b - a) / (n_units + 1)
        return W1, b1, f(a + h * (np.arange(1, n_units + 1) + 0.5))[None, :], b2

    result = ch04.check_staircase(levels_not_jumps)
    assert not result.passed and "maximum error" in result.message and "jump" in result.message


def test_staircase_rejects_gentle_sigmoids():
    def gentle(f, n_units, a, b):
        W1, b1, W2, b2 = reference_staircase(f, n_units, a, b)
        return W1 / 40, b1 / 40, W2, b2

    result = ch04.check_staircase(gentle)
    assert not result.passed and "steep" in result.message


def test_staircase_reports_a_wrong_return_type():
    result = ch04.check_staircase(lambda f, n, a, b: np.zeros(4))
    assert not result.passed and "return a tuple (W1, b1, W2, b2)" in result.message


# -- the width needed for a target error ---------------------------------------------------------------------


def reference_width(f, interval, tolerance):
    n = 1
    while (
        universal.approximation_error(f, universal.bump_network(f, n, interval, kind="relu"), interval)[0]
        > tolerance
    ):
        n += 1
    return n


def test_width_needed_accepts_the_reference():
    assert ch04.check_width_needed(reference_width).passed


def test_width_needed_rejects_the_stub():
    result = ch04.check_width_needed(stub)
    assert not result.passed and "not implemented yet" in result.message


def test_width_needed_rejects_one_too_many():
    result = ch04.check_width_needed(lambda f, interval, tol: reference_width(f, interval, tol) + 1)
    assert not result.passed and "not the smallest" in result.message


def test_width_needed_rejects_one_too_few():
    result = ch04.check_width_needed(lambda f, interval, tol: reference_width(f, interval, tol) - 1)
    assert not result.passed and "not enough" in result.message


def test_width_needed_asks_for_an_int():
    result = ch04.check_width_needed(lambda f, interval, tol: float(reference_width(f, interval, tol)))
    assert not result.passed and "as an int" in result.message


def test_width_needed_rejects_zero_units():
    result = ch04.check_width_needed(lambda f, interval, tol: 0)
    assert not result.passed and "at least 1 hidden unit" in result.message


def test_sigmoid_bump_explains_an_answer_that_is_not_numbers():
    result = ch04.check_sigmoid_bump(lambda x, left, right, k: "bump")
    assert not result.passed and "array of numbers" in result.message
