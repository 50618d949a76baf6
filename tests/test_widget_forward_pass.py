"""The forward-pass explorer, driven headless: set control values and read the figure's artists."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch
from matplotlib.colors import to_rgba

from nncourse import nn
from nncourse.widgets.forward_pass import (
    MAX_DEPTH,
    PLANE,
    RESOLUTION,
    ForwardPassExplorer,
)


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


def test_sliders_move_the_input_and_change_the_neuron_fills(widget):
    fills = widget.diagram.nodes.get_facecolors().copy()
    widget.controls["x1"].value = -1.0
    widget.controls["x2"].value = 1.2
    np.testing.assert_allclose(widget.point_activations[0], [-1.0, 1.2])
    assert not np.allclose(widget.diagram.nodes.get_facecolors(), fills)
    for marker in widget.markers.values():
        assert marker.get_xdata()[0] == -1.0 and marker.get_ydata()[0] == 1.2
    assert "x = (-1.00, 1.20)" in widget.title.get_text()


def test_point_activations_are_the_forward_pass_of_the_network(widget):
    widget.controls["x1"].value = 0.3
    widget.controls["x2"].value = -0.6
    reference = torch_layer_outputs(widget.model, np.array([[0.3, -0.6]]))
    for a, b in zip(widget.point_activations, reference, strict=True):
        np.testing.assert_allclose(a, b[0], rtol=1e-12, atol=1e-15)
    z = reference[-1][0, 0]
    assert f"z = {z:.2f}" in widget.title.get_text()


def test_the_plane_view_is_a_forward_pass_over_a_grid(widget):
    x0, x1, y0, y1 = PLANE
    xx, yy = np.meshgrid(np.linspace(x0, x1, RESOLUTION), np.linspace(y0, y1, RESOLUTION))
    reference = torch_layer_outputs(widget.model, np.column_stack([xx.ravel(), yy.ravel()]))
    for layer in (1, 2):
        for unit in range(4):
            image = widget.heatmaps[layer, unit].get_array()
            np.testing.assert_allclose(image, reference[layer][:, unit].reshape(RESOLUTION, RESOLUTION),
                                       rtol=1e-12, atol=1e-15)
    output = widget.heatmaps[MAX_DEPTH + 1, 0].get_array()
    np.testing.assert_allclose(output, reference[-1][:, 0].reshape(RESOLUTION, RESOLUTION), rtol=1e-12)


def test_neuron_fill_is_the_heat_map_colour_at_the_input(widget):
    # Put the input on a grid point: then the heat map's pixel under the dot has the neuron's colour.
    widget.controls["x1"].value = PLANE[0]
    widget.controls["x2"].value = PLANE[2]
    fills = widget.diagram.nodes.get_facecolors()
    first_hidden = fills[2:6]
    for unit in range(4):
        image = widget.heatmaps[1, unit]
        expected = image.cmap(image.norm(image.get_array()[0, 0]))
        np.testing.assert_allclose(first_hidden[unit], expected, atol=1e-12)


def test_depth_and_activation_changes_rebuild_the_network(widget):
    assert len(widget.diagram.edges.get_segments()) == 2 * 4 + 4 * 4 + 4 * 1
    widget.controls["depth"].value = 4
    assert len(widget.diagram.edges.get_segments()) == 2 * 4 + 3 * 4 * 4 + 4 * 1
    assert sum(isinstance(m, nn.Linear) for m in widget.model) == 5
    visible = {key for key, ax in widget.heat_axes.items() if ax.get_visible()}
    assert visible == {(layer, unit) for layer in range(1, 5) for unit in range(4)} | {(5, 0)}
    assert widget.controls["play"].max == 5 and widget.controls["play"].value == 5

    widget.controls["depth"].value = 1
    visible = {key for key, ax in widget.heat_axes.items() if ax.get_visible()}
    assert visible == {(1, unit) for unit in range(4)} | {(5, 0)}
    # The output heat map moves next to the last hidden layer.
    np.testing.assert_allclose(widget.heat_axes[5, 0].get_position().bounds,
                               widget.heat_axes[2, 0].get_subplotspec().get_position(widget.fig).bounds)

    before = widget.point_activations[1].copy()
    widget.controls["activation"].value = "relu"
    assert type(widget.model[1]).__name__ == "ReLU"
    assert np.all(widget.point_activations[1] >= 0)
    assert not np.allclose(widget.point_activations[1], before)


def test_trained_and_random_weights_differ_and_show_the_data_only_when_trained():
    widget = ForwardPassExplorer(depth=2, weights="trained on moons")
    trained = widget.linears[0].weight.data.copy()
    assert all(points.get_visible() for points in widget.output_points)
    widget.controls["weights"].value = "random init"
    assert not np.allclose(widget.linears[0].weight.data, trained)
    assert not any(points.get_visible() for points in widget.output_points)


def test_play_steps_through_the_layers(widget):
    play = widget.controls["play"]
    white = to_rgba("white")
    for step in range(play.max + 1):
        play.value = step
        fills = widget.diagram.nodes.get_facecolors()
        layer_of_node = np.repeat(np.arange(4), [2, 4, 4, 1])
        reached = layer_of_node <= step
        assert not np.any(np.all(np.isclose(fills[reached], white), axis=1) & (step == 0))
        assert np.all(np.isclose(fills[~reached], white))
        ring = np.asarray(widget.diagram.nodes.get_linewidths())
        if step < play.max:
            assert np.all(ring[layer_of_node == step] > ring[layer_of_node != step].max())
            assert f"reached {widget.names[step]}" in widget.title.get_text()
        else:
            assert np.ptp(ring) == 0  # fully propagated: no layer singled out
        assert widget.step_label.value == f"step {step} / 3"
        alphas = {layer: widget.heatmaps[layer, 0].get_alpha() for layer in (1, 2)}
        assert all((alphas[layer] == 1.0) == (layer <= step) for layer in (1, 2))


def test_updates_change_artists_in_place(widget):
    children = len(widget.fig.get_children())
    net_children = len(widget.ax_net.get_children())
    for value in (-1.0, 0.0, 1.0):
        widget.controls["x1"].value = value
        widget.controls["play"].value = 1
        widget.controls["play"].value = 3
    assert len(widget.fig.get_children()) == children
    assert len(widget.ax_net.get_children()) == net_children


def test_bad_weights_choice_is_named():
    with pytest.raises(ValueError, match="weights must be one of"):
        ForwardPassExplorer(weights="pretrained")


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"depth": 5}, "depth must be an integer from 1 to 4"),  # the slider would clamp it silently
        ({"depth": 0}, "depth must be an integer from 1 to 4"),
        ({"activation": "swish"}, "activation must be one of"),
        ({"width": 0}, "width must be a positive integer"),
    ],
)
def test_bad_architecture_is_named_not_clamped(kwargs, words):
    with pytest.raises(ValueError, match=words):
        ForwardPassExplorer(**kwargs)
