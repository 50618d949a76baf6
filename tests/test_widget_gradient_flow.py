"""The gradient-flow explorer, driven headless: its bars are the real per-layer gradient norms, the choices
change them, and the step control walks the backward pass from the output down to the input."""

import numpy as np
import pytest

from nncourse import nn
from nncourse.widgets.gradient_flow import GradientFlowExplorer


@pytest.fixture
def widget():
    return GradientFlowExplorer(depth=4, width=3, activation="sigmoid", seed=0)


def visible_heights(widget):
    return np.array([bar.get_height() for bar in widget.bars if bar.get_visible()])


def test_bars_are_the_gradient_norms_of_a_direct_nncourse_computation(widget):
    model, x, y = widget.model, widget.x, widget.y
    criterion = nn.MSELoss()
    model.zero_grad()
    criterion(model(x), y)
    model.backward(criterion.backward())
    expected = [np.linalg.norm(layer.weight.grad) for layer in model if isinstance(layer, nn.Linear)]
    np.testing.assert_allclose(visible_heights(widget), expected, rtol=1e-12)


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
    before = visible_heights(widget)
    widget.controls["activation"].value = "relu"
    after = visible_heights(widget)
    assert len(after) == len(before)
    assert not np.allclose(before, after)
    assert widget.ax_bar.get_title().startswith("relu")


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
    assert len(visible_heights(widget)) == 8
    assert widget.controls["step"].max == 8
    assert widget.controls["step"].value == 8  # a new network shows the full backward pass
    widget.controls["width"].value = 5
    # 7 hidden layers of 5 plus the input layer of 5 and one output: 7·25 + 5 edges
    assert len(widget.diagram.edges.get_segments()) == 7 * 25 + 5
    assert widget.diagram.layer_sizes == [5] * 8 + [1]


def test_stepping_reveals_the_layers_from_the_output_down(widget):
    n_linear = 5
    widget.controls["step"].value = 0
    assert "Step 0" in widget.ax_net.get_title()
    pending = [bar.get_facecolor() for bar in widget.bars[:n_linear]]
    assert len(set(pending)) == 1  # nothing computed yet: every bar in the pending colour
    fills = widget.diagram.nodes.get_facecolors()
    assert np.all(fills[:-1] == 1) and not np.all(fills[-1] == 1)  # white until reached: only ŷ has its delta

    widget.next_step()
    assert widget.controls["step"].value == 1
    assert "∂L/∂W(5)" in widget.ax_net.get_title()
    colours = [bar.get_facecolor() for bar in widget.bars[:n_linear]]
    assert colours[4] != colours[3]  # the last layer is done (current), the others still pending
    assert colours[:4] == pending[:4]

    widget.controls["step"].value = 3
    colours = [bar.get_facecolor() for bar in widget.bars[:n_linear]]
    assert colours[2] != colours[3] != colours[1]  # layer 3 current, layers 4-5 done, layers 1-2 pending
    assert colours[3] == colours[4]
    widths = np.asarray(widget.diagram.edges.get_linewidths())
    first_layer = widths[: 3 * 3]
    last_layer = widths[-3:]
    assert np.all(first_layer == first_layer.min()) and last_layer.max() > first_layer.max()

    widget.controls["step"].value = n_linear
    widget.next_step()  # after the input layer the walk starts again at the loss
    assert widget.controls["step"].value == 0
