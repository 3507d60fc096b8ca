"""lod's one writer per format: N-Triples, Turtle and JSON-LD from plain-term triples.

Every path writes through here: :func:`lod.dumps` and ``lod export`` (a whole catalogue in
memory), ``lod export --stream`` (batch by batch) and each Dask part. Triples hold IRIs as
``str`` and literals as ``(lexical, language, datatype)`` tuples (the mapper's
:data:`~lod.mapping.PLAIN_TERMS`); no rdflib or pyoxigraph term is made. A file is a header,
chunks, and a footer, and a chunk is a run of whole subject blocks, so writing a catalogue
at once or a batch at a time gives the same bytes.

**The order** (documented in README, "Output: one writer, one order"): the catalogue block,
then the records list by list in the registry's order (:data:`lod.model.REGISTRY`), each list
by id (as :class:`lod.Catalogue` keeps them); within a record, its triples :func:`grouped` by
subject in the order the mapper makes them (the class's types, then the fields in table order,
where a field such as a place's kind adds its ``rdf:type``; nested nodes after their parent). A graph handed in (not a catalogue) has no records: its triples
are sorted (:func:`graph_order`). **Language tags** are written as the records store them,
BCP 47 canonical case (``kk-Cyrl``). **IRIs** are valid by construction in a catalogue, and
checked by pyoxigraph's IRI parser in a graph handed in (:func:`check_iri`): an invalid one
is a :class:`lod.errors.BadIRI`, never a broken file.
Escaping follows pyoxigraph's N-Triples writer character for character, and the test suite
parses every output with pyoxigraph and pyld.

>>> from lod.fastwrite import nt_chunk, turtle_chunk
>>> t = [("https://example.org/id/place/almaty", "http://schema.org/name", ("Almaty", "en", None))]
>>> print(nt_chunk(t), end="")
<https://example.org/id/place/almaty> <http://schema.org/name> "Almaty"@en .
>>> print(turtle_chunk(t), end="")
<https://example.org/id/place/almaty> schema:name "Almaty"@en .
<BLANKLINE>
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Any

import pyoxigraph as ox

from .. import errors as E
from ..records import PREFIXES, RDF, SCHEMA, XSD
from ..mapping import RECORD_TYPES, FastTriple, Lit, plan
from ..records import CatalogueInfo

RDF_TYPE = RDF + "type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_INTEGER = XSD + "integer"

_ESCAPE = {i: f"\\u{i:04X}" for i in [*range(0x20), 0x7F]}
_ESCAPE.update({0xFFFE: "\\uFFFE", 0xFFFF: "\\uFFFF"})  # noncharacters: pyoxigraph escapes them too
_ESCAPE.update({0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"})
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\\x7f\ufffe\uffff]')


def quote(text: str) -> str:
    """A string literal's quoted form, escaped as pyoxigraph's N-Triples writer does."""
    if _NEEDS_ESCAPE.search(text):
        text = text.translate(_ESCAPE)
    return f'"{text}"'


def grouped(items: Iterable[FastTriple]) -> list[FastTriple]:
    """Triples grouped by subject (subjects in order of first appearance, each triple once).

    A record's triples come from the mapper in a fixed order (types first, then fields in
    table order), so grouping is all the streaming writers need for deterministic output;
    a global sort would cost more than mapping and writing together.
    """
    by_subject: dict[str, dict[FastTriple, None]] = {}
    for t in items:
        group = by_subject.get(t[0])
        if group is None:
            by_subject[t[0]] = {t: None}
        else:
            group[t] = None
    return [t for group in by_subject.values() for t in group]


# --- IRIs ----------------------------------------------------------------------------

def check_iri(iri: str) -> str:
    """``iri`` if it is a valid absolute IRI (RFC 3987, as pyoxigraph reads it), else :class:`~lod.errors.BadIRI`.

    A catalogue's IRIs are valid by construction (the base is checked, ids and URLs are checked when a record
    is made), so no writer below checks them again; a graph handed in is checked term by term
    (:func:`lod.writers.graph_triples`) before any writer sees it.
    """
    if type(iri) is not str:
        raise E.RdfError(f"cannot write {iri!r} where an IRI belongs (a literal or blank node as subject or "
                         "predicate?)")
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise E.BadIRI(f"refusing to write an invalid IRI: {exc}", value=iri) from None
    return iri


# --- N-Triples -----------------------------------------------------------------------

_LITERALS = 16_384
"""Written literals a writer keeps (least recently used go): a catalogue repeats many (positions, years, roles,
language names; in the synthetic catalogue 83 in 100 literals written are one written just before)."""


@lru_cache(maxsize=_LITERALS)
def _nt_literal(o: Lit) -> str:
    lex, lang, dt = o
    if lang:
        return f"{quote(lex)}@{lang}"
    if dt and dt != XSD_STRING:
        return f"{quote(lex)}^^<{dt}>"
    return quote(lex)


def _nt_object(o: str | Lit) -> str:
    if type(o) is tuple:
        return _nt_literal(o)
    return f"<{o}>"


def nt_chunk(items: list[FastTriple]) -> str:
    """N-Triples lines of grouped triples."""
    return "".join([f"<{s}> <{p}> {_nt_object(o)} .\n" for s, p, o in items])


# --- Turtle --------------------------------------------------------------------------

_LOCAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]*\Z")
_compact_cache: dict[str, str] = {}


def turtle_header() -> str:
    """Every prefix lod writes with (the same header whatever the data, so chunks can stream)."""
    return "".join(f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in sorted(PREFIXES.items())) + "\n"


_BY_NAMESPACE = {ns: prefix for prefix, ns in PREFIXES.items()}
_NAMESPACES = tuple(PREFIXES.values())
_ENTITY_PREFIXES = frozenset({"wd"})
"""Prefixes of things rather than terms (Wikidata items: one a record), whose compact form is not kept. The
cache took them up to its cap of 100,000 before, and in the export of 1,000,000 films with validation the
memory (VmRSS read each second) climbed from 206 to 262 MB while the files were written; without them it stays
flat there, and the peak was 239.6 and 238.6 MB against 260.1 (``python benchmarks/bench_stream.py --one
stream-validate 1000000``, commits 533aa9d and 6ebce61; the issue-13 note)."""


def _compact(iri: str) -> str:
    """``schema:name`` for an IRI in a known namespace with a plain local name, else ``<iri>``."""
    found = _compact_cache.get(iri)
    if found is None:
        if not iri.startswith(_NAMESPACES):  # (a record's IRI, most objects not cached: no prefix can be its)
            return f"<{iri}>"
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        prefix = _BY_NAMESPACE.get(iri[:cut])
        found = f"{prefix}:{iri[cut:]}" if prefix is not None and _LOCAL.match(iri, cut) else f"<{iri}>"
        if prefix is not None and prefix not in _ENTITY_PREFIXES and len(_compact_cache) < 16_384:
            _compact_cache[iri] = found  # vocabulary terms repeat; record IRIs and Wikidata items do not
    return found


@lru_cache(maxsize=_LITERALS)
def _turtle_literal(o: Lit) -> str:
    lex, lang, dt = o
    text = f'"{lex}"' if _NEEDS_ESCAPE.search(lex) is None else quote(lex)
    return f"{text}@{lang}" if lang else (f"{text}^^{_compact(dt)}" if dt and dt != XSD_STRING else text)


def turtle_chunk(items: list[FastTriple]) -> str:
    """Turtle subject blocks (``s p o , o ; p o .``) of grouped triples, without the prefix header."""
    out: list[str] = []
    last_s = last_p = None
    cached = _compact_cache.get
    literal = _turtle_literal
    for s, p, o in items:
        if type(o) is tuple:
            obj = literal(o)  # type: ignore[arg-type]
        else:
            obj = cached(o) or _compact(o)  # type: ignore[arg-type]
        if s != last_s:
            if last_s is not None:
                out.append(" .\n\n")
            out.append(f"<{s}> {'a' if p == RDF_TYPE else cached(p) or _compact(p)} {obj}")
            last_s, last_p = s, p
        elif p != last_p:
            out.append(f" ;\n    {'a' if p == RDF_TYPE else cached(p) or _compact(p)} {obj}")
            last_p = p
        else:
            out.append(f" ,\n        {obj}")
    if last_s is not None:
        out.append(" .\n\n")
    return "".join(out)


# --- JSON-LD -------------------------------------------------------------------------

def jsonld_context() -> dict[str, Any]:
    """lod's JSON-LD context (a fresh copy: changing it changes nothing else)."""
    return copy.deepcopy(_context())


@cache
def _context() -> dict[str, Any]:
    """lod's JSON-LD context, built from the alignment table.

    ``@vocab`` is schema.org (``http://schema.org/``), the table's prefixes are defined,
    and every date-valued property is coerced to ``xsd:date`` so full dates are plain
    strings; a year (``xsd:gYear``) keeps its explicit type.
    """
    ctx: dict[str, Any] = {"@vocab": SCHEMA}
    ctx.update({p: ns for p, ns in PREFIXES.items() if p != "schema"})
    ctx["schema"] = SCHEMA
    dated: set[str] = set()
    for cls in (*RECORD_TYPES, CatalogueInfo):
        stack = [cls]
        while stack:
            current = stack.pop()
            for fp in plan(current).fields:
                if fp.kind == "date":
                    dated.add(str(fp.pred))
                if fp.node is not None:
                    stack.append(fp.node)
    for iri in sorted(dated):
        ctx[_compact_key(iri)] = {"@id": _compact_id(iri), "@type": "xsd:date"}
    return ctx


@lru_cache(maxsize=4096)
def _compact_key(iri: str) -> str:
    local = iri[len(SCHEMA):]
    # a prefix's name as a key is the prefix's namespace ("xsd"), not schema:xsd: that one is written schema:xsd
    if iri.startswith(SCHEMA) and local.isidentifier() and local not in PREFIXES:
        return local
    return _compact_id(iri)


@lru_cache(maxsize=65536)
def _compact_id(iri: str) -> str:
    """An IRI as JSON-LD writes it under lod's context: ``prefix:local`` where it can be, else the IRI itself.

    An IRI whose scheme is one of the context's prefixes (``xsd:foo``, ``wd:Q1`` as IRIs of their own) would be
    read back as a compact IRI (``http://www.w3.org/2001/XMLSchema#foo``), and JSON-LD has no way to say it
    otherwise: it is refused (:class:`~lod.errors.BadIRI`), never written as another IRI.
    """
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and iri[len(ns):] and iri[len(ns):].replace("_", "").isalnum():
            return f"{prefix}:{iri[len(ns):]}"
    scheme, _, rest = iri.partition(":")
    if scheme in PREFIXES and not rest.startswith("//"):
        raise E.BadIRI(f"cannot write this IRI in JSON-LD: its scheme {scheme!r} is a prefix of lod's context, so "
                       f"JSON-LD reads it as {PREFIXES[scheme]}{rest}; write Turtle or N-Triples instead", value=iri)
    return iri


def _compact_type(iri: str) -> str:
    return _compact_key(iri)


@cache
def _coerced() -> dict[str, str]:
    """Predicate IRI -> the datatype the context coerces it to (values of that type are written plain)."""
    return {_expand(v["@id"]): _expand(v["@type"]) for v in _context().values() if isinstance(v, dict)}


def jsonld_nodes(items: Iterable[FastTriple]) -> list[dict[str, Any]]:
    """The node objects of triples in canonical order (fast-path form: see :class:`lod.mapping.FastMapper`)."""
    coerced = _coerced()
    rdf_type = RDF_TYPE
    nodes: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    current_s: str | None = None
    for s, p, o in items:
        if s != current_s:
            current = {"@id": _compact_id(s)}
            nodes.append(current)
            current_s = s
        if p == rdf_type:
            _add(current, "@type", _compact_type(o))  # type: ignore[arg-type]
            continue
        _add(current, _compact_key(p), _jsonld_value(o, coerced.get(p)))
    for node in nodes:
        for key, value in node.items():
            if isinstance(value, list) and len(value) == 1:
                node[key] = value[0]
    return nodes


def _expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES else curie


def _add(node: dict[str, Any], key: str, value: Any) -> None:
    node.setdefault(key, []).append(value)


def _jsonld_value(o: str | Lit, coerced: str | None) -> Any:
    if type(o) is not tuple:  # an IRI: checked where it came from, as for every writer (see check_iri)
        return {"@id": _compact_id(o)}  # type: ignore[arg-type]
    text, lang, dt = o  # type: ignore[misc]
    if lang:
        return {"@value": text, "@language": lang}
    if dt is None or dt == XSD_STRING:
        # under a term the context coerces (a date), a bare string would take that type
        return {"@value": text} if coerced is not None else text
    if coerced is not None and dt == coerced:
        return text
    if dt == XSD_INTEGER and text.lstrip("-").isdigit() and text == str(int(text)) and abs(int(text)) < 2**53:
        return int(text)  # JSON numbers beyond 2**53 lose precision (and JSON-LD reads 1e21 as a double)
    return {"@value": text, "@type": _compact_id(dt)}


def jsonld_header() -> str:
    ctx = json.dumps(jsonld_context(), ensure_ascii=False, sort_keys=False, indent=2)
    return '{\n  "@context": ' + ctx.replace("\n", "\n  ") + ',\n  "@graph": [\n'


JSONLD_FOOTER = "\n  ]\n}\n"


def jsonld_chunk(items: list[FastTriple], first: bool) -> str:
    """The node objects of sorted triples, one per line, as members of ``@graph``."""
    lines = [json.dumps(node, ensure_ascii=False, separators=(",", ":")) for node in jsonld_nodes(items)]
    if not lines:
        return ""
    return ("" if first else ",\n") + ",\n".join("    " + line for line in lines)


def graph_order(items: Iterable[tuple[Any, Any, Any]]) -> list[FastTriple]:
    """Triples of a graph (plain terms) sorted: subjects by IRI, ``rdf:type`` first, then predicates by IRI,
    IRIs before literals, literals by text, language and datatype (each triple once)."""
    def key(t: FastTriple) -> tuple[str, str, str]:
        s, p, o = t
        # NUL cannot occur in an IRI, a language tag or a datatype: the parts stay apart
        obj = f"1{o[0]}\x00{o[1] or ''}\x00{o[2] or ''}" if type(o) is tuple else f"0{o}"
        return (str(s), "" if p == RDF_TYPE else str(p), obj)

    return sorted(dict.fromkeys(items), key=key)


def write(items: list[FastTriple], fmt: str) -> bytes:
    """A whole file of triples already in writing order (header, one chunk, footer)."""
    header, chunk, footer = writer_for(fmt)
    return (header + chunk(items, True) + footer).encode("utf-8")


def writer_for(fmt: str) -> tuple[str, Any, str]:
    """(header, chunk function taking (items, first), footer) of a format."""
    if fmt == "nt":
        return "", lambda items, first: nt_chunk(items), ""
    if fmt == "turtle":
        return turtle_header(), lambda items, first: turtle_chunk(items), ""
    return jsonld_header(), jsonld_chunk, JSONLD_FOOTER
