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


def test_leaves_left_loss_right_and_columns_by_depth():
    _, _, _, L = tiny_expression()
    fig, ax = plt.subplots()
    nncourse.plot.draw_graph(L, ax=ax, column_width=2.0)
    x_of = {t.get_text().split("\n")[0]: t.get_position()[0] for t in boxes(ax)}
    assert x_of["x"] == x_of["w"] == x_of["const"] == 0.0
    assert x_of["z = *"] == 2.0 and x_of["+"] == 4.0 and x_of["L = tanh"] == 6.0
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
