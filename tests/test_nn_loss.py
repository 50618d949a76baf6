"""Specification of the losses: PyTorch's formulas, reductions and gradients, stability, and bad input."""

import numpy as np
import pytest
import torch

from nncourse.nn import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss

RTOL, ATOL = 1e-12, 1e-15
REDUCTIONS = ["mean", "sum"]


def torch_loss_and_grad(torch_loss, input, target):
    """PyTorch's loss value and d loss / d input, in float64."""
    input_t = torch.tensor(input, requires_grad=True)
    loss = torch_loss(input_t, torch.as_tensor(target))
    loss.backward()
    return loss.item(), input_t.grad.numpy()


def check_against_torch(ours, theirs, input, target):
    loss = ours(input, target)
    expected_loss, expected_grad = torch_loss_and_grad(theirs, input, target)
    assert isinstance(loss, float)
    assert loss == pytest.approx(expected_loss, rel=RTOL, abs=ATOL)
    grad = ours.backward()
    assert grad.shape == np.shape(input) and grad.dtype == np.asarray(input).dtype
    np.testing.assert_allclose(grad, expected_grad, rtol=RTOL, atol=ATOL)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_matches_pytorch(rng, reduction):
    input, target = rng.normal(size=(8, 3)), rng.normal(size=(8, 3))
    check_against_torch(MSELoss(reduction=reduction), torch.nn.MSELoss(reduction=reduction), input, target)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_matches_pytorch_with_hard_and_soft_targets(rng, reduction):
    p = rng.uniform(0.01, 0.99, size=(10, 1))
    hard = rng.integers(0, 2, size=(10, 1)).astype(float)
    soft = rng.uniform(size=(10, 1))
    for target in (hard, soft):
        check_against_torch(BCELoss(reduction=reduction), torch.nn.BCELoss(reduction=reduction), p, target)


def test_bce_clamps_log_at_minus_100_like_pytorch():
    # p = 0 or 1 against the wrong label: log 0 is clamped to -100, the gradient's denominator to 1e-12.
    p = np.array([[0.0], [1.0], [0.0], [1.0], [1e-300], [0.5]])
    target = np.array([[1.0], [0.0], [0.0], [1.0], [1.0], [0.3]])
    check_against_torch(BCELoss(), torch.nn.BCELoss(), p, target)
    assert BCELoss()(np.array([0.0]), np.array([1.0])) == 100.0


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_matches_pytorch(rng, reduction):
    z, target = rng.normal(scale=3, size=(12, 1)), rng.uniform(size=(12, 1))
    theirs = torch.nn.BCEWithLogitsLoss(reduction=reduction)
    check_against_torch(BCEWithLogitsLoss(reduction=reduction), theirs, z, target)


def test_bce_with_logits_is_stable_at_extreme_logits():
    z = np.array([[1e4], [-1e4], [1e4], [-1e4], [40.0], [-40.0], [0.0]])
    target = np.array([[1.0], [1.0], [0.0], [0.0], [1.0], [0.0], [0.5]])
    check_against_torch(BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss(), z, target)
    loss = BCEWithLogitsLoss(reduction="sum")(z[:4], target[:4])
    assert loss == pytest.approx(2e4)  # the two wrong, confident answers cost |z| each


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_matches_pytorch(rng, reduction):
    logits, target = rng.normal(scale=2, size=(9, 4)), rng.integers(0, 4, size=9)
    check_against_torch(CrossEntropyLoss(reduction=reduction), torch.nn.CrossEntropyLoss(reduction=reduction),
                        logits, target)


def test_cross_entropy_is_stable_at_extreme_logits():
    logits = np.array([[1e4, 0.0, -1e4], [1e4, 0.0, -1e4], [-1e4, -1e4, -1e4], [1e4, 1e4, 0.0]])
    target = np.array([0, 2, 1, 1])
    check_against_torch(CrossEntropyLoss(), torch.nn.CrossEntropyLoss(), logits, target)
    assert CrossEntropyLoss(reduction="sum")(logits[:2], target[:2]) == pytest.approx(2e4)


def test_float32_input_gives_float32_gradient():
    criterion = CrossEntropyLoss()
    criterion(np.zeros((2, 3), dtype=np.float32), np.array([0, 1]))
    assert criterion.backward().dtype == np.float32
    mse = MSELoss()
    mse(np.zeros((2, 1), dtype=np.float32), np.ones((2, 1)))  # a float64 target does not promote
    assert mse.backward().dtype == np.float32


def test_repr_shows_non_default_reduction_like_pytorch():
    assert repr(MSELoss()) == "MSELoss()"
    assert repr(CrossEntropyLoss(reduction="sum")) == "CrossEntropyLoss(reduction='sum')"


# ------------------------------------------------------------------------------------------------------
# Bad input: a ValueError that names the loss, what it expected and what it got
# ------------------------------------------------------------------------------------------------------


def test_cross_entropy_rejects_class_index_out_of_range():
    with pytest.raises(ValueError, match=r"CrossEntropyLoss: .*class indices in 0\.\.2 for 3 classes, got 3"):
        CrossEntropyLoss()(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match=r"CrossEntropyLoss: .*got -1"):
        CrossEntropyLoss()(np.zeros((2, 3)), np.array([-1, 0]))


def test_cross_entropy_rejects_float_targets_and_bad_shapes():
    with pytest.raises(ValueError, match="CrossEntropyLoss: target must hold integer class indices.*float64"):
        CrossEntropyLoss()(np.zeros((2, 3)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"CrossEntropyLoss: input must be logits of shape \(N, C\).*\(3,\)"):
        CrossEntropyLoss()(np.zeros(3), np.array([0]))
    with pytest.raises(ValueError, match=r"CrossEntropyLoss: target must have shape \(2,\).*\(2, 1\)"):
        CrossEntropyLoss()(np.zeros((2, 3)), np.array([[0], [1]]))


def test_bce_rejects_probabilities_outside_unit_interval():
    with pytest.raises(ValueError, match=r"BCELoss: input \(the prediction\) must be probabilities.*1\.5"):
        BCELoss()(np.array([[0.5], [1.5]]), np.array([[1.0], [0.0]]))
    with pytest.raises(ValueError, match=r"BCELoss: target must be probabilities in \[0, 1\].*-1"):
        BCELoss()(np.array([[0.5]]), np.array([[-1.0]]))
    with pytest.raises(ValueError, match=r"BCEWithLogitsLoss: target must be probabilities in \[0, 1\].*2"):
        BCEWithLogitsLoss()(np.array([[0.5]]), np.array([[2.0]]))


@pytest.mark.parametrize("loss", [MSELoss, BCELoss, BCEWithLogitsLoss])
def test_elementwise_losses_reject_shape_mismatch_instead_of_broadcasting(loss):
    pattern = rf"{loss.__name__}: input and target must have the same shape.*\(4, 1\).*\(4,\).*reshape"
    with pytest.raises(ValueError, match=pattern):
        loss()(np.full((4, 1), 0.5), np.zeros(4))


@pytest.mark.parametrize("loss", [MSELoss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss])
def test_empty_batch_is_rejected(loss):
    target = np.zeros(0, dtype=np.int64) if loss is CrossEntropyLoss else np.zeros((0, 1))
    with pytest.raises(ValueError, match=rf"{loss.__name__}: got an empty batch"):
        loss()(np.zeros((0, 1)), target)


@pytest.mark.parametrize("loss", [MSELoss, BCEWithLogitsLoss])
def test_non_finite_prediction_is_rejected_with_a_hint(loss):
    with pytest.raises(ValueError, match=rf"{loss.__name__}: .*must be finite, got 1 NaN.*diverged"):
        loss()(np.array([[np.nan], [0.0]]), np.zeros((2, 1)))


def test_unknown_reduction_and_backward_before_forward():
    with pytest.raises(ValueError, match="MSELoss: reduction must be 'mean' or 'sum'.*'none'.*got 'avg'"):
        MSELoss(reduction="avg")
    with pytest.raises(RuntimeError, match="BCELoss: backward"):
        BCELoss().backward()
