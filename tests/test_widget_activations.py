"""The activation explorer, headless: choosing activations, the x range, the slope and the depth redraw it."""

import ipywidgets as widgets
import numpy as np
import pytest
from test_widget_base import floats, items, texts

from nncourse import functional as F
from nncourse import nn
from nncourse.plot import ACTIVATION_COLORS
from nncourse.widgets.activations import ACTIVATIONS, BATCH, MAX_DEPTH, WIDTH, ActivationExplorer


def profile(name, **kwargs):
    """The explorer's depth curve: the registry's gradient-through-depth experiment at the widget's size."""
    return nn.gradient_through_depth(name, depth=MAX_DEPTH, width=WIDTH, batch=BATCH, **kwargs)


@pytest.fixture
def explorer():
    return ActivationExplorer(activations=("sigmoid", "relu"), x_range=(-4.0, 4.0), negative_slope=0.1, depth=10)


def curve(widget, panel, name):
    """The (x, y) drawn in panel 0 (f), 1 (f') or 2 (depth) for activation ``name``."""
    (line,) = [i for i in items(widget.panels[panel], "line") if i["color"] == ACTIVATION_COLORS[name]]
    return floats(line, "x"), floats(line, "y")


def drawn(widget, panel):
    colours = {i["color"] for i in items(widget.panels[panel], "line")}
    return {name for name in ACTIVATIONS if ACTIVATION_COLORS[name] in colours}


def test_controls_are_ordinary_ipywidgets_with_a_reset(explorer):
    assert isinstance(explorer.controls["activations"], widgets.SelectMultiple)
    assert list(explorer.controls["activations"].options) == list(ACTIVATIONS)
    assert isinstance(explorer.controls["x_range"], widgets.FloatRangeSlider)
    assert explorer.controls["depth"].max == MAX_DEPTH
    explorer.controls["depth"].value = 40
    explorer.reset()
    assert explorer.controls["depth"].value == 10


def test_curves_show_f_and_its_derivative_for_the_chosen_activations(explorer):
    for panel in (0, 1, 2):
        assert drawn(explorer, panel) == {"sigmoid", "relu"}
    x, y = curve(explorer, 0, "sigmoid")
    assert (x[0], x[-1]) == (-4.0, 4.0)
    np.testing.assert_allclose(y, F.sigmoid(x.astype(float)), atol=1e-6)
    x, y = curve(explorer, 1, "relu")
    np.testing.assert_allclose(y, F.relu_grad(x.astype(float)))
    assert explorer.panels[1]["ylim"][1] >= 1.0  # the range shows ReLU's derivative of 1


def test_choosing_activations_draws_them_with_a_legend(explorer):
    explorer.controls["activations"].value = ("tanh", "gelu", "silu")
    assert drawn(explorer, 0) == drawn(explorer, 2) == {"tanh", "gelu", "silu"}
    x, y = curve(explorer, 1, "gelu")
    np.testing.assert_allclose(y, F.gelu_grad(x.astype(float)), atol=1e-6)
    legend = [entry["label"] for entry in explorer.panels[2]["legend"]]
    assert [t.split(":")[0] for t in legend] == ["tanh", "gelu", "silu"]


def test_choosing_no_activation_shows_a_hint_not_empty_axes(explorer):
    explorer.controls["activations"].value = ()
    assert "choose at least one activation" in texts(explorer.panels)
    assert not any(items(panel, "line") for panel in explorer.panels)


def test_the_slope_slider_works_only_while_leaky_relu_is_shown(explorer):
    assert explorer.controls["negative_slope"].disabled
    explorer.controls["activations"].value = ("relu", "leaky_relu")
    assert not explorer.controls["negative_slope"].disabled
    explorer.controls["negative_slope"].value = 0.3
    x, y = curve(explorer, 0, "leaky_relu")
    np.testing.assert_allclose(y, F.leaky_relu(x.astype(float), 0.3), atol=1e-6)
    _, g = curve(explorer, 1, "leaky_relu")
    assert g.min() == pytest.approx(0.3)
    np.testing.assert_allclose(curve(explorer, 2, "leaky_relu")[1], profile("leaky_relu", negative_slope=0.3),
                               rtol=1e-6)
    assert "0.30" in explorer.panels[1]["title"]


def test_x_range_changes_the_plotted_interval(explorer):
    explorer.controls["x_range"].value = (-12.0, 2.0)
    x, _ = curve(explorer, 0, "relu")
    assert (x[0], x[-1]) == (-12.0, 2.0)
    assert explorer.panels[0]["xlim"] == [-12.0, 2.0]


def test_depth_moves_the_marker_and_reports_the_surviving_gradient(explorer):
    explorer.controls["depth"].value = 30
    marker = [i for i in items(explorer.panels[2], "line") if i.get("dash")]
    assert list(floats(marker[0], "x")) == [30, 30]
    assert explorer.panels[2]["title"] == "gradient after 30 layers"
    assert explorer.surviving["sigmoid"] == profile("sigmoid")[30]
    assert explorer.surviving["sigmoid"] < 1e-10 < 0.1 < explorer.surviving["relu"] < 10
    legend = [entry["label"] for entry in explorer.panels[2]["legend"]]
    assert legend[0].startswith("sigmoid: ") and "e-" in legend[0]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"activations": ("mish",)}, r"activations must be .* got \['mish'\]"),
        ({"depth": 100}, "depth must be an integer from 1 to 50, got 100"),
        ({"depth": 0}, "depth must be an integer from 1 to 50, got 0"),
        ({"negative_slope": 0.9}, "negative_slope must be a number from 0.0 to 0.5, got 0.9"),
        ({"x_range": (-50.0, 5.0)}, "x_range must be a number from -20.0 to 20.0, got -50.0"),
        ({"x_range": (3.0, 1.0)}, r"x_range must be \(low, high\) with low < high"),
    ],
)
def test_bad_arguments_are_named_never_clamped(kwargs, words):
    with pytest.raises(ValueError, match=words):
        ActivationExplorer(**kwargs)
