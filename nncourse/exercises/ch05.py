"""Checkers for the exercises of Chapter 5 (backpropagation).

Each checker runs the learner's code on small, seeded float64 inputs and compares the result with a
reference computed here, in a few lines of NumPy that follow the chapter's formulas:

* ``check_linear_backward(fn)``: ``fn(x, weight, grad_output) -> (grad_input, grad_weight, grad_bias)``
  for ``Z = X Wᵀ + b``: ``dX = G W``, ``dW = Gᵀ X``, ``db = Σ_rows G``.
* ``check_sigmoid_backward(fn)``: ``fn(z, grad_output) -> grad_input = grad_output ⊙ σ(z)(1 − σ(z))``.
* ``check_softmax_cross_entropy_backward(fn)``: ``fn(logits, targets)`` returns
  ``(softmax(logits) − onehot(targets)) / N``, the gradient of the mean cross-entropy wrt the logits.
* ``check_gradient(f, grad_f)``: the learner's analytic gradient of a function of their choice agrees with
  central differences (:func:`nncourse.gradcheck.numerical_gradient`, no "wrong" verdict).
* ``check_autograd_op(fn)``: a new operation for :class:`nncourse.autograd.Tensor` (softplus) whose forward
  value and backward pass (accumulated, chained with the upstream gradient) are right.
"""

import numpy as np

from nncourse import gradcheck
from nncourse.exercises._checker import call, checker, compare, require


def _sigmoid(z):
    # exp of a non-positive number only: no overflow for any z.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _softmax(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def _close(got, expected):
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected, dtype=float)
    return got.shape == expected.shape and np.allclose(got, expected, rtol=1e-6, atol=1e-8)


def _as_float(got, what, on):
    try:
        return np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        yield from require(
            False, f"{what} should be an array of numbers, got {type(got).__name__} (on {on})."
        )


# ---------------------------------------------------------------------------------------------------------
# Linear


def _linear_case(rng, n, in_features, out_features):
    x = rng.normal(size=(n, in_features))
    weight = rng.normal(size=(out_features, in_features))
    grad_output = rng.normal(size=(n, out_features))
    return x, weight, grad_output


@checker
def check_linear_backward(fn):
    """``fn(x, weight, grad_output)`` returns ``(grad_input, grad_weight, grad_bias)`` of ``Z = X Wᵀ + b``."""
    rng = np.random.default_rng(5)
    for n, fan_in, fan_out in [(4, 3, 2), (5, 3, 3)]:
        x, weight, grad_output = _linear_case(rng, n, fan_in, fan_out)
        on = f"x of shape {x.shape}, weight of shape {weight.shape}, grad_output of shape {grad_output.shape}"
        got = yield from call(fn, x, weight, grad_output, on=on)
        yield from require(
            isinstance(got, (tuple, list)) and len(got) == 3,
            f"return a tuple (grad_input, grad_weight, grad_bias), got {type(got).__name__}"
            + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else "")
            + f" (on {on}).",
        )
        dx, dw, db = got
        expected_dx = grad_output @ weight
        expected_dw = grad_output.T @ x
        expected_db = grad_output.sum(axis=0)

        dw_arr = yield from _as_float(dw, "grad_weight", on)
        yield from require(
            not (dw_arr.shape == expected_dw.T.shape and _close(dw_arr, expected_dw.T)),
            f"grad_weight is transposed (on {on}): it must have the weight's shape {weight.shape} "
            "= (out_features, in_features), so compute grad_output.T @ x, not x.T @ grad_output.",
        )
        yield from require(
            not _close(dw_arr, expected_dw / n),
            f"grad_weight is {n} times too small (on {on}): grad_output already carries the loss's 1/N, "
            "so sum over the batch (grad_output.T @ x) instead of averaging.",
        )
        yield from compare(dw, expected_dw, what="grad_weight", on=on)

        db_arr = yield from _as_float(db, "grad_bias", on)
        yield from require(
            not _close(db_arr, grad_output.mean(axis=0)),
            f"grad_bias is the mean of grad_output over the batch (on {on}): the bias is used by every "
            "sample, so its gradient is the sum over the rows, grad_output.sum(axis=0).",
        )
        yield from require(
            db_arr.shape != grad_output.shape,
            f"grad_bias must have the bias's shape ({fan_out},), got {db_arr.shape} (on {on}): "
            "sum grad_output over the batch axis (axis=0).",
        )
        yield from compare(db, expected_db, what="grad_bias", on=on)
        yield from compare(dx, expected_dx, what="grad_input", on=on)
    return "dX = G W, dW = Gᵀ X and db = Σ G are right, including for a square weight matrix."


# ---------------------------------------------------------------------------------------------------------
# Sigmoid


@checker
def check_sigmoid_backward(fn):
    """``fn(z, grad_output)`` returns ``grad_output ⊙ σ(z)(1 − σ(z))``."""
    rng = np.random.default_rng(6)
    z = np.array([[-3.0, -0.5, 0.0], [0.5, 2.0, 8.0]])
    grad_output = rng.normal(size=z.shape)
    on = "z = [[-3, -0.5, 0], [0.5, 2, 8]] and a random grad_output"
    got = yield from call(fn, z, grad_output, on=on)
    s = _sigmoid(z)
    expected = grad_output * s * (1 - s)
    got_arr = yield from _as_float(got, "grad_input", on)
    yield from require(
        not _close(got_arr, s * (1 - s)),
        f"you returned σ'(z) alone (on {on}): the chain rule multiplies the local derivative by the "
        "upstream gradient, grad_output * σ(z) * (1 − σ(z)).",
    )
    yield from require(
        not _close(got_arr, grad_output * z * (1 - z)),
        f"you applied σ(1 − σ) to z itself (on {on}): first compute s = σ(z), "
        "then grad_output * s * (1 − s).",
    )
    yield from compare(got, expected, what="grad_input", on=on)
    return "grad_input = grad_output ⊙ σ(z)(1 − σ(z))."


# ---------------------------------------------------------------------------------------------------------
# Softmax + cross-entropy


@checker
def check_softmax_cross_entropy_backward(fn):
    """``fn(logits, targets)`` returns ``(softmax(logits) − onehot(targets)) / N`` for the mean loss."""
    rng = np.random.default_rng(7)
    cases = [
        (rng.normal(size=(4, 3)), np.array([0, 2, 1, 2]), "logits of shape (4, 3), targets [0, 2, 1, 2]"),
        (
            np.array([[1000.0, 0.0, -1000.0], [0.0, 500.0, 0.0]]),
            np.array([0, 2]),
            "large logits [[1000, 0, -1000], [0, 500, 0]], targets [0, 2]",
        ),
    ]
    for logits, targets, on in cases:
        n, n_classes = logits.shape
        got = yield from call(fn, logits, targets, on=on)
        p = _softmax(logits)
        onehot = np.eye(n_classes)[targets]
        expected = (p - onehot) / n
        got_arr = yield from _as_float(got, "grad_logits", on)
        yield from require(
            got_arr.shape != expected.shape or np.all(np.isfinite(got_arr)),
            f"grad_logits contains NaN or infinity (on {on}): exp overflows for large logits; subtract each "
            "row's maximum before exponentiating (the softmax does not change).",
        )
        yield from require(
            not _close(got_arr, p - onehot),
            f"grad_logits is {n} times too large (on {on}): the loss is the mean over the batch, "
            f"so divide p − y by N = {n}.",
        )
        yield from require(
            not _close(got_arr, p / n),
            f"you forgot to subtract the one-hot targets (on {on}): the gradient is (p − y) / N.",
        )
        yield from require(
            not _close(got_arr, (onehot - p) / n),
            f"the sign is flipped (on {on}): the gradient of the loss is (p − y) / N, not (y − p) / N.",
        )
        yield from compare(got, expected, what="grad_logits", on=on)
    return "∂L/∂logits = (p − y) / N, stable for large logits too."


# ---------------------------------------------------------------------------------------------------------
# A gradient check on a function of the learner's choice


@checker
def check_gradient(f, grad_f):
    """``f(x)`` maps a 1-D array of 5 numbers to a number; ``grad_f(x)`` is its gradient, derived by hand."""
    rng = np.random.default_rng(8)
    gradients = []
    for _ in range(3):
        x = rng.uniform(-1.5, 1.5, size=5)
        on = f"x = {np.array2string(x, precision=2)}"
        value = yield from call(f, x, on=on)
        yield from require(
            np.ndim(value) == 0 and np.issubdtype(np.asarray(value).dtype, np.number),
            f"f(x) must return one number (a scalar), got {type(value).__name__}"
            + (f" of shape {np.shape(value)}" if np.ndim(value) else "")
            + f" (on {on}): sum or average to a scalar.",
        )
        yield from require(
            np.isfinite(value), f"f(x) is not finite (on {on}): choose a function defined there."
        )
        analytic = yield from call(grad_f, x, on=on)
        analytic = yield from _as_float(analytic, "grad_f(x)", on)
        yield from require(
            analytic.shape == x.shape,
            f"grad_f(x) must have the shape of x, {x.shape}, got {analytic.shape} (on {on}).",
        )
        yield from require(np.all(np.isfinite(analytic)), f"grad_f(x) contains NaN or infinity (on {on}).")
        try:
            numerical = gradcheck.numerical_gradient(f, x.copy())
        except Exception as exc:  # the learner's function may raise anything
            yield from require(
                False, f"f raised {type(exc).__name__}: {exc} during the numerical check (on {on})."
            )
        error = float(gradcheck.relative_error(analytic, numerical).max())
        flipped = float(gradcheck.relative_error(analytic, -numerical).max())
        yield from require(
            not (gradcheck.verdict(error) == "wrong" and gradcheck.verdict(flipped) != "wrong"),
            f"grad_f has the wrong sign (on {on}): the numerical gradient is "
            f"{np.array2string(numerical, precision=4)}.",
        )
        yield from require(
            gradcheck.verdict(error) != "wrong",
            f"grad_f disagrees with the numerical gradient (on {on}): relative error {error:.2g} "
            "(want < 1e-4); "
            f"numerical {np.array2string(numerical, precision=4)}, "
            f"yours {np.array2string(analytic, precision=4)}.",
        )
        gradients.append(analytic)
    yield from require(
        not np.allclose(gradients[0], gradients[1]),
        "your gradient is the same at every point, so f is linear and the check proves little: choose a "
        "nonlinear function (a product, a power, exp, sin, ...).",
    )
    return "your analytic gradient matches central differences at 3 random points."


# ---------------------------------------------------------------------------------------------------------
# A new operation for the autograd engine


def _softplus_reference(x):
    return np.logaddexp(0.0, x)


@checker
def check_autograd_op(fn):
    """``fn(x)`` takes an :class:`nncourse.autograd.Tensor` and returns the Tensor
    ``softplus(x) = log(1 + eˣ)`` whose backward gives ``∂L/∂x = ∂L/∂out ⊙ σ(x)``."""
    from nncourse.autograd import Tensor

    rng = np.random.default_rng(9)
    values = np.array([-20.0, -2.0, -0.5, 0.0, 0.7, 3.0, 20.0])
    upstream = rng.normal(size=values.shape)
    on = "x = Tensor([-20, -2, -0.5, 0, 0.7, 3, 20], requires_grad=True)"
    x = Tensor(values, requires_grad=True)
    out = yield from call(fn, x, on=on)
    yield from require(
        isinstance(out, Tensor),
        f"return a Tensor built with Tensor.from_op(data, (x,), 'softplus', backward), got "
        f"{type(out).__name__} (on {on}): a NumPy array has no backward pass.",
    )
    yield from compare(out.data, _softplus_reference(values), what="softplus(x).data", on=on)
    yield from require(
        out.requires_grad and any(parent is x for parent in out._parents),
        f"the output is not connected to x (on {on}): pass (x,) as the parents, so that backward() "
        "reaches x.",
    )

    on_backward = f"(softplus(x) * w).sum().backward() with random weights w, {on}"
    try:
        (out * Tensor(upstream)).sum().backward()
    except Exception as exc:  # the learner's backward may raise anything
        yield from require(False, f"your backward raised {type(exc).__name__}: {exc} (on {on_backward}).")
    yield from require(x.grad is not None, f"x.grad is still None after backward (on {on_backward}).")
    s = _sigmoid(values)
    yield from require(
        not _close(x.grad, s),
        f"x.grad is σ(x), the local derivative alone (on {on_backward}): multiply it by the upstream "
        "gradient g that backward receives, g * σ(x).",
    )
    yield from compare(x.grad, upstream * s, what="x.grad", on=on_backward)

    twice = Tensor(values, requires_grad=True)
    on_twice = "(softplus(x) + 3 * softplus(x)).sum().backward(), x used twice"
    yield from call(lambda t: (fn(t) + 3 * fn(t)).sum().backward(), twice, on=on_twice)
    yield from compare(twice.grad, 4 * s, what="x.grad", on=on_twice)

    big = np.array([-1000.0, 1000.0])
    on_big = "x = Tensor([-1000, 1000])"
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        got = yield from call(fn, Tensor(big, requires_grad=True), on=on_big)
    got_data = got.data if isinstance(got, Tensor) else got
    yield from require(
        np.all(np.isfinite(np.asarray(got_data, dtype=float))),
        f"softplus overflows (on {on_big}): e^1000 is infinite in floating point; use "
        "np.logaddexp(0, x), or max(x, 0) + log1p(exp(−|x|)).",
    )
    yield from compare(got_data, _softplus_reference(big), what="softplus(x).data", on=on_big)
    return "softplus and its backward, σ(x) times the upstream gradient, work in the engine."
