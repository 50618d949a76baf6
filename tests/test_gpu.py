"""nncourse.gpu: device choice, the timing rules on a simulated asynchronous device, the AMP step, the MLP."""

import numpy as np
import pytest
import torch

from nncourse import nn as cnn
from nncourse.gpu import MLP, SimulatedDevice, amp_training_step, benchmark, choose_device, measure, synchronize


def test_choose_device_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert choose_device() == torch.device("cpu")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert choose_device() == torch.device("mps")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert choose_device() == torch.device("cuda")
    assert choose_device("cpu") == torch.device("cpu")
    with pytest.raises(ValueError, match="prefer must be None, 'cuda', 'mps' or 'cpu', got 'gpu'"):
        choose_device("gpu")


def test_synchronize_on_the_cpu_returns_at_once():
    assert synchronize("cpu") is None


def test_the_simulated_device_queues_work_and_synchronize_waits_for_it():
    device = SimulatedDevice(launch_overhead=1e-5)
    for _ in range(3):
        device.launch(1e-3)
    assert device.clock() == pytest.approx(3e-5)  # the host only paid the launches
    device.synchronize()
    assert device.clock() == pytest.approx(1e-5 + 3e-3)  # the first kernel starts after its launch
    device.host_work(5e-3)
    device.launch(1e-3)  # an idle device starts the new work at once
    device.synchronize()
    assert device.clock() == pytest.approx(1e-5 + 3e-3 + 5e-3 + 1e-5 + 1e-3)


def test_benchmark_measures_the_work_not_the_launches_nor_the_first_call():
    device = SimulatedDevice(launch_overhead=1e-5)
    calls = []

    def step():
        if not calls:
            device.host_work(0.1)
        calls.append(None)
        device.launch(2e-3)

    seconds = benchmark(step, synchronize=device.synchronize, clock=device.clock, warmup=2, repeats=8)
    assert len(calls) == 10
    assert seconds == pytest.approx((1e-5 + 8 * 2e-3) / 8)
    with pytest.raises(ValueError, match="repeats ≥ 1"):
        benchmark(step, repeats=0)


def test_measure_reports_wall_or_cpu_time_of_a_real_call():
    x = torch.randn(256, 256)
    wall = measure(lambda: x @ x, "cpu", min_run_time=0.02)
    cpu = measure(lambda: x @ x, "cpu", min_run_time=0.02, cpu_time=True)
    assert 0 < wall < 0.1 and 0 < cpu < 0.1
    with pytest.raises(ValueError, match="cpu_time=True measures CPU work"):
        measure(lambda: None, "cuda", cpu_time=True)


def test_the_torch_mlp_computes_what_the_course_mlp_computes():
    ours = cnn.build_mlp([5, 7, 3], dtype=np.float64, rng=0)
    theirs = MLP([5, 7, 3], dtype=torch.float64)
    with torch.no_grad():
        for index in (0, 2):
            theirs.net[index].weight.copy_(torch.from_numpy(ours[index].weight.data))
            theirs.net[index].bias.copy_(torch.from_numpy(ours[index].bias.data))
    x = np.random.default_rng(1).normal(size=(4, 5))
    np.testing.assert_allclose(theirs(torch.from_numpy(x)).detach().numpy(), ours(x), rtol=1e-14)
    with pytest.raises(ValueError, match="at least two layer widths"):
        MLP([5])


def test_amp_step_skips_an_overflowing_step_and_halves_the_scale():
    torch.manual_seed(0)
    model = MLP([8, 16, 3])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0**40)
    before = [p.detach().clone() for p in model.parameters()]
    x, y = torch.randn(12, 8), torch.randint(0, 3, (12,))
    loss = amp_training_step(model, optimizer, scaler, x, y, dtype=torch.float16)
    assert torch.isfinite(loss)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    assert scaler.get_scale() == 2.0**39
    amp_training_step(model, optimizer, torch.amp.GradScaler("cpu"), x, y, dtype=torch.float16)
    assert not torch.equal(before[0], model.net[0].weight)


def test_amp_step_with_bf16_and_no_scaler_is_close_to_a_float32_step():
    torch.manual_seed(0)
    model, reference = MLP([8, 16, 3]), MLP([8, 16, 3])
    reference.load_state_dict(model.state_dict())
    x, y = torch.randn(32, 8), torch.randint(0, 3, (32,))
    amp_training_step(model, torch.optim.SGD(model.parameters(), lr=0.1), torch.amp.GradScaler(enabled=False), x, y,
                      dtype=torch.bfloat16)
    amp_training_step(reference, torch.optim.SGD(reference.parameters(), lr=0.1),
                      torch.amp.GradScaler(enabled=False), x, y, enabled=False)
    difference = (model.net[0].weight - reference.net[0].weight).abs().max().item()
    assert 0 < difference < 1e-2  # bf16 rounding changes the step a little, not much
