"""Plain data for the checks: answers turned into floats and lists, compared with operators.

A learner's code runs in the same Python process as the checks of an exercise notebook, so
it can rebind any name the checks look up at run time: ``numpy.allclose``,
``math.isclose``, ``builtins.abs``, even ``builtins.isinstance``. This module keeps the
path from an answer to a verdict free of such names:

* the built-in functions it needs are bound here once, when the module is imported (the
  first, locked cell of every exercise imports ``minigrad_course`` before any answer cell
  runs), so a later ``builtins.abs = ...`` does not reach them;
* answers are converted to exact ``float``/``int``/``list`` objects, whose arithmetic and
  comparisons are methods of built-in types: they cannot be replaced from Python;
* closeness is ``|actual - expected| <= atol + rtol * |expected|`` written with ``<``,
  ``-`` and ``*``, never with a library function.

This is only the first layer of defence. Nothing inside the process can be fully
protected from code running in the same process, which is why the grader also re-judges
every answer in its own process (see ``minigrad_course.tasks``).
"""

from __future__ import annotations

import numbers as _numbers
from collections.abc import Sequence

# The built-in types, taken from literals: no later rebinding of a name can change them.
FLOAT = (0.0).__class__
INT = (0).__class__
BOOL = (True).__class__
LIST = [].__class__
TUPLE = ().__class__
STR = "".__class__
DICT = {}.__class__
NONE = (None).__class__

# Built-in functions, bound when this module is first imported (see the module docstring).
_type = type
_isinstance = isinstance
_len = len
_range = range
_getattr = getattr
_callable = callable
_Real = _numbers.Real

# Answers larger than this are not numbers a learner meant to give; refusing them keeps a
# runaway answer from flooding a message or the grader's records.
MAX_ENTRIES = 200_000
MAX_DEPTH = 16


class PlainError(Exception):
    """An answer could not be read as numbers; the message says why, for the learner."""


def is_value_like(obj: object) -> bool:
    """True for a scalar-engine ``Value`` (ours or the learner's): it has data and _prev."""
    return _getattr(obj, "_prev", None) is not None and _getattr(obj, "data", None) is not None


def to_plain(value: object, name: str) -> object:
    """``value`` as a float or a nested list of floats, or a ``PlainError`` saying why not.

    Accepts Python and NumPy numbers, nested lists/tuples of them, NumPy arrays and anything
    with a ``tolist()`` method (minigrad and PyTorch tensors).
    """
    count = [0]
    return _convert(value, name, 0, count)


def _convert(value: object, name: str, depth: int, count: list[int]) -> object:
    kind = _type(value)
    if kind is FLOAT:
        return _counted(value, count)
    if kind is BOOL:
        raise PlainError(f"{name} is {value}, a bool, but should be a number")
    if kind is INT:
        return _counted(FLOAT(value), count)
    if kind is NONE:
        raise PlainError(f"{name} is None")
    if kind is STR:
        raise PlainError(f"{name} is the text {value[:40]!r} but should be a number")
    if depth > MAX_DEPTH:
        raise PlainError(f"{name} is nested more than {MAX_DEPTH} levels deep")
    if kind is LIST or kind is TUPLE:
        return [_convert(item, name, depth + 1, count) for item in value]
    if is_value_like(value):
        raise PlainError(
            f"{name} is a Value ({_short_repr(value)}) but should be a plain number: "
            f"use its number `.data`, or its gradient `.grad`"
        )
    if _isinstance(value, _Real):
        # NumPy scalars and other real numbers. FLOAT(...) calls their __float__, which
        # must return an exact float: from here on only built-in arithmetic is involved.
        return _counted(FLOAT(value), count)
    tolist = _getattr(value, "tolist", None)
    if _callable(tolist) and _getattr(value, "shape", None) is not None:
        try:
            listed = tolist()
        except Exception as error:  # e.g. a tensor that refuses; say so, do not crash
            raise PlainError(f"{name}.tolist() failed: {error}") from None
        return _convert(listed, name, depth + 1, count)
    if _isinstance(value, Sequence):
        return [_convert(item, name, depth + 1, count) for item in value]
    raise PlainError(
        f"{name} is a {_type(value).__name__} but should be a number or a list of numbers"
    )


def _counted(number: float, count: list[int]) -> float:
    count[0] += 1
    if count[0] > MAX_ENTRIES:
        raise PlainError(f"the answer has more than {MAX_ENTRIES} numbers")
    return number


def _short_repr(value: object) -> str:
    try:
        text = repr(value)
    except Exception:
        text = _type(value).__name__
    return text if _len(text) <= 60 else text[:57] + "..."


def shape_of(plain: object) -> tuple[int, ...] | None:
    """The shape of a float or nested list (``()`` for a number), or None when ragged."""
    if _type(plain) is FLOAT:
        return ()
    if _type(plain) is not LIST:
        return None
    shapes = [shape_of(item) for item in plain]
    if not shapes:
        return (0,)
    first = shapes[0]
    for other in shapes:
        if other != first or other is None:
            return None
    return (_len(plain), *first)


def flatten(plain: object) -> list[float]:
    """Every number of a float or nested list, in row-major order."""
    if _type(plain) is not LIST:
        return [plain]
    out: list[float] = []
    stack = [plain]
    # Depth-first with an explicit stack, children pushed in reverse to keep their order.
    while stack:
        item = stack.pop()
        if _type(item) is LIST:
            for index in _range(_len(item) - 1, -1, -1):
                stack.append(item[index])
        else:
            out.append(item)
    return out


def absolute(x: float) -> float:
    """|x| with a comparison instead of ``abs``."""
    return -x if x < 0.0 else x


def is_close(actual: float, expected: float, rtol: float, atol: float) -> bool:
    """|actual - expected| <= atol + rtol * |expected|; False for NaN (NaN is never right)."""
    if actual == expected:  # also equal infinities, whose difference would be NaN
        return True
    return absolute(actual - expected) <= atol + rtol * absolute(expected)


def mismatches(actual: object, expected: object, rtol: float, atol: float) -> list[int]:
    """Flat indices where two plain values of the same shape are not close."""
    flat_actual, flat_expected = flatten(actual), flatten(expected)
    return [
        index
        for index in _range(_len(flat_expected))
        if not is_close(flat_actual[index], flat_expected[index], rtol, atol)
    ]


def format_number(x: float) -> str:
    """A short, readable number: 6 significant digits, no trailing zeros (16, 0.002)."""
    if x != x:
        return "nan"
    text = "%.6g" % x
    return "0" if text == "-0" else text


def format_plain(plain: object, limit: int = 8) -> str:
    """A float or nested list written compactly; long lists are shortened with ``...``."""
    if _type(plain) is not LIST:
        return format_number(plain)
    items = [format_plain(item, limit) for item in plain[:limit]]
    if _len(plain) > limit:
        items.append(f"... ({_len(plain)} entries)")
    return "[" + ", ".join(items) + "]"


def format_shape(shape: tuple[int, ...] | None) -> str:
    if shape is None:
        return "a ragged shape (rows of different lengths)"
    if shape == ():
        return "a single number"
    if _len(shape) == 1:
        return f"a list of {shape[0]} numbers"
    return "shape (" + ", ".join(str(n) for n in shape) + ")"
