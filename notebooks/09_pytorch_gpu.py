# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 9 — PyTorch on GPU
#
# Eight chapters built networks from NumPy arrays, and checked every piece against PyTorch. This chapter
# moves the course's digits MLP into PyTorch for good, and asks what changes when it runs on a GPU: how to
# write code that runs unchanged on a GPU, Apple's MPS or a CPU; how to *measure* a step when the device
# runs asynchronously (the most common benchmarking mistake); how many FLOPs a step needs and what fraction
# of the device's peak it reaches; what mixed precision and `torch.compile` buy, and what they cost; and how
# data parallelism spreads one training run over several processes while keeping exactly the same weights.
# Everything here runs on a CPU; cells that need a GPU say why they are skipped.
#
# **Learning objectives.** After this chapter you can
# 1. write the digits MLP as an `nn.Module`, train it from a `DataLoader`, and save and restore its
#    `state_dict`;
# 2. write device-agnostic code: one `device`, model and data moved once;
# 3. time GPU code correctly (warm-up, synchronisation, `torch.utils.benchmark`) and spot hidden
#    synchronisations;
# 4. count the FLOPs of a training step (≈ 6 × parameters × batch), predict its time from a roofline, and
#    compute the model FLOPs utilisation against the right data-sheet peak;
# 5. use TF32, bf16 autocast and fp16 with `torch.amp.GradScaler`, and say when each helps;
# 6. measure `torch.compile`'s first-call cost and recompilation;
# 7. run data-parallel training with `DistributedDataParallel` and check it against one process.
#
# **Prerequisites.** Chapters 3, 5 and 6 (MLPs, backpropagation, SGD); the `torch` tensors used in the
# PyTorch comparisons so far.
#
# **Estimated time.** 2–3 hours, exercises included.

# %%
import io
import logging
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import nncourse
import nncourse.plot
from nncourse import nn as cnn
from nncourse import perf

# PyTorch's CUDA build on a machine without CUDA logs "No CUDA runtime is found" when its C++ tools load: harmless.
logging.getLogger("torch.utils.cpp_extension").setLevel(logging.ERROR)
from nncourse.data import load_digits
from nncourse.gpu import MLP, SimulatedDevice, amp_training_step, benchmark, choose_device, measure
from nncourse.optim import SGD as CourseSGD
from nncourse.plot import CLASS_COLORS

_ = nncourse.manual_seed(0)
torch.manual_seed(0)
device = choose_device()
on_gpu = device.type == "cuda"
print(f"PyTorch {torch.__version__}; running on: {device}"
      + (f" ({torch.cuda.get_device_name(device)})" if on_gpu else ""))

# %% [markdown]
# ## 1. From `nncourse` to PyTorch
#
# The digits MLP of Chapters 3 and 5, $\hat y = W_2\,\mathrm{relu}(W_1 x + b_1) + b_2$, is in PyTorch a
# subclass of `nn.Module`: the constructor creates the layers (their parameters are registered
# automatically), `forward` says how they are applied, and `backward` comes from autograd.

# %%
class DigitsMLP(nn.Module):
    def __init__(self, sizes=(64, 64, 10), dtype=None):
        super().__init__()
        self.hidden = nn.Linear(sizes[0], sizes[1], dtype=dtype)
        self.out = nn.Linear(sizes[1], sizes[2], dtype=dtype)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))


(X_train, y_train), (X_val, y_val) = load_digits(return_split=True)
train_set = TensorDataset(torch.from_numpy(X_train), torch.from_numpy(y_train).long())
loader = DataLoader(train_set, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(0))
model = DigitsMLP()
print(model)
print("parameters:", sum(p.numel() for p in model.parameters()), "=", perf.parameter_count([64, 64, 10]))

# %% [markdown]
# A `TensorDataset` pairs the tensors sample by sample; a `DataLoader` shuffles and cuts them into batches
# (with `num_workers` it can also prepare batches in background processes, which matters when loading is
# slow; here the data is already in memory). The training loop is the one from Chapter 3, with autograd's
# `loss.backward()` in place of our `model.backward(criterion.backward())`.

# %%
def train_epochs(model, loader, epochs, lr=0.1):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    for _ in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
    return optimizer


def accuracy(model, X, y):
    with torch.no_grad():
        return (model(torch.as_tensor(X)).argmax(dim=1).cpu().numpy() == y).mean()


start = time.perf_counter()
optimizer = train_epochs(model, loader, epochs=2)
print(f"2 epochs in {time.perf_counter() - start:.2f} s; val accuracy {accuracy(model, X_val, y_val):.3f}")

# %% [markdown]
# **The same results as the course's implementation.** Give both the same initial weights and the same
# batches, in float64, and one epoch of plain SGD must leave the same weights, to rounding:

# %% tags=["nbval-check-output"]
ours = cnn.build_mlp([64, 64, 10], dtype=np.float64, rng=1)
theirs = DigitsMLP(dtype=torch.float64)
with torch.no_grad():
    for layer, (weight, bias) in zip([theirs.hidden, theirs.out], [ours[0].parameters(), ours[2].parameters()],
                                     strict=True):
        layer.weight.copy_(torch.from_numpy(weight.data))
        layer.bias.copy_(torch.from_numpy(bias.data))
X64, y64 = X_train.astype(np.float64), y_train
order = np.random.default_rng(2).permutation(len(X64))
our_optimizer, criterion = CourseSGD(ours.parameters(), lr=0.1), cnn.CrossEntropyLoss()
their_optimizer = torch.optim.SGD(theirs.parameters(), lr=0.1)
for index in np.array_split(order, len(order) // 32):
    our_optimizer.zero_grad()
    criterion(ours(X64[index]), y64[index])
    ours.backward(criterion.backward())
    our_optimizer.step()
    their_optimizer.zero_grad()
    nn.functional.cross_entropy(theirs(torch.from_numpy(X64[index])), torch.from_numpy(y64[index]).long()).backward()
    their_optimizer.step()
difference = max(np.abs(ours[0].weight.data - theirs.hidden.weight.detach().numpy()).max(),
                 np.abs(ours[2].weight.data - theirs.out.weight.detach().numpy()).max())
print(f"one epoch, {len(order) // 32} steps: max |weight difference| < 1e-12: {difference < 1e-12}")

# %% [markdown]
# **Checkpoints.** A `state_dict` is an ordered dictionary of the parameters and buffers by name;
# `torch.save` writes it (here into memory; to a file it is `torch.save(model.state_dict(), "digits.pt")`),
# and `load_state_dict` restores it into a freshly built model. Save the optimizer's `state_dict` too (its
# momentum buffers) to resume training exactly.

# %% tags=["nbval-check-output"]
buffer = io.BytesIO()
torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, buffer)
buffer.seek(0)
checkpoint = torch.load(buffer)
restored = DigitsMLP()
restored.load_state_dict(checkpoint["model"])
print(list(checkpoint["model"]))
x_check = torch.from_numpy(X_val[:50])
print("restored model gives identical outputs:", torch.equal(restored(x_check), model(x_check)))

# %% [markdown]
# ## 2. Device-agnostic code
#
# `choose_device()` (in `nncourse.gpu`) picks CUDA if PyTorch sees an NVIDIA GPU, else Apple's MPS, else the
# CPU. Everything after it is written once: the model moves with `model.to(device)` (in place, for a module),
# every tensor with `tensor.to(device)` (a *new* tensor, unless it is already there with that dtype, in which
# case the same one comes back). Each move to a GPU is a copy over PCIe (tens of GB/s, far slower than the
# GPU's own memory), so move the model once, and for a data set as small as the digits (1 437 × 64 floats,
# 370 kB), move the **whole data set once** and index batches on the device, instead of a `DataLoader` that
# copies every batch from the host.

# %% tags=["nbval-check-output"]
x = torch.ones(3)
print("x.to('cpu') is x:", x.to("cpu") is x, "| x.to(torch.float64) is x:", x.to(torch.float64) is x)
X_dev = torch.from_numpy(X_train).to(device)
y_dev = torch.from_numpy(y_train).long().to(device)
model = MLP([64, 64, 10]).to(device)  # nncourse.gpu.MLP: the same network, any list of widths
print("data and model on the same device:", X_dev.device == next(model.parameters()).device)


def train_on_device(model, X, y, epochs, batch_size=32, lr=0.1, seed=0):
    """Train on data that already lives on the model's device; batches are index tensors on that device."""
    generator = torch.Generator(device=X.device).manual_seed(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    for _ in range(epochs):
        for index in torch.randperm(len(X), device=X.device, generator=generator).split(batch_size):
            optimizer.zero_grad(set_to_none=True)
            nn.functional.cross_entropy(model(X[index]), y[index]).backward()
            optimizer.step()
    return model


train_on_device(model, X_dev, y_dev, epochs=5)
print(f"val accuracy {accuracy(model, torch.from_numpy(X_val).to(device), y_val):.2f}")

# %% [markdown]
# ## 3. Measuring correctly
#
# A GPU works **asynchronously**: `model(x)` queues its kernels on the device and returns to Python at once;
# the host only waits when it needs a result. So `time.perf_counter()` around a call measures how long it
# takes to *launch* the work, not to do it. A correct measurement
#
# 1. warms up (the first calls allocate memory, pick kernels, compile);
# 2. synchronises (`torch.cuda.synchronize()`) before starting the clock, so that no earlier work is still
#    queued;
# 3. synchronises again before stopping it, so that all the timed work is done:
#    $\hat t = (t_\text{stop} - t_\text{start})/n$.
#
# On a CPU, PyTorch is synchronous and the mistake is invisible. `nncourse.gpu.SimulatedDevice` is an
# asynchronous device with a virtual clock: a launch costs the host 10 µs and queues the work; here each
# step queues 2 ms of work, and its first call costs the host 50 ms more (as a first CUDA call does).

# %% tags=["nbval-check-output"]
def simulated_step(sim):
    """A step for the simulated device: 2 ms of device work; the first call costs the host 50 ms more."""
    calls = []

    def step():
        if not calls:
            sim.host_work(0.05)
        calls.append(None)
        sim.launch(2e-3)
    return step


sim = SimulatedDevice(launch_overhead=1e-5)
step = simulated_step(sim)
start = sim.clock()
for _ in range(10):
    step()
print(f"no warm-up, no synchronisation: {(sim.clock() - start) / 10 * 1e3:.3f} ms per step")
sim.synchronize()
start = sim.clock()
for _ in range(10):
    step()
sim.synchronize()
print(f"warmed up, synchronised:        {(sim.clock() - start) / 10 * 1e3:.3f} ms per step")
sim = SimulatedDevice(launch_overhead=1e-5)
right = benchmark(simulated_step(sim), synchronize=sim.synchronize, clock=sim.clock)
print(f"nncourse.gpu.benchmark:         {right * 1e3:.3f} ms per step")

# %% [markdown]
# The first number is 5 ms of first-call cost spread over ten steps plus the launches: neither the cost of
# a step nor anything else useful. On real hardware `torch.utils.benchmark.Timer` does all three things
# (warm-up, `torch.cuda.synchronize`, several runs with statistics); `nncourse.gpu.measure` wraps it.
#
# **Hidden synchronisations.** Anything that needs a value on the host waits for the device: `loss.item()`,
# `print(loss)`, `float(loss)`, `.cpu()`, `.numpy()`, `if (x > 0).any():`, `torch.nonzero`. Inside a training
# loop they stop the host from running ahead, so the device idles while the host prepares the next step.
# With 1 ms of host work (Python, data) and 2 ms of device work per step:

# %% tags=["nbval-check-output"]
def training_loop(sim, steps, item_every_step):
    sim.synchronize()
    start = sim.clock()
    for _ in range(steps):
        sim.host_work(1e-3)  # Python, indexing the batch, launching the kernels
        sim.launch(2e-3)  # forward, backward, optimizer step on the device
        if item_every_step:
            sim.synchronize()  # loss.item(): wait for the result
    sim.synchronize()
    return (sim.clock() - start) / steps


print(f"loss.item() every step: {training_loop(SimulatedDevice(1e-5), 100, True) * 1e3:.2f} ms per step")
print(f"no synchronisation:     {training_loop(SimulatedDevice(1e-5), 100, False) * 1e3:.2f} ms per step")

# %% [markdown]
# Without the `.item()` the host's work overlaps the device's and a step costs the longer of the two; with
# it, their sum. Keep the losses as tensors on the device (`total += loss.detach()`) and read them once per
# epoch. On this machine's CPU, the real measurement with `torch.utils.benchmark` of a digits step:

# %%
# NBVAL_IGNORE_OUTPUT (a timing)
def make_step(model, X, y, batch_size):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    x_batch, y_batch = X[:batch_size], y[:batch_size]

    def step():
        optimizer.zero_grad(set_to_none=True)
        nn.functional.cross_entropy(model(x_batch), y_batch).backward()
        optimizer.step()
    return step


step_time = measure(make_step(MLP([64, 64, 10]).to(device), X_dev, y_dev, 32), device, min_run_time=0.05)
print(f"digits MLP, batch 32, on {device}: {step_time * 1e6:.0f} µs per step")

# %% [markdown]
# ## 4. Where the time goes
#
# **FLOPs by hand.** A product of a $B \times n$ by an $n \times m$ matrix takes $Bnm$ multiply-adds,
# $2Bnm$ FLOPs. Each `Linear` layer does three such products per step: the forward $Y = XW^\top$, the
# weight gradient $G^\top X$ and the input gradient $GW$ (not needed for the first layer: nothing asks for
# the gradient of the data). So a step costs $\approx 6 \times \text{parameters} \times B$ FLOPs; the
# element-wise work (biases, ReLU, loss, optimizer) is linear in $Bn$ and small next to it.
# `nncourse.perf.training_step_flops` counts it exactly; PyTorch's own `FlopCounterMode` counts the
# products it actually runs:

# %% tags=["nbval-check-output"]
from torch.utils.flop_counter import FlopCounterMode

sizes, batch = [64, 512, 512, 10], 128
counted_model = MLP(sizes)
x_count, y_count = torch.randn(batch, 64), torch.randint(0, 10, (batch,))
with FlopCounterMode(display=False) as counter:
    nn.functional.cross_entropy(counted_model(x_count), y_count).backward()
print(f"by hand:         {perf.training_step_flops(sizes, batch):,}")
print(f"FlopCounterMode: {counter.get_total_flops():,}")
print(f"6 × P × B:       {6 * perf.parameter_count(sizes) * batch:,}")

# %% [markdown]
# **A batch-size sweep.** Small batches leave a device idle between tiny kernels: the step time is the
# sum of fixed per-kernel costs (Python, dispatch, launch), the *overhead-bound* regime. Large batches fill
# it: the time grows in proportion to the FLOPs, the *compute-bound* regime. The achieved rate
# $F / T$ divided by the device's peak $\pi$ is the **model FLOPs utilisation** (MFU), using only the
# model's own FLOPs (the count above). The peak must be the data sheet's number for the precision in use,
# *dense* (data sheets print the 2:4-sparsity figure, twice as large, with an asterisk): an H100 SXM does
# 67 TFLOP/s in plain fp32, 495 in TF32, 989 in bf16 (`nncourse.perf.PEAKS`, each row with its source):

# %% tags=["nbval-check-output"]
print(f"{'device':16} {'fp32':>6} {'tf32':>6} {'bf16':>6} {'fp16':>6}  {'memory':>9}  (TFLOP/s dense, TB/s)")
for name, peak in perf.PEAKS.items():
    rates = "".join(f" {peak.flops[p] / 1e12:6.1f}" if p in peak.flops else "      —" for p in perf.BYTES_PER_ELEMENT)
    print(f"{name:16}{rates}  {peak.bandwidth / 1e12:9.2f}")

# %% [markdown]
# A CPU has no such sheet at hand here, so for this machine we *measure* its ceilings: the rate of a large
# matrix product (the most a step can reach) and the bandwidth of a large copy. The per-kernel overhead is
# measured too, in two ways: a tiny operation alone costs a few µs, but inside a training step each kernel
# costs several times that (autograd records every operation for the backward pass, the optimizer loops over
# the parameters in Python), so the roofline takes the smallest measured step divided by its kernel count. Then we sweep the batch size for 64-w-w-10 MLPs, in fp32 and
# bf16 autocast (timings: not checked by the tests). On a CPU these cells count the CPU time of this process
# (`measure(..., cpu_time=True)`, i.e. `time.process_time`), which leaves out the time spent waiting for a
# core while other programs run; the notebook runs on one thread, so it is the time of the work itself.

# %%
# NBVAL_IGNORE_OUTPUT (timings)
cpu_time = device.type == "cpu"


def matmul_rate(dtype, n=384):
    a, b = torch.randn(n, n, dtype=dtype, device=device), torch.randn(n, n, dtype=dtype, device=device)
    return 2 * n**3 / measure(lambda: a @ b, device, min_run_time=0.05, cpu_time=cpu_time)


big, tiny = torch.randn(4_000_000, device=device), torch.ones(3, device=device)
local = {
    "name": "CPU" if not on_gpu else torch.cuda.get_device_name(device),
    "flops": {p: matmul_rate(d) for p, d in [("fp32", torch.float32), ("bf16", torch.bfloat16)]},
    "bandwidth": 2 * big.numel() * 4 / measure(lambda: big.clone(), device, min_run_time=0.05, cpu_time=cpu_time),
}
tiny_op = measure(lambda: torch.add(tiny, 1.0), device, min_run_time=0.02, cpu_time=cpu_time)
print(f"PyTorch's CPU kernels use: {torch.backends.cpu.get_cpu_capability()}")
print(f"{local['name']}: matmul {local['flops']['fp32'] / 1e9:.1f} GFLOP/s fp32, {local['flops']['bf16'] / 1e9:.1f} "
      f"bf16; copy {local['bandwidth'] / 1e9:.1f} GB/s; one tiny op {tiny_op * 1e6:.1f} µs")


def step_seconds(sizes, batch, precision, min_run_time=0.03):
    model = MLP(sizes).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    xb, yb = torch.randn(batch, sizes[0], device=device), torch.randint(0, 10, (batch,), device=device)

    def step():
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=precision == "bf16"):
            loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
    return measure(step, device, min_run_time=min_run_time, cpu_time=cpu_time)


sweep_batches = [16, 64, 256, 1024]
measured = {}
for width, precision in [(64, "fp32"), (256, "fp32"), (256, "bf16")]:
    measured[(width, 2, precision)] = {b: step_seconds([64, width, width, 10], b, precision) for b in sweep_batches}
# The overhead of one kernel *inside a training step* (autograd's bookkeeping, the optimizer's Python loop):
# the smallest measured step divided by its number of kernels.
smallest = perf.training_step_kernels([64, 64, 64, 10], sweep_batches[0])
local["launch_overhead"] = measured[(64, 2, "fp32")][sweep_batches[0]] / len(smallest)
print(f"per kernel in a step: {local['launch_overhead'] * 1e6:.1f} µs ({len(smallest)} kernels in the smallest step)")
print("batch  " + "  ".join(f"{w}-wide {p}: µs/step  MFU" for w, _, p in measured))
for b in sweep_batches:
    row = []
    for (w, d, p), times in measured.items():
        flops = perf.training_step_flops([64] + [w] * d + [10], b)
        row.append(f"{times[b] * 1e6:13.0f}  {flops / times[b] / local['flops'][p]:4.0%}")
    print(f"{b:5}  " + "  ".join(f"{r:>27}" for r in row))

# %% [markdown]
# **The roofline.** A kernel that does $F$ FLOPs and moves $Q$ bytes cannot finish faster than
# $\max(F/\pi, Q/\beta)$ (Williams, Waterman & Patterson 2009): its *arithmetic intensity* $F/Q$ decides
# whether arithmetic or memory is the limit, with the ridge at $\pi/\beta$. A matrix product of batch $B$
# has intensity growing with $B$; ReLU, the bias gradient and the SGD update have intensity below 1 FLOP/B
# and are always memory-bound. `nncourse.perf.predict_step_time` sums over the kernels of a step, each
# taking at least the launch overhead $\tau$:
#
# $$T_\text{step} \approx \sum_k \max\big(\tau,\; F_k/\pi,\; Q_k/\beta\big).$$
#
# The figure compares it with the measurements on this machine (the overhead fitted at one point, the
# smallest step; everything else predicted), and shows what the same model predicts for
# an H100 in bf16 (data-sheet peak, an assumed 5 µs per launch): the 256-wide network's step is nothing but
# launch overheads up to batches of about ten thousand, which is why small models gain little from a big
# GPU; the 4096-wide one is first bound by reading its 33 MB of weights (memory), and by arithmetic from a
# batch of about two thousand.

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
batches = np.array([2**k for k in range(3, 15)])
for (width, depth, precision), color in zip(measured, [CLASS_COLORS[0], CLASS_COLORS[1], CLASS_COLORS[2]],
                                            strict=True):
    sizes = [64] + [width] * depth + [10]
    predicted = [perf.predict_step_time(sizes, b, peak_flops=local["flops"][precision], bandwidth=local["bandwidth"],
                                        launch_overhead=local["launch_overhead"], precision=precision)[0]
                 for b in batches]
    axes[0].loglog(batches, predicted, color=color, label=f"{width} wide, {precision}: predicted")
    times = measured[(width, depth, precision)]
    axes[0].loglog(list(times), list(times.values()), "o", color=color, label="measured")
axes[0].set(title=f"This {local['name']}: measured steps (points) against the roofline", xlabel="batch size",
            ylabel="seconds per step")
axes[0].legend(fontsize=8)
h100 = perf.PEAKS["H100 SXM5"]
for width, color in [(256, CLASS_COLORS[1]), (4096, CLASS_COLORS[3])]:
    parts = [perf.predict_step_time([64, width, width, 10], b, peak_flops=h100.peak("bf16"),
                                    bandwidth=h100.bandwidth, launch_overhead=5e-6, precision="bf16")[1]
             for b in batches]
    axes[1].loglog(batches, [sum(p.values()) for p in parts], color=color, label=f"{width} wide: total")
    axes[1].loglog(batches, [p["overhead"] or np.nan for p in parts], "--", color=color, lw=1,
                   label="time in overhead-bound kernels")
axes[1].set(title="H100 bf16 (predicted): small steps are launch overheads", xlabel="batch size",
            ylabel="seconds per step")
axes[1].legend(fontsize=8)
plt.show()

# %% [markdown]
# With one overhead fitted at the smallest step, the roofline follows the measured steps within a factor of
# about two over a 64-fold range of batch sizes: a model of a dozen lines, not a simulator. It misses most
# for bf16 at small batches, where autocast's casts in front of every product add overheads it does not
# count.
#
# The explorer below lets you vary the batch, the width, the depth, the precision and the device; where the
# sweep above measured a setting on this machine, the measured points sit over the prediction.

# %%
from nncourse.widgets.throughput import ThroughputExplorer

ThroughputExplorer(local=local, measured=measured)

# %% [markdown]
# ## 5. Mixed precision
#
# Fewer bits per number mean less memory traffic and, on GPUs with tensor cores, several times the
# arithmetic rate. The formats:
#
# | format | bits (sign, exponent, mantissa) | largest | relative step $2^{-m}$ | where |
# |---|---|---|---|---|
# | fp32 | 1, 8, 23 | 3.4e38 | 1.2e-7 | everywhere |
# | TF32 | 1, 8, 10 (stored as fp32) | 3.4e38 | 9.8e-4 | inside matrix products on Ampere and later GPUs |
# | bf16 | 1, 8, 7 | 3.4e38 | 7.8e-3 | GPUs since Ampere, recent CPUs |
# | fp16 | 1, 5, 10 | 65 504 | 9.8e-4 | GPUs since Volta |
#
# **TF32** keeps fp32 storage but rounds the inputs of matrix products to 10 mantissa bits: one line,
# `torch.set_float32_matmul_precision("high")`, and no change to the code; it does nothing on a CPU.
# **bf16** has fp32's range, so nothing overflows or underflows, but only 8 significant bits.
# **fp16** has more precision but a narrow range: gradients below 6e-8 flush to zero. Hence the **loss
# scaler**: multiply the loss by $s$ (65 536 to begin with) before `backward`, so that the gradients are
# $s$ times larger, divide them by $s$ before the step, skip the step and halve $s$ whenever a gradient
# overflowed, and grow $s$ again after a run of good steps. `torch.autocast` runs each operation in the
# precision that suits it (products in 16 bits, reductions and the loss in fp32); the weights stay fp32.

# %% tags=["nbval-check-output"]
print("1 + 2⁻⁸ in bf16:", torch.tensor(1 + 2**-8, dtype=torch.bfloat16).item(), "| in fp16:",
      torch.tensor(1 + 2**-8, dtype=torch.float16).item())
print("a gradient of 1e-8 in fp16:", torch.tensor(1e-8, dtype=torch.float16).item(),
      "| scaled by 2¹⁶ first:", torch.tensor(1e-8 * 2**16, dtype=torch.float16).item() / 2**16)
print("70 000 in fp16:", torch.tensor(70_000.0, dtype=torch.float16).item(), "| in bf16:",
      torch.tensor(70_000.0, dtype=torch.bfloat16).item())

# %% [markdown]
# `nncourse.gpu.amp_training_step` is the step (the current API: `torch.autocast(device_type, dtype)` and
# `torch.amp.GradScaler(device)`; `torch.cuda.amp.autocast` and `torch.cuda.amp.GradScaler` are the
# deprecated names). Trained for 5 epochs from the same weights, the three precisions reach the same
# accuracy on the digits:

# %% tags=["nbval-check-output"]
def train_precision(dtype, epochs=5, batch_size=64):
    torch.manual_seed(0)
    model = MLP([64, 64, 10]).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scaler = torch.amp.GradScaler(device.type, enabled=dtype == torch.float16)
    generator = torch.Generator(device=device).manual_seed(0)
    for _ in range(epochs):
        for index in torch.randperm(len(X_dev), device=device, generator=generator).split(batch_size):
            amp_training_step(model, optimizer, scaler, X_dev[index], y_dev[index], device_type=device.type,
                              dtype=dtype, enabled=dtype != torch.float32)
    return accuracy(model, torch.from_numpy(X_val).to(device), y_val)


for name, dtype in [("fp32", torch.float32), ("bf16 autocast", torch.bfloat16), ("fp16 + GradScaler", torch.float16)]:
    print(f"{name:18}: val accuracy {train_precision(dtype):.2f}")

# %% [markdown]
# On a GPU with tensor cores bf16 and fp16 products run several times faster than fp32 (see the data-sheet
# table). On a CPU they are often **slower**: most CPUs have no bf16 or fp16 arithmetic units, so every
# product converts its inputs to fp32 and back, and autocast adds the casts of the weights at every step.
# Recent server CPUs are the exception: Intel's AMX and AVX-512-BF16 multiply bf16 matrices directly. The
# course's build machine has them, and Section 4 measured both sides: a large bf16 matrix product ran four
# to eight times faster than fp32, yet at small batches the MLP's bf16 *step* was slower than its fp32
# step, because the casts and the per-operation overheads cost more than the products save; only at a
# batch of 1 024 did bf16 win.
#
# ## 6. `torch.compile`
#
# `torch.compile(fn)` traces `fn` into a graph the first time it runs (TorchDynamo), and compiles it
# (TorchInductor: Triton kernels on a GPU, C++ with OpenMP on a CPU, compiled by the system's compiler).
# The gain comes mostly from **fusion**: a chain of element-wise operations becomes one kernel that reads
# its input once, instead of one kernel and one round trip to memory per operation. The tanh form of GELU
# is such a chain (eight operations). Three things to measure: the first call (the compilation), the steady
# state, and a call with a new shape (a recompilation; after it, the graph is compiled for any size).

# %%
# NBVAL_IGNORE_OUTPUT (timings)
def gelu_tanh(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


compiled_gelu = torch.compile(gelu_tanh)
x_compile = torch.randn(1_000_000, device=device)
start = time.perf_counter()
compiled_gelu(x_compile)
first_call = time.perf_counter() - start
eager_time = measure(lambda: gelu_tanh(x_compile), device, min_run_time=0.1)
compiled_time = measure(lambda: compiled_gelu(x_compile), device, min_run_time=0.1)
start = time.perf_counter()
compiled_gelu(torch.randn(300_000, device=device))
new_shape = time.perf_counter() - start
start = time.perf_counter()
compiled_gelu(torch.randn(500_000, device=device))
third_shape = time.perf_counter() - start
print(f"first call (compilation): {first_call:.1f} s")
print(f"steady state: eager {eager_time * 1e3:.2f} ms, compiled {compiled_time * 1e3:.2f} ms "
      f"({eager_time / compiled_time:.1f}× faster)")
print(f"a new shape (recompiled, dynamic): {new_shape:.2f} s; a third shape: {third_shape * 1e3:.1f} ms")
print("the compiled function agrees with eager:", torch.allclose(compiled_gelu(x_compile), gelu_tanh(x_compile),
                                                                 atol=1e-6))

# %% [markdown]
# The compilation costs seconds, paid again for each new input shape until PyTorch marks the dimension
# dynamic (`torch.compile(fn, dynamic=True)` does it from the start), and whenever a guard fails (a new
# dtype, a changed Python constant). So: time compiled code only after its first call, compile the whole
# training step when it runs thousands of times, and not at all for a short experiment. On this CPU the
# first compilation is slow for a reason worth knowing: Inductor first compiles small test programs to
# learn which vector instructions the CPU has, then compiles each generated kernel with `g++ -O3` against
# ATen's vectorisation headers (PyTorch issue threads such as pytorch/pytorch#144293 discuss precompiling
# those headers). All of it is cached on disk (`/tmp/torchinductor_<user>`), so a second run of this
# notebook compiles in a fraction of the time.
#
# ## 7. Beyond one device: data parallelism
#
# With $R$ devices, **data parallelism** gives each a copy of the model and $B/R$ samples of every batch.
# After `backward` the gradients are averaged over the copies (an *all-reduce*), so every copy takes the same
# step. With a mean loss on equal shards the average of the shards' gradients is the gradient of the whole
# batch, so the weights are those of one device training on the combined batch:
#
# $$\frac1R\sum_{r=1}^R \nabla_\theta \frac{R}{B}\sum_{i\in S_r}\ell_i = \nabla_\theta \frac1B\sum_{i=1}^B \ell_i .$$
#
# `torch.nn.parallel.DistributedDataParallel` (DDP) does the all-reduce, overlapped with the backward pass
# layer by layer. `nncourse.distributed.train_data_parallel` runs it for real: two processes started with
# `torch.multiprocessing` (forked from a clean "fork server" process), joined into a process group on the CPU's `gloo` backend, each training on half of
# every batch. Against one process on the whole batches, in float64:

# %% tags=["nbval-check-output"]
from nncourse.distributed import train_data_parallel, train_single_process

start = time.perf_counter()
parallel = train_data_parallel(world_size=2, steps=5, batch_size=32)
seconds = time.perf_counter() - start
single = train_single_process(steps=5, batch_size=32)
difference = max((parallel[name] - single[name]).abs().max().item() for name in single)
print(f"2 processes × 16 samples vs 1 process × 32 samples, 5 steps: max |weight difference| < 1e-12: "
      f"{difference < 1e-12}")

# %%
# NBVAL_IGNORE_OUTPUT (a timing)
print(f"the two-process run took {seconds:.2f} s")

# %% [markdown]
# On several GPUs the same code runs one process per GPU with the `nccl` backend (NVIDIA's collective
# library, over NVLink or InfiniBand), usually started by `torchrun --nproc_per_node=8 train.py`, which sets
# `RANK`, `WORLD_SIZE` and `MASTER_ADDR` for `init_process_group`; a `DistributedSampler` gives each rank
# its shard of the data. The learning rate usually grows with the global batch (the linear scaling rule
# with warm-up, Chapter 6). When the model itself no longer fits on one device, it is cut into pieces
# instead: FSDP (sharded parameters, gradients and optimizer state), tensor and pipeline parallelism.
#
# ## 8. Reproducibility
#
# Seed every generator (`torch.manual_seed`, NumPy's, Python's `random`, a `DataLoader`'s `generator`), and
# the same program on the same machine gives the same numbers on a CPU. On a GPU some kernels are
# nondeterministic: they add floating-point numbers with atomic operations in whatever order threads finish
# (`index_add_`, `scatter_add_`, the backward of embedding and of some convolutions), and floating-point
# addition is not associative. `torch.use_deterministic_algorithms(True)` makes PyTorch pick deterministic
# kernels or raise an error where it has none (on CUDA it also needs `CUBLAS_WORKSPACE_CONFIG=:4096:8`);
# `torch.backends.cudnn.benchmark = False` stops cuDNN from choosing kernels by timing them.

# %% tags=["nbval-check-output"]
values = torch.tensor([1e8, 1.0, -1e8, 1.0], dtype=torch.float32)
print("(1e8 + 1) − 1e8 + 1 =", ((values[0] + values[1]) + values[2] + values[3]).item(),
      "but (1e8 − 1e8) + 1 + 1 =", ((values[0] + values[2]) + values[1] + values[3]).item())
torch.use_deterministic_algorithms(True)
runs = []
for _ in range(2):
    torch.manual_seed(0)
    runs.append(train_on_device(MLP([64, 32, 10]).to(device), X_dev, y_dev, epochs=1).net[0].weight.detach().clone())
torch.use_deterministic_algorithms(False)
print("two seeded runs give identical weights:", torch.equal(*runs))

# %% [markdown]
# ## 9. Measured on a GPU
#
# `benchmarks/bench_gpu.py` measures step time, samples per second and MFU for a grid of MLP sizes and
# batch sizes in fp32, TF32, bf16 autocast and with `torch.compile`, on whatever device it finds.
#
# **No GPU was lent to the session that wrote this chapter**, so there is no measured GPU table here yet.
# What the script printed on this course's 2-core build machine (CPU, one thread, fp32 peak = the measured
# large-matmul rate) is in the closing note. On a machine with a GPU, the next cell runs a short version of
# the same sweep.

# %%
# NBVAL_IGNORE_OUTPUT (timings, GPU only)
if on_gpu:
    torch.set_float32_matmul_precision("high")
    peak = perf.find_peak(torch.cuda.get_device_name(device))
    for b in [256, 4096, 16384]:
        t = step_seconds([64, 4096, 4096, 10], b, "bf16", min_run_time=0.2)
        flops = perf.training_step_flops([64, 4096, 4096, 10], b)
        mfu = f", MFU {flops / t / peak.peak('bf16'):.0%} of {peak.name}'s bf16 peak" if peak else ""
        print(f"B = {b}: {t * 1e3:.2f} ms per step, {b / t:,.0f} samples/s{mfu}")
    torch.set_float32_matmul_precision("highest")
else:
    print("skipped: no CUDA GPU here (this cell sweeps a 4096-wide MLP in bf16 on a GPU)")

# %% [markdown]
# ## Exercises
#
# Each exercise has a solution cell (collapsed: try first!) and a checker cell that runs your code on known
# inputs, gives a hint if something is off, and shows your points. Every exercise runs on a CPU.
#
# ### Exercise 1: the FLOPs of a training step (2 points)
#
# Return the FLOPs of the matrix products of one training step (forward and backward) of an MLP with layer
# widths `sizes` on a batch of `batch_size`: $2Bnm$ for each product, three products per layer (forward,
# weight gradient, input gradient), except that the first layer needs no input gradient.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch09-training-flops", "locked": false, "schema_version": 3, "solution": true, "task": false}
def training_flops(sizes, batch_size):
    """FLOPs of the matrix products of one training step."""
    ### BEGIN SOLUTION
    total = 0
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        products = 2 if layer == 0 else 3  # the first layer needs no input gradient
        total += products * 2 * batch_size * n_in * n_out
    return total
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch09-training-flops-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch09 import check_training_flops

extra_cases = []
### BEGIN HIDDEN TESTS
# An instructor's hidden case, (sizes, batch_size): a deep narrow network.
extra_cases = [([10, 8, 8, 8, 8, 3], 7)]
### END HIDDEN TESTS
check_training_flops(training_flops, extra_cases)

# %% [markdown]
# ### Exercise 2: timing an asynchronous device correctly (3 points)
#
# Write `time_per_call(step, synchronize, clock, warmup, repeats)`: call `step()` `warmup` times, then time
# `repeats` calls, and return the seconds per call. `synchronize()` waits for the device, `clock()` reads
# the time (on a GPU they would be `torch.cuda.synchronize` and `time.perf_counter`). The checker runs it
# on a simulated asynchronous device.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch09-timing", "locked": false, "schema_version": 3, "solution": true, "task": false}
def time_per_call(step, synchronize, clock, warmup, repeats):
    """Seconds per call of step(), measured after a warm-up, between synchronisations."""
    ### BEGIN SOLUTION
    for _ in range(warmup):
        step()
    synchronize()
    start = clock()
    for _ in range(repeats):
        step()
    synchronize()
    return (clock() - start) / repeats
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch09-timing-check", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch09 import check_timing

check_timing(time_per_call)

# %% [markdown]
# ### Exercise 3: a mixed-precision training step (3 points)
#
# Write `amp_step(model, optimizer, scaler, x, y)`: one training step with cross-entropy loss whose forward
# pass and loss run under `torch.autocast(device_type=x.device.type, dtype=torch.float16)`, with the
# `torch.amp.GradScaler` `scaler` scaling the loss for `backward`, stepping the optimizer and updating its
# scale. Return the (unscaled) loss.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch09-amp-step", "locked": false, "schema_version": 3, "solution": true, "task": false}
def amp_step(model, optimizer, scaler, x, y):
    """One float16 autocast step with loss scaling; returns the loss."""
    ### BEGIN SOLUTION
    optimizer.zero_grad()
    with torch.autocast(device_type=x.device.type, dtype=torch.float16):
        loss = nn.functional.cross_entropy(model(x), y)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    return loss.item()
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch09-amp-step-check", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch09 import check_amp_step

check_amp_step(amp_step)

# %% [markdown]
# ### Exercise 4 (open-ended): device-agnostic training to 95 % (3 points)
#
# Write `train(X, y, device)`: it gets the training digits as CPU tensors and a `torch.device` (the GPU when
# there is one, else the CPU), and returns a PyTorch model whose parameters live on `device` and that
# reaches **95 % accuracy on the held-out digits** (which the checker moves to `device`). Move the model and
# the data once; choose the network, the optimizer and the number of epochs.

# %% jupyter={"source_hidden": true} nbgrader={"grade": false, "grade_id": "ch09-device-training", "locked": false, "schema_version": 3, "solution": true, "task": false}
def train(X, y, device):
    """Return a model on `device` trained on the digits (X, y)."""
    ### BEGIN SOLUTION
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
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ch09-device-training-check", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
from nncourse.exercises.ch09 import check_device_training

check_device_training(train)

# %% [markdown]
# ## Summary
#
# - An `nn.Module` holds layers whose parameters it registers; `DataLoader` batches a `Dataset`; autograd
#   replaces the hand-written backward passes; a `state_dict` (model and optimizer) is the checkpoint. In
#   float64 the PyTorch network and the course's took the same SGD steps to 1e-12.
# - One `device`, chosen at run time; the model and (for small data) the whole data set moved once.
# - GPU work is asynchronous: warm up, synchronise before and after, or use `torch.utils.benchmark`;
#   `.item()`, `print` and `.cpu()` in a loop synchronise and keep the host from running ahead.
# - A training step costs $\approx 6PB$ FLOPs; MFU is those FLOPs per second over the data-sheet dense peak
#   for the precision used. Small models and batches are overhead-bound, large ones compute-bound; the
#   roofline $\sum_k \max(\tau, F_k/\pi, Q_k/\beta)$ predicts which.
# - TF32, bf16 and fp16 trade mantissa bits for speed on tensor cores; fp16 needs a `GradScaler`; on most
#   CPUs 16-bit autocast is slower, not faster.
# - `torch.compile` fuses kernels; its compilation costs seconds at the first call and at each new shape.
# - DDP averages gradients across processes and reproduces single-process training on the combined batch.
#
# ## Common pitfalls
#
# - **Timing without synchronising**, or including the first call (or the compilation) in the average.
# - **Quoting the wrong peak**: the sparsity figure, the fp16 figure for an fp32 run, or the boost clock of a
#   different model (SXM vs PCIe) — MFU then looks twice too small or too large.
# - **Moving data to the device inside the loop** (`x.to(device)` per batch from pageable host memory), or
#   creating tensors on the CPU and mixing them with device tensors (an error, or a hidden copy).
# - **`loss.item()` every step** for logging: a synchronisation per step.
# - **fp16 without a loss scaler**: small gradients vanish silently; or calling `optimizer.step()` instead
#   of `scaler.step(optimizer)`, which steps with scaled gradients.
# - **Benchmarking `torch.compile` on varying shapes**: every new shape can recompile.
# - **Different seeds or shards on different ranks** in DDP: the copies drift apart, or samples repeat.
#
# ## References
#
# - S. Williams, A. Waterman, D. Patterson (2009). Roofline: an insightful visual performance model for
#   multicore architectures. *Communications of the ACM* 52(4), 65–76.
# - P. Micikevicius et al. (2018). Mixed precision training. *ICLR*, arXiv:1710.03740.
# - D. Kalamkar et al. (2019). A study of BFLOAT16 for deep learning training. arXiv:1905.12322.
# - S. Li et al. (2020). PyTorch Distributed: experiences on accelerating data parallel training. *VLDB*
#   13(12), arXiv:2006.15704.
# - J. Ansel et al. (2024). PyTorch 2: faster machine learning through dynamic Python bytecode transformation
#   and graph compilation. *ASPLOS*.
# - A. Chowdhery et al. (2022). PaLM: scaling language modeling with pathways. arXiv:2204.02311 (model
#   FLOPs utilisation).
# - J. Kaplan et al. (2020). Scaling laws for neural language models. arXiv:2001.08361 (the 6 N FLOPs per
#   token rule).
# - P. Goyal et al. (2017). Accurate, large minibatch SGD: training ImageNet in 1 hour. arXiv:1706.02677.
# - PyTorch documentation: the performance tuning guide, the `torch.utils.benchmark` recipe, automatic mixed
#   precision (`torch.amp`), `torch.compile`, and "Getting started with distributed data parallel".
# - NVIDIA data sheets of the V100, T4, A100, H100 and H200 (the rows of `nncourse.perf.PEAKS`).
#
# ## Closing note: what we measured
#
# - **No GPU was lent to the session that wrote this chapter**: there is no measured GPU table yet. When a
#   GPU is at hand, `python benchmarks/bench_gpu.py` prints the same table for it, with MFU against the
#   data-sheet peak for each precision; it belongs here, with the device's name and the command.
# - **The CPU table** (`OMP_NUM_THREADS=1 python benchmarks/bench_gpu.py --quick --threads 1
#   --min-run-time 0.1`, PyTorch 2.13 CPU build, an Intel Xeon with AVX-512 and AMX, one thread, CPU time
#   of the process because the 2-core machine was shared with other jobs at a load average of about 10; the
#   "peak" is the measured rate of a 512 × 512 matrix product: 0.115 TFLOP/s in fp32, 0.376 in bf16):
#
#   | sizes | batch | precision | ms / step | samples / s | TFLOP/s | MFU |
#   |---|---|---|---|---|---|---|
#   | 64-256-256-10 | 32 | fp32 | 1.090 | 29,369 | 0.0139 | 12.1% |
#   | 64-256-256-10 | 256 | fp32 | 2.510 | 102,004 | 0.0484 | 42.0% |
#   | 64-256-256-10 | 2048 | fp32 | 15.456 | 132,509 | 0.0628 | 54.6% |
#   | 64-256-256-10 | 32 | bf16 | 1.254 | 25,521 | 0.0121 | 3.2% |
#   | 64-256-256-10 | 256 | bf16 | 1.599 | 160,116 | 0.0759 | 20.2% |
#   | 64-256-256-10 | 2048 | bf16 | 6.102 | 335,630 | 0.159 | 42.3% |
#   | 64-1024-1024-10 | 32 | fp32 | 3.664 | 8,733 | 0.0578 | 50.2% |
#   | 64-1024-1024-10 | 256 | fp32 | 19.517 | 13,117 | 0.0868 | 75.4% |
#   | 64-1024-1024-10 | 2048 | fp32 | 174.962 | 11,705 | 0.0774 | 67.3% |
#   | 64-1024-1024-10 | 32 | bf16 | 6.492 | 4,929 | 0.0326 | 8.7% |
#   | 64-1024-1024-10 | 256 | bf16 | 12.496 | 20,486 | 0.136 | 36.0% |
#   | 64-1024-1024-10 | 2048 | bf16 | 66.687 | 30,710 | 0.203 | 54.0% |
#
#   The overhead-bound start (batch 32: 12 % of the fp32 peak for the small network) and the climb towards
#   the matrix-product rate are there; bf16 autocast loses at batch 32 and wins from 256 on, thanks to AMX.
# - **`torch.compile` on this CPU**: the first compilation of the small GELU function took 15–25 s in this
#   notebook with Inductor's on-disk cache holding only the CPU-feature probes, about 55 s with an empty
#   cache (`TORCHINDUCTOR_CACHE_DIR` set to a new folder), and about 8 s for a small MLP whose graph was already in the cache.
#   `torch._dynamo.utils.compile_times()` shows where it goes: nearly all of it in `compile_file`, a dozen
#   `g++` runs (the probes for AVX2 / AVX-512 / AMX support, then each generated kernel against ATen's
#   vectorisation headers). The compiled training step in `bench_gpu.py`'s full grid took 113 s on its
#   first call at load 10, which is why the CPU table above leaves `compile` out.
# - **Checked results** (re-checked by the tests): PyTorch and `nncourse` took the same 44 float64 SGD
#   steps to 1e-12; the hand FLOP count equals `FlopCounterMode`'s; DDP on two `gloo` processes gave the
#   single-process weights to 1e-12 (2.8e-17 measured). The ranks are forked from a *fork server*, a fresh
#   Python that imports PyTorch once (2–8 s here, the first time; 0.3 s for a second run): a plain `fork`
#   of the Jupyter kernel was quicker (0.5 s) but deadlocked once under nbval, as forking a multi-threaded
#   process may. fp32, bf16 and fp16 training reached the same validation accuracy (0.96–0.97).
# - **Run time**: the kernel needs about 15 s of CPU time for the whole notebook (`torch.compile`'s first
#   compilation, the fork server's import of PyTorch and the timing sweep are most of it). On the course's
#   2-core build machine, shared with other jobs at a load average of 8–15, `scripts/execute_notebooks.py`
#   took 31–86 s and nbval 24–73 s (one BLAS thread, Inductor's cache warm); with an empty Inductor cache the
#   first compilation alone adds up to a minute on such a machine. On an idle 2-core machine expect 15–25 s.
#
# ## What comes next
#
# The course's networks are now PyTorch networks, and they run wherever PyTorch runs. From here the same
# tools carry over to convolutional and attention layers: the FLOP count of a layer, the roofline of its
# kernels, mixed precision and data parallelism are the questions every larger model asks again.
