"""Filling weights in place (``minigrad.nn.init``), from minigrad's random generator.

The functions end in ``_`` because they overwrite the tensor, as in PyTorch. They
work under ``no_grad``: setting a weight's starting value is not part of any
computation to differentiate. Random values come from the generator that
``minigrad.manual_seed`` resets, so a seeded notebook builds the same network
every time (not the same numbers as PyTorch: the generators differ).
"""

from __future__ import annotations

import numpy as np

from .. import creation
from .._tensor import Tensor, wrap
from ..autograd.grad_mode import no_grad


def _overwrite(tensor: Tensor, values: np.ndarray) -> Tensor:
    with no_grad():
        return tensor.copy_(wrap(values.astype(tensor.data.dtype, copy=False)))


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with numbers drawn uniformly from [a, b)."""
    return _overwrite(tensor, creation._generator.uniform(a, b, tensor.data.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with numbers drawn from the normal distribution N(mean, std²)."""
    return _overwrite(tensor, creation._generator.normal(mean, std, tensor.data.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with one value."""
    with no_grad():
        return tensor.fill_(val)


def zeros_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)
