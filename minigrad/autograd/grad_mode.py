"""Grad modes: one global switch that says whether operations are recorded.

``no_grad``, ``enable_grad`` and ``set_grad_enabled`` only flip this switch and
put it back afterwards; ``Function.apply`` reads it before recording a node.
Each works as a context manager and as a decorator, as in PyTorch.
"""

from __future__ import annotations

import functools
import inspect


class _GradState:
    enabled = True


state = _GradState()


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward."""
    return state.enabled


class _GradModeContext:
    """Base of the context managers: set a mode on entry, restore the old one on exit."""

    mode: bool

    def __enter__(self) -> None:
        self._previous = state.enabled
        state.enabled = self.mode

    def __exit__(self, *exc_info) -> None:
        state.enabled = self._previous

    def __call__(self, function):
        # Used as a decorator: run each call of the function in this mode.
        mode = self.mode
        if inspect.isgeneratorfunction(function):
            return _generator_in_mode(function, mode)

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            previous = state.enabled
            state.enabled = mode
            try:
                return function(*args, **kwargs)
            finally:
                state.enabled = previous

        return wrapper


class no_grad(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Stop recording: results of operations inside need no grad (evaluation, updates)."""

    mode = False


class enable_grad(_GradModeContext):  # noqa: N801
    """Record again, e.g. inside a function that is called under ``no_grad``."""

    mode = True


class set_grad_enabled(_GradModeContext):  # noqa: N801
    """Set recording on or off; takes effect at once, and is undone at the end of a ``with``."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        # Like PyTorch, calling it as a plain function switches the mode immediately.
        self._previous = state.enabled
        state.enabled = self.mode

    def __enter__(self) -> None:
        pass  # already switched in __init__

    def __exit__(self, *exc_info) -> None:
        state.enabled = self._previous

    def __call__(self, function):
        # As a decorator it must not leave the mode switched at definition time.
        state.enabled = self._previous
        return super().__call__(function)


def _generator_in_mode(function, mode: bool):
    """A generator function decorated with a mode runs its body in that mode, and only its
    body: each step, from one ``yield`` to the next, is run in the mode, and the caller's mode
    is back while the caller holds a value (as PyTorch does)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        generator = function(*args, **kwargs)
        step, sent = generator.send, None
        while True:
            previous = state.enabled
            state.enabled = mode
            try:
                value = step(sent)
            except StopIteration as stop:
                return stop.value
            finally:
                state.enabled = previous
            try:
                sent, step = (yield value), generator.send
            except GeneratorExit:
                generator.close()
                raise
            except BaseException as error:  # thrown in by the caller: pass it on into the body
                sent, step = error, generator.throw

    return wrapper
