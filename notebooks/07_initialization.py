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
# # Chapter 7 — Weight initialization
#
# Before the first gradient step, every weight of a network needs a value. The choice looks like a detail,
# and for a network of two layers it mostly is. For a deep network it decides whether training starts at
# all: each layer multiplies the signal going forward and the gradient going back by its weights, and thirty
# multiplications by a factor of 0.7 leave a hundred-thousandth. In this chapter we see why the weights cannot
# all start equal, watch signals vanish and explode layer by layer, derive the variance-preserving rules of
# LeCun, Glorot & Bengio and He et al., and reproduce, scaled down to run in seconds, the experiments with
# which Glorot & Bengio (2010) and He et al. (2015) made the case for their initialisations.
#
# **Learning objectives.** After this chapter you can
# 1. explain why a network whose weights start equal can never break the symmetry between its units;
# 2. measure the per-layer scale of activations and gradients, forward and backward, and recognise a
#    vanishing or exploding signal;
# 3. derive $\operatorname{Var}[z] = n\operatorname{Var}[w]\,\mathbb E[a^2]$ and from it LeCun's, Glorot's and
#    He's initialisations, the gains of `calculate_gain`, and the $\sqrt3$ of the uniform versions;
# 4. say what PyTorch's default `nn.Linear` initialisation is, and why it is not He's;
# 5. reproduce the per-layer statistics of Glorot & Bengio (2010) and the deep-ReLU experiment of He et al.
#    (2015), and judge what held at this scale;
# 6. describe orthogonal initialisation, dynamical isometry, and what normalisation layers and residual
#    connections change.
#
# **Prerequisites.** Chapter 2 (activations and their derivatives), Chapter 3 (`nn.build_mlp`, training with
# `SGD`), Chapter 5 (the backward pass with deltas $\delta^{(l)} = \partial L/\partial z^{(l)}$); expectations
# and variances of independent random variables.
#
# **Estimated time.** 2 hours, exercises included.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

import nncourse
import nncourse.plot
from nncourse import nn
from nncourse.data import batches, load_digits
from nncourse.nn import init
from nncourse.optim import SGD, Adam
from nncourse.plot import COLORS, OKABE_ITO

_ = nncourse.manual_seed(0)

(X_train, y_train), (X_val, y_val) = load_digits(return_split=True)
X_probe, y_probe = X_train[:512].astype(np.float64), y_train[:512]  # a fixed batch to look inside networks
INIT_COLORS = {"default": COLORS["neutral"], "xavier": OKABE_ITO["blue"], "kaiming": OKABE_ITO["green"],
               "orthogonal": OKABE_ITO["purple"], "small": OKABE_ITO["sky"], "large": OKABE_ITO["vermillion"]}


def train(model, steps, *, lr, optimizer=SGD, batch_size=32, rng=0):
    """Mini-batch training on the digits for `steps` steps: the loss of every step, and the val accuracy."""
    rng = np.random.default_rng(rng)
    criterion, optimizer = nn.CrossEntropyLoss(), optimizer(model.parameters(), lr=lr)
    losses = []
    while len(losses) < steps:
        for X_batch, y_batch in batches(X_train, y_train, batch_size, rng=rng):
            optimizer.zero_grad()
            losses.append(criterion(model(X_batch), y_batch))
            model.backward(criterion.backward())
            optimizer.step()
            if len(losses) == steps:
                break
    accuracy = float(np.mean(model(X_val).argmax(axis=1) == y_val))
    return np.array(losses), accuracy


# %% [markdown]
# Every experiment trains on the 8×8 digits of Chapter 3 (1438 training and 359 validation images), with the
# plain `SGD` of Chapter 3 (once with Chapter 6's `Adam`) and the small loop above; `X_probe` is a fixed batch
# of 512 training images that we push through networks to look inside them.
#
# ## 1. Why not zeros: symmetry
#
# Suppose every weight of a layer starts at the same value $c$ (zero is a special case). Then every hidden
# unit computes the same function of the input, so all of them output the same value; in the backward pass
# each receives the same delta and each of their weight vectors the same gradient. After the update they are
# still equal, and so on forever: a layer of 16 units trains like a layer of one. Randomness is what makes
# the units different, so the first job of an initialisation is to **break the symmetry**.
#
# A network $64 \to 16 \to 10$ with tanh, trained 300 steps from three starts: all weights zero, all weights
# $0.1$, and random (Xavier, Section 3). We count how many of the 16 hidden units are still different from each
# other, in their gradient at the first step and in their weights after training.

# %% tags=["nbval-check-output"]
starts = {
    "zeros": lambda weight, rng: init.zeros_(weight),
    "constant 0.1": lambda weight, rng: init.constant_(weight, 0.1),
    "random (Xavier)": lambda weight, rng: init.xavier_normal_(weight, gain=5 / 3, rng=rng),
}
symmetry, lines = {}, []
for name, fill in starts.items():
    model = nn.build_mlp([64, 16, 10], "tanh", init=fill, rng=0)
    _, _, weight_grads = nn.backward_by_layer(model, X_train[:32], y_train[:32], nn.CrossEntropyLoss())
    distinct_grads = len(np.unique(weight_grads[0].round(7), axis=0))
    losses, accuracy = train(model, 300, lr=0.1)
    W1 = model[0].weight.data
    symmetry[name] = W1
    lines.append(f"{name:>15}: distinct hidden units — first gradient {distinct_grads:2d}, after training "
                 f"{len(np.unique(W1.round(5), axis=0)):2d}; validation accuracy {accuracy:.2f}")
print("\n".join(lines))  # printed at once: the output does not depend on when the kernel flushes

# %%
fig, axes = plt.subplots(2, 8, figsize=nncourse.plot.SIZES["wide"])
for row, name in enumerate(("constant 0.1", "random (Xavier)")):
    W1 = symmetry[name]
    limit = np.abs(W1).max()
    for unit, ax in enumerate(axes[row]):
        ax.imshow(W1[unit].reshape(8, 8), cmap=nncourse.plot.DIVERGING_CMAP, vmin=-limit, vmax=limit)
        ax.set_xticks([]), ax.set_yticks([])
    axes[row, 0].set_ylabel(name, fontsize=9)
fig.suptitle("The first 8 of 16 hidden units after training: units that started equal are still equal")
plt.show()

# %% [markdown]
# With zeros nothing but the output bias ever moves: the hidden outputs are $\tanh(0) = 0$, so the output
# weights get zero gradient, and the deltas of the hidden layer, $W^{(2)\top}\delta^{(2)}$, are zero because
# $W^{(2)}$ is. The network predicts the most frequent digit of each batch. With the constant $0.1$ it
# barely learns, as a network with **one** hidden unit copied sixteen times (the top row: identical filters).
# Random weights give sixteen different features and a much better classifier. (Biases may start at zero:
# once the weights differ, the units differ.)
#
# ## 2. Too small, too large: a fixed variance through depth
#
# So the weights must be random. Draw them from $\mathcal N(0, \sigma^2)$ with a fixed $\sigma$, as early
# networks did, and stack ten tanh layers of width 128. `nn.layer_statistics(model, x, y, loss_fn)` runs one
# forward and one backward pass and returns, for every layer $l$, the standard deviation of its activations
# $a^{(l)}$, of its back-propagated gradient $\delta^{(l)} = \partial L/\partial z^{(l)}$ and of its weight
# gradient $\partial L/\partial W^{(l)}$.

# %%
def fixed_normal(std):
    return lambda weight, rng: init.normal_(weight, 0.0, std, rng=rng)


def deep_tanh(fill, depth=10, width=128, seed=0):
    return nn.build_mlp([64] + [width] * depth + [10], "tanh", init=fill, dtype=np.float64, rng=seed)


fixed_stds = (0.01, 0.03, 0.1, 0.3, 1.0)
fixed = {std: nn.layer_statistics(deep_tanh(fixed_normal(std)), X_probe, y_probe, nn.CrossEntropyLoss())
         for std in fixed_stds}

# %% tags=["nbval-check-output"]
print("weight std | activation std: layer 1, layer 10 | back-propagated δ std: layer 1, layer 10")
for std, stats in fixed.items():
    a, d = stats["activation_std"], stats["delta_std"]
    print(f"{std:10} | {a[0]:9.2g} {a[9]:9.2g}          | {d[0]:9.2g} {d[9]:9.2g}")

# %%
fig, axes = plt.subplots(1, 2, figsize=nncourse.plot.SIZES["wide"], sharex=True)
layers = np.arange(1, 12)
colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, len(fixed_stds)))
for (std, stats), color in zip(fixed.items(), colors, strict=True):
    axes[0].plot(layers[:-1], stats["activation_std"][:-1], "o-", color=color, label=f"σ = {std}")
    axes[1].plot(layers, stats["delta_std"], "o-", color=color)
axes[0].set(yscale="log", xlabel="hidden layer l", ylabel="std of a(l)", title="Forward: activations")
axes[1].set(yscale="log", xlabel="layer l", ylabel="std of δ(l) = ∂L/∂z(l)", title="Backward: gradients")
axes[0].legend(ncol=2, fontsize=8)
fig.suptitle("With a fixed weight std, the signal shrinks or saturates layer by layer (tanh, width 128)")
plt.show()

# %% [markdown]
# The histograms show the same thing as distributions, for the smallest and the largest $\sigma$: forward,
# the activations of successive layers, and backward, their deltas.

# %%
def layer_histograms(ax, arrays, picks, title, xlabel):
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, len(picks)))
    limit = max(np.abs(arrays[layer]).max() for layer in picks)
    for layer, color in zip(picks, colors, strict=True):
        ax.hist(arrays[layer].ravel(), bins=60, range=(-limit, limit), histtype="step", color=color,
                density=True, label=f"layer {layer}")
    ax.set(yscale="log", title=title, xlabel=xlabel)
    ax.ticklabel_format(axis="x", style="sci", scilimits=(-2, 2))


picks = [1, 4, 7, 10]
fig, axes = plt.subplots(2, 2, figsize=(10, 6))
for row, std in enumerate((0.01, 1.0)):
    model = deep_tanh(fixed_normal(std))
    outputs = nn.layer_activations(model, X_probe)
    _, deltas, _ = nn.backward_by_layer(model, X_probe, y_probe, nn.CrossEntropyLoss())
    layer_histograms(axes[row, 0], outputs, picks, f"σ = {std}: activations a(l)", "a")
    layer_histograms(axes[row, 1], deltas, picks, f"σ = {std}: back-propagated δ(l)", "δ")
axes[0, 0].legend(fontsize=8)
fig.suptitle("Too small: everything collapses to 0. Too large: units saturate at ±1 and gradients explode")
plt.show()

# %% [markdown]
# With $\sigma = 0.01$ each layer multiplies the spread of its input by about $\sigma\sqrt{n} = 0.11$: by
# layer 10 the activations have a standard deviation of about $10^{-10}$, every input gives the same output,
# and the gradient that flows back shrinks in the same way towards the first layer. With $\sigma = 1$ the pre-activations have a
# standard deviation near $\sqrt{128} \approx 11$: almost every tanh unit sits at $\pm 1$, so the forward
# signal carries little more than the signs. Backwards, the few units that are not saturated pass the gradient
# on through weights of standard deviation 1 summed over 128 units: the deltas grow by a factor of about 2.7 per
# layer towards the input, and layer 1's are seven thousand times larger than layer 10's. Only a narrow band of
# $\sigma$ (here about $0.1$, that is $1/\sqrt{128}$) keeps both passes level (with $0.3$ the forward pass is
# fine but the gradients already grow forty-fold), and that band moves with the width.
#
# ## 3. Variance preservation, derived
#
# Take one layer, $z_i = \sum_{j=1}^{n_\text{in}} w_{ij} a_j$ (biases zero), with weights drawn independently
# of everything else, of mean 0 and variance $\operatorname{Var}[w]$. Each term $w_{ij}a_j$ has mean 0 and
# variance $\operatorname{Var}[w]\,\mathbb E[a_j^2]$, and the terms are uncorrelated, so
#
# $$\operatorname{Var}[z] = n_\text{in}\operatorname{Var}[w]\;\mathbb E[a^2].$$
#
# Note the **second moment** $\mathbb E[a^2]$, not the variance of $a$: the mean of $a$ also reaches $z$.
# Backwards, $\delta_j = \sigma'(z_j)\sum_i w_{ij}\delta_i$ sums over the $n_\text{out}$ units that $a_j$ feeds,
# so $\operatorname{Var}[\delta^{(l)}] = n_\text{out}\operatorname{Var}[w]\,\mathbb E[\sigma'^2]\operatorname{Var}[\delta^{(l+1)}]$.
#
# * **LeCun et al. (1998)**: for an activation that is close to the identity around 0 (tanh), $\mathbb E[a^2]
#   \approx \operatorname{Var}[z_\text{prev}]$, and the forward variance is kept by $\operatorname{Var}[w] = 1/n_\text{in}$.
# * **Glorot & Bengio (2010)**: the backward pass wants $1/n_\text{out}$; they compromise on
#   $\operatorname{Var}[w] = 2/(n_\text{in} + n_\text{out})$ ("normalised" or **Xavier** initialisation).
# * **He et al. (2015)**: ReLU zeroes the negative half of a symmetric $z$, so $\mathbb E[a^2] =
#   \tfrac12\operatorname{Var}[z]$, and the factor 2 is put back: $\operatorname{Var}[w] = 2/n_\text{in}$
#   (**Kaiming** or He initialisation).
#
# `torch.nn.init` (and `nncourse.nn.init`) write all of these as $\operatorname{Var}[w] = \text{gain}^2/\text{fan}$.
# First the formula itself, checked on one wide layer with ReLU inputs:

# %% tags=["nbval-check-output"]
rng = np.random.default_rng(1)
a = np.maximum(rng.normal(0.0, 2.0, size=(4000, 400)), 0.0)  # ReLU outputs of pre-activations of std 2
weight = init.normal_(np.empty((300, 400)), 0.0, 0.05, rng=rng)
z = a @ weight.T
print(f"measured Var[z] = {z.var():.3g};  n·Var[w]·E[a²] = {400 * 0.05**2 * np.mean(a**2):.3g};  "
      f"E[a²] = {np.mean(a**2):.3g} = Var[z_prev]/2 = {2.0**2 / 2:.3g}")

# %% [markdown]
# The **gain** is the factor that undoes what the activation does to the second moment:
# $\text{gain}^2 = \operatorname{Var}[z]/\mathbb E[\sigma(z)^2]$. For ReLU it is exactly $\sqrt2$ by the
# argument above; for leaky ReLU with slope $a$ the negative half contributes $a^2$ of its share (Exercise 3
# derives the gain). For tanh PyTorch uses $5/3$, a value chosen empirically (tanh shrinks its input, so the
# gain must be above 1; Exercise 4 measures the exact fixed-point value); sigmoid gets 1, which is no
# derivation at all: sigmoid's mean of $\tfrac12$ breaks the zero-mean assumption, one reason it is a poor
# hidden activation (Section 5). SELU's $3/4$ was found empirically by PyTorch's developers.

# %% tags=["nbval-check-output"]
for name, param in (("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", 0.01),
                    ("leaky_relu", 0.2), ("selu", None)):
    label = name if param is None else f"{name}({param})"
    print(f"{label:>16}: gain {init.calculate_gain(name, param):.4f}")

# %% [markdown]
# **Uniform versus normal.** $U(-b, b)$ has variance $b^2/3$, so a uniform initialisation with the same
# variance as $\mathcal N(0, \text{std}^2)$ uses $b = \sqrt3\,\text{std}$: `xavier_uniform_` draws from
# $U\big(\pm\text{gain}\sqrt{6/(n_\text{in}+n_\text{out})}\big)$, `kaiming_uniform_` from
# $U\big(\pm\text{gain}\sqrt{3/\text{fan}}\big)$. Only the variance matters for the argument above; the two
# shapes train alike.

# %% tags=["nbval-check-output"]
shape = (256, 512)  # (n_out, n_in)
uniform = init.xavier_uniform_(np.empty(shape), rng=0)
normal = init.xavier_normal_(np.empty(shape), rng=0)
print(f"target std √(2/(n_in+n_out)) = {math.sqrt(2 / sum(shape)):.4f}; xavier_uniform_ std {uniform.std():.4f} "
      f"(largest |w| {np.abs(uniform).max():.4f} = √3·std = {math.sqrt(6 / sum(shape)):.4f}); "
      f"xavier_normal_ std {normal.std():.4f}")

# %% [markdown]
# ## 4. PyTorch's default for `nn.Linear` is not He initialisation
#
# `torch.nn.Linear` initialises its weight with `kaiming_uniform_(weight, a=√5)`, a leaky-ReLU gain of
# $\sqrt{2/(1+5)} = \sqrt{1/3}$, which is $U(\pm 1/\sqrt{n_\text{in}})$ with variance $1/(3n_\text{in})$, and its bias
# from $U(\pm 1/\sqrt{n_\text{in}})$ too. (Our `nn.Linear` does the same.) The name says Kaiming, but for a
# ReLU layer $n\operatorname{Var}[w]\cdot\tfrac12 = 1/6$: each layer divides the variance of the signal by 6,
# its standard deviation by $\sqrt6 \approx 2.45$. The biases keep the activations from reaching zero, but
# they are the same for every input, so what carries information about the input, the spread of a unit's
# output **across the batch**, still vanishes. We measure that spread, layer by layer, through 30 ReLU layers of
# width 64.

# %%
def spread_across_inputs(model, x):
    """Per hidden layer: each unit's std over the batch, averaged over the units (the input-dependent part)."""
    return np.array([a.std(axis=0).mean() for a in nn.layer_activations(model, x)[1:-1]])


def deep_relu(fill, depth=30, width=64, seed=0, dtype=np.float64):
    return nn.build_mlp([64] + [width] * depth + [10], "relu", init=fill, dtype=dtype, rng=seed)


spread = {name: spread_across_inputs(deep_relu(fill), X_probe)
          for name, fill in (("default", "default"), ("kaiming", "kaiming_normal"))}
per_layer = np.exp(np.mean(np.log(spread["default"][1:11] / spread["default"][:10])))

# %% tags=["nbval-check-output"]
print(f"PyTorch's default: spread across inputs divided by {1 / per_layer:.2f} per layer (theory √6 = "
      f"{math.sqrt(6):.2f}); layer 1 {spread['default'][0]:.2g}, layer 30 {spread['default'][-1]:.2g}")
print(f"He (kaiming_normal_): layer 1 {spread['kaiming'][0]:.2g}, layer 30 {spread['kaiming'][-1]:.2g}")

# %%
fig, ax = plt.subplots(figsize=nncourse.plot.SIZES["medium"])
for name, label in (("default", "PyTorch's default (kaiming_uniform_, a=√5)"), ("kaiming", "He: kaiming_normal_")):
    ax.plot(np.arange(1, 31), spread[name], "o-", ms=3, color=INIT_COLORS[name], label=label)
ax.set(yscale="log", xlabel="hidden layer l", ylabel="spread of a(l) across inputs",
       title="30 ReLU layers: the default init forgets the input")
ax.legend()
plt.show()

# %% [markdown]
# The default was chosen long ago for shallow networks (it goes back to the `Linear` of Lua Torch); PyTorch has
# kept it for compatibility, and its documentation suggests re-initialising for deep ReLU networks. Whenever
# you build a deep ReLU network yourself, call `kaiming_normal_` (or `kaiming_uniform_`) on its weights.
#
# ## 5. Reproducing Glorot & Bengio (2010)
#
# Glorot & Bengio trained networks of five hidden layers of 1000 tanh units on a synthetic image task and
# looked inside them: histograms of the activations and of the back-propagated gradients of each layer at
# initialisation (their Figures 6 and 7), comparing the then-standard initialisation
# $U(\pm 1/\sqrt{n_\text{in}})$ (PyTorch's default weights, with zero biases) with their normalised one,
# $U(\pm\sqrt{6/(n_\text{in}+n_\text{out})})$. Their theory predicts, for the standard one, that
# $n\operatorname{Var}[w] = 1/3$ makes the activations' standard deviation shrink by $\sqrt{1/3} \approx 0.58$
# per layer going up, and the back-propagated gradients by the same factor per layer going down, while the
# **weight** gradients, the product of the two, keep the same size in every layer. Scaled down: five tanh
# layers of width 256, the 512 probe images.

# %%
def standard_init(weight, rng):
    bound = 1 / math.sqrt(weight.data.shape[1])
    init.uniform_(weight, -bound, bound, rng=rng)


glorot = {}
glorot_models = {}
for name, fill in (("standard", standard_init), ("normalised", "xavier_uniform")):
    model = nn.build_mlp([64] + [256] * 5 + [10], "tanh", init=fill, dtype=np.float64, rng=0)
    glorot[name] = nn.layer_statistics(model, X_probe, y_probe, nn.CrossEntropyLoss())
    glorot_models[name] = model

# %% tags=["nbval-check-output"]
for name, stats in glorot.items():
    print(f"{name} initialisation, hidden layers 1..5:")
    for key, label in (("activation_std", "activations a(l)"), ("delta_std", "back-propagated δ(l)"),
                       ("weight_grad_std", "weight gradients")):
        values = stats[key][:5]
        ratios = values[1:] / values[:-1]
        print(f"  {label:>21}: std {' '.join(f'{v:.2g}' for v in values)};  layer-to-layer ratio "
              f"{np.exp(np.mean(np.log(ratios))):.2f}")

# %%
fig, axes = plt.subplots(2, 2, figsize=(10, 6))
for row, name in enumerate(("standard", "normalised")):
    outputs = nn.layer_activations(glorot_models[name], X_probe)
    _, deltas, _ = nn.backward_by_layer(glorot_models[name], X_probe, y_probe, nn.CrossEntropyLoss())
    layer_histograms(axes[row, 0], outputs, [1, 2, 3, 4, 5], f"{name}: activations", "a")
    layer_histograms(axes[row, 1], deltas, [1, 2, 3, 4, 5], f"{name}: back-propagated gradients", "δ")
axes[0, 0].legend(fontsize=8)
fig.suptitle("Glorot & Bengio's Figures 6–7, scaled down: standard init narrows layer by layer, normalised does not")
plt.show()

# %% [markdown]
# The ratios are the paper's prediction: with the standard initialisation the activations shrink by about
# $0.58$ per layer going up and the back-propagated gradients by about the same factor per layer going down
# (printed as a ratio above 1 from layer 1 to 5), while the weight gradients stay level across layers, the
# paper's own observation, which its theory explains. With the normalised initialisation all three stay
# close to constant (the activations lose about 5 % per layer, because Xavier's gain of 1 does not quite
# make up for tanh's compression; tanh's gain $5/3$ would), except that the first layer's weight gradient is
# larger than the others': its inputs are the raw pixels, not tanh outputs.
#
# **Sigmoid saturation (their Figure 2).** Glorot & Bengio also trained a four-layer **sigmoid** network from
# the standard initialisation and tracked the mean activation of each hidden layer: the top hidden layer was
# quickly driven to 0, the saturated end of the sigmoid, and stayed there for a long time, while the lower
# layers stayed near $\tfrac12$. Their explanation: at the start the output layer does better by relying on its
# biases and ignoring its noisy input $h$, which it can do by pushing $h$ to 0; but at 0 the sigmoid's
# derivative is small and the gradients that could pull it out are weak. We track the same means on the
# validation images while training four sigmoid layers of width 100 (batches of 10 as in the paper,
# learning rate 0.5, 1000 steps).

# %%
model = nn.build_mlp([64, 100, 100, 100, 100, 10], "sigmoid", init=standard_init, rng=0)
rng = np.random.default_rng(0)
criterion, optimizer = nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.5)
saturation_steps, layer_means = [], []
step = 0
while step < 1000:
    for X_batch, y_batch in batches(X_train, y_train, 10, rng=rng):
        if step % 20 == 0:
            saturation_steps.append(step)
            layer_means.append([a.mean() for a in nn.layer_activations(model, X_val)[1:-1]])
        optimizer.zero_grad()
        criterion(model(X_batch), y_batch)
        model.backward(criterion.backward())
        optimizer.step()
        step += 1
        if step == 1000:
            break
layer_means = np.array(layer_means)
sigmoid_accuracy = float(np.mean(model(X_val).argmax(axis=1) == y_val))

# %% tags=["nbval-check-output"]
for when in (0, 5, len(saturation_steps) - 1):
    print(f"step {saturation_steps[when]:4d}: mean activation of hidden layers 1-4 "
          f"{' '.join(f'{m:.2f}' for m in layer_means[when])}")
print(f"validation accuracy after 1000 steps: {sigmoid_accuracy:.2f}")

# %%
fig, ax = plt.subplots(figsize=nncourse.plot.SIZES["medium"])
for layer, color in zip(range(4), plt.get_cmap("viridis")(np.linspace(0, 0.9, 4)), strict=True):
    ax.plot(saturation_steps, layer_means[:, layer], color=color, label=f"hidden layer {layer + 1}")
ax.set(xlabel="SGD step", ylabel="mean activation", ylim=(0, 1),
       title="Sigmoid network: the top hidden layer saturates at 0")
ax.legend()
plt.show()

# %% [markdown]
# It held: within a hundred steps the top layer's mean falls from $0.5$ to $0.1$, and to $0.02$ by the end,
# while the lower layers stay near or above $\tfrac12$; after 1000 steps the network still predicts no better
# than chance.
# In the paper the top layer escapes after about a hundred epochs; we did not wait that long. Tanh and ReLU,
# symmetric or zero at 0, do not have this trap.
#
# ## 6. Reproducing He et al. (2015), Figure 3
#
# He et al. trained a 30-layer ReLU network (a convolutional one, on ImageNet) from Xavier's initialisation and
# from theirs: Xavier's "completely stalls", theirs converges. The derivation says why: Xavier's variance
# $2/(n_\text{in}+n_\text{out}) = 1/n$ for square layers is half of what ReLU needs, so each layer halves the
# variance of the signal, and 30 layers divide its standard deviation by $2^{15} \approx 33\,000$. Scaled down: 30
# hidden ReLU layers of width 64 on the digits, `xavier_normal_` against `kaiming_normal_` (biases zero), the
# same SGD (learning rate 0.02, batches of 32, 400 steps), three seeds each.

# %%
he_runs = {"xavier": [], "kaiming": []}
he_scales = {}
for name, fill in (("xavier", "xavier_normal"), ("kaiming", "kaiming_normal")):
    he_scales[name] = nn.layer_statistics(deep_relu(fill), X_probe, y_probe, nn.CrossEntropyLoss())
    for seed in range(3):
        model = deep_relu(fill, seed=seed, dtype=np.float32)
        he_runs[name].append(train(model, 400, lr=0.02, rng=seed))

# %% tags=["nbval-check-output"]
for name, stats in he_scales.items():
    a = stats["activation_std"]
    print(f"{name:>7} at init: activation std at layers 1, 10, 20, 30 = "
          f"{a[0]:.2g}, {a[9]:.2g}, {a[19]:.2g}, {a[29]:.2g}; δ std at layer 1 / layer 31 = "
          f"{stats['delta_std'][0] / stats['delta_std'][30]:.2g}")
for name, runs in he_runs.items():
    final = np.array([losses[-50:].mean() for losses, _ in runs])
    print(f"{name:>7}: seeds whose training loss left log 10 = 2.30 (fell below 2.25): {np.sum(final < 2.25)} of 3")

# %% [markdown]
# The exact losses and accuracies after 400 steps of a 30-layer network depend on the last bits of every matrix
# product, so they are printed here without being checked (your numbers may differ a little):

# %%
for name, runs in he_runs.items():
    final = [losses[-50:].mean() for losses, _ in runs]
    accuracy = [acc for _, acc in runs]
    print(f"{name:>7} after 400 steps: training loss {np.mean(final):.2f} (seeds {min(final):.2f}–{max(final):.2f}), "
          f"validation accuracy {np.mean(accuracy):.2f} ({min(accuracy):.2f}–{max(accuracy):.2f})")

# %%
fig, ax = plt.subplots(figsize=nncourse.plot.SIZES["medium"])
window = 20
for name, runs in he_runs.items():
    curves = np.array([np.convolve(losses, np.ones(window) / window, mode="valid") for losses, _ in runs])
    steps = np.arange(window, 401)
    ax.fill_between(steps, curves.min(axis=0), curves.max(axis=0), color=INIT_COLORS[name], alpha=0.25)
    ax.plot(steps, curves.mean(axis=0), color=INIT_COLORS[name], label=f"{name} (3 seeds: mean, min–max)")
ax.axhline(math.log(10), color=COLORS["neutral"], ls="--", lw=1, label="log 10: chance")
ax.set(xlabel="SGD step", ylabel="training loss (running mean of 20 steps)",
       title="30-layer ReLU MLP: Xavier stalls, Kaiming trains (He et al. Fig. 3)")
ax.legend()
plt.show()

# %% [markdown]
# It held at this scale, on every seed: from Xavier's initialisation the loss does not leave $\log 10 \approx 2.30$
# (the output knows almost nothing about the input: the activations' scale falls from 0.25 at layer 1 to
# $1.4\times10^{-5}$ at layer 30, and the first layer's gradient is $2\times10^{-5}$ of the last's), while from
# Kaiming's every seed learns, though slowly and with a wide spread between seeds; a 30-layer plain MLP is hard
# to train with plain SGD even when the scale is right (Section 8 says what helps). Xavier is no worse than
# Kaiming for tanh, for which it was derived; the stall is the missing factor 2 of ReLU, compounded 30 times.
#
# **Adam can hide a bad initialisation.** Chapter 6's adaptive optimisers divide each parameter's step by a
# running estimate of its gradient's size, so a layer whose gradients are $10^{-5}$ times too small still moves
# at the full learning rate. The same 30-layer network from Xavier's initialisation, the one that stalled under
# SGD, trained with `nncourse.optim.Adam` (learning rate $10^{-3}$, the same batches, three seeds, 150 steps):

# %%
adam_runs = [train(deep_relu("xavier_normal", seed=seed, dtype=np.float32), 150, lr=1e-3, optimizer=Adam, rng=seed)
             for seed in range(3)]

# %% tags=["nbval-check-output"]
escaped = sum(losses[-30:].mean() < 2.25 for losses, _ in adam_runs)
print(f"Xavier + Adam: seeds whose training loss fell below 2.25 within 150 steps: {escaped} of 3")

# %%
for seed, (losses, accuracy) in enumerate(adam_runs):
    print(f"Xavier + Adam, seed {seed}: training loss {losses[:20].mean():.2f} → {losses[-30:].mean():.2f}, "
          f"validation accuracy {accuracy:.2f}")

# %% [markdown]
# Adam moves the network SGD could not: every seed leaves the plateau within 150 steps (SGD's loss had not
# left 2.30 after 400). In runs with PyTorch's `Adam` and a larger learning rate that we tried while writing
# this chapter, some seeds never escaped: Adam hides much of a bad scale, not all of it, and not always. That
# is a reason to be careful when comparing initialisations with an adaptive optimiser, not a reason to ignore
# initialisation: Adam rescales the *updates*, not the forward signal, so at the start the output still knows
# nothing about the input, and the first steps are spent undoing the bad scale.
#
# ### Explore: signal propagation, layer by layer
#
# One picture sums up Sections 2–6: the scale of every layer's activations going forward and of its
# back-propagated gradients coming back, for the same 30-layer ReLU network under three initialisations.
# A good initialisation keeps both curves level; a factor $r$ per layer becomes $r^{30}$ at the far end.

# %%
propagation = {"default": nn.layer_statistics(deep_relu("default"), X_probe, y_probe, nn.CrossEntropyLoss()),
               "xavier": he_scales["xavier"], "kaiming": he_scales["kaiming"]}
labels = {"default": "PyTorch's default", "xavier": "Xavier normal", "kaiming": "Kaiming normal (He)"}
fig, axes = plt.subplots(1, 2, figsize=nncourse.plot.SIZES["wide"], sharex=True)
for name, stats in propagation.items():
    axes[0].plot(np.arange(1, 32), stats["activation_std"], "o-", ms=3, color=INIT_COLORS[name], label=labels[name])
    axes[1].plot(np.arange(1, 32), stats["delta_std"], "o-", ms=3, color=INIT_COLORS[name])
axes[0].set(yscale="log", xlabel="layer l (31 = output)", ylabel="std of a(l)", title="Forward: activations")
axes[1].set(yscale="log", xlabel="layer l (31 = output)", ylabel="std of δ(l) = ∂L/∂z(l)",
            title="Backward: gradients")
axes[0].legend(fontsize=8)
fig.suptitle("30 ReLU layers: only He's initialisation keeps both passes level")
plt.show()

# %% [markdown]
# PyTorch's default keeps the activations from vanishing only through its biases (the part that depends on
# the input vanishes, Section 4), and its gradients fade by twelve orders of magnitude on the way down;
# Xavier's lose a factor of about $\sqrt2$ per layer both ways; He's stay within a factor of a few.
#
# The widget below draws the same two curves for any network on the digits: up to 50 hidden layers, any width,
# any activation of `nn.ACTIVATIONS`, any initialisation of `nn.INITS` (PyTorch's default included) and a
# **gain** that multiplies every weight the scheme draws ($\operatorname{Var}[w]$ times gain²). The
# histograms show the activations and gradients of one layer (the dashed line on the left), and **play**
# trains the network with SGD for 300 steps of 32 digits, so you see whether it learns; the curves then
# follow the trained network, dashed where it started. Things to try, at depth 30 and width 64:
#
# * ReLU with Xavier normal, then Kaiming normal: the forward curve falls by about $10^{-5}$, then stays level;
#   press play for each (Xavier stays at the chance loss $\log 10$, Kaiming learns).
# * Kaiming normal with gain 1.5: a factor 1.5 per layer is $10^{5}$ after thirty; training diverges at once.
# * tanh with PyTorch's default: the activations keep a scale (through the biases), but the gradients reaching
#   layer 1 are $10^{-8}$ of the output's, and nothing trains; with Xavier normal it trains.
# * sigmoid: its derivative is at most $\tfrac14$; with any scheme, even at gain 4, the gradients reaching
#   layer 1 are $10^{-4}$ of the output's or less.

# %%
from nncourse.widgets.signal_propagation import SignalPropagationExplorer

SignalPropagationExplorer(depth=30, width=64, activation="relu", init="xavier_normal")

# %% [markdown]
# ## 7. Orthogonal initialisation and dynamical isometry
#
# Keeping the *variance* right is a statement about averages. Saxe, McClelland & Ganguli (2014) looked at deep
# **linear** networks and asked for more: the end-to-end map $W^{(L)}\cdots W^{(1)}$ should keep the length of
# *every* vector, not just of a typical one. Products of Gaussian matrices do not: even with variance $1/n$
# their singular values spread out exponentially with depth, some directions amplified, others lost.
# Orthogonal matrices ($Q^\top Q = I$, `init.orthogonal_`) keep every singular value at exactly 1 at any depth.
# Pennington, Schoenholz & Ganguli (2017) called this **dynamical isometry** (all singular values of the
# input–output Jacobian near 1) and showed that it speeds up learning; sigmoid-shaped activations such as tanh
# can reach it with orthogonal weights, ReLU cannot (its derivative zeroes half the directions).

# %% tags=["nbval-check-output"]
def end_to_end_singular_values(fill, depth=30, width=64, seed=0):
    rng = np.random.default_rng(seed)
    product = np.eye(width)
    for _ in range(depth):
        product = fill(np.empty((width, width)), rng=rng) @ product
    return np.linalg.svd(product, compute_uv=False)


isometry = {"gaussian": end_to_end_singular_values(lambda w, rng: init.normal_(w, 0.0, 1 / math.sqrt(64), rng=rng)),
            "orthogonal": end_to_end_singular_values(init.orthogonal_)}
for name, s in isometry.items():
    print(f"{name:>10}, 30 linear layers: singular values from {s.min():.2g} to {s.max():.2g}")

# %%
fig, ax = plt.subplots(figsize=nncourse.plot.SIZES["medium"])
bins = np.logspace(-18, 1, 58)
ax.hist(isometry["gaussian"], bins=bins, color=COLORS["neutral"], label="Gaussian, Var[w] = 1/n")
ax.axvline(1.0, color=INIT_COLORS["orthogonal"], lw=3, label="orthogonal: all exactly 1")
ax.set(xscale="log", xlabel="singular value of W(30)···W(1)", ylabel="count",
       title="Right variance is not isometry: a Gaussian product loses most directions")
ax.legend()
plt.show()

# %% [markdown]
# ## 8. What normalisation and residual connections change
#
# Everything above assumes that nothing rescales the signal between layers. Two later inventions do:
#
# * **Normalisation layers** (Chapter 8): batch normalisation (Ioffe & Szegedy 2015) and layer normalisation
#   rescale every layer's pre-activations to mean 0 and variance 1, so the forward scale no longer depends on
#   the weights' scale at all; initialisation matters much less, though it still sets where training starts.
# * **Residual connections** (He et al. 2016): a block computes $h + F(h)$, so the signal always has an
#   identity path and cannot vanish. But the variances *add up*: with a branch initialised to preserve its own
#   variance, each block doubles the variance of $h$. Residual networks therefore start each branch small or
#   at zero (the last layer's scale set to 0 in Goyal et al. 2017; Fixup, Zhang et al. 2019). Thirty residual
#   blocks $h \leftarrow h + W\,\mathrm{ReLU}(h)$ of width 64 show it:

# %% tags=["nbval-check-output"]
def residual_spread(branch_std, depth=30, width=64, seed=0):
    rng = np.random.default_rng(seed)
    h = X_probe @ init.kaiming_normal_(np.empty((width, 64)), rng=rng).T
    start = h.std()
    for _ in range(depth):
        h = h + np.maximum(h, 0) @ init.normal_(np.empty((width, width)), 0.0, branch_std, rng=rng).T
    return h.std() / start


branches = {"He branch, √(2/n)": math.sqrt(2 / 64), "scaled branch, √(2/n)/√30": math.sqrt(2 / 64 / 30),
            "zero branch": 0.0}
growth = {label: residual_spread(std) for label, std in branches.items()}
for label, ratio in growth.items():
    print(f"{label:>26}: std after 30 residual blocks / std before = {ratio:.3g}")

# %% [markdown]
# With He-initialised branches the signal grows by about $\sqrt2$ per block ($2^{15}$ after thirty); scaling
# each branch by $1/\sqrt{\text{depth}}$ keeps the growth moderate, and zero branches start as the identity.
#
# ## 9. The same in PyTorch
#
# `torch.nn.init` has the same functions with the same names and arguments. Two checks. First, our 30-layer
# Kaiming network with its weights copied into `torch.nn.Linear` layers: the per-layer statistics of one
# forward and backward pass are the same to float64 precision. Second, networks initialised by
# `torch.nn.init` itself (PyTorch's generator, so different numbers) have the same per-layer behaviour: the
# same shrink factor per layer for Xavier, the same level scale for Kaiming.

# %%
import torch

torch.set_num_threads(1)


def torch_copy(model):
    layers = []
    for module in model:
        if isinstance(module, nn.Linear):
            layer = torch.nn.Linear(module.in_features, module.out_features, dtype=torch.float64)
            with torch.no_grad():
                layer.weight.copy_(torch.from_numpy(module.weight.data))
                layer.bias.copy_(torch.from_numpy(module.bias.data))
            layers.append(layer)
        else:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def torch_layer_statistics(model, x, y):
    """The per-layer stds of nn.layer_statistics, computed by PyTorch's autograd."""
    h, pre_activations, outputs = torch.from_numpy(x), [], []
    for module in model:
        h = module(h)
        if isinstance(module, torch.nn.Linear):
            h.retain_grad()
            pre_activations.append(h)
        else:
            outputs.append(h)
    outputs.append(h)
    model.zero_grad()
    torch.nn.functional.cross_entropy(h, torch.from_numpy(y)).backward()
    return {"activation_std": np.array([a.std(unbiased=False).item() for a in outputs]),
            "delta_std": np.array([z.grad.std(unbiased=False).item() for z in pre_activations])}


ours = deep_relu("kaiming_normal")
theirs = torch_layer_statistics(torch_copy(ours), X_probe, y_probe)
mine = nn.layer_statistics(ours, X_probe, y_probe, nn.CrossEntropyLoss())

# %% tags=["nbval-check-output"]
for key in ("activation_std", "delta_std"):
    gap = np.max(np.abs(mine[key] / theirs[key] - 1))
    print(f"same weights, {key}: largest relative difference ours vs PyTorch < 1e-10: {gap < 1e-10}")


# %%
def torch_deep_relu(init_name, seed, depth=30, width=64, dtype=torch.float64):
    torch.manual_seed(seed)
    layers = []
    for n_in, n_out in zip([64] + [width] * depth, [width] * depth + [10], strict=True):
        layer = torch.nn.Linear(n_in, n_out, dtype=dtype)
        getattr(torch.nn.init, init_name)(layer.weight)
        torch.nn.init.zeros_(layer.bias)
        layers += [layer, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


def shrink_per_layer(activation_std):
    return float(np.exp(np.mean(np.log(activation_std[1:30] / activation_std[:29]))))


# %% tags=["nbval-check-output"]
factors = {}
for name, torch_name in (("xavier", "xavier_normal_"), ("kaiming", "kaiming_normal_")):
    torch_factor = np.mean([shrink_per_layer(torch_layer_statistics(torch_deep_relu(torch_name, seed), X_probe,
                                                                    y_probe)["activation_std"]) for seed in range(3)])
    our_factor = np.mean([shrink_per_layer(nn.layer_statistics(deep_relu(torch_name[:-1], seed=seed), X_probe, y_probe,
                                                               nn.CrossEntropyLoss())["activation_std"])
                          for seed in range(3)])
    factors[name] = our_factor, torch_factor
for name, (our_factor, torch_factor) in factors.items():
    print(f"{name:>7}: activation std factor per layer, mean of 3 seeds: ours {our_factor:.2f}, "
          f"torch.nn.init {torch_factor:.2f}")

# %% [markdown]
# Xavier's factor is close to the $\sqrt{1/2} \approx 0.71$ of the derivation, Kaiming's close to 1, whichever
# library drew the weights.
#
# ## Exercises
#
# Each exercise has a solution cell (collapsed: try first!) and a checker cell that runs your code on known
# inputs, gives a hint if something is off, and shows your points: a partly right answer earns points in
# proportion to the checker's cases it passes.
#
# ### Exercise 1: the Xavier uniform bound (2 points)
#
# Return the bound $b$ of Glorot's uniform initialisation $U(-b, b)$ for a weight with `fan_in` inputs and
# `fan_out` outputs per unit and a given `gain`, so that its variance is
# $\text{gain}^2 \cdot 2/(n_\text{in} + n_\text{out})$.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch07-xavier-bound", "locked": false, "schema_version": 3, "solution": true, "task": false}
def xavier_uniform_bound(fan_in, fan_out, gain=1.0):
    """The bound b of U(-b, b) with variance gain² · 2 / (fan_in + fan_out)."""
    ### BEGIN SOLUTION
    return gain * math.sqrt(6.0 / (fan_in + fan_out))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch07-xavier-bound-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch07 import check_xavier_uniform_bound

check_xavier_uniform_bound(xavier_uniform_bound)

# %% [markdown]
# ### Exercise 2: the Kaiming normal standard deviation (2 points)
#
# Return the standard deviation that `kaiming_normal_(w, mode="fan_in", nonlinearity=nonlinearity)` uses for a
# layer with `fan_in` inputs per unit, for `nonlinearity` one of `"linear"`, `"sigmoid"`, `"tanh"`, `"relu"`.
# Write the gains yourself rather than calling `calculate_gain`.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch07-kaiming-std", "locked": false, "schema_version": 3, "solution": true, "task": false}
def kaiming_normal_std(fan_in, nonlinearity):
    """std = gain / √fan_in for the given nonlinearity."""
    ### BEGIN SOLUTION
    gains = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5 / 3, "relu": math.sqrt(2.0)}
    return gains[nonlinearity] / math.sqrt(fan_in)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch07-kaiming-std-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch07 import check_kaiming_normal_std

check_kaiming_normal_std(kaiming_normal_std)

# %% [markdown]
# ### Exercise 3: the gain of leaky ReLU, derived (2 points)
#
# A leaky ReLU passes $z$ for $z > 0$ and $a z$ for $z \le 0$. For $z \sim \mathcal N(0, \operatorname{Var}[z])$,
# compute $\mathbb E[\operatorname{LeakyReLU}(z)^2]$ (each half of the symmetric distribution carries half of
# $\mathbb E[z^2]$), then the gain with $\text{gain}^2 = \operatorname{Var}[z]/\mathbb E[\operatorname{LeakyReLU}(z)^2]$.
# Return it for a given `negative_slope`.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch07-leaky-gain", "locked": false, "schema_version": 3, "solution": true, "task": false}
def leaky_relu_gain(negative_slope):
    """The gain that keeps the variance through a leaky ReLU with this negative slope."""
    ### BEGIN SOLUTION
    # E[f(z)²] = ½E[z²] + ½a²E[z²] = (1 + a²)/2 · Var[z]
    return math.sqrt(2.0 / (1 + negative_slope**2))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch07-leaky-gain-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch07 import check_leaky_relu_gain

extra_cases = []
### BEGIN HIDDEN TESTS
# An instructor's hidden cases, (negative_slope,): PReLU-like slopes the learner has not seen.
extra_cases = [(0.1,), (0.3,)]
### END HIDDEN TESTS
check_leaky_relu_gain(leaky_relu_gain, extra_cases)

# %% [markdown]
# ### Exercise 4: the gain of any activation, measured (3 points)
#
# For an activation `f` (a NumPy function such as `np.tanh` or `F.gelu`), return the gain that keeps
# $\operatorname{Var}[z] = 1$ from one layer to the next: by Section 3, $\text{gain} = 1/\sqrt{\mathbb E[f(z)^2]}$
# with $z \sim \mathcal N(0, 1)$. Estimate the expectation by sampling a million values of $z$ (the checker
# accepts 2 % error). Compare your tanh value with PyTorch's $5/3$, and your GELU value with the $\sqrt2$ that
# `nn.get_activation("gelu").gain()` uses.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch07-measured-gain", "locked": false, "schema_version": 3, "solution": true, "task": false}
def variance_preserving_gain(f):
    """1 / √E[f(z)²] for z ~ N(0, 1), estimated by sampling."""
    ### BEGIN SOLUTION
    z = np.random.default_rng(0).standard_normal(1_000_000)
    return float(1 / np.sqrt(np.mean(f(z) ** 2)))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch07-measured-gain-check", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch07 import check_variance_preserving_gain

check_variance_preserving_gain(variance_preserving_gain)

# %% [markdown]
# ### Exercise 5 (open-ended): make a 20-layer tanh network train (4 points)
#
# The checker builds `nn.build_mlp([64] + [32] * 20 + [10], "tanh", init=my_init)` (biases zero), trains it
# with SGD (learning rate 0.05, 400 steps of 32 digits) and asks for 60 % validation accuracy. With PyTorch's
# default initialisation it stays at chance. Write `my_init(weight, rng)`, which fills one `Parameter`
# `weight` in place using the `nn.init` functions (pass `rng=rng` to them); any scheme that works is fine.
# The checker tells you the activation scale at layers 1 and 20 of your initialisation.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch07-deep-tanh", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_init(weight, rng):
    """Fill the weight of one Linear layer of a deep tanh network, in place."""
    ### BEGIN SOLUTION
    init.orthogonal_(weight, gain=init.calculate_gain("tanh"), rng=rng)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch07-deep-tanh-check", "locked": true, "points": 4, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch07 import check_deep_tanh_init

check_deep_tanh_init(my_init)

# %% [markdown]
# ## Summary
#
# - Weights must be random: units that start equal receive equal gradients and stay equal (zeros also stop
#   every gradient but the output bias's).
# - Each layer multiplies the variance of the signal by $n_\text{in}\operatorname{Var}[w]$ times the
#   activation's factor $\mathbb E[\sigma(z)^2]/\operatorname{Var}[z]$, and the variance of the gradient by
#   $n_\text{out}\operatorname{Var}[w]\,\mathbb E[\sigma'^2]$: through depth these factors compound, so anything but 1
#   vanishes or explodes.
# - $\operatorname{Var}[w] = \text{gain}^2/\text{fan}$: LeCun $1/n_\text{in}$, Glorot $2/(n_\text{in}+n_\text{out})$,
#   He $2/n_\text{in}$ for ReLU; uniform versions use the bound $\sqrt3\cdot$std.
# - PyTorch's default `nn.Linear` initialisation has variance $1/(3n_\text{in})$: fine for shallow networks,
#   wrong by a factor 6 per layer for deep ReLU networks.
# - Glorot & Bengio's per-layer statistics and sigmoid saturation, and He et al.'s Xavier-versus-Kaiming stall,
#   reproduce on the digits in seconds (numbers in the closing note).
# - Orthogonal weights keep every direction, not just the average; normalisation and residual connections
#   change the picture, and Adam can mask a bad scale.
#
# ## Common pitfalls
#
# - **Zero or constant weights** for hidden layers (biases at zero are fine).
# - **Xavier for ReLU** (or leaving PyTorch's default) in a deep ReLU network: the signal halves, or worse, at
#   every layer.
# - **Forgetting the gain** (`kaiming_normal_(w, nonlinearity="tanh")` and `xavier_normal_(w, gain=...)`); and
#   `kaiming_*`'s default `nonlinearity="leaky_relu"` with `a=0` is ReLU's gain, not leaky ReLU's.
# - **The wrong fan**: PyTorch's weight has shape `(out_features, in_features)`, so `fan_in` is `shape[1]`.
# - **Confusing the bound with the std** of a uniform distribution (a factor $\sqrt3$).
# - **Judging an initialisation with Adam only**: adaptive steps can hide a scale that SGD cannot recover from.
#
# ## References
#
# - Y. LeCun, L. Bottou, G. B. Orr, K.-R. Müller (1998). Efficient BackProp. In *Neural Networks: Tricks of
#   the Trade*, Springer.
# - X. Glorot, Y. Bengio (2010). Understanding the difficulty of training deep feedforward neural networks.
#   *AISTATS*.
# - K. He, X. Zhang, S. Ren, J. Sun (2015). Delving deep into rectifiers: surpassing human-level performance
#   on ImageNet classification. *ICCV*.
# - A. M. Saxe, J. L. McClelland, S. Ganguli (2014). Exact solutions to the nonlinear dynamics of learning in
#   deep linear neural networks. *ICLR*.
# - J. Pennington, S. S. Schoenholz, S. Ganguli (2017). Resurrecting the sigmoid in deep learning through
#   dynamical isometry: theory and practice. *NeurIPS*.
# - S. Ioffe, C. Szegedy (2015). Batch normalization. *ICML*. — K. He, X. Zhang, S. Ren, J. Sun (2016). Deep
#   residual learning for image recognition. *CVPR*.
# - P. Goyal et al. (2017). Accurate, large minibatch SGD: training ImageNet in 1 hour. arXiv:1706.02677. —
#   H. Zhang, Y. N. Dauphin, T. Ma (2019). Fixup initialization. *ICLR*.
# - D. P. Kingma, J. Ba (2014). Adam: a method for stochastic optimization. arXiv:1412.6980.
# - UvA Deep Learning Tutorial 4 (initialisation and optimisation); Stanford CS231n notes, *Neural networks
#   part 2*; d2l.ai, *Numerical stability and initialization*.
#
# ## Closing note: what we measured
#
# Reproduced at a scale that runs in seconds (widths 64–256 instead of 1000, the 8×8 digits instead of
# Shapeset or ImageNet, plain MLPs instead of convolutional networks); the numbers printed above, next to the
# papers':
#
# - **Glorot & Bengio (2010), Figs. 6–7, standard initialisation**: the paper predicts a factor
#   $\sqrt{1/3} \approx 0.58$ per layer for the activations (going up) and the back-propagated gradients (going
#   down), and level weight gradients; we measured 0.57 and 0.56 per layer, and weight gradients level to
#   within 1 %. **Held.** Normalised initialisation: the paper shows layer-independent distributions; we measured
#   factors 0.95 (activations) and 1.07 (gradients) per layer. **Held**, except that the first layer's weight
#   gradient (raw pixels as input) is larger than the others'.
# - **Glorot & Bengio, Fig. 2 (sigmoid)**: the top hidden layer saturates at 0 early while the others stay
#   near 0.5: **held** (mean 0.03 after 1000 steps, the other layers 0.51–0.73). The paper's later escape from
#   saturation (after ~100 epochs) was not reached in our 1000 steps.
# - **He et al. (2015), Fig. 3**: the 30-layer ReLU network stalls from Xavier and converges from Kaiming:
#   **held on all three seeds** (Xavier: loss stays at 2.30, validation accuracy at chance, 0.08; Kaiming: loss
#   1.45 after 400 steps, seeds 1.20–1.58, validation accuracy 0.33–0.45). Unlike the paper's curve, our Kaiming
#   runs are slow and uneven: a 30-layer plain MLP with plain SGD at width 64 is hard to train for reasons
#   beyond the scale.
# - **Adam** (`nncourse.optim.Adam`, learning rate $10^{-3}$) moved the Xavier network that SGD could not: all
#   three seeds left the plateau within 150 steps (training loss 1.67–1.98, validation accuracy 0.25–0.26;
#   SGD: 2.30 after 400 steps).
# - PyTorch's default `Linear` initialisation in 30 ReLU layers: the input-dependent spread shrinks by 2.53 per
#   layer (theory $\sqrt6 = 2.45$).
# - **Run time** of this notebook on the course's build machine (2 cores shared with other jobs, one BLAS
#   thread): 35–104 s of wall time as other jobs loaded it (load average 1–13), about 16–21 s of CPU time in the
#   kernel, of which the 30-layer SGD runs of Section 6 take 5.3 s, the Adam runs 2.4 s, the figures about 6 s,
#   `import torch` 2 s and the widget (its import and first picture) about 1 s.
#
# ## What comes next
#
# A good initialisation sets the right scale at the start; training can still drift away from it. Chapter 8
# adds regularisation and the normalisation layers that keep every layer's scale in place during training,
# batch and layer normalisation, which make deep networks far less sensitive to how they were initialised.
