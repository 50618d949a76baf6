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
    (array(-0.00268173, dtype=float32), array(0.00268173, dtype=float32))

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
* Data is always real floating point: lists and Python numbers become float32 (PyTorch's default); a NumPy
  float array keeps its dtype, so float64 arrays give float64 tensors (use them for gradient checks).
  ``None``, strings and complex numbers are refused with a ``ValueError``, as operands too.
* Reductions take PyTorch's ``dim`` and ``keepdim``.
* Floating-point overflow: ``Tensor(1e4).exp()`` is ``inf``, as in PyTorch, but where PyTorch is silent
  NumPy also warns ("overflow encountered in exp"). We keep NumPy's warning on purpose: an infinity in a
  forward pass is almost always a bug, and the cure is a stable formulation (:meth:`Tensor.log_sigmoid`,
  :meth:`Tensor.log_softmax`, ``binary_cross_entropy_with_logits``), never a silenced warning. The same
  holds for ``log(0)`` and ``0 ** -1``. (``np.errstate(over="ignore")`` silences it where inf is intended.)

Adding an operation (the engine's extension point, :meth:`Tensor.from_op`) follows the pattern of the
built-in ones: compute the output with NumPy, define ``backward(g)`` that returns one gradient per input (a
tuple; broadcasting is undone by the engine), and return ``Tensor.from_op(output, inputs, name, backward)``::

    def cube(x):
        def backward(g):  # d(x³)/dx = 3x²
            return (g * 3 * x.data**2,)

        return Tensor.from_op(x.data**3, (x,), "cube", backward)
"""

import math

import numpy as np

from nncourse import functional as F
from nncourse._checks import describe


def _real_array(value, dtype, where, what):
    """``value`` as a new real floating-point array: float arrays keep their dtype unless ``dtype`` is given,
    anything else numeric becomes ``dtype`` (float32 when None); None, text and complex numbers are refused."""
    if isinstance(value, Tensor):
        value = value.data
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as exc:  # e.g. a ragged list
        raise ValueError(f"{where}: {what} must be numeric array-like, got {describe(value)} ({exc})") from None
    if array.dtype.kind not in "biuf":  # bool, int, uint, float; not complex, None (object) or text
        kind = "complex" if array.dtype.kind == "c" else "not numeric"
        raise ValueError(f"{where}: {what} must be real numbers, got {describe(value)} ({kind}, dtype {array.dtype})")
    if dtype is None:
        keeps_dtype = isinstance(value, (np.ndarray, np.generic)) and array.dtype.kind == "f"
        dtype = array.dtype if keeps_dtype else np.float32
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"{where}: dtype must be a NumPy floating dtype such as np.float32, got {dtype!r}") from None
    if dtype.kind != "f":
        raise ValueError(f"{where}: dtype must be a floating-point dtype such as np.float32, got {dtype}")
    return np.array(array, dtype=dtype)


class Tensor:
    """An array that remembers how it was computed, so that ``backward()`` can compute gradients.

    Args:
        data: array-like of real numbers (copied).
        requires_grad (bool): whether ``backward()`` should compute ``.grad`` for this tensor. Default: False.
        dtype: NumPy floating dtype. Default: the dtype of a float array, else float32.
        label (str): a name shown by :func:`nncourse.plot.draw_graph` (not in PyTorch). Default: "".

    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    array([2., 4., 6.], dtype=float32)
    """

    # Makes NumPy defer to Tensor's reflected operators: ``array * tensor`` calls ``tensor.__rmul__``.
    __array_ufunc__ = None

    def __init__(self, data, requires_grad=False, *, dtype=None, label=""):
        self.data = _real_array(data, dtype, "Tensor", "data")
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
                gradient per parent, dL/d(parent) = g times the local derivative, of the parent's shape (or of
                the output's shape, if the parent was broadcast to it: the engine then sums over those axes).

        The parents and ``backward`` are recorded only if some parent requires a gradient; otherwise the
        result is a constant and nothing is kept alive. ``backward()`` checks every gradient that
        ``backward`` returns against its parent's shape and names the operation when one does not fit.

        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> y = Tensor.from_op(x.data**3, (x,), "cube", lambda g: (g * 3 * x.data**2,))
        >>> y
        Tensor([1., 8.], grad_fn=<cube>)
        >>> y.sum().backward()
        >>> x.grad
        array([ 3., 12.], dtype=float32)
        """
        parents = tuple(parents) if isinstance(parents, list) else parents
        if not isinstance(parents, tuple) or not all(isinstance(p, Tensor) for p in parents):
            kind = type(parents).__name__
            raise ValueError(f"Tensor.from_op: parents must be a tuple of Tensors such as (x,), got {kind}")
        data = np.asarray(data)
        if data.dtype.kind != "f":
            raise ValueError(f"Tensor.from_op({op!r}): data must be a floating-point array, got dtype {data.dtype}")
        requires_grad = any(p.requires_grad for p in parents)
        if requires_grad and not callable(backward):
            raise ValueError(f"Tensor.from_op: backward must be a function of g, got {type(backward).__name__}")
        out = cls.__new__(cls)
        out.data = data
        out.requires_grad = requires_grad
        out.grad = None
        out.label = ""
        out._parents = parents if requires_grad else ()
        out._op = op if requires_grad else ""
        out._backward = backward if requires_grad else None
        return out

    # ---------------------------------------------------------------- helpers and properties
    def _constant(self, other, op):
        """``other`` as a Tensor: a number, or an array that is not floating point, takes this tensor's dtype."""
        if isinstance(other, Tensor):
            return other
        keeps_dtype = isinstance(other, np.ndarray) and other.dtype.kind == "f"
        data = _real_array(other, None if keeps_dtype else self.dtype, f"Tensor {op}", "the other operand")
        return Tensor.from_op(data, (), "", None)

    def _operand(self, other, op):
        """``other`` as a Tensor, after checking that its shape broadcasts with this tensor's."""
        other = self._constant(other, op)
        try:
            np.broadcast_shapes(self.shape, other.shape)
        except ValueError:
            raise ValueError(f"Tensor {op}: shapes {self.shape} and {other.shape} do not broadcast") from None
        return other

    def _axes(self, dim, where):
        """``dim`` (None for all, an int or a tuple of ints) as a tuple of axes in range(ndim), or an error."""
        if dim is None:
            return tuple(range(self.ndim))
        dims = dim if isinstance(dim, tuple) else (dim,)
        n = max(self.ndim, 1)  # a 0-d tensor accepts dim 0 and -1, as in PyTorch
        for d in dims:
            if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
                raise ValueError(f"Tensor.{where}: dim must be an int or a tuple of ints, got {dim!r}")
            if not -n <= d < n:
                raise ValueError(
                    f"Tensor.{where}: dim {d} is out of range for a tensor of {self.ndim} dimension(s) "
                    f"(expected {-n} <= dim < {n})"
                )
        axes = tuple(int(d) % n for d in dims)
        if not axes or len(set(axes)) != len(axes):
            raise ValueError(f"Tensor.{where}: dim must name at least one dimension, each once, got {dim!r}")
        return axes if self.ndim else ()

    @property
    def shape(self):
        """The shape of the data, e.g. ``(2, 3)``.

        >>> Tensor([[1.0, 2.0, 3.0]]).shape
        (1, 3)
        """
        return self.data.shape

    @property
    def ndim(self):
        """The number of dimensions.

        >>> Tensor([[1.0, 2.0]]).ndim
        2
        """
        return self.data.ndim

    @property
    def dtype(self):
        """The NumPy dtype of the data.

        >>> Tensor([1.0]).dtype
        dtype('float32')
        """
        return self.data.dtype

    @property
    def is_leaf(self):
        """True for tensors created by the user (not the output of a recorded operation).

        >>> x = Tensor(1.0, requires_grad=True)
        >>> x.is_leaf, (x * 2).is_leaf
        (True, False)
        """
        return not self._parents

    def item(self):
        """The value of a one-element tensor as a Python float.

        >>> Tensor([2.5]).item()
        2.5
        """
        if self.data.size != 1:
            raise RuntimeError(f"Tensor.item: only a tensor with one element has an item, got shape {self.shape}")
        return self.data.item()

    def numpy(self):
        """The underlying NumPy array (shared, not copied).

        >>> Tensor([1.0, 2.0]).numpy()
        array([1., 2.], dtype=float32)
        """
        return self.data

    def detach(self):
        """A new leaf tensor with the same data (shared) that does not require a gradient.

        >>> (Tensor(1.0, requires_grad=True) * 2).detach()
        Tensor(2.)
        """
        return Tensor.from_op(self.data, (), "", None)

    def zero_grad(self):
        """Fill ``.grad`` with zeros (PyTorch's optimizers set it to None; zeros keep updates simple).

        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> x.zero_grad()
        >>> x.grad
        array([0., 0.], dtype=float32)
        """
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
        real = isinstance(exponent, (int, float, np.integer, np.floating)) and not isinstance(exponent, bool)
        if not real:
            raise ValueError(f"Tensor **: the exponent must be a real Python number, got {describe(exponent)}")
        exponent = exponent.item() if isinstance(exponent, np.generic) else exponent  # keeps float32 float32

        def backward(g):  # d(a^p)/da = p a^(p-1); for p = 0 it is 0 everywhere (a^0 = 1), also at a = 0
            if exponent == 0:
                return (np.zeros_like(g),)
            return (g * exponent * self.data ** (exponent - 1),)

        return Tensor.from_op(self.data**exponent, (self,), f"**{exponent:g}", backward)

    def __neg__(self):
        def backward(g):
            return (-g,)

        return Tensor.from_op(-self.data, (self,), "neg", backward)

    def __radd__(self, other):
        return self._operand(other, "+") + self

    def __rsub__(self, other):
        return self._operand(other, "-") - self

    def __rmul__(self, other):
        return self._operand(other, "*") * self

    def __rtruediv__(self, other):
        return self._operand(other, "/") / self

    def __matmul__(self, other):
        other = self._constant(other, "@")
        if self.ndim not in (1, 2) or other.ndim not in (1, 2):
            raise ValueError(f"Tensor @: supports 1-D and 2-D operands, got shapes {self.shape} and {other.shape}")
        if self.shape[-1] != other.shape[0]:
            raise ValueError(f"Tensor @: inner dimensions must agree, got shapes {self.shape} @ {other.shape}")
        a, b = self.data, other.data

        def backward(g):  # C = A B: dL/dA = G Bᵀ, dL/dB = Aᵀ G (1-D operands viewed as a row / a column)
            a2 = a.reshape(1, -1) if a.ndim == 1 else a
            b2 = b.reshape(-1, 1) if b.ndim == 1 else b
            g2 = np.reshape(g, (a2.shape[0], b2.shape[1]))
            return (g2 @ b2.T).reshape(a.shape), (a2.T @ g2).reshape(b.shape)

        return Tensor.from_op(a @ b, (self, other), "@", backward)

    def __rmatmul__(self, other):
        return self._constant(other, "@") @ self

    def maximum(self, other):
        """The element-wise maximum of two tensors (``torch.maximum``), broadcasting like ``+``.

        The gradient goes to the larger input only (the "max gate routes"); where the two are equal it is
        split evenly between them, as in PyTorch.

        >>> a, b = Tensor([1.0, 5.0, 2.0], requires_grad=True), Tensor([3.0, 4.0, 2.0], requires_grad=True)
        >>> a.maximum(b).sum().backward()
        >>> a.grad, b.grad
        (array([0. , 1. , 0.5], dtype=float32), array([1. , 0. , 0.5], dtype=float32))
        """
        other = self._operand(other, "maximum")
        share = np.where(self.data > other.data, 1.0, np.where(self.data == other.data, 0.5, 0.0))

        def backward(g):  # 1 to the larger input, 0 to the smaller, 1/2 each at a tie
            return g * share.astype(g.dtype), g * (1 - share).astype(g.dtype)

        return Tensor.from_op(np.maximum(self.data, other.data), (self, other), "maximum", backward)

    # ---------------------------------------------------------------- element-wise functions
    def exp(self):
        """e^a, element-wise (overflows to inf beyond about 88 in float32, 709 in float64, with NumPy's warning).

        >>> Tensor([0.0, 1.0]).exp()
        Tensor([1.    , 2.7183])
        """
        out = np.exp(self.data)

        def backward(g):  # d(e^a)/da = e^a
            return (g * out,)

        return Tensor.from_op(out, (self,), "exp", backward)

    def log(self):
        """The natural logarithm, element-wise.

        >>> Tensor([1.0, np.e]).log()
        Tensor([0., 1.])
        """

        def backward(g):  # d(ln a)/da = 1 / a
            return (g / self.data,)

        return Tensor.from_op(np.log(self.data), (self,), "log", backward)

    def tanh(self):
        """The hyperbolic tangent, element-wise.

        >>> Tensor([0.0, 100.0]).tanh()
        Tensor([0., 1.])
        """
        out = np.tanh(self.data)

        def backward(g):  # tanh' = 1 - tanh²
            return (g * (1 - out**2),)

        return Tensor.from_op(out, (self,), "tanh", backward)

    def sigmoid(self):
        """σ(a) = 1 / (1 + e^-a), element-wise, without overflow for any a.

        >>> Tensor([-1e4, 0.0, 1e4]).sigmoid()
        Tensor([0. , 0.5, 1. ])
        """
        out = _sigmoid(self.data)

        def backward(g):  # σ' = σ (1 - σ)
            return (g * out * (1 - out),)

        return Tensor.from_op(out, (self,), "sigmoid", backward)

    def log_sigmoid(self):
        """log σ(a) = -log(1 + e^-a), element-wise, finite for every finite a (``torch.nn.functional.logsigmoid``).

        Written min(a, 0) - log(1 + e^-|a|), so that nothing overflows: log σ(-800) is -800, where
        ``a.sigmoid().log()`` would give log 0 = -inf.

        >>> Tensor([-800.0, 0.0, 800.0]).log_sigmoid()
        Tensor([-8.0000e+02, -6.9315e-01,  0.0000e+00])
        """
        out = np.minimum(self.data, 0) - np.log1p(np.exp(-np.abs(self.data)))

        def backward(g):  # d log σ(a)/da = 1 - σ(a) = σ(-a)
            return (g * _sigmoid(-self.data),)

        return Tensor.from_op(out, (self,), "log_sigmoid", backward)

    def relu(self):
        """max(a, 0), element-wise.

        >>> Tensor([-1.0, 0.0, 2.0]).relu()
        Tensor([0., 0., 2.])
        """

        def backward(g):  # relu'(a) = 1 where a > 0, else 0 (0 at a = 0, as in PyTorch)
            return (g * (self.data > 0),)

        return Tensor.from_op(np.maximum(self.data, 0), (self,), "relu", backward)

    def leaky_relu(self, negative_slope=0.01):
        """a where a > 0, else ``negative_slope`` · a (PyTorch's default slope 0.01).

        >>> Tensor([-2.0, 3.0]).leaky_relu(0.1)
        Tensor([-0.2,  3. ])
        """
        if isinstance(negative_slope, bool) or not isinstance(negative_slope, (int, float, np.integer, np.floating)):
            raise ValueError(f"Tensor.leaky_relu: negative_slope must be a real number, got {describe(negative_slope)}")
        slope = np.where(self.data > 0, 1, negative_slope).astype(self.dtype)

        def backward(g):  # 1 where a > 0, else negative_slope (also at a = 0, as in PyTorch)
            return (g * slope,)

        return Tensor.from_op(self.data * slope, (self,), "leaky_relu", backward)

    def silu(self):
        """silu(a) = a σ(a) (also called Swish), element-wise.

        >>> Tensor([0.0, 1.0]).silu()
        Tensor([0.    , 0.7311])
        """
        s = _sigmoid(self.data)

        def backward(g):  # silu' = σ + a σ (1 - σ)
            return (g * (s + self.data * s * (1 - s)),)

        return Tensor.from_op(self.data * s, (self,), "silu", backward)

    def gelu(self, approximate="none"):
        """gelu(a) = a Φ(a), Φ the standard normal CDF, element-wise (or its ``approximate="tanh"`` form).

        NumPy has no erf, so the values and the derivative Φ(a) + a φ(a) come from
        :func:`nncourse.functional.gelu` and :func:`nncourse.functional.gelu_grad` (which, unlike PyTorch,
        refuse NaN and infinity).

        >>> Tensor([0.0, 1.0]).gelu()
        Tensor([0.    , 0.8413])
        """

        def backward(g):  # gelu' = Φ + a φ
            return (g * F.gelu_grad(self.data, approximate),)

        return Tensor.from_op(F.gelu(self.data, approximate), (self,), "gelu", backward)

    def elu(self, alpha=1.0):
        """a where a > 0, else α (e^a - 1), element-wise (PyTorch's default α = 1).

        >>> Tensor([-1e4, 0.0, 2.0]).elu()
        Tensor([-1.,  0.,  2.])
        """

        def backward(g):  # elu' = 1 where a > 0, else α e^a
            return (g * F.elu_grad(self.data, alpha),)

        return Tensor.from_op(F.elu(self.data, alpha), (self,), "elu", backward)

    # ---------------------------------------------------------------- reductions and shapes
    def sum(self, dim=None, keepdim=False):
        """Sum over ``dim`` (None: all; an int or a tuple of ints), like ``torch.sum(dim=..., keepdim=...)``.

        >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> x.sum(), x.sum(dim=0), x.sum(dim=1, keepdim=True).shape
        (Tensor(10.), Tensor([4., 6.]), (2, 1))
        """
        axes = self._axes(dim, "sum")

        def backward(g):  # every summed entry receives the output's gradient
            return (np.broadcast_to(g if keepdim else np.expand_dims(g, axes), self.shape),)

        return Tensor.from_op(self.data.sum(axis=axes, keepdims=keepdim), (self,), "sum", backward)

    def mean(self, dim=None, keepdim=False):
        """Mean over ``dim`` (None: all): the sum divided by the number of entries averaged.

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).mean(dim=1)
        Tensor([1.5, 3.5])
        """
        axes = self._axes(dim, "mean")
        count = math.prod(self.shape[a] for a in axes)

        def backward(g):  # every averaged entry receives 1/count of the output's gradient
            return (np.broadcast_to((g if keepdim else np.expand_dims(g, axes)) / count, self.shape),)

        return Tensor.from_op(self.data.mean(axis=axes, keepdims=keepdim), (self,), "mean", backward)

    def reshape(self, *shape):
        """A tensor with the same entries in a new shape (``-1`` allowed, as in NumPy and PyTorch).

        >>> Tensor([1.0, 2.0, 3.0, 4.0]).reshape(2, -1).shape
        (2, 2)
        """
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        try:
            out = self.data.reshape(shape)
        except (TypeError, ValueError):
            raise ValueError(f"Tensor.reshape: cannot reshape {self.shape} into {tuple(shape)}") from None

        def backward(g):
            return (np.reshape(g, self.shape),)

        return Tensor.from_op(out, (self,), "reshape", backward)

    def _permute(self, dims, op):
        """The permutation of the axes that ``permute``, ``transpose`` and ``T`` share, recorded as ``op``."""
        inverse = np.argsort(dims)

        def backward(g):  # the gradient goes back through the inverse permutation
            return (np.transpose(g, inverse),)

        return Tensor.from_op(np.transpose(self.data, dims), (self,), op, backward)

    def permute(self, *dims):
        """Reorder the axes: output axis i is input axis ``dims[i]`` (``torch.permute``).

        >>> Tensor(np.zeros((2, 3, 4))).permute(2, 0, 1).shape
        (4, 2, 3)
        """
        dims = dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        axes = self._axes(tuple(dims), "permute") if dims else ()
        if len(axes) != self.ndim:
            raise ValueError(
                f"Tensor.permute: dims must list each of the {self.ndim} dimensions once, got {tuple(dims)}"
            )
        return self._permute(axes, "permute")

    def transpose(self, dim0, dim1):
        """Swap two axes (``torch.transpose``).

        >>> Tensor(np.zeros((2, 3))).transpose(0, 1).shape
        (3, 2)
        """
        (a,), (b,) = self._axes(dim0, "transpose"), self._axes(dim1, "transpose")
        dims = list(range(self.ndim))
        dims[a], dims[b] = dims[b], dims[a]
        return self._permute(dims, "transpose")

    @property
    def T(self):
        """All axes reversed (for a matrix, its transpose), recorded as ``permute`` as in PyTorch.

        >>> Tensor([[1.0, 2.0, 3.0]]).T.shape
        (3, 1)
        """
        return self._permute(tuple(reversed(range(self.ndim))), "permute")

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
        """log softmax along ``dim``: a - log Σ_j e^(a_j), computed after subtracting the max (stable).

        >>> Tensor([[1e4, 0.0]]).log_softmax(dim=1)
        Tensor([[     0., -10000.]])
        """
        if self.ndim == 0 or dim is None or isinstance(dim, tuple):
            raise ValueError(f"Tensor.log_softmax: needs one int dim of a tensor with dimensions, got dim={dim!r} "
                             f"for shape {self.shape}")
        (axis,) = self._axes(dim, "log_softmax")
        shifted = self.data - self.data.max(axis=axis, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

        def backward(g):  # dL/da = g - softmax(a) Σ_j g_j
            return (g - np.exp(out) * g.sum(axis=axis, keepdims=True),)

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

        >>> w = Tensor([1.0, -2.0], requires_grad=True)
        >>> (w * w).backward(gradient=np.array([1.0, 0.5], dtype=np.float32))
        >>> w.grad
        array([ 2., -2.], dtype=float32)
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
        gradient = _real_array(gradient, self.dtype, "backward", "gradient")
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
            for i, (parent, parent_grad) in enumerate(zip(node._parents, parent_grads, strict=True)):
                if parent.requires_grad:
                    parent_grad = _unbroadcast(parent_grad, parent.shape, node, i)
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


def _unbroadcast(grad, shape, node, index):
    """dL/d(parent) for the parent ``index`` of ``node``, of the parent's ``shape``: ``grad`` as the operation's
    backward returned it, either of that shape already or of the output's shape, to which the parent was
    broadcast; then it is summed over the axes that broadcasting added (in front) or stretched (from 1)."""
    array = np.asarray(grad)
    numeric = array.dtype.kind in "biuf"
    if numeric and array.shape == shape:
        return array
    if not (numeric and array.shape == node.shape and _broadcasts_to(shape, node.shape)):
        given = f"shape {array.shape}" if numeric else describe(grad)
        raise ValueError(
            f"backward: the backward of operation {node._op!r} returned a gradient of {given} for its parent "
            f"{index}, expected the parent's shape {shape} (or the output's shape {node.shape}, if the parent "
            f"was broadcast to it)"
        )
    added = array.ndim - len(shape)
    stretched = tuple(added + i for i, n in enumerate(shape) if n == 1 and array.shape[added + i] != 1)
    return array.sum(axis=tuple(range(added)) + stretched).reshape(shape)


def _broadcasts_to(shape, target):
    """True when an array of ``shape`` broadcasts to ``target`` unchanged (NumPy's rules)."""
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def _sigmoid(a):
    """σ(a) = 1 / (1 + e^-a), computed through e^-|a| ≤ 1 so that it never overflows."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))
