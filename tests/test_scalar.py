"""Tests for the scalar engine of chapter 02 (minigrad.scalar).

Gradients are checked against central finite differences (which need nothing but
floats), and, when PyTorch is installed, against torch in float64 as a bonus.
"""

import math
import sys

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from minigrad.finite_differences import central_difference, numerical_gradient
from minigrad.scalar import Value, topological_order

H = 1e-6  # central differences in float64: error ~ h² + eps/h ≈ 1e-10 relative


def assert_grad_close(analytic, numeric, scale=1.0):
    # Round-off in a central difference grows with the size of the function's values.
    assert analytic == pytest.approx(numeric, rel=1e-6, abs=1e-7 * scale)


# ------------------------------------------------------------------------- single ops
def _sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


# name: (what the engine computes, the same function on floats, where to sample x)
UNARY = {
    "neg": (lambda v: -v, lambda x: -x, st.floats(-5, 5)),
    "exp": (Value.exp, math.exp, st.floats(-5, 5)),
    "log": (Value.log, math.log, st.floats(0.05, 10)),
    "tanh": (Value.tanh, math.tanh, st.floats(-4, 4)),
    "sigmoid": (Value.sigmoid, _sigmoid, st.floats(-8, 8)),
    # Stay off the kink at 0, where the function has no derivative to compare with.
    "relu": (Value.relu, lambda x: max(x, 0.0), st.floats(-5, 5).filter(lambda x: abs(x) > 1e-3)),
}


@pytest.mark.parametrize("name", list(UNARY))
@settings(deadline=None, max_examples=40)
@given(data=st.data())
def test_unary_op_value_and_gradient(name, data):
    engine_op, float_op, domain = UNARY[name]
    x_value = data.draw(domain)
    x = Value(x_value)
    out = engine_op(x)
    assert out.data == pytest.approx(float_op(x_value), rel=1e-12, abs=1e-300)
    assert out._prev == (x,)
    assert out._op == name
    out.backward()
    assert_grad_close(x.grad, central_difference(float_op, x_value, H), scale=abs(out.data) + 1)


@pytest.mark.parametrize("k", [2, 3, 1, 0, -1, 0.5, -2.5, 1.7])
@settings(deadline=None, max_examples=30)
@given(data=st.data())
def test_power_with_a_constant_exponent(k, data):
    if float(k).is_integer():
        x_value = data.draw(st.floats(-3, 3).filter(lambda x: abs(x) > 0.1))
    else:
        x_value = data.draw(st.floats(0.1, 4))  # a negative base has no real power
    x = Value(x_value)
    out = x**k
    assert out._op == f"**{k}"
    assert out.data == pytest.approx(x_value**k, rel=1e-12)
    out.backward()
    numeric = central_difference(lambda t: t**k, x_value, H)
    assert_grad_close(x.grad, numeric, scale=abs(out.data) + 1)
    assert x.grad == pytest.approx(k * x_value ** (k - 1), rel=1e-12)


BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


@pytest.mark.parametrize("op", list(BINARY))
@settings(deadline=None, max_examples=40)
@given(
    a_value=st.floats(-3, 3),
    b_value=st.floats(-3, 3).filter(lambda b: abs(b) > 0.1),
)
def test_binary_op_value_and_gradients(op, a_value, b_value):
    fn = BINARY[op]
    a, b = Value(a_value), Value(b_value)
    out = fn(a, b)
    assert out.data == fn(a_value, b_value)
    assert out._prev == (a, b) and out._op == op
    out.backward()
    scale = abs(out.data) + 1
    assert_grad_close(a.grad, central_difference(lambda t: fn(t, b_value), a_value, H), scale)
    assert_grad_close(b.grad, central_difference(lambda t: fn(a_value, t), b_value, H), scale)


@pytest.mark.parametrize("op", list(BINARY))
def test_python_numbers_work_on_either_side(op):
    fn = BINARY[op]
    a = Value(4.0)
    right = fn(a, 2.0)  # __add__ and friends
    left = fn(2.0, a)  # __radd__ and friends: the number stays the left operand
    assert right.data == fn(4.0, 2.0) and left.data == fn(2.0, 4.0)
    assert right._prev[0] is a and right._prev[1].data == 2.0
    assert left._prev[0].data == 2.0 and left._prev[1] is a
    right.backward()
    left.backward()
    expected = {"+": 1 + 1, "-": 1 - 1, "*": 2 + 2, "/": 1 / 2 - 2 / 16}[op]
    assert a.grad == pytest.approx(expected)


def test_numpy_scalars_on_the_left_build_a_graph_node():
    a = Value(3.0)
    out = np.float64(2.0) * a
    assert isinstance(out, Value) and out.data == 6.0
    out.backward()
    assert a.grad == 2.0


# ------------------------------------------------- worked examples and accumulation
def seed_function(a, b, c):
    """course.md's worked example: y = 3a + 2b² + log(c)."""
    return 3 * a + 2 * b**2 + c.log()


def test_worked_example_on_scalars():
    a, b, c = Value(0.1), Value(1.0), Value(0.1)
    y = seed_function(a, b, c)
    assert y.data == pytest.approx(0.3 + 2.0 + math.log(0.1))
    y.backward()
    assert (a.grad, b.grad, c.grad) == pytest.approx((3.0, 4.0, 10.0))


def test_worked_example_backward_twice_accumulates():
    a, b, c = Value(1.0), Value(1.0), Value(1.0)
    y = seed_function(a, b, c)
    y.backward()
    assert (a.grad, b.grad, c.grad) == pytest.approx((3.0, 4.0, 1.0))
    y.backward()
    # Exactly twice the first pass, as in PyTorch. Re-propagating the inner nodes'
    # old gradients (a classic bug) would give c.grad == 3 instead.
    assert (a.grad, b.grad, c.grad) == pytest.approx((6.0, 8.0, 2.0))


def test_every_node_accumulates_like_retained_grads_in_pytorch():
    a, b = Value(0.7), Value(-1.3)
    y = (a * b + a.tanh()).exp() / (b**2 + 1)
    nodes = topological_order(y)
    y.backward()
    first = [node.grad for node in nodes]
    y.backward()
    assert [node.grad for node in nodes] == pytest.approx([2 * g for g in first])
    assert y.grad == 2.0
    y.zero_grad()
    assert all(node.grad == 0.0 for node in nodes)
    y.backward()
    assert [node.grad for node in nodes] == pytest.approx(first)


def test_reused_operand_gets_the_sum_of_its_contributions():
    a = Value(3.0)
    b = a + a
    assert b._prev == (a, a)
    b.backward()
    assert a.grad == 2.0

    x = Value(3.0)
    square = x * x
    square.backward()
    assert x.grad == 6.0  # d(x·x)/dx = x + x


def test_node_reached_along_several_paths():
    x = Value(2.0)
    y = x * 3.0
    z = x * 4.0
    w = y * z + y  # w = 12x² + 3x
    w.backward()
    assert x.grad == pytest.approx(24 * 2.0 + 3)
    assert y.grad == pytest.approx(z.data + 1) and z.grad == pytest.approx(y.data)


def test_backward_from_two_outputs_sharing_a_leaf_adds_up():
    x = Value(0.5)
    first = x * x
    second = x.exp()
    first.backward()
    second.backward()
    assert x.grad == pytest.approx(2 * 0.5 + math.exp(0.5))


def test_backward_on_a_leaf_seeds_one_and_accumulates():
    x = Value(3.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0  # like x.backward() twice on a torch leaf


def test_zero_grad_only_touches_the_graph_it_is_called_on():
    x, other = Value(1.0), Value(2.0)
    y = x * 5.0
    unrelated = other * 3.0
    y.backward()
    unrelated.backward()
    y.zero_grad()
    assert x.grad == 0.0 and y.grad == 0.0
    assert other.grad == 3.0


# ---------------------------------------------------- deep graphs and topological order
def test_a_chain_of_100000_ops_differentiates_without_recursion():
    steps = 100_000
    factor = 1.000001
    x = Value(0.5)
    y = x
    for _ in range(steps):
        y = y * factor
    assert sys.getrecursionlimit() < steps  # a recursive sort could not get through
    y.backward()
    # d/dx (x · factor^N) = factor^N; the float products round a little on the way.
    assert x.grad == pytest.approx(factor**steps, rel=1e-9)
    assert y.data == pytest.approx(0.5 * factor**steps, rel=1e-9)
    order = topological_order(y)
    assert len(order) == 1 + 2 * steps  # x, then each constant and each product
    assert order[0] is x and order[-1] is y


def test_topological_order_of_a_leaf_is_the_leaf():
    x = Value(1.0)
    assert topological_order(x) == [x]


# ----------------------------------------------------------------- random programs
def _unary(name):
    math_fn = {"exp": math.exp, "log": math.log, "tanh": math.tanh, "sigmoid": _sigmoid}
    math_fn["relu"] = lambda x: max(x, 0.0)
    # Values and torch tensors have these as methods; Python floats do not.
    return lambda a, b: getattr(a, name)() if hasattr(a, name) else math_fn[name](a)


# Each op takes two operands (picked from everything computed so far, possibly the same
# one twice) and may ignore the second. Denominators and logarithms are kept away from
# zero by construction, so every program is differentiable wherever it is sampled.
SMOOTH_OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1),
    "radd": lambda a, b: 1.5 + a,
    "rsub": lambda a, b: 1.5 - a,
    "rmul": lambda a, b: 1.5 * a,
    "rdiv": lambda a, b: 1.5 / (a * a + 0.5),
    "neg": lambda a, b: -a,
    "square": lambda a, b: a**2,
    "cube": lambda a, b: a**3,
    "sqrt": lambda a, b: (a * a + 1) ** 0.5,
    "inverse": lambda a, b: (b * b + 2) ** -1.5,
    "exp": _unary("exp"),
    "log": lambda a, b: _unary("log")(a * a + 0.5, None),
    "tanh": _unary("tanh"),
    "sigmoid": _unary("sigmoid"),
}
ALL_OPS = {**SMOOTH_OPS, "relu": _unary("relu")}


def run_program(program, leaves, ops):
    """Apply the program's steps to the leaves; return every intermediate result."""
    pool = list(leaves)
    for name, i, j in program:
        pool.append(ops[name](pool[i % len(pool)], pool[j % len(pool)]))
    return pool


def programs(ops):
    step = st.tuples(st.sampled_from(sorted(ops)), st.integers(0, 99), st.integers(0, 99))
    return st.lists(step, min_size=1, max_size=10)


leaf_lists = st.lists(st.floats(-2, 2), min_size=1, max_size=4)


def build(program, leaf_values, ops):
    """The program on Values; rejects examples whose numbers grow unreasonably large."""
    leaves = [Value(v, label=f"x{n}") for n, v in enumerate(leaf_values)]
    pool = run_program(program, leaves, ops)
    assume(all(abs(v.data) < 1e4 for v in pool))
    return leaves, pool


@settings(deadline=None, max_examples=150)
@given(program=programs(SMOOTH_OPS), leaf_values=leaf_lists)
def test_random_programs_match_finite_differences(program, leaf_values):
    leaves, pool = build(program, leaf_values, SMOOTH_OPS)
    root = pool[-1]
    root.backward()

    def as_floats(*arrays):
        return run_program(program, [float(x) for x in arrays], SMOOTH_OPS)[-1]

    numeric = numerical_gradient(as_floats, [np.array(v) for v in leaf_values])
    for leaf, expected in zip(leaves, numeric):
        assert_grad_close(leaf.grad, float(expected), scale=abs(root.data) + 1)


@settings(deadline=None, max_examples=100)
@given(program=programs(ALL_OPS), leaf_values=leaf_lists)
def test_topological_order_is_valid_on_random_graphs(program, leaf_values):
    _, pool = build(program, leaf_values, ALL_OPS)
    root = pool[-1]
    order = topological_order(root)

    # The nodes reachable from the root, found independently by breadth-first search.
    reachable, frontier = {root}, [root]
    while frontier:
        frontier = [p for node in frontier for p in node._prev if p not in reachable]
        reachable.update(frontier)

    position = {node: n for n, node in enumerate(order)}
    assert len(position) == len(order)  # each node exactly once
    assert set(order) == reachable
    assert order[-1] is root and order[0]._prev == ()
    for node in order:
        assert all(position[operand] < position[node] for operand in node._prev)


@pytest.mark.torch
@settings(deadline=None, max_examples=100)
@given(program=programs(ALL_OPS), leaf_values=leaf_lists)
def test_random_programs_match_pytorch(program, leaf_values):
    torch = pytest.importorskip("torch")
    leaves, pool = build(program, leaf_values, ALL_OPS)
    pool[-1].backward()

    torch_leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in leaf_values]
    torch_root = run_program(program, torch_leaves, ALL_OPS)[-1]
    torch_root.backward()

    assert pool[-1].data == pytest.approx(torch_root.item(), rel=1e-12, abs=1e-12)
    for leaf, torch_leaf in zip(leaves, torch_leaves):
        expected = 0.0 if torch_leaf.grad is None else torch_leaf.grad.item()
        assert leaf.grad == pytest.approx(expected, rel=1e-9, abs=1e-12)


# ------------------------------------------------------------------- edge values
def test_edge_values_match_pytorch():
    # PyTorch in float64 (torch 2.13.0): exp and pow overflow to ±inf, sigmoid saturates without
    # overflow, the slope of x ** 0.5 at 0 is inf, d(x ** 0)/dx is 0 and relu'(0) is 0.
    assert Value(1000.0).exp().data == math.inf
    assert (Value(1e200) ** 2).data == math.inf
    assert (Value(-1e200) ** 3).data == -math.inf
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    for x_value, op, expected_grad in [
        (0.0, lambda v: v**0.5, math.inf),
        (0.0, lambda v: v**0, 0.0),
        (5.0, lambda v: v**0, 0.0),
        (0.0, Value.relu, 0.0),
        (-1000.0, Value.sigmoid, 0.0),
    ]:
        x = Value(x_value)
        op(x).backward()
        assert x.grad == expected_grad


# ------------------------------------------------------------ errors, repr and identity
@pytest.mark.parametrize("bad", ["3", None, [1.0], 1 + 2j])
def test_value_needs_a_real_number(bad):
    with pytest.raises(TypeError, match=f"real number.*got {type(bad).__name__}"):
        Value(bad)


def test_value_of_a_value_says_what_to_do():
    with pytest.raises(TypeError, match=r"got a Value.*v\.data"):
        Value(Value(1.0))


def test_log_of_a_non_positive_number_is_a_clear_error():
    with pytest.raises(ValueError, match=r"positive input, got data=0\.0"):
        Value(0.0).log()
    with pytest.raises(ValueError, match=r"positive input, got data=-2\.0"):
        Value(-2.0).log()


def test_power_needs_a_constant_exponent():
    with pytest.raises(TypeError, match=r"constant int or float exponent.*got Value"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(TypeError, match=r"constant int or float exponent.*got str"):
        Value(2.0) ** "2"
    with pytest.raises(TypeError, match=r"number \*\* Value is not supported"):
        2 ** Value(3.0)


def test_power_outside_the_real_numbers_is_a_clear_error():
    with pytest.raises(ValueError, match=r"negative base.*0\.5.*-8\.0"):
        Value(-8.0) ** 0.5
    with pytest.raises(ZeroDivisionError, match="negative power -1"):
        Value(0.0) ** -1


def test_division_by_zero_is_a_clear_error():
    with pytest.raises(ZeroDivisionError, match=r"divisor Value has data=0\.0"):
        Value(1.0) / 0
    with pytest.raises(ZeroDivisionError, match=r"divisor Value has data=0\.0"):
        1.0 / Value(0.0)


def test_unsupported_operands_raise_type_error():
    with pytest.raises(TypeError, match="unsupported operand"):
        Value(1.0) + "a"
    with pytest.raises(TypeError, match="unsupported operand"):
        "a" - Value(1.0)
    with pytest.raises(TypeError):
        Value(1.0) + np.array([1.0, 2.0])  # not silently turned into an object array


def test_repr_shows_data_grad_and_label():
    assert repr(Value(3.0)) == "Value(data=3.0, grad=0.0)"
    assert repr(Value(2, label="a")) == "Value(data=2.0, grad=0.0, label='a')"
    y = Value(3.0) * 2
    y.backward()
    assert repr(y) == "Value(data=6.0, grad=1.0)"


def test_values_hash_and_compare_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a
    assert len({a, b, a}) == 2
    assert {a: "a", b: "b"}[b] == "b"
