"""``RMSprop``: steps divided by a running root-mean-square of the gradients (``torch.optim.RMSprop``)."""

import numpy as np

from nncourse.optim.optimizer import Optimizer, check_flag, check_number


class RMSprop(Optimizer):
    r"""Implements RMSprop (Tieleman & Hinton 2012), in PyTorch's form.

    .. math::
        \begin{aligned}
            &\textbf{input}: \gamma \text{ (lr)}, \: \alpha \text{ (smoothing)}, \: \theta_0, \: f(\theta),
                \: \lambda \text{ (weight decay)}, \: \mu \text{ (momentum)}, \: \textit{centered}, \: \epsilon \\
            &\textbf{initialize}: v_0 \leftarrow 0, \: b_0 \leftarrow 0, \: \bar g_0 \leftarrow 0 \\
            &\textbf{for} \: t = 1 \: \textbf{to} \: \ldots \: \textbf{do} \\
            &\hspace{5mm} g_t \leftarrow \nabla_\theta f_t(\theta_{t-1}) \quad (\text{negated if maximize}) \\
            &\hspace{5mm} \textbf{if} \: \lambda \neq 0: \: g_t \leftarrow g_t + \lambda \theta_{t-1} \\
            &\hspace{5mm} v_t \leftarrow \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
            &\hspace{5mm} \textbf{if centered}: \: \bar g_t \leftarrow \alpha \bar g_{t-1} + (1 - \alpha) g_t,
                \: d_t \leftarrow \sqrt{v_t - \bar g_t^2} + \epsilon
                \: \textbf{ else } \: d_t \leftarrow \sqrt{v_t} + \epsilon \\
            &\hspace{5mm} \textbf{if} \: \mu > 0: \: b_t \leftarrow \mu b_{t-1} + g_t / d_t, \:
                \theta_t \leftarrow \theta_{t-1} - \gamma b_t \\
            &\hspace{5mm} \textbf{else}: \: \theta_t \leftarrow \theta_{t-1} - \gamma g_t / d_t \\
        \end{aligned}

    Args:
        params (iterable): the Parameters to optimize.
        lr (float): learning rate γ ≥ 0. Default: ``1e-2``.
        alpha (float): smoothing constant α of the running average of g², in [0, 1]. Default: ``0.99``.
        eps (float): ε ≥ 0 added to the denominator. Default: ``1e-8``.
        weight_decay (float): L2 penalty λ ≥ 0, added to the gradient. Default: ``0``.
        momentum (float): momentum μ ≥ 0 applied to the normalised step. Default: ``0``.
        centered (bool): divide by an estimate of the gradient's standard deviation (v − ḡ²) rather than
            its root mean square. Default: ``False``.
        maximize (bool): ascend the objective instead of descending. Default: ``False``.

    How this differs from the source: RMSprop was never published as a paper; Hinton's lecture 6e divides
    the gradient by √(MeanSquare) with α = 0.9. PyTorch adds ε outside the root, defaults to α = 0.99,
    and adds momentum on the normalised step and the centered variant of Graves (2013). PyTorch only
    checks α ≥ 0; here α must lie in [0, 1].

    Example: steps of about γ per coordinate at first, because v₁ = (1 − α) g² makes g/√v₁ = ±1/√(1 − α).

        >>> import numpy as np
        >>> from nncourse.nn import Parameter
        >>> p = Parameter(np.zeros(2))
        >>> p.grad[:] = [50.0, -0.5]
        >>> RMSprop([p], lr=0.01, alpha=0.99).step()
        >>> p.data.round(4).tolist()  # ±0.01 / √0.01 = ±0.1
        [-0.1, 0.1]
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, *,
                 maximize=False):
        where = "RMSprop"
        check_number(lr, "lr", where)
        check_number(alpha, "alpha", where, high=1.0)
        check_number(eps, "eps", where)
        check_number(weight_decay, "weight_decay", where)
        check_number(momentum, "momentum", where)
        check_flag(centered, "centered", where)
        check_flag(maximize, "maximize", where)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    def step(self):
        """Perform a single update of every parameter that has a gradient, in place."""
        for group in self.param_groups:
            alpha, momentum = group["alpha"], group["momentum"]
            for p in self._params_with_grad(group):
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["square_avg"] = np.zeros_like(p.data)
                state["step"] += 1
                g = -p.grad if group["maximize"] else p.grad
                if group["weight_decay"] != 0:
                    g = g + group["weight_decay"] * p.data
                state["square_avg"] *= alpha
                state["square_avg"] += (1 - alpha) * g * g
                if group["centered"]:
                    grad_avg = state.setdefault("grad_avg", np.zeros_like(p.data))
                    grad_avg += (1 - alpha) * (g - grad_avg)  # = α ḡ + (1 − α) g, written as PyTorch's lerp
                    denominator = np.sqrt(state["square_avg"] - grad_avg**2) + group["eps"]
                else:
                    denominator = np.sqrt(state["square_avg"]) + group["eps"]
                if momentum > 0:
                    buffer = state.setdefault("momentum_buffer", np.zeros_like(p.data))
                    buffer *= momentum
                    buffer += g / denominator
                    p.data -= group["lr"] * buffer
                else:
                    p.data -= group["lr"] * g / denominator
