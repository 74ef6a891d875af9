"""A scalar autograd engine: the course's first engine (chapter 02).

Every ``Value`` holds one Python float and remembers how it was made: the operands it came
from (``_prev``), the operation (``_op``) and the *local* backward rule of that operation
(``_backward``), written right beside the forward computation. ``backward()`` visits the
graph from the output back to the leaves and lets each node hand its gradient to its
operands by the chain rule::

    d(root)/d(operand) += d(root)/d(out) * d(out)/d(operand)

Three things differ from a first sketch of such an engine, on purpose:

* every local rule *adds* (``+=``) to its operands' gradients, so a Value used twice
  (``a + a``, ``a * a``) receives the sum of both contributions;
* the topological sort uses an explicit stack instead of recursion, so a chain of
  100,000 operations does not hit Python's recursion limit;
* calling ``backward()`` again adds the new gradients to the old ones exactly like
  PyTorch's ``.grad`` (twice the call, twice the gradient), instead of pushing stale
  gradients of inner nodes through the graph a second time. ``zero_grad()`` starts over.

Only this module and ``minigrad.finite_differences`` are needed: the scalar engine works
before tensors exist.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from types import NotImplementedType

__all__ = ["Value", "topological_order"]


def _no_backward() -> None:
    """The backward rule of a leaf: there is nothing before it to pass a gradient to."""


class Value:
    """One scalar in a computation graph: its ``data``, its ``grad`` and how it was made.

    ``grad`` holds d(root)/d(self) summed over every ``backward()`` call since the last
    ``zero_grad()``. Values compare and hash by identity, so they can be dictionary keys
    and set members even when two of them hold the same number.
    """

    # Tell NumPy not to treat a Value as an array element: ``np.float64(2.0) * v`` then
    # falls back to ``Value.__rmul__`` and builds a graph node, instead of returning an
    # object array that silently leaves the graph.
    __array_ufunc__ = None
    # True for a number of the formula wrapped by an operation (the 1.0 of ``a * b + 1.0``):
    # it gets a grad like any Value, but nothing asks for it.
    constant = False

    def __init__(
        self,
        data: float,
        label: str = "",
        _prev: tuple[Value, ...] = (),
        _op: str = "",
    ) -> None:
        if isinstance(data, Value):
            raise TypeError(
                "Value(data) expects a real number, got a Value; "
                "use the Value itself, or its number `v.data`"
            )
        if not isinstance(data, numbers.Real):
            raise TypeError(
                f"Value(data) expects a real number (int or float), "
                f"got {type(data).__name__}: {data!r}"
            )
        self.data: float = float(data)
        self.grad: float = 0.0
        self.label: str = label
        self._prev: tuple[Value, ...] = _prev
        self._op: str = _op
        self._backward: Callable[[], None] = _no_backward

    def __repr__(self) -> str:
        text = f"Value(data={self.data!r}, grad={self.grad!r}"
        if self.label:
            text += f", label={self.label!r}"
        return text + ")"

    # ------------------------------------------------------------------ binary operations
    # Each operation computes ``out`` and then defines ``_backward``, which reads the
    # gradient that has arrived at ``out`` and adds each operand's share of it.

    def __add__(self, other: Value | float) -> Value:
        """out = self + other; d(out)/d(self) = 1, d(out)/d(other) = 1."""
        other = _as_value(other)
        if other is NotImplemented:
            return NotImplemented
        out = Value(self.data + other.data, _prev=(self, other), _op="+")

        def _backward() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __sub__(self, other: Value | float) -> Value:
        """out = self - other; d(out)/d(self) = 1, d(out)/d(other) = -1."""
        other = _as_value(other)
        if other is NotImplemented:
            return NotImplemented
        out = Value(self.data - other.data, _prev=(self, other), _op="-")

        def _backward() -> None:
            self.grad += out.grad
            other.grad -= out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        """out = self * other; d(out)/d(self) = other, d(out)/d(other) = self."""
        other = _as_value(other)
        if other is NotImplemented:
            return NotImplemented
        out = Value(self.data * other.data, _prev=(self, other), _op="*")

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __truediv__(self, other: Value | float) -> Value:
        """out = self / other; d(out)/d(self) = 1/other, d(out)/d(other) = -self/other²."""
        other = _as_value(other)
        if other is NotImplemented:
            return NotImplemented
        if other.data == 0.0:
            raise ZeroDivisionError(
                f"division by zero: the divisor Value has data=0.0 (dividend data={self.data!r})"
            )
        out = Value(self.data / other.data, _prev=(self, other), _op="/")

        def _backward() -> None:
            self.grad += out.grad / other.data
            other.grad -= out.grad * self.data / other.data**2

        out._backward = _backward
        return out

    # ``2 + v`` first asks ``int.__add__``, which does not know Values, then Python calls
    # ``v.__radd__(2)``. Wrapping the number as a Value keeps the operand order intact.
    def __radd__(self, other: float) -> Value:
        other = _as_value(other)
        return NotImplemented if other is NotImplemented else other + self

    def __rsub__(self, other: float) -> Value:
        other = _as_value(other)
        return NotImplemented if other is NotImplemented else other - self

    def __rmul__(self, other: float) -> Value:
        other = _as_value(other)
        return NotImplemented if other is NotImplemented else other * self

    def __rtruediv__(self, other: float) -> Value:
        other = _as_value(other)
        return NotImplemented if other is NotImplemented else other / self

    # --------------------------------------------------------------------- powers
    def __pow__(self, exponent: float) -> Value:
        """out = self ** k for a constant k; d(out)/d(self) = k * self ** (k - 1)."""
        if isinstance(exponent, Value) or not isinstance(exponent, numbers.Real):
            raise TypeError(
                f"Value ** k needs a constant int or float exponent k, got "
                f"{type(exponent).__name__}; for a Value exponent y write "
                f"(y * x.log()).exp(), which is x ** y for x > 0"
            )
        k = float(exponent)
        x = self.data
        if x < 0.0 and not k.is_integer():
            # Python would quietly return a complex number here; a real engine cannot.
            raise ValueError(
                f"a negative base cannot be raised to the non-integer power {exponent!r} "
                f"(got base data={x!r}): the result is not a real number"
            )
        if x == 0.0 and k < 0.0:
            raise ZeroDivisionError(f"0.0 cannot be raised to the negative power {exponent!r}")
        try:
            result = x**k
        except OverflowError:
            # Float ** raises where float * gives inf; give inf, as a float64 tensor does.
            odd_power_of_negative = x < 0.0 and k % 2.0 == 1.0
            result = -math.inf if odd_power_of_negative else math.inf
        out = Value(result, _prev=(self,), _op=f"**{exponent}")

        def _backward() -> None:
            self.grad += _power_derivative(x, k) * out.grad

        out._backward = _backward
        return out

    def __rpow__(self, base: float) -> Value:
        raise TypeError(
            "number ** Value is not supported: the scalar engine only raises Values to "
            "constant powers; write (y * math.log(b)).exp() for b ** y"
        )

    # ----------------------------------------------------------------- unary operations
    def __neg__(self) -> Value:
        """out = -self; d(out)/d(self) = -1."""
        out = Value(-self.data, _prev=(self,), _op="neg")

        def _backward() -> None:
            self.grad -= out.grad

        out._backward = _backward
        return out

    def exp(self) -> Value:
        """out = e ** self; d(out)/d(self) = e ** self = out."""
        try:
            result = math.exp(self.data)
        except OverflowError:
            result = math.inf  # what a float64 tensor gives, rather than an exception
        out = Value(result, _prev=(self,), _op="exp")

        def _backward() -> None:
            # The derivative of exp is exp itself, already computed in the forward pass.
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self) -> Value:
        """out = ln(self) for self > 0; d(out)/d(self) = 1 / self."""
        if self.data <= 0.0:
            raise ValueError(
                f"log() needs a positive input, got data={self.data!r} "
                f"(the natural logarithm is defined only for x > 0)"
            )
        out = Value(math.log(self.data), _prev=(self,), _op="log")

        def _backward() -> None:
            self.grad += out.grad / self.data

        out._backward = _backward
        return out

    def tanh(self) -> Value:
        """out = tanh(self); d(out)/d(self) = 1 - tanh(self)² = 1 - out²."""
        out = Value(math.tanh(self.data), _prev=(self,), _op="tanh")

        def _backward() -> None:
            self.grad += (1.0 - out.data**2) * out.grad

        out._backward = _backward
        return out

    def relu(self) -> Value:
        """out = max(0, self); d(out)/d(self) = 1 if self > 0 else 0 (0 at the kink, as PyTorch)."""
        out = Value(self.data if self.data > 0.0 else 0.0, _prev=(self,), _op="relu")

        def _backward() -> None:
            self.grad += (1.0 if self.data > 0.0 else 0.0) * out.grad

        out._backward = _backward
        return out

    def sigmoid(self) -> Value:
        """out = 1 / (1 + e ** -self); d(out)/d(self) = out * (1 - out)."""
        x = self.data
        # Only ever exponentiate a non-positive number, so e ** |x| never overflows.
        if x >= 0.0:
            result = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            result = e / (1.0 + e)
        out = Value(result, _prev=(self,), _op="sigmoid")

        def _backward() -> None:
            self.grad += out.data * (1.0 - out.data) * out.grad

        out._backward = _backward
        return out

    # ------------------------------------------------------------------- the backward pass
    def backward(self) -> None:
        """Add d(self)/d(v) to ``v.grad`` for every Value ``v`` that ``self`` depends on.

        The seed is d(self)/d(self) = 1. Nodes are visited in reverse topological order, so
        a node has received the contributions of all its uses before it passes its own
        gradient on.

        Gradients accumulate across calls, as ``.grad`` does in PyTorch: a second call adds
        the same gradients again (doubling them). Call ``zero_grad()`` to start from zero.
        """
        order = topological_order(self)
        # Each pass must push only *its own* gradient through the graph: an inner node
        # that still held last pass's gradient would hand it on a second time and
        # overcount. So run the pass on zeroed grads, then add back what was there.
        previous = [node.grad for node in order]
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
        for node, earlier in zip(order, previous):
            node.grad += earlier

    def zero_grad(self) -> None:
        """Set ``grad`` to 0.0 for this Value and every Value it depends on."""
        for node in topological_order(self):
            node.grad = 0.0


def topological_order(root: Value) -> list[Value]:
    """Every Value that ``root`` depends on, each once, operands before results.

    Leaves come first and ``root`` last, so walking the list backwards visits a node only
    after every node that uses it. This is a depth-first search in post-order, written with
    an explicit stack rather than recursion so that graphs deeper than Python's recursion
    limit (about 1000 frames) can be sorted.
    """
    order: list[Value] = []
    visited: set[Value] = set()
    # Each entry is (node, operands_done). A node is pushed twice: once to expand its
    # operands, then (below them on the stack) once more to be emitted after them.
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, operands_done = stack.pop()
        if operands_done:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        # Pushed in reverse so the first operand is explored first, which gives the same
        # order as the familiar recursive version.
        for operand in reversed(node._prev):
            if operand not in visited:
                stack.append((operand, False))
    return order


def _as_value(x: object) -> Value | NotImplementedType:
    """Wrap a Python number as a constant leaf Value; NotImplemented for anything else."""
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real):
        constant = Value(x)
        constant.constant = True  # (the pictures draw it grey, as a tensor that needs no grad)
        return constant
    # Returning NotImplemented lets Python try the other operand's method and finally
    # raise its usual "unsupported operand type(s)" TypeError naming both types.
    return NotImplemented


def _power_derivative(x: float, k: float) -> float:
    """d(x ** k)/dx = k * x ** (k - 1), with the edge cases at x = 0 made explicit."""
    if k == 0.0:
        return 0.0  # x ** 0 is the constant 1
    if x == 0.0 and k < 1.0:
        return math.inf  # the slope of x ** 0.5 at 0 is infinite, as PyTorch reports
    return k * x ** (k - 1.0)
