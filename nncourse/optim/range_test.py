r"""The learning-rate range test (Smith 2017): train briefly while the learning rate grows exponentially.

From ``start_lr`` to ``end_lr`` over ``num_steps`` mini-batch steps, the k-th step uses

.. math::
    \gamma_k = \gamma_{\text{start}} \left(\gamma_{\text{end}} / \gamma_{\text{start}}\right)^{k / (K - 1)},

and records the mini-batch loss. Read the curve of loss against log γ: flat where γ is too small to do
anything, falling where γ is useful, exploding where γ is too large. Practitioners pick a rate where the
loss falls fastest (``RangeTest.steepest``), or about a tenth of the rate at the minimum
(``RangeTest.lr_at_minimum``); the largest useful rate is a natural ``max_lr`` for :class:`OneCycleLR`.
The raw losses are noisy, so the reading uses an exponential moving average with bias correction,
exactly as Adam's first moment.
"""

from dataclasses import dataclass

import numpy as np

from nncourse._checks import as_array, check_positive, check_same_length
from nncourse._rng import as_generator
from nncourse.data.split import batches
from nncourse.optim.optimizer import Optimizer, check_number
from nncourse.optim.sgd import SGD

__all__ = ["RangeTest", "lr_range_test"]


@dataclass
class RangeTest:
    """The result of :func:`lr_range_test`: the rates tried, the losses measured and their smoothed curve.

    >>> result = RangeTest(lrs=np.array([0.01, 0.1, 1.0]), losses=np.array([2.0, 1.0, 5.0]),
    ...                    smoothed=np.array([2.0, 1.2, 3.0]))
    >>> float(result.lr_at_minimum), float(result.steepest)
    (0.1, 0.1)
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray

    @property
    def lr_at_minimum(self):
        """The rate at which the smoothed loss is lowest."""
        return self.lrs[np.argmin(self.smoothed)]

    @property
    def steepest(self):
        """The rate at which the smoothed loss falls fastest against log γ (before its minimum)."""
        end = int(np.argmin(self.smoothed)) + 1
        if end < 2:
            return self.lrs[0]
        slope = np.diff(self.smoothed[:end]) / np.diff(np.log(self.lrs[:end]))
        return self.lrs[int(np.argmin(slope)) + 1]


def lr_range_test(model, loss_fn, data, *, optimizer=None, start_lr=1e-5, end_lr=10.0, num_steps=100,
                  batch_size=32, beta=0.9, diverge_factor=4.0, rng=0):
    """Run the range test and return a :class:`RangeTest`; the model's weights are restored afterwards.

    Args:
        model: a Module; trained for at most ``num_steps`` steps, then put back as it was.
        loss_fn: the criterion, e.g. ``CrossEntropyLoss()``.
        data: a pair ``(X, y)``; mini-batches are drawn from it, reshuffled every pass.
        optimizer: a function ``params -> Optimizer`` (e.g. ``lambda p: Adam(p)``); default plain ``SGD``.
            Its learning rate is overwritten at every step.
        start_lr, end_lr: the range, 0 < start_lr < end_lr. Defaults: ``1e-5``, ``10``.
        num_steps: the number K of steps (and rates tried), at least 2. Default: ``100``.
        batch_size: samples per step. Default: ``32``.
        beta: the smoothing of the moving average, in [0, 1). Default: ``0.9``.
        diverge_factor: stop early once the smoothed loss exceeds this many times its minimum. Default: ``4``.
        rng: seed or Generator for the shuffling.

    >>> from nncourse.data import make_moons
    >>> from nncourse.nn import CrossEntropyLoss, build_mlp
    >>> model = build_mlp([2, 16, 2], "tanh", rng=0)
    >>> result = lr_range_test(model, CrossEntropyLoss(), make_moons(200, rng=0), start_lr=1e-3, end_lr=100.0,
    ...                        num_steps=60)
    >>> len(result.lrs) <= 60, 0.01 < float(result.steepest) < 10
    (True, True)
    """
    where = "lr_range_test"
    X = as_array(data[0], "data[0]", where) if isinstance(data, (tuple, list)) and len(data) == 2 else None
    if X is None:
        raise ValueError(f"{where}: data must be a pair (X, y), got {type(data).__name__}")
    y = np.asarray(data[1])
    check_same_length(X, y, "X", "y", where)
    check_number(start_lr, "start_lr", where)
    check_number(end_lr, "end_lr", where)
    if not 0 < start_lr < end_lr:
        raise ValueError(f"{where}: needs 0 < start_lr < end_lr, got start_lr={start_lr!r} and end_lr={end_lr!r}")
    num_steps = check_positive(num_steps, "num_steps", where, integer=True)
    if num_steps < 2:
        raise ValueError(f"{where}: num_steps must be at least 2, got {num_steps}")
    batch_size = check_positive(batch_size, "batch_size", where, integer=True)
    check_number(beta, "beta", where, high=1.0, high_open=True)
    check_number(diverge_factor, "diverge_factor", where)
    rng = as_generator(rng)

    saved = [p.data.copy() for p in model.parameters()]
    opt = (optimizer or (lambda params: SGD(params, lr=start_lr)))(model.parameters())
    if not isinstance(opt, Optimizer):
        raise ValueError(f"{where}: optimizer must return an Optimizer, got {type(opt).__name__}")
    lrs = start_lr * (end_lr / start_lr) ** (np.arange(num_steps) / (num_steps - 1))
    losses, smoothed, average = [], [], 0.0
    stream = iter(())
    model.train()
    try:
        for k, lr in enumerate(lrs):
            batch = next(stream, None)
            if batch is None:  # a new pass over the data
                stream = batches(X, y, batch_size, rng=rng)
                batch = next(stream)
            for group in opt.param_groups:
                group["lr"] = float(lr)
            opt.zero_grad()
            loss = float(loss_fn(model(batch[0]), batch[1]))
            if not np.isfinite(loss):
                break
            model.backward(loss_fn.backward())
            opt.step()
            losses.append(loss)
            average = beta * average + (1 - beta) * loss
            smoothed.append(average / (1 - beta ** (k + 1)))
            if smoothed[-1] > diverge_factor * min(smoothed):
                break
    finally:
        for p, data_before in zip(model.parameters(), saved, strict=True):
            p.data[...] = data_before
            p.zero_grad()
        model.eval()
    n = len(losses)
    return RangeTest(lrs=lrs[:n], losses=np.array(losses), smoothed=np.array(smoothed))
