"""The package is fully typed: mypy finds no errors (py.typed is shipped, see test_packaging)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import lod


def test_mypy_finds_no_errors(tmp_path):
    # by package name from a neutral folder, so it checks whichever lod is imported (installed or editable)
    assert Path(lod.__file__).name == "__init__.py"
    out = subprocess.run([sys.executable, "-m", "mypy", "--ignore-missing-imports", "--no-incremental", "-p", "lod"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
