"""The course's one visual language, defined once.

Every graph (Graphviz) and every plot (matplotlib) in the course takes its colours, fonts
and sizes from here, so a leaf tensor is the same green in chapter 02's graph, in chapter
05's bar chart and in chapter 07's decision boundary. Change a colour here and every
picture follows.
"""

from __future__ import annotations

import base64
import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass

# --------------------------------------------------------------------------------------
# Colours. Each kind of graph node has a fill (light) and a border/ink (dark) colour;
# the dark one is also what plots use for lines and markers of the same kind.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeColour:
    """A fill colour for a node's background and an ink colour for its border and text."""

    fill: str
    ink: str


# Leaves that require grad: the tensors `backward()` fills `.grad` for (parameters, inputs).
LEAF = NodeColour(fill="#d9f0d3", ink="#1b7837")
# Non-leaf tensors: results of operations, they carry a `grad_fn`.
NON_LEAF = NodeColour(fill="#d1e5f0", ink="#2166ac")
# Tensors that need no grad (constants, data): PyTorch's graph does not even record them.
CONSTANT = NodeColour(fill="#f0f0f0", ink="#878787")
# `grad_fn` nodes (`MulBackward0`, `AccumulateGrad`, ...) and the op nodes of a Value graph:
# the backward graph itself.
GRAD_FN = NodeColour(fill="#fee0b6", ink="#b35806")
# The node being processed by a backward step (the stepper widget).
CURRENT = NodeColour(fill="#fddbc7", ink="#b2182b")
# Nodes a stepped backward pass has already processed.
DONE = NodeColour(fill="#e7e1ef", ink="#762a83")

# Gradients, wherever they are drawn: `.grad` text in graph nodes, tangent lines (a slope
# is a derivative), vector-Jacobian products, bars of `x.grad`.
GRADIENT_INK = "#b2182b"
# Secondary text (shapes, notes) in graph nodes.
MUTED_INK = "#595959"
# Errors shown inside widgets (e.g. a second backward through a freed graph).
ERROR_INK = "#b2182b"

# Diverging colour map for Jacobians and other signed matrices: negative entries and
# positive entries get different hues, zero is white, so the sparsity of a Jacobian shows.
DIVERGING_CMAP = "RdBu_r"
# Two-class colour map for decision boundaries, between the non-leaf blue and the
# grad_fn orange so that classes are told apart by people with red-green colour blindness.
CLASS_COLOURS = ("#2166ac", "#b35806")

# A colour cycle for plots with several lines (loss curves, error curves).
LINE_COLOURS = ("#2166ac", "#b2182b", "#1b7837", "#b35806", "#762a83", "#4d4d4d")

# --------------------------------------------------------------------------------------
# Fonts and sizes.
# --------------------------------------------------------------------------------------

# Graphviz hands this list to fontconfig (for PNG) and writes it into SVG font-family, so
# the first installed font wins in both cases.
FONT_FAMILY = "Helvetica,Arial,DejaVu Sans,sans-serif"
GRAPH_FONT_SIZE = 11
GRAPH_SMALL_FONT_SIZE = 9

# Figure sizes in inches: a single plot, a wide plot (two panels side by side) and the
# small charts that sit inside widgets.
FIGURE_SIZE = (6.0, 4.0)
WIDE_FIGURE_SIZE = (10.0, 4.0)
SMALL_FIGURE_SIZE = (4.0, 2.6)

# Tensors with at most this many elements show their values (and `.grad`) in graph nodes;
# bigger ones show only their shape, so the picture stays readable.
MAX_ELEMENTS_SHOWN = 6

# matplotlib settings applied by every plot helper (through `plot_style()`), never to the
# user's global state unless they call `use_style()`.
MATPLOTLIB_RC: dict[str, object] = {
    "figure.figsize": FIGURE_SIZE,
    "figure.dpi": 100,
    # Labels never cut off at the figure's edge, whatever the notebook's savefig settings.
    "figure.constrained_layout.use": True,
    "savefig.dpi": 100,
    "font.family": "sans-serif",
    "font.sans-serif": ["Helvetica", "Arial", "DejaVu Sans"],
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": None,  # filled in below (needs matplotlib's cycler)
    "legend.frameon": False,
    "lines.linewidth": 2.0,
    # Fixed ids and no date in SVG output, so a notebook re-run produces identical bytes.
    "svg.hashsalt": "minigrad",
    "svg.fonttype": "path",
}


def _rc_params() -> dict[str, object]:
    from cycler import cycler  # installed with matplotlib

    params = dict(MATPLOTLIB_RC)
    params["axes.prop_cycle"] = cycler(color=list(LINE_COLOURS))
    return params


@contextlib.contextmanager
def plot_style() -> Iterator[None]:
    """Apply the course's matplotlib style inside a ``with`` block only."""
    import matplotlib.pyplot as plt

    with plt.rc_context(_rc_params()):
        yield


def use_style() -> None:
    """Apply the course's matplotlib style globally (for a notebook's own plots)."""
    import matplotlib.pyplot as plt

    plt.rcParams.update(_rc_params())


# --------------------------------------------------------------------------------------
# Turning pictures into text, for widgets and for static fallbacks of widgets.
# --------------------------------------------------------------------------------------


def figure_to_svg(figure: object, close: bool = True) -> str:
    """Render a matplotlib Figure to an SVG string (deterministic: no date, fixed ids)."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    with plt.rc_context({"svg.hashsalt": "minigrad"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    if close:
        plt.close(figure)
    return buffer.getvalue()


def svg_to_img_tag(svg: str, max_width: str = "100%") -> str:
    """An ``<img>`` tag with the SVG inlined as a data URI.

    A data URI rather than inline ``<svg>``: several pictures on one page cannot clash on
    element ids, and notebook front ends that sanitise HTML keep ``<img>`` tags.
    """
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f'<img src="data:image/svg+xml;base64,{encoded}" '
        f'style="max-width:{max_width}; height:auto;"/>'
    )
