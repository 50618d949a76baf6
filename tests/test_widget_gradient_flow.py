"""The gradient-flow explorer, driven headless: its bars are the real per-layer gradient norms, the choices
change them, and the step control walks the backward pass from the output down to the input."""

import numpy as np
import pytest
from test_widget_base import floats, items, texts

from nncourse import nn
from nncourse.widgets.gradient_flow import GradientFlowExplorer


@pytest.fixture
def widget():
    return GradientFlowExplorer(depth=4, width=3, activation="sigmoid", seed=0)


def full_pass(widget):
    """Step to the end of the backward pass, as "play" does."""
    while widget._auto_step():
        pass


def visible_heights(widget):
    """The bars drawn, in layer order (only the layers whose gradient has been computed)."""
    drawn = items(widget.panels[1], "bars")
    return floats(drawn[0], "height").astype(float) if drawn and len(floats(drawn[0], "x")) else np.array([])


def bar_layers(widget):
    drawn = items(widget.panels[1], "bars")
    return [int(v) for v in floats(drawn[0], "x")]


def bar_colours(widget):
    return items(widget.panels[1], "bars")[0]["color"]


def test_bars_are_the_gradient_norms_of_a_direct_nncourse_computation(widget):
    full_pass(widget)
    model, x, y = widget.model, widget.x, widget.y
    criterion = nn.MSELoss()
    model.zero_grad()
    criterion(model(x), y)
    model.backward(criterion.backward())
    expected = [np.linalg.norm(layer.weight.grad) for layer in model if isinstance(layer, nn.Linear)]
    np.testing.assert_allclose(widget.norms, expected, rtol=1e-12)
    np.testing.assert_allclose(visible_heights(widget), expected, rtol=1e-6)  # float32 on the way


def test_gradients_agree_with_pytorch(widget):
    torch = pytest.importorskip("torch")
    linears = [m for m in widget.model if isinstance(m, nn.Linear)]
    h = torch.tensor(widget.x)
    params = []
    for index, layer in enumerate(linears):
        w = torch.tensor(layer.weight.data, requires_grad=True)
        params.append(w)
        h = h @ w.T + torch.tensor(layer.bias.data)
        if index < len(linears) - 1:
            h = torch.sigmoid(h)
    torch.nn.functional.mse_loss(h, torch.tensor(widget.y)).backward()
    np.testing.assert_allclose(widget.norms, [p.grad.norm().item() for p in params], rtol=1e-10)


def test_choosing_relu_instead_of_sigmoid_changes_the_bars_and_the_title(widget):
    before = widget.norms.copy()
    widget.controls["activation"].value = "relu"
    full_pass(widget)
    assert len(visible_heights(widget)) == len(before)
    assert not np.allclose(before, widget.norms)
    assert widget.panels[1]["title"].startswith("relu")


def test_sigmoid_gradients_vanish_towards_the_input():
    widget = GradientFlowExplorer(depth=8, width=6, activation="sigmoid", seed=0)
    sigmoid_ratio = widget.norms[0] / widget.norms[-1]
    widget.controls["init"].value = "kaiming_normal"
    widget.controls["activation"].value = "relu"
    relu_ratio = widget.norms[0] / widget.norms[-1]
    assert sigmoid_ratio < 1e-4
    assert relu_ratio > 1e-1


def test_depth_and_width_change_the_bars_and_the_diagram(widget):
    widget.controls["depth"].value = 7
    assert widget.controls["step"].max == 8
    assert widget.controls["step"].value == 0  # a new network starts at the loss...
    assert widget.play.play.value  # ...and its backward pass runs on its own
    full_pass(widget)
    assert len(visible_heights(widget)) == 8
    widget.controls["width"].value = 5
    # 7 hidden layers of 5 plus the input layer of 5 and one output: 7·25 + 5 edges
    assert len(widget.diagram.segments) == 7 * 25 + 5
    assert widget.diagram.layer_sizes == [5] * 8 + [1]


def test_step_0_shows_only_the_loss_and_each_step_one_more_layer(widget):
    n_linear = 5
    assert widget.controls["step"].value == 0
    assert widget.panels[0]["title"].startswith("step 0") and bar_layers(widget) == []  # no answer yet
    fills = widget.diagram.node_fills
    assert np.all(fills[:-1] == 1) and not np.all(fills[-1] == 1)  # white until reached: only ŷ has its delta

    widget.next_step()  # the first "next layer" after a change goes to step 1, not back to 0
    assert widget.controls["step"].value == 1
    assert "∂L/∂W(5)" in widget.panels[0]["title"]
    assert bar_layers(widget) == [5]

    widget.controls["step"].value = 3
    assert bar_layers(widget) == [3, 4, 5]
    colours = bar_colours(widget)
    assert colours[0] != colours[1] == colours[2]  # layer 3 this step, layers 4-5 computed before
    widths = widget.diagram.edge_widths
    first_layer, last_layer = widths[: 3 * 3], widths[-3:]
    assert np.all(first_layer == first_layer.min()) and last_layer.max() > first_layer.max()

    assert "then δ(2) flows down" in widget.panels[0]["title"]
    widget.controls["step"].value = n_linear
    assert "δ(0)" not in widget.panels[0]["title"]  # layer 0 is the input x: it has no delta
    widget.next_step()  # after the input layer the walk starts again at the loss
    assert widget.controls["step"].value == 0


def test_auto_step_stops_at_the_input_and_reset_puts_the_controls_back(widget):
    steps = 0
    while widget._auto_step():
        steps += 1
    assert widget.controls["step"].value == 5 and steps == 4
    widget.controls["depth"].value = 2
    widget.reset()
    assert widget.controls["depth"].value == 4 and not widget.play.play.value


def test_colours_that_carry_values_have_a_colour_bar_or_legend(widget):
    shown = texts(widget.panels)
    assert "δ(l), batch mean" in shown and "∂L/∂w > 0" in shown and "computed" in shown


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"depth": 9}, "depth must be an integer from 1 to 8, got 9"),
        ({"width": 1}, "width must be an integer from 2 to 8, got 1"),
        ({"max_depth": 40}, "max_depth must be an integer from 1 to 12"),
        ({"activation": "gelu"}, "activation must be one of"),
        ({"init": "kaiming"}, "init must be one of"),
    ],
)
def test_bad_arguments_are_named_never_clamped(kwargs, words):
    with pytest.raises(ValueError, match=words):
        GradientFlowExplorer(**kwargs)
