"""Checkers for the exercises of Chapter 3 (multi-layer perceptrons). Right answers come from :mod:`nncourse.nn`.

* :func:`check_linear_forward`: a batched ``Linear`` forward pass, ``Z = X Wᵀ + b``;
* :func:`check_parameter_count`: the number of parameters of a fully connected architecture;
* :func:`check_xor_weights`: weights for a 2-2-1 network with ReLU hidden units and a linear output that
  computes XOR exactly;
* :func:`check_mlp_forward`: the forward pass of a whole ReLU MLP, layer by layer, of any depth;
* :func:`check_bce_with_logits`: the mean binary cross-entropy of logits, stable for logits of ±1e4;
* :func:`check_digits_classifier`: open-ended: a classifier trained on the digits, judged by its accuracy on
  held-out images (one mark each at 0.85, 0.90 and the target 0.95).

Each checker that runs a function on inputs takes ``extra_cases``: more argument tuples for it (an
instructor's hidden tests), scored like the built-in ones.
"""

import numpy as np

from nncourse.data import load_digits, logic_gate
from nncourse.exercises._checker import (
    Exercise,
    attempt,
    call,
    compare,
    diagnose,
    extra,
    grade,
    items,
    numbers,
    one_number,
    require,
    whole_number,
)
from nncourse.nn import BCEWithLogitsLoss, Linear, ReLU, Sequential

LINEAR_FORWARD = Exercise(3, "ch03-linear-forward-check", "A batched linear layer", 2, "check_linear_forward")
PARAMETER_COUNT = Exercise(3, "ch03-count-parameters-check", "How many parameters?", 2, "check_parameter_count")
XOR_RELU = Exercise(3, "ch03-xor-relu-check", "XOR with ReLU units", 2, "check_xor_weights")
MLP_FORWARD = Exercise(3, "ch03-mlp-forward-check", "The forward pass of any MLP", 3, "check_mlp_forward")
BCE = Exercise(3, "ch03-bce-check", "Binary cross-entropy from logits", 2, "check_bce_with_logits")
DIGITS = Exercise(3, "ch03-digits-check", "A digits classifier", 3, "check_digits_classifier")
EXERCISES = (LINEAR_FORWARD, PARAMETER_COUNT, XOR_RELU, MLP_FORWARD, BCE, DIGITS)


def _mlp(weights, biases):
    """The course's own network with these parameters: Linear, ReLU, ..., Linear (float64)."""
    layers = []
    for index, (W, b) in enumerate(zip(weights, biases, strict=True)):
        W = np.asarray(W, dtype=np.float64)
        layer = Linear(W.shape[1], W.shape[0], dtype=np.float64, rng=0)  # a seed: the global generator is not used
        layer.weight.data[...] = W
        layer.bias.data[...] = b
        layers.append(layer)
        if index < len(weights) - 1:
            layers.append(ReLU())
    return Sequential(*layers)


# ---------------------------------------------------------------------------------------------------------
def _linear_reference(X, W, b):
    return _mlp([W], [b])(X)


def check_linear_forward(fn, extra_cases=()):
    """``fn(X, W, b)`` must return ``X @ W.T + b``: X is ``(N, in)``, W is ``(out, in)``, b is ``(out,)``.

    >>> check_linear_forward(lambda X, W, b: X @ W.T + b).passed
    True
    """
    rng = np.random.default_rng(3)
    W, b = rng.normal(size=(4, 3)), rng.normal(size=4)
    cases = [
        ("X of shape (5, 3), W of shape (4, 3), b of shape (4,)", (rng.normal(size=(5, 3)), W, b)),
        ("a batch of one sample, X of shape (1, 3)", (rng.normal(size=(1, 3)), W, b)),
    ] + extra(extra_cases, _linear_reference, "check_linear_forward")
    outcomes = [attempt(_linear_case, fn, *args, on=on) for on, args in cases]
    return grade(LINEAR_FORWARD, outcomes, "Z = X Wᵀ + b, one row per sample, shape (N, out_features).")


def _linear_case(fn, X, W, b, *, on):
    expected = _linear_reference(X, W, b)
    got = numbers(call(fn, X, W, b, on=on), "linear_forward(X, W, b)", on)
    n, out_features = expected.shape
    require(
        got.shape != X.shape or X.shape == expected.shape,
        f"the output has shape {got.shape}, the shape of X (on {on}): a layer with {out_features} outputs gives "
        f"Z of shape (N, out_features) = {expected.shape}. Multiply by the transpose, X @ W.T.",
    )
    require(
        got.shape != expected.T.shape or expected.shape == expected.T.shape,
        f"the output has shape {got.shape} (on {on}): that is (X Wᵀ)ᵀ = W Xᵀ. With samples as rows, Z = X @ W.T "
        f"has one row per sample, shape {expected.shape}.",
    )
    diagnose(got, expected, [(X @ W.T, f"the output equals X @ W.T, without the bias (on {on}): add b to rows.")])
    compare(got, expected, what="linear_forward(X, W, b)", on=on)


# ---------------------------------------------------------------------------------------------------------
def _count_reference(layer_sizes):
    sizes = [int(size) for size in layer_sizes]
    weights = [np.zeros((n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)]
    model = _mlp(weights, [np.zeros(len(W)) for W in weights])
    return sum(parameter.data.size for parameter in model.parameters())


def check_parameter_count(fn, extra_cases=()):
    """``fn(layer_sizes)`` must return the number of weights and biases of the fully connected network.

    >>> check_parameter_count(lambda s: sum(a * b + b for a, b in zip(s[:-1], s[1:]))).passed
    True
    """
    sizes = [[3, 4, 2], [2, 2, 1], [784, 256, 256, 10], [3, 5], [4, 8, 8, 8, 2]]
    cases = [(f"layer_sizes = {s}", (s,)) for s in sizes] + extra(extra_cases, _count_reference,
                                                                  "check_parameter_count")
    outcomes = [attempt(_count_case, fn, *args, on=on) for on, args in cases]
    return grade(PARAMETER_COUNT, outcomes, "a layer from n_in to n_out has n_in·n_out weights + n_out biases.")


def _count_case(fn, layer_sizes, *, on):
    expected = _count_reference(layer_sizes)
    got = whole_number(call(fn, list(layer_sizes), on=on), "the number of parameters", on)
    pairs = list(zip(layer_sizes[:-1], layer_sizes[1:], strict=True))
    diagnose(got, expected, [
        (sum(a * b for a, b in pairs),
         f"for {on} you counted only the weights: each layer also has one bias per output neuron."),
        (expected + layer_sizes[0],
         f"for {on} you counted a bias for the input layer too: the inputs have no parameters."),
        (sum(a * b + b for a, b in pairs[:-1]),
         f"for {on} you left out the last layer: there is one layer per pair of consecutive sizes, "
         "the output layer included."),
    ])
    require(
        got == expected,
        f"for {on} expected {expected} parameters, got {got}. Layer l has W of shape (n_l, n_(l-1)) and "
        "b of shape (n_l,).",
    )


# ---------------------------------------------------------------------------------------------------------
def check_xor_weights(fn):
    """``fn()`` returns ``(W1, b1, W2, b2)`` of a 2-2-1 network ``ŷ = W2 relu(W1 x + b1) + b2`` whose output
    is exactly XOR (0, 1, 1, 0) on the corners of the unit square.

    >>> relu_xor = lambda: ([[1.0, 1.0], [1.0, 1.0]], [0.0, -1.0], [[1.0, -2.0]], [0.0])
    >>> check_xor_weights(relu_xor).passed
    True
    """
    outcome = attempt(_xor_case, fn, on="xor_relu_weights()")
    return grade(XOR_RELU, [outcome], "your 2-2-1 ReLU network computes XOR on all four inputs.")


def _xor_case(fn, *, on):
    W1, b1, W2, b2 = items(call(fn, on=on), ("W1", "b1", "W2", "b2"), on)
    shapes = {"W1": (2, 2), "b1": (2,), "W2": (1, 2), "b2": (1,)}
    layout = {"W1": "(hidden, input)", "b1": "(hidden,)", "W2": "(output, hidden)", "b2": "(output,)"}
    arrays = {}
    for (name, shape), value in zip(shapes.items(), (W1, b1, W2, b2), strict=True):
        arrays[name] = numbers(value, name, on)
        require(
            arrays[name].shape == shape,
            f"{name} must have shape {shape}, PyTorch's layout {layout[name]}, got shape {arrays[name].shape} "
            f"(on {on}).",
        )
        require(np.all(np.isfinite(arrays[name])), f"{name} contains NaN or infinity (on {on}).")
    X, targets = logic_gate("xor", dtype=np.float64)
    network = _mlp([arrays["W1"], arrays["W2"]], [arrays["b1"], arrays["b2"]])
    hidden = network[1](network[0](X))
    y_hat = network(X).reshape(-1)
    wrong = np.flatnonzero(~np.isclose(y_hat, targets, rtol=0, atol=1e-6))
    rows = "; ".join(
        f"x = {X[i].astype(int).tolist()}: hidden a = {np.round(hidden[i], 3).tolist()}, ŷ = {y_hat[i]:.3g}, "
        f"expected {int(targets[i])}"
        for i in wrong
    )
    require(
        wrong.size == 0,
        f"XOR is wrong on {wrong.size} of 4 inputs ({rows}). Idea: both hidden units see s = x1 + x2; relu(s) "
        "and relu(s - 1) differ only for s = 2, so a difference of them can rise to 1 and fall back to 0.",
    )


# ---------------------------------------------------------------------------------------------------------
def _mlp_reference(X, weights, biases):
    return _mlp(weights, biases)(X)


def check_mlp_forward(fn, extra_cases=()):
    """``fn(X, weights, biases)``: ReLU after every layer but the last, which stays linear; ``(N, out)``.

    >>> def mlp_forward(X, weights, biases):
    ...     for W, b in zip(weights[:-1], biases[:-1]):
    ...         X = np.maximum(X @ W.T + b, 0)
    ...     return X @ weights[-1].T + biases[-1]
    >>> check_mlp_forward(mlp_forward).passed
    True
    """
    rng = np.random.default_rng(7)
    cases = []
    for sizes, what in [([3, 5, 4, 2], "a 3-5-4-2 network"), ([2, 5, 2], "a 2-5-2 network (one hidden layer)"),
                        ([3, 2], "a 3-2 network (no hidden layer: one Linear)")]:
        X = rng.normal(size=(6, sizes[0]))
        weights = [rng.normal(size=(n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)]
        biases = [rng.normal(size=n_out) for n_out in sizes[1:]]
        cases.append((f"X of shape {X.shape} and {what}", (X, weights, biases)))
    cases += extra(extra_cases, _mlp_reference, "check_mlp_forward")
    outcomes = [attempt(_mlp_case, fn, *args, on=on) for on, args in cases]
    return grade(MLP_FORWARD, outcomes,
                 "the forward pass of an MLP is a loop of Z = A Wᵀ + b and A = ReLU(Z), with a linear last layer.")


def _mlp_case(fn, X, weights, biases, *, on):
    expected = _mlp_reference(X, weights, biases)
    got = numbers(call(fn, X, weights, biases, on=on), "mlp_forward(X, weights, biases)", on)
    no_relu = X
    for W, b in zip(weights, biases, strict=True):
        no_relu = no_relu @ W.T + b
    diagnose(got, expected, [
        (np.maximum(expected, 0.0),
         f"you applied ReLU to the output layer too (on {on}): the last layer stays linear."),
        (no_relu, f"there is no ReLU between the layers (on {on}): apply it after every layer but the last."),
    ])
    compare(got, expected, what="mlp_forward(X, weights, biases)", on=on)


# ---------------------------------------------------------------------------------------------------------
def _bce_reference(z, y):
    return float(BCEWithLogitsLoss()(np.asarray(z, dtype=np.float64), np.asarray(y, dtype=np.float64)))


def check_bce_with_logits(fn, extra_cases=()):
    """``fn(z, y)`` returns the mean over the batch of ``log(1 + e^z) − y z``, the binary cross-entropy of the
    logits ``z`` (shape ``(N,)``) against labels ``y`` in {0, 1}; logits of ±1e4 must not overflow.

    >>> check_bce_with_logits(lambda z, y: np.mean(np.logaddexp(0, z) - y * z)).passed
    True
    """
    rng = np.random.default_rng(5)
    cases = [
        ("z = [-2, 0, 3], y = [0, 1, 1]", (np.array([-2.0, 0.0, 3.0]), np.array([0.0, 1.0, 1.0]))),
        ("8 random logits and labels", (rng.normal(scale=3, size=8), rng.integers(0, 2, size=8).astype(float))),
        ("z = [1e4, -1e4, 1e4, -1e4], y = [1, 0, 0, 1] (confidently right twice, wrong twice)",
         (np.array([1e4, -1e4, 1e4, -1e4]), np.array([1.0, 0.0, 0.0, 1.0]))),
    ] + extra(extra_cases, _bce_reference, "check_bce_with_logits")
    outcomes = [attempt(_bce_case, fn, *args, on=on) for on, args in cases]
    return grade(BCE, outcomes, "mean(log(1 + e^z) − y z), the same as nn.BCEWithLogitsLoss, for any z.")


def _bce_case(fn, z, y, *, on):
    expected = _bce_reference(z, y)
    got = one_number(call(fn, z, y, on=on, warning_hint="log(σ(z)) overflows for large |z|: write the loss as "
                          "log(1 + e^z) − y z and compute log(1 + e^z) with np.logaddexp(0, z)."),
                     "the loss", on)
    terms = np.logaddexp(0.0, z) - y * z
    diagnose(got, expected, [
        (float(np.sum(terms)), f"you summed over the batch (on {on}): the loss is the mean, as in PyTorch."),
        (-expected, f"your loss is negative (on {on}): it is −[y log σ(z) + (1 − y) log(1 − σ(z))], with a minus."),
        (float(np.mean(np.logaddexp(0.0, z) - (1 - y) * z)),
         f"you swapped the labels (on {on}): y = 1 should make the loss small when z is large."),
        (float(np.mean(np.logaddexp(0.0, -z) - y * z)),
         f"that is log(1 + e^(−z)) − y z (on {on}): the loss is log(1 + e^z) − y z "
         "(or, equally, log(1 + e^(−z)) + (1 − y) z)."),
    ])
    compare(got, expected, what="the loss", on=on, rtol=1e-8)


# ---------------------------------------------------------------------------------------------------------
ACCURACY_MARKS = (0.85, 0.90, 0.95)  # one mark each; the last is the target


def check_digits_classifier(train):
    """``train(X_train, y_train)`` trains a classifier on the digits and returns it: anything that maps images
    ``(N, 64)`` to class scores ``(N, 10)`` (an ``nncourse`` model, or a function). The checker gives it the
    chapter's training images (``load_digits(return_split=True)``: 1,438 of them) and measures its accuracy
    on the 359 held-out ones, which ``train`` never sees. Each of 0.85, 0.90 and 0.95 reached is a mark.

    >>> def train(X, y):
    ...     weights = np.linalg.lstsq(np.c_[X, np.ones(len(X))], np.eye(10)[y], rcond=None)[0]
    ...     return lambda images: np.c_[images, np.ones(len(images))] @ weights  # a linear model: 0.936
    >>> result = check_digits_classifier(train)
    >>> result.n_passed, result.passed
    (2, False)
    """
    run = {}
    setup = attempt(_train_digits, train, run, on="train(X_train, y_train)")
    if setup is not None:
        return grade(DIGITS, [setup] * len(ACCURACY_MARKS), "")
    accuracy = run["accuracy"]
    outcomes = [attempt(_reached, accuracy, mark) for mark in ACCURACY_MARKS]
    return grade(DIGITS, outcomes, f"accuracy {accuracy:.3f} on the 359 held-out images (target "
                                   f"{ACCURACY_MARKS[-1]}).")


def _train_digits(train, run, *, on):
    (X_train, y_train), (X_test, y_test) = load_digits(return_split=True, dtype=np.float64)
    model = call(train, X_train, y_train, on=on)
    require(callable(model), f"train should return the trained model (something to call on images), got "
                             f"{type(model).__name__} (on {on}).")
    if callable(getattr(model, "eval", None)):
        call(model.eval, on="model.eval()", copy_args=False)
    scores = numbers(call(model, X_test, on="the held-out images", copy_args=False), "the model's output",
                     "the held-out images")
    require(scores.shape == (len(X_test), 10),
            f"the model should map images of shape {X_test.shape} to scores of shape ({len(X_test)}, 10), one "
            f"per class, got shape {scores.shape}.")
    require(np.all(np.isfinite(scores)), "the model's scores contain NaN or infinity: the training diverged; "
                                         "try a smaller learning rate.")
    run["accuracy"] = float(np.mean(scores.argmax(axis=1) == y_test))


def _reached(accuracy, mark):
    require(
        accuracy >= mark,
        f"the accuracy on the held-out images is {accuracy:.3f}, below {mark:.2f} (one mark each at "
        f"{', '.join(map(str, ACCURACY_MARKS[:-1]))} and the target {ACCURACY_MARKS[-1]}). A hidden layer of a "
        "few dozen ReLUs, CrossEntropyLoss and SGD with lr ≈ 0.1 for 20–30 epochs get there.",
    )
