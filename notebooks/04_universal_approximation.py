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
# # Chapter 4 — Universal approximation
#
# Chapter 3 showed that a hidden layer lets a network solve XOR, which no single neuron can. How far does
# that go? Remarkably far: **one hidden layer with enough units can approximate any continuous function on
# a closed and bounded (compact) region as closely as we like.** This is the *universal approximation
# theorem*: in principle, no continuous input-output relation is out of reach of a network, whatever the
# task. This chapter states
# the theorem precisely, then *builds* the approximating networks by hand, with weights we write down, so
# that the proof idea becomes something you can plot: steep sigmoids make steps, two steps make a bump, and
# a sum of bumps follows any curve. We measure how the error shrinks as units are added, compare hand-built
# weights with random features and with gradient-descent training, and see what the theorem does *not*
# say: how many units are needed, whether training finds them, and whether a network that fits the data
# points is right between them. A proof sketch carries the idea to inputs of any dimension. Depth enters at
# the end, with functions that a deep, narrow network builds with a handful of units and a shallow one needs
# exponentially many for: Telgarsky's sawtooth and Yarotsky's $x^2$.
#
# **Learning objectives.** After this chapter you can
# 1. state the universal approximation theorem (compact set, continuous target, sup norm, any $\varepsilon$)
#    and say what it does not promise;
# 2. build a bump from two steep sigmoids and a hat from three ReLUs, and write the weights of a
#    one-hidden-layer network whose sum of bumps approximates a given function;
# 3. measure the approximation error against the number of units on a log-log plot and explain the rates
#    $1/N$ (staircase) and $1/N^2$ (piecewise-linear interpolation);
# 4. compare hand-built weights, random features with a least-squares output layer, and training;
# 5. sketch why the theorem holds for inputs of any dimension (ridge functions), and show by example that
#    fitting the training points is not the same as approximating the function between them;
# 6. explain, with the sawtooth and with $x^2$, why depth can be exponentially more efficient than width,
#    and state how narrow a deep network may be and stay universal.
#
# **Prerequisites.** Chapter 2 (sigmoid, ReLU) and Chapter 3 (the layer $z = Wa + b$, $a = \sigma(z)$;
# batched forward passes). Some calculus: derivatives, Taylor's theorem for the error bounds.
#
# **Estimated time.** 1.5–2 hours, exercises included.

# %%
import matplotlib.pyplot as plt
import numpy as np

import nncourse
import nncourse.plot
from nncourse import functional as F
from nncourse import universal
from nncourse.data import target_function
from nncourse.plot import COLORS, SIZES

_ = nncourse.manual_seed(0)  # the default generator, for anything drawn without an explicit rng=

# %% [markdown]
# ## 1. The theorem
#
# A network with one hidden layer of $N$ units, one input $x \in \mathbb{R}^d$ and one output computes, in
# the course's notation,
#
# $$ \hat y(x) = W^{(2)} \sigma\big(W^{(1)} x + b^{(1)}\big) + b^{(2)}
#    = \sum_{j=1}^{N} w^{(2)}_j \, \sigma\big(w^{(1)}_j \cdot x + b^{(1)}_j\big) + b^{(2)}, $$
#
# with $W^{(1)} \in \mathbb{R}^{N \times d}$ (row $j$ is $w^{(1)}_j$), $b^{(1)} \in \mathbb{R}^N$,
# $W^{(2)} \in \mathbb{R}^{1 \times N}$ and $b^{(2)} \in \mathbb{R}$: a weighted sum of $N$ copies of one
# activation, each shifted and stretched.
#
# > **Universal approximation theorem.** Let $\sigma : \mathbb{R} \to \mathbb{R}$ be continuous and not a
# > polynomial. Let $K \subset \mathbb{R}^d$ be compact (closed and bounded), $f : K \to \mathbb{R}$
# > continuous, and $\varepsilon > 0$. Then there are $N$ and weights $W^{(1)}, b^{(1)}, W^{(2)}, b^{(2)}$
# > such that
# > $$ \sup_{x \in K} \big| f(x) - \hat y(x) \big| < \varepsilon . $$
#
# The theorem has a history of ever weaker conditions on $\sigma$:
# - **Cybenko (1989)** proved it for continuous *sigmoidal* $\sigma$ (limits 0 at $-\infty$ and 1 at
#   $+\infty$), such as the logistic sigmoid; **Hornik, Stinchcombe & White (1989)** for any "squashing"
#   function, independently and in the same year.
# - **Hornik (1991)** showed that what matters is the architecture, not the particular activation: any
#   continuous, bounded and non-constant $\sigma$ works (tanh, sigmoid, a Gaussian bump...).
# - **Leshno, Lin, Pinkus & Schocken (1993)** closed the question. Their theorem: let $\sigma$ be locally
#   bounded (bounded on every bounded interval) and let the closure of its set of discontinuity points have
#   Lebesgue measure zero. Then one-hidden-layer networks with activation $\sigma$ are dense in
#   $C(\mathbb{R}^d)$ (they approximate every continuous function uniformly on every compact set) **if and
#   only if $\sigma$ is not a polynomial** (more exactly: not equal to a polynomial almost everywhere). For
#   a continuous $\sigma$ both conditions hold, which gives the statement above; it covers the unbounded
#   ReLU and, beyond continuous activations, the step function. (With a polynomial $\sigma$ of degree $p$,
#   $\hat y$ is itself a polynomial of degree at most $p$, whatever $N$: not universal.)
#
# Every word matters. *Compact* $K$, closed and bounded: on all of $\mathbb{R}$ no network approximates
# $\sin x$ uniformly (a ReLU network is linear far away, a sigmoid network constant), and on an open or
# unbounded set the promise can fail ($1/x$ is continuous on $(0, 1)$, but unbounded there). *Continuous*
# $f$: a jump cannot be matched in the sup norm by a continuous $\hat y$ (the error near the jump stays at
# least half its height). *Sup norm*: the error is small **everywhere** on $K$, not just on
# average.
#
# **What it does not say.** It is an *existence* theorem. It gives no bound on $N$, which for a general
# continuous $f$ on $\mathbb{R}^d$ can grow exponentially with $d$ (Barron (1993) shows a rate whose exponent
# does not depend on $d$, an $L^2$ error of order $C_f/\sqrt{N}$, but only for functions whose Fourier
# transform has a finite first moment $C_f$). And it says nothing about *learning*: the weights exist, but
# gradient descent on a finite data set need not find them, and a network that fits the training points may
# still do badly between them. Existence, not efficiency, not learnability. The rest of the chapter makes each of these
# points measurable.

# %% [markdown]
# ## 2. Bumps: the building blocks
#
# A sigmoid with a large weight $k$ is almost a step: $\sigma(k(x - t))$ goes from $\approx 0$ to $\approx 1$
# within a few multiples of $1/k$ around $x = t$. As a hidden unit, it has weight $w = k$ and bias
# $b = -kt$. Subtracting a second step gives a **bump**, $\approx 1$ on $(\ell, r)$ and $\approx 0$ elsewhere:
#
# $$ \operatorname{bump}(x) = \sigma\big(k(x - \ell)\big) - \sigma\big(k(x - r)\big). $$
#
# ReLU units make bumps too. Three of them give a **hat** that rises linearly from $\ell$ to a peak at $p$
# and falls back to 0 at $r$, and four a trapezoid:
#
# $$ \operatorname{hat}(x) = \frac{\operatorname{relu}(x - \ell)}{p - \ell}
#    - \Big(\frac{1}{p - \ell} + \frac{1}{r - p}\Big)\operatorname{relu}(x - p)
#    + \frac{\operatorname{relu}(x - r)}{r - p}. $$

# %%
x = np.linspace(-1, 1, 801)
fig, axes = plt.subplots(1, 3, figsize=(SIZES["wide"][0], 4.0))
below = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.2), "fontsize": 8}  # legends under the axes, off the data
for k, color in zip((2, 8, 50), (COLORS["neutral"], COLORS["validation"], COLORS["train"]), strict=True):
    axes[0].plot(x, universal.sigmoid_step(x, 0.0, k), color=color, label=f"k = {k}")
axes[0].set(title="σ(k x): steeper with larger k", xlabel="x")
axes[0].legend(ncol=3, **below)
axes[1].plot(x, universal.sigmoid_step(x, -0.4, 50), color=COLORS["neutral"], linestyle="--",
             label="σ(k(x − ℓ))")
axes[1].plot(x, -universal.sigmoid_step(x, 0.4, 50), color=COLORS["neutral"], linestyle=":",
             label="−σ(k(x − r))")
axes[1].plot(x, universal.sigmoid_bump(x, -0.4, 0.4, 50), color=COLORS["model"], label="bump (sum)")
axes[1].set(title="two steep sigmoids make a bump", xlabel="x")
axes[1].legend(ncol=2, **below)
axes[2].plot(x, universal.relu_hat(x, -0.6, 0.0, 0.6), color=COLORS["model"], label="hat: 3 ReLUs")
axes[2].plot(x, universal.relu_bump(x, -0.6, 0.6, 0.2), color=COLORS["train"], linestyle="--",
             label="trapezoid: 4 ReLUs")
axes[2].set(title="ReLUs make hats and trapezoids", xlabel="x")
axes[2].legend(ncol=2, **below)
plt.show()

# %% [markdown]
# ## 3. Sums of bumps approximate any continuous function
#
# Cut the interval $[a, b]$ into $N + 1$ cells of width $h = (b-a)/(N+1)$, with centres $c_j$. Put a bump of
# height $f(c_j)$ on each cell and add them up: the result is a **staircase** that takes the value $f(c_j)$ on
# cell $j$. Neighbouring bumps share a step (one steps down where the next steps up), so the sum telescopes
# into $N$ steps at the inner cell edges $t_j = a + jh$, with heights equal to the jumps:
#
# $$ \hat y(x) = f(c_0) + \sum_{j=1}^{N} \big(f(c_j) - f(c_{j-1})\big)\, \sigma\big(k(x - t_j)\big). $$
#
# Read off the weights: $W^{(1)}_j = k$, $b^{(1)}_j = -k t_j$, $W^{(2)}_j = f(c_j) - f(c_{j-1})$ and
# $b^{(2)} = f(c_0)$. `universal.bump_network(f, N, (a, b))` builds exactly this (with $k = 40/h$, so each
# step is sharp compared with a cell). With ReLUs, the sum of hats on the knots $t_j = a + jh$
# ($h = (b - a)/N$) is the **piecewise-linear interpolant**, which equals $f$ at every knot; one ReLU per knot
# changes the slope there by the right amount: `bump_network(f, N, (a, b), kind="relu")`.
#
# Our running target is $f(x) = \sin(\pi x)$ on $K = [-1, 1]$ (`nncourse.data.target_function("sine")`).

# %% tags=["nbval-check-output"]
f = target_function("sine")
K = (-1.0, 1.0)
net = universal.bump_network(f, 4, K, kind="sigmoid")
(W1, b1), (W2, b2) = net.layers
with np.printoptions(precision=3, suppress=True):
    print("W1 =", W1.ravel(), "(all k = 40/h)")
    print("b1 =", b1, "(= −k t_j: steps at t_j = −0.6, −0.2, 0.2, 0.6)")
    print("W2 =", W2.ravel(), "(the jumps f(c_j) − f(c_j−1))")
    print("b2 =", b2, "(the first level f(c_0))")

# %%
x = np.linspace(*K, 801)
n = 8
fig, axes = plt.subplots(1, 2, figsize=SIZES["wide"], sharey=True)
# The sigmoid network's N + 1 bumps f(c_j)·bump_j; the outer edges are pushed out of [a, b].
h = 2 / (n + 1)
edges = np.concatenate([[-1 - h], -1 + h * np.arange(1, n + 1), [1 + h]])
for j in range(n + 1):
    centre = -1 + h * (j + 0.5)
    axes[0].plot(x, f(centre) * universal.sigmoid_bump(x, edges[j], edges[j + 1], 40 / h),
                 color=COLORS["neutral"], linewidth=1)
# The ReLU network's N + 1 hats f(t_j)·hat_j on the knots t_j.
knots = np.linspace(-1, 1, n + 1)
h = knots[1] - knots[0]
for t_j in knots:
    hat = universal.relu_hat(x, t_j - h, t_j, t_j + h)
    axes[1].plot(x, f(t_j) * hat, color=COLORS["neutral"], linewidth=1)
for ax, kind, name in ((axes[0], "sigmoid", "sigmoid bumps"), (axes[1], "relu", "ReLU hats")):
    net = universal.bump_network(f, n, K, kind=kind)
    ax.plot(x, f(x), color=COLORS["target"], label="target f")
    ax.plot(x, net(x), color=COLORS["model"], label=f"network, {n} units")
    max_error, rms = universal.approximation_error(f, net, K)
    ax.set(xlabel="x", title=f"{name}: max error {max_error:.2f}")
axes[0].legend(loc="upper center", bbox_to_anchor=(1.0, -0.18), ncol=2, fontsize=8)
fig.suptitle("A sum of bumps follows the curve (grey: the bumps, each scaled by a value of f)")
plt.show()

# %% [markdown]
# The constructed weights are ordinary network weights. Loaded into `nncourse.nn.Linear` layers (with
# `Network.to_module`) and into PyTorch's `torch.nn.Linear`, the network gives the same outputs:

# %% tags=["nbval-check-output"]
import torch

net = universal.bump_network(f, 8, K, kind="sigmoid")
model = net.to_module(dtype=np.float64)  # Sequential(Linear(1, 8), Sigmoid(), Linear(8, 1))
torch_model = torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.Sigmoid(), torch.nn.Linear(8, 1)).double()
with torch.no_grad():
    for layer, (W, b) in zip((torch_model[0], torch_model[2]), net.layers, strict=True):
        layer.weight.copy_(torch.from_numpy(W))
        layer.bias.copy_(torch.from_numpy(b))
x_test = np.linspace(-1.5, 1.5, 301)[:, None]
ours = model(x_test)
theirs = torch_model(torch.from_numpy(x_test)).detach().numpy()
print(model)
print("max |nncourse − torch| < 1e-12:", bool(np.max(np.abs(ours - theirs)) < 1e-12))
print("max |nncourse − Network| < 1e-12:", bool(np.max(np.abs(ours[:, 0] - net(x_test[:, 0]))) < 1e-12))

# %% [markdown]
# ## 4. How fast does the error shrink?
#
# The theorem says the error can be made as small as we like; the construction says how fast it falls.
# On a cell of width $h$ the staircase holds the value at the centre, so by the mean value theorem its error
# is at most $\max|f'| \cdot h/2$: **order $1/N$**. The interpolant is exact at the knots, and Taylor's
# theorem bounds its error between knots by $\max|f''| \cdot h^2/8$: **order $1/N^2$**, as long as $f$ is
# twice differentiable. Measure it, on a grid of 2,001 points, and fit the slope of $\log(\text{error})$
# against $\log N$:

# %% tags=["nbval-check-output"]
units = np.array([2, 4, 8, 16, 32, 64, 128])
errors = {kind: np.array([universal.approximation_error(f, universal.bump_network(f, n, K, kind=kind), K)
                          for n in units]) for kind in ("sigmoid", "relu")}
bounds = {"sigmoid": np.pi / (units + 1), "relu": np.pi**2 / (2 * units**2)}  # max|f′|h/2 and max|f″|h²/8
print("    N   staircase: max   bound π/(N+1)  ratio   interpolation: max   bound π²/(2N²)  ratio")
for i, n in enumerate(units):
    s_max, r_max = errors["sigmoid"][i, 0], errors["relu"][i, 0]
    print(f"{n:5d}        {s_max:9.3g}   {bounds['sigmoid'][i]:11.3g}   {s_max / bounds['sigmoid'][i]:.4f}"
          f"            {r_max:9.3g}   {bounds['relu'][i]:12.3g}   {r_max / bounds['relu'][i]:.4f}")
for kind, name in (("sigmoid", "staircase"), ("relu", "interpolation")):
    slope = np.polyfit(np.log(units[2:]), np.log(errors[kind][2:, 0]), 1)[0]
    print(f"{name}: max error ∝ N^{slope:.2f} (fitted for N ≥ 8)")

# %%
fig, ax = plt.subplots(figsize=SIZES["medium"])
ax.loglog(units, errors["sigmoid"][:, 0], "o-", color=COLORS["train"], label="sigmoid staircase (max)")
ax.loglog(units, errors["relu"][:, 0], "s-", color=COLORS["validation"], label="ReLU interpolation (max)")
ax.loglog(units, bounds["sigmoid"], ":", color=COLORS["neutral"], label="bound π/(N+1) = max|f′| h/2")
ax.loglog(units, bounds["relu"], "--", color=COLORS["neutral"], label="bound π²/(2N²) = max|f″| h²/8")
ax.set(xlabel="hidden units N", ylabel="max |f − ŷ| on [−1, 1]",
       title="Error against units: slope −1 for steps, −2 for hats")
ax.set_xticks(units, labels=[str(n) for n in units])
ax.minorticks_off()
ax.legend(loc="lower left", fontsize=8)
plt.show()

# %% [markdown]
# The fitted slopes are $-0.96$ and $-1.97$, close to $-1$ and $-2$: doubling the units halves the
# staircase's error and quarters the interpolant's. The dotted and dashed lines are the bounds themselves,
# $\max|f'|\,h/2 = \pi/(N+1)$ (with $h = 2/(N+1)$) and $\max|f''|\,h^2/8 = \pi^2/(2N^2)$ (with $h = 2/N$).
# The measured errors stay below them and approach them as $N$ grows: the ratio column goes from 0.827 and
# 0.811 at $N = 2$ to 0.9999 and 0.9991 at $N = 128$, where the staircase is off by 0.0244 and the
# interpolant by $3.01 \times 10^{-4}$. (For small $N$ no cell sits where $|f'|$ or $|f''|$ is largest, so
# the bound is not reached; for large $N$ one does.) The order of the error, not only the theorem's "it goes
# to zero", is what decides how many units a construction needs: for a max error of $10^{-3}$ the staircase
# needs $\pi/(N+1) \le 10^{-3}$, about 3,100 units, the interpolant $\pi^2/(2N^2) \le 10^{-3}$, only 71.
#
# And smoothness matters. For a function with a kink ($|x|$) interpolation loses its advantage unless a
# knot sits on the kink. For the discontinuous step no continuous network gets the max error below 1/2
# (next to the jump $\hat y$ must be within $\varepsilon$ of both 0 and 1), and the staircase shows how the
# details decide the rest: with an odd $N$ a step of the network sits exactly on the jump and the max error
# is 1/2; with an even $N$ the middle cell straddles the jump and takes the value $f(0) = 1$ on all of it,
# so the max error is 1, however large $N$ is. In both cases the RMS error falls like $1/\sqrt{N}$
# (measured below; the widget shows both targets).

# %% tags=["nbval-check-output"]
step = target_function("step")  # 0 for x < 0, 1 for x ≥ 0
print("step target, sigmoid staircase:  N   max error   RMS error")
for n in (7, 8, 31, 32, 127, 128):
    max_error, rms = universal.approximation_error(step, universal.bump_network(step, n, K), K)
    print(f"{n:33d}   {max_error:9.2f}   {rms:9.3f}")

# %% [markdown]
# ## 5. Three ways to choose the weights
#
# The constructions place every unit by hand. Two other ways to pick the weights of the same network, one
# hidden layer of $N$ ReLUs:
#
# - **Random features + least squares.** Draw the hidden layer at random (each unit's kink at a random data
#   point), keep it fixed, and fit only the output layer. With the hidden activations $H \in \mathbb{R}^{n
#   \times N}$ of the $n$ training points fixed, $\hat y = H W^{(2)\top} + b^{(2)}$ is *linear* in the output
#   weights, so the best ones solve a least-squares problem, exactly and at once
#   (`universal.random_features_fit`).
# - **Training.** Start from PyTorch's default random initialisation and run gradient descent on the mean
#   squared error, with this course's `nn`, `optim.SGD` and `train.fit` (`universal.trained_fit`: 2,000
#   full-batch steps; how gradients are computed is Chapter 5's subject).
#
# All three see the same 200 training points of $f$ (the constructions only use $f$ at their knots) and are
# measured on the same 2,001-point grid. Random features are averaged (median) over five draws.

# %% tags=["nbval-check-output"]
x_train = np.linspace(*K, 200)
y_train = f(x_train)
compare_units = np.array([2, 4, 8, 16, 32, 64])
comparison = {"interpolation": [], "random features": [], "trained": []}
for n in compare_units:
    comparison["interpolation"].append(universal.approximation_error(
        f, universal.bump_network(f, n, K, kind="relu"), K)[0])
    draws = [universal.approximation_error(f, universal.random_features_fit(x_train, y_train, n, rng=seed), K)
             for seed in range(5)]
    comparison["random features"].append(np.median([max_error for max_error, _ in draws]))
    trained = universal.trained_fit(x_train, y_train, n, epochs=2000, rng=0)
    comparison["trained"].append(universal.approximation_error(f, trained, K)[0])
comparison = {name: np.array(values) for name, values in comparison.items()}
print("max |f − ŷ| with N ReLU units")
print("    N   interpolation   random features   trained (SGD)")
for i, n in enumerate(compare_units):
    print(f"{n:5d}   {comparison['interpolation'][i]:13.3g}   {comparison['random features'][i]:15.3g}"
          f"   {comparison['trained'][i]:13.3g}")

# %%
fig, ax = plt.subplots(figsize=SIZES["medium"])
styles = {"interpolation": ("s-", COLORS["validation"]), "random features": ("^-", COLORS["test"]),
          "trained": ("o-", COLORS["highlight"])}
for name, values in comparison.items():
    marker, color = styles[name]
    ax.loglog(compare_units, values, marker, color=color, label=name)
ax.set(xlabel="hidden units N", ylabel="max |f − ŷ| on [−1, 1]",
       title="Same network, three ways to choose its weights")
ax.set_xticks(compare_units, labels=[str(n) for n in compare_units])
ax.minorticks_off()
ax.legend()
plt.show()

# %% [markdown]
# Three lessons from the table.
#
# - **Random features come close to the hand-built hats.** Their error is five to six times the
#   interpolant's (0.0269 against 0.00479 at $N = 32$) but falls at a similar rate: the hidden layer hardly
#   needs to be learned when there are enough random units, and the least-squares output layer does the
#   rest exactly. This is the idea behind random-feature models and "extreme learning machines", and it
#   makes the theorem less mysterious: many randomly placed kinks, well weighted, cover the interval.
# - **Training by plain gradient descent stalls.** After 2,000 steps the trained network's error never gets
#   below about 0.1, and it is erratic: 0.096 with 16 units, 1.04 with 8 (stuck near a poor solution),
#   0.173 with 64. It does not follow the $1/N^2$ of the construction at all. The weights that would do
#   better *exist* (the other two columns show them) but gradient descent from a random start, with a step
#   size that must shrink as the network grows, does not get there in this budget. This is the
#   theorem's caveat made concrete: existence, not learnability. Better optimizers (Chapter 6) and
#   initialisations (Chapter 7) can narrow the gap, but no training method comes with the guarantee that
#   the constructions have.
# - The two constructions reduce the error steadily with more units, as the theorem promises for the best
#   choice of weights; training does not: more units did not mean a smaller error here.

# %% [markdown]
# ### Fitting the points is not approximating the function
#
# Every method above was *measured* on a fine grid, between the training points. A network judged only at
# its training points can be arbitrarily wrong in between, and the theorem has nothing to say about which
# network a training procedure picks. Two constructions make this concrete. Take the nine points
# $x_j = j/8$ of $f(x) = \sin(\pi x)$ on $[0, 1]$. Network A is the ReLU interpolant with its knots on those
# points (8 units). Network B is A plus the sawtooth $T^4$ of Section 6, which is 0 at every $x_j$ and 1
# halfway between: B is another ReLU network, and it too fits all nine points **exactly**. The data cannot
# tell A from B; the error between the points can:

# %% tags=["nbval-check-output"]
unit_interval = (0.0, 1.0)
x_points = np.linspace(0, 1, 9)  # x_j = j / 8


def f01(t):
    return np.sin(np.pi * t)


net_a = universal.bump_network(f01, 8, unit_interval, kind="relu")
sawtooth_4 = universal.sawtooth_network(4)


def net_b(t):
    return net_a(t) + sawtooth_4(t)


for name, model in (("A: interpolant", net_a), ("B: interpolant + T⁴", net_b)):
    train_error = np.max(np.abs(model(x_points) - f01(x_points)))
    grid_error = universal.approximation_error(f01, model, unit_interval)[0]
    print(f"{name:20s} max error on the 9 points {train_error:.0e}, on [0, 1] {grid_error:.2f}")

# Noisy data: 12 random tanh units fitted by least squares to 12 noisy samples interpolate them exactly.
rng = np.random.default_rng(0)
x_noisy = np.linspace(-1, 1, 12)
y_noisy = f(x_noisy) + 0.1 * rng.standard_normal(12)
memoriser = universal.random_features_fit(x_noisy, y_noisy, 12, activation="tanh", rng=0)
print(f"12 tanh units on 12 noisy points: max error on the points {np.max(np.abs(memoriser(x_noisy) - y_noisy)):.0e},"
      f" max error against the true f on [−1, 1] {universal.approximation_error(f, memoriser, K)[0]:.2f}")

# %%
t = np.linspace(0, 1, 801)
x_plot = np.linspace(-1, 1, 801)
fig, axes = plt.subplots(1, 2, figsize=(SIZES["wide"][0], 3.8))
axes[0].plot(t, f01(t), color=COLORS["target"], linewidth=3, label="target sin(πx)")
axes[0].plot(t, net_a(t), color=COLORS["model"], linestyle="--", label="A: interpolant")
axes[0].plot(t, net_b(t), color=COLORS["highlight"], label="B: A + T⁴")
axes[0].plot(x_points, f01(x_points), "o", color=COLORS["boundary"], label="training points")
axes[0].set(xlabel="x", title="A and B both fit the 9 points exactly")
axes[1].plot(x_plot, f(x_plot), color=COLORS["target"], linewidth=3, label="true f")
axes[1].plot(x_plot, memoriser(x_plot), color=COLORS["highlight"], label="12 tanh units")
axes[1].plot(x_noisy, y_noisy, "o", color=COLORS["boundary"], label="12 noisy points")
axes[1].set(xlabel="x", title="A fit through noisy points memorises the noise")
for ax in axes:
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=4, fontsize=8)
plt.show()

# %% [markdown]
# Both networks have zero training error; A is off by at most 0.02 between the points, B by 1. With noisy
# samples, a network with as many free output weights as points reproduces every sample, noise included
# (an error of $10^{-11}$ on the points), and is off by 0.17 against the true function, more than the
# noise's standard deviation of 0.1. Approximation theory says that *some* network is close to $f$
# everywhere; which network a method finds from finitely many points is the question of **generalisation**,
# which Chapter 8 (regularisation and normalisation) takes up: validation data, weight decay, early
# stopping, dropout.

# %% [markdown]
# ### Explore
#
# The playground approximates a target on $[-1, 1]$: the sine, $|x|$, the step, a sawtooth, or your own
# formula (built from `x`, numbers, `+ - * / **` and functions such as `sin`, `exp`, `abs`, `maximum`).
# Choose the number of units and the way the weights are chosen; the lower panel shows the error
# $\hat y - f$ with its maximum and RMS, and the grey ticks mark where each hidden unit switches. With
# "trained", the network trains in front of you, 10 gradient-descent steps per frame up to 500 (**play**,
# **pause**, **step**, **restart**); the seed, which only the random features and training use, is disabled
# otherwise. Things to try: the step with sigmoid bumps (a max error of 1/2 with an odd number of units and
# 1 with an even number, while the RMS falls);
# the sawtooth with ReLU hats at 15 and at 16 units; $|x|$ with an odd and an even number of hats; a
# trained network with 4 and with 64 units.

# %%
from nncourse.widgets.approximation import ApproximationPlayground

ApproximationPlayground(target="sine", n_units=8, construction="sigmoid")

# %% [markdown]
# ## 6. Where depth helps: the sawtooth
#
# One hidden layer is enough in principle, but "enough units" can be very many. Telgarsky (2016) gives a
# clean example. The **tent map** $T(x) = 1 - |2x - 1|$ on $[0, 1]$ is two ReLUs:
# $T(x) = 2\operatorname{relu}(x) - 4\operatorname{relu}(x - \tfrac12)$. Composing it with itself $k$ times
# folds the interval $k$ times and gives a sawtooth $T^k$ with $2^{k-1}$ teeth, that is $2^k$ linear pieces.
# A deep network computes $T^k$ with $k$ hidden layers of 2 ReLUs each (`universal.sawtooth_network(k)`):
# $2k$ units for $2^k$ pieces.
#
# A *shallow* ReLU network has a kink only where one of its units switches, so $N$ units on a line give at
# most $N + 1$ linear pieces. To represent $T^k$ exactly it needs at least $2^k - 1$ units, and with fewer
# pieces than teeth it must miss whole teeth, which costs an error of order 1 (Telgarsky proves an $L^1$
# lower bound of this kind). Count the pieces (`universal.count_linear_pieces`), and measure the smallest
# width at which the shallow interpolant reaches a max error of 0.1, against the deep network's $2k$ units:

# %% tags=["nbval-check-output"]
S = (0.0, 1.0)


def shallow_error(target, n_units):
    """Max error of the one-hidden-layer ReLU interpolant with n_units on [0, 1]."""
    network = universal.bump_network(target, n_units, S, kind="relu")
    return universal.approximation_error(target, network, S)[0]


def show(error):
    return "0 (exact)" if error < 1e-12 else f"{error:.3g}"


print(" k   deep units   pieces   deep max error   shallow, 2k units: max error   shallow width, error ≤ 0.1")
for k in range(1, 8):
    target = lambda t, k=k: universal.sawtooth(t, k)  # noqa: E731
    deep = universal.sawtooth_network(k)
    pieces = universal.count_linear_pieces(deep, S)
    deep_error = universal.approximation_error(target, deep, S)[0]
    width = 1
    while shallow_error(target, width) > 0.1:
        width += 1
    print(f"{k:2d}   {deep.n_hidden_units:10d}   {pieces:6d}   {show(deep_error):>14}   "
          f"{show(shallow_error(target, 2 * k)):>28}   {width:26d}")

# %%
k = 4
t = np.linspace(*S, 2001)
target = universal.sawtooth(t, k)
deep = universal.sawtooth_network(k)
shallow = universal.bump_network(lambda s: universal.sawtooth(s, k), 2 * k, S, kind="relu")
shallow_rf = universal.random_features_fit(t, target, 2 * k, rng=0)
fig, axes = plt.subplots(1, 2, figsize=SIZES["wide"])
axes[0].plot(t, target, color=COLORS["target"], linewidth=3, label="target T⁴")
axes[0].plot(t, deep(t), color=COLORS["model"], linestyle="--", label=f"deep: 4 layers × 2 = {2 * k} units")
axes[0].set(xlabel="x", title=f"Deep: {2 * k} ReLUs, {universal.count_linear_pieces(deep, S)} pieces, exact")
axes[0].legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8)
axes[1].plot(t, target, color=COLORS["target"], linewidth=1, label="target T⁴")
axes[1].plot(t, shallow(t), color=COLORS["validation"], label=f"interpolation, {2 * k} units")
axes[1].plot(t, shallow_rf(t), color=COLORS["test"], label=f"random features, {2 * k} units")
axes[1].set(xlabel="x", title=f"Shallow: {2 * k} ReLUs give at most {2 * k + 1} pieces")
axes[1].legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize=8)
plt.show()

# %% [markdown]
# The deep network is exact (to rounding) with $2k$ units, and the counted pieces double with every layer:
# $2, 4, 8, \ldots, 128$. The shallow interpolant needs exactly $2^k$ units (its knots must land on every
# kink; with fewer, the max error is 0.5 or more), so the gap between $2k$ and $2^k$ units, 14 against 128 at
# $k = 7$, grows exponentially. With the deep network's budget of $2k$ units, the shallow network is exact
# for $k \le 2$ (where $2k \ge 2^k$) and off by 0.67 to 1 from $k = 3$ on: it cannot even draw all the
# teeth. In the figure, the 8-unit interpolant of $T^4$ has all its knots in the valleys and is identically
# 0, and 8 random features with the best output weights still draw only a tooth or two.
#
# Depth lets a network *reuse* what earlier layers computed (each layer folds the output of the previous
# one), and functions with this kind of repeated structure are where depth pays off exponentially. The
# theorem's "one hidden layer suffices" hides this cost.

# %% [markdown]
# ### Not only sawtooths: $x^2$ from sawtooths (Yarotsky 2017)
#
# The sawtooth looks like a contrived target. Yarotsky (2017) showed that it is the key to ordinary smooth
# functions. The chord of $x^2$ between $0$ and $1$ is $x$; the chord between the knots $j/2$ lies below it
# by $T(x)/4$; refining again, the chord on the knots $j/4$ lies below that by $T^2(x)/16$; and so on. So the
# piecewise-linear interpolant of $x^2$ at the $2^m + 1$ points $j/2^m$ is
#
# $$ f_m(x) = x - \sum_{s=1}^{m} \frac{T^s(x)}{4^s}, \qquad
#    \max_{[0,1]} |f_m(x) - x^2| = \frac{h^2}{4} = 4^{-m-1} \quad (h = 2^{-m}). $$
#
# A deep network computes it with $m$ hidden layers of 3 ReLUs (`universal.square_network(m)`): two units
# carry the sawtooth from layer to layer as before, the third carries the running sum
# $x - \sum_{s<l} T^s(x)/4^s$. The error falls like $4^{-m}$, **exponentially in the depth**, at 3 units per
# layer; the one-hidden-layer interpolant is the same function but needs $2^m$ units, so the shallow cost
# grows like $1/\sqrt{\varepsilon}$ and the deep one like $\log(1/\varepsilon)$:

# %% tags=["nbval-check-output"]
print(" m   deep units   deep max error   4^(−m−1)    shallow units for the same error")
for m in range(1, 11):
    deep = universal.square_network(m)
    grid_points = 2 ** (m + 1) * 8 + 1  # a grid that holds every midpoint between knots, where the error peaks
    deep_error = universal.approximation_error(np.square, deep, S, n_points=grid_points)[0]
    shallow = universal.bump_network(np.square, 2**m, S, kind="relu")
    shallow_error = universal.approximation_error(np.square, shallow, S, n_points=grid_points)[0]
    assert np.isclose(shallow_error, deep_error)  # the same interpolant
    print(f"{m:2d}   {deep.n_hidden_units:10d}   {deep_error:14.3g}   {4.0 ** (-m - 1):8.3g}   {2**m:10d}")

# %%
t = np.linspace(*S, 1001)
fig, axes = plt.subplots(1, 2, figsize=(SIZES["wide"][0], 3.8))
axes[0].plot(t, t**2, color=COLORS["target"], linewidth=3, label="x²")
for m, color in zip((0, 1, 2), (COLORS["neutral"], COLORS["validation"], COLORS["model"]), strict=True):
    axes[0].plot(t, universal.yarotsky_square(t, m), color=color, linestyle="--",
                 label=f"f_{m}: {2**m + 1} knots")
axes[0].set(xlabel="x", title="Each sawtooth refines the chord of x²")
for s_level, color in zip((1, 2, 3), (COLORS["validation"], COLORS["model"], COLORS["highlight"]), strict=True):
    axes[1].plot(t, universal.sawtooth(t, s_level) / 4.0**s_level, color=color,
                 label=f"T{'¹²³'[s_level - 1]}(x) / {4**s_level}")
axes[1].set(xlabel="x", title="The corrections subtracted: more teeth, 4× smaller")
for ax in axes:
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=4, fontsize=8)
plt.show()

# %% [markdown]
# Squaring is the seed of much more: $xy = \tfrac12\big((x+y)^2 - x^2 - y^2\big)$ gives products, products
# give polynomials, and Taylor polynomials give every smooth function. Yarotsky turns this into a theorem:
# a function on $[0,1]^d$ with $n$ bounded derivatives is approximated to $\varepsilon$ by a ReLU network
# of depth $O(\log(1/\varepsilon))$ with $O(\varepsilon^{-d/n}\log(1/\varepsilon))$ units. That count falls
# as the smoothness $n$ grows, while a one-hidden-layer ReLU network, whose $N$ units on a line make at most
# $N + 1$ linear pieces, cannot profit from smoothness beyond the second derivative: it needs of order
# $\varepsilon^{-1/2}$ units for any smooth target that is not linear (Section 4's $1/N^2$ is the best rate
# $N + 1$ pieces allow). Depth helps for ordinary smooth targets, not only for sawtooths.
#
# ### How narrow can a deep network be?
#
# The theorem fixes the depth (one hidden layer) and lets the width grow. The mirror question fixes the
# width and lets the depth grow. Both networks of this section are deep and narrow: the sawtooth has width
# 2, the square width 3. How narrow can a network be and still approximate everything?
#
# - **Lu, Pu, Wang, Hu & Wang (2017)**: ReLU networks of width $d + 4$ (for $d$ inputs) and any depth
#   approximate every Lebesgue-integrable function on $\mathbb{R}^d$ in the $L^1$ sense; with width at
#   most $d$ they approximate none of them, except functions that are zero almost everywhere.
# - **Hanin & Sellke (2017)**: for uniform approximation of continuous functions on a compact subset of
#   $\mathbb{R}^d$ with one output, the minimal width of a deep ReLU network is exactly $d + 1$ (for $m$
#   outputs it lies between $d + 1$ and $d + m$).
#
# For one input, width 2 is enough and width 1 is not, and the reason for "not" fits in a line: a layer of
# width 1 computes $\mathrm{relu}(w a + b)$, a monotone function of its input, and a composition of
# monotone functions is monotone; a monotone network cannot follow $\sin(\pi x)$ up and down on $[-1, 1]$,
# however deep. The proofs of the positive results are constructions like ours, with some units carrying
# the input forward unchanged (as the third unit of `square_network` carries the running sum) while the
# others build the approximation piece by piece.

# %% [markdown]
# ## 7. More than one input: a proof sketch
#
# Everything so far had one input. The theorem holds for any $d$, and the step from one dimension to $d$ is
# short enough to sketch. The tool is the **ridge function**, $g(a \cdot x)$ for a direction
# $a \in \mathbb{R}^d$ and a function $g$ of one variable: it varies only along $a$ and is constant across it,
# like a ridge. A hidden unit, $\sigma(w \cdot x + b)$, is itself a ridge function.
#
# 1. **Polynomials approximate $f$.** By the Weierstrass (Stone–Weierstrass) theorem, a polynomial $p$ in
#    $x_1, \dots, x_d$ is within $\varepsilon/2$ of the continuous $f$ everywhere on the compact $K$.
# 2. **Polynomials are sums of ridge functions.** Every polynomial of degree $k$ in $d$ variables is a
#    linear combination of powers $(a_i \cdot x)^j$ for finitely many directions $a_i$. For example
#    $x_1 x_2 = \tfrac14\big((x_1 + x_2)^2 - (x_1 - x_2)^2\big)$. So $p(x) = \sum_{i=1}^{M} g_i(a_i \cdot x)$
#    with polynomials $g_i$ of one variable.
# 3. **Each $g_i$ is a one-dimensional problem.** As $x$ ranges over $K$, $t = a_i \cdot x$ ranges over a
#    closed interval, on which the one-dimensional theorem (our bumps) gives
#    $|g_i(t) - \sum_j c_{ij}\,\sigma(w_{ij} t + b_{ij})| < \varepsilon / (2M)$.
# 4. **Substitute.** $\sigma(w_{ij}\, a_i \cdot x + b_{ij})$ is an ordinary hidden unit with weight vector
#    $w_{ij} a_i$. All the units of all the ridges side by side form **one** hidden layer, and by the
#    triangle inequality its error is below $\varepsilon/2 + M \cdot \varepsilon/(2M) = \varepsilon$.
#
# This is the route of Leshno et al. (1993) and of Pinkus's (1999) survey. It also shows where the cost of
# dimension hides: the number $M$ of directions a polynomial of degree $k$ needs grows like $d^k$.
#
# The sketch runs as code. $f(x_1, x_2) = \sin(\pi x_1)\cos(\pi x_2/2)$ is a sum of just two ridges,
# $\tfrac12\sin\big(\pi(x_1 + x_2/2)\big) + \tfrac12\sin\big(\pi(x_1 - x_2/2)\big)$, along $a = (1, \pm\tfrac12)$,
# where $t = a \cdot x \in [-1.5, 1.5]$ on $[-1, 1]^2$. Build each ridge with 16 ReLU hats (Section 3), turn
# the hats into units with weight vectors $w_j a$ (`universal.ridge_network`), and compare with the target
# and with the bound from step 4, twice the one-dimensional error:

# %% tags=["nbval-check-output"]
def f2(X):
    return np.sin(np.pi * X[:, 0]) * np.cos(np.pi * X[:, 1] / 2)


def half_sine(t):
    return 0.5 * np.sin(np.pi * t)


ridges = [((1.0, 0.5), half_sine, (-1.5, 1.5)), ((1.0, -0.5), half_sine, (-1.5, 1.5))]
ridge_net = universal.ridge_network(ridges, 16)
g = np.linspace(-1, 1, 121)
grid = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
error_2d = ridge_net(grid) - f2(grid)
one_d_error = universal.approximation_error(half_sine, universal.bump_network(half_sine, 16, (-1.5, 1.5),
                                                                              kind="relu"), (-1.5, 1.5))[0]
print(ridge_net, f"with {ridge_net.n_hidden_units} hidden units, each reading both inputs")
print(f"max error on the 121 × 121 grid {np.max(np.abs(error_2d)):.4f}; bound 2 × one-dimensional error "
      f"{2 * one_d_error:.4f}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(SIZES["wide"][0], 3.4))
vmax = np.max(np.abs(error_2d))
panels = ((f2(grid), "target f(x₁, x₂)", nncourse.plot.DIVERGING_CMAP, 1.0),
          (ridge_net(grid), "one hidden layer, 32 ReLUs", nncourse.plot.DIVERGING_CMAP, 1.0),
          (error_2d, f"error ŷ − f (max {vmax:.3f})", nncourse.plot.DIVERGING_CMAP, vmax))
for ax, (values, title, cmap, limit) in zip(axes, panels, strict=True):
    im = ax.imshow(values.reshape(g.size, g.size), origin="lower", extent=(-1, 1, -1, 1), cmap=cmap,
                   vmin=-limit, vmax=limit)
    ax.set(title=title, xlabel="x₁")
    ax.grid(False)
    fig.colorbar(im, ax=ax, shrink=0.8)
axes[0].set_ylabel("x₂")
fig.suptitle("Two ridges of 16 hats each: target, fit and error (the error's colour scale is its own)")
plt.show()

# %% [markdown]
# The error, 0.0428 at most, stays below the bound 0.0429 from step 4 (the two ridges' errors add up where
# both are largest), and its pattern shows the two directions $a = (1, \pm\tfrac12)$ along which the ridges
# were cut into hats. Each ridge needs only a one-dimensional grid of hats; 16 more per ridge would quarter
# the error. For a general $f$ we would not
# know the ridge decomposition; random features find a good combination numerically. 100 tanh units with
# random directions, fitted by least squares on 1,000 random points of $[-1, 1]^2$:

# %% tags=["nbval-check-output"]
rng = np.random.default_rng(0)
X2 = rng.uniform(-1, 1, size=(1000, 2))
fit2 = universal.random_features_fit(X2, f2(X2), 100, activation="tanh", rng=0)
rms2 = np.sqrt(np.mean((fit2(grid) - f2(grid)) ** 2))
print(f"random features, 100 tanh units: RMS error on the 121 × 121 grid = {rms2:.1e}")

# %% [markdown]
# ### Towers: the picture behind Nielsen's visual proof
#
# A second, more pictorial route uses two hidden layers. In $\mathbb{R}^2$ a bump along $x_1$ plus a bump
# along $x_2$ is 2 on a rectangle, 1 on a cross of "arms" and 0 elsewhere. A second-layer unit that
# thresholds the sum between 1 and 2, $\sigma\big(k(B_1(x_1) + B_2(x_2) - 1.5)\big)$, keeps only the
# rectangle: a **tower** (`universal.tower_network`), and sums of towers approximate continuous functions of
# two variables as sums of bumps do on a line (up to narrow dips where four towers meet: each sees only half
# bumps there; the rigorous proofs take other routes, such as the ridge route above).

# %%
box = ((-0.4, 0.4), (-0.3, 0.5))
tower = universal.tower_network(box)
(W1, b1), *_ = tower.layers
cross = (F.sigmoid(grid @ W1.T + b1) @ np.array([1.0, -1.0, 1.0, -1.0])).reshape(g.size, g.size)

fig, axes = plt.subplots(1, 2, figsize=(7.0, 3.4))
panels = ((cross, "layer 1: B₁(x₁) + B₂(x₂)"), (tower(grid).reshape(g.size, g.size), "layer 2: a tower"))
for ax, (image, title) in zip(axes, panels, strict=True):
    im = ax.imshow(image, origin="lower", extent=(-1, 1, -1, 1), cmap=nncourse.plot.SEQUENTIAL_CMAP)
    ax.set(title=title, xlabel="x₁")
    ax.grid(False)
    fig.colorbar(im, ax=ax, shrink=0.8)
axes[0].set_ylabel("x₂")
fig.suptitle("Two bumps, thresholded by a second layer, make a tower")
plt.show()

# %% [markdown]
# ## Exercises
#
# Each exercise has a solution cell (collapsed: try first!) and a checker cell that runs your code on known
# inputs, gives a hint if something is off, and shows your points: a partly right answer earns points in
# proportion to the checker's cases it passes.
#
# ### Exercise 1: a bump from two sigmoids (2 points)
#
# Write `bump(x, left, right, k)` $= \sigma(k(x - \text{left})) - \sigma(k(x - \text{right}))$ for an array
# `x`. Use `F.sigmoid` (stable for large $|k x|$; the checker tries $x = \pm 10^4$ with $k = 100$).

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch04-bump", "locked": false, "schema_version": 3, "solution": true, "task": false}
def bump(x, left, right, k):
    """A bump that is ≈ 1 on (left, right) and ≈ 0 outside, from two steep sigmoids."""
    ### BEGIN SOLUTION
    return F.sigmoid(k * (x - left)) - F.sigmoid(k * (x - right))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch04-bump-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch04 import check_sigmoid_bump

check_sigmoid_bump(bump)

# %% [markdown]
# ### Exercise 2: a staircase with N units (3 points)
#
# Return the weights `(W1, b1, W2, b2)` of a one-hidden-layer sigmoid network,
# $\hat y = W_2\,\sigma(W_1 x + b_1) + b_2$ with `W1` of shape `(N, 1)`, `b1` `(N,)`, `W2` `(1, N)` and `b2`
# `(1,)`, that approximates `f` on `[a, b]` as a staircase with `n_units` $= N$ steps (Section 3). The
# checker accepts any network whose max error is within 1.5 times that of the chapter's staircase. Hint:
# $N + 1$ cells, steps at the inner edges, output weights are the jumps, and $k = 40/h$.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch04-staircase", "locked": false, "schema_version": 3, "solution": true, "task": false}
def staircase_weights(f, n_units, a, b):
    """Weights (W1, b1, W2, b2) of a sigmoid network that approximates f on [a, b] by a staircase."""
    ### BEGIN SOLUTION
    h = (b - a) / (n_units + 1)
    edges = a + h * np.arange(1, n_units + 1)
    levels = f(a + h * (np.arange(n_units + 1) + 0.5))
    k = 40 / h
    return np.full((n_units, 1), k), -k * edges, np.diff(levels)[None, :], levels[:1]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch04-staircase-check", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch04 import check_staircase

check_staircase(staircase_weights)

# %% [markdown]
# ### Exercise 3: the width needed for a target error (3 points)
#
# Return the smallest number of ReLU units $N$ for which the piecewise-linear interpolant
# `universal.bump_network(f, N, interval, kind="relu")` has a max error
# (`universal.approximation_error(f, network, interval)[0]`) of at most `tolerance`. Then compare with the
# bound $\max|f''|\,h^2/8$: which $N$ does it predict for $\sin$ on $[0, 2\pi]$ with tolerance 0.01?

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch04-width", "locked": false, "schema_version": 3, "solution": true, "task": false}
def width_needed(f, interval, tolerance):
    """The smallest N whose ReLU interpolant of f on interval has max error <= tolerance."""
    ### BEGIN SOLUTION
    n = 1
    while True:
        network = universal.bump_network(f, n, interval, kind="relu")
        if universal.approximation_error(f, network, interval)[0] <= tolerance:
            return n
        n += 1
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch04-width-check", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch04 import check_width_needed

extra_cases = []
### BEGIN HIDDEN TESTS
# An instructor's hidden case, (f, interval, tolerance): the cosine over half a period.
extra_cases = [(np.cos, (0.0, np.pi), 0.02)]
### END HIDDEN TESTS
check_width_needed(width_needed, extra_cases)

# %% [markdown]
# **The answer to the question.** For $\sin$ on $[0, 2\pi]$, $\max|f''| = 1$ and $h = 2\pi/N$, so the bound
# $h^2/8 \le 0.01$ asks for $N \ge 2\pi/\sqrt{0.08} \approx 22.2$, that is $N = 23$; the search finds the
# same 23 (computed here with `universal`, whatever your function returns). The bound is this sharp because
# the cells are short: on the cell that holds a maximum of $|\sin|$, $|f''| = |\sin x|$ stays within about
# 2 % of its maximum 1 (for $N = 22$ that cell is even centred exactly on $\pi/2$), so the error there is
# almost exactly $h^2/8$: the measured errors at $N = 22$ and $23$ are just above and below the tolerance.

# %% tags=["nbval-check-output"]
predicted = int(np.ceil(2 * np.pi / np.sqrt(8 * 0.01)))
for n in (predicted - 1, predicted):
    interpolant = universal.bump_network(np.sin, n, (0.0, 2 * np.pi), kind="relu")
    bound = (2 * np.pi / n) ** 2 / 8
    print(f"N = {n}: bound h²/8 = {bound:.5f}, measured max error "
          f"{universal.approximation_error(np.sin, interpolant, (0.0, 2 * np.pi))[0]:.5f}")

# %% [markdown]
# ### Exercise 4: $x^2$ from sawtooth functions (2 points)
#
# Write `square_approximation(x, m)` that returns Yarotsky's $f_m(x) = x - \sum_{s=1}^{m} T^s(x)/4^s$ for an
# array `x` in $[0, 1]$ (Section 6). `universal.sawtooth(x, s)` gives $T^s(x)$. Check your result: the
# maximum of $|f_m(x) - x^2|$ should be $4^{-m-1}$.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch04-square", "locked": false, "schema_version": 3, "solution": true, "task": false}
def square_approximation(x, m):
    """Yarotsky's approximation of x² on [0, 1]: x minus the sawtooths T^s(x) / 4^s for s = 1..m."""
    ### BEGIN SOLUTION
    return x - sum(universal.sawtooth(x, s) / 4.0**s for s in range(1, m + 1))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch04-square-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch04 import check_square_approximation

check_square_approximation(square_approximation)

# %% [markdown]
# ### Exercise 5 (open-ended): beat evenly spaced knots (3 points)
#
# $\tanh(5x)$ on $[-1, 1]$ is almost flat near $\pm 1$ and bends sharply for $|x|$ between about 0.05 and
# 0.3 ($|f''|$ peaks at $|x| \approx 0.13$). The chapter's interpolant with 8 units, on 9 evenly spaced
# knots, wastes units on the flat parts: its max error is 0.131.
# Return the weights `(W1, b1, W2, b2)` of a one-hidden-layer ReLU network with **at most 8 hidden units**
# (`W1` of shape `(N, 1)`, `b1` `(N,)`, `W2` `(1, N)`, `b2` `(1,)`) whose max error on $[-1, 1]$ is at most
# **0.05**. Any method is fine: place the knots by hand, fit the output layer by least squares, train. The
# checker gives one mark each for a max error of 0.15, 0.08 and 0.05. *Hint:* the interpolant's error on a
# cell of width $h$ is about $|f''|\,h^2/8$, so make $h$ small where $|f''|$ is large; Section 3's formula
# for the ReLU interpolant works for any increasing knots.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch04-free-knots", "locked": false, "schema_version": 3, "solution": true, "task": false}
def free_knots():
    """Weights (W1, b1, W2, b2) of at most 8 ReLU units approximating tanh(5x) on [-1, 1] to 0.05."""
    ### BEGIN SOLUTION
    knots = np.array([-1.0, -0.5, -0.3, -0.15, 0.0, 0.15, 0.3, 0.5, 1.0])  # dense where tanh(5x) bends
    values = np.tanh(5 * knots)
    slopes = np.diff(values) / np.diff(knots)
    W1, b1 = np.ones((8, 1)), -knots[:-1]  # one kink at each knot but the last
    W2 = np.concatenate([slopes[:1], np.diff(slopes)])[None, :]  # each kink changes the slope
    return W1, b1, W2, values[:1]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch04-free-knots-check", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch04 import check_free_knots

check_free_knots(free_knots)

# %% [markdown]
# ## Summary
#
# - **Universal approximation** (Cybenko 1989; Hornik, Stinchcombe & White 1989; Hornik 1991; Leshno et al.
#   1993): for any continuous, non-polynomial $\sigma$, one hidden layer approximates every continuous $f$ on
#   a compact set to any accuracy $\varepsilon$ in the sup norm.
# - **Constructively**: a steep sigmoid is a step, two steps a bump, three ReLUs a hat; a sum of bumps is a
#   staircase (error $O(1/N)$), a sum of hats the piecewise-linear interpolant (error $O(1/N^2)$ for smooth
#   $f$). We measured slopes $-0.96$ and $-1.97$ on a log-log plot.
# - **Random features** with a least-squares output layer come close to the constructions; **gradient
#   descent** from a random start stalled at 0.1 or worse: the theorem is about existence, not learnability.
# - **Fitting is not generalising**: two networks can agree on every training point and differ by 1 between
#   them; a network that interpolates noisy samples reproduces the noise.
# - **Depth**: $k$ layers of 2 ReLUs compute a sawtooth with $2^k$ pieces; one hidden layer needs about
#   $2^k$ units. $m$ layers of 3 ReLUs approximate $x^2$ to $4^{-m-1}$ (Yarotsky), where one hidden layer
#   needs $2^m$ units. Depth can be exponentially more efficient than width.
# - **Narrow and deep** also works: width $d + 1$ suffices for uniform approximation on compact sets of
#   $\mathbb{R}^d$ (Hanin & Sellke), width $d + 4$ for $L^1$ approximation (Lu et al.); width 1 on a line
#   gives only monotone functions.
# - **More than one input**: approximate $f$ by a polynomial, write it as a sum of ridge functions
#   $g_i(a_i \cdot x)$, approximate each $g_i$ in one dimension; the units $\sigma(w_j a_i \cdot x + b_j)$ form
#   one hidden layer. Towers (two layers) give a pictorial version.
#
# ## Common pitfalls
#
# - **Reading the theorem as a promise about training.** It guarantees that good weights exist, not that
#   gradient descent finds them, nor that a fit to finite data generalises between the points.
# - **Forgetting "compact" and "continuous".** Outside the interval the approximation can be arbitrarily bad
#   (a ReLU network extrapolates linearly); a jump cannot be matched in the sup norm.
# - **Steps that are not steep enough.** A bump from sigmoids with $k h \approx 1$ is a smooth blur, not a
#   step; the staircase's error then no longer falls like $1/N$.
# - **Confusing the number of units with the number of pieces.** With ReLUs, pieces grow at most linearly
#   with width but exponentially with depth.
# - **Judging a construction by one $N$.** The rate (the slope on a log-log plot) is what tells how many units
#   a target accuracy costs.
# - **Judging a network at its training points.** Zero training error says nothing about the points in
#   between; measure on held-out points or a fine grid.
#
# ## References
#
# - G. Cybenko (1989). Approximation by superpositions of a sigmoidal function. *Mathematics of Control,
#   Signals and Systems* 2(4), 303–314.
# - K. Hornik, M. Stinchcombe, H. White (1989). Multilayer feedforward networks are universal approximators.
#   *Neural Networks* 2(5), 359–366.
# - K. Hornik (1991). Approximation capabilities of multilayer feedforward networks. *Neural Networks* 4(2),
#   251–257.
# - M. Leshno, V. Ya. Lin, A. Pinkus, S. Schocken (1993). Multilayer feedforward networks with a
#   nonpolynomial activation function can approximate any function. *Neural Networks* 6(6), 861–867.
# - A. R. Barron (1993). Universal approximation bounds for superpositions of a sigmoidal function. *IEEE
#   Transactions on Information Theory* 39(3), 930–945.
# - A. Pinkus (1999). Approximation theory of the MLP model in neural networks. *Acta Numerica* 8, 143–195.
# - M. Telgarsky (2016). Benefits of depth in neural networks. *Conference on Learning Theory (COLT)*,
#   PMLR 49, 1517–1539.
# - D. Yarotsky (2017). Error bounds for approximations with deep ReLU networks. *Neural Networks* 94,
#   103–114.
# - Z. Lu, H. Pu, F. Wang, Z. Hu, L. Wang (2017). The expressive power of neural networks: a view from the
#   width. *Advances in Neural Information Processing Systems (NeurIPS)* 30.
# - B. Hanin, M. Sellke (2017). Approximating continuous functions by ReLU nets of minimal width.
#   arXiv:1710.11278.
# - M. Nielsen (2015). *Neural Networks and Deep Learning*, Chapter 4: A visual proof that neural nets can
#   compute any function. http://neuralnetworksanddeeplearning.com/chap4.html
#
# ## What comes next
#
# **Chapter 5: backpropagation.** The constructions here were written by hand, and the trained network used
# `fit` as a black box. Chapter 5 opens the box: how the gradient of the loss with respect to every weight is
# computed, layer by layer, with the chain rule, at the cost of a small constant number of forward passes
# (about two, counting multiply-adds), however many weights there are.
