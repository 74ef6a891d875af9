"""minigrad against a live PyTorch (skipped when PyTorch is not installed).

(a) Every reference case runs again in PyTorch and must give what torch_reference.json
    says, so a stale reference file (a case edited without re-running make_reference.py,
    or a different PyTorch) cannot hide behind the stored numbers.
(b) Random programs: hypothesis draws a chain of 3-8 operations (element-wise functions,
    broadcasting arithmetic, reductions with dim/keepdim, reshapes, transposes, indexing,
    matmul, cat/stack) on float64 inputs, ending in a backward pass with a random
    ``gradient`` or through ``.sum()``/``.mean()``. The same program runs in minigrad and in
    PyTorch from the same NumPy arrays; the outputs and every leaf's ``.grad`` must agree.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, reject, settings
from hypothesis import strategies as st
from reference.cases import CASES, Case
from reference.runner import compare, run_case

import minigrad

torch = pytest.importorskip("torch", reason="PyTorch is not installed")
with warnings.catch_warnings():  # torch.func warns when first imported and used (see make_reference.py)
    warnings.simplefilter("ignore")
    import torch.func

    torch.func.jvp(torch.sin, (torch.zeros(1),), (torch.ones(1),))  # (its first call warns too)
pytestmark = pytest.mark.torch

REFERENCE_FILE = Path(__file__).resolve().parent / "reference" / "torch_reference.json"
REFERENCE = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _single_threaded_torch():
    # One thread, as when the reference was made: reductions then sum in the same order.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
    torch.set_grad_enabled(True)


# ---------------------------------------------------------------------------------------
# (a) The reference file is what PyTorch says today.

def test_torch_is_the_version_the_reference_was_made_with():
    assert torch.__version__.split("+")[0] == REFERENCE["torch_version"].split("+")[0]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_reference_is_current(case: Case):
    reference = REFERENCE["cases"][case.name]
    assert reference["code"] == case.code, "the case changed: re-run make_reference.py"
    expected = reference["result"]
    actual = run_case(case, torch)
    actual.pop("traceback", None)
    assert actual["status"] == expected["status"], actual
    if expected["status"] == "error":
        assert (actual["type"], actual["message"]) == (expected["type"], expected["message"])
    else:
        # Values are compared with the suite's tolerances rather than bit for bit: another
        # CPU may take another vectorised path through exp or tanh.
        problems = list(compare(expected["out"], actual["out"]))
        assert not problems, "\n".join([case.code, *problems])
    assert [w[0] for w in actual["warnings"]] == [w[0] for w in expected["warnings"]]


ISSUE_17 = ("legacy_", "device_", "api_", "func_", "semantics_", "message_")


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.name.startswith(ISSUE_17)], ids=lambda c: c.name
)
def test_minigrad_matches_live_pytorch(case: Case):
    """The idioms of old posts, the small API gaps and the semantic gaps of issue 17, run in
    both libraries now: the same results, the same exception type and message."""
    expected = run_case(case, torch)
    actual = run_case(case, minigrad)
    minigrad.set_grad_enabled(True)
    assert expected["status"] == actual["status"], (expected, actual)
    if expected["status"] == "error":
        assert actual["type"] == expected["type"]
        if case.exact:
            assert actual["message"] == expected["message"]
    else:
        problems = list(compare(expected["out"], actual["out"]))
        assert not problems, "\n".join([case.code, *problems])
    # PyTorch gives some warnings once per process, "Triggered internally" by its C++ code
    # (the one about backward(create_graph=True), the one about building a tensor from tensors
    # that require grad): whether a case sees them depends on the cases before it, so they
    # are left out (the second is compared in a fresh interpreter below).
    assert _categories(actual["warnings"]) == _categories(expected["warnings"])


def _categories(warnings_seen: list) -> list[str]:
    once = ("(Triggered internally at", "Converting a tensor with requires_grad=True to a scalar")
    return [category for category, message in warnings_seen if not any(text in message for text in once)]


def test_tensor_from_tensors_that_require_grad_warns_as_pytorch():
    """PyTorch says this once per process (it is the warning of .item() on such a tensor), so
    it is compared in a fresh interpreter; minigrad says it every time."""
    import subprocess
    import sys

    program = (
        "import warnings, torch\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    x = torch.tensor(1.5, requires_grad=True)\n"
        "    torch.tensor([x, x * 2])\n"
        "print(str(caught[0].message))\n"
    )
    expected = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True).stdout
    with pytest.warns(UserWarning) as caught:
        x = minigrad.tensor(1.5, requires_grad=True)
        minigrad.tensor([x, x * 2])
    message = str(caught[0].message)
    assert expected.startswith(message + " (Triggered internally at")


# ---------------------------------------------------------------------------------------
# (b) Random programs.

MAX_NUMEL = 48
MAX_ABS = 1e4


@dataclass
class Step:
    """One operation of a program: ``apply(T, x, leaves)`` returns the next tensor, where
    ``T`` is the library (minigrad or torch) and ``leaves`` the program's leaf tensors."""

    text: str
    apply: Callable


@dataclass
class Program:
    leaves: list[np.ndarray] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    ending: str = "sum"  # "sum", "mean", "gradient" or "scalar"
    gradient: np.ndarray | None = None

    def run(self, T):
        """Build the program's graph in library ``T`` and run its backward pass."""
        leaves = [T.tensor(a, dtype=T.float64, requires_grad=True) for a in self.leaves]
        x = leaves[0]
        for step in self.steps:
            x = step.apply(T, x, leaves)
        if self.ending == "gradient":
            x.backward(T.tensor(self.gradient, dtype=T.float64))
        elif self.ending == "sum":
            x.sum().backward()
        elif self.ending == "mean":
            x.mean().backward()
        else:
            x.backward()
        return x, leaves

    def describe(self) -> str:
        lines = [f"leaf{i} = tensor(shape {list(a.shape)})" for i, a in enumerate(self.leaves)]
        lines += ["x = leaf0"] + [f"x = {step.text}" for step in self.steps]
        lines.append(f"then: {self.ending}")
        return "\n".join(lines)


def _values(draw, shape: tuple[int, ...]) -> np.ndarray:
    # Continuous random values (not hypothesis floats, which favour 0 and repeats): no ties
    # for max/min and no kinks hit exactly by relu/abs.
    seed = draw(st.integers(0, 2**32 - 1))
    return np.random.default_rng(seed).uniform(-2.0, 2.0, size=shape)


def _broadcastable_shape(draw, shape: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts with ``shape``: dims kept, set to 1, grown from 1, fewer
    leading dims, or extra leading dims."""
    dims = []
    for n in shape:
        choice = draw(st.sampled_from(["same", "one", "grow"] if n == 1 else ["same", "one"]))
        dims.append(n if choice == "same" else 1 if choice == "one" else draw(st.integers(2, 3)))
    drop = draw(st.integers(0, len(dims)))
    dims = dims[drop:]
    # A new leading dim is only safe when none was dropped (it would line up with one).
    if drop == 0 and len(dims) < 3 and draw(st.booleans()):
        dims = [draw(st.integers(1, 3))] + dims
    return tuple(dims)


# Element-wise functions that are safe on any real input (the domain is arranged by the
# formula itself, e.g. log of x² + 1) or only offered when the current values allow them.
UNARY = {
    "x.exp()": (lambda T, x: x.exp(), lambda v: np.abs(v).max() < 5),
    "torch.log(x)": (lambda T, x: T.log(x), lambda v: v.min() > 0.1),
    "(x * x + 1).log()": (lambda T, x: (x * x + 1).log(), None),
    "x.sqrt()": (lambda T, x: x.sqrt(), lambda v: v.min() > 0.1),
    "torch.sqrt(x * x + 0.5)": (lambda T, x: T.sqrt(x * x + 0.5), None),
    "x.tanh()": (lambda T, x: x.tanh(), None),
    "torch.sigmoid(x)": (lambda T, x: T.sigmoid(x), None),
    "x.relu()": (lambda T, x: x.relu(), None),
    "x.abs()": (lambda T, x: x.abs(), None),
    "-x": (lambda T, x: -x, None),
    "x ** 2": (lambda T, x: x ** 2, None),
    "x.pow(3)": (lambda T, x: x.pow(3), lambda v: np.abs(v).max() < 10),
    "(x * x + 1) ** -0.5": (lambda T, x: (x * x + 1) ** -0.5, None),
    "x.clamp(-0.5, 0.7)": (lambda T, x: x.clamp(-0.5, 0.7), None),
    "2 - x": (lambda T, x: 2 - x, None),
    "1 / (x * x + 1)": (lambda T, x: 1 / (x * x + 1), None),
    "x * 1.5": (lambda T, x: x * 1.5, None),
}

BINARY = {
    "x + o": lambda T, x, o: x + o,
    "o - x": lambda T, x, o: o - x,
    "x * o": lambda T, x, o: x * o,
    "x / (o*o+0.5)": lambda T, x, o: x / (o * o + 0.5),
    "o / (x*x+0.5)": lambda T, x, o: o / (x * x + 0.5),
    "(x*x+0.5) ** o": lambda T, x, o: (x * x + 0.5) ** o,
    "where(x > 0, x, o)": lambda T, x, o: T.where(x > 0, x, o),
}


def _no_ties(values: np.ndarray, dim: int | None) -> bool:
    """True when every max and min along ``dim`` is unique (gradients of tied max/min
    depend on which element a library picks)."""
    if values.size == 0:
        return False
    moved = values.reshape(1, -1) if dim is None else np.moveaxis(values, dim, -1)
    moved = moved.reshape(-1, moved.shape[-1])
    for row in moved:
        if np.sum(row == row.max()) > 1 or np.sum(row == row.min()) > 1:
            return False
    return True


def _draw_step(draw, program: Program, value: np.ndarray) -> Step:
    """One operation that fits the current value (its shape and its numbers)."""
    shape = value.shape
    ndim = value.ndim
    kinds = ["unary", "binary", "binary"]
    if ndim >= 1:
        kinds += ["reduce", "shape", "index", "matmul", "join"]
    else:
        kinds += ["reduce_scalar"]
    kind = draw(st.sampled_from(kinds))

    if kind == "unary":
        usable = [n for n, (_, ok) in UNARY.items() if ok is None or ok(value)]
        name = draw(st.sampled_from(usable))
        fn = UNARY[name][0]
        return Step(name, lambda T, x, leaves: fn(T, x))

    if kind == "binary":
        name = draw(st.sampled_from(sorted(BINARY)))
        fn = BINARY[name]
        operand = draw(st.sampled_from(["leaf", "constant", "number"]))
        if operand == "number":
            number = draw(st.sampled_from([-1.5, 0.5, 2.0, 3]))
            return Step(name.replace("o", repr(number)) if name != "where(x > 0, x, o)"
                        else f"where(x > 0, x, {number!r})",
                        lambda T, x, leaves: fn(T, x, number))
        oshape = _broadcastable_shape(draw, shape)
        array = _values(draw, oshape)
        if operand == "leaf":
            index = len(program.leaves)
            program.leaves.append(array)
            return Step(f"{name} with o = leaf{index}",
                        lambda T, x, leaves: fn(T, x, leaves[index]))
        return Step(f"{name} with o = constant of shape {list(oshape)}",
                    lambda T, x, leaves: fn(T, x, T.tensor(array, dtype=T.float64)))

    if kind == "reduce_scalar":
        return Step("x * x + 1 (0-dim)", lambda T, x, leaves: x * x + 1)

    if kind == "reduce":
        op = draw(st.sampled_from(["sum", "mean", "max", "min"]))
        full = draw(st.booleans())
        if op in ("max", "min") and not _no_ties(value, None if full else -1):
            op = "sum"
        if full:
            return Step(f"x.{op}()", lambda T, x, leaves: getattr(x, op)())
        dim = draw(st.integers(-ndim, ndim - 1))
        if op in ("max", "min") and not _no_ties(value, dim):
            op = "mean"
        keepdim = draw(st.booleans())
        if op in ("max", "min"):
            return Step(f"x.{op}(dim={dim}, keepdim={keepdim}).values",
                        lambda T, x, leaves: getattr(x, op)(dim=dim, keepdim=keepdim)[0])
        return Step(f"x.{op}(dim={dim}, keepdim={keepdim})",
                    lambda T, x, leaves: getattr(x, op)(dim=dim, keepdim=keepdim))

    if kind == "shape":
        options = ["reshape(-1)", "reshape(reversed)", "reshape(-1, ...)", "unsqueeze", "flatten"]
        if ndim >= 2:
            options += ["transpose", "permute"]
        if ndim == 2:
            options.append("T")
        if 1 in shape:
            options += ["squeeze()", "squeeze(dim)", "expand"]
        option = draw(st.sampled_from(options))
        if option == "reshape(-1)":
            return Step("x.reshape(-1)", lambda T, x, leaves: x.reshape(-1))
        if option == "reshape(reversed)":
            new = tuple(reversed(shape))
            return Step(f"x.reshape{new}", lambda T, x, leaves: x.reshape(new))
        if option == "reshape(-1, ...)":
            new = (-1,) + shape[2:] if ndim >= 2 else (1, -1)
            return Step(f"x.reshape{new}", lambda T, x, leaves: x.reshape(new))
        if option == "flatten":
            return Step("x.flatten()", lambda T, x, leaves: x.flatten())
        if option == "unsqueeze":
            dim = draw(st.integers(-ndim - 1, ndim))
            return Step(f"x.unsqueeze({dim})", lambda T, x, leaves: x.unsqueeze(dim))
        if option == "transpose":
            d0, d1 = draw(st.lists(st.integers(0, ndim - 1), min_size=2, max_size=2, unique=True))
            return Step(f"x.transpose({d0}, {d1})", lambda T, x, leaves: x.transpose(d0, d1))
        if option == "permute":
            order = tuple(draw(st.permutations(range(ndim))))
            return Step(f"x.permute{order}", lambda T, x, leaves: x.permute(*order))
        if option == "T":
            return Step("x.T", lambda T, x, leaves: x.T)
        if option == "squeeze()":
            return Step("x.squeeze()", lambda T, x, leaves: x.squeeze())
        ones = [d for d, n in enumerate(shape) if n == 1]
        if option == "squeeze(dim)":
            dim = draw(st.sampled_from(ones))
            return Step(f"x.squeeze({dim})", lambda T, x, leaves: x.squeeze(dim))
        sizes = tuple(draw(st.integers(2, 3)) if n == 1 else -1 for n in shape)
        return Step(f"x.expand{sizes}", lambda T, x, leaves: x.expand(*sizes))

    if kind == "index":
        option = draw(st.sampled_from(["int", "slice", "list", "mask", "column"]
                                      if ndim >= 2 else ["int", "slice", "list", "mask"]))
        n = shape[0]
        if option == "int":
            i = draw(st.integers(-n, n - 1))
            return Step(f"x[{i}]", lambda T, x, leaves: x[i])
        if option == "slice":
            start = draw(st.integers(0, n - 1))
            stop = draw(st.integers(start + 1, n))
            return Step(f"x[{start}:{stop}]", lambda T, x, leaves: x[start:stop])
        if option == "list":
            idx = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=4))
            return Step(f"x[{idx}]", lambda T, x, leaves: x[idx])
        if option == "column":
            j = draw(st.integers(0, shape[1] - 1))
            return Step(f"x[:, {j}]", lambda T, x, leaves: x[:, j])
        mask = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
        if not mask.any():
            mask[draw(st.integers(0, n - 1))] = True
        return Step(f"x[mask {mask.tolist()}]",
                    lambda T, x, leaves: x[T.tensor(mask)])

    if kind == "matmul":
        k = draw(st.integers(1, 3))
        left = ndim >= 2 and draw(st.booleans())
        wshape = (k, shape[-2]) if left else (shape[-1], k)
        if draw(st.booleans()) and ndim <= 2:
            wshape = (shape[-1],) if not left else (shape[-2],)
        index = len(program.leaves)
        program.leaves.append(_values(draw, wshape))
        if left:
            return Step(f"leaf{index} @ x", lambda T, x, leaves: T.matmul(leaves[index], x))
        return Step(f"x @ leaf{index}", lambda T, x, leaves: x @ leaves[index])

    # join: cat or stack with a new leaf.
    dim = draw(st.integers(-ndim, ndim - 1))
    index = len(program.leaves)
    if draw(st.booleans()):
        other = list(shape)
        other[dim] = draw(st.integers(1, 2))
        program.leaves.append(_values(draw, tuple(other)))
        return Step(f"cat([x, leaf{index}], dim={dim})",
                    lambda T, x, leaves: T.cat([x, leaves[index]], dim=dim))
    program.leaves.append(_values(draw, shape))
    return Step(f"stack([leaf{index}, x], dim={dim})",
                lambda T, x, leaves: T.stack([leaves[index], x], dim=dim))


@st.composite
def programs(draw) -> Program:
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=ndim, max_size=ndim)))
    program = Program(leaves=[_values(draw, shape)])
    for _ in range(draw(st.integers(3, 8))):
        # The current value, computed with PyTorch, decides which steps fit.
        with torch.no_grad():
            current, _ = _forward(program, torch)
        program.steps.append(_draw_step(draw, program, current))
    with torch.no_grad():
        current, _ = _forward(program, torch)
    if not np.all(np.isfinite(current)) or current.size > MAX_NUMEL or (
            current.size and np.abs(current).max() > MAX_ABS):
        reject()
    if current.ndim == 0:
        program.ending = draw(st.sampled_from(["scalar", "sum", "gradient"]))
    else:
        program.ending = draw(st.sampled_from(["gradient", "gradient", "sum", "mean"]))
    if program.ending == "gradient":
        program.gradient = _values(draw, current.shape)
    return program


def _forward(program: Program, T) -> tuple[np.ndarray, list]:
    leaves = [T.tensor(a, dtype=T.float64, requires_grad=True) for a in program.leaves]
    x = leaves[0]
    for step in program.steps:
        x = step.apply(T, x, leaves)
        if x.numel() > MAX_NUMEL:
            reject()
    return x.detach().numpy(), leaves


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(programs())
def test_random_programs_match_pytorch(program: Program):
    note(program.describe())
    expected, torch_leaves = program.run(torch)
    actual, minigrad_leaves = program.run(minigrad)
    assert actual.dtype == minigrad.float64
    assert tuple(actual.shape) == tuple(expected.shape)
    np.testing.assert_allclose(actual.detach().numpy(), expected.detach().numpy(),
                               rtol=1e-7, atol=1e-12, err_msg="output")
    for i, (mine, theirs) in enumerate(zip(minigrad_leaves, torch_leaves)):
        if theirs.grad is None:
            assert mine.grad is None, f"leaf{i}.grad should be None"
            continue
        assert mine.grad is not None, f"leaf{i}.grad is None, PyTorch has {theirs.grad}"
        assert tuple(mine.grad.shape) == tuple(theirs.grad.shape), f"leaf{i}.grad shape"
        np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(),
                                   rtol=1e-7, atol=1e-12, err_msg=f"leaf{i}.grad")


def test_random_program_comparison_can_fail():
    # The check above must notice a wrong gradient: run one fixed program, then corrupt
    # minigrad's result and compare the same way.
    program = Program(leaves=[np.array([[0.5, -1.0], [2.0, 0.25]])],
                      steps=[Step("x.exp()", lambda T, x, leaves: x.exp()),
                             Step("x.sum(dim=0)", lambda T, x, leaves: x.sum(dim=0))],
                      ending="gradient", gradient=np.array([1.0, -2.0]))
    _, theirs = program.run(torch)
    _, mine = program.run(minigrad)
    np.testing.assert_allclose(mine[0].grad.numpy(), theirs[0].grad.numpy(), rtol=1e-7)
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(mine[0].grad.numpy() * (1 + 1e-6), theirs[0].grad.numpy(),
                                   rtol=1e-7, atol=1e-12)
