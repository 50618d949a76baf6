"""The live-training playground, headless: each frame trains a few steps of gradient descent and redraws."""

import numpy as np
import pytest
from test_widget_base import floats, items, texts

from nncourse import nn
from nncourse.optim import SGD
from nncourse.widgets.live import GRID, TrainingPlayground


@pytest.fixture
def playground():
    return TrainingPlayground(hidden=2, width=16, activation="tanh", lr=0.5, steps_per_frame=5)


def test_the_network_is_2_16_16_1_on_200_points(playground):
    assert [m.weight.shape for m in playground.model if isinstance(m, nn.Linear)] == [(16, 2), (16, 16), (1, 16)]
    assert playground.X.shape == (200, 2)
    assert playground.losses == [] and playground.panels[0]["title"].startswith("after 0 steps")


def test_a_frame_is_steps_of_full_batch_gradient_descent(playground):
    reference = nn.build_mlp([2, 16, 16, 1], "tanh", dtype=np.float64, rng=0)
    optimizer, criterion = SGD(reference.parameters(), lr=0.5), nn.BCEWithLogitsLoss()
    losses = []
    for _ in range(5):
        reference.zero_grad()
        losses.append(float(criterion(reference(playground.X), playground.targets)))
        reference.backward(criterion.backward())
        optimizer.step()
    assert playground.advance() is True
    np.testing.assert_allclose(playground.losses, losses, rtol=1e-12)
    for ours, theirs in zip(playground.model.parameters(), reference.parameters(), strict=True):
        np.testing.assert_allclose(ours.data, theirs.data, rtol=1e-12)


def test_the_picture_shows_the_decision_map_and_the_loss_curve(playground):
    for _ in range(40):
        playground.advance()
    boundary, loss = playground.panels
    (image,) = items(boundary, "image")
    assert (image["nx"], image["ny"]) == (GRID, GRID)
    (curve,) = items(loss, "line")
    np.testing.assert_allclose(floats(curve, "y"), playground.losses, rtol=1e-6)
    assert playground.losses[-1] < playground.losses[0]
    assert playground.accuracy > 0.8 and f"{playground.accuracy:.0%}" in boundary["title"]
    assert {"class 0", "class 1", "P(class 1)"} <= set(texts(playground.panels))


def test_the_learning_rate_applies_from_the_next_step_without_starting_again(playground):
    playground.advance()
    playground.controls["lr"].value = 0.1
    assert playground.optimizer.param_groups[0]["lr"] == pytest.approx(0.1) and len(playground.losses) == 5
    assert "lr 0.1" in playground.panels[1]["title"]


def test_a_new_activation_or_seed_starts_again_and_reset_puts_the_controls_back(playground):
    playground.advance()
    playground.controls["activation"].value = "relu"
    assert playground.losses == [] and type(playground.model[1]).__name__ == "ReLU"
    playground.advance()
    playground.play.reset_button.click()
    assert playground.losses == [] and playground.controls["activation"].value == "tanh"


def test_playing_stops_at_max_steps():
    playground = TrainingPlayground(steps_per_frame=7, max_steps=10)
    assert playground.advance() is True and playground.advance() is False
    assert len(playground.losses) == 10


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [({"hidden": 0}, "hidden must be an integer from 1 to 4"), ({"lr": 50}, "lr must be a number from 0.01 to 5.0"),
     ({"activation": "gelu"}, "activation must be one of")],
)
def test_bad_arguments_are_named(kwargs, words):
    with pytest.raises(ValueError, match=f"TrainingPlayground: {words}"):
        TrainingPlayground(**kwargs)
