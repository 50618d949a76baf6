"""Checkers for the exercises of Chapter 7 (weight initialisation).

* ``check_xavier_uniform_bound(fn)``: ``fn(fan_in, fan_out, gain)`` returns Glorot's uniform bound
  ``gain · √(6 / (fan_in + fan_out))``.
* ``check_kaiming_normal_std(fn)``: ``fn(fan_in, nonlinearity)`` returns He's standard deviation
  ``gain / √fan_in`` with the gain of ``"linear"``, ``"sigmoid"``, ``"tanh"`` or ``"relu"``.
* ``check_leaky_relu_gain(fn)``: ``fn(negative_slope)`` returns ``√(2 / (1 + slope²))``.
* ``check_variance_preserving_gain(fn)``: ``fn(f)`` returns the gain ``1 / √E[f(z)²]``, ``z ~ N(0, 1)``, that
  keeps the variance of ``z`` from layer to layer for an activation ``f``, measured (within 2 %).
* ``check_deep_tanh_init(init_fn)``: a 20-layer tanh MLP initialised by the learner's ``init_fn(weight, rng)``
  reaches 60 % validation accuracy on the digits after 400 SGD steps (an open-ended task).

The references are computed here from the chapter's formulas (a fine grid for the Gaussian expectations).
"""

import math

import numpy as np

from nncourse.exercises._checker import call, checker, require

_GAINS = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3, "relu": math.sqrt(2.0)}


def _number(got, what, on):
    """The learner's answer as a finite float, or a hint."""
    yield from require(got is not None, f"{what} returned None (on {on}): did you forget to `return` it?")
    ok = isinstance(got, (int, float, np.integer, np.floating)) and not isinstance(got, bool)
    ok = ok or (isinstance(got, np.ndarray) and got.shape == () and np.issubdtype(got.dtype, np.number))
    yield from require(
        ok and not np.iscomplexobj(got), f"{what} should be one real number, got {type(got).__name__} (on {on})."
    )
    value = float(got)
    yield from require(math.isfinite(value), f"{what} is {value} (on {on}): it should be a finite number.")
    return value


def _near(value, target, rtol=1e-6):
    return math.isclose(value, target, rel_tol=rtol)


def _equal(value, expected, what, on):
    """The final comparison of a number (``_checker.compare`` is for arrays)."""
    yield from require(_near(value, expected), f"{what} is off (on {on}): expected {expected:.6g}, got {value:.6g}.")


# ---------------------------------------------------------------------------------------------------------
# Formulas


@checker
def check_xavier_uniform_bound(fn):
    """``fn(fan_in, fan_out, gain)`` returns the bound b of Glorot's U(-b, b).

    >>> def std_not_bound(fan_in, fan_out, gain):
    ...     return gain * math.sqrt(2 / (fan_in + fan_out))
    >>> result = check_xavier_uniform_bound(std_not_bound)  # doctest: +ELLIPSIS
    \x1b[31m\x1b[1m✘ Not yet:\x1b[0m 0.144338 is the standard deviation gain·√(2/(fan_in+fan_out)) ...
    >>> result.passed
    False
    """
    for fan_in, fan_out, gain in [(64, 32, 1.0), (300, 100, 1.0), (50, 50, 5 / 3), (10, 90, math.sqrt(2))]:
        on = f"fan_in={fan_in}, fan_out={fan_out}, gain={gain:.4g}"
        got = yield from call(fn, fan_in, fan_out, gain, on=on)
        value = yield from _number(got, "the bound", on)
        bound = gain * math.sqrt(6 / (fan_in + fan_out))
        yield from require(
            not _near(value, bound / math.sqrt(3)),
            f"{value:.6g} is the standard deviation gain·√(2/(fan_in+fan_out)) (on {on}); U(-b, b) has standard "
            "deviation b/√3, so the bound is √3 times larger.",
        )
        yield from require(
            not (gain != 1 and _near(value, bound / gain)),
            f"the gain is missing (on {on}): the bound scales with gain.",
        )
        yield from require(
            fan_in == fan_out or not _near(value, gain * math.sqrt(3 / fan_in)),
            f"{value:.6g} uses fan_in only (on {on}): Glorot averages the two fans, 2/(fan_in + fan_out).",
        )
        yield from _equal(value, bound, "the bound", on)
    return "b = gain·√(6/(fan_in + fan_out)), the √3 of the uniform distribution included."


@checker
def check_kaiming_normal_std(fn):
    """``fn(fan_in, nonlinearity)`` returns He's standard deviation gain/√fan_in.

    >>> from nncourse.nn.init import calculate_gain
    >>> result = check_kaiming_normal_std(lambda fan_in, name: calculate_gain(name) / math.sqrt(fan_in))
    \x1b[32m\x1b[1m✔ Correct!\x1b[0m std = gain/√fan_in, with gains 1 (linear, sigmoid), 5/3 (tanh) and √2 (ReLU).
    """
    for fan_in, name in [(100, "relu"), (784, "relu"), (64, "tanh"), (256, "linear"), (20, "sigmoid")]:
        on = f"fan_in={fan_in}, nonlinearity={name!r}"
        got = yield from call(fn, fan_in, name, on=on)
        value = yield from _number(got, "the standard deviation", on)
        gain = _GAINS[name]
        std = gain / math.sqrt(fan_in)
        yield from require(
            not _near(value, std**2), f"{value:.6g} is the variance gain²/fan_in (on {on}); return its square root."
        )
        yield from require(
            not _near(value, math.sqrt(3) * std),
            f"{value:.6g} is the bound of kaiming_uniform_ (on {on}); the normal version's std is √3 times smaller.",
        )
        yield from require(
            gain == 1 or not _near(value, 1 / math.sqrt(fan_in)),
            f"the gain of {name!r} is missing (on {on}): std = gain/√fan_in with gain = {gain:.4g}.",
        )
        yield from require(
            name == "relu" or not _near(value, math.sqrt(2 / fan_in)),
            f"{value:.6g} uses ReLU's gain √2 for {name!r} (on {on}); {name!r} has gain {gain:.4g}.",
        )
        yield from _equal(value, std, "the standard deviation", on)
    return "std = gain/√fan_in, with gains 1 (linear, sigmoid), 5/3 (tanh) and √2 (ReLU)."


@checker
def check_leaky_relu_gain(fn):
    """``fn(negative_slope)`` returns the gain √(2/(1 + slope²)) of a leaky ReLU.

    >>> result = check_leaky_relu_gain(lambda a: math.sqrt(2 / (1 + a**2)))  # doctest: +ELLIPSIS
    \x1b[32m\x1b[1m✔ Correct!\x1b[0m gain = √(2/(1 + a²)): ...
    >>> result.passed
    True
    """
    for slope in (0.0, 0.01, 0.2, 0.5, 1.0):
        on = f"negative_slope={slope}"
        got = yield from call(fn, slope, on=on)
        value = yield from _number(got, "the gain", on)
        gain = math.sqrt(2 / (1 + slope**2))
        yield from require(
            slope == 0 or not _near(value, math.sqrt(2)),
            f"got √2 for every slope (on {on}): the negative half passes a·z, which adds a² to the second moment; "
            "at slope 1 the leaky ReLU is the identity, whose gain is 1.",
        )
        yield from require(
            slope == 1 or not _near(value, gain**2),
            f"{value:.6g} is gain², the factor of the variance (on {on}); the gain multiplies the std: take the root.",
        )
        yield from require(
            slope in (0, 1) or not _near(value, math.sqrt(2 / (1 + slope))),
            f"{value:.6g} uses the slope a, not a² (on {on}): the negative half's square is (a·z)² = a²z².",
        )
        yield from _equal(value, gain, "the gain", on)
    return "gain = √(2/(1 + a²)): √2 at a = 0 (ReLU), 1 at a = 1 (the identity)."


# ---------------------------------------------------------------------------------------------------------
# The gain of any activation, measured


def _second_moment(f):
    """E[f(z)²] for z ~ N(0, 1), on a fine grid (the trapezoid rule; accurate to ~1e-9 even with a kink)."""
    z = np.linspace(-12.0, 12.0, 240_001)
    density = np.exp(-z**2 / 2) / math.sqrt(2 * math.pi)
    return float(np.trapezoid(np.asarray(f(z), dtype=float) ** 2 * density, z))


def _mean_sq_std(f):
    z = np.linspace(-12.0, 12.0, 240_001)
    density = np.exp(-z**2 / 2) / math.sqrt(2 * math.pi)
    values = np.asarray(f(z), dtype=float)
    mean = np.trapezoid(values * density, z)
    return float(np.trapezoid((values - mean) ** 2 * density, z))


def _test_activations():
    from nncourse import functional as F

    return [
        ("relu", F.relu),
        ("tanh", F.tanh),
        ("gelu", F.gelu),
        ("|z|", np.abs),
        ("leaky_relu(slope 0.3)", lambda z: F.leaky_relu(z, 0.3)),
    ]


@checker
def check_variance_preserving_gain(fn):
    """``fn(f)`` returns 1/√E[f(z)²] for z ~ N(0, 1), within 2 %.

    >>> z = np.random.default_rng(0).standard_normal(1_000_000)
    >>> result = check_variance_preserving_gain(lambda f: 1 / np.sqrt(np.mean(f(z) ** 2)))  # doctest: +ELLIPSIS
    \x1b[32m\x1b[1m✔ Correct!\x1b[0m gain = 1/√E[f(z)²]: √2 for ReLU, ...
    """
    for name, f in _test_activations():
        on = f"f = {name}"
        got = yield from call(fn, f, on=on)
        value = yield from _number(got, "the gain", on)
        yield from require(value > 0, f"the gain should be positive, got {value:.6g} (on {on}).")
        moment = _second_moment(f)
        gain = 1 / math.sqrt(moment)

        def close(target, value=value):
            return math.isclose(value, target, rel_tol=0.02)

        yield from require(
            not close(math.sqrt(moment)) or close(gain),
            f"got √E[f(z)²] = {value:.4g} (on {on}): the gain undoes that factor, so it is its inverse.",
        )
        yield from require(
            not close(1 / moment) or close(gain),
            f"got 1/E[f(z)²] = {value:.4g} (on {on}): that is gain², the factor of the variance; take its root.",
        )
        yield from require(
            not close(1 / math.sqrt(_mean_sq_std(f))) or close(gain),
            f"got 1/std(f(z)) = {value:.4g} (on {on}): the next layer sums w·f(z), whose variance is "
            "Var[w]·E[f(z)²]; the mean of f(z) counts too, so use the second moment, not the variance.",
        )
        yield from require(
            close(gain),
            f"the gain for {name} is off: expected {gain:.4g} (within 2 %), got {value:.4g}. "
            "Draw many z ~ N(0, 1) (a million) and return 1/√mean(f(z)²).",
        )
    return "gain = 1/√E[f(z)²]: √2 for ReLU, 1.59 for tanh (PyTorch's 5/3 is a little larger), 1.55 for GELU."


# ---------------------------------------------------------------------------------------------------------
# Open-ended: make a deep tanh network train

_DEPTH, _WIDTH, _STEPS, _LR, _BATCH, _TARGET = 20, 32, 400, 0.05, 32, 0.6


def _train_deep_tanh(init_fn):
    """Train the 20-layer tanh MLP initialised by ``init_fn``; return (activation std per layer, val accuracy)."""
    from nncourse import nn
    from nncourse.data import batches, load_digits
    from nncourse.optim import SGD

    (X, y), (X_val, y_val) = load_digits(return_split=True)
    rng = np.random.default_rng(0)
    model = nn.build_mlp([64] + [_WIDTH] * _DEPTH + [10], "tanh", init=init_fn, rng=rng)
    scales = np.array([a.std() for a in nn.layer_activations(model, X_val)[1:-1]])
    criterion, optimizer = nn.CrossEntropyLoss(), SGD(model.parameters(), lr=_LR)
    step = 0
    while step < _STEPS:
        for X_batch, y_batch in batches(X, y, _BATCH, rng=rng):
            optimizer.zero_grad()
            loss = criterion(model(X_batch), y_batch)
            if not math.isfinite(loss):
                return scales, math.nan
            model.backward(criterion.backward())
            optimizer.step()
            step += 1
            if step == _STEPS:
                break
    accuracy = float(np.mean(model(X_val).argmax(axis=1) == y_val))
    return scales, accuracy


def _initialiser(init_fn):
    """Wrap the learner's init so that its exceptions reach call() and a weight left unfilled is noticed."""

    def init(weight, rng):
        before = weight.data.copy()
        init_fn(weight, rng)
        if not np.all(np.isfinite(weight.data)):
            raise ValueError("the weights contain NaN or infinity")
        if np.array_equal(before, weight.data):
            raise ValueError("the weight was not changed: fill `weight` in place, e.g. nn.init.normal_(weight, ...)")

    return init


@checker
def check_deep_tanh_init(init_fn):
    """A 20-layer tanh MLP initialised by ``init_fn(weight, rng)`` reaches 60 % validation accuracy.

    >>> from nncourse.nn import init
    >>> def too_small(weight, rng):
    ...     init.normal_(weight, 0.0, 0.01, rng=rng)
    >>> result = check_deep_tanh_init(too_small)  # doctest: +ELLIPSIS
    \x1b[31m\x1b[1m✘ Not yet:\x1b[0m validation accuracy 7.8% ...: make the weights larger.
    """
    on = f"a {_DEPTH}-layer tanh MLP of width {_WIDTH}, {_STEPS} SGD steps with lr {_LR}, batches of {_BATCH}"
    yield from require(callable(init_fn), f"expected a function init_fn(weight, rng), got {type(init_fn).__name__}.")
    scales, accuracy = yield from call(_train_deep_tanh, _initialiser(init_fn), on=on)
    first, last = scales[0], scales[-1]
    diagnosis = f"at initialisation the activations' std was {first:.2g} in layer 1 and {last:.2g} in layer {_DEPTH}"
    yield from require(math.isfinite(accuracy), f"training diverged (loss NaN or infinite) on {on}; {diagnosis}.")
    if accuracy < _TARGET:
        if last < 0.05:
            advice = "the signal vanishes with depth: make the weights larger"
        elif last > 0.9:
            advice = "the units saturate at ±1: make the weights smaller"
        else:
            advice = "keep the variance constant through depth: std = gain/√fan_in with tanh's gain"
        yield from require(
            False,
            f"validation accuracy {accuracy:.1%} after training, the target is {_TARGET:.0%} ({on}); "
            f"{diagnosis}: {advice}.",
        )
    return f"validation accuracy {accuracy:.1%} after {_STEPS} steps; {diagnosis}."
