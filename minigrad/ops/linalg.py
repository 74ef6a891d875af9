"""Matrix products: ``a @ b`` for vectors, matrices and batches of matrices.

For C = A·B the chain rule gives dL/dA = dL/dC·Bᵀ and dL/dB = Aᵀ·dL/dC.  A
vector is treated as a one-row (on the left) or one-column (on the right)
matrix, so one pair of formulas covers every case; batch dimensions that were
broadcast are summed back by the engine, like any other broadcasting.

``matmul`` below is ``minigrad.matmul(a, b)``, ``a.matmul(b)`` and ``a @ b``.
"""

from __future__ import annotations

import math

import numpy as np

from .._errors import with_hint
from .._tensor import Tensor
from ..autograd.function import Function
from .elementwise import _as_tensor, _to_float


class Matmul(Function):
    """A @ B (PyTorch's node: MmBackward0 for two matrices)."""

    node_name = "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b if ctx.needs_input_grad[0] else None)
        ctx.a_vector, ctx.b_vector = a.data.ndim == 1, b.data.ndim == 1
        return np.matmul(a.data, b.data)

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        grad = grad_output
        if ctx.a_vector or ctx.b_vector:
            # Restore the dimensions that a vector operand removed from the result:
            # the row of a (1, k) left operand, the column of a (k, 1) right operand.
            shape = list(grad_output.data.shape)
            if ctx.b_vector:
                shape.append(1)
            if ctx.a_vector:
                shape.insert(len(shape) - 1, 1)
            grad = grad_output.reshape(tuple(shape))
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            b_matrix = b.unsqueeze(-1) if ctx.b_vector else b
            grad_a = _matrix_product(grad, b_matrix.mT)  # dL/dA = dL/dC · Bᵀ
            if ctx.a_vector:
                grad_a = grad_a.squeeze(-2)
        if ctx.needs_input_grad[1]:
            a_matrix = a.unsqueeze(-2) if ctx.a_vector else a
            grad_b = _matrix_product(a_matrix.mT, grad)  # dL/dB = Aᵀ · dL/dC
            if ctx.b_vector:
                grad_b = grad_b.squeeze(-1)
        return grad_a, grad_b

    @staticmethod
    def backward_on_arrays(ctx, g):
        # The heaviest node of every network: the same two products as backward, on the
        # arrays, for (batches of) matrices (vectors take the tensor formula).
        if ctx.a_vector or ctx.b_vector:
            return NotImplemented
        a, b = ctx.saved_tensors
        grad_a = np.matmul(g, b.data.mT) if ctx.needs_input_grad[0] else None
        grad_b = np.matmul(a.data.mT, g) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b

    @staticmethod
    def jvp(ctx, tangent_a, tangent_b):
        a, b = ctx.inputs
        return tangent_a @ b + a @ tangent_b


class Dot(Matmul):
    """Dot product of two vectors."""

    node_name = "DotBackward0"


class Mv(Matmul):
    """Matrix times vector."""

    node_name = "MvBackward0"


class BatchedMatmul(Matmul):
    """Batches of matrix products."""

    node_name = "BmmBackward0"


def _matrix_product(a: Tensor, b: Tensor) -> Tensor:
    """a @ b for the (batches of) matrices of a backward formula: their shapes fit by
    construction, so ``matmul``'s checks of a user's operands are skipped."""
    if a.data.ndim == 2 and b.data.ndim == 2:
        return Matmul.apply(a, b)
    return BatchedMatmul.apply(a, b)


def _check_batch_dims(shape_a: tuple, shape_b: tuple) -> None:
    """Batch dimensions (all but the last two) broadcast like any other operands' dimensions."""
    batch_a, batch_b = shape_a[:-2], shape_b[:-2]
    for i, (size_a, size_b) in enumerate(zip(reversed(batch_a), reversed(batch_b)), start=1):
        if size_a != size_b and size_a != 1 and size_b != 1:
            raise with_hint(
                RuntimeError(
                    f"The size of tensor a ({size_a}) must match the size of tensor b ({size_b}) at "
                    f"non-singleton dimension {max(len(batch_a), len(batch_b)) - i}"
                ),
                f"Shapes {list(shape_a)} and {list(shape_b)}: the batch dimensions of matmul, all but the "
                "last two, must broadcast.",
            )


def _size_mismatch(shape_a: tuple, shape_b: tuple) -> RuntimeError:
    """PyTorch's message for factors whose inner sizes differ: it names the product that
    matmul became (dot, mv, mm or bmm), with the hint of which sizes must agree."""
    inner_a = shape_a[-1]
    inner_b = shape_b[0] if len(shape_b) == 1 else shape_b[-2]
    rows = math.prod(shape_a[:-1])
    if len(shape_a) == 1 and len(shape_b) == 1:
        message = (
            f"inconsistent tensor size, expected tensor [{inner_a}] and src [{inner_b}] to have the same "
            f"number of elements, but got {inner_a} and {inner_b} elements respectively"
        )
    elif len(shape_b) == 1:
        message = f"size mismatch, got input ({rows}), mat ({rows}x{inner_a}), vec ({inner_b})"
    elif len(shape_b) == 2:
        message = f"mat1 and mat2 shapes cannot be multiplied ({rows}x{inner_a} and {inner_b}x{shape_b[1]})"
    else:
        batch = math.prod(np.broadcast_shapes(shape_a[:-2], shape_b[:-2]))
        message = (
            f"Expected size for first two dimensions of batch2 tensor to be: [{batch}, {inner_a}] but got: "
            f"[{batch}, {inner_b}]."
        )
    which = "only" if len(shape_b) == 1 else "second-to-last"
    return with_hint(
        RuntimeError(message),
        f"matmul of shapes {list(shape_a)} and {list(shape_b)}: the last dimension of the first ({inner_a}) "
        f"must equal the {which} dimension of the second ({inner_b}).",
    )


def matmul(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument names
    """The matrix product with NumPy's (and PyTorch's) rules for vectors and batches."""
    if not isinstance(other, Tensor):
        other = Tensor(other)
    x, y = input.data, other.data
    if x.ndim == 2 and y.ndim == 2 and x.shape[1] == y.shape[0] and x.dtype is y.dtype:
        return Matmul.apply(input, other)  # two matrices that fit, of one dtype: nothing to check
    ndim_a, ndim_b = x.ndim, y.ndim
    if ndim_a == 0 or ndim_b == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {ndim_a}D and {ndim_b}D"
        )
    inner_b = y.shape[0] if ndim_b == 1 else y.shape[-2]
    if x.shape[-1] != inner_b:
        raise _size_mismatch(x.shape, y.shape)
    if ndim_a > 2 or ndim_b > 2:
        _check_batch_dims(input.data.shape, other.data.shape)
    if input.data.dtype is not other.data.dtype and input.data.dtype != other.data.dtype:
        input, other = _to_float(input), _to_float(other)
        if input.data.dtype != other.data.dtype:
            wider = np.promote_types(input.data.dtype, other.data.dtype)
            input, other = input.to(wider), other.to(wider)
    if ndim_b == 1:
        return Dot.apply(input, other) if ndim_a == 1 else Mv.apply(input, other)
    if ndim_a <= 2 and ndim_b == 2:
        return Matmul.apply(input, other)
    return BatchedMatmul.apply(input, other)


def mm(input: Tensor, mat2: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument names
    """The product of two matrices."""
    if input.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2)


def mv(input: Tensor, vec: Tensor) -> Tensor:  # noqa: A002
    """A matrix times a vector."""
    if input.ndim != 2 or vec.ndim != 1:
        # (PyTorch computes mv as addmv, whose first operand is a 1-D bias: hence the "1".)
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim}")
    if input.data.shape[1] != vec.data.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({input.data.shape[0]}), mat ({input.data.shape[0]}x{input.data.shape[1]}), "
            f"vec ({vec.data.shape[0]})"
        )
    return matmul(input, vec)


def dot(input: Tensor, tensor: Tensor) -> Tensor:  # noqa: A002
    """Σ a_i·b_i of two vectors."""
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D tensors")
    return matmul(input, tensor)


# ====================================================================== the Tensor methods
def _rmatmul(self: Tensor, other) -> Tensor:
    return matmul(_as_tensor(other), self)  # array @ tensor


Tensor.__matmul__ = Tensor.matmul = matmul
Tensor.mm = mm
Tensor.mv = mv
Tensor.dot = dot
Tensor.__rmatmul__ = _rmatmul
