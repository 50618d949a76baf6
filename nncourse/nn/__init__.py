"""Neural-network building blocks with PyTorch's names and explicit forward/backward passes."""

from nncourse.nn.module import Module, Parameter, Sequential

__all__ = ["Module", "Parameter", "Sequential"]
