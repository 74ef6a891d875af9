"""``minigrad.func``: PyTorch's function transforms (``torch.func``), without ``vmap``.

Where ``torch.autograd.functional.jacobian(f, x)`` computes a derivative at a point,
``torch.func.jacrev(f)`` returns a *function*: the derivative of ``f``, to be called at any
point (``jacrev(f)(x)``), as JAX does. Each transform here is that wrapper around the
machinery of ``autograd/functional.py``:

* ``grad(f)(x)``: the gradient of a scalar ``f``, ∇f(x), by one backward pass;
* ``vjp(f, x)``: ``f(x)`` and the function v ↦ vᵀJ (reverse mode);
* ``jvp(f, (x,), (v,))``: ``f(x)`` and Jv (forward mode, dual numbers);
* ``jacrev(f)(x)``, ``jacfwd(f)(x)``: the whole Jacobian, by rows (reverse mode) or by
  columns (forward mode);
* ``hessian(f)(x)``: the Jacobian of the gradient.

``argnums`` says which positional arguments to differentiate with respect to: one index
(the result is then one tensor) or a tuple of indices (a tuple of results).
"""

from __future__ import annotations

from collections.abc import Callable

from . import autograd
from ._tensor import Tensor
from .autograd import functional
from .autograd.grad_mode import enable_grad

__all__ = ["grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp", "vjp"]


def _selected(args: tuple, argnums) -> tuple:
    """The arguments picked by ``argnums``, as a tuple."""
    return tuple(args[i] for i in argnums) if isinstance(argnums, tuple) else (args[argnums],)


def _of_selected(func: Callable, args: tuple, argnums) -> Callable:
    """``func`` as a function of the selected arguments only, the others held fixed."""
    positions = argnums if isinstance(argnums, tuple) else (argnums,)

    def restricted(*selected):
        full = list(args)
        for position, value in zip(positions, selected):
            full[position] = value
        return func(*full)

    return restricted


def _detached(value):
    """What ``f`` returned beside its output (``has_aux``), cut off from the transform's graph."""
    if isinstance(value, Tensor):
        return value.detach()
    if isinstance(value, (tuple, list)):
        return type(value)(_detached(v) for v in value)
    return value


def grad_and_value(func: Callable, argnums: int | tuple = 0, has_aux: bool = False) -> Callable:
    """``grad_and_value(f)(*args)``: ``(∇f(args), f(args))`` for a scalar ``f``."""

    def wrapper(*args):
        # Fresh leaves to differentiate with respect to: the caller's tensors are left alone.
        selected = tuple(a.detach().requires_grad_(True) for a in _selected(args, argnums))
        with enable_grad():
            result = _of_selected(func, args, argnums)(*selected)
            output, aux = result if has_aux else (result, None)
            if not isinstance(output, Tensor) or output.ndim != 0:
                dims = output.ndim if isinstance(output, Tensor) else type(output).__name__
                raise RuntimeError(
                    f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got tensor with "
                    f"{dims} dims. Maybe you wanted to use the vjp or jacrev APIs instead?"
                )
            grads = autograd.grad(output, selected, allow_unused=True, materialize_grads=True)
        grads = grads if isinstance(argnums, tuple) else grads[0]
        value = output.detach()
        return (grads, (value, _detached(aux))) if has_aux else (grads, value)

    return wrapper


def grad(func: Callable, argnums: int | tuple = 0, has_aux: bool = False) -> Callable:
    """``grad(f)(*args)``: the gradient ∇f of a scalar function ``f`` (with ``has_aux``,
    ``f`` returns ``(output, aux)`` and the result is ``(gradient, aux)``)."""
    both = grad_and_value(func, argnums, has_aux)

    def wrapper(*args):
        grads, value = both(*args)
        return (grads, value[1]) if has_aux else grads

    return wrapper


def vjp(func: Callable, *primals: Tensor) -> tuple:
    """``(f(*primals), vjp_fn)``, where ``vjp_fn(v)`` is vᵀJ as a tuple over the primals."""
    output = func(*(p.detach() for p in primals))

    def vjp_fn(cotangents):
        return functional.vjp(func, tuple(primals), cotangents)[1]

    return output, vjp_fn


def jvp(func: Callable, primals: tuple, tangents: tuple) -> tuple:
    """``(f(*primals), J·tangents)``, computed in forward mode."""
    return functional.jvp(func, tuple(primals), tuple(tangents))


def _jacobian_transform(func: Callable, argnums, **options) -> Callable:
    def wrapper(*args):
        selected = _selected(args, argnums)
        inputs = selected if isinstance(argnums, tuple) else selected[0]
        return functional.jacobian(_of_selected(func, args, argnums), inputs, **options)

    return wrapper


def jacrev(func: Callable, argnums: int | tuple = 0) -> Callable:
    """``jacrev(f)(*args)``: the Jacobian of ``f``, one row per backward pass (reverse mode)."""
    return _jacobian_transform(func, argnums)


def jacfwd(func: Callable, argnums: int | tuple = 0) -> Callable:
    """``jacfwd(f)(*args)``: the Jacobian of ``f``, one column per forward pass (forward mode)."""
    return _jacobian_transform(func, argnums, vectorize=True, strategy="forward-mode")


def hessian(func: Callable, argnums: int | tuple = 0) -> Callable:
    """``hessian(f)(*args)``: H[i, j] = ∂²f/∂x_i∂x_j of a scalar ``f``, the Jacobian of its gradient."""

    def wrapper(*args):
        selected = _selected(args, argnums)
        inputs = selected if isinstance(argnums, tuple) else selected[0]
        return functional.hessian(_of_selected(func, args, argnums), inputs)

    return wrapper
