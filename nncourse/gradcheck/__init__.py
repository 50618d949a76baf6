"""Numerical gradient checking: is a hand-written backward pass right?

:mod:`nncourse.gradcheck.numerical` holds the mathematics (central differences, relative errors, verdicts) and
the four checks, one per kind of code; :mod:`nncourse.gradcheck.report` holds how a result is shown. Each
check returns a :class:`GradcheckReport`, a table with one row per array:

* :func:`gradcheck_function`: a NumPy function and its hand-written ``backward``;
* :func:`gradcheck_module`: an :mod:`nncourse.nn` layer's input gradient and every parameter's ``.grad``;
* :func:`gradcheck_loss`: an :mod:`nncourse.nn` loss's gradient with respect to the prediction;
* :func:`gradcheck_autograd`: a function of :class:`nncourse.autograd.Tensor` and the engine's gradients.

>>> import numpy as np
>>> from nncourse import gradcheck, nn
>>> report = gradcheck.gradcheck_loss(nn.MSELoss(), np.array([[0.5], [2.0]]), np.array([[1.0], [1.0]]))
>>> report.ok
True
"""

from nncourse.gradcheck.numerical import (
    compare_gradients,
    gradcheck_autograd,
    gradcheck_function,
    gradcheck_loss,
    gradcheck_module,
    numerical_gradient,
    relative_error,
    verdict,
)
from nncourse.gradcheck.report import GradcheckReport

__all__ = [
    "GradcheckReport",
    "compare_gradients",
    "gradcheck_autograd",
    "gradcheck_function",
    "gradcheck_loss",
    "gradcheck_module",
    "numerical_gradient",
    "relative_error",
    "verdict",
]
