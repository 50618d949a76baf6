"""Optimizers with PyTorch's names, arguments and exact update equations."""

from nncourse.optim.optimizer import Optimizer
from nncourse.optim.sgd import SGD

__all__ = ["Optimizer", "SGD"]
