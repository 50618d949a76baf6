"""``SGD``: stochastic gradient descent with momentum, Nesterov momentum and weight decay (``torch.optim.SGD``)."""

from nncourse.optim.optimizer import Optimizer, check_flag, check_number


class SGD(Optimizer):
    r"""Implements stochastic gradient descent (optionally with momentum), in PyTorch's form.

    .. math::
        \begin{aligned}
            &\textbf{input}: \gamma \text{ (lr)}, \: \theta_0, \: f(\theta), \: \lambda \text{ (weight decay)},
                \: \mu \text{ (momentum)}, \: \tau \text{ (dampening)}, \: \textit{nesterov}, \: \textit{maximize} \\
            &\textbf{for} \: t = 1 \: \textbf{to} \: \ldots \: \textbf{do} \\
            &\hspace{5mm} g_t \leftarrow \nabla_\theta f_t(\theta_{t-1})
                \quad (-\nabla_\theta f_t(\theta_{t-1}) \text{ if maximize}) \\
            &\hspace{5mm} \textbf{if} \: \lambda \neq 0: \: g_t \leftarrow g_t + \lambda \theta_{t-1} \\
            &\hspace{5mm} \textbf{if} \: \mu \neq 0: \\
            &\hspace{10mm} b_t \leftarrow g_t \: \text{ if } t = 1, \: \text{ else } \: \mu b_{t-1} + (1 - \tau) g_t \\
            &\hspace{10mm} g_t \leftarrow g_t + \mu b_t \: \text{ if nesterov, else } \: b_t \\
            &\hspace{5mm} \theta_t \leftarrow \theta_{t-1} - \gamma g_t \\
        \end{aligned}

    Args:
        params (iterable): the Parameters to optimize, typically ``model.parameters()``.
        lr (float): learning rate γ ≥ 0. Default: ``1e-3``.
        momentum (float): momentum factor μ ≥ 0. Default: ``0``.
        dampening (float): dampening τ of the momentum, in [0, 1]. Default: ``0``.
        weight_decay (float): L2 penalty λ ≥ 0, added to the gradient. Default: ``0``.
        nesterov (bool): use Nesterov momentum (needs μ > 0 and τ = 0). Default: ``False``.
        maximize (bool): ascend the objective instead of descending. Default: ``False``.

    How this differs from the papers: Polyak's heavy ball (1964) and Sutskever et al. (2013) write
    v ← μv − γg, θ ← θ + v, with the learning rate *inside* the velocity. PyTorch accumulates raw gradients,
    b ← μb + g, and multiplies by γ afterwards. With a constant γ the two give identical iterates
    (v = −γb); they differ when γ changes during training: a schedule's new γ then rescales the whole
    accumulated velocity at once. The first buffer is the gradient itself, undamped. Nesterov's momentum
    in PyTorch's form steps along g + μb, the look-ahead written in terms of the current point rather than
    a gradient at θ + μv. PyTorch accepts any dampening; here it must lie in [0, 1].

    Example: fit y = 2x with one ``Linear`` unit, with and without momentum.

        >>> import numpy as np
        >>> from nncourse.nn import Linear, MSELoss
        >>> def fit(**options):
        ...     model, criterion = Linear(1, 1), MSELoss()
        ...     model.weight.data[...], model.bias.data[...] = 0.0, 0.0  # start from w = b = 0
        ...     x, y = np.array([[1.0], [2.0]]), np.array([[2.0], [4.0]])
        ...     optimizer = SGD(model.parameters(), **options)
        ...     for _ in range(50):
        ...         optimizer.zero_grad()
        ...         loss = criterion(model(x), y)
        ...         model.backward(criterion.backward())
        ...         optimizer.step()
        ...     return loss
        >>> round(fit(lr=0.1), 4), round(fit(lr=0.1, momentum=0.7), 4)  # the loss after 50 steps
        (0.0191, 0.0004)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False):
        where = "SGD"
        check_number(lr, "lr", where)
        check_number(momentum, "momentum", where)
        check_number(dampening, "dampening", where, high=1.0)
        check_number(weight_decay, "weight_decay", where)
        check_flag(nesterov, "nesterov", where)
        check_flag(maximize, "maximize", where)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(
                f"{where}: Nesterov momentum requires momentum > 0 and dampening = 0, "
                f"got momentum={momentum!r} and dampening={dampening!r}"
            )
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize}
        super().__init__(params, defaults)

    def step(self):
        """Perform a single update of every parameter that has a gradient, in place."""
        for group in self.param_groups:
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            for p in self._params_with_grad(group):
                g = -p.grad if group["maximize"] else p.grad
                if group["weight_decay"] != 0:
                    g = g + group["weight_decay"] * p.data
                if momentum != 0:
                    state = self.state[p]
                    if state.get("momentum_buffer") is None:
                        state["momentum_buffer"] = g.copy()  # b_1 = g_1: the first step is not damped
                    else:
                        state["momentum_buffer"] *= momentum
                        state["momentum_buffer"] += (1 - dampening) * g
                    buffer = state["momentum_buffer"]
                    g = g + momentum * buffer if group["nesterov"] else buffer
                p.data -= lr * g
