"""micrograd (Karpathy's 94-line scalar engine, PyPI ``micrograd``), on the scalar workloads.

Every number is a ``Value`` node, so a tensor workload becomes one node per element per
op: this is what the course's first chapters build, and what a tensor engine saves.
micrograd computes in Python floats (float64); its results agree with the float32 engines
to float32 precision, which is what the benchmark checks.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from micrograd.engine import Value
from micrograd.nn import MLP


def softplus(z: Value) -> Value:
    """log(1 + e^z), whose derivative is sigmoid(z): the one op this workload needs that
    micrograd lacks (it has no exp or log), added the way micrograd's own ops are written."""
    x = z.data
    # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): e^-|x| <= 1 cannot overflow.
    out = Value(max(x, 0.0) + math.log1p(math.exp(-abs(x))), (z,), "softplus")

    def _backward() -> None:
        # sigmoid(x), in the form whose exponential cannot overflow for either sign of x.
        if x >= 0:
            sigmoid = 1.0 / (1.0 + math.exp(-x))
        else:
            sigmoid = math.exp(x) / (1.0 + math.exp(x))
        z.grad += sigmoid * out.grad

    out._backward = _backward
    return out


class MicrogradEngine:
    name = "micrograd"
    scalar_only = True
    pytorch_api = False

    def per_op(self) -> Callable[[], None]:
        a = [Value(1.0), Value(2.0), Value(3.0)]
        b = [Value(4.0), Value(5.0), Value(6.0)]
        c = [Value(7.0), Value(8.0), Value(9.0)]

        def forward_backward() -> None:
            # (a*b + c).sum() on three-element "tensors": one Value per element and per op.
            total = (a[0] * b[0] + c[0]) + (a[1] * b[1] + c[1]) + (a[2] * b[2] + c[2])
            total.backward()

        return forward_backward

    def trainer(
        self, weights: list[np.ndarray], X: np.ndarray, targets: np.ndarray, loss: str, lr: float
    ) -> MicrogradTrainer:
        return MicrogradTrainer(weights, X, targets, loss, lr)

    def gradients(
        self, weights: list[np.ndarray], X: np.ndarray, targets: np.ndarray, loss: str
    ) -> list[np.ndarray]:
        trainer = MicrogradTrainer(weights, X, targets, loss, lr=0.0)
        trainer.model.zero_grad()
        trainer.loss().backward()
        return trainer.weights(attribute="grad")

    def chain(self, n_steps: int) -> float:
        x = Value(1.0)
        y = x
        for _ in range(n_steps):
            y = y * 1.0001 + 0.0001
        y.backward()  # recursive topological sort: RecursionError past ~1000 nodes deep
        return x.grad


class MicrogradTrainer:
    """Full-batch SGD with ``micrograd.nn.MLP`` (ReLU hidden layers, a linear output)."""

    def __init__(
        self, weights: list[np.ndarray], X: np.ndarray, targets: np.ndarray, loss: str, lr: float
    ) -> None:
        if loss != "bce":
            raise ValueError(f"micrograd runs the scalar workloads only (loss 'bce'), got {loss!r}")
        sizes = [weights[0].shape[0]] + [w.shape[0] for w in weights[1::2]]
        self.model = MLP(sizes[0], sizes[1:])
        # micrograd draws its own random weights; overwrite them with the shared ones.
        # Neuron j of a layer holds column j of W (our layout is x @ W + b).
        for layer, W, b in zip(self.model.layers, weights[0::2], weights[1::2]):
            for j, neuron in enumerate(layer.neurons):
                for i, w in enumerate(neuron.w):
                    w.data = float(W[i, j])
                neuron.b.data = float(b[j])
        self.rows = X.tolist()
        self.labels = targets[:, 0].tolist()
        self.lr = lr

    def weights(self, attribute: str = "data") -> list[np.ndarray]:
        """The model's weights (or their gradients) in the shared layout [W1, b1, ...]."""
        arrays = []
        for layer in self.model.layers:
            W = [[getattr(w, attribute) for w in neuron.w] for neuron in layer.neurons]
            arrays.append(np.array(W, dtype=np.float64).T)
            arrays.append(
                np.array([getattr(n.b, attribute) for n in layer.neurons], dtype=np.float64)
            )
        return arrays

    def loss(self) -> Value:
        # Binary cross-entropy with logits, mean over the points: log(1 + e^z) - y z.
        terms = []
        for row, label in zip(self.rows, self.labels):
            z = self.model(row)
            terms.append(softplus(z) - z * label)
        return sum(terms) * (1.0 / len(terms))

    def step(self) -> float:
        loss = self.loss()
        self.model.zero_grad()
        loss.backward()
        for parameter in self.model.parameters():
            parameter.data -= self.lr * parameter.grad
        return loss.data

    def logits(self) -> np.ndarray:
        return np.array([[self.model(row).data] for row in self.rows])
