"""``AdamW``: Adam with decoupled weight decay (``torch.optim.AdamW``)."""

from nncourse.optim.adam import Adam


class AdamW(Adam):
    r"""Implements AdamW (Loshchilov & Hutter 2019): Adam whose weight decay shrinks the weights directly.

    .. math::
        \begin{aligned}
            &\theta_{t-1} \leftarrow (1 - \gamma \lambda)\, \theta_{t-1} \\
            &m_t, v_t, \hat m_t, \hat v_t \: \text{ as in Adam, from } g_t = \nabla_\theta f_t(\theta_{t-1})
                \text{ (no } \lambda\theta \text{ term)} \\
            &\theta_t \leftarrow \theta_{t-1} - \gamma \, \hat m_t / (\sqrt{\hat v_t} + \epsilon) \\
        \end{aligned}

    Adam with ``weight_decay`` adds λθ to the gradient, and the normalisation by √v̂ then divides it away
    for coordinates with large gradients: they are barely decayed. AdamW leaves the gradient alone and
    shrinks every weight by the same factor 1 − γλ per step.

    Args: as :class:`Adam`, but ``weight_decay`` defaults to ``1e-2``.

    How this differs from the paper: Loshchilov & Hutter write θ ← θ − η_t(α m̂/(√v̂ + ε) + λθ), with a
    schedule multiplier η_t separate from the learning rate α, so the decay is η_t λ. PyTorch multiplies
    the decay by the learning rate itself, (1 − γλ): λ = 1e-2 with γ = 1e-3 shrinks by only 1e-5 per step,
    and changing γ changes the effective decay too.

    Example: a zero gradient still shrinks the weights, by exactly 1 − γλ.

        >>> import numpy as np
        >>> from nncourse.nn import Parameter
        >>> p = Parameter(np.array([1.0, -2.0]))
        >>> p.grad[:] = 0.0
        >>> AdamW([p], lr=0.1, weight_decay=0.5).step()
        >>> p.data.tolist()
        [0.95, -1.9]
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize, decoupled_weight_decay=True)
