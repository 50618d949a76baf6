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
# # Chapter 1 — The perceptron
#
# Every neural network, from a digit classifier to a language model, is built from one small unit: a
# neuron that adds up its weighted inputs and passes the sum through a non-linear function. McCulloch and
# Pitts described such a unit in 1943, with weights set by hand; in 1958 Frank Rosenblatt built one, the
# **perceptron**, and gave it a rule that learns its weights from examples. This chapter builds the
# perceptron from scratch, watches the rule learn logic gates, proves (and checks by experiment) that the
# rule always succeeds when a straight line can separate the classes, and sees it fail forever on XOR. Then
# it rereads the rule as **gradient descent on a loss**, the idea every later chapter builds on, and meets
# its sibling ADALINE, which minimises a different loss and settles where the perceptron cannot.
#
# **Learning objectives.** After this chapter you can
# 1. describe the McCulloch–Pitts neuron and say what the analogy with a biological neuron does and does
#    not capture;
# 2. write the perceptron as a weighted sum, a bias and a step activation, and compute its predictions;
# 3. read its decision boundary $w \cdot x + b = 0$ geometrically: $w$ is normal to it, $b$ shifts it;
# 4. apply Rosenblatt's learning rule by hand and explain why each update helps;
# 5. state the perceptron convergence theorem (Novikoff 1962) and check its bound $(R/\gamma)^2$ by
#    experiment;
# 6. prove that no single perceptron computes XOR, and recognise the rule cycling on it;
# 7. derive the rule as stochastic gradient descent on the perceptron loss $\max(0, -s z)$, and contrast
#    it with ADALINE's least-squares (Widrow–Hoff) rule;
# 8. write the same perceptron with PyTorch tensors.
#
# **Prerequisites.** Python and NumPy (arrays, `@`, broadcasting); vectors, dot products and norms; a
# derivative of one variable.
#
# **Estimated time.** 2–2.5 hours, exercises included.

# %%
import matplotlib.pyplot as plt
import numpy as np

import nncourse
import nncourse.plot
from nncourse import functional as F
from nncourse.data import logic_gate, make_blobs, separable_blobs
from nncourse.perceptron import Adaline, Perceptron, format_history, novikoff_bound, perceptron_loss
from nncourse.plot import COLORS, SIZES, decision_boundary, linear_boundary, scatter_classes

_ = nncourse.manual_seed(0)  # seeds every default draw (none below relies on it: all pass rng=)

# %% [markdown]
# ## 1. The artificial neuron
#
# ### The biological picture, and McCulloch & Pitts (1943)
#
# A nerve cell receives signals from thousands of others through **synapses** on its dendrites. Each
# synapse excites or inhibits, some more strongly than others; the cell body integrates the incoming
# currents, and when its membrane potential crosses a **threshold** the cell fires a spike down its axon.
# Warren McCulloch and Walter Pitts (1943) abstracted this into a logical unit: binary inputs, each
# excitatory or inhibitory, and an output of 1 exactly when the number of active excitatory inputs reaches
# a threshold $\theta$ and no inhibitory input is active. With $\theta = 2$ two inputs compute AND, with
# $\theta = 1$ OR, and one inhibitory input with $\theta = 0$ computes NOT; so networks of such units
# compute any Boolean function. What they lacked was learning: every connection and threshold was chosen
# by hand.

# %% tags=["nbval-check-output"]
def mcculloch_pitts(excitatory, inhibitory, threshold):
    """1 if no inhibitory input fires and at least `threshold` excitatory inputs do, else 0."""
    return int(not any(inhibitory) and sum(excitatory) >= threshold)


for a, b_in in [(0, 0), (0, 1), (1, 0), (1, 1)]:
    print(f"x = ({a}, {b_in}):  AND {mcculloch_pitts([a, b_in], [], 2)}  OR {mcculloch_pitts([a, b_in], [], 1)}"
          f"  NOT x1 {mcculloch_pitts([], [a], 0)}")

# %% [markdown]
# **How far the analogy goes.** Inputs, weighted connections, summation and a threshold: that much of the
# picture survives in every artificial neuron. Much does not:
#
# * Real neurons communicate with **spikes in time**; information lives in rates and timing, which an
#   artificial unit's single number ignores.
# * A dendrite is not a wire that adds: its branches compute non-linear functions of their own, so that one
#   cortical neuron behaves more like a small multi-layer network (Poirazi, Brannon & Mel 2003; Beniaguev,
#   Segev & London 2021).
# * A synapse keeps its sign (a neuron is excitatory or inhibitory, Dale's principle), is noisy, and changes
#   through local rules (Hebb 1949: cells that fire together wire together), not through a global error
#   signal sent backwards, as the networks of Chapter 5 are trained.
#
# So "neural" network is a historical name for a mathematical model, inspired by the brain but neither a
# model of it nor evidence about it. From here on the neuron is just a function with parameters.
#
# ### The perceptron's neuron
#
# A neuron receives an input vector $x \in \mathbb{R}^d$. It multiplies each input by a **weight**, adds
# the products and a **bias**, and passes this **pre-activation** $z$ through an **activation function**:
#
# $$ z = w \cdot x + b = \sum_{j=1}^{d} w_j x_j + b, \qquad \hat y = \operatorname{step}(z) =
# \begin{cases} 1 & z \ge 0 \\ 0 & z < 0. \end{cases} $$
#
# The weights say how much each input matters and in which direction; the bias sets how easily the neuron
# fires. The perceptron's activation is the **step** (Heaviside) function, so its output is a class,
# $\hat y \in \{0, 1\}$. Rosenblatt's unit is McCulloch and Pitts' with real-valued weights of either sign
# and a bias $b = -\theta$ in place of the threshold. Notice that $z = w \cdot x + b$ is the same affine
# function that linear regression uses. The models differ in what they output (a class instead of a number)
# and, as we shall see, in how the weights are fitted: linear regression minimises squared errors, the
# perceptron follows its own rule. Chapter 2 swaps the step for smooth activations.
#
# With numbers: two inputs, weights $w = (0.5, -1)$ and bias $b = 0.2$.

# %%
w = np.array([0.5, -1.0])
b = 0.2
x = np.array([2.0, 0.5])
z = w @ x + b  # 0.5·2 − 1·0.5 + 0.2
print(f"z = {z:.2f}, ŷ = step(z) = {F.step(z):.0f}")

# %% [markdown]
# For many inputs at once we stack them as the rows of a matrix $X$ (shape `(n_samples, d)`, as in
# PyTorch) and compute all pre-activations with one product, $z = X w + b$:

# %%
X = np.array([[2.0, 0.5], [0.0, 1.0], [1.0, 0.7]])
z = X @ w + b
print("z =", z.round(3), " ŷ =", F.step(z).astype(int))

# %%
zs = np.linspace(-3, 3, 601)
fig, ax = plt.subplots(figsize=SIZES["small"])
ax.plot(zs, F.step(zs), color=COLORS["model"])
ax.set(xlabel="pre-activation $z$", ylabel="step$(z)$", title="The step jumps from 0 to 1 at $z = 0$")
plt.show()

# %% [markdown]
# ## 2. The geometric view: a line with a normal vector
#
# The perceptron says 1 on one side of the set where $z = 0$ and 0 on the other. In two dimensions
# $w_1 x_1 + w_2 x_2 + b = 0$ is a straight **line**, the **decision boundary** (in $d$ dimensions, a
# hyperplane). Two facts make it easy to read:
#
# * **$w$ is normal (perpendicular) to the boundary** and points towards the class-1 side: if $p$ and $q$
#   both lie on the line, $w \cdot p + b = w \cdot q + b = 0$, so $w \cdot (p - q) = 0$.
# * **$b$ shifts the boundary** without turning it: the signed distance from a point $x$ to the line is
#   $(w \cdot x + b) / \lVert w \rVert$ (positive on the side $w$ points to). The origin's is
#   $b / \lVert w \rVert$, so the line sits at the **signed offset** $-b / \lVert w \rVert$ from the
#   origin, measured along the unit normal $w / \lVert w \rVert$: its distance is $|b| / \lVert w \rVert$,
#   and the sign says whether it lies ahead of the origin along $w$ ($b < 0$) or behind it ($b > 0$).
#   Scaling $w$ and $b$ together by any $c > 0$ changes nothing.
#
# `nncourse.plot.linear_boundary` draws the line, the arrow of $w$ and the shaded class-1 side.

# %%
fig, axes = plt.subplots(1, 3, figsize=SIZES["wide"])
settings = [((1.0, 1.0), -1.0, "w = (1, 1), b = −1"), ((1.0, 1.0), 0.5, "same w, b = 0.5: shifted"),
            ((1.0, -0.5), 0.0, "w = (1, −0.5), b = 0: turned")]
for ax, (weight, bias, title) in zip(axes, settings, strict=True):
    linear_boundary(ax, weight, bias, xlim=(-2, 2), ylim=(-2, 2))
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
axes[0].legend(loc="lower left", fontsize=8)
fig.suptitle("The arrow $w$ is normal to the boundary and points to the class-1 side (shaded)")
plt.show()

# %% [markdown]
# ## 3. Rosenblatt's learning rule (1958)
#
# Where do the weights come from? Rosenblatt's answer: start from $w = 0$, $b = 0$; visit the training
# samples one at a time; whenever the perceptron is wrong, nudge the weights towards the right answer:
#
# $$ w \leftarrow w + \eta\, (y - \hat y)\, x, \qquad b \leftarrow b + \eta\, (y - \hat y). $$
#
# $\eta > 0$ is the **learning rate**. The error $y - \hat y$ is $0$ when the prediction is right (nothing
# changes), $+1$ for a missed 1 and $-1$ for a false 1. Why does an update help? After a missed 1, the
# same input gets the new pre-activation
# $z' = (w + \eta x)\cdot x + (b + \eta) = z + \eta(\lVert x \rVert^2 + 1) > z$: it moved towards the
# positive side, by a fixed amount. A false 1 moves it down the same way. One pass over the data is an
# **epoch**; training repeats epochs until one passes without a mistake.
#
# Let us step through the rule on AND, by hand-sized numbers. `Perceptron.fit_epoch` runs one epoch and
# records every visit in `history_`; `format_history` prints it as a table.

# %%
X_and, y_and = logic_gate("and")
print("X =", X_and.tolist(), " y =", y_and.tolist())
perceptron = Perceptron(lr=1.0)
for _ in range(3):
    perceptron.fit_epoch(X_and, y_and)
print(format_history(perceptron.history_))

# %% [markdown]
# Read the first line: with $w = 0, b = 0$ the input $(0, 0)$ gives $z = 0$, so $\hat y = 1$, but AND says
# 0: a false 1, so $b \leftarrow 0 - 1 = -1$ (and $w$ moves by $-x = 0$). The next two samples are now
# right and change nothing. $(1, 1)$ gives $z = -1$, a missed 1: $w \leftarrow (0,0) + (1,1)$,
# $b \leftarrow -1 + 1 = 0$. And so on. Each update fixes the current sample, but may break another one,
# which is why it takes several epochs. The model keeps going until an epoch is clean:

# %% tags=["nbval-check-output"]
perceptron = Perceptron(lr=1.0).fit(X_and, y_and)
print(f"converged: {perceptron.converged_} after {perceptron.n_epochs_} epochs, {perceptron.n_mistakes_} mistakes")
print(f"w = {perceptron.weight}, b = {perceptron.bias}, predictions {perceptron.predict(X_and)} vs y {y_and}")

# %% [markdown]
# Six epochs, eleven updates, and the final line is $2x_1 + x_2 - 3 = 0$. The figure shows the line at the
# end of each epoch (the last epoch made no update, so it is the same as the one before).

# %%
ends = {u.epoch: u for u in perceptron.history_}  # the last visit of each epoch
fig, axes = plt.subplots(2, 3, figsize=(8, 5.6))  # six epochs
for ax, (epoch, u) in zip(axes.ravel(), ends.items(), strict=True):
    scatter_classes(ax, X_and, y_and, legend=False,
                    highlight=F.step(X_and @ u.weight_after + u.bias_after) != y_and)
    linear_boundary(ax, u.weight_after, u.bias_after, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), avoid=X_and)
    ax.set(title=f"after epoch {epoch}", aspect="equal")
fig.suptitle("Rosenblatt's rule on AND: the line moves until no point is misclassified (ringed)")
plt.show()

# %% [markdown]
# Look at the last panel: the point $(1, 1)$ sits *exactly on* the line ($z = 2 + 1 - 3 = 0$) and counts as
# class 1 only because $\operatorname{step}(0) = 1$. The rule stops at the first line with no mistake, not
# at a good one: it does not care about the **margin**, the distance from the line to the closest point.
# Hold that thought; margins come back in Section 5.
#
# ## 4. Learning AND, OR and NAND
#
# The same rule, unchanged, learns every gate whose two classes a line can separate:

# %% tags=["nbval-check-output"]
fig, axes = plt.subplots(1, 3, figsize=SIZES["wide"])
lines = []  # printed at the end, in one piece
for ax, gate in zip(axes, ["and", "or", "nand"], strict=True):
    X_gate, y_gate = logic_gate(gate)
    model = Perceptron().fit(X_gate, y_gate)
    lines.append(f"{gate.upper():>4}: w = {model.weight}, b = {model.bias:g}, epochs = {model.n_epochs_}, "
                 f"mistakes = {model.n_mistakes_}, correct = {bool(np.all(model.predict(X_gate) == y_gate))}")
    decision_boundary(ax, model.predict, X_gate, y_gate, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5))
    ax.get_legend().remove()  # one legend for the figure, beside the panels, instead of one on each
    ax.set(title=f"{gate.upper()} learned in {model.n_epochs_} epochs", aspect="equal")
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside right center")
print("\n".join(lines))
plt.show()

# %% [markdown]
# Look closely: in all three panels some class-1 points lie *exactly on* the line, not only in AND. OR's
# line $x_1 + x_2 - 1 = 0$ passes through $(0, 1)$ and $(1, 0)$, NAND's $-2x_1 - x_2 + 2 = 0$ through
# $(1, 0)$. Two facts conspire. Starting from zero with $\eta = 1$ on 0/1 inputs, every update adds
# integers, so every $z$ at a corner is an integer and $z = 0$ is easy to hit. And a class-1 point with
# $z = 0$ counts as right ($\operatorname{step}(0) = 1$), so the rule, which only reacts to mistakes, never
# pushes it off the line; only class-0 points must end strictly on their side. The rule stops at the first
# line without a mistake, with no safety margin. (Exercise 3 asks for a NAND line that keeps clear of the
# points; the pitfalls at the end say how to demand a margin.)
#
# NAND is worth a second look: it is **universal**, every Boolean circuit can be built from NAND gates
# alone. So networks of perceptrons can compute any Boolean function; the question is whether a *single*
# one can, and whether the rule can find the weights. Section 6 answers the first; the next section the
# second.
#
# ## 5. The perceptron convergence theorem (Novikoff 1962)
#
# To state it cleanly we fold the bias into the weights with **augmented vectors**:
# $\tilde x = (x, 1) \in \mathbb{R}^{d+1}$ and $\tilde w = (w, b)$, so that $z = \tilde w \cdot \tilde x$
# and the rule becomes $\tilde w \leftarrow \tilde w + \eta (y - \hat y) \tilde x$. Write
# $s = 2y - 1 \in \{-1, +1\}$ for the label as a sign; a mistake updates $\tilde w$ by $\eta s \tilde x$.
#
# **Theorem.** Suppose some unit vector $\tilde u$ ($\lVert \tilde u \rVert = 1$) separates the data with
# margin $\gamma > 0$: $s_i\, \tilde u \cdot \tilde x_i \ge \gamma$ for every sample $i$, and let
# $R = \max_i \lVert \tilde x_i \rVert$. Then the rule, started from $\tilde w = 0$, makes **at most
# $(R / \gamma)^2$ mistakes**, in any order of the samples, for any $\eta > 0$.
#
# *Proof sketch.* Let $\tilde w_k$ be the weights after $k$ mistakes. Each mistake adds $\eta s \tilde x$
# with $s\,\tilde u \cdot \tilde x \ge \gamma$, so $\tilde u \cdot \tilde w_k \ge k \eta \gamma$: the
# weights advance steadily along $\tilde u$. On a mistake $s\, \tilde w \cdot \tilde x \le 0$, so
# $\lVert \tilde w + \eta s \tilde x \rVert^2 \le \lVert \tilde w \rVert^2 + \eta^2 R^2$: the length grows
# only like $\sqrt{k}$, $\lVert \tilde w_k \rVert \le \sqrt{k}\, \eta R$. Since
# $\tilde u \cdot \tilde w_k \le \lVert \tilde w_k \rVert$, we get $k \eta \gamma \le \sqrt{k}\, \eta R$,
# that is $k \le (R/\gamma)^2$. $\square$
#
# **Careful with the bias.** Because the theorem needs the augmented vectors, $R$ includes the constant
# input 1 ($R \ge 1$ always), and $\gamma$ is measured with the unit vector $(u, c)/\lVert (u, c) \rVert$,
# not with the line's geometric margin in the plane. If a line $u \cdot x + c = 0$ with
# $\lVert u \rVert = 1$ leaves every point at distance $\ge m$, the augmented margin is
# $\gamma = m / \sqrt{1 + c^2}$. `novikoff_bound(X, y, weight, bias)` computes $R$, $\gamma$ and the bound
# this way.
#
# **The experiment.** `separable_blobs(n, margin, rng=seed, return_separator=True)` draws two clouds that
# the line $u \cdot x + c = 0$ separates with exactly the geometric margin asked for. For each margin we
# train on ten clouds (seeds 0–9; the same seed gives the same cloud, pushed further apart for a larger
# margin) and compare the mistakes with the bound.

# %% tags=["nbval-check-output"]
margins = [1.0, 0.5, 0.2, 0.1, 0.05, 0.02]
results = []  # (margin, bound, mistakes) for every run
table = [f"{'margin':>7} {'R':>6} {'γ':>7} {'bound (min)':>12} {'mistakes (mean)':>16} {'(max)':>6} "
         f"{'max mistakes/bound':>19}"]
for margin in margins:
    runs = []
    for seed in range(10):
        X_blob, y_blob, u, c = separable_blobs(100, margin, rng=seed, dtype=np.float64, return_separator=True)
        radius, gamma, bound = novikoff_bound(X_blob, y_blob, u, c)
        model = Perceptron(max_epochs=10_000, dtype=np.float64).fit(X_blob, y_blob)
        assert model.converged_
        runs.append((radius, gamma, bound, model.n_mistakes_))
        results.append((margin, bound, model.n_mistakes_))
    radius, gamma, bound, mistakes = np.array(runs).T
    table.append(f"{margin:>7} {radius.mean():>6.3g} {gamma.mean():>7.3g} {bound.min():>12.3g} "
                 f"{mistakes.mean():>16.3g} {mistakes.max():>6.0f} {np.max(mistakes / bound):>19.3g}")
results = np.array(results)
table.append(f"every run within the bound: {bool(np.all(results[:, 2] <= results[:, 1]))}")
print("\n".join(table))

# %% [markdown]
# What the table says:
#
# * **The theorem holds in every run**: the largest ratio of mistakes to bound is 0.155, at the widest
#   margin. (Here $R \approx 5$: the clouds spread about 5 units from the origin, and the constant input 1
#   adds a little.)
# * **Smaller margin, more mistakes.** Dividing the margin by 50 (from 1 to 0.02) raises the mean number
#   of mistakes from 3.7 to 92.8, and the worst run from 7 to 260: the closer the classes, the more often
#   the rule overshoots and has to come back.
# * **The bound is loose, and gets looser.** It grows like $1/\gamma^2$ (from 25 to about 40 000), while
#   the mistakes grow much more slowly: at margin 0.02 even the worst run uses under 0.4 % of the bound.
#   The bound is a worst case over every order of the samples and every data set with that $R$ and
#   $\gamma$; typical data is far kinder. It is also computed with the generator's line, while a line
#   with a larger margin may exist, which would give a smaller bound.
#
# The theorem's real message is qualitative: **on separable data the rule always stops**, and the wider
# the gap between the classes, the sooner.

# %%
fig, ax = plt.subplots(figsize=SIZES["medium"])
sc = ax.scatter(results[:, 1], results[:, 2], c=np.log10(results[:, 0]), cmap="viridis", s=25, zorder=3)
span = np.array([results[:, 1].min(), results[:, 1].max()])
ax.plot(span, span, color=COLORS["boundary"], lw=1.5, label="mistakes = bound")
ax.set(xscale="log", yscale="log", xlabel="Novikoff's bound $(R/\\gamma)^2$", ylabel="mistakes made",
       title="Every run lies below the bound, far below for small margins")
fig.colorbar(sc, ax=ax, label="log$_{10}$ margin")
ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# ## 6. XOR: what one neuron cannot do (Minsky & Papert 1969)
#
# XOR says 1 when exactly one input is 1. Its four points sit at the corners of a square, class 1 on one
# diagonal and class 0 on the other. **No line separates them.** Suppose $w_1, w_2, b$ did. Then
#
# $$ (0,0)\mapsto 0:\ b < 0, \qquad (0,1)\mapsto 1:\ w_2 + b \ge 0, \qquad (1,0)\mapsto 1:\ w_1 + b \ge 0,
# \qquad (1,1)\mapsto 0:\ w_1 + w_2 + b < 0. $$
#
# Adding the two middle inequalities gives $w_1 + w_2 + 2b \ge 0$, so $w_1 + w_2 + b \ge -b > 0$,
# contradicting the last one. The figure tries a few lines: each gets at most three of the four points
# right.

# %%
X_xor, y_xor = logic_gate("xor")
tries = [((1.0, 1.0), -0.5), ((1.0, 1.0), -1.5), ((1.0, -1.0), -0.5), ((-1.0, 1.0), -0.5)]
fig, axes = plt.subplots(1, len(tries), figsize=(10, 2.7))
for ax, (weight, bias) in zip(axes, tries, strict=True):
    wrong = F.step(X_xor @ np.array(weight) + bias) != y_xor
    scatter_classes(ax, X_xor, y_xor, highlight=wrong, legend=False)
    linear_boundary(ax, weight, bias, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), avoid=X_xor)
    ax.set(title=f"{int(wrong.sum())} of 4 wrong", aspect="equal")
fig.suptitle("XOR: every line misclassifies at least one point (ringed)")
plt.show()

# %% [markdown]
# The rule does not know this, and keeps trying. Here are the weights at the start of each epoch:

# %% tags=["nbval-check-output"]
converged = Perceptron(max_epochs=1000).fit(X_xor, y_xor).converged_
perceptron = Perceptron().reset(n_features=2)
seen = {}
for epoch in range(1, 11):
    state = (*perceptron.weight.tolist(), float(perceptron.bias))
    mistakes = perceptron.fit_epoch(X_xor, y_xor)
    print(f"epoch {epoch:>2}: starts at w = ({state[0]:g}, {state[1]:g}), b = {state[2]:g}; "
          f"{mistakes} mistakes")
    if state in seen:
        print(f"epoch {epoch} starts exactly where epoch {seen[state]} started: the rule is in a cycle")
        break
    seen[state] = epoch
print(format_history([u for u in perceptron.history_ if u.epoch == epoch]))
print("fit for 1000 epochs, converged:", converged)

# %% [markdown]
# From epoch 3 on, every epoch starts at $w = (-1, 0)$, $b = 0$ and makes four mistakes whose four
# updates cancel exactly ($-x_{00} + x_{01} + x_{10} - x_{11} = 0$ and
# $-1 + 1 + 1 - 1 = 0$ for the bias): the weights return to the same place after every epoch, forever.
# On data no line separates, the rule never converges; with integer inputs it falls into a cycle like this
# one (the *perceptron cycling theorem*), and in general its weights stay bounded but never settle.
#
# ## 7. The rule as gradient descent on a loss, and ADALINE
#
# Every later chapter trains networks the same way: choose a **loss**, a number that says how wrong the
# model is, and step the weights against its gradient. Rosenblatt's rule looks different, but it is an
# instance. Write $s = 2y - 1 \in \{-1, +1\}$ again and define, for one sample, the **perceptron loss**
#
# $$ \ell(w, b) = \max(0, -s\,z), \qquad z = w \cdot x + b . $$
#
# It is 0 when the sample is on its side of the line ($s z > 0$) and $|z|$ when it is not: proportional to
# how far the sample lies past the line ($|z| / \lVert w \rVert$ is that distance). Its gradient is
# $\partial \ell / \partial w = -s\,x$, $\partial \ell / \partial b = -s$ on a mistake and $0$ otherwise.
# One step of **stochastic gradient descent** (SGD: a gradient step on one sample at a time),
# $w \leftarrow w - \eta\, \partial \ell / \partial w$, is therefore $w \leftarrow w + \eta\, s\, x$ on a
# mistake and nothing otherwise. And on a mistake $y - \hat y = s$ (a missed 1: $1 - 0 = +1$; a false 1:
# $0 - 1 = -1$): **Rosenblatt's rule is SGD on the perceptron loss.** (At $z = 0$ the loss has a kink and no
# derivative; there the convention $\operatorname{step}(0) = 1$ picks the subgradient.)
#
# Let us check it: SGD on this loss, written with its derivative `perceptron_loss` returns, visiting the
# samples in the perceptron's order, against `Perceptron`'s own weights, and the mean loss over the data at
# the end of each epoch.

# %% tags=["nbval-check-output"]
X_sep, y_sep = separable_blobs(100, 0.05, rng=0, dtype=np.float64)
rosenblatt = Perceptron(lr=0.5, dtype=np.float64).fit(X_sep, y_sep)
w_sgd, b_sgd, epoch_loss = np.zeros(2), 0.0, []
for u in rosenblatt.history_:  # the same visits, in the same order
    x_i, y_i = X_sep[u.index], y_sep[u.index]
    _, dloss_dz = perceptron_loss(np.array([x_i @ w_sgd + b_sgd]), np.array([y_i]))
    w_sgd = w_sgd - 0.5 * dloss_dz[0] * x_i  # chain rule: dℓ/dw = dℓ/dz · x
    b_sgd = b_sgd - 0.5 * dloss_dz[0]  # dℓ/db = dℓ/dz
    if u.index == len(X_sep) - 1:  # the end of an epoch
        epoch_loss.append(perceptron_loss(X_sep @ w_sgd + b_sgd, y_sep)[0].mean())
print("same weights as Rosenblatt's rule:", np.allclose(w_sgd, rosenblatt.weight, rtol=1e-12),
      np.isclose(b_sgd, rosenblatt.bias, rtol=1e-12))
print("mean perceptron loss after each epoch:", np.round(epoch_loss, 3))

# %% [markdown]
# The loss reaches exactly 0 after the third epoch and stays there: it is 0 exactly when no sample is
# misclassified. On the way it *rose* (0.073, then 0.084): each SGD step lowers the loss of *one* sample and
# may raise the others'. Seen this way, the
# perceptron is one choice among several losses, all functions of the **margin** $m = s z$ of a sample:
#
# * the **0–1 loss** (1 for a mistake, else 0) is what we care about, but it is flat: its gradient is 0
#   almost everywhere, the step's problem again;
# * the **perceptron loss** $\max(0, -m)$ is its closest convex stand-in: no gradient once a point is right,
#   which is why the rule stops at the first separating line, margin or not;
# * the **hinge loss** $\max(0, 1 - m)$ of support-vector machines keeps pushing until $m \ge 1$: it
#   demands a margin;
# * the **squared error** $(s - z)^2 = (1 - m)^2$ is ADALINE's, below;
# * the **logistic loss** $\log(1 + e^{-m})$ is the binary cross-entropy of a sigmoid output, the loss of
#   Chapter 3.

# %%
margin_axis = np.linspace(-2.5, 2.5, 501)
losses = {"0–1 (mistakes)": (margin_axis < 0).astype(float),
          "perceptron  max(0, −m)": np.maximum(0, -margin_axis),
          "hinge  max(0, 1 − m)": np.maximum(0, 1 - margin_axis),
          "squared  $(1 - m)^2$  (ADALINE)": (1 - margin_axis) ** 2,
          "logistic  $\\log(1 + e^{-m})$": np.logaddexp(0, -margin_axis)}
fig, ax = plt.subplots(figsize=(8, 3.8))
for (name, values), color in zip(losses.items(), plt.rcParams["axes.prop_cycle"].by_key()["color"], strict=False):
    ax.plot(margin_axis, values, color=color, label=name)
ax.axvline(0, color=COLORS["neutral"], lw=0.8)
ax.set(ylim=(-0.1, 3.5), xlabel=r"margin $m = s\,z$ (negative: misclassified)", ylabel="loss of one sample",
       title="Losses as functions of the margin: only the 0–1 loss has no useful slope")
ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
plt.show()

# %% [markdown]
# ### ADALINE (Widrow & Hoff 1960)
#
# Two years after the perceptron, Bernard Widrow and Ted Hoff built the **ADALINE** (adaptive linear
# element) in hardware at Stanford. Same neuron, same prediction $\operatorname{step}(z)$, but a different
# loss: the squared error of the *linear* output against the target, $\tfrac12 (s - z)^2$. Its gradient is
# $-(s - z)\,x$, so SGD gives the **LMS** (least mean squares) or **Widrow–Hoff rule**
#
# $$ w \leftarrow w + \eta\,(s - z)\,x, \qquad b \leftarrow b + \eta\,(s - z) . $$
#
# It looks like Rosenblatt's rule with $z$ in place of $\hat y$, and the difference matters. The rule
# updates on *every* sample, in proportion to the error: it is linear regression on $\pm 1$ targets, fitted
# one sample at a time. With a small enough $\eta$ it settles near the least-squares weights even when no
# line separates the classes; with too large a one it diverges. `nncourse.perceptron.Adaline` implements it.
#
# **Experiment.** Two overlapping clouds (centres $(\pm1, \pm1)$, spread 1.2): no line separates them, so
# the perceptron never converges. We train both for 30 epochs from zero, print their training accuracy
# along the way, and measure both on 2000 fresh points from the same clouds.

# %% tags=["nbval-check-output"]
centres = np.array([[-1.0, -1.0], [1.0, 1.0]])
X_mix, y_mix = make_blobs(200, centers=centres, cluster_std=1.2, rng=0, dtype=np.float64)
X_new, y_new = make_blobs(2000, centers=centres, cluster_std=1.2, rng=1, dtype=np.float64)
rosenblatt = Perceptron(dtype=np.float64).reset(n_features=2)
adaline = Adaline(lr=0.002, dtype=np.float64)
curves = {"perceptron": [], "ADALINE": []}
for _ in range(30):
    for name, model in [("perceptron", rosenblatt), ("ADALINE", adaline)]:
        model.fit_epoch(X_mix, y_mix)
        curves[name].append(np.mean(model.predict(X_mix) == y_mix))
print("training accuracy after epoch    1     2     5    10    20    30")
for name, accuracy in curves.items():
    print(f"{name:>10s}                    " + " ".join(f"{accuracy[e - 1]:5.3f}" for e in (1, 2, 5, 10, 20, 30)))
for name, model in [("perceptron", rosenblatt), ("ADALINE", adaline)]:
    print(f"{name:>10s}: w = {np.round(model.weight, 3)}, b = {float(model.bias):.3f}, "
          f"accuracy on fresh points {np.mean(model.predict(X_new) == y_new):.3f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=SIZES["wide"])
for (name, accuracy), color in zip(curves.items(), (COLORS["highlight"], COLORS["model"]), strict=True):
    axes[0].plot(range(1, 31), accuracy, marker="o", ms=3, color=color, label=name)
axes[0].set(xlabel="epoch", ylabel="training accuracy", ylim=(0.75, 0.9),
            title="The perceptron's accuracy jumps; ADALINE's settles")
axes[0].legend(loc="lower right")
scatter_classes(axes[1], X_mix, y_mix, s=15, legend=False)
limits = dict(xlim=(-5, 5), ylim=(-5, 5))
linear_boundary(axes[1], rosenblatt.weight, rosenblatt.bias, shade=False, normal=False,
                color=COLORS["highlight"], label="perceptron, epoch 30", **limits)
linear_boundary(axes[1], adaline.weight, adaline.bias, shade=False, normal=False, color=COLORS["model"],
                label="ADALINE, epoch 30", **limits)
axes[1].set(title="Overlapping clouds: the two final lines", xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
axes[1].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
plt.show()

# %% [markdown]
# On data no line separates, the perceptron's weights never settle: each epoch ends wherever the last few
# mistakes left them, and its accuracy jumps between about 0.81 and 0.87 from one epoch to the next, so
# *when* you stop decides how good the model is. ADALINE's mean squared error settles after a few epochs,
# its weights stop moving (to three digits), and its line, close to the least-squares one, does best on
# fresh points (0.892 against the perceptron's 0.855 at epoch 30).
#
# Settling is not solving, though. On XOR the least-squares line is no line at all: $w = 0$, $b = 0$, every
# point on the boundary. ADALINE ends near it, and gets half of XOR wrong, as every line must:

# %% tags=["nbval-check-output"]
xor_adaline = Adaline(lr=0.05, epochs=500, dtype=np.float64).fit(X_xor, y_xor)
print(f"w = {np.round(xor_adaline.weight, 2)}, b = {float(xor_adaline.bias):.2f}, "
      f"predictions {xor_adaline.predict(X_xor).tolist()} vs XOR {y_xor.tolist()}")

# %% [markdown]
# ## 8. From one neuron to networks: a short history
#
# * **1943: McCulloch & Pitts** showed that networks of threshold units compute logical functions, with
#   weights set by hand; **1949: Hebb** proposed that connections between neurons that fire together
#   strengthen, the first learning rule for such networks.
# * **1958: Rosenblatt's perceptron.** The *Mark I Perceptron*, a machine with a 20×20 grid of photocells
#   and motor-driven potentiometers as weights, learned to tell simple shapes apart. The press promised
#   machines that would soon walk, talk and be conscious.
# * **1960: Widrow & Hoff's ADALINE** (Section 7) trained a linear unit by the LMS rule, which became a
#   workhorse of adaptive signal processing (echo cancellers in modems and phone lines still use it).
# * **1962: Novikoff** proved the convergence theorem of Section 5.
# * **1967: Amari** trained a multi-layer network of smooth units by stochastic gradient descent, and
#   Ivakhnenko's group (from 1965) fitted deep polynomial networks layer by layer.
# * **1969: Minsky & Papert's *Perceptrons*** proved rigorously what single-layer perceptrons cannot
#   compute: XOR, parity, and connectedness of a figure, unless the perceptron sees the whole input in
#   each unit. They knew that layers of perceptrons could compute these; what was missing was a widely
#   known, widely adopted way to *train* the hidden layers (the step has no useful derivative), and the book
#   doubted one would be found.
# * **1970: Linnainmaa** described reverse-mode automatic differentiation, the algorithm behind
#   backpropagation, for general computations; **Werbos** (thesis 1974, applied to neural networks in 1982)
#   proposed using it to train them. Neither was widely taken up at the time.
# * **The 1970s: the first "AI winter".** Funding and interest in neural networks dried up (the
#   Lighthill report of 1973 in the UK added to it), and research continued in a few places only.
# * **1986: Rumelhart, Hinton & Williams** popularised **backpropagation**: replace the step by a smooth
#   activation (the sigmoid), and gradient descent can train every layer of a multi-layer network
#   (Chapters 2–5). Their experiments showed hidden layers learning useful features of their own, and the
#   method spread; XOR became easy.
#
# A two-layer network of perceptrons already computes XOR, with weights set by hand: XOR(x) =
# AND(OR(x), NAND(x)). The hidden layer maps the four points to a new plane where a line *does*
# separate them.

# %% tags=["nbval-check-output"]
def neuron(weight, bias):
    model = Perceptron(dtype=np.float64)
    model.weight, model.bias = np.array(weight, dtype=np.float64), bias
    return model


or_unit, nand_unit = neuron([1, 1], -0.5), neuron([-1, -1], 1.5)
and_unit = neuron([1, 1], -1.5)
H = np.column_stack([or_unit.predict(X_xor), nand_unit.predict(X_xor)])  # the hidden layer's output
print("hidden (OR, NAND):", H.tolist())
print("output AND(hidden):", and_unit.predict(H).tolist(), " XOR targets:", y_xor.tolist())

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
scatter_classes(axes[0], X_xor, y_xor, legend=False)
linear_boundary(axes[0], or_unit.weight, or_unit.bias, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), shade=False,
                normal=False, label="OR unit")
linear_boundary(axes[0], nand_unit.weight, nand_unit.bias, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), shade=False,
                normal=False, color=COLORS["model"], label="NAND unit")
axes[0].set(title="Input space: class 1 lies between the two hidden lines", aspect="equal")
axes[0].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
apart = np.array([[0.0, 0.0], [-0.05, 0.0], [0.05, 0.0], [0.0, 0.0]])  # (0,1) and (1,0) share a hidden point
scatter_classes(axes[1], H + apart, y_xor, legend=False)
linear_boundary(axes[1], and_unit.weight, and_unit.bias, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), normal=False)
axes[1].set(title="Hidden space: one line separates XOR", xlabel="OR($x$)", ylabel="NAND($x$)",
            aspect="equal")
plt.show()

# %% [markdown]
# (Both class-1 points of XOR land on the same hidden point $(1, 1)$; they are drawn slightly apart.)
#
# ## 9. The same perceptron in PyTorch
#
# PyTorch has no `Perceptron` class, but its pieces are all there: `torch.nn.Linear(2, 1)` holds the weight
# (shape `(1, 2)`, PyTorch's *out × in* layout) and the bias, and `torch.heaviside(z, 1)` is our step with
# $\operatorname{step}(0) = 1$. The step has no gradient, so there is no `loss.backward()` here: we apply
# Rosenblatt's rule directly to the parameters, inside `torch.no_grad()`. We train both versions in float64
# on the same blobs, in the same order, and compare the weights after **every** visit.

# %% tags=["nbval-check-output"]
import torch

X_blob, y_blob = separable_blobs(100, 0.05, rng=0, dtype=np.float64)
ours = Perceptron(lr=0.5, dtype=np.float64).fit(X_blob, y_blob)

linear = torch.nn.Linear(2, 1, dtype=torch.float64)
with torch.no_grad():
    linear.weight.zero_()
    linear.bias.zero_()
X_t, y_t = torch.from_numpy(X_blob), torch.from_numpy(y_blob).double()
one = torch.tensor(1.0, dtype=torch.float64)
trace = []
with torch.no_grad():
    for _ in range(ours.n_epochs_):
        for i in range(len(X_t)):
            y_hat = torch.heaviside(linear(X_t[i]), one)  # ŷ = step(w·x + b)
            linear.weight += 0.5 * (y_t[i] - y_hat) * X_t[i]  # w ← w + η (y − ŷ) x
            linear.bias += 0.5 * (y_t[i] - y_hat)  # b ← b + η (y − ŷ)
            trace.append(np.append(linear.weight.numpy().ravel(), linear.bias.numpy()))

ours_trace = np.array([np.append(u.weight_after, u.bias_after) for u in ours.history_])
print(f"epochs: {ours.n_epochs_}, visits compared: {len(trace)}, mistakes: {ours.n_mistakes_}")
same = np.allclose(np.array(trace), ours_trace, rtol=1e-12, atol=0)
print("weights equal after every visit (rtol 1e-12):", same)
with torch.no_grad():
    torch_pred = torch.heaviside(linear(X_t).squeeze(1), one).long().numpy()
print("same predictions:", bool(np.array_equal(torch_pred, ours.predict(X_blob))))

# %% [markdown]
# Both implementations do the same arithmetic in the same order, so their weights agree after every one of
# the 400 visits, and the two models make the same predictions.
#
# PyTorch's everyday route is Section 7's: a loss, `backward()` and an optimizer. On a sample the current
# weights get wrong, the perceptron loss $\max(0, -s z)$ is $-s z$, whose gradient $-s\,\mathbf{x}$ is the
# rule's update; the mask decides "wrong" with $\operatorname{step}$, so a point on the line ($z = 0$) counts
# as class 1 exactly as in the rule. Differentiated by autograd and stepped by `torch.optim.SGD`, it makes the
# same updates again:

# %% tags=["nbval-check-output"]
linear = torch.nn.Linear(2, 1, dtype=torch.float64)
torch.nn.init.zeros_(linear.weight)
torch.nn.init.zeros_(linear.bias)
optimizer = torch.optim.SGD(linear.parameters(), lr=0.5)
s_t = 2 * y_t - 1
for _ in range(ours.n_epochs_):
    for i in range(len(X_t)):
        z_i = linear(X_t[i])[0]
        wrong = torch.heaviside(z_i.detach(), one) != y_t[i]
        loss = -s_t[i] * z_i if wrong else 0 * z_i  # the perceptron loss: −s z on a mistake, else 0
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print("autograd + SGD on the perceptron loss gives Rosenblatt's weights:",
      np.allclose(linear.weight.detach().numpy().ravel(), ours.weight, rtol=1e-12),
      np.isclose(linear.bias.item(), ours.bias, rtol=1e-12))

# %% [markdown]
# ## 10. Playground
#
# Before the interactive version, the static picture it starts from: the line $x_1 + x_2 - 0.5 = 0$ (it
# computes OR) over the AND data, with its two mistakes ringed, and the line the rule ends with.

# %%
learned = Perceptron(lr=0.5).fit(X_and, y_and)
panels = [((1.0, 1.0), -0.5, "start: OR's line on AND, 2 errors"),
          (learned.weight, learned.bias, "after the rule: 0 errors")]
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
for ax, (weight, bias, title) in zip(axes, panels, strict=True):
    wrong = F.step(X_and @ np.asarray(weight) + bias) != y_and
    scatter_classes(ax, X_and, y_and, highlight=wrong, legend=False)
    linear_boundary(ax, weight, bias, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), avoid=X_and)
    ax.set(title=title, aspect="equal")
plt.show()

# %% [markdown]
# Now take the controls. Move $w_1$, $w_2$ and $b$ (drag, or click a slider and use the arrow keys) and
# watch the line turn and shift, and the error count change; pick a data set; press **step** to apply the
# rule to the next sample (the visited point is boxed, and the text says whether it was a mistake),
# **epoch** for a whole pass, **play** to let the rule step on its own until an epoch passes without a
# mistake, **reset** to start over. The weights shown are exactly the ones the rule produced.
# Things to try: find weights for NAND by hand; step through AND and predict each update before you press;
# run epochs on XOR and watch the line go round in circles; on the blobs, lower $\eta$ and notice that the
# *sequence of mistakes* from a given start changes but the rule still converges.

# %%
from nncourse.widgets.perceptron import PerceptronPlayground

playground = PerceptronPlayground("AND")
playground

# %% [markdown]
# ## 11. Exercises
#
# Each exercise has a cell for your code and a cell that checks it and shows your points: a partly right
# answer earns points in proportion to the checker's cases it passes. The solutions are hidden (collapsed);
# try first. Nothing later in the notebook depends on your answers.
#
# **Exercise 1 — Prediction (2 points).** Write `predict(X, weight, bias)` that returns the perceptron's
# predictions $\operatorname{step}(X w + b)$ for the rows of `X` (shape `(n, d)`): an array of shape `(n,)`
# with values 0 and 1, and 1 where $z = 0$ exactly.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch01-predict", "locked": false, "schema_version": 3, "solution": true, "task": false}
def predict(X, weight, bias):
    """Perceptron predictions step(X @ weight + bias), shape (n,), values in {0, 1}."""
    ### BEGIN SOLUTION
    z = X @ weight + bias
    return (z >= 0).astype(int)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch01-predict-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch01 import check_predict

check_predict(predict)

# %% [markdown]
# **Exercise 2 — The update rule (3 points).** Write `update(weight, bias, x, y, lr)` that applies
# Rosenblatt's rule once to the sample `(x, y)` and returns `(new_weight, new_bias)`, with
# $\hat y = \operatorname{step}(w \cdot x + b)$ and, as everywhere in this chapter, $\operatorname{step}(0) = 1$.
# Do not change `weight` in place.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch01-update", "locked": false, "schema_version": 3, "solution": true, "task": false}
def update(weight, bias, x, y, lr):
    """One step of the perceptron rule on one sample; returns (new_weight, new_bias)."""
    ### BEGIN SOLUTION
    y_hat = 1 if x @ weight + bias >= 0 else 0
    error = y - y_hat
    return weight + lr * error * x, bias + lr * error
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch01-update-check", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch01 import check_update

extra_cases = []
### BEGIN HIDDEN TESTS
# An instructor's hidden case, (weight, bias, x, y, lr): a missed 1 in three dimensions.
extra_cases = [(np.array([0.2, -0.4, 1.0]), 0.3, np.array([1.0, 0.5, -2.0]), 1, 0.1)]
### END HIDDEN TESTS
check_update(update, extra_cases)

# %% [markdown]
# **Exercise 3 — NAND by hand (1 point).** Find a weight vector and a bias with which a perceptron computes
# NAND (1 unless both inputs are 1), without running the rule. Make `nand_weights()` return
# `(weight, bias)`. Hint: where must the line pass, and which side should $w$ point to? Keep the line off the
# four points.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch01-nand", "locked": false, "schema_version": 3, "solution": true, "task": false}
def nand_weights():
    """Weights (w1, w2) and bias b with step(w·x + b) = NAND(x1, x2)."""
    ### BEGIN SOLUTION
    # The line x1 + x2 = 1.5 separates (1, 1) from the rest; w points away from (1, 1).
    return np.array([-1.0, -1.0]), 1.5
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch01-nand-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch01 import check_nand_weights

check_nand_weights(nand_weights)

# %% [markdown]
# **Exercise 4 — Novikoff's bound (2 points).** Write `novikoff_bound_of(X, y, weight, bias)` that returns
# $(R/\gamma)^2$ for data separated by the line `(weight, bias)`, with the augmented vectors of Section 5:
# $R = \max_i \lVert (x_i, 1) \rVert$ and $\gamma = \min_i s_i (w, b)\cdot(x_i, 1) / \lVert (w, b) \rVert$,
# where $s_i = 2y_i - 1$.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch01-novikoff", "locked": false, "schema_version": 3, "solution": true, "task": false}
def novikoff_bound_of(X, y, weight, bias):
    """Novikoff's mistake bound (R / gamma)**2 with augmented vectors."""
    ### BEGIN SOLUTION
    X_tilde = np.hstack([X, np.ones((len(X), 1))])
    w_tilde = np.append(weight, bias)
    radius = np.linalg.norm(X_tilde, axis=1).max()
    gamma = np.min((2 * y - 1) * (X_tilde @ w_tilde)) / np.linalg.norm(w_tilde)
    return (radius / gamma) ** 2
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch01-novikoff-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch01 import check_novikoff_bound

check_novikoff_bound(novikoff_bound_of)

# %% [markdown]
# **Exercise 5 — The perceptron loss and its gradient (2 points).** Write `perceptron_loss_grad(weight,
# bias, x, y)` for one sample: return `(loss, grad_weight, grad_bias)` with the loss $\max(0, -s z)$,
# $s = 2y - 1$, $z = w \cdot x + b$, and its gradient, $(-s x, -s)$ when the perceptron gets the sample
# wrong ($\operatorname{step}(z) \ne y$, with $\operatorname{step}(0) = 1$) and zeros otherwise. Then
# `w - lr * grad_weight` is Rosenblatt's update (Section 7).

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch01-loss-grad", "locked": false, "schema_version": 3, "solution": true, "task": false}
def perceptron_loss_grad(weight, bias, x, y):
    """The perceptron loss max(0, -s z) of one sample and its gradient (grad_weight, grad_bias)."""
    ### BEGIN SOLUTION
    s, z = 2 * y - 1, x @ weight + bias
    if (1 if z >= 0 else 0) != y:  # a mistake
        return max(0.0, -s * z), -s * x, -s
    return 0.0, np.zeros_like(x), 0.0
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch01-loss-grad-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch01 import check_perceptron_loss_grad

check_perceptron_loss_grad(perceptron_loss_grad)

# %% [markdown]
# **Exercise 6 — One step of ADALINE's rule (2 points).** Write `lms_update(weight, bias, x, y, lr)` that
# applies the Widrow–Hoff rule once: with $s = 2y - 1$ and $z = w \cdot x + b$, return
# $(w + \eta (s - z) x,\; b + \eta (s - z))$. Unlike Rosenblatt's rule it updates on correct samples too.
# Do not change `weight` in place.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch01-lms", "locked": false, "schema_version": 3, "solution": true, "task": false}
def lms_update(weight, bias, x, y, lr):
    """One step of the Widrow–Hoff (LMS) rule on one sample; returns (new_weight, new_bias)."""
    ### BEGIN SOLUTION
    error = (2 * y - 1) - (x @ weight + bias)  # s - z
    return weight + lr * error * x, bias + lr * error
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch01-lms-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch01 import check_lms_update

check_lms_update(lms_update)

# %% [markdown]
# **Exercise 7 — A single neuron for overlapping classes (3 points).** Open-ended. The checker draws 300
# points from two overlapping clouds (no line separates them, like Section 7's but placed elsewhere), calls
# your `train_neuron(X, y)`, and measures the returned line $(w, b)$ on 4000 fresh points from the same
# clouds. One point each for an accuracy of 0.80, 0.82, and the target: within 0.01 of the best line there
# is (about 0.845). Any method that returns a line counts: your own loop, `Perceptron` (mind where it
# stops), the pocket algorithm, averaging, `Adaline`. Try a plain perceptron first and see what the checker
# says.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch01-overlap", "locked": false, "schema_version": 3, "solution": true, "task": false}
def train_neuron(X, y):
    """Train a single neuron on (X, y); return its (weight, bias)."""
    ### BEGIN SOLUTION
    model = Adaline(lr=0.002, epochs=50, dtype=np.float64).fit(X, y)  # small lr: settles near least squares
    return model.weight, model.bias
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch01-overlap-check", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch01 import check_overlapping_classifier

check_overlapping_classifier(train_neuron)

# %% [markdown]
# ## Summary
#
# * McCulloch and Pitts' threshold unit (1943) abstracts a neuron's summing and firing; the analogy stops
#   there (spikes, dendritic computation, local learning).
# * A perceptron computes $\hat y = \operatorname{step}(w \cdot x + b)$: the affine function of linear
#   regression, then a step. Its decision boundary $w \cdot x + b = 0$ is a line (a hyperplane) with normal
#   vector $w$ pointing to the class-1 side, at signed offset $-b/\lVert w \rVert$ from the origin.
# * Rosenblatt's rule $w \leftarrow w + \eta (y - \hat y) x$, $b \leftarrow b + \eta (y - \hat y)$ changes
#   the weights only on mistakes, each time moving $z$ of that sample towards the right side.
# * On linearly separable data the rule stops after at most $(R/\gamma)^2$ mistakes (Novikoff), measured
#   with augmented vectors; in our experiment the real count stayed far below that worst case, and grew
#   as the margin shrank.
# * No line separates XOR, so no single perceptron computes it, and the rule cycles forever. Two layers
#   suffice, but the step gives no gradient to train the hidden layer: the problem backpropagation and
#   smooth activations solved.
# * The rule is stochastic gradient descent on the perceptron loss $\max(0, -s z)$. ADALINE's LMS rule is
#   SGD on the squared error $(s - z)^2$: it updates on every sample and settles even on data no line
#   separates, where the perceptron's weights keep jumping.
#
# ## Common pitfalls
#
# * **Labels in the wrong convention.** This course uses $y \in \{0, 1\}$ with the rule's factor
#   $(y - \hat y)$; many texts use $y \in \{-1, +1\}$ with the update $y\,x$ on mistakes. Mixing them
#   silently breaks the rule (the `Perceptron` rejects labels other than 0 and 1).
# * **Forgetting the bias,** or computing Novikoff's $R$ and $\gamma$ without the constant input 1: a line
#   through the origin is not the same model, and the bound would not hold.
# * **Points exactly on the line.** $\operatorname{step}(0) = 1$ is a convention; a learned line may pass
#   through a training point (AND, OR and NAND above), and a tiny perturbation then flips the prediction.
#   The rule does not maximise the margin. To demand one, update whenever $s z < \mu$ for some $\mu > 0$
#   (the perceptron with margin), or minimise the hinge loss $\max(0, 1 - s z)$ (a support-vector machine).
# * **Stopping the perceptron on data no line separates** wherever `max_epochs` happens to fall: its
#   accuracy jumps from epoch to epoch. Keep the best weights seen so far (the *pocket algorithm*, Gallant
#   1990), average them, or use a loss that settles (ADALINE, or Chapter 3's cross-entropy).
# * **Expecting convergence on non-separable data.** Cap the number of epochs (`max_epochs`) and check
#   `converged_`.
# * **Reading the learning rate as a speed knob.** From zero weights, $\eta$ only rescales $w$ and $b$: it
#   does not change the predictions or the number of mistakes.
#
# ## References
#
# * W. S. McCulloch & W. Pitts (1943). A logical calculus of the ideas immanent in nervous activity.
#   *Bulletin of Mathematical Biophysics* 5, 115–133.
# * D. O. Hebb (1949). *The Organization of Behavior.* Wiley.
# * F. Rosenblatt (1958). The perceptron: a probabilistic model for information storage and organization
#   in the brain. *Psychological Review* 65(6), 386–408.
# * A. B. J. Novikoff (1962). On convergence proofs on perceptrons. *Symposium on the Mathematical Theory
#   of Automata* 12, 615–622.
# * B. Widrow & M. E. Hoff (1960). Adaptive switching circuits. *IRE WESCON Convention Record* 4, 96–104.
# * S. Amari (1967). A theory of adaptive pattern classifiers. *IEEE Transactions on Electronic Computers*
#   EC-16(3), 299–307.
# * M. Minsky & S. Papert (1969). *Perceptrons: An Introduction to Computational Geometry.* MIT Press.
# * H. D. Block & S. A. Levin (1970). On the boundedness of an iterative procedure for solving a system of
#   linear inequalities. *Proceedings of the AMS* 26, 229–235 (the perceptron cycling theorem).
# * S. Linnainmaa (1970). The representation of the cumulative rounding error of an algorithm as a Taylor
#   expansion of the local rounding errors. Master's thesis, University of Helsinki.
# * P. J. Werbos (1974). *Beyond Regression.* PhD thesis, Harvard; (1982) Applications of advances in
#   nonlinear sensitivity analysis. *System Modeling and Optimization*, Springer, 762–770.
# * S. I. Gallant (1990). Perceptron-based learning algorithms. *IEEE Transactions on Neural Networks* 1(2),
#   179–191 (the pocket algorithm).
# * P. Poirazi, T. Brannon & B. W. Mel (2003). Pyramidal neuron as two-layer neural network. *Neuron* 37(6),
#   989–999; D. Beniaguev, I. Segev & M. London (2021). Single cortical neurons as deep artificial neural
#   networks. *Neuron* 109(17), 2727–2739.
# * D. E. Rumelhart, G. E. Hinton & R. J. Williams (1986). Learning representations by back-propagating
#   errors. *Nature* 323, 533–536.
#
# ## What comes next
#
# **Chapter 2: activation functions.** The step's derivative is zero everywhere (and undefined at 0), so
# gradient descent on any loss of $\operatorname{step}(z)$ cannot train a network of steps. Chapter 2
# replaces it with smooth activations (sigmoid, tanh, ReLU and friends), compares their shapes and
# derivatives, and prepares the multi-layer networks of Chapter 3, whose hidden layers solve XOR and,
# trained by gradient descent on the cross-entropy (the logistic loss above), learn curved boundaries.
# Chapter 5 derives the gradients of every layer (backpropagation), and Chapters 6–8 make the descent fast
# and reliable: optimizers, initialisation, normalisation and regularisation.
