"""The graded tasks of exercise 01 (derivatives).

Each class is one graded test cell of ``solutions/01_derivatives.ipynb``; its ``id`` is the
cell's nbgrader grade_id. Expected values are computed here from first principles (the
difference quotients, a five-point stencil, a least-squares line), never from the learner's
code, so the grader can recompute them in its own process.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import cos, exp, log, sin
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


# ------------------------------------------- tasks 3b and 3c: orders and steps, measured
# Difference schemes the learner's measuring code is applied to. Only the forward and
# central differences are in the chapter; the others are new to the learner, so a typed-in
# 1 or 2 (or the chapter's 1e-8) cannot pass, and the measurement must be written in general.
SCHEMES: dict[str, tuple[int, Callable[[Callable[[float], float], float, float], float]]] = {
    "forward": (1, lambda f, x, h: (f(x + h) - f(x)) / h),
    "backward": (1, lambda f, x, h: (f(x) - f(x - h)) / h),
    "central": (2, lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h)),
    "one-sided, second order": (2, lambda f, x, h: (-3 * f(x) + 4 * f(x + h) - f(x + 2 * h)) / (2 * h)),
    "five-point": (4, lambda f, x, h: (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)),
}
FUNCTIONS: dict[str, tuple[Callable[[float], float], Callable[[float], float]]] = {
    "exp": (exp, exp),
    "sin": (sin, cos),
    "x**5 - x": (lambda x: x**5 - x, lambda x: 5 * x**4 - 1),  # not exact for five points
    "log": (log, lambda x: 1 / x),
}
# Steps where each order's error still shrinks steadily (before round-off takes over).
ORDER_STEPS = {1: [1e-1, 1e-2, 1e-3, 1e-4], 2: [1e-1, 1e-2, 1e-3], 4: [0.1, 0.05, 0.025, 0.0125]}
CANDIDATE_STEPS = [10.0**-k for k in range(1, 14)]


@dataclass(frozen=True)
class SchemeCase:
    scheme: str
    function: str
    x: float

    def describe(self, call: str) -> str:
        return f"{call} for the {self.scheme} difference of f(x) = {self.function} at x = " \
               f"{_plain.format_number(self.x)}"


def _scheme_cases(task: Task, seed: int, schemes: list[str]) -> list[SchemeCase]:
    rng = task.rng(seed)
    # x in [0.5, 1.2]: away from where sin's third derivative vanishes (π/2), which
    # would hide the h² term of a second-order scheme.
    return [SchemeCase(scheme, rng.choice(sorted(FUNCTIONS)), round(rng.uniform(0.5, 1.2), 3))
            for scheme in schemes]


def _scheme_arguments(case: SchemeCase) -> tuple[Any, Any, float]:
    order, difference = SCHEMES[case.scheme]
    f, df = FUNCTIONS[case.function]
    return difference, f, df(case.x)


@register
class MeasuredOrders(Task):
    """measure_order(difference, f, exact, x, steps): the order of any difference scheme."""

    id = "ex01_measured_orders"

    def cases(self, seed: int) -> list[SchemeCase]:
        rng = self.rng(seed)
        hidden = ["backward", "one-sided, second order", "five-point"]
        rng.shuffle(hidden)
        return _scheme_cases(self, seed, ["forward", "central", *hidden])

    def run(self, answer: Any, case: SchemeCase) -> object:
        __tracebackhide__ = True
        difference, f, exact = _scheme_arguments(case)
        steps = list(ORDER_STEPS[SCHEMES[case.scheme][0]])
        label = case.describe("measure_order(difference, f, exact, x, steps)")
        if answer is None:
            raise CheckFailed("measure_order is None: define the function first")
        result = attempt(label, lambda: answer(difference, f, exact, case.x, steps))
        if result is None:
            raise CheckFailed(f"{label} returned None: did you forget `return`?")
        return plain_number(result, label)

    def judge(self, case: SchemeCase, produced: object) -> str | None:
        label = case.describe("measure_order(difference, f, exact, x, steps)")
        if _type(produced) is not _plain.FLOAT:
            return f"{label} should be a single number"
        order = SCHEMES[case.scheme][0]
        if order - 0.3 <= produced <= order + 0.3:
            return None
        if produced < 0:
            return (f"{label} is {_plain.format_number(produced)}, negative: errors shrink as "
                    f"the step shrinks, so the slope of log(error) against log(step) is positive")
        return (f"{label} is {_plain.format_number(produced)}, which is not what the errors of "
                f"this scheme show: compute the absolute error |difference(f, x, h) - exact| "
                f"for each step h of steps, then the slope of log(error) against log(h) "
                f"(your error_order)")


def _scheme_errors(case: SchemeCase) -> list[float]:
    difference, f, exact = _scheme_arguments(case)
    return [_plain.absolute(difference(f, case.x, h) - exact) for h in CANDIDATE_STEPS]


@register
class BestStep(Task):
    """best_step(difference, f, exact, x, candidates): the candidate step with the least error."""

    id = "ex01_best_step"

    def cases(self, seed: int) -> list[SchemeCase]:
        rng = self.rng(seed)
        hidden = ["central", "five-point", "one-sided, second order"]
        rng.shuffle(hidden)
        return _scheme_cases(self, seed + 1, ["forward", *hidden])

    def run(self, answer: Any, case: SchemeCase) -> object:
        __tracebackhide__ = True
        difference, f, exact = _scheme_arguments(case)
        label = case.describe("best_step(difference, f, exact, x, candidates)")
        if answer is None:
            raise CheckFailed("best_step is None: define the function first")
        result = attempt(label, lambda: answer(difference, f, exact, case.x, list(CANDIDATE_STEPS)))
        if result is None:
            raise CheckFailed(f"{label} returned None: did you forget `return`?")
        return plain_number(result, label)

    def judge(self, case: SchemeCase, produced: object) -> str | None:
        label = case.describe("best_step(difference, f, exact, x, candidates)")
        if _type(produced) is not _plain.FLOAT:
            return f"{label} should be a single number"
        errors = _scheme_errors(case)
        smallest = min(errors)
        best = CANDIDATE_STEPS[errors.index(smallest)]
        for step, error in zip(CANDIDATE_STEPS, errors):
            if _plain.is_close(produced, step, 1e-9, 0.0):
                if error <= 3 * smallest:
                    return None
                if step < best:
                    return (f"{label} is {_plain.format_number(produced)}, too small: below "
                            f"the best step, round-off error (about ε·|f|/h) grows as h "
                            f"shrinks; measure the error of every candidate and return the "
                            f"step with the smallest")
                return (f"{label} is {_plain.format_number(produced)}, too large: the "
                        f"truncation error still dominates there; measure the error of every "
                        f"candidate and return the step with the smallest")
        return (f"{label} is {_plain.format_number(produced)}, which is not one of the "
                f"candidate steps 10**-1, 10**-2, ..., 10**-13")
