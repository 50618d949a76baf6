r"""Learning-rate schedules, as ``torch.optim.lr_scheduler``: the learning rate as a function of the step count.

A scheduler wraps an optimizer and writes ``optimizer.param_groups[i]["lr"]``. As in PyTorch:

* constructing it already takes one step (``last_epoch`` goes from −1 to 0) and sets the step-0 rate;
* call ``scheduler.step()`` *after* ``optimizer.step()``, once per epoch or once per batch, as the schedule
  is meant;
* ``get_last_lr()`` returns the rates it set last; ``base_lrs`` are the groups' rates at construction
  (kept in each group as ``"initial_lr"``).

How this differs from PyTorch: PyTorch computes most schedules *recursively*, multiplying the group's current
rate by a ratio at each step, so that several schedulers can be chained on one optimizer. Here each rate is
the closed form γ(t) of ``last_epoch`` (PyTorch's ``_get_closed_form_lr``), which reads as the formula and
gives the same rates to rounding (tested step by step against PyTorch), as long as nothing else changes
``"lr"`` between steps. Resuming with ``last_epoch ≠ −1`` is not supported: use ``state_dict()``.

>>> import numpy as np
>>> from nncourse.nn import Parameter
>>> from nncourse.optim import SGD
>>> optimizer = SGD([Parameter(np.zeros(1))], lr=0.1)
>>> scheduler = StepLR(optimizer, step_size=2, gamma=0.5)
>>> rates = []
>>> for epoch in range(5):
...     rates.append(scheduler.get_last_lr()[0])
...     optimizer.step()
...     scheduler.step()
>>> rates
[0.1, 0.1, 0.05, 0.05, 0.025]
"""

import math
from bisect import bisect_right

from nncourse.optim.optimizer import Optimizer, check_number

__all__ = ["CosineAnnealingLR", "ExponentialLR", "LRScheduler", "LambdaLR", "LinearLR", "OneCycleLR",
           "SequentialLR", "StepLR"]


def _check_count(value, name, where):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{where}: {name} must be a positive integer, got {value!r}")
    return value


class LRScheduler:
    """Base class of the schedules: subclasses write ``get_lr()``, the rates at step ``self.last_epoch``.

    Args:
        optimizer (Optimizer): the optimizer whose ``"lr"`` the schedule sets.
        last_epoch (int): must be ``-1`` (a fresh schedule), PyTorch's default.

    >>> import numpy as np
    >>> from nncourse.nn import Parameter
    >>> from nncourse.optim import SGD
    >>> class Halving(LRScheduler):
    ...     def get_lr(self):
    ...         return [base_lr / 2**self.last_epoch for base_lr in self.base_lrs]
    >>> scheduler = Halving(SGD([Parameter(np.zeros(1))], lr=1.0))
    >>> scheduler.step(); scheduler.step()
    >>> scheduler.last_epoch, scheduler.get_last_lr()
    (2, [0.25])
    """

    def __init__(self, optimizer, last_epoch=-1):
        where = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{where}: optimizer must be an nncourse.optim Optimizer, got {type(optimizer).__name__}")
        if last_epoch != -1:
            raise ValueError(
                f"{where}: last_epoch must be -1 (a fresh schedule), got {last_epoch!r}; "
                "to resume a schedule, use state_dict() and load_state_dict()"
            )
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self):
        """PyTorch's step at construction: ``last_epoch`` becomes 0 and the step-0 rates are set."""
        self.step()

    def get_lr(self):
        """The learning rates at step ``self.last_epoch``, one per parameter group."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_lr()")

    def step(self):
        """Advance the schedule by one step and write the new rates into the optimizer."""
        self._go_to(self.last_epoch + 1)

    def _go_to(self, epoch):
        self.last_epoch = epoch
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self):
        """The learning rates set by the last ``step()`` (or by the construction)."""
        return list(self._last_lr)

    def state_dict(self):
        """The scheduler's state (everything but the optimizer), for checkpoints."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restore a state saved by :meth:`state_dict`."""
        self.__dict__.update(state_dict)


class LambdaLR(LRScheduler):
    r"""γ_t = γ₀ · λ(t), for a function λ of the step count of your choice.

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        lr_lambda (callable or list): λ(t), or one function per parameter group.

    Example: linear warm-up over four steps.

        >>> import numpy as np
        >>> from nncourse.nn import Parameter
        >>> from nncourse.optim import SGD
        >>> optimizer = SGD([Parameter(np.zeros(1))], lr=0.1)
        >>> scheduler = LambdaLR(optimizer, lambda t: min(1.0, (t + 1) / 4))
        >>> rates = []
        >>> for _ in range(6):
        ...     rates.append(round(scheduler.get_last_lr()[0], 3))
        ...     scheduler.step()
        >>> rates
        [0.025, 0.05, 0.075, 0.1, 0.1, 0.1]
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        groups = len(optimizer.param_groups) if isinstance(optimizer, Optimizer) else 1
        lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * groups
        if len(lambdas) != groups:
            raise ValueError(f"LambdaLR: expected {groups} lr_lambda function(s), got {len(lambdas)}")
        for fn in lambdas:
            if not callable(fn):
                raise ValueError(f"LambdaLR: lr_lambda must be a function of the step count, got {fn!r}")
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base_lr * fn(self.last_epoch) for fn, base_lr in zip(self.lr_lambdas, self.base_lrs, strict=True)]

    def state_dict(self):
        """The state without the functions (which cannot be saved), as PyTorch does for lambdas."""
        return {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "lr_lambdas")}


class StepLR(LRScheduler):
    r"""γ_t = γ₀ · gamma^⌊t / step_size⌋: multiply the rate by ``gamma`` every ``step_size`` steps.

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        step_size (int): period of the decay, a positive integer.
        gamma (float): multiplicative factor ≥ 0. Default: ``0.1``.

    >>> import numpy as np
    >>> from nncourse.nn import Parameter
    >>> from nncourse.optim import SGD
    >>> scheduler = StepLR(SGD([Parameter(np.zeros(1))], lr=1.0), step_size=3)
    >>> for _ in range(7):
    ...     scheduler.step()
    >>> scheduler.last_epoch, round(scheduler.get_last_lr()[0], 6)
    (7, 0.01)
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size = _check_count(step_size, "step_size", "StepLR")
        self.gamma = check_number(gamma, "gamma", "StepLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    r"""γ_t = γ₀ · gammaᵗ: multiply the rate by ``gamma`` at every step.

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        gamma (float): multiplicative factor ≥ 0.

    >>> import numpy as np
    >>> from nncourse.nn import Parameter
    >>> from nncourse.optim import SGD
    >>> scheduler = ExponentialLR(SGD([Parameter(np.zeros(1))], lr=1.0), gamma=0.5)
    >>> scheduler.step(); scheduler.step(); scheduler.step()
    >>> scheduler.get_last_lr()
    [0.125]
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = check_number(gamma, "gamma", "ExponentialLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base_lr * self.gamma**self.last_epoch for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Cosine annealing (Loshchilov & Hutter 2017, without restarts) from γ₀ down to η_min over T_max steps.

    .. math::
        \gamma_t = \eta_{\min} + \tfrac12 (\gamma_0 - \eta_{\min}) \left(1 + \cos\frac{\pi t}{T_{\max}}\right)

    After T_max steps the cosine goes on (the rate rises again), as in PyTorch.

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        T_max (int): the number of steps of the half period, a positive integer.
        eta_min (float): the lowest rate, ≥ 0. Default: ``0``.

    >>> import numpy as np
    >>> from nncourse.nn import Parameter
    >>> from nncourse.optim import SGD
    >>> scheduler = CosineAnnealingLR(SGD([Parameter(np.zeros(1))], lr=1.0), T_max=4)
    >>> rates = []
    >>> for _ in range(5):
    ...     rates.append(round(scheduler.get_last_lr()[0], 4))
    ...     scheduler.step()
    >>> rates
    [1.0, 0.8536, 0.5, 0.1464, 0.0]
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max = _check_count(T_max, "T_max", "CosineAnnealingLR")
        self.eta_min = check_number(eta_min, "eta_min", "CosineAnnealingLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        cosine = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (base_lr - self.eta_min) * cosine for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    r"""Linear ramp of the factor from ``start_factor`` to ``end_factor`` over ``total_iters`` steps (warm-up).

    .. math::
        \gamma_t = \gamma_0 \left(s + (e - s) \frac{\min(t, T)}{T}\right)

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        start_factor (float): s, in (0, 1]. Default: ``1/3``.
        end_factor (float): e, in [0, 1]. Default: ``1.0``.
        total_iters (int): T, a positive integer. Default: ``5``.

    >>> import numpy as np
    >>> from nncourse.nn import Parameter
    >>> from nncourse.optim import SGD
    >>> scheduler = LinearLR(SGD([Parameter(np.zeros(1))], lr=1.0), start_factor=0.25, total_iters=3)
    >>> rates = []
    >>> for _ in range(5):
    ...     rates.append(scheduler.get_last_lr()[0])
    ...     scheduler.step()
    >>> rates
    [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1):
        where = "LinearLR"
        check_number(start_factor, "start_factor", where, high=1.0)
        if start_factor == 0:
            raise ValueError(f"{where}: start_factor must be > 0 and <= 1, got {start_factor!r}")
        self.start_factor = start_factor
        self.end_factor = check_number(end_factor, "end_factor", where, high=1.0)
        self.total_iters = _check_count(total_iters, "total_iters", where)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        progress = min(self.total_iters, self.last_epoch) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * progress
        return [base_lr * factor for base_lr in self.base_lrs]


class OneCycleLR(LRScheduler):
    r"""The one-cycle policy (Smith & Topin 2019): up from max_lr/div_factor to max_lr, then far down.

    Phase 1 (the first ``pct_start`` of ``total_steps``) anneals the rate from γ_init = max_lr/div_factor up to
    max_lr; phase 2 anneals it down to γ_init/final_div_factor. With ``three_phase`` it comes back down to
    γ_init symmetrically first, then drops to the minimum. "Anneal" is the cosine
    a(s, e, p) = e + (s − e)(1 + cos πp)/2 or the straight line s + (e − s)p, with p the phase's progress.
    With ``cycle_momentum`` the momentum (SGD, RMSprop) or β₁ (Adam) moves the opposite way, between
    ``max_momentum`` and ``base_momentum``. Meant to be stepped once per batch; stepping past
    ``total_steps`` is an error.

    Args:
        optimizer (Optimizer): the wrapped optimizer; its own ``lr`` is replaced.
        max_lr (float): the peak rate.
        total_steps (int): the cycle length; or give ``epochs`` and ``steps_per_epoch``.
        pct_start (float): the fraction of the cycle spent going up, in [0, 1]. Default: ``0.3``.
        anneal_strategy (str): ``"cos"`` or ``"linear"``. Default: ``"cos"``.
        cycle_momentum (bool): cycle the momentum / β₁ too. Default: ``True``.
        base_momentum, max_momentum (float): its range. Defaults: ``0.85``, ``0.95``.
        div_factor (float): γ_init = max_lr / div_factor. Default: ``25``.
        final_div_factor (float): the final rate is γ_init / final_div_factor. Default: ``1e4``.
        three_phase (bool): use the three-phase form. Default: ``False``.

    Like PyTorch, ``cycle_momentum=True`` switches momentum *on* for an SGD built without it (its group's
    ``momentum`` becomes 0.95 at construction).

    >>> import numpy as np
    >>> from nncourse.nn import Parameter
    >>> from nncourse.optim import SGD
    >>> optimizer = SGD([Parameter(np.zeros(1))], momentum=0.9)
    >>> scheduler = OneCycleLR(optimizer, max_lr=1.0, total_steps=10)
    >>> rates = []
    >>> for _ in range(10):
    ...     rates.append(round(scheduler.get_last_lr()[0], 3))
    ...     scheduler.step()
    >>> rates
    [0.04, 0.52, 1.0, 0.95, 0.812, 0.611, 0.389, 0.188, 0.05, 0.0]
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3,
                 anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85, max_momentum=0.95,
                 div_factor=25.0, final_div_factor=1e4, three_phase=False, last_epoch=-1):
        where = "OneCycleLR"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{where}: optimizer must be an nncourse.optim Optimizer, got {type(optimizer).__name__}")
        if total_steps is not None:
            self.total_steps = _check_count(total_steps, "total_steps", where)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = _check_count(epochs, "epochs", where) * _check_count(
                steps_per_epoch, "steps_per_epoch", where)
        else:
            raise ValueError(f"{where}: give either total_steps or both epochs and steps_per_epoch")
        check_number(pct_start, "pct_start", where, high=1.0)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"{where}: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}")
        check_number(max_lr, "max_lr", where)
        check_number(div_factor, "div_factor", where)
        check_number(final_div_factor, "final_div_factor", where)
        self.anneal_strategy = anneal_strategy
        up = float(pct_start * self.total_steps) - 1
        # (end step, start rate, end rate, start momentum, end momentum) of each phase
        if three_phase:
            self._phases = [
                (up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (float(2 * pct_start * self.total_steps) - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                (self.total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        else:
            self._phases = [
                (up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (self.total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]
        for group in optimizer.param_groups:
            group["initial_lr"] = max_lr / div_factor
            group["max_lr"] = max_lr
            group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(
                    f"{where}: cycle_momentum=True needs an optimizer with momentum or betas, "
                    f"got {type(optimizer).__name__}; pass cycle_momentum=False"
                )
            self.use_beta1 = "betas" in optimizer.defaults
            for group in optimizer.param_groups:
                group["max_momentum"], group["base_momentum"] = max_momentum, base_momentum
                self._set_momentum(group, max_momentum)
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group, momentum):
        if self.use_beta1:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum

    def _anneal(self, start, end, progress):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * progress) + 1)
        return (end - start) * progress + start

    def get_lr(self):
        """The rates at step ``last_epoch``; with ``cycle_momentum`` it also sets the momentum (as PyTorch)."""
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {step} times; total_steps is {self.total_steps}")
        rates = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for index, (end_step, lr_from, lr_to, momentum_from, momentum_to) in enumerate(self._phases):
                if step <= end_step or index == len(self._phases) - 1:
                    progress = (step - start_step) / (end_step - start_step)
                    rates.append(self._anneal(group[lr_from], group[lr_to], progress))
                    if self.cycle_momentum:
                        self._set_momentum(group, self._anneal(group[momentum_from], group[momentum_to], progress))
                    break
                start_step = end_step
        return rates


class SequentialLR(LRScheduler):
    """Run schedulers one after another: ``schedulers[i]`` takes over at step ``milestones[i - 1]``.

    Each scheduler restarts its own count at 0 when it takes over (so a cosine after a warm-up starts at the
    top). Build the schedulers on the same optimizer first, then pass them here.

    Args:
        optimizer (Optimizer): the optimizer all the schedulers wrap.
        schedulers (list): the schedulers, in order.
        milestones (list[int]): the steps at which the next one takes over; one fewer than schedulers.

    Example: three steps of linear warm-up, then cosine annealing.

        >>> import numpy as np
        >>> from nncourse.nn import Parameter
        >>> from nncourse.optim import SGD
        >>> optimizer = SGD([Parameter(np.zeros(1))], lr=1.0)
        >>> warmup = LinearLR(optimizer, start_factor=0.25, total_iters=3)
        >>> cosine = CosineAnnealingLR(optimizer, T_max=4)
        >>> scheduler = SequentialLR(optimizer, [warmup, cosine], milestones=[3])
        >>> rates = []
        >>> for _ in range(8):
        ...     rates.append(round(scheduler.get_last_lr()[0], 3))
        ...     scheduler.step()
        >>> rates
        [0.25, 0.5, 0.75, 1.0, 0.854, 0.5, 0.146, 0.0]
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        where = "SequentialLR"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{where}: optimizer must be an nncourse.optim Optimizer, got {type(optimizer).__name__}")
        if last_epoch != -1:
            raise ValueError(f"{where}: last_epoch must be -1 (a fresh schedule), got {last_epoch!r}")
        schedulers, milestones = list(schedulers), list(milestones)
        if not schedulers:
            raise ValueError(f"{where}: expects at least one scheduler, got none")
        for index, scheduler in enumerate(schedulers):
            if not isinstance(scheduler, LRScheduler) or isinstance(scheduler, SequentialLR):
                raise ValueError(f"{where}: schedulers[{index}] must be a scheduler, got {type(scheduler).__name__}")
            if scheduler.optimizer is not optimizer:
                raise ValueError(f"{where}: schedulers[{index}] wraps a different optimizer")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"{where}: expects one milestone fewer than schedulers, got {len(schedulers)} schedulers and "
                f"{len(milestones)} milestones"
            )
        if milestones != sorted(milestones) or any(isinstance(m, bool) or not isinstance(m, int) for m in milestones):
            raise ValueError(f"{where}: milestones must be increasing integers, got {milestones!r}")
        self.optimizer = optimizer
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = 0
        # Each scheduler's construction took a step; undo them, then start the first one at step 0.
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        for scheduler in schedulers:
            scheduler.last_epoch -= 1
        schedulers[0]._initial_step()
        self._last_lr = schedulers[0].get_last_lr()

    def step(self):
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._go_to(0)  # the next scheduler takes over, from its own step 0
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def get_lr(self):
        return self._schedulers[bisect_right(self._milestones, self.last_epoch)].get_lr()

    def state_dict(self):
        state = {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        state_dict = dict(state_dict)
        for scheduler, saved in zip(self._schedulers, state_dict.pop("_schedulers"), strict=True):
            scheduler.load_state_dict(saved)
        self.__dict__.update(state_dict)
