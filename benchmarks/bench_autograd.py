"""What automatic differentiation costs: the autograd engine against hand-written layers and PyTorch.

Three measurements, each printed as a table:

1. **Time per training step** (forward, loss, backward, SGD update) of the same MLP with ReLU, in float32:
   (a) ``nncourse.autograd`` (the engine derives every backward from the recorded graph),
   (b) ``nncourse.nn`` (hand-written ``backward`` methods, cs231n style), and
   (c) PyTorch eager on the CPU. Sizes: 64-128-10 with cross-entropy on digits-sized batches (64 and 1,000
   rows of 64 pixels), and 2-16-16-1 with MSE at batch 32.
2. **Backward / forward cost** of the hand-written layers on networks of growing width (three hidden ReLU
   layers, batch 64): backpropagation costs a small constant times the forward pass, whatever the size.
3. **Numerical differentiation cost** (central differences, ``nncourse.gradcheck.numerical_gradient``) of
   all parameters of a float64 MLP 8-h-4 against one forward + backward pass: it grows with the number of
   parameters P (2P forward passes), while backpropagation stays at about one forward pass and one backward.

Fairness: every (library, size) runs in its own fresh Python process with ONE thread (``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS`` = 1 before NumPy or torch is imported, and
``torch.set_num_threads(1)``); each warms up, then times single steps with ``time.perf_counter`` for about
``--seconds`` seconds and reports the median.

Run (about half a minute with the defaults)::

    python benchmarks/bench_autograd.py
    python benchmarks/bench_autograd.py --seconds 0.5
"""

import argparse
import json
import os
import subprocess
import sys
import time

# The models, data and single steps are the same as the MLP benchmark's (this folder is on sys.path when a
# script in it runs).
from bench_mlp_step import LR, ONE_THREAD, hand_written_model, make_data, nncourse_step, torch_step

STEP_GRID = [((64, 128, 10), 64, "ce"), ((64, 128, 10), 1000, "ce"), ((2, 16, 16, 1), 32, "mse")]
LIBRARIES = ("autograd", "nncourse.nn", "torch")
WIDTHS = (16, 64, 256, 1024)
HIDDEN = (2, 4, 8, 16, 32, 64)


def autograd_step(sizes, batch, loss):
    from nncourse.autograd import MLP, Tensor, cross_entropy, mse_loss

    model = MLP(sizes, "relu", rng=0)
    params = model.parameters()
    x, y = make_data(sizes, batch, loss)
    x = Tensor(x)

    def step():
        model.zero_grad()
        out = model(x)
        (cross_entropy(out, y) if loss == "ce" else mse_loss(out, y)).backward()
        for p in params:
            p.data -= LR * p.grad

    return step


def median_time(fn, seconds, warmup=20):
    """Median wall time of one call of ``fn``, over calls made for about ``seconds`` seconds."""
    import statistics

    for _ in range(warmup):
        fn()
    times, start = [], time.perf_counter()
    while time.perf_counter() - start < seconds or len(times) < 5:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# --------------------------------------------------------------------------- workers (one process each)
def work_step(library, sizes, batch, loss, seconds):
    build = {"autograd": autograd_step, "nncourse.nn": nncourse_step, "torch": torch_step}[library]
    return {"step": median_time(build(sizes, batch, loss), seconds)}


def work_backward_ratio(width, seconds):
    """Median forward (model + loss) and backward (loss + model) times of the hand-written layers."""
    import statistics

    from nncourse import nn

    sizes = (width, width, width, width, 10)
    model = hand_written_model(sizes)
    criterion = nn.CrossEntropyLoss()
    x, y = make_data(sizes, 64, "ce")
    forward, backward = [], []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or len(forward) < 25:
        model.zero_grad()
        t0 = time.perf_counter()
        criterion(model(x), y)
        t1 = time.perf_counter()
        model.backward(criterion.backward())
        t2 = time.perf_counter()
        forward.append(t1 - t0)
        backward.append(t2 - t1)
    n_params = sum(p.data.size for p in model.parameters())
    warm = len(forward) // 5  # the first fifth warms caches up
    return {"params": n_params, "forward": statistics.median(forward[warm:]),
            "backward": statistics.median(backward[warm:])}


def work_numerical(hidden, seconds):
    """One numerical gradient of every parameter against one forward + backward pass (float64)."""
    from nncourse import nn
    from nncourse.gradcheck import numerical_gradient

    sizes = (8, hidden, 4)
    model = hand_written_model(sizes, dtype="float64")
    criterion = nn.CrossEntropyLoss()
    x, y = make_data(sizes, 32, "ce", dtype="float64")

    def backprop():
        model.zero_grad()
        criterion(model(x), y)
        model.backward(criterion.backward())

    def numerical():
        for p in model.parameters():
            numerical_gradient(lambda _: criterion(model(x), y), p.data)

    n_params = sum(p.data.size for p in model.parameters())
    return {"params": n_params, "backprop": median_time(backprop, seconds),
            "numerical": median_time(numerical, seconds, warmup=1)}


def run_worker(task, *args):
    """Run one measurement in a fresh single-threaded Python process and return its JSON result."""
    env = {**os.environ, **ONE_THREAD}
    command = [sys.executable, __file__, "--worker", json.dumps([task, *args])]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def microseconds(seconds):
    return f"{seconds * 1e6:,.0f} µs" if seconds < 0.1 else f"{seconds * 1e3:,.0f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="timing budget per measurement")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        task, *rest = json.loads(args.worker)
        work = {"step": work_step, "ratio": work_backward_ratio, "numerical": work_numerical}[task]
        print(json.dumps(work(*rest, args.seconds)))
        return

    import platform

    import numpy as np
    import torch

    print(f"Python {platform.python_version()}, NumPy {np.__version__}, torch {torch.__version__}, "
          f"{platform.processor() or platform.machine()}, one thread, medians\n")

    print("1. Time per training step (forward, loss, backward, SGD update), float32, ReLU")
    header = f"{'MLP':<12}{'batch':>6}{'autograd':>12}{'nncourse.nn':>13}{'torch':>11}"
    print(header + f"{'autograd/nn':>13}{'autograd/torch':>16}{'nn/torch':>10}")
    for sizes, batch, loss in STEP_GRID:
        t = {lib: run_worker("step", lib, sizes, batch, loss)["step"] for lib in LIBRARIES}
        name = "-".join(map(str, sizes))
        print(f"{name:<12}{batch:>6}{microseconds(t['autograd']):>12}{microseconds(t['nncourse.nn']):>13}"
              f"{microseconds(t['torch']):>11}{t['autograd'] / t['nncourse.nn']:>13.2f}"
              f"{t['autograd'] / t['torch']:>16.2f}{t['nncourse.nn'] / t['torch']:>10.2f}")

    print("\n2. Backward / forward time, hand-written nncourse.nn layers, MLP w-w-w-w-10 (ReLU), batch 64")
    print(f"{'width':>6}{'params':>10}{'forward':>12}{'backward':>12}{'backward/forward':>18}")
    for width in WIDTHS:
        r = run_worker("ratio", width)
        print(f"{width:>6}{r['params']:>10,}{microseconds(r['forward']):>12}{microseconds(r['backward']):>12}"
              f"{r['backward'] / r['forward']:>18.2f}")

    print("\n3. Numerical gradient of all parameters vs one backprop (forward + backward), MLP 8-h-4, "
          "float64, batch 32")
    print(f"{'h':>4}{'params P':>10}{'backprop':>12}{'numerical':>12}{'numerical/backprop':>20}"
          f"{'per parameter':>15}")
    for hidden in HIDDEN:
        r = run_worker("numerical", hidden)
        print(f"{hidden:>4}{r['params']:>10,}{microseconds(r['backprop']):>12}{microseconds(r['numerical']):>12}"
              f"{r['numerical'] / r['backprop']:>20.0f}{microseconds(r['numerical'] / r['params']):>15}")


if __name__ == "__main__":
    main()
