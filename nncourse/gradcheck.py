"""Numerical gradient checking: is a hand-written backward pass right?

The central difference of a scalar function f,

    ∂f/∂x_i ≈ (f(x + ε e_i) − f(x − ε e_i)) / (2ε),

has a truncation error of order ε² and a rounding error of about ε_mach |f| / ε. In float64 (ε_mach ≈ 1e-16)
with ε = 1e-6 both are around 1e-10, so a correct backward pass agrees with it to about nine significant
digits, and a wrong one stands out by orders of magnitude. In float32 (ε_mach ≈ 1e-7) the rounding error
alone is about 0.1: the check is meaningless, so every function here refuses float32 with a ValueError.

The cost is two evaluations of f per entry: 2P forward passes for P numbers, against one forward and one
backward pass for backpropagation. That is why it is a test, never a training method.

Agreement is measured by the relative error used in cs231n's notes, entry by entry,

    rel(a, n) = |a − n| / max(|a|, |n|, tiny),     tiny = 1e-8,

and summarised by its maximum over each array, with a verdict (for float64 and the default ε = 1e-6):

* ``"exact"``: max rel < 1e-7. Agreement to seven or more digits: the backward pass is right.
* ``"close"``: 1e-7 ≤ max rel < 1e-4. Acceptable: typical when an input sits within ε of a kink (ReLU at 0)
  or when some gradient entries are much smaller than the loss, since the rounding noise of the numerical
  gradient is about 1e-10·|L| whatever the entry (so rel ≈ 1e-10·|L| / |∂L/∂x_i|).
* ``"wrong"``: max rel ≥ 1e-4. A bug (cs231n: above 1e-2 "probably wrong"; a correct float64 check never
  comes near 1e-4 on smooth functions).

A report's ``ok`` is True when no array is ``"wrong"``.

    >>> from nncourse.gradcheck import gradcheck
    >>> layer = nncourse.nn.Linear(3, 2, dtype=np.float64)
    >>> gradcheck(layer, np.random.default_rng(0).normal(size=(4, 3)))   # input, weight and bias
"""

import inspect

import numpy as np

from nncourse._rng import as_generator

TINY = 1e-8
EXACT_BELOW = 1e-7
CLOSE_BELOW = 1e-4


# ------------------------------------------------------------------------ relative error and verdicts
def relative_error(a, b, tiny=TINY):
    """Entry-wise |a − b| / max(|a|, |b|, tiny) (cs231n's relative error), as an array."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: a and b must have the same shape, got {a.shape} and {b.shape}")
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), tiny)


def verdict(max_relative_error):
    """``"exact"`` below 1e-7, ``"close"`` below 1e-4, else ``"wrong"`` (see the module docstring)."""
    if not np.isfinite(max_relative_error) or max_relative_error >= CLOSE_BELOW:
        return "wrong"
    return "exact" if max_relative_error < EXACT_BELOW else "close"


class GradcheckReport:
    """The comparison of analytic and numerical gradients, one row per array.

    ``rows`` is a list of dicts with keys ``name, shape, max_rel_error, max_abs_error, verdict``;
    ``report["weight"]`` returns a row by name; ``ok`` (also the truth value) is True when no row is
    ``"wrong"``; ``max_rel_error`` is the worst over all rows. Shown as a table in notebooks.
    """

    def __init__(self, rows, title="gradcheck"):
        self.rows = rows
        self.title = title

    @property
    def ok(self):
        return all(row["verdict"] != "wrong" for row in self.rows)

    @property
    def max_rel_error(self):
        return max((row["max_rel_error"] for row in self.rows), default=0.0)

    def __bool__(self):
        return self.ok

    def __getitem__(self, name):
        for row in self.rows:
            if row["name"] == name:
                return row
        names = [row["name"] for row in self.rows]
        raise KeyError(f"GradcheckReport: no array named {name!r}; the names are {names}")

    def summary(self):
        status = "OK" if self.ok else "FAILED"
        return f"{self.title}: {status} ({len(self.rows)} arrays, max rel error {self.max_rel_error:.1e})"

    def __repr__(self):
        cells = [_HEADER] + [_cells(row) for row in self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(_HEADER))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
        return "\n".join([self.summary(), *lines])

    def _repr_html_(self):
        colors = {"exact": "#009E73", "close": "#E69F00", "wrong": "#D55E00"}
        body = ""
        for row in self.rows:
            *numbers, word = _cells(row)
            body += "<tr>" + "".join(f"<td>{cell}</td>" for cell in numbers)
            body += f"<td style='color:{colors[word]};font-weight:bold'>{word}</td></tr>"
        head = "".join(f"<th>{h}</th>" for h in _HEADER)
        return f"<p><b>{self.summary()}</b></p><table><tr>{head}</tr>{body}</table>"


_HEADER = ("array", "shape", "max rel error", "max abs error", "verdict")


def _cells(row):
    """One report row as the strings of a table line."""
    return (row["name"], str(row["shape"]), f"{row['max_rel_error']:.1e}", f"{row['max_abs_error']:.1e}",
            row["verdict"])


def compare_gradients(analytic, numerical, names=None, *, title="gradcheck"):
    """Compare two sets of gradients (e.g. backprop against numerical, or ours against PyTorch's).

    ``analytic`` and ``numerical`` are each an array, a sequence of arrays, or a dict name → array (then the
    names come from the dict). Returns a :class:`GradcheckReport`.
    """
    if isinstance(analytic, dict):
        names = list(analytic)
        analytic = [analytic[n] for n in names]
        numerical = [numerical[n] for n in names] if isinstance(numerical, dict) else numerical
    if isinstance(analytic, np.ndarray) or np.isscalar(analytic):
        analytic, numerical = [analytic], [numerical]
    analytic, numerical = list(analytic), list(numerical)
    names = [f"array {i}" for i in range(len(analytic))] if names is None else list(names)
    if not len(analytic) == len(numerical) == len(names):
        raise ValueError(
            f"compare_gradients: got {len(analytic)} analytic and {len(numerical)} numerical gradients "
            f"for {len(names)} names"
        )
    rows = []
    for name, a, n in zip(names, analytic, numerical, strict=True):
        a, n = np.asarray(a, dtype=np.float64), np.asarray(n, dtype=np.float64)
        if a.shape != n.shape:
            raise ValueError(f"compare_gradients: {name}: shapes differ, got {a.shape} and {n.shape}")
        rel = relative_error(a, n)
        max_rel = float(rel.max()) if rel.size else 0.0
        max_abs = float(np.abs(a - n).max()) if a.size else 0.0
        rows.append(
            {"name": name, "shape": a.shape, "max_rel_error": max_rel, "max_abs_error": max_abs,
             "verdict": verdict(max_rel)}
        )
    return GradcheckReport(rows, title=title)


# ------------------------------------------------------------------------ numerical gradients
def _float64(x, name, where):
    """``x`` as a float64 array; a float32 (or lower) array is refused with the reason."""
    if isinstance(x, np.ndarray) and np.issubdtype(x.dtype, np.floating):
        if x.dtype != np.float64:
            raise ValueError(
                f"{where}: {name} has dtype {x.dtype}; numerical gradients need float64 (with float32 the "
                f"rounding error of the difference quotient is about 0.1). Use dtype=np.float64 "
                f"(layers: Linear(..., dtype=np.float64))"
            )
        return x
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError):
        arr = np.asarray(None)
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise ValueError(f"{where}: {name} must be a numeric array, got {type(x).__name__}")
    return arr.astype(np.float64)


def _scalar_objective(value, grad_output, where):
    """f's value as a float: itself if it has one element, else Σ value ⊙ grad_output."""
    if hasattr(value, "_backward"):  # an autograd Tensor
        value = value.data
    value = np.asarray(value)
    if np.issubdtype(value.dtype, np.floating) and value.dtype != np.float64:
        raise ValueError(f"{where}: f returned dtype {value.dtype}; it must compute in float64")
    if grad_output is None:
        if value.size != 1:
            raise ValueError(
                f"{where}: f must return a scalar, got shape {value.shape}; pass grad_output= of that "
                f"shape to check the scalar Σ f(x) ⊙ grad_output"
            )
        return float(value.reshape(()))
    if value.shape != grad_output.shape:
        raise ValueError(
            f"{where}: f returned shape {value.shape} but grad_output has shape {grad_output.shape}"
        )
    return float(np.sum(value * grad_output))


def numerical_gradient(f, *arrays, eps=1e-6, grad_output=None):
    """Central-difference gradient of ``f(*arrays)`` with respect to every entry of every array.

    Each entry is nudged by ±eps **in place** and restored exactly, so ``f`` may also read the arrays
    through a closure (pass ``*[p.data for p in model.parameters()]`` with ``f`` ignoring its arguments).

    Args:
        f: a function of the arrays returning a scalar (or an array, with ``grad_output``).
        *arrays: float64 arrays (lists and integer arrays are converted to float64 copies).
        eps (float): the step ε. Default: 1e-6.
        grad_output: if given, the gradient of the scalar Σ f(arrays) ⊙ grad_output is computed, i.e. the
            vector-Jacobian product a backward pass computes from ``grad_output``.

    Returns:
        One array of gradients per input array (the array itself when there is only one).
    """
    where = "numerical_gradient"
    if not callable(f):
        raise ValueError(f"{where}: f must be a function, got {type(f).__name__}")
    if not arrays:
        raise ValueError(f"{where}: give at least one array to differentiate with respect to")
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 < eps < 1:
        raise ValueError(f"{where}: eps must be a number in (0, 1), got {eps!r}")
    arrays = [_float64(x, f"array {i}", where) for i, x in enumerate(arrays)]
    if grad_output is not None:
        grad_output = _float64(grad_output, "grad_output", where)

    def objective():
        return _scalar_objective(f(*arrays), grad_output, where)

    grads = []
    for x in arrays:
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            original = x[i]
            x[i] = original + eps
            plus = objective()
            x[i] = original - eps
            minus = objective()
            x[i] = original
            grad[i] = (plus - minus) / (2 * eps)
        grads.append(grad)
    return grads[0] if len(grads) == 1 else tuple(grads)


# ------------------------------------------------------------------------ gradcheck
def _argument_names(fn, count):
    try:
        params = [p.name for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"input {i}" for i in range(count)]


def _takes_no_argument(method):
    """True for a loss's ``backward()`` (no argument), False for a layer's ``backward(grad_output)``."""
    required = [p for p in inspect.signature(method).parameters.values()
                if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return not required


def _check_module(module, inputs, grad_output, eps, rng):
    """Layers: L = Σ module(x) ⊙ grad_output. Losses (``backward()`` without argument): L = module(x, y)."""
    where = f"gradcheck({type(module).__name__})"
    x, extra = _float64(inputs[0], "the input", where), inputs[1:]
    named = list(module.named_parameters())
    for name, p in named:
        _float64(p.data, f"parameter {name}", where)

    # Analytic gradients first: the numerical evaluations below overwrite the module's forward cache.
    module.zero_grad()
    out = np.asarray(module(x, *extra))
    if _takes_no_argument(module.backward):
        g, grad_input = None, module.backward()
    else:
        g = _default_grad_output(out, grad_output, rng, where, scalar_is_loss=False)
        grad_input = module.backward(g)
    analytic = {} if grad_input is None else {"input": np.asarray(grad_input)}
    analytic.update((name, np.array(p.grad)) for name, p in named)
    if not analytic:
        raise ValueError(f"{where}: nothing to check: backward returned None and there are no parameters")

    numerical = {}
    if grad_input is not None:
        numerical["input"] = numerical_gradient(lambda x_: module(x_, *extra), x, eps=eps, grad_output=g)
    for name, p in named:  # f reads the parameter through the module: numerical_gradient nudges p.data
        numerical[name] = numerical_gradient(lambda _: module(x, *extra), p.data, eps=eps, grad_output=g)
    return compare_gradients(analytic, numerical, title=where)


def _as_tuple(grads):
    return tuple(grads) if isinstance(grads, (tuple, list)) else (grads,)


def gradcheck(fn, *inputs, backward=None, grad_output=None, eps=1e-6, rng=0):
    """Compare an analytic gradient with the numerical one and return a :class:`GradcheckReport`.

    Three kinds of ``fn``:

    * an ``nncourse.nn`` **module** (``forward``/``backward``): checks the input gradient returned by
      ``backward`` and every parameter's ``.grad``, for the scalar L = Σ module(x) ⊙ grad_output (random
      normal ``grad_output`` by default). A **loss** module, whose ``backward()`` takes no argument, is
      checked as ``gradcheck(criterion, prediction, target)`` for L = criterion(prediction, target). The
      module's gradients are zeroed first and hold the analytic gradients afterwards.
    * a **function with** ``backward=``: ``fn(*inputs)`` computes the output and
      ``backward(grad_output, *inputs)`` returns dL/d(input) for each input (a single array for one input;
      ``None`` for an input not to check, e.g. integer labels).
    * a function of :class:`nncourse.autograd.Tensor` (no ``backward``): the autograd engine gives the
      analytic gradient of every input.

    Args:
        fn: the module or function.
        *inputs: its inputs; float arrays must be float64.
        backward: the hand-written backward of ``fn`` (functions only).
        grad_output: dL/d(output), used when the output is not a scalar. Default: random normal, drawn from
            ``rng``, so that every output entry is weighted differently.
        eps (float): the central-difference step. Default: 1e-6.
        rng: seed or Generator for the default ``grad_output``. Default: 0.
    """
    if not inputs:
        raise ValueError("gradcheck: give at least one input")
    if hasattr(fn, "backward") and hasattr(fn, "named_parameters"):
        if backward is not None:
            raise ValueError("gradcheck: a module brings its own backward; do not pass backward=")
        return _check_module(fn, inputs, grad_output, eps, rng)
    if not callable(fn):
        raise ValueError(f"gradcheck: fn must be a module or a function, got {type(fn).__name__}")
    if backward is not None and not callable(backward):
        raise ValueError(f"gradcheck: backward must be a function, got {type(backward).__name__}")
    name = getattr(fn, "__name__", type(fn).__name__)
    where = f"gradcheck({name})"
    names = _argument_names(fn, len(inputs))
    checked = [isinstance(x, float) or np.issubdtype(np.asarray(x).dtype, np.floating) for x in inputs]
    inputs = [_float64(x, names[i], where) if checked[i] else x for i, x in enumerate(inputs)]

    if backward is None:
        analytic, grad_output = _autograd_gradients(fn, inputs, checked, grad_output, rng, where)
        call = _with_tensors(fn, checked)
    else:
        call = fn
        out = np.asarray(fn(*inputs))
        g = _default_grad_output(out, grad_output, rng, where)
        analytic = _as_tuple(backward(g if g is not None else np.ones_like(out), *inputs))
        if len(inputs) == 1 and len(analytic) != 1:
            analytic = (np.asarray(analytic),)
        if len(analytic) != len(inputs):
            raise ValueError(f"{where}: backward returned {len(analytic)} gradients for {len(inputs)} inputs")
        grad_output = g

    report_names, ours, theirs = [], [], []
    for i, (x, grad) in enumerate(zip(inputs, analytic, strict=True)):
        if not checked[i] or grad is None:
            continue

        def f_i(x_i, i=i):
            return call(*inputs[:i], x_i, *inputs[i + 1:])

        grad = np.asarray(grad)
        if grad.shape != x.shape:
            raise ValueError(f"{where}: the gradient of {names[i]} has shape {grad.shape}, not {x.shape}")
        report_names.append(names[i])
        ours.append(grad)
        theirs.append(numerical_gradient(f_i, x, eps=eps, grad_output=grad_output))
    if not report_names:
        raise ValueError(f"{where}: no floating-point input to check")
    return compare_gradients(ours, theirs, report_names, title=where)


def _default_grad_output(out, grad_output, rng, where, scalar_is_loss=True):
    """The given grad_output (checked), else None for a scalar output that is the loss, else random normal."""
    if grad_output is not None:
        g = _float64(grad_output, "grad_output", where)
        if g.shape != out.shape:
            raise ValueError(f"{where}: grad_output must have the output's shape {out.shape}, got {g.shape}")
        return g
    if scalar_is_loss and out.size == 1:
        return None
    return as_generator(rng).normal(size=out.shape)


def _with_tensors(fn, checked):
    """``fn`` called on NumPy arrays: the checked ones are wrapped in (constant) autograd Tensors."""
    from nncourse.autograd import Tensor

    def call(*arrays):
        return fn(*[Tensor(x) if checked[i] else x for i, x in enumerate(arrays)])

    return call


def _autograd_gradients(fn, inputs, checked, grad_output, rng, where):
    """Analytic gradients of a function of autograd Tensors, and the grad_output they were computed for."""
    from nncourse.autograd import Tensor

    tensors = [Tensor(x, requires_grad=True) if checked[i] else x for i, x in enumerate(inputs)]
    try:
        out = fn(*tensors)
    except TypeError as exc:  # e.g. a NumPy ufunc given a Tensor
        raise ValueError(
            f"{where}: fn failed on autograd Tensors ({exc}); pass backward= to check a NumPy function "
            f"against its hand-written backward"
        ) from None
    if not isinstance(out, Tensor):
        raise ValueError(
            f"{where}: fn returned {type(out).__name__}, not an autograd Tensor; pass backward= to check a "
            f"NumPy function against its hand-written backward"
        )
    g = _default_grad_output(out.data, grad_output, rng, where)
    if not out.requires_grad:
        return [np.zeros_like(x) if checked[i] else None for i, x in enumerate(inputs)], g
    out.backward(g)
    grads = [(t.grad if t.grad is not None else np.zeros_like(t.data)) if checked[i] else None
             for i, t in enumerate(tensors)]
    return grads, g
