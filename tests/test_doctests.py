"""Every public function and class of the package shows a short usage example, and every example runs.

A module's public names are its ``__all__`` (or, without one, its names that do not start with ``_``), counting
the functions and classes defined in that module. Their docstrings' ``>>>`` examples run as doctests, with the
module's own globals, exactly as ``python -m doctest`` would run them.
"""

import doctest
import importlib
import inspect
import pkgutil

import matplotlib
import pytest

import nncourse

matplotlib.use("Agg")

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(nncourse.__path__, "nncourse.")
    if not any(part.startswith("_") for part in info.name.split(".")[1:])
)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def public_objects(module):
    names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
    for name in names:
        value = getattr(module, name)
        if (inspect.isfunction(value) or inspect.isclass(value)) and value.__module__ == module.__name__:
            yield name, value


@pytest.mark.parametrize("name", MODULES)
def test_every_public_function_and_class_has_an_example(name):
    module = importlib.import_module(name)
    without = [obj_name for obj_name, obj in public_objects(module) if ">>>" not in (inspect.getdoc(obj) or "")]
    assert without == [], f"{name}: no >>> usage example in the docstring of {without}"


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_run(name):
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    tests = doctest.DocTestFinder().find(module, module.__name__)
    report = []
    for test in tests:
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
