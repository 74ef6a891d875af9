"""Grade a class's notebooks with nbgrader: ``make grade SUBMISSIONS=dir``.

``dir/<student>/<NN_name>.ipynb`` are the students' notebooks (one folder per student, the
notebooks named as in ``exercises/``). The grader

1. builds a real nbgrader course in a temporary directory: ``source/`` from ``solutions/``,
   ``nbgrader generate_assignment`` for each exercise (which fills the gradebook);
2. reads every submission first (``minigrad_course.grading.intake``): a missing or unreadable file gets
   zero points and a line saying why; odd structure (deleted, duplicated, retyped cells)
   gets a line saying what nbgrader will do about it;
3. runs ``nbgrader autograde`` on N submissions at once (``--jobs``, default the number of
   cores), each in a worker process (``minigrad_course.grading.worker``, fed by
   ``minigrad_course.grading.parallel``) with the per-cell time limit of
   ``nbgrader_config.py`` and a secret grading seed per submission; every notebook's kernel
   runs in a sandbox (``minigrad_course.grading.sandbox``: no network, no view of the
   course, the other students or the grader's processes, limited memory); if a submission
   hangs or kills its worker, that submission gets zero points and a new worker goes on;
4. re-judges every graded cell outside the notebooks (``minigrad_course.grading.verify``) and withdraws, in
   the gradebook, points the notebook did not earn honestly;
5. runs ``nbgrader generate_feedback`` and nbgrader's CSV export, and writes
   ``dir/grades.csv`` (one row per student and exercise), ``dir/grades_by_task.csv`` (one
   row per graded cell, with the check's message) and ``dir/feedback/<student>/<NN_name>.html``.

Nothing that one student's notebook does can stop the others from being graded.

    python -m minigrad_course.grading.grade dir [--timeout SECONDS] [--jobs N] [--no-sandbox]
                                                [--keep-course DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import html
import json
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import course, intake, parallel, sandbox, verify, worker

# A folder of the submissions directory that is not a student: the grader writes it.
OUTPUT_FOLDERS = {"feedback"}
GRADES_CSV = "grades.csv"
TASKS_CSV = "grades_by_task.csv"


@dataclass
class Result:
    """One student's result for one exercise: a row of grades.csv."""

    student: str
    assignment: str
    status: str  # graded, missing, unreadable, failed, refused
    score: float = 0.0
    max_score: float = 0.0
    notes: list[str] = field(default_factory=list)
    tasks: list[verify.TaskResult] = field(default_factory=list)
    nbgrader: dict[str, str] = field(default_factory=dict)  # nbgrader's export columns


def find_students(submissions: Path) -> list[str]:
    """The student folders of ``submissions`` (sorted), leaving out the grader's own output."""
    if not submissions.is_dir():
        raise SystemExit(f"{submissions} is not a directory of student folders")
    return sorted(path.name for path in submissions.iterdir()
                  if path.is_dir() and path.name not in OUTPUT_FOLDERS
                  and not path.name.startswith("."))


def handed_in(submissions: Path, students: list[str], known: list[str]) -> list[str]:
    """The exercises of which at least one student folder holds a notebook."""
    return [name for name in known
            if any((submissions / student / f"{name}.ipynb").exists() for student in students)]


@contextlib.contextmanager
def course_directory(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        if keep.exists():
            shutil.rmtree(keep)
        keep.mkdir(parents=True)
        yield keep.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="minigrad-course-") as tmp:
        yield Path(tmp)


def grade(submissions: Path, *, solutions: Path = course.SOLUTIONS, timeout: int | None = None,
          keep_course: Path | None = None, echo: Callable[[str], None] = print,
          write: bool = True, assignments: list[str] | None = None,
          isolate: bool = True, unsafe: bool = False, jobs: int | None = None) -> list[Result]:
    """Grade every submission in ``submissions``; write the CSVs and feedback when ``write``.

    ``assignments`` are the exercises to grade; by default, every exercise that at least one
    student handed in (a student without that file gets a "missing" row).
    ``isolate=False`` runs nbgrader in this process instead of a watched worker (quicker to
    start; for checking one's own notebook, where there are no other students to protect).
    Every notebook runs in the sandbox (``minigrad_course.grading.sandbox``); without one,
    grading stops with a message, unless ``unsafe`` (``make grade UNSAFE=1``): then the
    notebooks run unconfined, and the output and every row's notes say so.
    ``jobs`` notebooks are graded at once (default: the number of cores); the grades do not
    depend on it.
    """
    submissions = submissions.resolve()
    unsafe_note = _prepare_sandbox(unsafe, echo)
    students = find_students(submissions)
    known = course.assignment_ids(solutions)
    if assignments:
        unknown = sorted(set(assignments) - set(known))
        if unknown:
            raise SystemExit(f"no solution notebook for {', '.join(unknown)} in {solutions}")
    else:
        assignments = handed_in(submissions, students, known)
        if not assignments:
            raise SystemExit(f"no notebook in {submissions}/<student>/ is named like an "
                             f"exercise ({', '.join(known)})")
    limit = course.configured_timeout(timeout)
    echo(f"Grading {len(students)} student(s) on {', '.join(assignments)} "
         f"(time limit {limit} s per cell)")
    with course_directory(keep_course) as root:
        course.create(root, assignments, solutions, limit)
        api = course.open_api(root, limit)
        course.generate_assignments(api, assignments)
        results = _grade_in_course(api, root, submissions, students, assignments, limit, echo,
                                   isolate, jobs or parallel.default_jobs())
        if unsafe_note:
            for result in results:
                result.notes.append(unsafe_note)
        if write:
            _write_feedback(api, root, submissions, results, echo)
            _write_grades(root, submissions, results)
    _report(results, echo)
    if write:
        echo(f"Wrote {GRADES_CSV}, {TASKS_CSV} and feedback/ in {submissions}")
    return results


def _prepare_sandbox(unsafe: bool, echo: Callable[[str], None]) -> str | None:
    """Install the sandbox's kernelspec; refuse to go on without bwrap unless ``unsafe``.

    Returns the note for every row when the notebooks run without the sandbox."""
    sandbox.install()
    why_not = sandbox.available()
    if why_not is None:
        os.environ.pop(sandbox.UNSAFE_VARIABLE, None)
        return None
    if not unsafe:
        raise SystemExit(f"make grade runs every notebook in a sandbox, but {why_not}: "
                         f"{sandbox.INSTALL_HINT}. To grade without it, trusting every "
                         f"notebook with your rights: make grade UNSAFE=1 (or --no-sandbox).")
    os.environ[sandbox.UNSAFE_VARIABLE] = "1"
    echo(f"WARNING: grading WITHOUT the sandbox ({why_not}; UNSAFE=1): every notebook runs "
         f"with your rights and could change the grades, the course or your files.")
    return "graded without the sandbox (UNSAFE=1): its code ran unconfined"


def _grade_in_course(api: object, root: Path, submissions: Path, students: list[str],
                     assignments: list[str], limit: int, echo: Callable[[str], None],
                     isolate: bool, workers: int = 1) -> list[Result]:
    from nbgrader.api import Gradebook, MissingEntry

    releases = {a: nbformat.read(course.release_path(root, a), as_version=4) for a in assignments}
    results: dict[tuple[str, str], Result] = {}
    jobs = []
    for student in students:
        for assignment in assignments:
            found = intake.inspect(student, assignment,
                                   submissions / student / f"{assignment}.ipynb",
                                   releases[assignment])
            results[student, assignment] = Result(student, assignment, found.status,
                                                  notes=list(found.notes))
            if found.status == "ok":
                target = course.submitted_path(root, student, assignment)
                target.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(intake.prepare(found.notebook), target)
                # A fresh secret per submission: the inputs the checks are judged on.
                jobs.append({"student": student, "assignment": assignment,
                             "seed": secrets.randbelow(2**31)})
    db_url = f"sqlite:///{root / 'gradebook.db'}"
    with Gradebook(db_url, course.COURSE_ID) as gradebook:
        for student in students:  # so that nbgrader's export lists every student
            gradebook.update_or_create_student(student)

    cell_counts = {a: sum(cell.cell_type == "code" for cell in releases[a].cells)
                   for a in assignments}
    if isolate:
        echo(f"Running {len(jobs)} notebook(s), {min(workers, max(len(jobs), 1))} at a time, "
             f"each in the sandbox" if not os.environ.get(sandbox.UNSAFE_VARIABLE)
             else f"Running {len(jobs)} notebook(s), {min(workers, max(len(jobs), 1))} at a time")
        outcomes = parallel.run_jobs(root, jobs, limit, cell_counts, echo, workers,
                                     describe=lambda outcome: _failure_line(outcome, limit))
    else:
        results_path = root / "results.jsonl"
        worker.run(root, jobs, results_path, limit, api)
        outcomes = _read_results(results_path)

    with Gradebook(db_url, course.COURSE_ID) as gradebook:
        for job in jobs:
            result = results[job["student"], job["assignment"]]
            outcome = outcomes[job["student"], job["assignment"]]
            notebook_path = course.autograded_path(root, result.student, result.assignment)
            if outcome.get("success") and notebook_path.exists():
                notebook = nbformat.read(notebook_path, as_version=4)
                tasks, notes = verify.verify_submission(
                    gradebook, notebook, result.assignment, result.assignment, result.student,
                    job["seed"], limit)
                result.status, result.tasks = "graded", tasks
                result.notes += notes
                if sandbox.ran_out_of_memory(notebook):
                    result.notes.append(
                        f"a cell ran out of memory (MemoryError): a notebook may use at most "
                        f"{sandbox.describe_memory(sandbox.memory_limit())} while it is graded; "
                        f"that cell failed")
                refused = sandbox.refusals(notebook)
                if refused:
                    # Reaching outside the sandbox is never part of an answer: no points.
                    result.status = "refused"
                    result.notes += refused
                    result.notes.append("the notebook tried to reach outside its sandbox; "
                                        "zero points")
                    for task in result.tasks:
                        task.score = 0.0
                    _zero_submission(gradebook, result.assignment, result.student, MissingEntry)
            else:
                result.status = "failed"
                result.notes.append(_failure_line(outcome, limit))
                _zero_submission(gradebook, result.assignment, result.student, MissingEntry)
        for result in results.values():
            assignment = gradebook.find_assignment(result.assignment)
            result.max_score = float(assignment.max_score)
            try:
                result.score = float(gradebook.find_submission(result.assignment,
                                                               result.student).score)
            except MissingEntry:
                result.score = 0.0
            if result.status != "graded":
                result.score = 0.0
    return [results[key] for key in sorted(results)]


def _zero_submission(gradebook: object, assignment: str, student: str,
                     missing: type[Exception]) -> None:
    """Record zero for a submission nbgrader could not finish, in the gradebook itself."""
    try:
        submission = gradebook.find_submission(assignment, student)
    except missing:
        return
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            grade.manual_score = 0.0
            grade.needs_manual_grade = False
    gradebook.db.commit()


def _failure_line(outcome: dict, limit: int) -> str:
    text = f"{outcome.get('error', '')}\n{outcome.get('log', '')}"
    if outcome.get("watchdog"):
        return outcome["watchdog"]
    if "Kernel died" in text or "DeadKernelError" in text:
        return ("not graded: the notebook's kernel died while it ran (did it call exit(), "
                "kill its own process, or run out of memory?); zero points")
    if "Timeout waiting for IOPub" in text or "CellTimeoutError" in text:
        return (f"not graded: a cell ran past the {limit} s time limit and could not be "
                f"interrupted (it ignores KeyboardInterrupt); zero points")
    last = [line.strip() for line in text.strip().splitlines() if line.strip()]
    detail = last[-1][:200] if last else "no details"
    return f"not graded: nbgrader autograde failed ({detail}); zero points"


def _read_results(path: Path) -> dict[tuple[str, str], dict]:
    done = {}
    for line in path.read_text().splitlines():
        event = json.loads(line)
        if event["event"] == "done":
            done[event["student"], event["assignment"]] = event
    return done


# ------------------------------------------------------------------------ outputs
def _write_feedback(api: object, root: Path, submissions: Path, results: list[Result],
                    echo: Callable[[str], None]) -> None:
    """nbgrader's feedback pages, with the grader's notes on top; a page of notes otherwise."""
    for assignment in sorted({result.assignment for result in results}):
        outcome = api.generate_feedback(assignment, force=True)
        if not outcome["success"]:
            echo(f"  nbgrader generate_feedback {assignment} reported a problem; "
                 f"pages of notes are written where its pages are missing")
    for result in results:
        target = submissions / "feedback" / result.student / f"{result.assignment}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        page = course.feedback_path(root, result.student, result.assignment)
        banner = _notes_html(result)
        if result.status == "graded" and page.exists():
            text = page.read_text(encoding="utf-8")
            if banner:
                text = text.replace("<body>", "<body>\n" + banner, 1) if "<body>" in text \
                    else banner + text
            target.write_text(text, encoding="utf-8")
        else:
            target.write_text(
                "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                f"<title>{html.escape(result.assignment)}: {html.escape(result.student)}</title>"
                f"</head><body>\n<h1>{html.escape(result.assignment)}</h1>\n"
                f"<p>Score: {result.score:g} / {result.max_score:g}</p>\n{banner}</body></html>\n",
                encoding="utf-8")


def _notes_html(result: Result) -> str:
    if not result.notes:
        return ""
    items = "".join(f"<li>{html.escape(note)}</li>" for note in result.notes)
    return (f'<div style="border:2px solid #c60; padding:0.5em 1em; margin:1em;">'
            f"<strong>Notes from the grader</strong><ul>{items}</ul></div>\n")


def _write_grades(root: Path, submissions: Path, results: list[Result]) -> None:
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    exported = root / "nbgrader-export.csv"
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course.COURSE_ID) as gradebook:
        CsvExportPlugin(to=str(exported)).export(gradebook)
    rows = {}
    with exported.open(newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["student_id"], row["assignment"]] = row
    ours = ["student", "assignment", "score", "max_score", "status", "notes"]
    theirs = [name for name in next(iter(rows.values()), {})
              if name not in ("student_id", "assignment", "score", "max_score")]
    with (submissions / GRADES_CSV).open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ours + theirs)
        for result in results:
            row = rows.get((result.student, result.assignment), {})
            result.nbgrader = row
            writer.writerow([result.student, result.assignment, f"{result.score:g}",
                             f"{result.max_score:g}", result.status, " | ".join(result.notes)]
                            + [row.get(name, "") for name in theirs])
    with (submissions / TASKS_CSV).open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "assignment", "task", "score", "max_score", "status",
                         "message"])
        for result in results:
            for task in result.tasks:
                writer.writerow([result.student, result.assignment, task.grade_id,
                                 f"{task.score:g}", f"{task.max_score:g}", task.status,
                                 task.message])


def _report(results: list[Result], echo: Callable[[str], None]) -> None:
    width = max([len(result.student) for result in results] + [7])
    for result in results:
        echo(f"{result.student:<{width}}  {result.assignment:<24} "
             f"{result.score:>5g} / {result.max_score:<5g} {result.status}")
        for note in result.notes:
            echo(f"{'':<{width}}    - {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Grade a folder of submissions with nbgrader: "
                                                 "DIR/<student>/<NN_name>.ipynb.")
    parser.add_argument("submissions", type=Path)
    parser.add_argument("--timeout", type=int, default=None,
                        help="per-cell time limit in seconds (default: $MINIGRAD_GRADING_TIMEOUT, "
                             "else Execute.timeout of minigrad_course/grading/nbgrader_config.py)")
    parser.add_argument("--assignment", action="append", default=None,
                        help="grade this exercise (repeatable; default: every exercise that "
                             "some student handed in)")
    parser.add_argument("--keep-course", type=Path, default=None,
                        help="build the nbgrader course in this directory and keep it")
    parser.add_argument("--jobs", "-j", type=int, default=None,
                        help="grade this many notebooks at once (default: the number of cores)")
    parser.add_argument("--no-sandbox", action="store_true",
                        default=sandbox.unsafe_allowed(),
                        help="grade even without the sandbox (bwrap), with every notebook "
                             "running with your rights (default: $MINIGRAD_GRADING_UNSAFE)")
    args = parser.parse_args(argv)
    grade(args.submissions, timeout=args.timeout, keep_course=args.keep_course,
          assignments=args.assignment, unsafe=args.no_sandbox, jobs=args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
