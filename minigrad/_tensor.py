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

This file holds that state and no operation: it imports no other part of the
engine. The methods that compute are given to the class by the files that define
them, at their end: ``x.backward()`` by ``autograd/__init__.py``; ``a * b``,
``x.exp()``, ``x.to(...)`` by ``ops/elementwise.py``; ``x.view(...)``, ``x[i]``,
``x.T`` by ``ops/shape.py``; ``x.sum()`` by ``ops/reductions.py``; ``a @ b`` by
``ops/linalg.py``; ``x += 1``, ``x[i] = v`` by ``_inplace.py``. So an operation, its
``Function`` and its method are read together (chapter 03's engine does the same:
``Tensor.__mul__ = tensor_mul``).
"""

from __future__ import annotations

import math
import warnings
import weakref

import numpy as np

from . import _device, dtypes
from ._errors import with_hint
from ._printing import tensor_repr
from .autograd import grad_mode


class Size(tuple):
    """A tensor's shape: a tuple that prints like PyTorch's ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"minigrad.Size({list(self)})"

    def numel(self) -> int:
        return math.prod(self)


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
    _is_wrapped_number = False  # a Python number made a constant tensor (see ops/elementwise.py)

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
            self._require_grad()

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

    @property
    def device(self) -> _device.device:
        """Where the tensor's memory lives: always the CPU in minigrad (see _device.py)."""
        return _device.CPU

    is_cuda = False

    def type(self) -> str:
        """The name of the legacy tensor type of this dtype, as PyTorch: ``'minigrad.FloatTensor'``."""
        return f"minigrad.{_LEGACY_TYPE_NAMES[self.data.dtype.name]}"

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
        if flag and self.grad_fn is None:
            self._require_grad("only Tensors of floating point and complex dtype can require gradients")
        else:
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
        """The values as a NumPy array that shares this tensor's memory.

        Refused for a tensor that requires grad, since NumPy would not record what is done
        with it; under ``no_grad`` nothing is recorded anyway, and PyTorch allows it.
        """
        if self._requires_grad and grad_mode.state.enabled:
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
            raise with_hint(
                ValueError("only one element tensors can be converted to Python scalars"),
                f"This one has shape {list(self.data.shape)}.",
            )
        return self.data.item()

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise with_hint(
                RuntimeError("Boolean value of Tensor with more than one value is ambiguous"),
                f"It has {self.data.size} values: use (x == y).all(), .any() or compare one element.",
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

    __hash__ = object.__hash__  # tensors are hashed by identity (== is element-wise: ops/elementwise.py)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self.data, self._requires_grad))

    def contiguous(self) -> Tensor:
        return self

    # ------------------------------------------------------------------ autograd
    # (``backward`` is added by autograd/__init__.py, where the backward pass begins.)
    def detach(self) -> Tensor:
        """The same values (and memory) cut off from the graph: no grad_fn, no requires_grad."""
        out = wrap(self.data)
        out._version_counter = self._version_counter  # shares memory, so shares versions
        out._base = self
        return out

    def detach_(self) -> Tensor:
        """Cut this tensor itself off from the graph (a view may not be: its base keeps its history)."""
        if self._base is not None and self.data is not self._base.data:  # a view (detach() shares the array)
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel "
                "(DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP "
                "buckets, and hence detach_() cannot be called on these gradients. To fix this error, please "
                "refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
            )
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
        if requires_grad:
            return self._require_grad("only Tensors of floating point dtype can require gradients")
        self._requires_grad = False
        return self

    def _require_grad(
        self, message: str = "Only Tensors of floating point and complex dtype can require gradients"
    ) -> Tensor:
        # PyTorch words the refusal of an integer tensor three ways: by a factory (tensor(...,
        # requires_grad=True), the default), by x.requires_grad = True and by x.requires_grad_().
        if self.data.dtype.kind != "f":
            raise with_hint(
                RuntimeError(message),
                f"This tensor has dtype {self.dtype!r}; create it with dtype=minigrad.float32 or use floats "
                "such as 1.0.",
            )
        self._requires_grad = True
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


def _dim(dim: int, ndim: int) -> int:
    """A dimension index made non-negative, with PyTorch's error when out of range."""
    low, high = (-ndim, ndim - 1) if ndim > 0 else (-1, 0)
    if not isinstance(dim, (int, np.integer)) or not low <= dim <= high:
        raise IndexError(f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})")
    return int(dim) % ndim if ndim > 0 else 0


_new_tensor = object.__new__

_LEGACY_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "int64": "LongTensor", "bool": "BoolTensor"}

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
