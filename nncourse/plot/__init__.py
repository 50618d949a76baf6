"""Plotting helpers for the course, all in one visual style (applied when this module is imported).

Each chapter adds its own helpers in a sub-module and re-exports them here.
"""

from nncourse.plot._style import (
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

use_style()

__all__ = [
    "CLASS_COLORS",
    "CLASS_MARKERS",
    "COLORS",
    "DIVERGING_CMAP",
    "OKABE_ITO",
    "SEQUENTIAL_CMAP",
    "SIZES",
    "decision_boundary",
    "grid_over",
    "scatter_classes",
    "use_style",
]
