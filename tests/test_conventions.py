"""The files that let the course run elsewhere without change, and the students' JupyterLab.

- Binder-style services (repo2docker): apt.txt names Graphviz, postBuild installs minigrad,
  start puts the course's JupyterLab settings first, as `make lab` does.
- jupyter_config/: nbgrader's instructor panels are off for students, Validate stays. The
  browser tests check the result in JupyterLab; these check the files without a browser.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "jupyter_config"
INSTRUCTOR_PLUGINS = {
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:menu",
}
VALIDATE_PLUGIN = "@jupyter/nbgrader:validate-assignment"


def test_apt_txt_installs_graphviz_beside_requirements_txt():
    packages = [line.split("#")[0].strip() for line in (REPO / "apt.txt").read_text().splitlines()]
    assert "graphviz" in packages
    assert (REPO / "requirements.txt").is_file()


def test_binder_scripts_are_executable_bash():
    for name in ("postBuild", "start"):
        script = REPO / name
        assert os.access(script, os.X_OK), f"{name} must be executable"
        assert script.read_text().startswith("#!/usr/bin/env bash\n")
        assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    assert "pip install --no-deps -e ." in (REPO / "postBuild").read_text()


def test_start_puts_the_course_settings_first_and_runs_the_command(tmp_path):
    env = {**os.environ, "JUPYTER_CONFIG_PATH": "/elsewhere"}
    result = subprocess.run([str(REPO / "start"), "printenv", "JUPYTER_CONFIG_PATH"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{CONFIG}:/elsewhere"


def test_students_lose_the_instructor_panels_but_keep_validate():
    disabled = json.loads((CONFIG / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert {name for name, off in disabled.items() if off} == INSTRUCTOR_PLUGINS
    assert VALIDATE_PLUGIN not in disabled
    servers = json.loads((CONFIG / "jupyter_server_config.json").read_text())["ServerApp"]["jpserver_extensions"]
    assert servers == {
        "nbgrader.server_extensions.formgrader": False,
        "nbgrader.server_extensions.course_list": False,
        "nbgrader.server_extensions.assignment_list": False,
    }


def test_the_plugins_named_exist_in_the_installed_nbgrader():
    # A renamed plugin would silently stay enabled: the names must be nbgrader's own.
    import nbgrader

    labextension = Path(nbgrader.__file__).parent / "labextension"
    bundles = "".join(path.read_text(errors="ignore") for path in labextension.glob("static/*.js"))
    for plugin in INSTRUCTOR_PLUGINS | {VALIDATE_PLUGIN}:
        assert f'"{plugin}"' in bundles, plugin


def test_make_lab_uses_the_course_settings_unless_instructor(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "jupyter").write_text('#!/bin/sh\necho "config=[$JUPYTER_CONFIG_PATH]"\n')
    (fake / "jupyter").chmod(0o755)
    env = {key: value for key, value in os.environ.items()
           if key not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "JUPYTER_CONFIG_PATH", "INSTRUCTOR")}

    def lab(*arguments: str) -> str:
        result = subprocess.run(["make", "--no-print-directory", "-o", ".venv/.minigrad-installed", "-o", "dot",
                                 "lab", f"BIN={fake}", "NO_BROWSER=1", *arguments],
                                cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]

    assert lab() == f"config=[{CONFIG}]"
    assert lab("INSTRUCTOR=1") == "config=[]"
