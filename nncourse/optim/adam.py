"""``Adam``: momentum on the gradient, RMSprop's normalisation, and a bias correction (``torch.optim.Adam``)."""

import numpy as np

from nncourse.optim.optimizer import Optimizer, check_flag, check_number


class Adam(Optimizer):
    r"""Implements Adam (Kingma & Ba 2014), in PyTorch's form.

    .. math::
        \begin{aligned}
            &\textbf{input}: \gamma \text{ (lr)}, \: \beta_1, \beta_2 \text{ (betas)}, \: \theta_0, \: f(\theta),
                \: \lambda \text{ (weight decay)}, \: \textit{amsgrad}, \: \epsilon \\
            &\textbf{initialize}: m_0 \leftarrow 0, \: v_0 \leftarrow 0, \: v^{\max}_0 \leftarrow 0 \\
            &\textbf{for} \: t = 1 \: \textbf{to} \: \ldots \: \textbf{do} \\
            &\hspace{5mm} g_t \leftarrow \nabla_\theta f_t(\theta_{t-1}) \quad (\text{negated if maximize}) \\
            &\hspace{5mm} \textbf{if} \: \lambda \neq 0: \: g_t \leftarrow g_t + \lambda \theta_{t-1}
                \quad (\text{AdamW: } \theta_{t-1} \leftarrow (1 - \gamma\lambda) \theta_{t-1} \text{ instead}) \\
            &\hspace{5mm} m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
            &\hspace{5mm} v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
            &\hspace{5mm} \textbf{if amsgrad}: \: v^{\max}_t \leftarrow \max(v^{\max}_{t-1}, v_t),
                \: v_t \leftarrow v^{\max}_t \\
            &\hspace{5mm} \hat m_t \leftarrow m_t / (1 - \beta_1^t), \quad \hat v_t \leftarrow v_t / (1 - \beta_2^t) \\
            &\hspace{5mm} \theta_t \leftarrow \theta_{t-1} - \gamma \, \hat m_t / (\sqrt{\hat v_t} + \epsilon) \\
        \end{aligned}

    The bias correction: m and v start at 0, so after t steps of a constant gradient g, m_t = (1 − β₁ᵗ) g;
    dividing by 1 − β₁ᵗ undoes that shrinkage, and the first steps have size ≈ γ rather than ≈ γ(1 − β₁).

    Args:
        params (iterable): the Parameters to optimize.
        lr (float): learning rate γ ≥ 0. Default: ``1e-3``.
        betas (tuple[float, float]): β₁, β₂ in [0, 1), the decay rates of m and v. Default: ``(0.9, 0.999)``.
        eps (float): ε ≥ 0 added to the denominator. Default: ``1e-8``.
        weight_decay (float): λ ≥ 0; an L2 penalty added to the gradient. Default: ``0``.
        amsgrad (bool): use the running maximum of v̂ (Reddi et al. 2018). Default: ``False``.
        maximize (bool): ascend the objective instead of descending. Default: ``False``.
        decoupled_weight_decay (bool): shrink the weights directly, θ ← (1 − γλ)θ, as :class:`AdamW`.
            Default: ``False``.

    How this differs from the paper: Algorithm 1 of Kingma & Ba adds ε to √v̂ exactly as here; PyTorch
    computes the same quantity as (√v_t / √(1 − β₂ᵗ) + ε) and a step size γ/(1 − β₁ᵗ), which is the
    formula above rearranged. With amsgrad, PyTorch keeps the running maximum of the *uncorrected* v and
    divides it by the current 1 − β₂ᵗ; Reddi et al. (2018) use no bias correction at all. Weight decay as an
    L2 term in the gradient passes through the normalisation, which is why AdamW decouples it.

    Example: with bias correction the first step has size γ, whatever the gradient's scale.

        >>> import numpy as np
        >>> from nncourse.nn import Parameter
        >>> p = Parameter(np.zeros(3))
        >>> p.grad[:] = [1e3, 1.0, -1e-3]
        >>> Adam([p], lr=0.01).step()
        >>> p.data.round(6).tolist()
        [-0.01, -0.01, 0.01]
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 maximize=False, decoupled_weight_decay=False):
        where = type(self).__name__
        check_number(lr, "lr", where)
        check_number(eps, "eps", where)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{where}: betas must be a pair (beta1, beta2), got {betas!r}")
        check_number(betas[0], "betas[0]", where, high=1.0, high_open=True)
        check_number(betas[1], "betas[1]", where, high=1.0, high_open=True)
        check_number(weight_decay, "weight_decay", where)
        check_flag(amsgrad, "amsgrad", where)
        check_flag(maximize, "maximize", where)
        check_flag(decoupled_weight_decay, "decoupled_weight_decay", where)
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def step(self):
        """Perform a single update of every parameter that has a gradient, in place."""
        for group in self.param_groups:
            lr, (beta1, beta2), weight_decay = group["lr"], group["betas"], group["weight_decay"]
            for p in self._params_with_grad(group):
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = np.zeros_like(p.data)
                    state["exp_avg_sq"] = np.zeros_like(p.data)
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = np.zeros_like(p.data)
                state["step"] += 1
                t = state["step"]
                g = -p.grad if group["maximize"] else p.grad
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:
                        p.data *= 1 - lr * weight_decay
                    else:
                        g = g + weight_decay * p.data
                m, v = state["exp_avg"], state["exp_avg_sq"]
                m += (1 - beta1) * (g - m)  # = β₁ m + (1 − β₁) g, written as PyTorch's lerp
                v *= beta2
                v += (1 - beta2) * g * g
                bias_correction1 = 1 - beta1**t
                bias_correction2 = 1 - beta2**t
                if group["amsgrad"]:
                    np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
                    v = state["max_exp_avg_sq"]
                denominator = np.sqrt(v) / np.sqrt(bias_correction2) + group["eps"]
                p.data -= (lr / bias_correction1) * m / denominator
