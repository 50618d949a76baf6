# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 5 — Backpropagation
#
# A network with a hundred thousand weights needs a hundred thousand partial derivatives at every training
# step. Computing each one separately, by nudging one weight and re-running the network, would cost a
# hundred thousand forward passes. **Backpropagation** computes all of them at once, for the price of a small
# constant number of forward passes, whatever the number of weights. It is nothing more than the chain rule
# of calculus, applied in the right order: from the loss back towards the input, reusing every intermediate
# result. In this chapter we do it by hand, check it numerically (and learn when a check lies), measure what
# it costs in time and memory, automate it with a small autograd engine whose core you write yourself,
# train a digit classifier with it, and watch it fail in deep networks, gradients vanishing or exploding,
# and see what repairs it.
#
# **Learning objectives.** After this chapter you can
# 1. apply the chain rule on a computational graph, forwards for values and backwards for gradients;
# 2. write the forward and backward pass of a multi-layer network with deltas, in vector and batched form;
# 3. derive the gradients of MSE, binary cross-entropy and softmax cross-entropy, and explain why
#    cross-entropy is maximum likelihood;
# 4. verify any backward pass with a numerical gradient check, recognise a failing one, and tell a bug
#    from a kink;
# 5. explain why backpropagation costs a small constant times a forward pass, while numerical
#    differentiation costs one forward pass per parameter; why *reverse* mode suits a scalar loss; and what
#    the stored activations cost in memory (and how checkpointing trades it for time);
# 6. write the core of a reverse-mode autograd engine (its topological sort and backward loop) and add an
#    operation to it;
# 7. see why gradients vanish in deep sigmoid networks, explode with too-large weights, and how clipping and
#    skip connections help.
#
# **Prerequisites.** Chapter 2 (activation functions and their derivatives), Chapters 3–4 (multi-layer
# perceptrons, `nncourse.nn` layers, losses and gradient descent); the chain rule for functions of several
# variables; matrix products in NumPy.
#
# **Estimated time.** 3–4 hours, exercises included.

# %%
import inspect
import time
import tracemalloc

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

import nncourse
import nncourse.plot
from nncourse import autograd, gradcheck, nn
from nncourse import functional as F
from nncourse.plot import COLORS

_ = nncourse.manual_seed(0)

# %% [markdown]
# ## 1. The chain rule on a tiny expression
#
# Take one sigmoid neuron with one input and a squared error:
#
# $$z = w x + b, \qquad a = \sigma(z), \qquad L = (a - y)^2 .$$
#
# The **forward pass** evaluates the expressions from left to right. The **backward pass** asks how $L$
# changes with each quantity, starting from $\partial L/\partial L = 1$ and going right to left, multiplying
# by one *local* derivative per step (the chain rule):
#
# $$\frac{\partial L}{\partial a} = 2(a - y), \qquad
#   \frac{\partial L}{\partial z} = \frac{\partial L}{\partial a}\,\sigma'(z)
#   = \frac{\partial L}{\partial a}\,a(1-a), \qquad
#   \frac{\partial L}{\partial w} = \frac{\partial L}{\partial z}\,x, \quad
#   \frac{\partial L}{\partial b} = \frac{\partial L}{\partial z}, \quad
#   \frac{\partial L}{\partial x} = \frac{\partial L}{\partial z}\,w .$$
#
# Notice that $\partial L/\partial z$ is computed once and then reused for $w$, $b$ and $x$. That reuse is
# the whole trick of backpropagation.

# %% tags=["nbval-check-output"]
x, w, b, y = 1.5, 0.8, -0.5, 1.0

# forward, left to right
z = w * x + b
a = 1 / (1 + np.exp(-z))
L = (a - y) ** 2

# backward, right to left: one local derivative per step
dL_da = 2 * (a - y)
dL_dz = dL_da * a * (1 - a)
dL_dw, dL_db, dL_dx = dL_dz * x, dL_dz, dL_dz * w

print(f"forward:  z = {z:.3g}, a = {a:.3g}, L = {L:.3g}")
print(f"backward: dL/da = {dL_da:.3g}, dL/dz = {dL_dz:.3g}, dL/dw = {dL_dw:.3g}, dL/db = {dL_db:.3g}, "
      f"dL/dx = {dL_dx:.3g}")

# %% [markdown]
# The autograd engine of this course, `nncourse.autograd`, records the same expression as a graph while it
# computes it, and `L.backward()` walks the graph backwards. The drawing shows every node with its forward
# value (middle) and its gradient $\partial L/\partial(\text{node})$ (bottom); the nodes $z$ and $a$ carry the
# names of the equations. Read it right to left and you replay the hand computation above: $z$'s gradient is
# computed once and handed to $w$, $b$ and (through the product) $x$.

# %% tags=["nbval-check-output"]
from nncourse.autograd import Tensor

xt = Tensor(x, requires_grad=True, dtype=np.float64, label="x")
wt = Tensor(w, requires_grad=True, dtype=np.float64, label="w")
bt = Tensor(b, requires_grad=True, dtype=np.float64, label="b")
yt = Tensor(y, dtype=np.float64, label="y")
zt = wt * xt + bt
zt.label = "z"
at = zt.sigmoid()
at.label = "a"
Lt = (at - yt) ** 2
Lt.label = "L"
Lt.backward()
print("engine agrees with the hand computation:",
      np.allclose([wt.grad, bt.grad, xt.grad], [dL_dw, dL_db, dL_dx], rtol=1e-12))

# %%
fig, ax = plt.subplots(figsize=(9, 3.2))
nncourse.plot.draw_graph(Lt, ax=ax)
ax.set_title("The forward pass fills in values left to right; the backward pass, gradients right to left")
plt.show()

# %% [markdown]
# **Three gates worth knowing by heart** (the patterns of cs231n's notes). Each node passes the gradient it
# receives to its inputs, multiplied by its local derivative, and three gates do it in a way you can read at
# a glance:
#
# - an **add** gate *distributes*: $\partial(u+v)/\partial u = \partial(u+v)/\partial v = 1$, so both inputs
#   receive the upstream gradient unchanged;
# - a **multiply** gate *swaps*: $\partial(uv)/\partial u = v$, so each input receives the upstream gradient
#   times the *other* input (a large input makes its partner's gradient large);
# - a **max** gate *routes*: the whole gradient goes to the input that won, none to the other (ReLU is
#   $\max(z, 0)$: it routes to $z$ only where $z > 0$).
#
# On cs231n's example $f = 2\,(xy + \max(z, w))$ at $x = 3,\ y = -4,\ z = 2,\ w = -1$:

# %% tags=["nbval-check-output"]
xg, yg, zg, wg = (Tensor(v, requires_grad=True, dtype=np.float64, label=n)
                  for v, n in ((3.0, "x"), (-4.0, "y"), (2.0, "z"), (-1.0, "w")))
product, winner = xg * yg, zg.maximum(wg)
product.label, winner.label = "xy", "max"
f = (product + winner) * 2.0
f.backward()
print(f"add distributes: ∂f/∂(xy) = {product.grad:.3g} and ∂f/∂max = {winner.grad:.3g}, both the upstream 2")
print(f"multiply swaps:  ∂f/∂x = 2·y = {xg.grad:.3g}, ∂f/∂y = 2·x = {yg.grad:.3g}")
print(f"max routes:      ∂f/∂z = {zg.grad:.3g} (z = 2 won), ∂f/∂w = {wg.grad:.3g}")

# %% [markdown]
# ## 2. A two-layer network, forward and backward, with deltas
#
# Now the quantities are vectors and matrices. With the course notation, layer $l$ computes
#
# $$z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}, \qquad a^{(l)} = \sigma(z^{(l)}), \qquad a^{(0)} = x,$$
#
# for $l = 1, \dots, K$, and the loss $L$ depends on the last activation $a^{(K)}$. (The network has $K$
# layers; the letter $L$ is kept for the loss, throughout the course.) The **delta** of a layer is the gradient of the
# loss with respect to its pre-activation, $\delta^{(l)} = \partial L / \partial z^{(l)}$. The chain rule,
# applied once per layer, gives the three equations of backpropagation:
#
# $$\delta^{(K)} = \frac{\partial L}{\partial a^{(K)}} \odot \sigma'(z^{(K)}), \qquad
#   \delta^{(l)} = \big(W^{(l+1)\top} \delta^{(l+1)}\big) \odot \sigma'(z^{(l)}), \qquad
#   \frac{\partial L}{\partial W^{(l)}} = \delta^{(l)} a^{(l-1)\top}, \quad
#   \frac{\partial L}{\partial b^{(l)}} = \delta^{(l)} .$$
#
# Read them as: the error signal at the output is "how wrong" times "how sensitive the output unit is";
# it travels down through the *transposed* weights (each unit collects the blame of the units it feeds,
# weighted by the connection), and is scaled by each unit's own sensitivity $\sigma'$. A weight's gradient
# is the delta of the unit it feeds times the activation that flows through it (an outer product).
#
# **Batched, row-major form (what the code does).** With a batch of $N$ samples as the rows of $X$ (as in
# PyTorch), $Z^{(l)} = A^{(l-1)} W^{(l)\top} + b^{(l)}$, and the deltas become $N \times n_l$ matrices
# $\Delta^{(l)}$:
#
# $$\Delta^{(K)} = \frac{\partial L}{\partial A^{(K)}} \odot \sigma'(Z^{(K)}), \qquad
#   \Delta^{(l)} = \big(\Delta^{(l+1)} W^{(l+1)}\big) \odot \sigma'(Z^{(l)}), \qquad
#   \frac{\partial L}{\partial W^{(l)}} = \Delta^{(l)\top} A^{(l-1)}, \quad
#   \frac{\partial L}{\partial b^{(l)}} = \textstyle\sum_{n} \Delta^{(l)}_{n,:} .$$
#
# The matrix product $\Delta^{(l)\top} A^{(l-1)}$ sums the per-sample outer products over the batch; the
# loss's $1/N$ (for a mean) already sits inside $\partial L/\partial A^{(K)}$.
#
# Here is the whole thing written out for a network with one hidden layer, sigmoid everywhere, and the
# mean squared error $L = \frac{1}{N n_2}\sum (A^{(2)} - Y)^2$ (PyTorch's `MSELoss` averages over every
# element):

# %%
def two_layer_forward_backward(X, Y, W1, b1, W2, b2):
    """Loss and gradients (dW1, db1, dW2, db2) of a sigmoid-sigmoid network with the mean squared error."""
    # forward: keep what the backward pass needs
    Z1 = X @ W1.T + b1
    A1 = F.sigmoid(Z1)
    Z2 = A1 @ W2.T + b2
    A2 = F.sigmoid(Z2)
    loss = np.mean((A2 - Y) ** 2)
    # backward: deltas from the output down
    dL_dA2 = 2 * (A2 - Y) / Y.size         # the mean's 1/N lives here
    D2 = dL_dA2 * A2 * (1 - A2)            # δ(2) = ∂L/∂a(2) ⊙ σ'(z(2)),  σ' = σ(1 − σ)
    dW2, db2 = D2.T @ A1, D2.sum(axis=0)   # ∂L/∂W(2) = δ(2) a(1)ᵀ, summed over the batch
    D1 = (D2 @ W2) * A1 * (1 - A1)         # δ(1) = (W(2)ᵀ δ(2)) ⊙ σ'(z(1))
    dW1, db1 = D1.T @ X, D1.sum(axis=0)    # ∂L/∂W(1) = δ(1) a(0)ᵀ
    return loss, (dW1, db1, dW2, db2)


rng = np.random.default_rng(1)
X = rng.normal(size=(8, 3))
Y = rng.uniform(size=(8, 2))
model = nn.Sequential(nn.Linear(3, 4, dtype=np.float64, rng=rng), nn.Sigmoid(),
                      nn.Linear(4, 2, dtype=np.float64, rng=rng), nn.Sigmoid())
W1, b1, W2, b2 = (p.data for p in model.parameters())
loss_by_hand, grads_by_hand = two_layer_forward_backward(X, Y, W1, b1, W2, b2)

# %% [markdown]
# The same network built from `nncourse.nn` layers, whose `backward` methods contain exactly these lines,
# split layer by layer (`Linear.backward` is the $\Delta^\top A$ and $\Delta W$ part, `Sigmoid.backward` the
# $\odot\,\sigma'$ part), and PyTorch's autograd must agree:

# %% tags=["nbval-check-output"]
import torch

criterion = nn.MSELoss()
model.zero_grad()
loss_nn = criterion(model(X), Y)
model.backward(criterion.backward())
grads_nn = [p.grad for p in model.parameters()]

params_t = [torch.tensor(p, requires_grad=True) for p in (W1, b1, W2, b2)]
A1_t = torch.sigmoid(torch.tensor(X) @ params_t[0].T + params_t[1])
A2_t = torch.sigmoid(A1_t @ params_t[2].T + params_t[3])
torch.nn.functional.mse_loss(A2_t, torch.tensor(Y)).backward()
grads_torch = [p.grad.numpy() for p in params_t]

names = ["dW1", "db1", "dW2", "db2"]
for name, g_hand, g_nn, g_t in zip(names, grads_by_hand, grads_nn, grads_torch, strict=True):
    print(f"{name}: by hand = nncourse.nn: {np.allclose(g_hand, g_nn, rtol=1e-12, atol=0)}, "
          f"= PyTorch: {np.allclose(g_hand, g_t, rtol=1e-12, atol=0)}")

# %% [markdown]
# ## 3. Loss functions and their gradients
#
# The backward pass starts with $\partial L/\partial \hat y$, the gradient of the loss with respect to the
# prediction. Three losses cover most of practice. With a mean over $N$ samples:
#
# - **Mean squared error** (regression): $L = \frac1N \sum_n (\hat y_n - y_n)^2$, with gradient
#   $\partial L/\partial \hat y_n = \frac2N(\hat y_n - y_n)$.
# - **Binary cross-entropy** on a probability $p = \sigma(z)$:
#   $L = -\frac1N \sum_n \big[y_n \log p_n + (1-y_n)\log(1-p_n)\big]$, with gradient
#   $\partial L/\partial p_n = \frac1N\frac{p_n - y_n}{p_n(1-p_n)}$, so that on the logit
#   $\partial L/\partial z_n = \frac1N(p_n - y_n)$.
# - **Softmax + cross-entropy** with $p = \mathrm{softmax}(z)$: $L = -\frac1N \sum_n \log p_{n, y_n}$, with
#   gradient $\partial L/\partial z_n = \frac1N\big(p_n - \mathrm{onehot}(y_n)\big)$.
#
# **The softmax gradient, derived.** For one sample with logits $z$ and class $y$,
# $L = -\log p_y = -z_y + \log\sum_j e^{z_j}$. Differentiating,
# $\partial L/\partial z_k = -[k = y] + e^{z_k}/\sum_j e^{z_j} = p_k - [k=y]$: prediction minus target.
# The sigmoid's $\sigma'$ cancels in the same way in binary cross-entropy: $\frac{p-y}{p(1-p)}\cdot p(1-p)$.
#
# **Why cross-entropy? It is maximum likelihood.** A classifier that outputs probabilities
# $p_\theta(y \mid x)$ assigns the training labels the likelihood $\prod_n p_\theta(y_n \mid x_n)$ (samples
# independent). Maximising it is the same as minimising the mean negative log-likelihood
# $-\frac1N\sum_n \log p_\theta(y_n \mid x_n)$, which is exactly the cross-entropy between the one-hot
# labels and the predictions. (Likewise, the squared error is the negative log-likelihood of a Gaussian
# noise model $y = \hat y + \varepsilon$, up to constants.) So cross-entropy is not an arbitrary choice: its
# expected value is smallest when the predicted probabilities equal the true ones, so minimising it pushes
# the network's outputs towards honest probabilities.
#
# **Why not the squared error on a sigmoid?** Its gradient keeps the factor $\sigma'(z)$, which is nearly
# zero when the neuron is confidently wrong. Cross-entropy cancels it. For a neuron with logit $z = -6$
# whose target is $y = 1$ (very wrong):

# %% tags=["nbval-check-output"]
z_wrong = np.array([[-6.0]])
target = np.array([[1.0]])
p_wrong = F.sigmoid(z_wrong)

mse = nn.MSELoss()
mse(p_wrong, target)
grad_mse_z = mse.backward() * F.sigmoid_grad(z_wrong)   # through the sigmoid: ⊙ σ'(z)

bce = nn.BCEWithLogitsLoss()
bce(z_wrong, target)
grad_bce_z = bce.backward()

print(f"p = {p_wrong.item():.3g}: dL/dz with MSE = {grad_mse_z.item():.3g}, "
      f"with binary cross-entropy = {grad_bce_z.item():.3g}")

# %% [markdown]
# With the squared error the gradient is about two hundred times smaller than with cross-entropy, exactly
# when the neuron most needs to learn: a sigmoid output trained with MSE can sit in the wrong saturated
# state for a long time.
#
# ## 4. Checking a backward pass numerically
#
# A backward pass with a bug usually still runs and still lowers the loss a little, so bugs hide. The
# remedy is the **gradient check**: compare the analytic gradient with a numerical one from the central
# difference
#
# $$\frac{\partial f}{\partial \theta_i} \approx \frac{f(\theta + h e_i) - f(\theta - h e_i)}{2h},$$
#
# whose truncation error shrinks like $h^2$, while its rounding error grows like
# $\varepsilon_\text{mach}|f|/h$ ($\varepsilon_\text{mach} \approx 10^{-16}$ in float64, $10^{-7}$ in float32).
# With $h = 10^{-6}$ in float64 the truncation error is around $10^{-12}$ or less and the rounding error
# around $10^{-10}$ (for $|f|$ of order one): rounding dominates, and a correct backward pass still agrees with
# the difference to seven digits or more (the float32 story is at the end of this section). We compare them
# entry by entry with the relative error $|g_i - \tilde g_i| / \max(|g_i|, |\tilde g_i|)$ and take the worst
# entry: `nncourse.gradcheck` calls a maximum below $10^{-7}$ **exact**, below $10^{-4}$ **close** (some
# gradient entries so small that rounding dominates) and anything else **wrong**: a bug, or a kink (below).
# `gradcheck_module(module, x)`
# checks the input gradient that `backward` returns and every parameter's `.grad`, for the scalar
# $\sum \text{module}(x) \odot G$ with a random $G$, so that every output entry counts.
#
# Every backward pass in `nncourse.nn` is one of the derivations of this chapter: `Linear.backward` is
# Section 2's $\partial L/\partial W = G^\top A$, $\partial L/\partial b = \sum_n G_n$,
# $\partial L/\partial A = G W$; each activation's is `grad_output * f'(z)` with the derivative from
# Chapter 2 (the $\odot\,\sigma'(z)$ of the delta recursion); each loss's is the gradient of Section 3.
# All of them, checked:

# %% tags=["nbval-check-output"]
rng = np.random.default_rng(2)
x64 = rng.normal(size=(6, 4))
layers = [nn.Linear(4, 3, dtype=np.float64, rng=rng), nn.Sigmoid(), nn.Tanh(), nn.ReLU(), nn.LeakyReLU(0.1),
          nn.GELU(), nn.SiLU(),
          nn.Sequential(nn.Linear(4, 5, dtype=np.float64, rng=rng), nn.Tanh(),
                        nn.Linear(5, 2, dtype=np.float64, rng=rng))]
for layer in layers:
    report = gradcheck.gradcheck_module(layer, x64)
    verdicts = ", ".join(f"{row['name']} {row['verdict']}" for row in report.rows)
    print(f"{type(layer).__name__:>10}: {verdicts}")

logits, classes = rng.normal(size=(6, 3)), rng.integers(0, 3, size=6)
probabilities, labels = rng.uniform(0.05, 0.95, size=(6, 1)), rng.integers(0, 2, size=(6, 1)).astype(float)
losses = [(nn.MSELoss(), x64[:, :3], logits), (nn.BCELoss(), probabilities, labels),
          (nn.BCEWithLogitsLoss(), logits[:, :1], labels), (nn.CrossEntropyLoss(), logits, classes)]
for criterion, prediction, target in losses:
    report = gradcheck.gradcheck_loss(criterion, prediction, target)
    print(f"{type(criterion).__name__:>17}: prediction {report.rows[0]['verdict']}")

# %% [markdown]
# The report itself is a table with the errors (rounding noise, around $10^{-8}$ relative, which varies from
# machine to machine):

# %%
gradcheck.gradcheck_module(layers[-1], x64)

# %% [markdown]
# **A bug the check catches.** Here is a sigmoid whose backward forgets the factor $(1 - \sigma)$, a
# slip that is easy to make and that still lets a network train, slowly and wrongly. `gradcheck_function`
# takes a plain function with its hand-written `backward(grad_output, *inputs)`:

# %% tags=["nbval-check-output"]
def sigmoid_backward_buggy(grad_output, z):
    return grad_output * F.sigmoid(z)              # BUG: σ'(z) is σ(z)(1 − σ(z))


def sigmoid_backward_fixed(grad_output, z):
    return grad_output * F.sigmoid(z) * (1 - F.sigmoid(z))


z64 = rng.normal(size=(5, 3))
sigmoid_reports = {backward.__name__: gradcheck.gradcheck_function(F.sigmoid, backward, z64)
                   for backward in (sigmoid_backward_buggy, sigmoid_backward_fixed)}
for name, report in sigmoid_reports.items():
    print(f"{name}: {report['x']['verdict']}")

# %%
for name, report in sigmoid_reports.items():
    print(f"{name}: max relative error {report.max_rel_error:.1e}")

# %% [markdown]
# The buggy version's worst entry is off by about 90 %; the fixed one agrees to about eight digits
# (rounding noise, which varies from machine to machine). Nearly eight orders of magnitude apart:
# there is no grey zone. Run a gradient check every time you write a backward pass, on small float64
# inputs. (It is a *test*, never a training method: the next section shows why.)
#
# **A kink: a "wrong" verdict for a right backward pass.** ReLU has no derivative at 0; we (like PyTorch)
# use the slope 0 there and 1 for $z > 0$. When an input lies within $h$ of the kink, $z \pm h$ straddles it
# and the central difference averages the two slopes. At $z = 3 \times 10^{-7}$ with $h = 10^{-6}$ it gives
# $(z + h - 0)/(2h) = 0.65$ where the backward pass, correctly, says 1:

# %% tags=["nbval-check-output"]
def relu_backward(grad_output, z):
    return grad_output * (z > 0)


at_kink = gradcheck.gradcheck_function(F.relu, relu_backward, np.array([3e-7]))
print(f"ReLU at z = 3e-7: {at_kink['x']['verdict']}, relative error {at_kink.max_rel_error:.2f}")

# %% [markdown]
# In a network it happens whenever one pre-activation of one sample lands within $h$ of zero. We place one
# there on purpose (a bias shifted so that $z_{1,1} = 4 \times 10^{-7}$) in a small ReLU network that checks
# **exact** otherwise:

# %% tags=["nbval-check-output"]
rng = np.random.default_rng(4)
x_kink = rng.normal(size=(6, 4))
relu_net = nn.Sequential(nn.Linear(4, 5, dtype=np.float64, rng=rng), nn.ReLU(),
                         nn.Linear(5, 2, dtype=np.float64, rng=rng))


def verdicts(report):
    """Each array's verdict, with the relative error of the wrong ones (the others' are rounding noise)."""
    return ", ".join(f"{row['name']} {row['verdict']}" + (f" ({row['max_rel_error']:.0e})" if row["verdict"] == "wrong"
                                                          else "") for row in report.rows)


print("as drawn:       ", verdicts(gradcheck.gradcheck_module(relu_net, x_kink)))
first_layer = relu_net[0]
first_layer.bias.data[0] -= first_layer(x_kink)[0, 0] - 4e-7   # z of sample 0, unit 0 is now 4e-7
print("one z near zero:", verdicts(gradcheck.gradcheck_module(relu_net, x_kink)))

# %% [markdown]
# Errors of several percent on every array that the kinked unit's gradient reaches (the input and the first
# layer; the last layer's gradients do not pass through it), with a backward pass that is right. A bug and
# a kink look the same in the verdict; three steps tell them apart:
#
# 1. **Look for pre-activations within $h$ of a kink** (ReLU's 0, the tie of a max, abs at 0). If there are
#    none, it is a bug.
# 2. **Move off the kink**: check again with a smaller step, $h$ below the distance to the kink, or at a
#    point nudged away from it. A kink's error disappears; a bug's stays.
# 3. **Check the pieces alone** (each layer with `gradcheck_module`, as above): a bug stays in its layer.
#
# (cs231n's notes add a cheaper trick: record, in the forward pass, whether any kink was crossed between
# $f(x+h)$ and $f(x-h)$.)

# %% tags=["nbval-check-output"]
pre_activations = first_layer(x_kink)
near = np.argwhere(np.abs(pre_activations) < 1e-6)
print(f"1. pre-activations within h = 1e-6 of 0: {len(near)}, at (sample, unit) {near.tolist()}")
small_h = gradcheck.gradcheck_module(relu_net, x_kink, eps=1e-8)
print("2. the same check with h = 1e-8, below the distance 4e-7, has no 'wrong' verdict:", small_h.ok)

# %% [markdown]
# **Why float64.** The same check in float32, on a smooth function ($\sum_i g_i \tanh x_i$ over 50 entries),
# for several steps $h$, against float64:

# %%
def worst_relative_error(dtype, h, n=50):
    """Max relative error of central differences of Σ g·tanh(x) in the given dtype, against the exact gradient."""
    rng = np.random.default_rng(7)
    x, g = rng.normal(size=n), rng.normal(size=n)
    exact = g * (1 - np.tanh(x) ** 2)
    x, g = x.astype(dtype), g.astype(dtype)
    numerical = np.empty(n)
    for i in range(n):
        plus, minus = x.copy(), x.copy()
        plus[i] += dtype(h)
        minus[i] -= dtype(h)
        step = float(plus[i]) - float(minus[i])
        numerical[i] = (float(np.sum(g * np.tanh(plus))) - float(np.sum(g * np.tanh(minus)))) / step
    return gradcheck.relative_error(exact, numerical).max()


for h in (1e-1, 1e-2, 1e-3, 1e-4, 1e-6):
    print(f"h = {h:.0e}: float32 {worst_relative_error(np.float32, h):.0e}, "
          f"float64 {worst_relative_error(np.float64, h):.0e}")

# %% [markdown]
# In float32 the step $h = 10^{-6}$ that suits float64 is meaningless: $x \pm h$ rounds to a neighbour of
# $x$ and the worst error is of order one. A larger step helps: near $h = 10^{-2}$, where rounding
# ($\approx 10^{-7}|f|/h$) and truncation ($\approx h^2$) balance, float32 agrees to two or three digits,
# which cannot separate a subtle bug from noise (and a large $h$ meets more kinks). Float64 with $h$ between
# $10^{-4}$ and $10^{-6}$ agrees to seven digits or more. That is why `nncourse.gradcheck` refuses float32
# arrays, and why every layer takes `dtype=np.float64`.
#
# ## 5. What backpropagation costs
#
# Count the work in one `Linear` layer with a batch of $N$ rows, $n_\text{in}$ inputs and $n_\text{out}$
# outputs. The forward pass is one matrix product, $A W^\top$: $N n_\text{in} n_\text{out}$ multiply-adds.
# The backward pass is two, $G^\top A$ for the weights and $G W$ for the input: twice as many. Activations
# and losses cost a few operations per entry either way. So **one backward pass costs about twice one
# forward pass**, whatever the size of the network, and gives *all* the partial derivatives. (This is the
# "cheap gradient principle" of reverse-mode automatic differentiation.)
#
# Numerical differentiation needs two forward passes *per parameter*: $2P$ forward passes for $P$
# parameters, so for a network of a given size it costs about $2P$ times a forward pass. When the matrix
# products dominate, a forward pass itself costs about $P$ multiply-adds per sample, and the total grows like
# $P^2$; for small networks, where a forward pass costs mostly fixed per-call overheads, it grows like $P$.
# Let us measure both. (Timings vary from run to run and machine to machine; the ratios are what matters.)

# %%
def best_time(fn, repeats=5):
    """The fastest of a few runs of fn(), in seconds: the least disturbed by other programs."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def forward_backward_times(model, x, y):
    """Best times of one forward pass (with the loss) and one backward pass of model on the batch (x, y)."""
    criterion = nn.CrossEntropyLoss()
    criterion(model(x), y)  # one forward pass fills the caches that the backward pass reads
    return (best_time(lambda: criterion(model(x), y)),
            best_time(lambda: model.backward(criterion.backward())))


rng = np.random.default_rng(3)
widths = [64, 128, 256, 512]
forward_times, backward_times, param_counts = [], [], []
for width in widths:
    mlp = nn.Sequential(nn.Linear(width, width, rng=rng), nn.ReLU(),
                        nn.Linear(width, width, rng=rng), nn.ReLU(), nn.Linear(width, 10, rng=rng))
    t_forward, t_backward = forward_backward_times(
        mlp, rng.normal(size=(256, width)).astype(np.float32), rng.integers(0, 10, size=256))
    forward_times.append(t_forward)
    backward_times.append(t_backward)
    param_counts.append(sum(p.data.size for p in mlp.parameters()))

ratios = np.array(backward_times) / np.array(forward_times)
for width, P, ratio in zip(widths, param_counts, ratios, strict=True):
    print(f"width {width:4d} ({P:7,d} parameters): backward / forward = {ratio:.1f}")

# %% [markdown]
# Now numerical differentiation of small networks, every parameter nudged up and down
# (`nncourse.gradcheck.numerical_gradient`, float64), against one backward pass of the same network:

# %%
def numerical_and_backprop_times(model, x, y):
    """Best times of the numerical gradient of every parameter and of one forward + backward pass."""
    criterion = nn.CrossEntropyLoss()
    t_numerical = best_time(lambda: gradcheck.numerical_gradient(lambda *_: criterion(model(x), y),
                                                                 *[p.data for p in model.parameters()]), repeats=3)

    def forward_and_backward():
        criterion(model(x), y)
        model.backward(criterion.backward())

    return t_numerical, best_time(forward_and_backward)


numerical_times, backprop_times, small_counts = [], [], []
for width in [2, 4, 8, 16, 24]:
    small = nn.Sequential(nn.Linear(8, width, dtype=np.float64, rng=rng), nn.ReLU(),
                          nn.Linear(width, width, dtype=np.float64, rng=rng), nn.ReLU(),
                          nn.Linear(width, 3, dtype=np.float64, rng=rng))
    t_numerical, t_backprop = numerical_and_backprop_times(small, rng.normal(size=(32, 8)),
                                                           rng.integers(0, 3, size=32))
    numerical_times.append(t_numerical)
    backprop_times.append(t_backprop)
    small_counts.append(sum(p.data.size for p in small.parameters()))

slope = np.polyfit(np.log(small_counts), np.log(numerical_times), 1)[0]
print(f"{small_counts[-1]} parameters: numerical differentiation takes "
      f"{numerical_times[-1] / backprop_times[-1]:.0f} times as long as forward + backward")
print(f"numerical time ∝ P^{slope:.1f} from {small_counts[0]} to {small_counts[-1]} parameters")

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=nncourse.plot.SIZES["wide"])
ax1.loglog(param_counts, forward_times, "o-", color=COLORS["train"], label="forward")
ax1.loglog(param_counts, backward_times, "s-", color=COLORS["validation"], label="backward")
ax1.set(xlabel="number of parameters", ylabel="seconds per pass (batch of 256)",
        title="Backward costs a small constant times forward")
ax1.legend()
ax2.loglog(small_counts, numerical_times, "o-", color=COLORS["highlight"],
           label="numerical (2P forward passes)")
ax2.loglog(small_counts, backprop_times, "s-", color=COLORS["model"], label="backprop (forward + backward)")
P_guide = np.array([small_counts[0], small_counts[-1]], dtype=float)
for power, style in ((1, "--"), (2, ":")):
    ax2.loglog(P_guide, numerical_times[0] * (P_guide / P_guide[0]) ** power, style, color=COLORS["neutral"],
               lw=1, label=f"guide ∝ P{'²' if power == 2 else ''}")
ax2.set(xlabel="number of parameters P", ylabel="seconds for the full gradient",
        title=f"The numerical gradient's cost grows with P (fitted slope {slope:.1f})")
ax2.legend(loc="upper left", fontsize=8)
for ax in (ax1, ax2):
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
plt.show()

# %% [markdown]
# On the left both lines rise together: the backward pass stays within a small constant factor of the
# forward pass at every size (the printed ratios vary from run to run and machine to machine, typically
# between about 0.5 and 2). The operation count predicts 2, but our forward pass does more than its matrix
# products: it validates its inputs (a finiteness check on every array) and applies the activations, while
# the backward pass of ReLU is a single multiplication, so the measured ratio often comes out nearer 1.
#
# On the right the numerical gradient's time follows the dashed guide ∝ $P$ (the fitted slope is printed
# above; on a busy machine it wanders), not the dotted ∝ $P^2$: these networks are so small that one forward
# pass costs about the same whatever their width (NumPy's per-call overheads dominate), so $2P$ passes cost
# $\propto P$. Backpropagation's time stays flat and tiny. Either way, for a network of a million parameters
# the numerical gradient would cost two million forward passes per training step, against one backward pass.
#
# ### Why *reverse* mode: vector–Jacobian products
#
# The chain rule can be applied in either direction. Write the network as a composition
# $\theta \mapsto L$ with Jacobians $J_1, \dots, J_K$ (one per step). The derivative of the whole is the
# product $J_K \cdots J_2 J_1$, and matrix products can be evaluated from either end:
#
# - **forward mode** pushes a *tangent* $v$ (a direction in parameter space) along with the values,
#   $J_K(\cdots(J_1 v))$: a **Jacobian–vector product** (JVP), one directional derivative $dL[v]$ per pass.
#   The full gradient of $P$ parameters needs $P$ passes, one per direction $e_i$ (like numerical
#   differentiation, but exact).
# - **reverse mode** pulls a *cotangent* back from the output, $((u^\top J_K)\cdots)J_1$: a
#   **vector–Jacobian product** (VJP). With $u = \partial L/\partial L = 1$, one pass gives the gradient with
#   respect to *every* parameter. Each `backward(grad_output)` in `nncourse.nn` is exactly one VJP: it receives
#   $u^\top$ for its output and returns $u^\top J$ for its input, never forming the Jacobian.
#
# For $f: \mathbb R^n \to \mathbb R^m$ the full Jacobian costs $n$ JVPs or $m$ VJPs. A loss has $m = 1$ and
# $n = P$ in the millions, so reverse mode wins by a factor of $P$; forward mode wins when there are few
# inputs and many outputs (the sensitivity of a whole simulation to two parameters). Here is forward mode
# for Section 2's network, the tangents pushed through by hand next to the values:

# %% tags=["nbval-check-output"]
def two_layer_loss_jvp(X, Y, params, tangents):
    """Forward mode: the loss of Section 2's network and its directional derivative dL[v] along the
    tangents v = (dW1, db1, dW2, db2), each pushed through next to its value (product rule at each step)."""
    W1, b1, W2, b2 = params
    dW1, db1, dW2, db2 = tangents
    Z1, dZ1 = X @ W1.T + b1, X @ dW1.T + db1
    A1 = F.sigmoid(Z1)
    dA1 = A1 * (1 - A1) * dZ1
    Z2, dZ2 = A1 @ W2.T + b2, dA1 @ W2.T + A1 @ dW2.T + db2
    A2 = F.sigmoid(Z2)
    dA2 = A2 * (1 - A2) * dZ2
    return np.mean((A2 - Y) ** 2), np.mean(2 * (A2 - Y) * dA2)


params = (W1, b1, W2, b2)
forward_mode = [np.zeros_like(p) for p in params]
passes = 0
for k, p in enumerate(params):               # one forward-mode pass per parameter entry: P passes
    for index in np.ndindex(p.shape):
        tangents = [np.zeros_like(q) for q in params]
        tangents[k][index] = 1.0
        forward_mode[k][index] = two_layer_loss_jvp(X, Y, params, tangents)[1]
        passes += 1
print(f"forward mode: {passes} passes (one per parameter); reverse mode: 1 backward pass")
print("same gradient:", all(np.allclose(a, b, rtol=1e-10, atol=0)
                            for a, b in zip(forward_mode, grads_by_hand, strict=True)))

# %% [markdown]
# Reverse mode has a price, though: the backward pass needs the forward pass's intermediate values (the
# $a^{(l-1)}$ in $\delta^{(l)} a^{(l-1)\top}$, the $\sigma'(z^{(l)})$), so they must all be **stored** until
# the backward pass reaches them. Forward mode needs nothing stored.
#
# ### What backpropagation costs in memory, and gradient checkpointing
#
# The stored activations grow with depth × batch × width, and for large networks they, not the weights, fill
# the memory (of a GPU especially, Chapter 9). **Gradient checkpointing** (Griewank 1992; Chen et al. 2016)
# trades time for memory: keep only every $k$-th layer's input during the forward pass, and in the backward
# pass recompute each segment's activations from its stored input just before backpropagating through it.
# About one extra forward pass buys memory for $D/k + k$ layers instead of $D$ (with $k \approx \sqrt D$,
# $2\sqrt D$). With our autograd engine it takes a few lines: a segment run on *detached* parameters records
# no graph and keeps nothing; the same segment run again on the real parameters records one, and
# `out.backward(gradient=g)` continues the backward pass from the gradient `g` of the segment's output.
# We measure the peak memory Python allocates (`tracemalloc`) for one forward and backward pass of a
# 16-layer tanh network, batch 128, width 128:

# %%
def block(h, weight, bias):
    return (h @ weight.T + bias).tanh()


def full_backward(x, params):
    """One forward and backward pass that keeps the whole graph (every activation) alive."""
    h = Tensor(x)
    for weight, bias in params:
        h = block(h, weight, bias)
    (h ** 2).mean().backward()


def checkpointed_backward(x, params, every):
    """The same gradients, keeping only every `every`-th layer's input and recomputing each segment."""
    h, saved = Tensor(x), []
    for i, (weight, bias) in enumerate(params):       # forward without a graph: detached parameters
        if i % every == 0:
            saved.append(h)
        h = block(h, weight.detach(), bias.detach())
    g = None
    for start in reversed(range(0, len(params), every)):
        h_in = Tensor(saved[start // every].data, requires_grad=True)
        out = h_in
        for weight, bias in params[start:start + every]:  # recompute this segment, with its graph
            out = block(out, weight, bias)
        if g is None:
            (out ** 2).mean().backward()                 # the last segment ends in the loss
        else:
            out.backward(gradient=g)                     # the others continue from their output's gradient
        g = h_in.grad


def peak_time_and_grads(run):
    """Peak memory allocated while run() runs (tracemalloc), its best time of two, and the gradients."""
    for weight, bias in deep_params:
        weight.grad = bias.grad = None
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    grads = [p.grad.copy() for pair in deep_params for p in pair]
    return peak, best_time(run, repeats=2), grads


rng = np.random.default_rng(8)
depth, width = 16, 128
deep_params = [(Tensor(rng.normal(size=(width, width)) / np.sqrt(width), requires_grad=True),
                Tensor(np.zeros(width), requires_grad=True)) for _ in range(depth)]
x_deep = rng.normal(size=(128, width))
memory = {"every activation stored": peak_time_and_grads(lambda: full_backward(x_deep, deep_params))}
for every in (4, 8):
    memory[f"checkpoints every {every} layers"] = peak_time_and_grads(
        lambda every=every: checkpointed_backward(x_deep, deep_params, every))
one_activation = x_deep.nbytes
reference_grads = memory["every activation stored"][2]
for name, (peak, seconds, grads) in memory.items():
    same = all(np.allclose(a, b, rtol=1e-12, atol=0) for a, b in zip(grads, reference_grads, strict=True))
    print(f"{name:>26}: peak {peak / 2**20:5.1f} MiB = {peak / one_activation:4.1f} activations, "
          f"{seconds * 1e3:4.0f} ms, same gradients: {same}")

# %% [markdown]
# Counted in activations (one $128 \times 128$ float64 array, 128 KiB), storing everything peaks at about
# eight per layer: the product, the sum with the bias and the tanh of each layer, and, because our engine
# keeps every node's `.grad` (for the graph drawings), their gradients too, plus the weights' gradients.
# Checkpointing every 4 layers ($k = \sqrt{16}$) keeps about two fifths of that, every 8 layers about three
# fifths, and the gradients are the same to the last digit. The price, counted in operations, is one more
# forward pass, about a third more work than forward and backward together. The printed times do not show
# it, and may even favour checkpointing: in our engine a forward pass of these 16 small layers takes a few
# milliseconds, less than the run-to-run noise and than the cost of building and filling the full graph's
# arrays. With large layers, where the matrix products dominate, the extra forward pass shows. PyTorch offers
# the same as `torch.utils.checkpoint`.
#
# ## 6. From hand-written backward passes to an autograd engine
#
# Writing a backward method for every layer is fine for a handful of layers, but every new architecture
# would need new derivations. (A little history: the backward recursion first appeared in optimal control,
# where Kelley (1960), for flight paths, and Bryson (1961), for multi-stage allocation processes, computed
# the gradient of a cost with respect to the controls by propagating adjoint variables backwards through the
# stages; reverse-mode differentiation of an arbitrary computer program goes back to Linnainmaa (1970);
# Werbos (1974, 1982) applied it to neural networks; Rumelhart, Hinton and Williams (1986) made it famous
# by showing that the hidden layers of a network trained this way learn useful internal representations.)
# **Reverse-mode automatic differentiation** does it mechanically: each elementary operation knows its own
# local derivative (its vector–Jacobian product), the forward pass records the graph of operations, and
# `backward()` visits that graph in reverse topological order, so that each node's gradient is complete
# (summed over every path) before it is passed on, exactly as in Section 1. This is what PyTorch's autograd
# does; `nncourse.autograd` is a small, readable version over NumPy arrays (in the spirit of Karpathy's
# micrograd, but on whole arrays). Each operation computes its output and, right beside it, its backward
# rule, a function from $\partial L/\partial\text{out}$ to the gradients of the inputs:

# %%
print(inspect.getsource(Tensor.tanh))

# %% [markdown]
# `Tensor.from_op(data, parents, name, backward)`, the engine's public extension point (documented in its
# docstring), records the new node; the engine adds the gradients of a
# node used twice and sums over broadcast axes, so a backward rule only states the calculus. With it the
# two-layer network of Section 2 needs no backward code at all:

# %% tags=["nbval-check-output"]
W1t, b1t, W2t, b2t = (Tensor(p, requires_grad=True) for p in (W1, b1, W2, b2))
A2t = ((Tensor(X) @ W1t.T + b1t).sigmoid() @ W2t.T + b2t).sigmoid()
loss_t = autograd.mse_loss(A2t, Tensor(Y))
loss_t.backward()
print("autograd engine = deltas by hand:",
      all(np.allclose(t.grad, g, rtol=1e-12, atol=0)
          for t, g in zip((W1t, b1t, W2t, b2t), grads_by_hand, strict=True)))

# %%
engine_lines = sum(len(inspect.getsource(module).splitlines()) for module in (autograd.engine, autograd.nn))
print(f"nncourse.autograd: {engine_lines} lines (engine.py and nn.py), docstrings included")

# %% [markdown]
# ## 7. Training end to end
#
# Everything is in place: layers with forward and backward, a loss whose gradient starts the backward pass,
# and an optimizer step. We train a multi-layer perceptron on the bundled 8×8 handwritten digits (1797
# images, 64 pixels, 10 classes), keeping 20 % of the images aside to test on.

# %%
(X_train, y_train), (X_test, y_test) = nncourse.data.load_digits(return_split=True)

digits_model = nn.Sequential(nn.Linear(64, 64, rng=0), nn.ReLU(), nn.Linear(64, 10, rng=1))
criterion = nn.CrossEntropyLoss()
optimizer = nncourse.optim.SGD(digits_model.parameters(), lr=0.1)
epoch_losses = []
for epoch in range(30):
    total = 0.0
    for xb, yb in nncourse.data.batches(X_train, y_train, batch_size=32, rng=epoch):
        optimizer.zero_grad()
        loss = criterion(digits_model(xb), yb)
        digits_model.backward(criterion.backward())   # backpropagation
        optimizer.step()
        total += loss * len(xb)
    epoch_losses.append(total / len(X_train))

test_accuracy = np.mean(digits_model(X_test).argmax(axis=1) == y_test)
print(f"test accuracy: {test_accuracy:.1%} on {len(X_test)} held-out images")

# %% tags=["nbval-check-output"]
print("training loss fell below 0.1:", epoch_losses[-1] < 0.1)
print("test accuracy above 95 %:", test_accuracy > 0.95)

# %% [markdown]
# About 98 % of the digits the network has never seen are classified correctly, after a few seconds of
# training at most, with nothing but NumPy and the chain rule.
#
# **The same steps in three implementations.** If our layers, our autograd engine and PyTorch all compute
# the same gradients, then the same initial weights and the same mini-batches must give the same weights
# after any number of SGD steps. In float64, after 40 steps:

# %% tags=["nbval-check-output"]
engine_model = autograd.MLP([64, 32, 10], activation="relu", rng=5, dtype=np.float64)
initial = [p.data.copy() for p in engine_model.parameters()]

layers_model = nn.Sequential(nn.Linear(64, 32, dtype=np.float64), nn.ReLU(),
                             nn.Linear(32, 10, dtype=np.float64))
for p, w0 in zip(layers_model.parameters(), initial, strict=True):
    p.data[...] = w0
torch_model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10)).double()
with torch.no_grad():
    for p, w0 in zip(torch_model.parameters(), initial, strict=True):
        p.copy_(torch.from_numpy(w0))

lr, X64 = 0.1, X_train.astype(np.float64)
layers_optimizer = nncourse.optim.SGD(layers_model.parameters(), lr=lr)
batch_order = np.random.default_rng(6).permutation(len(X64))
for step in range(40):
    index = batch_order[32 * step: 32 * (step + 1)]
    xb, yb = X64[index], y_train[index]
    # autograd engine: the loss builds a graph, backward() walks it
    engine_model.zero_grad()
    autograd.cross_entropy(engine_model(xb), yb).backward()
    for p in engine_model.parameters():
        p.data -= lr * p.grad
    # hand-written layers
    layers_optimizer.zero_grad()
    criterion(layers_model(xb), yb)
    layers_model.backward(criterion.backward())
    layers_optimizer.step()
    # PyTorch's autograd, and the same plain SGD step (what torch.optim.SGD does with its defaults)
    torch_model.zero_grad()
    torch.nn.functional.cross_entropy(torch_model(torch.from_numpy(xb)), torch.from_numpy(yb)).backward()
    with torch.no_grad():
        for p in torch_model.parameters():
            p -= lr * p.grad

torch_weights = [p.detach().numpy() for p in torch_model.parameters()]


def max_gap(params, reference):
    return max(np.max(np.abs(p.data - w)) for p, w in zip(params, reference, strict=True))


engine_gap = max_gap(engine_model.parameters(), torch_weights)
layers_gap = max_gap(layers_model.parameters(), torch_weights)
print("after 40 steps, max |engine − PyTorch| < 1e-12:", engine_gap < 1e-12)
print("after 40 steps, max |layers − PyTorch| < 1e-12:", layers_gap < 1e-12)

# %% [markdown]
# Agreement to twelve digits after forty steps: the three implementations compute the same function and the
# same gradients; only the rounding differs.
#
# ## 8. The vanishing gradient, seen in the backward pass
#
# Look again at the delta recursion, $\delta^{(l)} = (W^{(l+1)\top}\delta^{(l+1)}) \odot \sigma'(z^{(l)})$.
# Every layer multiplies the signal by a weight matrix and by $\sigma'$. The sigmoid's derivative is at
# most $\frac14$, so across ten sigmoid layers the deltas, and with them the weight gradients
# $\delta^{(l)}a^{(l-1)\top}$, shrink by a factor of at least $4^{10} \approx 10^6$ unless the weights are
# large, and large weights saturate the sigmoids, which makes $\sigma'$ smaller still. The layers near the
# input barely learn. ReLU's derivative is exactly 1 wherever the unit is active, so only the weights set
# the scale, and with an initialisation matched to ReLU (He et al. 2015: weights of variance $2/n_\text{in}$)
# the gradient roughly keeps its size from layer to layer.
#
# Measure it: a network of ten hidden layers of 32 units, one batch, one backward pass, and the norm
# $\lVert\partial L/\partial W^{(l)}\rVert$ of every layer's weight gradient.

# %%
from nncourse.widgets.gradient_flow import GradientFlowExplorer


def layer_gradient_norms(activation, init, depth=10, width=32, seed=0):
    """‖∂L/∂W(l)‖ for l = 1..depth+1 after one backward pass of the MSE loss on a random batch, and the
    fraction of saturated sigmoid units (σ' < 0.01) in that forward pass."""
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(64, width)), rng.normal(size=(64, 1))
    model = nn.build_mlp([width] * (depth + 1) + [1], activation, init=init, dtype=np.float64, rng=rng)
    criterion = nn.MSELoss()
    model.zero_grad()
    criterion(model(x), y)
    model.backward(criterion.backward())
    grad_norms = np.array([np.linalg.norm(m.weight.grad) for m in model if isinstance(m, nn.Linear)])
    saturated, h = [], x
    for module in model:
        h = module(h)
        if isinstance(module, nn.Sigmoid):
            saturated.append(np.mean(h * (1 - h) < 0.01))
    return grad_norms, np.mean(saturated) if saturated else 0.0


norms = {(act, init): layer_gradient_norms(act, init)[0]
         for act in ("sigmoid", "relu") for init in ("default", "kaiming_normal")}

# %% tags=["nbval-check-output"]
for (act, init), n in norms.items():
    print(f"{act:>7}, {init:>7} init: layer 1 gets {n[0] / n[-1]:.1g} of the last layer's gradient norm")

# %%
fig, axes = plt.subplots(1, 2, figsize=nncourse.plot.SIZES["wide"], sharey=True)
layer_index = np.arange(1, 12)
titles = ("PyTorch's default initialisation", "He initialisation")
for ax, init, title in zip(axes, ("default", "kaiming_normal"), titles, strict=True):
    for act, color, offset in (("sigmoid", COLORS["highlight"], -0.2), ("relu", COLORS["train"], 0.2)):
        ax.bar(layer_index + offset, norms[(act, init)], width=0.4, color=color, label=act)
    ax.set_yscale("log")
    ax.set(xlabel="layer l (1 = next to the input)", title=title, xticks=layer_index)
axes[0].legend(loc="upper left")
axes[0].set_ylabel("‖∂L/∂W(l)‖ (log scale)")
fig.suptitle("Sigmoid gradients vanish towards the input; ReLU's keep their size with a matched init")
plt.show()

# %% [markdown]
# With sigmoid the first layer's gradient is a billion times smaller than the last layer's with PyTorch's
# default initialisation, and still hundreds of thousands of times smaller with He's: one learning rate
# cannot suit both ends. Larger weights do change the ratio, by orders of magnitude, because they offset
# the factor $\sigma' \le \frac14$ of every layer; Xavier's initialisation scaled by a gain $g$:

# %% tags=["nbval-check-output"]
for gain in (1, 4, 8, 16):
    grad_norms, saturated = layer_gradient_norms(
        "sigmoid", lambda weight, rng, gain=gain: nn.init.xavier_normal_(weight, gain=gain, rng=rng))
    print(f"sigmoid, Xavier × gain {gain:2d}: layer 1 gets {grad_norms[0] / grad_norms[-1]:.1g} of the last "
          f"layer's gradient norm; {saturated:.0%} of the units saturated (σ' < 0.01)")

# %% [markdown]
# A gain of 8 lifts layer 1's share from $3 \times 10^{-7}$ to $3 \times 10^{-2}$, and 16 to 0.6, but
# at a price: a growing share of the units sit in the flat tails of the sigmoid, where they pass almost no
# gradient and barely change when trained. Initialisation alone can balance the layers of a sigmoid network
# only by pushing its units towards saturation.
#
# ReLU with PyTorch's default initialisation (weights of variance $1/(3 n_\text{in})$, too small for ReLU)
# loses two to three orders of magnitude; with He's initialisation the gradient norms stay within a factor
# of about ten from the first layer to the last (a mild, steady decline towards the input, in the figure),
# against the sigmoid's nine orders of magnitude. This is
# why deep networks use ReLU-like activations and careful initialisation, and why Chapter 7's
# initialisation schemes and Chapter 8's normalisation layers matter.
#
# **Explore.** Choose the depth, width, activation and initialisation: the new network's backward pass then
# runs on its own, one layer at a time, from the loss down (**play** runs it again; **next layer** or the
# *backward step* slider move it by hand). Each edge's thickness is the size of its weight's gradient on a
# log scale and its colour the sign; each neuron is filled by its delta (the colour bar); the bars on the
# right are the per-layer norms, each appearing when its layer's gradient has been computed.

# %%
GradientFlowExplorer(depth=6, width=4, activation="sigmoid")

# %% [markdown]
# ## 9. Exploding gradients, clipping, and skip connections
#
# The same product of per-layer factors can also grow. If each layer multiplies the signal by a factor above
# 1 (weights too large for the activation), the deltas grow layer by layer towards the input, and the
# activations layer by layer towards the output; a weight's gradient $\delta^{(l)} a^{(l-1)\top}$ takes one
# factor from each, so every layer's gradient **explodes**: a single SGD step then throws the weights far
# away, and the loss jumps or turns into `nan`. ReLU with weights twice He's standard deviation,
# $2\sqrt{2/n_\text{in}}$, doubles the signal at every one of the eleven layers:

# %% tags=["nbval-check-output"]
exploding, _ = layer_gradient_norms(
    "relu", lambda weight, rng: nn.init.normal_(weight, std=2 * np.sqrt(2 / weight.shape[1]), rng=rng))
he = norms[("relu", "kaiming_normal")]
print(f"‖∂L/∂W(l)‖ from {exploding.min():.0e} to {exploding.max():.0e} with 2 × He's std, "
      f"from {he.min():.0e} to {he.max():.0e} with He's")

# %% [markdown]
# Every layer's weight gradient is about two million times what it is with He's standard deviation, a little
# under $2^{21} \approx 2.1 \times 10^6$: at layer $l$ the activations below it contribute $2^{l-1}$ and the
# weights above it $2^{11-l}$, together $2^{10}$ at every layer, and the loss's gradient, proportional to an
# output error now dominated by an output $2^{11}$ times larger, another $2^{11}$. **Gradient clipping** is the usual
# safety net (Pascanu, Mikolov & Bengio 2013, for recurrent networks,
# where a long sequence is a very deep network): before the update, if the norm of all the gradients taken
# together exceeds a threshold, rescale them to that norm. The direction of the step is kept, only its
# length is capped. `nncourse.nn.utils.clip_grad_norm_` does what `torch.nn.utils.clip_grad_norm_` does, and
# returns the norm before clipping:

# %% tags=["nbval-check-output"]
rng = np.random.default_rng(0)
x_big, y_big = rng.normal(size=(64, 32)), rng.normal(size=(64, 1))
big_model = nn.build_mlp([32] * 11 + [1], "relu", dtype=np.float64, rng=rng,
                         init=lambda weight, rng: nn.init.normal_(weight, std=2 * np.sqrt(2 / weight.shape[1]),
                                                                  rng=rng))
criterion = nn.MSELoss()
big_model.zero_grad()
criterion(big_model(x_big), y_big)
big_model.backward(criterion.backward())
before = np.concatenate([p.grad.ravel() for p in big_model.parameters()])
total_norm = nn.utils.clip_grad_norm_(big_model.parameters(), max_norm=1.0)
after = np.concatenate([p.grad.ravel() for p in big_model.parameters()])
print(f"norm before clipping {total_norm:.2g}, after {np.linalg.norm(after):.3g}; "
      f"same direction: {np.isclose(before @ after, np.linalg.norm(before) * np.linalg.norm(after))}")

# %% [markdown]
# Clipping treats the symptom. The architecture can remove the cause: a **skip connection** (residual
# connection; He et al. 2016) makes each block compute $h^{(l+1)} = h^{(l)} + f(h^{(l)})$ instead of
# $f(h^{(l)})$. The add gate distributes (Section 1), so the backward pass becomes
#
# $$\frac{\partial L}{\partial h^{(l)}} = \frac{\partial L}{\partial h^{(l+1)}}
#   + \frac{\partial L}{\partial h^{(l+1)}}\,\frac{\partial f}{\partial h^{(l)}} ,$$
#
# the upstream gradient passed down **unchanged** plus the block's contribution: however small
# $\partial f/\partial h$ is, the identity path carries the gradient to the first layer. The engine makes the
# comparison a few lines: twenty sigmoid blocks of width 32, with and without the skip.

# %%
def block_gradient_norms(residual, depth=20, width=32, seed=0):
    """‖∂L/∂W(l)‖ of each block of a deep sigmoid network, whose blocks compute h + σ(h Wᵀ) or σ(h Wᵀ)."""
    rng = np.random.default_rng(seed)
    weights = [Tensor(rng.normal(size=(width, width)) / np.sqrt(3 * width), requires_grad=True)
               for _ in range(depth)]
    h = Tensor(rng.normal(size=(64, width)))
    for weight in weights:
        out = (h @ weight.T).sigmoid()
        h = h + out if residual else out
    ((h - Tensor(rng.normal(size=(64, width)))) ** 2).mean().backward()
    return np.array([np.linalg.norm(weight.grad) for weight in weights])


plain, residual = block_gradient_norms(residual=False), block_gradient_norms(residual=True)

# %% tags=["nbval-check-output"]
for name, n in (("plain", plain), ("with skips", residual)):
    print(f"{name:>10}: block 1 gets {n[0] / n[-1]:.1g} of block 20's gradient norm")

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=nncourse.plot.SIZES["wide"])
ax1.semilogy(np.arange(1, len(exploding) + 1), exploding, "o-", color=COLORS["negative"],
             label="ReLU, 2 × He's std")
ax1.semilogy(np.arange(1, len(exploding) + 1), he, "s-", color=COLORS["train"], label="ReLU, He's std")
ax1.set(xlabel="layer l (1 = next to the input)", ylabel="‖∂L/∂W(l)‖ (log scale)",
        title="Weights twice too large: every gradient explodes", xticks=np.arange(1, 12))
ax1.legend()
blocks = np.arange(1, len(plain) + 1)
ax2.semilogy(blocks, plain, "o-", color=COLORS["highlight"], label="plain: σ(h Wᵀ)")
ax2.semilogy(blocks, residual, "s-", color=COLORS["model"], label="with skip: h + σ(h Wᵀ)")
ax2.set(xlabel="block l (1 = next to the input)", ylabel="‖∂L/∂W(l)‖ (log scale)",
        title="20 sigmoid blocks: the skip path carries the gradient", xticks=[1, 5, 10, 15, 20])
ax2.legend()
for ax in (ax1, ax2):
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
plt.show()

# %% [markdown]
# Without skips the first block's gradient is sixteen orders of magnitude below the last one's: nothing
# near the input can learn. With them the factor is a few hundredths, and what remains is not decay through
# the $\sigma'$ factors but the activations growing from block to block (each adds its positive sigmoid
# output to $h$), which enlarges the later blocks' $a^{(l-1)}$. Skip connections are what made networks of a
# hundred layers and more routine to train (ResNets, and every Transformer block); with Chapter 7's
# initialisation and Chapter 8's normalisation layers they are the standard cure for vanishing and exploding
# gradients, and clipping stays as a cheap guard for the steps that still blow up.

# %% [markdown]
# ## Exercises
#
# Each exercise has a solution cell (collapsed: try first!) and a checker cell that runs your code on known
# inputs, gives a hint if something is off, and shows your points: a partly right answer earns points in
# proportion to the checker's cases it passes.
#
# ### Exercise 1: the backward pass of `Linear` (3 points)
#
# For $Z = X W^\top + b$ with $X$ of shape $(N, n_\text{in})$, $W$ of shape $(n_\text{out}, n_\text{in})$ and
# the upstream gradient $G = \partial L/\partial Z$ of shape $(N, n_\text{out})$, return
# `(grad_input, grad_weight, grad_bias)`, i.e. $\partial L/\partial X$, $\partial L/\partial W$ and
# $\partial L/\partial b$. Hint: each gradient has the shape of the thing it is the gradient of; let the
# shapes tell you which products and transposes to take.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch05-linear-backward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def linear_backward(x, weight, grad_output):
    """Gradients of Z = X Wᵀ + b with respect to X, W and b, given G = ∂L/∂Z."""
    ### BEGIN SOLUTION
    grad_input = grad_output @ weight
    grad_weight = grad_output.T @ x
    grad_bias = grad_output.sum(axis=0)
    return grad_input, grad_weight, grad_bias
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch05-linear-backward-check", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch05 import check_linear_backward

extra_cases = []
### BEGIN HIDDEN TESTS
# An instructor's hidden case, (x, weight, grad_output): a batch of 3 through a 5-to-2 layer.
rng_hidden = np.random.default_rng(51)
extra_cases = [(rng_hidden.normal(size=(3, 5)), rng_hidden.normal(size=(2, 5)), rng_hidden.normal(size=(3, 2)))]
### END HIDDEN TESTS
check_linear_backward(linear_backward, extra_cases)

# %% [markdown]
# ### Exercise 2: the backward pass of the sigmoid (2 points)
#
# Given the pre-activation $z$ and the upstream gradient $\partial L/\partial \sigma(z)$, return
# $\partial L/\partial z$. Recall $\sigma'(z) = \sigma(z)(1 - \sigma(z))$. The checker tries $z$ up to
# $\pm 10^4$, where $e^{-z}$ overflows: compute $\sigma$ stably (`F.sigmoid` does).

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch05-sigmoid-backward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def sigmoid_backward(z, grad_output):
    """∂L/∂z for a = σ(z), given grad_output = ∂L/∂a (same shape as z)."""
    ### BEGIN SOLUTION
    s = F.sigmoid(z)
    return grad_output * s * (1 - s)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch05-sigmoid-backward-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch05 import check_sigmoid_backward

check_sigmoid_backward(sigmoid_backward)

# %% [markdown]
# ### Exercise 3: softmax with cross-entropy (2 points)
#
# Given logits of shape $(N, C)$ and integer targets of shape $(N,)$, return the gradient of the **mean**
# cross-entropy $L = -\frac1N\sum_n \log \mathrm{softmax}(z_n)_{y_n}$ with respect to the logits. Make it
# stable for logits as large as 1000 (hint: the softmax does not change when you subtract a constant from a
# row).

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch05-softmax-ce-backward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def softmax_cross_entropy_backward(logits, targets):
    """∂L/∂logits of the mean cross-entropy: (softmax(logits) − onehot(targets)) / N."""
    ### BEGIN SOLUTION
    n, n_classes = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    return (p - np.eye(n_classes)[targets]) / n
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch05-softmax-ce-backward-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch05 import check_softmax_cross_entropy_backward

check_softmax_cross_entropy_backward(softmax_cross_entropy_backward)

# %% [markdown]
# ### Exercise 4: a gradient check of your own (3 points)
#
# Choose a nonlinear function $f:\mathbb R^5 \to \mathbb R$ (a product, powers, `np.sin`, `np.exp`, ...),
# derive its gradient by hand, and write both. The checker compares your gradient with central differences
# at three random points, exactly as `gradcheck` does, and a fourth case asks that your gradient differ
# between two points (a linear $f$, whose gradient is constant, proves little).

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch05-my-gradient", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_function(x):
    """A scalar function of a 1-D array x of 5 numbers."""
    ### BEGIN SOLUTION
    return float(np.sum(np.sin(x) * x**2) + np.prod(x[:2]))
    ### END SOLUTION


def my_gradient(x):
    """The gradient of my_function at x, derived by hand (an array of the shape of x)."""
    ### BEGIN SOLUTION
    grad = np.cos(x) * x**2 + 2 * x * np.sin(x)
    grad[0] += x[1]
    grad[1] += x[0]
    return grad
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch05-my-gradient-check", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch05 import check_gradient

check_gradient(my_function, my_gradient)

# %% [markdown]
# ### Exercise 5: a new operation for the autograd engine (3 points)
#
# Add **softplus**, $\operatorname{softplus}(x) = \log(1 + e^x)$, a smooth version of ReLU whose derivative
# is the sigmoid, $\operatorname{softplus}'(x) = \sigma(x)$. Follow the pattern of `Tensor.tanh` above:
# compute the output array, define `backward(g)` that returns a tuple with one gradient per parent, and
# return `Tensor.from_op(out, (x,), "softplus", backward)` (see `help(Tensor.from_op)`). Make the forward pass stable for $x = \pm 1000$
# (`np.logaddexp(0, x)` computes $\log(e^0 + e^x)$ without overflow).

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch05-autograd-softplus", "locked": false, "schema_version": 3, "solution": true, "task": false}
def softplus(x):
    """softplus(x) = log(1 + eˣ) for an autograd Tensor x, with its backward rule."""
    ### BEGIN SOLUTION
    out = np.logaddexp(0, x.data)

    def backward(g):  # softplus'(x) = σ(x)
        return (g * F.sigmoid(x.data),)

    return Tensor.from_op(out, (x,), "softplus", backward)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch05-autograd-softplus-check", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch05 import check_autograd_op

check_autograd_op(softplus)

# %% [markdown]
# ### Exercise 6: the engine's topological sort (2 points)
#
# `loss.backward()` must visit every node of the graph after all the nodes that use it, so that a node's
# gradient is complete (every path summed) before it is passed on. It first lists the nodes in
# **topological order**, every node after its parents, then walks that list backwards. Write the list: a
# function of the root (the loss) that returns every node of its graph **once**, each after all of its
# parents. A node's parents, the tensors it was computed from, are `node._parents` (a tuple; empty for a
# leaf). Hint: a depth-first search that appends a node after visiting its parents, with a set of the nodes
# already visited (compare nodes by `id(node)`).

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch05-topological-sort", "locked": false, "schema_version": 3, "solution": true, "task": false}
def topological_sort(root):
    """Every node of the graph that ends at root, once, each after all of its parents (root last)."""
    ### BEGIN SOLUTION
    order, visited = [], set()

    def visit(node):
        if id(node) not in visited:
            visited.add(id(node))
            for parent in node._parents:
                visit(parent)
            order.append(node)

    visit(root)
    return order
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch05-topological-sort-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch05 import check_topological_sort

check_topological_sort(topological_sort)

# %% [markdown]
# ### Exercise 7: the engine's `backward()` loop (3 points)
#
# Now the loop itself: given the root $L$ (one element), do what `L.backward()` does.
# 1. Set `root.grad` to ones of the root's shape ($\partial L/\partial L = 1$).
# 2. Walk the nodes in **reversed** topological order. For each node with parents, `node._backward(node.grad)`
#    returns a tuple with one gradient per parent, $\partial L/\partial\text{parent}$ along this edge (the local
#    derivative times `node.grad`: the chain rule is already inside).
# 3. **Add** each one into that parent's `.grad` (treat `None` as zero): a node used twice receives the sum of
#    both contributions, and a leaf keeps what an earlier backward left there, as in PyTorch. Skip parents
#    with `requires_grad` False (constants).
#
# The checker's graphs broadcast nothing, so you need not sum over broadcast axes (the engine's own loop
# does). You may use your `topological_sort`, or the engine's `root._topological_order()`.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch05-backward-loop", "locked": false, "schema_version": 3, "solution": true, "task": false}
def backward(root):
    """Fill .grad of every node of the graph that ends at the one-element Tensor root with dL/d(node), added."""
    ### BEGIN SOLUTION
    root.grad = np.ones_like(root.data)
    for node in reversed(root._topological_order()):
        if not node._parents:
            continue
        for parent, g in zip(node._parents, node._backward(node.grad), strict=True):
            if parent.requires_grad:
                parent.grad = g if parent.grad is None else parent.grad + g
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch05-backward-loop-check", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch05 import check_backward_loop

check_backward_loop(backward)

# %% [markdown]
# ## Summary
#
# - Backpropagation is the chain rule applied from the loss backwards, reusing each intermediate gradient;
#   on a computational graph, values flow forwards and gradients flow backwards.
# - With deltas $\delta^{(l)} = \partial L/\partial z^{(l)}$:
#   $\delta^{(K)} = \partial L/\partial a^{(K)} \odot \sigma'(z^{(K)})$,
#   $\delta^{(l)} = (W^{(l+1)\top}\delta^{(l+1)}) \odot \sigma'(z^{(l)})$,
#   $\partial L/\partial W^{(l)} = \delta^{(l)} a^{(l-1)\top}$; batched, $\Delta^{(l)\top}A^{(l-1)}$ sums over
#   the samples.
# - Softmax with cross-entropy (and sigmoid with binary cross-entropy) have the gradient "prediction minus
#   target" on the logits; cross-entropy is the negative log-likelihood of the labels.
# - The gate patterns: add distributes the gradient, multiply swaps the inputs, max routes it to the winner.
# - A gradient check with central differences in float64 catches backward bugs by orders of magnitude; a
#   "wrong" verdict can also be a kink within $h$ of an input (ReLU at 0): look for one, then move off it.
# - A backward pass costs a small constant times a forward pass; numerical differentiation costs $2P$
#   forward passes ($\propto P$ at the sizes we measured, $\propto P^2$ once matrix products dominate).
#   Reverse mode computes vector–Jacobian products: one pass for the gradient of a scalar loss, where
#   forward mode needs one pass per parameter. Its price is memory, the stored activations, which gradient
#   checkpointing trades for one extra forward pass.
# - An autograd engine records the graph and applies each operation's local backward rule in reverse
#   topological order; ours, our hand-written layers and PyTorch give the same weights after 40 SGD steps.
# - Through many sigmoid layers gradients vanish (σ' ≤ 1/4); larger initial weights rebalance the layers
#   only by saturating units; ReLU with He initialisation roughly keeps the gradients' size. Weights too large make
#   every gradient explode; clipping caps the step, and skip connections give the gradient an identity path.
#
# ## Common pitfalls
#
# - **Forgetting the $1/N$** of a mean loss, or applying it twice (once in the loss gradient and again in
#   `Linear.backward`): gradients off by a factor of the batch size.
# - **Transposes.** $\partial L/\partial W$ must have $W$'s shape $(n_\text{out}, n_\text{in})$:
#   $G^\top A$, not $A^\top G$. Let the shapes guide you, and test with non-square matrices.
# - **Averaging the bias gradient** instead of summing it over the batch.
# - **Overwriting instead of accumulating** `.grad`: a parameter used twice gets the sum of both gradients,
#   and `zero_grad()` belongs at the start of every step.
# - **Gradient checks in float32**, or with $h$ too small ($10^{-10}$) or too large ($10^{-2}$).
# - **Taking a kink for a bug** (or a bug for a kink): a failing check near ReLU's 0 is re-run off the kink
#   before anything is changed.
# - **Softmax followed by `CrossEntropyLoss`**: the loss expects logits; a second softmax silently
#   flattens the gradient.
# - **Sigmoid output with MSE** for classification: the gradient vanishes when the prediction is confidently
#   wrong; use binary cross-entropy on logits.
#
# ## References
#
# - H. J. Kelley (1960). Gradient theory of optimal flight paths. *ARS Journal* 30(10), 947–954.
# - A. E. Bryson (1961). A gradient method for optimizing multi-stage allocation processes. *Proceedings of
#   the Harvard University Symposium on Digital Computers and their Applications.*
# - S. Linnainmaa (1970). *The representation of the cumulative rounding error of an algorithm as a Taylor
#   expansion of the local rounding errors.* Master's thesis, University of Helsinki. (Reverse-mode
#   automatic differentiation.)
# - P. J. Werbos (1974). *Beyond Regression: New Tools for Prediction and Analysis in the Behavioral
#   Sciences.* PhD thesis, Harvard University; and (1982) Applications of advances in nonlinear sensitivity
#   analysis, *Proceedings of the 10th IFIP Conference*, 762–770. (Backpropagation for neural networks.)
# - D. E. Rumelhart, G. E. Hinton, R. J. Williams (1986). Learning representations by back-propagating
#   errors. *Nature* 323, 533–536.
# - A. Griewank (1992). Achieving logarithmic growth of temporal and spatial complexity in reverse automatic
#   differentiation. *Optimization Methods and Software* 1(1), 35–54. (Checkpointing.)
# - T. Chen, B. Xu, C. Zhang, C. Guestrin (2016). Training deep nets with sublinear memory cost.
#   arXiv:1604.06174.
# - A. G. Baydin, B. A. Pearlmutter, A. A. Radul, J. M. Siskind (2018). Automatic differentiation in
#   machine learning: a survey. *Journal of Machine Learning Research* 18(153), 1–43. (Forward and reverse
#   mode.)
# - X. Glorot, Y. Bengio (2010). Understanding the difficulty of training deep feedforward neural networks.
#   *AISTATS*. (Vanishing gradients and initialisation.)
# - K. He, X. Zhang, S. Ren, J. Sun (2015). Delving deep into rectifiers. *ICCV*. (He initialisation.)
# - R. Pascanu, T. Mikolov, Y. Bengio (2013). On the difficulty of training recurrent neural networks.
#   *ICML*. (Exploding gradients and clipping.)
# - K. He, X. Zhang, S. Ren, J. Sun (2016). Deep residual learning for image recognition. *CVPR*. (Skip
#   connections.)
# - A. Karpathy. *micrograd*, a tiny scalar-valued autograd engine, https://github.com/karpathy/micrograd,
#   and the lecture *The spelled-out intro to neural networks and backpropagation*.
# - Stanford CS231n course notes: *Backpropagation, intuitions* (the gate patterns) and *Neural networks
#   part 3* (gradient checks, kinks), https://cs231n.github.io/.
# - A. Zhang, Z. C. Lipton, M. Li, A. J. Smola. *Dive into Deep Learning*, sections on forward propagation,
#   backward propagation and computational graphs, and on numerical stability, https://d2l.ai/.
#
# ## Closing note: what we measured
#
# Every number below comes from this run of the notebook (timings vary from machine to machine and run to
# run; the ratios much less). `python benchmarks/bench_autograd.py` measures more: larger networks, and the
# autograd engine's time per training step against the hand-written layers and PyTorch.

# %%
full_peak = memory["every activation stored"][0]
print(f"backward / forward time, MLPs of {param_counts[0]:,} to {param_counts[-1]:,} parameters: "
      f"{ratios.min():.1f} to {ratios.max():.1f} (2 from counting multiply-adds)")
print(f"numerical gradient / (forward + backward), {small_counts[0]} to {small_counts[-1]} parameters: "
      f"{numerical_times[0] / backprop_times[0]:.0f} to {numerical_times[-1] / backprop_times[-1]:.0f}; "
      f"time ∝ P^{slope:.1f}")
print(f"peak memory of one forward + backward pass, 16 tanh layers: {full_peak / 2**20:.0f} MiB; with checkpoints "
      f"every 4 layers {memory['checkpoints every 4 layers'][0] / full_peak:.0%} of it")
print(f"digits classifier: test accuracy {test_accuracy:.1%} after 30 epochs of SGD")
print(f"nncourse.autograd: {engine_lines} lines, docstrings included")

# %% [markdown]
# ## What comes next
#
# We can now compute the gradient of any network cheaply and correctly. Chapter 6 asks what to *do* with it:
# plain gradient descent is only the beginning; momentum, RMSprop and Adam use the history of the gradients
# to take better steps, and learning-rate schedules decide how large those steps should be.
