"""Pictures, plots and widgets that let a learner *see* autograd.

One visual language for the whole course lives in ``minigrad.viz.style``; everything here
takes its colours, fonts and sizes from it:

- ``draw_graph(root)``: the graph autograd recorded, for a Tensor or a scalar Value;
- plots: ``plot_tangent``, ``plot_finite_difference_error``, ``plot_jacobian``,
  ``plot_loss_curves``, ``plot_decision_boundary``, ``plot_decision_boundaries``,
  ``plot_gradient_bars``, ``plot_unbroadcast``, ``plot_mode_costs``,
  ``plot_optimization_paths``, ``plot_benchmark``, ``plot_cost_by_size``;
- widgets: ``backward_stepper``, ``jacobian_explorer``, ``accumulation_demo``.
"""

from minigrad.viz import style
from minigrad.viz.graph import draw_graph
from minigrad.viz.plots import (
    draw_value_graph,
    finite_difference_errors,
    plot_benchmark,
    plot_cost_by_size,
    plot_decision_boundaries,
    plot_decision_boundary,
    plot_finite_difference_error,
    plot_gradient_bars,
    plot_jacobian,
    plot_loss_curves,
    plot_mode_costs,
    plot_optimization_paths,
    plot_tangent,
    plot_unbroadcast,
)
from minigrad.viz.widgets import accumulation_demo, backward_stepper, jacobian_explorer

__all__ = [
    "accumulation_demo",
    "backward_stepper",
    "draw_graph",
    "draw_value_graph",
    "jacobian_explorer",
    "finite_difference_errors",
    "plot_benchmark",
    "plot_cost_by_size",
    "plot_decision_boundaries",
    "plot_decision_boundary",
    "plot_finite_difference_error",
    "plot_gradient_bars",
    "plot_jacobian",
    "plot_loss_curves",
    "plot_mode_costs",
    "plot_optimization_paths",
    "plot_tangent",
    "plot_unbroadcast",
    "style",
]
