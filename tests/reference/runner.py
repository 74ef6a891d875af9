"""Run a reference case with a given tensor library and turn its results into plain data.

A case's snippet is written against the name ``torch``; ``run_case(case, module)`` binds that
name to ``module`` (PyTorch when the reference file is made, minigrad when the suite replays
it), executes the snippet and returns a JSON-ready record. Records from the two libraries can
then be compared with ``compare``. This module imports neither library itself, so the
generator and both tests share it whatever is installed.

Record of a case (a dict):
    {"status": "ok", "out": <normalised value of the snippet's ``out``>, "warnings": [...]}
    {"status": "error", "type": "RuntimeError", "message": "...", "warnings": [...]}
where "warnings" lists ``[category name, message]`` pairs in the order they were emitted.

Normalised values:
    tensor          -> {"tensor": nested values, "dtype": "float32", "shape": [...],
                        "requires_grad": bool, "is_leaf": bool, "grad_fn": name or None}
    numpy array     -> {"ndarray": nested values, "dtype": "float64", "shape": [...]}
    dtype           -> {"dtype": "float32"}
    grad_fn node    -> {"node": "MulBackward0"}
    float           -> the float, or {"float": "nan" | "inf" | "-inf"} (JSON has no NaN)
    bool, int, None -> themselves;  str -> text with library names made neutral
    tuple, list     -> list;  dict -> dict with string keys
Inside tensor/array values, non-finite floats are the strings "nan", "inf", "-inf".
"""

from __future__ import annotations

import math
import re
import traceback
import warnings
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Iterator

import numpy as np

# The dtypes of api.md, in the order we look for them on a module.
DTYPE_NAMES = ("float32", "float64", "int64", "bool")

# "torch.Size([2, 3])" / "minigrad.Size([2, 3])" -> "(2, 3)": a shape written the way a
# tuple prints, so a library whose shapes are plain tuples reads the same.
_SIZE_RE = re.compile(r"\b(?:torch|minigrad)\.Size\(\[([^\]]*)\]\)")
# Any remaining "torch." / "minigrad." (e.g. "dtype=torch.float64") gets a neutral prefix.
_MODULE_RE = re.compile(r"\b(?:torch|minigrad)\.")
NEUTRAL_PREFIX = "<module>."


def normalise_text(text: str) -> str:
    """Make a string independent of which library produced it."""

    def size_as_tuple(match: re.Match) -> str:
        inside = match.group(1).strip()
        if not inside:
            return "()"
        if "," not in inside:
            return f"({inside},)"
        return f"({inside})"

    return _MODULE_RE.sub(NEUTRAL_PREFIX, _SIZE_RE.sub(size_as_tuple, text))


def _encode_float(value: float) -> float | str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _encode_nested(values: Any) -> Any:
    """Nested lists from ``tolist()`` with non-finite floats spelled as strings."""
    if isinstance(values, list):
        return [_encode_nested(v) for v in values]
    if isinstance(values, float):
        return _encode_float(values)
    return values


def _is_tensor(value: Any) -> bool:
    # Duck typing: both libraries' tensors (and nn.Parameter) have these attributes.
    return all(hasattr(value, name) for name in ("grad_fn", "requires_grad", "is_leaf", "detach"))


def _is_node(value: Any) -> bool:
    return hasattr(value, "next_functions") and hasattr(value, "name")


def _dtype_name(value: Any, module: ModuleType) -> str | None:
    """The api.md name of ``value`` if it is one of ``module``'s dtype objects."""
    for name in DTYPE_NAMES:
        candidate = getattr(module, name, None)
        if candidate is None or isinstance(value, (bool, int, float, str)):
            continue
        if value is candidate:
            return name
    return None


def _tensor_dtype(tensor: Any, module: ModuleType) -> str:
    name = _dtype_name(tensor.dtype, module)
    if name is not None:
        return name
    # Unknown dtype object: fall back on its printed name without the library prefix.
    return str(tensor.dtype).rsplit(".", 1)[-1]


def node_name(node: Any) -> str:
    """The class name of a grad_fn node (PyTorch's ``name()`` adds a C++ namespace to
    AccumulateGrad, the class name does not)."""
    return type(node).__name__


def normalise(value: Any, module: ModuleType) -> Any:
    """Turn a snippet's result into JSON-ready data (see the module docstring)."""
    if value is None or isinstance(value, bool):
        return value
    if _is_tensor(value):
        return {
            "tensor": _encode_nested(value.detach().tolist()),
            "dtype": _tensor_dtype(value, module),
            "shape": [int(n) for n in value.shape],
            "requires_grad": bool(value.requires_grad),
            "is_leaf": bool(value.is_leaf),
            "grad_fn": None if value.grad_fn is None else node_name(value.grad_fn),
        }
    if _is_node(value):
        return {"node": node_name(value)}
    if isinstance(value, np.ndarray):
        return {
            "ndarray": _encode_nested(value.tolist()),
            "dtype": str(value.dtype),
            "shape": list(value.shape),
        }
    if isinstance(value, np.generic):
        return normalise(value.item(), module)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        encoded = _encode_float(value)
        return {"float": encoded} if isinstance(encoded, str) else encoded
    if isinstance(value, str):
        return normalise_text(value)
    if isinstance(value, (tuple, list)):
        return [normalise(v, module) for v in value]
    if isinstance(value, dict):
        return {str(k): normalise(v, module) for k, v in value.items()}
    dtype = _dtype_name(value, module)
    if dtype is not None:
        return {"dtype": dtype}
    raise TypeError(f"cannot record a value of type {type(value).__name__}: {value!r}")


def run_code(code: str, module: ModuleType) -> dict:
    """Execute ``code`` with ``torch`` bound to ``module``; return the case's record.

    The record also has a "traceback" entry when the snippet raised: it is for failure
    messages only and is left out of the reference file.
    """
    namespace: dict[str, Any] = {"torch": module, "np": np, "math": math}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(compile(code, "<reference case>", "exec"), namespace)
            if "out" not in namespace:
                raise NameError("the snippet did not assign `out`")
            record: dict[str, Any] = {"status": "ok", "out": normalise(namespace["out"], module)}
        except Exception as exc:  # noqa: BLE001 - any exception is a result to record
            record = {
                "status": "error",
                "type": type(exc).__name__,
                "message": normalise_text(str(exc)),
                "traceback": traceback.format_exc(),
            }
    record["warnings"] = [[w.category.__name__, normalise_text(str(w.message))] for w in caught]
    return record


def run_case(case: Any, module: ModuleType) -> dict:
    return run_code(case.code, module)


# ---------------------------------------------------------------------------------------
# Comparing two records.

@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float


# float32 carries ~7 significant digits; two correct implementations may differ in the last
# couple of them (different summation order, exp/log implementations).
FLOAT32 = Tolerance(rtol=1e-5, atol=1e-6)
# float64 results of the same formula agree to ~1e-15; leave room for a different but
# equally good formula (e.g. a stable log-sum-exp against a naive one).
FLOAT64 = Tolerance(rtol=1e-9, atol=1e-12)


def _decode_nested(values: Any) -> Any:
    if isinstance(values, list):
        return [_decode_nested(v) for v in values]
    if isinstance(values, str):
        return float(values)
    return values


def _values_match(expected: Any, actual: Any, dtype: str) -> bool:
    want = np.array(_decode_nested(expected))
    got = np.array(_decode_nested(actual))
    if want.shape != got.shape:
        return False
    if dtype in ("float32", "float64"):
        tol = FLOAT32 if dtype == "float32" else FLOAT64
        want = want.astype(np.float64)
        got = got.astype(np.float64)
        # equal_nan: a NaN is expected exactly where the reference has one; isclose already
        # requires infinities to match in sign.
        return bool(np.all(np.isclose(got, want, rtol=tol.rtol, atol=tol.atol, equal_nan=True)))
    return want.tolist() == got.tolist()


def compare(expected: Any, actual: Any, path: str = "out") -> Iterator[str]:
    """Yield one line per difference between two normalised values."""
    if isinstance(expected, dict) and ("tensor" in expected or "ndarray" in expected):
        kind = "tensor" if "tensor" in expected else "ndarray"
        if not isinstance(actual, dict) or kind not in actual:
            yield f"{path}: expected a {kind}, got {actual!r}"
            return
        for key in sorted(expected):
            if key == kind:
                continue
            if expected[key] != actual.get(key):
                yield f"{path}.{key}: expected {expected[key]!r}, got {actual.get(key)!r}"
        if expected["shape"] == actual.get("shape") and not _values_match(
            expected[kind], actual[kind], expected["dtype"]
        ):
            yield f"{path} values: expected {expected[kind]!r}, got {actual[kind]!r}"
        return
    if isinstance(expected, dict) and isinstance(actual, dict):
        if sorted(expected) != sorted(actual):
            yield f"{path}: expected keys {sorted(expected)}, got {sorted(actual)}"
            return
        for key in sorted(expected):
            yield from compare(expected[key], actual[key], f"{path}[{key!r}]")
        return
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            yield (f"{path}: expected {len(expected)} items {expected!r},"
                   f" got {len(actual)}: {actual!r}")
            return
        for i, (e, a) in enumerate(zip(expected, actual)):
            yield from compare(e, a, f"{path}[{i}]")
        return
    if isinstance(expected, float) and isinstance(actual, float):
        # A bare Python float usually comes from .item() of a float32 tensor. (An int where
        # a float is expected falls through to the exact check below and is reported.)
        if not math.isclose(actual, expected, rel_tol=FLOAT32.rtol, abs_tol=FLOAT32.atol):
            yield f"{path}: expected {expected!r}, got {actual!r}"
        return
    # Everything else must be identical, including its type (True is not 1, 1 is not 1.0).
    if type(expected) is not type(actual) or expected != actual:
        yield f"{path}: expected {expected!r}, got {actual!r}"


def check_error(case: Any, record: dict) -> list[str]:
    """Problems with a record of an error case, judged by the case's own expectations."""
    if record["status"] != "error":
        return [f"expected an exception, but the snippet ran and produced {record.get('out')!r}"]
    problems = []
    accepted = case.error_types
    if record["type"] not in accepted:
        problems.append(f"exception type: expected {' or '.join(accepted)}, got {record['type']}")
    if case.error is not None and case.error not in record["message"]:
        problems.append(
            f"message: expected it to contain {case.error!r}, got {record['message']!r}"
        )
    return problems


def check_warning(case: Any, record: dict) -> list[str]:
    """Problems with the warnings of a warning case."""
    category, fragment = case.warns
    for got_category, message in record["warnings"]:
        if got_category == category and fragment in message:
            return []
    return [
        f"expected a {category} containing {fragment!r}; warnings were {record['warnings']!r}"
    ]
