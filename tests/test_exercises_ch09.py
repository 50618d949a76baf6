"""Chapter 9 checkers: a right answer passes; an unsolved stub and typical mistakes get a specific hint."""

import numpy as np
import pytest
import torch
from torch import nn

from nncourse.exercises import ch09
from nncourse.gpu import MLP


def stub(*args):
    raise NotImplementedError()


def assert_rejected(result, words):
    assert not result.passed
    assert words in result.message, result.message
    assert "Traceback" not in result.message


# -- FLOPs -------------------------------------------------------------------------------------------------


def training_flops(sizes, batch_size):
    pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
    return sum((2 if layer == 0 else 3) * 2 * batch_size * a * b for layer, (a, b) in enumerate(pairs))


def products(sizes, batch_size):
    return batch_size * sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def test_flops_right_answer_passes_and_equals_pytorchs_count():
    assert ch09.check_training_flops(training_flops).passed
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        nn.functional.cross_entropy(MLP([64, 100, 10])(torch.randn(9, 64)), torch.zeros(9, dtype=torch.long)).backward()
    assert training_flops([64, 100, 10], 9) == counter.get_total_flops()


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (stub, "not implemented"),
        (lambda s, b: 6 * products(s, b), "first layer's input gradient"),
        (lambda s, b: 2 * products(s, b), "forward pass alone"),
        (lambda s, b: training_flops(s, b) // 2, "multiply-add is 2 FLOPs"),
        (lambda s, b: training_flops(s, b) + 1, "the FLOP count is off"),
        (lambda s, b: training_flops(s, b) + 0.5, "whole number"),
        (lambda s, b: None, "is None"),
    ],
)
def test_flops_mistakes_are_explained(fn, words):
    assert_rejected(ch09.check_training_flops(fn), words)


def test_flops_extra_cases_are_scored_and_malformed_ones_refused():
    result = ch09.check_training_flops(lambda s, b: 6 * products(s, b) if len(s) > 4 else training_flops(s, b),
                                       [([10, 8, 8, 8, 3], 7)])
    assert not result.passed and result.score == pytest.approx(2 * 3 / 4)
    with pytest.raises(ValueError, match="extra case 1 is not a valid case"):
        ch09.check_training_flops(training_flops, [([10], 7)])


# -- timing ------------------------------------------------------------------------------------------------


def time_per_call(step, synchronize, clock, warmup, repeats):
    for _ in range(warmup):
        step()
    synchronize()
    start = clock()
    for _ in range(repeats):
        step()
    synchronize()
    return (clock() - start) / repeats


def time_each_call(step, synchronize, clock, warmup, repeats):
    """Also right: every call timed between two synchronisations, the median returned."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        synchronize()
        start = clock()
        step()
        synchronize()
        times.append(clock() - start)
    return float(np.median(times))


def no_final_sync(step, synchronize, clock, warmup, repeats):
    for _ in range(warmup):
        step()
    synchronize()
    start = clock()
    for _ in range(repeats):
        step()
    return (clock() - start) / repeats


def no_warmup(step, synchronize, clock, warmup, repeats):
    synchronize()
    start = clock()
    for _ in range(repeats):
        step()
    synchronize()
    return (clock() - start) / repeats


def no_sync_after_warmup(step, synchronize, clock, warmup, repeats):
    for _ in range(warmup):
        step()
    start = clock()
    for _ in range(repeats):
        step()
    synchronize()
    return (clock() - start) / repeats


@pytest.mark.parametrize("fn", [time_per_call, time_each_call])
def test_timing_right_answers_pass(fn):
    result = ch09.check_timing(fn)
    assert result.passed, result.message


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (stub, "not implemented"),
        (no_final_sync, "time to *launch* the work"),
        (no_warmup, "includes the first call's extra 50 ms"),
        (no_sync_after_warmup, "counts the warm-up's queued work"),
        (lambda step, s, c, w, r: time_per_call(step, s, c, w, r) * 2, "the time per call (seconds) is off"),
        (lambda step, s, c, w, r: 0.002, "step was called 0 times"),
    ],
)
def test_timing_mistakes_are_explained(fn, words):
    assert_rejected(ch09.check_timing(fn), words)


# -- mixed precision ---------------------------------------------------------------------------------------


def amp_step(model, optimizer, scaler, x, y):
    optimizer.zero_grad()
    with torch.autocast(device_type=x.device.type, dtype=torch.float16):
        loss = nn.functional.cross_entropy(model(x), y)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    return loss.item()


def without_autocast(model, optimizer, scaler, x, y):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    return loss.item()


def optimizer_step_instead_of_scaler(model, optimizer, scaler, x, y):
    optimizer.zero_grad()
    with torch.autocast(device_type="cpu", dtype=torch.float16):
        loss = nn.functional.cross_entropy(model(x), y)
    scaler.scale(loss).backward()
    optimizer.step()
    scaler.update()
    return loss.item()


def without_update(model, optimizer, scaler, x, y):
    optimizer.zero_grad()
    with torch.autocast(device_type="cpu", dtype=torch.float16):
        loss = nn.functional.cross_entropy(model(x), y)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    return loss.item()


def returns_scaled_loss(model, optimizer, scaler, x, y):
    optimizer.zero_grad()
    with torch.autocast(device_type="cpu", dtype=torch.float16):
        loss = nn.functional.cross_entropy(model(x), y)
    scaled = scaler.scale(loss)
    scaled.backward()
    scaler.step(optimizer)
    scaler.update()
    return scaled.item()


def test_amp_right_answer_passes():
    result = ch09.check_amp_step(amp_step)
    assert result.passed, result.message


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (stub, "not implemented"),
        (without_autocast, "float32 weights"),
        (optimizer_step_instead_of_scaler, "scaler.step(optimizer)"),
        (without_update, "call scaler.update()"),
        (returns_scaled_loss, "Return the unscaled loss"),
        (lambda *args: None, "is None"),
    ],
)
def test_amp_mistakes_are_explained(fn, words):
    assert_rejected(ch09.check_amp_step(fn), words)


# -- the open-ended task -----------------------------------------------------------------------------------


def train_on_device(X, y, device):
    torch.manual_seed(0)
    model = MLP([64, 128, 10]).to(device)
    X, y = X.to(device), y.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(10):
        for index in torch.randperm(len(X), device=device).split(64):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(X[index]), y[index]).backward()
            optimizer.step()
    return model


def test_a_trained_model_passes_and_an_untrained_one_is_told_its_accuracy():
    result = ch09.check_device_training(train_on_device)
    assert result.passed, result.message
    assert_rejected(ch09.check_device_training(lambda X, y, device: MLP([64, 10]).to(device)),
                    "below the target 0.95")


def test_a_model_left_on_another_device_is_refused():
    def on_meta(X, y, device):
        return MLP([64, 10]).to("meta")

    assert_rejected(ch09.check_device_training(on_meta), "call model.to(device)")
    assert_rejected(ch09.check_device_training(lambda X, y, device: "model"), "torch.nn.Module")


RIGHT_ANSWERS = {
    "check_training_flops": (training_flops,),
    "check_timing": (time_per_call,),
    "check_amp_step": (amp_step,),
    "check_device_training": (train_on_device,),
}


@pytest.mark.parametrize("exercise", ch09.EXERCISES, ids=lambda exercise: exercise.grade_id)
@pytest.mark.parametrize("answer", [None, 3, "text", lambda *args: None, lambda *args: [][0],
                                    lambda *args: np.ones((50, 50, 50))])
def test_no_checker_raises_or_passes_on_odd_answers(exercise, answer):
    result = getattr(ch09, exercise.checker)(answer)
    assert not result.passed and result.score == 0
    assert "Traceback" not in result.message
