"""Data sets the course generates or ships: nothing here downloads.

Every generator is seeded through ``rng=`` (None, an int seed or a numpy Generator) and returns float
arrays ``X`` of shape ``(n_samples, n_features)`` with labels or targets ``y``.
"""

from nncourse.data.augment import add_noise, augment_digits, random_shift, shuffle_labels
from nncourse.data.digits import load_digits
from nncourse.data.logic import GATES, logic_gate, separable_blobs, xor
from nncourse.data.split import batches, train_val_split
from nncourse.data.synthetic import (
    TARGET_FUNCTIONS,
    make_blobs,
    make_circles,
    make_moons,
    make_regression_1d,
    make_spirals,
    target_function,
)

__all__ = [
    "GATES",
    "TARGET_FUNCTIONS",
    "add_noise",
    "augment_digits",
    "batches",
    "load_digits",
    "logic_gate",
    "make_blobs",
    "make_circles",
    "make_moons",
    "make_regression_1d",
    "make_spirals",
    "random_shift",
    "separable_blobs",
    "shuffle_labels",
    "target_function",
    "train_val_split",
    "xor",
]
