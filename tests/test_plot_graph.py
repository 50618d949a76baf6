"""Specification of nncourse.plot.draw_graph: one box per node with value and gradient, one arrow per edge,
columns by depth (leaves left, the loss right)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Annotation

import nncourse.plot
from nncourse.autograd import MLP, Tensor, cross_entropy


def boxes(ax):
    return [t for t in ax.texts if not isinstance(t, Annotation)]


def arrows(ax):
    return [t for t in ax.texts if isinstance(t, Annotation)]


def tiny_expression():
    x = Tensor(np.array(0.5), requires_grad=True, label="x")
    w = Tensor(np.array(-2.0), requires_grad=True, label="w")
    z = w * x
    z.label = "z"
    L = (z + 1.0).tanh()  # 1.0 becomes a constant leaf
    L.label = "L"
    return x, w, z, L


def test_one_box_per_node_and_one_arrow_per_edge():
    x, w, z, L = tiny_expression()
    L.backward()
    fig, ax = plt.subplots()
    assert nncourse.plot.draw_graph(L, ax=ax) is ax
    texts = [t.get_text() for t in boxes(ax)]
    assert len(texts) == 6  # x, w, z = w * x, the constant 1, +, L = tanh
    assert len(arrows(ax)) == 5  # x→*, w→*, z→+, 1→+, +→tanh
    by_title = {t.split("\n")[0]: t.split("\n")[1:] for t in texts}
    # L = tanh(w x + 1) at w x = -1: dL/dz = 1 - tanh²(0) = 1 and dL/dx = dL/dz · w = -2
    assert by_title["x"] == ["0.5", "grad -2"]
    assert by_title["z = *"] == ["-1", "grad 1"]
    assert by_title["L = tanh"] == [f"{np.tanh(0.0):.3g}", "grad 1"]
    assert by_title["const"] == ["1", "no grad"]
    plt.close(fig)


def test_leaves_just_left_of_their_first_use_loss_right_and_columns_by_depth():
    _, _, _, L = tiny_expression()
    fig, ax = plt.subplots()
    nncourse.plot.draw_graph(L, ax=ax, column_width=2.0)
    position = {t.get_text().split("\n")[0]: t.get_position() for t in boxes(ax)}
    x_of = {name: xy[0] for name, xy in position.items()}
    assert x_of["x"] == x_of["w"] == 0.0
    assert x_of["const"] == 2.0  # beside z, not in column 0, so its arrow into + crosses no box
    assert x_of["z = *"] == 2.0 and x_of["+"] == 4.0 and x_of["L = tanh"] == 6.0
    assert position["const"][1] > position["z = *"][1]  # leaves on top of their column
    plt.close(fig)


def test_no_arrow_passes_through_a_box():
    # The chapter's neuron: the target y is used only by the last subtraction; drawn in column 0, its arrow
    # crossed the sigmoid's box.
    x, w, b = (Tensor(np.array(v), requires_grad=True, label=n) for v, n in ((1.5, "x"), (0.8, "w"), (-0.5, "b")))
    y = Tensor(np.array(1.0), label="y")
    L = ((w * x + b).sigmoid() - y) ** 2
    L.backward()
    fig, ax = plt.subplots(figsize=(9, 3))
    nncourse.plot.draw_graph(L, ax=ax)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    extents = {id(t): t.get_bbox_patch().get_window_extent(renderer) for t in boxes(ax)}
    for arrow in arrows(ax):
        path = arrow.arrow_patch.get_path().transformed(arrow.arrow_patch.get_transform())
        points = np.concatenate([np.linspace(a, b, 50) for polygon in path.to_polygons(closed_only=False)
                                 for a, b in zip(polygon[:-1], polygon[1:], strict=True)])
        ends = {id(arrow.xycoords), id(arrow.anncoords)}
        for box_id, extent in extents.items():
            if box_id not in ends:
                assert not any(extent.contains(px, py) for px, py in points), arrow.anncoords.get_text()
    plt.close(fig)


def test_before_backward_gradients_show_a_dash():
    _, _, _, L = tiny_expression()
    fig, ax = plt.subplots()
    nncourse.plot.draw_graph(L, ax=ax)
    assert all(t.get_text().endswith(("grad –", "no grad")) for t in boxes(ax))
    plt.close(fig)


def test_arrays_show_their_shape_and_gradient_norm_and_a_figure_is_made_when_needed():
    model = MLP([3, 4, 2], rng=0, dtype=np.float64)
    loss = cross_entropy(model(np.ones((5, 3))), np.array([0, 1, 0, 1, 1]))
    loss.backward()
    ax = nncourse.plot.draw_graph(loss)
    texts = [t.get_text() for t in boxes(ax)]
    weight = model.layers[0].weight
    assert f"leaf\n(4, 3)\n‖grad‖ {np.linalg.norm(weight.grad):.3g}" in texts
    assert any(t.startswith("@\n(5, 4)") for t in texts)
    plt.close(ax.figure)


def test_bad_input_is_explained():
    with pytest.raises(ValueError, match="draw_graph: expected an nncourse.autograd.Tensor, got ndarray"):
        nncourse.plot.draw_graph(np.ones(3))
    x = Tensor(np.array(1.0), requires_grad=True)
    y = x
    for _ in range(300):
        y = y * x  # x is reused: 300 products and one leaf
    with pytest.raises(ValueError, match="301 nodes.*at most 200"):
        nncourse.plot.draw_graph(y)
