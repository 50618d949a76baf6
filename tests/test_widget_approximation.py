"""The universal-approximation playground, headless: set controls, read the scene; training runs in frames."""

import numpy as np
import pytest
from test_widget_base import floats, items, texts

from nncourse import universal
from nncourse.data import target_function
from nncourse.widgets.approximation import (
    CONSTRUCTIONS,
    N_TRAIN,
    STEPS_PER_FRAME,
    TRAIN_EPOCHS,
    ApproximationPlayground,
)


@pytest.fixture
def playground():
    return ApproximationPlayground(target="sine", n_units=4, construction="sigmoid")


def curve(widget, panel, index):
    line = items(widget.panels[panel], "line")[index]
    return floats(line, "x").astype(float), floats(line, "y").astype(float)


def test_it_draws_the_target_the_fit_and_the_error(playground):
    x, y = curve(playground, 0, 0)
    assert len(x) == 401 and np.allclose(y, target_function("sine")(x), atol=1e-6)
    _, y_hat = curve(playground, 0, 1)
    _, error = curve(playground, 1, 1)
    np.testing.assert_allclose(error, y_hat - y, atol=1e-6)
    max_error, rms = playground.errors
    assert max_error == pytest.approx(np.max(np.abs(playground.y_hat - playground.y)))
    assert f"{max_error:.3g}" in playground.panels[1]["title"]
    assert "4 hidden units" in playground.panels[0]["title"]
    ticks = items(playground.panels[0], "points")[0]
    assert len(floats(ticks, "x")) == 4  # one tick per sigmoid step
    assert {"target f", "network ŷ", "hidden units"} <= set(texts(playground.panels))


def test_more_units_give_a_smaller_error_for_every_construction(playground):
    for construction in CONSTRUCTIONS:
        playground.controls["construction"].value = construction
        playground.controls["n_units"].value = 4
        playground.train_to_end()
        few = playground.errors[1]
        playground.controls["n_units"].value = 32
        playground.train_to_end()
        many = playground.errors[1]
        assert many < few, construction


def test_the_seed_is_enabled_only_for_constructions_that_draw_random_numbers(playground):
    expected = {"sigmoid": True, "relu": True, "random": False, "trained": False}
    for construction, disabled in expected.items():
        playground.controls["construction"].value = construction
        assert playground.controls["seed"].disabled is disabled, construction
        assert playground.play.play.disabled is (construction != "trained")


def test_training_runs_frame_by_frame_and_ends_where_trained_fit_ends(playground):
    playground.controls["n_units"].value = 8
    playground.controls["construction"].value = "trained"
    assert playground.play.play.value  # a new trained fit starts learning at once
    playground.play.pause()
    assert playground.epoch == STEPS_PER_FRAME  # the first frame came at once
    start = playground.errors[1]
    assert playground.advance() is True and playground.epoch == 2 * STEPS_PER_FRAME
    assert f"step {2 * STEPS_PER_FRAME} of {TRAIN_EPOCHS}" in playground.panels[0]["title"]
    playground.train_to_end()
    assert playground.epoch == TRAIN_EPOCHS and playground.advance() is False
    assert playground.errors[1] < start
    # The animation is trained_fit's recipe, step by step: the same network at the end.
    x = np.linspace(-1, 1, N_TRAIN)
    reference = universal.trained_fit(x, target_function("sine")(x), 8, epochs=TRAIN_EPOCHS, rng=0)
    np.testing.assert_allclose(playground.y_hat, reference(playground.x), atol=1e-9)


def test_restart_goes_back_to_the_same_random_start(playground):
    playground.controls["construction"].value = "trained"
    playground.play.pause()
    first = playground.y_hat.copy()
    playground.train_to_end()
    playground.play.reset_button.click()
    assert playground.epoch == 0
    playground.advance()
    np.testing.assert_allclose(playground.y_hat, first)


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
    x, y = curve(playground, 0, 0)
    assert np.allclose(y, np.exp(-(x**2)) * np.cos(5 * x), atol=1e-6)
    assert "exp(-x**2) * cos(5*x)" in playground.panels[0]["title"]
    playground.controls["expression"].value = "__import__('os').system('ls')"
    assert playground.errors is None and "not allowed" in playground.status.value
    assert "no valid target: fix the formula on the left" in texts(playground.panels)
    playground.controls["expression"].value = "log(x)"
    assert "not finite" in playground.status.value


def test_a_formula_cannot_overwrite_the_widget_grid(playground):
    grid = playground.x.copy()
    playground.controls["target"].value = "custom"
    playground.controls["expression"].value = "sin(x, x)"  # NumPy would read the second x as `out`
    assert playground.errors is None and "sin takes 1 argument" in playground.status.value
    np.testing.assert_array_equal(playground.x, grid)


def test_the_seed_changes_random_features_and_fits_are_cached(playground):
    playground.controls["construction"].value = "random"
    first = playground.y_hat.copy()
    playground.controls["seed"].value = 1
    assert not np.allclose(playground.y_hat, first)
    cached = dict(playground._cache)
    playground.controls["seed"].value = 0
    np.testing.assert_array_equal(playground.y_hat, first)
    assert all(playground._cache[key] is value for key, value in cached.items())


def test_reset_puts_every_control_back(playground):
    playground.controls["target"].value = "abs"
    playground.controls["n_units"].value = 30
    playground.reset()
    assert playground.controls["target"].value == "sine" and playground.controls["n_units"].value == 4


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"target": "cosine"}, "target must be one of"),
        ({"construction": "magic"}, "construction must be one of"),
        ({"n_units": 0}, "n_units must be an integer from 1 to 64, got 0"),
        ({"seed": 10}, "seed must be an integer from 0 to 9, got 10"),
    ],
)
def test_bad_arguments_are_named_never_clamped(kwargs, words):
    with pytest.raises(ValueError, match=f"ApproximationPlayground: {words}"):
        ApproximationPlayground(**kwargs)
