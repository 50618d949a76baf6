"""Specification of nncourse.autograd.engine: every operation and random expressions agree with torch autograd.

PyTorch (float64) is the reference for values and gradients, to rtol 1e-10 and atol 1e-12. Where the engine
differs on purpose (every node keeps ``.grad``; ``zero_grad`` fills zeros; NumPy's overflow warning is kept),
the test says so.
"""

import warnings

import numpy as np
import pytest
import torch

from nncourse.autograd import Tensor

RTOL, ATOL = 1e-10, 1e-12


def pair(array):
    """The same float64 leaf in both engines."""
    array = np.asarray(array, dtype=np.float64)
    return Tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)


def assert_same(ours, theirs):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=RTOL, atol=ATOL)


def run_both(build, *arrays, seed=0):
    """Apply ``build`` to leaves in both engines, back-propagate the same random gradient, compare."""
    leaves = [pair(a) for a in arrays]
    ours = build(*[o for o, _ in leaves])
    theirs = build(*[t for _, t in leaves])
    assert ours.shape == tuple(theirs.shape)
    assert_same(ours.data, theirs)
    upstream = np.random.default_rng(seed).normal(size=ours.shape)
    ours.backward(upstream)
    theirs.backward(torch.tensor(upstream))
    for o, t in leaves:
        assert o.grad.shape == o.shape
        assert_same(o.grad, t.grad)


rng = np.random.default_rng(1)

# --------------------------------------------------------------------------- every operation

UNARY = {
    "neg": lambda a: -a,
    "exp": lambda a: a.exp(),
    "log": lambda a: (a * a + 0.5).log(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "log_sigmoid": lambda a: (a * 30).log_sigmoid(),
    "relu": lambda a: a.relu(),
    "leaky_relu": lambda a: a.leaky_relu(),
    "leaky_relu0.2": lambda a: a.leaky_relu(0.2),
    "silu": lambda a: a.silu(),
    "gelu": lambda a: a.gelu(),
    "gelu_tanh": lambda a: a.gelu(approximate="tanh"),
    "pow2": lambda a: a**2,
    "pow3": lambda a: a**3,
    "pow-1": lambda a: (a * a + 1) ** -1,
    "pow0.5": lambda a: (a * a + 1) ** 0.5,
    "pow0": lambda a: a**0,
    "sum": lambda a: a.sum(),
    "sum0": lambda a: a.sum(0),
    "sum1": lambda a: a.sum(dim=1),
    "sum01": lambda a: a.sum(dim=(0, 1)),
    "sum-1_keepdim": lambda a: a.sum(dim=-1, keepdim=True),
    "mean": lambda a: a.mean(),
    "mean1": lambda a: a.mean(1),
    "mean0_keepdim": lambda a: a.mean(dim=0, keepdim=True),
    "reshape": lambda a: a.reshape(4, 3),
    "reshape-1": lambda a: a.reshape(-1),
    "T": lambda a: a.T,
    "transpose": lambda a: a.transpose(0, 1),
    "transpose-1": lambda a: a.transpose(-1, 0),
    "permute": lambda a: a.permute(1, 0),
    "index_rows": lambda a: a[np.array([0, 2, 2, 1])],
    "index_pairs": lambda a: a[np.array([0, 1, 1, 2]), np.array([3, 0, 0, 2])],
    "slice": lambda a: a[1:, ::2],
    "log_softmax1": lambda a: a.log_softmax(dim=1),
    "log_softmax0": lambda a: a.log_softmax(dim=0),
}
TORCH_SPELLING = {  # where PyTorch names the operation differently
    "log_sigmoid": lambda a: torch.nn.functional.logsigmoid(a * 30),
    "leaky_relu": torch.nn.functional.leaky_relu,
    "leaky_relu0.2": lambda a: torch.nn.functional.leaky_relu(a, 0.2),
    "silu": torch.nn.functional.silu,
    "gelu": torch.nn.functional.gelu,
    "gelu_tanh": lambda a: torch.nn.functional.gelu(a, approximate="tanh"),
    "relu": torch.relu,
}


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_operation_matches_torch(name):
    x = rng.normal(size=(3, 4))
    x[0, :2] = 0.0  # the kinks of relu and leaky_relu, and 0 ** 0
    leaf, t = pair(x)
    ours, theirs = UNARY[name](leaf), TORCH_SPELLING.get(name, UNARY[name])(t)
    assert_same(ours.data, theirs)
    upstream = np.random.default_rng(0).normal(size=ours.shape)
    ours.backward(upstream)
    theirs.backward(torch.tensor(upstream))
    assert_same(leaf.grad, t.grad)


def test_power_zero_has_gradient_zero_at_zero_like_torch():
    x, xt = pair([0.0, 2.0, -1.5])
    (x**0).sum().backward()  # the naive p·x^(p-1) would be 0·0^(-1) = NaN at 0
    (xt**0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])
    assert_same(x.grad, xt.grad)


def test_numpy_scalars_as_exponents_do_not_promote_float32():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x ** np.float64(2.0) + x ** np.int64(3)
    assert y.dtype == np.float32
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [2 + 3, 4 + 12])


def test_sum_and_mean_with_keepdim_match_torch():
    x = rng.normal(size=(2, 3, 4))
    for dim in (0, 1, 2, -1, (0, 2)):
        leaf, t = pair(x)
        ours = leaf.sum(dim=dim, keepdim=True) * leaf.mean(dim=dim, keepdim=True)
        theirs = t.sum(dim=dim, keepdim=True) * t.mean(dim=dim, keepdim=True)
        assert_same(ours.data, theirs)
        ours.sum().backward()
        theirs.sum().backward()
        assert_same(leaf.grad, t.grad)


def test_reductions_of_a_zero_dimensional_tensor_accept_dim_0_like_torch():
    x, xt = pair(3.0)
    ours, theirs = x.sum(dim=0) + x.mean(dim=-1, keepdim=True), xt.sum(dim=0) + xt.mean(dim=-1, keepdim=True)
    assert ours.shape == tuple(theirs.shape) == ()
    ours.backward()
    theirs.backward()
    assert_same(x.grad, xt.grad)


def test_permute_transpose_and_T_record_pytorchs_operation_names():
    x, xt = pair(rng.normal(size=(2, 3)))
    for ours, theirs in ((x.permute(1, 0), xt.permute(1, 0)), (x.transpose(0, 1), xt.transpose(0, 1)),
                         (x.T, xt.T), (x.permute((1, 0)), xt.permute((1, 0)))):
        assert type(theirs.grad_fn).__name__ == f"{ours._op.capitalize()}Backward0"
    assert x.permute(1, 0)._op == "permute" and x.transpose(0, 1)._op == "transpose"


BROADCAST_SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 1)), ((), (3, 4)),
                    ((4,), (2, 3, 4))]


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
@pytest.mark.parametrize(("shape_a", "shape_b"), BROADCAST_SHAPES)
def test_binary_operation_with_broadcasting_matches_torch(op, shape_a, shape_b):
    a, b = rng.normal(size=shape_a), rng.normal(size=shape_b)
    if op == "/":
        b = np.sign(b) * (np.abs(b) + 0.5)  # away from zero
    build = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y}
    run_both(build.get(op, lambda x, y: x / y), a, b)


@pytest.mark.parametrize(("shape_a", "shape_b"), BROADCAST_SHAPES)
def test_maximum_with_broadcasting_matches_torch(shape_a, shape_b):
    run_both(lambda x, y: x.maximum(y), rng.normal(size=shape_a), rng.normal(size=shape_b))


def test_maximum_routes_the_gradient_to_the_larger_input_and_splits_ties_like_torch():
    a, b = np.array([1.0, 5.0, 2.0, -1.0]), np.array([3.0, 4.0, 2.0, -1.0])
    run_both(lambda x, y: x.maximum(y), a, b)
    x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    x.maximum(y).backward(np.array([1.0, 2.0, 3.0, 4.0]))
    assert x.grad.tolist() == [0.0, 2.0, 1.5, 2.0] and y.grad.tolist() == [1.0, 0.0, 1.5, 2.0]


MATMUL_SHAPES = [((3, 4), (4, 5)), ((3, 4), (4,)), ((4,), (4, 5)), ((4,), (4,))]


@pytest.mark.parametrize(("shape_a", "shape_b"), MATMUL_SHAPES)
def test_matmul_matches_torch(shape_a, shape_b):
    run_both(lambda x, y: x @ y, rng.normal(size=shape_a), rng.normal(size=shape_b))


def test_numbers_and_arrays_on_either_side():
    m = rng.normal(size=(3, 4))
    run_both(lambda a: 2 - a + 3 * a - a / 2 + 1 / (a * a + 1) + a * 0.5 + (4.0 + a), rng.normal(size=(3, 4)))

    def with_array(a, m):  # NumPy arrays on either side: NumPy defers to Tensor's reflected operators
        return a - m + m * a + m / (a * a + 1) + m - a + (a @ m.T) @ m + (m @ a.T) @ a

    leaf, t = pair(rng.normal(size=(3, 4)))
    ours, theirs = with_array(leaf, m), with_array(t, torch.tensor(m))
    assert isinstance(ours, Tensor)
    assert_same(ours.data, theirs)
    ours.sum().backward()
    theirs.sum().backward()
    assert_same(leaf.grad, t.grad)


# --------------------------------------------------------------------------- random expressions

BINARY_STEPS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / (b * b + 1),
}
UNARY_STEPS = {  # bounded, so that long random chains neither overflow nor take logs of negatives
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu(),
    "exp_tanh": lambda a: a.tanh().exp(),
    "log_sq": lambda a: (a * a + 1).log(),
    "neg": lambda a: -a,
    "sq": lambda a: a**2,
}
REDUCE_STEPS = {  # the same spelling in both engines: dim and keepdim
    "sum0": lambda a: a.sum(0),
    "mean0": lambda a: a.mean(dim=0),
    "sum1_keepdim": lambda a: a.sum(1, keepdim=True),
    "mean_all": lambda a: a.mean(),
}


def random_program(gen, n_steps):
    """A random straight-line program over a pool of values: each step combines pool entries (so values are
    reused, often several times) with a broadcasting binary op, a bounded unary op or a reduction."""
    steps = []
    for _ in range(n_steps):
        kind = gen.choice(["binary", "binary", "unary", "reduce"])
        names = {"binary": list(BINARY_STEPS), "unary": list(UNARY_STEPS), "reduce": list(REDUCE_STEPS)}[kind]
        steps.append((kind, gen.choice(names), gen.integers(0, 1000), gen.integers(0, 1000)))
    return steps


def execute(steps, leaves):
    pool = list(leaves)
    for kind, name, i, j in steps:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        if kind == "binary":
            pool.append(BINARY_STEPS[name](a, b))
        elif kind == "unary":
            pool.append(UNARY_STEPS[name](a))
        elif a.ndim == 2:
            pool.append(REDUCE_STEPS[name](a))
    return pool


@pytest.mark.parametrize("seed", range(40))
def test_random_expression_matches_torch(seed):
    gen = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), (3, 1), ()]
    arrays = [gen.normal(size=s) for s in shapes]
    steps = random_program(gen, n_steps=int(gen.integers(4, 14)))
    leaves = [pair(a) for a in arrays]
    ours = execute(steps, [o for o, _ in leaves])
    theirs = execute(steps, [t for _, t in leaves])
    # The loss mixes every value computed, each weighted by a random number.
    weights = [gen.normal() for _ in ours]
    loss_ours = sum(w * v.sum() for w, v in zip(weights, ours, strict=True))
    loss_theirs = sum(w * v.sum() for w, v in zip(weights, theirs, strict=True))
    assert_same(loss_ours.data, loss_theirs)
    loss_ours.backward()
    loss_theirs.backward()
    for o, t in leaves:
        assert_same(o.grad, t.grad)


# --------------------------------------------------------------------------- reuse and accumulation

def test_a_node_used_twice_receives_both_contributions():
    x, xt = pair([1.5, -2.0])
    h, ht = x.tanh(), xt.tanh()
    (h * h + h * x).sum().backward()  # h feeds three multiplications
    (ht * ht + ht * xt).sum().backward()
    assert_same(x.grad, xt.grad)
    y = Tensor(np.array(3.0), requires_grad=True)
    (y * y + y).backward()
    assert y.grad == pytest.approx(2 * 3.0 + 1)


def test_gradients_accumulate_over_backward_calls_and_zero_grad_resets():
    x, xt = pair([0.5, 1.0, -1.0])
    for _ in range(3):
        (x * x).sum().backward()  # a fresh graph each time
        (xt * xt).sum().backward()
    assert_same(x.grad, xt.grad)
    np.testing.assert_allclose(x.grad, 3 * 2 * np.array([0.5, 1.0, -1.0]))
    x.zero_grad()  # zeros (PyTorch's optimizers would set None)
    np.testing.assert_array_equal(x.grad, 0)
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, 2)


def test_intermediate_nodes_keep_their_gradient():
    a, b = Tensor(np.array(2.0), True), Tensor(np.array(-3.0), True)
    c = a * b
    L = c + a
    L.backward()
    assert L.grad == 1 and c.grad == 1  # PyTorch keeps these only after retain_grad()
    assert a.grad == pytest.approx(-3.0 + 1) and b.grad == pytest.approx(2.0)


def test_retain_graph_allows_a_second_backward_like_torch():
    x, xt = pair([0.3, -0.7])
    loss, loss_t = (x.sigmoid() * x).sum(), (xt.sigmoid() * xt).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    loss_t.backward(retain_graph=True)
    loss_t.backward()
    assert_same(x.grad, xt.grad)


def test_long_chains_need_no_recursion():
    x = Tensor(np.array(1.0), requires_grad=True)
    y = x
    for _ in range(5000):
        y = y + x
    y.backward()
    assert x.grad == 5001


# --------------------------------------------------------------------------- the extension point

def cube_with(backward_of):
    """x³ as a new operation whose backward is ``backward_of(x)``."""

    def cube(x):
        return Tensor.from_op(x.data**3, (x,), "cube", backward_of(x))

    return cube


def test_a_new_operation_built_with_from_op_matches_torch():
    def cube(x):  # the module docstring's example of the extension point
        def backward(g):  # d(x³)/dx = 3x²
            return (g * 3 * x.data**2,)

        return Tensor.from_op(x.data**3, (x,), "cube", backward)

    x, xt = pair(rng.normal(size=(2, 3)))
    y, yt = cube(x) * x.tanh(), xt**3 * xt.tanh()
    assert "grad_fn=<cube>" in repr(cube(x))
    y.sum().backward()
    yt.sum().backward()
    assert_same(x.grad, xt.grad)


def test_a_new_operation_may_return_a_gradient_of_the_broadcast_shape():
    # a (3,) + (2, 3) addition whose backward returns g for both parents: the engine sums it for the (3,) one
    a, b = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones((2, 3)), requires_grad=True)
    y = Tensor.from_op(a.data + b.data, (a, b), "add", lambda g: (g, g))
    y.sum().backward()
    np.testing.assert_array_equal(a.grad, [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(b.grad, np.ones((2, 3)))


@pytest.mark.parametrize(
    ("backward_of", "message"),
    [
        (lambda x: lambda g: (np.ones(5),), r"'cube' returned a gradient of shape \(5,\) for its parent 0, "
                                            r"expected the parent's shape \(2,\) \(or the output's shape \(2,\)"),
        (lambda x: lambda g: (np.ones((2, 2)),), r"'cube' returned a gradient of shape \(2, 2\).*shape \(2,\)"),
        (lambda x: lambda g: (1.0,), r"'cube' returned a gradient of shape \(\) for its parent 0"),
        (lambda x: lambda g: (None,), r"'cube' returned a gradient of NoneType None for its parent 0"),
        (lambda x: lambda g: (g, g), r"'cube' must return a tuple with one gradient per parent \(1\)"),
        (lambda x: lambda g: g * 3 * x.data**2, r"per parent \(1\), e.g. \(g \* local_derivative,\); got ndarray"),
    ],
)
def test_a_new_operation_whose_backward_returns_a_wrong_gradient_is_named(backward_of, message):
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = cube_with(backward_of)(x)
    with pytest.raises(ValueError, match=message):
        y.sum().backward()
    assert x.grad is None  # nothing corrupted


def test_operations_on_constants_record_no_graph():
    c = Tensor([1.0, 2.0]) * 3 + 1
    assert not c.requires_grad and c.is_leaf and c._backward is None


# --------------------------------------------------------------------------- errors

def test_backward_on_a_non_scalar_needs_a_gradient():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"one element.*shape \(2, 3\).*gradient="):
        (x * 2).backward()
    with pytest.raises(ValueError, match=r"backward: gradient must have the shape \(2, 3\).*got \(3,\)"):
        (x * 2).backward(np.ones(3))


def test_second_backward_through_a_freed_graph_is_refused():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x.exp()
    h.sum().backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        h.sum().backward()  # a new sum node, but it goes through the freed exp node
    np.testing.assert_allclose(x.grad, np.exp([1.0, 2.0]))  # unchanged by the refused call


def test_backward_without_any_gradient_to_compute_is_refused():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (Tensor([1.0]) * 2).sum().backward()


def test_item_of_several_elements_is_refused():
    with pytest.raises(RuntimeError, match=r"Tensor.item: only a tensor with one element.*shape \(2,\)"):
        Tensor([1.0, 2.0]).item()


x23 = Tensor(np.ones((2, 3)))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Tensor(None), r"Tensor: data must be real numbers, got NoneType None"),
        (lambda: Tensor([1.0, None]), r"Tensor: data must be real numbers, got list of length 2"),
        (lambda: Tensor(["a", "b"]), "Tensor: data must be real numbers"),
        (lambda: Tensor([[1.0], [1.0, 2.0]]), "Tensor: data must be numeric array-like"),
        (lambda: Tensor([1 + 2j]), r"Tensor: data must be real numbers, got list of length 1 \(complex"),
        (lambda: Tensor(np.ones(2, dtype=np.complex128)), r"\(complex, dtype complex128\)"),
        (lambda: Tensor([1, 2], dtype=np.int64), "floating-point dtype"),
        (lambda: Tensor([1, 2], dtype="banana"), "dtype must be a NumPy floating dtype"),
        (lambda: x23 + None, r"Tensor \+: the other operand must be real numbers, got NoneType None"),
        (lambda: None + x23, r"Tensor \+: the other operand must be real numbers"),
        (lambda: x23 * 1j, r"Tensor \*: the other operand must be real numbers, got complex 1j"),
        (lambda: x23 - "a", r"Tensor -: the other operand must be real numbers"),
        (lambda: x23 @ None, r"Tensor @: the other operand must be real numbers"),
        (lambda: x23 ** 1j, "exponent must be a real Python number, got complex 1j"),
        (lambda: Tensor([1.0]) ** Tensor([2.0]), "exponent must be a real Python number"),
        (lambda: x23 @ Tensor(np.ones((2, 3))), r"inner dimensions.*\(2, 3\) @ \(2, 3\)"),
        (lambda: Tensor(np.ones((2, 2, 2))) @ Tensor(np.ones((2, 2))), "1-D and 2-D"),
        (lambda: Tensor(np.ones(6)).reshape(4, 2), r"cannot reshape \(6,\) into \(4, 2\)"),
        (lambda: Tensor(np.ones((3, 4))) + np.ones((3, 3)), r"Tensor \+: shapes \(3, 4\) and \(3, 3\)"),
        (lambda: x23.sum(dim=2), r"Tensor.sum: dim 2 is out of range for a tensor of 2 dimension\(s\) "
                                 r"\(expected -2 <= dim < 2\)"),
        (lambda: x23.mean(dim=(0, -2)), r"Tensor.mean: dim must name at least one dimension, each once"),
        (lambda: x23.sum(dim=()), r"Tensor.sum: dim must name at least one dimension"),
        (lambda: x23.sum(dim=1.0), r"Tensor.sum: dim must be an int or a tuple of ints, got 1.0"),
        (lambda: x23.log_softmax(dim=None), r"Tensor.log_softmax: needs one int dim"),
        (lambda: Tensor(1.0).log_softmax(), r"Tensor.log_softmax: needs one int dim.*shape \(\)"),
        (lambda: x23.permute(0, 0), r"Tensor.permute: dim must name at least one dimension, each once"),
        (lambda: x23.permute(0), r"Tensor.permute: dims must list each of the 2 dimensions once, got \(0,\)"),
        (lambda: x23.transpose(0, 2), r"Tensor.transpose: dim 2 is out of range"),
        (lambda: x23.leaky_relu("0.1"), r"Tensor.leaky_relu: negative_slope must be a real number"),
        (lambda: Tensor.from_op(np.ones(2), Tensor(np.ones(2), True), "op", None), "tuple of Tensors.*Tensor"),
        (lambda: Tensor.from_op(np.ones(2), (np.ones(2),), "op", None), "tuple of Tensors"),
        (lambda: Tensor.from_op(np.ones(2), (Tensor(np.ones(2), True),), "op", None), "backward must be"),
        (lambda: Tensor.from_op(np.arange(2), (x23,), "op", None), r"from_op\('op'\): data must be a floating"),
    ],
)
def test_bad_input_is_explained(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# --------------------------------------------------------------------------- numerics and dtypes

def test_sigmoid_log_sigmoid_and_log_softmax_are_stable_at_extremes():
    x, xt = pair([[1e4, -1e4, 0.0], [-1e4, -800.0, 1e4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, no division by zero, no invalid value
        ours = x.sigmoid().sum() + x.log_sigmoid().sum() + x.log_softmax(dim=1)[:, 0].sum()
        ours.backward()
    theirs = xt.sigmoid().sum() + torch.nn.functional.logsigmoid(xt).sum() + xt.log_softmax(dim=1)[:, 0].sum()
    theirs.backward()
    assert np.isfinite(ours.item()) and np.all(np.isfinite(x.grad))
    assert_same(ours.data, theirs)
    assert_same(x.grad, xt.grad)


def test_minus_log_sigmoid_of_minus_800_is_800():
    # -log σ(-800) = log(1 + e^800) = 800 + log(1 + e^-800): finite, where -sigmoid().log() is -log 0 = inf
    assert (-Tensor(-800.0, dtype=np.float64).log_sigmoid()).item() == 800.0
    x = Tensor(-800.0, requires_grad=True, dtype=np.float64)
    (-x.log_sigmoid()).backward()
    assert x.grad == -1.0  # d/dx -log σ(x) = -σ(-x) = -1 here


def test_exp_overflow_keeps_numpys_warning_where_pytorch_is_silent():
    # The documented choice: the value is PyTorch's inf, and NumPy's warning is kept, because an infinity in
    # a forward pass is almost always a bug.
    with pytest.warns(RuntimeWarning, match="overflow encountered in exp"):
        out = Tensor(1e4, dtype=np.float64).exp()
    assert out.item() == torch.exp(torch.tensor(1e4, dtype=torch.float64)).item() == np.inf
    with np.errstate(over="ignore"):  # where inf is intended, NumPy's own switch silences it
        assert Tensor(1e4, dtype=np.float64).exp().item() == np.inf


def test_dtypes_follow_pytorch():
    assert Tensor([1.0, 2.0]).dtype == np.float32  # lists and numbers: float32, like torch.tensor
    assert Tensor(2.0).dtype == np.float32
    assert Tensor([True, False]).dtype == np.float32
    assert Tensor(np.ones(2)).dtype == np.float64  # a float64 array stays float64, like torch.from_numpy
    assert Tensor(np.float64(1.0)).dtype == np.float64
    assert (Tensor([1.0]) * 2.5 + 1).dtype == np.float32  # numbers do not promote
    assert (Tensor([1.0]) * np.array([2, 3])).dtype == np.float32  # nor integer arrays
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    assert x.grad.dtype == np.float32


def test_data_is_copied_and_helpers_behave():
    array = np.ones(3)
    t = Tensor(array, requires_grad=True, label="t")
    array[0] = 5.0
    assert t.data[0] == 1.0  # copied, like torch.tensor
    assert t.shape == (3,) and t.ndim == 1 and t.is_leaf and t.label == "t"
    d = (t * 2).detach()
    assert not d.requires_grad and d.is_leaf
    assert Tensor(np.array([4.0])).item() == 4.0
    assert t.numpy() is t.data
    assert "requires_grad=True" in repr(t)
    assert "grad_fn=<*>" in repr(t * 2)
