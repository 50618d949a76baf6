"""Specification of ``nncourse.functional``: every activation and derivative equals PyTorch's, in float64.

Three kinds of comparison:

* on ordinary inputs (|x| <= 4), values against ``torch.nn.functional`` and derivatives against torch
  autograd, to rtol 1e-11 (observed: a few 1e-15 at most, except GELU's left side near x = -4, where
  PyTorch's ½ (1 + erf) itself cancels);
* on random and extreme inputs (up to ±1e4), the same comparison to rtol 1e-7 plus an absolute 1e-14:
  in the far tails PyTorch computes 1 - σ(x), 1 - tanh²(x) or 1 + erf(x) and rounds them to 0, while we
  keep full precision, so the two differ there by float64 rounding in absolute value (< 5e-15);
* in those tails, our values against 50-digit references from mpmath (torch's own dependency) to rtol 1e-12.
"""

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import nncourse.functional as F

RNG = np.random.default_rng(2)
ORDINARY = np.concatenate([RNG.uniform(-4, 4, 400), [-1.0, -1e-8, 0.0, 1e-8, 1.0]])
EXTREME = np.array([-1e4, -1e3, -100.0, -40.0, -20.0, -10.0, 10.0, 20.0, 40.0, 100.0, 1e3, 1e4])
WIDE = np.concatenate([RNG.normal(0, 5, 400), RNG.uniform(-30, 30, 400), EXTREME])
TAILS = np.array([-30.0, -20.0, -12.0, -8.0, -6.0, 6.0, 8.0, 12.0, 20.0, 30.0])

# name -> (ours, torch forward)
ELEMENTWISE = {
    "sigmoid": (F.sigmoid, torch.sigmoid),
    "tanh": (F.tanh, torch.tanh),
    "relu": (F.relu, TF.relu),
    "leaky_relu": (F.leaky_relu, TF.leaky_relu),
    "leaky_relu_0.2": (lambda x: F.leaky_relu(x, negative_slope=0.2), lambda t: TF.leaky_relu(t, 0.2)),
    "gelu": (F.gelu, TF.gelu),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), lambda t: TF.gelu(t, approximate="tanh")),
    "silu": (F.silu, TF.silu),
    "elu": (F.elu, TF.elu),
    "elu_0.5": (lambda x: F.elu(x, alpha=0.5), lambda t: TF.elu(t, alpha=0.5)),
    "softplus": (F.softplus, TF.softplus),
    "softplus_beta2": (lambda x: F.softplus(x, beta=2.0, threshold=5.0), lambda t: TF.softplus(t, 2.0, 5.0)),
}
# name -> (our derivative, torch forward whose autograd gives the reference)
DERIVATIVES = {
    "sigmoid_grad": (F.sigmoid_grad, torch.sigmoid),
    "tanh_grad": (F.tanh_grad, torch.tanh),
    "relu_grad": (F.relu_grad, TF.relu),
    "leaky_relu_grad": (F.leaky_relu_grad, TF.leaky_relu),
    "leaky_relu_grad_0.2": (lambda x: F.leaky_relu_grad(x, 0.2), lambda t: TF.leaky_relu(t, 0.2)),
    "gelu_grad": (F.gelu_grad, TF.gelu),
    "gelu_grad_tanh": (lambda x: F.gelu_grad(x, "tanh"), lambda t: TF.gelu(t, approximate="tanh")),
    "silu_grad": (F.silu_grad, TF.silu),
    "elu_grad": (F.elu_grad, TF.elu),
    "elu_grad_0.5": (lambda x: F.elu_grad(x, 0.5), lambda t: TF.elu(t, 0.5)),
    "softplus_grad": (F.softplus_grad, TF.softplus),
    "softplus_grad_beta2": (lambda x: F.softplus_grad(x, 2.0, 5.0), lambda t: TF.softplus(t, 2.0, 5.0)),
}


def torch_value(fn, x):
    return fn(torch.tensor(x, dtype=torch.float64)).numpy()


def torch_derivative(fn, x):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    fn(t).sum().backward()
    return t.grad.numpy()


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_values_match_torch_on_ordinary_inputs(name):
    ours, ref = ELEMENTWISE[name]
    np.testing.assert_allclose(ours(ORDINARY), torch_value(ref, ORDINARY), rtol=1e-11, atol=0)


@pytest.mark.parametrize("name", DERIVATIVES)
def test_derivatives_match_torch_autograd_on_ordinary_inputs(name):
    ours, ref = DERIVATIVES[name]
    np.testing.assert_allclose(ours(ORDINARY), torch_derivative(ref, ORDINARY), rtol=1e-11, atol=0)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_values_match_torch_on_wide_and_extreme_inputs(name):
    ours, ref = ELEMENTWISE[name]
    np.testing.assert_allclose(ours(WIDE), torch_value(ref, WIDE), rtol=1e-7, atol=1e-14)


@pytest.mark.parametrize("name", DERIVATIVES)
def test_derivatives_match_torch_autograd_on_wide_and_extreme_inputs(name):
    ours, ref = DERIVATIVES[name]
    np.testing.assert_allclose(ours(WIDE), torch_derivative(ref, WIDE), rtol=1e-7, atol=1e-14)


def _mp_reference():
    mpmath = pytest.importorskip("mpmath")
    mp = mpmath.mp
    mp.dps = 50
    sig = lambda v: 1 / (1 + mp.exp(-v))  # noqa: E731
    cdf = lambda v: mp.ncdf(v)  # noqa: E731
    pdf = lambda v: mp.npdf(v)  # noqa: E731
    c, k = mp.sqrt(2 / mp.pi), mp.mpf("0.044715")
    u = lambda v: c * (v + k * v**3)  # noqa: E731
    return mp, {
        F.sigmoid: sig,
        F.sigmoid_grad: lambda v: sig(v) * sig(-v),
        F.tanh_grad: lambda v: 1 / mp.cosh(v) ** 2,
        F.silu: lambda v: v * sig(v),
        F.silu_grad: lambda v: sig(v) * (1 + v * (1 - sig(v))),
        F.gelu: lambda v: v * cdf(v),
        F.gelu_grad: lambda v: cdf(v) + v * pdf(v),
        F.elu: lambda v: v if v > 0 else mp.expm1(v),
        F.elu_grad: lambda v: 1 if v > 0 else mp.exp(v),
        # below the threshold 20 (softplus is x itself above it, as in PyTorch)
        F.softplus: lambda v: v if v > 20 else mp.log1p(mp.exp(v)),
        # ½ (1 + tanh u) = σ(2u) and 1 - tanh² u = sech² u: exact identities that avoid cancellation
        (F.gelu, "tanh"): lambda v: v * sig(2 * u(v)),
        (F.gelu_grad, "tanh"): lambda v: sig(2 * u(v)) + v * mp.sech(u(v)) ** 2 * c * (1 + 3 * k * v**2) / 2,
    }


def test_tails_keep_full_precision_against_50_digit_references():
    mp, references = _mp_reference()
    for key, exact in references.items():
        fn, args = (key[0], key[1:]) if isinstance(key, tuple) else (key, ())
        expected = np.array([float(exact(mp.mpf(float(v)))) for v in TAILS])
        np.testing.assert_allclose(fn(TAILS, *args), expected, rtol=1e-12, atol=0, err_msg=f"{key}")


@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_softmax_and_log_softmax_match_torch(dim):
    x = RNG.normal(0, 10, size=(7, 5))
    x[0, 0], x[1, :] = 1e4, -1e4  # one huge logit, one row of huge negatives
    t = torch.tensor(x, dtype=torch.float64)
    np.testing.assert_allclose(F.softmax(x, dim=dim), TF.softmax(t, dim=dim).numpy(), rtol=1e-12, atol=0)
    np.testing.assert_allclose(F.log_softmax(x, dim=dim), TF.log_softmax(t, dim=dim).numpy(), rtol=1e-12, atol=0)


def test_softmax_rows_sum_to_one_and_are_shift_invariant():
    x = RNG.normal(size=(4, 6))
    p = F.softmax(x)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(F.softmax(x + 1000.0), p, rtol=1e-12)
    np.testing.assert_allclose(F.log_softmax(x), np.log(p), rtol=1e-12)


@pytest.mark.parametrize("fn", [F.sigmoid, F.softmax, F.log_softmax, F.silu, F.gelu, F.sigmoid_grad, F.elu,
                                F.elu_grad, F.softplus, F.softplus_grad])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_extremes_give_no_warning_no_nan_and_torch_values(fn, dtype):
    x = np.array([-1e4, -1e3, 0.0, 1e3, 1e4], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = fn(x)
    assert np.all(np.isfinite(got))
    torch_fn = {
        F.sigmoid: torch.sigmoid,
        F.softmax: lambda t: TF.softmax(t, dim=-1),
        F.log_softmax: lambda t: TF.log_softmax(t, dim=-1),
        F.silu: TF.silu,
        F.gelu: TF.gelu,
        F.sigmoid_grad: lambda t: torch.sigmoid(t) * torch.sigmoid(-t),
        F.elu: TF.elu,
        F.elu_grad: lambda t: torch.where(t > 0, 1.0, torch.exp(t)).to(t.dtype),
        F.softplus: TF.softplus,
        F.softplus_grad: lambda t: torch.where(t > 20, 1.0, torch.sigmoid(t)).to(t.dtype),
    }[fn]
    np.testing.assert_allclose(got, torch_fn(torch.from_numpy(x)).numpy(), rtol=1e-7, atol=0)


def test_sigmoid_at_extremes_is_exactly_zero_and_one():
    assert F.sigmoid(-1e4) == 0.0
    assert F.sigmoid(1e4) == 1.0
    np.testing.assert_array_equal(F.log_softmax(np.array([1e4, 0.0])), [0.0, -1e4])


@pytest.mark.parametrize(
    "fn",
    [F.step, F.sigmoid, F.tanh, F.relu, F.leaky_relu, F.gelu, F.silu, F.elu, F.softplus, F.softmax, F.log_softmax]
    + [F.step_grad, F.sigmoid_grad, F.tanh_grad, F.relu_grad, F.leaky_relu_grad, F.gelu_grad, F.silu_grad,
       F.elu_grad, F.softplus_grad],
)
def test_every_function_preserves_float32_and_float64_and_handles_float32_extremes(fn):
    for dtype in (np.float32, np.float64):
        x = np.array([[-3e38, -1e4, -1.5, 0.0, 2.0, 1e4, 3e38]], dtype=dtype) if dtype == np.float32 else (
            np.array([[-1e300, -1e4, -1.5, 0.0, 2.0, 1e4, 1e300]])
        )
        out = fn(x)
        assert out.dtype == dtype and out.shape == x.shape
        assert not np.any(np.isnan(out))


def test_gelu_tanh_in_float32_close_to_torch_float32():
    x = RNG.normal(0, 3, 100).astype(np.float32)
    got = F.gelu(x, approximate="tanh")
    assert got.dtype == np.float32
    expected = TF.gelu(torch.from_numpy(x), approximate="tanh").numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_integers_and_scalars_become_float64():
    assert F.relu([1, -2]).dtype == np.float64
    assert isinstance(F.sigmoid(0), np.float64) and F.sigmoid(0) == 0.5
    assert F.tanh_grad(0.0) == 1.0
    assert F.gelu(0.0) == 0.0 and F.gelu_grad(0.0) == 0.5 and F.gelu(np.float32(1.0)).dtype == np.float32


def test_step_and_its_derivative():
    x = np.array([-2.0, -1e-12, 0.0, 1e-12, 3.0])
    ref = torch.heaviside(torch.from_numpy(x), torch.tensor(1.0, dtype=torch.float64)).numpy()
    np.testing.assert_array_equal(F.step(x), ref)
    np.testing.assert_array_equal(F.step_grad(x), np.zeros(5))


def test_kink_conventions_are_torch_autograd_s():
    # relu'(0) = 0 and leaky_relu'(0) = negative_slope, as torch autograd returns
    zero = np.array([0.0])
    assert F.relu_grad(zero)[0] == torch_derivative(TF.relu, zero)[0] == 0.0
    torch_leaky = torch_derivative(lambda t: TF.leaky_relu(t, 0.3), zero)[0]
    assert F.leaky_relu_grad(zero, 0.3)[0] == torch_leaky == 0.3


def test_relu_and_its_derivative_in_float32_equal_torch_float32_exactly():
    x = np.array([-2.5, -1e-30, -0.0, 0.0, 1e-30, 3.5], dtype=np.float32)
    t = torch.from_numpy(x.copy()).requires_grad_()
    expected = TF.relu(t)
    expected.sum().backward()
    value, derivative = F.relu(x), F.relu_grad(x)
    assert value.dtype == derivative.dtype == np.float32
    np.testing.assert_array_equal(value, expected.detach().numpy())
    np.testing.assert_array_equal(derivative, t.grad.numpy())  # 0 at both zeros, 1 at 1e-30


def test_derivative_bounds_that_the_chapter_relies_on():
    x = np.linspace(-10, 10, 200001)
    assert F.sigmoid_grad(x).max() == pytest.approx(0.25, abs=1e-12)
    assert F.tanh_grad(x).max() == pytest.approx(1.0, abs=1e-12)
    assert F.gelu(x).min() == pytest.approx(-0.16997, abs=1e-5)
    assert F.silu(x).min() == pytest.approx(-0.27846, abs=1e-5)
    assert math.isclose(F.gelu_grad(x).max(), 1.12890, abs_tol=1e-5)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: F.sigmoid("abc"), r"sigmoid: x must be numeric"),
        (lambda: F.relu([1, None]), r"relu: x must be numeric"),
        (lambda: F.tanh([[1.0], [1.0, 2.0]]), r"tanh: x must be numeric array-like"),
        (lambda: F.silu([1 + 2j]), r"silu: x must be real"),
        (lambda: F.sigmoid_grad(np.array([np.nan])), r"sigmoid_grad: x must contain only finite values"),
        (lambda: F.gelu([1.0], approximate="exact"), r"gelu: approximate must be 'none' or 'tanh', got"),
        (lambda: F.gelu_grad([1.0], approximate=None), r"gelu_grad: approximate must be 'none' or 'tanh'"),
        (lambda: F.leaky_relu([1.0], negative_slope="0.1"), r"leaky_relu: negative_slope must be a real"),
        (lambda: F.leaky_relu_grad([1.0], math.inf), r"leaky_relu_grad: negative_slope must be finite"),
        (lambda: F.elu([1.0], alpha="1"), r"elu: alpha must be a real number, got"),
        (lambda: F.elu_grad([1.0], alpha=math.nan), r"elu_grad: alpha must be finite, got nan"),
        (lambda: F.softplus([1.0], beta=-1.0), r"softplus: beta must be a finite number > 0, got -1.0"),
        (lambda: F.softplus_grad([1.0], threshold=True), r"softplus_grad: threshold must be a real number"),
        (lambda: F.softplus([np.inf]), r"softplus: x must contain only finite values"),
        (lambda: F.softmax(np.ones((2, 3)), dim=2), r"softmax: dim 2 is out of range .* -2 <= dim < 2"),
        (lambda: F.log_softmax([1.0, 2.0], dim=1.0), r"log_softmax: dim must be an integer"),
        (lambda: F.softmax(3.0), r"softmax: x must have at least one dimension"),
    ],
)
def test_bad_input_raises_a_clear_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    "fn",
    [F.step, F.sigmoid, F.tanh, F.relu, F.leaky_relu, F.gelu, F.silu, F.elu, F.softplus]
    + [F.step_grad, F.sigmoid_grad, F.tanh_grad, F.relu_grad, F.leaky_relu_grad, F.gelu_grad, F.silu_grad,
       F.elu_grad, F.softplus_grad],
)
def test_a_python_scalar_gives_a_numpy_scalar_equal_to_the_array_result(fn):
    out = fn(-0.75)
    assert isinstance(out, np.float64)
    assert out == fn(np.array([-0.75]))[0]


def test_importing_functional_pulls_in_neither_torch_nor_matplotlib():
    import subprocess
    import sys

    code = "import sys, nncourse.functional; print('torch' in sys.modules, 'matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_elu_and_softplus_conventions_are_torch_autograd_s():
    # elu'(0) = alpha (the derivative from the left, α e^0), and softplus switches to x itself where
    # βx > threshold, with derivative 1 there: both as torch autograd returns them
    zero = np.array([0.0])
    assert F.elu_grad(zero, 0.3)[0] == torch_derivative(lambda t: TF.elu(t, 0.3), zero)[0] == 0.3
    edge = np.array([19.999, 20.0, 20.001])
    np.testing.assert_array_equal(F.softplus(edge), torch_value(TF.softplus, edge))
    np.testing.assert_array_equal(F.softplus_grad(edge)[2], 1.0)
    np.testing.assert_allclose(F.softplus_grad(edge), torch_derivative(TF.softplus, edge), rtol=1e-15)


def test_elu_and_softplus_keep_their_tiny_values_exact():
    # e^x - 1 cancels for small |x| and log(1 + e^x) rounds to 0 for x < -37; expm1 and log1p keep every digit
    assert F.elu(-1e-10) == pytest.approx(-1e-10 + 5e-21, rel=1e-15)
    assert F.softplus(-700.0) == pytest.approx(math.exp(-700.0), rel=1e-14) and F.softplus(-700.0) > 0
    np.testing.assert_allclose(F.softplus(np.array([-3.0, 0.0, 3.0]), beta=4.0),
                               np.log1p(np.exp(4.0 * np.array([-3.0, 0.0, 3.0]))) / 4.0, rtol=1e-15)
