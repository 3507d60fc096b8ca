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
