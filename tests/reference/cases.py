"""The reference cases: small programs whose results PyTorch and minigrad must agree on.

Each case is a snippet written against the name ``torch``; it runs unchanged with ``torch``
bound to PyTorch (``make_reference.py`` records the results into ``torch_reference.json``)
or to minigrad (``import minigrad as torch``; ``tests/test_reference.py`` replays them).
``np`` (NumPy) and ``math`` are also in scope. A snippet assigns its results to a dict
``out``; ``runner.normalise`` says which kinds of values can be recorded.

Three kinds of case:
- ``case``: runs and records ``out``.
- ``error_case``: must raise. The recorded message is PyTorch's; minigrad's message must
  contain ``fragment`` (the fragments of api.md's error table) and its type must be one of
  ``types``. A ``fragment`` of None only checks the type (errors api.md asks to be clear
  but does not word).
  With ``exact=True`` the whole message must be PyTorch's, word for word (a hint minigrad
  adds for learners goes into an exception note, which ``str(error)`` does not show).
- ``warning_case``: runs, records ``out`` and must emit a warning of ``category`` whose
  message contains ``fragment``.

Inputs are fixed numbers (never random: minigrad's random generator is not PyTorch's).
Gradients are usually those of a weighted sum ``(y * w).sum()`` so that every element of a
gradient is tested with a different weight. Where the name of a ``grad_fn`` is an accident
of how PyTorch composes an op (``2 / x`` is a reciprocal then a product, 1-D matmul is
``DotBackward0``) the snippet records ``y.detach()`` and ``y.requires_grad`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from textwrap import dedent


@dataclass(frozen=True)
class Case:
    name: str
    code: str
    error: str | None = None  # fragment of the exception's message (error cases)
    error_types: tuple[str, ...] = ()  # accepted exception types; non-empty = error case
    warns: tuple[str, str] | None = None  # (category name, message fragment)
    exact: bool = False  # error cases: the message must be PyTorch's, word for word

    @property
    def is_error(self) -> bool:
        return bool(self.error_types)


CASES: list[Case] = []


def case(name: str, code: str) -> None:
    CASES.append(Case(name, dedent(code).strip()))


def error_case(name: str, code: str, fragment: str | None,
               types: tuple[str, ...] = ("RuntimeError",), exact: bool = False) -> None:
    CASES.append(Case(name, dedent(code).strip(), error=fragment, error_types=types, exact=exact))


def warning_case(name: str, code: str, category: str, fragment: str) -> None:
    CASES.append(Case(name, dedent(code).strip(), warns=(category, fragment)))


def grad_case(name: str, expr: str, weight: str, *, names: bool = True, dtype: str | None = None,
              consts: dict[str, str] | None = None, **inputs: str) -> None:
    """An op's value and the gradients of ``(y * weight).sum()`` for each input.

    ``inputs`` are literals of tensors that require grad, ``consts`` of tensors that do not.
    With ``names=False`` the grad_fn name of ``y`` is not recorded (see module docstring).
    """
    dtype_arg = f", dtype=torch.{dtype}" if dtype else ""
    lines = [f"{var} = torch.tensor({lit}{dtype_arg}, requires_grad=True)"
             for var, lit in inputs.items()]
    lines += [f"{var} = torch.tensor({lit}{dtype_arg})" for var, lit in (consts or {}).items()]
    lines.append(f"y = {expr}")
    lines.append(f"(y * torch.tensor({weight}{dtype_arg})).sum().backward()")
    shown = "y" if names else "y.detach(), 'y.requires_grad': y.requires_grad"
    grads = "".join(f", '{var}.grad': {var}.grad" for var in inputs)
    lines.append(f"out = {{'y': {shown}{grads}}}")
    CASES.append(Case(name, "\n".join(lines)))


# Fixed inputs and weights used by many op cases.
X3 = "[0.5, -1.5, 2.0]"
W3 = "[1.0, -2.0, 0.5]"
X23 = "[[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]"
W23 = "[[1.0, 2.0, -1.0], [0.5, -0.25, 3.0]]"
P23 = "[[0.5, 1.0, 2.0], [1.5, 0.25, 3.0]]"  # positive, for log and sqrt
X234 = ("[[[0.1, -0.2, 0.3, 0.4], [0.5, 0.6, -0.7, 0.8], [0.9, 1.0, 1.1, -1.2]],"
        " [[1.3, -1.4, 1.5, 1.6], [-1.7, 1.8, 1.9, 2.0], [2.1, 2.2, -2.3, 2.4]]]")


# =======================================================================================
# The worked examples of course.md, with the numbers it quotes.
# =======================================================================================

case("worked_y_3a_2b2_logc_vector", """
    a = torch.tensor([1., 2., 3.], requires_grad=True)
    b = torch.tensor([3., 4., 5.], requires_grad=True)
    c = torch.tensor([6., 7., 8.], requires_grad=True)
    y = 3 * a + 2 * b ** 2 + torch.log(c)
    y.backward(torch.tensor([0.1, 1.0, 0.0001]))
    out = {"y": y, "a.grad": a.grad, "b.grad": b.grad, "c.grad": c.grad,
           "repr c.grad": repr(c.grad)}
""")

case("worked_y_3a_2b2_logc_scalars", """
    a = torch.tensor(0.1, requires_grad=True)
    b = torch.tensor(1.0, requires_grad=True)
    c = torch.tensor(0.1, requires_grad=True)
    y = 3 * a + 2 * b ** 2 + torch.log(c)
    y.backward()
    out = {"y": y, "a.grad": a.grad, "b.grad": b.grad, "c.grad": c.grad}
""")

case("worked_y_3a_2b2_logc_backward_twice", """
    a = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(1.0, requires_grad=True)
    c = torch.tensor(1.0, requires_grad=True)
    y = 3 * a + 2 * b ** 2 + torch.log(c)
    y.backward(retain_graph=True)
    first = (a.grad.item(), b.grad.item(), c.grad.item())
    y.backward()
    out = {"first": first, "a.grad": a.grad, "b.grad": b.grad, "c.grad": c.grad}
""")

case("worked_z_2x_one_hot_rows", """
    x = torch.tensor([[1., 2., 3., 4.]], requires_grad=True)
    z = 2 * x
    rows = []
    for i in range(4):
        one_hot = torch.zeros(1, 4)
        one_hot[0, i] = 1.0
        x.grad = None
        z.backward(one_hot, retain_graph=True)
        rows.append(x.grad.tolist())
    out = {"z": z, "rows": rows}
""")

case("worked_z_2x_ones_and_sum_dim1", """
    x = torch.tensor([[1., 2., 3., 4.]], requires_grad=True)
    z = 2 * x
    z.backward(torch.ones_like(z))
    with_ones = x.grad
    x.grad = None
    z = 2 * x
    z.sum(dim=1).backward()
    out = {"with ones": with_ones, "with sum(dim=1)": x.grad}
""")

case("worked_ones_2x2_mean", """
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out_ = z.mean()
    out_.backward()
    out = {"y": y, "z": z, "out": out_, "repr out": repr(out_), "x.grad": x.grad}
""")

case("worked_eye5_accumulation", """
    inp = torch.eye(5, requires_grad=True)
    out_ = (inp + 1).pow(2)
    out_.backward(torch.ones_like(inp), retain_graph=True)
    first = inp.grad.tolist()
    out_.backward(torch.ones_like(inp), retain_graph=True)
    second = inp.grad.tolist()
    inp.grad.zero_()
    out_.backward(torch.ones_like(inp), retain_graph=True)
    out = {"first": first, "second": second, "after zero_": inp.grad}
""")

case("worked_while_loop_doubling", """
    x = torch.tensor([0.5, -0.3, 0.8], requires_grad=True)
    y = x * 2
    doublings = 1
    while (y * y).sum().sqrt().item() < 1000:
        y = y * 2
        doublings += 1
    y.backward(torch.tensor([0.1, 1.0, 0.0001]))
    out = {"doublings": doublings, "y": y, "x.grad": x.grad}
""")

case("worked_one_layer_bce", """
    x = torch.ones(5)
    y = torch.zeros(3)
    w = torch.tensor([[0.1, -0.2, 0.3], [0.4, -0.5, 0.6], [-0.7, 0.8, 0.9],
                      [0.2, 0.1, -0.3], [-0.4, 0.5, 0.2]], requires_grad=True)
    b = torch.tensor([0.1, -0.1, 0.2], requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    loss.backward()
    out = {"z": z, "loss": loss, "w.grad": w.grad, "b.grad": b.grad,
           "w.grad rows equal b.grad": [row == b.grad.tolist() for row in w.grad.tolist()]}
""")

case("worked_one_layer_no_grad_and_detach", """
    x = torch.ones(5)
    w = torch.tensor([[0.1, -0.2, 0.3], [0.4, -0.5, 0.6], [-0.7, 0.8, 0.9],
                      [0.2, 0.1, -0.3], [-0.4, 0.5, 0.2]], requires_grad=True)
    b = torch.tensor([0.1, -0.1, 0.2], requires_grad=True)
    z = torch.matmul(x, w) + b
    with torch.no_grad():
        z_no_grad = torch.matmul(x, w) + b
    z_detached = z.detach()
    out = {"z.requires_grad": z.requires_grad, "z_no_grad": z_no_grad, "z_detached": z_detached}
""")

case("worked_x2_plus_2_sum", """
    x = torch.tensor([1., 2., 3.], requires_grad=True)
    y = x ** 2 + 2
    z = torch.sum(y)
    z.backward()
    out = {"z": z, "x.grad": x.grad}
""")

case("worked_x_times_x_arange", """
    x = torch.arange(4.0, requires_grad=True)
    y = x * x
    y.backward(torch.ones(4))
    out = {"x": x, "y": y, "x.grad": x.grad}
""")

case("worked_elementwise_from_scalars_stack", """
    x1 = torch.tensor(1.0, requires_grad=True)
    x2 = torch.tensor(2.0, requires_grad=True)
    x3 = torch.tensor(3.0, requires_grad=True)
    y = torch.stack([x1 * x2 * x3, x1 + x2 + x3, x1 + x2 * x3])
    y.backward(torch.tensor([0.1, 0.2, 0.3]))
    out = {"y": y, "grads": [x1.grad, x2.grad, x3.grad]}
""")

case("worked_elementwise_from_scalars_setitem", """
    x1 = torch.tensor(1.0, requires_grad=True)
    x2 = torch.tensor(2.0, requires_grad=True)
    x3 = torch.tensor(3.0, requires_grad=True)
    y = torch.zeros(3)
    y[0] = x1 * x2 * x3
    y[1] = x1 + x2 + x3
    y[2] = x1 + x2 * x3
    y.backward(torch.tensor([0.1, 0.2, 0.3]))
    out = {"y": y.detach(), "y.requires_grad": y.requires_grad, "y.is_leaf": y.is_leaf,
           "grads": [x1.grad, x2.grad, x3.grad]}
""")


# =======================================================================================
# Factories, dtypes and attributes.
# =======================================================================================

case("factory_tensor_float_list", """
    t = torch.tensor([1.0, 2.5, -3.0])
    out = {"t": t, "dtype": t.dtype, "shape": list(t.shape), "ndim": t.ndim}
""")

case("factory_tensor_int_list", """
    t = torch.tensor([[1, 2, 3], [4, 5, 6]])
    out = {"t": t, "dtype": t.dtype, "numel": t.numel()}
""")

case("factory_tensor_bool_list", """
    t = torch.tensor([True, False, True])
    out = {"t": t, "dtype": t.dtype}
""")

case("factory_tensor_mixed_int_float_list", """
    out = {"t": torch.tensor([1, 2.5, 3])}
""")

case("factory_tensor_python_number", """
    out = {"float": torch.tensor(3.5), "int": torch.tensor(7), "bool": torch.tensor(True)}
""")

case("factory_tensor_explicit_dtype", """
    out = {"float64": torch.tensor([1, 2], dtype=torch.float64),
           "int64": torch.tensor([1, 2], dtype=torch.int64),
           "float32 from ints": torch.tensor([1, 2], dtype=torch.float32)}
""")

case("factory_tensor_from_ndarray_keeps_dtype", """
    out = {"float64": torch.tensor(np.array([1.0, 2.0])),
           "float32": torch.tensor(np.array([1.0, 2.0], dtype=np.float32)),
           "int64": torch.tensor(np.array([1, 2], dtype=np.int64)),
           "bool": torch.tensor(np.array([True, False]))}
""")

case("factory_tensor_copies_ndarray", """
    a = np.array([1.0, 2.0, 3.0])
    t = torch.tensor(a)
    a[0] = 99.0
    out = {"t": t}
""")

case("factory_tensor_requires_grad", """
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    out = {"t": t, "grad": t.grad, "grad_fn": t.grad_fn, "retains_grad": t.retains_grad}
""")

case("factory_zeros_ones_full", """
    out = {"zeros": torch.zeros(2, 3), "zeros tuple": torch.zeros((2, 3)),
           "ones": torch.ones(3, dtype=torch.float64), "ones rg": torch.ones(2, requires_grad=True),
           "full float": torch.full((2, 2), 7.0), "full int": torch.full((2,), 3),
           "zeros int": torch.zeros(2, dtype=torch.int64)}
""")

case("factory_eye_arange_linspace", """
    out = {"eye": torch.eye(3), "arange int": torch.arange(5), "arange float": torch.arange(4.0),
           "arange start stop step": torch.arange(0, 1, 0.25), "arange ints": torch.arange(2, 8, 2),
           "linspace": torch.linspace(0, 1, 5)}
""")

case("factory_like", """
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)
    out = {"zeros_like": torch.zeros_like(x), "ones_like": torch.ones_like(x),
           "ones_like int": torch.ones_like(torch.tensor([1, 2]))}
""")

case("factory_random_shapes_and_dtypes", """
    e = torch.empty(2, 3)
    r = torch.rand(3, 4)
    n = torch.randn(2, 2, dtype=torch.float64)
    like = torch.randn_like(n)
    out = {"empty": (list(e.shape), e.dtype), "rand": (list(r.shape), r.dtype),
           "randn": (list(n.shape), n.dtype), "randn_like": (list(like.shape), like.dtype),
           "rand in [0, 1)": ((r >= 0).sum() + (r < 1).sum()).item() == 24,
           "randn rg": torch.randn(2, requires_grad=True).requires_grad}
""")

case("factory_manual_seed_repeats", """
    torch.manual_seed(3)
    a = torch.randn(5)
    torch.manual_seed(3)
    b = torch.randn(5)
    out = {"same": (a == b).sum().item() == 5}
""")

case("attributes_shape_size_numel", """
    x = torch.zeros(2, 3, 4)
    out = {"shape": list(x.shape), "size()": list(x.size()), "size(1)": x.size(1),
           "size(-1)": x.size(-1), "size(dim=0)": x.size(dim=0), "ndim": x.ndim, "numel": x.numel(),
           "shape == tuple": x.shape == (2, 3, 4), "shape[1]": x.shape[1],
           "str(shape)": str(x.shape), "0-dim shape": list(torch.tensor(1.0).shape)}
""")

case("attributes_item_tolist", """
    out = {"item float": torch.tensor(2.5).item(), "item int": torch.tensor(3).item(),
           "item bool": torch.tensor(True).item(), "item one element": torch.tensor([[4.0]]).item(),
           "tolist 2-D": torch.tensor([[1.5, 2.0], [3.0, 4.0]]).tolist(),
           "tolist int": torch.tensor([1, 2]).tolist(), "tolist 0-dim": torch.tensor(1.5).tolist()}
""")

case("attributes_python_number_conversions", """
    out = {"float": float(torch.tensor([2.5])), "int": int(torch.tensor(3.7)),
           "bool true": bool(torch.tensor([1.0])), "bool false": bool(torch.tensor(0)),
           "int of int": int(torch.tensor([5]))}
""")

case("attributes_T", """
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    y = x.T
    (y * torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])).sum().backward()
    out = {"y": y, "x.grad": x.grad}
""")

case("numpy_shares_memory", """
    t = torch.tensor([1.0, 2.0, 3.0])
    a = t.numpy()
    a[0] = 10.0
    out = {"t": t, "a": a}
""")

case("numpy_asarray_and_detach_numpy", """
    t = torch.tensor([1.0, 2.0])
    x = torch.tensor([3.0, 4.0], requires_grad=True)
    out = {"asarray": np.asarray(t), "detach().numpy()": x.detach().numpy(),
           "int": torch.tensor([1, 2]).numpy()}
""")

error_case("numpy_on_requires_grad", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.numpy()
""", "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")

error_case("requires_grad_int_tensor", """
    torch.tensor([1, 2, 3], requires_grad=True)
""", "Only Tensors of floating point and complex dtype can require gradients")

error_case("requires_grad_bool_tensor", """
    torch.tensor([True, False], requires_grad=True)
""", "Only Tensors of floating point and complex dtype can require gradients")

error_case("requires_grad_int_factory", """
    torch.zeros(3, dtype=torch.int64, requires_grad=True)
""", "Only Tensors of floating point and complex dtype can require gradients")

error_case("requires_grad_underscore_int_tensor", """
    torch.tensor([1, 2]).requires_grad_()
""", "can require gradients")


# =======================================================================================
# Type promotion (values of mixed dtypes) and integer/bool tensors.
# =======================================================================================

case("promote_int_times_python_float", """
    out = {"int * 2.5": torch.tensor([1, 2, 3]) * 2.5, "int + 1": torch.tensor([1, 2]) + 1,
           "2.5 * int": 2.5 * torch.tensor([1, 2])}
""")

case("promote_float32_plus_float64", """
    a = torch.tensor([1.0, 2.0])
    b = torch.tensor([0.5, 0.25], dtype=torch.float64)
    out = {"a + b": a + b, "b * a": b * a}
""")

case("promote_zero_dim_does_not_upcast_same_category", """
    a = torch.tensor([1.0, 2.0])
    s = torch.tensor(0.5, dtype=torch.float64)
    out = {"float32 vector + float64 0-dim": a + s, "float64 vector + float32 0-dim":
           torch.tensor([1.0], dtype=torch.float64) + torch.tensor(2.0)}
""")

case("promote_zero_dim_float_with_int_vector", """
    half = torch.tensor(0.5, dtype=torch.float64)
    out = {"int vector + float64 0-dim": torch.tensor([1, 2]) + half,
           "int vector * float32 0-dim": torch.tensor([1, 2]) * torch.tensor(1.5)}
""")

case("promote_int_div_int_is_float", """
    out = {"int / int": torch.tensor([1, 2, 3]) / torch.tensor([2, 2, 2]),
           "int / 2": torch.tensor([3]) / 2}
""")

case("promote_bool_arithmetic", """
    t = torch.tensor([True, False, True])
    out = {"bool + int": t + torch.tensor([1, 2, 3]), "bool * 1.5": t * 1.5,
           "bool + bool": t + torch.tensor([True, True, False]), "bool sum": t.sum()}
""")

case("promote_int_with_float_tensor", """
    out = {"int + float32": torch.tensor([1, 2]) + torch.tensor([0.5, 0.5]),
           "int * float64": torch.tensor([1, 2]) * torch.tensor([0.5, 0.5], dtype=torch.float64)}
""")

case("promote_python_float_keeps_float64", """
    out = {"float64 * 0.1": torch.tensor([1.0, 2.0], dtype=torch.float64) * 0.1}
""")

case("promote_int_pow", """
    out = {"int ** 2": torch.tensor([1, 2, 3]) ** 2, "int ** 0.5": torch.tensor([1, 4, 9]) ** 0.5}
""")

case("promote_int_unary_float_ops", """
    out = {"exp": torch.exp(torch.tensor([0, 1])), "sqrt": torch.tensor([4, 9]).sqrt()}
""")

case("promote_gradient_keeps_input_dtype", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    d = torch.tensor([0.5, 3.0], dtype=torch.float64, requires_grad=True)
    y = x * d
    y.sum().backward()
    out = {"y": y, "x.grad": x.grad, "d.grad": d.grad}
""")

case("promote_int_constant_times_float_leaf", """
    x = torch.tensor([1.5, 2.0], requires_grad=True)
    y = x * torch.tensor([2, 3])
    y.sum().backward()
    out = {"y": y, "x.grad": x.grad}
""")

case("int_tensor_ops", """
    a = torch.tensor([[3, -1, 4], [1, 5, -9]])
    out = {"sum": a.sum(), "sum dim": a.sum(dim=1), "max": a.max(), "min": a.min(),
           "abs": a.abs(), "neg": -a, "a - 1": a - 1, "a * a": a * a, "a[0]": a[0],
           "T": a.T, "reshape": a.reshape(3, 2)}
""")

case("comparisons_return_bool", """
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = {"<": x < 2, "<=": x <= 2, ">": x > 2, ">=": x >= 2, "==": x == 2, "!=": x != 2,
           "tensor == tensor": x == torch.tensor([1.0, 0.0, 3.0])}
""")

case("argmax_ties_and_dims", """
    x = torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], requires_grad=True)
    out = {"argmax": x.argmax(), "argmax dim 1": x.argmax(dim=1), "argmax dim 0": x.argmax(dim=0),
           "argmax keepdim": x.argmax(dim=1, keepdim=True), "module form": torch.argmax(x)}
""")


# =======================================================================================
# Elementwise ops: values and gradients.
# =======================================================================================

grad_case("unary_exp", "x.exp()", W23, x=X23)
grad_case("unary_exp_module", "torch.exp(x)", W3, x=X3)
grad_case("unary_log", "x.log()", W23, x=P23)
grad_case("unary_log_module", "torch.log(x)", W3, x="[0.5, 1.0, 4.0]")
grad_case("unary_log_domain", "torch.log(x)", "[1.0, 1.0, 1.0]", x="[0.0, 1.0, -1.0]")
grad_case("unary_sqrt", "x.sqrt()", W23, x=P23)
grad_case("unary_sqrt_domain", "torch.sqrt(x)", "[1.0, 1.0, 1.0]", x="[0.0, 4.0, -1.0]")
grad_case("unary_abs", "x.abs()", W3, x=X3)
grad_case("unary_abs_at_zero", "torch.abs(x)", "[1.0, 1.0, 1.0]", x="[-2.0, 0.0, 3.0]")
grad_case("unary_neg", "-x", W23, x=X23)
grad_case("unary_tanh", "x.tanh()", W23, x=X23)
grad_case("unary_tanh_module", "torch.tanh(x)", W3, x=X3)
grad_case("unary_sigmoid", "x.sigmoid()", W23, x=X23)
grad_case("unary_sigmoid_module_saturated", "torch.sigmoid(x)", W3, x="[-50.0, 0.0, 50.0]")
grad_case("unary_relu", "x.relu()", W23, x=X23)
grad_case("unary_relu_at_zero", "torch.relu(x)", "[1.0, 1.0, 1.0]", x="[-1.0, 0.0, 2.0]")
grad_case("unary_exp_float64", "x.exp()", W3, dtype="float64", x=X3)
grad_case("unary_log_float64", "x.log()", W3, dtype="float64", x="[0.5, 1.0, 4.0]")
grad_case("unary_tanh_float64", "x.tanh()", W3, dtype="float64", x=X3)
grad_case("unary_sigmoid_float64", "x.sigmoid()", W3, dtype="float64", x=X3)
grad_case("unary_exp_zero_dim", "x.exp()", "2.0", x="0.5")

grad_case("clamp_min_max_boundaries", "x.clamp(0.0, 1.0)", "[1.0, 1.0, 1.0, 1.0, 1.0]",
          x="[-1.0, 0.0, 0.5, 1.0, 2.0]")
grad_case("clamp_min_only", "torch.clamp(x, min=-0.5)", "[1.0, 2.0, 3.0, 4.0]",
          x="[-1.0, -0.5, 0.0, 2.0]")
grad_case("clamp_max_only", "x.clamp(max=1.0)", "[1.0, 2.0, 3.0]", x="[1.0, 2.0, 0.5]")
grad_case("clamp_keywords", "torch.clamp(x, min=-1.0, max=1.0)", W23, x=X23)

grad_case("pow_square", "x ** 2", W23, x=X23)
grad_case("pow_cube_negative_base", "x ** 3", "[1.0, 1.0, 1.0, 1.0]", x="[-2.0, -1.0, 0.0, 1.5]")
grad_case("pow_float_exponent", "x ** 2.5", W3, x="[0.25, 1.0, 4.0]")
grad_case("pow_fractional_negative_base", "x ** 0.5", "[1.0, 1.0]", x="[-4.0, 4.0]")
grad_case("pow_zero_exponent", "x ** 0", "[1.0, 1.0, 1.0]", x="[0.0, -2.0, 3.0]")
grad_case("pow_negative_exponent", "x ** -1", W3, x=X3)
grad_case("pow_method_and_module", "x.pow(3) + torch.pow(x, 2)", W3, x=X3)
grad_case("pow_tensor_exponent", "x ** e", "[1.0, 1.0, 1.0]",
          x="[2.0, 3.0, 0.5]", e="[3.0, 0.5, -2.0]")
grad_case("pow_python_base", "2 ** x", W3, names=False, x=X3)
grad_case("pow_float64", "x ** 3", W3, dtype="float64", x=X3)

grad_case("binary_add_same_shape", "a + b", W23, a=X23, b=P23)
grad_case("binary_sub_same_shape", "a - b", W23, a=X23, b=P23)
grad_case("binary_mul_same_shape", "a * b", W23, a=X23, b=P23)
grad_case("binary_div_same_shape", "a / b", W23, a=X23, b=P23)
grad_case("binary_add_python_scalar", "x + 2 + (3 + x)", W3, x=X3)
grad_case("binary_sub_python_scalar", "x - 2", W3, x=X3)
grad_case("binary_rsub_python_scalar", "2 - x", W3, names=False, x=X3)
grad_case("binary_mul_python_scalar", "x * 3 + 0.5 * x", W3, x=X3)
grad_case("binary_div_by_python_scalar", "x / 4", W3, x=X3)
grad_case("binary_python_scalar_div", "2 / x", W3, names=False, x=X3)
grad_case("binary_with_constant_tensor", "a * c - c / a", W3,
          a=X3, consts={"c": "[2.0, 3.0, -1.0]"})
grad_case("binary_float64_div", "a / b", W3, dtype="float64", a=X3, b="[3.0, 7.0, -0.5]")

grad_case("broadcast_row_vector", "a + b", W23, a=X23, b="[10.0, 20.0, 30.0]")
grad_case("broadcast_column_times_row", "a * b", W23, a="[[1.0], [2.0]]", b="[3.0, 4.0, 5.0]")
grad_case("broadcast_sub_column", "a - b", W23, a=X23, b="[[1.0], [-2.0]]")
grad_case("broadcast_div_row", "a / b", W23, a=X23, b="[2.0, -4.0, 0.5]")
grad_case("broadcast_zero_dim_scalar", "s * v", W23, s="1.5", v=X23)
grad_case("broadcast_one_element", "a + b", W3, a=X3, b="[0.5]")
grad_case("broadcast_both_sides_3d",
          "a * b", "[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[-1.0, -2.0, -3.0], [0.5, 0.25, 0.125]]]",
          a="[[[1.0, 2.0, 3.0]], [[4.0, 5.0, 6.0]]]", b="[[0.5], [-1.5]]")

case("broadcast_grad_shapes_match_inputs", """
    a = torch.ones(4, 1, 3, requires_grad=True)
    b = torch.ones(2, 1, requires_grad=True)
    c = torch.ones(3, requires_grad=True)
    (a * b + c).sum().backward()
    out = {"a.grad": a.grad, "b.grad": b.grad, "c.grad": c.grad}
""")

case("where_tensor_branches", """
    x = torch.tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
    y = torch.tensor([10.0, 20.0, 30.0, 40.0], requires_grad=True)
    r = torch.where(x > 0, x, y)
    (r * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    out = {"r": r, "x.grad": x.grad, "y.grad": y.grad}
""")

case("where_broadcast_scalar_tensor", """
    x = torch.tensor([[-1.0, 2.0], [3.0, -4.0]], requires_grad=True)
    r = torch.where(x > 0, x, torch.tensor(0.0))
    (r * torch.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    out = {"r": r, "x.grad": x.grad}
""")

case("where_python_scalar", """
    x = torch.tensor([-1.0, 2.0, 3.0], requires_grad=True)
    r = torch.where(x > 0, x, 0.0)
    r.sum().backward()
    out = {"r": r, "x.grad": x.grad}
""")


# =======================================================================================
# Reductions.
# =======================================================================================

grad_case("sum_all", "x.sum()", "2.0", x=X23)
grad_case("sum_module", "torch.sum(x)", "1.0", x=X3)
grad_case("sum_dim0", "x.sum(dim=0)", W3, x=X23)
grad_case("sum_dim1_keepdim", "x.sum(dim=1, keepdim=True)", "[[1.0], [-2.0]]", x=X23)
grad_case("sum_dim_negative", "x.sum(-1)", "[1.0, -2.0]", x=X23)
grad_case("sum_3d_dim1", "x.sum(dim=1)", "[[1.0, 2.0, 3.0, 4.0], [-1.0, -2.0, -3.0, -4.0]]", x=X234)
grad_case("mean_all", "x.mean()", "3.0", x=X23)
grad_case("mean_dim0", "x.mean(dim=0)", W3, x=X23)
grad_case("mean_dim1_keepdim", "x.mean(dim=1, keepdim=True)", "[[1.0], [-2.0]]", x=X23)
grad_case("mean_3d_dim_negative", "x.mean(dim=-1)", "[[1.0, 2.0, 3.0], [-1.0, -2.0, -3.0]]", x=X234)
grad_case("max_all_unique", "x.max()", "1.0", x=X23)
grad_case("max_all_ties_share_gradient", "x.max()", "1.0", x="[1.0, 3.0, 3.0, -2.0]")
grad_case("min_all_ties_share_gradient", "torch.min(x)", "1.0", x="[[1.0, -3.0], [-3.0, -3.0]]")
grad_case("max_float64", "x.max()", "1.0", dtype="float64", x=X3)

case("max_dim_values_indices", """
    x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)
    values, indices = x.max(dim=1)
    (values * torch.tensor([1.0, -2.0])).sum().backward()
    out = {"values": values, "indices": indices, "x.grad": x.grad}
""")

case("max_dim_namedtuple_fields", """
    x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)
    r = x.max(dim=0)
    out = {"values": r.values, "indices": r.indices,
           "[0] is values": r[0].tolist() == r.values.tolist()}
""")

case("max_dim_keepdim", """
    x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)
    values, indices = x.max(dim=1, keepdim=True)
    (values * torch.tensor([[3.0], [4.0]])).sum().backward()
    out = {"values": values, "indices": indices, "x.grad": x.grad}
""")

case("max_dim_ties_pick_one", """
    x = torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], requires_grad=True)
    values, indices = x.max(dim=1)
    values.sum().backward()
    out = {"values": values, "indices": indices, "x.grad": x.grad}
""")

case("min_dim_values_indices", """
    x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)
    values, indices = torch.min(x, dim=0)
    (values * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    out = {"values": values, "indices": indices, "x.grad": x.grad}
""")

case("min_dim_ties_pick_one", """
    x = torch.tensor([[1.0, 1.0, 3.0], [0.0, 2.0, 0.0]], requires_grad=True)
    values, indices = x.min(dim=1)
    values.sum().backward()
    out = {"values": values, "indices": indices, "x.grad": x.grad}
""")


# =======================================================================================
# Shapes: reshape, view, flatten, transpose, permute, squeeze, unsqueeze, expand.
# =======================================================================================

W32 = "[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]"
W6 = "[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]"

grad_case("reshape_2x3_to_3x2", "x.reshape(3, 2)", W32, x=X23)
grad_case("reshape_minus_one", "x.reshape(-1)", W6, x=X23)
grad_case("reshape_tuple_argument", "x.reshape((1, 6))", "[" + W6 + "]", x=X23)
grad_case("view_3x2", "x.view(3, 2)", W32, x=X23)
grad_case("view_minus_one", "x.view(-1, 2)", W32, x=X23)
W24 = "[" + ", ".join(str(float(i)) for i in range(24)) + "]"
W46 = str([[float(6 * i + j) for j in range(6)] for i in range(4)])
grad_case("flatten_3d", "x.flatten()", W24, x=X234)
grad_case("transpose_2d", "x.transpose(0, 1)", W32, x=X23)
# reshape of a transposed tensor copies in PyTorch (UnsafeViewBackward0 / ReshapeAliasBackward0,
# an accident of memory layout): only the values and gradients are compared.
grad_case("transpose_3d_negative_dims", "x.transpose(-1, -2).reshape(24)", W24, names=False, x=X234)
grad_case("transpose_3d_dims_0_2", "x.transpose(0, 2)",
          "[[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]], "
          "[[-1.0, -2.0], [-3.0, -4.0], [-5.0, -6.0]], [[0.5, 1.5], [2.5, 3.5], [4.5, 5.5]]]",
          x=X234)
grad_case("permute_3d", "x.permute(2, 0, 1).reshape(4, 6)", W46, names=False, x=X234)
grad_case("squeeze_all", "x.squeeze()", W3, x="[[[0.5], [-1.5], [2.0]]]")
grad_case("squeeze_dim", "x.squeeze(0)", "[[1.0], [-2.0], [0.5]]", x="[[[0.5], [-1.5], [2.0]]]")
grad_case("squeeze_dim_not_one_is_noop", "x.squeeze(1)", W23, x=X23)
grad_case("unsqueeze_0", "x.unsqueeze(0)", "[" + W3 + "]", x=X3)
grad_case("unsqueeze_last", "x.unsqueeze(-1)", "[[1.0], [-2.0], [0.5]]", x=X3)
grad_case("expand_column", "x.expand(3, 4)",
          "[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [-1.0, -2.0, -3.0, -4.0]]",
          x="[[0.5], [-1.5], [2.0]]")
grad_case("expand_new_leading_dim_and_minus_one", "x.expand(2, -1)",
          "[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]", x=X3)

case("view_and_reshape_share_shapes", """
    x = torch.arange(6.0)
    out = {"view": list(x.view(2, 3).shape), "reshape": list(x.reshape(3, -1).shape),
           "flatten": list(torch.zeros(2, 3, 4).flatten().shape),
           "permute": list(torch.zeros(2, 3, 4).permute(2, 0, 1).shape),
           "unsqueeze": list(x.unsqueeze(1).shape),
           "squeeze": list(torch.zeros(1, 3, 1).squeeze().shape)}
""")


# =======================================================================================
# Indexing.
# =======================================================================================

grad_case("index_int", "x[1]", "2.0", x=X3)
grad_case("index_negative_int", "x[-1]", "3.0", x=X3)
grad_case("index_slice", "x[1:]", "[1.0, 2.0]", x=X3)
grad_case("index_negative_slice", "x[-2:]", "[1.0, 2.0]", x=X3)
grad_case("index_step_slice", "x[::2]", "[1.0, 2.0]", x=X3)
grad_case("index_list_with_repeats", "x[[0, 2, 0]]", "[1.0, 2.0, 3.0]", x=X3)
grad_case("index_int_tensor", "x[torch.tensor([2, 0])]", "[1.0, 2.0]", names=False, x=X3)
grad_case("index_ndarray", "x[np.array([1, 2])]", "[1.0, 2.0]", names=False, x=X3)
grad_case("index_bool_mask", "x[x > 0]", "[1.0, 2.0]", x=X3)
grad_case("index_row", "x[0]", W3, x=X23)
grad_case("index_column", "x[:, 1]", "[1.0, 2.0]", x=X23)
grad_case("index_element", "x[1, 2]", "5.0", x=X23)
grad_case("index_negative_element", "x[-1, -1]", "5.0", x=X23)
grad_case("index_2d_slices", "x[1:, :2]", "[[1.0, 2.0]]", x=X23)
grad_case("index_row_then_slice", "x[1, 1:]", "[1.0, 2.0]", x=X23)
grad_case("index_column_list", "x[:, [0, 2]]", "[[1.0, 2.0], [3.0, 4.0]]", x=X23)
grad_case("index_pairs_of_lists", "x[[0, 1, 1], [2, 0, 2]]", "[1.0, 2.0, 3.0]", x=X23)
grad_case("index_2d_bool_mask", "x[x > 0.4]", "[1.0, 2.0, 3.0]", x=X23)
grad_case("index_row_bool_mask", "x[torch.tensor([False, True])]", "[[1.0, 2.0, 3.0]]",
          names=False, x=X23)

case("index_int_tensor_values", """
    t = torch.tensor([[10, 20, 30], [40, 50, 60]])
    out = {"t[1]": t[1], "t[:, -1]": t[:, -1], "t[t > 25]": t[t > 25], "t[0, 1]": t[0, 1]}
""")

error_case("index_out_of_range", """
    torch.tensor([1.0, 2.0, 3.0])[5]
""", None, ("IndexError", "ValueError", "RuntimeError"))

error_case("index_out_of_range_second_dim", """
    torch.ones(2, 3)[:, 3]
""", None, ("IndexError", "ValueError", "RuntimeError"))


# =======================================================================================
# cat and stack.
# =======================================================================================

case("cat_dim0_different_lengths", """
    a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    b = torch.tensor([[7.0, 8.0, 9.0]], requires_grad=True)
    c = torch.cat([a, b])
    (c * torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [-1.0, -2.0, -3.0]])).sum().backward()
    out = {"c": c, "a.grad": a.grad, "b.grad": b.grad}
""")

case("cat_dim1_with_constant", """
    a = torch.tensor([[1.0], [2.0]], requires_grad=True)
    k = torch.tensor([[5.0, 6.0], [7.0, 8.0]])
    c = torch.cat((a, k, a), dim=1)
    (c * torch.tensor([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]])).sum().backward()
    out = {"c": c, "a.grad": a.grad, "next_functions": c.grad_fn.next_functions}
""")

case("cat_negative_dim", """
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0], requires_grad=True)
    c = torch.cat([a, b], dim=-1)
    (c * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    out = {"c": c, "a.grad": a.grad, "b.grad": b.grad}
""")

case("stack_dim0", """
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0], requires_grad=True)
    s = torch.stack([a, b])
    (s * torch.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    out = {"s": s, "a.grad": a.grad, "b.grad": b.grad}
""")

case("stack_dim1_and_negative", """
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = torch.tensor([[5.0, 6.0], [7.0, 8.0]], requires_grad=True)
    s = torch.stack((a, b), dim=1)
    t = torch.stack([a, b], dim=-1)
    (s * torch.arange(8.0).reshape(2, 2, 2)).sum().backward()
    out = {"s": s, "shape -1": list(t.shape), "t": t.detach(), "a.grad": a.grad, "b.grad": b.grad}
""")

error_case("cat_mismatched_sizes", """
    torch.cat([torch.ones(2, 3), torch.ones(2, 2)])
""", None, ("RuntimeError", "ValueError"))

error_case("stack_mismatched_sizes", """
    torch.stack([torch.ones(2), torch.ones(3)])
""", None, ("RuntimeError", "ValueError"))


# =======================================================================================
# matmul.
# =======================================================================================

grad_case("matmul_2d_2d", "a @ b", "[[1.0, 2.0], [3.0, 4.0]]", a=X23, b=W32)
grad_case("matmul_module_form", "torch.matmul(a, b)", "[[1.0, -1.0], [0.5, 2.0]]", a=X23, b=W32)
grad_case("matmul_1d_1d", "a @ b", "2.0", names=False, a=X3, b=W3)
grad_case("matmul_2d_1d", "a @ b", "[1.0, -1.0]", names=False, a=X23, b=W3)
grad_case("matmul_1d_2d", "a @ b", W3, names=False, a="[1.0, -2.0]", b=X23)
W222 = "[[[1.0, 2.0], [3.0, 4.0]], [[-1.0, 0.5], [0.25, 2.0]]]"
A223 = "[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[-1.0, 0.5, 2.0], [0.0, 1.5, -2.0]]]"
B232 = "[[[1.0, 0.0], [0.5, 2.0], [-1.0, 1.0]], [[2.0, 1.0], [0.0, -1.0], [1.5, 0.5]]]"
grad_case("matmul_batched", "a @ b", W222, names=False, a=A223, b=B232)
grad_case("matmul_batched_broadcast_matrix", "a @ b", W222, names=False, a=A223, b=W32)
grad_case("matmul_broadcast_batch_dim", "a @ b", W222, names=False, a="[" + X23 + "]", b=B232)
grad_case("matmul_float64", "a @ b", "[[1.0, 2.0], [3.0, 4.0]]", dtype="float64", a=X23, b=W32)

error_case("matmul_shape_mismatch", """
    torch.ones(2, 3) @ torch.ones(2, 3)
""", None, ("RuntimeError", "ValueError"))

error_case("broadcast_mismatch", """
    torch.ones(2, 3) + torch.ones(2)
""", None, ("RuntimeError", "ValueError"))

error_case("sum_bad_dim", """
    torch.ones(2, 3).sum(dim=2)
""", None, ("IndexError", "ValueError", "RuntimeError"))

error_case("reshape_wrong_numel", """
    torch.ones(6).reshape(4, 2)
""", None, ("RuntimeError", "ValueError"))

error_case("expand_non_singleton", """
    torch.ones(2, 3).expand(3, 3)
""", None, ("RuntimeError", "ValueError"))


# =======================================================================================
# The graph: grad_fn, next_functions, AccumulateGrad, leaves.
# =======================================================================================

case("graph_grad_fn_names", """
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    exprs = {"x + 1": x + 1, "x - 1": x - 1, "x * 2": x * 2, "x / 2": x / 2, "-x": -x,
             "x ** 2": x ** 2, "x ** x": x ** x, "exp": x.exp(), "log": x.log(), "tanh": x.tanh(),
             "sigmoid": x.sigmoid(), "relu": x.relu(), "sqrt": x.sqrt(), "abs": x.abs(),
             "clamp": x.clamp(0, 1), "sum": x.sum(), "sum(dim)": x.sum(dim=0), "mean": x.mean(),
             "mean(dim)": x.mean(dim=1), "max": x.max(), "max(dim)": x.max(dim=0)[0],
             "min": x.min(),
             "x @ x": x @ x, "reshape": x.reshape(4), "view": x.view(4), "flatten": x.flatten(),
             "T": x.T, "transpose": x.transpose(0, 1), "permute": x.permute(1, 0),
             "unsqueeze": x.unsqueeze(0), "squeeze": x.unsqueeze(0).squeeze(0),
             "expand": x.expand(3, 2, 2), "x[0]": x[0], "x[:, 1]": x[:, 1], "x[1:]": x[1:],
             "x[[0, 1]]": x[[0, 1]], "x[x > 1]": x[x > 1], "cat": torch.cat([x, x]),
             "stack": torch.stack([x, x]), "where": torch.where(x > 2, x, x * 0)}
    out = {name: type(t.grad_fn).__name__ for name, t in exprs.items()}
""")

case("graph_name_method", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).sum()
    out = {"name()": y.grad_fn.name(), "type name": type(y.grad_fn).__name__,
           "repr": repr(y), "grad_fn": y.grad_fn}
""")

case("graph_next_functions_mul_by_python_number", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    out = {"next_functions": y.grad_fn.next_functions,
           "len": len(y.grad_fn.next_functions),
           "variable is x": y.grad_fn.next_functions[0][0].variable is x}
""")

case("graph_next_functions_shapes", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    c = torch.tensor([5.0, 6.0])
    out = {"x * w": (x * w).grad_fn.next_functions, "x * c": (x * c).grad_fn.next_functions,
           "c * x": (c * x).grad_fn.next_functions, "x + 1": (x + 1).grad_fn.next_functions,
           "x - w": (x - w).grad_fn.next_functions, "x / 2": (x / 2).grad_fn.next_functions,
           "exp": x.exp().grad_fn.next_functions, "sum": x.sum().grad_fn.next_functions,
           "x ** 2": (x ** 2).grad_fn.next_functions, "x ** w": (x ** w).grad_fn.next_functions,
           "cat": torch.cat([x, c, w]).grad_fn.next_functions}
""")

case("graph_next_functions_chain", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = ((x * 2) + 1).exp().sum()
    chain = []
    node = y.grad_fn
    while node is not None:
        chain.append(type(node).__name__)
        node = node.next_functions[0][0] if node.next_functions else None
    out = {"chain": chain, "AccumulateGrad has no inputs": len(y.grad_fn.next_functions[0][0]
           .next_functions[0][0].next_functions[0][0].next_functions[0][0].next_functions)}
""")

case("graph_accumulate_grad_shared", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = x + 1
    acc = a.grad_fn.next_functions[0][0]
    out = {"shared": acc is b.grad_fn.next_functions[0][0], "variable is x": acc.variable is x,
           "leaf grad_fn": x.grad_fn, "name": type(acc).__name__}
""")

case("graph_same_input_twice", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    first, second = y.grad_fn.next_functions
    out = {"next_functions": y.grad_fn.next_functions, "same node": first[0] is second[0]}
""")

case("graph_leaves_and_requires_grad", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    c = torch.tensor([3.0, 4.0])
    y = x * c
    k = c * 2
    out = {"x": (x.is_leaf, x.requires_grad), "c": (c.is_leaf, c.requires_grad),
           "y": (y.is_leaf, y.requires_grad), "k": (k.is_leaf, k.requires_grad, k.grad_fn),
           "detached": (y.detach().is_leaf, y.detach().requires_grad)}
""")

case("graph_no_grad_for_comparisons_and_argmax", """
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = {"x > 1": x > 1, "argmax": x.argmax(), "(x * 2) == 2": (x * 2) == 2}
""")


# =======================================================================================
# backward: gradient argument, accumulation, retain_graph, freed saved tensors.
# =======================================================================================

case("backward_scalar_default_gradient", """
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    out = {"x.grad": x.grad}
""")

case("backward_ones_equals_sum", """
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.exp() * x
    y.backward(torch.ones_like(y))
    with_ones = x.grad
    x.grad = None
    (x.exp() * x).sum().backward()
    out = {"with ones": with_ones, "with sum": x.grad}
""")

case("backward_gradient_keyword_2d", """
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x ** 2
    y.backward(gradient=torch.tensor([[1.0, 0.0], [0.5, -1.0]]))
    out = {"x.grad": x.grad}
""")

case("backward_zero_dim_with_explicit_gradient", """
    x = torch.tensor(3.0, requires_grad=True)
    y = x ** 2
    y.backward(torch.tensor(2.0))
    out = {"x.grad": x.grad}
""")

case("backward_accumulates_across_graphs", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    first = x.grad.tolist()
    (x * 3).sum().backward()
    out = {"first": first, "accumulated": x.grad}
""")

case("backward_grad_none_resets", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    x.grad = None
    (x * 3).sum().backward()
    out = {"x.grad": x.grad}
""")

case("backward_grad_zero_resets", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    x.grad.zero_()
    zeroed = x.grad.tolist()
    (x * 3).sum().backward()
    out = {"zeroed": zeroed, "x.grad": x.grad}
""")

case("backward_retain_graph_twice_doubles", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    out = {"x.grad": x.grad}
""")

case("backward_graph_without_saved_tensors_twice", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    s = (x + 1).sum()
    s.backward()
    s.backward()
    out = {"x.grad": x.grad}
""")

error_case("backward_second_time_after_free", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    s = (x * x).sum()
    s.backward()
    s.backward()
""", "Trying to backward through the graph a second time")

error_case("backward_second_time_mul_by_number", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).exp().sum()
    y.backward()
    y.backward()
""", "Trying to backward through the graph a second time")

error_case("backward_non_scalar_without_gradient", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).backward()
""", "grad can be implicitly created only for scalar outputs")

error_case("backward_gradient_wrong_shape", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).backward(torch.ones(3))
""", "Mismatch in shape: grad_output[0] has a shape of")

error_case("backward_on_tensor_without_grad", """
    torch.ones(2).sum().backward()
""", "element 0 of tensors does not require grad and does not have a grad_fn")

case("backward_reused_node_sums_paths", """
    a = torch.tensor([1.0, -2.0], requires_grad=True)
    b = a + a
    b.sum().backward()
    first = a.grad.tolist()
    a.grad = None
    c = a * a + a
    c.sum().backward()
    out = {"a + a": first, "a * a + a": a.grad}
""")

case("backward_diamond", """
    x = torch.tensor(2.0, requires_grad=True)
    y = x * 3
    z = y * y + y.exp() + y
    z.backward()
    out = {"z": z, "x.grad": x.grad}
""")

case("backward_inputs_argument", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    (x * w).sum().backward(inputs=[x])
    out = {"x.grad": x.grad, "w.grad": w.grad}
""")

case("backward_grad_dtype_and_shape_follow_leaf", """
    x = torch.tensor([[1.0], [2.0]], dtype=torch.float64, requires_grad=True)
    (x * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
    out = {"x.grad": x.grad}
""")

case("backward_leaf_grad_is_none_before_backward", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    out = {"x.grad": x.grad, "y.requires_grad": y.requires_grad}
""")

case("backward_mean_of_chain_float64", """
    x = torch.tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], dtype=torch.float64, requires_grad=True)
    y = (x.tanh() * x.exp() + x.sigmoid() / (x + 1)).mean()
    y.backward()
    out = {"y": y, "x.grad": x.grad}
""")


# =======================================================================================
# Non-leaves: retain_grad and the warning on reading .grad.
# =======================================================================================

case("retain_grad_non_leaf", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    z = (y * y).sum()
    z.backward()
    out = {"y.grad": y.grad, "x.grad": x.grad, "y.retains_grad": y.retains_grad,
           "x.retains_grad": x.retains_grad}
""")

case("retain_grad_no_warning", """
    import warnings
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    y.sum().backward()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        g = y.grad
    out = {"y.grad": g, "warnings": len(caught)}
""")

warning_case("non_leaf_grad_warns", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.sum().backward()
    out = {"y.grad": y.grad, "x.grad": x.grad}
""", "UserWarning", ".retain_grad()")

error_case("retain_grad_without_requires_grad", """
    torch.tensor([1.0, 2.0]).retain_grad()
""", "can't retain_grad on Tensor that has requires_grad=False")


# =======================================================================================
# Hooks.
# =======================================================================================

case("hook_observes_gradient", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    seen = []
    y.register_hook(lambda grad: seen.append(grad))
    (y * torch.tensor([1.0, -1.0])).sum().backward()
    out = {"seen": seen, "x.grad": x.grad}
""")

case("hook_on_leaf_changes_gradient", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda grad: grad * 2)
    (x * x).sum().backward()
    out = {"x.grad": x.grad}
""")

case("hook_on_non_leaf_changes_gradient", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.register_hook(lambda grad: grad + 1)
    y.sum().backward()
    out = {"x.grad": x.grad}
""")

case("hook_handle_remove", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    handle = x.register_hook(lambda grad: grad * 100)
    handle.remove()
    (x * 2).sum().backward()
    out = {"x.grad": x.grad}
""")

case("hook_two_hooks_run_in_order", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    y.register_hook(lambda grad: grad + 1)
    y.register_hook(lambda grad: grad * 10)
    y.sum().backward()
    out = {"x.grad": x.grad}
""")

error_case("hook_changes_size", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    def hook(grad):
        return torch.ones(3)
    x.register_hook(hook)
    (x * 2).sum().backward()
""", "has changed the size of value")


# =======================================================================================
# In-place operations and version counters.
# =======================================================================================

MODIFIED_INPLACE = ("one of the variables needed for gradient computation"
                    " has been modified by an inplace operation")

error_case("inplace_add_on_leaf", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.add_(1)
""", "a leaf Variable that requires grad is being used in an in-place operation.")

error_case("inplace_iadd_on_leaf", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x += 1
""", "a leaf Variable that requires grad is being used in an in-place operation.")

error_case("inplace_zero_on_leaf", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.zero_()
""", "a leaf Variable that requires grad is being used in an in-place operation.")

error_case("inplace_setitem_on_leaf", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x[0] = 5.0
""", "leaf Variable that requires grad is being used in an in-place operation.")

case("inplace_on_leaf_under_no_grad", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    with torch.no_grad():
        x.sub_(0.1 * x.grad)
        x -= 0.5
        x *= 2
        x /= 4
    out = {"x": x, "grad_fn": x.grad_fn, "is_leaf": x.is_leaf}
""")

case("inplace_fill_zero_copy_under_no_grad", """
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with torch.no_grad():
        x.fill_(4.0)
        filled = x.tolist()
        x.zero_()
        zeroed = x.tolist()
        x.copy_(torch.tensor([7.0, 8.0, 9.0]))
        x[1] = -1.0
    out = {"filled": filled, "zeroed": zeroed, "x": x}
""")

case("inplace_ops_on_plain_tensor", """
    t = torch.zeros(3)
    t += torch.tensor([1.0, 2.0, 3.0])
    t -= 1
    t *= 3
    t /= 2
    t.add_(torch.tensor([1.0, 1.0, 1.0]))
    t.mul_(2)
    t.div_(4)
    t[0] = 10.0
    t[1:] = torch.tensor([20.0, 30.0])
    out = {"t": t}
""")

case("inplace_on_non_leaf_is_recorded", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.mul_(3)
    y.add_(1)
    y.sum().backward()
    out = {"y": y, "x.grad": x.grad, "y.is_leaf": y.is_leaf}
""")

case("inplace_iadd_isub_on_non_leaf", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y += x
    y -= 1
    y *= x
    (y * torch.tensor([1.0, 2.0])).sum().backward()
    out = {"y": y.detach(), "x.grad": x.grad}
""")

case("inplace_setitem_on_non_leaf", """
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    y[0] = 0.0
    (y * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    out = {"y": y.detach(), "x.grad": x.grad}
""")

case("inplace_setitem_with_tensor_requiring_grad", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.zeros(4)
    y[1:3] = x * 5
    (y * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    out = {"y": y.detach(), "y.requires_grad": y.requires_grad, "x.grad": x.grad}
""")

case("inplace_on_tensor_not_saved_is_fine", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = a + 1
    a.add_(10)
    b.sum().backward()
    out = {"a": a, "b": b, "x.grad": x.grad}
""")

error_case("inplace_modifies_saved_output", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    y.sum().backward()
""", MODIFIED_INPLACE)

error_case("inplace_modifies_saved_input", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = a * a
    a.mul_(2)
    b.sum().backward()
""", MODIFIED_INPLACE)

error_case("inplace_modifies_saved_leaf_under_no_grad", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    with torch.no_grad():
        x.add_(1)
    y.backward()
""", MODIFIED_INPLACE)


# =======================================================================================
# detach, requires_grad_, grad modes.
# =======================================================================================

case("detach_properties", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    out = {"d": d, "d.grad_fn": d.grad_fn, "y still tracks": y.requires_grad}
""")

case("detach_shares_data", """
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    d = x.detach()
    d.zero_()
    out = {"x": x}
""")

case("detach_stops_gradient", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * x.detach()
    y.sum().backward()
    out = {"x.grad": x.grad}
""")

case("requires_grad_underscore", """
    t = torch.ones(2)
    r = t.requires_grad_()
    first = (t.requires_grad, t.is_leaf, r is t)
    t.requires_grad_(False)
    w = (torch.arange(3.0) * 2).requires_grad_()
    (w * w).sum().backward()
    out = {"first": first, "after False": t.requires_grad, "w": w, "w.grad": w.grad}
""")

case("requires_grad_attribute_assignment", """
    t = torch.tensor([1.0, 2.0])
    t.requires_grad = True
    (t * 3).sum().backward()
    out = {"t": t, "t.grad": t.grad}
""")

case("no_grad_context", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        y = x * 2
        inside = torch.is_grad_enabled()
    out = {"y": y, "inside": inside, "after": torch.is_grad_enabled(), "z": x * 2}
""")

case("no_grad_decorator", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    @torch.no_grad()
    def double(t):
        return t * 2
    out = {"y": double(x), "enabled after": torch.is_grad_enabled()}
""")

case("enable_grad_inside_no_grad", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        with torch.enable_grad():
            y = x * 2
        z = x * 2
    out = {"y": y, "z": z}
""")

case("enable_grad_decorator", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    @torch.enable_grad()
    def double(t):
        return t * 2
    with torch.no_grad():
        y = double(x)
    out = {"y": y}
""")

case("set_grad_enabled_context_and_call", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.set_grad_enabled(False):
        a = x * 2
    with torch.set_grad_enabled(True):
        b = x * 2
    torch.set_grad_enabled(False)
    c = x * 2
    disabled = torch.is_grad_enabled()
    torch.set_grad_enabled(True)
    d = x * 2
    out = {"a": a.requires_grad, "b": b.requires_grad, "c": c.requires_grad, "disabled": disabled,
           "d": d.requires_grad}
""")

case("set_grad_enabled_decorator", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    @torch.set_grad_enabled(False)
    def double(t):
        return t * 2
    out = {"y": double(x), "after": torch.is_grad_enabled()}
""")

case("no_grad_restored_after_exception", """
    try:
        with torch.no_grad():
            raise ValueError("boom")
    except ValueError:
        pass
    out = {"enabled": torch.is_grad_enabled()}
""")

error_case("no_grad_result_cannot_backward", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        y = (x * 2).sum()
    y.backward()
""", "element 0 of tensors does not require grad and does not have a grad_fn")


# =======================================================================================
# autograd.grad, autograd.backward, higher-order derivatives.
# =======================================================================================

case("autograd_grad_basic_leaves_grad_alone", """
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    g = torch.autograd.grad((x ** 2).sum(), x)
    out = {"g": g, "type": type(g).__name__, "x.grad": x.grad}
""")

case("autograd_grad_two_inputs", """
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0], requires_grad=True)
    ga, gb = torch.autograd.grad((a * b + b.exp()).sum(), [a, b])
    out = {"ga": ga, "gb": gb}
""")

case("autograd_grad_outputs_vector", """
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x ** 2
    (g,) = torch.autograd.grad(y, x, grad_outputs=torch.tensor([1.0, 0.5, -1.0]))
    out = {"g": g}
""")

case("autograd_grad_several_outputs", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y1 = (x * 2).sum()
    y2 = (x ** 3).sum()
    (g,) = torch.autograd.grad([y1, y2], [x])
    out = {"g": g}
""")

case("autograd_grad_allow_unused", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    z = torch.tensor([3.0], requires_grad=True)
    gx, gz = torch.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)
    out = {"gx": gx, "gz": gz}
""")

error_case("autograd_grad_unused_input", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    z = torch.tensor([3.0], requires_grad=True)
    torch.autograd.grad((x * 2).sum(), [x, z])
""", "appears to not have been used in the graph. Set allow_unused=True")

error_case("autograd_grad_non_scalar_without_grad_outputs", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    torch.autograd.grad(x * 2, x)
""", "grad can be implicitly created only for scalar outputs")

case("autograd_grad_retain_graph_then_backward", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    (g,) = torch.autograd.grad(y, x, retain_graph=True)
    y.backward()
    out = {"g": g, "x.grad": x.grad}
""")

error_case("autograd_grad_frees_graph", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    torch.autograd.grad(y, x)
    torch.autograd.grad(y, x)
""", "Trying to backward through the graph a second time")

case("higher_order_x_cubed", """
    x = torch.tensor(2.0, requires_grad=True)
    y = x ** 3
    (d1,) = torch.autograd.grad(y, x, create_graph=True)
    (d2,) = torch.autograd.grad(d1, x, create_graph=True)
    (d3,) = torch.autograd.grad(d2, x)
    out = {"d1": d1.detach(), "d1.requires_grad": d1.requires_grad, "d2": d2.detach(), "d3": d3}
""")

case("higher_order_x_cubed_vector", """
    x = torch.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    (d1,) = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
    (d2,) = torch.autograd.grad(d1.sum(), x, create_graph=True)
    (d3,) = torch.autograd.grad(d2.sum(), x)
    out = {"d1": d1.detach(), "d2": d2.detach(), "d3": d3}
""")

case("higher_order_tanh", """
    x = torch.tensor(0.5, requires_grad=True)
    y = torch.tanh(x)
    (d1,) = torch.autograd.grad(y, x, create_graph=True)
    (d2,) = torch.autograd.grad(d1, x, create_graph=True)
    (d3,) = torch.autograd.grad(d2, x)
    out = {"y": y.detach(), "d1": d1.detach(), "d2": d2.detach(), "d3": d3}
""")

case("higher_order_tanh_float64", """
    x = torch.tensor([0.5, -1.0], dtype=torch.float64, requires_grad=True)
    (d1,) = torch.autograd.grad(x.tanh().sum(), x, create_graph=True)
    (d2,) = torch.autograd.grad(d1.sum(), x, create_graph=True)
    (d3,) = torch.autograd.grad(d2.sum(), x)
    out = {"d1": d1.detach(), "d2": d2.detach(), "d3": d3}
""")

case("higher_order_backward_create_graph", """
    x = torch.tensor(3.0, requires_grad=True)
    y = x ** 2 * x.exp()
    y.backward(create_graph=True)
    first = x.grad.detach()
    g = x.grad
    x.grad = None
    g.backward()
    out = {"first": first, "second": x.grad}
""")

case("higher_order_hessian_vector_product", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    f = (x ** 3).sum() + x[0] * x[1]
    (g,) = torch.autograd.grad(f, x, create_graph=True)
    v = torch.tensor([1.0, -1.0])
    (hv,) = torch.autograd.grad((g * v).sum(), x)
    out = {"g": g.detach(), "hv": hv}
""")

case("higher_order_mixed_partial", """
    x = torch.tensor(1.5, requires_grad=True)
    y = torch.tensor(-0.5, requires_grad=True)
    f = x ** 2 * y.exp() + x * y
    (gx,) = torch.autograd.grad(f, x, create_graph=True)
    (gxy,) = torch.autograd.grad(gx, y)
    out = {"gx": gx.detach(), "gxy": gxy}
""")

case("autograd_backward_single", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    torch.autograd.backward((x * x).sum())
    out = {"x.grad": x.grad}
""")

case("autograd_backward_several_with_grad_tensors", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y1 = x * 2
    y2 = x ** 2
    torch.autograd.backward([y1, y2],
                            grad_tensors=[torch.tensor([1.0, 1.0]), torch.tensor([0.5, 2.0])])
    out = {"x.grad": x.grad}
""")


# =======================================================================================
# Custom autograd.Function.
# =======================================================================================

MY_EXP = """
    class MyExp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            result = x.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            (result,) = ctx.saved_tensors
            return grad_output * result
"""

case("function_custom_exp", MY_EXP + """
    x = torch.tensor([0.0, 1.0, -1.0], requires_grad=True)
    y = MyExp.apply(x)
    (y * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    out = {"y": y, "x.grad": x.grad, "name": type(y.grad_fn).__name__,
           "next_functions": y.grad_fn.next_functions}
""")

case("function_custom_in_a_chain", MY_EXP + """
    x = torch.tensor([0.5, -0.5], requires_grad=True)
    y = MyExp.apply(x * 2).sum()
    y.backward()
    out = {"y": y.detach(), "x.grad": x.grad}
""")

case("function_custom_non_tensor_argument", """
    class Scale(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, factor):
            ctx.factor = factor
            return x * factor

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * ctx.factor, None

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = Scale.apply(x, 3.0)
    y.sum().backward()
    out = {"y": y.detach(), "y.requires_grad": y.requires_grad, "x.grad": x.grad}
""")

case("function_custom_two_tensor_inputs", """
    class MulAdd(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b + a

        @staticmethod
        def backward(ctx, grad_output):
            a, b = ctx.saved_tensors
            return grad_output * (b + 1), grad_output * a

    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, -1.0], requires_grad=True)
    y = MulAdd.apply(a, b)
    (y * torch.tensor([1.0, 10.0])).sum().backward()
    out = {"y": y.detach(), "a.grad": a.grad, "b.grad": b.grad, "name": type(y.grad_fn).__name__}
""")

case("function_custom_input_without_grad", MY_EXP + """
    y = MyExp.apply(torch.tensor([0.0, 1.0]))
    out = {"y": y}
""")


# =======================================================================================
# autograd.functional.
# =======================================================================================

case("functional_jacobian_elementwise", """
    def f(x):
        return x ** 2 * torch.tensor([1.0, 2.0, 3.0])
    x = torch.tensor([1.0, -1.0, 0.5])
    out = {"J": torch.autograd.functional.jacobian(f, x)}
""")

case("functional_jacobian_r2_to_r3", """
    def f(x):
        return torch.stack([x[0] * x[1], x[0] ** 2, x[1].exp()])
    out = {"J": torch.autograd.functional.jacobian(f, torch.tensor([2.0, 0.5]))}
""")

case("functional_jacobian_matrix_input", """
    def f(x):
        return x.sum(dim=0) * torch.tensor([1.0, 2.0, 3.0])
    out = {"J": torch.autograd.functional.jacobian(f, torch.ones(2, 3))}
""")

case("functional_jacobian_two_inputs", """
    def f(a, b):
        return a * b + a
    inputs = (torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))
    ja, jb = torch.autograd.functional.jacobian(f, inputs)
    out = {"ja": ja, "jb": jb}
""")

case("functional_jacobian_linear_map", """
    A = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    out = {"J": torch.autograd.functional.jacobian(lambda x: A @ x, torch.tensor([0.5, -0.5]))}
""")

case("functional_hessian", """
    def f(x):
        return (x ** 3).sum() + x[0] * x[1]
    out = {"H": torch.autograd.functional.hessian(f, torch.tensor([1.0, 2.0]))}
""")

case("functional_hessian_float64", """
    def f(x):
        return (x.tanh() * x.exp()).sum()
    x = torch.tensor([0.5, -0.25], dtype=torch.float64)
    out = {"H": torch.autograd.functional.hessian(f, x)}
""")

case("functional_vjp", """
    def f(x):
        return torch.stack([x[0] * x[1], x[0] ** 2, x[1].exp()])
    value, product = torch.autograd.functional.vjp(
        f, torch.tensor([2.0, 0.5]), torch.tensor([1.0, -1.0, 0.5]))
    out = {"value": value, "vjp": product}
""")

case("functional_vjp_scalar_output_default_v", """
    def f(x):
        return (x ** 2).sum()
    value, product = torch.autograd.functional.vjp(f, torch.tensor([1.0, 2.0, 3.0]))
    out = {"value": value, "vjp": product}
""")

case("functional_jvp", """
    def f(x):
        return torch.stack([x[0] * x[1], x[0] ** 2, x[1].exp()])
    value, product = torch.autograd.functional.jvp(
        f, torch.tensor([2.0, 0.5]), torch.tensor([1.0, -1.0]))
    out = {"value": value, "jvp": product}
""")

case("functional_jvp_chain", """
    def f(x):
        return (x.tanh() * x.exp() + x.sigmoid()) / (x ** 2 + 1)
    value, product = torch.autograd.functional.jvp(
        f, torch.tensor([0.5, -1.0, 2.0]), torch.tensor([1.0, 0.5, -2.0]))
    out = {"value": value, "jvp": product}
""")

case("functional_jvp_matmul_float64", """
    A = torch.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=torch.float64)
    def f(x):
        return (A @ x).exp()
    x = torch.tensor([0.1, 0.2], dtype=torch.float64)
    v = torch.tensor([1.0, 0.0], dtype=torch.float64)
    value, product = torch.autograd.functional.jvp(f, x, v)
    out = {"value": value, "jvp": product}
""")


# =======================================================================================
# repr and str.
# =======================================================================================

case("repr_float_vector", """
    out = {"repr": repr(torch.tensor([2.0, 4.0, 6.0])), "str": str(torch.tensor([2.0, 4.0, 6.0]))}
""")

case("repr_with_grad_fn", """
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    out = {"y": repr(y), "mean": repr((x * 9).mean()), "sum": repr(y.sum())}
""")

case("repr_requires_grad", """
    out = {"1": repr(torch.tensor([1.0], requires_grad=True)),
           "0-dim": repr(torch.tensor(2.5, requires_grad=True))}
""")

case("repr_float64", """
    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    out = {"plain": repr(torch.tensor([1.0, 2.0], dtype=torch.float64)), "requires_grad": repr(x),
           "grad_fn": repr(x * 2),
           "decimals": repr(torch.tensor([0.5, 1.0 / 3.0], dtype=torch.float64))}
""")

case("repr_ints_and_bools", """
    out = {"ints": repr(torch.tensor([1, 2, 3])), "negative ints": repr(torch.tensor([-1, 20, 3])),
           "bools": repr(torch.tensor([True, False])), "0-dim int": repr(torch.tensor(3)),
           "0-dim bool": repr(torch.tensor(True)), "comparison": repr(torch.tensor([1.0, 2.0]) > 1)}
""")

case("repr_2d", """
    out = {"float": repr(torch.tensor([[1.0, 2.0], [3.0, 4.0]])),
           "int": repr(torch.tensor([[1, 2], [3, 4]])),
           "3-D": repr(torch.arange(8.0).reshape(2, 2, 2))}
""")

case("repr_decimals_and_negatives", """
    out = {"decimals": repr(torch.tensor([0.5, 1.25, -3.0])),
           "negative": repr(torch.tensor([-1.0, 2.0])),
           "thirds": repr(torch.tensor([1.0 / 3.0, 2.0 / 3.0])), "0-dim": repr(torch.tensor(3.0)),
           "0-dim decimal": repr(torch.tensor(0.125))}
""")

case("repr_scientific", """
    out = {"small": repr(torch.tensor([1.6667e-02, 1.4286e-01, 1.25e-05])),
           "large": repr(torch.tensor([1e10, 1.0])),
           "wide range": repr(torch.tensor([123456.7, 1.5]))}
""")

case("repr_nan_inf_empty", """
    out = {"nan inf": repr(torch.tensor([float("nan"), float("inf"), 1.0])),
           "empty": repr(torch.tensor([])), "zeros": repr(torch.zeros(3))}
""")

case("repr_line_wrapping", """
    out = {"20 floats": repr(torch.arange(20.0))}
""")

case("repr_grad_after_backward", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    out = {"grad": repr(x.grad)}
""")

case("repr_parameter", """
    p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    out = {"repr": repr(p)}
""")

case("repr_dtype_and_shape", """
    x = torch.zeros(2, 3)
    out = {"dtype": repr(x.dtype), "float64": str(torch.float64), "shape": repr(x.shape)}
""")


# =======================================================================================
# nn.functional.
# =======================================================================================

LOGITS = "[[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]]"

grad_case("nnf_softmax_dim1", "torch.nn.functional.softmax(x, dim=1)", W23, x=LOGITS)
grad_case("nnf_softmax_dim0", "torch.nn.functional.softmax(x, dim=0)", W23, x=LOGITS)
grad_case("nnf_log_softmax_dim1", "torch.nn.functional.log_softmax(x, dim=1)", W23, x=LOGITS)
grad_case("nnf_log_softmax_dim_negative", "torch.nn.functional.log_softmax(x, dim=-1)", W3, x=X3)
grad_case("nnf_log_softmax_large_values_stable", "torch.nn.functional.log_softmax(x, dim=1)", W23,
          x="[[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]]")
grad_case("nnf_softmax_large_values_stable", "torch.nn.functional.softmax(x, dim=-1)", W3,
          x="[1000.0, 1001.0, 1002.0]")
grad_case("nnf_log_softmax_float64", "torch.nn.functional.log_softmax(x, dim=1)", W23,
          dtype="float64", x=LOGITS)
grad_case("nnf_relu_tanh_sigmoid",
          "torch.nn.functional.relu(x)"
          " + torch.nn.functional.tanh(x) * torch.nn.functional.sigmoid(x)",
          W23, x=X23)

case("nnf_cross_entropy", """
    logits = torch.tensor([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]], requires_grad=True)
    target = torch.tensor([0, 2])
    loss = torch.nn.functional.cross_entropy(logits, target)
    loss.backward()
    out = {"loss": loss, "grad": logits.grad}
""")

case("nnf_cross_entropy_large_logits", """
    logits = torch.tensor([[1000.0, 0.0, -1000.0], [0.0, 500.0, 0.0]], requires_grad=True)
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor([1, 1]))
    loss.backward()
    out = {"loss": loss, "grad": logits.grad}
""")

case("nnf_cross_entropy_float64", """
    logits = torch.tensor([[0.1, 0.2, 0.3, 0.4], [2.0, -1.0, 0.5, 0.0], [0.0, 0.0, 0.0, 0.0]],
                          dtype=torch.float64, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor([3, 0, 2]))
    loss.backward()
    out = {"loss": loss, "grad": logits.grad}
""")

case("nnf_bce_with_logits", """
    z = torch.tensor([0.5, -1.0, 2.0, 0.0], requires_grad=True)
    y = torch.tensor([1.0, 0.0, 0.0, 1.0])
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    loss.backward()
    out = {"loss": loss, "grad": z.grad}
""")

case("nnf_bce_with_logits_large_logits_stable", """
    z = torch.tensor([100.0, -100.0, 0.5], requires_grad=True)
    y = torch.tensor([0.0, 1.0, 1.0])
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    loss.backward()
    out = {"loss": loss, "grad": z.grad}
""")

case("nnf_bce_with_logits_2d_soft_targets", """
    z = torch.tensor([[0.5, -1.0], [2.0, 0.0]], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([[0.25, 0.0], [1.0, 0.5]], dtype=torch.float64)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    loss.backward()
    out = {"loss": loss, "grad": z.grad}
""")

case("nnf_mse_loss", """
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = torch.tensor([[1.5, 1.0], [3.0, 6.0]], requires_grad=True)
    loss = torch.nn.functional.mse_loss(a, b)
    loss.backward()
    out = {"loss": loss, "a.grad": a.grad, "b.grad": b.grad}
""")


# =======================================================================================
# nn modules.
# =======================================================================================

LINEAR_3_2 = """
    layer = torch.nn.Linear(3, 2)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]))
        layer.bias.copy_(torch.tensor([0.01, -0.02]))
"""

case("nn_linear_forward_backward", LINEAR_3_2 + """
    x = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])
    y = layer(x)
    (y * torch.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    out = {"y": y.detach(), "y.requires_grad": y.requires_grad, "weight.grad": layer.weight.grad,
           "bias.grad": layer.bias.grad}
""")

case("nn_linear_1d_input", LINEAR_3_2 + """
    y = layer(torch.tensor([1.0, 0.0, -1.0]))
    y.sum().backward()
    out = {"y": y.detach(), "weight.grad": layer.weight.grad, "bias.grad": layer.bias.grad}
""")

case("nn_linear_parameters", LINEAR_3_2 + """
    out = {"names": [name for name, _ in layer.named_parameters()],
           "shapes": [list(p.shape) for p in layer.parameters()],
           "weight": layer.weight, "bias": layer.bias,
           "type": type(layer.weight).__name__,
           "isinstance Parameter": isinstance(layer.weight, torch.nn.Parameter),
           "isinstance Tensor": isinstance(layer.weight, torch.Tensor)}
""")

case("nn_linear_init_bounds", """
    torch.manual_seed(0)
    layer = torch.nn.Linear(4, 3)
    bound = 1 / math.sqrt(4)
    out = {"weight shape": list(layer.weight.shape), "bias shape": list(layer.bias.shape),
           "weight in bounds": bool((layer.weight.abs() <= bound).sum().item() == 12),
           "bias in bounds": bool((layer.bias.abs() <= bound).sum().item() == 3),
           "requires_grad": layer.weight.requires_grad and layer.bias.requires_grad}
""")

case("nn_parameter", """
    p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    (p * p).sum().backward()
    out = {"p": p, "grad": p.grad, "isinstance Tensor": isinstance(p, torch.Tensor)}
""")

case("nn_sequential_mlp", """
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    values = [torch.tensor([[0.5, -0.5], [1.0, 0.25], [-0.75, 0.5]]),
              torch.tensor([0.1, 0.0, -0.2]),
              torch.tensor([[1.0, -1.0, 0.5]]),
              torch.tensor([0.3])]
    with torch.no_grad():
        for p, v in zip(model.parameters(), values):
            p.copy_(v)
    x = torch.tensor([[1.0, 2.0], [-1.0, 0.5], [0.0, -2.0], [3.0, 1.0]])
    y = model(x)
    loss = torch.nn.functional.mse_loss(y, torch.tensor([[1.0], [0.0], [-1.0], [2.0]]))
    loss.backward()
    out = {"names": [name for name, _ in model.named_parameters()], "y": y.detach(),
           "loss": loss.item(), "grads": [p.grad for p in model.parameters()]}
""")

case("nn_activation_modules", """
    x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    y = torch.nn.ReLU()(x) + torch.nn.Tanh()(x) + torch.nn.Sigmoid()(x)
    y.sum().backward()
    out = {"y": y, "x.grad": x.grad}
""")

case("nn_loss_modules", """
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    mse = torch.nn.MSELoss()(a, torch.tensor([[0.0, 2.0], [1.0, 1.0]]))
    bce = torch.nn.BCEWithLogitsLoss()(a, torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
    ce = torch.nn.CrossEntropyLoss()(a, torch.tensor([1, 0]))
    (mse + bce + ce).backward()
    out = {"mse": mse, "bce": bce, "ce": ce, "a.grad": a.grad}
""")

case("nn_module_zero_grad", LINEAR_3_2 + """
    layer(torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    before = layer.weight.grad.tolist()
    layer.zero_grad()
    out = {"before": before, "weight.grad": layer.weight.grad, "bias.grad": layer.bias.grad}
""")

case("nn_module_train_eval", LINEAR_3_2 + """
    model = torch.nn.Sequential(layer, torch.nn.ReLU())
    model.eval()
    evaluating = (model.training, layer.training)
    model.train()
    out = {"eval": evaluating, "train": (model.training, layer.training)}
""")


# =======================================================================================
# Optimizers.
# =======================================================================================

QUADRATIC = "((w * torch.tensor([1.0, 2.0, 3.0]) - 1) ** 2).sum()"

case("optim_sgd_one_step", f"""
    w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1)
    loss = {QUADRATIC}
    loss.backward()
    opt.step()
    out = {{"w": w, "w.grad": w.grad, "loss": loss.item()}}
""")

case("optim_sgd_momentum_weight_decay_two_steps", f"""
    w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.05, momentum=0.9, weight_decay=0.01)
    history = []
    for _ in range(2):
        opt.zero_grad()
        loss = {QUADRATIC}
        loss.backward()
        opt.step()
        history.append(w.tolist())
    out = {{"history": history, "w": w}}
""")

case("optim_sgd_momentum_float64_three_steps", """
    w = torch.tensor([0.5, -0.5], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.5)
    for _ in range(3):
        opt.zero_grad()
        loss = (w.exp() + w ** 2).sum()
        loss.backward()
        opt.step()
    out = {"w": w}
""")

case("optim_adam_two_steps", f"""
    w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.1)
    history = []
    for _ in range(2):
        opt.zero_grad()
        loss = {QUADRATIC}
        loss.backward()
        opt.step()
        history.append(w.tolist())
    out = {{"history": history, "w": w}}
""")

case("optim_adam_betas_eps_float64", """
    w = torch.tensor([0.5, -0.5, 0.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.01, betas=(0.8, 0.99), eps=1e-6)
    for _ in range(3):
        opt.zero_grad()
        loss = ((w - torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)) ** 2).sum()
        loss.backward()
        opt.step()
    out = {"w": w}
""")

case("optim_zero_grad_set_to_none", """
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.zero_grad()
    none = w.grad
    (w * w).sum().backward()
    opt.zero_grad(set_to_none=False)
    out = {"default": none, "set_to_none=False": w.grad}
""")

case("optim_sgd_on_linear_layer", LINEAR_3_2 + """
    opt = torch.optim.SGD(layer.parameters(), lr=0.5)
    x = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])
    target = torch.tensor([[0.0, 1.0], [1.0, 0.0]])
    losses = []
    for _ in range(2):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(layer(x), target)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    out = {"losses": losses, "weight": layer.weight, "bias": layer.bias}
""")


# =======================================================================================
# Legacy and device idioms of old posts and tutorials (issue 17).
# =======================================================================================

case("legacy_floattensor_as_backward_gradient", """
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    gradients = torch.FloatTensor([0.1, 1.0, 0.0001])
    y.backward(gradients)
    out = {"gradients": gradients, "x.grad": x.grad}
""")

case("legacy_tensor_types", """
    out = {"float from ints": torch.FloatTensor([1, 2]), "double": torch.DoubleTensor([1, 2]),
           "long from floats": torch.LongTensor([1.5, 2]), "shape": torch.FloatTensor(2, 3).shape,
           "empty": torch.FloatTensor(), "from array": torch.FloatTensor(np.array([1.0, 2.0])),
           "isinstance": [isinstance(torch.ones(1), torch.FloatTensor),
                          isinstance(torch.ones(1), torch.DoubleTensor),
                          isinstance(torch.tensor([1]), torch.LongTensor)]}
""")

case("legacy_variable", """
    Variable = torch.autograd.Variable  # (`from torch.autograd import Variable` in a program)
    a = torch.ones(2, 2)
    x = Variable(a, requires_grad=True)
    y = x + 2
    z = (y * y * 3).mean()
    z.backward()
    shares = a.numpy() is not None and np.shares_memory(a.numpy(), x.detach().numpy())
    nonleaf = Variable(y)
    out = {"x is a": x is a, "x": x, "a": a, "shares memory": bool(shares), "x.grad": x.grad,
           "Variable(non-leaf)": nonleaf, "isinstance": isinstance(a, Variable)}
""")

error_case("legacy_variable_of_a_list", """
    Variable = torch.autograd.Variable  # (`from torch.autograd import Variable` in a program)
    Variable([1.0, 2.0])
""", "Variable data has to be a tensor, but got list", types=("TypeError",), exact=True)

case("device_cpu", """
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    x = torch.ones(2, device=device, requires_grad=True)
    y = torch.zeros(2, device="cpu") + torch.tensor([1.0, 2.0], device=device)
    z = (x.to(device) * y.cpu()).sum()
    z.backward()
    out = {"str": str(device), "repr": repr(device), "type": device.type, "index": device.index,
           "x.device": str(x.device), "same": x.to(device) is x and x.cpu() is x,
           "cuda:1": repr(torch.device("cuda:1")), "cuda, 0": str(torch.device("cuda", 0)),
           "is_available": torch.cuda.is_available(), "device_count": torch.cuda.device_count(),
           "x.grad": x.grad, "like": torch.zeros_like(x, device="cpu"),
           "arange": torch.arange(3, device="cpu"), "randn shape": torch.randn(2, 3, device="cpu").shape}
""")

case("device_to_dtype", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x.to(torch.float64)
    b = x.to("cpu", torch.float64)
    c = x.to(device="cpu", dtype=torch.float64)
    d = x.to(torch.zeros(1, dtype=torch.float64))
    (a + b + c + d).sum().backward()
    out = {"a": a, "b": b, "c": c, "d": d, "x.grad": x.grad, "same dtype": x.to(torch.float32) is x}
""")

error_case("device_cuda_factory", """
    torch.zeros(2, device="cuda")
""", "Torch not compiled with CUDA enabled", types=("AssertionError",), exact=True)

error_case("device_cuda_tensor", """
    torch.tensor([1.0], device="cuda:0")
""", "Torch not compiled with CUDA enabled", types=("AssertionError",), exact=True)

error_case("device_to_cuda", """
    torch.ones(2).to("cuda")
""", "Torch not compiled with CUDA enabled", types=("AssertionError",), exact=True)

error_case("device_to_index", """
    torch.ones(2).to(0)
""", "Cannot access accelerator device when none is available.", exact=True)

error_case("device_index_factory", """
    torch.zeros(2, device=0)
""", "Cannot access accelerator device when none is available.", exact=True)

error_case("device_cuda_index", """
    torch.ones(2).cuda(0)
""", "Cannot access accelerator device when none is available.", exact=True)

error_case("device_dot_cuda", """
    torch.ones(2).cuda()
""", "Torch not compiled with CUDA enabled", types=("AssertionError",), exact=True)

error_case("device_to_mps", """
    torch.ones(2).to("mps")
""", "PyTorch is not linked with support for mps devices", exact=True)

error_case("device_unknown", """
    torch.device("gpu")
""", "device type at start of device string: gpu", exact=True)

error_case("device_pin_memory_factory", """
    a = torch.empty(1, requires_grad=True, pin_memory=True)
""", "pin_memory=True requires a CUDA or other accelerator backend", exact=True)

error_case("device_pin_memory_tensor", """
    torch.tensor([1.0], pin_memory=True)
""", "pin_memory=True requires a CUDA or other accelerator backend", exact=True)

error_case("device_pin_memory_method", """
    torch.ones(1).pin_memory()
""", "Cannot access accelerator device when none is available.", exact=True)


# =======================================================================================
# Small API gaps met in tutorials (issue 17): Tensor.mm, narrow, nn.Flatten, input=/other=,
# torch.func.
# =======================================================================================

case("api_tensor_mm_mv_dot", """
    a = torch.tensor([[1.0, 2.0], [3.0, -4.0]], requires_grad=True)
    v = torch.tensor([0.5, -1.5], requires_grad=True)
    y = a.mm(a)
    z = a.mv(v)
    d = v.dot(v)
    ((y * torch.tensor([[1.0, -2.0], [0.5, 3.0]])).sum() + (z * torch.tensor([2.0, -1.0])).sum() + d).backward()
    out = {"y": y, "z": z, "d": d, "a.grad": a.grad, "v.grad": v.grad}
""")

error_case("api_mm_of_a_vector", """
    torch.mm(torch.ones(2), torch.ones(2, 2))
""", "self must be a matrix", exact=True)

error_case("api_mm_by_a_vector", """
    torch.ones(2, 2).mm(torch.ones(2))
""", "mat2 must be a matrix", exact=True)

error_case("api_mv_of_matrices", """
    torch.mv(torch.ones(2, 2), torch.ones(2, 2))
""", "vector + matrix @ vector expected, got 1, 2, 2", exact=True)

error_case("api_mv_size_mismatch", """
    torch.mv(torch.ones(2, 2), torch.ones(3))
""", "size mismatch, got input (2), mat (2x2), vec (3)", exact=True)

case("api_narrow", """
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    a = x.narrow(1, 0, 2)
    b = torch.narrow(x, -1, 1, 1)
    c = x.narrow(0, -1, 1)
    (a.sum() + 2 * b.sum() + 3 * c.sum()).backward()
    out = {"a": a, "b": b, "c": c, "x.grad": x.grad}
""")

error_case("api_narrow_too_long", """
    torch.ones(2, 2).narrow(0, 1, 2)
""", "start (1) + length (2) exceeds dimension size (2).", exact=True)

error_case("api_narrow_start_out_of_range", """
    torch.ones(2, 2).narrow(0, 3, 0)
""", "start out of range (expected to be in range of [-2, 2], but got 3)", types=("IndexError",), exact=True)

case("api_nn_flatten", """
    x = torch.arange(24.0).reshape(2, 3, 4).requires_grad_()
    flat = torch.nn.Flatten()
    y = flat(x)
    z = torch.nn.Flatten(0, 1)(x)
    (y * torch.arange(24.0).reshape(2, 12)).sum().backward()
    out = {"y shape": y.shape, "z shape": z.shape, "repr": repr(flat),
           "repr (0, 1)": repr(torch.nn.Flatten(0, 1)), "x.grad": x.grad,
           "in Sequential": torch.nn.Sequential(torch.nn.Flatten(), torch.nn.ReLU())(x).shape}
""")

case("api_keyword_arguments", """
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = torch.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
    results = [torch.add(input=a, other=b, alpha=2), torch.sub(input=a, other=b, alpha=3),
               torch.mul(input=a, other=b), torch.div(input=a, other=b), torch.matmul(input=a, other=b),
               torch.mm(input=a, mat2=b), torch.pow(input=a, exponent=2), torch.exp(input=a),
               torch.tanh(input=b), a.add(other=b, alpha=2), a.mul(other=b), a.sub(b, alpha=0.5),
               a.matmul(other=b), torch.mv(input=a, vec=b[0]), torch.dot(input=b[0], tensor=b[1])]
    sum(r.sum() * (i + 1) for i, r in enumerate(results)).backward()
    out = {"results": results, "a.grad": a.grad, "b.grad": b.grad}
""")

case("func_grad", """
    f = lambda x: (x ** 3).sum()
    x = torch.tensor([1.0, 2.0])
    g = torch.func.grad(f)(x)
    gg = torch.func.grad(lambda x, y: (x * y ** 2).sum(), argnums=(0, 1))(x, torch.tensor([3.0, -4.0]))
    second = torch.func.grad(lambda x, y: (x * y).sum(), argnums=1)(x, torch.tensor([3.0, 4.0]))
    aux = torch.func.grad(lambda x: ((x ** 2).sum(), x * 2), has_aux=True)(x)
    value = torch.func.grad_and_value(f)(x)
    out = {"g": g, "argnums=(0, 1)": gg, "argnums=1": second, "has_aux": aux, "grad_and_value": value,
           "x": x}
""")

error_case("func_grad_of_a_vector_function", """
    torch.func.grad(lambda x: x ** 2)(torch.tensor([1.0, 2.0]))
""", "Expected f(*args) to return a scalar Tensor, got tensor with 1 dims", exact=True)

case("func_vjp_jvp", """
    x = torch.tensor([0.0, 1.0, -2.0])
    output, vjp_fn = torch.func.vjp(torch.sin, x)
    cotangents = vjp_fn(torch.tensor([1.0, 2.0, 3.0]))
    two_output, two_fn = torch.func.vjp(lambda a, b: a * b, x, torch.tensor([2.0, 3.0, 4.0]))
    jvp_out = torch.func.jvp(torch.sin, (x,), (torch.tensor([1.0, 0.5, -1.0]),))
    jvp_two = torch.func.jvp(lambda a, b: a * b, (x, torch.tensor([2.0, 3.0, 4.0])),
                             (torch.ones(3), torch.ones(3)))
    out = {"output": output, "vjp": cotangents, "two": [two_output, two_fn(torch.ones(3))],
           "jvp": jvp_out, "jvp two": jvp_two}
""")

case("func_jacrev_jacfwd_hessian", """
    f = lambda x: torch.stack([x[0] * x[1], x[1].exp(), x[0] ** 2])
    x = torch.tensor([0.5, -1.0])
    scalar = lambda x, y: (x ** 3 * y).sum()
    y = torch.tensor([2.0, 3.0])
    out = {"jacrev": torch.func.jacrev(f)(x), "jacfwd": torch.func.jacfwd(f)(x),
           "jacrev argnums=1": torch.func.jacrev(lambda a, b: a * b, argnums=1)(x, y),
           "jacfwd argnums=(0, 1)": torch.func.jacfwd(lambda a, b: a * b, argnums=(0, 1))(x, y),
           "hessian": torch.func.hessian(scalar)(x, y),
           "hessian argnums=1": torch.func.hessian(lambda a, b: (a * b ** 2).sum(), argnums=1)(x, y)}
""")


# =======================================================================================
# Semantic gaps found by PyTorch's own autograd tests (issue 17).
# =======================================================================================

case("semantics_no_grad_on_a_generator", """
    @torch.no_grad()
    def steps():
        x = torch.ones(1, requires_grad=True)
        yield (x * 2).requires_grad
        yield torch.is_grad_enabled()

    it = steps()
    first = next(it)
    between = torch.is_grad_enabled()
    second = next(it)
    after = torch.is_grad_enabled()

    @torch.enable_grad()
    def inside():
        yield torch.is_grad_enabled()

    with torch.no_grad():
        enabled = list(inside())
        outside = torch.is_grad_enabled()
    out = {"first": first, "between": between, "second": second, "after": after,
           "enable_grad inside": enabled, "no_grad outside": outside}
""")

case("semantics_custom_backward_extra_nones", """
    class Double(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * 2, None, None

    x = torch.tensor([1.0, -2.0], requires_grad=True)
    y = Double.apply(x)
    y.sum().backward()
    out = {"y": y.detach(), "x.grad": x.grad}
""")

case("semantics_create_graph_grad_fn_of_grad", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x ** 3).sum().backward(create_graph=True)
    first = x.grad.grad_fn
    first_grad = x.grad
    next_nodes = [node for node, _ in first.next_functions]
    (x ** 2).sum().backward(create_graph=True)
    second = x.grad.grad_fn
    x.grad.sum().backward()
    c = torch.tensor([1.0, 2.0], requires_grad=True)
    (c * 3).sum().backward(create_graph=True)
    out = {"first": first, "first grad": first_grad.detach(), "next": next_nodes, "second": second,
           "x.grad": x.grad, "constant gradient": c.grad}
""")

case("semantics_create_graph_second_derivative_through_grad", """
    x = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    (x ** 3).sum().backward(create_graph=True)
    g = x.grad
    x.grad = None
    (g * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    out = {"g": g.detach(), "x.grad": x.grad}
""")

error_case("semantics_index_list_second_backward", """
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a[[1, 1]]
    b.sum().backward()
    b.sum().backward()
""", "Trying to backward through the graph a second time", exact=True)

error_case("semantics_index_tensor_second_backward", """
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = a[torch.tensor([1, 1, 0])]
    b.sum().backward()
    b.sum().backward()
""", "Trying to backward through the graph a second time", exact=True)

error_case("semantics_index_mask_second_backward", """
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a[a > 1]
    b.sum().backward()
    b.sum().backward()
""", "Trying to backward through the graph a second time", exact=True)

case("semantics_index_retain_graph_and_slices", """
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a[[1, 1]]
    b.sum().backward(retain_graph=True)
    b.sum().backward()
    twice = a.grad.clone()
    c = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    s = c[1:]
    s.sum().backward()
    s.sum().backward()
    r = c[0]
    r.backward()
    r.backward()
    out = {"index twice, retained": twice, "slice and select twice": c.grad}
""")

error_case("semantics_inplace_on_a_slice_of_a_leaf", """
    x = torch.ones(3, requires_grad=True)
    x[1:3].mul_(2)
""", "a view of a leaf Variable that requires grad is being used in an in-place operation.", exact=True)

error_case("semantics_inplace_on_a_select_of_a_leaf", """
    x = torch.ones(3, requires_grad=True)
    v = x[0]
    v += 1
""", "a view of a leaf Variable that requires grad is being used in an in-place operation.", exact=True)

error_case("semantics_inplace_on_a_transpose_of_a_leaf", """
    x = torch.ones(2, 2, requires_grad=True)
    x.t().add_(1)
""", "a view of a leaf Variable that requires grad is being used in an in-place operation.", exact=True)

case("semantics_inplace_on_a_view_of_a_leaf_under_no_grad", """
    x = torch.ones(2, 2, requires_grad=True)
    with torch.no_grad():
        x[0].add_(1)
    x.detach()[1].mul_(3)
    out = {"x": x, "version": x._version}
""")

case("semantics_numpy_under_no_grad", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        array = x.numpy()
        as_array = np.asarray(x)
    out = {"array": array, "asarray": as_array}
""")

error_case("semantics_numpy_with_grad", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.numpy()
""", "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.", exact=True)

error_case("semantics_detach_a_view_in_place", """
    x = torch.ones(3, requires_grad=True)
    x[1:3].detach_()
""", "Can't detach views in-place. Use detach() instead.", exact=True)

case("semantics_detach_in_place", """
    x = torch.ones(3, requires_grad=True)
    y = x * 2
    y.detach_()
    d = x.detach()
    d.detach_()
    v = x[1:].detach()
    v.detach_()
    out = {"y": y, "d": d, "v": v}
""")

warning_case("semantics_tensor_from_a_tensor_warns", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor(x)
    out = {"y": y}
""", "UserWarning", "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone()")

case("semantics_tensor_from_tensors", """
    x = torch.tensor(1.5, requires_grad=True)
    y = torch.tensor([x, x * 2])
    z = torch.tensor([[torch.tensor(1.0), 2.0], [3.0, torch.tensor(4.0)]])
    out = {"y": y, "z": z}
""")


# =======================================================================================
# PyTorch's messages word for word (issue 17): where minigrad has a hint for learners, it is
# an exception note beside the message (tests/test_tensor.py checks the notes).
# =======================================================================================

error_case("message_scalar_outputs", """
    (torch.ones(2, requires_grad=True) * 2).backward()
""", 'grad can be implicitly created only for scalar outputs', types=("RuntimeError",), exact=True)

error_case("message_no_grad_fn", """
    torch.ones(2).sum().backward()
""", 'element 0 of tensors does not require grad and does not have a grad_fn', types=("RuntimeError",), exact=True)

error_case("message_int_requires_grad_factory", """
    torch.tensor([1, 2], requires_grad=True)
""", 'Only Tensors of floating point and complex dtype can require gradients', types=("RuntimeError",), exact=True)

error_case("message_int_requires_grad_setter", """
    x = torch.tensor([1, 2])
    x.requires_grad = True
""", 'only Tensors of floating point and complex dtype can require gradients', types=("RuntimeError",), exact=True)

error_case("message_int_requires_grad_method", """
    torch.tensor([1, 2]).requires_grad_()
""", 'only Tensors of floating point dtype can require gradients', types=("RuntimeError",), exact=True)

error_case("message_int_parameter", """
    torch.nn.Parameter(torch.tensor([1, 2]))
""", 'Only Tensors of floating point and complex dtype can require gradients', types=("RuntimeError",), exact=True)

error_case("message_float_of_a_vector", """
    float(torch.ones(3))
""", 'only one element tensors can be converted to Python scalars', types=("ValueError",), exact=True)

error_case("message_bool_of_a_vector", """
    bool(torch.ones(3))
""", 'Boolean value of Tensor with more than one value is ambiguous', types=("RuntimeError",), exact=True)

error_case("message_broadcast", """
    torch.ones(2, 3) * torch.ones(4, 3)
""",
    'The size of tensor a (2) must match the size of tensor b (4) at non-singleton dimension 0',
    types=("RuntimeError",), exact=True)

error_case("message_matmul_batch_broadcast", """
    torch.ones(2, 1, 3, 4) @ torch.ones(3, 5, 4, 6)
""",
    'The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0',
    types=("RuntimeError",), exact=True)

error_case("message_matmul_vectors", """
    torch.ones(3) @ torch.ones(4)
""", 'inconsistent tensor size, expected tensor [3] and src [4]', types=("RuntimeError",), exact=True)

error_case("message_matmul_matrix_vector", """
    torch.ones(2, 3) @ torch.ones(4)
""", 'size mismatch, got input (2), mat (2x3), vec (4)', types=("RuntimeError",), exact=True)

error_case("message_matmul_vector_matrix", """
    torch.ones(4) @ torch.ones(3, 2)
""", 'mat1 and mat2 shapes cannot be multiplied (1x4 and 3x2)', types=("RuntimeError",), exact=True)

error_case("message_matmul_batch_matrix", """
    torch.ones(2, 3, 4) @ torch.ones(5, 2)
""", 'mat1 and mat2 shapes cannot be multiplied (6x4 and 5x2)', types=("RuntimeError",), exact=True)

error_case("message_matmul_batch_batch", """
    torch.ones(2, 3, 4) @ torch.ones(2, 5, 6)
""",
    'Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [2, 5].',
    types=("RuntimeError",), exact=True)

error_case("message_matmul_vector_batch", """
    torch.ones(5) @ torch.ones(2, 3, 4)
""",
    'Expected size for first two dimensions of batch2 tensor to be: [2, 5] but got: [2, 3].',
    types=("RuntimeError",), exact=True)

error_case("message_leaf_in_place", """
    torch.ones(2, requires_grad=True).add_(1)
""", 'a leaf Variable that requires grad is being used in an in-place operation.', types=("RuntimeError",), exact=True)

error_case("message_mean_of_integers", """
    torch.tensor([1, 2]).mean()
""", 'mean(): could not infer output dtype.', types=("RuntimeError",), exact=True)

error_case("message_mean_of_bools", """
    torch.tensor([True, False]).mean()
""", 'mean(): could not infer output dtype.', types=("RuntimeError",), exact=True)

error_case("message_modified_output", """
    x = torch.ones(3, requires_grad=True)
    y = x.exp()
    y.mul_(2)
    y.sum().backward()
""", 'which is output 0 of Exp, is at version 1; expected version 0 instead.', types=("RuntimeError",), exact=True)

error_case("message_modified_constant", """
    x = torch.ones(3, requires_grad=True)
    w = torch.ones(3)
    y = x * w
    w.add_(1)
    y.sum().backward()
""", 'FloatTensor [3]] is at version 1', types=("RuntimeError",), exact=True)

error_case("message_modified_rebased", """
    x = torch.ones(3, requires_grad=True)
    h = x * 2
    y = h * h
    h.add_(1)
    y.sum().backward()
""", 'which is output 0 of Add, is at version 1', types=("RuntimeError",), exact=True)

error_case("message_modified_double", """
    x = torch.ones(2, 3, dtype=torch.float64, requires_grad=True)
    h = x.tanh()
    h[0] = 1
    h.sum().backward()
""", 'DoubleTensor [2, 3]], which is output 0 of Tanh', types=("RuntimeError",), exact=True)

error_case("message_vjp_without_v", """
    torch.autograd.functional.vjp(lambda x: x * 2, torch.ones(2))
""",
    'The vector v can only be None if the user-provided function returns a single Tensor',
    types=("RuntimeError",), exact=True)

error_case("message_jvp_without_v", """
    torch.autograd.functional.jvp(lambda x: x * 2, torch.ones(2))
""",
    'The vector v can only be None if the input to the user-provided function is a single Tensor',
    types=("RuntimeError",), exact=True)

error_case("message_jacobian_strategy", """
    torch.autograd.functional.jacobian(lambda x: x, torch.ones(2), strategy='sideways')
""", 'Expected strategy to be either "forward-mode" or "reverse-mode".', types=("AssertionError",), exact=True)

error_case("message_hessian_strategy", """
    torch.autograd.functional.hessian(lambda x: x.sum(), torch.ones(2), outer_jacobian_strategy='sideways')
""", 'Expected strategy to be either "forward-mode" or "reverse-mode".', types=("AssertionError",), exact=True)

error_case("message_jacobian_forward_mode", """
    torch.autograd.functional.jacobian(lambda x: x, torch.ones(2), strategy='forward-mode')
""", 'only implemented for `vectorize=True`.', types=("NotImplementedError",), exact=True)

error_case("message_hessian_of_a_vector", """
    torch.autograd.functional.hessian(lambda x: x * 2, torch.ones(2))
""",
    'The Tensor returned by the function given to hessian should contain a single element',
    types=("RuntimeError",), exact=True)

error_case("message_cross_entropy_float_target", """
    torch.nn.functional.cross_entropy(torch.ones(2, 3), torch.tensor([0.0, 1.0]))
""", 'expected target dtype to be Long or Byte, but got Float', types=("RuntimeError",), exact=True)

error_case("message_cross_entropy_target_out_of_bounds", """
    torch.nn.functional.cross_entropy(torch.ones(2, 3), torch.tensor([0, 5]))
""", 'Target 5 is out of bounds.', types=("IndexError",), exact=True)

error_case("message_tensor_as_parameter", """
    torch.nn.Linear(2, 2).weight = torch.ones(2, 2)
""", "as parameter 'weight' (<module>.nn.Parameter or None expected)", types=("TypeError",), exact=True)

error_case("message_register_tensor_as_parameter", """
    torch.nn.Module().register_parameter('w', torch.ones(1))
""", "object to parameter 'w' (<module>.nn.Parameter or None required)", types=("TypeError",), exact=True)

error_case("message_optimizer_of_a_tensor", """
    torch.optim.SGD(torch.ones(2), lr=0.1)
""", 'should be an iterable of Tensors or dicts, but got <module>.FloatTensor', types=("TypeError",), exact=True)

error_case("message_reduction", """
    torch.nn.functional.mse_loss(torch.ones(2), torch.ones(2), reduction='avg')
""", 'avg is not a valid value for reduction', types=("ValueError",), exact=True)


def by_name() -> dict[str, Case]:
    """The cases keyed by name (names are unique)."""
    table = {c.name: c for c in CASES}
    if len(table) != len(CASES):
        raise ValueError("two reference cases share a name")
    return table
