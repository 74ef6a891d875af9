"""Optimizers (``minigrad.optim``), as ``torch.optim``: they update parameters from their ``.grad``.

The training loop they are made for::

    optimizer = optim.SGD(model.parameters(), lr=0.1)
    for x, y in batches:
        optimizer.zero_grad()           # gradients accumulate: start each step from None
        loss = loss_fn(model(x), y)
        loss.backward()                 # fills p.grad for every parameter p
        optimizer.step()                # p -= lr * p.grad (or Adam's rule), in place
"""

from __future__ import annotations

from .adam import Adam
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["SGD", "Adam", "Optimizer"]
