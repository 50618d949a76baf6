"""What every widget shares: one figure, created once, redrawn in a fixed-height output.

The pattern neither leaks nor duplicates figures with the inline backend: the figure is created once and
closed at once (so the inline backend does not show it on its own); each update changes the artists in
place and shows the figure again with ``clear_output(wait=True)`` inside the output widget.
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import clear_output, display
from matplotlib.layout_engine import PlaceHolderLayoutEngine


class FigureWidget:
    """Base class: subclasses build ``self.fig`` and ``self.controls`` (a dict of named ipywidgets), lay them
    out in ``self.ui`` with :meth:`layout`, and implement :meth:`update`, which every control change calls."""

    height = "440px"

    def __init__(self, fig):
        self.fig = fig
        if fig.get_layout_engine() is None:
            # A figure laid out by hand (fast to redraw) keeps its layout: the inline backend saves with
            # bbox_inches="tight", and savefig then restores "no engine" as the rc default, which is the
            # course's constrained layout (matplotlib issues #24954, #24389). A placeholder engine is kept.
            fig.set_layout_engine(PlaceHolderLayoutEngine(adjust_compatible=True, colorbar_gridspec=True))
        plt.close(fig)
        self.output = widgets.Output(layout=widgets.Layout(height=self.height, overflow="hidden"))
        self.controls = {}

    def observe_controls(self):
        """Call :meth:`update` whenever a control's value changes (buttons are wired by the subclass)."""
        for control in self.controls.values():
            if hasattr(control, "value"):
                control.observe(lambda _change: self.update(), names="value")

    def redraw(self):
        """Show the current state of the figure in the output area."""
        self.fig.canvas.draw_idle()
        with self.output:
            clear_output(wait=True)
            display(self.fig)

    def update(self):
        raise NotImplementedError("subclasses recompute their figure from the controls here")

    def _ipython_display_(self):
        display(self.ui)
