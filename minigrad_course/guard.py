"""Keep the check cells of a notebook running as written while it is graded.

This is the second half of layer (a) of ``minigrad_course.tasks``. The grader starts each
kernel with this module loaded as an IPython extension (``nbgrader_config.py``:
``--IPKernelApp.extensions=minigrad_course.guard``), so it is installed before any cell
of the notebook runs; importing ``minigrad_course`` while grading installs it too, in case
a kernel was started without it.

When installed, it remembers IPython's input transformers, AST transformers and custom
exception handler, and the ``minigrad_course`` modules as they are. Before each cell that
runs a check (its source mentions ``minigrad_course``) it puts all of them back: from the
first of IPython's input transformers (so before any transformer added later, in
``input_transformers_post``, sees the cell) and again when the cell starts running. So a
notebook that earlier added an input transformer emptying the checks, swallowed exceptions
with ``set_custom_exc``, replaced functions of ``minigrad_course`` or put a fake module in
``sys.modules`` changes nothing: the check cells run as written, the answers that are wrong
fail, and the answers that are right still earn their points.

Code in the notebook can undo this guard too (it runs in the same process). That is what
the grader's judgement outside the notebook (layer (b)) is for: then every check whose
answers are not recorded loses its points.
"""

from __future__ import annotations

import sys
from typing import Any

_MARK = "_minigrad_check_guard"
PACKAGE = "minigrad_course"


def load_ipython_extension(shell: Any) -> None:
    """IPython's hook for ``--IPKernelApp.extensions=minigrad_course.guard``."""
    install(shell)


def install(shell: Any = None) -> bool:
    """Install the guard in ``shell`` (default: the running IPython); False if not possible."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or getattr(shell, _MARK, False):
        return False
    from . import tasks

    tasks.all_tasks()  # import every exercise module now, so that they are remembered too
    modules = {name: module for name, module in sys.modules.items()
               if name == PACKAGE or name.startswith(PACKAGE + ".")}
    contents = {name: dict(vars(module)) for name, module in modules.items()}
    custom_exceptions, custom_tb = shell.custom_exceptions, shell.CustomTB

    def restore() -> None:
        shell.input_transformers_cleanup[:] = cleanup
        shell.input_transformers_post[:] = post
        shell.ast_transformers[:] = ast
        shell.custom_exceptions, shell.CustomTB = custom_exceptions, custom_tb
        for name, module in modules.items():
            sys.modules[name] = module
            vars(module).update(contents[name])

    def before_transforms(lines: list[str]) -> list[str]:
        # The first of IPython's cleanup transformers: it runs before the other input
        # transformers of a cell (ipykernel transforms a cell even before pre_run_cell).
        if any(PACKAGE in line for line in lines):
            restore()
        return lines

    def before_cell(info: Any) -> None:
        if PACKAGE in (getattr(info, "raw_cell", None) or ""):
            restore()

    shell.input_transformers_cleanup.insert(0, before_transforms)
    cleanup = list(shell.input_transformers_cleanup)
    post = list(shell.input_transformers_post)
    ast = list(shell.ast_transformers)
    shell.events.register("pre_run_cell", before_cell)
    setattr(shell, _MARK, True)
    return True
