"""Interactive widgets (ipywidgets) that show autograd at work.

- ``backward_stepper(root)`` walks a backward pass node by node, in the engine's real order;
- ``jacobian_explorer(f, x)`` puts a Jacobian beside a vector ``v`` the learner edits and
  shows ``vᵀJ`` as a weighted sum of the Jacobian's rows, next to ``y.backward(v)``;
- ``accumulation_demo(f, x)`` has ``backward`` / ``zero_grad`` buttons and shows ``x.grad``
  growing, and the error of a second backward through a freed graph.

Every widget keeps what it shows in HTML widgets (``status``, ``grad_label``, ...) as well
as in pictures, so a test can click a button and read the text.

Displayed in a notebook, a widget's output holds two representations: the widget view
(``application/vnd.jupyter.widget-view+json``) and a static picture of its first state
(``text/html``). Which one shows:

- JupyterLab / Notebook 7 with a live kernel: the widget (its renderer outranks HTML);
- nbconvert's HTML export, nbviewer and sites built on them: the widget only if the
  notebook saved the widget state, otherwise they skip the widget mime type and show
  the static picture;
- JupyterLab reopening a notebook without a kernel and without saved widget state shows
  "Error displaying widget: model not found" for the widget view (it never falls back);
  saving widget state (Settings > Save Widget State Automatically) avoids that.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
import numpy as np

from minigrad.viz import style
from minigrad.viz.graph import (
    StepView,
    _draw,
    _is_value,
    format_array,
    format_number,
    node_name,
    tensor_name,
    walk_grad_fns,
)

__all__ = [
    "AccumulationDemo",
    "BackwardStepper",
    "JacobianExplorer",
    "accumulation_demo",
    "backward_stepper",
    "jacobian_explorer",
]


# --------------------------------------------------------------------------------------
# Shared helpers.
# --------------------------------------------------------------------------------------


def _numpy(tensor: Any) -> np.ndarray:
    """Values of a tensor (minigrad's or PyTorch's) or a number, as a NumPy array."""
    if hasattr(tensor, "detach"):
        tensor = tensor.detach()
    if hasattr(tensor, "numpy"):
        return np.array(tensor.numpy())
    return np.array(tensor)


def _array_text(values: Any) -> str:
    """Gradient or data as text: every element when small, only the shape otherwise."""
    if values is None:
        return "None"
    array = _numpy(values)
    if array.size <= 3 * style.MAX_ELEMENTS_SHOWN:
        return format_array(array)
    return f"(shape {tuple(array.shape)})"


def _code(text: str) -> str:
    """Monospaced, escaped text that keeps the line breaks of multi-row arrays."""
    return f'<code style="white-space:pre">{html.escape(text)}</code>'


def _graph_svg(digraph: Any) -> str:
    return digraph.pipe(format="svg").decode("utf-8")


class _CourseWidget(widgets.VBox):
    """A VBox that also offers a static picture of its first state when displayed.

    Jupyter front ends with a live kernel render the widget view; exporters without
    widget state (nbconvert, nbviewer) skip that mime type and use ``text/html``.
    """

    _static_html: str = ""
    #: What the static picture shows, said under it.
    static_caption = "a static picture of the widget's first state: run the notebook to interact"

    def _freeze_first_state(self) -> None:
        """Remember the static fallback (call once, at the end of ``__init__``)."""
        self._static_html = (
            '<div class="minigrad-static-widget">'
            + self.static_html()
            + f'<div style="color:{style.MUTED_INK}; font-size:smaller">'
            f"({html.escape(self.static_caption)})"
            "</div></div>"
        )

    def static_html(self) -> str:
        """The HTML of the current state (pictures and text), for the static fallback."""
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/html"] = self._static_html
        return bundle

    def _repr_html_(self) -> str:
        # ``close()`` removes ``_repr_mimebundle_`` (there is no view left to show); IPython
        # then asks for this, so a closed widget still shows its picture.
        return self._static_html


def _button(description: str, tooltip: str = "", width: str = "auto") -> widgets.Button:
    return widgets.Button(description=description, tooltip=tooltip or description,
                          layout=widgets.Layout(width=width))


# --------------------------------------------------------------------------------------
# backward_stepper
# --------------------------------------------------------------------------------------


@dataclass
class Step:
    """One node's turn in a replayed backward pass, as the stepper shows it."""

    node: Any  # a grad_fn node (Tensor graphs) or a Value (Value graphs)
    name: str
    text: str  # HTML: what arrives and what leaves
    view: StepView
    # (leaf, gradient accumulated into it so far in this pass, or None)
    leaf_grads: list[tuple[Any, Any]] = field(default_factory=list)


class BackwardStepper(_CourseWidget):
    """Walk a backward pass one node at a time (see ``backward_stepper``)."""

    def __init__(self, root: Any, labels: Mapping[Any, str] | None = None,
                 show_data: bool = True, rankdir: str = "LR", gradient: Any = None) -> None:
        self.root = root
        self.labels = labels
        self.show_data = show_data
        self.rankdir = rankdir
        if _is_value(root):
            self.steps = _value_steps(root, labels)
        else:
            self.steps = _tensor_steps(root, labels, gradient)
        self.order = [step.name for step in self.steps]

        count = len(self.steps)
        self.previous_button = _button("◀ previous", "go back one step")
        self.next_button = _button("next ▶", "process the next node")
        self.slider = widgets.IntSlider(value=1, min=1, max=count, description="step",
                                        continuous_update=False)
        self.status = widgets.HTML()
        self.grad_label = widgets.HTML()
        self.picture = widgets.HTML()
        self.previous_button.on_click(lambda _: self._move(-1))
        self.next_button.on_click(lambda _: self._move(+1))
        self.slider.observe(lambda _: self._show(), names="value")
        super().__init__([
            widgets.HBox([self.previous_button, self.slider, self.next_button]),
            self.status,
            self.grad_label,
            self.picture,
        ])
        self._show()
        self._freeze_first_state()

    @property
    def current(self) -> Step:
        """The step shown now."""
        return self.steps[self.slider.value - 1]

    def leaf_gradients(self, step: int | None = None) -> list[tuple[Any, Any]]:
        """(leaf, gradient accumulated so far) after step ``step`` (1-based; default: the
        last step, i.e. what ``backward()`` adds to each leaf's ``.grad``)."""
        index = len(self.steps) if step is None else step
        return self.steps[index - 1].leaf_grads

    def _move(self, delta: int) -> None:
        self.slider.value = min(max(self.slider.value + delta, 1), len(self.steps))

    def _show(self) -> None:
        number, count = self.slider.value, len(self.steps)
        self.previous_button.disabled = number == 1
        self.next_button.disabled = number == count
        self.status.value = self._status_html(number)
        self.grad_label.value = self._grads_html(self.steps[number - 1])
        self.picture.value = style.svg_to_img_tag(self._svg(self.steps[number - 1]))

    def _status_html(self, number: int) -> str:
        step, count = self.steps[number - 1], len(self.steps)
        finished = " — the backward pass is complete" if number == count else ""
        return f"<b>step {number} of {count}: {html.escape(step.name)}</b>{finished}<br>" + step.text

    def _grads_html(self, step: Step) -> str:
        rows = []
        for leaf, grad in step.leaf_grads:
            name = html.escape(_leaf_name(leaf, self.labels))
            shown = "nothing yet" if grad is None else _code(_array_text(grad))
            rows.append(f"<tr><td><b>{name}</b></td><td>{shown}</td></tr>")
        return ("gradients accumulated into the leaves so far:"
                f'<table style="margin-left:1em">{"".join(rows)}</table>')

    def _svg(self, step: Step) -> str:
        return _graph_svg(_draw(self.root, show_data=self.show_data, show_grad=True,
                                rankdir=self.rankdir, labels=self.labels, view=step.view))

    static_caption = "every step of the widget, one under the other: run the notebook to step through them"

    def static_html(self) -> str:
        """Every step in turn: a page without a kernel cannot step, so it shows them all."""
        return "".join(
            f'<div style="margin-bottom:1em">{self._status_html(number)}<br>'
            f"{self._grads_html(step)}{style.svg_to_img_tag(self._svg(step))}</div>"
            for number, step in enumerate(self.steps, start=1)
        )


def backward_stepper(root: Any, labels: Mapping[Any, str] | None = None,
                     show_data: bool = True, rankdir: str = "LR",
                     gradient: Any = None) -> BackwardStepper:
    """A widget that replays ``root.backward(gradient)`` one node at a time, in the real
    order (``gradient`` is needed, as for ``backward``, when a Tensor root is not a scalar).

    At each step the graph highlights the node being processed, writes the gradient that
    flows into it (``grad_output``) on the node and the gradients it sends on the edges
    (``grad_input``), and every leaf shows the gradient accumulated so far. For a Tensor
    the steps are the engine's own (``minigrad.autograd.engine.trace_backward``); for a
    scalar ``Value`` they follow the reverse topological order that ``Value.backward``
    uses, running each node's real local rule. The user's ``.grad`` values are left as
    they were.

    Children for tests and notebooks: ``previous_button``, ``next_button``, ``slider``
    (1 .. number of steps), ``status`` (HTML), ``grad_label`` (HTML), ``picture`` (HTML).
    """
    return BackwardStepper(root, labels=labels, show_data=show_data, rankdir=rankdir,
                           gradient=gradient)




def _leaf_name(leaf: Any, labels: Mapping[Any, str] | None) -> str:
    return tensor_name(leaf, labels) or f"leaf of shape {tuple(getattr(leaf, 'shape', ()))}"


def _tensor_steps(root: Any, labels: Mapping[Any, str] | None, gradient: Any) -> list[Step]:
    """Replay a Tensor's backward pass with the engine's ``trace_backward``."""
    from minigrad.autograd.engine import trace_backward

    if getattr(root, "grad_fn", None) is None:
        raise ValueError(
            "backward_stepper needs a tensor computed from tensors that require grad "
            "(its grad_fn is None: there is no backward pass to step through)"
        )
    if gradient is None and int(np.prod(root.shape, dtype=int)) != 1:
        raise ValueError(
            "backward_stepper steps through root.backward(), which needs a scalar root or "
            f"a gradient; got shape {tuple(root.shape)} and no gradient. Pass "
            "gradient=... (the v of a vector-Jacobian product) or reduce it, e.g. y.sum()"
        )
    traced = trace_backward(root, gradient)
    nodes, _ = walk_grad_fns(root.grad_fn)
    leaves = [node.variable for node in nodes if getattr(node, "variable", None) is not None]
    # Tensors drawn as their own boxes (root, named intermediates) show the gradient that
    # reached them once their grad_fn has run.
    outputs = [root] + [t for t, _ in (labels or {}).items()
                        if getattr(t, "grad_fn", None) is not None and t is not root]

    steps: list[Step] = []
    accumulated: dict[int, Any] = {}
    done: set[int] = set()
    tensor_grads: dict[int, Any] = {id(t): None for t in outputs}
    tensor_grads.update({id(leaf): None for leaf in leaves})
    for traced_step in traced:
        node = traced_step.node
        view = StepView(current=node, done=set(done), grad_caption="grad so far")
        incoming = traced_step.grad_outputs
        for tensor in outputs:
            if tensor.grad_fn is node:
                tensor_grads[id(tensor)] = incoming[getattr(tensor, "output_nr", 0)]
        leaf = getattr(node, "variable", None)
        if leaf is not None:
            grad = incoming[0]
            if grad is not None:
                previous = accumulated.get(id(leaf))
                accumulated[id(leaf)] = _numpy(grad) if previous is None else (
                    previous + _numpy(grad))
                tensor_grads[id(leaf)] = accumulated[id(leaf)]
            name = _leaf_name(leaf, labels)
            text = (f"AccumulateGrad of <b>{html.escape(name)}</b> receives "
                    f"{_code(_array_text(grad))} and adds it into "
                    f"<code>{html.escape(name)}.grad</code>.")
        else:
            arriving = ", ".join(_array_text(g) for g in incoming)
            lines = [f"receives grad_output {_code(arriving)} (the gradient of the root "
                     "with respect to this node's output)"]
            for index, ((target, _), grad) in enumerate(
                    zip(node.next_functions, traced_step.grad_inputs)):
                if target is None:
                    lines.append(f"input {index} needs no gradient (next_functions has None)")
                    continue
                target_name = node_name(target)
                if getattr(target, "variable", None) is not None:
                    target_name += f" ({_leaf_name(target.variable, labels)})"
                lines.append(f"sends {_code(_array_text(grad))} to "
                             f"{html.escape(target_name)}")
                if grad is not None:
                    view.edge_notes[(id(node), index)] = "grad " + _array_text(grad)
            text = "<br>".join(lines)
            view.node_notes[id(node)] = ["grad_output " + arriving]
        view.grads = dict(tensor_grads)
        steps.append(Step(node=node, name=node_name(node), text=text, view=view,
                          leaf_grads=[(lf, accumulated.get(id(lf))) for lf in leaves]))
        done.add(id(node))
    return steps


def _value_steps(root: Any, labels: Mapping[Any, str] | None) -> list[Step]:
    """Replay ``Value.backward`` node by node with each node's own local rule.

    The rules (``_backward``) add into the operands' ``.grad``, so they run on the real
    Values, started from zero as ``Value.backward`` does, and every Value's ``.grad`` is
    put back afterwards: the learner's numbers are unchanged.
    """
    from minigrad.scalar import topological_order

    order = topological_order(root)
    leaves = [value for value in order if not value._prev]
    saved = [value.grad for value in order]
    steps: list[Step] = []
    done: set[int] = set()
    try:
        for value in order:
            value.grad = 0.0
        root.grad = 1.0  # the seed: d(root)/d(root) = 1
        for value in reversed(order):
            view = StepView(current=value, done=set(done), grad_caption="grad")
            name = tensor_name(value, labels) or f"Value({format_number(value.data)})"
            arriving = value.grad
            before = {id(operand): operand.grad for operand in value._prev}
            value._backward()
            if value._prev:
                lines = [f"<b>{html.escape(name)}</b> = {html.escape(value._op)}(...) has "
                         f"received all of its gradient: grad = {format_number(arriving)}"]
                seen: set[int] = set()
                for index, operand in enumerate(value._prev):
                    if id(operand) in seen:
                        continue  # a Value used twice (a * a): one total for both uses
                    seen.add(id(operand))
                    sent = operand.grad - before[id(operand)]
                    operand_name = tensor_name(operand, labels) or (
                        f"Value({format_number(operand.data)})")
                    lines.append(f"sends {format_number(sent)} to "
                                 f"{html.escape(operand_name)} (its grad is now "
                                 f"{format_number(operand.grad)})")
                    view.edge_notes[(id(value), index)] = "grad " + format_number(sent)
                text = "<br>".join(lines)
            else:
                text = (f"<b>{html.escape(name)}</b> is a leaf: nothing to pass on, its "
                        f"grad {format_number(arriving)} is final")
            # Every Value shows its grad so far; a Value already processed has its final one.
            view.grads = {id(v): v.grad for v in order}
            steps.append(Step(node=value, name=name if value._prev else f"{name} (leaf)",
                              text=text, view=view,
                              leaf_grads=[(leaf, leaf.grad) for leaf in leaves]))
            done.add(id(value))
    finally:
        for value, grad in zip(order, saved):
            value.grad = grad
    return steps


# --------------------------------------------------------------------------------------
# jacobian_explorer
# --------------------------------------------------------------------------------------

MAX_EXPLORER_OUTPUTS = 12


def _fresh_leaf(x: Any) -> Any:
    """A new leaf with x's values and dtype, so a backward leaves the user's x.grad alone."""
    import minigrad

    return minigrad.tensor(_numpy(x).copy(), dtype=x.dtype, requires_grad=True)


class JacobianExplorer(_CourseWidget):
    """A Jacobian beside a vector v and their product vᵀJ (see ``jacobian_explorer``)."""

    def __init__(self, f: Callable[[Any], Any], x: Any,
                 v: Any = None) -> None:
        from minigrad.autograd.functional import jacobian

        self.f = f
        self.x = x
        y = f(x)
        self.output_shape = tuple(y.shape)
        outputs = int(np.prod(self.output_shape, dtype=int))
        if outputs > MAX_EXPLORER_OUTPUTS:
            raise ValueError(
                f"jacobian_explorer shows one box per output of f; f(x) has {outputs} "
                f"outputs (shape {self.output_shape}), at most {MAX_EXPLORER_OUTPUTS} fit"
            )
        # Rows: outputs y_i, columns: inputs x_j, whatever the shapes of x and y.
        self.jacobian = _numpy(jacobian(f, x)).reshape(outputs, -1)

        self.v_inputs = [widgets.FloatText(value=1.0, description=f"v[{i}]",
                                           layout=widgets.Layout(width="11em"))
                         for i in range(outputs)]
        self.preset_buttons = [_button(f"row {i}", f"v = one-hot e{i}: picks row {i} of J")
                               for i in range(outputs)]
        self.ones_button = _button("all ones", "v = [1, ..., 1]: the same as y.sum()")
        self.status = widgets.HTML()
        self.backward_label = widgets.HTML()
        self.picture = widgets.HTML()
        for index, button in enumerate(self.preset_buttons):
            button.on_click(lambda _, i=index: self.set_v(np.eye(outputs)[i]))
        self.ones_button.on_click(lambda _: self.set_v(np.ones(outputs)))
        self._holding = False
        for box in self.v_inputs:
            box.observe(lambda _: self._update(), names="value")
        super().__init__([
            widgets.HTML("<b>v</b> (the gradient of some later scalar with respect to y):"),
            widgets.HBox(self.v_inputs, layout=widgets.Layout(flex_flow="row wrap")),
            widgets.HBox(self.preset_buttons + [self.ones_button],
                         layout=widgets.Layout(flex_flow="row wrap")),
            self.status,
            self.backward_label,
            self.picture,
        ])
        if v is None:
            v = np.eye(outputs)[0]
        self.set_v(v)
        self._freeze_first_state()

    @property
    def v(self) -> np.ndarray:
        """The vector v currently in the boxes."""
        return np.array([box.value for box in self.v_inputs], dtype=float)

    def set_v(self, v: Any) -> None:
        """Put the numbers of v in the boxes (and update everything once)."""
        values = _numpy(v).reshape(-1)
        self._holding = True
        try:
            for box, value in zip(self.v_inputs, values):
                box.value = float(value)
        finally:
            self._holding = False
        self._update()

    def _update(self) -> None:
        if self._holding:
            return
        v = self.v
        self.vjp = v @ self.jacobian  # Σ_i v_i · (row i of J)
        # The same numbers the way PyTorch computes them: one backward pass with v.
        self.backward_grad = self._backward_grad(v)
        terms = " + ".join(f"{format_number(weight)}·{format_array(row)}"
                           for weight, row in zip(v, self.jacobian))
        self.status.value = (
            "vᵀJ, the weighted sum of the rows of J with the weights in v:<br>"
            + _code(f"vᵀJ = {terms}\n    = {format_array(self.vjp)}")
        )
        equal = np.allclose(self.vjp, self.backward_grad.reshape(-1), rtol=1e-5, atol=1e-6)
        lines = [
            "y.backward(v) on a fresh copy of x gives x.grad = "
            + _code(format_array(self.backward_grad))
            + (" — the same numbers as vᵀJ" if equal else " — differs from vᵀJ!")
        ]
        self.sum_grad = None
        if np.all(v == 1.0):
            import minigrad  # noqa: F401  (tensor creation below goes through it)

            leaf = _fresh_leaf(self.x)
            self.f(leaf).sum().backward()
            self.sum_grad = _numpy(leaf.grad)
            lines.append("v is all ones, so this is y.sum().backward(), which gives "
                         + _code(format_array(self.sum_grad)))
        one_hot = np.flatnonzero(v)
        if one_hot.size == 1 and v[one_hot[0]] == 1.0:
            lines.append(f"v is one-hot: vᵀJ is row {one_hot[0]} of J, the gradient of "
                         f"y[{one_hot[0]}] alone")
        self.backward_label.value = "<br>".join(lines)
        self.picture.value = style.svg_to_img_tag(style.figure_to_svg(self.figure()))

    def _backward_grad(self, v: np.ndarray) -> np.ndarray:
        import minigrad

        leaf = _fresh_leaf(self.x)
        y = self.f(leaf)
        y.backward(minigrad.tensor(v.reshape(self.output_shape), dtype=y.dtype))
        return _numpy(leaf.grad)

    def figure(self) -> Any:
        """v, the rows of J, the weighted rows vᵢ·rowᵢ and their sum vᵀJ, as aligned heatmaps.

        v has a colour scale of its own (its numbers are weights, not derivatives); J, the
        weighted rows and vᵀJ share one, so that the sum can be read off the rows above it.
        Rows whose weight is 0 are faded, so a one-hot v visibly picks out one row.
        """
        import matplotlib.pyplot as plt

        outputs, inputs = self.jacobian.shape
        v = self.v
        weighted = v[:, None] * self.jacobian  # row i of J times v_i; vᵀJ is their sum
        limit = float(max(np.abs(self.jacobian).max(), np.abs(weighted).max(),
                          np.abs(self.vjp).max())) or 1.0
        v_limit = float(np.abs(v).max()) or 1.0
        with style.plot_style():
            width = 2.6 + 1.6 * inputs
            height = 1.9 + 0.5 * outputs
            figure = plt.figure(figsize=(min(width, 12.0), min(height, 8.0)))
            grid = figure.add_gridspec(2, 3, width_ratios=[1, max(inputs, 1), max(inputs, 1)],
                                       height_ratios=[max(outputs, 1), 1])
            rows = [f"y{i}" for i in range(outputs)]
            columns = [f"x{j}" for j in range(inputs)]
            panels = [
                (figure.add_subplot(grid[0, 0]), v[:, None], "weights v", [], rows, v_limit),
                (figure.add_subplot(grid[0, 1]), self.jacobian, "rows of J", [], [], limit),
                (figure.add_subplot(grid[0, 2]), weighted, "vᵢ · row i", [], [], limit),
                (figure.add_subplot(grid[1, 2]), self.vjp[None, :], "vᵀJ = Σᵢ vᵢ · row i",
                 columns, [], limit),
            ]
            for ax, matrix, title, xlabels, ylabels, scale in panels:
                ax.imshow(matrix, cmap=style.DIVERGING_CMAP, vmin=-scale, vmax=scale,
                          aspect="auto")
                ax.grid(False)
                ax.set_xticks(range(len(xlabels)))
                ax.set_xticklabels(xlabels)
                ax.set_yticks(range(len(ylabels)))
                ax.set_yticklabels(ylabels)
                ax.tick_params(length=0)
                for spine in ax.spines.values():
                    spine.set_visible(False)
                ax.set_title(title, fontsize=10)
                for (i, j), value in np.ndenumerate(matrix):
                    ink = "white" if abs(value) > 0.6 * scale else "black"
                    ax.text(j, i, format_number(value), ha="center", va="center",
                            color=ink, fontsize=9)
            for axes in (panels[1][0], panels[2][0]):
                for i in np.flatnonzero(v == 0.0):
                    # A zero weight drops the row from the sum: fade it.
                    axes.axhspan(i - 0.5, i + 0.5, color="white", alpha=0.75, lw=0)
            figure.add_subplot(grid[1, 0]).axis("off")
            figure.add_subplot(grid[1, 1]).axis("off")
        return figure

    def static_html(self) -> str:
        return self.status.value + "<br>" + self.backward_label.value + self.picture.value


def jacobian_explorer(f: Callable[[Any], Any], x: Any, v: Any = None) -> JacobianExplorer:
    """A widget with the Jacobian J of ``f`` at ``x`` and a vector v to edit.

    It shows vᵀJ = Σᵢ vᵢ·(row i of J) as text and as a picture, and beside it the
    ``x.grad`` that ``f(x).backward(v)`` gives on a fresh copy of ``x`` (the user's ``x``
    is not touched): the same numbers, which is what the ``gradient`` argument of
    ``backward`` means. The "row i" buttons set v to a one-hot vector (picking row i of
    J); "all ones" shows that ``y.backward(ones)`` equals ``y.sum().backward()``.

    Children: ``v_inputs`` (FloatText per output), ``preset_buttons``, ``ones_button``,
    ``status`` (vᵀJ as text), ``backward_label`` (the backward result), ``picture``.
    The numbers are in ``jacobian``, ``vjp``, ``backward_grad`` and ``sum_grad``.
    """
    return JacobianExplorer(f, x, v=v)


# --------------------------------------------------------------------------------------
# accumulation_demo
# --------------------------------------------------------------------------------------


class AccumulationDemo(_CourseWidget):
    """Buttons that call backward on one graph, and x.grad as it accumulates."""

    static_caption = ("a static picture after two calls of y.backward(retain_graph=True), on a copy of "
                      "x: run the notebook to press the buttons")

    def __init__(self, f: Callable[[Any], Any], x: Any, gradient: Any = None,
                 name: str = "x", *, _preview: bool = False) -> None:
        self._preview = _preview
        self.f = f
        self.x = x
        self.name = name
        self.gradient = gradient
        self.backward_button = _button("backward()", "y.backward()")
        self.retain_button = _button("backward(retain_graph=True)",
                                     "y.backward(retain_graph=True)")
        self.zero_button = _button("zero_grad", f"{name}.grad.zero_()")
        self.new_graph_button = _button("new graph", "rebuild y = f(x)")
        self.grad_label = widgets.HTML()
        self.status = widgets.HTML()
        self.history = widgets.HTML()
        self.picture = widgets.HTML()
        self.graph_picture = widgets.HTML()
        self.backward_button.on_click(lambda _: self.backward(retain_graph=False))
        self.retain_button.on_click(lambda _: self.backward(retain_graph=True))
        self.zero_button.on_click(lambda _: self.zero_grad())
        self.new_graph_button.on_click(lambda _: self.new_graph())
        self._log: list[str] = []
        self._largest = 0.0  # keeps the bar chart's scale, so growth is visible
        super().__init__([
            widgets.HBox([self.backward_button, self.retain_button, self.zero_button,
                          self.new_graph_button], layout=widgets.Layout(flex_flow="row wrap")),
            self.status,
            self.grad_label,
            widgets.HBox([self.picture, self.graph_picture]),
            self.history,
        ])
        self.y = f(x)
        self._say(f"built the graph y = f({html.escape(name)}) once; every backward below "
                  "goes through this same graph")
        self._freeze_first_state()

    def backward(self, retain_graph: bool = False) -> None:
        """``y.backward(...)`` on the graph built once; a RuntimeError is shown, not raised."""
        arguments = []
        gradient = self.gradient
        if gradient is not None:
            arguments.append("gradient")
        elif int(np.prod(self.y.shape, dtype=int)) != 1:
            import minigrad

            # backward() of a non-scalar needs the vector of a vector-Jacobian product.
            gradient = minigrad.ones_like(self.y)
            arguments.append("torch.ones_like(y)")
        if retain_graph:
            arguments.append("retain_graph=True")
        call = f"y.backward({', '.join(arguments)})"
        try:
            self.y.backward(gradient, retain_graph=retain_graph)
        except RuntimeError as error:
            self._say(f"{html.escape(call)} failed:<br>"
                      f'<span style="color:{style.ERROR_INK}">RuntimeError: '
                      f"{html.escape(str(error))}</span>", error=True)
            return
        note = (" (the graph is kept: another backward is allowed)" if retain_graph else
                " (the saved tensors are freed: another backward through this graph fails)")
        self._say(f"{html.escape(call)} added the gradient into "
                  f"{html.escape(self.name)}.grad{note}")

    def zero_grad(self) -> None:
        """``x.grad.zero_()``: the next backward starts from zero again."""
        if self.x.grad is not None:
            self.x.grad.zero_()
        self._say(f"{html.escape(self.name)}.grad.zero_(): the gradients start again from zero")

    def new_graph(self) -> None:
        """Build ``y = f(x)`` again: a new graph with fresh saved tensors."""
        self.y = self.f(self.x)
        self._say(f"built a new graph y = f({html.escape(self.name)}): its saved tensors "
                  "are fresh, so one more backward() is allowed")

    def _say(self, message: str, error: bool = False) -> None:
        self.status.value = message
        grad = self.x.grad
        name = html.escape(self.name)
        self.grad_label.value = (f"<b>{name}.grad</b> = " + (
            "None (no backward yet)" if grad is None else _code(_array_text(grad))))
        entry = ("error: " if error else "") + (
            message.split("<br>")[0] if error else message.split(" (")[0])
        grad_text = "None" if grad is None else _array_text(grad)
        self._log.append(f"{html.escape(_strip_tags(entry))} → {name}.grad = "
                         f"{html.escape(grad_text)}")
        self.history.value = ("<details><summary>history</summary><ol>"
                              + "".join(f"<li>{line}</li>" for line in self._log)
                              + "</ol></details>")
        self._draw()

    def _draw(self) -> None:
        from minigrad.viz.plots import plot_gradient_bars

        grad = self.x.grad
        values = np.zeros(int(np.prod(self.x.shape, dtype=int))) if grad is None else (
            _numpy(grad).reshape(-1))
        self._largest = max(self._largest, float(np.abs(values).max(initial=0.0)))
        limit = 1.15 * (self._largest or 1.0)
        low = -limit if np.any(values < 0) or self._largest > values.max(initial=0.0) else 0
        figure, _ = plot_gradient_bars(values, title=f"{self.name}.grad",
                                       ylim=(min(low, 0.0), limit))
        self.picture.value = style.svg_to_img_tag(style.figure_to_svg(figure))
        digraph = _draw(self.y, show_data=False, show_grad=False, rankdir="LR",
                        labels={self.x: self.name, self.y: "y"})
        self.graph_picture.value = style.svg_to_img_tag(_graph_svg(digraph))

    def _live_html(self) -> str:
        return (self.status.value + "<br>" + self.grad_label.value + "<br>"
                + self.picture.value + self.graph_picture.value)

    def static_html(self) -> str:
        """The demo after two ``backward(retain_graph=True)`` calls, with its history: a
        first state (``x.grad`` still None) would show nothing accumulating. It runs on a
        copy of x, so the user's ``x.grad`` is left alone."""
        if self._preview:
            return self._live_html()
        preview = AccumulationDemo(self.f, _fresh_leaf(self.x), gradient=self.gradient,
                                   name=self.name, _preview=True)
        preview.backward(retain_graph=True)
        preview.backward(retain_graph=True)
        history = "".join(f"<li>{line}</li>" for line in preview._log)
        return preview._live_html() + f"<ol>{history}</ol>"


def _strip_tags(text: str) -> str:
    """Plain text of a short HTML message (for the history list)."""
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", text))


def accumulation_demo(f: Callable[[Any], Any], x: Any, gradient: Any = None,
                      name: str = "x") -> AccumulationDemo:
    """A widget showing ``.grad`` accumulating over repeated backward calls.

    It builds the graph ``y = f(x)`` once, then its buttons call ``y.backward()``,
    ``y.backward(retain_graph=True)`` and ``x.grad.zero_()`` on it, showing ``x.grad``
    as text and as a bar chart, plus the graph (nodes whose saved tensors were freed get a
    dashed border). A second ``backward()`` after one without ``retain_graph`` shows
    PyTorch's error message in the widget; "new graph" builds ``y = f(x)`` again.
    Unlike the other widgets it changes the user's ``x.grad``: that is what it shows.

    Children: ``backward_button``, ``retain_button``, ``zero_button``,
    ``new_graph_button``, ``grad_label``, ``status``, ``history``, ``picture`` (bars),
    ``graph_picture``.
    """
    return AccumulationDemo(f, x, gradient=gradient, name=name)
