"""``Adagrad``: per-coordinate learning rates from the sum of squared gradients (``torch.optim.Adagrad``)."""

import numpy as np

from nncourse.optim.optimizer import Optimizer, check_flag, check_number


class Adagrad(Optimizer):
    r"""Implements Adagrad (Duchi, Hazan & Singer 2011), in PyTorch's form.

    .. math::
        \begin{aligned}
            &\textbf{input}: \gamma \text{ (lr)}, \: \theta_0, \: f(\theta), \: \lambda \text{ (weight decay)},
                \: \eta \text{ (lr decay)}, \: \tau \text{ (initial accumulator value)}, \: \epsilon \\
            &\textbf{initialize}: s_0 \leftarrow \tau \\
            &\textbf{for} \: t = 1 \: \textbf{to} \: \ldots \: \textbf{do} \\
            &\hspace{5mm} g_t \leftarrow \nabla_\theta f_t(\theta_{t-1}) \quad (\text{negated if maximize}) \\
            &\hspace{5mm} \tilde\gamma \leftarrow \gamma / (1 + (t - 1) \eta) \\
            &\hspace{5mm} \textbf{if} \: \lambda \neq 0: \: g_t \leftarrow g_t + \lambda \theta_{t-1} \\
            &\hspace{5mm} s_t \leftarrow s_{t-1} + g_t^2 \\
            &\hspace{5mm} \theta_t \leftarrow \theta_{t-1} - \tilde\gamma \, g_t / (\sqrt{s_t} + \epsilon) \\
        \end{aligned}

    Every coordinate gets its own step size γ/√(Σ g²): coordinates with large past gradients move slowly,
    rare ones quickly. The sum only grows, so the steps shrink for ever.

    Args:
        params (iterable): the Parameters to optimize.
        lr (float): learning rate γ ≥ 0. Default: ``1e-2``.
        lr_decay (float): learning-rate decay η ≥ 0. Default: ``0``.
        weight_decay (float): L2 penalty λ ≥ 0, added to the gradient. Default: ``0``.
        initial_accumulator_value (float): starting value τ ≥ 0 of the sum s. Default: ``0``.
        eps (float): ε ≥ 0 added to the denominator. Default: ``1e-10``.
        maximize (bool): ascend the objective instead of descending. Default: ``False``.

    How this differs from the paper: Duchi et al. write the full-matrix and diagonal versions with
    δ inside the root, γ/√(δ + Σ g²)·g; PyTorch (and this class) add ε outside the root and offer an
    initial accumulator value and a 1/(1 + (t−1)η) learning-rate decay.

    Example: the first step moves every coordinate by about γ, whatever the size of its gradient.

        >>> import numpy as np
        >>> from nncourse.nn import Parameter
        >>> p = Parameter(np.zeros(3))
        >>> p.grad[:] = [100.0, 1.0, 0.01]
        >>> Adagrad([p], lr=0.1).step()
        >>> p.data.round(6).tolist()
        [-0.1, -0.1, -0.1]
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, *,
                 maximize=False):
        where = "Adagrad"
        check_number(lr, "lr", where)
        check_number(lr_decay, "lr_decay", where)
        check_number(weight_decay, "weight_decay", where)
        check_number(initial_accumulator_value, "initial_accumulator_value", where)
        check_number(eps, "eps", where)
        check_flag(maximize, "maximize", where)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "maximize": maximize}
        super().__init__(params, defaults)
        # PyTorch creates the state here, at construction, rather than at the first step.
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = {"step": 0, "sum": np.full_like(p.data, initial_accumulator_value)}

    def step(self):
        """Perform a single update of every parameter that has a gradient, in place."""
        for group in self.param_groups:
            for p in self._params_with_grad(group):
                state = self.state[p]
                state["step"] += 1
                g = -p.grad if group["maximize"] else p.grad
                if group["weight_decay"] != 0:
                    g = g + group["weight_decay"] * p.data
                lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
                state["sum"] += g * g
                p.data -= lr * g / (np.sqrt(state["sum"]) + group["eps"])
