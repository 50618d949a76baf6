"""Chapter 5 checkers: a right answer passes; an unsolved stub and typical mistakes get a specific hint."""

import numpy as np
import pytest

from nncourse.exercises import ch05


def stub(*args):
    raise NotImplementedError()


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
    assert result.passed, result.message


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
    result = ch05.check_linear_backward(wrong)
    assert not result.passed
    assert words in result.message


# -- Sigmoid -----------------------------------------------------------------------------------------------


def sigmoid_backward(z, grad_output):
    s = sigmoid(z)
    return grad_output * s * (1 - s)


def test_sigmoid_reference_passes():
    assert ch05.check_sigmoid_backward(sigmoid_backward).passed


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
    result = ch05.check_sigmoid_backward(wrong)
    assert not result.passed
    assert words in result.message


# -- Softmax + cross-entropy -------------------------------------------------------------------------------


def softmax_cross_entropy_backward(logits, targets):
    n = len(targets)
    return (softmax(logits) - np.eye(logits.shape[1])[targets]) / n


def test_softmax_cross_entropy_reference_passes():
    assert ch05.check_softmax_cross_entropy_backward(softmax_cross_entropy_backward).passed


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
    result = ch05.check_softmax_cross_entropy_backward(wrong)
    assert not result.passed
    assert words in result.message


# -- Gradient check on a function of one's choice ----------------------------------------------------------


def f(x):
    return float(np.sum(np.sin(x) * x**2))


def grad_f(x):
    return np.cos(x) * x**2 + 2 * x * np.sin(x)


def test_gradient_reference_passes():
    assert ch05.check_gradient(f, grad_f).passed


@pytest.mark.parametrize(
    ("fn", "grad", "words"),
    [
        (stub, grad_f, "not implemented"),
        (f, stub, "not implemented"),
        (f, lambda x: np.cos(x) * x**2, "disagrees with the numerical gradient"),
        (f, lambda x: -grad_f(x), "wrong sign"),
        (lambda x: np.sin(x) * x**2, grad_f, "one number"),
        (f, lambda x: grad_f(x)[:3], "shape of x"),
        (lambda x: float(np.sum(3 * x)), lambda x: np.full_like(x, 3.0), "nonlinear"),
    ],
)
def test_gradient_mistakes_are_explained(fn, grad, words):
    result = ch05.check_gradient(fn, grad)
    assert not result.passed
    assert words in result.message


# -- A new operation for the autograd engine ---------------------------------------------------------------


def softplus(x):
    from nncourse.autograd import Tensor

    def backward(g):
        return (g * sigmoid(x.data),)

    return Tensor.from_op(np.logaddexp(0, x.data), (x,), "softplus", backward)


def test_autograd_op_reference_passes():
    assert ch05.check_autograd_op(softplus).passed


def test_autograd_op_reference_matches_torch():
    torch = pytest.importorskip("torch")
    from nncourse.autograd import Tensor

    values = np.linspace(-5, 5, 7)
    x, xt = Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    (softplus(x) * 2).sum().backward()
    (torch.nn.functional.softplus(xt) * 2).sum().backward()
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12)


def wrong_op(data, local):
    """A softplus whose forward is ``data(x)`` and whose backward returns ``local(x, g)``."""
    from nncourse.autograd import Tensor

    def op(x):
        return Tensor.from_op(data(x.data), (x,), "softplus", lambda g: local(x.data, g))

    return op


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda x: np.logaddexp(0, x.data), "return a Tensor"),
        (wrong_op(lambda v: np.logaddexp(0, v), lambda v, g: (sigmoid(v),)), "upstream"),
        (wrong_op(lambda v: np.logaddexp(0, v), lambda v, g: g * sigmoid(v)), "one gradient per parent"),
        (wrong_op(lambda v: np.logaddexp(0, v), lambda v, g: (g * np.logaddexp(0, v),)), "x.grad is off"),
        (wrong_op(lambda v: np.log(1 + np.exp(v)), lambda v, g: (g * sigmoid(v),)), "overflows"),
        (wrong_op(np.exp, lambda v, g: (g * sigmoid(v),)), "softplus(x).data is off"),
    ],
)
def test_autograd_op_mistakes_are_explained(wrong, words):
    result = ch05.check_autograd_op(wrong)
    assert not result.passed
    assert words in result.message


def test_autograd_op_not_connected_to_x():
    from nncourse.autograd import Tensor

    result = ch05.check_autograd_op(lambda x: Tensor(np.logaddexp(0, x.data)))
    assert not result.passed
    assert "not connected to x" in result.message
