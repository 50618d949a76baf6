"""Neural-network building blocks with PyTorch's names and explicit forward/backward passes.

``nncourse.nn.init`` holds the weight initialisations (as ``torch.nn.init``); :data:`ACTIVATIONS` is the one
table of activations by name, and :func:`build_mlp` the one MLP builder.
"""

from nncourse.nn.activation import ACTIVATIONS, GELU, Activation, LeakyReLU, ReLU, Sigmoid, SiLU, Tanh, get_activation
from nncourse.nn.linear import Linear
from nncourse.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from nncourse.nn.mlp import INITS, backward_by_layer, build_mlp, gradient_through_depth, layer_activations
from nncourse.nn.module import Module, Parameter, Sequential

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "Activation",
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
    "backward_by_layer",
    "build_mlp",
    "get_activation",
    "gradient_through_depth",
    "layer_activations",
]
