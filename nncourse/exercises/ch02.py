"""Checkers for the exercises of Chapter 2 (activation functions).

Each checker runs the learner's function on small float64 inputs and compares it with
:mod:`nncourse.functional` (itself tested against PyTorch):

* ``check_stable_sigmoid(fn)``: ``fn(x) -> σ(x)``, right on ordinary inputs, quiet at x = ±1000 (no overflow
  warning) and exact for tiny values such as σ(-720) ≈ 2·10⁻³¹³, which a float64 holds. This goes beyond
  PyTorch on purpose: its CPU sigmoid returns 0 below x ≈ -709, as the naive ``1 / (1 + e^(-x))`` does with
  its overflow silenced by ``np.errstate``; only the exact tail tells a stable formula from a silenced one.
* ``check_tanh_grad(fn)``: ``fn(x) -> 1 - tanh²(x)``.
* ``check_leaky_relu(fn)``: ``fn(x, negative_slope) -> (leaky_relu(x), its derivative)``, PyTorch's value
  ``negative_slope`` at x = 0 included.
* ``check_gelu_tanh(fn)``: ``fn(x) -> ½ x (1 + tanh(√(2/π)(x + 0.044715 x³)))``.
* ``check_elu(fn)``: ``fn(x, alpha) -> (elu(x), its derivative)``, quiet at x = ±1e4.
* ``check_flat_statistics(fn)``: ``fn(z, f_grad, threshold) -> (flat_share, dead_units)`` for one layer's
  pre-activations.
* ``check_accurate_and_alive(fn)``: ``fn() -> (activation, lr)``, open-ended: the digits MLP trained with
  that choice is judged by its validation accuracy and its dead units.

Each checker takes ``extra_cases``: more argument tuples for the learner's function (an instructor's hidden
tests), scored like the built-in ones.
"""

import numpy as np

from nncourse import functional as F
from nncourse import nn
from nncourse.data import load_digits
from nncourse.exercises._checker import (
    Exercise,
    attempt,
    call,
    compare,
    diagnose,
    extra,
    grade,
    items,
    numbers,
    one_number,
    require,
    whole_number,
)

STABLE_SIGMOID = Exercise(2, "ch02-stable-sigmoid-check", "A sigmoid that survives x = ±1000", 3,
                          "check_stable_sigmoid")
TANH_GRAD = Exercise(2, "ch02-tanh-grad-check", "The derivative of tanh", 2, "check_tanh_grad")
LEAKY_RELU = Exercise(2, "ch02-leaky-relu-check", "Leaky ReLU and its derivative", 2, "check_leaky_relu")
GELU_TANH = Exercise(2, "ch02-gelu-tanh-check", "GELU's tanh approximation", 2, "check_gelu_tanh")
ELU = Exercise(2, "ch02-elu-check", "ELU and its derivative, quietly", 2, "check_elu")
FLAT_STATS = Exercise(2, "ch02-flat-stats-check", "Flat units and dead units", 2, "check_flat_statistics")
ALIVE = Exercise(2, "ch02-alive-check", "Accurate and alive", 3, "check_accurate_and_alive")
EXERCISES = (STABLE_SIGMOID, TANH_GRAD, LEAKY_RELU, GELU_TANH, ELU, FLAT_STATS, ALIVE)

_OVERFLOW_HINT = (
    "e^(1000) is far beyond the largest float64 (about 1.8e308). Only ever take exp of a non-positive number: "
    "use 1 / (1 + e^(-x)) where x >= 0 and e^x / (1 + e^x) where x < 0 (np.exp(-np.abs(x)) gives the e you "
    "need for both). Careful: np.where(condition, a, b) computes both a and b for every x: both must be safe."
)


def _described(*arrays):
    return [(f"x = {np.array2string(x, separator=', ')}", (x,)) for x in arrays]


# ---------------------------------------------------------------------------------------------------------
def check_stable_sigmoid(fn, extra_cases=()):
    """``fn(x)`` returns σ(x) = 1 / (1 + e^(-x)) elementwise: exact, and quiet for any x.

    >>> from nncourse.functional import sigmoid
    >>> check_stable_sigmoid(sigmoid).passed
    True
    """
    cases = _described(
        np.array([-4.0, -1.0, -0.25, 0.0, 0.5, 2.0, 6.0]),
        np.array([-1000.0, -50.0, -1.0, 0.0, 1.0, 50.0, 1000.0]),
        np.array([-720.0, -300.0, -40.0, 40.0, 720.0]),
        np.array([-1e4, -1e3, 1e3, 1e4]),
    ) + extra(extra_cases, F.sigmoid, "check_stable_sigmoid")
    outcomes = [attempt(_sigmoid_case, fn, *args, on=on) for on, args in cases]
    return grade(STABLE_SIGMOID, outcomes, "σ(x) is right, stays quiet at x = ±1000 and exact in its tails.")


def _sigmoid_case(fn, x, *, on):
    expected = F.sigmoid(x)
    got = numbers(call(fn, x, on=on, warning_hint=_OVERFLOW_HINT), "sigmoid(x)", on, shape=np.shape(x))
    diagnose(got, expected, [
        (F.sigmoid(-x), f"you computed σ(-x) (on {on}): σ(x) = 1 / (1 + e^(-x)) is above 1/2 for positive x."),
    ])
    zero = (got == 0) & (expected > 0)
    if np.any(zero):
        at, value = x[zero][0], expected[zero][0]
        require(
            False,
            f"σ({at:g}) ≈ {value:.3g} is tiny, but a float64 holds it; you returned 0 (on {on}). Precision was "
            "lost there: e^(-x) overflowed to infinity (perhaps silenced by np.errstate), or 1 minus a number "
            "close to 1 cancelled. For x < 0 compute e^x / (1 + e^x), which keeps every digit.",
        )
    compare(got, expected, what="sigmoid(x)", on=on, atol=0.0)


# ---------------------------------------------------------------------------------------------------------
def check_tanh_grad(fn, extra_cases=()):
    """``fn(x)`` returns tanh'(x) = 1 - tanh²(x) elementwise.

    >>> check_tanh_grad(lambda x: 1 - np.tanh(x) ** 2).passed
    True
    """
    cases = _described(
        np.array([-3.0, -1.0, -0.2, 0.0, 0.4, 1.5, 3.0]),
        np.array([[-2.0, -0.5], [0.7, 2.5]]),
    ) + extra(extra_cases, F.tanh_grad, "check_tanh_grad")
    outcomes = [attempt(_tanh_grad_case, fn, *args, on=on) for on, args in cases]
    return grade(TANH_GRAD, outcomes, "tanh'(x) = 1 - tanh²(x): it is 1 at x = 0 and vanishes as |x| grows.")


def _tanh_grad_case(fn, x, *, on):
    expected = F.tanh_grad(x)
    got = numbers(call(fn, x, on=on), "tanh'(x)", on)
    t = np.tanh(x)
    diagnose(got, expected, [
        (1 - t, f"you returned 1 - tanh(x) (on {on}): the derivative squares the tanh, 1 - tanh(x)**2."),
        (t * (1 - t), f"you returned tanh(x)(1 - tanh(x)), the pattern of the sigmoid's derivative (on {on}): "
                      "for tanh it is 1 - tanh(x)**2."),
        (1 - x**2, f"you returned 1 - x**2 (on {on}): square tanh(x), not x: 1 - np.tanh(x)**2."),
    ])
    compare(got, expected, what="tanh'(x)", on=on)


# ---------------------------------------------------------------------------------------------------------
def _leaky_reference(x, negative_slope):
    return F.leaky_relu(x, negative_slope), F.leaky_relu_grad(x, negative_slope)


def check_leaky_relu(fn, extra_cases=()):
    """``fn(x, negative_slope)`` returns ``(leaky_relu(x), leaky_relu'(x))``; the derivative at x = 0 is
    ``negative_slope`` (PyTorch's convention). Output and derivative count as separate cases.

    >>> from nncourse.functional import leaky_relu, leaky_relu_grad
    >>> check_leaky_relu(lambda x, s: (leaky_relu(x, s), leaky_relu_grad(x, s))).passed
    True
    """
    x = np.array([-3.0, -0.5, 0.0, 0.5, 2.0])
    cases = [
        (f"x = [-3, -0.5, 0, 0.5, 2] and negative_slope = {slope}", (x, slope)) for slope in (0.01, 0.2)
    ] + extra(extra_cases, _leaky_reference, "check_leaky_relu")
    outcomes = [attempt(case, fn, *args, on=on) for on, args in cases for case in (_leaky_output, _leaky_grad)]
    return grade(LEAKY_RELU, outcomes, "Leaky ReLU and its derivative are right, for any negative_slope.")


def _leaky_output(fn, x, slope, *, on):
    out, _ = items(call(fn, x, slope, on=on), ("output", "derivative"), on)
    out = numbers(out, "the output", on)
    diagnose(out, F.leaky_relu(x, slope), [
        (F.leaky_relu(x, 0.01),
         f"the output uses the slope 0.01 whatever negative_slope is (on {on}): use the argument."),
        (F.relu(x), f"the output is ReLU's (on {on}): negative inputs are multiplied by negative_slope, not set to 0."),
    ])
    compare(out, F.leaky_relu(x, slope), what="the output", on=on)


def _leaky_grad(fn, x, slope, *, on):
    _, grad = items(call(fn, x, slope, on=on), ("output", "derivative"), on)
    grad = numbers(grad, "the derivative", on)
    diagnose(grad, F.leaky_relu_grad(x, slope), [
        (np.where(x > 0, 1.0, 0.0), f"the derivative is ReLU's (on {on}): for x < 0 it is negative_slope, not 0."),
        (np.where(x >= 0, 1.0, slope),
         f"the derivative at x = 0 is 1 (on {on}): the kink has no derivative; PyTorch (and this course) uses "
         "negative_slope there, so test x > 0 rather than x >= 0."),
        (F.leaky_relu(x, slope),
         f"the derivative equals the output (on {on}): it is 1 for x > 0 and negative_slope otherwise."),
    ])
    compare(grad, F.leaky_relu_grad(x, slope), what="the derivative", on=on)


# ---------------------------------------------------------------------------------------------------------
def _gelu_tanh_reference(x):
    return F.gelu(x, approximate="tanh")


def check_gelu_tanh(fn, extra_cases=()):
    """``fn(x)`` returns ½ x (1 + tanh(√(2/π)(x + 0.044715 x³))), GELU's tanh approximation.

    >>> from nncourse.functional import gelu
    >>> check_gelu_tanh(lambda x: gelu(x, approximate="tanh")).passed
    True
    """
    cases = _described(
        np.array([-4.0, -1.5, -0.5, 0.0, 0.3, 1.0, 2.5, 5.0]),
        np.array([-30.0, -8.0, 8.0, 30.0]),
    ) + extra(extra_cases, _gelu_tanh_reference, "check_gelu_tanh")
    outcomes = [attempt(_gelu_case, fn, *args, on=on) for on, args in cases]
    return grade(GELU_TANH, outcomes,
                 "that is PyTorch's gelu(x, approximate='tanh'); it stays within 5e-4 of the exact x Φ(x).")


def _gelu_case(fn, x, *, on):
    expected = _gelu_tanh_reference(x)
    got = numbers(call(fn, x, on=on), "gelu_tanh(x)", on)
    c = np.sqrt(2 / np.pi)
    diagnose(got, expected, [
        (2 * expected, f"your values are twice too large (on {on}): the formula starts with ½ x."),
        (0.5 * x * (1 + np.tanh(c * (x + 0.044715 * x**2))),
         f"the correction term is 0.044715 x³, not x² (on {on})."),
        (0.5 * x * (1 + np.tanh(2 / np.pi * (x + 0.044715 * x**3))),
         f"the scale inside the tanh is √(2/π) ≈ 0.798, not 2/π (on {on})."),
        (x * F.sigmoid(1.702 * x),
         f"that is the sigmoid approximation x σ(1.702 x) (on {on}); this exercise asks for the tanh one."),
        (F.gelu(x), f"that is the exact GELU x Φ(x) (on {on}); this exercise asks for the tanh approximation."),
    ])
    compare(got, expected, what="gelu_tanh(x)", on=on)


# ---------------------------------------------------------------------------------------------------------
_ELU_OVERFLOW_HINT = (
    "np.where(x > 0, x, alpha * (np.exp(x) - 1)) computes np.exp(x) for every x, the large positive ones too, "
    "and e^(10000) overflows. Take the exponential of np.minimum(x, 0) instead: it equals e^x where it is used "
    "and is 1 elsewhere."
)


def _elu_reference(x, alpha):
    return F.elu(x, alpha), F.elu_grad(x, alpha)


def check_elu(fn, extra_cases=()):
    """``fn(x, alpha)`` returns ``(elu(x), elu'(x))``; the derivative at 0 is alpha (PyTorch's convention), and
    nothing overflows at x = ±1e4. Output and derivative count as separate cases.

    >>> from nncourse.functional import elu, elu_grad
    >>> check_elu(lambda x, a: (elu(x, a), elu_grad(x, a))).passed
    True
    """
    x = np.array([-3.0, -0.5, 0.0, 0.5, 2.0])
    cases = [
        (f"x = [-3, -0.5, 0, 0.5, 2] and alpha = {alpha}", (x, alpha)) for alpha in (1.0, 0.5)
    ] + [("x = [-1e4, -20, 20, 1e4] and alpha = 1.0", (np.array([-1e4, -20.0, 20.0, 1e4]), 1.0))]
    cases += extra(extra_cases, _elu_reference, "check_elu")
    outcomes = [attempt(case, fn, *args, on=on) for on, args in cases for case in (_elu_output, _elu_grad)]
    return grade(ELU, outcomes, "ELU and its derivative are right, for any alpha, and quiet at x = ±1e4.")


def _elu_output(fn, x, alpha, *, on):
    out, _ = items(call(fn, x, alpha, on=on, warning_hint=_ELU_OVERFLOW_HINT), ("output", "derivative"), on)
    out = numbers(out, "the output", on, shape=np.shape(x))
    diagnose(out, F.elu(x, alpha), [
        (F.elu(x, 1.0), f"the output uses alpha = 1 whatever alpha is (on {on}): use the argument."),
        (np.where(x > 0, x, alpha * np.exp(np.minimum(x, 0))),
         f"for x <= 0 the output is alpha (e^x - 1), not alpha e^x (on {on}): it is 0 at x = 0."),
        (F.relu(x), f"the output is ReLU's (on {on}): negative inputs give alpha (e^x - 1), not 0."),
    ])
    compare(out, F.elu(x, alpha), what="the output", on=on)


def _elu_grad(fn, x, alpha, *, on):
    _, grad = items(call(fn, x, alpha, on=on, warning_hint=_ELU_OVERFLOW_HINT), ("output", "derivative"), on)
    grad = numbers(grad, "the derivative", on, shape=np.shape(x))
    e = np.exp(np.minimum(x, 0))
    diagnose(grad, F.elu_grad(x, alpha), [
        (np.where(x >= 0, 1.0, alpha * e),
         f"the derivative at x = 0 is 1 (on {on}): PyTorch (and this course) uses the left side's alpha e^0 = "
         "alpha there, so test x > 0 rather than x >= 0."),
        (np.where(x > 0, 1.0, alpha * (e - 1)),
         f"for x <= 0 the derivative is alpha e^x, the derivative of alpha (e^x - 1) (on {on}): the -1 goes."),
        (np.where(x > 0, 1.0, 0.0), f"the derivative is ReLU's (on {on}): for x <= 0 it is alpha e^x, not 0."),
    ])
    compare(grad, F.elu_grad(x, alpha), what="the derivative", on=on)


# ---------------------------------------------------------------------------------------------------------
def _flat_reference(z, f_grad, threshold):
    flat = np.abs(f_grad(z)) < threshold
    return float(flat.mean()), int(flat.all(axis=0).sum())


def check_flat_statistics(fn, extra_cases=()):
    """``fn(z, f_grad, threshold)`` returns ``(flat_share, dead_units)`` for pre-activations ``z`` of shape
    ``(n_samples, n_units)``: the share of entries with ``|f'(z)| < threshold`` and the number of units
    (columns) for which that holds on every sample.

    >>> def stats(z, f_grad, threshold=0.05):
    ...     flat = np.abs(f_grad(z)) < threshold
    ...     return flat.mean(), int(flat.all(axis=0).sum())
    >>> check_flat_statistics(stats).passed
    True
    """
    rng = np.random.default_rng(7)
    z_relu = rng.normal(size=(6, 4))
    z_relu[:, 1] = -np.abs(z_relu[:, 1]) - 0.1  # unit 1 is silent on every sample
    z_relu[0, 2] = 0.0  # a kink: relu'(0) = 0 counts as flat
    z_tanh = np.array([[3.0, 0.1, -4.0], [2.5, -0.2, -3.5], [-0.3, 0.4, 5.0]])
    cases = [
        ("6 samples × 4 ReLU units, unit 1 negative on every sample", (z_relu, F.relu_grad, 0.05)),
        ("3 samples × 3 tanh units, threshold 0.05", (z_tanh, F.tanh_grad, 0.05)),
        ("the same tanh units, threshold 0.5: a unit at |z| = 3 or more is flat on every sample",
         (z_tanh, F.tanh_grad, 0.5)),
    ] + extra(extra_cases, _flat_reference, "check_flat_statistics")
    outcomes = [attempt(_flat_case, fn, *args, on=on) for on, args in cases]
    return grade(FLAT_STATS, outcomes, "flat share and dead units, the two numbers to watch in a trained layer.")


def _flat_case(fn, z, f_grad, threshold, *, on):
    share, dead = _flat_reference(z, f_grad, threshold)
    got_share, got_dead = items(call(fn, z, f_grad, threshold, on=on), ("flat_share", "dead_units"), on)
    got_share = one_number(got_share, "flat_share", on)
    flat = np.abs(f_grad(z)) < threshold
    diagnose(got_share, share, [
        (float(flat.sum()), f"flat_share is a share of the entries, between 0 and 1 (on {on}): take the mean."),
        (float((np.abs(z) < threshold).mean()), f"compare f'(z) with the threshold, not z itself (on {on})."),
        (float((f_grad(z) < threshold).mean()), f"take the absolute value |f'(z)| (on {on})."),
    ])
    compare(got_share, share, what="flat_share", on=on)
    got_dead = whole_number(got_dead, "dead_units", on)
    diagnose(got_dead, dead, [
        (int(flat.all(axis=1).sum()), f"dead units are columns (units) flat on every row (sample) (on {on}): "
                                      "use axis=0."),
        (int(flat.any(axis=0).sum()), f"a unit is dead when it is flat on every sample, not on some (on {on}): "
                                      "use .all, not .any."),
    ])
    require(got_dead == dead, f"dead_units is off (on {on}): expected {dead}, got {got_dead}.")


# ---------------------------------------------------------------------------------------------------------
ALIVE_EPOCHS = 5
ALIVE_MARKS = (0.93, 0.96)
ALIVE_MAX_DEAD = 2


def check_accurate_and_alive(fn):
    """``fn()`` returns ``(activation, lr)``; the checker trains Section 6's 64-64-64-10 digits MLP with them.

    Plain SGD (``lr``), batch 32, 5 epochs, seed 0, float64. One case each for a validation accuracy of at
    least 0.93, of at least 0.96, and for at most 2 dead units (``|f'(z)| < 0.05`` on every validation
    image) in the two hidden layers together.

    >>> check_accurate_and_alive(lambda: ("elu", 0.2)).passed
    True
    """
    run = {}
    on = "the digits MLP 64-64-64-10"
    setup = attempt(_alive_run, fn, run, on=on)
    if setup is not None:
        return grade(ALIVE, [setup] * 3, "")
    accuracy, dead = run["accuracy"], run["dead"]
    outcomes = [attempt(_alive_accuracy, accuracy, mark) for mark in ALIVE_MARKS]
    outcomes.append(attempt(_alive_units, dead, run["activation"]))
    return grade(ALIVE, outcomes, f"validation accuracy {accuracy:.3f} after {ALIVE_EPOCHS} epochs with "
                                  f"{sum(dead)} dead units ({dead[0]} and {dead[1]}).")


def _alive_run(fn, run, *, on):
    from nncourse.optim import SGD
    from nncourse.train import evaluate, fit

    activation, lr = items(call(fn, on=on), ("activation", "lr"), on)
    require(isinstance(activation, str) and activation in nn.ACTIVATIONS,
            f"the activation should be one of {list(nn.ACTIVATIONS)}, got {activation!r}.")
    lr = one_number(lr, "lr", on)
    require(0 < lr <= 10, f"lr should be a number in (0, 10], got {lr:g}.")
    (X_train, y_train), (X_val, y_val) = load_digits(return_split=True, dtype=np.float64)
    model = nn.build_mlp([64, 64, 64, 10], activation, dtype=np.float64, rng=0)
    criterion = nn.CrossEntropyLoss()
    with np.errstate(all="ignore"):  # a diverging lr is reported below, not as a warning
        fit(model, criterion, SGD(model.parameters(), lr=lr), (X_train, y_train), epochs=ALIVE_EPOCHS,
            batch_size=32, rng=0, progress=False)
        loss, accuracy = evaluate(model, criterion, (X_val, y_val))
    require(np.isfinite(loss), f"the loss became NaN or infinite with lr = {lr:g}: the learning rate is too large.")
    f_grad = nn.ACTIVATIONS[activation].derivative
    dead, a = [], X_val
    for module in model:
        if not isinstance(module, nn.Linear):
            dead.append(int(np.all(np.abs(f_grad(a)) < 0.05, axis=0).sum()))
        a = module(a)
    run.update(accuracy=float(accuracy), dead=dead, activation=activation)


def _alive_accuracy(accuracy, mark):
    require(
        accuracy >= mark,
        f"after {ALIVE_EPOCHS} epochs the validation accuracy is {accuracy:.3f}, below {mark:.2f} (one mark each "
        f"at 0.93 and 0.96). Try a zero-centred activation with derivative 1 at 0, or a larger learning rate.",
    )


def _alive_units(dead, activation):
    require(
        sum(dead) <= ALIVE_MAX_DEAD,
        f"{sum(dead)} hidden units ({dead[0]} and {dead[1]} per layer) are flat on every validation image with "
        f"{activation}, more than {ALIVE_MAX_DEAD}. An activation with no flat half-line keeps every unit alive.",
    )
