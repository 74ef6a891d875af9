"""The sandbox every graded notebook runs in: a Jupyter kernel started inside bubblewrap.

Why a kernelspec
================

nbgrader's autograde (ours, and an instructor's own ``nbgrader autograde``) runs a
notebook by asking Jupyter to start a kernel; the kernel runs the student's code, nbgrader
itself only sends it cells and reads back outputs. So the one process to lock up is the
kernel, and Jupyter's own way to say how a kernel starts is a *kernelspec*. The kernelspec
``minigrad-sandbox`` starts this module, which starts ipykernel inside bubblewrap (``bwrap``,
the sandbox under Flatpak: Linux namespaces, maintained, in Debian as ``bubblewrap``).
``nbgrader_config.py`` names it (``Execute.kernel_name``), so every way of running nbgrader
on this course uses it; ``python -m minigrad_course.grading.sandbox install`` installs it
into this Python's Jupyter path for an instructor's own nbgrader.

What the kernel sees
====================

- a private, writable scratch folder (its home and working directory) holding a copy of the
  files of the folder nbgrader ran it in, i.e. its own notebook; an empty ``/tmp``;
- read-only: ``/usr`` (the system's programs and libraries, a few files of ``/etc``), the
  Python installation and virtualenv, and this checkout's ``minigrad/`` and
  ``minigrad_course/`` (without ``minigrad_course/grading/``), at their own paths;
- the folder of its own connection file, which nbgrader's worker makes private to this one
  kernel (see below);
- nothing else: not the grading course (source/, release/, submitted/, autograded/, the
  gradebook, the worker's job and result files), not ``solutions/`` or ``tests/``, not other
  students, not the instructor's home.

It has no network (``--unshare-net``): Jupyter's messages travel over Unix sockets
(``KernelManager.transport = "ipc"`` in ``nbgrader_config.py``) in the connection file's
folder, which both sides see at the same path. It runs in its own PID namespace (it sees
only its own processes and cannot signal or trace the grader's), as an unprivileged user of
its own user namespace with every capability dropped, with a clean environment (only
``SANDBOX_ENVIRONMENT`` and the grading seed of its own submission pass). ``--die-with-parent``
and the PID namespace make every process it started die with it. Its address space is
limited to ``MINIGRAD_GRADING_MEMORY`` (default 2 GiB; ``make grade MEMORY=4G``): an
allocation beyond it raises ``MemoryError`` in that cell, which the grader reports. Its
``/tmp`` holds at most ``TMP_SIZE`` and no file it writes may exceed ``FILE_SIZE``.

What it does not limit yet: the number of processes (a fork bomb; a cgroup with
``pids.max`` would) and the memory of several processes together (``RLIMIT_AS`` is per
process; a cgroup's ``memory.max`` would); the watchdog of ``parallel.py`` ends such a
notebook after its time allowance.

The connection file's folder is shared with the kernel, so it must hold nothing but this
kernel's files (another kernel's connection file would let the notebook run code in it):
the launcher refuses to start otherwise. The grader's worker gives every kernel a fresh
``JUPYTER_RUNTIME_DIR``; an instructor running nbgrader by hand does the same
(``JUPYTER_RUNTIME_DIR=$(mktemp -d) nbgrader autograde ...``).

Without bwrap, the kernel refuses to start, unless ``MINIGRAD_GRADING_UNSAFE=1``: then it
runs unconfined (``make check`` on one's own notebook, or ``make grade UNSAFE=1``).

    python -m minigrad_course.grading.sandbox kernel -f CONNECTION_FILE [ipykernel options]
    python -m minigrad_course.grading.sandbox install     # the kernelspec, into sys.prefix
    python -m minigrad_course.grading.sandbox probe       # is the sandbox usable here?
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

KERNEL_NAME = "minigrad-sandbox"
MEMORY_VARIABLE = "MINIGRAD_GRADING_MEMORY"
UNSAFE_VARIABLE = "MINIGRAD_GRADING_UNSAFE"
# The bwrap program (default: `bwrap` on PATH); the tests point it nowhere to grade without.
BWRAP_VARIABLE = "MINIGRAD_BWRAP"
# Where the launcher makes the kernel's scratch folder (the worker points it at a folder it
# removes after the job); /tmp otherwise.
SCRATCH_VARIABLE = "MINIGRAD_SCRATCH_ROOT"
DEFAULT_MEMORY = 2 * 1024**3
# Disk a notebook may fill: its /tmp is a tmpfs of this size (in memory, but not counted in
# its address space), and no file it writes may be larger (RLIMIT_FSIZE: its scratch folder
# is on the grader's disk).
TMP_SIZE = 256 * 2**20
FILE_SIZE = 256 * 2**20
HOME = "/home/student"
SANDBOX_UID = 1000
# The environment variables a kernel gets from the grader; everything else is cleared.
SANDBOX_ENVIRONMENT = ("MINIGRAD_GRADING_SEED", "MPLBACKEND", "LANG", "LC_ALL", "TZ",
                       "PYTHONHASHSEED", "PYDEVD_DISABLE_FILE_VALIDATION")
# Files of /etc that Python, NumPy and matplotlib read; the rest of /etc stays outside.
ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/fonts", "/etc/alternatives",
             "/etc/ssl/certs", "/etc/mime.types")
REPO = Path(__file__).resolve().parents[2]
INSTALL_HINT = ("install bubblewrap: 'sudo apt-get install bubblewrap' (Debian/Ubuntu), "
                "'sudo dnf install bubblewrap' (Fedora), or run 'bash setup/ensure_bwrap.sh'")


def unsafe_allowed() -> bool:
    return os.environ.get(UNSAFE_VARIABLE, "") not in ("", "0", "no", "false")


def memory_limit() -> int:
    """The memory limit in bytes, from ``MINIGRAD_GRADING_MEMORY`` ("2G", "512M", bytes)."""
    text = os.environ.get(MEMORY_VARIABLE, "").strip()
    if not text:
        return DEFAULT_MEMORY
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?", text, re.IGNORECASE)
    if not match:
        raise SystemExit(f"{MEMORY_VARIABLE}={text!r}: expected a size such as 2G or 512M")
    scale = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}[match.group(2).upper()]
    return int(float(match.group(1)) * scale)


def describe_memory(limit: int) -> str:
    return f"{limit / 2**30:g} GiB" if limit >= 2**30 else f"{limit / 2**20:g} MiB"


def bwrap_program() -> str:
    return os.environ.get(BWRAP_VARIABLE) or "bwrap"


def available() -> str | None:
    """Why the sandbox cannot be used here, or None when bwrap works."""
    if shutil.which(bwrap_program()) is None:
        return "bubblewrap (bwrap) is not installed"
    probe = subprocess.run([bwrap_program(), "--unshare-user", "--unshare-net", "--unshare-pid",
                            "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
                            "--die-with-parent", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"bwrap cannot create a sandbox here ({probe.stderr.strip()[:200]})"
    return None


def kernelspec() -> dict:
    return {
        "argv": [sys.executable, "-m", "minigrad_course.grading.sandbox", "kernel",
                 "-f", "{connection_file}"],
        "display_name": "Python 3 (minigrad grading sandbox)",
        "language": "python",
        # A signal from outside does not reach the kernel in its PID namespace; ipykernel
        # interrupts itself when asked over its control channel.
        "interrupt_mode": "message",
        "env": {"PYTHONPATH": str(REPO)},
        "metadata": {"debugger": False},
    }


def install(prefix: str | None = None) -> Path:
    """Write the kernelspec into ``<prefix>/share/jupyter/kernels`` (default: this Python's)."""
    folder = Path(prefix or sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME
    text = json.dumps(kernelspec(), indent=1) + "\n"
    path = folder / "kernel.json"
    if not path.exists() or path.read_text() != text:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return path


# ----------------------------------------------------------------- the grader's side
# Errors an honest notebook never meets, and which the sandbox raises when a notebook
# reaches outside it: (exception name, text in its message or "", what the grader says).
REFUSALS = (
    ("PermissionError", "", "it was not allowed"),
    ("OSError", "Read-only file system", "the checkout and the Python environment are read-only"),
    ("ProcessLookupError", "", "the grader's processes are out of its sight"),
    ("ConnectionRefusedError", "", "there is no network in the sandbox"),
    ("OSError", "Network is unreachable", "there is no network in the sandbox"),
    ("gaierror", "", "there is no network in the sandbox"),
    ("FileNotFoundError", "No such file or directory: '/", "the grader's files are out of its sight"),
    ("OSError", "File too large", f"a file may hold at most {FILE_SIZE // 2**20} MiB"),
    ("OSError", "No space left on device", f"/tmp holds at most {TMP_SIZE // 2**20} MiB"),
)


def refusals(notebook: dict) -> list[str]:
    """Lines saying what the sandbox refused to a notebook, from its cells' error outputs."""
    lines = []
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if output.get("output_type") != "error":
                continue
            name, value = output.get("ename", ""), output.get("evalue", "")
            for refused_name, text, why in REFUSALS:
                if name == refused_name and text in value \
                        and not (refused_name == "FileNotFoundError" and f"'{HOME}/" in value):
                    lines.append(f"refused by the grading sandbox: {name}: {value[:160]} ({why})")
                    break
    return lines


def ran_out_of_memory(notebook: dict) -> bool:
    return any(output.get("output_type") == "error" and output.get("ename") == "MemoryError"
               for cell in notebook.get("cells", []) for output in cell.get("outputs", []))

def _kernel_manager_base() -> type:
    from jupyter_client.manager import AsyncKernelManager

    return AsyncKernelManager


class SandboxKernelManager(_kernel_manager_base()):
    """nbclient's kernel manager, with each kernel's connection file and Unix sockets in a
    private folder of its own (shared with that kernel's sandbox, removed afterwards).

    Jupyter's default puts every kernel's connection file, with its key, in one runtime
    folder, and derives relative socket paths when none is given; neither can be shared
    with a sandbox. ``nbgrader_config.py`` names this class (``Execute.kernel_manager_class``).
    """

    def write_connection_file(self, **kwargs) -> None:  # noqa: D102 - Jupyter's own method
        if not self.connection_file:
            self._private_folder = tempfile.mkdtemp(prefix="minigrad-kernel-")
            self.connection_file = os.path.join(self._private_folder, "kernel.json")
        if self.transport == "ipc":
            self.ip = os.path.join(os.path.dirname(self.connection_file), "kernel-ipc")
        super().write_connection_file(**kwargs)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart)
        folder = getattr(self, "_private_folder", None)
        if folder and not restart:
            shutil.rmtree(folder, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources


# ---------------------------------------------------------------------- the launcher
def _readonly_paths() -> list[str]:
    paths = {"/usr", sys.base_prefix, sys.prefix, str(REPO / "minigrad"),
             str(REPO / "minigrad_course")}
    # The Python of the virtualenv may be a link into another installation (pyenv's).
    paths.add(str(Path(os.path.realpath(sys.executable)).parents[1]))
    return sorted(p for p in paths if os.path.exists(p))


def bwrap_command(connection_file: Path, scratch: Path, kernel: list[str]) -> list[str]:
    """The bwrap command line that runs ``kernel`` in the sandbox."""
    command = [bwrap_program(), "--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
               "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
               "--unshare-cgroup-try", "--hostname", "sandbox", "--die-with-parent",
               "--cap-drop", "ALL"]
    # /proc, /dev and the private /tmp first: a bind below comes after them, so that a checkout
    # or a virtualenv that lives under /tmp (as a CI's fresh clone may) is not hidden by them.
    command += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMP_SIZE), "--tmpfs", "/tmp"]
    for link, target in (("/bin", "usr/bin"), ("/lib", "usr/lib"), ("/lib64", "usr/lib64"),
                         ("/sbin", "usr/sbin")):
        if os.path.islink(link):
            command += ["--symlink", target, link]
        elif os.path.isdir(link):
            command += ["--ro-bind", link, link]
    for path in _readonly_paths():
        command += ["--ro-bind", path, path]
    for path in ETC_FILES:
        command += ["--ro-bind-try", path, path]
    # The grader's own code is not the kernel's business (it is not imported by the checks).
    command += ["--tmpfs", str(REPO / "minigrad_course" / "grading")]
    command += ["--bind", str(connection_file.parent), str(connection_file.parent),
                "--bind", str(scratch), HOME, "--chdir", HOME, "--clearenv",
                "--setenv", "HOME", HOME, "--setenv", "USER", "student",
                "--setenv", "PATH", f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
                "--setenv", "PYTHONPATH", str(REPO),
                # One thread per BLAS: the grader runs several kernels at once.
                "--setenv", "OPENBLAS_NUM_THREADS", "1", "--setenv", "OMP_NUM_THREADS", "1",
                "--setenv", "MKL_NUM_THREADS", "1",
                # The root folder of the sandbox (a tmpfs holding the mount points) read-only.
                "--remount-ro", "/"]
    for name in SANDBOX_ENVIRONMENT:
        if name in os.environ:
            command += ["--setenv", name, os.environ[name]]
    return command + ["--"] + kernel


def _check_runtime_folder(connection_file: Path) -> str | None:
    stem = connection_file.stem
    others = [p.name for p in connection_file.parent.iterdir() if not p.name.startswith(stem)]
    if others:
        return (f"the folder of the connection file, {connection_file.parent}, also holds "
                f"{', '.join(sorted(others)[:3])}: the sandbox would share it with the notebook. "
                f"Give each kernel an empty private runtime folder "
                f"(JUPYTER_RUNTIME_DIR=$(mktemp -d)).")
    settings = json.loads(connection_file.read_text())
    if settings.get("transport") != "ipc":
        return ("the kernel has no network, so Jupyter must talk to it over Unix sockets: set "
                "c.KernelManager.transport = 'ipc' (minigrad_course/grading/nbgrader_config.py)")
    return None


def _copy_work_folder(scratch: Path, limit: int = 50 * 2**20) -> None:
    """The files of the folder nbgrader started the kernel in (the notebook), as copies
    (the files directly in it, up to ``limit`` bytes in all)."""
    total = 0
    for path in sorted(Path.cwd().iterdir()):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
            if total > limit:
                break
            shutil.copyfile(path, scratch / path.name)


def launch(argv: list[str]) -> int:
    """Start ipykernel with ``argv`` (``-f CONNECTION_FILE ...``) inside the sandbox."""
    kernel = [sys.executable, "-m", "ipykernel_launcher", *argv]
    why_not = available()
    if why_not is not None:
        if not unsafe_allowed():
            print(f"minigrad grading sandbox: {why_not}; refusing to run a notebook without it. "
                  f"{INSTALL_HINT}; or set {UNSAFE_VARIABLE}=1 to run unconfined.", file=sys.stderr)
            return 1
        print(f"minigrad grading sandbox: {why_not}; running the notebook UNCONFINED "
              f"({UNSAFE_VARIABLE}=1).", file=sys.stderr)
        os.execv(sys.executable, kernel)
    connection_file = Path(argv[argv.index("-f") + 1]).resolve()
    problem = _check_runtime_folder(connection_file)
    if problem:
        print(f"minigrad grading sandbox: refusing to start: {problem}", file=sys.stderr)
        return 1
    root = os.environ.get(SCRATCH_VARIABLE) or None
    if root:
        os.makedirs(root, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="minigrad-scratch-", dir=root))
    try:
        _copy_work_folder(scratch)
        limit = memory_limit()
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE, FILE_SIZE))
        child = subprocess.Popen(bwrap_command(connection_file, scratch, kernel))
        # Jupyter interrupts this kernel with a message (interrupt_mode), but an instructor
        # pressing Ctrl-C must not end the launcher and leave the sandbox. SIGTERM is passed on.
        signal.signal(signal.SIGINT, lambda *_: None)
        signal.signal(signal.SIGTERM, lambda *_: child.terminate())
        return child.wait()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["kernel"]:
        return launch(argv[1:])
    if argv[:1] == ["install"]:
        print(f"installed the kernelspec {KERNEL_NAME}: {install(argv[1] if len(argv) > 1 else None)}")
        return 0
    if argv[:1] == ["probe"]:
        why_not = available()
        print(why_not or "bwrap works: notebooks can be graded in the sandbox")
        return 0 if why_not is None else 1
    print("usage:\n" + "\n".join(__doc__.strip().splitlines()[-3:]), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
