"""Turtle, N-Triples and JSON-LD: writing a catalogue or graph, and reading RDF, offline and strict.

A catalogue is written in lod's one order (record by record: see :mod:`lod.fastwrite`, which
holds the one writer per format that every path uses), so the same input gives the same
bytes on every run, under every ``PYTHONHASHSEED``, in memory or streamed. A graph is
written sorted. JSON-LD is compacted with lod's own context (``vocab/context.jsonld``)
inline in the file, so any processor expands it offline.

>>> import lod
>>> cat = lod.Catalogue(places=[lod.Place(id="almaty", names={"en": "Almaty"}, place_type="city")])
>>> print(lod.dumps(cat, format="nt"), end="")
<https://example.org/id/place/almaty> <http://schema.org/name> "Almaty"@en .
<https://example.org/id/place/almaty> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://schema.org/City> .
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from .. import errors as E
from ._atomic import replace_dir, write_atomic
from .._resources import read_text
from ..records import PREFIXES, RDF, SCHEMA
from ._fastwrite import check_iri, graph_order, grouped, jsonld_context, jsonld_nodes, write
from ..mapping import DEFAULT_BASE, PLAIN_TERMS, FastTriple, Lit, Mapper, Triple, fast_term, gc_paused
from ..records import Catalogue

FORMATS = {"turtle": "turtle", "ttl": "turtle", "nt": "nt", "n-triples": "nt", "ntriples": "nt",
           "json-ld": "json-ld", "jsonld": "json-ld"}
"""Accepted format names -> canonical name."""
EXTENSIONS = {"turtle": ".ttl", "nt": ".nt", "json-ld": ".jsonld"}
_RDF_TYPE = URIRef(RDF + "type")


def format_name(name: str) -> str:
    """Canonical format name, or an error listing the accepted ones."""
    try:
        return FORMATS[name.lower()]
    except KeyError:
        raise E.BadValue(f"unknown format; use one of {sorted(set(FORMATS.values()))}",
                         field="format", value=name) from None


SUFFIXES = {".ttl": "turtle", ".turtle": "turtle", ".nt": "nt", ".ntriples": "nt", ".jsonld": "json-ld",
            ".json": "json-ld"}
"""File name endings that name an RDF format (reading and writing alike)."""


def format_of_suffix(path: str | os.PathLike[str]) -> str | None:
    """The RDF format a file name says (``.ttl``, ``.turtle``, ``.nt``, ``.jsonld``, ``.json``), or None."""
    return SUFFIXES.get(Path(path).suffix.lower())


def format_for_path(path: str | os.PathLike[str]) -> str:
    found = format_of_suffix(path)
    if found is None:
        raise E.UnknownFormat("cannot tell the RDF format from the file name; name it .ttl, .nt or .jsonld "
                          "(or a catalogue .yaml, .json, .jsonl)", path=str(path))
    return found


# --- order ----------------------------------------------------------------------------

def catalogue_triples(catalogue: Catalogue, base: str = DEFAULT_BASE) -> list[FastTriple]:
    """A catalogue's triples in lod's writing order (see :mod:`lod.fastwrite`): record by record.

    The streaming export writes the same triples in the same order batch by batch
    (``tests/test_write_paths.py`` compares the bytes of every path).
    """
    mapper = Mapper(catalogue, base, terms=PLAIN_TERMS)
    out: list[FastTriple] = []
    with gc_paused():
        if catalogue.info is not None:
            out += grouped(mapper.info_triples(catalogue.info))  # type: ignore[arg-type]  # plain terms
        for rec in catalogue.records():
            out += grouped(mapper.record_list(rec))  # type: ignore[arg-type]
    return out


def graph_triples(graph: Iterable[tuple[Node, Node, Node]]) -> list[FastTriple]:
    """A graph's triples (or any rdflib triples) as plain terms, sorted (:func:`lod.fastwrite.graph_order`).

    A blank node is refused (lod mints IRIs, so it can write deterministically); so is a
    literal where RDF allows only an IRI.
    """
    def subject(term: Node) -> str:
        if isinstance(term, URIRef):
            return check_iri(str(term))
        if isinstance(term, BNode):
            raise E.RdfError("blank nodes cannot be written deterministically; lod mints IRIs instead")
        raise E.RdfError(f"cannot write the triple: its subject {term!r} is not an IRI (RDF allows only an "
                         "IRI or a blank node there)")

    def predicate(term: Node) -> str:
        if isinstance(term, URIRef):
            return check_iri(str(term))
        raise E.RdfError(f"cannot write the triple: its predicate {term!r} is not an IRI")

    def obj(term: Node) -> str | Lit:
        if isinstance(term, BNode):
            raise E.RdfError("blank nodes cannot be written deterministically; lod mints IRIs instead")
        found = fast_term(term)
        if type(found) is str:
            check_iri(found)
        elif found[2] is not None:  # type: ignore[index]
            check_iri(found[2])  # type: ignore[index]
        return found

    with gc_paused():
        return graph_order((subject(s), predicate(p), obj(o)) for s, p, o in graph)


def sorted_triples(items: Iterable[Triple]) -> list[FastTriple]:
    """rdflib triples as plain terms in sorted order: the order lod writes a graph in (:func:`graph_triples`)."""
    return graph_triples(items)


def _triples_of(source: Catalogue | Graph, base: str) -> list[FastTriple]:
    if isinstance(source, Catalogue):
        return catalogue_triples(source, base)
    if isinstance(source, Graph):
        return graph_triples(source)
    raise E.RdfError(f"cannot write a {type(source).__name__}; give a lod.Catalogue or an rdflib Graph")


# --- JSON-LD ----------------------------------------------------------------------

def jsonld_document(items: list[FastTriple]) -> dict[str, Any]:
    """A JSON-LD document (``@context`` inline, nodes in ``@graph``) of plain-term triples in writing order."""
    doc: dict[str, Any] = json.loads(write(items, "json-ld"))
    return doc


# --- public API ------------------------------------------------------------------

def serialize(source: Catalogue | Graph, format: str = "turtle", base: str = DEFAULT_BASE) -> bytes:
    """Bytes of a catalogue or graph in ``turtle``, ``nt`` or ``json-ld``."""
    return serialize_triples(_triples_of(source, base), format)


def serialize_triples(items: list[FastTriple], format: str = "turtle") -> bytes:
    """Bytes of plain-term triples already in writing order (:func:`catalogue_triples`, :func:`graph_triples`)."""
    fmt = format_name(format)
    if items and type(items[0][0]) is not str:  # rdflib terms (URIRef is a str subclass): as plain terms, in order
        items = [(str(s), str(p), fast_term(o)) for s, p, o in items]  # type: ignore[arg-type]
    with gc_paused():
        return write(items, fmt)


def turtle_bytes(items: list[FastTriple]) -> bytes:
    """Turtle of triples in writing order (kept for code that called it; :func:`serialize_triples` does it)."""
    return serialize_triples(items, "turtle")


def ntriples_bytes(items: list[FastTriple]) -> bytes:
    """N-Triples of triples in writing order (kept for code that called it)."""
    return serialize_triples(items, "nt")


def jsonld_bytes(items: list[FastTriple]) -> bytes:
    """JSON-LD of triples in writing order (kept for code that called it)."""
    return serialize_triples(items, "json-ld")


def dumps(source: Catalogue | Graph, format: str = "turtle", base: str = DEFAULT_BASE) -> str:
    """The catalogue (or graph) as text: ``lod.dumps(cat, format="json-ld")``."""
    return serialize(source, format, base).decode("utf-8")


def dump(source: Catalogue | Graph, path: str | os.PathLike[str], format: str | None = None,
         base: str = DEFAULT_BASE) -> Path:
    """Write atomically (temp file, then rename); the format defaults from the extension."""
    fmt = format_name(format) if format else format_for_path(path)
    return write_atomic(path, serialize(source, fmt, base))


SCHEMA_CONTEXT_URLS = frozenset({
    "https://schema.org", "https://schema.org/", "http://schema.org", "http://schema.org/",
    "https://schema.org/docs/jsonldcontext.jsonld", "http://schema.org/docs/jsonldcontext.jsonld"})
"""The schema.org context URLs, answered from the bundled official context (release 30.0)."""


@cache
def schemaorg_context() -> dict[str, Any]:
    """The official schema.org JSON-LD context, as shipped in ``vocab/`` (never fetched)."""
    data: dict[str, Any] = json.loads(read_text("vocab", "schemaorg-context-v30.0.jsonld"))
    return data


def _offline_loader(url: str, options: Any = None) -> Any:
    """pyld document loader: schema.org from the bundle, everything else refused."""
    if url in SCHEMA_CONTEXT_URLS:
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": copy.deepcopy(schemaorg_context())}
    raise E.RdfError(f"refusing to load a remote JSON-LD context ({url}); lod never touches the network "
                     "when parsing (only the schema.org context is known, from its bundled copy). Inline the context.")


def parse(data: str | bytes, format: str = "turtle") -> Graph:
    """Parse Turtle, N-Triples or JSON-LD into an rdflib Graph, offline.

    JSON-LD is expanded by pyld with remote loading refused, so no ``@context`` URL
    (http, file or loopback) is ever fetched.
    """
    from pyld import jsonld  # imported when needed: it sets up a requests-based loader we never use

    fmt = format_name(format)
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise E.RdfError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); RDF files are UTF-8") \
                from None
    else:
        text = data
    g = Graph(bind_namespaces="none")
    try:
        if fmt == "json-ld":
            doc = json.loads(text)
            nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": _offline_loader})
            g.parse(data=nquads, format="nt")
        else:
            g.parse(data=text, format="turtle" if fmt == "turtle" else "nt")
    except E.LodError:
        raise
    except jsonld.JsonLdError as exc:
        cause: BaseException | None = exc
        while cause is not None:  # pyld wraps the loader's error in JsonLdErrors via __cause__
            if isinstance(cause, E.LodError):
                raise cause from None
            cause = cause.__cause__
        raise E.RdfError(f"not valid JSON-LD: {exc}") from None
    except RecursionError:
        raise E.RdfError(f"not valid {fmt}: nested too deeply to read") from None
    except Exception as exc:  # rdflib raises many types for syntax errors
        raise E.RdfError(f"not valid {fmt}: {exc}") from None
    g = _http_schema(g)
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    return g


_HTTPS_SCHEMA = "https://schema.org/"


def _http_schema(g: Graph) -> Graph:
    """Input may use ``https://schema.org/``; lod's namespace is ``http://schema.org/``."""
    # Only vocabulary positions (predicates, rdf:type objects) are rewritten; a value such as a
    # url that happens to be https://schema.org/ is data and stays as it is.
    def fix(term: Node) -> Node:
        if isinstance(term, URIRef) and str(term).startswith(_HTTPS_SCHEMA):
            return URIRef(SCHEMA + str(term)[len(_HTTPS_SCHEMA):])
        return term

    if not any(str(p).startswith(_HTTPS_SCHEMA) or (p == _RDF_TYPE and str(o).startswith(_HTTPS_SCHEMA))
               for _, p, o in g):
        return g
    out = Graph(bind_namespaces="none")
    out.addN((s, fix(p), fix(o) if p == _RDF_TYPE else o, out) for s, p, o in g)
    return out


def read_graph(path: str | os.PathLike[str], format: str | None = None) -> Graph:
    """Parse an RDF file; the format defaults from the extension."""
    fmt = format_name(format) if format else format_for_path(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise E.MissingFile("no such file", path=str(path)) from None
    try:
        return parse(data, fmt)
    except E.RdfError as exc:
        raise E.RdfError(f"{path}: {exc}") from None
