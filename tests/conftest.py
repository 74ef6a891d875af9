"""Fixtures shared by the whole suite.

- ``torch``: the PyTorch module, single-threaded; the test is skipped when PyTorch is not
  installed (it is a test oracle, never a dependency). Tests using it get the ``torch``
  marker, so ``pytest -m "not torch"`` runs the suite as a machine without PyTorch would.
- ``rng``: a seeded NumPy ``Generator``; NumPy's global seed is also reset before each test.
"""

from __future__ import annotations

import os

# Pictures are drawn off-screen: set before anything imports matplotlib, so the suite
# behaves the same on a desktop, over SSH and in CI.
os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

# No deadlines: a timed assertion fails at random on a busy 2-core machine and proves
# nothing about gradients. CI replays the same examples on every run (derandomize).
settings.register_profile("minigrad", deadline=None)
settings.register_profile("ci", parent=settings.get_profile("minigrad"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "minigrad")

SEED = 0


@pytest.fixture
def torch():
    """PyTorch with one thread (deterministic and fair on a small machine), or a skip."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    torch.set_num_threads(1)
    return torch


@pytest.fixture
def rng() -> np.random.Generator:
    """A NumPy random generator with a fixed seed, so random inputs are the same every run."""
    return np.random.default_rng(SEED)


@pytest.fixture(autouse=True)
def _seed_numpy_global_state() -> None:
    # Code under test may draw from np.random directly; reset it so no test depends on
    # which tests happened to run before it.
    np.random.seed(SEED)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "torch" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.torch)


def pytest_terminal_summary(terminalreporter) -> None:
    # The checker-case tables of test_checker_cases.py: how many wrong answers were graded.
    import sys

    module = sys.modules.get("test_checker_cases")
    if module is not None and module.CHECKED:
        tasks = len({case.split(":")[0] for case in module.CHECKED})
        terminalreporter.write_line(f"checker cases: {len(module.CHECKED)} wrong answers graded "
                                    f"as expected over {tasks} tasks")
