"""Where the time of a training step goes: FLOPs and bytes counted by hand, peaks from data sheets, a roofline.

An MLP with layer sizes :math:`n_0, n_1, \\dots, n_L` has :math:`P = \\sum_l (n_{l-1} n_l + n_l)` parameters.
A product of a :math:`B \\times n` matrix by an :math:`n \\times m` one takes :math:`B n m` multiply-adds,
counted as :math:`2 B n m` floating-point operations (FLOPs). One training step on a batch of :math:`B` does,
per ``Linear`` layer :math:`l`, three such products:

.. math::

    Y = X W^\\top \\;(2 B n_{l-1} n_l), \\qquad
    \\frac{\\partial L}{\\partial W} = G^\\top X \\;(2 B n_{l-1} n_l), \\qquad
    \\frac{\\partial L}{\\partial X} = G W \\;(2 B n_{l-1} n_l,\\ \\text{not needed for the first layer}),

so a step costs :math:`\\approx 6 B \\sum_l n_{l-1} n_l \\approx 6 P B` FLOPs (the biases, the activations,
the loss and the optimizer add terms linear in :math:`B n` or :math:`P`, small next to it for wide layers).

A kernel that does :math:`F` FLOPs and moves :math:`Q` bytes to and from memory cannot finish before
:math:`\\max(F/\\pi, Q/\\beta)` on a device with peak rate :math:`\\pi` (FLOP/s) and memory bandwidth
:math:`\\beta` (B/s): the *roofline* (Williams, Waterman & Patterson 2009). Its arithmetic intensity
:math:`F/Q` decides which bound applies; the ridge point is :math:`\\pi/\\beta`. A step is a sequence of
kernels, and each one also costs the host a launch overhead :math:`\\tau`; a kernel shorter than
:math:`\\tau` leaves the device waiting. The prediction used here is

.. math::

    T_\\text{step} \\approx \\sum_k \\max\\big(\\tau,\\; F_k / \\pi,\\; Q_k / \\beta\\big),

overhead-bound at small batches (every kernel takes :math:`\\tau`), compute- or memory-bound at large ones.

>>> training_step_flops([64, 64, 10], batch_size=32)
647168
>>> 6 * parameter_count([64, 64, 10]) * 32  # the rule of thumb also counts the first layer's input gradient
923520
"""

import re
from dataclasses import dataclass

__all__ = [
    "PEAKS",
    "DevicePeak",
    "Kernel",
    "find_peak",
    "model_flops_utilization",
    "parameter_count",
    "predict_step_time",
    "roofline_time",
    "training_step_flops",
    "training_step_kernels",
]

BYTES_PER_ELEMENT = {"fp32": 4, "tf32": 4, "bf16": 2, "fp16": 2}


def _check_sizes(sizes):
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or len(sizes) < 2:
        raise ValueError(f"sizes must be a list of at least two layer widths, e.g. [64, 64, 10], got {sizes!r}")
    for n in sizes:
        if isinstance(n, bool) or not hasattr(n, "__index__") or n < 1:
            raise ValueError(f"sizes must hold positive integers, got {list(sizes)!r}")
    return [int(n) for n in sizes]


def _check_batch(batch_size):
    if isinstance(batch_size, bool) or not hasattr(batch_size, "__index__") or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    return int(batch_size)


def parameter_count(sizes):
    """:math:`P = \\sum_l (n_{l-1} n_l + n_l)`: weights and biases of an MLP with layer widths ``sizes``.

    >>> parameter_count([64, 64, 10])
    4810
    """
    sizes = _check_sizes(sizes)
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def training_step_flops(sizes, batch_size, input_grad=False):
    """The FLOPs of the matrix products of one training step (forward and backward) of an MLP.

    Per layer :math:`2 B n_{l-1} n_l` for the forward product, the same for the weight gradient and, except
    for the first layer (whose input needs no gradient unless ``input_grad=True``), for the input gradient.
    Element-wise work (biases, activations, loss, optimizer) is left out: it is linear in :math:`B n` and
    bound by memory, not by arithmetic (:func:`training_step_kernels` counts it).

    >>> training_step_flops([784, 1024, 10], batch_size=128) == 6 * 128 * 1024 * 10 + 4 * 128 * 784 * 1024
    True
    """
    sizes, batch_size = _check_sizes(sizes), _check_batch(batch_size)
    total = 0
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        products = 3 if (layer > 0 or input_grad) else 2
        total += products * 2 * batch_size * n_in * n_out
    return total


@dataclass(frozen=True)
class Kernel:
    """One launch on the device: its name, FLOPs and bytes read plus written.

    >>> Kernel("relu", 0, 8).intensity
    0.0
    """

    name: str
    flops: int
    bytes: int

    @property
    def intensity(self):
        """Arithmetic intensity F/Q in FLOP per byte."""
        return self.flops / self.bytes


def training_step_kernels(sizes, batch_size, precision="fp32"):
    """The kernels of one eager PyTorch training step of a ReLU MLP with cross-entropy loss and plain SGD.

    Each kernel reads its inputs and writes its output once (``bytes_per_element`` from ``precision``;
    under autocast the weights are cast to 16 bits once per step, which is counted). One kernel per
    operation, as eager PyTorch launches them: per layer the forward ``addmm`` and ReLU; the loss (log-softmax
    and its gradient); per layer backward the ReLU mask, the input-gradient and weight-gradient products and
    the bias-gradient sum; one SGD update per parameter tensor. An estimate for the roofline, not a trace.

    >>> kernels = training_step_kernels([64, 64, 10], 32)
    >>> len(kernels), sum(k.flops for k in kernels) >= training_step_flops([64, 64, 10], 32)
    (14, True)
    """
    sizes, batch_size = _check_sizes(sizes), _check_batch(batch_size)
    if precision not in BYTES_PER_ELEMENT:
        raise ValueError(f"precision must be one of {list(BYTES_PER_ELEMENT)}, got {precision!r}")
    e, B = BYTES_PER_ELEMENT[precision], batch_size
    layers = list(zip(sizes[:-1], sizes[1:], strict=True))
    kernels = []
    if e == 2:  # autocast: each weight matrix cast from float32 once (read 4 bytes, write 2)
        kernels += [Kernel(f"cast W{k + 1}", 0, 6 * a * b) for k, (a, b) in enumerate(layers)]
    for k, (a, b) in enumerate(layers):
        kernels.append(Kernel(f"addmm {k + 1}", 2 * B * a * b + B * b, e * (B * a + a * b + b + B * b)))
        if k < len(layers) - 1:
            kernels.append(Kernel(f"relu {k + 1}", B * b, e * 2 * B * b))
    n_classes = sizes[-1]
    kernels.append(Kernel("cross-entropy", 5 * B * n_classes, 4 * 2 * B * n_classes))
    for k in reversed(range(len(layers))):
        a, b = layers[k]
        if k < len(layers) - 1:
            kernels.append(Kernel(f"relu backward {k + 1}", B * b, e * 3 * B * b))
        kernels.append(Kernel(f"grad W{k + 1}", 2 * B * a * b, e * (B * b + B * a) + 4 * a * b))
        kernels.append(Kernel(f"grad b{k + 1}", B * b, e * B * b + 4 * b))
        if k > 0:
            kernels.append(Kernel(f"grad input {k + 1}", 2 * B * a * b, e * (B * b + a * b + B * a)))
    for k, (a, b) in enumerate(layers):  # SGD: read w and g, write w (float32 master weights)
        kernels += [Kernel(f"sgd W{k + 1}", 2 * a * b, 12 * a * b), Kernel(f"sgd b{k + 1}", 2 * b, 12 * b)]
    return kernels


def roofline_time(flops, bytes, peak_flops, bandwidth):
    """:math:`\\max(F/\\pi, Q/\\beta)`: the shortest time a kernel can take on a device (seconds).

    >>> roofline_time(1e12, 1e9, peak_flops=1e14, bandwidth=1e12)  # 10 ms of arithmetic, 1 ms of memory
    0.01
    """
    if peak_flops <= 0 or bandwidth <= 0:
        raise ValueError(f"peak_flops and bandwidth must be positive, got {peak_flops!r} and {bandwidth!r}")
    return max(flops / peak_flops, bytes / bandwidth)


def predict_step_time(sizes, batch_size, *, peak_flops, bandwidth, launch_overhead, precision="fp32"):
    """Predicted seconds per training step: :math:`\\sum_k \\max(\\tau, F_k/\\pi, Q_k/\\beta)`.

    Returns ``(total, parts)``, where ``parts`` splits the total into the time kernels spend bound by
    ``"overhead"``, ``"compute"`` and ``"memory"``.

    >>> total, parts = predict_step_time([64, 64, 10], 32, peak_flops=1e14, bandwidth=1e12, launch_overhead=5e-6)
    >>> round(total * 1e6), max(parts, key=parts.get)  # tiny kernels: 14 launches of 5 µs
    (70, 'overhead')
    """
    if launch_overhead < 0:
        raise ValueError(f"launch_overhead must be ≥ 0 seconds, got {launch_overhead!r}")
    parts = {"overhead": 0.0, "compute": 0.0, "memory": 0.0}
    for kernel in training_step_kernels(sizes, batch_size, precision):
        times = {"overhead": launch_overhead, "compute": kernel.flops / peak_flops,
                 "memory": kernel.bytes / bandwidth}
        bound = max(times, key=times.get)
        parts[bound] += times[bound]
    return sum(parts.values()), parts


def model_flops_utilization(flops_per_step, seconds_per_step, peak_flops):
    """MFU: the fraction of the peak that the model's own FLOPs achieve, :math:`F / (T \\pi)`.

    >>> model_flops_utilization(6e12, 0.1, peak_flops=1e14)
    0.6
    """
    if seconds_per_step <= 0 or peak_flops <= 0:
        raise ValueError(f"seconds_per_step and peak_flops must be positive, got {seconds_per_step!r} and "
                         f"{peak_flops!r}")
    return flops_per_step / (seconds_per_step * peak_flops)


@dataclass(frozen=True)
class DevicePeak:
    """A device's peak dense rates (FLOP/s) per precision and memory bandwidth (B/s), from its data sheet.

    ``flops`` maps ``"fp32"``, ``"tf32"``, ``"bf16"``, ``"fp16"`` to the dense peak (without the 2:4
    structured-sparsity factor that data sheets print with an asterisk); a precision the device lacks is
    missing. ``source`` names the data sheet.

    >>> PEAKS["A100 SXM4 80GB"].flops["bf16"] / 1e12
    312.0
    """

    name: str
    pattern: str
    flops: dict
    bandwidth: float
    source: str

    def peak(self, precision):
        """The peak for ``precision``; a ValueError for one the device has no tensor-core rate for.

        >>> PEAKS["T4"].peak("bf16")
        Traceback (most recent call last):
        ValueError: T4 has no bf16 peak in its data sheet (it lists ['fp32', 'fp16'])
        """
        if precision not in self.flops:
            raise ValueError(f"{self.name} has no {precision} peak in its data sheet (it lists {list(self.flops)})")
        return self.flops[precision]


T = 1e12
PEAKS = {peak.name: peak for peak in [
    DevicePeak("V100 SXM2", r"V100", {"fp32": 15.7 * T, "fp16": 125 * T}, 900e9,
               "NVIDIA Tesla V100 data sheet (volta-v100-datasheet-update-us-1165301-r5): SXM2 column"),
    DevicePeak("T4", r"\bT4\b", {"fp32": 8.1 * T, "fp16": 65 * T}, 320e9,
               "NVIDIA T4 Tensor Core GPU data sheet (t4-tensor-core-datasheet-951643): mixed-precision FP16/FP32"),
    DevicePeak("A100 SXM4 80GB", r"A100.*80GB", {"fp32": 19.5 * T, "tf32": 156 * T, "bf16": 312 * T,
                                                  "fp16": 312 * T}, 2039e9,
               "NVIDIA A100 Tensor Core GPU data sheet (nvidia-a100-datasheet-us-nvidia-1758950-r4): 80GB SXM"),
    DevicePeak("A100 SXM4 40GB", r"A100", {"fp32": 19.5 * T, "tf32": 156 * T, "bf16": 312 * T, "fp16": 312 * T},
               1555e9, "NVIDIA A100 Tensor Core GPU data sheet (nvidia-a100-datasheet-us-nvidia-1758950-r4): 40GB"),
    DevicePeak("H100 SXM5", r"H100(?!.*PCIe)", {"fp32": 67 * T, "tf32": 494.5 * T, "bf16": 989 * T,
                                                "fp16": 989 * T}, 3.35e12,
               "NVIDIA H100 Tensor Core GPU data sheet: H100 SXM column, sparsity figures halved"),
    DevicePeak("H200 SXM", r"H200", {"fp32": 67 * T, "tf32": 494.5 * T, "bf16": 989 * T, "fp16": 989 * T}, 4.8e12,
               "NVIDIA H200 Tensor Core GPU data sheet: H200 SXM column, sparsity figures halved"),
]}


def find_peak(device_name):
    """The :class:`DevicePeak` whose pattern matches ``torch.cuda.get_device_name()``, or None.

    Patterns are tried in the table's order, so the more specific one wins (A100 80GB before A100).

    >>> find_peak("NVIDIA A100-SXM4-80GB").name, find_peak("NVIDIA H100 PCIe") is None
    ('A100 SXM4 80GB', True)
    """
    for peak in PEAKS.values():
        if re.search(peak.pattern, device_name):
            return peak
    return None
