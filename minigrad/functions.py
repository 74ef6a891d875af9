"""Module-level forms of the operations: ``minigrad.exp(x)``, ``minigrad.matmul(a, b)``, ...

Each is the Tensor method of the same name, as in PyTorch.
"""

from __future__ import annotations

import numpy as np

from ._tensor import Tensor, _as_tensor
from .ops.linalg import matmul
from .ops.reductions import argmax, argmin, maximum, minimum
from .ops.shape import cat, stack

__all__ = [
    "abs", "add", "allclose", "argmax", "argmin", "cat", "clamp", "clip", "cos", "div", "dot",
    "equal", "exp", "flatten", "isclose", "log", "log_softmax", "matmul", "max", "maximum", "mean",
    "min", "minimum", "mm", "mul", "mv", "neg", "norm", "permute", "pow", "relu", "reshape",
    "sigmoid", "sin", "softmax", "sqrt", "squeeze", "stack", "sub", "sum", "tanh", "transpose",
    "unsqueeze",
]


def abs(x: Tensor) -> Tensor:  # noqa: A001
    return x.abs()


def exp(x: Tensor) -> Tensor:
    return x.exp()


def log(x: Tensor) -> Tensor:
    return x.log()


def sqrt(x: Tensor) -> Tensor:
    return x.sqrt()


def sin(x: Tensor) -> Tensor:
    return x.sin()


def cos(x: Tensor) -> Tensor:
    return x.cos()


def tanh(x: Tensor) -> Tensor:
    return x.tanh()


def sigmoid(x: Tensor) -> Tensor:
    return x.sigmoid()


def relu(x: Tensor) -> Tensor:
    return x.relu()


def neg(x: Tensor) -> Tensor:
    return -x


def clamp(x: Tensor, min=None, max=None) -> Tensor:  # noqa: A002
    return x.clamp(min, max)


clip = clamp


def add(a, b, alpha=1) -> Tensor:
    return _as_tensor(a) + (b if alpha == 1 else b * alpha)


def sub(a, b, alpha=1) -> Tensor:
    return _as_tensor(a) - (b if alpha == 1 else b * alpha)


def mul(a, b) -> Tensor:
    return _as_tensor(a) * b


def div(a, b) -> Tensor:
    return _as_tensor(a) / b


def pow(base, exponent) -> Tensor:  # noqa: A001
    if isinstance(base, Tensor):
        return base**exponent
    return base**exponent if not isinstance(exponent, Tensor) else exponent.__rpow__(base)


def sum(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001
    return x.sum(dim, keepdim)


def mean(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return x.mean(dim, keepdim)


def max(x: Tensor, dim=None, keepdim: bool = False):  # noqa: A001
    return x.max(dim, keepdim)


def min(x: Tensor, dim=None, keepdim: bool = False):  # noqa: A001
    return x.min(dim, keepdim)


def norm(x: Tensor, p=2, dim=None, keepdim: bool = False) -> Tensor:
    return x.norm(p, dim, keepdim)


def softmax(x: Tensor, dim: int) -> Tensor:
    return x.softmax(dim)


def log_softmax(x: Tensor, dim: int) -> Tensor:
    return x.log_softmax(dim)


def reshape(x: Tensor, shape) -> Tensor:
    return x.reshape(shape)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return x.flatten(start_dim, end_dim)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    return x.transpose(dim0, dim1)


def permute(x: Tensor, dims) -> Tensor:
    return x.permute(*dims)


def squeeze(x: Tensor, dim=None) -> Tensor:
    return x.squeeze(dim)


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    return x.unsqueeze(dim)


def mm(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"mm: both arguments must be matrices, got {a.ndim}D and {b.ndim}D tensors")
    return matmul(a, b)


def mv(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 2 or b.ndim != 1:
        raise RuntimeError(f"mv: expected a matrix and a vector, got {a.ndim}D and {b.ndim}D tensors")
    return matmul(a, b)


def dot(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    return matmul(a, b)


def allclose(a: Tensor, b: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    return bool(np.allclose(a.data, _as_tensor(b).data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(a: Tensor, b: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    return Tensor(np.isclose(a.data, _as_tensor(b).data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(a: Tensor, b: Tensor) -> bool:
    return a.equal(b)
