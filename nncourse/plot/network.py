"""Diagrams of fully connected networks: neurons as circles, weights as lines.

Layer ``k`` sits at ``x = k`` and its neurons are stacked vertically around ``y = 0``. With weights, each
edge's thickness is proportional to ``|w|`` and its colour gives the sign (``COLORS["positive"]`` or
``COLORS["negative"]``); with activations, each neuron's fill shows its value on a diverging colour map
(white is zero). All edges live in one ``LineCollection`` and all neurons in one scatter, so a widget can
change weights, activations or the highlighted layer by updating arrays in place, without redrawing the axis.
With ``ax=None`` nothing is drawn: the diagram only computes where everything goes and its colours
(``segments``, ``edge_colors``, ``edge_widths``, ``node_fills``, ``node_rings``, ``node_ring_widths``), for a
widget that paints it elsewhere (``nncourse.widgets``).

A diagram has at most ``MAX_LAYER_SIZE`` neurons per layer and ``MAX_EDGES`` weights in all: larger ones take
seconds to draw and cannot be read; they are refused with a ValueError.
"""

import numpy as np
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize, to_rgba

from nncourse._checks import as_array
from nncourse.plot._style import COLORS, DIVERGING_CMAP

_UNREACHED = to_rgba("white")
_NODE_EDGE = to_rgba(COLORS["boundary"])
_HIGHLIGHT = to_rgba(COLORS["boundary"])
MAX_LAYER_SIZE = 64
MAX_EDGES = 10_000


class NetworkDiagram:
    """A drawn network whose weights, activations and highlighted layer can be changed in place.

    ``layer_sizes`` lists the number of neurons per layer, input first (``[2, 4, 4, 1]``). ``weights`` is
    an optional list of ``len(layer_sizes) - 1`` arrays, ``weights[k]`` of shape ``(n_{k+1}, n_k)``: the
    PyTorch layout of ``Linear.weight``. ``activations`` is an optional list of one 1-D array per layer
    (``None`` for a layer the signal has not reached yet: drawn white). ``highlight`` is the index of a
    layer to emphasise: its neurons get a thick ring and the edges that feed it are drawn at full
    strength while the others fade. ``layer_names`` label the layers underneath.

    Attributes: ``edges`` (the LineCollection, edges ordered layer by layer and, within a layer, in the
    row-major order of ``weights[k]``), ``nodes`` (the scatter of all neurons, layer by layer),
    ``positions`` (one ``(n_l, 2)`` array of neuron centres per layer), and the computed style in that
    order: ``segments`` (``(n_edges, 2, 2)``), ``edge_colors`` (RGBA), ``edge_widths``, ``node_fills``,
    ``node_rings`` (RGBA) and ``node_ring_widths``. With ``ax=None`` only the attributes are computed.

    >>> diagram = NetworkDiagram(None, [2, 3, 1], weights=[np.ones((3, 2)), -np.ones((1, 3))])
    >>> diagram.segments.shape, float(diagram.edge_widths.max())
    ((9, 2, 2), 4.0)
    >>> NetworkDiagram(None, [784, 100, 10])
    Traceback (most recent call last):
    ValueError: NetworkDiagram: at most 64 neurons per layer can be drawn, got layer_sizes [784, 100, 10]
    """

    def __init__(self, ax, layer_sizes, *, weights=None, activations=None, highlight=None,
                 layer_names=None, node_size=None, max_linewidth=4.0, cmap=DIVERGING_CMAP, vmax=None):
        sizes = list(layer_sizes) if np.ndim(layer_sizes) == 1 else None
        if (sizes is None or len(sizes) < 2
                or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1 for n in sizes)):
            raise ValueError(
                f"NetworkDiagram: layer_sizes must list at least two positive sizes, got {layer_sizes!r}"
            )
        self.ax = ax
        self.layer_sizes = sizes = [int(n) for n in sizes]
        if max(sizes) > MAX_LAYER_SIZE:
            raise ValueError(f"NetworkDiagram: at most {MAX_LAYER_SIZE} neurons per layer can be drawn, got "
                             f"layer_sizes {sizes}")
        if sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=False)) > MAX_EDGES:
            raise ValueError(f"NetworkDiagram: at most {MAX_EDGES} weights can be drawn, got layer_sizes {sizes} "
                             f"with {sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=False))}")
        if vmax is not None and np.size(vmax) not in (1, len(sizes)):
            raise ValueError(
                f"NetworkDiagram: vmax must be one number or one per layer ({len(sizes)}), got {np.size(vmax)}"
            )
        self.max_linewidth = float(max_linewidth)
        self.cmap = colormaps[cmap] if isinstance(cmap, str) else cmap
        self.vmax = vmax
        tallest = max(sizes)
        self.positions = [
            np.column_stack([np.full(n, float(k)), np.arange(n)[::-1] - (n - 1) / 2])
            for k, n in enumerate(sizes)
        ]
        # Which layer each neuron and each edge belongs to (edges of layer k feed layer k + 1).
        self._node_layer = np.repeat(np.arange(len(sizes)), sizes)
        fan = [n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)]
        self._edge_layer = np.repeat(np.arange(len(sizes) - 1), fan)

        segments = []
        for source, target in zip(self.positions[:-1], self.positions[1:], strict=True):
            # One edge per entry of W (out x in), in row-major order: for each target j, every source i.
            start = np.repeat(source[None, :, :], len(target), axis=0).reshape(-1, 2)
            end = np.repeat(target, len(source), axis=0)
            segments.append(np.stack([start, end], axis=1))
        self.segments = np.concatenate(segments)
        if layer_names is None:
            hidden = [f"hidden {k}" for k in range(1, len(sizes) - 1)]
            layer_names = ["input", *hidden, "output"]
        if len(layer_names) != len(sizes):
            raise ValueError(
                f"NetworkDiagram: layer_names must name all {len(sizes)} layers, got {len(layer_names)}"
            )
        self.layer_names = list(layer_names)
        self.edges = self.nodes = None
        self.labels = []
        if ax is not None:
            self._draw(ax, node_size, tallest)

        self._weights = None
        self._activations = None
        self._highlight = None
        self.set_weights(weights)
        self.set_activations(activations)
        self.set_highlight(highlight)

    def _draw(self, ax, node_size, tallest):
        self.edges = LineCollection(self.segments, zorder=1, capstyle="round")
        ax.add_collection(self.edges)
        if node_size is None:
            node_size = float(np.clip(2400 / tallest, 60, 500))
        all_positions = np.concatenate(self.positions)
        self.nodes = ax.scatter(
            all_positions[:, 0], all_positions[:, 1], s=node_size, zorder=2, facecolors="white",
            edgecolors=[_NODE_EDGE], linewidths=1.2,
        )
        half = (tallest - 1) / 2
        ax.set_xlim(-0.4, len(self.layer_sizes) - 0.6)
        ax.set_ylim(-half - 0.9, half + 0.6)
        ax.set_aspect("auto")
        ax.axis("off")
        self.labels = [
            ax.text(k, -half - 0.7, name, ha="center", va="center", fontsize=9)
            for k, name in enumerate(self.layer_names)
        ]

    # -- updates (each changes arrays of existing artists; nothing is added to the axis) --------------------

    def set_weights(self, weights):
        """Show ``weights`` (a list of ``(n_{k+1}, n_k)`` arrays) as edge width and colour; None: grey."""
        if weights is None:
            self._weights = None
        else:
            if len(weights) != len(self.layer_sizes) - 1:
                raise ValueError(
                    f"NetworkDiagram.set_weights: expected {len(self.layer_sizes) - 1} weight matrices for "
                    f"layer sizes {self.layer_sizes}, got {len(weights)}"
                )
            flat = []
            for k, W in enumerate(weights):
                expected = (self.layer_sizes[k + 1], self.layer_sizes[k])
                W = as_array(W, f"weights[{k}]", "NetworkDiagram.set_weights", ndim=2)
                if W.shape != expected:
                    raise ValueError(
                        f"NetworkDiagram.set_weights: weights[{k}] must have shape {expected} (out, in), "
                        f"got {W.shape}"
                    )
                flat.append(W.ravel())
            self._weights = np.concatenate(flat).astype(float)
        self._style_edges()

    def set_activations(self, activations):
        """Fill each neuron by its activation (a list with one 1-D array, or None, per layer)."""
        if activations is None:
            activations = [None] * len(self.layer_sizes)
        if len(activations) != len(self.layer_sizes):
            raise ValueError(
                f"NetworkDiagram.set_activations: expected {len(self.layer_sizes)} layers of activations, "
                f"got {len(activations)}"
            )
        values = np.full(len(self._node_layer), np.nan)
        start = 0
        for k, (n, a) in enumerate(zip(self.layer_sizes, activations, strict=True)):
            if a is not None:
                a = as_array(a, f"activations[{k}]", "NetworkDiagram.set_activations").reshape(-1)
                if a.size != n:
                    raise ValueError(
                        f"NetworkDiagram.set_activations: layer {k} has {n} neurons, got {a.size} activations"
                    )
                values[start:start + n] = a
            start += n
        self._activations = values
        self._style_nodes()

    def set_highlight(self, layer):
        """Emphasise layer ``layer`` (its neurons and the edges that feed it); None removes the emphasis."""
        if layer is not None and not 0 <= int(layer) < len(self.layer_sizes):
            raise ValueError(
                f"NetworkDiagram.set_highlight: layer must be in 0..{len(self.layer_sizes) - 1}, "
                f"got {layer!r}"
            )
        self._highlight = None if layer is None else int(layer)
        self._style_edges()
        self._style_nodes()

    def layer_norms(self):
        """One ``Normalize`` per layer, symmetric around zero, that maps activations to fill colours."""
        norms = []
        for k in range(len(self.layer_sizes)):
            if self.vmax is not None:
                top = float(np.broadcast_to(self.vmax, (len(self.layer_sizes),))[k])
            else:
                values = self._activations[self._node_layer == k]
                values = values[np.isfinite(values)]
                top = float(np.max(np.abs(values))) if values.size else 1.0
            top = top if top > 0 else 1.0
            norms.append(Normalize(-top, top))
        return norms

    def _style_edges(self):
        n = len(self._edge_layer)
        if self._weights is None:
            colors = np.tile(to_rgba(COLORS["neutral"]), (n, 1))
            widths = np.full(n, 1.0)
        else:
            positive, negative = to_rgba(COLORS["positive"]), to_rgba(COLORS["negative"])
            colors = np.where((self._weights >= 0)[:, None], positive, negative)
            scale = np.max(np.abs(self._weights))
            widths = 0.3 + (self.max_linewidth - 0.3) * np.abs(self._weights) / (scale if scale > 0 else 1.0)
        colors = np.array(colors, dtype=float)
        colors[:, 3] = 0.85
        if self._highlight is not None:
            feeding = self._edge_layer == self._highlight - 1
            colors[~feeding, 3] = 0.2
        self.edge_colors, self.edge_widths = colors, widths
        if self.edges is not None:
            self.edges.set_colors(colors)
            self.edges.set_linewidths(widths)

    def _style_nodes(self):
        fills = np.tile(_UNREACHED, (len(self._node_layer), 1))
        scaled = np.full(len(self._node_layer), np.nan)  # each activation through its layer's norm, then one lookup
        for k, norm in enumerate(self.layer_norms()):
            mask = (self._node_layer == k) & np.isfinite(self._activations)
            scaled[mask] = norm(self._activations[mask])
        reached = np.isfinite(scaled)
        fills[reached] = self.cmap(scaled[reached])
        rings = np.tile(_NODE_EDGE, (len(self._node_layer), 1))
        widths = np.full(len(self._node_layer), 1.2)
        if self._highlight is not None:
            rings[self._node_layer == self._highlight] = _HIGHLIGHT
            widths[self._node_layer == self._highlight] = 3.5
        self.node_fills, self.node_rings, self.node_ring_widths = fills, rings, widths
        if self.nodes is not None:
            self.nodes.set_facecolors(fills)
            self.nodes.set_edgecolors(rings)
            self.nodes.set_linewidths(widths)


def draw_network(ax, layer_sizes, *, weights=None, activations=None, highlight=None, layer_names=None,
                 **kwargs):
    """Draw a fully connected network on ``ax`` and return the :class:`NetworkDiagram` (for later updates).

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> diagram = draw_network(ax, [2, 3, 1], weights=[np.ones((3, 2)), np.ones((1, 3))])
    >>> diagram.set_activations([np.zeros(2), np.ones(3), np.ones(1)])    # later: fill the neurons
    >>> len(diagram.nodes.get_offsets())
    6
    >>> plt.close(fig)
    """
    return NetworkDiagram(ax, layer_sizes, weights=weights, activations=activations, highlight=highlight,
                          layer_names=layer_names, **kwargs)
