"""``repr`` of tensors, following PyTorch's printing rules so outputs look familiar.

PyTorch picks one format for all elements of a tensor: whole numbers print as
``2.``; otherwise 4 decimals (``0.3000``), or scientific notation (``1.6667e-02``)
when the values span more than three orders of magnitude, exceed 1e8 or fall
below 1e-4.  Long tensors are summarised with ``...``.
"""

from __future__ import annotations

import math

import numpy as np

from .dtypes import bool_, float32, int64

PRECISION = 4
THRESHOLD = 1000  # more elements than this are summarised
EDGEITEMS = 3
LINEWIDTH = 80


class _Formatter:
    """Chooses one format (and one width) for every element of an array."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not self.floating:
            for value in flat.tolist():
                self.max_width = max(self.max_width, len(str(value)))
            return
        finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if finite.size == 0:
            return
        magnitudes = np.abs(finite)
        smallest, largest = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if self.int_mode:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8
            if not self.sci_mode:
                self.max_width = max(len(f"{v:.0f}") + 1 for v in finite.tolist())  # +1 for the "."
        else:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
            if not self.sci_mode:
                self.max_width = max(len(f"{v:.{PRECISION}f}") for v in finite.tolist())
        if self.sci_mode:
            self.max_width = max(len(f"{v:.{PRECISION}e}") for v in finite.tolist())

    def format(self, value) -> str:
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.max_width}.{PRECISION}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    text += "."
            else:
                text = f"{value:.{PRECISION}f}"
        else:
            text = str(value)
        return " " * (self.max_width - len(text)) + text


def _summarized(values: np.ndarray) -> np.ndarray:
    """The elements that a summarised print shows: the first and last EDGEITEMS of each dim."""
    if values.ndim == 0:
        return values
    if values.shape[0] > 2 * EDGEITEMS:
        values = np.concatenate([values[:EDGEITEMS], values[-EDGEITEMS:]])
    return np.stack([_summarized(row) for row in values]) if values.ndim > 1 else values


def _array_str(values: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    if values.ndim == 0:
        return formatter.format(values.item())
    if values.ndim == 1:
        items = values.tolist()
        if summarize and len(items) > 2 * EDGEITEMS:
            # PyTorch pads the ellipsis of a long vector by one space.
            texts = [formatter.format(v) for v in items[:EDGEITEMS]] + [" ..."]
            texts += [formatter.format(v) for v in items[-EDGEITEMS:]]
        else:
            texts = [formatter.format(v) for v in items]
        per_line = max(1, (LINEWIDTH - indent) // (formatter.max_width + 2))
        lines = [", ".join(texts[i : i + per_line]) for i in range(0, len(texts), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = range(values.shape[0])
    if summarize and values.shape[0] > 2 * EDGEITEMS:
        parts = [_array_str(values[i], indent + 1, summarize, formatter) for i in rows[:EDGEITEMS]]
        parts.append("...")
        parts += [_array_str(values[i], indent + 1, summarize, formatter) for i in rows[-EDGEITEMS:]]
    else:
        parts = [_array_str(values[i], indent + 1, summarize, formatter) for i in rows]
    separator = "," + "\n" * (values.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    pieces = [text]
    last_line_length = len(text) - text.rfind("\n") + 1  # PyTorch's own arithmetic
    for suffix in suffixes:
        if last_line_length + len(suffix) + 2 > LINEWIDTH:
            pieces.append(",\n" + " " * indent + suffix)
            last_line_length = indent + len(suffix)
        else:
            pieces.append(", " + suffix)
            last_line_length += len(suffix) + 2
    pieces.append(")")
    return "".join(pieces)


def tensor_repr(tensor, prefix: str = "tensor(") -> str:
    """PyTorch-style text of a tensor: values, then dtype, grad_fn or requires_grad."""
    values = tensor.data
    indent = len(prefix)
    suffixes = []
    if values.size == 0:
        body = "[]"
        if values.ndim != 1:
            suffixes.append(f"size={tuple(values.shape)}")
    else:
        summarize = values.size > THRESHOLD
        formatter = _Formatter(_summarized(values) if summarize else values)
        body = _array_str(values, indent, summarize, formatter)
    if tensor.dtype not in (float32, int64, bool_):
        suffixes.append(f"dtype={tensor.dtype!r}")
    if tensor.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(tensor.grad_fn).__name__}>")
    elif tensor.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
