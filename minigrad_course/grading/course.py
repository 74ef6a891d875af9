"""A real nbgrader course directory, built from ``solutions/`` in a temporary place.

nbgrader expects a course laid out as::

    <root>/nbgrader_config.py
    <root>/gradebook.db                              (created by nbgrader)
    <root>/source/<assignment>/<assignment>.ipynb     the instructor's version (solutions/)
    <root>/release/<assignment>/<assignment>.ipynb    what students get (exercises/)
    <root>/submitted/<student>/<assignment>/<assignment>.ipynb
    <root>/autograded/... and <root>/feedback/...     (created by nbgrader)

Each exercise ``NN_name`` is one nbgrader assignment holding one notebook of the same
name, so "one row per student and exercise" is nbgrader's "one submission".

nbgrader is driven through its own Python API (``nbgrader.apps.NbGraderAPI``), which runs
the same converters as the ``nbgrader`` command but lets one process handle many students
without paying nbgrader's start-up time for each.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SOLUTIONS = REPO / "solutions"
EXERCISES = REPO / "exercises"
CONFIG_TEMPLATE = Path(__file__).with_name("nbgrader_config.py")
COURSE_ID = "minigrad"
DEFAULT_TIMEOUT = 30
NOTEBOOK_NAME = re.compile(r"^\d\d_[A-Za-z0-9_]+$")


def assignment_ids(solutions: Path = SOLUTIONS) -> list[str]:
    """The exercises that have a solution notebook, e.g. ``["01_derivatives", ...]``."""
    return sorted(path.stem for path in solutions.glob("*.ipynb") if NOTEBOOK_NAME.match(path.stem))


def load_config(root: Path, timeout: int | None = None) -> Any:
    """nbgrader's configuration for a course at ``root``: ``nbgrader_config.py`` plus paths."""
    from traitlets.config.loader import PyFileConfigLoader

    loader = PyFileConfigLoader(CONFIG_TEMPLATE.name, path=str(CONFIG_TEMPLATE.parent))
    config = loader.load_config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.course_id = COURSE_ID
    # nbgrader's exchange (for JupyterHub release/collect) is not used; keep it in the
    # course instead of the system-wide default, which may not be writable.
    config.Exchange.root = str(Path(root) / "exchange")
    if timeout is not None:
        config.Execute.timeout = int(timeout)
    return config


TIMEOUT_VARIABLE = "MINIGRAD_GRADING_TIMEOUT"


def configured_timeout(timeout: int | None = None) -> int:
    """The per-cell time limit in seconds: ``timeout`` if given, else the environment
    variable ``MINIGRAD_GRADING_TIMEOUT``, else ``Execute.timeout`` of nbgrader_config.py."""
    if timeout is not None:
        return int(timeout)
    if os.environ.get(TIMEOUT_VARIABLE):
        return int(os.environ[TIMEOUT_VARIABLE])
    return int(load_config(Path(".")).Execute.timeout)


def create(root: Path, assignments: list[str], solutions: Path = SOLUTIONS,
           timeout: int | None = None) -> None:
    """Lay out a new course at ``root``: the config file and each assignment's source."""
    root.mkdir(parents=True, exist_ok=True)
    text = CONFIG_TEMPLATE.read_text()
    text += f"\nc.CourseDirectory.course_id = {COURSE_ID!r}\n"
    if timeout is not None:
        text += f"c.Execute.timeout = {int(timeout)}\n"
    # Written out so that an instructor can run nbgrader's own commands in a kept course.
    (root / "nbgrader_config.py").write_text(text)
    for assignment in assignments:
        source = root / "source" / assignment
        source.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(solutions / f"{assignment}.ipynb", source / f"{assignment}.ipynb")


def use_this_python() -> None:
    """Put this Python's ``bin/`` first on PATH, as an activated virtualenv would.

    nbgrader runs the ``alembic`` command when it creates a gradebook, and Jupyter starts
    kernels with this Python; `make` calls ``.venv/bin/python`` without activating .venv.
    """
    bin_dir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if path.split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = bin_dir + os.pathsep + path


def open_api(root: Path, timeout: int | None = None) -> Any:
    """nbgrader's API for the course at ``root`` (imports nbgrader, which takes a while)."""
    use_this_python()
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = load_config(root, timeout)
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def generate_assignments(api: Any, assignments: list[str]) -> None:
    """``nbgrader generate_assignment`` for each assignment: fills the gradebook and release/."""
    for assignment in assignments:
        result = api.generate_assignment(assignment, force=True, create=True)
        if not result["success"]:
            raise RuntimeError(
                f"nbgrader generate_assignment {assignment} failed:\n"
                f"{result.get('error') or result.get('log')}"
            )


def release_path(root: Path, assignment: str) -> Path:
    return root / "release" / assignment / f"{assignment}.ipynb"


def submitted_path(root: Path, student: str, assignment: str) -> Path:
    return root / "submitted" / student / assignment / f"{assignment}.ipynb"


def autograded_path(root: Path, student: str, assignment: str) -> Path:
    return root / "autograded" / student / assignment / f"{assignment}.ipynb"


def feedback_path(root: Path, student: str, assignment: str) -> Path:
    return root / "feedback" / student / assignment / f"{assignment}.html"
