"""The graded tasks of exercise 07 (training a network).

Each class is one graded test cell of ``solutions/07_training.ipynb``; its ``id`` is the
cell's nbgrader grade_id. The tasks hand the learner's code fresh objects built here
(parameters with gradients, a small model with its optimizer, a probing model, data sets
drawn from the seed) and record what came out: parameter values, losses, flags, predicted
classes. The expected values are worked out here from the case alone: by arithmetic on
plain floats, or, for the training loop, by running the correct loop with minigrad in the
judge's own process.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import cos, exp, log, pi, sin
from random import Random
from typing import Any

from .. import _plain
from ..checks import CheckFailed, attempt, compare
from . import Task, plain_answer, plain_number, register

_type = type
_isinstance = isinstance
_len = len
_fmt = _plain.format_number
_FLOAT = _plain.FLOAT
_INT = _plain.INT
_LIST = _plain.LIST


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + exp(-z))


# --------------------------------------------------------------- two moons, plain Python
Points = tuple[tuple[float, float], ...]


def two_moons(task: Task, seed: int, salt: str, n: int, noise: float) -> tuple[Points, tuple[float, ...]]:
    """n points on two interleaved half circles (labels alternate 0, 1) plus Gaussian noise.

    Drawn with ``random.Random``, as ``Task.rng``, so the same seed gives the same points on
    every platform and NumPy version: the grader rebuilds them to judge a record.
    """
    rng = Random(f"{task.id}:{seed}:{salt}")
    points, labels = [], []
    for i in range(n):
        label = i % 2
        angle = rng.uniform(0.0, pi)
        if label == 0:
            x, y = cos(angle), sin(angle)
        else:
            x, y = 1.0 - cos(angle), 0.5 - sin(angle)
        points.append((x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)))
        labels.append(_FLOAT(label))
    return tuple(points), tuple(labels)


def _tensors(points: Points, labels: tuple[float, ...], dtype: Any = None) -> tuple[Any, Any]:
    """The points as an (N, 2) tensor and the labels as (N, 1), as the chapter uses them."""
    import minigrad

    dtype = dtype or minigrad.float32
    return (minigrad.tensor([list(p) for p in points], dtype=dtype),
            minigrad.tensor([[label] for label in labels], dtype=dtype))


# ------------------------------------------------ task 1: predict the tutorial's gradients
# The one-layer network of PyTorch's autograd tutorial, x = ones(5), z = x @ w + b, with
# logits chosen so that σ(z) is 1/2, 3/4 and 1/4, and the target (0, 1, 0).
PREDICT_LOGITS = (0.0, log(3.0), -log(3.0))
PREDICT_TARGET = (0.0, 1.0, 0.0)
PREDICT_FEATURES = 5


def predicted_gradients() -> tuple[list[float], list[list[float]]]:
    """b.grad = (σ(z) - y) / 3 and w.grad = x (σ(z) - y)ᵀ / 3 with x all ones."""
    count = _len(PREDICT_LOGITS)
    b = [(_sigmoid(z) - y) / count for z, y in zip(PREDICT_LOGITS, PREDICT_TARGET)]
    return b, [list(b) for _ in range(PREDICT_FEATURES)]


@register
class PredictGradients(Task):
    """Predict b.grad and w.grad of the tutorial's network for given logits."""

    id = "ex07_predict_grads"

    def cases(self, seed: int) -> list[None]:
        return [None]

    def run(self, answer: Any, case: None) -> object:
        __tracebackhide__ = True
        b_grad, w_grad = answer
        return [plain_answer(b_grad, "predicted_b_grad"), plain_answer(w_grad, "predicted_w_grad")]

    def judge(self, case: None, produced: object) -> str | None:
        if _type(produced) is not _LIST or _len(produced) != 2:
            return "give two answers: predicted_b_grad and predicted_w_grad"
        b_answer, w_answer = produced
        b_expected, w_expected = predicted_gradients()
        sigma = [_sigmoid(z) for z in PREDICT_LOGITS]
        count = _len(sigma)
        b_mistakes = [
            ([s - y for s, y in zip(sigma, PREDICT_TARGET)],
             "the loss is the mean of the 3 logits' losses: every slope is divided by 3"),
            ([s / count for s in sigma],
             "the target of the second logit is 1, not 0: the slope of the BCE is σ(z) - y"),
            ([(y - s) / count for s, y in zip(sigma, PREDICT_TARGET)],
             "the sign is wrong: ∂ℓ/∂z = σ(z) - y, positive when σ(z) is above its target"),
            ([s * (1 - s) / count for s in sigma],
             "σ(z)(1 - σ(z)) is the slope of σ alone; the log of the BCE cancels it, leaving "
             "∂ℓ/∂z = σ(z) - y"),
        ]
        message = compare("predicted_b_grad", b_answer, b_expected, rtol=1e-3, atol=1e-6,
                          hint="b.grad = ∂L/∂z = (σ(z) - y) / 3, entry by entry",
                          mistakes=b_mistakes, reveal=False)
        if message is not None:
            return message
        if _plain.shape_of(w_answer) == (count, PREDICT_FEATURES):
            return ("predicted_w_grad has shape (3, 5), but w is (5, 3) and w.grad has w's "
                    "shape: one row per input feature, one column per logit")
        return compare("predicted_w_grad", w_answer, w_expected, rtol=1e-3, atol=1e-6,
                       hint="∂L/∂w[i][j] = x[i] · ∂L/∂z[j]: row i is x[i] times b.grad, and "
                            "every x[i] is 1",
                       reveal=False)


# ------------------------------------------------------------- task 2: an SGD step by hand
@dataclass(frozen=True)
class SgdCase:
    lr: float
    values: tuple[tuple[float, ...], ...]  # each parameter, flattened
    shapes: tuple[tuple[int, ...], ...]
    grads: tuple[tuple[float, ...] | None, ...]  # None: the parameter has no .grad (frozen)
    generator: bool  # hand the parameters over as a generator, as model.parameters() does


def _sgd_case(rng: Any, lr: float, shapes: tuple[tuple[int, ...], ...], frozen: int,
              generator: bool) -> SgdCase:
    values, grads = [], []
    for index, shape in enumerate(shapes):
        size = 1
        for n in shape:
            size *= n
        values.append(tuple(round(rng.uniform(-2, 2), 3) for _ in range(size)))
        grads.append(None if index == frozen else
                     tuple(round(rng.uniform(-1, 1), 3) for _ in range(size)))
    return SgdCase(lr, tuple(values), shapes, tuple(grads), generator)


def _describe_parameter(case: SgdCase, index: int) -> str:
    shape = case.shapes[index]
    shown = "(" + ", ".join(str(n) for n in shape) + ("," if _len(shape) == 1 else "") + ")"
    return f"parameter {index} (shape {shown})"


def _flags(p: Any) -> list[int]:
    return [_INT(bool(p.is_leaf)), _INT(bool(p.requires_grad)), _INT(p.grad_fn is not None)]


@register
class SgdStep(Task):
    """``sgd_step(parameters, lr)``: p -= lr * p.grad in place, under no_grad, skipping None."""

    id = "ex07_sgd_step"

    def cases(self, seed: int) -> list[SgdCase]:
        rng = self.rng(seed)
        cases = [_sgd_case(rng, 0.1, ((3,), (2, 2)), frozen=-1, generator=False),
                 _sgd_case(rng, 0.5, ((2, 3), (3,), (4,)), frozen=1, generator=True)]
        for _ in range(2):
            lr = rng.choice([0.01, 0.05, 0.2, 1.0])
            shapes = tuple(rng.choice([(2,), (3,), (2, 2), (1, 3)]) for _ in range(3))
            cases.append(_sgd_case(rng, lr, shapes, frozen=rng.randrange(-1, 3),
                                   generator=rng.random() < 0.5))
        return cases

    def run(self, answer: Any, case: SgdCase) -> object:
        __tracebackhide__ = True
        import numpy as np

        import minigrad

        if answer is None:
            raise CheckFailed("sgd_step is None: define the function first")
        params = []
        for values, shape, grad in zip(case.values, case.shapes, case.grads):
            p = minigrad.tensor(np.array(values, dtype=np.float32).reshape(shape), requires_grad=True)
            if grad is not None:
                p.grad = minigrad.tensor(np.array(grad, dtype=np.float32).reshape(shape))
            params.append(p)
        given = (p for p in params) if case.generator else list(params)
        how = "a generator, as model.parameters() is" if case.generator else "a list"
        label = f"sgd_step(parameters, lr={_fmt(case.lr)}) with the parameters given as {how}"
        hints = {
            RuntimeError: "autograd refuses an in-place change of a leaf that requires grad "
                          "while it records: do the update under `with minigrad.no_grad():`",
            TypeError: "a parameter whose .grad is None (frozen, or unused by the loss) has "
                       "no step to take: skip it, as optim.SGD does",
            AttributeError: "a parameter whose .grad is None (frozen, or unused by the loss) "
                            "has no step to take: skip it, as optim.SGD does",
        }
        attempt(label, lambda: answer(given, case.lr), hints=hints)
        return [[[_FLOAT(v) for v in p.detach().reshape(-1).tolist()], _flags(p)] for p in params]

    def judge(self, case: SgdCase, produced: object) -> str | None:
        how = "as a generator" if case.generator else "as a list"
        context = f"after sgd_step(parameters, lr={_fmt(case.lr)}) with the parameters given {how}"
        if _type(produced) is not _LIST or _len(produced) != _len(case.values):
            return f"{context}: expected one result per parameter"
        for index, (values, grad) in enumerate(zip(case.values, case.grads)):
            item = produced[index]
            if _type(item) is not _LIST or _len(item) != 2:
                return f"{context}: the record of parameter {index} is malformed"
            after, flags = item
            name = _describe_parameter(case, index)
            if flags != [1, 1, 0]:
                is_leaf, requires_grad, has_grad_fn = (flags + [0, 0, 0])[:3]
                if has_grad_fn or not is_leaf:
                    return (f"{context}, {name} has a grad_fn: your update was recorded in the "
                            f"graph. Do it under `with minigrad.no_grad():`, so the parameter "
                            f"stays a leaf")
                if not requires_grad:
                    return (f"{context}, {name} no longer requires grad: the next backward() "
                            f"would not fill its .grad. Use `with minigrad.no_grad():` instead "
                            f"of switching requires_grad off")
            if grad is None:
                message = compare(f"{name}, which has no .grad,", after, list(values),
                                  rtol=1e-6, atol=1e-7,
                                  hint="a parameter whose .grad is None must stay as it is, as "
                                       "optim.SGD leaves it")
                if message is not None:
                    return f"{context}: {message}"
                continue
            expected = [v - case.lr * g for v, g in zip(values, grad)]
            mistakes = [
                (list(values), "the parameter did not change: update it in place "
                               "(`p -= lr * p.grad`); `p = p - lr * p.grad` only gives the loop "
                               "variable a new tensor and leaves the model's parameter alone"
                               + ("; and a generator can be walked only once: loop over it "
                                  "a single time" if case.generator else "")),
                ([v + case.lr * g for v, g in zip(values, grad)],
                 "the step went uphill: descend, p - lr * p.grad"),
                ([v - g for v, g in zip(values, grad)], "multiply the gradient by lr"),
            ]
            message = compare(name, after, expected, rtol=1e-5, atol=1e-6,
                              hint="each entry should be p - lr * p.grad", mistakes=mistakes)
            if message is not None:
                return f"{context}: {message}"
        return None


# ------------------------------------------------------- task 3: the training loop's bug
@dataclass(frozen=True)
class LoopCase:
    model_seed: int
    points: Points
    labels: tuple[float, ...]
    lr: float
    epochs: int
    batch_size: int


LOOP_MOMENTUM = 0.9


def _loop_setup(case: LoopCase) -> tuple[Any, Any, Any, Any, Any]:
    """The model, optimizer, loss and data the check hands to train(), in float64."""
    import minigrad
    from minigrad import nn, optim

    minigrad.manual_seed(case.model_seed)
    model = nn.Sequential(nn.Linear(2, 8, dtype=minigrad.float64), nn.Tanh(),
                          nn.Linear(8, 1, dtype=minigrad.float64))
    optimizer = optim.SGD(model.parameters(), lr=case.lr, momentum=LOOP_MOMENTUM)
    X, y = _tensors(case.points, case.labels, dtype=minigrad.float64)
    return model, optimizer, nn.BCEWithLogitsLoss(), X, y


def _final_parameters(model: Any) -> list[float]:
    return [_FLOAT(v) for p in model.parameters() for v in p.detach().reshape(-1).tolist()]


def reference_training(case: LoopCase, zero_grad: str = "every step") -> tuple[list[float], list[float]]:
    """The losses and final parameters of the loop with ``zero_grad`` placed as named:
    "every step" (right), "once" (before the loop), "after backward" (between backward and
    step) or "every epoch"."""
    model, optimizer, loss_fn, X, y = _loop_setup(case)
    losses = []
    if zero_grad == "once":
        optimizer.zero_grad()
    for _ in range(case.epochs):
        if zero_grad == "every epoch":
            optimizer.zero_grad()
        for start in range(0, X.shape[0], case.batch_size):
            inputs, targets = X[start:start + case.batch_size], y[start:start + case.batch_size]
            if zero_grad == "every step":
                optimizer.zero_grad()
            loss = loss_fn(model(inputs), targets)
            loss.backward()
            if zero_grad == "after backward":
                optimizer.zero_grad()
            optimizer.step()
            losses.append(loss.item())
    return losses, _final_parameters(model)


_LOOP_MISTAKES = {
    "once": "zero_grad() runs only once, before the loop, so every backward() adds its gradient "
            "to all the earlier ones and each step re-applies them: call optimizer.zero_grad() "
            "at the start of every step, inside the inner loop",
    "every epoch": "zero_grad() runs once per epoch, so within an epoch the gradients of the "
                   "batches pile up: call it once per step, before each backward()",
    "after backward": "zero_grad() between backward() and step() wipes the gradients the step "
                      "needs, so the parameters never move: zero before backward()",
}


@register
class FixTheLoop(Task):
    """``train(model, optimizer, loss_fn, X, y, epochs, batch_size)`` with zero_grad in place."""

    id = "ex07_fix_loop"

    def cases(self, seed: int) -> list[LoopCase]:
        cases = []
        for index, (lr, epochs, batch_size) in enumerate(((0.2, 3, 16), (0.1, 2, 12))):
            points, labels = two_moons(self, seed, f"loop{index}", 48, 0.15)
            cases.append(LoopCase(self.rng(seed).randrange(10_000) + index, points, labels,
                                  lr, epochs, batch_size))
        return cases

    def run(self, answer: Any, case: LoopCase) -> object:
        __tracebackhide__ = True
        if answer is None:
            raise CheckFailed("train is None: define the function first")
        model, optimizer, loss_fn, X, y = _loop_setup(case)
        label = (f"train(model, optimizer, loss_fn, X, y, epochs={case.epochs}, "
                 f"batch_size={case.batch_size}) on {X.shape[0]} points")
        losses = attempt(label, lambda: answer(model, optimizer, loss_fn, X, y, case.epochs,
                                               case.batch_size))
        if losses is None:
            raise CheckFailed(f"{label} returned None: did you forget `return losses`?")
        plain = plain_answer(losses, "the losses train() returned")
        if _type(plain) is not _LIST:
            raise CheckFailed("train() should return a list with the loss of every step "
                              "(loss.item()), not a single number")
        return [plain, _final_parameters(model)]

    def judge(self, case: LoopCase, produced: object) -> str | None:
        steps = case.epochs * -(-_len(case.points) // case.batch_size)
        context = (f"for train(..., epochs={case.epochs}, batch_size={case.batch_size}) on "
                   f"{_len(case.points)} points ({steps} steps)")
        if _type(produced) is not _LIST or _len(produced) != 2:
            return f"{context}: the record is malformed"
        losses, parameters = produced
        if _type(losses) is not _LIST or _len(losses) != steps:
            count = _len(losses) if _type(losses) is _LIST else "no"
            return (f"{context}, train() returned {count} losses but should return {steps}, "
                    f"one per step (batch), in order")
        expected_losses, expected_parameters = reference_training(case)
        right_losses = compare("losses", losses, expected_losses, rtol=1e-6, atol=1e-9) is None
        right_parameters = compare("parameters", parameters, expected_parameters,
                                   rtol=1e-6, atol=1e-9) is None
        if right_losses and right_parameters:
            return None
        for placement, hint in _LOOP_MISTAKES.items():
            wrong_losses, wrong_parameters = reference_training(case, placement)
            if (compare("losses", losses, wrong_losses, rtol=1e-6, atol=1e-9) is None
                    and compare("parameters", parameters, wrong_parameters,
                                rtol=1e-6, atol=1e-9) is None):
                return f"{context}: {hint}"
        if right_losses:
            return (f"{context}, the losses are right but the model's final parameters are not: "
                    f"train the model you were given, with the optimizer you were given, and "
                    f"finish with optimizer.step() on the last batch")
        return compare(f"{context}, the losses", losses, expected_losses, rtol=1e-6, atol=1e-9,
                       hint="keep the loop of train_buggy (same batches, same order, one "
                            "step per batch) and only fix where the gradients are reset")


# -------------------------------------------------------- task 4: evaluation without a graph
@dataclass(frozen=True)
class EvaluateCase:
    weight: tuple[float, float]
    bias: float
    points: Points
    labels: tuple[float, ...]


def _logit(case: EvaluateCase, point: tuple[float, float]) -> float:
    return case.weight[0] * point[0] + case.weight[1] * point[1] + case.bias


def _accuracy(case: EvaluateCase, threshold: float = 0.0) -> float:
    right = sum(1 for point, label in zip(case.points, case.labels)
                if (_logit(case, point) > threshold) == (label > 0.5))
    return right / _len(case.points)


def _probe(case: EvaluateCase) -> Any:
    """A linear model that writes down, at every call, whether autograd was recording and
    whether it (and its layer) were in training mode."""
    import minigrad
    from minigrad import nn

    class Probe(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.linear = nn.Linear(2, 1)
            with minigrad.no_grad():
                self.linear.weight.copy_(minigrad.tensor([list(case.weight)]))
                self.linear.bias.copy_(minigrad.tensor([case.bias]))
            self.calls: list[tuple[bool, bool]] = []

        def forward(self, x: Any) -> Any:
            self.calls.append((minigrad.is_grad_enabled(), self.training or self.linear.training))
            return self.linear(x)

        def __repr__(self) -> str:
            return "the model"

    return Probe()


@register
class Evaluate(Task):
    """``evaluate(model, X, y)``: accuracy under no_grad and eval(), back in train() after."""

    id = "ex07_evaluate"

    def cases(self, seed: int) -> list[EvaluateCase]:
        cases = []
        rng = self.rng(seed)
        # A fixed readable model first, then two drawn from the seed: all roughly separate
        # the upper moon (y large) from the lower one, none perfectly.
        for index in range(3):
            if index == 0:
                weight, bias = (0.5, -1.5), 0.3
            else:
                weight = (round(rng.uniform(-1, 1), 3), round(rng.uniform(-3, -1), 3))
                bias = round(rng.uniform(-0.5, 0.5), 3)
            points, labels = two_moons(self, seed, f"evaluate{index}", 60, 0.2)
            case = EvaluateCase(weight, bias, points, labels)
            # Drop points too close to the boundary, where float32 and float64 could disagree.
            kept = [(p, label) for p, label in zip(points, labels) if abs(_logit(case, p)) > 1e-3]
            cases.append(EvaluateCase(weight, bias, tuple(p for p, _ in kept),
                                      tuple(label for _, label in kept)))
        return cases

    def run(self, answer: Any, case: EvaluateCase) -> object:
        __tracebackhide__ = True
        if answer is None:
            raise CheckFailed("evaluate is None: define the function first")
        model = _probe(case)
        model.train()
        X, y = _tensors(case.points, case.labels)
        label = f"evaluate(model, X, y) on {_len(case.points)} points"
        result = attempt(label, lambda: answer(model, X, y))
        if result is None:
            raise CheckFailed(f"{label} returned None: did you forget `return`?")
        accuracy = plain_number(result, label)
        grad_enabled = _INT(any(recording for recording, _ in model.calls))
        training = _INT(any(mode for _, mode in model.calls))
        return [accuracy, _len(model.calls), grad_enabled, training, _INT(bool(model.training))]

    def judge(self, case: EvaluateCase, produced: object) -> str | None:
        context = f"for evaluate(model, X, y) on {_len(case.points)} points"
        if _type(produced) is not _LIST or _len(produced) != 5:
            return f"{context}: the record is malformed"
        accuracy, calls, grad_enabled, training, training_after = produced
        if calls == 0:
            return f"{context}: evaluate never called the model; compute its logits with model(X)"
        if grad_enabled:
            return (f"{context}: the model ran while autograd was recording, so a graph was "
                    f"built for nothing; run the forward pass inside `with minigrad.no_grad():`")
        if training:
            return (f"{context}: the model was still in training mode when it ran; call "
                    f"model.eval() first (dropout and batch-norm layers behave differently "
                    f"in evaluation)")
        if not training_after:
            return (f"{context}: the model was left in evaluation mode; call model.train() "
                    f"before returning, so that training can go on where it left off")
        expected = _accuracy(case)
        mistakes = [
            (1.0 - expected, "that is the fraction of wrong predictions"),
            (100.0 * expected, "return a fraction between 0 and 1, not a percentage"),
            (_accuracy(case, 0.5), "the model returns logits: class 1 is where the logit is > 0 "
                                   "(the probability σ(logit) is then > 0.5)"),
        ]
        return compare(f"{context}, the accuracy", accuracy, expected, rtol=1e-6, atol=1e-6,
                       hint="the accuracy is the fraction of points where (logit > 0) agrees "
                            "with the label (1 or 0)",
                       mistakes=mistakes)


# ------------------------------------------------- task 5: train to a stated accuracy
FIT_TRAIN_POINTS = 200
FIT_TEST_POINTS = 400
FIT_NOISE = 0.15
FIT_REQUIRED_ACCURACY = 0.95


@dataclass(frozen=True)
class FitCase:
    train_points: Points
    train_labels: tuple[float, ...]
    test_points: Points
    test_labels: tuple[float, ...]


@register
class Fit(Task):
    """``fit(X, y)`` returns a model that classifies new two-moons points >= 95 % right."""

    id = "ex07_fit"

    def cases(self, seed: int) -> list[FitCase]:
        train = two_moons(self, seed, "train", FIT_TRAIN_POINTS, FIT_NOISE)
        test = two_moons(self, seed, "test", FIT_TEST_POINTS, FIT_NOISE)
        return [FitCase(*train, *test)]

    def run(self, answer: Any, case: FitCase) -> object:
        __tracebackhide__ = True
        import minigrad

        if answer is None:
            raise CheckFailed("fit is None: define the function first")
        X, y = _tensors(case.train_points, case.train_labels)
        label = f"fit(X, y) on {FIT_TRAIN_POINTS} new two-moons points"
        model = attempt(label, lambda: answer(X, y))
        if model is None:
            raise CheckFailed(f"{label} returned None: did you forget `return model`?")
        if not callable(model):
            raise CheckFailed(f"{label} returned a {_type(model).__name__}; it should return "
                              f"the trained model, which maps points (N, 2) to logits (N, 1)")
        X_test, _ = _tensors(case.test_points, case.test_labels)

        def predict() -> Any:
            with minigrad.no_grad():
                return model(X_test)

        logits = attempt(f"calling the model that fit returned on {FIT_TEST_POINTS} points",
                         predict)
        values = plain_answer(logits, "the model's output")
        flat = _plain.flatten(values)
        if _len(flat) != FIT_TEST_POINTS:
            raise CheckFailed(f"the model's output for {FIT_TEST_POINTS} points has "
                              f"{_plain.format_shape(_plain.shape_of(values))}; it should be one "
                              f"logit per point, shape ({FIT_TEST_POINTS}, 1)")
        return [_INT(value > 0.0) for value in flat]

    def judge(self, case: FitCase, produced: object) -> str | None:
        if _type(produced) is not _LIST or _len(produced) != FIT_TEST_POINTS:
            return "the record of the predictions is malformed"
        right = sum(1 for predicted, label in zip(produced, case.test_labels)
                    if predicted == _INT(label))
        accuracy = right / FIT_TEST_POINTS
        if accuracy >= FIT_REQUIRED_ACCURACY:
            return None
        message = (f"your model classifies {right} of {FIT_TEST_POINTS} new points correctly "
                   f"({100 * accuracy:.1f} %); the task asks for at least "
                   f"{100 * FIT_REQUIRED_ACCURACY:.0f} %")
        if all(p == 1 for p in produced) or all(p == 0 for p in produced):
            return (message + "; it puts every point in the same class. The check reads class 1 "
                    "where the output is > 0: return logits (no final Sigmoid), and check that "
                    "the loss goes down while training")
        if accuracy < 0.92:
            return (message + "; a straight line gets about 87 %: the model needs a hidden layer "
                    "with a nonlinearity (e.g. Linear(2, 16), Tanh, Linear(16, 16), Tanh, "
                    "Linear(16, 1)), and enough steps for the boundary to bend")
        return message + "; train longer or with a larger learning rate, and watch the loss"
