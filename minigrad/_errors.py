"""PyTorch's errors, with minigrad's hints for learners beside them.

Where minigrad has more to say than PyTorch (the shapes involved, what to do), ``str(error)``
stays PyTorch's message word for word, so that code which reads it, a search for it, and
the course's comparisons with PyTorch all see the same text; the hint is attached as an
exception note (PEP 678, Python 3.11+), which a traceback prints under the message. On
Python 3.10 the note is left out and the message stays PyTorch's.
"""

from __future__ import annotations


def with_hint(error: BaseException, hint: str) -> BaseException:
    """``error`` with ``hint`` as a note: ``raise with_hint(RuntimeError(message), hint)``."""
    if hasattr(error, "add_note"):
        error.add_note(hint)
    return error
