"""Refuse answers that call the package's own version of what a task asks to implement.

A task such as "build the Jacobian from one backward pass per row" is passed, number for
number, by ``torch.autograd.functional.jacobian``: the numbers cannot tell the two apart.
So a task that asks to implement something ``minigrad`` already has names it, with
``@refuses(Shortcut(...), ...)``, and every answer is inspected twice:

- *in its code*: the names the answer's code objects use (its own, those of the functions
  and classes nested in it, and those of the learner's helper functions it calls) are
  resolved in their globals and closures, following attribute chains such as
  ``torch.autograd.functional.jacobian`` through the modules and classes they reach. If one
  resolves to a forbidden object, the answer uses it, whether it was imported under another
  name or not;
- *while it runs* (shortcuts marked ``watch=True``, functions that nothing else in the
  engine calls): the function is replaced in its module by a sentinel that records the call
  and then does the real work, so a call made through ``getattr``, ``importlib`` or a helper
  in another module is seen too.

What the answer produced is then recorded as ``[shortcut, value]``, where ``shortcut`` is 0
or the 1-based number of the first shortcut found, so that the grader's judgement outside
the notebook (``judge_record``) refuses it as well: such an answer earns zero, with a line
that names the call and says why it does not count. The detection errs on the side of the
learner: only a reference that resolves to the forbidden object itself counts, never a
name that merely looks alike (a learner's own function called ``jacobian`` is fine).
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .. import _plain

__all__ = ["Shortcut", "refuses", "shortcut_used"]

_type = type
_isinstance = isinstance
_len = len
_getattr = getattr
_FLOAT = _plain.FLOAT
_LIST = _plain.LIST
# How deep an attribute chain (torch.autograd.functional.jacobian) and the learner's own
# helpers (a function calling a function calling ...) are followed.
_MAX_DEPTH = 6


@dataclass(frozen=True)
class Shortcut:
    """A function of the package a task's answer must not call.

    ``module`` and ``name`` locate it (``minigrad.autograd.functional``, ``jacobian``);
    ``shown`` is how a learner writes it (``torch.autograd.functional.jacobian``); ``why``
    finishes the sentence "it does not count because ...". ``watch`` replaces it by a
    recording sentinel while the answer runs (only for functions the engine itself never
    calls on a learner's behalf, or every ``backward()`` would be reported).
    """

    module: str
    name: str
    shown: str
    why: str
    watch: bool = True

    def target(self) -> Any:
        return _getattr(importlib.import_module(self.module), self.name)

    def message(self, label: str) -> str:
        return (f"{label} calls {self.shown}, the package's own version of what this task asks "
                f"you to write: {self.why}, so an answer that calls it earns no points here; "
                f"write it with the steps the task describes")


# ------------------------------------------------------------------ reading the code
def _functions_of(obj: Any) -> list[Any]:
    """The Python functions that make up an answer: itself, or a class's methods."""
    if _isinstance(obj, (staticmethod, classmethod)):
        obj = obj.__func__
    if _isinstance(obj, types.MethodType):
        obj = obj.__func__
    if _isinstance(obj, types.FunctionType):
        return [obj]
    if _isinstance(obj, _type):
        found = []
        for klass in obj.__mro__:
            if klass.__module__.split(".")[0] in ("minigrad", "builtins"):
                continue  # the package's own classes are not the answer
            for value in vars(klass).values():
                if _isinstance(value, property):
                    value = value.fget
                if not _isinstance(value, _type):  # nested classes are reached by name
                    found.extend(_functions_of(value))
        return found
    return []


def _codes(code: types.CodeType) -> Iterator[types.CodeType]:
    """A code object and the code objects nested in it (lambdas, inner functions, classes)."""
    yield code
    for constant in code.co_consts:
        if _isinstance(constant, types.CodeType):
            yield from _codes(constant)


def _is_learner_code(function: Any) -> bool:
    module = _getattr(function, "__module__", None) or ""
    return module.split(".")[0] not in ("minigrad", "minigrad_course", "numpy", "builtins")


def shortcut_used(answer: Any, shortcuts: tuple[Shortcut, ...]) -> int:
    """The 1-based number of the first shortcut the answer's code refers to, or 0."""
    targets = []
    for shortcut in shortcuts:
        try:
            targets.append(shortcut.target())
        except (ImportError, AttributeError):
            targets.append(None)
    for number, target in enumerate(targets, start=1):
        if target is not None and answer is target:
            return number  # the package's function handed in as the answer
    seen: set[int] = set()
    pending = [(function, 0) for function in _functions_of(answer)]
    while pending:
        function, depth = pending.pop()
        if id(function) in seen or depth > _MAX_DEPTH:
            continue
        seen.add(id(function))
        names: set[str] = set()
        for code in _codes(function.__code__):
            names.update(code.co_names)
            names.update(code.co_freevars)
        scope: dict[str, Any] = dict(_getattr(function, "__globals__", {}))
        for name, cell in zip(function.__code__.co_freevars, function.__closure__ or ()):
            try:
                scope[name] = cell.cell_contents
            except ValueError:  # a cell not filled yet
                continue
        # Everything the names reach: globals and closures, then attributes named in the code.
        reached = [scope[name] for name in names if name in scope]
        # ``from minigrad.autograd import functional`` inside the function names the module.
        reached += [sys.modules[name] for name in names if name in sys.modules]
        frontier = list(reached)
        for _ in range(_MAX_DEPTH):
            following = []
            for obj in frontier:
                if _isinstance(obj, (types.ModuleType, _type)):
                    for name in names:
                        try:
                            following.append(_getattr(obj, name))
                        except Exception:  # noqa: BLE001 - any failing attribute just is not there
                            continue
            reached.extend(following)
            frontier = following
        for obj in reached:
            for number, target in enumerate(targets, start=1):
                if target is not None and obj is target:
                    return number
            for inner in _functions_of(obj):
                if _is_learner_code(inner):
                    pending.append((inner, depth + 1))
    return 0


# ------------------------------------------------------------ watching while it runs
@contextmanager
def _watching(shortcuts: tuple[Shortcut, ...], called: list[int]) -> Iterator[None]:
    """Replace the watched shortcuts by sentinels that note their number in ``called``."""
    replaced = []
    try:
        for number, shortcut in enumerate(shortcuts, start=1):
            if not shortcut.watch:
                continue
            module = importlib.import_module(shortcut.module)
            original = _getattr(module, shortcut.name)

            def sentinel(*args: Any, _original: Any = original, _number: int = number,
                         **kwargs: Any) -> Any:
                called.append(_number)
                return _original(*args, **kwargs)

            setattr(module, shortcut.name, sentinel)
            replaced.append((module, shortcut.name, original))
        yield
    finally:
        for module, name, original in reversed(replaced):
            setattr(module, name, original)


def refuses(*shortcuts: Shortcut, label: str = "your answer") -> Callable[[type], type]:
    """Class decorator for a ``Task``: refuse answers that use one of ``shortcuts``.

    The task's ``run`` then returns ``[shortcut number or 0, what run returned]`` and its
    ``judge`` reports the shortcut before judging the value (module docstring).
    """

    def decorate(cls: type) -> type:
        run, judge = cls.run, cls.judge

        def run_refusing(self: Any, answer: Any, case: Any) -> object:
            __tracebackhide__ = True
            found = shortcut_used(answer, shortcuts) if answer is not None else 0
            called: list[int] = []
            with _watching(shortcuts, called):
                value = run(self, answer, case)
            if not found and called:
                found = called[0]
            return [_FLOAT(found), value]

        def judge_refusing(self: Any, case: Any, produced: object) -> str | None:
            if _type(produced) is not _LIST or _len(produced) != 2 or \
                    _type(produced[0]) is not _FLOAT:
                return f"the answer to {cls.id} was recorded in an unexpected form"
            number = produced[0]
            if number != 0.0:
                index = int(number) - 1
                if not (0 <= index < _len(shortcuts)) or index + 1 != number:
                    return f"the answer to {cls.id} was recorded in an unexpected form"
                return shortcuts[index].message(label)
            return judge(self, case, produced[1])

        cls.run, cls.judge = run_refusing, judge_refusing
        # For tests: the judgement of the values alone, as if no shortcut had been used.
        cls.shortcuts, cls.judge_value = shortcuts, judge
        return cls

    return decorate


def functional_shortcuts(why: str) -> tuple[Shortcut, ...]:
    """Every function of ``torch.autograd.functional``, refused for the same reason."""
    return tuple(Shortcut("minigrad.autograd.functional", name,
                          f"torch.autograd.functional.{name}", why)
                 for name in ("jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"))
