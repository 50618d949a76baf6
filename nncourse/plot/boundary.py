"""Scatter plots of labelled 2-D data and the decision regions of a classifier over the input plane."""

import numpy as np

from nncourse._checks import as_array
from nncourse.plot._style import CLASS_COLORS, CLASS_MARKERS, COLORS


def scatter_classes(ax, X, y, *, highlight=None, s=40, labels=None, legend=True):
    """Scatter 2-D points ``X`` (shape ``(n, 2)``) coloured and shaped by class ``y``.

    ``highlight`` is an optional boolean mask (for example the misclassified points), drawn with a thick
    ring in ``COLORS["highlight"]``. Returns the list of scatter artists, one per class.

    >>> import matplotlib.pyplot as plt
    >>> from nncourse.data import logic_gate
    >>> fig, ax = plt.subplots()
    >>> artists = scatter_classes(ax, *logic_gate("xor"))
    >>> len(artists), ax.get_xlabel(), [text.get_text() for text in ax.get_legend().get_texts()]
    (2, '$x_1$', ['class 0', 'class 1'])
    >>> plt.close(fig)
    """
    X = as_array(X, "X", "scatter_classes", ndim=2, shape_doc="(n_samples, 2)")
    y = np.asarray(y)
    if X.shape[1] != 2 or len(y) != len(X):
        raise ValueError(
            f"scatter_classes: expected X of shape (n, 2) and y of shape (n,), got {X.shape} and {y.shape}"
        )
    artists = []
    for k in np.unique(y).astype(int):
        mask = y == k
        label = labels[k] if labels is not None else f"class {k}"
        artists.append(
            ax.scatter(
                X[mask, 0], X[mask, 1], s=s, c=CLASS_COLORS[k % len(CLASS_COLORS)],
                marker=CLASS_MARKERS[k % len(CLASS_MARKERS)], edgecolors="white", linewidths=0.5,
                label=label, zorder=3,
            )
        )
    if highlight is not None:
        highlight = np.asarray(highlight, dtype=bool)
        ax.scatter(
            X[highlight, 0], X[highlight, 1], s=s * 4, facecolors="none", edgecolors=COLORS["highlight"],
            linewidths=2, label="misclassified", zorder=4,
        )
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if legend:
        ax.legend(loc="best", fontsize=8)
    return artists


def grid_over(X, *, padding=0.5, resolution=200, xlim=None, ylim=None):
    """A regular grid covering the points ``X`` (plus ``padding``): returns ``xx, yy`` and the ``(m, 2)`` points.

    >>> xx, yy, points = grid_over(np.array([[0.0, 0.0], [1.0, 1.0]]), padding=0.5, resolution=3)
    >>> xx[0].tolist(), points.shape  # a 3 × 3 grid over [-0.5, 1.5]²
    ([-0.5, 0.5, 1.5], (9, 2))
    """
    X = np.asarray(X, dtype=float)
    x0, x1 = xlim if xlim is not None else (X[:, 0].min() - padding, X[:, 0].max() + padding)
    y0, y1 = ylim if ylim is not None else (X[:, 1].min() - padding, X[:, 1].max() + padding)
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def decision_boundary(ax, predict, X, y=None, *, threshold=None, padding=0.5, resolution=200,
                      xlim=None, ylim=None, highlight=None, alpha=0.25):
    """Shade the plane by the class a classifier predicts, and draw the boundary between classes.

    ``predict`` maps points of shape ``(m, 2)`` to either class indices (``threshold=None``) or real scores
    (a logit, a probability) that are turned into class 1 where ``score > threshold``. Points ``X`` are
    scattered on top when ``y`` is given. Returns the filled-contour artist.

    >>> import matplotlib.pyplot as plt
    >>> from nncourse.data import logic_gate
    >>> X, y = logic_gate("and")
    >>> fig, ax = plt.subplots()
    >>> filled = decision_boundary(ax, lambda points: points.sum(axis=1), X, y, threshold=1.5)  # x₁ + x₂ > 1.5
    >>> [float(limit) for limit in ax.get_xlim()]  # the data, padded by 0.5
    [-0.5, 1.5]
    >>> plt.close(fig)
    """
    xx, yy, grid = grid_over(X, padding=padding, resolution=resolution, xlim=xlim, ylim=ylim)
    out = np.asarray(predict(grid))
    classes = (out.reshape(-1) > threshold) if threshold is not None else out.reshape(-1)
    classes = classes.astype(int).reshape(xx.shape)
    n_classes = max(int(classes.max()) + 1, int(np.max(y)) + 1 if y is not None and len(y) else 2)
    from matplotlib.colors import ListedColormap

    cmap = ListedColormap(CLASS_COLORS[:n_classes])
    filled = ax.contourf(xx, yy, classes, levels=np.arange(n_classes + 1) - 0.5, cmap=cmap, alpha=alpha)
    if classes.min() != classes.max():
        ax.contour(xx, yy, classes, levels=np.arange(n_classes) + 0.5, colors=COLORS["boundary"], linewidths=1.5)
    if y is not None:
        scatter_classes(ax, X, y, highlight=highlight)
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    return filled
