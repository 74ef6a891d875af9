"""Graded tasks: one check per graded test cell, judged the same way in and out of the notebook.

How the grades are protected
============================

A learner's notebook runs in one Python process, its kernel, together with the checks in
its test cells. Code in that process can replace anything the checks use (``numpy.allclose``,
``math.isclose``, ``builtins.abs``, the helpers of this package), swallow the exception of a
failed check (``get_ipython().set_custom_exc``), or rewrite the test cells before they run
(an IPython input transformer). No check inside the process can be made safe from code in
the same process, so the grades rest on two layers:

(a) *In the kernel*, checks do not trust rebindable names. ``_plain`` binds the built-ins it
    needs when ``minigrad_course`` is first imported (by the first, locked cell of each
    exercise, before any answer cell runs, or earlier by the guard below), turns answers
    into exact floats and lists and compares them with arithmetic operators, never
    ``numpy.allclose`` or ``math.isclose``. The exercise modules bind ``math.sin`` & co. at
    import in the same way. Each check cell imports the helpers it uses, so redefining
    ``check_task`` in a cell changes nothing. While grading, ``minigrad_course.guard``
    (loaded into the kernel before the notebook runs) puts IPython's input transformers
    and exception handler and the ``minigrad_course`` modules back before every check
    cell. This stops the typical patches, so that a notebook with such a patch scores
    exactly what it scores without it; but it is not a guarantee.

(b) *Outside the kernel*, the grader re-judges. Each graded test cell calls
    ``check_task(task_id, answer)``, where ``task_id`` is the cell's nbgrader ``grade_id``.
    When the environment variable ``MINIGRAD_GRADING_SEED`` is set (the grader sets it,
    with a seed the notebook does not contain), ``check_task`` also runs the answer on
    inputs derived from that seed and publishes what the answer *produced* on every input
    (plain numbers, not a verdict) as an output of the test cell, with the MIME type
    ``application/vnd.minigrad.check+json``. After nbgrader's autograde, the grader reads
    those outputs from the autograded notebook and calls ``judge_record`` in its own
    process, which no submission ever ran in: it rebuilds the inputs from the seed,
    recomputes the expected values and compares. Where nbgrader gave points that this clean
    judgement does not confirm, or where the record is missing, duplicated or malformed,
    the grader overrides the score in nbgrader's gradebook and reports possible tampering.

So a cell's points require, in its own output, data that only a correct answer produces on
inputs chosen by the grader: rebinding a check, swallowing its exception or emptying the
test cell removes the in-kernel failure but not the need for that data. Outputs written
into the submitted file beforehand are erased by nbgrader (``ClearOutput``) and locked test
cells are restored from the gradebook when edited (checksums), so the data must come from
the run itself. What layer (b) cannot tell apart is an answer computed honestly from one
computed by other means (a learner may, for example, call ``minigrad``'s own reference
implementation): that is a matter for reading the code, not for the checker.

Writing a task
==============

This package is the registry; beside it, one module per exercise (``ex01_derivatives`` to
``ex09_checking_gradients``) holds the tasks of that exercise's graded cells. Subclass
``Task`` in a module ``minigrad_course.tasks.exNN_name`` (found automatically), set
``id`` to the grade_id of its test cell, and implement ``cases(seed)`` (the inputs, a
deterministic function of the seed; seed ``SELF_STUDY_SEED`` when a learner runs the
notebook), ``run(answer, case)`` (in the kernel only: apply the learner's answer to one
input and return plain data, using ``attempt``/``call`` for learner code) and
``judge(case, produced)`` (pure: the message of what is wrong, or None).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from .. import _plain
from ..checks import CheckFailed, NotAttempted

__all__ = [
    "GRADING_SEED_VARIABLE",
    "RECORD_MIME_TYPE",
    "SELF_STUDY_SEED",
    "Task",
    "Verdict",
    "all_tasks",
    "check_task",
    "get_task",
    "judge_record",
    "register",
]

GRADING_SEED_VARIABLE = "MINIGRAD_GRADING_SEED"
RECORD_MIME_TYPE = "application/vnd.minigrad.check+json"
# The seed of the cases a learner sees when running the notebook; the grader uses others.
SELF_STUDY_SEED = 0
RECORD_VERSION = 1

_FLOAT = _plain.FLOAT
_INT = _plain.INT
_BOOL = _plain.BOOL
_LIST = _plain.LIST
_DICT = _plain.DICT
_STR = _plain.STR
_type = type
_len = len
_environ = os.environ


class Task:
    """One graded task: its inputs, how to run an answer on them, and how to judge the result."""

    id: ClassVar[str] = ""

    def cases(self, seed: int) -> list[Any]:
        """The inputs to run the answer on: the same list for the same seed, everywhere."""
        raise NotImplementedError

    def run(self, answer: Any, case: Any) -> object:
        """Apply the learner's ``answer`` to ``case`` and return plain data (kernel only)."""
        raise NotImplementedError

    def judge(self, case: Any, produced: object) -> str | None:
        """What is wrong with ``produced`` for ``case``, or None when it is right."""
        raise NotImplementedError

    def rng(self, seed: int) -> random.Random:
        """A random generator for this task and seed, identical on every platform."""
        return random.Random(f"{self.id}:{seed}")


_TASKS: dict[str, Task] = {}


def minigrad_engine() -> Any:
    """The ``minigrad`` package, imported when a task runs rather than when its module is:
    the registry imports every exercise module, and the grader's judge never needs the engine."""
    import minigrad

    return minigrad


def register(cls: type[Task]) -> type[Task]:
    """Class decorator: make the task available to ``check_task`` under ``cls.id``."""
    if not cls.id:
        raise ValueError(f"{cls.__name__} needs an id (the grade_id of its test cell)")
    if cls.id in _TASKS and _type(_TASKS[cls.id]) is not cls:
        raise ValueError(f"two tasks have the id {cls.id!r}")
    _TASKS[cls.id] = cls()
    return cls


def _load_exercise_modules() -> None:
    """Import every ``minigrad_course.tasks.exNN_*`` module, which registers its tasks."""
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("ex") and module.name[2:4].isdigit():
            importlib.import_module(f"{__name__}.{module.name}")


def get_task(task_id: str) -> Task:
    """The registered task ``task_id`` (the grade_id of a graded test cell)."""
    if task_id not in _TASKS:
        _load_exercise_modules()
    try:
        return _TASKS[task_id]
    except KeyError:
        known = ", ".join(sorted(_TASKS)) or "none"
        raise KeyError(f"no graded task is called {task_id!r}; known tasks: {known}") from None


def all_tasks() -> dict[str, Task]:
    """Every registered task, by id."""
    _load_exercise_modules()
    return dict(_TASKS)


def grading_seed() -> int | None:
    """The grader's secret seed when the notebook runs under ``make grade``, else None."""
    text = _environ.get(GRADING_SEED_VARIABLE)
    if text is None:
        return None
    try:
        return _INT(text)
    except ValueError:
        return None


def check_task(task_id: str, answer: Any) -> None:
    """Run graded task ``task_id`` on ``answer``; raise ``CheckFailed`` saying what is wrong.

    ``answer`` is what the task grades: a function, a class, or the learner's numbers. Under
    the grader (``MINIGRAD_GRADING_SEED`` set) the inputs also depend on the grader's seed,
    and what the answer produced is published for the grader to re-judge (module docstring).
    """
    __tracebackhide__ = True
    task = get_task(task_id)
    seed = grading_seed()
    cases = task.cases(SELF_STUDY_SEED if seed is None else seed)
    produced: list[tuple[str, object]] = []
    failure: CheckFailed | None = None
    for case in cases:
        try:
            produced.append(("value", task.run(answer, case)))
        except CheckFailed as error:
            produced.append(("error", str(error)))
            failure = failure or error
        except Exception as error:  # a bug the learner's object triggered in our code
            wrapped = CheckFailed(f"checking {task_id} failed: {_type(error).__name__}: {error}")
            wrapped.__cause__ = error
            produced.append(("error", str(wrapped)))
            failure = failure or wrapped
    if seed is not None:
        _publish(task_id, produced)
    if failure is not None:
        raise failure
    for case, (_, value) in zip(cases, produced):
        message = task.judge(case, value)
        if message is not None:
            raise CheckFailed(message)


# ------------------------------------------------------------------------ records
def encode(value: object) -> object:
    """Plain data as JSON: lists, ints, finite floats; non-finite floats as {"float": "nan"}."""
    kind = _type(value)
    if kind is _FLOAT:
        if value != value or value in (float("inf"), float("-inf")):
            return {"float": repr(value)}
        return value
    if kind is _INT or kind is _STR:
        return value
    if kind is _LIST:
        return [encode(item) for item in value]
    raise TypeError(f"cannot record a {kind.__name__}")


def decode(value: object, depth: int = 0) -> object:
    """The inverse of ``encode``, refusing anything else (records come from untrusted code)."""
    kind = _type(value)
    if kind is _FLOAT or kind is _INT:
        return value
    if kind is _LIST and depth < _plain.MAX_DEPTH:
        return [decode(item, depth + 1) for item in value]
    if kind is _DICT and set(value) == {"float"} and value["float"] in ("nan", "inf", "-inf"):
        return _FLOAT(value["float"])
    raise ValueError(f"unexpected {kind.__name__} in a grading record")


def make_record(task_id: str, produced: list[tuple[str, object]]) -> dict:
    """The record of what an answer produced: ("value", data) or ("error", message) per case."""
    answers = []
    for kind, value in produced:
        if kind == "value":
            try:
                answers.append({"value": encode(value)})
            except TypeError as error:
                answers.append({"error": f"unrecordable answer: {error}"})
        else:
            answers.append({"error": _STR(value)[:500]})
    return {"task": task_id, "version": RECORD_VERSION, "answers": answers}


def _publish(task_id: str, produced: list[tuple[str, object]]) -> None:
    """Publish what the answer produced as an output of the running cell (see docstring)."""
    record = make_record(task_id, produced)
    try:
        from IPython.display import publish_display_data
    except ImportError:  # not in a notebook: nothing will read the record
        return
    publish_display_data(
        {RECORD_MIME_TYPE: record, "text/plain": f"[answers to {task_id} recorded for grading]"}
    )


@dataclass(frozen=True)
class Verdict:
    """The grader's judgement of one graded cell: passed or not, and why."""

    passed: bool
    message: str


def judge_record(task_id: str, record: object, seed: int) -> Verdict:
    """Judge a published record of task ``task_id`` in a clean process, with the grader's seed.

    Only the numbers the answer produced are taken from the record; the inputs and the
    expected results are rebuilt here from ``seed``.
    """
    task = get_task(task_id)
    if _type(record) is not _DICT or record.get("task") != task_id:
        return Verdict(False, f"the grading record of {task_id} is malformed")
    answers = record.get("answers")
    cases = task.cases(seed)
    if _type(answers) is not _LIST or _len(answers) != _len(cases):
        return Verdict(False, f"the grading record of {task_id} has the wrong number of answers")
    for case, answer in zip(cases, answers):
        if _type(answer) is not _DICT:
            return Verdict(False, f"the grading record of {task_id} is malformed")
        if "error" in answer:
            return Verdict(False, _STR(answer["error"])[:500])
        try:
            value = decode(answer["value"])
        except (KeyError, ValueError) as error:
            return Verdict(False, f"the grading record of {task_id} is malformed: {error}")
        try:
            message = task.judge(case, value)
        except Exception as error:  # odd data must fail the check, never crash the grader
            return Verdict(False, f"the recorded answer could not be judged: {error}")
        if message is not None:
            return Verdict(False, message)
    return Verdict(True, "")


# ------------------------------------------------------------------ helpers for tasks
def plain_answer(value: object, name: str) -> object:
    """A learner's answer as plain data (``_plain.to_plain``), with learner messages."""
    __tracebackhide__ = True
    if value is None:
        raise NotAttempted(f"not attempted yet: {name} is still None; give it your answer")
    try:
        return _plain.to_plain(value, name)
    except _plain.PlainError as error:
        raise CheckFailed(str(error)) from None


def plain_number(value: object, name: str) -> float:
    """A learner's single number as an exact float."""
    __tracebackhide__ = True
    plain = plain_answer(value, name)
    if _type(plain) is not _FLOAT:
        raise CheckFailed(f"{name} is {_plain.format_shape(_plain.shape_of(plain))} "
                          f"but should be a single number")
    return plain


def derivative(f: Callable[[float], float], x: float, h: float = 1e-3) -> float:
    """f'(x) by the five-point stencil, error O(h⁴): the grader's own reference slope.

    (-f(x + 2h) + 8 f(x + h) - 8 f(x - h) + f(x - 2h)) / 12h
    """
    return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)


def partial_derivatives(f: Callable[..., float], point: list[float]) -> list[float]:
    """The gradient of ``f(*point)`` by ``derivative`` along each coordinate."""
    grads = []
    for i in range(_len(point)):
        def along(t: float, i: int = i) -> float:
            moved = list(point)
            moved[i] = t
            return f(*moved)
        grads.append(derivative(along, point[i]))
    return grads
