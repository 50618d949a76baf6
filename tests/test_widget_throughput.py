"""The throughput explorer, headless: every control redraws the roofline prediction; measured times overlay it."""

import time

import ipywidgets as widgets
import numpy as np
import pytest
from test_widget_base import floats, items, texts

from nncourse import perf
from nncourse.plot import COLORS
from nncourse.widgets.throughput import BATCHES, GPU_LAUNCH_OVERHEAD, ThroughputExplorer, sizes_of

LOCAL = {"name": "CPU", "flops": {"fp32": 5e10, "bf16": 2e11}, "bandwidth": 1e10, "launch_overhead": 1e-5}
MEASURED = {(256, 2, "fp32"): {16: 4e-4, 64: 8e-4, 256: 3e-3}}


@pytest.fixture
def explorer():
    return ThroughputExplorer(local=LOCAL, measured=MEASURED)


def predicted_line(widget):
    (line,) = [i for i in items(widget.panels[0], "line") if i["color"] == COLORS["model"] and i["width"] == 2.5]
    return floats(line, "x"), floats(line, "y")


def test_controls_are_ordinary_ipywidgets_with_a_reset(explorer):
    assert isinstance(explorer.controls["batch_size"], widgets.SelectionSlider)
    assert isinstance(explorer.controls["precision"], widgets.ToggleButtons)
    assert explorer.controls["device"].options[0] == "this CPU (measured)"
    explorer.controls["width"].value = 1024
    explorer.controls["device"].value = "A100 SXM4 80GB"
    explorer.reset()
    assert explorer.controls["width"].value == 256 and explorer.controls["device"].value == "this CPU (measured)"


def test_the_curve_is_the_roofline_prediction_for_the_chosen_setting(explorer):
    explorer.controls["width"].value = 512
    explorer.controls["depth"].value = 3
    x, y = predicted_line(explorer)
    expected = [perf.predict_step_time(sizes_of(512, 3), b, peak_flops=5e10, bandwidth=1e10,
                                       launch_overhead=1e-5)[0] for b in BATCHES]
    np.testing.assert_allclose(x, BATCHES)
    np.testing.assert_allclose(y, expected, rtol=1e-6)


def test_a_data_sheet_device_uses_its_peak_for_the_precision(explorer):
    explorer.controls["device"].value = "H100 SXM5"
    explorer.controls["precision"].value = "bf16"
    h100 = perf.PEAKS["H100 SXM5"]
    total, _ = perf.predict_step_time(sizes_of(256, 2), 256, peak_flops=h100.peak("bf16"), bandwidth=h100.bandwidth,
                                      launch_overhead=GPU_LAUNCH_OVERHEAD, precision="bf16")
    assert explorer.prediction[256]["total"] == pytest.approx(total)
    assert "H100 SXM5" in " ".join(texts(explorer.panels))
    assert explorer.measured_points == []  # measurements belong to the local device only


def test_measured_points_are_drawn_where_the_setting_was_measured(explorer):
    assert explorer.measured_points == sorted(MEASURED[(256, 2, "fp32")].items())
    (points,) = items(explorer.panels[0], "points")
    np.testing.assert_allclose(floats(points, "y"), [4e-4, 8e-4, 3e-3], rtol=1e-6)
    explorer.controls["batch_size"].value = 64
    assert "measured 800 µs" in explorer.note
    explorer.controls["precision"].value = "bf16"
    assert items(explorer.panels[0], "points") == []


def test_a_precision_missing_from_the_data_sheet_is_said_not_drawn(explorer):
    explorer.controls["device"].value = "T4"
    explorer.controls["precision"].value = "bf16"
    assert explorer.note == "T4 has no bf16 rate in its data sheet"
    assert explorer.note in texts(explorer.panels)
    assert explorer.prediction == {}


def test_small_batches_are_overhead_bound_and_large_ones_compute_bound_on_a_gpu():
    explorer = ThroughputExplorer(device="A100 SXM4 80GB", precision="bf16", width=2048, depth=4)
    explorer.controls["batch_size"].value = BATCHES[0]
    assert "overhead-bound" in explorer.note
    explorer.controls["batch_size"].value = BATCHES[-1]
    assert "compute-bound" in explorer.note


def test_every_control_answers_in_a_few_milliseconds(explorer):
    changes = [("batch_size", 1024), ("width", 4096), ("depth", 8), ("precision", "fp16"), ("device", "T4"),
               ("device", "H200 SXM"), ("precision", "tf32")]
    for name, value in changes:
        start = time.perf_counter()
        explorer.controls[name].value = value
        assert time.perf_counter() - start < 0.25, name  # generous for a loaded machine; typically 2-10 ms


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"batch_size": 100}, "batch_size must be one of"),
    ({"depth": 0}, "depth must be an integer from 1 to 8"),
    ({"precision": "int8"}, "precision must be one of"),
    ({"device": "this CPU (measured)"}, "device must be one of"),  # no local device was given
])
def test_bad_arguments_are_refused(kwargs, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        ThroughputExplorer(**kwargs)
