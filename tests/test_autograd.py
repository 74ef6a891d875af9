"""The autograd engine's behaviour: accumulation, graphs, hooks, grad modes, errors.

Where PyTorch defines the behaviour (node names, error messages, what may be traversed
twice), the expected values were read off torch 2.13.0 and are written here as data;
a few tests re-read them from torch when it is installed.
"""

from __future__ import annotations

import gc
import sys
import warnings
import weakref

import numpy as np
import pytest

import minigrad
from minigrad.autograd import Function
from minigrad.autograd.engine import trace_backward
from minigrad.autograd.function import AccumulateGrad


def leaf(values, dtype=minigrad.float64) -> minigrad.Tensor:
    return minigrad.tensor(values, dtype=dtype, requires_grad=True)


# ---------------------------------------------------------------------- accumulation
def test_gradients_accumulate_across_backward_calls():
    x = leaf([1.0, 2.0, 3.0])
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2, 4, 6])
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [4, 8, 12])
    (3 * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [7, 11, 15])


def test_zeroing_gradients_in_place_or_by_setting_none():
    x = leaf([1.0, 2.0])
    (x * x).sum().backward()
    grad = x.grad
    x.grad.zero_()
    assert x.grad is grad  # zeroed in place, same tensor
    np.testing.assert_array_equal(x.grad.data, [0, 0])
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2, 4])
    x.grad = None
    (x * 5).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [5, 5])


def test_the_first_gradient_is_a_copy_not_shared_between_leaves():
    # a + b sends the same gradient to both; later accumulation into a must not change b's.
    a, b = leaf([1.0]), leaf([2.0])
    (a + b).sum().backward()
    (a * 10).sum().backward()
    assert a.grad.item() == 11 and b.grad.item() == 1


def test_a_node_reached_along_several_paths_gets_the_sum():
    a = leaf([3.0])
    b = a + a
    b.backward()
    assert a.grad.item() == 2
    a.grad = None
    (a * a).backward()
    assert a.grad.item() == 6  # d(a²)/da = 2a
    a.grad = None
    c = a * 2
    (c + c * a + c.exp()).backward()  # 2a + 2a² + exp(2a)
    assert a.grad.item() == pytest.approx(2 + 4 * 3 + 2 * np.exp(6))


# ---------------------------------------------------------------------- retain_graph and freeing
def test_retain_graph_allows_a_second_backward_then_the_graph_is_freed():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()  # the default frees the saved tensors now
    np.testing.assert_array_equal(x.grad.data, [4, 8])
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()
    np.testing.assert_array_equal(x.grad.data, [4, 8])  # the failed call changed nothing


# Graphs whose nodes save tensors (torch 2.13.0 raises on a second backward) ...
SAVES_TENSORS = {
    "x * x": lambda x: (x * x).sum(),
    "x * 2": lambda x: (x * 2).sum(),
    "x / 2": lambda x: (x / 2).sum(),
    "x ** 2": lambda x: (x**2).sum(),
    "x.exp()": lambda x: x.exp().sum(),
}
# ... and graphs that save none, which torch lets you traverse again.
SAVES_NOTHING = {
    "x + 2": lambda x: (x + 2).sum(),
    "x.mean()": lambda x: x.mean(),
    "x[0]": lambda x: x[0],
    "x.reshape(2, 1)": lambda x: x.reshape(2, 1).sum(),
}


@pytest.mark.parametrize("name", list(SAVES_TENSORS))
def test_a_second_backward_through_freed_saved_tensors_raises(name):
    x = leaf([1.0, 2.0])
    y = SAVES_TENSORS[name](x)
    y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


@pytest.mark.parametrize("name", list(SAVES_NOTHING))
def test_a_graph_that_saved_nothing_can_be_traversed_again(name):
    x = leaf([1.0, 2.0])
    y = SAVES_NOTHING[name](x)
    y.backward()
    first = x.grad.data.copy()
    y.backward()
    np.testing.assert_array_equal(x.grad.data, 2 * first)


def test_second_backward_table_matches_torch(torch):
    for table, raises in ((SAVES_TENSORS, True), (SAVES_NOTHING, False)):
        for name, build in table.items():
            x = torch.tensor([1.0, 2.0], requires_grad=True)
            y = build(x)
            y.backward()
            try:
                y.backward()
                raised = False
            except RuntimeError:
                raised = True
            assert raised is raises, name


def _graph_saving_an_intermediate(x):
    """A graph in which only MulBackward0 keeps ``hidden`` alive (it saved it for backward)."""
    hidden = x * 3
    reference = weakref.ref(hidden)
    return (hidden * hidden).sum(), reference


def test_saved_tensors_are_freed_by_backward():
    x = leaf([1.0, 2.0])
    out, hidden = _graph_saving_an_intermediate(x)
    gc.collect()
    assert hidden() is not None  # the graph keeps the saved intermediate alive
    mul_node = out.grad_fn.next_functions[0][0]
    assert mul_node.name() == "MulBackward0"
    assert mul_node.has_saved_tensors and not mul_node.saved_tensors_released
    out.backward()
    gc.collect()
    assert hidden() is None  # freed: nothing but the graph held it
    assert mul_node.saved_tensors_released
    np.testing.assert_allclose(x.grad.data, 18 * x.data)  # d(9x²)/dx


def test_saved_tensors_survive_backward_with_retain_graph():
    x = leaf([1.0, 2.0])
    out, hidden = _graph_saving_an_intermediate(x)
    out.backward(retain_graph=True)
    gc.collect()
    assert hidden() is not None
    assert not out.grad_fn.next_functions[0][0].saved_tensors_released
    out.backward()
    gc.collect()
    assert hidden() is None
    np.testing.assert_allclose(x.grad.data, 36 * x.data)


def test_a_graph_is_collected_once_its_output_is_gone():
    x = leaf([1.0, 2.0])
    out, hidden = _graph_saving_an_intermediate(x)
    del out
    gc.collect()
    assert hidden() is None


# ---------------------------------------------------------------------- deep graphs
@pytest.mark.slow
def test_a_chain_of_100000_ops_differentiates_without_recursion():
    limit = sys.getrecursionlimit()
    x = minigrad.tensor(0.5, dtype=minigrad.float64, requires_grad=True)
    y = x
    factor = 1.00001
    for _ in range(100_000):
        y = y * factor
    y.backward()
    np.testing.assert_allclose(x.grad.item(), factor**100_000, rtol=1e-9)
    assert sys.getrecursionlimit() == limit  # no cheating by raising the limit
    del y  # tearing the long graph down must not recurse either
    gc.collect()


# ---------------------------------------------------------------------- the graph's structure
# expression → the grad_fn name torch 2.13.0 gives it (re-checked against torch below).
NODE_NAMES = {
    "x + y": "AddBackward0",
    "x - y": "SubBackward0",
    "x * y": "MulBackward0",
    "x / y": "DivBackward0",
    "-x": "NegBackward0",
    "x ** 2": "PowBackward0",
    "x ** y": "PowBackward1",
    "2 ** x": "PowBackward2",
    "1 - x": "RsubBackward1",
    "x + 1": "AddBackward0",
    "x * 2": "MulBackward0",
    "2 / x": "MulBackward0",
    "x.exp()": "ExpBackward0",
    "x.log()": "LogBackward0",
    "x.sqrt()": "SqrtBackward0",
    "x.abs()": "AbsBackward0",
    "x.tanh()": "TanhBackward0",
    "x.sigmoid()": "SigmoidBackward0",
    "x.relu()": "ReluBackward0",
    "x.clamp(0, 1)": "ClampBackward1",
    "x.clamp(min=0)": "ClampBackward1",
    "where(x > 0.5, x, y)": "WhereBackward0",
    "x.sum()": "SumBackward0",
    "x.sum(dim=0)": "SumBackward1",
    "x.mean()": "MeanBackward0",
    "x.mean(dim=1)": "MeanBackward1",
    "x.max()": "MaxBackward1",
    "x.max(dim=0)[0]": "MaxBackward0",
    "x.min()": "MinBackward1",
    "x.min(dim=1)[0]": "MinBackward0",
    "x @ m": "MmBackward0",
    "v @ v": "DotBackward0",
    "x @ v": "MvBackward0",
    "x.reshape(3, 2)": "ViewBackward0",
    "x.view(6)": "ViewBackward0",
    "x.flatten()": "ViewBackward0",
    "x.permute(1, 0)": "PermuteBackward0",
    "x.transpose(0, 1)": "TransposeBackward0",
    "x.T": "PermuteBackward0",
    "x.t()": "TBackward0",
    "x[0]": "SelectBackward0",
    "x[:, 1:]": "SliceBackward0",
    "x[[0, 1]]": "IndexBackward0",
    "x[x > 0.5]": "IndexBackward0",
    "cat([x, y])": "CatBackward0",
    "stack([x, y])": "StackBackward0",
    "x.unsqueeze(0)": "UnsqueezeBackward0",
    "x.unsqueeze(0).squeeze()": "SqueezeBackward0",
    "x.unsqueeze(0).squeeze(0)": "SqueezeBackward1",
    "v.expand(2, 3)": "ExpandBackward0",
    "x.softmax(1)": "SoftmaxBackward0",
    "x.log_softmax(1)": "LogSoftmaxBackward0",
    "x.clone()": "CloneBackward0",
    "x.double()": "ToCopyBackward0",
}


def _name_space(module):
    rand = module.rand
    return {
        "x": rand(2, 3, requires_grad=True),
        "y": rand(2, 3, requires_grad=True),
        "v": rand(3, requires_grad=True),
        "m": rand(3, 2, requires_grad=True),
        "where": module.where,
        "cat": module.cat,
        "stack": module.stack,
    }


@pytest.mark.parametrize("expression", list(NODE_NAMES))
def test_grad_fn_names_are_pytorchs(expression):
    result = eval(expression, _name_space(minigrad))  # noqa: S307 - our own table
    assert type(result.grad_fn).__name__ == NODE_NAMES[expression]
    assert result.grad_fn.name() == NODE_NAMES[expression]


def test_grad_fn_names_match_torch(torch):
    for expression, name in NODE_NAMES.items():
        assert eval(expression, _name_space(torch)).grad_fn.name() == name, expression  # noqa: S307


def test_next_functions_lead_to_one_shared_accumulate_grad_per_leaf():
    a = leaf([1.0, 2.0])
    b = leaf([3.0, 4.0])
    constant = minigrad.tensor([5.0, 6.0], dtype=minigrad.float64)
    product = a * b
    out = product + a * constant
    assert out.grad_fn.name() == "AddBackward0"
    (left, left_nr), (right, right_nr) = out.grad_fn.next_functions
    assert left is product.grad_fn and (left_nr, right_nr) == (0, 0)
    accumulate_a, accumulate_b = (node for node, _ in product.grad_fn.next_functions)
    assert isinstance(accumulate_a, AccumulateGrad) and accumulate_a.name() == "AccumulateGrad"
    assert accumulate_a.variable is a and accumulate_b.variable is b
    assert accumulate_a.next_functions == ()
    # The same leaf appears through one shared node, wherever it is used.
    assert right.next_functions[0][0] is accumulate_a
    # A constant input is (None, 0).
    assert right.next_functions[1] == (None, 0)
    # Creation order: later nodes have larger sequence numbers.
    assert out.grad_fn.sequence_nr > right.sequence_nr > product.grad_fn.sequence_nr


def test_leaves_and_is_leaf():
    x = leaf([1.0])
    constant = minigrad.tensor([2.0])
    assert x.is_leaf and constant.is_leaf and x.grad_fn is None
    y = x * 2
    assert not y.is_leaf and y.requires_grad
    # Results that need no grad are leaves too (as in PyTorch).
    z = constant * 2
    assert z.is_leaf and not z.requires_grad and z.grad_fn is None
    with minigrad.no_grad():
        w = x * 2
    assert w.is_leaf and not w.requires_grad
    assert x.detach().is_leaf


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = leaf([1.0, 2.0])
    y = x * 3
    y.retain_grad()
    assert y.retains_grad and not x.retains_grad
    z = y * y
    z.sum().backward()
    np.testing.assert_array_equal(y.grad.data, 2 * y.data)
    np.testing.assert_array_equal(x.grad.data, 6 * y.data)
    x.retain_grad()  # a no-op on a leaf
    assert x.grad is not None


def test_reading_grad_of_a_non_leaf_warns_and_returns_none():
    x = leaf([1.0])
    y = x * 2
    y.backward()
    with pytest.warns(UserWarning, match=r"\.retain_grad\(\)"):
        assert y.grad is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning for leaves, nor after retain_grad
        assert x.grad is not None
        z = x * 2
        z.retain_grad()
        assert z.grad is None


# ---------------------------------------------------------------------- hooks
def test_a_hook_on_a_leaf_sees_and_can_replace_the_gradient():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda grad: seen.append(grad.data.copy()))  # returns None: unchanged
    x.register_hook(lambda grad: grad * 10)
    (x * 3).sum().backward()
    np.testing.assert_array_equal(seen[0], [3, 3])
    np.testing.assert_array_equal(x.grad.data, [30, 30])


def test_a_hook_on_a_non_leaf_changes_what_flows_further():
    x = leaf([1.0, 2.0])
    y = x * 3
    seen = []
    y.register_hook(lambda grad: seen.append(grad.data.copy()) or grad * 0 + 1)
    (y * y).sum().backward()
    np.testing.assert_array_equal(seen[0], 2 * y.data)
    np.testing.assert_array_equal(x.grad.data, [3, 3])  # 1 · dy/dx


def test_removing_a_hook():
    x = leaf([1.0])
    calls = []
    handle = x.register_hook(lambda grad: calls.append(1))
    (x * 2).backward()
    handle.remove()
    (x * 2).backward()
    assert calls == [1]
    handle.remove()  # removing twice is harmless


def test_a_hook_that_changes_the_size_raises():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda grad: minigrad.ones(3, dtype=minigrad.float64))
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        (x * 2).sum().backward()


def test_a_hook_needs_a_tensor_that_requires_grad():
    with pytest.raises(
        RuntimeError, match="cannot register a hook on a tensor that doesn't require"
    ):
        minigrad.ones(2).register_hook(lambda grad: grad)


# ---------------------------------------------------------------------- grad modes
def test_no_grad_as_a_context_manager_and_decorator():
    x = leaf([1.0])
    with minigrad.no_grad():
        assert not minigrad.is_grad_enabled()
        y = x * 2
    assert minigrad.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None

    @minigrad.no_grad()
    def double(t):
        assert not minigrad.is_grad_enabled()
        return t * 2

    assert not double(x).requires_grad
    assert minigrad.is_grad_enabled()


def test_enable_grad_inside_no_grad_and_nesting():
    x = leaf([1.0])
    with minigrad.no_grad():
        with minigrad.enable_grad():
            assert minigrad.is_grad_enabled()
            y = x * 2
            with minigrad.no_grad():
                assert not minigrad.is_grad_enabled()
            assert minigrad.is_grad_enabled()
        assert not minigrad.is_grad_enabled()

        @minigrad.enable_grad()
        def record(t):
            return t * 3

        z = record(x)
    assert y.requires_grad and z.requires_grad and z.grad_fn.name() == "MulBackward0"
    assert minigrad.is_grad_enabled()


def test_set_grad_enabled_forms():
    x = leaf([1.0])
    with minigrad.set_grad_enabled(False):
        assert not (x * 2).requires_grad
        with minigrad.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not minigrad.is_grad_enabled()
    assert minigrad.is_grad_enabled()
    # As a plain call it switches at once, as in PyTorch.
    minigrad.set_grad_enabled(False)
    try:
        assert not minigrad.is_grad_enabled()
    finally:
        minigrad.set_grad_enabled(True)
    assert minigrad.is_grad_enabled()

    @minigrad.set_grad_enabled(False)
    def evaluate(t):
        return t * 2

    assert minigrad.is_grad_enabled()  # decorating does not switch the mode
    assert not evaluate(x).requires_grad
    assert minigrad.is_grad_enabled()


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ValueError):
        with minigrad.no_grad():
            raise ValueError("boom")
    assert minigrad.is_grad_enabled()

    @minigrad.no_grad()
    def fails():
        raise ValueError("boom")

    with pytest.raises(ValueError):
        fails()
    assert minigrad.is_grad_enabled()


def test_autograd_namespace_exports_the_grad_modes():
    assert minigrad.autograd.no_grad is minigrad.no_grad
    assert minigrad.autograd.enable_grad is minigrad.enable_grad
    assert minigrad.autograd.set_grad_enabled is minigrad.set_grad_enabled


# ---------------------------------------------------------------------- detach and requires_grad_
def test_detach_shares_memory_and_version_counter():
    x = leaf([1.0, 2.0])
    y = x * 2
    d = y.detach()
    assert d.grad_fn is None and not d.requires_grad and d.is_leaf
    version = y._version
    d.add_(1)  # allowed: d needs no grad
    np.testing.assert_array_equal(y.data, [3, 5])  # same memory
    assert y._version == version + 1 and d._version == y._version
    # The shared counter is what lets autograd notice: y was saved by nothing here, but
    # y * y saves y, so a change through the detached alias is caught.
    z = y * y
    d.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_requires_grad_errors():
    with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex dtype"):
        minigrad.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex dtype"):
        minigrad.tensor([True], requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        minigrad.tensor([1, 2]).requires_grad_()
    y = leaf([1.0]) * 2
    with pytest.raises(
        RuntimeError, match="you can only change requires_grad flags of leaf variables"
    ):
        y.requires_grad_(False)
    assert y.requires_grad_(True) is y  # asking a non-leaf to require grad is fine
    x = minigrad.tensor([1.0])
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad = False
    assert not x.requires_grad


# ---------------------------------------------------------------------- autograd.grad
def test_grad_returns_a_tuple_and_leaves_dot_grad_alone():
    x = leaf([1.0, 2.0])
    w = leaf([3.0, 4.0])
    w.grad = minigrad.tensor([100.0, 100.0], dtype=minigrad.float64)
    out = (x * w).sum()
    grads = minigrad.autograd.grad(out, [x, w])
    assert isinstance(grads, tuple) and len(grads) == 2
    np.testing.assert_array_equal(grads[0].data, [3, 4])
    np.testing.assert_array_equal(grads[1].data, [1, 2])
    assert x.grad is None
    np.testing.assert_array_equal(w.grad.data, [100, 100])
    # A single tensor as input also gives a tuple.
    (gx,) = minigrad.autograd.grad((x * x).sum(), x)
    np.testing.assert_array_equal(gx.data, [2, 4])


def test_grad_with_respect_to_a_non_leaf():
    x = leaf([1.0, 2.0])
    h = x * 3
    (gh,) = minigrad.autograd.grad((h * h).sum(), h)
    np.testing.assert_array_equal(gh.data, 2 * h.data)
    assert x.grad is None


def test_grad_allow_unused():
    x = leaf([1.0])
    unused = leaf([2.0])
    with pytest.raises(
        RuntimeError, match="appears to not have been used in the graph. Set allow_unused=True"
    ):
        minigrad.autograd.grad((x * 2).sum(), [x, unused])
    gx, gu = minigrad.autograd.grad((x * 2).sum(), [x, unused], allow_unused=True)
    assert gx.item() == 2 and gu is None


def test_grad_with_several_outputs_and_grad_outputs():
    x = leaf([1.0, 2.0])
    y1 = x * x
    y2 = x * 3
    v1 = minigrad.tensor([1.0, -1.0], dtype=minigrad.float64)
    v2 = minigrad.tensor([0.5, 2.0], dtype=minigrad.float64)
    (g,) = minigrad.autograd.grad([y1, y2], x, grad_outputs=[v1, v2])
    np.testing.assert_array_equal(g.data, v1.data * 2 * x.data + v2.data * 3)
    (g,) = minigrad.autograd.grad(x * 3, x, grad_outputs=v2)
    np.testing.assert_array_equal(g.data, [1.5, 6])


def test_second_and_third_derivatives_with_create_graph():
    x = leaf(2.0)
    y = x**3
    (dy,) = minigrad.autograd.grad(y, x, create_graph=True)
    assert dy.item() == 12 and dy.requires_grad  # 3x²
    (d2y,) = minigrad.autograd.grad(dy, x, create_graph=True)
    assert d2y.item() == 12  # 6x
    (d3y,) = minigrad.autograd.grad(d2y, x)
    assert d3y.item() == 6
    assert x.grad is None


def test_create_graph_with_backward_makes_grad_differentiable():
    x = leaf(2.0)
    (x**3).backward(create_graph=True)
    assert x.grad.item() == 12 and x.grad.requires_grad
    first = x.grad
    x.grad = None
    first.backward()
    assert x.grad.item() == 12  # 6x


def test_hessian_vector_product_with_create_graph():
    x = leaf([1.0, 2.0])
    f = (x[0] ** 2) * x[1] + x[1] ** 3  # H = [[2x1, 2x0], [2x0, 6x1]]
    (g,) = minigrad.autograd.grad(f, x, create_graph=True)
    v = minigrad.tensor([1.0, -1.0], dtype=minigrad.float64)
    (hv,) = minigrad.autograd.grad((g * v).sum(), x)
    hessian = np.array([[4.0, 2.0], [2.0, 12.0]])
    np.testing.assert_allclose(hv.data, hessian @ v.data)


# ---------------------------------------------------------------------- backward variants
def test_backward_with_inputs_fills_only_those():
    a, b, c = leaf([1.0]), leaf([2.0]), leaf([3.0])
    out = a * b * c
    out.backward(inputs=[a, c])
    assert a.grad.item() == 6 and c.grad.item() == 2 and b.grad is None
    out2 = a * b
    out2.backward(inputs=b)
    assert b.grad.item() == 1 and a.grad.item() == 6


def test_backward_with_a_gradient_is_a_vector_jacobian_product():
    x = leaf([1.0, 2.0, 3.0])
    y = x * x
    y.backward(minigrad.tensor([1.0, 0.0, -2.0], dtype=minigrad.float64))
    np.testing.assert_array_equal(x.grad.data, [2, 0, -12])


def test_autograd_backward_with_several_tensors():
    x = leaf([1.0, 2.0])
    y1 = (x * x).sum()
    y2 = x * 5
    minigrad.autograd.backward([y1, y2], [None, minigrad.ones(2, dtype=minigrad.float64)])
    np.testing.assert_array_equal(x.grad.data, 2 * x.data + 5)
    x.grad = None
    minigrad.autograd.backward((x * 4).sum())
    np.testing.assert_array_equal(x.grad.data, [4, 4])


# ---------------------------------------------------------------------- custom Functions
class MyFn(Function):
    """a * b with a hand-written backward that only differentiates with respect to a."""

    seen_needs_input_grad = None

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad_output):
        MyFn.seen_needs_input_grad = ctx.needs_input_grad
        a, b = ctx.saved_tensors
        grad_a = grad_output * b if ctx.needs_input_grad[0] else None
        grad_b = grad_output * a if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


def test_a_custom_function():
    a = leaf([1.0, 2.0])
    b = minigrad.tensor([3.0, 4.0], dtype=minigrad.float64)
    out = MyFn.apply(a, b)
    assert type(out.grad_fn).__name__ == "MyFnBackward" and out.grad_fn.name() == "MyFnBackward"
    assert out.requires_grad and not out.is_leaf
    np.testing.assert_array_equal(out.data, [3, 8])
    assert out.grad_fn.next_functions[1] == (None, 0)
    out.sum().backward()
    assert MyFn.seen_needs_input_grad == (True, False)
    np.testing.assert_array_equal(a.grad.data, [3, 4])
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        out.sum().backward()


def test_a_custom_function_is_not_recorded_under_no_grad():
    a = leaf([1.0])
    with minigrad.no_grad():
        out = MyFn.apply(a, a)
    assert out.grad_fn is None and not out.requires_grad


class SortWithIndices(Function):
    """Sorted values (differentiable) and the permutation (not differentiable)."""

    @staticmethod
    def forward(ctx, x):
        order = np.argsort(x.data)
        ctx.order = order
        indices = minigrad.tensor(order)
        ctx.mark_non_differentiable(indices)
        return minigrad.tensor(x.data[order], dtype=x.dtype), indices

    @staticmethod
    def backward(ctx, grad_values, grad_indices):
        grad = np.zeros_like(grad_values.data)
        grad[ctx.order] = grad_values.data
        return minigrad.tensor(grad, dtype=grad_values.dtype)


def test_mark_non_differentiable_and_several_outputs():
    x = leaf([3.0, 1.0, 2.0])
    values, indices = SortWithIndices.apply(x)
    assert values.requires_grad and values.grad_fn.name() == "SortWithIndicesBackward"
    assert not indices.requires_grad and indices.grad_fn is None
    np.testing.assert_array_equal(indices.data, [1, 2, 0])
    (values * minigrad.tensor([1.0, 10.0, 100.0], dtype=minigrad.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [100, 1, 10])


def test_custom_function_names_match_torch(torch):
    class MyFn(torch.autograd.Function):  # noqa: N801 - the same name as ours
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    assert MyFn.apply(torch.ones(1, requires_grad=True)).grad_fn.name() == "MyFnBackward"


# ---------------------------------------------------------------------- trace_backward
def _example_graph():
    a = leaf([1.0, 2.0])
    b = leaf([3.0, -1.0])
    h = a * b
    out = (h.exp() + h * a).sum()
    return a, b, out


def test_trace_backward_runs_nodes_in_a_valid_order_without_writing_grad():
    a, b, out = _example_graph()
    steps = trace_backward(out)
    assert a.grad is None and b.grad is None
    order = [step.node for step in steps]
    position = {node: i for i, node in enumerate(order)}
    assert len(position) == len(order)  # each node runs once
    assert order[0] is out.grad_fn
    # Topological: every node runs after every node that sends it a gradient.
    for node in order:
        for next_node, _ in node.next_functions:
            if next_node is not None:
                assert position[next_node] > position[node], (node.name(), next_node.name())
    names = sorted(node.name() for node in order)
    assert names == sorted(
        ["SumBackward0", "AddBackward0", "ExpBackward0", "MulBackward0", "MulBackward0"]
        + ["AccumulateGrad", "AccumulateGrad"]
    )
    for step in steps:
        assert len(step.grad_outputs) == step.node.num_outputs
        assert len(step.grad_inputs) == len(step.node.next_functions)


def test_trace_backward_gradients_equal_backwards():
    a, b, out = _example_graph()
    steps = trace_backward(out)
    arrived = {
        step.node.variable: step.grad_outputs[0]
        for step in steps
        if isinstance(step.node, AccumulateGrad)
    }
    # The graph was retained: the real backward can still run, and agrees.
    out.backward()
    np.testing.assert_allclose(arrived[a].data, a.grad.data)
    np.testing.assert_allclose(arrived[b].data, b.grad.data)
    # What a node sent along an edge is what the next node received (summed over edges).
    received = {}
    for step in steps:
        for (next_node, _), grad in zip(step.node.next_functions, step.grad_inputs):
            if next_node is not None and grad is not None:
                received[next_node] = received.get(next_node, 0) + grad.data
    for step in steps[1:]:
        np.testing.assert_allclose(step.grad_outputs[0].data, received[step.node])


def test_trace_backward_with_a_gradient_for_a_non_scalar_root():
    x = leaf([1.0, 2.0])
    y = x * x
    steps = trace_backward(y, minigrad.tensor([1.0, 3.0], dtype=minigrad.float64))
    assert steps[-1].node.variable is x
    np.testing.assert_array_equal(steps[-1].grad_outputs[0].data, [2, 12])
    assert x.grad is None


# ---------------------------------------------------------------------- the error table of api.md
def test_backward_on_a_non_scalar_needs_a_gradient():
    y = leaf([1.0, 2.0]) * 2
    with pytest.raises(
        RuntimeError, match="grad can be implicitly created only for scalar outputs"
    ):
        y.backward()


def test_backward_with_a_gradient_of_the_wrong_shape():
    y = leaf([1.0, 2.0]) * 2
    with pytest.raises(
        RuntimeError,
        match=r"Mismatch in shape: grad_output\[0\] has a shape of .*3.* and "
        r"output\[0\] has a shape of .*2",
    ):
        y.backward(minigrad.ones(3, dtype=minigrad.float64))


def test_backward_on_a_tensor_that_needs_no_grad():
    for tensor in (minigrad.ones(1), minigrad.ones(2).sum()):
        with pytest.raises(
            RuntimeError,
            match="element 0 of tensors does not require grad and does not have a grad_fn",
        ):
            tensor.backward()
    with minigrad.no_grad():
        y = (leaf([1.0]) * 2).sum()
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        y.backward()


def test_retain_grad_on_a_tensor_that_needs_no_grad():
    with pytest.raises(
        RuntimeError, match="can't retain_grad on Tensor that has requires_grad=False"
    ):
        minigrad.ones(2).retain_grad()


def test_numpy_on_a_tensor_that_requires_grad():
    with pytest.raises(
        RuntimeError,
        match=r"Can't call numpy\(\) on Tensor that requires grad. "
        r"Use tensor.detach\(\).numpy\(\) instead.",
    ):
        leaf([1.0]).numpy()


def test_an_in_place_change_of_a_leaf_that_requires_grad():
    with pytest.raises(
        RuntimeError,
        match="a leaf Variable that requires grad is being used in an in-place operation.",
    ):
        leaf([1.0]).add_(1)


def test_backward_with_empty_inputs():
    with pytest.raises(RuntimeError, match="argument to .?backward\\(\\).? cannot be empty"):
        (leaf([1.0]) * 2).sum().backward(inputs=[])


def test_a_graph_dropped_without_backward_is_freed_at_once_even_when_ops_save_their_outputs():
    # exp, tanh and relu save their own result; keeping the result tensor itself in the
    # node would make a reference cycle that only Python's cycle collector can free.
    x = minigrad.randn(50, requires_grad=True)
    gc.collect()
    gc.disable()
    try:
        hidden = x.exp().tanh().relu()
        alive = weakref.ref(hidden)
        node = weakref.ref(hidden.grad_fn)
        del hidden
        assert alive() is None and node() is None
    finally:
        gc.enable()


def test_a_saved_output_unpacks_as_the_output_of_its_node():
    x = minigrad.tensor([0.5, -1.0], requires_grad=True)
    y = x.tanh()
    (saved,) = y.grad_fn.saved_tensors
    assert saved.grad_fn is y.grad_fn and saved.requires_grad
    np.testing.assert_array_equal(saved.data, y.data)
    y.mul_(2)  # the saved value is now stale: backward must refuse it
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


@pytest.mark.parametrize("reduce", [lambda x: x.max(), lambda x: x.min(), lambda x: x.max(dim=0).values.sum()])
def test_max_and_min_save_their_input_so_a_second_backward_raises_as_in_pytorch(reduce):
    # PyTorch's MaxBackward0/1 keep the input (and the indices) for backward, so after a
    # backward without retain_graph a second one through them fails (torch 2.13.0).
    x = minigrad.tensor([1.0, 3.0, 3.0], requires_grad=True)
    loss = reduce(x)
    loss.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        loss.backward()


@pytest.mark.parametrize(
    "program",
    [
        lambda a, b: (a + b).sum(),  # one gradient tensor passed to both leaves
        lambda a, b: (a * 1 + b * 1).pow(2).sum(),
        lambda a, b: (a.expand(2, 3) + b).sum(),  # a read-only broadcast view
        lambda a, b: (a.reshape(3, 1).t() @ b.reshape(3, 1)).sum(),  # transposed views
    ],
)
def test_each_leaf_owns_its_grad_even_when_the_engine_takes_gradients_without_copying(program):
    # .grad may take a gradient as it is when nothing else holds it (no copy); a gradient
    # that reached two leaves, or a view of shared memory, must still be copied.
    a = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = minigrad.tensor([4.0, 5.0, 6.0], requires_grad=True)
    held = []
    b.register_hook(lambda grad: held.append(grad))
    program(a, b).backward()
    b_before, held_before = b.grad.tolist(), held[0].tolist()
    a.grad.zero_()
    a.grad.add_(100.0)
    assert b.grad.tolist() == b_before and held[0].tolist() == held_before
    b.grad.zero_()
    assert held[0].tolist() == held_before  # the hook's copy is not b.grad either


def test_a_graph_keeps_few_objects_for_the_garbage_collector():
    # Every object a node keeps that the cycle collector tracks is walked again at each full
    # collection while a long graph is built: a chain step must leave the node and the tuple
    # of its next nodes, little more (Python 3.10, without inline attribute values, adds
    # each node's __dict__). An earlier engine left about nine per step of two operations.
    x = minigrad.tensor(1.0, requires_grad=True)
    y = x * 1.0001 + 0.0001
    gc.collect()
    before = len(gc.get_objects())
    for _ in range(500):
        y = y * 1.0001 + 0.0001
    gc.collect()
    per_operation = (len(gc.get_objects()) - before) / 1000
    assert per_operation <= (2.05 if sys.version_info >= (3, 11) else 3.05)
    y.backward()
    assert x.grad.item() == pytest.approx(1.0001**501, rel=1e-4)


def test_python_floats_are_wrapped_once_and_never_change():
    x = minigrad.tensor([1.0, -2.0], requires_grad=True)
    first, second = x * 2.0, x * 2.0
    assert first.grad_fn is not second.grad_fn  # one node per operation, whatever is shared
    first.data += 100.0  # a result is the caller's own array: the constant is not touched
    assert (x * 2.0).tolist() == [2.0, -4.0]
    (first.sum() + second.sum()).backward()
    assert x.grad.tolist() == [4.0, 4.0]
    # 0.0 and -0.0 are equal as keys, not as numbers; NaN is never equal to itself.
    one = minigrad.tensor(1.0)
    assert np.copysign(1.0, (one * -0.0).item()) == -1.0
    assert np.copysign(1.0, (one * 0.0).item()) == 1.0
    assert np.copysign(1.0, (one * -0.0).item()) == -1.0
    assert np.isnan((one * float("nan")).item()) and np.isnan((one + float("nan")).item())


def test_next_functions_are_pairs_built_from_the_recorded_edges():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3.0
    z = y + x
    assert z.grad_fn.next_functions[0] == (y.grad_fn, 0)
    (node, number), (constant, constant_number) = y.grad_fn.next_functions
    assert type(node) is AccumulateGrad and node.variable is x and number == 0
    assert (constant, constant_number) == (None, 0)  # the wrapped 3.0, as in PyTorch
    assert z.grad_fn.next_functions[1][0] is node  # one AccumulateGrad per leaf, shared


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_array_shortcuts_of_backward_agree_with_the_recorded_formulas(dtype):
    # In an ordinary backward pass the hottest formulas (matmul, mul, relu's mask, the sums
    # over broadcast dimensions, log_softmax, nll_loss) compute on the arrays; with create_graph=True the same
    # formulas run as recorded tensor operations. Both must give the same gradients.
    rng = np.random.default_rng(3)

    def leaf(*shape):
        return minigrad.tensor(rng.normal(size=shape).astype(dtype), requires_grad=True)

    x, w, b = leaf(5, 4), leaf(4, 3), leaf(3)
    batch, weights = leaf(2, 5, 4), leaf(4, 3)  # a batched product whose weights are broadcast
    s, column = leaf(3), leaf(5, 1)
    labels = minigrad.tensor([0, 2, 1, 2, 0])

    def loss():
        h = (x @ w + b).relu() * s * 2.0  # broadcast bias and scale, a wrapped number
        g = ((batch @ weights) * column).tanh()  # batch dims summed back, a stretched column
        ce = minigrad.nn.functional.cross_entropy(h, labels)  # log_softmax, then nll_loss
        return (h * h).sum() + (g * 3.0).sum() + (h.sum(dim=0) * b).sum() + ce

    leaves = [x, w, b, batch, weights, s, column]
    loss().backward()
    shortcut = [t.grad.numpy().copy() for t in leaves]
    recorded = minigrad.autograd.grad(loss(), leaves, create_graph=True)
    for name, fast, slow in zip("x w b batch weights s column".split(), shortcut, recorded):
        assert slow.grad_fn is not None, name  # (the recorded formulas really ran)
        slow = slow.detach().numpy()
        assert fast.dtype == slow.dtype, name
        np.testing.assert_allclose(fast, slow, rtol=1e-6, atol=1e-6, err_msg=name)


def _functions_with_array_formulas() -> dict:
    """Every operation that gives its backward on arrays (device 6 of minigrad/_speed.py)."""
    import minigrad.nn.functional  # noqa: F401  (nll_loss's Function)

    found, stack = {}, [minigrad.autograd.Function]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__dict__.get("backward_on_arrays") is not None:
            found[cls._backward_cls.__name__] = cls
    return found


# One small program per operation with a backward on arrays, named by its node.
_ARRAY_FORMULA_PROGRAMS = {
    "MulBackward0": lambda x, y: x * y * 2.0,
    "SubBackward0": lambda x, y: x * y - y * y,
    "RsubBackward1": lambda x, y: 1.5 - x * y,
    "DivBackward0": lambda x, y: x / (y * y + 1.0),
    "NegBackward0": lambda x, y: -(x * y),
    "PowBackward0": lambda x, y: (x * y) ** 3 + x**0,
    "ExpBackward0": lambda x, y: (x * y).exp(),
    "LogBackward0": lambda x, y: (x * y + 1.0).log(),
    "TanhBackward0": lambda x, y: (x * y).tanh(),
    "SigmoidBackward0": lambda x, y: (x * y).sigmoid(),
    "ReluBackward0": lambda x, y: (x * y).relu(),
    "MmBackward0": lambda x, y: x @ y.T,
    "ViewBackward0": lambda x, y: (x * y).reshape(-1),
    "TransposeBackward0": lambda x, y: (x * y).transpose(0, 1),
    "TBackward0": lambda x, y: (x * y).t(),
    "PermuteBackward0": lambda x, y: (x * y).permute(1, 0),
    "SumBackward0": lambda x, y: (x * y).sum(),
    "SumBackward1": lambda x, y: (x * y).sum(dim=1),
    "MeanBackward0": lambda x, y: (x * y).mean(),
    "MeanBackward1": lambda x, y: (x * y).mean(dim=0, keepdim=True),
    "LogSoftmaxBackward0": lambda x, y: (x * y).log_softmax(dim=1),
    "NllLossBackward0": lambda x, y: minigrad.nn.functional.nll_loss(x * y, minigrad.tensor([1, 0, 2])),
}


def test_every_backward_on_arrays_has_a_program_here():
    assert set(_functions_with_array_formulas()) <= set(_ARRAY_FORMULA_PROGRAMS)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(_ARRAY_FORMULA_PROGRAMS))
def test_each_backward_on_arrays_gives_the_gradients_of_its_tensor_formula(name, dtype):
    # The arrays run in an ordinary backward pass; with create_graph=True the tensor formula
    # is recorded instead. Same gradients, same dtype, whatever the operation.
    rng = np.random.default_rng(7)
    x = minigrad.tensor(rng.uniform(0.5, 1.5, size=(3, 3)).astype(dtype), requires_grad=True)
    y = minigrad.tensor(rng.uniform(0.5, 1.5, size=(3, 3)).astype(dtype), requires_grad=True)
    program = _ARRAY_FORMULA_PROGRAMS[name]
    out = program(x, y)
    nodes = {n.name() for n in _walk(out.grad_fn)}
    assert name in nodes  # (the program really uses the operation)
    v = minigrad.tensor(rng.normal(size=tuple(out.shape)).astype(dtype))
    out.backward(v)
    on_arrays = [x.grad.numpy().copy(), y.grad.numpy().copy()]
    recorded = minigrad.autograd.grad(program(x, y), [x, y], v, create_graph=True)
    for fast, slow in zip(on_arrays, recorded):
        assert slow.grad_fn is not None
        assert fast.dtype == slow.detach().numpy().dtype
        np.testing.assert_allclose(fast, slow.detach().numpy(), rtol=1e-6, atol=1e-7)


def _walk(node) -> list:
    seen, stack = [], [node]
    while stack:
        current = stack.pop()
        if current is None or current in seen:
            continue
        seen.append(current)
        stack.extend(next_node for next_node, _ in current.next_functions)
    return seen


def _heap_order(root) -> list:
    """The order of the engine's rule, computed the plain way: every ready node goes into a
    heap keyed by (newest first, then first come), and the top one runs next."""
    import heapq
    import itertools

    dependencies, stack, seen = {}, [root.grad_fn], {root.grad_fn}
    while stack:
        for next_node, _ in stack.pop().next_functions:
            if next_node is not None:
                dependencies[next_node] = dependencies.get(next_node, 0) + 1
                if next_node not in seen:
                    seen.add(next_node)
                    stack.append(next_node)
    tiebreak = itertools.count()
    ready = [(-root.grad_fn.sequence_nr, next(tiebreak), root.grad_fn)]
    order = []
    while ready:
        node = heapq.heappop(ready)[2]
        order.append(node)
        for next_node, _ in node.next_functions:
            if next_node is None:
                continue
            dependencies[next_node] -= 1
            if dependencies[next_node] == 0:
                heapq.heappush(ready, (-next_node.sequence_nr, next(tiebreak), next_node))
    return order


@pytest.mark.parametrize("seed", range(8))
def test_nodes_run_in_the_heap_order_although_a_sure_next_node_skips_the_heap(seed):
    # The engine runs a node made ready by the previous one directly when it is sure to
    # come first; the order must be exactly the one of a heap that sees every ready node.
    rng = np.random.default_rng(seed)
    leaves = [minigrad.tensor(rng.normal(size=3), requires_grad=True) for _ in range(4)]
    values = list(leaves)
    for _ in range(25):  # random operations on random earlier values: branches and merges
        a, b = (values[i] for i in rng.integers(0, len(values), 2))
        values.append([a * b, a + b, (a - b).tanh(), a.exp() * 0.1][rng.integers(0, 4)])
    root = sum(values[-6:], minigrad.tensor(0.0)).sum()
    ran = [step.node for step in trace_backward(root)]
    assert ran == _heap_order(root)
