"""Specification of the generated and shipped data sets, the train/validation split and the mini-batches."""

import subprocess
import sys

import numpy as np
import pytest

from nncourse.data import (
    TARGET_FUNCTIONS,
    batches,
    load_digits,
    make_blobs,
    make_circles,
    make_moons,
    make_regression_1d,
    make_spirals,
    target_function,
    train_val_split,
)

CLASSIFICATION = {
    "moons": lambda **kw: make_moons(101, **kw),
    "circles": lambda **kw: make_circles(101, **kw),
    "spirals": lambda **kw: make_spirals(101, n_classes=4, **kw),
    "blobs": lambda **kw: make_blobs(101, centers=3, **kw),
}


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_classification_sets_have_shapes_dtypes_and_balanced_classes(name):
    X, y = CLASSIFICATION[name](rng=0)
    n_classes = {"spirals": 4, "blobs": 3}.get(name, 2)
    assert X.shape == (101, 2) and X.dtype == np.float32
    assert y.shape == (101,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == n_classes and counts.max() - counts.min() <= 1
    assert not np.all(np.diff(y) >= 0)  # shuffled, not sorted by class


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_classification_sets_are_determined_by_the_seed(name):
    X0, y0 = CLASSIFICATION[name](rng=3)
    X1, y1 = CLASSIFICATION[name](rng=np.random.default_rng(3))
    X2, _ = CLASSIFICATION[name](rng=4)
    np.testing.assert_array_equal(X0, X1)
    np.testing.assert_array_equal(y0, y1)
    assert not np.array_equal(X0, X2)


def test_moons_and_circles_without_noise_lie_on_their_curves():
    X, y = make_moons(200, noise=0.0, rng=0, dtype=np.float64)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert upper[:, 1].min() >= 0 and lower[:, 1].max() <= 0.5
    X, y = make_circles(200, noise=0.0, factor=0.3, rng=0, dtype=np.float64)
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0)
    np.testing.assert_allclose(np.hypot(*X[y == 1].T), 0.3)


def test_spirals_wind_out_to_radius_one():
    X, y = make_spirals(300, n_classes=3, noise=0.0, rng=0, dtype=np.float64)
    for k in range(3):
        np.testing.assert_allclose(np.sort(np.hypot(*X[y == k].T)), np.linspace(0, 1, 100), atol=1e-12)


def test_blobs_gather_around_given_centres_with_the_given_spread():
    centers = np.array([[0.0, 0.0, 0.0], [10.0, -10.0, 5.0]])
    X, y = make_blobs(4000, centers=centers, cluster_std=0.5, rng=0, dtype=np.float64)
    assert X.shape == (4000, 3)
    for k, center in enumerate(centers):
        np.testing.assert_allclose(X[y == k].mean(axis=0), center, atol=0.05)
        np.testing.assert_allclose(X[y == k].std(axis=0), 0.5, rtol=0.1)
    X, y = make_blobs(10, centers=centers, cluster_std=0.0, rng=0)
    np.testing.assert_array_equal(X, centers[y].astype(np.float32))


def test_noise_controls_the_spread():
    X0, y0 = make_moons(2000, noise=0.0, rng=0, dtype=np.float64)
    X1, y1 = make_moons(2000, noise=0.3, rng=0, dtype=np.float64)
    distance = np.abs(np.hypot(*X1[y1 == 0].T) - 1)
    assert np.abs(np.hypot(*X0[y0 == 0].T) - 1).max() < 1e-12 < 0.1 < distance.mean()


def test_target_functions_at_known_points():
    x = np.array([-1.0, -0.75, -0.5, 0.0, 0.5])
    np.testing.assert_allclose(target_function("sine")(x), np.sin(np.pi * x))
    np.testing.assert_allclose(target_function("sine")(np.array([0.5])), [1.0])
    np.testing.assert_array_equal(target_function("abs")(x), [1.0, 0.75, 0.5, 0.0, 0.5])
    np.testing.assert_array_equal(target_function("step")(x), [0, 0, 0, 1, 1])
    # The zigzag: 0 at the ends of each tooth, 1 at its middle; teeth of width 1/2.
    np.testing.assert_allclose(target_function("sawtooth")(np.array([-1.0, -0.875, -0.75, -0.5, 0.125])),
                               [0.0, 0.5, 1.0, 0.0, 0.5])
    np.testing.assert_allclose(target_function("gaussian")(np.array([0.0])), [1.0])
    np.testing.assert_allclose(target_function("cubic")(np.array([1.0])), [0.5])
    assert set(TARGET_FUNCTIONS) >= {"sine", "abs", "step", "sawtooth"}


def test_regression_1d_shapes_order_noise_and_range():
    X, y = make_regression_1d("abs", 50, rng=0, low=-2, high=3)
    assert X.shape == y.shape == (50, 1) and X.dtype == y.dtype == np.float32
    assert np.all(np.diff(X[:, 0]) >= 0) and X.min() >= -2 and X.max() <= 3
    np.testing.assert_allclose(y, np.abs(X), rtol=1e-6)
    _, noisy = make_regression_1d("abs", 50, noise=0.1, rng=0, low=-2, high=3)
    assert 0.05 < np.std(noisy - y) < 0.15
    X2, y2 = make_regression_1d(lambda x: 2 * x, 5, rng=1)
    np.testing.assert_allclose(y2, 2 * X2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: make_moons(0), "make_moons: n_samples must be a finite integer > 0, got 0"),
        (lambda: make_moons(1), "make_moons: n_samples must be at least 2"),
        (lambda: make_moons(10, noise=-1), "make_moons: noise must be .*>= 0, got -1"),
        (lambda: make_circles(10, factor=1.5), r"make_circles: factor .* must be in \(0, 1\), got 1.5"),
        (lambda: make_spirals(10, n_classes=1), "make_spirals: n_classes must be at least 2, got 1"),
        (lambda: make_blobs(10, centers=np.zeros(3)), r"make_blobs: centers must be .*got shape \(3,\)"),
        (lambda: make_regression_1d("cosine"), "target_function: name must be one of .*'sine'.*got 'cosine'"),
        (lambda: make_regression_1d("sine", low=1, high=0), "make_regression_1d: low must be smaller"),
    ],
)
def test_generators_reject_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ------------------------------------------------------------------------------------------------------
# Split and mini-batches
# ------------------------------------------------------------------------------------------------------


def indexed(n):
    """X whose rows name their own index, so that we can see where each sample went."""
    return np.arange(n, dtype=float)[:, None] * np.ones((1, 2)), np.arange(n)


def test_train_val_split_partitions_the_samples():
    X, y = indexed(50)
    (X_train, y_train), (X_val, y_val) = train_val_split(X, y, val_fraction=0.2, rng=0)
    assert len(X_train) == 40 and len(X_val) == 10
    np.testing.assert_array_equal(np.sort(np.concatenate([y_train, y_val])), np.arange(50))
    np.testing.assert_array_equal(X_train[:, 0], y_train)  # rows stay paired with their labels
    (_, y_again), _ = train_val_split(X, y, val_fraction=0.2, rng=0)
    np.testing.assert_array_equal(y_again, y_train)
    _, (_, y_last) = train_val_split(X, y, val_fraction=0.2, shuffle=False)
    np.testing.assert_array_equal(y_last, np.arange(40, 50))


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((np.zeros((5, 2)), np.zeros(4)), {}, "train_val_split: X and y must have the same number.*5 and 4"),
        ((np.zeros((5, 2)), np.zeros(5)), {"val_fraction": 1.0}, "val_fraction must be .* 0 and 1, got 1.0"),
        ((np.zeros((1, 2)), np.zeros(1)), {}, "1 sample.* too few"),
        ((np.zeros((0, 2)), np.zeros(0)), {}, "train_val_split: got an empty data set"),
    ],
)
def test_train_val_split_rejects_bad_input(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        train_val_split(*args, **kwargs)


def test_batches_cover_every_sample_once_per_epoch():
    X, y = indexed(103)
    gen = np.random.default_rng(0)
    orders = []
    for _ in range(2):  # two epochs from the same generator
        parts = list(batches(X, y, batch_size=10, rng=gen))
        assert [len(yb) for _, yb in parts] == [10] * 10 + [3]
        order = np.concatenate([yb for _, yb in parts])
        np.testing.assert_array_equal(np.sort(order), np.arange(103))
        for Xb, yb in parts:
            np.testing.assert_array_equal(Xb[:, 0], yb)
        orders.append(order)
    assert not np.array_equal(orders[0], orders[1])  # a fresh shuffle every epoch
    assert not np.array_equal(orders[0], np.arange(103))


def test_batches_without_shuffle_are_consecutive_and_seeded_ones_repeat():
    X, y = indexed(7)
    assert [yb.tolist() for _, yb in batches(X, y, 3, shuffle=False)] == [[0, 1, 2], [3, 4, 5], [6]]
    first = [yb for _, yb in batches(X, y, 3, rng=1)]
    again = [yb for _, yb in batches(X, y, 3, rng=1)]
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)


def test_batches_check_their_arguments_when_called():
    X, y = indexed(5)
    with pytest.raises(ValueError, match="batches: batch_size must be a finite integer > 0, got 0"):
        batches(X, y, 0)  # raised at the call, not at the first iteration
    with pytest.raises(ValueError, match="batches: X and y must have the same number .*got 5 and 4"):
        batches(X, y[:4], 2)


# ------------------------------------------------------------------------------------------------------
# The shipped digits
# ------------------------------------------------------------------------------------------------------


def test_digits_shapes_range_and_classes():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32 and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    counts = np.bincount(y)
    assert len(counts) == 10 and counts.sum() == 1797 and counts.min() >= 170 and counts.max() <= 190
    raw, _ = load_digits(normalize=False)
    assert raw.max() == 16 and np.array_equal(raw, np.round(raw))
    np.testing.assert_allclose(raw / 16, X)


def test_digits_split_is_fixed_by_default():
    (X_train, y_train), (X_val, y_val) = load_digits(return_split=True)
    assert X_train.shape == (1438, 64) and X_val.shape == (359, 64)  # 20% of 1797, rounded
    (_, y_again), _ = load_digits(return_split=True)
    np.testing.assert_array_equal(y_train, y_again)
    _, (X_other, _) = load_digits(return_split=True, rng=1)
    assert not np.array_equal(X_val, X_other)


def test_digits_are_exactly_scikit_learns_copy():
    from sklearn.datasets import load_digits as sklearn_load_digits  # a [dev] dependency, for this test only

    reference = sklearn_load_digits()
    X, y = load_digits(normalize=False, dtype=np.float64)
    np.testing.assert_array_equal(X, reference.data)
    np.testing.assert_array_equal(y, reference.target)


def test_importing_the_core_loads_neither_torch_nor_matplotlib():
    code = (
        "import sys, nncourse.nn, nncourse.optim, nncourse.train, nncourse.data; "
        "print('torch' in sys.modules, 'matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


@pytest.mark.parametrize("dtype", [np.int64, bool, "abc"])
def test_load_digits_refuses_a_non_float_dtype(dtype):
    with pytest.raises(ValueError, match="load_digits: dtype must be a floating-point dtype such as np.float32, got"):
        load_digits(dtype=dtype)
