"""minigrad and PyTorch, run by the very same code.

minigrad's public API is a subset of PyTorch's, so one implementation of every workload
serves both: ``lib`` is either the ``minigrad`` or the ``torch`` module. This is the
strongest guarantee that the two engines are timed on the same formulation (the same
ops, the same loss function, the same optimizer), and it is the course's promise in
action: ``import minigrad as torch`` runs PyTorch code unchanged.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Callable

import numpy as np

from bench.engines import learner


class TorchLikeEngine:
    """An engine with PyTorch's API: tensors, ``backward``, ``no_grad``, ``nn.functional``,
    ``optim``."""

    scalar_only = False
    pytorch_api = True

    def __init__(self, name: str, lib: ModuleType) -> None:
        self.name = name
        self.lib = lib
        # ``torch.nn.functional`` is importable as an attribute after ``import torch``;
        # importing the submodules by name works for both libraries whatever their __init__.
        self.functional = importlib.import_module(f"{lib.__name__}.nn.functional")
        self.optim = importlib.import_module(f"{lib.__name__}.optim")
        # Use each part once, so that whatever the library loads lazily on first use is
        # loaded now, neither timed nor left for the garbage collector to walk during the
        # runs (PyTorch's first optimizer imports its compiler stack: seconds and ~150,000
        # objects, which the benchmark then freezes out of the collector's way).
        parameter = lib.zeros(3, requires_grad=True)
        optimizer = self.optim.SGD([parameter], lr=0.1)
        self.functional.binary_cross_entropy_with_logits(parameter, lib.ones(3)).backward()
        optimizer.step()
        optimizer.zero_grad()

    def per_op(self) -> Callable[[], None]:
        lib = self.lib
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = lib.tensor([4.0, 5.0, 6.0], requires_grad=True)
        c = lib.tensor([7.0, 8.0, 9.0], requires_grad=True)

        def forward_backward() -> None:
            # The gradients accumulate into a.grad, b.grad, c.grad call after call, as they
            # would in any engine; their values do not matter here, only the time.
            (a * b + c).sum().backward()

        return forward_backward

    def trainer(
        self, weights: list[np.ndarray], X: np.ndarray, targets: np.ndarray, loss: str, lr: float
    ) -> TorchLikeTrainer:
        return TorchLikeTrainer(self, weights, X, targets, loss, lr)

    def gradients(
        self, weights: list[np.ndarray], X: np.ndarray, targets: np.ndarray, loss: str
    ) -> list[np.ndarray]:
        trainer = TorchLikeTrainer(self, weights, X, targets, loss, lr=0.0)
        trainer.loss().backward()
        return [parameter.grad.numpy().copy() for parameter in trainer.parameters]

    def learner_per_op(self) -> Callable[[], None]:
        forward_backward, _ = learner.per_op(self.lib)
        return forward_backward

    def learner_per_op_gradients(self) -> list[np.ndarray]:
        forward_backward, inputs = learner.per_op(self.lib)
        forward_backward()
        return [tensor.grad.numpy().copy() for tensor in inputs]

    def learner_trainer(
        self, weights: list[np.ndarray], X: np.ndarray, y: np.ndarray, lr: float
    ) -> learner.HingeTrainer:
        return learner.HingeTrainer(self.lib, weights, X, y, lr)

    def chain(self, n_steps: int) -> float:
        x = self.lib.tensor(1.0, requires_grad=True)
        y = x
        for _ in range(n_steps):
            y = y * 1.0001 + 0.0001
        y.backward()
        return x.grad.item()


class TorchLikeTrainer:
    """Full-batch SGD on an MLP written with tensors: ``relu(x @ W + b)`` layer after layer."""

    def __init__(
        self,
        engine: TorchLikeEngine,
        weights: list[np.ndarray],
        X: np.ndarray,
        targets: np.ndarray,
        loss: str,
        lr: float,
    ) -> None:
        lib = engine.lib
        self.lib = lib
        # Copies: the NumPy arrays are shared by all engines and must stay untouched.
        self.parameters = [lib.tensor(w.copy(), requires_grad=True) for w in weights]
        self.X = lib.tensor(X.copy())
        self.targets = lib.tensor(targets.copy())
        if loss == "bce":
            self.loss_function = engine.functional.binary_cross_entropy_with_logits
        elif loss == "ce":
            self.loss_function = engine.functional.cross_entropy
        else:
            raise ValueError(f"loss must be 'bce' or 'ce', got {loss!r}")
        self.optimizer = engine.optim.SGD(self.parameters, lr=lr)

    def forward(self):
        h = self.X
        last = len(self.parameters) - 2
        for i in range(0, len(self.parameters), 2):
            h = h @ self.parameters[i] + self.parameters[i + 1]
            if i < last:
                h = h.relu()
        return h

    def loss(self):
        return self.loss_function(self.forward(), self.targets)

    def step(self) -> float:
        loss = self.loss()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def logits(self) -> np.ndarray:
        with self.lib.no_grad():
            return self.forward().numpy().copy()
