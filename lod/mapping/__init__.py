"""Records <-> RDF: the plan from the alignment table, IRIs, the one walker and the reader, and the views
(schema.org, FIAF, Wikidata statements, web page JSON-LD).

The names of the former module ``lod.mapping`` are reachable here too (see ``__getattr__``).
"""

from __future__ import annotations

from typing import Any

from ._statements import (quickstatements, UNSOURCED)
from ._views import (PROFILES, to_graph, VIEWS)
from ._walker import (CATALOGUE_KIND, check_base, DEFAULT_BASE, fast_term, FastMapper, FastTriple, from_graph,
                      gc_paused, ID_IRI, KINDS, Lit, Mapper, PLAIN_TERMS, plan, POSITION, Reader, record_iri,
                      RecordIris, RECORD_TYPES, Triple, triples)
from ._web import (script_tag, Site)

__all__ = ["CATALOGUE_KIND", "check_base", "DEFAULT_BASE", "fast_term", "FastMapper", "FastTriple", "from_graph",
    "gc_paused", "ID_IRI", "KINDS", "Lit", "Mapper", "PLAIN_TERMS", "plan", "POSITION", "PROFILES",
    "quickstatements", "Reader", "record_iri", "RecordIris", "RECORD_TYPES", "script_tag", "Site", "to_graph", "Triple", "triples",
    "UNSOURCED", "VIEWS"]


def __getattr__(name: str) -> Any:
    """Any other name of the former module ``lod.mapping`` (now ``lod.mapping._walker``)."""
    from . import _walker

    try:
        return getattr(_walker, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
