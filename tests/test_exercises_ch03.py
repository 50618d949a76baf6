"""Chapter 3 checkers: each gives the reference solution full points and rejects stubs and typical mistakes
kindly, with partial credit where some cases pass; the holes a learner found are closed."""

import numpy as np
import pytest
import torch

from nncourse.exercises import ch03


def stub(*args, **kwargs):
    raise NotImplementedError()


def assert_rejected(result, words):
    assert not result.passed
    assert words in result.message, result.message
    assert 0 <= result.score < result.points


# -- batched Linear forward ---------------------------------------------------------------------------------


def test_linear_forward_reference_passes_and_matches_torch():
    assert ch03.check_linear_forward(lambda X, W, b: X @ W.T + b).score == 2
    X, W, b = np.ones((2, 3)), np.arange(12.0).reshape(4, 3), np.arange(4.0)
    expected = torch.nn.functional.linear(torch.from_numpy(X), torch.from_numpy(W), torch.from_numpy(b)).numpy()
    np.testing.assert_allclose(X @ W.T + b, expected, rtol=1e-15)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented yet"),
        (lambda X, W, b: X @ W.T, "without the bias"),
        (lambda X, W, b: W @ X.T + b[:, None], "shape (4, 5)"),
        (lambda X, W, b: X + 0 * b[:3], "the shape of X"),
        (lambda X, W, b: X @ W + b, "raised ValueError"),
        (lambda X, W, b: None, "did you forget to `return`"),
        (lambda X, W, b: (X @ W.T + b).astype(complex), "is complex"),
    ],
)
def test_linear_forward_mistakes_get_a_hint(wrong, words):
    assert_rejected(ch03.check_linear_forward(wrong), words)


def test_linear_forward_gives_partial_credit():
    only_batches = lambda X, W, b: X @ W.T + b if len(X) > 1 else None  # noqa: E731
    assert ch03.check_linear_forward(only_batches).score == 1


# -- parameter count ----------------------------------------------------------------------------------------


def count_parameters(sizes):
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def test_parameter_count_reference_passes():
    assert ch03.check_parameter_count(count_parameters).score == 2
    # 784·256 + 256 + 256·256 + 256 + 256·10 + 10, worked out by hand.
    assert count_parameters([784, 256, 256, 10]) == 200960 + 65792 + 2570


def test_parameter_count_accepts_every_integer_form():
    # A 0-d array used to be rejected although its value was right.
    assert ch03.check_parameter_count(lambda sizes: np.array(count_parameters(sizes))).passed
    assert ch03.check_parameter_count(lambda sizes: np.int64(count_parameters(sizes))).passed
    assert ch03.check_parameter_count(lambda sizes: float(count_parameters(sizes))).passed


def weights_only(sizes):
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def drops_last_layer(sizes):
    return count_parameters(sizes[:-1])


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented yet"),
        (weights_only, "for layer_sizes = [3, 4, 2] you counted only the weights"),
        # This used to be diagnosed as "only the weights" (both give 6 for [2, 2, 1]).
        (drops_last_layer, "for layer_sizes = [3, 4, 2] you left out the last layer"),
        (lambda sizes: count_parameters(sizes) + sizes[0], "a bias for the input layer too"),
        (lambda sizes: [count_parameters(sizes)], "should be one number"),
        (lambda sizes: count_parameters(sizes) + 0.5, "should be a whole number, got"),
        (lambda sizes: count_parameters(sizes) + 1, "expected 26 parameters, got 27"),
    ],
)
def test_parameter_count_mistakes_get_a_hint(wrong, words):
    assert_rejected(ch03.check_parameter_count(wrong), words)


def test_parameter_count_does_not_guess_between_mistakes_that_agree():
    # For [2, 2, 1] the two mistakes both give 6: that case says only "expected 9, got 6".
    result = ch03.check_parameter_count(drops_last_layer)
    assert "for layer_sizes = [2, 2, 1] expected 9 parameters, got 6" in result.hints[1]


def test_parameter_count_hidden_cases_of_the_notebook():
    hidden = [([5, 1],), ([3, 16, 16, 16, 16, 4],)]
    assert ch03.check_parameter_count(count_parameters, hidden).n_cases == 7
    shallow_only = lambda sizes: count_parameters(sizes) if len(sizes) < 5 else 0  # noqa: E731
    result = ch03.check_parameter_count(shallow_only, hidden)
    assert (result.n_passed, result.n_cases) == (5, 7)


# -- XOR with ReLU units ------------------------------------------------------------------------------------


def xor_relu_weights():
    W1 = np.array([[1.0, 1.0], [1.0, 1.0]])  # both see s = x1 + x2
    b1 = np.array([0.0, -1.0])
    W2 = np.array([[1.0, -2.0]])  # relu(s) - 2 relu(s - 1) = 0, 1, 0 for s = 0, 1, 2
    b2 = np.array([0.0])
    return W1, b1, W2, b2


def test_xor_reference_passes_and_matches_torch():
    assert ch03.check_xor_weights(xor_relu_weights).score == 2
    W1, b1, W2, b2 = (torch.from_numpy(a) for a in xor_relu_weights())
    X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
    assert (torch.relu(X @ W1.T + b1) @ W2.T + b2).ravel().tolist() == [0.0, 1.0, 1.0, 0.0]


def test_xor_rejects_the_step_networks_weights():
    step_xor = (np.ones((2, 2)), np.array([-0.5, -1.5]), np.array([[1.0, -1.0]]), np.array([-0.5]))
    assert_rejected(ch03.check_xor_weights(lambda: step_xor), "XOR is wrong on")


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented yet"),
        # The output weights as a column: accepted before, though the task asks for W2 of shape (1, 2).
        (lambda: (*xor_relu_weights()[:2], np.array([[1.0], [-2.0]]), np.array([0.0])),
         "W2 must have shape (1, 2), PyTorch's layout (output, hidden), got shape (2, 1)"),
        (lambda: (np.ones((2, 3)), np.zeros(2), np.ones((1, 2)), np.zeros(1)), "W1 must have shape (2, 2)"),
        (lambda: (*xor_relu_weights()[:3], 0.0), "b2 must have shape (1,)"),
        (lambda: np.ones(4), "return a tuple (W1, b1, W2, b2)"),
        (lambda: (*xor_relu_weights()[:2], np.array([[1.0, 1.0]]), np.array([0.0])), "XOR is wrong on 1 of 4"),
        (lambda: (*xor_relu_weights()[:3], np.array([np.nan])), "b2 contains NaN"),
    ],
)
def test_xor_mistakes_get_a_hint(wrong, words):
    assert_rejected(ch03.check_xor_weights(wrong), words)


# -- whole MLP forward --------------------------------------------------------------------------------------


def mlp_forward(X, weights, biases):
    a = X
    for W, b in zip(weights[:-1], biases[:-1], strict=True):
        a = np.maximum(a @ W.T + b, 0.0)
    return a @ weights[-1].T + biases[-1]


def mlp_forward_in_place(X, weights, biases):  # right, but it rewrites the caller's X and biases
    for index, (W, b) in enumerate(zip(weights, biases, strict=True)):
        b += 0.0
        X = X @ W.T + b
        if index < len(weights) - 1:
            np.maximum(X, 0.0, out=X)
    return X


def test_mlp_forward_reference_passes():
    assert ch03.check_mlp_forward(mlp_forward).score == 3


def test_mlp_forward_accepts_a_correct_answer_that_changes_its_inputs():
    # The checker used to compute its expected values after the call, from arrays the learner had changed.
    assert ch03.check_mlp_forward(mlp_forward_in_place).passed


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented yet"),
        (lambda X, W, b: np.maximum(mlp_forward(X, W, b), 0.0), "output layer too"),
        (lambda X, W, b: mlp_forward(X, W, b) + 0.1, "mlp_forward(X, weights, biases) is off"),
        (lambda X, W, b: np.maximum(X @ W[0].T + b[0], 0) @ W[-1].T + b[-1], "raised ValueError"),
    ],
)
def test_mlp_forward_mistakes_get_a_hint(wrong, words):
    assert_rejected(ch03.check_mlp_forward(wrong), words)


def test_mlp_forward_names_a_network_without_activations():
    def linear_only(X, weights, biases):
        for W, b in zip(weights, biases, strict=True):
            X = X @ W.T + b
        return X

    result = ch03.check_mlp_forward(linear_only)
    assert_rejected(result, "there is no ReLU between the layers")
    assert result.n_passed == 1  # the network with no hidden layer is linear anyway


def test_mlp_forward_gives_credit_per_depth():
    two_layers_only = lambda X, W, b: np.maximum(X @ W[0].T + b[0], 0) @ W[1].T + b[1]  # noqa: E731
    result = ch03.check_mlp_forward(two_layers_only)
    assert (result.n_passed, result.n_cases) == (1, 3)


# -- binary cross-entropy from logits -----------------------------------------------------------------------


def bce_with_logits(z, y):
    return np.mean(np.logaddexp(0, z) - y * z)


def test_bce_reference_passes_and_matches_torch():
    assert ch03.check_bce_with_logits(bce_with_logits).score == 2
    z, y = np.array([-3.0, 0.5, 1e4, -1e4]), np.array([0.0, 1.0, 0.0, 0.0])
    expected = torch.nn.functional.binary_cross_entropy_with_logits(torch.from_numpy(z), torch.from_numpy(y))
    assert bce_with_logits(z, y) == pytest.approx(float(expected), rel=1e-12)


def naive_bce(z, y):
    p = 1 / (1 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented yet"),
        (naive_bce, "np.logaddexp(0, z)"),
        (lambda z, y: np.sum(np.logaddexp(0, z) - y * z), "you summed over the batch"),
        (lambda z, y: -bce_with_logits(z, y), "your loss is negative"),
        (lambda z, y: bce_with_logits(z, 1 - y), "you swapped the labels"),
        (lambda z, y: np.mean(np.logaddexp(0, -z) - y * z), "that is log(1 + e^(−z)) − y z"),
        (lambda z, y: np.logaddexp(0, z) - y * z, "should be one number"),
        (lambda z, y: None, "did you forget to `return`"),
    ],
)
def test_bce_mistakes_get_a_hint(wrong, words):
    assert_rejected(ch03.check_bce_with_logits(wrong), words)


def test_bce_naive_formula_gets_partial_credit_for_moderate_logits():
    # The textbook formula is right for moderate logits and fails only the ±1e4 case.
    result = ch03.check_bce_with_logits(naive_bce)
    assert (result.n_passed, result.n_cases) == (2, 3)


# -- a digits classifier (open-ended) -----------------------------------------------------------------------


def train_mlp(X, y, epochs=20):
    from nncourse import nn
    from nncourse.optim import SGD
    from nncourse.train import fit

    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(64, 32, dtype=np.float64, rng=rng), nn.ReLU(),
                          nn.Linear(32, 10, dtype=np.float64, rng=rng))
    fit(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), (X, y), epochs=epochs, batch_size=32,
        rng=0, progress=False)
    return model


def test_digits_a_small_mlp_reaches_the_target():
    result = ch03.check_digits_classifier(train_mlp)
    assert result.score == 3, result.message
    assert "held-out images" in result.message


def test_digits_marks_follow_the_measured_accuracy():
    def least_squares(X, y):  # a linear classifier: between 0.90 and 0.95
        weights = np.linalg.lstsq(np.c_[X, np.ones(len(X))], np.eye(10)[y], rcond=None)[0]
        return lambda images: np.c_[images, np.ones(len(images))] @ weights

    assert ch03.check_digits_classifier(least_squares).n_passed == 2
    undertrained = ch03.check_digits_classifier(lambda X, y: train_mlp(X, y, epochs=1))
    assert undertrained.score == 0 and "0.504, below 0.85" in undertrained.message


def test_digits_the_classifier_never_sees_the_held_out_images():
    from nncourse.data import load_digits

    (X_train, _), (X_test, _) = load_digits(return_split=True, dtype=np.float64)
    seen = {}

    def remember(X, y):
        seen["rows"] = len(X)
        return train_mlp(X, y)

    ch03.check_digits_classifier(remember)
    assert seen["rows"] == len(X_train) == 1438
    # a memoriser of the training set cannot look up the held-out images
    lookup = lambda X, y: (lambda images: np.eye(10)[np.zeros(len(images), dtype=int)])  # noqa: E731
    assert ch03.check_digits_classifier(lookup).score == 0


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented yet"),
        (lambda X, y: None, "should return the trained model"),
        (lambda X, y: (lambda images: images), "scores of shape (359, 10)"),
        (lambda X, y: (lambda images: np.full((len(images), 10), np.nan)), "NaN or infinity"),
        (lambda X, y: (lambda images: 1 / 0), "raised ZeroDivisionError"),
    ],
)
def test_digits_mistakes_get_a_hint(wrong, words):
    assert_rejected(ch03.check_digits_classifier(wrong), words)
