"""Numerical gradient checking: is a hand-written backward pass right?

The central difference of a scalar function f,

    ∂f/∂x_i ≈ (f(x + ε e_i) − f(x − ε e_i)) / (2ε),

has a truncation error of order ε² and a rounding error of about ε_mach |f| / ε. In float64 (ε_mach ≈ 1e-16)
with ε = 1e-6 both are around 1e-10, so a correct backward pass agrees with it to about nine significant
digits, and a wrong one stands out by orders of magnitude. In float32 (ε_mach ≈ 1e-7) the rounding error
at ε = 1e-6 is about 0.1, as large as the bugs the check looks for. A larger step helps only partly: the
best float32 can do, near ε = 1e-2 where rounding (≈ 1e-7·|f|/ε) and truncation (≈ ε²) balance, is an
agreement of two to four digits, too coarse to tell a subtle bug from noise. So every function here
refuses float32 with a ValueError.

The cost is two evaluations of f per entry: 2P forward passes for P numbers, against one forward and one
backward pass for backpropagation. That is why it is a test, never a training method.

Agreement is measured by the relative error used in cs231n's notes, entry by entry,

    rel(a, n) = |a − n| / max(|a|, |n|, tiny),     tiny = 1e-8,

and summarised by its maximum over each array, with a verdict (for float64 and the default ε = 1e-6):

* ``"exact"``: max rel < 1e-7. Agreement to seven or more digits: the backward pass is right.
* ``"close"``: 1e-7 ≤ max rel < 1e-4. Acceptable: typical when some gradient entries are much smaller than
  the loss, since the rounding noise of the numerical gradient is about 1e-10·|L| whatever the entry (so
  rel ≈ 1e-10·|L| / |∂L/∂x_i|).
* ``"wrong"``: max rel ≥ 1e-4. A bug (cs231n: above 1e-2 "probably wrong"; a correct float64 check never
  comes near 1e-4 on smooth functions), **or a kink**: when an input of a ReLU (or max, abs, ...) lies
  within ε of its kink, x ± ε straddles it and the central difference averages two slopes, so a correct
  backward pass gets a relative error of order one (ReLU at x = 3e-7 with ε = 1e-6: numerical slope 0.65,
  analytic 1, rel 0.35). Diagnose it by looking at the worst entry: if a pre-activation there is within ε
  of 0, check again at a point moved off the kink, or with an ε smaller than its distance to the kink.

One entry point per kind of code to check, each returning a :class:`GradcheckReport` (a table, one row
per array; ``ok`` is True when no row is ``"wrong"``):

* :func:`gradcheck_function`: a NumPy function and its hand-written ``backward``;
* :func:`gradcheck_module`: an :mod:`nncourse.nn` layer's input gradient and every parameter's ``.grad``;
* :func:`gradcheck_loss`: an :mod:`nncourse.nn` loss's gradient with respect to the prediction;
* :func:`gradcheck_autograd`: a function of :class:`nncourse.autograd.Tensor` and the engine's gradients.

>>> from nncourse import nn
>>> layer = nn.Linear(3, 2, dtype=np.float64, rng=0)
>>> report = gradcheck_module(layer, np.random.default_rng(0).normal(size=(4, 3)))
>>> [(row["name"], row["verdict"]) for row in report.rows]
[('input', 'exact'), ('weight', 'exact'), ('bias', 'exact')]
"""

import inspect

import numpy as np

from nncourse import nn
from nncourse._rng import as_generator
from nncourse.autograd import Tensor
from nncourse.gradcheck.report import GradcheckReport

__all__ = [
    "compare_gradients",
    "gradcheck_autograd",
    "gradcheck_function",
    "gradcheck_loss",
    "gradcheck_module",
    "numerical_gradient",
    "relative_error",
    "verdict",
]

TINY = 1e-8
EXACT_BELOW = 1e-7
CLOSE_BELOW = 1e-4


# ------------------------------------------------------------------------ relative error and verdicts
def relative_error(a, b, tiny=TINY):
    """Entry-wise |a − b| / max(|a|, |b|, tiny) (cs231n's relative error), as an array.

    >>> relative_error(np.array([1.0, 0.0]), np.array([1.1, 0.0]))
    array([0.09090909, 0.        ])
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: a and b must have the same shape, got {a.shape} and {b.shape}")
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), tiny)


def verdict(max_relative_error):
    """``"exact"`` below 1e-7, ``"close"`` below 1e-4, else ``"wrong"`` (see the module docstring).

    >>> verdict(1e-9), verdict(1e-6), verdict(0.3)
    ('exact', 'close', 'wrong')
    """
    if not np.isfinite(max_relative_error) or max_relative_error >= CLOSE_BELOW:
        return "wrong"
    return "exact" if max_relative_error < EXACT_BELOW else "close"


def compare_gradients(analytic, numerical, names=None, *, title="gradcheck"):
    """Compare two sets of gradients (e.g. backprop against numerical, or ours against PyTorch's).

    ``analytic`` and ``numerical`` are each an array, a sequence of arrays, or a dict name → array (then the
    names come from the dict). Returns a :class:`GradcheckReport` with one row per array; there must be at
    least one array, and none may be empty (nothing compared is not a pass).

    >>> report = compare_gradients({"w": np.array([1.0, 2.0])}, {"w": np.array([1.0, 2.0 + 1e-12])})
    >>> report.ok, report["w"]["verdict"]
    (True, 'exact')
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
    if not analytic:
        raise ValueError("compare_gradients: no gradients to compare (got none); a check of nothing cannot pass")
    rows = []
    for name, a, n in zip(names, analytic, numerical, strict=True):
        a, n = np.asarray(a, dtype=np.float64), np.asarray(n, dtype=np.float64)
        if a.shape != n.shape:
            raise ValueError(f"compare_gradients: {name}: shapes differ, got {a.shape} and {n.shape}")
        if a.size == 0:
            raise ValueError(f"compare_gradients: {name} is empty (shape {a.shape}): nothing to compare")
        max_rel = float(relative_error(a, n).max())
        rows.append({"name": name, "shape": a.shape, "max_rel_error": max_rel,
                     "max_abs_error": float(np.abs(a - n).max()), "verdict": verdict(max_rel)})
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
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{where}: {name} must be a real numeric array, got {type(x).__name__} (dtype {arr.dtype})")
    return arr.astype(np.float64)


def _scalar_objective(value, grad_output, where):
    """f's value as a float: itself if it has one element, else Σ value ⊙ grad_output."""
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


def _check_step(eps, x, index, where):
    """Refuse a step ε that float64 cannot resolve at the scale of ``x``: x ± ε would round back to x (or to
    its neighbour) and the difference quotient would be rounding noise, e.g. all zeros for ε = 1e-300."""
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{where}: array {index} must contain only finite values")
    scale = max(float(np.max(np.abs(x), initial=0.0)), 1.0)  # |f| is of order 1 or more where |x| is below 1
    if eps < np.spacing(scale):
        raise ValueError(
            f"{where}: eps={eps!r} is below the float64 resolution {np.spacing(scale):.1e} at the scale of "
            f"array {index} (max(|x|, 1) = {scale:.3g}): x ± eps rounds to x and the difference quotient is "
            f"rounding noise; use eps around 1e-6"
        )


def numerical_gradient(f, *arrays, eps=1e-6, grad_output=None):
    """Central-difference gradient of ``f(*arrays)`` with respect to every entry of every array.

    Each entry is nudged by ±eps **in place** and restored exactly, so ``f`` may also read the arrays
    through a closure (pass ``*[p.data for p in model.parameters()]`` with ``f`` ignoring its arguments).

    Args:
        f: a function of the arrays returning a scalar (or an array, with ``grad_output``).
        *arrays: float64 arrays (lists and integer arrays are converted to float64 copies).
        eps (float): the step ε, in (0, 1) and at least float64's resolution at the scale of the arrays
            (about 2.2e-16 · max(|x|, 1)). Default: 1e-6.
        grad_output: if given, the gradient of the scalar Σ f(arrays) ⊙ grad_output is computed, i.e. the
            vector-Jacobian product a backward pass computes from ``grad_output``.

    Returns:
        One array of gradients per input array (the array itself when there is only one).

    The quotient divides by the step actually taken, (x + ε) − (x − ε) after rounding to float64, which
    can differ from 2ε by a few units in the last place of x.

    >>> numerical_gradient(lambda v: np.sum(v**2), np.array([1.0, -3.0])).round(6)
    array([ 2., -6.])
    """
    where = "numerical_gradient"
    if not callable(f):
        raise ValueError(f"{where}: f must be a function, got {type(f).__name__}")
    if not arrays:
        raise ValueError(f"{where}: give at least one array to differentiate with respect to")
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 < eps < 1:
        raise ValueError(f"{where}: eps must be a number in (0, 1), got {eps!r}")
    arrays = [_float64(x, f"array {i}", where) for i, x in enumerate(arrays)]
    for i, x in enumerate(arrays):
        _check_step(eps, x, i, where)
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
            x_plus, plus = x[i], objective()
            x[i] = original - eps
            x_minus, minus = x[i], objective()
            x[i] = original
            grad[i] = (plus - minus) / (x_plus - x_minus)
        grads.append(grad)
    return grads[0] if len(grads) == 1 else tuple(grads)


# ------------------------------------------------------------------------ the entry points
def _argument_names(fn, count):
    """The names of ``fn``'s first ``count`` positional parameters (``input i`` where it has none)."""
    try:
        params = [p.name for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"input {i}" for i in range(count)]


def _grad_output(out, grad_output, rng, where, scalar_is_loss=True):
    """The given grad_output (checked), else None for a scalar output that is the loss, else random normal."""
    if grad_output is not None:
        g = _float64(grad_output, "grad_output", where)
        if g.shape != out.shape:
            raise ValueError(f"{where}: grad_output must have the output's shape {out.shape}, got {g.shape}")
        return g
    if scalar_is_loss and out.size == 1:
        return None
    return as_generator(rng).normal(size=out.shape)


def _prepared_inputs(fn, inputs, where):
    """The inputs' names, which are floating point (checked; the others, e.g. labels, are passed as they
    are), and the inputs with the floating ones as float64 arrays."""
    if not callable(fn):
        raise ValueError(f"{where}: fn must be a function, got {type(fn).__name__}")
    if not inputs:
        raise ValueError(f"{where}: give at least one input")
    names = _argument_names(fn, len(inputs))
    checked = [isinstance(x, float) or np.issubdtype(np.asarray(x).dtype, np.floating) for x in inputs]
    if not any(checked):
        raise ValueError(f"{where}: no floating-point input to check")
    inputs = [_float64(x, names[i], where) if checked[i] else x for i, x in enumerate(inputs)]
    return names, checked, inputs


def _compare_inputs(call, inputs, names, checked, analytic, grad_output, eps, where):
    """The report for each checked input whose analytic gradient is not None, against central differences
    of ``call(*inputs)`` (a NumPy value) weighted by ``grad_output``."""
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
        raise ValueError(f"{where}: backward returned None for every floating-point input: nothing to check")
    return compare_gradients(ours, theirs, report_names, title=where)


def gradcheck_function(fn, backward, *inputs, grad_output=None, eps=1e-6, rng=0):
    """Check a NumPy function's hand-written ``backward`` against central differences.

    ``fn(*inputs)`` computes the output; ``backward(grad_output, *inputs)`` returns dL/d(input) for each
    input, for L = Σ fn(*inputs) ⊙ grad_output (a single array for one input; ``None`` for an input not to
    check). Inputs that are not floating point (integer labels) are passed as they are and not checked.
    Rows are named after ``fn``'s arguments.

    Args:
        fn: the function, of float64 arrays.
        backward: its hand-written backward pass.
        *inputs: the inputs; float arrays must be float64.
        grad_output: dL/d(output). Default: 1 for a scalar output, else random normal drawn from ``rng``,
            so that every output entry is weighted differently.
        eps (float): the central-difference step. Default: 1e-6.
        rng: seed or Generator for the default ``grad_output``. Default: 0.

    >>> def square(x):
    ...     return x**2
    >>> report = gradcheck_function(square, lambda g, x: g * 2 * x, np.array([1.0, -2.0]))
    >>> report["x"]["verdict"]
    'exact'
    """
    where = f"gradcheck_function({getattr(fn, '__name__', type(fn).__name__)})"
    if not callable(backward):
        raise ValueError(f"{where}: backward must be a function, got {type(backward).__name__}")
    names, checked, inputs = _prepared_inputs(fn, inputs, where)
    out = np.asarray(fn(*inputs))
    g = _grad_output(out, grad_output, rng, where)
    analytic = backward(np.ones_like(out) if g is None else g, *inputs)
    analytic = tuple(analytic) if isinstance(analytic, (tuple, list)) else (analytic,)
    if len(analytic) != len(inputs):
        raise ValueError(f"{where}: backward returned {len(analytic)} gradients for {len(inputs)} inputs")
    return _compare_inputs(fn, inputs, names, checked, analytic, g, eps, where)


def gradcheck_autograd(fn, *inputs, grad_output=None, eps=1e-6, rng=0):
    """Check the gradients the autograd engine computes for a function of :class:`~nncourse.autograd.Tensor`.

    Each floating-point input becomes a Tensor that requires a gradient; ``fn`` must return a Tensor; the
    engine's gradients for L = Σ fn(*inputs) ⊙ grad_output are compared with central differences. Useful
    for a new operation written with :meth:`Tensor.from_op`. Arguments as :func:`gradcheck_function`.

    >>> report = gradcheck_autograd(lambda a, b: (a * b).tanh().sum(), np.array([0.5, -1.0]), np.array([2.0, 0.3]))
    >>> report.ok, [row["name"] for row in report.rows]
    (True, ['a', 'b'])
    """
    where = f"gradcheck_autograd({getattr(fn, '__name__', type(fn).__name__)})"
    names, checked, inputs = _prepared_inputs(fn, inputs, where)

    def tensors(arrays, requires_grad):
        return [Tensor(x, requires_grad=requires_grad) if checked[i] else x for i, x in enumerate(arrays)]

    leaves = tensors(inputs, requires_grad=True)
    try:
        out = fn(*leaves)
    except TypeError as exc:  # e.g. a NumPy ufunc given a Tensor
        raise ValueError(
            f"{where}: fn failed on autograd Tensors ({exc}); to check a NumPy function against its "
            f"hand-written backward, use gradcheck_function"
        ) from None
    if not isinstance(out, Tensor):
        raise ValueError(
            f"{where}: fn returned {type(out).__name__}, not an autograd Tensor; to check a NumPy function "
            f"against its hand-written backward, use gradcheck_function"
        )
    g = _grad_output(out.data, grad_output, rng, where)
    if out.requires_grad:
        out.backward(g)
    analytic = [(leaf.grad if leaf.grad is not None else np.zeros_like(leaf.data)) if checked[i] else None
                for i, leaf in enumerate(leaves)]
    return _compare_inputs(lambda *arrays: fn(*tensors(arrays, requires_grad=False)).data,
                           inputs, names, checked, analytic, g, eps, where)


def _module(module, where):
    if not isinstance(module, nn.Module):
        raise ValueError(f"{where}: expected an nncourse.nn module, got {type(module).__name__}")
    for name, p in module.named_parameters():
        _float64(p.data, f"parameter {name}", where)
    return module


def _call(module, args, where, hint):
    """``module(*args)``; a TypeError (the wrong number of arguments) becomes a ValueError with ``hint``."""
    try:
        return module(*args)
    except TypeError as exc:
        raise ValueError(f"{where}: calling it with {len(args)} argument(s) failed ({exc}); {hint}") from None


def gradcheck_module(module, input, *, grad_output=None, eps=1e-6, rng=0):
    """Check a layer's backward pass: the input gradient it returns and every parameter's ``.grad``.

    For the scalar L = Σ module(input) ⊙ grad_output, ``module.backward(grad_output)`` must return dL/d(input)
    and accumulate dL/d(parameter) into each ``.grad``; both are compared with central differences (the
    parameters are nudged in place through ``p.data``). The module's gradients are zeroed first and hold the
    analytic gradients afterwards. If ``backward`` returns None, only the parameters are checked. Rows are
    named ``input`` and after ``module.named_parameters()``.

    Args:
        module: an :mod:`nncourse.nn` module with float64 parameters (e.g. ``Linear(..., dtype=np.float64)``).
        input: its input, a float64 array.
        grad_output: dL/d(output). Default: random normal drawn from ``rng``.
        eps (float): the central-difference step. Default: 1e-6.
        rng: seed or Generator for the default ``grad_output``. Default: 0.

    >>> from nncourse import nn
    >>> report = gradcheck_module(nn.Tanh(), np.array([[0.5, -1.0]]))
    >>> report.ok, report.title
    (True, 'gradcheck_module(Tanh)')
    """
    where = f"gradcheck_module({type(module).__name__})"
    module = _module(module, where)
    x = _float64(input, "the input", where)
    named = list(module.named_parameters())

    # Analytic gradients first: the numerical evaluations below overwrite the module's forward cache.
    module.zero_grad()
    out = np.asarray(_call(module, (x,), where, "for a loss, use gradcheck_loss(criterion, input, target)"))
    g = _grad_output(out, grad_output, rng, where, scalar_is_loss=False)
    grad_input = module.backward(g)
    analytic = {} if grad_input is None else {"input": np.asarray(grad_input)}
    analytic.update((name, np.array(p.grad)) for name, p in named)

    numerical = {}
    if grad_input is not None:
        numerical["input"] = numerical_gradient(module, x, eps=eps, grad_output=g)
    for name, p in named:  # f reads the parameter through the module: numerical_gradient nudges p.data
        numerical[name] = numerical_gradient(lambda _: module(x), p.data, eps=eps, grad_output=g)
    return compare_gradients(analytic, numerical, title=where)


def gradcheck_loss(criterion, input, target, *, eps=1e-6):
    """Check a loss's backward pass: ``criterion.backward()`` against central differences of the loss
    L = criterion(input, target) with respect to ``input`` (the prediction). One row, named ``input``.

    >>> from nncourse import nn
    >>> report = gradcheck_loss(nn.MSELoss(), np.array([[0.5], [2.0]]), np.array([[1.0], [1.0]]))
    >>> report["input"]["verdict"]
    'exact'
    """
    where = f"gradcheck_loss({type(criterion).__name__})"
    criterion = _module(criterion, where)
    x = _float64(input, "the input (the prediction)", where)
    _call(criterion, (x, target), where, "for a layer, use gradcheck_module(module, input)")
    analytic = criterion.backward()
    numerical = numerical_gradient(lambda x_: criterion(x_, target), x, eps=eps)
    return compare_gradients({"input": analytic}, {"input": numerical}, title=where)
