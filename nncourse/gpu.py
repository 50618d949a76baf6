"""The course's MLP in PyTorch on any device: device choice, correct timing, and a mixed-precision step.

A CUDA device runs *asynchronously*: ``y = model(x)`` only queues kernels and returns at once, and the host
waits only when it needs a result (``.item()``, ``print``, ``.cpu()``) or calls
``torch.cuda.synchronize()``. A timer read right after the call therefore measures the launches, not the
work. A correct measurement (what ``torch.utils.benchmark.Timer`` does) warms up first (the first calls pay
for memory allocation, autotuning and compilation), synchronises before starting the clock, and
synchronises again before stopping it:

.. math::

    \\hat t = \\frac{t_\\text{stop} - t_\\text{start}}{n}, \\qquad
    t_\\text{start} \\text{ after warm-up and a synchronisation}, \\quad
    t_\\text{stop} \\text{ after } n \\text{ calls and a synchronisation}.

:class:`SimulatedDevice` is an asynchronous device with a virtual clock, so that the effect can be shown
(and exercises checked) exactly on a CPU-only machine, where PyTorch is synchronous.

>>> device = choose_device("cpu")
>>> model = MLP([64, 32, 10]).to(device)
>>> model(torch.zeros(5, 64, device=device)).shape
torch.Size([5, 10])
"""

import time

import torch
from torch import nn

__all__ = [
    "MLP",
    "SimulatedDevice",
    "amp_training_step",
    "benchmark",
    "choose_device",
    "measure",
    "synchronize",
]


def choose_device(prefer=None):
    """The device to run on: ``prefer`` if given, else CUDA, else Apple's MPS, else the CPU.

    >>> choose_device("cpu")
    device(type='cpu')
    >>> choose_device("tpu")
    Traceback (most recent call last):
    ValueError: prefer must be None, 'cuda', 'mps' or 'cpu', got 'tpu'
    """
    if prefer is not None:
        if prefer not in ("cuda", "mps", "cpu"):
            raise ValueError(f"prefer must be None, 'cuda', 'mps' or 'cpu', got {prefer!r}")
        return torch.device(prefer)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if hasattr(torch.backends, "mps") and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def synchronize(device):
    """Wait until every kernel queued on ``device`` has finished (nothing to wait for on the CPU).

    >>> synchronize(torch.device("cpu"))
    """
    device = torch.device(device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


class MLP(nn.Module):
    """The course's MLP (Chapters 3 and 5) as an ``nn.Module``: ``Linear`` layers of widths ``sizes`` with
    ReLU between them and raw logits out; ``dtype`` as in ``nn.Linear``.

    >>> MLP([64, 64, 10]).net
    Sequential(
      (0): Linear(in_features=64, out_features=64, bias=True)
      (1): ReLU()
      (2): Linear(in_features=64, out_features=10, bias=True)
    )
    """

    def __init__(self, sizes, dtype=None):
        super().__init__()
        if len(sizes) < 2:
            raise ValueError(f"sizes must hold at least two layer widths, got {list(sizes)!r}")
        layers = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
            layers += [nn.Linear(n_in, n_out, dtype=dtype), nn.ReLU()]
        self.net = nn.Sequential(*layers[:-1])

    def forward(self, x):
        return self.net(x)


def benchmark(fn, *, synchronize=lambda: None, warmup=3, repeats=10, clock=time.perf_counter):
    """Seconds per call of ``fn()``, measured correctly: ``warmup`` calls first, then ``repeats`` calls timed
    as one block between two synchronisations.

    ``synchronize()`` waits for the device (``lambda: torch.cuda.synchronize()`` on a GPU); ``clock`` reads
    the time (a virtual one for :class:`SimulatedDevice`).

    >>> device = SimulatedDevice(launch_overhead=1e-5)
    >>> step = lambda: device.launch(1e-3)  # 1 ms of device work per call
    >>> round(benchmark(step, synchronize=device.synchronize, clock=device.clock) * 1e3, 3)
    1.001
    """
    if warmup < 0 or repeats < 1:
        raise ValueError(f"warmup must be ≥ 0 and repeats ≥ 1, got {warmup!r} and {repeats!r}")
    for _ in range(warmup):
        fn()
    synchronize()
    start = clock()
    for _ in range(repeats):
        fn()
    synchronize()
    return (clock() - start) / repeats


def measure(fn, device, min_run_time=0.05, cpu_time=False):
    """Median seconds per call of ``fn()`` with ``torch.utils.benchmark`` (which warms up and synchronises
    CUDA itself), run for at least ``min_run_time`` seconds.

    ``cpu_time=True`` (for a CPU device only) times with ``time.process_time``, the CPU time of this process:
    on a machine shared with other work it leaves out the time spent waiting for a core, so it is the
    steadier measure of the work itself; with several threads it adds up their times.

    >>> measure(lambda: torch.ones(10).sum(), torch.device("cpu"), min_run_time=0.01) < 0.01
    True
    """
    from torch.utils import benchmark as torch_benchmark

    device = torch.device(device)
    if cpu_time and device.type != "cpu":
        raise ValueError(f"cpu_time=True measures CPU work; the device is {device}")
    stmt, where = "fn()", {"fn": fn}
    if device.type == "mps":  # torch.utils.benchmark synchronises CUDA only
        stmt, where = "fn(); torch.mps.synchronize()", {"fn": fn, "torch": torch}
    timer = torch_benchmark.Timer(stmt=stmt, globals=where, num_threads=torch.get_num_threads(),
                                  timer=time.process_time if cpu_time else time.perf_counter)
    return timer.blocked_autorange(min_run_time=min_run_time).median


class SimulatedDevice:
    """An asynchronous device with a virtual clock: what a GPU looks like from the host, exactly repeatable.

    ``launch(seconds)`` costs the host ``launch_overhead`` and queues ``seconds`` of work, which starts when
    the device is free; ``synchronize()`` makes the host wait until the queue is empty; ``clock()`` reads the
    host's time; ``host_work(seconds)`` is time the host spends on its own (a first-call cost, say).

    >>> device = SimulatedDevice(launch_overhead=1e-5)
    >>> start = device.clock(); device.launch(1e-3); device.clock() - start  # the call returns at once
    1e-05
    >>> device.synchronize(); round(device.clock() - start, 6)  # the work is done only now
    0.00101
    """

    def __init__(self, launch_overhead=5e-6):
        if launch_overhead < 0:
            raise ValueError(f"launch_overhead must be ≥ 0 seconds, got {launch_overhead!r}")
        self.launch_overhead = float(launch_overhead)
        self.now = 0.0  # the host's time
        self.busy_until = 0.0  # when the device finishes its queue

    def clock(self):
        return self.now

    def launch(self, seconds):
        self.now += self.launch_overhead
        self.busy_until = max(self.busy_until, self.now) + seconds

    def host_work(self, seconds):
        self.now += seconds

    def synchronize(self):
        self.now = max(self.now, self.busy_until)


def amp_training_step(model, optimizer, scaler, x, y, *, device_type="cpu", dtype=torch.float16, enabled=True):
    """One mixed-precision training step with cross-entropy loss; returns the loss (a float32 tensor).

    The forward pass and the loss run under ``torch.autocast(device_type, dtype)`` (matrix products in
    ``dtype``, reductions in float32); the loss is multiplied by the scaler's factor before ``backward``, so
    that small float16 gradients do not flush to zero; ``scaler.step`` divides the gradients by it again and
    skips the step if any is infinite or NaN, and ``scaler.update`` adapts the factor. With bfloat16 (float32's
    exponent range) a scaler is not needed: pass ``torch.amp.GradScaler(enabled=False)``. ``enabled=False``
    turns autocast off (a plain float32 step).

    >>> torch.manual_seed(0); model = MLP([4, 8, 3]); optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    <torch._C.Generator object at ...>
    >>> scaler = torch.amp.GradScaler("cpu")
    >>> loss = amp_training_step(model, optimizer, scaler, torch.randn(6, 4), torch.tensor([0, 1, 2, 0, 1, 2]))
    >>> loss.dtype, scaler.get_scale()
    (torch.float32, 65536.0)
    """
    optimizer.zero_grad(set_to_none=True)
    with torch.autocast(device_type=device_type, dtype=dtype, enabled=enabled):
        loss = nn.functional.cross_entropy(model(x), y)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    return loss.detach().float()
