"""The package is fully typed: mypy finds no errors (py.typed is shipped, see test_packaging)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import lod


def test_mypy_finds_no_errors(tmp_path):
    # by package name, so mypy checks the lod that the tests import (installed, or this checkout)
    out = subprocess.run([sys.executable, "-m", "mypy", "--ignore-missing-imports", "--no-incremental", "-p", "lod"],
                         capture_output=True, text=True, cwd=_where(tmp_path))
    assert out.returncode == 0, out.stdout + out.stderr


def _where(tmp_path: Path) -> Path:
    """A checkout (editable install) is checked from its root; an installed package from anywhere else."""
    root = Path(lod.__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() else tmp_path


def test_every_error_is_a_lod_error_and_the_tree_in_errors_names_it():
    import importlib
    import inspect
    import pkgutil

    import lod
    from lod import errors

    found = {}
    for info in pkgutil.walk_packages(lod.__path__, "lod."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        stage = info.name.split(".")[1]
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == module.__name__:
                found[f"{stage}.{name}"] = obj
                if stage != "errors" and name != "Unsupported":  # a stage's error is imported from the stage
                    assert getattr(importlib.import_module(f"lod.{stage}"), name) is obj, (stage, name)
    assert len(found) > 15  # the walk reached the subpackages
    internal = {"validation.Unsupported"}  # control flow inside the compiler: it never leaves the engine
    assert {k for k, cls in found.items() if not issubclass(cls, lod.LodError)} == internal
    tree = errors.__doc__ or ""
    for key, cls in found.items():
        if key not in internal:
            name = key.split(".", 1)[1]
            assert (name if key.startswith("errors.") else key) in tree, key
