"""The checkers are tested too: for each task, a table of wrong answers and what each earns.

Every row is a wrong answer a learner could hand in (a common mistake, a typed-in
constant, the package's own version of the function (a shortcut), a partially right
answer, an answer that only works on the inputs the notebook shows) with the specific
words its message must contain. Each row is graded twice, as in a class: in the notebook
with the self-study inputs and by the grader's clean judge with a grading seed the
notebook never saw, and must earn zero there (the points of a graded cell are all or
nothing). The solution of each task earns full marks the same way. The number of rows
checked is printed at the end of the test run (``conftest.py``).

A row whose answer is right on the inputs the notebook shows (the lookup table of
``_only_on_shown``) is expected to pass the notebook's self-check and to fail under the
grading seed: that is what the hidden inputs are for.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
import test_exercises as suite

import minigrad
from minigrad_course import CheckFailed, check_task
from minigrad_course import tasks as task_registry
from minigrad_course.tasks import commitments

GRADING_SEED = 20261208
# Filled as rows pass; conftest.py prints the count.
CHECKED: list[str] = []


@dataclass(frozen=True)
class Row:
    label: str
    answer: Callable[[], object]  # made when the row runs (some need the solution)
    message: str  # words the message must contain
    passes_self_study: bool = False  # right on the inputs the notebook shows


def _solution(task_id: str) -> object:
    ex01 = suite._quiet_namespace("01_derivatives")
    return {**suite._answers_ex03_ex04(), **suite._answers_ex08_ex09(), **suite._answers_ex05_ex06(),
            "ex01_measured_orders": ex01["measure_order"], "ex01_best_step": ex01["best_step"],
            "ex02_topo_small": suite._quiet_namespace("02_scalar_engine")["topological_order"],
            "ex02_topo_deep": suite._quiet_namespace("02_scalar_engine")["topological_order"],
            }[task_id]


def _only_on_shown(task_id: str, key: Callable[..., object], fallback: Callable[..., object]):
    """An answer that is a lookup table of what the solution returns on the self-study
    inputs, keyed by ``key(*args)``, and ``fallback(*args)`` on any other input."""
    solution = _solution(task_id)
    table: dict[object, object] = {}

    def recording(*args):
        result = solution(*args)
        table[key(*args)] = copy.deepcopy(result)
        return result

    check_task(task_id, recording)

    def looked_up(*args):
        found = table.get(key(*args))
        return copy.deepcopy(found) if found is not None else fallback(*args)

    return looked_up


def _values(*arrays) -> tuple:
    return tuple(tuple(np.asarray(getattr(a, "data", a), dtype=float).ravel().round(12))
                 for a in arrays)


# ------------------------------------------------------------------ ex02: topological order
def _all_nodes(root):
    nodes, stack, seen = [], [root], set()
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            nodes.append(node)
            stack.extend(node._prev)
    return nodes


def _sorted_by_label(root):
    return sorted(_all_nodes(root), key=lambda node: node.label)


def _leaves_first_then_root(root):
    nodes = _all_nodes(root)
    return [node for node in nodes if not node._prev] + [node for node in nodes if node._prev][::-1]


def _engine_order(root):
    from minigrad.scalar import topological_order

    return topological_order(root)


def _no_visited_set(root):
    order = []

    def visit(node):
        for operand in node._prev:
            visit(operand)
        order.append(node)

    visit(root)
    return order


def _iterative_order(root):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, operands_done = stack.pop()
        if operands_done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((operand, False) for operand in node._prev)
    return order


_TOPO_COMMON = [
    Row("the order reversed (root first)", lambda: lambda root: list(reversed(_iterative_order(root))),
        "starts with the root"),
    Row("a typed-in constant (an empty list)", lambda: lambda root: [], "misses"),
    Row("the package's own sort", lambda: _engine_order, "calls minigrad.scalar.topological_order"),
    Row("partially right: every node, leaves first, but the others in discovery order",
        lambda: _leaves_first_then_root, "before its operand"),
    Row("sorted by label, right only where labels follow the graph", lambda: _sorted_by_label,
        "before its operand"),
]


# ------------------------------------------------------------------------ ex03: unbroadcast
def _engine_unbroadcast(grad, shape):
    from minigrad.autograd.engine import unbroadcast

    return unbroadcast(minigrad.tensor(grad), shape).numpy()


def _leading_only(grad, shape):
    # Sums the dimensions broadcasting added in front, forgets the stretched size-1 ones.
    return np.asarray(grad).sum(axis=tuple(range(np.ndim(grad) - len(shape))))


# ------------------------------------------------------------------ ex04: Jacobian from VJPs
def _jacobian_by_differences(f, x):
    rows = []
    base = f(x).data.copy()
    for j in range(x.shape[0]):
        moved = x.data.copy()
        moved[j] += 1e-4
        rows.append((f(minigrad.tensor(moved)).data - base) / 1e-4)
    return np.array(rows).T


def _only_diagonal(f, x):
    # Partially right: a single backward with ones, spread on the diagonal.
    y = f(x)
    y.backward(minigrad.ones_like(y))
    n, m = y.shape[0], x.shape[0]
    return np.array([[x.grad.data[j] if i == j else 0.0 for j in range(m)] for i in range(n)])


def _engine_vjp_rows(f, x):
    from minigrad.autograd import functional

    n = f(x).shape[0]
    return np.array([functional.vjp(f, x, minigrad.tensor(np.eye(n)[i]))[1].data for i in range(n)])


# --------------------------------------------------------- ex08: second derivative and HVP
def _second_by_hessian(f, x):
    return minigrad.autograd.functional.hessian(f, minigrad.tensor(x, dtype=minigrad.float64)).item()


def _second_without_create_graph(f, x):
    x = minigrad.tensor(x, dtype=minigrad.float64, requires_grad=True)
    (g,) = minigrad.autograd.grad(f(x), x)
    return g.item()


def _hvp_by_vhp(f, x, v):
    return minigrad.autograd.functional.vhp(f, x, v)[1]


def _hvp_gradient_times_v(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = minigrad.autograd.grad(f(x), x, create_graph=True)
    return (g * v).detach()


def _hvp_diagonal_only(f, x, v):
    # Partially right: the diagonal of H times v (exact when H is diagonal).
    x = x.detach().requires_grad_()
    (g,) = minigrad.autograd.grad(f(x), x, create_graph=True)
    diagonal = [minigrad.autograd.grad(g[i], x, retain_graph=True)[0].data[i] for i in range(len(g))]
    return minigrad.tensor(diagonal) * v


def _zero_gradients(w, b, X, Y, sizes):
    w.grad, b.grad = minigrad.zeros_like(w), minigrad.zeros_like(b)


def _first_micro_batch_only(w, b, X, Y, sizes):
    w.grad = b.grad = None
    for loss, share in suite._micro_batch_losses(w, b, X, Y, sizes[:1]):
        (loss * share).backward()


def _order_ignoring_the_steps(difference, f, exact, x, steps):
    # Measured on steps of its own, down to 1e-8, where round-off bends the curve.
    own = [10.0**-k for k in range(1, 9)]
    errors = [abs(difference(f, x, h) - exact) for h in own]
    return float(np.polyfit(np.log(own), np.log(errors), 1)[0])


def _order_of_relative_error_per_step(difference, f, exact, x, steps):
    # The slope of log(error / h): one less than the order.
    errors = [abs(difference(f, x, h) - exact) / h for h in steps]
    return float(np.polyfit(np.log(steps), np.log(errors), 1)[0])


def _order_of_the_estimates(difference, f, exact, x, steps):
    # Fits the estimates themselves instead of their errors.
    values = [abs(difference(f, x, h)) for h in steps]
    return float(np.polyfit(np.log(steps), np.log(values), 1)[0])


def _smallest_step(difference, f, exact, x, candidates):
    return min(candidates)


def _step_by_the_forward_rule(difference, f, exact, x, candidates):
    # √ε ≈ 1e-8, right for the forward difference of chapter 01 only.
    return 1e-8


def _largest_error_step(difference, f, exact, x, candidates):
    errors = [abs(difference(f, x, h) - exact) for h in candidates]
    return candidates[errors.index(max(errors))]


def _best_step_of_forward_difference(difference, f, exact, x, candidates):
    # Measures, but always with the forward difference instead of the one given.
    errors = [abs((f(x + h) - f(x)) / h - exact) for h in candidates]
    return candidates[errors.index(min(errors))]


TABLE: dict[str, list[Row]] = {
    "ex01_measured_orders": [
        Row("a typed-in 1", lambda: lambda difference, f, exact, x, steps: 1.0,
            "not what the errors of this scheme show"),
        Row("a typed-in 2", lambda: lambda difference, f, exact, x, steps: 2.0,
            "not what the errors of this scheme show"),
        Row("the slope of the estimates, not their errors", lambda: _order_of_the_estimates,
            "not what the errors of this scheme show"),
        Row("the slope of error / h", lambda: _order_of_relative_error_per_step,
            "not what the errors of this scheme show"),
        Row("steps of its own down to 1e-8, not the ones given", lambda: _order_ignoring_the_steps,
            "not what the errors of this scheme show"),
    ],
    "ex01_best_step": [
        Row("the chapter's 1e-8, a typed-in constant", lambda: _step_by_the_forward_rule, "too small"),
        Row("the smallest candidate", lambda: _smallest_step, "too small: below the best step, round-off"),
        Row("the step of the largest error", lambda: _largest_error_step, "too large"),
        Row("partially right: measured with the forward difference whatever is given",
            lambda: _best_step_of_forward_difference, "too small"),
        Row("a lookup table of the shown inputs",
            lambda: _only_on_shown("ex01_best_step", lambda difference, f, exact, x, candidates: (x, exact),
                                   lambda difference, f, exact, x, candidates: 1e-8),
            "too small", passes_self_study=True),
    ],
    "ex02_topo_small": [*_TOPO_COMMON, Row("no visited set", lambda: _no_visited_set, "twice")],
    "ex02_topo_deep": [
        *_TOPO_COMMON,
        Row("recursion: right on small graphs only", lambda: suite._recursive_order,
            "deeper than Python's recursion limit"),
    ],
    "ex03_unbroadcast": [
        Row("the gradient unchanged", lambda: lambda grad, shape: grad, "that is the gradient's own shape"),
        Row("no keepdims", lambda: suite._unbroadcast_without_keepdims, "with keepdims=True"),
        Row("the mean instead of the sum", lambda: suite._unbroadcast_by_mean, "that is the mean over the copies"),
        Row("a typed-in constant (zeros of the shape)", lambda: lambda grad, shape: np.zeros(shape), "should be"),
        Row("the engine's own unbroadcast", lambda: _engine_unbroadcast,
            "calls minigrad.autograd.engine.unbroadcast"),
        Row("partially right: only the leading dimensions summed", lambda: _leading_only,
            "should have shape (2, 1)"),
        Row("a lookup table of the shown inputs",
            lambda: _only_on_shown("ex03_unbroadcast", lambda grad, shape: (_values(grad), shape),
                                   lambda grad, shape: np.zeros(shape)),
            "should be", passes_self_study=True),
    ],
    "ex04_jacobian_rows": [
        Row("x.grad never reset", lambda: suite._jacobian_without_reset, "x.grad adds up over backward calls"),
        Row("no retain_graph", lambda: suite._jacobian_without_retain_graph, "pass retain_graph=True"),
        Row("transposed", lambda: lambda f, x: suite._reference_rows(f, x).T, "you seem to have them swapped"),
        Row("a typed-in constant (zeros)", lambda: lambda f, x: np.zeros((f(x).shape[0], x.shape[0])),
            "should be"),
        Row("the package's jacobian", lambda: lambda f, x: minigrad.autograd.functional.jacobian(f, x),
            "calls torch.autograd.functional.jacobian"),
        Row("the package's vjp, one row at a time", lambda: _engine_vjp_rows, "calls torch.autograd.functional.vjp"),
        Row("partially right: one backward pass with ones", lambda: _only_diagonal, "should be"),
        Row("finite differences, accurate to 4 digits", lambda: _jacobian_by_differences, "should be"),
        Row("a lookup table of the shown inputs",
            lambda: _only_on_shown("ex04_jacobian_rows", lambda f, x: (_values(x), f(x).shape),
                                   lambda f, x: np.zeros((f(x).shape[0], x.shape[0]))),
            "should be", passes_self_study=True),
    ],
    "ex08_second_derivative": [
        Row("the first derivative", lambda: suite._first_derivative_only, "that is f'(x), the first derivative"),
        Row("finite differences of the gradient", lambda: suite._second_derivative_by_differences,
            "no backward pass went through the gradient's graph"),
        Row("float32", lambda: suite._second_derivative_in_float32, "compute in float64"),
        # f''(1.5) = 9 for the first, shown, function: the probe in f still refuses it.
        Row("a typed-in constant", lambda: lambda f, x: 9.0, "no backward pass went through the gradient's graph"),
        Row("the package's hessian", lambda: _second_by_hessian, "calls torch.autograd.functional.hessian"),
        Row("partially right: the gradient without create_graph", lambda: _second_without_create_graph,
            "that is f'(x)"),
        Row("a lookup table of the shown inputs",
            lambda: _only_on_shown("ex08_second_derivative", lambda f, x: float(x), lambda f, x: 0.0),
            "no backward pass went through the gradient's graph"),
    ],
    "ex08_hvp": [
        Row("the Hessian row by row", lambda: suite._hvp_by_whole_hessian, "that builds the Hessian row by row"),
        Row("the gradient", lambda: suite._gradient_instead_of_hvp, "that is the gradient g = ∇f(x)"),
        Row("g * v entry by entry", lambda: _hvp_gradient_times_v, "that is g * v entry by entry"),
        Row("a typed-in constant (v itself)", lambda: lambda f, x, v: v, "compute g = ∇f(x) with create_graph=True"),
        Row("the package's hessian", lambda: suite._hvp_by_the_package, "calls torch.autograd.functional.hessian"),
        Row("the package's vhp", lambda: _hvp_by_vhp, "calls torch.autograd.functional.vhp"),
        Row("partially right: the diagonal of H times v (right on the first input)",
            lambda: _hvp_diagonal_only, "backward passes through the gradient's graph"),
        Row("a lookup table of the shown inputs",
            lambda: _only_on_shown("ex08_hvp", lambda f, x, v: _values(x, v), lambda f, x, v: v),
            "compute g = ∇f(x) with create_graph=True", passes_self_study=True),
    ],
    "ex05_microbatch": [
        Row("the chapter's loss / K, right for equal micro-batches only",
            lambda: suite._equally_weighted_micro_batches, "weights every micro-batch equally"),
        Row("unscaled losses", lambda: suite._unscaled_micro_batches, "weight it by its share of the rows"),
        Row("old gradients kept", lambda: suite._unzeroed_micro_batches, "held old gradients"),
        Row("one backward over the whole batch", lambda: suite._whole_batch_at_once,
            "run one backward per micro-batch"),
        Row("a typed-in constant (zero gradients)", lambda: _zero_gradients, "[w.grad, b.grad]"),
        Row("partially right: weighted by n_k / N but only the first micro-batch",
            lambda: _first_micro_batch_only, "[w.grad, b.grad]"),
    ],
    "ex09_eps": [
        Row("1e-4, whose truncation error is 1.7e-9", lambda: 1e-4, "too large: the truncation error"),
        Row("1e-7, just past the round-off side", lambda: 1e-7, "too small: the round-off error"),
        Row("1e-8, the step of a forward difference (a typed-in constant from chapter 01)", lambda: 1e-8,
            "too small: the round-off error"),
        Row("the machine epsilon", lambda: 2.2e-16, "too small: the round-off error"),
        Row("1e-2", lambda: 1e-2, "too large: the truncation error"),
        Row("a negative step", lambda: -6e-6, "a step must be a positive number"),
    ],
}

ROWS = [(task_id, row) for task_id, rows in TABLE.items() for row in rows]


def _grader_verdict(task_id: str, answer: object) -> task_registry.Verdict:
    """What ``make grade`` concludes: the answer run on the grading seed's inputs, its
    record judged in a clean process."""
    return task_registry.judge_record(task_id, suite._record(task_id, answer, GRADING_SEED), GRADING_SEED)


def test_every_table_holds_at_least_five_wrong_answers():
    for task_id, rows in TABLE.items():
        assert task_id in task_registry.all_tasks()
        assert len(rows) >= 5, task_id


@pytest.mark.parametrize("task_id", sorted(TABLE))
def test_the_solution_earns_full_marks(task_id):
    check_task(task_id, _solution(task_id))
    verdict = _grader_verdict(task_id, _solution(task_id))
    assert verdict.passed, verdict.message


@pytest.mark.parametrize("task_id, row", ROWS, ids=[f"{task_id}: {row.label}" for task_id, row in ROWS])
def test_each_wrong_answer_earns_zero_with_its_message(task_id, row):
    answer = row.answer()
    if row.passes_self_study:
        check_task(task_id, answer)  # right on what the notebook shows ...
    else:
        with pytest.raises(CheckFailed) as caught:
            check_task(task_id, answer)
        assert row.message in str(caught.value), str(caught.value)
    verdict = _grader_verdict(task_id, answer)  # ... zero on the grader's inputs
    assert not verdict.passed
    assert row.message in verdict.message, verdict.message
    CHECKED.append(f"{task_id}: {row.label}")


# ------------------------------------------------------------------ committed predictions
def test_a_self_check_refuses_to_show_the_truth_before_the_prediction(monkeypatch):
    from minigrad_course import NotAttempted, commit_prediction

    monkeypatch.setattr(commitments, "_FIRST", {})
    with pytest.raises(NotAttempted, match="make your prediction first"):
        commit_prediction("ex08_predict_third_derivative", None)
    with pytest.raises(CheckFailed, match="cannot be recorded yet"):
        commit_prediction("ex08_predict_third_derivative", [1.0, 2.0])


def _notebook_with_commitments(*records):
    return {"cells": [{"cell_type": "markdown", "source": "", "metadata": {}},
                      *({"cell_type": "code", "source": "", "metadata": {},
                         "outputs": [{"output_type": "display_data", "metadata": {},
                                      "data": {commitments.COMMITMENT_MIME_TYPE: record}}]}
                        for record in records)]}


def test_the_grade_goes_to_the_prediction_committed_before_the_truth(monkeypatch):
    # f'''(1.5) of 2x⁴ - 3x³ + x² - 5 is 54: a learner first predicted 29 (f''), saw the
    # truth, typed 54 and ran the self-check again. The stored output keeps the first.
    published = []
    monkeypatch.setattr(commitments, "_FIRST", {})
    monkeypatch.setattr("IPython.display.publish_display_data", lambda data: published.append(data))
    commitments.commit_prediction("ex08_predict_third_derivative", 29.0)
    commitments.commit_prediction("ex08_predict_third_derivative", 54.0)
    last = published[-1][commitments.COMMITMENT_MIME_TYPE]
    assert last["first"] == [29.0] and last["current"] == [54.0]
    notebook = _notebook_with_commitments(last)
    record = commitments.committed_records(notebook)["ex08_predict_third_derivative"]
    verdict = commitments.judge_commitment("ex08_predict_third_derivative", record, GRADING_SEED)
    assert not verdict.passed
    assert "the prediction you committed before the self-check showed the truth" in verdict.message
    assert "that is f''(1.5), the second derivative" in verdict.message
    # Committed right the first time: full marks.
    honest = {"task": "ex08_predict_third_derivative", "version": 1, "first": [54.0], "current": [54.0]}
    assert commitments.judge_commitment("ex08_predict_third_derivative", honest, GRADING_SEED).passed
    CHECKED.append("ex08_predict_third_derivative: changed after the truth was shown")


@pytest.mark.parametrize("record", [None, {"task": "ex08_predict_third_derivative"},
                                    {"task": "ex08_predict_third_derivative", "first": "54"},
                                    {"task": "ex08_predict_third_derivative", "first": [54.0, 1.0]},
                                    {"task": "ex08_hvp", "first": [54.0]}])
def test_malformed_commitments_never_pass(record):
    assert not commitments.judge_commitment("ex08_predict_third_derivative", record, 1).passed


PREDICTIONS = ["ex02_reuse_grads", "ex03_predict_grads", "ex04_predict_vjp", "ex05_predict_grads",
               "ex05_predict_raises", "ex06_predict_leaves", "ex06_predict_versions", "ex07_predict_grads",
               "ex08_predict_third_derivative", "ex09_predict_wrong_backward"]


@pytest.mark.parametrize("name", suite.ASSIGNMENTS)
def test_every_self_check_after_a_prediction_is_locked_and_commits_it_first(name):
    import re

    import nbformat

    notebook = nbformat.read(suite.REPO / "solutions" / f"{name}.ipynb", as_version=4)
    cells = notebook.cells
    stored = commitments.committed_records(notebook)
    for index, cell in enumerate(cells):
        task_id = suite._nbgrader(cell).get("grade_id")
        if task_id not in PREDICTIONS:
            continue
        answer = re.search(rf'check_task\("{task_id}", (.*)\)\s*$', cell.source, re.M).group(1)
        following = next(c for c in cells[index + 1:] if c.cell_type == "code")
        meta = suite._nbgrader(following)
        assert meta.get("locked") and not meta.get("grade") and not meta.get("solution"), task_id
        assert following.source.splitlines()[2] == f'commit_prediction("{task_id}", {answer})', task_id
        # The solution's stored self-check output holds its committed prediction, which passes.
        assert commitments.judge_commitment(task_id, stored[task_id], GRADING_SEED).passed
