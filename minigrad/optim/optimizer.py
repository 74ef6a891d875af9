"""The base class of the optimizers: parameter groups, per-parameter state, ``zero_grad``.

An optimizer holds the tensors it updates in *parameter groups*: dicts with a
``"params"`` list and the settings for those tensors (``lr``, ``momentum``...),
so that, say, the last layer can learn faster than the others::

    optim.SGD([{"params": body.parameters()}, {"params": head.parameters(), "lr": 0.1}], lr=0.01)

Settings a group does not give come from the optimizer's defaults. ``state``
maps each parameter to what the update rule remembers between steps (a momentum
buffer, Adam's running averages).

``step()`` changes the parameters' values in place, with NumPy, on ``p.data``:
the update is not part of any computation to differentiate (it is what PyTorch
does under ``no_grad``), and in place means that every tensor and array sharing
a parameter's memory sees the new value.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable

import numpy as np

from .._errors import with_hint
from .._tensor import Tensor, bump_version
from ..autograd.grad_mode import enable_grad


class Optimizer:
    """Base class: holds ``param_groups``, ``defaults`` and ``state``; subclasses add ``step``."""

    def __init__(self, params: Iterable, defaults: dict) -> None:
        if isinstance(params, Tensor):
            raise with_hint(
                TypeError(
                    "params argument given to the optimizer should be an iterable of Tensors or dicts, "
                    f"but got {params.type() if isinstance(params, Tensor) else type(params).__name__}"
                ),
                "Pass a list of tensors ([w, b]) or model.parameters().",
            )
        self.defaults = defaults
        self.state: dict = {}
        self.param_groups: list[dict] = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters, with settings that override the defaults."""
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        params = list(params)
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + type(param).__name__)
            if not param.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        if len({id(p) for p in params}) != len(params):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this "
                "will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                "information",
                stacklevel=3,
            )
        group["params"] = params
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        already = {id(p) for other in self.param_groups for p in other["params"]}
        if any(id(p) in already for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients: to None (the default), or to zeros with ``set_to_none=False``."""
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                else:
                    if param.grad.grad_fn is not None:  # recorded by create_graph: cut it loose
                        param.grad = param.grad.detach()
                    param.grad.zero_()

    def step(self, closure: Callable | None = None):
        """Update each parameter that has a gradient; ``closure`` recomputes the loss."""
        raise NotImplementedError

    @staticmethod
    def _gradient(param: Tensor, group: dict):
        """The gradient an update follows, as a NumPy array (nothing is recorded from here on):
        ``.grad``, negated with ``maximize`` (to climb instead of descend), plus
        ``weight_decay`` times the parameter (L2 regularisation), as in PyTorch's optimizers."""
        grad = param.grad.data
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param.data
        return grad

    def _evaluate(self, closure: Callable | None):
        # The closure computes a loss and calls backward, so it needs recording on.
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # ------------------------------------------------------------------ saving and loading
    def state_dict(self) -> dict:
        """The settings and state, with parameters replaced by their positions (0, 1, ...)."""
        index = {}
        groups = []
        for group in self.param_groups:
            saved = {key: value for key, value in group.items() if key != "params"}
            saved["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(saved)
        state = {
            index[id(param)]: {key: _copy(value) for key, value in values.items()}
            for param, values in self.state.items()
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what ``state_dict`` saved (for the same parameters, in the same order)."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        by_index = {}
        for group, saved in zip(self.param_groups, saved_groups):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size of optimizer's group"
                )
            by_index.update(zip(saved["params"], group["params"]))
            group.update({key: value for key, value in saved.items() if key != "params"})
        self.state = {
            by_index[index]: {key: _copy(value) for key, value in values.items()}
            for index, values in state_dict["state"].items()
        }

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for number, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {number}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines) + "\n)"


def _copy(value):
    if isinstance(value, Tensor):
        return Tensor(value.data)
    return value.copy() if isinstance(value, np.ndarray) else value


def _mark_updated(param: Tensor) -> None:
    """Count an in-place change of ``param``, as PyTorch's ``param.add_`` does.

    A graph that saved the old value for its backward then raises instead of
    silently using the new one.
    """
    bump_version(param)


def _check_non_negative(name: str, value: float) -> None:
    if not value >= 0.0:
        raise ValueError(f"Invalid {name}: {value}")
