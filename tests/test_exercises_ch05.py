"""Chapter 5 checkers: a right answer gets full points; an unsolved stub and typical mistakes get a specific
hint and partial or no credit; the holes a learner found are closed."""

import numpy as np
import pytest

from nncourse.autograd import Tensor
from nncourse.exercises import ch05


def stub(*args):
    raise NotImplementedError()


def assert_rejected(result, words):
    assert not result.passed
    assert words in result.message, result.message
    assert 0 <= result.score < result.points


def sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))  # the same function, written without overflow


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# -- Linear ------------------------------------------------------------------------------------------------


def linear_backward(x, weight, grad_output):
    return grad_output @ weight, grad_output.T @ x, grad_output.sum(axis=0)


def test_linear_reference_passes():
    result = ch05.check_linear_backward(linear_backward)
    assert result.passed and result.score == 3 and result.n_cases == 6, result.message


def test_linear_reference_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x, w, b, g = rng.normal(size=(5, 3)), rng.normal(size=(2, 3)), rng.normal(size=2), rng.normal(size=(5, 2))
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    (xt @ wt.T + bt).backward(torch.tensor(g))
    for ours, theirs in zip(linear_backward(x, w, g), (xt.grad, wt.grad, bt.grad), strict=True):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda x, w, g: (g @ w, x.T @ g, g.sum(axis=0)), "transposed"),
        (lambda x, w, g: (g @ w, g.T @ x / len(x), g.sum(axis=0)), "times too small"),
        (lambda x, w, g: (g @ w, g.T @ x, g.mean(axis=0)), "sum over the rows"),
        (lambda x, w, g: (g @ w, g.T @ x, g), "bias's shape"),
        (lambda x, w, g: (-(g @ w), g.T @ x, g.sum(axis=0)), "grad_input is off"),
        (lambda x, w, g: (g @ w.T, g.T @ x, g.sum(axis=0)), "raised ValueError"),
        (lambda x, w, g: g @ w, "tuple"),
        (lambda x, w, g: (g @ w, g.T @ x), "length 2"),
    ],
)
def test_linear_mistakes_are_explained(wrong, words):
    assert_rejected(ch05.check_linear_backward(wrong), words)


def test_linear_scores_each_gradient():
    result = ch05.check_linear_backward(lambda x, w, g: (g @ w, g.T @ x, g.mean(axis=0)))
    assert (result.n_passed, result.n_cases) == (4, 6) and result.score == 2


def test_linear_hidden_case_of_the_notebook():
    rng = np.random.default_rng(51)
    hidden = [(rng.normal(size=(3, 5)), rng.normal(size=(2, 5)), rng.normal(size=(3, 2)))]
    assert ch05.check_linear_backward(linear_backward, hidden).n_cases == 9
    three_inputs_only = lambda x, w, g: linear_backward(x, w, g) if x.shape[1] == 3 else stub()  # noqa: E731
    assert ch05.check_linear_backward(three_inputs_only, hidden).n_passed == 6


# -- Sigmoid -----------------------------------------------------------------------------------------------


def sigmoid_backward(z, grad_output):
    s = sigmoid(z)
    return grad_output * s * (1 - s)


def test_sigmoid_reference_passes():
    result = ch05.check_sigmoid_backward(sigmoid_backward)
    assert result.score == 2 and result.n_cases == 3


def test_sigmoid_backward_is_checked_at_plus_and_minus_1e4():
    # exp(1e4) overflows even in float64; only the case at ±1e4 exposes a sigmoid that is stable up to ±1000.
    def stable_to_1000(z, grad_output):
        s = 1 / (1 + np.exp(-np.clip(z, -1000, 1000) / 1000 * 700))
        s = np.where(np.abs(z) <= 700, 1 / (1 + np.exp(-np.clip(z, -700, 700))), s)
        return grad_output * s * (1 - s)

    def overflows_at_1e4(z, grad_output):
        s = 1 / (1 + np.exp(-z)) if np.abs(z).max() > 1000 else sigmoid(z)
        return grad_output * s * (1 - s)

    assert ch05.check_sigmoid_backward(stable_to_1000).passed
    result = ch05.check_sigmoid_backward(overflows_at_1e4)
    assert_rejected(result, "on z = [-1e4, 1e4]")
    assert (result.n_passed, result.n_cases) == (2, 3)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda z, g: sigmoid(z) * (1 - sigmoid(z)), "upstream gradient"),
        (lambda z, g: g * z * (1 - z), "to z itself"),
        (lambda z, g: g * sigmoid(z), "grad_input is off"),
        (lambda z, g: None, "None"),
    ],
)
def test_sigmoid_mistakes_are_explained(wrong, words):
    assert_rejected(ch05.check_sigmoid_backward(wrong), words)


def test_sigmoid_backward_with_an_unstable_sigmoid_loses_the_large_case():
    # It used to pass: the largest input tested was 8.
    def unstable(z, grad_output):
        s = 1 / (1 + np.exp(-z))
        return grad_output * s * (1 - s)

    def unstable_derivative(z, grad_output):
        with np.errstate(over="ignore", invalid="ignore"):
            return grad_output * np.exp(-z) / (1 + np.exp(-z)) ** 2

    result = ch05.check_sigmoid_backward(unstable)
    assert_rejected(result, "NumPy warned 'overflow encountered in exp'")
    assert result.n_passed == 1
    assert_rejected(ch05.check_sigmoid_backward(unstable_derivative), "contains NaN or infinity")


# -- Softmax + cross-entropy -------------------------------------------------------------------------------


def softmax_cross_entropy_backward(logits, targets):
    n = len(targets)
    return (softmax(logits) - np.eye(logits.shape[1])[targets]) / n


def test_softmax_cross_entropy_reference_passes():
    assert ch05.check_softmax_cross_entropy_backward(softmax_cross_entropy_backward).score == 2


def test_softmax_cross_entropy_reference_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    logits, targets = rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
    z = torch.tensor(logits, requires_grad=True)
    torch.nn.functional.cross_entropy(z, torch.tensor(targets)).backward()
    np.testing.assert_allclose(softmax_cross_entropy_backward(logits, targets), z.grad.numpy(), rtol=1e-12)


def naive_softmax_gradient(logits, targets):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(logits)
        p = e / e.sum(axis=1, keepdims=True)
    return (p - np.eye(logits.shape[1])[targets]) / len(targets)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda z, t: softmax(z) - np.eye(z.shape[1])[t], "divide p − y by N"),
        (lambda z, t: softmax(z) / len(t), "subtract the one-hot"),
        (lambda z, t: (np.eye(z.shape[1])[t] - softmax(z)) / len(t), "sign is flipped"),
        (naive_softmax_gradient, "subtract each row's maximum"),
        (lambda z, t: softmax(z)[np.arange(len(t)), t], "shape"),
    ],
)
def test_softmax_cross_entropy_mistakes_are_explained(wrong, words):
    assert_rejected(ch05.check_softmax_cross_entropy_backward(wrong), words)


# -- Gradient check on a function of one's choice ----------------------------------------------------------


def f(x):
    return float(np.sum(np.sin(x) * x**2))


def grad_f(x):
    return np.cos(x) * x**2 + 2 * x * np.sin(x)


def test_gradient_reference_passes():
    result = ch05.check_gradient(f, grad_f)
    assert result.passed and result.score == 3 and result.n_cases == 4


@pytest.mark.parametrize(
    ("fn", "grad", "words"),
    [
        (stub, grad_f, "not implemented"),
        (f, stub, "not implemented"),
        (f, lambda x: np.cos(x) * x**2, "disagrees with the numerical gradient"),
        (f, lambda x: -grad_f(x), "wrong sign"),
        (lambda x: np.sin(x) * x**2, grad_f, "one number"),
        (f, lambda x: grad_f(x)[:3], "shape of x"),
        (f, lambda x: grad_f(x) + 1j, "is complex"),
        (lambda x: float(np.sum(3 * x)), lambda x: np.full_like(x, 3.0), "nonlinear"),
    ],
)
def test_gradient_mistakes_are_explained(fn, grad, words):
    assert_rejected(ch05.check_gradient(fn, grad), words)


def test_gradient_of_a_linear_function_earns_three_of_four_cases():
    result = ch05.check_gradient(lambda x: float(np.sum(3 * x)), lambda x: np.full_like(x, 3.0))
    assert (result.n_passed, result.n_cases) == (3, 4)


# -- A new operation for the autograd engine ---------------------------------------------------------------


def softplus(x):
    def backward(g):
        return (g * sigmoid(x.data),)

    return Tensor.from_op(np.logaddexp(0, x.data), (x,), "softplus", backward)


def softplus_composed(x):
    """softplus(x) = relu(x) + log(1 + e^(-|x|)), built from the engine's own operations."""
    absolute = x.relu() + (-x).relu()
    return x.relu() + (1 + (-absolute).exp()).log()


def test_autograd_op_reference_passes():
    result = ch05.check_autograd_op(softplus)
    assert result.passed and result.score == 3 and result.n_cases == 4


def test_autograd_op_accepts_a_softplus_composed_of_the_engines_operations():
    # It used to be rejected with the false message "not connected to x": its parents are not x itself.
    result = ch05.check_autograd_op(softplus_composed)
    assert result.passed, result.message


def test_autograd_op_reference_matches_torch():
    torch = pytest.importorskip("torch")
    values = np.array([-5.0, -1.5, -0.1, 0.2, 1.0, 4.0])
    for op in (softplus, softplus_composed):
        x, xt = Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
        (op(x) * 2).sum().backward()
        (torch.nn.functional.softplus(xt) * 2).sum().backward()
        np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12)


def wrong_op(data, local):
    """A softplus whose forward is ``data(x)`` and whose backward returns ``local(x, g)``."""

    def op(x):
        return Tensor.from_op(data(x.data), (x,), "softplus", lambda g: local(x.data, g))

    return op


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda x: np.logaddexp(0, x.data), "return a Tensor"),
        (wrong_op(lambda v: np.logaddexp(0, v), lambda v, g: (sigmoid(v),)), "upstream"),
        (wrong_op(lambda v: np.logaddexp(0, v), lambda v, g: g * sigmoid(v)), "your code raised ValueError"),
        (wrong_op(lambda v: np.logaddexp(0, v), lambda v, g: (g * np.logaddexp(0, v),)), "x.grad is off"),
        (wrong_op(lambda v: np.log(1 + np.exp(v)), lambda v, g: (g * sigmoid(v),)), "softplus overflows"),
        (wrong_op(np.exp, lambda v, g: (g * sigmoid(v),)), "softplus(x).data is off"),
        (lambda x: Tensor(np.logaddexp(0, x.data)), "not connected to x"),
    ],
)
def test_autograd_op_mistakes_are_explained(wrong, words):
    assert_rejected(ch05.check_autograd_op(wrong), words)


def test_a_composed_softplus_has_relus_kink_at_zero():
    # Built from relu, its gradient at x = 0 takes relu'(0) = 0 twice and comes out 0, not σ(0) = 1/2: a
    # property of composing kinks, not a mistake, so the checker keeps its inputs off x = 0.
    x = Tensor(np.array([0.0]), requires_grad=True)
    softplus_composed(x).sum().backward()
    assert x.grad.tolist() == [0.0]


def test_autograd_op_gives_credit_per_property():
    unstable = wrong_op(lambda v: np.log(1 + np.exp(v)), lambda v, g: (g * sigmoid(v),))
    assert ch05.check_autograd_op(unstable).n_passed == 3  # right everywhere but at x = ±1000


# -- The engine's topological sort and backward() loop -----------------------------------------------------


def topological_sort(root):
    order, visited = [], set()

    def visit(node):
        if id(node) not in visited:
            visited.add(id(node))
            for parent in node._parents:
                visit(parent)
            order.append(node)

    visit(root)
    return order


def backward(root):
    root.grad = np.ones_like(root.data)
    for node in reversed(topological_sort(root)):
        for parent, g in zip(node._parents, node._backward(node.grad) if node._parents else (), strict=True):
            if parent.requires_grad:
                parent.grad = g if parent.grad is None else parent.grad + g


def test_topological_sort_reference_passes():
    result = ch05.check_topological_sort(topological_sort)
    assert result.passed and result.score == 2 and result.n_cases == 4, result.message


def without_visited_set(root):
    order = []

    def visit(node):
        for parent in node._parents:
            visit(parent)
        order.append(node)

    visit(root)
    return order


def pre_order(root):
    return topological_sort(root)[::-1]


def breadth_first(root):
    order, frontier, seen = [], [root], set()
    while frontier:
        node = frontier.pop(0)
        if id(node) not in seen:
            seen.add(id(node))
            order.append(node)
            frontier.extend(node._parents)
    return order[::-1]  # a node found early by a short path can come out before a node that uses it


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda root: None, "return a list"),
        (lambda root: [str(node) for node in topological_sort(root)], "the graph's Tensors"),
        (without_visited_set, "more than once"),
        (pre_order, "reverse order"),
        (lambda root: [*root._parents, root], "missing"),
        (lambda root: topological_sort(root) + [root._parents[0]._parents[0]], "more than once"),
    ],
)
def test_topological_sort_mistakes_are_explained(wrong, words):
    assert_rejected(ch05.check_topological_sort(wrong), words)


def test_reversed_breadth_first_order_fails_where_a_node_has_paths_of_different_lengths():
    result = ch05.check_topological_sort(breadth_first)
    assert not result.passed and "before one of their parents" in result.message, result.message


def test_backward_loop_reference_passes_and_agrees_with_torch():
    result = ch05.check_backward_loop(backward)
    assert result.passed and result.score == 3 and result.n_cases == 5, result.message
    torch = pytest.importorskip("torch")
    values = np.random.default_rng(0).normal(size=(2, 3))
    x, y = (Tensor(v, requires_grad=True) for v in values)
    xt, yt = (torch.tensor(v, requires_grad=True) for v in values)
    backward(((x * y) * x + (x * y).exp()).sum())
    ((xt * yt) * xt + (xt * yt).exp()).sum().backward()
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(y.grad, yt.grad.numpy(), rtol=1e-12)


def overwriting(root):
    root.grad = np.ones_like(root.data)
    for node in reversed(topological_sort(root)):
        for parent, g in zip(node._parents, node._backward(node.grad) if node._parents else (), strict=True):
            parent.grad = g  # BUG: a node used twice keeps only its last contribution


def zeroing_first(root):
    for node in topological_sort(root):
        node.grad = np.zeros_like(node.data)  # BUG: wipes what an earlier backward left in the leaves
    backward(root)


def forward_order(root):
    root.grad = np.ones_like(root.data)
    for node in topological_sort(root):  # BUG: parents before the node that feeds them their gradient
        for parent, g in zip(node._parents, node._backward(node.grad) if node._parents else (), strict=True):
            parent.grad = g if parent.grad is None else parent.grad + g


def local_derivatives_only(root):
    root.grad = np.ones_like(root.data)
    for node in reversed(topological_sort(root)):
        for parent, g in zip(node._parents, node._backward(np.ones_like(node.data)) if node._parents else (),
                             strict=True):
            parent.grad = g if parent.grad is None else parent.grad + g  # BUG: ignores node.grad, no chain rule


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda root: None, "still None"),
        (overwriting, "sum of both contributions"),
        (zeroing_first, "lost the gradient it held before"),
        (forward_order, "your code raised"),
        (local_derivatives_only, "is off"),
    ],
)
def test_backward_loop_mistakes_are_explained(wrong, words):
    assert_rejected(ch05.check_backward_loop(wrong), words)


def test_backward_loop_gives_credit_per_graph():
    assert ch05.check_backward_loop(zeroing_first).n_passed == 4  # right but for the accumulation
    assert ch05.check_backward_loop(overwriting).n_passed == 3  # the chain and the neuron use no node twice
