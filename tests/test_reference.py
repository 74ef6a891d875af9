"""minigrad against PyTorch's recorded results (tests/reference/torch_reference.json).

Every case of tests/reference/cases.py is replayed with ``import minigrad as torch`` and its
results compared with what PyTorch 2.13.0 produced for the same snippet: values (float32 to
rtol 1e-5/atol 1e-6, float64 to rtol 1e-9/atol 1e-12, everything else exactly), dtypes,
shapes, ``requires_grad``, ``is_leaf``, ``grad_fn`` names, reprs; for error cases the
exception type and the message fragment of api.md; for warning cases the warning. PyTorch is
not needed: this is how the suite proves PyTorch's behaviour on a machine without it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reference.cases import CASES, Case
from reference.runner import check_error, check_warning, compare, run_case

import minigrad

REFERENCE_FILE = Path(__file__).resolve().parent / "reference" / "torch_reference.json"
REFERENCE = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
REGENERATE = "run `.venv/bin/python tests/reference/make_reference.py` with torch==2.13.0"


def judge(case: Case, expected: dict, actual: dict) -> list[str]:
    """Everything about ``actual`` (minigrad's record) that disagrees with the reference."""
    if case.is_error:
        problems = check_error(case, actual)
        if case.exact and actual["status"] == "error" and actual["message"] != expected["message"]:
            problems.append(f"message: expected PyTorch's {expected['message']!r}, got {actual['message']!r}")
        return problems
    if actual["status"] != "ok":
        return [f"raised {actual['type']}: {actual['message']}\n{actual['traceback']}"]
    problems = list(compare(expected["out"], actual["out"]))
    if case.warns is not None:
        problems += check_warning(case, actual)
    return problems


def explain(case: Case, expected: dict, actual: dict, problems: list[str]) -> str:
    """A failure message a reader can act on without opening any file."""
    shown = {key: value for key, value in actual.items() if key != "traceback"}
    return "\n".join([
        f"minigrad disagrees with PyTorch on case {case.name!r}:",
        "",
        case.code,
        "",
        *("  - " + problem for problem in problems),
        "",
        "expected (PyTorch): " + json.dumps(expected, sort_keys=True),
        "actual (minigrad):  " + json.dumps(shown, sort_keys=True),
    ])


def replay(case: Case) -> dict:
    """Run a case with minigrad, leaving the global grad mode as it found it."""
    try:
        return run_case(case, minigrad)
    finally:
        # A case that fails half-way through a set_grad_enabled(False) must not switch
        # gradients off for the cases after it.
        minigrad.set_grad_enabled(True)


def test_reference_file_matches_the_cases():
    assert REFERENCE["torch_version"].startswith("2.13.0")
    names = {case.name for case in CASES}
    missing = sorted(names - set(REFERENCE["cases"]))
    extra = sorted(set(REFERENCE["cases"]) - names)
    assert not missing and not extra, (
        f"the reference file is stale ({REGENERATE}): cases without a reference {missing}, "
        f"references without a case {extra}"
    )


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_minigrad_matches_pytorch(case: Case):
    reference = REFERENCE["cases"].get(case.name)
    if reference is None or reference["code"] != case.code:
        pytest.fail(f"no reference for the current code of {case.name!r}: {REGENERATE}")
    expected = reference["result"]
    actual = replay(case)
    problems = judge(case, expected, actual)
    if problems:
        pytest.fail(explain(case, expected, actual, problems), pytrace=False)


# The comparison itself must be able to fail: a checker that accepts everything would make
# every test above pass. These run on a few recorded cases with a deliberately wrong result.

def _recorded(name: str) -> tuple[Case, dict]:
    case = next(c for c in CASES if c.name == name)
    return case, REFERENCE["cases"][name]["result"]


def test_judge_catches_a_wrong_gradient():
    case, expected = _recorded("worked_x2_plus_2_sum")
    actual = json.loads(json.dumps(expected))
    actual["out"]["x.grad"]["tensor"][1] = 4.001
    assert any("x.grad" in p for p in judge(case, expected, actual))


def test_judge_accepts_float32_rounding_but_not_more():
    case, expected = _recorded("unary_exp")
    nudged = json.loads(json.dumps(expected))
    value = nudged["out"]["y"]["tensor"][0][0]
    nudged["out"]["y"]["tensor"][0][0] = value * (1 + 2e-7)
    assert judge(case, expected, nudged) == []
    nudged["out"]["y"]["tensor"][0][0] = value * (1 + 1e-4)
    assert judge(case, expected, nudged) != []


def test_judge_checks_dtype_grad_fn_and_nan_positions():
    case, expected = _recorded("unary_sqrt_domain")
    for key, wrong in (("dtype", "float64"), ("grad_fn", "PowBackward0"), ("requires_grad", False)):
        actual = json.loads(json.dumps(expected))
        actual["out"]["y"][key] = wrong
        assert any(key in p for p in judge(case, expected, actual)), key
    actual = json.loads(json.dumps(expected))
    actual["out"]["y"]["tensor"][2] = 0.0  # sqrt(-1) must stay nan
    assert judge(case, expected, actual) != []


def test_judge_checks_error_type_and_fragment():
    case, expected = _recorded("backward_second_time_after_free")
    good = {"status": "error", "type": "RuntimeError", "warnings": [],
            "message": "Trying to backward through the graph a second time, oops"}
    assert judge(case, expected, good) == []
    assert judge(case, expected, {**good, "type": "ValueError"}) != []
    assert judge(case, expected, {**good, "message": "cannot do that twice"}) != []
    assert judge(case, expected, {"status": "ok", "out": {}, "warnings": []}) != []


def test_judge_checks_warnings():
    case, expected = _recorded("non_leaf_grad_warns")
    silent = {**expected, "warnings": []}
    assert judge(case, expected, silent) != []


def test_judge_tells_int_from_float_and_bool():
    case, expected = _recorded("attributes_item_tolist")
    for key, wrong in (("item float", 2), ("item int", 3.0), ("item bool", 1)):
        actual = json.loads(json.dumps(expected))
        actual["out"][key] = wrong
        assert judge(case, expected, actual) != [], key
