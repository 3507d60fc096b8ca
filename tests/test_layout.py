"""The package's layout: modules use each other through public names only (issue 11, item 1)."""

from __future__ import annotations

import ast
from pathlib import Path

import lod

PACKAGE = Path(lod.__file__).parent


def test_no_module_imports_a_private_name_of_another():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level > 0:  # from .module import name
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{path.name}:{node.lineno}: from {'.' * node.level}{node.module} "
                                     f"import {alias.name}")
    assert not found, "\n".join(found)


def test_the_check_sees_a_private_import():
    """The walk above finds what it looks for (so an empty result means something)."""
    tree = ast.parse("from .mapping import _slug\n")
    node = tree.body[0]
    assert isinstance(node, ast.ImportFrom) and node.level == 1 and node.names[0].name.startswith("_")


def _imports() -> dict[str, set[str]]:
    """Module -> the lod modules it imports, at the top or inside a function (a deferred import is still a
    dependency); a module ``__getattr__`` that keeps an old name working is not counted."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        shims = {id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name == "__getattr__"
                 for n in ast.walk(f)}
        deps: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and id(node) not in shims:
                if node.module:
                    deps.add(node.module.split(".")[0])
                else:
                    deps.update(a.name for a in node.names)
        graph[path.stem] = {d for d in deps if (PACKAGE / f"{d}.py").exists()}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, done = [], set()

    def walk(node: str, trail: list[str]) -> None:
        if node in trail:
            found.append(trail[trail.index(node):] + [node])
            return
        if node in done:
            return
        for dep in sorted(graph.get(node, ())):
            walk(dep, trail + [node])
        done.add(node)

    for start in sorted(graph):
        walk(start, [])
    return found


def test_no_import_cycles():
    assert _cycles(_imports()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
