"""Speed devices: what makes minigrad fast without being part of the algorithm, in one place.

The core of the engine (``autograd/function.py``: recording an operation;
``autograd/engine.py``: the backward pass) reads as the algorithm it implements. A few
things make it several times faster than that plain reading would run; each lives here,
says what it buys, and is called from the core by its name. ``make bench`` measures them
(``bench/results/latest.json``, chapter 10); the rows each one is for are named below.

1. **Shared small tuples** (``shared_flags``, ``shared_numbers``). Nearly every node keeps small tuples
   (``needs_input_grad == (True, False)``, the versions of what it saved, the input numbers
   of its edges). Each one a node owns is one more object that Python's cycle collector
   tracks, and the collector walks all of them again and again while a long graph is
   being built. One copy of each is kept here instead. Row: the chain of 100,000 ops.
2. **Wrapped numbers made once** (``wrapped_numbers``). The ``2.0`` of ``x * 2.0`` becomes a
   constant 0-dim tensor (PyTorch's "wrapped number"). A loop meets the same number every
   time, and the constant never changes, so it is made once per (number, dtype).
   Rows: per-op, the chain.
3. **A saved wrapped number is kept as its array** (``pack_saved``, ``unpack_saved``). A
   node that saves such a constant keeps its read-only array: an array is not tracked by
   the cycle collector, a tensor is. Row: the chain (two tracked objects per operation:
   the node and the tuple of its next nodes; chapter 10 counts them).
4. **The cycle collector paused during a backward pass** (``collector_paused``). The pass
   creates many short-lived objects and no reference cycles; without the pause, the
   collector would scan the whole graph several times. Row: the chain.
5. **A gradient nobody else holds becomes ``.grad`` without a copy**
   (``only_the_engine_holds``), as PyTorch's AccumulateGrad "steals" it. For a large
   weight the copy costs about as much as the update of the weight. Row: the large MLP
   (its backward took 1.82-1.89 ms instead of 1.92-1.96 ms when this was added).
6. **Backward formulas on arrays when nothing records them** (``backward_on_arrays``). A
   backward formula is written with tensor operations so that ``create_graph=True`` can
   record it, and each of those operations costs a node, the operator's checks and
   ``Function.apply``. In an ordinary backward pass nothing records them, so the busiest
   operations (``Mul``, ``Matmul``, ``Relu``, ``LogSoftmax``, ``nll_loss``) also give the same
   formula on NumPy arrays, as a static method ``backward_on_arrays`` beside their
   ``backward``; the engine's sums over broadcast dimensions do the same
   (``engine.unbroadcast``). Rows: the large MLP, two moons.
7. **The ready queue's next node skips the heap** (``engine.ReadyQueue``, where it is
   explained). In a chain every node is the only one ready: a heap push and pop per node
   for nothing. Row: the chain.

A new device earns its place the same way: measured with ``make bench`` (repeated full
runs: this machine's timings move by 5-15% between runs), given its home here or in one
named class, and listed above with what it buys.
"""

from __future__ import annotations

import gc
import sys

import numpy as np

from . import _tensor
from .autograd import forward_ad, grad_mode


# ---------------------------------------------------------------------- 1. shared small tuples
class SharedTuples(dict):
    """One copy of each small tuple that many nodes keep: ``table[values]`` is that copy.

    Flags and numbers need tables of their own: ``(False, True) == (0, 1)``, and one table
    would hand out one for the other.
    """

    def __missing__(self, values: tuple) -> tuple:
        if len(self) < 4096:  # (the tuples met in practice are few; never grow unbounded)
            self[values] = values
        return values


shared_flags = SharedTuples()  # needs_input_grad
shared_numbers = SharedTuples()  # saved versions, input numbers, positions of tensor arguments


# ---------------------------------------------------------------------- 2. wrapped numbers
class WrappedNumbers(dict):
    """``wrapped_numbers[value, dtype]``: the constant tensor for a Python number in an
    operation on a tensor of ``dtype``, made once."""

    def __missing__(self, key: tuple):
        value, dtype = key
        array = np.asarray(value, dtype=dtype)
        array.flags.writeable = False  # shared: nothing may change it
        tensor = _tensor.wrap(array)
        tensor._is_wrapped_number = True
        # 0.0 and -0.0 are equal keys but not equal numbers (1/-0.0 is -inf), and NaN never
        # equals itself: those are made afresh each time.
        if value and value == value:
            if len(self) >= 512:
                self.clear()
            self[key] = tensor
        return tensor


wrapped_numbers = WrappedNumbers()


# ---------------------------------------------------------------------- 3. saved wrapped numbers
def pack_saved(tensors: tuple) -> tuple:
    """What a node keeps of the tensors it saves, and their versions (None: never checked).

    A tensor is kept as it is, with its version; a wrapped number as its read-only array,
    which never changes.
    """
    saved, versions = [], []
    for t in tensors:
        if t is None:
            saved.append(None)
            versions.append(None)
        elif t._is_wrapped_number:
            saved.append(t.data)
            versions.append(None)
        else:
            saved.append(t)
            versions.append(t._version_counter[0])
    return tuple(saved), shared_numbers[tuple(versions)]


def unpack_saved(saved):
    """The tensor that ``pack_saved`` kept (a wrapped number's array becomes a tensor again)."""
    return _tensor.wrap(saved) if type(saved) is np.ndarray else saved


# ---------------------------------------------------------------------- 4. the cycle collector
class collector_paused:  # noqa: N801 - used as a context manager, like no_grad
    """Python's cycle collector off for a backward pass (and back on after, if it was on)."""

    def __enter__(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc_info) -> None:
        if self._was_enabled:
            gc.enable()


# ---------------------------------------------------------------------- 5. gradients without a copy
# Reference counts are exact in CPython up to 3.13; from 3.14 the interpreter may leave out
# references it holds itself, so a count could look smaller than it is.
_EXACT_REFERENCE_COUNTS = sys.implementation.name == "cpython" and sys.version_info < (3, 14)


def only_the_engine_holds(grad) -> bool:
    """Whether ``grad`` and its memory are used by nothing but the backward pass delivering it.

    Then ``.grad`` may take it as it is. The engine hands a leaf's gradient over through
    function arguments only (``engine.run_backward`` calls one function per node, whose
    local variables are gone when it returns), so the references are known: to the
    tensor, the engine's list of the node's gradients, the ``grad`` arguments of
    ``accumulate_grad`` and of this function, and getrefcount's own argument (4); to the
    array, the tensor's ``data``, the local variable and getrefcount's argument (3).
    Anything else that holds either (a second leaf, a hook, a retained gradient, the
    ``gradient=`` of backward, a view of the array) makes a count larger, and the
    gradient is copied.
    """
    if not _EXACT_REFERENCE_COUNTS:
        return False
    array = grad.data
    return array.base is None and array.flags.writeable and sys.getrefcount(grad) == 4 and sys.getrefcount(array) == 3


# ---------------------------------------------------------------------- 6. backward on arrays
def nothing_records() -> bool:
    """True when operations run now are neither recorded (grad mode is off: in a backward
    pass, create_graph=False) nor differentiated forward (no forward-mode AD level)."""
    return not grad_mode.state.enabled and forward_ad.state.level is None


def backward_on_arrays(node, grad_outputs: list):
    """The gradients of ``node``'s inputs from its operation's ``backward_on_arrays``, or
    NotImplemented when that does not apply (the tensor formula ``backward`` runs then).

    ``backward_on_arrays(ctx, *grad_output_arrays)`` returns arrays (or None), one per
    argument of forward, computed exactly as ``backward`` would; it returns NotImplemented
    for a case it does not cover (e.g. operands of different dtypes).
    """
    if not nothing_records():
        return NotImplemented  # something records the backward pass: only tensors will do
    on_arrays = node._forward_cls.backward_on_arrays
    if len(grad_outputs) == 1:
        grads = on_arrays(node, grad_outputs[0].data)
    else:
        grads = on_arrays(node, *[g.data for g in grad_outputs])
    if grads is NotImplemented or grads is None:
        return grads
    wrap = _tensor.wrap
    if type(grads) is not tuple:
        return wrap(grads)
    tensors = []
    for g in grads:
        tensors.append(None if g is None else wrap(g))
    return tuple(tensors)
