"""Shapes and indexing: operations that move values around without changing them.

Their backward moves the gradient back to where each value came from: a
reshape's backward reshapes back, a transpose's transposes back, and picking
elements (indexing) sends each gradient to the element it came from, with
zeros everywhere else.  ``expand``'s backward is a sum, because an expanded
element was used several times.

At the end of the file, the Tensor methods (``x.view(2, 3)``, ``x.T``, ``x[0]``) that call
these operations.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import dtypes
from .._tensor import Size, Tensor, _dim, wrap
from ..autograd.engine import unbroadcast
from ..autograd.function import Function


# ---------------------------------------------------------------------- reshaping
class View(Function):
    """The same values with another shape (``view``/``reshape``/``flatten``)."""

    node_name = "ViewBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.input_shape = x.data.shape
        return x.data.reshape(shape)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.reshape(ctx.input_shape), None

    @staticmethod
    def backward_on_arrays(ctx, g):
        return g.reshape(ctx.input_shape), None

    @staticmethod
    def jvp(ctx, tangent, shape):
        return tangent.reshape(shape)


def _resolve_shape(shape: tuple, numel: int) -> tuple:
    """Fill in one -1 and check that the new shape has as many elements as the tensor."""
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in shape if s != -1)
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def reshape(x: Tensor, shape) -> Tensor:
    """The same values in another shape (a tuple of sizes, one of which may be -1)."""
    if not isinstance(shape, (tuple, list)):
        shape = (shape,)  # minigrad.reshape(x, 6)
    return View.apply(x, _resolve_shape(shape, x.data.size))


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions start_dim..end_dim into one."""
    if x.ndim == 0:
        return reshape(x, (1,))
    start, end = _dim(start_dim, x.ndim), _dim(end_dim, x.ndim)
    if start == end:
        return x  # nothing to merge: PyTorch returns the tensor itself
    shape = x.data.shape
    merged = math.prod(shape[start : end + 1])
    return reshape(x, shape[:start] + (merged,) + shape[end + 1 :])


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:  # noqa: A002 - PyTorch's names
    """``length`` elements from ``start`` along ``dim``: ``x[:, start:start + length]`` for dim=1, a view."""
    dim = _dim(dim, input.ndim)
    size = input.data.shape[dim]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    start = start + size if start < 0 else start
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return getitem(input, (slice(None),) * dim + (slice(start, start + length),))


class Transpose(Function):
    """Swap two dimensions; the gradient is swapped back."""

    node_name = "TransposeBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, dim0, dim1):
        ctx.dims = (dim0, dim1)
        return x.data.swapaxes(dim0, dim1)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.transpose(*ctx.dims), None, None

    @staticmethod
    def backward_on_arrays(ctx, g):
        return g.swapaxes(*ctx.dims), None, None

    @staticmethod
    def jvp(ctx, tangent, dim0, dim1):
        return tangent.transpose(dim0, dim1)


class T(Transpose):
    """``x.t()``: the transpose of a matrix."""

    node_name = "TBackward0"


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    if x.ndim == 0:
        return x
    return Transpose.apply(x, _dim(dim0, x.ndim), _dim(dim1, x.ndim))


class Permute(Function):
    """Reorder the dimensions; the gradient goes through the inverse permutation."""

    node_name = "PermuteBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.data.transpose(dims)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.permute(*np.argsort(ctx.dims).tolist()), None

    @staticmethod
    def backward_on_arrays(ctx, g):
        return g.transpose(np.argsort(ctx.dims)), None

    @staticmethod
    def jvp(ctx, tangent, dims):
        return tangent.permute(*dims)


def permute(x: Tensor, dims: tuple) -> Tensor:
    dims = tuple(_dim(d, x.ndim) for d in dims)
    if sorted(dims) != list(range(x.ndim)):
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the length "
            f"of the desired ordering of dimensions i.e. input.dim() = {x.ndim} is not equal to "
            f"len(dims) = {len(dims)}"
            if len(dims) != x.ndim
            else f"permute(): duplicate dims are not allowed (got {list(dims)})"
        )
    return Permute.apply(x, dims)


class Squeeze(View):
    """Drop dimensions of size 1 (all of them): a reshape, under PyTorch's name for it."""

    node_name = "SqueezeBackward0"


class SqueezeDim(Squeeze):
    """Drop one dimension of size 1."""

    node_name = "SqueezeBackward1"


class Unsqueeze(Squeeze):
    """Insert a dimension of size 1."""

    node_name = "UnsqueezeBackward0"


def squeeze(x: Tensor, dim=None) -> Tensor:
    shape = x.data.shape
    if dim is None:
        return Squeeze.apply(x, tuple(s for s in shape if s != 1))
    dim = _dim(dim, x.ndim)
    if x.ndim == 0 or shape[dim] != 1:
        return SqueezeDim.apply(x, shape)  # PyTorch leaves other sizes alone
    return SqueezeDim.apply(x, shape[:dim] + shape[dim + 1 :])


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    dim = _dim(dim, x.ndim + 1)
    shape = x.data.shape
    return Unsqueeze.apply(x, shape[:dim] + (1,) + shape[dim:])


class Expand(Function):
    """Repeat along dimensions of size 1 without copying; backward sums the repeats."""

    node_name = "ExpandBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.input_shape = x.data.shape
        return expanded(x.data, shape)

    @staticmethod
    def backward(ctx, grad_output):
        return unbroadcast(grad_output, ctx.input_shape), None

    @staticmethod
    def jvp(ctx, tangent, shape):
        return tangent.expand(shape)


def expanded(array: np.ndarray, shape: tuple) -> np.ndarray:
    """``array`` repeated to ``shape`` without copying: a read-only view."""
    if array.ndim == 0:
        # One value everywhere (the backward of every sum and mean): a view whose strides
        # are all 0, as np.broadcast_to makes, built directly because it is that quick for a
        # single value (broadcast_to's general machinery is not).
        view = np.ndarray(shape, array.dtype, array, 0, (0,) * len(shape))
        view.flags.writeable = False
        return view
    return np.broadcast_to(array, shape)


def expand(x: Tensor, sizes: tuple) -> Tensor:
    shape = x.data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the "
            f"number of dimensions in the tensor ({len(shape)})"
        )
    offset = len(sizes) - len(shape)
    target = tuple(
        shape[i - offset] if size == -1 and i >= offset else int(size) for i, size in enumerate(sizes)
    )
    for i, size in enumerate(shape):
        if size != 1 and size != target[offset + i]:
            raise RuntimeError(
                f"The expanded size of the tensor ({target[offset + i]}) must match the existing size "
                f"({size}) at non-singleton dimension {offset + i}.  Target sizes: {list(sizes)}.  "
                f"Tensor sizes: {list(shape)}"
            )
    if target == shape:
        return x
    return Expand.apply(x, target)


# ---------------------------------------------------------------------- indexing
class Index(Function):
    """Pick elements with a NumPy index (lists, arrays, boolean masks); the result is a copy.

    Like PyTorch's IndexBackward0 it saves the index tensors, which a backward pass frees: a
    second backward through ``x[[1, 1]]`` raises, as in PyTorch, instead of adding again.
    """

    node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, x, index):
        ctx.input_shape = x.data.shape
        ctx.save_for_backward(*[wrap(item) for item in index if isinstance(item, np.ndarray)])
        return x.data[index]

    @staticmethod
    def backward(ctx, grad_output):
        ctx.saved_tensors  # noqa: B018 - raises once a backward pass has freed the indices
        return IndexAdjoint.apply(grad_output, ctx.input_shape, ctx.input_index), None

    @classmethod
    def apply(cls, x, index):
        out = super().apply(x, index)
        if out.grad_fn is not None:
            out.grad_fn.input_index = index
        return out

    @staticmethod
    def jvp(ctx, tangent, index):
        return Index.apply(tangent, index)


class Select(Index):
    """Pick one position along a dimension (``x[2]``), removing that dimension."""

    node_name = "SelectBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, index):
        ctx.input_shape = x.data.shape  # (a view saves nothing: it may be traversed again)
        return x.data[index]


class Slice(Select):
    """Keep a range along a dimension (``x[1:3]``)."""

    node_name = "SliceBackward0"
    is_view = True


class IndexAdjoint(Function):
    """The backward of indexing: zeros of the input's shape, with the gradient added where the
    elements were picked (added, so that an element picked twice gets both contributions)."""

    node_name = "IndexBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, shape, index):
        ctx.index = index
        out = np.zeros(shape, dtype=grad.data.dtype)
        np.add.at(out, index, grad.data)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        return Index.apply(grad_output, ctx.index), None, None

    @staticmethod
    def jvp(ctx, tangent, shape, index):
        return IndexAdjoint.apply(tangent, shape, index)


def _index_array(item):
    if isinstance(item, Tensor):
        if item.data.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return item.data
    if isinstance(item, (list, tuple)):
        array = np.asarray(item)
        if array.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return array
    return item


def getitem(x: Tensor, index) -> Tensor:
    """``x[index]`` with PyTorch's (and NumPy's) indexing rules."""
    items = index if isinstance(index, tuple) else (index,)
    items = tuple(_index_array(item) for item in items)
    basic = all(item is None or item is Ellipsis or isinstance(item, (int, np.integer, slice)) for item in items)
    if not basic:
        _check_masks(x, items)
        try:
            x.data[items]  # let NumPy check the index before recording anything
        except IndexError as error:
            raise IndexError(str(error).replace("axis", "dimension")) from None
        return Index.apply(x, items)
    return _basic_index(x, items)


def _check_masks(x: Tensor, items: tuple) -> None:
    """A boolean mask must have the shape of the dimensions it indexes (PyTorch's message)."""
    dim = 0
    for position, item in enumerate(items):
        if isinstance(item, np.ndarray) and item.dtype == np.bool_:
            covered = x.data.shape[dim : dim + item.ndim]
            if item.shape != covered:
                raise IndexError(
                    f"The shape of the mask {list(item.shape)} at index {position} does not match the "
                    f"shape of the indexed tensor {list(x.data.shape)} at index {dim}"
                )
            dim += item.ndim
        elif item is not None and item is not Ellipsis:
            dim += 1


def _basic_index(x: Tensor, items: tuple) -> Tensor:
    """Ints, slices, None and ``...``: one Select/Slice/Unsqueeze per item, as PyTorch records them."""
    consuming = sum(1 for item in items if item is not None and item is not Ellipsis)
    if consuming > x.ndim:
        raise IndexError(f"too many indices for tensor of dimension {x.ndim}")
    if Ellipsis in items:
        at = items.index(Ellipsis)
        items = items[:at] + (slice(None),) * (x.ndim - consuming) + items[at + 1 :]
    # ``dim`` counts dimensions of the result so far, ``source_dim`` those of x (for messages).
    result, dim, source_dim = x, 0, 0
    for item in items:
        if item is None:
            result = unsqueeze(result, dim)
            dim += 1
        elif isinstance(item, slice):
            if item != slice(None):
                full = (slice(None),) * dim + (item, Ellipsis)
                result = Slice.apply(result, full)
            dim += 1
            source_dim += 1
        else:
            size = result.data.shape[dim]
            if not -size <= item < size:
                raise IndexError(f"index {item} is out of bounds for dimension {source_dim} with size {size}")
            # The trailing ... makes NumPy return a (0-dim) view, never a copied scalar,
            # so that x[0].add_(1) changes x, as in PyTorch.
            result = Select.apply(result, (slice(None),) * dim + (int(item), Ellipsis))
            source_dim += 1
    if result is x:
        return View.apply(x, x.data.shape)  # x[...] is a new view of x
    return result


# ---------------------------------------------------------------------- joining
class Cat(Function):
    """Join tensors along an existing dimension; each gets back its slice of the gradient."""

    node_name = "CatBackward0"

    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        ctx.sizes = [t.data.shape[dim] for t in tensors]
        return np.concatenate([t.data for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, grad_output):
        grads, start = [], 0
        for size in ctx.sizes:
            grads.append(grad_output[(slice(None),) * ctx.dim + (slice(start, start + size),)])
            start += size
        return (None, *grads)

    @staticmethod
    def jvp(ctx, _, *tangents):
        return cat(list(tangents), ctx.dim)


class Stack(Function):
    """Join tensors along a new dimension; each gets back its slice of the gradient."""

    node_name = "StackBackward0"

    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        return np.stack([t.data for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, grad_output):
        count = grad_output.data.shape[ctx.dim]
        return (None, *(grad_output[(slice(None),) * ctx.dim + (i,)] for i in range(count)))

    @staticmethod
    def jvp(ctx, _, *tangents):
        return stack(list(tangents), ctx.dim)


def _common_dtype(tensors: list) -> list:
    target = tensors[0].dtype
    for t in tensors[1:]:
        target = dtypes.promote(target, 1, t.dtype, 1)
    return [t.to(target) for t in tensors]


def cat(tensors, dim: int = 0) -> Tensor:
    """Concatenate tensors along dimension ``dim``."""
    tensors = _common_dtype([t if isinstance(t, Tensor) else Tensor(t) for t in tensors])
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    first = tensors[0].data.shape
    dim = _dim(dim, len(first))
    for number, t in enumerate(tensors[1:], start=1):
        shape = t.data.shape
        if len(shape) != len(first):
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {len(first)} and {len(shape)}"
            )
        for d, (a, b) in enumerate(zip(first, shape)):
            if d != dim and a != b:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size {a} but got "
                    f"size {b} for tensor number {number} in the list."
                )
    return Cat.apply(dim, *tensors)


def stack(tensors, dim: int = 0) -> Tensor:
    """Stack equally shaped tensors along a new dimension ``dim``."""
    tensors = _common_dtype([t if isinstance(t, Tensor) else Tensor(t) for t in tensors])
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0].data.shape
    for number, t in enumerate(tensors[1:], start=1):
        if t.data.shape != first:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(first)} at entry 0 and "
                f"{list(t.data.shape)} at entry {number}"
            )
    return Stack.apply(_dim(dim, len(first) + 1), *tensors)


# ====================================================================== the Tensor methods
def _shape_arg(args: tuple) -> tuple:
    """Accept both ``f(2, 3)`` and ``f((2, 3))``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list, Size)):
        return tuple(args[0])
    return tuple(args)


def _reshape(self: Tensor, *shape) -> Tensor:
    """``x.reshape(2, 3)`` or ``x.reshape((2, 3))``; ``x.view`` is the same in minigrad."""
    return View.apply(self, _resolve_shape(_shape_arg(shape), self.data.size))


def _reshape_as(self: Tensor, other: Tensor) -> Tensor:
    return reshape(self, other.data.shape)


def _t(self: Tensor) -> Tensor:
    """The transpose of a matrix (a vector is returned as it is)."""
    if self.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
    return T.apply(self, 0, 1) if self.ndim == 2 else self


def _permute(self: Tensor, *dims) -> Tensor:
    return permute(self, _shape_arg(dims))


def _expand(self: Tensor, *sizes) -> Tensor:
    return expand(self, _shape_arg(sizes))


def _expand_as(self: Tensor, other: Tensor) -> Tensor:
    return expand(self, other.data.shape)


def _reversed_dims(self: Tensor) -> Tensor:
    """``x.T``: the dimensions in reverse order (the transpose of a matrix)."""
    return self.permute(*reversed(range(self.ndim)))


def _last_two_dims_swapped(self: Tensor) -> Tensor:
    """``x.mT``: the transpose of the last two dimensions (of a batch of matrices)."""
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
    return Transpose.apply(self, ndim - 2, ndim - 1)


Tensor.reshape = Tensor.view = _reshape
Tensor.reshape_as = Tensor.view_as = _reshape_as
Tensor.flatten = flatten
Tensor.narrow = narrow
Tensor.transpose = transpose
Tensor.t = _t
Tensor.permute = _permute
Tensor.squeeze = squeeze
Tensor.unsqueeze = unsqueeze
Tensor.expand = _expand
Tensor.expand_as = _expand_as
Tensor.__getitem__ = getitem
Tensor.T = property(_reversed_dims)
Tensor.mT = property(_last_two_dims_swapped)
