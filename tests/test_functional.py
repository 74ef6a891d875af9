"""Tests of ``minigrad.autograd.functional``: jacobian, hessian, vjp, jvp, hvp, vhp.

Each product is checked against a matrix worked out by hand (so the suite proves it
without PyTorch), against central differences, and, where PyTorch is installed,
against ``torch.autograd.functional`` on the same functions in float64. The nesting of
results (what is a Tensor, what is a tuple, which shape) is PyTorch's, written below as
data and checked against torch when it is there.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import minigrad
import minigrad.autograd.engine as engine
from minigrad.autograd import functional as F
from minigrad.finite_differences import numerical_jacobian


def t64(values, requires_grad: bool = False) -> minigrad.Tensor:
    return minigrad.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


def assert_close(actual, expected, rtol: float = 1e-7, atol: float = 1e-9) -> None:
    actual = actual.data if isinstance(actual, minigrad.Tensor) else np.asarray(actual)
    expected = expected.data if isinstance(expected, minigrad.Tensor) else np.asarray(expected)
    assert actual.shape == expected.shape, f"shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


# ---------------------------------------------------------------------------- test functions
# Fixed points and matrices (float64) at which the hand-derived Jacobians are evaluated.
A = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]])  # a linear map R³ -> R²
X3 = np.array([0.3, -1.2, 0.8])
C3 = np.array([1.0, 2.0, -3.0])
W1 = np.array([[0.5, -0.3, 0.8], [0.2, 0.7, -0.6], [-0.4, 0.1, 0.9], [0.3, -0.8, 0.2]])
B1 = np.array([0.1, -0.2, 0.05, 0.3])
W2 = np.array([[0.6, -0.5, 0.3, 0.2], [-0.1, 0.4, 0.7, -0.9]])
B2 = np.array([0.2, -0.1])


def linear(x):
    return t64(A) @ x


def elementwise(x):
    return x**2 * t64(C3)


def softmax(x):
    return x.softmax(0)


def mlp(x):
    hidden = (t64(W1) @ x + t64(B1)).tanh()
    return t64(W2) @ hidden + t64(B2)


def softmax_matrix(x: np.ndarray) -> np.ndarray:
    s = np.exp(x - x.max()) / np.exp(x - x.max()).sum()
    return np.diag(s) - np.outer(s, s)  # ∂s_i/∂x_j = s_i (δ_ij - s_j)


def mlp_matrix(x: np.ndarray) -> np.ndarray:
    hidden = np.tanh(W1 @ x + B1)
    return W2 @ np.diag(1.0 - hidden**2) @ W1  # chain rule: W2 · tanh'(z) · W1


# (name, function, its Jacobian at X3 by hand)
JACOBIAN_CASES = [
    ("linear", linear, lambda x: A),
    ("elementwise", elementwise, lambda x: np.diag(2.0 * x * C3)),
    ("softmax", softmax, softmax_matrix),
    ("mlp", mlp, mlp_matrix),
]
IDS = [case[0] for case in JACOBIAN_CASES]


# ---------------------------------------------------------------------------- jacobian
@pytest.mark.parametrize("name, func, by_hand", JACOBIAN_CASES, ids=IDS)
def test_jacobian_matches_the_matrix_worked_out_by_hand(name, func, by_hand):
    J = F.jacobian(func, t64(X3))
    assert isinstance(J, minigrad.Tensor)
    assert_close(J, by_hand(X3))


@pytest.mark.parametrize("name, func, by_hand", JACOBIAN_CASES, ids=IDS)
def test_jacobian_matches_central_differences(name, func, by_hand, rng):
    x = rng.uniform(-1.0, 1.0, 3)

    def on_array(array):
        return func(t64(array)).data

    (numerical,) = numerical_jacobian(on_array, [x])
    assert_close(F.jacobian(func, t64(x)), numerical, rtol=1e-6, atol=1e-8)


def test_jacobian_of_a_matrix_function_has_shape_output_then_input(rng):
    x = rng.standard_normal((2, 3))
    J = F.jacobian(lambda m: m.tanh().sum(dim=0), t64(x))
    assert J.shape == (3, 2, 3)  # out.shape + in.shape
    expected = np.zeros((3, 2, 3))
    for i in range(2):
        for j in range(3):
            expected[j, i, j] = 1.0 - np.tanh(x[i, j]) ** 2
    assert_close(J, expected)


def test_jacobian_runs_one_backward_pass_per_output_element(monkeypatch):
    calls = []
    real = minigrad.autograd.run_backward

    def counting(*args, **kwargs):
        calls.append(args[1][0].shape)  # the seed: a one-hot vector shaped like the output
        return real(*args, **kwargs)

    monkeypatch.setattr(minigrad.autograd, "run_backward", counting)
    F.jacobian(mlp, t64(X3))
    assert len(calls) == 2  # mlp has 2 outputs: 2 rows, 2 backward passes
    assert all(shape == (2,) for shape in calls)


def test_forward_mode_jacobian_builds_columns_without_any_backward(monkeypatch):
    expected = F.jacobian(mlp, t64(X3))
    forbid_backward(monkeypatch)
    J = F.jacobian(mlp, t64(X3), vectorize=True, strategy="forward-mode")
    assert_close(J, expected)


def test_forward_mode_jacobian_needs_vectorize_as_in_pytorch():
    with pytest.raises(NotImplementedError, match="isonly implemented for `vectorize=True`"):  # PyTorch's typo
        F.jacobian(mlp, t64(X3), strategy="forward-mode")
    with pytest.raises(AssertionError, match="strategy"):
        F.jacobian(mlp, t64(X3), strategy="sideways")


def f_two_in_two_out(a, b):
    return a * b, a.sum()


# Shapes of every block of the nested results, as torch 2.13.0 returns them for inputs
# a, b of shape (2,) (checked against torch below when it is installed).
NESTING_SHAPES = {
    "one_in_one_out": (2,) + (2,),
    "tuple_in_one_out": ((2, 2), (2, 2)),
    "one_in_tuple_out": ((2, 2), (2,)),
    "tuple_in_tuple_out": (((2, 2), (2, 2)), ((2,), (2,))),
    "one_element_tuple_in": ((2, 2),),
}


def nesting_calls(module, a, b):
    """The calls whose results NESTING_SHAPES describes, written for minigrad or torch."""
    jacobian = module.autograd.functional.jacobian
    return {
        "one_in_one_out": jacobian(lambda x: x * b, a),
        "tuple_in_one_out": jacobian(lambda x, y: x * y, (a, b)),
        "one_in_tuple_out": jacobian(lambda x: (x * b, x.sum()), a),
        "tuple_in_tuple_out": jacobian(f_two_in_two_out, (a, b)),
        "one_element_tuple_in": jacobian(lambda x: x * b, (a,)),
    }


def shapes_of(result):
    if isinstance(result, tuple):
        return tuple(shapes_of(r) for r in result)
    return tuple(result.shape)


def test_jacobian_nests_results_as_pytorch():
    a, b = t64([1.0, 2.0]), t64([3.0, 4.0])
    results = nesting_calls(minigrad, a, b)
    assert {name: shapes_of(r) for name, r in results.items()} == NESTING_SHAPES
    (ja_ab, jb_ab), (ja_sum, jb_sum) = results["tuple_in_tuple_out"]
    assert_close(ja_ab, np.diag([3.0, 4.0]))  # ∂(a·b)/∂a = diag(b)
    assert_close(jb_ab, np.diag([1.0, 2.0]))  # ∂(a·b)/∂b = diag(a)
    assert_close(ja_sum, [1.0, 1.0])
    assert_close(jb_sum, [0.0, 0.0])  # a.sum() does not depend on b: zeros, not None


def test_nesting_shapes_are_pytorchs(torch):
    a = torch.tensor([1.0, 2.0], dtype=torch.float64)
    b = torch.tensor([3.0, 4.0], dtype=torch.float64)
    results = nesting_calls(torch, a, b)
    assert {name: shapes_of(r) for name, r in results.items()} == NESTING_SHAPES


def test_jacobian_of_an_output_that_ignores_the_input_is_zero_or_an_error_when_strict():
    x = t64([1.0, 2.0])
    J = F.jacobian(lambda v: t64([5.0, 6.0]), x)
    assert_close(J, np.zeros((2, 2)))
    with pytest.raises(RuntimeError, match="does not require gradients"):
        F.jacobian(lambda v: t64([5.0, 6.0]), x, strict=True)
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function is independent of input 1"):
        F.jacobian(lambda u, v: (u * 2, u * 3), (x, t64([0.0, 0.0])), strict=True)


def test_jacobian_with_create_graph_can_be_differentiated_again():
    x = t64([0.5, -1.0, 2.0], requires_grad=True)
    J = F.jacobian(lambda v: v**3, x, create_graph=True)
    assert J.requires_grad
    assert_close(J, np.diag(3 * x.data**2))
    J.sum().backward()  # d/dx Σ_i 3x_i² = 6x: the Jacobian stayed connected to x
    assert_close(x.grad, 6 * x.data)


def test_results_are_detached_without_create_graph():
    x = t64([0.5, -1.0], requires_grad=True)
    value, product = F.vjp(lambda v: v.exp(), x, t64([1.0, 1.0]))
    for result in (
        F.jacobian(lambda v: v.exp(), x),
        value,
        product,
        *F.jvp(lambda v: v.exp(), x, x),
    ):
        assert not result.requires_grad and result.grad_fn is None


# ---------------------------------------------------------------------------- hessian
def cubic(x):
    return (x**3).sum() + x[0] * x[1]


def quadratic_form(x):
    Q = t64([[2.0, 1.0, 0.0], [-1.0, 3.0, 0.5], [0.0, 0.5, 1.0]])
    return x @ (Q @ x)


def log_sum_exp(x):
    return x.exp().sum().log()


# (name, scalar function, its Hessian at X3 by hand)
HESSIAN_CASES = [
    ("cubic", cubic, lambda x: np.diag(6.0 * x) + np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]])),
    # xᵀQx has Hessian Q + Qᵀ, symmetric even when Q is not.
    (
        "quadratic_form",
        quadratic_form,
        lambda x: np.array([[4.0, 0.0, 0.0], [0.0, 6.0, 1.0], [0.0, 1.0, 2.0]]),
    ),
    ("log_sum_exp", log_sum_exp, softmax_matrix),  # the Hessian of log Σ exp is softmax's Jacobian
]
HESSIAN_IDS = [case[0] for case in HESSIAN_CASES]


@pytest.mark.parametrize("name, func, by_hand", HESSIAN_CASES, ids=HESSIAN_IDS)
def test_hessian_matches_the_matrix_worked_out_by_hand(name, func, by_hand):
    assert_close(F.hessian(func, t64(X3)), by_hand(X3))


@pytest.mark.parametrize("name, func, by_hand", HESSIAN_CASES, ids=HESSIAN_IDS)
def test_hessian_matches_central_differences_of_the_gradient(name, func, by_hand, rng):
    x = rng.uniform(-1.0, 1.0, 3)

    def gradient(array):
        point = t64(array, requires_grad=True)
        return minigrad.autograd.grad(func(point), point)[0].data

    (numerical,) = numerical_jacobian(gradient, [x])
    assert_close(F.hessian(func, t64(x)), numerical, rtol=1e-6, atol=1e-8)


def test_hessian_of_several_inputs_is_nested_h_i_j():
    def f(a, b):
        return (a**2 * b).sum()  # ∂²/∂a² = diag(2b), ∂²/∂a∂b = diag(2a), ∂²/∂b² = 0

    a, b = t64([1.0, 2.0]), t64([3.0, -1.0])
    (haa, hab), (hba, hbb) = F.hessian(f, (a, b))
    assert_close(haa, np.diag(2 * b.data))
    assert_close(hab, np.diag(2 * a.data))
    assert_close(hba, np.diag(2 * a.data))
    assert_close(hbb, np.zeros((2, 2)))


def test_hessian_of_a_matrix_input_has_shape_input_then_input():
    x = t64([[0.5, -1.0], [2.0, 0.25]])
    H = F.hessian(lambda m: (m**3).sum(), x)
    assert H.shape == (2, 2, 2, 2)
    assert_close(H.reshape(4, 4), np.diag(6 * x.data.reshape(-1)))


def test_forward_over_reverse_hessian_equals_reverse_over_reverse():
    expected = F.hessian(quadratic_form, t64(X3))
    H = F.hessian(quadratic_form, t64(X3), vectorize=True, outer_jacobian_strategy="forward-mode")
    assert_close(H, expected)


def test_hessian_with_create_graph_gives_third_derivatives():
    x = t64([0.5, -1.0], requires_grad=True)
    H = F.hessian(lambda v: (v**4).sum(), x, create_graph=True)  # diag(12x²)
    assert H.requires_grad
    assert_close(H, np.diag(12 * x.data**2))
    H.sum().backward()
    assert_close(x.grad, 24 * x.data)


def test_hessian_needs_a_single_element_output():
    with pytest.raises(RuntimeError, match="should contain a single element"):
        F.hessian(lambda x: x**2, t64(X3))
    with pytest.raises(RuntimeError, match="should return a single Tensor"):
        F.hessian(lambda x: (x.sum(), x.sum()), t64(X3))


def test_strict_hessian_refuses_a_linear_function():
    F.hessian(lambda x: (x * 2).sum(), t64(X3))  # not strict: zeros
    with pytest.raises(RuntimeError, match="jacobian of the user-provided function"):
        F.hessian(lambda x: (x * 2).sum(), t64(X3), strict=True)


# ---------------------------------------------------------------------------- vjp and jvp
V_OUT = {"linear": [1.0, -2.0], "elementwise": [0.5, 1.0, -1.0], "softmax": [1.0, 0.0, 2.0],
         "mlp": [-1.0, 0.5]}  # fmt: skip
V_IN = np.array([0.25, -1.0, 2.0])


@pytest.mark.parametrize("name, func, by_hand", JACOBIAN_CASES, ids=IDS)
def test_vjp_is_v_transposed_times_the_jacobian(name, func, by_hand):
    v = np.array(V_OUT[name])
    value, product = F.vjp(func, t64(X3), t64(v))
    assert_close(value, func(t64(X3)))
    assert_close(product, v @ by_hand(X3))


@pytest.mark.parametrize("name, func, by_hand", JACOBIAN_CASES, ids=IDS)
def test_jvp_is_the_jacobian_times_v(name, func, by_hand):
    value, product = F.jvp(func, t64(X3), t64(V_IN))
    assert_close(value, func(t64(X3)))
    assert_close(product, by_hand(X3) @ V_IN)


MATRIX_FUNCTIONS = {
    "sum_dim": lambda m: m.sum(dim=0),
    "mean_keepdim": lambda m: m.mean(dim=1, keepdim=True) * m,
    "reshape_and_index": lambda m: m.reshape(3, 2)[1:, 0] * m[0, 2],
    "transpose_matmul": lambda m: m.T @ m,
    "softmax_rows": lambda m: m.softmax(dim=1),
    "max_dim": lambda m: m.max(dim=1).values * m.norm(dim=0).sum(),
    "stack_cat": lambda m: minigrad.cat([minigrad.stack([m[0], m[1]]), m.exp()], 1),
}


@pytest.mark.parametrize("name", MATRIX_FUNCTIONS)
def test_jvp_agrees_with_the_jacobian_for_shape_changing_operations(name, rng):
    # Jv contracts J (shape out + in) with v over the input's dimensions.
    func = MATRIX_FUNCTIONS[name]
    x, v = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    J = F.jacobian(func, t64(x)).data
    value, product = F.jvp(func, t64(x), t64(v))
    assert_close(value, func(t64(x)))
    assert_close(product, np.tensordot(J, v, axes=2))


def forbid_backward(monkeypatch) -> None:
    """Make every backward pass raise (autograd.grad and backward call run_backward)."""

    def no_backward(*args, **kwargs):
        raise AssertionError("a backward pass ran")

    monkeypatch.setattr(engine, "run_backward", no_backward)
    monkeypatch.setattr(minigrad.autograd, "run_backward", no_backward)


@pytest.mark.parametrize("name, func, by_hand", JACOBIAN_CASES, ids=IDS)
def test_jvp_runs_in_forward_mode_without_any_backward_pass(name, func, by_hand, monkeypatch):
    forbid_backward(monkeypatch)
    with pytest.raises(AssertionError, match="a backward pass ran"):  # the trap works ...
        F.vjp(func, t64(X3), t64(V_OUT[name]))
    _, product = F.jvp(func, t64(X3), t64(V_IN))  # ... and jvp never falls into it
    assert_close(product, by_hand(X3) @ V_IN)


def test_vjp_and_jvp_of_several_inputs_and_outputs():
    a, b = t64([1.0, 2.0]), t64([3.0, -1.0])
    va, vb = t64([1.0, -1.0]), t64([0.5, 2.0])
    (prod_value, sum_value), (ta, tb) = F.jvp(f_two_in_two_out, (a, b), (va, vb))
    assert_close(prod_value, a.data * b.data)
    assert_close(sum_value, 3.0)
    assert_close(ta, va.data * b.data + a.data * vb.data)  # product rule
    assert_close(tb, va.data.sum())
    values, (ga, gb) = F.vjp(f_two_in_two_out, (a, b), (t64([1.0, 1.0]), t64(2.0)))
    assert_close(ga, b.data + 2.0)
    assert_close(gb, a.data)


def test_v_may_be_omitted_only_for_single_elements():
    value, gradient = F.vjp(lambda x: (x**2).sum(), t64([1.0, 2.0, 3.0]))
    assert_close(gradient, [2.0, 4.0, 6.0])
    value, derivative = F.jvp(lambda x: x.exp(), t64(0.5))
    assert_close(derivative, np.exp(0.5))
    with pytest.raises(RuntimeError, match=re.escape(V_NONE_FOR_OUTPUTS)):
        F.vjp(lambda x: x * 2, t64([1.0, 2.0]))
    with pytest.raises(RuntimeError, match=re.escape(V_NONE_FOR_INPUTS)):
        F.jvp(lambda x: x.sum(), t64([1.0, 2.0]))


# PyTorch's words (torch 2.13.0).
V_NONE_FOR_OUTPUTS = (
    "The vector v can only be None if the user-provided function returns a single Tensor with a single element."
)
V_NONE_FOR_INPUTS = (
    "The vector v can only be None if the input to the user-provided function is a single Tensor with a single element."
)


def test_v_of_the_wrong_shape_or_count_is_refused():
    x = t64([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"v has invalid size: should be .*Size\(\[2\]\) but got .*Size\(\[3\]\)"):
        F.vjp(lambda v: v * 2, x, t64([1.0, 2.0, 3.0]))
    with pytest.raises(RuntimeError, match="v is a tuple of invalid length: should be 2 but got 1"):
        F.jvp(lambda u, v: u * v, (x, x), (x,))
    with pytest.raises(TypeError, match="must be either a Tensor or a tuple of Tensors"):
        F.jacobian(lambda v: v, [1.0, 2.0])


def test_jvp_with_create_graph_is_differentiable_in_x():
    x = t64([0.5, -1.0], requires_grad=True)
    v = t64([1.0, 2.0])
    _, product = F.jvp(lambda u: u**3, x, v, create_graph=True)  # 3x²·v
    assert product.requires_grad
    product.sum().backward()
    assert_close(x.grad, 6 * x.data * v.data)


def test_jvp_of_an_output_that_ignores_the_input_is_zero_or_an_error_when_strict():
    value, product = F.jvp(lambda u: (u * 2, t64([4.0, 5.0])), t64([1.0]), t64([3.0]))
    assert_close(product[0], [6.0])
    assert_close(product[1], [0.0, 0.0])  # no tangent reached it: zeros shaped like the output
    with pytest.raises(RuntimeError, match="does not require gradients"):
        F.jvp(lambda u: t64([1.0]), t64([1.0]), t64([1.0]), strict=True)


# ---------------------------------------------------------------------------- hvp and vhp
@pytest.mark.parametrize("name, func, by_hand", HESSIAN_CASES, ids=HESSIAN_IDS)
def test_hvp_and_vhp_are_products_with_the_hessian(name, func, by_hand):
    H = by_hand(X3)
    value, hv = F.hvp(func, t64(X3), t64(V_IN))
    assert_close(value, func(t64(X3)))
    assert_close(hv, H @ V_IN)
    _, vh = F.vhp(func, t64(X3), t64(V_IN))
    assert_close(vh, V_IN @ H)


def test_hvp_needs_no_second_backward_pass(monkeypatch):
    # Forward over reverse: exactly one backward pass (for the gradient), whose
    # operations carry tangents; vhp needs two.
    calls = []
    real = minigrad.autograd.run_backward

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(minigrad.autograd, "run_backward", counting)
    F.hvp(log_sum_exp, t64(X3), t64(V_IN))
    assert len(calls) == 1
    F.vhp(log_sum_exp, t64(X3), t64(V_IN))
    assert len(calls) == 3


def test_hvp_of_several_inputs():
    def f(a, b):
        return (a**2 * b).sum()

    a, b = t64([1.0, 2.0]), t64([3.0, -1.0])
    va, vb = t64([1.0, 0.5]), t64([-2.0, 1.0])
    _, (ha, hb) = F.hvp(f, (a, b), (va, vb))
    # H = [[diag(2b), diag(2a)], [diag(2a), 0]]
    assert_close(ha, 2 * b.data * va.data + 2 * a.data * vb.data)
    assert_close(hb, 2 * a.data * va.data)
    _, (ga, gb) = F.vhp(f, (a, b), (va, vb))
    assert_close(ga, ha)
    assert_close(gb, hb)


def test_hvp_with_create_graph_is_differentiable_again():
    # f = Σ x⁴: Hv = 12x²·v, and d/dx Σ(Hv) = 24x·v.
    x = t64([0.5, -1.0], requires_grad=True)
    v = t64([1.0, 3.0])
    _, hv = F.hvp(lambda u: (u**4).sum(), x, v, create_graph=True)
    assert_close(hv, 12 * x.data**2 * v.data)
    hv.sum().backward()
    assert_close(x.grad, 24 * x.data * v.data)


# ---------------------------------------------------------------------------- the caller's tensors
CALLS = {
    "jacobian": lambda x: F.jacobian(mlp, x),
    "jacobian_create_graph": lambda x: F.jacobian(mlp, x, create_graph=True),
    "hessian": lambda x: F.hessian(log_sum_exp, x),
    "vjp": lambda x: F.vjp(mlp, x, t64([1.0, 1.0])),
    "jvp": lambda x: F.jvp(mlp, x, t64(V_IN)),
    "hvp": lambda x: F.hvp(log_sum_exp, x, t64(V_IN)),
    "vhp": lambda x: F.vhp(log_sum_exp, x, t64(V_IN)),
}


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize("requires_grad", [True, False])
def test_the_callers_tensors_and_their_grad_are_untouched(name, requires_grad):
    x = t64(X3, requires_grad=requires_grad)
    before = t64([7.0, 8.0, 9.0])
    x.grad = before
    CALLS[name](x)
    assert x.grad is before and x.grad.tolist() == [7.0, 8.0, 9.0]
    assert x.requires_grad is requires_grad and x.is_leaf
    assert x.tolist() == X3.tolist()


# ---------------------------------------------------------------------------- against PyTorch
def torch_function(torch, name):
    """The test functions of this file, written for PyTorch."""
    T = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    return {
        "linear": lambda x: T(A) @ x,
        "elementwise": lambda x: x**2 * T(C3),
        "softmax": lambda x: torch.softmax(x, 0),
        "mlp": lambda x: T(W2) @ torch.tanh(T(W1) @ x + T(B1)) + T(B2),
        "cubic": lambda x: (x**3).sum() + x[0] * x[1],
        "quadratic_form": lambda x: x @ (T([[2.0, 1.0, 0.0], [-1.0, 3.0, 0.5], [0.0, 0.5, 1.0]]) @ x),
        "log_sum_exp": lambda x: x.exp().sum().log(),
    }[name]


@pytest.mark.parametrize("name, func, by_hand", JACOBIAN_CASES, ids=IDS)
def test_jacobian_vjp_jvp_match_torch(name, func, by_hand, torch):
    tF = torch.autograd.functional
    x, v_out = X3, np.array(V_OUT[name])
    T = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    tfunc = torch_function(torch, name)
    assert_close(F.jacobian(func, t64(x)), tF.jacobian(tfunc, T(x)).numpy())
    assert_close(F.vjp(func, t64(x), t64(v_out))[1], tF.vjp(tfunc, T(x), T(v_out))[1].numpy())
    assert_close(F.jvp(func, t64(x), t64(V_IN))[1], tF.jvp(tfunc, T(x), T(V_IN))[1].numpy())


@pytest.mark.parametrize("name, func, by_hand", HESSIAN_CASES, ids=HESSIAN_IDS)
def test_hessian_hvp_vhp_match_torch(name, func, by_hand, torch):
    tF = torch.autograd.functional
    T = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    tfunc = torch_function(torch, name)
    assert_close(F.hessian(func, t64(X3)), tF.hessian(tfunc, T(X3)).numpy())
    assert_close(F.hvp(func, t64(X3), t64(V_IN))[1], tF.hvp(tfunc, T(X3), T(V_IN))[1].numpy())
    assert_close(F.vhp(func, t64(X3), t64(V_IN))[1], tF.vhp(tfunc, T(X3), T(V_IN))[1].numpy())


def test_error_messages_match_torch(torch):
    tF = torch.autograd.functional
    T = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    cases = [
        (lambda f, t: f.vjp(lambda x: x * 2, t([1.0, 2.0])), V_NONE_FOR_OUTPUTS),
        (lambda f, t: f.jvp(lambda x: x.sum(), t([1.0, 2.0])), V_NONE_FOR_INPUTS),
        (lambda f, t: f.hessian(lambda x: x**2, t([1.0, 2.0])), "should contain a single element"),
        (lambda f, t: f.jvp(lambda u, v: u * v, (t([1.0]), t([2.0])), (t([1.0]),)),
         "v is a tuple of invalid length: should be 2 but got 1."),
    ]  # fmt: skip
    for call, fragment in cases:
        with pytest.raises(RuntimeError) as ours:
            call(F, t64)
        with pytest.raises(RuntimeError) as theirs:
            call(tF, T)
        assert fragment in str(ours.value) and fragment in str(theirs.value)
