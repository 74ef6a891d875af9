"""The course in a real browser: JupyterLab started as `make lab` starts it, driven by Chromium.

- ``lab``: one JupyterLab for the whole session, started with ``make lab`` from the
  repository (a free local port, no token, the course's own jupyter_config/), and stopped
  with its kernels at the end. Its user settings live in a temporary folder, so a
  developer's own JupyterLab settings cannot change what the tests see.
- ``page``: pytest-playwright's page, in Debian's Chromium (``MINIGRAD_CHROMIUM``, default
  /usr/bin/chromium) launched headless with a fresh profile; Playwright never downloads a
  browser here.
- ``screenshots``: the folder the tests save their pictures in: ``build/screenshots``, or
  ``MINIGRAD_SCREENSHOTS`` (``make screenshots`` sets it to screenshots/, the README's).

The tests skip, saying why, when pytest-playwright or Chromium is missing (``make test``
runs them only when Chromium is installed; ``make test-browser`` insists on it).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("MINIGRAD_CHROMIUM", "/usr/bin/chromium"))
# Headless, no sandbox (tests may run as root, in a container), no GPU, and nothing that
# talks to the network on its own: the machine may have no internet at all.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}

# JupyterLab settings for the test server only (written as a user's settings would be).
LAB_USER_SETTINGS = {
    # The tests clear and re-run the repository's own chapters: JupyterLab must never save
    # them (autosave would write the new outputs into notebooks/ after two minutes).
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    # Every cell in the page, not only those scrolled into view, so that the tests can
    # read every prompt and output of a notebook.
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


def pytest_configure(config):
    # pytest-playwright 0.10's own base_url fixture trips a pytest deprecation warning that
    # says nothing about this project's tests.
    config.addinivalue_line(
        "filterwarnings", "ignore:Session-scoped fixtures defined as instance methods:DeprecationWarning")


def _missing(config: pytest.Config) -> str | None:
    """Why the browser tests cannot run here, or None."""
    if importlib.util.find_spec("pytest_playwright") is None:
        return "pytest-playwright is not installed: .venv/bin/pip install -r requirements-browser.txt"
    if not config.pluginmanager.hasplugin("playwright"):
        return "the pytest-playwright plugin is disabled (-p no:playwright)"
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM}: apt-get install chromium (or set MINIGRAD_CHROMIUM)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _missing(config)
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


# ---------------------------------------------------------------- the browser

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options, with the system's Chromium and its flags."""
    # Playwright gives every launch a new temporary profile (user data dir) and deletes it
    # at the end: no state from a previous run or from the user's own Chromium leaks in.
    # `pytest --headed` (to watch a test on a desktop) drops --headless.
    headless = browser_type_launch_args.get("headless", True)
    args = [arg for arg in CHROMIUM_ARGS if headless or arg != "--headless"]
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": args}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORT}


@pytest.fixture(scope="session")
def screenshots() -> Path:
    folder = Path(os.environ.get("MINIGRAD_SCREENSHOTS") or REPO / "build" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# ---------------------------------------------------------------- JupyterLab

@dataclass
class Lab:
    url: str  # http://127.0.0.1:PORT
    root: Path  # the folder JupyterLab serves: the repository

    def tree_url(self, path: Path) -> str:
        """The address that opens ``path`` in a fresh workspace (``reset``: no tabs kept)."""
        relative = path.resolve().relative_to(self.root).as_posix()
        return f"{self.url}/lab/tree/{relative}?reset"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _lab_environment(state: Path) -> dict[str, str]:
    env = dict(os.environ)
    # An outer `make` (make test-browser) must not pass its flags to the inner one, and the
    # suite's MPLBACKEND=Agg must not reach the kernels: plots would not be shown inline.
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MPLBACKEND", "JUPYTER_TOKEN", "DISPLAY",
                 "WAYLAND_DISPLAY", "PORT", "LAB_ARGS", "NO_BROWSER", "INSTRUCTOR"):
        env.pop(name, None)
    settings = state / "settings"
    for plugin, values in LAB_USER_SETTINGS.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env.update(
        JUPYTER_CONFIG_DIR=str(state / "config"),  # the developer's ~/.jupyter is left out
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(state / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(state / "runtime"),
        IPYTHONDIR=str(state / "ipython"),
    )
    return env


@pytest.fixture(scope="session")
def lab(pytestconfig) -> Lab:
    """JupyterLab started by `make lab` on a free port, without a token, stopped at the end."""
    reason = _missing(pytestconfig)
    if reason:
        pytest.skip(reason)
    venv = Path(sys.prefix)
    if not (venv / "bin" / "jupyter").exists():
        pytest.skip(f"JupyterLab is not installed in {venv}: run `make setup` first")
    state = Path(tempfile.mkdtemp(prefix="minigrad-lab-"))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    # The server's log is kept (build/ is ignored by git) to explain a failure afterwards.
    log_path = REPO / "build" / "browser-tests" / "jupyterlab.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # `-o STAMP`: the environment is taken as installed (no pip run inside the tests); the
    # rest is `make lab` as a learner types it, with the token switched off.
    command = ["make", "--no-print-directory", "-o", f"{venv}/.minigrad-installed", "lab",
               f"VENV={venv}", f"PORT={port}", "NO_BROWSER=1",
               "LAB_ARGS=--IdentityProvider.token= --ServerApp.password="]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=_lab_environment(state), stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for_status(url, process, log_path)
        yield Lab(url=url, root=REPO)
    finally:
        _stop(process)
        shutil.rmtree(state, ignore_errors=True)


def _wait_for_status(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"make lab exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/status", timeout=5) as response:
                if "started" in json.load(response):
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer on {url}/api/status within {timeout:.0f} s:\n{log_path.read_text()}")


def _stop(process: subprocess.Popen) -> None:
    # make, JupyterLab and its kernels share the process group started above.
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture
def scratch(lab: Lab) -> Path:
    """A folder that JupyterLab can open but git ignores (under build/), removed afterwards."""
    parent = lab.root / "build" / "browser-tests"
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=parent))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)
