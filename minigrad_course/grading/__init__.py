"""The instructor's side of the exercises, built on nbgrader.

- ``exercises``: ``make exercises``, exercises/ generated from solutions/;
- ``check``: ``make check NOTEBOOK=...``, one notebook scored per task;
- ``grade``: ``make grade SUBMISSIONS=dir``, a class graded into grades.csv and feedback
  pages;
- ``verify``: the judgement outside the notebooks, also usable on an existing nbgrader
  course;
- ``course``, ``intake``, ``worker``: the nbgrader course in a temporary directory, the
  first look at each submission, the autograde process;
- ``nbgrader_config.py``: the nbgrader settings, to copy into an existing course.

Each runs as ``python -m minigrad_course.grading.<name>``. The checks the notebooks run are
one level up, in ``minigrad_course`` (they must be importable by a learner's kernel);
``minigrad_course/tasks/__init__.py`` explains how the grades are protected.
"""
