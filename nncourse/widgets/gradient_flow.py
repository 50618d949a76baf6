"""The gradient-flow explorer: watch the backward pass travel from the loss to the input, layer by layer.

Choose the depth, the width and the activation of a fully connected network; a fixed batch of random
inputs and targets goes forward through it (``nncourse.nn`` layers, float64, PyTorch's default
initialisation) and the mean-squared-error loss is backpropagated. Then step through the backward pass:

* left, the network diagram (:class:`nncourse.plot.NetworkDiagram`): after step ``k`` the ``k`` layers
  nearest the output have their weight gradients ``∂L/∂W(l) = δ(l) a(l−1)ᵀ``. Each edge's thickness is the
  size of its gradient on a log scale (how many orders of magnitude above a floor 10⁻⁶ times the largest
  gradient), its colour the gradient's sign; each neuron is filled by its delta ``δ(l) = ∂L/∂z(l)``
  (averaged over the batch) on one colour scale for the whole network, so fading colours are vanishing deltas;
* right, the norm ``‖∂L/∂W(l)‖`` of every layer's weight gradient on a log scale: with sigmoid they shrink
  by about a factor of four or more per layer towards the input, with ReLU they stay of the same order.
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgba

from nncourse import nn
from nncourse.plot import COLORS, SIZES, NetworkDiagram
from nncourse.widgets._base import FigureWidget

ACTIVATIONS = ("sigmoid", "tanh", "relu")
INITS = {"PyTorch default": "default", "He (Kaiming)": "kaiming_normal"}
BATCH_SIZE = 64
DECADES = 6  # edges show gradients from 10⁻⁶ × the largest one up to the largest one

_DONE = to_rgba(COLORS["model"])
_CURRENT = to_rgba(COLORS["highlight"])
_PENDING = to_rgba(COLORS["neutral"], alpha=0.35)


class GradientFlowExplorer(FigureWidget):
    """Choose depth, width and activation; step through the backward pass on a network diagram.

    ``widget.norms`` holds ``‖∂L/∂W(l)‖`` for ``l = 1..L`` (``L`` = depth + 1 Linear layers);
    ``widget.controls["step"]`` is the number of Linear layers whose backward has run (0..L).
    """

    height = "470px"

    def __init__(self, depth=6, width=4, activation="sigmoid", init="default", max_depth=8, max_width=8,
                 seed=0):
        fig, (self.ax_net, self.ax_bar) = plt.subplots(
            1, 2, figsize=(SIZES["wide"][0], 4.6), gridspec_kw={"width_ratios": [1.5, 1]}
        )
        super().__init__(fig)
        self.seed = seed
        self.max_depth = max_depth
        self.controls = {
            "depth": widgets.IntSlider(value=depth, min=1, max=max_depth, description="hidden layers",
                                       continuous_update=False),
            "width": widgets.IntSlider(value=width, min=2, max=max_width, description="width",
                                       continuous_update=False),
            "activation": widgets.Dropdown(options=ACTIVATIONS, value=activation,
                                           description="activation"),
            "init": widgets.Dropdown(options=list(INITS.items()), value=init, description="init"),
            "step": widgets.IntSlider(value=depth + 1, min=0, max=depth + 1, description="backward step"),
            "next": widgets.Button(description="next layer ▶"),
        }
        self.controls["next"].on_click(self.next_step)

        self.bars = self.ax_bar.bar(np.arange(1, max_depth + 2), np.ones(max_depth + 1), color=_PENDING)
        self.ax_bar.set_yscale("log")
        self.ax_bar.set_xlabel("layer l (1 = next to the input)")
        self.ax_bar.set_ylabel("‖∂L/∂W(l)‖ (log scale)")
        self._busy = False
        self._config = None
        self._recompute()
        self.observe_controls()
        self.ui = widgets.VBox([
            widgets.HBox([self.controls["depth"], self.controls["width"], self.controls["activation"]]),
            widgets.HBox([self.controls["init"], self.controls["step"], self.controls["next"]]),
            self.output,
        ])
        self.update()

    # -- computation ---------------------------------------------------------------------------------------

    def _recompute(self):
        """Rebuild the network and its gradients for the current depth, width and activation."""
        self._config = self._choices()
        depth, width, activation, init = self._config
        rng = np.random.default_rng(self.seed)
        self.x = rng.normal(size=(BATCH_SIZE, width))
        self.y = rng.normal(size=(BATCH_SIZE, 1))
        self.model = nn.build_mlp([width] * (depth + 1) + [1], activation, init=init, dtype=np.float64, rng=rng)
        self.loss, self.deltas, self.weight_grads = nn.backward_by_layer(self.model, self.x, self.y)
        self.norms = np.array([np.linalg.norm(g) for g in self.weight_grads])

        self.ax_net.clear()
        sizes = [width] * (depth + 1) + [1]
        names = ["x", *[str(layer) for layer in range(1, depth + 1)], "ŷ"]
        self.diagram = NetworkDiagram(self.ax_net, sizes, layer_names=names, max_linewidth=3.5)
        self.diagram.vmax = max(float(np.max(np.abs(d.mean(axis=0)))) for d in self.deltas)

        step = self.controls["step"]
        self._busy = True  # the step slider changes below must not start a second update
        step.max = depth + 1
        step.value = depth + 1  # a new network starts with the full backward pass shown
        self._busy = False

    def _choices(self):
        return tuple(self.controls[name].value for name in ("depth", "width", "activation", "init"))

    def next_step(self, _button=None):
        """Advance the backward pass by one layer (after the last one, start again at the loss)."""
        step = self.controls["step"]
        step.value = 0 if step.value >= step.max else step.value + 1

    # -- drawing -------------------------------------------------------------------------------------------

    def edge_strengths(self, step):
        """Edge values per Linear layer for the diagram: sign × decades above the floor; 0 if not reached."""
        n_linear = len(self.weight_grads)
        top = max(float(np.max(np.abs(g))) for g in self.weight_grads)
        floor = top * 10.0 ** (-DECADES) if top > 0 else 1.0
        strengths = []
        for layer, g in enumerate(self.weight_grads, start=1):
            if layer <= n_linear - step:
                strengths.append(np.zeros_like(g))
            else:
                decades = np.log10(np.maximum(np.abs(g), floor) / floor)
                strengths.append(np.sign(g) * decades)
        return strengths

    def update(self):
        if self._busy:
            return
        if self._choices() != self._config:
            self._recompute()
        depth, _, activation, _ = self._config
        n_linear = depth + 1
        step = self.controls["step"].value
        # Linear layers l > reached have their weight gradient; neurons of layers l >= reached their delta.
        reached = n_linear - step

        self.diagram.set_weights(self.edge_strengths(step))
        self.diagram.set_activations(
            [d.mean(axis=0) if layer >= reached else None for layer, d in enumerate(self.deltas)]
        )
        self.diagram.set_highlight(reached + 1 if step > 0 else None)
        if step == 0:
            self.ax_net.set_title(
                f"Step 0 of {n_linear}: δ(L) = ∂L/∂z(L) from the loss (L = {self.loss:.3g})"
            )
        else:
            self.ax_net.set_title(
                f"Step {step} of {n_linear}: ∂L/∂W({reached + 1}) = δ({reached + 1}) a({reached})ᵀ, "
                f"then δ({reached}) flows down"
            )

        for layer, bar in enumerate(self.bars, start=1):
            visible = layer <= n_linear
            bar.set_visible(visible)
            if not visible:
                continue
            bar.set_height(self.norms[layer - 1])
            bar.set_color(_CURRENT if layer == reached + 1 else _DONE if layer > reached else _PENDING)
        self.ax_bar.set_xlim(0.4, n_linear + 0.6)
        self.ax_bar.set_xticks(np.arange(1, n_linear + 1))
        positive = self.norms[self.norms > 0]
        low, high = (positive.min(), positive.max()) if positive.size else (1e-3, 1.0)
        self.ax_bar.set_ylim(low / 3, high * 3)
        ratio = self.norms[-1] / self.norms[0] if self.norms[0] > 0 else np.inf
        self.ax_bar.set_title(f"{activation}, {depth} hidden: layer {n_linear} / layer 1 = {ratio:.2g}")
        self.redraw()
