"""Tests of ``minigrad.optim``: SGD and Adam against PyTorch's updates and against their
formulas worked out by hand; parameter groups, zero_grad, in-place updates, state_dict.

The PyTorch values (three steps of each optimizer on a fixed least-squares problem, float32)
were recorded by ``data/make_nn_reference.py`` with torch 2.13.0 into
``data/nn_reference.json``; with PyTorch installed they are also recomputed live.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad
from minigrad import nn, optim

sys.path.insert(0, str(Path(__file__).resolve().parent / "data"))
import make_nn_reference as reference  # noqa: E402

REFERENCE = json.loads(reference.REFERENCE_FILE.read_text(encoding="utf-8"))
INPUTS = REFERENCE["inputs"]
RESULTS = REFERENCE["results"]
OPTIMIZER_ERRORS = sorted(name for name in reference.ERRORS if name.startswith(("sgd_", "adam_", "optimizer_")))
# Where minigrad's message differs from PyTorch's, the fragment it must contain.
# (PyTorch names the type torch.FloatTensor, minigrad minigrad.FloatTensor.)
FRAGMENTS = {
    "optimizer_one_tensor": (
        "params argument given to the optimizer should be an iterable of Tensors or dicts, but got "
        "minigrad.FloatTensor"
    ),
}

# float32 after three steps: the last digit or two may differ (summation order, fused ops).
RTOL, ATOL = 2e-6, 1e-6


def assert_steps_match(actual: dict, expected: dict, name: str) -> None:
    assert len(actual["steps"]) == len(expected["steps"]) == reference.OPTIMIZER_STEPS
    for number, (step, expected_step) in enumerate(zip(actual["steps"], expected["steps"]), start=1):
        for key in ("loss", "w", "b", "frozen"):
            np.testing.assert_allclose(
                step[key], expected_step[key], rtol=RTOL, atol=ATOL, err_msg=f"{name}, step {number}, {key}"
            )


# ---------------------------------------------------------------------- against PyTorch's updates
@pytest.mark.parametrize("name", sorted(RESULTS["optimizers"]))
def test_optimizer_steps_match_torch(name):
    result = reference.optimizer_case(minigrad, name, INPUTS)
    assert_steps_match(result, RESULTS["optimizers"][name], name)
    assert result["steps"][-1]["frozen"] == [1.0, -2.0]  # no gradient: never moved


@pytest.mark.parametrize("name", sorted(RESULTS["optimizer_groups"]))
def test_parameter_group_steps_match_torch(name):
    assert_steps_match(
        reference.optimizer_case(minigrad, name, INPUTS, groups=True), RESULTS["optimizer_groups"][name], name
    )


@pytest.mark.parametrize("name", sorted(RESULTS["optimizers"]))
def test_optimizer_steps_match_live_torch(torch, name):
    assert_steps_match(
        reference.optimizer_case(minigrad, name, INPUTS), reference.optimizer_case(torch, name, INPUTS), name
    )


@pytest.mark.parametrize("name", OPTIMIZER_ERRORS)
def test_error_matches_torch(name):
    actual, expected = reference.error_case(minigrad, name), RESULTS["errors"][name]
    assert actual["type"] == expected["type"], f"{name}: {actual} instead of {expected}"
    fragment = FRAGMENTS.get(name, expected["message"])
    assert fragment in actual["message"], f"{name}: {actual['message']!r} lacks {fragment!r}"


# ---------------------------------------------------------------------- the formulas, by hand
def parameter(values, grad) -> nn.Parameter:
    p = nn.Parameter(minigrad.tensor(values, dtype=minigrad.float64))
    p.grad = minigrad.tensor(grad, dtype=minigrad.float64)
    return p


def test_sgd_step_is_p_minus_lr_times_grad():
    p = parameter([1.0, 2.0], [0.5, -1.0])
    optim.SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.detach().numpy(), [0.95, 2.1])


def test_sgd_momentum_buffer_starts_as_the_gradient():
    p = parameter([1.0, -1.0], [1.0, 2.0])
    optimizer = optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.1)
    optimizer.step()
    # step 1: g = grad + 0.1·p = [1.1, 1.9]; buffer = g (no dampening on the first step)
    np.testing.assert_allclose(optimizer.state[p]["momentum_buffer"].numpy(), [1.1, 1.9])
    np.testing.assert_allclose(p.detach().numpy(), [1.0 - 0.11, -1.0 - 0.19])
    p.grad = minigrad.tensor([0.0, -1.0], dtype=minigrad.float64)
    optimizer.step()
    # step 2: g = grad + 0.1·p; buffer = 0.9·buffer + (1 - 0.5)·g; p -= 0.1·buffer
    g = np.array([0.0, -1.0]) + 0.1 * np.array([0.89, -1.19])
    buffer = 0.9 * np.array([1.1, 1.9]) + 0.5 * g
    np.testing.assert_allclose(optimizer.state[p]["momentum_buffer"].numpy(), buffer)
    np.testing.assert_allclose(p.detach().numpy(), np.array([0.89, -1.19]) - 0.1 * buffer)


def test_sgd_nesterov_looks_ahead_along_the_buffer():
    p = parameter([0.0], [1.0])
    optimizer = optim.SGD([p], lr=1.0, momentum=0.5, nesterov=True)
    optimizer.step()  # buffer = 1; step = g + 0.5·buffer = 1.5
    optimizer.step()  # buffer = 0.5·1 + 1 = 1.5; step = 1 + 0.75 = 1.75
    np.testing.assert_allclose(p.detach().numpy(), [-3.25])


def test_adam_first_step_moves_each_element_by_lr():
    # After one step m̂ = g and v̂ = g², so the update is lr·g/(|g| + eps): lr in the direction of -g,
    # whatever the gradient's size (Adam's point).
    g = np.array([1e-3, -5.0, 200.0])
    p = parameter([1.0, 1.0, 1.0], g)
    optim.Adam([p], lr=0.01).step()
    np.testing.assert_allclose(p.detach().numpy(), 1.0 - 0.01 * g / (np.abs(g) + 1e-8), rtol=1e-14)
    np.testing.assert_allclose(p.detach().numpy(), [0.99, 1.01, 0.99], rtol=1e-6)


def test_adam_second_step_by_hand():
    p = parameter([0.5], [2.0])
    optimizer = optim.Adam([p], lr=0.1, betas=(0.5, 0.75), eps=1e-3)
    optimizer.step()
    p.grad = minigrad.tensor([-1.0], dtype=minigrad.float64)
    optimizer.step()
    after_first = 0.5 - 0.1 * 2.0 / (2.0 + 1e-3)
    m = 0.5 * (0.5 * 2.0) + 0.5 * -1.0  # m1 = 1.0, m2 = 0.0
    v = 0.75 * (0.25 * 4.0) + 0.25 * 1.0  # v1 = 1.0, v2 = 1.0
    expected = after_first - 0.1 / (1 - 0.5**2) * m / (np.sqrt(v) / np.sqrt(1 - 0.75**2) + 1e-3)
    np.testing.assert_allclose(p.detach().numpy(), [expected])
    assert optimizer.state[p]["step"] == 2
    np.testing.assert_allclose(optimizer.state[p]["exp_avg_sq"].numpy(), [v])


def test_maximize_climbs():
    p = parameter([0.0], [1.0])
    optim.SGD([p], lr=0.5, maximize=True).step()
    assert p.item() == 0.5


# ---------------------------------------------------------------------- how a step changes the parameters
@pytest.mark.parametrize("make", [lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), lambda ps: optim.Adam(ps)])
def test_step_updates_in_place_and_counts_a_version(make):
    p = nn.Parameter(minigrad.tensor([1.0, 2.0]))
    view = p.detach().numpy()  # shares p's memory
    data = p.data
    saved = p * p  # saves p for its backward
    p.grad = minigrad.tensor([1.0, 1.0])
    version = p._version
    make([p]).step()
    assert p.data is data and view[0] != 1.0  # the same memory, new values
    assert p._version == version + 1
    assert p.is_leaf and p.grad_fn is None and p.requires_grad
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        saved.sum().backward()


@pytest.mark.parametrize("make", [lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), lambda ps: optim.Adam(ps)])
def test_parameters_without_gradient_are_skipped(make):
    used, unused = nn.Parameter(minigrad.ones(2)), nn.Parameter(minigrad.ones(2))
    optimizer = make([used, unused])
    used.grad = minigrad.ones(2)
    optimizer.step()
    assert unused.tolist() == [1.0, 1.0] and unused._version == 0
    assert unused not in optimizer.state and used in optimizer.state


def test_zero_grad_sets_none_by_default_or_zeros_in_place():
    p = parameter([1.0], [3.0])
    optimizer = optim.SGD([p], lr=0.1)
    grad = p.grad
    optimizer.zero_grad(set_to_none=False)
    assert p.grad is grad and p.grad.tolist() == [0.0]
    optimizer.zero_grad()
    assert p.grad is None
    optimizer.step()  # nothing to do, and no error
    assert p.tolist() == [1.0]


def test_closure_is_evaluated_with_recording_on():
    p = nn.Parameter(minigrad.tensor([3.0]))
    optimizer = optim.SGD([p], lr=0.25)

    def closure():
        optimizer.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with minigrad.no_grad():
        loss = optimizer.step(closure)
    assert loss.item() == 9.0 and p.item() == 3.0 - 0.25 * 6.0


def test_float32_parameters_stay_float32():
    p = nn.Parameter(minigrad.tensor([1.0, 2.0]))
    p.grad = minigrad.tensor([0.5, 0.5])
    for optimizer in (optim.SGD([p], lr=0.1, momentum=0.5, weight_decay=0.1), optim.Adam([p], weight_decay=0.1)):
        optimizer.step()
        assert p.dtype is minigrad.float32


# ---------------------------------------------------------------------- parameter groups and state
def test_parameter_groups_take_the_defaults_they_do_not_set():
    a, b = nn.Parameter(minigrad.ones(1)), nn.Parameter(minigrad.ones(1))
    optimizer = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    first, second = optimizer.param_groups
    assert first["lr"] == 0.1 and second["lr"] == 0.5
    assert first["momentum"] == second["momentum"] == 0.9
    assert second["params"] == [b]
    c = nn.Parameter(minigrad.ones(1))
    optimizer.add_param_group({"params": [c], "momentum": 0.0})
    assert optimizer.param_groups[2]["lr"] == 0.1 and optimizer.param_groups[2]["momentum"] == 0.0


def test_model_parameters_generator_is_accepted_and_duplicates_warn():
    model = nn.Linear(2, 1)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    assert optimizer.param_groups[0]["params"] == [model.weight, model.bias]
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([model.weight, model.weight], lr=0.1)


def test_state_dict_restores_a_run():
    """Saving the optimizer's state and loading it into a fresh one continues the same run."""

    def run(optimizer, p, steps):
        for _ in range(steps):
            optimizer.zero_grad()
            ((p - 3) ** 2).sum().backward()
            optimizer.step()

    for make in (lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), lambda ps: optim.Adam(ps, lr=0.1)):
        p = nn.Parameter(minigrad.tensor([0.0, 1.0]))
        optimizer = make([p])
        run(optimizer, p, 2)
        saved_state, saved_values = optimizer.state_dict(), p.tolist()
        run(optimizer, p, 2)
        continued = p.tolist()

        q = nn.Parameter(minigrad.tensor(saved_values))
        fresh = make([q])
        fresh.load_state_dict(saved_state)
        run(fresh, q, 2)
        assert q.tolist() == continued
        assert saved_state["param_groups"][0]["params"] == [0]


def test_optimizer_repr_lists_each_group():
    p = nn.Parameter(minigrad.ones(1))
    text = repr(optim.SGD([p], lr=0.1))
    assert text.startswith("SGD (\nParameter Group 0\n") and "    lr: 0.1\n" in text and text.endswith("\n)")
    assert "    betas: (0.9, 0.999)\n" in repr(optim.Adam([p]))
