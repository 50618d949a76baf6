"""Data parallelism for real: two processes on the CPU's ``gloo`` backend, ``DistributedDataParallel``.

Each of :math:`R` processes (ranks) holds a copy of the model and takes its own :math:`B/R` samples of every
batch. After ``backward`` DDP averages the gradients over the ranks with an all-reduce, so every copy takes
the same step. With a mean loss on equal shards the average of the ranks' gradients is the gradient of the
whole batch,

.. math::

    \\frac{1}{R} \\sum_{r=1}^{R} \\nabla_\\theta \\frac{R}{B} \\sum_{i \\in S_r} \\ell_i
    = \\nabla_\\theta \\frac{1}{B} \\sum_{i=1}^{B} \\ell_i,

so :math:`R` processes trained on shards give the weights of one process trained on the combined batches
(up to the order of floating-point sums; in float64 that is ~1e-15). :func:`train_data_parallel` starts the
processes with ``torch.multiprocessing`` and returns rank 0's weights; :func:`train_single_process` is the
reference. On several GPUs the same code uses the ``nccl`` backend, one process per GPU, usually started by
``torchrun``.

>>> weights = train_single_process(steps=2)
>>> sorted(weights)[:2]
['net.0.bias', 'net.0.weight']
"""

import datetime
import os
import tempfile

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel

from nncourse.gpu import MLP

__all__ = ["digits_batches", "train_data_parallel", "train_single_process"]

SIZES = (64, 32, 10)


def digits_batches(steps, batch_size, seed=0):
    """``steps`` batches of ``batch_size`` digits (float64 images, integer labels), drawn with ``seed``.

    >>> x, y = digits_batches(1, 8)[0]
    >>> x.shape, x.dtype, y.shape
    (torch.Size([8, 64]), torch.float64, torch.Size([8]))
    """
    from nncourse.data import load_digits

    X, y = load_digits()
    generator = torch.Generator().manual_seed(seed)
    X, y = torch.from_numpy(X).double(), torch.from_numpy(y).long()
    batches = []
    for _ in range(steps):
        index = torch.randint(len(X), (batch_size,), generator=generator)
        batches.append((X[index], y[index]))
    return batches


def _model(seed):
    torch.manual_seed(seed)
    return MLP(SIZES, dtype=torch.float64)


def train_single_process(steps=5, batch_size=32, lr=0.1, seed=0):
    """SGD on whole batches in one process: the reference. Returns the ``state_dict`` after ``steps`` steps.

    >>> train_single_process(steps=1)["net.2.weight"].shape
    torch.Size([10, 32])
    """
    model = _model(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for x, y in digits_batches(steps, batch_size, seed):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    return {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}


def _worker(rank, world_size, init_file, result_file, steps, batch_size, lr, seed):
    """One rank: join the group, wrap the model in DDP, train on this rank's shard of every batch."""
    torch.set_num_threads(1)
    # A rank that never arrives makes the others fail after a minute instead of waiting half an hour.
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world_size,
                            timeout=datetime.timedelta(seconds=60))
    try:
        model = DistributedDataParallel(_model(seed))  # DDP also broadcasts rank 0's weights at the start
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        shard = batch_size // world_size
        for x, y in digits_batches(steps, batch_size, seed):
            mine = slice(rank * shard, (rank + 1) * shard)
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x[mine]), y[mine]).backward()  # gradients all-reduced here
            optimizer.step()
        if rank == 0:
            torch.save(model.module.state_dict(), result_file)
    finally:
        dist.destroy_process_group()


def train_data_parallel(world_size=2, steps=5, batch_size=32, lr=0.1, seed=0, start_method=None):
    """Train with ``world_size`` processes (``gloo``, DDP), each on ``batch_size / world_size`` samples of every
    batch; returns rank 0's ``state_dict``.

    ``start_method`` is ``"forkserver"`` where the system has it (Linux, macOS): one clean server process
    imports PyTorch once and forks the ranks from itself, which is quick and safe. A plain ``"fork"`` of a
    Jupyter kernel can deadlock (the child inherits locks held by the kernel's other threads), and ``"spawn"``
    (the default elsewhere, and what ``torchrun`` does in effect) imports PyTorch anew in every rank.

    >>> train_data_parallel(world_size=2, steps=1, batch_size=3)
    Traceback (most recent call last):
    ValueError: batch_size must be a multiple of world_size, got batch_size=3 and world_size=2
    """
    if batch_size % world_size:
        raise ValueError(f"batch_size must be a multiple of world_size, got batch_size={batch_size} and "
                         f"world_size={world_size}")
    if start_method is None:
        start_method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    if start_method == "forkserver":
        # DDP's constructor imports torch._dynamo (seconds): once, in the server, not in every rank.
        mp.set_forkserver_preload(["torch._dynamo", "nncourse.distributed"])
    with tempfile.TemporaryDirectory() as folder:
        init_file, result_file = os.path.join(folder, "init"), os.path.join(folder, "weights.pt")
        mp.start_processes(_worker, args=(world_size, init_file, result_file, steps, batch_size, lr, seed),
                           nprocs=world_size, join=True, start_method=start_method)
        return torch.load(result_file)
