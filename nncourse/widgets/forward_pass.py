"""The forward-pass explorer: follow one input through a small MLP, and see what every unit computes.

Choose the depth (1 to 4 hidden layers of ``width`` units), the activation, and the weights (a network
trained on the two-moons data, or the same architecture at its random initialisation); move the input
``(x1, x2)`` with the sliders.

* left, the network diagram (:class:`nncourse.plot.NetworkDiagram`): each edge's thickness is ``|w|`` and its
  colour the sign of ``w``; each neuron is filled by its activation ``a(l) = σ(W(l) a(l-1) + b(l))`` for the
  current input (the output neuron by the logit ``z``, the last layer being linear). The Play control sends
  the signal forward one layer at a time: at step ``k`` layers ``0..k`` are computed and layer ``k`` is
  ringed.
* right, as in TensorFlow Playground, one small heat map per unit: its activation over the whole input
  plane, columns = layers and rows = units, like the diagram. The white dot is the current input, so the
  colour under the dot is the colour of the neuron in the diagram (each layer shares one colour scale,
  symmetric around zero).

Each trained network is trained on first use (a fraction of a second) and cached.
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import Normalize

from nncourse import functional as F
from nncourse import nn
from nncourse.nn import layer_activations
from nncourse.plot import CLASS_COLORS, DIVERGING_CMAP, NetworkDiagram
from nncourse.train import moons_data, trained_mlp
from nncourse.widgets._base import FigureWidget

# The activations offered, under their usual written names, as (label, registry name) pairs.
ACTIVATIONS = (("tanh", "tanh"), ("ReLU", "relu"), ("sigmoid", "sigmoid"), ("leaky ReLU", "leaky_relu"),
               ("GELU", "gelu"), ("SiLU", "silu"))
WEIGHTS = ("trained on moons", "random init")
MAX_DEPTH = 4
PLANE = (-1.5, 2.5, -1.0, 1.5)  # x1 from, x1 to, x2 from, x2 to: the two moons and a margin
RESOLUTION = 41  # grid points per side of each heat map


def _random_mlp(depth, activation, *, width, seed):
    """The architecture of :func:`nncourse.train.trained_mlp` at its random initialisation."""
    return nn.build_mlp([2] + [width] * depth + [1], activation, dtype=np.float64, rng=seed)


class ForwardPassExplorer(FigureWidget):
    """Sliders for the input, a network diagram with weights and activations, and per-unit heat maps.

    ``widget.controls``: ``x1``, ``x2`` (the input), ``depth`` (hidden layers, 1-4), ``activation``,
    ``weights`` (``"trained on moons"`` or ``"random init"``) and ``play`` (the step of the animation:
    layers ``0..play`` are computed). After :meth:`update`, ``widget.model`` is the network,
    ``widget.point_activations`` the activations of the current input (one 1-D array per layer) and
    ``widget.plane_activations`` those over the plane grid (one ``(RESOLUTION, RESOLUTION, n_l)`` array per
    layer, input layer included).
    """

    height = "430px"

    def __init__(self, depth=2, activation="tanh", weights="trained on moons", width=4, seed=0):
        if weights not in WEIGHTS:
            raise ValueError(f"ForwardPassExplorer: weights must be one of {list(WEIGHTS)}, got {weights!r}")
        if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or not 1 <= depth <= MAX_DEPTH:
            raise ValueError(f"ForwardPassExplorer: depth must be an integer from 1 to {MAX_DEPTH}, got {depth!r}")
        if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
            raise ValueError(f"ForwardPassExplorer: width must be a positive integer, got {width!r}")
        nn.get_activation(activation)  # names a bad activation before any slider is made
        self.width = int(width)
        self.seed = seed
        # Axes are placed by hand: constrained layout would re-solve ~25 axes at every redraw.
        fig = plt.figure(figsize=(10, 4.6), layout="none")
        super().__init__(fig)
        # Left: the diagram. Right: heat maps, one column per layer after the input and one row per unit.
        grid = fig.add_gridspec(self.width, MAX_DEPTH + 1, left=0.44, right=0.99, bottom=0.04, top=0.9,
                                wspace=0.12, hspace=0.12)
        self.ax_net = fig.add_axes([0.0, 0.02, 0.42, 0.88])
        self.title = fig.suptitle("", x=0.21, y=0.97, fontsize=11)
        fig.text(0.715, 0.97, "each unit over the input plane (dot: current input)", ha="center", va="center",
                 fontsize=11)
        cmap = plt.get_cmap(DIVERGING_CMAP)
        self.heatmaps, self.markers, self.heat_axes = {}, {}, {}
        X_data, y_data = moons_data()
        for layer in range(1, MAX_DEPTH + 2):
            for unit in range(self.width):
                ax = fig.add_subplot(grid[unit, layer - 1])
                ax.set_xticks([])
                ax.set_yticks([])
                ax.grid(False)
                image = ax.imshow(np.zeros((RESOLUTION, RESOLUTION)), extent=PLANE, origin="lower", cmap=cmap,
                                  norm=Normalize(-1, 1), aspect="auto", interpolation="bilinear")
                (marker,) = ax.plot([0], [0], "o", ms=5, mfc="white", mec="black", mew=1.0)
                self.heat_axes[layer, unit] = ax
                self.heatmaps[layer, unit] = image
                self.markers[layer, unit] = marker
        self.output_points = [
            self.heat_axes[MAX_DEPTH + 1, 0].scatter(*X_data[y_data == k].T, s=3, color=CLASS_COLORS[k],
                                                     alpha=0.6, linewidths=0)
            for k in (0, 1)
        ]
        self.diagram = None
        self._built = None  # (depth, activation, weights) of the network currently drawn
        self._updating = False

        x0, x1, y0, y1 = PLANE
        slider = dict(step=0.05, continuous_update=False, readout_format=".2f")  # a redraw takes ~0.1 s
        self.controls = {
            "x1": widgets.FloatSlider(value=0.5, min=x0, max=x1, description="x1", **slider),
            "x2": widgets.FloatSlider(value=0.25, min=y0, max=y1, description="x2", **slider),
            "depth": widgets.IntSlider(value=depth, min=1, max=MAX_DEPTH, description="hidden layers"),
            "activation": widgets.Dropdown(options=ACTIVATIONS, value=activation,
                                           description="activation"),
            "weights": widgets.ToggleButtons(options=list(WEIGHTS), value=weights),
            "play": widgets.Play(value=depth + 1, min=0, max=depth + 1, interval=700, description="forward"),
        }
        self.step_label = widgets.Label()
        self.controls["weights"].style.button_width = "130px"
        self.observe_controls()
        c = self.controls
        self.ui = widgets.VBox([
            widgets.HBox([c["x1"], c["x2"], c["play"], self.step_label]),
            widgets.HBox([c["depth"], c["activation"], c["weights"]]),
            self.output,
        ])
        self.update()

    # -- the two kinds of update: a new network (rebuild) or a new input / animation step (cheap) ----------

    def rebuild(self):
        """Build the network for the current depth, activation and weights; redraw diagram and heat maps."""
        depth = self.controls["depth"].value
        activation = self.controls["activation"].value
        trained = self.controls["weights"].value == WEIGHTS[0]
        make = trained_mlp if trained else _random_mlp
        self.model = make(depth, activation, width=self.width, seed=self.seed)
        self.linears = [m for m in self.model if isinstance(m, nn.Linear)]
        sizes = [2] + [self.width] * depth + [1]

        self.ax_net.clear()
        self.ax_net.axis("off")
        self.names = ["input", *[f"hidden {k}" for k in range(1, depth + 1)], "output z"]
        self.diagram = NetworkDiagram(self.ax_net, sizes, weights=[m.weight.data for m in self.linears],
                                      layer_names=self.names, max_linewidth=4.0)

        x0, x1, y0, y1 = PLANE
        xx, yy = np.meshgrid(np.linspace(x0, x1, RESOLUTION), np.linspace(y0, y1, RESOLUTION))
        outputs = layer_activations(self.model, np.column_stack([xx.ravel(), yy.ravel()]))
        self.plane_activations = [a.reshape(RESOLUTION, RESOLUTION, -1) for a in outputs]
        # One symmetric colour scale per layer, shared by its heat maps and its neurons in the diagram.
        self.layer_vmax = [max(float(np.max(np.abs(a))), 1e-12) for a in self.plane_activations]
        self.diagram.vmax = np.array(self.layer_vmax)

        for (layer, unit), ax in self.heat_axes.items():
            is_output = layer == MAX_DEPTH + 1
            column = depth + 1 if is_output else layer  # index into plane_activations
            shown = unit == 0 if is_output else layer <= depth
            ax.set_visible(shown)
            if not shown:
                continue
            values = self.plane_activations[column][:, :, unit]
            image = self.heatmaps[layer, unit]
            image.set_data(values)
            image.norm.vmin, image.norm.vmax = -self.layer_vmax[column], self.layer_vmax[column]
            ax.set_title("")
            if unit == 0:
                ax.set_title("output z" if column == depth + 1 else f"hidden {column}", fontsize=9)
        for points in self.output_points:
            points.set_visible(trained)
        self._place_output_column(depth)

        self._built = (depth, activation, self.controls["weights"].value)
        play = self.controls["play"]
        play.max = depth + 1
        play.value = depth + 1  # a new network starts fully propagated

    def _place_output_column(self, depth):
        """Move the output heat map to the column just after the last hidden layer."""
        spec = self.heat_axes[depth + 1, 0].get_subplotspec()
        self.heat_axes[MAX_DEPTH + 1, 0].set_position(spec.get_position(self.fig))

    def update(self):
        """Recompute from the controls: rebuild if the network changed, then propagate the current input."""
        if self._updating:  # a control changed by this update (the Play range) calls back: nothing to add
            return
        self._updating = True
        try:
            self._update()
        finally:
            self._updating = False

    def _update(self):
        key = tuple(self.controls[name].value for name in ("depth", "activation", "weights"))
        if key != self._built:
            self.rebuild()
        depth = key[0]
        x = np.array([[self.controls["x1"].value, self.controls["x2"].value]])
        self.point_activations = [a[0] for a in layer_activations(self.model, x)]
        step = min(self.controls["play"].value, depth + 1)
        shown = [a if k <= step else None for k, a in enumerate(self.point_activations)]
        self.diagram.set_activations(shown)
        self.diagram.set_highlight(step if step < depth + 1 else None)
        for (layer, _unit), image in self.heatmaps.items():
            column = depth + 1 if layer == MAX_DEPTH + 1 else layer
            image.set_alpha(1.0 if column <= step else 0.15)  # layers the signal has not reached yet fade
        for marker in self.markers.values():
            marker.set_data([x[0, 0]], [x[0, 1]])
        z = float(self.point_activations[-1][0])
        where = f"x = ({x[0, 0]:.2f}, {x[0, 1]:.2f})"
        if step < depth + 1:
            self.title.set_text(f"{where}: the signal has reached {self.names[step]}")
        else:
            self.title.set_text(f"{where}:  z = {z:.2f},  P(class 1) = σ(z) = {float(F.sigmoid(z)):.2f}")
        self.step_label.value = f"step {step} / {depth + 1}"
        self.redraw()
