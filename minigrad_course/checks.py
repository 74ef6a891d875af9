"""Checks that say what is wrong in words a learner can act on.

Every failed check raises ``CheckFailed`` (a subclass of ``AssertionError``, so nbgrader and
pytest count it as a failed test) whose message names the answer, what it is, what it
should be, and a hint, e.g.::

    b_grad is [-6, 0.25, -8], which is wrong in every entry; you differentiated b² but
    dropped the factor 2 of 2b²: d(2b²)/db = 4b

An exercise that was not touched yet (its function still raises ``NotImplementedError``,
or its answer is still ``None``) raises ``NotAttempted`` instead, whose message starts with
"not attempted yet".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import _plain
from ._plain import PlainError

__all__ = [
    "CheckFailed",
    "NotAttempted",
    "call",
    "check_close",
    "check_dtype",
    "check_shape",
    "check_type",
]

_type = type
_isinstance = isinstance
_len = len
_getattr = getattr


# The checking functions set ``__tracebackhide__ = True``: IPython then leaves their frames
# out of a traceback, so a failed check shows the learner's line and the message, not the
# inside of the checking code.


class CheckFailed(AssertionError):
    """A check of an exercise failed; the message says what is wrong and what to try."""


class NotAttempted(CheckFailed):
    """The answer is still the blank of the exercise (NotImplementedError or None)."""


def attempt(label: str, thunk: Callable[[], Any], hints: dict[type, str] | None = None) -> Any:
    """Run learner code ``thunk``; turn its failures into ``CheckFailed`` messages about ``label``.

    ``NotImplementedError`` means the exercise was left blank; any other exception is
    reported with its type and message (and chained, so the traceback still shows the
    learner's line). ``hints`` adds advice for specific exception types.
    """
    __tracebackhide__ = True
    try:
        return thunk()
    except NotImplementedError:
        raise NotAttempted(
            f"not attempted yet: {label} raised NotImplementedError; replace the line "
            f"`raise NotImplementedError()` with your code"
        ) from None
    except CheckFailed:
        raise
    except Exception as error:
        message = f"{label} raised {_type(error).__name__}: {_first_line(error)}"
        for kind, hint in (hints or {}).items():
            if _isinstance(error, kind):
                message += f"; {hint}"
                break
        raise CheckFailed(message) from error


def call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)`` for a learner's function, with clear messages.

    Not attempted yet (``NotImplementedError``), a forgotten ``return`` (``None``) and an
    exception are each reported as a ``CheckFailed`` that names the call.
    """
    __tracebackhide__ = True
    label = describe_call(function, args, kwargs)
    if function is None:
        raise NotAttempted(f"not attempted yet: the function of {label} is still None")
    result = attempt(label, lambda: function(*args, **kwargs))
    if result is None:
        raise CheckFailed(f"{label} returned None: did you forget `return`?")
    return result


def check_close(
    name: str,
    actual: object,
    expected: object,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    hint: str | None = None,
    mistakes: Sequence[tuple[object, str]] = (),
    reveal: bool = True,
) -> None:
    """Check |actual - expected| <= atol + rtol·|expected|, entry by entry.

    Both may be numbers, nested lists, NumPy arrays or tensors. ``mistakes`` lists
    ``(wrong_answer, hint)`` pairs: when ``actual`` is close to a known wrong answer, its hint
    replaces the general ``hint``. With ``reveal=False`` the message says which entries are
    wrong but never shows the expected numbers (for answers the learner must predict).
    """
    __tracebackhide__ = True
    if actual is None:
        raise NotAttempted(f"not attempted yet: {name} is still None; give it your answer")
    message = compare(name, actual, expected, rtol=rtol, atol=atol, hint=hint,
                      mistakes=mistakes, reveal=reveal)
    if message is not None:
        raise CheckFailed(message)


def compare(
    name: str,
    actual: object,
    expected: object,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    hint: str | None = None,
    mistakes: Sequence[tuple[object, str]] = (),
    reveal: bool = True,
) -> str | None:
    """The message ``check_close`` would raise, or None when ``actual`` is close enough."""
    try:
        actual_plain = _plain.to_plain(actual, name)
    except PlainError as error:
        return str(error)
    expected_plain = _plain.to_plain(expected, "expected")
    actual_shape = _plain.shape_of(actual_plain)
    expected_shape = _plain.shape_of(expected_plain)
    if actual_shape != expected_shape:
        return (
            f"{name} is {_plain.format_shape(actual_shape)} but should be "
            f"{_plain.format_shape(expected_shape)}"
        )
    wrong = _plain.mismatches(actual_plain, expected_plain, rtol, atol)
    if not wrong:
        return None
    for wrong_answer, mistake_hint in mistakes:
        wrong_plain = _plain.to_plain(wrong_answer, "mistake")
        if (
            _plain.shape_of(wrong_plain) == expected_shape
            and not _plain.mismatches(actual_plain, wrong_plain, rtol, atol)
        ):
            hint = mistake_hint
            break
    shown = _plain.format_plain(actual_plain)
    where = ""
    if expected_shape != ():
        total = _len(_plain.flatten(expected_plain))
        if _len(wrong) < total:
            where = f" at {_entries(wrong)}"
        elif total > 1:
            where = " in every entry"
    if reveal:
        message = f"{name} is {shown} but should be {_plain.format_plain(expected_plain)}"
        if where:
            message += f" (wrong{where})"
    else:
        message = f"{name} is {shown}, which is wrong{where}"
    if hint:
        message += f"; {hint}"
    return message


def check_shape(
    name: str, actual: object, shape: Sequence[int], *, hint: str | None = None
) -> None:
    """Check ``actual.shape`` (arrays, tensors) or the nesting of a list against ``shape``."""
    __tracebackhide__ = True
    if actual is None:
        raise NotAttempted(f"not attempted yet: {name} is still None; give it your answer")
    found = _getattr(actual, "shape", None)
    if found is None:
        try:
            found = _plain.shape_of(_plain.to_plain(actual, name))
        except PlainError as error:
            raise CheckFailed(str(error)) from None
    found = tuple(found) if found is not None else None
    if found != tuple(shape):
        message = (
            f"{name} has {_plain.format_shape(found)} but should have "
            f"{_plain.format_shape(tuple(shape))}"
        )
        raise CheckFailed(message + (f"; {hint}" if hint else ""))


def check_dtype(name: str, actual: object, dtype: object, *, hint: str | None = None) -> None:
    """Check ``actual.dtype`` (a NumPy array or a tensor) against ``dtype``."""
    __tracebackhide__ = True
    found = _getattr(actual, "dtype", None)
    if found is None:
        raise CheckFailed(f"{name} is a {_type(actual).__name__}, which has no dtype; "
                          f"expected an array or a tensor of dtype {_dtype_name(dtype)}")
    if _dtype_name(found) != _dtype_name(dtype):
        message = f"{name}.dtype is {_dtype_name(found)} but should be {_dtype_name(dtype)}"
        raise CheckFailed(message + (f"; {hint}" if hint else ""))


def check_type(name: str, actual: object, expected: type | tuple[type, ...], *,
               hint: str | None = None) -> None:
    """Check that ``actual`` is an instance of ``expected`` (a type or a tuple of types)."""
    __tracebackhide__ = True
    if _isinstance(actual, expected):
        return
    if actual is None:
        raise NotAttempted(f"not attempted yet: {name} is still None; give it your answer")
    kinds = expected if _isinstance(expected, tuple) else (expected,)
    wanted = " or ".join(_a(kind.__name__) for kind in kinds)
    message = f"{name} is {_a(_type(actual).__name__)} but should be {wanted}"
    raise CheckFailed(message + (f"; {hint}" if hint else ""))


def describe_call(function: object, args: Sequence[object], kwargs: dict[str, object]) -> str:
    """``name(arg, ...)`` for messages: numbers written short, functions by their name."""
    name = _getattr(function, "__name__", None) or "the function"
    parts = [_describe_argument(arg) for arg in args]
    parts += [f"{key}={_describe_argument(value)}" for key, value in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _describe_argument(value: object) -> str:
    if _type(value) is _plain.FLOAT:
        return _plain.format_number(value)
    if _type(value) in (_plain.INT, _plain.BOOL, _plain.STR):
        return repr(value)
    name = _getattr(value, "__name__", None)
    if callable(value) and name:
        return name
    if _type(value) in (_plain.LIST, _plain.TUPLE) and _len(value) <= 8:
        try:
            return _plain.format_plain(_plain.to_plain(value, "argument"))
        except PlainError:
            pass
    text = repr(value)
    return text if _len(text) <= 40 else text[:37] + "..."


def _a(noun: str) -> str:
    """'a float', 'an int'."""
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _entries(indices: list[int]) -> str:
    shown = [str(i) for i in indices[:6]]
    if _len(indices) > 6:
        shown.append(f"... ({_len(indices)} entries)")
    if _len(shown) == 1:
        return f"entry {shown[0]}"
    return "entries " + ", ".join(shown[:-1]) + " and " + shown[-1]


def _first_line(error: BaseException) -> str:
    """The error's first line, and minigrad's hint for learners when it attached one (PyTorch's
    message stays as PyTorch says it; minigrad adds its hint as an exception note)."""
    text = str(error).strip().splitlines()
    line = text[0] if text else ""
    line = line if _len(line) <= 200 else line[:197] + "..."
    notes = _getattr(error, "__notes__", None)
    if notes:
        hint = str(notes[0])
        line += " (" + (hint if _len(hint) <= 200 else hint[:197] + "...") + ")"
    return line


def _dtype_name(dtype: object) -> str:
    name = _getattr(dtype, "name", None)
    if _type(name) is _plain.STR:
        return name
    text = str(dtype)
    for prefix in ("torch.", "minigrad."):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text
