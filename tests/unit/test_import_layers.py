"""The package's parts lean one way: no import cycle between parts, or inside one.

A part is a subpackage (``exercise``, ``pose``, ...) or a top-level module (``config``,
``app``, ...). Every import counts, those inside functions and ``TYPE_CHECKING`` blocks
too, and importing ``a.b.c`` also runs the ``__init__`` of ``a.b`` (unless the importer
is inside it already).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "edge_trainer"
ROOT = PACKAGE.name

Graph = dict[str, set[str]]


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imported(module: str, source: str, is_package: bool, known: set[str]) -> set[str]:
    """Every module of the package that importing ``module`` (``source``) runs, directly."""
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            names.update(f"{base}.{alias.name}" for alias in node.names)
            names.add(base)
    out: set[str] = set()
    for name in names:
        if not name.startswith(ROOT):
            continue
        target = name
        while target not in known:  # ``from a.b import func``: the module is ``a.b``
            target = target.rpartition(".")[0]
        prefix = ""
        for piece in target.split("."):
            prefix = f"{prefix}.{piece}" if prefix else piece
            if prefix in known and not (module == prefix or module.startswith(prefix + ".")):
                out.add(prefix)
    out.discard(module)
    return out


def _graph() -> Graph:
    modules = _modules()
    return {
        m: _imported(m, p.read_text(encoding="utf-8"), p.name == "__init__.py", set(modules))
        for m, p in modules.items()
    }


def part(module: str) -> str:
    """``edge_trainer.exercise.reps`` -> ``exercise``; the package itself is ``edge_trainer``."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else pieces[0]


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _why(graph: Graph, component: list[str], group: dict[str, str] | None = None) -> str:
    """The imports that tie a cycle's members together, one per line."""
    lines = []
    for a, targets in sorted(graph.items()):
        for b in sorted(targets):
            ga, gb = (group or {}).get(a, a), (group or {}).get(b, b)
            if ga != gb and ga in component and gb in component:
                lines.append(f"  {a} -> {b}")
    return "\n".join(lines)


def test_no_cycle_between_the_parts() -> None:
    graph = _graph()
    parts: Graph = defaultdict(set)
    for module, targets in graph.items():
        parts[part(module)].update(part(t) for t in targets if part(t) != part(module))
    found = cycles(parts)
    group = {m: part(m) for m in graph}
    assert not found, "\n".join(f"{c}:\n{_why(graph, c, group)}" for c in found)


def test_no_cycle_between_the_modules_of_a_part() -> None:
    graph = _graph()
    inside = {m: {t for t in ts if part(t) == part(m)} for m, ts in graph.items()}
    found = cycles(inside)
    assert not found, "\n".join(f"{c}:\n{_why(inside, c)}" for c in found)


def test_the_walk_sees_function_level_imports_and_cycles() -> None:
    # The checker itself: a function-level import closing a loop is a cycle, and the
    # __init__ of a package a module imports from runs too.
    src = {
        "edge_trainer.a": "",
        "edge_trainer.a.x": "def f():\n    from edge_trainer.b import y\n",
        "edge_trainer.b": "",
        "edge_trainer.b.y": "from edge_trainer.a.x import f\n",
    }
    graph = {name: _imported(name, text, False, set(src)) for name, text in src.items()}
    assert graph["edge_trainer.a.x"] == {"edge_trainer.b", "edge_trainer.b.y"}
    assert graph["edge_trainer.b.y"] == {"edge_trainer.a", "edge_trainer.a.x"}
    assert cycles({part(a): {part(b) for b in bs} for a, bs in graph.items()}) == [["a", "b"]]
