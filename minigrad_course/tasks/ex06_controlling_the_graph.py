"""The graded tasks of exercise 06 (controlling the graph).

Two tasks grade predictions (which tensors are leaves and require grad; version counters
after in-place operations); their answers are facts about PyTorch that the test suite checks
against minigrad (and PyTorch where installed). Three tasks run the learner's code on
minigrad objects built from the seed: a walk along ``next_functions``, freezing a layer, and
a gradient-clipping hook. The expected node names come from a reference walk of a graph
that the judge builds itself; the expected gradients are computed in plain Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _plain
from ..checks import CheckFailed, NotAttempted, attempt, compare
from . import Task, plain_answer, register
from . import minigrad_engine as _minigrad

_type = type
_isinstance = isinstance
_len = len
_range = range
_tanh = math.tanh
_STR = _plain.STR



def _name_set(value: object, name: str) -> set[str]:
    """A learner's collection of tensor names ("a", "b", ...) as a set of strings."""
    __tracebackhide__ = True
    if value is None:
        raise NotAttempted(f"not attempted yet: {name} is still None; give your answer")
    if _type(value) is _STR:
        value = [part for part in value.replace(",", " ").split()]
    if not _isinstance(value, (set, frozenset, list, tuple)):
        raise CheckFailed(f"{name} should be a set of names, like {{\"a\", \"b\"}}")
    names = set()
    for item in value:
        if _type(item) is not _STR:
            raise CheckFailed(f"{name} should hold the names as strings, like \"a\", not "
                              f"{item!r}")
        names.add(item.strip())
    return names


# --------------------------------------------------- task 1: leaves and requires_grad
LEAF_NAMES = ("a", "b", "c", "d", "e", "f", "g", "h")
LEAF_CODE = {
    "a": "a = torch.tensor([1.0, 2.0], requires_grad=True)",
    "b": "b = torch.tensor([3.0, 4.0])",
    "c": "c = a * b",
    "d": "d = b * 2",
    "e": "e = c.detach()",
    "f": "f = e * a",
    "g": "g = a * 3 (under no_grad)",
    "h": "h = (g * b).requires_grad_()",
}
IS_LEAF = {"a": True, "b": True, "c": False, "d": True, "e": True, "f": False, "g": True, "h": True}
REQUIRES_GRAD = {"a": True, "b": False, "c": True, "d": False, "e": False, "f": True, "g": False,
                 "h": True}
LEAF_RULES = {
    "a": "you created a yourself, with requires_grad=True",
    "b": "you created b yourself, without requires_grad",
    "c": "an operation with an input that requires grad is recorded while grad mode is on: "
         "its result has a grad_fn and requires grad",
    "d": "no input of b * 2 requires grad, so nothing is recorded: the result is a leaf that "
         "needs no grad, as if you had typed its numbers in",
    "e": "detach() returns the same numbers without history: a tensor that needs no grad",
    "f": "one input (a) requires grad, so the operation is recorded",
    "g": "under no_grad nothing is recorded, even though a requires grad",
    "h": "requires_grad_() switches on requires_grad of a leaf in place and returns it: it "
         "stays a leaf",
}


@register
class PredictLeaves(Task):
    """Predict which of eight tensors are leaves and which require grad."""

    id = "ex06_predict_leaves"

    def cases(self, seed: int) -> list[None]:
        return [None]

    def run(self, answer: Any, case: None) -> object:
        __tracebackhide__ = True
        leaves, need_grad = answer
        leaves = _name_set(leaves, "leaves")
        need_grad = _name_set(need_grad, "need_grad")
        for name, chosen in (("leaves", leaves), ("need_grad", need_grad)):
            for item in sorted(chosen):
                if item not in LEAF_NAMES:
                    raise CheckFailed(f"{name} contains {item!r}, which is not one of the "
                                      f"tensors a to h")
        return [[1 if name in leaves else 0 for name in LEAF_NAMES],
                [1 if name in need_grad else 0 for name in LEAF_NAMES]]

    def judge(self, case: None, produced: object) -> str | None:
        if _type(produced) is not _plain.LIST or _len(produced) != 2:
            return "expected the set of leaves and the set of tensors that require grad"
        for flags, truth, label, words in (
                (produced[0], IS_LEAF, "leaves", ("is a leaf", "is not a leaf")),
                (produced[1], REQUIRES_GRAD, "need_grad", ("requires grad", "needs no grad"))):
            if _type(flags) is not _plain.LIST or _len(flags) != _len(LEAF_NAMES):
                return f"{label} could not be read"
            wrong = [name for name, flag in zip(LEAF_NAMES, flags) if (flag == 1) != truth[name]]
            if wrong:
                first = wrong[0]
                said = words[0] if flags[LEAF_NAMES.index(first)] == 1 else words[1]
                many = "" if _len(wrong) == 1 else f" ({_len(wrong)} tensors are wrong in {label})"
                return (f"in {label}, you said that {first} ({LEAF_CODE[first]}) {said}, "
                        f"which is wrong{many}: {LEAF_RULES[first]}")
        return None


# -------------------------------------------------- task 2: walking next_functions
NODE_NAMES = ("AccumulateGrad", "AddBackward0", "SubBackward0", "MulBackward0", "DivBackward0",
              "NegBackward0", "PowBackward0", "ExpBackward0", "TanhBackward0",
              "SigmoidBackward0", "SumBackward0", "MeanBackward0", "None")
NOT_A_NAME = -1
NOT_A_STRING = -2
BINARY = ("mul", "add", "sub", "div")
UNARY = ("exp", "tanh", "neg", "square", "sigmoid", "scale", "shift")


@dataclass(frozen=True)
class WalkCase:
    """A graph as steps: (op, j) applies op to the latest tensor (and tensor j if binary).

    Tensors 0 and 1 are leaves a and b that require grad, tensor 2 is c, which does not;
    the first step starts from ``start``. The root is ``finish`` ("sum" or "mean") of the last.
    """

    description: str
    start: int
    steps: tuple[tuple[str, int], ...]
    finish: str


def _apply(op: str, x: Any, y: Any) -> Any:
    if op == "mul":
        return x * y
    if op == "add":
        return x + y
    if op == "sub":
        return x - y
    if op == "div":
        return x / (y * y + 1.0)  # keeps the denominator away from zero
    if op == "exp":
        return (x * 0.1).exp()
    if op == "tanh":
        return x.tanh()
    if op == "neg":
        return -x
    if op == "square":
        return x**2
    if op == "sigmoid":
        return x.sigmoid()
    if op == "scale":
        return 3 * x
    if op == "shift":
        return x + 2
    raise ValueError(op)


def build_walk_graph(case: WalkCase, values: list[list[float]], engine: Any = None) -> Any:
    """The root tensor of ``case``, built with minigrad (or ``engine``, e.g. PyTorch)."""
    torch = engine or _minigrad()
    # The names of the nodes do not depend on the numbers, which a long random chain of
    # squares and exponentials may drive to infinity: NumPy's warnings about that are noise.
    with torch.enable_grad(), np.errstate(all="ignore"):
        tensors = [torch.tensor(values[0], requires_grad=True),
                   torch.tensor(values[1], requires_grad=True),
                   torch.tensor(values[2])]
        latest = tensors[case.start]
        for op, other in case.steps:
            latest = _apply(op, latest, tensors[other])
            tensors.append(latest)
        return latest.sum() if case.finish == "sum" else latest.mean()


def reference_node_names(root: Any) -> list[str]:
    """Depth-first pre-order along next_functions, first input first, each node once."""
    names: list[str] = []
    seen: set[int] = set()
    keep = []  # the nodes stay alive while their ids are in `seen`
    stack = [root.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        keep.append(node)
        names.append(node.name().rsplit("::", 1)[-1])
        stack.extend(next_node for next_node, _ in reversed(node.next_functions))
    return names


def _times(count: int) -> str:
    return {0: "no times", 1: "once", 2: "twice"}.get(count, f"{count} times")


def _walk_values(case: WalkCase) -> list[list[float]]:
    # Fixed values: the names of the nodes do not depend on them.
    return [[0.5, -1.0, 1.5], [2.0, 0.25, -0.5], [1.0, 2.0, 3.0]]


@register
class WalkGraph(Task):
    """node_names(tensor) lists the grad_fn nodes of tensor's graph in depth-first pre-order."""

    id = "ex06_walk_graph"

    def cases(self, seed: int) -> list[WalkCase]:
        cases = [
            WalkCase("out = (3 * (a + 2) ** 2).mean()", 0,
                     (("shift", 0), ("square", 0), ("scale", 0)), "mean"),
            WalkCase("out = (a * b + a).sum(), where a is used twice", 0,
                     (("mul", 1), ("add", 0)), "sum"),
            WalkCase("out = (a * c).exp().sum(), where c needs no grad", 0,
                     (("mul", 2), ("exp", 0)), "sum"),
        ]
        rng = self.rng(seed)
        for size in (6, 9):
            start = rng.randrange(2)
            steps = []
            for index in _range(size):
                if rng.random() < 0.55:
                    steps.append((rng.choice(BINARY), rng.randrange(3 + index)))
                else:
                    steps.append((rng.choice(UNARY), 0))
            cases.append(WalkCase(f"a random graph of {size} operations on a, b and c", start,
                                  tuple(steps), rng.choice(("sum", "mean"))))
        return cases

    def run(self, answer: Any, case: WalkCase) -> object:
        __tracebackhide__ = True
        if answer is None:
            raise NotAttempted("not attempted yet: node_names is None")
        root = build_walk_graph(case, _walk_values(case))
        result = attempt(f"node_names(out) for {case.description}", lambda: answer(root))
        if result is None:
            raise CheckFailed("node_names(out) returned None: did you forget `return names`?")
        listed = attempt("iterating over the result of node_names(out)", lambda: _plain.LIST(result))
        codes = []
        for item in listed:
            if _type(item) is not _STR:
                codes.append(NOT_A_STRING)
            elif item in NODE_NAMES:
                codes.append(NODE_NAMES.index(item))
            else:
                codes.append(NOT_A_NAME)
        return codes

    def judge(self, case: WalkCase, produced: object) -> str | None:
        where = f"for {case.description}, node_names(out)"
        if _type(produced) is not _plain.LIST:
            return f"{where} should return a list of names"
        if NOT_A_STRING in produced:
            return f"{where} should return the names as strings: use node.name()"
        if NODE_NAMES.index("None") in produced:
            return (f"{where} lists 'None': skip the (None, 0) entries of next_functions, the "
                    f"inputs that need no gradient")
        if NOT_A_NAME in produced:
            return f"{where} lists a string that is not the name of a node: use node.name()"
        expected = [NODE_NAMES.index(name) for name in reference_node_names(
            build_walk_graph(case, _walk_values(case)))]
        if produced == expected:
            return None
        for code in sorted(set(expected) | set(produced)):
            name = NODE_NAMES[code]
            have, want = produced.count(code), expected.count(code)
            if have > want:
                return (f"{where} lists {name} {_times(have)}, but the graph has {want} such "
                        f"node(s): list each node once, even when it is reached along several "
                        f"paths (keep a set of the nodes you have visited)")
            if have < want:
                return (f"{where} lists {name} {_times(have)}, but the graph has {want} such "
                        f"node(s): follow every entry of next_functions, not only the first")
        if produced[:1] != expected[:1]:
            return f"{where} should start with the root's node, out.grad_fn"
        return (f"{where} has the right nodes in another order: list a node, then everything "
                f"reachable through its first input, then through its second, and so on "
                f"(with a stack, push next_functions in reverse)")


# ------------------------------------------------------------- task 3: freeze a layer
@dataclass(frozen=True)
class FreezeCase:
    first_weight: tuple[tuple[float, float], ...]  # (3, 2)
    first_bias: tuple[float, ...]  # (3,)
    second_weight: tuple[float, ...]  # (1, 3), one row
    second_bias: float
    inputs: tuple[tuple[float, float], ...]
    targets: tuple[float, ...]


def second_layer_gradient(case: FreezeCase) -> list[float]:
    """d/d(W2, b2) of mean((tanh(X W1ᵀ + b1) W2ᵀ + b2 - Y)²), in plain Python."""
    hidden = [[_tanh(sum(w * x for w, x in zip(row, inputs)) + bias)
               for row, bias in zip(case.first_weight, case.first_bias)]
              for inputs in case.inputs]
    residuals = [sum(w * h for w, h in zip(case.second_weight, hs)) + case.second_bias - y
                 for hs, y in zip(hidden, case.targets)]
    n = _len(case.inputs)
    grad_w = [2.0 / n * sum(r * hs[j] for r, hs in zip(residuals, hidden)) for j in _range(3)]
    return grad_w + [2.0 / n * sum(residuals)]


PARAMETERS = ("model[0].weight", "model[0].bias", "model[2].weight", "model[2].bias")


@register
class Freeze(Task):
    """freeze(module) stops gradients for every parameter of module, and only those."""

    id = "ex06_freeze"

    def cases(self, seed: int) -> list[FreezeCase]:
        rng = self.rng(seed)

        def number() -> float:
            return round(rng.uniform(-1.0, 1.0), 3)

        cases = []
        for rows in (4, 6):
            cases.append(FreezeCase(
                first_weight=tuple((number(), number()) for _ in _range(3)),
                first_bias=tuple(number() for _ in _range(3)),
                second_weight=tuple(number() for _ in _range(3)),
                second_bias=number(),
                inputs=tuple((number(), number()) for _ in _range(rows)),
                targets=tuple(number() for _ in _range(rows)),
            ))
        return cases

    def run(self, answer: Any, case: FreezeCase) -> object:
        __tracebackhide__ = True
        if answer is None:
            raise NotAttempted("not attempted yet: freeze is None")
        torch = _minigrad()
        model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
        with torch.no_grad():
            model[0].weight.copy_(torch.tensor([list(row) for row in case.first_weight]))
            model[0].bias.copy_(torch.tensor(list(case.first_bias)))
            model[2].weight.copy_(torch.tensor([list(case.second_weight)]))
            model[2].bias.copy_(torch.tensor([case.second_bias]))
        attempt("freeze(model[0])", lambda: answer(model[0]))
        inputs = torch.tensor([list(row) for row in case.inputs])
        targets = torch.tensor([[y] for y in case.targets])
        with torch.enable_grad():
            loss = ((model(inputs) - targets) ** 2).mean()
            if not loss.requires_grad:
                raise CheckFailed("after freeze(model[0]) the loss needs no grad at all: freeze "
                                  "only the parameters of the module you are given")
            loss.backward()
            first_output_requires_grad = model[0](inputs).requires_grad
        parameters = [model[0].weight, model[0].bias, model[2].weight, model[2].bias]
        grads = []
        if model[2].weight.grad is not None and model[2].bias.grad is not None:
            grads = plain_answer(model[2].weight.grad, "model[2].weight.grad")[0] + \
                plain_answer(model[2].bias.grad, "model[2].bias.grad")
        return [[1 if p.grad is None else 0 for p in parameters],
                [1 if p.requires_grad else 0 for p in parameters],
                grads, 1 if first_output_requires_grad else 0]

    def judge(self, case: FreezeCase, produced: object) -> str | None:
        if _type(produced) is not _plain.LIST or _len(produced) != 4:
            return "the record of freeze is malformed"
        no_grad, requires, grads, first_output = produced
        context = "after freeze(model[0]) and a backward pass through the whole model"
        for name, is_none, needs in zip(PARAMETERS[:2], no_grad[:2], requires[:2]):
            if needs:
                return (f"{context}, {name}.requires_grad is still True: switch it off for every "
                        f"parameter of the module (parameter.requires_grad_(False))")
            if not is_none:
                return f"{context}, {name}.grad is not None: it should get no gradient"
        for name, is_none, needs in zip(PARAMETERS[2:], no_grad[2:], requires[2:]):
            if not needs or is_none:
                return (f"{context}, {name} gets no gradient any more: freeze only the module "
                        f"you are given (model[0]), and leave grad mode alone")
        if first_output:
            return f"{context}, model[0]'s output still requires grad"
        return compare(f"{context}, [model[2].weight.grad, model[2].bias.grad]", grads,
                       second_layer_gradient(case), rtol=1e-4, atol=1e-5,
                       hint="freezing the first layer must not change the second layer's "
                            "gradient")


# -------------------------------------------------------- task 4: a clipping hook
@dataclass(frozen=True)
class ClipCase:
    values: tuple[float, ...]
    scale: float
    limit: float


def clip(values: list[float], limit: float) -> list[float]:
    """Every entry clamped to [-limit, limit]."""
    return [limit if v > limit else -limit if v < -limit else v for v in values]


def clip_above(values: list[float], limit: float) -> list[float]:
    """The one-sided mistake: only entries above limit clamped."""
    return [limit if v > limit else v for v in values]


def clipped_gradients(case: ClipCase) -> tuple[list[float], list[float]]:
    """x.grad with the hook on y = scale * x, loss sum(y²); and with the hook on x, sum(x³)."""
    through_y = [case.scale * g for g in clip([2.0 * case.scale * v for v in case.values],
                                              case.limit)]
    on_leaf = clip([3.0 * v * v for v in case.values], case.limit)
    return through_y, on_leaf


@register
class ClipHook(Task):
    """make_clip_hook(limit) returns a hook that clamps every gradient entry to ±limit."""

    id = "ex06_clip_hook"

    def cases(self, seed: int) -> list[ClipCase]:
        cases = [ClipCase((1.0, -2.0, 0.25, 3.0), 1.0, 2.5)]
        rng = self.rng(seed)
        for _ in _range(3):
            cases.append(ClipCase(tuple(round(rng.uniform(-2.0, 2.0), 3) for _ in _range(5)),
                                  round(rng.uniform(0.5, 2.0), 2), round(rng.uniform(0.5, 3.0), 2)))
        return cases

    def run(self, answer: Any, case: ClipCase) -> object:
        __tracebackhide__ = True
        if answer is None:
            raise NotAttempted("not attempted yet: make_clip_hook is None")
        label = f"make_clip_hook({_plain.format_number(case.limit)})"
        return [self._grad_with_hook(answer, case, where, label) for where in ("y", "x")]

    def _grad_with_hook(self, answer: Any, case: ClipCase, where: str, label: str) -> list:
        """x.grad after a backward pass with a fresh hook from ``answer`` on y or on x."""
        __tracebackhide__ = True
        torch = _minigrad()
        hook = attempt(label, lambda: answer(case.limit))
        if hook is None:
            raise CheckFailed(f"{label} returned None: return the hook function")
        if not callable(hook):
            raise CheckFailed(f"{label} should return a function of the gradient")
        x = torch.tensor(list(case.values), dtype=torch.float64, requires_grad=True)
        with torch.enable_grad():
            watched = x * case.scale if where == "y" else x
            attempt(f"{where}.register_hook({label})", lambda: watched.register_hook(hook))
            loss = (watched**2).sum() if where == "y" else (x**3).sum()
            attempt(f"a backward pass through your hook on {where}", lambda: loss.backward())
        if x.grad is None:
            raise CheckFailed(f"with your hook on {where}, x.grad stayed None")
        return plain_answer(x.grad, "x.grad")

    def judge(self, case: ClipCase, produced: object) -> str | None:
        if _type(produced) is not _plain.LIST or _len(produced) != 2:
            return "the record of make_clip_hook is malformed"
        limit = case.limit
        values = ", ".join(_plain.format_number(v) for v in case.values)
        through_y, on_leaf = clipped_gradients(case)
        at_y = [2.0 * case.scale * v for v in case.values]  # what arrives at y
        at_x = [3.0 * v * v for v in case.values]  # what arrives at x for sum(x³)
        setups = [
            (f"with x = [{values}], y = {_plain.format_number(case.scale)} * x, your hook on y "
             f"and loss = (y**2).sum(), x.grad", produced[0], through_y,
             [case.scale * g for g in at_y], [case.scale * g for g in clip_above(at_y, limit)]),
            (f"with x = [{values}], your hook on x and loss = (x**3).sum(), x.grad", produced[1],
             on_leaf, at_x, clip_above(at_x, limit)),
        ]
        for label, got, expected, unclipped, upper_only in setups:
            mistakes = [(unclipped, "the gradient was not clipped: a hook changes the gradient "
                                    "by *returning* the new one (returning None keeps it)"),
                        (upper_only, f"clip both sides: entries below -{limit} become -{limit}")]
            message = compare(label, got, expected, rtol=1e-9, atol=1e-12, mistakes=mistakes,
                              hint=f"the hook should return the gradient with every entry "
                                   f"clamped to [-{limit}, {limit}] (grad.clamp(-limit, limit))")
            if message is not None:
                return message
        return None


# ------------------------------------------------- task 5: predict version counters
VERSION_NAMES = ("p_version", "q_version", "r_version")
VERSIONS = (4, 0, 4)
VERSION_HINTS = (
    "p is changed in place by add_ and mul_, and also through r, which shares its memory and "
    "its version counter: r[0] = 7.0 and r.zero_() count on p too",
    "q += 1 is in place, but q = q + 1 is not: it makes a new tensor, and the name q now "
    "points to it",
    "r = p.detach() shares p's version counter: it starts at p's version and counts every "
    "later in-place change of p or r",
)


@register
class PredictVersions(Task):
    """Predict p._version, q._version and r._version after a sequence of in-place ops."""

    id = "ex06_predict_versions"

    def cases(self, seed: int) -> list[None]:
        return [None]

    def run(self, answer: Any, case: None) -> object:
        __tracebackhide__ = True
        produced = []
        for value, name in zip(answer, VERSION_NAMES):
            if value is None:
                raise NotAttempted(f"not attempted yet: {name} is still None; give your answer")
            if _type(value) is not _plain.INT:
                raise CheckFailed(f"{name} should be a whole number (an int), got {value!r}")
            produced.append(value)
        return produced

    def judge(self, case: None, produced: object) -> str | None:
        if _type(produced) is not _plain.LIST or _len(produced) != 3:
            return "expected three version numbers"
        for name, got, expected, hint in zip(VERSION_NAMES, produced, VERSIONS, VERSION_HINTS):
            if got != expected:
                return f"{name} is {got}, which is wrong; {hint}"
        return None

