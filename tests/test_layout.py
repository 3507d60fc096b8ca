"""The package's layout (issue 11, item 1): subpackages named for the stages, private modules, each stage used
through its package's names only, and no import cycle between modules or between stages."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import lod

PACKAGE = Path(lod.__file__).parent
STAGES = ("records", "mapping", "io", "validation", "pipeline", "wikidata", "archive", "site", "cli")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_of(path: Path) -> str:
    name = _module_name(path)
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _imports(path: Path) -> list[tuple[ast.ImportFrom, str, bool]]:
    """Each relative import of a file: the node, the module it names (absolute), and whether it is a module
    ``__getattr__`` keeping an old name working (not counted as a dependency)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    shims = {id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name == "__getattr__"
             for n in ast.walk(f)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            base = _package_of(path).split(".")
            base = base[:len(base) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
            found.append((node, target, id(node) in shims))
    return found


def _stage(module: str) -> str:
    """``lod.records._model`` -> ``records``; ``lod.errors`` -> ``errors``; ``lod`` -> ``lod``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "lod"


def test_the_stages_are_subpackages_and_their_modules_are_private():
    top = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert top == ["__init__", "_resources", "errors"], top  # every other module lives in a stage
    for stage in STAGES:
        assert (PACKAGE / stage / "__init__.py").is_file(), stage
        modules = [p.name for p in (PACKAGE / stage).glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
        assert modules and all(m.startswith("_") for m in modules), (stage, modules)


def test_a_stage_is_used_through_its_package_and_no_private_name_crosses_a_module():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = _stage(_module_name(path))
        for node, target, _ in _imports(path):
            where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
            if _stage(target) != here and _stage(target) in STAGES and target != f"lod.{_stage(target)}":
                found.append(f"{where}: imports {target}, a module inside another stage (use lod.{_stage(target)})")
            for alias in node.names:
                name = alias.name
                private = name.startswith("_") and not name.startswith("__")
                own_module = node.module is None and target == _package_of(path)  # from . import _validate
                if private and not (own_module and path.name == "__init__.py"):
                    found.append(f"{where}: from {target} import {name}")
    assert not found, "\n".join(found)


def test_the_check_sees_a_private_import():
    """The walk above finds what it looks for (so an empty result means something)."""
    tree = ast.parse("from ..records._model import _slug\n")
    node = tree.body[0]
    assert isinstance(node, ast.ImportFrom) and node.level == 2 and node.names[0].name.startswith("_")


def _graph(key: str) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    for path in sorted(PACKAGE.rglob("*.py")):
        me = _module_name(path)
        node_of = _stage if key == "stage" else (lambda m: m)
        deps = graph.setdefault(node_of(me), set())
        for node, target, shim in _imports(path):
            if shim:
                continue
            names = [target] if node.module else [f"{target}.{a.name}" for a in node.names]
            for name in names:
                while name not in modules and "." in name:
                    name = name.rpartition(".")[0]
                if key == "stage" and _stage(name) == "lod":
                    continue  # lod/__init__.py is the public surface above every stage
                if node_of(name) != node_of(me):
                    deps.add(node_of(name))
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


@pytest.mark.parametrize("key", ["module", "stage"])
def test_no_import_cycles(key):
    graph = _graph(key)
    assert len(graph) > (10 if key == "stage" else 30)  # the graph holds what it should
    assert _cycles(graph) == []


def test_the_stages_depend_on_each_other_in_the_data_flow():
    graph = _graph("stage")
    assert graph["records"] <= {"errors", "_resources"}
    assert "records" in graph["mapping"] and "io" not in graph["mapping"]
    assert {"records", "mapping", "io", "validation"} <= graph["pipeline"]


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("old,new", [("stream", "pipeline._stream"), ("model", "records._model"),
                                     ("atomic", "io._atomic"), ("shacl", "validation._shacl"),
                                     ("docs", "cli._docs"), ("views", "mapping._views")])
def test_the_flat_layouts_module_paths_still_work(old, new):
    """``import lod.stream`` gives the module it became (the same object, with its own spec)."""
    module = importlib.import_module(f"lod.{old}")
    assert module is importlib.import_module(f"lod.{new}")
    assert module.__spec__.name == f"lod.{new}"
    from lod.stream import export, write_jsonl  # noqa: F401  names of the old paths, as old code imports them
    from lod.validation import report_results  # noqa: F401  a package now: the former module's names too
    from lod.mapping import FastMapper, to_graph  # noqa: F401
