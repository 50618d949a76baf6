"""Specification of nncourse.autograd: every operation and random expressions agree with torch autograd.

PyTorch (float64) is the reference for values and gradients. Where the engine differs on purpose (every
node keeps ``.grad``; ``zero_grad`` fills zeros), the test says so.
"""

import numpy as np
import pytest
import torch

from nncourse import nn
from nncourse.autograd import MLP, Linear, Tensor, cross_entropy, mse_loss

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
    "relu": lambda a: a.relu(),
    "pow2": lambda a: a**2,
    "pow3": lambda a: a**3,
    "pow-1": lambda a: (a * a + 1) ** -1,
    "pow0.5": lambda a: (a * a + 1) ** 0.5,
    "sum": lambda a: a.sum(),
    "sum0": lambda a: a.sum(0),
    "sum1": lambda a: a.sum(1),
    "mean": lambda a: a.mean(),
    "mean1": lambda a: a.mean(1),
    "reshape": lambda a: a.reshape(4, 3),
    "reshape-1": lambda a: a.reshape(-1),
    "T": lambda a: a.T,
    "transpose": lambda a: a.transpose(0, 1),
    "index_rows": lambda a: a[np.array([0, 2, 2, 1])],
    "index_pairs": lambda a: a[np.array([0, 1, 1, 2]), np.array([3, 0, 0, 2])],
    "slice": lambda a: a[1:, ::2],
    "log_softmax1": lambda a: a.log_softmax(dim=1),
    "log_softmax0": lambda a: a.log_softmax(dim=0),
}


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_operation_matches_torch(name):
    run_both(UNARY[name], rng.normal(size=(3, 4)))


def test_sum_and_mean_with_keepdims_match_torch():
    x = rng.normal(size=(2, 3, 4))
    for axis in (0, 1, 2, (0, 2)):
        leaf, t = pair(x)
        ours = leaf.sum(axis=axis, keepdims=True) * leaf.mean(axis=axis, keepdims=True)
        theirs = t.sum(dim=axis, keepdim=True) * t.mean(dim=axis, keepdim=True)
        assert_same(ours.data, theirs)
        ours.sum().backward()
        theirs.sum().backward()
        assert_same(leaf.grad, t.grad)


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
REDUCE_STEPS = ["sum0", "mean0", "sum1_keepdims", "mean_all"]


def reduce_step(name, a, torch_mode):
    keep = {"keepdim": True} if torch_mode else {"keepdims": True}
    if name == "sum0":
        return a.sum(0)
    if name == "mean0":
        return a.mean(0)
    if name == "sum1_keepdims":
        return a.sum(1, **keep)
    return a.mean()


def random_program(gen, n_steps):
    """A random straight-line program over a pool of values: each step combines pool entries (so values are
    reused, often several times) with a broadcasting binary op, a bounded unary op or a reduction."""
    steps = []
    for _ in range(n_steps):
        kind = gen.choice(["binary", "binary", "unary", "reduce"])
        names = {"binary": list(BINARY_STEPS), "unary": list(UNARY_STEPS), "reduce": REDUCE_STEPS}[kind]
        steps.append((kind, gen.choice(names), gen.integers(0, 1000), gen.integers(0, 1000)))
    return steps


def execute(steps, leaves, torch_mode):
    pool = list(leaves)
    for kind, name, i, j in steps:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        if kind == "binary":
            pool.append(BINARY_STEPS[name](a, b))
        elif kind == "unary":
            pool.append(UNARY_STEPS[name](a))
        elif a.ndim == 2:
            pool.append(reduce_step(name, a, torch_mode))
    return pool


@pytest.mark.parametrize("seed", range(40))
def test_random_expression_matches_torch(seed):
    gen = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), (3, 1), ()]
    arrays = [gen.normal(size=s) for s in shapes]
    steps = random_program(gen, n_steps=int(gen.integers(4, 14)))
    leaves = [pair(a) for a in arrays]
    ours = execute(steps, [o for o, _ in leaves], torch_mode=False)
    theirs = execute(steps, [t for _, t in leaves], torch_mode=True)
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


def test_a_new_operation_whose_backward_returns_the_wrong_number_of_gradients_is_named():
    x = Tensor(np.ones(3), requires_grad=True)
    y = Tensor.from_op(x.data**3, (x,), "cube", lambda g: (g, g))
    with pytest.raises(ValueError, match=r"'cube' must return a tuple with one gradient per parent \(1\)"):
        y.sum().backward()
    z = Tensor.from_op(x.data**3, (x,), "cube", lambda g: g * 3 * x.data**2)
    with pytest.raises(ValueError, match=r"per parent \(1\), e.g. \(g \* local_derivative,\); got ndarray"):
        z.sum().backward()


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


def test_operations_on_constants_record_no_graph():
    c = Tensor([1.0, 2.0]) * 3 + 1
    assert not c.requires_grad and c.is_leaf and c._backward is None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3))), r"inner dimensions.*\(2, 3\) @ \(2, 3\)"),
        (lambda: Tensor(np.ones((2, 2, 2))) @ Tensor(np.ones((2, 2))), "1-D and 2-D"),
        (lambda: Tensor([1.0]) ** Tensor([2.0]), "exponent must be a Python number"),
        (lambda: Tensor(["a", "b"]), "numeric"),
        (lambda: Tensor([1, 2], dtype=np.int64), "floating-point dtype"),
        (lambda: Tensor(np.ones(6)).reshape(4, 2), r"cannot reshape \(6,\) into \(4, 2\)"),
        (lambda: cross_entropy(Tensor(np.ones((2, 3))), np.array([0.0, 1.0])), "integer target"),
        (lambda: cross_entropy(Tensor(np.ones((2, 3))), np.array([0, 3])), r"\[0, 2\]"),
        (lambda: Tensor(np.ones((3, 4))) + np.ones((3, 3)), r"Tensor \+: shapes \(3, 4\) and \(3, 3\)"),
        (lambda: MLP([4]), "at least the input and output"),
        (lambda: MLP([4, 2], activation="softmax"), "activation must be"),
        (lambda: Tensor.from_op(np.ones(2), Tensor(np.ones(2), True), "op", None), "tuple of Tensors.*Tensor"),
        (lambda: Tensor.from_op(np.ones(2), (np.ones(2),), "op", None), "tuple of Tensors"),
        (lambda: Tensor.from_op(np.ones(2), (Tensor(np.ones(2), True),), "op", None), "backward must be"),
    ],
)
def test_bad_input_is_explained(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# --------------------------------------------------------------------------- numerics and dtypes

def test_sigmoid_and_log_softmax_are_stable_at_extremes():
    x, xt = pair([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]])
    ours = x.sigmoid().sum() + x.log_softmax(dim=1)[:, 0].sum()
    theirs = xt.sigmoid().sum() + xt.log_softmax(dim=1)[:, 0].sum()
    assert_same(ours.data, theirs)  # pytest turns an overflow warning into an error
    ours.backward()
    theirs.backward()
    assert np.all(np.isfinite(x.grad))
    assert_same(x.grad, xt.grad)


def test_dtypes_follow_pytorch():
    assert Tensor([1.0, 2.0]).dtype == np.float32  # lists and numbers: float32, like torch.tensor
    assert Tensor(2.0).dtype == np.float32
    assert Tensor(np.ones(2)).dtype == np.float64  # a float64 array stays float64, like torch.from_numpy
    assert (Tensor([1.0]) * 2.5 + 1).dtype == np.float32  # numbers do not promote
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
    assert "requires_grad=True" in repr(t)
    assert "grad_fn=<*>" in repr(t * 2)


# --------------------------------------------------------------------------- losses and training

def test_cross_entropy_and_mse_match_torch():
    logits, target = rng.normal(size=(6, 4)), np.array([0, 3, 1, 1, 2, 0])
    z, zt = pair(logits)
    loss, loss_t = cross_entropy(z, target), torch.nn.functional.cross_entropy(zt, torch.tensor(target))
    assert_same(loss.data, loss_t)
    loss.backward()
    loss_t.backward()
    assert_same(z.grad, zt.grad)
    y = rng.normal(size=(6, 4))
    p, pt = pair(logits)
    loss, loss_t = mse_loss(p, y), torch.nn.functional.mse_loss(pt, torch.tensor(y))
    assert_same(loss.data, loss_t)
    loss.backward()
    loss_t.backward()
    assert_same(p.grad, pt.grad)


def test_linear_has_pytorch_layout_and_initialisation_bounds():
    layer = Linear(50, 7, rng=0, dtype=np.float64)
    assert layer.weight.shape == (7, 50) and layer.bias.shape == (7,)
    assert np.abs(layer.weight.data).max() <= 1 / np.sqrt(50)
    assert [p.requires_grad for p in layer.parameters()] == [True, True]
    assert layer(Tensor(np.ones((3, 50)))).shape == (3, 7)


def copy_weights(from_layers, to_layers):
    for src, dst in zip(from_layers, to_layers, strict=True):
        dst.weight.data[...] = src.weight.data
        dst.bias.data[...] = src.bias.data


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_training_an_mlp_gives_torchs_and_the_hand_written_layers_weights(activation):
    gen = np.random.default_rng(3)
    X, y = gen.normal(size=(32, 5)), gen.integers(0, 3, size=32)
    model = MLP([5, 8, 3], activation=activation, rng=0, dtype=np.float64)
    act = {"relu": (torch.nn.ReLU, nn.ReLU), "tanh": (torch.nn.Tanh, nn.Tanh),
           "sigmoid": (torch.nn.Sigmoid, nn.Sigmoid)}[activation]
    reference = torch.nn.Sequential(torch.nn.Linear(5, 8), act[0](), torch.nn.Linear(8, 3)).double()
    hand = nn.Sequential(nn.Linear(5, 8, dtype=np.float64), act[1](), nn.Linear(8, 3, dtype=np.float64))
    with torch.no_grad():
        for ours, theirs in zip(model.layers, (reference[0], reference[2]), strict=True):
            theirs.weight.copy_(torch.tensor(ours.weight.data))
            theirs.bias.copy_(torch.tensor(ours.bias.data))
    copy_weights(model.layers, [hand[0], hand[2]])
    criterion = nn.CrossEntropyLoss()
    lr = 0.5
    for _ in range(10):
        model.zero_grad()
        cross_entropy(model(X), y).backward()
        for p in model.parameters():
            p.data -= lr * p.grad

        reference.zero_grad()
        torch.nn.functional.cross_entropy(reference(torch.tensor(X)), torch.tensor(y)).backward()
        with torch.no_grad():
            for p in reference.parameters():
                p -= lr * p.grad

        hand.zero_grad()
        criterion(hand(X), y)
        hand.backward(criterion.backward())
        for p in hand.parameters():
            p.data -= lr * p.grad
    everything = zip(model.parameters(), reference.parameters(), hand.parameters(), strict=True)
    for ours, theirs, handmade in everything:
        assert_same(ours.data, theirs)
        np.testing.assert_allclose(ours.data, handmade.data, rtol=RTOL, atol=ATOL)
