"""The worked examples of the course (course.md), written as a reader would type them.

Each test runs a PyTorch example unchanged with ``import minigrad as torch`` and checks the
numbers the course quotes. They double as documentation: every example here is one a
chapter shows, and PyTorch gives the same numbers (tests/reference has them recorded).
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as torch


def assert_close(tensor, expected, rtol=1e-5, atol=1e-7):
    """Compare a tensor's values with numbers written in the course."""
    np.testing.assert_allclose(np.asarray(tensor.tolist()), np.asarray(expected),
                               rtol=rtol, atol=atol)


def test_gradient_argument_is_the_vector_of_a_vector_jacobian_product():
    # y = 3a + 2b² + log c is element-wise, so its Jacobian is diagonal and y.backward(v)
    # gives each input v times the local derivative: 3, 4b and 1/c.
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0, 5.0], requires_grad=True)
    c = torch.tensor([6.0, 7.0, 8.0], requires_grad=True)
    y = 3 * a + 2 * b ** 2 + torch.log(c)
    y.backward(torch.tensor([0.1, 1.0, 0.0001]))
    assert_close(a.grad, [0.3, 3.0, 3e-4])
    assert_close(b.grad, [1.2, 16.0, 2e-3])
    assert_close(c.grad, [1.6667e-2, 1.4286e-1, 1.25e-5], rtol=1e-4)
    assert repr(c.grad) == "tensor([1.6667e-02, 1.4286e-01, 1.2500e-05])"


def test_the_same_function_on_scalars():
    a = torch.tensor(0.1, requires_grad=True)
    b = torch.tensor(1.0, requires_grad=True)
    c = torch.tensor(0.1, requires_grad=True)
    y = 3 * a + 2 * b ** 2 + torch.log(c)
    y.backward()
    assert (a.grad.item(), b.grad.item()) == (3.0, 4.0)
    assert c.grad.item() == pytest.approx(10.0, rel=1e-6)


def test_backward_twice_with_retain_graph_accumulates():
    a = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(1.0, requires_grad=True)
    c = torch.tensor(1.0, requires_grad=True)
    y = 3 * a + 2 * b ** 2 + torch.log(c)
    y.backward(retain_graph=True)
    assert (a.grad.item(), b.grad.item(), c.grad.item()) == (3.0, 4.0, 1.0)
    y.backward()
    assert (a.grad.item(), b.grad.item(), c.grad.item()) == (6.0, 8.0, 2.0)


def test_one_hot_gradients_pull_out_rows_of_the_jacobian():
    x = torch.tensor([[1.0, 2.0, 3.0, 4.0]], requires_grad=True)
    z = 2 * x
    rows = []
    for i in range(4):
        one_hot = torch.zeros(1, 4)
        one_hot[0, i] = 1.0
        x.grad = None
        z.backward(one_hot, retain_graph=True)
        rows.append(x.grad.tolist()[0])
    assert rows == [[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 2]]


def test_a_gradient_of_ones_is_the_gradient_of_the_sum():
    x = torch.tensor([[1.0, 2.0, 3.0, 4.0]], requires_grad=True)
    z = 2 * x
    z.backward(torch.tensor([[1.0, 1.0, 1.0, 1.0]]))
    assert x.grad.tolist() == [[2, 2, 2, 2]]

    x.grad = None
    (2 * x).sum(dim=1).backward()
    assert x.grad.tolist() == [[2, 2, 2, 2]]


def test_mean_of_3_y_squared():
    # out = mean(3 (x + 2)²) over 4 elements: d out / dx = 6 (x + 2) / 4 = 4.5 at x = 1.
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    assert repr(out) == "tensor(27., grad_fn=<MeanBackward0>)"
    out.backward()
    assert x.grad.tolist() == [[4.5, 4.5], [4.5, 4.5]]


def test_eye_accumulates_until_zeroed():
    inp = torch.eye(5, requires_grad=True)
    out = (inp + 1).pow(2)
    once = 2 * (np.eye(5) + 1)

    out.backward(torch.ones_like(inp), retain_graph=True)
    assert_close(inp.grad, once)
    out.backward(torch.ones_like(inp), retain_graph=True)
    assert_close(inp.grad, 2 * once)
    inp.grad.zero_()
    out.backward(torch.ones_like(inp), retain_graph=True)
    assert_close(inp.grad, once)


def test_a_python_while_loop_differentiates():
    # Define-by-run: the graph is whatever the loop built, here n doublings of x.
    x = torch.tensor([0.5, -0.3, 0.8], requires_grad=True)
    y = x * 2
    doublings = 1
    while (y * y).sum().sqrt().item() < 1000:
        y = y * 2
        doublings += 1
    v = [0.1, 1.0, 0.0001]
    y.backward(torch.tensor(v))
    assert doublings == 10  # |x| ≈ 1.0; 2**10 is the first power past 1000
    assert_close(x.grad, np.array(v) * 2 ** doublings)


def test_one_linear_layer_with_bce_loss():
    x = torch.ones(5)
    y = torch.zeros(3)
    w = torch.tensor([[0.1, -0.2, 0.3], [0.4, -0.5, 0.6], [-0.7, 0.8, 0.9],
                      [0.2, 0.1, -0.3], [-0.4, 0.5, 0.2]], requires_grad=True)
    b = torch.tensor([0.1, -0.1, 0.2], requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    loss.backward()
    # x is all ones, so every row of w meets the same upstream gradient as b:
    # d loss / d z = sigmoid(z) / 3 (mean over 3 logits, target 0).
    expected_b = 1 / (1 + np.exp(-np.array([-0.3, 0.6, 1.9]))) / 3
    assert_close(b.grad, expected_b)
    for row in w.grad.tolist():
        assert_close(torch.tensor(row), b.grad.tolist())

    assert z.requires_grad
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    assert not z.requires_grad
    assert not (torch.matmul(x, w) + b).detach().requires_grad


def test_sum_of_x_squared_plus_2():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x ** 2 + 2
    z = torch.sum(y)
    z.backward()
    assert x.grad.tolist() == [2.0, 4.0, 6.0]


def test_x_times_x_on_arange():
    x = torch.arange(4.0, requires_grad=True)
    y = x * x
    y.backward(torch.ones(4))
    assert x.grad.tolist() == [0.0, 2.0, 4.0, 6.0]


def test_a_vector_built_from_scalars():
    # y0 = x1 x2 x3, y1 = x1 + x2 + x3, y2 = x1 + x2 x3 at (1, 2, 3), gradient [0.1, 0.2, 0.3]:
    # x1: 0.1·6 + 0.2 + 0.3 = 1.1;  x2: 0.1·3 + 0.2 + 0.3·3 = 1.4;  x3: 0.1·2 + 0.2 + 0.3·2 = 1.0
    x1 = torch.tensor(1.0, requires_grad=True)
    x2 = torch.tensor(2.0, requires_grad=True)
    x3 = torch.tensor(3.0, requires_grad=True)
    y = torch.zeros(3)
    y[0] = x1 * x2 * x3
    y[1] = x1 + x2 + x3
    y[2] = x1 + x2 * x3
    y.backward(torch.tensor([0.1, 0.2, 0.3]))
    assert x1.grad.item() == pytest.approx(1.1)
    assert x2.grad.item() == pytest.approx(1.4)
    assert x3.grad.item() == pytest.approx(1.0)
