"""Neural networks (``minigrad.nn``): modules, parameters, layers and losses, as ``torch.nn``.

* ``parameter.py``: ``Parameter``, the tensors a module learns;
* ``modules.py``: ``Module`` (registration of parameters and sub-modules), ``Linear``,
  ``Flatten``, ``Sequential``, the activations and the loss modules;
* ``functional.py``: the same operations as functions (``nn.functional``, "F"), where
  the losses are defined;
* ``init.py``: filling weights with random values.
"""

from __future__ import annotations

from . import functional, init
from .modules import (
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    Flatten,
    Linear,
    Module,
    MSELoss,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
)
from .parameter import Parameter

__all__ = [
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "Flatten",
    "Linear",
    "MSELoss",
    "Module",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "functional",
    "init",
]
