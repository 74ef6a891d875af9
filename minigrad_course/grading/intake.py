"""Look at each submitted notebook before nbgrader does, and say in words what is odd.

nbgrader's autograde already copes with most of what students do to a notebook; what it
does, found by running it (``tests/test_grading.py`` keeps these facts checked):

* a **duplicated** answer or test cell: ``DeduplicateIds`` means to keep the *last* cell
  with each id and to turn the earlier copies into ordinary cells (they still run, but are
  not graded). It does so by emptying their nbgrader metadata, which nbgrader 0.9.6's own
  ``OverwriteCells.add_missing_cells`` then trips over (``KeyError: 'grade_id'``), failing
  the whole submission. So ``prepare`` below removes the marks of the earlier copies
  itself, exactly as ``DeduplicateIds`` intends, before nbgrader sees the notebook;
* a **deleted test cell**: with ``OverwriteCells.add_missing_cells = True`` (our
  ``nbgrader_config.py``) nbgrader inserts it again after the cell before it and runs it;
  a deleted *answer* cell is not restored, so the checks that need it fail;
* a **changed cell type** (code to markdown or back): ``OverwriteCells`` changes it back,
  keeping the student's text for an answer cell, the original source for a locked cell;
* an **edited read-only cell** (a test cell, the set-up): its checksum no longer matches
  the gradebook and ``OverwriteCells`` puts the original source back, hidden tests included;
* **outputs saved in the file**: ``ClearOutput`` erases them before the notebook runs;
* **exceptions swallowed** with ``get_ipython().set_custom_exc``: the kernel still replies
  "error", and nbgrader's ``Execute`` then adds the error to the cell's outputs itself, so
  the check still counts as failed (``minigrad_course.guard`` also undoes the handler).

What nbgrader does not handle gracefully is a file that is not a notebook at all: reading
it fails and nbgrader reports an error for the whole submission. Such files are caught
here and graded zero without being handed to nbgrader. A missing file is not an error for
nbgrader (there is simply no submission); the grader records it as zero points.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat


@dataclass
class Intake:
    """One student's file for one exercise, as found before grading."""

    student: str
    assignment: str
    status: str  # "ok", "missing" or "unreadable"
    notebook: nbformat.NotebookNode | None = None
    notes: list[str] = field(default_factory=list)


def read_submission(path: Path) -> tuple[nbformat.NotebookNode | None, str]:
    """The notebook at ``path``, or None and the reason it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, "the file is not text (not UTF-8), so it is not a notebook"
    except OSError as error:
        return None, f"the file cannot be read ({error.strerror})"
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return None, (f"the file is not valid JSON ({error.msg} at line {error.lineno}, "
                      f"column {error.colno}): was it edited outside Jupyter, or cut short?")
    try:
        notebook = nbformat.reads(text, as_version=4)
    except Exception as error:  # nbformat raises several types for non-notebooks
        return None, f"the file is JSON but not a Jupyter notebook ({_first_line(error)})"
    if not isinstance(notebook.get("cells"), list):
        return None, "the file is JSON but has no list of cells"
    return notebook, ""


def _nbgrader_cells(notebook: nbformat.NotebookNode) -> list[tuple[str, nbformat.NotebookNode]]:
    cells = []
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if isinstance(grade_id, str) and (meta.get("grade") or meta.get("solution")
                                          or meta.get("locked")):
            cells.append((grade_id, cell))
    return cells


def describe_changes(submission: nbformat.NotebookNode,
                     release: nbformat.NotebookNode) -> list[str]:
    """One line per structural change of ``submission`` against the released ``release``."""
    original = dict(_nbgrader_cells(release))
    submitted = _nbgrader_cells(submission)
    if not submitted:
        return ["no cell carries nbgrader's marks: the notebook was re-created or its cells "
                "copied into a new one, so no answer can be found (nbgrader restores the test "
                "cells, which then fail)"]
    counts = Counter(grade_id for grade_id, _ in submitted)
    last = {grade_id: cell for grade_id, cell in submitted}
    notes = []
    for grade_id, cell in original.items():
        meta = cell.metadata["nbgrader"]
        kind = "test cell" if meta.get("grade") and not meta.get("solution") else (
            "answer cell" if meta.get("solution") else "read-only cell")
        if counts[grade_id] == 0:
            if kind == "test cell":
                notes.append(f"{kind} {grade_id} was deleted: nbgrader puts it back and runs it")
            elif kind == "answer cell":
                notes.append(f"{kind} {grade_id} was deleted: the checks that need it fail")
            else:
                notes.append(f"{kind} {grade_id} was deleted: nbgrader does not restore it")
            continue
        if counts[grade_id] > 1:
            notes.append(f"{kind} {grade_id} appears {counts[grade_id]} times: nbgrader grades "
                         f"the last copy and runs the others as ordinary cells")
        mine = last[grade_id]
        if mine.cell_type != cell.cell_type:
            notes.append(f"{kind} {grade_id} was changed from {cell.cell_type} to "
                         f"{mine.cell_type}: nbgrader changes it back")
        elif meta.get("locked") and mine.source != cell.source:
            notes.append(f"{kind} {grade_id} was edited: nbgrader restores the original")
    for grade_id in sorted(set(counts) - set(original)):
        notes.append(f"a cell is marked with the unknown id {grade_id}: nbgrader ignores it")
    return notes


def inspect(student: str, assignment: str, path: Path,
            release: nbformat.NotebookNode) -> Intake:
    """Read and describe one submission (``path`` may not exist)."""
    if not path.exists():
        return Intake(student, assignment, "missing",
                      notes=[f"no file {path.parent.name}/{path.name}: nothing to grade"])
    notebook, problem = read_submission(path)
    if notebook is None:
        return Intake(student, assignment, "unreadable",
                      notes=[f"{path.name} could not be read: {problem}; nothing to grade"])
    return Intake(student, assignment, "ok", notebook, describe_changes(notebook, release))


def prepare(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook to hand to nbgrader: earlier copies of a duplicated cell unmarked.

    This is what nbgrader's ``DeduplicateIds`` does, minus the empty metadata that makes
    nbgrader 0.9.6 fail (module docstring). Everything else is left to nbgrader.
    """
    seen: set[str] = set()
    for cell in reversed(notebook.cells):
        meta = cell.get("metadata", {}).get("nbgrader")
        if not isinstance(meta, dict):
            continue
        grade_id = meta.get("grade_id")
        if not (meta.get("grade") or meta.get("solution") or meta.get("locked")):
            continue
        if grade_id in seen:
            del cell.metadata["nbgrader"]
        else:
            seen.add(grade_id)
    return notebook


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    text = lines[0] if lines else type(error).__name__
    return text if len(text) <= 160 else text[:157] + "..."
