"""The graded tasks of exercise 04 (Jacobians and vector-Jacobian products).

Two tasks build Jacobians with the learner's code: row by row from backward passes seeded
with one-hot vectors (on minigrad tensors), and column by column from forward passes with
the learner's dual numbers. Two tasks grade the learner's ``Dual`` arithmetic, one a
prediction of ``x.grad`` for a given ``gradient`` and one the choice of the ``gradient``
that weights two losses. Every expected number is computed here in plain Python from
closed-form derivatives, never with the learner's code or with autograd.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import exp, tanh
from typing import Any

from .. import _plain
from ..checks import CheckFailed, attempt, compare
from . import Task, plain_answer, plain_number, register
from . import minigrad_engine as _minigrad
from .shortcuts import functional_shortcuts, refuses

_type = type
_isinstance = isinstance
_len = len
_range = range
_fmt = _plain.format_number
_shape_text = _plain.format_shape



def _transpose(matrix: list[list[float]]) -> list[list[float]]:
    return [[matrix[i][j] for i in _range(_len(matrix))] for j in _range(_len(matrix[0]))]


def _cumulative_rows(matrix: list[list[float]]) -> list[list[float]]:
    """Row i replaced by the sum of rows 0..i: what an x.grad that is never reset holds."""
    rows, total = [], [0.0] * _len(matrix[0])
    for row in matrix:
        total = [t + r for t, r in zip(total, row)]
        rows.append(list(total))
    return rows


def _jacobian_message(label: str, produced: object, expected: list[list[float]],
                      hint: str, mistakes: list[tuple[object, str]]) -> str | None:
    """Shape first (with the transposed case named), then the values with known mistakes."""
    m, n = _len(expected), _len(expected[0])
    found = _plain.shape_of(produced)
    if found != (m, n):
        if found == (n, m) and m != n:
            return (f"{label} has shape ({n}, {m}) but should have shape ({m}, {n}): J has one "
                    f"row per output and one column per input; you seem to have them swapped")
        if m == 1 and found == (n,):
            return (f"{label} is a list of {n} numbers but should have shape (1, {n}): even one "
                    f"output makes one row")
        return f"{label} has {_shape_text(found)} but should have shape ({m}, {n}), " \
               f"one row per output and one column per input"
    return compare(label, produced, expected, rtol=1e-8, atol=1e-10, hint=hint, mistakes=mistakes)


# ------------------------------------------------------ task 1: a Jacobian from VJPs
@dataclass(frozen=True)
class RowsCase:
    kind: str  # "linear", "square", "mixed", "tanh", "one output"
    point: tuple[float, ...]
    weights: tuple[tuple[float, ...], ...]  # W for linear/tanh, ((c...),) for square


_ROWS_FORMULAS = {
    "linear": "y = W @ x",
    "square": "y = c * x * x",
    "mixed": "y = [x0*x1*x2, x0 + x1 + x2, x0 + x1*x2]",
    "tanh": "y = tanh(W @ x)",
    "one output": "y = [sum(x * x)]",
}


def _rows_function(case: RowsCase) -> Callable[[Any], Any]:
    minigrad = _minigrad()
    weights = minigrad.tensor(case.weights, dtype=minigrad.float64)
    if case.kind == "linear":
        return lambda x: weights @ x
    if case.kind == "tanh":
        return lambda x: minigrad.tanh(weights @ x)
    if case.kind == "square":
        return lambda x: weights[0] * x * x
    if case.kind == "mixed":
        return lambda x: minigrad.stack([x[0] * x[1] * x[2], x.sum(), x[0] + x[1] * x[2]])
    return lambda x: minigrad.stack([(x * x).sum()])


def _rows_expected(case: RowsCase) -> list[list[float]]:
    x, w = case.point, case.weights
    n = _len(x)
    if case.kind == "linear":
        return [list(row) for row in w]
    if case.kind == "tanh":
        u = [sum(row[j] * x[j] for j in _range(n)) for row in w]
        return [[(1 - tanh(u_i) ** 2) * row[j] for j in _range(n)] for u_i, row in zip(u, w)]
    if case.kind == "square":
        c = w[0]
        return [[2 * c[i] * x[i] if i == j else 0.0 for j in _range(n)] for i in _range(n)]
    if case.kind == "mixed":
        return [[x[1] * x[2], x[0] * x[2], x[0] * x[1]], [1.0, 1.0, 1.0], [1.0, x[2], x[1]]]
    return [[2 * value for value in x]]


@register
@refuses(*functional_shortcuts("it computes the whole Jacobian (or its rows) for you, and this "
                               "task is to build it from one backward pass per row, seeded "
                               "with a one-hot vector"),
         label="jacobian_from_vjps")
class JacobianFromVjps(Task):
    """jacobian_from_vjps(f, x): row i of J from a backward pass seeded with e_i."""

    id = "ex04_jacobian_rows"

    def cases(self, seed: int) -> list[RowsCase]:
        rng = self.rng(seed)

        def numbers(count: int) -> tuple[float, ...]:
            return tuple(round(rng.uniform(-1.5, 1.5), 2) for _ in _range(count))

        return [
            RowsCase("linear", numbers(3), (numbers(3), numbers(3))),
            RowsCase("square", numbers(3), (numbers(3),)),
            RowsCase("mixed", numbers(3), ()),
            RowsCase("tanh", numbers(2), tuple(numbers(2) for _ in _range(4))),
            RowsCase("one output", numbers(4), ()),
        ]

    def run(self, answer: Any, case: RowsCase) -> object:
        __tracebackhide__ = True
        minigrad = _minigrad()
        if answer is None:
            raise CheckFailed("jacobian_from_vjps is None: define the function first")
        f = _rows_function(case)
        x = minigrad.tensor(case.point, dtype=minigrad.float64, requires_grad=True)
        label = f"jacobian_from_vjps(f, x) for {_ROWS_FORMULAS[case.kind]} with x of shape " \
                f"({_len(case.point)},)"
        again = ("if it says 'backward through the graph a second time': every row needs a "
                 "backward pass through the same graph, so pass retain_graph=True (or compute "
                 "y = f(x) again for each row)")
        result = attempt(label, lambda: answer(f, x), hints={RuntimeError: again})
        if result is None:
            raise CheckFailed(f"{label} returned None: did you forget `return`?")
        return plain_answer(result, label)

    def judge(self, case: RowsCase, produced: object) -> str | None:
        expected = _rows_expected(case)
        label = f"jacobian_from_vjps(f, x) for {_ROWS_FORMULAS[case.kind]} at x = " \
                f"{_plain.format_plain(list(case.point))}"
        mistakes: list[tuple[object, str]] = [
            (_cumulative_rows(expected),
             "row i holds the sum of rows 0 to i: x.grad adds up over backward calls, so reset "
             "it (x.grad = None) before each one, or use torch.autograd.grad"),
        ]
        if _len(expected) == _len(expected[0]):
            mistakes.append((_transpose(expected),
                             "that is Jᵀ: row i must be the gradient of y[i], the x.grad of the "
                             "backward pass seeded with the one-hot e_i"))
        return _jacobian_message(label, produced, expected,
                                 "row i of J is the gradient of y[i]: y.backward(e_i) with the "
                                 "one-hot vector e_i, then x.grad", mistakes)


# ------------------------------------------------------ task 2: predict x.grad
PREDICT_X = (2.0, -1.0)
PREDICT_V = (1.0, 0.5, -2.0)


def _predict_jacobian() -> list[list[float]]:
    """y = [x0*x1, x0 + 3*x1, x1*x1]: J = [[x1, x0], [1, 3], [0, 2*x1]]."""
    x0, x1 = PREDICT_X
    return [[x1, x0], [1.0, 3.0], [0.0, 2 * x1]]


def _weighted_rows(jacobian: list[list[float]], v: tuple[float, ...]) -> list[float]:
    return [sum(v[i] * jacobian[i][j] for i in _range(_len(v))) for j in _range(_len(jacobian[0]))]


@register
class PredictVjp(Task):
    """Predict x.grad after y.backward(v) for y = [x0*x1, x0 + 3*x1, x1*x1]."""

    id = "ex04_predict_vjp"

    def cases(self, seed: int) -> list[None]:
        return [None]

    def run(self, answer: Any, case: None) -> object:
        __tracebackhide__ = True
        return plain_answer(answer, "predicted_x_grad")

    def judge(self, case: None, produced: object) -> str | None:
        jacobian = _predict_jacobian()
        expected = _weighted_rows(jacobian, PREDICT_V)
        wrong_square = [row[:] for row in jacobian]
        wrong_square[2][1] = PREDICT_X[1]  # d(x1²)/dx1 taken as x1
        flipped = list(PREDICT_V[:2]) + [-PREDICT_V[2]]
        return compare("predicted_x_grad", produced, expected, rtol=1e-9, atol=1e-12,
                       hint="x.grad = vᵀJ: weight row i of J (the gradient of y[i]) by v[i] and "
                            "add the rows",
                       mistakes=[
                           (_weighted_rows(jacobian, (1.0, 1.0, 1.0)),
                            "that adds the rows of J without their weights: row i counts v[i] "
                            "times"),
                           (jacobian[0], "that is row 0 alone; every output y[i] contributes "
                                         "v[i] times its gradient"),
                           (_weighted_rows(jacobian, tuple(flipped)),
                            "check the sign of the last row's contribution: v[2] = -2 times "
                            "d(x1²)/dx1 = 2·x1 = -2"),
                           (_weighted_rows(wrong_square, PREDICT_V),
                            "d(x1²)/dx1 is 2·x1, not x1"),
                       ],
                       reveal=False)


# ------------------------------------------------------ tasks 3 and 4: dual numbers
@dataclass(frozen=True)
class DualCase:
    kind: str  # mul: "pair", "same", "times number", "number times"; exp: "exp", "exp of sum"
    x: float
    tx: float
    y: float
    ty: float


def _dual_class(answer: Any) -> type:
    __tracebackhide__ = True
    if not _isinstance(answer, type):
        raise CheckFailed(f"pass your Dual class itself to the check, got a "
                          f"{_type(answer).__name__}")
    return answer


def _read_dual(result: Any, cls: type, label: str) -> list[float]:
    __tracebackhide__ = True
    if result is None:
        raise CheckFailed(f"{label} gave None: did you forget `return`?")
    if not _isinstance(result, cls):
        raise CheckFailed(f"{label} gave a {_type(result).__name__}; it should return a new "
                          f"{cls.__name__}")
    value = attempt(f"reading ({label}).value", lambda: result.value)
    tangent = attempt(f"reading ({label}).tangent", lambda: result.tangent)
    return [plain_number(value, f"({label}).value"), plain_number(tangent, f"({label}).tangent")]


def _dual_label(case: DualCase) -> str:
    a = f"Dual({_fmt(case.x)}, {_fmt(case.tx)})"
    b = f"Dual({_fmt(case.y)}, {_fmt(case.ty)})"
    return {
        "pair": f"a * b with a = {a}, b = {b}",
        "same": f"a * a with a = {a}",
        "times number": f"a * {_fmt(case.y)} with a = {a}",
        "number times": f"{_fmt(case.y)} * a with a = {a}",
        "exp": f"a.exp() with a = {a}",
        "exp of sum": f"(a + b).exp() with a = {a}, b = {b}",
    }[case.kind]


def _dual_compare(label: str, produced: object, value: float, tangent: float, value_hint: str,
                  tangent_hint: str, mistakes: list[tuple[float, str]]) -> str | None:
    if _type(produced) is not _plain.LIST or _len(produced) != 2:
        return f"{label}: expected a value and a tangent"
    got_value, got_tangent = produced
    if not _plain.is_close(got_value, value, 1e-9, 1e-12):
        return f"{label} has the value {_fmt(got_value)} but should have {_fmt(value)}; {value_hint}"
    if _plain.is_close(got_tangent, tangent, 1e-9, 1e-12):
        return None
    hint = tangent_hint
    for wrong, mistake_hint in mistakes:
        if _plain.is_close(got_tangent, wrong, 1e-9, 1e-12):
            hint = mistake_hint
            break
    return f"{label} has the tangent {_fmt(got_tangent)} but should have {_fmt(tangent)}; {hint}"


class _DualTask(Task):
    kinds: tuple[str, ...] = ()

    def cases(self, seed: int) -> list[DualCase]:
        rng = self.rng(seed)

        def number() -> float:
            return round(rng.uniform(-2, 2), 2)

        return [DualCase(kind, number(), number(), number(), number()) for kind in self.kinds
                for _ in _range(2)]


@register
class DualMul(_DualTask):
    """Dual.__mul__: (a + ȧε)(b + ḃε) = ab + (ȧb + aḃ)ε, numbers as constants (tangent 0)."""

    id = "ex04_dual_mul"
    kinds = ("pair", "same", "times number", "number times")

    def run(self, answer: Any, case: DualCase) -> object:
        __tracebackhide__ = True
        cls = _dual_class(answer)
        label = _dual_label(case)
        a = attempt(f"Dual({_fmt(case.x)}, {_fmt(case.tx)})", lambda: cls(case.x, case.tx))
        b = attempt(f"Dual({_fmt(case.y)}, {_fmt(case.ty)})", lambda: cls(case.y, case.ty))
        wrap = ("wrap a plain number first, other = other if isinstance(other, Dual) else "
                "Dual(other): a constant has tangent 0")
        hints = {AttributeError: wrap, TypeError: wrap}
        if case.kind == "pair":
            result = attempt(label, lambda: a * b, hints=hints)
        elif case.kind == "same":
            result = attempt(label, lambda: a * a, hints=hints)
        elif case.kind == "times number":
            result = attempt(label, lambda: a * case.y, hints=hints)
        else:
            result = attempt(label, lambda: case.y * a,
                             hints={TypeError: "Python computes number * a with a.__rmul__: "
                                               "set Dual.__rmul__ = dual_mul too",
                                    AttributeError: wrap})
        return _read_dual(result, cls, label)

    def judge(self, case: DualCase, produced: object) -> str | None:
        x, tx, y, ty = case.x, case.tx, case.y, case.ty
        label = _dual_label(case)
        product_rule = "the product rule: the tangent of a·b is ȧ·b + a·ḃ"
        if case.kind == "pair":
            return _dual_compare(label, produced, x * y, tx * y + x * ty,
                                 "the value of a * b is a.value * b.value", product_rule,
                                 [(tx * ty, "that multiplies the tangents; " + product_rule),
                                  (tx * y, "that is only ȧ·b; add a·ḃ (the product rule)"),
                                  (x * ty, "that is only a·ḃ; add ȧ·b (the product rule)")])
        if case.kind == "same":
            return _dual_compare(label, produced, x * x, 2 * x * tx,
                                 "the value of a * a is a.value²",
                                 "a * a is a², whose tangent is 2·a·ȧ (both factors move)",
                                 [(tx * tx, "that multiplies the tangents; " + product_rule)])
        return _dual_compare(label, produced, x * y, tx * y,
                             "multiplying by a number multiplies the value",
                             "a number is a constant (tangent 0), so the tangent is ȧ times "
                             "the number",
                             [(tx, "the tangent must be multiplied by the number too")])


@register
class DualExp(_DualTask):
    """Dual.exp: exp(a + ȧε) = exp(a) + exp(a)·ȧ ε."""

    id = "ex04_dual_exp"
    kinds = ("exp", "exp of sum")

    def run(self, answer: Any, case: DualCase) -> object:
        __tracebackhide__ = True
        cls = _dual_class(answer)
        label = _dual_label(case)
        a = attempt(f"Dual({_fmt(case.x)}, {_fmt(case.tx)})", lambda: cls(case.x, case.tx))
        if case.kind == "exp":
            result = attempt(label, lambda: a.exp())
        else:
            b = attempt(f"Dual({_fmt(case.y)}, {_fmt(case.ty)})", lambda: cls(case.y, case.ty))
            result = attempt(label, lambda: (a + b).exp())
        return _read_dual(result, cls, label)

    def judge(self, case: DualCase, produced: object) -> str | None:
        u = case.x if case.kind == "exp" else case.x + case.y
        tu = case.tx if case.kind == "exp" else case.tx + case.ty
        return _dual_compare(_dual_label(case), produced, exp(u), exp(u) * tu,
                             "the value is exp(a.value) (math.exp)",
                             "the chain rule: the tangent of exp(a) is exp(a.value)·ȧ",
                             [(exp(u), "multiply exp(a.value) by the input's tangent ȧ (the "
                                       "chain rule)"),
                              (tu, "the derivative of exp is exp: the tangent is "
                                   "exp(a.value)·ȧ, not ȧ alone")])


# ------------------------------------------------ task 5: a Jacobian by columns
@dataclass(frozen=True)
class ColumnsCase:
    kind: str  # "2 -> 3", "3 -> 2", "1 -> 3"
    point: tuple[float, ...]


def _columns_function(kind: str) -> Callable[..., list[Any]]:
    if kind == "2 -> 3":
        return lambda x1, x2: [x1 * x2, x1 + x2, 3 * x1 * x1]
    if kind == "3 -> 2":
        return lambda x1, x2, x3: [x1 * x2 * x3, x1 + x2 * x3]
    return lambda x1: [x1 * x1, 2 * x1 + 1, x1]


_COLUMNS_FORMULAS = {
    "2 -> 3": "f(x1, x2) = [x1*x2, x1 + x2, 3*x1*x1]",
    "3 -> 2": "f(x1, x2, x3) = [x1*x2*x3, x1 + x2*x3]",
    "1 -> 3": "f(x1) = [x1*x1, 2*x1 + 1, x1]",
}


def _columns_expected(case: ColumnsCase) -> list[list[float]]:
    p = case.point
    if case.kind == "2 -> 3":
        return [[p[1], p[0]], [1.0, 1.0], [6 * p[0], 0.0]]
    if case.kind == "3 -> 2":
        return [[p[1] * p[2], p[0] * p[2], p[0] * p[1]], [1.0, p[2], p[1]]]
    return [[2 * p[0]], [2.0], [1.0]]


@register
class JacobianByColumns(Task):
    """jacobian_by_columns(f, point): column j from one forward pass seeded with e_j."""

    id = "ex04_jacobian_columns"

    def cases(self, seed: int) -> list[ColumnsCase]:
        rng = self.rng(seed)
        return [ColumnsCase(kind, tuple(round(rng.uniform(-2, 2), 2) for _ in _range(n)))
                for kind, n in (("2 -> 3", 2), ("3 -> 2", 3), ("1 -> 3", 1))]

    def run(self, answer: Any, case: ColumnsCase) -> object:
        __tracebackhide__ = True
        if answer is None:
            raise CheckFailed("jacobian_by_columns is None: define the function first")
        function = _columns_function(case.kind)
        calls = [0]

        def f(*args: Any) -> list[Any]:
            calls[0] += 1
            return function(*args)

        label = f"jacobian_by_columns(f, {_plain.format_plain(list(case.point))}) for " \
                f"{_COLUMNS_FORMULAS[case.kind]}"
        uses_mul = ("f multiplies your Dual numbers, so this check needs your __mul__ (task "
                    "3): make its check pass first")
        result = attempt(label, lambda: answer(f, list(case.point)),
                         hints={AttributeError: uses_mul, TypeError: uses_mul})
        if result is None:
            raise CheckFailed(f"{label} returned None: did you forget `return`?")
        return [plain_answer(result, label), float(calls[0])]

    def judge(self, case: ColumnsCase, produced: object) -> str | None:
        if _type(produced) is not _plain.LIST or _len(produced) != 2:
            return "the check of jacobian_by_columns produced something unexpected"
        jacobian, calls = produced
        expected = _columns_expected(case)
        n = _len(case.point)
        label = f"jacobian_by_columns(f, {_plain.format_plain(list(case.point))}) for " \
                f"{_COLUMNS_FORMULAS[case.kind]}"
        all_ones = [[sum(row)] * n for row in expected]
        message = _jacobian_message(
            label, jacobian, expected,
            "column j holds the outputs' tangents when input j is seeded with tangent 1 and the "
            "others with 0 (this check also uses your __mul__)",
            [(all_ones, "every column is the same: seed one input at a time, tangent 1 for "
                        "input j and 0 for the others")])
        if message is not None:
            return message
        if _type(calls) is not _plain.FLOAT or calls > n + 1:
            return (f"{label} called f {_fmt(calls) if _type(calls) is _plain.FLOAT else '?'} "
                    f"times; forward mode needs one call per input ({n}): one pass seeded "
                    f"with e_j gives the whole column j")
        return None


# ------------------------------------------------ task 6: the gradient that weights losses
WEIGHTED_X = (1.0, -2.0, 0.5)
WEIGHT_1, WEIGHT_2 = 0.25, 2.0


def _weighted_v(y_factor: float, y_power: int = 1, constant: float = WEIGHT_1) -> list[float]:
    """constant + y_factor · y^y_power, for y = x * x."""
    return [constant + y_factor * (x * x) ** y_power for x in WEIGHTED_X]


@register
class WeightedLosses(Task):
    """v with y.backward(v) = ∇(0.25·L1 + 2·L2), L1 = sum(y), L2 = sum(y²)/2: v = 0.25 + 2y."""

    id = "ex04_weighted_losses"

    def cases(self, seed: int) -> list[None]:
        return [None]

    def run(self, answer: Any, case: None) -> object:
        __tracebackhide__ = True
        return plain_answer(answer, "v")

    def judge(self, case: None, produced: object) -> str | None:
        found = _plain.shape_of(produced)
        if found != (3,):
            return (f"v is {_shape_text(found)} but should be a list of 3 numbers: y has 3 "
                    f"entries, and v holds the derivative of the combined loss with respect to "
                    f"each of them")
        expected = _weighted_v(WEIGHT_2)
        return compare(
            "v", produced, expected, rtol=1e-9, atol=1e-12,
            hint="v[i] = d(0.25·L1 + 2·L2)/dy[i]: add the derivatives of both losses with "
                 "respect to y[i], each times its weight",
            mistakes=[
                (_weighted_v(WEIGHT_2, constant=0.0),
                 "that is only 2·L2's part; add 0.25·L1's, whose derivative with respect to "
                 "each y[i] is 0.25"),
                ([WEIGHT_1] * 3, "that is only 0.25·L1's part; add 2·L2's"),
                (_weighted_v(1.0), "L2 is weighted by 2: its part of v is 2·y[i]"),
                (_weighted_v(WEIGHT_2, 2), "the derivative of (Σ y²)/2 with respect to y[i] is "
                                           "y[i], not y[i]²"),
                (_weighted_v(2 * WEIGHT_2), "the 1/2 of (Σ y²)/2 cancels the 2 of d(y²)/dy: "
                                            "dL2/dy[i] = y[i]"),
                ([value * 2 * x for value, x in zip(expected, WEIGHTED_X)],
                 "that is already the gradient with respect to x; v is the derivative with "
                 "respect to y, and backward multiplies by dy/dx itself"),
                ([WEIGHT_1 + WEIGHT_2] * 3, "v holds derivatives with respect to y, not the "
                                            "weights of the losses"),
            ],
            reveal=False)
