"""Whole derivatives of a function at a point, as ``torch.autograd.functional``.

For a function ``y = f(x)`` with x in Rⁿ and y in Rᵐ, the Jacobian J is the m × n
matrix J[i, j] = ∂y_i/∂x_j. Autograd never builds J to compute a gradient; it computes
*products* with J, in one of two directions:

* reverse mode (``backward``): one pass gives vᵀJ for a vector v over the outputs.
  With v = e_i (one-hot) that is row i of J, so ``jacobian`` runs one backward pass
  per output element;
* forward mode (dual numbers, ``forward_ad``): one pass gives Jv for a vector v over
  the inputs. With v = e_j that is column j of J.

``vjp`` and ``jvp`` return those single products; ``jacobian`` stacks rows (or columns,
with ``strategy="forward-mode"``); ``hessian`` is the Jacobian of the gradient;
``hvp`` and ``vhp`` are products with the Hessian, without building it.

Every function accepts a Tensor or a tuple of Tensors as ``inputs`` and returns its
results nested the way PyTorch nests them. The caller's tensors are never modified and
their ``.grad`` is left alone: the inputs are detached and made to require grad inside
(with ``create_graph=True`` they stay connected to the caller's graph, so the results
can be differentiated again).
"""

from __future__ import annotations

from collections.abc import Callable

from .. import creation
from .._errors import with_hint
from .._tensor import Tensor
from ..ops.shape import stack
from . import forward_ad
from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]

Tensors = Tensor | tuple[Tensor, ...]

# How PyTorch's messages name what the user's function returned.
_OUTPUTS = "outputs of the user-provided function"


# ---------------------------------------------------------------------------- products
def vjp(
    func: Callable,
    inputs: Tensors,
    v: Tensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple:
    """``(func(inputs), vᵀJ)``: the vector-Jacobian product, by one backward pass.

    vᵀJ[j] = Σ_i v_i ∂y_i/∂x_j, with v shaped like the output(s) (it may be omitted when
    the output has a single element: v = 1 gives the gradient). The product is shaped
    like the input(s).
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare_inputs(inputs, create_graph)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, _OUTPUTS, "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        if v is not None:
            v = _prepare_vectors(_as_tuple(v, "v", "vjp")[1], create_graph)
            _validate_v(v, outputs, is_outputs_tuple)
        elif len(outputs) != 1 or outputs[0].numel() != 1:
            raise with_hint(
                RuntimeError(
                    "The vector v can only be None if the user-provided function returns a single "
                    "Tensor with a single element."
                ),
                f"Here it returned {_describe(outputs)}: pass v shaped like the output.",
            )
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grads(outputs, inputs, v, create_graph=create_graph)
        product = _fill_in_zeros(grads, inputs, strict, "back")
    return (
        _unpack(_postprocess(outputs, create_graph), is_outputs_tuple),
        _unpack(_postprocess(product, create_graph), is_inputs_tuple),
    )


def jvp(
    func: Callable,
    inputs: Tensors,
    v: Tensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple:
    """``(func(inputs), Jv)``: the Jacobian-vector product, by one pass in forward mode.

    Jv[i] = Σ_j ∂y_i/∂x_j v_j, with v shaped like the input(s) (it may be omitted when the
    input has a single element). Each input x is given the tangent v (a dual number
    x + v·ε); running ``func`` carries tangents through every operation with its ``jvp``
    rule, so the outputs' tangents are Jv. No backward pass runs.
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare_inputs(inputs, create_graph)
        v = _input_direction(v, inputs, is_inputs_tuple, "jvp", create_graph)
        with forward_ad.dual_level():
            duals = tuple(forward_ad.make_dual(x, direction) for x, direction in zip(inputs, v))
            outputs = func(*duals)
            is_outputs_tuple, outputs = _as_tuple(outputs, _OUTPUTS, "jvp")
            _check_requires_grad(outputs, "outputs", strict)
            # Read the tangents before the dual level closes: leaving it clears them.
            tangents = tuple(forward_ad.unpack_dual(out).tangent for out in outputs)
        product = _fill_in_zeros(tangents, outputs, strict, "forward")
    return (
        _unpack(_postprocess(outputs, create_graph), is_outputs_tuple),
        _unpack(_postprocess(product, create_graph), is_outputs_tuple),
    )


def vhp(
    func: Callable,
    inputs: Tensors,
    v: Tensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple:
    """``(func(inputs), vᵀH)`` for a scalar ``func``: reverse mode over reverse mode.

    vᵀH = ∇(vᵀ∇f): a first backward pass with ``create_graph=True`` records how the
    gradient g = ∇f depends on x, and a second one, seeded with v, differentiates vᵀg.
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vhp")
        inputs = _prepare_inputs(inputs, create_graph)
        v = _input_direction(v, inputs, is_inputs_tuple, "vhp", create_graph)
        outputs = _single_scalar_output(func(*inputs), "vhp", strict)
        gradient = _grads(outputs, inputs, create_graph=True)
        _check_requires_grad(gradient, "jacobian", strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grads(gradient, inputs, v, create_graph=create_graph)
        product = _fill_in_zeros(grads, inputs, strict, "double_back")
    return (
        _postprocess(outputs, create_graph)[0],
        _unpack(_postprocess(product, create_graph), is_inputs_tuple),
    )


def hvp(
    func: Callable,
    inputs: Tensors,
    v: Tensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple:
    """``(func(inputs), Hv)`` for a scalar ``func``: forward mode over reverse mode.

    Hv = d/dε ∇f(x + εv) at ε = 0: the directional derivative of the gradient. The inputs
    get the tangent v, and the backward pass that computes ∇f carries tangents through
    its operations like any other computation, so the gradient's tangent is Hv.
    (PyTorch gets the same numbers with two extra backward passes; for a twice
    differentiable f the Hessian is symmetric and Hv = vᵀH.)
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hvp")
        inputs = _prepare_inputs(inputs, create_graph)
        v = _input_direction(v, inputs, is_inputs_tuple, "hvp", create_graph)
        with forward_ad.dual_level():
            duals = tuple(forward_ad.make_dual(x, direction) for x, direction in zip(inputs, v))
            outputs = _single_scalar_output(func(*duals), "hvp", strict)
            gradient = _grads(outputs, duals, create_graph=create_graph)
            tangents = tuple(None if g is None else forward_ad.unpack_dual(g).tangent for g in gradient)
        if strict:
            for index, tangent in enumerate(tangents):
                if tangent is None:
                    raise RuntimeError(_JACOBIAN_INDEPENDENT.format(index=index))
        product = _fill_in_zeros(tangents, inputs, strict, "double_back")
    return (
        _postprocess(outputs, create_graph)[0],
        _unpack(_postprocess(product, create_graph), is_inputs_tuple),
    )


# ---------------------------------------------------------------------------- whole matrices
def jacobian(
    func: Callable,
    inputs: Tensors,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
):
    """The Jacobian J[i, j] = ∂y_i/∂x_j of ``func`` at ``inputs``.

    For one input and one output, a Tensor of shape ``y.shape + x.shape``; with a tuple
    of inputs, a tuple over the inputs; with a tuple of outputs, a tuple over the outputs
    (of tuples over the inputs, if both are tuples), as PyTorch.

    ``strategy="reverse-mode"`` computes row i as e_iᵀJ, one backward pass per output
    element; ``strategy="forward-mode"`` computes column j as J e_j, one forward pass
    per input element (PyTorch only allows it with ``vectorize=True``; minigrad accepts
    the flag and loops, which gives the same numbers).
    """
    if strategy not in ("reverse-mode", "forward-mode"):
        raise with_hint(
            AssertionError(  # (PyTorch checks it with an assert)
                'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                'Otherwise, prefer to use "reverse-mode".'
            ),
            f"Got strategy={strategy!r}.",
        )
    if strategy == "forward-mode":
        if not vectorize:
            raise with_hint(
                NotImplementedError(  # ("isonly": PyTorch's message, typo included)
                    "Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                    "only implemented for `vectorize=True`."
                ),
                "minigrad follows PyTorch here: pass vectorize=True.",
            )
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`create_graph=False` or `strategy="reverse-mode"`.'
            )
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepare_inputs(inputs, create_graph)
        if strategy == "forward-mode":
            is_outputs_tuple, blocks = _jacobian_by_columns(func, inputs, strict)
        else:
            outputs = func(*inputs)
            is_outputs_tuple, outputs = _as_tuple(outputs, _OUTPUTS, "jacobian")
            _check_requires_grad(outputs, "outputs", strict)
            blocks = tuple(
                _jacobian_by_rows(out, index, inputs, create_graph, strict) for index, out in enumerate(outputs)
            )
    blocks = tuple(_postprocess(row, create_graph) for row in blocks)
    if not is_inputs_tuple:
        blocks = tuple(row[0] for row in blocks)
    return blocks if is_outputs_tuple else blocks[0]


def hessian(
    func: Callable,
    inputs: Tensors,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
):
    """The Hessian H[i, j] = ∂²f/∂x_i∂x_j of a scalar ``func``: the Jacobian of its gradient.

    The inner Jacobian (the gradient) is computed with ``create_graph=True``, so that
    the outer one can differentiate it again. For one input, a Tensor of shape
    ``x.shape + x.shape``; for a tuple of inputs, H[i][j] has shape ``x_i.shape + x_j.shape``.
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("reverse-mode", "forward-mode"):
        raise with_hint(
            AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".'),
            f"Got outer_jacobian_strategy={outer_jacobian_strategy!r}.",
        )

    def scalar_function(*args):
        out = func(*args)
        is_out_tuple, outputs = _as_tuple(out, _OUTPUTS, "hessian")
        _check_requires_grad(outputs, "outputs", strict)
        if is_out_tuple or not isinstance(out, Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.numel() != 1:
            raise with_hint(
                RuntimeError("The Tensor returned by the function given to hessian should contain a single element"),
                f"It has shape {list(out.shape)}.",
            )
        return out.squeeze()

    def gradient_function(*args):
        if outer_jacobian_strategy == "forward-mode":
            # The outer forward pass hands in tangent-carrying inputs that need not require
            # grad; the inner backward pass needs them to.
            args = tuple(a.requires_grad_(True) for a in args)
        gradient = jacobian(scalar_function, args, create_graph=True)
        _check_requires_grad(gradient, "jacobian", strict)
        return gradient

    # gradient_function returns one gradient per input, so the outer Jacobian nests as
    # H[i][j] = ∂(∂f/∂x_i)/∂x_j; for a single input, H is the only block.
    result = jacobian(
        gradient_function,
        inputs,
        create_graph=create_graph,
        strict=strict,
        vectorize=vectorize,
        strategy=outer_jacobian_strategy,
    )
    return result if is_inputs_tuple else result[0][0]


def _jacobian_by_rows(output: Tensor, output_index: int, inputs: tuple, create_graph: bool, strict: bool) -> tuple:
    """One block per input, of shape output.shape + input.shape: one backward per output element."""
    if output.numel() == 0:
        return tuple(creation.zeros(*output.shape, *x.shape, dtype=x.dtype) for x in inputs)
    rows = [[] for _ in inputs]  # rows[k][i] = ∂ output_i / ∂ inputs[k], shaped like inputs[k]
    for i in range(output.numel()):
        # Seeding the backward pass with the one-hot vector e_i gives e_iᵀJ: row i of J.
        one_hot = creation.zeros(output.numel(), dtype=output.dtype)
        one_hot.data[i] = 1
        # retain_graph=True: the same forward graph serves every row.
        row = _grads(
            (output,),
            inputs,
            (one_hot.reshape(output.shape),),
            create_graph=create_graph,
            retain_graph=True,
        )
        for k, (grad, x) in enumerate(zip(row, inputs)):
            if grad is None:
                if strict:
                    raise RuntimeError(
                        f"Output {output_index} of the user-provided function is independent of "
                        f"input {k}. This is not allowed in strict mode."
                    )
                grad = creation.zeros_like(x)
            elif strict and create_graph and not grad.requires_grad:
                raise RuntimeError(
                    f"The jacobian of the user-provided function is independent of input {k}. This "
                    "is not allowed in strict mode when create_graph=True."
                )
            rows[k].append(grad)
    return tuple(stack(r, 0).reshape(*output.shape, *x.shape) for r, x in zip(rows, inputs))


def _jacobian_by_columns(func: Callable, inputs: tuple, strict: bool) -> tuple:
    """The Jacobian blocks, one forward (jvp) pass per input element: column j is J e_j."""
    outputs, is_outputs_tuple = None, False
    columns: dict = {}  # columns[o, k]: the columns J_ok e_j, each shaped like output o
    for k, x in enumerate(inputs):
        for j in range(x.numel()):
            directions = [creation.zeros_like(other.detach()) for other in inputs]
            directions[k].data.reshape(-1)[j] = 1  # e_j in input k, zero in the others
            with forward_ad.dual_level():
                duals = tuple(forward_ad.make_dual(a, d) for a, d in zip(inputs, directions))
                is_outputs_tuple, outputs = _as_tuple(func(*duals), _OUTPUTS, "jacobian")
                _check_requires_grad(outputs, "outputs", strict)
                tangents = [forward_ad.unpack_dual(out).tangent for out in outputs]
            for o, (out, tangent) in enumerate(zip(outputs, tangents)):
                if tangent is None:
                    if strict:
                        raise RuntimeError(
                            f"Output {o} of the user-provided function is independent of input "
                            f"{k}. This is not allowed in strict mode."
                        )
                    tangent = creation.zeros_like(out.detach())
                columns.setdefault((o, k), []).append(tangent.detach())
    if outputs is None:  # every input is empty: one call tells the outputs' shapes
        is_outputs_tuple, outputs = _as_tuple(func(*inputs), _OUTPUTS, "jacobian")
    blocks = []
    for o, out in enumerate(outputs):
        row = []
        for k, x in enumerate(inputs):
            cols = columns.get((o, k))
            if cols is None:  # input k has no elements, so J_ok has no columns
                row.append(creation.zeros(*out.shape, *x.shape, dtype=x.dtype))
            else:
                # Columns side by side along a new last dimension, then unflattened to x's shape.
                row.append(stack(cols, -1).reshape(*out.shape, *x.shape))
        blocks.append(tuple(row))
    return is_outputs_tuple, tuple(blocks)


# ---------------------------------------------------------------------------- helpers
_JACOBIAN_INDEPENDENT = (
    "While computing the hessian, found that the jacobian of the user-provided function with "
    "respect to input {index} is independent of the input. This is not allowed in strict mode. "
    "You should ensure that your function is twice differentiable and that the jacobian depends "
    "on the inputs (this would be violated by a linear function for example)."
)


def _as_tuple(value, arg_name: str, fn_name: str) -> tuple[bool, tuple]:
    """``(was_a_tuple, tuple_of_tensors)``: every function works on tuples inside."""
    is_tuple = isinstance(value, (tuple, list))
    values = tuple(value) if is_tuple else (value,)
    for index, element in enumerate(values):
        if not isinstance(element, Tensor):
            where = f"the value at index {index} has" if is_tuple else f"the given {arg_name} has"
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors "
                f"but {where} type {type(element).__name__}."
            )
    return is_tuple, values


def _prepare_inputs(inputs: tuple, create_graph: bool) -> tuple:
    """Fresh tensors that require grad, so the caller's tensors (and their .grad) are untouched.

    With ``create_graph=True`` an input that already requires grad is replaced by a view
    of itself instead of a detached copy: the results then stay differentiable with
    respect to the caller's tensor (this is how ``hessian`` differentiates a Jacobian).
    """
    if create_graph:
        return tuple(x.view_as(x) if x.requires_grad else x.detach().requires_grad_(True) for x in inputs)
    return tuple(x.detach().requires_grad_(True) for x in inputs)


def _prepare_vectors(vectors: tuple, create_graph: bool) -> tuple:
    """The vectors v of the products: detached unless the result must stay differentiable."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad else t.detach() for t in vectors)


def _input_direction(v, inputs: tuple, is_inputs_tuple: bool, fn_name: str, create_graph: bool) -> tuple:
    """The vector v over the inputs (of jvp, hvp, vhp), checked; 1 for a one-element input."""
    if v is not None:
        v = _prepare_vectors(_as_tuple(v, "v", fn_name)[1], create_graph)
        _validate_v(v, inputs, is_inputs_tuple)
        return v
    if len(inputs) != 1 or inputs[0].numel() != 1:
        raise with_hint(
            RuntimeError(
                "The vector v can only be None if the input to the user-provided function is a single "
                "Tensor with a single element."
            ),
            f"Here the input is {_describe(inputs)}: pass v shaped like the input.",
        )
    return (creation.ones_like(inputs[0].detach()),)


def _validate_v(v: tuple, other: tuple, is_other_tuple: bool) -> None:
    """v must have one tensor per output (vjp) or input (jvp), of the same shape."""
    if len(v) != len(other):
        if is_other_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for index, (vector, reference) in enumerate(zip(v, other)):
        if vector.shape != reference.shape:
            prefix = f"Entry {index} in " if is_other_tuple else ""
            raise RuntimeError(f"{prefix}v has invalid size: should be {reference.shape} but got {vector.shape}.")


def _single_scalar_output(out, fn_name: str, strict: bool) -> tuple:
    is_tuple, outputs = _as_tuple(out, _OUTPUTS, fn_name)
    _check_requires_grad(outputs, "outputs", strict)
    if is_tuple:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise with_hint(
            RuntimeError(f"The Tensor returned by the function given to {fn_name} should contain a single element"),
            f"It has shape {list(outputs[0].shape)}.",
        )
    return outputs


def _check_requires_grad(tensors: tuple, kind: str, strict: bool) -> None:
    """In strict mode, refuse results that do not depend on the inputs (PyTorch's messages)."""
    if not strict:
        return
    for index, tensor in enumerate(tensors):
        if tensor is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {index}. "
                "This is not allowed in strict mode."
            )
        if not tensor.requires_grad:
            if kind == "jacobian":
                raise RuntimeError(_JACOBIAN_INDEPENDENT.format(index=index))
            raise RuntimeError(
                f"Output {index} of the user-provided function does not require gradients. The "
                "outputs must be computed in a differentiable manner from the input when running "
                "in strict mode."
            )


def _grads(
    outputs: tuple,
    inputs: tuple,
    grad_outputs: tuple | None = None,
    create_graph: bool = False,
    retain_graph: bool | None = None,
) -> tuple:
    """``autograd.grad`` that answers None for inputs the outputs do not depend on.

    Outputs that do not require grad (constants) contribute nothing and are skipped.
    """
    from . import grad

    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(out, g) for out, g in zip(outputs, grad_outputs) if out is not None and out.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    kept_outputs, kept_grads = zip(*pairs)
    return grad(
        kept_outputs,
        inputs,
        kept_grads,
        retain_graph=retain_graph,
        create_graph=create_graph,
        allow_unused=True,
    )


def _fill_in_zeros(grads: tuple, refs: tuple, strict: bool, stage: str) -> tuple:
    """Zeros (shaped like ``refs``) where no gradient arrived; in strict mode, an error."""
    filled = []
    for index, (grad, ref) in enumerate(zip(grads, refs)):
        if grad is None:
            if strict:
                raise RuntimeError(_INDEPENDENT_MESSAGES[stage].format(index=index))
            grad = creation.zeros_like(ref.detach())
        filled.append(grad)
    return tuple(filled)


_INDEPENDENT_MESSAGES = {
    "back": "The output of the user-provided function is independent of input {index}. This is "
    "not allowed in strict mode.",
    "forward": "Output {index} of the user-provided function is independent of the inputs: its "
    "tangent is zero whatever v is. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {index}. "
    "This is not allowed in strict mode.",
}


def _postprocess(tensors: tuple, create_graph: bool) -> tuple:
    """Results are detached unless the caller asked to differentiate them again."""
    return tuple(t if create_graph else t.detach() for t in tensors)


def _unpack(values: tuple, was_tuple: bool):
    return values if was_tuple else values[0]


def _describe(tensors: tuple) -> str:
    shapes = ", ".join(str(list(t.shape)) for t in tensors)
    return f"a Tensor of shape {shapes}" if len(tensors) == 1 else f"{len(tensors)} Tensors of shapes {shapes}"
