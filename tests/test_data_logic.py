"""Specification of nncourse.data.logic: logic-gate truth tables and separable blobs with a known margin."""

import numpy as np
import pytest

import nncourse
from nncourse.data import GATES, logic_gate, separable_blobs, xor


@pytest.mark.parametrize(
    "name, expected",
    [("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]), ("nand", [1, 1, 1, 0]), ("nor", [1, 0, 0, 0]),
     ("xor", [0, 1, 1, 0]), ("AND", [0, 0, 0, 1])],
)
def test_truth_tables(name, expected):
    X, y = logic_gate(name)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, expected)
    assert X.dtype == np.float32 and y.dtype == np.int64


def test_gates_follow_boolean_logic():
    X, _ = logic_gate("and")
    a, b = X[:, 0].astype(bool), X[:, 1].astype(bool)
    for name, table in {"and": a & b, "or": a | b, "nand": ~(a & b), "nor": ~(a | b), "xor": a ^ b}.items():
        np.testing.assert_array_equal(GATES[name], table.astype(int))


def test_xor_helper_and_dtype():
    X, y = xor(dtype=np.float64)
    assert X.dtype == np.float64
    np.testing.assert_array_equal(y, [0, 1, 1, 0])


def test_unknown_gate():
    with pytest.raises(ValueError, match=r"logic_gate: name must be one of \['and', 'nand', .*got 'xnor'"):
        logic_gate("xnor")
    with pytest.raises(ValueError, match=r"logic_gate: name must be one of .*got \['and'\]"):
        logic_gate(["and"])


def test_blobs_shapes_types_and_balance():
    X, y = separable_blobs(101, 0.5, rng=0)
    assert X.shape == (101, 2) and X.dtype == np.float32
    assert y.shape == (101,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1} and abs(int(y.sum()) - 50) <= 1


@pytest.mark.parametrize("margin", [2.0, 0.5, 0.01])
def test_blobs_are_separated_by_the_returned_line_with_exactly_the_margin(margin):
    X, y, u, c = separable_blobs(200, margin, rng=4, dtype=np.float64, return_separator=True)
    np.testing.assert_allclose(np.linalg.norm(u), 1.0, rtol=1e-12)
    distance = X @ u + c  # signed distance to the line, since u is a unit vector
    assert np.all(distance[y == 1] >= margin * (1 - 1e-12))
    assert np.all(distance[y == 0] <= -margin * (1 - 1e-12))
    np.testing.assert_allclose([distance[y == 1].min(), -distance[y == 0].max()], [margin] * 2, rtol=1e-12)


def test_blobs_are_reproducible_with_a_seed_and_differ_between_seeds():
    a = separable_blobs(30, 0.2, rng=7)
    b = separable_blobs(30, 0.2, rng=7)
    c = separable_blobs(30, 0.2, rng=8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_blobs_use_the_default_generator_when_no_rng_is_given():
    nncourse.manual_seed(3)
    a = separable_blobs(10, 0.2)
    nncourse.manual_seed(3)
    b = separable_blobs(10, 0.2)
    np.testing.assert_array_equal(a[0], b[0])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_samples": 1}, "separable_blobs: n_samples must be at least 2"),
        ({"n_samples": 0}, "separable_blobs: n_samples must be a finite integer > 0, got 0"),
        ({"n_samples": 10.5}, "separable_blobs: n_samples must be a finite integer > 0, got 10.5"),
        ({"margin": 0}, "separable_blobs: margin must be a finite number > 0, got 0"),
        ({"margin": -1.0}, "separable_blobs: margin must be a finite number > 0, got -1.0"),
        ({"spread": float("nan")}, "separable_blobs: spread must be a finite number > 0, got nan"),
        ({"rng": "seed"}, "rng must be None, a non-negative int seed or a numpy.random.Generator"),
    ],
)
def test_blobs_reject_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        separable_blobs(**kwargs)
