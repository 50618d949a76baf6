"""Specification of the playground's two-class data sets on the square [-1, 1]² (nncourse.data.planar)."""

import numpy as np
import pytest

from nncourse.data.planar import PLANAR_DATASETS, make_planar, make_xor


@pytest.mark.parametrize("name", PLANAR_DATASETS)
def test_every_set_is_two_balanced_classes_in_the_square_and_seeded(name):
    X, y = make_planar(name, 301, noise=0.0, rng=3)
    assert X.shape == (301, 2) and X.dtype == np.float32 and y.dtype == np.int64
    assert sorted(np.bincount(y).tolist()) == [150, 151]
    inside = np.mean(np.abs(X) <= 1.0 + 1e-6)
    assert inside >= (0.99 if name == "gaussians" else 1.0)  # the clusters' Gaussian tails may reach out
    again, labels = make_planar(name, 301, noise=0.0, rng=3)
    np.testing.assert_array_equal(X, again)
    np.testing.assert_array_equal(y, labels)
    assert not np.array_equal(X, make_planar(name, 301, noise=0.0, rng=4)[0])


@pytest.mark.parametrize("name", PLANAR_DATASETS)
def test_noise_is_gaussian_with_the_given_standard_deviation_on_every_coordinate(name):
    clean, y = make_planar(name, 4000, noise=0.0, rng=0, dtype=np.float64)
    noisy, labels = make_planar(name, 4000, noise=0.2, rng=0, dtype=np.float64)
    # The same generator draws the clean shape first, then the noise: the difference is the noise alone.
    np.testing.assert_array_equal(y, labels)
    residual = noisy - clean
    assert residual.std(axis=0) == pytest.approx([0.2, 0.2], rel=0.05)
    assert np.abs(residual.mean(axis=0)).max() < 0.02


def test_xor_labels_are_the_sign_of_the_product_and_the_quadrants_are_kept_apart():
    X, y = make_xor(400, margin=0.2, rng=1, dtype=np.float64)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(np.int64))
    assert np.abs(X).min() >= 0.2 and np.abs(X).max() <= 1.0
    quadrants = np.bincount(2 * (X[:, 0] > 0) + (X[:, 1] > 0), minlength=4)
    assert quadrants.tolist() == [100, 100, 100, 100]


def test_circles_are_radius_one_outside_and_one_half_inside():
    X, y = make_planar("circles", 200, rng=0, dtype=np.float64)
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.5)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: make_planar("stripes"), "name must be one of"),
        (lambda: make_planar("xor", noise=-0.1), "noise"),
        (lambda: make_planar("xor", noise=1.5), "noise must be at most 1"),
        (lambda: make_planar("xor", 0), "n_samples"),
        (lambda: make_xor(1), "n_samples must be at least 2"),
        (lambda: make_xor(10, margin=1.0), "margin must be in"),
    ],
)
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
