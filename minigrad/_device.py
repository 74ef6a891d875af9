"""Devices: minigrad computes on the CPU only, and says so in PyTorch's words.

Code written for PyTorch names a device (``torch.device("cpu")``, ``device=``,
``x.to(device)``, ``x.cpu()``) so that it also runs on a GPU. minigrad accepts all of that
for the CPU, and answers a request for an accelerator (``"cuda"``, ``pin_memory=True``)
with the error a CPU-only PyTorch 2.13 raises, so that a learner meets the same message here
as on a laptop without a GPU.
"""

from __future__ import annotations

# The device types PyTorch knows, in the order its error message lists them.
_DEVICE_TYPES = (
    "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia",
    "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone",
)


class device:  # noqa: N801 - PyTorch's class name is lower case (torch.device)
    """Where a tensor's memory lives: ``device("cpu")``, ``device("cuda:0")``, ``device("cuda", 0)``.

    Naming an accelerator is allowed (as in PyTorch); putting a tensor there is not.
    """

    __slots__ = ("type", "index")

    def __init__(self, type: str | device, index: int | None = None) -> None:  # noqa: A002 - PyTorch's name
        if isinstance(type, device):
            type, index = type.type, type.index
        name, _, number = type.partition(":")
        if name not in _DEVICE_TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of device string: {type}"
            )
        self.type = name
        self.index = int(number) if number else index

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")

NO_ACCELERATOR = "Cannot access accelerator device when none is available."


def check_device(where) -> None:
    """Accept the CPU (or no device); raise PyTorch's error for any other device."""
    if where is None:
        return
    if isinstance(where, int):  # a bare number is an index on "the" accelerator
        raise RuntimeError(NO_ACCELERATOR)
    where = device(where)
    if where.type == "cuda":
        raise AssertionError("Torch not compiled with CUDA enabled")
    if where.type != "cpu":
        raise RuntimeError(f"PyTorch is not linked with support for {where.type} devices")


def check_pin_memory(pin_memory: bool) -> None:
    """Pinned (page-locked) memory is for copies to an accelerator, which this machine lacks."""
    if pin_memory:
        raise RuntimeError(
            "pin_memory=True requires a CUDA or other accelerator backend; no pinned memory allocator "
            "is available on this system."
        )
