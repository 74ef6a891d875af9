"""matplotlib helpers for the course's plots, all in the style of `minigrad.viz.style`.

Each function draws into a new figure (or into ``ax`` when one is given) and returns
``(figure, axes)`` so a notebook can add a title or save the picture.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from minigrad.viz import style


def _as_numpy(values: Any) -> np.ndarray:
    """Accept NumPy arrays, numbers, lists and tensors (minigrad's or PyTorch's)."""
    if hasattr(values, "detach"):  # a tensor that may require grad
        values = values.detach()
    if hasattr(values, "numpy"):
        values = values.numpy()
    return np.asarray(values, dtype=float)


def _new_axes(ax: Any, figsize: tuple[float, float] = style.FIGURE_SIZE) -> tuple[Any, Any]:
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax.figure, ax
    figure, ax = plt.subplots(figsize=figsize)
    return figure, ax


def _evaluate(f: Callable[[Any], Any], xs: np.ndarray) -> np.ndarray:
    """f on every point of xs; calls f point by point if it does not take arrays."""
    try:
        ys = _as_numpy(f(xs))
        if ys.shape == xs.shape:
            return ys
    except (TypeError, ValueError):
        pass
    return np.array([float(_as_numpy(f(float(x)))) for x in xs])


def plot_tangent(
    f: Callable[[Any], Any],
    x0: float,
    slope: float | None = None,
    xlim: tuple[float, float] | None = None,
    ax: Any = None,
    label: str = "f(x)",
) -> tuple[Any, Any]:
    """Plot f and its tangent line at x0: t(x) = f(x0) + f'(x0)·(x - x0).

    ``slope`` is f'(x0); when omitted it is estimated by a central difference
    (f(x0+h) - f(x0-h)) / 2h with h = 1e-5.
    """
    x0 = float(x0)
    y0 = float(_evaluate(f, np.array([x0]))[0])
    if slope is None:
        h = 1e-5
        ends = _evaluate(f, np.array([x0 - h, x0 + h]))
        slope = float((ends[1] - ends[0]) / (2 * h))
    if xlim is None:
        xlim = (x0 - 2.0, x0 + 2.0)
    xs = np.linspace(xlim[0], xlim[1], 400)
    ys = _evaluate(f, xs)
    with style.plot_style():
        figure, ax = _new_axes(ax)
        ax.plot(xs, ys, color=style.NON_LEAF.ink, label=label)
        ax.plot(
            xs,
            y0 + slope * (xs - x0),
            color=style.GRADIENT_INK,
            linestyle="--",
            label=f"tangent at x = {x0:g}, slope {slope:.4g}",
        )
        ax.plot([x0], [y0], "o", color=style.LEAF.ink, zorder=3)
        # Keep the view on the function: a steep tangent must not squash the curve.
        span = float(np.ptp(ys)) or 1.0
        ax.set_ylim(float(ys.min()) - 0.15 * span, float(ys.max()) + 0.15 * span)
        ax.set_xlim(*xlim)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.legend(loc="best")
    return figure, ax


def finite_difference_errors(
    f: Callable[[float], float],
    x0: float,
    exact: float,
    steps: Sequence[float] | np.ndarray,
) -> dict[str, np.ndarray]:
    """|estimate - exact| of the forward and central differences of f at x0 for each step h.

    forward: (f(x0+h) - f(x0)) / h, error ~ h (truncation) + eps/h (rounding);
    central: (f(x0+h) - f(x0-h)) / 2h, error ~ h² + eps/h.
    """
    steps = np.asarray(steps, dtype=float)
    fx = float(f(x0))
    forward = np.array([(float(f(x0 + h)) - fx) / h for h in steps])
    central = np.array([(float(f(x0 + h)) - float(f(x0 - h))) / (2 * h) for h in steps])
    return {"forward": np.abs(forward - exact), "central": np.abs(central - exact)}


def plot_finite_difference_error(
    f: Callable[[float], float],
    x0: float,
    exact: float,
    steps: Sequence[float] | np.ndarray | None = None,
    ax: Any = None,
    reference_lines: Mapping[str, Callable[[np.ndarray], np.ndarray]] | None = None,
) -> tuple[Any, Any]:
    """Log-log plot of the error of forward and central differences against the step h.

    The error falls like h (forward) or h² (central) until rounding, which grows like
    eps/h, takes over: the V shape that tells why h = 1e-15 is a bad idea.

    ``reference_lines`` maps a legend label to a predicted error g(h), e.g.
    ``{"slope 1: (h/2)·|f''|": lambda h: h / 2 * abs(f2)}``: each is drawn as a thin dashed
    line (a power C·h^p is a straight line of slope p on log-log axes), over the measured
    errors and within the range the errors span.
    """
    steps = np.logspace(-16, 0, 65) if steps is None else np.asarray(steps, dtype=float)
    errors = finite_difference_errors(f, x0, exact, steps)
    # An error of exactly 0 cannot be drawn on a log axis; the smallest positive double
    # keeps the point (at the bottom of the plot) instead of silently dropping it.
    tiny = np.finfo(float).tiny
    with style.plot_style():
        figure, ax = _new_axes(ax)
        ax.loglog(steps, np.maximum(errors["forward"], tiny), "o-", markersize=3,
                  color=style.NON_LEAF.ink, label="forward difference")
        ax.loglog(steps, np.maximum(errors["central"], tiny), "s-", markersize=3,
                  color=style.GRADIENT_INK, label="central difference")
        positive = np.concatenate([errors["forward"], errors["central"]])
        positive = positive[positive > 0]
        if positive.size:
            ax.set_ylim(max(positive.min() / 10, 1e-20), positive.max() * 10)
        dashes = [(6, 3), (1.5, 1.5), (6, 2, 1, 2)]
        for number, (label, predicted) in enumerate((reference_lines or {}).items()):
            ax.loglog(steps, _evaluate(predicted, steps), color=style.MUTED_INK, linewidth=1.0,
                      dashes=dashes[number % len(dashes)], label=label, zorder=3)
        if positive.size:  # the guides must not stretch the view beyond the measured errors
            ax.set_ylim(max(positive.min() / 10, 1e-20), positive.max() * 10)
        ax.set_xlabel("step h")
        ax.set_ylabel("|estimate - exact derivative|")
        ax.legend(loc="best")
    return figure, ax


def plot_jacobian(
    jacobian: Any,
    ax: Any = None,
    row_labels: Sequence[str] | None = None,
    column_labels: Sequence[str] | None = None,
    annotate: bool | None = None,
    title: str = "Jacobian J[i, j] = ∂y_i / ∂x_j",
) -> tuple[Any, Any]:
    """Heatmap of a Jacobian: row i holds the gradient of output y_i, column j the
    sensitivity of every output to input x_j. Zero is white, signs have two hues."""
    matrix = _as_numpy(jacobian)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    if matrix.ndim != 2:
        # A Jacobian of higher-rank tensors: rows are the flattened outputs.
        matrix = matrix.reshape(matrix.shape[0], -1)
    rows, columns = matrix.shape
    if annotate is None:
        annotate = rows * columns <= 64
    limit = float(np.abs(matrix).max()) or 1.0
    with style.plot_style():
        size = (min(1.0 + 0.7 * columns, 10.0), min(0.8 + 0.6 * rows, 8.0))
        figure, ax = _new_axes(ax, figsize=(max(size[0], 3.0), max(size[1], 2.0)))
        image = ax.imshow(matrix, cmap=style.DIVERGING_CMAP, vmin=-limit, vmax=limit)
        ax.grid(False)
        ax.set_xticks(range(columns))
        ax.set_yticks(range(rows))
        ax.set_xticklabels(column_labels or [f"x{j}" for j in range(columns)])
        ax.set_yticklabels(row_labels or [f"y{i}" for i in range(rows)])
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        if annotate:
            for i in range(rows):
                for j in range(columns):
                    value = matrix[i, j]
                    # White text on dark cells, black on light ones.
                    ink = "white" if abs(value) > 0.6 * limit else "black"
                    ax.text(j, i, f"{value:.3g}", ha="center", va="center", color=ink,
                            fontsize=9)
        figure.colorbar(image, ax=ax, shrink=0.8)
        ax.set_title(title)
    return figure, ax


def plot_loss_curves(
    curves: Mapping[str, Sequence[float]] | Sequence[float],
    ax: Any = None,
    log_scale: bool = False,
    xlabel: str = "step",
    ylabel: str = "loss",
) -> tuple[Any, Any]:
    """One line per named loss curve (e.g. {"train": [...], "test": [...]})."""
    if not isinstance(curves, Mapping):
        curves = {"loss": curves}
    with style.plot_style():
        figure, ax = _new_axes(ax)
        for name, values in curves.items():
            values = _as_numpy([float(_as_numpy(v)) for v in values])
            ax.plot(np.arange(len(values)), values, label=name)
        if log_scale:
            ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if len(curves) > 1:
            ax.legend(loc="best")
    return figure, ax


def plot_decision_boundary(
    predict: Callable[[np.ndarray], Any],
    points: Any,
    labels: Any,
    ax: Any = None,
    threshold: float = 0.5,
    resolution: int = 200,
    padding: float = 0.5,
) -> tuple[Any, Any]:
    """Points of two classes over the regions a classifier assigns to each class.

    ``predict`` maps an (N, 2) NumPy array of points to N scores (a NumPy array or a
    tensor); the boundary is the contour score = ``threshold`` (0.5 for probabilities,
    use 0.0 for logits).
    """
    import matplotlib.colors as mcolors

    points = _as_numpy(points)
    labels = _as_numpy(labels).reshape(-1)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(
            f"plot_decision_boundary expects points of shape (N, 2), got {points.shape}"
        )
    low = points.min(axis=0) - padding
    high = points.max(axis=0) + padding
    grid_x, grid_y = np.meshgrid(
        np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    )
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    scores = _as_numpy(predict(grid)).reshape(grid_x.shape)
    first, second = style.CLASS_COLOURS
    with style.plot_style():
        figure, ax = _new_axes(ax)
        ax.contourf(grid_x, grid_y, scores > threshold, levels=[-0.5, 0.5, 1.5],
                    colors=[first, second], alpha=0.15)
        if scores.min() < threshold < scores.max():
            ax.contour(grid_x, grid_y, scores, levels=[threshold], colors=["#4d4d4d"],
                       linewidths=1.5)
        colour_map = mcolors.ListedColormap([first, second])
        ax.scatter(points[:, 0], points[:, 1], c=labels > 0.5, cmap=colour_map, vmin=0,
                   vmax=1, s=18, edgecolors="white", linewidths=0.5)
        ax.set_xlim(low[0], high[0])
        ax.set_ylim(low[1], high[1])
        ax.set_aspect("equal")
        ax.grid(False)
        ax.set_xlabel("x₁")
        ax.set_ylabel("x₂")
    return figure, ax


def plot_gradient_bars(
    values: Any,
    ax: Any = None,
    labels: Sequence[str] | None = None,
    title: str = "x.grad",
    ylim: tuple[float, float] | None = None,
) -> tuple[Any, Any]:
    """A small bar chart of gradient entries (used by the accumulation widget)."""
    values = _as_numpy(values).reshape(-1)
    with style.plot_style():
        figure, ax = _new_axes(ax, figsize=style.SMALL_FIGURE_SIZE)
        positions = np.arange(values.size)
        ax.bar(positions, values, color=style.GRADIENT_INK, alpha=0.8)
        ax.axhline(0.0, color="#4d4d4d", linewidth=0.8)
        ax.set_xticks(positions)
        ax.set_xticklabels(labels or [f"[{i}]" for i in range(values.size)])
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.set_title(title)
        ax.grid(axis="x", visible=False)
    return figure, ax


def draw_value_graph(root: Any, labels: Mapping[Any, str] | None = None,
                     **draw_graph_options: Any) -> Any:
    """``draw_graph`` for a scalar engine of your own, built like ``minigrad.scalar.Value``.

    ``draw_graph`` draws graphs of the package's ``minigrad.scalar.Value``. A Value class
    written in a notebook (chapter 02 builds one, cell by cell) is another class with the
    same attributes: ``data``, ``grad``, ``label``, ``_prev`` (the operands) and ``_op``.
    This copies its graph node for node into package Values holding the same numbers and
    draws the copy, so the picture is exactly the one ``draw_graph`` gives for the package's
    engine. ``labels={value: "name"}`` may name the notebook's Values; the other options
    (``show_grad``, ``rankdir``, ...) are ``draw_graph``'s.
    """
    from minigrad.scalar import Value
    from minigrad.viz.graph import draw_graph

    copies: dict[int, Value] = {}
    # Operands must be copied before the Values computed from them: a depth-first walk with
    # an explicit stack (no recursion, so deep graphs work). (node, True) means "all its
    # operands are copied, copy it".
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, operands_done = stack.pop()
        if id(node) in copies:
            continue
        if operands_done:
            copy = Value(float(node.data), label=str(getattr(node, "label", "") or ""),
                         _prev=tuple(copies[id(operand)] for operand in node._prev),
                         _op=str(getattr(node, "_op", "")))
            copy.grad = float(node.grad)
            copies[id(node)] = copy
            continue
        stack.append((node, True))
        stack.extend((operand, False) for operand in reversed(tuple(node._prev))
                     if id(operand) not in copies)
    copied_labels = {copies[id(value)]: name for value, name in (labels or {}).items()
                     if id(value) in copies}
    return draw_graph(copies[id(root)], labels=copied_labels or None, **draw_graph_options)


def _element_colours(count: int) -> list[str]:
    """One ink colour per input element, cycling through the course's line colours."""
    return [style.LINE_COLOURS[index % len(style.LINE_COLOURS)] for index in range(count)]


def _as_grid(shape: tuple[int, ...]) -> tuple[int, int]:
    """Rows and columns used to draw an array of at most two dimensions."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return 1, shape[0]
    return shape[0], shape[1]


def plot_unbroadcast(
    input_values: Any,
    grad_output: Any,
    name: str = "b",
    ax: Any = None,
) -> tuple[Any, Any]:
    """Broadcasting in the forward pass and its undoing in the backward pass, cell by cell.

    Top row: the input (``input_values``, at most 2-D) and its broadcast copy of the shape
    of ``grad_output``. Bottom row: ``grad_output``, the gradient that arrives for the
    broadcast copies, and the input's gradient, where each entry is the sum of the gradients
    of all the copies of that entry:

        grad[k] = Σ over cells c that copy input element k of grad_output[c]

    Every input element has one colour, shared by its copies and their gradients, so the
    cells of one colour in ``grad_output`` are the ones summed into the cell of that colour.
    The text of each gradient entry has the gid ``"grad-<flat index>"``.
    """
    from matplotlib.patches import FancyArrowPatch, Rectangle

    values = _as_numpy(input_values)
    upstream = _as_numpy(grad_output)
    if upstream.ndim > 2 or values.ndim > 2:
        raise ValueError(
            f"plot_unbroadcast draws arrays of at most 2 dimensions, got an input of shape "
            f"{values.shape} and a gradient of shape {upstream.shape}"
        )
    try:
        broadcast_shape = np.broadcast_shapes(values.shape, upstream.shape)
    except ValueError:
        broadcast_shape = None
    if broadcast_shape != upstream.shape:
        raise ValueError(
            f"an input of shape {values.shape} does not broadcast to the gradient's shape "
            f"{upstream.shape}"
        )
    # Which input element every cell of the broadcast result is a copy of.
    source = np.broadcast_to(np.arange(values.size).reshape(values.shape), upstream.shape)
    grad = np.zeros(values.size)
    np.add.at(grad, source.reshape(-1), upstream.reshape(-1))
    colours = _element_colours(values.size)

    in_rows, in_cols = _as_grid(values.shape)
    out_rows, out_cols = _as_grid(upstream.shape)
    left_width = max(in_cols, 2)
    gap = 3.2  # room for the arrows and their labels between the columns
    right_x = left_width + gap
    band = max(in_rows, out_rows) + 1.7  # height of one row of the picture, titles included
    copies = upstream.size // max(values.size, 1)

    def draw_grid(x0: float, y0: float, array: np.ndarray, kinds: np.ndarray, title: str,
                  gid_prefix: str | None = None, faded: np.ndarray | None = None) -> None:
        rows, cols = _as_grid(array.shape)
        cells = array.reshape(rows, cols)
        owners = kinds.reshape(rows, cols)
        for i in range(rows):
            for j in range(cols):
                colour = colours[int(owners[i, j])]
                alpha = 0.12 if faded is not None and faded.reshape(rows, cols)[i, j] else 0.3
                ax.add_patch(Rectangle((x0 + j, y0 - i - 1), 1, 1, facecolor=colour,
                                       alpha=alpha, edgecolor="none"))
                ax.add_patch(Rectangle((x0 + j, y0 - i - 1), 1, 1, facecolor="none",
                                       edgecolor=colour, linewidth=1.5))
                text = ax.text(x0 + j + 0.5, y0 - i - 0.5, f"{cells[i, j]:.4g}", ha="center",
                               va="center", fontsize=10)
                if gid_prefix is not None:
                    text.set_gid(f"{gid_prefix}-{i * cols + j}")
        ax.text(x0, y0 + 0.35, title, ha="left", va="bottom", fontsize=10)

    shape_text = str(tuple(int(s) for s in values.shape))
    out_text = str(tuple(int(s) for s in upstream.shape))
    # The first copy of each element is the original; the others are drawn lighter.
    repeated = np.zeros(upstream.size, dtype=bool)
    seen: set[int] = set()
    for flat, owner in enumerate(source.reshape(-1)):
        if int(owner) in seen:
            repeated[flat] = True
        seen.add(int(owner))

    with style.plot_style():
        width = right_x + max(out_cols, 2) + 0.5
        figure, ax = _new_axes(ax, figsize=(min(1.0 + 0.75 * width, 12.0),
                                            min(0.9 + 0.62 * 2 * band, 8.0)))
        top, bottom = 0.0, -band
        draw_grid(0.0, top, values, np.arange(values.size), f"{name}, shape {shape_text}")
        draw_grid(right_x, top, np.broadcast_to(values, upstream.shape), source,
                  f"forward: {name} broadcast to {out_text}", faded=repeated)
        draw_grid(right_x, bottom, upstream, source, f"backward: gradient of the copies, shape {out_text}")
        draw_grid(0.0, bottom, grad.reshape(values.shape), np.arange(values.size),
                  f"{name}.grad, shape {shape_text}", gid_prefix="grad")
        # Horizontal arrows at the height of the first row of cells.
        arrows = [
            ((in_cols + 0.2, top - 0.5), (right_x - 0.2, top - 0.5), f"copied ×{copies}"),
            ((right_x - 0.2, bottom - 0.5), (in_cols + 0.2, bottom - 0.5), "sum the copies"),
        ]
        for start, end, label in arrows:
            ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14,
                                         color=style.GRADIENT_INK if label.startswith("sum")
                                         else style.MUTED_INK, linewidth=1.5))
            ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.25, label,
                    ha="center", va="bottom", fontsize=9, color=style.MUTED_INK)
        ax.set_xlim(-0.3, width)
        ax.set_ylim(bottom - max(in_rows, out_rows) - 0.3, top + 1.2)
        ax.set_aspect("equal")
        ax.axis("off")
    return figure, ax


def plot_mode_costs(
    measurements: Sequence[tuple[int, int, int, int]],
    ax: Any = None,
) -> tuple[Any, Any]:
    """Passes needed for a full Jacobian of f: Rⁿ → Rᵐ, in reverse and in forward mode.

    ``measurements`` holds ``(n, m, backward_passes, forward_passes)`` per function: reverse
    mode needs one backward pass per output (m), forward mode one forward pass per input
    (n). Bars on a log scale, two per function, each labelled with its count.
    """
    from matplotlib.ticker import FuncFormatter

    rows = [tuple(int(value) for value in row) for row in measurements]
    if not rows:
        raise ValueError("plot_mode_costs needs at least one (n, m, backward, forward) row")
    for row in rows:
        if len(row) != 4 or min(row) < 1:
            raise ValueError(
                f"each measurement is (n, m, backward_passes, forward_passes) with positive "
                f"counts, got {row}"
            )
    positions = np.arange(len(rows))
    bar_width = 0.38
    with style.plot_style():
        figure, ax = _new_axes(ax, figsize=(max(style.FIGURE_SIZE[0], 1.6 * len(rows) + 1.5),
                                            style.FIGURE_SIZE[1]))
        series = [
            (-bar_width / 2, [row[2] for row in rows], style.GRAD_FN.ink,
             "reverse mode: backward passes (one per output)"),
            (bar_width / 2, [row[3] for row in rows], style.NON_LEAF.ink,
             "forward mode: forward passes (one per input)"),
        ]
        for offset, counts, colour, label in series:
            bars = ax.bar(positions + offset, counts, width=bar_width, color=colour,
                          alpha=0.85, label=label)
            for bar, count in zip(bars, counts):
                ax.text(bar.get_x() + bar.get_width() / 2, count * 1.08, str(count),
                        ha="center", va="bottom", fontsize=9)
        ax.set_yscale("log")
        highest = max(max(row[2], row[3]) for row in rows)
        ax.set_ylim(0.7, highest * 8)  # room above the bars for their counts and the legend
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.set_xticks(positions)
        ax.set_xticklabels([f"n = {row[0]}\nm = {row[1]}" for row in rows])
        ax.set_xlabel("f: Rⁿ → Rᵐ  (n inputs, m outputs)")
        ax.set_ylabel("passes for the full Jacobian")
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper center", fontsize=9)
    return figure, ax


def plot_optimization_paths(
    f: Callable[[np.ndarray, np.ndarray], Any],
    paths: Mapping[str, Any],
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    minimum: Sequence[float] | None = None,
    levels: int = 20,
    resolution: int = 300,
    ax: Any = None,
) -> tuple[Any, Any]:
    """The paths of optimizers over the contour lines of a function of two variables.

    ``f(x, y)`` takes two NumPy arrays of the same shape (a grid) and returns f on every
    point. ``paths`` maps a name (e.g. "Newton") to the points an optimizer visited, an
    array-like of shape (k, 2) from the start point to the last; the legend gives each
    path's number of steps, k - 1. The contour levels are spaced geometrically above the
    lowest value on the grid, so that the flat floor of a valley shows as well as its
    steep walls. The first path's first point is marked as the start (the paths are meant
    to start together) and ``minimum``, when given, with a star.
    """
    points = {}
    for name, path in paths.items():
        array = _as_numpy(path)
        if array.ndim != 2 or array.shape[1] != 2 or array.shape[0] == 0:
            raise ValueError(
                f"plot_optimization_paths expects each path as points of shape (k, 2), but the "
                f"path {name!r} has shape {array.shape}"
            )
        points[name] = array
    grid_x, grid_y = np.meshgrid(np.linspace(xlim[0], xlim[1], resolution),
                                 np.linspace(ylim[0], ylim[1], resolution))
    heights = _as_numpy(f(grid_x, grid_y))
    if heights.shape != grid_x.shape:
        raise ValueError(f"f(x, y) should return one value per grid point, shape {grid_x.shape}, "
                         f"but returned shape {heights.shape}")
    # Heights above the floor, from a ten-thousandth of the range to all of it: geometric
    # levels crowd where the function is flat, where the optimizers spend their steps.
    above = heights - heights.min()
    top = float(above.max()) or 1.0
    contour_levels = np.geomspace(top * 1e-4, top, levels)
    with style.plot_style():
        figure, ax = _new_axes(ax, figsize=(6.0, 5.0))
        ax.contour(grid_x, grid_y, above, levels=contour_levels, colors=[style.CONSTANT.ink],
                   linewidths=0.7, alpha=0.6)
        for index, (name, array) in enumerate(points.items()):
            colour = style.LINE_COLOURS[index % len(style.LINE_COLOURS)]
            steps = array.shape[0] - 1
            # Markers show each step of a short path; a long one is drawn as a plain line.
            marker = "o" if steps <= 60 else None
            ax.plot(array[:, 0], array[:, 1], color=colour, marker=marker, markersize=4,
                    linewidth=1.5, label=f"{name} ({steps} step{'s' if steps != 1 else ''})")
        first = next(iter(points.values()), None)
        if first is not None:
            ax.plot([first[0, 0]], [first[0, 1]], "s", color="#4d4d4d", markersize=7,
                    label="start", zorder=4)
        if minimum is not None:
            ax.plot([minimum[0]], [minimum[1]], "*", color=style.GRADIENT_INK, markersize=14,
                    label="minimum", zorder=4)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.grid(False)
        ax.legend(loc="best", fontsize=9)
    return figure, ax


def plot_decision_boundaries(
    predicts: Mapping[str, Callable[[np.ndarray], Any]],
    points: Any,
    labels: Any,
    columns: int = 4,
    threshold: float = 0.5,
    resolution: int = 150,
) -> tuple[Any, Any]:
    """Several classifiers' decision boundaries side by side, one panel per title.

    ``predicts`` maps a panel title (e.g. "after 25 steps") to a ``predict`` function as
    ``plot_decision_boundary`` takes it; every panel shows the same ``points``, so the
    panels read as snapshots of one model during training. Returns the figure and the
    array of axes (unused panels of the last row are hidden).
    """
    import matplotlib.pyplot as plt

    if not predicts:
        raise ValueError("plot_decision_boundaries needs at least one predict function")
    columns = max(1, min(columns, len(predicts)))
    rows = -(-len(predicts) // columns)  # ceil
    width = 3.2 * columns
    with style.plot_style():
        figure, axes = plt.subplots(rows, columns, figsize=(width, 3.0 * rows), squeeze=False)
    for ax, (title, predict) in zip(axes.flat, predicts.items()):
        plot_decision_boundary(predict, points, labels, ax=ax, threshold=threshold,
                               resolution=resolution)
        with style.plot_style():
            ax.set_title(title)
    for ax in list(axes.flat)[len(predicts):]:
        ax.set_visible(False)
    return figure, axes


# ------------------------------------------------------------ the benchmark (chapter 10)


def format_seconds(seconds: float) -> str:
    """A duration in the unit that keeps it readable: 0.0000975 → "97.5 µs", 2.07 → "2.07 s"."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _log_floor(values: Sequence[float]) -> float:
    """The power of ten below the smallest value: where bars on a log scale start."""
    return 10.0 ** np.floor(np.log10(min(values)))


def plot_benchmark(
    times: Mapping[str, Mapping[str, float | str]],
    engines: Sequence[str] | None = None,
    ax: Any = None,
    ylabel: str = "time (log scale)",
) -> tuple[Any, Any]:
    """Grouped bars on a log scale: one group per workload, one bar per engine.

    ``times[workload][engine]`` is a time in seconds, or a short text saying why there is
    none ("RecursionError", "not installed"), written where the bar would stand. Every bar
    carries its time, so ratios can be read off; equal heights on a log scale mean equal
    ratios, whatever the workload's size. ``engines`` fixes the order (and so the colour)
    of the engines; by default, the order in which they first appear.
    """
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, LogLocator

    names = list(engines) if engines is not None else list(dict.fromkeys(
        engine for row in times.values() for engine in row))
    measured = [float(value) for row in times.values() for value in row.values()
                if not isinstance(value, str)]
    if not names or not measured:
        raise ValueError("plot_benchmark needs at least one engine with a time in seconds")
    if min(measured) <= 0:
        raise ValueError(f"times must be positive seconds to be drawn on a log scale, got {min(measured)}")
    floor, top = _log_floor(measured), max(measured)
    workloads_ = list(times)
    width = 0.8 / len(names)
    colours = [style.LINE_COLOURS[index % len(style.LINE_COLOURS)] for index in range(len(names))]
    with style.plot_style():
        figure, ax = _new_axes(ax, figsize=(max(style.FIGURE_SIZE[0], 1.9 * len(workloads_) + 1.0), 4.8))
        for index, (engine, colour) in enumerate(zip(names, colours)):
            offset = (index - (len(names) - 1) / 2) * width
            for position, workload in enumerate(workloads_):
                value = times[workload].get(engine, "not run")
                x = position + offset
                if isinstance(value, str):  # no time: say why, in the engine's colour
                    ax.text(x, floor * 1.15, value, rotation=90, ha="center", va="bottom",
                            fontsize=8, color=colour, style="italic", gid=f"status-{engine}-{position}")
                    continue
                # On a log scale a bar cannot start at 0: all start at the same power of ten.
                ax.bar(x, float(value) - floor, bottom=floor, width=width * 0.92, color=colour,
                       alpha=0.85, gid=f"bar-{engine}-{position}")
                ax.text(x, float(value) * 1.12, format_seconds(float(value)), rotation=90,
                        ha="center", va="bottom", fontsize=7.5)
        ax.set_yscale("log")
        ax.set_ylim(floor, top * 10 ** 1.6)  # room for the time above the highest bar, and the legend
        ax.yaxis.set_major_locator(LogLocator(base=10))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: format_seconds(value)))
        ax.set_xticks(np.arange(len(workloads_)))
        ax.set_xticklabels(workloads_, fontsize=9)
        ax.set_xlim(-0.5, len(workloads_) - 0.5)
        ax.set_ylabel(ylabel)
        ax.grid(axis="x", visible=False)
        # One legend entry per engine, also for an engine that has no time anywhere.
        ax.legend(handles=[Patch(color=colour, alpha=0.85, label=engine) for engine, colour in zip(names, colours)],
                  loc="upper center", ncol=len(names), fontsize=9)
    return figure, ax


def plot_cost_by_size(
    sizes: Sequence[int],
    seconds: Mapping[str, Sequence[float]],
    ax: Any = None,
    xlabel: str = "elements per tensor",
    ylabel: str = "time per call",
) -> tuple[Any, Any]:
    """Time against problem size on log-log axes, one line per engine.

    A flat stretch is a fixed cost per call (it does not depend on the size); a stretch of
    slope 1 is a cost per element (ten times the elements, ten times the time). Where an
    engine's line turns from one to the other, the two costs are equal.
    """
    from matplotlib.ticker import FuncFormatter

    sizes_ = _as_numpy(sizes)
    if sizes_.ndim != 1 or sizes_.size < 2 or sizes_.min() <= 0:
        raise ValueError(f"plot_cost_by_size needs at least two positive sizes, got {list(sizes)}")
    with style.plot_style():
        figure, ax = _new_axes(ax)
        for index, (engine, values) in enumerate(seconds.items()):
            values_ = _as_numpy(values)
            if values_.shape != sizes_.shape:
                raise ValueError(f"engine {engine!r} has {values_.size} times for {sizes_.size} sizes")
            ax.plot(sizes_, values_, marker="o", markersize=5, label=engine,
                    color=style.LINE_COLOURS[index % len(style.LINE_COLOURS)])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: format_seconds(value)))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend(loc="upper left")
    return figure, ax
