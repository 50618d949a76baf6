"""Checkers for the exercises of Chapter 7 (weight initialisation).

* ``check_xavier_uniform_bound(fn)``: ``fn(fan_in, fan_out, gain)`` returns Glorot's uniform bound
  ``gain · √(6 / (fan_in + fan_out))``.
* ``check_kaiming_normal_std(fn)``: ``fn(fan_in, nonlinearity)`` returns He's standard deviation
  ``gain / √fan_in`` with the gain of ``"linear"``, ``"sigmoid"``, ``"tanh"`` or ``"relu"``.
* ``check_leaky_relu_gain(fn)``: ``fn(negative_slope)`` returns ``√(2 / (1 + slope²))``.
* ``check_variance_preserving_gain(fn)``: ``fn(f)`` returns the gain ``1 / √E[f(z)²]``, ``z ~ N(0, 1)``, that
  keeps the variance of ``z`` from layer to layer for an activation ``f``, measured (within 2 %).
* ``check_deep_tanh_init(init_fn)``: a 20-layer tanh MLP whose weights the learner's ``init_fn(weight, rng)``
  fills reaches 60 % validation accuracy on the digits after 400 SGD steps (an open-ended task).

The references are the chapter's formulas, :func:`nncourse.nn.init.calculate_gain` (tested against PyTorch)
and, for Gaussian expectations, a fine grid. Each checker takes ``extra_cases``: more argument tuples for the
learner's function (an instructor's hidden tests; for ``check_deep_tanh_init``, more seeds), scored like the
built-in ones.
"""

import math

import numpy as np

from nncourse.exercises._checker import (
    Exercise,
    Hint,
    attempt,
    call,
    compare,
    diagnose,
    extra,
    grade,
    numbers,
    one_number,
    require,
)
from nncourse.nn.init import calculate_gain

XAVIER_BOUND = Exercise(7, "ch07-xavier-bound-check", "The Xavier uniform bound", 2, "check_xavier_uniform_bound")
KAIMING_STD = Exercise(7, "ch07-kaiming-std-check", "The Kaiming normal standard deviation", 2,
                       "check_kaiming_normal_std")
LEAKY_GAIN = Exercise(7, "ch07-leaky-gain-check", "The gain of leaky ReLU, derived", 2, "check_leaky_relu_gain")
MEASURED_GAIN = Exercise(7, "ch07-measured-gain-check", "The gain of any activation, measured", 3,
                         "check_variance_preserving_gain")
DEEP_TANH = Exercise(7, "ch07-deep-tanh-check", "Make a 20-layer tanh network train", 4, "check_deep_tanh_init")
EXERCISES = (XAVIER_BOUND, KAIMING_STD, LEAKY_GAIN, MEASURED_GAIN, DEEP_TANH)


# ---------------------------------------------------------------------------------------------------------
def _xavier_bound(fan_in, fan_out, gain):
    return gain * math.sqrt(6 / (fan_in + fan_out))


def check_xavier_uniform_bound(fn, extra_cases=()):
    """``fn(fan_in, fan_out, gain)`` returns the bound b of Glorot's U(-b, b), variance gain²·2/(fan_in + fan_out).

    >>> check_xavier_uniform_bound(lambda fan_in, fan_out, gain: gain * math.sqrt(6 / (fan_in + fan_out))).passed
    True
    >>> check_xavier_uniform_bound(lambda fan_in, fan_out, gain: gain * math.sqrt(2 / (fan_in + fan_out))).message
    'got 0.144338, the standard deviation gain·√(2/(fan_in + fan_out)) (on fan_in=64, fan_out=32, gain=1); U(-b, b) has standard deviation b/√3, so the bound is √3 times larger.'
    """  # noqa: E501
    cases = [
        (f"fan_in={fan_in}, fan_out={fan_out}, gain={gain:.4g}", (fan_in, fan_out, gain))
        for fan_in, fan_out, gain in [(64, 32, 1.0), (300, 100, 1.0), (50, 50, 5 / 3), (10, 90, math.sqrt(2))]
    ] + extra(extra_cases, _xavier_bound, "check_xavier_uniform_bound")
    outcomes = [attempt(_xavier_case, fn, *args, on=on) for on, args in cases]
    return grade(XAVIER_BOUND, outcomes,
                 "b = gain·√(6/(fan_in + fan_out)), the √3 of the uniform distribution included.")


def _xavier_case(fn, fan_in, fan_out, gain, *, on):
    got = one_number(call(fn, fan_in, fan_out, gain, on=on), "the bound", on)
    bound = _xavier_bound(fan_in, fan_out, gain)
    diagnose(got, bound, [
        (bound / math.sqrt(3), f"got {got:.6g}, the standard deviation gain·√(2/(fan_in + fan_out)) (on {on}); "
                               "U(-b, b) has standard deviation b/√3, so the bound is √3 times larger."),
        (bound / gain, f"the gain is missing (on {on}): the bound scales with gain."),
        (gain * math.sqrt(3 / fan_in),
         f"got {got:.6g}, which uses fan_in only (on {on}): Glorot averages the two fans, 2/(fan_in + fan_out)."),
    ])
    compare(got, bound, what="the bound", on=on)


# ---------------------------------------------------------------------------------------------------------
def _kaiming_std(fan_in, nonlinearity):
    return calculate_gain(nonlinearity) / math.sqrt(fan_in)


def check_kaiming_normal_std(fn, extra_cases=()):
    """``fn(fan_in, nonlinearity)`` returns He's standard deviation gain/√fan_in (``mode="fan_in"``).

    >>> check_kaiming_normal_std(lambda fan_in, name: calculate_gain(name) / math.sqrt(fan_in)).passed
    True
    """
    cases = [
        (f"fan_in={fan_in}, nonlinearity={name!r}", (fan_in, name))
        for fan_in, name in [(100, "relu"), (784, "relu"), (64, "tanh"), (256, "linear"), (20, "sigmoid")]
    ] + extra(extra_cases, _kaiming_std, "check_kaiming_normal_std")
    outcomes = [attempt(_kaiming_case, fn, *args, on=on) for on, args in cases]
    return grade(KAIMING_STD, outcomes, "std = gain/√fan_in, with gains 1 (linear, sigmoid), 5/3 (tanh) and √2 (ReLU).")


def _kaiming_case(fn, fan_in, name, *, on):
    got = one_number(call(fn, fan_in, name, on=on), "the standard deviation", on)
    gain = calculate_gain(name)
    std = gain / math.sqrt(fan_in)
    diagnose(got, std, [
        (std**2, f"got {got:.6g}, the variance gain²/fan_in (on {on}); return its square root."),
        (math.sqrt(3) * std,
         f"got {got:.6g}, the bound of kaiming_uniform_ (on {on}); the normal version's std is √3 times smaller."),
        (1 / math.sqrt(fan_in), f"the gain of {name!r} is missing (on {on}): std = gain/√fan_in, gain = {gain:.4g}."),
        (math.sqrt(2 / fan_in), f"got {got:.6g}, ReLU's gain √2 used for {name!r} (on {on}); {name!r} has gain "
                                f"{gain:.4g}."),
    ])
    compare(got, std, what="the standard deviation", on=on)


# ---------------------------------------------------------------------------------------------------------
def _leaky_gain(negative_slope):
    return math.sqrt(2 / (1 + negative_slope**2))


def check_leaky_relu_gain(fn, extra_cases=()):
    """``fn(negative_slope)`` returns the gain √(2/(1 + slope²)) of a leaky ReLU.

    >>> check_leaky_relu_gain(lambda a: math.sqrt(2 / (1 + a**2))).passed
    True
    >>> check_leaky_relu_gain(lambda a: 2 / (1 + a**2)).message[:40]
    'got 2, which is gain², the factor of the'
    """
    cases = [(f"negative_slope={slope}", (slope,)) for slope in (0.0, 0.01, 0.2, 0.5, 1.0)]
    cases += extra(extra_cases, _leaky_gain, "check_leaky_relu_gain")
    outcomes = [attempt(_leaky_case, fn, *args, on=on) for on, args in cases]
    return grade(LEAKY_GAIN, outcomes, "gain = √(2/(1 + a²)): √2 at a = 0 (ReLU), 1 at a = 1 (the identity).")


def _leaky_case(fn, slope, *, on):
    got = one_number(call(fn, slope, on=on), "the gain", on)
    gain = _leaky_gain(slope)
    diagnose(got, gain, [
        (math.sqrt(2), f"got √2, whatever the slope (on {on}): the negative half passes a·z, which adds a² to the "
                       "second moment; at slope 1 the leaky ReLU is the identity, whose gain is 1."),
        (gain**2, f"got {got:.6g}, which is gain², the factor of the variance (on {on}); the gain multiplies the "
                  "standard deviation: take the square root."),
        (math.sqrt(2 / (1 + slope)),
         f"got {got:.6g}, which uses the slope a, not a² (on {on}): the negative half's square is (a·z)² = a²z²."),
    ])
    compare(got, gain, what="the gain", on=on)


# ---------------------------------------------------------------------------------------------------------
_GRID = np.linspace(-12.0, 12.0, 240_001)
_DENSITY = np.exp(-_GRID**2 / 2) / math.sqrt(2 * math.pi)


def _moments(f):
    """(E[f(z)], E[f(z)²]) for z ~ N(0, 1), by the trapezoid rule on a fine grid (accurate even with a kink)."""
    values = np.asarray(f(_GRID), dtype=float)
    return float(np.trapezoid(values * _DENSITY, _GRID)), float(np.trapezoid(values**2 * _DENSITY, _GRID))


def _variance_preserving_gain(f):
    return 1 / math.sqrt(_moments(f)[1])


def _test_activations():
    from nncourse import functional as F

    return [
        ("f = relu", (F.relu,)),
        ("f = tanh", (F.tanh,)),
        ("f = gelu", (F.gelu,)),
        ("f = abs", (np.abs,)),
        ("f = leaky_relu with slope 0.3", (lambda z: F.leaky_relu(z, 0.3),)),
    ]


def check_variance_preserving_gain(fn, extra_cases=()):
    """``fn(f)`` returns 1/√E[f(z)²] for z ~ N(0, 1), within 2 %.

    >>> z = np.random.default_rng(0).standard_normal(1_000_000)
    >>> check_variance_preserving_gain(lambda f: 1 / np.sqrt(np.mean(f(z) ** 2))).passed
    True
    """
    cases = _test_activations() + extra(extra_cases, _variance_preserving_gain, "check_variance_preserving_gain")
    outcomes = [attempt(_gain_case, fn, *args, on=on) for on, args in cases]
    return grade(MEASURED_GAIN, outcomes,
                 "gain = 1/√E[f(z)²]: √2 for ReLU, 1.59 for tanh (PyTorch's 5/3 is a little larger), 1.55 for GELU.")


def _gain_case(fn, f, *, on):
    got = one_number(call(fn, f, on=on), "the gain", on)
    require(math.isfinite(got) and got > 0, f"the gain should be a positive number, got {got:.6g} (on {on}).")
    mean, second = _moments(f)
    gain = 1 / math.sqrt(second)

    def near(value):
        return math.isclose(got, value, rel_tol=0.02) and not math.isclose(gain, value, rel_tol=0.04)

    require(not near(math.sqrt(second)),
            f"got √E[f(z)²] = {got:.4g} (on {on}): the gain undoes that factor, so it is its inverse.")
    require(not near(1 / second),
            f"got 1/E[f(z)²] = {got:.4g} (on {on}): that is gain², the factor of the variance; take its root.")
    require(not near(1 / math.sqrt(second - mean**2)),
            f"got 1/std(f(z)) = {got:.4g} (on {on}): the next layer sums w·f(z), whose variance is "
            "Var[w]·E[f(z)²]; the mean of f(z) counts too, so use the second moment, not the variance.")
    require(math.isclose(got, gain, rel_tol=0.02),
            f"the gain is off (on {on}): expected {gain:.4g} (within 2 %), got {got:.4g}. Draw many z ~ N(0, 1) "
            "(a million) and return 1/√mean(f(z)²).")


# ---------------------------------------------------------------------------------------------------------
_DEPTH, _WIDTH, _STEPS, _LR, _BATCH, _TARGET = 20, 32, 400, 0.05, 32, 0.6


def _seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"a seed must be a non-negative integer, got {seed!r}")


def check_deep_tanh_init(init_fn, extra_cases=()):
    """``init_fn(weight, rng)`` fills one weight in place; the 20-layer tanh MLP it initialises (biases zero)
    must reach 60 % validation accuracy on the digits after 400 SGD steps (lr 0.05, batches of 32). The
    built-in case uses seed 0; ``extra_cases`` are more seeds, ``[(1,), (2,)]``.

    >>> from nncourse.nn import init
    >>> result = check_deep_tanh_init(lambda weight, rng: init.normal_(weight, 0.0, 0.01, rng=rng))
    >>> result.passed, result.message[-66:]
    (False, 'layer 20: the signal vanishes with depth: make the weights larger.')
    """
    cases = [("seed 0", (0,))] + extra(extra_cases, _seed, "check_deep_tanh_init")
    outcomes = [attempt(_deep_tanh_case, init_fn, *args, on=on) for on, args in cases]
    return grade(DEEP_TANH, outcomes, f"the {_DEPTH}-layer tanh network trains from your initialisation.")


def _initialised(init_fn, seed, on):
    """The MLP with every weight filled by the learner's ``init_fn`` (biases zero), as ``build_mlp(init=...)``."""
    from nncourse import nn

    rng = np.random.default_rng(seed)
    model = nn.build_mlp([64] + [_WIDTH] * _DEPTH + [10], "tanh", rng=rng)
    for layer in (m for m in model if isinstance(m, nn.Linear)):
        weight, before = layer.weight, layer.weight.data.copy()
        returned = call(init_fn, weight, rng, on=on, copy_args=False)
        if returned is not None and returned is not weight and returned is not weight.data:
            value = numbers(returned, "what your function returns", on)
            require(value.shape == weight.data.shape and np.array_equal(value, weight.data),
                    f"your function returns something other than the weight it fills (on {on}): fill `weight` in "
                    "place and return nothing (or the weight, as nn.init's functions do).")
        require(np.all(np.isfinite(weight.data)), f"the weights contain NaN or infinity (on {on}).")
        require(not np.array_equal(before, weight.data),
                f"the weight was not changed (on {on}): fill `weight` in place, e.g. init.normal_(weight, ...).")
        require(not np.all(weight.data == weight.data[0]),
                f"every unit of a layer starts with the same weights (on {on}): they would stay equal forever "
                "(symmetry); draw the weights at random.")
        nn.init.zeros_(layer.bias)
    return model


def _deep_tanh_case(init_fn, seed, *, on):
    from nncourse import nn
    from nncourse.data import batches, load_digits
    from nncourse.optim import SGD

    where = f"{on}: a {_DEPTH}-layer tanh MLP of width {_WIDTH}, {_STEPS} SGD steps with lr {_LR}"
    model = _initialised(init_fn, seed, where)
    (X, y), (X_val, y_val) = load_digits(return_split=True)
    try:
        with np.errstate(all="ignore"):
            scales = [a.std() for a in nn.layer_activations(model, X_val)[1:-1]]
    except ValueError:  # an activation refusing an infinite input
        raise Hint(f"the forward pass overflows at initialisation ({where}): make the weights smaller.") from None
    diagnosis = (f"at initialisation the activations' std was {scales[0]:.2g} in layer 1 and {scales[-1]:.2g} "
                 f"in layer {_DEPTH}")
    rng = np.random.default_rng(seed)
    criterion, optimizer = nn.CrossEntropyLoss(), SGD(model.parameters(), lr=_LR)
    step = 0
    try:
        with np.errstate(all="ignore"):  # an overflow shows as a non-finite loss, detected here
            while step < _STEPS:
                for X_batch, y_batch in batches(X, y, _BATCH, rng=rng):
                    optimizer.zero_grad()
                    loss = criterion(model(X_batch), y_batch)
                    if not math.isfinite(loss):
                        raise FloatingPointError(loss)
                    model.backward(criterion.backward())
                    optimizer.step()
                    step += 1
                    if step == _STEPS:
                        break
    except (ValueError, FloatingPointError):  # a non-finite loss, or an activation refusing infinite input
        raise Hint(f"training diverged (the loss became NaN or infinite) on {where}; {diagnosis}.") from None
    accuracy = float(np.mean(model(X_val).argmax(axis=1) == y_val))
    if accuracy < _TARGET:
        if scales[-1] < 0.05:
            advice = "the signal vanishes with depth: make the weights larger"
        elif scales[-1] > 0.9:
            advice = "the units saturate at ±1: make the weights smaller"
        else:
            advice = "keep the variance constant through depth: std = gain/√fan_in with tanh's gain"
        raise Hint(f"validation accuracy {accuracy:.1%}, the target is {_TARGET:.0%} ({where}); {diagnosis}: {advice}.")
