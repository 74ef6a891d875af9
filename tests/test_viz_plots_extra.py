"""Picture helpers added to minigrad.viz.plots by the chapters."""

from __future__ import annotations

import math

from minigrad.scalar import Value
from minigrad.viz import draw_graph
from minigrad.viz.plots import draw_value_graph


class NotebookValue:
    """A scalar engine written outside the package, as chapter 02's cells write one."""

    def __init__(self, data, label="", _prev=(), _op=""):
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self._prev = _prev
        self._op = _op

    def __add__(self, other):
        return NotebookValue(self.data + other.data, _prev=(self, other), _op="+")

    def __mul__(self, other):
        return NotebookValue(self.data * other.data, _prev=(self, other), _op="*")

    def tanh(self):
        return NotebookValue(math.tanh(self.data), _prev=(self,), _op="tanh")


def _neuron(engine):
    """tanh(x * w + b) with a reused input: x also multiplies the result."""
    x, w, b = engine(2.0, label="x"), engine(-0.5, label="w"), engine(0.25, label="b")
    y = (x * w + b).tanh() * x
    y.label = "y"
    return x, w, b, y


def test_the_picture_is_draw_graphs_picture_of_the_same_package_graph():
    *leaves, mine = _neuron(NotebookValue)
    *package_leaves, package = _neuron(Value)
    # Gradients as a backward pass would leave them (any numbers will do for a picture).
    for node, grad in zip((*leaves, mine), (1.5, -0.25, 3.0, 1.0)):
        node.grad = grad
    for node, grad in zip((*package_leaves, package), (1.5, -0.25, 3.0, 1.0)):
        node.grad = grad
    picture = draw_value_graph(mine)
    assert picture.source == draw_graph(package).source
    assert "grad -0.25" in picture.source and "tanh" in picture.source
    without_grads = draw_value_graph(mine, show_grad=False, rankdir="TB")
    assert without_grads.source == draw_graph(package, show_grad=False, rankdir="TB").source
    assert "grad" not in without_grads.source.replace("legend", "")


def test_a_reused_operand_is_one_node_with_two_arrows():
    a = NotebookValue(3.0, label="a")
    b = a + a
    source = draw_value_graph(b, legend=False).source
    assert source.count("data 3.") == 1  # a is drawn once ...
    assert source.count("n0 -> ") == 2  # ... with an arrow for each use


def test_labels_name_the_notebook_values():
    a, b = NotebookValue(1.0), NotebookValue(2.0)
    c = a * b
    source = draw_value_graph(c, labels={a: "first", b: "second", c: "product"}).source
    for name in ("first", "second", "product"):
        assert f"<B>{name}</B>" in source


def test_a_graph_deeper_than_the_recursion_limit_is_copied():
    node = start = NotebookValue(0.0)
    one = NotebookValue(1.0)
    for _ in range(3000):
        node = node + one
    source = draw_value_graph(node, show_data=False, show_grad=False, legend=False).source
    assert source.count('label=<<B>+</B>>') == 3000
    assert start.data == 0.0 and node.data == 3000.0
