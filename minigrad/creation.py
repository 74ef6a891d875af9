"""Creating tensors: ``tensor``, ``zeros``, ``ones``, ``arange``, random tensors, ...

All factories take the shape either as separate numbers (``zeros(2, 3)``) or
as one tuple (``zeros((2, 3))``), plus ``dtype=`` and ``requires_grad=``, as in
PyTorch.  Random numbers come from one NumPy generator that ``manual_seed``
resets, so a notebook that seeds once gives the same numbers on every run (they
are not PyTorch's numbers: the two libraries use different generators).
"""

from __future__ import annotations

import warnings

import numpy as np

from . import dtypes
from ._device import check_device, check_pin_memory
from ._tensor import Tensor, _flatten, wrap
from .ops.shape import _shape_arg

_generator = np.random.default_rng(0)


def manual_seed(seed: int) -> None:
    """Reset the random number generator, for reproducible results."""
    global _generator
    _generator = np.random.default_rng(int(seed))


def _finish(array: np.ndarray, requires_grad: bool, device=None, pin_memory: bool = False) -> Tensor:
    _check_options(device, pin_memory)
    tensor = wrap(array)
    if requires_grad:
        tensor._require_grad()
    return tensor


def _check_options(device, pin_memory: bool) -> None:
    # Every factory takes PyTorch's device= and pin_memory=: the CPU is fine, an
    # accelerator raises PyTorch's error for a machine without one (see _device.py).
    check_device(device)
    check_pin_memory(pin_memory)


def _float_dtype(dtype) -> np.dtype:
    return (dtypes.as_dtype(dtype) if dtype is not None else dtypes.DEFAULT_FLOAT).numpy


def tensor(data, dtype=None, requires_grad: bool = False, device=None, pin_memory=False) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested list, array or tensor).

    The copy has no history: PyTorch warns when ``data`` is a tensor, or holds tensors that
    require grad, since their gradients will not flow into the new tensor.
    """
    _check_options(device, pin_memory)
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
            "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    elif isinstance(data, (list, tuple)) and any(isinstance(t, Tensor) and t.requires_grad for t in _flatten(data)):
        # (PyTorch says this once per process, as it converts each element with .item().)
        warnings.warn(
            "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
            "Consider using tensor.detach() first.",
            UserWarning,
            stacklevel=2,
        )
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor``, but returns a tensor unchanged when it already fits."""
    check_device(device)
    if isinstance(data, Tensor) and (dtype is None or data.dtype is dtypes.as_dtype(dtype)):
        return data
    return Tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array."""
    dtypes.from_numpy(array.dtype)  # checks the dtype is supported
    return wrap(array)


def zeros(*size, dtype=None, requires_grad: bool = False, device=None, pin_memory=False) -> Tensor:
    return _finish(np.zeros(_shape_arg(size), dtype=_float_dtype(dtype)), requires_grad, device, pin_memory)


def ones(*size, dtype=None, requires_grad: bool = False, device=None, pin_memory=False) -> Tensor:
    return _finish(np.ones(_shape_arg(size), dtype=_float_dtype(dtype)), requires_grad, device, pin_memory)


def empty(*size, dtype=None, requires_grad: bool = False, device=None, pin_memory=False) -> Tensor:
    # Zeros rather than NumPy's uninitialised memory: the same speed here, and reproducible.
    return zeros(*size, dtype=dtype, requires_grad=requires_grad, device=device, pin_memory=pin_memory)


def full(size, fill_value, dtype=None, requires_grad: bool = False, device=None, pin_memory=False) -> Tensor:
    if dtype is None:
        dtype = dtypes.promote_with_scalar(dtypes.bool_, fill_value)
    array = np.full(_shape_arg((size,)), fill_value, dtype=dtypes.as_dtype(dtype).numpy)
    return _finish(array, requires_grad, device, pin_memory)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False, device=None, pin_memory=False) -> Tensor:
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad, device, pin_memory)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False, device=None, pin_memory=False) -> Tensor:
    """Numbers from start (default 0) up to, not including, end; int64 unless a bound is a float."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        dtype = dtypes.DEFAULT_FLOAT if is_float else dtypes.int64
    return _finish(np.arange(start, end, step, dtype=dtypes.as_dtype(dtype).numpy), requires_grad, device, pin_memory)


def linspace(start, end, steps: int, dtype=None, requires_grad: bool = False, device=None, pin_memory=False) -> Tensor:
    return _finish(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad, device, pin_memory)


def rand(*size, dtype=None, requires_grad: bool = False, device=None, pin_memory=False) -> Tensor:
    """Uniform random numbers in [0, 1)."""
    array = _generator.random(_shape_arg(size)).astype(_float_dtype(dtype))
    return _finish(array, requires_grad, device, pin_memory)


def randn(*size, dtype=None, requires_grad: bool = False, device=None, pin_memory=False) -> Tensor:
    """Standard normal random numbers."""
    array = _generator.standard_normal(_shape_arg(size)).astype(_float_dtype(dtype))
    return _finish(array, requires_grad, device, pin_memory)


def randint(low, high=None, size=(), dtype=None, device=None) -> Tensor:
    check_device(device)
    if high is None:
        low, high = 0, low
    return wrap(_generator.integers(low, high, size=tuple(size)).astype(np.int64))


def _like(other: Tensor, dtype) -> np.dtype:
    return dtypes.as_dtype(dtype).numpy if dtype is not None else other.data.dtype


def zeros_like(other: Tensor, dtype=None, requires_grad: bool = False, device=None, pin_memory=False) -> Tensor:
    return _finish(np.zeros(other.data.shape, dtype=_like(other, dtype)), requires_grad, device, pin_memory)


def ones_like(other: Tensor, dtype=None, requires_grad: bool = False, device=None, pin_memory=False) -> Tensor:
    return _finish(np.ones(other.data.shape, dtype=_like(other, dtype)), requires_grad, device, pin_memory)


def full_like(
    other: Tensor, fill_value, dtype=None, requires_grad: bool = False, device=None, pin_memory=False
) -> Tensor:
    return _finish(np.full(other.data.shape, fill_value, dtype=_like(other, dtype)), requires_grad, device, pin_memory)


def empty_like(other: Tensor, dtype=None, requires_grad: bool = False, device=None, pin_memory=False) -> Tensor:
    return zeros_like(other, dtype=dtype, requires_grad=requires_grad, device=device, pin_memory=pin_memory)


def rand_like(other: Tensor, dtype=None, requires_grad: bool = False, device=None, pin_memory=False) -> Tensor:
    dtype = dtype or other.dtype
    return rand(*other.data.shape, dtype=dtype, requires_grad=requires_grad, device=device, pin_memory=pin_memory)


def randn_like(other: Tensor, dtype=None, requires_grad: bool = False, device=None, pin_memory=False) -> Tensor:
    dtype = dtype or other.dtype
    return randn(*other.data.shape, dtype=dtype, requires_grad=requires_grad, device=device, pin_memory=pin_memory)


# ---------------------------------------------------------------------- legacy constructors
# ``torch.FloatTensor([0.1, 1.0])`` and ``torch.FloatTensor(2, 3)`` come from PyTorch before
# 0.4 and still fill old posts and tutorials: a tensor of one dtype from data, or of a shape
# (uninitialised memory in PyTorch, zeros here). ``isinstance(x, FloatTensor)`` asks for the dtype.
class _LegacyTensorType(type):
    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, Tensor) and instance.dtype is cls.dtype

    def __call__(cls, *args, device=None) -> Tensor:
        check_device(device)
        if all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in args):
            return zeros(*(args or (0,)), dtype=cls.dtype)  # a shape (no arguments: an empty tensor)
        (data,) = args
        return Tensor(data, dtype=cls.dtype)


class FloatTensor(metaclass=_LegacyTensorType):
    """``FloatTensor(data)`` or ``FloatTensor(*shape)``: a float32 tensor (legacy constructor)."""

    dtype = dtypes.float32


class DoubleTensor(metaclass=_LegacyTensorType):
    """``DoubleTensor(data)`` or ``DoubleTensor(*shape)``: a float64 tensor (legacy constructor)."""

    dtype = dtypes.float64


class LongTensor(metaclass=_LegacyTensorType):
    """``LongTensor(data)`` or ``LongTensor(*shape)``: an int64 tensor (legacy constructor)."""

    dtype = dtypes.int64
