"""The package is fully typed: mypy finds no errors (py.typed is shipped, see test_packaging)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import lod


def test_mypy_finds_no_errors():
    # by package name, so it works on the installed package (site-packages) and on a checkout alike
    out = subprocess.run([sys.executable, "-m", "mypy", "--ignore-missing-imports", "--no-incremental", "-p", "lod"],
                         capture_output=True, text=True, cwd=Path(lod.__file__).parent.parent)
    assert out.returncode == 0, out.stdout + out.stderr
