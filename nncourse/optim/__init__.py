"""Optimizers with PyTorch's names, arguments and exact update equations, learning-rate schedules
(:mod:`nncourse.optim.lr_scheduler`) and the learning-rate range test."""

from nncourse.optim import lr_scheduler
from nncourse.optim.adagrad import Adagrad
from nncourse.optim.adam import Adam
from nncourse.optim.adamw import AdamW
from nncourse.optim.optimizer import Optimizer
from nncourse.optim.range_test import RangeTest, lr_range_test
from nncourse.optim.rmsprop import RMSprop
from nncourse.optim.sgd import SGD

__all__ = ["Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "RangeTest", "SGD", "lr_range_test", "lr_scheduler"]
