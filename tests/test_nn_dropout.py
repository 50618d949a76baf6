"""Specification of ``nncourse.nn.Dropout``: inverted dropout, PyTorch's masks give PyTorch's numbers."""

import numpy as np
import pytest
import torch

from nncourse import nn
from nncourse.nn.dropout import dropout_backward, dropout_forward

RTOL, ATOL = 1e-12, 1e-14


class ReplayDropout(nn.Dropout):
    """Our Dropout, but with given keep-masks instead of freshly drawn ones."""

    def __init__(self, p, masks):
        super().__init__(p)
        self.masks = iter(masks)

    def sample_mask(self, shape):
        mask = next(self.masks)
        assert mask.shape == shape
        return mask


def torch_dropout_with_mask(x, p, seed):
    """PyTorch's dropout of x (float64, train mode) with its output, input gradient for a fixed upstream
    gradient, and the keep-mask it drew (replayed from the same seed on a tensor of ones)."""
    x_t = torch.tensor(x, requires_grad=True)
    torch.manual_seed(seed)
    y_t = torch.nn.Dropout(p)(x_t)
    grad = torch.linspace(-1, 1, x_t.numel(), dtype=torch.float64).reshape(x_t.shape)
    y_t.backward(grad)
    torch.manual_seed(seed)
    keep = (torch.nn.Dropout(p)(torch.ones_like(x_t)) != 0).numpy()
    return y_t.detach().numpy(), x_t.grad.numpy(), grad.numpy(), keep


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_forward_and_backward_match_torch_with_torchs_mask(p):
    x = np.random.default_rng(0).normal(size=(40, 25))
    y_t, dx_t, grad, keep = torch_dropout_with_mask(x, p, seed=3)
    assert 0 < keep.mean() < 1
    layer = ReplayDropout(p, [keep])
    np.testing.assert_allclose(layer(x), y_t, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(layer.backward(grad), dx_t, rtol=RTOL, atol=ATOL)
    np.testing.assert_array_equal(layer.keep, keep)


def test_kept_units_are_scaled_so_the_expectation_is_unchanged():
    layer = nn.Dropout(p=0.3, rng=0)
    x = np.full((200, 500), 2.0)
    y = layer(x)
    kept = y != 0
    np.testing.assert_allclose(y[kept], 2.0 / 0.7, rtol=1e-15)
    assert kept.mean() == pytest.approx(0.7, abs=0.005)  # 100 000 draws: 5 standard deviations ≈ 0.007
    assert y.mean() == pytest.approx(2.0, abs=0.03)


def test_eval_mode_and_p_zero_are_the_identity_like_torch():
    x = np.random.default_rng(1).normal(size=(5, 4))
    layer = nn.Dropout(0.5, rng=0).eval()
    np.testing.assert_array_equal(layer(x), torch.nn.Dropout(0.5).eval()(torch.tensor(x)).numpy())
    np.testing.assert_array_equal(layer.backward(np.ones((5, 4))), np.ones((5, 4)))
    assert layer.keep is None
    np.testing.assert_array_equal(nn.Dropout(0.0).train()(x), x)


def test_p_one_drops_everything_like_torch():
    x = np.random.default_rng(1).normal(size=(3, 4))
    layer = nn.Dropout(1.0, rng=0)
    y = layer(x)
    np.testing.assert_array_equal(y, torch.nn.Dropout(1.0)(torch.tensor(x)).numpy())
    np.testing.assert_array_equal(y, np.zeros_like(x))
    assert np.all(np.isfinite(layer.backward(np.ones_like(x))))


def test_a_fresh_mask_every_call_and_the_seed_fixes_them():
    x = np.ones((4, 50))
    layer = nn.Dropout(0.5, rng=7)
    first, second = layer(x), layer(x)
    assert not np.array_equal(first, second)
    again = nn.Dropout(0.5, rng=7)
    np.testing.assert_array_equal(again(x), first)


def test_train_and_eval_reach_dropout_inside_sequential():
    model = nn.Sequential(nn.Linear(3, 8, rng=0), nn.ReLU(), nn.Dropout(0.5, rng=0), nn.Linear(8, 2, rng=1))
    x = np.ones((6, 3), dtype=np.float32)
    model.eval()
    assert not model[2].training
    np.testing.assert_array_equal(model(x), model(x))
    model.train()
    assert model[2].training
    assert not np.array_equal(model(x), model(x))


def test_float32_stays_float32():
    y = nn.Dropout(0.5, rng=0)(np.ones((2, 3), dtype=np.float32))
    assert y.dtype == np.float32
    assert set(np.unique(y).tolist()) <= {0.0, 2.0}


def test_repr_is_torchs():
    assert repr(nn.Dropout(0.2)) == repr(torch.nn.Dropout(0.2)) == "Dropout(p=0.2, inplace=False)"


def test_functional_pair_matches_the_layer():
    x = np.arange(6.0).reshape(2, 3)
    keep = np.array([[True, False, True], [False, True, True]])
    y, cache = dropout_forward(x, 0.25, keep)
    np.testing.assert_allclose(y, np.where(keep, x / 0.75, 0.0), rtol=1e-15)
    np.testing.assert_allclose(dropout_backward(np.ones((2, 3)), cache), keep / 0.75, rtol=1e-15)


@pytest.mark.parametrize("p", [-0.1, 1.5, "0.5", True, float("nan")])
def test_bad_p_is_refused_with_torchs_message(p):
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        nn.Dropout(p)


def test_bad_calls_are_refused_clearly():
    layer = nn.Dropout(0.5, rng=0)
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones(3))
    layer(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"expected grad_output of shape \(2, 3\)"):
        layer.backward(np.ones((3, 2)))
    with pytest.raises(ValueError, match="keep must be a boolean array"):
        dropout_forward(np.ones((2, 3)), 0.5, np.ones((2, 3)))
    with pytest.raises(ValueError, match="finite"):
        layer(np.array([1.0, np.nan]))
