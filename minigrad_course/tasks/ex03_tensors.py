"""The graded tasks of exercise 03 (tensors and broadcasting).

Two tasks run the learner's NumPy functions (``unbroadcast``, the backward of the matrix
product) on arrays built from the seed; one runs the learner's ``Function`` for division on
minigrad tensors; one grades a prediction. Every expected number is computed here in plain
Python from the formulas (sums over the broadcast copies, G·Bᵀ and Aᵀ·G, the quotient rule),
never with the learner's code or with minigrad's autograd, so the grader can recompute it in
its own process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import _plain
from ..checks import CheckFailed, attempt, compare
from . import Task, plain_answer, register
from . import minigrad_engine as _minigrad
from .shortcuts import Shortcut, refuses

_type = type
_isinstance = isinstance
_len = len
_range = range
_fmt = _plain.format_plain
_shape_text = _plain.format_shape


def _numpy() -> Any:
    # Imported when a task runs: the grader's judge needs only plain Python.
    import numpy

    return numpy



def _tuple_text(shape: tuple[int, ...]) -> str:
    return str(tuple(shape))


def _product(shape: tuple[int, ...]) -> int:
    count = 1
    for size in shape:
        count *= size
    return count


def _nest(flat: list[float], shape: tuple[int, ...]) -> object:
    """A flat row-major list as a nested list of ``shape`` (a float for shape ())."""
    if not shape:
        return flat[0]
    if _len(shape) == 1:
        return list(flat)
    step = _product(shape[1:])
    return [_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in _range(shape[0])]


def _indices(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Every multi-index of ``shape`` in row-major order."""
    indices: list[tuple[int, ...]] = [()]
    for size in shape:
        indices = [index + (i,) for index in indices for i in _range(size)]
    return indices


# ------------------------------------------------------------------ task 1: unbroadcast
@dataclass(frozen=True)
class UnbroadcastCase:
    grad_shape: tuple[int, ...]
    shape: tuple[int, ...]  # the input's shape, which broadcasts to grad_shape
    values: tuple[float, ...]  # grad, flat, row-major


def _reduce(case: UnbroadcastCase, combine: str = "sum") -> object:
    """unbroadcast by its definition: each input entry gets the sum over its copies."""
    extra = _len(case.grad_shape) - _len(case.shape)
    totals = [0.0] * _product(case.shape)
    counts = [0] * _product(case.shape)
    for flat, index in enumerate(_indices(case.grad_shape)):
        kept = index[extra:]
        # A size-1 dimension of the input was stretched: every copy maps to its entry 0.
        target = tuple(0 if size == 1 else i for i, size in zip(kept, case.shape))
        position = 0
        for i, size in zip(target, case.shape):
            position = position * size + i
        totals[position] += case.values[flat]
        counts[position] += 1
    if combine == "mean":
        totals = [total / count for total, count in zip(totals, counts)]
    return _nest(totals, case.shape)


def _random_broadcast(rng: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """An input shape and a larger shape it broadcasts to (leading and stretched dims)."""
    while True:
        shape = tuple(rng.choice((1, 1, 2, 3)) for _ in _range(rng.randint(1, 3)))
        grown = tuple(rng.randint(2, 4) if size == 1 and rng.random() < 0.8 else size
                      for size in shape)
        grad_shape = tuple(rng.randint(2, 3) for _ in _range(rng.randint(0, 2))) + grown
        if grad_shape != shape and _product(grad_shape) <= 60:
            return shape, grad_shape


@register
@refuses(Shortcut("minigrad.autograd.engine", "unbroadcast", "minigrad.autograd.engine.unbroadcast",
                  "it is the engine's unbroadcast, the very function this task asks you to write",
                  watch=False),  # every backward through a broadcast calls it
         label="unbroadcast")
class Unbroadcast(Task):
    """unbroadcast(grad, shape) sums grad over the copies that broadcasting made."""

    id = "ex03_unbroadcast"

    def cases(self, seed: int) -> list[UnbroadcastCase]:
        fixed = [((2, 3), (3,)), ((2, 3), (2, 1)), ((2, 3), (1, 3)), ((4, 2, 3), (2, 3)),
                 ((4, 2, 3), (2, 1)), ((2, 3), ()), ((2, 3), (2, 3))]
        rng = self.rng(seed)
        shapes = fixed + [(grad_shape, shape) for shape, grad_shape in
                          (_random_broadcast(rng) for _ in _range(3))]
        # Small whole numbers: every sum is exact, so the comparison can be tight.
        return [UnbroadcastCase(grad_shape, shape,
                                tuple(float(rng.randint(-9, 9)) for _ in
                                      _range(_product(grad_shape))))
                for grad_shape, shape in shapes]

    def run(self, answer: Any, case: UnbroadcastCase) -> object:
        __tracebackhide__ = True
        np = _numpy()
        grad = np.array(case.values, dtype=np.float64).reshape(case.grad_shape)
        label = f"unbroadcast(grad of shape {_tuple_text(case.grad_shape)}, " \
                f"{_tuple_text(case.shape)})"
        if answer is None:
            raise CheckFailed("unbroadcast is None: define the function first")
        result = attempt(label, lambda: answer(grad, case.shape))
        if result is None:
            raise CheckFailed(f"{label} returned None: did you forget `return grad`?")
        return plain_answer(result, label)

    def judge(self, case: UnbroadcastCase, produced: object) -> str | None:
        label = f"unbroadcast(grad of shape {_tuple_text(case.grad_shape)}, " \
                f"{_tuple_text(case.shape)})"
        found = _plain.shape_of(produced)
        wanted = case.shape
        if found != wanted:
            message = f"{label} has {_shape_text(found)} but should have {_shape_text(wanted)}"
            extra = _len(case.grad_shape) - _len(wanted)
            if found == case.grad_shape:
                hint = ("that is the gradient's own shape: sum over the dimensions that "
                        "broadcasting added in front, and over the stretched size-1 dimensions")
            elif found is not None and _len(found) < _len(wanted):
                hint = (f"the input had shape {_tuple_text(wanted)}: sum its size-1 dimensions "
                        f"with keepdims=True, so that they stay")
            elif found is not None and _len(found) > _len(wanted) and extra > 0:
                hint = (f"the {extra} leading dimension(s) that broadcasting added in front must "
                        f"be summed away (without keepdims)")
            else:
                hint = "the result must have exactly the input's shape"
            return f"{message}; {hint}"
        return compare(label, produced, _reduce(case), rtol=1e-12, atol=1e-12,
                       hint="each entry is the sum of the gradients of all its copies",
                       mistakes=[(_reduce(case, "mean"),
                                  "that is the mean over the copies; the gradient of a value "
                                  "used several times is the sum of the contributions")])


# -------------------------------------------------------- task 2: matmul backward (VJP)
@dataclass(frozen=True)
class MatmulCase:
    n: int
    k: int
    m: int
    a: tuple[float, ...]  # (n, k), flat
    b: tuple[float, ...]  # (k, m), flat
    grad: tuple[float, ...]  # (n, m), flat


def _matrix(flat: tuple[float, ...], rows: int, columns: int) -> list[list[float]]:
    return [list(flat[i * columns:(i + 1) * columns]) for i in _range(rows)]


def _matmul(x: list[list[float]], y: list[list[float]]) -> list[list[float]]:
    inner = _len(y)
    return [[sum(x[i][p] * y[p][j] for p in _range(inner)) for j in _range(_len(y[0]))]
            for i in _range(_len(x))]


def _transpose(x: list[list[float]]) -> list[list[float]]:
    return [[x[i][j] for i in _range(_len(x))] for j in _range(_len(x[0]))]


_SHAPES_REFUSED = object()


@register
class MatmulBackward(Task):
    """matmul_backward(a, b, grad_output) returns (G·Bᵀ, Aᵀ·G)."""

    id = "ex03_matmul_backward"

    def cases(self, seed: int) -> list[MatmulCase]:
        rng = self.rng(seed)
        # A square case first: there a missing transpose gives a wrong value, not an error,
        # so the message can name the mistake. Then shapes where every size differs.
        sizes = [(3, 3, 3), (2, 3, 4), (1, 3, 1)]
        sizes += [tuple(rng.sample((2, 3, 4, 5), 3)) for _ in _range(2)]

        def numbers(count: int) -> tuple[float, ...]:
            return tuple(round(rng.uniform(-2, 2), 2) for _ in _range(count))

        return [MatmulCase(n, k, m, numbers(n * k), numbers(k * m), numbers(n * m))
                for n, k, m in sizes]

    def run(self, answer: Any, case: MatmulCase) -> object:
        __tracebackhide__ = True
        np = _numpy()
        a = np.array(case.a).reshape(case.n, case.k)
        b = np.array(case.b).reshape(case.k, case.m)
        grad = np.array(case.grad).reshape(case.n, case.m)
        label = f"matmul_backward(a, b, grad_output) with a of shape ({case.n}, {case.k}), " \
                f"b of shape ({case.k}, {case.m})"
        if answer is None:
            raise CheckFailed("matmul_backward is None: define the function first")
        shapes = ("NumPy could not multiply the shapes: grad_a must have a's shape (n, k) and "
                  "grad_b b's shape (k, m); grad_output G is (n, m), so the products that fit "
                  "are G @ b.T and a.T @ G")
        def call() -> Any:
            try:
                return answer(a, b, grad)
            except ValueError:  # NumPy refused the shapes: judged below, case by case
                return _SHAPES_REFUSED

        result = attempt(label, call, hints={ValueError: shapes})
        if result is _SHAPES_REFUSED:
            return 0.0  # a number where two arrays belong: "the shapes did not multiply"
        if result is None:
            raise CheckFailed(f"{label} returned None: did you forget `return grad_a, grad_b`?")
        if _type(result) not in (_plain.TUPLE, _plain.LIST) or _len(result) != 2:
            raise CheckFailed(f"{label} should return two arrays, (grad_a, grad_b), got "
                              f"{_type(result).__name__}")
        return [plain_answer(result[0], "grad_a"), plain_answer(result[1], "grad_b")]

    def judge(self, case: MatmulCase, produced: object) -> str | None:
        where = f"for a of shape ({case.n}, {case.k}) and b of shape ({case.k}, {case.m})"
        if produced == 0.0:
            return (f"{where}, matmul_backward raised ValueError: NumPy could not multiply the "
                    f"shapes. grad_a must have a's shape (n, k) and grad_b b's shape (k, m); "
                    f"grad_output G is (n, m), so the products that fit are G @ b.T and a.T @ G")
        if _type(produced) is not _plain.LIST or _len(produced) != 2:
            return "matmul_backward should return two arrays, (grad_a, grad_b)"
        a = _matrix(case.a, case.n, case.k)
        b = _matrix(case.b, case.k, case.m)
        grad = _matrix(case.grad, case.n, case.m)
        expected_a = _matmul(grad, _transpose(b))
        expected_b = _matmul(_transpose(a), grad)
        grad_a, grad_b = produced
        if (_plain.shape_of(grad_a) == (case.k, case.m) and _plain.shape_of(grad_b) ==
                (case.n, case.k) and case.n * case.k != case.k * case.m):
            return f"{where}, grad_a has b's shape and grad_b has a's: return (grad_a, grad_b) " \
                   f"in the order of the inputs"
        swapped = case.n == case.k == case.m
        a_mistakes = [(expected_b if swapped else None,
                       "that is dL/dB: return (grad_a, grad_b) in the order of the inputs"),
                      (_matmul(grad, b) if case.k == case.m else None,
                       "dL/dA = G Bᵀ: transpose b (G @ b.T)"),
                      (_matmul(_transpose(b), grad) if case.n == case.k == case.m else None,
                       "dL/dA = G Bᵀ, with G on the left: G @ b.T")]
        b_mistakes = [(_matmul(a, grad) if case.n == case.k else None,
                       "dL/dB = Aᵀ G: transpose a (a.T @ G)"),
                      (_matmul(grad, _transpose(a)) if case.n == case.k == case.m else None,
                       "dL/dB = Aᵀ G, with Aᵀ on the left: a.T @ G")]
        for name, value, expected, mistakes, rule, shape in (
                ("grad_a", grad_a, expected_a, a_mistakes, "dL/dA = G Bᵀ", (case.n, case.k)),
                ("grad_b", grad_b, expected_b, b_mistakes, "dL/dB = Aᵀ G", (case.k, case.m))):
            found = _plain.shape_of(value)
            if found != shape:
                return (f"{where}, {name} has {_shape_text(found)} but should have "
                        f"{_shape_text(shape)}, the shape of its input; {rule}")
            message = compare(name, value, expected, rtol=1e-9, atol=1e-12,
                              hint=f"{rule} (G is grad_output)",
                              mistakes=[(wrong, hint) for wrong, hint in mistakes
                                        if wrong is not None])
            if message is not None:
                return f"{where}, {message}"
        return None


# ------------------------------------------------- task 3: a Function for division
@dataclass(frozen=True)
class DivCase:
    a_shape: tuple[int, ...]
    b_shape: tuple[int, ...]
    a: tuple[float, ...]
    b: tuple[float, ...]
    grad: tuple[float, ...]  # the gradient given to y.backward, shaped like y
    b_requires_grad: bool


def _broadcast_shape(first: tuple[int, ...], second: tuple[int, ...]) -> tuple[int, ...]:
    length = max(_len(first), _len(second))
    first = (1,) * (length - _len(first)) + first
    second = (1,) * (length - _len(second)) + second
    return tuple(max(x, y) for x, y in zip(first, second))


def _position(index: tuple[int, ...], shape: tuple[int, ...]) -> int:
    """The flat position in an array of ``shape`` of the entry that broadcast ``index`` reads."""
    index = index[_len(index) - _len(shape):]
    position = 0
    for i, size in zip(index, shape):
        position = position * size + (0 if size == 1 else i)
    return position


def _div_expected(case: DivCase) -> tuple[list[float], list[float], list[float]]:
    """y = a / b, dL/da = Σ g / b and dL/db = Σ -g·a / b² over the broadcast copies (flat)."""
    out_shape = _broadcast_shape(case.a_shape, case.b_shape)
    y, grad_a, grad_b = [], [0.0] * _len(case.a), [0.0] * _len(case.b)
    for flat, index in enumerate(_indices(out_shape)):
        i, j = _position(index, case.a_shape), _position(index, case.b_shape)
        a, b, g = case.a[i], case.b[j], case.grad[flat]
        y.append(a / b)
        grad_a[i] += g / b
        grad_b[j] += -g * a / (b * b)
    return y, grad_a, grad_b


@register
@refuses(Shortcut("minigrad.ops.elementwise", "Div", "minigrad.ops.elementwise.Div",
                  "it is the engine's own division Function, with the backward this task asks "
                  "you to write", watch=False),
         label="your Div")
class DivFunction(Task):
    """A Function for a / b: forward saves its inputs, backward returns (g/b, -g·a/b²)."""

    id = "ex03_div_function"

    def cases(self, seed: int) -> list[DivCase]:
        rng = self.rng(seed)

        def numbers(shape: tuple[int, ...]) -> tuple[float, ...]:
            # Magnitudes of 0.5 to 3 with either sign: b stays away from 0.
            return tuple(round(rng.uniform(0.5, 3.0), 2) * rng.choice((1.0, -1.0))
                         for _ in _range(_product(shape)))

        layouts = [((3,), (3,), True), ((2, 3), (3,), True), ((3,), (3,), False),
                   ((2, 1), (2, 3), True)]
        cases = []
        for a_shape, b_shape, b_requires_grad in layouts:
            out_shape = _broadcast_shape(a_shape, b_shape)
            cases.append(DivCase(a_shape, b_shape, numbers(a_shape), numbers(b_shape),
                                 tuple(round(rng.uniform(-2, 2), 2)
                                       for _ in _range(_product(out_shape))),
                                 b_requires_grad))
        return cases

    def run(self, answer: Any, case: DivCase) -> object:
        __tracebackhide__ = True
        minigrad = _minigrad()
        np = _numpy()
        if not _isinstance(answer, type) or not issubclass(answer, minigrad.autograd.Function):
            raise CheckFailed(f"pass your class Div itself to the check (a subclass of "
                              f"minigrad.autograd.Function), got {_type(answer).__name__}")
        a = minigrad.tensor(np.array(case.a).reshape(case.a_shape), requires_grad=True)
        b = minigrad.tensor(np.array(case.b).reshape(case.b_shape),
                            requires_grad=case.b_requires_grad)
        where = f"Div.apply(a, b) with a of shape {_tuple_text(case.a_shape)} and b of shape " \
                f"{_tuple_text(case.b_shape)}"
        saving = ("save the tensors themselves, ctx.save_for_backward(a, b), not their .data "
                  "arrays")
        y = attempt(where, lambda: answer.apply(a, b), hints={AttributeError: saving})
        if not _isinstance(y, minigrad.Tensor):
            raise CheckFailed(f"{where} gave a {_type(y).__name__}; forward should return the "
                              f"result (an array or a tensor)")
        if y.grad_fn is None:
            raise CheckFailed(f"{where} has no grad_fn although a requires grad: call it as "
                              f"Div.apply(a, b), not Div.forward(...)")
        saved = 1.0 if y.grad_fn.has_saved_tensors else 0.0
        grad = minigrad.tensor(np.array(case.grad).reshape(tuple(y.shape)))
        backward_hint = ("backward must return one tensor (or None) per input of forward, "
                         "computed from grad_output and ctx.saved_tensors with tensor "
                         "operations (not .data)")
        # The learner's backward called directly, to see what it returns for an input that
        # needs no gradient (the engine would silently drop it).
        returned = attempt(f"Div.backward(ctx, grad_output) for {where}",
                           lambda: answer.backward(y.grad_fn, grad),
                           hints={AttributeError: backward_hint, TypeError: backward_hint})
        if _type(returned) is not _plain.TUPLE or _len(returned) != 2:
            raise CheckFailed(f"Div.backward(ctx, grad_output) should return two gradients, "
                              f"(grad_a, grad_b), got {_type(returned).__name__}")
        b_returned = 0.0 if returned[1] is None else 1.0
        attempt(f"y.backward(gradient) for y = {where}", lambda: y.backward(grad),
                hints={AttributeError: backward_hint, RuntimeError: backward_hint})
        for name, tensor, needed in (("a", a, True), ("b", b, case.b_requires_grad)):
            if needed and tensor.grad is None:
                raise CheckFailed(f"{name}.grad is None after y.backward(gradient) for y = {where}: "
                                  f"backward returned None as the gradient of {name}")
        b_grad = plain_answer(b.grad, "b.grad") if case.b_requires_grad else []
        return [plain_answer(y, "y"), plain_answer(a.grad, "a.grad"), b_grad, saved, b_returned]

    def judge(self, case: DivCase, produced: object) -> str | None:
        if _type(produced) is not _plain.LIST or _len(produced) != 5:
            return "the check of Div produced something unexpected"
        y, a_grad, b_grad, saved, b_returned = produced
        expected_y, expected_a, expected_b = _div_expected(case)
        out_shape = _broadcast_shape(case.a_shape, case.b_shape)
        where = f"for Div.apply(a, b) with a of shape {_tuple_text(case.a_shape)} and b of shape " \
                f"{_tuple_text(case.b_shape)}"
        message = compare("y", y, _nest(expected_y, out_shape), rtol=1e-9, atol=1e-12,
                          hint="forward should return a / b (a.data / b.data)")
        if message is not None:
            return f"{where}, {message}"
        message = compare("a.grad", a_grad, _nest(expected_a, case.a_shape), rtol=1e-9, atol=1e-12,
                          hint="d(a/b)/da = 1/b: grad_a = grad_output / b")
        if message is not None:
            return f"{where}, {message}"
        if case.b_requires_grad:
            plus = [-value for value in expected_b]
            message = compare("b.grad", b_grad, _nest(expected_b, case.b_shape), rtol=1e-9,
                              atol=1e-12, hint="d(a/b)/db = -a/b²: grad_b = -grad_output * a / b²",
                              mistakes=[(_nest(plus, case.b_shape),
                                         "the sign is wrong: d(a/b)/db = -a/b²")])
            if message is not None:
                return f"{where}, {message}"
        if saved != 1.0:
            return (f"{where}: forward did not keep a and b with ctx.save_for_backward(a, b); "
                    f"read them back in backward with `a, b = ctx.saved_tensors` (so that the "
                    f"engine can free them after backward, chapter 05)")
        if not case.b_requires_grad and b_returned != 0.0:
            return (f"{where} and b not requiring grad: backward still computed a gradient for "
                    f"b; return None for it when ctx.needs_input_grad[1] is False")
        return None


# --------------------------------------------- task 4: predict broadcast gradients
PREDICT_X = ((1.0, 2.0, 3.0), (4.0, 5.0, 6.0))
PREDICT_B = (1.0, 2.0, -1.0)
PREDICT_C = ((2.0,), (-1.0,))


def _predicted() -> tuple[list[float], list[list[float]]]:
    """L = (x * b * c).sum(): dL/db_j = Σ_i x_ij c_i, dL/dc_i = Σ_j x_ij b_j (kept (2, 1))."""
    x, b, c = PREDICT_X, PREDICT_B, [row[0] for row in PREDICT_C]
    b_grad = [sum(x[i][j] * c[i] for i in _range(2)) for j in _range(3)]
    c_grad = [[sum(x[i][j] * b[j] for j in _range(3))] for i in _range(2)]
    return b_grad, c_grad


@register
class PredictBroadcastGrads(Task):
    """Predict b.grad (shape (3,)) and c.grad (shape (2, 1)) for L = (x * b * c).sum()."""

    id = "ex03_predict_grads"

    def cases(self, seed: int) -> list[None]:
        return [None]

    def run(self, answer: Any, case: None) -> object:
        __tracebackhide__ = True
        if _type(answer) not in (_plain.LIST, _plain.TUPLE) or _len(answer) != 2:
            raise CheckFailed("pass the two predictions [predicted_b_grad, predicted_c_grad] "
                              "to the check")
        return [plain_answer(answer[0], "predicted_b_grad"),
                plain_answer(answer[1], "predicted_c_grad")]

    def judge(self, case: None, produced: object) -> str | None:
        if _type(produced) is not _plain.LIST or _len(produced) != 2:
            return "expected two predictions"
        b_grad, c_grad = _predicted()
        x, c = PREDICT_X, [row[0] for row in PREDICT_C]
        predicted_b, predicted_c = produced
        if _plain.shape_of(predicted_b) != (3,):
            return (f"predicted_b_grad is {_shape_text(_plain.shape_of(predicted_b))}; b has shape "
                    f"(3,), and a gradient always has the shape of its tensor")
        message = compare("predicted_b_grad", predicted_b, b_grad, rtol=1e-9, atol=1e-12,
                          hint="b_j is used once in each row i, with the factor x_ij·c_i: add "
                               "those over the rows",
                          mistakes=[([x[0][j] * c[0] for j in _range(3)],
                                     "that is only row 0's contribution; b was copied into "
                                     "both rows, so add row 1's"),
                                    ([x[0][j] + x[1][j] for j in _range(3)],
                                     "the factor of b_j in row i is x_ij·c_i, not x_ij alone")],
                          reveal=False)
        if message is not None:
            return message
        if _plain.shape_of(predicted_c) != (2, 1):
            return (f"predicted_c_grad is {_shape_text(_plain.shape_of(predicted_c))}, but c has "
                    f"shape (2, 1) and so does c.grad: write it as [[...], [...]]")
        return compare("predicted_c_grad", predicted_c, c_grad, rtol=1e-9, atol=1e-12,
                       hint="c_i is copied into the 3 entries of row i, with the factor x_ij·b_j: "
                            "add those over the row",
                       mistakes=[([[sum(x[i])] for i in _range(2)],
                                  "the factor of c_i at entry (i, j) is x_ij·b_j, not x_ij "
                                  "alone")],
                       reveal=False)
