"""Recording an operation: ``Function`` and its ``apply``.

Every differentiable operation is a ``Function`` with two static methods side by
side: ``forward`` computes the result and saves what the derivative will need;
``backward`` turns the gradient of the result (``grad_output``) into the
gradients of the inputs. ``Function.apply`` runs ``forward`` and, when the
operation is recorded (grad mode on, and some input requires grad), adds a node
to the graph (``graph.py``): the object you see as ``y.grad_fn``. The node is also
the ``ctx`` that ``forward`` and ``backward`` share, as in ``torch.autograd.Function``.
"""

from __future__ import annotations

import weakref

import numpy as np

from .. import _speed, _tensor
from . import forward_ad, grad_mode
from .graph import AccumulateGrad, BackwardFunction, SavedOutput, next_sequence_nr

# Nodes are numbered in creation order (graph.py keeps the count).
_next_sequence_nr = next_sequence_nr

# The edge of an input that needs no gradient (a constant, or the 2 of ``x * 2``).
NO_EDGE = (None, 0)


def recorded_edges(args):
    """Whether an operation on ``args`` is recorded in the graph, decided here only: when
    grad mode is on and some input requires grad. Then ``(needs_input_grad, next_nodes,
    next_input_nrs)``: for each tensor argument, the node its gradient goes to (None when
    it needs none) and which output of that node it was. Otherwise None.
    """
    if not grad_mode.state.enabled:
        return None
    Tensor = _tensor.Tensor
    flags, next_nodes, next_input_nrs = [], [], []
    for a in args:
        if not isinstance(a, Tensor):
            flags.append(False)  # a dim, a shape, ...: no edge at all
        elif not a._requires_grad:
            flags.append(False)
            next_nodes.append(None)
            next_input_nrs.append(0)
        elif a.grad_fn is not None:
            flags.append(True)
            next_nodes.append(a.grad_fn)
            next_input_nrs.append(a.output_nr)
        else:  # a leaf
            flags.append(True)
            next_nodes.append(grad_accumulator(a))
            next_input_nrs.append(0)
    if True not in flags:
        return None
    return _speed.shared_flags[tuple(flags)], next_nodes, next_input_nrs


def is_recorded(args) -> bool:
    """Whether an operation on ``args`` is recorded (see ``recorded_edges``)."""
    return recorded_edges(args) is not None


class Function:
    """Base class of differentiable operations, as ``torch.autograd.Function``.

    Subclasses define ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)``
    as static methods, and are called with ``MyFunction.apply(*args)``.
    ``forward`` may return a Tensor or a NumPy array (the built-in operations
    compute on ``x.data`` and return arrays; those that save their result make it a
    tensor first, to pass it to ``ctx.save_for_backward``). ``backward`` works with
    Tensors, so that with ``create_graph=True`` the backward pass is itself recorded
    and can be differentiated again. An optional ``jvp(ctx, *tangents)`` gives the
    forward-mode derivative used by ``autograd.functional.jvp``; an optional
    ``backward_on_arrays`` gives the same formula as ``backward`` on NumPy arrays, for a
    backward pass that nothing records (device 6 of ``minigrad/_speed.py``).
    """

    #: Set by the built-in operations to PyTorch's node name (e.g. "MulBackward0");
    #: a user's Function ``Foo`` gets "FooBackward", as in PyTorch.
    node_name: str | None = None
    #: True for operations whose result shares memory with their input (views):
    #: the result then shares the input's version counter.
    is_view = False
    backward_on_arrays = None

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
        ctx = cls._backward_cls()
        # 1. Which inputs need a gradient, and where the gradient of each must go next.
        edges = recorded_edges(args)  # (None: the operation is not recorded)
        # 2. Forward, never itself recorded.
        if edges is None:
            ctx.needs_input_grad = _speed.shared_flags[(False,) * len(args)]
            result = cls.forward(ctx, *args)
        else:
            ctx.needs_input_grad = edges[0]
            grad_mode.state.enabled = False
            try:
                result = cls.forward(ctx, *args)
            finally:
                grad_mode.state.enabled = True
        # 3. The outputs as tensors.
        # (Nearly always one array, or the NumPy scalar that NumPy gives for a 0-dim result.)
        made_by_forward = not isinstance(result, (np.ndarray, np.generic))
        outputs = _as_outputs(result, args) if made_by_forward else (_tensor.wrap(result),)
        if cls.is_view:
            for out in outputs:
                if out.data.base is not None:
                    _share_memory(out, args[0])
        if forward_ad.state.level is not None:
            forward_ad.propagate(cls, ctx, args, outputs)
        # 4. The node: its edges, and the outputs' grad_fn.
        if edges is not None:
            _record(ctx, args, edges, outputs, made_by_forward)
        return outputs if isinstance(result, tuple) else outputs[0]


def _as_outputs(result, args) -> tuple:
    """Forward's result (an array, a tensor, or a tuple of them) as a tuple of new tensors."""
    Tensor, wrap = _tensor.Tensor, _tensor.wrap
    outputs = []
    for value in result if isinstance(result, tuple) else (result,):
        if isinstance(value, Tensor):
            # A forward that returns one of its inputs unchanged still creates a new
            # tensor, so that the input's own history is left alone.
            for a in args:
                if value is a:
                    value = wrap(value.data)
                    break
        else:
            value = wrap(np.asarray(value))
        outputs.append(value)
    return tuple(outputs)


def _share_memory(view, base) -> None:
    """A view NumPy returned shares its base's memory, so its version counter too."""
    view._version_counter = base._version_counter
    view._base = base._base if base._base is not None else base


def _record(ctx, args, edges: tuple, outputs: tuple, made_by_forward: bool) -> None:
    """Make ``ctx`` a node of the graph: number it, keep its edges, and make it the
    ``grad_fn`` of the outputs (an integer result, or one marked non-differentiable, gets none)."""
    _, next_nodes, next_input_nrs = edges
    ctx.sequence_nr = _next_sequence_nr()
    ctx._next_nodes = tuple(next_nodes)
    ctx._next_input_nrs = _speed.shared_numbers[tuple(next_input_nrs)]
    if len(next_nodes) != len(args):  # some arguments are not tensors: they have no edge
        Tensor = _tensor.Tensor
        ctx._tensor_positions = _speed.shared_numbers[tuple([i for i, a in enumerate(args) if isinstance(a, Tensor)])]
    non_differentiable = ctx._non_differentiable
    if len(outputs) == 1:  # (nearly always)
        output = outputs[0]
        data = output.data
        ctx._output_shape, ctx._output_dtype = data.shape, data.dtype
        if data.dtype.kind == "f" and not (non_differentiable and any(output is t for t in non_differentiable)):
            output._requires_grad = True
            output.grad_fn = ctx
    else:
        ctx.num_outputs = len(outputs)
        ctx._output_metadata = tuple([(o.data.shape, o.data.dtype) for o in outputs])
        for output_nr, output in enumerate(outputs):
            if output.data.dtype.kind == "f" and not any(output is t for t in non_differentiable):
                output._requires_grad = True
                output.grad_fn = ctx
                output.output_nr = output_nr
    # A node that saved one of its own outputs (made by forward as a tensor) keeps it as a
    # SavedOutput: keeping the tensor would make a reference cycle.
    if made_by_forward and ctx._saved:
        Tensor = _tensor.Tensor
        ctx._saved = tuple([SavedOutput(t) if type(t) is Tensor and t.grad_fn is ctx else t for t in ctx._saved])


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
