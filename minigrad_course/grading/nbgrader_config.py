"""nbgrader settings for the minigrad exercises.

`make exercises`, `make check` and `make grade` load this file into the temporary nbgrader
course they build, so it is the one place these settings live. With an existing nbgrader
course (for example on JupyterHub), copy the lines below into that course's
``nbgrader_config.py``.
"""

c = get_config()  # noqa: F821 - nbgrader defines get_config() when it loads this file

# Per-cell time limit of `nbgrader autograde`, in seconds. A cell still running after this
# long is interrupted (KeyboardInterrupt), gets an error output, and grading goes on with
# the next cell: an endless loop costs the student that cell's points and the points of
# the checks that needed it, nothing more. The longest cell of a correct solution takes
# well under a second. `make grade TIMEOUT=...` overrides the value.
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True

# Start every kernel with minigrad's check guard loaded, before any cell runs: before each
# check cell it undoes what earlier cells did to IPython or to minigrad_course to keep the
# checks from running as written (input transformers, set_custom_exc, replaced helpers).
# See minigrad_course/guard.py; minigrad and minigrad_course must be importable by the kernel.
c.Execute.extra_arguments = ["--IPKernelApp.extensions=minigrad_course.guard"]

# A student who deletes a graded test cell gets it back: nbgrader re-inserts it (from the
# gradebook) after the answer cell before it, and runs it. Without this, the deleted
# check would simply be missing from the notebook.
c.OverwriteCells.add_missing_cells = True

# What an answer looks like in the exercises (nbgrader's defaults, written out so that
# the exercises do not change if a later nbgrader changes them).
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# Every notebook runs in a kernel inside the sandbox (bubblewrap), which sees only its own
# notebook, the Python environment and the course's package, without network: see
# minigrad_course/grading/sandbox.py. With no network, Jupyter talks to the kernel over
# Unix sockets in the kernel's private runtime folder, instead of TCP on 127.0.0.1.
c.Execute.kernel_name = "minigrad-sandbox"
# Each kernel gets its connection file and sockets in a private folder of its own.
c.KernelManager.transport = "ipc"
c.Execute.kernel_manager_class = "minigrad_course.grading.sandbox.SandboxKernelManager"
