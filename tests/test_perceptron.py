"""Specification of nncourse.perceptron: the model, Rosenblatt's rule, Novikoff's bound, XOR, bad input."""

import numpy as np
import pytest
import torch

from nncourse.data import logic_gate, make_blobs, separable_blobs
from nncourse.perceptron import Adaline, Perceptron, augment, format_history, novikoff_bound, perceptron_loss

# ----------------------------------------------------------------------------------------------- the model


def test_prediction_is_the_step_of_the_weighted_sum():
    model = Perceptron()
    model.weight, model.bias = np.array([2.0, -1.0], dtype=np.float32), np.float32(0.5)
    X = np.array([[1.0, 1.0], [0.0, 1.0], [-1.0, 0.0], [0.0, 0.5]])
    # z = 2 x1 - x2 + 0.5 = 1.5, -0.5, -1.5, 0.0
    np.testing.assert_array_equal(model.decision_function(X), [1.5, -0.5, -1.5, 0.0])
    np.testing.assert_array_equal(model.predict(X), [1, 0, 0, 1])  # step(0) = 1, as torch.heaviside(z, 1)
    assert model.predict(X).dtype == np.int64


def test_weights_default_to_float32_like_pytorch_and_follow_dtype():
    X, y = logic_gate("and")
    assert Perceptron().fit(X, y).weight.dtype == np.float32
    assert Perceptron(dtype=np.float64).fit(X, y).weight.dtype == np.float64


def test_extreme_inputs_give_no_overflow():
    model = Perceptron(dtype=np.float64)
    model.weight, model.bias = np.array([1e4, -1e4]), 1e4
    np.testing.assert_array_equal(model.predict(np.array([[1e4, -1e4], [-1e4, 1e4]])), [1, 0])


# ----------------------------------------------------------------------------------------------- the rule


def test_update_on_a_missed_one_adds_lr_times_x():
    model = Perceptron(lr=0.5, dtype=np.float64)
    model.weight, model.bias = np.array([1.0, -1.0]), -1.0
    assert model.update([1.0, 2.0], 1) is True  # z = 1 - 2 - 1 = -2: predicted 0
    np.testing.assert_array_equal(model.weight, [1.5, 0.0])
    assert model.bias == -0.5


def test_update_on_a_false_one_subtracts_lr_times_x():
    model = Perceptron(lr=0.5, dtype=np.float64)
    model.weight, model.bias = np.array([1.0, -1.0]), 0.0
    assert model.update([2.0, 1.0], 0) is True  # z = 1: predicted 1
    np.testing.assert_array_equal(model.weight, [0.0, -1.5])
    assert model.bias == -0.5


def test_update_on_a_correct_prediction_changes_nothing():
    model = Perceptron(dtype=np.float64)
    model.weight, model.bias = np.array([1.0, -1.0]), 0.0
    assert model.update([2.0, 1.0], 1) is False
    np.testing.assert_array_equal(model.weight, [1.0, -1.0])
    assert model.bias == 0.0 and model.n_mistakes_ == 0


def test_update_starts_from_zero_weights():
    model = Perceptron(dtype=np.float64)
    assert model.update([0.0, 1.0], 0) is True  # z = 0 gives 1: a mistake
    np.testing.assert_array_equal(model.weight, [0.0, -1.0])
    assert model.bias == -1.0


def test_history_records_every_visit_of_the_first_and_epoch():
    X, y = logic_gate("and")
    model = Perceptron()
    assert model.fit_epoch(X, y) == 2
    # From w = 0, b = 0: (0,0) gives z = 0, ŷ = 1, a false 1 -> b = -1; (0,1), (1,0) give z = -1, correct;
    # (1,1) gives z = -1, ŷ = 0, a missed 1 -> w = (1, 1), b = 0.
    h = model.history_
    assert [(u.epoch, u.index, u.y_hat, u.mistake) for u in h] == [
        (1, 0, 1, True), (1, 1, 0, False), (1, 2, 0, False), (1, 3, 0, True)]
    assert [u.z for u in h] == [0.0, -1.0, -1.0, -1.0]
    np.testing.assert_array_equal(h[3].weight_before, [0, 0])
    np.testing.assert_array_equal(h[3].weight_after, [1, 1])
    assert (h[0].bias_before, h[0].bias_after, h[3].bias_after) == (0, -1, 0)
    table = format_history(h, mistakes_only=True)
    assert len(table.splitlines()) == 3 and "update" in table


@pytest.mark.parametrize("gate", ["and", "or", "nand", "nor"])
def test_fit_learns_every_linearly_separable_gate(gate):
    X, y = logic_gate(gate)
    model = Perceptron().fit(X, y)
    assert model.converged_
    np.testing.assert_array_equal(model.predict(X), y)
    assert model.n_mistakes_ == sum(u.mistake for u in model.history_)


def test_fit_converges_on_separable_blobs_in_order_and_shuffled():
    X, y = separable_blobs(60, margin=0.2, rng=3)
    for shuffle in (False, True):
        model = Perceptron(shuffle=shuffle, rng=0, max_epochs=500).fit(X, y)
        assert model.converged_
        np.testing.assert_array_equal(model.predict(X), y)


def test_shuffled_fit_is_reproducible_with_a_seed():
    X, y = separable_blobs(40, margin=0.1, rng=5, dtype=np.float64)
    a = Perceptron(shuffle=True, rng=7, dtype=np.float64).fit(X, y)
    b = Perceptron(shuffle=True, rng=7, dtype=np.float64).fit(X, y)
    assert [u.index for u in a.history_] == [u.index for u in b.history_]
    assert sorted(u.index for u in a.history_[:40]) == list(range(40))


def test_learning_rate_only_scales_the_weights_when_starting_from_zero():
    X, y = separable_blobs(50, margin=0.1, rng=1, dtype=np.float64)
    one = Perceptron(lr=1.0, dtype=np.float64).fit(X, y)
    tenth = Perceptron(lr=0.125, dtype=np.float64).fit(X, y)  # a power of 2: the scaling is exact
    assert one.n_mistakes_ == tenth.n_mistakes_
    np.testing.assert_array_equal(one.weight * 0.125, tenth.weight)


def test_refit_starts_again_from_zero():
    X, y = logic_gate("or")
    model = Perceptron().fit(X, y)
    first = (model.weight.copy(), model.bias, model.n_mistakes_, len(model.history_))
    model.fit(X, y)
    np.testing.assert_array_equal(model.weight, first[0])
    assert (model.bias, model.n_mistakes_, len(model.history_)) == first[1:]


# ----------------------------------------------------------------------------------------------- Novikoff


@pytest.mark.parametrize("margin", [1.0, 0.3, 0.1, 0.03])
def test_mistakes_never_exceed_novikoffs_bound(margin):
    for seed in range(8):
        X, y, u, c = separable_blobs(80, margin, rng=seed, dtype=np.float64, return_separator=True)
        bound = novikoff_bound(X, y, u, c).bound
        for shuffle in (False, True):
            model = Perceptron(shuffle=shuffle, rng=seed, max_epochs=10_000, dtype=np.float64).fit(X, y)
            assert model.converged_
            assert model.n_mistakes_ <= bound, (seed, shuffle, model.n_mistakes_, bound)


def test_novikoff_bound_uses_augmented_vectors():
    X = np.array([[3.0, 0.0], [-1.0, 0.0]])
    y = np.array([1, 0])
    # Separator x1 - 1 = 0, i.e. (w, b) = (1, 0, -1) with norm √2; margins s·z = 2 and 2, so γ = 2/√2 = √2.
    # R = max(‖(3, 0, 1)‖, ‖(-1, 0, 1)‖) = √10. Bound (R/γ)² = 10 / 2 = 5.
    r = novikoff_bound(X, y, [1.0, 0.0], -1.0)
    np.testing.assert_allclose([r.radius, r.margin, r.bound], [np.sqrt(10), np.sqrt(2), 5.0], rtol=1e-12)
    np.testing.assert_array_equal(augment(X), [[3, 0, 1], [-1, 0, 1]])


def test_novikoff_bound_rejects_a_line_that_does_not_separate():
    X, y = logic_gate("xor")
    with pytest.raises(ValueError, match="novikoff_bound: .* must separate the data .* got margin"):
        novikoff_bound(X, y, [1.0, 1.0], -0.5)


def test_separable_blobs_margin_is_the_one_asked_for():
    X, y, u, c = separable_blobs(50, 0.4, rng=2, dtype=np.float64, return_separator=True)
    s = 2 * y - 1
    np.testing.assert_allclose(np.min(s * (X @ u + c)), 0.4, rtol=1e-12)
    # In the augmented form the unit separator is (u, c)/‖(u, c)‖, so γ shrinks by √(1 + c²).
    np.testing.assert_allclose(novikoff_bound(X, y, u, c).margin, 0.4 / np.sqrt(1 + c**2), rtol=1e-12)


# ----------------------------------------------------------------------------------------------- XOR


def test_xor_is_never_learned_and_the_rule_cycles():
    X, y = logic_gate("xor")
    model = Perceptron().reset(n_features=2)
    states = []
    for _ in range(50):
        states.append((*model.weight.tolist(), float(model.bias)))
        assert model.fit_epoch(X, y) > 0  # every epoch makes mistakes
    first = {}
    repeat = None
    for epoch, state in enumerate(states):
        if state in first:
            repeat = (first[state], epoch)
            break
        first[state] = epoch
    assert repeat is not None, "the weights at the start of an epoch should repeat"
    start, end = repeat
    period = end - start
    assert all(states[e] == states[e + period] for e in range(start, len(states) - period))
    assert not Perceptron(max_epochs=200).fit(X, y).converged_


def test_no_line_gets_all_four_xor_points_right():
    X, y = logic_gate("xor", dtype=np.float64)
    rng = np.random.default_rng(0)
    W = rng.normal(size=(20_000, 2))
    b = rng.normal(size=20_000)
    correct = ((X @ W.T + b >= 0).astype(int) == y[:, None]).sum(axis=0)
    assert correct.max() == 3


# ----------------------------------------------------------------------------------------------- PyTorch


def _torch_perceptron(X, y, lr, epochs):
    """The same rule written with PyTorch tensors in float64: the reference for the NumPy implementation."""
    import torch

    X = torch.as_tensor(X, dtype=torch.float64)
    y = torch.as_tensor(y, dtype=torch.float64)
    w = torch.zeros(X.shape[1], dtype=torch.float64)
    b = torch.zeros((), dtype=torch.float64)
    trace = []
    for _ in range(epochs):
        for i in range(len(X)):
            y_hat = torch.heaviside(X[i] @ w + b, torch.tensor(1.0, dtype=torch.float64))
            w = w + lr * (y[i] - y_hat) * X[i]
            b = b + lr * (y[i] - y_hat)
            trace.append((w.clone(), b.clone()))
    return w, b, trace


@pytest.mark.parametrize("margin, seed", [(0.2, 0), (0.05, 1), (0.01, 2)])
def test_agrees_with_pytorch_in_float64_update_by_update(margin, seed):
    X, y = separable_blobs(40, margin, rng=seed, dtype=np.float64)
    model = Perceptron(lr=0.3, dtype=np.float64)
    epochs = 6
    for _ in range(epochs):
        model.fit_epoch(X, y)
    w, b, trace = _torch_perceptron(X, y, 0.3, epochs)
    assert len(trace) == len(model.history_)
    for (tw, tb), u in zip(trace, model.history_, strict=True):
        np.testing.assert_allclose(u.weight_after, tw.numpy(), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(u.bias_after, tb.item(), rtol=1e-12, atol=1e-15)
    import torch

    scores = torch.as_tensor(X) @ w + b
    np.testing.assert_allclose(model.decision_function(X), scores.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(model.predict(X), (scores >= 0).long().numpy())


# ----------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "X, y, match",
    [
        ([[0, 0], [1, 1]], [0, 2], r"Perceptron.fit: y must contain only the labels \[0, 1\], got .*2"),
        ([[0, 0], [1, 1]], [-1, 1], r"Perceptron.fit: y must contain only the labels \[0, 1\], got .*-1"),
        ([[0, 0], [1, 1], [0, 1]], [0, 1], r"X and y must have the same number of samples, got 3 and 2"),
        ([0, 1, 1], [0, 1, 1], r"fit: X must be a 2-D array .*\(n_samples, n_features\), got shape \(3,\)"),
        ([[0, 0], [1, 1]], [[0], [1]], r"Perceptron.fit: y must be a 1-D array .*got shape \(2, 1\)"),
        ([[0, np.nan], [1, 1]], [0, 1], r"Perceptron.fit: X must contain only finite values, got 1 NaN"),
        ([[0, np.inf], [1, 1]], [0, 1], r"Perceptron.fit: X must contain only finite values"),
        (np.zeros((0, 2)), np.zeros(0), r"fit: X must contain at least one sample, got shape \(0, 2\)"),
        ([["a", "b"]], [0], r"Perceptron.fit: X must be numeric"),
    ],
)
def test_fit_rejects_bad_data_with_a_clear_message(X, y, match):
    with pytest.raises(ValueError, match=match):
        Perceptron().fit(X, y)


def test_predict_with_the_wrong_number_of_features():
    model = Perceptron().fit(*logic_gate("and"))
    with pytest.raises(ValueError, match=r"Perceptron.predict: X must have 2 features .*shape \(4, 3"):
        model.predict(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"Perceptron.decision_function: X must be a 2-D .*got shape \(2,\)"):
        model.decision_function(np.zeros(2))


def test_predict_before_fit():
    with pytest.raises(ValueError, match="Perceptron.predict: the perceptron has no weights yet; call fit"):
        Perceptron().predict(np.zeros((1, 2)))


def test_update_and_fit_epoch_reject_a_different_number_of_features():
    model = Perceptron().fit(*logic_gate("and"))
    with pytest.raises(ValueError, match=r"Perceptron.update: x must have 2 features .*got 3"):
        model.update([1.0, 0.0, 1.0], 1)
    with pytest.raises(ValueError, match=r"Perceptron.update: y must contain only the labels \[0, 1\]"):
        model.update([1.0, 0.0], 0.5)
    with pytest.raises(ValueError, match=r"Perceptron.update: y must be one label, 0 or 1, got an array of shape"):
        model.update([1.0, 0.0], [1, 0])
    with pytest.raises(ValueError, match=r"Perceptron.fit_epoch: X must have 2 features .*shape \(1, 3"):
        model.fit_epoch(np.zeros((1, 3)), [0])


@pytest.mark.parametrize("lr", [0, -1.0, float("nan"), float("inf"), "1", None, True])
def test_bad_learning_rate(lr):
    with pytest.raises(ValueError, match=r"Perceptron: lr must be a finite number > 0, got"):
        Perceptron(lr=lr)


@pytest.mark.parametrize("max_epochs", [0, -3, 2.5])
def test_bad_max_epochs(max_epochs):
    with pytest.raises(ValueError, match=r"Perceptron: max_epochs must be a finite integer > 0, got"):
        Perceptron(max_epochs=max_epochs)


def test_integer_dtype_is_rejected():
    with pytest.raises(ValueError, match="Perceptron: dtype must be a floating dtype, got int64"):
        Perceptron(dtype=np.int64)
    with pytest.raises(ValueError, match="Perceptron: dtype must be a floating dtype, got 'floot'"):
        Perceptron(dtype="floot")


def test_novikoff_bound_rejects_all_zero_weights():
    X, y = logic_gate("and")
    with pytest.raises(ValueError, match=r"novikoff_bound: \(weight, bias\) must not be all zero"):
        novikoff_bound(X, y, [0.0, 0.0], 0.0)


# -- the rule as gradient descent on the perceptron loss -----------------------------------------------------


def test_perceptron_loss_is_zero_when_right_and_the_distance_past_the_line_when_wrong():
    loss, dz = perceptron_loss(np.array([3.0, -3.0, -2.0, 1.5, 0.0, 0.0]), np.array([1, 0, 1, 0, 1, 0]))
    np.testing.assert_array_equal(loss, [0.0, 0.0, 2.0, 1.5, 0.0, 0.0])
    np.testing.assert_array_equal(dz, [0.0, 0.0, -1.0, 1.0, 0.0, 1.0])  # z = 0 with y = 0 is a mistake


def test_sgd_on_the_perceptron_loss_with_torch_autograd_is_rosenblatts_rule():
    # torch differentiates max(0, -s z) by autograd; where s z < 0 its gradient is our -s x. On these random
    # blobs z is exactly 0 only at the very first visit (w = 0), the kink, where the loss has no derivative
    # and the choice of subgradient is a convention: both start from the weights after that visit.
    X, y = separable_blobs(60, 0.2, rng=3, dtype=np.float64)
    ours = Perceptron(lr=0.5, dtype=np.float64).fit(X, y)
    w = torch.zeros(3, dtype=torch.float64)
    first = ours.history_[0]
    w[:2], w[2] = torch.from_numpy(first.weight_after), float(first.bias_after)
    Xt = torch.from_numpy(np.hstack([X, np.ones((len(X), 1))]))
    s = torch.from_numpy(2.0 * y - 1.0)
    for u in ours.history_[1:]:
        w.requires_grad_(True)
        loss = torch.clamp(-s[u.index] * (Xt[u.index] @ w), min=0)
        loss.backward()
        with torch.no_grad():
            w = w - 0.5 * w.grad
        np.testing.assert_allclose(w[:2].numpy(), u.weight_after, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(float(w[2]), u.bias_after, rtol=1e-12, atol=1e-12)


def test_perceptron_loss_rejects_mismatched_shapes_and_labels():
    with pytest.raises(ValueError, match="z and y must have the same shape, got \\(3,\\) and \\(2,\\)"):
        perceptron_loss(np.zeros(3), np.array([0, 1]))
    with pytest.raises(ValueError, match="perceptron_loss: y must"):
        perceptron_loss(np.zeros(2), np.array([-1, 1]))


# -- ADALINE ---------------------------------------------------------------------------------------------------


def test_adaline_makes_torch_sgds_updates_on_the_squared_error():
    X, y = separable_blobs(40, 0.3, rng=1, dtype=np.float64)
    ours = Adaline(lr=0.01, epochs=3, dtype=np.float64).fit(X, y)
    linear = torch.nn.Linear(2, 1, dtype=torch.float64)
    torch.nn.init.zeros_(linear.weight)
    torch.nn.init.zeros_(linear.bias)
    optimizer = torch.optim.SGD(linear.parameters(), lr=0.01)
    Xt, s = torch.from_numpy(X), torch.from_numpy(2.0 * y - 1.0)
    for _ in range(3):
        for i in range(len(X)):
            optimizer.zero_grad()
            (0.5 * (s[i] - linear(Xt[i])[0]) ** 2).backward()  # ½ (s - z)²: its gradient is -(s - z) x
            optimizer.step()
    np.testing.assert_allclose(ours.weight, linear.weight.detach().numpy()[0], rtol=1e-12)
    np.testing.assert_allclose(ours.bias, linear.bias.item(), rtol=1e-12)
    assert len(ours.mse_) == ours.n_epochs_ == 3


def test_adaline_settles_near_least_squares_where_the_perceptron_never_settles():
    X, y = make_blobs(200, centers=np.array([[-1.0, -1.0], [1.0, 1.0]]), cluster_std=1.2, rng=0, dtype=np.float64)
    least_squares = np.linalg.lstsq(np.hstack([X, np.ones((len(X), 1))]), 2.0 * y - 1.0, rcond=None)[0]
    adaline = Adaline(lr=0.002, epochs=100, dtype=np.float64).fit(X, y)
    np.testing.assert_allclose(np.append(adaline.weight, adaline.bias), least_squares, atol=0.05)
    assert abs(adaline.mse_[-1] - adaline.mse_[-2]) < 1e-4
    perceptron = Perceptron(max_epochs=100, dtype=np.float64).fit(X, y)
    assert not perceptron.converged_ and perceptron.n_mistakes_ > 100


def test_adaline_reports_divergence_and_bad_arguments_clearly():
    X, y = logic_gate("and", dtype=np.float64)
    with pytest.raises(ValueError, match=r"the weights diverged \(lr=5.0 is too large"):
        Adaline(lr=5.0, epochs=200, dtype=np.float64).fit(X * 10, y)
    with pytest.raises(ValueError, match="Adaline: the model has no weights yet"):
        Adaline().predict(X)
    with pytest.raises(ValueError, match="lr"):
        Adaline(lr=0)
