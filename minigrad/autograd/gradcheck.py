"""Check derivatives against finite differences: ``gradcheck`` and ``gradgradcheck``.

A backward rule is a claim: "the Jacobian of my forward is this". ``gradcheck`` tests
the claim numerically. For every input x that requires grad and every output y it
builds the matrix J[i, j] = ∂y_i/∂x_j twice:

* numerically, column by column, by central differences
  (f(x + eps·e_j) - f(x - eps·e_j)) / (2·eps)
  (``minigrad.finite_differences.numerical_jacobian``);
* analytically, row by row, from the backward pass: row i is the vector-Jacobian
  product e_iᵀJ (one backward per output element). With ``check_forward_ad=True`` the
  forward-mode rules are checked too, column by column: column j is J·e_j.

Each entry must satisfy |analytical - numerical| <= atol + rtol·|numerical|. In float64
central differences are accurate to about 1e-10 for smooth functions, so a wrong
derivative stands out; in float32 the rounding errors (about 1e-3 with eps = 1e-6)
drown it, which is why the inputs should be float64.

Inputs and outputs are numbered by their position in the tuples you pass and get back.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from .._tensor import Tensor
from ..finite_differences import numerical_jacobian
from . import grad as autograd_grad
from .functional import _jacobian_by_columns, _jacobian_by_rows
from .grad_mode import enable_grad

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]

# Jacobians up to this many entries are printed in full in the error report.
_PRINTED_ENTRIES = 100


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when an analytical derivative disagrees with finite differences."""


def gradcheck(
    func: Callable,
    inputs,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    check_backward_ad: bool = True,
    check_forward_ad: bool = False,
) -> bool:
    """True if the derivatives of ``func`` at ``inputs`` match central differences.

    ``inputs`` is a Tensor or a tuple (Tensors that require grad are checked; other
    tensors and numbers are passed through unchanged). The numerical Jacobian uses
    the step ``eps``; entries agree when |analytical - numerical| <= atol + rtol·|numerical|.
    On a mismatch raises ``GradcheckError`` with a report of the worst entry (or
    returns False if ``raise_exception=False``).
    """
    inputs = _as_inputs(inputs)
    checked = _inputs_to_check(inputs)
    try:
        _check(func, inputs, checked, eps, atol, rtol, check_backward_ad, check_forward_ad)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def gradgradcheck(
    func: Callable,
    inputs,
    grad_outputs=None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """``gradcheck`` of the gradients themselves: checks second derivatives.

    The function checked is (inputs, v) ↦ vᵀJ(inputs), the vector-Jacobian product
    computed with ``create_graph=True``; its Jacobian holds the second derivatives of
    ``func`` (and J itself, with respect to v). ``grad_outputs`` (the v's, one per
    differentiable output) default to random values in [-1, 1) from a fixed seed, so
    the check is repeatable.
    """
    inputs = _as_inputs(inputs)
    positions = _inputs_to_check(inputs)
    if grad_outputs is None:
        with enable_grad():
            outputs = _differentiable(_as_outputs(func(*inputs)))
        generator = np.random.default_rng(0)
        grad_outputs = tuple(
            Tensor(generator.uniform(-1.0, 1.0, out.shape), dtype=out.dtype, requires_grad=True) for out in outputs
        )
    else:
        grad_outputs = grad_outputs if isinstance(grad_outputs, (tuple, list)) else (grad_outputs,)
        grad_outputs = tuple(grad_outputs)
    count = len(grad_outputs)

    def vector_jacobian_product(*args):
        func_args, vectors = args[: len(args) - count], args[len(args) - count :]
        outputs = _differentiable(_as_outputs(func(*func_args)))
        grads = autograd_grad(
            outputs,
            [func_args[p] for p in positions],
            vectors,
            create_graph=True,
            allow_unused=True,
        )
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        vector_jacobian_product,
        inputs + grad_outputs,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
    )


# ---------------------------------------------------------------------------- the check
def _check(func, inputs, checked, eps, atol, rtol, check_backward_ad, check_forward_ad) -> None:
    with enable_grad():
        outputs = _as_outputs(func(*inputs))
    numerical = _numerical_blocks(func, inputs, checked, outputs, eps)
    differentiable = [o for o, out in enumerate(outputs) if out.requires_grad]
    if not differentiable:
        # Nothing to compare with: then the function must really be constant in its inputs.
        for (o, k), block in numerical.items():
            if not np.allclose(block, 0.0, rtol=rtol, atol=atol):
                raise GradcheckError(
                    f"Numerical gradient for function expected to be zero: output {o} does not "
                    f"require grad, yet it changes with input {k}:\n{_format_matrix(block)}"
                )
        return
    analytical = {}
    if check_backward_ad:
        analytical["backward"] = _backward_blocks(outputs, differentiable, inputs, checked)
    if check_forward_ad:
        analytical["forward"] = _forward_blocks(func, outputs, inputs, checked)
    for mode, blocks in analytical.items():
        for (o, k), block in blocks.items():
            if o in differentiable:
                where = (o, outputs[o]), (k, inputs[k])
                _compare(block, numerical[o, k], where, mode, eps, atol, rtol)


def _backward_blocks(outputs: tuple, differentiable: list, inputs: tuple, checked: list) -> dict:
    """``{(output, input): J}`` from the backward pass: row i of J is e_iᵀJ, one backward each."""
    blocks = {}
    checked_inputs = tuple(inputs[k] for k in checked)
    for o in differentiable:
        out = outputs[o]
        with enable_grad():
            rows = _jacobian_by_rows(out, o, checked_inputs, create_graph=False, strict=False)
        for k, block in zip(checked, rows):
            blocks[o, k] = block.detach().data.reshape(out.numel(), inputs[k].numel())
    return blocks


def _forward_blocks(func, outputs: tuple, inputs: tuple, checked: list) -> dict:
    """``{(output, input): J}`` from forward mode: column j of J is J·e_j, one forward pass each."""

    def func_of_checked(*args):
        full = list(inputs)
        for k, arg in zip(checked, args):
            full[k] = arg
        return func(*full)

    with enable_grad():
        _, columns = _jacobian_by_columns(func_of_checked, tuple(inputs[k] for k in checked), False)
    return {
        (o, k): block.data.reshape(out.numel(), inputs[k].numel())
        for o, out in enumerate(outputs)
        for k, block in zip(checked, columns[o])
    }


def _numerical_blocks(func, inputs: tuple, checked: list, outputs: tuple, eps: float) -> dict:
    """``{(output, input): numerical Jacobian block}``, each of shape (out.numel(), x.numel())."""
    sizes = [out.numel() for out in outputs]

    def on_arrays(*arrays):
        # numerical_jacobian perturbs float64 NumPy copies of the inputs; hand func tensors
        # of the inputs' own dtype (a float32 input is perturbed in float32, as in PyTorch).
        args = list(inputs)
        for k, array in zip(checked, arrays):
            original = inputs[k]
            args[k] = Tensor(array, dtype=original.dtype, requires_grad=original.requires_grad)
        values = [out.detach().data.astype(np.float64).reshape(-1) for out in _as_outputs(func(*args))]
        return np.concatenate(values) if values else np.zeros(0)

    columns = numerical_jacobian(on_arrays, [inputs[k].detach().data for k in checked], h=eps)
    blocks = {}
    for k, stacked in zip(checked, columns):
        # The rows of all outputs were concatenated: split them back.
        start = 0
        for o, size in enumerate(sizes):
            blocks[o, k] = stacked[start : start + size]
            start += size
    return blocks


def _compare(analytical, numerical, where, mode, eps, atol, rtol) -> None:
    """Raise a GradcheckError unless |analytical - numerical| <= atol + rtol·|numerical|.

    ``where`` is ``((output position, output), (input position, input))``, for the report.
    """
    allowed = atol + rtol * np.abs(numerical)
    # How far each entry is beyond its tolerance; NaN (a broken derivative) is infinitely far.
    excess = np.nan_to_num(np.abs(analytical - numerical) - allowed, nan=np.inf)
    if (excess > 0).any():
        raise GradcheckError(_report(analytical, numerical, excess, where, mode, eps, atol, rtol))


# ---------------------------------------------------------------------------- the report
def _report(analytical, numerical, excess, where, mode, eps, atol, rtol) -> str:
    """A report a learner can act on: which entry is most wrong, by how much, and both matrices."""
    (o, out), (k, x) = where
    row, column = np.unravel_index(int(np.argmax(excess)), excess.shape)
    a, n = analytical[row, column], numerical[row, column]
    printed = excess.size <= _PRINTED_ENTRIES
    if mode == "backward":
        lines = [f"Jacobian mismatch for output {o} with respect to input {k},"]
        source = "backward"
    else:
        lines = [f"Jacobian computed with forward mode mismatch for output {o} with respect to input {k},"]
        source = "forward mode"
    lines += [
        f"worst entry: d output{_index(out.shape, row)} / d input{_index(x.shape, column)}"
        + (f" (row {row}, column {column} of the Jacobians below)" if printed else ""),
        f"    numerical (central differences, eps={eps:g}): {n:.10g}",
        f"    analytical ({source}): {a:.10g}",
        f"    |analytical - numerical| = {abs(a - n):.3g} but the tolerance is "
        f"atol + rtol·|numerical| = {atol:g} + {rtol:g}·{abs(n):.3g} = {atol + rtol * abs(n):.3g}",
        f"{int((excess > 0).sum())} of {excess.size} entries disagree.",
    ]
    if printed:
        lines += [
            "numerical:",
            _format_matrix(numerical),
            "analytical:",
            _format_matrix(analytical),
            f"(J[i, j] = d output[i] / d input[j]: rows are the {out.numel()} entries of output "
            f"{o} (shape {tuple(out.shape)}), columns the {x.numel()} entries of input {k} "
            f"(shape {tuple(x.shape)}), in row-major order)",
        ]
    else:
        lines.append(f"(the Jacobians have {excess.shape[0]} x {excess.shape[1]} entries: not printed)")
    return "\n".join(lines)


def _index(shape: tuple, flat: int) -> str:
    """``[1, 2]``: the position of entry ``flat`` of a tensor of ``shape`` (empty for a scalar)."""
    if len(shape) == 0:
        return ""
    return "[" + ", ".join(str(int(i)) for i in np.unravel_index(flat, tuple(shape))) + "]"


def _format_matrix(matrix: np.ndarray) -> str:
    return np.array2string(matrix, precision=6, suppress_small=True, max_line_width=100)


# ---------------------------------------------------------------------------- helpers
def _inputs_to_check(inputs: tuple) -> list:
    """Positions of the inputs that require grad; warns about the ones that are not float64."""
    checked = []
    for position, value in enumerate(inputs):
        if isinstance(value, Tensor) and value.requires_grad:
            if value.data.dtype != np.float64:
                warnings.warn(
                    f"Input #{position} requires gradient and is not a double precision floating "
                    "point or complex. This check will likely fail if all the inputs are not of "
                    "double precision floating point or complex. (Its dtype is "
                    f"{value.dtype!r}: finite differences in single precision lose about half "
                    "the digits; create the inputs with dtype=minigrad.float64.)",
                    UserWarning,
                    stacklevel=3,
                )
            checked.append(position)
    if not checked:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of them have requires_grad=True."
        )
    return checked


def _as_inputs(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _as_outputs(value) -> tuple:
    outputs = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    for index, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            raise TypeError(
                "gradcheck expects func to return a Tensor or a tuple of Tensors, but output "
                f"{index} has type {type(out).__name__}"
            )
    return outputs


def _differentiable(outputs: tuple) -> tuple:
    return tuple(out for out in outputs if out.requires_grad)
