"""The regularization lab, headless: every control changes the scene, training steps match PyTorch, reset."""

import numpy as np
import pytest
import torch
from test_widget_base import floats, items, texts

from nncourse import nn
from nncourse.data.planar import PLANAR_DATASETS
from nncourse.plot import DIVERGING_CMAP
from nncourse.widgets._canvas import colormap_rgba
from nncourse.widgets.regularization import (
    GRID,
    MAX_LAYERS,
    MAX_UNITS,
    N_SAMPLES,
    UNIT_GAP,
    UNIT_GRID,
    RegularizationLab,
)


@pytest.fixture
def lab():
    return RegularizationLab()


def fingerprint(panels):
    """Everything a scene shows: its text and the bytes of every image and point set."""
    parts = list(texts(panels))
    for panel in panels:
        for item in panel["items"]:
            parts += [item[key] for key in ("rgba", "x", "y") if key in item]
    return parts


# -- the data and the network follow the controls -------------------------------------------------------------


def test_the_data_are_split_into_training_and_test_points_by_the_test_share(lab):
    assert len(lab.X_train) + len(lab.X_test) == N_SAMPLES
    assert len(lab.X_test) == N_SAMPLES // 2
    lab.controls["test_fraction"].value = 0.2
    assert len(lab.X_test) == round(0.2 * N_SAMPLES)
    train_points = set(map(tuple, lab.X_train.tolist()))
    assert not train_points & set(map(tuple, lab.X_test.tolist()))


@pytest.mark.parametrize(
    ("normalization", "kinds"),
    [
        ("none", ["Linear", "Tanh", "Dropout"] * 2 + ["Linear"]),
        ("batch norm", ["Linear", "BatchNorm1d", "Tanh", "Dropout"] * 2 + ["Linear"]),
        ("layer norm", ["Linear", "LayerNorm", "Tanh", "Dropout"] * 2 + ["Linear"]),
    ],
)
def test_each_hidden_layer_is_linear_normalisation_activation_dropout(normalization, kinds):
    lab = RegularizationLab(layers=2, units=5, normalization=normalization)
    assert [type(m).__name__ for m in lab.model] == kinds
    assert [m.weight.shape for m in lab.model if isinstance(m, nn.Linear)] == [(5, 2), (5, 5), (1, 5)]


def test_without_hidden_layers_it_is_logistic_regression_and_the_unit_controls_are_disabled(lab):
    lab.controls["layers"].value = 0
    assert [type(m).__name__ for m in lab.model] == ["Linear"]
    assert all(lab.controls[name].disabled for name in ("units", "activation", "normalization", "dropout"))
    assert "no hidden layers" in lab.panels[3]["title"]
    lab.controls["layers"].value = 1
    assert not lab.controls["units"].disabled


# -- training -------------------------------------------------------------------------------------------------


def torch_twin(model):
    """The lab's network in PyTorch, float64, with the same parameters (dropout must be 0)."""
    layers = []
    for module in model:
        if isinstance(module, nn.Linear):
            twin = torch.nn.Linear(*reversed(module.weight.shape)).double()
        elif isinstance(module, nn.BatchNorm1d):
            twin = torch.nn.BatchNorm1d(module.num_features).double()
        elif isinstance(module, nn.LayerNorm):
            twin = torch.nn.LayerNorm(module.normalized_shape).double()
        elif isinstance(module, nn.Dropout):
            assert module.p == 0
            twin = torch.nn.Identity()
        else:
            twin = {"Tanh": torch.nn.Tanh, "ReLU": torch.nn.ReLU, "Sigmoid": torch.nn.Sigmoid}[type(module).__name__]()
        layers.append(twin)
    twin = torch.nn.Sequential(*layers)
    with torch.no_grad():
        for ours, theirs in zip(model.parameters(), twin.parameters(), strict=True):
            theirs.copy_(torch.from_numpy(ours.data))
    return twin


@pytest.mark.parametrize(
    ("optimizer", "normalization", "l1", "l2"),
    [
        ("SGD", "none", 0.01, 0.03),
        ("momentum", "batch norm", 0.0, 0.01),
        ("Adam", "layer norm", 0.003, 0.01),
        ("AdamW", "none", 0.001, 0.1),
    ],
)
def test_three_full_batch_steps_match_pytorch_with_l1_and_l2_on_the_weights_only(optimizer, normalization, l1, l2):
    lab = RegularizationLab(dataset="xor", layers=2, units=4, normalization=normalization, optimizer=optimizer,
                            lr=0.1, l1=l1, l2=l2, batch_size=256, steps_per_frame=3)
    assert len(lab.X_train) <= 256  # every step sees the whole training set (in some order)
    twin = torch_twin(lab.model)
    weights = [m.weight for m in twin if isinstance(m, torch.nn.Linear)]
    others = [p for p in twin.parameters() if all(p is not w for w in weights)]
    groups = [{"params": weights, "weight_decay": l2}, {"params": others, "weight_decay": 0.0}]
    make = {"SGD": lambda: torch.optim.SGD(groups, lr=0.1),
            "momentum": lambda: torch.optim.SGD(groups, lr=0.1, momentum=0.9),
            "Adam": lambda: torch.optim.Adam(groups, lr=0.1), "AdamW": lambda: torch.optim.AdamW(groups, lr=0.1)}
    torch_optimizer = make[optimizer]()
    X, t = torch.from_numpy(lab.X_train), torch.from_numpy(lab.t_train)
    for _ in range(3):
        torch_optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(twin(X), t)
        (loss + l1 * sum(w.abs().sum() for w in weights)).backward()
        torch_optimizer.step()
    assert lab.advance() is True and lab.steps == 3
    for ours, theirs in zip(lab.model.parameters(), twin.parameters(), strict=True):
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_a_frame_trains_steps_per_frame_mini_batches_and_records_both_losses(lab):
    lab.controls["batch_size"].value = 8
    assert lab.advance() is True
    assert lab.steps == 10 and [row[0] for row in lab.history] == [0, 10]
    lab.model.eval()
    criterion = nn.BCEWithLogitsLoss()
    train_loss = float(criterion(lab.model(lab.X_train), lab.t_train))
    test_loss = float(criterion(lab.model(lab.X_test), lab.t_test))
    assert lab.history[-1][1:3] == pytest.approx((train_loss, test_loss), rel=1e-12)
    assert f"test {test_loss:.3f}" in lab.panels[1]["title"]


def test_mini_batches_visit_every_training_point_once_per_epoch(lab):
    lab.controls["batch_size"].value = 16
    seen = np.concatenate([lab._next_batch() for _ in range(len(lab.X_train) // 16)])
    assert len(set(seen.tolist())) == len(seen) == (len(lab.X_train) // 16) * 16


def test_it_learns_xor_and_circles():
    for dataset in ("xor", "circles"):
        lab = RegularizationLab(dataset=dataset, optimizer="Adam", lr=0.03)
        for _ in range(40):
            lab.advance()
        step, train_loss, test_loss, train_accuracy, test_accuracy = lab.history[-1]
        assert step == 400 and test_accuracy > 0.9 and test_loss < lab.history[0][2] / 3


def test_l2_shrinks_the_weights_and_dropout_drops_units():
    norms = {}
    for l2 in (0.0, 0.1):
        lab = RegularizationLab(dataset="circles", l2=l2)
        for _ in range(30):
            lab.advance()
        norms[l2] = sum(float(np.sum(w.data ** 2)) for w in lab.weights)
    assert norms[0.1] < 0.5 * norms[0.0]
    lab = RegularizationLab(dropout=0.5)
    lab.model.train()
    hidden = nn.Sequential(*lab.model[:3])(lab.X_train)  # Linear → Tanh → Dropout
    dropped = np.mean(hidden == 0)
    assert all(m.p == 0.5 for m in lab.model if isinstance(m, nn.Dropout)) and 0.4 < dropped < 0.6


# -- every control changes the scene; live ones keep training, the others start again ----------------------------

NEW_VALUES = {
    "dataset": "spirals", "activation": "relu", "optimizer": "Adam", "normalization": "layer norm", "layers": 3,
    "units": 3, "noise": 0.3, "test_fraction": 0.3, "seed": 4, "lr": 0.03, "batch_size": 64,
    "steps_per_frame": 20, "l1": 1e-3, "l2": 1e-2, "dropout": 0.25,
}
LIVE = {"lr", "batch_size", "steps_per_frame", "l1", "l2", "dropout"}


def test_every_control_is_covered(lab):
    assert set(NEW_VALUES) == set(lab.controls)


@pytest.mark.parametrize("name", sorted(NEW_VALUES))
def test_every_control_changes_the_scene_while_training_and_only_the_structural_ones_start_again(lab, name):
    lab.play.start()
    lab.play.tick()
    before, steps = fingerprint(lab.panels), lab.steps
    assert steps == 20
    lab.controls[name].value = NEW_VALUES[name]
    assert fingerprint(lab.panels) != before
    assert lab.steps == (steps if name in LIVE else 0)
    assert lab.play.play.value, "changing a control must not stop training"
    lab.play.tick()
    assert lab.steps == (steps if name in LIVE else 0) + lab.controls["steps_per_frame"].value


def test_live_settings_reach_the_optimizers_and_the_dropout_layers(lab):
    lab.controls["lr"].value = 0.01
    lab.controls["l2"].value = 3e-3
    lab.controls["dropout"].value = 0.4
    weights, others = lab.optimizers
    assert weights.param_groups[0]["lr"] == others.param_groups[0]["lr"] == 0.01
    assert (weights.param_groups[0]["weight_decay"], others.param_groups[0]["weight_decay"]) == (3e-3, 0.0)
    assert {m.p for m in lab.model if isinstance(m, nn.Dropout)} == {0.4}
    assert "SGD · lr 0.01 · L1 0 · L2 0.003" in texts(lab.panels)
    assert "dropout 0.40 · batch 16 · 10 steps per frame" in texts(lab.panels)


def test_a_batch_larger_than_the_training_set_is_shown_as_chosen_and_uses_every_point(lab):
    lab.controls["test_fraction"].value = 0.9  # 30 training points
    lab.controls["batch_size"].value = 64
    assert lab._batch_size() == 30 and "dropout 0.00 · batch 64 (all 30) · 10 steps per frame" in texts(lab.panels)
    lab.controls["batch_size"].value = 128
    assert "dropout 0.00 · batch 128 (all 30) · 10 steps per frame" in texts(lab.panels)


def test_the_settings_line_names_decoupled_weight_decay_for_adamw(lab):
    lab.controls["optimizer"].value = "AdamW"
    assert any("decoupled decay" in t for t in texts(lab.panels))


def test_reset_puts_back_every_control_the_data_and_the_network_and_pauses(lab):
    initial = {name: control.value for name, control in lab.controls.items()}
    first_weights = [p.data.copy() for p in lab.model.parameters()]
    first_scene = fingerprint(lab.panels)
    lab.play.start()
    for name, value in NEW_VALUES.items():
        lab.controls[name].value = value
    lab.play.tick()
    lab.play.reset_button.click()
    assert {name: control.value for name, control in lab.controls.items()} == initial
    assert lab.steps == 0 and not lab.play.play.value
    for ours, theirs in zip(lab.model.parameters(), first_weights, strict=True):
        np.testing.assert_array_equal(ours.data, theirs)
    assert fingerprint(lab.panels) == first_scene


# -- the picture -------------------------------------------------------------------------------------------------


def test_the_picture_has_the_map_the_points_the_losses_and_one_picture_per_unit(lab):
    for _ in range(3):
        lab.advance()
    boundary, loss, _settings, units = lab.panels
    (image,) = items(boundary, "image")
    assert (image["nx"], image["ny"]) == (GRID, GRID)
    shown = sum(len(floats(points, "x")) for points in items(boundary, "points"))
    assert shown == N_SAMPLES
    train_curve, test_curve = items(loss, "line")
    np.testing.assert_allclose(floats(test_curve, "y"), [row[2] for row in lab.history], rtol=1e-6)
    np.testing.assert_allclose(floats(train_curve, "x"), [row[0] for row in lab.history])
    (mosaic,) = items(units, "image")
    assert (mosaic["nx"], mosaic["ny"]) == (6 * UNIT_GRID + 5 * UNIT_GAP, 2 * UNIT_GRID + UNIT_GAP)
    assert {"class 0", "class 1", "train", "test", "P(class 1)", "layer 1", "layer 2"} <= set(texts(lab.panels))


def test_each_units_picture_is_its_output_over_the_plane_scaled_to_its_largest_magnitude(lab):
    lab.advance()
    lab.model.eval()
    first_layer = lab.model[1](lab.model[0](lab.unit_grid))  # Linear → Tanh, evaluation mode
    second_layer = lab.model[4](lab.model[3](first_layer))  # (Dropout at 2 and 5: the identity here)
    hidden, logits = lab.unit_outputs(lab.unit_grid)
    np.testing.assert_allclose(hidden[0], first_layer)
    np.testing.assert_allclose(hidden[1], second_layer)
    np.testing.assert_allclose(logits, lab.model(lab.unit_grid)[:, 0])
    (image,) = items(lab.panels[3], "image")
    rgba = np.frombuffer(image["rgba"], dtype=np.uint8).reshape(image["ny"], image["nx"], 4)
    step = UNIT_GRID + UNIT_GAP
    for layer, outputs in enumerate((first_layer, second_layer)):
        bottom = (1 - layer) * step  # row 0 of the image is at the bottom: layer 1 is the upper row
        for unit in (0, 5):
            values = outputs[:, unit] / np.abs(outputs[:, unit]).max()
            expected = colormap_rgba(DIVERGING_CMAP, (values + 1) / 2) * 255
            block = rgba[bottom:bottom + UNIT_GRID, unit * step:unit * step + UNIT_GRID].reshape(-1, 4)
            np.testing.assert_allclose(block, expected, atol=1.0)
    assert len(np.unique(rgba.reshape(-1, 4), axis=0)) > 20  # pictures, not flat colours


def test_the_largest_network_fits_in_the_units_panel():
    lab = RegularizationLab(layers=MAX_LAYERS, units=MAX_UNITS)
    panel = lab.panels[3]
    (x0, x1), (y0, y1) = panel["xlim"], panel["ylim"]
    (picture,) = items(panel, "image")
    left, right, bottom, top = picture["extent"]
    assert x0 <= left and right <= x1 and y0 <= bottom and top <= y1
    assert (picture["nx"], picture["ny"]) == (MAX_UNITS * (UNIT_GRID + UNIT_GAP) - UNIT_GAP,
                                              MAX_LAYERS * (UNIT_GRID + UNIT_GAP) - UNIT_GAP)


# -- where training cannot go on -------------------------------------------------------------------------------


def test_batch_norm_with_batches_of_one_says_so_and_does_not_train():
    lab = RegularizationLab(normalization="batch norm", batch_size=1)
    assert lab.advance() is False and lab.steps == 0
    assert any("batch norm needs at least 2 points per batch" in t for t in texts(lab.panels))
    lab.controls["batch_size"].value = 2
    assert lab.advance() is True and lab.steps == 10


def test_diverged_weights_stop_playing_with_a_message(lab):
    lab.play.start()
    lab.model[0].weight.data[:] = 1e308
    lab.controls["lr"].value = 3.0
    lab.play.tick()
    assert lab.diverged and not lab.play.play.value
    assert any("diverged" in t for t in texts(lab.panels))
    lab.controls["seed"].value = 1  # a new network trains again
    assert not lab.diverged and lab.advance() is True


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dataset": "stripes"}, "dataset must be one of"),
        ({"noise": 0.9}, "noise must be a number from 0.0 to 0.5"),
        ({"test_fraction": 0.0}, "test_fraction"),
        ({"layers": 5}, "layers must be an integer from 0 to 4"),
        ({"units": 0}, "units"),
        ({"activation": "softmax"}, "activation"),
        ({"normalization": "group norm"}, "normalization"),
        ({"optimizer": "LBFGS"}, "optimizer"),
        ({"lr": 0.05}, "lr must be one of"),
        ({"l1": -1.0}, "l1"),
        ({"l2": 2.0}, "l2"),
        ({"dropout": 0.9}, "dropout"),
        ({"batch_size": 3}, "batch_size"),
        ({"steps_per_frame": 0}, "steps_per_frame"),
        ({"seed": 1.5}, "seed"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=f"RegularizationLab: {message}"):
        RegularizationLab(**kwargs)


def test_every_data_set_can_be_chosen(lab):
    assert set(lab.controls["dataset"].options) == set(PLANAR_DATASETS)
