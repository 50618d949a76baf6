"""Interactive widgets, one module per widget (ipywidgets + matplotlib).

Each widget is a class whose ``update()`` method recomputes and redraws from the current control values, so
that tests can drive it headless: set ``widget.controls[...].value`` and read the figure's artists.
``widget.ui`` is the ipywidgets container to display; displaying the widget object shows it too.
"""
