"""A short, readable training loop: ``fit`` trains a model for some epochs and returns its ``History``.

One epoch shuffles the training data into mini-batches and takes one optimizer step per batch, exactly the
step the course writes by hand (and PyTorch code writes the same way)::

    optimizer.zero_grad()
    loss = loss_fn(model(X_batch), y_batch)
    model.backward(loss_fn.backward())
    optimizer.step()

Accuracy is recorded for classification and follows from the loss: ``CrossEntropyLoss`` takes the class
with the largest logit, ``BCEWithLogitsLoss`` predicts class 1 where the logit is > 0, ``BCELoss`` where the
probability is > 0.5; with any other loss (``MSELoss``: regression) there is no accuracy.
"""

import functools
from dataclasses import dataclass, field

import numpy as np

from nncourse._checks import check_positive, check_same_length, describe
from nncourse._rng import as_generator
from nncourse.data.split import batches
from nncourse.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss

__all__ = ["History", "evaluate", "fit", "moons_data", "trained_mlp"]


@dataclass
class History:
    """Per-epoch losses and accuracies recorded by :func:`fit` (one list entry per epoch).

    ``train_loss`` and ``train_accuracy`` are averages over the epoch's mini-batches, measured while the
    weights change (as most training loops, PyTorch's tutorials and Keras report them); ``val_loss`` and
    ``val_accuracy`` are measured after the epoch, on the held-out data. Lists stay empty where there is
    nothing to record: no validation data, or no accuracy for a regression loss.
    """

    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)

    @property
    def epochs(self):
        """The number of epochs recorded."""
        return len(self.train_loss)

    def __repr__(self):
        last = ", ".join(
            f"{name}={values[-1]:.4g}"
            for name, values in vars(self).items()
            if values
        )
        return f"History(epochs={self.epochs}" + (f", last: {last})" if last else ")")


def _accuracy_rule(loss_fn):
    """How to turn the model's output into class predictions, decided by the loss; None for regression."""
    if isinstance(loss_fn, CrossEntropyLoss):
        return lambda output: output.argmax(axis=1)
    if isinstance(loss_fn, BCEWithLogitsLoss):
        return lambda output: (output > 0).astype(np.int64)
    if isinstance(loss_fn, BCELoss):
        return lambda output: (output > 0.5).astype(np.int64)
    return None


def _check_data(data, name, where):
    """``data`` must be a pair ``(X, y)`` of arrays with the same, non-zero number of rows."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ValueError(f"{where}: {name} must be a pair (X, y), got {describe(data)}")
    X, y = np.asarray(data[0]), np.asarray(data[1])
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(
            f"{where}: {name} must hold arrays with one row per sample, got shapes {X.shape} and {y.shape}"
        )
    check_same_length(X, y, f"{name} X", f"{name} y", where)
    if len(X) == 0:
        raise ValueError(f"{where}: {name} is empty (X of shape {X.shape})")
    return X, y


class _Meter:
    """Running totals over the batches of one pass, for the average loss and the accuracy."""

    def __init__(self, loss_fn):
        self.predict = _accuracy_rule(loss_fn)
        self.sum_reduction = getattr(loss_fn, "reduction", "mean") == "sum"
        self.loss = self.correct = self.seen = 0.0

    def add(self, loss, output, y):
        n = len(y)
        # A mean-reduced batch loss counts n times, so the result is the mean over all samples;
        # a sum-reduced one is added as it is, so the result is the sum over all samples.
        self.loss += loss if self.sum_reduction else loss * n
        self.seen += n
        if self.predict is not None:
            self.correct += np.count_nonzero(self.predict(output) == y)

    def result(self):
        loss = float(self.loss if self.sum_reduction else self.loss / self.seen)
        accuracy = float(self.correct / self.seen) if self.predict is not None else None
        return loss, accuracy


def evaluate(model, loss_fn, data, *, batch_size=None):
    """The loss and accuracy of ``model`` on ``data = (X, y)``, in evaluation mode, without changing it.

    Returns ``(loss, accuracy)``: the mean loss over all samples (the total for ``reduction="sum"``) and the
    fraction classified correctly, or ``None`` for a regression loss. ``batch_size=None`` uses one batch.
    The model is left in evaluation mode (``model.eval()``).
    """
    X, y = _check_data(data, "data", "evaluate")
    model.eval()
    meter = _Meter(loss_fn)
    for X_batch, y_batch in batches(X, y, batch_size or len(X), shuffle=False):
        output = model(X_batch)
        meter.add(loss_fn(output, y_batch), output, y_batch)
    return meter.result()


def fit(model, loss_fn, optimizer, train_data, *, epochs, batch_size=32, val_data=None, rng=None,
        progress=True):
    """Train ``model`` on ``train_data = (X, y)`` with mini-batch steps of ``optimizer``; return a History.

    Args:
        model: a Module (e.g. a ``Sequential`` MLP); set to ``train()`` for each epoch.
        loss_fn: the criterion, e.g. ``CrossEntropyLoss()``; its type decides how accuracy is measured.
        optimizer: e.g. ``SGD(model.parameters(), lr=0.1)``.
        train_data: a pair ``(X, y)``; shuffled into new mini-batches every epoch.
        epochs: the number of passes over the training data.
        batch_size: samples per step (the last batch of an epoch may be smaller). Default 32.
        val_data: an optional pair ``(X_val, y_val)``, evaluated after every epoch.
        rng: None, an int seed or a Generator, for the shuffling.
        progress: True (default) shows a one-line progress display, updated in place in a notebook and
            printed every 10% of the epochs elsewhere; False trains quietly (tests).

    Returns:
        History with ``train_loss``, ``val_loss``, ``train_accuracy``, ``val_accuracy`` per epoch.
        The model is left in evaluation mode.
    """
    where = "fit"
    X, y = _check_data(train_data, "train_data", where)
    if val_data is not None:
        val_data = _check_data(val_data, "val_data", where)
    epochs = check_positive(epochs, "epochs", where, integer=True)
    batch_size = check_positive(batch_size, "batch_size", where, integer=True)
    rng = as_generator(rng)
    display = _Progress(epochs) if progress else None

    history = History()
    for epoch in range(1, epochs + 1):
        model.train()
        meter = _Meter(loss_fn)
        for batch, (X_batch, y_batch) in enumerate(batches(X, y, batch_size, shuffle=True, rng=rng), start=1):
            optimizer.zero_grad()
            output = model(X_batch)
            _check_finite(output, "the model's output", epoch, batch)
            loss = loss_fn(output, y_batch)
            _check_finite(loss, "the loss", epoch, batch)
            model.backward(loss_fn.backward())
            optimizer.step()
            meter.add(loss, output, y_batch)
        _record(history, "train", *meter.result())
        if val_data is not None:
            _record(history, "val", *evaluate(model, loss_fn, val_data, batch_size=batch_size))
        if display is not None:
            display.update(history)
    model.eval()
    return history


def _check_finite(value, what, epoch, batch):
    if not np.all(np.isfinite(value)):
        raise FloatingPointError(
            f"fit: {what} became NaN or infinite at epoch {epoch}, batch {batch}: training diverged "
            f"(try a smaller learning rate)"
        )


def _record(history, part, loss, accuracy):
    """Append one epoch's loss (and accuracy, unless None) to the ``part`` ("train" or "val") lists."""
    getattr(history, f"{part}_loss").append(loss)
    if accuracy is not None:
        getattr(history, f"{part}_accuracy").append(accuracy)


class _Progress:
    """A one-line progress display: updated in place in a notebook, a line every 10% of epochs elsewhere.

    It shows no times, so that a re-executed notebook's output does not change.
    """

    WIDTH = 20  # characters of the bar

    def __init__(self, epochs):
        self.epochs = epochs
        self.handle = None
        try:
            from IPython import get_ipython
            from IPython.display import display

            if get_ipython() is not None and hasattr(get_ipython(), "kernel"):
                self.handle = display(self._line(None), display_id=True)
        except ImportError:
            pass

    def _line(self, history):
        done = history.epochs if history is not None else 0
        filled = round(self.WIDTH * done / self.epochs)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        text = f"epoch {done:>{len(str(self.epochs))}}/{self.epochs} [{bar}]"
        if history is None:
            return _Text(text)
        for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
            values = getattr(history, name)
            if values:
                text += f"  {name.replace('_', ' ')} {values[-1]:.4f}"
        return _Text(text)

    def update(self, history):
        done = history.epochs
        if self.handle is not None:
            if done == self.epochs or done % max(1, self.epochs // 100) == 0:  # at most ~100 redraws
                self.handle.update(self._line(history))
        elif done == self.epochs or done % max(1, self.epochs // 10) == 0:
            print(self._line(history))


class _Text:
    """A line of text that a notebook displays as it is (a plain ``str`` would be shown with quotes)."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text

    def __str__(self):
        return self.text


# ---------------------------------------------------------------------------------------------------------
# A ready-trained network for Chapter 3's figures and forward-pass explorer
# ---------------------------------------------------------------------------------------------------------


def moons_data():
    """The training data of :func:`trained_mlp`: 200 two-moons points, noise 0.15, seed 0 (float64).

    >>> X, y = moons_data()
    >>> X.shape, X.dtype, y.shape
    ((200, 2), dtype('float64'), (200,))
    """
    from nncourse.data import make_moons

    X, y = make_moons(200, noise=0.15, rng=0)
    return X.astype(np.float64), y


@functools.cache
def _trained_parameters(depth, activation, width, seed):
    from nncourse.nn import BCEWithLogitsLoss, build_mlp
    from nncourse.optim import SGD

    model = build_mlp([2] + [width] * depth + [1], activation, dtype=np.float64, rng=seed)
    X, y = moons_data()
    fit(model, BCEWithLogitsLoss(), SGD(model.parameters(), lr=1.0), (X, y.astype(np.float64)[:, None]),
        epochs=150, batch_size=50, rng=seed, progress=False)
    return tuple(p.data.copy() for p in model.parameters())


def trained_mlp(depth, activation, *, width=4, seed=0):
    """The float64 MLP ``2 → width → … → width → 1`` (``depth`` hidden layers) trained on :func:`moons_data`.

    150 epochs of mini-batch SGD (batch 50, lr 1.0) on the binary cross-entropy of the logit: a fraction of a
    second, enough for about 90-99 % training accuracy with most activations. Sigmoid networks with three or
    more hidden layers stay near chance within this budget: their gradients vanish (Chapter 5 shows why).
    The trained weights are cached per architecture; each call returns a new model.

    >>> model = trained_mlp(2, "tanh")
    >>> X, y = moons_data()
    >>> float(np.mean((model(X)[:, 0] > 0) == y)) > 0.9
    True
    """
    from nncourse.nn import build_mlp

    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or depth < 1:
        raise ValueError(f"trained_mlp: depth must be a positive integer, got {describe(depth)}")
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
        raise ValueError(f"trained_mlp: width must be a positive integer, got {describe(width)}")
    model = build_mlp([2] + [int(width)] * int(depth) + [1], activation, dtype=np.float64, rng=seed)
    for parameter, value in zip(model.parameters(), _trained_parameters(int(depth), activation, int(width), seed),
                                strict=True):
        parameter.data[...] = value
    return model
