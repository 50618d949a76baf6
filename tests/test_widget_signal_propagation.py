"""The signal-propagation explorer, driven headless: its curves are the per-layer statistics of the network it
shows (checked against ``nn.layer_statistics`` and PyTorch), every control changes the picture, training runs in
steps, and reset and bad arguments behave."""

import math

import numpy as np
import pytest
from test_widget_base import floats, items, texts

from nncourse import nn
from nncourse.widgets.signal_propagation import INITS, SignalPropagationExplorer

SCHEMES = tuple(INITS.values())


@pytest.fixture(scope="module")
def shared():
    """One explorer for the tests that only read it (building one loads the digits)."""
    return SignalPropagationExplorer(depth=12, width=32, activation="relu", init="default")


@pytest.fixture
def widget():
    return SignalPropagationExplorer(depth=12, width=32, activation="relu", init="default", max_steps=40)


def curve(widget, color_key):
    """The y values of the solid line of one colour in the scale panel (the current network's stds)."""
    colors = {"activation": "#0072B2", "delta": "#E69F00"}
    lines = [item for item in items(widget.panels[0], "line")
             if item["color"] == colors[color_key] and "dash" not in item]
    assert len(lines) == 1
    return floats(lines[0], "y").astype(float)


def test_the_curves_are_nn_layer_statistics_of_the_network_shown(shared):
    expected = nn.layer_statistics(shared.model, shared.X_probe, shared.y_probe, nn.CrossEntropyLoss())
    np.testing.assert_allclose(shared.stats["activation_std"], expected["activation_std"], rtol=1e-12)
    np.testing.assert_allclose(shared.stats["delta_std"], expected["delta_std"], rtol=1e-12)
    np.testing.assert_allclose(curve(shared, "activation"), expected["activation_std"], rtol=1e-6)  # float32
    np.testing.assert_allclose(curve(shared, "delta"), expected["delta_std"], rtol=1e-6)
    assert len(expected["activation_std"]) == 13  # 12 hidden layers and the output layer


def test_the_network_is_the_scheme_times_the_gain_and_agrees_with_pytorch():
    torch = pytest.importorskip("torch")
    widget = SignalPropagationExplorer(depth=5, width=16, activation="tanh", init="xavier_normal", gain=1.5)
    base = SignalPropagationExplorer(depth=5, width=16, activation="tanh", init="xavier_normal", gain=1.0)
    linears = [m for m in widget.model if isinstance(m, nn.Linear)]
    for mine, unscaled in zip(linears, [m for m in base.model if isinstance(m, nn.Linear)], strict=True):
        np.testing.assert_allclose(mine.weight.data, 1.5 * unscaled.weight.data, rtol=1e-15)
    # The same weights in torch.nn.Linear layers: the per-layer stds of one forward and backward pass agree.
    h = torch.tensor(widget.X_probe)
    pre, outputs = [], []
    for index, layer in enumerate(linears):
        z = h @ torch.tensor(layer.weight.data, requires_grad=True).T + torch.tensor(layer.bias.data)
        z.retain_grad()
        pre.append(z)
        h = torch.tanh(z) if index < len(linears) - 1 else z
        outputs.append(h)
    torch.nn.functional.cross_entropy(h, torch.tensor(widget.y_probe)).backward()
    np.testing.assert_allclose(widget.stats["activation_std"], [a.std(unbiased=False).item() for a in outputs],
                               rtol=1e-10)
    np.testing.assert_allclose(widget.stats["delta_std"], [z.grad.std(unbiased=False).item() for z in pre],
                               rtol=1e-10)


def test_kaiming_keeps_a_deep_relu_signal_level_where_xavier_lets_it_vanish():
    widget = SignalPropagationExplorer(depth=30, width=64, activation="relu", init="xavier_normal")
    xavier = widget.stats["activation_std"]
    widget.controls["init"].value = "kaiming_normal"
    kaiming = widget.stats["activation_std"]
    assert xavier[29] / xavier[0] < 1e-3  # about √½ per layer: (√½)^29 ≈ 4e-5
    assert 0.2 < kaiming[29] / kaiming[0] < 5


@pytest.mark.parametrize(
    ("name", "value"),
    [("depth", 20), ("width", 64), ("activation", "tanh"), ("init", "orthogonal"), ("gain", 2.0), ("layer", 3),
     ("lr", 0.1), ("steps_per_frame", 9)],
)
def test_every_control_changes_the_picture(widget, name, value):
    before = widget.panels
    widget.controls[name].value = value
    assert widget.panels != before


def test_depth_sets_the_layers_drawn_and_the_histogram_slider_follows(widget):
    widget.controls["layer"].value = 12
    widget.controls["depth"].value = 7
    assert len(curve(widget, "activation")) == 8
    assert widget.controls["layer"].max == 7 and widget.controls["layer"].value == 7
    assert widget.panels[1]["title"].startswith("a(7)")
    widget.controls["depth"].value = 20
    assert widget.controls["layer"].max == 20 and widget.controls["layer"].value == 7


def test_a_deeper_network_extends_a_shallower_one_with_the_same_weights(widget):
    shallow = [m.weight.data.copy() for m in widget.model if isinstance(m, nn.Linear)]
    widget.controls["depth"].value = 15
    deep = [m.weight.data for m in widget.model if isinstance(m, nn.Linear)]
    for a, b in zip(shallow[:-1], deep[:12], strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(shallow[-1], deep[-1])


def test_the_histograms_count_the_chosen_layers_activations_and_gradients(widget):
    widget.controls["layer"].value = 4
    for panel, values in zip(widget.panels[1:3], (widget.stats["outputs"][3], widget.stats["deltas"][3]),
                             strict=True):
        shares = floats(items(panel, "bars")[0], "height")
        limit = np.abs(values).max()
        counts, _ = np.histogram(values, bins=len(shares), range=(-limit, limit))
        np.testing.assert_allclose(shares, counts / values.size, rtol=1e-6)


def test_a_gain_change_reuses_the_draws_and_going_back_is_cached(widget):
    first = widget.model
    widget.controls["gain"].value = 2.0
    widget.controls["gain"].value = 1.0
    assert widget.model is first  # the measurements of a recent network are kept


def test_a_browser_view_draws_the_other_schemes_ahead_and_they_are_the_same_draws(widget):
    widget.canvas._handle_message(widget.canvas, {"event": "ready"}, [])
    widget._ahead.join(timeout=30)
    assert {scheme for width, scheme in widget._bases if width == 32} == set(SCHEMES)
    widget.controls["init"].value = "orthogonal"
    fresh = SignalPropagationExplorer(depth=12, width=32, activation="relu", init="orthogonal")
    for mine, theirs in zip(widget.model, fresh.model, strict=True):
        if isinstance(mine, nn.Linear):
            np.testing.assert_array_equal(mine.weight.data, theirs.weight.data)


def test_training_steps_lower_the_loss_of_a_well_initialised_network():
    widget = SignalPropagationExplorer(depth=4, width=32, activation="relu", init="kaiming_normal", lr=0.1,
                                       steps_per_frame=10, max_steps=100)
    initial = widget.initial_stats["activation_std"].copy()
    assert widget.advance() is True and len(widget.losses) == 10
    while widget.advance():
        pass
    assert len(widget.losses) == 100
    assert np.mean(widget.losses[-10:]) < 0.7 * np.mean(widget.losses[:10])
    assert widget.accuracy > 0.5
    np.testing.assert_array_equal(widget.initial_stats["activation_std"], initial)  # the start is kept
    assert not np.allclose(widget.stats["activation_std"], initial)  # the curves follow the trained network
    assert "at initialisation" in texts(widget.panels)  # ... with the start dashed
    assert widget.panels[3]["title"].startswith("step 100:")


def test_play_trains_frame_by_frame_and_a_new_network_stops_it(widget):
    widget.play.play.value = True
    widget.play.tick()
    assert len(widget.losses) == 2 * widget.controls["steps_per_frame"].value  # the first frame, then a tick
    widget.controls["activation"].value = "tanh"
    assert not widget.play.play.value and widget.losses == []


def test_the_step_button_trains_and_reset_puts_everything_back(widget):
    widget.play.step_button.click()
    assert len(widget.losses) == 5
    widget.controls["depth"].value = 3
    widget.controls["gain"].value = 0.5
    widget.controls["layer"].value = 2
    widget.reset()
    assert widget.losses == [] and not widget.play.play.value
    assert [widget.controls[name].value for name in ("depth", "gain", "layer")] == [12, 1.0, 12]
    assert widget.panels[3]["title"].startswith("untrained")


def test_play_stops_at_max_steps_and_train_goes_on_one_frame_at_a_time(widget):
    widget.controls["steps_per_frame"].value = 20
    widget.play.play.value = True  # as the play button does: frames until advance says it is done
    while widget.play.play.value:
        widget.play.tick()
    assert len(widget.losses) == 40
    widget.play.step_button.click()
    assert len(widget.losses) == 60


def test_a_diverging_network_stops_with_a_message_not_an_error():
    widget = SignalPropagationExplorer(depth=20, width=64, activation="relu", init="kaiming_normal", gain=4.0,
                                       lr=1.0, steps_per_frame=20, max_steps=200)
    while widget.advance():  # pytest turns any RuntimeWarning (an overflow) into an error
        pass
    assert widget.diverged and widget.panels[3]["title"].startswith("diverged")
    assert all(math.isfinite(loss) for loss in widget.losses)


def test_colours_that_carry_values_have_a_legend(shared):
    shown = texts(shared.panels)
    assert "activations a(l)" in shown and "gradients δ(l)" in shown and "chance: log 10" in shown


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"depth": 51}, "depth must be an integer from 1 to 50, got 51"),
        ({"width": 8}, "width must be an integer from 16 to 128, got 8"),
        ({"width": 40}, "width must be a multiple of 16, got 40"),
        ({"activation": "mish"}, "activation must be one of"),
        ({"init": "he"}, "init must be one of"),
        ({"gain": 0.0}, "gain must be a number from 0.25 to 4.0, got 0.0"),
        ({"gain": float("nan")}, "gain must be a number"),
        ({"lr": 5}, "lr must be a number from 0.001 to 1.0, got 5"),
        ({"steps_per_frame": 0}, "steps_per_frame must be an integer from 1 to 20"),
        ({"max_steps": 2.5}, "max_steps must be an integer"),
    ],
)
def test_bad_arguments_are_named_never_clamped(kwargs, words):
    with pytest.raises(ValueError, match=words):
        SignalPropagationExplorer(**kwargs)
