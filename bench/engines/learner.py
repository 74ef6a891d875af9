"""The small workloads again, written the way a learner writes them.

``torchlike.py`` trains with the library's building blocks: float32 tensors,
``nn.functional``'s loss, ``optim.SGD``. Someone who has just learnt what ``backward()``
does writes the same training loop by hand instead, as PyTorch's own first tutorials and
micrograd's demo do: float64 tensors made from NumPy data, the forward pass with ``@``,
``+`` and ``.tanh()``, the loss as a formula (the hinge ``(1 - y * s).relu().mean()`` with
labels ±1), and the SGD update as ``p -= lr * p.grad`` under ``no_grad``. An engine that is
only fast on one way of writing a program is not fast, so the benchmark times these too.

Every function takes the library as ``torch``: minigrad and PyTorch run literally the
same lines, which is also how the benchmark checks that both computed the same thing.
"""

from __future__ import annotations

from types import ModuleType
from typing import Callable

import numpy as np


def per_op(torch: ModuleType) -> tuple[Callable[[], None], list]:
    """One forward+backward of ``((a*b + c) ** 2).mean()`` on three float64 numbers each.

    Returns the function and its inputs ``[a, b, c]``, whose ``.grad`` accumulates
    ``2 (a*b + c) * b / 3`` (for ``a``) call after call.
    """
    a = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([4.0, 5.0, 6.0], dtype=torch.float64, requires_grad=True)
    c = torch.tensor([7.0, 8.0, 9.0], dtype=torch.float64, requires_grad=True)

    def forward_backward() -> None:
        ((a * b + c) ** 2).mean().backward()

    return forward_backward, [a, b, c]


class HingeTrainer:
    """Full-batch SGD on a tanh MLP with the hinge loss, every step written by hand."""

    def __init__(
        self, torch: ModuleType, weights: list[np.ndarray], X: np.ndarray, y: np.ndarray, lr: float
    ) -> None:
        self.torch = torch
        # The shared float32 weights and data, as float64 tensors (float32 -> float64 is
        # exact, so both engines start from the same numbers as every other workload).
        self.parameters = [
            torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in weights
        ]
        self.X = torch.tensor(X, dtype=torch.float64)
        self.labels = torch.tensor(2.0 * y - 1.0, dtype=torch.float64)  # 0/1 -> -1/+1
        self.lr = lr

    def forward(self):
        """The scores ``s``: ``tanh(x @ W + b)`` layer after layer, the last one linear."""
        h = self.X
        last = len(self.parameters) - 2
        for i in range(0, len(self.parameters), 2):
            W, b = self.parameters[i], self.parameters[i + 1]
            h = h @ W + b
            if i < last:
                h = h.tanh()
        return h

    def loss(self):
        """The hinge loss mean(max(0, 1 - y s)): zero once a point is on its side by 1."""
        scores = self.forward()
        return (1 - self.labels * scores).relu().mean()

    def step(self) -> float:
        loss = self.loss()
        loss.backward()
        with self.torch.no_grad():
            for p in self.parameters:
                p -= self.lr * p.grad
                p.grad.zero_()
        return loss.item()

    def logits(self) -> np.ndarray:
        with self.torch.no_grad():
            return self.forward().numpy().copy()

    def gradients(self) -> list[np.ndarray]:
        """The loss's gradient with respect to every weight, without updating them."""
        self.loss().backward()
        gradients = [p.grad.numpy().copy() for p in self.parameters]
        for p in self.parameters:
            p.grad = None
        return gradients
