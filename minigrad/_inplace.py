"""In-place operations (``x += 1``, ``x.zero_()``, ``x[0] = 5``) and what they mean for autograd.

An in-place operation overwrites a tensor's memory, so:

* a leaf that requires grad may not be changed (outside ``no_grad``): its
  value is what the gradients are *about*;
* every change increments the tensor's version counter, so a backward that
  needs the old value raises instead of silently using the new one;
* on a tensor that is part of a graph, the change is recorded: the tensor's
  ``grad_fn`` becomes the node of the operation, whose input is the tensor's
  previous history (PyTorch calls this "rebasing" the history).

The methods (``x.add_(y)``, ``x += y``, ``x[0] = 5``...) are given to Tensor at the end of the file.
"""

from __future__ import annotations

import numpy as np

from . import dtypes
from ._errors import with_hint
from ._tensor import Tensor, bump_version, wrap
from .autograd import forward_ad
from .autograd.function import Function, is_recorded
from .ops.elementwise import Add, Div, Mul, Sub, _scalar_operand, exp, relu
from .ops.shape import _index_array


def _records(tensor: Tensor, other=None) -> bool:
    """Whether this in-place change must go through a Function: recorded in the graph,
    or carrying a forward-mode tangent."""
    if forward_ad.state.level is not None and (
        tensor._fw_tangent is not None or (isinstance(other, Tensor) and other._fw_tangent is not None)
    ):
        return True
    return is_recorded((tensor, other))


def _check_allowed(tensor: Tensor) -> None:
    if tensor.grad_fn is None and tensor._requires_grad:
        raise with_hint(
            RuntimeError("a leaf Variable that requires grad is being used in an in-place operation."),
            "Change it under `with minigrad.no_grad():`, or use an out-of-place operation.",
        )
    base = tensor._base
    if base is not None and base._requires_grad:
        if base.grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
        raise RuntimeError(
            "minigrad does not support in-place operations on a view of a tensor that requires grad "
            "(PyTorch rewrites the base tensor's history for this); use an out-of-place operation "
            "instead, e.g. y = y * 2 rather than y[0] *= 2."
        )


def _snapshot(tensor: Tensor) -> Tensor:
    """The tensor as it is now, with its history, in memory of its own.

    The recorded operation takes this as its input: the node may save it for
    backward, and it must keep the value from *before* the in-place change.
    """
    old = wrap(tensor.data.copy())
    old._requires_grad = tensor._requires_grad
    old.grad_fn = tensor.grad_fn
    old.output_nr = tensor.output_nr
    old._fw_tangent = tensor._fw_tangent
    return old


def _cast_error(result_dtype: np.dtype, tensor: Tensor) -> RuntimeError:
    """PyTorch's error for a result that does not fit the tensor written into (int += float)."""
    return RuntimeError(
        f"result type {dtypes.from_numpy(result_dtype).name} can't be cast to the desired "
        f"output type {tensor.dtype.name}"
    )


def _write(tensor: Tensor, result: Tensor) -> Tensor:
    """Store ``result`` in ``tensor``'s memory, count the version, and adopt its history."""
    if not np.can_cast(result.data.dtype, tensor.data.dtype, casting="same_kind"):
        raise _cast_error(result.data.dtype, tensor)
    tensor.data[...] = result.data
    bump_version(tensor)
    if result.grad_fn is not None:
        tensor.grad_fn = result.grad_fn
        tensor.output_nr = result.output_nr
        tensor._requires_grad = True
    if result._fw_tangent is not None:
        forward_ad._set_tangent(tensor, result._fw_tangent)
    return tensor


def binary(tensor: Tensor, function, ufunc, other) -> Tensor:
    """``tensor = tensor <op> other``, in place."""
    if not _records(tensor, other):
        # Nothing to record (e.g. an optimizer step under no_grad): just change the numbers.
        operand = other.data if isinstance(other, Tensor) else other
        try:
            ufunc(tensor.data, operand, out=tensor.data, casting="same_kind")
        except TypeError:  # NumPy refuses to cast the result into the tensor's dtype
            raise _cast_error(np.result_type(tensor.data, operand), tensor) from None
        bump_version(tensor)
        return tensor
    _check_allowed(tensor)
    if not isinstance(other, Tensor):
        other = _scalar_operand(other, tensor)
    return _write(tensor, function.apply(_snapshot(tensor), other))


def unary(tensor: Tensor, operation) -> Tensor:
    """``tensor = operation(tensor)``, in place."""
    if _records(tensor):
        _check_allowed(tensor)
        return _write(tensor, operation(_snapshot(tensor)))
    return _write(tensor, operation(tensor))


def fill(tensor: Tensor, value, function=None) -> Tensor:
    """Set every element to ``value`` (the gradient to the old values is then zero)."""
    if _records(tensor, value):
        _check_allowed(tensor)
        if isinstance(value, Tensor):
            return _write(tensor, FillTensor.apply(_snapshot(tensor), value))
        return _write(tensor, (function or Fill).apply(_snapshot(tensor), value))
    tensor.data[...] = value.data if isinstance(value, Tensor) else value
    bump_version(tensor)
    return tensor


def copy(tensor: Tensor, source) -> Tensor:
    """Copy ``source``'s values (broadcast to this shape) into this tensor."""
    source = source if isinstance(source, Tensor) else Tensor(source)
    if _records(tensor, source):
        _check_allowed(tensor)
        return _write(tensor, Copy.apply(_snapshot(tensor), source))
    tensor.data[...] = np.broadcast_to(source.data, tensor.data.shape)
    bump_version(tensor)
    return tensor


def setitem(tensor: Tensor, index, value) -> None:
    """``tensor[index] = value``: the gradient of the overwritten part goes to ``value``."""
    items = index if isinstance(index, tuple) else (index,)
    items = tuple(_index_array(item) for item in items)
    if _records(tensor, value):
        _check_allowed(tensor)
        value = value if isinstance(value, Tensor) else _scalar_operand(value, tensor)
        _write(tensor, CopySlices.apply(_snapshot(tensor), value, items))
        return
    tensor.data[items] = value.data if isinstance(value, Tensor) else value
    bump_version(tensor)


class Fill(Function):
    """All elements replaced by a number: no gradient to the old values."""

    node_name = "FillBackward2"

    @staticmethod
    def forward(ctx, x, value):
        return np.full(x.data.shape, value, dtype=x.data.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0, None

    @staticmethod
    def jvp(ctx, tangent, value):
        return tangent * 0


class Zero(Fill):
    """``zero_()``: all elements replaced by 0."""

    node_name = "ZeroBackward0"


class FillTensor(Function):
    """All elements replaced by a one-element tensor, which gets the sum of their gradients."""

    node_name = "FillBackward3"

    @staticmethod
    def forward(ctx, x, value):
        return np.broadcast_to(value.data, x.data.shape).astype(x.data.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0, grad_output.sum()

    @staticmethod
    def jvp(ctx, tangent, tangent_value):
        return tangent * 0 + tangent_value


class Copy(Function):
    """Values replaced by (broadcast) ``source``: the gradient goes to the source."""

    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, x, source):
        return np.broadcast_to(source.data, x.data.shape).astype(x.data.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0, grad_output

    @staticmethod
    def jvp(ctx, tangent, tangent_source):
        return tangent * 0 + tangent_source


class CopySlices(Function):
    """Part of a tensor overwritten: that part's gradient goes to the new value, the rest to the old tensor."""

    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, x, value, index):
        ctx.index = index
        result = x.data.copy()
        result[index] = value.data
        return result

    @staticmethod
    def backward(ctx, grad_output):
        keep = np.ones(grad_output.data.shape, dtype=grad_output.data.dtype)
        keep[ctx.index] = 0
        grad_value = grad_output[ctx.index]
        return grad_output * wrap(keep), grad_value, None

    @staticmethod
    def jvp(ctx, tangent, tangent_value, index):
        # The same write, applied to the tangents.
        return CopySlices.apply(tangent, tangent_value, index)


# ====================================================================== the Tensor methods
def add_(self: Tensor, other, alpha=1) -> Tensor:
    return binary(self, Add, np.add, other if alpha == 1 else other * alpha)


def sub_(self: Tensor, other, alpha=1) -> Tensor:
    return binary(self, Sub, np.subtract, other if alpha == 1 else other * alpha)


def mul_(self: Tensor, other) -> Tensor:
    return binary(self, Mul, np.multiply, other)


def div_(self: Tensor, other) -> Tensor:
    return binary(self, Div, np.true_divide, other)


def zero_(self: Tensor) -> Tensor:
    return fill(self, 0, Zero)


def fill_(self: Tensor, value) -> Tensor:
    return fill(self, value)


def copy_(self: Tensor, source) -> Tensor:
    return copy(self, source)


def clamp_(self: Tensor, min=None, max=None) -> Tensor:  # noqa: A002 - PyTorch's argument names
    return unary(self, lambda t: t.clamp(min, max))


def relu_(self: Tensor) -> Tensor:
    return unary(self, relu)


def exp_(self: Tensor) -> Tensor:
    return unary(self, exp)


Tensor.__setitem__ = setitem
Tensor.add_ = Tensor.__iadd__ = add_
Tensor.sub_ = Tensor.__isub__ = sub_
Tensor.mul_ = Tensor.__imul__ = mul_
Tensor.div_ = Tensor.__itruediv__ = div_
Tensor.zero_ = zero_
Tensor.fill_ = fill_
Tensor.copy_ = copy_
Tensor.clamp_ = clamp_
Tensor.relu_ = relu_
Tensor.exp_ = exp_
