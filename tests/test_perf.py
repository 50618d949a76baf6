"""nncourse.perf: the FLOP count agrees with PyTorch's own counter; the roofline and the peak table behave."""

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from nncourse import perf
from nncourse.gpu import MLP


@pytest.mark.parametrize(("sizes", "batch"), [([64, 64, 10], 32), ([784, 512, 256, 10], 128), ([3, 5], 7)])
def test_training_step_flops_equal_what_pytorch_counts_for_forward_and_backward(sizes, batch):
    model = MLP(sizes)
    x, y = torch.randn(batch, sizes[0]), torch.randint(0, sizes[-1], (batch,))
    with FlopCounterMode(display=False) as counter:
        torch.nn.functional.cross_entropy(model(x), y).backward()
    assert perf.training_step_flops(sizes, batch) == counter.get_total_flops()


def test_the_input_gradient_adds_the_first_layers_third_product():
    x = torch.randn(16, 20, requires_grad=True)
    model = MLP([20, 30, 4])
    with FlopCounterMode(display=False) as counter:
        model(x).sum().backward()
    assert perf.training_step_flops([20, 30, 4], 16, input_grad=True) == counter.get_total_flops()
    assert perf.training_step_flops([20, 30, 4], 16, input_grad=True) == 6 * 16 * (20 * 30 + 30 * 4)


def test_parameter_count_equals_torch_numel():
    model = MLP([784, 256, 256, 10])
    assert perf.parameter_count([784, 256, 256, 10]) == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("bad", [[64], "64,10", [64, 0, 10], [64, 2.5, 10], [64, True]])
def test_bad_sizes_are_refused_with_a_clear_message(bad):
    with pytest.raises(ValueError, match="sizes must"):
        perf.training_step_flops(bad, 8)


@pytest.mark.parametrize("bad", [0, -3, 2.0, True])
def test_bad_batch_sizes_are_refused(bad):
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        perf.training_step_flops([4, 3], bad)


def test_kernels_cover_the_product_flops_and_count_launches():
    sizes = [64, 128, 128, 10]
    kernels = perf.training_step_kernels(sizes, 64)
    products = [k for k in kernels if k.name.startswith(("addmm", "grad W", "grad input"))]
    assert sum(k.flops for k in products) - sum(64 * b for b in sizes[1:]) == perf.training_step_flops(sizes, 64)
    # forward: 3 addmm + 2 relu; loss 1; backward: 2 relu, 3 grad W, 3 grad b, 2 grad input; SGD: 6 tensors
    assert len(kernels) == 5 + 1 + 10 + 6
    half = perf.training_step_kernels(sizes, 64, "bf16")
    assert len(half) == len(kernels) + 3  # one cast per weight matrix
    assert sum(k.bytes for k in half if k.name.startswith("addmm")) * 2 == sum(
        k.bytes for k in kernels if k.name.startswith("addmm"))


def test_roofline_picks_the_binding_limit():
    assert perf.roofline_time(1e9, 1e6, peak_flops=1e12, bandwidth=1e12) == pytest.approx(1e-3)  # compute
    assert perf.roofline_time(1e6, 1e9, peak_flops=1e12, bandwidth=1e12) == pytest.approx(1e-3)  # memory
    with pytest.raises(ValueError, match="must be positive"):
        perf.roofline_time(1, 1, peak_flops=0, bandwidth=1)


def test_prediction_moves_from_overhead_to_compute_bound_as_the_batch_grows():
    h100 = perf.PEAKS["H100 SXM5"]
    sizes = [64, 4096, 4096, 10]
    small = perf.predict_step_time([64, 1024, 1024, 10], 8, peak_flops=h100.peak("bf16"), bandwidth=h100.bandwidth,
                                   launch_overhead=5e-6, precision="bf16")
    # With 4096² weights a batch of 8 is memory-bound: reading the 33 MB of bf16 weights takes 10 µs.
    weights = perf.predict_step_time(sizes, 8, peak_flops=h100.peak("bf16"), bandwidth=h100.bandwidth,
                                     launch_overhead=5e-6, precision="bf16")
    assert max(weights[1], key=weights[1].get) == "memory"
    large = perf.predict_step_time(sizes, 65536, peak_flops=h100.peak("bf16"), bandwidth=h100.bandwidth,
                                   launch_overhead=5e-6, precision="bf16")
    assert max(small[1], key=small[1].get) == "overhead"
    assert max(large[1], key=large[1].get) == "compute"
    # Compute-bound: the time approaches FLOPs / peak from above.
    ideal = perf.training_step_flops(sizes, 65536) / h100.peak("bf16")
    assert ideal < large[0] < 1.5 * ideal
    assert small[0] == pytest.approx(sum(small[1].values()))


def test_peak_table_rows_are_dense_rates_with_sources():
    for peak in perf.PEAKS.values():
        assert peak.source and peak.bandwidth > 0
        assert all(rate >= peak.flops["fp32"] for rate in peak.flops.values())  # 16-bit never below fp32
    a100 = perf.PEAKS["A100 SXM4 80GB"]
    assert a100.peak("tf32") == 156e12 and a100.peak("bf16") == 312e12  # not the sparsity figures 312 / 624
    assert perf.find_peak("NVIDIA A100-SXM4-40GB").name == "A100 SXM4 40GB"
    assert perf.find_peak("NVIDIA H200").name == "H200 SXM"
    assert perf.find_peak("Tesla T4").name == "T4"
    assert perf.find_peak("NVIDIA GeForce RTX 3050") is None
    with pytest.raises(ValueError, match="T4 has no bf16 peak"):
        perf.PEAKS["T4"].peak("bf16")


def test_model_flops_utilization():
    assert perf.model_flops_utilization(1e12, 0.01, peak_flops=1e15) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="must be positive"):
        perf.model_flops_utilization(1e12, 0.0, peak_flops=1e15)
