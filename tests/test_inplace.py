"""In-place operations: version counters, the errors that protect gradients, and recording.

An in-place change overwrites memory that autograd may still need, so PyTorch (and
minigrad) counts versions per tensor (shared by views and ``detach``), refuses to
change leaves that require grad, and raises at backward time when a saved tensor was
changed. On a non-leaf, the change itself is recorded, so gradients stay right.
The behaviours checked here were read off torch 2.13.0.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import check_gradients

import minigrad

MODIFIED = "one of the variables needed for gradient computation has been modified by an inplace"
LEAF = "a leaf Variable that requires grad is being used in an in-place operation."


def leaf(values) -> minigrad.Tensor:
    return minigrad.tensor(values, dtype=minigrad.float64, requires_grad=True)


# ---------------------------------------------------------------------- version counters
IN_PLACE = {
    "add_": lambda t: t.add_(1),
    "sub_": lambda t: t.sub_(1),
    "mul_": lambda t: t.mul_(2),
    "div_": lambda t: t.div_(2),
    "+=": lambda t: t.__iadd__(1),
    "-=": lambda t: t.__isub__(1),
    "*=": lambda t: t.__imul__(2),
    "/=": lambda t: t.__itruediv__(2),
    "zero_": lambda t: t.zero_(),
    "fill_": lambda t: t.fill_(3),
    "copy_": lambda t: t.copy_(minigrad.tensor([7.0, 8.0, 9.0])),
    "setitem": lambda t: t.__setitem__(0, 5.0),
}


@pytest.mark.parametrize("name", list(IN_PLACE))
def test_every_in_place_op_counts_a_version_and_returns_the_tensor(name):
    x = minigrad.tensor([1.0, 2.0, 3.0])
    memory = x.data
    assert x._version == 0
    result = IN_PLACE[name](x)
    assert x._version == 1
    assert name == "setitem" or result is x
    assert x.data is memory  # really in place


def test_out_of_place_ops_leave_the_version_alone():
    x = minigrad.tensor([1.0, 2.0])
    _ = x * 2 + x.exp() - x[0]
    assert x._version == 0


def test_versions_are_counted_per_tensor_and_shared_by_views_and_detach():
    x = minigrad.tensor([1.0, 2.0, 3.0])
    other = minigrad.tensor([1.0, 2.0, 3.0])
    view = x[0]
    detached = x.detach()
    reshaped = x.reshape(3, 1)
    view.add_(1)
    assert x._version == view._version == detached._version == reshaped._version == 1
    detached.mul_(2)
    reshaped.sub_(1)
    assert x._version == 3 and view._version == 3
    assert x.tolist() == [3.0, 3.0, 5.0]  # all of them share x's memory
    assert other._version == 0
    copy = x.clone()
    copy.add_(1)
    assert x._version == 3 and copy._version == 1  # a clone has its own memory and counter


def test_the_version_of_a_gradient_counts_zero_():
    x = leaf([1.0, 2.0])
    (x * 2).sum().backward()
    before = x.grad._version
    x.grad.zero_()
    assert x.grad._version == before + 1
    np.testing.assert_array_equal(x.grad.data, [0, 0])
    (x * 2).sum().backward()  # and accumulation starts again from zero
    np.testing.assert_array_equal(x.grad.data, [2, 2])


# ---------------------------------------------------------------------- modified saved tensors
def test_changing_a_saved_tensor_in_place_fails_at_backward():
    x = leaf([1.0, 2.0])
    y = x * 1
    out = y * y  # saves y
    y.mul_(3)
    with pytest.raises(RuntimeError, match=MODIFIED):
        out.sum().backward()


def test_changing_a_saved_result_in_place_fails_at_backward():
    x = leaf([1.0, 2.0])
    out = (x * 1).exp()  # exp saves its own result
    out.add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED):
        out.sum().backward()


def test_changing_through_a_detached_alias_is_caught_too():
    x = leaf([1.0, 2.0])
    y = x * 1
    out = y * y
    y.detach().add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED):
        out.sum().backward()


def test_y_times_equals_y_fails_as_in_torch():
    x = leaf([1.0, 2.0])
    y = x * 2
    y *= y
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


def test_changing_a_tensor_nobody_saved_is_fine():
    x = leaf([1.0, 2.0])
    y = x * 1
    z = y + 1  # addition saves nothing
    y.mul_(2)
    z.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1, 1])
    # a * b with only a requiring grad saves b, not a: changing a afterwards is allowed.
    x.grad = None
    a = x * 1
    out = a * minigrad.tensor([3.0, 4.0], dtype=minigrad.float64)
    a.mul_(10)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3, 4])


# ---------------------------------------------------------------------- leaves
@pytest.mark.parametrize("name", list(IN_PLACE))
def test_in_place_on_a_leaf_that_requires_grad_raises(name):
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match=LEAF):
        IN_PLACE[name](x)
    assert x.tolist() == [1.0, 2.0, 3.0] and x._version == 0


@pytest.mark.parametrize("name", list(IN_PLACE))
def test_in_place_on_a_leaf_is_allowed_under_no_grad(name):
    x = leaf([1.0, 2.0, 3.0])
    expected = minigrad.tensor([1.0, 2.0, 3.0], dtype=minigrad.float64)
    IN_PLACE[name](expected)
    with minigrad.no_grad():
        IN_PLACE[name](x)
    np.testing.assert_array_equal(x.data, expected.data)
    assert x.is_leaf and x.requires_grad and x.grad_fn is None and x._version == 1
    assert x.dtype is minigrad.float64


def test_an_sgd_step_under_no_grad():
    w = leaf([1.0, -2.0])
    (w * w).sum().backward()
    with minigrad.no_grad():
        w -= 0.1 * w.grad
    np.testing.assert_allclose(w.data, [0.8, -1.6])
    assert w.is_leaf and w.requires_grad


def test_in_place_on_a_view_of_a_leaf_raises():
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0].add_(1)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[1:].mul_(2)
    assert x.tolist() == [1.0, 2.0, 3.0]


def test_a_dtype_that_cannot_hold_the_result_raises():
    counts = minigrad.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
        counts.add_(1.5)
    counts.mul_(2)  # an int stays an int
    assert counts.tolist() == [2, 4] and counts.dtype is minigrad.int64


# ---------------------------------------------------------------------- recorded in-place changes
def test_augmented_assignment_on_a_non_leaf_is_recorded(rng):
    def op(x, v):
        y = x * 2
        y += x * v  # recorded: y's history now goes through the addition
        y -= v
        y *= x
        y /= v + 3
        return y

    x = rng.standard_normal((2, 3))
    v = rng.uniform(0.5, 1.5, (3,))  # broadcast along the first dimension
    check_gradients(op, [x, v], rng)


def test_the_grad_fn_of_an_in_place_result():
    x = leaf([1.0, 2.0])
    y = x * 2
    y += 1
    assert y.grad_fn.name() == "AddBackward0" and y._version == 1
    assert y.grad_fn.next_functions[0][0].name() == "MulBackward0"
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.data, 4 * (2 * x.data + 1))


@pytest.mark.parametrize(
    "index",
    [0, -1, slice(1, 3), (slice(None), 1), [0, 2], np.array([True, False, True])],
    ids=["int", "negative", "slice", "tuple", "list", "mask"],
)
def test_setitem_on_a_non_leaf_sends_gradients_to_the_right_places(index, rng):
    x = rng.standard_normal((3, 2)) if isinstance(index, tuple) else rng.standard_normal(3)
    target_shape = x[index].shape

    def op(x, value):
        y = x * 3
        y[index] = value * value
        return y.exp()

    value = rng.standard_normal(target_shape)
    grad_x, grad_value = check_gradients(op, [x, value], rng)
    # Overwritten entries of x get nothing.
    assert not np.any(grad_x[index])


def test_setitem_with_a_number_and_its_node():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 1
    y[1] = 10.0
    assert type(y.grad_fn).__name__ == "CopySlices"
    assert y.tolist() == [1.0, 10.0, 3.0]
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2, 0, 6])


def test_setitem_on_a_constant_with_a_value_that_requires_grad():
    v = leaf([5.0])
    buffer = minigrad.zeros(3, dtype=minigrad.float64)
    buffer[1:2] = v * 2
    assert buffer.requires_grad and not buffer.is_leaf
    (buffer * minigrad.tensor([1.0, 7.0, 1.0], dtype=minigrad.float64)).sum().backward()
    assert v.grad.item() == 14


def test_copy_sends_the_gradient_to_the_source(rng):
    def op(x, source):
        y = x * 2
        y.copy_(source.exp())
        return y * x

    x = rng.standard_normal((2, 3))
    source = rng.standard_normal((3,))  # broadcast into y's shape
    check_gradients(op, [x, source], rng)
    y = leaf([1.0, 2.0, 3.0]) * 1
    y.copy_(leaf([4.0, 5.0, 6.0]))
    assert type(y.grad_fn).__name__ == "CopyBackwards"


def test_fill_and_zero_cut_the_gradient_to_the_old_values():
    x = leaf([1.0, 2.0])
    y = x * 5
    y.fill_(3.0)
    assert y.tolist() == [3.0, 3.0]
    (y * x).sum().backward()  # only the direct use of x counts now
    np.testing.assert_array_equal(x.grad.data, [3, 3])
    x.grad = None
    z = x * 5
    z.zero_()
    (z + x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1, 1])


def test_fill_with_a_tensor_that_requires_grad():
    x = leaf([1.0, 2.0, 3.0])
    value = leaf(2.0)
    y = x * 1
    y.fill_(value)
    (y * x).sum().backward()
    assert value.grad.item() == 6  # the sum of x
    np.testing.assert_array_equal(x.grad.data, [2, 2, 2])


# torch 2.13.0's node names for in-place operations on a non-leaf.
IN_PLACE_NODE_NAMES = {
    "add_": ("AddBackward0", lambda y: y.add_(1)),
    "mul_": ("MulBackward0", lambda y: y.mul_(2)),
    "relu_": ("ReluBackward0", lambda y: y.relu_()),
    "exp_": ("ExpBackward0", lambda y: y.exp_()),
    "clamp_": ("ClampBackward1", lambda y: y.clamp_(0, 1)),
    "fill_": ("FillBackward2", lambda y: y.fill_(3.0)),
    "zero_": ("ZeroBackward0", lambda y: y.zero_()),
}


@pytest.mark.parametrize("name", list(IN_PLACE_NODE_NAMES))
def test_node_names_of_in_place_ops(name):
    expected, operation = IN_PLACE_NODE_NAMES[name]
    y = leaf([0.5, 2.0]) * 1
    operation(y)
    assert y.grad_fn.name() == expected


def test_node_names_of_in_place_ops_match_torch(torch):
    for name, (expected, operation) in IN_PLACE_NODE_NAMES.items():
        y = torch.tensor([0.5, 2.0], requires_grad=True) * 1
        operation(y)
        assert y.grad_fn.name() == expected, name


@pytest.mark.parametrize("name", ["relu_", "exp_", "clamp_"])
def test_in_place_functions_on_a_non_leaf_have_the_right_gradient(name, rng):
    operation = {
        "relu_": lambda y: y.relu_(),
        "exp_": lambda y: y.exp_(),
        "clamp_": lambda y: y.clamp_(-0.5, 0.5),
    }[name]

    def op(x):
        y = x * 1.5
        operation(y)
        return y

    # Values away from the kinks at 0 and ±0.5/1.5.
    x = np.array([-1.1, -0.2, 0.15, 0.9])
    check_gradients(op, [x], rng)
