"""Universal approximation, constructively: networks whose weights are *built*, not learned.

The universal approximation theorem (Cybenko 1989; Hornik 1991; Leshno et al. 1993) says that for every
continuous ``f`` on a compact set ``K ⊂ ℝ^d`` and every ``ε > 0`` there is a one-hidden-layer network

    ŷ(x) = W^(2) σ(W^(1) x + b^(1)) + b^(2)

with ``sup_{x∈K} |f(x) − ŷ(x)| < ε``. This module writes such networks down explicitly, in one dimension:

* a steep sigmoid is almost a step, and two steps make a **bump** (:func:`sigmoid_bump`); three ReLUs make a
  **hat** and four a trapezoid (:func:`relu_hat`, :func:`relu_bump`);
* sums of bumps approximate ``f``: :func:`bump_network` builds a staircase (sigmoids, error ``O(1/N)`` with
  ``N`` units) or the piecewise-linear interpolant (ReLUs, error ``O(1/N²)`` for smooth ``f``);
* :func:`random_features_fit` draws the hidden layer at random and solves for the output layer by least
  squares;
* :func:`sawtooth_network` shows what depth buys: ``k`` layers of two ReLUs make ``2^k`` linear pieces,
  which one hidden layer needs about ``2^k`` units for (:func:`count_linear_pieces` counts them);
* :func:`yarotsky_square` and :func:`square_network`: ``x²`` from sawtooth functions (Yarotsky 2017), with
  error ``4^(−m−1)`` from ``m`` layers of 3 units;
* :func:`ridge_network` carries the construction to ``d`` inputs through ridge functions ``g(a · x)``, and
  :func:`tower_network` is the 2-D analogue of a bump: a bump in each direction, thresholded;
* :func:`safe_expression` turns a formula such as ``"sin(3*x) + x**2"`` into a function without ``eval``.

Every construction returns a :class:`Network` with explicit weights in the course's layout (``W`` of shape
``(out_features, in_features)``), which :meth:`Network.to_module` loads into ``nncourse.nn.Linear`` layers.
"""

import ast
import math

import numpy as np

from nncourse._checks import as_array, check_positive, check_same_length, describe
from nncourse._rng import as_generator
from nncourse.functional import relu, sigmoid
from nncourse.nn.activation import ACTIVATIONS, get_activation


def _check_activation(activation, where):
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f"{where}: activation must be one of {list(ACTIVATIONS)}, got {activation!r}")
    return activation


def _check_interval(interval, where):
    try:
        a, b = (float(v) for v in interval)
    except (TypeError, ValueError):
        raise ValueError(
            f"{where}: interval must be a pair (a, b) of numbers, got {describe(interval)}"
        ) from None
    if not (math.isfinite(a) and math.isfinite(b) and a < b):
        raise ValueError(
            f"{where}: interval must be a pair (a, b) of finite numbers with a < b, got {interval!r}"
        )
    return a, b


def _evaluate(f, x, where, name="f"):
    """Call the function ``f`` (the argument called ``name``) on the points ``x``; check it gives one finite
    number per point."""
    if not callable(f):
        raise ValueError(f"{where}: {name} must be a function of x (a callable), got {describe(f)}")
    with np.errstate(all="ignore"):  # NaN or inf is reported below, with the function's name
        y = np.asarray(f(x), dtype=np.float64)
    if y.ndim == 0:  # a constant function, e.g. lambda x: 1.0
        y = np.full(x.shape, y)
    if y.shape != x.shape:
        raise ValueError(
            f"{where}: {name} must return one value per input point, shape {x.shape}, got shape {y.shape}"
        )
    if not np.all(np.isfinite(y)):
        bad = x[~np.isfinite(y)]
        raise ValueError(
            f"{where}: {name} returned NaN or infinite values on the interval, e.g. at x = {bad.flat[0]:.4g}"
        )
    return y


# ------------------------------------------------------------------------------------------------------------
# A network given by its weights
# ------------------------------------------------------------------------------------------------------------


class Network:
    """A fully connected network with explicit weights: ``a^(0) = x``, ``a^(l) = σ(W^(l) a^(l-1) + b^(l))``
    for the hidden layers, and a linear output ``ŷ = W^(L) a^(L-1) + b^(L)``.

    Args:
        layers: a list of ``(W, b)`` pairs, ``W`` of shape ``(out_features, in_features)`` (PyTorch's layout)
            and ``b`` of shape ``(out_features,)``; the last pair is the output layer.
        activation: a name from :data:`nncourse.nn.ACTIVATIONS` (``"sigmoid"``, ``"relu"``, ``"tanh"``, ...),
            used in every hidden layer.

    A one-hidden-layer network is ``Network([(W1, b1), (W2, b2)], activation)``. Weights are float64.

    >>> net = bump_network(np.sin, 10, (0, 3), kind="relu")
    >>> net.hidden_sizes, net(np.array([0.0, 1.5])).shape
    ((10,), (2,))
    """

    def __init__(self, layers, activation):
        where = "Network"
        self.activation = _check_activation(activation, where)
        layers = list(layers)
        if len(layers) < 2:
            raise ValueError(
                f"{where}: layers must hold at least a hidden and an output layer, got {len(layers)}"
            )
        checked = []
        for index, pair in enumerate(layers):
            try:
                W, b = pair
            except (TypeError, ValueError):
                raise ValueError(
                    f"{where}: layer {index} must be a pair (W, b), got {describe(pair)}"
                ) from None
            W = as_array(W, f"W of layer {index}", where, ndim=2, dtype=np.float64)
            b = as_array(b, f"b of layer {index}", where, ndim=1, dtype=np.float64)
            if b.shape[0] != W.shape[0]:
                raise ValueError(
                    f"{where}: layer {index} has W of shape {W.shape} but b of shape {b.shape}; "
                    f"b must have shape ({W.shape[0]},)"
                )
            if checked and W.shape[1] != checked[-1][0].shape[0]:
                raise ValueError(
                    f"{where}: layer {index} expects {W.shape[1]} inputs but layer {index - 1} has "
                    f"{checked[-1][0].shape[0]} outputs"
                )
            checked.append((W, b))
        self.layers = checked

    @property
    def in_features(self):
        return self.layers[0][0].shape[1]

    @property
    def out_features(self):
        return self.layers[-1][0].shape[0]

    @property
    def hidden_sizes(self):
        """The number of units of each hidden layer, e.g. ``(2, 2, 2)`` for a depth-3 sawtooth."""
        return tuple(W.shape[0] for W, _ in self.layers[:-1])

    @property
    def n_hidden_units(self):
        return sum(self.hidden_sizes)

    @property
    def n_parameters(self):
        return sum(W.size + b.size for W, b in self.layers)

    def forward(self, X):
        """Batched forward pass ``Z = A Wᵀ + b``: ``X`` of shape ``(N, in_features)`` → ``(N, out)``."""
        sigma = get_activation(self.activation).function
        a = X
        for W, b in self.layers[:-1]:
            a = sigma(a @ W.T + b)
        W, b = self.layers[-1]
        return a @ W.T + b

    def __call__(self, x):
        """Evaluate the network. With one input feature ``x`` may have shape ``(N,)``; with one output the
        result has shape ``(N,)``, otherwise ``(N, out_features)``."""
        where = f"Network with {self.in_features} input(s)"
        x = as_array(x, "x", where, ndim=(1, 2), dtype=np.float64)
        if x.ndim == 1:
            if self.in_features != 1:
                raise ValueError(f"{where}: expected x of shape (N, {self.in_features}), got shape {x.shape}")
            x = x[:, None]
        if x.shape[1] != self.in_features:
            raise ValueError(f"{where}: expected x of shape (N, {self.in_features}), got shape {x.shape}")
        out = self.forward(x)
        return out[:, 0] if self.out_features == 1 else out

    def to_module(self, dtype=np.float64):
        """The same network as an ``nncourse.nn.Sequential(Linear, activation, ..., Linear)``, with these weights."""
        from nncourse.nn import build_mlp

        sizes = [self.in_features, *self.hidden_sizes, self.out_features]
        model = build_mlp(sizes, self.activation, dtype=dtype)
        for parameter, value in zip(model.parameters(), (v for W, b in self.layers for v in (W, b)), strict=True):
            parameter.data[...] = value
        return model

    def __repr__(self):
        sizes = [self.in_features, *self.hidden_sizes, self.out_features]
        return f"Network({'-'.join(map(str, sizes))}, activation={self.activation!r})"


# ------------------------------------------------------------------------------------------------------------
# Bumps: the building blocks
# ------------------------------------------------------------------------------------------------------------


def sigmoid_step(x, at, steepness):
    """A steep sigmoid, ``σ(k (x − t))``: almost a unit step at ``t = at`` when ``k = steepness`` is large.

    It is one hidden unit with weight ``w = k`` and bias ``b = −k t``; the transition has width about ``4/k``.

    >>> sigmoid_step(np.array([-1.0, 0.0, 1.0]), at=0.0, steepness=50.0).round(4).tolist()
    [0.0, 0.5, 1.0]
    """
    x = as_array(x, "x", "sigmoid_step", dtype=np.float64)
    check_positive(steepness, "steepness", "sigmoid_step")
    return sigmoid(steepness * (x - float(at)))


def sigmoid_bump(x, left, right, steepness=50.0):
    """A bump from two steep sigmoids: ``σ(k (x − left)) − σ(k (x − right))``.

    It is ≈ 1 for ``left < x < right`` (away from the edges by a few ``1/k``) and ≈ 0 outside; at the edges it
    is ½. Two hidden units, output weights ``+1`` and ``−1``.

    >>> sigmoid_bump(np.array([0.0, 0.5, 1.0, 1.5]), left=0.0, right=1.0).round(3).tolist()
    [0.5, 1.0, 0.5, 0.0]
    """
    where = "sigmoid_bump"
    if not float(left) < float(right):
        raise ValueError(f"{where}: left must be smaller than right, got left={left!r}, right={right!r}")
    return sigmoid_step(x, left, steepness) - sigmoid_step(x, right, steepness)


def relu_hat(x, left, peak, right):
    """A hat from three ReLUs: 0 up to ``left``, rising linearly to 1 at ``peak``, back to 0 at ``right``.

        hat(x) = relu(x − l)/(p − l) − relu(x − p)·(1/(p − l) + 1/(r − p)) + relu(x − r)/(r − p)

    Sums of hats on a grid of knots are exactly the piecewise-linear interpolants.

    >>> relu_hat(np.array([0.0, 0.5, 1.0, 1.5, 2.0]), left=0.0, peak=1.0, right=2.0).tolist()
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    x = as_array(x, "x", "relu_hat", dtype=np.float64)
    left, peak, right = float(left), float(peak), float(right)
    if not left < peak < right:
        raise ValueError(f"relu_hat: need left < peak < right, got {left!r}, {peak!r}, {right!r}")
    up, down = 1.0 / (peak - left), 1.0 / (right - peak)
    return up * relu(x - left) - (up + down) * relu(x - peak) + down * relu(x - right)


def relu_bump(x, left, right, ramp):
    """A trapezoid from four ReLUs: 0 outside ``[left, right]``, 1 on ``[left + ramp, right − ramp]``, linear
    ramps of width ``ramp`` in between. As ``ramp → 0`` it tends to the indicator of the interval.

        bump(x) = (relu(x − l) − relu(x − l − δ) − relu(x − r + δ) + relu(x − r)) / δ

    >>> relu_bump(np.array([-0.5, 0.05, 0.5, 0.95, 1.5]), left=0.0, right=1.0, ramp=0.1).round(6).tolist()
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    x = as_array(x, "x", "relu_bump", dtype=np.float64)
    left, right = float(left), float(right)
    check_positive(ramp, "ramp", "relu_bump")
    # Each ReLU is rounded to about 2.2e-16 × |x|; divided by the ramp, that error must stay far below 1.
    scale = max(1.0, abs(left), abs(right), float(np.max(np.abs(x), initial=0.0)))
    if ramp < 1e-9 * scale:
        raise ValueError(
            f"relu_bump: ramp must be at least 1e-9 × max(1, |left|, |right|, |x|) = {1e-9 * scale:.3g} for the "
            f"four-ReLU formula to keep six digits in float64, got ramp={ramp!r}"
        )
    if not left + 2 * ramp <= right:
        raise ValueError(
            f"relu_bump: need left + 2*ramp <= right, got left={left}, right={right}, ramp={ramp}"
        )
    return (relu(x - left) - relu(x - left - ramp) - relu(x - right + ramp) + relu(x - right)) / ramp


# ------------------------------------------------------------------------------------------------------------
# Sums of bumps: one hidden layer that approximates a continuous function
# ------------------------------------------------------------------------------------------------------------


def bump_network(f, n_units, interval, kind="sigmoid", sharpness=40.0):
    """Build a one-hidden-layer network whose sum of bumps approximates ``f`` on ``interval = (a, b)``.

    ``kind="sigmoid"``: a staircase. The interval is cut into ``N + 1`` cells of width ``h = (b − a)/(N + 1)``
    with centres ``c_j``; the network takes the value ``f(c_j)`` on cell ``j``. It is a sum of bumps
    ``Σ_j f(c_j) [σ(k(x − t_j)) − σ(k(x − t_{j+1}))]``, in which neighbouring bumps share a step, so it
    telescopes into ``N`` steps at the inner knots ``t_j = a + j h``:

        ŷ(x) = f(c_0) + Σ_{j=1}^{N} (f(c_j) − f(c_{j−1})) σ(k (x − t_j)),    k = sharpness / h.

    For ``f`` with bounded derivative the error is ``max|f′|·h/2 = O(1/N)``.

    ``kind="relu"``: the piecewise-linear interpolant at the ``N + 1`` knots ``t_j = a + j h``,
    ``h = (b − a)/N`` (a sum of hats, :func:`relu_hat`), written with one ReLU per knot: with slopes ``s_j``
    of the pieces,

        ŷ(x) = f(a) + s_0 relu(x − t_0) + Σ_{j=1}^{N−1} (s_j − s_{j−1}) relu(x − t_j).

    It equals ``f`` at every knot, and for twice-differentiable ``f`` the error is ``max|f″|·h²/8 = O(1/N²)``.

    Args:
        f: the target, a function of a NumPy array (vectorised), e.g. ``np.sin``.
        n_units (int): the number of hidden units ``N``.
        interval: ``(a, b)``, the compact set on which ``f`` is approximated.
        kind: ``"sigmoid"`` (steps) or ``"relu"`` (interpolation).
        sharpness: for sigmoids, the steepness ``k`` times the cell width ``h``; 40 makes each step go from
            ≈ 0 to ≈ 1 within a small fraction of a cell.

    Returns:
        a :class:`Network` ``[(W1, b1), (W2, b2)]`` with ``W1`` of shape ``(N, 1)``, ``b1`` ``(N,)``,
        ``W2`` ``(1, N)`` and ``b2`` ``(1,)``.

    >>> staircase = bump_network(np.sin, 10, (0, np.pi), kind="sigmoid")
    >>> interpolant = bump_network(np.sin, 10, (0, np.pi), kind="relu")
    >>> round(approximation_error(np.sin, staircase, (0, np.pi))[0], 3)  # ≈ max|f′|·h/2 = π/22 ≈ 0.143
    0.142
    >>> round(approximation_error(np.sin, interpolant, (0, np.pi))[0], 4)  # ≈ max|f″|·h²/8 = (π/10)²/8 ≈ 0.0123
    0.0122
    """
    where = "bump_network"
    check_positive(n_units, "n_units", where, integer=True)
    a, b = _check_interval(interval, where)
    if kind not in ("sigmoid", "relu"):
        raise ValueError(f"{where}: kind must be 'sigmoid' or 'relu', got {kind!r}")
    n = int(n_units)
    if kind == "sigmoid":
        check_positive(sharpness, "sharpness", where)
        h = (b - a) / (n + 1)
        knots = a + h * np.arange(1, n + 1)
        levels = _evaluate(f, a + h * (np.arange(n + 1) + 0.5), where)
        k = sharpness / h
        W1, b1 = np.full((n, 1), k), -k * knots
        W2, b2 = np.diff(levels)[None, :], levels[:1]
        return Network([(W1, b1), (W2, b2)], "sigmoid")
    h = (b - a) / n
    knots = a + h * np.arange(n + 1)
    values = _evaluate(f, knots, where)
    slopes = np.diff(values) / h
    W1, b1 = np.ones((n, 1)), -knots[:-1]
    W2 = np.concatenate([slopes[:1], np.diff(slopes)])[None, :]
    return Network([(W1, b1), (W2, values[:1])], "relu")


def random_features_fit(x, y, n_units, activation="relu", scale=None, rng=None):
    """Fit a one-hidden-layer network with a **random** hidden layer and a least-squares output layer.

    The hidden units are drawn, not learned: each weight vector ``w_j ~ N(0, s² I)`` and each unit is centred
    on a randomly chosen data point ``x_c``, ``b_j = −w_j · x_c`` (so every kink or transition lies where the
    data are). With the hidden activations ``H = σ(X W1ᵀ + b1)`` fixed, the output layer is the linear
    least-squares solution of ``[H 1] [W2ᵀ; b2] ≈ y``, found with ``numpy.linalg.lstsq``. Only the output
    layer is "trained", and that problem is convex: this is the idea behind random-feature models and extreme
    learning machines.

    Args:
        x: inputs, shape ``(N,)`` (one feature) or ``(N, d)``.
        y: targets, shape ``(N,)``.
        n_units (int): the number of random hidden units.
        activation: ``"relu"`` (default), ``"tanh"`` or ``"sigmoid"``.
        scale: the standard deviation ``s`` of the hidden weights; by default ``5 / (spread of x)`` for
            sigmoid/tanh (transitions a few times narrower than the data) and ``1`` for ReLU (whose kinks do
            not depend on the scale).
        rng: None, an int seed or a numpy Generator.

    Returns:
        a :class:`Network` ``[(W1, b1), (W2, b2)]``.

    >>> x = np.linspace(-1, 1, 200)
    >>> net = random_features_fit(x, np.sin(np.pi * x), 50, rng=0)
    >>> net, round(approximation_error(lambda t: np.sin(np.pi * t), net, (-1, 1))[0], 2)
    (Network(1-50-1, activation='relu'), 0.01)
    """
    where = "random_features_fit"
    x = as_array(x, "x", where, ndim=(1, 2), dtype=np.float64, shape_doc="(N,) or (N, d)")
    y = as_array(y, "y", where, ndim=1, dtype=np.float64, shape_doc="(N,)")
    check_same_length(x, y, "x", "y", where)
    check_positive(n_units, "n_units", where, integer=True)
    _check_activation(activation, where)
    if len(x) == 0:
        raise ValueError(f"{where}: x and y are empty; need at least one data point")
    X = x[:, None] if x.ndim == 1 else x
    if scale is None:
        spread = float(np.max(np.ptp(X, axis=0))) or 1.0
        scale = 1.0 if activation == "relu" else 5.0 / spread
    check_positive(scale, "scale", where)
    rng = as_generator(rng)
    W1 = rng.normal(0.0, scale, size=(int(n_units), X.shape[1]))
    centres = X[rng.integers(0, len(X), size=int(n_units))]
    b1 = -np.sum(W1 * centres, axis=1)
    H = get_activation(activation).function(X @ W1.T + b1)
    design = np.column_stack([H, np.ones(len(X))])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    return Network([(W1, b1), (solution[None, :-1], solution[-1:])], activation)


def trained_fit(x, y, n_units, activation="relu", epochs=2000, lr=None, rng=None):
    """Fit a one-hidden-layer network by gradient descent, with the course's ``nn``, ``optim`` and ``fit``.

    The model is ``Sequential(Linear(d, N), activation, Linear(N, 1))`` in float64 with PyTorch's default
    initialisation, trained on the mean squared error with plain full-batch gradient descent
    (``SGD(lr)``, one step per epoch). Nothing here is tuned to the target: this is the "just train it"
    baseline that the constructions are compared with. Returns a :class:`Network` with the trained weights.

    ``lr=None`` uses ``min(0.2, 2/N)``: the loss's curvature along the output weights grows like the number
    of hidden units ``N`` (it is about ``(2/n) Σ_i |h_i|²`` for ``n`` samples with hidden activations
    ``h_i ∈ ℝ^N``), and gradient descent diverges once ``lr`` exceeds 2 / curvature.

    >>> x = np.linspace(-1, 1, 200)
    >>> net = trained_fit(x, np.sin(np.pi * x), 20, activation="tanh", epochs=500, rng=0)
    >>> max_error, rms_error = approximation_error(lambda t: np.sin(np.pi * t), net, (-1, 1))
    >>> net, rms_error < 0.2  # the target's own RMS is 0.71
    (Network(1-20-1, activation='tanh'), True)
    """
    from nncourse import nn, optim
    from nncourse.train import fit

    where = "trained_fit"
    x = as_array(x, "x", where, ndim=(1, 2), dtype=np.float64, shape_doc="(N,) or (N, d)")
    y = as_array(y, "y", where, ndim=1, dtype=np.float64, shape_doc="(N,)")
    check_same_length(x, y, "x", "y", where)
    check_positive(n_units, "n_units", where, integer=True)
    check_positive(epochs, "epochs", where, integer=True)
    lr = min(0.2, 2.0 / int(n_units)) if lr is None else check_positive(lr, "lr", where)
    _check_activation(activation, where)
    X = x[:, None] if x.ndim == 1 else x
    rng = as_generator(rng)
    model = nn.build_mlp([X.shape[1], int(n_units), 1], activation, dtype=np.float64, rng=rng)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    fit(
        model,
        nn.MSELoss(),
        optimizer,
        (X, y[:, None]),
        epochs=int(epochs),
        batch_size=len(X),
        rng=rng,
        progress=False,
    )
    layers = [(layer.weight.data.copy(), layer.bias.data.copy()) for layer in (model[0], model[2])]
    return Network(layers, activation)


def approximation_error(f, g, interval, n_points=2001):
    """The maximum (sup-norm) and root-mean-square error of ``g`` against ``f`` on a uniform grid of
    ``n_points`` in ``interval``: returns ``(max |f − g|, sqrt(mean (f − g)²))`` as floats.

    >>> max_error, rms_error = approximation_error(np.sin, lambda x: x, (0, 0.5))  # sin x ≈ x
    >>> round(max_error, 4), round(rms_error, 4)  # the largest error is at x = 0.5: 0.5 − sin 0.5
    (0.0206, 0.0078)
    """
    where = "approximation_error"
    a, b = _check_interval(interval, where)
    check_positive(n_points, "n_points", where, integer=True)
    x = np.linspace(a, b, int(n_points))
    diff = _evaluate(f, x, where, "f") - _evaluate(g, x, where, "g")
    return float(np.max(np.abs(diff))), float(np.sqrt(np.mean(diff**2)))


# ------------------------------------------------------------------------------------------------------------
# Depth: the sawtooth
# ------------------------------------------------------------------------------------------------------------


def sawtooth(x, k):
    """The tent map composed ``k`` times, ``T^k(x)`` on ``[0, 1]``, where ``T(x) = 1 − |2x − 1|``.

    It rises and falls ``2^(k−1)`` times between 0 and 1: ``2^k`` linear pieces. Closed form:
    ``T^k(x) = 1 − |2 frac(2^(k−1) x) − 1|`` for ``x < 1`` and ``T^k(1) = 0``.

    >>> sawtooth(np.array([0.0, 0.125, 0.25, 0.375, 0.5]), 3).tolist()  # 4 teeth on [0, 1]
    [0.0, 1.0, 0.0, 1.0, 0.0]
    """
    where = "sawtooth"
    check_positive(k, "k", where, integer=True)
    x = as_array(x, "x", where, dtype=np.float64)
    if np.any((x < 0) | (x > 1)):
        raise ValueError(f"{where}: x must lie in [0, 1], got values from {x.min():g} to {x.max():g}")
    u = np.ldexp(x, int(k) - 1)  # 2^(k-1) x, exact in floating point
    return 1.0 - np.abs(2.0 * (u - np.floor(u)) - 1.0)


def sawtooth_network(k):
    """A deep ReLU network computing ``T^k`` on ``[0, 1]`` with ``k`` hidden layers of only 2 units each.

    The tent map is two ReLUs: ``T(a) = 2 relu(a) − 4 relu(a − ½)`` for ``a ∈ [0, 1]``. Each hidden layer
    computes ``relu(T(previous) − (0, ½))``, folding ``[0, 1]`` onto itself, so every layer doubles the number
    of linear pieces: ``2k`` units give ``2^k`` pieces. A single hidden layer of ``N`` ReLUs gives at most
    ``N + 1`` pieces (Telgarsky 2016), so it needs at least ``2^k − 1`` units for the same function.

    >>> net = sawtooth_network(3)
    >>> net.hidden_sizes, count_linear_pieces(net, (0, 1))  # 6 units, 2³ pieces
    ((2, 2, 2), 8)
    >>> x = np.linspace(0, 1, 9)
    >>> bool(np.allclose(net(x), sawtooth(x, 3)))
    True
    """
    check_positive(k, "k", "sawtooth_network", integer=True)
    fold = np.array([[2.0, -4.0]])  # T as a linear map of the two ReLUs
    shift = np.array([0.0, -0.5])
    layers = [(np.ones((2, 1)), shift)]
    layers += [(np.ones((2, 1)) @ fold, shift) for _ in range(int(k) - 1)]
    layers.append((fold, np.zeros(1)))
    return Network(layers, "relu")


def count_linear_pieces(f, interval, n_points=10_001, tol=1e-6):
    """Count the linear pieces of a continuous piecewise-linear function ``f`` on ``interval``.

    ``f`` is sampled on a uniform grid; the slope of each grid cell is compared with its neighbours', and runs
    of at least two cells with the same slope (relative tolerance ``tol``) are the pieces. A kink strictly
    inside a cell gives that one cell an in-between slope: a run of one cell, which is not counted. The count
    is exact when every piece is at least three grid cells long, i.e. ``n_points`` is large enough.

    >>> count_linear_pieces(np.abs, (-1, 1))
    2
    >>> count_linear_pieces(lambda x: sawtooth(x, 4), (0, 1))
    16
    """
    where = "count_linear_pieces"
    a, b = _check_interval(interval, where)
    check_positive(tol, "tol", where, allow_zero=True)
    check_positive(n_points, "n_points", where, integer=True)
    if n_points < 4:
        raise ValueError(f"{where}: n_points must be at least 4, got {n_points}")
    x = np.linspace(a, b, int(n_points))
    slopes = np.diff(_evaluate(f, x, where)) / np.diff(x)
    same = np.abs(np.diff(slopes)) <= tol * np.maximum(1.0, np.abs(slopes[1:]))
    # A run of equal slopes starts at every cell whose slope differs from the previous cell's.
    starts = np.flatnonzero(np.concatenate([[True], ~same]))
    lengths = np.diff(np.append(starts, len(slopes)))
    return int(np.sum(lengths >= 2))


def yarotsky_square(x, m):
    """Yarotsky's (2017) approximation of ``x²`` on ``[0, 1]`` from sawtooth functions:

        f_m(x) = x − Σ_{s=1}^{m} T^s(x) / 4^s,

    where ``T^s`` is the tent map composed ``s`` times (:func:`sawtooth`). ``f_m`` is the piecewise-linear
    interpolant of ``x²`` at the ``2^m + 1`` points ``j / 2^m``, so its maximum error is ``h²/4 = 4^(−m−1)``
    with ``h = 2^(−m)`` (``max|f″| h²/8`` with ``f″ = 2``), reached at the midpoints between the knots.

    >>> x = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    >>> yarotsky_square(x, 1).tolist()  # exact at 0, 1/2, 1; the chord in between
    [0.0, 0.125, 0.25, 0.625, 1.0]
    >>> float(np.max(np.abs(yarotsky_square(np.linspace(0, 1, 1025), 3) - np.linspace(0, 1, 1025) ** 2)))
    0.00390625
    """
    where = "yarotsky_square"
    check_positive(m, "m", where, integer=True, allow_zero=True)
    x = as_array(x, "x", where, dtype=np.float64)
    if np.any((x < 0) | (x > 1)):
        raise ValueError(f"{where}: x must lie in [0, 1], got values from {x.min():g} to {x.max():g}")
    return x - sum(sawtooth(x, s) / 4.0**s for s in range(1, int(m) + 1))


def square_network(m):
    """A deep ReLU network of ``m`` hidden layers of 3 units that computes :func:`yarotsky_square` on ``[0, 1]``.

    Hidden layer ``l`` holds ``relu(g)``, ``relu(g − ½)`` and the running sum ``relu(x − Σ_{s<l} T^s(x)/4^s)``,
    where ``g = T^(l−1)(x)`` (``T^0(x) = x``). The next layer reads ``T(g) = 2 relu(g) − 4 relu(g − ½)`` from the
    first two and subtracts ``T^l(x)/4^l`` from the running sum, which is never negative (it is an
    interpolant of ``x²``), so its ReLU passes it unchanged. ``3m`` units give a maximum error of
    ``4^(−m−1)``; the one-hidden-layer interpolant needs ``2^m`` units for the same function.

    >>> net = square_network(4)
    >>> net.hidden_sizes, count_linear_pieces(net, (0, 1))  # 12 units, 2⁴ pieces
    ((3, 3, 3, 3), 16)
    >>> x = np.linspace(0, 1, 101)
    >>> bool(np.allclose(net(x), yarotsky_square(x, 4))), round(approximation_error(np.square, net, (0, 1))[0], 6)
    (True, 0.000977)
    """
    check_positive(m, "m", "square_network", integer=True)
    m = int(m)
    shift = np.array([0.0, -0.5, 0.0])
    layers = [(np.ones((3, 1)), shift)]
    for level in range(1, m + 1):
        # T^level(x) = 2 relu(g) − 4 relu(g − ½), subtracted from the running sum with weight 1/4^level
        update = np.array([[-2.0, 4.0, 0.0]]) / 4.0**level + np.array([[0.0, 0.0, 1.0]])
        if level < m:
            fold = np.array([[2.0, -4.0, 0.0], [2.0, -4.0, 0.0]])
            layers.append((np.vstack([fold, update]), shift))
        else:
            layers.append((update, np.zeros(1)))
    return Network(layers, "relu")


# ------------------------------------------------------------------------------------------------------------
# More than one dimension: ridge functions and towers
# ------------------------------------------------------------------------------------------------------------


def ridge_network(ridges, n_units, kind="relu"):
    """One hidden layer that approximates a sum of **ridge functions** ``Σ_i g_i(a_i · x)`` on ``ℝ^d``.

    A ridge function is constant along every direction orthogonal to ``a_i``: a function of one variable,
    ``t = a_i · x``. Each ``g_i`` is approximated on its interval of ``t`` by :func:`bump_network` with
    ``n_units`` units, ``g_i(t) ≈ Σ_j c_j σ(w_j t + b_j) + c_0``; substituting ``t = a_i · x`` turns unit ``j``
    into ``σ((w_j a_i) · x + b_j)``, an ordinary hidden unit with weight vector ``w_j a_i``. Stacking the units
    of every ridge gives one hidden layer of ``len(ridges) · n_units`` units, and the errors add up. This is
    the step that carries the one-dimensional theorem to ``d`` dimensions (Leshno et al. 1993; Pinkus 1999).

    Args:
        ridges: a list of ``(direction, g, interval)``: ``direction`` a vector ``a_i`` of length ``d``, ``g`` a
            vectorised function of one variable, ``interval`` ``(lo, hi)`` covering ``a_i · x`` for the
            inputs of interest.
        n_units (int): hidden units per ridge.
        kind: ``"relu"`` (interpolation) or ``"sigmoid"`` (staircase), as in :func:`bump_network`.

    >>> # sin(x1 + x2) is a single ridge along a = (1, 1); on [−1, 1]² the variable t = x1 + x2 lies in [−2, 2]
    >>> net = ridge_network([((1.0, 1.0), np.sin, (-2.0, 2.0))], 40)
    >>> X = np.array([[0.0, 0.0], [0.5, 0.25], [-1.0, 1.0]])
    >>> net, bool(np.allclose(net(X), np.sin(X.sum(axis=1)), atol=1e-3))
    (Network(2-40-1, activation='relu'), True)
    """
    where = "ridge_network"
    try:
        ridges = list(ridges)
    except TypeError:
        raise ValueError(
            f"{where}: ridges must be a list of (direction, g, interval), got {describe(ridges)}"
        ) from None
    if not ridges:
        raise ValueError(f"{where}: ridges must hold at least one (direction, g, interval), got none")
    W1, b1, W2, b2 = [], [], [], 0.0
    dimension = None
    for index, ridge in enumerate(ridges):
        try:
            direction, g, interval = ridge
        except (TypeError, ValueError):
            raise ValueError(
                f"{where}: ridge {index} must be a triple (direction, g, interval), got {describe(ridge)}"
            ) from None
        direction = as_array(direction, f"direction of ridge {index}", where, ndim=1, dtype=np.float64)
        if dimension is not None and direction.shape[0] != dimension:
            raise ValueError(
                f"{where}: every direction must have length {dimension}, ridge {index} has {direction.shape[0]}"
            )
        dimension = direction.shape[0]
        (w, b), (c, c0) = bump_network(g, n_units, interval, kind=kind).layers
        W1.append(w @ direction[None, :])  # (N, 1) @ (1, d): unit j reads (w_j a_i) · x
        b1.append(b)
        W2.append(c)
        b2 += float(c0[0])
    return Network([(np.vstack(W1), np.concatenate(b1)), (np.hstack(W2), np.array([b2]))], kind)


def tower_network(box, steepness=50.0):
    """A network that is ≈ 1 on the rectangle ``box = ((a1, b1), (a2, b2))`` and ≈ 0 elsewhere: a **tower**.

    Layer 1 holds four steep sigmoids, a bump along each axis: ``B1(x1) = σ(k(x1 − a1)) − σ(k(x1 − b1))`` and
    ``B2(x2)`` alike. Their sum is 2 on the rectangle, 1 on the cross-shaped "arms" where only one coordinate
    is in range, and 0 elsewhere. One more sigmoid unit thresholds the sum between 1 and 2,
    ``σ(k (B1 + B2 − 1.5))``, and keeps only the rectangle. Hidden sizes ``(4, 1)``, output weight 1.

    Sums of towers of heights ``f(cell centre)`` on a grid of cells approximate a continuous ``f`` on a
    rectangle, as sums of bumps do on an interval (with a wrinkle: at a corner where four cells meet each
    tower sees two half bumps and switches off, so the construction leaves narrow dips at the corners).

    >>> tower = tower_network(((0, 1), (0, 1)))
    >>> points = np.array([[0.5, 0.5], [0.5, 2.0], [2.0, 2.0]])  # inside, on an arm, outside
    >>> tower(points).round(3).tolist()
    [1.0, 0.0, 0.0]
    """
    where = "tower_network"
    check_positive(steepness, "steepness", where)
    try:
        (a1, b1), (a2, b2) = (_check_interval(side, where) for side in box)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: box must be ((a1, b1), (a2, b2)); {exc}") from None
    k = float(steepness)
    W1 = k * np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    b1 = -k * np.array([a1, b1, a2, b2])
    W2, b2_ = k * np.array([[1.0, -1.0, 1.0, -1.0]]), np.array([-1.5 * k])
    return Network([(W1, b1), (W2, b2_), (np.ones((1, 1)), np.zeros(1))], "sigmoid")


# ------------------------------------------------------------------------------------------------------------
# A safe formula language for the widget
# ------------------------------------------------------------------------------------------------------------

SAFE_FUNCTIONS = {
    name: getattr(np, name)
    for name in (
        "abs sign sqrt exp log sin cos tan arcsin arccos arctan sinh cosh tanh floor ceil maximum minimum"
    ).split()
}
SAFE_CONSTANTS = {"pi": np.pi, "e": np.e}
_OPERATORS = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.divide,
    ast.Pow: np.power,
}
_MAX_LENGTH = 200


class ExpressionError(ValueError):
    """A formula that :func:`safe_expression` cannot or will not evaluate.

    >>> safe_expression("__import__('os')")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    nncourse.universal.ExpressionError: safe_expression: the function '__import__' is not allowed; ...
    >>> issubclass(ExpressionError, ValueError)  # so `except ValueError` catches it too
    True
    """


def safe_expression(text):
    """Turn a formula in ``x`` into a vectorised function, without ``eval``: e.g. ``"sin(3*x) + x**2"``.

    The formula is parsed with :mod:`ast`, and only these are allowed: the variable ``x``; numbers; the
    constants ``pi`` and ``e``; ``+ - * / **`` and unary ``+ -``; calls of the NumPy functions in
    ``SAFE_FUNCTIONS`` (``sin``, ``exp``, ``abs``, ``maximum``, ...). Anything else (other names, attribute
    access, indexing, keywords, a wrong number of arguments, ``__import__``...) raises an
    :class:`ExpressionError` naming what is not allowed. Arithmetic runs in float64, so ``9**9**9`` is
    ``inf`` rather than a huge integer.

    >>> f = safe_expression("sin(pi*x) + x**2")
    >>> f(np.array([0.0, 0.5])).tolist(), f.__doc__
    ([0.0, 1.25], 'f(x) = sin(pi*x) + x**2')
    """
    if not isinstance(text, str):
        raise ExpressionError(f"safe_expression: the formula must be a string, got {describe(text)}")
    if len(text) > _MAX_LENGTH:
        raise ExpressionError(
            f"safe_expression: the formula is too long ({len(text)} > {_MAX_LENGTH} characters)"
        )
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"safe_expression: could not parse {text!r}: {exc.msg}") from None
    _check_node(tree.body)

    def function(x):
        x = as_array(x, "x", f"expression {text!r}", dtype=np.float64)
        with np.errstate(all="ignore"):
            return np.broadcast_to(_evaluate_node(tree.body, x), x.shape).astype(np.float64)

    function.__name__ = "expression"
    function.__doc__ = f"f(x) = {text.strip()}"
    return function


def _check_node(node):
    """Walk the syntax tree once and reject everything outside the small language."""
    allowed_names = ", ".join(["x", *SAFE_CONSTANTS])
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(
                f"safe_expression: only numbers are allowed as constants, got {node.value!r}"
            )
    elif isinstance(node, ast.Name):
        if node.id != "x" and node.id not in SAFE_CONSTANTS:
            hint = " (it is a function: call it, e.g. sin(x))" if node.id in SAFE_FUNCTIONS else ""
            raise ExpressionError(
                f"safe_expression: the name {node.id!r} is not allowed{hint}; allowed names: {allowed_names}"
            )
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _OPERATORS:
            raise ExpressionError(
                f"safe_expression: the operator {type(node.op).__name__} is not allowed; "
                "allowed operators: + - * / **"
            )
        _check_node(node.left)
        _check_node(node.right)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.UAdd, ast.USub)):
            raise ExpressionError(f"safe_expression: the operator {type(node.op).__name__} is not allowed")
        _check_node(node.operand)
    elif isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute):
            _check_node(node.func)
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in SAFE_FUNCTIONS:
            what = f"the function {name!r}" if name else f"calling {ast.unparse(node.func)!r}"
            raise ExpressionError(
                f"safe_expression: {what} is not allowed; allowed functions: {', '.join(SAFE_FUNCTIONS)}"
            )
        if node.keywords:
            raise ExpressionError(f"safe_expression: keyword arguments are not allowed (in {name}(...))")
        # Exactly the ufunc's inputs: an extra positional argument would be NumPy's `out` and overwrite x.
        n_inputs = SAFE_FUNCTIONS[name].nin
        if len(node.args) != n_inputs:
            raise ExpressionError(
                f"safe_expression: {name} takes {n_inputs} argument{'s' if n_inputs > 1 else ''}, "
                f"got {len(node.args)} (in {ast.unparse(node)!r})"
            )
        for arg in node.args:
            _check_node(arg)
    elif isinstance(node, ast.Attribute):
        raise ExpressionError(
            f"safe_expression: attribute access ({ast.unparse(node)!r}) is not allowed; "
            "write sin(x), not np.sin(x)"
        )
    else:
        raise ExpressionError(
            f"safe_expression: {type(node).__name__} ({ast.unparse(node)!r}) is not allowed; "
            "use x, numbers, + - * / ** and the functions " + ", ".join(SAFE_FUNCTIONS)
        )


def _evaluate_node(node, x):
    if isinstance(node, ast.Constant):
        return np.float64(node.value)
    if isinstance(node, ast.Name):
        return x if node.id == "x" else np.float64(SAFE_CONSTANTS[node.id])
    if isinstance(node, ast.BinOp):
        return _OPERATORS[type(node.op)](_evaluate_node(node.left, x), _evaluate_node(node.right, x))
    if isinstance(node, ast.UnaryOp):
        value = _evaluate_node(node.operand, x)
        return -value if isinstance(node.op, ast.USub) else value
    return SAFE_FUNCTIONS[node.func.id](*(_evaluate_node(arg, x) for arg in node.args))
