"""The forward-pass explorer, driven headless: set control values (or click) and read the scene it draws."""

import numpy as np
import pytest
import torch
from matplotlib import colormaps
from matplotlib.colors import to_rgba
from test_widget_base import floats, items, texts

from nncourse import nn
from nncourse.plot import DIVERGING_CMAP
from nncourse.widgets._canvas import CLASS_CMAP
from nncourse.widgets.forward_pass import PLANE, RESOLUTION, ForwardPassExplorer


@pytest.fixture
def widget():
    return ForwardPassExplorer(depth=2, activation="tanh", weights="random init")


def torch_copy(model):
    """The same network in PyTorch (float64), weights copied: the reference for every forward value."""
    layers = []
    for module in model:
        if isinstance(module, nn.Linear):
            linear = torch.nn.Linear(module.in_features, module.out_features, dtype=torch.float64)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(module.weight.data))
                linear.bias.copy_(torch.from_numpy(module.bias.data))
            layers.append(linear)
        else:
            layers.append({"Tanh": torch.nn.Tanh, "ReLU": torch.nn.ReLU}[type(module).__name__]())
    return torch.nn.Sequential(*layers)


def torch_layer_outputs(model, x):
    """[x, a1, ..., z] computed by PyTorch: every activation module's output, then the last layer's."""
    outputs, a = [x], torch.from_numpy(x)
    for module in torch_copy(model):
        a = module(a)
        if not isinstance(module, torch.nn.Linear):
            outputs.append(a.detach().numpy())
    return [*outputs, a.detach().numpy()]


def heat_panels(widget):
    """The heat-map panels, column by column (layer 1 first) and unit by unit."""
    return [p for p in widget.panels if items(p, "image")]


def pixels(panel):
    (image,) = items(panel, "image")
    return np.frombuffer(image["rgba"], dtype=np.uint8).reshape(image["ny"], image["nx"], 4) / 255.0


def input_dots(widget):
    return [(float(floats(p, "x")[0]), float(floats(p, "y")[0])) for panel in heat_panels(widget)
            for p in items(panel, "points") if p["color"] == "white"]


def test_sliders_and_clicks_move_the_input_and_change_the_neuron_fills(widget):
    fills = widget.diagram.node_fills.copy()
    widget.controls["x1"].value = -1.0
    widget.controls["x2"].value = 1.2
    np.testing.assert_allclose(widget.point_activations[0], [-1.0, 1.2])
    assert not np.allclose(widget.diagram.node_fills, fills)
    dots = np.array(input_dots(widget))
    assert len(dots) == 9 and np.allclose(dots, [-1.0, 1.2])  # one dot per heat map
    assert "x = (-1.00, 1.20)" in widget.panels[0]["title"]
    widget.canvas._handle_message(widget.canvas, {"event": "click", "panel": 3, "x": 2.0, "y": -0.5}, [])
    assert (widget.controls["x1"].value, widget.controls["x2"].value) == (2.0, -0.5)
    np.testing.assert_allclose(widget.point_activations[0], [2.0, -0.5])
    widget.set_input(9.0, -9.0)  # clipped to the plane
    assert (widget.controls["x1"].value, widget.controls["x2"].value) == (PLANE[1], PLANE[2])


def test_point_activations_are_the_forward_pass_of_the_network(widget):
    widget.controls["x1"].value = 0.3
    widget.controls["x2"].value = -0.6
    reference = torch_layer_outputs(widget.model, np.array([[0.3, -0.6]]))
    for a, b in zip(widget.point_activations, reference, strict=True):
        np.testing.assert_allclose(a, b[0], rtol=1e-12, atol=1e-15)
    z = reference[-1][0, 0]
    assert f"z = {z:.2f}" in widget.panels[0]["title"]


def test_the_plane_view_is_a_forward_pass_over_a_grid_coloured_on_one_scale(widget):
    x0, x1, y0, y1 = PLANE
    xx, yy = np.meshgrid(np.linspace(x0, x1, RESOLUTION), np.linspace(y0, y1, RESOLUTION))
    reference = torch_layer_outputs(widget.model, np.column_stack([xx.ravel(), yy.ravel()]))
    for layer in (1, 2, 3):
        np.testing.assert_allclose(widget.plane_activations[layer].reshape(-1, reference[layer].shape[1]),
                                   reference[layer], rtol=1e-12, atol=1e-15)
    assert widget.vmax == 1.0  # tanh: the fixed scale ±1, shared by every hidden unit
    panels = heat_panels(widget)
    assert len(panels) == 2 * 4 + 1
    cmap = colormaps[DIVERGING_CMAP]
    for index, panel in enumerate(panels[:8]):
        layer, unit = divmod(index, 4)
        values = widget.plane_activations[layer + 1][:, :, unit]
        np.testing.assert_allclose(pixels(panel), cmap((values + 1) / 2), atol=1 / 255 + 1e-9)
    # The output column shows σ(z) in the classes' colours: class 0's colour where the network says class 0.
    z = widget.plane_activations[-1][:, :, 0]
    expected = colormaps[CLASS_CMAP](1 / (1 + np.exp(-z)))
    np.testing.assert_allclose(pixels(panels[-1]), expected, atol=1 / 255 + 1e-9)
    assert {"activation", "P(class 1)"} <= set(texts(widget.panels))  # the colour bars


def test_unbounded_activations_share_one_scale_set_by_the_largest_activation():
    widget = ForwardPassExplorer(depth=3, activation="relu", weights="random init")
    largest = max(np.abs(a).max() for a in widget.plane_activations[1:-1])
    assert widget.vmax >= max(largest, 1.0) and widget.vmax - max(largest, 1.0) < 0.1
    bars = [p["colorbar"] for p in widget.panels if "colorbar" in p and p["colorbar"]["label"] == "activation"]
    assert bars[0]["vmax"] == widget.vmax


def test_neuron_fill_is_the_heat_map_colour_at_the_input(widget):
    # Put the input on a grid point: then the heat map's pixel under the dot has the neuron's colour.
    widget.controls["x1"].value = PLANE[0]
    widget.controls["x2"].value = PLANE[2]
    first_hidden = widget.diagram.node_fills[2:6]
    for unit, panel in enumerate(heat_panels(widget)[:4]):
        np.testing.assert_allclose(first_hidden[unit], pixels(panel)[0, 0], atol=1 / 255 + 1e-9)
    output_fill = widget.diagram.node_fills[-1]
    np.testing.assert_allclose(output_fill, pixels(heat_panels(widget)[-1])[0, 0], atol=1 / 255 + 1e-9)


def test_depth_and_activation_changes_rebuild_the_network(widget):
    assert len(widget.diagram.segments) == 2 * 4 + 4 * 4 + 4 * 1
    widget.controls["depth"].value = 4
    assert len(widget.diagram.segments) == 2 * 4 + 3 * 4 * 4 + 4 * 1
    assert sum(isinstance(m, nn.Linear) for m in widget.model) == 5
    assert len(heat_panels(widget)) == 4 * 4 + 1 and widget.step == 5
    widget.controls["depth"].value = 1
    assert len(heat_panels(widget)) == 4 + 1
    titles = [p["title"] for p in heat_panels(widget) if p["title"]]
    assert titles == ["hidden 1", "output σ(z)"]
    before = widget.point_activations[1].copy()
    widget.controls["activation"].value = "relu"
    assert type(widget.model[1]).__name__ == "ReLU"
    assert np.all(widget.point_activations[1] >= 0)
    assert not np.allclose(widget.point_activations[1], before)


def test_trained_and_random_weights_differ_and_show_the_data_only_when_trained():
    widget = ForwardPassExplorer(depth=2, weights="trained on moons")
    trained = widget.linears[0].weight.data.copy()
    assert len(items(heat_panels(widget)[-1], "points")) == 3  # two classes and the input dot
    widget.controls["weights"].value = "random init"
    assert not np.allclose(widget.linears[0].weight.data, trained)
    assert len(items(heat_panels(widget)[-1], "points")) == 1


def test_play_steps_through_the_layers_and_stops_at_the_output(widget):
    white = to_rgba("white")
    layer_of_node = np.repeat(np.arange(4), [2, 4, 4, 1])
    assert widget.step == 3
    for expected in range(4):
        keep_going = widget.next_layer()
        assert widget.step == expected and keep_going == (expected < 3)
        fills = widget.diagram.node_fills
        reached = layer_of_node <= expected
        assert np.all(np.isclose(fills[~reached], white))
        rings = widget.diagram.node_ring_widths
        if expected < 3:
            assert np.all(rings[layer_of_node == expected] > rings[layer_of_node != expected].max())
            assert f"reached {widget.names[expected]}" in widget.panels[0]["title"]
        else:
            assert np.ptp(rings) == 0  # fully propagated: no layer singled out
        alphas = [items(p, "image")[0]["alpha"] for p in heat_panels(widget)[::4]]
        assert [a == 1.0 for a in alphas] == [layer <= expected for layer in (1, 2, 3)]
    assert widget.play.play.tooltip and widget.play.step_button.tooltip


def test_reset_puts_every_control_back(widget):
    widget.controls["depth"].value = 3
    widget.controls["x1"].value = 2.0
    widget.next_layer()
    widget.reset()
    assert widget.controls["depth"].value == 2 and widget.controls["x1"].value == 0.5 and widget.step == 3


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"weights": "pretrained"}, "weights must be one of"),
        ({"depth": 5}, "depth must be an integer from 1 to 4, got 5"),  # the slider would clamp it silently
        ({"depth": 0}, "depth must be an integer from 1 to 4"),
        ({"activation": "swish"}, "activation must be one of"),
        ({"width": 0}, "width must be an integer from 1 to 8, got 0"),
    ],
)
def test_bad_arguments_are_named_never_clamped(kwargs, words):
    with pytest.raises(ValueError, match=words):
        ForwardPassExplorer(**kwargs)
