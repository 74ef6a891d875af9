"""Tests of the exercises and of the checks they use (minigrad_course).

- exercises/ is what nbgrader generates from solutions/, byte for byte, every time;
- every graded cell of every solution is a locked nbgrader test cell whose one
  ``check_task`` names a registered task, so the grader can re-judge it outside the notebook;
- the checks' messages say what is wrong in words a learner can act on, and never come from
  names a notebook can rebind;
- each task accepts the right answer (the course's own ``minigrad.scalar`` and
  ``minigrad.finite_differences`` included) on any seed, rejects plausible mistakes with the
  matching hint, and judges a record in a clean process exactly as in the notebook;
- ``make check`` prints a score per task.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.finite_differences import central_difference, forward_difference
from minigrad.scalar import Value, topological_order
from minigrad_course import (
    CheckFailed,
    NotAttempted,
    call,
    check_close,
    check_dtype,
    check_shape,
    check_task,
    check_type,
)
from minigrad_course import tasks as task_registry
from minigrad_course.grading import course
from minigrad_course.grading import exercises as generator
from minigrad_course.tasks import ex05_accumulation as ex05_tasks
from minigrad_course.tasks import ex06_controlling_the_graph as ex06_tasks
from minigrad_course.tasks.ex01_derivatives import CHAIN_A, CHAIN_B, CHAIN_C, CHAIN_GRADIENT

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import make_submissions  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENTS = course.assignment_ids()


def failure(function, *args, **kwargs) -> str:
    """The message of the CheckFailed that ``function(*args, **kwargs)`` raises."""
    with pytest.raises(CheckFailed) as caught:
        function(*args, **kwargs)
    assert type(caught.value) in (CheckFailed, NotAttempted)  # never a bare AssertionError
    return str(caught.value)


# ------------------------------------------------------------- exercises/ from solutions/
def test_exercises_are_generated_from_the_solutions_reproducibly(tmp_path):
    first = generator.generate(tmp_path / "first")
    second = generator.generate(tmp_path / "second")
    assert [path.name for path in first] == [f"{name}.ipynb" for name in ASSIGNMENTS]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), f"{a.name} differs between two generations"
        committed = REPO / "exercises" / a.name
        assert committed.read_bytes() == a.read_bytes(), (
            f"exercises/{a.name} is out of date with solutions/: run `make exercises`")
    assert sorted(p.name for p in (REPO / "exercises").glob("*.ipynb")) == \
        sorted(p.name for p in first), "exercises/ holds a notebook without a solution"


def test_the_sync_check_notices_a_changed_solution(tmp_path):
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    notebook = nbformat.read(REPO / "solutions" / "01_derivatives.ipynb", as_version=4)
    notebook.cells[0].source += "\n\nA sentence the exercises do not have yet."
    nbformat.write(notebook, solutions / "01_derivatives.ipynb")
    exercises = tmp_path / "exercises"
    shutil.copytree(REPO / "exercises", exercises)
    # The other exercises have no solution in this folder, so they are reported as extra.
    others = sorted(path.name for path in exercises.glob("*.ipynb")
                    if path.name != "01_derivatives.ipynb")
    assert others and generator.out_of_date(exercises, solutions) == \
        ["01_derivatives.ipynb", *others]


def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_graded_cell_is_a_locked_check_of_a_registered_task(name):
    notebook = nbformat.read(REPO / "solutions" / f"{name}.ipynb", as_version=4)
    known = task_registry.all_tasks()
    graded = [cell for cell in notebook.cells if _nbgrader(cell).get("grade")]
    assert len(graded) >= 3
    ids = [_nbgrader(cell)["grade_id"] for cell in notebook.cells if _nbgrader(cell)]
    assert len(ids) == len(set(ids)), "grade ids must be unique"
    for cell in graded:
        meta = _nbgrader(cell)
        assert cell.cell_type == "code" and meta["locked"] and not meta["solution"]
        assert meta["points"] > 0
        assert meta["grade_id"] in known, f"{meta['grade_id']} has no task in minigrad_course.tasks"
        # Exactly one check_task, naming this cell: what the grader re-judges.
        assert re.findall(r'check_task\("([^"]+)"', cell.source) == [meta["grade_id"]]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_exercises_keep_the_checks_but_not_the_answers_or_hidden_tests(name):
    solution = nbformat.read(REPO / "solutions" / f"{name}.ipynb", as_version=4)
    exercise = nbformat.read(REPO / "exercises" / f"{name}.ipynb", as_version=4)
    answers = [cell for cell in solution.cells if _nbgrader(cell).get("solution")]
    assert answers and all("### BEGIN SOLUTION" in cell.source for cell in answers)
    code = "\n".join(cell.source for cell in exercise.cells if cell.cell_type == "code")
    assert "BEGIN SOLUTION" not in code and "BEGIN HIDDEN TESTS" not in code
    assert code.count("raise NotImplementedError()") == len(answers)
    # Outputs of the executed solutions stay out of the exercises.
    assert all(not cell.get("outputs") for cell in exercise.cells)
    assert any(cell.get("outputs") for cell in solution.cells if cell.cell_type == "code")


def test_predictions_are_checked_by_hidden_tests_only():
    # A visible value check would let a learner guess until it passes; only the format is
    # checked in the exercise, the values when graded.
    for name in ASSIGNMENTS:
        notebook = nbformat.read(REPO / "solutions" / f"{name}.ipynb", as_version=4)
        for cell in notebook.cells:
            grade_id = _nbgrader(cell).get("grade_id", "")
            if _nbgrader(cell).get("grade") and any(word in grade_id
                                                    for word in ("chain_rule", "reuse", "predict")):
                hidden = cell.source.split("### BEGIN HIDDEN TESTS")[1]
                assert f'check_task("{grade_id}"' in hidden


# ---------------------------------------------------------------- feedback messages
def test_check_close_names_the_answer_the_expectation_and_the_hint():
    message = failure(check_close, "b.grad", [0.6, 8.0, 0.001], [1.2, 16.0, 0.002],
                      hint="did you apply the chain rule to b²?")
    assert message == ("b.grad is [0.6, 8, 0.001] but should be [1.2, 16, 0.002] "
                       "(wrong in every entry); did you apply the chain rule to b²?")
    assert failure(check_close, "x", [1.0, 2.0, 3.5], np.array([1.0, 2.0, 3.0])) == \
        "x is [1, 2, 3.5] but should be [1, 2, 3] (wrong at entry 2)"
    check_close("x", np.float32(0.1), 0.1, rtol=1e-6)  # close enough passes silently


def test_a_known_mistake_gets_its_own_hint_and_predictions_are_not_revealed():
    message = failure(check_close, "b_grad", [-6.0, 0.25, -8.0], [-12.0, 0.5, -16.0],
                      mistakes=[([-6.0, 0.25, -8.0], "you dropped the factor 2")],
                      hint="generic", reveal=False)
    assert message == "b_grad is [-6, 0.25, -8], which is wrong in every entry; " \
                      "you dropped the factor 2"
    assert "-12" not in message and "16" not in message


@pytest.mark.parametrize("answer, expected_message", [
    (None, "not attempted yet: y is still None; give it your answer"),
    ([1.0, 2.0], "y is a list of 2 numbers but should be a list of 3 numbers"),
    ("1, 2, 3", "y is the text '1, 2, 3' but should be a number"),
    (True, "y is True, a bool, but should be a number"),
    ({"a": 1}, "y is a dict but should be a number or a list of numbers"),
    (Value(2.0), "y is a Value (Value(data=2.0, grad=0.0)) but should be a plain number: "
                 "use its number `.data`, or its gradient `.grad`"),
])
def test_wrong_kinds_of_answers_are_explained(answer, expected_message):
    assert failure(check_close, "y", answer, [1.0, 2.0, 3.0]) == expected_message


def test_call_reports_blank_exercises_missing_returns_and_errors():
    def untouched(f, x, h):
        raise NotImplementedError()

    def no_return(f, x, h):
        (f(x + h) - f(x)) / h

    def broken(f, x, h):
        return f(x) / 0.0

    with pytest.raises(NotAttempted, match=r"^not attempted yet: untouched\(sin, 1, 0\.1\) "
                                           r"raised NotImplementedError"):
        call(untouched, math.sin, 1.0, 0.1)
    assert failure(call, no_return, math.sin, 1.0, 0.1) == \
        "no_return(sin, 1, 0.1) returned None: did you forget `return`?"
    assert failure(call, broken, math.sin, 1.0, 0.1) == \
        "broken(sin, 1, 0.1) raised ZeroDivisionError: float division by zero"
    assert call(forward_difference, math.sin, 1.0, 0.5) == forward_difference(math.sin, 1.0, 0.5)


def test_call_shows_pytorch_s_message_and_minigrad_s_hint_for_a_learner_s_error():
    # minigrad raises PyTorch's message and attaches its hint for learners as a note: the
    # feedback shows both.
    def backward_of_a_constant():
        return (minigrad.tensor([1.0, 2.0]) * 2).sum().backward()

    message = failure(call, backward_of_a_constant)
    assert message.startswith("backward_of_a_constant() raised RuntimeError: element 0 of tensors does not "
                              "require grad and does not have a grad_fn (")
    assert "requires_grad=True" in message.split("grad_fn (", 1)[1]


def test_shape_dtype_and_type_checks_on_arrays_and_tensors():
    assert failure(check_shape, "w.grad", np.zeros((2, 3)), (3, 2)) == \
        "w.grad has shape (2, 3) but should have shape (3, 2)"
    assert failure(check_shape, "b_grad", [1.0, 2.0], (3,), hint="one per entry") == \
        "b_grad has a list of 2 numbers but should have a list of 3 numbers; one per entry"
    check_shape("t", minigrad.ones(2, 3), (2, 3))
    assert failure(check_dtype, "x", minigrad.tensor([1, 2]), minigrad.float32) == \
        "x.dtype is int64 but should be float32"
    check_dtype("x", np.zeros(2, dtype=np.float32), minigrad.float32)
    assert failure(check_type, "best_h", 1, float) == "best_h is an int but should be a float"
    with pytest.raises(NotAttempted):
        check_type("best_h", None, float)


def test_a_check_is_an_assertion_error_and_hides_its_own_frames():
    assert issubclass(CheckFailed, AssertionError) and issubclass(NotAttempted, CheckFailed)
    # IPython leaves frames that set __tracebackhide__ out of a learner's traceback.
    assert "__tracebackhide__" in check_close.__code__.co_varnames
    assert "__tracebackhide__" in check_task.__code__.co_varnames


def test_checks_do_not_use_names_a_notebook_can_rebind(monkeypatch):
    # Layer (a): rebinding these after minigrad_course was imported changes no verdict.
    monkeypatch.setattr(builtins, "abs", lambda x: 0.0)
    monkeypatch.setattr(math, "isclose", lambda *args, **kwargs: True)
    monkeypatch.setattr(np, "allclose", lambda *args, **kwargs: True)
    monkeypatch.setattr(np, "isclose", lambda *args, **kwargs: True)
    with pytest.raises(CheckFailed):
        check_close("x", [1.0, 2.0], [1.0, 3.0])
    with pytest.raises(CheckFailed):
        check_task("ex01_chain_rule_b", [-6.0, 0.25, -8.0])
    with pytest.raises(CheckFailed):
        check_task("ex01_best_step", lambda difference, f, exact, x, candidates: 1e-13)
    monkeypatch.undo()
    check_task("ex01_chain_rule_b", [-12.0, 0.5, -16.0])


# -------------------------------------------------------------------------- the tasks
def _solution_namespace(name: str) -> dict:
    """Run the answer cells of a solution (no checks) and return what they define."""
    namespace: dict = {"math": math}
    notebook = nbformat.read(REPO / "solutions" / f"{name}.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code" and not _nbgrader(cell).get("grade"):
            exec(cell.source, namespace)
    return namespace


@pytest.fixture(scope="module")
def ex01():
    with _quiet():
        return _solution_namespace("01_derivatives")


@pytest.fixture(scope="module")
def ex02():
    with _quiet():
        return _solution_namespace("02_scalar_engine")


class _quiet:
    def __enter__(self):
        self.stdout = sys.stdout
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115

    def __exit__(self, *exc):
        sys.stdout.close()
        sys.stdout = self.stdout


@contextlib.contextmanager
def _graded_with_seed(seed: int):
    """Check tasks as the grader does with ``seed``, publishing nothing (for the property
    tests, where hypothesis cannot share pytest's function-scoped monkeypatch)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(task_registry.GRADING_SEED_VARIABLE, str(seed))
        patch.setattr(task_registry, "_publish", lambda task_id, produced: None)
        yield


@functools.lru_cache(maxsize=None)
def _quiet_namespace(name: str) -> dict:
    """_solution_namespace of a solution, run once per test session, printing nothing."""
    with _quiet():
        return _solution_namespace(name)


def _answers_ex05_ex06() -> dict[str, object]:
    """The answers of solutions 05 (accumulation) and 06 (controlling the graph)."""
    ex05 = _quiet_namespace("05_accumulation")
    ex06 = _quiet_namespace("06_controlling_the_graph")
    return {
        "ex05_predict_grads": [ex05[f"after_{call}"] for call in range(1, 6)],
        "ex05_predict_raises": [ex05["raises"], ex05["reason"]],
        "ex05_microbatch": ex05["accumulate_gradients"],
        "ex05_fix_training": ex05["train_step"],
        "ex06_predict_leaves": [ex06["leaves"], ex06["need_grad"]],
        "ex06_walk_graph": ex06["node_names"],
        "ex06_freeze": ex06["freeze"],
        "ex06_clip_hook": ex06["make_clip_hook"],
        "ex06_predict_versions": [ex06["p_version"], ex06["q_version"], ex06["r_version"]],
    }


def _answers_ex07() -> dict[str, object]:
    """The answers of solution 07 (training a network)."""
    ex07 = _quiet_namespace("07_training")
    return {
        "ex07_predict_grads": [ex07["predicted_b_grad"], ex07["predicted_w_grad"]],
        "ex07_sgd_step": ex07["sgd_step"],
        "ex07_fix_loop": ex07["train"],
        "ex07_evaluate": ex07["evaluate"],
        "ex07_fit": ex07["fit"],
    }


def _answers(ex01, ex02) -> dict[str, object]:
    """The solutions' answer to every task, as the test cells pass them."""
    return {
        "ex01_forward_difference": ex01["forward_difference"],
        "ex01_central_difference": ex01["central_difference"],
        "ex01_chain_rule_a": ex01["a_grad"],
        "ex01_chain_rule_b": ex01["b_grad"],
        "ex01_chain_rule_c": ex01["c_grad"],
        "ex01_error_order": ex01["error_order"],
        "ex01_measured_orders": ex01["measure_order"],
        "ex01_best_step": ex01["best_step"],
        "ex02_mul": ex02["Value"],
        "ex02_tanh": ex02["Value"],
        "ex02_topo_small": ex02["topological_order"],
        "ex02_topo_deep": ex02["topological_order"],
        "ex02_backward": ex02["Value"],
        "ex02_reuse_grads": [ex02["predicted_a_grad"], ex02["predicted_b_grad"]],
        **_answers_ex05_ex06(),
        **_answers_ex03_ex04(),
        **_answers_ex08_ex09(),
        **_answers_ex07(),
    }


def test_every_task_has_a_solution_answer(ex01, ex02):
    assert sorted(_answers(ex01, ex02)) == sorted(task_registry.all_tasks())


@pytest.mark.parametrize("seed", [task_registry.SELF_STUDY_SEED, 1, 7, 20250101, 2**31 - 1])
def test_the_solutions_pass_every_task_on_any_seed(ex01, ex02, seed, monkeypatch):
    monkeypatch.setenv(task_registry.GRADING_SEED_VARIABLE, str(seed))
    monkeypatch.setattr(task_registry, "_publish", lambda task_id, produced: None)
    for task_id, answer in _answers(ex01, ex02).items():
        check_task(task_id, answer)


@settings(max_examples=20)
@given(seed=st.integers(0, 2**31 - 1))
def test_any_grading_seed_gives_questions_a_correct_answer_passes(seed):
    # The grader draws a fresh seed per submission: no seed may produce an input that a
    # correct answer fails on (a node unreachable from the root, a step too small, ...).
    with _graded_with_seed(seed):
        check_task("ex01_forward_difference", forward_difference)
        check_task("ex01_central_difference", central_difference)
        check_task("ex01_error_order", lambda steps, errors: float(
            np.polyfit(np.log(steps), np.log(errors), 1)[0]))
        for task_id in ("ex02_mul", "ex02_tanh", "ex02_backward"):
            check_task(task_id, Value)
        for task_id in ("ex02_topo_small", "ex02_topo_deep"):
            _passes_but_for_the_shortcut(task_id, topological_order, seed)
        for task_id, answer in _answers_ex05_ex06().items():
            check_task(task_id, answer)
        for task_id, answer in _answers_ex07().items():
            if task_id != "ex07_fit":  # trains a network: the fixed seeds above cover it
                check_task(task_id, answer)


def _passes_but_for_the_shortcut(task_id: str, answer: object, seed: int = 0) -> None:
    """``answer`` is the package's own version of a task that refuses it: its values are
    right on every case (the checks agree with the package), yet it earns nothing, with a
    message that names the call."""
    task = task_registry.get_task(task_id)
    message = failure(check_task, task_id, answer)
    assert "the package's own version" in message and "earns no points" in message
    for case in task.cases(seed):
        shortcut, value = task.run(answer, case)
        assert shortcut > 0
        assert task.judge_value(case, value) is None, (task_id, case)


def test_the_course_engine_passes_the_tasks_it_implements():
    # "The checks compare against the package's behaviour": minigrad's own reference code
    # is a correct answer to every task it covers; where a task asks to write that very
    # function, handing in the package's own is refused by name.
    check_task("ex01_forward_difference", forward_difference)
    check_task("ex01_central_difference", central_difference)
    for task_id in ("ex02_mul", "ex02_tanh", "ex02_backward"):
        check_task(task_id, Value)
    _passes_but_for_the_shortcut("ex02_topo_small", topological_order)
    _passes_but_for_the_shortcut("ex02_topo_deep", topological_order)


def test_predicted_values_agree_with_autograd():
    # The chain-rule task's expectations equal what minigrad's tensor autograd computes.
    a, b, c = (minigrad.tensor(v, dtype=minigrad.float64, requires_grad=True)
               for v in (CHAIN_A, CHAIN_B, CHAIN_C))
    y = 3 * a + 2 * b**2 + minigrad.log(c)
    y.backward(minigrad.tensor(CHAIN_GRADIENT, dtype=minigrad.float64))
    check_task("ex01_chain_rule_a", a.grad.tolist())
    check_task("ex01_chain_rule_b", b.grad.tolist())
    check_task("ex01_chain_rule_c", c.grad.tolist())
    x, z = Value(-2.0), Value(3.0)
    f = (x * z) * (x + z)
    f.backward()
    check_task("ex02_reuse_grads", [x.grad, z.grad])


@pytest.mark.parametrize("engine", ["minigrad", "torch"])
def test_the_predictions_of_exercises_05_and_06_are_what_autograd_does(engine):
    # The expected predictions are data in the task modules; minigrad proves them here, and
    # PyTorch, the behaviour they describe, where it is installed.
    torch = minigrad if engine == "minigrad" else pytest.importorskip("torch")
    x = torch.tensor(list(ex05_tasks.PREDICT_X), requires_grad=True)
    y, z = (x**2).sum(), (3 * x).sum()
    grads = []
    y.backward(retain_graph=True)
    grads.append(x.grad.tolist())
    y.backward(retain_graph=True)
    grads.append(x.grad.tolist())
    x.grad.zero_()
    y.backward(retain_graph=True)
    grads.append(x.grad.tolist())
    z.backward()
    grads.append(x.grad.tolist())
    x.grad = None
    y.backward()
    grads.append(x.grad.tolist())
    assert grads == ex05_tasks._predicted_grads()

    raising = set()
    for letter, code in ex05_tasks.SNIPPET_CODE.items():
        loss = eval(code, {"x": torch.tensor([1.0, 2.0, 3.0], requires_grad=True)})  # the shown code
        loss.backward()
        try:
            loss.backward()
        except RuntimeError as error:
            assert "Trying to backward through the graph a second time" in str(error)
            raising.add(letter)
    assert raising == ex05_tasks.RAISES

    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0])
    c = a * b
    d = b * 2
    e = c.detach()
    f = e * a
    with torch.no_grad():
        g = a * 3
    h = (g * b).requires_grad_()
    tensors = dict(a=a, b=b, c=c, d=d, e=e, f=f, g=g, h=h)
    assert {name: t.is_leaf for name, t in tensors.items()} == ex06_tasks.IS_LEAF
    assert {name: t.requires_grad for name, t in tensors.items()} == ex06_tasks.REQUIRES_GRAD

    p = torch.zeros(4)
    p.add_(1)
    q = p * 2
    p.mul_(3)
    r = p.detach()
    r[0] = 7.0
    q += 1
    q = q + 1
    r.zero_()
    assert (p._version, q._version, r._version) == ex06_tasks.VERSIONS

    # The reference walk of the graph task names the nodes as PyTorch does.
    values = [[0.5, -1.0, 1.5], [2.0, 0.25, -0.5], [1.0, 2.0, 3.0]]
    for case in ex06_tasks.WalkGraph().cases(11):
        names = ex06_tasks.reference_node_names(ex06_tasks.build_walk_graph(case, values, torch))
        assert names == ex06_tasks.reference_node_names(ex06_tasks.build_walk_graph(case, values))
        assert set(names) <= set(ex06_tasks.NODE_NAMES)


def test_ex07_predictions_agree_with_autograd_and_the_loop_with_the_optimizer():
    # Task 1's expectation is what backward() gives for the tutorial's network with those
    # logits; the reference loop of task 3 is a plain optimizer loop.
    from minigrad_course.tasks import ex07_training as ex07_tasks

    x = minigrad.ones(5, dtype=minigrad.float64)
    w = minigrad.zeros(5, 3, dtype=minigrad.float64, requires_grad=True)
    b = minigrad.tensor(list(ex07_tasks.PREDICT_LOGITS), dtype=minigrad.float64, requires_grad=True)
    target = minigrad.tensor(list(ex07_tasks.PREDICT_TARGET), dtype=minigrad.float64)
    minigrad.nn.functional.binary_cross_entropy_with_logits(x @ w + b, target).backward()
    check_task("ex07_predict_grads", [b.grad.tolist(), w.grad.tolist()])
    case = task_registry.get_task("ex07_fix_loop").cases(3)[0]
    model, optimizer, loss_fn, X, y = ex07_tasks._loop_setup(case)
    losses = []
    for _ in range(case.epochs):
        for start in range(0, X.shape[0], case.batch_size):
            optimizer.zero_grad()
            loss = loss_fn(model(X[start:start + case.batch_size]), y[start:start + case.batch_size])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    assert (losses, ex07_tasks._final_parameters(model)) == ex07_tasks.reference_training(case)
    assert losses[-1] < losses[0]  # the right loop learns


def _forward_as_central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def _central_over_h(f, x, h):
    return (f(x + h) - f(x - h)) / h


def _endpoint_slope(steps, errors):
    return (math.log(errors[-1]) - math.log(errors[0])) / (math.log(steps[-1]) - math.log(steps[0]))


def _micro_batch_losses(w, b, X, Y, sizes):
    """(mean squared error of micro-batch k, its share n_k / N of the rows) for each k."""
    start = 0
    for rows in sizes:
        part = slice(start, start + rows)
        yield ((X[part] @ w + b - Y[part]) ** 2).mean(), rows / X.shape[0]
        start += rows


def _unscaled_micro_batches(w, b, X, Y, sizes):
    w.grad = b.grad = None
    for loss, _ in _micro_batch_losses(w, b, X, Y, sizes):
        loss.backward()  # forgets the weight n_k / N


def _unzeroed_micro_batches(w, b, X, Y, sizes):
    for loss, share in _micro_batch_losses(w, b, X, Y, sizes):
        (loss * share).backward()


def _equally_weighted_micro_batches(w, b, X, Y, sizes):
    # Chapter 05's pattern, loss / K: right only when the micro-batches have equal sizes.
    w.grad = b.grad = None
    for loss, _ in _micro_batch_losses(w, b, X, Y, sizes):
        (loss / len(sizes)).backward()


def _whole_batch_at_once(w, b, X, Y, sizes):
    w.grad = b.grad = None
    ((X @ w + b - Y) ** 2).mean().backward()


def _train_step_without_zero_grad(model, optimizer, inputs, targets):
    loss = ((model(inputs) - targets) ** 2).mean()
    loss.backward()
    optimizer.step()
    return loss.item()


def _train_step_zeroing_after(model, optimizer, inputs, targets):
    loss = _train_step_without_zero_grad(model, optimizer, inputs, targets)
    optimizer.zero_grad()
    return loss


def _walk(tensor, pop_first=False, visited=True, keep_none=False):
    names, seen, todo = [], set(), [tensor.grad_fn]
    while todo:
        node = todo.pop(0) if pop_first else todo.pop()
        if node is None:
            names += ["None"] if keep_none else []
        elif not (visited and node in seen):
            seen.add(node)
            names.append(node.name())
            entries = [next_node for next_node, _ in node.next_functions]
            todo.extend(entries if pop_first else reversed(entries))
    return names


def _walk_without_visited_set(tensor):
    return _walk(tensor, visited=False)


def _breadth_first_walk(tensor):
    return _walk(tensor, pop_first=True)


def _walk_listing_none(tensor):
    return _walk(tensor, keep_none=True)


def _recursive_order(root):
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for operand in node._prev:
                visit(operand)
            order.append(node)

    visit(root)
    return order


def _assigning_mul():
    class Assigning(Value):
        def __mul__(self, other):
            out = Value.__mul__(self, other)
            operand = other if isinstance(other, Value) else None

            def _backward():
                self.grad = (operand.data if operand else other) * out.grad
                if operand is not None:
                    operand.grad = self.data * out.grad

            out._backward = _backward
            out.__class__ = Assigning
            return out

    return Assigning


def _tanh_of_input():
    class WrongTanh(Value):
        def tanh(self):
            out = WrongTanh(math.tanh(self.data), _prev=(self,))

            def _backward():
                self.grad += (1 - self.data**2) * out.grad

            out._backward = _backward
            return out

    return WrongTanh


def _sgd_step_rebinding(parameters, lr):
    # The classic slip: a new tensor bound to the loop variable, the model's parameter untouched.
    with minigrad.no_grad():
        for p in parameters:
            if p.grad is not None:
                p = p - lr * p.grad


def _sgd_step_recording(parameters, lr):
    for p in parameters:
        if p.grad is not None:
            p -= lr * p.grad


def _train_zeroing_once(model, optimizer, loss_fn, X, y, epochs, batch_size):
    # Exercise 07's buggy loop: zero_grad() before the loop only.
    losses = []
    optimizer.zero_grad()
    for _ in range(epochs):
        for start in range(0, X.shape[0], batch_size):
            loss = loss_fn(model(X[start:start + batch_size]), y[start:start + batch_size])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def _evaluate_recording(model, X, y):
    model.eval()
    logits = model(X)
    model.train()
    return ((logits > 0).float() == y).float().mean().item()


def _evaluate_thresholding_logits_at_half(model, X, y):
    model.eval()
    with minigrad.no_grad():
        logits = model(X)
    model.train()
    return ((logits > 0.5).float() == y).float().mean().item()


def _fit_a_straight_line(X, y):
    model = minigrad.nn.Linear(2, 1)
    optimizer = minigrad.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(300):
        optimizer.zero_grad()
        minigrad.nn.functional.binary_cross_entropy_with_logits(model(X), y).backward()
        optimizer.step()
    return model


@pytest.mark.parametrize("task_id, answer, hint", [
    ("ex01_forward_difference", _forward_as_central, "that is the central difference"),
    ("ex01_central_difference", _central_over_h, "so divide by 2h, not by h"),
    ("ex01_chain_rule_a", [1.0, 0.5, -2.0], "the slope of 3a is 3, not 1"),
    ("ex01_chain_rule_b", [-6.0, 0.25, -8.0], "dropped the factor 2 of 2b²"),
    ("ex01_chain_rule_c", [2.0, 0.25, 0.1], "multiplies each entry by its weight"),
    ("ex01_error_order", _endpoint_slope, "fit a least-squares line through all of them"),
    ("ex01_measured_orders", lambda difference, f, exact, x, steps: 1.0, "not what the errors of this scheme show"),
    ("ex01_best_step", lambda difference, f, exact, x, candidates: 1e-13, "round-off error (about ε·|f|/h) grows"),
    ("ex02_mul", _assigning_mul(), "use += in _backward"),
    ("ex02_tanh", _tanh_of_input(), "not 1 - x²"),
    ("ex02_topo_small", lambda root: list(reversed(_recursive_order(root))),
     "starts with the root"),
    ("ex02_topo_deep", _recursive_order, "replace the recursion by a loop over an explicit stack"),
    ("ex02_reuse_grads", [3.0, -8.0], "only the path through d = a * b"),
    ("ex05_predict_grads", [[2, 4, 6], [2, 4, 6], [2, 4, 6], [5, 7, 9], [2, 4, 6]],
     "the second call adds 2x again"),
    ("ex05_predict_grads", [[2, 4, 6], [4, 8, 12], [2, 4, 6], [3, 3, 3], [2, 4, 6]],
     "it does not replace it"),
    ("ex05_predict_raises", [{"B", "D"}, "b"], "multiplying by a constant saves the constant"),
    ("ex05_predict_raises", [{"B", "C", "D"}, "c"], "that is not what fails"),
    ("ex05_microbatch", _unscaled_micro_batches, "weight it by its share of the rows, n_k / N"),
    ("ex05_microbatch", _equally_weighted_micro_batches, "weights every micro-batch equally"),
    ("ex05_microbatch", _unzeroed_micro_batches, "held old gradients"),
    ("ex05_microbatch", _whole_batch_at_once, "run one backward per micro-batch"),
    ("ex05_fix_training", _train_step_without_zero_grad, "call optimizer.zero_grad() before"),
    ("ex05_fix_training", _train_step_zeroing_after, "not after the step"),
    ("ex06_predict_leaves", [{"a", "b", "e", "g", "h"}, {"a", "c", "f", "h"}],
     "no input of b * 2 requires grad"),
    ("ex06_predict_leaves", [{"a", "b", "d", "e", "g", "h"}, {"a", "c", "f", "g", "h"}],
     "under no_grad nothing is recorded"),
    ("ex06_walk_graph", _walk_without_visited_set, "list each node once"),
    ("ex06_walk_graph", _breadth_first_walk, "in another order"),
    ("ex06_walk_graph", _walk_listing_none, "skip the (None, 0) entries"),
    ("ex06_freeze", lambda module: None, "requires_grad is still True"),
    ("ex06_clip_hook", lambda limit: (lambda grad: None), "by *returning* the new one"),
    ("ex06_clip_hook", lambda limit: (lambda grad: grad.clamp(max=limit)), "clip both sides"),
    ("ex06_predict_versions", [4, 2, 4], "q = q + 1 is not"),
    ("ex06_predict_versions", [2, 0, 2], "r[0] = 7.0 and r.zero_() count on p too"),
    ("ex07_predict_grads", [[0.5, -0.25, 0.25], [[0.5, -0.25, 0.25]] * 5], "divided by 3"),
    ("ex07_predict_grads", [[1 / 6, 0.25, 1 / 12], [[1 / 6, 0.25, 1 / 12]] * 5],
     "the target of the second logit is 1"),
    ("ex07_predict_grads", [[1 / 6, -1 / 12, 1 / 12], [[1 / 6, -1 / 12, 1 / 12]] * 3],
     "should be shape (5, 3)"),
    ("ex07_sgd_step", _sgd_step_rebinding, "only gives the loop variable a new tensor"),
    ("ex07_sgd_step", _sgd_step_recording, "under `with minigrad.no_grad():`"),
    ("ex07_fix_loop", _train_zeroing_once, "zero_grad() runs only once, before the loop"),
    ("ex07_evaluate", _evaluate_recording, "a graph was built for nothing"),
    ("ex07_evaluate", _evaluate_thresholding_logits_at_half, "the model returns logits"),
    ("ex07_fit", _fit_a_straight_line, "a straight line gets about"),
])
def test_plausible_mistakes_fail_with_the_matching_hint(task_id, answer, hint):
    message = failure(check_task, task_id, answer)
    assert hint in message


def test_an_untouched_exercise_is_reported_as_not_attempted(ex02):
    def blank(*args):
        raise NotImplementedError()

    for task_id in ("ex01_forward_difference", "ex01_error_order", "ex02_topo_small",
                    "ex05_microbatch", "ex05_fix_training", "ex06_walk_graph", "ex06_freeze",
                    "ex06_clip_hook"):
        with pytest.raises(NotAttempted, match="^not attempted yet"):
            check_task(task_id, blank)
    with pytest.raises(NotAttempted, match="^not attempted yet: b_grad is still None"):
        check_task("ex01_chain_rule_b", None)


# ------------------------------------------------------- records judged out of process
def _record(task_id: str, answer: object, seed: int) -> dict:
    task = task_registry.get_task(task_id)
    produced = []
    for case in task.cases(seed):
        try:
            produced.append(("value", task.run(answer, case)))
        except CheckFailed as error:
            produced.append(("error", str(error)))
    return task_registry.make_record(task_id, produced)


def test_the_clean_judge_agrees_with_the_notebook(ex01, ex02):
    for task_id, answer in _answers(ex01, ex02).items():
        verdict = task_registry.judge_record(task_id, _record(task_id, answer, 77), 77)
        assert verdict.passed, (task_id, verdict.message)
    wrong = task_registry.judge_record("ex01_chain_rule_b",
                                       _record("ex01_chain_rule_b", [-6.0, 0.25, -8.0], 77), 77)
    assert not wrong.passed and "dropped the factor 2" in wrong.message


def test_a_record_made_with_another_seed_does_not_pass(ex01):
    # A notebook that sets its own seed (or replays inputs it saw before) answers the
    # wrong questions: the judge rebuilds the inputs from the grader's seed.
    record = _record("ex01_central_difference", ex01["central_difference"], seed=1)
    assert task_registry.judge_record("ex01_central_difference", record, 1).passed
    verdict = task_registry.judge_record("ex01_central_difference", record, 2)
    assert not verdict.passed and "should be" in verdict.message


@pytest.mark.parametrize("record", [
    None,
    "passed",
    {"task": "ex01_best_step"},
    {"task": "ex01_chain_rule_a", "answers": [{"value": [3.0, 1.5, -6.0]}]},  # wrong task
    {"task": "ex01_best_step", "answers": []},
    {"task": "ex01_best_step", "answers": [{"value": "1e-08"}]},
    {"task": "ex01_best_step", "answers": [{"value": {"float": "1e-08"}}]},
    {"task": "ex01_best_step", "answers": [{"verdict": "passed"}]},
    {"task": "ex01_best_step", "answers": [{"value": 1e-8}, {"value": 1e-8}]},
])
def test_malformed_records_never_pass(record):
    assert not task_registry.judge_record("ex01_best_step", record, 5).passed


def test_non_finite_answers_survive_the_record():
    cases = len(task_registry.get_task("ex01_best_step").cases(0))
    record = task_registry.make_record("ex01_best_step", [("value", float("nan"))] * cases)
    assert record["answers"] == [{"value": {"float": "nan"}}] * cases
    verdict = task_registry.judge_record("ex01_best_step", record, 0)
    assert not verdict.passed and "nan" in verdict.message


# ------------------------------------------------------------------------ make check
def test_make_check_prints_a_score_per_task(tmp_path):
    notebook = make_submissions.ex01_plausible_mistakes()
    answer = notebook.cells[make_submissions.cell_index(notebook, "error_order")]
    answer.source = make_submissions.exercise("01_derivatives").cells[
        make_submissions.cell_index(notebook, "error_order")].source  # left blank
    path = tmp_path / "01_derivatives.ipynb"
    nbformat.write(notebook, path)
    env = {key: value for key, value in os.environ.items()
           if key not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    # -o setup: the suite runs inside the environment `make setup` made; do not redo it.
    run = subprocess.run(["make", "--no-print-directory", "-o", "setup", "check", f"NOTEBOOK={path}",
                          f"VENV={Path(sys.executable).parent.parent}", "TIMEOUT=20"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()

    def row(task):
        return next(line for line in lines if line.startswith(task)).split()

    assert row("ex01_forward_difference")[1:5] == ["1", "/", "1", "passed"]
    assert row("ex01_central_difference")[1:5] == ["0", "/", "2", "failed"]
    assert row("ex01_chain_rule_b")[1:5] == ["0", "/", "1", "failed"]
    assert row("ex01_error_order")[1:6] == ["0", "/", "2", "not", "attempted"]
    # error_order is blank, so the orders cannot be measured either: 10 - 2 - 1 - 2 - 1.
    assert row("total")[1:4] == ["4", "/", "10"]
    text = " ".join(run.stdout.split())
    assert "so divide by 2h, not by h" in text
    assert "dropped the factor 2 of 2b²" in text
    assert any("with the hidden checks" in line for line in lines)


# ------------------------------------------- exercises 08 (higher order) and 09 (checking)
def _answers_ex08_ex09() -> dict[str, object]:
    """The answers of solutions 08 (higher-order derivatives) and 09 (checking gradients)."""
    ex08 = _quiet_namespace("08_higher_order")
    ex09 = _quiet_namespace("09_checking_gradients")
    return {
        "ex08_second_derivative": ex08["second_derivative"],
        "ex08_hvp": ex08["hvp"],
        "ex08_newton_step": ex08["newton_step"],
        "ex08_predict_third_derivative": ex08["third_derivative"],
        "ex09_silu": ex09["SiLU"],
        "ex09_predict_wrong_backward": ex09["wrong_one"],
        "ex09_eps": ex09["eps64"],
        "ex09_max_relative_error": ex09["max_relative_error"],
    }


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_any_grading_seed_gives_exercises_08_and_09_questions_the_solutions_pass(seed):
    with _graded_with_seed(seed):
        for task_id, answer in _answers_ex08_ex09().items():
            check_task(task_id, answer)


def _sigmoids(torch):
    """Exercise 09's three sigmoid Functions (task 2), for minigrad or PyTorch."""

    class SigmoidA(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            s = 1 / (1 + torch.exp(-x))
            ctx.save_for_backward(s)
            return s

        @staticmethod
        def backward(ctx, grad_output):
            (s,) = ctx.saved_tensors
            return grad_output * s * (1 - s)

    class SigmoidB(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return torch.sigmoid(x)

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * torch.sigmoid(x) * (1 - torch.sigmoid(-x))

    class SigmoidC(SigmoidB):
        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            e = torch.exp(-x)
            return grad_output * e / (1 + e) ** 2

    return {"A": SigmoidA, "B": SigmoidB, "C": SigmoidC}


def test_the_sigmoids_of_exercise_09_are_the_ones_the_notebook_shows():
    notebook = nbformat.read(REPO / "solutions" / "09_checking_gradients.ipynb", as_version=4)
    (shown,) = [cell.source for cell in notebook.cells if _nbgrader(cell).get("grade_id") == "sigmoids"]
    for line in ("return grad_output * s * (1 - s)",
                 "return grad_output * torch.sigmoid(x) * (1 - torch.sigmoid(-x))",
                 "return grad_output * e / (1 + e) ** 2"):
        assert line in shown


@pytest.mark.parametrize("engine", ["minigrad", "torch"])
def test_the_expected_answers_of_exercises_08_and_09_are_what_autograd_says(engine):
    # The predictions are data in the task modules; autograd and gradcheck prove them here,
    # with minigrad and, where installed, with PyTorch itself.
    from minigrad_course.tasks import ex08_higher_order as ex08_tasks
    from minigrad_course.tasks import ex09_checking_gradients as ex09_tasks

    torch = minigrad if engine == "minigrad" else pytest.importorskip("torch")
    x = torch.tensor(ex08_tasks.THIRD_X, dtype=torch.float64, requires_grad=True)
    out = sum(c * x**k for k, c in enumerate(ex08_tasks.THIRD_COEFFICIENTS))
    for _ in range(3):
        (out,) = torch.autograd.grad(out, x, create_graph=True)
    check_task("ex08_predict_third_derivative", out.item())
    points = torch.tensor([-2.0, -0.5, 0.3, 1.5], dtype=torch.float64, requires_grad=True)
    failing = [letter for letter, function in _sigmoids(torch).items()
               if not torch.autograd.gradcheck(function.apply, (points,), raise_exception=False)]
    assert failing == [ex09_tasks.WRONG_BACKWARD]
    check_task("ex09_predict_wrong_backward", failing[0])


def _first_derivative_only(f, x):
    x = minigrad.tensor(x, dtype=minigrad.float64, requires_grad=True)
    (first,) = minigrad.autograd.grad(f(x), x)
    return first.item()


def _second_derivative_by_differences(f, x):
    return central_difference(lambda t: _first_derivative_only(f, t), x, 1e-4)


def _second_derivative_in_float32(f, x):
    x = minigrad.tensor(x, requires_grad=True)
    (first,) = minigrad.autograd.grad(f(x), x, create_graph=True)
    (second,) = minigrad.autograd.grad(first, x)
    return second.item()


def _hvp_by_whole_hessian(f, x, v):
    # The Hessian built row by row with double backward, then multiplied by v.
    x = x.detach().requires_grad_()
    (g,) = minigrad.autograd.grad(f(x), x, create_graph=True)
    rows = [minigrad.autograd.grad(g[i], x, retain_graph=True)[0] for i in range(len(g))]
    return minigrad.stack(rows) @ v


def _hvp_by_the_package(f, x, v):
    return minigrad.autograd.functional.hessian(f, x) @ v


def _gradient_instead_of_hvp(f, x, v):
    x = x.detach().requires_grad_()
    return minigrad.autograd.grad(f(x), x)[0]


def _newton_gradient_step(f, p):
    p = p.detach().requires_grad_()
    return (p - minigrad.autograd.grad(f(p), p)[0]).detach()


def _newton_step_uphill(f, p):
    gradient = minigrad.autograd.functional.jacobian(f, p).numpy()
    hessian = minigrad.autograd.functional.hessian(f, p).numpy()
    return p.numpy() + np.linalg.solve(hessian, gradient)


def _silu(backward, save_sigmoid=False):
    class SiLU(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            s = minigrad.sigmoid(x)
            ctx.save_for_backward(x, s if save_sigmoid else minigrad.sigmoid(x.detach()))
            return x * s

        @staticmethod
        def backward(ctx, grad_output):
            x, s = ctx.saved_tensors
            if not save_sigmoid:
                s = minigrad.sigmoid(x)
            return backward(grad_output, x, s)

    return SiLU


def _largest_absolute_difference(f, x_values, eps=1e-6):
    from minigrad.finite_differences import numerical_gradient

    x = minigrad.tensor(x_values, requires_grad=True)
    f(x).backward()
    (numerical,) = numerical_gradient(lambda a: f(minigrad.tensor(a)).item(), [x_values], h=eps)
    return float(np.max(np.abs(x.grad.numpy() - numerical)))


def _mean_relative_error(f, x_values, eps=1e-6):
    from minigrad.finite_differences import numerical_gradient

    x = minigrad.tensor(x_values, requires_grad=True)
    f(x).backward()
    (numerical,) = numerical_gradient(lambda a: f(minigrad.tensor(a)).item(), [x_values], h=eps)
    analytical = x.grad.numpy()
    return float(np.mean(np.abs(analytical - numerical)
                         / np.maximum(np.abs(analytical), np.abs(numerical))))


@pytest.mark.parametrize("task_id, answer, hint", [
    ("ex08_second_derivative", _first_derivative_only, "that is f'(x), the first derivative"),
    ("ex08_second_derivative", _second_derivative_by_differences,
     "no backward pass went through the gradient's graph"),
    ("ex08_second_derivative", _second_derivative_in_float32, "compute in float64"),
    ("ex08_hvp", _hvp_by_whole_hessian, "that builds the Hessian row by row"),
    ("ex08_hvp", _hvp_by_the_package, "calls torch.autograd.functional.hessian"),
    ("ex08_hvp", _gradient_instead_of_hvp, "that is the gradient g = ∇f(x)"),
    ("ex08_newton_step", _newton_gradient_step, "that is a gradient-descent step"),
    ("ex08_newton_step", _newton_step_uphill, "the step goes the wrong way"),
    ("ex08_predict_third_derivative", 29.0, "that is f''(1.5), the second derivative"),
    ("ex09_silu", _silu(lambda g, x, s: s + x * s * (1 - s)), "multiply the local derivative by grad_output"),
    ("ex09_silu", _silu(lambda g, x, s: g * s), "by the product rule"),
    ("ex09_silu", _silu(lambda g, x, s: g * (s + x * s * (1 - s)), save_sigmoid=True),
     "forward is not recorded"),
    ("ex09_silu", _silu(lambda g, x, s: g * minigrad.tensor((s + x * s * (1 - s)).detach().numpy())),
     "cannot be differentiated again"),
    ("ex09_predict_wrong_backward", "A", "is not the wrong one"),
    ("ex09_predict_wrong_backward", "D", "one of the letters 'A', 'B' or 'C'"),
    ("ex09_eps", 1e-12, "too small: the round-off error"),
    ("ex09_eps", 1e-2, "too large: the truncation error"),
    ("ex09_max_relative_error", _largest_absolute_difference, "largest absolute difference"),
    ("ex09_max_relative_error", _mean_relative_error, "the mean of the relative errors"),
])
def test_plausible_mistakes_in_exercises_08_and_09_fail_with_the_matching_hint(task_id, answer, hint):
    message = failure(check_task, task_id, answer)
    assert hint in message


def test_untouched_exercises_08_and_09_are_reported_as_not_attempted():
    def blank(*args):
        raise NotImplementedError()

    class BlankFunction(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            raise NotImplementedError()

        @staticmethod
        def backward(ctx, grad_output):
            raise NotImplementedError()

    for task_id in ("ex08_second_derivative", "ex08_hvp", "ex08_newton_step",
                    "ex09_max_relative_error"):
        with pytest.raises(NotAttempted, match="^not attempted yet"):
            check_task(task_id, blank)
    with pytest.raises(NotAttempted, match="^not attempted yet"):
        check_task("ex09_silu", BlankFunction)
    for task_id in ("ex08_predict_third_derivative", "ex09_predict_wrong_backward", "ex09_eps"):
        with pytest.raises(NotAttempted, match="^not attempted yet"):
            check_task(task_id, None)


# ------------------------------------------- exercises 03 (tensors) and 04 (Jacobians)
def _answers_ex03_ex04() -> dict[str, object]:
    """The answers of solutions 03 (tensors and broadcasting) and 04 (Jacobians)."""
    ex03 = _quiet_namespace("03_tensors")
    ex04 = _quiet_namespace("04_jacobians")
    return {
        "ex03_unbroadcast": ex03["unbroadcast"],
        "ex03_matmul_backward": ex03["matmul_backward"],
        "ex03_div_function": ex03["Div"],
        "ex03_predict_grads": [ex03["predicted_b_grad"], ex03["predicted_c_grad"]],
        "ex04_jacobian_rows": ex04["jacobian_from_vjps"],
        "ex04_predict_vjp": ex04["predicted_x_grad"],
        "ex04_dual_mul": ex04["Dual"],
        "ex04_dual_exp": ex04["Dual"],
        "ex04_jacobian_columns": ex04["jacobian_by_columns"],
        "ex04_weighted_losses": ex04["v"],
    }


def _engine_unbroadcast(grad, shape):
    """minigrad's own unbroadcast (minigrad.autograd.engine), on NumPy arrays."""
    from minigrad.autograd.engine import unbroadcast

    return unbroadcast(minigrad.tensor(grad), shape).numpy()


class _ReferenceDual:
    """Dual numbers written independently of the solution (results keep the subclass)."""

    def __init__(self, value, tangent=0.0):
        self.value, self.tangent = value, tangent

    def _lift(self, other):
        return other if isinstance(other, _ReferenceDual) else type(self)(other)

    def __add__(self, other):
        other = self._lift(other)
        return type(self)(self.value + other.value, self.tangent + other.tangent)

    def __mul__(self, other):
        other = self._lift(other)
        return type(self)(self.value * other.value, self.tangent * other.value + self.value * other.tangent)

    __radd__, __rmul__ = __add__, __mul__

    def exp(self):
        return type(self)(math.exp(self.value), math.exp(self.value) * self.tangent)


def _reference_columns(f, point):
    columns = [[out.tangent for out in f(*(_ReferenceDual(p, float(k == j)) for k, p in enumerate(point)))]
               for j in range(len(point))]
    return np.array(columns).T


def _ex03_ex04_references() -> dict[str, object]:
    """Code written independently of the solutions (or a plain formula) as the answer to
    each coding task."""
    return {
        "ex03_unbroadcast": _sum_over_broadcast_axes,
        "ex03_matmul_backward": lambda a, b, g: (g @ b.T, a.T @ g),
        "ex03_div_function": _ReferenceDiv,
        "ex04_jacobian_rows": _reference_rows,
        "ex04_dual_mul": _ReferenceDual,
        "ex04_dual_exp": _ReferenceDual,
        "ex04_jacobian_columns": _reference_columns,
    }


def _engine_shortcuts() -> dict[str, object]:
    """The package's own version of what a task asks to write: right values, refused."""
    from minigrad.autograd.functional import jacobian
    from minigrad.ops.elementwise import Div

    return {
        "ex03_unbroadcast": _engine_unbroadcast,
        "ex03_div_function": Div,  # minigrad's own DivBackward0 Function
        "ex04_jacobian_rows": lambda f, x: jacobian(f, x),
    }


def _sum_over_broadcast_axes(grad, shape):
    grad = np.asarray(grad)
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    return grad.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True)


def _reference_rows(f, x):
    rows = []
    for i in range(f(x).shape[0]):
        x.grad = None
        seed = np.zeros(f(x).shape[0])
        seed[i] = 1.0
        f(x).backward(minigrad.tensor(seed))
        rows.append(x.grad.numpy().copy())
    return np.array(rows)


class _ReferenceDiv(minigrad.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a.data / b.data

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        grad_a = grad_output / b if ctx.needs_input_grad[0] else None
        grad_b = -grad_output * a / (b * b) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


def test_the_course_engine_passes_the_tasks_of_exercises_03_and_04():
    for task_id, answer in _ex03_ex04_references().items():
        check_task(task_id, answer)
    for task_id, answer in _engine_shortcuts().items():
        _passes_but_for_the_shortcut(task_id, answer)


@settings(max_examples=10)
@given(seed=st.integers(0, 2**31 - 1))
def test_any_grading_seed_gives_exercises_03_and_04_questions_a_correct_answer_passes(seed):
    with _graded_with_seed(seed):
        for task_id, answer in _ex03_ex04_references().items():
            check_task(task_id, answer)


@pytest.mark.parametrize("engine", ["minigrad", "torch"])
def test_the_predictions_of_exercises_03_and_04_are_what_autograd_does(engine):
    # The expected answers are data in the task modules; autograd computes them here.
    from minigrad_course.tasks import ex03_tensors as ex03_tasks
    from minigrad_course.tasks import ex04_jacobians as ex04_tasks

    torch = minigrad if engine == "minigrad" else pytest.importorskip("torch")
    f64 = torch.float64
    x = torch.tensor(ex03_tasks.PREDICT_X, dtype=f64)
    b = torch.tensor(ex03_tasks.PREDICT_B, dtype=f64, requires_grad=True)
    c = torch.tensor(ex03_tasks.PREDICT_C, dtype=f64, requires_grad=True)
    (x * b * c).sum().backward()
    assert (tuple(b.grad.shape), tuple(c.grad.shape)) == ((3,), (2, 1))
    check_task("ex03_predict_grads", [b.grad.tolist(), c.grad.tolist()])

    x = torch.tensor(ex04_tasks.PREDICT_X, dtype=f64, requires_grad=True)
    y = torch.stack([x[0] * x[1], x[0] + 3 * x[1], x[1] * x[1]])
    y.backward(torch.tensor(ex04_tasks.PREDICT_V, dtype=f64))
    check_task("ex04_predict_vjp", x.grad.tolist())

    # v = d(0.25·L1 + 2·L2)/dy, by autograd on y as a leaf; and y.backward(v) then gives the
    # combined loss's gradient with respect to x.
    x = torch.tensor(ex04_tasks.WEIGHTED_X, dtype=f64, requires_grad=True)
    y = x * x
    y_leaf = y.detach().requires_grad_()
    (ex04_tasks.WEIGHT_1 * y_leaf.sum() + ex04_tasks.WEIGHT_2 * (y_leaf * y_leaf).sum() / 2).backward()
    check_task("ex04_weighted_losses", y_leaf.grad.tolist())
    y.backward(y_leaf.grad)
    x_whole = torch.tensor(ex04_tasks.WEIGHTED_X, dtype=f64, requires_grad=True)
    y_whole = x_whole * x_whole
    (ex04_tasks.WEIGHT_1 * y_whole.sum() + ex04_tasks.WEIGHT_2 * (y_whole * y_whole).sum() / 2).backward()
    np.testing.assert_allclose(x.grad.tolist(), x_whole.grad.tolist(), rtol=1e-12)


def _unbroadcast_without_keepdims(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis in reversed(range(len(shape))):
        if shape[axis] == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis)
    return grad


def _unbroadcast_by_mean(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.mean(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.mean(axis=axis, keepdims=True)
    return grad


def _div_function(save: bool = True, sign: float = -1.0, skip_unneeded: bool = True):
    """A Div Function with one of the learners' slips switched on."""

    class Div(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            if save:
                ctx.save_for_backward(a, b)
            else:
                ctx.a, ctx.b = a, b
            return a.data / b.data

        @staticmethod
        def backward(ctx, grad_output):
            a, b = ctx.saved_tensors if save else (ctx.a, ctx.b)
            grad_b = sign * grad_output * a / (b * b)
            return grad_output / b, grad_b if ctx.needs_input_grad[1] or not skip_unneeded else None

    return Div


def _jacobian_without_reset(f, x):
    y = f(x)
    rows = []
    for i in range(y.numel()):
        one_hot = minigrad.zeros_like(y)
        one_hot[i] = 1.0
        y.backward(one_hot, retain_graph=True)
        rows.append(x.grad.clone())
    return minigrad.stack(rows)


def _jacobian_without_retain_graph(f, x):
    y = f(x)
    rows = []
    for i in range(y.numel()):
        x.grad = None
        y.backward(minigrad.eye(y.numel(), dtype=y.dtype)[i])
        rows.append(x.grad.clone())
    return minigrad.stack(rows)


class _DualMultiplyingTangents(_ReferenceDual):
    def __mul__(self, other):
        other = self._lift(other)
        return type(self)(self.value * other.value, self.tangent * other.tangent)

    __rmul__ = __mul__


class _DualExpWithoutChainRule(_ReferenceDual):
    def exp(self):
        return type(self)(math.exp(self.value), math.exp(self.value))


def _columns_seeding_every_input(f, point):
    columns = [[out.tangent for out in f(*(_ReferenceDual(p, 1.0) for p in point))] for _ in point]
    return np.array(columns).T


@pytest.mark.parametrize("task_id, answer, hint", [
    ("ex03_unbroadcast", lambda grad, shape: grad, "that is the gradient's own shape"),
    ("ex03_unbroadcast", _unbroadcast_without_keepdims, "with keepdims=True, so that they stay"),
    ("ex03_unbroadcast", _unbroadcast_by_mean, "that is the mean over the copies"),
    ("ex03_matmul_backward", lambda a, b, g: (g @ b, a.T @ g), "transpose b (G @ b.T)"),
    ("ex03_matmul_backward", lambda a, b, g: (g @ b.T, a @ g), "transpose a (a.T @ G)"),
    ("ex03_matmul_backward", lambda a, b, g: (a.T @ g, g @ b.T), "in the order of the inputs"),
    ("ex03_div_function", _div_function(sign=1.0), "the sign is wrong"),
    ("ex03_div_function", _div_function(save=False), "ctx.save_for_backward(a, b)"),
    ("ex03_div_function", _div_function(skip_unneeded=False), "when ctx.needs_input_grad[1] is False"),
    ("ex03_predict_grads", [[2.0, 4.0, 6.0], [[2.0], [8.0]]], "that is only row 0's contribution"),
    ("ex03_predict_grads", [[-2.0, -1.0, 0.0], [2.0, 8.0]], "c has shape (2, 1) and so does c.grad"),
    ("ex04_jacobian_rows", _jacobian_without_reset, "x.grad adds up over backward calls"),
    ("ex04_jacobian_rows", _jacobian_without_retain_graph, "pass retain_graph=True"),
    ("ex04_jacobian_rows", lambda f, x: _reference_rows(f, x).T, "you seem to have them swapped"),
    ("ex04_jacobian_rows", lambda f, x: minigrad.autograd.functional.jacobian(f, x),
     "calls torch.autograd.functional.jacobian"),
    ("ex04_predict_vjp", [0.0, 3.0], "adds the rows of J without their weights"),
    ("ex04_predict_vjp", [-0.5, 5.5], "d(x1²)/dx1 is 2·x1, not x1"),
    ("ex04_dual_mul", _DualMultiplyingTangents, "that multiplies the tangents"),
    ("ex04_dual_exp", _DualExpWithoutChainRule, "multiply exp(a.value) by the input's tangent"),
    ("ex04_jacobian_columns", _columns_seeding_every_input, "seed one input at a time"),
    ("ex04_jacobian_columns", lambda f, point: _reference_columns(f, point).T, "swapped"),
    ("ex04_weighted_losses", [2.0, 8.0, 0.5], "that is only 2·L2's part"),
    ("ex04_weighted_losses", [4.5, -33.0, 0.75], "that is already the gradient with respect to x"),
])
def test_plausible_mistakes_in_exercises_03_and_04_fail_with_the_matching_hint(task_id, answer, hint):
    assert hint in failure(check_task, task_id, answer)


def test_untouched_exercises_03_and_04_are_reported_as_not_attempted():
    def blank(*args):
        raise NotImplementedError()

    class BlankDiv(minigrad.autograd.Function):
        forward = staticmethod(blank)
        backward = staticmethod(blank)

    class BlankDual(_ReferenceDual):
        __mul__ = __rmul__ = exp = blank

    for task_id, answer in [("ex03_unbroadcast", blank), ("ex03_matmul_backward", blank),
                            ("ex03_div_function", BlankDiv), ("ex03_predict_grads", [None, None]),
                            ("ex04_jacobian_rows", blank), ("ex04_predict_vjp", None),
                            ("ex04_dual_mul", BlankDual), ("ex04_dual_exp", BlankDual),
                            ("ex04_jacobian_columns", blank), ("ex04_weighted_losses", None)]:
        with pytest.raises(NotAttempted, match="^not attempted yet"):
            check_task(task_id, answer)
