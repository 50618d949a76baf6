"""Interactive widgets, one module per widget: ipywidgets controls and one canvas drawn in the browser.

Each widget is a class whose state lives in its controls (and a few attributes); a control change calls
``update()``, which recomputes a *scene* (plot panels with lines, points, images, text) in the kernel and
hands it to a :class:`~nncourse.widgets._canvas.Canvas`, an ``anywidget`` whose small ES module
(``static/canvas.js``, shipped inside the package) paints it. Tests drive the widgets headless: set
``widget.controls[...].value`` or call their methods, then read ``widget.panels``. ``widget.ui`` is the
ipywidgets container to display; displaying the widget object shows it too. :mod:`nncourse.widgets.live`
has the reusable play / pause / step / reset piece for widgets that train live.

Import a widget from its module, as the notebooks do (``from nncourse.widgets.optimizer_lab import
OptimizerLab``): importing this package imports no widget, so a chapter loads only what it shows.
"""
