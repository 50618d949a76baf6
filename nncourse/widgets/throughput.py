"""The throughput explorer: the predicted time of an MLP training step against batch size, and the measured one.

Two panels over batch sizes ``BATCHES`` (log scales): the step time that :func:`nncourse.perf.predict_step_time`
predicts from the roofline (each kernel takes the longest of its launch overhead, its FLOPs at the peak and
its bytes at the bandwidth), split into the time spent overhead-, compute- and memory-bound; and the
throughput in samples per second with the model FLOPs utilisation at the chosen batch. Where the notebook has
measured the same setting on the current device, the measured times are drawn as points over the prediction.

The devices are the data-sheet rows of :data:`nncourse.perf.PEAKS` (with an assumed launch overhead of
``GPU_LAUNCH_OVERHEAD`` per kernel) and, when the notebook passes one, the current device's own row (peak,
bandwidth and overhead measured). Measured times come from a table computed *before* the widget is built
(``measured``): the widget never times anything itself, so it answers at once.
"""

import ipywidgets as widgets
import numpy as np

from nncourse.perf import PEAKS, predict_step_time, training_step_flops
from nncourse.plot import COLORS
from nncourse.widgets import _canvas as draw
from nncourse.widgets._base import LABEL_STYLE, CanvasWidget, check_choice, check_int, reset_button

BATCHES = tuple(2**k for k in range(3, 15))  # 8 … 16384
WIDTHS = tuple(2**k for k in range(5, 13))  # 32 … 4096
MAX_DEPTH = 8
PRECISIONS = ("fp32", "tf32", "bf16", "fp16")
GPU_LAUNCH_OVERHEAD = 5e-6  # seconds per eager kernel launch: an assumption, typical of CUDA + PyTorch dispatch
N_INPUT, N_CLASSES = 64, 10
PART_COLORS = {"overhead": COLORS["neutral"], "compute": COLORS["class0"], "memory": COLORS["class1"]}


def sizes_of(width, depth):
    """Layer widths of the explored MLP: the 64 digit pixels, ``depth`` hidden layers of ``width``, 10 classes.

    >>> sizes_of(256, 2)
    [64, 256, 256, 10]
    """
    return [N_INPUT] + [width] * depth + [N_CLASSES]


class ThroughputExplorer(CanvasWidget):
    """Batch size, width, depth, precision and device: the predicted step time and throughput, with the
    measured times overlaid where they exist.

    ``local`` describes the current device as ``{"name", "flops": {precision: FLOP/s}, "bandwidth",
    "launch_overhead"}`` (measured by the notebook); ``measured`` maps ``(width, depth, precision)`` to
    ``{batch_size: seconds}`` measured on it. Controls (``self.controls``): ``"batch_size"``, ``"width"``,
    ``"depth"``, ``"precision"``, ``"device"``.

    Headless use: set a control's ``value``, then read ``prediction`` (``{"total", "parts"}`` per batch
    size), ``measured_points`` (the ``(batch, seconds)`` drawn), ``note`` and ``panels``.

    >>> explorer = ThroughputExplorer(device="H100 SXM5", precision="bf16", width=1024, depth=4)
    >>> parts = explorer.prediction[8]["parts"]; max(parts, key=parts.get)
    'overhead'
    >>> parts = explorer.prediction[16384]["parts"]; max(parts, key=parts.get)
    'compute'
    >>> ThroughputExplorer(width=100)
    Traceback (most recent call last):
    ValueError: ThroughputExplorer: width must be one of [32, 64, 128, 256, 512, 1024, 2048, 4096], got 100
    """

    where = "ThroughputExplorer"

    def __init__(self, batch_size=256, width=256, depth=2, precision="fp32", device=None, *, local=None,
                 measured=None):
        self.local = local
        self.measured = dict(measured or {})
        self.devices = ([f"this {local['name']} (measured)"] if local else []) + list(PEAKS)
        device = self.devices[0] if device is None else device
        check_choice(self.where, "batch_size", batch_size, BATCHES)
        check_choice(self.where, "width", width, WIDTHS)
        check_int(self.where, "depth", depth, 1, MAX_DEPTH)
        check_choice(self.where, "precision", precision, PRECISIONS)
        check_choice(self.where, "device", device, self.devices)
        super().__init__(width=900, height=330, description="predicted and measured time of a training step")
        wide = dict(style=LABEL_STYLE, layout=widgets.Layout(width="330px"))
        self.controls = {
            "batch_size": widgets.SelectionSlider(options=BATCHES, value=batch_size, description="batch size",
                                                  **wide),
            "width": widgets.SelectionSlider(options=WIDTHS, value=width, description="width", **wide),
            "depth": widgets.IntSlider(value=depth, min=1, max=MAX_DEPTH, description="hidden layers", **wide),
            "precision": widgets.ToggleButtons(options=PRECISIONS, value=precision, description="precision",
                                               style={**LABEL_STYLE, "button_width": "56px"}),
            "device": widgets.Dropdown(options=self.devices, value=device, description="device", **wide),
        }
        self.observe_controls()
        self.ui = widgets.VBox([
            widgets.HBox([widgets.VBox([self.controls[k] for k in ("batch_size", "width", "depth")]),
                          widgets.VBox([self.controls["precision"], self.controls["device"], reset_button(self)])]),
            self.canvas,
        ])
        self.ui.add_class("nncourse-widget")
        self.update()

    def _device(self):
        """``(peak FLOP/s or None, bandwidth, launch overhead, is_local)`` for the chosen device and precision."""
        name, precision = self.controls["device"].value, self.controls["precision"].value
        if self.local and name == self.devices[0]:
            flops = self.local["flops"]
            peak = flops.get(precision, flops.get("fp32") if precision == "tf32" else None)
            return peak, self.local["bandwidth"], self.local["launch_overhead"], True
        peak = PEAKS[name]
        return peak.flops.get(precision), peak.bandwidth, GPU_LAUNCH_OVERHEAD, False

    def scene(self):
        batch, width = self.controls["batch_size"].value, self.controls["width"].value
        depth, precision = self.controls["depth"].value, self.controls["precision"].value
        sizes = sizes_of(width, depth)
        peak, bandwidth, overhead, local = self._device()
        boxes = ([70, 34, 330, 240], [530, 34, 330, 240])
        self.prediction, self.measured_points = {}, []
        if peak is None:
            self.note = f"{self.controls['device'].value} has no {precision} rate in its data sheet"
            hint = draw.label(0.5, 0.5, self.note, size=13, color=COLORS["highlight"])
            return [draw.panel(box, items=[hint] if k == 0 else [], axes=False) for k, box in enumerate(boxes)]
        for b in BATCHES:
            total, parts = predict_step_time(sizes, b, peak_flops=peak, bandwidth=bandwidth,
                                             launch_overhead=overhead, precision=precision)
            self.prediction[b] = {"total": total, "parts": parts}
        if local:
            self.measured_points = sorted(self.measured.get((width, depth, precision), {}).items())
        xs = np.array(BATCHES, dtype=float)
        totals = np.array([self.prediction[b]["total"] for b in BATCHES])
        flops = np.array([training_step_flops(sizes, b) for b in BATCHES], dtype=float)
        times = [t for _, t in self.measured_points]
        t_low, t_high = min([*totals, *times]) / 3, max([*totals, *times]) * 3
        step_items = [draw.line([batch, batch], [t_low, t_high], color=COLORS["neutral"], width=1, dash=[4, 3])]
        for part, color in PART_COLORS.items():
            values = np.array([self.prediction[b]["parts"][part] for b in BATCHES])
            step_items.append(draw.line(xs, np.where(values > 0, values, np.nan), color=color, width=1.5,
                                        dash=[5, 3]))
        step_items.append(draw.line(xs, totals, color=COLORS["model"], width=2.5))
        legend = [draw.legend_entry("predicted", COLORS["model"])]
        legend += [draw.legend_entry(f"{part}-bound", color, dash=[5, 3]) for part, color in PART_COLORS.items()]
        rate_items = [draw.line(xs, xs / totals, color=COLORS["model"], width=2.5)]
        if self.measured_points:
            mb = np.array([b for b, _ in self.measured_points], dtype=float)
            mt = np.array(times)
            step_items.append(draw.points(mb, mt, color=COLORS["highlight"], size=5))
            rate_items.append(draw.points(mb, mb / mt, color=COLORS["highlight"], size=5))
            legend.append(draw.legend_entry("measured", COLORS["highlight"], marker="o"))
        rates = xs / totals
        r_low, r_high = min([*rates, *[b / t for b, t in self.measured_points]]) / 3, max(
            [*rates, *[b / t for b, t in self.measured_points]]) * 3
        rate_items.append(draw.line([batch, batch], [r_low, r_high], color=COLORS["neutral"], width=1, dash=[4, 3]))
        at = self.prediction[batch]
        bound = max(at["parts"], key=at["parts"].get)
        mfu = flops[BATCHES.index(batch)] / (at["total"] * peak)
        measured_here = dict(self.measured_points).get(batch)
        self.note = (f"B = {batch}: predicted {_seconds(at['total'])} per step ({bound}-bound), MFU {mfu:.0%}"
                     + (f"; measured {_seconds(measured_here)}" if measured_here else ""))
        xlim = (BATCHES[0] / 1.5, BATCHES[-1] * 1.5)
        return [
            draw.panel(boxes[0], xlim=xlim, ylim=(t_low, t_high), xscale="log", yscale="log", items=step_items,
                       title=self.note, title_size=12, xlabel="batch size", ylabel="seconds per step",
                       legend=legend),
            draw.panel(boxes[1], xlim=xlim, ylim=(r_low, r_high), xscale="log", yscale="log", items=rate_items,
                       title=f"throughput, {self.controls['device'].value}, {precision}", title_size=12,
                       xlabel="batch size", ylabel="samples per second"),
        ]


def _seconds(t):
    """A duration in µs, ms or s.

    >>> _seconds(2.5e-5), _seconds(0.0123)
    ('25 µs', '12.3 ms')
    """
    if t < 1e-3:
        return f"{t * 1e6:.3g} µs"
    return f"{t * 1e3:.3g} ms" if t < 1 else f"{t:.3g} s"
