"""What every widget shares: controls, one :class:`~nncourse.widgets._canvas.Canvas`, and one source of truth.

A widget keeps its state in its controls (or in its own attributes for what no control shows); a control
that the learner moves calls :meth:`CanvasWidget.update`, which recomputes the scene and hands it to the
canvas. A control moved by the widget itself (``with self.quiet(): ...``) never calls back: that is what
keeps, say, a perceptron's weights exactly what the learning rule produced.
"""

from contextlib import ExitStack, contextmanager

import ipywidgets as widgets
from IPython.display import display

from nncourse.widgets._canvas import Canvas

# Room for full control labels: ipywidgets cuts descriptions longer than its default width.
LABEL_STYLE = {"description_width": "initial"}


def check_choice(where, name, value, choices):
    """Raise a ValueError naming ``name`` unless ``value`` is one of ``choices``.

    >>> check_choice("Demo", "colour", "red", ("red", "blue"))
    >>> check_choice("Demo", "colour", "green", ("red", "blue"))
    Traceback (most recent call last):
    ValueError: Demo: colour must be one of ['red', 'blue'], got 'green'
    """
    if value not in choices:
        raise ValueError(f"{where}: {name} must be one of {list(choices)}, got {value!r}")


def check_int(where, name, value, low, high):
    """Raise a ValueError naming ``name`` and the range unless ``value`` is an integer in ``low..high``.

    A slider would otherwise clamp an out-of-range value silently.

    >>> check_int("Demo", "depth", 3, 1, 50)
    3
    >>> check_int("Demo", "depth", 100, 1, 50)
    Traceback (most recent call last):
    ValueError: Demo: depth must be an integer from 1 to 50, got 100
    """
    if isinstance(value, bool) or not hasattr(value, "__index__") or not low <= value <= high:
        raise ValueError(f"{where}: {name} must be an integer from {low} to {high}, got {value!r}")
    return int(value)


def check_float(where, name, value, low, high):
    """Raise a ValueError naming ``name`` and the range unless ``value`` is a finite number in ``[low, high]``.

    >>> check_float("Demo", "bias", 0.5, -3, 3)
    0.5
    >>> check_float("Demo", "bias", float("nan"), -3, 3)
    Traceback (most recent call last):
    ValueError: Demo: bias must be a number from -3 to 3, got nan
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = None
    if isinstance(value, bool) or number is None or not low <= number <= high:
        raise ValueError(f"{where}: {name} must be a number from {low} to {high}, got {value!r}")
    return number


class CanvasWidget:
    """Base class: a subclass fills ``self.controls`` (named ipywidgets), lays out ``self.ui`` (which
    includes ``self.canvas``), calls :meth:`observe_controls` and implements :meth:`scene` (the list of
    panels for the current state). Every control change then redraws; :meth:`reset` puts every control
    back where it started.

    >>> class Demo(CanvasWidget):
    ...     def __init__(self):
    ...         super().__init__(width=200, height=100, description="demo")
    ...         self.controls = {"n": widgets.IntSlider(value=1, min=0, max=5, description="n")}
    ...         self.ui = widgets.VBox([self.controls["n"], self.canvas])
    ...         self.observe_controls()
    ...         self.update()
    ...     def scene(self):
    ...         return [{"title": f"n = {self.controls['n'].value}"}]
    >>> demo = Demo()
    >>> demo.controls["n"].value = 3
    >>> demo.panels[0]["title"]
    'n = 3'
    >>> demo.reset()
    >>> demo.panels[0]["title"]
    'n = 1'
    """

    def __init__(self, *, width, height, description):
        self.canvas = Canvas(width=int(width), height=int(height), description=description)
        self.controls = {}
        self._quiet = 0
        self._initial = {}

    @property
    def panels(self):
        """The scene currently shown (what :meth:`scene` last returned)."""
        return self.canvas.panels

    def observe_controls(self):
        """Redraw whenever the learner changes a control's value; remember every value for :meth:`reset`."""
        for name, control in self.controls.items():
            if hasattr(control, "value"):
                self._initial[name] = control.value
                control.observe(self._on_control, names="value")

    def _on_control(self, _change):
        if not self._quiet:
            self.changed()

    def changed(self):
        """What a learner's change does: by default, redraw. Subclasses may recompute state first."""
        self.update()

    @contextmanager
    def quiet(self):
        """Set controls by program without calling back into the widget."""
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    def reset(self):
        """Every control back to its starting value, then one redraw (sent before the controls' new values:
        the picture is what the learner waits for)."""
        with ExitStack() as held:
            for control in self.controls.values():
                held.enter_context(control.hold_sync())
            with self.quiet():
                for name, value in self._initial.items():
                    self.controls[name].value = value
            self.changed()

    def update(self):
        """Recompute the scene from the current state and show it."""
        self.canvas.panels = self.scene()

    def scene(self):
        raise NotImplementedError("subclasses return the list of panels for the current state")

    def _ipython_display_(self):
        display(self.ui)


def reset_button(widget, tooltip="every control back to where it started"):
    """A "reset" button wired to ``widget.reset``.

    >>> reset_button(None).description
    'reset'
    """
    button = widgets.Button(description="reset", icon="undo", tooltip=tooltip, layout={"width": "90px"})
    if widget is not None:
        button.on_click(lambda _b: widget.reset())
    return button

