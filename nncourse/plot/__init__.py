"""Plotting helpers for the course, all in one visual style (applied when this module is imported).

Each chapter adds its own helpers in a sub-module and re-exports them here.
"""

from nncourse.plot._style import (
    ACTIVATION_COLORS,
    CLASS_COLORS,
    CLASS_MARKERS,
    COLORS,
    DIVERGING_CMAP,
    OKABE_ITO,
    SEQUENTIAL_CMAP,
    SIZES,
    use_style,
)
from nncourse.plot.boundary import decision_boundary, grid_over, scatter_classes
from nncourse.plot.curves import plot_history
from nncourse.plot.graph import draw_graph
from nncourse.plot.linear import LinearBoundary, half_plane, line_segment, linear_boundary
from nncourse.plot.network import NetworkDiagram, draw_network

use_style()

__all__ = [
    "ACTIVATION_COLORS",
    "CLASS_COLORS",
    "CLASS_MARKERS",
    "COLORS",
    "DIVERGING_CMAP",
    "OKABE_ITO",
    "SEQUENTIAL_CMAP",
    "SIZES",
    "LinearBoundary",
    "NetworkDiagram",
    "decision_boundary",
    "draw_graph",
    "draw_network",
    "grid_over",
    "half_plane",
    "line_segment",
    "linear_boundary",
    "plot_history",
    "scatter_classes",
    "use_style",
]
