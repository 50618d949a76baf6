r"""Rosenblatt's perceptron (1958): one artificial neuron with a step activation, and its learning rule.

The model. For an input :math:`x \in \mathbb{R}^d` with weights :math:`w \in \mathbb{R}^d` and bias :math:`b`,

.. math::  z = w \cdot x + b, \qquad \hat y = \operatorname{step}(z) =
           \begin{cases} 1 & z \ge 0 \\ 0 & z < 0 \end{cases}

so its pre-activation is the same affine function as linear regression's; what differs is the output (a
class, not a number) and how the weights are fitted (Rosenblatt's rule, not least squares). Its decision
boundary :math:`w \cdot x + b = 0` is a hyperplane with normal vector :math:`w`; the bias :math:`b` shifts
it. Labels are :math:`y \in \{0, 1\}`.

The rule. The samples are visited one at a time; for each one

.. math::  w \leftarrow w + \eta\,(y - \hat y)\,x, \qquad b \leftarrow b + \eta\,(y - \hat y).

A correct prediction gives :math:`y - \hat y = 0` and changes nothing; a mistake moves the boundary
towards classifying that sample correctly: :math:`+\eta x` for a missed 1, :math:`-\eta x` for a false 1.

Novikoff's theorem (1962). Write :math:`\tilde x = (x, 1)` and :math:`\tilde w = (w, b)` (the augmented
vectors that fold the bias into the weights), and :math:`s = 2y - 1 \in \{-1, +1\}`. If some unit
vector :math:`\tilde u` separates the data with margin :math:`\gamma > 0`, i.e.
:math:`s_i\, \tilde u \cdot \tilde x_i \ge \gamma` for every sample, and
:math:`R = \max_i \lVert \tilde x_i \rVert`, then the rule started from :math:`\tilde w = 0` makes at
most :math:`(R / \gamma)^2` mistakes, whatever the order of the samples and whatever :math:`\eta > 0`.
On data that no line separates (XOR) the rule never stops making mistakes.

The rule as gradient descent. With :math:`s = 2y - 1`, the *perceptron loss* of one sample is
:math:`\ell(w, b) = \max(0, -s z)`: zero when the sample is on its side of the line, and growing with
its distance past the line otherwise. Its (sub)gradient is :math:`(-s x, -s)` on a mistake and
:math:`0` otherwise, so one step of stochastic gradient descent, :math:`w \leftarrow w - \eta \nabla_w \ell`,
is exactly Rosenblatt's rule (see :func:`perceptron_loss`).

ADALINE (Widrow & Hoff 1960), :class:`Adaline`, keeps the same neuron but fits the pre-activation itself to
the target :math:`s` by least squares, one sample at a time (the LMS or Widrow–Hoff rule):
:math:`w \leftarrow w + \eta\,(s - z)\,x`, :math:`b \leftarrow b + \eta\,(s - z)`.

Compared with ``torch``: ``Perceptron`` is what ``torch.heaviside(x @ w + b, torch.tensor(1.0))`` computes
for prediction, trained by the rule above (no gradient: the step has none).
"""

from collections import namedtuple
from dataclasses import dataclass

import numpy as np

from nncourse._checks import as_array, check_labels, check_positive, check_same_length
from nncourse._rng import as_generator
from nncourse.functional import step

__all__ = ["Adaline", "NovikoffBound", "Perceptron", "Update", "augment", "format_history", "novikoff_bound",
           "perceptron_loss"]


@dataclass(frozen=True)
class Update:
    """One application of the rule to one sample: what the neuron saw, predicted, and how it changed.

    >>> model = Perceptron()
    >>> model.update(np.array([1.0, 2.0]), 0)  # z = 0 gives ŷ = step(0) = 1: a mistake
    True
    >>> u = model.history_[-1]
    >>> u.z, u.y_hat, u.mistake, u.weight_after.tolist(), float(u.bias_after)  # w ← w + η (0 - 1) x
    (0.0, 1, True, [-1.0, -2.0], -1.0)
    """

    epoch: int  # 1 for the first pass over the data
    index: int  # the sample's row in X
    x: np.ndarray
    y: int
    z: float  # w·x + b before the update
    y_hat: int
    weight_before: np.ndarray
    bias_before: float
    weight_after: np.ndarray
    bias_after: float

    @property
    def mistake(self):
        """True when the prediction was wrong, i.e. when the rule changed the weights."""
        return self.y != self.y_hat


class Perceptron:
    r"""A single neuron :math:`\hat y = \operatorname{step}(w \cdot x + b)` trained by Rosenblatt's rule.

    Args:
        lr: the learning rate :math:`\eta > 0` (default 1.0). Started from zero weights, the predictions do
            not depend on it: it only scales :math:`w` and :math:`b`.
        max_epochs: the most passes over the data :meth:`fit` makes (default 100); on data that is not
            linearly separable the rule never converges, and this is where it stops.
        shuffle: visit the samples in a fresh random order each epoch (default False: in order).
        rng: None, an int seed or a ``numpy.random.Generator``, used when ``shuffle`` is True.
        dtype: the floating dtype of the weights (default float32, like PyTorch).

    Attributes:
        weight: array of shape ``(d,)`` (None before the first update); ``bias``: a scalar.
        converged_: True when the last :meth:`fit` ended with an epoch without mistakes.
        n_mistakes_: mistakes (updates) made since the last :meth:`fit` (or reset).
        n_epochs_: epochs run since then; ``history_``: one :class:`Update` per visited sample.

    Example::

        >>> from nncourse.data import logic_gate
        >>> X, y = logic_gate("and")
        >>> model = Perceptron().fit(X, y)
        >>> model.predict(X).tolist(), model.converged_, model.n_mistakes_
        ([0, 0, 0, 1], True, 11)
        >>> model.weight.tolist(), float(model.bias)  # the boundary 2 x₁ + x₂ - 3 = 0
        ([2.0, 1.0], -3.0)
    """

    def __init__(self, lr=1.0, max_epochs=100, shuffle=False, rng=None, dtype=np.float32):
        self.lr = check_positive(lr, "lr", "Perceptron")
        self.max_epochs = check_positive(max_epochs, "max_epochs", "Perceptron", integer=True)
        self.shuffle = bool(shuffle)
        self.rng = rng
        try:
            self.dtype = np.dtype(dtype)
        except TypeError:
            raise ValueError(f"Perceptron: dtype must be a floating dtype, got {dtype!r}") from None
        if not np.issubdtype(self.dtype, np.floating):
            raise ValueError(f"Perceptron: dtype must be a floating dtype, got {self.dtype}")
        self.reset()

    def reset(self, n_features=None):
        """Forget what was learned: zero weights (None when ``n_features`` is not given), empty history."""
        self.weight = None if n_features is None else np.zeros(n_features, dtype=self.dtype)
        self.bias = self.dtype.type(0)
        self.converged_ = False
        self.n_mistakes_ = 0
        self.n_epochs_ = 0
        self.history_ = []
        self._generator = None
        return self

    # ----------------------------------------------------------------------------------- prediction
    def decision_function(self, X):
        """The pre-activation :math:`z = X w + b`, shape ``(n_samples,)``; its sign says the class."""
        return self._check_X(X, "decision_function") @ self.weight + self.bias

    def predict(self, X):
        """The predicted classes :math:`\\hat y = \\operatorname{step}(X w + b)` in {0, 1}, shape ``(n,)``."""
        return step(self._check_X(X, "predict") @ self.weight + self.bias).astype(np.int64)

    # ----------------------------------------------------------------------------------- learning
    def update(self, x, y, *, epoch=None, index=None):
        """Apply the rule once to the sample ``(x, y)``; return True when it was a mistake (weights changed).

        ``epoch`` and ``index`` are only recorded in the history (the current epoch and -1 by default).
        """
        where = "Perceptron.update"
        x = as_array(x, "x", where, ndim=1, shape_doc="(n_features,)").astype(self.dtype, copy=False)
        if self.weight is None:
            self.weight = np.zeros(x.shape[0], dtype=self.dtype)
        if x.shape[0] != self.weight.shape[0]:
            raise ValueError(
                f"{where}: x must have {self.weight.shape[0]} features (the model's weight has shape "
                f"{self.weight.shape}), got {x.shape[0]}"
            )
        if np.ndim(y) != 0:
            raise ValueError(f"{where}: y must be one label, 0 or 1, got an array of shape {np.shape(y)}")
        y = int(check_labels(np.asarray([y]), (0, 1), "y", where)[0])
        epoch = self.n_epochs_ + 1 if epoch is None else epoch
        return self._update(x, y, epoch, -1 if index is None else index)

    def fit_epoch(self, X, y):
        """One pass of the rule over the data (in order, or shuffled); returns the number of mistakes made."""
        X, y = self._check_Xy(X, y, "Perceptron.fit_epoch")
        if self.weight is None:
            self.weight = np.zeros(X.shape[1], dtype=self.dtype)
        elif X.shape[1] != self.weight.shape[0]:
            raise ValueError(
                f"Perceptron.fit_epoch: X must have {self.weight.shape[0]} features (the model's weight has "
                f"shape {self.weight.shape}), got X of shape {X.shape}"
            )
        order = np.arange(len(X))
        if self.shuffle:
            if self._generator is None:
                self._generator = as_generator(self.rng)
            order = self._generator.permutation(len(X))
        epoch = self.n_epochs_ + 1
        mistakes = sum(self._update(X[i], int(y[i]), epoch, int(i)) for i in order)
        self.n_epochs_ = epoch
        return mistakes

    def fit(self, X, y):
        """Start from zero weights and run epochs until one makes no mistake, or ``max_epochs`` is reached."""
        X, y = self._check_Xy(X, y, "Perceptron.fit")
        self.reset(X.shape[1])
        for _ in range(self.max_epochs):
            if self.fit_epoch(X, y) == 0:
                self.converged_ = True
                break
        return self

    def _update(self, x, y, epoch, index):
        weight_before, bias_before = self.weight.copy(), self.bias
        z = float(x @ self.weight + self.bias)
        y_hat = int(step(z))
        if y != y_hat:
            self.weight = self.weight + self.dtype.type(self.lr * (y - y_hat)) * x
            self.bias = self.dtype.type(self.bias + self.lr * (y - y_hat))
            self.n_mistakes_ += 1
        self.history_.append(
            Update(epoch, index, x.copy(), y, z, y_hat, weight_before, bias_before,
                   self.weight.copy(), self.bias)
        )
        return y != y_hat

    # ----------------------------------------------------------------------------------- validation
    def _check_X(self, X, where):
        where = f"Perceptron.{where}"
        if self.weight is None:
            raise ValueError(f"{where}: the perceptron has no weights yet; call fit(X, y) or update(x, y)")
        X = as_array(X, "X", where, ndim=2, shape_doc="(n_samples, n_features)")
        if X.shape[1] != self.weight.shape[0]:
            raise ValueError(
                f"{where}: X must have {self.weight.shape[0]} features (the model was trained on "
                f"{self.weight.shape[0]}), got X of shape {X.shape}"
            )
        return X.astype(self.dtype, copy=False)

    def _check_Xy(self, X, y, where):
        X = as_array(X, "X", where, ndim=2, shape_doc="(n_samples, n_features)")
        X = X.astype(self.dtype, copy=False)
        y = as_array(y, "y", where, ndim=1, shape_doc="(n_samples,)")
        check_same_length(X, y, "X", "y", where)
        if len(X) == 0:
            raise ValueError(f"{where}: X must contain at least one sample, got shape {X.shape}")
        return X, check_labels(y, (0, 1), "y", where)

    def __repr__(self):
        return f"Perceptron(lr={self.lr}, max_epochs={self.max_epochs}, shuffle={self.shuffle})"


def augment(X):
    """Append a column of ones, :math:`\\tilde x = (x, 1)`: then :math:`z = (w, b) \\cdot \\tilde x`.

    >>> augment(np.array([[2.0, 3.0], [4.0, 5.0]])).tolist()
    [[2.0, 3.0, 1.0], [4.0, 5.0, 1.0]]
    """
    X = as_array(X, "X", "augment", ndim=2, shape_doc="(n_samples, n_features)")
    return np.hstack([X, np.ones((len(X), 1), dtype=X.dtype)])


NovikoffBound = namedtuple("NovikoffBound", "radius margin bound")
NovikoffBound.__doc__ = """What :func:`novikoff_bound` returns: ``radius`` R, ``margin`` γ and ``bound`` (R/γ)².

>>> from nncourse.data import logic_gate
>>> result = novikoff_bound(*logic_gate("and"), weight=np.array([1.0, 1.0]), bias=-1.5)
>>> round(result.radius, 3), round(result.margin, 4), round(result.bound, 1)
(1.732, 0.2425, 51.0)
"""


def novikoff_bound(X, y, weight, bias):
    r"""Novikoff's bound :math:`(R/\gamma)^2` for data ``(X, y)`` separated by the line ``(weight, bias)``.

    Uses the augmented vectors (see the module docstring): :math:`R = \max_i \lVert (x_i, 1) \rVert` and
    :math:`\gamma = \min_i s_i\, (w, b) \cdot (x_i, 1) / \lVert (w, b) \rVert`. Any separating
    ``(weight, bias)`` gives a valid bound; the one with the largest margin gives the tightest. Returns
    ``NovikoffBound(radius, margin, bound)``; raises ValueError when ``(weight, bias)`` does not separate
    the data.

    >>> from nncourse.data import logic_gate
    >>> X, y = logic_gate("and")
    >>> round(novikoff_bound(X, y, weight=np.array([1.0, 1.0]), bias=-1.5).bound, 1)  # (√3 / 0.2425)²
    51.0
    >>> Perceptron().fit(X, y).n_mistakes_  # within the bound
    11
    """
    where = "novikoff_bound"
    X = as_array(X, "X", where, ndim=2, shape_doc="(n_samples, n_features)").astype(np.float64)
    y = check_labels(as_array(y, "y", where, ndim=1, shape_doc="(n_samples,)"), (0, 1), "y", where)
    check_same_length(X, y, "X", "y", where)
    weight = as_array(weight, "weight", where, ndim=1, shape_doc="(n_features,)").astype(np.float64)
    if weight.shape[0] != X.shape[1]:
        raise ValueError(f"{where}: weight must have {X.shape[1]} entries (one per feature), "
                         f"got {weight.shape[0]}")
    bias = float(as_array(bias, "bias", where, ndim=0))
    w_tilde = np.append(weight, bias)
    if not np.any(w_tilde):
        raise ValueError(f"{where}: (weight, bias) must not be all zero (then there is no line), got {w_tilde}")
    X_tilde = augment(X)
    radius = float(np.max(np.linalg.norm(X_tilde, axis=1)))
    margin = float(np.min((2 * y - 1) * (X_tilde @ w_tilde)) / np.linalg.norm(w_tilde))
    if not margin > 0:
        raise ValueError(
            f"{where}: (weight, bias) must separate the data with a positive margin, got margin {margin:.3g}"
        )
    return NovikoffBound(radius, margin, (radius / margin) ** 2)


def format_history(history, *, mistakes_only=False, limit=None):
    """The update table: one line per visited sample (or per mistake), to print in a notebook.

    >>> from nncourse.data import logic_gate
    >>> model = Perceptron().fit(*logic_gate("and"))
    >>> print(format_history(model.history_, mistakes_only=True, limit=2))
    epoch   i  x               y       z  ŷ  w before              b  w after               b
        1   0  (0, 0)          0       0  1  (0, 0)                0  (0, 0)               -1  ← update
        1   3  (1, 1)          1      -1  0  (0, 0)               -1  (1, 1)                0  ← update
    """
    rows = [u for u in history if u.mistake or not mistakes_only][:limit]

    def vec(v):
        return "(" + ", ".join(f"{float(t):g}" for t in v) + ")"

    header = f"{'epoch':>5} {'i':>3}  {'x':<14} {'y':>2} {'z':>7} {'ŷ':>2}  {'w before':<16} {'b':>6}  " \
             f"{'w after':<16} {'b':>6}"
    lines = [header]
    for u in rows:
        lines.append(
            f"{u.epoch:>5} {u.index:>3}  {vec(u.x):<14} {u.y:>2} {u.z:>7.3g} {u.y_hat:>2}  "
            f"{vec(u.weight_before):<16} {float(u.bias_before):>6.3g}  {vec(u.weight_after):<16} "
            f"{float(u.bias_after):>6.3g}" + ("  ← update" if u.mistake else "")
        )
    return "\n".join(lines)


def perceptron_loss(z, y):
    r"""The perceptron loss :math:`\max(0, -s z)` per sample, with :math:`s = 2y - 1`, and its derivative in z.

    Returns ``(loss, dloss_dz)``, arrays of z's shape. The derivative is :math:`-s` on a mistake
    (:math:`\operatorname{step}(z) \ne y`) and 0 otherwise. At the kink :math:`z = 0` the loss has no
    derivative; a mistake there (a class-0 sample, since step(0) = 1) gets :math:`-s = 1`, a subgradient, so
    that gradient descent on this loss, :math:`w \leftarrow w - \eta\,\partial\ell/\partial z\; x`, makes
    exactly the updates of Rosenblatt's rule.

    >>> loss, dz = perceptron_loss(np.array([2.0, -0.5, 0.0, 0.0]), np.array([1, 1, 1, 0]))
    >>> loss.tolist(), dz.tolist()  # right; a missed 1; on the line as class 1 (right); on it as class 0 (wrong)
    ([0.0, 0.5, 0.0, 0.0], [0.0, -1.0, 0.0, 1.0])
    """
    where = "perceptron_loss"
    z = as_array(z, "z", where).astype(np.float64, copy=False)
    y = check_labels(as_array(y, "y", where), (0, 1), "y", where)
    if z.shape != y.shape:
        raise ValueError(f"{where}: z and y must have the same shape, got {z.shape} and {y.shape}")
    s = 2.0 * y - 1.0
    mistake = step(z) != y
    return np.maximum(0.0, -s * z) + 0.0, np.where(mistake, -s, 0.0)  # + 0.0 turns -0.0 into 0.0


class Adaline:
    r"""ADALINE (Widrow & Hoff 1960): the perceptron's neuron, trained by least squares on :math:`z` itself.

    Prediction is the perceptron's, :math:`\hat y = \operatorname{step}(w \cdot x + b)`. Training visits
    the samples one at a time and takes a gradient step on the squared error :math:`\tfrac12 (s - z)^2` of
    the *linear* output against the target :math:`s = 2y - 1 \in \{-1, +1\}` (the LMS, or Widrow–Hoff, rule):

    .. math::  w \leftarrow w + \eta\,(s - z)\,x, \qquad b \leftarrow b + \eta\,(s - z).

    Unlike Rosenblatt's rule it updates on every sample, correct or not, in proportion to the error; with a
    small enough :math:`\eta` the weights settle near the least-squares line even when no line separates the
    classes, where the perceptron's keep jumping. The price: least squares also pulls on points that are
    already far on the right side, so on separable data the settled line may still misclassify some.

    Args:
        lr: the learning rate :math:`\eta > 0` (default 0.01; too large a value makes the weights diverge).
        epochs: passes over the data that :meth:`fit` makes (default 50).
        shuffle, rng, dtype: as for :class:`Perceptron`.

    Attributes:
        weight, bias: as for :class:`Perceptron`; ``mse_``: the mean squared error :math:`(s - z)^2` after each
        epoch; ``n_epochs_``: epochs run.

    >>> from nncourse.data import logic_gate
    >>> X, y = logic_gate("and", dtype=np.float64)
    >>> model = Adaline(lr=0.02, epochs=300, dtype=np.float64).fit(X, y)
    >>> model.predict(X).tolist(), np.round(model.weight, 1).tolist(), round(float(model.bias), 1)  # near least squares
    ([0, 0, 0, 1], [1.0, 1.0], -1.5)
    """

    def __init__(self, lr=0.01, epochs=50, shuffle=False, rng=None, dtype=np.float32):
        self.lr = check_positive(lr, "lr", "Adaline")
        self.epochs = check_positive(epochs, "epochs", "Adaline", integer=True)
        self._perceptron = Perceptron(lr=lr, shuffle=shuffle, rng=rng, dtype=dtype)  # validation, prediction
        self.dtype = self._perceptron.dtype
        self.shuffle, self.rng = bool(shuffle), rng
        self.weight, self.bias, self.mse_, self.n_epochs_ = None, self.dtype.type(0), [], 0
        self._generator = None

    def decision_function(self, X):
        """The linear output :math:`z = X w + b`, shape ``(n_samples,)``, the quantity ADALINE fits to s."""
        self._sync()
        return self._perceptron.decision_function(X)

    def predict(self, X):
        """The predicted classes :math:`\\operatorname{step}(X w + b)` in {0, 1}, shape ``(n_samples,)``."""
        self._sync()
        return self._perceptron.predict(X)

    def fit_epoch(self, X, y):
        """One pass of the LMS rule over the data; returns the mean squared error :math:`(s - z)^2` after it."""
        X, y = self._perceptron._check_Xy(X, y, "Adaline.fit_epoch")
        if self.weight is None:
            self.weight = np.zeros(X.shape[1], dtype=self.dtype)
        elif X.shape[1] != self.weight.shape[0]:
            raise ValueError(f"Adaline.fit_epoch: X must have {self.weight.shape[0]} features, got X of shape "
                             f"{X.shape}")
        order = np.arange(len(X))
        if self.shuffle:
            if self._generator is None:
                self._generator = as_generator(self.rng)
            order = self._generator.permutation(len(X))
        s = (2 * y - 1).astype(self.dtype)
        with np.errstate(over="ignore", invalid="ignore"):  # a too-large lr diverges: reported below
            for i in order:
                error = s[i] - (X[i] @ self.weight + self.bias)  # s - z
                self.weight = self.weight + self.dtype.type(self.lr) * error * X[i]
                self.bias = self.dtype.type(self.bias + self.lr * error)
            mse = float(np.mean((s - (X @ self.weight + self.bias)) ** 2))
        if not np.isfinite(mse):
            raise ValueError(f"Adaline.fit_epoch: the weights diverged (lr={self.lr} is too large for this data)")
        self.mse_.append(mse)
        self.n_epochs_ += 1
        return mse

    def fit(self, X, y):
        """Start from zero weights and run ``epochs`` passes of the LMS rule."""
        self.weight, self.bias, self.mse_, self.n_epochs_ = None, self.dtype.type(0), [], 0
        for _ in range(self.epochs):
            self.fit_epoch(X, y)
        return self

    def _sync(self):
        if self.weight is None:
            raise ValueError("Adaline: the model has no weights yet; call fit(X, y)")
        self._perceptron.weight, self._perceptron.bias = self.weight, self.bias

    def __repr__(self):
        return f"Adaline(lr={self.lr}, epochs={self.epochs}, shuffle={self.shuffle})"
