"""Drawing the computational graph of an autograd expression, with matplotlib only (no Graphviz).

Each node of the graph that ends at a :class:`nncourse.autograd.Tensor` is a box with three lines: its
name (the tensor's ``label`` and/or the operation that made it), its forward value (the number, or the shape
of an array, e.g. ``(5, 3)``) and its gradient ∂L/∂(node) (the number, or the norm ‖grad‖ of an array;
"–" before ``backward()``, "no grad" for a constant).
Nodes are laid out left to right by depth: every operation one column right of its deepest input, and every
leaf (input, parameter, constant) one column left of the first operation that uses it, so that the forward
pass reads left to right, the backward pass right to left, and arrows join neighbouring columns; an arrow
that must skip columns arcs over the boxes between. Within a column, leaves sit on top and operations near
the average height of their inputs.
"""

import matplotlib.pyplot as plt
import numpy as np

from nncourse.plot._style import COLORS, OKABE_ITO

_FILL = {"parameter": "#D6E9F5", "constant": "#EEEEEE", "operation": "white"}


def _graph_nodes(root):
    """The nodes of the graph ending at ``root``, each after its parents (the engine's order)."""
    return root._topological_order()


def _layout(nodes):
    """``{id(node): (column, row_position)}`` for a layered, left-to-right drawing."""
    depth = {}
    for node in nodes:  # parents come first, so their depth is known
        depth[id(node)] = 1 + max((depth[id(p)] for p in node._parents), default=-1)
    first_use = {}
    for node in nodes:
        for p in node._parents:
            first_use[id(p)] = min(first_use.get(id(p), depth[id(node)]), depth[id(node)])
    for node in nodes:  # a leaf sits just left of its first user, so that no arrow crosses a column of boxes
        if not node._parents and id(node) in first_use:
            depth[id(node)] = first_use[id(node)] - 1
    columns = {}
    for node in nodes:
        columns.setdefault(depth[id(node)], []).append(node)
    y = {}
    for d in sorted(columns):
        column = columns[d]
        if d > 0:  # leaves on top, then barycentre ordering keeps edges short and mostly uncrossed
            column.sort(key=lambda n: -np.mean([y[id(p)] for p in n._parents]) if n._parents else -np.inf)
        for i, node in enumerate(column):
            y[id(node)] = (len(column) - 1) / 2 - i
    return {id(n): (depth[id(n)], y[id(n)]) for n in nodes}, columns


def _route(positions, parent, node):
    """A straight arrow between neighbouring columns; an arc over the boxes in between for a longer one."""
    span = positions[id(node)][0] - positions[id(parent)][0]
    return "arc3,rad=0" if span <= 1 else f"arc3,rad={-0.12 * min(span, 3):.2f}"


def _format(array, precision, prefix=""):
    array = np.asarray(array)
    if array.size == 1:
        return f"{prefix}{array.item():.{precision}g}"
    return f"{prefix}{array.shape}"


def _describe(node, precision):
    if node._op and node.label:
        title = f"{node.label} = {node._op}"
    else:
        title = node.label or node._op or ("leaf" if node.requires_grad else "const")
    value = _format(node.data, precision)
    if not node.requires_grad:
        grad = "no grad"
    elif node.grad is None:
        grad = "grad –"
    elif np.size(node.grad) == 1:
        grad = _format(node.grad, precision, prefix="grad ")
    else:
        grad = f"‖grad‖ {np.linalg.norm(node.grad):.{precision}g}"
    return f"{title}\n{value}\n{grad}"


def _kind(node):
    if node._parents:
        return "operation"
    return "parameter" if node.requires_grad else "constant"


def draw_graph(root, ax=None, *, precision=3, column_width=1.6, fontsize=9):
    """Draw the computational graph that ends at the autograd Tensor ``root``; return the Axes.

    Leaves that require a gradient (inputs and parameters) are shaded blue, constants grey, operations
    white; arrows point from each input to the operation that uses it. Call it after ``root.backward()`` to
    see every gradient (before, the gradients show as "–").

    Args:
        root: the :class:`nncourse.autograd.Tensor` to draw (usually the loss).
        ax: the matplotlib Axes to draw on. Default: a new figure sized to the graph.
        precision (int): significant digits of the numbers shown. Default: 3.
        column_width (float): horizontal distance between columns, in data units. Default: 1.6.
        fontsize (float): the font size inside the boxes. Default: 9.

    >>> from nncourse.autograd import Tensor
    >>> a, b = Tensor(2.0, requires_grad=True, label="a"), Tensor(3.0, requires_grad=True, label="b")
    >>> L = a * b + a
    >>> L.label = "L"
    >>> L.backward()
    >>> ax = draw_graph(L)
    >>> sorted(box.get_text().splitlines() for box in ax.texts if box.get_text())  # name, value, ∂L/∂node
    [['*', '6', 'grad 1'], ['L = +', '8', 'grad 1'], ['a', '2', 'grad 4'], ['b', '3', 'grad 2']]
    >>> plt.close(ax.figure)
    """
    from nncourse.autograd import Tensor

    if not isinstance(root, Tensor):
        raise ValueError(f"draw_graph: expected an nncourse.autograd.Tensor, got {type(root).__name__}")
    nodes = _graph_nodes(root)
    if len(nodes) > 200:
        raise ValueError(f"draw_graph: the graph has {len(nodes)} nodes; draw one of at most 200")
    positions, columns = _layout(nodes)
    if ax is None:
        tallest = max(len(column) for column in columns.values())
        _, ax = plt.subplots(figsize=(1.0 + 1.5 * len(columns), 0.6 + 0.9 * tallest))

    boxes = {}
    for node in nodes:
        x, y = positions[id(node)]
        edge = COLORS["highlight"] if node is root else OKABE_ITO["black"]
        boxes[id(node)] = ax.text(
            x * column_width, y, _describe(node, precision), ha="center", va="center", fontsize=fontsize,
            family="monospace", zorder=3,
            bbox={"boxstyle": "round,pad=0.35", "facecolor": _FILL[_kind(node)], "edgecolor": edge, "lw": 1},
        )
    for node in nodes:  # an arrow from the right side of each input's box to the left side of the node's
        for parent in node._parents:
            ax.annotate(
                "", xy=(0, 0.5), xycoords=boxes[id(node)], xytext=(1, 0.5), textcoords=boxes[id(parent)],
                arrowprops={"arrowstyle": "-|>", "color": COLORS["neutral"], "lw": 1.2,
                            "shrinkA": 5, "shrinkB": 5, "connectionstyle": _route(positions, parent, node)},
                zorder=2,
            )

    tallest = max(len(column) for column in columns.values())
    ax.set_xlim(-0.6 * column_width, (len(columns) - 0.4) * column_width)
    ax.set_ylim(-tallest / 2 - 0.1, tallest / 2 + 0.1)
    ax.set_axis_off()
    return ax
