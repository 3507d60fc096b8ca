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
