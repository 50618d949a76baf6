"""The machinery every exercise checker is built from: plain functions, one set of helpers for all chapters.

A checker runs the learner's code on a few *cases* (known inputs whose right answer comes from ``nncourse``
itself) and returns a :class:`CheckResult`: passed or not, the points earned (in proportion to the cases
that pass) and one message, a short pass or a specific hint (what was expected, what was given, on which
input). It never raises for anything the learner wrote: exceptions, ``sys.exit()``, ``NotImplementedError``
from an unsolved stub, warnings, ``None``, wrong shapes and types, complex numbers and NaN all become a hint.

A chapter's checker reads like this::

    SIGMOID = Exercise(2, "ch02-sigmoid-check", "A sigmoid", points=2, checker="check_sigmoid")

    def check_sigmoid(fn, extra_cases=()):
        cases = [("x = [-2, 0, 3]", (np.array([-2.0, 0.0, 3.0]),))]
        cases += extra(extra_cases, F.sigmoid, "check_sigmoid")  # an instructor's hidden cases
        outcomes = [attempt(_sigmoid_case, fn, *args, on=on) for on, args in cases]
        return grade(SIGMOID, outcomes, "sigmoid matches.")

    def _sigmoid_case(fn, x, *, on):
        got = call(fn, x, on=on)                       # raises Hint when the learner's code fails
        compare(got, F.sigmoid(x), what="sigmoid(x)", on=on)

A case function raises :class:`Hint` to fail; :func:`attempt` turns that into the case's outcome (``None``
for a pass, the hint otherwise), and :func:`grade` turns the outcomes into points.

In a notebook the result shows as a green pass or a red hint. Under ``nbgrader autograde`` (nbgrader sets
``NBGRADER_EXECUTION``) its plain-text form is the number of points earned, which nbgrader takes as the
grade cell's partial credit (``nbgrader.utils.determine_grade``: a float from the ``execute_result``'s
``text/plain``, between 0 and the cell's points). Under ``nbgrader validate`` a failing check also writes
its hint to stderr, which is what validate reports for a failed cell.
"""

import contextlib
import copy
import html
import os
import sys
import textwrap
import warnings
from dataclasses import dataclass

import numpy as np

PASS_COLOUR, FAIL_COLOUR = "#1b7837", "#b2182b"


@dataclass(frozen=True)
class Exercise:
    """One graded exercise: its chapter, the ``grade_id`` of its nbgrader grade cell, title, points, checker.

    >>> Exercise(1, "ch01-predict-check", "Prediction", 2, "check_predict").points
    2
    """

    chapter: int
    grade_id: str
    title: str
    points: int
    checker: str


class Hint(Exception):
    """A case failed; the message tells the learner what was expected, what was given and on which input.

    >>> attempt(require, False, "expected 1, got 2 (on x = 0).")
    'expected 1, got 2 (on x = 0).'
    """


class CheckResult:
    """The outcome of a check: ``passed`` (also its truth value), ``score`` of ``points``, and ``message``.

    ``hints`` holds one hint per failed case; ``message`` is the success text or the first hint.

    >>> result = grade(Exercise(0, "demo", "Demo", 3, "check_demo"), [None, "off by one (on x = 2)."], "ok")
    >>> result.passed, result.score, result.message
    (False, 1.5, 'off by one (on x = 2).')
    >>> print(result.text)
    ✘ Not yet (1.5 of 3 points: 1 of 2 cases pass): off by one (on x = 2).
    """

    def __init__(self, exercise, outcomes, success):
        if not outcomes:
            raise ValueError(f"{exercise.checker}: a check needs at least one case")
        self.exercise = exercise
        self.hints = [outcome for outcome in outcomes if outcome is not None]
        self.n_cases = len(outcomes)
        self.n_passed = self.n_cases - len(self.hints)
        self.passed = not self.hints
        self.points = exercise.points
        self.score = self.points * self.n_passed / self.n_cases
        self.message = success if self.passed else self.hints[0]

    def __bool__(self):
        return self.passed

    @property
    def text(self):
        """The message as one line of plain text, with the points earned."""
        mark, summary = self._headline()
        return f"{mark} ({summary}){':' if not self.passed else ''} {self.message}"

    def _headline(self):
        earned = f"{_points(self.score)} of {self.points} point{'' if self.points == 1 else 's'}"
        if self.passed:
            return "✔ Correct!", earned
        return "✘ Not yet", f"{earned}: {self.n_passed} of {self.n_cases} cases pass"

    def __repr__(self):
        return (
            f"CheckResult(passed={self.passed}, score={self.score!r}, points={self.points}, "
            f"message={self.message!r})"
        )

    def _repr_pretty_(self, printer, cycle):
        # Under nbgrader this text is the grade cell's value: the points earned, read as partial credit.
        printer.text(repr(float(self.score)) if nbgrader_execution() else self.text)

    def _repr_html_(self):
        mark, summary = self._headline()
        colour = PASS_COLOUR if self.passed else FAIL_COLOUR
        return (
            f'<div class="nncourse-check"><span style="color: {colour}; font-weight: bold">{mark}</span> '
            f"({html.escape(summary)}){'' if self.passed else ':'} {html.escape(self.message)}</div>"
        )


def nbgrader_execution():
    """``"autograde"`` or ``"validate"`` while nbgrader runs the notebook, else ``""`` (a normal session).

    >>> nbgrader_execution() in ("", "autograde", "validate")
    True
    """
    return os.environ.get("NBGRADER_EXECUTION", "")


def grade(exercise, outcomes, success):
    """The :class:`CheckResult` of ``exercise`` from its cases' outcomes (``None`` for a pass, else a hint).

    Under ``nbgrader validate`` a failed check also writes its text to stderr (wrapped to 80 columns), which
    validate reports.

    >>> grade(Exercise(0, "demo", "Demo", 2, "check_demo"), [None, None], "all good.").score
    2.0
    """
    result = CheckResult(exercise, outcomes, success)
    if nbgrader_execution() == "validate" and not result.passed:
        # validate cuts its report's lines at 90 characters (with a 4-space indent): wrap, so nothing is lost
        print(textwrap.fill(result.text, width=80), file=sys.stderr)
    return result


def attempt(case, *args, **kwargs):
    """Run one case, ``case(*args, **kwargs)``: ``None`` when it passes, else its hint (a string).

    A failure of the checker's own code on an odd answer becomes a hint too: the learner never sees a
    traceback.

    >>> attempt(require, True, "never shown") is None
    True
    """
    try:
        case(*args, **kwargs)
    except Hint as hint:
        return str(hint)
    except Exception as exc:  # an answer odd enough to break the comparison itself
        on = kwargs.get("on", "one of the cases")
        return f"could not check your answer (on {on}): {type(exc).__name__}: {exc}"
    return None


def extra(extra_cases, reference, checker):
    """The ``(description, args)`` of an instructor's extra cases (e.g. hidden tests), checked up front.

    ``extra_cases`` is a sequence of argument tuples for the learner's function; ``reference(*args)`` must
    accept each one, so that a malformed case is the instructor's ``ValueError`` rather than a learner's
    lost point.

    >>> extra([(1.0,), (2.0,)], np.sqrt, "check_sqrt")
    [('extra case 1', (1.0,)), ('extra case 2', (2.0,))]
    """
    if isinstance(extra_cases, (str, bytes)) or not isinstance(extra_cases, (list, tuple)):
        raise ValueError(f"{checker}: extra_cases must be a list of argument tuples, got {_describe(extra_cases)}")
    cases = []
    for number, args in enumerate(extra_cases, start=1):
        if not isinstance(args, tuple):
            raise ValueError(f"{checker}: extra case {number} must be a tuple of arguments, got {_describe(args)}")
        try:
            reference(*args)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            raise ValueError(f"{checker}: extra case {number} is not a valid case: {reason}") from exc
        cases.append((f"extra case {number}", args))
    return cases


def require(condition, hint):
    """Fail the case with ``hint`` unless ``condition`` holds.

    >>> attempt(require, 1 + 1 == 3, "1 + 1 is 2.")
    '1 + 1 is 2.'
    """
    if not condition:
        raise Hint(hint)


def call(fn, *args, on, copy_args=True, unchanged=None, warning_hint=None):
    """Call the learner's ``fn(*args)`` and return its value; ``on`` says in words what the input was.

    The arguments are deep copies (unless ``copy_args=False``), so that code that changes its input in place
    can neither spoil the checker's data nor pass by accident. ``unchanged`` maps argument positions to
    names that the task says must be left alone: a change to one of them fails the case. What the code
    prints to stderr goes to stdout, and its warnings are caught: a ``RuntimeWarning`` (an overflow, a 0/0)
    fails the case with ``warning_hint`` or a general hint. ``sys.exit()`` and every exception fail it too.

    >>> call(np.sqrt, 4.0, on="x = 4")
    np.float64(2.0)
    >>> attempt(call, lambda x: x.missing, 4.0, on="x = 4")
    "your code raised AttributeError: 'float' object has no attribute 'missing' (on x = 4)."
    """
    if not callable(fn):
        raise Hint(f"expected a function, got {_describe(fn)}.")
    given = copy.deepcopy(args) if copy_args else args
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stderr(sys.stdout):
        warnings.simplefilter("always")
        try:
            value = fn(*given)
        except NotImplementedError:
            raise Hint("not implemented yet: replace `raise NotImplementedError()` with your code.") from None
        except SystemExit:
            raise Hint(f"your code called sys.exit() (on {on}): return the result instead.") from None
        except Exception as exc:  # the learner's code may raise anything; turn it into a hint
            raise Hint(f"your code raised {type(exc).__name__}: {exc} (on {on}).") from None
    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    if runtime:
        message = str(runtime[0].message)
        advice = warning_hint or "look for an overflow (exp of a large number), a 0/0 or a log of 0."
        raise Hint(f"NumPy warned '{message}' (on {on}): {advice}")
    for position, name in (unchanged or {}).items():
        if not _same(given[position], args[position]):
            raise Hint(
                f"your code changed {name} in place (on {on}): the task asks to leave it alone; "
                f"compute a new array (e.g. `{name} + step`, not `{name} += step`)."
            )
    return value


def numbers(value, what, on, *, shape=None):
    """The learner's ``value`` as a float64 array; fails the case for None, non-numbers, complex, bad shape.

    >>> numbers([1, 2], "the output", "x = 0")
    array([1., 2.])
    >>> attempt(numbers, np.array([1 + 2j]), "the output", on="x = 0")[:41]
    'the output is complex (dtype complex128) '
    """
    if value is None:
        raise Hint(f"{what} is None (on {on}): did you forget to `return` the result?")
    try:
        arr = np.asarray(value)
    except Exception:  # e.g. a ragged list
        arr = np.asarray(None)
    if arr.dtype.kind == "c":
        raise Hint(
            f"{what} is complex (dtype {arr.dtype}) (on {on}): the answer is real; "
            "look for np.sqrt of a negative number or a stray 1j."
        )
    if arr.dtype.kind not in "biuf":
        raise Hint(f"{what} should be a number or an array of numbers, got {_describe(value)} (on {on}).")
    arr = arr.astype(np.float64)
    if shape is not None and arr.shape != tuple(shape):
        raise Hint(f"{what} should have shape {tuple(shape)}, got shape {arr.shape} (on {on}).")
    return arr


def one_number(value, what, on):
    """The learner's ``value`` as one float: a Python or NumPy number, or a 0-d array.

    >>> one_number(np.array(2.5), "the bound", "x = 0")
    2.5
    """
    arr = numbers(value, what, on)
    if arr.ndim != 0:
        raise Hint(f"{what} should be one number, got an array of shape {arr.shape} (on {on}).")
    return float(arr)


def whole_number(value, what, on):
    """The learner's ``value`` as an int: any integer type, a 0-d array, or a float with no fractional part.

    >>> whole_number(np.array(13), "the count", "sizes = [2, 3, 1]")
    13
    """
    if isinstance(value, (bool, np.bool_)):
        raise Hint(f"{what} should be a whole number, got {_describe(value)} (on {on}).")
    number = one_number(value, what, on)
    if not (np.isfinite(number) and number == int(number)):
        raise Hint(f"{what} should be a whole number, got {number:g} (on {on}).")
    return int(number)


def items(value, names, on):
    """The learner's tuple (or list) ``value`` of ``len(names)`` items, e.g. ``(new_weight, new_bias)``.

    >>> items((1, 2), ("weight", "bias"), "x = 0")
    (1, 2)
    """
    wanted = "(" + ", ".join(names) + ")"
    if value is None:
        raise Hint(f"got None (on {on}): did you forget to `return` {wanted}?")
    if not isinstance(value, (tuple, list)):
        raise Hint(f"return a tuple {wanted}, got {_describe(value)} (on {on}).")
    if len(value) != len(names):
        raise Hint(f"return a tuple {wanted}, got {type(value).__name__} of length {len(value)} (on {on}).")
    return tuple(value)


def compare(got, expected, *, what, on, rtol=1e-6, atol=1e-8):
    """Compare the learner's ``got`` with ``expected``: numbers, shape, NaN or infinity, then the values.

    ``atol=0`` makes the comparison purely relative (for tiny but representable numbers).

    >>> attempt(compare, 2.5, 2.0, what="the bound", on="x = 0")
    'the bound is off (on x = 0): expected 2, got 2.5.'
    """
    got = numbers(got, what, on)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        raise Hint(f"{what} should have shape {expected.shape}, got shape {got.shape} (on {on}).")
    bad = ~np.isfinite(got) & np.isfinite(expected)
    if np.any(bad):
        at = _at(np.argwhere(bad)[0]) if got.ndim else ""
        raise Hint(f"{what} contains NaN or infinity{at} (on {on}): look for an overflow, a 0/0 or a log of 0.")
    if not np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True):
        diff = np.where(np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True), 0.0, np.abs(got - expected))
        index = np.unravel_index(int(np.argmax(np.nan_to_num(diff, nan=np.inf))), diff.shape)
        at = _at(index) if got.ndim else ""
        raise Hint(f"{what} is off (on {on}){at}: expected {_fmt(expected[index])}, got {_fmt(got[index])}.")
    return got


def mistake(got, expected, wrong, hint):
    """Fail with ``hint`` when ``got`` equals a typical wrong answer ``wrong`` (and ``wrong`` is not right).

    >>> attempt(mistake, np.array([1.0, 2.0]), np.array([1.0, 3.0]), np.array([1.0, 2.0]), "forgot the bias.")
    'forgot the bias.'
    """
    if _close(got, wrong) and not _close(expected, wrong):
        raise Hint(hint)


def diagnose(got, expected, mistakes):
    """Fail with the hint of the one typical mistake ``got`` equals; nothing when none or several match.

    ``mistakes`` is a list of ``(wrong_answer, hint)``. Several matches mean this case cannot tell them
    apart, so no diagnosis is given (the plain "expected, got" comparison follows).

    >>> diagnose(6, 9, [(6, "only the weights."), (6, "dropped the last layer.")]) is None
    True
    """
    hints = [hint for wrong, hint in mistakes if _close(got, wrong) and not _close(expected, wrong)]
    if len(hints) == 1:
        raise Hint(hints[0])


def _close(a, b, rtol=1e-6, atol=1e-8):
    try:
        a, b = np.asarray(a), np.asarray(b)
        if a.dtype.kind not in "biuf" or b.dtype.kind not in "biuf" or a.shape != b.shape:
            return False
        return bool(np.allclose(a, b, rtol=rtol, atol=atol))
    except Exception:  # an odd learner value cannot equal a known mistake
        return False


def _same(a, b):
    """Whether the learner's copy ``a`` of an argument still equals the original ``b``."""
    if isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
    if isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    try:
        return bool(a == b)
    except Exception:  # a value without a plain equality (e.g. an array replacing a number)
        return False


def _describe(x):
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    return f"{type(x).__name__} {x!r}"[:120]


def _at(index):
    return f" at index {tuple(int(i) for i in index)}"


def _fmt(x):
    x = np.asarray(x)
    if x.ndim == 0:
        return f"{float(x):.6g}"
    return np.array2string(x, precision=6, suppress_small=True)


def _points(score):
    return f"{score:.3g}"
