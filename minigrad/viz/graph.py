"""``draw_graph``: a picture of the graph autograd recorded, as a ``graphviz.Digraph``.

Two kinds of roots are drawn:

* a ``Tensor`` (minigrad's, and PyTorch's too, since only the public graph interface is
  used): the picture is PyTorch's backward graph. It starts at ``root.grad_fn`` and follows
  ``next_functions`` to the ``AccumulateGrad`` node of every leaf. Tensors themselves are
  not nodes of that graph, so the picture adds a box for the root, for each leaf (found as
  ``AccumulateGrad.variable``) and for the intermediate tensors the caller names in
  ``labels`` (found through their ``grad_fn``). Tensors that need no grad (constants, data)
  are not recorded by PyTorch at all (``next_functions`` holds ``(None, 0)`` for them), so
  they are drawn only when ``labels`` names them, as small grey boxes.
* a ``minigrad.scalar.Value``: a micrograd-style picture where an operation node (``*``,
  ``tanh``, ...) sits between a Value and its operands, every Value showing data and grad.

Arrows follow the forward computation (operand -> operation -> result), so a picture reads
like the formula; gradients travel against the arrows.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import graphviz
import numpy as np

from minigrad.viz import style

__all__ = ["draw_graph"]


# --------------------------------------------------------------------------------------
# Text of node labels. Graphviz "HTML-like" labels allow bold names and coloured lines;
# every piece of user text goes through html.escape.
# --------------------------------------------------------------------------------------


def format_number(value: float, floating: bool = True) -> str:
    """One number as a learner reads it: 4 significant digits, ``2.`` for a whole float
    (as PyTorch prints it), scientific notation only for very small or large values."""
    value = float(value)
    if not floating:
        return str(int(value))
    if np.isnan(value) or np.isinf(value):
        return str(value)
    text = f"{value:.4g}"
    if value == int(value) and "e" not in text and "." not in text:
        text += "."
    return "0." if text == "-0." else text


def format_array(values: Any) -> str:
    """A small array in PyTorch's bracket style: ``[1., 2.5]``, ``[[1., 0.],\\n [0., 1.]]``."""
    array = np.asarray(values)
    floating = array.dtype.kind in "fc"
    if array.ndim == 0:
        return format_number(array.item(), floating)

    def nested(part: np.ndarray, depth: int) -> str:
        if part.ndim == 1:
            return "[" + ", ".join(format_number(v, floating) for v in part.tolist()) + "]"
        separator = ",\n" + " " * (depth + 1)
        return "[" + separator.join(nested(row, depth + 1) for row in part) + "]"

    return nested(array, 0)


def format_shape(shape: Iterable[int]) -> str:
    """``(2, 3)``, ``(3,)`` or ``()`` written as Python writes a tuple."""
    return str(tuple(int(size) for size in shape))


def _html_lines(text: str) -> str:
    """Escape user text for an HTML-like label and keep its line breaks."""
    return '<BR ALIGN="LEFT"/>'.join(html.escape(line) for line in text.split("\n"))


def _font(text: str, colour: str | None = None, size: int | None = None,
          bold: bool = False) -> str:
    """Wrap already-escaped label text in a FONT (and B) tag."""
    attributes = ""
    if colour:
        attributes += f' COLOR="{colour}"'
    if size:
        attributes += f' POINT-SIZE="{size}"'
    if bold:
        text = f"<B>{text}</B>"
    return f"<FONT{attributes}>{text}</FONT>" if attributes else text


def _label(lines: list[str]) -> str:
    """Join label lines (each already escaped/formatted) into one HTML-like label."""
    return "<" + "<BR/>".join(lines) + ">"


def _numpy(tensor: Any) -> np.ndarray:
    """The values of a minigrad or PyTorch tensor as a NumPy array (never a copy of grad
    history: ``detach`` first, so tensors that require grad are allowed)."""
    if hasattr(tensor, "detach"):
        tensor = tensor.detach()
    if hasattr(tensor, "numpy"):
        return np.asarray(tensor.numpy())
    return np.asarray(tensor)


def _readable_grad(tensor: Any) -> Any:
    """``tensor.grad`` where it exists, without the warning PyTorch (and minigrad) give
    when reading ``.grad`` of a non-leaf that does not retain it."""
    if getattr(tensor, "is_leaf", True) or getattr(tensor, "retains_grad", False):
        return tensor.grad
    return None


# --------------------------------------------------------------------------------------
# What a widget may add to a picture: the node being processed, the nodes already
# processed, gradients travelling along edges. ``draw_graph`` itself never uses it.
# --------------------------------------------------------------------------------------


@dataclass
class StepView:
    """Emphasis for one step of a backward pass, keyed by ``id()`` of graph objects."""

    current: Any = None
    done: set[int] = field(default_factory=set)
    # id(node) -> extra label lines (already formatted text), e.g. the incoming gradient.
    node_notes: dict[int, list[str]] = field(default_factory=dict)
    # (id(consumer node), input index) -> gradient text written on that edge.
    edge_notes: dict[tuple[int, int], str] = field(default_factory=dict)
    # id(tensor or Value) -> gradient to show instead of its ``.grad`` (``None``: none yet).
    grads: dict[int, Any] = field(default_factory=dict)
    grad_caption: str = "grad"


# --------------------------------------------------------------------------------------
# The graph skeleton shared by both kinds of roots.
# --------------------------------------------------------------------------------------


class _Picture:
    """A Digraph plus deterministic node ids (n0, n1, ... in discovery order) and a record
    of which node kinds appear, for the legend."""

    def __init__(self, rankdir: str) -> None:
        if rankdir not in ("LR", "RL", "TB", "BT"):
            raise ValueError(f'rankdir must be one of "LR", "RL", "TB", "BT", got {rankdir!r}')
        self.digraph = graphviz.Digraph(
            graph_attr={
                "rankdir": rankdir,
                "fontname": style.FONT_FAMILY,
                "fontsize": str(style.GRAPH_FONT_SIZE),
                "nodesep": "0.25",
                "ranksep": "0.35",
                "bgcolor": "transparent",
            },
            node_attr={"fontname": style.FONT_FAMILY, "fontsize": str(style.GRAPH_FONT_SIZE)},
            edge_attr={
                "fontname": style.FONT_FAMILY,
                "fontsize": str(style.GRAPH_SMALL_FONT_SIZE),
                "color": "#4d4d4d",
                "arrowsize": "0.7",
            },
        )
        self._ids: dict[int, str] = {}
        self._drawn: set[int] = set()
        self.kinds: set[str] = set()

    def has_node(self, obj: Any) -> bool:
        """Whether ``obj`` is drawn (has a node) already."""
        return id(obj) in self._drawn

    def node_id(self, obj: Any) -> str:
        key = id(obj)
        if key not in self._ids:
            self._ids[key] = f"n{len(self._ids)}"
        return self._ids[key]

    def add_node(self, obj: Any, kind: str, label: str, *, emphasis: str = "",
                 freed: bool = False) -> str:
        """Draw ``obj`` as a node of ``kind`` ("leaf", "non_leaf", "constant", "grad_fn").

        ``emphasis`` is "current" or "done" for a stepper; ``freed`` draws a dashed border
        (the node's saved tensors were released by a backward without retain_graph).
        """
        self.kinds.add(kind)
        if freed:
            self.kinds.add("freed")
        colour = _KIND_COLOURS[kind]
        fill, ink, penwidth = colour.fill, colour.ink, "1.2"
        if emphasis == "current":
            self.kinds.add("current")
            fill, ink, penwidth = style.CURRENT.fill, style.CURRENT.ink, "3"
        elif emphasis == "done":
            self.kinds.add("done")
            fill = style.DONE.fill
        styles = ["filled"]
        if kind != "grad_fn":
            styles.append("rounded")
        if freed:
            styles.append("dashed")
        node = self.node_id(obj)
        self._drawn.add(id(obj))
        self.digraph.node(
            node,
            label=label,
            shape=_KIND_SHAPES[kind],
            style=",".join(styles),
            fillcolor=fill,
            color=ink,
            penwidth=penwidth,
            margin="0.08,0.04" if kind == "constant" else "0.12,0.06",
        )
        return node

    def add_edge(self, source: str, target: str, note: str = "", **attributes: str) -> None:
        """An edge of the forward graph, from ``source`` to ``target``. A ``note`` is the
        gradient a backward step sent along it: the edge then points the way that gradient
        flows, from ``target`` back to ``source`` (``dir=back``), and carries it as its label."""
        if note:
            attributes["label"] = _label([_font(_html_lines(note), style.GRADIENT_INK,
                                                bold=True)])
            attributes["color"] = style.GRADIENT_INK
            attributes["penwidth"] = "2"
            attributes["dir"] = "back"
        self.digraph.edge(source, target, **attributes)

    def add_legend(self, entries: list[tuple[str, str]]) -> None:
        """A one-row legend under the picture, one sample cell per kind that appears.

        It is the graph's own label rather than a cluster of nodes, so it never changes
        the layout of the graph above it.
        """
        size = style.GRAPH_SMALL_FONT_SIZE
        cells = [f'<TD BORDER="0">{_font("legend", style.MUTED_INK, size)}</TD>']
        for kind, text in entries:
            fill, ink, cell_style, border = _legend_cell(kind)
            cells.append(
                f'<TD BGCOLOR="{fill}" COLOR="{ink}" STYLE="{cell_style}" BORDER="{border}">'
                f"{_font(html.escape(text), size=size)}</TD>"
            )
        table = ('<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="4" CELLPADDING="3"><TR>'
                 + "".join(cells) + "</TR></TABLE>")
        self.digraph.attr(label=f"<{table}>", labelloc="b", labeljust="l")


_KIND_COLOURS = {
    "leaf": style.LEAF,
    "non_leaf": style.NON_LEAF,
    "constant": style.CONSTANT,
    "grad_fn": style.GRAD_FN,
}
_KIND_SHAPES = {"leaf": "box", "non_leaf": "box", "constant": "box", "grad_fn": "ellipse"}


def _legend_cell(kind: str) -> tuple[str, str, str, int]:
    """(fill, ink, cell style, border width) of a legend sample: rounded like tensor boxes,
    square for grad_fn nodes (a table cell cannot be an ellipse), dashed for freed nodes."""
    if kind in _KIND_COLOURS:
        colour = _KIND_COLOURS[kind]
        return colour.fill, colour.ink, "solid" if kind == "grad_fn" else "rounded", 1
    if kind == "freed":
        return style.GRAD_FN.fill, style.GRAD_FN.ink, "dashed", 1
    if kind == "saved":
        return "#ffffff", style.MUTED_INK, "dashed", 1
    if kind == "current":
        return style.CURRENT.fill, style.CURRENT.ink, "rounded", 3
    if kind == "done":
        return style.DONE.fill, style.DONE.ink, "rounded", 1
    raise ValueError(f"unknown legend entry {kind!r}")


# --------------------------------------------------------------------------------------
# Public entry point.
# --------------------------------------------------------------------------------------


def draw_graph(
    root: Any,
    show_data: bool = True,
    show_grad: bool = True,
    rankdir: str = "LR",
    labels: Mapping[Any, str] | None = None,
    legend: bool = True,
) -> graphviz.Digraph:
    """Draw the graph that autograd recorded for ``root`` (a Tensor or a scalar Value).

    - leaves that require grad (green boxes), non-leaf tensors (blue boxes), tensors that
      need no grad and ``grad_fn`` nodes (orange ellipses, with PyTorch's names,
      ``AccumulateGrad`` for each leaf). A tensor that needs no grad has no edge in the
      graph (its ``next_functions`` slot is ``(None, 0)``); it is drawn as a small grey box
      when a node saved it for its backward (``x * w`` saves ``x``), or when it is named
      in ``labels``;
    - a dashed line joins each node to every tensor it saved for its backward (to the
      producing node, for a saved intermediate result); a node that saved its own result or
      a Python number says so in its box;
    - each tensor shows its shape and, with at most 6 elements, its values
      (``show_data``) and its ``.grad`` once a backward filled it (``show_grad``);
    - names come from ``labels={tensor: "a"}`` or from a ``name``/``label`` attribute
      (``a.name = "a"``; a Value's ``label``);
    - a ``grad_fn`` whose saved tensors a backward freed (no ``retain_graph``) gets a
      dashed border and the note "saved tensors freed": a second backward through it fails.

    ``rankdir`` is Graphviz's direction ("LR" left to right, "TB" top to bottom). The
    result displays as SVG in Jupyter; ``.pipe(format="svg")`` or ``.render(...)`` save it.
    """
    return _draw(root, show_data=show_data, show_grad=show_grad, rankdir=rankdir,
                 labels=labels, legend=legend)


def _draw(root: Any, *, show_data: bool = True, show_grad: bool = True, rankdir: str = "LR",
          labels: Mapping[Any, str] | None = None, legend: bool = True,
          view: StepView | None = None) -> graphviz.Digraph:
    """draw_graph plus the stepper's emphasis (``view``)."""
    if _is_value(root):
        return _draw_value_graph(root, show_data, show_grad, rankdir, labels, legend, view)
    if hasattr(root, "grad_fn") and hasattr(root, "shape"):
        return _draw_tensor_graph(root, show_data, show_grad, rankdir, labels, legend, view)
    raise TypeError(
        "draw_graph expects a Tensor or a minigrad.scalar.Value (or an object with data, grad, "
        "_prev and _op) as its root, "
        f"got {type(root).__name__}"
    )


def _is_value(obj: Any) -> bool:
    """A scalar-engine value: ``minigrad.scalar.Value`` or any object with its interface
    (``data``, ``grad``, ``_prev``, ``_op``), such as the class chapter 02 builds in cells."""
    from minigrad.scalar import Value

    if isinstance(obj, Value):
        return True
    # Tensors are ruled out first (reading a non-leaf tensor's .grad would warn).
    return not hasattr(obj, "grad_fn") and all(hasattr(obj, name) for name in ("data", "grad", "_prev", "_op"))


# --------------------------------------------------------------------------------------
# Tensor graphs.
# --------------------------------------------------------------------------------------


def _pairs(labels: Mapping[Any, str] | None) -> list[tuple[Any, str]]:
    """labels as (tensor, name) pairs; tensors are matched by identity, never by value."""
    return list(labels.items()) if labels else []


def tensor_name(tensor: Any, labels: Mapping[Any, str] | None = None) -> str:
    """The name a picture gives ``tensor``: from ``labels``, else its ``name``/``label``."""
    for candidate, name in _pairs(labels):
        if candidate is tensor:
            return str(name)
    for attribute in ("name", "label"):
        name = getattr(tensor, attribute, None)
        if isinstance(name, str) and name:
            return name
    return ""


def walk_grad_fns(root_fn: Any) -> tuple[list[Any], list[tuple[Any, int, Any, int]]]:
    """Every node reachable from ``root_fn`` through ``next_functions``, iteratively.

    Returns the nodes in discovery order (``root_fn`` first) and the edges as
    ``(producer node, output_nr, consumer node, input index)``; ``(None, 0)`` entries, the
    inputs that need no gradient, give no edge.
    """
    if root_fn is None:
        return [], []
    nodes = [root_fn]
    seen = {id(root_fn)}
    edges: list[tuple[Any, int, Any, int]] = []
    stack = [root_fn]
    while stack:
        node = stack.pop()
        for index, (producer, output_nr) in enumerate(node.next_functions):
            if producer is None:
                continue
            edges.append((producer, output_nr, node, index))
            if id(producer) not in seen:
                seen.add(id(producer))
                nodes.append(producer)
                stack.append(producer)
    return nodes, edges


def node_name(node: Any) -> str:
    """PyTorch's name of a grad_fn node: ``MulBackward0``, ``AccumulateGrad``, ...

    (PyTorch's own ``AccumulateGrad.name()`` carries a C++ namespace, dropped here.)
    """
    name = node.name() if hasattr(node, "name") else type(node).__name__
    return name.rsplit("::", 1)[-1]


def is_freed(node: Any) -> bool:
    """True when a backward without retain_graph released the saved tensors of ``node``."""
    return bool(getattr(node, "has_saved_tensors", False)
                and getattr(node, "saved_tensors_released", False))


def _tensor_lines(tensor: Any, name: str, show_data: bool, show_grad: bool,
                  grad_override: tuple[bool, Any] = (False, None),
                  grad_caption: str = "grad") -> list[str]:
    lines = []
    if name:
        lines.append(_font(html.escape(name), bold=True))
    shape = tuple(tensor.shape)
    small = int(np.prod(shape, dtype=int)) <= style.MAX_ELEMENTS_SHOWN
    lines.append(_font(f"shape {format_shape(shape)}", style.MUTED_INK,
                       style.GRAPH_SMALL_FONT_SIZE))
    if show_data and small:
        lines.append(_html_lines("data " + format_array(_numpy(tensor))))
    if show_grad:
        overridden, grad = grad_override
        if not overridden:
            grad = _readable_grad(tensor)
        if grad is not None:
            text = f"{grad_caption} " + (format_array(_numpy(grad)) if small else
                                         f"set, shape {format_shape(grad.shape)}")
            lines.append(_font(_html_lines(text), style.GRADIENT_INK))
    return lines


def _draw_tensor_graph(root: Any, show_data: bool, show_grad: bool, rankdir: str,
                       labels: Mapping[Any, str] | None, legend: bool,
                       view: StepView | None) -> graphviz.Digraph:
    view = view or StepView()
    picture = _Picture(rankdir)
    nodes, edges = walk_grad_fns(root.grad_fn)
    in_graph = {id(node) for node in nodes}

    def grad_override(tensor: Any) -> tuple[bool, Any]:
        if id(tensor) in view.grads:
            return True, view.grads[id(tensor)]
        return False, None

    def emphasis(obj: Any) -> str:
        if view.current is not None and obj is view.current:
            return "current"
        return "done" if id(obj) in view.done else ""

    # Tensors that get a box of their own, attached to the output of the grad_fn that
    # produced them: the root, and the non-leaf tensors named in labels.
    outputs: dict[tuple[int, int], Any] = {}  # (id(grad_fn), output_nr) -> tensor
    named = [root] + [tensor for tensor, _ in _pairs(labels)]
    for tensor in named:
        grad_fn = getattr(tensor, "grad_fn", None)
        if grad_fn is not None and id(grad_fn) in in_graph:
            outputs.setdefault((id(grad_fn), getattr(tensor, "output_nr", 0)), tensor)
    # The shape each grad_fn's output had, where known: from a tensor we were given, or
    # from what minigrad's nodes record about their outputs (PyTorch's do not say).
    # (An AccumulateGrad node, which has the leaf as its ``variable``, produces nothing.)
    produced_shapes = {}
    for node in nodes:
        if (
            getattr(node, "num_outputs", None) == 1
            and getattr(node, "_output_dtype", None) is not None
            and not hasattr(node, "variable")
        ):
            produced_shapes[id(node)] = tuple(node._output_shape)
    produced_shapes.update({key[0]: tuple(tensor.shape) for key, tensor in outputs.items()
                            if key[1] == 0})

    for node in nodes:
        lines = [_font(html.escape(node_name(node)), bold=True)]
        if id(node) in produced_shapes:
            lines.append(_font(f"output {format_shape(produced_shapes[id(node)])}",
                               style.MUTED_INK, style.GRAPH_SMALL_FONT_SIZE))
        freed = is_freed(node)
        if freed:
            lines.append(_font("saved tensors freed", style.ERROR_INK,
                               style.GRAPH_SMALL_FONT_SIZE))
        kept = [_saved_note(kind, value) for kind, value, _ in saved_values(node) if kind != "tensor"]
        if kept:
            lines.append(_font("saves " + ", ".join(kept), style.MUTED_INK,
                               style.GRAPH_SMALL_FONT_SIZE))
        for note in view.node_notes.get(id(node), []):
            lines.append(_font(_html_lines(note), style.GRADIENT_INK,
                               style.GRAPH_SMALL_FONT_SIZE))
        picture.add_node(node, "grad_fn", _label(lines), emphasis=emphasis(node), freed=freed)

        # A leaf hangs on its AccumulateGrad node: that node is where its .grad is written.
        leaf = getattr(node, "variable", None)
        if leaf is not None:
            kind = "leaf" if getattr(leaf, "requires_grad", True) else "constant"
            lines = _tensor_lines(leaf, tensor_name(leaf, labels), show_data, show_grad,
                                  grad_override(leaf), view.grad_caption)
            leaf_node = picture.add_node(leaf, kind, _label(lines), emphasis=emphasis(leaf))
            picture.add_edge(leaf_node, picture.node_id(node), arrowhead="none",
                             style="dotted")

    for (fn_id, _output_nr), tensor in outputs.items():
        is_root = tensor is root
        lines = _tensor_lines(tensor, tensor_name(tensor, labels), show_data, show_grad,
                              grad_override(tensor), view.grad_caption)
        tensor_node = picture.add_node(tensor, "non_leaf", _label(lines),
                                       emphasis=emphasis(tensor))
        producer = next(node for node in nodes if id(node) == fn_id)
        picture.add_edge(picture.node_id(producer), tensor_node,
                         penwidth="1.2" if is_root else "1")

    for producer, output_nr, consumer, index in edges:
        # Route the edge through the tensor box when the produced tensor is drawn.
        tensor = outputs.get((id(producer), output_nr))
        source = picture.node_id(tensor if tensor is not None else producer)
        note = view.edge_notes.get((id(consumer), index), "")
        attributes = {}
        if tensor is None and output_nr:
            attributes["taillabel"] = f"output {output_nr}"
        picture.add_edge(source, picture.node_id(consumer), note, **attributes)

    _add_root_and_constants(picture, root, labels, nodes, outputs, show_data, show_grad,
                            view)
    _add_saved_links(picture, nodes, labels, show_data)

    if legend:
        picture.add_legend(_tensor_legend_entries(picture.kinds))
    return picture.digraph


def saved_values(node: Any) -> list[tuple[str, Any, Any]]:
    """What ``node`` keeps for its backward, as ``(kind, value, version)``: kind "tensor" (a
    tensor it saved, with the version it had then), "result" (its own output) or "number" (a
    Python number of the operation, kept as its array). Nothing once a backward freed them,
    nor for PyTorch's nodes."""
    saved = getattr(node, "_saved", None)
    if not saved:
        return []
    from minigrad.autograd.graph import SavedOutput  # (minigrad's own nodes only)

    kept = []
    for value, version in zip(saved, getattr(node, "_saved_versions", None) or [None] * len(saved)):
        if value is None:
            continue
        if isinstance(value, np.ndarray):
            kept.append(("number", value, version))
        elif isinstance(value, SavedOutput):
            kept.append(("result", value, version))
        else:
            kept.append(("tensor", value, version))
    return kept


def _saved_note(kind: str, value: Any) -> str:
    if kind == "result":
        return "its result"
    return f"the number {float(value):g}"


def _add_saved_links(picture: _Picture, nodes: list[Any], labels: Mapping[Any, str] | None,
                     show_data: bool) -> None:
    """A dashed line from each node to every tensor it saved for its backward.

    A tensor that needs no gradient has no edge in the graph (``next_functions`` says
    ``(None, 0)``), but the node that needs its value keeps it: ``x * w`` saves ``x`` for
    the gradient of ``w``. Such a tensor gets a box if none shows it yet; a saved non-leaf
    tensor is its producer's output, so the line goes to the producer. A saved tensor
    changed in place since (its version counter moved on) is marked on the line: the
    backward pass will refuse it.
    """
    for node in nodes:
        for kind, tensor, version in saved_values(node):
            if kind != "tensor":
                continue
            if picture.has_node(tensor):
                target = picture.node_id(tensor)
            elif getattr(tensor, "grad_fn", None) is not None and picture.has_node(tensor.grad_fn) \
                    and getattr(tensor.grad_fn, "_output_shape", None) is not None:
                target = picture.node_id(tensor.grad_fn)
            else:
                target = _add_saved_box(picture, tensor, tensor_name(tensor, labels) or "saved tensor", show_data)
            picture.kinds.add("saved")
            attributes = {"style": "dashed", "color": style.MUTED_INK, "arrowhead": "none",
                          "constraint": "false"}
            current = getattr(tensor, "_version", None)
            if version is not None and current is not None and current != version:
                attributes["color"] = style.ERROR_INK
                attributes["label"] = _label([_font(f"saved at version {version}, now {current}",
                                                    style.ERROR_INK, style.GRAPH_SMALL_FONT_SIZE)])
            picture.add_edge(picture.node_id(node), target, **attributes)


def _add_saved_box(picture: _Picture, tensor: Any, name: str, show_data: bool) -> str:
    """A box for a saved tensor that no box shows yet: grey for one that needs no gradient."""
    if not getattr(tensor, "requires_grad", False):
        return _add_constant(picture, tensor, name, show_data)
    kind = "leaf" if getattr(tensor, "grad_fn", None) is None else "non_leaf"
    return picture.add_node(tensor, kind, _label(_tensor_lines(tensor, name, show_data, show_grad=False)))


def _add_root_and_constants(picture: _Picture, root: Any, labels: Mapping[Any, str] | None,
                            nodes: list[Any], outputs: dict[tuple[int, int], Any],
                            show_data: bool, show_grad: bool, view: StepView) -> None:
    """Boxes for a root without grad_fn and for tensors in labels that need no grad."""
    drawn = {id(tensor) for tensor in outputs.values()}
    drawn |= {id(node.variable) for node in nodes if getattr(node, "variable", None) is not None}
    if root.grad_fn is None and id(root) not in drawn:
        # A leaf (or a tensor that needs no grad) is a graph of one box.
        kind = "leaf" if getattr(root, "requires_grad", False) else "constant"
        lines = _tensor_lines(root, tensor_name(root, labels), show_data, show_grad,
                              (id(root) in view.grads, view.grads.get(id(root))),
                              view.grad_caption)
        picture.add_node(root, kind, _label(lines))
        drawn.add(id(root))
    for tensor, name in _pairs(labels):
        if id(tensor) in drawn or getattr(tensor, "requires_grad", False):
            continue  # drawn already, or a tensor that requires grad but is not in the graph
        # A tensor that needs no gradient has no edge in the graph (its slot in
        # next_functions is (None, 0)): it is drawn beside the graph, named, and linked to
        # the nodes that saved it (_add_saved_links).
        _add_constant(picture, tensor, name, show_data)
        drawn.add(id(tensor))


def _add_constant(picture: _Picture, tensor: Any, name: str, show_data: bool) -> str:
    """A small grey box for a tensor that needs no gradient."""
    lines = [_font(html.escape(str(name)), bold=True),
             _font(f"shape {format_shape(tensor.shape)}", style.MUTED_INK,
                   style.GRAPH_SMALL_FONT_SIZE)]
    if show_data and int(np.prod(tensor.shape, dtype=int)) <= style.MAX_ELEMENTS_SHOWN:
        lines.append(_html_lines("data " + format_array(_numpy(tensor))))
    lines.append(_font("no grad needed", style.MUTED_INK, style.GRAPH_SMALL_FONT_SIZE))
    return picture.add_node(tensor, "constant", _label(lines))


def _tensor_legend_entries(kinds: set[str]) -> list[tuple[str, str]]:
    entries = [
        ("leaf", "leaf tensor (requires_grad)"),
        ("non_leaf", "non-leaf tensor (has grad_fn)"),
        ("constant", "constant (no grad needed)"),
        ("grad_fn", "grad_fn node (backward)"),
        ("saved", "- - saved for backward"),
        ("freed", "saved tensors freed"),
        ("current", "node being processed"),
        ("done", "already processed"),
    ]
    return [(kind, text) for kind, text in entries if kind in kinds]


# --------------------------------------------------------------------------------------
# Value graphs (the scalar engine of chapter 02).
# --------------------------------------------------------------------------------------


class _OpNode:
    """Stands for the operation that produced a Value: its own node in the picture."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _draw_value_graph(root: Any, show_data: bool, show_grad: bool, rankdir: str,
                      labels: Mapping[Any, str] | None, legend: bool,
                      view: StepView | None) -> graphviz.Digraph:
    from minigrad.scalar import topological_order

    view = view or StepView()
    picture = _Picture(rankdir)
    order = topological_order(root)  # iterative, leaves first
    op_nodes: dict[int, _OpNode] = {}
    for value in order:
        emphasis = ""
        if view.current is not None and value is view.current:
            emphasis = "current"
        elif id(value) in view.done:
            emphasis = "done"
        name = tensor_name(value, labels)
        lines = [_font(html.escape(name), bold=True)] if name else []
        if show_data:
            lines.append(f"data {format_number(value.data)}")
        constant = not value._prev and getattr(value, "constant", False)
        if show_grad and not constant:
            grad = view.grads.get(id(value), value.grad)
            if grad is not None:
                lines.append(_font(f"{view.grad_caption} {format_number(grad)}",
                                   style.GRADIENT_INK))
        for note in view.node_notes.get(id(value), []):
            lines.append(_font(_html_lines(note), style.GRADIENT_INK,
                               style.GRAPH_SMALL_FONT_SIZE))
        if not lines:
            lines.append("Value")
        kind = "non_leaf" if value._prev else "constant" if constant else "leaf"
        value_node = picture.add_node(value, kind, _label(lines), emphasis=emphasis)
        if value._prev:
            op = op_nodes[id(value)] = _OpNode(value)
            op_node = picture.add_node(op, "grad_fn",
                                       _label([_font(html.escape(value._op), bold=True)]),
                                       emphasis=emphasis)
            picture.add_edge(op_node, value_node)
    for value in order:
        for index, operand in enumerate(value._prev):
            note = view.edge_notes.get((id(value), index), "")
            picture.add_edge(picture.node_id(operand), picture.node_id(op_nodes[id(value)]),
                             note)
    if legend:
        entries = [("leaf", "leaf Value"), ("non_leaf", "Value computed by an operation"),
                   ("constant", "constant (a number of the formula)"),
                   ("grad_fn", "operation"), ("current", "node being processed"),
                   ("done", "already processed")]
        picture.add_legend([(kind, text) for kind, text in entries if kind in picture.kinds])
    return picture.digraph
