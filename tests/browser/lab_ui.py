"""What a learner does in JupyterLab, as steps for the browser tests (Playwright's sync API).

Everything goes through the page as a person would use it: menus, buttons, the keyboard
and the CodeMirror editor; the tests read what is on the screen (prompts, output text,
pictures). Selectors are JupyterLab 4's own CSS classes and command ids.
"""

from __future__ import annotations

import base64
import json
import re
import time
from pathlib import Path
from urllib.parse import unquote

from playwright.sync_api import Locator, Page, expect

CODE_CELL = ".jp-CodeCell"
# Tracebacks are rendered as this mime type (stderr text would be too, but the chapters
# print none).
ERROR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
EXECUTED = re.compile(r"\[\d+\]:")
NUMBER = re.compile(r"-?\d+(?:\.\d*)?(?:e[-+]?\d+)?")


def open_notebook(page: Page, lab, path: Path, timeout: float = 90) -> Locator:
    """Open the notebook at ``path`` in ``lab``; wait until all its cells are there and its
    kernel is ready (the status bar says "Idle")."""
    cells = len(json.loads(path.read_text(encoding="utf-8"))["cells"])
    page.goto(lab.tree_url(path))
    panel = page.locator(".jp-NotebookPanel").filter(visible=True)
    # The cells arrive after the page: acting earlier would act on a partial notebook.
    expect(panel.locator(".jp-Notebook .jp-Cell")).to_have_count(cells, timeout=timeout * 1000)
    # The toolbar's indicator says "idle" before any kernel exists; the status bar tells
    # "Python 3 (ipykernel) | Idle" only once the kernel is started and connected.
    expect(page.locator("#jp-main-statusbar")).to_contain_text(re.compile(r"\| Idle"), timeout=timeout * 1000)
    expect(kernel_indicator(panel)).to_have_attribute("data-status", "idle", timeout=timeout * 1000)
    return panel


def kernel_indicator(panel: Locator) -> Locator:
    # The notebook's own toolbar indicator (the status bar has another, for the active tab).
    return panel.locator(".jp-NotebookPanel-toolbar .jp-Notebook-ExecutionIndicator")


def choose(page: Page, menu: str, command: str) -> None:
    """Click a menu of the menu bar, then the item that runs JupyterLab command ``command``."""
    page.get_by_role("menuitem", name=menu, exact=True).click()
    page.locator(f"li.lm-Menu-item[data-command='{command}']").click()


def run_all_cells(page: Page, panel: Locator, timeout: float = 240) -> None:
    """Edit > Clear Outputs of All Cells, then Run > Run All Cells, and wait for the end.

    Clearing first makes every output checked afterwards one that this run produced.
    Fails with the traceback if a cell raised.
    """
    choose(page, "Edit", "editmenu:clear-all")
    expect(panel.locator(".jp-OutputArea-output")).to_have_count(0)
    choose(page, "Run", "runmenu:run-all")
    wait_until_executed(panel, timeout)


def wait_until_executed(panel: Locator, timeout: float) -> None:
    """Wait until every code cell has an execution count and the kernel is idle."""
    deadline = time.monotonic() + timeout
    prompts: list[str] = []
    while time.monotonic() < deadline:
        prompts = [text.strip() for text in panel.locator(f"{CODE_CELL} .jp-InputPrompt").all_inner_texts()]
        running = any("*" in prompt for prompt in prompts)
        idle = kernel_indicator(panel).get_attribute("data-status") == "idle"
        if idle and not running:
            if all(EXECUTED.fullmatch(prompt) for prompt in prompts):
                return
            # Run All stops at a cell that raised: the cells after it stay unexecuted.
            errors = panel.locator(ERROR_OUTPUT)
            if errors.count():
                raise AssertionError("a cell raised:\n" + errors.first.inner_text())
        time.sleep(0.5)
    raise AssertionError(f"the notebook had not run within {timeout:.0f} s; prompts: {prompts}")


def code_cell(panel: Locator, source: str) -> Locator:
    """The code cell whose code contains ``source``."""
    cell = panel.locator(CODE_CELL).filter(has=panel.page.locator(".jp-InputArea", has_text=source))
    expect(cell).to_have_count(1)
    return cell


def rendered_svgs(scope: Locator) -> list[str]:
    """The SVG documents JupyterLab shows in ``scope`` (as <img> with a data: address)."""
    documents = []
    for image in scope.locator(".jp-RenderedSVG img").all():
        header, _, data = image.get_attribute("src").partition(",")
        documents.append(base64.b64decode(data).decode() if header.endswith(";base64") else unquote(data))
    return documents


def node_titles(svg: str) -> list[str]:
    """Graphviz gives each node a <g class="node"> whose <title> is the node's name."""
    return re.findall(r'<g id="[^"]*" class="node">\s*<title>([^<]*)</title>', svg)


def svg_texts(svg: str) -> list[str]:
    return re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)


def expect_images_loaded(scope: Locator) -> int:
    """Every <img> in ``scope`` was decoded by the browser (not a broken picture); their count."""
    images = scope.locator("img")
    count = images.count()
    for index in range(count):
        images.nth(index).scroll_into_view_if_needed()
        expect(images.nth(index)).to_have_js_property("complete", True)
        width = images.nth(index).evaluate("image => image.naturalWidth")
        assert width > 0, f"picture {index} did not render"
    return count


def numbers(text: str) -> list[float]:
    """The numbers in a text such as "[ 4.,  8., 12.]" (NumPy's printing)."""
    return [float(match) for match in NUMBER.findall(text)]


def wait_for_numbers(locator: Locator, expected: list[float], after: str = "", timeout: float = 30) -> str:
    """Wait until the numbers in ``locator``'s text (after ``after``) are ``expected``."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = locator.inner_text()
        if numbers(text.rpartition(after)[2] if after else text) == expected:
            return text
        time.sleep(0.2)
    raise AssertionError(f"expected the numbers {expected} in {text!r}")


def replace_last_line(page: Page, cell: Locator, text: str) -> None:
    """Type ``text`` in place of the last line of a cell, in its CodeMirror editor.

    Ctrl+End goes to the end of the cell; Shift+Home selects back to the start of the
    line's text (after the indentation), which typing then replaces, as a learner would.
    """
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Shift+Home")
    page.keyboard.type(text)


def run_cell_and_next(page: Page, cell: Locator, panel: Locator, timeout: float = 60) -> None:
    """Run ``cell`` and then the cell below it with Shift+Enter, twice, and wait for both."""
    following = cell.locator("xpath=following-sibling::div[contains(@class, 'jp-Cell')][1]")
    prompts = [cell.locator(".jp-InputPrompt"), following.locator(".jp-InputPrompt")]
    before = [prompt.inner_text().strip() for prompt in prompts]
    cell.locator(".jp-InputPrompt").click()  # select the cell (command mode)
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    for prompt, old in zip(prompts, before):
        # A new execution count: "[ ]:" or "[3]:" becomes "[*]:" and then "[5]:".
        expect(prompt).not_to_have_text(old, timeout=timeout * 1000)
        expect(prompt).to_have_text(EXECUTED, timeout=timeout * 1000)
    expect(kernel_indicator(panel)).to_have_attribute("data-status", "idle", timeout=timeout * 1000)
