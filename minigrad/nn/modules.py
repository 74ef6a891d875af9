"""Modules: ``nn.Module`` and the layers, activations and losses built on it.

A Module is a callable object that keeps its learnable tensors (Parameters) and
its sub-modules as attributes. Assigning ``self.fc1 = nn.Linear(2, 16)`` or
``self.scale = nn.Parameter(...)`` in ``__init__`` registers them, in order, so
that ``model.parameters()`` can hand every weight of the whole tree to an
optimizer, and ``model.zero_grad()`` can reset all their gradients.
``model(x)`` calls ``model.forward(x)``, which the subclass defines.
"""

from __future__ import annotations

import math
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterator

import numpy as np

from .. import dtypes
from .._errors import with_hint
from .._tensor import Size, Tensor, bump_version
from ..autograd.grad_mode import no_grad
from . import functional as F
from . import init
from .parameter import Parameter

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


def _type_name(value) -> str:
    """How PyTorch names a value's type in its messages: 'minigrad.FloatTensor' for a tensor."""
    return value.type() if isinstance(value, Tensor) else type(value).__name__


class Module:
    """Base class of every layer and model: subclass it, assign parts in ``__init__``, define
    ``forward``."""

    training: bool

    def __init__(self) -> None:
        # Written with object.__setattr__: our own __setattr__ needs these to exist first.
        object.__setattr__(self, "_parameters", {})  # name -> Parameter (or None)
        object.__setattr__(self, "_modules", {})  # name -> Module (or None)
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name: str, value) -> None:
        # Parameters and Modules are also kept in a registry, in the order they were
        # assigned; they stay ordinary attributes too, so reading self.weight is plain.
        parameters = self.__dict__.get("_parameters")
        if isinstance(value, (Parameter, Module)) and parameters is None:
            kind = "parameters" if isinstance(value, Parameter) else "module"
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if isinstance(value, Parameter):
            self._modules.pop(name, None)
            parameters[name] = value
        elif isinstance(value, Module):
            parameters.pop(name, None)
            self._modules[name] = value
        elif parameters is not None and name in parameters:
            if value is not None:
                raise with_hint(
                    TypeError(
                        f"cannot assign '{_type_name(value)}' as parameter '{name}' "
                        "(minigrad.nn.Parameter or None expected)"
                    ),
                    "Wrap a tensor in nn.Parameter(...) to make it a parameter.",
                )
            parameters[name] = None
        elif parameters is not None and name in self._modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' "
                    "(minigrad.nn.Module or None expected)"
                )
            self._modules[name] = None
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter under ``name`` (None: the name holds no tensor, e.g. no bias)."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{_type_name(param)}' object to parameter '{name}' "
                "(minigrad.nn.Parameter or None required)"
            )
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a sub-module under ``name`` (what ``self.name = module`` does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    # ------------------------------------------------------------------ walking the tree
    def named_modules(self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True):
        """This module and every module inside it, with dotted names ("", "fc1", "body.0", ...)."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                child_prefix = f"{prefix}.{name}" if prefix else name
                yield from module.named_modules(memo, child_prefix, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules, with their attribute names."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        """Every parameter with its dotted name ("fc1.weight", "0.bias", ...): a module's own
        parameters first, then those of its sub-modules; a shared parameter only once."""
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, param in module._parameters.items():
                if param is None or (remove_duplicate and param in seen):
                    continue
                seen.add(param)
                yield (f"{module_prefix}.{name}" if module_prefix else name), param

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every learnable tensor of the model: what an optimizer is given."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every sub-module, then on this module (e.g. to initialise weights)."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ training helpers
    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to None, or to zeros if ``set_to_none=False``."""
        for param in self.parameters():
            _reset_grad(param, set_to_none)

    def train(self, mode: bool = True) -> Module:
        """Set training mode (``training = mode``) here and in every sub-module."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``. (It does not turn off gradients: use no_grad.)"""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze (True) every parameter."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def to(self, dtype) -> Module:
        """Convert every parameter (and gradient) to ``dtype``, in place; returns the module."""
        target = dtypes.as_dtype(dtype).numpy
        for param in self.parameters():
            if param.data.dtype != target:
                param.data = param.data.astype(target)
                bump_version(param)
                if param.grad is not None:
                    param.grad = param.grad.to(target)
        return self

    def double(self) -> Module:
        return self.to(dtypes.float64)

    def float(self) -> Module:
        return self.to(dtypes.float32)

    # ------------------------------------------------------------------ saving and loading
    def state_dict(self) -> OrderedDict:
        """Name -> copy of every parameter ("fc1.weight": tensor).

        Unlike PyTorch's, the tensors are copies, not views: a saved state_dict does not
        change when training continues.
        """
        return OrderedDict((name, Tensor(param.data)) for name, param in self.named_parameters(remove_duplicate=False))

    def load_state_dict(self, state_dict, strict: bool = True) -> IncompatibleKeys:
        """Copy values (Tensors or NumPy arrays) into the parameters of the same names."""
        own = dict(self.named_parameters(remove_duplicate=False))
        missing = [name for name in own if name not in state_dict]
        unexpected = [name for name in state_dict if name not in own]
        errors = []
        if strict and missing:
            errors.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ")
        if strict and unexpected:
            errors.append("Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ". ")
        values = {}
        for name, param in own.items():
            if name in state_dict:
                value = state_dict[name]
                value = value.data if isinstance(value, Tensor) else np.asarray(value)
                if value.shape != param.data.shape:
                    errors.append(
                        f"size mismatch for {name}: copying a param with shape {Size(value.shape)} "
                        f"from checkpoint, the shape in current model is {param.shape}."
                    )
                values[name] = value
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors))
        with no_grad():
            for name, value in values.items():
                own[name].copy_(Tensor(value, dtype=own[name].dtype))
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (its settings)."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        lines += [f"({name}): " + _indent(repr(module), 2) for name, module in self._modules.items()]
        if not lines:
            return f"{type(self).__name__}()"
        if len(lines) == 1 and not self._modules:  # a simple layer: Linear(in_features=2, ...)
            return f"{type(self).__name__}({lines[0]})"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


def _indent(text: str, spaces: int) -> str:
    """Indent every line but the first (a nested module's repr inside its parent's)."""
    return text.replace("\n", "\n" + " " * spaces)


def _reset_grad(param: Tensor, set_to_none: bool) -> None:
    if param.grad is None:
        return
    if set_to_none:
        param.grad = None
    else:
        # Zeroed in place; a gradient recorded by create_graph is first cut from its graph.
        if param.grad.grad_fn is not None:
            param.grad = param.grad.detach()
        param.grad.zero_()


# ---------------------------------------------------------------------- layers
class Linear(Module):
    """y = x @ weightᵀ + bias, with weight (out_features, in_features) and bias (out_features,).

    Both start uniform in ±1/√in_features, as PyTorch's nn.Linear, drawn from the
    generator that ``minigrad.manual_seed`` resets.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        dtype = dtypes.as_dtype(dtype).numpy if dtype is not None else dtypes.DEFAULT_FLOAT.numpy
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw new weights, uniform in ±1/√in_features (the weight first, then the bias)."""
        bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        bias = self.bias is not None
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={bias}"


class Sequential(Module):
    """Modules applied one after the other: ``Sequential(Linear(2, 16), ReLU(), Linear(16, 1))``.

    The modules are named "0", "1", ... (or by the keys of an OrderedDict given
    instead), and can be read back with ``model[i]``.
    """

    def __init__(self, *modules) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(modules):
                self.add_module(str(index), module)

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*modules[index])
        if not -len(modules) <= index < len(modules):
            raise IndexError(f"index {index} is out of range")
        return modules[index]

    def append(self, module: Module) -> Sequential:
        self.add_module(str(len(self)), module)
        return self


class Flatten(Module):
    """Merge dimensions ``start_dim``..``end_dim`` into one: (N, C, H, W) -> (N, C·H·W) by default,
    keeping the batch dimension."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


# ---------------------------------------------------------------------- activations
class ReLU(Module):
    """max(x, 0), element-wise."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Tanh(Module):
    """tanh(x), element-wise."""

    def forward(self, input: Tensor) -> Tensor:
        return input.tanh()


class Sigmoid(Module):
    """σ(x) = 1 / (1 + exp(-x)), element-wise."""

    def forward(self, input: Tensor) -> Tensor:
        return input.sigmoid()


# ---------------------------------------------------------------------- losses
class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        F._check_reduction(reduction)
        self.reduction = reduction


class MSELoss(_Loss):
    """Mean squared error between input and target (see ``F.mse_loss``)."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of logits against targets in [0, 1].

    See ``F.binary_cross_entropy_with_logits``.
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(reduction)
        self.weight = weight
        self.pos_weight = pos_weight

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of scores against class indices (see ``F.cross_entropy``)."""

    def __init__(self, weight: Tensor | None = None, ignore_index: int = -100, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight = weight
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction)
