"""The backward pass: walk the graph from the outputs to the leaves, applying the chain rule.

Each node must run only once all the gradients flowing into it have arrived
(a node used twice, as in ``b = a + a``, gets the *sum* of its contributions).
So the engine first counts, for every node, how many edges lead into it
(its dependencies), then runs nodes whose count has dropped to zero.  Among
the ready nodes it picks the most recently created one, like PyTorch.

Everything is iterative (a work list, never recursion), so a graph of 100,000
chained operations is no problem, and the work is linear in the graph's size.
"""

from __future__ import annotations

import gc
import heapq
import itertools
from typing import NamedTuple

import numpy as np

from .. import _tensor
from . import grad_mode
from .function import AccumulateGrad, accumulate_grad, gradient_edge, records_operations


class BackwardStep(NamedTuple):
    """One node's turn in a backward pass (used by the pictures that replay it)."""

    node: object
    grad_outputs: tuple  # gradients of the node's outputs, as they arrived
    grad_inputs: tuple  # what it sent along each of its next_functions (None: nothing)


def unbroadcast(grad, shape: tuple):
    """Sum ``grad`` down to ``shape``: the backward of broadcasting.

    If an input of shape (3,) was broadcast to (2, 3), each of its elements was
    used twice, so its gradient is the sum over the broadcast dimension.
    Leading dimensions that broadcasting added are summed away; dimensions of
    size 1 that were stretched are summed with keepdim.
    """
    shape = tuple(shape)
    if grad.data.shape == shape:
        return grad
    if records_operations():
        sum_dims = _tensor._red.SumDim.apply  # the sum of grad.sum(dim=...), its dims already checked
    else:
        sum_dims = _sum_array  # nothing records it: the same sum, on the array
    extra = grad.data.ndim - len(shape)
    if extra:
        grad = sum_dims(grad, tuple(range(extra)), False)
    stretched = tuple([i for i, size in enumerate(shape) if size == 1 and grad.data.shape[i] != 1])
    if stretched:
        grad = sum_dims(grad, stretched, True)
    return grad


def _sum_array(grad, dims: tuple, keepdim: bool):
    return _tensor.wrap(np.asarray(grad.data.sum(axis=dims, keepdims=keepdim)))


def _is_broadcastable_to(source: tuple, target: tuple) -> bool:
    if len(source) < len(target):
        return False
    return all(t == s or t == 1 for s, t in zip(source[len(source) - len(target) :], target))


def _conform(node, index: int, grad, shape: tuple, dtype):
    """Give a gradient the shape and dtype of the tensor it is the gradient of.

    An input broadcast by the operation gets its gradient summed back to its own
    shape, a float64 gradient for a float32 input is cast (as PyTorch's
    ``validate_outputs``); any other shape is the backward's mistake.
    """
    data = grad.data
    if data.shape != shape:
        if not _is_broadcastable_to(data.shape, shape):
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {index} - got "
                f"{list(data.shape)} but expected shape compatible with {list(shape)}"
            )
        grad = unbroadcast(grad, shape)
    if grad.data.dtype != dtype:
        grad = grad.to(dtype)
    return grad


def _run_tensor_hooks(node, output_nr: int, grad):
    """Hooks registered with ``tensor.register_hook`` may replace the gradient."""
    for hook in node._tensor_hooks(output_nr):
        result = hook(grad)
        if result is not None:
            if result.data.shape != grad.data.shape:
                raise RuntimeError(f"hook '{getattr(hook, '__name__', hook)}' has changed the size of value")
            grad = result
    return grad


def _collect(root_nodes: list, with_parents: bool):
    """How many edges lead into each node reachable from the roots (the dictionary's keys
    are those nodes, the roots included), and, when asked, each node's parents (only
    ``inputs=`` needs them)."""
    dependencies = dict.fromkeys(root_nodes, 0)
    stack = list(root_nodes)
    parents = {}
    while stack:
        node = stack.pop()
        for next_node in node._next_nodes:
            if next_node is None:
                continue
            count = dependencies.get(next_node)
            if count is None:  # reached for the first time
                dependencies[next_node] = 1
                stack.append(next_node)
            else:
                dependencies[next_node] = count + 1
            if with_parents:
                parents.setdefault(next_node, []).append(node)
    return dependencies, parents


def _needed_nodes(targets: set, parents: dict) -> set:
    """Nodes from which a target can be reached: the only ones worth running.

    The targets themselves are not run (unless they lead to another target):
    their incoming gradient is all that is asked for.
    """
    needed = set()
    stack = list(targets)
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent not in needed:
                needed.add(parent)
                stack.append(parent)
    return needed


def run_backward(
    roots: list,
    grad_roots: list,
    retain_graph: bool,
    create_graph: bool,
    inputs: list | None = None,
    accumulate: bool = True,
    observer=None,
):
    """Run the backward pass from ``roots`` (tensors) seeded with ``grad_roots``.

    With ``inputs`` and ``accumulate=False`` (``autograd.grad``), the gradients
    arriving at the inputs are captured and returned instead of being added
    into ``.grad``.  With ``inputs`` and ``accumulate=True`` (``backward(inputs=...)``)
    only those inputs' ``.grad`` are updated.
    """
    root_edges = [gradient_edge(t) for t in roots]
    root_nodes = list({id(node): node for node, _ in root_edges}.values())
    dependencies, parents = _collect(root_nodes, with_parents=inputs is not None)

    # Where to capture gradients, for autograd.grad / backward(inputs=...).
    capture = {}
    if inputs is not None:
        for index, tensor in enumerate(inputs):
            node, output_nr = _input_edge(tensor)
            capture.setdefault(node, []).append((output_nr, index, tensor))
        needed = _needed_nodes({n for n in capture if n in dependencies}, parents)  # (reachable ones)
        # Count only the edges that come from nodes which will run.
        dependencies = {}
        for node in needed:
            for next_node in node._next_nodes:
                if next_node is not None:
                    dependencies[next_node] = dependencies.get(next_node, 0) + 1
    else:
        needed = None
    captured = [None] * (len(inputs) if inputs is not None else 0)

    buffers = {}
    for (node, output_nr), grad in zip(root_edges, grad_roots):
        buffer = buffers.setdefault(node, [None] * node.num_outputs)
        buffer[output_nr] = grad if buffer[output_nr] is None else buffer[output_nr] + grad

    tiebreak = itertools.count()
    ready = [(-node.sequence_nr, next(tiebreak), node) for node in root_nodes if dependencies.get(node, 0) == 0]
    heapq.heapify(ready)
    # The node that runs next when it is known without the heap: the one node a step made
    # ready, if it was created after every node waiting there (in a chain, every node).
    # Each pass through the heap costs a push, a pop and a tuple.
    following = None

    previous_mode = grad_mode.state.enabled
    # With create_graph=True the backward computations are recorded like any other.
    grad_mode.state.enabled = create_graph
    # The pass creates many short-lived objects and no reference cycles: pausing
    # Python's cycle collector meanwhile saves it from scanning the whole graph.
    collector_was_enabled = gc.isenabled()
    gc.disable()
    heappop, heappush = heapq.heappop, heapq.heappush
    try:
        while following is not None or ready:
            if following is not None:
                node, following = following, None
            else:
                node = heappop(ready)[2]
            grad_outputs = buffers.pop(node)
            if node._has_tensor_hooks:
                for output_nr in range(len(grad_outputs)):
                    grad = grad_outputs[output_nr]
                    if grad is not None:
                        grad = grad_outputs[output_nr] = _run_tensor_hooks(node, output_nr, grad)
                        retained = node._retained_tensor(output_nr)
                        if retained is not None and accumulate:
                            accumulate_grad(retained, grad)
            if capture and node in capture:
                for output_nr, index, tensor in capture[node]:
                    captured[index] = grad_outputs[output_nr]
                    if accumulate and captured[index] is not None:
                        accumulate_grad(tensor, captured[index])  # backward(inputs=...)
            if needed is not None and node not in needed:
                continue

            if type(node) is AccumulateGrad:
                if accumulate and grad_outputs[0] is not None:
                    node.apply(grad_outputs)
                if observer is not None:
                    observer(BackwardStep(node, tuple(grad_outputs), ()))
                continue

            next_nodes = node._next_nodes
            grad_inputs = None
            if len(grad_outputs) == 1:
                if grad_outputs[0] is not None:
                    grad_inputs = node.apply(grad_outputs)
            elif any(g is not None for g in grad_outputs):
                # Several outputs, only some got a gradient: the others get zeros.
                grad_outputs = [
                    g if g is not None else _zeros(*node._output_metadata[output_nr])
                    for output_nr, g in enumerate(grad_outputs)
                ]
                grad_inputs = node.apply(grad_outputs)
            if grad_inputs is None:  # no gradient reached this node: nothing flows on
                grad_inputs = (None,) * len(next_nodes)
            if node._saved and not retain_graph:
                node.release_saved_tensors()
            sent = [] if observer is not None else None

            # Send each gradient to the node that needs it, in the shape and dtype of the
            # tensor it is the gradient of; a node is ready once all its gradients are in.
            for index, (next_node, input_nr, grad) in enumerate(zip(next_nodes, node._next_input_nrs, grad_inputs)):
                if next_node is None:
                    if sent is not None:
                        sent.append(None)
                    continue
                if grad is not None:
                    if next_node.num_outputs == 1:  # (the usual case: no tuple to unpack)
                        shape, dtype = next_node._output_shape, next_node._output_dtype
                    else:
                        shape, dtype = next_node._output_metadata[input_nr]
                    if grad.data.shape != shape or grad.data.dtype is not dtype:
                        grad = _conform(node, index, grad, shape, dtype)
                    buffer = buffers.get(next_node)
                    if buffer is None:
                        buffer = buffers[next_node] = [None] * next_node.num_outputs
                    buffer[input_nr] = grad if buffer[input_nr] is None else buffer[input_nr] + grad
                if sent is not None:
                    sent.append(grad)
                remaining = dependencies[next_node] - 1
                dependencies[next_node] = remaining
                if remaining == 0:
                    if next_node not in buffers:
                        buffers[next_node] = [None] * next_node.num_outputs
                    # Ready. The heap orders by creation, newest first, and among equals
                    # (the AccumulateGrad nodes) by arrival: a node that beats everything
                    # waiting can skip the heap, one at a time.
                    sequence_nr = next_node.sequence_nr
                    if following is not None and sequence_nr > following.sequence_nr:
                        # A newer one beats the node set aside: it takes its place, and the
                        # one set aside goes into the heap instead.
                        following, next_node = next_node, following
                        sequence_nr = next_node.sequence_nr
                    elif following is None and (not ready or sequence_nr > -ready[0][0]):
                        following = next_node
                        continue
                    heappush(ready, (-sequence_nr, next(tiebreak), next_node))
            if observer is not None:
                observer(BackwardStep(node, tuple(grad_outputs), tuple(sent)))
            # Let go of this node's gradients: a gradient that only its buffer holds can
            # then become a leaf's .grad without a copy (see function._only_the_engine_holds).
            grad = grad_inputs = grad_outputs = None
    finally:
        grad_mode.state.enabled = previous_mode
        if collector_was_enabled:
            gc.enable()
    return captured


def _zeros(shape, dtype):
    return _tensor.wrap(np.zeros(shape, dtype=dtype))


def _input_edge(tensor):
    """The node whose incoming gradient is the gradient of ``tensor``."""
    if tensor.grad_fn is not None:
        return tensor.grad_fn, tensor.output_nr
    if not tensor._requires_grad:
        raise RuntimeError("One of the differentiated Tensors does not require grad")
    return gradient_edge(tensor)


def trace_backward(root, gradient=None) -> list[BackwardStep]:
    """The steps of a real backward pass from ``root``, in the order they run.

    Runs with ``retain_graph=True`` and writes no ``.grad``: the pictures use it
    to replay a backward pass without changing the learner's tensors.
    """
    from . import _make_grads  # (at call time: the package imports this module)

    steps = []
    run_backward(
        [root],
        _make_grads([root], [gradient]),
        retain_graph=True,
        create_graph=False,
        accumulate=False,
        observer=steps.append,
    )
    return steps
