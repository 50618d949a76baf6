"""A linear decision boundary ``w·x + b = 0`` drawn over 2-D axes: the line, its normal vector and half-plane.

:func:`linear_boundary` draws it once and returns a :class:`LinearBoundary` whose :meth:`~LinearBoundary.set`
moves the same artists to new ``(w, b)``, so widgets can redraw it in place, quickly.
"""

import numpy as np
from matplotlib.patches import FancyArrowPatch, Polygon

from nncourse._checks import as_array
from nncourse.plot._style import COLORS


def line_segment(weight, bias, xlim, ylim):
    """The two end points of the part of the line ``w·x + b = 0`` inside the box ``xlim × ylim``.

    Returns an array of shape ``(2, 2)`` (one point per row), or shape ``(0, 2)`` when the line misses the
    box or ``w = 0`` (then there is no line: every point gets the same class).

    >>> line_segment(np.array([1.0, 1.0]), -1.0, xlim=(0, 2), ylim=(0, 2)).tolist()  # x₁ + x₂ = 1
    [[1.0, 0.0], [0.0, 1.0]]
    >>> line_segment(np.array([1.0, 1.0]), -10.0, xlim=(0, 2), ylim=(0, 2)).shape  # x₁ + x₂ = 10 misses the box
    (0, 2)
    """
    corners = _box(xlim, ylim)
    z = corners @ weight + bias
    points = [p for p, zp in zip(corners, z, strict=True) if zp == 0]
    for k in range(4):  # where the sign of z changes along an edge, the line crosses it
        z0, z1 = z[k], z[(k + 1) % 4]
        if z0 * z1 < 0:
            t = z0 / (z0 - z1)
            points.append(corners[k] + t * (corners[(k + 1) % 4] - corners[k]))
    if len(points) < 2 or not np.any(weight):
        return np.empty((0, 2))
    points = np.array(points)
    # Keep the two points farthest apart (a line through a corner may list it twice).
    d = np.linalg.norm(points[:, None] - points[None], axis=-1)
    i, j = np.unravel_index(np.argmax(d), d.shape)
    return points[[i, j]]


def half_plane(weight, bias, xlim, ylim):
    """The polygon (vertices, shape ``(m, 2)``) of the box where ``w·x + b >= 0``: the class-1 region.

    >>> half_plane(np.array([1.0, 0.0]), -1.0, xlim=(0, 2), ylim=(0, 2)).tolist()  # where x₁ ≥ 1
    [[1.0, 0.0], [2.0, 0.0], [2.0, 2.0], [1.0, 2.0]]
    """
    corners = _box(xlim, ylim)
    z = corners @ weight + bias
    vertices = []
    for k in range(4):  # Sutherland–Hodgman clipping of the box by one half-plane
        p, q, zp, zq = corners[k], corners[(k + 1) % 4], z[k], z[(k + 1) % 4]
        if zp >= 0:
            vertices.append(p)
        if zp * zq < 0:
            vertices.append(p + zp / (zp - zq) * (q - p))
    return np.array(vertices).reshape(-1, 2)


class LinearBoundary:
    """A drawn boundary: its ``line``, ``normal`` (an arrow along w) and ``region`` (the class-1 side).

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> boundary = linear_boundary(ax, np.array([1.0, 1.0]), -1.0, xlim=(0, 2), ylim=(0, 2))
    >>> boundary.set(np.array([1.0, 0.0]), -1.0).line.get_xydata().tolist()  # moved to x₁ = 1, same artists
    [[1.0, 0.0], [1.0, 2.0]]
    >>> plt.close(fig)
    """

    def __init__(self, ax, line, normal, region, xlim, ylim, avoid=None):
        self.ax, self.line, self.normal, self.region = ax, line, normal, region
        self.xlim, self.ylim = xlim, ylim
        self.avoid = None if avoid is None else np.asarray(avoid, dtype=float).reshape(-1, 2)

    def set(self, weight, bias):
        """Move the line, the arrow and the shaded half-plane to a new ``(weight, bias)``."""
        weight = as_array(weight, "weight", "LinearBoundary.set", ndim=1, shape_doc="(2,)").astype(float)
        if weight.shape != (2,):
            raise ValueError(f"LinearBoundary.set: weight must have shape (2,), got {weight.shape}")
        bias = float(bias)
        segment = line_segment(weight, bias, self.xlim, self.ylim)
        self.line.set_data(segment[:, 0], segment[:, 1])
        if self.region is not None:
            self.region.set_xy(_nonempty(half_plane(weight, bias, self.xlim, self.ylim)))
        if self.normal is not None:
            if len(segment):
                # The arrow starts on the line, at the point nearest the centre of the box, and points along
                # w: towards the side the perceptron calls class 1. Its length is fixed; only w's direction
                # matters for the boundary.
                centre = np.array([np.mean(self.xlim), np.mean(self.ylim)])
                unit = weight / np.linalg.norm(weight)
                foot = centre - (centre @ weight + bias) / (weight @ weight) * weight
                length = 0.15 * np.hypot(np.ptp(self.xlim), np.ptp(self.ylim))
                if self.avoid is not None and len(self.avoid):
                    foot = _foot_away_from(segment, unit, length, self.avoid, self.xlim, self.ylim)
                self.normal.set_positions(tuple(foot), tuple(foot + length * unit))
                self.normal.set_visible(True)
            else:
                self.normal.set_visible(False)
        return self


def linear_boundary(ax, weight, bias, *, xlim=None, ylim=None, normal=True, shade=True,
                    color=None, label="$w \\cdot x + b = 0$", avoid=None):
    """Draw the line ``w·x + b = 0`` over ``ax``, with its normal vector ``w`` and the class-1 side shaded.

    ``xlim``/``ylim`` default to the current axis limits, which are then fixed (draw the data first).
    The arrow starts where the line passes closest to the centre of the box; with ``avoid`` (points of shape
    ``(n, 2)``, usually the data) it slides along the line to where it stays farthest from those points.
    Returns a :class:`LinearBoundary`; call its ``set(weight, bias)`` to move it.

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> boundary = linear_boundary(ax, np.array([1.0, 1.0]), -1.0, xlim=(0, 2), ylim=(0, 2))
    >>> boundary.line.get_xydata().tolist(), len(ax.patches)  # the line; the shaded side and the arrow w
    ([[1.0, 0.0], [0.0, 1.0]], 2)
    >>> plt.close(fig)
    """
    xlim = tuple(xlim) if xlim is not None else ax.get_xlim()
    ylim = tuple(ylim) if ylim is not None else ax.get_ylim()
    color = COLORS["boundary"] if color is None else color
    (line,) = ax.plot([], [], color=color, lw=2, label=label, zorder=2)
    region = None
    if shade:
        region = Polygon(np.zeros((3, 2)), closed=True, facecolor=COLORS["class1"], alpha=0.15,
                         edgecolor="none", zorder=0)
        ax.add_patch(region)
    arrow = None
    if normal:
        arrow = FancyArrowPatch((0, 0), (1, 0), arrowstyle="-|>", mutation_scale=15, color=color, lw=1.5,
                                zorder=5)
        ax.add_patch(arrow)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    return LinearBoundary(ax, line, arrow, region, xlim, ylim, avoid).set(weight, bias)


def _foot_away_from(segment, unit, length, points, xlim, ylim):
    """The start, on the visible segment of the line, of the arrow that keeps farthest from ``points`` (among
    the arrows that end inside the box, if any do).

    >>> _foot_away_from(np.array([[0.0, -1.0], [0.0, 1.0]]), np.array([1.0, 0.0]), 0.5,
    ...                 np.array([[0.2, 0.5]]), (-1, 1), (-1, 1)).round(2).tolist()  # far from (0.2, 0.5)
    [0.0, -0.7]
    """
    starts = segment[0] + np.linspace(0.15, 0.85, 57)[:, None] * (segment[1] - segment[0])
    ends = starts + length * unit
    pad = 0.05 * np.array([np.ptp(xlim), np.ptp(ylim)])
    inside = np.all((ends >= np.array([xlim[0], ylim[0]]) + pad) & (ends <= np.array([xlim[1], ylim[1]]) - pad), axis=1)
    if inside.any():
        starts = starts[inside]
    # distance from each point to each candidate arrow (a segment from start to end)
    t = np.clip(((points[None] - starts[:, None]) @ unit) / length, 0.0, 1.0)
    nearest = starts[:, None] + t[..., None] * length * unit
    clearance = np.linalg.norm(points[None] - nearest, axis=-1).min(axis=1)
    return starts[np.argmax(clearance)]


def _box(xlim, ylim):
    (x0, x1), (y0, y1) = xlim, ylim
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)


def _nonempty(vertices):
    # A Polygon needs at least one vertex; an empty region is drawn as a degenerate one.
    return vertices if len(vertices) else np.zeros((1, 2))
