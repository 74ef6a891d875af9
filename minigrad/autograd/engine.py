"""The backward pass: walk the graph from the outputs to the leaves, applying the chain rule.

Each node must run only once all the gradients flowing into it have arrived
(a node used twice, as in ``b = a + a``, gets the *sum* of its contributions).
So the engine first counts, for every node, how many edges lead into it
(its dependencies), then runs nodes whose count has dropped to zero. Among
the ready nodes it picks the most recently created one, like PyTorch.

Everything is iterative (a work list, never recursion), so a graph of 100,000
chained operations is no problem, and the work is linear in the graph's size.
"""

from __future__ import annotations

import functools
import heapq
import itertools
from typing import NamedTuple

import numpy as np

from .. import _speed, _tensor
from . import grad_mode
from .function import gradient_edge
from .graph import AccumulateGrad, accumulate_grad


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
    if _speed.nothing_records():
        sum_dims = _sum_array  # the same sum, on the array (device 6 of minigrad/_speed.py)
    else:
        sum_dims = _sum_tensor
    extra = grad.data.ndim - len(shape)
    if extra:
        grad = sum_dims(grad, tuple(range(extra)), False)
    stretched = tuple([i for i, size in enumerate(shape) if size == 1 and grad.data.shape[i] != 1])
    if stretched:
        grad = sum_dims(grad, stretched, True)
    return grad


def _sum_tensor(grad, dims: tuple, keepdim: bool):
    # grad.sum(...), recorded (SumBackward1) so that a backward pass with create_graph=True
    # can itself be differentiated. (Tensor.sum is given to Tensor by ops/reductions.py, as
    # Tensor.to and + used below are by ops/elementwise.py.)
    return grad.sum(dims, keepdim)


def _sum_array(grad, dims: tuple, keepdim: bool):
    array = grad.data
    if dims == (0,) and array.ndim == 2 and not keepdim:
        # The bias of a layer: the sum of the rows as a vector-matrix product, which BLAS does
        # several times faster than NumPy's reduction over the first axis (two moons n=1000).
        return _tensor.wrap(np.ones(array.shape[0], array.dtype) @ array)
    return _tensor.wrap(np.asarray(array.sum(axis=dims, keepdims=keepdim)))


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


_arrival = itertools.count().__next__  # (ties in the heap go by order of arrival)


class ReadyQueue:
    """The nodes whose gradients are complete, handed out newest first (PyTorch's order).

    A heap ordered by creation, newest first, and among equals (the AccumulateGrad
    nodes) by arrival. One node may wait beside the heap, in ``_next``: a node that is
    newer than everything in the heap when it arrives. In a chain every node is the only
    one ready, and this spares it a heap push and pop (device 7 of ``minigrad/_speed.py``);
    the order is exactly the heap's (tests/test_autograd.py checks it on random graphs).
    """

    def __init__(self, nodes) -> None:
        self._heap = []
        self._next = None  # newer than everything in the heap, when set
        for node in nodes:
            self.push(node)

    def push(self, node) -> None:
        waiting = self._next
        if waiting is None:
            if not self._heap or node.sequence_nr > -self._heap[0][0]:
                self._next = node
                return
        elif node.sequence_nr > waiting.sequence_nr:
            self._next, node = node, waiting  # the newer one waits beside; the other joins the heap
        heapq.heappush(self._heap, (-node.sequence_nr, _arrival(), node))

    def pop(self):
        """The next node to run, or None when none is ready."""
        node = self._next
        if node is not None:
            self._next = None
            return node
        return heapq.heappop(self._heap)[2] if self._heap else None


def count_dependencies(root_nodes: list) -> dict:
    """How many edges lead into each node reachable from the roots (the roots included)."""
    dependencies = dict.fromkeys(root_nodes, 0)
    stack = list(root_nodes)
    while stack:
        for next_node in stack.pop()._next_nodes:
            if next_node is None:
                continue
            count = dependencies.get(next_node)
            if count is None:  # reached for the first time
                stack.append(next_node)
            dependencies[next_node] = 1 if count is None else count + 1
    return dependencies


def run_backward(
    roots: list,
    grad_roots: list,
    retain_graph: bool,
    create_graph: bool,
    inputs: list | None = None,
    accumulate: bool = True,
    observer=None,
) -> list:
    """Run the backward pass from ``roots`` (tensors) seeded with ``grad_roots``.

    A node runs once all the gradients flowing into it have arrived: the chain rule at
    that node (``call_node``), then each gradient it computed is sent on (``send_on``).
    With ``inputs`` (``autograd.grad``, or ``backward(inputs=...)``), the gradients that
    reach the inputs are captured and returned, and only the nodes that lead to them run
    (``InputCapture``). ``observer(BackwardStep)`` sees each step (the pictures use it).
    """
    root_edges = [gradient_edge(t) for t in roots]
    root_nodes = list({id(node): node for node, _ in root_edges}.values())
    dependencies = count_dependencies(root_nodes)
    buffers = {node: [None] * node.num_outputs for node in root_nodes}  # gradients as they arrive
    for (node, output_nr), grad in zip(root_edges, grad_roots):
        buffer = buffers[node]
        buffer[output_nr] = grad if buffer[output_nr] is None else buffer[output_nr] + grad

    step = functools.partial(call_node, retain_graph, accumulate)
    capture = None
    if inputs is not None:
        capture = step = InputCapture(inputs, root_nodes, dependencies, step, accumulate)
    if observer is not None:
        step = _Observed(step, observer)

    ready = ReadyQueue([node for node in root_nodes if dependencies[node] == 0])
    # With create_graph=True the backward computations are recorded like any other.
    with grad_mode.set_grad_enabled(create_graph), _speed.collector_paused():
        node = ready.pop()
        while node is not None:
            send_on(node, step(node, buffers.pop(node)), buffers, dependencies, ready)
            node = ready.pop()
    return capture.gradients if capture is not None else []


def send_on(node, grad_inputs: tuple, buffers: dict, dependencies: dict, ready: ReadyQueue) -> None:
    """Send each gradient that ``node`` computed to the node it belongs to, in the shape and
    dtype of the tensor it is the gradient of, adding up the gradients that meet there; a
    node is ready once all its gradients are in."""
    for index, (next_node, input_nr, grad) in enumerate(zip(node._next_nodes, node._next_input_nrs, grad_inputs)):
        if next_node is None:
            continue
        buffer = buffers.get(next_node)
        if buffer is None:
            buffer = buffers[next_node] = [None] * next_node.num_outputs
        if grad is not None:
            if next_node.num_outputs == 1:  # (the usual case: no tuple to unpack)
                shape, dtype = next_node._output_shape, next_node._output_dtype
            else:
                shape, dtype = next_node._output_metadata[input_nr]
            if grad.data.shape != shape or grad.data.dtype is not dtype:
                grad = _conform(node, index, grad, shape, dtype)
            buffer[input_nr] = grad if buffer[input_nr] is None else buffer[input_nr] + grad
        dependencies[next_node] -= 1
        if dependencies[next_node] == 0:
            ready.push(next_node)


def call_node(retain_graph: bool, accumulate: bool, node, grad_outputs: list) -> tuple:
    """The chain rule at one node: the gradients of its inputs (one per edge, None where
    nothing flows) from the gradients of its outputs; then its saved tensors are freed
    unless ``retain_graph``. A leaf's AccumulateGrad adds its gradient into ``.grad``
    (when ``accumulate``) and sends nothing on."""
    if node._has_tensor_hooks:
        _run_tensor_hooks(node, grad_outputs, accumulate)
    if type(node) is AccumulateGrad:
        if accumulate and grad_outputs[0] is not None:
            node.apply(grad_outputs)
        return ()
    if len(grad_outputs) == 1:
        if grad_outputs[0] is None:  # no gradient reached this node: nothing flows on
            return (None,) * len(node._next_nodes)
    elif all(g is None for g in grad_outputs):
        return (None,) * len(node._next_nodes)
    else:  # several outputs, only some got a gradient: the others get zeros
        for output_nr, g in enumerate(grad_outputs):
            if g is None:
                grad_outputs[output_nr] = _zeros(*node._output_metadata[output_nr])
    grad_inputs = node.apply(grad_outputs)
    if not retain_graph and node._saved:
        node.release_saved_tensors()
    return grad_inputs


def _run_tensor_hooks(node, grad_outputs: list, accumulate: bool) -> None:
    """Hooks registered with ``tensor.register_hook`` may replace a gradient; a tensor that
    called ``retain_grad()`` keeps the result in its ``.grad``."""
    for output_nr, grad in enumerate(grad_outputs):
        if grad is None:
            continue
        for hook in node._tensor_hooks(output_nr):
            result = hook(grad)
            if result is not None:
                if result.data.shape != grad.data.shape:
                    raise RuntimeError(f"hook '{getattr(hook, '__name__', hook)}' has changed the size of value")
                grad = result
        grad_outputs[output_nr] = grad
        retained = node._retained_tensor(output_nr)
        if retained is not None and accumulate:
            accumulate_grad(retained, grad)


class InputCapture:
    """The step of ``autograd.grad(outputs, inputs)`` and ``backward(inputs=...)``: the
    gradients that reach the inputs are captured (and, for ``backward``, added into their
    ``.grad``), and only the nodes from which an input can be reached run.

    As in PyTorch, a node that runs anyway has its gradients captured as they arrived
    (its tensor hooks run after, when it runs); one that does not run gets its hooks
    called before.
    """

    def __init__(self, inputs: list, root_nodes: list, dependencies: dict, call, accumulate: bool) -> None:
        self.gradients = [None] * len(inputs)
        self._call, self._accumulate = call, accumulate
        self._where = {}  # node -> [(output_nr, index in inputs, tensor)]
        for index, tensor in enumerate(inputs):
            node, output_nr = _input_edge(tensor)
            self._where.setdefault(node, []).append((output_nr, index, tensor))
        self._needed = _nodes_leading_to({n for n in self._where if n in dependencies}, root_nodes)

    def __call__(self, node, grad_outputs: list) -> tuple:
        needed = node in self._needed
        if not needed and node._has_tensor_hooks:
            _run_tensor_hooks(node, grad_outputs, self._accumulate)
        for output_nr, index, tensor in self._where.get(node, ()):
            self.gradients[index] = grad = grad_outputs[output_nr]
            if self._accumulate and grad is not None:
                accumulate_grad(tensor, grad)  # backward(inputs=...)
        if not needed:
            return ()  # it leads to no input: nothing is sent on, and what follows never runs
        return self._call(node, grad_outputs)


def _nodes_leading_to(targets: set, root_nodes: list) -> set:
    """The nodes from which a target can be reached: the only ones worth running.

    The targets themselves are not run (unless they lead to another target): their
    incoming gradient is all that is asked for.
    """
    parents = {}
    seen = set(root_nodes)
    stack = list(root_nodes)
    while stack:
        node = stack.pop()
        for next_node in node._next_nodes:
            if next_node is None:
                continue
            parents.setdefault(next_node, []).append(node)
            if next_node not in seen:
                seen.add(next_node)
                stack.append(next_node)
    needed = set()
    stack = list(targets)
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent not in needed:
                needed.add(parent)
                stack.append(parent)
    return needed


class _Observed:
    """A step that also tells ``observer`` what the node received and sent."""

    def __init__(self, step, observer) -> None:
        self._step, self._observer = step, observer

    def __call__(self, node, grad_outputs: list) -> tuple:
        grad_inputs = self._step(node, grad_outputs)
        sent = []
        for index, (next_node, input_nr, grad) in enumerate(zip(node._next_nodes, node._next_input_nrs, grad_inputs)):
            if next_node is not None and grad is not None:
                shape_and_dtype = next_node._output_metadata[input_nr] if next_node.num_outputs > 1 else (
                    next_node._output_shape, next_node._output_dtype)
                grad = _conform(node, index, grad, *shape_and_dtype)
            sent.append(grad if next_node is not None else None)
        self._observer(BackwardStep(node, tuple(grad_outputs), tuple(sent)))
        return grad_inputs


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
