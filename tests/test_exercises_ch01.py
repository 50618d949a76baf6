"""Every Chapter 1 checker passes the reference solution and rejects the stub and typical mistakes kindly."""

import numpy as np
import pytest

from nncourse.exercises import ch01


def stub(*_args):
    raise NotImplementedError()


# ----------------------------------------------------------------------------------------------- predict


def predict(X, weight, bias):
    return (X @ weight + bias >= 0).astype(int)


def predict_strict(X, weight, bias):  # uses z > 0: wrong exactly on the line
    return (X @ weight + bias > 0).astype(int)


def predict_z(X, weight, bias):  # forgets the step
    return X @ weight + bias


def predict_sign(X, weight, bias):  # ±1 labels
    return np.where(X @ weight + bias >= 0, 1, -1)


def predict_column(X, weight, bias):  # shape (n, 1)
    return (X @ weight[:, None] + bias >= 0).astype(int)


def test_predict_accepts_the_solution(capsys):
    result = ch01.check_predict(predict)
    assert result.passed and "step(X w + b)" in result.message
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    "fn, words",
    [
        (stub, "not implemented yet"),
        (predict_strict, "the course's step gives 1 at z = 0"),
        (predict_z, "you returned z = X w + b itself"),
        (predict_sign, "the labels are 0 and 1, not -1 and +1"),
        (predict_column, "should have shape (4,), got shape (4, 1)"),
        (lambda X, w, b: None, "the prediction is None"),
        (42, "expected a function"),
    ],
)
def test_predict_rejects_wrong_answers(fn, words, capsys):
    result = ch01.check_predict(fn)
    assert not result.passed
    assert words in result.message
    assert "Not yet" in capsys.readouterr().out


# ----------------------------------------------------------------------------------------------- update


def update(weight, bias, x, y, lr):
    y_hat = int(x @ weight + bias >= 0)
    return weight + lr * (y - y_hat) * x, bias + lr * (y - y_hat)


def update_always(weight, bias, x, y, lr):  # updates even when the prediction is right
    return weight + lr * x * (1 if y == 1 else -1), bias + lr * (1 if y == 1 else -1)


def update_times_y(weight, bias, x, y, lr):  # multiplies by y instead of the error
    y_hat = int(x @ weight + bias >= 0)
    if y == y_hat:
        return weight, bias
    return weight + lr * y * x, bias + lr * y


def update_no_lr(weight, bias, x, y, lr):
    y_hat = int(x @ weight + bias >= 0)
    return weight + (y - y_hat) * x, bias + (y - y_hat)


def update_no_bias(weight, bias, x, y, lr):
    y_hat = int(x @ weight + bias >= 0)
    return weight + lr * (y - y_hat) * x, bias


def update_strict(weight, bias, x, y, lr):  # z > 0 instead of z >= 0: wrong exactly on the line
    y_hat = int(x @ weight + bias > 0)
    return weight + lr * (y - y_hat) * x, bias + lr * (y - y_hat)


def update_one_value(weight, bias, x, y, lr):
    return update(weight, bias, x, y, lr)[0]


def test_update_accepts_the_solution():
    assert ch01.check_update(update).passed


@pytest.mark.parametrize(
    "fn, words",
    [
        (stub, "not implemented yet"),
        (update_always, "nothing should change"),
        (update_times_y, "multiply by the error y - ŷ, not by y"),
        (update_no_lr, "scaled by the learning rate lr = 0.5"),
        (update_no_bias, "the bias must be updated too"),
        (update_strict, "compare with z >= 0, not z > 0"),
        (update_one_value, "return a tuple (new_weight, new_bias)"),
        (lambda w, b, x, y, lr: (w, b, 0), "got tuple of length 3"),
    ],
)
def test_update_rejects_wrong_answers(fn, words):
    result = ch01.check_update(fn)
    assert not result.passed
    assert words in result.message


# ----------------------------------------------------------------------------------------------- NAND


def nand_weights():
    return np.array([-2.0, -2.0]), 3.0


def test_nand_weights_accepts_a_solution_and_any_other_correct_line():
    assert ch01.check_nand_weights(nand_weights).passed
    assert ch01.check_nand_weights(lambda: ([-1, -0.5], 1.2)).passed


@pytest.mark.parametrize(
    "fn, words",
    [
        (stub, "not implemented yet"),
        (lambda: (np.array([1.0, 1.0]), -1.5), "NAND(0, 0) = 1, but your perceptron gives 0"),  # AND
        (lambda: (np.array([-1.0, -1.0]), 2.0), "x = (1, 1) lies exactly on your line (z = 0)"),
        (lambda: (np.array([-1.0, -1.0, 0.0]), 2.0), "weight should have shape (2,), got (3,)"),
        (lambda: (np.array([-1.0, np.nan]), 2.0), "must be finite"),
        (lambda: np.array([-2.0, -2.0, 3.0]), "return a tuple (weight, bias)"),
        (lambda: None, "did you forget to `return` (weight, bias)?"),
    ],
)
def test_nand_weights_rejects_wrong_answers(fn, words):
    result = ch01.check_nand_weights(fn)
    assert not result.passed
    assert words in result.message


# ----------------------------------------------------------------------------------------------- Novikoff


def novikoff_bound(X, y, weight, bias):
    X_tilde = np.hstack([X, np.ones((len(X), 1))])
    w_tilde = np.append(weight, bias)
    radius = np.linalg.norm(X_tilde, axis=1).max()
    gamma = np.min((2 * y - 1) * (X_tilde @ w_tilde)) / np.linalg.norm(w_tilde)
    return (radius / gamma) ** 2


def bound_not_augmented(X, y, weight, bias):
    radius = np.linalg.norm(X, axis=1).max()
    gamma = np.min((2 * y - 1) * (X @ weight + bias)) / np.linalg.norm(weight)
    return (radius / gamma) ** 2


def bound_not_normalised(X, y, weight, bias):
    X_tilde = np.hstack([X, np.ones((len(X), 1))])
    radius = np.linalg.norm(X_tilde, axis=1).max()
    gamma = np.min((2 * y - 1) * (X_tilde @ np.append(weight, bias)))
    return (radius / gamma) ** 2


def bound_not_squared(X, y, weight, bias):
    return np.sqrt(novikoff_bound(X, y, weight, bias))


def test_novikoff_bound_accepts_the_solution_and_the_package_function():
    from nncourse.perceptron import novikoff_bound as reference

    assert ch01.check_novikoff_bound(novikoff_bound).passed
    assert ch01.check_novikoff_bound(lambda *a: reference(*a).bound).passed


@pytest.mark.parametrize(
    "fn, words",
    [
        (stub, "not implemented yet"),
        (bound_not_augmented, "use the augmented vectors"),
        (bound_not_normalised, "γ must use a unit vector"),
        (bound_not_squared, "you returned R / γ"),
        (lambda *a: "big", "should be numbers, got str"),
        (lambda *a: np.array([1.0, 2.0]), "return one number, got shape (2,)"),
        (lambda *a: 1 / 0, "your code raised ZeroDivisionError"),
    ],
)
def test_novikoff_bound_rejects_wrong_answers(fn, words):
    result = ch01.check_novikoff_bound(fn)
    assert not result.passed
    assert words in result.message
