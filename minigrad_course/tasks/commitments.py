"""Committed predictions: the truth is shown only after the prediction is given, and kept.

A prediction task ("what will ``x.grad`` be after the third call?") is worth points only if
the learner answered before seeing the answer. The exercises show the answer in a
self-check cell right after the graded one, so that a learner working alone gets immediate
feedback; without more, a learner could run it and type in what it printed. So the
self-check cell is a locked (read-only) cell that opens with::

    from minigrad_course import commit_prediction
    commit_prediction("ex08_predict_third_derivative", third_derivative)

which

- refuses to run (``NotAttempted``, the rest of the cell does not run) while the
  prediction is still blank, so the truth is never shown before a prediction exists;
- otherwise records the prediction as an output of the cell, MIME type
  ``COMMITMENT_MIME_TYPE``: what the task's ``run`` makes of it (the same plain data the
  grading records hold), both the *first* prediction shown the truth in this kernel and
  the current one.

The notebook a learner hands in keeps that output. ``committed_records`` reads it from the
submitted file (before nbgrader clears outputs to run the notebook again), and
``judge_commitment`` judges the first committed prediction, in a clean process, exactly as
``judge_record`` judges a graded cell: a learner who changes the answer after seeing the
truth earns what the committed prediction earned. A learner who never ran the self-check
never saw the truth there, and the graded cell's own verdict stands.

Why this and not a prediction asked as a function of hidden inputs: the point of these
tasks is to predict the behaviour of *one* concrete snippet (accumulation over five calls,
version counters), which a function of inputs would turn into an implementation task. Tasks
where the idea generalises are asked as functions instead (e.g. ``ex01_error_order``).

As everything in the kernel, the record can be forged by editing the file; like the locked
cells' checksums, it makes copying the truth a deliberate act rather than an accident.
"""

from __future__ import annotations

import json
from typing import Any

from .. import _plain
from ..checks import CheckFailed, NotAttempted
from . import SELF_STUDY_SEED, Verdict, decode, encode, get_task

__all__ = ["COMMITMENT_MIME_TYPE", "commit_prediction", "committed_records", "judge_commitment"]

COMMITMENT_MIME_TYPE = "application/vnd.minigrad.commitment+json"
COMMITMENT_VERSION = 1

_type = type
_len = len
_DICT = _plain.DICT
_LIST = _plain.LIST
_STR = _plain.STR

# The first prediction each task's self-check showed the truth for, in this kernel.
_FIRST: dict[str, list[object]] = {}


def _produced(task_id: str, prediction: Any) -> list[object]:
    """What the task's ``run`` makes of the prediction on the self-study cases."""
    __tracebackhide__ = True
    task = get_task(task_id)
    return [task.run(prediction, case) for case in task.cases(SELF_STUDY_SEED)]


def commit_prediction(task_id: str, prediction: Any) -> None:
    """Refuse to go on while ``prediction`` is blank; record it, then let the cell show the truth."""
    __tracebackhide__ = True
    blank = prediction is None or (_type(prediction) in (_LIST, _plain.TUPLE)
                                   and any(part is None for part in prediction))
    try:
        if blank:
            raise NotAttempted("blank")
        produced = _produced(task_id, prediction)
    except NotAttempted:
        raise NotAttempted(
            "make your prediction first: this cell shows the true values only once your "
            "prediction is filled in above, and it records the prediction it was shown with; "
            "changing it afterwards does not change the grade") from None
    except CheckFailed as error:
        raise CheckFailed(f"your prediction cannot be recorded yet: {error}") from None
    first = _FIRST.setdefault(task_id, produced)
    record = {"task": task_id, "version": COMMITMENT_VERSION,
              "first": encode(first), "current": encode(produced)}
    text = f"[prediction for {task_id} recorded before showing the truth]"
    try:
        from IPython.display import publish_display_data
    except ImportError:  # not in a notebook: nothing keeps the record
        return
    publish_display_data({COMMITMENT_MIME_TYPE: record, "text/plain": text})


def committed_records(notebook: Any) -> dict[str, object]:
    """The commitment record of each task found in the stored outputs of ``notebook`` (an
    nbformat notebook or its JSON as dicts), the first one in cell order."""
    found: dict[str, object] = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            record = output.get("data", {}).get(COMMITMENT_MIME_TYPE)
            if not isinstance(record, dict):
                continue
            # Through JSON and back: plain dicts and lists (nbformat's are subclasses).
            record = json.loads(json.dumps(record))
            if _type(record.get("task")) is _STR:
                found.setdefault(record["task"], record)
    return found


def judge_commitment(task_id: str, record: object, seed: int) -> Verdict:
    """Judge the first committed prediction of ``record`` as the grader judges a record."""
    task = get_task(task_id)
    if _type(record) is not _DICT or record.get("task") != task_id:
        return Verdict(False, f"the recorded prediction of {task_id} is malformed")
    try:
        first = decode(record["first"])
    except (KeyError, ValueError) as error:
        return Verdict(False, f"the recorded prediction of {task_id} is malformed: {error}")
    cases = task.cases(seed)
    if _type(first) is not _LIST or _len(first) != _len(cases):
        return Verdict(False, f"the recorded prediction of {task_id} is malformed")
    for case, value in zip(cases, first):
        try:
            message = task.judge(case, value)
        except Exception as error:  # odd data must fail, never crash the grader
            return Verdict(False, f"the recorded prediction could not be judged: {error}")
        if message is not None:
            return Verdict(False, f"the prediction you committed before the self-check showed "
                                  f"the truth: {message}")
    return Verdict(True, "")
