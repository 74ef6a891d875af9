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

At the end of the file, each operation as PyTorch offers it: the function
``minigrad.exp(x)``, the method ``x.exp()`` and the operator (``a * b``), with PyTorch's
rules for Python numbers and dtypes (``2 * x``, an int tensor times a float); and the
comparisons (``a < b``), whose results need no gradient.
"""

from __future__ import annotations

import numpy as np

from .. import _device, _speed, dtypes
from .._errors import with_hint
from .._tensor import Tensor, wrap
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


# ====================================================================== Python numbers and dtypes
def _data(value):
    return value.data if isinstance(value, Tensor) else value


def _as_tensor(value) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(value)


def _to_float(tensor: Tensor) -> Tensor:
    """Functions such as exp and log of an integer tensor compute in the default float type."""
    if tensor.data.dtype.kind in "fc":
        return tensor
    return wrap(tensor.data.astype(dtypes.DEFAULT_FLOAT.numpy))


def _promoted_for_scalar(tensor: Tensor, value) -> Tensor:
    """An integer tensor meeting a Python float is computed in float32, as in PyTorch."""
    target = dtypes.promote_with_scalar(dtypes.from_numpy(tensor.data.dtype), value).numpy
    if target == tensor.data.dtype:
        return tensor
    return wrap(tensor.data.astype(target))


def _scalar_operand(value, like: Tensor) -> Tensor:
    """A Python number as a 0-dim constant tensor of the right dtype ("wrapped number")."""
    dtype = like.data.dtype
    if type(value) is float and dtype.kind == "f":  # the common case, kept quick
        return _speed.wrapped_numbers[value, dtype]
    if not isinstance(value, (int, float, bool, np.number, np.bool_)):
        if isinstance(value, (list, tuple, np.ndarray)):
            return Tensor(value)
        raise TypeError(
            f"unsupported operand type: expected a Tensor or a Python number, got {type(value).__name__}"
        )
    return _speed.wrapped_numbers[value, dtypes.promote_with_scalar(dtypes.from_numpy(dtype), value).numpy]


def _binary(function, a, b):
    """Run a binary operation with PyTorch's rules for Python numbers and dtype promotion."""
    if not isinstance(b, Tensor):
        b = _scalar_operand(b, a)
        a = _promoted_for_scalar(a, b.item()) if a.data.dtype is not b.data.dtype else a
    elif not isinstance(a, Tensor):
        a = _scalar_operand(a, b)
        b = _promoted_for_scalar(b, a.item()) if a.data.dtype is not b.data.dtype else b
    elif a.data.dtype is not b.data.dtype and a.data.dtype != b.data.dtype:
        target = dtypes.promote(a.dtype, a.ndim, b.dtype, b.ndim).numpy
        a = a if a.data.dtype == target else a.to(target)
        b = b if b.data.dtype == target else b.to(target)
    if function is Div and a.data.dtype.kind != "f":  # true division of integers gives floats
        a, b = _to_float(a), _to_float(b)
    try:
        return function.apply(a, b)
    except ValueError:
        _check_broadcast(a.data.shape, b.data.shape)
        raise


def _check_broadcast(shape_a: tuple, shape_b: tuple) -> None:
    """Raise PyTorch's message for shapes that do not broadcast."""
    for i in range(1, min(len(shape_a), len(shape_b)) + 1):
        size_a, size_b = shape_a[-i], shape_b[-i]
        if size_a != size_b and size_a != 1 and size_b != 1:
            dim = max(len(shape_a), len(shape_b)) - i
            raise with_hint(
                RuntimeError(
                    f"The size of tensor a ({size_a}) must match the size of tensor b ({size_b}) at "
                    f"non-singleton dimension {dim}"
                ),
                f"Shapes {list(shape_a)} and {list(shape_b)} do not broadcast: each dimension, counted from "
                "the right, must be equal or 1.",
            )


# ====================================================================== minigrad.exp(x), x.exp(), a * b
# Each operation above as PyTorch offers it: the function (``minigrad.exp(x)``, exported by
# minigrad/__init__.py), which is also the method where both take the same arguments
# (``Tensor.exp = exp``), and the operators (``Tensor.__mul__``). A method is the plain
# function assigned to the class, so ``x.exp()`` and ``a * b`` cost one call, as if written
# in the class body. A function whose first argument is ``self`` is a method only.

# ---------------------------------------------------------------------- arithmetic
def _add(self: Tensor, other) -> Tensor:
    return _binary(Add, self, other)  # also ``2 + a``: recorded as a.add(2), as in PyTorch


def _sub(self: Tensor, other) -> Tensor:
    return _binary(Sub, self, other)


def _rsub(self: Tensor, other) -> Tensor:
    if isinstance(other, Tensor):
        return _binary(Sub, other, self)
    return Rsub.apply(_promoted_for_scalar(self, other), other)


def _mul(self: Tensor, other) -> Tensor:
    return _binary(Mul, self, other)  # also ``3 * a``: PyTorch records it as a.mul(3)


def _truediv(self: Tensor, other) -> Tensor:
    return _binary(Div, self, other)


def _rtruediv(self: Tensor, other) -> Tensor:
    if isinstance(other, Tensor):
        return _binary(Div, other, self)
    return _reciprocal(self) * other


def _pow(self: Tensor, exponent) -> Tensor:
    if isinstance(exponent, Tensor):
        return _binary(PowTensor, self, exponent)
    return Pow.apply(_promoted_for_scalar(self, exponent), exponent)


def _rpow(self: Tensor, base) -> Tensor:
    return RPow.apply(base, _promoted_for_scalar(self, base))


def _pos(self: Tensor) -> Tensor:
    return self


def _reciprocal(self: Tensor) -> Tensor:
    return Reciprocal.apply(_to_float(self))


def neg(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument names (torch.neg(input=x))
    """-x."""
    return Neg.apply(input)


def add(input, other, *, alpha=1) -> Tensor:  # noqa: A002
    """input + alpha·other."""
    return _as_tensor(input) + (other if alpha == 1 else other * alpha)


def sub(input, other, *, alpha=1) -> Tensor:  # noqa: A002
    """input - alpha·other."""
    return _as_tensor(input) - (other if alpha == 1 else other * alpha)


def mul(input, other) -> Tensor:  # noqa: A002
    """input · other, element-wise."""
    return _as_tensor(input) * other


def div(input, other) -> Tensor:  # noqa: A002
    """input / other, element-wise."""
    return _as_tensor(input) / other


def pow(input, exponent) -> Tensor:  # noqa: A001, A002 - PyTorch's names
    """input ** exponent, element-wise (either may be a number)."""
    if isinstance(input, Tensor):
        return input**exponent
    return input**exponent if not isinstance(exponent, Tensor) else exponent.__rpow__(input)


Tensor.__add__ = Tensor.__radd__ = _add
Tensor.add = add  # (the methods take PyTorch's keywords: x.add(other=y, alpha=2))
Tensor.__sub__ = _sub
Tensor.sub = sub
Tensor.__rsub__ = _rsub
Tensor.__mul__ = Tensor.__rmul__ = _mul
Tensor.mul = mul
Tensor.__truediv__ = _truediv
Tensor.div = div
Tensor.__rtruediv__ = _rtruediv
Tensor.__pow__ = Tensor.pow = _pow
Tensor.__rpow__ = _rpow
Tensor.__neg__ = neg
Tensor.__pos__ = _pos
Tensor.reciprocal = _reciprocal


# ---------------------------------------------------------------------- functions of one input
def exp(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument name
    """e^x, element-wise."""
    return Exp.apply(_to_float(input))


def log(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument name
    """The natural logarithm, element-wise."""
    return Log.apply(_to_float(input))


def sqrt(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument name
    """√x, element-wise."""
    return Sqrt.apply(_to_float(input))


def abs(input: Tensor) -> Tensor:  # noqa: A001, A002 - PyTorch's names
    """|x|, element-wise."""
    return Abs.apply(input)


def tanh(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument name
    """tanh(x), element-wise."""
    return Tanh.apply(_to_float(input))


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument name
    """σ(x) = 1 / (1 + e^-x), element-wise."""
    return Sigmoid.apply(_to_float(input))


def relu(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument name
    """max(x, 0), element-wise."""
    return Relu.apply(input)


def sin(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument name
    """sin(x), element-wise."""
    return Sin.apply(_to_float(input))


def cos(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument name
    """cos(x), element-wise."""
    return Cos.apply(_to_float(input))


def clamp(input: Tensor, min=None, max=None) -> Tensor:  # noqa: A002 - PyTorch's argument names
    """min(max(x, min), max), element-wise (either bound may be None)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    for bound in (min, max):
        if bound is not None:
            input = _promoted_for_scalar(input, bound)  # an int tensor clamped at 0.5 becomes float32
    return Clamp.apply(input, min, max)


clip = clamp


def where(condition, input, other) -> Tensor:  # noqa: A002 - PyTorch's argument names
    """Element-wise ``input if condition else other`` (differentiable in input and other)."""
    if not isinstance(input, Tensor):
        input = _scalar_operand(input, other) if isinstance(other, Tensor) else Tensor(input)
    if not isinstance(other, Tensor):
        other = _scalar_operand(other, input)
    if input.data.dtype != other.data.dtype:
        target = dtypes.promote(input.dtype, input.ndim, other.dtype, other.ndim).numpy
        input, other = input.to(target), other.to(target)
    condition = np.asarray(_data(condition), dtype=bool)
    try:
        return Where.apply(condition, input, other)
    except ValueError:
        _check_broadcast(condition.shape, input.data.shape)
        _check_broadcast(condition.shape, other.data.shape)
        _check_broadcast(input.data.shape, other.data.shape)
        raise


def _where(self: Tensor, condition, other) -> Tensor:
    return where(condition, self, other)


Tensor.exp = exp
Tensor.log = log
Tensor.sqrt = sqrt
Tensor.abs = Tensor.__abs__ = abs
Tensor.tanh = tanh
Tensor.sigmoid = sigmoid
Tensor.relu = relu
Tensor.sin = sin
Tensor.cos = cos
Tensor.clamp = Tensor.clip = clamp
Tensor.where = _where


# ---------------------------------------------------------------------- copies
def _to(self: Tensor, *args, dtype=None, device=None, non_blocking: bool = False, copy: bool = False) -> Tensor:
    """``x.to(dtype)``, ``x.to(device)``, ``x.to(device, dtype)``, ``x.to(other)``: a copy with
    another dtype (differentiable between float types), or ``x`` itself when nothing changes."""
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg.dtype  # (and its device, which is the CPU)
        elif isinstance(arg, (str, _device.device)) or (isinstance(arg, int) and not isinstance(arg, bool)):
            device = arg  # (a bare number is an accelerator's index, as in PyTorch)
        else:
            dtype = arg
    _device.check_device(device)
    target = self.data.dtype if dtype is None else dtypes.as_dtype(dtype).numpy
    if target == self.data.dtype:
        return _clone(self) if copy else self
    return ToCopy.apply(self, target)


def _cpu(self: Tensor) -> Tensor:
    """The tensor itself: minigrad's tensors are always on the CPU."""
    return self


def _cuda(self: Tensor, device=None, non_blocking: bool = False) -> Tensor:
    _device.check_device("cuda" if device is None else device)
    return self


def _pin_memory(self: Tensor) -> Tensor:
    raise RuntimeError(_device.NO_ACCELERATOR)


def _float(self: Tensor) -> Tensor:
    return self.to(dtypes.float32)


def _double(self: Tensor) -> Tensor:
    return self.to(dtypes.float64)


def _long(self: Tensor) -> Tensor:
    return self.to(dtypes.int64)


def _bool(self: Tensor) -> Tensor:
    return self.to(dtypes.bool_)


def _type_as(self: Tensor, other: Tensor) -> Tensor:
    return self.to(other.dtype)


def _clone(self: Tensor) -> Tensor:
    return Clone.apply(self)


Tensor.to = _to
Tensor.cpu = _cpu
Tensor.cuda = _cuda
Tensor.pin_memory = _pin_memory
Tensor.float = _float
Tensor.double = _double
Tensor.long = _long
Tensor.bool = _bool
Tensor.type_as = _type_as
Tensor.clone = _clone


# ---------------------------------------------------------------------- comparisons: no gradient
# Their results are bool tensors, which need no grad: no Function, just the arrays.
def _lt(self: Tensor, other) -> Tensor:
    return wrap(self.data < _data(other))


def _le(self: Tensor, other) -> Tensor:
    return wrap(self.data <= _data(other))


def _gt(self: Tensor, other) -> Tensor:
    return wrap(self.data > _data(other))


def _ge(self: Tensor, other) -> Tensor:
    return wrap(self.data >= _data(other))


def _eq(self: Tensor, other) -> Tensor:
    return wrap(np.asarray(self.data == _data(other)))


def _ne(self: Tensor, other) -> Tensor:
    return wrap(np.asarray(self.data != _data(other)))


def _and(self: Tensor, other) -> Tensor:
    return wrap(self.data & _data(other))


def _or(self: Tensor, other) -> Tensor:
    return wrap(self.data | _data(other))


def _invert(self: Tensor) -> Tensor:
    return wrap(~self.data)


def equal(input: Tensor, other: Tensor) -> bool:  # noqa: A002 - PyTorch's argument names
    """True when both have the same shape and the same values."""
    return input.data.shape == other.data.shape and bool(np.all(input.data == other.data))


def _allclose(self: Tensor, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    return bool(np.allclose(self.data, _data(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(a: Tensor, b: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """True when |a - b| <= atol + rtol·|b| everywhere."""
    return bool(np.allclose(a.data, _as_tensor(b).data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(a: Tensor, b: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    """Element-wise |a - b| <= atol + rtol·|b|, as a bool tensor."""
    return Tensor(np.isclose(a.data, _as_tensor(b).data, rtol=rtol, atol=atol, equal_nan=equal_nan))


Tensor.__lt__ = Tensor.lt = _lt
Tensor.__le__ = Tensor.le = _le
Tensor.__gt__ = Tensor.gt = _gt
Tensor.__ge__ = Tensor.ge = _ge
Tensor.__eq__ = Tensor.eq = _eq
Tensor.__ne__ = Tensor.ne = _ne
Tensor.__and__ = _and
Tensor.__or__ = _or
Tensor.__invert__ = _invert
Tensor.equal = equal
Tensor.allclose = _allclose
