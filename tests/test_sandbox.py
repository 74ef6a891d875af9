"""The grading sandbox: hostile notebooks in a class, graded as an instructor would.

Every notebook of ``make grade`` runs in a kernel inside bubblewrap
(``minigrad_course.grading.sandbox``). Here a small class on exercise 01 holds honest
students graded before (``aaa_``) and after (``zzz_``) a row of attackers, each of which
answers one task honestly and then tries one way of changing grades or reading secrets with
the grader's rights. Each attacker must get zero with a line saying what the sandbox
refused; the honest students exactly their marks; no file of the checkout may change.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from minigrad_course.grading import grade as grading
from minigrad_course.grading import sandbox

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import make_submissions as fake  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
EX01 = fake.EX01
TIMEOUT = 10

needs_bwrap = pytest.mark.skipif(sandbox.available() is not None,
                                 reason=f"no grading sandbox here: {sandbox.available()} "
                                        f"(bash setup/ensure_bwrap.sh)")


def _checkout_fingerprint() -> dict[str, str]:
    """A digest of every file of the checkout a notebook could want to change."""
    digests = {}
    for folder in ("minigrad", "minigrad_course", "solutions", "exercises", "tests"):
        for path in sorted((REPO / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digests[str(path.relative_to(REPO))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


class Listener:
    """A server on 127.0.0.1 that remembers whether anybody connected."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.connected = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        try:
            self.server.accept()
            self.connected = True
        except OSError:
            pass


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    if sandbox.available() is not None:
        pytest.skip(f"no grading sandbox here: {sandbox.available()} (bash setup/ensure_bwrap.sh)")
    folder = tmp_path_factory.mktemp("submissions")
    course = tmp_path_factory.mktemp("course")
    victim = subprocess.Popen(["sleep", "600"])
    listener = Listener()
    before = _checkout_fingerprint()
    fake.write(fake.solved(EX01), folder / "aaa_solver" / f"{EX01}.ipynb")
    fake.write(fake.ex01_partial(), folder / "zzz_partial" / f"{EX01}.ipynb")
    attacks = fake.attacks(course, folder, victim.pid, listener.port)
    for name, source in attacks.items():
        fake.write(fake.attacker(source), folder / f"hostile_{name}" / f"{EX01}.ipynb")
    fake.write(fake.allocates(8), folder / "hostile_allocates_8gib" / f"{EX01}.ipynb")
    lines: list[str] = []
    try:
        results = grading.grade(folder, timeout=TIMEOUT, keep_course=course, echo=lines.append)
        time.sleep(10)  # longer than the lingering process waits before it writes
        yield {"folder": folder, "course": course, "attacks": attacks, "output": "\n".join(lines),
               "results": {r.student: r for r in results}, "victim_alive": victim.poll() is None,
               "listener": listener, "before": before, "after": _checkout_fingerprint()}
    finally:
        victim.kill()
        listener.server.close()
        shutil.rmtree(REPO / "solutions" / "pwned.txt", ignore_errors=True)


def test_honest_students_before_and_after_the_attackers_get_exactly_their_marks(attacked):
    solver, partial = attacked["results"]["aaa_solver"], attacked["results"]["zzz_partial"]
    assert (solver.status, solver.score, solver.notes) == ("graded", 10.0, [])
    assert (partial.status, partial.score, partial.notes) == ("graded", 2.0, [])


@pytest.mark.parametrize("attack", sorted(fake.attacks(Path("c"), Path("s"), 1, 1)))
def test_each_attacker_gets_zero_and_a_line_saying_what_was_refused(attacked, attack):
    result = attacked["results"][f"hostile_{attack}"]
    assert (result.status, result.score) == ("refused", 0.0), result.notes
    assert all(task.score == 0.0 for task in result.tasks)
    assert any(note.startswith("refused by the grading sandbox: ") for note in result.notes)
    assert result.notes[-1] == "the notebook tried to reach outside its sandbox; zero points"


def test_an_allocation_past_the_memory_limit_fails_that_cell_with_a_clear_line(attacked):
    hog = attacked["results"]["hostile_allocates_8gib"]
    # Only the allocating cell failed: forward_difference, answered before it, still counts.
    assert (hog.status, hog.score) == ("graded", 1.0)
    assert any("ran out of memory (MemoryError): a notebook may use at most 2 GiB" in note
               for note in hog.notes)


def test_the_grader_its_files_and_the_machine_are_untouched(attacked):
    assert attacked["victim_alive"], "a notebook killed a process of the grader's user"
    assert not attacked["listener"].connected, "a notebook reached a server on 127.0.0.1"
    assert attacked["after"] == attacked["before"], "a notebook changed a file of the checkout"
    assert not (REPO / "solutions" / "pwned.txt").exists()


def test_grades_csv_has_a_row_for_everyone_and_no_process_edits_it_afterwards(attacked):
    rows = (attacked["folder"] / grading.GRADES_CSV).read_text().splitlines()
    students = sorted(row.split(",")[0] for row in rows[1:])
    assert students == sorted(attacked["results"])
    assert "lingerer" not in "\n".join(rows)


def test_the_gradebook_still_opens_and_holds_the_honest_scores(attacked):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{attacked['course'] / 'gradebook.db'}", "minigrad") as gradebook:
        assert gradebook.find_submission(EX01, "aaa_solver").score == 10.0
        assert gradebook.find_submission(EX01, "hostile_rewrites_gradebook").score == 0.0


def test_without_bwrap_grading_refuses_and_says_how_to_get_it(tmp_path, monkeypatch):
    fake.write(fake.solved(EX01), tmp_path / "someone" / f"{EX01}.ipynb")
    monkeypatch.setenv(sandbox.BWRAP_VARIABLE, str(tmp_path / "no-bwrap-here"))
    with pytest.raises(SystemExit, match="apt-get install bubblewrap.*UNSAFE=1"):
        grading.grade(tmp_path, echo=lambda line: None)
    assert not (tmp_path / grading.GRADES_CSV).exists()


def test_unsafe_grading_says_so_in_the_output_and_in_every_row(tmp_path, monkeypatch):
    fake.write(fake.ex01_partial(), tmp_path / "someone" / f"{EX01}.ipynb")
    monkeypatch.setenv(sandbox.BWRAP_VARIABLE, str(tmp_path / "no-bwrap-here"))
    lines: list[str] = []
    (result,) = grading.grade(tmp_path, timeout=TIMEOUT, echo=lines.append, unsafe=True)
    assert result.score == 2.0
    assert result.notes == ["graded without the sandbox (UNSAFE=1): its code ran unconfined"]
    assert "WARNING: grading WITHOUT the sandbox" in lines[0]
    assert "UNSAFE=1" in (tmp_path / grading.GRADES_CSV).read_text()
    assert os.environ.get(sandbox.UNSAFE_VARIABLE) == "1"
    monkeypatch.delenv(sandbox.UNSAFE_VARIABLE)


# ------------------------------------------------------------------------------ parallel
@needs_bwrap
def test_grades_are_the_same_for_any_number_of_jobs(tmp_path):
    folder = tmp_path / "class"
    fake.write(fake.solved(EX01), folder / "solver" / f"{EX01}.ipynb")
    fake.write(fake.exercise(EX01), folder / "blank" / f"{EX01}.ipynb")
    fake.write(fake.ex01_partial(), folder / "partial" / f"{EX01}.ipynb")
    fake.write(fake.ex01_plausible_mistakes(), folder / "plausible" / f"{EX01}.ipynb")
    fake.write(fake.exits_kernel(), folder / "exits" / f"{EX01}.ipynb")
    graded = {}
    for jobs in (1, 3):
        lines: list[str] = []
        results = grading.grade(folder, timeout=TIMEOUT, jobs=jobs, echo=lines.append)
        # (Each submission gets a secret seed of its own in every run, and some checks name the
        # inputs they drew from it: the grades must agree, the wording of a message may not.)
        graded[jobs] = [(r.student, r.score, r.status, r.notes,
                         [(t.grade_id, t.score, t.status) for t in r.tasks])
                        for r in results]
        graded[jobs, "csv"] = (folder / grading.GRADES_CSV).read_text()
        # Not a terminal here: one plain progress line per notebook, the failure as it happened.
        progress = [line for line in lines if line.startswith("graded ")]
        assert [line.split()[1] for line in progress] == [f"{n}/5" for n in range(1, 6)]
        assert "  exits/01_derivatives: not graded: the notebook's kernel died" in "\n".join(lines)
    assert graded[1] == graded[3]
    assert graded[1, "csv"] == graded[3, "csv"]
    assert [row[:3] for row in graded[1]] == [("blank", 0.0, "graded"), ("exits", 0.0, "failed"),
                                              ("partial", 2.0, "graded"),
                                              ("plausible", 7.0, "graded"), ("solver", 10.0, "graded")]


def test_the_progress_line_updates_in_place_on_a_terminal():
    import io

    from minigrad_course.grading.parallel import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen, echoed = Terminal(), []
    progress = Progress(2, echoed.append, screen)
    progress.finished(("ann", EX01), None)
    progress.finished(("bob", EX01), "not graded: it broke; zero points")
    text = screen.getvalue()
    assert text.count("\r\033[K") == 2 and text.endswith("\n") and echoed == []
    assert "  bob/01_derivatives: not graded: it broke; zero points\ngraded 2/2 notebooks" in text


# ------------------------------------------------------------------- pure parts, no bwrap
@pytest.mark.parametrize(("text", "expected"), [("", 2 * 2**30), ("2G", 2 * 2**30),
                                                ("512M", 512 * 2**20), ("1.5GiB", 3 * 2**29),
                                                ("1000000", 1000000)])
def test_the_memory_limit_reads_sizes(monkeypatch, text, expected):
    monkeypatch.setenv(sandbox.MEMORY_VARIABLE, text)
    assert sandbox.memory_limit() == expected


def test_only_errors_the_sandbox_raises_count_as_refusals():
    def error(name, value):
        return {"cell_type": "code", "outputs": [{"output_type": "error", "ename": name,
                                                  "evalue": value}]}

    honest = {"cells": [error("ValueError", "shapes (2,) and (3,) not aligned"),
                        error("FileNotFoundError", "[Errno 2] No such file or directory: 'data.csv'"),
                        error("FileNotFoundError",
                              f"[Errno 2] No such file or directory: '{sandbox.HOME}/x'"),
                        error("MemoryError", "")]}
    assert sandbox.refusals(honest) == []
    assert sandbox.ran_out_of_memory(honest)
    hostile = {"cells": [error("OSError", "[Errno 30] Read-only file system: '/repo/x.py'")]}
    assert sandbox.refusals(hostile) == [
        "refused by the grading sandbox: OSError: [Errno 30] Read-only file system: "
        "'/repo/x.py' (the checkout and the Python environment are read-only)"]


def test_the_kernelspec_starts_the_launcher_and_is_interrupted_by_message(tmp_path):
    path = sandbox.install(str(tmp_path))
    spec = __import__("json").loads(path.read_text())
    assert spec["argv"][1:] == ["-m", "minigrad_course.grading.sandbox", "kernel", "-f",
                                "{connection_file}"]
    assert spec["interrupt_mode"] == "message"
    assert path == tmp_path / "share" / "jupyter" / "kernels" / "minigrad-sandbox" / "kernel.json"
