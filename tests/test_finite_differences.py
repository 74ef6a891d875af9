"""Tests for the finite-difference helpers of chapter 01 (minigrad.finite_differences)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minigrad.finite_differences import (
    central_difference,
    forward_difference,
    numerical_gradient,
    numerical_jacobian,
)

# sin at x = 1 has f'' = -sin(1) and f''' = -cos(1), both far from zero, so neither
# difference formula gets lucky and the leading error term shows its true order.
X0 = 1.0
EXACT = math.cos(X0)


def log_log_slope(method, steps):
    """Slope of log(error) against log(h): the measured order of the method."""
    errors = [abs(method(math.sin, X0, h) - EXACT) for h in steps]
    slope, _ = np.polyfit(np.log(steps), np.log(errors), 1)
    return slope


def test_forward_difference_error_is_first_order():
    # From h = 0.1 to 1e-5 the truncation error (about h/2 * sin(1)) dwarfs round-off.
    assert log_log_slope(forward_difference, np.logspace(-1, -5, 9)) == pytest.approx(1.0, abs=0.05)


def test_central_difference_error_is_second_order():
    # Stop at h = 1e-4: below that the h**2 error (1e-9) starts to meet round-off.
    assert log_log_slope(central_difference, np.logspace(-1, -4, 7)) == pytest.approx(2.0, abs=0.05)


def test_central_difference_beats_forward_difference_at_the_same_step():
    for h in (1e-1, 1e-2, 1e-3, 1e-4):
        forward_error = abs(forward_difference(math.sin, X0, h) - EXACT)
        central_error = abs(central_difference(math.sin, X0, h) - EXACT)
        assert central_error < forward_error / 10


def test_too_small_a_step_makes_the_error_grow_again():
    # Round-off error grows like eps / h: at h = 1e-13 only a few digits of
    # f(x + h) - f(x) are left, far worse than at a sensible step.
    for method, good_h in ((forward_difference, 1e-8), (central_difference, 1e-5)):
        good = abs(method(math.sin, X0, good_h) - EXACT)
        tiny = abs(method(math.sin, X0, 1e-13) - EXACT)
        assert good < 1e-7
        assert tiny > 100 * good


@settings(deadline=None)
@given(x=st.floats(-10, 10), h=st.floats(1e-3, 1.0))
def test_difference_formulas_on_a_quadratic(x, h):
    # For f = 3x² + 2x + 1 the Taylor series stops at h²: the forward difference is
    # off by exactly h/2 * f'' = 3h, and the central difference is exact.
    def f(t):
        return 3 * t * t + 2 * t + 1

    exact = 6 * x + 2
    assert forward_difference(f, x, h) - exact == pytest.approx(3 * h, rel=1e-6, abs=1e-9)
    assert central_difference(f, x, h) == pytest.approx(exact, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("method", [forward_difference, central_difference])
@pytest.mark.parametrize("h", [0.0, -1e-6])
def test_difference_needs_a_positive_step(method, h):
    with pytest.raises(ValueError, match="positive"):
        method(math.sin, 1.0, h)


def test_numerical_gradient_of_several_inputs_has_their_shapes():
    x = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
    y = np.array([2.0, -1.0, 4.0])

    def f(x, y):
        return np.sum(x * y) + np.sum(x**2)  # y broadcasts over the rows of x

    grad_x, grad_y = numerical_gradient(f, [x, y])
    assert grad_x.shape == (2, 3) and grad_y.shape == (3,)
    assert grad_x.dtype == np.float64 and grad_y.dtype == np.float64
    np.testing.assert_allclose(grad_x, y + 2 * x, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(grad_y, x.sum(axis=0), rtol=1e-8, atol=1e-8)


def test_numerical_gradient_works_in_float64_and_leaves_inputs_alone():
    x = np.array([0.3, -1.7, 2.2], dtype=np.float32)
    before = x.copy()
    seen_dtypes = []

    def f(x):
        seen_dtypes.append(x.dtype)
        return np.sum(x**3)

    (grad,) = numerical_gradient(f, [x])
    assert set(seen_dtypes) == {np.dtype(np.float64)}
    # In float32 a step of 1e-6 is below the spacing of numbers near 2 and would give
    # garbage; in float64 the answer is accurate to many digits.
    np.testing.assert_allclose(grad, 3 * x.astype(np.float64) ** 2, rtol=1e-8)
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_accepts_a_single_array_and_zero_dim_inputs():
    (grad,) = numerical_gradient(lambda x: np.sum(np.exp(x)), np.array([0.0, 1.0]))
    np.testing.assert_allclose(grad, np.exp([0.0, 1.0]), rtol=1e-8)
    grad_a, grad_b = numerical_gradient(lambda a, b: a * b**2, [2.0, np.array(3.0)])
    assert grad_a.shape == () and grad_b.shape == ()
    assert float(grad_a) == pytest.approx(9.0, rel=1e-8)
    assert float(grad_b) == pytest.approx(12.0, rel=1e-8)


def test_numerical_gradient_survives_a_function_that_modifies_its_input():
    def f(x):
        x += 1.0  # in place: must not move the point being differentiated
        return np.sum(x**2)

    x = np.array([1.0, 2.0])
    (grad,) = numerical_gradient(f, [x])
    np.testing.assert_allclose(grad, 2 * (x + 1.0), rtol=1e-8)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_gradient_needs_a_scalar_output():
    with pytest.raises(ValueError, match=r"shape \(3,\).*numerical_jacobian"):
        numerical_gradient(lambda x: 2 * x, [np.ones(3)])


def test_numerical_helpers_reject_non_numeric_inputs_and_bad_steps():
    with pytest.raises(TypeError, match="numbers or arrays of numbers.*str"):
        numerical_gradient(lambda x: x, ["abc"])
    with pytest.raises(ValueError, match="positive"):
        numerical_jacobian(lambda x: x, [np.ones(2)], h=0.0)


def test_numerical_jacobian_of_a_linear_map_is_its_matrix():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4, 3))
    b = rng.normal(size=(4, 2))
    c = rng.normal(size=4)

    def f(x, y):
        return a @ x + b @ y + c

    jac_x, jac_y = numerical_jacobian(f, [rng.normal(size=3), rng.normal(size=2)])
    assert jac_x.shape == (4, 3) and jac_y.shape == (4, 2)
    np.testing.assert_allclose(jac_x, a, atol=1e-9)
    np.testing.assert_allclose(jac_y, b, atol=1e-9)


def test_numerical_jacobian_numbers_matrix_entries_in_row_major_order():
    v = np.array([1.0, 2.0, 3.0])
    matrix = np.arange(6.0).reshape(2, 3)
    (jac,) = numerical_jacobian(lambda m: m @ v, [matrix])
    # out_i = sum_k m[i, k] v[k]: row i of the Jacobian holds v at the entries of row i
    # of m, which are entries 3i .. 3i + 2 in ravel() order.
    expected = np.array([[1.0, 2.0, 3.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0, 2.0, 3.0]])
    np.testing.assert_allclose(jac, expected, atol=1e-9)


def test_numerical_jacobian_of_a_scalar_output_and_of_an_empty_input():
    (row,) = numerical_jacobian(lambda x: np.sum(x**2), [np.array([1.0, -2.0])])
    np.testing.assert_allclose(row, [[2.0, -4.0]], rtol=1e-8)
    (empty,) = numerical_jacobian(lambda x: np.ones(3) + x.sum(), [np.zeros(0)])
    assert empty.shape == (3, 0)


@settings(deadline=None, max_examples=50)
@given(
    x=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=0, max_dims=3, max_side=3),
        elements=st.floats(-3, 3),
    )
)
def test_numerical_jacobian_of_an_elementwise_function_is_diagonal(x):
    (jac,) = numerical_jacobian(np.sin, [x])
    assert jac.shape == (x.size, x.size)
    np.testing.assert_allclose(jac, np.diag(np.cos(x).ravel()), atol=1e-9)
