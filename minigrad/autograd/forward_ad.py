"""Forward-mode automatic differentiation with dual numbers.

A *dual tensor* carries, beside its value (the primal), a tangent: the
directional derivative of that value along a chosen input direction ``v``.
Every operation computes its output's tangent from its inputs' tangents with
its ``jvp`` rule (the Jacobian-vector product J·v), in the same pass as the
forward computation.  One forward pass gives J·v for one direction ``v``: that is
why forward mode costs one pass per *input* direction, while reverse mode
(backward) costs one pass per *output*.

Usage, as ``torch.autograd.forward_ad``::

    with dual_level():
        x = make_dual(primal, tangent)
        y = f(x)
        value, jvp = unpack_dual(y)
"""

from __future__ import annotations

from collections import namedtuple

from .. import _tensor


class _ForwardState:
    level = None  # None when no dual_level is active
    duals: list = []  # tensors given a tangent at this level, cleared on exit


state = _ForwardState()

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])


class dual_level:  # noqa: N801 - PyTorch's name
    """Context manager inside which dual tensors carry tangents."""

    def __enter__(self) -> int:
        if state.level is not None:
            raise RuntimeError("minigrad supports one dual level at a time (nested forward AD is not supported)")
        state.level = 0
        state.duals = []
        return 0

    def __exit__(self, *exc_info) -> None:
        for tensor in state.duals:
            tensor._fw_tangent = None
        state.duals = []
        state.level = None


def make_dual(tensor, tangent):
    """A tensor equal to ``tensor`` whose tangent is ``tangent`` (same shape)."""
    if state.level is None:
        raise RuntimeError("make_dual must be called inside a `with dual_level():` block")
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise RuntimeError(
            f"Trying to set a forward gradient that has a different size than that of the original "
            f"Tensor, this is not supported. Tensor is of size {list(tensor.shape)} while the given "
            f"forward gradient is of size {list(tangent.shape)}."
        )
    dual = tensor.view_as(tensor)
    _set_tangent(dual, tangent)
    return dual


def unpack_dual(tensor) -> UnpackedDualTensor:
    """``(primal, tangent)``; the tangent is None for a tensor that carries none."""
    return UnpackedDualTensor(tensor.detach() if tensor._fw_tangent is not None else tensor, tensor._fw_tangent)


def _set_tangent(tensor, tangent) -> None:
    tensor._fw_tangent = tangent
    state.duals.append(tensor)


def propagate(function_cls, ctx, args, outputs) -> None:
    """Give ``outputs`` the tangents of ``function_cls``'s jvp rule, if any input has one."""
    Tensor = _tensor.Tensor
    if not any(isinstance(a, Tensor) and a._fw_tangent is not None for a in args):
        return
    # Inputs without a tangent are constant along the direction: tangent zero.
    # Arguments that are not tensors (a dim, a shape, an index) are passed on as they are.
    tangents = [
        (a._fw_tangent if a._fw_tangent is not None else a.detach() * 0) if isinstance(a, Tensor) else a
        for a in args
    ]
    ctx.inputs, ctx.outputs = args, outputs
    # The jvp rule computes with primal values only: switch forward AD off while it runs.
    level, state.level = state.level, None
    try:
        results = function_cls.jvp(ctx, *tangents)
    finally:
        state.level = level
        ctx.inputs = ctx.outputs = None
    results = results if isinstance(results, tuple) else (results,)
    for out, tangent in zip(outputs, results):
        if tangent is not None and out.data.dtype.kind == "f":
            _set_tangent(out, tangent)
