"""Learning curves: the loss and accuracy per epoch of a training History, training versus validation."""

import matplotlib.pyplot as plt

from nncourse.plot._style import COLORS, SIZES

__all__ = ["plot_history"]


def plot_history(history, *, axes=None, title=None, log_loss=False):
    """Plot the loss (and, for classification, the accuracy) per epoch from :class:`nncourse.train.History`.

    Training curves are drawn in ``COLORS["train"]``, validation curves in ``COLORS["validation"]``, in
    every chapter. ``axes`` may be one Axes (loss only) or a pair (loss, accuracy); by default a new figure
    is made with one panel, or two when accuracy was recorded. ``log_loss=True`` puts the loss on a log
    scale, which shows the late, slow part of training. Returns the Figure (end a notebook cell with ``;``
    or assign the result, so that the figure is not shown twice).

    >>> from nncourse.train import History
    >>> history = History(train_loss=[0.9, 0.5, 0.3], val_loss=[1.0, 0.6, 0.45])
    >>> fig = plot_history(history)
    >>> [line.get_label() for line in fig.axes[0].get_lines()], fig.axes[0].get_ylabel()
    (['train', 'validation'], 'loss')
    >>> plt.close(fig)
    """
    has_accuracy = bool(history.train_accuracy or history.val_accuracy)
    if axes is None:
        n_panels = 2 if has_accuracy else 1
        fig, axes = plt.subplots(1, n_panels, figsize=SIZES["wide"] if has_accuracy else SIZES["medium"])
    axes = list(axes) if hasattr(axes, "__len__") else [axes]
    panels = [("loss", history.train_loss, history.val_loss)]
    if has_accuracy and len(axes) > 1:
        panels.append(("accuracy", history.train_accuracy, history.val_accuracy))

    for ax, (name, train, val) in zip(axes, panels, strict=False):
        for values, part in ((train, "train"), (val, "validation")):
            if values:
                epochs = range(1, len(values) + 1)
                marker = "o" if len(values) < 20 else None  # few epochs: show each one
                ax.plot(epochs, values, color=COLORS[part], label=part, marker=marker)
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        if name == "loss" and log_loss:
            ax.set_yscale("log")
        ax.legend()
    if title is not None:
        axes[0].figure.suptitle(title)
    return axes[0].figure
