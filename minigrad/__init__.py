"""minigrad: a small reverse-mode autograd engine on NumPy, with PyTorch's API.

A tensor records the operations applied to it; ``backward()`` walks that record
backwards and applies the chain rule at each step, as PyTorch's autograd does. It is
written to be read: each operation's derivative sits beside its computation, and the
engine is a few short files. Its names, arguments, results and error messages are
PyTorch's, so ``import minigrad as torch`` runs PyTorch's autograd examples that stay
within what it implements: tensors of floats, ints and bools on the CPU, the usual
element-wise, reduction, shape and matrix operations, ``backward`` and
``autograd.grad`` (also of higher order), forward-mode AD, hooks, in-place operations,
and the layers, losses and optimizers of ``nn`` and ``optim``.

Reading order. Each file imports only files listed before it (tests/test_layout.py
checks it), so the package can be read from the top down:

1. Foundations, which import nothing of minigrad: ``scalar.py`` (chapter 02's engine
   on single numbers: the whole algorithm in one file), ``dtypes.py`` (dtypes and
   type promotion), ``_errors.py`` (PyTorch's errors, with minigrad's hints as notes),
   ``_device.py`` (``device``: the CPU, and PyTorch's errors for an accelerator),
   ``cuda.py`` (``cuda.is_available()``), ``_printing.py`` (how a tensor prints),
   ``autograd/grad_mode.py`` (the switch that ``no_grad`` turns off).
2. ``_tensor.py``: the Tensor's state (its data, requires_grad, grad, grad_fn and
   version counter), nothing that computes.
3. Autograd: ``autograd/forward_ad.py`` (dual numbers), ``_speed.py`` (what makes the
   engine fast, in one place), ``autograd/graph.py`` (the nodes of the graph),
   ``autograd/function.py`` (``Function.apply`` records an operation),
   ``autograd/engine.py`` (the backward pass), ``autograd/__init__.py`` (``backward``
   and ``grad``; it gives Tensor its ``backward`` method).
4. The operations: ``ops/elementwise.py``, ``ops/shape.py``, ``ops/reductions.py``,
   ``ops/linalg.py``. Each operation is a ``Function`` with its forward and backward
   side by side; the end of each file holds its module-level form (``minigrad.exp(x)``)
   and gives Tensor its methods and operators (``x.exp()``, ``a * b``).
5. ``_inplace.py`` (``x += 1``, ``x[0] = 5``: in-place operations and their methods),
   ``creation.py`` (``tensor``, ``zeros``, ``randn``...).
6. Built on top: ``autograd/functional.py`` (Jacobians, Hessians, jvp), ``func.py``
   (``func.grad``, ``jacrev``...: the same as transforms of functions),
   ``finite_differences.py``, ``autograd/gradcheck.py``, ``nn/`` (layers and losses),
   ``optim/`` (optimizers), ``viz/`` (the course's pictures and widgets), and
   ``_environment.py`` (chapter 00's check of the installation).

This file imports them in that order and exports PyTorch's names: ``minigrad.tensor``,
``minigrad.exp``, ``minigrad.no_grad``...
"""

from __future__ import annotations

# The imports follow the reading order above; `import minigrad` runs every file that gives
# Tensor its methods (the ops, _inplace), so a tensor has all its methods from the start.
# isort: off
from . import dtypes
from .dtypes import bool_ as bool  # noqa: A001 - PyTorch's name
from .dtypes import double, dtype, float32, float64, int64, long
from .dtypes import float as float  # noqa: A001, PLC0414
from ._device import device
from . import cuda
from .autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from ._tensor import Size, Tensor
from . import autograd
from .ops.elementwise import (
    abs,  # noqa: A004 - PyTorch's name
    add,
    allclose,
    clamp,
    clip,
    cos,
    div,
    equal,
    exp,
    isclose,
    log,
    mul,
    neg,
    pow,  # noqa: A004
    relu,
    sigmoid,
    sin,
    sqrt,
    sub,
    tanh,
    where,
)
from .ops.shape import cat, flatten, narrow, permute, reshape, squeeze, stack, transpose, unsqueeze
from .ops.reductions import (
    argmax,
    argmin,
    log_softmax,
    max,  # noqa: A004
    maximum,
    mean,
    min,  # noqa: A004
    minimum,
    norm,
    softmax,
    sum,  # noqa: A004
)
from .ops.linalg import dot, matmul, mm, mv
from . import _inplace  # noqa: F401 - gives Tensor its in-place methods (x.add_(y), x[0] = 5)
from .creation import (
    DoubleTensor,
    FloatTensor,
    LongTensor,
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

# isort: on

__version__ = "0.1.0"

__all__ = [
    "DoubleTensor",
    "FloatTensor",
    "LongTensor",
    "Size",
    "Tensor",
    "abs",
    "add",
    "allclose",
    "arange",
    "argmax",
    "argmin",
    "as_tensor",
    "autograd",
    "bool",
    "cat",
    "clamp",
    "clip",
    "cos",
    "cuda",
    "device",
    "div",
    "dot",
    "double",
    "dtype",
    "dtypes",
    "empty",
    "empty_like",
    "enable_grad",
    "equal",
    "exp",
    "eye",
    "flatten",
    "float",
    "float32",
    "float64",
    "from_numpy",
    "full",
    "full_like",
    "int64",
    "is_grad_enabled",
    "isclose",
    "linspace",
    "log",
    "log_softmax",
    "long",
    "manual_seed",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mm",
    "mul",
    "mv",
    "narrow",
    "neg",
    "no_grad",
    "norm",
    "ones",
    "ones_like",
    "permute",
    "pow",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "relu",
    "reshape",
    "set_grad_enabled",
    "sigmoid",
    "sin",
    "softmax",
    "sqrt",
    "squeeze",
    "stack",
    "sub",
    "sum",
    "tanh",
    "tensor",
    "transpose",
    "unsqueeze",
    "where",
    "zeros",
    "zeros_like",
]


# ``minigrad.autograd.gradcheck`` is the function, as in PyTorch; bound here, once the
# package is complete, so that importing the module of the same name cannot replace it.
from .autograd.gradcheck import gradcheck as _gradcheck  # noqa: E402
from .autograd.gradcheck import gradgradcheck as _gradgradcheck  # noqa: E402

autograd.gradcheck, autograd.gradgradcheck = _gradcheck, _gradgradcheck


def __getattr__(name: str):
    # Submodules loaded on first use, so `import minigrad` stays light.
    import importlib

    if name in ("nn", "optim", "scalar", "viz", "finite_differences", "func"):
        return importlib.import_module(f".{name}", __name__)
    if name == "check_environment":  # chapter 00's check: what the course needs, and what is missing
        return importlib.import_module("._environment", __name__).check_environment
    raise AttributeError(f"module 'minigrad' has no attribute {name!r}")
