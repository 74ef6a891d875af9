"""The limit for a NumPy engine: forward and backward written out by hand.

No graph, no nodes, no bookkeeping: each workload is the handful of NumPy calls it needs
and nothing else, so whatever an autograd engine on NumPy costs beyond this is the price
of being automatic. Everything is float32, the default float dtype of PyTorch and
minigrad, so that the matrix products cost the same as theirs (float64 would be ~2x slower
and would not be a fair limit).
"""

from __future__ import annotations

from typing import Callable

import numpy as np


class NumpyByHandEngine:
    name = "numpy"
    scalar_only = False
    pytorch_api = False

    def per_op(self) -> Callable[[], None]:
        a = np.array([1.0, 2.0, 3.0], dtype=np.float32)
        b = np.array([4.0, 5.0, 6.0], dtype=np.float32)
        c = np.array([7.0, 8.0, 9.0], dtype=np.float32)
        grad_a, grad_b, grad_c = np.zeros_like(a), np.zeros_like(b), np.zeros_like(c)

        def forward_backward() -> None:
            (a * b + c).sum()  # the forward pass, whose value nobody reads, still costs
            # d total/d(a*b + c) is a vector of ones (the backward of sum is a broadcast);
            # then d(a*b)/da = b, d(a*b)/db = a and d(.. + c)/dc = 1. The gradients
            # accumulate in place, as they do in .grad.
            grad_sum = np.ones_like(a)
            np.add(grad_a, grad_sum * b, out=grad_a)
            np.add(grad_b, grad_sum * a, out=grad_b)
            np.add(grad_c, grad_sum, out=grad_c)

        return forward_backward

    def trainer(
        self, weights: list[np.ndarray], X: np.ndarray, targets: np.ndarray, loss: str, lr: float
    ) -> NumpyTrainer:
        return NumpyTrainer(weights, X, targets, loss, lr)

    def gradients(
        self, weights: list[np.ndarray], X: np.ndarray, targets: np.ndarray, loss: str
    ) -> list[np.ndarray]:
        _, grads = NumpyTrainer(weights, X, targets, loss, lr=0.0).loss_and_gradients()
        return grads

    def chain(self, n_steps: int) -> float:
        x = np.array(1.0, dtype=np.float32)
        for _ in range(n_steps):
            x = x * np.float32(1.0001) + np.float32(0.0001)
        # Reverse mode by hand: every step has the local derivative 1.0001, so the
        # gradient is multiplied by it once per step, from the output back to x.
        grad = np.array(1.0, dtype=np.float32)
        for _ in range(n_steps):
            grad = grad * np.float32(1.0001)
        return float(grad)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """sigmoid(z) = 1/(1 + e^-z), written as (1 + tanh(z/2))/2, which never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


class NumpyTrainer:
    """Full-batch SGD on the MLP ``relu(x @ W + b)``, with its backward written by hand."""

    def __init__(
        self, weights: list[np.ndarray], X: np.ndarray, targets: np.ndarray, loss: str, lr: float
    ) -> None:
        if loss not in ("bce", "ce"):
            raise ValueError(f"loss must be 'bce' or 'ce', got {loss!r}")
        self.parameters = [w.copy() for w in weights]
        self.X = X
        self.targets = targets
        self.loss = loss
        self.lr = lr

    def forward(self) -> list[np.ndarray]:
        """The input of every layer, then the logits (the backward needs all of them)."""
        activations = [self.X]
        last = len(self.parameters) - 2
        for i in range(0, len(self.parameters), 2):
            z = activations[-1] @ self.parameters[i] + self.parameters[i + 1]
            activations.append(np.maximum(z, 0.0) if i < last else z)
        return activations

    def loss_and_gradients(self) -> tuple[float, list[np.ndarray]]:
        activations = self.forward()
        logits = activations[-1]
        if self.loss == "bce":
            # mean of log(1 + e^z) - y z, as log(1 + e^-|z|) + max(z, 0) - y z so that e^z
            # never overflows; its derivative is (sigmoid(z) - y) / number of elements.
            y = self.targets
            loss = np.mean(np.maximum(logits, 0.0) - logits * y + np.log1p(np.exp(-np.abs(logits))))
            grad_z = (sigmoid(logits) - y) / np.float32(logits.size)
        else:
            # Cross-entropy: -mean(log softmax(z)[label]); shifting by the row maximum keeps
            # exp from overflowing. Its derivative is (softmax(z) - one_hot(label)) / batch.
            rows = np.arange(len(logits))
            shifted = logits - logits.max(axis=1, keepdims=True)
            log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            loss = -np.mean(log_probabilities[rows, self.targets])
            grad_z = np.exp(log_probabilities)
            grad_z[rows, self.targets] -= 1.0
            grad_z /= np.float32(len(logits))

        # Backward, layer by layer from the last: for z = x @ W + b,
        # dL/dW = xᵀ @ dL/dz, dL/db = sum of dL/dz over the batch, dL/dx = dL/dz @ Wᵀ,
        # and through relu the gradient passes only where the output was positive.
        grads: list[np.ndarray] = [None] * len(self.parameters)  # type: ignore[list-item]
        for i in range(len(self.parameters) - 2, -1, -2):
            layer_input = activations[i // 2]
            grads[i] = layer_input.T @ grad_z
            grads[i + 1] = grad_z.sum(axis=0)
            if i > 0:  # the gradient with respect to the data itself is never needed
                grad_z = (grad_z @ self.parameters[i].T) * (layer_input > 0)
        return float(loss), grads

    def step(self) -> float:
        loss, grads = self.loss_and_gradients()
        for parameter, grad in zip(self.parameters, grads):
            parameter -= self.lr * grad
        return loss

    def logits(self) -> np.ndarray:
        return self.forward()[-1]
