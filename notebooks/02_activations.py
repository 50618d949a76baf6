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
# # Chapter 2 — Activation functions
#
# The perceptron of Chapter 1 computes a weighted sum and passes it through a step. Stack many such units
# and you get a neural network, but only if the function between the layers is **nonlinear**: without it,
# a hundred layers are no more expressive than one. And for the network to *learn* by gradient descent,
# that function must also have a useful derivative, which the step does not. This chapter is about that
# small function, the **activation**: why we need it, the handful that are used in practice (sigmoid, tanh,
# ReLU, Leaky ReLU, GELU, SiLU, ELU, softplus, and softmax for outputs), what each one's derivative does to
# the gradients flowing through a deep network, what it does to the units of a network trained on real
# data, and how to compute them without overflowing. We build them all in NumPy (`nncourse.functional`,
# `nncourse.nn`) and check every value and derivative against PyTorch.
#
# **Learning objectives.** After this chapter you can
# 1. show that stacked linear layers collapse to one linear map, and why that makes nonlinearity necessary;
# 2. explain why gradient descent needs smooth activations instead of the step;
# 3. state the formula, range and derivative of sigmoid, tanh, ReLU, Leaky ReLU, GELU, SiLU, ELU and
#    softplus, and where each is used;
# 4. predict how a gradient shrinks through many layers (the vanishing-gradient problem) from the
#    activation's derivative;
# 5. recognise dead ReLUs, when they can and cannot come back, and how Leaky ReLU, ELU and GELU avoid them;
# 6. read the activation statistics of a trained network (histograms, saturated fractions, dead units) and
#    compare activations on real data;
# 7. compute sigmoid, softmax and log-softmax stably for any input (the log-sum-exp trick).
#
# **Prerequisites.** Chapter 1 (the perceptron: weighted sum, bias, step); derivatives and the chain rule
# of one variable; NumPy arrays and broadcasting.
#
# **Estimated time.** 2–2.5 hours, exercises included.

# %%
import matplotlib.pyplot as plt
import numpy as np

import nncourse
import nncourse.plot
from nncourse import functional as F
from nncourse import nn, optim
from nncourse.data import load_digits, make_circles, make_moons
from nncourse.plot import ACTIVATION_COLORS, COLORS, SIZES, decision_boundary
from nncourse.train import evaluate, fit

_ = nncourse.manual_seed(0)

# %% [markdown]
# ## 1. Why nonlinearity?
#
# A linear layer computes $z = W x + b$. Stack two of them, with nothing in between:
#
# $$W^{(2)}\big(W^{(1)} x + b^{(1)}\big) + b^{(2)} = \underbrace{W^{(2)} W^{(1)}}_{W}\, x
#   + \underbrace{W^{(2)} b^{(1)} + b^{(2)}}_{b} .$$
#
# The result is again a single linear (affine) map $Wx + b$. However many layers we stack, the network can
# only ever draw one straight line (a hyperplane) through its input space. Let us check it numerically with
# three random layers $2 \to 8 \to 8 \to 1$:

# %% tags=["nbval-check-output"]
rng = np.random.default_rng(0)
layers = [(rng.normal(size=(8, 2)), rng.normal(size=8)),
          (rng.normal(size=(8, 8)), rng.normal(size=8)),
          (rng.normal(size=(1, 8)), rng.normal(size=1))]

x = rng.normal(size=(5, 2))  # five input points, one per row
a = x
for W_l, b_l in layers:  # three layers applied one after the other: Z = A Wᵀ + b
    a = a @ W_l.T + b_l

W, b = np.eye(2), np.zeros(2)  # collapse them into one layer
for W_l, b_l in layers:
    W, b = W_l @ W, W_l @ b + b_l

print("one layer with W of shape", W.shape, "and b of shape", b.shape)
print("same outputs as the three layers:", np.allclose(a, x @ W.T + b, rtol=1e-12))

# %% [markdown]
# The consequence is visible on data that no straight line separates: two concentric circles. We train two
# networks of the same shape, $2 \to 16 \to 16 \to 1$, with the same initial weights, the same loss (binary
# cross-entropy on the output logit) and the same 600 steps of gradient descent. The only difference: the
# second puts a $\tanh$ after each hidden layer. (`nn.Linear`, `nn.BCEWithLogitsLoss` and `optim.SGD` are
# the course's from-scratch versions of PyTorch's; Chapters 3–5 build and explain them.)

# %%
X_circles, y_circles = make_circles(200, noise=0.08, factor=0.5, rng=0, dtype=np.float64)


def circle_net(activation=None):
    """2 → 16 → 16 → 1, with `activation` (a module class) after each hidden layer, or none at all."""
    modules = [nn.Linear(2, 16, dtype=np.float64, rng=1)]
    modules += [activation()] if activation else []
    modules += [nn.Linear(16, 16, dtype=np.float64, rng=2)]
    modules += [activation()] if activation else []
    modules += [nn.Linear(16, 1, dtype=np.float64, rng=3)]
    return nn.Sequential(*modules)


def train_full_batch(model, X, y, epochs=600, lr=0.5):
    """Full-batch gradient descent on the binary cross-entropy (Chapter 3's `fit`, with one batch per
    epoch); returns the final loss and accuracy."""
    criterion, data = nn.BCEWithLogitsLoss(), (X, y.reshape(-1, 1).astype(np.float64))
    fit(model, criterion, optim.SGD(model.parameters(), lr=lr), data, epochs=epochs, batch_size=len(X),
        rng=0, progress=False)
    return evaluate(model, criterion, data)


# %% tags=["nbval-check-output"]
linear_net, tanh_net = circle_net(), circle_net(nn.Tanh)
for name, model in [("three linear layers", linear_net), ("with tanh between", tanh_net)]:
    loss, accuracy = train_full_batch(model, X_circles, y_circles)
    print(f"{name:20s} loss {loss:.2f}  accuracy {accuracy:.0%}")

# %%
fig, axes = plt.subplots(1, 2, figsize=SIZES["wide"])
for ax, model, title in [(axes[0], linear_net, "three linear layers: still one straight line"),
                         (axes[1], tanh_net, "the same with tanh: a closed curve")]:
    decision_boundary(ax, model, X_circles, y_circles, threshold=0.0)
    ax.get_legend().remove()  # one legend for both panels, beside them, off the data
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside right center")
plt.show()

# %% [markdown]
# The linear stack stays at chance level (about 50 %, loss near $\log 2 \approx 0.69$): whatever its
# weights, its boundary is a line. With $\tanh$ between the layers the same architecture bends its boundary
# into a closed curve around the inner circle and classifies every point. The nonlinearity is what lets
# depth add expressive power.

# %% [markdown]
# ## 2. From the step to smooth activations
#
# The perceptron's activation is the step, $\mathrm{step}(z) = 1$ if $z \ge 0$ else $0$. It is nonlinear,
# so why not keep it? Because gradient descent learns by asking *how the loss changes when a weight changes
# a little*, and for the step the answer is "not at all": its derivative is $0$ everywhere except at $z=0$,
# where it does not exist. By the chain rule, $\partial L/\partial w = \partial L/\partial a \cdot
# \mathrm{step}'(z) \cdot x = 0$. A smooth "soft step" such as the sigmoid $\sigma(z) = 1/(1+e^{-z})$ fixes
# this: its derivative is positive everywhere, so every weight gets a signal.
#
# A single neuron $a = \mathrm{act}(w x + b)$, a squared error $L = \tfrac12 (a - y)^2$, and the gradient
# $\partial L/\partial w = (a - y)\,\mathrm{act}'(z)\,x$ on four samples:

# %% tags=["nbval-check-output"]
x_1d = np.array([-2.0, -0.5, 1.0, 2.5])
y_1d = np.array([0.0, 1.0, 1.0, 1.0])
w, b = 0.4, -0.2
z = w * x_1d + b
for name, act, act_grad in [("step", F.step, F.step_grad), ("sigmoid", F.sigmoid, F.sigmoid_grad)]:
    dL_dw = np.mean((act(z) - y_1d) * act_grad(z) * x_1d)
    w_new = w - 1.0 * dL_dw  # one gradient-descent step, learning rate 1
    loss, loss_new = (np.mean(0.5 * (act(v * x_1d + b) - y_1d) ** 2) for v in (w, w_new))
    print(f"{name:8s} dL/dw = {dL_dw:+.3f}   loss {loss:.4f} -> after one step {loss_new:.4f}")

# %% [markdown]
# With the step, the gradient is exactly zero although the prediction for $x = -0.5$ is wrong: gradient
# descent cannot move, and the loss stays where it is. With the sigmoid the gradient is non-zero, so a small
# enough step against it must lower the loss (that is what a derivative promises), and here one step of
# size 1 does. The sigmoid is a smoothed step, and $\sigma(k z)$ approaches the step as $k$ grows:

# %%
z_plot = np.linspace(-4, 4, 801)
fig, axes = plt.subplots(1, 2, figsize=SIZES["wide"])
axes[0].plot(z_plot, F.step(z_plot), color=COLORS["target"], label="step")
for k, color in zip((1, 3, 10), (ACTIVATION_COLORS["sigmoid"], ACTIVATION_COLORS["tanh"], ACTIVATION_COLORS["relu"]), strict=True):
    axes[0].plot(z_plot, F.sigmoid(k * z_plot), color=color, label=f"σ({k} z)")
    axes[1].plot(z_plot, k * F.sigmoid_grad(k * z_plot), color=color, label=f"d/dz σ({k} z)")
axes[1].plot(z_plot, F.step_grad(z_plot), color=COLORS["target"], label="step' (0 everywhere)")
axes[0].set(title="the sigmoid is a smooth step", xlabel="z", ylabel="activation")
axes[1].set(title="its derivative is never 0; the step's always is", xlabel="z", ylabel="derivative")
for ax in axes:
    ax.legend()

# %% [markdown]
# ## 3. The activation functions in use
#
# For each activation: the formula, its range, its derivative (written with the function's own value where
# that is convenient), where it is used, and its strengths and problems. All of them are in
# `nncourse.functional`, with the derivative of `f` called `f_grad`.
#
# **Sigmoid** $\;\sigma(z) = \dfrac{1}{1+e^{-z}}$, range $(0, 1)$,
# $\;\sigma'(z) = \sigma(z)\,(1-\sigma(z)) \le \tfrac14$.
# Used for binary outputs (a probability) and for the gates of LSTMs. As a hidden activation it has two
# problems: it **saturates** (for $|z| \gtrsim 5$ it is flat and its derivative nearly 0), and its output
# is **not zero-centred** (always positive, so for one sample all the incoming weights of a unit in the
# next layer get gradients of the same sign, which makes the descent zig-zag).
#
# **Tanh** $\;\tanh(z) = \dfrac{e^z - e^{-z}}{e^z + e^{-z}} = 2\sigma(2z) - 1$, range $(-1, 1)$,
# $\;\tanh'(z) = 1 - \tanh^2(z) \le 1$.
# A rescaled sigmoid: zero-centred, with a derivative up to 1 instead of $\tfrac14$. Used in RNNs and LSTMs.
# It still saturates.
#
# **ReLU** $\;\mathrm{relu}(z) = \max(0, z)$, range $[0, \infty)$, derivative 1 for $z > 0$ and 0 for
# $z < 0$. Rectifying units are old (Fukushima's cognitron and neocognitron, 1975 and 1980); Jarrett et al.
# (2009) found them best among the non-linearities they tried for object recognition, Nair & Hinton (2010)
# named the "rectified linear unit", and Glorot, Bordes & Bengio (2011) showed that deep networks of them
# train well without unsupervised pre-training.
# The default in most CNNs (AlexNet, ResNet) and MLPs: as cheap as it gets, and it does not saturate for
# positive inputs, so gradients pass through active units unchanged. Its problem: a unit whose input is
# negative for every sample outputs 0 and receives gradient 0, so its weights stop changing — a **dead
# ReLU** (Section 5). At the kink, $z = 0$, there is no derivative; like PyTorch we use 0.
#
# **Leaky ReLU** (Maas et al. 2013) $\;z$ for $z > 0$, $\;\alpha z$ otherwise, with a small
# `negative_slope` $\alpha$ (PyTorch's default 0.01); range $(-\infty, \infty)$; derivative 1 or $\alpha$.
# The small slope keeps a gradient flowing for negative inputs, so units cannot die.
#
# **GELU** (Hendrycks & Gimpel 2016) $\;\mathrm{gelu}(z) = z\,\Phi(z)$ with $\Phi$ the standard normal CDF,
# $\Phi(z) = \tfrac12\big(1 + \mathrm{erf}(z/\sqrt2)\big)$; range $[\approx -0.17, \infty)$;
# $\;\mathrm{gelu}'(z) = \Phi(z) + z\,\varphi(z)$ with $\varphi$ the normal density.
# The input is scaled by the probability that a standard normal variable is below it: a smooth ReLU that
# dips slightly below 0. Used in BERT, GPT and most transformers. The original code used the tanh
# approximation $\tfrac12 z\big(1 + \tanh\big(\sqrt{2/\pi}\,(z + 0.044715 z^3)\big)\big)$, available as
# `gelu(z, approximate="tanh")` (Exercise 4).
#
# **SiLU / Swish** (Elfwing et al. 2018; Ramachandran et al. 2017) $\;\mathrm{silu}(z) = z\,\sigma(z)$,
# range $[\approx -0.28, \infty)$, $\;\mathrm{silu}'(z) = \sigma(z)\big(1 + z(1-\sigma(z))\big)$.
# Another smooth, non-monotonic ReLU; used in EfficientNet and, inside the SwiGLU block, in LLaMA.
#
# **ELU** (Clevert, Unterthiner & Hochreiter 2016) $\;z$ for $z > 0$, $\;\alpha(e^z - 1)$ otherwise
# ($\alpha = 1$ by default), range $(-\alpha, \infty)$; derivative 1 for $z > 0$, $\alpha e^z$ otherwise.
# Like Leaky ReLU it keeps a gradient for negative inputs, but it bends smoothly to $-\alpha$ instead of
# falling without bound: negative outputs pull a unit's mean output towards zero (the benefit of tanh)
# while large negative inputs saturate at $-\alpha$ (noise there has little effect).
#
# **Softplus** (Dugas et al. 2001) $\;\mathrm{softplus}(z) = \log(1 + e^{z})$, range $(0, \infty)$;
# derivative $\sigma(z)$. A smooth ReLU that is never negative and never exactly flat; it lies above ReLU
# by at most $\log 2$ (at $z = 0$). PyTorch's version has a sharpness $\beta$, $\log(1 + e^{\beta z})/\beta$,
# and returns $z$ itself where $\beta z > 20$. It is used less as a hidden activation than wherever a
# positive output is needed (a standard deviation, a rate).

# %%
ZOO = list(nn.ACTIVATIONS)  # the course's registry: sigmoid, tanh, relu, leaky_relu, gelu, silu, elu, softplus
VISIBLE_SLOPE = {"leaky_relu": {"negative_slope": 0.1}}  # a slope you can see


fig, axes = plt.subplots(2, 4, figsize=(10, 4.8), sharex=True)
z_plot = np.linspace(-4, 4, 801)
for ax, name in zip(axes.ravel(), ZOO, strict=True):
    f, f_grad = nn.ACTIVATIONS[name].functions(**VISIBLE_SLOPE.get(name, {}))
    ax.plot(z_plot, f(z_plot), color=ACTIVATION_COLORS[name], label="f(z)")
    ax.plot(z_plot, f_grad(z_plot), color=ACTIVATION_COLORS[name], linestyle="--", label="f'(z)")
    ax.axhline(0, color=COLORS["neutral"], linewidth=0.8)
    ax.set_title(name + (" (slope 0.1)" if name == "leaky_relu" else ""))
    ax.set_ylim(-1.2, 2.2)
axes[0, 0].legend(loc="upper left")
for ax in axes[1]:
    ax.set_xlabel("z")
fig.suptitle("Eight activations (solid) and their derivatives (dashed)")
plt.show()

# %% [markdown]
# How good is GELU's tanh approximation? Its largest distance from the exact $z\,\Phi(z)$:

# %% tags=["nbval-check-output"]
z_dense = np.linspace(-8, 8, 160001)
gap = np.abs(F.gelu(z_dense) - F.gelu(z_dense, approximate="tanh"))
print(f"max |gelu - gelu_tanh| = {gap.max():.2e} at z = {z_dense[np.argmax(gap)]:.2f}")

# %% [markdown]
# ### A comparison table, computed from the library
#
# Rather than typing the ranges and derivative bounds, we measure them: evaluate each function and its
# derivative on a dense grid, look at the extremes, and call a side unbounded when the extreme keeps
# growing between $|z| \le 100$ and $|z| \le 1000$. "Saturates" means the derivative has fallen below
# $10^{-6}$ at $z = \mp 1000$; "f′ = 0 on" is the share of a fine grid on $[-10, 10]$ where the derivative
# is exactly 0.

# %% tags=["nbval-check-output"]
def bound(values_small, values_large, extreme):
    """The measured extreme (np.min or np.max), or ±∞ if it keeps growing with the range."""
    small, large = extreme(values_small), extreme(values_large)
    if abs(large) > 1 and abs(large) > 5 * abs(small):
        return "+∞)" if large > 0 else "(−∞"
    return f"{large:.3g}]" if extreme is np.max else f"[{large:.3g}"


fine = np.linspace(-10, 10, 20001)
small = np.concatenate([fine, np.linspace(-100, 100, 201)])
large = np.concatenate([small, np.linspace(-1000, 1000, 201)])
print(f"{'activation':11s} {'range':>16s} {'derivative range':>18s} {'f(0)':>6s} {'f′(0)':>6s} "
      f"{'saturates':>11s} {'f′ = 0 on':>10s}")
for name in ZOO:
    f, f_grad = nn.ACTIVATIONS[name].functions()
    f_small, f_large = f(small), f(large)
    value_range = f"{bound(f_small, f_large, np.min)}, {bound(f_small, f_large, np.max)}"
    grad_range = f"[{f_grad(large).min():.3g}, {f_grad(large).max():.3g}]"
    ends = f_grad(np.array([-1000.0, 1000.0]))
    saturates = "/".join(side for side, g in zip(("left", "right"), ends, strict=True) if abs(g) < 1e-6)
    zero_grad = f"{np.mean(f_grad(fine) == 0):.0%}"
    print(f"{name:11s} {value_range:>16s} {grad_range:>18s} {float(f(0.0)):6.3g} {float(f_grad(0.0)):6.3g} "
          f"{saturates or 'no':>11s} {zero_grad:>10s}")

# %% [markdown]
# Read it row by row: the sigmoid's derivative never exceeds $0.25$ and it saturates on both sides; tanh's
# reaches $1$ but it saturates too; ReLU and Leaky ReLU never saturate for positive inputs, and ReLU's
# derivative is exactly 0 for negative ones (the dead-unit problem), while Leaky ReLU keeps $0.01$. GELU
# and SiLU dip below zero (to about $-0.17$ and $-0.28$), have derivatives slightly above 1 and slightly
# below 0, and saturate only on the left. Their derivatives do pass through exactly 0, but only at single
# points, their minima ($\mathrm{gelu}'(-0.752) = 0$, $\mathrm{silu}'(-1.278) = 0$), which the grid does
# not hit; the contrast with ReLU is that ReLU's derivative is 0 on a whole half-line. ELU stays above
# $-1$ and saturates on the left; softplus is positive everywhere, and its derivative is the sigmoid. (Sigmoid and
# tanh show closed intervals because at $z = \pm 1000$ their values round to exactly $0$ and $\pm 1$ in
# float64; mathematically they never reach them.)

# %% [markdown]
# ## 4. The vanishing-gradient problem
#
# In a deep network $a^{(l)} = \sigma(z^{(l)})$, $z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}$, the gradient
# reaching the input of the network is, by the chain rule, a product with one factor per layer:
#
# $$\frac{\partial L}{\partial a^{(0)}} = W^{(1)\top} \mathrm{diag}\big(\sigma'(z^{(1)})\big)\,
#   W^{(2)\top} \mathrm{diag}\big(\sigma'(z^{(2)})\big) \cdots
#   W^{(L)\top} \mathrm{diag}\big(\sigma'(z^{(L)})\big)\, \frac{\partial L}{\partial a^{(L)}} .$$
#
# Each layer multiplies the gradient by the activation's derivatives. For the sigmoid they are at most
# $\tfrac14$, so unless the weights are large (which saturates the units and makes $\sigma'$ even
# smaller), $L$ layers shrink the gradient by something like $4^{-L}$:

# %% tags=["nbval-check-output"]
for depth in (5, 10, 20, 50):
    print(f"(1/4)^{depth:<2d} = {0.25 ** depth:.3g}")

# %% [markdown]
# **Experiment.** We measure it. We build a stack of 50 layers `Linear(64, 64, bias=False)` + activation,
# feed a batch of 256 standard-normal inputs forward, send a random gradient
# $\partial L / \partial a^{(L)}$ back with `backward`, and report, $k$ layers down, the ratio of norms
# $\lVert \partial L/\partial a^{(L-k)} \rVert / \lVert \partial L/\partial a^{(L)} \rVert$. To be fair to
# each activation, the weights are drawn from $\mathcal N(0, \mathrm{gain}^2/64)$ with the gain PyTorch's
# `torch.nn.init.calculate_gain` recommends for it (1 for sigmoid, 5/3 for tanh, $\sqrt 2$ for ReLU;
# Chapter 7, on weight initialisation, explains where these numbers come from). The package's
# `nn.gradient_through_depth` does exactly this, with the `Linear` layers and activation modules we have built
# (its source is a dozen lines: `nn.gradient_through_depth??` shows it).

# %% tags=["nbval-check-output"]
DEPTHS = (1, 5, 10, 20, 30, 40, 50)
ratios = {name: nn.gradient_through_depth(name, depth=50, width=64, batch=256)[list(DEPTHS)]
          for name in ("sigmoid", "tanh", "relu")}
print("depth    " + "".join(f"{depth:>10d}" for depth in DEPTHS))
for name, values in ratios.items():
    print(f"{name:8s} " + "".join(f"{v:10.3g}" for v in values))

# %% [markdown]
# The numbers tell the story of deep learning before 2010 (Hochreiter 1991; Glorot & Bengio 2010):
#
# * **Sigmoid**: the gradient shrinks about four-fold per layer — close to the $4^{-L}$ estimate — so after 10
#   layers less than a millionth of it reaches the first layer, and after 50 layers about $10^{-32}$. The
#   first layers of a deep sigmoid network simply do not learn.
# * **Tanh**: its derivative is up to 1 and it is zero-centred, so with PyTorch's gain of 5/3 the gradient
#   does not vanish; here it even *grows* slowly with depth (the mirror image, an exploding gradient). The
#   balance depends delicately on the weight scale.
# * **ReLU**: on its active units the derivative is exactly 1; with the gain $\sqrt2$ compensating for the
#   half of the units that are inactive, the gradient keeps its size through 50 layers. This, together
#   with its low cost, is why ReLU made deep networks trainable.
#
# The same measurements on a log scale, where a constant shrink factor per layer is a straight line:

# %%
depth_axis = np.array(DEPTHS)
fig, ax = plt.subplots(figsize=SIZES["medium"])
for name in ratios:
    ax.plot(depth_axis, ratios[name], marker="o", color=ACTIVATION_COLORS[name], label=name)
ax.plot(depth_axis, 0.25**depth_axis, color=COLORS["neutral"], linestyle=":", label="(1/4)^L")
ax.set(yscale="log", xlabel="depth L (layers)", ylabel="‖grad at layer 1‖ / ‖grad at the top‖",
       title="The sigmoid's gradient vanishes with depth; ReLU's survives")
ax.legend()
plt.show()

# %% [markdown]
# ### Explore: the activation explorer
#
# Choose one or several activations, the range of $x$, Leaky ReLU's slope and a depth. The first two panels
# show $f$ and $f'$; the third shows how the gradient's size evolves as it flows back through up to 50
# random layers (built as in the experiment above, with PyTorch's gain for each activation; $\sqrt2$ for
# GELU and SiLU), and its legend gives the relative size after the chosen depth. The slope slider works
# while Leaky ReLU is among the chosen activations; **reset** puts every control back. Things to try:
# compare GELU and SiLU with ReLU; set Leaky ReLU's slope to 0 (it becomes ReLU) and to 0.5.

# %%
from nncourse.widgets.activations import ActivationExplorer

ActivationExplorer(activations=("sigmoid", "tanh", "relu"), depth=20)

# %% [markdown]
# ## 5. Dead ReLUs
#
# A ReLU unit is **dead** when its pre-activation $z = w \cdot x + b$ is negative for every sample of the
# data set: its output is always 0, so is its derivative, so $w$ and $b$ receive no gradient. In the
# **first** layer, whose inputs are the data and never change, nothing can then change $z$: the unit is
# dead for good (under plain gradient descent). A unit in a deeper layer is in a different position: its
# inputs are the outputs of the layers below, which keep learning, so its $z$ can turn positive again and
# the unit can revive. A too-large learning-rate step that pushes the biases down is the usual cause. We simulate exactly that on the two-moons data: a network $2 \to 32 \to 1$ whose 32 hidden biases
# were pushed down by 2, then 300 ordinary gradient-descent steps. We count the hidden units that never
# activate ($z \le 0$ on all 200 samples) before the push, after it and after training, and the units
# whose weights did not change at all during training.

# %%
X_moons, y_moons = make_moons(200, noise=0.1, rng=0, dtype=np.float64)


def never_active(layer):
    """Number of units of `layer` whose pre-activation is <= 0 on every sample of the moons data."""
    return int(np.sum(np.all(layer(X_moons) <= 0, axis=0)))


# %% tags=["nbval-check-output"]
print(f"{'hidden activation':30s} {'silent: start → push → end':>27s} {'frozen':>7s} {'loss':>6s} "
      f"{'accuracy':>9s}")
for activation in (nn.ReLU(), nn.LeakyReLU(), nn.GELU()):
    hidden = nn.Linear(2, 32, dtype=np.float64, rng=5)
    model = nn.Sequential(hidden, activation, nn.Linear(32, 1, dtype=np.float64, rng=6))
    healthy = never_active(hidden)
    hidden.bias.data -= 2.0  # the damage done by one bad step
    silent = never_active(hidden)
    before = hidden.weight.data.copy()
    loss, accuracy = train_full_batch(model, X_moons, y_moons, epochs=300, lr=1.0)
    frozen = int(np.sum(np.all(hidden.weight.data == before, axis=1)))
    silent_end = never_active(hidden)
    print(f"{repr(activation):30s} {f'{healthy} → {silent} → {silent_end}':>27s} {frozen:>7d} {loss:6.3f} "
          f"{accuracy:9.1%}")

# %% [markdown]
# Freshly initialised, no unit is silent on this data set. After the push, all 32 are, for all three
# activations. But what happens next differs completely:
#
# * with **ReLU**, every hidden unit is dead: all 32 weight vectors are *frozen*, bit for bit, through 300
#   steps, the loss stays at $\log 2 \approx 0.693$ and the accuracy at 50 %: the network can no longer
#   learn anything;
# * with **Leaky ReLU** ($\alpha = 0.01$) and **GELU**, the derivative for negative inputs is small but not
#   zero, so every unit keeps learning: no weight is frozen, and the network reaches about 88 % accuracy.
#   Yet the last number of the "silent" column shows that 31 (Leaky ReLU) and all 32 (GELU) units are
#   still negative on every sample after training: they learn *on the negative side*, where their small outputs already suffice to
#   separate the moons fairly well. Not dying is not the same as recovering.
#
# In practice, dead ReLUs are avoided with a sensible learning rate (Chapter 6) and initialisation
# (Chapter 7), by normalisation layers that keep pre-activations centred (Chapter 8), and by the activations
# that keep a gradient for negative inputs. The next section counts them in a network trained on real data.

# %% [markdown]
# ## 6. Inside a trained network: activation statistics on the digits
#
# Sections 4 and 5 looked at random networks and at a network damaged on purpose. What do the units of a
# network trained on real data do? We train the same MLP $64 \to 64 \to 64 \to 10$ on the bundled digits
# (8×8 images of handwritten digits, pixel values in $[0, 1]$, 10 classes; 1438 training and 359
# validation images) once per activation: the same initial weights (seed 0, PyTorch's default
# initialisation), the same mini-batches of 32, plain SGD with learning rate 0.1 for 8 epochs, and the
# cross-entropy loss (Chapter 3 explains it). Then we run the validation images through each network and
# measure, for each hidden layer,
#
# * **flat**: the share of (image, unit) pairs where $|f'(z)| < 0.05$, where the unit passes back less than
#   5 % of the gradient it receives (a saturated sigmoid or tanh, an inactive ReLU);
# * **dead units**: the units that are flat on *every* validation image, before and after training.

# %%
(X_train, y_train), (X_val, y_val) = load_digits(return_split=True, dtype=np.float64)
FLAT = 0.05  # a unit whose |f'(z)| is below this passes back less than 5 % of the gradient


def hidden_pre_activations(model, X):
    """The pre-activations z of every hidden layer (the inputs of the activation modules) on X."""
    zs, a = [], X
    for module in model:
        if not isinstance(module, nn.Linear):
            zs.append(a)
        a = module(a)
    return zs


def flat_statistics(model, activation, X):
    """Per hidden layer: the share of (sample, unit) pairs with |f'(z)| < FLAT, and the number of units
    that are flat on every sample."""
    f_grad = nn.ACTIVATIONS[activation].derivative
    flat = [np.abs(f_grad(z)) < FLAT for z in hidden_pre_activations(model, X)]
    return [float(m.mean()) for m in flat], [int(m.all(axis=0).sum()) for m in flat]


def train_digits(activation, lr=0.1, epochs=8):
    """64 → 64 → 64 → 10 with `activation`, trained by SGD; returns (model, dead units at the start)."""
    model = nn.build_mlp([64, 64, 64, 10], activation, dtype=np.float64, rng=0)
    _, dead_at_start = flat_statistics(model, activation, X_val)
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=lr), (X_train, y_train),
        epochs=epochs, batch_size=32, rng=0, progress=False)
    return model, dead_at_start


# %% tags=["nbval-check-output"]
digits_models = {}
print(f"{'activation':11s} {'val acc':>8s} {'val loss':>9s} {'flat (layer 1, 2)':>18s} "
      f"{'dead units: start → trained':>28s}")
for name in nn.ACTIVATIONS:
    model, dead_at_start = train_digits(name)
    digits_models[name] = model
    loss, accuracy = evaluate(model, nn.CrossEntropyLoss(), (X_val, y_val))
    flat, dead = flat_statistics(model, name, X_val)
    print(f"{name:11s} {accuracy:8.3f} {loss:9.3f} {flat[0]:9.0%} {flat[1]:8.0%} "
          f"{f'{dead_at_start} → {dead}':>28s}")

# %% [markdown]
# What the table says (for this network, learning rate and budget; another learning rate reorders the
# middle of the table):
#
# * **Sigmoid** has not learned anything: 10 % accuracy, loss $\approx \log 10 = 2.30$, chance level. Yet
#   none of its units is saturated ("flat" is 0 %). The problem is the one of Section 4 in a milder form:
#   its derivative is at most $\tfrac14$ per layer and its outputs are all positive, so at this learning rate
#   the gradient reaching the first layers is too weak to make progress in 8 epochs (with a learning rate of
#   1 it reaches about 0.83).
# * **Tanh and ELU** learn fastest here (0.967 and 0.964): zero-centred outputs, derivative 1 at 0.
#   **ReLU and Leaky ReLU** follow (0.953), then the smooth ReLUs, whose derivative at 0 is only
#   $\tfrac12$ (GELU, SiLU and softplus: at the same learning rate they take smaller steps).
# * A quarter of ReLU's (image, unit) pairs are inactive, as expected of a unit that is off for some inputs:
#   that is how ReLU networks compute. **Dead units** are different: ReLU has 2 in the first layer and 6 in
#   the second *before training*. The pixels are non-negative, so a first-layer unit with negative weights
#   and bias is silent on every image from the start, and it stays dead: its inputs never change. The second
#   layer's count moves (6 → 7) because its inputs do. Leaky ReLU's slope 0.01 is below our 5 % threshold,
#   so its silent units count as flat too: not dead, but learning at 1 % speed.
#
# The distributions behind these numbers, for the second hidden layer:

# %%
fig, axes = plt.subplots(1, 4, figsize=(10, 2.8))
for ax, name in zip(axes, ("sigmoid", "tanh", "relu", "elu"), strict=True):
    z_val = hidden_pre_activations(digits_models[name], X_val)[1]
    flat, _ = flat_statistics(digits_models[name], name, X_val)
    ax.hist(nn.ACTIVATIONS[name].function(z_val).ravel(), bins=50, color=ACTIVATION_COLORS[name])
    ax.set(title=f"{name}: {flat[1]:.0%} flat", xlabel="activation $a = f(z)$", yticks=[])
axes[0].set_ylabel("(image, unit) pairs")
fig.suptitle("Second hidden layer after training, on the validation images")
plt.show()

# %% [markdown]
# The sigmoid's outputs sit in a narrow band around 0.5 (between 0.30 and 0.62 for 98 % of them): far from
# saturation, and carrying little contrast. Tanh spreads over $(-1, 1)$ with few values near the ends; ReLU
# has a spike at exactly 0 (28 % of the pairs) and a long right tail; ELU's negative side is squeezed
# against $-1$ only for a few units.
#
# **Dead units in the wild.** Now the same ReLU network with a learning rate of 1 instead of 0.1:

# %% tags=["nbval-check-output"]
model, dead_at_start = train_digits("relu", lr=1.0)
loss, accuracy = evaluate(model, nn.CrossEntropyLoss(), (X_val, y_val))
flat, dead = flat_statistics(model, "relu", X_val)
print(f"relu, lr 1.0: val acc {accuracy:.3f}, flat {flat[0]:.0%} / {flat[1]:.0%}, "
      f"dead units {dead_at_start} → {dead} of 64 per layer")

# %% [markdown]
# A few too-large steps early in training pushed most units' pre-activations below zero on every image:
# 57 and 52 of the 64 units per layer are dead, and the network that reached 0.953 at the smaller rate is
# stuck near 0.32. This is what to look for when a ReLU network's loss stops improving: the share of
# units that never fire. (Exercise 6 computes these statistics; Exercise 7 asks you to pick an activation
# and learning rate that keep a network both accurate and alive.)

# %% [markdown]
# ## 7. Softmax, shift invariance and the log-sum-exp trick
#
# For $C$ classes a network outputs $C$ scores (logits) $z_1, \dots, z_C$, and **softmax** turns them into
# probabilities:
#
# $$\mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j=1}^{C} e^{z_j}}, \qquad
#   \mathrm{softmax}(z)_i \in (0, 1), \qquad \sum_i \mathrm{softmax}(z)_i = 1 .$$
#
# (For $C = 2$ it is the sigmoid of the difference: $\mathrm{softmax}(z)_1 = \sigma(z_1 - z_2)$.) Adding
# the same constant $c$ to every logit multiplies numerator and denominator by $e^c$: softmax is
# **invariant to shifts**. That is what makes it computable: $e^{1000}$ overflows, but after subtracting the
# largest logit every exponent is $\le 0$.

# %% tags=["nbval-check-output"]
logits = np.array([2.0, 1.0, -1.0])
print("softmax(z)        =", np.round(F.softmax(logits), 4))
print("softmax(z + 100)  =", np.round(F.softmax(logits + 100), 4))
print("softmax(z + 1000) =", np.round(F.softmax(logits + 1000), 4))
with np.errstate(over="ignore", invalid="ignore"):  # silence the warnings the naive formula triggers
    naive = np.exp(logits + 1000) / np.exp(logits + 1000).sum()
print("naive e^z / Σ e^z at z + 1000 =", naive)

# %% [markdown]
# Classification losses need $\log \mathrm{softmax}$. Taking the log of a softmax entry that has underflowed
# to 0 gives $-\infty$. The **log-sum-exp trick** computes it directly,
#
# $$\log \mathrm{softmax}(z)_i = z_i - \log \sum_j e^{z_j} = z_i - m - \log \sum_j e^{z_j - m},
#   \qquad m = \max_j z_j ,$$
#
# where the sum contains a term $e^0 = 1$, so its log is never $\log 0$:

# %% tags=["nbval-check-output"]
far_apart = np.array([0.0, -800.0])
with np.errstate(divide="ignore"):
    print("log(softmax(z)) =", np.log(F.softmax(far_apart)))
print("log_softmax(z)  =", F.log_softmax(far_apart))

# %% [markdown]
# `F.softmax` and `F.log_softmax` take an `axis` (PyTorch calls it `dim`), default $-1$: for a batch of
# logits of shape $(N, C)$ they work row by row.

# %% [markdown]
# ## 8. The PyTorch equivalents
#
# With `import torch.nn.functional as TF`:
#
# | ours (`nncourse`) | PyTorch |
# | --- | --- |
# | `F.sigmoid(x)`, `F.tanh(x)` | `torch.sigmoid(t)`, `torch.tanh(t)` |
# | `F.relu(x)` | `TF.relu(t)` |
# | `F.leaky_relu(x, negative_slope=0.01)` | `TF.leaky_relu(t, negative_slope=0.01)` |
# | `F.gelu(x, approximate="none")`, `F.silu(x)` | `TF.gelu(t, approximate="none")`, `TF.silu(t)` |
# | `F.elu(x, alpha=1.0)`, `F.softplus(x, beta=1.0, threshold=20.0)` | `TF.elu(t, alpha=1.0)`, `TF.softplus(t, beta=1.0, threshold=20.0)` |
# | `F.softmax(x, dim=-1)` | `TF.softmax(t, dim=-1)` |
# | `F.log_softmax(x, dim=-1)` | `TF.log_softmax(t, dim=-1)` |
# | `F.sigmoid_grad(x)`, ..., `F.silu_grad(x)` | autograd: `torch.sigmoid(t).sum().backward()`, `t.grad` |
# | `nn.Sigmoid()`, `nn.Tanh()`, `nn.ReLU()`, `nn.LeakyReLU()` | the same names in `torch.nn` |
# | `nn.GELU()`, `nn.SiLU()`, `nn.ELU()`, `nn.Softplus()` | the same names in `torch.nn` |
#
# We check every value against `torch.nn.functional` and every derivative against torch's autograd, in
# float64, on 1000 random inputs (the test suite also checks extreme inputs up to $\pm 10^4$):

# %% tags=["nbval-check-output"]
import torch
import torch.nn.functional as TF

x_check = np.random.default_rng(1).normal(0, 4, size=1000)
TORCH = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": TF.relu, "leaky_relu": TF.leaky_relu,
         "gelu": TF.gelu, "silu": TF.silu, "elu": TF.elu, "softplus": TF.softplus}
for name, spec in nn.ACTIVATIONS.items():
    ours, ours_grad, theirs = spec.function, spec.derivative, TORCH[name]
    t = torch.tensor(x_check, requires_grad=True)
    out = theirs(t)
    out.sum().backward()
    same_value = np.allclose(ours(x_check), out.detach().numpy(), rtol=1e-10, atol=1e-15)
    same_grad = np.allclose(ours_grad(x_check), t.grad.numpy(), rtol=1e-10, atol=1e-15)
    print(f"{name:10s} value equal: {same_value}   derivative equal: {same_grad}")

logits_check = np.random.default_rng(2).normal(0, 5, size=(8, 10))
t = torch.tensor(logits_check)
print("softmax equal:", np.allclose(F.softmax(logits_check), torch.softmax(t, dim=-1).numpy(), rtol=1e-12))
print("log_softmax equal:", np.allclose(F.log_softmax(logits_check), torch.log_softmax(t, dim=-1).numpy(),
                                         rtol=1e-12))

# %% [markdown]
# And the modules: the same forward values and the same input gradients as `torch.nn`'s, for the same
# upstream gradient.

# %% tags=["nbval-check-output"]
x_mod = np.random.default_rng(3).normal(0, 3, size=(16, 8))
g_mod = np.random.default_rng(4).normal(size=(16, 8))
for ours, theirs in [(nn.GELU(), torch.nn.GELU()), (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
                     (nn.SiLU(), torch.nn.SiLU()), (nn.ELU(alpha=0.5), torch.nn.ELU(alpha=0.5)),
                     (nn.Softplus(beta=2.0), torch.nn.Softplus(beta=2.0))]:
    t = torch.tensor(x_mod, requires_grad=True)
    out = theirs(t)
    out.backward(torch.tensor(g_mod))
    forward_ok = np.allclose(ours(x_mod), out.detach().numpy(), rtol=1e-10, atol=1e-15)
    backward_ok = np.allclose(ours.backward(g_mod), t.grad.numpy(), rtol=1e-10, atol=1e-15)
    print(f"{ours!r:36s} forward equal: {forward_ok}   backward equal: {backward_ok}")

# %% [markdown]
# ## 9. Exercises
#
# Write the function in each solution cell, then run the checker cell below it. The checker tells you what
# is right, or what it expected, what it got and on which input, and shows your points: a partly right
# answer earns points in proportion to the checker's cases it passes.
#
# ### Exercise 1: a sigmoid that survives $x = \pm 1000$ (3 points)
#
# Write `stable_sigmoid(x)` for a NumPy array `x`. The direct formula `1 / (1 + np.exp(-x))` gives the
# right numbers but NumPy warns "overflow encountered in exp" at $x = -1000$ ($e^{1000}$ is far beyond the
# largest float, about $1.8 \times 10^{308}$). Write it so that no exponential of a large positive number is
# ever taken, and so that tiny values keep all their digits: $\sigma(-720) \approx 2 \times 10^{-313}$ is
# not 0 (a float64 holds it). Hint: for $x < 0$, $\sigma(x) = e^{x} / (1 + e^{x})$.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch02-stable-sigmoid", "locked": false, "schema_version": 3, "solution": true, "task": false}
def stable_sigmoid(x):
    """σ(x) = 1 / (1 + e^(-x)), elementwise, with no overflow for any x."""
    ### BEGIN SOLUTION
    e = np.exp(-np.abs(x))  # e^(-|x|) is in (0, 1]: it never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch02-stable-sigmoid-check", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch02 import check_stable_sigmoid

check_stable_sigmoid(stable_sigmoid)

# %% [markdown]
# ### Exercise 2: the derivative of tanh (2 points)
#
# Write `tanh_grad(x)`, the derivative of $\tanh$, elementwise. (Differentiate
# $\tanh = \sinh/\cosh$ with the quotient rule, or use $\tanh(x) = 2\sigma(2x) - 1$ and
# $\sigma' = \sigma(1 - \sigma)$.)

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch02-tanh-grad", "locked": false, "schema_version": 3, "solution": true, "task": false}
def tanh_grad(x):
    """d/dx tanh(x), elementwise."""
    ### BEGIN SOLUTION
    return 1 - np.tanh(x) ** 2
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch02-tanh-grad-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch02 import check_tanh_grad

check_tanh_grad(tanh_grad)

# %% [markdown]
# ### Exercise 3: Leaky ReLU and its derivative (2 points)
#
# Write `leaky_relu(x, negative_slope)` returning the pair `(output, derivative)`: the output is $x$ for
# $x > 0$ and `negative_slope * x` otherwise; the derivative is 1 for $x > 0$ and `negative_slope`
# otherwise (at $x = 0$ too, PyTorch's convention).

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch02-leaky-relu", "locked": false, "schema_version": 3, "solution": true, "task": false}
def leaky_relu(x, negative_slope=0.01):
    """Return (leaky_relu(x), its derivative), both elementwise arrays of x's shape."""
    ### BEGIN SOLUTION
    positive = x > 0
    return np.where(positive, x, negative_slope * x), np.where(positive, 1.0, negative_slope)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch02-leaky-relu-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch02 import check_leaky_relu

check_leaky_relu(leaky_relu)

# %% [markdown]
# ### Exercise 4: GELU's tanh approximation (2 points)
#
# Write `gelu_tanh(x)` $= \tfrac12 x \big(1 + \tanh\big(\sqrt{2/\pi}\,(x + 0.044715\,x^3)\big)\big)$,
# the approximation used by the original GPT and BERT code (PyTorch's `gelu(x, approximate="tanh")`).

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch02-gelu-tanh", "locked": false, "schema_version": 3, "solution": true, "task": false}
def gelu_tanh(x):
    """The tanh approximation of GELU, elementwise."""
    ### BEGIN SOLUTION
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch02-gelu-tanh-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch02 import check_gelu_tanh

extra_cases = []
### BEGIN HIDDEN TESTS
# An instructor's hidden case, (x,): a 2-D input, whose shape the answer must keep.
extra_cases = [(np.array([[-3.0, 0.1], [7.0, -0.7]]),)]
### END HIDDEN TESTS
check_gelu_tanh(gelu_tanh, extra_cases)

# %% [markdown]
# ### Exercise 5: ELU and its derivative, quietly (2 points)
#
# Write `elu(x, alpha)` returning the pair `(output, derivative)`: $x$ and $1$ for $x > 0$;
# $\alpha(e^x - 1)$ and $\alpha e^x$ otherwise (at $x = 0$ too, PyTorch's convention). The checker also
# tries $x = \pm 10^4$: `np.where` evaluates both branches everywhere, so `np.exp(x)` must not see the large
# positive inputs (NumPy would warn "overflow encountered in exp").

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch02-elu", "locked": false, "schema_version": 3, "solution": true, "task": false}
def elu(x, alpha=1.0):
    """Return (elu(x), its derivative), both elementwise arrays of x's shape."""
    ### BEGIN SOLUTION
    e = np.exp(np.minimum(x, 0))  # e^x where x <= 0, and 1 (never overflowing) elsewhere
    positive = x > 0
    return np.where(positive, x, alpha * (e - 1)), np.where(positive, 1.0, alpha * e)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch02-elu-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch02 import check_elu

check_elu(elu)

# %% [markdown]
# ### Exercise 6: flat units and dead units (2 points)
#
# Write `flat_statistics_of(z, f_grad, threshold=0.05)` for the pre-activations `z` of one hidden layer
# (shape `(n_samples, n_units)`) and the activation's derivative `f_grad`. Return `(flat_share,
# dead_units)`: the share of entries with $|f'(z)| <$ `threshold`, and the number of units (columns) for
# which that holds on every sample, as in Section 6.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch02-flat-stats", "locked": false, "schema_version": 3, "solution": true, "task": false}
def flat_statistics_of(z, f_grad, threshold=0.05):
    """(share of entries with |f'(z)| < threshold, number of units flat on every sample)."""
    ### BEGIN SOLUTION
    flat = np.abs(f_grad(z)) < threshold
    return flat.mean(), int(flat.all(axis=0).sum())
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch02-flat-stats-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch02 import check_flat_statistics

check_flat_statistics(flat_statistics_of)

# %% [markdown]
# ### Exercise 7: accurate and alive, open-ended (3 points)
#
# Choose the activation and the learning rate of Section 6's network. Make `choose_activation()` return
# `(name, lr)`, with `name` a key of `nn.ACTIVATIONS`. The checker builds the network
# $64 \to 64 \to 64 \to 10$ with that activation (seed 0), trains it with plain SGD for 5 epochs (batch 32,
# as in Section 6, only shorter) and gives one point each for a validation accuracy of at least 0.93, of at
# least 0.96, and for **at most 2 dead units** (flat on every validation image, $|f'| < 0.05$) in its two
# hidden layers together. Section 6's table is a good starting point; ReLU at 0.1 will not do.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch02-alive", "locked": false, "schema_version": 3, "solution": true, "task": false}
def choose_activation():
    """(activation name, learning rate) for the digits MLP: accurate in 5 epochs, with no dead units."""
    ### BEGIN SOLUTION
    return "elu", 0.2  # zero-centred like tanh, no flat half-line like ReLU; a larger step for a short budget
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch02-alive-check", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch02 import check_accurate_and_alive

check_accurate_and_alive(choose_activation)

# %% [markdown]
# ## Summary
#
# * Without a nonlinearity between them, any number of linear layers is one linear layer; the activation
#   is what makes depth useful.
# * Gradient descent needs derivatives: the step's is 0 everywhere, so smooth activations replaced it.
# * Sigmoid and tanh saturate, and the sigmoid's derivative is at most $\tfrac14$: through $L$ layers the
#   gradient shrinks roughly like $4^{-L}$ (measured: about $10^{-32}$ after 50 layers).
# * ReLU passes gradients through its active units unchanged and is cheap; its weakness is dead units
#   (dead for good in the first layer, possibly reviving deeper), which Leaky ReLU, ELU, GELU and SiLU avoid
#   by keeping a gradient for negative inputs.
# * GELU ($z\Phi(z)$) and SiLU ($z\sigma(z)$) are the smooth ReLUs of transformers and modern CNNs; ELU
#   saturates at $-\alpha$ on the left; softplus $\log(1 + e^z)$ is a positive smooth ReLU whose derivative
#   is the sigmoid.
# * In a trained network, measure rather than guess: histograms of each layer's activations, the share of
#   flat (saturated or inactive) units, and the units that are flat on every sample. On the digits a
#   too-large learning rate killed most ReLU units; a sigmoid network learned nothing in the same budget
#   without a single saturated unit.
# * Softmax turns logits into probabilities; it is shift-invariant, which gives the max-subtraction trick;
#   log-softmax uses log-sum-exp and never takes $\log 0$.
#
# ## Common pitfalls
#
# * Computing `1 / (1 + np.exp(-x))` or `np.exp(z) / np.exp(z).sum()` directly: overflow warnings and NaN
#   for large inputs. And `np.where(cond, a, b)` evaluates both `a` and `b` everywhere, so a dangerous
#   branch still overflows.
# * `np.log(softmax(z))` instead of `log_softmax(z)`: $-\infty$ as soon as one probability underflows.
# * Sigmoid or tanh in the hidden layers of a deep network without care for initialisation (Chapter 7):
#   vanishing (or exploding) gradients.
# * Evaluating a derivative at the wrong place: `sigmoid_grad(z)` is at the pre-activation $z$; from the
#   output $a = \sigma(z)$ it is $a(1-a)$, not `sigmoid_grad(a)`.
# * A very large learning rate with ReLU: units die (on the digits, 57 of 64 in the first layer at a
#   learning rate of 1), and in the first layer they never come back.
# * Calling a unit "dead" because it is 0 on *some* inputs: that is how ReLU networks compute. Dead means
#   flat on every input.
#
# ## References
#
# * S. Hochreiter (1991). *Untersuchungen zu dynamischen neuronalen Netzen.* Diploma thesis, TU München
#   (the first analysis of vanishing gradients).
# * X. Glorot, Y. Bengio (2010). Understanding the difficulty of training deep feedforward neural networks.
#   *AISTATS*.
# * K. Fukushima (1975). Cognitron: a self-organizing multilayered neural network. *Biological Cybernetics*
#   20, 121–136; (1980) Neocognitron. *Biological Cybernetics* 36, 193–202.
# * K. Jarrett, K. Kavukcuoglu, M. Ranzato, Y. LeCun (2009). What is the best multi-stage architecture for
#   object recognition? *ICCV*.
# * V. Nair, G. E. Hinton (2010). Rectified linear units improve restricted Boltzmann machines. *ICML*.
# * X. Glorot, A. Bordes, Y. Bengio (2011). Deep sparse rectifier neural networks. *AISTATS*.
# * C. Dugas, Y. Bengio, F. Bélisle, C. Nadeau, R. Garcia (2001). Incorporating second-order functional
#   knowledge for better option pricing. *NeurIPS* (softplus).
# * D.-A. Clevert, T. Unterthiner, S. Hochreiter (2016). Fast and accurate deep network learning by
#   exponential linear units (ELUs). *ICLR*.
# * A. L. Maas, A. Y. Hannun, A. Y. Ng (2013). Rectifier nonlinearities improve neural network acoustic
#   models. *ICML Workshop on Deep Learning for Audio, Speech and Language Processing*.
# * D. Hendrycks, K. Gimpel (2016). Gaussian error linear units (GELUs). arXiv:1606.08415.
# * P. Ramachandran, B. Zoph, Q. V. Le (2017). Searching for activation functions. arXiv:1710.05941.
# * S. Elfwing, E. Uchibe, K. Doya (2018). Sigmoid-weighted linear units for neural network function
#   approximation in reinforcement learning. *Neural Networks* 107.
#
# ## What comes next
#
# Chapter 3 stacks `Linear` layers and these activations into **multi-layer perceptrons**: the forward pass
# of a whole network as matrix products, XOR solved with two hidden units, what the hidden units of a
# trained network compute, and deep-and-narrow against shallow-and-wide networks. Chapter 4 then asks what
# one hidden layer can represent (the universal approximation theorem), and Chapter 5 derives the
# backward pass every activation module here implements. The activation's interplay with the scale of the
# weights (the gains of Section 4) is Chapter 7's subject; normalisation layers, which keep
# pre-activations out of the flat regions, are Chapter 8's; Chapter 9 moves everything to PyTorch on a
# GPU, with the `torch.nn` activations this chapter has matched.
