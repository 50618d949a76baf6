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
    """A trainable array: ``.data`` holds the values and ``.grad`` (same shape) the accumulated gradient.

    ``.grad`` starts at zeros; setting it to ``None`` (PyTorch's habit) is allowed: the next backward pass
    starts it afresh, and optimizers skip a parameter whose ``.grad`` is ``None``, as PyTorch's do.

    >>> p = Parameter(np.zeros(3))
    >>> p.accumulate(np.ones(3)); p.accumulate(np.ones(3)); p.grad
    array([2., 2., 2.])
    """

    def __init__(self, data):
        self.data = np.array(data, copy=True)
        if not np.issubdtype(self.data.dtype, np.floating):
            raise ValueError(f"Parameter: data must be a floating-point array, got dtype {self.data.dtype}")
        self.grad = np.zeros_like(self.data)

    def accumulate(self, grad):
        """Add ``grad`` into ``.grad`` (backward passes accumulate, as in PyTorch); start it if it is ``None``."""
        if self.grad is None:
            self.grad = np.array(grad, dtype=self.data.dtype)
        else:
            self.grad += grad

    def zero_grad(self):
        """Set ``.grad`` to zeros: in place where it exists (as ``zero_grad(set_to_none=False)``), anew if ``None``."""
        if self.grad is None:
            self.grad = np.zeros_like(self.data)
        else:
            self.grad[...] = 0

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
        """Yield ``(name, parameter)`` pairs with PyTorch's dotted names (``"0.weight"``, ``"0.bias"``, ...).

        A Parameter shared by two layers (tied weights) is yielded once, under its first name, as PyTorch
        does: an optimizer must step it once, with the sum of both layers' gradients.
        """
        seen = set()
        for name, parameter in self._all_named_parameters(prefix):
            if id(parameter) not in seen:
                seen.add(id(parameter))
                yield name, parameter

    def _all_named_parameters(self, prefix):
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield prefix + name, value
        for name, child in self.named_children():
            yield from child._all_named_parameters(f"{prefix}{name}.")

    def parameters(self):
        """Yield every parameter of this module and its sub-modules, in PyTorch's order."""
        for _, parameter in self.named_parameters():
            yield parameter

    def zero_grad(self):
        """Set every parameter's gradient to zero (PyTorch sets it to None; zeros keep ``+=`` simple)."""
        for parameter in self.parameters():
            parameter.zero_grad()

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

    A module may appear only once: each layer caches the input of its last forward pass for its backward
    pass, so a layer used twice would compute its first use's gradient from its second use's input. (PyTorch
    allows it, since autograd records every use; here, share weights by giving two layers the same Parameter.)

    >>> from nncourse.nn import Linear, ReLU
    >>> model = Sequential(Linear(2, 8), ReLU(), Linear(8, 1))
    >>> model[0]
    Linear(in_features=2, out_features=8, bias=True)
    """

    def __init__(self, *modules):
        for index, module in enumerate(modules):
            if not isinstance(module, Module):
                raise ValueError(f"Sequential: argument {index} must be a Module, got {type(module).__name__}")
            first = next((i for i in range(index) if modules[i] is module), None)
            if first is not None:
                raise ValueError(
                    f"Sequential: argument {index} is the same {module!r} as argument {first}; a layer caches "
                    f"its last input for backward, so it can be used once: make two layers (tie their weights "
                    f"by assigning one Parameter to both if that is the intent)"
                )
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
