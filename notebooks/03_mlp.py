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
# # Chapter 3 — Multi-layer perceptrons
#
# In Chapter 1 a single perceptron drew one straight line through the input plane, and XOR, the simplest
# function that no line separates, was out of its reach: the observation with which Minsky and Papert (1969)
# cooled the field for a decade. The way out is to **stack** neurons: a layer of neurons turns the input
# into new features, the next layer draws its line in the space of those features, and a line there can be
# a curve in the input plane. Such a stack is a *multi-layer perceptron* (MLP), the network every later
# chapter builds on. In this chapter we write its forward pass as a few matrix products, count its
# parameters, solve XOR by hand with two hidden units, and then look inside a trained network to see what
# each unit has learned. We define the loss and the gradient-descent step that train it, train a network
# on real handwritten digits, and write the same network as a PyTorch `nn.Module`.
#
# **Learning objectives.** After this chapter you can
# 1. write a layer as an affine map followed by an activation, $z = W a + b$, $a = \sigma(z)$, and say
#    what every row and column of $W$ means;
# 2. run a whole batch through a network as matrix products, with the shape of every array;
# 3. count the parameters of a fully connected architecture;
# 4. set the weights of a 2-2-1 network that computes XOR, and explain it geometrically;
# 5. read what the hidden units of a trained network compute, layer by layer;
# 6. define the binary cross-entropy and cross-entropy losses and a step of stochastic gradient descent,
#    and write the training loop that uses them;
# 7. compare deep-and-narrow with shallow-and-wide networks of the same size, by measurement;
# 8. train a classifier on real images (the digits) and read its first-layer weights and its confusion
#    matrix;
# 9. build the same network in PyTorch, as an `nn.Module` subclass with a `forward` method, and check that it
#    computes the same numbers.
#
# **Prerequisites.** Chapter 1 (the perceptron), Chapter 2 (activation functions); matrix products and
# broadcasting in NumPy.
#
# **Estimated time.** 1.5–2 hours, exercises included.

# %%
import matplotlib.pyplot as plt
import numpy as np

import nncourse
import nncourse.plot
from nncourse import functional as F
from nncourse import nn
from nncourse.data import batches, load_digits, make_moons, make_spirals, train_val_split, xor
from nncourse.optim import SGD
from nncourse.plot import (
    CLASS_COLORS,
    COLORS,
    DIVERGING_CMAP,
    OKABE_ITO,
    decision_boundary,
    draw_network,
    plot_history,
    scatter_classes,
)
from nncourse.train import evaluate, fit, trained_mlp

nncourse.manual_seed(0)
np.set_printoptions(precision=3, suppress=True)

# %% [markdown]
# ## 1. A layer is an affine map followed by an activation
#
# A neuron of Chapter 1 computes a weighted sum of its inputs plus a bias and passes it through an
# activation. A **layer** is several such neurons side by side, all reading the same input. Stack their
# weight vectors as the rows of a matrix and the whole layer is one matrix–vector product. In the course
# notation, layer $l$ maps the previous layer's activations $a^{(l-1)}$ to
#
# $$
# z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}, \qquad a^{(l)} = \sigma\big(z^{(l)}\big), \qquad a^{(0)} = x,
# $$
#
# where, with $n_l$ neurons in layer $l$,
#
# * $W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}$: **row $j$ is the weight vector of neuron $j$**, column
#   $i$ holds the weights leaving input $i$ (the layout of PyTorch's `nn.Linear.weight`: out × in);
# * $b^{(l)} \in \mathbb{R}^{n_l}$: one bias per neuron;
# * $z^{(l)}$ is the **pre-activation**, $a^{(l)}$ the **activation**; $\sigma$ acts elementwise.
#
# The affine map $z = W a + b$ can rotate, stretch and shift, but it keeps lines straight; the
# nonlinearity $\sigma$ is what bends. Here is a layer of three tanh neurons reading a 2-D input:

# %% tags=["nbval-check-output"]
x = np.array([1.0, -2.0])  # a(0) = x, shape (2,)
W1 = np.array([[0.5, -1.0],  # W(1), shape (3, 2): one row per neuron
               [1.5, 0.2],
               [-0.3, 0.8]])
b1 = np.array([0.1, -0.5, 0.0])  # b(1), shape (3,)

z1 = W1 @ x + b1  # (3, 2) @ (2,) + (3,) -> (3,)
a1 = np.tanh(z1)
print("z1 =", z1)
print("a1 =", a1)
print("neuron 0 alone:", W1[0] @ x + b1[0])

# %% [markdown]
# Neuron 0 computes $0.5 \cdot 1 + (-1)(-2) + 0.1 = 2.6$: exactly the first row of the product. The
# course's `nn.Linear` holds the same two arrays, `weight` (out × in) and `bias`; it works on a **batch**
# of inputs, one per row, so a single input is a batch of one, of shape `(1, 2)`:

# %% tags=["nbval-check-output"]
layer = nn.Linear(2, 3, dtype=np.float64)
layer.weight.data[...] = W1
layer.bias.data[...] = b1
activation = nn.Tanh()
out = activation(layer(x[None, :]))
print(layer, "->", out.shape)
print("same as by hand:", np.allclose(out[0], a1))

# %% [markdown]
# **Why the activation matters.** Without $\sigma$, two layers collapse into one:
# $W^{(2)}(W^{(1)}x + b^{(1)}) + b^{(2)} = (W^{(2)}W^{(1)})\,x + (W^{(2)}b^{(1)} + b^{(2)})$, again an affine
# map, with one line as its decision boundary. However many linear layers we stack, we never get past
# Chapter 1:

# %% tags=["nbval-check-output"]
W2 = np.array([[1.0, -2.0, 0.5]])  # W(2), shape (1, 3)
b2 = np.array([0.3])
two_linear_layers = W2 @ (W1 @ x + b1) + b2
W_single, b_single = W2 @ W1, W2 @ b1 + b2  # (1, 2) and (1,)
print("two linear layers:", two_linear_layers, " one layer:", W_single @ x + b_single)
print("W2 W1 =", W_single, " W2 b1 + b2 =", b_single)

# %% [markdown]
# ## 2. A whole batch at once: forward propagation as matrix products
#
# We rarely push one input at a time. Put $N$ inputs in the rows of a matrix $X$ (rows are samples, as in
# PyTorch). Row $n$ of the pre-activation is $W a_n + b$, i.e. $a_n^\top W^\top + b^\top$, so for the whole
# batch
#
# $$
# Z^{(l)} = A^{(l-1)}\, W^{(l)\top} + b^{(l)}, \qquad A^{(l)} = \sigma\big(Z^{(l)}\big), \qquad A^{(0)} = X.
# $$
#
# Every array has one row per sample:
#
# | array | shape | for a 2-3-2-1 network, $N = 5$ |
# | --- | --- | --- |
# | $A^{(l-1)}$ | $(N, n_{l-1})$ | $A^{(0)} = X$: (5, 2) |
# | $W^{(l)\top}$ | $(n_{l-1}, n_l)$ | $W^{(1)\top}$: (2, 3) |
# | $A^{(l-1)} W^{(l)\top}$ | $(N, n_l)$ | (5, 3) |
# | $b^{(l)}$ | $(n_l,)$, **broadcast** to every row | (3,) |
# | $Z^{(l)}, A^{(l)}$ | $(N, n_l)$ | (5, 3) |
#
# The inner dimensions of each product must agree ($n_{l-1}$), and the bias, of shape $(n_l,)$, is added
# to each of the $N$ rows by NumPy's broadcasting. One matrix product replaces $N$ matrix–vector products,
# and the linear-algebra library runs it far faster than a Python loop. Here is a 2-3-2-1 network, written
# out layer by layer (tanh in the hidden layers; the output layer stays linear, as it will for a classifier
# whose loss takes the raw score):

# %% tags=["nbval-check-output"]
rng = np.random.default_rng(1)
model = nn.Sequential(nn.Linear(2, 3, dtype=np.float64, rng=rng), nn.Tanh(),
                      nn.Linear(3, 2, dtype=np.float64, rng=rng), nn.Tanh(),
                      nn.Linear(2, 1, dtype=np.float64, rng=rng))
(W1, b1), (W2, b2), (W3, b3) = [(m.weight.data, m.bias.data) for m in model if isinstance(m, nn.Linear)]
X = rng.normal(size=(5, 2))

A0 = X                      # (5, 2)
Z1 = A0 @ W1.T + b1         # (5, 2) @ (2, 3) + (3,) -> (5, 3)
A1 = np.tanh(Z1)            # (5, 3)
Z2 = A1 @ W2.T + b2         # (5, 3) @ (3, 2) + (2,) -> (5, 2)
A2 = np.tanh(Z2)            # (5, 2)
Z3 = A2 @ W3.T + b3         # (5, 2) @ (2, 1) + (1,) -> (5, 1)
for name, array in [("X", X), ("W1", W1), ("Z1", Z1), ("W2", W2), ("Z2", Z2), ("W3", W3), ("Z3", Z3)]:
    print(f"{name}: {array.shape}")

# %% [markdown]
# Two checks: the batched result equals a loop over the samples one at a time, and it equals the
# `nn.Sequential` the weights came from.

# %% tags=["nbval-check-output"]
one_at_a_time = np.array([W3 @ np.tanh(W2 @ np.tanh(W1 @ x_n + b1) + b2) + b3 for x_n in X])
print("batched == one at a time:", np.allclose(Z3, one_at_a_time))
print("batched == nn.Sequential:", np.allclose(Z3, model(X)))

# %% [markdown]
# ## 3. Counting parameters
#
# Layer $l$ has $n_l \cdot n_{l-1}$ weights and $n_l$ biases, so a network with layer sizes
# $n_0, n_1, \dots, n_K$ (a network of $K$ layers; the letter $L$ is kept for the loss, from Section 5 on) has
#
# $$
# \sum_{l=1}^{K} \big(n_l\, n_{l-1} + n_l\big) = \sum_{l=1}^{K} n_l\,(n_{l-1} + 1)
# $$
#
# parameters. The input layer has none: it only holds $x$. `model.parameters()` yields them in PyTorch's
# order (layer by layer, weight before bias); here for a classifier of $28 \times 28 = 784$-pixel digit
# images (MNIST's size; the benchmark times this network):

# %% tags=["nbval-check-output"]
digits_model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(),
                             nn.Linear(256, 256), nn.ReLU(),
                             nn.Linear(256, 10))
for name, parameter in digits_model.named_parameters():
    print(f"{name:9s} {str(parameter.shape):11s} {parameter.data.size:7d}")
print("total", sum(p.data.size for p in digits_model.parameters()))

# %% [markdown]
# Three things to notice. The first layer holds three quarters of the parameters: its count grows with the
# input dimension. Hidden-to-hidden layers grow with the **square** of the width: doubling both hidden
# layers to 512 units would add about 400,000 parameters, half of them in the middle layer, which grows
# fourfold (from 65,792 to 262,656) while the first layer only doubles. And the biases are a
# rounding error (522 of 269,322), but leaving them out changes what a layer can express: without $b$
# every boundary passes through the origin.

# %% [markdown]
# ## 4. XOR with two hidden units, weights set by hand
#
# XOR is 1 when exactly one input is 1. Chapter 1 showed that no single line separates its two classes.
# Two lines do: the points with $x_1 + x_2 > 0.5$ (at least one input on: **OR**) and those with
# $x_1 + x_2 > 1.5$ (both on: **AND**). XOR is "OR and not AND". With the step function of Chapter 1 as
# activation, three neurons say exactly that:
#
# $$
# h_1 = \mathrm{step}(x_1 + x_2 - 0.5), \quad h_2 = \mathrm{step}(x_1 + x_2 - 1.5), \quad
# \hat y = \mathrm{step}(h_1 - h_2 - 0.5),
# $$
#
# that is $W^{(1)} = \begin{pmatrix} 1 & 1 \\ 1 & 1 \end{pmatrix}$, $b^{(1)} = (-0.5, -1.5)$,
# $W^{(2)} = (1, -1)$, $b^{(2)} = -0.5$. The output fires when OR is on and AND is off.

# %% tags=["nbval-check-output"]
X_xor, y_xor = xor(dtype=np.float64)
W1_xor = np.array([[1.0, 1.0],   # h1: OR
                   [1.0, 1.0]])  # h2: AND
b1_xor = np.array([-0.5, -1.5])
W2_xor = np.array([[1.0, -1.0]])  # OR and not AND
b2_xor = np.array([-0.5])


def xor_network(X):
    """The hand-set 2-2-1 step network; returns the hidden activations and the prediction."""
    H = F.step(X @ W1_xor.T + b1_xor)  # (4, 2)
    y_hat = F.step(H @ W2_xor.T + b2_xor)  # (4, 1)
    return H, y_hat


H_xor, y_hat_xor = xor_network(X_xor)
print(" x1 x2 | h1 (OR) h2 (AND) | y_hat  XOR")
for (x1, x2), (h1, h2), y_hat, y in zip(X_xor, H_xor, y_hat_xor[:, 0], y_xor, strict=True):
    print(f" {x1:2.0f} {x2:2.0f} | {h1:5.0f} {h2:8.0f}    | {y_hat:4.0f} {y:5d}")

# %% [markdown]
# The picture explains why it works. On the left, each hidden unit draws its line in the input plane and
# the output keeps the band between them. On the right is the same data seen by the output neuron: the
# hidden layer has moved the four corners to $(h_1, h_2)$, where $(0, 1)$ and $(1, 0)$ both land on
# $(1, 0)$, and **one** line, $h_1 - h_2 = 0.5$, now separates the classes. The hidden layer did not solve
# the problem; it changed the representation until a perceptron could.

# %%
fig, (ax_in, ax_hidden) = plt.subplots(1, 2, figsize=(9, 4.4))
lims = (-0.5, 1.5)
decision_boundary(ax_in, lambda P: xor_network(P)[1], X_xor, y_xor, threshold=0.5, xlim=lims, ylim=lims,
                  resolution=200)
s = np.linspace(*lims, 2)
ax_in.plot(s, 0.5 - s, "--", color=COLORS["model"], lw=2.5, label="$h_1$ (OR) line: $x_1 + x_2 = 0.5$")
ax_in.plot(s, 1.5 - s, ":", color=OKABE_ITO["purple"], lw=2.5, label="$h_2$ (AND) line: $x_1 + x_2 = 1.5$")
ax_in.set_xlim(*lims)
ax_in.set_ylim(*lims)
ax_in.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, fontsize=8)
ax_in.set_title("Input space: two hidden lines,\nthe output keeps the band between them")

scatter_classes(ax_hidden, H_xor, y_xor, s=120, legend=False)
for (h1, h2), (x1, x2) in zip(H_xor, X_xor, strict=True):
    ax_hidden.annotate(f"x=({x1:.0f},{x2:.0f})", (h1, h2), xytext=(8, 8 if x1 <= x2 else -14),
                       textcoords="offset points", fontsize=9)
ax_hidden.plot(s + 0.5, s, color=COLORS["boundary"], lw=1.5, label="output: $h_1 - h_2 = 0.5$")
ax_hidden.set_xlim(*lims)
ax_hidden.set_ylim(*lims)
ax_hidden.set_xlabel("$h_1$ (OR)")
ax_hidden.set_ylabel("$h_2$ (AND)")
ax_hidden.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3, fontsize=8)
ax_hidden.set_title("Hidden space: now one line\nseparates the classes")
plt.show()

# %% [markdown]
# The step has no useful derivative (Chapter 2), so no training algorithm could have found these weights
# by gradient descent. A ReLU network can solve XOR too, with an output that is exactly 0 or 1 and no step
# at all: that is Exercise 3.

# %% [markdown]
# ## 5. Learned features: what the hidden units compute
#
# Setting weights by hand stops working beyond toy problems. In practice the weights are **learned**: a
# **loss** measures how wrong the network is, and **gradient descent** nudges every weight to reduce it. Two
# definitions, used in every chapter from here on:
#
# * **Binary cross-entropy.** A binary classifier outputs one raw score, the *logit* $z$, and reads it as the
#   probability $P(\text{class } 1) = \sigma(z)$ (class 1 where $z > 0$). For a label $y \in \{0, 1\}$ the loss
#   is the negative log-probability of the right class,
#   $$ \ell(z, y) = -\big[y \log \sigma(z) + (1 - y) \log\big(1 - \sigma(z)\big)\big] = \log(1 + e^{z}) - y z, $$
#   near 0 when the network is confidently right and large when it is confidently wrong. The loss of a
#   batch, $L$, is the mean over its samples. `nn.BCEWithLogitsLoss` computes it from $z$ in the right-hand
#   form, which does not overflow for large $|z|$ (Exercise 5), as PyTorch's class of the same name does.
# * **Stochastic gradient descent (SGD).** Shuffle the training set and cut it into *mini-batches* of $B$
#   samples. For each batch, compute the gradient $\nabla_\theta L$ of the batch's loss with respect to every
#   parameter $\theta$ (every weight and bias), and step against it with a *learning rate* $\eta$:
#   $$ \theta \leftarrow \theta - \eta\, \nabla_\theta L. $$
#   A batch's gradient is a noisy, cheap estimate of the gradient over the whole training set. One pass over
#   all batches is an **epoch**. `nncourse.optim.SGD(parameters, lr=η)` applies this update, exactly as
#   `torch.optim.SGD` does; Chapter 6 adds momentum and adaptive methods.
#
# The gradients come from the *backward pass*, `model.backward(...)`, which Chapter 5 derives; here we use it
# as a tool. The training loop is four lines per batch, the same four as in PyTorch. We train a 2-6-6-1 tanh
# network on the two-moons data:

# %% tags=["nbval-check-output"]
X_moons, y_moons = make_moons(200, noise=0.15, rng=0, dtype=np.float64)
Y_moons = y_moons[:, None].astype(np.float64)  # the loss wants targets shaped like the output, (N, 1)

rng = np.random.default_rng(0)
moons_model = nn.Sequential(nn.Linear(2, 6, dtype=np.float64, rng=rng), nn.Tanh(),
                            nn.Linear(6, 6, dtype=np.float64, rng=rng), nn.Tanh(),
                            nn.Linear(6, 1, dtype=np.float64, rng=rng))
loss_fn = nn.BCEWithLogitsLoss()
optimizer = SGD(moons_model.parameters(), lr=1.0)
batch_rng = np.random.default_rng(0)  # shuffles the training set anew in every epoch

for _epoch in range(150):
    for X_batch, Y_batch in batches(X_moons, Y_moons, batch_size=50, rng=batch_rng):
        optimizer.zero_grad()  # clear the gradients of the previous step
        loss = loss_fn(moons_model(X_batch), Y_batch)  # forward pass, then the batch's mean loss
        moons_model.backward(loss_fn.backward())  # backward pass: fills every parameter's .grad
        optimizer.step()  # θ ← θ − lr · ∇θ L for every parameter

loss, accuracy = evaluate(moons_model, loss_fn, (X_moons, Y_moons))
print(f"training loss {loss:.2f}, training accuracy {accuracy:.2f}")

# %% [markdown]
# From here on we call `nncourse.train.fit(model, loss_fn, optimizer, data, epochs=..., batch_size=...)`,
# which runs exactly this loop and also records the loss and accuracy of every epoch (and, given
# `val_data`, those on held-out data).

# %% [markdown]
# Now collect every layer's output over a grid that covers the plane and draw each hidden unit as a heat
# map (blue positive, red negative, white zero; the black line is where the unit's output crosses zero). The
# large panel on the right is the network's answer, $P(\text{class } 1) = \sigma(z)$, in the classes' own
# colours: blue where it predicts class 0, orange where it predicts class 1, as the training points are.

# %%
from matplotlib.colors import LinearSegmentedColormap, to_rgb


def pale(color, amount=0.55):
    """The colour mixed with white, so that points of the full colour stand out on it."""
    return tuple(c + (1 - c) * amount for c in to_rgb(color))


CLASS_CMAP = LinearSegmentedColormap.from_list("classes", [pale(CLASS_COLORS[0]), "white", pale(CLASS_COLORS[1])])
xx, yy = np.meshgrid(np.linspace(-1.6, 2.6, 120), np.linspace(-1.1, 1.6, 90))
grid = np.column_stack([xx.ravel(), yy.ravel()])
hidden_1, hidden_2, logits = nn.layer_activations(moons_model, grid)[1:]  # A(1), A(2), Z(3)

fig = plt.figure(figsize=(12, 4.4))
panels = fig.add_gridspec(2, 9, width_ratios=[1] * 6 + [0.15, 2.6, 0.15])
for row, (A, title) in enumerate([(hidden_1, "hidden 1"), (hidden_2, "hidden 2")]):
    for unit in range(6):
        ax = fig.add_subplot(panels[row, unit])
        values = A[:, unit].reshape(xx.shape)
        image = ax.contourf(xx, yy, values, levels=np.linspace(-1, 1, 21), cmap=DIVERGING_CMAP)
        ax.contour(xx, yy, values, levels=[0.0], colors=COLORS["boundary"], linewidths=1)
        ax.set(xticks=[], yticks=[], title=f"{title}, unit {unit}")
        ax.title.set_fontsize(9)
        ax.grid(False)
fig.colorbar(image, ax=fig.axes, location="left", shrink=0.8, label="unit output (tanh)")
ax = fig.add_subplot(panels[:, 7])
probability = F.sigmoid(logits[:, 0]).reshape(xx.shape)
image = ax.contourf(xx, yy, probability, levels=np.linspace(0, 1, 21), cmap=CLASS_CMAP)
ax.contour(xx, yy, probability, levels=[0.5], colors=COLORS["boundary"], linewidths=1.5)
for points in scatter_classes(ax, X_moons, y_moons, s=16):
    points.set(edgecolor=COLORS["boundary"], linewidth=0.4)
ax.set(title="output: P(class 1) = σ(z), boundary z = 0", xlabel="$x_1$", ylabel="$x_2$")
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=8)
ax.grid(False)
fig.colorbar(image, cax=fig.add_subplot(panels[:, 8]), label="P(class 1)")
fig.suptitle("Each unit over the input plane: straight boundaries in layer 1, bent ones in layer 2")
plt.show()

# %% [markdown]
# Read the figure row by row.
#
# * **Layer 1**: every unit is $\tanh(w^\top x + b)$, a soft step across a **straight line**: its zero
#   line is exactly $w^\top x + b = 0$. Each unit answers one yes/no question of the form "which side of
#   this line is the point on?". Some units ask nearly the same question: nothing forced them to differ.
# * **Layer 2**: each unit takes a weighted sum of the six soft half-planes and squashes it again. The sum
#   of tilted steps is no longer a step across a line, so the zero lines **bend**: these units respond to
#   regions shaped like the moons.
# * **Output** (right, with the training points): one more weighted sum, whose zero line, where
#   $P(\text{class } 1) = \tfrac12$, is the decision boundary that curls between the two classes.
#
# This is the pattern that deeper networks repeat: simple features first, combinations of them later.
# Nobody told the units what to compute; the lines and curves are what gradient descent found useful.

# %% [markdown]
# ## 6. Depth versus width at the same number of parameters
#
# With a budget of about 100 parameters we can build one wide hidden layer or several narrow ones. Which
# is better? Let us measure instead of guessing: four architectures of 97 to 111 parameters, each trained
# from three random initialisations, on two interleaved spirals (harder than the moons), with 300 training
# and 100 held-out validation points. Same optimiser, learning rate (0.3), batch size (50) and number of
# epochs (150) for all. Each network is a stack of `Linear` and `Tanh` layers, built by a short function:

# %% tags=["nbval-check-output"]
X_spiral, y_spiral = make_spirals(400, n_classes=2, noise=0.2, turns=0.75, rng=0, dtype=np.float64)
(X_train, y_train), (X_val, y_val) = train_val_split(X_spiral, y_spiral[:, None].astype(np.float64),
                                                     val_fraction=0.25, rng=0)


def tanh_mlp(depth, width, seed):
    """2 → width → … → width → 1: `depth` hidden Linear + Tanh layers and a linear output layer."""
    rng = np.random.default_rng(seed)  # one generator initialises every layer, in order
    layers, n_in = [], 2
    for _ in range(depth):
        layers += [nn.Linear(n_in, width, dtype=np.float64, rng=rng), nn.Tanh()]
        n_in = width
    layers.append(nn.Linear(n_in, 1, dtype=np.float64, rng=rng))
    return nn.Sequential(*layers)


print("hidden layers x width | parameters | train accuracy (3 seeds) | validation accuracy (3 seeds)")
for depth, width in [(1, 24), (2, 8), (3, 6), (4, 5)]:
    train_acc, val_acc = [], []
    for seed in range(3):
        net = tanh_mlp(depth, width, seed)
        fit(net, loss_fn, SGD(net.parameters(), lr=0.3), (X_train, y_train), epochs=150, batch_size=50,
            rng=seed, progress=False)
        train_acc.append(evaluate(net, loss_fn, (X_train, y_train))[1])
        val_acc.append(evaluate(net, loss_fn, (X_val, y_val))[1])
    n_params = sum(p.data.size for p in net.parameters())
    print(f"{depth} x {width:2d}                | {n_params:10d} | "
          f"{' '.join(f'{a:.2f}' for a in train_acc):24s} | {' '.join(f'{a:.2f}' for a in val_acc)}"
          f"  (mean {np.mean(val_acc):.2f})")

# %% [markdown]
# What the table says, and what it does not:
#
# * **One wide layer does worst on average** (0.83 validation accuracy), and on average it also fits the
#   *training* set worst (0.78–0.91, mean 0.86): it underfits, it does not overfit. Its 24 units are 24 soft
#   straight lines, and following a spiral arm with straight pieces takes many of them in the right places.
# * **Two hidden layers help clearly**: 2 × 8 reaches 0.95 on average, with every seed at 0.94 or better.
#   The second layer combines lines into curves (Section 5), a cheaper way to follow a spiral arm.
# * **Three layers are no better than two here**: 3 × 6 averages 0.96, and its seeds (0.95–0.97) overlap
#   those of 2 × 8 (0.94–0.97). Three seeds cannot tell these two apart, and we should not pretend they do.
# * **Deeper is not automatically better**: two of the 4 × 5 networks are close to the best (0.96 and 0.93),
#   but the third is stuck at 0.73 on its own training data. The average (0.86) hides that the deep,
#   narrow network is less *reliable* to train with plain SGD (Chapter 5 shows how gradients shrink on
#   their way back through many saturating layers; Chapter 6 (optimisers), Chapter 7 (initialisation) and
#   Chapter 8 (normalisation) show how to fix it).
# * **Seeds matter**: the one-layer network ranges from 0.74 to 0.89 and the four-layer one from 0.68 to
#   0.96. A comparison on one seed would be noise.
#
# So the honest conclusion is narrow: on this problem, at about 100 parameters and with this training
# budget, going from one hidden layer to two paid off; going further gained nothing measurable and made
# training less reliable. Theory says a single wide layer *can* approximate any such boundary (Chapter 4),
# but it says nothing about how many units that takes or whether training finds them. Try it yourself:
# change the epochs, the learning rate or the noise and see which conclusions survive.

# %% [markdown]
# ## 7. Real data: handwritten digits
#
# Moons and spirals are drawings; the same network works on real data. The course ships a small real data
# set (`nncourse.data.load_digits`, nothing to download): 1,797 handwritten digits of 8 × 8 grey pixels,
# scaled to $[0, 1]$, each row of `X` one image flattened to 64 numbers. We hold out 359 images as a **test
# set** that no decision looks at, and split the rest into 1,150 training and 288 **validation** images (the
# ones we watch while choosing the learning rate and the number of epochs).

# %% tags=["nbval-check-output"]
(X_rest, y_rest), (X_test, y_test) = load_digits(return_split=True, dtype=np.float64)
(X_train_d, y_train_d), (X_val_d, y_val_d) = train_val_split(X_rest, y_rest, val_fraction=0.2, rng=0)
print(f"training {X_train_d.shape}, validation {X_val_d.shape}, test {X_test.shape}; labels {np.unique(y_rest)}")

# %%
fig, axes = plt.subplots(2, 10, figsize=(10, 2.5))
for ax, image, label in zip(axes.flat, X_train_d, y_train_d, strict=False):
    ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"label {label}", fontsize=9)
    ax.axis("off")
fig.suptitle("The first 20 training images: 8 × 8 pixels, 64 inputs each")
plt.show()

# %% [markdown]
# With ten classes the network has ten outputs, one logit $z_k$ per digit. The **softmax** turns them into
# probabilities, and the **cross-entropy** is again the negative log-probability of the right class $y$:
#
# $$ p_k = \frac{e^{z_k}}{\sum_{j=1}^{10} e^{z_j}}, \qquad \ell(z, y) = -\log p_y
#    = -z_y + \log \sum_{j} e^{z_j}. $$
#
# With two classes and $z = z_1 - z_0$ it is the binary cross-entropy of Section 5. `nn.CrossEntropyLoss`
# takes the logits, shape $(N, 10)$, and the integer labels, shape $(N,)$, as PyTorch's does; the predicted
# class is the largest logit. The network is 64 → 32 ReLU units → 10, trained with the loop of Section 5
# (SGD, learning rate 0.1, batches of 32, 30 epochs):

# %% tags=["nbval-check-output"]
rng = np.random.default_rng(0)
digits_net = nn.Sequential(nn.Linear(64, 32, dtype=np.float64, rng=rng), nn.ReLU(),
                           nn.Linear(32, 10, dtype=np.float64, rng=rng))
ce_loss = nn.CrossEntropyLoss()
digits_history = fit(digits_net, ce_loss, SGD(digits_net.parameters(), lr=0.1), (X_train_d, y_train_d),
                     epochs=30, batch_size=32, val_data=(X_val_d, y_val_d), rng=0, progress=False)
print(f"parameters: {sum(p.data.size for p in digits_net.parameters())}")
for name, (X_part, y_part) in [("training", (X_train_d, y_train_d)), ("validation", (X_val_d, y_val_d))]:
    part_loss, part_accuracy = evaluate(digits_net, ce_loss, (X_part, y_part))
    print(f"{name:10s} loss {part_loss:.2f}, accuracy {part_accuracy:.3f}")

# %%
axes = plot_history(digits_history, title="Digits, 64-32-10 ReLU: loss and accuracy per epoch")
plt.show()

# %% [markdown]
# The validation curves follow the training curves down and level off; the gap between them (0.976 against
# 0.951 accuracy) is the price of having seen the training images. The settings were chosen on validation
# data, so the honest estimate of how well the network does on new digits is the **test** accuracy, measured
# once, now:

# %% tags=["nbval-check-output"]
test_loss, test_accuracy = evaluate(digits_net, ce_loss, (X_test, y_test))
predicted = digits_net(X_test).argmax(axis=1)
confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (y_test, predicted), 1)  # row: true digit, column: predicted digit
print(f"test accuracy {test_accuracy:.3f} ({int(np.sum(predicted == y_test))} of {len(y_test)} images)")
mistakes = [(confusion[i, j], i, j) for i in range(10) for j in range(10) if i != j and confusion[i, j] > 0]
print("mistakes (count, true → predicted):", ", ".join(f"{n}: {i} → {j}" for n, i, j in sorted(mistakes)[::-1]))

# %%
fig, (ax_w, ax_c) = plt.subplots(1, 2, figsize=(11, 4.6), gridspec_kw={"width_ratios": [1.45, 1]})
weights = digits_net[0].weight.data  # (32, 64): row j is unit j's weight vector, an 8 × 8 image
scaled = weights / np.abs(weights).max(axis=1, keepdims=True)  # each unit scaled to its largest |weight|
padded = np.full((4 * 9 - 1, 8 * 9 - 1), np.nan)  # one blank pixel between the images
for unit in range(32):
    row, col = divmod(unit, 8)
    padded[row * 9:row * 9 + 8, col * 9:col * 9 + 8] = scaled[unit].reshape(8, 8)
image = ax_w.imshow(padded, cmap=DIVERGING_CMAP, vmin=-1, vmax=1)
ax_w.set(title="First-layer weights, one 8 × 8 image per hidden unit", xticks=[], yticks=[])
ax_w.grid(False)
ax_w.spines[:].set_visible(False)
fig.colorbar(image, ax=ax_w, shrink=0.7, label="weight / the unit's largest |weight|")
ax_c.imshow(confusion, cmap="Blues")
for i in range(10):
    for j in range(10):
        if confusion[i, j]:
            ax_c.text(j, i, confusion[i, j], ha="center", va="center", fontsize=8,
                      color="white" if confusion[i, j] > confusion.max() / 2 else "black")
ax_c.set(title=f"Test confusion matrix (accuracy {test_accuracy:.3f})", xlabel="predicted digit",
         ylabel="true digit", xticks=range(10), yticks=range(10))
ax_c.grid(False)
plt.show()

# %% [markdown]
# **Reading the weights.** Hidden unit $j$ computes $\mathrm{relu}(w_j \cdot x + b_j)$, so its weight
# vector, drawn as an 8 × 8 image, is the pattern it responds to: blue pixels push it on, red ones off. None
# of them is a clean digit: they are blotchy strokes and contrasts (ink here, no ink there), and the output
# layer combines the 32 detectors into ten scores. Some are nearly flat: units the training did little with.
# The first-layer pictures in other courses (cs231n's notes, Nielsen's convolutional filters in his
# Chapter 6) come from larger images and far more data, and look cleaner and more stroke-like.
#
# **Reading the confusion matrix.** Row $i$ counts how the test images of digit $i$ were classified; the
# diagonal holds the right answers. The nine mistakes are spread thinly, no pair of digits more than once,
# and several are between shapes that look alike at 8 × 8 pixels (a 9 read as a 5 or a 4, a 7 as a 4).
#
# For comparison, a linear classifier (no hidden layer; least squares on one-hot labels, trained on the same
# 1,438 images) scores 0.936 on the test images: the hidden layer's learned features remove more than half of
# its mistakes. Exercise 6 lets you try your own.

# %% [markdown]
# ## 8. The same network in PyTorch
#
# PyTorch's `torch.nn` has the same pieces with the same names and the same weight layout. The usual way
# to write a network in PyTorch, on every page of its documentation, is a subclass of `torch.nn.Module`:
# the layers are created in `__init__` (which registers their parameters), and `forward` says how an input
# flows through them. Calling `model(x)` runs `forward`. Here is the moons network of Section 5:

# %% tags=["nbval-check-output"]
import copy

import torch


class MoonsNet(torch.nn.Module):
    """2 → 6 → 6 → 1 with tanh hidden layers and a linear output, the logit z."""

    def __init__(self):
        super().__init__()
        self.hidden1 = torch.nn.Linear(2, 6)
        self.hidden2 = torch.nn.Linear(6, 6)
        self.output = torch.nn.Linear(6, 1)

    def forward(self, x):
        a1 = torch.tanh(self.hidden1(x))  # a(1) = tanh(W(1) x + b(1)), for a batch: tanh(X W(1)ᵀ + b(1))
        a2 = torch.tanh(self.hidden2(a1))
        return self.output(a2)  # the logit; BCEWithLogitsLoss applies the sigmoid inside the loss


torch_model = MoonsNet().double()
with torch.no_grad():  # copy our trained weights; both list parameters layer by layer, weight before bias
    for ours, theirs in zip(moons_model.parameters(), torch_model.parameters(), strict=True):
        theirs.copy_(torch.from_numpy(ours.data))

with torch.no_grad():
    z_torch = torch_model(torch.from_numpy(X_moons)).numpy()
z_ours = moons_model(X_moons)
print(torch_model)
print("parameters:", sum(p.numel() for p in torch_model.parameters()),
      "(PyTorch),", sum(p.data.size for p in moons_model.parameters()), "(nncourse)")
print("largest |difference| of the outputs below 1e-12:", np.max(np.abs(z_torch - z_ours)) < 1e-12)

# %% [markdown]
# The training step is the same four lines too. One SGD step on the whole training set, in both libraries,
# from the same weights (on a copy of our model, which stays as trained):

# %% tags=["nbval-check-output"]
X_torch, Y_torch = torch.from_numpy(X_moons), torch.from_numpy(Y_moons)
torch_optimizer = torch.optim.SGD(torch_model.parameters(), lr=1.0)
torch_optimizer.zero_grad()
torch_loss = torch.nn.BCEWithLogitsLoss()(torch_model(X_torch), Y_torch)
torch_loss.backward()  # PyTorch's autograd computes the gradients
torch_optimizer.step()

stepped = copy.deepcopy(moons_model)
our_optimizer = SGD(stepped.parameters(), lr=1.0)
our_optimizer.zero_grad()
our_loss = loss_fn(stepped(X_moons), Y_moons)
stepped.backward(loss_fn.backward())  # our backward pass (Chapter 5)
our_optimizer.step()

weight_difference = max(np.max(np.abs(ours.data - theirs.detach().numpy()))
                        for ours, theirs in zip(stepped.parameters(), torch_model.parameters(), strict=True))
print(f"loss: {our_loss:.6f} (nncourse), {torch_loss.item():.6f} (PyTorch)")
print("largest |difference| of the weights after the step below 1e-12:", weight_difference < 1e-12)

# %% [markdown]
# The parameters come out of both in the same order, which is what made the copy a one-line loop, and the
# gradients and the update agree to float64 precision. `torch.nn.Sequential(Linear, Tanh, ...)` would work
# as well for a plain stack; the subclass is what you write as soon as a network does anything else (two
# inputs, a skip connection, a loop). Chapter 9 moves such models to a GPU with `model.to("cuda")`.

# %% [markdown]
# ## 9. Watching the signal move forward
#
# A forward pass is a wave: layer 1 can only compute once the input is known, layer 2 once layer 1 is
# done, and so on. The diagram below follows one input through the moons network the widget uses (two
# hidden layers of four tanh units). Edges: thickness is $|w|$, blue positive and vermillion negative
# weights. Neurons: filled by their activation (blue positive, red negative, white zero; layers not yet
# reached stay white), the layer being computed ringed in black.

# %%
net = trained_mlp(2, "tanh")
weights = [m.weight.data for m in net if isinstance(m, nn.Linear)]
x_point = np.array([[0.5, 0.25]])
activations = [a[0] for a in nn.layer_activations(net, x_point)]
names = ["input", "hidden 1", "hidden 2", "output z"]

fig, axes = plt.subplots(1, 3, figsize=(10, 3.3))
for step, ax in zip((1, 2, 3), axes, strict=True):
    shown = [a if k <= step else None for k, a in enumerate(activations)]
    draw_network(ax, [2, 4, 4, 1], weights=weights, activations=shown, highlight=step, layer_names=names,
                 vmax=[np.abs(a).max() for a in activations])
    ax.set_title(f"step {step}: computing {names[step]}")
fig.suptitle(f"Forward pass of x = (0.5, 0.25): output z = {activations[-1][0]:.2f}, so class "
             f"{int(activations[-1][0] > 0)}")
plt.show()

# %% [markdown]
# Now explore it yourself. Move $x_1$ and $x_2$ (or click and drag on any heat map) and watch the fills
# change; press **play** to animate the wave layer by layer, or **next layer** to step it; change the depth
# (1–4 hidden layers), the activation, or switch to the random initial weights to see what training
# changed. On the right, as in TensorFlow Playground, every unit is drawn over the whole input plane, laid
# out like the diagram; the white dot is your input, and the colour under it is the colour of that neuron
# on the left. Hidden units share one colour scale (the colour bar); the output column shows
# $P(\text{class } 1) = \sigma(z)$ in the classes' own colours, under the training points. Things to try:
#
# * With ReLU, many first-layer maps are white (zero) on one side of their line: those units are off there.
# * With sigmoid and 3–4 hidden layers the trained network is no better than a coin: it did not learn in
#   this training budget. Compare the heat maps with tanh, and keep the picture in mind for Chapter 5.

# %%
from nncourse.widgets.forward_pass import ForwardPassExplorer

ForwardPassExplorer()

# %% [markdown]
# ### Training live
#
# Training is the same forward pass, followed by the backward pass of Chapter 5 and a small step downhill,
# repeated. The pictures below are one run of full-batch gradient descent (every step uses all 200 moons
# points; learning rate 0.5) with a wider network, $2 \to 16 \to 16 \to 1$ with tanh: the map of
# $P(\text{class } 1)$ after 0, 50, 300 and 1,500 steps, and the loss along the way. The model and the loop
# are written out here; the playground below runs the same ones. The untrained network says "about ½"
# everywhere; within 50 steps it has found a straight boundary, within a few hundred it bends around the
# moons, and then it sharpens while the loss creeps down (the spike near step 300 is a short burst
# of steps that overshot: the learning rate is on the large side).

# %%
X_live, y_live = make_moons(200, noise=0.15, rng=0)  # the playground's data: float32, then float64
X_live, Y_live = X_live.astype(np.float64), y_live[:, None].astype(np.float64)
rng = np.random.default_rng(0)
live_model = nn.Sequential(nn.Linear(2, 16, dtype=np.float64, rng=rng), nn.Tanh(),
                           nn.Linear(16, 16, dtype=np.float64, rng=rng), nn.Tanh(),
                           nn.Linear(16, 1, dtype=np.float64, rng=rng))
live_optimizer = SGD(live_model.parameters(), lr=0.5)
plane = (-1.6, 2.6, -1.1, 1.6)
live_xx, live_yy = np.meshgrid(np.linspace(plane[0], plane[1], 60), np.linspace(plane[2], plane[3], 60))
live_grid = np.column_stack([live_xx.ravel(), live_yy.ravel()])

snapshots, losses = {}, []
for step in range(1501):
    if step in (0, 50, 300, 1500):
        snapshots[step] = F.sigmoid(live_model(live_grid)[:, 0]).reshape(live_xx.shape)
    if step == 1500:
        break
    live_optimizer.zero_grad()
    losses.append(loss_fn(live_model(X_live), Y_live))
    live_model.backward(loss_fn.backward())
    live_optimizer.step()

fig, axes = plt.subplots(1, 5, figsize=(12, 2.8), gridspec_kw={"width_ratios": [1, 1, 1, 1, 1.3]})
for ax, (steps, probability) in zip(axes[:-1], snapshots.items(), strict=True):
    ax.imshow(probability, extent=plane, origin="lower", cmap=CLASS_CMAP, vmin=0, vmax=1, aspect="auto")
    for points in scatter_classes(ax, X_live, y_live, s=10, legend=False):
        points.set(edgecolor=COLORS["boundary"], linewidth=0.3)
    ax.set(title=f"after {steps} steps", xticks=[], yticks=[], xlabel="", ylabel="")
    ax.grid(False)
axes[-1].plot(np.arange(1, len(losses) + 1), losses, color=COLORS["train"])
axes[-1].set(xlabel="step", ylabel="loss (BCE)", title="training loss")
plt.show()

# %% [markdown]
# Now train it yourself: press **play** and watch the boundary and the loss curve move as the network
# learns; **pause**, **step** (one frame's worth of steps) and **reset** do what they say. Change the
# learning rate while it trains (too large, and the loss jumps), try ReLU or sigmoid, or another seed for the
# initial weights. Training runs in small pieces, one per frame, so every control keeps working meanwhile.

# %%
from nncourse.widgets.live import TrainingPlayground

TrainingPlayground(hidden=2, width=16, activation="tanh", lr=0.5)

# %% [markdown]
# ## 10. Exercises
#
# Each exercise has a cell with a function to complete and a cell that checks it. The checker runs your
# code on known inputs and tells you what it expected, what it got and on which input, and shows your
# points: a partly right answer earns points in proportion to the checker's cases it passes.
#
# ### Exercise 1: a batched linear layer (2 points)
#
# Write `linear_forward(X, W, b)` that returns $Z = X W^\top + b$ for a batch `X` of shape
# `(N, in_features)`, a weight `W` of shape `(out_features, in_features)` and a bias `b` of shape
# `(out_features,)`. The result has shape `(N, out_features)`. No loops.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch03-linear-forward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def linear_forward(X, W, b):
    """Z = X Wᵀ + b for a batch X of shape (N, in), W of shape (out, in), b of shape (out,)."""
    ### BEGIN SOLUTION
    return X @ W.T + b
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch03-linear-forward-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch03 import check_linear_forward

check_linear_forward(linear_forward)

# %% [markdown]
# ### Exercise 2: how many parameters? (2 points)
#
# Write `count_parameters(layer_sizes)` that returns the number of weights and biases of a fully connected
# network with the given layer sizes, input first: `count_parameters([2, 3, 1])` is
# $3 \cdot 2 + 3 + 1 \cdot 3 + 1 = 13$.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch03-count-parameters", "locked": false, "schema_version": 3, "solution": true, "task": false}
def count_parameters(layer_sizes):
    """Number of parameters of a fully connected network with these layer sizes (input first)."""
    ### BEGIN SOLUTION
    return sum(n_out * n_in + n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:], strict=True))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch03-count-parameters-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch03 import check_parameter_count

extra_cases = []
### BEGIN HIDDEN TESTS
# An instructor's hidden cases, (layer_sizes,): a single layer, and a deep narrow network.
extra_cases = [([5, 1],), ([3, 16, 16, 16, 16, 4],)]
### END HIDDEN TESTS
check_parameter_count(count_parameters, extra_cases)

# %% [markdown]
# ### Exercise 3: XOR with ReLU units (2 points)
#
# Find weights for a 2-2-1 network with **ReLU** hidden units and a **linear** output,
# $\hat y = W^{(2)} \mathrm{relu}(W^{(1)} x + b^{(1)}) + b^{(2)}$, whose output is *exactly* XOR: 0, 1, 1, 0
# on the four corners. Return `W1` (2, 2), `b1` (2,), `W2` (1, 2), `b2` (1,).
#
# *Hint:* let both hidden units look at $s = x_1 + x_2$, which is 0, 1 or 2. How can two ReLUs of $s$
# combine into a function that goes up from 0 to 1 and back down to 0?

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch03-xor-relu", "locked": false, "schema_version": 3, "solution": true, "task": false}
def xor_relu_weights():
    """Weights (W1, b1, W2, b2) of a 2-2-1 ReLU network with linear output that computes XOR exactly."""
    ### BEGIN SOLUTION
    W1 = np.array([[1.0, 1.0], [1.0, 1.0]])  # both units see s = x1 + x2
    b1 = np.array([0.0, -1.0])  # relu(s) and relu(s - 1)
    W2 = np.array([[1.0, -2.0]])  # relu(s) - 2 relu(s - 1) = 0, 1, 0 for s = 0, 1, 2
    b2 = np.array([0.0])
    return W1, b1, W2, b2
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch03-xor-relu-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch03 import check_xor_weights

check_xor_weights(xor_relu_weights)

# %% [markdown]
# ### Exercise 4: the forward pass of any MLP (3 points)
#
# Write `mlp_forward(X, weights, biases)` for a network of any depth: `weights[l]` and `biases[l]` are the
# parameters of layer `l + 1` (PyTorch layout), every layer but the last is followed by ReLU, and the last
# layer stays linear. Return the output of shape `(N, n_K)` for a network of $K$ layers.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch03-mlp-forward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def mlp_forward(X, weights, biases):
    """Forward pass of a ReLU MLP with a linear last layer; returns an array of shape (N, n_K)."""
    ### BEGIN SOLUTION
    A = X
    for W, b in zip(weights[:-1], biases[:-1], strict=True):
        A = np.maximum(A @ W.T + b, 0.0)
    return A @ weights[-1].T + biases[-1]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch03-mlp-forward-check", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch03 import check_mlp_forward

check_mlp_forward(mlp_forward)

# %% [markdown]
# ### Exercise 5: binary cross-entropy from logits (2 points)
#
# Write `bce_with_logits(z, y)` that returns the mean over the batch of
# $\ell(z, y) = -[y \log \sigma(z) + (1 - y)\log(1 - \sigma(z))]$ for logits `z` and labels `y` in
# $\{0, 1\}$, both of shape `(N,)`, as one number. It must work for logits of $\pm 10^4$, where $\sigma(z)$
# rounds to exactly 0 or 1, so that $\log \sigma(z)$ or $\log(1 - \sigma(z))$ is $-\infty$. *Hint:* Section 5
# rewrote the loss as $\log(1 + e^{z}) - y z$; `np.logaddexp(0, z)` computes $\log(e^0 + e^z)$ without
# overflow.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch03-bce", "locked": false, "schema_version": 3, "solution": true, "task": false}
def bce_with_logits(z, y):
    """Mean binary cross-entropy of logits z against labels y in {0, 1}; stable for any z."""
    ### BEGIN SOLUTION
    return np.mean(np.logaddexp(0.0, z) - y * z)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch03-bce-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch03 import check_bce_with_logits

check_bce_with_logits(bce_with_logits)

# %% [markdown]
# ### Exercise 6 (open-ended): a digits classifier (3 points)
#
# Write `train_digits(X_train, y_train)` that builds a network with `nncourse.nn`, trains it on the images
# `X_train` (shape `(N, 64)`) and labels `y_train`, and returns the trained model. The checker calls it with
# the 1,438 training-and-validation images of Section 7 and measures the accuracy on the 359 test images,
# which your function never sees: one mark each for 0.85, 0.90 and **0.95**. Any architecture and settings
# are fine (keep the training under a few seconds). Things to try first: is a linear model (one `Linear`
# layer) enough? How many hidden units do you need?

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch03-digits", "locked": false, "schema_version": 3, "solution": true, "task": false}
def train_digits(X_train, y_train):
    """Train a digits classifier on (X_train, y_train) and return it: images (N, 64) → scores (N, 10)."""
    ### BEGIN SOLUTION
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(64, 32, dtype=np.float64, rng=rng), nn.ReLU(),
                          nn.Linear(32, 10, dtype=np.float64, rng=rng))
    fit(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), (X_train, y_train), epochs=30,
        batch_size=32, rng=0, progress=False)
    return model
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch03-digits-check", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch03 import check_digits_classifier

check_digits_classifier(train_digits)

# %% [markdown]
# ## 11. Summary
#
# * A layer is an affine map followed by an elementwise nonlinearity: $z = W a + b$, $a = \sigma(z)$, with
#   $W$ of shape (out, in) whose rows are the neurons' weight vectors.
# * For a batch with samples as rows, $Z = A W^\top + b$; every activation has shape $(N, n_l)$ and the bias
#   broadcasts over the rows. A forward pass is a loop of matrix products and activations.
# * A fully connected network has $\sum_l n_l (n_{l-1} + 1)$ parameters; the first layer grows with the
#   input dimension, hidden layers with the square of the width.
# * Without the nonlinearity, any stack of layers is one affine map. With it, a hidden layer re-represents
#   the input so that the next layer's line can separate what was inseparable: two step units solve XOR.
# * In a trained network, first-layer units are soft half-planes; later layers combine them into curved
#   regions.
# * At an equal parameter count, depth was more efficient than width on the spirals, up to the point where
#   the deep, narrow network became hard to train with plain SGD. Measure, with several seeds.
# * Training needs a loss and an update rule. The binary cross-entropy $\log(1 + e^z) - yz$ (and, for many
#   classes, softmax with cross-entropy) measures how wrong the logits are; SGD steps every parameter
#   against the gradient of a mini-batch's loss, $\theta \leftarrow \theta - \eta \nabla_\theta L$. The loop is
#   `zero_grad`, forward and loss, `backward`, `step`.
# * On the real digits a 64-32-10 ReLU network reaches 0.97 test accuracy; its first-layer weights are
#   stroke-and-contrast detectors, and its few mistakes are between similar-looking digits.
# * `nncourse.nn` and `torch.nn` share names, layouts and parameter order: copied weights give the same
#   outputs, gradients and updates to float64 precision. In PyTorch a network is a `torch.nn.Module`
#   subclass whose `forward` says how the input flows through its layers.
#
# ## Common pitfalls
#
# * **`W` versus `W.T`.** PyTorch stores weights as (out, in) and computes `X @ W.T`. Writing `X @ W` raises
#   a shape error unless the layer is square; when it is square, it runs and silently computes the wrong
#   thing.
# * **Bias shape.** A bias of shape `(n,)` broadcasts over the rows of `(N, n)`; a bias of shape `(n, 1)`
#   would broadcast the wrong way (over columns) and give an `(n, n)` or an error.
# * **Forgetting the activation**, or putting one on the output of a network whose loss expects raw scores
#   (like `BCEWithLogitsLoss`): the first collapses the network to a linear model, the second squashes the
#   logits twice.
# * **Counting parameters**: one bias per neuron, none for the input layer.
# * **Judging architectures on one seed**: the spread between initialisations can exceed the difference
#   you are trying to measure.
# * **Tuning on the test set**: choose settings on validation data and look at the test set once; otherwise
#   the test accuracy is optimistic.
# * **Computing the loss from probabilities**: $\log \sigma(z)$ is $-\infty$ once $\sigma(z)$ rounds to 0;
#   losses take logits (`BCEWithLogitsLoss`, `CrossEntropyLoss`) and compute them stably.
#
# ## References
#
# * M. Minsky and S. Papert (1969). *Perceptrons: An Introduction to Computational Geometry.* MIT Press.
#   The limits of single-layer perceptrons, XOR among them.
# * D. E. Rumelhart, G. E. Hinton and R. J. Williams (1986). Learning representations by back-propagating
#   errors. *Nature* 323, 533–536. Multi-layer networks trained end to end, and the hidden units' learned
#   features.
# * I. Goodfellow, Y. Bengio and A. Courville (2016). *Deep Learning*, Chapter 6 "Deep Feedforward
#   Networks". MIT Press, https://www.deeplearningbook.org. XOR by hand (Section 6.1), architecture design
#   and depth (Section 6.4).
# * E. Alpaydin and C. Kaynak (1998). Optical Recognition of Handwritten Digits. UCI Machine Learning
#   Repository, https://doi.org/10.24432/C50P49. The 8 × 8 digits.
# * H. Robbins and S. Monro (1951). A stochastic approximation method. *Annals of Mathematical Statistics*
#   22(3), 400–407. The origin of stochastic gradient descent.
# * A. Karpathy, J. Johnson et al. CS231n: Neural networks part 1, https://cs231n.github.io/neural-networks-1/;
#   A. Zhang, Z. Lipton, M. Li, A. Smola. *Dive into Deep Learning*, Chapter 5 "Multilayer perceptrons",
#   https://d2l.ai; M. Nielsen (2015). *Neural Networks and Deep Learning*, Chapter 1,
#   http://neuralnetworksanddeeplearning.com.
# * D. Smilkov, S. Carter et al. (2016). TensorFlow Playground, https://playground.tensorflow.org. The
#   per-unit heat maps of the widget follow its design.
#
# ## What comes next
#
# Chapter 4 asks how much a network with a single hidden layer can represent. The universal approximation
# theorem says: any continuous function, to any accuracy, given enough units. We will build such
# approximations by hand from bumps, see how many units they need, and find functions where depth gets
# away with far fewer.
