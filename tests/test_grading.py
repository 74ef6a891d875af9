"""Tests of classroom grading (`make grade`), on a class of fake students graded once.

One nbgrader course is built for the whole module and every fake student is graded in one
run, as an instructor would (``minigrad_course.grading.grade.grade``). The class holds what students really
hand in: full and blank notebooks, plausible mistakes, an endless loop, duplicated, deleted
and retyped cells, a file cut in half, nothing at all, notebooks that attack the grader,
and the typical ways of fooling the checks. The tests then read the results, grades.csv,
grades_by_task.csv and the feedback pages.

The per-cell time limit is short here (``TIMEOUT``) so that the endless loops cost little.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from minigrad_course.grading import grade as grading

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import make_submissions as fake  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 6
EX01, EX02 = fake.EX01, fake.EX02
FULL = {EX01: 10.0, EX02: 11.0, "08_higher_order": 8.0, "09_checking_gradients": 9.0}
FULL.update({"03_tensors": 9.0, "04_jacobians": 10.0})
FULL.update({"05_accumulation": 10.0, "06_controlling_the_graph": 11.0})
FULL.update({"07_training": 10.0})



def _build_class(folder: Path) -> None:
    for name in FULL:
        fake.write(fake.solved(name), folder / "solver" / f"{name}.ipynb")
        fake.write(fake.exercise(name), folder / "blank" / f"{name}.ipynb")
    fake.write(fake.ex01_plausible_mistakes(), folder / "plausible" / f"{EX01}.ipynb")
    fake.write(fake.ex02_plausible_mistakes(), folder / "plausible" / f"{EX02}.ipynb")
    fake.write(fake.ex01_partial(), folder / "partial" / f"{EX01}.ipynb")
    fake.write(fake.endless_loop(), folder / "looper" / f"{EX01}.ipynb")
    fake.write(fake.duplicated_cells(), folder / "duplicator" / f"{EX01}.ipynb")
    fake.write(fake.deleted_cells(), folder / "deleter" / f"{EX01}.ipynb")
    fake.write(fake.changed_cell_types(), folder / "retyper" / f"{EX01}.ipynb")
    fake.write_broken_json(folder / "truncated" / f"{EX01}.ipynb")
    (folder / "absent").mkdir(parents=True)
    for kind in [*fake.CHEATS, *fake.ADVANCED_CHEATS]:
        fake.write(fake.cheating(kind), folder / f"cheat_{kind}" / f"{EX01}.ipynb")
    fake.write(fake.prewritten_outputs(), folder / "cheat_outputs" / f"{EX01}.ipynb")
    # Graded before most others (students go in alphabetical order), so that the students
    # after them prove that grading went on.
    fake.write(fake.stubborn_loop(), folder / "hostile_ignores_interrupt" / f"{EX01}.ipynb")
    fake.write(fake.exits_kernel(), folder / "hostile_exits" / f"{EX01}.ipynb")
    fake.write(fake.kills_grader(), folder / "hostile_kills_grader" / f"{EX01}.ipynb")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    _build_class(folder)
    course = tmp_path_factory.mktemp("course")
    lines: list[str] = []
    results = grading.grade(folder, timeout=TIMEOUT, keep_course=course, echo=lines.append)
    by_key = {(result.student, result.assignment): result for result in results}
    return {"folder": folder, "course": course, "results": by_key, "output": "\n".join(lines)}


def result(graded, student, assignment=EX01):
    return graded["results"][student, assignment]


def tasks(graded, student, assignment=EX01):
    return {task.grade_id: task for task in result(graded, student, assignment).tasks}


def scores(graded, student, assignment=EX01):
    return {grade_id: task.score for grade_id, task in tasks(graded, student, assignment).items()}


# ------------------------------------------------------------------- honest students
def test_solutions_score_full_marks(graded):
    for assignment, full in FULL.items():
        solver = result(graded, "solver", assignment)
        assert (solver.status, solver.score, solver.max_score) == ("graded", full, full)
        assert all(task.status == "passed" for task in solver.tasks)
        assert solver.notes == []


def test_untouched_exercises_score_zero_and_say_not_attempted(graded):
    for assignment, full in FULL.items():
        blank = result(graded, "blank", assignment)
        assert (blank.status, blank.score, blank.max_score) == ("graded", 0.0, full)
        for task in blank.tasks:
            assert task.status == "not attempted"
            assert task.message.startswith("not attempted yet"), task.message


def test_plausible_mistakes_get_partial_credit_and_the_specific_message(graded):
    # The central difference divides by h (0 of 2); measure_order, applied by the check to its
    # own difference formulas, does not depend on it.
    assert result(graded, "plausible", EX01).score == 7.0
    ex01 = tasks(graded, "plausible", EX01)
    assert ex01["ex01_central_difference"].score == 0.0
    assert "so divide by 2h, not by h" in ex01["ex01_central_difference"].message
    assert "b_grad is [-6, 0.25, -8], which is wrong in every entry; you differentiated b² " \
           "but dropped the factor 2 of 2b²" in ex01["ex01_chain_rule_b"].message
    assert ex01["ex01_chain_rule_a"].score == ex01["ex01_chain_rule_c"].score == 1.0
    assert result(graded, "plausible", EX02).score == 7.0
    ex02 = tasks(graded, "plausible", EX02)
    assert "with `=` the second overwrites the first; use += in _backward" \
        in ex02["ex02_mul"].message
    assert ex02["ex02_tanh"].score == 2.0


# ------------------------------------------------------------ what students do to files
def test_an_endless_loop_is_stopped_and_the_rest_is_graded(graded):
    looper = result(graded, "looper")
    # The loop follows a correct central_difference in the same cell: the function exists,
    # so both difference tasks still earn their points; everything else is blank.
    assert (looper.status, looper.score) == ("graded", 3.0)
    assert any(f"longer than {TIMEOUT} s and was stopped" in note for note in looper.notes)


def test_duplicated_cells_grade_the_last_copy(graded):
    duplicator = result(graded, "duplicator")
    assert (duplicator.status, duplicator.score) == ("graded", 1.0)
    assert "answer cell forward_difference appears 2 times: nbgrader grades the last copy " \
           "and runs the others as ordinary cells" in duplicator.notes
    assert any(note.startswith("test cell ex01_forward_difference appears 2 times")
               for note in duplicator.notes)


def test_a_deleted_test_cell_comes_back_and_a_deleted_answer_costs_its_checks(graded):
    deleter = result(graded, "deleter")
    assert "test cell ex01_forward_difference was deleted: nbgrader puts it back and runs it" \
        in deleter.notes
    assert "answer cell central_difference was deleted: the checks that need it fail" \
        in deleter.notes
    got = scores(graded, "deleter")
    assert got["ex01_forward_difference"] == 1.0  # restored, run, passed
    assert got["ex01_central_difference"] == 0.0
    assert got["ex01_measured_orders"] == 1.0  # measure_order is checked on formulas of its own
    assert deleter.score == 8.0


def test_changed_cell_types_are_changed_back(graded):
    retyper = result(graded, "retyper")
    assert "answer cell forward_difference was changed from code to markdown: nbgrader " \
           "changes it back" in retyper.notes
    assert (retyper.status, retyper.score) == ("graded", 10.0)


def test_a_broken_file_and_a_missing_file_score_zero_with_a_reason(graded):
    truncated = result(graded, "truncated")
    assert (truncated.status, truncated.score, truncated.max_score) == ("unreadable", 0.0, 10.0)
    assert "the file is not valid JSON" in truncated.notes[0]
    for assignment in FULL:
        absent = result(graded, "absent", assignment)
        assert (absent.status, absent.score) == ("missing", 0.0)
        assert absent.notes == [f"no file absent/{assignment}.ipynb: nothing to grade"]


def test_hostile_notebooks_score_zero_and_cannot_stop_the_others(graded):
    ignores = result(graded, "hostile_ignores_interrupt")
    assert (ignores.status, ignores.score) == ("failed", 0.0)
    assert "could not be interrupted" in ignores.notes[-1]
    exits = result(graded, "hostile_exits")
    assert (exits.status, exits.score) == ("failed", 0.0)
    assert "kernel died" in exits.notes[-1]
    killer = result(graded, "hostile_kills_grader")
    # In the sandbox, the kernel's parent is the sandbox's own init process, which a
    # signal from inside cannot kill: the grader never notices (tests/test_sandbox.py has
    # the attacks on the grader's processes).
    assert (killer.status, killer.score) == ("graded", 1.0)
    # Graded after the killer, by a new worker.
    assert result(graded, "looper").status == result(graded, "solver").status == "graded"


# ------------------------------------------------------------------------------ cheats
@pytest.mark.parametrize("kind", sorted(fake.CHEATS) + ["outputs"])
def test_a_cheat_scores_what_the_same_notebook_scores_without_it(graded, kind):
    honest = result(graded, "partial")
    assert honest.score == 2.0  # forward_difference and a_grad, nothing else
    cheater = result(graded, f"cheat_{kind}")
    assert cheater.status == "graded"
    assert scores(graded, f"cheat_{kind}") == scores(graded, "partial")
    assert cheater.score == honest.score
    # Stopped inside the notebook (layer a): the checks ran as written, nbgrader's verdict
    # already was the honest one and nothing had to be withdrawn.
    assert all(task.nbgrader_score == task.score for task in cheater.tasks)
    assert not any("tampering" in note for note in cheater.notes)


@pytest.mark.parametrize("kind", sorted(fake.ADVANCED_CHEATS))
def test_a_cheat_that_beats_the_notebook_defences_earns_nothing_from_it(graded, kind):
    honest = scores(graded, "partial")
    cheater = tasks(graded, f"cheat_{kind}")
    # nbgrader's own verdict was fooled: it gave the blank central_difference its points...
    assert cheater["ex01_central_difference"].nbgrader_score == 2.0
    # ...which the judge outside the notebook withdrew, as everything it could not confirm.
    assert cheater["ex01_central_difference"].status == "withdrawn"
    assert all(task.score <= honest[grade_id] for grade_id, task in cheater.items())
    assert result(graded, f"cheat_{kind}").score <= result(graded, "partial").score
    assert any(note.startswith("possible tampering, points withdrawn")
               for note in result(graded, f"cheat_{kind}").notes)


def test_honest_students_are_never_suspected(graded):
    for (student, _), graded_result in graded["results"].items():
        if not student.startswith("cheat_"):
            assert not any("tampering" in note for note in graded_result.notes), student
            assert all(task.status != "withdrawn" for task in graded_result.tasks), student


# ---------------------------------------------------------------------- what is written
def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_grades_csv_has_one_row_per_student_and_exercise(graded):
    rows = _csv(graded["folder"] / "grades.csv")
    header = list(rows[0])
    assert header[:6] == ["student", "assignment", "score", "max_score", "status", "notes"]
    # nbgrader's own export columns follow.
    assert {"timestamp", "raw_score", "late_submission_penalty"} <= set(header)
    students = {student for student, _ in graded["results"]}
    assignments = {assignment for _, assignment in graded["results"]}
    assert len(rows) == len(students) * len(assignments)
    assert {(row["student"], row["assignment"]) for row in rows} == set(graded["results"])
    for row in rows:
        expected = result(graded, row["student"], row["assignment"])
        assert float(row["score"]) == expected.score
        if row["assignment"] in FULL:
            assert float(row["max_score"]) == FULL[row["assignment"]]
        if row["status"] == "graded":
            # The gradebook itself holds the final score (withdrawn points included).
            assert float(row["raw_score"]) == float(row["score"])


def test_grades_by_task_lists_every_check_with_its_message(graded):
    rows = _csv(graded["folder"] / "grades_by_task.csv")
    plausible = {row["task"]: row for row in rows
                 if row["student"] == "plausible" and row["assignment"] == EX01}
    assert len(plausible) == 8
    assert plausible["ex01_chain_rule_b"]["status"] == "failed"
    assert "dropped the factor 2" in plausible["ex01_chain_rule_b"]["message"]


def test_feedback_pages_for_every_student_and_exercise(graded):
    feedback = graded["folder"] / "feedback"
    for student, assignment in graded["results"]:
        assert (feedback / student / f"{assignment}.html").is_file()
    page = (feedback / "plausible" / f"{EX01}.html").read_text()
    assert "dropped the factor 2" in page  # nbgrader's page, with the check's message
    cheat = (feedback / "cheat_guard_off_transformer" / f"{EX01}.html").read_text()
    assert "Notes from the grader" in cheat and "possible tampering" in cheat
    missing = (feedback / "absent" / f"{EX02}.html").read_text()
    assert "nothing to grade" in missing and "Score: 0 / 11" in missing


def test_the_report_has_a_line_per_submission(graded):
    output = graded["output"]
    assert "time limit 6 s per cell" in output.splitlines()[0]
    assert any(line.startswith("solver") and "11 / 11" in line for line in output.splitlines())


def test_the_judge_reruns_on_an_existing_course(graded):
    # Instructors with their own nbgrader course run autograde with a seed, then this.
    jobs = [json.loads(line) for path in graded["course"].glob("worker-results-*.jsonl")
            for line in path.read_text().splitlines()]
    student = "cheat_guard_off_try_wrapper"
    seed = next(job["seed"] for job in jobs if job["student"] == student)
    expected = result(graded, student).score
    run = subprocess.run(
        [sys.executable, "-m", "minigrad_course.grading.verify", str(graded["course"]), "--seed", str(seed),
         "--student", student, "--course-id", "minigrad"],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[:5] == [student, EX01, f"{expected:g}", "/", "10"]
    assert "possible tampering" in run.stdout


def test_make_grade_passes_the_folder_and_the_time_limit():
    run = subprocess.run(["make", "-n", "-o", "setup", "grade", "SUBMISSIONS=class dir",
                          "TIMEOUT=7"], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert '-m minigrad_course.grading.grade "class dir" --timeout 7' in run.stdout
