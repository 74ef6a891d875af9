"""Run the autograde jobs in N worker processes at once, with a progress line.

Each *lane* (a thread of the grading process) keeps one worker process
(``minigrad_course.grading.worker``) busy: it hands the worker one job on its standard input,
waits for the job's "done" line in the lane's results file, and hands it the next job from
a queue shared by the lanes, so a slow notebook holds up one lane, not the class. A worker
that dies, or that one job keeps busy past its time allowance (the watchdog), costs that job
only: the lane kills the worker's process group and starts a new worker for the next job.

Grades do not depend on the number of lanes: every job carries its own secret seed, chosen
before grading starts, and runs in a fresh kernel of its own; the lanes only decide when.
The seeds travel to the workers on their standard input, never in a file.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from . import course

# Grace on top of the per-cell limits before the watchdog gives up on a submission: kernel
# start-up, nbgrader's own work, and nbclient's wait for an interrupted cell to settle.
WATCHDOG_GRACE = 90
WATCHDOG_PER_CELL = 15


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class Progress:
    """done/total, elapsed and time left: one updating line on a terminal, plain lines else."""

    def __init__(self, total: int, echo: Callable[[str], None], stream: TextIO | None = None):
        self.total, self.done, self.echo = total, 0, echo
        self.stream = stream if stream is not None else sys.stdout
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self.lock = threading.Lock()

    @staticmethod
    def _clock(seconds: float) -> str:
        seconds = int(round(seconds))
        return f"{seconds // 60}:{seconds % 60:02d}"

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        left = elapsed / self.done * (self.total - self.done) if self.done else None
        eta = self._clock(left) if left is not None else "?"
        return (f"graded {self.done}/{self.total} notebooks, {self._clock(elapsed)} elapsed, "
                f"about {eta} left")

    def finished(self, key: tuple[str, str], failure: str | None) -> None:
        with self.lock:
            self.done += 1
            if self.tty:
                self.stream.write("\r\033[K")
                if failure:
                    self.stream.write(f"  {key[0]}/{key[1]}: {failure}\n")
                self.stream.write(self.line())
                if self.done == self.total:
                    self.stream.write("\n")
                self.stream.flush()
            else:
                if failure:
                    self.echo(f"  {key[0]}/{key[1]}: {failure}")
                self.echo(f"{self.line()} ({key[0]}/{key[1]})")


def _key(job: dict) -> tuple[str, str]:
    return job["student"], job["assignment"]


class Lane:
    """One worker process, fed one job at a time, restarted when it dies or is killed."""

    def __init__(self, number: int, root: Path, limit: int):
        self.number, self.root, self.limit = number, root, limit
        self.results = root / f"worker-results-{number}.jsonl"
        self.results.write_text("")
        self.worker: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        env = dict(os.environ)
        # The worker imports minigrad_course from this checkout, wherever the course lives.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(course.REPO), env.get("PYTHONPATH")]))
        with (self.root / f"worker-{self.number}.log").open("a") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "minigrad_course.grading.worker", str(self.root), "-",
                 str(self.results), str(self.limit)],
                cwd=course.REPO, env=env, stdin=subprocess.PIPE, stdout=log, stderr=log,
                text=True, start_new_session=True)

    def run(self, job: dict, allowed: float) -> dict:
        if self.worker is None or self.worker.poll() is not None:
            self.worker = self._start()
        try:
            self.worker.stdin.write(json.dumps(job) + "\n")
            self.worker.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # the worker died at once; the wait below reports it
        started = time.monotonic()
        while True:
            outcome = self._outcome(job)
            if outcome is not None:
                return outcome
            if self.worker.poll() is not None:
                outcome = self._outcome(job)  # written just before it ended
                if outcome is not None:
                    return outcome
                return {"success": False,
                        "watchdog": "not graded: the grading process stopped while this notebook "
                                    "ran (the notebook may have killed it); zero points"}
            if time.monotonic() - started > allowed:
                self.stop(kill=True)
                return {"success": False,
                        "watchdog": f"not graded: grading this notebook took more than "
                                    f"{allowed:g} s in total, so it was stopped; zero points"}
            time.sleep(0.1)

    def _outcome(self, job: dict) -> dict | None:
        for line in reversed(self.results.read_text().splitlines()):
            try:
                event = json.loads(line)
            except json.JSONDecodeError:  # a line being written right now
                continue
            if _key(event) == _key(job):
                return event if event["event"] == "done" else None
        return None

    def stop(self, kill: bool = False) -> None:
        worker, self.worker = self.worker, None
        if worker is None:
            return
        if not kill:
            with contextlib.suppress(OSError):
                worker.stdin.close()
            try:
                worker.wait(timeout=60)
                return
            except subprocess.TimeoutExpired:
                pass
        # The worker leads its own process group; the sandboxed kernels it started die with
        # their launcher (bwrap --die-with-parent).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def run_jobs(root: Path, jobs: list[dict], limit: int, cell_counts: dict[str, int],
             echo: Callable[[str], None], workers: int = 1, stream: TextIO | None = None,
             describe: Callable[[dict], str] | None = None) -> dict[tuple[str, str], dict]:
    """Autograde ``jobs`` in ``workers`` worker processes; the outcome of each job by key.

    ``describe`` turns a failed job's outcome into the line printed as it happens."""
    queue = collections.deque(jobs)
    lock = threading.Lock()
    outcomes: dict[tuple[str, str], dict] = {}
    progress = Progress(len(jobs), echo, stream)

    def lane_loop(lane: Lane) -> None:
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    job = queue.popleft()
                allowed = WATCHDOG_GRACE + cell_counts[job["assignment"]] * (limit + WATCHDOG_PER_CELL)
                outcome = lane.run(job, allowed)
                with lock:
                    outcomes[_key(job)] = outcome
                failure = None
                if not outcome.get("success"):
                    failure = describe(outcome) if describe else outcome.get("watchdog", "failed")
                progress.finished(_key(job), failure)
        finally:
            lane.stop()

    lanes = [Lane(number, root, limit) for number in range(max(1, min(workers, len(jobs))))]
    threads = [threading.Thread(target=lane_loop, args=(lane,), daemon=True) for lane in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
