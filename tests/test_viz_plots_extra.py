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


# --------------------------------------------------------------------------------------
# plot_unbroadcast (chapter 03) and plot_mode_costs (chapter 04)
# --------------------------------------------------------------------------------------

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import minigrad  # noqa: E402
from minigrad.autograd.engine import unbroadcast  # noqa: E402
from minigrad.viz.plots import plot_mode_costs, plot_unbroadcast  # noqa: E402


def _grad_texts(ax) -> dict[int, float]:
    """The gradient entries the picture writes, by flat index (their gid is grad-<index>)."""
    return {int(text.get_gid().split("-")[1]): float(text.get_text())
            for text in ax.texts if (text.get_gid() or "").startswith("grad-")}


@pytest.mark.parametrize("input_shape", [(3,), (1, 3), (2, 1), (), (2, 3)])
def test_unbroadcast_picture_writes_the_engines_gradient(input_shape):
    upstream = np.arange(1.0, 7.0).reshape(2, 3) / 8  # exact in binary, short in text
    values = np.arange(1.0, 1.0 + int(np.prod(input_shape))).reshape(input_shape)
    figure, ax = plot_unbroadcast(values, upstream)
    expected = unbroadcast(minigrad.tensor(upstream), input_shape).numpy().reshape(-1)
    written = _grad_texts(ax)
    assert sorted(written) == list(range(expected.size))
    np.testing.assert_allclose([written[i] for i in range(expected.size)], expected, rtol=1e-3)
    titles = " ".join(text.get_text() for text in ax.texts)
    assert f"b.grad, shape {input_shape}" in titles and "broadcast to (2, 3)" in titles
    plt.close(figure)


def test_unbroadcast_picture_sums_a_column_for_a_row_input():
    figure, ax = plot_unbroadcast([1.0, 2.0, 3.0], [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
    assert _grad_texts(ax) == {0: 0.5, 1: 0.7, 2: 0.9}
    assert any(text.get_text() == "copied ×2" for text in ax.texts)
    plt.close(figure)


def test_unbroadcast_picture_refuses_shapes_that_do_not_broadcast():
    with pytest.raises(ValueError, match=r"shape \(4,\).*\(2, 3\)"):
        plot_unbroadcast(np.ones(4), np.ones((2, 3)))
    with pytest.raises(ValueError, match="at most 2 dimensions"):
        plot_unbroadcast(np.ones(3), np.ones((2, 2, 3)))
    # The gradient must have the broadcast shape, not a smaller one.
    with pytest.raises(ValueError, match="does not broadcast"):
        plot_unbroadcast(np.ones((2, 3)), np.ones(3))
    plt.close("all")


def test_mode_costs_draws_one_bar_per_count_on_a_log_scale():
    rows = [(100, 1, 1, 100), (10, 10, 10, 10), (1, 100, 100, 1)]
    figure, ax = plot_mode_costs(rows)
    heights = [patch.get_height() for patch in ax.patches]
    assert heights == [1, 10, 100, 100, 10, 1]  # the reverse-mode bars, then the forward ones
    assert ax.get_yscale() == "log"
    assert [label.get_text() for label in ax.get_xticklabels()] == [
        "n = 100\nm = 1", "n = 10\nm = 10", "n = 1\nm = 100"]
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "backward passes" in legend[0] and "forward passes" in legend[1]
    plt.close(figure)


def test_mode_costs_refuses_counts_a_log_scale_cannot_show():
    with pytest.raises(ValueError, match="positive counts"):
        plot_mode_costs([(3, 2, 0, 3)])
    with pytest.raises(ValueError, match="at least one"):
        plot_mode_costs([])


# ------------------------------------------------------- plot_optimization_paths (chapter 08)
def _valley(x, y):
    """A Rosenbrock-like valley, minimum 0 at (1, 1)."""
    return (1 - x) ** 2 + 10 * (y - x**2) ** 2


def test_optimization_paths_draw_every_point_over_the_contours():
    import matplotlib.pyplot as plt
    import numpy as np
    import pytest

    import minigrad
    from minigrad.viz.plots import plot_optimization_paths

    newton = [[-1.2, 1.0], [-0.98, 0.9], [1.0, 1.0]]
    descent = np.column_stack([np.linspace(-1.2, 1.0, 101), np.linspace(1.0, 1.0, 101)])
    figure, ax = plot_optimization_paths(
        _valley, {"Newton": minigrad.tensor(newton), "gradient descent": descent},
        xlim=(-2, 2), ylim=(-1, 3), minimum=(1.0, 1.0), levels=12)
    try:
        lines = {line.get_label(): line for line in ax.get_lines()}
        assert set(lines) == {"Newton (2 steps)", "gradient descent (100 steps)", "start", "minimum"}
        np.testing.assert_allclose(lines["Newton (2 steps)"].get_xydata(), newton, rtol=1e-6)
        np.testing.assert_allclose(lines["gradient descent (100 steps)"].get_xydata(), descent)
        assert lines["Newton (2 steps)"].get_marker() == "o"  # a short path shows its steps
        assert lines["gradient descent (100 steps)"].get_marker() in (None, "None", "")
        np.testing.assert_allclose(lines["start"].get_xydata(), [[-1.2, 1.0]])
        np.testing.assert_allclose(lines["minimum"].get_xydata(), [[1.0, 1.0]])
        (contours,) = [c for c in ax.collections if hasattr(c, "levels")]
        levels = np.asarray(contours.levels)
        assert len(levels) == 12
        # geometric levels: a constant ratio between neighbours, starting near the floor
        ratios = levels[1:] / levels[:-1]
        np.testing.assert_allclose(ratios, ratios[0])
        assert ax.get_xlim() == (-2, 2) and ax.get_ylim() == (-1, 3)
        legend = [text.get_text() for text in ax.get_legend().get_texts()]
        assert "Newton (2 steps)" in legend
    finally:
        plt.close(figure)
    with pytest.raises(ValueError, match=r"path 'bad' has shape \(3,\)"):
        plot_optimization_paths(_valley, {"bad": [1.0, 2.0, 3.0]}, xlim=(-2, 2), ylim=(-1, 3))
    plt.close("all")


def test_optimization_paths_draw_into_a_given_axes():
    import matplotlib.pyplot as plt

    from minigrad.viz.plots import plot_optimization_paths

    figure, ax = plt.subplots()
    try:
        returned_figure, returned_ax = plot_optimization_paths(
            _valley, {"one step": [[0.0, 0.0], [1.0, 1.0]]}, xlim=(-1, 2), ylim=(-1, 2), ax=ax)
        assert returned_ax is ax and returned_figure is figure
        assert [line.get_label() for line in ax.get_lines()] == ["one step (1 step)", "start"]
    finally:
        plt.close(figure)


def test_decision_boundaries_one_panel_per_snapshot_with_its_own_boundary():
    import matplotlib.pyplot as plt
    import numpy as np

    from minigrad.viz.plots import plot_decision_boundaries

    points = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    labels = np.array([0.0, 1.0, 1.0, 0.0])
    # Three "snapshots": boundaries x = 0.5, x + y = 0 and no boundary at all (all one class).
    predicts = {
        "vertical": lambda p: p[:, 0] - 0.5,
        "diagonal": lambda p: p[:, 0] + p[:, 1],
        "constant": lambda p: np.ones(len(p)),
    }
    figure, axes = plot_decision_boundaries(predicts, points, labels, columns=2, threshold=0.0)
    try:
        assert axes.shape == (2, 2)
        assert [ax.get_title() for ax in axes.flat[:3]] == ["vertical", "diagonal", "constant"]
        assert not axes.flat[3].get_visible()
        # A boundary line is drawn where the score crosses the threshold, and only there.
        vertical_lines = [c for c in axes.flat[0].collections if hasattr(c, "levels")]
        boundary = [c for c in vertical_lines if list(c.levels) == [0.0]]
        assert len(boundary) == 1
        (segment,) = [s for s in boundary[0].allsegs[0] if len(s)]
        np.testing.assert_allclose(segment[:, 0], 0.5, atol=0.05)
        constant_lines = [c for c in axes.flat[2].collections if hasattr(c, "levels")
                          and list(c.levels) == [0.0]]
        assert constant_lines == []
    finally:
        plt.close(figure)


def test_decision_boundaries_need_a_snapshot():
    import pytest

    from minigrad.viz.plots import plot_decision_boundaries

    with pytest.raises(ValueError, match="at least one"):
        plot_decision_boundaries({}, [[0.0, 0.0]], [0.0])


# ------------------------------------------------ plot_benchmark, plot_cost_by_size (chapter 10)
def test_format_seconds_picks_the_unit_that_keeps_three_digits():
    from minigrad.viz.plots import format_seconds

    assert format_seconds(2.07) == "2.07 s"
    assert format_seconds(0.0128) == "12.8 ms"
    assert format_seconds(9.755e-05) == "97.5 µs"
    assert format_seconds(5.63e-07) == "563 ns"
    assert format_seconds(1.0) == "1 s" and format_seconds(1e-3) == "1 ms"


def test_benchmark_bars_end_at_their_times_and_missing_engines_say_why():
    import matplotlib.pyplot as plt
    import numpy as np

    from minigrad.viz.plots import plot_benchmark

    times = {
        "per-op": {"minigrad": 9.7e-05, "numpy": 8.4e-06, "micrograd": 2.9e-05},
        "chain": {"numpy": 0.092, "minigrad": 5.5, "micrograd": "RecursionError"},
    }
    figure, ax = plot_benchmark(times, engines=("minigrad", "numpy", "torch", "micrograd"))
    try:
        bars = {patch.get_gid(): patch for patch in ax.patches}
        assert set(bars) == {"bar-minigrad-0", "bar-numpy-0", "bar-micrograd-0", "bar-minigrad-1",
                             "bar-numpy-1"}
        for gid, seconds in [("bar-minigrad-0", 9.7e-05), ("bar-numpy-1", 0.092), ("bar-minigrad-1", 5.5)]:
            bar = bars[gid]
            np.testing.assert_allclose(bar.get_y() + bar.get_height(), seconds, rtol=1e-12)
            assert bar.get_y() == 1e-06  # every bar starts at the power of ten below the fastest
        # Bars of one workload sit side by side in the engines' order, around the workload's tick.
        xs = [bars[f"bar-{engine}-0"].get_x() for engine in ("minigrad", "numpy", "micrograd")]
        assert xs == sorted(xs) and xs[0] < 0 < xs[-1] + bars["bar-micrograd-0"].get_width()
        texts = {text.get_gid(): text.get_text() for text in ax.texts if text.get_gid()}
        assert texts == {"status-micrograd-1": "RecursionError", "status-torch-0": "not run",
                         "status-torch-1": "not run"}
        written = [text.get_text() for text in ax.texts if not text.get_gid()]
        assert written.count("97 µs") == 1 and "5.5 s" in written and "92 ms" in written
        assert ax.get_yscale() == "log"
        assert [label.get_text() for label in ax.get_xticklabels()] == ["per-op", "chain"]
        legend = [text.get_text() for text in ax.get_legend().get_texts()]
        assert legend == ["minigrad", "numpy", "torch", "micrograd"]  # torch too, though it has no bar
        # Engines keep the same colour in the legend and in their bars.
        legend_colours = {text.get_text(): patch.get_facecolor()
                          for text, patch in zip(ax.get_legend().get_texts(), ax.get_legend().get_patches())}
        assert legend_colours["numpy"] == bars["bar-numpy-1"].get_facecolor()
    finally:
        plt.close(figure)


def test_benchmark_refuses_what_a_log_scale_cannot_draw():
    import matplotlib.pyplot as plt
    import pytest

    from minigrad.viz.plots import plot_benchmark

    with pytest.raises(ValueError, match="at least one engine with a time"):
        plot_benchmark({"chain": {"micrograd": "RecursionError"}})
    with pytest.raises(ValueError, match="positive seconds"):
        plot_benchmark({"per-op": {"minigrad": 0.0}})
    plt.close("all")


def test_cost_by_size_draws_one_log_log_line_per_engine():
    import matplotlib.pyplot as plt
    import numpy as np
    import pytest

    from minigrad.viz.plots import plot_cost_by_size

    sizes = [3, 1000, 1_000_000]
    seconds = {"minigrad": [9e-5, 9.5e-5, 8e-3], "NumPy by hand": [1e-5, 1.2e-5, 5e-3]}
    figure, ax = plot_cost_by_size(sizes, seconds)
    try:
        lines = {line.get_label(): line.get_xydata() for line in ax.get_lines()}
        assert list(lines) == ["minigrad", "NumPy by hand"]
        np.testing.assert_allclose(lines["NumPy by hand"], np.column_stack([sizes, seconds["NumPy by hand"]]))
        assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    finally:
        plt.close(figure)
    with pytest.raises(ValueError, match="'minigrad' has 2 times for 3 sizes"):
        plot_cost_by_size(sizes, {"minigrad": [1e-5, 2e-5]})
    with pytest.raises(ValueError, match="at least two positive sizes"):
        plot_cost_by_size([0, 10], {"minigrad": [1e-5, 2e-5]})
    plt.close("all")
