"""How fast does `make grade` grade a class? Three ways on one synthetic class, in one run.

    python bench/grading.py [--students 40] [--json bench/results/grading.json]

The class: ``--students`` students by three exercises (01, 02, 03), mixing full, blank,
wrong (plausible mistakes) and failing (the kernel ends itself) notebooks, a quarter each.
It is graded

1. by nbgrader's own ``nbgrader autograde``, one assignment after the other, serially,
   with Jupyter's ordinary kernel (no sandbox, no re-judging): the baseline;
2. by ``make grade JOBS=1`` (``grade(jobs=1)``): every notebook in the sandbox, then the
   re-judging, the feedback and the CSVs;
3. by ``make grade JOBS=2``.

It prints notebooks per minute for each, and the ratios against the targets of issue 13:
JOBS=1 costs at most 1.2x nbgrader's serial autograde per notebook; JOBS=2 is at least 1.7x
faster than JOBS=1 on two cores. Wall-clock times depend on the machine and on what else it
runs: the figures are for reading, not for asserting.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

import make_submissions as fake  # noqa: E402
import nbformat  # noqa: E402

from minigrad_course.grading import course, grade, intake  # noqa: E402

EXERCISES = ("01_derivatives", "02_scalar_engine", "03_tensors")
TIMEOUT = 30


def _failing(name: str) -> nbformat.NotebookNode:
    """The exercise with a cell, after its first (locked) cell, that ends the kernel."""
    notebook = fake.exercise(name)
    cell = nbformat.v4.new_code_cell("import os\nos._exit(3)")
    cell.id = "student-exit"
    notebook.cells.insert(1, cell)
    return notebook


def _wrong(name: str) -> nbformat.NotebookNode:
    if name == fake.EX01:
        return fake.ex01_plausible_mistakes()
    if name == fake.EX02:
        return fake.ex02_plausible_mistakes()
    notebook = fake.solved(name)  # every answer, then the first one replaced by a wrong one
    first = fake.all_answer_ids(notebook)[0]
    fake.set_answer(notebook, first, "def placeholder():\n    return 0\n")
    return notebook


def build_class(folder: Path, students: int) -> int:
    kinds = (fake.solved, fake.exercise, _wrong, _failing)
    for number in range(students):
        for name in EXERCISES:
            fake.write(kinds[number % 4](name), folder / f"student{number:03d}" / f"{name}.ipynb")
    return students * len(EXERCISES)


def nbgrader_serial(folder: Path, work: Path) -> float:
    """nbgrader's own autograde, serially, on the same notebooks: seconds."""
    root = work / "nbgrader-course"
    course.create(root, list(EXERCISES), course.SOLUTIONS, TIMEOUT)
    api = course.open_api(root, TIMEOUT)
    course.generate_assignments(api, list(EXERCISES))
    for student in sorted(p.name for p in folder.iterdir() if p.is_dir()):
        for name in EXERCISES:
            notebook = nbformat.read(folder / student / f"{name}.ipynb", as_version=4)
            target = course.submitted_path(root, student, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(intake.prepare(notebook), target)
    env = dict(os.environ, MINIGRAD_GRADING_SEED="12345",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               PYTHONPATH=str(ROOT))
    plain_kernel = ["--Execute.kernel_name=python3", "--KernelManager.transport=tcp",
                    "--Execute.kernel_manager_class=jupyter_client.manager.AsyncKernelManager"]
    started = time.perf_counter()
    for name in EXERCISES:
        subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", name,
                        "--force", *plain_kernel], cwd=root, env=env, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def make_grade(folder: Path, jobs: int) -> float:
    started = time.perf_counter()
    grade.grade(folder, timeout=TIMEOUT, jobs=jobs, echo=lambda line: None)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "grading.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="minigrad-bench-grading-") as tmp:
        work = Path(tmp)
        folder = work / "class"
        notebooks = build_class(folder, args.students)
        print(f"A class of {args.students} students by {len(EXERCISES)} exercises: "
              f"{notebooks} notebooks (full, blank, wrong, failing)")
        seconds = {"nbgrader autograde (serial, no sandbox)": nbgrader_serial(folder, work)}
        for jobs in (1, 2):
            seconds[f"make grade JOBS={jobs}"] = make_grade(folder, jobs)
            shutil.rmtree(folder / "feedback", ignore_errors=True)
    rates = {way: notebooks / s * 60 for way, s in seconds.items()}
    print(f"\n{'way':<42} {'seconds':>8} {'s/notebook':>11} {'notebooks/min':>14}")
    for way, s in seconds.items():
        print(f"{way:<42} {s:8.1f} {s / notebooks:11.2f} {rates[way]:14.1f}")
    base, one, two = seconds.values()
    ratios = {"JOBS=1 / nbgrader serial (time per notebook)": one / base,
              "JOBS=2 speed-up over JOBS=1": one / two}
    targets = {"JOBS=1 / nbgrader serial (time per notebook)": ("<=", 1.2),
               "JOBS=2 speed-up over JOBS=1": (">=", 1.7)}
    print()
    for name, value in ratios.items():
        op, target = targets[name]
        ok = value <= target if op == "<=" else value >= target
        print(f"{name:<46} {value:6.2f}  target {op} {target}  {'PASS' if ok else 'FAIL'}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"students": args.students, "notebooks": notebooks,
                                     "cores": len(os.sched_getaffinity(0)), "seconds": seconds,
                                     "notebooks_per_minute": rates, "ratios": ratios},
                                    indent=1) + "\n")
    print(f"\nWrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
