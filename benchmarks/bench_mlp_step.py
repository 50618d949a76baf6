"""Time one full training step of an MLP: nncourse (NumPy) against PyTorch eager on the CPU.

One step is what every training loop of the course does per mini-batch::

    optimizer.zero_grad(); loss = criterion(model(x), y); <backward>; optimizer.step()

with ``model.backward(criterion.backward(), input_grad=False)`` in nncourse and ``loss.backward()`` in
PyTorch, on the same architecture (ReLU between the Linear layers), the same batch and plain SGD, in float32.

The work is the same: PyTorch's autograd skips dL/dx, the gradient with respect to the input, because ``x``
does not require a gradient, and ``input_grad=False`` tells nncourse's first layer to skip it too. For 2-D
inputs that product is negligible; for 784 inputs it is a third of the backward pass, so the grid has that
size twice, the second time ("ce+dx") with dL/dx computed by both (``x.requires_grad=True`` in PyTorch, the
default ``model.backward(...)`` in nncourse, which returns it).

Grid (from the course's issue): 2-16-16-1 and 2-256-256-1 with MSELoss at batch 100, 1,000 and 10,000,
and 784-256-256-10 with CrossEntropyLoss at batch 128.

Fairness: each (library, size) runs in its own fresh Python process, so that neither library's imports,
thread pools or allocator state affect the other, and both use ONE thread: ``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS`` and ``MKL_NUM_THREADS`` are set to 1 before NumPy or torch is imported, and torch
also gets ``torch.set_num_threads(1)``. Each process warms up, then times single steps for about
``--seconds`` seconds; the two libraries' processes alternate ``--rounds`` times per size, and the table
shows the median over all their steps.

Run (about a minute and a half with the defaults)::

    python benchmarks/bench_mlp_step.py                          # the whole grid
    python benchmarks/bench_mlp_step.py --seconds 3 --rounds 3   # steadier numbers, longer

It prints a table of median step times and the ratio nncourse / torch (below 1: nncourse is faster), in
wall-clock time (``time.perf_counter``) and in CPU time (``time.process_time``, which leaves out the time a
process waits for a core: on a machine shared with other work it is the steadier of the two).

Page faults: from about 100,000 activations per layer on, a step allocates and frees arrays of a megabyte
and more, and glibc's malloc may hand the freed memory back to the system and fault it in again on the next
step. How often depends on the process's history (its thresholds adapt; importing torch, which allocates
and frees a lot, raises them), so the same NumPy step can differ by a factor of 1.5 between processes.
``--fixed-malloc`` sets glibc's documented ``MALLOC_MMAP_THRESHOLD_`` and ``MALLOC_TRIM_THRESHOLD_`` to the
same fixed values for both libraries, which removes that churn and compares the arithmetic alone.
"""

import argparse
import json
import os
import subprocess
import sys
import time

GRID = [
    # (layer sizes, batch size, loss)
    ((2, 16, 16, 1), 100, "mse"),
    ((2, 16, 16, 1), 1_000, "mse"),
    ((2, 16, 16, 1), 10_000, "mse"),
    ((2, 256, 256, 1), 100, "mse"),
    ((2, 256, 256, 1), 1_000, "mse"),
    ((2, 256, 256, 1), 10_000, "mse"),
    ((784, 256, 256, 10), 128, "ce"),
    # The same, with PyTorch also computing dL/dx (below):
    ((784, 256, 256, 10), 128, "ce+dx"),
]
LR = 1e-3  # the learning rate of every benchmarked step (its value does not change the cost)
ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
# glibc's malloc returns freed memory at the top of the heap to the system once more than a threshold is free,
# and the threshold adapts to the sizes a process has freed so far. A step that allocates and frees arrays of
# about a megabyte then pays page faults on every step, more or fewer depending on what the process did
# before (importing torch raises the threshold a lot). These documented glibc settings fix the thresholds,
# the same for both libraries, so that the comparison measures the arithmetic rather than the heap's history.
FIXED_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(32 * 2**20), "MALLOC_TRIM_THRESHOLD_": str(256 * 2**20)}


def make_data(sizes, batch, loss, dtype="float32"):
    """Seeded inputs of shape (batch, sizes[0]) and targets: class indices for "ce", else real values."""
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch, sizes[0])).astype(dtype)
    if loss.startswith("ce"):
        return x, rng.integers(0, sizes[-1], size=batch)
    return x, rng.normal(size=(batch, sizes[-1])).astype(dtype)


def hand_written_model(sizes, dtype="float32"):
    """The nncourse MLP: Linear layers of the given sizes with ReLU between them."""
    from nncourse import nn

    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers += [nn.Linear(n_in, n_out, rng=i, dtype=dtype), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def nncourse_step(sizes, batch, loss):
    """Build the nncourse model and return a function that performs one training step."""
    from nncourse import nn
    from nncourse.optim import SGD

    model = hand_written_model(sizes)
    criterion = nn.CrossEntropyLoss() if loss.startswith("ce") else nn.MSELoss()
    optimizer = SGD(model.parameters(), lr=LR)
    x, y = make_data(sizes, batch, loss)

    input_grad = loss.endswith("+dx")  # by default a training step needs no dL/dx, as in PyTorch below

    def step():
        optimizer.zero_grad()
        criterion(model(x), y)
        model.backward(criterion.backward(), input_grad=input_grad)
        optimizer.step()

    return step


def torch_step(sizes, batch, loss):
    """Build the PyTorch model and return a function that performs one training step (eager mode)."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    criterion = torch.nn.CrossEntropyLoss() if loss.startswith("ce") else torch.nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    x, y = (torch.from_numpy(a) for a in make_data(sizes, batch, loss))
    x.requires_grad_(loss.endswith("+dx"))  # by default autograd skips dL/dx: x needs no gradient

    def step():
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()

    return step


def worker(library, sizes, batch, loss, seconds):
    """Runs in its own process: time single steps; print the wall-clock and CPU times (seconds) as JSON."""
    step = {"nncourse": nncourse_step, "torch": torch_step}[library](sizes, batch, loss)
    for _ in range(5):  # warm-up: first-touch allocations, lazy initialisation
        step()
    wall, cpu = [], []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(wall) < 5:
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        step()
        wall.append(time.perf_counter() - start_wall)
        cpu.append(time.process_time() - start_cpu)
    print(json.dumps({"wall": wall, "cpu": cpu}))


def run_in_subprocess(library, sizes, batch, loss, seconds, fixed_malloc=False):
    env = {**os.environ, **ONE_THREAD, **(FIXED_MALLOC if fixed_malloc else {})}
    args = [sys.executable, __file__, "--worker", library, "--sizes", "-".join(map(str, sizes)),
            "--batch", str(batch), "--loss", loss, "--seconds", str(seconds)]
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def median(values):
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def format_time(seconds):
    return f"{seconds * 1e6:.0f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="timing budget per process")
    parser.add_argument("--rounds", type=int, default=2, help="processes per library and size, alternating")
    parser.add_argument("--fixed-malloc", action="store_true",
                        help="fix glibc's heap thresholds (FIXED_MALLOC) for both libraries: no page-fault churn")
    parser.add_argument("--worker", choices=["nncourse", "torch"], help=argparse.SUPPRESS)
    parser.add_argument("--sizes", help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--loss", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        sizes = tuple(int(n) for n in args.sizes.split("-"))
        worker(args.worker, sizes, args.batch, args.loss, args.seconds)
        return

    print("One training step (forward, backward, SGD), float32, one thread each; medians of single steps.")
    if args.fixed_malloc:
        print("Both libraries with the same fixed glibc heap thresholds:", FIXED_MALLOC)
    columns = ("network", "loss", "batch", "nncourse", "torch", "ratio", "nncourse", "torch", "ratio")
    widths = (15, 5, 6, 10, 10, 6, 10, 10, 6)
    print(f"{'':29}{'wall-clock time':^28} {'CPU time':^28}")
    print(" ".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True)))
    for sizes, batch, loss in GRID:
        times = {"nncourse": {"wall": [], "cpu": []}, "torch": {"wall": [], "cpu": []}}
        for _ in range(args.rounds):  # alternate, so that a busy moment of the machine hits both
            for library in times:
                result = run_in_subprocess(library, sizes, batch, loss, args.seconds, args.fixed_malloc)
                for kind in ("wall", "cpu"):
                    times[library][kind] += result[kind]
        cells = ["-".join(map(str, sizes)), loss, str(batch)]
        for kind in ("wall", "cpu"):
            ours, theirs = median(times["nncourse"][kind]), median(times["torch"][kind])
            cells += [format_time(ours), format_time(theirs), f"{ours / theirs:.2f}"]
        print(" ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True)), flush=True)
    print("ratio = nncourse / torch (below 1: nncourse is faster). CPU time (time.process_time) leaves out")
    print("the time a process waits for a core, so on a busy machine it is the steadier comparison.")
    print("ce+dx: both also compute dL/dx (x.requires_grad=True in PyTorch, input_grad=True in nncourse).")


if __name__ == "__main__":
    main()
