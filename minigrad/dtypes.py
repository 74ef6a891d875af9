"""Data types: minigrad's four dtypes and PyTorch's type-promotion rules.

A dtype is a thin wrapper around a NumPy dtype with PyTorch's name, so that
``x.dtype`` prints ``minigrad.float32`` and ``minigrad.float64`` etc. can be
passed wherever PyTorch takes ``torch.float64``.
"""

from __future__ import annotations

import numpy as np


class dtype:  # noqa: N801 - PyTorch's class name is lower case (torch.dtype)
    """One of minigrad's element types (``float32``, ``float64``, ``int64``, ``bool``)."""

    __slots__ = ("name", "numpy", "is_floating_point", "category")

    def __init__(self, name: str, numpy_dtype: type, category: int) -> None:
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.is_floating_point = category == FLOAT
        # bool < integer < floating point: the order in which PyTorch promotes
        self.category = category

    def __repr__(self) -> str:
        return f"minigrad.{self.name}"

    def __reduce__(self):  # dtypes are singletons, also after pickling
        return (_by_name, (self.name,))


BOOL, INTEGER, FLOAT = 0, 1, 2

float32 = dtype("float32", np.float32, FLOAT)
float64 = dtype("float64", np.float64, FLOAT)
int64 = dtype("int64", np.int64, INTEGER)
bool_ = dtype("bool", np.bool_, BOOL)

# PyTorch's aliases
float = float32  # noqa: A001
double = float64
long = int64

DEFAULT_FLOAT = float32  # Python floats and lists of floats become float32, as in PyTorch

_FROM_NUMPY = {d.numpy: d for d in (float32, float64, int64, bool_)}


def _by_name(name: str) -> dtype:
    return {"float32": float32, "float64": float64, "int64": int64, "bool": bool_}[name]


def from_numpy(numpy_dtype: np.dtype) -> dtype:
    """The minigrad dtype for a NumPy dtype (smaller ints and floats are widened)."""
    found = _FROM_NUMPY.get(numpy_dtype)
    if found is not None:
        return found
    if numpy_dtype.kind in "iu":
        return int64
    if numpy_dtype.kind == "f":
        return float32 if numpy_dtype.itemsize <= 4 else float64
    raise TypeError(
        f"minigrad supports float32, float64, int64 and bool data, got NumPy dtype {numpy_dtype}"
    )


def as_dtype(value) -> dtype:
    """Accept a minigrad dtype, a NumPy dtype or a Python type (``float``, ``int``, ``bool``)."""
    if isinstance(value, dtype):
        return value
    if value is builtins_float:
        return DEFAULT_FLOAT
    if value is builtins_int:
        return int64
    if value is builtins_bool:
        return bool_
    try:
        return from_numpy(np.dtype(value))
    except TypeError:
        raise TypeError(f"expected a minigrad dtype such as minigrad.float32, got {value!r}") from None


builtins_float, builtins_int, builtins_bool = type(0.5), type(1), type(True)


def scalar_category(value) -> int:
    """The category of a Python number: bool, integer or floating point."""
    if isinstance(value, builtins_bool):
        return BOOL
    if isinstance(value, builtins_int):
        return INTEGER
    return FLOAT


def promote(a: dtype, a_dim: int, b: dtype, b_dim: int) -> dtype:
    """PyTorch's result type for two tensors.

    Within one category the wider type wins, except that a 0-dim tensor never
    widens a tensor with dimensions (float32 vector + float64 scalar tensor is
    float32).  A higher category always wins (int + float is float).
    """
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    if (a_dim == 0) != (b_dim == 0):
        return b if a_dim == 0 else a
    return a if a.numpy.itemsize >= b.numpy.itemsize else b


def promote_with_scalar(t: dtype, value) -> dtype:
    """Result type of a tensor and a Python number: the number only lifts the category."""
    category = scalar_category(value)
    if category <= t.category:
        return t
    return DEFAULT_FLOAT if category == FLOAT else int64
