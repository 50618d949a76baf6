"""The autograde notebook runner of the course's nbgrader configuration (nncourse/exercises/autograde.py).

nbclient mimics an ``ipywidgets.Output``: output displayed into one is kept in the widget, and nbclient sends
the widget's new state to the kernel on the shell socket, which can stall the cell until its timeout
(nbclient issue #312). The course's mimic keeps the output and never touches the kernel client.
"""

from types import SimpleNamespace

import pytest
from nbclient.output_widget import OutputWidget
from nbgrader.converters.autograde import Autograde
from nbgrader.preprocessors import Execute as NbgraderExecute

from nncourse.exercises.autograde import Execute, QuietOutputWidget, autograde_preprocessors


class NoKernel:
    """A kernel client that fails any use: the quiet mimic must never need one."""

    def __getattr__(self, name):
        raise AssertionError(f"the Output mimic used the kernel client's {name!r}")


def stream(text):
    return {
        "msg_type": "stream",
        "header": {"msg_type": "stream"},
        "parent_header": {"msg_id": "cell"},
        "content": {"name": "stdout", "text": text},
    }


def mimic(widget_class):
    executor = SimpleNamespace(widget_state={"comm": {}})
    return widget_class("comm", {"outputs": []}, NoKernel(), executor), executor


def test_the_quiet_mimic_keeps_the_output_without_writing_to_the_kernel():
    widget, executor = mimic(QuietOutputWidget)
    widget.output([], stream("drawn "), None, 0)
    widget.output([], stream("again"), None, 0)
    assert [out["text"] for out in widget.outputs] == ["drawn again"]
    assert executor.widget_state["comm"]["outputs"] == widget.outputs
    widget.clear_output([], {"parent_header": {"msg_id": "cell"}, "content": {"wait": False}}, 0)
    assert widget.outputs == []


def test_nbclients_own_mimic_writes_each_output_to_the_kernels_shell_socket():
    widget, _ = mimic(OutputWidget)
    with pytest.raises(AssertionError, match="kernel client's 'session'"):
        widget.output([], stream("drawn"), None, 0)


def test_the_runner_is_nbgraders_execute_with_the_quiet_mimic():
    runner = Execute()
    assert isinstance(runner, NbgraderExecute)
    assert runner.widget_registry == {"@jupyter-widgets/output": {"OutputModel": QuietOutputWidget}}
    assert (runner.timeout, runner.interrupt_on_timeout, runner.allow_errors) == (30, True, True)


def test_autograde_keeps_nbgraders_steps_and_swaps_only_the_runner():
    defaults = Autograde.class_traits()["autograde_preprocessors"].default()
    ours = autograde_preprocessors()
    assert len(ours) == len(defaults) and ours[defaults.index(NbgraderExecute)] is Execute
    assert [p for p in ours if p is not Execute] == [p for p in defaults if p is not NbgraderExecute]
