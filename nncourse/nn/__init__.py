"""Neural-network building blocks with PyTorch's names and explicit forward/backward passes.

``nncourse.nn.init`` holds the weight initialisations (as ``torch.nn.init``); :data:`ACTIVATIONS` is the one
table of activations by name, and :func:`build_mlp` the one MLP builder.
"""

from nncourse.nn import init, utils
from nncourse.nn.activation import (
    ACTIVATIONS,
    ELU,
    GELU,
    Activation,
    LeakyReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Softplus,
    Tanh,
    get_activation,
)
from nncourse.nn.dropout import Dropout
from nncourse.nn.linear import Linear
from nncourse.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from nncourse.nn.mlp import (
    INITS,
    backward_by_layer,
    build_mlp,
    gradient_through_depth,
    layer_activations,
    layer_statistics,
)
from nncourse.nn.module import Module, Parameter, Sequential
from nncourse.nn.normalization import BatchNorm1d, LayerNorm

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "Activation",
    "BCELoss",
    "BatchNorm1d",
    "Dropout",
    "LayerNorm",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "ELU",
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
    "Softplus",
    "Tanh",
    "backward_by_layer",
    "build_mlp",
    "get_activation",
    "gradient_through_depth",
    "init",
    "layer_activations",
    "layer_statistics",
    "utils",
]
