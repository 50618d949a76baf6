"""Checkers for the exercises of Chapter 3 (multi-layer perceptrons).

* :func:`check_linear_forward`: a batched ``Linear`` forward pass, ``Z = X Wᵀ + b``;
* :func:`check_parameter_count`: the number of parameters of a fully connected architecture;
* :func:`check_xor_weights`: weights for a 2-2-1 network (step or ReLU units) that computes XOR;
* :func:`check_mlp_forward`: the forward pass of a whole ReLU MLP, layer by layer.
"""

import numpy as np

from nncourse.exercises._checker import call, checker, compare, require, value_of

XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TARGETS = np.array([0.0, 1.0, 1.0, 0.0])


def _step(z):
    """The Heaviside step (0 for z < 0, 1 for z > 0; the checker refuses z = 0, where conventions differ)."""
    return (np.asarray(z) > 0).astype(float)


@checker
def check_linear_forward(fn):
    """``fn(X, W, b)`` must return ``X @ W.T + b``: X is ``(N, in)``, W is ``(out, in)``, b is ``(out,)``."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(5, 3))
    W = rng.normal(size=(4, 3))
    b = rng.normal(size=4)
    on = "X of shape (5, 3), W of shape (4, 3), b of shape (4,)"
    got = yield from call(fn, X, W, b, on=on)
    yield from require(got is not None, f"linear_forward returned None (on {on}): did you `return` Z?")
    shape = np.shape(got)
    yield from require(
        shape != (5, 3),
        f"the output has shape (5, 3), the shape of X (on {on}): a layer with 4 outputs gives Z of shape "
        "(N, out_features) = (5, 4). Multiply by the transpose, X @ W.T.",
    )
    yield from require(
        shape != (4, 5),
        f"the output has shape (4, 5) (on {on}): that is (X Wᵀ)ᵀ = W Xᵀ. With samples as rows, Z = X @ W.T "
        "has one row per sample, shape (5, 4).",
    )
    if shape == (5, 4) and np.allclose(np.asarray(got, dtype=float), X @ W.T):
        yield from require(False, f"the output equals X @ W.T, without the bias (on {on}): add b to rows.")
    yield from compare(got, X @ W.T + b, what="linear_forward(X, W, b)", on=on)
    one = rng.normal(size=(1, 3))
    got_one = yield from call(fn, one, W, b, on="a batch of one sample, X of shape (1, 3)")
    yield from compare(got_one, one @ W.T + b, what="linear_forward(X, W, b)", on="X of shape (1, 3)")
    return "Z = X Wᵀ + b, one row per sample, shape (N, out_features)."


def _count(sizes):
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True))


@checker
def check_parameter_count(fn):
    """``fn(layer_sizes)`` must return the number of weights and biases of the fully connected network."""
    cases = [[2, 2, 1], [2, 3, 1], [784, 256, 256, 10], [3, 5], [4, 8, 8, 8, 2]]
    for sizes in cases:
        on = f"layer_sizes = {sizes}"
        got = yield from call(fn, list(sizes), on=on)
        got = yield from value_of(got)
        yield from require(
            np.ndim(got) == 0 and isinstance(got, (int, float, np.number)),
            f"expected one number for {on}, got {type(got).__name__} {got!r}"[:200],
        )
        expected = _count(sizes)
        weights_only = sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
        if got == weights_only and weights_only != expected:
            yield from require(
                False,
                f"for {on} you counted {weights_only}: only the weights. Each layer also has one bias per "
                f"output neuron; the answer is {expected}.",
            )
        if got == expected + sizes[0]:
            yield from require(
                False, f"for {on} you counted a bias for the input layer too: the inputs have no parameters."
            )
        yield from require(
            got == expected,
            f"for {on} expected {expected} parameters, got {got}. Layer l has W of shape (n_l, n_(l-1)) and "
            "b of shape (n_l,).",
        )
    return "a layer from n_in to n_out has n_in·n_out weights + n_out biases."


def _unpack_xor(weights):
    """Check the shapes of ``(W1, b1, W2, b2)`` and return them as float arrays (W2 as ``(1, 2)``)."""
    if not isinstance(weights, (tuple, list)) or len(weights) != 4:
        raise ValueError("expected a tuple (W1, b1, W2, b2)")
    W1, b1, W2, b2 = (np.asarray(w, dtype=float) for w in weights)
    if W1.shape != (2, 2):
        raise ValueError(f"W1 must have shape (2, 2) (hidden, input), got {W1.shape}")
    if b1.size != 2:
        raise ValueError(f"b1 must hold 2 numbers (one per hidden unit), got shape {b1.shape}")
    if W2.size != 2:
        raise ValueError(f"W2 must hold 2 numbers, shape (1, 2) (output, hidden), got shape {W2.shape}")
    if b2.size != 1:
        raise ValueError(f"b2 must be one number (or shape (1,)), got shape {b2.shape}")
    return W1, b1.reshape(2), W2.reshape(1, 2), b2.reshape(1)


def _require_off_the_step(z, which, bias):
    """Stop with a hint when a pre-activation sits exactly on the step, where its value is a convention."""
    if np.any(z == 0):
        x = XOR_INPUTS[np.argwhere(z == 0)[0][0]].astype(int).tolist()
        yield from require(
            False,
            f"{which} pre-activation is exactly 0 on input {x}: the step is ambiguous there. "
            f"Shift {bias} a little (e.g. by 0.5).",
        )


@checker
def check_xor_weights(fn, activation="step"):
    """``fn()`` must return ``(W1, b1, W2, b2)`` of a 2-2-1 network that computes XOR on {0, 1}².

    ``activation="step"``: ``ŷ = step(W2 step(W1 x + b1) + b2)``, with step(z) = 1 for z > 0 and 0 for z < 0
    (a pre-activation of exactly 0 is refused: which side it falls on is a convention).
    ``activation="relu"``: ``ŷ = W2 relu(W1 x + b1) + b2``, a linear output that must equal 0 or 1 exactly.
    """
    yield from require(activation in ("step", "relu"),
                       f"check_xor_weights: activation must be 'step' or 'relu', got {activation!r}")
    weights = yield from call(fn, on="no arguments")
    weights = yield from value_of(weights)
    try:
        W1, b1, W2, b2 = _unpack_xor(weights)
    except (TypeError, ValueError) as exc:
        yield from require(False, f"{exc}; got {type(weights).__name__} {weights!r}"[:300])
    yield from require(
        all(np.all(np.isfinite(w)) for w in (W1, b1, W2, b2)), "the weights contain NaN or infinity."
    )
    z1 = XOR_INPUTS @ W1.T + b1
    if activation == "step":
        yield from _require_off_the_step(z1, "a hidden", "that unit's bias")
        a1 = _step(z1)
        z2 = a1 @ W2.T + b2
        yield from _require_off_the_step(z2, "the output", "the output bias")
        y_hat = _step(z2).reshape(-1)
        hint = "Idea: let one hidden unit compute OR and the other AND, then output OR AND NOT AND."
    else:
        a1 = _relu(z1)
        y_hat = (a1 @ W2.T + b2).reshape(-1)
        hint = ("Idea: both hidden units see s = x1 + x2; relu(s) and relu(s - 1) differ only for s = 2, "
                "so a difference of them can rise to 1 and fall back to 0.")
    wrong = np.flatnonzero(~np.isclose(y_hat, XOR_TARGETS, rtol=0, atol=1e-6))
    if wrong.size:
        rows = "; ".join(
            f"x = {XOR_INPUTS[i].astype(int).tolist()}: hidden a = {np.round(a1[i], 3).tolist()}, "
            f"ŷ = {y_hat[i]:.3g}, expected {int(XOR_TARGETS[i])}"
            for i in wrong
        )
        yield from require(False, f"XOR is wrong on {wrong.size} of 4 inputs ({rows}). {hint}")
    return f"your 2-2-1 {activation} network computes XOR on all four inputs."


def _relu(z):
    return np.maximum(z, 0.0)


@checker
def check_mlp_forward(fn):
    """``fn(X, weights, biases)``: ReLU after every layer but the last, which stays linear; ``(N, out)``."""
    rng = np.random.default_rng(7)
    sizes = [3, 5, 4, 2]
    X = rng.normal(size=(6, 3))
    weights = [rng.normal(size=(b, a)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    biases = [rng.normal(size=b) for b in sizes[1:]]
    on = "X of shape (6, 3) and a 3-5-4-2 network"
    got = yield from call(fn, X, [w.copy() for w in weights], [b.copy() for b in biases], on=on)
    a = X
    for W, b in zip(weights[:-1], biases[:-1], strict=True):
        a = _relu(a @ W.T + b)
    expected = a @ weights[-1].T + biases[-1]
    same_shape = got is not None and np.shape(got) == expected.shape
    if same_shape and np.allclose(np.asarray(got, float), _relu(expected)):
        if not np.allclose(expected, _relu(expected)):
            yield from require(
                False, f"you applied ReLU to the output layer too (on {on}): the last layer stays linear."
            )
    yield from compare(got, expected, what="mlp_forward(X, weights, biases)", on=on)
    # One hidden layer: the loop must not assume a fixed depth.
    W1, b1, W2, b2 = rng.normal(size=(5, 2)), rng.normal(size=5), rng.normal(size=(2, 5)), rng.normal(size=2)
    on = "X of shape (6, 2) and a 2-5-2 network (one hidden layer)"
    got_one = yield from call(fn, X[:, :2], [W1, W2], [b1, b2], on=on)
    expected_one = _relu(X[:, :2] @ W1.T + b1) @ W2.T + b2
    yield from compare(got_one, expected_one, what="mlp_forward(X, weights, biases)", on=on)
    return "the forward pass of an MLP is a loop of Z = A Wᵀ + b and A = ReLU(Z), with a linear last layer."
