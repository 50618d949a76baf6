"""The optimizer lab, headless: five ``nncourse.optim`` optimizers race on a surface; every control changes the
race or its picture, play advances it, reset starts again, and bad arguments are named."""

import numpy as np
import pytest
from test_widget_base import floats, items, texts

from nncourse.optim import SGD, Adam, RMSprop
from nncourse.surfaces import Descent, NarrowWell, Quadratic, Rosenbrock
from nncourse.widgets.optimizer_lab import LEARNING_RATES, OPTIMIZERS, OptimizerLab, contour_lines


@pytest.fixture
def lab():
    return OptimizerLab(steps_per_frame=5, frame_budget=None)  # no budget: every change completes at once


def fingerprint(panels):
    """Everything a scene shows, as comparable values: texts and every numeric buffer."""
    shown = [tuple(texts(panels))]
    for panel in panels:
        shown.append((tuple(panel["xlim"]), tuple(panel["ylim"])))
        for item in panel["items"]:
            shown += [bytes(value) for value in item.values() if isinstance(value, bytes)]
    return shown


def test_the_racers_are_nncourse_optimizers_with_the_sliders_settings(lab):
    optimizers = {name: walk.optimizer for name, walk in lab.walks.items()}
    assert list(optimizers) == list(OPTIMIZERS)
    assert [type(o) for o in optimizers.values()] == [SGD, SGD, SGD, RMSprop, Adam]
    groups = {name: o.param_groups[0] for name, o in optimizers.items()}
    assert groups["SGD"]["momentum"] == 0 and groups["momentum"]["momentum"] == 0.9
    assert groups["Nesterov"]["nesterov"] and not groups["momentum"]["nesterov"]
    assert groups["RMSprop"]["alpha"] == 0.99 and groups["Adam"]["betas"] == (0.9, 0.999)
    assert {name: g["lr"] for name, g in groups.items()} == pytest.approx(LEARNING_RATES["ravine (quadratic)"])


def test_a_frame_is_steps_per_frame_optimizer_steps_for_every_racer_exactly_as_a_descent(lab):
    for _ in range(4):
        assert lab.advance() is True
    assert lab.steps == 20 and all(walk.steps == 20 for walk in lab.walks.values())
    direct = Descent(Quadratic(kappa=10.0), lambda p: Adam(p, lr=0.1)).step(20)
    np.testing.assert_array_equal(lab.walks["Adam"].path, direct.path)
    plane, gaps = lab.panels
    paths = items(plane, "line")[-len(OPTIMIZERS):]
    np.testing.assert_allclose(floats(paths[-1], "x"), direct.path[:, 0], rtol=1e-6)  # float32 on the way
    curves = items(gaps, "line")
    np.testing.assert_allclose(floats(curves[-1], "y"), direct.losses - 0.0, rtol=1e-6)
    assert "step 20" in plane["title"]


@pytest.mark.parametrize("frames", [0, 1], ids=["at the start", "after a frame"])
def test_every_control_changes_the_picture(lab, frames):
    new_values = {"surface": "Rosenbrock", "kappa": 100.0, "noise": 0.5, "momentum": 0.5, "alpha": 0.9,
                  "beta1": 0.5, "beta2": 0.95, "steps_per_frame": 7, **{f"lr {name}": 0.02 for name in OPTIMIZERS}}
    assert set(new_values) == set(lab.controls)
    for name, value in new_values.items():
        lab.reset()
        for _ in range(frames):
            lab.advance()
        before = fingerprint(lab.panels)
        lab.controls[name].value = value
        assert fingerprint(lab.panels) != before, f"{name} did not change the picture"


def test_a_learning_rate_runs_only_its_own_optimizer_again_up_to_the_same_step(lab):
    for _ in range(6):
        lab.advance()
    others = {name: lab.walks[name] for name in OPTIMIZERS if name != "RMSprop"}
    lab.controls["lr RMSprop"].value = 0.2
    assert all(lab.walks[name] is walk for name, walk in others.items())  # untouched
    walk = lab.walks["RMSprop"]
    assert walk.steps == 30 and walk.optimizer.param_groups[0]["lr"] == pytest.approx(0.2)
    direct = Descent(Quadratic(kappa=10.0), lambda p: RMSprop(p, lr=0.2)).step(30)
    np.testing.assert_array_equal(walk.path, direct.path)
    assert "RMSprop γ=0.2 α=0.990" in texts(lab.panels)


def test_the_momentum_slider_drives_both_momentum_methods_and_the_betas_drive_adam(lab):
    lab.controls["momentum"].value = 0.6
    lab.controls["beta1"].value = 0.3
    lab.controls["beta2"].value = 0.99
    assert lab.walks["momentum"].optimizer.param_groups[0]["momentum"] == pytest.approx(0.6)
    assert lab.walks["Nesterov"].optimizer.param_groups[0]["momentum"] == pytest.approx(0.6)
    assert lab.walks["Adam"].optimizer.param_groups[0]["betas"] == pytest.approx((0.3, 0.99))


def test_kappa_reshapes_the_ravine_and_its_contours(lab):
    lab.controls["kappa"].value = 1000.0
    assert isinstance(lab.surface, Quadratic) and lab.surface.kappa == pytest.approx(1000.0)
    assert np.linalg.eigvalsh(lab.surface.A) == pytest.approx([1e-3, 1.0])
    assert "κ = 1e+03" in lab.panels[0]["title"]


def test_a_surface_brings_its_learning_rates_and_kappa_only_applies_to_the_ravine(lab):
    lab.controls["surface"].value = "Rosenbrock"
    assert isinstance(lab.surface, Rosenbrock) and lab.controls["kappa"].disabled
    assert {name: lab.controls[f"lr {name}"].value for name in OPTIMIZERS} == pytest.approx(
        LEARNING_RATES["Rosenbrock"], rel=0.06)  # the slider's log step rounds a little
    lab.controls["surface"].value = "narrow well"
    assert isinstance(lab.surface, NarrowWell)
    lab.controls["surface"].value = "ravine (quadratic)"
    assert not lab.controls["kappa"].disabled


def test_noise_is_the_same_for_every_racer_and_scaled_by_the_surface(lab):
    lab.controls["surface"].value = "Rosenbrock"
    lab.controls["noise"].value = 0.5
    walk = lab.walks["SGD"]
    assert walk.noise == pytest.approx(0.5 * Rosenbrock.noise_scale)
    lab.advance()
    lr = lab.controls["lr SGD"].value
    direct = Descent(Rosenbrock(), lambda p: SGD(p, lr=lr), noise=0.5 * Rosenbrock.noise_scale, rng=0).step(5)
    np.testing.assert_array_equal(walk.path, direct.path)
    assert all(w.rng is not walk.rng for name, w in lab.walks.items() if name != "SGD")  # own streams, one seed


def test_play_races_frame_after_frame_and_stops_at_max_steps():
    lab = OptimizerLab(steps_per_frame=4, max_steps=10, frame_budget=None)
    lab.play.play.value = True  # the first frame at once
    assert lab.steps == 4 and lab.canvas.playing
    lab.play.tick()
    assert lab.steps == 8
    lab.play.tick()  # the race is over: playing stops
    assert lab.steps == 10 and not lab.play.play.value and not lab.canvas.playing


def test_once_the_race_is_over_play_and_step_are_greyed_out_until_reset():
    lab = OptimizerLab(steps_per_frame=5, max_steps=10, frame_budget=None)
    lab.play.step_button.click()
    assert not lab.play.step_button.disabled and not lab.play.play.disabled
    lab.play.step_button.click()
    assert lab.steps == 10 and lab.play.step_button.disabled and lab.play.play.disabled
    lab.controls["noise"].value = 0.5  # a new setting runs the race again to the same end
    assert lab.play.step_button.disabled
    lab.play.reset_button.click()
    assert lab.steps == 0 and not lab.play.step_button.disabled and not lab.play.play.disabled


def test_step_and_reset_buttons(lab):
    lab.play.step_button.click()
    lab.play.step_button.click()
    assert lab.steps == 10
    lab.controls["lr Adam"].value = 1.0
    lab.controls["surface"].value = "saddle"
    lab.play.reset_button.click()
    assert lab.steps == 0 and lab.controls["surface"].value == "ravine (quadratic)"
    assert lab.controls["lr Adam"].value == pytest.approx(0.1)
    assert all(walk.steps == 0 for walk in lab.walks.values()) and not lab.play.play.value


def test_a_long_race_catches_up_over_frames_and_ends_where_one_go_would():
    lab = OptimizerLab(surface="Rosenbrock", steps_per_frame=20, frame_budget=0.001)
    lab.frame_budget = None
    for _ in range(15):
        lab.advance()
    lab.frame_budget = 0.001  # one millisecond: the new race needs several frames
    lab.controls["noise"].value = 0.2
    assert lab.behind and lab.canvas.playing and not lab.play.play.value  # frames requested, play untouched
    assert "catching up" in lab.panels[0]["title"]
    frames = 0
    while lab.behind:
        lab._catch_up()  # what each frame request does
        frames += 1
    assert frames >= 1 and not lab.canvas.playing and lab.steps == 300
    lr = lab.controls["lr Adam"].value
    direct = Descent(Rosenbrock(), lambda p: Adam(p, lr=lr), noise=0.2 * Rosenbrock.noise_scale, rng=0).step(300)
    np.testing.assert_array_equal(lab.walks["Adam"].path, direct.path)


def test_a_diverging_racer_is_named_in_the_legend(lab):
    lab.controls["lr SGD"].value = 3.0  # beyond 2/λ_max = 2
    for _ in range(10):
        lab.advance()
    assert lab.walks["SGD"].diverged
    label = next(text for text in texts(lab.panels) if text.startswith("SGD"))
    assert "diverged at step" in label
    assert np.all(np.isfinite(floats(items(lab.panels[1], "line")[0], "y")))


@pytest.mark.parametrize("surface", [Quadratic(kappa=100.0), Rosenbrock(), NarrowWell()], ids=repr)
def test_contour_lines_lie_on_their_levels(surface):
    lines = contour_lines(surface)
    assert len(lines) == 14 and all(np.any(~np.isnan(x)) for _, x, _ in lines)
    for level, x, y in lines:  # linear interpolation between grid points: within a few per cent of the gap
        inside = ~np.isnan(x)
        values = surface(np.column_stack([x[inside], y[inside]]))
        assert np.median(np.abs(values - level)) < 0.08 * (level - surface.lowest)


def test_the_legend_and_the_axes_say_what_the_colours_and_lines_are(lab):
    shown = texts(lab.panels)
    assert [text for text in shown if " γ=" in text] == [
        "SGD γ=1.5", "momentum γ=0.3 μ=0.90", "Nesterov γ=0.3 μ=0.90", "RMSprop γ=0.05 α=0.990",
        "Adam γ=0.1 β₁=0.90 β₂=0.999"]
    assert "f(θₜ) − f*" in shown and lab.panels[1]["yscale"] == "log"


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"surface": "Himmelblau"}, "surface must be one of"),
        ({"kappa": 0.5}, "kappa must be a number from 1.0 to 1000.0, got 0.5"),
        ({"noise": -0.1}, "noise must be a number from 0.0 to 1.0"),
        ({"steps_per_frame": 0}, "steps_per_frame must be an integer from 1 to 20, got 0"),
        ({"max_steps": 10_000}, "max_steps must be an integer from 1 to 2000"),
        ({"frame_budget": 0.0}, "frame_budget must be a number from 0.001 to 10.0"),
    ],
)
def test_bad_arguments_are_named_never_clamped(kwargs, words):
    with pytest.raises(ValueError, match=f"OptimizerLab: {words}"):
        OptimizerLab(**kwargs)


def test_the_learning_rate_sliders_offer_exact_rates_including_every_surfaces_own():
    lab = OptimizerLab(frame_budget=None)
    offered = [value for _, value in lab.controls["lr SGD"].options]
    assert offered[0] == 1e-4 and offered[-1] == 3.0 and offered == sorted(offered)
    assert all(rate in offered for rates in LEARNING_RATES.values() for rate in rates.values())
    assert lab.walks["SGD"].optimizer.param_groups[0]["lr"] == 1.5  # exactly what the slider shows
