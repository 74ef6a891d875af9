"""The course's exercise checks and its grader: course infrastructure, not part of the engine.

``minigrad`` is the autograd engine a learner reads; this package is what the exercise
notebooks and the instructor use around it. An exercise's check cell imports from here::

    from minigrad_course import check_close, call
    check_close("b.grad", b.grad, [1.2, 16, 0.002], hint="did you apply the chain rule to b²?")

fails with ``CheckFailed: b.grad is [0.6, 8, 0.001] but should be [1.2, 16, 0.002] (wrong in
every entry); did you apply the chain rule to b²?``. ``call(f, *args)`` runs a learner's
function and reports "not attempted yet" (``NotImplementedError``) or a forgotten
``return`` (``None``) in plain words. A graded check cell calls
``check_task(grade_id, answer)``, which runs the registered task of that cell; the grader
also re-judges its results outside the notebook. The locked self-check cell after a graded
prediction opens with ``commit_prediction(grade_id, prediction)``, which refuses to show the
truth before the prediction is given and records it (``tasks/commitments.py``).

What lives where:

- ``checks``: ``check_close`` & co. and the messages a learner reads;
- ``_plain``: answers turned into plain floats and lists, compared with operators only, with
  the built-ins bound when this package is first imported;
- ``tasks``: the graded tasks, registered by the ``grade_id`` of their cell, and the
  grading record protocol; its docstring explains how the grades are protected.
  ``tasks/exNN_name.py`` holds the tasks of exercise ``exercises/NN_name.ipynb``;
- ``guard``: while a notebook is graded, puts the checks back before each check cell runs;
- ``grading``: the instructor's side, built on nbgrader: ``make exercises`` (exercises/ from
  solutions/), ``make check``, ``make grade`` and the settings in
  ``grading/nbgrader_config.py``.
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
from .tasks.commitments import commit_prediction

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
    "commit_prediction",
]
