"""The data and the initial weights every engine starts from.

Everything is generated with NumPy from a seed, in float32 (PyTorch's and minigrad's
default float dtype), so that every engine sees exactly the same numbers.
"""

from __future__ import annotations

import numpy as np

SEED = 0

# Workload 2: a 2-16-16-1 MLP on two moons. The hidden activation is ReLU because it is the
# only non-linearity micrograd has, and all engines must compute the same function.
TWO_MOONS_SIZES = (2, 16, 16, 1)

# Workload 3: a 784-256-128-10 MLP with softmax cross-entropy on random "images".
LARGE_MLP_SIZES = (784, 256, 128, 10)
LARGE_MLP_BATCH = 256


def two_moons(n: int, noise: float = 0.1, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: ``X`` of shape (n, 2) and labels ``y`` of shape (n, 1).

    The upper moon is (cos t, sin t) and the lower one (1 - cos t, 0.5 - sin t) for t in
    [0, pi], plus Gaussian noise: the classic toy problem that a straight line cannot solve.
    """
    rng = np.random.default_rng(seed)
    n_upper = n // 2
    n_lower = n - n_upper
    t_upper = rng.uniform(0.0, np.pi, n_upper)
    t_lower = rng.uniform(0.0, np.pi, n_lower)
    upper = np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1)
    lower = np.stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1)
    X = np.concatenate([upper, lower]) + rng.normal(0.0, noise, (n, 2))
    y = np.concatenate([np.zeros(n_upper), np.ones(n_lower)])[:, None]
    # Shuffle so that the two classes are interleaved, as real data would be.
    order = rng.permutation(n)
    return X[order].astype(np.float32), y[order].astype(np.float32)


def init_mlp(sizes: tuple[int, ...], seed: int = SEED) -> list[np.ndarray]:
    """Weights ``[W1, b1, W2, b2, ...]`` with ``W`` of shape (fan_in, fan_out).

    Drawn uniformly in ±1/sqrt(fan_in), the rule of PyTorch's ``nn.Linear``; the layout
    (fan_in, fan_out) lets every engine write a layer as ``x @ W + b``.
    """
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32))
        weights.append(rng.uniform(-bound, bound, (fan_out,)).astype(np.float32))
    return weights


def random_classification(
    batch: int, n_features: int, n_classes: int, seed: int = SEED
) -> tuple[np.ndarray, np.ndarray]:
    """A random batch: inputs of shape (batch, n_features), int64 class labels (batch,)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(0.0, 1.0, (batch, n_features)).astype(np.float32)
    labels = rng.integers(0, n_classes, batch).astype(np.int64)
    return X, labels


def accuracy(logits: np.ndarray, y: np.ndarray) -> float:
    """Fraction of points on the right side of the decision boundary (logit 0)."""
    return float(np.mean((logits > 0) == (y > 0.5)))
