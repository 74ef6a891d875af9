"""The graded tasks of exercise 05 (accumulation and retain_graph).

Two tasks grade predictions (what ``x.grad`` holds after a sequence of calls; which second
backward raises, and why): their expected answers are facts about PyTorch's autograd that
the test suite checks against minigrad (and PyTorch where installed). Two tasks run the
learner's code on minigrad tensors built from the seed: gradient accumulation over
micro-batches, and a repaired training step. Their expected numbers are computed here in
plain Python from the formulas (the gradient of a mean squared error, plain gradient
descent), never with the learner's code or with autograd.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import _plain
from ..checks import CheckFailed, NotAttempted, attempt, compare
from . import Task, plain_answer, register
from . import minigrad_engine as _minigrad

_type = type
_isinstance = isinstance
_len = len
_range = range
_fmt = _plain.format_plain



def _as_list(value: object, name: str) -> list:
    """A learner's list of numbers as plain floats (a clear message when it is not one)."""
    __tracebackhide__ = True
    plain = plain_answer(value, name)
    if _type(plain) is not _plain.LIST:
        raise CheckFailed(f"{name} is a single number but should be a list of numbers")
    return plain


# ------------------------------------------------------------ task 1: predict x.grad
# The sequence of the exercise, with x = [1, 2, 3], y = sum(x²) and z = sum(3x):
#   (1) y.backward(retain_graph=True)                      x.grad = 2x
#   (2) y.backward(retain_graph=True)                      x.grad = 4x
#   (3) x.grad.zero_(); y.backward(retain_graph=True)      x.grad = 2x
#   (4) z.backward()                                       x.grad = 2x + 3
#   (5) x.grad = None; y.backward()                        x.grad = 2x
PREDICT_X = (1.0, 2.0, 3.0)
PREDICTION_NAMES = ("after_1", "after_2", "after_3", "after_4", "after_5")


def _predicted_grads() -> list[list[float]]:
    twice = [2.0 * x for x in PREDICT_X]
    return [twice, [4.0 * x for x in PREDICT_X], twice, [2.0 * x + 3.0 for x in PREDICT_X], twice]


def _prediction_mistakes() -> list[list[tuple[list[float], str]]]:
    x = PREDICT_X
    twice = [2.0 * v for v in x]
    return [
        [([v for v in x], "d(sum x²)/dx is 2x, not x"),
         ([v * v for v in x], "x.grad holds the derivative 2x, not the value x²")],
        [(twice, "backward adds into x.grad: the second call adds 2x again to the 2x of the "
                 "first")],
        [([6.0 * v for v in x], "x.grad.zero_() emptied x.grad before call (3), so only one "
                                "2x is in it afterwards"),
         ([0.0, 0.0, 0.0], "after zero_() comes another backward, which adds 2x")],
        [([3.0, 3.0, 3.0], "z.backward() adds dz/dx = 3 to what x.grad already held; it does "
                           "not replace it"),
         ([4.0 * v + 3.0 for v in x], "x.grad was zeroed before call (3): it held one 2x, "
                                      "not two, when z.backward() added 3")],
        [([4.0 * v + 3.0 for v in x], "x.grad = None forgets everything before: the next "
                                      "backward stores its own gradient"),
         ([2.0 * v + 3.0 for v in x], "y.backward() after x.grad = None stores a new 2x")],
    ]


@register
class PredictGrads(Task):
    """Predict x.grad after each step of a sequence of backward and zeroing calls."""

    id = "ex05_predict_grads"

    def cases(self, seed: int) -> list[None]:
        return [None]

    def run(self, answer: Any, case: None) -> object:
        __tracebackhide__ = True
        if _type(answer) not in (_plain.LIST, _plain.TUPLE) or _len(answer) != 5:
            raise CheckFailed("pass the five predictions [after_1, ..., after_5] to the check")
        return [_as_list(value, name) for value, name in zip(answer, PREDICTION_NAMES)]

    def judge(self, case: None, produced: object) -> str | None:
        if _type(produced) is not _plain.LIST or _len(produced) != 5:
            return "expected five predictions, one per numbered call"
        for name, value, expected, mistakes in zip(PREDICTION_NAMES, produced,
                                                   _predicted_grads(), _prediction_mistakes()):
            message = compare(name, value, expected, rtol=1e-9, atol=1e-12,
                              hint="go through the calls one by one: every backward adds its "
                                   "gradient to what x.grad holds; zero_() empties it; "
                                   "None forgets it",
                              mistakes=mistakes, reveal=False)
            if message is not None:
                return f"your prediction of x.grad {name.replace('_', ' call (')}): {message}"
        return None


# ----------------------------------------------------- task 2: which second backward raises
SNIPPETS = ("A", "B", "C", "D", "E", "F")
SNIPPET_CODE = {
    "A": "(x - 1).sum()",
    "B": "(x ** 3).sum()",
    "C": "x.sum() * 2",
    "D": "x.tanh().sum()",
    "E": "x[1:].sum()",
    "F": "(x + x).mean()",
}
RAISES = {"B", "C", "D"}
SNIPPET_RULES = {
    "A": "the derivative of a subtraction is 1 (or -1): it needs no saved value",
    "B": "the derivative of x³ is 3x², which needs x: PowBackward0 saved it",
    "C": "multiplying by a constant saves the constant, as 3 * x did in the chapter",
    "D": "the derivative of tanh is 1 - tanh(x)², which needs the saved output",
    "E": "the backward of slicing puts the gradient back in place: it needs only shapes",
    "F": "the derivatives of + and of mean are 1 and 1/n: they need only shapes",
}
REASONS = ("a", "b", "c", "d")
REASON = "b"
REASON_HINTS = {
    "a": "the nodes are still there (loss.grad_fn is not None); what is gone is something "
         "the nodes kept",
    "c": "a second backward adds into a .grad that is not None (chapter 05, section 1); "
         "that is not what fails",
    "d": "being a non-leaf does not stop a second backward: (x + 2).sum() can be "
         "differentiated twice",
}


@register
class PredictRaises(Task):
    """Which of six graphs refuse a second backward, and the reason (multiple choice)."""

    id = "ex05_predict_raises"

    def cases(self, seed: int) -> list[None]:
        return [None]

    def run(self, answer: Any, case: None) -> object:
        __tracebackhide__ = True
        raises, reason = answer
        if raises is None or reason is None:
            raise NotAttempted("not attempted yet: raises or reason is still None; give your "
                               "answers")
        if _type(raises) is _plain.STR:
            raises = [letter for letter in raises if letter.strip(" ,")]
        try:
            letters = [_plain.STR(letter).strip().upper() for letter in raises]
        except TypeError:
            raise CheckFailed("raises should be a set of letters, like {\"A\", \"B\"}") from None
        for letter in letters:
            if letter not in SNIPPETS:
                raise CheckFailed(f"raises contains {letter!r}, which is not one of the snippets "
                                  f"A to F")
        choice = _plain.STR(reason).strip().lower().strip("()")
        if choice not in REASONS:
            raise CheckFailed(f"reason is {reason!r} but should be one of the letters "
                              f"a, b, c, d")
        return [[1 if letter in letters else 0 for letter in SNIPPETS], REASONS.index(choice)]

    def judge(self, case: None, produced: object) -> str | None:
        if _type(produced) is not _plain.LIST or _len(produced) != 2:
            return "expected the set of snippets that raise and the letter of the reason"
        flags, reason = produced
        if _type(flags) is not _plain.LIST or _len(flags) != _len(SNIPPETS):
            return "expected one answer per snippet A to F"
        wrong = [letter for letter, flag in zip(SNIPPETS, flags)
                 if (flag == 1) != (letter in RAISES)]
        if wrong:
            first = wrong[0]
            said = "raises" if flags[SNIPPETS.index(first)] == 1 else "works"
            where = (f"snippet {first}" if _len(wrong) == 1 else
                     f"{_len(wrong)} snippets are wrong; the first is {first}")
            return (f"{where} ({SNIPPET_CODE[first]}), where you said the second backward "
                    f"{said}" + (" but it does not" if said == "raises" else ", but it raises")
                    + f": {SNIPPET_RULES[first]}")
        if _type(reason) is not _plain.INT or not 0 <= reason < _len(REASONS):
            return "reason should be one of the letters a, b, c, d"
        if REASONS[reason] != REASON:
            return f"the snippets are right, but the reason is not: " \
                   f"{REASON_HINTS[REASONS[reason]]}"
        return None


# ------------------------------------------------------------- task 3: micro-batches
@dataclass(frozen=True)
class MicroBatchCase:
    inputs: tuple[tuple[float, ...], ...]  # X, N rows of d features
    targets: tuple[float, ...]  # Y, N values (a column)
    weights: tuple[float, ...]  # w, d values (a column)
    bias: float
    sizes: tuple[int, ...]  # the rows of each micro-batch, in order; they add up to N
    stale: float  # what w.grad and b.grad hold before the call (0: they are None)


def _random_micro_batch_case(rng: Any, features: int, sizes: tuple[int, ...],
                             stale: float) -> MicroBatchCase:
    rows = sum(sizes)

    def number() -> float:
        return round(rng.uniform(-2.0, 2.0), 3)

    return MicroBatchCase(
        inputs=tuple(tuple(number() for _ in _range(features)) for _ in _range(rows)),
        targets=tuple(number() for _ in _range(rows)),
        weights=tuple(number() for _ in _range(features)),
        bias=number(),
        sizes=sizes,
        stale=stale,
    )


def mse_gradient(case: MicroBatchCase, start: int = 0, stop: int | None = None
                 ) -> tuple[list[float], float]:
    """The gradient of L = mean((Xw + b - Y)²) over rows start..stop-1 (default all):
    dL/dw = (2/n) Xᵀr, dL/db = (2/n) Σ r."""
    inputs = case.inputs[start:stop]
    targets = case.targets[start:stop]
    n = _len(inputs)
    residuals = [sum(x * w for x, w in zip(row, case.weights)) + case.bias - y
                 for row, y in zip(inputs, targets)]
    grad_w = [2.0 / n * sum(r * row[j] for r, row in zip(residuals, inputs))
              for j in _range(_len(case.weights))]
    grad_b = 2.0 / n * sum(residuals)
    return grad_w, grad_b


def _equally_weighted(case: MicroBatchCase) -> list[float]:
    """The chapter's pattern, (loss of micro-batch k) / K: right only for equal sizes."""
    total = [0.0] * (_len(case.weights) + 1)
    start = 0
    for size in case.sizes:
        grad_w, grad_b = mse_gradient(case, start, start + size)
        total = [t + g / _len(case.sizes) for t, g in zip(total, grad_w + [grad_b])]
        start += size
    return total


@register
class MicroBatches(Task):
    """accumulate_gradients(w, b, X, Y, sizes) leaves the full batch's gradient in w.grad and
    b.grad, with micro-batches of the given (unequal) sizes: each weighted by n_k / N."""

    id = "ex05_microbatch"

    def cases(self, seed: int) -> list[MicroBatchCase]:
        rng = self.rng(seed)
        def sizes(count: int) -> tuple[int, ...]:
            while True:  # unequal sizes, so that weighting them equally shows
                drawn = tuple(rng.randint(1, 6) for _ in _range(count))
                if _len(set(drawn)) > 1:
                    return drawn

        return [
            _random_micro_batch_case(rng, 2, (4, 4), 0.0),  # equal sizes, as in the chapter
            _random_micro_batch_case(rng, 3, sizes(3), 0.0),
            _random_micro_batch_case(rng, 2, sizes(2), 5.0),  # old gradients to get rid of
            _random_micro_batch_case(rng, 3, sizes(4), 0.0),
        ]

    def run(self, answer: Any, case: MicroBatchCase) -> object:
        __tracebackhide__ = True
        if answer is None:
            raise NotAttempted("not attempted yet: accumulate_gradients is None")
        torch = _minigrad()
        X = torch.tensor([list(row) for row in case.inputs], dtype=torch.float64)
        Y = torch.tensor([[y] for y in case.targets], dtype=torch.float64)
        w = torch.tensor([[v] for v in case.weights], dtype=torch.float64, requires_grad=True)
        b = torch.tensor([case.bias], dtype=torch.float64, requires_grad=True)
        if case.stale:
            w.grad = torch.full((_len(case.weights), 1), case.stale, dtype=torch.float64)
            b.grad = torch.full((1,), case.stale, dtype=torch.float64)
        passes = []
        w.register_hook(lambda grad: passes.append(1))  # one call per backward that reaches w
        sizes = list(case.sizes)
        label = (f"accumulate_gradients(w, b, X, Y, sizes={sizes}) with X of "
                 f"shape ({_len(case.inputs)}, {_len(case.weights)})")
        with torch.enable_grad():
            attempt(label, lambda: answer(w, b, X, Y, list(sizes)))
        if w.grad is None or b.grad is None:
            missing = "w.grad" if w.grad is None else "b.grad"
            raise CheckFailed(f"after {label}, {missing} is None: call backward on each "
                              f"micro-batch's loss")
        grad_w = _as_list(w.grad, "w.grad")
        grad_b = _as_list(b.grad, "b.grad")
        if _plain.shape_of(grad_w) != (_len(case.weights), 1) or _plain.shape_of(grad_b) != (1,):
            raise CheckFailed(f"after {label}, w.grad and b.grad should keep the shapes of w "
                              f"and b")
        return [[row[0] for row in grad_w], grad_b[0], _len(passes)]

    def judge(self, case: MicroBatchCase, produced: object) -> str | None:
        if _type(produced) is not _plain.LIST or _len(produced) != 3:
            return "the record of accumulate_gradients is malformed"
        grad_w, grad_b, passes = produced
        expected_w, expected_b = mse_gradient(case)
        k = _len(case.sizes)
        rows = _len(case.inputs)
        context = (f"for X of shape ({rows}, {_len(case.weights)}) in micro-batches of "
                   f"{list(case.sizes)} rows")
        got = grad_w + [grad_b] if _type(grad_w) is _plain.LIST else None
        expected = expected_w + [expected_b]
        stale = [g + case.stale for g in expected]
        mistakes = [
            ([k * g for g in expected], f"{k} times too large: each micro-batch's loss is a mean "
                                        f"over its own rows; weight it by its share of the rows, "
                                        f"n_k / N, before backward"),
            ([g / k for g in expected], f"{k} times too small: weight each micro-batch's loss "
                                        f"by n_k / N once, not the whole sum again"),
            ([g * rows for g in expected], "each micro-batch's loss should be its mean squared "
                                           "error, weighted by n_k / N"),
        ]
        if _len(set(case.sizes)) > 1:
            mistakes.insert(0, (_equally_weighted(case),
                                "that weights every micro-batch equally (loss / number of "
                                "micro-batches), which is right only when they have the same "
                                "size: the mean over all N rows weights micro-batch k by its "
                                "share of the rows, n_k / N"))
        if case.stale:
            mistakes.insert(0, (stale, f"w.grad and b.grad held old gradients ({_fmt(case.stale)} "
                                       f"everywhere) before your function ran: zero them (or "
                                       f"set them to None) first"))
        message = compare(f"{context}, [w.grad, b.grad]", got, expected, rtol=1e-7, atol=1e-10,
                          hint="accumulate (loss of micro-batch k) * n_k / N over the "
                               "micro-batches, one backward each",
                          mistakes=mistakes)
        if message is not None:
            return message
        if passes != k:
            runs = "1 backward pass" if passes == 1 else f"{passes} backward passes"
            return (f"{context}, the gradient is right but your function ran {runs} through "
                    f"w: run one backward per micro-batch ({k}), so that only one "
                    f"micro-batch's graph is alive at a time")
        return None


# ------------------------------------------------------- task 4: repair the training step
@dataclass(frozen=True)
class TrainingCase:
    inputs: tuple[tuple[float, float], ...]
    targets: tuple[float, ...]
    weights: tuple[float, float]
    bias: float
    lr: float
    steps: int
    stale: tuple[float, float, float]  # the old .grad of weight (two entries) and bias


def linear_regression_descent(case: TrainingCase, zero: str) -> tuple[list[float], list[float]]:
    """Losses and final [w1, w2, b] of gradient descent on mean((x·w + b - y)²).

    ``zero`` says when gradients are zeroed: "before" backward (right), "after" the step,
    or "never" (the bug). Old gradients ``case.stale`` are in .grad at the start.
    """
    w = list(case.weights)
    b = case.bias
    grad = list(case.stale)
    n = _len(case.inputs)
    losses = []
    for _ in _range(case.steps):
        if zero == "before":
            grad = [0.0, 0.0, 0.0]
        residuals = [x[0] * w[0] + x[1] * w[1] + b - y for x, y in zip(case.inputs, case.targets)]
        losses.append(sum(r * r for r in residuals) / n)
        step_grad = [2.0 / n * sum(r * x[0] for r, x in zip(residuals, case.inputs)),
                     2.0 / n * sum(r * x[1] for r, x in zip(residuals, case.inputs)),
                     2.0 / n * sum(residuals)]
        grad = [g + s for g, s in zip(grad, step_grad)]
        w = [w[0] - case.lr * grad[0], w[1] - case.lr * grad[1]]
        b = b - case.lr * grad[2]
        if zero == "after":
            grad = [0.0, 0.0, 0.0]
    return losses, [w[0], w[1], b]


@register
class FixTraining(Task):
    """train_step(model, optimizer, inputs, targets) zeroes the gradients before backward."""

    id = "ex05_fix_training"

    def cases(self, seed: int) -> list[TrainingCase]:
        rng = self.rng(seed)
        cases = []
        for stale in (False, True):
            rows = 6
            cases.append(TrainingCase(
                inputs=tuple((round(rng.uniform(-1, 1), 3), round(rng.uniform(-1, 1), 3))
                             for _ in _range(rows)),
                targets=tuple(round(rng.uniform(-1, 1), 3) for _ in _range(rows)),
                weights=(round(rng.uniform(-1, 1), 3), round(rng.uniform(-1, 1), 3)),
                bias=round(rng.uniform(-1, 1), 3),
                lr=0.2,
                steps=4,
                stale=tuple(round(rng.uniform(-2, 2), 3) for _ in _range(3)) if stale
                else (0.0, 0.0, 0.0),
            ))
        return cases

    def run(self, answer: Any, case: TrainingCase) -> object:
        __tracebackhide__ = True
        if answer is None:
            raise NotAttempted("not attempted yet: train_step is None")
        torch = _minigrad()
        model = torch.nn.Linear(2, 1)
        with torch.no_grad():
            model.weight.copy_(torch.tensor([list(case.weights)]))
            model.bias.copy_(torch.tensor([case.bias]))
        if any(case.stale):
            model.weight.grad = torch.tensor([list(case.stale[:2])])
            model.bias.grad = torch.tensor([case.stale[2]])
        optimizer = torch.optim.SGD(model.parameters(), lr=case.lr)
        inputs = torch.tensor([list(row) for row in case.inputs])
        targets = torch.tensor([[y] for y in case.targets])
        losses = []
        with torch.enable_grad():
            for step in _range(case.steps):
                loss = attempt(f"train_step(model, optimizer, inputs, targets), step {step + 1}",
                               lambda: answer(model, optimizer, inputs, targets))
                if loss is None:
                    raise CheckFailed("train_step returned None: return loss.item()")
                losses.append(plain_answer(loss, "the loss train_step returned"))
        final = _as_list(model.weight, "model.weight")[0] + _as_list(model.bias, "model.bias")
        return [losses, final]

    def judge(self, case: TrainingCase, produced: object) -> str | None:
        if _type(produced) is not _plain.LIST or _len(produced) != 2:
            return "the record of train_step is malformed"
        losses, final = produced
        right_losses, right_final = linear_regression_descent(case, "before")
        context = (f"after {case.steps} calls of train_step"
                   + (" on a model that arrived with old gradients in .grad" if any(case.stale)
                      else ""))
        mistakes = [(linear_regression_descent(case, "never")[1],
                     "the gradients add up across steps: call optimizer.zero_grad() before "
                     "loss.backward() in every step")]
        if any(case.stale):
            mistakes.append((linear_regression_descent(case, "after")[1],
                             "the model arrived with old gradients in .grad: zero them at the "
                             "start of the step, before loss.backward(), not after the step"))
        # minigrad's nn.Linear computes in float32: compare to float32 precision.
        message = compare(f"{context}, [weight, bias]", final, right_final, rtol=1e-4,
                          atol=1e-5, mistakes=mistakes,
                          hint="each step: zero_grad(), forward, loss, backward(), step()")
        if message is not None:
            return message
        return compare(f"{context}, the losses train_step returned", losses, right_losses,
                       rtol=1e-4, atol=1e-5,
                       hint="return loss.item(), the loss computed before the step")
