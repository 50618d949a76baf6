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
  A layer's bar appears when its gradient has been computed: at step 0 only the loss is known.

A new network (another depth, width, activation or initialisation) starts at step 0 and steps through the
backward pass on its own; "play" does the same at any time, "next layer" one step, "reset" puts every
control back.
"""

import ipywidgets as widgets
import numpy as np

from nncourse import nn
from nncourse.plot import COLORS, DIVERGING_CMAP, NetworkDiagram
from nncourse.widgets import _canvas as draw
from nncourse.widgets._base import LABEL_STYLE, CanvasWidget, check_choice, check_int, reset_button
from nncourse.widgets.live import PlayControls

ACTIVATIONS = ("sigmoid", "tanh", "relu")
INITS = {"PyTorch default": "default", "He (Kaiming)": "kaiming_normal"}
BATCH_SIZE = 64
DECADES = 6  # edges show gradients from 10⁻⁶ × the largest one up to the largest one
LIMITS = {"depth": (1, 12), "width": (2, 12)}  # what the diagram can show legibly

_DONE = COLORS["model"]
_CURRENT = COLORS["highlight"]


class GradientFlowExplorer(CanvasWidget):
    """Choose depth, width and activation; step through the backward pass on a network diagram.

    ``widget.norms`` holds ``‖∂L/∂W(l)‖`` for ``l = 1..L`` (``L`` = depth + 1 Linear layers);
    ``widget.step`` is the number of Linear layers whose backward has run (0..L), shown and set by the
    ``"step"`` slider;
    :meth:`next_step` advances it (after ``L``, back to 0). ``widget.diagram`` is the
    :class:`~nncourse.plot.NetworkDiagram` drawn and ``widget.panels`` the scene.

    >>> explorer = GradientFlowExplorer(depth=6, activation="sigmoid")
    >>> explorer.controls["step"].value           # a new network starts at the loss
    0
    >>> bool(explorer.norms[-1] > 10 * explorer.norms[0])     # sigmoid: the gradient fades towards the input
    True
    """

    where = "GradientFlowExplorer"

    def __init__(self, depth=6, width=4, activation="sigmoid", init="default", max_depth=8, max_width=8,
                 seed=0):
        max_depth = check_int(self.where, "max_depth", max_depth, *LIMITS["depth"])
        max_width = check_int(self.where, "max_width", max_width, *LIMITS["width"])
        check_int(self.where, "depth", depth, 1, max_depth)
        check_int(self.where, "width", width, 2, max_width)
        check_choice(self.where, "activation", activation, ACTIVATIONS)
        check_choice(self.where, "init", init, tuple(INITS.values()))
        super().__init__(width=860, height=390, description="the backward pass on a network diagram, and the "
                                                            "size of every layer's weight gradient")
        self.seed = seed
        self.controls = {
            "depth": widgets.IntSlider(value=depth, min=1, max=max_depth, description="hidden layers",
                                       style=LABEL_STYLE, layout=widgets.Layout(width="270px")),
            "width": widgets.IntSlider(value=width, min=2, max=max_width, description="width (units)",
                                       style=LABEL_STYLE, layout=widgets.Layout(width="270px")),
            "activation": widgets.Dropdown(options=ACTIVATIONS, value=activation, description="activation",
                                           style=LABEL_STYLE, layout=widgets.Layout(width="200px")),
            "init": widgets.Dropdown(options=list(INITS.items()), value=init, description="initialisation",
                                     style=LABEL_STYLE, layout=widgets.Layout(width="250px")),
            "step": widgets.IntSlider(value=0, min=0, max=depth + 1, description="backward step",
                                      style=LABEL_STYLE, layout=widgets.Layout(width="270px")),
        }
        self.play = PlayControls(self.canvas, advance=self._auto_step, reset=self.reset, interval=400,
                                 what="step through the backward pass")
        self.play.step_button.description, self.play.step_button.tooltip = "next layer", "one more layer back"
        self.play.step_button.layout.width = "110px"
        self._config = None
        self.observe_controls()
        c = self.controls
        self.ui = widgets.VBox([
            widgets.HBox([c["depth"], c["width"], c["activation"]]),
            widgets.HBox([c["init"], c["step"], self.play.play, self.play.step_button, reset_button(self)]),
            self.canvas,
        ])
        self.ui.add_class("nncourse-widget")
        self._recompute()
        self.update()

    # -- computation ---------------------------------------------------------------------------------------

    def _choices(self):
        return tuple(self.controls[name].value for name in ("depth", "width", "activation", "init"))

    def _recompute(self):
        """Rebuild the network and its gradients for the current choices; start again at step 0."""
        self._config = self._choices()
        depth, width, activation, init = self._config
        rng = np.random.default_rng(self.seed)
        self.x = rng.normal(size=(BATCH_SIZE, width))
        self.y = rng.normal(size=(BATCH_SIZE, 1))
        self.model = nn.build_mlp([width] * (depth + 1) + [1], activation, init=init, dtype=np.float64, rng=rng)
        self.loss, self.deltas, self.weight_grads = nn.backward_by_layer(self.model, self.x, self.y)
        self.norms = np.array([np.linalg.norm(g) for g in self.weight_grads])
        self.delta_vmax = max(float(np.max(np.abs(d.mean(axis=0)))) for d in self.deltas)
        self.step = 0

    def _sync_step_slider(self):
        """Show ``step`` on its slider, quietly (after the picture: that is what the learner waits for)."""
        with self.quiet(), self.controls["step"].hold_sync():
            step = self.controls["step"]
            if step.value > self._config[0] + 1:
                step.value = 0  # before max: the old value may lie above the new maximum
            step.max = self._config[0] + 1
            step.value = self.step

    def update(self):
        super().update()
        self._sync_step_slider()

    def changed(self):
        if self._choices() != self._config:
            self._recompute()
            self.update()
            self.play.start(first_frame=False)  # step 0 stays up, then the backward pass runs on its own
        else:
            self.play.pause()
            self.step = self.controls["step"].value
            self.update()

    def next_step(self):
        """Advance the backward pass by one layer (after the last one, start again at the loss)."""
        self.step = 0 if self.step >= self._config[0] + 1 else self.step + 1
        self.update()

    def _auto_step(self):
        self.next_step()
        return self.step < self._config[0] + 1

    def reset(self):
        super().reset()
        self.play.pause()

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

    def scene(self):
        depth, width, activation, _ = self._config
        n_linear = depth + 1
        step = min(self.step, n_linear)
        # Linear layers l > reached have their weight gradient; neurons of layers l >= reached their delta.
        reached = n_linear - step
        names = ["x", *[str(layer) for layer in range(1, depth + 1)], "ŷ"]
        self.diagram = NetworkDiagram(
            None, [width] * (depth + 1) + [1], weights=self.edge_strengths(step),
            activations=[d.mean(axis=0) if layer >= reached else None for layer, d in enumerate(self.deltas)],
            highlight=reached + 1 if step > 0 else None, layer_names=names, max_linewidth=3.5,
            vmax=self.delta_vmax)
        if step == 0:
            title = f"step 0 of {n_linear}: δ(K) = ∂L/∂z(K) from the loss, K the last layer (L = {self.loss:.3g})"
        else:
            title = (f"step {step} of {n_linear}: ∂L/∂W({reached + 1}) = δ({reached + 1}) a({reached})ᵀ, "
                     + (f"then δ({reached}) flows down" if reached > 0 else "done: the input x needs no δ"))
        network = draw.network_panel(
            self.diagram, [10, 36, 440, 300], title=title,
            colorbar=draw.colorbar(DIVERGING_CMAP, -self.delta_vmax, self.delta_vmax, label="δ(l), batch mean"))
        network["legend"] = [draw.legend_entry("∂L/∂w > 0", COLORS["positive"]),
                             draw.legend_entry("∂L/∂w < 0", COLORS["negative"])]
        network["legend_at"] = [0, 300]

        layers = np.arange(1, n_linear + 1)
        done = layers > reached
        positive = self.norms[self.norms > 0]
        low, high = (positive.min(), positive.max()) if positive.size else (1e-3, 1.0)
        colors = [_CURRENT if layer == reached + 1 else _DONE for layer in layers[done]]
        ratio = self.norms[-1] / self.norms[0] if self.norms[0] > 0 else np.inf
        summary = f"layer {n_linear} / layer 1 = {ratio:.2g}" if step == n_linear else "computed so far"
        bars = draw.panel(
            [610, 36, 230, 300], xlim=(0.4, n_linear + 0.6), ylim=(low / 3, high * 3), yscale="log",
            xticks=[(layer, str(layer)) for layer in layers], title_size=12,
            title=f"{activation}, {depth} hidden: {summary}", xlabel="layer l (1 = next to the input)",
            ylabel="‖∂L/∂W(l)‖", items=[draw.bars(layers[done], self.norms[done], color=colors, bottom=low / 3)],
            legend=[draw.legend_entry("computed", _DONE, width=8), draw.legend_entry("this step", _CURRENT, width=8)],
            legend_at=(-8, 4))
        return [network, bars]
