"""The RDF views of a catalogue: schema.org (the mapping itself), FIAFcore and Wikidata.

The views sit above the mapping (:mod:`lod.mapping`): the FIAF view (:mod:`lod.fiaf`) and the
Wikidata view (:mod:`lod.statements`) build on its walk and IRIs, and this module picks one.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import Graph

from .. import errors as E
from ..records import PREFIXES
from ._fiaf import fiaf_triples
from ._walker import DEFAULT_BASE, Triple, check_base, gc_paused, triples
from ..records import Catalogue
from ._statements import wikidata_graph


VIEWS = ("schema", "fiaf", "wikidata")
"""RDF views: ``schema`` (schema.org aligned with Wikidata), ``fiaf`` (FIAFcore, for archives) and
``wikidata`` (labels, truthy ``wdt:`` triples and full statements with qualifiers and references).
("Profiles" are the shape sets :func:`lod.validate` checks against: ``core``, ``web``…)"""
PROFILES = VIEWS  # the old name of the views, kept for code that imported it


def to_graph(catalogue: Catalogue, base: str = DEFAULT_BASE, view: str = "schema", *,
             profile: str | None = None) -> Graph:
    """The catalogue as an :class:`rdflib.Graph` in one of the :data:`VIEWS`: schema.org (default), the
    FIAFcore view or the Wikidata view. ``profile=`` is the old name of ``view=`` (deprecated: a profile
    is a shape set of :func:`lod.validate`)."""
    if profile is not None:
        import warnings

        warnings.warn("to_graph(profile=…) is deprecated: call to_graph(view=…); profiles are lod.validate's "
                      "shape sets", DeprecationWarning, stacklevel=2)
        view = profile
    if view not in VIEWS:
        raise E.BadValue(f"unknown RDF view; use one of {', '.join(VIEWS)}", field="view", value=view)
    profile = view
    g = Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    if profile == "fiaf":
        source: Iterator[Triple] = fiaf_triples(catalogue, check_base(base))
    elif profile == "wikidata":
        source = iter(wikidata_graph(catalogue, base))  # type: ignore[arg-type]
    else:
        source = triples(catalogue, base)
    with gc_paused():
        g.addN((s, p, o, g) for s, p, o in source)
    return g
