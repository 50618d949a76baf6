"""The perceptron playground, headless: sliders move the line, the rule moves the weights, data sets switch."""

import ipywidgets as widgets
import numpy as np
import pytest
from test_widget_base import floats, items

from nncourse.plot import COLORS
from nncourse.widgets.perceptron import DATASETS, MAX_EPOCHS, PerceptronPlayground


@pytest.fixture
def playground():
    return PerceptronPlayground("AND", weight=(1.0, 1.0), bias=-0.5, lr=0.5)


def line_xy(widget):
    (line,) = items(widget.panels[0], "line")
    return floats(line, "x").astype(float), floats(line, "y").astype(float)


def ring_points(widget):
    rings = [p for p in items(widget.panels[0], "points") if p["edge"] == COLORS["highlight"]]
    return {(float(x), float(y)) for r in rings for x, y in zip(floats(r, "x"), floats(r, "y"), strict=True)}


def sliders(widget):
    return tuple(widget.controls[name].value for name in ("w1", "w2", "b"))


def test_controls_are_ordinary_ipywidgets_with_full_labels(playground):
    for name in ("w1", "w2", "b", "lr"):
        assert isinstance(playground.controls[name], widgets.FloatSlider)
        assert playground.controls[name].continuous_update
        assert playground.controls[name].style.description_width == "initial"
    assert list(playground.controls["dataset"].options) == list(DATASETS)
    assert {"step", "epoch"} == set(playground.buttons)
    assert playground.play.play.tooltip and playground.play.reset_button.tooltip


def test_starting_line_and_errors(playground):
    x, y = line_xy(playground)
    np.testing.assert_allclose(x + y, 0.5, atol=1e-6)  # every drawn point satisfies x1 + x2 - 0.5 = 0
    assert playground.n_errors == 2
    assert ring_points(playground) == {(0.0, 1.0), (1.0, 0.0)}
    assert playground.panels[0]["title"] == "AND: 2 of 4 misclassified (η = 0.5)"
    assert "2 error(s)" in playground.status.value


def test_moving_sliders_moves_the_line_and_updates_the_errors(playground):
    playground.controls["b"].value = -1.5
    np.testing.assert_allclose(sum(line_xy(playground)), 1.5, atol=1e-6)
    assert playground.n_errors == 0 and ring_points(playground) == set()
    assert playground.bias == -1.5
    playground.controls["w1"].value = -1.0
    x, y = line_xy(playground)
    np.testing.assert_allclose(-x + y, 1.5, atol=1e-6)
    assert ring_points(playground) == {(1.0, 1.0)}


def test_the_normal_arrow_points_along_w_and_the_class_1_side_is_shaded(playground):
    playground.controls["w1"].value = 0.0
    playground.controls["b"].value = -0.25
    (arrow,) = items(playground.panels[0], "arrow")
    assert np.isclose(arrow["x0"], arrow["x1"]) and arrow["y1"] > arrow["y0"] and np.isclose(arrow["y0"], 0.25)
    (region,) = items(playground.panels[0], "polygon")
    assert region["color"] == COLORS["class1"] and floats(region, "y").min() == pytest.approx(0.25)


def test_step_applies_the_rule_to_the_next_sample(playground):
    assert playground.step() is False  # sample 0 = (0, 0), label 0: z = -0.5, correct
    assert sliders(playground) == (1.0, 1.0, -0.5)
    assert "sample 0" in playground.status.value and "nothing changes" in playground.status.value
    assert playground.step() is True  # sample 1 = (0, 1), label 0, predicted 1: w ← w - η x, b ← b - η
    np.testing.assert_allclose([*playground.weight, playground.bias], [1.0, 0.5, -1.0])
    visited = [p for p in items(playground.panels[0], "points") if p["marker"] == "s" and p["color"] == "none"]
    assert [floats(visited[0], "x")[0], floats(visited[0], "y")[0]] == [0.0, 1.0]


def test_the_rule_keeps_exact_weights_and_a_snapped_slider_does_not_overwrite_them():
    playground = PerceptronPlayground("separable blobs", lr=0.37)
    playground.epoch()
    weight, bias = playground.weight.copy(), playground.bias
    assert not np.allclose(np.round(weight / 0.05) * 0.05, weight)  # the rule's values are off the slider grid
    # The browser snaps each slider to its step and sends that value back: display rounding, not a move.
    for name, value in zip(("w1", "w2", "b"), (*weight, bias), strict=True):
        playground.controls[name].value = round(value / 0.05) * 0.05 + 0.01
    np.testing.assert_array_equal(playground.weight, weight)
    assert playground.bias == bias
    # A real move (one step of the slider) does change the weight.
    playground.controls["w1"].value = playground.controls["w1"].value + 0.05
    assert playground.weight[0] != weight[0]


def test_epoch_visits_every_sample_once_and_learns_and(playground):
    mistakes = playground.epoch()
    assert mistakes > 0 and playground.position == 4
    assert f"{mistakes} mistake(s)" in playground.status.value
    while playground.epoch():
        pass
    assert playground.n_errors == 0 and "converged" in playground.status.value


def test_play_steps_until_an_epoch_without_mistakes(playground):
    while playground._play_step():
        pass
    assert playground.n_errors == 0 and "converged" in playground.status.value
    assert playground.position % 4 == 0


def test_play_gives_up_on_xor_after_max_epochs():
    playground = PerceptronPlayground("XOR")
    steps = 0
    while playground._play_step():
        steps += 1
    assert playground.epochs_started == MAX_EPOCHS and playground.n_errors >= 1
    assert "no line separates" in playground.status.value


def test_reset_restores_the_starting_weights_and_the_first_sample(playground):
    start = line_xy(playground)
    playground.epoch()
    playground.reset()
    assert sliders(playground) == (1.0, 1.0, -0.5) and playground.position == 0
    np.testing.assert_allclose(line_xy(playground), start)


def test_rule_weights_outside_the_slider_range_widen_it_rather_than_clip():
    playground = PerceptronPlayground("AND", weight=(3.0, 3.0), bias=3.0, lr=1.0)
    playground._set_weights(np.array([4.2, -1.0]), -5.3)  # where the rule's update would take them
    playground.update()
    for name, value in zip(("w1", "w2", "b"), (*playground.weight, playground.bias), strict=True):
        assert playground.controls[name].min <= value <= playground.controls[name].max


@pytest.mark.parametrize(("name", "n"), [("OR", 4), ("XOR", 4), ("separable blobs", 24)])
def test_switching_the_data_set(playground, name, n):
    playground.controls["dataset"].value = name
    assert playground.X.shape == (n, 2)
    assert playground.panels[0]["title"].startswith(f"{name}: ")
    assert len(ring_points(playground)) == playground.n_errors


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"dataset": "NOR"}, "dataset must be one of"),
        ({"weight": (1.0, 2.0, 3.0)}, "weight must have 2 entries"),
        ({"bias": float("nan")}, "bias must be a number from -3.0 to 3.0, got nan"),
        ({"bias": 7.0}, "bias must be a number from -3.0 to 3.0, got 7.0"),
        ({"lr": 0.0}, "lr must be a number from 0.05 to 1.0"),
    ],
)
def test_bad_arguments_are_named_never_clamped(kwargs, words):
    with pytest.raises(ValueError, match=words):
        PerceptronPlayground(**kwargs)
