"""The widgets' shared base: the canvas and its scene, quiet program-set controls, reset, and argument checks.

The helpers at the top read a scene the way the front end does (float32 buffers, lists of panels and items);
the other widget tests import them.
"""

from pathlib import Path

import ipywidgets as widgets
import numpy as np
import pytest

from nncourse.widgets import _canvas as draw
from nncourse.widgets._base import CanvasWidget, check_float, check_int
from nncourse.widgets.live import PlayControls

STATIC = Path(draw.__file__).parent / "static"


def floats(item, key):
    """A numeric field of a scene item as the front end reads it (float32 buffer or plain list)."""
    value = item[key]
    return np.frombuffer(value, dtype=np.float32) if isinstance(value, bytes) else np.asarray(value, dtype=float)


def items(panel, kind):
    """The items of type ``kind`` in a panel, in drawing order."""
    return [item for item in panel["items"] if item["type"] == kind]


def texts(panels):
    """Every piece of text a scene shows: titles, axis labels, legend entries, text items."""
    found = []
    for panel in panels:
        found += [panel.get(key, "") for key in ("title", "xlabel", "ylabel")]
        found += [entry["label"] for entry in panel.get("legend", [])]
        found += [item["text"] for item in panel["items"] if item["type"] == "text"]
        if "colorbar" in panel:
            found.append(panel["colorbar"]["label"])
    return [t for t in found if t]


class Counter(CanvasWidget):
    """A minimal widget: one slider, a scene that shows its value, and a count of redraws."""

    def __init__(self):
        super().__init__(width=200, height=100, description="counter")
        self.redraws = 0
        self.controls = {"n": widgets.IntSlider(value=1, min=0, max=5, description="n")}
        self.ui = widgets.VBox([self.controls["n"], self.canvas])
        self.observe_controls()
        self.update()

    def scene(self):
        self.redraws += 1
        return [draw.panel([10, 10, 100, 50], title=f"n = {self.controls['n'].value}")]


def test_the_es_module_ships_inside_the_package_and_the_canvas_loads_it():
    source = (STATIC / "canvas.js").read_text()
    assert "export default" in source and "render" in source
    assert "canvas.js" in str(draw.Canvas._esm) or "export default" in str(draw.Canvas._esm)


def test_a_learners_change_redraws_and_a_quiet_change_does_not():
    widget = Counter()
    widget.controls["n"].value = 3
    assert widget.panels[0]["title"] == "n = 3" and widget.redraws == 2
    with widget.quiet():
        widget.controls["n"].value = 4
    assert widget.redraws == 2 and widget.panels[0]["title"] == "n = 3"


def test_reset_puts_every_control_back_and_redraws_once():
    widget = Counter()
    widget.controls["n"].value = 5
    widget.reset()
    assert widget.controls["n"].value == 1 and widget.panels[0]["title"] == "n = 1" and widget.redraws == 3


def test_arrays_travel_as_float32_buffers():
    line = draw.line([0.0, 0.5, 1.0], [1.0, np.nan, 3.0])
    np.testing.assert_array_equal(floats(line, "x"), [0.0, 0.5, 1.0])
    assert np.isnan(floats(line, "y")[1])


def test_an_image_is_coloured_with_the_matplotlib_colour_map_row_0_at_the_bottom():
    from matplotlib import colormaps

    values = np.array([[-1.0, 0.0], [1.0, 2.0]])
    item = draw.image(values, (0, 1, 0, 1), cmap="RdBu", vmin=-1.0, vmax=1.0)
    rgba = np.frombuffer(item["rgba"], dtype=np.uint8).reshape(2, 2, 4)
    expected = colormaps["RdBu"](np.clip((values + 1) / 2, 0, 1), bytes=True)
    assert np.abs(rgba.astype(int) - expected.astype(int)).max() <= 1  # the 256-entry table rounds
    assert (item["nx"], item["ny"]) == (2, 2)


def heat_map_scene(values, dot):
    return [draw.panel([0, 0, 100, 100], items=[draw.image(values, (0, 1, 0, 1), cmap="RdBu", vmin=-1, vmax=1),
                                                draw.points([dot], [dot], color="white")])]


def test_images_travel_apart_from_the_panels_named_by_their_content():
    canvas = draw.Canvas()
    canvas.panels = heat_map_scene(np.eye(3), 0.5)
    (image,) = [item for item in canvas.panels[0]["items"] if item["type"] == "image"]
    state = canvas.get_state()
    (sent,) = [item for item in state["panels"][0]["items"] if item["type"] == "image"]
    assert "rgba" not in sent and sent["key"] == draw.image_key(image) and sent["extent"] == image["extent"]
    assert state["images"] == {sent["key"]: {"rgba": image["rgba"], "nx": 3, "ny": 3}}
    assert draw.image_key(draw.image(np.eye(3), (0, 1, 0, 1), cmap="RdBu", vmin=-1, vmax=1)) == sent["key"]
    assert draw.image_key(draw.image(-np.eye(3), (0, 1, 0, 1), cmap="RdBu", vmin=-1, vmax=1)) != sent["key"]


def test_a_change_that_keeps_the_images_does_not_send_them_again():
    canvas = draw.Canvas()
    canvas.panels = heat_map_scene(np.eye(3), 0.5)
    sent = []
    canvas.observe(lambda change: sent.append(change["name"]), names=["images", "panels"])
    canvas.panels = heat_map_scene(np.eye(3), 0.25)  # the input dot moves over the same heat map
    assert sent == ["panels"]
    canvas.panels = heat_map_scene(-np.eye(3), 0.25)  # new pixels: they go first, then the panels
    assert sent == ["panels", "images", "panels"]
    canvas.panels = [draw.panel([0, 0, 100, 100])]
    assert canvas.images == {}


def test_the_class_map_runs_from_a_tint_of_class_0s_colour_through_white_to_class_1s():
    from matplotlib.colors import to_rgba

    from nncourse.plot import COLORS

    def tint(name):
        return 0.5 * np.array(to_rgba(COLORS[name])) + 0.5

    for value, colour in ((0.0, tint("class0")), (0.5, to_rgba("white")), (1.0, tint("class1"))):
        np.testing.assert_allclose(draw.colormap_rgba(draw.CLASS_CMAP, value), colour, atol=0.01)


def test_clicks_and_frame_requests_reach_their_callbacks():
    canvas = draw.Canvas()
    clicks, ticks = [], []
    canvas.on_click(lambda panel, x, y: clicks.append((panel, x, y)))
    canvas.on_tick(lambda: ticks.append(1))
    canvas._handle_message(canvas, {"event": "click", "panel": 2, "x": 0.25, "y": -1}, [])
    canvas._handle_message(canvas, {"event": "tick"}, [])
    assert clicks == [(2, 0.25, -1.0)] and ticks == [1]


def test_play_controls_step_play_pause_and_stop_when_advance_says_so():
    canvas = draw.Canvas()
    frames = []
    controls = PlayControls(canvas, advance=lambda: frames.append(1) or len(frames) < 4, reset=frames.clear)
    controls.step_button.click()
    assert frames == [1] and not canvas.playing
    controls.play.value = True  # the first frame comes at once, then the browser asks for more
    assert len(frames) == 2 and canvas.playing and controls.play.description == "pause"
    canvas._handle_message(canvas, {"event": "tick"}, [])
    canvas._handle_message(canvas, {"event": "tick"}, [])
    assert len(frames) == 4 and not controls.play.value and not canvas.playing
    controls.reset_button.click()
    assert frames == []


def test_argument_checks_name_the_argument_and_the_allowed_range():
    with pytest.raises(ValueError, match=r"W: depth must be an integer from 1 to 50, got 100"):
        check_int("W", "depth", 100, 1, 50)
    with pytest.raises(ValueError, match=r"W: depth must be an integer from 1 to 50, got 2.5"):
        check_int("W", "depth", 2.5, 1, 50)
    with pytest.raises(ValueError, match=r"W: bias must be a number from -3 to 3, got nan"):
        check_float("W", "bias", float("nan"), -3, 3)
    assert check_float("W", "bias", np.float32(0.5), -3, 3) == 0.5
