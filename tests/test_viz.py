"""Tests of minigrad.viz: the graph pictures, the widgets and the plots.

Pictures are checked through what they contain: the SVG that Graphviz renders (names,
values, gradients, legend), the Graphviz source (node styles), the text the widgets show
after a click, and the data of matplotlib artists. Everything runs headless (Agg backend,
no browser, no kernel).
"""

from __future__ import annotations

import base64
import html
import math
import re

import numpy as np
import pytest

import minigrad
from minigrad.scalar import Value, topological_order
from minigrad.viz import (
    accumulation_demo,
    backward_stepper,
    draw_graph,
    finite_difference_errors,
    jacobian_explorer,
    plot_decision_boundary,
    plot_finite_difference_error,
    plot_jacobian,
    plot_loss_curves,
    plot_tangent,
    style,
)
from minigrad.viz.graph import format_array, format_number

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(autouse=True)
def _close_figures():
    """Plot helpers return open figures; close them so no test leaks one into the next."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def svg_text(digraph) -> str:
    """The SVG Graphviz renders, with entities (``&#45;`` for "-") turned back into text."""
    return html.unescape(digraph.pipe(format="svg").decode("utf-8"))


def node_lines(digraph, text: str) -> list[str]:
    """Lines of the Graphviz source that declare a node whose label contains ``text``."""
    return [line for line in digraph.source.splitlines()
            if "label=" in line and "->" not in line and text in line]


def picture_svg(html_value: str) -> str:
    """The SVG inside a widget's ``<img src="data:image/svg+xml;base64,...">``."""
    match = re.search(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html_value)
    assert match, "the widget shows no SVG picture"
    return html.unescape(base64.b64decode(match.group(1)).decode("utf-8"))


def text_of(html_value: str) -> str:
    """The text a widget's HTML shows, tags removed and runs of white space made one."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_value)).split())


# ------------------------------------------------------------------------ number formatting


@pytest.mark.parametrize(
    ("value", "text"),
    [(2.0, "2."), (-3.0, "-3."), (0.3, "0.3"), (0.0003, "0.0003"), (1.25e-5, "1.25e-05"),
     (1 / 60, "0.01667"), (-0.0, "0."), (float("inf"), "inf")],
)
def test_numbers_are_written_as_a_learner_reads_them(value, text):
    assert format_number(value) == text


def test_arrays_are_written_in_pytorch_brackets():
    assert format_array(np.array([0.3, 3.0, 0.0003])) == "[0.3, 3., 0.0003]"
    assert format_array(np.array([[1.0, 0.0], [0.0, 1.0]])) == "[[1., 0.],\n [0., 1.]]"
    assert format_array(np.array([1, 2], dtype=np.int64)) == "[1, 2]"
    assert format_array(np.array(27.0)) == "27."


# ------------------------------------------------------------------------ Value graphs


def value_example():
    """micrograd's classic: L = (a*b + c) * f at a=2, b=-3, c=10, f=-2."""
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    loss = d * f
    loss.label = "L"
    return loss, {"a": a, "b": b, "c": c, "f": f, "e": e, "d": d}


def test_value_graph_shows_names_data_grads_and_operations():
    loss, values = value_example()
    loss.backward()
    svg = svg_text(draw_graph(loss))
    for name in ["a", "b", "c", "d", "e", "f", "L"]:
        assert f">{name}<" in svg
    # data and grad of every Value: dL/da = b*f = 6, dL/db = a*f = -4, dL/dc = f = -2.
    for line in ["data 2.", "grad 6.", "data -3.", "grad -4.", "data 10.", "grad -2.",
                 "data -8.", "grad 1.", "grad 4."]:
        assert f">{line}<" in svg, line
    assert ">*<" in svg and ">+<" in svg  # the operation nodes between Values
    for entry in ["legend", "leaf Value", "Value computed by an operation", "operation"]:
        assert f">{entry}<" in svg


def test_value_graph_colours_leaves_results_and_operations_apart():
    loss, _ = value_example()
    digraph = draw_graph(loss)
    [leaf] = node_lines(digraph, "<B>a</B>")
    [result] = node_lines(digraph, "<B>d</B>")
    [operation] = node_lines(digraph, "<B>+</B>")
    assert style.LEAF.fill in leaf and style.NON_LEAF.fill in result
    assert style.GRAD_FN.fill in operation and "ellipse" in operation
    # An op node sits between a Value and its operands: 4 leaves, 3 results, 3 ops, and
    # 2 edges into each op plus 1 out of it.
    edges = [line for line in digraph.source.splitlines() if "->" in line]
    assert len(edges) == 3 * 3


def test_value_graph_draws_a_number_of_the_formula_as_a_grey_constant_as_for_tensors():
    # The 1.0 of a * b + 1.0 is a Value too (it even gets a grad), but no one asks for its
    # derivative: both engines' pictures draw such a number as a grey constant, without grad.
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b + 1.0
    c.backward()
    digraph = draw_graph(c)
    [one] = [line for line in digraph.source.splitlines() if "label=<data 1.>" in line]
    assert style.CONSTANT.fill in one and "grad" not in one
    [a_line] = node_lines(digraph, "<B>a</B>")
    assert style.LEAF.fill in a_line and "grad -3." in a_line
    assert "constant (a number of the formula)" in svg_text(digraph)


def test_value_graph_can_hide_data_and_grad():
    loss, _ = value_example()
    loss.backward()
    svg = svg_text(draw_graph(loss, show_data=False, show_grad=False, legend=False))
    assert "data " not in svg and "grad " not in svg and "legend" not in svg
    assert ">a<" in svg


def test_draw_graph_rejects_what_it_cannot_draw():
    with pytest.raises(TypeError, match="Tensor or a minigrad.scalar.Value.*got list"):
        draw_graph([1.0, 2.0])
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(Value(1.0), rankdir="sideways")


def test_value_graph_of_a_deep_chain_needs_no_recursion():
    x = Value(1.0, "x")
    y = x
    for _ in range(3000):
        y = y * 1.0
    digraph = draw_graph(y, show_grad=False, legend=False)
    assert len([line for line in digraph.source.splitlines() if "->" in line]) == 3 * 3000


# ------------------------------------------------------------------------ Value stepper


def assert_valid_reverse_topological(order, uses_of):
    """Each node appears after every node that uses it (gradient complete before it moves)."""
    position = {id(node): index for index, node in enumerate(order)}
    assert len(position) == len(order), "a node is visited twice"
    for node in order:
        for user in uses_of(node):
            assert position[id(user)] < position[id(node)]


def test_value_stepper_replays_backward_in_a_valid_order_and_matches_backward():
    loss, values = value_example()
    values["a"].grad = 0.5  # the learner's own numbers must survive the replay
    before = {v: v.grad for v in topological_order(loss)}
    stepper = backward_stepper(loss)
    order = [step.node for step in stepper.steps]
    assert {id(v) for v in order} == {id(v) for v in topological_order(loss)}
    users = {id(v): [u for u in order if any(p is v for p in u._prev)] for v in order}
    assert_valid_reverse_topological(order, lambda v: users[id(v)])
    assert order[0] is loss
    assert {v: v.grad for v in topological_order(loss)} == before

    fresh, _ = value_example()
    fresh.backward()
    expected = {leaf.label: leaf.grad for leaf in topological_order(fresh) if not leaf._prev}
    final = {leaf.label: grad for leaf, grad in stepper.leaf_gradients()}
    assert final == expected == {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0}


def test_value_stepper_buttons_and_slider_change_what_it_shows():
    loss, _ = value_example()
    stepper = backward_stepper(loss)
    assert stepper.slider.value == 1 and stepper.previous_button.disabled
    assert "step 1 of 7: L" in text_of(stepper.status.value)
    stepper.next_button.click()
    stepper.next_button.click()
    status = text_of(stepper.status.value)
    # Step 3 is d = e + c: it received dL/dd = f = -2 and hands -2 to both operands.
    assert "step 3 of 7: d" in status
    assert "sends -2. to e" in status and "sends -2. to c" in status
    grads = text_of(stepper.grad_label.value)
    assert re.search(r"c\s+-2\.", grads) and re.search(r"a\s+0\.", grads)
    svg = picture_svg(stepper.picture.value)
    assert ">grad -2.<" in svg and ">node being processed<" in svg
    stepper.previous_button.click()
    assert "step 2 of 7" in text_of(stepper.status.value)
    stepper.slider.value = 7
    assert "complete" in text_of(stepper.status.value)
    assert re.search(r"a\s+6\.", text_of(stepper.grad_label.value))
    assert stepper.next_button.disabled


def test_value_stepper_gives_a_value_used_twice_the_sum_of_both_uses():
    a = Value(3.0, "a")
    y = a * a
    stepper = backward_stepper(y)
    assert stepper.leaf_gradients() == [(a, 6.0)]
    assert a.grad == 0.0


# ------------------------------------------------------------------------ static fallback


def test_widgets_carry_a_static_picture_of_their_first_state():
    loss, _ = value_example()
    stepper = backward_stepper(loss)
    first = stepper._repr_mimebundle_()
    assert WIDGET_VIEW in first and first[WIDGET_VIEW]["model_id"] == stepper.model_id
    assert "step 1 of 7" in first["text/html"] and "data:image/svg+xml" in first["text/html"]
    # A page without a kernel cannot step: the picture shows every step, one under the other.
    assert all(f"step {n} of 7" in first["text/html"] for n in range(1, 8))
    assert first["text/html"].count("data:image/svg+xml") == 7
    # The fallback stays what it was, whatever the live widget shows later.
    stepper.slider.value = 4
    assert stepper._repr_mimebundle_()["text/html"] == first["text/html"]
    # A closed widget (no kernel-side model any more) still shows its picture.
    stepper.close()
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(stepper)
    assert WIDGET_VIEW not in data and "step 1 of 7" in data["text/html"]


def test_nbconvert_falls_back_to_the_static_picture_without_widget_state():
    nbformat = pytest.importorskip("nbformat")
    nbconvert = pytest.importorskip("nbconvert")
    loss, _ = value_example()
    bundle = backward_stepper(loss)._repr_mimebundle_()
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("backward_stepper(loss)")
    cell.outputs = [nbformat.v4.new_output("display_data", data=bundle)]
    notebook.cells = [cell]
    body, _ = nbconvert.HTMLExporter().from_notebook_node(notebook)
    assert "step 1 of 7" in body and "data:image/svg+xml;base64," in body


# ------------------------------------------------------------------------ tensor graphs


def seed_example():
    """y = 3a + 2b² + log(c) from the course, backward with [0.1, 1.0, 0.0001]."""
    a = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = minigrad.tensor([3.0, 4.0, 5.0], requires_grad=True)
    c = minigrad.tensor([6.0, 7.0, 8.0], requires_grad=True)
    a.name, b.name, c.name = "a", "b", "c"
    y = 3 * a + 2 * b**2 + minigrad.log(c)
    return y, a, b, c


def test_tensor_graph_shows_pytorch_names_shapes_values_grads_and_legend():
    y, a, b, c = seed_example()
    y.backward(minigrad.tensor([0.1, 1.0, 0.0001]))
    svg = svg_text(draw_graph(y, labels={y: "y"}))
    for name in ["AddBackward0", "MulBackward0", "PowBackward0", "LogBackward0",
                 "AccumulateGrad"]:
        assert f">{name}<" in svg
    assert svg.count(">AccumulateGrad<") == 3  # one per leaf
    # Each of the 6 operations says what it produced (all of shape (3,)); the AccumulateGrad
    # nodes produce nothing (the leaf they lead to has its own box).
    assert svg.count(">output (3,)<") == 6
    for name in ["a", "b", "c", "y"]:
        assert f">{name}<" in svg
    assert ">shape (3,)<" in svg
    assert ">data [1., 2., 3.]<" in svg
    # The course's numbers: a.grad = [0.3, 3, 3e-4], b.grad = [1.2, 16, 2e-3].
    assert ">grad [0.3, 3., 0.0003]<" in svg
    assert ">grad [1.2, 16., 0.002]<" in svg
    assert ">grad [0.01667, 0.1429, 1.25e-05]<" in svg
    for entry in ["legend", "leaf tensor (requires_grad)", "non-leaf tensor (has grad_fn)",
                  "grad_fn node (backward)", "saved tensors freed"]:
        assert f">{entry}<" in svg


def test_tensor_graph_follows_next_functions_from_root_to_leaves():
    y, a, b, c = seed_example()
    digraph = draw_graph(y, labels={y: "y"}, legend=False)
    # 2 Add, 2 Mul, Pow, Log; one AccumulateGrad per leaf; 3 leaf boxes and the root box.
    assert len(node_lines(digraph, "Backward0")) == 6
    assert len(node_lines(digraph, "AccumulateGrad")) == 3
    assert len(node_lines(digraph, "shape (3,)")) == 4
    # One arrow per non-None next_functions slot, plus leaf box -> AccumulateGrad (3)
    # and y's grad_fn -> y's box (1).
    slots = 0
    stack, seen = [y.grad_fn], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for producer, _ in node.next_functions:
            if producer is not None:
                slots += 1
                stack.append(producer)
    edges = [line for line in digraph.source.splitlines() if "->" in line and "style=dashed" not in line]
    assert len(edges) == slots + 3 + 1


def _saved_links(digraph) -> list[str]:
    return [line.strip() for line in digraph.source.splitlines() if "->" in line and "style=dashed" in line]


def test_every_tensor_a_node_saved_is_drawn_and_linked_to_it():
    # x needs no gradient, so no edge leads to it, but MulBackward0 keeps it (the gradient
    # of w is grad_output * x): the picture must not suggest that x is dropped.
    x = minigrad.tensor([1.0, 2.0])
    w = minigrad.tensor([0.5, -1.0], requires_grad=True)
    h = x * w
    out = (h.detach() * w).exp().sum() * 2.0
    digraph = draw_graph(out, labels={x: "x", w: "w"})
    svg = svg_text(digraph)
    links = _saved_links(digraph)
    [mul_line] = [line for line in node_lines(digraph, "MulBackward0") if "output (2,)" in line]
    mul_id = mul_line.split()[0]
    # The detached h, unnamed and not in the graph, gets a grey box of its own.
    [detached] = node_lines(digraph, ">saved tensor<")
    assert style.CONSTANT.fill in detached
    assert any(link.startswith(f"{mul_id} -> {detached.split()[0]}") for link in links)
    assert ">saves its result<" in svg  # ExpBackward0
    assert ">saves the number 2<" in svg  # the last MulBackward0
    assert "saved for backward" in svg  # the legend
    # The first product, x * w, is not part of out's graph (h.detach() cut it off): x, named,
    # is drawn beside it, and no node of this graph saved it.
    [x_line] = node_lines(digraph, "<B>x</B>")
    assert not any(link.split()[2] == x_line.split()[0] for link in links)
    # In x * w's own graph, x is drawn and linked to the node that saved it.
    digraph = draw_graph(h.sum(), labels={x: "x", w: "w"})
    [x_line] = node_lines(digraph, "<B>x</B>")
    assert [link.split()[2] for link in _saved_links(digraph)] == [x_line.split()[0]]
    # A backward without retain_graph frees them: no more links, the freed mark instead.
    out.backward()
    digraph = draw_graph(out, labels={x: "x", w: "w"})
    assert not _saved_links(digraph) and "saved tensors freed" in svg_text(digraph)


def test_freed_saved_tensors_are_marked_after_backward_only_without_retain_graph():
    y, a, b, c = seed_example()
    loss = y.sum()
    kept = draw_graph(loss)
    assert "saved tensors freed" not in svg_text(kept)
    loss.backward(retain_graph=True)
    assert "saved tensors freed" not in svg_text(draw_graph(loss))
    loss.backward()
    digraph = draw_graph(loss)
    svg = svg_text(digraph)
    assert "saved tensors freed" in svg
    # Mul (by a constant), Pow and Log saved tensors; the additions and sums saved none.
    for name in ["PowBackward0", "LogBackward0"]:
        [line] = node_lines(digraph, name)
        assert "dashed" in line and "saved tensors freed" in line
    for line in node_lines(digraph, "AddBackward0") + node_lines(digraph, "SumBackward0"):
        assert "dashed" not in line and "saved tensors freed" not in line
    # Which is why a second backward fails, as the picture says.
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()


def test_named_intermediate_tensors_and_constants_appear_when_labelled():
    x = minigrad.ones(2, 2, requires_grad=True)
    two = minigrad.tensor(2.0)
    y = x + two
    z = y * y * 3
    out = z.mean()
    out.backward()
    digraph = draw_graph(out, labels={x: "x", y: "y", z: "z", out: "out", two: "two"})
    svg = svg_text(digraph)
    assert ">y<" in svg and ">z<" in svg and ">out<" in svg
    assert ">grad [[4.5, 4.5],<" in svg  # x.grad = 4.5 everywhere, the course's example
    assert ">data 27.<" in svg and ">shape ()<" in svg
    [y_line] = node_lines(digraph, "<B>y</B>")
    assert style.NON_LEAF.fill in y_line
    [constant] = node_lines(digraph, "<B>two</B>")
    assert style.CONSTANT.fill in constant and "no grad needed" in constant
    assert ">constant (no grad needed)<" in svg
    # The edge from y's grad_fn goes through y's box to the op that used y (twice).
    y_id = y_line.split()[0]
    assert len([line for line in digraph.source.splitlines()
                if line.strip().startswith(f"{y_id} ->")]) == 2
    # Unlabelled, the constant is omitted, as in PyTorch's graph (next_functions: None).
    plain = svg_text(draw_graph(out))
    assert "no grad needed" not in plain and ">y<" not in plain


def test_tensor_graph_names_from_attributes_and_big_tensors_show_only_shapes():
    w = minigrad.ones(4, 3, requires_grad=True)
    w.name = "w"
    x = minigrad.ones(3, 2)
    loss = (w @ x).sum()
    loss.backward()
    svg = svg_text(draw_graph(loss))
    assert ">w<" in svg and ">shape (4, 3)<" in svg
    assert "data [[1., 1., 1.]" not in svg  # 12 elements: too many to print
    assert ">grad set, shape (4, 3)<" in svg


def test_a_leaf_alone_is_a_graph_of_one_box():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    svg = svg_text(draw_graph(x, labels={x: "x"}))
    assert ">x<" in svg and ">data [1., 2.]<" in svg and "AccumulateGrad" not in svg


def test_tensor_graph_of_a_deep_chain_needs_no_recursion():
    x = minigrad.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    digraph = draw_graph(y, show_grad=False, legend=False)
    assert len(node_lines(digraph, "MulBackward0")) == 3000


# The graph of (3a + 2b² + log c).sum() as PyTorch 2.13.0 records it: its grad_fn nodes and
# its edges (producer -> consumer), read off torch's next_functions; kept as data so the
# suite checks minigrad's picture without torch. (Input positions are left out: the
# picture's arrows do not show them.)
SEED_GRAPH_NODES = sorted(["SumBackward0", "AddBackward0", "AddBackward0", "LogBackward0",
                           "MulBackward0", "MulBackward0", "PowBackward0", "AccumulateGrad",
                           "AccumulateGrad", "AccumulateGrad"])
SEED_GRAPH_EDGES = sorted([
    ("AddBackward0", "SumBackward0"), ("AddBackward0", "AddBackward0"),
    ("LogBackward0", "AddBackward0"), ("AccumulateGrad", "LogBackward0"),
    ("MulBackward0", "AddBackward0"), ("MulBackward0", "AddBackward0"),
    ("PowBackward0", "MulBackward0"), ("AccumulateGrad", "PowBackward0"),
    ("AccumulateGrad", "MulBackward0"),
])


def drawn_graph_structure(root):
    """(grad_fn names, producer->consumer name pairs) of the picture's grad_fn nodes."""
    digraph = draw_graph(root, legend=False)
    names = {}
    for line in digraph.source.splitlines():
        match = re.match(r"\s*(n\d+) \[label=<<B>(\w+)</B>", line)
        if match and ("Backward" in match.group(2) or match.group(2) == "AccumulateGrad"):
            names[match.group(1)] = match.group(2)
    edges = [(names[source], names[target]) for source, target in
             re.findall(r"(n\d+) -> (n\d+)", digraph.source)
             if source in names and target in names]
    return sorted(names.values()), sorted(edges)


def test_picture_has_pytorchs_nodes_and_edges():
    y, a, b, c = seed_example()
    assert drawn_graph_structure(y.sum()) == (SEED_GRAPH_NODES, SEED_GRAPH_EDGES)


def test_the_same_picture_drawn_from_pytorchs_own_graph(torch):
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0, 5.0], requires_grad=True)
    c = torch.tensor([6.0, 7.0, 8.0], requires_grad=True)
    loss = (3 * a + 2 * b**2 + torch.log(c)).sum()
    assert drawn_graph_structure(loss) == (SEED_GRAPH_NODES, SEED_GRAPH_EDGES)
    loss.backward()
    assert ">grad [3., 3., 3.]<" in svg_text(draw_graph(loss, labels={a: "a"}))


# ------------------------------------------------------------------------ tensor stepper


def consumers_of(root):
    """node id -> nodes whose next_functions point at it."""
    users: dict[int, list] = {}
    stack, seen = [root.grad_fn], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for producer, _ in node.next_functions:
            if producer is not None:
                users.setdefault(id(producer), []).append(node)
                stack.append(producer)
    return users


def test_tensor_stepper_visits_a_valid_order_and_ends_with_backwards_gradients():
    y, a, b, c = seed_example()
    loss = (y * minigrad.tensor([0.1, 1.0, 0.0001])).sum()
    b.grad = minigrad.tensor([5.0, 5.0, 5.0])  # an earlier gradient must be left alone
    stepper = backward_stepper(loss)
    order = [step.node for step in stepper.steps]
    users = consumers_of(loss)
    assert_valid_reverse_topological(order, lambda node: users.get(id(node), []))
    # Sum, Mul (by the weights), 2 Add, 2 Mul, Pow, Log and 3 AccumulateGrad: each once.
    assert order[0] is loss.grad_fn and len(order) == 11
    assert a.grad is None and c.grad is None
    np.testing.assert_array_equal(b.grad.numpy(), [5.0, 5.0, 5.0])

    loss.backward()
    final = {tensor.name: grad for tensor, grad in stepper.leaf_gradients()}
    np.testing.assert_allclose(final["a"], a.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(final["b"] + 5.0, b.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(final["c"], c.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(final["a"], [0.3, 3.0, 0.0003], rtol=1e-6)


def test_tensor_stepper_shows_the_gradient_flowing_into_each_node():
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x.name = "x"
    y = x * x
    loss = y.sum()
    stepper = backward_stepper(loss, labels={y: "y"})
    assert stepper.order == ["SumBackward0", "MulBackward0", "AccumulateGrad"]
    status = text_of(stepper.status.value)
    assert "step 1 of 3: SumBackward0" in status and "receives grad_output 1." in status
    assert "sends [1., 1., 1.] to MulBackward0" in status
    assert "nothing yet" in text_of(stepper.grad_label.value)
    stepper.next_button.click()
    status = text_of(stepper.status.value)
    # d(x*x)/dx = 2x reaches x through both inputs of MulBackward0: x + x.
    assert "sends [1., 2., 3.] to AccumulateGrad (x)" in status
    svg = picture_svg(stepper.picture.value)
    assert ">grad [1., 2., 3.]<" in svg  # on the edges
    assert ">grad so far [1., 1., 1.]<" in svg  # y's box: the gradient that reached y
    stepper.next_button.click()
    assert re.search(r"x\s+\[2\., 4\., 6\.\]", text_of(stepper.grad_label.value))
    assert x.grad is None


def test_a_saved_tensor_changed_in_place_is_marked_with_both_versions():
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    z = y * y  # MulBackward0 saves y twice (d(y*y)/dy = 2y), at version 0
    clean = _saved_links(draw_graph(z, labels={x: "x", y: "y"}))
    assert len(clean) == 2 and not any("version" in link for link in clean)
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()
    digraph = draw_graph(z, labels={x: "x", y: "y"})
    stale = _saved_links(digraph)
    assert len(stale) == 2 and all("saved at version 0, now 1" in link for link in stale)
    [y_line] = node_lines(digraph, "<B>y</B>")  # y's box: no longer z's input, still saved by it
    assert style.NON_LEAF.fill in y_line and "data [3., 5., 7.]" in y_line


def test_a_gradient_on_an_edge_points_the_way_it_flows():
    # The graph's edges point forward (input -> operation); the gradient a backward step
    # sends along one flows the other way, and its arrow must say so.
    from minigrad.viz.graph import StepView, _draw

    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * 3.0).sum()
    mul = loss.grad_fn.next_functions[0][0]
    view = StepView(edge_notes={(id(loss.grad_fn), 0): "grad [1., 1.]"})
    lines = [line for line in _draw(loss, view=view).source.splitlines() if "->" in line]
    [noted] = [line for line in lines if "grad [1., 1.]" in line]
    assert "dir=back" in noted
    assert all("dir=back" not in line for line in lines if line is not noted)
    assert mul is not None


def test_tensor_stepper_takes_the_gradient_of_a_vector_root():
    # z = 2x: a one-hot gradient pulls out one row of the Jacobian 2·I.
    x = minigrad.tensor([[1.0, 2.0, 3.0, 4.0]], requires_grad=True)
    z = 2 * x
    stepper = backward_stepper(z, gradient=minigrad.tensor([[0.0, 1.0, 0.0, 0.0]]))
    [(leaf, grad)] = stepper.leaf_gradients()
    assert leaf is x
    np.testing.assert_array_equal(grad, [[0.0, 2.0, 0.0, 0.0]])
    assert x.grad is None


def test_tensor_stepper_explains_what_it_needs():
    with pytest.raises(ValueError, match="got shape \\(3,\\) and no gradient"):
        backward_stepper(minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True) * 2)
    with pytest.raises(ValueError, match="grad_fn is None"):
        backward_stepper(minigrad.tensor(1.0))


# ------------------------------------------------------------------------ Jacobian explorer


def test_explorer_vjp_equals_backward_with_v_and_leaves_x_alone():
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)

    def f(t):
        return minigrad.stack([t[0] * t[1] * t[2], t[0] + t[1] + t[2], t[0] + t[1] * t[2]])

    explorer = jacobian_explorer(f, x)
    expected_jacobian = np.array([[6.0, 3.0, 2.0], [1.0, 1.0, 1.0], [1.0, 3.0, 2.0]])
    np.testing.assert_allclose(explorer.jacobian, expected_jacobian)
    for index, box in enumerate(explorer.v_inputs):
        box.value = [0.1, 0.2, 0.3][index]
    # The course's numbers: [1.1, 1.4, 1.0], from vᵀJ and from y.backward(v) alike.
    np.testing.assert_allclose(explorer.vjp, [1.1, 1.4, 1.0], rtol=1e-6)
    np.testing.assert_allclose(explorer.backward_grad, [1.1, 1.4, 1.0], rtol=1e-6)
    assert "[1.1, 1.4, 1.]" in text_of(explorer.status.value)
    assert "the same numbers as vᵀJ" in text_of(explorer.backward_label.value)
    assert x.grad is None


def test_explorer_presets_pick_rows_and_all_ones_is_the_sum():
    x = minigrad.tensor([[1.0, 2.0, 3.0, 4.0]], requires_grad=True)
    explorer = jacobian_explorer(lambda t: 2 * t, x)
    assert explorer.jacobian.shape == (4, 4)
    explorer.preset_buttons[1].click()
    np.testing.assert_array_equal(explorer.v, [0.0, 1.0, 0.0, 0.0])
    np.testing.assert_allclose(explorer.backward_grad.reshape(-1), [0.0, 2.0, 0.0, 0.0])
    assert "row 1 of J" in text_of(explorer.backward_label.value)
    explorer.ones_button.click()
    np.testing.assert_allclose(explorer.vjp, [2.0, 2.0, 2.0, 2.0])
    np.testing.assert_allclose(explorer.sum_grad.reshape(-1), [2.0, 2.0, 2.0, 2.0])
    assert "y.sum().backward()" in text_of(explorer.backward_label.value)
    assert "data:image/svg+xml" in explorer.picture.value
    assert x.grad is None


def test_explorer_picture_shows_the_weighted_rows_and_v_on_its_own_scale():
    x = minigrad.tensor([1.0, 2.0, 3.0])
    explorer = jacobian_explorer(lambda t: minigrad.stack([t[0] * t[1], t[1] + t[2], 2.0 * t[0] * t[2]]), x,
                                 v=[0.1, 1.0, 0.0001])
    figure = explorer.figure()
    panels = {ax.get_title(): ax for ax in figure.axes if ax.get_title()}
    assert list(panels) == ["weights v", "rows of J", "vᵢ · row i", "vᵀJ = Σᵢ vᵢ · row i"]
    weighted = panels["vᵢ · row i"].images[0].get_array()
    np.testing.assert_allclose(weighted, explorer.v[:, None] * explorer.jacobian)
    np.testing.assert_allclose(weighted.sum(axis=0), explorer.vjp)
    # v's weights (at most 1 here) have their own colours; J's entries go up to 6.
    assert panels["weights v"].images[0].get_clim() == (-1.0, 1.0)
    assert panels["rows of J"].images[0].get_clim() == (-6.0, 6.0)
    import matplotlib.pyplot as plt

    plt.close(figure)


def test_explorer_refuses_too_many_outputs():
    x = minigrad.ones(20, requires_grad=True)
    with pytest.raises(ValueError, match="20 outputs"):
        jacobian_explorer(lambda t: t * 2, x)


# ------------------------------------------------------------------------ accumulation demo


def test_accumulation_demo_accumulates_zeroes_and_shows_the_second_backward_error():
    # The course's example: out = (inp + 1)², backward with ones twice gives 2(inp+1),
    # then 4(inp+1); after zeroing, 2(inp+1) again.
    inp = minigrad.eye(2, requires_grad=True)
    demo = accumulation_demo(lambda t: (t + 1) ** 2, inp, name="inp")
    assert "None" in text_of(demo.grad_label.value)
    demo.retain_button.click()
    assert "inp.grad = [[4., 2.], [2., 4.]]" in text_of(demo.grad_label.value)
    demo.retain_button.click()
    np.testing.assert_array_equal(inp.grad.numpy(), [[8.0, 4.0], [4.0, 8.0]])
    assert "[[8., 4.]," in text_of(demo.grad_label.value)
    demo.zero_button.click()
    np.testing.assert_array_equal(inp.grad.numpy(), np.zeros((2, 2)))
    demo.backward_button.click()  # frees the graph
    np.testing.assert_array_equal(inp.grad.numpy(), [[4.0, 2.0], [2.0, 4.0]])
    assert "freed" in text_of(demo.status.value)
    assert "saved tensors freed" in picture_svg(demo.graph_picture.value)
    demo.backward_button.click()  # the error is shown, not raised
    assert "RuntimeError: Trying to backward through the graph a second time" in text_of(
        demo.status.value)
    np.testing.assert_array_equal(inp.grad.numpy(), [[4.0, 2.0], [2.0, 4.0]])
    demo.new_graph_button.click()
    demo.backward_button.click()
    np.testing.assert_array_equal(inp.grad.numpy(), [[8.0, 4.0], [4.0, 8.0]])
    history = text_of(demo.history.value)
    assert history.count("error") == 1 and "torch.ones_like(y)" in history


def test_accumulation_demo_reuses_one_graph_and_draws_bars():
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    calls = []

    def f(t):
        calls.append(1)
        return (t * t).sum()

    demo = accumulation_demo(f, x)
    # Its static picture ran two backward calls on a copy of x: the user's x is untouched.
    assert x.grad is None
    static = text_of(demo._repr_mimebundle_()["text/html"])
    assert "x.grad = [4., 8., 12.]" in static and "after two calls of y.backward(retain_graph=True)" in static
    built = len(calls)  # (the widget's graph, and its picture's)
    for _ in range(3):
        demo.retain_button.click()
    assert len(calls) == built  # built once: retain_graph is what makes the repeats work
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0, 18.0])
    assert "x.grad = [6., 12., 18.]" in text_of(demo.grad_label.value)
    assert "data:image/svg+xml" in demo.picture.value
    bundle = demo._repr_mimebundle_()
    assert WIDGET_VIEW in bundle and bundle["text/html"] != ""


# ------------------------------------------------------------------------ plots


def test_tangent_line_has_the_derivative_as_slope():
    figure, ax = plot_tangent(lambda x: x**3 - 2 * x, 1.0)
    curve, tangent = ax.get_lines()[:2]
    xs, ys = tangent.get_data()
    slope = (ys[-1] - ys[0]) / (xs[-1] - xs[0])
    assert slope == pytest.approx(1.0, rel=1e-6)  # 3x² - 2 at x = 1
    assert ys[np.argmin(abs(xs - 1.0))] == pytest.approx(-1.0, abs=0.02)
    assert curve.get_color() == style.NON_LEAF.ink and tangent.get_color() == style.GRADIENT_INK
    assert figure is ax.figure


def test_finite_difference_errors_fall_like_h_and_h_squared_until_rounding():
    steps = np.array([1e-2, 1e-3, 1e-12])
    errors = finite_difference_errors(math.sin, 1.0, math.cos(1.0), steps)
    # Truncation: forward error ~ h, central ~ h² (one step down divides by 10 and 100).
    assert errors["forward"][0] / errors["forward"][1] == pytest.approx(10, rel=0.05)
    assert errors["central"][0] / errors["central"][1] == pytest.approx(100, rel=0.05)
    # Rounding takes over for tiny steps: h = 1e-12 is worse than h = 1e-3 for central.
    assert errors["central"][2] > errors["central"][1]
    figure, ax = plot_finite_difference_error(math.sin, 1.0, math.cos(1.0))
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert len(ax.get_lines()) == 2



def test_finite_difference_plot_draws_reference_lines_of_the_predicted_slopes():
    steps = np.logspace(-12, 0, 25)
    eps = np.finfo(float).eps
    lines = {"slope 1": lambda h: h / 2 * math.sin(1.0), "slope 2": lambda h: h**2 / 6 * math.cos(1.0),
             "slope -1": lambda h: eps * math.sin(1.0) / h}
    figure, ax = plot_finite_difference_error(math.sin, 1.0, math.cos(1.0), steps=steps)
    limits = ax.get_ylim()
    figure, ax = plot_finite_difference_error(math.sin, 1.0, math.cos(1.0), steps=steps, reference_lines=lines)
    drawn = {line.get_label(): line for line in ax.get_lines()}
    assert list(drawn) == ["forward difference", "central difference", "slope 1", "slope 2", "slope -1"]
    for label, expected_slope in (("slope 1", 1), ("slope 2", 2), ("slope -1", -1)):
        xs, ys = drawn[label].get_data()
        np.testing.assert_allclose(np.diff(np.log10(ys)) / np.diff(np.log10(xs)), expected_slope)
        assert drawn[label].get_color() == style.MUTED_INK
    # The slope-1 line is the forward difference's truncation error: they agree at large steps.
    assert drawn["slope 1"].get_ydata()[-3] == pytest.approx(drawn["forward difference"].get_ydata()[-3], rel=0.05)
    assert ax.get_ylim() == limits  # guides that run off the plot do not rescale it
    assert [text.get_text() for text in ax.get_legend().get_texts()][2:] == ["slope 1", "slope 2", "slope -1"]

def test_jacobian_heatmap_shows_the_matrix_with_zero_in_the_middle_of_the_colours():
    jacobian = np.array([[2.0, 0.0], [0.0, -4.0]])
    figure, ax = plot_jacobian(jacobian)
    image = ax.get_images()[0]
    np.testing.assert_array_equal(image.get_array(), jacobian)
    assert image.get_clim() == (-4.0, 4.0)
    assert [text.get_text() for text in ax.texts] == ["2", "0", "0", "-4"]


def test_loss_curves_draw_one_line_per_curve():
    figure, ax = plot_loss_curves({"train": [3.0, 2.0, 1.0], "test": [3.5, 2.5, 2.0]})
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["train", "test"]
    np.testing.assert_array_equal(lines[1].get_ydata(), [3.5, 2.5, 2.0])
    figure, ax = plot_loss_curves([minigrad.tensor(1.0), minigrad.tensor(0.5)],
                                  log_scale=True)
    assert ax.get_yscale() == "log"


def test_decision_boundary_separates_the_plane_where_the_classifier_does(rng):
    points = rng.normal(size=(40, 2))
    labels = (points[:, 0] > 0).astype(float)

    def predict(grid):
        return minigrad.sigmoid(minigrad.tensor(grid[:, 0] * 5.0))

    figure, ax = plot_decision_boundary(predict, points, labels)
    boundary = ax.collections[1]  # the contour at 0.5
    vertices = np.concatenate([path.vertices for path in boundary.get_paths()])
    np.testing.assert_allclose(vertices[:, 0], 0.0, atol=0.05)  # the line x₁ = 0
    with pytest.raises(ValueError, match=r"shape \(N, 2\), got \(40, 3\)"):
        plot_decision_boundary(predict, np.ones((40, 3)), labels)


def test_figures_render_to_identical_svg_twice():
    first = style.figure_to_svg(plot_jacobian(np.eye(2))[0])
    second = style.figure_to_svg(plot_jacobian(np.eye(2))[0])
    assert first == second and first.startswith("<?xml")
