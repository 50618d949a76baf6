"""Chapter 3 checkers: each accepts the reference solution and rejects stubs and typical mistakes kindly."""

import numpy as np

from nncourse.exercises import ch03


def stub(*args, **kwargs):
    raise NotImplementedError()


# -- batched Linear forward ---------------------------------------------------------------------------------


def test_linear_forward_accepts_the_reference():
    assert ch03.check_linear_forward(lambda X, W, b: X @ W.T + b).passed


def test_linear_forward_rejects_the_stub():
    result = ch03.check_linear_forward(stub)
    assert not result.passed
    assert "not implemented yet" in result.message


def test_linear_forward_names_a_missing_bias():
    result = ch03.check_linear_forward(lambda X, W, b: X @ W.T)
    assert not result.passed
    assert "without the bias" in result.message


def test_linear_forward_explains_the_transposed_output():
    result = ch03.check_linear_forward(lambda X, W, b: W @ X.T + b[:, None])
    assert not result.passed
    assert "shape (4, 5)" in result.message and "X @ W.T" in result.message


def test_linear_forward_turns_a_shape_error_into_a_hint():
    result = ch03.check_linear_forward(lambda X, W, b: X @ W + b)
    assert not result.passed
    assert "raised ValueError" in result.message and "shape (5, 3)" in result.message


def test_linear_forward_reports_none():
    result = ch03.check_linear_forward(lambda X, W, b: None)
    assert not result.passed
    assert "return" in result.message


# -- parameter count ----------------------------------------------------------------------------------------


def count_parameters(sizes):
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def test_parameter_count_accepts_the_reference():
    result = ch03.check_parameter_count(count_parameters)
    assert result.passed
    # 784·256 + 256 + 256·256 + 256 + 256·10 + 10, worked out by hand.
    assert count_parameters([784, 256, 256, 10]) == 200960 + 65792 + 2570


def test_parameter_count_rejects_the_stub():
    assert "not implemented yet" in ch03.check_parameter_count(stub).message


def test_parameter_count_names_forgotten_biases():
    weights_only = lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))  # noqa: E731
    result = ch03.check_parameter_count(weights_only)
    assert not result.passed
    assert "only the weights" in result.message and "layer_sizes = [2, 2, 1]" in result.message


def test_parameter_count_names_an_input_bias():
    result = ch03.check_parameter_count(lambda sizes: count_parameters(sizes) + sizes[0])
    assert not result.passed
    assert "input layer" in result.message


def test_parameter_count_rejects_a_list_answer():
    result = ch03.check_parameter_count(lambda sizes: [count_parameters(sizes)])
    assert not result.passed
    assert "expected one number" in result.message


# -- XOR by hand --------------------------------------------------------------------------------------------


def xor_weights():
    W1 = np.array([[1.0, 1.0], [1.0, 1.0]])  # unit 1: OR, unit 2: AND
    b1 = np.array([-0.5, -1.5])
    W2 = np.array([[1.0, -1.0]])  # OR and not AND
    b2 = np.array([-0.5])
    return W1, b1, W2, b2


def test_xor_accepts_the_reference_and_flat_output_weights():
    assert ch03.check_xor_weights(xor_weights).passed
    W1, b1, W2, b2 = xor_weights()
    assert ch03.check_xor_weights(lambda: (W1, b1, W2.ravel(), -0.5)).passed


def test_xor_rejects_the_stub():
    assert "not implemented yet" in ch03.check_xor_weights(stub).message


def test_xor_lists_the_inputs_it_gets_wrong():
    W1, b1, _, _ = xor_weights()
    result = ch03.check_xor_weights(lambda: (W1, b1, np.array([[1.0, 1.0]]), np.array([-0.5])))  # computes OR
    assert not result.passed
    assert "1 of 4 inputs" in result.message and "x = [1, 1]" in result.message


def test_xor_flags_a_pre_activation_on_the_step():
    W1, _, W2, b2 = xor_weights()
    result = ch03.check_xor_weights(lambda: (W1, np.array([-1.0, -1.5]), W2, b2))
    assert not result.passed
    assert "exactly 0" in result.message


def test_xor_explains_wrong_shapes():
    result = ch03.check_xor_weights(lambda: (np.ones((2, 3)), np.zeros(2), np.ones(2), 0.0))
    assert not result.passed
    assert "W1 must have shape (2, 2)" in result.message
    result = ch03.check_xor_weights(lambda: np.ones(4))
    assert not result.passed
    assert "expected a tuple (W1, b1, W2, b2)" in result.message


def xor_relu_weights():
    W1 = np.array([[1.0, 1.0], [1.0, 1.0]])  # both see s = x1 + x2
    b1 = np.array([0.0, -1.0])
    W2 = np.array([[1.0, -2.0]])  # relu(s) - 2 relu(s - 1) = 0, 1, 0 for s = 0, 1, 2
    b2 = np.array([0.0])
    return W1, b1, W2, b2


def test_xor_relu_accepts_the_reference_and_rejects_the_step_solution():
    assert ch03.check_xor_weights(xor_relu_weights, activation="relu").passed
    result = ch03.check_xor_weights(xor_weights, activation="relu")
    assert not result.passed
    assert "XOR is wrong" in result.message and "relu(s - 1)" in result.message
    assert not ch03.check_xor_weights(xor_relu_weights).passed  # as a step network it is not XOR


def test_xor_relu_rejects_the_stub_and_an_unknown_activation():
    assert "not implemented yet" in ch03.check_xor_weights(stub, activation="relu").message
    result = ch03.check_xor_weights(xor_relu_weights, activation="tanh")
    assert not result.passed and "'step' or 'relu'" in result.message


# -- whole MLP forward --------------------------------------------------------------------------------------


def mlp_forward(X, weights, biases):
    a = X
    for W, b in zip(weights[:-1], biases[:-1], strict=True):
        a = np.maximum(a @ W.T + b, 0.0)
    return a @ weights[-1].T + biases[-1]


def test_mlp_forward_accepts_the_reference():
    assert ch03.check_mlp_forward(mlp_forward).passed


def test_mlp_forward_rejects_the_stub():
    assert "not implemented yet" in ch03.check_mlp_forward(stub).message


def test_mlp_forward_names_a_relu_on_the_output():
    result = ch03.check_mlp_forward(lambda X, W, b: np.maximum(mlp_forward(X, W, b), 0.0))
    assert not result.passed
    assert "output layer too" in result.message


def test_mlp_forward_rejects_a_network_without_activations():
    def linear_only(X, weights, biases):
        for W, b in zip(weights, biases, strict=True):
            X = X @ W.T + b
        return X

    result = ch03.check_mlp_forward(linear_only)
    assert not result.passed
    assert "is off" in result.message


def test_mlp_forward_rejects_a_network_that_handles_only_two_layers():
    result = ch03.check_mlp_forward(lambda X, W, b: np.maximum(X @ W[0].T + b[0], 0) @ W[-1].T + b[-1])
    assert not result.passed
    assert "raised ValueError" in result.message or "is off" in result.message
