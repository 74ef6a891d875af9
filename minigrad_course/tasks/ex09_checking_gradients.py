"""The graded tasks of exercise 09 (checking gradients).

Each class is one graded test cell of ``solutions/09_checking_gradients.ipynb``; its ``id``
is the cell's nbgrader grade_id. Expected numbers are the derivatives worked out by hand
(plain Python formulas of the sigmoid, sines and powers), never computed with the learner's
code or with autograd. The gradient-check task hands the learner's checker functions whose
backward is deliberately wrong (a power or an inner factor forgotten), so the relative error
it must find is known exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import cos, exp, tanh
from typing import Any

from .. import _plain
from ..checks import CheckFailed, NotAttempted, attempt, compare
from . import Task, plain_answer, plain_number, register
from . import minigrad_engine as _minigrad

_type = type
_isinstance = isinstance
_issubclass = issubclass
_len = len
_range = range
_fmt = _plain.format_number
_fmt_list = _plain.format_plain



def _sigmoid(x: float) -> float:
    # 1 / (1 + e^-x), written so that neither branch overflows
    if x >= 0:
        return 1.0 / (1.0 + exp(-x))
    e = exp(x)
    return e / (1.0 + e)


def _flat(value: object, name: str) -> list[float]:
    __tracebackhide__ = True
    plain = plain_answer(value, name)
    return _plain.flatten(plain) if _type(plain) is _plain.LIST else [plain]


# ------------------------------------------------------ task 1: a Function that passes gradcheck
@dataclass(frozen=True)
class SiluCase:
    shape: tuple[int, ...]
    x: tuple[float, ...]  # flattened, row-major
    w: tuple[float, ...]  # weights of the first backward: the gradient of (y * w).sum()
    u: tuple[float, ...]  # weights of the second: the gradient of (g * u).sum()

    def describe(self) -> str:
        return f"SiLU.apply(x) for x = {_fmt_list(list(self.x), 6)} (shape {self.shape})"


def _silu_cases(task: Task, seed: int) -> list[SiluCase]:
    cases = [SiluCase((5,), (-3.0, -1.0, -0.2, 0.5, 2.5), (1.0, 2.0, -1.0, 0.5, 1.5),
                      (1.0, -1.0, 0.5, 2.0, -0.5))]
    rng = task.rng(seed)

    def values(n: int, low: float, high: float) -> tuple[float, ...]:
        return tuple(round(rng.uniform(low, high), 3) for _ in _range(n))

    cases.append(SiluCase((2, 3), values(6, -4.0, 4.0), values(6, -2.0, 2.0), values(6, -2.0, 2.0)))
    cases.append(SiluCase((4,), values(4, -12.0, 12.0), values(4, -2.0, 2.0), values(4, -2.0, 2.0)))
    return cases


def _silu_expected(case: SiluCase) -> dict[str, list[float]]:
    """SiLU(x) = xσ(x), its weighted first derivative σ(1 + x(1 - σ)) and second σ(1 - σ)(2 + x(1 - 2σ))."""
    forward, first, second, sigma_only, product_only, unweighted, constant_s = ([] for _ in _range(7))
    for x, w, u in zip(case.x, case.w, case.u):
        s = _sigmoid(x)
        slope = s * (1 + x * (1 - s))
        forward.append(x * s)
        first.append(w * slope)
        second.append(w * u * s * (1 - s) * (2 + x * (1 - 2 * s)))
        sigma_only.append(w * s)
        product_only.append(w * x * s * (1 - s))
        unweighted.append(slope)
        # The second derivative when s = σ(x) from forward is a constant for autograd.
        constant_s.append(w * u * s * (1 - s))
    return {"forward": forward, "first": first, "second": second, "sigma_only": sigma_only,
            "product_only": product_only, "unweighted": unweighted, "constant_s": constant_s}


@register
class SiluFunction(Task):
    """``SiLU``, an ``autograd.Function`` for x·sigmoid(x) whose backward passes gradcheck."""

    id = "ex09_silu"

    def cases(self, seed: int) -> list[SiluCase]:
        return _silu_cases(self, seed)

    def run(self, answer: Any, case: SiluCase) -> object:
        __tracebackhide__ = True
        minigrad = _minigrad()
        if answer is None:
            raise NotAttempted("not attempted yet: SiLU is None; define the class")
        if not (_isinstance(answer, type) and _issubclass(answer, minigrad.autograd.Function)):
            raise CheckFailed(f"pass your class SiLU itself (a subclass of "
                              f"torch.autograd.Function), not a {_type(answer).__name__}")
        label = case.describe()

        def leaf() -> Any:
            values = minigrad.tensor(list(case.x), dtype=minigrad.float64).reshape(case.shape)
            return values.requires_grad_()

        x = leaf()
        y = attempt(label, lambda: answer.apply(x))
        if not _isinstance(y, minigrad.Tensor):
            raise CheckFailed(f"{label} returned a {_type(y).__name__}; forward should return "
                              f"a tensor (e.g. x * torch.sigmoid(x))")
        if tuple(y.shape) != case.shape:
            raise CheckFailed(f"{label} has shape {tuple(y.shape)} but should have the shape of "
                              f"x, {case.shape}")
        if not y.requires_grad:
            raise CheckFailed(f"{label} does not require grad: return a new tensor from forward "
                              f"and call the class as SiLU.apply(x)")
        w = minigrad.tensor(list(case.w), dtype=minigrad.float64).reshape(case.shape)
        u = minigrad.tensor(list(case.u), dtype=minigrad.float64).reshape(case.shape)
        (first,) = attempt(f"the backward pass of {label}",
                           lambda: minigrad.autograd.grad((y * w).sum(), x, create_graph=True))
        second: list[float] = []
        if first.requires_grad:
            (grad2,) = attempt(f"differentiating the gradient of {label} again",
                               lambda: minigrad.autograd.grad((first * u).sum(), x))
            second = _flat(grad2.detach(), "the second derivative")
        checked = attempt(f"gradcheck(SiLU.apply, x) for x = {_fmt_list(list(case.x), 6)}",
                          lambda: minigrad.autograd.gradcheck(answer.apply, (leaf(),),
                                                              raise_exception=False))
        return [_flat(y.detach(), label), _flat(first.detach(), "x.grad"), second,
                1.0 if checked else 0.0]

    def judge(self, case: SiluCase, produced: object) -> str | None:
        label = case.describe()
        if _type(produced) is not _plain.LIST or _len(produced) != 4:
            return f"{label}: the check could not read your results"
        forward, first, second, checked = produced
        expected = _silu_expected(case)
        message = compare(label, forward, expected["forward"], rtol=1e-9, atol=1e-12,
                          hint="forward should compute x * sigmoid(x)")
        if message is not None:
            return message
        message = compare(f"the gradient of (SiLU.apply(x) * w).sum() with w = "
                          f"{_fmt_list(list(case.w), 6)}", first, expected["first"],
                          rtol=1e-8, atol=1e-12,
                          hint="d/dx [x·σ(x)] = σ(x) + x·σ(x)(1 - σ(x)), times grad_output",
                          mistakes=[(expected["sigma_only"],
                                     "that is only σ(x): by the product rule d/dx [x·σ(x)] = "
                                     "σ(x) + x·σ'(x), with σ'(x) = σ(x)(1 - σ(x))"),
                                    (expected["product_only"],
                                     "that is only x·σ'(x): by the product rule add σ(x), the "
                                     "derivative of the factor x times σ(x)"),
                                    (expected["unweighted"],
                                     "multiply the local derivative by grad_output (the chain "
                                     "rule): backward returns grad_output * dSiLU/dx")])
        if message is not None:
            return message
        if not second:
            return (f"{label}: the gradient your backward returns does not require grad under "
                    f"create_graph=True, so it cannot be differentiated again (gradgradcheck "
                    f"fails): compute it with tensor operations (torch.sigmoid, *, +) on the "
                    f"saved tensors, not with NumPy, .item() or .detach()")
        message = compare(f"the second derivative of {label}", second, expected["second"],
                          rtol=1e-7, atol=1e-12,
                          hint="the first derivative is right but its own derivative is not: "
                               "part of your backward is computed outside autograd (NumPy, "
                               ".detach() or .data); use tensor operations throughout",
                          mistakes=[(expected["constant_s"],
                                     "your backward uses σ(x) computed in forward; forward is "
                                     "not recorded, so for a second derivative that tensor is a "
                                     "constant. Save the input only (ctx.save_for_backward(x)) "
                                     "and compute torch.sigmoid(x) in backward")])
        if message is not None:
            return message
        if checked != 1.0:
            return (f"{label}: your values are right but torch.autograd.gradcheck(SiLU.apply, "
                    f"(x,)) failed on this input; run it yourself to read its report")
        return None


# --------------------------------------------------- task 2: which backward is wrong?
WRONG_BACKWARD = "B"
BACKWARD_NAMES = ("A", "B", "C")


@register
class WrongBackward(Task):
    """Name the one of SigmoidA, SigmoidB, SigmoidC whose backward is wrong."""

    id = "ex09_predict_wrong_backward"

    def cases(self, seed: int) -> list[None]:
        return [None]

    def run(self, answer: Any, case: None) -> object:
        __tracebackhide__ = True
        if answer is None:
            raise NotAttempted("not attempted yet: wrong_one is still None; give it your answer")
        if _type(answer) is not _plain.STR or answer.strip().upper() not in BACKWARD_NAMES:
            raise CheckFailed(f"wrong_one should be one of the letters 'A', 'B' or 'C' (a "
                              f"string), not {answer!r}")
        return BACKWARD_NAMES.index(answer.strip().upper())

    def judge(self, case: None, produced: object) -> str | None:
        if _type(produced) is not _plain.INT or not 0 <= produced < _len(BACKWARD_NAMES):
            return "wrong_one should be one of the letters 'A', 'B' or 'C'"
        if BACKWARD_NAMES[produced] == WRONG_BACKWARD:
            return None
        reasons = {
            "A": "SigmoidA saves the output s = σ(x) and returns grad_output · s(1 - s), "
                 "which is σ'(x)",
            "C": "SigmoidC returns grad_output · e⁻ˣ / (1 + e⁻ˣ)², which is σ'(x) written "
                 "with exponentials",
        }
        letter = BACKWARD_NAMES[produced]
        return (f"wrong_one = {letter!r} is not the wrong one: {reasons[letter]}. Compare the "
                f"others with σ'(x) = σ(x)(1 - σ(x)), or run gradcheck on each of them")


# ------------------------------------------------------------------ task 3: choose eps
# The task's own error model of a float64 central difference of a smooth function of size
# about 1: truncation eps²/6 plus round-off ε/eps, ε = 2.2e-16. A step passes when this total
# is at most TOTAL_ERROR, the bound the task states; that is eps in about [7.4e-7, 4.2e-5]
# (1e-6 and 1e-5 pass; 1e-4, whose truncation error is 1.7e-9, does not). The best step,
# where the two balance, is near ε^(1/3) ≈ 6e-6, with a total near 4e-11.
ROUND_OFF = 2.2e-16
TOTAL_ERROR = 3e-10


@register
class ChooseEps(Task):
    """A step for float64 central differences whose error, by the stated model, is <= 3e-10."""

    id = "ex09_eps"

    def cases(self, seed: int) -> list[None]:
        return [None]

    def run(self, answer: Any, case: None) -> object:
        __tracebackhide__ = True
        return plain_number(answer, "eps64")

    def judge(self, case: None, produced: object) -> str | None:
        if _type(produced) is not _plain.FLOAT:
            return "eps64 should be a single number"
        eps = produced
        if not eps > 0:
            return f"eps64 = {_fmt(eps)}: a step must be a positive number"
        truncation, rounding = eps * eps / 6, ROUND_OFF / eps
        if truncation + rounding <= TOTAL_ERROR:
            return None
        if truncation > rounding:
            return (f"eps64 = {_fmt(eps)} is too large: the truncation error, about "
                    f"eps²/6·|f'''| = {truncation:.1e} for |f'''| near 1, is above 3e-10; a "
                    f"smaller step is more accurate until round-off takes over")
        return (f"eps64 = {_fmt(eps)} is too small: the round-off error, about "
                f"ε·|f|/eps = {rounding:.1e} with ε = 2.2e-16, is above 3e-10; a larger step "
                f"is more accurate")


# --------------------------------------------- task 4: a gradient check of your own
@dataclass(frozen=True)
class CheckCase:
    kind: str  # "good_builtin", "good_cube", "wrong_cube" (3x instead of 3x²), "wrong_sin"
    x: tuple[float, ...]
    w: tuple[float, ...]

    def formula(self) -> str:
        weights = _fmt_list(list(self.w))
        if self.kind == "good_builtin":
            return f"f(x) = sum(w * x**2 * tanh(x)) with w = {weights}"
        if self.kind == "wrong_sin":
            return f"f(x) = sum(w * Sin2x.apply(x)) with w = {weights}"
        name = "GoodCube" if self.kind == "good_cube" else "WrongCube"
        return f"f(x) = sum(w * {name}.apply(x)) with w = {weights}"

    def describe(self) -> str:
        return f"max_relative_error(f, x) with {self.formula()} and x = {_fmt_list(list(self.x))}"


def _check_cases(task: Task, seed: int) -> list[CheckCase]:
    cases = [CheckCase("good_builtin", (-1.5, -0.2, 0.7, 2.0), (1.0, -2.0, 0.5, 1.0)),
             CheckCase("wrong_cube", (0.5, -1.5, 2.0), (1.0, 2.0, -1.0)),
             # cos(2x) is at least 0.4 in size at these points: the relative error is 1/2.
             CheckCase("wrong_sin", (0.3, -1.2, 2.8), (1.0, 0.5, -2.0))]
    rng = task.rng(seed)

    def away_from_zero(n: int) -> tuple[float, ...]:
        return tuple(rng.choice([-1, 1]) * round(rng.uniform(0.3, 2.5), 3) for _ in _range(n))

    for kind in ("good_cube", "wrong_cube"):
        n = rng.randint(3, 6)
        cases.append(CheckCase(kind, away_from_zero(n), away_from_zero(n)))
    return cases


_FUNCTIONS: dict[str, Any] = {}


def _checked_functions() -> dict[str, Any]:
    """Custom Functions with a right or a deliberately wrong backward (made once)."""
    if not _FUNCTIONS:
        Function = _minigrad().autograd.Function

        class GoodCube(Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x.data**3

            @staticmethod
            def backward(ctx, grad_output):
                (x,) = ctx.saved_tensors
                return grad_output * 3 * x**2

        class WrongCube(GoodCube):
            @staticmethod
            def backward(ctx, grad_output):
                (x,) = ctx.saved_tensors
                return grad_output * 3 * x  # the power of x forgotten: should be 3x²

        class Sin2x(Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return (2 * x).sin().data

            @staticmethod
            def backward(ctx, grad_output):
                (x,) = ctx.saved_tensors
                return grad_output * (2 * x).cos()  # the inner factor 2 forgotten

        _FUNCTIONS.update(good_cube=GoodCube, wrong_cube=WrongCube, wrong_sin=Sin2x)
    return _FUNCTIONS


def _checked_function(case: CheckCase) -> Any:
    minigrad = _minigrad()
    functions = _checked_functions()
    w = minigrad.tensor(list(case.w), dtype=minigrad.float64)

    def f(x: Any) -> Any:
        __tracebackhide__ = True
        if not _isinstance(x, minigrad.Tensor):
            raise CheckFailed(f"f was called with a {_type(x).__name__}; it expects a minigrad "
                              f"tensor: wrap NumPy arrays with torch.tensor(array)")
        if tuple(x.shape) != (_len(case.x),):
            raise CheckFailed(f"f was called with a tensor of shape {tuple(x.shape)}; it expects "
                              f"one shaped like x, ({_len(case.x)},)")
        if case.kind == "good_builtin":
            return (w * x**2 * x.tanh()).sum()
        return (w * functions[case.kind].apply(x)).sum()

    return f


def _gradients(case: CheckCase) -> tuple[list[float], list[float]]:
    """(the backward's gradient, the true gradient) of a case, by hand."""
    analytical, true = [], []
    for x, w in zip(case.x, case.w):
        if case.kind == "good_builtin":
            t = tanh(x)
            slope = 2 * x * t + x * x * (1 - t * t)
            analytical.append(w * slope)
            true.append(w * slope)
        elif case.kind == "wrong_sin":
            analytical.append(w * cos(2 * x))
            true.append(w * 2 * cos(2 * x))
        else:
            analytical.append(w * 3 * x * (x if case.kind == "good_cube" else 1.0))
            true.append(w * 3 * x * x)
    return analytical, true


def _relative_errors(analytical: list[float], numerical: list[float]) -> list[float]:
    errors = []
    for a, n in zip(analytical, numerical):
        size = max(_plain.absolute(a), _plain.absolute(n))
        errors.append(_plain.absolute(a - n) / size if size > 0 else 0.0)
    return errors


@register
class MaxRelativeError(Task):
    """``max_relative_error(f, x)``: max_i |a_i - n_i| / max(|a_i|, |n_i|)."""

    id = "ex09_max_relative_error"

    def cases(self, seed: int) -> list[CheckCase]:
        return _check_cases(self, seed)

    def run(self, answer: Any, case: CheckCase) -> object:
        __tracebackhide__ = True
        if answer is None:
            raise NotAttempted("not attempted yet: max_relative_error is None; define the "
                               "function")
        import numpy as np

        label = case.describe()
        x = np.array(case.x, dtype=np.float64)
        result = attempt(label, lambda: answer(_checked_function(case), x))
        if result is None:
            raise CheckFailed(f"{label} returned None: did you forget `return`?")
        return plain_number(result, label)

    def judge(self, case: CheckCase, produced: object) -> str | None:
        label = case.describe()
        if _type(produced) is not _plain.FLOAT:
            return f"{label} should be a single number"
        if produced != produced or produced < 0:
            return f"{label} is {_fmt(produced)}; a relative error is a number >= 0"
        if case.kind.startswith("good"):
            if produced < 1e-6:
                return None
            return (f"{label} is {_fmt(produced)}, but this backward is right: in float64 the "
                    f"relative error of a correct backward is tiny (about 1e-10). Check your "
                    f"numerical gradient: central differences (f(x + eps·e_j) - f(x - eps·e_j)) "
                    f"/ (2·eps), one entry j at a time, in float64")
        analytical, true = _gradients(case)
        relative = _relative_errors(analytical, true)
        absolute = [_plain.absolute(a - n) for a, n in zip(analytical, true)]
        by_numerical = [_plain.absolute(a - n) / _plain.absolute(n) for a, n in zip(analytical, true)]
        by_analytical = [_plain.absolute(a - n) / _plain.absolute(a) for a, n in zip(analytical, true)]
        mistakes = [(max(absolute), "that is the largest absolute difference |a - n|; divide "
                                    "each by max(|a|, |n|) first"),
                    (sum(relative) / _len(relative), "that is the mean of the relative errors; "
                                                     "the check reports the largest one"),
                    (max(by_numerical), "that divides by |n| only; divide by max(|a|, |n|)"),
                    (max(by_analytical), "that divides by |a| only; divide by max(|a|, |n|)")]
        return compare(label, produced, max(relative), rtol=1e-5, atol=1e-9,
                       hint="a = the gradient from backward(), n = central differences; return "
                            "the largest |a_i - n_i| / max(|a_i|, |n_i|)",
                       mistakes=[(value, hint) for value, hint in mistakes
                                 if not _plain.is_close(value, max(relative), 1e-5, 1e-9)])
