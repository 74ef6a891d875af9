"""The package reads from the top down: its modules import each other without a circle, in
the reading order that ``minigrad/__init__.py``'s docstring recommends.

The imports are read from the source with ``ast``, not from a running interpreter: what a
module imports at its top level (in its body, or in a class body, but not inside a
function, which runs later). ``from .autograd import grad_mode`` is an import of the module
``minigrad.autograd.grad_mode``; ``from .autograd import Function`` is one of the package
``minigrad.autograd`` (its ``__init__.py``). (Python also runs a package's ``__init__.py``
before the first of its modules; ``minigrad/__init__.py`` imports ``autograd`` as a whole,
and that runs its modules in an order this test checks, since each is imported by the one
that needs it.)
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import minigrad

PACKAGE = Path(minigrad.__file__).parent


def _module_name(path: Path) -> str:
    parts = ["minigrad", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _top_level_imports(tree: ast.AST):
    """The import statements that run when the module is imported (not those in functions),
    in the order of the source."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            yield from _top_level_imports(node)


def imports_of(name: str, source: str | None = None) -> set[str]:
    """The minigrad modules that module ``name`` imports at its top level."""
    tree = ast.parse(MODULES[name].read_text() if source is None else source)
    package = name if _is_package(name) else name.rpartition(".")[0]
    found = set()
    for node in _top_level_imports(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(base + ([node.module] if node.module else []))
            else:
                base = node.module
            # `from package import name`: the module package.name if there is one, else the package.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        found.update(target for target in targets if target in MODULES and target != name)
    return found


def import_graph(sources: dict[str, str] | None = None) -> dict[str, set[str]]:
    sources = sources or {}
    return {name: imports_of(name, sources.get(name)) for name in MODULES}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A list of modules that import each other in a circle, or None."""
    state = {}  # name -> "open" while its imports are explored, "done" after
    for start in sorted(graph):
        if start in state:
            continue
        path, stack = [], [(start, iter(sorted(graph[start])))]
        state[start] = "open"
        path.append(start)
        while stack:
            name, pending = stack[-1]
            following = next(pending, None)
            if following is None:
                state[name] = "done"
                path.pop()
                stack.pop()
            elif state.get(following) == "open":
                return path[path.index(following) :] + [following]
            elif following not in state:
                state[following] = "open"
                path.append(following)
                stack.append((following, iter(sorted(graph[following]))))
    return None


def reading_order() -> list[list[str]]:
    """The modules in the order of ``minigrad/__init__.py``'s "Reading order": each entry is
    one file, or all the modules of a folder (``nn/``)."""
    docstring = ast.get_docstring(ast.parse((PACKAGE / "__init__.py").read_text()))
    section = docstring[docstring.index("Reading order") :]
    order = []
    for entry in re.findall(r"``([\w/]+(?:\.py|/))``", section):
        if entry.endswith("/"):
            order.append(sorted(name for name, path in MODULES.items() if path.is_relative_to(PACKAGE / entry)))
        else:
            order.append([_module_name(PACKAGE / entry)])
    return order


def out_of_order(graph: dict[str, set[str]], order: list[list[str]]) -> list[str]:
    position = {name: index for index, group in enumerate(order) for name in group}
    return [
        f"{name} imports {imported}, listed after it"
        for name, imported_names in sorted(graph.items())
        for imported in sorted(imported_names)
        if name in position and imported in position and position[imported] > position[name]
    ]


# ---------------------------------------------------------------------- the tests
def test_no_two_modules_import_each_other_in_a_circle():
    assert find_cycle(import_graph()) is None


def test_the_reading_order_names_every_module_once():
    order = reading_order()
    listed = [name for group in order for name in group]
    assert len(listed) == len(set(listed)), "a module is listed twice"
    for name in listed:
        assert name in MODULES, f"{name} is listed in the reading order but does not exist"
    # Every module with code in it, except minigrad/__init__.py itself, which imports them all.
    unlisted = {
        name for name, path in MODULES.items() if name not in listed and name != "minigrad" and path.read_text().strip()
    }
    assert not unlisted, f"not in the reading order of minigrad/__init__.py: {sorted(unlisted)}"


def test_a_module_imports_only_modules_listed_before_it():
    assert out_of_order(import_graph(), reading_order()) == []


def test_minigrad_init_imports_in_the_reading_order():
    position = {name: index for index, group in enumerate(reading_order()) for name in group}
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    positions = []
    for node in _top_level_imports(tree):
        source = ast.unparse(ast.Module(body=[node], type_ignores=[]))
        positions += [position[name] for name in sorted(imports_of("minigrad", source)) if name in position]
    assert positions == sorted(positions)


def test_the_checks_find_a_circle_and_an_import_out_of_order():
    # _tensor.py importing the operations again, as it once did at its bottom.
    source = MODULES["minigrad._tensor"].read_text() + "\nfrom .ops import elementwise as _ew  # noqa: E402\n"
    graph = import_graph({"minigrad._tensor": source})
    assert "minigrad.ops.elementwise" in graph["minigrad._tensor"]
    cycle = find_cycle(graph)
    assert cycle is not None and "minigrad._tensor" in cycle and "minigrad.ops.elementwise" in cycle
    assert "minigrad._tensor imports minigrad.ops.elementwise, listed after it" in out_of_order(graph, reading_order())
