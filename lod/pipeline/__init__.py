"""The one export driver with its in-process and Dask executors, the streaming passes, and the
synthetic catalogue.

The names of the former module ``lod.pipeline`` are reachable here too (see ``__getattr__``).
"""

from __future__ import annotations

from typing import Any

from ._distributed import (export_on_dask, joined, local_cluster, OnDask, PartsFolder)
from ._driver import (decide, export, Files, InProcess)
from ._stream import (DEFAULT_BATCH, JSONL_SUFFIXES, Summary, validate_file, write_jsonl)

__all__ = ["decide", "DEFAULT_BATCH", "export", "export_on_dask", "Files", "InProcess", "joined", "JSONL_SUFFIXES",
    "local_cluster", "OnDask", "PartsFolder", "Summary", "validate_file", "write_jsonl"]


def __getattr__(name: str) -> Any:
    """Any other name of the former module ``lod.pipeline`` (now ``lod.pipeline._driver``)."""
    from . import _driver

    try:
        return getattr(_driver, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
