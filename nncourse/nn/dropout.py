"""``Dropout`` (Srivastava et al. 2014): zero each unit with probability p while training, inverted scaling.

Forward in training mode, with a fresh keep-mask ``m`` for every call (each ``m_i = 1`` with probability 1 − p):

    y = m ⊙ x / (1 − p)

Dividing by the keep probability 1 − p ("inverted dropout") keeps the expected value of every unit the same as
without dropout, E[y_i] = x_i, so that evaluation needs no change: in evaluation mode (``module.eval()``)
dropout is the identity, y = x. (The paper scales the weights by 1 − p at test time instead; the two are the
same network up to where the factor sits.) Backward multiplies by the same mask and the same factor:

    ∂L/∂x = m ⊙ ∂L/∂y / (1 − p)

The pair :func:`dropout_forward` / :func:`dropout_backward` holds the formulas with an explicit cache, as
cs231n's ``layers.py`` does; the layer :class:`Dropout` draws the mask and calls them.
"""

import numpy as np

from nncourse import functional as F
from nncourse._rng import as_generator
from nncourse.nn.module import Module

__all__ = ["Dropout", "dropout_backward", "dropout_forward"]


def _check_p(p, where):
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)) or not 0 <= p <= 1:
        raise ValueError(f"{where}: dropout probability has to be between 0 and 1, but got {p!r}")
    return float(p)


def dropout_forward(x, p, keep):
    """Inverted dropout with a given boolean keep-mask: returns ``(y, cache)`` with ``y = keep ⊙ x / (1 − p)``.

    With p = 1 every unit is dropped and y = 0 (as in PyTorch), so the factor 1/(1 − p) is never formed.

    >>> x = np.array([[1.0, 2.0, 3.0, 4.0]])
    >>> y, cache = dropout_forward(x, 0.5, keep=np.array([[True, False, True, False]]))
    >>> y
    array([[2., 0., 6., 0.]])
    """
    p = _check_p(p, "dropout_forward")
    x, keep = np.asarray(x), np.asarray(keep)
    if keep.shape != x.shape or keep.dtype != bool:
        raise ValueError(
            f"dropout_forward: keep must be a boolean array of the input's shape {x.shape}, "
            f"got {keep.dtype} array of shape {keep.shape}"
        )
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    mask = keep * np.asarray(scale, dtype=x.dtype)  # m / (1 − p): 0 or 1/(1 − p), in the input's dtype
    return x * mask, mask


def dropout_backward(grad_output, cache):
    """``∂L/∂x = ∂L/∂y ⊙ m / (1 − p)``, with the cache of :func:`dropout_forward` (the scaled mask).

    >>> y, cache = dropout_forward(np.ones((1, 3)), 0.5, keep=np.array([[True, False, True]]))
    >>> dropout_backward(np.ones((1, 3)), cache)
    array([[2., 0., 2.]])
    """
    grad_output = np.asarray(grad_output)
    if grad_output.shape != cache.shape:
        raise ValueError(
            f"dropout_backward: expected grad_output of shape {cache.shape} (the shape of the last output), "
            f"got shape {grad_output.shape}"
        )
    return grad_output * cache


class Dropout(Module):
    """During training, zero each element with probability ``p`` and scale the rest by 1/(1 − p) (``nn.Dropout``).

    Args:
        p (float): the probability of dropping an element, 0 ≤ p ≤ 1. Default: 0.5, as in PyTorch.
        inplace (bool): accepted for PyTorch's signature and shown in the repr, but the output is always a new
            array here: overwriting the input would corrupt it for the layer before, which may cache it for its
            own backward pass. Default: ``False``.
        rng: ``None`` (the package's default generator), an int seed or a ``numpy.random.Generator``, from
            which every training-mode forward pass draws its mask.

    In evaluation mode, or with p = 0, the layer is the identity. The last mask drawn is kept in
    ``self.keep`` (``None`` in evaluation mode); :meth:`sample_mask` draws it, and a subclass may override it
    to replay given masks (the course does this to check a network against PyTorch with PyTorch's masks).

    >>> layer = Dropout(p=0.5, rng=0)
    >>> y = layer(np.ones((2, 4)))
    >>> sorted(set(y.ravel().tolist()))  # dropped units are 0, kept ones are scaled by 1/(1 − 0.5)
    [0.0, 2.0]
    >>> layer.eval()(np.ones((2, 4)))  # the identity in evaluation mode
    array([[1., 1., 1., 1.],
           [1., 1., 1., 1.]])
    """

    def __init__(self, p=0.5, inplace=False, rng=None):
        self.p = _check_p(p, "Dropout")
        self.inplace = bool(inplace)
        self.rng = as_generator(rng)
        self.keep = None
        self._cache = None  # the scaled mask of the last training-mode forward pass
        self._shape = None  # the shape of the last input; None before the first forward pass

    def sample_mask(self, shape):
        """Draw a boolean keep-mask of ``shape``: each element ``True`` with probability 1 − p.

        >>> Dropout(p=0.25, rng=0).sample_mask((2, 3))
        array([[ True,  True, False],
               [False,  True,  True]])
        """
        return self.rng.random(shape) >= self.p

    def forward(self, input):
        """Training: ``y = keep ⊙ x / (1 − p)`` with a freshly drawn mask; evaluation: ``y = x``."""
        x = F._input(input, repr(self))
        self._shape = x.shape
        if not self.training or self.p == 0:
            self.keep, self._cache = None, None
            return x.copy()
        self.keep = self.sample_mask(x.shape)
        y, self._cache = dropout_forward(x, self.p, self.keep)
        return y

    def backward(self, grad_output, *, input_grad=True):
        """Training: ``∂L/∂x = keep ⊙ ∂L/∂y / (1 − p)``; evaluation (or p = 0): ``∂L/∂y`` unchanged.

        ``input_grad=False`` (a first layer in ``Sequential.backward``) returns ``None``: nothing to compute."""
        if self._shape is None:
            raise RuntimeError(f"{self!r}: backward() called before forward()")
        if not input_grad:
            return None
        if self._cache is None:
            grad_output = np.asarray(grad_output)
            if grad_output.shape != self._shape:
                raise ValueError(
                    f"{self!r}: expected grad_output of shape {self._shape} (the shape of the last output), "
                    f"got shape {grad_output.shape}"
                )
            return grad_output.copy()
        return dropout_backward(grad_output, self._cache)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
