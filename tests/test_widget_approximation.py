"""The universal-approximation playground, driven headless: set controls, read the figure's artists."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from nncourse.data import target_function
from nncourse.widgets.approximation import CONSTRUCTIONS, ApproximationPlayground


@pytest.fixture
def playground():
    return ApproximationPlayground(target="sine", n_units=4, construction="sigmoid")


def test_it_draws_the_target_the_fit_and_the_error(playground):
    x, y = playground.target_line.get_data()
    assert len(x) == 401 and np.allclose(y, target_function("sine")(x))
    _, y_hat = playground.fit_line.get_data()
    _, error = playground.error_line.get_data()
    assert np.allclose(error, y_hat - y)
    max_error, rms = playground.errors
    assert max_error == pytest.approx(np.max(np.abs(error)))
    assert f"{max_error:.3g}" in playground.ax_error.get_title()
    assert "4 hidden units" in playground.ax_fit.get_title()
    assert len(playground.unit_ticks.get_xdata()) == 4  # one tick per sigmoid step


def test_more_units_give_a_smaller_error_for_every_construction(playground):
    for construction in CONSTRUCTIONS:
        playground.controls["construction"].value = construction
        playground.controls["n_units"].value = 4
        few = playground.errors[1]
        playground.controls["n_units"].value = 32
        many = playground.errors[1]
        assert many < few, construction
        assert CONSTRUCTIONS[construction] in playground.ax_fit.get_title()


def test_relu_hats_interpolate_the_sawtooth_exactly_with_enough_units(playground):
    playground.controls["target"].value = "sawtooth"
    playground.controls["construction"].value = "relu"
    playground.controls["n_units"].value = 16  # the knots then include every kink of the 4 teeth on [-1, 1]
    assert playground.errors[0] < 1e-12


def test_the_step_target_explains_that_the_theorem_needs_continuity(playground):
    playground.controls["target"].value = "step"
    assert "not continuous" in playground.status.value
    assert playground.errors[0] >= 0.49


def test_a_custom_formula_is_used_and_a_forbidden_one_is_explained(playground):
    playground.controls["target"].value = "custom"
    assert not playground.controls["expression"].disabled
    playground.controls["expression"].value = "exp(-x**2) * cos(5*x)"
    x, y = playground.target_line.get_data()
    assert np.allclose(y, np.exp(-(x**2)) * np.cos(5 * x))
    assert "exp(-x**2) * cos(5*x)" in playground.ax_fit.get_title()

    playground.controls["expression"].value = "__import__('os').system('ls')"
    assert playground.errors is None
    assert "not allowed" in playground.status.value
    assert len(playground.fit_line.get_xdata()) == 0

    playground.controls["expression"].value = "log(x)"
    assert "not finite" in playground.status.value


def test_trained_fits_are_cached(playground):
    playground.controls["construction"].value = "trained"
    first = playground.fit_line.get_ydata().copy()
    assert len(playground._cache) >= 1
    cached = dict(playground._cache)
    playground.controls["n_units"].value = 5
    playground.controls["n_units"].value = 4
    assert np.array_equal(playground.fit_line.get_ydata(), first)
    assert all(playground._cache[key] is value for key, value in cached.items())


def test_the_seed_changes_random_features(playground):
    playground.controls["construction"].value = "random"
    first = playground.fit_line.get_ydata().copy()
    playground.controls["seed"].value = 1
    assert not np.allclose(playground.fit_line.get_ydata(), first)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="ApproximationPlayground: target must be one of"):
        ApproximationPlayground(target="cosine")
    with pytest.raises(ValueError, match="ApproximationPlayground: construction must be one of"):
        ApproximationPlayground(construction="magic")


def test_a_formula_cannot_overwrite_the_widget_grid(playground):
    grid = playground.x.copy()
    playground.controls["target"].value = "custom"
    playground.controls["expression"].value = "sin(x, x)"  # NumPy would read the second x as `out`
    assert playground.errors is None and "sin takes 1 argument" in playground.status.value
    np.testing.assert_array_equal(playground.x, grid)


def test_out_of_range_arguments_are_named_not_clamped():
    with pytest.raises(ValueError, match="ApproximationPlayground: n_units must be"):
        ApproximationPlayground(n_units=0)
    with pytest.raises(ValueError, match="ApproximationPlayground: seed must be"):
        ApproximationPlayground(seed=10)
