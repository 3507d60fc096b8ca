"""Where the shipped data lives: ``vocab/`` and ``shapes/``.

In a wheel they are installed as the packages ``lod.vocab`` and ``lod.shapes``; in a
source checkout they are the top-level folders next to ``lod/``.
"""

from __future__ import annotations

import importlib.resources
from importlib.resources.abc import Traversable
from pathlib import Path


def data_dir(name: str) -> Traversable:
    """The ``vocab`` or ``shapes`` folder, installed or in the checkout."""
    try:
        return importlib.resources.files(f"lod.{name}")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / name


def read_text(folder: str, filename: str) -> str:
    return data_dir(folder).joinpath(filename).read_text(encoding="utf-8")
