"""The graded tasks of exercise 02 (a scalar engine).

The learner builds a ``Value`` class in the notebook; these tasks build small graphs with
*that* class, run its ``_backward`` or ``backward()``, and compare the numbers with the
calculus (``minigrad.scalar.Value`` follows the same rules, which the test suite checks).
The topological-sort tasks hand the learner's function graphs of stand-in nodes and check
the order it returns by its defining property, not against one particular order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from math import tanh
from typing import Any

from .. import _plain
from ..checks import CheckFailed, NotAttempted, attempt
from . import Task, partial_derivatives, plain_number, register
from .shortcuts import Shortcut, refuses

_type = type
_isinstance = isinstance
_len = len
_fmt = _plain.format_number

ITERATIVE_HINT = (
    "a graph this deep is deeper than Python's recursion limit (about 1000 nested calls): "
    "replace the recursion by a loop over an explicit stack"
)


@dataclass(frozen=True)
class Field:
    """One number a task reads off the learner's graph, with what it should be."""

    name: str
    expected: float
    hint: str = ""
    mistakes: tuple[tuple[float, str], ...] = ()


def compare_fields(context: str, produced: object, fields: list[Field],
                   reveal: bool = True) -> str | None:
    """The first field of ``produced`` that is wrong, as a message starting with ``context``."""
    if _type(produced) is not _plain.LIST or _len(produced) != _len(fields):
        return f"{context}: expected {_len(fields)} numbers"
    for value, field in zip(produced, fields):
        if _type(value) is not _plain.FLOAT:
            return f"{context}: {field.name} should be a number"
        if _plain.is_close(value, field.expected, 1e-6, 1e-9):
            continue
        hint = field.hint
        for wrong, mistake_hint in field.mistakes:
            if _plain.is_close(value, wrong, 1e-6, 1e-9):
                hint = mistake_hint
                break
        if reveal:
            message = f"{context}, {field.name} is {_fmt(value)} but should be " \
                      f"{_fmt(field.expected)}"
        else:
            message = f"{context}, {field.name} is {_fmt(value)}, which is wrong"
        return message + (f"; {hint}" if hint else "")
    return None


def _value_class(answer: Any) -> type:
    __tracebackhide__ = True
    if not _isinstance(answer, type):
        raise CheckFailed(f"pass your Value class itself to the check, got a "
                          f"{_type(answer).__name__}")
    return answer


def _leaf(cls: type, x: float, name: str) -> Any:
    __tracebackhide__ = True
    return attempt(f"Value({_fmt(x)})", lambda: cls(x))


def _set_grad(node: Any, grad: float, name: str) -> None:
    __tracebackhide__ = True

    def assign() -> None:
        node.grad = grad

    attempt(f"setting {name}.grad", assign)


def _read(node: Any, attribute: str, name: str) -> float:
    __tracebackhide__ = True
    value = attempt(f"reading {name}.{attribute}", lambda: getattr(node, attribute))
    return plain_number(value, f"{name}.{attribute}")


def _new_value(cls: type, out: Any, expression: str) -> Any:
    __tracebackhide__ = True
    if out is None:
        raise CheckFailed(f"{expression} gave None: did you forget `return out`?")
    if not _isinstance(out, cls):
        raise CheckFailed(f"{expression} gave a {_type(out).__name__}; it should return a "
                          f"new Value")
    return out


# ------------------------------------------------------------------- task 1: __mul__
@dataclass(frozen=True)
class MulCase:
    kind: str  # "pair": a * b, "same": a * a, "number": a * k (k a plain float)
    x: float
    y: float
    grad: float


@register
class Mul(Task):
    """``a * b`` computes a.data * b.data and its _backward adds b.data·out.grad to a.grad."""

    id = "ex02_mul"

    def cases(self, seed: int) -> list[MulCase]:
        cases = [MulCase("pair", 2.0, -3.0, 1.0), MulCase("same", 3.0, 3.0, 1.0),
                 MulCase("number", 2.5, 4.0, 1.0)]
        rng = self.rng(seed)
        for kind in ("pair", "pair", "same", "number"):
            x = round(rng.uniform(-3, 3), 3)
            y = x if kind == "same" else round(rng.uniform(-3, 3), 3)
            cases.append(MulCase(kind, x, y, round(rng.uniform(-2, 2), 3)))
        return cases

    def run(self, answer: Any, case: MulCase) -> object:
        __tracebackhide__ = True
        cls = _value_class(answer)
        a = _leaf(cls, case.x, "a")
        if case.kind == "pair":
            b = _leaf(cls, case.y, "b")
            out = attempt("a * b (Value.__mul__)", lambda: a * b)
        elif case.kind == "same":
            b = a
            out = attempt("a * a (Value.__mul__)", lambda: a * a)
        else:
            b = None
            wrap = ("wrap a plain number first: other = other if isinstance(other, Value) "
                    "else Value(other)")
            out = attempt(f"a * {_fmt(case.y)} (Value.__mul__ with a plain number)",
                          lambda: a * case.y, hints={AttributeError: wrap, TypeError: wrap})
        out = _new_value(cls, out, "a * b")
        _set_grad(out, case.grad, "out")
        attempt("out._backward() after out = a * b", lambda: out._backward())
        produced = [_read(out, "data", "out"), _read(a, "grad", "a")]
        if case.kind == "pair":
            produced.append(_read(b, "grad", "b"))
        return produced

    def judge(self, case: MulCase, produced: object) -> str | None:
        x, y, g = case.x, case.y, case.grad
        if case.kind == "pair":
            context = (f"for a = Value({_fmt(x)}), b = Value({_fmt(y)}), out = a * b and "
                       f"out.grad = {_fmt(g)}, after out._backward()")
            fields = [
                Field("out.data", x * y, "out.data should be a.data * b.data"),
                Field("a.grad", y * g, "d(a*b)/da = b.data, times out.grad (the chain rule)",
                      ((x * g, "the slope of a * b with respect to a is the *other* factor, "
                               "b.data"),
                       (y, "multiply the local slope b.data by out.grad: that is the chain "
                           "rule"),
                       (0.0, "a.grad did not change: _backward must add to self.grad"))),
                Field("b.grad", x * g, "d(a*b)/db = a.data, times out.grad",
                      ((y * g, "the slope of a * b with respect to b is the *other* factor, "
                               "a.data"),
                       (x, "multiply the local slope a.data by out.grad: that is the chain "
                           "rule"),
                       (0.0, "b.grad did not change: _backward must add to other.grad"))),
            ]
        elif case.kind == "same":
            context = f"for a = Value({_fmt(x)}), out = a * a and out.grad = {_fmt(g)}, " \
                      f"after out._backward()"
            fields = [
                Field("out.data", x * x),
                Field("a.grad", 2 * x * g,
                      "a is both factors, so it receives two contributions",
                      ((x * g, "a is both factors of a * a and must receive both "
                               "contributions: with `=` the second overwrites the first; "
                               "use += in _backward"),)),
            ]
        else:
            context = f"for a = Value({_fmt(x)}), out = a * {_fmt(y)} and " \
                      f"out.grad = {_fmt(g)}, after out._backward()"
            fields = [Field("out.data", x * y), Field("a.grad", y * g)]
        return compare_fields(context, produced, fields)


# -------------------------------------------------------------------- task 2: tanh
@dataclass(frozen=True)
class TanhCase:
    x: float
    grad: float
    earlier_grad: float  # a.grad before out._backward(): a contribution from elsewhere


@register
class Tanh(Task):
    """``a.tanh()`` computes t = tanh(a.data); its _backward adds (1 - t²)·out.grad."""

    id = "ex02_tanh"

    def cases(self, seed: int) -> list[TanhCase]:
        cases = [TanhCase(0.5, 1.0, 0.0), TanhCase(-1.0, 2.0, 0.25)]
        rng = self.rng(seed)
        for earlier in (0.0, round(rng.uniform(-1, 1), 3)):
            cases.append(TanhCase(round(rng.uniform(-2.5, 2.5), 3),
                                  round(rng.uniform(-2, 2), 3), earlier))
        return cases

    def run(self, answer: Any, case: TanhCase) -> object:
        __tracebackhide__ = True
        cls = _value_class(answer)
        a = _leaf(cls, case.x, "a")
        _set_grad(a, case.earlier_grad, "a")
        out = _new_value(cls, attempt("a.tanh()", lambda: a.tanh()), "a.tanh()")
        _set_grad(out, case.grad, "out")
        attempt("out._backward() after out = a.tanh()", lambda: out._backward())
        return [_read(out, "data", "out"), _read(a, "grad", "a")]

    def judge(self, case: TanhCase, produced: object) -> str | None:
        x, g, earlier = case.x, case.grad, case.earlier_grad
        t = tanh(x)
        context = f"for a = Value({_fmt(x)}) with a.grad = {_fmt(earlier)}, out = a.tanh() " \
                  f"and out.grad = {_fmt(g)}, after out._backward()"
        slope = 1 - t * t
        mistakes = [
            (earlier + (1 - x * x) * g, "the slope of tanh is 1 - t² with t = tanh(x) "
                                        "(out.data), not 1 - x²"),
            (earlier + (1 - t) * g, "the slope of tanh is 1 - t², with t squared"),
            (earlier + t * g, "the slope of tanh is 1 - t², not t itself"),
        ]
        if earlier != 0.0:
            mistakes.append((slope * g, f"a.grad already held {_fmt(earlier)} from another "
                                        f"use of a: add to it (+=), do not overwrite it"))
        if g != 1.0:
            mistakes.append((earlier + slope, "multiply the local slope 1 - t² by out.grad: "
                                              "that is the chain rule"))
        fields = [
            Field("out.data", t, "out.data should be tanh(a.data) (math.tanh)"),
            Field("a.grad", earlier + slope * g,
                  "d tanh(x)/dx = 1 - tanh(x)², times out.grad, added to a.grad",
                  tuple(mistakes)),
        ]
        return compare_fields(context, produced, fields)


# ------------------------------------------------------ tasks 3 and 4: topological order
class GraphNode:
    """A stand-in Value for the sorting tasks: a label and the operands in ``_prev``."""

    __slots__ = ("data", "grad", "label", "_prev", "_op", "_backward")

    def __init__(self, label: str, prev: tuple[GraphNode, ...] = ()) -> None:
        self.data = 0.0
        self.grad = 0.0
        self.label = label
        self._prev = prev
        self._op = "+" if prev else ""
        self._backward = _nothing

    def __repr__(self) -> str:
        return f"Value(label={self.label!r})"


def _nothing() -> None:
    pass


@dataclass(frozen=True)
class GraphCase:
    """A graph by node index: ``operands[i]`` are the indices in node i's ``_prev``."""

    description: str
    labels: tuple[str, ...]
    operands: tuple[tuple[int, ...], ...]
    root: int


def _diamond() -> GraphCase:
    # a → b = a * 2 and c = a + 1 → d = b * c: `a` is reached along two paths.
    return GraphCase("the diamond d = (a * 2) * (a + 1)", ("a", "b", "c", "d"),
                     ((), (0,), (0,), (1, 2)), 3)


def _reused_operand() -> GraphCase:
    # b = a + a lists `a` twice in its _prev; e = c * d with c = b * a, d = b + 1.
    return GraphCase("the graph e = (b * a) * (b + 1) with b = a + a",
                     ("a", "b", "c", "d", "e"), ((), (0, 0), (1, 0), (1,), (2, 3)), 4)


def _shuffled_labels(rng: random.Random, size: int) -> tuple[str, ...]:
    """Names n0, n1, ... in an order unrelated to the graph's: sorting the nodes by their
    labels must not give a topological order (the only one is node 0, 1, 2, ...)."""
    numbers = list(range(size))
    while numbers == sorted(numbers):
        rng.shuffle(numbers)
    return tuple(f"n{number}" for number in numbers)


def _chain(length: int) -> GraphCase:
    operands = ((),) + tuple((i - 1,) for i in range(1, length))
    labels = _shuffled_labels(random.Random(f"chain:{length}"), length)
    return GraphCase(f"a chain of {length} nodes", labels, operands, length - 1)


def _random_graph(task: Task, seed: int, size: int) -> GraphCase:
    """A random graph where node i uses node i - 1 and up to two earlier ones (maybe twice),
    so that every node is reached from the last one, the root."""
    rng = task.rng(seed * 1000 + size)
    operands: list[tuple[int, ...]] = [(), ()]  # two leaves, both used by node 2
    for i in range(2, size):
        chosen = [i - 1] + [rng.randrange(0, i) for _ in range(rng.randint(0, 2))]
        if i == 2:
            chosen.append(0)
        rng.shuffle(chosen)
        operands.append(tuple(chosen))
    return GraphCase(f"a random graph of {size} nodes", _shuffled_labels(rng, size),
                     tuple(operands), size - 1)


def _build(case: GraphCase) -> tuple[GraphNode, dict[int, int], list[GraphNode]]:
    """The stand-in nodes of ``case``: the root, a map id(node) -> index, and all nodes.

    The caller keeps ``nodes`` alive while the learner's function runs, so that no id()
    in the map can be reused by a new object.
    """
    nodes: list[GraphNode] = []
    for label, operands in zip(case.labels, case.operands):
        nodes.append(GraphNode(label, tuple(nodes[i] for i in operands)))
    return nodes[case.root], {id(node): index for index, node in enumerate(nodes)}, nodes


_TOPOLOGICAL_SHORTCUT = Shortcut(
    "minigrad.scalar", "topological_order", "minigrad.scalar.topological_order",
    "it is the course's own topological sort, the function this task asks you to write",
    watch=False)  # Value.backward calls it: only a reference in the answer's code counts


class _TopologicalOrderTask(Task):
    def run(self, answer: Any, case: GraphCase) -> object:
        __tracebackhide__ = True
        if answer is None:
            raise CheckFailed("topological_order is None: define the function first")
        root, index_of, nodes = _build(case)
        result = attempt(f"topological_order(root) on {case.description}",
                         lambda: answer(root), hints={RecursionError: ITERATIVE_HINT})
        if result is None:
            raise CheckFailed("topological_order(root) returned None: did you forget "
                              "`return order`?")
        listed = attempt("iterating over the result of topological_order(root)",
                         lambda: _plain.LIST(result))
        # Each node becomes its index; anything else becomes -1 (reported by judge).
        return [index_of.get(id(item), -1) if _type(item) is GraphNode else -1
                for item in listed]

    def judge(self, case: GraphCase, produced: object) -> str | None:
        where = f"on {case.description}"
        if _type(produced) is not _plain.LIST:
            return f"topological_order(root) {where} should return a list of nodes"
        count = _len(case.labels)
        position: dict[int, int] = {}
        for place, index in enumerate(produced):
            if _type(index) is not _plain.INT or not 0 <= index < count:
                return (f"topological_order(root) {where} returned something that is not a "
                        f"node of the graph (at position {place}): return the Value objects "
                        f"themselves")
            if index in position:
                return (f"topological_order(root) {where} lists node {case.labels[index]} "
                        f"twice: remember which nodes you have visited (a set) and add each "
                        f"node once, even when it is an operand of several nodes")
            position[index] = place
        missing = [case.labels[i] for i in range(count) if i not in position]
        if missing:
            shown = ", ".join(missing[:5]) + (", ..." if _len(missing) > 5 else "")
            return (f"topological_order(root) {where} misses {_len(missing)} of its "
                    f"{count} nodes ({shown}): every node the root depends on, and the root "
                    f"itself, must be in the list")
        if produced and produced[0] == case.root and count > 1:
            return (f"topological_order(root) {where} starts with the root: the order must "
                    f"put every node after its operands, so leaves come first and the root "
                    f"last (backward() then walks the list from the end)")
        for index, operands in enumerate(case.operands):
            for operand in operands:
                if position[operand] > position[index]:
                    return (f"topological_order(root) {where} puts "
                            f"{case.labels[index]} before its operand "
                            f"{case.labels[operand]}: a node must come after every node "
                            f"in its _prev (add a node only once all its operands are added)")
        return None


@register
@refuses(_TOPOLOGICAL_SHORTCUT, label="topological_order")
class TopologicalOrderSmall(_TopologicalOrderTask):
    id = "ex02_topo_small"

    def cases(self, seed: int) -> list[GraphCase]:
        return [_diamond(), _reused_operand(), _random_graph(self, seed, 8)]


@register
@refuses(_TOPOLOGICAL_SHORTCUT, label="topological_order")
class TopologicalOrderDeep(_TopologicalOrderTask):
    id = "ex02_topo_deep"
    DEPTH = 10_000

    def cases(self, seed: int) -> list[GraphCase]:
        return [_chain(self.DEPTH), _random_graph(self, seed, 300)]


# --------------------------------------------------------------------- task 5: backward()
@dataclass(frozen=True)
class BackwardCase:
    kind: str  # "reuse": L = a * b + a; "chain": L = a + b + b + ... ; "neuron"
    inputs: tuple[float, ...]


CHAIN_LENGTH = 2000


def _backward_function(kind: str):
    if kind == "reuse":
        return lambda a, b: a * b + a
    if kind == "chain":
        return lambda a, b: a + CHAIN_LENGTH * b
    return lambda a, b, c: tanh(a * b + c) * a


_EXPRESSIONS = {
    "reuse": "L = a * b + a",
    "chain": f"L = a + b + b + ... + b ({CHAIN_LENGTH} additions of b)",
    "neuron": "L = (a * b + c).tanh() * a",
}


@register
class Backward(Task):
    """``L.backward()`` fills every .grad with dL/d(node), using topological_order."""

    id = "ex02_backward"

    def cases(self, seed: int) -> list[BackwardCase]:
        rng = self.rng(seed)
        cases = [BackwardCase("reuse", (2.0, -3.0)), BackwardCase("chain", (1.5, 0.5))]
        for _ in range(2):
            cases.append(BackwardCase("neuron", tuple(round(rng.uniform(-1.5, 1.5), 3)
                                                      for _ in range(3))))
        return cases

    def run(self, answer: Any, case: BackwardCase) -> object:
        __tracebackhide__ = True
        cls = _value_class(answer)
        names = "abc"[:_len(case.inputs)]
        leaves = [_leaf(cls, x, name) for x, name in zip(case.inputs, names)]
        expression = _EXPRESSIONS[case.kind]

        def build() -> Any:
            if case.kind == "reuse":
                a, b = leaves
                return a * b + a
            if case.kind == "chain":
                a, b = leaves
                total = a
                for _ in range(CHAIN_LENGTH):
                    total = total + b
                return total
            a, b, c = leaves
            return (a * b + c).tanh() * a

        try:
            built = attempt(f"building {expression}", build)
        except NotAttempted:
            raise NotAttempted(
                f"not attempted yet: {expression} needs your `*` and `tanh`, which still "
                f"raise NotImplementedError (tasks 1 and 2 come first)"
            ) from None
        root = _new_value(cls, built, expression)
        attempt(f"L.backward() for {expression}", lambda: root.backward(),
                hints={RecursionError: ITERATIVE_HINT})
        return [_read(root, "data", "L")] + [_read(leaf, "grad", name)
                                             for leaf, name in zip(leaves, names)]

    def judge(self, case: BackwardCase, produced: object) -> str | None:
        f = _backward_function(case.kind)
        point = list(case.inputs)
        names = "abc"[:_len(point)]
        slopes = partial_derivatives(f, point)
        shown = ", ".join(f"{name} = Value({_fmt(x)})" for name, x in zip(names, point))
        context = f"for {shown} and {_EXPRESSIONS[case.kind]}, after L.backward()"
        order_hint = ("walk topological_order(L) from the end (L) to the start, calling each "
                      "node's _backward once, after setting L.grad = 1.0 (this check also "
                      "uses your __mul__ and tanh: make their checks pass first)")
        fields = [Field("L.data", f(*point))]
        for name, slope in zip(names, slopes):
            fields.append(Field(f"{name}.grad", slope, order_hint,
                                ((0.0, "the gradients stayed 0: start with L.grad = 1.0, "
                                       "dL/dL, before calling the _backward functions"),)))
        return compare_fields(context, produced, fields)


# ---------------------------------------- task 6: predicting the gradient of a reused node
REUSE_A = -2.0
REUSE_B = 3.0


def _reuse_function(a: float, b: float) -> float:
    return (a * b) * (a + b)


@register
class ReuseGradients(Task):
    """Predict a.grad and b.grad for f = d * e with d = a * b and e = a + b."""

    id = "ex02_reuse_grads"

    def cases(self, seed: int) -> list[None]:
        return [None]

    def run(self, answer: Any, case: None) -> object:
        __tracebackhide__ = True
        predicted_a, predicted_b = answer
        return [plain_number(predicted_a, "predicted_a_grad"),
                plain_number(predicted_b, "predicted_b_grad")]

    def judge(self, case: None, produced: object) -> str | None:
        a, b = REUSE_A, REUSE_B
        d, e = a * b, a + b
        grad_a, grad_b = partial_derivatives(_reuse_function, [a, b])
        fields = [
            Field("predicted_a_grad", grad_a,
                  "a feeds both d = a * b and e = a + b: add the two paths' contributions",
                  ((e * b, "that is only the path through d = a * b; a also reaches f "
                           "through e = a + b: add that path's contribution"),
                   (d, "that is only the path through e = a + b; a also reaches f through "
                       "d = a * b: add that path's contribution"))),
            Field("predicted_b_grad", grad_b,
                  "b feeds both d = a * b and e = a + b: add the two paths' contributions",
                  ((e * a, "that is only the path through d = a * b; add the path through "
                           "e = a + b"),
                   (d, "that is only the path through e = a + b; add the path through "
                       "d = a * b"))),
        ]
        return compare_fields("for f = (a * b) * (a + b) at a = -2, b = 3", produced, fields,
                              reveal=False)
