"""The shared checker machinery: one outcome per case, points in proportion, and no way for learner code to
escape it (exceptions, sys.exit, warnings, stderr, complex numbers, in-place changes all become hints).

How a result shows is nbgrader's rule for partial credit (``nbgrader.utils.determine_grade``): a grade cell
whose ``execute_result`` has a number as ``text/plain`` earns that many points; an error or any stderr output
earns 0. So in a normal session the result shows as a message, under ``nbgrader autograde`` as its points,
and under ``nbgrader validate`` a failing check writes its hint to stderr, which validate reports.
"""

import sys

import numpy as np
import pytest
from IPython.core.formatters import DisplayFormatter

from nncourse.exercises import all_exercises
from nncourse.exercises._checker import (
    CheckResult,
    Exercise,
    Hint,
    attempt,
    call,
    compare,
    diagnose,
    extra,
    grade,
    items,
    numbers,
    one_number,
    whole_number,
)

DEMO = Exercise(0, "ch00-demo-check", "Demo", 3, "check_demo")


def formats(result):
    """What IPython would put in the grade cell's execute_result: {mimetype: text}."""
    data, _ = DisplayFormatter().format(result)
    return data


# --- results, points and how they show --------------------------------------------------------------------


def test_points_are_proportional_to_the_passing_cases():
    result = grade(DEMO, [None, "hint a", None, "hint b"], "fine")
    assert not result.passed and not result
    assert result.score == 1.5 and result.points == 3
    assert (result.n_passed, result.n_cases) == (2, 4)
    assert result.message == "hint a" and result.hints == ["hint a", "hint b"]
    assert result.text == "✘ Not yet (1.5 of 3 points: 2 of 4 cases pass): hint a"


def test_a_pass_earns_every_point():
    result = grade(DEMO, [None, None], "well done.")
    assert result.passed and result.score == 3.0
    assert result.text == "✔ Correct! (3 of 3 points) well done."


def test_in_a_normal_session_the_result_shows_as_its_message(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    data = formats(grade(DEMO, [None, "off by one (on x = <2>)."], "fine"))
    assert data["text/plain"] == "✘ Not yet (1.5 of 3 points: 1 of 2 cases pass): off by one (on x = <2>)."
    assert "✘ Not yet" in data["text/html"] and "&lt;2&gt;" in data["text/html"], "the hint is escaped HTML"


@pytest.mark.parametrize("mode", ["autograde", "validate"])
def test_under_nbgrader_the_plain_text_is_the_score(monkeypatch, mode):
    monkeypatch.setenv("NBGRADER_EXECUTION", mode)
    partial = formats(grade(DEMO, [None, "hint"], "fine"))
    assert float(partial["text/plain"]) == 1.5
    assert "hint" in partial["text/html"], "nbgrader's feedback renders the HTML: it keeps the hint"
    assert formats(grade(DEMO, [None], "fine"))["text/plain"] == "3.0"
    assert formats(grade(DEMO, ["hint"], "fine"))["text/plain"] == "0.0"


def test_only_validate_writes_a_failing_hint_to_stderr(monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    grade(DEMO, ["the hint"], "fine")
    assert capsys.readouterr().err == "", "autograde gives 0 points to a cell with any stderr output"
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    grade(DEMO, [None], "fine")
    assert capsys.readouterr().err == ""
    grade(DEMO, ["the hint"], "fine")
    assert capsys.readouterr().err == "✘ Not yet (0 of 3 points: 0 of 1 cases pass): the hint\n"
    grade(DEMO, ["a long hint " * 20], "fine")
    lines = capsys.readouterr().err.splitlines()
    assert max(map(len, lines)) <= 80, "validate cuts longer lines of its report"
    assert " ".join(lines).split("pass): ", 1)[1] == ("a long hint " * 20).strip()


def test_checkers_print_nothing_in_a_normal_session(monkeypatch, capsys):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    from nncourse.exercises.ch01 import check_predict

    check_predict(lambda X, w, b: None)
    assert capsys.readouterr() == ("", "")


def test_check_result_repr_names_the_score():
    assert repr(grade(DEMO, [None], "ok")) == "CheckResult(passed=True, score=3.0, points=3, message='ok')"
    assert isinstance(grade(DEMO, [None], "ok"), CheckResult)


# --- cases ------------------------------------------------------------------------------------------------


def test_attempt_turns_a_hint_into_the_case_outcome_and_a_pass_into_none():
    def case(value):
        if value < 0:
            raise Hint(f"expected a positive number, got {value}.")

    assert attempt(case, 1) is None
    assert attempt(case, -1) == "expected a positive number, got -1."


def test_attempt_never_lets_the_checker_own_failure_reach_the_learner():
    def case(*, on):
        return {}["missing"]

    assert attempt(case, on="x = 1") == "could not check your answer (on x = 1): KeyError: 'missing'"


def test_extra_cases_are_described_and_checked_against_the_reference():
    assert extra([(4.0,)], np.sqrt, "check_sqrt") == [("extra case 1", (4.0,))]
    with pytest.raises(ValueError, match=r"check_sqrt: extra case 2 is not a valid case: TypeError"):
        extra([(4.0,), ("four",)], lambda x: x + 1, "check_sqrt")
    with pytest.raises(ValueError, match=r"extra case 1 must be a tuple of arguments, got list"):
        extra([[4.0]], np.sqrt, "check_sqrt")
    with pytest.raises(ValueError, match=r"extra_cases must be a list of argument tuples, got str"):
        extra("4.0", np.sqrt, "check_sqrt")


# --- call: whatever the learner's code does, the case fails with a hint -----------------------------------


def hint_of(function, *args, **kwargs):
    with pytest.raises(Hint) as caught:
        function(*args, **kwargs)
    return str(caught.value)


def test_call_returns_the_value():
    assert call(lambda x, y: x + y, 1, 2, on="x = 1") == 3


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (lambda x: (_ for _ in ()).throw(NotImplementedError()), "not implemented yet"),
        (lambda x: 1 / 0, "your code raised ZeroDivisionError: division by zero (on x = 1)."),
        (lambda x: sys.exit(), "your code called sys.exit() (on x = 1): return the result instead."),
        (lambda x: sys.exit(3), "your code called sys.exit()"),
        (lambda x: np.log(np.zeros(1)), "NumPy warned 'divide by zero encountered in log' (on x = 1)"),
        ("not a function", "expected a function, got str 'not a function'."),
    ],
    ids=["stub", "exception", "sys.exit", "sys.exit(3)", "runtime-warning", "not-callable"],
)
def test_call_turns_every_failure_into_a_hint(fn, words):
    assert words in hint_of(call, fn, 1, on="x = 1")


def test_call_sends_what_the_code_writes_to_stderr_to_stdout(capsys):
    def noisy(x):
        print("debugging", file=sys.stderr)
        return x

    assert call(noisy, 5, on="x = 5") == 5
    out, err = capsys.readouterr()
    assert (out, err) == ("debugging\n", ""), "stderr output would cost all the points under nbgrader"


def test_call_swallows_other_warnings():
    import warnings

    def warns(x):
        warnings.warn("deprecated", DeprecationWarning, stacklevel=1)
        return x

    assert call(warns, 2, on="x = 2") == 2


def test_call_gives_the_learner_copies():
    original = np.array([1.0, 2.0])
    nested = [np.array([3.0])]

    def vandal(x, xs):
        x += 100
        xs[0][0] = -1
        xs.append(None)
        return x

    assert call(vandal, original, nested, on="x = [1, 2]").tolist() == [101.0, 102.0]
    assert original.tolist() == [1.0, 2.0] and nested[0].tolist() == [3.0] and len(nested) == 1


def test_call_fails_a_case_whose_input_must_stay_unchanged():
    def in_place(weight, step):
        weight += step
        return weight

    def fresh(weight, step):
        return weight + step

    message = hint_of(call, in_place, np.zeros(2), 1.0, on="w = [0, 0]", unchanged={0: "weight"})
    assert message.startswith("your code changed weight in place (on w = [0, 0])")
    assert call(fresh, np.zeros(2), 1.0, on="w = [0, 0]", unchanged={0: "weight"}).tolist() == [1.0, 1.0]


def test_call_can_pass_the_objects_themselves():
    box = [0]
    call(lambda b: b.append(1), box, on="box", copy_args=False)
    assert box == [0, 1]


# --- reading the learner's values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (None, "the output is None (on x = 0): did you forget to `return` the result?"),
        ("12", "should be a number or an array of numbers, got str '12'"),
        ([1, [2, 3]], "should be a number or an array of numbers"),
        (np.array([1.0, 2.0]) + 5j, "the output is complex (dtype complex128)"),
        (np.array([1.0, 2.0]).astype(complex), "is complex"),
        ({"a": 1}, "got dict"),
    ],
    ids=["None", "string", "ragged", "complex", "complex-with-zero-imaginary-part", "dict"],
)
def test_numbers_rejects_what_is_not_real_numbers(value, words):
    assert words in hint_of(numbers, value, "the output", "x = 0")


def test_numbers_accepts_bools_ints_and_floats_and_checks_the_shape():
    assert numbers(np.array([True, False]), "y", "x").tolist() == [1.0, 0.0]
    assert numbers(3, "y", "x").shape == ()
    assert "should have shape (2,), got shape (2, 1)" in hint_of(numbers, np.ones((2, 1)), "y", "x", shape=(2,))


def test_one_number_accepts_a_0d_array_and_rejects_a_vector():
    assert one_number(np.array(2.5), "the bound", "x") == 2.5
    assert one_number(np.float32(2.5), "the bound", "x") == 2.5
    message = hint_of(one_number, np.array([2.5]), "the bound", "x")
    assert message == "the bound should be one number, got an array of shape (1,) (on x)."


@pytest.mark.parametrize("value", [13, np.int64(13), np.array(13), 13.0, np.array(13.0)])
def test_whole_number_accepts_every_form_of_an_integer(value):
    assert whole_number(value, "the count", "x") == 13


@pytest.mark.parametrize(
    ("value", "words"), [(13.5, "should be a whole number, got 13.5"), (True, "got bool True"), ([13], "one number")]
)
def test_whole_number_rejects_what_is_not_a_whole_number(value, words):
    assert words in hint_of(whole_number, value, "the count", "x")


def test_items_wants_a_tuple_of_the_right_length():
    assert items([1, 2], ("a", "b"), "x") == (1, 2)
    assert hint_of(items, 1, ("a", "b"), "x") == "return a tuple (a, b), got int 1 (on x)."
    assert hint_of(items, (1, 2, 3), ("a", "b"), "x") == "return a tuple (a, b), got tuple of length 3 (on x)."
    assert "did you forget to `return` (a, b)?" in hint_of(items, None, ("a", "b"), "x")


def test_compare_a_wrong_single_number_says_expected_and_got():
    # The old comparison crashed here: "'numpy.float64' object does not support item assignment".
    assert hint_of(compare, 3.0, 2.0, what="the bound", on="w = 1") == "the bound is off (on w = 1): expected 2, got 3."


def test_compare_names_the_worst_entry_shape_and_nan():
    assert "at index (1,): expected 2, got 5" in hint_of(compare, [1.0, 5.0], [1.0, 2.0], what="y", on="x")
    assert "should have shape (2,), got shape (3,)" in hint_of(compare, [1.0, 2.0, 3.0], [1.0, 2.0], what="y", on="x")
    assert "contains NaN or infinity at index (0,)" in hint_of(compare, [np.nan, 2.0], [1.0, 2.0], what="y", on="x")
    assert compare(np.array(1.0 + 1e-9), 1.0, what="y", on="x") == 1.0 + 1e-9


def test_compare_with_atol_zero_is_relative():
    tiny = 2.0e-313
    assert "expected 2e-313, got 0" in hint_of(compare, 0.0, tiny, what="σ", on="x = -720", atol=0.0)
    compare(0.0, tiny, what="σ", on="x = -720")  # the default absolute tolerance cannot see it


def test_diagnose_names_a_mistake_only_when_exactly_one_matches():
    with pytest.raises(Hint, match="only the weights"):
        diagnose(20, 30, [(20, "only the weights."), (16, "dropped the last layer.")])
    diagnose(6, 9, [(6, "only the weights."), (6, "dropped the last layer.")])  # ambiguous: no diagnosis
    diagnose(9, 9, [(9, "a 'mistake' that is the right answer is never named.")])
    diagnose("odd", 9, [(9, "never")])


# --- every checker, whatever it is given ------------------------------------------------------------------


def odd_answers():
    def raises_exit(*args):
        sys.exit(1)

    def returns(value):
        return lambda *args: value

    return [
        raises_exit,
        returns(None),
        returns("text"),
        returns(1j),
        returns(np.full(3, np.nan)),
        returns((None, None, None, None)),
        returns([object()] * 4),
        returns(np.ones((50, 50, 50))),
        lambda *args: [][0],
    ]


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda exercise: exercise.grade_id)
def test_no_checker_passes_or_raises_on_odd_answers(exercise):
    import importlib

    checker = getattr(importlib.import_module(f"nncourse.exercises.ch{exercise.chapter:02d}"), exercise.checker)
    for answer in odd_answers():
        arguments = (answer, answer) if exercise.checker == "check_gradient" else (answer,)
        result = checker(*arguments)
        assert isinstance(result, CheckResult) and not result.passed and result.score == 0, result
        assert result.points == exercise.points
        assert result.message and "Traceback" not in result.message


# --- every checker: a right answer passes, the same answer made complex does not --------------------------


def _right_answers():
    """One right answer per checker, written as a learner would (NumPy, or the engine for softplus)."""
    from test_exercises_ch08 import RIGHT_ANSWERS as CH08_RIGHT_ANSWERS
    from test_exercises_ch08 import train_with_dropout_and_early_stopping
    from test_exercises_ch09 import RIGHT_ANSWERS as CH09_RIGHT_ANSWERS

    from nncourse import functional as F
    from nncourse import universal
    from nncourse.autograd import Tensor
    from nncourse.nn import init

    def update(w, b, x, y, lr):
        error = y - int(x @ w + b >= 0)
        return w + lr * error * x, b + lr * error

    def novikoff(X, y, w, b):
        X, w = np.hstack([X, np.ones((len(X), 1))]), np.append(w, b)
        return (np.linalg.norm(X, axis=1).max() * np.linalg.norm(w) / np.min((2 * y - 1) * (X @ w))) ** 2

    def perceptron_loss_grad(w, b, x, y):
        s, z = 2 * y - 1, x @ w + b
        mistake = int(z >= 0) != y
        return max(0.0, -s * z), (-s * x if mistake else 0 * x), (-s if mistake else 0.0)

    def adaline_line(X, y):  # ADALINE's LMS rule, 50 epochs, written out
        w, b = np.zeros(2), 0.0
        for _ in range(50):
            for x_i, s_i in zip(X, 2 * y - 1, strict=True):
                error = s_i - (x_i @ w + b)
                w, b = w + 0.002 * error * x_i, b + 0.002 * error
        return w, b

    def mlp(X, weights, biases):
        for W, b in zip(weights[:-1], biases[:-1], strict=True):
            X = np.maximum(X @ W.T + b, 0)
        return X @ weights[-1].T + biases[-1]

    def staircase(f, n, a, b):
        return [p for layer in universal.bump_network(f, n, (a, b)).layers for p in layer]

    def width(f, interval, tolerance):
        n = 1
        while universal.approximation_error(f, universal.bump_network(f, n, interval, "relu"), interval)[0] > tolerance:
            n += 1
        return n

    def train_digits(X, y):
        from nncourse import nn
        from nncourse.optim import SGD
        from nncourse.train import fit

        model = nn.Sequential(nn.Linear(64, 32, rng=0), nn.ReLU(), nn.Linear(32, 10, rng=1))
        fit(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), (X, y), epochs=20, rng=0, progress=False)
        return lambda images: model(images)

    def free_knots():
        knots = np.array([-1.0, -0.5, -0.3, -0.15, 0.0, 0.15, 0.3, 0.5, 1.0])  # closer where tanh(5x) bends
        slopes = np.diff(np.tanh(5 * knots)) / np.diff(knots)
        W2 = np.concatenate([slopes[:1], np.diff(slopes)])[None, :]
        return np.ones((8, 1)), -knots[:-1], W2, np.tanh(5 * knots[:1])

    def softmax_ce(z, t):
        return (F.softmax(z, dim=1) - np.eye(z.shape[1])[t]) / len(t)

    def softplus(x):
        return Tensor.from_op(np.logaddexp(0, x.data), (x,), "softplus", lambda g: (g * F.sigmoid(x.data),))

    def topological_sort(root):
        order, visited = [], set()

        def visit(node):
            if id(node) not in visited:
                visited.add(id(node))
                for parent in node._parents:
                    visit(parent)
                order.append(node)

        visit(root)
        return order

    def backward_loop(root):
        root.grad = np.ones_like(root.data)
        for node in reversed(topological_sort(root)):
            for parent, g in zip(node._parents, node._backward(node.grad) if node._parents else (), strict=True):
                if parent.requires_grad:
                    parent.grad = g if parent.grad is None else parent.grad + g

    def momentum_step(theta, grad, buffer, lr, momentum):
        buffer = grad.copy() if buffer is None else momentum * buffer + grad
        return theta - lr * buffer, buffer

    def adam_step(theta, grad, m, v, t, lr, betas, eps):
        m, v = betas[0] * m + (1 - betas[0]) * grad, betas[1] * v + (1 - betas[1]) * grad**2
        return theta - lr * m / (1 - betas[0] ** t) / (np.sqrt(v / (1 - betas[1] ** t)) + eps), m, v

    def warmup_cosine(step, total, warmup, max_lr, min_lr):
        if step < warmup:
            return max_lr * step / warmup
        return min_lr + (max_lr - min_lr) * (1 + np.cos(np.pi * (step - warmup) / (total - 1 - warmup))) / 2

    def heavy_ball(A):
        root_min, root_max = np.sqrt(np.linalg.eigvalsh(A)[[0, -1]])
        return 4 / (root_max + root_min) ** 2, ((root_max - root_min) / (root_max + root_min)) ** 2

    def configure(parameters):
        from nncourse.optim import SGD

        return SGD(parameters, lr=0.05, momentum=0.9), None, 32

    return {
        "check_predict": (lambda X, w, b: (X @ w + b >= 0).astype(int),),
        "check_update": (update,),
        "check_nand_weights": (lambda: (np.array([-1.0, -1.0]), 1.5),),
        "check_novikoff_bound": (novikoff,),
        "check_perceptron_loss_grad": (perceptron_loss_grad,),
        "check_lms_update": (lambda w, b, x, y, lr: (w + lr * (2 * y - 1 - x @ w - b) * x,
                                                     b + lr * (2 * y - 1 - x @ w - b)),),
        "check_overlapping_classifier": (adaline_line,),
        "check_stable_sigmoid": (F.sigmoid,),
        "check_tanh_grad": (F.tanh_grad,),
        "check_leaky_relu": (lambda x, s: (F.leaky_relu(x, s), F.leaky_relu_grad(x, s)),),
        "check_gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"),),
        "check_elu": (lambda x, a: (F.elu(x, a), F.elu_grad(x, a)),),
        "check_flat_statistics": (lambda z, g, t: (np.mean(np.abs(g(z)) < t),
                                                   int(np.all(np.abs(g(z)) < t, axis=0).sum())),),
        "check_accurate_and_alive": (lambda: ("tanh", 0.2),),
        "check_linear_forward": (lambda X, W, b: X @ W.T + b,),
        "check_parameter_count": (lambda s: sum(a * b + b for a, b in zip(s[:-1], s[1:], strict=True)),),
        "check_xor_weights": (lambda: (np.ones((2, 2)), np.array([0.0, -1.0]), np.array([[1.0, -2.0]]), np.zeros(1)),),
        "check_mlp_forward": (mlp,),
        "check_bce_with_logits": (lambda z, y: np.mean(np.logaddexp(0, z) - y * z),),
        "check_digits_classifier": (train_digits,),
        "check_sigmoid_bump": (universal.sigmoid_bump,),
        "check_staircase": (staircase,),
        "check_width_needed": (width,),
        "check_square_approximation": (lambda x, m: x - sum(universal.sawtooth(x, s) / 4**s for s in range(1, m + 1)),),
        "check_free_knots": (free_knots,),
        "check_linear_backward": (lambda x, w, g: (g @ w, g.T @ x, g.sum(axis=0)),),
        "check_sigmoid_backward": (lambda z, g: g * F.sigmoid_grad(z),),
        "check_softmax_cross_entropy_backward": (softmax_ce,),
        "check_gradient": (lambda x: float(np.sum(x**3)), lambda x: 3 * x**2),
        "check_autograd_op": (softplus,),
        "check_topological_sort": (topological_sort,),
        "check_backward_loop": (backward_loop,),
        "check_momentum_step": (momentum_step,),
        "check_adam_step": (adam_step,),
        "check_warmup_cosine": (warmup_cosine,),
        "check_heavy_ball_parameters": (heavy_ball,),
        "check_digits_training": (configure,),
        "check_xavier_uniform_bound": (lambda fan_in, fan_out, gain: gain * np.sqrt(6 / (fan_in + fan_out)),),
        "check_kaiming_normal_std": (lambda fan_in, name: {"linear": 1, "sigmoid": 1, "tanh": 5 / 3, "relu": 2**0.5}[
            name] / np.sqrt(fan_in),),
        "check_leaky_relu_gain": (lambda a: np.sqrt(2 / (1 + a**2)),),
        "check_variance_preserving_gain": (lambda f: 1 / np.sqrt(np.mean(f(np.random.default_rng(0).standard_normal(
            10**6)) ** 2)),),
        "check_deep_tanh_init": (lambda w, rng: init.orthogonal_(w.data, gain=5 / 3, rng=rng),),  # returns the array
        **CH08_RIGHT_ANSWERS,
        "check_regularized_model": (train_with_dropout_and_early_stopping,),
        **CH09_RIGHT_ANSWERS,
    }


def _complex(value):
    """The same answer with a tiny imaginary part: in every array, in every item of a tuple, in a Tensor."""
    from nncourse.autograd import Tensor

    if isinstance(value, tuple | list):
        return type(value)(_complex(item) for item in value)
    if isinstance(value, Tensor):
        return Tensor.from_op(value.data + 1e-9j, (value,), "complex", lambda g: (g,))
    return np.asarray(value) + 1e-9j


def _complex_gradients(backward):
    """A backward loop that leaves the same gradients with a tiny imaginary part in every node's ``.grad``."""

    def run(root):
        backward(root)
        for node in root._topological_order():
            if node.grad is not None:
                node.grad = node.grad + 1e-9j

    return run


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda exercise: exercise.grade_id)
def test_every_checker_passes_a_right_answer_and_rejects_it_made_complex(exercise):
    import importlib

    checker = getattr(importlib.import_module(f"nncourse.exercises.ch{exercise.chapter:02d}"), exercise.checker)
    answers = _right_answers()[exercise.checker]
    result = checker(*answers)
    assert result.passed and result.score == exercise.points, result.message
    complex_answers = [lambda *args, fn=fn: _complex(fn(*args)) for fn in answers]
    if exercise.checker == "check_backward_loop":  # its answer is what it writes into .grad, not a return value
        complex_answers = [_complex_gradients(answers[0])]
    result = checker(*complex_answers)
    assert not result.passed and "complex" in result.message, result.message
