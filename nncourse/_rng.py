"""Random numbers for the whole package, PyTorch style.

Every function that draws takes ``rng=``: ``None`` (the package-wide default generator), an ``int`` seed, or a
``numpy.random.Generator``. ``manual_seed(seed)`` resets the default generator, like ``torch.manual_seed``.
"""

import numpy as np

_default = np.random.default_rng(0)


def manual_seed(seed):
    """Reset the package-wide default generator to ``seed`` and return it (like ``torch.manual_seed``)."""
    global _default
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed expects a non-negative integer seed, got {seed!r}")
    _default = np.random.default_rng(int(seed))
    return _default


def default_generator():
    """The package-wide generator that functions use when they are given ``rng=None``."""
    return _default


def as_generator(rng=None):
    """Turn ``rng`` (None, an int seed or a Generator) into a ``numpy.random.Generator``."""
    if rng is None:
        return _default
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise ValueError(
        f"rng must be None, a non-negative int seed or a numpy.random.Generator, got {type(rng).__name__} {rng!r}"
    )
