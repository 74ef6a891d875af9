"""Adam: a step size per parameter element, from running averages of the gradient.

For each parameter p with gradient g, at step t = 1, 2, ..., as ``torch.optim.Adam``
computes it (its default, non-amsgrad form):

    g = g + weight_decay · p                     (L2 penalty)
    m = β1 · m + (1 - β1) · g                    (average gradient; m starts at 0)
    v = β2 · v + (1 - β2) · g²                   (average squared gradient; v starts at 0)
    p = p - lr / (1 - β1^t) · m / (√v / √(1 - β2^t) + eps)

Dividing by 1 - β^t corrects the averages' bias towards their zero start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, _check_non_negative, _mark_updated


class Adam(Optimizer):
    """``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)``."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
    ) -> None:
        _check_non_negative("learning rate", lr)
        _check_non_negative("epsilon value", eps)
        for index, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {index}: {beta}")
        _check_non_negative("weight_decay value", weight_decay)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def step(self, closure: Callable | None = None):
        """One update of every parameter that has a gradient (the others are left alone)."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, eps = group["lr"], group["eps"]
            beta1, beta2 = group["betas"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                grad = self._gradient(param, group)
                state = self.state.setdefault(param, {})
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = Tensor(np.zeros_like(param.data))
                    state["exp_avg_sq"] = Tensor(np.zeros_like(param.data))
                state["step"] += 1
                step = state["step"]
                exp_avg, exp_avg_sq = state["exp_avg"].data, state["exp_avg_sq"].data

                # In place, in the order of PyTorch's arithmetic, so the results agree closely.
                exp_avg += (1 - beta1) * (grad - exp_avg)
                exp_avg_sq *= beta2
                exp_avg_sq += (1 - beta2) * grad * grad
                step_size = lr / (1 - beta1**step)
                denominator = np.sqrt(exp_avg_sq) / (1 - beta2**step) ** 0.5 + eps
                param.data -= step_size * (exp_avg / denominator)
                _mark_updated(param)
        return loss
