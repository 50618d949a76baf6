"""Specification of nncourse.gradcheck: central differences, relative errors, verdicts, and the four checks.

Known derivatives come from calculus (d/dx sin = cos, ...), never from the code under test; module
gradients are also compared with PyTorch's autograd.
"""

import numpy as np
import pytest
import torch

from nncourse import nn
from nncourse.autograd import Tensor
from nncourse.gradcheck import (
    GradcheckReport,
    compare_gradients,
    gradcheck_autograd,
    gradcheck_function,
    gradcheck_loss,
    gradcheck_module,
    numerical_gradient,
    relative_error,
    verdict,
)

rng = np.random.default_rng(0)


def sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))


# --------------------------------------------------------------------------- numerical gradients

def test_numerical_gradient_of_known_functions():
    x = rng.normal(size=(3, 4))
    tol = {"rtol": 1e-7, "atol": 1e-9}  # central differences are accurate to about 1e-10 here
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**2), x), 2 * x, **tol)
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(np.sin(v)), x), np.cos(x), **tol)
    np.testing.assert_allclose(numerical_gradient(lambda v: np.log(np.sum(np.exp(v))), x),
                               np.exp(x) / np.exp(x).sum(), **tol)


def test_numerical_gradient_of_several_arrays_and_a_scalar():
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    ga, gb = numerical_gradient(lambda p, q: np.sum(p * q), a, b)
    np.testing.assert_allclose(ga, b, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(gb, a, rtol=1e-7, atol=1e-9)
    assert numerical_gradient(lambda t: t**3, 2.0) == pytest.approx(12.0, rel=1e-8)


def test_numerical_gradient_with_grad_output_is_a_vector_jacobian_product():
    x, g = rng.normal(size=5), rng.normal(size=5)
    np.testing.assert_allclose(numerical_gradient(lambda v: v**3, x, grad_output=g), 3 * x**2 * g,
                               rtol=1e-7, atol=1e-9)


def test_arrays_are_restored_exactly_and_closures_see_the_nudges():
    w = rng.normal(size=(2, 2))
    before = w.copy()
    x = np.array([1.0, -2.0])
    grad = numerical_gradient(lambda _: np.sum(w @ x), w)  # f reads w through the closure
    np.testing.assert_array_equal(w, before)
    np.testing.assert_allclose(grad, np.tile(x, (2, 1)), rtol=1e-7, atol=1e-9)


def test_the_quotient_divides_by_the_step_actually_taken():
    # At x = 1e8 the float64 spacing is 1.49e-8: x ± 2e-8 rounds to x ± 1.49e-8. The identity's slope is 1
    # only when the quotient divides by the rounded step; dividing by 2ε would give 0.745.
    x, eps = 1e8, 2e-8
    assert ((x + eps) - (x - eps)) / (2 * eps) == pytest.approx(0.745, abs=1e-3)
    assert numerical_gradient(lambda v: v[0], np.array([x]), eps=eps) == 1.0


def test_a_step_too_small_for_float64_is_refused_not_answered_with_zeros():
    x = np.array([1.5, -0.3])
    with pytest.raises(ValueError, match=r"eps=1e-300 is below the float64 resolution 2.2e-16 at the scale of "
                                         r"array 0 \(max\(\|x\|, 1\) = 1.5\).*rounding noise"):
        numerical_gradient(lambda v: np.sum(v**2), x, eps=1e-300)
    with pytest.raises(ValueError, match=r"eps=1e-10 is below the float64 resolution 1.5e-08.*= 1e\+08"):
        numerical_gradient(lambda v: np.sum(v), np.array([1e8]), eps=1e-10)
    # the smallest steps float64 resolves are allowed (a learner may watch the rounding error grow)
    assert np.all(np.isfinite(numerical_gradient(lambda v: np.sum(v**2), x, eps=1e-12)))


def test_float32_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="dtype float32.*float64"):
        numerical_gradient(lambda v: np.sum(v), np.ones(3, dtype=np.float32))
    with pytest.raises(ValueError, match="f returned dtype float32"):
        numerical_gradient(lambda v: np.sum(v).astype(np.float32), np.ones(3))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: numerical_gradient("f", np.ones(2)), "f must be a function"),
        (lambda: numerical_gradient(np.sum), "at least one array"),
        (lambda: numerical_gradient(np.sum, np.ones(2), eps=-1e-6), r"eps must be a number in \(0, 1\)"),
        (lambda: numerical_gradient(np.sum, np.ones(2), eps=0.0), r"eps must be a number in \(0, 1\)"),
        (lambda: numerical_gradient(lambda v: v * 2, np.ones(2)), r"scalar, got shape \(2,\).*grad_output="),
        (lambda: numerical_gradient(lambda v: v * 2, np.ones(2), grad_output=np.ones(3)), r"\(2,\).*\(3,\)"),
        (lambda: numerical_gradient(np.sum, ["a", "b"]), "must be a real numeric array"),
        (lambda: numerical_gradient(np.sum, [1 + 1j]), "must be a real numeric array"),
        (lambda: numerical_gradient(np.sum, np.array([1.0, np.inf])), "array 0 must contain only finite values"),
    ],
)
def test_numerical_gradient_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --------------------------------------------------------------------------- relative error, verdicts, reports

def test_relative_error_is_cs231ns():
    got = relative_error(np.array([1.0, 0.0, -2.0, 1e-12]), np.array([1.1, 0.0, 2.0, 0.0]))
    np.testing.assert_allclose(got, [0.1 / 1.1, 0.0, 4.0 / 2.0, 1e-12 / 1e-8])
    with pytest.raises(ValueError, match="same shape"):
        relative_error(np.ones(2), np.ones(3))


@pytest.mark.parametrize(
    ("error", "expected"),
    [(0.0, "exact"), (9e-8, "exact"), (1e-7, "close"), (9e-5, "close"), (1e-4, "wrong"), (0.5, "wrong"),
     (np.nan, "wrong")],
)
def test_verdict_thresholds(error, expected):
    assert verdict(error) == expected


def test_report_table_truth_value_and_lookup():
    report = compare_gradients({"w": np.array([1.0, 2.0]), "b": np.array([3.0])},
                               {"w": np.array([1.0, 2.0 + 1e-9]), "b": np.array([3.3])}, title="mine")
    assert isinstance(report, GradcheckReport)
    assert report["w"]["verdict"] == "exact" and report["b"]["verdict"] == "wrong"
    assert report["b"]["max_rel_error"] == pytest.approx(0.3 / 3.3)
    assert report["b"]["max_abs_error"] == pytest.approx(0.3)
    assert report.max_rel_error == pytest.approx(0.3 / 3.3)
    assert not report.ok and not report
    text = repr(report)
    assert text.splitlines()[0] == "mine: FAILED (2 arrays, max rel error 9.1e-02)"
    assert "max rel error" in text and "wrong" in text and "(2,)" in text
    assert "<table>" in report._repr_html_() and "wrong" in report._repr_html_()
    with pytest.raises(KeyError, match="no array named 'x'"):
        report["x"]
    with pytest.raises(ValueError, match="shapes differ"):
        compare_gradients(np.ones(2), np.ones(3))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: compare_gradients([], []), "no gradients to compare.*cannot pass"),
        (lambda: compare_gradients({}, {}), "no gradients to compare"),
        (lambda: compare_gradients([np.ones(0)], [np.ones(0)]), r"array 0 is empty \(shape \(0,\)\)"),
        (lambda: compare_gradients([np.ones(2)], [np.ones(2), np.ones(2)]), "1 analytic and 2 numerical"),
        (lambda: GradcheckReport([]), "a report needs at least one row"),
    ],
)
def test_a_comparison_of_nothing_is_an_error_not_a_pass(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --------------------------------------------------------------------------- gradcheck_function

def test_gradcheck_function_passes_a_correct_backward_and_catches_a_wrong_one():
    x = rng.normal(size=(4, 3))
    right = gradcheck_function(sigmoid, lambda g, z: g * sigmoid(z) * (1 - sigmoid(z)), x)
    assert isinstance(right, GradcheckReport)
    assert right.ok and right["z"]["verdict"] == "exact"
    forgot_a_factor = gradcheck_function(sigmoid, lambda g, z: g * sigmoid(z), x)
    assert not forgot_a_factor.ok and forgot_a_factor["z"]["verdict"] == "wrong"


def test_a_point_within_eps_of_a_kink_is_wrong_not_close_and_a_smaller_eps_clears_it():
    # ReLU at z = 3e-7 with eps = 1e-6: z ± eps straddles 0, the central difference is (z + eps) / (2 eps) = 0.65
    # while the (correct) backward pass says 1, so the relative error is 0.35, a "wrong" verdict.
    def relu(z):
        return np.maximum(z, 0)

    def relu_backward(grad_output, z):
        return grad_output * (z > 0)

    report = gradcheck_function(relu, relu_backward, np.array([3e-7]))
    assert report["z"]["verdict"] == "wrong" and report.max_rel_error == pytest.approx(0.35, rel=1e-6)
    assert gradcheck_function(relu, relu_backward, np.array([3e-7]), eps=1e-8).ok  # eps below the distance
    assert gradcheck_function(relu, relu_backward, np.array([3e-5])).ok  # a point farther than eps


def test_gradcheck_function_names_the_wrong_input_of_a_two_input_function():
    def product(a, b):
        return a @ b

    def backward(g, a, b):
        return g @ b.T, g.T @ a  # the second is the transpose of the right answer a.T @ g

    a, b = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    report = gradcheck_function(product, backward, a, b)
    assert report["a"]["verdict"] == "exact"
    assert report["b"]["verdict"] == "wrong"


def test_gradcheck_function_skips_integer_inputs():
    def nll(logp, target):
        return -np.mean(logp[np.arange(len(target)), target])

    def backward(g, logp, target):
        grad = np.zeros_like(logp)
        grad[np.arange(len(target)), target] = -g / len(target)
        return grad, None

    report = gradcheck_function(nll, backward, rng.normal(size=(4, 3)), np.array([0, 2, 1, 2]))
    assert report.ok and [row["name"] for row in report.rows] == ["logp"]


def not_autograd(z):
    return np.tanh(z)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: gradcheck_function(sigmoid, lambda g, z: g), "at least one input"),
        (lambda: gradcheck_function(42, lambda g, z: g, np.ones(2)), "fn must be a function"),
        (lambda: gradcheck_function(sigmoid, "no", np.ones(2)), "backward must be a function"),
        (lambda: gradcheck_function(sigmoid, lambda g, z: np.ones(3), np.ones(2)),
         r"the gradient of z has shape \(3,\), not \(2,\)"),
        (lambda: gradcheck_function(lambda a, b: a, lambda g, a, b: (g,), np.ones(2), np.ones(2)),
         "1 gradients for 2 inputs"),
        (lambda: gradcheck_function(sigmoid, lambda g, z: g, np.ones(2), grad_output=np.ones(3)),
         r"grad_output must have the output's shape \(2,\)"),
        (lambda: gradcheck_function(sigmoid, lambda g, z: g, np.ones(2, dtype=np.float32)), "float64"),
        (lambda: gradcheck_function(lambda t: t, lambda g, t: g, np.array([1, 2])), "no floating-point input"),
        (lambda: gradcheck_function(sigmoid, lambda g, z: None, np.ones(2)), "None for every floating-point"),
    ],
)
def test_gradcheck_function_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --------------------------------------------------------------------------- gradcheck_autograd

def test_gradcheck_autograd_of_an_expression():
    report = gradcheck_autograd(lambda a, b: (a @ b).tanh().sum() + (a * a).mean(), rng.normal(size=(2, 3)),
                                rng.normal(size=(3, 4)))
    assert report.ok and report.max_rel_error < 1e-7
    vector = gradcheck_autograd(lambda a: a.sigmoid() * a, rng.normal(size=(5,)))  # random grad_output
    assert vector.ok and vector.rows[0]["shape"] == (5,)


def test_gradcheck_autograd_catches_a_wrong_operation():
    def wrong_exp(t):  # the backward forgets the factor e^x
        return Tensor.from_op(np.exp(t.data), (t,), "exp", lambda g: (g,))

    report = gradcheck_autograd(lambda a: wrong_exp(a).sum(), rng.normal(size=4))
    assert not report.ok


def test_gradcheck_autograd_of_a_constant_output_checks_zero_gradients():
    report = gradcheck_autograd(lambda a: Tensor(np.ones(2, dtype=np.float64)) * 3, rng.normal(size=2))
    assert report.ok and report["a"]["max_abs_error"] == 0.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: gradcheck_autograd(lambda a: a), "at least one input"),
        (lambda: gradcheck_autograd(not_autograd, np.ones(2)), "autograd Tensors.*use gradcheck_function"),
        (lambda: gradcheck_autograd(lambda z: z.data, np.ones(2)), "not an autograd Tensor.*gradcheck_function"),
        (lambda: gradcheck_autograd(lambda a: a.tanh(), np.ones(2, dtype=np.float32)), "float64"),
    ],
)
def test_gradcheck_autograd_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --------------------------------------------------------------------------- gradcheck_module

def test_linear_layer_input_weight_and_bias_are_exact():
    layer = nn.Linear(3, 2, dtype=np.float64, rng=0)
    report = gradcheck_module(layer, rng.normal(size=(5, 3)))
    assert [row["name"] for row in report.rows] == ["input", "weight", "bias"]
    assert all(row["verdict"] == "exact" for row in report.rows), report
    assert np.any(layer.weight.grad != 0)  # the module keeps the analytic gradients


def test_a_network_with_every_activation_passes():
    f64 = {"dtype": np.float64}
    model = nn.Sequential(nn.Linear(4, 6, rng=1, **f64), nn.Tanh(), nn.Linear(6, 5, rng=2, **f64),
                          nn.Sigmoid(), nn.Linear(5, 3, rng=3, **f64), nn.SiLU(), nn.GELU())
    report = gradcheck_module(model, rng.normal(size=(6, 4)))
    assert report.ok, report
    assert [row["name"] for row in report.rows] == ["input", "0.weight", "0.bias", "2.weight", "2.bias",
                                                    "4.weight", "4.bias"]


class BuggyLinear(nn.Linear):
    """A Linear whose backward averages the bias gradient over the batch instead of summing it."""

    def backward(self, grad_output):
        grad_input = super().backward(grad_output)
        self.bias.grad[...] = grad_output.mean(axis=0)
        return grad_input


def test_a_deliberately_buggy_layer_is_caught_in_the_right_array():
    report = gradcheck_module(BuggyLinear(3, 2, dtype=np.float64, rng=0), rng.normal(size=(5, 3)))
    assert not report.ok
    assert report["bias"]["verdict"] == "wrong"
    assert report["weight"]["verdict"] == "exact" and report["input"]["verdict"] == "exact"


def test_module_gradients_agree_with_pytorch():
    layer = nn.Linear(3, 4, dtype=np.float64, rng=5)
    x, g = rng.normal(size=(6, 3)), rng.normal(size=(6, 4))
    gradcheck_module(layer, x, grad_output=g)  # leaves the analytic gradients in .grad
    w = torch.tensor(layer.weight.data, requires_grad=True)
    b = torch.tensor(layer.bias.data, requires_grad=True)
    (torch.nn.functional.linear(torch.tensor(x), w, b) * torch.tensor(g)).sum().backward()
    report = compare_gradients({"weight": layer.weight.grad, "bias": layer.bias.grad},
                               {"weight": w.grad.numpy(), "bias": b.grad.numpy()})
    assert report.ok and report.max_rel_error < 1e-12


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: gradcheck_module(nn.Linear(3, 2), rng.normal(size=(2, 3))),
         r"gradcheck_module\(Linear\): parameter weight has dtype float32.*float64"),
        (lambda: gradcheck_module(nn.Linear(3, 2, dtype=np.float64), rng.normal(size=(2, 3)),
                                  grad_output=np.ones((2, 3))), r"grad_output must have the output's shape \(2, 2\)"),
        (lambda: gradcheck_module(sigmoid, np.ones(2)), r"gradcheck_module\(function\): expected an nncourse.nn "
                                                        r"module, got function"),
        (lambda: gradcheck_module(nn.MSELoss(), np.ones(2)), r"gradcheck_module\(MSELoss\): calling it with 1 "
                                                             r"argument\(s\) failed.*use gradcheck_loss"),
    ],
)
def test_gradcheck_module_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --------------------------------------------------------------------------- gradcheck_loss

@pytest.mark.parametrize(
    ("criterion", "prediction", "target"),
    [
        (nn.MSELoss(), rng.normal(size=(4, 2)), rng.normal(size=(4, 2))),
        (nn.MSELoss(reduction="sum"), rng.normal(size=(4, 2)), rng.normal(size=(4, 2))),
        (nn.CrossEntropyLoss(), rng.normal(size=(5, 3)), np.array([0, 2, 1, 1, 0])),
        (nn.BCEWithLogitsLoss(), rng.normal(size=(4, 1)), np.array([[0.0], [1.0], [1.0], [0.0]])),
        (nn.BCELoss(), sigmoid(rng.normal(size=(4, 1))), np.array([[0.0], [1.0], [1.0], [0.0]])),
    ],
)
def test_losses_are_checked_for_the_loss_itself(criterion, prediction, target):
    report = gradcheck_loss(criterion, prediction, target)
    assert [row["name"] for row in report.rows] == ["input"]
    assert report["input"]["verdict"] == "exact", report


class HalfGradientMSE(nn.MSELoss):
    """An MSE whose backward forgets the factor 2 of d(ŷ - y)²/dŷ."""

    def backward(self):
        return super().backward() / 2


def test_a_loss_with_a_wrong_backward_fails():
    report = gradcheck_loss(HalfGradientMSE(), rng.normal(size=(3, 2)), rng.normal(size=(3, 2)))
    assert not report.ok and report["input"]["verdict"] == "wrong"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: gradcheck_loss(nn.Linear(2, 2, dtype=np.float64), np.ones((1, 2)), np.ones((1, 2))),
         r"gradcheck_loss\(Linear\): calling it with 2 argument\(s\) failed.*use gradcheck_module"),
        (lambda: gradcheck_loss(nn.MSELoss(), np.ones(2, dtype=np.float32), np.ones(2)), "float64"),
        (lambda: gradcheck_loss("mse", np.ones(2), np.ones(2)), "expected an nncourse.nn module, got str"),
    ],
)
def test_gradcheck_loss_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_every_entry_point_returns_a_report():
    x = rng.normal(size=(2, 3))
    reports = [
        gradcheck_function(np.tanh, lambda g, z: g * (1 - np.tanh(z) ** 2), x),
        gradcheck_autograd(lambda a: a.tanh(), x),
        gradcheck_module(nn.Tanh(), x),
        gradcheck_loss(nn.MSELoss(), x, np.zeros((2, 3))),
        compare_gradients(x, x),
    ]
    assert all(type(report) is GradcheckReport and report.ok for report in reports)
