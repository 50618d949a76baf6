"""The course's one visual style: a colour-blind-safe palette with fixed meanings, and consistent sizes.

The palette is Okabe & Ito's (2008), safe for the common forms of colour blindness. A colour means the same
thing in every chapter: ``COLORS["class0"]`` is always class 0, ``COLORS["positive"]`` always a positive
weight or value, ``COLORS["train"]`` always the training curve.
"""

import matplotlib as mpl
from cycler import cycler

OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}

COLORS = {
    "class0": OKABE_ITO["blue"],
    "class1": OKABE_ITO["orange"],
    "positive": OKABE_ITO["blue"],
    "negative": OKABE_ITO["vermillion"],
    "train": OKABE_ITO["blue"],
    "validation": OKABE_ITO["orange"],
    "test": OKABE_ITO["green"],
    "target": OKABE_ITO["black"],
    "model": OKABE_ITO["green"],
    "highlight": OKABE_ITO["vermillion"],
    "boundary": OKABE_ITO["black"],
    "neutral": "#999999",
}

# Colours for class k, in order; the first two agree with COLORS["class0"] and COLORS["class1"].
CLASS_COLORS = [OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "purple", "sky", "yellow")]
# Marker shapes per class, so classes differ by more than colour alone.
CLASS_MARKERS = ["o", "s", "^", "D", "v", "P", "X"]

# Colours per activation function (Chapter 2 onwards): the same activation has the same colour everywhere.
ACTIVATION_COLORS = {
    name: OKABE_ITO[color]
    for name, color in (("sigmoid", "blue"), ("tanh", "orange"), ("relu", "green"), ("leaky_relu", "vermillion"),
                        ("gelu", "purple"), ("silu", "sky"))
}
# Okabe–Ito has no colour left that reads well on white (yellow is too light, black means the target), so the
# last two come from Paul Tol's colour-blind-safe "muted" scheme.
ACTIVATION_COLORS.update(elu="#882255", softplus="#999933")

# Colour maps: signed quantities (weights, gradients, scores) diverge around zero; magnitudes are sequential.
DIVERGING_CMAP = "RdBu"
SEQUENTIAL_CMAP = "viridis"

# Standard figure sizes in inches (width, height).
SIZES = {"small": (4.0, 3.0), "medium": (6.0, 4.0), "wide": (10.0, 3.6), "square": (4.5, 4.5)}

RC_PARAMS = {
    "figure.figsize": SIZES["medium"],
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.constrained_layout.use": True,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.prop_cycle": cycler(color=CLASS_COLORS),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "lines.linewidth": 2.0,
    "image.cmap": SEQUENTIAL_CMAP,
}


def use_style():
    """Apply the course style to matplotlib (``nncourse.plot`` does this when it is imported)."""
    mpl.rcParams.update(RC_PARAMS)
