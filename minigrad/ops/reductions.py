"""Reductions: sum, mean, max, min, norm, softmax and log_softmax.

A reduction's backward has to undo the reduction's shape change: the gradient
of ``x.sum(dim=1)`` has one value per row, and every element of a row got it
(d sum / d x_ij = 1).  So backward first puts the reduced dimensions back
(size 1) and then expands the gradient over them.

The functions ``sum``, ``mean``, ``max``... below are both ``minigrad.sum(x)`` and the
method ``x.sum()``: the end of the file gives them to Tensor.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from .._errors import with_hint
from .._tensor import Tensor, _dim, wrap
from ..autograd.function import Function
from .elementwise import _to_float
from .shape import Expand, expanded

# What ``x.max(dim=1)`` returns, as PyTorch's ``torch.return_types.max``.
values_indices = namedtuple("values_indices", ["values", "indices"])


def _dims(dim, ndim: int) -> tuple:
    """The reduced dimensions as a tuple of non-negative ints (all of them for None)."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        return tuple(sorted(_dim(d, ndim) for d in dim))
    return (_dim(dim, ndim),)


def _expand_back(grad, input_shape: tuple, dims: tuple, keepdim: bool):
    """Spread the gradient of a reduction back over the input's shape."""
    return _kept(grad, input_shape, dims, keepdim).expand(input_shape)


def _kept(grad, input_shape: tuple, dims: tuple, keepdim: bool):
    """The gradient of a reduction with its reduced dimensions back, as size 1."""
    if keepdim:
        return grad
    return grad.reshape(tuple([1 if i in dims else size for i, size in enumerate(input_shape)]))


# ---------------------------------------------------------------------- sum and mean
class Sum(Function):
    """Sum of all elements; each element's derivative is 1."""

    node_name = "SumBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.input_shape = x.data.shape
        return np.asarray(x.data.sum())

    @staticmethod
    def backward(ctx, grad_output):
        return Expand.apply(grad_output, ctx.input_shape)

    @staticmethod
    def backward_on_arrays(ctx, g):
        return expanded(g, ctx.input_shape)

    @staticmethod
    def jvp(ctx, tangent):
        return tangent.sum()


class SumDim(Function):
    """Sum over some dimensions (``dim=``, ``keepdim=``)."""

    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.input_shape, ctx.dims, ctx.keepdim = x.data.shape, dims, keepdim
        return np.asarray(x.data.sum(axis=dims, keepdims=keepdim))

    @staticmethod
    def backward(ctx, grad_output):
        return _expand_back(grad_output, ctx.input_shape, ctx.dims, ctx.keepdim), None, None

    @staticmethod
    def backward_on_arrays(ctx, g):
        return expanded(_kept(g, ctx.input_shape, ctx.dims, ctx.keepdim), ctx.input_shape), None, None

    @staticmethod
    def jvp(ctx, tangent, dims, keepdim):
        return tangent.sum(dim=dims, keepdim=keepdim)


class Mean(Function):
    """Mean of all n elements; each element's derivative is 1/n."""

    node_name = "MeanBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.input_shape = x.data.shape
        return np.asarray(x.data.mean(), dtype=x.data.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        count = math.prod(ctx.input_shape) or 1
        return grad_output.expand(ctx.input_shape) / count

    @staticmethod
    def backward_on_arrays(ctx, g):
        return expanded(g / (math.prod(ctx.input_shape) or 1), ctx.input_shape)

    @staticmethod
    def jvp(ctx, tangent):
        return tangent.mean()


class MeanDim(Function):
    """Mean over some dimensions; derivative 1/(number of elements averaged)."""

    node_name = "MeanBackward1"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.input_shape, ctx.dims, ctx.keepdim = x.data.shape, dims, keepdim
        return np.asarray(x.data.mean(axis=dims, keepdims=keepdim), dtype=x.data.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        count = math.prod([ctx.input_shape[d] for d in ctx.dims]) or 1
        return _expand_back(grad_output, ctx.input_shape, ctx.dims, ctx.keepdim) / count, None, None

    @staticmethod
    def backward_on_arrays(ctx, g):
        count = math.prod([ctx.input_shape[d] for d in ctx.dims]) or 1
        return expanded(_kept(g, ctx.input_shape, ctx.dims, ctx.keepdim) / count, ctx.input_shape), None, None

    @staticmethod
    def jvp(ctx, tangent, dims, keepdim):
        return tangent.mean(dim=dims, keepdim=keepdim)


def sum(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001 - PyTorch's name
    """Σ of the elements, over all dimensions or over ``dim``."""
    if x.data.dtype.kind == "b":
        x = x.long()
    if dim is None:
        return Sum.apply(x)
    return SumDim.apply(x, _dims(dim, x.ndim), keepdim)


def mean(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Average of the elements, over all dimensions or over ``dim``."""
    if x.data.dtype.kind != "f":
        raise with_hint(
            RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating point or "
                f"complex dtype. Got: {'Bool' if x.data.dtype.kind == 'b' else 'Long'}"
            ),
            f"This tensor has dtype {x.dtype!r}: use x.float().mean().",
        )
    if dim is None:
        return Mean.apply(x)
    return MeanDim.apply(x, _dims(dim, x.ndim), keepdim)


# ---------------------------------------------------------------------- max and min
class MaxAll(Function):
    """Largest element; ties share the gradient evenly, as in PyTorch."""

    node_name = "MaxBackward1"
    pick = staticmethod(np.max)

    @classmethod
    def forward(cls, ctx, x):
        if x.data.size == 0:
            raise RuntimeError(
                "max(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        # The input is saved (as PyTorch does): it tells which elements were the largest.
        ctx.save_for_backward(x)
        return np.asarray(cls.pick(x.data))

    @classmethod
    def _share(cls, x, dtype) -> Tensor:
        winners = x.data == cls.pick(x.data)
        return wrap((winners / winners.sum()).astype(dtype))

    @classmethod
    def backward(cls, ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * cls._share(x, grad_output.data.dtype)

    @classmethod
    def jvp(cls, ctx, tangent):
        return (tangent * cls._share(ctx.inputs[0], tangent.data.dtype)).sum()


class MinAll(MaxAll):
    node_name = "MinBackward1"
    pick = staticmethod(np.min)


class MaxDim(Function):
    """Largest element along a dimension, with its index; the gradient goes to that index."""

    node_name = "MaxBackward0"
    arg = staticmethod(np.argmax)

    @classmethod
    def forward(cls, ctx, x, dim, keepdim):
        indices = np.expand_dims(cls.arg(x.data, axis=dim), dim)
        values = np.take_along_axis(x.data, indices, axis=dim)
        # Saved for backward: the input (for its shape; PyTorch saves it too) and the
        # indices, which say where each gradient goes.
        ctx.save_for_backward(x)
        ctx.kept_indices = indices
        ctx.dim, ctx.keepdim = dim, keepdim
        if not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        indices = wrap(indices.astype(np.int64))
        ctx.mark_non_differentiable(indices)
        return wrap(values), indices

    @staticmethod
    def _picked(ctx, x, dtype) -> Tensor:
        """Which element of x was picked, as a 0/1 mask of x's shape."""
        picked = np.zeros(x.data.shape, dtype=dtype)
        np.put_along_axis(picked, ctx.kept_indices, 1, axis=ctx.dim)
        return wrap(picked)

    @staticmethod
    def backward(ctx, grad_values, grad_indices):
        (x,) = ctx.saved_tensors
        spread = _expand_back(grad_values, x.data.shape, (ctx.dim,), ctx.keepdim)
        return spread * MaxDim._picked(ctx, x, grad_values.data.dtype), None, None

    @staticmethod
    def jvp(ctx, tangent, dim, keepdim):
        picked = MaxDim._picked(ctx, ctx.inputs[0], tangent.data.dtype)
        return (tangent * picked).sum(dim=dim, keepdim=keepdim), None


class MinDim(MaxDim):
    node_name = "MinBackward0"
    arg = staticmethod(np.argmin)


def max(x: Tensor, dim=None, keepdim: bool = False):  # noqa: A001
    """The largest element, or ``(values, indices)`` along ``dim``."""
    if isinstance(dim, Tensor):  # torch.max(a, b) is the element-wise maximum
        return maximum(x, dim)
    if dim is None:
        return MaxAll.apply(x)
    return values_indices(*MaxDim.apply(x, _dim(dim, x.ndim), keepdim))


def min(x: Tensor, dim=None, keepdim: bool = False):  # noqa: A001
    """The smallest element, or ``(values, indices)`` along ``dim``."""
    if isinstance(dim, Tensor):
        return minimum(x, dim)
    if dim is None:
        return MinAll.apply(x)
    return values_indices(*MinDim.apply(x, _dim(dim, x.ndim), keepdim))


def maximum(a: Tensor, b: Tensor) -> Tensor:
    """Element-wise maximum (the gradient goes to the larger input; ties split it)."""
    return (a + b + (a - b).abs()) / 2


def minimum(a: Tensor, b: Tensor) -> Tensor:
    """Element-wise minimum (the gradient goes to the smaller input; ties split it)."""
    return (a + b - (a - b).abs()) / 2


def argmax(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Index of the largest element (flattened when ``dim`` is None); needs no grad."""
    if dim is None:
        return wrap(np.asarray(np.argmax(x.data), dtype=np.int64))
    dim = _dim(dim, x.ndim)
    return wrap(np.asarray(np.argmax(x.data, axis=dim, keepdims=keepdim), dtype=np.int64))


def argmin(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Index of the smallest element; needs no grad."""
    if dim is None:
        return wrap(np.asarray(np.argmin(x.data), dtype=np.int64))
    dim = _dim(dim, x.ndim)
    return wrap(np.asarray(np.argmin(x.data, axis=dim, keepdims=keepdim), dtype=np.int64))


# ---------------------------------------------------------------------- norm
class Norm(Function):
    """Euclidean norm ‖x‖ = sqrt(Σ x²); d‖x‖/dx = x / ‖x‖ (0 where ‖x‖ = 0)."""

    node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        result = wrap(np.asarray(np.sqrt((x.data * x.data).sum(axis=dims, keepdims=keepdim)), dtype=x.data.dtype))
        ctx.save_for_backward(x, result)
        ctx.dims, ctx.keepdim = dims, keepdim
        return result

    @staticmethod
    def backward(ctx, grad_output):
        x, result = ctx.saved_tensors
        norm = _expand_back(result, x.data.shape, ctx.dims, ctx.keepdim)
        grad = _expand_back(grad_output, x.data.shape, ctx.dims, ctx.keepdim)
        safe = norm + wrap((norm.data == 0).astype(norm.data.dtype))  # avoid 0/0
        return grad * x / safe, None, None

    @staticmethod
    def jvp(ctx, tangent, dims, keepdim):
        x, result = ctx.inputs[0], ctx.outputs[0]
        safe = result + wrap((result.data == 0).astype(result.data.dtype))
        return (x * tangent).sum(dim=dims, keepdim=keepdim) / safe


def norm(x: Tensor, p=2, dim=None, keepdim: bool = False) -> Tensor:
    """The 2-norm of all elements, or along ``dim``."""
    if p not in (2, "fro"):
        raise NotImplementedError(f"minigrad implements the 2-norm only, got p={p!r}")
    x = _to_float(x)
    return Norm.apply(x, _dims(dim, x.ndim), keepdim)


# ---------------------------------------------------------------------- softmax
def _log_softmax(values: np.ndarray, dim: int) -> np.ndarray:
    # Subtracting the maximum first keeps exp from overflowing; it cancels out.
    shifted = values - values.max(axis=dim, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


class Softmax(Function):
    """softmax(x)_i = exp(x_i) / Σ_j exp(x_j); backward: y·(g - Σ g·y)."""

    node_name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        result = wrap(np.exp(_log_softmax(x.data, dim)))
        ctx.save_for_backward(result)
        ctx.dim = dim
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return y * (grad_output - (grad_output * y).sum(dim=ctx.dim, keepdim=True)), None

    @staticmethod
    def jvp(ctx, tangent, dim):
        y = ctx.outputs[0]
        return y * (tangent - (tangent * y).sum(dim=dim, keepdim=True))


class LogSoftmax(Function):
    """log softmax(x)_i = x_i - log Σ_j exp(x_j); backward: g - softmax·Σ g."""

    node_name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        result = wrap(_log_softmax(x.data, dim))
        ctx.save_for_backward(result)
        ctx.dim = dim
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output - result.exp() * grad_output.sum(dim=ctx.dim, keepdim=True), None

    @staticmethod
    def backward_on_arrays(ctx, g):
        (result,) = ctx.saved_tensors
        return g - np.exp(result.data) * g.sum(axis=ctx.dim, keepdims=True), None

    @staticmethod
    def jvp(ctx, tangent, dim):
        y = ctx.outputs[0].exp()
        return tangent - (tangent * y).sum(dim=dim, keepdim=True)


def softmax(x: Tensor, dim: int) -> Tensor:
    """exp(x_i) / Σ_j exp(x_j) along ``dim``."""
    return Softmax.apply(_to_float(x), _dim(dim, x.ndim))


def log_softmax(x: Tensor, dim: int) -> Tensor:
    """x_i - log Σ_j exp(x_j) along ``dim``."""
    return LogSoftmax.apply(_to_float(x), _dim(dim, x.ndim))


# ====================================================================== the Tensor methods
# Reductions without a gradient: their results are bool tensors.
def _all(self: Tensor) -> Tensor:
    """True when every element is non-zero (a bool tensor that needs no grad)."""
    return wrap(np.asarray(self.data.all()))


def _any(self: Tensor) -> Tensor:
    """True when some element is non-zero (a bool tensor that needs no grad)."""
    return wrap(np.asarray(self.data.any()))


Tensor.sum = sum
Tensor.mean = mean
Tensor.max = max
Tensor.min = min
Tensor.argmax = argmax
Tensor.argmin = argmin
Tensor.norm = norm
Tensor.softmax = softmax
Tensor.log_softmax = log_softmax
Tensor.all = _all
Tensor.any = _any
