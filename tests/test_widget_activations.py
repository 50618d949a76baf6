"""The activation explorer, headless: choosing activations, the x range, the slope and the depth redraw it."""

import ipywidgets as widgets
import numpy as np
import pytest

from nncourse import functional as F
from nncourse import nn
from nncourse.widgets.activations import ACTIVATIONS, BATCH, MAX_DEPTH, WIDTH, ActivationExplorer


def profile(name, **kwargs):
    """The explorer's depth curve: the registry's gradient-through-depth experiment at the widget's size."""
    return nn.gradient_through_depth(name, depth=MAX_DEPTH, width=WIDTH, batch=BATCH, **kwargs)


@pytest.fixture
def explorer():
    return ActivationExplorer(activations=("sigmoid", "relu"), x_range=(-4.0, 4.0), negative_slope=0.1,
                              depth=10)


def visible(widget, panel):
    return {name for name, line in widget.lines[panel].items() if line.get_visible()}


def test_controls_are_ordinary_ipywidgets(explorer):
    assert isinstance(explorer.controls["activations"], widgets.SelectMultiple)
    assert list(explorer.controls["activations"].options) == list(ACTIVATIONS)
    assert isinstance(explorer.controls["x_range"], widgets.FloatRangeSlider)
    assert isinstance(explorer.controls["negative_slope"], widgets.FloatSlider)
    assert isinstance(explorer.controls["depth"], widgets.IntSlider)
    assert explorer.controls["depth"].max == MAX_DEPTH
    assert isinstance(explorer.ui, widgets.HBox)


def test_curves_show_f_and_its_derivative_for_the_chosen_activations(explorer):
    for panel in ("f", "grad", "depth"):
        assert visible(explorer, panel) == {"sigmoid", "relu"}
    x, y = explorer.lines["f"]["sigmoid"].get_data()
    assert x[0] == -4.0 and x[-1] == 4.0
    np.testing.assert_allclose(y, F.sigmoid(x))
    x, y = explorer.lines["grad"]["relu"].get_data()
    np.testing.assert_allclose(y, F.relu_grad(x))
    assert explorer.ax_grad.get_ylim()[1] >= 1.0  # autoscaled to show ReLU's derivative of 1


def test_choosing_activations_shows_and_hides_lines(explorer):
    explorer.controls["activations"].value = ("tanh", "gelu", "silu")
    assert visible(explorer, "f") == visible(explorer, "depth") == {"tanh", "gelu", "silu"}
    _, y = explorer.lines["grad"]["gelu"].get_data()
    x, _ = explorer.lines["grad"]["gelu"].get_data()
    np.testing.assert_allclose(y, F.gelu_grad(x))
    legend_texts = [t.get_text() for t in explorer.ax_depth.get_legend().get_texts()]
    assert [t.split(":")[0] for t in legend_texts] == ["tanh", "gelu", "silu"]


def test_x_range_changes_the_plotted_interval(explorer):
    explorer.controls["x_range"].value = (-12.0, 2.0)
    x, _ = explorer.lines["f"]["relu"].get_data()
    assert (x[0], x[-1]) == (-12.0, 2.0)
    assert explorer.ax_f.get_xlim() == (-12.0, 2.0)


def test_negative_slope_changes_leaky_relu_only(explorer):
    explorer.controls["activations"].value = ("relu", "leaky_relu")
    explorer.controls["negative_slope"].value = 0.3
    x, y = explorer.lines["f"]["leaky_relu"].get_data()
    np.testing.assert_allclose(y, F.leaky_relu(x, 0.3))
    _, g = explorer.lines["grad"]["leaky_relu"].get_data()
    assert g.min() == pytest.approx(0.3)
    expected = profile("leaky_relu", negative_slope=0.3)
    np.testing.assert_allclose(explorer.lines["depth"]["leaky_relu"].get_ydata(), expected)
    assert "0.30" in explorer.ax_grad.get_title()


def test_depth_moves_the_marker_and_reports_the_surviving_gradient(explorer):
    explorer.controls["depth"].value = 30
    assert list(explorer.depth_marker.get_xdata()) == [30, 30]
    assert explorer.ax_depth.get_title() == "gradient after 30 layers"
    assert explorer.surviving["sigmoid"] == profile("sigmoid")[30]
    # the point of the panel: sigmoid's gradient has all but vanished, ReLU's has survived
    assert explorer.surviving["sigmoid"] < 1e-10 < 0.1 < explorer.surviving["relu"] < 10
    legend = [t.get_text() for t in explorer.ax_depth.get_legend().get_texts()]
    assert legend[0].startswith("sigmoid: ") and "e-" in legend[0]


def test_unknown_activation_is_a_clear_error():
    with pytest.raises(ValueError, match=r"ActivationExplorer: activations must be .* got \['softplus'\]"):
        ActivationExplorer(activations=("softplus",))
