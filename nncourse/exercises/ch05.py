"""Checkers for the exercises of Chapter 5 (backpropagation).

Each checker runs the learner's code on small, seeded float64 inputs; the right answers come from the
course's own layers and engine (:mod:`nncourse.nn`, :mod:`nncourse.gradcheck`, :mod:`nncourse.autograd`):

* ``check_linear_backward(fn)``: ``fn(x, weight, grad_output) -> (grad_input, grad_weight, grad_bias)``
  for ``Z = X Wᵀ + b``: ``dX = G W``, ``dW = Gᵀ X``, ``db = Σ_rows G`` (each gradient is its own case).
* ``check_sigmoid_backward(fn)``: ``fn(z, grad_output) -> grad_input = grad_output ⊙ σ(z)(1 − σ(z))``, also
  for ``|z| = 1000`` and ``|z| = 1e4``.
* ``check_softmax_cross_entropy_backward(fn)``: ``fn(logits, targets)`` returns
  ``(softmax(logits) − onehot(targets)) / N``, the gradient of the mean cross-entropy wrt the logits.
* ``check_gradient(f, grad_f)``: the learner's analytic gradient of a nonlinear function of their choice
  agrees with central differences (:func:`nncourse.gradcheck.numerical_gradient`, no "wrong" verdict).
* ``check_autograd_op(fn)``: a new operation for :class:`nncourse.autograd.Tensor` (softplus) whose forward
  value and backward pass (chained with the upstream gradient, accumulated) are right and stable.
* ``check_topological_sort(fn)``: ``fn(root)`` lists every node of the graph that ends at the Tensor ``root``
  once, each after all of its parents.
* ``check_backward_loop(fn)``: ``fn(root)`` does what ``root.backward()`` does: every leaf's ``.grad`` gets
  dL/d(leaf), summed over every path, added to what ``.grad`` held before.

The first three take ``extra_cases``: more argument tuples for the learner's function (an instructor's
hidden tests), scored like the built-in ones.
"""

import numpy as np

from nncourse import gradcheck
from nncourse.exercises._checker import (
    Exercise,
    attempt,
    call,
    compare,
    diagnose,
    extra,
    grade,
    items,
    mistake,
    numbers,
    one_number,
    require,
)
from nncourse.functional import sigmoid
from nncourse.nn import CrossEntropyLoss, Linear, Sigmoid

LINEAR_BACKWARD = Exercise(5, "ch05-linear-backward-check", "The backward pass of Linear", 3,
                           "check_linear_backward")
SIGMOID_BACKWARD = Exercise(5, "ch05-sigmoid-backward-check", "The backward pass of the sigmoid", 2,
                            "check_sigmoid_backward")
SOFTMAX_CE = Exercise(5, "ch05-softmax-ce-backward-check", "Softmax with cross-entropy", 2,
                      "check_softmax_cross_entropy_backward")
MY_GRADIENT = Exercise(5, "ch05-my-gradient-check", "A gradient check of your own", 3, "check_gradient")
SOFTPLUS = Exercise(5, "ch05-autograd-softplus-check", "A new operation for the autograd engine", 3,
                    "check_autograd_op")
TOPOLOGICAL_SORT = Exercise(5, "ch05-topological-sort-check", "The engine's topological sort", 2,
                            "check_topological_sort")
BACKWARD_LOOP = Exercise(5, "ch05-backward-loop-check", "The engine's backward() loop", 3, "check_backward_loop")
EXERCISES = (LINEAR_BACKWARD, SIGMOID_BACKWARD, SOFTMAX_CE, MY_GRADIENT, SOFTPLUS, TOPOLOGICAL_SORT, BACKWARD_LOOP)

_GRADIENTS = ("grad_input", "grad_weight", "grad_bias")


# ---------------------------------------------------------------------------------------------------------
def _linear_reference(x, weight, grad_output):
    """The gradients ``nncourse.nn.Linear`` computes: ``(grad_input, weight.grad, bias.grad)``."""
    weight = np.asarray(weight, dtype=np.float64)
    layer = Linear(weight.shape[1], weight.shape[0], dtype=np.float64, rng=0)  # a seed: no global draw
    layer.weight.data[...] = weight
    layer(np.asarray(x, dtype=np.float64))
    grad_input = layer.backward(grad_output)
    return grad_input, layer.weight.grad, layer.bias.grad


def check_linear_backward(fn, extra_cases=()):
    """``fn(x, weight, grad_output)`` returns ``(grad_input, grad_weight, grad_bias)`` of ``Z = X Wᵀ + b``.

    >>> check_linear_backward(lambda x, w, g: (g @ w, g.T @ x, g.sum(axis=0))).passed
    True
    """
    rng = np.random.default_rng(5)
    cases = []
    for n, fan_in, fan_out in [(4, 3, 2), (5, 3, 3)]:
        args = (rng.normal(size=(n, fan_in)), rng.normal(size=(fan_out, fan_in)), rng.normal(size=(n, fan_out)))
        cases.append((f"x of shape {args[0].shape}, weight of shape {args[1].shape}, grad_output of shape "
                      f"{args[2].shape}", args))
    cases += extra(extra_cases, _linear_reference, "check_linear_backward")
    outcomes = [attempt(_linear_case, fn, *args, which, on=on) for on, args in cases for which in _GRADIENTS]
    return grade(LINEAR_BACKWARD, outcomes,
                 "dX = G W, dW = Gᵀ X and db = Σ G are right, including for a square weight matrix.")


def _linear_case(fn, x, weight, grad_output, which, *, on):
    expected = dict(zip(_GRADIENTS, _linear_reference(x, weight, grad_output), strict=True))[which]
    got = items(call(fn, x, weight, grad_output, on=on), _GRADIENTS, on)[_GRADIENTS.index(which)]
    got = numbers(got, which, on)
    n = len(x)
    if which == "grad_weight":
        mistake(got, expected, expected.T,
                f"grad_weight is transposed (on {on}): it must have the weight's shape {weight.shape} = "
                "(out_features, in_features), so compute grad_output.T @ x, not x.T @ grad_output.")
        diagnose(got, expected, [
            (expected / n, f"grad_weight is {n} times too small (on {on}): grad_output already carries the loss's "
                           "1/N, so sum over the batch (grad_output.T @ x) instead of averaging."),
        ])
    if which == "grad_bias":
        require(
            got.shape != grad_output.shape,
            f"grad_bias must have the bias's shape ({weight.shape[0]},), got {got.shape} (on {on}): sum "
            "grad_output over the batch axis (axis=0).",
        )
        diagnose(got, expected, [
            (grad_output.mean(axis=0), f"grad_bias is the mean of grad_output over the batch (on {on}): the bias "
                                       "is used by every sample, so its gradient is the sum over the rows, "
                                       "grad_output.sum(axis=0)."),
        ])
    compare(got, expected, what=which, on=on)


# ---------------------------------------------------------------------------------------------------------
def _sigmoid_reference(z, grad_output):
    layer = Sigmoid()
    layer(np.asarray(z, dtype=np.float64))
    return layer.backward(np.asarray(grad_output, dtype=np.float64))


def check_sigmoid_backward(fn, extra_cases=()):
    """``fn(z, grad_output)`` returns ``grad_output ⊙ σ(z)(1 − σ(z))``, quiet and finite for any z.

    >>> from nncourse.functional import sigmoid_grad
    >>> check_sigmoid_backward(lambda z, g: g * sigmoid_grad(z)).passed
    True
    """
    rng = np.random.default_rng(6)
    cases = [
        ("z = [[-3, -0.5, 0], [0.5, 2, 8]] and a random grad_output",
         (np.array([[-3.0, -0.5, 0.0], [0.5, 2.0, 8.0]]), rng.normal(size=(2, 3)))),
        ("z = [[-1000, -40, 0], [40, 745, 1000]] and a random grad_output",
         (np.array([[-1000.0, -40.0, 0.0], [40.0, 745.0, 1000.0]]), rng.normal(size=(2, 3)))),
        ("z = [-1e4, 1e4] and grad_output = [1, 1]", (np.array([-1e4, 1e4]), np.ones(2))),
    ] + extra(extra_cases, _sigmoid_reference, "check_sigmoid_backward")
    outcomes = [attempt(_sigmoid_case, fn, *args, on=on) for on, args in cases]
    return grade(SIGMOID_BACKWARD, outcomes, "grad_input = grad_output ⊙ σ(z)(1 − σ(z)), for any z.")


def _sigmoid_case(fn, z, grad_output, *, on):
    expected = _sigmoid_reference(z, grad_output)
    hint = "e^1000 overflows: compute σ(z) stably (F.sigmoid does), then grad_output * s * (1 - s)."
    got = numbers(call(fn, z, grad_output, on=on, warning_hint=hint), "grad_input", on)
    s = sigmoid(z)
    diagnose(got, expected, [
        (s * (1 - s), f"you returned σ'(z) alone (on {on}): the chain rule multiplies the local derivative by the "
                      "upstream gradient, grad_output * σ(z) * (1 − σ(z))."),
        (grad_output * z * (1 - z), f"you applied σ(1 − σ) to z itself (on {on}): first compute s = σ(z), "
                                    "then grad_output * s * (1 − s)."),
    ])
    compare(got, expected, what="grad_input", on=on)


# ---------------------------------------------------------------------------------------------------------
def _softmax_ce_reference(logits, targets):
    loss = CrossEntropyLoss()
    loss(np.asarray(logits, dtype=np.float64), targets)
    return loss.backward()


def check_softmax_cross_entropy_backward(fn, extra_cases=()):
    """``fn(logits, targets)`` returns ``(softmax(logits) − onehot(targets)) / N`` for the mean loss.

    >>> from nncourse.functional import softmax
    >>> check_softmax_cross_entropy_backward(lambda z, t: (softmax(z, dim=1) - np.eye(3)[t]) / len(t)).passed
    True
    """
    rng = np.random.default_rng(7)
    cases = [
        ("logits of shape (4, 3), targets [0, 2, 1, 2]", (rng.normal(size=(4, 3)), np.array([0, 2, 1, 2]))),
        ("large logits [[1000, 0, -1000], [0, 500, 0]], targets [0, 2]",
         (np.array([[1000.0, 0.0, -1000.0], [0.0, 500.0, 0.0]]), np.array([0, 2]))),
    ] + extra(extra_cases, _softmax_ce_reference, "check_softmax_cross_entropy_backward")
    outcomes = [attempt(_softmax_ce_case, fn, *args, on=on) for on, args in cases]
    return grade(SOFTMAX_CE, outcomes, "∂L/∂logits = (p − y) / N, stable for large logits too.")


def _softmax_ce_case(fn, logits, targets, *, on):
    expected = _softmax_ce_reference(logits, targets)
    stable = ("exp overflows for large logits; subtract each row's maximum before exponentiating "
              "(the softmax does not change).")
    got = numbers(call(fn, logits, targets, on=on, warning_hint=stable), "grad_logits", on)
    require(
        got.shape != expected.shape or np.all(np.isfinite(got)),
        f"grad_logits contains NaN or infinity (on {on}): {stable}",
    )
    n, n_classes = logits.shape
    p, onehot = expected * n + np.eye(n_classes)[targets], np.eye(n_classes)[targets]
    diagnose(got, expected, [
        (p - onehot, f"grad_logits is {n} times too large (on {on}): the loss is the mean over the batch, "
                     f"so divide p − y by N = {n}."),
        (p / n, f"you forgot to subtract the one-hot targets (on {on}): the gradient is (p − y) / N."),
        ((onehot - p) / n, f"the sign is flipped (on {on}): the gradient of the loss is (p − y) / N, not (y − p) / N."),
    ])
    compare(got, expected, what="grad_logits", on=on)


# ---------------------------------------------------------------------------------------------------------
def check_gradient(f, grad_f):
    """``f(x)`` maps a 1-D array of 5 numbers to a number; ``grad_f(x)`` is its gradient, derived by hand.

    Three random points are three cases; a fourth asks that ``f`` be nonlinear (its right gradient must
    change from point to point).

    >>> check_gradient(lambda x: float(np.sum(x**3)), lambda x: 3 * x**2).passed
    True
    """
    rng = np.random.default_rng(8)
    points = [rng.uniform(-1.5, 1.5, size=5) for _ in range(3)]
    cases = [(f"x = {np.array2string(x, precision=2)}", x) for x in points]
    outcomes = [attempt(_gradient_case, f, grad_f, x, on=on) for on, x in cases]
    outcomes.append(attempt(_nonlinear_case, f, grad_f, points[:2], on="the first two points"))
    return grade(MY_GRADIENT, outcomes, "your analytic gradient matches central differences at 3 random points.")


def _gradient_case(f, grad_f, x, *, on):
    value = call(f, x, on=on)
    require(
        np.ndim(value) == 0,
        f"f(x) must return one number (a scalar), got an array of shape {np.shape(value)} (on {on}): sum or "
        "average to a scalar.",
    )
    value = one_number(value, "f(x)", on)
    require(np.isfinite(value), f"f(x) is not finite (on {on}): choose a function defined there.")
    analytic = numbers(call(grad_f, x, on=on), "grad_f(x)", on)
    require(
        analytic.shape == x.shape,
        f"grad_f(x) must have the shape of x, {x.shape}, got {analytic.shape} (on {on}).",
    )
    require(np.all(np.isfinite(analytic)), f"grad_f(x) contains NaN or infinity (on {on}).")
    numerical = call(lambda point: gradcheck.numerical_gradient(f, point), x, on=f"the numerical check, {on}")
    error = float(gradcheck.relative_error(analytic, numerical).max())
    flipped = float(gradcheck.relative_error(analytic, -numerical).max())
    require(
        not (gradcheck.verdict(error) == "wrong" and gradcheck.verdict(flipped) != "wrong"),
        f"grad_f has the wrong sign (on {on}): the numerical gradient is {np.array2string(numerical, precision=4)}.",
    )
    require(
        gradcheck.verdict(error) != "wrong",
        f"grad_f disagrees with the numerical gradient (on {on}): relative error {error:.2g} (want < 1e-4); "
        f"numerical {np.array2string(numerical, precision=4)}, yours {np.array2string(analytic, precision=4)}.",
    )


def _nonlinear_case(f, grad_f, points, *, on):
    """f must be nonlinear: a right gradient that differs between two points."""
    for x in points:
        _gradient_case(f, grad_f, x, on=f"x = {np.array2string(x, precision=2)}")
    first, second = (numbers(call(grad_f, x, on=on), "grad_f(x)", on) for x in points)
    require(
        not np.allclose(first, second),
        "your gradient is the same at every point, so f is linear and the check proves little: choose a "
        "nonlinear function (a product, a power, exp, sin, ...).",
    )


# ---------------------------------------------------------------------------------------------------------
def check_autograd_op(fn):
    """``fn(x)`` takes an :class:`nncourse.autograd.Tensor` and returns the Tensor
    ``softplus(x) = log(1 + eˣ)`` whose backward gives ``∂L/∂x = ∂L/∂out ⊙ σ(x)``.

    Four cases: the forward values, the backward pass chained with an upstream gradient, a backward that
    accumulates (x used twice), and stability at x = ±1000. Any correct construction passes, a new
    operation built with ``Tensor.from_op`` or a composition of the engine's own operations (the inputs stay
    off x = 0, where a softplus composed from ``relu`` inherits relu's derivative convention).

    >>> from nncourse.autograd import Tensor
    >>> from nncourse.functional import sigmoid
    >>> def softplus(x):
    ...     return Tensor.from_op(np.logaddexp(0, x.data), (x,), "softplus", lambda g: (g * sigmoid(x.data),))
    >>> check_autograd_op(softplus).passed
    True
    """
    values = np.array([-20.0, -2.0, -0.5, 0.3, 0.7, 3.0, 20.0])
    upstream = np.random.default_rng(9).normal(size=values.shape)
    on = "x = Tensor([-20, -2, -0.5, 0.3, 0.7, 3, 20], requires_grad=True)"
    outcomes = [
        attempt(_softplus_forward, fn, values, on=on),
        attempt(_softplus_backward, fn, values, upstream, on=f"(softplus(x) * w).sum().backward() with random w, {on}"),
        attempt(_softplus_accumulates, fn, values, on="(softplus(x) + 3 * softplus(x)).sum().backward(), x used twice"),
        attempt(_softplus_forward, fn, np.array([-1000.0, 1000.0]), on="x = Tensor([-1000, 1000])"),
    ]
    return grade(SOFTPLUS, outcomes, "softplus and its backward, σ(x) times the upstream gradient, work in the engine.")


def _softplus_output(fn, x, on):
    from nncourse.autograd import Tensor

    overflow = ("softplus overflows: e^1000 is infinite in floating point; use np.logaddexp(0, x), "
                "or max(x, 0) + log1p(exp(−|x|)).")
    out = call(fn, x, on=on, copy_args=False, warning_hint=overflow)
    require(
        isinstance(out, Tensor),
        f"return a Tensor built with Tensor.from_op(data, (x,), 'softplus', backward), got {type(out).__name__} "
        f"(on {on}): a NumPy array has no backward pass.",
    )
    return out


def _softplus_forward(fn, values, *, on):
    from nncourse.autograd import Tensor

    out = _softplus_output(fn, Tensor(values, requires_grad=True), on)
    compare(out.data, np.logaddexp(0.0, values), what="softplus(x).data", on=on)


def _softplus_backward(fn, values, upstream, *, on):
    from nncourse.autograd import Tensor

    x = Tensor(values, requires_grad=True)
    out = _softplus_output(fn, x, on)
    require(
        out.requires_grad,
        f"the output is not connected to x: it does not require a gradient (on {on}); build it from x, e.g. with "
        "Tensor.from_op(data, (x,), ...), so that backward() reaches x.",
    )
    call(lambda: (out * Tensor(upstream)).sum().backward(), on=on)
    require(
        x.grad is not None,
        f"x.grad is still None after backward (on {on}): the output is not connected to x; pass (x,) as the "
        "parents, so that backward() reaches x.",
    )
    s = sigmoid(values)
    diagnose(x.grad, upstream * s, [
        (s, f"x.grad is σ(x), the local derivative alone (on {on}): multiply it by the upstream gradient g that "
            "backward receives, g * σ(x)."),
    ])
    compare(x.grad, upstream * s, what="x.grad", on=on)


def _softplus_accumulates(fn, values, *, on):
    from nncourse.autograd import Tensor

    x = Tensor(values, requires_grad=True)
    call(lambda: (fn(x) + 3 * fn(x)).sum().backward(), on=on)
    require(x.grad is not None, f"x.grad is still None after backward (on {on}): the output is not connected to x.")
    compare(x.grad, 4 * sigmoid(values), what="x.grad", on=on)


# ---------------------------------------------------------------------------------------------------------
def _graph(name):
    """A fresh graph, in float64: ``(root, leaves)``, the leaves being the tensors that require a gradient.
    None of them is broadcast, so that a backward loop need not sum over broadcast axes."""
    from nncourse.autograd import Tensor

    rng = np.random.default_rng(10)
    x, y = (Tensor(rng.normal(size=3), requires_grad=True, label=n) for n in "xy")
    if name == "chain":
        root = ((x * y).tanh() * 2.0).sum()
        return root, (x, y)
    if name == "diamond":
        a = x * y
        return (x * a + a.exp()).sum(), (x, y)  # x is one step from x * a and two from a: reached twice
    if name == "neuron":
        w, v, b = (Tensor(np.array(value), requires_grad=True, label=n)
                   for n, value in (("w", 0.8), ("v", 1.5), ("b", -0.5)))
        return ((w * v + b).sigmoid() - Tensor(np.array(1.0))) ** 2, (w, v, b)
    inputs = Tensor(rng.normal(size=(4, 3)))
    weight = Tensor(rng.normal(size=(2, 3)), requires_grad=True, label="W")
    bias = Tensor(rng.normal(size=(4, 2)), requires_grad=True, label="B")
    return ((inputs @ weight.T + bias).relu() ** 2).mean(), (weight, bias)


_GRAPHS = {
    "chain": "L = (tanh(x * y) * 2).sum()",
    "diamond": "a = x * y; L = (x * a + a.exp()).sum(), where x and a are each used twice",
    "neuron": "Section 1's neuron, L = (σ(w v + b) − y)²",
    "layer": "L = (relu(X @ W.T + B) ** 2).mean(), with matrices",
}


def check_topological_sort(fn):
    """``fn(root)`` returns a list of every node of the graph that ends at ``root``, each once, each after all
    of its parents (its ``_parents``), ``root`` last.

    >>> from nncourse.autograd import Tensor
    >>> check_topological_sort(lambda root: root._topological_order()).passed
    True
    """
    outcomes = [attempt(_topological_case, fn, name, on=f"the graph {text}") for name, text in _GRAPHS.items()]
    return grade(TOPOLOGICAL_SORT, outcomes, "every node once, each after its parents, on all four graphs.")


def _topological_case(fn, name, *, on):
    from nncourse.autograd import Tensor

    root, _ = _graph(name)
    expected = root._topological_order()
    order = call(fn, root, on=on, copy_args=False)
    require(
        isinstance(order, (list, tuple)),
        f"return a list of the graph's Tensors, got {type(order).__name__} (on {on}).",
    )
    order = list(order)
    require(
        all(isinstance(node, Tensor) for node in order),
        f"the list must hold the graph's Tensors (the nodes), got {sorted({type(n).__name__ for n in order})} "
        f"(on {on}).",
    )
    ids = [id(node) for node in order]
    require(
        len(set(ids)) == len(ids),
        f"some nodes appear more than once (on {on}): {len(ids)} entries for {len(set(ids))} nodes; keep a set of "
        "visited nodes and visit each node only once.",
    )
    missing = len({id(node) for node in expected} - set(ids))
    require(
        missing == 0,
        f"{missing} of the graph's {len(expected)} nodes are missing (on {on}): start from the root and visit the "
        "parents of every node, recursively, down to the leaves.",
    )
    require(len(ids) == len(expected), f"the list holds nodes that are not in the graph (on {on}).")
    position = {node_id: i for i, node_id in enumerate(ids)}
    reversed_order = all(position[id(p)] > position[id(node)] for node in order for p in node._parents)
    require(
        not reversed_order,
        f"every node comes before its parents (on {on}): that is the reverse order; append a node after its "
        "parents (post-order), and let backward() walk the list reversed.",
    )
    late = [node for node in order if any(position[id(p)] > position[id(node)] for p in node._parents)]
    require(
        not late,
        f"{len(late)} node(s) come before one of their parents (on {on}): append a node to the list only after "
        "visiting all of its parents.",
    )


def check_backward_loop(fn):
    """``fn(root)`` runs the backward pass of the graph that ends at the one-element Tensor ``root``: each leaf
    that requires a gradient gets dL/d(leaf) (every path summed) **added** to its ``.grad`` (None counting as
    zero), exactly as ``root.backward()`` does.

    Five cases: the four graphs of :func:`check_topological_sort`, and the diamond again with ``x.grad``
    already holding a gradient (backward accumulates, as in PyTorch).

    >>> def backward(root):
    ...     root.grad = np.ones_like(root.data)
    ...     for node in reversed(root._topological_order()):
    ...         for parent, g in zip(node._parents, node._backward(node.grad) if node._parents else ()):
    ...             if parent.requires_grad:
    ...                 parent.grad = g if parent.grad is None else parent.grad + g
    >>> check_backward_loop(backward).passed
    True
    """
    outcomes = [attempt(_backward_case, fn, name, on=f"the graph {text}") for name, text in _GRAPHS.items()]
    outcomes.append(attempt(_backward_case, fn, "diamond", accumulate=True,
                            on=f"the graph {_GRAPHS['diamond']}, with x.grad = [1, 1, 1] from an earlier backward"))
    return grade(BACKWARD_LOOP, outcomes, "your loop gives the engine's gradients, summed over paths and accumulated.")


def _backward_case(fn, name, accumulate=False, *, on):
    reference, reference_leaves = _graph(name)
    reference.backward()
    root, leaves = _graph(name)
    before = np.ones_like(leaves[0].data)
    if accumulate:
        leaves[0].grad = before.copy()
    call(fn, root, on=on, copy_args=False)
    for leaf, expected in zip(leaves, reference_leaves, strict=True):
        what = f"{leaf.label or 'leaf'}.grad"
        require(
            leaf.grad is not None,
            f"{what} is still None after your backward (on {on}): start from root.grad = 1 (ones of the root's "
            "shape) and, in reversed topological order, pass each node's gradient to its parents with "
            "node._backward(node.grad).",
        )
        got = numbers(leaf.grad, what, on)
        want = expected.grad + (before if accumulate and leaf is leaves[0] else 0)
        if accumulate and leaf is leaves[0]:
            mistake(got, want, expected.grad,
                    f"{what} lost the gradient it held before (on {on}): backward adds into .grad (as in PyTorch); "
                    "treat None as zero and add to anything else.")
        if name == "diamond":
            require(
                got.shape != want.shape or np.allclose(got, want, rtol=1e-6, atol=1e-8),
                f"{what} is off (on {on}): a node used twice must receive the sum of both contributions; add "
                "each one into parent.grad instead of overwriting it, and pass a node's gradient on only after "
                "all of its users have contributed (reversed topological order).",
            )
        compare(got, want, what=what, on=on)
