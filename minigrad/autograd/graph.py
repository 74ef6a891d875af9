"""The nodes of the backward graph: what ``y.grad_fn`` is, and what each node keeps.

The graph points backwards. A node stands for one recorded operation; its
``next_functions`` say where the gradient of each of the operation's inputs must
go next: to the node that produced that input, to an ``AccumulateGrad`` node for a
leaf, or nowhere (``None``) for an input that needs no gradient.

A node made by ``Function.apply`` (``MulBackward0``, ...) is also the ``ctx`` that the
operation's ``forward`` and ``backward`` share, as in ``torch.autograd.Function``: forward
keeps there, with ``ctx.save_for_backward``, what backward will need.
"""

from __future__ import annotations

import itertools
import re
import sys

from .. import _speed, _tensor, dtypes
from .._errors import with_hint
from . import forward_ad, grad_mode

SECOND_BACKWARD_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


# Nodes are numbered in creation order. The engine runs the most recently
# created ready node first, which is a valid order and the one PyTorch uses.
next_sequence_nr = itertools.count().__next__


class Node:
    """A node of the backward graph (what ``tensor.grad_fn`` points at)."""

    # Where the gradient of each input goes next, as two tuples side by side: the node
    # (None for an input that needs no gradient) and which of that node's outputs the
    # input was. PyTorch shows them as pairs, ``next_functions``, which are made on demand.
    _next_nodes: tuple = ()
    _next_input_nrs: tuple = ()
    # Nodes are numbered in creation order: the engine runs the newest ready node first.
    sequence_nr: int = 0
    num_outputs: int = 1
    _saved = ()  # what forward saved for backward (None once released)
    # What a gradient sent to this node must be: the shape and dtype of the tensor it is
    # the gradient of (PyTorch's input_metadata), for a node with one output;
    # ``_output_metadata = ((shape, dtype), ...)`` for a node with several.
    _output_shape = ()
    _output_dtype = None
    _output_metadata = ()
    # Whether the tensors this node produced have hooks or retain their grad: the engine
    # looks before each node runs (set by register_hook and retain_grad).
    _has_tensor_hooks = False

    def name(self) -> str:
        """PyTorch's name of the node, e.g. ``MulBackward0``."""
        return type(self).__name__

    @property
    def next_functions(self) -> tuple:
        """``((node, input_nr), ...)``: where the gradient of each input goes next."""
        return tuple(zip(self._next_nodes, self._next_input_nrs))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def apply(self, grad_outputs: list) -> tuple:
        """Gradients for ``next_functions`` from the gradients of this node's outputs."""
        raise NotImplementedError

    @property
    def has_saved_tensors(self) -> bool:
        """Whether this node keeps tensors for its backward (see ``saved_tensors_released``)."""
        return False

    @property
    def saved_tensors_released(self) -> bool:
        """True once a backward without ``retain_graph`` has freed this node's saved tensors."""
        return False

    def release_saved_tensors(self) -> None:
        """Free what forward saved (nothing, for a node that saved nothing)."""

    def _tensor_hooks(self, output_nr: int) -> list:
        """Hooks registered on the tensor that this node's output ``output_nr`` is."""
        return ()

    def _retained_tensor(self, output_nr: int):
        """The non-leaf tensor of output ``output_nr`` if it called ``retain_grad()``."""
        return None


class AccumulateGrad(Node):
    """The node at the end of every path: adds the arriving gradient into ``variable.grad``.

    One per leaf, shared by every operation that uses the leaf, so that all its
    gradient contributions meet here and add up.
    """

    # PyTorch gives AccumulateGrad the highest priority, so gradients are stored
    # as soon as they are complete.
    sequence_nr = sys.maxsize

    def __init__(self, variable) -> None:
        self.variable = variable

    def _tensor_hooks(self, output_nr: int) -> list:
        return self.variable._hooks or ()

    @property
    def _has_tensor_hooks(self) -> bool:
        return bool(self.variable._hooks)

    # A gradient sent here must have the leaf's current shape and dtype (``leaf.data = ...``
    # may have changed them since the node was made).
    @property
    def _output_shape(self) -> tuple:
        return self.variable.data.shape

    @property
    def _output_dtype(self):
        return self.variable.data.dtype

    def apply(self, grad_outputs: list) -> tuple:
        accumulate_grad(self.variable, grad_outputs[0])
        return ()


def accumulate_grad(variable, grad) -> None:
    """``variable.grad += grad``, the rule that makes gradients add up across backward calls."""
    if variable._grad is None:
        if grad_mode.state.enabled and grad.grad_fn is not None:
            # create_graph=True: .grad is a copy of the gradient, recorded as PyTorch does.
            variable._grad = CopyBackwards.copy(grad)
        elif grad_mode.state.enabled or _speed.only_the_engine_holds(grad):
            variable._grad = grad
        else:
            # A copy, because the same gradient may also be used elsewhere (``a + b`` passes
            # one gradient tensor to both leaves), and ``.grad`` is updated in place later.
            variable._grad = _tensor.wrap(grad.data.copy())
    elif grad_mode.state.enabled:
        # create_graph=True: the sum itself is recorded, so it stays differentiable.
        variable._grad = variable._grad + grad
    else:
        variable._grad.data += grad.data
        _tensor.bump_version(variable._grad)


class CopyBackwards(Node):
    """The node of the copy that becomes a leaf's ``.grad`` when a backward pass with
    ``create_graph=True`` first reaches the leaf (PyTorch's name for it). The copy's
    derivative is the identity: the gradient goes on unchanged to the gradient's own node.
    Its two edges are PyTorch's: the tensor copied into (which needs none) and the source.
    """

    @classmethod
    def copy(cls, grad):
        node = cls()
        node.sequence_nr = next_sequence_nr()
        node._next_nodes, node._next_input_nrs = (None, grad.grad_fn), (0, grad.output_nr)
        node._output_shape, node._output_dtype = grad.data.shape, grad.data.dtype
        copy = _tensor.wrap(grad.data.copy())
        copy._requires_grad = True
        copy.grad_fn = node
        return copy

    def apply(self, grad_outputs: list) -> tuple:
        return (None, grad_outputs[0])


class BackwardFunction(Node):
    """The node recorded by ``Function.apply``; it is also the ``ctx`` of the Function.

    A subclass named after the operation (``MulBackward0``) is made for every
    Function, so ``type(y.grad_fn).__name__`` reads like PyTorch's.
    """

    _forward_cls: type  # the Function whose node this is

    # Defaults at class level: creating a node must cost next to nothing,
    # because every operation creates one.
    _saved_versions = ()
    _non_differentiable = ()
    _tensor_positions = None  # where the tensors are among forward's arguments (None: all)
    _hooks_by_output = None  # {output_nr: [hook, ...]} for tensor.register_hook
    _retained_by_output = None  # {output_nr: weakref to the tensor} for retain_grad()
    needs_input_grad = ()

    # ---- what forward saves for backward -------------------------------------------------
    def save_for_backward(self, *tensors) -> None:
        """Keep tensors for ``backward``; ``None`` is allowed for "nothing needed"."""
        if True not in self.needs_input_grad and forward_ad.state.level is None:
            return  # the operation is not recorded (e.g. inside a backward pass): keep nothing
        # Each tensor's version is kept too: if it is modified in place before the backward
        # pass, the saved value is no longer the one forward used.
        self._saved, self._saved_versions = _speed.pack_saved(tensors)

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to ``save_for_backward``, checked for in-place changes."""
        if self._saved is None:
            raise RuntimeError(SECOND_BACKWARD_MESSAGE)
        Tensor = _tensor.Tensor
        tensors = []
        for saved, version in zip(self._saved, self._saved_versions):
            # (A saved output, or a wrapped number kept as its array, is made a tensor again.)
            tensor = saved if type(saved) is Tensor or saved is None else _unpack(saved, self)
            if version is not None and tensor._version_counter[0] != version:
                raise _modified_in_place_error(self, tensor, len(tensors), version)
            tensors.append(tensor)
        return tuple(tensors)

    def mark_non_differentiable(self, *tensors) -> None:
        """Outputs that get no ``grad_fn`` (e.g. the indices returned by ``max``)."""
        self._non_differentiable = tensors

    @property
    def has_saved_tensors(self) -> bool:
        return self._saved is None or any(t is not None for t in self._saved)

    @property
    def saved_tensors_released(self) -> bool:
        return self._saved is None

    def release_saved_tensors(self) -> None:
        """Free what forward saved; a later backward through this node will raise."""
        for t in self._saved or ():
            if t is not None:
                self._saved = None
                self._saved_versions = None
                return

    # ---- hooks of the tensors this node produced --------------------------------------------
    def _tensor_hooks(self, output_nr: int) -> list:
        hooks = self._hooks_by_output
        return hooks.get(output_nr, ()) if hooks else ()

    def _retained_tensor(self, output_nr: int):
        retained = self._retained_by_output
        reference = retained.get(output_nr) if retained else None
        return reference() if reference is not None else None

    # ---- backward ---------------------------------------------------------------------------
    def apply(self, grad_outputs: list) -> tuple:
        """The operation's ``backward``: the gradients of its inputs, one per edge."""
        grads = NotImplemented
        if self._forward_cls.backward_on_arrays is not None:  # (device 6 of minigrad/_speed.py)
            grads = _speed.backward_on_arrays(self, grad_outputs)
        if grads is NotImplemented:
            grads = self._forward_cls.backward(self, *grad_outputs)
        if not isinstance(grads, tuple):
            grads = (grads,)
        # backward returns one value per argument of forward; a Function of one's own may
        # add trailing Nones, as PyTorch allows.
        expected = len(self.needs_input_grad)
        if len(grads) != expected:
            if len(grads) < expected or any(g is not None for g in grads[expected:]):
                raise RuntimeError(
                    f"function {self.name()} returned an incorrect number of gradients "
                    f"(expected {expected}, got {len(grads)})"
                )
            grads = grads[:expected]
        # The graph only has edges for the tensor arguments.
        positions = self._tensor_positions
        return grads if positions is None else tuple([grads[i] for i in positions])


def _unpack(saved, node):
    return saved.unpack(node) if type(saved) is SavedOutput else _speed.unpack_saved(saved)


def _modified_in_place_error(node, tensor, index: int, version: int) -> RuntimeError:
    # PyTorch names the saved tensor by its type and shape, and by the operation whose output
    # it is now ("Exp" for ExpBackward0); a leaf, or a tensor that needs no grad, by neither.
    producer = ""
    if tensor.grad_fn is not None:
        operation = re.sub(r"Backward\d*$", "", tensor.grad_fn.name())
        producer = f", which is output {tensor.output_nr} of {operation},"
    return with_hint(
        RuntimeError(
            "one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: [{tensor.type()} {list(tensor.shape)}]{producer} is at version "
            f"{tensor._version_counter[0]}; expected version {version} instead. Hint: enable anomaly "
            "detection to find the operation that failed to compute its gradient, with "
            "torch.autograd.set_detect_anomaly(True, check_nan=False)."
        ),
        f"minigrad has no anomaly detection. The tensor is saved tensor {index} of {node.name()}, which "
        "needs its value from before the change: do the in-place operation on a copy (x.clone()) or use "
        "the out-of-place form (x = x * 2 instead of x *= 2).",
    )


class SavedOutput:
    """How a node keeps one of its own outputs (``exp`` saves exp(x) for its backward).

    Keeping the output tensor itself would make a reference cycle (tensor -> grad_fn ->
    saved tensor -> the same tensor), which only Python's cycle collector can free: a
    graph dropped without a backward would keep its memory until the next collection.
    So the node keeps the values and the version counter, and rebuilds an equivalent
    tensor, whose grad_fn is the node, when backward asks for it (as PyTorch does).
    """

    __slots__ = ("data", "_version_counter", "output_nr", "tangent")

    def __init__(self, tensor) -> None:
        self.data = tensor.data
        self._version_counter = tensor._version_counter
        self.output_nr = tensor.output_nr
        self.tangent = tensor._fw_tangent  # forward mode through a backward pass (hvp) needs it

    def unpack(self, node):
        tensor = _tensor.wrap(self.data)
        tensor._version_counter = self._version_counter
        tensor._requires_grad = True
        tensor.grad_fn = node
        tensor.output_nr = self.output_nr
        if self.tangent is not None and forward_ad.state.level is not None:
            forward_ad._set_tangent(tensor, self.tangent)
        return tensor

    @property
    def dtype(self):
        return dtypes.from_numpy(self.data.dtype)

    @property
    def shape(self):
        return _tensor.Size(self.data.shape)
