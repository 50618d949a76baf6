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
# neuron that adds up its weighted inputs and passes the sum through a non-linear function. In 1958 Frank
# Rosenblatt built such a unit, the **perceptron**, and gave it a rule that learns its weights from
# examples. This chapter builds the perceptron from scratch, watches the rule learn logic gates, proves
# (and checks by experiment) that the rule always succeeds when a straight line can separate the classes,
# and sees it fail forever on XOR: the failure that stalled the field for a decade and that multi-layer
# networks, the subject of the rest of the course, overcome.
#
# **Learning objectives.** After this chapter you can
# 1. write the perceptron as a weighted sum, a bias and a step activation, and compute its predictions;
# 2. read its decision boundary $w \cdot x + b = 0$ geometrically: $w$ is normal to it, $b$ shifts it;
# 3. apply Rosenblatt's learning rule by hand and explain why each update helps;
# 4. state the perceptron convergence theorem (Novikoff 1962) and check its bound $(R/\gamma)^2$ by
#    experiment;
# 5. prove that no single perceptron computes XOR, and recognise the rule cycling on it;
# 6. write the same perceptron with PyTorch tensors.
#
# **Prerequisites.** Python and NumPy (arrays, `@`, broadcasting); vectors, dot products and norms.
#
# **Estimated time.** 1.5–2 hours, exercises included.

# %%
import matplotlib.pyplot as plt
import numpy as np

import nncourse
import nncourse.plot
from nncourse import functional as F
from nncourse.data import logic_gate, separable_blobs
from nncourse.perceptron import Perceptron, format_history, novikoff_bound
from nncourse.plot import COLORS, SIZES, decision_boundary, linear_boundary, scatter_classes

_ = nncourse.manual_seed(0)  # seeds every default draw (none below relies on it: all pass rng=)

# %% [markdown]
# ## 1. The artificial neuron
#
# A neuron receives an input vector $x \in \mathbb{R}^d$. It multiplies each input by a **weight**, adds
# the products and a **bias**, and passes this **pre-activation** $z$ through an **activation function**:
#
# $$ z = w \cdot x + b = \sum_{j=1}^{d} w_j x_j + b, \qquad \hat y = \operatorname{step}(z) =
# \begin{cases} 1 & z \ge 0 \\ 0 & z < 0. \end{cases} $$
#
# The weights say how much each input matters and in which direction; the bias sets how easily the neuron
# fires. The perceptron's activation is the **step** (Heaviside) function, so its output is a class,
# $\hat y \in \{0, 1\}$. Notice that $z = w \cdot x + b$ is exactly a linear-regression model: **a
# perceptron is linear regression followed by a step**. Chapter 2 swaps the step for smooth activations.
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
#   $(w \cdot x + b) / \lVert w \rVert$, so the line lies at distance $-b / \lVert w \rVert$ from the
#   origin, along $w$. Scaling $w$ and $b$ together by any $c > 0$ changes nothing.
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
fig, axes = plt.subplots(1, len(ends), figsize=(12, 2.6))
for ax, (epoch, u) in zip(axes, ends.items(), strict=True):
    scatter_classes(ax, X_and, y_and, legend=False,
                    highlight=F.step(X_and @ u.weight_after + u.bias_after) != y_and)
    linear_boundary(ax, u.weight_after, u.bias_after, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5))
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
    ax.set(title=f"{gate.upper()} learned in {model.n_epochs_} epochs", aspect="equal")
print("\n".join(lines))
plt.show()

# %% [markdown]
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
fig, axes = plt.subplots(1, len(tries), figsize=(12, 2.8))
for ax, (weight, bias) in zip(axes, tries, strict=True):
    wrong = F.step(X_xor @ np.array(weight) + bias) != y_xor
    scatter_classes(ax, X_xor, y_xor, highlight=wrong, legend=False)
    linear_boundary(ax, weight, bias, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5))
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
# ## 7. From one neuron to networks: a short history
#
# * **1958: Rosenblatt's perceptron.** The *Mark I Perceptron*, a machine with a 20×20 grid of photocells
#   and motor-driven potentiometers as weights, learned to tell simple shapes apart. The press promised
#   machines that would soon walk, talk and be conscious.
# * **1962: Novikoff** proved the convergence theorem of Section 5.
# * **1969: Minsky & Papert's *Perceptrons*** proved rigorously what single-layer perceptrons cannot
#   compute: XOR, parity, and connectedness of a figure, unless the perceptron sees the whole input in
#   each unit. They knew that layers of perceptrons could compute these, but no one knew how to *train*
#   the hidden layers: the step has no useful derivative.
# * **The 1970s: the first "AI winter".** Funding and interest in neural networks dried up (the
#   Lighthill report of 1973 in the UK added to it), and research continued in a few places only.
# * **1986: Rumelhart, Hinton & Williams** popularised **backpropagation**: replace the step by a smooth
#   activation (the sigmoid), and gradient descent can train every layer of a multi-layer network
#   (Chapters 2–5). Hidden layers learn their own features, and XOR becomes easy.
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
# ## 8. The same perceptron in PyTorch
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
# ## 9. Playground
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
    linear_boundary(ax, weight, bias, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5))
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
# ## 10. Exercises
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
# ## Summary
#
# * A perceptron computes $\hat y = \operatorname{step}(w \cdot x + b)$: linear regression followed by a
#   step. Its decision boundary $w \cdot x + b = 0$ is a line (a hyperplane) with normal vector $w$
#   pointing to the class-1 side; $b$ shifts it.
# * Rosenblatt's rule $w \leftarrow w + \eta (y - \hat y) x$, $b \leftarrow b + \eta (y - \hat y)$ changes
#   the weights only on mistakes, each time moving $z$ of that sample towards the right side.
# * On linearly separable data the rule stops after at most $(R/\gamma)^2$ mistakes (Novikoff), measured
#   with augmented vectors; in our experiment the real count stayed far below that worst case, and grew
#   as the margin shrank.
# * No line separates XOR, so no single perceptron computes it, and the rule cycles forever. Two layers
#   suffice, but the step gives no gradient to train the hidden layer: the problem backpropagation and
#   smooth activations solved.
#
# ## Common pitfalls
#
# * **Labels in the wrong convention.** This course uses $y \in \{0, 1\}$ with the rule's factor
#   $(y - \hat y)$; many texts use $y \in \{-1, +1\}$ with the update $y\,x$ on mistakes. Mixing them
#   silently breaks the rule (the `Perceptron` rejects labels other than 0 and 1).
# * **Forgetting the bias,** or computing Novikoff's $R$ and $\gamma$ without the constant input 1: a line
#   through the origin is not the same model, and the bound would not hold.
# * **Points exactly on the line.** $\operatorname{step}(0) = 1$ is a convention; a learned line may pass
#   through a training point (AND above), and a tiny perturbation then flips the prediction. The rule does
#   not maximise the margin.
# * **Expecting convergence on non-separable data.** Cap the number of epochs (`max_epochs`) and check
#   `converged_`.
# * **Reading the learning rate as a speed knob.** From zero weights, $\eta$ only rescales $w$ and $b$: it
#   does not change the predictions or the number of mistakes.
#
# ## References
#
# * F. Rosenblatt (1958). The perceptron: a probabilistic model for information storage and organization
#   in the brain. *Psychological Review* 65(6), 386–408.
# * A. B. J. Novikoff (1962). On convergence proofs on perceptrons. *Symposium on the Mathematical Theory
#   of Automata* 12, 615–622.
# * M. Minsky & S. Papert (1969). *Perceptrons: An Introduction to Computational Geometry.* MIT Press.
# * H. D. Block & S. A. Levin (1970). On the boundedness of an iterative procedure for solving a system of
#   linear inequalities. *Proceedings of the AMS* 26, 229–235 (the perceptron cycling theorem).
# * D. E. Rumelhart, G. E. Hinton & R. J. Williams (1986). Learning representations by back-propagating
#   errors. *Nature* 323, 533–536.
#
# ## What comes next
#
# **Chapter 2: activation functions.** The step's derivative is zero everywhere (and undefined at 0), so
# gradient descent cannot train a network of steps. Chapter 2 replaces it with smooth activations
# (sigmoid, tanh, ReLU and friends), compares their shapes and derivatives, and prepares the multi-layer
# networks of Chapter 3, whose hidden layers solve XOR and, trained by gradient descent, learn curved
# boundaries.
