"""The network diagram: one circle per neuron, one line per weight, updated in place."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba

from nncourse.plot import COLORS, NetworkDiagram, draw_network


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_one_node_per_neuron_and_one_edge_per_weight(ax):
    diagram = draw_network(ax, [2, 3, 1])
    assert len(diagram.nodes.get_offsets()) == 2 + 3 + 1
    assert len(diagram.edges.get_segments()) == 2 * 3 + 3 * 1
    assert [len(p) for p in diagram.positions] == [2, 3, 1]
    assert [t.get_text() for t in diagram.labels] == ["input", "hidden 1", "output"]


def test_edges_follow_the_row_major_order_of_the_weight_matrix(ax):
    diagram = draw_network(ax, [2, 3, 1])
    segments = diagram.edges.get_segments()
    # Edge k of the first layer joins input i = k % 2 to hidden neuron j = k // 2, as W[j, i] = W.ravel()[k].
    for k in range(6):
        j, i = divmod(k, 2)
        np.testing.assert_allclose(segments[k][0], diagram.positions[0][i])
        np.testing.assert_allclose(segments[k][1], diagram.positions[1][j])


def test_edge_width_grows_with_magnitude_and_colour_shows_sign(ax):
    W1 = np.array([[1.0, -2.0], [0.5, 0.0], [-4.0, 3.0]])
    W2 = np.array([[0.25, -0.25, 1.0]])
    diagram = draw_network(ax, [2, 3, 1], weights=[W1, W2], max_linewidth=5.0)
    widths = np.asarray(diagram.edges.get_linewidths())
    flat = np.concatenate([W1.ravel(), W2.ravel()])
    assert np.all(np.diff(widths[np.argsort(np.abs(flat))]) >= 0)
    assert widths[np.argmax(np.abs(flat))] == pytest.approx(5.0)
    colors = diagram.edges.get_colors()
    for w, c in zip(flat, colors, strict=True):
        expected = COLORS["positive"] if w >= 0 else COLORS["negative"]
        np.testing.assert_allclose(c[:3], to_rgba(expected)[:3])


def test_activations_fill_neurons_and_unreached_layers_stay_white(ax):
    diagram = draw_network(ax, [2, 2, 1])
    diagram.set_activations([np.array([1.0, -1.0]), np.array([0.0, 2.0]), None])
    fills = diagram.nodes.get_facecolors()
    cmap = diagram.cmap
    np.testing.assert_allclose(fills[0], cmap(1.0))  # +max of its layer: the top of the colour map
    np.testing.assert_allclose(fills[1], cmap(0.0))  # -max: the bottom
    np.testing.assert_allclose(fills[2], cmap(0.5))  # zero: the middle
    np.testing.assert_allclose(fills[4], to_rgba("white"))


def test_highlight_rings_a_layer_and_fades_edges_that_do_not_feed_it(ax):
    diagram = draw_network(ax, [2, 3, 2], weights=[np.ones((3, 2)), np.ones((2, 3))])
    diagram.set_highlight(1)
    alphas = diagram.edges.get_colors()[:, 3]
    assert np.all(alphas[:6] > alphas[6:])
    widths = np.asarray(diagram.nodes.get_linewidths())
    assert np.all(widths[2:5] > widths[0]) and widths[5] == widths[0]
    diagram.set_highlight(None)
    assert np.all(diagram.edges.get_colors()[:, 3] == alphas[0])


def test_updates_do_not_add_artists(ax):
    diagram = draw_network(ax, [2, 4, 1])
    before = len(ax.get_children())
    for seed in range(3):
        rng = np.random.default_rng(seed)
        diagram.set_weights([rng.normal(size=(4, 2)), rng.normal(size=(1, 4))])
        diagram.set_activations([rng.normal(size=2), rng.normal(size=4), rng.normal(size=1)])
        diagram.set_highlight(seed % 3)
    assert len(ax.get_children()) == before


def test_bad_input_names_the_problem(ax):
    with pytest.raises(ValueError, match="at least two positive sizes"):
        NetworkDiagram(ax, [3])
    diagram = draw_network(ax, [2, 3, 1])
    with pytest.raises(ValueError, match=r"weights\[0\] must have shape \(3, 2\) \(out, in\), got \(2, 3\)"):
        diagram.set_weights([np.ones((2, 3)), np.ones((1, 3))])
    with pytest.raises(ValueError, match="expected 2 weight matrices"):
        diagram.set_weights([np.ones((3, 2))])
    with pytest.raises(ValueError, match="layer 1 has 3 neurons, got 2 activations"):
        diagram.set_activations([np.ones(2), np.ones(2), np.ones(1)])
    with pytest.raises(ValueError, match=r"layer must be in 0..2, got 5"):
        diagram.set_highlight(5)
    with pytest.raises(ValueError, match="at least two positive sizes"):
        NetworkDiagram(ax, [2, 1.5])  # not silently drawn as [2, 1]
    with pytest.raises(ValueError, match="layer_names must name all 3 layers, got 2"):
        NetworkDiagram(ax, [2, 3, 1], layer_names=["in", "out"])
    with pytest.raises(ValueError, match=r"vmax must be one number or one per layer \(3\), got 2"):
        NetworkDiagram(ax, [2, 3, 1], vmax=[1.0, 2.0])


def test_a_fixed_colour_scale_per_layer(ax):
    diagram = draw_network(ax, [2, 2, 1], vmax=[4.0, 1.0, 2.0])
    diagram.set_activations([np.array([2.0, -4.0]), np.array([0.5, 1.0]), np.array([-2.0])])
    fills = diagram.nodes.get_facecolors()
    np.testing.assert_allclose(fills[0], diagram.cmap(0.75))  # 2 on the scale [-4, 4]
    np.testing.assert_allclose(fills[1], diagram.cmap(0.0))
    np.testing.assert_allclose(fills[2], diagram.cmap(0.75))  # 0.5 on [-1, 1]
    np.testing.assert_allclose(fills[4], diagram.cmap(0.0))
    assert [norm.vmax for norm in diagram.layer_norms()] == [4.0, 1.0, 2.0]
