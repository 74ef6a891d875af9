"""Stochastic gradient descent, with momentum, weight decay and Nesterov's variant.

For each parameter p with gradient g, as ``torch.optim.SGD`` computes it:

    g = g + weight_decay · p                       (L2 penalty)
    b = g on the first step, else momentum · b + (1 - dampening) · g
    g = g + momentum · b  (nesterov)   or   g = b  (momentum > 0)
    p = p - lr · g
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .._tensor import Tensor
from .optimizer import Optimizer, _check_non_negative, _mark_updated


class SGD(Optimizer):
    """``SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False)``."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        _check_non_negative("learning rate", lr)
        _check_non_negative("momentum value", momentum)
        _check_non_negative("weight_decay value", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def step(self, closure: Callable | None = None):
        """One update of every parameter that has a gradient (the others are left alone)."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr = group["lr"]
            momentum = group["momentum"]
            dampening = group["dampening"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                grad = self._gradient(param, group)
                if momentum != 0:
                    grad = self._momentum(param, grad, momentum, dampening, group["nesterov"])
                param.data -= lr * grad  # in place: arrays that share the memory see it
                _mark_updated(param)
        return loss

    def _momentum(self, param: Tensor, grad, momentum: float, dampening: float, nesterov: bool):
        state = self.state.setdefault(param, {})
        buffer = state.get("momentum_buffer")
        if buffer is None:  # first step: the buffer starts as the gradient itself
            buffer = state["momentum_buffer"] = Tensor(grad)
        else:
            buffer.data *= momentum
            buffer.data += grad if dampening == 0 else (1 - dampening) * grad
        return grad + momentum * buffer.data if nesterov else buffer.data
