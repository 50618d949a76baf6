"""Step time, samples per second and model FLOPs utilisation of an MLP training step, on whatever device is here.

For a grid of MLP sizes (64 inputs, ``depth`` hidden layers of ``width``, 10 classes) and batch sizes it
measures one full training step (``zero_grad``, forward, cross-entropy, backward, SGD step) in

* ``fp32``: plain float32 (``torch.set_float32_matmul_precision("highest")``);
* ``tf32``: float32 with TF32 matrix products (``"high"``; on a CPU the same as fp32, so skipped there);
* ``bf16``: ``torch.autocast(device_type, dtype=torch.bfloat16)``;
* ``compile``: the fp32 step compiled with ``torch.compile`` (the first call, the compilation, is timed
  separately and left out of the step time).

Times are medians from ``torch.utils.benchmark`` (which warms up and synchronises CUDA), run for at least
``--min-run-time`` seconds. On a CPU with one thread (``--threads 1``) they are the CPU time of this process
(``time.process_time``), which leaves out the time spent waiting for a core on a shared machine; otherwise
wall-clock time. MFU = ``nncourse.perf.training_step_flops`` / step time / peak, where the peak
is the data sheet's dense rate for the precision (``nncourse.perf.PEAKS``) on a known GPU, and on a CPU the
measured rate of a large matrix product in that precision (a CPU has no data-sheet figure here; the
measured rate is the most a step can reach, so CPU MFU is relative to that).

Run from the repository root (on a CPU the full grid takes minutes, most of it the first compilations)::

    python benchmarks/bench_gpu.py                 # the whole grid, markdown table on stdout
    python benchmarks/bench_gpu.py --quick         # two sizes, three batch sizes, no compile (CPU: ~1 min)
    python benchmarks/bench_gpu.py --threads 1     # CPU: one thread (the notebook tests' setting)
"""

import argparse
import time

import torch
from torch import nn

from nncourse import perf
from nncourse.gpu import MLP, choose_device, measure

GRID = {"sizes": [(256, 2), (1024, 2), (4096, 2)], "batches": [32, 256, 2048, 16384]}
QUICK = {"sizes": [(256, 2), (1024, 2)], "batches": [32, 256, 2048]}


def make_step(sizes, batch, device, precision):
    torch.manual_seed(0)
    model = MLP(sizes).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(batch, sizes[0], device=device)
    y = torch.randint(0, sizes[-1], (batch,), device=device)

    def step():
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=precision == "bf16"):
            loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
    return step


def peak_rates(device, min_run_time, cpu_time):
    """Peak FLOP/s per precision: the data sheet's for a known GPU, else a large matmul measured here."""
    if device.type == "cuda":
        peak = perf.find_peak(torch.cuda.get_device_name(device))
        if peak is not None:
            return {p: peak.flops.get(p) for p in ("fp32", "tf32", "bf16")} | {"compile": peak.flops["fp32"]}, \
                f"data sheet: {peak.source}"
    rates = {}
    for precision, dtype in [("fp32", torch.float32), ("bf16", torch.bfloat16)]:
        n = 1024 if device.type != "cpu" else 512
        a, b = torch.randn(n, n, dtype=dtype, device=device), torch.randn(n, n, dtype=dtype, device=device)
        rates[precision] = 2 * n**3 / measure(lambda a=a, b=b: a @ b, device, min_run_time, cpu_time=cpu_time)
    rates["tf32"] = rates["compile"] = rates["fp32"]
    return rates, "measured: a large matrix product in each precision"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller grid, no torch.compile")
    parser.add_argument("--min-run-time", type=float, default=0.2, help="seconds per measurement")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: PyTorch's)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = choose_device()
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU, {torch.get_num_threads()} thread(s)"
    grid = QUICK if args.quick else GRID
    precisions = ["fp32", "bf16"] + (["tf32"] if device.type == "cuda" else []) + ([] if args.quick else ["compile"])
    cpu_time = device.type == "cpu" and torch.get_num_threads() == 1
    peaks, peak_source = peak_rates(device, args.min_run_time, cpu_time)
    print(f"device: {name}; PyTorch {torch.__version__}; {'CPU' if cpu_time else 'wall-clock'} time; "
          f"peak ({peak_source}):",
          ", ".join(f"{p} {peaks[p] / 1e12:.3g} TFLOP/s" for p in ("fp32", "tf32", "bf16") if peaks.get(p)))
    print()
    print("| sizes | batch | precision | ms / step | samples / s | TFLOP/s | MFU |")
    print("|---|---|---|---|---|---|---|")
    for width, depth in grid["sizes"]:
        sizes = [64] + [width] * depth + [10]
        for precision in precisions:
            for batch in grid["batches"]:
                torch.set_float32_matmul_precision("high" if precision == "tf32" else "highest")
                step = make_step(sizes, batch, device, precision)
                note = ""
                if precision == "compile":
                    step = torch.compile(step)
                    start = time.perf_counter()
                    step()
                    note = f" (first call {time.perf_counter() - start:.1f} s)"
                seconds = measure(step, device, args.min_run_time, cpu_time=cpu_time)
                flops = perf.training_step_flops(sizes, batch)
                mfu = f"{flops / seconds / peaks[precision]:.1%}" if peaks.get(precision) else "—"
                print(f"| {'-'.join(map(str, sizes))} | {batch} | {precision}{note} | {seconds * 1e3:.3f} | "
                      f"{batch / seconds:,.0f} | {flops / seconds / 1e12:.3g} | {mfu} |", flush=True)
    torch.set_float32_matmul_precision("highest")


if __name__ == "__main__":
    main()
