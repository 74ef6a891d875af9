"""The process that runs ``nbgrader autograde``, one submission at a time.

``minigrad_course.grading.grade`` starts this as a child process and watches it: students' code runs in
kernels started by this process, so a submission that hangs it, crashes it or kills it
costs only that submission, and the parent starts a new worker for the rest.

    python -m minigrad_course.grading.worker COURSE_ROOT JOBS_JSON RESULTS_JSONL [TIMEOUT]

``JOBS_JSON`` is a list of ``{"student", "assignment", "seed"}``, or ``-``: one such job
per line of standard input, run as they come (``minigrad_course.grading.parallel`` feeds
its workers this way, so that the seeds are never written to a file). For each job, the worker
sets the grading seed in its environment (the kernel inherits it, see
``minigrad_course.tasks``), runs nbgrader's autograde through its Python API, and appends
one JSON line to ``RESULTS_JSONL``: ``{"event": "start", ...}`` before and
``{"event": "done", "success": ..., "log": ...}`` after, flushed at once so the parent
always knows which job was running.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Iterable
from pathlib import Path

from ..tasks import GRADING_SEED_VARIABLE
from . import course, sandbox

# nbgrader's log of one autograde run, kept to this many characters in the results.
LOG_LIMIT = 20_000


def run(root: Path, jobs: Iterable[dict], results: Path, timeout: int | None,
        api: object | None = None) -> None:
    """Autograde ``jobs`` one by one, appending their events to ``results``."""
    api = api or course.open_api(root, timeout)
    with results.open("a") as out:
        for job in jobs:
            out.write(json.dumps({"event": "start", **job}) + "\n")
            out.flush()
            os.environ[GRADING_SEED_VARIABLE] = str(job["seed"])
            # The kernel's scratch folder goes into a folder removed after the job, even if
            # the kernel's launcher is killed before it can clean up.
            private = Path(tempfile.mkdtemp(prefix="minigrad-job-"))
            os.environ[sandbox.SCRATCH_VARIABLE] = str(private)
            started = time.monotonic()
            try:
                result = api.autograde(job["assignment"], job["student"], force=True, create=True)
            except Exception:  # nbgrader catches most failures itself; never lose a job
                result = {"success": False, "error": traceback.format_exc(), "log": ""}
            finally:
                os.environ.pop(GRADING_SEED_VARIABLE, None)
                os.environ.pop(sandbox.SCRATCH_VARIABLE, None)
                shutil.rmtree(private, ignore_errors=True)
            record = {
                "event": "done",
                **job,
                "success": bool(result.get("success")),
                "error": (result.get("error") or "")[-LOG_LIMIT:],
                "log": (result.get("log") or "")[-LOG_LIMIT:],
                "seconds": round(time.monotonic() - started, 2),
            }
            out.write(json.dumps(record) + "\n")
            out.flush()


def main(argv: list[str]) -> int:
    root, jobs_path, results_path = Path(argv[0]), Path(argv[1]), Path(argv[2])
    timeout = int(argv[3]) if len(argv) > 3 else None
    if str(jobs_path) == "-":
        jobs = (json.loads(line) for line in iter(sys.stdin.readline, "") if line.strip())
    else:
        jobs = json.loads(jobs_path.read_text())
    run(root, jobs, results_path, timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
