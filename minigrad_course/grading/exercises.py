"""Generate ``exercises/`` from ``solutions/`` with nbgrader itself (``make exercises``).

For each ``solutions/NN_name.ipynb`` this runs ``nbgrader generate_assignment`` in a
temporary course directory and copies the student version it releases to
``exercises/NN_name.ipynb``. nbgrader's own preprocessors do the work: the code between
``### BEGIN SOLUTION`` and ``### END SOLUTION`` becomes ``raise NotImplementedError()``,
hidden tests disappear, outputs are cleared, read-only cells are locked and checksummed.
The result depends only on the solutions, so running it twice gives identical files.

    python -m minigrad_course.grading.exercises            # write exercises/
    python -m minigrad_course.grading.exercises --check    # exit 1 if exercises/ is out of date
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from . import course


def generate(destination: Path, solutions: Path = course.SOLUTIONS) -> list[Path]:
    """Write the exercise version of every solution notebook into ``destination``."""
    assignments = course.assignment_ids(solutions)
    if not assignments:
        raise SystemExit(f"no solution notebooks (NN_name.ipynb) in {solutions}")
    destination.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="minigrad-exercises-") as tmp:
        root = Path(tmp)
        course.create(root, assignments, solutions)
        api = course.open_api(root)
        course.generate_assignments(api, assignments)
        for assignment in assignments:
            target = destination / f"{assignment}.ipynb"
            shutil.copyfile(course.release_path(root, assignment), target)
            written.append(target)
    return written


def out_of_date(exercises: Path = course.EXERCISES,
                solutions: Path = course.SOLUTIONS) -> list[str]:
    """Names of exercises that differ from a fresh generation (missing or changed), or extra."""
    with tempfile.TemporaryDirectory(prefix="minigrad-exercises-check-") as tmp:
        fresh = {path.name: path.read_bytes() for path in generate(Path(tmp), solutions)}
    current = {path.name: path.read_bytes() for path in exercises.glob("*.ipynb")}
    stale = [name for name in sorted(fresh) if current.get(name) != fresh[name]]
    extra = [name for name in sorted(current) if name not in fresh]
    return stale + extra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="only check that exercises/ matches solutions/")
    args = parser.parse_args(argv)
    if args.check:
        stale = out_of_date()
        if stale:
            print("exercises/ is out of date with solutions/: " + ", ".join(stale)
                  + "\nrun `make exercises` and commit the result")
            return 1
        print("exercises/ is up to date with solutions/")
        return 0
    for path in generate(course.EXERCISES):
        print(f"wrote {path.relative_to(course.REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
