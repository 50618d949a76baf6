"""Every Chapter 1 checker gives the reference solution full points, and the stub and typical mistakes a
specific hint and partial or no credit; the holes a learner found are closed."""

import numpy as np
import pytest

from nncourse.exercises import ch01
from nncourse.perceptron import novikoff_bound


def stub(*_args):
    raise NotImplementedError()


def assert_rejected(result, words):
    assert not result.passed
    assert words in result.message, result.message
    assert 0 <= result.score < result.points


# ----------------------------------------------------------------------------------------------- predict


def predict(X, weight, bias):
    return (X @ weight + bias >= 0).astype(int)


def test_predict_gives_the_solution_full_points():
    result = ch01.check_predict(predict)
    assert result.passed and result.score == result.points == 2
    assert "step(X w + b)" in result.message


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (stub, "not implemented yet"),
        (lambda X, w, b: (X @ w + b > 0).astype(int), "the course's step gives 1 at z = 0"),
        (lambda X, w, b: X @ w + b, "you returned z = X w + b itself"),
        (lambda X, w, b: np.where(X @ w + b >= 0, 1, -1), "the labels are 0 and 1, not -1 and +1"),
        (lambda X, w, b: (X @ w[:, None] + b >= 0).astype(int), "should have shape (4,), got shape (4, 1)"),
        (lambda X, w, b: None, "the prediction is None"),
        (lambda X, w, b: predict(X, w, b) + 0j, "is complex"),
        (42, "expected a function"),
    ],
)
def test_predict_rejects_wrong_answers(fn, words):
    assert_rejected(ch01.check_predict(fn), words)


def test_predict_gives_partial_credit_for_a_step_wrong_only_on_the_line():
    result = ch01.check_predict(lambda X, w, b: (X @ w + b > 0).astype(int))
    assert (result.n_passed, result.n_cases) == (2, 3)
    assert result.score == pytest.approx(2 * 2 / 3)


def test_predict_counts_extra_cases_and_rejects_a_malformed_one():
    on_the_line = (np.array([[2.0, 0.0]]), np.array([1.0, 1.0]), -2.0)
    assert ch01.check_predict(predict, [on_the_line]).n_cases == 4
    with pytest.raises(ValueError, match="check_predict: extra case 1 is not a valid case"):
        ch01.check_predict(predict, [(np.ones((2, 3)), np.ones(2), 0.0)])


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


def update_in_place(weight, bias, x, y, lr):  # right numbers, but the task forbids changing weight
    y_hat = int(x @ weight + bias >= 0)
    weight += lr * (y - y_hat) * x
    return weight, bias + lr * (y - y_hat)


def test_update_gives_the_solution_full_points():
    result = ch01.check_update(update)
    assert result.passed and result.score == 3


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (stub, "not implemented yet"),
        (update_always, "nothing should change"),
        (update_times_y, "multiply by the error y - ŷ, not by y"),
        (update_no_lr, "scaled by the learning rate lr = 0.5"),
        (update_no_bias, "the bias must be updated too"),
        (update_strict, "compare with z >= 0, not z > 0"),
        (update_in_place, "your code changed weight in place"),
        (lambda *args: update(*args)[0], "return a tuple (new_weight, new_bias)"),
        (lambda w, b, x, y, lr: (w, b, 0), "got tuple of length 3"),
        (lambda w, b, x, y, lr: (update(w, b, x, y, lr)[0], np.array([b])), "new_bias should be one number"),
    ],
)
def test_update_rejects_wrong_answers(fn, words):
    assert_rejected(ch01.check_update(fn), words)


def test_update_scores_each_case():
    assert ch01.check_update(update_strict).n_passed == 4  # only the point on the line is wrong
    assert ch01.check_update(update_in_place).n_passed == 1  # only the correctly classified point is left alone


def test_update_wrong_single_number_says_expected_and_got():
    # Chapter 1 exercise 2: a wrong bias used to crash the comparison ("does not support item assignment").
    result = ch01.check_update(lambda w, b, x, y, lr: (update(w, b, x, y, lr)[0], update(w, b, x, y, lr)[1] + 1))
    assert_rejected(result, "new_bias is off")
    assert "expected 0.25, got 1.25" in result.message


def test_update_extra_case_counts():
    # A false 1 in three dimensions, which only a rule that handles any dimension gets right.
    case = (np.array([0.2, -0.4, 1.0]), 0.3, np.array([1.0, 0.5, -2.0]), 0, 0.1)
    assert ch01.check_update(update, [case]).passed
    two_d_only = lambda w, b, x, y, lr: update(w[:2], b, x[:2], y, lr)  # noqa: E731
    result = ch01.check_update(two_d_only, [case])
    assert result.n_passed == 5 and "extra case 1" in result.message


# ----------------------------------------------------------------------------------------------- NAND


def test_nand_weights_accepts_any_correct_line():
    assert ch01.check_nand_weights(lambda: (np.array([-2.0, -2.0]), 3.0)).score == 1
    assert ch01.check_nand_weights(lambda: ([-1, -0.5], 1.2)).passed
    assert ch01.check_nand_weights(lambda: (np.array([-1.0, -1.0]), np.array(1.5))).passed  # a 0-d bias


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (stub, "not implemented yet"),
        (lambda: (np.array([1.0, 1.0]), -1.5), "NAND(0, 0) = 1, but your perceptron gives 0"),  # AND
        (lambda: (np.array([-1.0, -1.0]), 2.0), "x = (1, 1) lies exactly on your line (z = 0)"),
        (lambda: (np.array([-1.0, -1.0, 0.0]), 2.0), "weight should have shape (2,), got shape (3,)"),
        (lambda: (np.array([-1.0, np.nan]), 2.0), "must be finite"),
        (lambda: np.array([-2.0, -2.0, 3.0]), "return a tuple (weight, bias)"),
        (lambda: None, "did you forget to `return` (weight, bias)?"),
        (lambda: (np.array([-1.0, -1.0]), 1.5 + 0j), "bias is complex"),
    ],
)
def test_nand_weights_rejects_wrong_answers(fn, words):
    assert_rejected(ch01.check_nand_weights(fn), words)


# ----------------------------------------------------------------------------------------------- Novikoff


def bound(X, y, weight, bias):
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


def test_novikoff_bound_accepts_the_solution_and_the_package_function():
    assert ch01.check_novikoff_bound(bound).score == 2
    assert ch01.check_novikoff_bound(lambda *a: novikoff_bound(*a).bound).passed
    assert ch01.check_novikoff_bound(lambda *a: np.array(bound(*a))).passed  # a 0-d array is one number


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (stub, "not implemented yet"),
        (bound_not_augmented, "use the augmented vectors"),
        (bound_not_normalised, "γ must use a unit vector"),
        (lambda *a: np.sqrt(bound(*a)), "you returned R / γ"),
        (lambda *a: bound(*a) * 1.5, "(R / γ)² is off (on 5 points, weight = [1.0, 2.0], bias = -1.0): expected"),
        (lambda *a: "big", "should be a number or an array of numbers, got str"),
        (lambda *a: np.array([1.0, 2.0]), "should be one number, got an array of shape (2,)"),
        (lambda *a: 1 / 0, "your code raised ZeroDivisionError"),
        (lambda *a: bound(*a) + 5j, "is complex"),
    ],
)
def test_novikoff_bound_rejects_wrong_answers(fn, words):
    assert_rejected(ch01.check_novikoff_bound(fn), words)


# ----------------------------------------------------------------------------------- the perceptron loss


def loss_grad(weight, bias, x, y):
    s, z = 2 * y - 1, x @ weight + bias
    mistake = int(z >= 0) != y
    return max(0.0, -s * z), (-s * x if mistake else np.zeros_like(x)), (-s if mistake else 0.0)


def test_perceptron_loss_grad_gives_the_solution_full_points():
    result = ch01.check_perceptron_loss_grad(loss_grad)
    assert result.passed and result.score == result.points == 2, result.message


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (stub, "not implemented yet"),
        (lambda w, b, x, y: (lambda loss, gw, gb: (loss, -gw, -gb))(*loss_grad(w, b, x, y)), "wrong sign"),
        (lambda w, b, x, y: (lambda loss, gw, gb: (loss, -(2 * y - 1) * x, gb))(*loss_grad(w, b, x, y)),
         "on its side"),
        (lambda w, b, x, y: (max(0.0, (2 * y - 1) * (x @ w + b)), *loss_grad(w, b, x, y)[1:]), "with a minus sign"),
        (lambda w, b, x, y: (max(0.0, -y * (x @ w + b)), *loss_grad(w, b, x, y)[1:]), "use s = 2y - 1 = -1, not y = 0"),
        (lambda w, b, x, y: loss_grad(w, b, x, y)[:2], "got tuple of length 2"),
        (lambda w, b, x, y: (lambda loss, gw, gb: (loss, -y * x if gb else gw, gb))(*loss_grad(w, b, x, y)), "not y"),
    ],
)
def test_perceptron_loss_grad_rejects_wrong_answers(fn, words):
    assert_rejected(ch01.check_perceptron_loss_grad(fn), words)


def test_perceptron_loss_grad_catches_the_wrong_convention_at_z_zero():
    def strict(weight, bias, x, y):  # treats z = 0 as class 0: z > 0 instead of z >= 0
        s, z = 2 * y - 1, x @ weight + bias
        mistake = int(z > 0) != y
        return max(0.0, -s * z), (-s * x if mistake else np.zeros_like(x)), (-s if mistake else 0.0)

    result = ch01.check_perceptron_loss_grad(strict)
    assert_rejected(result, "at z = 0 the prediction is step(0) = 1")
    assert result.score == pytest.approx(2 * 3 / 5)  # the two points on the line fail


# ------------------------------------------------------------------------------------------------- LMS


def lms(weight, bias, x, y, lr):
    error = (2 * y - 1) - (x @ weight + bias)
    return weight + lr * error * x, bias + lr * error


def test_lms_update_gives_the_solution_full_points():
    result = ch01.check_lms_update(lms)
    assert result.passed and result.score == result.points == 2, result.message


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (stub, "not implemented yet"),
        (lambda w, b, x, y, lr: (w + lr * (y - (x @ w + b)) * x, b + lr * (y - (x @ w + b))), "not y"),
        (lambda w, b, x, y, lr: (w + lr * (y - int(x @ w + b >= 0)) * x, b + lr * (y - int(x @ w + b >= 0))),
         "that is Rosenblatt's rule"),
        (lambda w, b, x, y, lr: (w - lr * ((2 * y - 1) - (x @ w + b)) * x, b), "the sign is flipped"),
        (lambda w, b, x, y, lr: (w + ((2 * y - 1) - (x @ w + b)) * x, b), "scaled by the learning rate"),
        (lambda w, b, x, y, lr: (lms(w, b, x, y, lr)[0], b), "the bias must be updated too"),
    ],
)
def test_lms_update_rejects_wrong_answers(fn, words):
    assert_rejected(ch01.check_lms_update(fn), words)


def test_lms_update_must_not_change_the_weight_in_place():
    def in_place(weight, bias, x, y, lr):
        error = (2 * y - 1) - (x @ weight + bias)
        weight += lr * error * x
        return weight, bias + lr * error

    assert_rejected(ch01.check_lms_update(in_place), "weight")


# ------------------------------------------------------------------------- the open-ended exercise


def test_overlapping_classifier_gives_adaline_full_points():
    from nncourse.perceptron import Adaline

    def train(X, y):
        model = Adaline(lr=0.002, epochs=50, dtype=np.float64).fit(X, y)
        return model.weight, model.bias

    result = ch01.check_overlapping_classifier(train)
    assert result.passed and result.score == 3, result.message
    assert "target 0.835" in result.message


def test_overlapping_classifier_gives_the_stopped_perceptron_partial_credit():
    from nncourse.perceptron import Perceptron

    def train(X, y):
        model = Perceptron(max_epochs=100, dtype=np.float64).fit(X, y)
        return model.weight, model.bias

    result = ch01.check_overlapping_classifier(train)
    assert not result.passed and result.score == 1, result.message  # 0.8135: above 0.80 only
    assert "pocket" in result.message


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (stub, "not implemented yet"),
        (lambda X, y: (np.zeros(2), 0.0), "below 0.800"),  # every point called class 1: about half right
        (lambda X, y: (np.array([np.nan, 1.0]), 0.0), "must be finite"),
        (lambda X, y: (np.ones(3), 0.0), "shape"),
        (lambda X, y: -(X[:, 0] @ y), "return a tuple (weight, bias)"),
    ],
)
def test_overlapping_classifier_rejects_wrong_answers(fn, words):
    result = ch01.check_overlapping_classifier(fn)
    assert_rejected(result, words)
    assert result.score == 0


def test_overlapping_classifier_data_is_the_same_every_time_and_the_target_is_fair():
    X, y = ch01.overlapping_clouds(4000, seed=12)
    np.testing.assert_array_equal(X, ch01.overlapping_clouds(4000, seed=12)[0])
    # no line does much better than the bisector on fresh data: least squares on the test set itself
    A = np.hstack([X, np.ones((len(X), 1))])
    w = np.linalg.lstsq(A, 2.0 * y - 1, rcond=None)[0]
    assert np.mean((A @ w >= 0) == y) < ch01._best_line_accuracy(X, y) + 0.01
