"""The environment check of chapter 00: one line per item, what is missing and how to fix it,
and never an exception, whatever is broken."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from minigrad import _environment as environment

ITEMS = ["Python", "NumPy", "matplotlib", "graphviz (Python package)",
         "Graphviz's dot program", "ipywidgets", "minigrad", "PyTorch (optional)"]


def _by_name(results):
    return {result.name: result for result in results}


def _hide_module(monkeypatch, hidden: str, error: BaseException | None = None) -> None:
    """Make importing ``hidden`` fail as if it were not installed (or raise ``error``)."""
    real_import = importlib.import_module

    def fake_import(name, package=None):
        if name == hidden:
            raise error or ModuleNotFoundError(f"No module named {hidden!r}", name=hidden)
        return real_import(name, package)

    monkeypatch.setattr(environment.importlib, "import_module", fake_import)


def _fake_dot(tmp_path: Path, script: str) -> str:
    path = tmp_path / "dot"
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(0o755)
    return str(path)


def test_this_environment_passes_every_item(capsys):
    results = environment.check_environment()
    printed = capsys.readouterr().out.splitlines()
    assert [result.name for result in results] == ITEMS
    # The course's own .venv has everything, dot included (make setup makes sure of it).
    assert [result.name for result in results if result.status != "OK"] in (
        [], ["PyTorch (optional)"])
    assert len(printed) == len(ITEMS) + 1
    for line, result in zip(printed, results):
        assert line.startswith(("OK", "optional")) and result.name in line
    assert printed[-1] == "Everything the course needs is installed."
    numpy_line = printed[ITEMS.index("NumPy")]
    import numpy

    assert numpy.__version__ in numpy_line


def test_minigrad_is_reported_with_the_folder_it_is_imported_from():
    import minigrad

    result = environment.check_minigrad()
    assert result.status == "OK"
    assert str(Path(minigrad.__file__).parent) in result.detail
    assert minigrad.__version__ in result.detail


def test_a_missing_package_is_named_with_how_to_install_it(monkeypatch, capsys):
    _hide_module(monkeypatch, "ipywidgets")
    results = _by_name(environment.check_environment())
    printed = capsys.readouterr().out
    widgets = results["ipywidgets"]
    assert widgets.status == "MISSING" and not widgets.ok
    assert "make setup" in widgets.fix and "pip install ipywidgets" in widgets.fix
    # The other items are still checked and still fine.
    assert results["NumPy"].status == "OK" and results["Graphviz's dot program"].status == "OK"
    assert "MISSING  ipywidgets: not installed" in printed
    assert printed.strip().splitlines()[-1].startswith("1 problem(s) to fix before going on: "
                                                       "ipywidgets.")


def test_a_package_that_fails_on_import_is_reported_not_raised(monkeypatch):
    _hide_module(monkeypatch, "matplotlib", RuntimeError("the font cache is corrupt"))
    result = _by_name(environment.check_environment(print_report=False))["matplotlib"]
    assert result.status == "BROKEN"
    assert "RuntimeError: the font cache is corrupt" in result.detail


def test_a_package_whose_own_dependency_is_missing_is_broken_not_missing(monkeypatch):
    _hide_module(monkeypatch, "graphviz",
                 ModuleNotFoundError("No module named 'typing_extensions'",
                                     name="typing_extensions"))
    result = environment.check_module("graphviz", "graphviz", "pictures")
    assert result.status == "BROKEN"
    assert "'typing_extensions'" in result.detail


def test_missing_dot_program_says_how_to_install_graphviz(monkeypatch):
    monkeypatch.setattr(environment.shutil, "which", lambda name: None)
    results = _by_name(environment.check_environment(print_report=False))
    dot = results["Graphviz's dot program"]
    assert dot.status == "MISSING" and not dot.ok
    for advice in ("apt-get install graphviz", "brew install graphviz", "conda install",
                   "make dot"):
        assert advice in dot.fix
    # The Python package alone is not enough, and the report keeps the two apart.
    assert results["graphviz (Python package)"].status == "OK"


@pytest.mark.skipif(os.name != "posix", reason="the fake dot is a shell script")
def test_dot_that_exits_with_an_error_is_reported_as_broken(monkeypatch, tmp_path):
    fake = _fake_dot(tmp_path, 'echo "Warning: Could not load plugins" >&2; exit 3')
    monkeypatch.setattr(environment.shutil, "which", lambda name: fake)
    result = environment.check_dot()
    assert result.status == "BROKEN"
    assert "exited with status 3" in result.detail
    assert "Could not load plugins" in result.detail


@pytest.mark.skipif(os.name != "posix", reason="the fake dot is a shell script")
def test_dot_version_is_read_from_its_stderr(monkeypatch, tmp_path):
    fake = _fake_dot(tmp_path, 'echo "dot - graphviz version 9.9.9 (0)" >&2')
    monkeypatch.setattr(environment.shutil, "which", lambda name: fake)
    result = environment.check_dot()
    assert result.status == "OK"
    assert result.detail == f"dot - graphviz version 9.9.9 (0) ({fake})"


def test_dot_that_cannot_be_started_or_hangs_is_broken(monkeypatch, tmp_path):
    monkeypatch.setattr(environment.shutil, "which", lambda name: str(tmp_path / "dot"))

    def cannot_run(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(environment.subprocess, "run", cannot_run)
    assert environment.check_dot().status == "BROKEN"
    assert "Permission denied" in environment.check_dot().detail

    def hangs(command, **kwargs):
        raise subprocess.TimeoutExpired(command, kwargs["timeout"])

    monkeypatch.setattr(environment.subprocess, "run", hangs)
    result = environment.check_dot()
    assert result.status == "BROKEN" and "did not answer" in result.detail


def test_python_older_than_the_minimum_is_too_old():
    old = environment.check_python((3, 9, 18))
    assert old.status == "TOO OLD" and not old.ok
    assert "3.9.18" in old.detail and "3.10 or newer" in old.detail
    assert environment.check_python((3, 10, 0)).status == "OK"
    assert environment.check_python(sys.version_info).status == "OK"


def test_missing_torch_is_optional_and_not_a_problem(monkeypatch):
    real_find_spec = environment.importlib.util.find_spec
    monkeypatch.setattr(environment.importlib.util, "find_spec",
                        lambda name: None if name == "torch" else real_find_spec(name))
    results = environment.check_environment(print_report=False)
    torch = _by_name(results)["PyTorch (optional)"]
    assert torch.status == "MISSING" and torch.ok and not torch.required
    assert torch.line().startswith("optional PyTorch (optional): not installed")
    assert environment.format_report(results).endswith(
        "Everything the course needs is installed.")


def test_several_problems_are_all_listed_in_the_last_line(monkeypatch):
    _hide_module(monkeypatch, "numpy")
    monkeypatch.setattr(environment.shutil, "which", lambda name: None)
    report = environment.format_report(environment.check_environment(print_report=False))
    assert report.splitlines()[-1].startswith(
        "2 problem(s) to fix before going on: NumPy, Graphviz's dot program.")


def test_command_line_exit_status_is_zero_when_everything_is_there():
    completed = subprocess.run([sys.executable, "-m", "minigrad._environment"],
                               capture_output=True, text=True, check=False, timeout=120)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.strip().endswith("Everything the course needs is installed.")
