"""Recording operations: ``Function``, the nodes of the backward graph, ``AccumulateGrad``.

Every differentiable operation is a ``Function`` with two static methods side by
side: ``forward`` computes the result and saves what the derivative will need;
``backward`` turns the gradient of the result (``grad_output``) into the
gradients of the inputs.  ``Function.apply`` runs ``forward`` and, when some
input requires grad, records a *node* in the graph: the object you see as
``y.grad_fn``.  The node is also the ``ctx`` that ``forward`` and ``backward``
share, exactly as in ``torch.autograd.Function``.

The graph points backwards: each node lists, in ``next_functions``, where the
gradient of each of its inputs must go next: another node, an ``AccumulateGrad``
node for a leaf, or ``None`` for an input that needs no gradient.
"""

from __future__ import annotations

import itertools
import sys
import weakref

import numpy as np

# _tensor is imported as a module, not by name: it imports this file while it is
# being defined, and its names are only looked up when an operation runs.
from .. import _tensor
from . import forward_ad, grad_mode

# Nodes are numbered in creation order.  The engine runs the most recently
# created ready node first, which is a valid order and the one PyTorch uses.
_next_sequence_nr = itertools.count().__next__

# The edge of an input that needs no gradient (a constant, or the 2 of ``x * 2``).  It
# never changes, so every node shares this one tuple instead of making its own.
NO_EDGE = (None, 0)

# The version counter of every "wrapped number" (see ``_tensor._scalar_operand``): a
# Python number turned into a constant tensor for one operation.  Nothing can change
# such a tensor in place, so they all share one counter that stays at 0, and a node
# that saves one keeps only its array (see ``save_for_backward``).
WRAPPED_NUMBER_VERSION = [0]

# Small tuples that nearly every node keeps, such as ``needs_input_grad == (True, False)``,
# are shared: a node keeps the one copy from these tables rather than a tuple of its own.
# Each object a node keeps is one more that Python's garbage collector tracks, and the
# collector walks all of them again and again while a long graph is being built.
_SHARED_FLAGS = {flags: flags for n in range(1, 5) for flags in itertools.product((False, True), repeat=n)}
_SHARED_VERSIONS = {v: v for n in range(1, 5) for v in itertools.product((None, 0), repeat=n)}

SECOND_BACKWARD_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


class Node:
    """A node of the backward graph (what ``tensor.grad_fn`` points at)."""

    # Where the gradient of each input goes next, as two tuples side by side: the node
    # (None for an input that needs no gradient) and which of that node's outputs the
    # input was.  PyTorch shows them as pairs, ``next_functions``; storing pairs would
    # cost one more object per edge for Python's garbage collector to walk again and
    # again while a long graph is being built.
    _next_nodes: tuple = ()
    _next_input_nrs: tuple = ()
    sequence_nr: int = 0
    num_outputs: int = 1
    _saved = ()  # tensors kept for backward (None once released)

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

    def _tensor_hooks(self, output_nr: int) -> list:
        """Hooks registered on the tensor that this node's output ``output_nr`` is."""
        return ()

    def _retained_tensor(self, output_nr: int):
        """The non-leaf tensor of output ``output_nr`` if it called ``retain_grad()``."""
        return None

    # Whether the tensors this node produced have hooks or retain their grad (the engine
    # looks before each node runs; a plain attribute, set by register_hook and retain_grad).
    _has_tensor_hooks = False


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

    # What a gradient sent here must be (see BackwardFunction): the leaf's current shape
    # and dtype, which ``leaf.data = ...`` may have changed since the node was made.
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
        if grad_mode.state.enabled or _only_the_engine_holds(grad):
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
        variable._grad._version_counter[0] += 1


# Reference counts are exact in CPython up to 3.13; from 3.14 the interpreter may leave out
# references it holds itself, so a count could look smaller than it is.
_EXACT_REFERENCE_COUNTS = sys.implementation.name == "cpython" and sys.version_info < (3, 14)


def _only_the_engine_holds(grad) -> bool:
    """Whether ``grad`` and its memory are used by nothing but the backward pass delivering it.

    Then ``.grad`` takes it as it is instead of a copy, as PyTorch "steals" such a gradient:
    for a large weight, the copy would cost about as much as the update of the weight.
    The counts are the references this call chain holds itself.  To the tensor: the
    engine's list of the node's gradients, the ``grad`` arguments of accumulate_grad and
    of this function, and getrefcount's own argument (4).  To the array: the tensor's
    ``data``, the local variable and getrefcount's argument (3).  Anything else that holds
    either (a second leaf, a hook, a retained gradient, the ``gradient=`` of backward, a
    view of the array) makes a count larger, and the gradient is copied.
    """
    if not _EXACT_REFERENCE_COUNTS:
        return False
    array = grad.data
    return (
        array.base is None
        and array.flags.writeable
        and sys.getrefcount(grad) == 4
        and sys.getrefcount(array) == 3
    )


class BackwardFunction(Node):
    """The node recorded by ``Function.apply``; it is also the ``ctx`` of the Function.

    A subclass named after the operation (``MulBackward0``) is made for every
    Function, so ``type(y.grad_fn).__name__`` reads like PyTorch's.
    """

    _forward_cls: type[Function]

    # Defaults at class level: creating a node must cost next to nothing,
    # because every operation creates one.
    _saved = ()
    _saved_versions = ()
    _non_differentiable = ()
    _packed = False  # True when _saved holds more than tensors (see _unpack)
    _tensor_positions = None  # where the tensors are among forward's arguments (None: all)
    # What the outputs were: _output_shape and _output_dtype for one output (the usual
    # case, and no tuple to keep), _output_metadata = ((shape, dtype), ...) for several.
    # The engine checks every gradient it sends to this node against them (PyTorch's
    # input_metadata: the inputs of a backward node are the gradients it receives).
    _output_shape = ()
    _output_dtype = None
    _output_metadata = ()
    _hooks_by_output = None  # {output_nr: [hook, ...]} for tensor.register_hook
    _retained_by_output = None  # {output_nr: weakref to the tensor} for retain_grad()
    needs_input_grad = ()

    # ---- what forward saves for backward -------------------------------------------------
    _saves_result = False

    def save_result_for_backward(self) -> None:
        """Keep forward's result for ``backward``, whose ``saved_tensors`` is then ``(result,)``.

        For the built-in operations whose derivative is written with their result (exp,
        tanh, relu, ...; PyTorch's formulas call it ``result`` too). Forward returns the
        array as usual and ``Function.apply`` saves the tensor it makes of it (as a
        SavedOutput: no reference cycle). A Function of your own does the same with
        ``ctx.save_for_backward(result)`` on the tensor it returns.
        """
        self._saves_result = True

    def save_for_backward(self, *tensors) -> None:
        """Keep tensors for ``backward``; ``None`` is allowed for "nothing needed"."""
        if True not in self.needs_input_grad and forward_ad.state.level is None:
            return  # nothing is recorded (e.g. inside a backward pass): keep nothing
        # Remember each tensor's version: if it is modified in place before the backward
        # pass, the saved value is no longer the one forward used.
        versions = []
        wrapped_numbers = False
        for t in tensors:
            if t is None:
                versions.append(None)
            elif t._version_counter is WRAPPED_NUMBER_VERSION:
                versions.append(None)  # (it never changes)
                wrapped_numbers = True
            else:
                versions.append(t._version_counter[0])
        versions = tuple(versions)
        self._saved_versions = _SHARED_VERSIONS.get(versions, versions)
        if wrapped_numbers:
            # Keep a wrapped number's value, not a tensor: one object fewer per node for
            # Python's garbage collector to walk (``_unpack`` makes the tensor again).
            tensors = tuple([t.data if t is not None and t._version_counter is WRAPPED_NUMBER_VERSION else t
                             for t in tensors])
            self._packed = True
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to ``save_for_backward``, checked for in-place changes."""
        if self._saved is None:
            raise RuntimeError(SECOND_BACKWARD_MESSAGE)
        for tensor, version in zip(self._saved, self._saved_versions):
            if version is not None and tensor._version_counter[0] != version:
                index = [t is tensor for t in self._saved].index(True)
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by "
                    f"an inplace operation: [{tensor.dtype!r} {list(tensor.shape)}], which is "
                    f"saved tensor {index} of {self.name()}, is at version "
                    f"{tensor._version_counter[0]}; expected version {version} instead. Hint: "
                    "do the in-place operation on a copy (x.clone()) or use the out-of-place "
                    "form (x = x * 2 instead of x *= 2)."
                )
        if self._packed:
            return tuple([t if t is None or type(t) is _tensor.Tensor else _unpack(t, self) for t in self._saved])
        return self._saved

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
        grads = self._forward_cls.backward(self, *grad_outputs)
        if not isinstance(grads, tuple):
            grads = (grads,)
        positions = self._tensor_positions
        if len(grads) != len(self.needs_input_grad):
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients "
                f"(expected {len(self.needs_input_grad)}, got {len(grads)})"
            )
        # backward returns one value per argument of forward; the graph only has
        # edges for the tensor arguments.
        return grads if positions is None else tuple([grads[i] for i in positions])


class Function:
    """Base class of differentiable operations, as ``torch.autograd.Function``.

    Subclasses define ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)``
    as static methods, and are called with ``MyFunction.apply(*args)``.
    ``forward`` may return a Tensor or a NumPy array (the built-in operations
    return arrays: they compute on ``x.data`` directly).  ``backward`` works
    with Tensors, so that with ``create_graph=True`` the backward pass is itself
    recorded and can be differentiated again (the busiest built-in formulas also
    have a shortcut on arrays for when nothing records them: ``records_operations``).
    An optional ``jvp(ctx, *tangents)``
    gives the forward-mode derivative used by ``autograd.functional.jvp``.
    """

    #: Set by the built-in operations to PyTorch's node name (e.g. "MulBackward0");
    #: a user's Function ``Foo`` gets "FooBackward", as in PyTorch.
    node_name: str | None = None
    #: True for operations whose result shares memory with their input (views):
    #: the result then shares the input's version counter.
    is_view = False

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("node_name") or cls.__name__ + "Backward"
        cls._backward_cls = type(name, (BackwardFunction,), {"_forward_cls": cls, "__module__": cls.__module__})

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("a Function must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("a Function must define backward(ctx, *grad_outputs) to be differentiated")

    @staticmethod
    def jvp(ctx, *tangents):
        raise NotImplementedError("this Function has no forward-mode derivative (jvp)")

    @classmethod
    def apply(cls, *args):
        """Run ``forward``; record a node if grad mode is on and an input requires grad."""
        Tensor = _tensor.Tensor
        state = grad_mode.state
        ctx = cls._backward_cls()
        record = False
        if state.enabled:
            # One pass over the arguments: which of them need a gradient and, for each
            # tensor, where its gradient must go next (the node's edges; see gradient_edge,
            # written out here because every operation passes this way).
            flags = []
            next_nodes = []
            first_outputs = True  # every input the first output of its node (nearly always)
            for a in args:
                if isinstance(a, Tensor):
                    if a._requires_grad:
                        record = True
                        flags.append(True)
                        node = a.grad_fn
                        if node is None:
                            node = grad_accumulator(a)
                        elif a.output_nr:
                            first_outputs = False
                        next_nodes.append(node)
                    else:
                        flags.append(False)
                        next_nodes.append(None)  # no gradient for this input
                else:
                    flags.append(False)  # a dim, a shape, ...: no edge at all
        if record:
            needs_input_grad = tuple(flags)
            ctx.needs_input_grad = _SHARED_FLAGS.get(needs_input_grad, needs_input_grad)
            state.enabled = False  # forward itself is never recorded
            try:
                result = cls.forward(ctx, *args)
            finally:
                state.enabled = True
            _record_edges(ctx, args, next_nodes, first_outputs)
        else:
            # Nothing to record (grad mode off, e.g. inside backward, or no input
            # requires grad): forward just computes.
            ctx.needs_input_grad = _NO_INPUT_GRAD[len(args)] if len(args) < 5 else (False,) * len(args)
            result = cls.forward(ctx, *args)

        if type(result) is np.ndarray or isinstance(result, np.generic):
            # The usual case, every built-in operation: one result, an array (or a NumPy
            # scalar such as np.float32, which NumPy gives for 0-dim results).
            output = _tensor.wrap(result)
            if cls.is_view and output.data.base is not None:
                _share_memory(output, args[0])
            if forward_ad.state.level is not None:
                forward_ad.propagate(cls, ctx, args, (output,))
            if record:
                # (Forward only made the array: it can neither have saved nor marked this tensor.)
                _record_output(ctx, output, differentiable=True)
                if ctx._saves_result:
                    ctx._saved = (SavedOutput(output),)
                    ctx._saved_versions = (0,)  # (a new tensor)
                    ctx._packed = True
            return output
        return _finish(cls, ctx, args, result, record)


# needs_input_grad of an operation that is not recorded: shared all-False tuples.
_NO_INPUT_GRAD = [(False,) * n for n in range(5)]


def records_operations() -> bool:
    """Whether operations run now are recorded (grad mode on: in a backward pass, that is
    create_graph=True) or differentiated forward (forward-mode AD).

    When neither, a backward formula may compute on the arrays directly instead of with
    tensor operations, whose only purpose there would be to be recorded.
    """
    return grad_mode.state.enabled or forward_ad.state.level is not None


def _finish(cls, ctx, args, result, record: bool):
    """``Function.apply`` for the other results: several, or tensors made by forward."""
    if isinstance(result, tuple):
        outputs = tuple([_as_output(out, args) for out in result])
    else:
        outputs = (_as_output(result, args),)
    if cls.is_view:
        for out in outputs:
            if out.data.base is not None:
                _share_memory(out, args[0])
    if forward_ad.state.level is not None:
        forward_ad.propagate(cls, ctx, args, outputs)
    if record:
        # A forward that made its output tensors itself may have saved one of them.
        _record_outputs(ctx, outputs)
    return outputs if isinstance(result, tuple) else outputs[0]


def _share_memory(view, base) -> None:
    """A view NumPy returned shares its base's memory, so its version counter too."""
    view._version_counter = base._version_counter
    view._base = base._base if base._base is not None else base


def _as_output(value, args):
    Tensor, wrap = _tensor.Tensor, _tensor.wrap
    if isinstance(value, Tensor):
        # A forward that returns one of its inputs unchanged still creates a new
        # tensor, so that the input's own history is left alone.
        for a in args:
            if value is a:
                return wrap(value.data)
        return value
    if isinstance(value, np.ndarray):
        return wrap(value)
    return wrap(np.asarray(value))


def gradient_edge(tensor) -> tuple:
    """Where the gradient of ``tensor`` must go: ``(node, input_nr)``."""
    if tensor.grad_fn is not None:
        return (tensor.grad_fn, tensor.output_nr)
    if tensor._requires_grad:
        return (grad_accumulator(tensor), 0)
    return NO_EDGE


def grad_accumulator(leaf) -> AccumulateGrad:
    """The leaf's one ``AccumulateGrad`` node, created when first needed.

    The leaf only holds a weak reference: the node lives as long as some graph
    uses it, so every graph built at the same time shares one node per leaf.
    """
    reference = leaf._grad_accumulator
    node = reference() if reference is not None else None
    if node is None:
        node = AccumulateGrad(leaf)
        leaf._grad_accumulator = weakref.ref(node)
    return node


def _record_edges(ctx, args, next_nodes: list, first_outputs: bool) -> None:
    """Number the new node ``ctx`` and keep its edges, found by ``Function.apply``."""
    ctx.sequence_nr = _next_sequence_nr()
    count = len(next_nodes)
    if count != len(args):
        Tensor = _tensor.Tensor
        ctx._tensor_positions = tuple([i for i, a in enumerate(args) if isinstance(a, Tensor)])
    ctx._next_nodes = tuple(next_nodes)
    if first_outputs:
        ctx._next_input_nrs = _ZEROS[count] if count < len(_ZEROS) else (0,) * count
    else:
        Tensor = _tensor.Tensor
        ctx._next_input_nrs = tuple(
            [a.output_nr if a.grad_fn is not None else 0 for a in args if isinstance(a, Tensor)]
        )


# Shared tuples of input numbers (0, 0, ...): one fewer tuple per node for the collector.
_ZEROS = [(0,) * n for n in range(9)]


def _record_output(ctx, output, differentiable: bool) -> None:
    """Keep the shape and dtype of forward's one output on its node ``ctx``, and make ``ctx``
    its grad_fn (an integer result, or one marked non-differentiable, gets none)."""
    data = output.data
    ctx._output_shape = data.shape
    ctx._output_dtype = dtype = data.dtype
    if differentiable and dtype.kind == "f":
        output._requires_grad = True
        output.grad_fn = ctx


def _record_outputs(ctx, outputs) -> None:
    """Make ``ctx`` the ``grad_fn`` of the outputs (any number)."""
    Tensor = _tensor.Tensor
    non_differentiable = ctx._non_differentiable
    if len(outputs) == 1:
        out = outputs[0]
        _record_output(ctx, out, differentiable=not any(out is t for t in non_differentiable))
    else:
        # The engine gives an output that received no gradient zeros of this shape.
        ctx.num_outputs = len(outputs)
        ctx._output_metadata = tuple([(o.data.shape, o.data.dtype) for o in outputs])
        for output_nr, out in enumerate(outputs):
            if out.data.dtype.kind != "f" or any(out is t for t in non_differentiable):
                continue
            out._requires_grad = True
            out.grad_fn = ctx
            out.output_nr = output_nr
    # A node that saved one of its own outputs keeps it as a SavedOutput (no reference cycle).
    saved = ctx._saved
    for t in saved:
        if type(t) is Tensor and t.grad_fn is ctx:
            ctx._saved = tuple([SavedOutput(t) if type(t) is Tensor and t.grad_fn is ctx else t for t in saved])
            ctx._packed = True
            break


def _unpack(saved, node):
    """A saved value as the tensor backward expects (see ``save_for_backward`` and ``SavedOutput``)."""
    if type(saved) is SavedOutput:
        return saved.unpack(node)
    if type(saved) is np.ndarray:  # a wrapped number's value
        return _tensor.wrap(saved)
    return saved


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
        return _tensor.dtypes.from_numpy(self.data.dtype)

    @property
    def shape(self):
        return _tensor.Size(self.data.shape)
