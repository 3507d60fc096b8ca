"""The Wikidata client: search and reconcile (live API, SPARQL endpoint, dump), review files.

The names of the former module ``lod.wikidata`` are reachable here too (see ``__getattr__``).
"""

from __future__ import annotations

from typing import Any

from ._client import (accepted, apply_qids, Client, pending, read_review, review_rows, WIKIDATA_API, WIKIDATA_SPARQL,
                      WikidataError, write_review)

__all__ = ["accepted", "apply_qids", "Client", "pending", "read_review", "review_rows", "WIKIDATA_API",
    "WIKIDATA_SPARQL", "WikidataError", "write_review"]


def __getattr__(name: str) -> Any:
    """Any other name of the former module ``lod.wikidata`` (now ``lod.wikidata._client``)."""
    from . import _client

    try:
        return getattr(_client, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
