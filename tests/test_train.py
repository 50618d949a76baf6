"""Specification of a whole MLP against PyTorch, of the training loop ``fit``/``evaluate`` and its plot."""

import numpy as np
import pytest
import torch

from nncourse import nn
from nncourse.data import load_digits, make_circles, make_moons, make_regression_1d, train_val_split
from nncourse.optim import SGD
from nncourse.train import History, evaluate, fit

RTOL, ATOL = 1e-12, 1e-14


def copy_into_torch(ours, theirs):
    with torch.no_grad():
        for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
            assert p.shape == tuple(q.shape)
            q.copy_(torch.from_numpy(p.data))
    return theirs


def mlp_pair(activations, sizes=(4, 16, 16, 8, 3)):
    """The same MLP in nncourse and in torch (float64, copied weights), with the given activation classes."""
    ours, theirs = [], []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        ours.append(nn.Linear(n_in, n_out, dtype=np.float64, rng=i))
        theirs.append(torch.nn.Linear(n_in, n_out, dtype=torch.float64))
        if i < len(activations):
            ours.append(getattr(nn, activations[i])())
            theirs.append(getattr(torch.nn, activations[i])())
    ours, theirs = nn.Sequential(*ours), torch.nn.Sequential(*theirs)
    return ours, copy_into_torch(ours, theirs)


@pytest.mark.parametrize(
    ("loss", "target_kind"),
    [("CrossEntropyLoss", "classes"), ("MSELoss", "real"), ("BCEWithLogitsLoss", "binary")],
)
def test_sequential_mlp_matches_torch_sequential(loss, target_kind):
    ours, theirs = mlp_pair(["ReLU", "Tanh", "Sigmoid"])
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10, 4))
    y = {
        "classes": rng.integers(0, 3, size=10),
        "real": rng.normal(size=(10, 3)),
        "binary": rng.integers(0, 2, size=(10, 3)).astype(float),
    }[target_kind]
    criterion, criterion_t = getattr(nn, loss)(), getattr(torch.nn, loss)()

    out = ours(x)
    value = criterion(out, y)
    grad_x = ours.backward(criterion.backward())

    x_t = torch.tensor(x, requires_grad=True)
    out_t = theirs(x_t)
    loss_t = criterion_t(out_t, torch.tensor(y))
    loss_t.backward()

    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=RTOL, atol=ATOL)
    assert value == pytest.approx(loss_t.item(), rel=RTOL)
    np.testing.assert_allclose(grad_x, x_t.grad.numpy(), rtol=1e-10, atol=ATOL)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-10, atol=ATOL, err_msg=name)


def test_sequential_repr_matches_torch():
    ours, theirs = mlp_pair(["ReLU", "Tanh"], sizes=(2, 3, 3, 1))
    assert repr(ours) == repr(theirs)


# ------------------------------------------------------------------------------------------------------
# Training reaches a stated accuracy on held-out data
# ------------------------------------------------------------------------------------------------------


def test_fit_reaches_95_percent_on_held_out_moons():
    X, y = make_moons(1000, noise=0.15, rng=0)
    train, val = train_val_split(X, y, val_fraction=0.2, rng=0)
    model = nn.Sequential(nn.Linear(2, 16, rng=0), nn.Tanh(), nn.Linear(16, 16, rng=1), nn.Tanh(),
                          nn.Linear(16, 2, rng=2))
    history = fit(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.5), train, epochs=30,
                  batch_size=50, val_data=val, rng=0, progress=False)
    assert history.val_accuracy[-1] >= 0.95
    assert history.train_loss[-1] < history.train_loss[0] / 5


def test_fit_reaches_90_percent_on_held_out_digits():
    train, val = load_digits(return_split=True)
    model = nn.Sequential(nn.Linear(64, 32, rng=0), nn.ReLU(), nn.Linear(32, 10, rng=1))
    history = fit(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), train, epochs=10,
                  batch_size=32, val_data=val, rng=0, progress=False)
    assert history.val_accuracy[-1] >= 0.90


def test_fit_with_a_single_logit_counts_logit_above_zero_as_class_1():
    X, y = make_circles(400, noise=0.05, rng=0)
    y = y[:, None].astype(np.float32)
    model = nn.Sequential(nn.Linear(2, 8, rng=0), nn.Tanh(), nn.Linear(8, 1, rng=1))
    history = fit(model, nn.BCEWithLogitsLoss(), SGD(model.parameters(), lr=1.0), (X, y), epochs=40,
                  batch_size=20, rng=0, progress=False)
    assert history.train_accuracy[-1] >= 0.95
    loss, accuracy = evaluate(model, nn.BCEWithLogitsLoss(), (X, y))
    assert accuracy == np.mean((model(X) > 0) == y)


def test_regression_records_no_accuracy_and_no_validation_without_val_data():
    X, y = make_regression_1d("sine", 64, rng=0)
    model = nn.Sequential(nn.Linear(1, 8, rng=0), nn.Tanh(), nn.Linear(8, 1, rng=1))
    history = fit(model, nn.MSELoss(), SGD(model.parameters(), lr=0.1), (X, y), epochs=3, batch_size=16,
                  progress=False, rng=0)
    assert history.epochs == len(history.train_loss) == 3
    assert history.train_accuracy == history.val_loss == history.val_accuracy == []
    assert evaluate(model, nn.MSELoss(), (X, y))[1] is None
    assert "epochs=3" in repr(history)


# ------------------------------------------------------------------------------------------------------
# What fit and evaluate record, and how
# ------------------------------------------------------------------------------------------------------


def small_problem():
    X, y = make_moons(120, noise=0.2, rng=1)
    return X, y, nn.Sequential(nn.Linear(2, 8, rng=0), nn.ReLU(), nn.Linear(8, 2, rng=1))


def test_evaluate_equals_the_loss_and_accuracy_on_the_whole_set():
    X, y, model = small_problem()
    criterion = nn.CrossEntropyLoss()
    logits = model(X)
    logits_t = torch.tensor(logits, dtype=torch.float64)
    expected_loss = torch.nn.functional.cross_entropy(logits_t, torch.tensor(y))
    expected_accuracy = np.mean(logits.argmax(axis=1) == y)
    for batch_size in (None, 7, 120):
        loss, accuracy = evaluate(model, criterion, (X, y), batch_size=batch_size)
        assert loss == pytest.approx(expected_loss.item(), rel=1e-6)
        assert accuracy == expected_accuracy


def test_bce_loss_on_probabilities_counts_above_one_half_as_class_1():
    X, y, _ = small_problem()
    model = nn.Sequential(nn.Linear(2, 1, rng=0), nn.Sigmoid())
    target = y[:, None].astype(np.float32)
    _, accuracy = evaluate(model, nn.BCELoss(), (X, target))
    assert accuracy == np.mean((model(X) > 0.5) == target)


def test_fit_is_deterministic_given_seeds():
    runs = []
    for _ in range(2):
        X, y, model = small_problem()
        runs.append(fit(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), (X, y), epochs=3,
                        batch_size=16, rng=5, progress=False))
    assert runs[0] == runs[1]


def test_fit_trains_in_train_mode_and_leaves_the_model_in_eval_mode():
    modes = []

    class Spy(nn.Module):
        def forward(self, x):
            modes.append(self.training)
            return x

        def backward(self, grad_output):
            return grad_output

    X, y, model = small_problem()
    model = nn.Sequential(model, Spy())
    fit(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), (X, y), epochs=2, batch_size=60,
        val_data=(X, y), rng=0, progress=False)
    # Per epoch: two training batches, then two validation batches (evaluated in batches of 60 too).
    assert modes == [True, True, False, False] * 2
    assert model.training is False


def test_progress_prints_outside_a_notebook_and_quiet_mode_prints_nothing(capsys):
    X, y, model = small_problem()
    optimizer = SGD(model.parameters(), lr=0.1)
    fit(model, nn.CrossEntropyLoss(), optimizer, (X, y), epochs=2, rng=0, progress=False)
    assert capsys.readouterr().out == ""
    fit(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), (X, y), epochs=20, rng=0,
        val_data=(X, y))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 10  # every 10% of the epochs
    assert lines[-1].startswith("epoch 20/20 [####################]")
    assert "train loss" in lines[-1] and "val accuracy" in lines[-1]


def test_fit_rejects_bad_arguments():
    X, y, model = small_problem()
    args = (model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.1))
    with pytest.raises(ValueError, match=r"fit: train_data must be a pair \(X, y\), got array .*\(120, 2"):
        fit(*args, X, epochs=1)
    with pytest.raises(ValueError, match="fit: train_data X and train_data y must .*120 and 119"):
        fit(*args, (X, y[:-1]), epochs=1)
    with pytest.raises(ValueError, match="fit: val_data is empty"):
        fit(*args, (X, y), epochs=1, val_data=(X[:0], y[:0]))
    with pytest.raises(ValueError, match="fit: epochs must be a finite integer > 0, got 0"):
        fit(*args, (X, y), epochs=0)
    with pytest.raises(ValueError, match="fit: batch_size must be a finite integer > 0, got 2.5"):
        fit(*args, (X, y), epochs=1, batch_size=2.5)


# ------------------------------------------------------------------------------------------------------
# Learning curves
# ------------------------------------------------------------------------------------------------------


def test_plot_history_draws_train_and_validation_in_the_course_colours():
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt

    from nncourse.plot import COLORS, plot_history

    history = History(train_loss=[1.0, 0.5, 0.4], val_loss=[1.1, 0.7, 0.6],
                      train_accuracy=[0.5, 0.8, 0.9], val_accuracy=[0.4, 0.7, 0.8])
    fig = plot_history(history, title="moons")
    loss_ax, accuracy_ax = fig.axes
    assert [line.get_label() for line in loss_ax.lines] == ["train", "validation"]
    assert mcolors.same_color(loss_ax.lines[0].get_color(), COLORS["train"])
    assert mcolors.same_color(loss_ax.lines[1].get_color(), COLORS["validation"])
    np.testing.assert_array_equal(accuracy_ax.lines[1].get_ydata(), [0.4, 0.7, 0.8])
    np.testing.assert_array_equal(loss_ax.lines[0].get_xdata(), [1, 2, 3])
    assert loss_ax.get_ylabel() == "loss" and accuracy_ax.get_ylabel() == "accuracy"
    assert fig._suptitle.get_text() == "moons"
    plt.close(fig)

    regression = plot_history(History(train_loss=[1.0, 0.1]), log_loss=True)
    assert len(regression.axes) == 1 and regression.axes[0].get_yscale() == "log"
    plt.close(regression)


def test_fit_stops_with_the_epoch_and_batch_where_the_loss_became_non_finite():
    X = np.ones((8, 1))
    y = np.ones((8, 1))
    model = nn.Sequential(nn.Linear(1, 1, dtype=np.float64, rng=0))
    model[0].weight.data[...] = np.nan  # as after a diverged step
    with pytest.raises(FloatingPointError, match=r"fit: the model.s output became NaN or infinite at epoch 1, batch 1"):
        fit(model, nn.MSELoss(), SGD(model.parameters(), lr=0.1), (X, y), epochs=3, batch_size=4, progress=False)
