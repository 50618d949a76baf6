"""Checkers for the exercises of Chapter 9 (PyTorch on GPU). All of them run on a CPU.

Each checker runs the learner's code on small, seeded inputs; the right answers come from the course's own
code (:mod:`nncourse.perf`'s FLOP count, :func:`nncourse.gpu.benchmark` on a
:class:`~nncourse.gpu.SimulatedDevice`, :func:`nncourse.gpu.amp_training_step`), and typical mistakes get a
specific hint:

* ``check_training_flops(fn)``: ``fn(sizes, batch_size)`` returns the FLOPs of the matrix products of one
  training step (the first layer's input needs no gradient).
* ``check_timing(fn)``: ``fn(step, synchronize, clock, warmup, repeats)`` returns seconds per call of
  ``step`` on an asynchronous (simulated) device.
* ``check_amp_step(fn)``: ``fn(model, optimizer, scaler, x, y)`` takes one float16 mixed-precision step
  with a ``torch.amp.GradScaler`` and returns the loss.
* ``check_device_training(train)``: the open-ended task; ``train(X, y, device)`` returns a PyTorch model on
  ``device`` that reaches :data:`TARGET_ACCURACY` on the held-out digits.

The first three take ``extra_cases``: more argument tuples (an instructor's hidden tests), scored like the
built-in ones.
"""

import numpy as np

from nncourse.exercises._checker import (
    Exercise,
    Hint,
    attempt,
    call,
    compare,
    diagnose,
    extra,
    grade,
    numbers,
    one_number,
    require,
    whole_number,
)
from nncourse.perf import training_step_flops

__all__ = [
    "EXERCISES",
    "TARGET_ACCURACY",
    "check_amp_step",
    "check_device_training",
    "check_timing",
    "check_training_flops",
]

FLOPS = Exercise(9, "ch09-training-flops-check", "The FLOPs of a training step", 2, "check_training_flops")
TIMING = Exercise(9, "ch09-timing-check", "Timing an asynchronous device correctly", 3, "check_timing")
AMP = Exercise(9, "ch09-amp-step-check", "A mixed-precision training step", 3, "check_amp_step")
DEVICE_TRAINING = Exercise(9, "ch09-device-training-check", "Device-agnostic training to 95 %", 3,
                           "check_device_training")
EXERCISES = (FLOPS, TIMING, AMP, DEVICE_TRAINING)


# ---------------------------------------------------------------------------------------------------------
# FLOPs


def check_training_flops(fn, extra_cases=()):
    """``fn(sizes, batch_size)`` returns the FLOPs of one training step's matrix products.

    >>> def flops(sizes, batch_size):
    ...     pairs = list(zip(sizes[:-1], sizes[1:]))
    ...     return sum((4 if layer == 0 else 6) * batch_size * a * b for layer, (a, b) in enumerate(pairs))
    >>> check_training_flops(flops).passed
    True
    """
    cases = [(f"sizes = {sizes}, batch_size = {batch}", (sizes, batch))
             for sizes, batch in (([64, 64, 10], 32), ([784, 512, 256, 10], 128), ([20, 7], 5))]
    cases += extra(extra_cases, training_step_flops, "check_training_flops")
    outcomes = [attempt(_flops_case, fn, *args, on=on) for on, args in cases]
    return grade(FLOPS, outcomes, "2BNM per product: forward, weight gradient, and input gradient after layer 1.")


def _flops_case(fn, sizes, batch_size, *, on):
    expected = training_step_flops(sizes, batch_size)
    got = whole_number(call(fn, list(sizes), batch_size, on=on), "the FLOP count", on)
    products = sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True)) * batch_size
    diagnose(got, expected, [
        (6 * products, f"you also counted the first layer's input gradient (on {on}): nothing needs ∂L/∂X of the "
                       "data, so PyTorch never computes it."),
        (2 * products, f"that is the forward pass alone (on {on}): the backward pass adds the weight gradient and "
                       "the input gradient, two products of the same size."),
        (expected // 2, f"a multiply-add is 2 FLOPs (on {on}): a (B×n)(n×m) product takes 2Bnm."),
        (3 * products, f"a multiply-add is 2 FLOPs, and the first layer needs no input gradient (on {on})."),
    ])
    require(got == expected, f"the FLOP count is off (on {on}): expected {expected:,}, got {got:,}.")


# ---------------------------------------------------------------------------------------------------------
# Timing


FIRST_CALL = 0.05  # seconds the first call of a step costs the host (allocation, autotuning, compilation)


def _timing_reference(step_seconds, warmup, repeats, launch_overhead=1e-5):
    """The checker's device, a step that queues ``step_seconds`` of work, and the right answer."""
    from nncourse.gpu import SimulatedDevice, benchmark

    device = SimulatedDevice(launch_overhead=launch_overhead)
    calls = []

    def step():
        if not calls:
            device.host_work(FIRST_CALL)
        calls.append(None)
        device.launch(step_seconds)

    reference = SimulatedDevice(launch_overhead=launch_overhead)
    expected = benchmark(lambda: reference.launch(step_seconds), synchronize=reference.synchronize,
                         clock=reference.clock, warmup=warmup, repeats=repeats)
    return device, step, calls, expected


def check_timing(fn, extra_cases=()):
    """``fn(step, synchronize, clock, warmup, repeats)`` returns seconds per call of ``step()``: ``warmup``
    calls, then ``repeats`` calls timed between synchronisations, on a simulated asynchronous device.

    An extra case is ``(step_seconds, warmup, repeats)``.

    >>> def time_per_call(step, synchronize, clock, warmup, repeats):
    ...     for _ in range(warmup):
    ...         step()
    ...     synchronize()
    ...     start = clock()
    ...     for _ in range(repeats):
    ...         step()
    ...     synchronize()
    ...     return (clock() - start) / repeats
    >>> check_timing(time_per_call).passed
    True
    """
    cases = [(f"a step of {seconds * 1e3:g} ms of device work, warmup = {warmup}, repeats = {repeats}",
              (seconds, warmup, repeats)) for seconds, warmup, repeats in ((2e-3, 2, 5), (5e-4, 1, 20))]
    cases += extra(extra_cases, _timing_reference, "check_timing")
    outcomes = [attempt(_timing_case, fn, *args, on=on) for on, args in cases]
    return grade(TIMING, outcomes, "warm-up, then the clock read between two synchronisations.")


def _wrong_timing(step_seconds, warmup, repeats, *, warm=True, sync_start=True, sync_stop=True):
    """What a typical wrong timing loop measures on the checker's device."""
    device, step, _, _ = _timing_reference(step_seconds, warmup, repeats)
    for _ in range(warmup if warm else 0):
        step()
    if sync_start:
        device.synchronize()
    start = device.clock()
    for _ in range(repeats):
        step()
    if sync_stop:
        device.synchronize()
    return (device.clock() - start) / repeats


def _timing_case(fn, step_seconds, warmup, repeats, *, on):
    device, step, calls, expected = _timing_reference(step_seconds, warmup, repeats)
    got = one_number(call(fn, step, device.synchronize, device.clock, warmup, repeats, on=on, copy_args=False),
                     "the time per call", on)
    args = (step_seconds, warmup, repeats)
    diagnose(got, expected, [
        (_wrong_timing(*args, sync_stop=False), f"{got * 1e6:.3g} µs per call is the time to *launch* the work, not "
                                                f"to do it (on {on}): call synchronize() before reading the clock at "
                                                "the end."),
        (_wrong_timing(*args, warm=False), f"{got * 1e3:.3g} ms per call includes the first call's extra "
                                           f"{FIRST_CALL * 1e3:g} ms (on {on}): call step warmup times before "
                                           "starting the clock."),
        (_wrong_timing(*args, sync_start=False), f"{got * 1e3:.3g} ms per call also counts the warm-up's queued work "
                                                 f"(on {on}): call synchronize() after the warm-up, before starting "
                                                 "the clock."),
    ])
    require(len(calls) == warmup + repeats, f"step was called {len(calls)} times (on {on}): call it warmup = "
                                            f"{warmup} times, then repeats = {repeats} times.")
    # Timing every call between two synchronisations is right too: it adds one launch overhead per call.
    compare(got, expected, what="the time per call (seconds)", on=on, rtol=0.03, atol=0)


# ---------------------------------------------------------------------------------------------------------
# A mixed-precision step


def _amp_setup(seed, init_scale):
    import torch

    from nncourse.gpu import MLP

    torch.manual_seed(seed)
    model = MLP([16, 32, 5])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    scaler = torch.amp.GradScaler("cpu", init_scale=init_scale)
    x, y = torch.randn(24, 16), torch.randint(0, 5, (24,))
    return model, optimizer, scaler, x, y


def _amp_reference(seed, init_scale, steps):
    import torch

    from nncourse.gpu import amp_training_step

    model, optimizer, scaler, x, y = _amp_setup(seed, init_scale)
    losses = [float(amp_training_step(model, optimizer, scaler, x, y, device_type="cpu", dtype=torch.float16))
              for _ in range(steps)]
    return model, scaler, losses


def check_amp_step(fn, extra_cases=()):
    """``fn(model, optimizer, scaler, x, y)`` takes one float16 autocast training step with the ``GradScaler``
    and returns the loss; checked over two steps against :func:`nncourse.gpu.amp_training_step`, and on a
    step whose scaled gradients overflow (which the scaler must skip). An extra case is
    ``(seed, init_scale, steps)``.

    >>> import torch
    >>> from nncourse.gpu import amp_training_step
    >>> check_amp_step(lambda *args: amp_training_step(*args, device_type="cpu", dtype=torch.float16)).passed
    True
    """
    cases = [("two steps of a 16-32-5 MLP, init_scale = 2¹⁶", (0, 2.0**16, 2)),
             ("a step whose scaled gradients overflow float16 (init_scale = 2⁴⁰)", (1, 2.0**40, 1))]
    cases += extra(extra_cases, _amp_reference, "check_amp_step")
    outcomes = [attempt(_amp_case, fn, *args, on=on) for on, args in cases]
    return grade(AMP, outcomes, "autocast for the forward pass, the loss scaled, scaler.step and scaler.update.")


_SCALER_ERRORS = {
    "No inf checks were recorded": "scaler.update() found no step to learn from: call scaler.step(optimizer), which "
                                   "unscales the gradients and checks them for inf, instead of optimizer.step()",
    "step() has already been called since the last update()": "call scaler.update() after scaler.step(optimizer) "
                                                               "in every step: it adapts the scale",
}


def _amp_case(fn, seed, init_scale, steps, *, on):
    import torch

    expected_model, expected_scaler, expected_losses = _amp_reference(seed, init_scale, steps)
    model, optimizer, scaler, x, y = _amp_setup(seed, init_scale)
    for number in range(steps):
        try:
            value = call(fn, model, optimizer, scaler, x, y, on=on, copy_args=False)
        except Hint as hint:
            for error, advice in _SCALER_ERRORS.items():  # PyTorch's own errors for a misused scaler
                if error in str(hint):
                    raise Hint(f"{advice} (on {on}).") from None
            raise
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().float().numpy()
        loss = one_number(value, "the returned loss", on)
        require(np.isfinite(loss), f"the returned loss is {loss} (on {on}): return the loss computed under autocast, "
                                   "not the scaled one.")
        require(abs(loss - expected_losses[number]) <= 1e-2 * abs(expected_losses[number]) + 1e-6,
                f"the returned loss is off at step {number + 1} (on {on}): expected {expected_losses[number]:.4g}, "
                f"got {loss:.4g}. Return the unscaled loss (before scaler.scale).")
    got = {name: p.detach().numpy().astype(np.float64) for name, p in model.named_parameters()}
    expected = {name: p.detach().numpy().astype(np.float64) for name, p in expected_model.named_parameters()}
    weights = got["net.0.weight"]
    require(np.all(np.isfinite(weights)), f"the weights became infinite or NaN (on {on}): call "
                                          "scaler.step(optimizer), which unscales the gradients and skips a step "
                                          "whose gradients overflowed, instead of optimizer.step().")
    if init_scale > 2.0**30:
        require(np.allclose(weights, expected["net.0.weight"]), f"the weights changed although the scaled gradients "
                                                                 f"overflowed (on {on}): use scaler.step(optimizer), "
                                                                 "which skips such a step.")
        require(scaler.get_scale() == expected_scaler.get_scale(),
                f"the scale is {scaler.get_scale():g}, expected {expected_scaler.get_scale():g} after an overflow "
                f"(on {on}): call scaler.update() after scaler.step, which halves the scale.")
        return
    initial = _amp_setup(seed, init_scale)[0].net[0].weight.detach().numpy().astype(np.float64)
    require(not np.allclose(weights, initial), f"the weights did not change (on {on}): call "
                                               "scaler.scale(loss).backward() and then scaler.step(optimizer).")
    require(np.abs(weights - initial).max() < 1e3 * np.abs(expected["net.0.weight"] - initial).max(),
            f"the steps are far too large (on {on}): the gradients are still multiplied by the scale; let "
            "scaler.step(optimizer) unscale them instead of calling optimizer.step().")
    for name in expected:
        if not np.allclose(got[name], expected[name], rtol=1e-5, atol=1e-6):
            fp32_model = _fp32_steps(seed, init_scale, steps)
            if np.allclose(got[name], fp32_model[name], rtol=1e-5, atol=1e-6):
                raise Hint(f"these are float32 weights (on {on}): run the forward pass and the loss inside "
                           "`with torch.autocast(device_type='cpu', dtype=torch.float16):`.")
            compare(got[name], expected[name], what=f"{name} after {steps} steps", on=on, rtol=1e-5, atol=1e-6)


def _fp32_steps(seed, init_scale, steps):
    import torch

    model, optimizer, _, x, y = _amp_setup(seed, init_scale)
    for _ in range(steps):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    return {name: p.detach().numpy().astype(np.float64) for name, p in model.named_parameters()}


# ---------------------------------------------------------------------------------------------------------
# The open-ended task


TARGET_ACCURACY = 0.95
"""The held-out accuracy the open-ended exercise asks for."""


def check_device_training(train):
    """``train(X, y, device)`` gets the training digits as CPU tensors (float32 images ``(N, 64)``, int64
    labels) and a ``torch.device``; it returns a PyTorch model whose parameters live on ``device`` and which
    reaches :data:`TARGET_ACCURACY` on the held-out digits (moved to ``device`` by the checker). The device
    is :func:`nncourse.gpu.choose_device`'s: the GPU where there is one, else the CPU.

    >>> check_device_training(lambda X, y, device: None).message
    'train returned None (on the training digits): did you forget to `return` the model?'
    """
    reached = []  # the case appends the accuracy it measured and the device type
    outcome = attempt(_device_training_case, train, reached, on="the training digits")
    success = f"held-out accuracy {reached[0]:.3f} ≥ {TARGET_ACCURACY} on the {reached[1]}." if reached else ""
    return grade(DEVICE_TRAINING, [outcome], success)


def _device_training_case(train, reached, *, on):
    import torch

    from nncourse.data import load_digits
    from nncourse.gpu import choose_device

    (X_train, y_train), (X_val, y_val) = load_digits(return_split=True)
    device = choose_device()
    torch.manual_seed(0)
    model = call(train, torch.from_numpy(X_train), torch.from_numpy(y_train).long(), device, on=on)
    require(model is not None, f"train returned None (on {on}): did you forget to `return` the model?")
    require(isinstance(model, torch.nn.Module), f"train should return a torch.nn.Module, got "
                                                f"{type(model).__name__}.")
    places = {p.device.type for p in model.parameters()}
    require(places == {device.type}, f"the model's parameters are on {sorted(places)}, expected all on "
                                     f"{device.type!r}: call model.to(device) once, before training.")
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(X_val).to(device))
    logits = numbers(logits.detach().float().cpu().numpy(), "the model's output", "the held-out digits",
                     shape=(len(X_val), 10))
    require(bool(np.all(np.isfinite(logits))), "the logits contain NaN or infinity (on the held-out digits): "
                                               "training diverged; lower the learning rate.")
    accuracy = float(np.mean(logits.argmax(axis=1) == y_val))
    require(accuracy >= TARGET_ACCURACY, f"held-out accuracy {accuracy:.3f}, below the target {TARGET_ACCURACY}: "
                                         "train longer, or with a better learning rate or optimizer.")
    reached += [accuracy, device.type]
