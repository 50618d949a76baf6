"""A small reverse-mode automatic-differentiation engine over NumPy arrays (micrograd, vectorised).

A :class:`Tensor` wraps a NumPy array. Every operation computes its output **and**, right beside it, its
local backward rule: a function that receives the gradient of the loss with respect to the output,
dL/d(out), and returns the gradient with respect to each input (one application of the chain rule).
``loss.backward()`` visits the recorded graph in reverse topological order, so that each node's gradient
is complete (every path summed) before it is passed on to the node's inputs.

    >>> a = Tensor(2.0, requires_grad=True)
    >>> b = Tensor(-3.0, requires_grad=True)
    >>> L = (a * b + a).tanh()
    >>> L.backward()
    >>> a.grad, b.grad          # dL/da = (1 - L²)(b + 1), dL/db = (1 - L²) a

The rules, the same as PyTorch's unless stated:

* Broadcasting: operations broadcast like NumPy; the backward pass sums the gradient over the broadcast
  axes ("un-broadcasts" it), so ``x.grad`` always has the shape of ``x``.
* Gradients accumulate: ``backward()`` **adds** into ``.grad`` (``None`` before the first backward), and a
  node used twice receives the sum of both contributions. Call ``zero_grad()`` between training steps.
* Every tensor that requires a gradient keeps its ``.grad``, intermediate ones included (PyTorch keeps only
  the leaves' unless asked with ``retain_grad()``), so that a graph drawing can show every gradient.
* ``backward()`` frees the saved arrays of the graph it went through. A second ``backward()`` through any node
  of that graph raises a ``RuntimeError``, unless the first one was called with ``retain_graph=True``.
* ``backward()`` with no argument works only on a tensor with one element (a loss); otherwise pass
  ``gradient``, dL/d(this tensor), of the tensor's shape (a ``RuntimeError``, as in PyTorch).
* An operation none of whose inputs requires a gradient records nothing (no graph, nothing kept alive).
* Data is always floating point: lists and Python numbers become float32 (PyTorch's default); a NumPy
  float array keeps its dtype, so float64 arrays give float64 tensors (use them for gradient checks).

Adding an operation (the engine's extension point, :meth:`Tensor.from_op`) follows the pattern of the
built-in ones: compute the output with NumPy, define ``backward(g)`` that returns one gradient per input (a
tuple; broadcasting is undone by the engine), and return ``Tensor.from_op(output, inputs, name, backward)``::

    def cube(x):
        def backward(g):  # d(x³)/dx = 3x²
            return (g * 3 * x.data**2,)

        return Tensor.from_op(x.data**3, (x,), "cube", backward)
"""

import numpy as np

from nncourse._rng import as_generator


class Tensor:
    """An array that remembers how it was computed, so that ``backward()`` can compute gradients.

    Args:
        data: array-like of numbers (copied).
        requires_grad (bool): whether ``backward()`` should compute ``.grad`` for this tensor. Default: False.
        dtype: NumPy floating dtype. Default: the dtype of a float array, else float32.
        label (str): a name shown by :func:`nncourse.plot.draw_graph` (not in PyTorch). Default: "".
    """

    # Makes NumPy defer to Tensor's reflected operators: ``array * tensor`` calls ``tensor.__rmul__``.
    __array_ufunc__ = None

    def __init__(self, data, requires_grad=False, *, dtype=None, label=""):
        if isinstance(data, Tensor):
            data = data.data
        if dtype is None:
            is_float_array = isinstance(data, np.ndarray) and np.issubdtype(data.dtype, np.floating)
            dtype = data.dtype if is_float_array else np.float32
        if not np.issubdtype(np.dtype(dtype), np.floating):
            raise ValueError(f"Tensor: dtype must be a floating-point dtype, got {np.dtype(dtype)}")
        try:
            self.data = np.array(data, dtype=dtype)
        except (TypeError, ValueError) as exc:
            kind = type(data).__name__
            raise ValueError(f"Tensor: data must be numeric array-like, got {kind} ({exc})") from None
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self.label = label
        self._parents = ()  # the tensors this one was computed from (empty for a leaf)
        self._op = ""  # the operation's name, e.g. "*" or "exp"
        self._backward = None  # dL/d(out) -> tuple of dL/d(parent); None for leaves and freed nodes

    @classmethod
    def from_op(cls, data, parents, op, backward):
        """The output of an operation: how every operation, built-in or new, creates its result.

        Args:
            data: the output array, computed with NumPy from the parents' ``.data``.
            parents (tuple of Tensor): the operation's inputs, in the order ``backward`` returns their gradients.
            op (str): the operation's name, shown by ``repr`` and by :func:`nncourse.plot.draw_graph`.
            backward: ``backward(g)`` receives dL/d(out), of the output's shape, and returns a tuple with one
                gradient per parent, dL/d(parent) = g times the local derivative (shapes may be broadcast).

        The parents and ``backward`` are recorded only if some parent requires a gradient; otherwise the
        result is a constant and nothing is kept alive.
        """
        parents = tuple(parents) if isinstance(parents, list) else parents
        if not isinstance(parents, tuple) or not all(isinstance(p, Tensor) for p in parents):
            kind = type(parents).__name__
            raise ValueError(f"Tensor.from_op: parents must be a tuple of Tensors such as (x,), got {kind}")
        requires_grad = any(p.requires_grad for p in parents)
        if requires_grad and not callable(backward):
            raise ValueError(f"Tensor.from_op: backward must be a function of g, got {type(backward).__name__}")
        out = cls.__new__(cls)
        out.data = np.asarray(data)
        out.requires_grad = requires_grad
        out.grad = None
        out.label = ""
        out._parents = parents if requires_grad else ()
        out._op = op if requires_grad else ""
        out._backward = backward if requires_grad else None
        return out

    # ---------------------------------------------------------------- helpers and properties
    def _lift(self, other):
        """Turn a number or an array into a constant Tensor (numbers take this tensor's dtype)."""
        if isinstance(other, Tensor):
            return other
        is_float_array = isinstance(other, np.ndarray) and np.issubdtype(other.dtype, np.floating)
        return Tensor(other, dtype=None if is_float_array else self.data.dtype)

    def _operand(self, other, op):
        """``other`` lifted to a Tensor, after checking that it broadcasts with this tensor."""
        other = self._lift(other)
        try:
            np.broadcast_shapes(self.shape, other.shape)
        except ValueError:
            raise ValueError(f"Tensor {op}: shapes {self.shape} and {other.shape} do not broadcast") from None
        return other

    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def is_leaf(self):
        """True for tensors created by the user (not the output of a recorded operation)."""
        return not self._parents

    def item(self):
        """The value of a one-element tensor as a Python float."""
        return self.data.item()

    def numpy(self):
        """The underlying NumPy array (shared, not copied)."""
        return self.data

    def detach(self):
        """A new leaf tensor with the same data (shared) that does not require a gradient."""
        return Tensor.from_op(self.data, (), "", None)

    def zero_grad(self):
        """Fill ``.grad`` with zeros (PyTorch's optimizers set it to None; zeros keep updates simple)."""
        self.grad = np.zeros_like(self.data)

    def __repr__(self):
        body = np.array2string(self.data, precision=4, separator=", ", prefix="Tensor(")
        if self._parents:
            extra = f", grad_fn=<{self._op}>"
        else:
            extra = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({body}{extra})"

    # ---------------------------------------------------------------- arithmetic (broadcasting)
    def __add__(self, other):
        other = self._operand(other, "+")

        def backward(g):  # d(a + b)/da = 1, d(a + b)/db = 1
            return g, g

        return Tensor.from_op(self.data + other.data, (self, other), "+", backward)

    def __sub__(self, other):
        other = self._operand(other, "-")

        def backward(g):  # d(a - b)/da = 1, d(a - b)/db = -1
            return g, -g

        return Tensor.from_op(self.data - other.data, (self, other), "-", backward)

    def __mul__(self, other):
        other = self._operand(other, "*")

        def backward(g):  # d(a b)/da = b, d(a b)/db = a
            return g * other.data, g * self.data

        return Tensor.from_op(self.data * other.data, (self, other), "*", backward)

    def __truediv__(self, other):
        other = self._operand(other, "/")

        def backward(g):  # d(a / b)/da = 1 / b, d(a / b)/db = -a / b²
            return g / other.data, -g * self.data / other.data**2

        return Tensor.from_op(self.data / other.data, (self, other), "/", backward)

    def __pow__(self, exponent):
        if isinstance(exponent, Tensor) or not np.isscalar(exponent) or isinstance(exponent, (bool, str)):
            kind = type(exponent).__name__
            raise ValueError(f"Tensor.__pow__: the exponent must be a Python number, got {kind}")

        def backward(g):  # d(a^p)/da = p a^(p-1)
            return (g * exponent * self.data ** (exponent - 1),)

        return Tensor.from_op(self.data**exponent, (self,), f"**{exponent:g}", backward)

    def __neg__(self):
        def backward(g):
            return (-g,)

        return Tensor.from_op(-self.data, (self,), "neg", backward)

    def __radd__(self, other):
        return self._lift(other) + self

    def __rsub__(self, other):
        return self._lift(other) - self

    def __rmul__(self, other):
        return self._lift(other) * self

    def __rtruediv__(self, other):
        return self._lift(other) / self

    def __matmul__(self, other):
        other = self._lift(other)
        if self.ndim not in (1, 2) or other.ndim not in (1, 2):
            raise ValueError(
                f"Tensor.__matmul__: supports 1-D and 2-D operands, got shapes {self.shape} and {other.shape}"
            )
        if self.shape[-1] != other.shape[0]:
            raise ValueError(
                f"Tensor.__matmul__: inner dimensions must agree, got shapes {self.shape} @ {other.shape}"
            )
        a, b = self.data, other.data

        def backward(g):  # C = A B: dL/dA = G Bᵀ, dL/dB = Aᵀ G (1-D operands viewed as a row / a column)
            a2 = a.reshape(1, -1) if a.ndim == 1 else a
            b2 = b.reshape(-1, 1) if b.ndim == 1 else b
            g2 = np.reshape(g, (a2.shape[0], b2.shape[1]))
            return (g2 @ b2.T).reshape(a.shape), (a2.T @ g2).reshape(b.shape)

        return Tensor.from_op(a @ b, (self, other), "@", backward)

    def __rmatmul__(self, other):
        return self._lift(other) @ self

    # ---------------------------------------------------------------- element-wise functions
    def exp(self):
        out = np.exp(self.data)

        def backward(g):  # d(e^a)/da = e^a
            return (g * out,)

        return Tensor.from_op(out, (self,), "exp", backward)

    def log(self):
        def backward(g):  # d(ln a)/da = 1 / a
            return (g / self.data,)

        return Tensor.from_op(np.log(self.data), (self,), "log", backward)

    def tanh(self):
        out = np.tanh(self.data)

        def backward(g):  # tanh' = 1 - tanh²
            return (g * (1 - out**2),)

        return Tensor.from_op(out, (self,), "tanh", backward)

    def sigmoid(self):
        # σ(a) = 1 / (1 + e^-a), computed through e^-|a| ≤ 1 so that it never overflows.
        e = np.exp(-np.abs(self.data))
        out = np.where(self.data >= 0, 1 / (1 + e), e / (1 + e))

        def backward(g):  # σ' = σ (1 - σ)
            return (g * out * (1 - out),)

        return Tensor.from_op(out, (self,), "sigmoid", backward)

    def relu(self):
        def backward(g):  # relu'(a) = 1 where a > 0, else 0 (0 at a = 0, as in PyTorch)
            return (g * (self.data > 0),)

        return Tensor.from_op(np.maximum(self.data, 0), (self,), "relu", backward)

    # ---------------------------------------------------------------- reductions and shapes
    def sum(self, axis=None, keepdims=False):
        """Sum over ``axis`` (None: all), like ``torch.sum(dim=..., keepdim=...)``."""

        def backward(g):  # every summed entry receives the output's gradient
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)
            return (np.broadcast_to(g, self.shape),)

        return Tensor.from_op(self.data.sum(axis=axis, keepdims=keepdims), (self,), "sum", backward)

    def mean(self, axis=None, keepdims=False):
        """Mean over ``axis`` (None: all): the sum divided by the number of entries averaged."""
        out = self.data.mean(axis=axis, keepdims=keepdims)
        count = self.data.size // max(out.size, 1)

        def backward(g):  # every averaged entry receives 1/count of the output's gradient
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)
            return (np.broadcast_to(g / count, self.shape),)

        return Tensor.from_op(out, (self,), "mean", backward)

    def reshape(self, *shape):
        """A tensor with the same entries in a new shape (``-1`` allowed, as in NumPy and PyTorch)."""
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        try:
            out = self.data.reshape(shape)
        except ValueError:
            raise ValueError(f"Tensor.reshape: cannot reshape {self.shape} into {tuple(shape)}") from None

        def backward(g):
            return (np.reshape(g, self.shape),)

        return Tensor.from_op(out, (self,), "reshape", backward)

    def permute(self, *dims):
        """Reorder the axes: output axis i is input axis ``dims[i]``."""
        inverse = np.argsort(dims)

        def backward(g):  # the gradient goes back through the inverse permutation
            return (np.transpose(g, inverse),)

        return Tensor.from_op(np.transpose(self.data, dims), (self,), "transpose", backward)

    def transpose(self, dim0, dim1):
        """Swap two axes (``torch.transpose``)."""
        dims = list(range(self.ndim))
        dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
        return self.permute(*dims)

    @property
    def T(self):
        """All axes reversed (for a matrix, its transpose)."""
        return self.permute(*reversed(range(self.ndim)))

    def __getitem__(self, index):
        """NumPy indexing, e.g. ``logp[np.arange(n), y]`` picks one entry per row."""
        if isinstance(index, Tensor):
            index = index.data.astype(np.int64)

        def backward(g):  # each picked entry receives its gradient; repeated picks add up (np.add.at)
            grad = np.zeros_like(self.data)
            np.add.at(grad, index, g)
            return (grad,)

        return Tensor.from_op(self.data[index], (self,), "index", backward)

    def log_softmax(self, dim=-1):
        """log softmax along ``dim``: a - log Σ_j e^(a_j), computed after subtracting the max (stable)."""
        shifted = self.data - self.data.max(axis=dim, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))

        def backward(g):  # dL/da = g - softmax(a) Σ_j g_j
            return (g - np.exp(out) * g.sum(axis=dim, keepdims=True),)

        return Tensor.from_op(out, (self,), "log_softmax", backward)

    # ---------------------------------------------------------------- the backward pass
    def _topological_order(self):
        """Every node of the graph that ends here, each after all of its parents (iterative DFS)."""
        order, visited, stack = [], set(), [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
            elif id(node) not in visited:
                visited.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in node._parents if id(p) not in visited)
        return order

    def backward(self, gradient=None, retain_graph=False):
        """Compute dL/d(node) for every node of the graph that ends at this tensor L, adding into ``.grad``.

        Args:
            gradient: dL/d(this tensor), of this tensor's shape. Default: 1, allowed only for one element.
            retain_graph (bool): keep the saved arrays so that ``backward()`` may run through this graph
                again. Default: False (the graph is freed, as in PyTorch).
        """
        if not self.requires_grad:
            raise RuntimeError("backward: this tensor does not require grad and has no graph: "
                               "create its inputs with requires_grad=True")
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be implicitly created only for a tensor with one element (a loss); "
                    f"this one has shape {self.shape}: pass gradient= of that shape"
                )
            gradient = np.ones_like(self.data)
        gradient = np.asarray(gradient.data if isinstance(gradient, Tensor) else gradient, dtype=self.dtype)
        if gradient.shape != self.shape:
            raise ValueError(
                f"backward: gradient must have the shape {self.shape} of the tensor, got {gradient.shape}"
            )

        order = self._topological_order()
        if any(node._parents and node._backward is None for node in order):
            raise RuntimeError(
                "backward: trying to backward through the graph a second time, but its saved arrays were "
                "freed by the first backward(); call the first one with retain_graph=True"
            )
        grads = {id(self): gradient}  # dL/d(node), summed over every path found so far
        for node in reversed(order):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            node.grad = np.array(g if node.grad is None else node.grad + g, dtype=node.dtype)
            if not node._parents:
                continue
            parent_grads = node._backward(g)
            if not isinstance(parent_grads, tuple) or len(parent_grads) != len(node._parents):
                _bad_backward(node, parent_grads)
            for parent, parent_grad in zip(node._parents, parent_grads, strict=True):
                if parent.requires_grad:
                    parent_grad = _unbroadcast(parent_grad, parent.shape)
                    previous = grads.get(id(parent))
                    grads[id(parent)] = parent_grad if previous is None else previous + parent_grad
            if not retain_graph:
                node._backward = None


def _bad_backward(node, parent_grads):
    """Explain an operation whose backward did not return one gradient per parent."""
    is_tuple = isinstance(parent_grads, tuple)
    got = f"{len(parent_grads)} gradient(s)" if is_tuple else type(parent_grads).__name__
    raise ValueError(
        f"backward: the backward of operation {node._op!r} must return a tuple with one gradient per "
        f"parent ({len(node._parents)}), e.g. (g * local_derivative,); got {got}"
    )


def _unbroadcast(grad, shape):
    """Sum ``grad`` over the axes that broadcasting added or stretched, so that it gets ``shape``."""
    grad = np.asarray(grad)
    while grad.ndim > len(shape):  # axes added in front
        grad = grad.sum(axis=0)
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True) if stretched else grad


# -------------------------------------------------------------------- losses and a tiny MLP
def cross_entropy(logits, target):
    """Mean cross-entropy of raw ``logits`` (N, C) against integer classes ``target`` (N,), like
    ``torch.nn.functional.cross_entropy``: L = -(1/N) Σ_n log softmax(z_n)[y_n]."""
    target = np.asarray(target.data if isinstance(target, Tensor) else target)
    if logits.ndim != 2 or target.shape != (logits.shape[0],) or not np.issubdtype(target.dtype, np.integer):
        raise ValueError(
            f"cross_entropy: expected logits of shape (N, C) and integer target of shape (N,), "
            f"got {logits.shape} and {target.dtype} {target.shape}"
        )
    if target.size and (target.min() < 0 or target.max() >= logits.shape[1]):
        raise ValueError(f"cross_entropy: target classes must lie in [0, {logits.shape[1] - 1}]")
    return -logits.log_softmax(dim=1)[np.arange(len(target)), target].mean()


def mse_loss(prediction, target):
    """Mean squared error (1/N) Σ (ŷ - y)², like ``torch.nn.functional.mse_loss``."""
    return ((prediction - target) ** 2).mean()


class Linear:
    """A fully connected layer built from Tensors: Z = A Wᵀ + b, with PyTorch's layout and initialisation
    W, b ~ U(-1/√in, 1/√in). It needs no backward code: the engine derives it from ``@``, ``.T`` and ``+``."""

    def __init__(self, in_features, out_features, *, rng=None, dtype=np.float32):
        generator = as_generator(rng)
        bound = 1 / np.sqrt(in_features)
        self.weight = Tensor(generator.uniform(-bound, bound, (out_features, in_features)), True, dtype=dtype)
        self.bias = Tensor(generator.uniform(-bound, bound, out_features), True, dtype=dtype)

    def __call__(self, x):
        return x @ self.weight.T + self.bias

    def parameters(self):
        return [self.weight, self.bias]


class MLP:
    """A multilayer perceptron: ``Linear`` layers with ``activation`` ("relu", "tanh" or "sigmoid")
    between them and none after the last. ``MLP([64, 128, 10])`` has one hidden layer of 128 units."""

    def __init__(self, sizes, activation="relu", *, rng=None, dtype=np.float32):
        if activation not in ("relu", "tanh", "sigmoid"):
            raise ValueError(f"MLP: activation must be 'relu', 'tanh' or 'sigmoid', got {activation!r}")
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes must list at least the input and output sizes, got {sizes!r}")
        generator = as_generator(rng)
        self.activation = activation
        pairs = zip(sizes[:-1], sizes[1:], strict=True)
        self.layers = [Linear(n_in, n_out, rng=generator, dtype=dtype) for n_in, n_out in pairs]

    def __call__(self, x):
        x = x if isinstance(x, Tensor) else Tensor(x, dtype=self.layers[0].weight.dtype)
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = getattr(x, self.activation)()
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.zero_grad()
