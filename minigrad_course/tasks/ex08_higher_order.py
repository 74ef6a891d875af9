"""The graded tasks of exercise 08 (higher-order derivatives).

Each class is one graded test cell of ``solutions/08_higher_order.ipynb``; its ``id`` is the
cell's nbgrader grade_id. The learner's functions receive functions ``f`` built here from
minigrad operations; the expected numbers are the derivatives worked out by hand (plain
Python formulas), never computed with the learner's code or with autograd.

Two tasks also check *how* the answer was computed. The functions ``f`` they hand out pass
their input through a probe: an identity ``Function`` whose backward counts the backward
passes through ``f``'s graph and records its gradient with a second identity, which counts
the backward passes through the *gradient's* graph. A second derivative by autograd goes
through the gradient's graph at least once (a finite difference of a first derivative never
does); a Hessian-vector product by double backward goes through it once, while building the
Hessian row by row goes through it once per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import exp, tanh
from typing import Any

from .. import _plain
from ..checks import CheckFailed, NotAttempted, attempt, compare
from . import Task, plain_answer, plain_number, register
from . import minigrad_engine as _minigrad
from .shortcuts import functional_shortcuts, refuses

_type = type
_isinstance = isinstance
_len = len
_range = range
_fmt = _plain.format_number
_fmt_list = _plain.format_plain



class _Counter:
    """How many backward passes went through f's graph (first) and the gradient's (second)."""

    def __init__(self) -> None:
        self.first = 0
        self.second = 0


_PROBES: dict[str, Any] = {}


def _input_probe() -> Any:
    """The identity Function on f's input (made once, when a task first runs)."""
    if not _PROBES:
        Function = _minigrad().autograd.Function

        class GradientProbe(Function):
            # The identity on the gradient; its backward runs when the gradient is differentiated.
            @staticmethod
            def forward(ctx, grad, counter):
                ctx.counter = counter
                return grad.data.copy()

            @staticmethod
            def backward(ctx, grad_output):
                ctx.counter.second += 1
                return grad_output, None

            @staticmethod
            def jvp(ctx, tangent, _):
                return tangent

        class InputProbe(Function):
            # The identity on f's input; its backward runs once per backward pass through f.
            @staticmethod
            def forward(ctx, x, counter):
                ctx.counter = counter
                return x.data.copy()

            @staticmethod
            def backward(ctx, grad_output):
                ctx.counter.first += 1
                return GradientProbe.apply(grad_output, ctx.counter), None

            @staticmethod
            def jvp(ctx, tangent, _):
                return tangent

        _PROBES["input"] = InputProbe
    return _PROBES["input"]


def _probed(x: Any, counter: _Counter, name: str) -> Any:
    """x passed through the input probe, after checking it is a tensor f can use."""
    __tracebackhide__ = True
    minigrad = _minigrad()
    if not _isinstance(x, minigrad.Tensor):
        raise CheckFailed(f"{name} was called with a {_type(x).__name__}; it expects a minigrad "
                          f"tensor: create one with torch.tensor(..., dtype=torch.float64, "
                          f"requires_grad=True)")
    return _input_probe().apply(x, counter)


def _as_float_list(value: object, name: str, size: int) -> list[float]:
    __tracebackhide__ = True
    plain = plain_answer(value, name)
    if _type(plain) is not _plain.LIST or _plain.shape_of(plain) != (size,):
        raise CheckFailed(f"{name} is {_plain.format_shape(_plain.shape_of(plain))} but should "
                          f"be {size} numbers, one per entry of x (a tensor of shape ({size},))")
    return plain


def _terms(terms: list[tuple[float, str]]) -> str:
    """A readable sum such as ``2*x**4 - 3*x**3 + x**2 - 5`` from (coefficient, monomial) pairs."""
    text = ""
    for coefficient, monomial in terms:
        if coefficient == 0.0:
            continue
        size = -coefficient if coefficient < 0 else coefficient
        if not monomial:
            term = _fmt(size)
        elif size == 1.0:
            term = monomial
        else:
            term = f"{_fmt(size)}*{monomial}"
        if not text:
            text = f"-{term}" if coefficient < 0 else term
        else:
            text += f" - {term}" if coefficient < 0 else f" + {term}"
    return text or "0"


# ------------------------------------------------------------ task 1: a second derivative
@dataclass(frozen=True)
class SecondCase:
    kind: str  # "cube", "tanh", "x_exp" or "poly"
    x: float
    coefficients: tuple[float, ...] = ()  # c0, c1, ... of a polynomial (kind "poly")

    def formula(self) -> str:
        if self.kind == "cube":
            return "x**3"
        if self.kind == "tanh":
            return "tanh(x)"
        if self.kind == "x_exp":
            return "x * exp(x)"
        monomials = ("", "x", "x**2", "x**3", "x**4")
        return _terms(list(zip(self.coefficients, monomials)))


def _second_cases(task: Task, seed: int) -> list[SecondCase]:
    cases = [SecondCase("cube", 1.5), SecondCase("tanh", 0.5), SecondCase("x_exp", -0.7)]
    rng = task.rng(seed)
    for _ in _range(2):
        coefficients = tuple(round(rng.uniform(-3.0, 3.0), 2) for _ in _range(5))
        cases.append(SecondCase("poly", round(rng.uniform(-1.5, 1.5), 3), coefficients))
    return cases


def _second_function(case: SecondCase, counter: _Counter) -> Any:
    """f for the learner: the case's function of a minigrad scalar, through the probe."""

    def f(x: Any) -> Any:
        __tracebackhide__ = True
        t = _probed(x, counter, "f")
        if case.kind == "cube":
            return t**3
        if case.kind == "tanh":
            return t.tanh()
        if case.kind == "x_exp":
            return t * t.exp()
        total = t * 0.0 + case.coefficients[0]
        for power, coefficient in enumerate(case.coefficients[1:], start=1):
            total = total + coefficient * t**power
        return total

    return f


def _derivatives(case: SecondCase) -> tuple[float, float]:
    """(f'(x), f''(x)) of a case, by hand."""
    x = case.x
    if case.kind == "cube":
        return 3 * x * x, 6 * x
    if case.kind == "tanh":
        t = tanh(x)
        return 1 - t * t, -2 * t * (1 - t * t)
    if case.kind == "x_exp":
        return (x + 1) * exp(x), (x + 2) * exp(x)
    first = sum(k * c * x ** (k - 1) for k, c in enumerate(case.coefficients) if k >= 1)
    second = sum(k * (k - 1) * c * x ** (k - 2) for k, c in enumerate(case.coefficients) if k >= 2)
    return first, second


@register
@refuses(*functional_shortcuts("it differentiates twice for you, and this task is to do it "
                               "yourself: torch.autograd.grad with create_graph=True, then "
                               "differentiate that gradient"),
         label="second_derivative")
class SecondDerivative(Task):
    """``second_derivative(f, x)``: f''(x) by differentiating a gradient made with create_graph."""

    id = "ex08_second_derivative"

    def cases(self, seed: int) -> list[SecondCase]:
        return _second_cases(self, seed)

    def run(self, answer: Any, case: SecondCase) -> object:
        __tracebackhide__ = True
        if answer is None:
            raise NotAttempted("not attempted yet: second_derivative is None; define the function")
        counter = _Counter()
        label = f"second_derivative(f, {_fmt(case.x)}) with f(x) = {case.formula()}"
        result = attempt(label, lambda: answer(_second_function(case, counter), case.x))
        if result is None:
            raise CheckFailed(f"{label} returned None: did you forget `return`?")
        return [plain_number(result, label), float(counter.second)]

    def judge(self, case: SecondCase, produced: object) -> str | None:
        label = f"second_derivative(f, {_fmt(case.x)}) with f(x) = {case.formula()}"
        if _type(produced) is not _plain.LIST or _len(produced) != 2:
            return f"{label}: expected a number"
        value, through_gradient = produced
        first, second = _derivatives(case)
        if _plain.is_close(value, second, 1e-9, 1e-12):
            if through_gradient < 1:
                return (f"{label} gave the right number, but no backward pass went through the "
                        f"gradient's graph: compute f'(x) with torch.autograd.grad(..., "
                        f"create_graph=True) and differentiate that gradient with autograd, "
                        f"not with finite differences")
            return None
        if _plain.is_close(value, second, 1e-5, 1e-8):
            return (f"{label} is {_fmt(value)}, close to the right value but only to about 6 "
                    f"digits: compute in float64 (torch.tensor(x, dtype=torch.float64, "
                    f"requires_grad=True)) and with autograd, not finite differences")
        return compare(label, value, second, rtol=1e-9, atol=1e-12,
                       hint="differentiate f once with create_graph=True, then differentiate "
                            "the resulting gradient once more",
                       mistakes=[(first, "that is f'(x), the first derivative: differentiate "
                                         "the gradient once more")])


# ------------------------------------------------------- task 2: a Hessian-vector product
@dataclass(frozen=True)
class ProductCase:
    kind: str  # "chain": ¼Σx⁴ + Σ x_i x_(i+1);  "tanh_dot": tanh(w · x)
    x: tuple[float, ...]
    v: tuple[float, ...]
    w: tuple[float, ...] = ()

    def formula(self) -> str:
        if self.kind == "chain":
            return "f(x) = sum(x**4) / 4 + sum(x[:-1] * x[1:])"
        return f"f(x) = tanh(sum(w * x)) with w = {_fmt_list(list(self.w))}"

    def describe(self) -> str:
        return f"hvp(f, x, v) with {self.formula()}, x = {_fmt_list(list(self.x))}, " \
               f"v = {_fmt_list(list(self.v))}"


def _product_cases(task: Task, seed: int) -> list[ProductCase]:
    cases = [ProductCase("chain", (1.0, -2.0, 0.5), (1.0, 0.0, -1.0)),
             ProductCase("tanh_dot", (0.5, -0.25), (1.0, 2.0), (1.0, -1.5))]
    rng = task.rng(seed)

    def vector(n: int) -> tuple[float, ...]:
        return tuple(round(rng.uniform(-1.5, 1.5), 3) for _ in _range(n))

    n = rng.randint(4, 7)
    cases.append(ProductCase("chain", vector(n), vector(n)))
    n = rng.randint(3, 6)
    cases.append(ProductCase("tanh_dot", vector(n), vector(n), vector(n)))
    # Long enough that a Hessian built row by row shows: 200 backward passes instead of one.
    cases.append(ProductCase("chain", vector(200), vector(200)))
    return cases


def _product_function(case: ProductCase, counter: _Counter) -> Any:
    minigrad = _minigrad()
    w = minigrad.tensor(list(case.w), dtype=minigrad.float64) if case.w else None

    def f(x: Any) -> Any:
        __tracebackhide__ = True
        t = _probed(x, counter, "f")
        if case.kind == "chain":
            return (t**4).sum() / 4 + (t[:-1] * t[1:]).sum()
        return (t * w).sum().tanh()

    return f


def _product_expected(case: ProductCase) -> tuple[list[float], list[float]]:
    """(Hv, the gradient g) of a case, by hand."""
    x, v, n = case.x, case.v, _len(case.x)
    if case.kind == "chain":
        # H = diag(3x²) + ones on the first off-diagonals
        hv = [3 * x[i] * x[i] * v[i] + (v[i - 1] if i > 0 else 0.0)
              + (v[i + 1] if i < n - 1 else 0.0) for i in _range(n)]
        g = [x[i] ** 3 + (x[i - 1] if i > 0 else 0.0) + (x[i + 1] if i < n - 1 else 0.0)
             for i in _range(n)]
        return hv, g
    t = tanh(sum(wi * xi for wi, xi in zip(case.w, x)))
    # f = tanh(s), s = w·x: g = (1 - t²) w, H = -2t(1 - t²) w wᵀ
    curvature = -2 * t * (1 - t * t)
    w_dot_v = sum(wi * vi for wi, vi in zip(case.w, v))
    return [curvature * w_dot_v * wi for wi in case.w], [(1 - t * t) * wi for wi in case.w]


@register
@refuses(*functional_shortcuts("it computes the Hessian-vector product (or the Hessian) for "
                               "you, and this task is to do it with your own double backward: "
                               "g = grad(f(x), x, create_graph=True), then the gradient of "
                               "(g * v).sum()"),
         label="hvp")
class HessianVectorProduct(Task):
    """``hvp(f, x, v)``: Hv by a double backward, without building H."""

    id = "ex08_hvp"

    def cases(self, seed: int) -> list[ProductCase]:
        return _product_cases(self, seed)

    def run(self, answer: Any, case: ProductCase) -> object:
        __tracebackhide__ = True
        if answer is None:
            raise NotAttempted("not attempted yet: hvp is None; define the function")
        minigrad = _minigrad()
        counter = _Counter()
        x = minigrad.tensor(list(case.x), dtype=minigrad.float64)
        v = minigrad.tensor(list(case.v), dtype=minigrad.float64)
        label = case.describe()
        result = attempt(label, lambda: answer(_product_function(case, counter), x, v))
        if result is None:
            raise CheckFailed(f"{label} returned None: did you forget `return`?")
        return _as_float_list(result, label, _len(case.x)) + [float(counter.second)]

    def judge(self, case: ProductCase, produced: object) -> str | None:
        n = _len(case.x)
        label = case.describe()
        if _type(produced) is not _plain.LIST or _len(produced) != n + 1:
            return f"{label}: expected {n} numbers"
        values, passes = produced[:n], produced[n]
        expected, gradient = _product_expected(case)
        message = compare(label, values, expected, rtol=1e-8, atol=1e-10,
                          hint="compute g = ∇f(x) with create_graph=True, then differentiate "
                               "the scalar (g * v).sum() with respect to x",
                          mistakes=[(gradient, "that is the gradient g = ∇f(x); Hv is the "
                                               "gradient of the scalar (g * v).sum()"),
                                    ([gi * vi for gi, vi in zip(gradient, case.v)],
                                     "that is g * v entry by entry; Hv is the gradient of its "
                                     "sum, (g * v).sum(), with respect to x")])
        if message is not None:
            return message
        if passes > 2:
            return (f"{label} is right, but it ran {int(passes)} backward passes through the "
                    f"gradient's graph for x of {n} entries: that builds the Hessian row by "
                    f"row. A Hessian-vector product needs one: the gradient of (g * v).sum()")
        return None


# ------------------------------------------------------------------- task 3: a Newton step
@dataclass(frozen=True)
class NewtonCase:
    kind: str  # "quadratic", "valley" or "quartic"
    point: tuple[float, float]
    parameters: tuple[float, ...]

    def formula(self) -> str:
        if self.kind == "quadratic":
            return _terms(list(zip(self.parameters, ("x**2", "x*y", "y**2", "x", "y"))))
        if self.kind == "valley":
            return f"(1 - x)**2 + {_fmt(self.parameters[0])}*(y - x**2)**2"
        return _terms([(1.0, "x**4"), (1.0, "y**4"), (self.parameters[0], "x*y"),
                       (self.parameters[1], "x")])

    def describe(self) -> str:
        return f"newton_step(f, p) with f(p) = {self.formula()} where (x, y) = p, at " \
               f"p = [{_fmt(self.point[0])}, {_fmt(self.point[1])}]"


def _newton_cases(task: Task, seed: int) -> list[NewtonCase]:
    cases = [NewtonCase("quadratic", (1.0, -1.0), (1.0, 0.5, 2.0, -1.0, 3.0)),
             NewtonCase("valley", (-1.2, 1.0), (10.0,)),
             NewtonCase("quartic", (1.0, -0.5), (0.5, -1.0))]
    rng = task.rng(seed)
    wall = float(rng.choice([5, 10, 100]))
    while True:
        # det H = 4k(1 - 2k(y - x²)): keep clear of the points where the Hessian is singular.
        x, y = round(rng.uniform(-1.5, 1.5), 3), round(rng.uniform(-0.5, 2.0), 3)
        if _plain.absolute(1 - 2 * wall * (y - x * x)) >= 0.2:
            break
    cases.append(NewtonCase("valley", (x, y), (wall,)))
    sign_x, sign_y = rng.choice([-1, 1]), rng.choice([-1, 1])
    # |x|, |y| >= 0.6 and |q| <= 1 keep the Hessian [[12x², q], [q, 12y²]] far from singular.
    cases.append(NewtonCase("quartic", (sign_x * round(rng.uniform(0.6, 1.5), 3),
                                        sign_y * round(rng.uniform(0.6, 1.5), 3)),
                            (round(rng.uniform(-1.0, 1.0), 2), round(rng.uniform(-2.0, 2.0), 2))))
    return cases


def _newton_function(case: NewtonCase) -> Any:
    def f(p: Any) -> Any:
        __tracebackhide__ = True
        minigrad = _minigrad()
        if not _isinstance(p, minigrad.Tensor):
            raise CheckFailed(f"f was called with a {_type(p).__name__}; it expects a minigrad "
                              f"tensor of shape (2,)")
        x, y = p[0], p[1]
        if case.kind == "quadratic":
            a, b, c, d, e = case.parameters
            return a * x**2 + b * x * y + c * y**2 + d * x + e * y
        if case.kind == "valley":
            return (1 - x) ** 2 + case.parameters[0] * (y - x**2) ** 2
        q, r = case.parameters
        return x**4 + y**4 + q * x * y + r * x

    return f


def _gradient_and_hessian(case: NewtonCase) -> tuple[list[float], list[list[float]]]:
    x, y = case.point
    if case.kind == "quadratic":
        a, b, c, d, e = case.parameters
        return [2 * a * x + b * y + d, b * x + 2 * c * y + e], [[2 * a, b], [b, 2 * c]]
    if case.kind == "valley":
        k = case.parameters[0]
        wall = y - x * x
        return ([-2 * (1 - x) - 4 * k * x * wall, 2 * k * wall],
                [[2 - 4 * k * wall + 8 * k * x * x, -4 * k * x], [-4 * k * x, 2 * k]])
    q, r = case.parameters
    return [4 * x**3 + q * y + r, 4 * y**3 + q * x], [[12 * x * x, q], [q, 12 * y * y]]


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """The solution d of a 2 × 2 system matrix · d = vector, by Cramer's rule."""
    (a, b), (c, d) = matrix
    det = a * d - b * c
    return [(vector[0] * d - b * vector[1]) / det, (a * vector[1] - c * vector[0]) / det]


@register
class NewtonStep(Task):
    """``newton_step(f, p)``: p - H⁻¹∇f(p) for a function of two variables."""

    id = "ex08_newton_step"

    def cases(self, seed: int) -> list[NewtonCase]:
        return _newton_cases(self, seed)

    def run(self, answer: Any, case: NewtonCase) -> object:
        __tracebackhide__ = True
        if answer is None:
            raise NotAttempted("not attempted yet: newton_step is None; define the function")
        minigrad = _minigrad()
        p = minigrad.tensor(list(case.point), dtype=minigrad.float64)
        label = case.describe()
        result = attempt(label, lambda: answer(_newton_function(case), p))
        if result is None:
            raise CheckFailed(f"{label} returned None: did you forget `return`?")
        return _as_float_list(result, label, 2)

    def judge(self, case: NewtonCase, produced: object) -> str | None:
        label = case.describe()
        gradient, hessian = _gradient_and_hessian(case)
        step = _solve(hessian, gradient)  # H⁻¹g
        p = case.point
        expected = [p[0] - step[0], p[1] - step[1]]
        product = [hessian[0][0] * gradient[0] + hessian[0][1] * gradient[1],
                   hessian[1][0] * gradient[0] + hessian[1][1] * gradient[1]]
        mistakes = [
            ([p[0] + step[0], p[1] + step[1]], "the step goes the wrong way: the Newton step d "
                                               "solves H d = -∇f, so the new point is "
                                               "p - H⁻¹∇f"),
            ([-step[0], -step[1]], "that is the step d itself; return the new point p + d"),
            ([p[0] - gradient[0], p[1] - gradient[1]], "that is a gradient-descent step "
                                                       "p - ∇f; Newton's method divides by the "
                                                       "curvature: solve H d = -∇f"),
            ([p[0] - product[0], p[1] - product[1]], "that multiplies the gradient by H; "
                                                     "Newton's step multiplies it by the "
                                                     "inverse, H⁻¹: solve H d = -∇f "
                                                     "(np.linalg.solve)"),
            ([p[0] - gradient[0] / hessian[0][0], p[1] - gradient[1] / hessian[1][1]],
             "that divides by the diagonal of H only; use the whole Hessian: solve H d = -∇f"),
        ]
        return compare(label, produced, expected, rtol=1e-8, atol=1e-10,
                       hint="the new point is p + d where H d = -∇f(p): the gradient from "
                            "autograd, the Hessian from functional.hessian (or one VJP per "
                            "row), then np.linalg.solve",
                       mistakes=mistakes)


# ------------------------------------------------- task 4: predict a third derivative
# f(x) = 2x⁴ - 3x³ + x² - 5 at x = 1.5:
#   f'(x) = 8x³ - 9x² + 2x,  f''(x) = 24x² - 18x + 2,  f'''(x) = 48x - 18
THIRD_X = 1.5
THIRD_COEFFICIENTS = (-5.0, 0.0, 1.0, -3.0, 2.0)  # c0 + c1 x + c2 x² + c3 x³ + c4 x⁴


def _poly_derivative(coefficients: tuple[float, ...], order: int, x: float) -> float:
    total = 0.0
    for power, coefficient in enumerate(coefficients):
        if power >= order:
            factor = 1.0
            for k in _range(power - order + 1, power + 1):
                factor *= k
            total += coefficient * factor * x ** (power - order)
    return total


@register
class ThirdDerivative(Task):
    """Predict f'''(1.5) for f(x) = 2x⁴ - 3x³ + x² - 5."""

    id = "ex08_predict_third_derivative"

    def cases(self, seed: int) -> list[None]:
        return [None]

    def run(self, answer: Any, case: None) -> object:
        __tracebackhide__ = True
        return plain_number(answer, "third_derivative")

    def judge(self, case: None, produced: object) -> str | None:
        if _type(produced) is not _plain.FLOAT:
            return "third_derivative should be a single number"
        x, c = THIRD_X, THIRD_COEFFICIENTS
        return compare("third_derivative", produced, _poly_derivative(c, 3, x), rtol=1e-9,
                       atol=1e-9, reveal=False,
                       hint="differentiate term by term three times: the third derivative of "
                            "x**n is n(n-1)(n-2) x**(n-3), so x² and the constant drop out",
                       mistakes=[(_poly_derivative(c, 2, x), "that is f''(1.5), the second "
                                                             "derivative: one more to go"),
                                 (_poly_derivative(c, 1, x), "that is f'(1.5), the first "
                                                             "derivative: two more to go"),
                                 (_poly_derivative(c, 4, x), "that is the fourth derivative "
                                                             "(a constant): one too many"),
                                 (24 * x - 18, "the x⁴ term: (x⁴)''' = 4·3·2 x = 24x, times "
                                               "its coefficient 2")])
