"""Chapter 8 checkers: a right answer passes; an unsolved stub and typical mistakes get a specific hint."""

import numpy as np
import pytest
import torch

from nncourse import nn
from nncourse.data import load_digits
from nncourse.exercises import ch08
from nncourse.optim import SGD


def stub(*args):
    raise NotImplementedError()


def assert_rejected(result, words):
    assert not result.passed
    assert words in result.message, result.message
    assert "Traceback" not in result.message


# -- dropout -----------------------------------------------------------------------------------------------


def dropout_forward(x, p, keep):
    return x * keep / (1 - p)


def dropout_backward(grad_output, p, keep):
    return grad_output * keep / (1 - p)


def test_dropout_reference_passes_and_matches_torch_with_the_same_mask():
    result = ch08.check_dropout(dropout_forward, dropout_backward)
    assert result.passed, result.message
    x = torch.tensor(np.random.default_rng(0).normal(size=(30, 30)), requires_grad=True)
    torch.manual_seed(0)
    y = torch.nn.Dropout(0.3)(x)
    y.backward(torch.ones_like(y))
    torch.manual_seed(0)
    keep = (torch.nn.Dropout(0.3)(torch.ones(30, 30, dtype=torch.float64)) != 0).numpy()
    np.testing.assert_allclose(dropout_forward(x.detach().numpy(), 0.3, keep), y.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(dropout_backward(np.ones((30, 30)), 0.3, keep), x.grad.numpy(), rtol=1e-14)


@pytest.mark.parametrize(
    ("forward", "backward", "words"),
    [
        (stub, dropout_backward, "not implemented"),
        (lambda x, p, keep: x * keep, dropout_backward, "not scaled"),
        (lambda x, p, keep: x * keep * (1 - p), dropout_backward, "multiplied by 1 − p"),
        (lambda x, p, keep: x * keep / p, dropout_backward, "divided by p"),
        (lambda x, p, keep: x * ~keep / (1 - p), dropout_backward, "kept the dropped units"),
        (lambda x, p, keep: None, dropout_backward, "is None"),
        (dropout_forward, stub, "not implemented"),
        (dropout_forward, lambda g, p, keep: g * keep, "backward pass is not scaled"),
        (dropout_forward, lambda g, p, keep: g, "lets every gradient through"),
        (dropout_forward, lambda g, p, keep: g[:2], "should have shape"),
    ],
)
def test_dropout_mistakes_are_explained(forward, backward, words):
    assert_rejected(ch08.check_dropout(forward, backward), words)


# -- batch norm --------------------------------------------------------------------------------------------


def batch_norm_forward(x, gamma, beta, running_mean, running_var, training, eps=1e-5):
    mean, var = (x.mean(axis=0), x.var(axis=0)) if training else (running_mean, running_var)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def test_batch_norm_reference_passes_and_matches_our_layer_and_torch():
    result = ch08.check_batch_norm_forward(batch_norm_forward)
    assert result.passed, result.message
    rng = np.random.default_rng(1)
    x, gamma, beta = rng.normal(size=(8, 3)), rng.normal(size=3), rng.normal(size=3)
    theirs = torch.nn.BatchNorm1d(3, eps=1e-3, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(gamma))
        theirs.bias.copy_(torch.from_numpy(beta))
    train_out = theirs(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(batch_norm_forward(x, gamma, beta, None, None, True, 1e-3), train_out, rtol=1e-12)
    theirs.eval()
    eval_out = theirs(torch.from_numpy(x)).detach().numpy()
    mean, var = theirs.running_mean.numpy(), theirs.running_var.numpy()
    np.testing.assert_allclose(batch_norm_forward(x, gamma, beta, mean, var, False, 1e-3), eval_out, rtol=1e-12)


def layer_norm_instead(x, gamma, beta, running_mean, running_var, training, eps=1e-5):
    return gamma * (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + eps) + beta


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda x, g, b, m, v, t, eps=1e-5: g * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + eps) + b,
         "unbiased variance"),
        (lambda x, g, b, m, v, t, eps=1e-5: g * (x - m) / np.sqrt(v + eps) + b, "training mode use the batch"),
        (lambda x, g, b, m, v, t, eps=1e-5: g * (x - x.mean(0)) / np.sqrt(x.var(0)) + b, "ε is missing"),
        (layer_norm_instead, "that is layer norm"),
        (lambda x, g, b, m, v, t, eps=1e-5: (x - x.mean(0)) / np.sqrt(x.var(0) + eps), "γ and β are missing"),
        (lambda x, g, b, m, v, t, eps=1e-5: g * (x - x.mean(0)) / np.sqrt(x.var(0) + eps) + b,
         "evaluation mode use running_mean"),
        (lambda x, g, b, m, v, t, eps=1e-5: x, "training-mode output is off"),
    ],
)
def test_batch_norm_mistakes_are_explained(wrong, words):
    assert_rejected(ch08.check_batch_norm_forward(wrong), words)


# -- the L2 gradient ---------------------------------------------------------------------------------------


def test_l2_reference_passes_and_matches_torch_weight_decay():
    assert ch08.check_l2_gradient(lambda grad, weight, weight_decay: grad + weight_decay * weight).passed
    rng = np.random.default_rng(2)
    w, g = rng.normal(size=4), rng.normal(size=4)
    t = torch.tensor(w, requires_grad=True)
    t.grad = torch.tensor(g)
    torch.optim.SGD([t], lr=1.0, weight_decay=0.01).step()
    np.testing.assert_allclose(w - (g + 0.01 * w), t.detach().numpy(), rtol=1e-14)  # one step of lr 1


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (lambda g, w, lam: lam * w, "only the penalty's gradient"),
        (lambda g, w, lam: g + 2 * lam * w, "twice too large"),
        (lambda g, w, lam: g + lam / 2 * w, "half what it should"),
        (lambda g, w, lam: g - lam * w, "sign of the decay term"),
        (lambda g, w, lam: g + lam * np.sign(w), "L1 penalty's gradient"),
        (lambda g, w, lam: g, "the gradient is off"),
        (lambda g, w, lam: "g + λw", "should be a number or an array"),
    ],
)
def test_l2_mistakes_are_explained(wrong, words):
    assert_rejected(ch08.check_l2_gradient(wrong), words)


# -- early stopping ----------------------------------------------------------------------------------------


def early_stopping(val_loss, patience):
    best, best_epoch = float("inf"), 0
    for epoch, loss in enumerate(val_loss, start=1):
        if loss < best:
            best, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(val_loss)


def test_early_stopping_reference_passes_and_agrees_with_fit():
    assert ch08.check_early_stopping(early_stopping).passed
    (X, y), val = load_digits(return_split=True)
    model = nn.build_mlp([64, 64, 10], "relu", rng=0)
    from nncourse.train import fit

    history = fit(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.5), (X[:60], y[:60]), epochs=200,
                  batch_size=20, val_data=val, rng=0, progress=False, patience=5)
    assert early_stopping(history.val_loss, 5) == (history.best_epoch, history.epochs)


def zero_based(val_loss, patience):
    best, stop = early_stopping(val_loss, patience)
    return best - 1, stop - 1


def global_minimum(val_loss, patience):
    return int(np.argmin(val_loss)) + 1, early_stopping(val_loss, patience)[1]


def ties_improve(val_loss, patience):
    best, best_epoch = float("inf"), 0
    for epoch, loss in enumerate(val_loss, start=1):
        if loss <= best:
            best, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(val_loss)


def off_by_one_patience(val_loss, patience):
    return early_stopping(val_loss, patience + 1)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (stub, "not implemented"),
        (zero_based, "count epochs from 1"),
        (global_minimum, "training stops before it sees epoch"),
        (ties_improve, "stopped_epoch is off"),
        (off_by_one_patience, "stopped_epoch is off"),
        (lambda val_loss, patience: 3, "return a tuple (best_epoch, stopped_epoch)"),
        (lambda val_loss, patience: (2.5, 4), "best_epoch should be a whole number"),
    ],
)
def test_early_stopping_mistakes_are_explained(wrong, words):
    assert_rejected(ch08.check_early_stopping(wrong), words)


# -- the open-ended task -----------------------------------------------------------------------------------


def test_the_open_task_is_seeded_and_noisy_and_the_notebooks_description_is_right():
    from nncourse.data import shuffle_labels

    (X, y), (X_val, y_val) = ch08.noisy_digits_task()
    (X_all, y_all), _ = load_digits(return_split=True)
    np.testing.assert_array_equal(X, X_all[:200])
    np.testing.assert_array_equal(y, shuffle_labels(y_all[:200], 0.2, rng=8))
    (X_again, y_again), _ = ch08.noisy_digits_task()
    np.testing.assert_array_equal(y, y_again)
    (_, clean), _ = load_digits(return_split=True)
    assert 0.1 < np.mean(y != clean[:200]) <= 0.2  # 20 % shuffled, some land on their own class
    assert X.shape == (200, 64) and X_val.shape == (359, 64)


def train_with_dropout_and_early_stopping(X, y):
    from nncourse.data import train_val_split
    from nncourse.train import fit

    (X_fit, y_fit), held = train_val_split(X, y, val_fraction=0.25, rng=0)
    model = nn.Sequential(nn.Linear(64, 256, rng=0), nn.ReLU(), nn.Dropout(0.5, rng=1), nn.Linear(256, 256, rng=2),
                          nn.ReLU(), nn.Dropout(0.5, rng=3), nn.Linear(256, 10, rng=4))
    fit(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), (X_fit, y_fit), epochs=200, batch_size=20,
        val_data=held, rng=0, progress=False, patience=20)
    return model


def test_a_regularized_model_passes_and_an_untrained_one_is_told_its_accuracy():
    seen = []

    def train(X, y):
        seen.append(X.shape)
        return train_with_dropout_and_early_stopping(X, y)

    result = ch08.check_regularized_model(train)
    assert result.passed, result.message
    assert seen == [(200, 64)]  # the training digits only
    assert_rejected(ch08.check_regularized_model(lambda X, y: nn.build_mlp([64, 10], rng=0)), "below the target 0.84")


@pytest.mark.parametrize(
    ("train", "words"),
    [
        (stub, "not implemented"),
        (lambda X, y: None, "train returned None"),
        (lambda X, y: "model", "should return a model"),
        (lambda X, y: (lambda X: np.zeros((len(X), 3))), "should have shape (359, 10)"),
        (lambda X, y: (lambda X: np.full((len(X), 10), np.nan)), "NaN or infinity"),
        (lambda X, y: (lambda X: 1 / 0), "raised ZeroDivisionError"),
        (lambda X, y: (lambda X: "logits"), "should be a number or an array of numbers"),
        (lambda X, y: (lambda X: np.zeros((len(X), 10)) + 1e-9j), "complex"),
        ("model", "expected a function"),
    ],
)
def test_open_task_answers_that_are_not_models_are_explained(train, words):
    assert_rejected(ch08.check_regularized_model(train), words)


# -- what every checker of the course must do (tests/test_grading_checker.py runs these for listed chapters) -


RIGHT_ANSWERS = {
    "check_dropout": (dropout_forward, dropout_backward),
    "check_batch_norm_forward": (batch_norm_forward,),
    "check_l2_gradient": (lambda grad, weight, weight_decay: grad + weight_decay * weight,),
    "check_early_stopping": (early_stopping,),
}


@pytest.mark.parametrize("exercise", ch08.EXERCISES[:4], ids=lambda exercise: exercise.grade_id)
def test_a_right_answer_earns_every_point_and_the_same_answer_made_complex_none(exercise):
    checker = getattr(ch08, exercise.checker)
    answers = RIGHT_ANSWERS[exercise.checker]
    result = checker(*answers)
    assert result.passed and result.score == exercise.points, result.message

    def made_complex(fn):
        def answer(*args):
            value = fn(*args)
            return tuple(np.asarray(v) + 1e-9j for v in value) if isinstance(value, tuple) else value + 1e-9j
        return answer

    result = checker(*[made_complex(fn) for fn in answers])
    assert not result.passed and "complex" in result.message, result.message


@pytest.mark.parametrize("exercise", ch08.EXERCISES, ids=lambda exercise: exercise.grade_id)
@pytest.mark.parametrize("answer", [None, 3, "text", lambda *args: None, lambda *args: [][0],
                                    lambda *args: np.ones((50, 50, 50))])
def test_no_checker_passes_or_raises_on_odd_answers(exercise, answer):
    result = getattr(ch08, exercise.checker)(answer)
    assert not result.passed and result.score == 0 and result.points == exercise.points
    assert result.message and "Traceback" not in result.message


def test_partial_answers_earn_partial_points_and_extra_cases_count():
    forward_only = ch08.check_dropout(dropout_forward, lambda g, p, keep: g)
    assert forward_only.score == 1.5  # the two forward cases of four pass: half of 3 points
    rng = np.random.default_rng(9)
    hidden = [(rng.normal(size=(2, 3)), 0.25, rng.random((2, 3)) > 0.25)]
    assert ch08.check_dropout(dropout_forward, dropout_backward, hidden).n_cases == 6
    with pytest.raises(ValueError, match="extra case 1 is not a valid case"):
        ch08.check_l2_gradient(lambda g, w, lam: g, [(np.ones(2),)])
