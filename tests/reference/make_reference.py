"""Record PyTorch's results for every reference case into torch_reference.json.

Run from the repository root, with PyTorch installed (it is a test oracle, never a
dependency of the course):

    .venv/bin/python tests/reference/make_reference.py

The file is committed; tests/test_reference.py replays every case with minigrad and compares
against it (no PyTorch needed), and tests/test_against_torch.py checks that it is current.
Re-run this script whenever a case in cases.py is added or changed.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/, so that `reference` is importable

from reference.cases import CASES, by_name  # noqa: E402
from reference.runner import check_error, check_warning, run_case  # noqa: E402

REFERENCE_FILE = HERE / "torch_reference.json"
TORCH_VERSION = "2.13.0"


def _is_flat(value) -> bool:
    """Lists of numbers (tensor values, shapes) are written on one line."""
    if isinstance(value, list):
        return all(_is_flat(v) for v in value)
    return not isinstance(value, dict)


def to_json(value, indent: int = 0) -> str:
    """Pretty-printed JSON with sorted keys, but each list of numbers on a single line,
    so that a changed value shows up as a one-line diff."""
    if isinstance(value, dict) and value:
        pad = " " * (indent + 1)
        items = [f"{pad}{json.dumps(key)}: {to_json(value[key], indent + 1)}"
                 for key in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(value, list) and value and not _is_flat(value):
        pad = " " * (indent + 1)
        items = [pad + to_json(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
    return json.dumps(value, sort_keys=True, allow_nan=False, ensure_ascii=False)


def record_case(case, torch) -> dict:
    """Run one case in PyTorch and check it behaves as the case says it should."""
    record = run_case(case, torch)
    if case.is_error:
        problems = check_error(case, record)
    elif record["status"] != "ok":
        problems = [f"PyTorch raised {record['type']}: {record['message']}\n{record['traceback']}"]
    elif case.warns is not None:
        problems = check_warning(case, record)
    else:
        problems = []
    if problems:
        raise SystemExit(f"case {case.name} does not hold in PyTorch:\n{case.code}\n"
                         + "\n".join(problems))
    record.pop("traceback", None)
    return {"code": case.code, "result": record}


def main() -> None:
    import torch

    if not torch.__version__.startswith(TORCH_VERSION):
        raise SystemExit(
            f"the reference is made with torch=={TORCH_VERSION}, found {torch.__version__}")
    # One thread: reductions sum in a fixed order, so the file does not change between runs.
    torch.set_num_threads(1)
    torch.set_printoptions(profile="default")
    # torch.func warns when first imported and first used (it calls the deprecated
    # torch.jit.script): do both here, so that no case records the warning as its own.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import torch.func

        torch.func.jvp(torch.sin, (torch.zeros(1),), (torch.ones(1),))  # (its first call warns too)
    by_name()  # fails early on duplicate names
    reference = {
        "generator": "tests/reference/make_reference.py",
        "torch_version": torch.__version__,
        "cases": {case.name: record_case(case, torch) for case in CASES},
    }
    REFERENCE_FILE.write_text(to_json(reference) + "\n", encoding="utf-8")
    print(f"wrote {len(CASES)} cases to {REFERENCE_FILE}")


if __name__ == "__main__":
    main()
