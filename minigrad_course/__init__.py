"""Checks for the exercises: feedback a learner can act on, and grades a teacher can trust.

For learners, in a test cell::

    from minigrad.testing import check_close, call
    check_close("b.grad", b.grad, [1.2, 16, 0.002], hint="did you apply the chain rule to b²?")

fails with ``CheckFailed: b.grad is [0.6, 8, 0.001] but should be [1.2, 16, 0.002] (wrong in
every entry); did you apply the chain rule to b²?``. ``call(f, *args)`` runs a learner's
function and reports "not attempted yet" (``NotImplementedError``) or a forgotten
``return`` (``None``) in plain words.

For graded test cells, ``check_task(grade_id, answer)`` runs the registered task of that
cell (``minigrad.testing.tasks``), whose results the grader also re-judges outside the
notebook; the module docstring of ``minigrad.testing.tasks`` explains why.
"""

from .checks import (
    CheckFailed,
    NotAttempted,
    call,
    check_close,
    check_dtype,
    check_shape,
    check_type,
)
from .tasks import check_task, grading_seed

# While a notebook is graded, keep its check cells running as written (see guard.py).
if grading_seed() is not None:
    from . import guard

    guard.install()

__all__ = [
    "CheckFailed",
    "NotAttempted",
    "call",
    "check_close",
    "check_dtype",
    "check_shape",
    "check_task",
    "check_type",
]
