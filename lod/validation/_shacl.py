"""lod's SHACL engine: the shapes compiled once into small Python checks, with pyshacl as the reference.

The shapes are compiled into checks that run on a plain index of the data (subject ->
predicate -> objects, IRIs as ``str`` and literals as tuples, the form
:class:`lod.mapping.FastMapper` makes). SPARQL-based targets run on pyoxigraph. The engine
writes the results graph of SHACL 1.0 §3.6 (focus node, path, value, severity, source shape,
constraint component, messages; pyshacl's generated messages for shapes without
``sh:message``; complex paths copied in), so everything downstream reads either engine the same
way.

Every SHACL Core feature compiles: all constraint components, all property paths, all
targets including implicit class targets. The W3C core test suite passes compiled, with no
fallback, and equals pyshacl wherever pyshacl passes (``tests/test_w3c_shacl.py``); lod's own
profiles are compared with pyshacl result for result (``tests/test_fast_shacl.py``). Only
SHACL-SPARQL (``sh:sparql``, components declared with ``sh:ConstraintComponent``) and
SHACL-AF targets go to pyshacl, on the same data, and are named in
:attr:`FastValidator.fallback` with the reason.

Where lod chooses: a shape met again while it is being checked on the same node conforms
(recursive shapes are left open by the Recommendation); ``sh:pattern`` runs Python's ``re``
(XPath regular expressions differ from Python's in rare corners, such as character class subtraction);
value comparisons follow SPARQL's ``<`` on numbers, strings, dates, times and booleans, and
anything else (a language-tagged string, an IRI, a dateTime with a time zone against one
without) does not compare, which is a result.

>>> import lod
>>> from lod.shacl import FastData, FastValidator
>>> from lod.validation import shapes_graph
>>> from lod.mapping import FastMapper
>>> cat = lod.load_catalogue(lod.example_path())
>>> engine = FastValidator(shapes_graph(("core",)))
>>> engine.fallback
()
>>> results = engine.run(FastData(FastMapper(cat).triples()))
>>> len(list(results.objects(None, lod.validation.SH.result)))
0
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Collection as Collection_
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any, cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from .. import errors as E
from ..mapping import FastTriple, fast_term

Term = Any  # str (IRI), Blank (blank node) or Lit (literal)
_TYPE = str(RDF.type)
_XSD_STRING_DT = str(XSD.string)
_HTTPS_SCHEMA, _HTTP_SCHEMA = "https://schema.org/", "http://schema.org/"
_OWL_CLASS = URIRef("http://www.w3.org/2002/07/owl#Class")
_SUBCLASS = str(RDFS.subClassOf)


class Blank(str):
    """A blank node on the fast path (only graphs from elsewhere have them: lod mints IRIs)."""

    __slots__ = ()


class Unsupported(Exception):
    """The compiler cannot check this shape exactly as pyshacl does: pyshacl will."""


# --- the data ------------------------------------------------------------------------

_NOT_ASKED = object()


class FastData:
    """An index of triples: subject -> predicate -> objects (an ordered set: a tuple of one, or a dict).

    ``context`` answers for nodes that are not subjects here (records of other batches):
    it gives their triples for the predicates the shapes read on referenced nodes.
    """

    def __init__(self, triples: Iterable[FastTriple],
                 context: Callable[[str], Mapping[str, Iterable[Term]] | None] | None = None,
                 graph: Graph | None = None, spo: dict[str, dict[str, Any]] | None = None, indexed: frozenset[str] = frozenset()) -> None:
        spo_given = spo is not None
        if spo is None:
            spo = {}
        last_s: Any = None
        po: dict[str, Any] = {}
        with_p: dict[str, list[str]] = {}
        in_runs = True
        for s, p, o in triples:
            if s != last_s:  # a record's triples come subject by subject: one look-up a run, not a triple
                last_s = s
                po = spo.get(s)  # type: ignore[assignment]
                if po is None:
                    po = spo[s] = {}
                else:
                    in_runs = False  # a subject met again after another: with_p's order is not spo's
            objs = po.get(p)
            if objs is None:
                po[p] = (o,)  # one object (most): a tuple, a quarter of a dict's memory
                if p in indexed:  # (few triples: the shapes' target predicates)
                    with_p.setdefault(p, []).append(s)
            elif type(objs) is tuple:
                if o != objs[0]:
                    po[p] = {objs[0]: None, o: None}
            else:
                objs[o] = None
        self.spo = spo
        self.context = context
        self.partial: set[Term] = set()
        """Subjects described here only in part (another record's triples about them): the context completes them
        (set by :meth:`lod.validation.BatchValidator.check` for a batch)."""
        self._graph = graph
        self._by_type: dict[str, list[str]] | None = None
        self._store: Any = None
        self._pindex: dict[str, list[tuple[str, Iterable[Term]]]] | None = None
        # subjects with each of the ``indexed`` predicates (the shapes' targets: FastValidator.indexed_predicates),
        # found while the triples went in, in spo's order when each subject's triples came in one run
        self._with_p = with_p if in_runs and not spo_given else None
        self._indexed = indexed
        self._inverse: dict[str, dict[Term, list[Term]]] | None = None
        self.in_progress: set[tuple[Term, Any]] = set()
        """(node, shape) pairs being checked now: a recursive shape met again conforms (see :func:`conforms`)."""
        self.supers: dict[Term, tuple[Term, ...]] = {}
        """Class -> its rdfs:subClassOf objects, as :func:`_instance_of` has looked them up."""
        self._asked: dict[Term, Any] = {}
        """Node -> what the context said of it (None: nothing), for the nodes asked about."""
        self.conformance: dict[tuple[Term, Any], bool] = {}
        """(node, shape) -> whether it conforms, for shapes reached through sh:node, sh:or… (each checked once)."""

    ill_typed = False
    """The data holds a literal rdflib found ill-typed (its lexical form is not what the graph says: pyshacl's)."""

    @classmethod
    def from_graph(cls, graph: Graph) -> FastData:
        ill = False

        def term(node: Node) -> Term:
            nonlocal ill
            if isinstance(node, Literal) and getattr(node, "ill_typed", None):
                ill = True
            return Blank(str(node)) if isinstance(node, BNode) else fast_term(node)
        data = cls(((term(s), term(p), term(o)) for s, p, o in graph), graph=graph)  # type: ignore[misc]
        data.ill_typed = ill
        return data

    @classmethod
    def from_quads(cls, quads: Iterable[Any]) -> FastData:
        """pyoxigraph's quads (or triples) of a strictly parsed file as the engine's index, with no rdflib graph
        between (half the memory of one, and a third of the time)."""
        import pyoxigraph as ox

        named, blank, literal = ox.NamedNode, ox.BlankNode, ox.Literal
        intern = sys.intern  # one str a distinct IRI: the index shares them

        def term(t: Any) -> Term:
            kind = type(t)
            if kind is named:
                return intern(t.value)
            if kind is literal:
                if getattr(t, "direction", None) is not None:
                    raise E.RdfError(f"cannot read {t}: a base direction is RDF 1.2 (lod reads RDF 1.1)")
                lang = t.language
                if lang:
                    return (t.value, lang, None)
                dt = t.datatype.value
                return (t.value, None, None if dt == _XSD_STRING_DT else intern(dt))
            if kind is blank:
                return Blank(t.value)
            raise E.RdfError(f"cannot read the triple term {t}: triple terms are RDF 1.2 (lod reads RDF 1.1)")
        spo: dict[str, dict[str, Any]] = {}
        last_s: Any = None
        po: dict[str, Any] = {}
        for q in quads:  # the index built here: a file's triples come subject by subject
            s = q.subject
            if s != last_s:
                last_s = s
                key = term(s)
                po = spo.get(key)  # type: ignore[assignment]
                if po is None:
                    po = spo[key] = {}
            p = intern(q.predicate.value)
            if p.startswith(_HTTPS_SCHEMA):  # as lod.parse reads it: https://schema.org/ terms are lod's http ones
                p = intern(_HTTP_SCHEMA + p[len(_HTTPS_SCHEMA):])
            objs = po.get(p)
            o = term(q.object)
            if p == _TYPE and type(o) is str and o.startswith(_HTTPS_SCHEMA):
                o = intern(_HTTP_SCHEMA + o[len(_HTTPS_SCHEMA):])
            if objs is None:
                po[p] = (o,)
            elif type(objs) is tuple:
                if o != objs[0]:
                    po[p] = {objs[0]: None, o: None}
            else:
                objs[o] = None
        return cls((), spo=spo)

    def objects(self, s: Term, p: str) -> Iterable[Term]:
        po = self.spo.get(s)
        if po is not None and s not in self.partial:
            return po.get(p, ())
        if self.context is None or type(s) is tuple:
            return po.get(p, ()) if po is not None else ()
        asked = self._asked
        known = asked.get(s, _NOT_ASKED)
        if known is _NOT_ASKED:  # (the context is asked once a node: a person in two roles of a batch…)
            known = asked[s] = self.context(s)
        if known is None:
            return po.get(p, ()) if po is not None else ()
        if po is None:
            return known.get(p, ())
        return dict.fromkeys([*po.get(p, ()), *known.get(p, ())])

    def instances(self, cls: str) -> list[str]:
        if self._by_type is None:
            by_type: dict[str, list[str]] = {}
            for s, po in self.spo.items():
                for t in po.get(_TYPE, ()):
                    by_type.setdefault(t, []).append(s)
            self._by_type = by_type
        return self._by_type.get(cls, [])

    def subclasses(self, cls: str) -> set[str]:
        """``cls`` and every class declared (transitively) its subclass in the data."""
        found, stack = {cls}, [cls]
        while stack:
            current = stack.pop()
            for s, objs in self._with(_SUBCLASS):
                if current in objs and s not in found:
                    found.add(s)
                    stack.append(s)
        return found

    def has_subclasses(self) -> bool:
        return bool(self._with(_SUBCLASS))

    def _with(self, p: str) -> list[tuple[str, Iterable[Term]]]:
        """The subjects that have ``p``, with their objects: one scan the first time a predicate is asked for."""
        if self._pindex is None:
            self._pindex = {}
        found = self._pindex.get(p)
        if found is None:
            if self._with_p is not None and p in self._indexed:
                spo = self.spo
                found = self._pindex[p] = [(s, spo[s][p]) for s in self._with_p.get(p, ())]
            else:
                found = self._pindex[p] = [(s, objs) for s, po in self.spo.items() if (objs := po.get(p)) is not None]
        return found

    def subjects(self, p: str, o: Term) -> list[Term]:
        """The subjects with ``p`` pointing to ``o`` (an inverse path step), from an index made once per predicate."""
        if self._inverse is None:
            self._inverse = {}
        index = self._inverse.get(p)
        if index is None:
            index = self._inverse[p] = {}
            for s, objs in self._with(p):
                for obj in objs:
                    found = index.get(obj)
                    if found is None:
                        index[obj] = [s]
                    else:
                        found.append(s)
        return index.get(o, [])

    def predicates(self, s: Term) -> Iterable[tuple[str, Iterable[Term]]]:
        """Every predicate of ``s`` here, with its objects (``sh:closed``)."""
        po = self.spo.get(s)
        return po.items() if po is not None else ()

    def subjects_of(self, p: str) -> Iterator[str]:
        return (s for s, _ in self._with(p))

    def objects_of(self, p: str) -> Iterator[Term]:
        return (o for _, objs in self._with(p) for o in objs)

    def graph(self) -> Graph:
        """The data as an rdflib graph (for the pyshacl fallback)."""
        if self._graph is None:
            g = Graph(bind_namespaces="none")
            g.addN((rdflib_term(s), rdflib_term(p), rdflib_term(o), g)
                   for s, po in self.spo.items() for p, objs in po.items() for o in objs)
            if self.context is not None:  # what is known of the other records this data refers to
                referred = {o for po in self.spo.values() for objs in po.values() for o in objs
                            if type(o) is str and (o not in self.spo or o in self.partial)} | self.partial
                for node in sorted(referred):
                    known = self.context(node) or {}
                    g.addN((URIRef(node), URIRef(p), rdflib_term(o), g) for p, objs in known.items() for o in objs)
            self._graph = g
        return self._graph

    def oxigraph(self, predicates: frozenset[str] | None) -> Any:
        """A pyoxigraph store with the triples of the given predicates (all if None), for SPARQL targets.

        Made once per data and validator (every SPARQL target of a validator asks for the same predicates).
        """
        import pyoxigraph as ox

        if self._store is None or self._store[0] != predicates:
            store = ox.Store()
            if predicates is None:
                store.bulk_extend(ox.Quad(ox_term(s), ox.NamedNode(p), ox_term(o))
                                  for s, po in self.spo.items() for p, objs in po.items() for o in objs)
            else:  # a few predicates: each subject asked for those, not each of its predicates tested
                named = [(p, ox.NamedNode(p)) for p in sorted(predicates)]
                store.bulk_extend(ox.Quad(ox_term(s), node, ox_term(o))
                                  for p, node in named for s, objs in self._with(p) for o in objs)
            self._store = (predicates, store)
        return self._store[1]


def rdflib_term(t: Term) -> Node:
    if type(t) is tuple:
        lex, lang, dt = t
        return Literal(lex, lang=lang, datatype=None if dt is None or lang else URIRef(dt), normalize=False)
    if isinstance(t, Blank):
        return BNode(str(t))
    return URIRef(t)


def ox_term(t: Term) -> Any:
    import pyoxigraph as ox

    if type(t) is tuple:
        lex, lang, dt = t
        if lang:
            return ox.Literal(lex, language=lang)
        return ox.Literal(lex, datatype=ox.NamedNode(dt)) if dt else ox.Literal(lex)
    if isinstance(t, Blank):
        return ox.BlankNode(str(t).replace("-", "")[:60] or "b")
    return ox.NamedNode(t)


def _from_ox(t: Any) -> Term:
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return t.value
    if isinstance(t, ox.Literal):
        return (t.value, t.language, None if t.language else t.datatype.value)
    return Blank(t.value)


# --- datatype checks as pyshacl makes them ---------------------------------------------

_LANG_STRING = str(RDF.langString)
_XSD_STRING = str(XSD.string)
_XSD_BOOLEAN = str(XSD.boolean)
_RDFS_LITERAL = str(RDFS.Literal)
_RDFS_DATATYPE = str(RDFS.Datatype)
_PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    str(XSD.integer): int, str(XSD.float): float, str(XSD.decimal): Decimal, str(XSD.boolean): bool,
    str(XSD.date): date, str(XSD.time): time, str(XSD.dateTime): datetime}


@lru_cache(maxsize=65536)
def _well_typed(lexical: str, datatype: str) -> bool:
    """A typed literal is well formed, and rdflib reads it as the type pyshacl expects."""
    lit = Literal(lexical, datatype=URIRef(datatype))
    if getattr(lit, "ill_typed", None) is True:
        return False
    if datatype == _XSD_BOOLEAN:
        return lexical in ("true", "false", "1", "0")  # rdflib reads "none" as false, with a warning
    if datatype == _XSD_STRING:
        return isinstance(lit.value, (str, bytes))
    expected = _PYTHON_TYPES.get(datatype)
    return expected is None or isinstance(lit.value, expected)


def _datatype_ok(v: Term, rule: str) -> bool:
    if type(v) is not tuple:
        return False
    lex, lang, dt = v
    if rule == _RDFS_LITERAL:
        return True  # every literal is one
    if lang:
        return rule == _LANG_STRING
    if dt == _LANG_STRING:
        return False  # rdf:langString without a language is ill-formed
    if dt == rule:
        return _well_typed(lex, rule)
    if rule == _RDFS_DATATYPE:
        return dt is not None
    return dt is None and rule == _XSD_STRING


def _string(v: Term) -> str:
    return v[0] if type(v) is tuple else str(v)


# --- compiled shapes -----------------------------------------------------------------

Path = tuple[Any, ...]
"""A compiled path: ("p", iri) | ("inv", iri) | ("seq", paths) | ("alt", paths) | ("star" | "plus" | "opt", path).
Inverse paths are pushed down to predicates when compiled (the inverse of a sequence is the reversed
sequence of inverses…), so ("inv", …) only ever holds a predicate."""

Check = Callable[[FastData, Term, Any], Collection_[Any]]
"""(data, focus, value nodes) -> one entry per result: the value node, None (a result without value) or a
:class:`PathHit` (a result on another path: ``sh:closed``)."""

Message = Callable[["Text", Term, Term | None], str]
"""(text helper, focus, value) -> pyshacl's default message, for a shape without ``sh:message``."""


class PathHit:
    """A result whose path is not the shape's: ``sh:closed`` reports each predicate it does not allow."""

    __slots__ = ("value", "predicate")

    def __init__(self, value: Term, predicate: str) -> None:
        self.value, self.predicate = value, predicate


@dataclass
class Constraint:
    component: URIRef
    check: Check
    message: Message
    one: Callable[[FastData, Term], bool] | None = None
    """Whether one value node passes, for the components that test each value alone (``class``, ``datatype``):
    what a shape made of them tests directly (:func:`_tester`)."""
    refs: tuple[Shape, ...] = ()
    """The shapes the component checks value nodes against (``sh:node``, ``sh:or``…): what makes shapes recursive
    (:func:`_mark_acyclic`)."""
    code: tuple[str, Any] | None = None
    """What the component tests, for :func:`_passes_function` to write in place: ``("min", n)``, ``("max", n)``,
    ``("class", iri)``, ``("datatype", iri)``, ``("node", shape)`` or ``("or", shapes)``; None: its check is
    called."""


@dataclass(eq=False)
class Shape:
    node: Node
    path: Path | None
    path_node: Node | None
    severity: URIRef
    messages: tuple[Node, ...]
    deactivated: bool = False
    constraints: list[Constraint] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    """``sh:property``: applied to each value node (the focus itself for a node shape)."""
    local: bool = False
    """Whether the shape only tests the node itself (no path, no property shapes, no shape-based or logical
    component): :func:`conforms` then runs its checks directly, without the (node, shape) memo. Set once the
    shapes are compiled (:func:`_mark_local`)."""
    on_empty: tuple[Constraint, ...] | None = None
    """The constraints that can report anything on a property shape whose path has no value (``minCount``…):
    :func:`evaluate` runs only these then. None: not worked out (all are run)."""
    passes: Callable[[FastData, Term], bool] | None = None
    """Whether a node conforms, as one function of straight-line code (:func:`_passes_function`), for a shape
    from which no shape reached (through property shapes and the shapes its components name) leads back to a
    shape on the way (acyclic): checking it never meets a (node, shape) still being checked, so the order of its
    checks cannot change what it finds, and :func:`conforms` runs this. None for any other shape. Set once the
    shapes are compiled (:func:`_mark_acyclic`)."""


_LOCAL_COMPONENTS = frozenset(_c for _c in (
    "class", "datatype", "nodeKind", "minExclusive", "minInclusive", "maxExclusive", "maxInclusive", "minLength",
    "maxLength", "pattern", "languageIn", "in", "hasValue"))


_PER_VALUE_COMPONENTS = (_LOCAL_COMPONENTS - {"hasValue"}) | frozenset((
    "node", "not", "and", "or", "xone", "property", "maxCount", "uniqueLang", "lessThan", "lessThanOrEquals",
    "disjoint", "qualifiedMaxCount", "closed"))
"""What tests only the values a path has, and so says nothing when it has none. Every other component
(``minCount``, ``qualifiedMinCount``, ``hasValue``, ``equals``, SPARQL-based ones) runs on an empty path too."""


def _tester(shape: Shape) -> Callable[[FastData, Term], bool]:
    """Whether a node conforms to ``shape``: :func:`conforms`, or for a shape whose every constraint tests the
    node alone (``[ sh:class schema:Person ]`` in an ``sh:or``), those tests themselves; and for a shape of one
    ``sh:node`` or ``sh:or`` alone (``[ sh:node shapes:PerformanceRole ]``), that component's test: it has no
    path and no property shapes, so it conforms exactly when the test passes, and the shapes the test names are
    still checked by :func:`conforms`, memo and recursion guard included. (One such component only: with two,
    a recursive shape met again could conform through one and fail through the other.)"""
    direct = _direct_tests(shape)
    if direct is not None:
        ones = [c.one for c in direct]
        if len(ones) == 1:
            return ones[0]  # type: ignore[return-value]
        return lambda data, v: all(one(data, v) for one in ones)  # type: ignore[misc]
    return lambda data, v: conforms(data, v, shape)


def _direct_tests(shape: Shape) -> list[Constraint] | None:
    """The constraints whose per-value tests stand for ``shape`` (see :func:`_tester`), or None: its checks must
    run as :func:`conforms` runs them."""
    found = shape.constraints
    if found and all(c.one is not None for c in found) and (shape.local or (
            len(found) == 1 and shape.path is None and not shape.properties and not shape.deactivated)):
        return found
    return None


def _mark_acyclic(shapes: Iterable[Shape]) -> None:
    """Set :attr:`Shape.passes` of the acyclic shapes (a depth-first walk: a shape met again while its own walk is
    under way closes a cycle, and every shape on that walk's way is not acyclic)."""
    state: dict[int, bool] = {}  # id -> acyclic (False while its walk is under way)

    def walk(shape: Shape) -> bool:
        key = id(shape)
        if key in state:
            return state[key]
        state[key] = False
        ok = True
        for nxt in (*shape.properties, *(r for c in shape.constraints for r in c.refs)):
            if not walk(nxt):
                ok = False
        state[key] = ok
        return ok
    acyclic = [shape for shape in shapes if walk(shape)]
    for shape in acyclic:  # (after the walk: a shape's function may name another's)
        shape.passes = _passes_function(shape)


_INLINE_DEPTH = 6
"""Property shapes nested deeper than this are checked by a call to their own function (Python allows 20 nested
blocks in one function)."""


def _passes_function(shape: Shape) -> Callable[[FastData, Term], bool]:
    """``passes(data, focus)``: whether ``focus`` conforms to the acyclic ``shape``, as :func:`_passes` finds (every
    constraint's check passes on the shape's values, and every property shape on each value), compiled to one
    function: the values of a predicate path read with ``data.objects``, counts compared in place, a per-value
    test (``sh:class``, ``sh:datatype``, ``sh:node``) written on each value, the property shapes' checks written
    inside, and every other check called. The checks of an acyclic shape never meet a check under way, so their
    order does not change the answer; the first that fails ends the function. The code is its ``__doc__``;
    ``tests/test_fast_shacl.py::test_a_compiled_shape_passes_where_its_checks_do`` compares it with the checks,
    on the W3C SHACL core suite and on a synthetic catalogue."""
    env: dict[str, Any] = {"_instance_of": _instance_of, "_datatype_ok": _datatype_ok, "conforms": conforms,
                           "path_values": path_values}
    lines = ["def passes(data, focus):", "    objects = data.objects"]

    def const(value: Any) -> str:
        name = f"K{len(env)}"
        env[name] = value
        return name

    def emit(shape: Shape, focus: str, indent: int, depth: int) -> None:
        pad = "    " * indent
        if shape.path is None:
            vals = f"({focus},)"
        else:
            vals = f"v{depth}"
            if shape.path[0] == "p":
                lines.append(f"{pad}{vals} = objects({focus}, {const(shape.path[1])})")
            else:
                lines.append(f"{pad}{vals} = path_values(data, {focus}, {const(shape.path)})")
        per_value = []
        for c in shape.constraints:
            code = c.code
            if c.one is not None:
                per_value.append(c)
            elif code is not None and code[0] == "min":
                lines.append(f"{pad}if len({vals}) < {int(code[1])}:")
                lines.append(f"{pad}    return False")
            elif code is not None and code[0] == "max":
                lines.append(f"{pad}if len({vals}) > {int(code[1])}:")
                lines.append(f"{pad}    return False")
            else:
                lines.append(f"{pad}if {const(c.check)}(data, {focus}, {vals}):")
                lines.append(f"{pad}    return False")
        props = [p for p in shape.properties if not p.deactivated]
        if not per_value and not props:
            return
        if shape.path is None:
            x, inner = focus, indent
        else:
            x, inner = f"x{depth}", indent + 1
            lines.append(f"{pad}for {x} in {vals}:")
        ipad = "    " * inner

        def test_of(c: Constraint, x: str) -> str:
            code = c.code
            if code is not None and code[0] == "class":
                return f"_instance_of(data, {x}, {const(code[1])})"
            if code is not None and code[0] == "datatype":
                return f"_datatype_ok({x}, {const(code[1])})"
            if code is not None and code[0] == "node":
                return f"conforms(data, {x}, {const(code[1])})"
            if code is not None and code[0] == "or" and not all(sub.local for sub in code[1]):
                # (an sh:or of shapes that all test the node alone keeps its memo of literals: called)
                return f"({' or '.join(alternative(sub, x) for sub in code[1])})"
            return f"{const(c.one)}(data, {x})"

        def alternative(sub: Shape, x: str) -> str:
            # as _tester(sub) tests it (the shapes a test names acyclic too: memoised by conforms, unguarded)
            direct = _direct_tests(sub)
            if direct is not None:
                return f"({' and '.join(test_of(c, x) for c in direct)})"
            return f"conforms(data, {x}, {const(sub)})"
        for c in per_value:
            test = test_of(c, x)
            lines.append(f"{ipad}if not {test}:")
            lines.append(f"{ipad}    return False")
        for prop in props:
            if depth >= _INLINE_DEPTH:
                lines.append(f"{ipad}if not {const(prop)}.passes(data, {x}):")
                lines.append(f"{ipad}    return False")
            else:
                emit(prop, x, inner, depth + 1)

    if not shape.deactivated:
        emit(shape, "focus", 1, 0)
    lines.append("    return True")
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<lod shape {shape.node}>", "exec"), env)  # noqa: S102 (lod's own code, from the shapes)
    passes = env["passes"]
    passes.__doc__ = source
    return cast("Callable[[FastData, Term], bool]", passes)


def _mark_local(shapes: Iterable[Shape]) -> None:
    local = {f"{SH}{n[0].upper()}{n[1:]}ConstraintComponent" for n in _LOCAL_COMPONENTS}
    per_value = {f"{SH}{n[0].upper()}{n[1:]}ConstraintComponent" for n in _PER_VALUE_COMPONENTS}
    for shape in shapes:
        shape.local = (shape.path is None and not shape.properties and not shape.deactivated
                       and all(str(c.component) in local for c in shape.constraints))
        shape.on_empty = tuple(c for c in shape.constraints if str(c.component) not in per_value)


_NOT_CONSTRAINTS = {SH.message, SH.severity, SH.deactivated, SH.name, SH.description, SH.order, SH.group,
                    SH.defaultValue, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
                    SH.target, SH.path, SH.property, SH.flags, SH.qualifiedMinCount, SH.qualifiedMaxCount,
                    SH.qualifiedValueShapesDisjoint, SH.ignoredProperties, SH.prefixes, SH.declare,
                    SH.shapesGraph, SH.suggestedShapesGraph, SH.entailment, SH.prefix, SH.namespace,
                    SH.labelTemplate, SH.parameter}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_ONE = (None,)  # one result, without a value
_PROPERTY_ONLY = {"minCount", "maxCount", "uniqueLang", "lessThan", "lessThanOrEquals", "qualifiedValueShape"}
"""Parameters SHACL allows on property shapes only (§4.2, §4.4, §4.5, §4.7.3)."""
_TRUE = {"true"}  # only "true": "1"^^xsd:boolean does not switch a parameter on (W3C property/uniqueLang-002)


def _in_order(nodes: Iterable[Node]) -> list[Node]:
    """Shape graph nodes in a fixed order (by kind, then text), whatever order the store gives."""
    return sorted(nodes, key=lambda n: (type(n).__name__, str(n)))


def _component(name: str) -> URIRef:
    return URIRef(f"{SH}{name[0].upper()}{name[1:]}ConstraintComponent")


def _inverse(path: Path) -> Path:
    kind, arg = path
    if kind == "p":
        return ("inv", arg)
    if kind == "inv":
        return ("p", arg)
    if kind == "seq":
        return ("seq", tuple(_inverse(p) for p in reversed(arg)))
    if kind == "alt":
        return ("alt", tuple(_inverse(p) for p in arg))
    return (kind, _inverse(arg))


def read_path(g: Graph, node: Node, depth: int = 0) -> Path:
    """A SHACL property path (SHACL 1.0 §2.3.1) as a compiled :data:`Path`.

    A node that is a list is a sequence path even if it has other path predicates too (W3C core
    ``path/path-strange-001``); a sequence needs two members or more.
    """
    if depth > 64:
        raise E.ValidationRunError(f"could not validate: the property path at {node} nests more than 64 deep "
                                   "(a path that contains itself?)")
    if node == RDF.nil:
        raise E.ValidationRunError("could not validate: an empty list (rdf:nil) is used as a property path")
    if isinstance(node, URIRef):
        return ("p", str(node))
    if isinstance(node, Literal):
        raise E.ValidationRunError(f"could not validate: a literal ({node}) is used as a property path")
    if g.value(node, RDF.first) is not None:
        members = rdf_list(g, node, "a sequence path")
        if len(members) < 2:
            raise E.ValidationRunError(f"could not validate: the sequence path {node} has fewer than two members")
        return ("seq", tuple(read_path(g, n, depth + 1) for n in members))
    for pred, kind in ((SH.inversePath, "inv"), (SH.alternativePath, "alt"), (SH.zeroOrMorePath, "star"),
                       (SH.oneOrMorePath, "plus"), (SH.zeroOrOnePath, "opt")):
        arg = g.value(node, pred)
        if arg is None:
            continue
        if kind == "inv":
            return _inverse(read_path(g, arg, depth + 1))
        if kind == "alt":
            members = rdf_list(g, arg, "sh:alternativePath")
            if len(members) < 2:
                raise E.ValidationRunError(f"could not validate: the alternative path {node} has fewer than two "
                                           "members")
            return ("alt", tuple(read_path(g, n, depth + 1) for n in members))
        return (kind, read_path(g, arg, depth + 1))
    raise E.ValidationRunError(f"could not validate: {node} is not a SHACL property path")


def rdf_list(g: Graph, node: Node, what: str) -> list[Node]:
    """The members of an RDF list in the shapes, or a clear error if ``node`` is not a well-formed list."""
    if node != RDF.nil and (isinstance(node, Literal) or g.value(node, RDF.first) is None):
        raise E.ValidationRunError(f"could not validate: the value of {what} must be an RDF list, not {node}")
    try:
        return list(Collection(g, node))  # type: ignore[arg-type]
    except ValueError as exc:  # rdflib: a list whose rdf:rest comes back to itself
        raise E.ValidationRunError(f"could not validate: the list given to {what} ({node}) is broken: {exc}") from None


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.g = shapes
        self.done: dict[Node, Shape] = {}
        # parameters of constraint components declared in the shapes (SHACL-SPARQL): pyshacl's to run
        self.custom = {p for c in shapes.subjects(RDF.type, SH.ConstraintComponent)
                       for param in shapes.objects(c, SH.parameter) for p in shapes.objects(param, SH.path)}

    def shape(self, node: Node) -> Shape:
        found = self.done.get(node)
        return found if found is not None else self._shape(node)

    def _shape(self, node: Node) -> Shape:
        g = self.g
        if isinstance(node, Literal):
            raise E.ValidationRunError(f"could not validate: a literal ({node}) is used where a shape belongs")
        paths = list(g.objects(node, SH.path))
        if len(paths) > 1:
            raise E.ValidationRunError(f"could not validate: the shape {node} has {len(paths)} values of sh:path; "
                                       "a property shape has exactly one")
        path_node = paths[0] if paths else None
        shape = Shape(node=node, path=read_path(g, path_node) if path_node is not None else None,
                      path_node=path_node, severity=g.value(node, SH.severity) or SH.Violation,  # type: ignore[arg-type]
                      messages=tuple(_in_order(g.objects(node, SH.message))),
                      deactivated=str(g.value(node, SH.deactivated)).lower() in _TRUE)
        self.done[node] = shape  # before the parts: a shape may refer to itself (SHACL for SHACL does)
        for pred in sorted(set(g.predicates(node, None)), key=str):
            if pred in self.custom:
                raise Unsupported(f"{pred} is a parameter of a SHACL-SPARQL constraint component")
            if not str(pred).startswith(str(SH)) or pred in _NOT_CONSTRAINTS:
                continue
            name = str(pred)[len(str(SH)):]
            make = getattr(self, f"c_{name}", None)
            if make is None:
                raise Unsupported("sh:sparql (SHACL-SPARQL)" if name == "sparql" else
                                  f"sh:{name} is not a SHACL Core parameter (a typo? pyshacl ignores it)")
            if name in _PROPERTY_ONLY and path_node is None:
                raise E.ValidationRunError(f"could not validate: sh:{name} on {node}, a node shape; it belongs on "
                                           "a property shape (one with sh:path)")
            make(shape, list(g.objects(node, pred)))  # in the graph's order, as pyshacl lists them in messages
        for prop in _in_order(g.objects(node, SH.property)):
            shape.properties.append(self.shape(prop))
        return shape

    # -- helpers for messages, as pyshacl words them
    def _path_text(self, shape: Shape) -> Callable[[Text], str] | None:
        if shape.path_node is None:
            return None
        node = shape.path_node
        return lambda t: t.shapes(node)

    def _add(self, shape: Shape, name: str, check: Check, message: Message,
             one: Callable[[FastData, Term], bool] | None = None, refs: tuple[Shape, ...] = (),
             code: tuple[str, Any] | None = None) -> None:
        shape.constraints.append(Constraint(_component(name), check, message, one, refs, code))

    @staticmethod
    def _one(name: str, values: list[Node]) -> Node:
        if len(values) != 1:
            raise E.ValidationRunError(f"could not validate: a shape has {len(values)} values of sh:{name}; "
                                       "SHACL allows one")
        return values[0]

    @staticmethod
    def _int(name: str, value: Node) -> int:
        try:
            n = int(value)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            raise E.ValidationRunError(f"could not validate: sh:{name} {value} is not an integer") from None
        if n < 0:
            raise E.ValidationRunError(f"could not validate: sh:{name} {value} is negative")
        return n

    # -- cardinality
    def c_minCount(self, shape: Shape, values: list[Node]) -> None:
        n = self._int("minCount", self._one("minCount", values))
        path = self._path_text(shape)
        self._add(shape, "minCount", lambda data, focus, vals: _ONE if len(vals) < n else (),
                  lambda t, f, v: (f"Less than {n} values on {t.data(f)}->{path(t)}" if path is not None
                                   else f"Less than {n} values on {t.data(f)}"), code=("min", n))

    def c_maxCount(self, shape: Shape, values: list[Node]) -> None:
        n = self._int("maxCount", self._one("maxCount", values))
        path = self._path_text(shape)
        self._add(shape, "maxCount", lambda data, focus, vals: _ONE if len(vals) > n else (),
                  lambda t, f, v: (f"More than {n} values on {t.data(f)}->{path(t)}" if path is not None
                                   else f"More than {n} values on {t.data(f)}"), code=("max", n))

    # -- value type
    def c_class(self, shape: Shape, values: list[Node]) -> None:
        def message(t: Text, f: Term, v: Term | None) -> str:
            if len(values) < 2:
                return f"Value does not have class {t.shapes(values[0])}"
            return f"Value class is not in classes ({', '.join(t.shapes(c) for c in values)})"
        for value in values:
            rule = str(value)
            self._add(shape, "class", lambda data, focus, vals, rule=rule:  # type: ignore[misc]
                      [v for v in vals if not _instance_of(data, v, rule)], message,
                      lambda data, v, rule=rule: _instance_of(data, v, rule), code=("class", rule))  # type: ignore[misc]

    def c_datatype(self, shape: Shape, values: list[Node]) -> None:
        value = self._one("datatype", values)
        rule = str(value)
        self._add(shape, "datatype", lambda data, focus, vals: [v for v in vals if not _datatype_ok(v, rule)],
                  lambda t, f, v: f"Value is not Literal with datatype {t.shapes(value)}",
                  lambda data, v: _datatype_ok(v, rule), code=("datatype", rule))

    def c_nodeKind(self, shape: Shape, values: list[Node]) -> None:
        value = self._one("nodeKind", values)
        kinds = _NODE_KINDS.get(value)  # type: ignore[call-overload]
        if kinds is None:
            raise E.ValidationRunError(f"could not validate: sh:nodeKind {value} is not a SHACL node kind")
        self._add(shape, "nodeKind", lambda data, focus, vals: [v for v in vals if _kind(v) not in kinds],
                  lambda t, f, v: f"Value is not of Node Kind {t.shapes(value)}")

    # -- value range
    def _range(self, shape: Shape, name: str, values: list[Node], ok: Callable[[Any, Any], bool], sign: str) -> None:
        def message(t: Text, f: Term, v: Term | None) -> str:
            if len(values) < 2:
                return f"Value is not {sign} {t.shapes(values[0])}"
            return f"Value is not {sign} in ({', '.join(t.shapes(c) for c in values)})"
        for value in values:
            bound = _ordered(plain_term_of(value))
            self._add(shape, name, lambda data, focus, vals, bound=bound:  # type: ignore[misc]
                      [v for v in vals if not _compare(_ordered(v), bound, ok)], message)

    def c_minExclusive(self, shape: Shape, values: list[Node]) -> None:
        self._range(shape, "minExclusive", values, lambda a, b: a > b, ">")

    def c_minInclusive(self, shape: Shape, values: list[Node]) -> None:
        self._range(shape, "minInclusive", values, lambda a, b: a >= b, ">=")

    def c_maxExclusive(self, shape: Shape, values: list[Node]) -> None:
        self._range(shape, "maxExclusive", values, lambda a, b: a < b, "<")

    def c_maxInclusive(self, shape: Shape, values: list[Node]) -> None:
        self._range(shape, "maxInclusive", values, lambda a, b: a <= b, "<=")

    # -- strings
    def _length(self, shape: Shape, name: str, values: list[Node], ok: Callable[[int, int], bool], sign: str) -> None:
        value = self._one(name, values)
        n = self._int(name, value)
        self._add(shape, name, lambda data, focus, vals: [v for v in vals if isinstance(v, Blank)
                                                          or not ok(len(_string(v)), n)],
                  lambda t, f, v: f"String length not {sign} {t.data(plain_term_of(value))}")

    def c_minLength(self, shape: Shape, values: list[Node]) -> None:
        self._length(shape, "minLength", values, lambda a, b: a >= b, ">=")

    def c_maxLength(self, shape: Shape, values: list[Node]) -> None:
        self._length(shape, "maxLength", values, lambda a, b: a <= b, "<=")

    def c_pattern(self, shape: Shape, values: list[Node]) -> None:
        flags_node = self.g.value(shape.node, SH.flags)
        flags = 0
        text = str(flags_node) if flags_node is not None else ""
        unknown = set(text) - set("smixq")
        if unknown:
            raise E.ValidationRunError(f"could not validate: {shape.node} has regular expression flags {text!r}; "
                                       "SPARQL knows s, m, i, x and q")
        flags = ((re.S if "s" in text else 0) | (re.M if "m" in text else 0) | (re.I if "i" in text else 0)
                 | (re.X if "x" in text else 0))

        def message(t: Text, f: Term, v: Term | None) -> str:
            if len(values) < 2:
                return f"Value does not match pattern '{values[0]}'"
            return "Value does not match every pattern in ('{}')".format("', '".join(str(c) for c in values))
        for value in values:
            if not isinstance(value, Literal):
                raise E.ValidationRunError(f"could not validate: sh:pattern of {shape.node} is {value}, not a string")
            source = re.escape(str(value)) if "q" in text else str(value)
            try:
                rx = re.compile(source, flags)
            except re.error as exc:
                raise E.ValidationRunError(f"could not validate: sh:pattern {str(value)!r} of {shape.node} is not "
                                           f"a regular expression lod can read ({exc})") from None
            self._add(shape, "pattern", lambda data, focus, vals, rx=rx:  # type: ignore[misc]
                      [v for v in vals if isinstance(v, Blank) or not rx.search(_string(v))], message)

    def c_languageIn(self, shape: Shape, values: list[Node]) -> None:
        value = self._one("languageIn", values)
        ranges = [str(r).lower() for r in rdf_list(self.g, value, "sh:languageIn")]

        def bad(v: Term) -> bool:
            lang = v[1] if type(v) is tuple else None
            return not lang or not any(_lang_matches(lang.lower(), r) for r in ranges)
        self._add(shape, "languageIn", lambda data, focus, vals: [v for v in vals if bad(v)],
                  lambda t, f, v: f"String language is not in {t.shapes(value)}")

    def c_uniqueLang(self, shape: Shape, values: list[Node]) -> None:
        value = self._one("uniqueLang", values)
        if str(value).lower() not in _TRUE:
            return

        def check(data: FastData, focus: Term, vals: Any) -> list[None]:
            seen: dict[str, int] = {}
            for v in vals:
                if type(v) is tuple and v[1]:
                    lang = v[1].lower()
                    seen[lang] = seen.get(lang, 0) + 1
            return [None for n in seen.values() if n > 1]  # one result (without a value) a shared tag
        self._add(shape, "uniqueLang", check, lambda t, f, v: "More than one String shares the same Language")

    # -- property pairs
    def _pair(self, shape: Shape, name: str, values: list[Node], sign: str,
              check: Callable[[FastData, Term, Any, str], list[Term]]) -> None:
        def message(t: Text, f: Term, v: Term | None) -> str:
            rules = t.shapes(values[0]) if len(values) < 2 else ", ".join(t.shapes(p) for p in values)
            return f"Value of {t.data(f)}->{rules} {sign} {t.data(v)}"
        for value in values:
            if not isinstance(value, URIRef):
                raise E.ValidationRunError(f"could not validate: sh:{name} {value} is not an IRI")
            pred = str(value)
            self._add(shape, name, lambda data, focus, vals, pred=pred:  # type: ignore[misc]
                      check(data, focus, vals, pred), message)

    def c_equals(self, shape: Shape, values: list[Node]) -> None:
        def check(data: FastData, focus: Term, vals: Any, pred: str) -> list[Term]:
            mine, other = {_same(v): v for v in vals}, {_same(o): o for o in data.objects(focus, pred)}
            return [v for k, v in mine.items() if k not in other] + [o for k, o in other.items() if k not in mine]
        self._pair(shape, "equals", values, "!=", check)

    def c_disjoint(self, shape: Shape, values: list[Node]) -> None:
        def check(data: FastData, focus: Term, vals: Any, pred: str) -> list[Term]:
            other = {_same(o) for o in data.objects(focus, pred)}
            return [v for v in vals if _same(v) in other]
        self._pair(shape, "disjoint", values, "==", check)

    def c_lessThan(self, shape: Shape, values: list[Node]) -> None:
        def check(data: FastData, focus: Term, vals: Any, pred: str) -> list[Term]:
            others = [_ordered(o) for o in data.objects(focus, pred)]
            return [v for v in vals for o in others if not _compare(_ordered(v), o, _LT)]
        self._pair(shape, "lessThan", values, "<=", check)  # pyshacl's words

    def c_lessThanOrEquals(self, shape: Shape, values: list[Node]) -> None:
        def check(data: FastData, focus: Term, vals: Any, pred: str) -> list[Term]:
            others = [_ordered(o) for o in data.objects(focus, pred)]
            return [v for v in vals for o in others if not _compare(_ordered(v), o, _LE)]
        self._pair(shape, "lessThanOrEquals", values, "<", check)  # pyshacl's words

    # -- logic and shapes
    def c_not(self, shape: Shape, values: list[Node]) -> None:
        def message(t: Text, f: Term, v: Term | None) -> str:
            if len(values) == 1:
                return f"Node {t.data(v)} must not conform to shape {t.shapes(values[0])}"
            return f"Node {t.data(v)} must not conform to any shapes in {' , '.join(t.shapes(n) for n in values)}"
        for value in values:
            sub = self.shape(value)
            self._add(shape, "not", lambda data, focus, vals, sub=sub:  # type: ignore[misc]
                      [v for v in vals if conforms(data, v, sub)], message, refs=(sub,))

    def _logic(self, shape: Shape, name: str, values: list[Node], words: str,
               test: Callable[[FastData, Term, list[Callable[[FastData, Term], bool]]], bool],
               direct: bool = False) -> None:
        """``direct``: the component's per-value test may stand for a shape made of it alone (:func:`_tester`).
        Only for ``sh:or`` (and ``sh:node``): a recursive shape met again through them conforms with or without
        the shape around them checked by :func:`conforms`; through ``and``, ``xone`` or ``not`` it need not."""
        g = self.g

        def message(t: Text, f: Term, v: Term | None) -> str:
            if len(values) < 2:
                listed = " , ".join(t.shapes(n) for n in g.items(values[0]))
            else:
                listed = " and ".join(f"({' , '.join(t.shapes(n) for n in g.items(a))})" for a in values)
            return f"Node {t.data(v)} must conform to {words} {listed}"
        for value in values:
            subs = [self.shape(n) for n in rdf_list(g, value, f"sh:{name}")]
            made: list[Any] = []  # made at the first check, the shapes compiled by then: the tests, and whether
            memo: dict[Term, bool] = {}  # a literal's answer is the literal's alone (memo: the last 4096 literals)

            def one(data: FastData, v: Term, subs: list[Shape] = subs, made: list[Any] = made,
                    memo: dict[Term, bool] = memo) -> bool:
                if not made:
                    # every shape tests the node alone (sh:datatype, sh:pattern…; sh:class, the one such test that
                    # reads the data, fails on any literal): on a literal, the same answer in any data
                    made += [[_tester(sub) for sub in subs], all(sub.local for sub in subs)]
                if made[1] and type(v) is tuple:
                    found = memo.get(v)
                    if found is None:
                        if len(memo) >= 4096:
                            memo.clear()
                        found = memo[v] = test(data, v, made[0])
                    return found
                return test(data, v, made[0])

            def check(data: FastData, focus: Term, vals: Collection_[Term], one: Any = one) -> list[Term]:
                return [v for v in vals if not one(data, v)]
            self._add(shape, name, check, message, one if direct else None, refs=tuple(subs),
                      code=("or", tuple(subs)) if name == "or" else None)

    def c_and(self, shape: Shape, values: list[Node]) -> None:
        self._logic(shape, "and", values, "all shapes in", _all_pass)

    def c_or(self, shape: Shape, values: list[Node]) -> None:
        self._logic(shape, "or", values, "one or more shapes in", _any_passes, direct=True)

    def c_xone(self, shape: Shape, values: list[Node]) -> None:
        self._logic(shape, "xone", values, "exactly one shape in",
                    lambda data, v, tests: sum(t(data, v) for t in tests) == 1)

    def c_node(self, shape: Shape, values: list[Node]) -> None:
        def message(t: Text, f: Term, v: Term | None) -> str:
            if len(values) < 2:
                text = f"Value does not conform to Shape {t.shapes(values[0])}."
            else:
                text = "Value must conform to every Shape in ('{}').".format("', '".join(t.shapes(c) for c in values))
            return text + " See details for more information."
        for value in values:
            sub = self.shape(value)
            self._add(shape, "node", lambda data, focus, vals, sub=sub:  # type: ignore[misc]
                      [v for v in vals if not conforms(data, v, sub)], message,
                      lambda data, v, sub=sub: conforms(data, v, sub), refs=(sub,),  # type: ignore[misc]
                      code=("node", sub))

    def c_qualifiedValueShape(self, shape: Shape, values: list[Node]) -> None:
        g = self.g
        low, high = g.value(shape.node, SH.qualifiedMinCount), g.value(shape.node, SH.qualifiedMaxCount)
        disjoint = str(g.value(shape.node, SH.qualifiedValueShapesDisjoint)).lower() in _TRUE
        if shape.path is None:
            raise E.ValidationRunError(f"could not validate: {shape.node} has sh:qualifiedValueShape but no sh:path")
        for value in values:
            sub = self.shape(value)
            siblings: list[Shape] = []
            if disjoint:  # the qualified value shapes of the other property shapes of this shape's parents
                siblings = [self.shape(q) for parent in _in_order(g.subjects(SH.property, shape.node))
                            for other in _in_order(g.objects(parent, SH.property)) if other != shape.node
                            for q in _in_order(g.objects(other, SH.qualifiedValueShape)) if q != value]

            def counted(data: FastData, vals: Any, sub: Shape = sub, siblings: list[Shape] = siblings) -> int:
                return sum(1 for v in vals if conforms(data, v, sub)
                           and not any(conforms(data, v, s) for s in siblings))

            def message(t: Text, f: Term, v: Term | None, value: Node = value) -> str:
                count = (f" MinCount {low}" if low is not None else "") + (f" MaxCount {high}" if high is not None
                                                                          else "")
                return f"Focus node does not conform to shape{count}: {t.shapes(value)}"
            if low is not None:
                n = self._int("qualifiedMinCount", low)
                self._add(shape, "qualifiedMinCount", lambda data, focus, vals, n=n, counted=counted:  # type: ignore[misc]
                          _ONE if counted(data, vals) < n else (), message, refs=(sub, *siblings))
            if high is not None:
                m = self._int("qualifiedMaxCount", high)
                self._add(shape, "qualifiedMaxCount", lambda data, focus, vals, m=m, counted=counted:  # type: ignore[misc]
                          _ONE if counted(data, vals) > m else (), message, refs=(sub, *siblings))

    # -- other
    def c_closed(self, shape: Shape, values: list[Node]) -> None:
        value = self._one("closed", values)
        if str(value).lower() not in _TRUE:
            return
        g = self.g
        allowed = {str(p) for prop in g.objects(shape.node, SH.property) for p in g.objects(prop, SH.path)
                   if isinstance(p, URIRef)}
        for holder in g.objects(shape.node, SH.ignoredProperties):
            allowed |= {str(p) for p in rdf_list(g, holder, "sh:ignoredProperties")}

        def check(data: FastData, focus: Term, vals: Any) -> list[PathHit]:
            return [PathHit(o, p) for v in vals for p, objs in data.predicates(v) if p not in allowed for o in objs]
        self._add(shape, "closed", check,
                  lambda t, f, v: f"Node {t.data(f)} is closed. It cannot have value: {t.data(v)}")

    def c_hasValue(self, shape: Shape, values: list[Node]) -> None:
        path = self._path_text(shape)

        def message(t: Text, f: Term, v: Term | None) -> str:
            the_set = [t.shapes(s) for s in values]
            if path is not None:
                return f"Node {t.data(f)}->{path(t)} does not contain a value in the set: {the_set}"
            return f"Node {t.data(f)} value is not a in the set of values: {the_set}"
        for value in values:
            wanted = _same(plain_term_of(value))
            self._add(shape, "hasValue", lambda data, focus, vals, wanted=wanted:  # type: ignore[misc]
                      () if any(_same(v) == wanted for v in vals) else _ONE, message)

    def c_in(self, shape: Shape, values: list[Node]) -> None:
        value = self._one("in", values)
        members = rdf_list(self.g, value, "sh:in")
        allowed = {_same(plain_term_of(n)) for n in members}
        self._add(shape, "in", lambda data, focus, vals: [v for v in vals if _same(v) not in allowed],
                  # pyshacl lists a set (its order changes from run to run): here, sorted
                  lambda t, f, v: f"Value {t.data(v)} not in list {sorted(t.shapes(n) for n in members)}")


_NODE_KINDS: dict[Node, frozenset[str]] = {
    SH.IRI: frozenset({"iri"}), SH.BlankNode: frozenset({"blank"}), SH.Literal: frozenset({"literal"}),
    SH.BlankNodeOrIRI: frozenset({"blank", "iri"}), SH.BlankNodeOrLiteral: frozenset({"blank", "literal"}),
    SH.IRIOrLiteral: frozenset({"iri", "literal"})}


def _kind(v: Term) -> str:
    return "literal" if type(v) is tuple else "blank" if isinstance(v, Blank) else "iri"


def _lang_matches(tag: str, rng: str) -> bool:
    """SPARQL ``langMatches`` (RFC 4647 basic filtering), both lower-cased."""
    return bool(tag) if rng == "*" else tag == rng or tag.startswith(rng + "-")


_NUMERIC = {str(XSD[n]) for n in (
    "integer", "decimal", "float", "double", "long", "int", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte")}
_ORDERED_KINDS = {str(XSD.dateTime): "dateTime", str(XSD.dateTimeStamp): "dateTime", str(XSD.date): "date",
                  str(XSD.time): "time", str(XSD.boolean): "boolean"}
_XSD_DATETIMESTAMP = str(XSD.dateTimeStamp)
_LT: Callable[[Any, Any], bool] = lambda a, b: a < b  # noqa: E731
_LE: Callable[[Any, Any], bool] = lambda a, b: a <= b  # noqa: E731


@lru_cache(maxsize=65536)
def _ordered(v: Term) -> tuple[str, Any] | None:
    """A literal as SPARQL's ``<`` compares it: (kind, Python value), or None if it cannot be ordered."""
    if type(v) is not tuple:
        return None
    lex, lang, dt = v
    if lang:
        return None
    if dt is None or dt == _XSD_STRING:
        return ("string", lex)
    kind = "number" if dt in _NUMERIC else _ORDERED_KINDS.get(dt)
    if kind is None or not _well_typed(lex, dt):
        return None
    if dt == _XSD_DATETIMESTAMP:  # rdflib has no converter for it: it is a dateTime with a time zone
        dt = str(XSD.dateTime)
    return (kind, Literal(lex, datatype=URIRef(dt)).value)


def _compare(value: tuple[str, Any] | None, bound: tuple[str, Any] | None, ok: Callable[[Any, Any], bool]) -> bool:
    """``ok(value, bound)`` where SPARQL can compare the two; False where it cannot (a type error is a result)."""
    if value is None or bound is None or value[0] != bound[0]:
        return False
    try:
        return ok(value[1], bound[1])
    except TypeError:  # a dateTime with a time zone against one without: indeterminate in XSD
        return False


def _same(term: Term) -> Term:
    """A term as rdflib compares it: language tags are case-insensitive."""
    if type(term) is tuple and term[1]:
        return (term[0], term[1].lower(), term[2])
    return term


def plain_term_of(node: Node) -> Term:
    return Blank(str(node)) if isinstance(node, BNode) else fast_term(node)


def _instance_of(data: FastData, v: Term, cls: str) -> bool:
    if type(v) is tuple:
        return False
    types = data.objects(v, _TYPE)
    if cls in types:
        return True
    seen: set[Term] = set()
    stack = list(types)
    supers = data.supers
    while stack:  # rdfs:subClassOf* in the data, as SHACL defines "SHACL instance"
        t = stack.pop()
        found = supers.get(t)
        if found is None:  # a batch names few classes: each one's superclasses are looked up once
            found = supers[t] = tuple(data.objects(t, _SUBCLASS))
        for sup in found:
            if sup == cls:
                return True
            if sup not in seen:
                seen.add(sup)
                stack.append(sup)
    return False


def path_values(data: FastData, focus: Term, path: Path) -> Collection_[Term]:
    kind, arg = path
    if kind == "p":
        return data.objects(focus, arg)  # type: ignore[return-value]  # an ordered set (dict) or ()
    if kind == "inv":
        return data.subjects(arg, focus)
    if kind == "alt":
        return list(dict.fromkeys(v for sub in arg for v in path_values(data, focus, sub)))
    if kind == "seq":
        current: Collection_[Term] = [focus]
        for sub in arg:
            current = list(dict.fromkeys(v for node in current for v in path_values(data, node, sub)))
        return current
    if kind == "opt":
        return list(dict.fromkeys([focus, *path_values(data, focus, arg)]))
    seen: dict[Term, None] = {focus: None} if kind == "star" else {}
    frontier = [focus]
    while frontier:  # zero-or-more / one-or-more: every node reached, each once
        nxt = []
        for node in frontier:
            for v in path_values(data, node, arg):
                if v not in seen:
                    seen[v] = None
                    nxt.append(v)
        frontier = nxt
    return list(seen)


def _any_passes(data: FastData, v: Term, tests: list[Callable[[FastData, Term], bool]]) -> bool:
    for test in tests:  # (a loop, not any() over a generator: this runs for each value of each sh:or)
        if test(data, v):
            return True
    return False


def _all_pass(data: FastData, v: Term, tests: list[Callable[[FastData, Term], bool]]) -> bool:
    for test in tests:
        if not test(data, v):
            return False
    return True


def conforms(data: FastData, focus: Term, shape: Shape) -> bool:
    """Whether ``focus`` conforms to ``shape`` (a shape met again while it is being checked on the same
    node conforms: recursive shapes, as in SHACL for SHACL, which the Recommendation leaves open)."""
    if shape.local:  # a test of the node alone: nothing to memoise, nothing recursive
        one = (focus,)
        for c in shape.constraints:
            if c.check(data, focus, one):
                return False
        return True
    if shape.deactivated:
        return True
    key = (focus, shape)  # the shape itself (hashed by identity): an id could be reused by another validator's
    known = data.conformance.get(key)
    if known is not None:
        return known
    passes = shape.passes
    if passes is not None:  # acyclic: nothing met below can be this check again (no guard), the checks compiled
        found = data.conformance[key] = passes(data, focus)
        return found
    busy = data.in_progress
    if key in busy:
        return True
    busy.add(key)
    try:
        values = (focus,) if shape.path is None else path_values(data, focus, shape.path)
        found = _passes(data, focus, values, shape)
    finally:
        busy.discard(key)
    data.conformance[key] = found  # each (node, shape) is checked once: shapes that share nodes stay linear
    return found


def _passes(data: FastData, focus: Term, values: Collection_[Term], shape: Shape) -> bool:
    for c in shape.constraints:  # (loops, not any()/all() over generators: this runs for every checked node)
        if c.check(data, focus, values):
            return False
    props = shape.properties
    if props:
        for v in values:
            for prop in props:
                if not conforms(data, v, prop):
                    return False
    return True


@dataclass(frozen=True)
class RawResult:
    """One result as pyshacl reports it (``default``: the message of a shape without ``sh:message``)."""

    focus: Term
    path: Node | None
    value: Term | None
    severity: URIRef
    shape: Node
    component: URIRef
    messages: tuple[Node, ...]
    default: Message | None = None


def evaluate(data: FastData, focus: Term, shape: Shape, out: list[RawResult]) -> None:
    """Append the results of one focus node against one shape (and its property shapes) to ``out``."""
    if shape.deactivated:
        return
    values = (focus,) if shape.path is None else path_values(data, focus, shape.path)
    checks = shape.constraints
    if not values and shape.on_empty is not None:  # no value: only minCount and the like can say anything
        checks = shape.on_empty  # type: ignore[assignment]
    for c in checks:
        found = c.check(data, focus, values)
        if found:
            default = None if shape.messages else c.message
            for hit in found:
                if type(hit) is PathHit:
                    out.append(RawResult(focus, URIRef(hit.predicate), hit.value, shape.severity, shape.node,
                                         c.component, shape.messages, default))
                else:
                    out.append(RawResult(focus, shape.path_node, hit, shape.severity, shape.node, c.component,
                                         shape.messages, default))
    for prop in shape.properties:
        for v in values:
            evaluate(data, v, prop, out)


class Text:
    """Terms as pyshacl's messages write them (``pyshacl.rdfutil.stringify_node``, used as is)."""

    def __init__(self, data: Graph | None, shapes: Graph) -> None:
        from pyshacl.rdfutil import stringify_node

        self._stringify = stringify_node
        self._data = data if data is not None else Graph(bind_namespaces="none")
        self._shapes = shapes

    def data(self, term: Term | None) -> str:
        node = rdflib_term(term)
        try:
            return str(self._stringify(self._data, node))
        except (LookupError, ValueError):
            return str(node)

    def shapes(self, node: Node) -> str:
        return str(self._stringify(self._shapes, node))


# --- targets -------------------------------------------------------------------------

@dataclass
class TopShape:
    shape: Shape
    targets: list[Callable[[FastData], Iterable[Term]]]


class FastValidator:
    """Shapes compiled once; :meth:`run` validates a :class:`FastData` and returns a SHACL results graph.

    Every SHACL Core constraint component, path and target compiles (the W3C core suite passes compiled:
    ``tests/test_w3c_shacl.py``). Only what SHACL Core does not define goes to pyshacl, and is named in
    :attr:`fallback`: SHACL-SPARQL constraints (``sh:sparql``, components declared with
    ``sh:ConstraintComponent``) and targets other than SPARQL ``SELECT`` targets.
    """

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        compiler = _Compiler(shapes)
        self.sparql_predicates: set[str] | None = set()
        tops: list[TopShape] = []
        fallback: list[tuple[Node, str]] = []
        shape_nodes = {s for t in (SH.NodeShape, SH.PropertyShape) for s in shapes.subjects(RDF.type, t)}
        implicit = {s for s in shape_nodes | set(shapes.subjects(RDF.type, RDFS.Class))
                    | set(shapes.subjects(RDF.type, _OWL_CLASS))
                    if (s, RDF.type, RDFS.Class) in shapes or (s, RDF.type, _OWL_CLASS) in shapes}
        implicit = {s for s in implicit if s in shape_nodes or any(
            p != RDF.type and str(p).startswith(str(SH)) for p in shapes.predicates(s, None))}
        top_nodes = sorted({s for p in _TARGETS for s in shapes.subjects(p, None)} | implicit, key=str)
        for node in top_nodes:
            before = set(compiler.done)
            try:
                tops.append(TopShape(compiler.shape(node), self._targets(node, node in implicit)))
            except Unsupported as why:
                for key in set(compiler.done) - before:  # never leave a half-built shape for another to reuse
                    del compiler.done[key]
                fallback.append((node, str(why)))
        self.top = tops
        _mark_local(compiler.done.values())
        _mark_acyclic(compiler.done.values())
        self.fallback: tuple[Node, ...] = tuple(node for node, _ in fallback)
        """Top-level shapes left to pyshacl (SHACL-SPARQL)."""
        self.fallback_reasons: dict[Node, str] = dict(fallback)
        """Why each shape of :attr:`fallback` is pyshacl's."""
        # shapes checked on the focus node itself: the top shapes, and the property shapes of node shapes among them
        on_focus: set[int] = set()
        stack = [top.shape for top in tops]
        while stack:
            shape = stack.pop()
            if id(shape) not in on_focus:
                on_focus.add(id(shape))
                if shape.path is None:
                    stack.extend(shape.properties)
        nested = [shape for shape in compiler.done.values() if id(shape) not in on_focus]
        limits = [f"{top.shape.node} has sh:targetObjectsOf" for top in tops
                  if (top.shape.node, SH.targetObjectsOf, None) in shapes]
        limits += [f"{top.shape.node} has a SPARQL target" for top in tops if (top.shape.node, SH.target, None) in shapes]
        limits += [f"{shape.node} has an inverse path" for shape in compiler.done.values()
                   if shape.path is not None and "inv" in _kinds(shape.path)]
        limits += [f"{shape.node} is closed and checked on nodes other than the focus" for shape in nested
                   if any(c.component == SH.ClosedConstraintComponent for c in shape.constraints)]
        self.batch_limits: tuple[str, ...] = tuple(dict.fromkeys(limits))
        """Why these shapes cannot be checked batch by batch (they read triples about a node held in other
        records' batches: targets and inverse steps found from the object side, closed nodes elsewhere)."""
        later = [p for shape in compiler.done.values() if shape.path is not None for p in _later_steps(shape.path)]
        self.indexed_predicates = frozenset({_SUBCLASS, *(str(p) for t in (SH.targetSubjectsOf, SH.targetObjectsOf)
                                                          for p in shapes.objects(None, t)),
                                             *(self.sparql_predicates or ())})
        """The predicates whose subjects or objects a target asks for (SPARQL targets' too): :class:`FastData`
        notes their subjects while the triples go in (``indexed``), instead of a scan of every subject for each."""
        self.context_predicates = frozenset({_TYPE, _SUBCLASS, *later,
                                             *(p for s in nested for p in _path_predicates(s))})
        """Predicates the compiled shapes read on nodes other than the focus (value nodes: other records)."""
        self._fallback_shapes: Graph | None = None

    def _targets(self, node: Node, implicit: bool) -> list[Callable[[FastData], Iterable[Term]]]:
        g = self.shapes
        out: list[Callable[[FastData], Iterable[Term]]] = []

        def nodes(term: Term) -> Callable[[FastData], Iterable[Term]]:
            return lambda data: (term,)

        def instances(cls: str) -> Callable[[FastData], Iterable[Term]]:
            return lambda data: (s for sub in (data.subclasses(cls) if data.has_subclasses() else (cls,))
                                 for s in data.instances(sub))

        def subjects_of(pred: str) -> Callable[[FastData], Iterable[Term]]:
            return lambda data: data.subjects_of(pred)

        def objects_of(pred: str) -> Callable[[FastData], Iterable[Term]]:
            return lambda data: data.objects_of(pred)

        out += [nodes(plain_term_of(t)) for t in _in_order(g.objects(node, SH.targetNode))]
        out += [instances(str(c)) for c in _in_order(g.objects(node, SH.targetClass))]
        if implicit:  # a shape that is also a class targets its instances (SHACL 1.0 §2.1.3.3)
            out.append(instances(str(node)))
        out += [subjects_of(str(p)) for p in _in_order(g.objects(node, SH.targetSubjectsOf))]
        out += [objects_of(str(p)) for p in _in_order(g.objects(node, SH.targetObjectsOf))]
        for target in _in_order(g.objects(node, SH.target)):
            out.append(self._sparql_target(target))
        return out

    def _sparql_target(self, target: Node) -> Callable[[FastData], Iterable[Term]]:
        g = self.shapes
        if (target, RDF.type, SH.SPARQLTarget) not in g:
            raise Unsupported("a target that is not a SPARQL target (SHACL-AF)")
        if any(p not in (RDF.type, SH.select, SH.prefixes) for p in g.predicates(target, None)):
            raise Unsupported("SPARQL target with parameters (SHACL-AF)")
        select = g.value(target, SH.select)
        if select is None:
            raise Unsupported("SPARQL target without sh:select")
        prefixes = {str(g.value(d, SH.prefix)): str(g.value(d, SH.namespace))
                    for holder in g.objects(target, SH.prefixes) for d in g.objects(holder, SH.declare)}
        query = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items())) + str(select)
        try:
            import pyoxigraph as ox

            ox.Store().query(query)  # on an empty store: only to read the query now, not halfway through a run
        except SyntaxError as exc:
            raise E.ValidationRunError(f"could not validate: the SPARQL target of a shape is not valid SPARQL: {exc}"
                                       ) from None
        predicates = _query_predicates(str(select), prefixes)
        if predicates is None:
            self.sparql_predicates = None
        elif self.sparql_predicates is not None:
            self.sparql_predicates |= predicates

        def run(data: FastData) -> Iterable[Term]:
            store = data.oxigraph(None if self.sparql_predicates is None else frozenset(self.sparql_predicates))
            return [_from_ox(solution["this"]) for solution in store.query(query) if solution["this"] is not None]
        return run

    def results(self, data: FastData, keep: Callable[[Term], bool] | None = None) -> list[RawResult]:
        """The compiled shapes' results (not the fallback's), in a fixed order."""
        results: list[RawResult] = []
        for top in self.top:
            if top.shape.deactivated:
                continue
            focus_nodes = dict.fromkeys(n for target in top.targets for n in target(data))
            shape = top.shape
            # an acyclic shape is checked first for whether anything fails at all (its results built only then):
            # evaluate() finds a result exactly where a check fails, and Shape.passes makes the same checks
            quick = shape.passes
            for focus in focus_nodes:
                if (keep is None or keep(focus)) and (quick is None or not quick(data, focus)):
                    evaluate(data, focus, shape, results)
        return results

    def run(self, data: FastData, keep: Callable[[Term], bool] | None = None) -> Graph:
        """Validate; ``keep`` limits the focus nodes (a batch's own nodes). Returns a SHACL results graph.

        Its ``sh:conforms`` is the Recommendation's: false as soon as there is any result, whatever its
        severity (lod's own verdict, :attr:`lod.validation.Report.conforms`, looks at violations only).
        """
        try:
            found = self.results(data, keep)
        except RecursionError:
            raise E.ValidationRunError("could not validate: the shapes nest too deeply on this data (sh:node, "
                                       "sh:property or logical shapes reached through a chain of hundreds of nodes)"
                                       ) from None
        graph = results_graph(found, self.shapes, data)
        if self.fallback:
            self._run_fallback(data, keep, graph)
        return graph

    def _run_fallback(self, data: FastData, keep: Callable[[Term], bool] | None, graph: Graph) -> None:
        if self._fallback_shapes is None:
            # the same shapes, with targets only on the shapes left to pyshacl
            g = Graph(bind_namespaces="none")
            for prefix, ns in self.shapes.namespaces():  # pyshacl's generated messages use the prefixes
                g.bind(prefix, ns)
            compiled = {top.shape.node for top in self.top}
            g.addN((s, p, o, g) for s, p, o in self.shapes
                   if not (s in compiled and (p in _TARGETS or (p == RDF.type and o in (RDFS.Class, _OWL_CLASS)))))
            self._fallback_shapes = g
        found = run_shacl(data.graph(), self._fallback_shapes)
        report = next(iter(graph.subjects(RDF.type, SH.ValidationReport)))
        for r in list(found.objects(None, SH.result)):
            focus = found.value(r, SH.focusNode)
            if keep is not None and not keep(plain_term_of(focus)):  # type: ignore[arg-type]
                drop_result(found, r)
                continue
            graph.add((report, SH.result, r))
        for old in list(found.subjects(RDF.type, SH.ValidationReport)):
            found.remove((old, None, None))
        graph += found
        graph.set((report, SH.conforms, Literal(not any(graph.objects(report, SH.result)))))


def _later_steps(path: Path) -> Iterator[str]:
    """Predicates a path follows after its first step (read on the nodes the first step reaches)."""
    kind, arg = path
    if kind == "seq":
        for sub in arg[1:]:
            yield from _walk(sub)
        yield from _later_steps(arg[0])
    elif kind == "alt":
        for sub in arg:
            yield from _later_steps(sub)
    elif kind in ("star", "plus"):
        yield from _walk(arg)


def _kinds(path: Path) -> set[str]:
    kind, arg = path
    if kind in ("p", "inv"):
        return {kind}
    if kind in ("seq", "alt"):
        return {kind}.union(*(_kinds(sub) for sub in arg))
    return {kind} | _kinds(arg)


def _walk(path: Path) -> Iterator[str]:
    kind, arg = path
    if kind in ("p", "inv"):
        yield arg
    elif kind in ("seq", "alt"):
        for sub in arg:
            yield from _walk(sub)
    else:
        yield from _walk(arg)


def _path_predicates(shape: Shape) -> Iterator[str]:
    if shape.path is not None:
        yield from _walk(shape.path)
    for prop in shape.properties:
        yield from _path_predicates(prop)


def _query_predicates(select: str, prefixes: Mapping[str, str]) -> frozenset[str] | None:
    """The predicates a SELECT matches on, or None (load everything) if any is a variable or a path."""
    from rdflib.paths import Path as RdfPath
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    found: set[str] = set()
    ok = True

    def visit(node: Any) -> None:
        nonlocal ok
        if isinstance(node, CompValue):
            if node.name == "BGP":
                for _, p, _ in node["triples"]:
                    if isinstance(p, (Variable, RdfPath)) or not isinstance(p, URIRef):
                        ok = False
                    else:
                        found.add(str(p))
            for value in node.values():
                visit(value)
        elif isinstance(node, (list, tuple)):
            for item in node:
                visit(item)

    try:
        visit(prepareQuery(select, initNs=dict(prefixes)).algebra)
    except Exception:
        return None
    return frozenset(found) if ok else None


def results_graph(results: list[RawResult], shapes: Graph | None = None, data: FastData | None = None) -> Graph:
    """The results as a SHACL validation report (one ``sh:ValidationReport``).

    ``sh:conforms`` is true only without any result (SHACL 1.0 §3.6.1). A path that is not an IRI is
    copied in from the shapes (its list and path nodes), so the graph stands on its own. A shape without
    ``sh:message`` gets pyshacl's generated message.
    """
    g = Graph(bind_namespaces="none")
    report = BNode()
    g.add((report, RDF.type, SH.ValidationReport))
    g.add((report, SH.conforms, Literal(not results)))
    text: Text | None = None
    copied: set[Node] = set()
    for r in results:
        node = BNode()
        g.add((report, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.focusNode, rdflib_term(r.focus)))
        if r.path is not None:
            g.add((node, SH.resultPath, r.path))
            if isinstance(r.path, BNode) and shapes is not None and r.path not in copied:
                _copy_structure(shapes, r.path, g, copied)
        if r.value is not None:
            g.add((node, SH.value, rdflib_term(r.value)))
        g.add((node, SH.resultSeverity, r.severity))
        g.add((node, SH.sourceShape, r.shape))
        g.add((node, SH.sourceConstraintComponent, r.component))
        for m in r.messages:
            g.add((node, SH.resultMessage, m))
        if not r.messages and r.default is not None and shapes is not None:
            if text is None:
                text = Text(data._graph if data is not None else None, shapes)
            g.add((node, SH.resultMessage, Literal(r.default(text, r.focus, r.value))))
    return g


def _copy_structure(source: Graph, node: Node, target: Graph, copied: set[Node]) -> None:
    """Copy the triples of a blank node, and of the blank nodes below it, from ``source`` to ``target``."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current in copied:
            continue
        copied.add(current)
        for p, o in source.predicate_objects(current):
            target.add((current, p, o))
            if isinstance(o, BNode):
                stack.append(o)


# --- pyshacl, the reference engine (and the fallback for what the compiler leaves) --------------

def run_shacl(data: Graph, shapes: Graph, focus_nodes: list[URIRef] | None = None,
              inference: str = "none") -> Graph:
    """pyshacl's results graph; any failure to run is a :class:`ValidationRunError`."""
    from pyshacl import Validator  # imported here: pyshacl is slow to import and only needed now
    from pyshacl.graph_abstraction import DataGraph

    if inference not in ("none", "rdfs", "owlrl", "both"):
        raise E.BadValue("unknown inference; use none, rdfs, owlrl or both", field="inference", value=inference)
    options = {"inference": inference, "advanced": True, "inplace": inference == "none", "abort_on_first": False,
               "allow_warnings": False, "allow_infos": False, "focus_nodes": focus_nodes}
    if inference != "none":
        # pyshacl's inference also works on the shapes graph: give it a copy, not the cached one
        copy = Graph(bind_namespaces="none")
        copy.addN((s, p, o, copy) for s, p, o in shapes)
        shapes = copy
    import rdflib.term

    # owlrl (pyshacl's inference) replaces rdflib's global literal converters, some of them broken
    # (it cannot read "--05-16" as a gMonthDay): put rdflib's own back afterwards.
    converters = dict(rdflib.term._toPythonMapping)
    try:
        validator = Validator(DataGraph.from_rdflib(data), shacl_graph=shapes, options=options)
        conforms, results_graph, _ = validator.run()
    except Exception as exc:  # pyshacl raises its own and rdflib's errors when it cannot run
        raise E.ValidationRunError(f"could not validate: {type(exc).__name__}: {exc}") from exc
    finally:
        if inference != "none":
            rdflib.term._toPythonMapping.clear()
            rdflib.term._toPythonMapping.update(converters)
    if not isinstance(results_graph, Graph):
        raise E.ValidationRunError(f"could not validate: pyshacl returned {results_graph!r}")
    n_results = sum(1 for _ in results_graph.objects(None, SH.result))
    if not conforms and n_results == 0:
        # pyshacl says "does not conform" with nothing to show: it did not really validate
        raise E.ValidationRunError("could not validate: pyshacl reported non-conformance without any result")
    return results_graph


def drop_result(graph: Graph, result: Node) -> None:
    """Remove a result, and the nested results (sh:detail) that explain it, from a results graph."""
    graph.remove((None, SH.result, result))
    stack = [result]
    while stack:
        node = stack.pop()
        stack.extend(graph.objects(node, SH.detail))  # type: ignore[arg-type]
        graph.remove((node, None, None))  # type: ignore[arg-type]


class PositionLookup:
    """``graph.value(node, lod:position)`` on fast data (what :func:`lod.validation.locate` asks)."""

    def __init__(self, data: Any) -> None:
        self.data = data

    def value(self, node: Any, pred: Any) -> Any:
        for o in self.data.objects(str(node), str(pred)):
            return rdflib_term(o)
        return None
