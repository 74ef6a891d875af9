"""The Tensor: a NumPy array plus what autograd needs to know about it.

(The file is called ``_tensor.py``, as in PyTorch, so that the name
``minigrad.tensor`` stays free for the function that creates tensors.)

A tensor holds its values in ``data`` (a NumPy array) and, for autograd:

* ``requires_grad``: should gradients with respect to this tensor be computed?
* ``grad_fn``: the node that produced it (None for a *leaf*: a tensor that was
  created, not computed);
* ``grad``: where ``backward()`` accumulates the gradient of a leaf;
* a version counter, incremented by every in-place change, so that autograd
  can tell when a value it saved for backward was overwritten.

The operations themselves live in ``minigrad/ops/``, one family per file; the
methods here only route ``a * b``, ``x.sum()`` ... to them.
"""

from __future__ import annotations

import math
import warnings
import weakref
from collections import namedtuple

import numpy as np

from . import autograd, dtypes
from ._printing import tensor_repr


class Size(tuple):
    """A tensor's shape: a tuple that prints like PyTorch's ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"minigrad.Size({list(self)})"

    def numel(self) -> int:
        return math.prod(self)


values_indices = namedtuple("values_indices", ["values", "indices"])


def wrap(array: np.ndarray) -> Tensor:
    """A tensor around an array, without copying or checks (the operations' fast path)."""
    if type(array) is not np.ndarray:
        array = np.asarray(array)  # NumPy gives scalars, not 0-dim arrays, for 0-dim results
    tensor = _new_tensor(Tensor)
    _init_state(tensor, array)
    return tensor


def bump_version(tensor: Tensor) -> None:
    """Count one in-place change of ``tensor``'s memory (its views share the counter).

    A node that saved the tensor for backward compares the count with the one it saw,
    and refuses a value that changed since (see ``BackwardFunction.saved_tensors``).
    """
    tensor._version_counter[0] += 1


def _init_state(tensor: Tensor, array: np.ndarray) -> None:
    # The attributes every tensor uses; the rarer ones are defaults on the class.
    tensor.data = array
    tensor._requires_grad = False
    tensor._grad = None
    tensor.grad_fn = None
    tensor.output_nr = 0
    tensor._version_counter = [0]
    tensor._base = None


def as_array(data, dtype=None) -> np.ndarray:
    """Convert Python numbers, (nested) lists, arrays or tensors into a NumPy array.

    Python floats become float32 and Python ints int64, as in PyTorch; NumPy
    arrays keep their float64 or int64 type.
    """
    target = dtypes.as_dtype(dtype) if dtype is not None else None
    if isinstance(data, Tensor):
        array = data.data
    elif isinstance(data, np.ndarray):
        array = data
    else:
        if isinstance(data, (list, tuple)) and any(isinstance(item, Tensor) for item in _flatten(data)):
            data = _nested_items(data)
        array = np.asarray(data)
        if target is None and array.dtype == np.float64:
            array = array.astype(dtypes.DEFAULT_FLOAT.numpy)
    if target is None:
        target = dtypes.from_numpy(array.dtype)
    return np.array(array, dtype=target.numpy, copy=True)


def _flatten(items):
    for item in items:
        if isinstance(item, (list, tuple)):
            yield from _flatten(item)
        else:
            yield item


def _nested_items(data):
    if isinstance(data, Tensor):
        return data.item() if data.data.size == 1 and data.ndim == 0 else data.tolist()
    if isinstance(data, (list, tuple)):
        return [_nested_items(item) for item in data]
    return data


class Tensor:
    """A multi-dimensional array that records the operations applied to it."""

    __slots__ = (
        "data",
        "_requires_grad",
        "_grad",
        "grad_fn",
        "output_nr",
        "_version_counter",
        "_base",  # the tensor whose memory a view or a detached tensor shares (None: its own)
        "__weakref__",
        "__dict__",  # tensors accept extra attributes, e.g. ``x.name = "x"`` for pictures
    )
    # Attributes only some tensors set (they then go into the tensor's __dict__): creating
    # a tensor, which every operation does, need not write them.
    _hooks = None  # hooks of a leaf (register_hook)
    _grad_accumulator = None  # weak reference to a leaf's AccumulateGrad node
    _fw_tangent = None  # the tangent of a dual tensor (forward-mode AD)
    _is_wrapped_number = False  # a Python number made a constant tensor (see _scalar_operand)

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        """What NumPy does when a tensor meets an array or a NumPy number.

        ``array * tensor`` gives a tensor, as ``tensor * array`` does (the
        operation is recorded like any other).  With ``out=`` NumPy is writing
        into an array, as in ``w.data -= lr * w.grad`` (``.data`` is the tensor's
        NumPy array in minigrad): the values are used as plain numbers.
        """
        if out is not None:
            arrays = [x.data if isinstance(x, Tensor) else x for x in inputs]
            outs = tuple(x.data if isinstance(x, Tensor) else x for x in out)
            return getattr(ufunc, method)(*arrays, out=outs, **kwargs)
        name = _UFUNC_METHODS.get(ufunc)
        if method == "__call__" and name is not None and not kwargs:
            first, *rest = inputs
            if not isinstance(first, Tensor):  # array <op> tensor
                first = Tensor(first)
            return getattr(first, name)(*rest)
        raise TypeError(
            f"minigrad tensors do not support numpy.{ufunc.__name__} ({method}); use the tensor "
            "operations (x.exp(), x + y, ...) or convert with x.detach().numpy()"
        )

    def __init__(self, data, dtype=None, requires_grad: bool = False) -> None:
        _init_state(self, as_array(data, dtype))
        if requires_grad:
            self.requires_grad_(True)

    # ------------------------------------------------------------------ attributes
    @property
    def shape(self) -> Size:
        return Size(self.data.shape)

    def size(self, dim: int | None = None):
        """The shape, or the length of one dimension."""
        if dim is None:
            return Size(self.data.shape)
        return self.data.shape[_dim(dim, self.ndim)]

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return int(self.data.size)

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.from_numpy(self.data.dtype)

    def is_floating_point(self) -> bool:
        return self.data.dtype.kind == "f"

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded operation (``grad_fn`` is None)."""
        return self.grad_fn is None

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self.requires_grad_(flag)

    @property
    def retains_grad(self) -> bool:
        return self.grad_fn is not None and self.grad_fn._retained_tensor(self.output_nr) is self

    @property
    def grad(self) -> Tensor | None:
        """The accumulated gradient of a leaf (None until a backward reaches it)."""
        if self.grad_fn is not None and self._grad is None and not self.retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                "non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access "
                "the leaf Tensor instead.",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}"
                )
            if value.data.shape != self.data.shape:
                raise RuntimeError(
                    f"assigned grad has data of a different size: expected {list(self.data.shape)}, "
                    f"got {list(value.data.shape)}"
                )
        self._grad = value

    @property
    def _version(self) -> int:
        """How many times this tensor (or a view sharing its memory) was changed in place."""
        return self._version_counter[0]

    @property
    def T(self) -> Tensor:  # noqa: N802 - PyTorch's name
        """The dimensions in reverse order (the transpose of a matrix)."""
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:  # noqa: N802
        """The transpose of the last two dimensions (of a batch of matrices)."""
        ndim = self.data.ndim
        if ndim == 0:
            warnings.warn(
                "Tensor.mT is deprecated on 0-D tensors. This function is the identity in these cases.",
                UserWarning,
                stacklevel=2,
            )
            return self
        if ndim == 1:
            raise RuntimeError(
                f"tensor.mT is only supported on matrices or batches of matrices. Got {ndim}-D tensor."
            )
        return _shape.Transpose.apply(self, ndim - 2, ndim - 1)

    # ------------------------------------------------------------------ conversions
    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self.data.size} elements cannot be converted to Scalar"
            )
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def numpy(self) -> np.ndarray:
        """The values as a NumPy array that shares this tensor's memory."""
        if self._requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
            )
        return self.data

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def __float__(self) -> float:
        return float(self._scalar_value())

    def __int__(self) -> int:
        return int(self._scalar_value())

    def _scalar_value(self):
        if self.data.size != 1:
            raise ValueError(
                f"only one element tensors can be converted to Python scalars (this one has shape "
                f"{list(self.data.shape)})"
            )
        return self.data.item()

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (it has {self.data.size})"
            )
        return bool(self.data.item())

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def __repr__(self) -> str:
        return tensor_repr(self)

    __hash__ = object.__hash__  # tensors are hashed by identity (== is element-wise)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self.data, self._requires_grad))

    def to(self, dtype) -> Tensor:
        """A copy with another dtype (differentiable between float types)."""
        target = dtypes.as_dtype(dtype)
        if target.numpy == self.data.dtype:
            return self
        return _ew.ToCopy.apply(self, target.numpy)

    def float(self) -> Tensor:
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        return self.to(dtypes.float64)

    def long(self) -> Tensor:
        return self.to(dtypes.int64)

    def bool(self) -> Tensor:
        return self.to(dtypes.bool_)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def clone(self) -> Tensor:
        return _ew.Clone.apply(self)

    def contiguous(self) -> Tensor:
        return self

    # ------------------------------------------------------------------ autograd
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
        """Compute gradients of this tensor with respect to the graph's leaves.

        For a non-scalar tensor, ``gradient`` is the vector v of the
        vector-Jacobian product: each leaf's ``.grad`` grows by vᵀ·J (the
        derivative of ``(self * v).sum()``).  Gradients accumulate: zero them
        between steps.
        """
        autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """The same values (and memory) cut off from the graph: no grad_fn, no requires_grad."""
        out = wrap(self.data)
        out._version_counter = self._version_counter  # shares memory, so shares versions
        out._base = self
        return out

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._requires_grad = False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Start (or stop) recording operations on this leaf."""
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use a "
                    "computed variable in a subgraph that doesn't require differentiation use "
                    "var_no_grad = var.detach()."
                )
            return self
        if requires_grad and self.data.dtype.kind != "f":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients "
                f"(this tensor has dtype {self.dtype!r}; create it with dtype=minigrad.float32 "
                "or use floats such as 1.0)"
            )
        self._requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Ask backward to also store this non-leaf tensor's gradient in ``.grad``."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None:
            return  # leaves keep their gradient anyway
        node = self.grad_fn
        node._has_tensor_hooks = True
        if node._retained_by_output is None:
            node._retained_by_output = {}
        node._retained_by_output[self.output_nr] = weakref.ref(self)

    def register_hook(self, hook) -> RemovableHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new gradient."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        else:
            node = self.grad_fn
            node._has_tensor_hooks = True
            if node._hooks_by_output is None:
                node._hooks_by_output = {}
            hooks = node._hooks_by_output.setdefault(self.output_nr, [])
        hooks.append(hook)
        return RemovableHandle(hooks, hook)

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other):
        return _binary(_ew.Add, self, other)

    def __radd__(self, other):
        return _binary(_ew.Add, self, other)  # recorded as a.add(2), as in PyTorch

    def __sub__(self, other):
        return _binary(_ew.Sub, self, other)

    def __rsub__(self, other):
        if isinstance(other, Tensor):
            return _binary(_ew.Sub, other, self)
        return _ew.Rsub.apply(_promoted_for_scalar(self, other), other)

    def __mul__(self, other):
        return _binary(_ew.Mul, self, other)

    def __rmul__(self, other):
        # PyTorch records `3 * a` as a.mul(3): the tensor is the first input.
        return _binary(_ew.Mul, self, other)

    def __truediv__(self, other):
        return _binary(_ew.Div, self, other)

    def __rtruediv__(self, other):
        if isinstance(other, Tensor):
            return _binary(_ew.Div, other, self)
        return self.reciprocal() * other

    def __pow__(self, exponent):
        if isinstance(exponent, Tensor):
            return _binary(_ew.PowTensor, self, exponent)
        return _ew.Pow.apply(_promoted_for_scalar(self, exponent), exponent)

    def __rpow__(self, base):
        return _ew.RPow.apply(base, _promoted_for_scalar(self, base))

    def __neg__(self):
        return _ew.Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return self.abs()

    def __matmul__(self, other):
        return _linalg.matmul(self, other)

    def __rmatmul__(self, other):
        return _linalg.matmul(_as_tensor(other), self)

    add = __add__
    sub = __sub__
    mul = __mul__
    div = __truediv__
    matmul = __matmul__

    def pow(self, exponent):
        return self ** exponent

    def reciprocal(self):
        return _ew.Reciprocal.apply(_to_float(self))

    # comparisons: results are bool tensors that need no grad
    def __lt__(self, other):
        return wrap(self.data < _data(other))

    def __le__(self, other):
        return wrap(self.data <= _data(other))

    def __gt__(self, other):
        return wrap(self.data > _data(other))

    def __ge__(self, other):
        return wrap(self.data >= _data(other))

    def __eq__(self, other):
        return wrap(np.asarray(self.data == _data(other)))

    def __ne__(self, other):
        return wrap(np.asarray(self.data != _data(other)))

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def __and__(self, other):
        return wrap(self.data & _data(other))

    def __or__(self, other):
        return wrap(self.data | _data(other))

    def __invert__(self):
        return wrap(~self.data)

    def all(self) -> Tensor:
        """True when every element is non-zero (a bool tensor that needs no grad)."""
        return wrap(np.asarray(self.data.all()))

    def any(self) -> Tensor:
        """True when some element is non-zero (a bool tensor that needs no grad)."""
        return wrap(np.asarray(self.data.any()))

    def equal(self, other) -> bool:
        return self.data.shape == other.data.shape and bool(np.all(self.data == other.data))

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
        return bool(np.allclose(self.data, _data(other), rtol=rtol, atol=atol, equal_nan=equal_nan))

    # ------------------------------------------------------------------ element-wise functions
    def exp(self):
        return _ew.Exp.apply(_to_float(self))

    def log(self):
        return _ew.Log.apply(_to_float(self))

    def sqrt(self):
        return _ew.Sqrt.apply(_to_float(self))

    def abs(self):
        return _ew.Abs.apply(self)

    def tanh(self):
        return _ew.Tanh.apply(_to_float(self))

    def sigmoid(self):
        return _ew.Sigmoid.apply(_to_float(self))

    def relu(self):
        return _ew.Relu.apply(self)

    def sin(self):
        return _ew.Sin.apply(_to_float(self))

    def cos(self):
        return _ew.Cos.apply(_to_float(self))

    def clamp(self, min=None, max=None):  # noqa: A002 - PyTorch's argument names
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        x = self
        for bound in (min, max):
            if bound is not None:
                x = _promoted_for_scalar(x, bound)  # an int tensor clamped at 0.5 becomes float32
        return _ew.Clamp.apply(x, min, max)

    clip = clamp

    def where(self, condition, other):
        return where(condition, self, other)

    # ------------------------------------------------------------------ reductions
    def sum(self, dim=None, keepdim: bool = False):
        return _red.sum(self, dim, keepdim)

    def mean(self, dim=None, keepdim: bool = False):
        return _red.mean(self, dim, keepdim)

    def max(self, dim=None, keepdim: bool = False):
        return _red.max(self, dim, keepdim)

    def min(self, dim=None, keepdim: bool = False):
        return _red.min(self, dim, keepdim)

    def argmax(self, dim=None, keepdim: bool = False):
        return _red.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim: bool = False):
        return _red.argmin(self, dim, keepdim)

    def norm(self, p=2, dim=None, keepdim: bool = False):
        return _red.norm(self, p, dim, keepdim)

    def softmax(self, dim: int):
        return _red.Softmax.apply(_to_float(self), _dim(dim, self.ndim))

    def log_softmax(self, dim: int):
        return _red.LogSoftmax.apply(_to_float(self), _dim(dim, self.ndim))

    # ------------------------------------------------------------------ shapes and indexing
    def reshape(self, *shape):
        return _shape.reshape(self, _shape_arg(shape))

    def view(self, *shape):
        return _shape.reshape(self, _shape_arg(shape))

    def view_as(self, other):
        return _shape.reshape(self, other.data.shape)

    def reshape_as(self, other):
        return _shape.reshape(self, other.data.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        return _shape.flatten(self, start_dim, end_dim)

    def transpose(self, dim0: int, dim1: int):
        return _shape.transpose(self, dim0, dim1)

    def t(self):
        """The transpose of a matrix (a vector is returned as it is)."""
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return _shape.T.apply(self, 0, 1) if self.ndim == 2 else self

    def permute(self, *dims):
        return _shape.permute(self, _shape_arg(dims))

    def squeeze(self, dim=None):
        return _shape.squeeze(self, dim)

    def unsqueeze(self, dim: int):
        return _shape.unsqueeze(self, dim)

    def expand(self, *sizes):
        return _shape.expand(self, _shape_arg(sizes))

    def expand_as(self, other):
        return _shape.expand(self, other.data.shape)

    def __getitem__(self, index):
        return _shape.getitem(self, index)

    # ------------------------------------------------------------------ in-place operations
    def __setitem__(self, index, value) -> None:
        _inplace.setitem(self, index, value)

    def add_(self, other, alpha=1):
        return _inplace.binary(self, _ew.Add, np.add, other if alpha == 1 else other * alpha)

    def sub_(self, other, alpha=1):
        return _inplace.binary(self, _ew.Sub, np.subtract, other if alpha == 1 else other * alpha)

    def mul_(self, other):
        return _inplace.binary(self, _ew.Mul, np.multiply, other)

    def div_(self, other):
        return _inplace.binary(self, _ew.Div, np.true_divide, other)

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    def zero_(self):
        return _inplace.fill(self, 0, _inplace.Zero)

    def fill_(self, value):
        return _inplace.fill(self, value)

    def copy_(self, source):
        return _inplace.copy(self, source)

    def clamp_(self, min=None, max=None):  # noqa: A002
        return _inplace.unary(self, lambda t: t.clamp(min, max))

    def relu_(self):
        return _inplace.unary(self, Tensor.relu)

    def exp_(self):
        return _inplace.unary(self, Tensor.exp)


class RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` unregisters the hook."""

    def __init__(self, hooks: list, hook) -> None:
        self._hooks = hooks
        self._hook = hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _rebuild(data, requires_grad):
    return Tensor(data, requires_grad=requires_grad)


# ---------------------------------------------------------------------- helpers for the operations
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
    if function is _ew.Div and a.data.dtype.kind != "f":  # true division of integers gives floats
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
            raise RuntimeError(
                f"The size of tensor a ({size_a}) must match the size of tensor b ({size_b}) at "
                f"non-singleton dimension {dim} (shapes {list(shape_a)} and {list(shape_b)} do not "
                "broadcast: each dimension, counted from the right, must be equal or 1)"
            )


def _dim(dim: int, ndim: int) -> int:
    """A dimension index made non-negative, with PyTorch's error when out of range."""
    low, high = (-ndim, ndim - 1) if ndim > 0 else (-1, 0)
    if not isinstance(dim, (int, np.integer)) or not low <= dim <= high:
        raise IndexError(f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})")
    return int(dim) % ndim if ndim > 0 else 0


def _shape_arg(args: tuple) -> tuple:
    """Accept both ``f(2, 3)`` and ``f((2, 3))``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list, Size)):
        return tuple(args[0])
    return tuple(args)


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
        return _ew.Where.apply(condition, input, other)
    except ValueError:
        _check_broadcast(condition.shape, input.data.shape)
        _check_broadcast(condition.shape, other.data.shape)
        _check_broadcast(input.data.shape, other.data.shape)
        raise


_new_tensor = object.__new__

# NumPy functions that have a tensor method of the same meaning (see __array_ufunc__).
_UFUNC_METHODS = {
    np.add: "__add__",
    np.subtract: "__sub__",
    np.multiply: "__mul__",
    np.true_divide: "__truediv__",
    np.power: "__pow__",
    np.matmul: "__matmul__",
    np.negative: "__neg__",
    np.less: "__lt__",
    np.less_equal: "__le__",
    np.greater: "__gt__",
    np.greater_equal: "__ge__",
    np.equal: "__eq__",
    np.not_equal: "__ne__",
    np.exp: "exp",
    np.log: "log",
    np.sqrt: "sqrt",
    np.tanh: "tanh",
    np.absolute: "abs",
    np.sin: "sin",
    np.cos: "cos",
}

from . import _inplace, _speed  # noqa: E402  (the operation modules need the Tensor class above)
from .ops import elementwise as _ew  # noqa: E402
from .ops import linalg as _linalg  # noqa: E402
from .ops import reductions as _red  # noqa: E402
from .ops import shape as _shape  # noqa: E402
