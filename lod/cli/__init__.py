"""The ``lod`` command.

The names of the former module ``lod.cli`` are reachable here too (see ``__getattr__``).
"""

from __future__ import annotations

from typing import Any

from ._main import (build_parser, COMMANDS, main)

__all__ = ["build_parser", "COMMANDS", "main"]


def __getattr__(name: str) -> Any:
    """Any other name of the former module ``lod.cli`` (now ``lod.cli._main``)."""
    from . import _main

    try:
        return getattr(_main, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
