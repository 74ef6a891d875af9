"""Does this Python have everything the course needs? One line per item, never a crash.

Chapter 00 runs ``check_environment()`` in its first code cell, and a terminal can run
``python -m minigrad._environment`` (exit status 1 when something required is missing).
Each item is looked at on its own and every failure is caught, so one missing piece never
hides the report on the others: a learner sees the whole list of what to install at once.

The items are the ones the notebooks really use: Python itself, NumPy (the engine),
matplotlib (plots), the ``graphviz`` Python package *and* Graphviz's ``dot`` program (the
package only writes the graph description; ``dot`` draws it, and without it every graph
picture fails), ipywidgets (the widgets), minigrad itself, and PyTorch, which is optional:
the course only compares with it when it is there.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MINIMUM_PYTHON", "CheckResult", "check_environment", "format_report"]

# The oldest Python the course supports (the Makefile and README say the same).
MINIMUM_PYTHON = (3, 10)

# How long `dot -V` may take before it counts as broken: it answers in milliseconds when it
# works, but a half-installed Graphviz can hang while it looks for its plugins.
DOT_TIMEOUT_SECONDS = 20.0

_SETUP_HINT = "run `make setup` in the course folder"
_DOT_HINT = (
    "install Graphviz, which provides `dot`: `make dot` in the course folder, or "
    "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
    "`conda install -c conda-forge graphviz` (conda); then restart the kernel"
)


@dataclass(frozen=True)
class CheckResult:
    """What was found for one item: ``status`` is "OK", "MISSING", "BROKEN" or "TOO OLD"."""

    name: str
    status: str
    detail: str
    fix: str = ""
    required: bool = True

    @property
    def ok(self) -> bool:
        """True when the item is fine, or optional (a missing optional item is not a problem)."""
        return self.status == "OK" or not self.required

    def line(self) -> str:
        """The report line: status, name, what was found, and what to do about it."""
        status = self.status if self.required or self.status == "OK" else "optional"
        text = f"{status:<9}{self.name}: {self.detail}"
        return f"{text} -> {self.fix}" if self.fix else text


def check_python(version_info: Sequence[int] | None = None) -> CheckResult:
    """Python's version against ``MINIMUM_PYTHON`` (``version_info`` defaults to this one)."""
    version = tuple(sys.version_info[:3] if version_info is None else version_info[:3])
    shown = ".".join(str(part) for part in version)
    minimum = ".".join(str(part) for part in MINIMUM_PYTHON)
    if version[:2] >= MINIMUM_PYTHON:
        return CheckResult("Python", "OK", f"{shown} ({sys.executable})")
    return CheckResult(
        "Python", "TOO OLD", f"{shown}, but the course needs {minimum} or newer",
        f"install Python {minimum} or newer, then `make distclean` and "
        f"`make setup PYTHON=python3.12` (or another Python >= {minimum})",
    )


def check_module(module: str, name: str, purpose: str, required: bool = True,
                 install: str = "") -> CheckResult:
    """Import ``module`` and report its version, or why it cannot be imported.

    Any exception counts as a failure, not only ImportError: a half-installed package can
    raise anything at import time, and the report must go on to the next item.
    """
    install = install or f"{_SETUP_HINT} (or `%pip install {module}` in a notebook cell)"
    try:
        imported = importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name not in (None, module) and not module.startswith(f"{error.name}."):
            # The module exists but something it imports does not.
            return CheckResult(name, "BROKEN", f"installed, but importing it needs the "
                               f"missing module {error.name!r} ({purpose})", install, required)
        return CheckResult(name, "MISSING", f"not installed ({purpose})", install, required)
    except Exception as error:  # noqa: BLE001 - every failure is reported, none raised
        message = str(error).splitlines()[0] if str(error) else ""
        return CheckResult(name, "BROKEN", f"importing it fails with {type(error).__name__}: "
                           f"{message} ({purpose})", install, required)
    version = getattr(imported, "__version__", None) or _distribution_version(module)
    return CheckResult(name, "OK", f"{version or 'version unknown'} ({purpose})",
                       required=required)


def check_dot() -> CheckResult:
    """Graphviz's ``dot`` program: found on PATH, and ``dot -V`` runs and says its version."""
    name = "Graphviz's dot program"
    path = shutil.which("dot")
    if path is None:
        return CheckResult(name, "MISSING", "`dot` is not on the PATH, so graph pictures "
                           "cannot be drawn", _DOT_HINT)
    try:
        # `dot -V` writes "dot - graphviz version 2.43.0 (0)" to stderr (and exits 0).
        completed = subprocess.run([path, "-V"], capture_output=True, text=True,
                                   timeout=DOT_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        return CheckResult(name, "BROKEN", f"`{path} -V` did not answer within "
                           f"{DOT_TIMEOUT_SECONDS:g} s", _DOT_HINT)
    except OSError as error:
        return CheckResult(name, "BROKEN", f"`{path} -V` cannot be run: {error}", _DOT_HINT)
    said = (completed.stderr or completed.stdout).strip()
    first_line = said.splitlines()[0] if said else ""
    if completed.returncode != 0:
        detail = f"`{path} -V` exited with status {completed.returncode}"
        return CheckResult(name, "BROKEN", detail + (f": {first_line}" if first_line else ""),
                           _DOT_HINT)
    return CheckResult(name, "OK", f"{first_line or 'version unknown'} ({path})")


def check_minigrad() -> CheckResult:
    """minigrad imports, and from where (a stale install elsewhere shows up here)."""
    result = check_module("minigrad", "minigrad", "the course's engine",
                          install="run `make setup` in the course folder, which installs "
                                  "it with `pip install -e .`")
    if result.status != "OK":
        return result
    location = Path(getattr(sys.modules["minigrad"], "__file__", "") or "?").parent
    return CheckResult("minigrad", "OK", f"{result.detail.split(' (')[0]} ({location})")


def check_torch() -> CheckResult:
    """PyTorch, optional: found without importing it (that takes seconds and lots of memory)."""
    name = "PyTorch (optional)"
    purpose = "only to compare with minigrad; the course never needs it"
    try:
        found = importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        return CheckResult(name, "MISSING", f"not installed ({purpose})",
                           "nothing to do; to compare with PyTorch: `pip install torch`",
                           required=False)
    version = _distribution_version("torch")
    return CheckResult(name, "OK", f"{version or 'version unknown'} ({purpose})",
                       required=False)


def check_environment(print_report: bool = True) -> list[CheckResult]:
    """Check every item the course needs; print one line per item (``print_report``)."""
    results = [
        check_python(),
        check_module("numpy", "NumPy", "minigrad's arrays"),
        check_module("matplotlib", "matplotlib", "plots"),
        check_module("graphviz", "graphviz (Python package)", "writes graph pictures"),
        check_dot(),
        check_module("ipywidgets", "ipywidgets", "interactive widgets"),
        check_minigrad(),
        check_torch(),
    ]
    if print_report:
        print(format_report(results))
    return results


def format_report(results: Sequence[CheckResult]) -> str:
    """The report lines and a last line saying whether anything needs doing."""
    lines = [result.line() for result in results]
    problems = [result.name for result in results if not result.ok]
    if problems:
        lines.append(f"{len(problems)} problem(s) to fix before going on: "
                     + ", ".join(problems) + ". Restart the kernel after installing.")
    else:
        lines.append("Everything the course needs is installed.")
    return "\n".join(lines)


def _distribution_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


if __name__ == "__main__":
    sys.exit(0 if all(result.ok for result in check_environment()) else 1)
