"""Re-judge every graded cell outside the notebook, and withdraw unconfirmed points.

This is layer (b) of the design in ``minigrad_course.tasks``. nbgrader's verdict for a
test cell is "no error appeared in its output", which code in the notebook can arrange.
So after ``nbgrader autograde``, for each graded cell of each autograded notebook, this
module takes the answers the cell's ``check_task`` recorded on the grader's inputs and
judges them again here, in the grader's process, with ``judge_record``. Where nbgrader gave
points that this judgement does not confirm (answers wrong, record missing, duplicated or
malformed), it sets the cell's manual score to 0 in nbgrader's gradebook, so that the
feedback, the export and every later nbgrader command agree, and reports possible
tampering.

With an existing nbgrader course, run autograde with a secret seed in the environment,
then this module on the course directory with the same seed::

    MINIGRAD_GRADING_SEED=8271 nbgrader autograde 01_derivatives
    python -m minigrad_course.grading.verify /path/to/course --seed 8271
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from ..tasks import RECORD_MIME_TYPE, all_tasks, judge_record

TIMEOUT_ERROR = "CellTimeoutError"


@dataclass
class TaskResult:
    """One graded cell of one submission after verification."""

    grade_id: str
    max_score: float
    nbgrader_score: float
    score: float
    status: str  # passed, failed, not attempted, timed out, withdrawn, unverified
    message: str


def graded_cells(notebook: nbformat.NotebookNode) -> list[tuple[int, nbformat.NotebookNode]]:
    """(position, cell) of every graded cell, by nbgrader's metadata."""
    found = []
    for index, cell in enumerate(notebook.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            found.append((index, cell))
    return found


def records_of(cell: nbformat.NotebookNode) -> list[Any]:
    """The grading records a cell published while it ran (normally exactly one)."""
    # Through JSON and back: plain dicts and lists, as ``judge_record`` expects.
    return [json.loads(json.dumps(output["data"][RECORD_MIME_TYPE]))
            for output in cell.get("outputs", [])
            if output.get("output_type") in ("display_data", "execute_result")
            and RECORD_MIME_TYPE in output.get("data", {})]


def error_of(cell: nbformat.NotebookNode) -> tuple[str, str] | None:
    """(ename, evalue) of the last error shown by a cell, or None."""
    errors = [output for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    if not errors:
        return None
    return str(errors[-1].get("ename", "")), str(errors[-1].get("evalue", ""))


def timed_out(cell: nbformat.NotebookNode) -> bool:
    return any(output.get("output_type") == "error" and output.get("ename") == TIMEOUT_ERROR
               for output in cell.get("outputs", []))


def judge_cell(grade_id: str, cell: nbformat.NotebookNode, seed: int) -> tuple[bool | None, str]:
    """(confirmed, reason) for one graded cell; confirmed is None for unregistered cells."""
    if grade_id not in all_tasks():
        return None, "no registered task: nbgrader's verdict is taken as it is"
    records = records_of(cell)
    if not records:
        return False, "its check did not record any answers (did the check run as written?)"
    if len(records) > 1:
        return False, f"its check recorded answers {len(records)} times instead of once"
    verdict = judge_record(grade_id, records[0], seed)
    return verdict.passed, verdict.message


def verify_submission(gradebook: Any, notebook: nbformat.NotebookNode, assignment: str,
                      notebook_id: str, student: str, seed: int, timeout: int | None = None
                      ) -> tuple[list[TaskResult], list[str]]:
    """Judge every graded cell of an autograded notebook; override unconfirmed points.

    Returns the per-cell results and the lines to report (timeouts, possible tampering).
    """
    results: list[TaskResult] = []
    notes: list[str] = []
    withdrawn: list[str] = []
    for _, cell in graded_cells(notebook):
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        grade = gradebook.find_grade(grade_id, notebook_id, assignment, student)
        nbgrader_score = float(grade.auto_score or 0.0)
        max_score = float(grade.max_score)
        error = error_of(cell)
        confirmed, reason = judge_cell(grade_id, cell, seed)
        if timed_out(cell):
            status, message = "timed out", f"stopped after {timeout or '?'} s"
        elif error is not None:
            ename, evalue = error
            status = "not attempted" if ename == "NotAttempted" else "failed"
            # A check's own message says everything; other errors need their type.
            message = evalue if ename in ("CheckFailed", "NotAttempted") else f"{ename}: {evalue}"
        elif nbgrader_score > 0 and confirmed is False:
            status, message = "withdrawn", reason
        else:
            status, message = ("passed" if nbgrader_score >= max_score else "failed"), ""
        score = nbgrader_score
        if nbgrader_score > 0 and confirmed is False:
            # Points nbgrader gave but the clean judgement does not confirm: withdraw them
            # in the gradebook itself, where feedback and export will read them, and flag
            # the cell for a human look in nbgrader's formgrader.
            grade.manual_score = 0.0
            grade.needs_manual_grade = True
            score = 0.0
            status = "withdrawn"
            message = reason
            withdrawn.append(f"{grade_id} ({_points(nbgrader_score)}): {reason}")
        if confirmed is None and nbgrader_score > 0:
            message = message or reason
            status = "unverified"
        results.append(TaskResult(grade_id, max_score, nbgrader_score, score, status, message))
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and timed_out(cell):
            meta = cell.get("metadata", {}).get("nbgrader", {})
            where = meta.get("grade_id") or "an ordinary cell"
            notes.append(f"time limit: cell {index + 1} ({where}) ran longer than "
                         f"{timeout or 'the limit of'} s and was stopped; the other cells were "
                         f"graded")
    if withdrawn:
        gradebook.db.commit()
        notes.append("possible tampering, points withdrawn (and flagged for review in "
                     "nbgrader's formgrader): nbgrader saw these checks pass, but the answers "
                     "they recorded do not confirm it: " + "; ".join(withdrawn))
    return results, notes


def _points(score: float) -> str:
    return f"{score:g} point" + ("" if score == 1 else "s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Re-judge autograded minigrad exercises "
                                                 "outside the notebooks (see module docstring).")
    parser.add_argument("course", type=Path, help="the nbgrader course directory")
    parser.add_argument("--seed", type=int, required=True,
                        help="the MINIGRAD_GRADING_SEED that autograde ran with")
    parser.add_argument("--assignment", default="*")
    parser.add_argument("--student", default="*")
    parser.add_argument("--course-id", default="default_course",
                        help="the course id of the gradebook (nbgrader's default)")
    args = parser.parse_args(argv)

    from nbgrader.api import Gradebook

    root = args.course.resolve()
    pattern = f"{args.student}/{args.assignment}/*.ipynb"
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", args.course_id) as gradebook:
        for path in sorted((root / "autograded").glob(pattern)):
            student, assignment = path.parent.parent.name, path.parent.name
            notebook = nbformat.read(path, as_version=4)
            results, notes = verify_submission(gradebook, notebook, assignment, path.stem,
                                               student, args.seed)
            total = sum(result.score for result in results)
            possible = sum(result.max_score for result in results)
            print(f"{student:<16} {assignment:<24} {total:g} / {possible:g}")
            for note in notes:
                print(f"    {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
