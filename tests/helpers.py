"""Helpers shared by the engine's tests: finite-difference gradient checks and random inputs.

The gradient check is the course's own definition of "correct": for a scalar
L = (op(x, y, ...) * w).sum() with a random weight w, autograd's dL/dx must agree
with the central difference (L(x + h) - L(x - h)) / 2h in float64. A random w
(rather than a plain ``.sum()``) makes every output element matter with a
different weight, so a gradient sent to the wrong element cannot pass by luck.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

import minigrad
from minigrad.finite_differences import numerical_gradient

# In float64 a central difference with h = 1e-6 is accurate to ~1e-9 relative, so
# these tolerances only leave room for round-off, never for a wrong formula.
RTOL = 1e-5
ATOL = 1e-6


def weighted_scalar(op: Callable, tensors: Sequence[minigrad.Tensor], weight: np.ndarray):
    """(op(*tensors) * w).sum(): a scalar whose gradient is the vector-Jacobian product with w."""
    out = op(*tensors)
    return (out * minigrad.tensor(weight, dtype=out.dtype)).sum()


def check_gradients(
    op: Callable,
    arrays: Sequence[np.ndarray],
    rng: np.random.Generator,
    float32: bool = True,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> list[np.ndarray]:
    """Check autograd's gradients of ``op`` at ``arrays`` against central differences.

    The check runs in float64 (tight tolerances), then, with ``float32=True``, again
    with float32 inputs (loose tolerances: float32 keeps ~7 digits), and checks that
    every gradient has its input's shape and dtype. Returns the float64 gradients.
    """
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    with minigrad.no_grad():
        out_shape = op(*(minigrad.tensor(a, dtype=minigrad.float64) for a in arrays)).shape
    weight = rng.standard_normal(out_shape)

    def loss(*values: np.ndarray) -> float:
        with minigrad.no_grad():
            inputs = [minigrad.tensor(v, dtype=minigrad.float64) for v in values]
            return weighted_scalar(op, inputs, weight).item()

    expected = numerical_gradient(loss, arrays)
    scale = max([1.0] + [float(np.abs(e).max(initial=0.0)) for e in expected])
    grads = _autograd_gradients(op, arrays, weight, minigrad.float64)
    for index, (grad, numeric) in enumerate(zip(grads, expected)):
        np.testing.assert_allclose(
            grad,
            numeric,
            rtol=rtol,
            atol=atol * scale,
            err_msg=f"float64 gradient of input {index}",
        )
    if float32:
        for index, (grad, numeric) in enumerate(
            zip(_autograd_gradients(op, arrays, weight, minigrad.float32), expected)
        ):
            np.testing.assert_allclose(
                grad,
                numeric,
                rtol=2e-3,
                atol=2e-3 * scale,
                err_msg=f"float32 gradient of input {index}",
            )
    return grads


def _autograd_gradients(op: Callable, arrays: list, weight: np.ndarray, dtype) -> list[np.ndarray]:
    """Backward of (op * w).sum() from ``dtype`` leaves; checks each gradient's shape, dtype."""
    tensors = [minigrad.tensor(a, dtype=dtype, requires_grad=True) for a in arrays]
    weighted_scalar(op, tensors, weight).backward()
    grads = []
    for index, tensor in enumerate(tensors):
        grad = tensor.grad
        assert grad is not None, f"input {index} got no gradient"
        assert grad.shape == tensor.shape, f"input {index}: gradient of shape {grad.shape}"
        assert grad.dtype is dtype, f"input {index}: gradient of dtype {grad.dtype}, not {dtype}"
        assert grad.grad_fn is None and not grad.requires_grad
        grads.append(np.array(grad.data, dtype=np.float64))
    return grads


def spaced_values(
    rng: np.random.Generator, shape: tuple, low: float = -3.0, step: float = 0.25
) -> np.ndarray:
    """Distinct values at least ``step`` apart, in random order, none exactly 0.

    Used where an op has a kink or a tie (max, min, abs, relu, clamp): no two
    values are equal, and all are further than ``step / 2`` from 0, so a
    finite-difference step of 1e-6 never crosses a kink.
    """
    count = int(np.prod(shape, dtype=np.int64))
    values = low + step / 2 + step * rng.permutation(max(count, 1))[:count]
    return values.reshape(shape)
