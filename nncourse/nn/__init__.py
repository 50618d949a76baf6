"""Neural-network building blocks with PyTorch's names and explicit forward/backward passes."""

from nncourse.nn.activation import GELU, LeakyReLU, ReLU, Sigmoid, SiLU, Tanh
from nncourse.nn.linear import Linear
from nncourse.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from nncourse.nn.module import Module, Parameter, Sequential

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "GELU",
    "LeakyReLU",
    "Linear",
    "MSELoss",
    "Module",
    "Parameter",
    "ReLU",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "Tanh",
]
