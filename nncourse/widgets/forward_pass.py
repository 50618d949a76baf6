"""The forward-pass explorer: follow one input through a small MLP, and see what every unit computes.

Choose the depth (1 to 4 hidden layers of ``width`` units), the activation, and the weights (a network
trained on the two-moons data, :func:`nncourse.train.trained_mlp`, whose weights for the default width ship
with the package so that every choice answers at once, or the same architecture at its random initialisation);
move the input ``(x1, x2)`` with the sliders or by clicking (or dragging) on any heat map.

* left, the network diagram (:class:`nncourse.plot.NetworkDiagram`): each edge's thickness is ``|w|`` and its
  colour the sign of ``w``; each hidden neuron is filled by its activation ``a(l) = σ(W(l) a(l-1) + b(l))``
  for the current input, the output neuron by ``P(class 1) = σ(z)``. "play" sends the signal forward one
  layer at a time: at step ``k`` layers ``0..k`` are computed and layer ``k`` is ringed.
* right, as in TensorFlow Playground, one small heat map per unit: its activation over the whole input
  plane, columns = layers and rows = units, like the diagram. The white dot is the current input, so the
  colour under the dot is the colour of the neuron in the diagram. All hidden units share one colour scale
  (±1 for the bounded tanh and sigmoid, the largest activation on the plane for the others), with a colour
  bar; the output column shows ``σ(z)`` in the classes' colours, over the training points.
"""

import ipywidgets as widgets
import numpy as np

from nncourse import nn
from nncourse.nn import layer_activations
from nncourse.plot import CLASS_COLORS, CLASS_MARKERS, COLORS, DIVERGING_CMAP, NetworkDiagram
from nncourse.train import moons_data, trained_mlp
from nncourse.widgets import _canvas as draw
from nncourse.widgets._base import LABEL_STYLE, CanvasWidget, check_choice, check_int, reset_button
from nncourse.widgets._canvas import CLASS_CMAP
from nncourse.widgets.live import PlayControls

# The activations offered, under their usual written names, as (label, registry name) pairs.
ACTIVATIONS = (("tanh", "tanh"), ("ReLU", "relu"), ("sigmoid", "sigmoid"), ("leaky ReLU", "leaky_relu"),
               ("GELU", "gelu"), ("SiLU", "silu"))
BOUNDED = ("tanh", "sigmoid")  # activations whose outputs lie in [-1, 1]: a fixed colour scale
WEIGHTS = ("trained on moons", "random init")
MAX_DEPTH = 4
MAX_WIDTH = 8
PLANE = (-1.5, 2.5, -1.0, 1.5)  # x1 from, x1 to, x2 from, x2 to: the two moons and a margin
RESOLUTION = 41  # grid points per side of each heat map
HEIGHT = 400  # the canvas, in pixels
TOP, AREA = 40, 320  # where the diagram and the heat maps go, vertically


def _random_mlp(depth, activation, *, width, seed):
    """The architecture of :func:`nncourse.train.trained_mlp` at its random initialisation."""
    return nn.build_mlp([2] + [width] * depth + [1], activation, dtype=np.float64, rng=seed)


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # σ(z), without overflow for large |z|


class ForwardPassExplorer(CanvasWidget):
    """Sliders for the input, a network diagram with weights and activations, and per-unit heat maps.

    ``widget.controls``: ``x1``, ``x2`` (the input), ``depth`` (hidden layers, 1-4), ``activation``,
    ``weights`` (``"trained on moons"`` or ``"random init"``); ``widget.step`` is the step of the animation
    (layers ``0..step`` are computed; ``depth + 1`` shows the whole pass). After any change ``widget.model`` is
    the network, ``widget.point_activations`` the activations of the current input (one 1-D array per layer),
    ``widget.plane_activations`` those over the plane grid (one ``(RESOLUTION, RESOLUTION, n_l)`` array per
    layer, input layer included), ``widget.vmax`` the hidden layers' colour scale and ``widget.diagram`` the
    :class:`~nncourse.plot.NetworkDiagram` drawn. :meth:`set_input` is what a click on a heat map does.

    >>> explorer = ForwardPassExplorer(depth=2, activation="tanh")
    >>> explorer.set_input(0.0, 1.0)            # the top of the upper moon: class 0
    >>> float(explorer.point_activations[-1][0]) < 0
    True
    """

    where = "ForwardPassExplorer"

    def __init__(self, depth=2, activation="tanh", weights="trained on moons", width=4, seed=0):
        check_choice(self.where, "weights", weights, WEIGHTS)
        check_int(self.where, "depth", depth, 1, MAX_DEPTH)
        self.width = check_int(self.where, "width", width, 1, MAX_WIDTH)
        check_choice(self.where, "activation", activation, [name for _, name in ACTIVATIONS])
        self.seed = seed
        super().__init__(width=860, height=HEIGHT, description="a network diagram and the activation of every "
                                                               "unit over the input plane")
        self.X_data, self.y_data = moons_data()
        x0, x1, y0, y1 = PLANE
        xx, yy = np.meshgrid(np.linspace(x0, x1, RESOLUTION), np.linspace(y0, y1, RESOLUTION))
        self.grid = np.column_stack([xx.ravel(), yy.ravel()])
        slider = dict(step=0.05, continuous_update=True, readout_format=".2f", style=LABEL_STYLE,
                      layout=widgets.Layout(width="300px"))
        self.controls = {
            "x1": widgets.FloatSlider(value=0.5, min=x0, max=x1, description="input x1", **slider),
            "x2": widgets.FloatSlider(value=0.25, min=y0, max=y1, description="input x2", **slider),
            "depth": widgets.IntSlider(value=depth, min=1, max=MAX_DEPTH, description="hidden layers",
                                       style=LABEL_STYLE, layout=widgets.Layout(width="250px")),
            "activation": widgets.Dropdown(options=ACTIVATIONS, value=activation, description="activation",
                                           style=LABEL_STYLE, layout=widgets.Layout(width="190px")),
            "weights": widgets.ToggleButtons(options=list(WEIGHTS), value=weights, description="weights",
                                             tooltips=["a network trained on the 200 points shown",
                                                       "the same network before training"], style=LABEL_STYLE),
        }
        self.controls["weights"].style.button_width = "150px"  # "trained on moons" in full
        self.play = PlayControls(self.canvas, advance=self.next_layer, reset=self.reset, interval=700,
                                 what="send the input forward one layer at a time")
        self.play.step_button.description, self.play.step_button.tooltip = "next layer", "compute the next layer"
        self.play.step_button.layout.width = "110px"
        self.canvas.on_click(lambda _panel, x, y: self.set_input(x, y))
        self.step = depth + 1
        self._built = None  # (depth, activation, weights) of the network currently drawn
        self.observe_controls()
        c = self.controls
        self.ui = widgets.VBox([
            widgets.HBox([c["x1"], c["x2"], self.play.play, self.play.step_button, reset_button(self)]),
            widgets.HBox([c["depth"], c["activation"], c["weights"]]),
            self.canvas,
        ])
        self.ui.add_class("nncourse-widget")
        self.update()

    # -- state --------------------------------------------------------------------------------------------

    def set_input(self, x1, x2):
        """Move the input to ``(x1, x2)`` (clipped to the plane), as a click on a heat map does."""
        x0, x_1, y0, y1 = PLANE
        with self.quiet(), self.controls["x1"].hold_sync(), self.controls["x2"].hold_sync():
            self.controls["x1"].value = float(np.clip(x1, x0, x_1))
            self.controls["x2"].value = float(np.clip(x2, y0, y1))
            self.update()  # the picture first, then the sliders

    def next_layer(self):
        """One step of the animation (after the last layer, start again from the input); False at the end."""
        depth = self.controls["depth"].value
        self.step = 0 if self.step >= depth + 1 else self.step + 1
        self.update()
        return self.step < depth + 1

    def changed(self):
        self.play.pause()
        self.update()

    def reset(self):
        self.play.pause()
        self.step = None  # the whole pass, once the network is rebuilt
        super().reset()

    def rebuild(self):
        """Build the network for the current depth, activation and weights, and its activations over the plane."""
        depth, activation, weights = self._built = self._key()
        make = trained_mlp if weights == WEIGHTS[0] else _random_mlp
        self.model = make(depth, activation, width=self.width, seed=self.seed)
        self.linears = [m for m in self.model if isinstance(m, nn.Linear)]
        outputs = layer_activations(self.model, self.grid)
        self.plane_activations = [a.reshape(RESOLUTION, RESOLUTION, -1) for a in outputs]
        hidden = np.abs(np.concatenate([a.ravel() for a in outputs[1:-1]]))
        self.vmax = 1.0 if activation in BOUNDED else float(np.ceil(max(hidden.max(), 1.0) * 10) / 10)
        self.names = ["input", *[f"hidden {k}" for k in range(1, depth + 1)], "output"]
        vmax = [float(np.max(np.abs(PLANE)))] + [self.vmax] * depth + [1.0]  # the input's, hidden, output's
        self.diagram = NetworkDiagram(None, [2] + [self.width] * depth + [1], layer_names=self.names,
                                      weights=[m.weight.data for m in self.linears], max_linewidth=4.0, vmax=vmax)
        self.step = depth + 1  # a new network starts fully propagated

    def _key(self):
        return tuple(self.controls[name].value for name in ("depth", "activation", "weights"))

    # -- drawing ------------------------------------------------------------------------------------------

    def scene(self):
        if self._key() != self._built or self.step is None:
            self.rebuild()
        depth, activation, weights = self._built
        x = np.array([[self.controls["x1"].value, self.controls["x2"].value]])
        self.point_activations = [a[0] for a in layer_activations(self.model, x)]
        step = self.step
        z = float(self.point_activations[-1][0])
        columns = depth + 1
        cell = min(72.0, (AREA - 8.0 * (self.width - 1)) / self.width)
        grid_width = columns * cell + (columns - 1) * 8.0
        right = 760.0
        left = right - grid_width

        self.diagram.set_highlight(step if step < depth + 1 else None)
        self.diagram.set_activations([a if k <= step else None for k, a in enumerate(self.point_activations)])
        if step == depth + 1:  # the output neuron in the classes' colours, as its heat map
            self.diagram.node_fills[-1] = np.array(draw.colormap_rgba(CLASS_CMAP, _sigmoid(z)))
        where = f"x = ({x[0, 0]:.2f}, {x[0, 1]:.2f})"
        if step < depth + 1:
            title = f"{where}: step {step} of {depth + 1}, the signal has reached {self.names[step]}"
        else:
            title = f"{where}: z = {z:.2f}, P(class 1) = σ(z) = {_sigmoid(z):.2f}"
        panels = [draw.network_panel(self.diagram, [10, TOP, left - 40, AREA], title=title)]

        for column in range(columns):
            layer = column + 1
            is_output = layer == depth + 1
            reached = layer <= step
            for unit in range(1 if is_output else self.width):
                values = self.plane_activations[layer][:, :, unit]
                if is_output:
                    picture = draw.image(_sigmoid(values), PLANE, cmap=CLASS_CMAP, vmin=0.0, vmax=1.0,
                                         alpha=1.0 if reached else 0.15)
                else:
                    picture = draw.image(values, PLANE, cmap=DIVERGING_CMAP, vmin=-self.vmax, vmax=self.vmax,
                                         alpha=1.0 if reached else 0.15)
                items = [picture]
                if is_output and weights == WEIGHTS[0]:
                    items += [draw.points(*self.X_data[self.y_data == k].T, color=CLASS_COLORS[k], size=1.8,
                                          marker=CLASS_MARKERS[k], edge=COLORS["boundary"], edgewidth=0.3)
                              for k in (0, 1)]
                items.append(draw.points(x[:, 0], x[:, 1], color="white", edge=COLORS["boundary"], size=4.5,
                                         edgewidth=1.2))
                title = ("output σ(z)" if is_output else f"hidden {layer}") if unit == 0 else ""
                top = TOP + unit * (cell + 8.0)
                panels.append(draw.panel([left + column * (cell + 8.0), top, cell, cell], xlim=PLANE[:2],
                                         ylim=PLANE[2:], items=items, axes=False, title=title, title_size=11,
                                         clickable=True))
        panels.append(_colorbar_panel(right + 10, TOP, AREA / 2 - 10,
                                      draw.colorbar(DIVERGING_CMAP, -self.vmax, self.vmax, label="activation")))
        panels.append(_colorbar_panel(right + 10, TOP + AREA / 2 + 10, AREA / 2 - 10,
                                      draw.colorbar(CLASS_CMAP, 0.0, 1.0, label="P(class 1)")))
        panels.append(draw.panel([left, TOP + AREA + 12, grid_width, 20], axes=False, items=[draw.label(
            0.5, 0.5, "click or drag on a map to move the input", size=11, color="#555555")]))
        return panels


def _colorbar_panel(x, top, height, bar):
    """An empty panel whose colour bar stands at ``x`` (a panel draws its bar 12 px right of its box)."""
    return draw.panel([x - 13, top, 1, height], axes=False, colorbar=bar)
