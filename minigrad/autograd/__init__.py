"""Automatic differentiation: ``backward``, ``grad``, ``Function`` and the grad modes.

``minigrad.autograd`` mirrors ``torch.autograd``: ``backward`` accumulates
gradients into the leaves' ``.grad``; ``grad`` returns them instead; custom
operations subclass ``Function``; ``functional`` computes whole Jacobians,
Hessians and Jacobian-vector products; ``gradcheck`` compares a Function's
backward with finite differences.

``Tensor.backward`` is ``backward`` called on one tensor: it is given to Tensor at the end
of this file.
"""

from __future__ import annotations

import importlib

import numpy as np

from .. import _tensor
from .._errors import with_hint
from . import forward_ad, grad_mode
from .engine import run_backward
from .function import Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled

__all__ = [
    "Function",
    "Variable",
    "backward",
    "enable_grad",
    "forward_ad",
    "functional",
    "grad",
    "grad_mode",
    "gradcheck",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]


def __getattr__(name: str):
    # functional and gradcheck are imported on first use: most programs never need them.
    if name == "functional":
        return importlib.import_module(".functional", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _as_list(tensors) -> list:
    if tensors is None:
        return []
    if isinstance(tensors, _tensor.Tensor):
        return [tensors]
    return list(tensors)


def _make_grads(outputs: list, grad_outputs: list) -> list:
    """The starting gradients: the ones given, or 1 for a scalar output."""
    grads = []
    for index, (output, grad) in enumerate(zip(outputs, grad_outputs)):
        if grad is None:
            if output.data.size != 1:
                raise with_hint(
                    RuntimeError("grad can be implicitly created only for scalar outputs"),
                    f"This output has shape {list(output.data.shape)}: pass gradient=, the vector v of the "
                    "vector-Jacobian product vᵀJ, e.g. minigrad.ones_like(y) to get the gradient of y.sum().",
                )
            grad = _tensor.wrap(np.ones(output.data.shape, output.data.dtype))
        elif not isinstance(grad, _tensor.Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(grad).__name__}")
        elif grad.data.shape != output.data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{index}] has a shape of {grad.shape!r} and "
                f"output[{index}] has a shape of {output.shape!r}."
            )
        grads.append(grad)
    return grads


def _check_outputs(outputs: list) -> None:
    for index, output in enumerate(outputs):
        if not output._requires_grad:
            raise with_hint(
                RuntimeError(f"element {index} of tensors does not require grad and does not have a grad_fn"),
                "No input of this computation had requires_grad=True, or it ran under no_grad.",
            )


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None) -> None:
    """Accumulate into the leaves' ``.grad`` the gradients of ``tensors``.

    ``grad_tensors`` are the vectors v of the vector-Jacobian products (None for
    scalar outputs).  The graph's saved tensors are freed afterwards unless
    ``retain_graph=True`` (which ``create_graph=True`` implies).
    """
    outputs = _as_list(tensors)
    grads = _as_list(grad_tensors) if grad_tensors is not None else [None] * len(outputs)
    if retain_graph is None:
        retain_graph = create_graph
    _check_outputs(outputs)
    grads = _make_grads(outputs, grads)
    input_list = _as_list(inputs) if inputs is not None else None
    if input_list is not None and not input_list:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    run_backward(outputs, grads, retain_graph, create_graph, inputs=input_list, accumulate=True)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph: bool = False,
    allow_unused: bool = False,
    materialize_grads: bool = False,
) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, returned (``.grad`` is left alone)."""
    output_list = _as_list(outputs)
    input_list = _as_list(inputs)
    grads = _as_list(grad_outputs) if grad_outputs is not None else [None] * len(output_list)
    if retain_graph is None:
        retain_graph = create_graph
    _check_outputs(output_list)
    grads = _make_grads(output_list, grads)
    captured = run_backward(
        output_list, grads, retain_graph, create_graph, inputs=input_list, accumulate=False
    )
    result = []
    for index, (tensor, gradient) in enumerate(zip(input_list, captured)):
        if gradient is None:
            if materialize_grads:
                gradient = _tensor.wrap(np.zeros_like(tensor.data))
            elif not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {index} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
        result.append(gradient)
    return tuple(result)


class _VariableMeta(type):
    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, _tensor.Tensor)  # every tensor is a Variable, as in PyTorch


class Variable(metaclass=_VariableMeta):
    """``Variable(tensor, requires_grad=False)``: PyTorch's wrapper from before 0.4, kept for old code.

    Since PyTorch 0.4 a tensor records its own history, so ``Variable`` only returns a new
    leaf sharing the tensor's memory (``tensor.detach()``) with the ``requires_grad`` asked for.
    """

    def __new__(cls, data, requires_grad: bool = False, volatile: bool = False) -> _tensor.Tensor:
        if not isinstance(data, _tensor.Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return data.detach().requires_grad_(requires_grad)


# ---------------------------------------------------------------------- the Tensor method
def _tensor_backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
    """Compute gradients of this tensor with respect to the graph's leaves.

    For a non-scalar tensor, ``gradient`` is the vector v of the
    vector-Jacobian product: each leaf's ``.grad`` grows by vᵀ·J (the
    derivative of ``(self * v).sum()``).  Gradients accumulate: zero them
    between steps.
    """
    backward(self, gradient, retain_graph, create_graph, inputs=inputs)


_tensor.Tensor.backward = _tensor_backward
