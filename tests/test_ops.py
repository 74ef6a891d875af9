"""Every differentiable operation of api.md against finite differences and NumPy (hypothesis).

For each op and random shapes: the forward values equal NumPy's, and the gradient of
(op(...) * w).sum() for a random weight w equals central differences in float64 (and,
more loosely, in float32), with every gradient shaped and typed like its input.
Domains are chosen so the checks are meaningful: log and sqrt see positive numbers;
max, min, abs, relu and clamp see distinct values away from their kinks and ties.

The dtype table at the end was read off torch 2.13.0 and is stored here as data.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import check_gradients, spaced_values
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad import Tensor

SEEDS = st.integers(0, 2**32 - 1)
# Small shapes keep the finite differences cheap: at most 3 dimensions of at most 3.
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
NONEMPTY_DIMS = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)
FAST = settings(max_examples=15)


def as64(array: np.ndarray) -> Tensor:
    return minigrad.tensor(array, dtype=minigrad.float64)


def assert_forward(op, numpy_op, arrays) -> None:
    """op on float64 tensors gives NumPy's values, shape and a float64 result."""
    out = op(*(as64(a) for a in arrays))
    expected = np.asarray(numpy_op(*arrays))
    assert out.shape == expected.shape
    assert out.dtype is minigrad.float64
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------- element-wise, one input
def normal(rng, shape):
    return rng.standard_normal(shape)


def positive(rng, shape):
    return rng.uniform(0.5, 3.0, shape)


def off_kinks(rng, shape):
    # Distinct, at least 0.125 away from 0 and from the clamp bounds ±0.5, ±1.
    return spaced_values(rng, shape)


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


UNARY = {
    "neg": (lambda x: -x, np.negative, normal),
    "exp": (Tensor.exp, np.exp, normal),
    "log": (Tensor.log, np.log, positive),
    "sqrt": (Tensor.sqrt, np.sqrt, positive),
    "abs": (Tensor.abs, np.abs, off_kinks),
    "abs()": (abs, np.abs, off_kinks),
    "tanh": (Tensor.tanh, np.tanh, normal),
    "sigmoid": (Tensor.sigmoid, _sigmoid, normal),
    "relu": (Tensor.relu, lambda a: np.maximum(a, 0.0), off_kinks),
    "clamp(min, max)": (lambda x: x.clamp(-1.0, 1.0), lambda a: np.clip(a, -1.0, 1.0), off_kinks),
    "clamp(min=)": (lambda x: x.clamp(min=-0.5), lambda a: np.maximum(a, -0.5), off_kinks),
    "clamp(max=)": (lambda x: x.clamp(max=0.5), lambda a: np.minimum(a, 0.5), off_kinks),
    "x ** 2": (lambda x: x**2, lambda a: a**2, normal),
    "x ** 3": (lambda x: x**3, lambda a: a**3, normal),
    "x ** 0": (lambda x: x**0, lambda a: a**0, normal),
    "x ** -1.5": (lambda x: x**-1.5, lambda a: a**-1.5, positive),
    "x ** 0.5": (lambda x: x**0.5, np.sqrt, positive),
    "pow(x, 3)": (lambda x: x.pow(3), lambda a: a**3, normal),
    "2.5 ** x": (lambda x: 2.5**x, lambda a: 2.5**a, normal),
    "x + 2": (lambda x: x + 2, lambda a: a + 2, normal),
    "2 + x": (lambda x: 2 + x, lambda a: 2 + a, normal),
    "x - 1.5": (lambda x: x - 1.5, lambda a: a - 1.5, normal),
    "1.5 - x": (lambda x: 1.5 - x, lambda a: 1.5 - a, normal),
    "x * 3": (lambda x: x * 3, lambda a: a * 3, normal),
    "-0.5 * x": (lambda x: -0.5 * x, lambda a: -0.5 * a, normal),
    "x / 4": (lambda x: x / 4, lambda a: a / 4, normal),
    "2 / x": (lambda x: 2 / x, lambda a: 2 / a, positive),
    "minigrad.exp": (minigrad.exp, np.exp, normal),
    "minigrad.log": (minigrad.log, np.log, positive),
    "minigrad.sqrt": (minigrad.sqrt, np.sqrt, positive),
    "minigrad.abs": (minigrad.abs, np.abs, off_kinks),
    "minigrad.tanh": (minigrad.tanh, np.tanh, normal),
    "minigrad.sigmoid": (minigrad.sigmoid, _sigmoid, normal),
    "minigrad.relu": (minigrad.relu, lambda a: np.maximum(a, 0.0), off_kinks),
    "minigrad.clamp": (
        lambda x: minigrad.clamp(x, -1.0, 1.0),
        lambda a: np.clip(a, -1, 1),
        off_kinks,
    ),
    "minigrad.pow": (lambda x: minigrad.pow(x, 3), lambda a: a**3, normal),
}


@pytest.mark.parametrize("name", list(UNARY))
@FAST
@given(shape=SHAPES, seed=SEEDS)
def test_unary_op_values_and_gradients(name, shape, seed):
    op, numpy_op, domain = UNARY[name]
    rng = np.random.default_rng(seed)
    x = domain(rng, shape)
    assert_forward(op, numpy_op, [x])
    check_gradients(op, [x], rng)


# ---------------------------------------------------------------------- element-wise, two inputs
def _nonzero(rng, shape):
    # Divisors away from 0, of both signs.
    return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


BINARY = {
    "a + b": (lambda a, b: a + b, np.add, normal, normal),
    "a - b": (lambda a, b: a - b, np.subtract, normal, normal),
    "a * b": (lambda a, b: a * b, np.multiply, normal, normal),
    "a / b": (lambda a, b: a / b, np.divide, normal, _nonzero),
    "a ** b": (lambda a, b: a**b, np.power, positive, normal),
    "add": (lambda a, b: a.add(b), np.add, normal, normal),
    "sub": (lambda a, b: a.sub(b), np.subtract, normal, normal),
    "mul": (lambda a, b: a.mul(b), np.multiply, normal, normal),
    "div": (lambda a, b: a.div(b), np.divide, normal, _nonzero),
    "pow": (lambda a, b: a.pow(b), np.power, positive, normal),
    "minigrad.add": (minigrad.add, np.add, normal, normal),
    "minigrad.sub": (minigrad.sub, np.subtract, normal, normal),
    "minigrad.mul": (minigrad.mul, np.multiply, normal, normal),
    "minigrad.div": (minigrad.div, np.divide, normal, _nonzero),
    "minigrad.pow": (minigrad.pow, np.power, positive, normal),
}

BROADCAST_PAIRS = hnp.mutually_broadcastable_shapes(
    num_shapes=2, min_dims=0, max_dims=3, max_side=3
)


@pytest.mark.parametrize("name", list(BINARY))
@FAST
@given(shapes=BROADCAST_PAIRS, seed=SEEDS)
def test_binary_op_broadcasts_and_unbroadcasts_gradients(name, shapes, seed):
    op, numpy_op, domain_a, domain_b = BINARY[name]
    rng = np.random.default_rng(seed)
    shape_a, shape_b = shapes.input_shapes
    a, b = domain_a(rng, shape_a), domain_b(rng, shape_b)
    assert_forward(op, numpy_op, [a, b])
    check_gradients(op, [a, b], rng)


@FAST
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3), seed=SEEDS)
def test_where_sends_each_gradient_to_the_chosen_input(shapes, seed):
    rng = np.random.default_rng(seed)
    shape_c, shape_a, shape_b = shapes.input_shapes
    condition = rng.random(shape_c) < 0.5
    a, b = normal(rng, shape_a), normal(rng, shape_b)

    def op(x, y):
        return minigrad.where(minigrad.tensor(condition), x, y)

    assert_forward(op, lambda x, y: np.where(condition, x, y), [a, b])
    grad_a, grad_b = check_gradients(op, [a, b], rng)
    # Also the method form, x.where(condition, y).
    out = as64(a).where(minigrad.tensor(condition), as64(b))
    np.testing.assert_array_equal(out.data, np.where(condition, a, b))


@FAST
@given(shape=SHAPES, seed=SEEDS, number=st.sampled_from([2, -3, 0.5]))
def test_where_with_a_python_number(shape, seed, number):
    rng = np.random.default_rng(seed)
    condition = rng.random(shape) < 0.5
    x = normal(rng, shape)
    assert_forward(
        lambda t: minigrad.where(minigrad.tensor(condition), t, number),
        lambda a: np.where(condition, a, number),
        [x],
    )
    check_gradients(lambda t: minigrad.where(minigrad.tensor(condition), number, t), [x], rng)


# ---------------------------------------------------------------------- reductions
@st.composite
def shape_and_dims(draw, min_dims=1):
    """A shape and a valid ``dim`` for it: an int (maybe negative) or a tuple of distinct dims."""
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, min_side=1, max_side=3))
    ndim = len(shape)
    one = st.integers(-ndim, ndim - 1)
    several = st.lists(one, min_size=1, max_size=ndim, unique_by=lambda d: d % ndim).map(tuple)
    return shape, draw(one | several)


def _numpy_dims(dim, ndim):
    return tuple(d % ndim for d in dim) if isinstance(dim, tuple) else dim % ndim


@pytest.mark.parametrize("name", ["sum", "mean"])
@FAST
@given(shape=SHAPES, seed=SEEDS)
def test_full_reductions(name, shape, seed):
    rng = np.random.default_rng(seed)
    x = normal(rng, shape)
    numpy_op = getattr(np, name)
    for op in (lambda t: getattr(t, name)(), lambda t: getattr(minigrad, name)(t)):
        assert_forward(op, numpy_op, [x])
        assert op(as64(x)).shape == ()
        check_gradients(op, [x], rng)


@pytest.mark.parametrize("name", ["sum", "mean"])
@pytest.mark.parametrize("keepdim", [False, True])
@FAST
@given(shape_dim=shape_and_dims(), seed=SEEDS)
def test_reductions_over_dims(name, keepdim, shape_dim, seed):
    shape, dim = shape_dim
    rng = np.random.default_rng(seed)
    x = normal(rng, shape)

    def op(t):
        return getattr(t, name)(dim=dim, keepdim=keepdim)

    numpy_dims = _numpy_dims(dim, len(shape))
    assert_forward(op, lambda a: getattr(np, name)(a, axis=numpy_dims, keepdims=keepdim), [x])
    check_gradients(op, [x], rng)
    # The module-level form, with positional arguments as in torch.sum(x, dim, keepdim).
    module_level = getattr(minigrad, name)(as64(x), dim, keepdim)
    np.testing.assert_allclose(module_level.data, op(as64(x)).data)


@pytest.mark.parametrize("name", ["max", "min"])
@FAST
@given(shape=SHAPES, seed=SEEDS)
def test_max_min_of_all_elements(name, shape, seed):
    rng = np.random.default_rng(seed)
    x = spaced_values(rng, shape)  # distinct values: one winner

    def op(t):
        return getattr(t, name)()

    assert_forward(op, getattr(np, name), [x])
    grad = check_gradients(op, [x], rng)[0]
    # Only the winner gets a gradient.
    winner = np.argmax(x) if name == "max" else np.argmin(x)
    assert np.count_nonzero(grad) <= 1 and np.flatnonzero(grad).tolist() in ([], [winner])


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("keepdim", [False, True])
@FAST
@given(shape=NONEMPTY_DIMS, data=st.data(), seed=SEEDS)
def test_max_min_along_a_dim_return_values_and_indices(name, keepdim, shape, data, seed):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    rng = np.random.default_rng(seed)
    x = spaced_values(rng, shape)
    values, indices = getattr(as64(x), name)(dim=dim, keepdim=keepdim)
    numpy_values = getattr(np, name)(x, axis=dim, keepdims=keepdim)
    numpy_indices = getattr(np, "arg" + name)(x, axis=dim, keepdims=keepdim)
    np.testing.assert_array_equal(values.data, numpy_values)
    np.testing.assert_array_equal(indices.data, numpy_indices)
    assert indices.dtype is minigrad.int64
    # Named fields, as torch.return_types.max.
    result = getattr(as64(x), name)(dim, keepdim)
    np.testing.assert_array_equal(result.values.data, numpy_values)
    np.testing.assert_array_equal(result.indices.data, numpy_indices)
    check_gradients(lambda t: getattr(t, name)(dim=dim, keepdim=keepdim)[0], [x], rng)
    # The indices are not differentiable.
    leaf = as64(x).requires_grad_()
    assert not getattr(leaf, name)(dim=dim, keepdim=keepdim).indices.requires_grad


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@FAST
@given(shape=NONEMPTY_DIMS, data=st.data(), seed=SEEDS)
def test_softmax_and_log_softmax(name, shape, data, seed):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    rng = np.random.default_rng(seed)
    x = 3 * normal(rng, shape)
    shifted = x - x.max(axis=dim, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
    expected = log_probs if name == "log_softmax" else np.exp(log_probs)
    assert_forward(lambda t: getattr(t, name)(dim), lambda a: expected, [x])
    assert_forward(lambda t: getattr(minigrad, name)(t, dim), lambda a: expected, [x])
    check_gradients(lambda t: getattr(t, name)(dim), [x], rng)


# ---------------------------------------------------------------------- matmul
MATMUL_SHAPES = {
    "vector @ vector": ((3,), (3,)),
    "matrix @ vector": ((2, 3), (3,)),
    "vector @ matrix": ((3,), (3, 4)),
    "matrix @ matrix": ((2, 3), (3, 4)),
    "batch @ matrix": ((2, 2, 3), (3, 4)),
    "matrix @ batch": ((2, 3), (2, 3, 4)),
    "batch @ vector": ((2, 2, 3), (3,)),
    "vector @ batch": ((3,), (2, 3, 4)),
}


@st.composite
def matmul_shapes(draw):
    """Shapes for a @ b: 1-D, 2-D or batched, with broadcasting batch dimensions."""
    m, n, p = (draw(st.integers(1, 3)) for _ in range(3))
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3))
    kind_a = draw(st.sampled_from(["vector", "matrix", "batch"]))
    kind_b = draw(st.sampled_from(["vector", "matrix", "batch"]))
    shape_a = {"vector": (n,), "matrix": (m, n), "batch": batch.input_shapes[0] + (m, n)}[kind_a]
    shape_b = {"vector": (n,), "matrix": (n, p), "batch": batch.input_shapes[1] + (n, p)}[kind_b]
    return shape_a, shape_b


@pytest.mark.parametrize("form", ["@", "matmul", "minigrad.matmul"])
@settings(max_examples=30)
@given(shapes=matmul_shapes(), seed=SEEDS)
def test_matmul(form, shapes, seed):
    op = {
        "@": lambda a, b: a @ b,
        "matmul": lambda a, b: a.matmul(b),
        "minigrad.matmul": minigrad.matmul,
    }[form]
    rng = np.random.default_rng(seed)
    a, b = normal(rng, shapes[0]), normal(rng, shapes[1])
    assert_forward(op, np.matmul, [a, b])
    check_gradients(op, [a, b], rng)


@pytest.mark.parametrize("name", list(MATMUL_SHAPES))
def test_matmul_listed_cases(name, rng):
    shape_a, shape_b = MATMUL_SHAPES[name]
    a, b = normal(rng, shape_a), normal(rng, shape_b)
    assert_forward(lambda x, y: x @ y, np.matmul, [a, b])
    check_gradients(lambda x, y: x @ y, [a, b], rng)


def test_matmul_with_one_side_constant_gives_gradient_to_the_other(rng):
    a = minigrad.tensor(normal(rng, (2, 3)), requires_grad=True)
    b = minigrad.tensor(normal(rng, (3, 4)))
    (a @ b).sum().backward()
    np.testing.assert_allclose(a.grad.data, np.ones((2, 4)) @ b.data.T, rtol=1e-6)
    assert b.grad is None


# ---------------------------------------------------------------------- shapes
@st.composite
def reshape_target(draw):
    shape = draw(SHAPES)
    # Same elements, another arrangement: the sizes in another order, plus a 1 somewhere.
    sizes = list(draw(st.permutations(list(shape)))) if shape else []
    sizes.insert(draw(st.integers(0, len(sizes))), 1)
    if draw(st.booleans()):
        sizes[draw(st.integers(0, len(sizes) - 1))] = -1
    return shape, tuple(sizes)


@pytest.mark.parametrize("method", ["reshape", "view", "reshape(tuple)", "minigrad.reshape"])
@FAST
@given(shapes=reshape_target(), seed=SEEDS)
def test_reshape_and_view(method, shapes, seed):
    shape, target = shapes
    op = {
        "reshape": lambda t: t.reshape(*target),
        "view": lambda t: t.view(*target),
        "reshape(tuple)": lambda t: t.reshape(target),
        "minigrad.reshape": lambda t: minigrad.reshape(t, target),
    }[method]
    x = normal(np.random.default_rng(seed), shape)
    assert_forward(op, lambda a: a.reshape(target), [x])
    check_gradients(op, [x], np.random.default_rng(seed))


@FAST
@given(shape=SHAPES, data=st.data(), seed=SEEDS)
def test_flatten(shape, data, seed):
    ndim = max(len(shape), 1)
    start = data.draw(st.integers(-ndim, ndim - 1), label="start_dim")
    end = data.draw(st.integers(start % ndim, ndim - 1), label="end_dim")
    x = normal(np.random.default_rng(seed), shape)

    def expected(a):
        if a.ndim == 0:
            return a.reshape(1)
        s, e = start % a.ndim, end % a.ndim
        return a.reshape(a.shape[:s] + (-1,) + a.shape[e + 1 :])

    assert_forward(lambda t: t.flatten(start, end), expected, [x])
    assert_forward(lambda t: minigrad.flatten(t, start, end), expected, [x])
    check_gradients(lambda t: t.flatten(start, end), [x], np.random.default_rng(seed))
    check_gradients(lambda t: t.flatten(), [x], np.random.default_rng(seed))


@FAST
@given(shape=NONEMPTY_DIMS, data=st.data(), seed=SEEDS)
def test_transpose_permute_and_T(shape, data, seed):
    ndim = len(shape)
    dim0 = data.draw(st.integers(-ndim, ndim - 1), label="dim0")
    dim1 = data.draw(st.integers(-ndim, ndim - 1), label="dim1")
    perm = data.draw(st.permutations(range(ndim)), label="perm")
    x = normal(np.random.default_rng(seed), shape)
    rng = np.random.default_rng(seed)
    cases = [
        (lambda t: t.transpose(dim0, dim1), lambda a: np.swapaxes(a, dim0, dim1)),
        (lambda t: minigrad.transpose(t, dim0, dim1), lambda a: np.swapaxes(a, dim0, dim1)),
        (lambda t: t.permute(*perm), lambda a: np.transpose(a, perm)),
        (lambda t: t.permute(tuple(perm)), lambda a: np.transpose(a, perm)),
        (lambda t: minigrad.permute(t, perm), lambda a: np.transpose(a, perm)),
        (lambda t: t.T, lambda a: a.T),
    ]
    for op, numpy_op in cases:
        assert_forward(op, numpy_op, [x])
        check_gradients(op, [x], rng, float32=False)


@FAST
@given(shape=SHAPES, data=st.data(), seed=SEEDS)
def test_squeeze_and_unsqueeze(shape, data, seed):
    rng = np.random.default_rng(seed)
    # Put a few dimensions of size 1 in, so squeeze has something to remove.
    padded = list(shape)
    for _ in range(data.draw(st.integers(0, 2), label="ones")):
        padded.insert(data.draw(st.integers(0, len(padded)), label="where"), 1)
    padded = tuple(padded)
    x = normal(rng, padded)
    ndim = len(padded)
    check_gradients(lambda t: t.squeeze(), [x], rng, float32=False)
    assert_forward(lambda t: t.squeeze(), np.squeeze, [x])
    assert_forward(lambda t: minigrad.squeeze(t), np.squeeze, [x])
    if ndim:
        dim = data.draw(st.integers(-ndim, ndim - 1), label="squeeze dim")
        # PyTorch leaves a dimension whose size is not 1 alone.
        expected = np.squeeze(x, dim) if padded[dim] == 1 else x
        assert_forward(lambda t: t.squeeze(dim), lambda a: expected, [x])
        check_gradients(lambda t: t.squeeze(dim), [x], rng, float32=False)
    new_dim = data.draw(st.integers(-ndim - 1, ndim), label="unsqueeze dim")
    assert_forward(lambda t: t.unsqueeze(new_dim), lambda a: np.expand_dims(a, new_dim), [x])
    assert_forward(
        lambda t: minigrad.unsqueeze(t, new_dim), lambda a: np.expand_dims(a, new_dim), [x]
    )
    check_gradients(lambda t: t.unsqueeze(new_dim), [x], rng, float32=False)


@st.composite
def expand_shapes(draw):
    """(small, target): small broadcasts to target; target may also use -1 for 'keep'."""
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=1, max_dims=3, max_side=3))
    small, target = shapes.input_shapes[0], shapes.result_shape
    extra = draw(st.lists(st.integers(1, 3), max_size=1))
    target = tuple(extra) + target
    offset = len(target) - len(small)
    sizes = tuple(
        -1 if i >= offset and small[i - offset] == size and draw(st.booleans()) else size
        for i, size in enumerate(target)
    )
    return small, target, sizes


@FAST
@given(shapes=expand_shapes(), seed=SEEDS)
def test_expand(shapes, seed):
    small, target, sizes = shapes
    rng = np.random.default_rng(seed)
    x = normal(rng, small)
    assert_forward(lambda t: t.expand(*sizes), lambda a: np.broadcast_to(a, target), [x])
    assert_forward(lambda t: t.expand(sizes), lambda a: np.broadcast_to(a, target), [x])
    like = minigrad.zeros(target)
    assert_forward(lambda t: t.expand_as(like), lambda a: np.broadcast_to(a, target), [x])
    check_gradients(lambda t: t.expand(*sizes), [x], rng)


# ---------------------------------------------------------------------- indexing
@st.composite
def basic_index(draw, shape):
    """A tuple of ints (maybe negative), slices (maybe with steps), None and maybe one ``...``.

    The items address the leading dimensions, or the trailing ones after a ``...``.
    """
    count = draw(st.integers(0, len(shape)))
    trailing = draw(st.booleans())
    sizes = shape[len(shape) - count :] if trailing else shape[:count]
    items = []
    for size in sizes:
        kind = draw(st.sampled_from(["int", "slice", "full"]))
        if kind == "int":
            items.append(draw(st.integers(-size, size - 1)))
        elif kind == "slice":
            start = draw(st.none() | st.integers(-size, size))
            stop = draw(st.none() | st.integers(-size, size))
            step = draw(st.none() | st.integers(1, 2))
            items.append(slice(start, stop, step))
        else:
            items.append(slice(None))
    if trailing:
        items.insert(0, Ellipsis)
    elif draw(st.booleans()):
        items.append(Ellipsis)
    if draw(st.booleans()):
        items.insert(draw(st.integers(0, len(items))), None)
    return tuple(items)


@settings(max_examples=40)
@given(shape=NONEMPTY_DIMS, data=st.data(), seed=SEEDS)
def test_basic_indexing(shape, data, seed):
    index = data.draw(basic_index(shape), label="index")
    rng = np.random.default_rng(seed)
    x = normal(rng, shape)
    assert_forward(lambda t: t[index], lambda a: a[index], [x])
    if x[index].size:
        check_gradients(lambda t: t[index], [x], rng, float32=False)
    # A single int or slice (not in a tuple) too.
    first = index[0] if index and index[0] is not None and index[0] is not Ellipsis else -1
    assert_forward(lambda t: t[first], lambda a: a[first], [x])


@settings(max_examples=40)
@given(shape=NONEMPTY_DIMS, data=st.data(), seed=SEEDS)
def test_indexing_with_lists_arrays_and_tensors(shape, data, seed):
    size = shape[0]
    # Repeated and negative positions: a position picked twice gets both gradients.
    picks = data.draw(st.lists(st.integers(-size, size - 1), min_size=1, max_size=5), label="picks")
    form = data.draw(st.sampled_from(["list", "array", "tensor"]), label="form")
    index = {"list": picks, "array": np.array(picks), "tensor": minigrad.tensor(picks)}[form]
    rng = np.random.default_rng(seed)
    x = normal(rng, shape)
    assert_forward(lambda t: t[index], lambda a: a[np.array(picks)], [x])
    grad = check_gradients(lambda t: t[index], [x], rng)[0]
    # Rows never picked get exactly zero.
    unpicked = sorted(set(range(size)) - {p % size for p in picks})
    assert not np.any(grad[unpicked])
    if len(shape) >= 2:
        column = data.draw(st.integers(-shape[1], shape[1] - 1), label="column")
        assert_forward(lambda t: t[index, column], lambda a: a[np.array(picks), column], [x])
        check_gradients(lambda t: t[:, [column, column]], [x], rng, float32=False)


@settings(max_examples=40)
@given(shape=NONEMPTY_DIMS, seed=SEEDS, whole=st.booleans())
def test_indexing_with_boolean_masks(shape, seed, whole):
    rng = np.random.default_rng(seed)
    x = normal(rng, shape)
    mask = rng.random(shape if whole else shape[:1]) < 0.5
    for index in (mask, minigrad.tensor(mask)):
        assert_forward(lambda t, index=index: t[index], lambda a: a[mask], [x])
    if mask.any():
        grad = check_gradients(lambda t: t[minigrad.tensor(mask)], [x], rng)[0]
        assert not np.any(grad[~mask])
    # The comparison idiom: x[x > 0].
    assert_forward(lambda t: t[t > 0], lambda a: a[a > 0], [x])


# ---------------------------------------------------------------------- cat and stack
@st.composite
def cat_inputs(draw):
    """Shapes equal except along ``dim``, and that dim (maybe negative)."""
    shape = draw(NONEMPTY_DIMS)
    ndim = len(shape)
    dim = draw(st.integers(-ndim, ndim - 1))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=4))
    shapes = [shape[: dim % ndim] + (size,) + shape[dim % ndim + 1 :] for size in sizes]
    return shapes, dim


@FAST
@given(inputs=cat_inputs(), seed=SEEDS)
def test_cat(inputs, seed):
    shapes, dim = inputs
    rng = np.random.default_rng(seed)
    arrays = [normal(rng, s) for s in shapes]

    def op(*tensors):
        return minigrad.cat(list(tensors), dim)

    assert_forward(op, lambda *a: np.concatenate(a, axis=dim), arrays)
    assert_forward(
        lambda *t: minigrad.cat(t, dim=dim), lambda *a: np.concatenate(a, axis=dim), arrays
    )
    check_gradients(op, arrays, rng)


@FAST
@given(shape=SHAPES, count=st.integers(1, 4), data=st.data(), seed=SEEDS)
def test_stack(shape, count, data, seed):
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)), label="dim")
    rng = np.random.default_rng(seed)
    arrays = [normal(rng, shape) for _ in range(count)]

    def op(*tensors):
        return minigrad.stack(list(tensors), dim)

    assert_forward(op, lambda *a: np.stack(a, axis=dim), arrays)
    check_gradients(op, arrays, rng)


def test_cat_gives_a_constant_member_no_gradient(rng):
    a = minigrad.tensor(normal(rng, (2, 3)), requires_grad=True)
    b = minigrad.tensor(normal(rng, (1, 3)))
    out = minigrad.cat([a, b])
    assert out.grad_fn.next_functions[1] == (None, 0)
    (out * minigrad.arange(9.0).reshape(3, 3)).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [[0, 1, 2], [3, 4, 5]])
    assert b.grad is None


# ---------------------------------------------------------------------- a composite expression
@FAST
@given(shapes=BROADCAST_PAIRS, seed=SEEDS)
def test_a_composite_expression(shapes, seed):
    """Several ops, a shared input used on several paths, broadcasting everywhere."""
    rng = np.random.default_rng(seed)
    a, b = normal(rng, shapes.input_shapes[0]), positive(rng, shapes.input_shapes[1])

    def op(x, y):
        return (x * y).tanh() + (y.log() - x) ** 2 / (1 + y) + x.sigmoid() * y.sqrt()

    def numpy_op(x, y):
        return np.tanh(x * y) + (np.log(y) - x) ** 2 / (1 + y) + _sigmoid(x) * np.sqrt(y)

    assert_forward(op, numpy_op, [a, b])
    check_gradients(op, [a, b], rng)


# ---------------------------------------------------------------------- dtypes of results
def _t(kind: str) -> Tensor:
    """A 1-D tensor (or 0-dim with a trailing 0) of a dtype named by a short code."""
    dtype = {"f": minigrad.float32, "d": minigrad.float64, "i": minigrad.int64, "b": minigrad.bool}[
        kind[0]
    ]
    data = 1 if kind.endswith("0") else [1, 1]
    return minigrad.tensor(data, dtype=dtype)


# expression → torch 2.13.0's result dtype (f: float32, d: float64, i: int64, b: bool;
# a trailing 0 marks a 0-dim tensor). Read off torch with the same expressions.
RESULT_DTYPES = {
    "f + 1": ("float32", lambda: _t("f") + 1),
    "f + 1.5": ("float32", lambda: _t("f") + 1.5),
    "i + 1": ("int64", lambda: _t("i") + 1),
    "i + 1.5": ("float32", lambda: _t("i") + 1.5),
    "i * True": ("int64", lambda: _t("i") * True),
    "b + 1": ("int64", lambda: _t("b") + 1),
    "b + 1.5": ("float32", lambda: _t("b") + 1.5),
    "b + True": ("bool", lambda: _t("b") + True),
    "d + 1.5": ("float64", lambda: _t("d") + 1.5),
    "f + d": ("float64", lambda: _t("f") + _t("d")),
    "f + d0": ("float32", lambda: _t("f") + _t("d0")),
    "i + f": ("float32", lambda: _t("i") + _t("f")),
    "i + f0": ("float32", lambda: _t("i") + _t("f0")),
    "f + i0": ("float32", lambda: _t("f") + _t("i0")),
    "i / i": ("float32", lambda: _t("i") / _t("i")),
    "i / 2": ("float32", lambda: _t("i") / 2),
    "2 / i": ("float32", lambda: 2 / _t("i")),
    "i ** 2": ("int64", lambda: _t("i") ** 2),
    "i ** 0.5": ("float32", lambda: _t("i") ** 0.5),
    "2.0 ** i": ("float32", lambda: 2.0 ** _t("i")),
    "i - 1.5": ("float32", lambda: _t("i") - 1.5),
    "1.5 - i": ("float32", lambda: 1.5 - _t("i")),
    "b * b": ("bool", lambda: _t("b") * _t("b")),
    "i @ i": ("int64", lambda: _t("i") @ _t("i")),
    "i.exp()": ("float32", lambda: _t("i").exp()),
    "i.sqrt()": ("float32", lambda: _t("i").sqrt()),
    "i.sum()": ("int64", lambda: _t("i").sum()),
    "b.sum()": ("int64", lambda: _t("b").sum()),
    "f.sum()": ("float32", lambda: _t("f").sum()),
    "d.mean()": ("float64", lambda: _t("d").mean()),
    "i.abs()": ("int64", lambda: _t("i").abs()),
    "i.relu()": ("int64", lambda: _t("i").relu()),
    "-i": ("int64", lambda: -_t("i")),
    "i.max()": ("int64", lambda: _t("i").max()),
    "i.clamp(0, 1)": ("int64", lambda: _t("i").clamp(0, 1)),
    "i.clamp(0.5)": ("float32", lambda: _t("i").clamp(0.5)),
    "where(b, f, i)": ("float32", lambda: minigrad.where(_t("b"), _t("f"), _t("i"))),
    "where(b, i, 1.5)": ("float32", lambda: minigrad.where(_t("b"), _t("i"), 1.5)),
    "cat([i, f])": ("float32", lambda: minigrad.cat([_t("i"), _t("f")])),
    "stack([f, d])": ("float64", lambda: minigrad.stack([_t("f"), _t("d")])),
    "i < f": ("bool", lambda: _t("i") < _t("f")),
}


@pytest.mark.parametrize("expression", list(RESULT_DTYPES))
def test_result_dtypes_follow_pytorch_promotion(expression):
    expected, build = RESULT_DTYPES[expression]
    result = build()
    assert result.dtype is getattr(minigrad, expected), f"{expression} gave {result.dtype}"
    # The NumPy array underneath agrees with the dtype the tensor reports.
    assert result.data.dtype == getattr(minigrad, expected).numpy


def test_result_dtypes_match_torch(torch):
    """The table above, re-read from torch (skipped without torch)."""
    codes = {"f": torch.float32, "d": torch.float64, "i": torch.int64, "b": torch.bool}

    def t(kind):
        return torch.tensor(1 if kind.endswith("0") else [1, 1], dtype=codes[kind[0]])

    namespace = {k: t(k) for k in ("f", "d", "i", "b", "d0", "f0", "i0")}
    namespace["where"], namespace["cat"], namespace["stack"] = torch.where, torch.cat, torch.stack
    for expression, (expected, _) in RESULT_DTYPES.items():
        result = eval(expression, namespace)  # noqa: S307 - our own table of expressions
        assert str(result.dtype) == f"torch.{expected}", expression


@pytest.mark.parametrize("make_input", [lambda: _t("f"), lambda: _t("d")])
def test_mixed_float_inputs_each_get_a_gradient_of_their_own_dtype(make_input):
    a = _t("f").requires_grad_()
    b = make_input().requires_grad_()
    (a * b * 3).sum().backward()
    assert a.grad.dtype is minigrad.float32 and b.grad.dtype is b.dtype
    np.testing.assert_array_equal(a.grad.data, [3, 3])
    np.testing.assert_array_equal(b.grad.data, [3, 3])


def test_float_operations_default_to_float32():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    assert x.dtype is minigrad.float32
    y = (x.exp() * 2 + 1).sum()
    assert y.dtype is minigrad.float32
    y.backward()
    assert x.grad.dtype is minigrad.float32
