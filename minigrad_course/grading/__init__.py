"""The course's exercise and grading tools, built on nbgrader.

- ``grading.exercises``: ``make exercises``, exercises/ generated from solutions/;
- ``grading.check``: ``make check NOTEBOOK=...``, one notebook scored per task;
- ``grading.grade``: ``make grade SUBMISSIONS=dir``, a class graded into grades.csv and
  feedback pages;
- ``grading.verify``: the judgement outside the notebooks, also usable on an existing
  nbgrader course;
- ``grading.course``, ``grading.intake``, ``grading.worker``: the nbgrader course in a
  temporary directory, the first look at each submission, the autograde process;
- ``grading/nbgrader_config.py``: the nbgrader settings, to copy into an existing course.

The checks themselves live in the package (``minigrad.testing``), so that the notebooks can
import them; ``minigrad/testing/tasks.py`` explains how the grades are protected.
"""
