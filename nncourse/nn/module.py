"""``Parameter``, ``Module`` and ``Sequential``: the skeleton every layer of the course hangs on.

The convention (cs231n's explicit forward/backward pairs, with PyTorch's names):

* ``module(x)`` calls ``module.forward(x)``, which computes the output and caches what the backward pass needs;
* ``module.backward(grad_output)`` takes dL/d(output), returns dL/d(input), and **accumulates** (adds) the
  gradient of every parameter into ``parameter.grad``, exactly as ``loss.backward()`` does in PyTorch;
* ``module.parameters()`` yields the parameters in PyTorch's order: a module's own parameters in the order
  they were assigned (weight before bias), then those of its sub-modules in the order they were assigned.
"""

import numpy as np


class Parameter:
    """A trainable array: ``.data`` holds the values and ``.grad`` (same shape) the accumulated gradient."""

    def __init__(self, data):
        self.data = np.array(data, copy=True)
        if not np.issubdtype(self.data.dtype, np.floating):
            raise ValueError(f"Parameter: data must be a floating-point array, got dtype {self.data.dtype}")
        self.grad = np.zeros_like(self.data)

    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    def __repr__(self):
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype})"


class Module:
    """Base class of every layer, activation and loss. Subclasses implement ``forward`` and ``backward``."""

    training = True

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def backward(self, grad_output):
        raise NotImplementedError(f"{type(self).__name__} must implement backward()")

    def named_children(self):
        """Yield ``(name, module)`` for each direct sub-module, in the order they were assigned."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def children(self):
        for _, module in self.named_children():
            yield module

    def named_parameters(self, prefix=""):
        """Yield ``(name, parameter)`` pairs with PyTorch's dotted names (``"0.weight"``, ``"0.bias"``, ...)."""
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield prefix + name, value
        for name, child in self.named_children():
            yield from child.named_parameters(prefix=f"{prefix}{name}.")

    def parameters(self):
        """Yield every parameter of this module and its sub-modules, in PyTorch's order."""
        for _, parameter in self.named_parameters():
            yield parameter

    def zero_grad(self):
        """Set every parameter's gradient to zero (PyTorch sets it to None; zeros keep ``+=`` simple)."""
        for parameter in self.parameters():
            parameter.grad[...] = 0

    def train(self, mode=True):
        """Switch training-time behaviour (dropout, batch statistics) on or off, in every sub-module."""
        self.training = bool(mode)
        for child in self.children():
            child.train(mode)
        return self

    def eval(self):
        """Switch to evaluation mode; the same as ``train(False)``."""
        return self.train(False)

    def extra_repr(self):
        """The arguments shown between the parentheses of ``repr(module)``."""
        return ""

    def __repr__(self):
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, child in children:
            child_repr = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child_repr}")
        lines.append(")")
        return "\n".join(lines)


class Sequential(Module):
    """A chain of modules: ``forward`` runs them in order and ``backward`` runs them in reverse.

    >>> model = Sequential(Linear(2, 8), ReLU(), Linear(8, 1))
    >>> model[0]            # the first Linear layer
    """

    def __init__(self, *modules):
        for index, module in enumerate(modules):
            if not isinstance(module, Module):
                raise ValueError(f"Sequential: argument {index} must be a Module, got {type(module).__name__}")
            setattr(self, str(index), module)

    def __getitem__(self, index):
        return list(self.children())[index]

    def __len__(self):
        return len(list(self.children()))

    def __iter__(self):
        return iter(list(self.children()))

    def forward(self, x):
        for module in self:
            x = module(x)
        return x

    def backward(self, grad_output):
        for module in reversed(list(self)):
            grad_output = module.backward(grad_output)
        return grad_output
