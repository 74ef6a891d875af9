"""``nn.Parameter``: a tensor that a Module registers as one of its learnable weights.

A Parameter is an ordinary leaf tensor that requires grad; the subclass only
marks it, so that assigning ``self.weight = nn.Parameter(...)`` inside a Module
adds it to ``module.parameters()`` (the list an optimizer updates).  Operations
on a Parameter give plain Tensors, as in PyTorch.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from .._tensor import Tensor, _init_state, as_array


class Parameter(Tensor):
    """A learnable tensor: ``Parameter(data, requires_grad=True)``.

    ``Parameter(tensor)`` shares the tensor's memory (changing one changes the
    other), as in PyTorch; a list or an array is copied.
    """

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        if data is None:
            array = np.zeros(0, dtype=dtypes.DEFAULT_FLOAT.numpy)
        elif isinstance(data, Tensor):
            array = data.data
        else:
            array = as_array(data)
        _init_state(self, array)
        if isinstance(data, Tensor):
            # Same memory, so the same version counter: an in-place change made
            # through either tensor is seen by autograd on both.
            self._version_counter = data._version_counter
        if requires_grad:
            self._require_grad()  # (refused for integers with the message of a factory, as PyTorch)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        # copy.deepcopy(model) and pickle give Parameters back, with their own memory.
        return (Parameter, (self.data.copy(), self._requires_grad))
