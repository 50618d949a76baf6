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

Two regularizers live in the loop itself (Chapter 8): ``augment=`` transforms every training batch afresh
(data augmentation), and ``patience=`` stops training once the validation loss has not improved for that many
epochs and puts back the weights of the best epoch (early stopping).
"""

import functools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nncourse._checks import check_positive, check_same_length, describe
from nncourse._rng import as_generator
from nncourse.data.split import batches
from nncourse.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss

__all__ = ["SHIPPED_TRAINED_MLPS", "History", "evaluate", "fit", "moons_data", "shipped_key", "train_moons_mlp",
           "trained_mlp"]


@dataclass
class History:
    """Per-epoch losses and accuracies recorded by :func:`fit` (one list entry per epoch).

    ``train_loss`` and ``train_accuracy`` are averages over the epoch's mini-batches, measured while the
    weights change (as most training loops, PyTorch's tutorials and Keras report them); ``val_loss`` and
    ``val_accuracy`` are measured after the epoch, on the held-out data. Lists stay empty where there is
    nothing to record: no validation data, or no accuracy for a regression loss.

    With early stopping, ``best_epoch`` is the (1-based) epoch whose weights the model was given back, and
    ``stopped_early`` says whether training ended before ``epochs``; otherwise they stay ``None`` and ``False``.

    >>> history = History(train_loss=[0.9, 0.5, 0.3], val_loss=[1.0, 0.6, 0.45])
    >>> history.epochs, history
    (3, History(epochs=3, last: train_loss=0.3, val_loss=0.45))
    """

    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    best_epoch: int = None
    stopped_early: bool = False

    @property
    def epochs(self):
        """The number of epochs recorded."""
        return len(self.train_loss)

    def __repr__(self):
        last = ", ".join(
            f"{name}={values[-1]:.4g}"
            for name, values in vars(self).items()
            if isinstance(values, list) and values
        )
        best = f", best_epoch={self.best_epoch}" if self.best_epoch is not None else ""
        return f"History(epochs={self.epochs}{best}" + (f", last: {last})" if last else ")")


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

    >>> from nncourse.nn import CrossEntropyLoss, Linear
    >>> model = Linear(2, 2)
    >>> model.weight.data[...], model.bias.data[...] = np.eye(2), 0.0  # logits = x: the larger coordinate wins
    >>> X, y = np.array([[2.0, 0.0], [0.0, 3.0], [1.0, 2.0]]), np.array([0, 1, 0])
    >>> loss, accuracy = evaluate(model, CrossEntropyLoss(), (X, y))
    >>> round(loss, 4), round(accuracy, 3)  # the third point is misclassified
    (0.4963, 0.667)
    """
    X, y = _check_data(data, "data", "evaluate")
    model.eval()
    meter = _Meter(loss_fn)
    for X_batch, y_batch in batches(X, y, batch_size or len(X), shuffle=False):
        output = model(X_batch)
        meter.add(loss_fn(output, y_batch), output, y_batch)
    return meter.result()


def fit(model, loss_fn, optimizer, train_data, *, epochs, batch_size=32, val_data=None, rng=None,
        progress=True, augment=None, patience=None):
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
        augment: an optional data augmentation, called as ``augment(X_batch, rng=rng)`` on every training
            batch (with fit's generator, so a seeded run repeats), e.g.
            ``functools.partial(nncourse.data.augment_digits, max_shift=1)``; it must return an array of the
            batch's shape. Validation data is never augmented.
        patience: early stopping. ``None`` (default) trains for all ``epochs``. An integer k ≥ 1 needs
            ``val_data``: training stops once the validation loss has not improved (gone below its best so far)
            for k epochs in a row, and the model gets back the parameters (and batch-norm running statistics)
            of the epoch with the lowest validation loss, recorded as ``history.best_epoch``.

    Returns:
        History with ``train_loss``, ``val_loss``, ``train_accuracy``, ``val_accuracy`` per epoch.
        The model is left in evaluation mode.

    >>> from nncourse.data import make_moons, train_val_split
    >>> from nncourse.nn import CrossEntropyLoss, build_mlp
    >>> from nncourse.optim import SGD
    >>> train_data, val_data = train_val_split(*make_moons(300, rng=0), rng=0)
    >>> model = build_mlp([2, 16, 2], "tanh", rng=0)
    >>> history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.5), train_data, epochs=30,
    ...               val_data=val_data, rng=0, progress=False)
    >>> history.epochs, history.val_accuracy[-1] > 0.9
    (30, True)

    With early stopping, a large network on few noisy points stops long before 300 epochs and keeps the
    weights of its best epoch:

    >>> train_data, val_data = train_val_split(*make_moons(60, noise=0.3, rng=1), rng=1)
    >>> model = build_mlp([2, 64, 64, 2], "relu", rng=0)
    >>> history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.5), train_data, epochs=300,
    ...               val_data=val_data, rng=0, progress=False, patience=10)
    >>> history.stopped_early, history.epochs == history.best_epoch + 10
    (True, True)
    """
    where = "fit"
    X, y = _check_data(train_data, "train_data", where)
    if val_data is not None:
        val_data = _check_data(val_data, "val_data", where)
    epochs = check_positive(epochs, "epochs", where, integer=True)
    batch_size = check_positive(batch_size, "batch_size", where, integer=True)
    if augment is not None and not callable(augment):
        raise ValueError(f"{where}: augment must be None or a callable augment(X_batch, rng=...), "
                         f"got {describe(augment)}")
    if patience is not None:
        patience = check_positive(patience, "patience", where, integer=True)
        if val_data is None:
            raise ValueError(f"{where}: early stopping (patience={patience}) watches the validation loss, "
                             f"so it needs val_data=(X_val, y_val)")
    rng = as_generator(rng)
    display = _Progress(epochs) if progress else None

    history = History()
    best_loss, best_state = np.inf, None
    for epoch in range(1, epochs + 1):
        model.train()
        meter = _Meter(loss_fn)
        for batch, (X_batch, y_batch) in enumerate(batches(X, y, batch_size, shuffle=True, rng=rng), start=1):
            if augment is not None:
                X_batch = _augmented(augment, X_batch, rng)
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
        if patience is not None:
            if history.val_loss[-1] < best_loss:
                best_loss, best_state, history.best_epoch = history.val_loss[-1], _state(model), epoch
            elif epoch - history.best_epoch >= patience:
                history.stopped_early = True
                break
    if best_state is not None:
        _load_state(model, best_state)
    model.eval()
    return history


def _augmented(augment, X_batch, rng):
    out = augment(X_batch, rng=rng)
    if not isinstance(out, np.ndarray) or out.shape != X_batch.shape:
        raise ValueError(f"fit: augment must return an array of the batch's shape {X_batch.shape}, "
                         f"got {describe(out)}")
    return out


def _modules(model):
    """The model and every sub-module below it, depth first."""
    yield model
    for child in model.children():
        yield from _modules(child)


def _state_arrays(model):
    """Every parameter's values and every buffer (batch norm's running statistics): what training changes."""
    arrays = [parameter.data for parameter in model.parameters()]
    for module in _modules(model):
        if hasattr(module, "named_buffers"):
            arrays += [buffer for _, buffer in module.named_buffers()]
    return arrays


def _state(model):
    return [array.copy() for array in _state_arrays(model)]


def _load_state(model, state):
    """Write the copies made by :func:`_state` back, in place (optimizers keep their references)."""
    for array, saved in zip(_state_arrays(model), state, strict=True):
        array[...] = saved


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


# Ready-trained weights for the forward-pass explorer's networks (width 4, seed 0, every depth and activation
# it offers), so that choosing one answers at once; scripts/make_trained_mlps.py writes the file and
# tests/test_nn_mlp.py checks that it equals fresh training.
SHIPPED_TRAINED_MLPS = Path(__file__).with_name("data") / "trained_moons_mlps.npz"


def shipped_key(depth, activation, width, seed):
    """The name under which :data:`SHIPPED_TRAINED_MLPS` stores one trained network's parameters.

    >>> shipped_key(2, "tanh", 4, 0)
    'tanh/depth2/width4/seed0'
    """
    return f"{activation}/depth{depth}/width{width}/seed{seed}"


def train_moons_mlp(depth, activation, width, seed):
    """Train :func:`trained_mlp`'s network from scratch and return its parameters as a tuple of arrays.

    >>> [p.shape for p in train_moons_mlp(1, "relu", 3, 0)]
    [(3, 2), (3,), (1, 3), (1,)]
    """
    from nncourse.nn import BCEWithLogitsLoss, build_mlp
    from nncourse.optim import SGD

    model = build_mlp([2] + [width] * depth + [1], activation, dtype=np.float64, rng=seed)
    X, y = moons_data()
    fit(model, BCEWithLogitsLoss(), SGD(model.parameters(), lr=1.0), (X, y.astype(np.float64)[:, None]),
        epochs=150, batch_size=50, rng=seed, progress=False)
    return tuple(p.data.copy() for p in model.parameters())


@functools.cache
def _shipped():
    with np.load(SHIPPED_TRAINED_MLPS) as stored:
        return {name: stored[name] for name in stored.files}


@functools.cache
def _trained_parameters(depth, activation, width, seed):
    key, shipped = shipped_key(depth, activation, width, seed), _shipped()
    if f"{key}/0" in shipped:
        return tuple(shipped[f"{key}/{i}"] for i in range(2 * (depth + 1)))
    return train_moons_mlp(depth, activation, width, seed)


def trained_mlp(depth, activation, *, width=4, seed=0):
    """The float64 MLP ``2 → width → … → width → 1`` (``depth`` hidden layers) trained on :func:`moons_data`.

    150 epochs of mini-batch SGD (batch 50, lr 1.0) on the binary cross-entropy of the logit: a fraction of a
    second, enough for about 90-99 % training accuracy with most activations. Sigmoid networks with three or
    more hidden layers stay near chance within this budget: their gradients vanish (Chapter 5 shows why).
    The weights of width 4 and seed 0 ship with the package (the same numbers, trained once); others are
    trained on first use. Either way they are cached per architecture; each call returns a new model.

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
