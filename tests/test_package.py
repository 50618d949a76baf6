"""The package as a whole: a light `import nncourse`, clean ruff, seeding like PyTorch, clear input errors."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from conftest import ROOT

import nncourse
from nncourse import _rng
from nncourse._checks import as_array, check_labels, check_positive, check_same_length, describe

HEAVY = ("torch", "matplotlib")


def run_python(code):
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_import_nncourse_loads_neither_torch_nor_matplotlib(capsys):
    report = run_python(
        """
        import json, sys, time
        start = time.perf_counter()
        import nncourse
        seconds = time.perf_counter() - start
        loaded = [m for m in ("torch", "matplotlib") if m in sys.modules]
        print(json.dumps({"seconds": seconds, "loaded": loaded}))
        """
    )
    with capsys.disabled():
        print(f"\n`import nncourse` took {report['seconds'] * 1000:.0f} ms in a fresh interpreter")
    assert report["loaded"] == []


@pytest.mark.slow
def test_only_plotting_and_widgets_load_matplotlib_and_nothing_loads_torch():
    report = run_python(
        """
        import importlib, json, sys
        import nncourse
        pulled = {}
        for name in sorted(nncourse._SUBMODULES) + ["cli", "student", "nn.init"]:
            before = set(sys.modules)
            importlib.import_module(f"nncourse.{name}")
            pulled[name] = [m for m in ("torch", "matplotlib") if m in set(sys.modules) - before]
        print(json.dumps(pulled))
        """
    )
    assert "perceptron" in report, "nncourse.perceptron should exist"
    torch_users = [name for name, loaded in report.items() if "torch" in loaded]
    assert torch_users == [], "only tests, notebooks and benchmarks may import torch"
    matplotlib_users = [name for name, loaded in report.items() if "matplotlib" in loaded]
    assert set(matplotlib_users) <= {"plot", "widgets"}, matplotlib_users


@pytest.mark.slow
def test_ruff_is_clean_on_package_tests_scripts_benchmarks_and_notebooks():
    paths = [p for p in ("nncourse", "tests", "scripts", "benchmarks") if (ROOT / p).exists()]
    paths += [str(p.relative_to(ROOT)) for p in sorted((ROOT / "notebooks").glob("*.py"))]
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_listed_submodule_imports_and_star_import_works():
    report = run_python(
        """
        import json
        namespace = {}
        exec("from nncourse import *", namespace)
        import nncourse
        print(json.dumps(sorted(n for n in nncourse._SUBMODULES if n not in namespace)))
        """
    )
    assert report == []


def test_nn_init_is_torch_nn_inits_place():
    from nncourse import nn
    from nncourse.nn import init

    assert nn.init is init
    assert "init" not in nncourse._SUBMODULES, "torch has no top-level init: it is nncourse.nn.init"


# --- seeding, like torch.manual_seed ----------------------------------------------------------------------


@pytest.fixture
def restore_default_generator():
    saved = _rng._default
    yield
    _rng._default = saved


def test_manual_seed_makes_default_draws_repeat(restore_default_generator):
    nncourse.manual_seed(7)
    first = _rng.as_generator(None).normal(size=5)
    nncourse.manual_seed(7)
    again = _rng.as_generator(None).normal(size=5)
    np.testing.assert_array_equal(first, again)
    nncourse.manual_seed(8)
    assert not np.array_equal(_rng.as_generator(None).normal(size=5), first)


def test_manual_seed_returns_the_new_default_generator(restore_default_generator):
    gen = nncourse.manual_seed(np.int64(3))
    assert isinstance(gen, np.random.Generator)
    assert nncourse.default_generator() is gen
    assert _rng.as_generator(None) is gen
    np.testing.assert_array_equal(gen.random(3), np.random.default_rng(3).random(3))


@pytest.mark.parametrize("seed", [-1, 1.5, True, "0", None])
def test_manual_seed_rejects_anything_but_a_non_negative_int(seed, restore_default_generator):
    before = nncourse.default_generator()
    with pytest.raises(ValueError, match=r"manual_seed expects a non-negative integer seed, got"):
        nncourse.manual_seed(seed)
    assert nncourse.default_generator() is before


def test_as_generator_takes_none_a_seed_or_a_generator():
    gen = np.random.default_rng(1)
    assert _rng.as_generator(gen) is gen
    np.testing.assert_array_equal(_rng.as_generator(5).random(2), np.random.default_rng(5).random(2))
    for bad in (-3, 2.0, False, "seed"):
        with pytest.raises(
            ValueError, match=r"rng must be None, a non-negative int seed or a numpy\.random\.Generator"
        ):
            _rng.as_generator(bad)


# --- input checks: the message names the caller, what was expected and what was given ---------------------


def test_as_array_keeps_floats_and_turns_other_numbers_into_float64():
    assert as_array(np.zeros(2, np.float32), "x", "f").dtype == np.float32
    assert as_array([1, 2], "x", "f").dtype == np.float64
    assert as_array([True, False], "x", "f").dtype == np.float64


@pytest.mark.parametrize(
    ("kwargs", "value", "message"),
    [
        ({}, "abc", "f: x must be numeric, got str 'abc'"),
        ({}, [[1, 2], [3]], "f: x must be numeric array-like, got list of length 2"),
        (
            {"ndim": 2, "shape_doc": "(n_samples, n_features)"},
            [1.0, 2.0],
            "f: x must be a 2-D array of shape (n_samples, n_features), got shape (2,)",
        ),
        ({"ndim": (1, 2)}, np.zeros((1, 1, 1)), "f: x must be a 1-D or 2-D array, got shape (1, 1, 1)"),
        ({}, [1.0, np.nan, np.inf], "f: x must contain only finite values, got 2 NaN or infinite value(s)"),
    ],
    ids=["text", "ragged", "ndim", "ndim-choice", "non-finite"],
)
def test_as_array_messages(kwargs, value, message):
    with pytest.raises(ValueError) as info:
        as_array(value, "x", "f", **kwargs)
    assert str(info.value).startswith(message)


def test_as_array_can_allow_non_finite_values():
    assert np.isnan(as_array([np.nan], "x", "f", finite=False)[0])


def test_check_same_length_names_both_arrays():
    check_same_length([1, 2], [3, 4], "X", "y", "fit")
    with pytest.raises(ValueError, match=r"^fit: X and y must have the same number of samples, got 3 and 2$"):
        check_same_length([1, 2, 3], [0, 1], "X", "y", "fit")


def test_check_labels_returns_ints_and_names_the_strangers():
    np.testing.assert_array_equal(check_labels([0.0, 1.0, 1.0], (0, 1), "y", "fit"), [0, 1, 1])
    assert check_labels([1.0], (0, 1), "y", "fit").dtype == np.int64
    with pytest.raises(
        ValueError,
        match=r"^fit: y must contain only the labels \[0, 1\], got other values such as \[-1, 2\]$",
    ):
        check_labels([0, 2, -1, 1], (0, 1), "y", "fit")


@pytest.mark.parametrize(
    ("value", "kwargs", "message"),
    [
        (0, {}, "SGD: lr must be a finite number > 0, got 0"),
        (-0.1, {}, "SGD: lr must be a finite number > 0, got -0.1"),
        (float("nan"), {}, "SGD: lr must be a finite number > 0, got nan"),
        (float("inf"), {}, "SGD: lr must be a finite number > 0, got inf"),
        (True, {}, "SGD: lr must be a finite number > 0, got True"),
        ("0.1", {}, "SGD: lr must be a finite number > 0, got '0.1'"),
        (2.0, {"integer": True}, "SGD: lr must be a finite integer > 0, got 2.0"),
        (-1, {"allow_zero": True}, "SGD: lr must be a finite number >= 0, got -1"),
    ],
)
def test_check_positive_messages(value, kwargs, message):
    with pytest.raises(ValueError) as info:
        check_positive(value, "lr", "SGD", **kwargs)
    assert str(info.value) == message


def test_check_positive_returns_good_values():
    assert check_positive(0.1, "lr", "SGD") == 0.1
    assert check_positive(0, "momentum", "SGD", allow_zero=True) == 0
    assert check_positive(np.int64(3), "epochs", "fit", integer=True) == 3


def test_describe_says_type_shape_and_dtype():
    assert describe(np.zeros((2, 3), np.float32)) == "array of shape (2, 3) and dtype float32"
    assert describe((1, 2)) == "tuple of length 2"
    assert describe(None) == "NoneType None"


@pytest.mark.parametrize("value", [np.array([1 + 2j]), [1j, 2.0], np.complex64(3)])
def test_as_array_refuses_complex_input_instead_of_dropping_the_imaginary_part(value):
    with pytest.raises(ValueError, match=r"where: x must be real, got array of shape .* and dtype complex"):
        as_array(value, "x", "where")
    with pytest.raises(ValueError, match=r"where: x must be real"):
        as_array(value, "x", "where", dtype=np.float64)
