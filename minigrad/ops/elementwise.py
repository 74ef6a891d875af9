"""Element-wise operations: each a Function with its forward and backward side by side.

``forward`` computes on NumPy arrays (``x.data``) and saves what the derivative
needs; ``backward`` multiplies the incoming gradient by the local derivative
(the chain rule), written with Tensor operations so that it can itself be
differentiated when ``create_graph=True``. ``jvp`` is the same local derivative
used in forward mode (tangent in, tangent out). The busiest operations also give
their backward formula on NumPy arrays (``backward_on_arrays``), for a backward pass
that nothing records (device 6 of ``minigrad/_speed.py``).

Broadcasting is not handled here: if an input was broadcast, its gradient
comes back with the broadcast shape and the engine sums it back
(``minigrad.autograd.engine.unbroadcast``), in one place for all operations.
"""

from __future__ import annotations

import numpy as np

from .._tensor import wrap
from ..autograd.function import Function


def _constant(array: np.ndarray, like) -> object:
    """A tensor that needs no grad (a mask, a local derivative computed in NumPy)."""
    return wrap(np.asarray(array, dtype=like.data.dtype))


# ---------------------------------------------------------------------- arithmetic
class Add(Function):
    """a + b; d/da = 1, d/db = 1."""

    node_name = "AddBackward0"

    @staticmethod
    def forward(ctx, a, b):
        return a.data + b.data

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output, grad_output

    @staticmethod
    def jvp(ctx, tangent_a, tangent_b):
        return tangent_a + tangent_b


class Sub(Function):
    """a - b; d/da = 1, d/db = -1."""

    node_name = "SubBackward0"

    @staticmethod
    def forward(ctx, a, b):
        return a.data - b.data

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output, -grad_output if ctx.needs_input_grad[1] else None

    @staticmethod
    def backward_on_arrays(ctx, g):
        return g, -g if ctx.needs_input_grad[1] else None

    @staticmethod
    def jvp(ctx, tangent_a, tangent_b):
        return tangent_a - tangent_b


class Rsub(Function):
    """number - x, as PyTorch records ``1 - x`` (the number is not an input of the graph)."""

    node_name = "RsubBackward1"

    @staticmethod
    def forward(ctx, x, number):
        return number - x.data

    @staticmethod
    def backward(ctx, grad_output):
        return -grad_output, None

    @staticmethod
    def backward_on_arrays(ctx, g):
        return -g, None

    @staticmethod
    def jvp(ctx, tangent, _):
        return -tangent


class Mul(Function):
    """a * b; d/da = b, d/db = a."""

    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, a, b):
        # Save only what backward will read: the gradient for a needs b and vice
        # versa (so PyTorch, too, lets you change a in place when only a needs grad).
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b if ctx.needs_input_grad[0] else None)
        return a.data * b.data

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        grad_a = grad_output * b if ctx.needs_input_grad[0] else None
        grad_b = grad_output * a if ctx.needs_input_grad[1] else None
        return grad_a, grad_b

    @staticmethod
    def backward_on_arrays(ctx, g):
        a, b = ctx.saved_tensors
        if (a is not None and a.data.dtype is not g.dtype) or (b is not None and b.data.dtype is not g.dtype):
            return NotImplemented  # (the tensor formula applies PyTorch's type promotion)
        return (g * b.data if ctx.needs_input_grad[0] else None, g * a.data if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, tangent_a, tangent_b):
        a, b = ctx.inputs
        return tangent_a * b + a * tangent_b


class Div(Function):
    """a / b; d/da = 1/b, d/db = -a/b²."""

    node_name = "DivBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)
        return a.data / b.data

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        grad_a = grad_output / b if ctx.needs_input_grad[0] else None
        grad_b = -grad_output * a / (b * b) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b

    @staticmethod
    def backward_on_arrays(ctx, g):
        a, b = ctx.saved_tensors
        if (a is not None and a.data.dtype is not g.dtype) or b.data.dtype is not g.dtype:
            return NotImplemented  # (the tensor formula applies PyTorch's type promotion)
        grad_a = g / b.data if ctx.needs_input_grad[0] else None
        grad_b = -g * a.data / (b.data * b.data) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b

    @staticmethod
    def jvp(ctx, tangent_a, tangent_b):
        a, b = ctx.inputs
        return tangent_a / b - a * tangent_b / (b * b)


class Neg(Function):
    """-x; d/dx = -1."""

    node_name = "NegBackward0"

    @staticmethod
    def forward(ctx, x):
        return -x.data

    @staticmethod
    def backward(ctx, grad_output):
        return -grad_output

    @staticmethod
    def backward_on_arrays(ctx, g):
        return -g

    @staticmethod
    def jvp(ctx, tangent):
        return -tangent


class Reciprocal(Function):
    """1/x; d/dx = -1/x² = -result² (``2 / x`` is recorded as ``x.reciprocal() * 2``, as in PyTorch)."""

    node_name = "ReciprocalBackward0"

    @staticmethod
    def forward(ctx, x):
        result = wrap(1.0 / x.data)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return -grad_output * result * result

    @staticmethod
    def jvp(ctx, tangent):
        (result,) = ctx.outputs
        return -tangent * result * result


class Pow(Function):
    """x ** c for a constant number c; d/dx = c·x^(c-1)."""

    node_name = "PowBackward0"

    @staticmethod
    def forward(ctx, x, exponent):
        ctx.save_for_backward(x)
        ctx.exponent = exponent
        return x.data**exponent

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        if ctx.exponent == 0:
            return grad_output * 0, None
        return grad_output * ctx.exponent * x ** (ctx.exponent - 1), None

    @staticmethod
    def backward_on_arrays(ctx, g):
        (x,) = ctx.saved_tensors
        if ctx.exponent == 0:
            return g * 0, None
        return g * ctx.exponent * x.data ** (ctx.exponent - 1), None

    @staticmethod
    def jvp(ctx, tangent, _):
        x = ctx.inputs[0]
        return tangent * ctx.exponent * x ** (ctx.exponent - 1)


class PowTensor(Function):
    """a ** b for two tensors; d/da = b·a^(b-1), d/db = a^b·log(a)."""

    node_name = "PowBackward1"

    @staticmethod
    def forward(ctx, a, b):
        result = wrap(a.data**b.data)
        ctx.save_for_backward(a, b, result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        a, b, result = ctx.saved_tensors
        grad_a = grad_output * b * a ** (b - 1) if ctx.needs_input_grad[0] else None
        grad_b = None
        if ctx.needs_input_grad[1]:
            # PyTorch's convention: where a == 0 (and b >= 0) the derivative in b is taken as 0.
            safe_log = _safe_log(a)
            grad_b = grad_output * result * safe_log
        return grad_a, grad_b

    @staticmethod
    def jvp(ctx, tangent_a, tangent_b):
        a, b = ctx.inputs
        (result,) = ctx.outputs
        return tangent_a * b * a ** (b - 1) + tangent_b * result * _safe_log(a)


def _safe_log(a):
    mask = a.data == 0
    return (a + _constant(mask, a)).log() * _constant(~mask, a)


class RPow(Function):
    """c ** x for a constant number c; d/dx = c^x·log(c)."""

    node_name = "PowBackward2"

    @staticmethod
    def forward(ctx, base, x):
        ctx.log_base = float(np.log(base)) if base > 0 else float("nan")
        result = wrap(np.power(np.asarray(base, dtype=x.data.dtype), x.data))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return None, grad_output * result * ctx.log_base

    @staticmethod
    def jvp(ctx, _, tangent):
        (result,) = ctx.outputs
        return tangent * result * ctx.log_base


# ---------------------------------------------------------------------- functions of one input
class Exp(Function):
    """exp(x); d/dx = exp(x), so the result itself is saved."""

    node_name = "ExpBackward0"

    @staticmethod
    def forward(ctx, x):
        result = wrap(np.exp(x.data))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result

    @staticmethod
    def backward_on_arrays(ctx, g):
        (result,) = ctx.saved_tensors
        return g * result.data

    @staticmethod
    def jvp(ctx, tangent):
        return tangent * ctx.outputs[0]


class Log(Function):
    """log(x); d/dx = 1/x."""

    node_name = "LogBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):  # log(0) = -inf, log(-1) = nan, as PyTorch
            return np.log(x.data)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / x

    @staticmethod
    def backward_on_arrays(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x.data

    @staticmethod
    def jvp(ctx, tangent):
        return tangent / ctx.inputs[0]


class Sqrt(Function):
    """sqrt(x); d/dx = 1 / (2·sqrt(x))."""

    node_name = "SqrtBackward0"

    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            result = wrap(np.sqrt(x.data))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output / (2 * result)

    @staticmethod
    def jvp(ctx, tangent):
        return tangent / (2 * ctx.outputs[0])


class Abs(Function):
    """|x|; d/dx = sign(x) (0 at x = 0, as PyTorch)."""

    node_name = "AbsBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x.data)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * _constant(np.sign(x.data), x)

    @staticmethod
    def jvp(ctx, tangent):
        x = ctx.inputs[0]
        return tangent * _constant(np.sign(x.data), x)


class Tanh(Function):
    """tanh(x); d/dx = 1 - tanh(x)²."""

    node_name = "TanhBackward0"

    @staticmethod
    def forward(ctx, x):
        result = wrap(np.tanh(x.data))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * (1 - result * result)

    @staticmethod
    def backward_on_arrays(ctx, g):
        (result,) = ctx.saved_tensors
        return g * (1 - result.data * result.data)

    @staticmethod
    def jvp(ctx, tangent):
        result = ctx.outputs[0]
        return tangent * (1 - result * result)


class Sigmoid(Function):
    """σ(x) = 1 / (1 + exp(-x)); d/dx = σ(x)·(1 - σ(x))."""

    node_name = "SigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        # exp of a large negative number would overflow: use the form with exp(-|x|).
        z = np.exp(-np.abs(x.data))
        result = wrap(np.where(x.data >= 0, 1 / (1 + z), z / (1 + z)).astype(x.data.dtype))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result * (1 - result)

    @staticmethod
    def backward_on_arrays(ctx, g):
        (result,) = ctx.saved_tensors
        return g * result.data * (1 - result.data)

    @staticmethod
    def jvp(ctx, tangent):
        result = ctx.outputs[0]
        return tangent * result * (1 - result)


class Relu(Function):
    """max(x, 0); d/dx = 1 where x > 0, else 0 (PyTorch takes 0 at x = 0)."""

    node_name = "ReluBackward0"

    @staticmethod
    def forward(ctx, x):
        result = wrap(np.maximum(x.data, 0))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return _times_mask(grad_output, result.data > 0)

    @staticmethod
    def backward_on_arrays(ctx, g):
        (result,) = ctx.saved_tensors
        return g * (result.data > 0)

    @staticmethod
    def jvp(ctx, tangent):
        return _times_mask(tangent, ctx.outputs[0].data > 0)


def _times_mask(x, mask: np.ndarray):
    """x where mask is True, 0 elsewhere: x times a constant mask of 0s and 1s.

    The boolean mask is multiplied as it is (``Mul.apply``, not ``x * mask``, which would
    first convert it to x's dtype, as PyTorch's type promotion says): NumPy's float loop
    reads the booleans as 0 and 1, with no float copy of the mask.
    """
    return Mul.apply(x, wrap(mask))


class Sin(Function):
    """sin(x); d/dx = cos(x)."""

    node_name = "SinBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x.data)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x.cos()

    @staticmethod
    def jvp(ctx, tangent):
        return tangent * ctx.inputs[0].cos()


class Cos(Function):
    """cos(x); d/dx = -sin(x)."""

    node_name = "CosBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x.data)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return -grad_output * x.sin()

    @staticmethod
    def jvp(ctx, tangent):
        return -tangent * ctx.inputs[0].sin()


class Clamp(Function):
    """min(max(x, low), high); the gradient passes where low <= x <= high, else 0."""

    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x)
        ctx.low, ctx.high = low, high
        return np.clip(x.data, low, high)

    @staticmethod
    def _inside(ctx, x):
        inside = np.ones(x.data.shape, dtype=bool)
        if ctx.low is not None:
            inside &= x.data >= ctx.low
        if ctx.high is not None:
            inside &= x.data <= ctx.high
        return _constant(inside, x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * Clamp._inside(ctx, x), None, None

    @staticmethod
    def jvp(ctx, tangent, _low, _high):
        return tangent * Clamp._inside(ctx, ctx.inputs[0])


class Where(Function):
    """condition ? a : b; the gradient goes to a where the condition holds, to b elsewhere.

    The condition is a plain boolean array, not an input of the graph.
    """

    node_name = "WhereBackward0"

    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.condition = condition
        return np.where(condition, a.data, b.data)

    @staticmethod
    def backward(ctx, grad_output):
        chosen = _constant(ctx.condition, grad_output)
        return None, grad_output * chosen, grad_output * (1 - chosen)

    @staticmethod
    def jvp(ctx, _, tangent_a, tangent_b):
        chosen = _constant(ctx.condition, tangent_a)
        return tangent_a * chosen + tangent_b * (1 - chosen)


# ---------------------------------------------------------------------- copies
class ToCopy(Function):
    """A copy with another dtype; the gradient is converted back (the engine does that)."""

    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, numpy_dtype):
        return x.data.astype(numpy_dtype)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output, None

    @staticmethod
    def jvp(ctx, tangent, numpy_dtype):
        return tangent.to(numpy_dtype)


class Clone(Function):
    """A copy with its own memory; the gradient passes unchanged."""

    node_name = "CloneBackward0"

    @staticmethod
    def forward(ctx, x):
        return x.data.copy()

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output

    @staticmethod
    def jvp(ctx, tangent):
        return tangent
