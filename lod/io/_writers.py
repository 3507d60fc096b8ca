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
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .. import errors as E
from ._atomic import replace_dir, write_atomic
from .._resources import read_text
from ..records import PREFIXES, RDF, SCHEMA, bcp47_case
from ._quads import LABELS, rdf_quads, syntax_error
from ._fastwrite import check_iri, graph_order, grouped, jsonld_context, jsonld_nodes, write
from ..mapping import DEFAULT_BASE, PLAIN_TERMS, FastTriple, Lit, Mapper, Triple, fast_term, gc_paused
from ..records import Catalogue

FORMATS = {"turtle": "turtle", "ttl": "turtle", "nt": "nt", "n-triples": "nt", "ntriples": "nt",
           "json-ld": "json-ld", "jsonld": "json-ld"}
"""Accepted format names -> canonical name."""
EXTENSIONS = {"turtle": ".ttl", "nt": ".nt", "json-ld": ".jsonld"}


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
        if isinstance(found, str):
            check_iri(found)
        else:
            text, lang, datatype = found
            if datatype is not None:
                check_iri(datatype)
            if lang is not None:
                _check_language(lang)
            if not text.isascii():
                _check_text(text)
        return found

    with gc_paused():
        return graph_order((subject(s), predicate(p), obj(o)) for s, p, o in graph)


@lru_cache(maxsize=4096)
def _check_language(tag: str) -> None:
    """A language tag RDF allows (well-formed BCP 47, as pyoxigraph reads it), else :class:`~lod.errors.BadLanguageTag`.

    rdflib lets through tags no RDF parser reads (``abcdefghij``: a subtag of more than 8 letters).
    """
    try:
        ox.Literal("", language=tag)
    except ValueError as exc:
        reason = str(exc)
        raise E.BadLanguageTag(f"refusing to write an invalid language tag: {reason[:1].lower()}{reason[1:]}",
                               value=tag) from None


def _check_text(text: str) -> None:
    """A literal's text must be Unicode that UTF-8 can hold (Python strings may carry lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise E.BadValue(f"refusing to write a literal that is not valid Unicode (a lone surrogate, "
                         f"{text[exc.start]!r}, at character {exc.start + 1})", value=text) from None


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


def parse(data: str | bytes, format: str = "turtle", *, base: str | None = None) -> Graph:
    """Parse Turtle, N-Triples or JSON-LD into an rdflib Graph: strictly, and offline.

    **Strict.** Turtle and N-Triples are read by pyoxigraph's parser, which follows the W3C
    grammars to the letter (``tests/test_w3c_rdf.py`` runs the W3C RDF 1.1 suites: every
    negative syntax test is refused, every positive one read, every evaluation test gives its
    graph). Anything it refuses is a :class:`lod.errors.RdfError` naming the line and column
    (columns count characters, from 1), what is wrong and the text there:

    >>> import lod
    >>> list(lod.parse('<https://example.org/a> <http://schema.org/name> "A" .', "nt").objects())
    [rdflib.term.Literal('A')]
    >>> lod.parse('<https://example.org/a> <http://schema.org/name> "A" .\\n<https://example.org/a b> <p> <o> .', "nt")
    Traceback (most recent call last):
    ...
    lod.errors.RdfError: not valid N-Triples at line 2, column 1: invalid IRI code point ' ' (at '<https://example.org/a b>')

    The text must be UTF-8 (a UTF-8 byte order mark is skipped); other bytes are refused with
    their line and column. RDF 1.2 additions (triple terms, ``<< … >>``, base directions) are
    refused: an rdflib graph cannot hold them.

    **Base IRI.** ``base`` resolves relative IRIs (as ``@base`` in the file would). Without
    one, a relative IRI is an error, never resolved against a made-up base; give the file an
    ``@base``, or pass the address it was published at: ``lod.parse(text, base="https://…/f.ttl")``.

    **JSON-LD** is expanded by pyld with remote loading refused, so no ``@context`` URL (http,
    file or loopback) is ever fetched (only the schema.org context is known, from its bundled
    copy); the RDF it expands to is read by the same strict parser, so an invalid IRI or
    language tag coming out of JSON-LD is refused as it would be in Turtle. A relative ``@id``
    needs ``@base`` or ``base``, as above; a named graph is refused (lod reads one graph).

    **Terms.** Blank nodes get fresh rdflib ids (two parses never share one). Literals keep
    their lexical form exactly (``"01"^^xsd:integer`` stays ``01``, ``"abc"^^xsd:integer`` is
    kept as written, ill-typed). ``"x"^^xsd:string`` and ``"x"`` are one literal in RDF 1.1; both
    become rdflib's plain ``Literal("x")`` (no datatype), as lod's mapper makes them and lod's
    writers write them, so a parsed file equals the graph lod wrote. Language tags are case
    insensitive in RDF, and pyoxigraph gives them lower-cased; lod returns them in BCP 47 case
    (``kk-Cyrl``, ``en-GB``), as lod's records store and write them, so a file lod wrote reads
    back with the tags it holds. ``https://schema.org/`` in predicates and ``rdf:type`` objects
    is read as lod's ``http://schema.org/`` (a value that happens to be such a URL stays).
    lod's prefixes are bound, after those the file declares.
    """
    from pyld import jsonld  # imported when needed: it sets up a requests-based loader we never use

    fmt = format_name(format)
    if base is not None:
        try:
            ox.NamedNode(base)
        except (ValueError, TypeError):
            raise E.BadValue("the base must be an absolute IRI (such as https://example.org/data.ttl)",
                             field="base", value=base) from None
    text = _utf8(data)
    nquads = ""  # what pyld expands JSON-LD to
    try:
        if fmt == "json-ld":
            doc = json.loads(text)
            nquads = _jsonld_processor().to_rdf(doc, {"format": "application/n-quads", "base": _NO_BASE if base is None
                                                      else base, "documentLoader": _offline_loader})
            return _graph(ox.parse(nquads, format=ox.RdfFormat.N_QUADS), fmt)
        return _graph(rdf_quads(text, fmt, base), fmt)
    except E.LodError:
        raise
    except SyntaxError as exc:  # pyoxigraph's parse error, raised while reading
        raise syntax_error(exc, nquads, fmt) from None  # pyld's N-Quads (Turtle's errors come from rdf_quads)
    except json.JSONDecodeError as exc:
        raise E.RdfError(f"not valid JSON-LD: not JSON at line {exc.lineno}, column {exc.colno}: "
                         f"{exc.msg[0].lower()}{exc.msg[1:]}") from None
    except jsonld.JsonLdError as exc:
        cause: BaseException | None = exc
        while cause is not None:  # pyld wraps the loader's error in JsonLdErrors via __cause__
            if isinstance(cause, E.LodError):
                raise cause from None
            cause = cause.__cause__
        raise E.RdfError(f"not valid JSON-LD: {exc}") from None
    except RecursionError:
        raise E.RdfError(f"not valid {LABELS[fmt]}: nested too deeply to read") from None
    except Exception as exc:  # pyld raises many types for documents it cannot expand
        raise E.RdfError(f"not valid {LABELS[fmt]}: {exc}") from None


def _jsonld_processor() -> Any:
    """A fresh pyld processor (as ``jsonld.to_rdf`` makes) that keeps the lexical form of a string ``xsd:double``.

    JSON-LD 1.1 (toRdf, "object to RDF conversion") puts a JSON *number* in canonical
    ``xsd:double`` form; pyld rewrites a string value typed ``xsd:double`` too
    (``{"@value": "1.0e0", "@type": "xsd:double"}`` became ``"1.0E0"``), so a double lod wrote
    did not read back as written. Every other value goes to pyld unchanged.
    """
    return _processor_class()()


@cache
def _processor_class() -> Any:
    from pyld import jsonld

    class Processor(jsonld.JsonLdProcessor):  # type: ignore[misc]  # pyld is untyped
        def _object_to_rdf(self, item: Any, *args: Any, **kwargs: Any) -> Any:
            value = item.get("@value") if isinstance(item, dict) else None
            if isinstance(value, str) and item.get("@type") == _XSD_DOUBLE:
                return {"type": "literal", "value": value, "datatype": _XSD_DOUBLE}
            return super()._object_to_rdf(item, *args, **kwargs)

    return Processor


_HTTPS_SCHEMA = "https://schema.org/"
_NO_BASE = "http://no-base.lod.invalid/"
"""What pyld resolves a relative ``@id`` against when no base is given (it would use ``http://example.org/base/``
otherwise); ``.invalid`` is reserved (RFC 2606), so an IRI under it can only come from a relative one: refused."""
_RDF_TYPE_STR = RDF + "type"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
_BOM = b"\xef\xbb\xbf"


def _utf8(data: str | bytes) -> str | bytes:
    """The text to parse (bytes checked as UTF-8), without a byte order mark."""
    if isinstance(data, str):
        return data[1:] if data.startswith("\ufeff") else data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[line_start: exc.start].decode("utf-8", "replace")) + 1
        raise E.RdfError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line}, column {column}); "
                         "RDF files are UTF-8") from None
    return data[3:] if data.startswith(_BOM) else data


def _graph(quads: Iterable[ox.Quad], fmt: str) -> Graph:
    """pyoxigraph's quads as an rdflib Graph (see :func:`parse` for how terms are converted).

    Each distinct term is converted once (a dict keyed by the pyoxigraph term): files repeat
    subjects, predicates, types and many values.
    """
    g = Graph(bind_namespaces="none")
    add = g.store.add
    terms: dict[Any, Node] = {}  # pyoxigraph term -> rdflib term
    vocab: dict[Any, Node] = {}  # the same for predicates and rdf:type objects (https://schema.org/ rewritten)
    rdf_type = ox.NamedNode(_RDF_TYPE_STR)
    default_graph = ox.DefaultGraph()
    named, literal, blank = ox.NamedNode, ox.Literal, ox.BlankNode

    def absolute(iri: str) -> str:
        if fmt == "json-ld" and iri.startswith(_NO_BASE):
            raise E.RdfError(f"not valid JSON-LD: {iri[len(_NO_BASE):]!r} is a relative IRI and there is no "
                             "base to resolve it against (add @base to the @context, or give lod.parse base=)")
        return iri

    def term(t: Any) -> Node:
        kind = type(t)
        if kind is named:
            found: Node = URIRef(absolute(t.value))
        elif kind is literal:
            if getattr(t, "direction", None) is not None:  # pyoxigraph 0.5 reads RDF 1.2
                raise E.RdfError(f"cannot read {t}: a base direction is RDF 1.2, which an rdflib graph cannot hold "
                                 "(lod reads RDF 1.1)")
            lang = t.language
            if lang is not None:
                found = Literal(t.value, lang=bcp47_case(lang))
            else:
                datatype = t.datatype.value
                found = Literal(t.value) if datatype == _XSD_STRING else \
                    Literal(t.value, datatype=URIRef(absolute(datatype)), normalize=False)
        elif kind is blank:
            found = BNode()  # a fresh id: blank nodes of two parses stay apart, as rdflib's parser keeps them
        else:
            raise E.RdfError(f"cannot read the triple term <<( {t} )>>: triple terms are RDF 1.2, which an rdflib "
                             "graph cannot hold (lod reads RDF 1.1)")
        terms[t] = found
        return found

    def vocab_term(t: Any) -> Node:
        if type(t) is named and t.value.startswith(_HTTPS_SCHEMA):
            found: Node = URIRef(SCHEMA + t.value[len(_HTTPS_SCHEMA):])
        else:
            found = terms[t] if t in terms else term(t)
        vocab[t] = found
        return found

    get, get_vocab = terms.get, vocab.get  # (a Literal such as "0"^^xsd:integer is falsy: compare with None)
    with gc_paused():
        for q in quads:
            if q.graph_name != default_graph:
                raise E.RdfError(f"cannot read the JSON-LD: it holds a named graph ({q.graph_name}) and lod reads "
                                 "one graph (put the nodes in the top-level @graph)")
            s, p, o = q.subject, q.predicate, q.object
            rs, rp = get(s), get_vocab(p)
            ro = get_vocab(o) if p == rdf_type else get(o)
            if rs is None:
                rs = term(s)
            if rp is None:
                rp = vocab_term(p)
            if ro is None:
                ro = vocab_term(o) if p == rdf_type else term(o)
            add((rs, rp, ro), g, False)
    prefixes = getattr(quads, "prefixes", None) or {}
    for prefix, ns in prefixes.items():
        g.bind(prefix, ns)
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    return g


def read_graph(path: str | os.PathLike[str], format: str | None = None, *, base: str | None = None) -> Graph:
    """Parse an RDF file, strictly (see :func:`parse`); the format defaults from the extension.

    An error names the file, then the line and column: ``data.ttl: not valid Turtle at line 3, column 9: …``.
    ``base`` resolves relative IRIs (without it they are an error, see :func:`parse`).
    """
    fmt = format_name(format) if format else format_for_path(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise E.MissingFile("no such file", path=str(path)) from None
    except OSError as exc:  # a folder, no permission, …
        raise E.FileError(f"cannot be read: {exc.strerror or exc}", path=str(path)) from None
    try:
        return parse(data, fmt, base=base)
    except E.RdfError as exc:
        raise E.RdfError(f"{path}: {exc}") from None
