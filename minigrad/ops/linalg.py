"""Matrix products: ``a @ b`` for vectors, matrices and batches of matrices.

For C = A·B the chain rule gives dL/dA = dL/dC·Bᵀ and dL/dB = Aᵀ·dL/dC.  A
vector is treated as a one-row (on the left) or one-column (on the right)
matrix, so one pair of formulas covers every case; batch dimensions that were
broadcast are summed back by the engine, like any other broadcasting.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _to_float
from ..autograd.function import Function


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
    for size_a, size_b in zip(reversed(shape_a[:-2]), reversed(shape_b[:-2])):
        if size_a != size_b and size_a != 1 and size_b != 1:
            raise RuntimeError(
                f"The size of tensor a ({size_a}) must match the size of tensor b ({size_b}) at a "
                f"non-singleton batch dimension of matmul (shapes {list(shape_a)} and {list(shape_b)}: "
                "the batch dimensions, all but the last two, must broadcast)"
            )


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """The matrix product with NumPy's (and PyTorch's) rules for vectors and batches."""
    if not isinstance(b, Tensor):
        b = Tensor(b)
    x, y = a.data, b.data
    if x.ndim == 2 and y.ndim == 2 and x.shape[1] == y.shape[0] and x.dtype is y.dtype:
        return Matmul.apply(a, b)  # two matrices that fit, of one dtype: nothing to check
    ndim_a, ndim_b = x.ndim, y.ndim
    if ndim_a == 0 or ndim_b == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {ndim_a}D and {ndim_b}D"
        )
    inner_a = a.data.shape[-1]
    inner_b = b.data.shape[0] if ndim_b == 1 else b.data.shape[-2]
    if inner_a != inner_b:
        if ndim_a == 2 and ndim_b == 2:
            message = (
                f"mat1 and mat2 shapes cannot be multiplied ({a.data.shape[0]}x{inner_a} and "
                f"{inner_b}x{b.data.shape[1]})"
            )
        else:
            message = (
                f"size mismatch in matmul: got shapes {list(a.data.shape)} and {list(b.data.shape)}; "
                f"the last dimension of the first ({inner_a}) must equal the "
                f"{'only' if ndim_b == 1 else 'second-to-last'} dimension of the second ({inner_b})"
            )
        raise RuntimeError(message)
    if ndim_a > 2 or ndim_b > 2:
        _check_batch_dims(a.data.shape, b.data.shape)
    if a.data.dtype is not b.data.dtype and a.data.dtype != b.data.dtype:
        a, b = _to_float(a), _to_float(b)
        if a.data.dtype != b.data.dtype:
            wider = np.promote_types(a.data.dtype, b.data.dtype)
            a, b = a.to(wider), b.to(wider)
    if ndim_b == 1:
        return Dot.apply(a, b) if ndim_a == 1 else Mv.apply(a, b)
    if ndim_a <= 2 and ndim_b == 2:
        return Matmul.apply(a, b)
    return BatchedMatmul.apply(a, b)
