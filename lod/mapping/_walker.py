"""Records to RDF and back, generic over the alignment table.

Every record becomes one node with a stable IRI ``{base}{kind}/{id}``; nested values
(credits, ratings, windows, identifiers, images) become nodes with IRIs derived from
their parent and their own key fields, never blank nodes, so output is byte-stable.

>>> import lod
>>> cat = lod.Catalogue(people=[lod.Person(id="olga-doletskaya", names={"en": "Olga Doletskaya"})])
>>> g = lod.to_graph(cat, base="https://example.org/id/")
>>> lod.from_graph(g) == cat
True
"""

from __future__ import annotations

import gc
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, lru_cache
from hashlib import sha1
from keyword import iskeyword
from typing import Any, Literal as TypingLiteral, TypeVar, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .. import errors as E
from ..records import LOD, PREFIXES, RDF, WD, XSD, AlignmentError, schema_supertypes, table
from ..records import (LISTS, RECORD_TYPES, Catalogue, CatalogueInfo, LangText, Record, RefTo, Title, canonical_set,
                       tuple_item)
from ..records import Kind, date_datatype

Triple = tuple[URIRef, URIRef, Node]

DEFAULT_BASE = "https://example.org/id/"
RDF_TYPE = URIRef(RDF + "type")
POSITION = URIRef(LOD + "position")
CATALOGUE_KIND = "catalogue"
KINDS: dict[str, type[BaseModel]] = {cls.kind: cls for cls in RECORD_TYPES}
ID_IRI = re.compile(r"(?P<base>.+/)(?P<kind>[a-z][a-z-]*)/(?P<id>[^/#?]+)\Z")


# --- the plan: what the table says about each field of each class -------------------

@dataclass(frozen=True)
class FieldPlan:
    """How one model field is written and read."""

    name: str
    kind: str  # lang | title | ref | text | int | bool | minutes | date | iri | qid | enum-iri | enum-type | node
    pred: URIRef
    many: bool
    ordered: bool = False
    also: tuple[URIRef, ...] = ()
    via: tuple[URIRef, URIRef] | None = None
    enum: Mapping[str, URIRef] = field(default_factory=dict)
    node: type[BaseModel] | None = None


@dataclass(frozen=True)
class ClassPlan:
    name: str
    types: tuple[URIRef, ...]
    consts: tuple[tuple[URIRef, Node], ...]
    fields: tuple[FieldPlan, ...]


def _term(text: str) -> Node:
    if text.startswith('"') and text.endswith('"'):
        return Literal(text[1:-1])
    return table().iri(text)


@cache
def plan(cls: type[BaseModel]) -> ClassPlan:
    """The mapping plan of a record or nested class, read from the alignment table."""
    t = table()
    name = cls.__name__
    type_row = t.find(name, "@type")
    if type_row is None or type_row.record != name:
        raise AlignmentError(f"the alignment table has no @type row for {name}")
    fields: list[FieldPlan] = []
    for fname, info in cls.model_fields.items():
        if fname == "id":
            continue
        row = t.row(name, fname)
        fields.append(_field_plan(cls, fname, info, row))
    has_type_field = any(f.kind == "enum-type" for f in fields)
    consts = tuple((t.iri(r.schema), _term(r.also)) for r in t.consts(name))
    main = t.iri(type_row.schema)
    types = () if has_type_field else (main, *schema_supertypes(str(main)))  # lod:Award is also a schema:Intangible
    return ClassPlan(name, types, consts, tuple(fields))


def _field_plan(cls: type[BaseModel], fname: str, info: Any, row: Any) -> FieldPlan:
    t = table()
    item = tuple_item(info.annotation)
    many = item is not None
    ann = item if many else info.annotation
    metadata = [] if many else list(info.metadata)
    ann, metas = _unwrap(ann)
    metadata += metas
    ordered = many and not any(isinstance(m, AfterValidator) and m.func is canonical_set for m in info.metadata)
    also = tuple(t.iri(a) for a in row.also.split()) if row.also else ()
    via = None
    if row.via:
        vp, vc = row.via.split()
        via = (t.iri(vp), t.iri(vc))
    pred = t.iri(row.schema)
    kinds = [m.name for m in metadata if isinstance(m, Kind)]

    def make(kind: str, **extra: Any) -> FieldPlan:
        return FieldPlan(name=fname, kind=kind, pred=pred, many=many, also=also, via=via, **extra)

    if isinstance(ann, type) and issubclass(ann, BaseModel):
        if ann is LangText:
            return make("lang")
        if ann is Title:
            enum = {v: t.iri(r.schema) for v, r in t.values("Title", "kind").items()}
            return make("title", enum=enum)
        return make("node", node=ann, ordered=ordered)
    if any(isinstance(m, RefTo) for m in metadata):
        return make("ref")
    if kinds:
        return make(kinds[0])
    if get_origin(ann) is TypingLiteral:
        values = t.values(cls.__name__, fname)
        if values:
            missing = set(get_args(ann)) - set(values)
            if missing:
                raise AlignmentError(f"the alignment table has no row for {cls.__name__}.{fname} values {missing}")
            enum = {v: t.iri(r.schema) for v, r in values.items()}
            return make("enum-type" if row.schema == "rdf:type" else "enum-iri", enum=enum)
        return make("text")
    if ann is bool:
        return make("bool")
    if ann is int:
        return make("int")
    if ann is str:
        return make("text")
    raise AlignmentError(f"{cls.__name__}.{fname}: no RDF mapping for type {ann!r}")


def _unwrap(ann: Any) -> tuple[Any, list[Any]]:
    """Strip Optional and Annotated, collecting the Annotated metadata."""
    metas: list[Any] = []
    while True:
        if get_origin(ann) is Union or type(ann).__name__ == "UnionType":
            args = [a for a in get_args(ann) if a is not type(None)]
            ann = args[0]
            continue
        if hasattr(ann, "__metadata__"):
            metas.extend(ann.__metadata__)
            ann = get_args(ann)[0]
            continue
        return ann, metas


# --- IRIs ---------------------------------------------------------------------------

def check_base(base: str) -> str:
    """A base IRI must be absolute, end with ``/`` and hold no ``#`` (nested nodes use the fragment)."""
    from ..records import strict_url
    try:
        base = strict_url(base)
    except Exception as exc:  # PydanticCustomError
        raise E.BadIRI(f"base IRI is not valid: {exc}", field="base", value=base) from None
    if not base.endswith("/") or "#" in base or "?" in base:
        raise E.BadIRI("base IRI must end with '/' and hold no '#' or '?'", field="base", value=base)
    return base


def record_of(node: Node) -> str | None:
    """The id of the record a node belongs to (its own, or its parent's for a nested node)."""
    m = ID_IRI.match(str(node).partition("#")[0]) if isinstance(node, URIRef) else None
    return m["id"] if m and m["kind"] in KINDS else None


def record_iri(base: str, kind: str, record_id: str) -> URIRef:
    """The IRI of a record: ``{base}{kind}/{id}``."""
    return URIRef(f"{base}{kind}/{record_id}")


@lru_cache(maxsize=65536)
def slug_of(value: Any) -> str:
    text = unicodedata.normalize("NFKD", str(value))
    slug = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    # Text with no Latin letters (a Cyrillic character name) gets a short stable hash instead.
    return slug[:48] if slug else "h" + sha1(str(value).encode()).hexdigest()[:10]


M = TypeVar("M", bound=BaseModel)


def node_iris(parent: str, field: str, items: Iterable[M]) -> list[tuple[M, URIRef]]:
    """The IRIs of a record's nested nodes (credits, windows…): ``{parent}#{field}-{key}``.

    The key comes from the node's own key fields, so IRIs are stable; a repeat gets ``_2``
    (``_`` never occurs in a slug, so it cannot clash with another node's key). Every writer
    (RDF export, web JSON-LD) mints nested IRIs here, so they always agree.
    """
    out: list[tuple[M, URIRef]] = []
    used: dict[str, int] = {}
    head = f"{parent}#{field.replace('_', '-')}-"
    of: type[BaseModel] | None = None
    key_of: Callable[[BaseModel, int], str] = _node_key
    for position, item in enumerate(items, start=1):
        if type(item) is not of:  # (the items of a field are of one class: its key function, looked up once)
            of = type(item)
            key_of = _key_function(of)
        key = key_of(item, position)
        n = used[key] = used.get(key, 0) + 1
        if n > 1:
            key = f"{key}_{n}"
        # (str.__new__: the IRI is valid by construction, a valid parent and a slug, so rdflib's check of it,
        # which costs as much as the rest of this loop, is not made; the term is the URIRef rdflib would make)
        out.append((item, _new_uriref(URIRef, head + key)))
    return out


_new_uriref = str.__new__


def via_iri(node: str) -> URIRef:
    """The IRI of a node's intermediate node (a window's ActionAccessSpecification)."""
    return URIRef(f"{node}_access")  # '_' never occurs in a slug: no clash with another key


def _node_key(node: BaseModel, fallback: int) -> str:
    """A nested node's key: the slugs of its key fields that have a value, joined by ``-``; else its position."""
    return _key_function(type(node))(node, fallback)


@cache
def _key_function(cls: type[BaseModel]) -> Callable[[BaseModel, int], str]:
    """:func:`_node_key` for the nodes of ``cls``, compiled: its key fields read as attributes, in order."""
    lines = ["def key(node, fallback):", "    parts = []"]
    for k in getattr(cls, "key_fields", ()):
        read = f"node.{k}" if k in cls.model_fields and k.isidentifier() and not iskeyword(k) else \
            f"getattr(node, {k!r}, None)"
        lines += [f"    v = {read}", "    if v or not (v is None or v == () or v == ''):",  # (a value that is there)
                  "        parts.append(slug_of(v))"]
    lines.append("    return '-'.join(parts) if parts else str(fallback)")
    env: dict[str, Any] = {"slug_of": slug_of}
    exec(compile("\n".join(lines) + "\n", f"<lod node key of {cls.__name__}>", "exec"), env)  # noqa: S102
    key: Callable[[BaseModel, int], str] = env["key"]
    return key


# --- records -> triples -------------------------------------------------------------

class Terms:
    """How the one walker (:class:`Mapper`) makes terms: rdflib terms (:data:`RDFLIB_TERMS`) or plain strings
    and tuples (:data:`PLAIN_TERMS`, the streaming path's, several times cheaper). The walk is the same;
    ``tests/test_roundtrip.py::test_both_term_factories_give_the_same_triples`` compares them directly.
    """

    rdf_type: Any = RDF_TYPE
    position: Any = POSITION

    def lang(self, text: str, lang: str) -> Any:
        return Literal(text, lang=lang)

    def plain(self, text: str) -> Any:
        return Literal(text)

    def integer(self, number: int) -> Any:
        return Literal(number)

    def typed(self, lexical: str, datatype: str) -> Any:
        return Literal(lexical, datatype=URIRef(datatype))

    def true(self) -> Any:
        return Literal(True)

    def iri(self, iri: str) -> Any:
        return URIRef(iri)

    def node(self, node: URIRef) -> Any:
        """A minted IRI (a record's, a nested node's) in this factory's form."""
        return node

    def plan(self, cls: type[BaseModel]) -> ClassPlan:
        """The class's mapping plan with its vocabulary terms in this factory's form."""
        return plan(cls)


class _PlainTerms(Terms):
    """IRIs as plain ``str``, literals as ``(lexical, language, datatype)`` tuples: no rdflib term is made."""

    rdf_type = str(RDF_TYPE)  # rdflib's URIRef never equals the same text as a plain str
    position = str(POSITION)

    def lang(self, text: str, lang: str) -> Lit:
        return (text, lang, None)

    def plain(self, text: str) -> Lit:
        return (text, None, None)

    def integer(self, number: int) -> Lit:
        return (str(number), None, _XSD_INTEGER)

    def typed(self, lexical: str, datatype: str) -> Lit:
        return (lexical, None, datatype)

    def true(self) -> Lit:
        return _TRUE

    def iri(self, iri: str) -> str:
        return iri

    def node(self, node: URIRef) -> Any:
        return str(node)

    def plan(self, cls: type[BaseModel]) -> ClassPlan:
        return _fast_plan(cls)


RDFLIB_TERMS = Terms()
"""rdflib terms (``URIRef``, ``Literal``): for :func:`to_graph` and everything that wants an rdflib graph."""


class Mapper:
    """Maps the records of one catalogue to triples under one base IRI: the one walk over the plan.

    ``terms`` says how terms are made (:data:`RDFLIB_TERMS`, the default, or :data:`PLAIN_TERMS`); the
    walk, the order of the triples and the IRIs are the same either way.
    """

    def __init__(self, catalogue: Catalogue | None, base: str = DEFAULT_BASE, *,
                 kinds: Mapping[str, str] | None = None, lookup: Callable[[str], Record] | None = None,
                 terms: Terms = RDFLIB_TERMS) -> None:
        self.base = check_base(base)
        self.catalogue = catalogue
        self.terms = terms
        plain = isinstance(terms.node(URIRef(self.base)), str)  # the factory's IRIs: plain strings or URIRefs
        if catalogue is not None:
            self._iris: Mapping[str, Any] = {r.id: terms.node(record_iri(self.base, r.kind, r.id))
                                             for r in catalogue.records()}
            self._lookup: Callable[[str], Record] = catalogue.__getitem__
        else:
            # streaming: the kinds of every record (read ahead) name the IRIs; ``lookup`` gives the
            # few records another record's triples need (an award outcome's award and edition)
            if kinds is None or lookup is None:
                raise TypeError("Mapper needs a catalogue, or kinds and lookup")
            index = _IriIndex(self.base, kinds)
            index.plain = plain
            self._iris = index
            self._lookup = lookup
        self._iri_of: Callable[[str], Any] = self._iris.__getitem__  # (once per reference: no method in between)
        self._emitters: dict[type[BaseModel], Callable[..., None]] = {}
        # nested node IRI -> (record id, field path such as "cast[1]"), filled while mapping
        self.node_paths: dict[URIRef, tuple[str, str]] = {}
        self.keep_paths = True
        """Whether :attr:`node_paths` is filled (what only places validation results: a writer alone needs none)."""
        self._current: str | None = None
        t = terms  # the walk calls these once per value: bound methods, looked up once
        self._lang, self._plain, self._int, self._typed = t.lang, t.plain, t.integer, t.typed
        self._true, self._iri, self._node_iri, self._plan = t.true, t.iri, t.node, t.plan
        self._rdf_type, self._position = t.rdf_type, t.position

    def iri(self, record_id: str) -> URIRef:
        return self._iris[record_id]

    def triples(self) -> Iterator[Triple]:
        """Every triple of the catalogue (unsorted; the writers sort)."""
        cat = self.catalogue
        assert cat is not None, "a streaming Mapper maps record by record"
        if cat.info is not None:
            yield from self.info_triples(cat.info)
        for rec in cat.records():
            yield from self.record_triples(rec)

    def info_triples(self, info: CatalogueInfo) -> Iterator[Triple]:
        """The catalogue block's triples."""
        self._current = None
        out: list[Triple] = []
        self._object(self._node_iri(record_iri(self.base, CATALOGUE_KIND, info.id)), info, out)
        return iter(out)

    def record_triples(self, rec: Record) -> Iterator[Triple]:
        return iter(self.record_list(rec))

    def record_list(self, rec: Record, iris: Mapping[str, Any] | None = None) -> list[Triple]:
        """A record's triples (its own node, its nested nodes, and what it says of others: award texts).

        ``iris`` gives the IRIs of the record and of those it refers to, looked up already (a
        :class:`RecordIris` from the streaming export's reference check), in this mapper's term form."""
        self._current = rec.id
        out: list[Triple] = []
        if iris is not None:
            self._iri_of = iris.__getitem__
        try:
            self._object(self._iri_of(rec.id), rec, out)
            if rec.kind == "award-outcome":
                self._award_text(rec, out)
        finally:
            self._iri_of = self._iris.__getitem__
        return out

    # the walk appends to one list: much cheaper than a chain of generators
    def _object(self, s: URIRef, obj: BaseModel, out: list[Triple]) -> None:
        """Append the triples of ``obj`` (node ``s``) and of its nested nodes, in plan order."""
        cls = type(obj)
        emit = self._emitters.get(cls)
        if emit is None:
            emit = self._emitters[cls] = _emitter(cls, self.terms)
        emit(self, s, obj, out)

    def _via(self, s: URIRef, via: tuple[Any, Any], add: Callable[[Triple], None]) -> Any:
        """The intermediate node of ``s`` for a field written through one (a window's access), its two triples
        added (once per node and via predicate: the emitter keeps it)."""
        # '_' never occurs in a slug, so this cannot collide with another node's key
        found = self._node_iri(via_iri(s))
        known = self.node_paths.get(URIRef(s)) if self._current is not None and self.keep_paths else None
        if known is not None:  # the keys are URIRefs for both mappers
            self.node_paths[URIRef(found)] = known
        add((s, via[0], found))
        add((found, self._rdf_type, via[1]))
        return found

    def _nodes(self, s: URIRef, fp: FieldPlan, items: Iterable[BaseModel], out: list[Triple]) -> None:
        name, pred, ordered, paths = fp.name, fp.pred, fp.ordered, self.node_paths
        current = self._current if self.keep_paths else None
        node_iri, add, walk = self._node_iri, out.append, self._object
        for position, (item, iri) in enumerate(node_iris(s, name, items), start=1):
            node = node_iri(iri)
            if current is not None:
                paths[iri] = (current, f"{name}[{position - 1}]")
            add((s, pred, node))
            if ordered:
                add((node, self._position, self._int(position)))
            walk(node, item, out)

    def _award_text(self, outcome: Any, out: list[Triple]) -> None:
        """schema.org's only award property is text: "NewFest 2020 — Grand Jury Prize, …" (see :func:`award_texts`)."""
        if outcome.status != "won":
            return
        award = self._lookup(outcome.award)
        where = outcome.edition or outcome.ceremony or getattr(award, "conferred_by", None)
        context = self._lookup(where) if where else None
        pred = self._node_iri(table().iri(table().row("AwardOutcome", "@award-text").schema))
        for text, lang in award_texts(award, context, outcome.date):
            term = self._lang(text, lang) if lang else self._plain(text)
            for rid in outcome.recipients:
                out.append((self._iri_of(rid), pred, term))


def award_texts(award: Any, context: Any, date: str | None) -> list[tuple[str, str | None]]:
    """The text of an award won, as ``schema:award`` writes it: which award, from whom, when.

    ``context`` is the festival edition it was given at, else the ceremony (an event), else the award's
    conferrer (an organisation or a festival); the year is added when the context's name does not already say it. One literal per
    language the award is named in, each in one language only: a language in which the context has no
    name is left out, and identical texts are written once. When no language is shared, one literal
    without a language tag says it all (rather than an English edition name tagged Swedish).

    >>> from lod import Award, Organization
    >>> academy = Organization(id="ampas", names={"en": "Academy of Motion Picture Arts and Sciences"})
    >>> award_texts(Award(id="a", names={"en": "Best Actor", "sv": "Bästa manliga huvudroll"}), academy, "2024")
    [('Academy of Motion Picture Arts and Sciences — Best Actor, 2024', 'en')]
    """
    names = list(getattr(context, "names", ())) if context is not None else []
    out: list[tuple[str, str | None]] = []
    seen: set[str] = set()

    def say(award_name: str, context_name: str | None) -> str:
        text = f"{context_name} — {award_name}" if context_name else award_name
        year = (date or "")[:4]
        return f"{text}, {year}" if year and year not in (context_name or "") else text

    for name in award.names:
        if names:
            match = next((n for n in names if n.lang == name.lang), None) or next(
                (n for n in names if n.lang.split("-")[0] == name.lang.split("-")[0]), None)
            if match is None:
                continue  # the context has no name in this language: no literal that mixes two
            text = say(name.text, match.text)
        else:
            text = say(name.text, None)
        if text not in seen:
            seen.add(text)
            out.append((text, name.lang))
    if not out and award.names:  # no language in common: one untagged literal
        out.append((say(award.names[0].text, names[0].text if names else None), None))
    return out


# --- the plan, compiled: one straight-line function a class --------------------------------

_VALUE_CODE = {
    # kind -> the lines that append the triples of a value ``item`` on node {s} ({P}: the field's predicate, {E}: its
    # enum); the factories (lang, plain…) are the mapper's, read once a call
    "lang": ["term = lang(item.text, item.lang)"],
    "title": ["term = lang(item.text, item.lang)", "if item.kind is not None:", "    add(({s}, {E}[item.kind], term))"],
    "ref": ["term = iri_of(item)"],
    "text": ["term = plain(item)"],
    "int": ["term = integer(item)"],
    "bool": ["term = true()"],  # (only for a true value: false is the default, not written)
    "date": ["term = typed(item, XSD + date_datatype(item))"],
    "minutes": ["term = typed(iso_duration(item), XSD_DURATION)"],
    "iri": ["term = iri(item)"],
    "qid": ["term = iri(WD + item)"],
    "enum-iri": ["term = {E}[item]"],
}
_FACTORIES = {"lang": "m._lang", "plain": "m._plain", "integer": "m._int", "typed": "m._typed", "true": "m._true",
              "iri": "m._iri", "iri_of": "m._iri_of", "rdf_type": "m._rdf_type"}


@cache
def _emitter(cls: type[BaseModel], terms: Terms) -> Callable[..., None]:
    """``emit(mapper, s, obj, out)``: the walk of ``cls``'s plan compiled to one function of straight-line code (a
    field's value read as an attribute, its kind's lines in place), so that a record is mapped without a loop over
    the plan, nor a call and kind tests for each value. It appends what the plan says, in its order: the types, the
    constants, then each field that has a value, its values in order, each value's triple then its ``also`` triples;
    a nested node's field goes to :meth:`Mapper._nodes`; a field written through an intermediate node (``via``) gets
    that node once, from :meth:`Mapper._via`. The code is the function's ``__doc__``.
    """
    p = terms.plan(cls)
    env: dict[str, Any] = {"XSD": XSD, "XSD_DURATION": XSD + "duration", "WD": WD, "date_datatype": date_datatype,
                           "iso_duration": iso_duration, "TYPES": p.types, "CONSTS": p.consts}
    body = [f"add((s, rdf_type, TYPES[{i}]))" for i in range(len(p.types))]
    body += [f"add((s, CONSTS[{i}][0], CONSTS[{i}][1]))" for i in range(len(p.consts))]
    vias: dict[Any, str] = {}
    for n, fp in enumerate(p.fields):
        env[f"F{n}"], env[f"P{n}"], env[f"E{n}"] = fp, fp.pred, fp.enum
        env.update({f"A{n}_{k}": extra for k, extra in enumerate(fp.also)})
        read = f"obj.{fp.name}" if fp.name.isidentifier() and not iskeyword(fp.name) else f"getattr(obj, {fp.name!r})"
        body += [f"v = {read}", "if v or (v is not None and v != ()):"]  # (not None, not empty: a value is there)
        node = "s"
        if fp.via is not None:
            node = vias.setdefault(fp.via[0], f"via{len(vias)}")
            env[f"VIA{node}"] = fp.via
            body += [f"    if {node} is None:", f"        {node} = m._via(s, VIA{node}, add)"]
        if fp.kind == "node":
            body.append(f"    m._nodes(s, F{n}, {'v' if fp.many else '(v,)'}, out)")
            continue
        if fp.kind == "enum-type":
            value = ["add(({s}, rdf_type, {E}[item]))"]
        else:
            value = [*_VALUE_CODE[fp.kind], "add(({s}, {P}, term))", *(f"add(({{s}}, A{n}_{k}, term))"
                                                                        for k in range(len(fp.also)))]
            if fp.kind == "bool":
                value = ["if item:", *("    " + line for line in value)]
        value = [line.format(s=node, P=f"P{n}", E=f"E{n}") for line in value]
        body += ["    item = v", *("    " + line for line in value)] if not fp.many else \
            ["    for item in v:", *("        " + line for line in value)]
    text = "\n".join(body)
    head = ["def emit(m, s, obj, out):", "    add = out.append"]
    head += [f"    {name} = {source}" for name, source in _FACTORIES.items() if re.search(rf"\b{name}\b", text)]
    head += [f"    {name} = None" for name in vias.values()]
    code = "\n".join(head + ["    " + line for line in body]) + "\n"
    exec(compile(code, f"<lod emitter for {cls.__name__}>", "exec"), env)  # noqa: S102 - code made here, from the plan
    emit: Callable[..., None] = env["emit"]
    emit.__doc__ = code
    return emit


class RecordIris(dict[str, Any]):
    """Record id -> IRI for the ids one record refers to, found while its references were checked; any other id
    is asked of ``fallback`` (a mapper's :meth:`Mapper.iri`). A dict: a look-up that hits makes no Python call."""

    def __init__(self, fallback: Callable[[str], Any]) -> None:
        super().__init__()
        self.fallback = fallback

    def __missing__(self, rid: str) -> Any:
        return self.fallback(rid)


class _IriIndex(Mapping[str, URIRef]):
    """Record IRIs computed from a record-id -> kind index (no IRI kept per record)."""

    def __init__(self, base: str, kinds: Mapping[str, str]) -> None:
        self.base, self.kinds = base, kinds
        self._kind = kinds.__getitem__
        self.plain = False

    def __getitem__(self, record_id: str) -> URIRef:
        iri = f"{self.base}{self._kind(record_id)}/{record_id}"
        return iri if self.plain else URIRef(iri)  # type: ignore[return-value]

    def __iter__(self) -> Iterator[str]:
        return iter(self.kinds)

    def __len__(self) -> int:
        return len(self.kinds)


Lit = tuple[str, "str | None", "str | None"]
"""A literal on the fast path: (lexical form, language or None, datatype IRI or None)."""
FastTriple = tuple[str, str, "str | Lit"]
"""A triple on the fast path: subject and predicate IRIs as plain strings; the object an IRI or a :data:`Lit`."""
_XSD_INTEGER = XSD + "integer"
_TRUE: Lit = ("true", None, XSD + "boolean")


PLAIN_TERMS: Terms = _PlainTerms()
"""Plain strings for IRIs and tuples for literals: the streaming export writes these triples directly."""


class FastMapper(Mapper):
    """The :class:`Mapper` with :data:`PLAIN_TERMS`, under its old name: it overrides nothing (the walk is
    :class:`Mapper`'s), so ``isinstance`` and subclasses written against the old class keep working."""

    def __init__(self, catalogue: Catalogue | None, base: str = DEFAULT_BASE, *,
                 kinds: Mapping[str, str] | None = None, lookup: Callable[[str], Record] | None = None) -> None:
        super().__init__(catalogue, base, kinds=kinds, lookup=lookup, terms=PLAIN_TERMS)


@cache
def _fast_plan(cls: type[BaseModel]) -> ClassPlan:
    """:func:`plan` with every IRI a plain str and every constant in fast form."""
    from dataclasses import replace

    p = plan(cls)
    fields = tuple(replace(fp, pred=str(fp.pred), also=tuple(str(a) for a in fp.also),  # type: ignore[arg-type,misc]
                           via=None if fp.via is None else (str(fp.via[0]), str(fp.via[1])),  # type: ignore[arg-type]
                           enum={k: str(v) for k, v in fp.enum.items()})  # type: ignore[misc]
                   for fp in p.fields)
    return ClassPlan(p.name, tuple(str(t) for t in p.types),  # type: ignore[arg-type,misc]
                     tuple((str(pred), fast_term(v)) for pred, v in p.consts), fields)  # type: ignore[misc]


def fast_term(term: Node) -> str | Lit:
    """An rdflib term as the fast path writes it (blank nodes are refused: lod mints IRIs)."""
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, Literal):
        return (str(term), term.language, None if term.datatype is None else str(term.datatype))
    raise E.RdfError(f"cannot write term {term!r}")


def iso_duration(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{mins}M" if mins or not hours else "")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects.

    The collector rescans every live object again and again during a large build
    (superlinear time); reference counting still frees memory while it is paused.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def triples(catalogue: Catalogue, base: str = DEFAULT_BASE) -> Iterator[Triple]:
    """Every triple of a catalogue, unsorted."""
    return Mapper(catalogue, base).triples()


# --- triples -> records -------------------------------------------------------------

_DURATION = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?\Z")


class Reader:
    """Reads records back from a graph written by :class:`Mapper`."""

    def __init__(self, graph: Graph) -> None:
        self.g = graph
        self.ids: dict[URIRef, str] = {}
        self.subjects: dict[str, list[tuple[URIRef, type[BaseModel]]]] = defaultdict(list)
        cls: type[BaseModel] | None
        bases: set[str] = set()
        for s in set(graph.subjects(RDF_TYPE, None)):
            if not isinstance(s, URIRef):
                continue
            m = ID_IRI.match(str(s))
            if not m:
                continue
            kind = m["kind"]
            cls = CatalogueInfo if kind == CATALOGUE_KIND else KINDS.get(kind)
            if cls is None:
                continue
            bases.add(m["base"])
            self.ids[s] = m["id"]
            self.subjects[kind].append((s, cls))
        if len(bases) > 1:
            raise E.RdfError(f"the graph mixes record IRIs under several bases: {sorted(bases)}")
        self.base = bases.pop() if bases else None
        self.problems: list[E.InputError] = []

    def catalogue(self) -> Catalogue:
        lists: dict[str, list[dict[str, Any]]] = defaultdict(list)
        info = None
        for kind, items in sorted(self.subjects.items()):
            for s, cls in sorted(items, key=lambda item: str(item[0])):
                data = self._read(s, cls, self.ids[s])
                if cls is CatalogueInfo:
                    if info is not None:
                        self.problems.append(E.BadValue("the graph describes more than one catalogue (schema:Dataset)",
                                                        record=str(s), field="info"))
                    info = data
                else:
                    lists[_list_name(cls)].append(data)
        if self.problems:
            raise E.first_or_group(self.problems, "the RDF graph")
        return Catalogue(info=info, **lists)

    def _read(self, s: URIRef, cls: type[BaseModel], rid: str | None) -> dict[str, Any]:
        p = plan(cls)
        data: dict[str, Any] = {"id": rid} if rid is not None else {}
        derived = {(a, o) for fp in p.fields for a in fp.also for o in self.g.objects(s, fp.pred)}
        for fp in p.fields:
            subject = s
            if fp.via is not None:
                subject = next(iter(self.g.objects(s, fp.via[0])), None)  # type: ignore[assignment]
                if subject is None:
                    continue
            values = self._field(subject, fp, p, derived, rid or str(s))
            if not values:
                continue
            if fp.many:
                data[fp.name] = values
            elif len(values) > 1:
                self.problems.append(E.BadValue(f"has {len(values)} values for a single-valued field",
                                                record=rid or str(s), field=fp.name, value=values))
            else:
                data[fp.name] = values[0]
        return data

    def _field(self, s: URIRef, fp: FieldPlan, p: ClassPlan, derived: set[tuple[URIRef, Node]],
               rid: str) -> list[Any]:
        g = self.g
        if fp.kind == "enum-type":
            back: dict[Node, str] = {v: k for k, v in fp.enum.items()}
            return sorted(back[o] for o in g.objects(s, RDF_TYPE) if o in back)
        if fp.kind == "title":
            # every title is a schema:name; a kind predicate on the same literal says which kind
            names = {o for o in g.objects(s, fp.pred) if isinstance(o, Literal)}
            typed: set[Literal] = set()
            out: list[Any] = []
            for kind, pred in fp.enum.items():
                for o in g.objects(s, pred):
                    if o in names:
                        typed.add(o)  # type: ignore[arg-type]
                        out.append({"text": str(o), "lang": o.language, "kind": kind})  # type: ignore[attr-defined]
            out += [{"text": str(o), "lang": o.language} for o in names - typed]
            return out
        objects = [o for o in g.objects(s, fp.pred) if (fp.pred, o) not in derived]
        if fp.kind == "qid":
            return [str(o)[len(WD):] for o in objects if str(o).startswith(WD)]
        if fp.kind == "iri" and any(f.kind == "qid" and f.pred == fp.pred for f in p.fields):
            objects = [o for o in objects if not str(o).startswith(WD)]
        if any(f.pred == fp.pred and f.kind != fp.kind and "node" in (f.kind, fp.kind) for f in p.fields):
            # one predicate, two fields (schema:productionCompany: a company, or a Role node naming its part)
            objects = [o for o in objects if (o in self.ids) == (fp.kind != "node")]
        if fp.kind == "node":
            assert fp.node is not None
            nodes = sorted(objects, key=lambda n: (self._position(n), str(n)))
            return [self._read(n, fp.node, None) for n in nodes]  # type: ignore[arg-type]
        out = []
        for o in objects:
            if fp.kind == "ref" and o not in self.ids:
                self.problems.append(E.UnknownReference(f"refers to {o}, which is not a record described in the graph",
                                                        record=rid, field=fp.name, value=str(o)))
                continue
            try:
                out.append(self._value(fp, o))
            except (ValueError, KeyError) as exc:
                self.problems.append(E.BadValue(f"cannot read {o!r} back: {exc}", record=rid, field=fp.name,
                                                value=str(o)))
        return sorted(out, key=str) if fp.kind != "lang" else out

    def _position(self, node: Node) -> int:
        pos = self.g.value(node, POSITION)  # type: ignore[arg-type]
        if pos is None:
            return 0
        try:
            return int(str(pos))
        except ValueError:
            raise E.RdfError(f"{node} has lod:position {pos!r}, which is not a whole number") from None

    def _value(self, fp: FieldPlan, o: Node) -> Any:
        kind = fp.kind
        if kind == "lang":
            if not isinstance(o, Literal) or not o.language:
                raise ValueError("expected a language-tagged literal")
            return {"text": str(o), "lang": o.language}
        if kind == "ref":
            if o not in self.ids:
                raise KeyError(f"{o} is not a record described in the graph")
            return self.ids[o]  # type: ignore[index]
        if kind == "int":
            return int(str(o))
        if kind == "bool":
            if str(o) not in ("true", "1"):
                raise ValueError("expected true")
            return True
        if kind == "minutes":
            m = _DURATION.match(str(o))
            if not m or not (m[1] or m[2] or m[3]):
                raise ValueError("expected an ISO 8601 duration in days, hours and minutes, such as PT1H33M")
            return (int(m[1] or 0) * 24 + int(m[2] or 0)) * 60 + int(m[3] or 0)
        if kind == "enum-iri":
            back = {v: k for k, v in fp.enum.items()}
            return back[o]  # type: ignore[index]
        return str(o)


def _list_name(cls: type[BaseModel]) -> str:
    return next(name for name, c in LISTS.items() if c is cls)


def from_graph(graph: Graph) -> Catalogue:
    """Records back from a graph written by :func:`to_graph` (or parsed from its output)."""
    return Reader(graph).catalogue()


def base_of(graph: Graph) -> str | None:
    """The base IRI the graph's records were minted under."""
    return Reader(graph).base
