"""What ``nbgrader autograde`` needs from the course: nbgrader's notebook runner, without a stall.

The ``nbgrader_config.py`` that ``nncourse nbgrader`` writes uses :func:`autograde_preprocessors`: nbgrader's
own autograde steps, with :class:`Execute` in place of nbgrader's ``Execute``. Only nbgrader's configuration
imports this module (it needs nbgrader, a development dependency).

The stall (nbclient issue #312, "when cell contains ipywidget, execute cell will sometimes block"): nbclient
mimics JupyterLab's ``Output`` widget, and each time a cell displays something into an ``ipywidgets.Output``
(every course widget draws its figure into one) it sends the kernel a ``comm_msg`` with the widget's new
state, on the shell socket. jupyter_client's ``Session.send`` writes to that asyncio socket through a
synchronous shadow of it (``zmq.Socket.shadow``), behind the back of the pending ``await socket.poll()`` with
which nbclient waits for the cell's ``execute_reply`` on the same socket. ZeroMQ reports readiness through
an edge-triggered file descriptor: the shadow's send can consume the edge of a reply that has just arrived,
and the poll then sleeps until its timeout, the whole cell timeout, though the kernel replied in time.
Measured (nbclient 0.11, jupyter_client 8.10, pyzmq 27): 3 of 150 executions of a course widget cell waited
out the timeout; none of 300 once the state is no longer sent back.

:class:`Execute` keeps nbclient's Output mimic, which routes output into the widget as before, but does not
send the state back to the kernel: nothing in a grading run reads an ``Output`` widget's state in the kernel.

>>> Execute().widget_registry["@jupyter-widgets/output"]["OutputModel"] is QuietOutputWidget
True
"""

from nbclient.output_widget import OutputWidget
from nbgrader.converters.autograde import Autograde
from nbgrader.preprocessors import Execute as NbgraderExecute


class QuietOutputWidget(OutputWidget):
    """nbclient's mimic of an ``Output`` widget that never writes to the kernel's shell socket.

    >>> QuietOutputWidget.send is not OutputWidget.send
    True
    """

    def send(self, data=None, metadata=None, buffers=None):
        """Keep the widget's state on this side: sending it could stall the cell (see the module docstring)."""


class Execute(NbgraderExecute):
    """nbgrader's ``Execute`` preprocessor, with :class:`QuietOutputWidget` as the Output widget's mimic.

    Configured as nbgrader's (``c.Execute.timeout = 60`` applies to it too).

    >>> Execute().timeout == NbgraderExecute().timeout
    True
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget_registry = {"@jupyter-widgets/output": {"OutputModel": QuietOutputWidget}}


def autograde_preprocessors():
    """nbgrader's default autograde preprocessors, with this module's :class:`Execute` in place of nbgrader's.

    >>> Execute in autograde_preprocessors() and NbgraderExecute not in autograde_preprocessors()
    True
    """
    defaults = Autograde.class_traits()["autograde_preprocessors"].default()
    return [Execute if preprocessor is NbgraderExecute else preprocessor for preprocessor in defaults]
