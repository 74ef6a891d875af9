"""An exercise done in JupyterLab in Chromium: type an answer, run its check, read the feedback.

The exercise is a copy of exercises/01_derivatives.ipynb in a scratch folder under build/
(ignored by git), so typing and saving never touch the repository's notebook. The course's
JupyterLab is the students' one: nbgrader's Validate button is there, its instructor
panels are not (jupyter_config/).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

# Without Playwright the tests are skipped (lab_ui imports it), with the reason.
pytest.importorskip("playwright", reason="pytest-playwright is not installed: pip install -r requirements-browser.txt")

from lab_ui import ERROR_OUTPUT, code_cell, open_notebook, replace_last_line, run_cell_and_next
from playwright.sync_api import expect

REPO = Path(__file__).resolve().parents[2]
EXERCISE = REPO / "exercises" / "01_derivatives.ipynb"


@pytest.fixture
def exercise(scratch: Path) -> Path:
    if not EXERCISE.exists():
        pytest.skip("exercises/01_derivatives.ipynb has not been generated yet (make exercises)")
    copy = scratch / EXERCISE.name
    shutil.copyfile(EXERCISE, copy)
    return copy


def picture_of(page, first, last, path: Path) -> None:
    """A screenshot from the top of cell ``first`` to the bottom of cell ``last``.

    The window is made tall enough for both (the traceback ends with the feedback line),
    then put back.
    """
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": 1800})
    first.evaluate("cell => cell.scrollIntoView({block: 'start'})")
    top, bottom = first.bounding_box(), last.bounding_box()
    page.screenshot(path=path, clip={"x": top["x"], "y": top["y"], "width": top["width"],
                                     "height": bottom["y"] + bottom["height"] - top["y"]})
    page.set_viewport_size(size)


def test_students_see_validate_but_not_nbgraders_instructor_panels(page, lab, exercise):
    panel = open_notebook(page, lab, exercise)
    expect(panel.locator(".jp-NotebookPanel-toolbar").get_by_text("Validate", exact=True)).to_be_visible()
    menus = page.locator("#jp-menu-panel .lm-MenuBar-itemLabel").all_inner_texts()
    assert "Run" in menus and "Nbgrader" not in menus, menus
    tabs = " ".join(page.locator(".jp-SideBar .lm-TabBar-tab").evaluate_all(
        "tabs => tabs.map(tab => tab.title || tab.textContent)"))
    assert "File Browser" in tabs and "Create Assignment" not in tabs, tabs
    # The server side of the formgrader is off too, not just its button.
    assert page.request.get(f"{lab.url}/formgrader").status == 404


def test_an_answer_typed_in_the_editor_gets_feedback_from_its_check(page, lab, screenshots, exercise):
    panel = open_notebook(page, lab, exercise)
    answer = code_cell(panel, "def forward_difference(f, x, h):")
    check = code_cell(panel, 'check_task("ex01_forward_difference", forward_difference)')
    feedback = check.locator(ERROR_OUTPUT)

    # Not attempted yet: the cell still raises NotImplementedError.
    run_cell_and_next(page, answer, panel)
    expect(feedback).to_contain_text("not attempted yet")

    # A plausible mistake: the central difference's numerator over h.
    replace_last_line(page, answer, "return (f(x + h) - f(x - h)) / h")
    expect(answer.locator(".cm-content")).to_contain_text("return (f(x + h) - f(x - h)) / h")
    run_cell_and_next(page, answer, panel)
    expect(feedback).to_contain_text(
        "CheckFailed: forward_difference(f, 3, 0.5) with f(x) = x**2 is 12 but should be 6.5; "
        "the forward difference is (f(x + h) - f(x)) / h")
    picture_of(page, answer, check, screenshots / "exercise_feedback.png")

    # The right answer: the check passes, silently.
    replace_last_line(page, answer, "return (f(x + h) - f(x)) / h")
    run_cell_and_next(page, answer, panel)
    expect(check.locator(".jp-OutputArea-output")).to_have_count(0)

    # Validate (nbgrader) saves the notebook and runs it all: the other tasks are still
    # open, this one is not among the failures any more.
    panel.locator(".jp-NotebookPanel-toolbar").get_by_text("Validate", exact=True).click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("ex01_central_difference", timeout=120_000)
    assert "ex01_forward_difference" not in dialog.inner_text()
    assert "return (f(x + h) - f(x)) / h" in exercise.read_text(encoding="utf-8")
