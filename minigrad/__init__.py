"""minigrad: a small reverse-mode autograd engine on NumPy with PyTorch's API.

``import minigrad as torch`` runs PyTorch's autograd examples (within the
subset described in the course's api.md).  Where to read what:

* ``_tensor.py``: the Tensor and its autograd attributes;
* ``autograd/function.py``: how an operation is recorded (``Function``, nodes);
* ``autograd/engine.py``: the backward pass;
* ``ops/``: the operations, forward and backward side by side;
* ``scalar.py``: the first, scalar engine of chapter 02;
* ``nn/`` and ``optim/``: layers, losses and optimizers.
"""

from __future__ import annotations

# _tensor first: it pulls in autograd and the operations in the order they need.
from ._tensor import Size, Tensor, where  # isort: skip
from . import autograd, dtypes
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import bool_ as bool  # noqa: A001 - PyTorch's name
from .dtypes import double, dtype, float32, float64, int64, long
from .dtypes import float as float  # noqa: A001, PLC0414
from .functions import *  # noqa: F403 - the module-level forms: minigrad.exp(x), minigrad.cat(...)
from .functions import __all__ as _function_names

__version__ = "0.1.0"

__all__ = [
    "Size",
    "Tensor",
    "arange",
    "as_tensor",
    "autograd",
    "bool",
    "double",
    "dtype",
    "dtypes",
    "empty",
    "empty_like",
    "enable_grad",
    "eye",
    "float",
    "float32",
    "float64",
    "from_numpy",
    "full",
    "full_like",
    "int64",
    "is_grad_enabled",
    "linspace",
    "long",
    "manual_seed",
    "no_grad",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "set_grad_enabled",
    "tensor",
    "where",
    "zeros",
    "zeros_like",
    *_function_names,
]


# ``minigrad.autograd.gradcheck`` is the function, as in PyTorch; bound here, once the
# package is complete, so that importing the module of the same name cannot replace it.
from .autograd.gradcheck import gradcheck as _gradcheck  # noqa: E402
from .autograd.gradcheck import gradgradcheck as _gradgradcheck  # noqa: E402

autograd.gradcheck, autograd.gradgradcheck = _gradcheck, _gradgradcheck


def __getattr__(name: str):
    # Submodules loaded on first use, so `import minigrad` stays light.
    import importlib

    if name in ("nn", "optim", "scalar", "viz", "finite_differences"):
        return importlib.import_module(f".{name}", __name__)
    if name == "check_environment":  # chapter 00's check: what the course needs, and what is missing
        return importlib.import_module("._environment", __name__).check_environment
    raise AttributeError(f"module 'minigrad' has no attribute {name!r}")
