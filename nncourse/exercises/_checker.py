"""The machinery every exercise checker is built from.

A checker takes the learner's function or value, runs it on known inputs, and prints either a short green
pass or a specific hint: what was expected, what was given, on which input. It never raises: exceptions
from the learner's code, ``NotImplementedError`` from an unsolved stub, ``None``, wrong shapes, wrong types
and NaN all become a message. It returns a :class:`CheckResult`, so tests (and nbgrader cells) can assert
on it.

A chapter's checker reads like this::

    @checker
    def check_sigmoid(fn):
        x = np.array([-2.0, 0.0, 3.0])
        got = yield from call(fn, x, on="x = [-2, 0, 3]")
        yield from compare(got, 1 / (1 + np.exp(-x)), what="sigmoid(x)", on="x = [-2, 0, 3]")
        return "sigmoid matches on ordinary inputs."

Each ``yield from`` step either hands back a value or stops the check with a hint.
"""

import functools

import numpy as np

GREEN, RED, BOLD, RESET = "\033[32m", "\033[31m", "\033[1m", "\033[0m"


class CheckResult:
    """The outcome of a check: ``passed`` (also the truth value) and the ``message`` that was printed."""

    def __init__(self, passed, message):
        self.passed = bool(passed)
        self.message = message

    def __bool__(self):
        return self.passed

    def __repr__(self):
        return f"CheckResult(passed={self.passed}, message={self.message!r})"

    def _ipython_display_(self):
        # The checker has already printed its message; showing the result object again would repeat it.
        pass


class _Hint(Exception):
    """Internal: stops a check with a hint for the learner."""


def call(fn, *args, on, **kwargs):
    """Call the learner's ``fn(*args, **kwargs)``; ``on`` says in words what the input was."""
    if not callable(fn):
        raise _Hint(f"expected a function, got {_describe(fn)}.")
    args = tuple(np.copy(a) if isinstance(a, np.ndarray) else a for a in args)
    try:
        value = fn(*args, **kwargs)
    except NotImplementedError:
        raise _Hint("not implemented yet: replace `raise NotImplementedError()` with your code.") from None
    except Exception as exc:  # the learner's code may raise anything; turn it into a hint
        raise _Hint(f"your code raised {type(exc).__name__}: {exc} (on {on}).") from None
    return value
    yield  # makes this a generator, so that checkers can write `yield from call(...)`


def value_of(value):
    """Check a value the learner set in a solution cell (rather than a function they wrote)."""
    if value is None:
        raise _Hint("got None: did you forget to `return` the result?")
    return value
    yield


def compare(got, expected, *, what, on, rtol=1e-6, atol=1e-8):
    """Compare the learner's array or number ``got`` with ``expected``: type, shape, NaN, then values."""
    if got is None:
        raise _Hint(f"{what} returned None (on {on}): did you forget to `return` the result?")
    try:
        got_arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise _Hint(f"{what} should be a number or an array of numbers, got {_describe(got)} (on {on}).") from None
    expected = np.asarray(expected, dtype=float)
    if got_arr.shape != expected.shape:
        raise _Hint(f"{what} should have shape {expected.shape}, got shape {got_arr.shape} (on {on}).")
    if np.any(~np.isfinite(got_arr) & np.isfinite(expected)):
        bad = np.argwhere(~np.isfinite(got_arr) & np.isfinite(expected))[0]
        where = f" at index {tuple(int(i) for i in bad)}" if got_arr.ndim else ""
        raise _Hint(
            f"{what} contains NaN or infinity{where} (on {on}): look for an overflow, "
            "a 0/0 or a log of 0."
        )
    if not np.allclose(got_arr, expected, rtol=rtol, atol=atol, equal_nan=True):
        diff = np.abs(got_arr - expected)
        diff[np.isnan(diff)] = 0.0
        idx = np.unravel_index(int(np.argmax(diff)), diff.shape) if got_arr.ndim else ()
        at = f" at index {tuple(int(i) for i in idx)}" if idx else ""
        raise _Hint(
            f"{what} is off (on {on}){at}: expected {_fmt(expected[idx])}, got {_fmt(got_arr[idx])}."
        )
    return got_arr
    yield


def require(condition, hint):
    """Stop the check with ``hint`` unless ``condition`` holds."""
    if not condition:
        raise _Hint(hint)
    return None
    yield


def checker(check):
    """Turn a generator-based check (see the module docstring) into a checker that prints and never raises."""

    @functools.wraps(check)
    def run(*args, **kwargs):
        gen = check(*args, **kwargs)
        try:
            while True:
                next(gen)
        except StopIteration as done:
            return _report(True, done.value or "all checks passed.")
        except _Hint as hint:
            return _report(False, str(hint))
        except Exception as exc:  # a checker must never show a traceback to a learner
            return _report(False, f"could not check your answer: {type(exc).__name__}: {exc}")

    return run


def _report(passed, message):
    if passed:
        text = f"{GREEN}{BOLD}✔ Correct!{RESET} {message}"
    else:
        text = f"{RED}{BOLD}✘ Not yet:{RESET} {message}"
    print(text)
    return CheckResult(passed, message)


def _describe(x):
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape}"
    return f"{type(x).__name__} {x!r}"[:120]


def _fmt(x):
    x = np.asarray(x)
    if x.ndim == 0:
        return f"{float(x):.6g}"
    return np.array2string(x, precision=6, suppress_small=True)
