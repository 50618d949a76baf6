"""``SGD``: plain stochastic gradient descent, θ ← θ − γ g (``torch.optim.SGD`` without momentum)."""

from nncourse._checks import check_positive
from nncourse.optim.optimizer import Optimizer


class SGD(Optimizer):
    r"""Implements stochastic gradient descent.

    .. math::
        \begin{aligned}
            &\textbf{input}: \gamma \text{ (lr)}, \: \theta_0 \text{ (params)},
                \: f(\theta) \text{ (objective)} \\
            &\textbf{for} \: t = 1 \: \textbf{to} \: \ldots \: \textbf{do} \\
            &\hspace{5mm} g_t \leftarrow \nabla_\theta f_t(\theta_{t-1}) \\
            &\hspace{5mm} \theta_t \leftarrow \theta_{t-1} - \gamma g_t \\
            &\textbf{return} \: \theta_t
        \end{aligned}

    Args:
        params (iterable): iterable of Parameters to optimize, typically ``model.parameters()``.
        lr (float, optional): learning rate γ, a finite number ≥ 0. Default: ``1e-3`` (as in PyTorch).

    Example:
        >>> optimizer = SGD(model.parameters(), lr=0.1)
        >>> optimizer.zero_grad()
        >>> loss = criterion(model(x), y)
        >>> model.backward(criterion.backward())
        >>> optimizer.step()

    Note:
        This is the plain rule. PyTorch's ``SGD`` also takes ``momentum``, ``dampening``, ``weight_decay``,
        ``nesterov`` and ``maximize``; the optimizer chapter adds them (the per-parameter ``self.state`` of
        ``Optimizer`` is where a momentum buffer will live). With those left at their defaults, PyTorch's
        update is exactly the one above, so the same gradients give the same weights.
    """

    def __init__(self, params, lr=1e-3):
        check_positive(lr, "lr", "SGD", allow_zero=True)
        super().__init__(params, {"lr": lr})

    def step(self):
        """Perform a single update ``θ ← θ − γ g`` of every parameter, in place."""
        for group in self.param_groups:
            lr = group["lr"]
            for p in group["params"]:
                if p.grad is not None:  # a parameter without a gradient is skipped, as in PyTorch
                    p.data -= lr * p.grad
