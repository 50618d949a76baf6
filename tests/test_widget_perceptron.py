"""The perceptron playground, headless: sliders move the line, buttons apply the rule, data sets switch."""

import ipywidgets as widgets
import numpy as np
import pytest

from nncourse.widgets.perceptron import DATASETS, PerceptronPlayground


@pytest.fixture
def playground():
    return PerceptronPlayground("AND", weight=(1.0, 1.0), bias=-0.5, lr=0.5)


def line_xy(widget):
    x, y = widget.boundary.line.get_data()
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def sliders(widget):
    return tuple(widget.controls[name].value for name in ("w1", "w2", "b"))


def ring_points(widget):
    return {tuple(p) for p in np.asarray(widget.rings.get_offsets()).tolist()}


def test_controls_are_ordinary_ipywidgets(playground):
    for name in ("w1", "w2", "b", "lr"):
        assert isinstance(playground.controls[name], widgets.FloatSlider)
    assert isinstance(playground.controls["dataset"], widgets.Dropdown)
    assert list(playground.controls["dataset"].options) == list(DATASETS)
    assert isinstance(playground.ui, widgets.VBox)
    assert {"step", "epoch", "reset"} == set(playground.buttons)


def test_starting_line_and_errors(playground):
    # w = (1, 1), b = -0.5 is OR's line: on AND it wrongly says 1 for (0, 1) and (1, 0).
    x, y = line_xy(playground)
    np.testing.assert_allclose(x + y, 0.5)  # every drawn point satisfies x1 + x2 - 0.5 = 0
    assert playground.n_errors == 2
    assert ring_points(playground) == {(0.0, 1.0), (1.0, 0.0)}
    assert playground.ax.get_title() == "AND: 2 of 4 points misclassified"
    assert "2 error(s)" in playground.status.value


def test_moving_sliders_moves_the_line_and_updates_the_errors(playground):
    before = line_xy(playground)
    playground.controls["b"].value = -1.5  # x1 + x2 - 1.5 = 0 computes AND
    after = line_xy(playground)
    assert not np.allclose(before[1], after[1])
    np.testing.assert_allclose(after[0] + after[1], 1.5)
    assert playground.n_errors == 0 and ring_points(playground) == set()
    assert playground.ax.get_title() == "AND: 0 of 4 points misclassified"
    playground.controls["w1"].value = -1.0  # -x1 + x2 - 1.5: only (1, 1) is now wrong
    np.testing.assert_allclose(-line_xy(playground)[0] + line_xy(playground)[1], 1.5)
    assert ring_points(playground) == {(1.0, 1.0)}


def test_normal_arrow_points_along_w(playground):
    playground.controls["w1"].value = 0.0
    playground.controls["w2"].value = 2.0  # horizontal line x2 = 0.25, w points straight up
    (x0, y0), (x1, y1) = playground.boundary.normal._posA_posB
    assert np.isclose(x0, x1) and y1 > y0 and np.isclose(y0, 0.25)


def test_step_applies_the_rule_to_the_next_sample(playground):
    # Sample 0 is (0, 0) with y = 0: z = -0.5, correct, nothing changes.
    assert playground.step() is False
    assert sliders(playground) == (1.0, 1.0, -0.5)
    assert "sample 0" in playground.status.value and "nothing changes" in playground.status.value
    # Sample 1 is (0, 1) with y = 0: z = 0.5, a false 1, so w ← w − 0.5 x and b ← b − 0.5.
    assert playground.step() is True
    assert sliders(playground) == (1.0, 0.5, -1.0)
    assert np.asarray(playground.marker.get_data()).tolist() == [[0.0], [1.0]]  # the visited sample is marked
    np.testing.assert_allclose(line_xy(playground)[0] + 0.5 * line_xy(playground)[1], 1.0)


def test_epoch_visits_every_sample_once_and_learns_and(playground):
    mistakes = playground.epoch()
    assert mistakes > 0
    assert playground.position == 4
    assert f"{mistakes} mistake(s)" in playground.status.value
    for _ in range(20):
        if playground.epoch() == 0:
            break
    assert playground.n_errors == 0
    assert "converged" in playground.status.value


def test_reset_restores_the_starting_weights_and_the_first_sample(playground):
    start = line_xy(playground)
    playground.epoch()
    playground.step()
    playground.reset()
    assert sliders(playground) == (1.0, 1.0, -0.5)
    assert playground.position == 0
    np.testing.assert_allclose(line_xy(playground), start)


def test_buttons_are_wired_to_the_rule(playground):
    playground.buttons["step"].click()
    playground.buttons["step"].click()
    assert playground.controls["b"].value == -1.0
    playground.buttons["reset"].click()
    assert playground.controls["b"].value == -0.5
    playground.buttons["epoch"].click()
    assert playground.position == 4


def test_xor_never_reaches_zero_errors_with_the_rule():
    widget = PerceptronPlayground("XOR")
    assert all(widget.epoch() > 0 for _ in range(30))
    assert widget.n_errors >= 1


@pytest.mark.parametrize("name, n", [("OR", 4), ("NAND", 4), ("XOR", 4), ("separable blobs", 24)])
def test_switching_the_data_set(playground, name, n):
    playground.step()
    playground.controls["dataset"].value = name
    assert playground.X.shape == (n, 2)
    assert playground.ax.get_title().startswith(f"{name}: ")
    assert len(playground.rings.get_offsets()) == playground.n_errors
    assert playground.position == 0
    if name == "separable blobs":
        for _ in range(50):
            if playground.epoch() == 0:
                break
        assert playground.n_errors == 0


def test_sliders_widen_instead_of_clipping_when_the_rule_leaves_their_range():
    widget = PerceptronPlayground("separable blobs", weight=(2.9, 2.9), bias=2.9, lr=1.0)
    for _ in range(20):
        widget.epoch()
    assert max(widget.controls[name].max for name in ("w1", "w2", "b")) > widget.slider_limit  # it widened
    model_weight = widget.model.weight
    np.testing.assert_array_equal(widget.weight, model_weight)
    assert widget.bias == widget.model.bias


def test_a_learning_rate_outside_the_slider_range_is_kept_not_clipped():
    for lr in (2.0, 0.01):
        widget = PerceptronPlayground("AND", lr=lr)
        assert widget.controls["lr"].value == lr
        widget.step()  # sample 0 = (0, 0), y = 0: z = -0.5, correct
        widget.step()  # sample 1 = (0, 1), y = 0: z = 0.5, a false 1, so b ← -0.5 - lr
        assert widget.bias == pytest.approx(-0.5 - lr)


def test_weights_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"PerceptronPlayground: weight must have 2 entries .*got shape \(1,\)"):
        PerceptronPlayground("AND", weight=(1.0,))


def test_unknown_data_set():
    with pytest.raises(ValueError, match=r"PerceptronPlayground: dataset must be one of \['AND'.*'XNOR'"):
        PerceptronPlayground("XNOR")
