"""Check one exercise notebook and print the score per task: ``make check NOTEBOOK=...``.

This grades the notebook exactly as ``make grade`` would grade it for a class (nbgrader's
autograde in a fresh kernel, the hidden tests of ``solutions/`` restored, the same time
limit, the same out-of-notebook verification), as the only student of a temporary course,
and prints one line per graded check with its points and, when it failed, its message.

    python -m minigrad_course.grading.check exercises/01_derivatives.ipynb [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path

from . import course
from .grade import grade

STUDENT = "you"


@contextlib.contextmanager
def _stderr_to(path: Path) -> Iterator[None]:
    sys.stderr.flush()
    saved = os.dup(2)
    with path.open("w") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def check(notebook: Path, assignment: str | None = None, timeout: int | None = None,
          solutions: Path = course.SOLUTIONS) -> str:
    """The report for one notebook, as text."""
    known = course.assignment_ids(solutions)
    assignment = assignment or notebook.stem
    if assignment not in known:
        raise SystemExit(
            f"{notebook.name} is not named like an exercise ({', '.join(known)}): "
            f"keep the exercise's file name, or pass --assignment NAME"
        )
    if not notebook.is_file():
        raise SystemExit(f"{notebook} does not exist")
    limit = course.configured_timeout(timeout)
    with tempfile.TemporaryDirectory(prefix="minigrad-check-") as tmp:
        folder = Path(tmp) / STUDENT
        folder.mkdir()
        shutil.copyfile(notebook, folder / f"{assignment}.ipynb")
        # nbgrader's database warnings and the kernel's start-up chatter are not for the
        # learner: send this process's stderr (and the kernel's, inherited) to a log file.
        with _stderr_to(Path(tmp) / "check.log"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # One's own notebook may run without the sandbox (it is one's own code).
            (result,) = grade(Path(tmp), solutions=solutions, timeout=limit,
                              echo=lambda line: None, write=False, assignments=[assignment],
                              isolate=False, unsafe=True)
    lines = [f"{notebook}: {assignment}, run in a fresh kernel with the hidden checks "
             f"(time limit {limit} s per cell)", ""]
    width = max([len(task.grade_id) for task in result.tasks] + [len("task")])
    lines.append(f"{'task':<{width}}  {'points':>9}  result")
    for task in result.tasks:
        points = f"{task.score:g} / {task.max_score:g}"
        lines.append(f"{task.grade_id:<{width}}  {points:>9}  {task.status}")
        if task.message and task.status != "passed":
            for line in textwrap.wrap(task.message, 96):
                lines.append(f"{'':<{width}}    {line}")
    total = f"{result.score:g} / {result.max_score:g}"
    lines.append(f"{'total':<{width}}  {total:>9}")
    for note in result.notes:
        lines += textwrap.wrap(note, 100, initial_indent="note: ", subsequent_indent="      ")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check one exercise notebook and print the "
                                                 "score per task.")
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--assignment", default=None,
                        help="the exercise it answers (default: from the file name)")
    parser.add_argument("--timeout", type=int, default=None,
                        help="per-cell time limit in seconds (default: $MINIGRAD_GRADING_TIMEOUT, "
                             "else Execute.timeout of minigrad_course/grading/nbgrader_config.py)")
    args = parser.parse_args(argv)
    print(check(args.notebook, args.assignment, args.timeout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
