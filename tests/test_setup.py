"""Tests of the repository's set-up: requirements, packaging, the Makefile and `make lab`.

A learner's first contact with the course is `make lab` on their own machine, so the
set-up is tested like code: the Makefile's decisions are checked with `make -n` (what it
would run) and in a scratch copy with a stand-in Python, and JupyterLab is really started.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest itself depends on tomli there
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
# The virtualenv running this test is the one the Makefile built (`make test` runs pytest
# with it); it is passed on to `make` so that `make test VENV=...` tests that VENV.
VENV = Path(sys.prefix) if sys.prefix != sys.base_prefix else REPO / ".venv"
STAMP = f"{VENV}/.minigrad-installed"
SUPPORTED_PYTHONS = ["3.10", "3.11", "3.12", "3.13", "3.14"]


def make_env(**changes: str | None) -> dict[str, str]:
    """The environment for a `make` run inside the tests, with `changes` applied (None deletes).

    The flags of an outer `make test` (MAKEFLAGS: -n, -k, jobserver...) must not leak into it,
    and neither must this machine's screen or CI settings, which decide --no-browser.
    """
    env = dict(os.environ)
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "DISPLAY", "WAYLAND_DISPLAY", "CI",
                 "NO_BROWSER", "SSH_CONNECTION", "VENV", "PYTHON", "PORT", "LAB_ARGS"):
        env.pop(name, None)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def headless_env(**changes: str | None) -> dict[str, str]:
    # macOS has no DISPLAY even on a desktop, so the Makefile counts only SSH as headless there.
    if sys.platform == "darwin":
        changes.setdefault("SSH_CONNECTION", "10.0.0.1 50000 10.0.0.2 22")
    return make_env(**changes)


def make_dry_run(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None) -> str:
    """What `make` would run, without running it (`make -n`)."""
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", f"VENV={VENV}", *args],
        cwd=cwd, env=env or make_env(), capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def jupyter_line(dry_run: str) -> str:
    lines = [line for line in dry_run.splitlines() if "jupyter lab" in line]
    assert len(lines) == 1, dry_run
    return lines[0]


def requirement_lines() -> list[Requirement]:
    lines = (REPO / "requirements.txt").read_text().splitlines()
    return [Requirement(line) for line in (raw.split("#")[0].strip() for raw in lines) if line]


def read_pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())


# ---------------------------------------------------------------- requirements.txt

def test_requirements_never_install_torch():
    names = [req.name.lower() for req in requirement_lines()]
    assert names, "requirements.txt lists no packages"
    assert not [name for name in names if "torch" in name], names


def test_every_requirement_has_a_lower_bound_and_no_upper_pin():
    for req in requirement_lines():
        operators = {spec.operator for spec in req.specifier}
        assert ">=" in operators, f"{req} has no lower bound (>=)"
        assert not operators & {"<", "<=", "==", "~=", "==="}, f"{req} pins an upper bound"


def test_requirements_give_each_supported_python_exactly_one_bound_per_package():
    # Lines split by python_version markers must cover every supported Python exactly once,
    # or one Python gets no bound (or two conflicting ones).
    for python in SUPPORTED_PYTHONS:
        seen: dict[str, int] = {}
        for req in requirement_lines():
            applies = req.marker is None or req.marker.evaluate({"python_version": python})
            if applies:
                seen[req.name] = seen.get(req.name, 0) + 1
        assert all(count == 1 for count in seen.values()), (python, seen)
        assert {"numpy", "jupyterlab", "pytest", "nbval", "nbgrader"} <= set(seen), python


def test_installed_versions_satisfy_the_lower_bounds():
    # The bounds are the versions the course was tested with: the environment running the
    # suite must meet them (a bound raised past what was tested fails here).
    for req in requirement_lines():
        if req.marker is not None and not req.marker.evaluate():
            continue
        installed = metadata.version(req.name)
        assert req.specifier.contains(installed, prereleases=True), (
            f"{req.name} {installed} is installed, but requirements.txt asks for {req}; "
            "run `make setup`"
        )


# ---------------------------------------------------------------- pyproject.toml

def test_pyproject_declares_minigrad_without_torch():
    project = read_pyproject()["project"]
    assert project["name"] == "minigrad"
    assert project["requires-python"] == ">=3.10"
    dependencies = [Requirement(dep) for dep in project["dependencies"]]
    assert "numpy" in {dep.name for dep in dependencies}
    assert not [dep for dep in dependencies if "torch" in dep.name.lower()]


def test_minigrad_is_installed_from_this_checkout():
    # `make setup` runs `pip install -e .`: the installed distribution has pyproject's version
    # and `import minigrad` finds this repository's minigrad/, not a stale copy elsewhere.
    version = read_pyproject()["project"]["version"]
    assert metadata.version("minigrad") == version
    Version(version)  # a valid PEP 440 version
    code = "import minigrad, pathlib; print(pathlib.Path(next(iter(minigrad.__path__))).resolve())"
    result = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) == REPO / "minigrad"


def test_readme_library_example_prints_what_the_readme_says():
    # The README's example quotes its output (PyTorch's, digit for digit) in comments; run
    # it as a reader would, outside the repository, and compare line by line.
    readme = (REPO / "README.md").read_text()
    example = re.search(r"## Using minigrad as a library.*?```python\n(.*?)```", readme, re.S)
    assert example, "README.md has no library example"
    code = example.group(1)
    quoted = re.findall(r"^print\(.*\)  # (.*)$", code, re.M)
    assert len(quoted) == 4, quoted
    result = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == quoted


# ---------------------------------------------------------------- make lab, as `make -n` shows it

def test_make_lab_is_headless_without_a_display():
    line = jupyter_line(make_dry_run("lab", "PORT=9999", env=headless_env()))
    assert "--port=9999" in line
    assert "--no-browser" in line
    assert f'--ServerApp.root_dir="{REPO}"' in line
    assert ("--allow-root" in line) == (os.geteuid() == 0)


def test_make_lab_opens_a_browser_on_a_desktop_unless_told_not_to():
    desktop = make_env(DISPLAY=":0", SSH_CONNECTION=None)
    if sys.platform != "darwin":
        assert "--no-browser" not in jupyter_line(make_dry_run("lab", env=desktop))
    told = jupyter_line(make_dry_run("lab", "NO_BROWSER=1", env=desktop))
    assert "--no-browser" in told
    assert "--port=8888" in told  # the default port
    forced = jupyter_line(make_dry_run("lab", "NO_BROWSER=0", env=headless_env()))
    assert "--no-browser" not in forced


def scratch_copy(tmp_path: Path) -> Path:
    """The set-up files in an empty directory, to try the Makefile on other situations."""
    for name in ("Makefile", "requirements.txt", "pyproject.toml", "setup/ensure_dot.sh", "setup/apt_install.sh"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, tmp_path / name)
    return tmp_path


def test_make_lab_opens_the_start_notebook_once_it_exists(tmp_path):
    scratch = scratch_copy(tmp_path)
    assert "default_url" not in jupyter_line(make_dry_run("lab", cwd=scratch))
    (scratch / "notebooks").mkdir()
    (scratch / "notebooks" / "00_start_here.ipynb").write_text("{}")
    line = jupyter_line(make_dry_run("lab", cwd=scratch))
    assert "--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb" in line


def test_notebook_tests_are_skipped_not_run_on_nothing(tmp_path):
    # pytest on no notebooks exits with status 5 ("no tests collected"), which must neither
    # fail `make test` nor pass for a real run: the sub-run is skipped and says so.
    scratch = scratch_copy(tmp_path)
    empty = make_dry_run("test-notebooks", cwd=scratch)
    assert "no notebooks" in empty
    assert "nbval" not in empty
    (scratch / "solutions").mkdir()
    (scratch / "solutions" / "01_derivatives.ipynb").write_text("{}")
    line = [cmd for cmd in make_dry_run("test-notebooks", cwd=scratch).splitlines()
            if "--nbval-lax" in cmd]
    assert len(line) == 1
    assert line[0].split()[-1] == "solutions"  # only folders that exist are passed on


# ---------------------------------------------------------------- make setup, with a fake Python

FAKE_PYTHON = """#!/bin/bash
# Stands in for python3 and the venv's python: logs what it is asked to do. Asked a question
# (-c), it answers with FAKE_PYTHON_OUTPUT (where `import minigrad` would find it).
[ "$1" = -c ] && [ -n "${FAKE_PYTHON_OUTPUT:-}" ] && echo "$FAKE_PYTHON_OUTPUT"
[ "$1" = -c ] && [[ "$2" == *find_spec* ]] && exit 0  # not logged: make asks on every run
echo "$*" >> "$SETUP_LOG"
if [ "$1" = -c ]; then exit "${FAKE_PYTHON_STATUS:-0}"; fi
if [ "$1" = -m ] && [ "$2" = venv ]; then
    mkdir -p "$3/bin" && cp "$0" "$3/bin/python"
fi
"""


def run_setup(scratch: Path, log: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "setup", f"PYTHON={scratch / 'python3'}"],
        cwd=scratch, env=make_env(SETUP_LOG=str(log), **env),
        capture_output=True, text=True, timeout=60,
    )


def test_setup_installs_once_and_again_when_requirements_change(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is missing: `make setup` would try to install it")
    scratch = scratch_copy(tmp_path)
    (scratch / "python3").write_text(FAKE_PYTHON)
    (scratch / "python3").chmod(0o755)
    log = tmp_path / "setup.log"

    assert run_setup(scratch, log).returncode == 0
    calls = log.read_text().splitlines()
    assert "-m venv .venv" in calls
    assert calls[-2:] == ["-m pip install -r requirements.txt", "-m pip install -e ."]

    assert run_setup(scratch, log).returncode == 0
    assert log.read_text().splitlines() == calls, "a second `make setup` reinstalled"

    later = time.time() + 10
    os.utime(scratch / "requirements.txt", (later, later))
    assert run_setup(scratch, log).returncode == 0
    again = log.read_text().splitlines()[len(calls):]
    assert again == ["-m pip install -r requirements.txt", "-m pip install -e ."]


def test_setup_installs_again_when_minigrad_is_not_importable_from_the_checkout(tmp_path):
    # An editable install made before minigrad/__init__.py existed keeps failing to import
    # minigrad; `make setup` notices and installs again, and is quiet once it imports.
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is missing: `make setup` would try to install it")
    scratch = scratch_copy(tmp_path)
    (scratch / "python3").write_text(FAKE_PYTHON)
    (scratch / "python3").chmod(0o755)
    log = tmp_path / "setup.log"
    assert run_setup(scratch, log).returncode == 0
    (scratch / "minigrad").mkdir()
    (scratch / "minigrad" / "__init__.py").write_text("")
    before = log.read_text().splitlines()

    assert run_setup(scratch, log, FAKE_PYTHON_OUTPUT="").returncode == 0
    after = log.read_text().splitlines()
    assert after[len(before):] == ["-m pip install -r requirements.txt", "-m pip install -e ."]

    here = str((scratch / "minigrad" / "__init__.py").resolve())
    assert run_setup(scratch, log, FAKE_PYTHON_OUTPUT=here).returncode == 0
    assert log.read_text().splitlines() == after


def test_setup_refuses_a_python_older_than_3_10(tmp_path):
    scratch = scratch_copy(tmp_path)
    (scratch / "python3").write_text(FAKE_PYTHON)
    (scratch / "python3").chmod(0o755)
    result = run_setup(scratch, tmp_path / "setup.log", FAKE_PYTHON_STATUS="1")
    assert result.returncode != 0
    assert "minigrad needs Python 3.10 or newer" in result.stderr
    assert not (scratch / ".venv").exists()


# ---------------------------------------------------------------- Graphviz's dot

def run_ensure_dot(path: Path, **env: str) -> subprocess.CompletedProcess:
    # Only `path` is searched for programs, so the machine's own dot and apt-get are hidden.
    return subprocess.run(
        ["/bin/bash", str(REPO / "setup" / "ensure_dot.sh")],
        env={"PATH": str(path), "HOME": str(path), **env},
        capture_output=True, text=True, timeout=60,
    )


def write_program(path: Path, text: str) -> None:
    path.write_text("#!/bin/bash\n" + text)
    path.chmod(0o755)


def test_ensure_dot_is_silent_when_dot_is_installed(tmp_path):
    write_program(tmp_path / "dot", "exit 0\n")
    result = run_ensure_dot(tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_ensure_dot_says_in_one_line_how_to_install_it(tmp_path):
    # No dot and no apt-get (macOS, Fedora, conda...): one line with the three recipes, and a
    # failure so that `make lab` and `make test` stop.
    result = run_ensure_dot(tmp_path)
    assert result.returncode != 0
    assert result.stdout == ""
    message = result.stderr.strip()
    assert "\n" not in message
    for recipe in ("sudo apt-get install graphviz", "brew install graphviz",
                   "conda install -c conda-forge graphviz"):
        assert recipe in message


APT_GET = """
echo "$*" >> "$APT_LOG"
[ "$1" = update ] && { : > "$APT_LISTS"; exit 0; }
# Like a fresh Debian image: installing fails until the package lists were downloaded.
[ -e "$APT_LISTS" ] || exit 100
printf '#!/bin/bash\\n' > "$BIN_DIR/dot" && /bin/chmod +x "$BIN_DIR/dot"
"""


def test_ensure_dot_installs_with_apt_refreshing_the_lists_first_if_needed(tmp_path):
    write_program(tmp_path / "apt-get", APT_GET)
    write_program(tmp_path / "sudo", '[ "$1" = -n ] && shift\nexec "$@"\n')  # when not root
    log = tmp_path / "apt.log"
    result = run_ensure_dot(tmp_path, APT_LOG=str(log), APT_LISTS=str(tmp_path / "lists"),
                            BIN_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert log.read_text().splitlines() == [
        "install -y -q graphviz", "update -q", "install -y -q graphviz"]
    assert (tmp_path / "dot").exists()


# ---------------------------------------------------------------- make lab, for real

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, token: str) -> urllib.request.Request:
    return urllib.request.Request(url, headers={"Authorization": f"token {token}"})


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.slow
def test_make_lab_starts_jupyterlab_headless_on_the_course(tmp_path):
    if not (VENV / "bin" / "jupyter").exists():
        pytest.skip(f"JupyterLab is not installed in {VENV}: run `make setup` first")
    port, token = free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "lab.log"
    # `-o STAMP`: take the installed environment as it is, so this test never runs pip
    # (`make test` has just run the set-up anyway); the rest is exactly `make lab`.
    command = ["make", "--no-print-directory", "-o", STAMP, "lab", f"PORT={port}", f"VENV={VENV}"]
    env = headless_env(JUPYTER_TOKEN=token, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    with open(log, "wb") as output:
        lab = subprocess.Popen(command, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                               stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        status = None
        deadline = time.monotonic() + 60
        while status is None and time.monotonic() < deadline:
            assert lab.poll() is None, f"make lab exited early:\n{log.read_text()}"
            try:
                with urllib.request.urlopen(get(f"{base}/api/status", token), timeout=5) as r:
                    status = json.load(r)
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        assert status is not None, f"no answer on {base}/api/status in 60 s:\n{log.read_text()}"
        assert "started" in status and "kernels" in status, status

        # The server's root is the course, and notebooks run on the course's Python.
        with urllib.request.urlopen(get(f"{base}/api/contents/", token), timeout=10) as r:
            names = {item["name"] for item in json.load(r)["content"]}
        assert {"Makefile", "requirements.txt", "minigrad"} <= names, names
        with urllib.request.urlopen(get(f"{base}/api/kernelspecs", token), timeout=10) as r:
            specs = json.load(r)
        python = specs["kernelspecs"][specs["default"]]["spec"]["argv"][0]
        # A bare "python" is replaced by the server's own interpreter (the venv's) at launch.
        assert python in ("python", "python3") or Path(python).parent.samefile(VENV / "bin")

        # The landing page: the first chapter when it exists, else JupyterLab's start page.
        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(get(f"{base}/", token), timeout=10)
            pytest.fail("/ did not redirect")
        except urllib.error.HTTPError as redirect:
            location = redirect.headers["Location"]
        start = REPO / "notebooks" / "00_start_here.ipynb"
        expected = "/lab/tree/notebooks/00_start_here.ipynb" if start.exists() else "/lab"
        assert urllib.parse.urlsplit(location).path.endswith(expected), location

        output = log.read_text()
        assert re.search(rf"(127\.0\.0\.1|localhost):{port}/", output), output
    finally:
        # Stop make and JupyterLab together: they share the process group started above.
        if lab.poll() is None:
            os.killpg(lab.pid, signal.SIGTERM)
        try:
            lab.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
            lab.wait(timeout=10)
            pytest.fail("JupyterLab did not stop within 30 s of SIGTERM")
    with pytest.raises(ProcessLookupError):
        os.killpg(lab.pid, 0)  # nothing of the group is left running
