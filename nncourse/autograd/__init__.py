"""A small reverse-mode autograd engine over NumPy arrays, with its own small ``nn`` kept apart.

As micrograd keeps ``engine.py`` and ``nn.py``: :mod:`nncourse.autograd.engine` holds the :class:`Tensor`
and its operations, each with its backward rule beside it; :mod:`nncourse.autograd.nn` holds layers and
losses written with those operations only (no backward code). Everything public is importable from here:

>>> from nncourse.autograd import MLP, Tensor, cross_entropy
>>> model = MLP([3, 4, 2], rng=0)
>>> loss = cross_entropy(model(Tensor([[1.0, 2.0, 3.0]])), [1])
>>> loss.backward()
>>> model.parameters()[0].grad.shape
(4, 3)
"""

from nncourse.autograd.engine import Tensor
from nncourse.autograd.nn import MLP, Linear, binary_cross_entropy_with_logits, cross_entropy, mse_loss

__all__ = ["MLP", "Linear", "Tensor", "binary_cross_entropy_with_logits", "cross_entropy", "mse_loss"]
