"""The engines under test, each behind the same small interface.

An engine builds the workloads from NumPy data (so that all start from the same numbers)
and runs them its own way:

- ``per_op()`` returns a function doing one forward+backward of ``(a*b + c).sum()`` on
  three-element inputs;
- ``trainer(weights, X, targets, loss, lr)`` returns a :class:`Trainer` for full-batch SGD
  on the MLP ``x @ W1 + b1 -> relu -> ... -> x @ Wk + bk`` with ``loss`` ``"bce"``
  (binary cross-entropy with logits) or ``"ce"`` (softmax cross-entropy);
- ``gradients(weights, X, targets, loss)`` returns the loss's gradient with respect to
  every weight, as NumPy arrays (to check that the engines compute the same thing);
- ``chain(n_steps)`` builds ``x = x*1.0001 + 0.0001`` ``n_steps`` times from a leaf
  ``x = 1``, differentiates it and returns ``dx_final/dx``.

The engines with PyTorch's API (``pytorch_api``: minigrad and PyTorch) also run the
learner's programs of ``learner.py``, the same lines for both: ``learner_per_op()``,
``learner_per_op_gradients()`` and ``learner_trainer(weights, X, y, lr)``.

Engines that are not installed are reported, never imported at module level.
"""

from __future__ import annotations

from typing import Callable, Protocol

import numpy as np

ENGINE_NAMES = ("minigrad", "numpy", "torch", "micrograd")


class Trainer(Protocol):
    def step(self) -> float:
        """One SGD step on the full batch; returns the loss computed before the update."""

    def logits(self) -> np.ndarray:
        """The model's output on the training inputs, computed without recording a graph."""


class Engine(Protocol):
    name: str
    scalar_only: bool  # True for micrograd: tensor workloads are skipped
    pytorch_api: bool  # True for minigrad and PyTorch: they run the learner's programs too

    def per_op(self) -> Callable[[], None]: ...

    def trainer(
        self, weights: list[np.ndarray], X: np.ndarray, targets: np.ndarray, loss: str, lr: float
    ) -> Trainer: ...

    def gradients(
        self, weights: list[np.ndarray], X: np.ndarray, targets: np.ndarray, loss: str
    ) -> list[np.ndarray]: ...

    def chain(self, n_steps: int) -> float: ...


def load_engine(name: str) -> Engine:
    """Import one engine; raises ImportError when its library is not installed."""
    if name == "numpy":
        from bench.engines.numpy_by_hand import NumpyByHandEngine

        return NumpyByHandEngine()
    if name == "minigrad":
        import minigrad
        from bench.engines.torchlike import TorchLikeEngine

        return TorchLikeEngine("minigrad", minigrad)
    if name == "torch":
        import torch

        from bench.engines.torchlike import TorchLikeEngine

        # One thread, like every other engine (the environment variables set by the script
        # cover NumPy's BLAS; PyTorch's own thread pool needs to be told as well).
        torch.set_num_threads(1)
        return TorchLikeEngine("torch", torch)
    if name == "micrograd":
        from bench.engines.micrograd_scalar import MicrogradEngine

        return MicrogradEngine()
    raise ValueError(f"unknown engine {name!r}; expected one of {', '.join(ENGINE_NAMES)}")


def load_engines(names: tuple[str, ...] = ENGINE_NAMES) -> tuple[dict[str, Engine], dict[str, str]]:
    """The engines that load, and for the others the reason (``"not installed"`` or an error)."""
    engines: dict[str, Engine] = {}
    missing: dict[str, str] = {}
    for name in names:
        try:
            engines[name] = load_engine(name)
        except ModuleNotFoundError as error:
            # Only the library itself missing means "not installed"; a module missing
            # inside an installed library is a broken install, reported as an error.
            if error.name == name:
                missing[name] = "not installed"
            else:
                missing[name] = f"error: {type(error).__name__}: {error}"
        except Exception as error:  # a broken install must not stop the other engines
            missing[name] = f"error: {type(error).__name__}: {error}"
    return engines, missing
