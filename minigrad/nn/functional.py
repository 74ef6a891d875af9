"""Functions of neural networks (``minigrad.nn.functional``, usually imported as ``F``).

* activations: ``relu``, ``tanh``, ``sigmoid``, ``softmax``, ``log_softmax``: the
  Tensor methods under their functional names;
* ``linear``: ``input @ weightᵀ + bias``, recorded as one node for a batch;
* losses: ``mse_loss``, ``binary_cross_entropy_with_logits``, ``nll_loss`` and
  ``cross_entropy`` (which is ``nll_loss(log_softmax(input))``, as in PyTorch).

Each loss is one Function, so one node of the graph with PyTorch's name
(``MseLossBackward0``, ...). Its forward computes the whole formula in NumPy
instead of recording the half-dozen operations it is made of: fewer nodes mean
less Python per training step, and the formula can be the numerically stable one.

The gradient of a loss is itself an operation with a Function of its own (as
PyTorch's ``mse_loss_backward``). Its forward computes the gradient in NumPy in
one go; its backward and jvp say how the gradient changes, written with Tensor
operations. So ``create_graph=True`` records it (``MseLossBackwardBackward0``)
and second derivatives of a loss (Hessians, Hessian-vector products) work.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import dtypes
from .._errors import with_hint
from .._tensor import Tensor, wrap
from ..autograd.function import Function
from ..ops.elementwise import _check_broadcast

__all__ = [
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "linear",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]


# ---------------------------------------------------------------------- activations
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(input, 0), element-wise."""
    return input.relu_() if inplace else input.relu()


def tanh(input: Tensor) -> Tensor:
    """tanh(input), element-wise."""
    return input.tanh()


def sigmoid(input: Tensor) -> Tensor:
    """σ(input) = 1 / (1 + exp(-input)), element-wise."""
    return input.sigmoid()


def _implicit_dim(input: Tensor, name: str) -> int:
    # PyTorch's old rule for a missing dim, kept with its deprecation warning.
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as an argument.",
        UserWarning,
        stacklevel=3,
    )
    return 0 if input.ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None) -> Tensor:
    """exp(input) / Σ exp(input) along ``dim``: each slice becomes probabilities."""
    return input.softmax(_implicit_dim(input, "softmax") if dim is None else dim)


def log_softmax(input: Tensor, dim: int | None = None) -> Tensor:
    """input - log Σ exp(input) along ``dim`` (computed stably, not as log(softmax))."""
    return input.log_softmax(_implicit_dim(input, "log_softmax") if dim is None else dim)


# ---------------------------------------------------------------------- linear
class Addmm(Function):
    """bias + input @ mat2 for a batch of rows: what nn.Linear records, with mat2 = weightᵀ.

    d/dinput = grad @ mat2ᵀ, d/dmat2 = inputᵀ @ grad, d/dbias = Σ over the batch of grad.
    (As in PyTorch, the transpose of the weight is its own node, TBackward0.)
    """

    node_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, bias, input, mat2):
        needs = ctx.needs_input_grad
        # The gradient of each operand of a product needs only the other one.
        ctx.save_for_backward(input if needs[2] else None, mat2 if needs[1] else None)
        result = input.data @ mat2.data
        result += bias.data
        return result

    @staticmethod
    def backward(ctx, grad_output):
        input, mat2 = ctx.saved_tensors
        needs = ctx.needs_input_grad
        grad_bias = grad_output.sum(0) if needs[0] else None
        grad_input = grad_output @ mat2.t() if needs[1] else None
        grad_mat2 = input.t() @ grad_output if needs[2] else None
        return grad_bias, grad_input, grad_mat2

    @staticmethod
    def jvp(ctx, tangent_bias, tangent_input, tangent_mat2):
        _, input, mat2 = ctx.inputs
        return tangent_bias + tangent_input @ mat2 + input @ tangent_mat2


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input @ weightᵀ + bias, with weight of shape (out_features, in_features)."""
    fused = (
        bias is not None
        and input.ndim == 2
        and weight.ndim == 2
        and bias.ndim == 1
        and input.data.shape[1] == weight.data.shape[1]
        and bias.data.shape[0] == weight.data.shape[0]
        and input.data.dtype == weight.data.dtype == bias.data.dtype
    )
    if fused:  # the usual case, a batch of rows: one node instead of three
        return Addmm.apply(bias, input, weight.t())
    # Anything else (one sample, extra batch dimensions, mixed dtypes, wrong shapes
    # with matmul's error message) is the same formula with the general operations.
    output = input @ weight.t()
    return output if bias is None else output + bias


# ---------------------------------------------------------------------- helpers of the losses
_REDUCTIONS = ("none", "mean", "sum")


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise with_hint(ValueError(f"{reduction} is not a valid value for reduction"), "Use 'mean', 'sum' or 'none'.")


def _reduce(losses: np.ndarray, reduction: str) -> np.ndarray:
    """The losses of each element, their sum, or their mean (nan for no elements, as PyTorch)."""
    if reduction == "none":
        return losses
    total = losses.sum()
    if reduction == "sum":
        return np.asarray(total)
    if losses.size == 0:
        return np.asarray(np.nan, dtype=losses.dtype)
    return np.asarray(total / losses.size)


def _reduce_tensor(losses: Tensor, reduction: str) -> Tensor:
    """``_reduce`` with Tensor operations (for the forward-mode rules)."""
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses


def _mean_scale(reduction: str, count: int) -> float:
    """What each element's gradient is multiplied by: 1/n for a mean, else 1."""
    return 1.0 / count if reduction == "mean" and count else 1.0


def _constant(array: np.ndarray) -> Tensor:
    """A NumPy array (a weight, a mask) as a tensor that needs no grad."""
    return wrap(np.asarray(array))


def _as_tensor_argument(value, function: str, argument: str) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{function}(): argument '{argument}' must be Tensor, not {type(value).__name__}")
    return value


def _floating_pair(input, target, function: str) -> tuple[Tensor, Tensor]:
    """Input and target as tensors of one floating dtype (integer targets are converted)."""
    input = _as_tensor_argument(input, function, "input")
    target = _as_tensor_argument(target, function, "target")
    if not input.is_floating_point():
        raise NotImplementedError(
            f"{function} is not implemented for an input of dtype {input.dtype!r}: its input must "
            "hold floating point numbers (convert it with input.float())"
        )
    if not target.is_floating_point():
        target = target.to(input.dtype)
    elif target.data.dtype != input.data.dtype:
        wider = np.promote_types(input.data.dtype, target.data.dtype)
        input, target = input.to(wider), target.to(wider)
    return input, target


def _non_differentiable(value, like: Tensor, function: str, argument: str) -> np.ndarray | None:
    """An optional weight as a NumPy array of the input's dtype (PyTorch gives it no gradient)."""
    if value is None:
        return None
    value = _as_tensor_argument(value, function, argument)
    if value.requires_grad:
        raise RuntimeError(
            f"The function '{function}' is not differentiable with respect to argument "
            f"'{argument}'. "
            "This input cannot have requires_grad True."
        )
    return value.data.astype(like.data.dtype, copy=False)


# ---------------------------------------------------------------------- mean squared error
class MseLoss(Function):
    """(input - target)² for each element, then the mean (or sum).

    d loss / d input = 2·(input - target)/n for the mean.
    """

    node_name = "MseLossBackward0"

    @staticmethod
    def forward(ctx, input, target, reduction):
        ctx.save_for_backward(input, target)
        ctx.reduction = reduction
        difference = input.data - target.data
        return _reduce(difference * difference, reduction)

    @staticmethod
    def backward(ctx, grad_output):
        input, target = ctx.saved_tensors
        grad_input = MseLossBackward.apply(grad_output, input, target, ctx.reduction)
        # The loss depends on input - target: the target's gradient is the opposite.
        grad_target = -grad_input if ctx.needs_input_grad[1] else None
        return grad_input, grad_target, None

    @staticmethod
    def jvp(ctx, tangent_input, tangent_target, _reduction):
        input, target, _ = ctx.inputs
        change = 2 * (input - target) * (tangent_input - tangent_target)
        return _reduce_tensor(change, ctx.reduction)


class MseLossBackward(Function):
    """The gradient of mse_loss in its input: grad_output · 2·(input - target) / n."""

    node_name = "MseLossBackwardBackward0"

    @staticmethod
    def forward(ctx, grad_output, input, target, reduction):
        ctx.save_for_backward(grad_output, input, target)
        difference = input.data - target.data
        ctx.scale = 2 * _mean_scale(reduction, difference.size)
        return difference * (grad_output.data * ctx.scale)

    @staticmethod
    def backward(ctx, grad):
        grad_output, input, target = ctx.saved_tensors
        needs = ctx.needs_input_grad
        scaled = grad * ctx.scale
        grad_grad_output = scaled * (input - target) if needs[0] else None
        grad_input = scaled * grad_output if needs[1] or needs[2] else None
        return (
            grad_grad_output,
            grad_input if needs[1] else None,
            -grad_input if needs[2] else None,
            None,
        )

    @staticmethod
    def jvp(ctx, tangent_grad_output, tangent_input, tangent_target, _reduction):
        grad_output, input, target, _ = ctx.inputs
        change = tangent_grad_output * (input - target) + grad_output * (tangent_input - tangent_target)
        return change * ctx.scale


def mse_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """Mean squared error, mean((input - target)²).

    ``reduction="sum"`` gives the sum instead, ``"none"`` the squared error of each element.
    """
    _check_reduction(reduction)
    input, target = _floating_pair(input, target, "mse_loss")
    if input.data.shape != target.data.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            UserWarning,
            stacklevel=2,
        )
        _check_broadcast(input.data.shape, target.data.shape)
    return MseLoss.apply(input, target, reduction)


# ---------------------------------------------------------------------- binary cross-entropy
def _sigmoid(x: np.ndarray) -> np.ndarray:
    # For very negative x, exp(-x) overflows to inf and 1 / (1 + inf) = 0 is the right limit.
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


class BinaryCrossEntropyWithLogits(Function):
    """-[t·log σ(x) + (1 - t)·log(1 - σ(x))] for logits x and targets t, then the mean (or sum).

    Computed as max(x, 0) - x·t + log(1 + exp(-|x|)), which never overflows (log σ(x)
    of the naive form is -inf once σ(x) rounds to 0). With ``pos_weight`` p the
    t·log σ(x) term is multiplied by p; ``weight`` multiplies each element's loss.
    """

    node_name = "BinaryCrossEntropyWithLogitsBackward0"

    @staticmethod
    def forward(ctx, input, target, weight, pos_weight, reduction):
        ctx.save_for_backward(input, target)
        ctx.weight, ctx.pos_weight, ctx.reduction = weight, pos_weight, reduction
        x, t = input.data, target.data
        log_term = np.log1p(np.exp(-np.abs(x)))
        if pos_weight is None:
            losses = np.maximum(x, 0) - x * t + log_term
        else:
            # -log σ(x) = max(-x, 0) + log(1 + exp(-|x|)), and -log(1 - σ(x)) = x - log σ(x).
            losses = (1 - t) * x + (1 + (pos_weight - 1) * t) * (np.maximum(-x, 0) + log_term)
        if weight is not None:
            losses = losses * weight
        return _reduce(losses, reduction)

    @staticmethod
    def backward(ctx, grad_output):
        input, target = ctx.saved_tensors
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            grad_input = BinaryCrossEntropyWithLogitsBackward.apply(
                grad_output, input, target, ctx.weight, ctx.pos_weight, ctx.reduction
            )
        if ctx.needs_input_grad[1]:  # rare: a target that is itself computed
            scale = _mean_scale(ctx.reduction, input.data.size)
            grad_target = _bce_target_slope(input, ctx.pos_weight, ctx.weight) * (grad_output * scale)
        return grad_input, grad_target, None, None, None

    @staticmethod
    def jvp(ctx, tangent_input, tangent_target, *_settings):
        input, target = ctx.inputs[0], ctx.inputs[1]
        slopes = _BceSlopes(input, target, ctx.weight, ctx.pos_weight, 1.0)
        target_slope = _bce_target_slope(input, ctx.pos_weight, ctx.weight)
        change = slopes.value * tangent_input + target_slope * tangent_target
        return _reduce_tensor(change, ctx.reduction)


def _bce_target_slope(input: Tensor, pos_weight, weight) -> Tensor:
    """d loss / d target = -x (+ (p - 1)·(-log σ(x)) with pos_weight p), times weight."""
    slope = -input
    if pos_weight is not None:
        minus_log_sigmoid = (-input).relu() + (1 + (-input.abs()).exp()).log()
        slope = slope + _constant(pos_weight - 1) * minus_log_sigmoid
    return slope if weight is None else slope * _constant(weight)


class _BceSlopes:
    """The gradient of the loss in its input, g(x, t) = w·(l·σ(x) - p·t) with l = 1 + (p - 1)·t,
    and its derivatives dg/dx = w·l·σ(x)·(1 - σ(x)) and dg/dt = w·((p - 1)·σ(x) - p), as Tensors
    (w: weight times the 1/n of a mean; p: pos_weight, 1 when not given)."""

    def __init__(self, input: Tensor, target: Tensor, weight, pos_weight, scale: float) -> None:
        sigmoid = input.sigmoid()
        weight = scale if weight is None else _constant(weight * scale)
        if pos_weight is None:
            self.value = weight * (sigmoid - target)
            self.by_input = weight * sigmoid * (1 - sigmoid)
            self.by_target = -weight
        else:
            log_weight = 1 + _constant(pos_weight - 1) * target
            self.value = weight * (log_weight * sigmoid - _constant(pos_weight) * target)
            self.by_input = weight * log_weight * sigmoid * (1 - sigmoid)
            self.by_target = weight * (_constant(pos_weight - 1) * sigmoid - _constant(pos_weight))


class BinaryCrossEntropyWithLogitsBackward(Function):
    """The gradient of the loss in its logits: grad_output·weight·(σ(x) - t) / n.

    With pos_weight p: grad_output·weight·(σ(x)·(1 + (p - 1)·t) - p·t) / n.
    """

    node_name = "BinaryCrossEntropyWithLogitsBackwardBackward0"

    @staticmethod
    def forward(ctx, grad_output, input, target, weight, pos_weight, reduction):
        ctx.save_for_backward(grad_output, input, target)
        ctx.weight, ctx.pos_weight = weight, pos_weight
        ctx.scale = _mean_scale(reduction, input.data.size)
        x, t = input.data, target.data
        if pos_weight is None:
            grad = _sigmoid(x) - t
        else:
            grad = (1 + (pos_weight - 1) * t) * _sigmoid(x) - pos_weight * t
        if weight is not None:
            grad *= weight
        return grad * (grad_output.data * ctx.scale)

    @staticmethod
    def backward(ctx, grad):
        grad_output, input, target = ctx.saved_tensors
        needs = ctx.needs_input_grad
        slopes = _BceSlopes(input, target, ctx.weight, ctx.pos_weight, ctx.scale)
        grad_grad_output = grad * slopes.value if needs[0] else None
        grad_input = grad * grad_output * slopes.by_input if needs[1] else None
        grad_target = grad * grad_output * slopes.by_target if needs[2] else None
        return grad_grad_output, grad_input, grad_target, None, None, None

    @staticmethod
    def jvp(ctx, tangent_grad_output, tangent_input, tangent_target, *_settings):
        grad_output, input, target = ctx.inputs[:3]
        slopes = _BceSlopes(input, target, ctx.weight, ctx.pos_weight, ctx.scale)
        return tangent_grad_output * slopes.value + grad_output * (
            slopes.by_input * tangent_input + slopes.by_target * tangent_target
        )


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    *,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross-entropy of the logits ``input`` (σ is applied inside) against targets in [0, 1].

    loss = max(x, 0) - x·t + log(1 + exp(-|x|)), averaged; d loss/dx = (σ(x) - t)/n.
    """
    _check_reduction(reduction)
    input, target = _floating_pair(input, target, "binary_cross_entropy_with_logits")
    if target.data.shape != input.data.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    name = "binary_cross_entropy_with_logits"
    weight = _non_differentiable(weight, input, name, "weight")
    pos_weight = _non_differentiable(pos_weight, input, name, "pos_weight")
    for argument, extra in (("weight", weight), ("pos_weight", pos_weight)):
        if extra is not None:
            _check_broadcast(input.data.shape, extra.shape)
            if np.broadcast_shapes(input.data.shape, extra.shape) != input.data.shape:
                raise RuntimeError(
                    f"{argument} of shape {list(extra.shape)} must broadcast to the input's shape "
                    f"{list(input.data.shape)}"
                )
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction)


# ---------------------------------------------------------------------- negative log-likelihood
class NllLoss(Function):
    """-input[i, target[i]] for each sample i (input holds log-probabilities), then the mean.

    With ``weight`` the loss of sample i is multiplied by weight[target[i]] and the mean
    divides by the sum of those weights; samples whose target is ``ignore_index`` count
    for nothing. The gradient is -weight/total at each picked entry and 0 elsewhere: it
    does not depend on input at all, so nothing is saved for backward.
    """

    node_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, input, target, weight, ignore_index, reduction):
        # target and weight are NumPy arrays: they are not inputs of the graph.
        x = input.data
        if x.ndim == 1:  # one sample, (C,), with a 0-dim target
            x, target = x[None], target.reshape(1)
        ignored = target == ignore_index
        any_ignored = ignored.any()
        if any_ignored:
            target = np.where(ignored, 0, target)  # any valid index; its weight is 0 below
        at_targets = _at_targets(target)
        picked = x[at_targets]
        if weight is None and not any_ignored:
            weights, total = None, picked.size
            losses = -picked
        else:
            weights = np.ones(picked.shape, x.dtype) if weight is None else weight[target]
            weights[ignored] = 0
            total = weights.sum()
            losses = -(picked * weights)
        ctx.at_targets, ctx.weights, ctx.total, ctx.reduction = at_targets, weights, total, reduction
        ctx.input_shape, ctx.shape_2d, ctx.dtype = input.data.shape, x.shape, x.dtype
        if reduction == "none":
            return losses.reshape(()) if input.data.ndim == 1 else losses
        if reduction == "sum":
            return np.asarray(losses.sum())
        # Every target ignored: the mean of nothing is nan, as in PyTorch.
        return np.asarray(losses.sum() / total if total else np.nan, dtype=x.dtype)

    @staticmethod
    def _local_gradient(ctx) -> Tensor:
        """d loss / d input: -weight at each picked entry (over the total weight for a mean)."""
        local = np.zeros(ctx.shape_2d, dtype=ctx.dtype)
        values = np.asarray(-1.0, dtype=ctx.dtype) if ctx.weights is None else -ctx.weights
        if ctx.reduction == "mean":
            # Every target ignored: the loss is nan but, as in PyTorch, the gradient is 0.
            values = values / ctx.total if ctx.total else np.zeros_like(values)
        local[ctx.at_targets] = values
        return wrap(local.reshape(ctx.input_shape))

    @staticmethod
    def backward(ctx, grad_output):
        # A product with a constant: with create_graph=True, the gradient's own derivative in
        # input is zero (PyTorch records a node that says so; here it simply has no edge to input).
        if ctx.reduction == "none" and grad_output.ndim > 0:
            grad_output = grad_output.unsqueeze(1)  # one gradient per sample, over its classes
        return grad_output * NllLoss._local_gradient(ctx), None, None, None, None

    @staticmethod
    def backward_on_arrays(ctx, g):
        local = NllLoss._local_gradient(ctx).data
        if g.dtype is not local.dtype:
            return NotImplemented  # (the tensor formula applies PyTorch's type promotion)
        if ctx.reduction == "none" and g.ndim > 0:
            g = g[:, None]  # one gradient per sample, over its classes
        return g * local, None, None, None, None

    @staticmethod
    def jvp(ctx, tangent, *_settings):
        change = tangent * NllLoss._local_gradient(ctx)
        if ctx.reduction == "none" and tangent.ndim > 1:
            return change.sum(dim=1)
        return change.sum()


def _at_targets(target: np.ndarray) -> tuple:
    """An index of each sample's target class in an (N, C, d1, ...) array (NumPy's fancy
    indexing): ``x[_at_targets(target)]`` has target's shape and holds x[i, target[i], ...]."""
    if target.ndim == 1:
        return (np.arange(target.shape[0]), target)
    positions = np.indices(target.shape, sparse=True)  # i along N, then j, k ... along d1, d2 ...
    return (positions[0], target, *positions[1:])


_TYPE_NAMES = {"float32": "Float", "float64": "Double", "bool": "Bool", "int64": "Long"}


def _class_targets(input, target, weight, ignore_index: int, function: str) -> tuple:
    """Check class-index targets against input (N, C, ...) as PyTorch does; return NumPy arrays."""
    input = _as_tensor_argument(input, function, "input")
    target = _as_tensor_argument(target, function, "target")
    if not input.is_floating_point():
        raise NotImplementedError(
            f"{function} is not implemented for an input of dtype {input.dtype!r}: its input must "
            "hold floating point scores (convert it with input.float())"
        )
    if input.ndim == 0:
        raise ValueError(
            f"{function} expects an input of shape (C,), (N, C) or (N, C, d1, ...) with the "
            "classes in dimension 1, got a 0-dim tensor"
        )
    if input.ndim == 1:
        if target.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if target.ndim == 1 and target.data.size != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {target.data.size}")
    else:
        batch = target.data.shape[0] if target.ndim > 0 else 0
        if batch != input.data.shape[0]:
            raise ValueError(f"Expected input batch_size ({input.data.shape[0]}) to match target batch_size ({batch}).")
        if input.ndim == 2 and target.ndim != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        expected = (input.data.shape[0],) + input.data.shape[2:]
        if target.data.shape != expected:
            raise RuntimeError(f"Expected target size {list(expected)}, got {list(target.shape)}")
    if target.dtype is not dtypes.int64:
        raise with_hint(
            RuntimeError(f"expected target dtype to be Long or Byte, but got {_TYPE_NAMES[target.dtype.name]}"),
            "Class indices must be int64: use target.long().",
        )
    classes = input.data.shape[0 if input.ndim == 1 else 1]
    weight = _non_differentiable(weight, input, "nll_loss_forward", "weight")
    if weight is not None and weight.shape != (classes,):
        raise RuntimeError(
            f"weight tensor should be defined either for all {classes} classes or no classes but "
            f"got weight tensor of shape: {list(weight.shape)}"
        )
    indices = target.data
    # (min and max first: two quick reductions tell whether any target needs a closer look)
    if indices.size and (indices.min() < 0 or indices.max() >= classes):
        out_of_range = ((indices < 0) | (indices >= classes)) & (indices != ignore_index)
        if out_of_range.any():
            raise with_hint(
                IndexError(f"Target {indices[out_of_range].flat[0]} is out of bounds."),
                f"There are {classes} classes, numbered 0 to {classes - 1}.",
            )
    return indices.reshape(()) if input.ndim == 1 else indices, weight


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood: the mean over samples of -input[i, target[i]].

    ``input`` holds log-probabilities (from ``log_softmax``), ``target`` class indices.
    """
    _check_reduction(reduction)
    indices, weight = _class_targets(input, target, weight, ignore_index, "nll_loss")
    return NllLoss.apply(input, indices, weight, ignore_index, reduction)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Softmax cross-entropy of scores (logits) ``input`` against class indices ``target``.

    loss_i = -log softmax(input_i)[target_i] = log Σ_c exp(input_ic) - input_i,target_i,
    computed as ``nll_loss(log_softmax(input, dim=1), target)``, as in PyTorch (the classes
    are dimension 1, or 0 for a single sample of shape (C,)). A floating ``target`` of the
    input's shape holds class probabilities instead: loss_i = -Σ_c target_ic·log softmax_ic.
    """
    _check_reduction(reduction)
    input = _as_tensor_argument(input, "cross_entropy", "input")
    class_dim = 0 if input.ndim == 1 else 1
    if isinstance(target, Tensor) and target.is_floating_point() and target.shape == input.shape:
        return _cross_entropy_with_probabilities(input, target, weight, class_dim, reduction)
    indices, weight = _class_targets(input, target, weight, ignore_index, "cross_entropy")
    return NllLoss.apply(input.log_softmax(class_dim), indices, weight, ignore_index, reduction)


def _cross_entropy_with_probabilities(input, target, weight, class_dim: int, reduction: str):
    # Recorded as the few operations it is, in PyTorch's order (sum, then negate).
    products = input.log_softmax(class_dim) * target
    if weight is not None:  # one weight per class, along the class dimension
        products = products * weight.reshape((-1,) + (1,) * (input.ndim - class_dim - 1))
    if reduction == "none":
        return -products.sum(dim=class_dim)
    total = -products.sum()
    # The mean is over samples (and extra dimensions), not over the classes.
    return total / (input.data.size // input.data.shape[class_dim]) if reduction == "mean" else total
