"""Tests of ``minigrad.autograd.gradcheck`` and ``gradgradcheck``.

Two halves. First, gradcheck run over every differentiable operation of api.md (float64,
small random shapes, broadcasting included): this is also the per-op test of backward
(and, with ``check_forward_ad=True``, of every forward-mode rule) against central
differences. Second, gradcheck itself: it must catch wrong derivatives, and say which
entry is wrong in a report a learner can read.
"""

from __future__ import annotations

import importlib
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import minigrad
from minigrad._tensor import wrap
from minigrad.autograd import Function
from minigrad.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck


# ---------------------------------------------------------------------------- every op
@dataclass(frozen=True)
class Op:
    """An operation to check: a function of tensors, their shapes, and where to sample them."""

    name: str
    fn: Callable
    shapes: tuple
    low: float = -2.0  # log, sqrt, division ... sample from a positive range instead
    high: float = 2.0


MASK = np.array([[True, False, True], [False, True, True]])


def _inplace_setitem(x, y):
    out = x * 1.0  # a non-leaf copy: in-place on a leaf that requires grad is not allowed
    out[0] = y * 2.0
    return out


def _inplace_arithmetic(x, y):
    out = x * 1.0
    out += y
    out.mul_(2.0)
    out.sub_(y * 0.5)
    return out.div_(3.0)


OPS = [
    # arithmetic, with broadcasting and Python numbers on either side
    Op("add", lambda a, b: a + b, ((2, 3), (3,))),
    Op("add_number", lambda a: 2.5 + a + 1.5, ((2, 3),)),
    Op("sub", lambda a, b: a - b, ((2, 1), (1, 3))),
    Op("rsub_number", lambda a: 1.0 - a, ((3,),)),
    Op("mul", lambda a, b: a * b, ((3,), (2, 3))),
    Op("mul_number", lambda a: 3.0 * a * -0.5, ((2, 2),)),
    Op("div", lambda a, b: a / b, ((2, 3), (2, 1)), low=0.5),
    Op("rdiv_number", lambda a: 2.0 / a, ((3,),), low=0.5),
    Op("neg", lambda a: -a, ((2, 3),)),
    Op("pow_int", lambda a: a**3, ((2, 3),)),
    Op("pow_fraction", lambda a: a**0.5, ((3,),), low=0.5),
    Op("pow_negative", lambda a: a**-1.5, ((3,),), low=0.5),
    Op("pow_tensor", lambda a, b: a**b, ((2, 3), (3,)), low=0.5),
    Op("rpow_number", lambda a: 2.0**a, ((3,),)),
    Op("pow_function", lambda a: minigrad.pow(a, 2), ((3,),)),
    Op("reciprocal", lambda a: a.reciprocal(), ((3,),), low=0.5),
    # matmul in all its forms
    Op("matmul_1d_1d", lambda a, b: a @ b, ((3,), (3,))),
    Op("matmul_2d_1d", lambda a, b: a @ b, ((2, 3), (3,))),
    Op("matmul_1d_2d", lambda a, b: a @ b, ((3,), (3, 2))),
    Op("matmul_2d_2d", lambda a, b: a @ b, ((2, 3), (3, 4))),
    Op("matmul_batched", lambda a, b: a @ b, ((2, 2, 3), (3, 4))),
    Op("matmul_broadcast_batches", lambda a, b: minigrad.matmul(a, b), ((2, 1, 2, 3), (3, 3, 2))),
    Op("mm", lambda a, b: minigrad.mm(a, b), ((2, 3), (3, 2))),
    Op("mv", lambda a, b: minigrad.mv(a, b), ((2, 3), (3,))),
    Op("dot", lambda a, b: minigrad.dot(a, b), ((3,), (3,))),
    # reductions
    Op("sum", lambda a: a.sum(), ((2, 3),)),
    Op("sum_dim", lambda a: a.sum(dim=1), ((2, 3),)),
    Op("sum_dims_keepdim", lambda a: minigrad.sum(a, (0, 2), keepdim=True), ((2, 3, 2),)),
    Op("mean", lambda a: a.mean(), ((2, 3),)),
    Op("mean_dim", lambda a: a.mean(dim=-1, keepdim=True), ((2, 3),)),
    Op("max", lambda a: a.max(), ((2, 3),)),
    Op("max_dim", lambda a: a.max(dim=0).values, ((2, 3),)),
    Op("min", lambda a: minigrad.min(a), ((2, 3),)),
    Op("min_dim_keepdim", lambda a: a.min(dim=1, keepdim=True)[0], ((2, 3),)),
    Op("maximum", lambda a, b: minigrad.maximum(a, b), ((2, 3), (3,))),
    Op("minimum", lambda a, b: minigrad.minimum(a, b), ((2, 3), (2, 1))),
    Op("norm", lambda a: a.norm(), ((2, 3),)),
    Op("norm_dim", lambda a: minigrad.norm(a, dim=1), ((2, 3),)),
    Op("softmax", lambda a: a.softmax(dim=1), ((2, 3),)),
    Op("log_softmax", lambda a: minigrad.log_softmax(a, dim=0), ((2, 3),)),
    # element-wise functions
    Op("exp", lambda a: a.exp(), ((2, 3),)),
    Op("log", lambda a: minigrad.log(a), ((2, 3),), low=0.5),
    Op("sqrt", lambda a: a.sqrt(), ((2, 3),), low=0.5),
    Op("abs", lambda a: a.abs(), ((2, 3),)),
    Op("tanh", lambda a: minigrad.tanh(a), ((2, 3),)),
    Op("sigmoid", lambda a: a.sigmoid(), ((2, 3),)),
    Op("relu", lambda a: minigrad.relu(a), ((2, 3),)),
    Op("clamp", lambda a: a.clamp(-0.5, 1.0), ((2, 3),)),
    Op("clamp_min", lambda a: minigrad.clamp(a, min=0.25), ((2, 3),)),
    Op("where", lambda a, b: minigrad.where(a > 0, a, b), ((2, 3), (3,))),
    Op("sin", lambda a: a.sin(), ((2, 3),)),
    Op("cos", lambda a: minigrad.cos(a), ((2, 3),)),
    # shapes
    Op("reshape", lambda a: a.reshape(3, 2), ((2, 3),)),
    Op("view", lambda a: a.view(-1), ((2, 3),)),
    Op("flatten", lambda a: a.flatten(1), ((2, 3, 2),)),
    Op("transpose", lambda a: a.transpose(0, 2), ((2, 3, 2),)),
    Op("permute", lambda a: a.permute(2, 0, 1), ((2, 3, 2),)),
    Op("T", lambda a: a.T, ((2, 3),)),
    Op("squeeze", lambda a: a.squeeze(), ((2, 1, 3),)),
    Op("squeeze_dim", lambda a: minigrad.squeeze(a, 1), ((2, 1, 3),)),
    Op("unsqueeze", lambda a: a.unsqueeze(1), ((2, 3),)),
    Op("expand", lambda a: a.expand(4, 2, 3), ((2, 1),)),
    Op("clone", lambda a: a.clone(), ((2, 3),)),
    # indexing
    Op("index_int", lambda a: a[1], ((2, 3),)),
    Op("index_negative_int_pair", lambda a: a[-1, 0], ((2, 3),)),
    Op("index_slice", lambda a: a[:, ::2], ((2, 3),)),
    Op("index_list_with_repeats", lambda a: a[[1, 0, 1]], ((2, 3),)),
    Op("index_array", lambda a: a[:, np.array([2, 0])], ((2, 3),)),
    Op("index_bool_mask", lambda a: a[minigrad.tensor(MASK)], ((2, 3),)),
    Op("index_ellipsis_none", lambda a: a[..., None, 1], ((2, 3),)),
    # joining
    Op("cat", lambda a, b: minigrad.cat([a, b], dim=1), ((2, 3), (2, 2))),
    Op("stack", lambda a, b: minigrad.stack([a, b], dim=-1), ((2, 3), (2, 3))),
    # in-place operations on non-leaves
    Op("setitem", _inplace_setitem, ((2, 3), (3,))),
    Op("inplace_arithmetic", _inplace_arithmetic, ((2, 3), (3,))),
    # a composition: one layer of a network and its loss
    Op(
        "linear_layer_loss",
        lambda x, w, b: ((x @ w.T + b).tanh() ** 2).mean(),
        ((4, 3), (2, 3), (2,)),
    ),
]


def random_inputs(op: Op, rng: np.random.Generator) -> tuple:
    return tuple(minigrad.tensor(rng.uniform(op.low, op.high, shape), requires_grad=True) for shape in op.shapes)


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_every_op_passes_gradcheck(op, rng):
    inputs = random_inputs(op, rng)
    assert all(x.dtype == minigrad.float64 for x in inputs)
    assert gradcheck(op.fn, inputs)


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_every_forward_mode_rule_passes_gradcheck(op, rng):
    inputs = random_inputs(op, rng)
    assert gradcheck(op.fn, inputs, check_backward_ad=False, check_forward_ad=True)


BROADCASTING = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1.0),
    "maximum": minigrad.maximum,
    "where": lambda a, b: minigrad.where(a > b, a * 2.0, b),
}


@settings(max_examples=40)
@given(
    name=st.sampled_from(sorted(BROADCASTING)),
    shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
    seed=st.integers(0, 2**16),
)
def test_binary_ops_pass_gradcheck_for_any_broadcast_shapes(name, shapes, seed):
    rng = np.random.default_rng(seed)
    a, b = (minigrad.tensor(rng.uniform(-2.0, 2.0, shape), requires_grad=True) for shape in shapes.input_shapes)
    if name in ("maximum", "where"):
        # Keep away from the kink a = b, where finite differences straddle two branches.
        b = minigrad.tensor(np.where(np.abs(a.data - b.data) < 1e-3, b.data + 0.1, b.data), requires_grad=True)
    assert gradcheck(BROADCASTING[name], (a, b), check_forward_ad=True)


# ---------------------------------------------------------------------------- catching mistakes
class ExpWithOneWrongEntry(Function):
    """exp, whose backward is right except for entry 1, which it triples."""

    @staticmethod
    def forward(ctx, x):
        result = x.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result * wrap(np.array([1.0, 3.0, 1.0]))


X = [0.5, -1.0, 0.25]


def x64(values=X):
    return minigrad.tensor(values, dtype=minigrad.float64, requires_grad=True)


def test_a_wrong_backward_is_caught_and_the_report_names_the_worst_entry():
    with pytest.raises(GradcheckError) as caught:
        gradcheck(ExpWithOneWrongEntry.apply, x64())
    report = str(caught.value)
    lines = report.splitlines()
    assert lines[0] == "Jacobian mismatch for output 0 with respect to input 0,"  # PyTorch's words
    assert lines[1].startswith("worst entry: d output[1] / d input[1] (row 1, column 1")
    assert f"numerical (central differences, eps=1e-06): {np.exp(-1.0):.10g}" in report
    assert f"analytical (backward): {3 * np.exp(-1.0):.10g}" in report
    assert "1 of 9 entries disagree." in report
    # Both Jacobians are printed: diag(exp(x)), and the same with entry 1 tripled.
    numerical = report.split("numerical:\n")[1].split("\nanalytical:")[0]
    assert numerical == np.array2string(np.diag(np.exp(X)), precision=6, suppress_small=True)
    assert "rows are the 3 entries of output 0 (shape (3,))" in report


def test_gradcheck_error_is_a_runtime_error_and_raise_exception_false_returns_false():
    assert issubclass(GradcheckError, RuntimeError)
    assert gradcheck(ExpWithOneWrongEntry.apply, x64(), raise_exception=False) is False
    assert gradcheck(lambda x: x.exp(), x64(), raise_exception=False) is True


def test_large_jacobians_are_summarised_not_printed():
    def three_outputs(v):
        return ExpWithOneWrongEntry.apply(v[:3]) * v.sum()

    with pytest.raises(GradcheckError) as caught:
        gradcheck(three_outputs, x64(np.linspace(-1.0, 2.0, 11)))
    assert "numerical:" in str(caught.value)  # 3 x 11 = 33 entries: printed

    def twelve_outputs(v):
        return ExpWithOneWrongEntry.apply(v[:3]).sum() * v

    with pytest.raises(GradcheckError) as caught:
        gradcheck(twelve_outputs, x64(np.linspace(-1.0, 2.0, 12)))
    report = str(caught.value)
    assert "(the Jacobians have 12 x 12 entries: not printed)" in report
    assert "numerical:" not in report


def test_the_report_names_the_output_and_input_at_fault():
    a, b = x64(), x64([1.0, 2.0, 3.0])

    def f(u, w):
        return u * w, ExpWithOneWrongEntry.apply(w) + u

    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, (a, b))
    assert str(caught.value).startswith("Jacobian mismatch for output 1 with respect to input 1,")
    assert "d output[1] / d input[1]" in str(caught.value)


def test_matrix_shaped_entries_are_named_by_their_indices():
    class WrongMatrixEntry(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2.0

        @staticmethod
        def backward(ctx, grad_output):
            wrong = np.ones((2, 3))
            wrong[1, 2] = 5.0
            return grad_output * 2.0 * wrap(wrong)

    with pytest.raises(GradcheckError, match=r"worst entry: d output\[1, 2\] / d input\[1, 2\]"):
        gradcheck(WrongMatrixEntry.apply, minigrad.ones(2, 3, dtype=minigrad.float64, requires_grad=True))


def test_nan_gradients_are_a_mismatch():
    class NanBackward(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1.0

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * float("nan")

    with pytest.raises(GradcheckError, match="analytical \\(backward\\): nan"):
        gradcheck(NanBackward.apply, x64())


class ExpWithWrongJvp(Function):
    """exp with a correct backward but a forward-mode rule that forgot the chain rule."""

    @staticmethod
    def forward(ctx, x):
        result = x.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result

    @staticmethod
    def jvp(ctx, tangent):
        return ctx.outputs[0] * 1.0  # should be tangent * exp(x)


def test_check_forward_ad_catches_a_wrong_jvp_rule():
    assert gradcheck(ExpWithWrongJvp.apply, x64())  # backward alone is right
    with pytest.raises(GradcheckError) as caught:
        gradcheck(ExpWithWrongJvp.apply, x64(), check_forward_ad=True)
    report = str(caught.value)
    assert report.startswith("Jacobian computed with forward mode mismatch for output 0 with respect to input 0,")
    assert "analytical (forward mode)" in report


# ---------------------------------------------------------------------------- inputs and outputs
def test_float32_inputs_warn_like_pytorch():
    x = minigrad.tensor([0.5, -1.0], requires_grad=True)  # float32, the default
    with pytest.warns(UserWarning, match=re.escape(FLOAT32_WARNING)):
        gradcheck(lambda v: v * 2.0, x, raise_exception=False)


# PyTorch's words (torch 2.13.0).
FLOAT32_WARNING = "Input #0 requires gradient and is not a double precision floating point"


def test_float64_inputs_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(lambda v: v * 2.0, x64())


def test_inputs_that_need_no_grad_and_numbers_are_passed_through():
    x, c = x64(), minigrad.tensor([2.0, -1.0, 0.5], dtype=minigrad.float64)

    def f(x, c, k):
        return x * c**k

    assert gradcheck(f, (x, c, 3))
    assert gradcheck(f, [x, c, 3])  # a list is accepted like a tuple
    assert c.grad is None and not c.requires_grad


def test_at_least_one_input_must_require_grad():
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        gradcheck(lambda v: v * 2.0, minigrad.tensor([1.0], dtype=minigrad.float64))


def test_outputs_that_need_no_grad_are_skipped_or_must_be_constant():
    x = x64()
    assert gradcheck(lambda v: (v.exp(), v.argmax()), x)  # the integer output is skipped
    assert gradcheck(lambda v: minigrad.ones(3, dtype=minigrad.float64), x)  # truly constant
    # An output computed outside autograd depends on x, but claims it does not.
    with pytest.raises(GradcheckError, match="Numerical gradient for function expected to be zero"):
        gradcheck(lambda v: minigrad.tensor(v.detach().numpy() * 2.0), x)


def test_gradcheck_leaves_the_inputs_grad_and_values_alone():
    x = x64()
    gradcheck(lambda v: (v**2).sum(), x)
    assert x.grad is None
    assert x.tolist() == X


def test_gradcheck_is_a_function_of_minigrad_autograd():
    # As torch.autograd.gradcheck: the name is the function, however often it is read.
    for _ in range(2):
        assert callable(minigrad.autograd.gradcheck)
        assert minigrad.autograd.gradcheck(lambda v: v.tanh(), x64()) is True
    assert minigrad.autograd.gradgradcheck(lambda v: v.tanh(), x64()) is True


# ---------------------------------------------------------------------------- second derivatives
@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b: (a * b).tanh(),
        lambda a, b: (a @ b.T).softmax(dim=1),
        lambda a, b: a / (b * b + 1.0) + a.exp() * b.sigmoid(),
        lambda a, b: (a.log_softmax(dim=0) * b).sum() ** 2,
    ],
    ids=["tanh_of_product", "softmax_of_matmul", "quotient_and_exp", "squared_log_softmax"],
)
def test_gradgradcheck_passes_for_smooth_compositions(fn, rng):
    a, b = (minigrad.tensor(rng.uniform(-1, 1, (2, 3)), requires_grad=True) for _ in range(2))
    assert gradgradcheck(fn, (a, b))


class SinWithNumpyBackward(Function):
    """sin, whose backward computes cos in NumPy: right once, but invisible to a second backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x.data)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * wrap(np.cos(x.data))  # a constant to autograd: d/dx cos is lost


def test_gradgradcheck_catches_a_backward_that_is_not_differentiable():
    assert gradcheck(SinWithNumpyBackward.apply, x64())
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0 with respect to input 0"):
        gradgradcheck(SinWithNumpyBackward.apply, x64())


def test_gradgradcheck_with_given_grad_outputs():
    x = x64()
    v = minigrad.tensor([1.0, -2.0, 0.5], dtype=minigrad.float64, requires_grad=True)
    assert gradgradcheck(lambda u: u**3, x, v)


# ---------------------------------------------------------------------------- against PyTorch
def test_pytorch_opens_its_report_with_the_same_words(torch):
    class TorchExpWithOneWrongEntry(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            result = x.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            (result,) = ctx.saved_tensors
            return grad_output * result * torch.tensor([1.0, 3.0, 1.0], dtype=torch.float64)

    x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    # torch.autograd.gradcheck is the function; the module holding the error is in sys.modules.
    torch_error = importlib.import_module("torch.autograd.gradcheck").GradcheckError
    with pytest.raises(torch_error) as theirs:
        torch.autograd.gradcheck(TorchExpWithOneWrongEntry.apply, (x,))
    with pytest.raises(GradcheckError) as ours:
        gradcheck(ExpWithOneWrongEntry.apply, x64())
    assert str(theirs.value).splitlines()[0] == str(ours.value).splitlines()[0]
    assert issubclass(torch_error, RuntimeError)


def test_pytorch_warns_about_float32_with_the_same_words(torch):
    x = torch.tensor([0.5, -1.0], requires_grad=True)
    with pytest.warns(UserWarning, match=re.escape(FLOAT32_WARNING)):
        torch.autograd.gradcheck(lambda v: v * 2.0, (x,), raise_exception=False)
