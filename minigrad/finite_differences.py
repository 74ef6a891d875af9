"""Numerical derivatives by finite differences (chapter 01).

Autograd is not numerical differentiation, but finite differences are how we *check* it:
nudge an input by a small step ``h``, watch the output move, and divide. These helpers
work on plain Python floats and NumPy arrays, so they can be used before tensors exist;
``minigrad.autograd.gradcheck`` builds on ``numerical_jacobian``.

How small should ``h`` be? The error has two parts that pull in opposite directions:

* truncation error, from the Taylor terms the formula leaves out: about ``C * h`` for the
  forward difference and ``C * h**2`` for the central difference, shrinking as h shrinks;
* round-off error: f(x + h) and f(x) agree in almost all their digits, so their float64
  difference keeps only the last few, which are noise of size ``eps * |f(x)|`` with
  ``eps ≈ 2.2e-16``. Dividing that noise by ``h`` makes it *grow* like ``eps / h``.

Below the best step (about ``sqrt(eps) ≈ 1e-8`` for the forward difference and
``eps ** (1/3) ≈ 6e-6`` for the central one) the round-off wins and a smaller ``h`` gives a
*worse* answer. Hence the default ``h = 1e-6`` for central differences in float64.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "forward_difference",
    "central_difference",
    "numerical_gradient",
    "numerical_jacobian",
]


def forward_difference(f: Callable[[float], float], x: float, h: float) -> float:
    """Approximate f'(x) by (f(x + h) - f(x)) / h.

    Taylor: f(x + h) = f(x) + h f'(x) + h²/2 f''(x) + ..., so the result is
    f'(x) + h/2 f''(x) + ...: the error is O(h) (halving h halves the error).
    """
    _check_step(h)
    return (f(x + h) - f(x)) / h


def central_difference(f: Callable[[float], float], x: float, h: float) -> float:
    """Approximate f'(x) by (f(x + h) - f(x - h)) / (2h).

    The even Taylor terms cancel between f(x + h) and f(x - h), so the result is
    f'(x) + h²/6 f'''(x) + ...: the error is O(h²) (halving h quarters the error).
    """
    _check_step(h)
    return (f(x + h) - f(x - h)) / (2.0 * h)


def numerical_gradient(
    f: Callable[..., object],
    inputs: Sequence[ArrayLike] | np.ndarray,
    h: float = 1e-6,
) -> tuple[np.ndarray, ...]:
    """The gradient of a scalar function of several arrays, by central differences.

    For each entry x_j of each input: df/dx_j ≈ (f(.., x_j + h, ..) - f(.., x_j - h, ..)) / (2h),
    error O(h²). ``f(*inputs)`` must return a single number. The inputs are copied to
    float64 first (so integer and float32 inputs are differentiated accurately) and are
    never modified. Returns one float64 array per input, shaped like that input.
    """
    name = "numerical_gradient"
    arrays = _as_float64_inputs(inputs, name)
    _check_step(h)
    output = _call(f, arrays)
    if output.size != 1:
        raise ValueError(
            f"{name} needs f to return a single number, but it returned an array of "
            f"shape {output.shape}; use numerical_jacobian for functions with array outputs"
        )
    blocks = _central_difference_blocks(f, arrays, h, out_size=1)
    return tuple(block.reshape(array.shape) for block, array in zip(blocks, arrays))


def numerical_jacobian(
    f: Callable[..., object],
    inputs: Sequence[ArrayLike] | np.ndarray,
    h: float = 1e-6,
) -> tuple[np.ndarray, ...]:
    """The Jacobian of an array-valued function of several arrays, by central differences.

    Returns one block per input, of shape (out.size, input.size), where out = f(*inputs):
    J[i, j] = d out_i / d x_j ≈ (out_i(x_j + h) - out_i(x_j - h)) / (2h), error O(h²).
    Entries are numbered in row-major (C) order, as ``ndarray.ravel()`` numbers them.
    The inputs are copied to float64 first and never modified.
    """
    arrays = _as_float64_inputs(inputs, "numerical_jacobian")
    _check_step(h)
    out_size = _call(f, arrays).size
    return tuple(_central_difference_blocks(f, arrays, h, out_size))


def _central_difference_blocks(
    f: Callable[..., object], arrays: list[np.ndarray], h: float, out_size: int
) -> list[np.ndarray]:
    """One (out_size, input.size) block of central differences per input."""
    blocks = []
    for array in arrays:
        block = np.zeros((out_size, array.size), dtype=np.float64)
        flat = array.reshape(-1)  # a view: writing to it moves the entry in ``array``
        for j in range(array.size):
            original = flat[j]
            flat[j] = original + h
            plus = _call(f, arrays)
            flat[j] = original - h
            minus = _call(f, arrays)
            # Restore the exact original (not original + h - h, which may round
            # differently) so later entries are differentiated at the true point.
            flat[j] = original
            block[:, j] = (plus - minus) / (2.0 * h)
        blocks.append(block)
    return blocks


def _call(f: Callable[..., object], arrays: list[np.ndarray]) -> np.ndarray:
    # Hand ``f`` copies, so a function that modifies its arguments in place cannot
    # corrupt the point we are differentiating at.
    output = f(*(array.copy() for array in arrays))
    return np.asarray(output, dtype=np.float64).reshape(-1)


def _as_float64_inputs(inputs: Sequence[ArrayLike] | np.ndarray, name: str) -> list[np.ndarray]:
    """Float64 copies of the inputs; a single array counts as a one-element sequence."""
    if isinstance(inputs, np.ndarray) or np.isscalar(inputs):
        inputs = (inputs,)
    arrays = []
    for position, value in enumerate(inputs):
        try:
            arrays.append(np.array(value, dtype=np.float64))  # always a copy
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"{name} expects inputs that are numbers or arrays of numbers, "
                f"got {type(value).__name__} at position {position}: {value!r}"
            ) from error
    return arrays


def _check_step(h: float) -> None:
    if not h > 0.0:
        raise ValueError(f"the step h must be a positive number, got h={h!r}")
