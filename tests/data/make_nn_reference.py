"""PyTorch's results for minigrad.nn, nn.functional and optim, recorded into nn_reference.json.

Every case below is written once against PyTorch's API, with the library passed in as
``lib`` (``torch`` or ``minigrad``): that is the course's promise, the same code runs on
both. Run from the repository root, with torch 2.13.0 installed:

    .venv/bin/python tests/data/make_nn_reference.py

It draws the inputs (seeded NumPy), runs every case with PyTorch, and writes inputs and
results to nn_reference.json, which is committed. tests/test_nn.py and tests/test_optim.py
run the same cases with minigrad and compare with the file, so they need no PyTorch; when
PyTorch is installed they also run the cases in it live, which proves the file is current.
Re-run this script whenever a case is added or changed.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REFERENCE_FILE = HERE / "nn_reference.json"
TORCH_VERSION = "2.13.0"
SEED = 20240607


# ---------------------------------------------------------------------- inputs
def make_inputs() -> dict:
    """The arrays every case starts from (float64; the cases choose their dtype)."""
    rng = np.random.default_rng(SEED)
    return {
        # a batch of 4 samples with 3 scores each, spread wide enough to test stability a bit
        "scores": rng.normal(0.0, 2.0, (4, 3)),
        "targets": rng.random((4, 3)),  # regression targets, or probabilities for BCE
        "classes": [2, 0, 1, 2],  # class indices for the 4 samples
        "class_weight": rng.random(3) + 0.5,
        "pos_weight": rng.random(3) + 0.5,
        "weight": rng.random((4, 3)) + 0.5,
        "upstream": rng.normal(size=(4, 3)),  # a `gradient` for reduction="none"
        "direction": rng.normal(size=(4, 3)),  # v of a Hessian-vector product
        "volume": rng.normal(size=(2, 3, 5)),  # (N, C, d) scores
        "volume_classes": [[0, 2, 1, 1, 0], [2, 2, 0, 1, 1]],
        "extreme_logits": [[-1000.0, -60.0, -1e-3, 0.0, 60.0, 1000.0]],
        "extreme_targets": [[0.0, 1.0, 0.5, 1.0, 0.0, 1.0]],
        # an affine layer and a batch through it
        "linear_input": rng.normal(size=(5, 4)),
        "linear_weight": rng.normal(size=(3, 4)),
        "linear_bias": rng.normal(size=3),
        "linear_batches": rng.normal(size=(2, 5, 4)),
        # the optimizer problem: least squares, y ≈ x @ wᵀ + b
        "optim_x": rng.normal(size=(6, 2)),
        "optim_y": rng.normal(size=(6, 3)),
        "optim_w": rng.normal(size=(3, 2)),
        "optim_b": rng.normal(size=3),
    }


def _numpy(tensor) -> list | float | None:
    if tensor is None:
        return None
    return tensor.detach().numpy().tolist()


# ---------------------------------------------------------------------- losses
# name -> (loss function of (lib, F, input, target-side tensors), which targets require grad)
def _loss(lib, name: str, inputs: dict, reduction: str, target_requires_grad: bool):
    """(loss, input, target) for the loss case ``name``, in float64."""
    F = lib.nn.functional
    f64 = lib.float64
    x = lib.tensor(inputs["scores"], dtype=f64, requires_grad=True)
    t = lib.tensor(inputs["targets"], dtype=f64, requires_grad=target_requires_grad)
    classes = lib.tensor(inputs["classes"])
    if name == "mse":
        return F.mse_loss(x, t, reduction=reduction), x, t
    if name == "bce":
        return F.binary_cross_entropy_with_logits(x, t, reduction=reduction), x, t
    if name == "bce_weighted":
        weight = lib.tensor(inputs["weight"], dtype=f64)
        pos_weight = lib.tensor(inputs["pos_weight"], dtype=f64)
        loss = F.binary_cross_entropy_with_logits(x, t, weight, reduction=reduction, pos_weight=pos_weight)
        return loss, x, t
    if name == "cross_entropy":
        return F.cross_entropy(x, classes, reduction=reduction), x, None
    if name == "cross_entropy_weighted":
        weight = lib.tensor(inputs["class_weight"], dtype=f64)
        loss = F.cross_entropy(x, classes, weight, ignore_index=0, reduction=reduction)
        return loss, x, None
    if name == "cross_entropy_probabilities":
        probabilities = t.softmax(dim=1)
        return F.cross_entropy(x, probabilities, reduction=reduction), x, t
    if name == "cross_entropy_one_sample":
        return F.cross_entropy(x[1], classes[1], reduction=reduction), x, None
    if name == "cross_entropy_volume":
        volume = lib.tensor(inputs["volume"], dtype=f64, requires_grad=True)
        volume_classes = lib.tensor(inputs["volume_classes"])
        return F.cross_entropy(volume, volume_classes, reduction=reduction), volume, None
    if name == "nll":
        return F.nll_loss(x.log_softmax(dim=1), classes, reduction=reduction), x, None
    if name == "nll_weighted":
        weight = lib.tensor(inputs["class_weight"], dtype=f64)
        loss = F.nll_loss(x, classes, weight, ignore_index=1, reduction=reduction)
        return loss, x, None
    raise KeyError(name)


LOSSES = (
    "mse",
    "bce",
    "bce_weighted",
    "cross_entropy",
    "cross_entropy_weighted",
    "cross_entropy_probabilities",
    "cross_entropy_one_sample",
    "cross_entropy_volume",
    "nll",
    "nll_weighted",
)
# Losses whose target may require grad (PyTorch differentiates them in the target too).
DIFFERENTIABLE_TARGETS = ("mse", "bce", "bce_weighted", "cross_entropy_probabilities")
# Losses with a non-zero second derivative in the input (nll_loss is linear in it).
SECOND_ORDER = (
    "mse",
    "bce",
    "bce_weighted",
    "cross_entropy",
    "cross_entropy_weighted",
    "cross_entropy_probabilities",
    "cross_entropy_one_sample",
)


# Losses whose graph is not one fused node in PyTorch either (several ops, or a view and
# NllLoss2DBackward0 for extra dimensions): only their numbers are compared.
COMPOSITE = ("cross_entropy_probabilities", "cross_entropy_volume")


def _node_name(node) -> str | None:
    # type(...).__name__ rather than node.name(): PyTorch's AccumulateGrad.name() is
    # "torch::autograd::AccumulateGrad".
    return None if node is None else type(node).__name__


def loss_case(lib, name: str, reduction: str, inputs: dict) -> dict:
    """Value, gradients (input and target) and a Hessian-vector product of one loss."""
    differentiable_target = name in DIFFERENTIABLE_TARGETS
    loss, x, t = _loss(lib, name, inputs, reduction, differentiable_target)
    if loss.ndim == 0:
        gradient = None
    else:
        gradient = lib.tensor(np.asarray(inputs["upstream"]).ravel()[: loss.numel()])
        gradient = gradient.to(loss.dtype).reshape(loss.shape)
    wrt = [x, t] if differentiable_target else [x]
    grads = lib.autograd.grad(loss, wrt, gradient, create_graph=True)
    result = {
        "loss": _numpy(loss),
        "input_grad": _numpy(grads[0]),
        "target_grad": _numpy(grads[1]) if differentiable_target else None,
    }
    if name not in COMPOSITE:
        result["grad_fn"] = type(loss.grad_fn).__name__
        result["next_functions"] = [_node_name(n) for n, _ in loss.grad_fn.next_functions]
    if name in SECOND_ORDER:
        # d/dx of (∇ₓloss · v): the Hessian of the loss times v, by a second backward pass.
        direction = np.asarray(inputs["direction"]).ravel()[: x.numel()].reshape(tuple(x.shape))
        directional = (grads[0] * lib.tensor(direction, dtype=lib.float64)).sum()
        (hessian_vector,) = lib.autograd.grad(directional, [x])
        result["hessian_vector"] = _numpy(hessian_vector)
    return result


def stability_case(lib, inputs: dict) -> dict:
    """Logits far beyond where exp overflows: the losses and gradients stay finite."""
    F = lib.nn.functional
    x = lib.tensor(inputs["extreme_logits"], requires_grad=True)
    t = lib.tensor(inputs["extreme_targets"])
    bce = F.binary_cross_entropy_with_logits(x, t, reduction="sum")
    (bce_grad,) = lib.autograd.grad(bce, [x])
    ce = F.cross_entropy(x, lib.tensor([0]))
    (ce_grad,) = lib.autograd.grad(ce, [x])
    return {
        "bce": _numpy(bce),
        "bce_grad": _numpy(bce_grad),
        "cross_entropy": _numpy(ce),
        "cross_entropy_grad": _numpy(ce_grad),
    }


# ---------------------------------------------------------------------- activations and linear
def activation_case(lib, name: str, inputs: dict) -> dict:
    F = lib.nn.functional
    x = lib.tensor(inputs["scores"], dtype=lib.float64, requires_grad=True)
    functions = {
        "relu": lambda: F.relu(x),
        "tanh": lambda: F.tanh(x),
        "sigmoid": lambda: F.sigmoid(x),
        "softmax": lambda: F.softmax(x, dim=1),
        "log_softmax": lambda: F.log_softmax(x, dim=0),
    }
    y = functions[name]()
    y.backward(lib.tensor(inputs["upstream"], dtype=lib.float64))
    return {"output": _numpy(y), "grad_fn": _node_name(y.grad_fn), "input_grad": _numpy(x.grad)}


def linear_case(lib, name: str, inputs: dict) -> dict:
    """F.linear on a batch, one sample, batches of batches, and without bias."""
    F = lib.nn.functional
    f64 = lib.float64
    weight = lib.tensor(inputs["linear_weight"], dtype=f64, requires_grad=True)
    bias = lib.tensor(inputs["linear_bias"], dtype=f64, requires_grad=True)
    source = {"batch": "linear_input", "no_bias": "linear_input", "batches": "linear_batches"}
    if name == "one_sample":
        x = lib.tensor(inputs["linear_input"][0], dtype=f64, requires_grad=True)
    else:
        x = lib.tensor(inputs[source[name]], dtype=f64, requires_grad=True)
    y = F.linear(x, weight, None if name == "no_bias" else bias)
    (y * y).sum().backward()
    return {
        "output": _numpy(y),
        "input_grad": _numpy(x.grad),
        "weight_grad": _numpy(weight.grad),
        "bias_grad": _numpy(bias.grad),
    }


# ---------------------------------------------------------------------- optimizers
OPTIMIZERS = {
    "sgd": ("SGD", {"lr": 0.1}),
    "sgd_momentum": ("SGD", {"lr": 0.1, "momentum": 0.9}),
    "sgd_momentum_dampening_decay": (
        "SGD",
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.1},
    ),
    "sgd_nesterov": ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    "sgd_maximize": ("SGD", {"lr": 0.01, "momentum": 0.5, "maximize": True}),
    "adam": ("Adam", {"lr": 0.01}),
    "adam_settings": ("Adam", {"lr": 0.1, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    "adam_maximize": ("Adam", {"lr": 0.05, "maximize": True}),
}
OPTIMIZER_STEPS = 3


def optimizer_case(lib, name: str, inputs: dict, groups: bool = False) -> dict:
    """Three steps on a least-squares loss; the parameters after each step (float32).

    A third parameter, ``frozen``, is in the optimizer but not in the loss: it has no
    gradient, so every step must leave it alone. With ``groups`` the bias gets its own
    learning rate in a second parameter group.
    """
    class_name, settings = OPTIMIZERS[name]
    w = lib.tensor(inputs["optim_w"], dtype=lib.float32, requires_grad=True)
    b = lib.tensor(inputs["optim_b"], dtype=lib.float32, requires_grad=True)
    frozen = lib.tensor([1.0, -2.0], requires_grad=True)
    x = lib.tensor(inputs["optim_x"], dtype=lib.float32)
    y = lib.tensor(inputs["optim_y"], dtype=lib.float32)
    if groups:
        params = [{"params": [w, frozen]}, {"params": [b], "lr": settings["lr"] * 3}]
    else:
        params = [w, b, frozen]
    optimizer = getattr(lib.optim, class_name)(params, **settings)
    steps = []
    for _ in range(OPTIMIZER_STEPS):
        optimizer.zero_grad()
        loss = (((x @ w.t() + b) - y) ** 2).sum() / 6
        loss.backward()
        optimizer.step()
        steps.append({"loss": _numpy(loss), "w": _numpy(w), "b": _numpy(b), "frozen": _numpy(frozen)})
    return {"steps": steps}


# ---------------------------------------------------------------------- modules
def module_case(lib) -> dict:
    """Names, order and printing of a small model's parts."""
    nn = lib.nn

    class Classifier(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh())
            self.head = nn.Linear(16, 3, bias=False)
            self.temperature = nn.Parameter(lib.ones(1))
            self.loss = nn.CrossEntropyLoss()

        def forward(self, x):
            return self.head(self.body(x)) / self.temperature

    model = Classifier()
    return {
        "repr": repr(model),
        "named_parameters": [[n, list(p.shape)] for n, p in model.named_parameters()],
        "named_modules": [n for n, _ in model.named_modules()],
        "children": [type(m).__name__ for m in model.children()],
        "state_dict": list(model.state_dict().keys()),
        "sequential_repr": repr(
            nn.Sequential(
                nn.Linear(2, 16),
                nn.ReLU(),
                nn.Sequential(nn.Linear(16, 1), nn.Sigmoid()),
                nn.MSELoss(reduction="sum"),
                nn.BCEWithLogitsLoss(),
            )
        ),
        "parameter_repr": repr(nn.Parameter(lib.tensor([1.0, 2.0]))),
        "frozen_parameter_repr": repr(nn.Parameter(lib.tensor([1.5]), requires_grad=False)),
        "double_parameter_repr": repr(nn.Parameter(lib.tensor([[1.0], [2.0]], dtype=lib.float64))),
    }


# ---------------------------------------------------------------------- errors
# Each snippet runs with `lib`, `nn`, `F`, `optim` and `x` (a (3, 4) float tensor that
# requires grad) in scope; the recorded message is PyTorch's. minigrad must raise the
# same exception type with a message that contains PyTorch's (with "torch." read as
# "minigrad.").
ERRORS = {
    "ce_batch_size": "F.cross_entropy(x, lib.tensor([1, 2]))",
    "nll_batch_size": "F.nll_loss(x, lib.tensor([1, 2]))",
    "ce_zero_dim_target": "F.cross_entropy(x, lib.tensor(1))",
    "ce_float_target": "F.cross_entropy(x, lib.tensor([1.0, 2.0, 0.0]))",
    "ce_bool_target": "F.cross_entropy(x, lib.tensor([True, False, True]))",
    "ce_target_out_of_bounds": "F.cross_entropy(x, lib.tensor([1, 2, 7]))",
    "ce_negative_target": "F.cross_entropy(x, lib.tensor([1, -1, 0]))",
    "ce_multi_target": "F.cross_entropy(x, lib.tensor([[1], [2], [0]]))",
    "ce_one_sample_batch": "F.cross_entropy(x[0], lib.tensor([1, 2]))",
    "ce_volume_target": "F.cross_entropy(lib.zeros(2, 3, 4), lib.zeros(2, 5, dtype=lib.int64))",
    "ce_weight_size": "F.cross_entropy(x, lib.tensor([1, 2, 0]), lib.ones(3))",
    "nll_weight_requires_grad": ("F.nll_loss(x, lib.tensor([1, 2, 0]), lib.ones(4, requires_grad=True))"),
    "bce_target_size": "F.binary_cross_entropy_with_logits(x, lib.zeros(3))",
    "bce_weight_requires_grad": (
        "F.binary_cross_entropy_with_logits(x, lib.zeros(3, 4), lib.ones(4, requires_grad=True))"
    ),
    "bce_weight_broadcast": "F.binary_cross_entropy_with_logits(x, lib.zeros(3, 4), lib.ones(5))",
    "mse_reduction": "F.mse_loss(x, lib.zeros(3, 4), reduction='average')",
    "ce_reduction": "F.cross_entropy(x, lib.tensor([1, 2, 0]), reduction='mean ')",
    "mse_broadcast": "F.mse_loss(x, lib.zeros(2))",
    "linear_shapes": "nn.Linear(2, 3)(lib.zeros(4, 3))",
    "softmax_dim": "F.softmax(x, dim=2)",
    "module_without_forward": "nn.Module()(x)",
    "parameter_before_init": "_module_without_init(nn, lib)",
    "train_not_bool": "nn.Linear(2, 3).train(1)",
    "sequential_not_module": "nn.Sequential(nn.Linear(2, 3), 5)",
    "sequential_index": "nn.Sequential(nn.Linear(2, 3), nn.ReLU())[2]",
    "load_missing_and_mismatch": "nn.Linear(2, 3).load_state_dict({'weight': lib.zeros(3, 3)})",
    "load_unexpected": (
        "nn.Linear(2, 3).load_state_dict({'weight': lib.zeros(3, 2), 'bias': lib.zeros(3), 'scale': lib.zeros(1)})"
    ),
    "parameter_of_integers": "nn.Parameter(lib.tensor([1, 2]))",
    "sgd_lr": "optim.SGD([x], lr=-0.1)",
    "sgd_momentum": "optim.SGD([x], lr=0.1, momentum=-0.5)",
    "sgd_weight_decay": "optim.SGD([x], lr=0.1, weight_decay=-1e-4)",
    "sgd_nesterov": "optim.SGD([x], lr=0.1, nesterov=True)",
    "sgd_nesterov_dampening": "optim.SGD([x], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)",
    "optimizer_empty": "optim.SGD([], lr=0.1)",
    "optimizer_one_tensor": "optim.SGD(x, lr=0.1)",
    "optimizer_not_tensor": "optim.SGD([x, 3], lr=0.1)",
    "optimizer_non_leaf": "optim.SGD([x * 2], lr=0.1)",
    "optimizer_set": "optim.SGD([{'params': {x}}], lr=0.1)",
    "optimizer_shared_between_groups": ("optim.SGD([{'params': [x]}, {'params': [x], 'lr': 0.5}], lr=0.1)"),
    "adam_lr": "optim.Adam([x], lr=-1)",
    "adam_eps": "optim.Adam([x], eps=-1e-8)",
    "adam_beta1": "optim.Adam([x], betas=(1.0, 0.999))",
    "adam_beta2": "optim.Adam([x], betas=(0.9, -0.1))",
    "adam_weight_decay": "optim.Adam([x], weight_decay=-0.5)",
}


def _module_without_init(nn, lib):
    class Forgetful(nn.Module):
        def __init__(self) -> None:  # forgets super().__init__()
            self.weight = nn.Parameter(lib.ones(1))

    return Forgetful()


def error_case(lib, name: str) -> dict:
    scope = {
        "lib": lib,
        "nn": lib.nn,
        "F": lib.nn.functional,
        "optim": lib.optim,
        "x": lib.randn(3, 4, requires_grad=True),
        "_module_without_init": _module_without_init,
    }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # mse_loss warns about the shapes before raising
            eval(ERRORS[name], scope)  # noqa: S307 - our own fixed snippets
    except Exception as error:  # noqa: BLE001 - recording whatever PyTorch raises
        return {"type": type(error).__name__, "message": str(error)}
    return {"type": None, "message": None}


# ---------------------------------------------------------------------- all of it
def run_all(lib, inputs: dict) -> dict:
    """Every case, run with ``lib``; the same structure as nn_reference.json's "results"."""
    results = {
        "losses": {
            f"{name}/{reduction}": loss_case(lib, name, reduction, inputs)
            for name in LOSSES
            for reduction in ("mean", "sum", "none")
        },
        "stability": stability_case(lib, inputs),
        "activations": {
            name: activation_case(lib, name, inputs) for name in ("relu", "tanh", "sigmoid", "softmax", "log_softmax")
        },
        "linear": {name: linear_case(lib, name, inputs) for name in ("batch", "one_sample", "batches", "no_bias")},
        "optimizers": {name: optimizer_case(lib, name, inputs) for name in OPTIMIZERS},
        "optimizer_groups": {name: optimizer_case(lib, name, inputs, groups=True) for name in ("sgd", "adam")},
        "modules": module_case(lib),
        "errors": {name: error_case(lib, name) for name in ERRORS},
    }
    return results


def _to_jsonable(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {key: _to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_jsonable(item) for item in value]
    return value


def to_json(value, indent: int = 0) -> str:
    """JSON with sorted keys, one key per line, but each list of numbers on one line (so a
    changed result shows up as a one-line diff)."""
    if isinstance(value, dict) and value:
        pad = " " * (indent + 1)
        items = [f"{pad}{json.dumps(key)}: {to_json(value[key], indent + 1)}" for key in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        pad = " " * (indent + 1)
        return "[\n" + ",\n".join(pad + to_json(item, indent + 1) for item in value) + "\n" + " " * indent + "]"
    return json.dumps(value, sort_keys=True, allow_nan=False, ensure_ascii=False)


def main() -> None:
    import torch

    if not torch.__version__.startswith(TORCH_VERSION):
        raise SystemExit(f"the reference is made with torch=={TORCH_VERSION}, found {torch.__version__}")
    torch.set_num_threads(1)  # reductions then add up in one fixed order
    torch.manual_seed(0)
    inputs = _to_jsonable(make_inputs())
    reference = {
        "generator": "tests/data/make_nn_reference.py",
        "torch_version": TORCH_VERSION,
        "inputs": inputs,
        "results": run_all(torch, inputs),
    }
    REFERENCE_FILE.write_text(to_json(reference) + "\n", encoding="utf-8")
    print(f"wrote {REFERENCE_FILE}")


if __name__ == "__main__":
    sys.exit(main())
