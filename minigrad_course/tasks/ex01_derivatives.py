"""The graded tasks of exercise 01 (derivatives).

Each class is one graded test cell of ``solutions/01_derivatives.ipynb``; its ``id`` is the
cell's nbgrader grade_id. Expected values are computed here from first principles (the
difference quotients, a five-point stencil, a least-squares line), never from the learner's
code, so the grader can recompute them in its own process.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import e as _E
from math import exp, log, sin
from typing import Any, Callable

from .. import _plain
from ..checks import CheckFailed, attempt, compare
from . import Task, partial_derivatives, plain_answer, plain_number, register

_type = type


# ------------------------------------------------------------ task 1: difference quotients
@dataclass(frozen=True)
class DifferenceCase:
    """One input of a difference-quotient task: f (with a readable formula), x and h."""

    formula: str
    f: Callable[[float], float]
    x: float
    h: float


def _square(x: float) -> float:
    return x * x


def _cube(x: float) -> float:
    return x * x * x


def _difference_cases(task: Task, seed: int) -> list[DifferenceCase]:
    """Three readable cases, then two random smooth functions drawn from ``seed``."""
    cases = [
        DifferenceCase("x**2", _square, 3.0, 0.5),
        DifferenceCase("x**3", _cube, 2.0, 0.1),
        DifferenceCase("sin(x)", sin, 1.0, 1e-3),
    ]
    rng = task.rng(seed)
    for _ in range(2):
        p = round(rng.uniform(0.5, 2.0), 3)
        q = round(rng.uniform(0.5, 2.0), 3)
        r = round(rng.uniform(-1.0, 1.0), 3)
        x = round(rng.uniform(-2.0, 2.0), 3)
        h = rng.choice([1e-2, 1e-3, 1e-4])

        def f(t: float, p: float = p, q: float = q, r: float = r) -> float:
            return p * sin(q * t) + r * t * t * t

        cases.append(DifferenceCase(f"{p}*sin({q}*x) + {r}*x**3", f, x, h))
    return cases


def _forward(case: DifferenceCase) -> float:
    return (case.f(case.x + case.h) - case.f(case.x)) / case.h


def _backward_difference(case: DifferenceCase) -> float:
    return (case.f(case.x) - case.f(case.x - case.h)) / case.h


def _central(case: DifferenceCase) -> float:
    return (case.f(case.x + case.h) - case.f(case.x - case.h)) / (2 * case.h)


class _DifferenceTask(Task):
    function_name: str = ""
    formula_hint: str = ""

    def cases(self, seed: int) -> list[DifferenceCase]:
        return _difference_cases(self, seed)

    def run(self, answer: Any, case: DifferenceCase) -> object:
        __tracebackhide__ = True
        label = self._label(answer, case)
        if answer is None:
            raise CheckFailed(f"{self.function_name} is None: define the function first")
        result = attempt(label, lambda: answer(case.f, case.x, case.h))
        if result is None:
            raise CheckFailed(f"{label} returned None: did you forget `return`?")
        return plain_number(result, label)

    def _label(self, answer: Any, case: DifferenceCase) -> str:
        name = getattr(answer, "__name__", None)
        if _type(name) is not _plain.STR or not name.isidentifier():
            name = self.function_name  # a lambda or a callable object
        return f"{name}(f, {_plain.format_number(case.x)}, {_plain.format_number(case.h)})" \
               f" with f(x) = {case.formula}"

    def expected(self, case: DifferenceCase) -> float:
        raise NotImplementedError

    def mistakes(self, case: DifferenceCase) -> list[tuple[float, str]]:
        raise NotImplementedError

    def judge(self, case: DifferenceCase, produced: object) -> str | None:
        label = f"{self.function_name}(f, {_plain.format_number(case.x)}, " \
                f"{_plain.format_number(case.h)}) with f(x) = {case.formula}"
        return compare(label, produced, self.expected(case), rtol=1e-7, atol=1e-10,
                       hint=self.formula_hint, mistakes=self.mistakes(case))


@register
class ForwardDifference(_DifferenceTask):
    id = "ex01_forward_difference"
    function_name = "forward_difference"
    formula_hint = "the forward difference is (f(x + h) - f(x)) / h"

    def expected(self, case: DifferenceCase) -> float:
        return _forward(case)

    def mistakes(self, case: DifferenceCase) -> list[tuple[float, str]]:
        return [
            (_central(case), "that is the central difference; the forward difference "
                             "compares f(x + h) with f(x): (f(x + h) - f(x)) / h"),
            (_backward_difference(case), "that steps backwards to x - h; the forward "
                                         "difference steps to x + h"),
            (_forward(case) * case.h, "divide the change f(x + h) - f(x) by the step h"),
            (-_forward(case), "the sign is flipped: subtract f(x) from f(x + h), not the "
                              "other way round"),
        ]


@register
class CentralDifference(_DifferenceTask):
    id = "ex01_central_difference"
    function_name = "central_difference"
    formula_hint = "the central difference is (f(x + h) - f(x - h)) / (2h)"

    def expected(self, case: DifferenceCase) -> float:
        return _central(case)

    def mistakes(self, case: DifferenceCase) -> list[tuple[float, str]]:
        return [
            (2 * _central(case), "twice the slope: the points x - h and x + h are 2h apart, "
                                 "so divide by 2h, not by h"),
            (_forward(case), "that is the forward difference; the central difference uses "
                             "both neighbours, f(x + h) and f(x - h)"),
            (_central(case) * 2 * case.h, "divide the change f(x + h) - f(x - h) by 2h"),
            (-_central(case), "the sign is flipped: compute f(x + h) - f(x - h)"),
        ]


# ---------------------------------------------------- task 2: the chain rule, predicted
# y = 3a + 2b² + log(c), elementwise, for three-element a, b, c, and a backward pass with
# the weights `gradient`: x.grad = gradient * dy/dx. Inputs chosen so that every answer is
# a short decimal a learner can work out by hand.
CHAIN_A = [2.0, -1.0, 0.5]
CHAIN_B = [-3.0, 0.25, 2.0]
CHAIN_C = [0.5, 4.0, 10.0]
CHAIN_GRADIENT = [1.0, 0.5, -2.0]


def _seed_function(a: float, b: float, c: float) -> float:
    return 3 * a + 2 * b * b + log(c)


def _chain_rule_expected() -> dict[str, list[float]]:
    """x.grad[i] = gradient[i] * dy_i/dx_i, each slope by the grader's own stencil."""
    grads: dict[str, list[float]] = {"a": [], "b": [], "c": []}
    for i in range(3):
        slopes = partial_derivatives(_seed_function, [CHAIN_A[i], CHAIN_B[i], CHAIN_C[i]])
        for name, slope in zip("abc", slopes):
            grads[name].append(CHAIN_GRADIENT[i] * slope)
    return grads


class _ChainRuleTask(Task):
    variable = ""

    def cases(self, seed: int) -> list[None]:
        return [None]  # a prediction: the same question for everybody

    def run(self, answer: Any, case: None) -> object:
        __tracebackhide__ = True
        return plain_answer(answer, f"{self.variable}_grad")

    def judge(self, case: None, produced: object) -> str | None:
        expected = _chain_rule_expected()[self.variable]
        unweighted = [value / weight for value, weight in zip(expected, CHAIN_GRADIENT)]
        return compare(f"{self.variable}_grad", produced, expected, rtol=1e-6, atol=1e-9,
                       hint=self.hint, mistakes=self.mistakes(expected, unweighted),
                       reveal=False)

    hint = ""

    def mistakes(self, expected: list[float], unweighted: list[float]) -> list[tuple[Any, str]]:
        return [(unweighted, "these are dy/dx; backward(gradient) multiplies each entry "
                             "by its weight in `gradient`")]


@register
class ChainRuleA(_ChainRuleTask):
    id = "ex01_chain_rule_a"
    variable = "a"
    hint = "a appears only in 3a, whose slope is 3; then apply the weights in `gradient`"

    def mistakes(self, expected: list[float], unweighted: list[float]) -> list[tuple[Any, str]]:
        return super().mistakes(expected, unweighted) + [
            (CHAIN_GRADIENT, "the slope of 3a is 3, not 1: multiply the weights by 3"),
            (CHAIN_A, "a.grad does not hold a's values: it is the slope of y with respect "
                      "to a, times the weights"),
        ]


@register
class ChainRuleB(_ChainRuleTask):
    id = "ex01_chain_rule_b"
    variable = "b"
    hint = "did you apply the chain rule to 2b²? d(2b²)/db = 4b, then apply the weights"

    def mistakes(self, expected: list[float], unweighted: list[float]) -> list[tuple[Any, str]]:
        return super().mistakes(expected, unweighted) + [
            ([x / 2 for x in expected], "you differentiated b² but dropped the factor 2 of "
                                        "2b²: d(2b²)/db = 4b"),
            ([2 * x for x in expected], "too large by a factor 2: d(2b²)/db = 4b, not 8b"),
        ]


@register
class ChainRuleC(_ChainRuleTask):
    id = "ex01_chain_rule_c"
    variable = "c"
    hint = "the slope of log(c) is 1/c; then apply the weights in `gradient`"

    def mistakes(self, expected: list[float], unweighted: list[float]) -> list[tuple[Any, str]]:
        weighted_log = [w * log(c) for w, c in zip(CHAIN_GRADIENT, CHAIN_C)]
        return super().mistakes(expected, unweighted) + [
            (weighted_log, "log(c) is the value of the term; its slope is 1/c"),
            ([w * c for w, c in zip(CHAIN_GRADIENT, CHAIN_C)],
             "the slope of log(c) is 1/c, not c: divide the weights by c"),
        ]


# ------------------------------------------------------ task 3: measuring the error order
def least_squares_slope(xs: list[float], ys: list[float]) -> float:
    """The slope of the least-squares line through (xs, ys): cov(x, y) / var(x)."""
    n = len(xs)
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
    variance = sum((x - mean_x) * (x - mean_x) for x in xs)
    return covariance / variance


@dataclass(frozen=True)
class OrderCase:
    steps: tuple[float, ...]
    errors: tuple[float, ...]


@register
class ErrorOrder(Task):
    """``error_order(steps, errors)``: the slope of log(error) against log(step)."""

    id = "ex01_error_order"

    def cases(self, seed: int) -> list[OrderCase]:
        cases = [
            OrderCase((0.1, 0.01, 0.001), (1e-2, 1e-4, 1e-6)),  # exactly order 2
            OrderCase((0.1, 0.05, 0.025, 0.0125), (0.3, 0.15, 0.075, 0.0375)),  # order 1
        ]
        rng = self.rng(seed)
        for _ in range(2):
            order = rng.choice([1.0, 2.0, 3.0, 4.0])
            constant = rng.uniform(0.1, 10.0)
            steps = tuple(10.0 ** -(k / 2) for k in range(1, rng.randint(5, 8)))
            # Real error curves are not straight lines: wobble each point by up to 20%, so
            # that only a least-squares fit (not the two end points) gives the answer.
            errors = tuple(constant * h**order * (1 + rng.uniform(-0.2, 0.2)) for h in steps)
            cases.append(OrderCase(steps, errors))
        return cases

    def run(self, answer: Any, case: OrderCase) -> object:
        __tracebackhide__ = True
        label = f"error_order({_plain.format_plain(list(case.steps), 4)}, " \
                f"{_plain.format_plain(list(case.errors), 4)})"
        if answer is None:
            raise CheckFailed("error_order is None: define the function first")
        result = attempt(label, lambda: answer(list(case.steps), list(case.errors)))
        if result is None:
            raise CheckFailed(f"{label} returned None: did you forget `return`?")
        return plain_number(result, label)

    def judge(self, case: OrderCase, produced: object) -> str | None:
        log_steps = [log(h) for h in case.steps]
        log_errors = [log(err) for err in case.errors]
        expected = least_squares_slope(log_steps, log_errors)
        ends = (log_errors[-1] - log_errors[0]) / (log_steps[-1] - log_steps[0])
        label = f"error_order(steps={_plain.format_plain(list(case.steps), 3)}, " \
                f"errors={_plain.format_plain(list(case.errors), 3)})"
        mistakes = [
            (1 / expected, "you fitted log(step) against log(error); the order is the slope "
                           "of log(error) against log(step)"),
            (-expected, "the sign is flipped: errors shrink with the step, so the slope of "
                        "log(error) against log(step) is positive"),
        ]
        if not _plain.is_close(ends, expected, 1e-6, 1e-9):
            mistakes.append((ends, "that is the slope between the first and the last point; "
                                   "fit a least-squares line through all of them"))
        return compare(label, produced, expected, rtol=1e-6, atol=1e-9,
                       hint="fit a straight line (least squares) to (log(step), log(error))",
                       mistakes=mistakes)


@register
class MeasuredOrders(Task):
    """The orders measured for the learner's two differences: about 1 and about 2."""

    id = "ex01_measured_orders"

    def cases(self, seed: int) -> list[None]:
        return [None]

    def run(self, answer: Any, case: None) -> object:
        __tracebackhide__ = True
        forward_order, central_order = answer
        return [plain_number(forward_order, "forward_order"),
                plain_number(central_order, "central_order")]

    def judge(self, case: None, produced: object) -> str | None:
        if _type(produced) is not _plain.LIST or len(produced) != 2:
            return "expected two numbers: forward_order and central_order"
        forward_order, central_order = produced
        if _type(forward_order) is not _plain.FLOAT or _type(central_order) is not _plain.FLOAT:
            return "forward_order and central_order should be numbers"
        forward_ok = 0.8 <= forward_order <= 1.2
        central_ok = 1.8 <= central_order <= 2.2
        if forward_ok and central_ok:
            return None
        if 1.8 <= forward_order <= 2.2 and 0.8 <= central_order <= 1.2:
            return ("forward_order and central_order look swapped: which difference has the "
                    "smaller error for the same step?")
        if forward_order < 0 or central_order < 0:
            return ("an order came out negative: errors shrink as the step shrinks, so the "
                    "slope of log(error) against log(step) is positive")
        wrong = [name for name, ok in (("forward_order", forward_ok),
                                       ("central_order", central_ok)) if not ok]
        values = {"forward_order": forward_order, "central_order": central_order}
        shown = ", ".join(f"{name} = {_plain.format_number(values[name])}" for name in wrong)
        return (f"{shown} is not what the errors show; measure on steps where the error "
                f"still shrinks steadily (here 1e-1 to 1e-4), before round-off takes over, "
                f"and use the absolute error |estimate - exact|")


BEST_STEP_CANDIDATES = [10.0**-k for k in range(1, 14)]


def forward_errors_of_exp() -> list[float]:
    """|forward difference of exp at 1 - e| for every candidate step, in float64."""
    return [_plain.absolute((exp(1.0 + h) - exp(1.0)) / h - _E) for h in BEST_STEP_CANDIDATES]


@register
class BestStep(Task):
    """The step with the smallest error for the forward difference of exp at x = 1."""

    id = "ex01_best_step"

    def cases(self, seed: int) -> list[None]:
        return [None]

    def run(self, answer: Any, case: None) -> object:
        __tracebackhide__ = True
        return plain_number(answer, "best_h")

    def judge(self, case: None, produced: object) -> str | None:
        if _type(produced) is not _plain.FLOAT:
            return "best_h should be a single number"
        errors = forward_errors_of_exp()
        smallest = min(errors)
        for step, error in zip(BEST_STEP_CANDIDATES, errors):
            if _plain.is_close(produced, step, 1e-9, 0.0):
                if error <= 3 * smallest:
                    return None
                if step < BEST_STEP_CANDIDATES[errors.index(smallest)]:
                    return (f"best_h = {_plain.format_number(produced)} is too small: below "
                            f"the best step, round-off error (about eps/h) grows as h shrinks")
                return (f"best_h = {_plain.format_number(produced)} is too large: the "
                        f"truncation error (about h/2 * f''(x)) still dominates there")
        return (f"best_h = {_plain.format_number(produced)} is not one of the candidate steps "
                f"10**-1, 10**-2, ..., 10**-13")
