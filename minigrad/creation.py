"""Creating tensors: ``tensor``, ``zeros``, ``ones``, ``arange``, random tensors, ...

All factories take the shape either as separate numbers (``zeros(2, 3)``) or
as one tuple (``zeros((2, 3))``), plus ``dtype=`` and ``requires_grad=``, as in
PyTorch.  Random numbers come from one NumPy generator that ``manual_seed``
resets, so a notebook that seeds once gives the same numbers on every run (they
are not PyTorch's numbers: the two libraries use different generators).
"""

from __future__ import annotations

import numpy as np

from . import dtypes
from ._tensor import Tensor, wrap
from .ops.shape import _shape_arg

_generator = np.random.default_rng(0)


def manual_seed(seed: int) -> None:
    """Reset the random number generator, for reproducible results."""
    global _generator
    _generator = np.random.default_rng(int(seed))


def _finish(array: np.ndarray, requires_grad: bool) -> Tensor:
    tensor = wrap(array)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def _float_dtype(dtype) -> np.dtype:
    return (dtypes.as_dtype(dtype) if dtype is not None else dtypes.DEFAULT_FLOAT).numpy


def tensor(data, dtype=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested list, array or tensor)."""
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def as_tensor(data, dtype=None) -> Tensor:
    """Like ``tensor``, but returns a tensor unchanged when it already fits."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype is dtypes.as_dtype(dtype)):
        return data
    return Tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array."""
    dtypes.from_numpy(array.dtype)  # checks the dtype is supported
    return wrap(array)


def zeros(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    return _finish(np.zeros(_shape_arg(size), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    return _finish(np.ones(_shape_arg(size), dtype=_float_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    # Zeros rather than NumPy's uninitialised memory: the same speed here, and reproducible.
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    if dtype is None:
        dtype = dtypes.promote_with_scalar(dtypes.bool_, fill_value)
    array = np.full(_shape_arg((size,)), fill_value, dtype=dtypes.as_dtype(dtype).numpy)
    return _finish(array, requires_grad)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False) -> Tensor:
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    """Numbers from start (default 0) up to, not including, end; int64 unless a bound is a float."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        dtype = dtypes.DEFAULT_FLOAT if is_float else dtypes.int64
    return _finish(np.arange(start, end, step, dtype=dtypes.as_dtype(dtype).numpy), requires_grad)


def linspace(start, end, steps: int, dtype=None, requires_grad: bool = False) -> Tensor:
    return _finish(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad)


def rand(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """Uniform random numbers in [0, 1)."""
    array = _generator.random(_shape_arg(size)).astype(_float_dtype(dtype))
    return _finish(array, requires_grad)


def randn(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """Standard normal random numbers."""
    array = _generator.standard_normal(_shape_arg(size)).astype(_float_dtype(dtype))
    return _finish(array, requires_grad)


def randint(low, high=None, size=(), dtype=None) -> Tensor:
    if high is None:
        low, high = 0, low
    return wrap(_generator.integers(low, high, size=tuple(size)).astype(np.int64))


def _like(other: Tensor, dtype) -> np.dtype:
    return dtypes.as_dtype(dtype).numpy if dtype is not None else other.data.dtype


def zeros_like(other: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return _finish(np.zeros(other.data.shape, dtype=_like(other, dtype)), requires_grad)


def ones_like(other: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return _finish(np.ones(other.data.shape, dtype=_like(other, dtype)), requires_grad)


def full_like(other: Tensor, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    return _finish(np.full(other.data.shape, fill_value, dtype=_like(other, dtype)), requires_grad)


def empty_like(other: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return zeros_like(other, dtype=dtype, requires_grad=requires_grad)


def rand_like(other: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return rand(*other.data.shape, dtype=dtype or other.dtype, requires_grad=requires_grad)


def randn_like(other: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return randn(*other.data.shape, dtype=dtype or other.dtype, requires_grad=requires_grad)
