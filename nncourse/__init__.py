"""nncourse: the companion package of a course on neural-network fundamentals.

Every building block is written from scratch in NumPy, readable top to bottom, with PyTorch's names,
argument names and defaults, so that the move to PyTorch in the last chapter holds no surprises.

``import nncourse`` is deliberately light: it imports NumPy only. Sub-modules load on first use, so
``nncourse.nn`` works without an explicit ``import nncourse.nn``, and nothing here ever imports torch.
"""

import importlib

from nncourse._rng import default_generator, manual_seed

__version__ = "0.1.0"

_SUBMODULES = (
    "autograd",
    "data",
    "exercises",
    "functional",
    "gradcheck",
    "nn",
    "optim",
    "perceptron",
    "plot",
    "surfaces",
    "train",
    "universal",
    "widgets",
)

__all__ = ["__version__", "default_generator", "manual_seed", *_SUBMODULES]


def __getattr__(name):
    # PEP 562: load a sub-module the first time it is used (keeps `import nncourse` fast).
    if name in _SUBMODULES:
        return importlib.import_module(f"nncourse.{name}")
    raise AttributeError(f"module 'nncourse' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
