"""A fast SHACL engine for lod's own shapes, with pyshacl as the reference and the fallback.

The shapes are compiled once into small Python checks that run on a plain index of the
data (subject -> predicate -> objects, IRIs as ``str`` and literals as tuples, the form
:class:`lod.mapping.FastMapper` makes). SPARQL-based targets run on pyoxigraph. The engine
writes the same results graph pyshacl writes (focus node, path, value, severity, source
shape, constraint component, messages), so everything downstream reads either engine the
same way. The test suite compares the two engines result for result.

A top-level shape the compiler does not know how to check (a constraint component it does
not implement, a shape without a message whose results would need pyshacl's generated
text, SHACL-SPARQL constraints…) is validated by pyshacl on the same data, automatically.

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
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Collection as Collection_
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from .. import errors as E
from ..mapping import FastTriple, fast_term

Term = Any  # str (IRI), Blank (blank node) or Lit (literal)
_TYPE = str(RDF.type)
_OWL_CLASS = URIRef("http://www.w3.org/2002/07/owl#Class")
_SUBCLASS = str(RDFS.subClassOf)


class Blank(str):
    """A blank node on the fast path (only graphs from elsewhere have them: lod mints IRIs)."""

    __slots__ = ()


class Unsupported(Exception):
    """The compiler cannot check this shape exactly as pyshacl does: pyshacl will."""


# --- the data ------------------------------------------------------------------------

class FastData:
    """An index of triples: subject -> predicate -> objects (an ordered set).

    ``context`` answers for nodes that are not subjects here (records of other batches):
    it gives their triples for the predicates the shapes read on referenced nodes.
    """

    def __init__(self, triples: Iterable[FastTriple],
                 context: Callable[[str], Mapping[str, Iterable[Term]] | None] | None = None,
                 graph: Graph | None = None, partial: Callable[[str], bool] | None = None) -> None:
        spo: dict[str, dict[str, dict[Term, None]]] = {}
        for s, p, o in triples:
            po = spo.get(s)
            if po is None:
                po = spo[s] = {}
            objs = po.get(p)
            if objs is None:
                po[p] = {o: None}
            else:
                objs[o] = None
        self.spo = spo
        self.context = context
        # subjects described here only in part (another record's triples about them): context completes them
        self.partial = {s for s in spo if partial(s)} if partial is not None else set()
        self._graph = graph
        self._by_type: dict[str, list[str]] | None = None
        self._store: Any = None
        self._pindex: dict[str, list[tuple[str, Iterable[Term]]]] | None = None

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

    def objects(self, s: Term, p: str) -> Iterable[Term]:
        po = self.spo.get(s)
        if po is not None and s not in self.partial:
            return po.get(p, ())
        if self.context is None or type(s) is tuple:
            return po.get(p, ()) if po is not None else ()
        known = self.context(s)
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
            for s, objs in self._by_predicate().get(_SUBCLASS, ()):
                if current in objs and s not in found:
                    found.add(s)
                    stack.append(s)
        return found

    def has_subclasses(self) -> bool:
        return _SUBCLASS in self._by_predicate()

    def _by_predicate(self) -> dict[str, list[tuple[str, Iterable[Term]]]]:
        if self._pindex is None:
            index: dict[str, list[tuple[str, Iterable[Term]]]] = {}
            for s, po in self.spo.items():
                for p, objs in po.items():
                    index.setdefault(p, []).append((s, objs))
            self._pindex = index
        return self._pindex

    def subjects_of(self, p: str) -> Iterator[str]:
        return (s for s, _ in self._by_predicate().get(p, ()))

    def objects_of(self, p: str) -> Iterator[Term]:
        return (o for _, objs in self._by_predicate().get(p, ()) for o in objs)

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
            store.bulk_extend(ox.Quad(ox_term(s), ox.NamedNode(p), ox_term(o))
                              for s, po in self.spo.items() for p, objs in po.items()
                              if predicates is None or p in predicates for o in objs)
            self._store = (predicates, store)
        return self._store[1]


def rdflib_term(t: Term) -> Node:
    if type(t) is tuple:
        lex, lang, dt = t
        return Literal(lex, lang=lang, datatype=None if dt is None or lang else URIRef(dt))
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

Path = tuple[Any, ...]  # ("p", iri) | ("inv", path) | ("alt", paths) | ("seq", paths)


@dataclass
class Shape:
    node: Node
    path: Path | None
    path_node: Node | None
    severity: URIRef
    messages: tuple[Node, ...]
    checks: list[tuple[URIRef, Callable[[FastData, Term, Any], Collection_[Term | None]]]] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    deactivated: bool = False


_IGNORED = {SH.message, SH.severity, SH.deactivated, SH.name, SH.description, SH.order, SH.group,
            SH.defaultValue, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target,
            SH.path, SH.property, SH.flags, SH.qualifiedMinCount, SH.qualifiedMaxCount,
            SH.qualifiedValueShapesDisjoint}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_NO_VALUE = None
_ONE = (None,)  # one result, without a value


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.g = shapes
        self.done: dict[tuple[Node, bool], Shape] = {}

    def shape(self, node: Node, reported: bool) -> Shape:
        """Compile a shape; ``reported``: its results reach the report (so it needs its own messages)."""
        key = (node, reported)
        found = self.done.get(key)
        if found is not None:
            return found
        try:
            return self._shape(node, reported)
        except Unsupported:
            self.done.pop(key, None)  # never leave a half-built shape for another shape to reuse
            raise

    def _shape(self, node: Node, reported: bool) -> Shape:
        key = (node, reported)
        g = self.g
        path_node = g.value(node, SH.path)
        shape = Shape(node=node, path=self.path(path_node) if path_node is not None else None, path_node=path_node,
                      severity=g.value(node, SH.severity) or SH.Violation,  # type: ignore[arg-type]
                      messages=tuple(g.objects(node, SH.message)),
                      deactivated=str(g.value(node, SH.deactivated)).lower() == "true")
        self.done[key] = shape
        if (node, RDF.type, RDFS.Class) in g or (node, RDF.type, _OWL_CLASS) in g:
            raise Unsupported(f"{node} is also a class (implicit class target)")
        for pred in set(g.predicates(node, None)):
            if pred == RDF.type or not str(pred).startswith(str(SH)) or pred in _IGNORED:
                continue
            values = list(g.objects(node, pred))
            if len(values) != 1:
                raise Unsupported(f"{node} has {len(values)} values of {pred}")
            shape.checks.append((self.component(pred), self.check(node, pred, values[0])))  # type: ignore[arg-type]
        if shape.checks and reported and not shape.messages:
            raise Unsupported(f"{node} has no sh:message: its results would carry pyshacl's generated text")
        nested = list(g.objects(node, SH.property))
        if nested and path_node is not None:
            # a property shape's own sh:property applies to each value node, not to the focus node: until
            # the compiled engine does that, such shapes go to pyshacl (W3C core property/property-001)
            raise Unsupported(f"{node}: sh:property inside a property shape")
        for prop in nested:
            shape.properties.append(self.shape(prop, reported))
        if (g.value(node, SH.qualifiedValueShape) is None) != (
                g.value(node, SH.qualifiedMinCount) is None and g.value(node, SH.qualifiedMaxCount) is None):
            raise Unsupported(f"{node}: qualified counts without a qualified value shape, or the reverse")
        return shape

    @staticmethod
    def component(pred: URIRef) -> URIRef:
        name = str(pred)[len(str(SH)):]
        if name == "qualifiedValueShape":
            name = "qualifiedMinCount"  # refined in check()
        return URIRef(f"{SH}{name[0].upper()}{name[1:]}ConstraintComponent")

    def path(self, node: Node) -> Path:
        g = self.g
        if isinstance(node, URIRef):
            return ("p", str(node))
        inverse = g.value(node, SH.inversePath)
        if inverse is not None:
            if not isinstance(inverse, URIRef):
                raise Unsupported("inverse of a complex path")
            return ("inv", self.path(inverse))
        alternatives = g.value(node, SH.alternativePath)
        if alternatives is not None:
            return ("alt", tuple(self.path(n) for n in Collection(g, alternatives)))  # type: ignore[arg-type]
        if g.value(node, RDF.first) is not None:
            return ("seq", tuple(self.path(n) for n in Collection(g, node)))  # type: ignore[arg-type]
        raise Unsupported(f"path {node} (zero-or-more, one-or-more and zero-or-one paths are left to pyshacl)")

    def check(self, shape_node: Node, pred: URIRef, value: Node) -> Callable[[FastData, Term, Any], Collection_[Term | None]]:
        """A function (data, focus, value nodes) -> the value of each result (None: a result without value)."""
        g = self.g
        name = str(pred)[len(str(SH)):]
        if name == "minCount":
            n = int(value)  # type: ignore[call-overload]
            return lambda data, focus, values: _ONE if len(values) < n else ()
        if name == "maxCount":
            n = int(value)  # type: ignore[call-overload]
            return lambda data, focus, values: _ONE if len(values) > n else ()
        if name == "datatype":
            rule = str(value)
            return lambda data, focus, values: [v for v in values if not _datatype_ok(v, rule)]
        if name == "class":
            rule = str(value)
            return lambda data, focus, values: [v for v in values if not _instance_of(data, v, rule)]
        if name == "pattern":
            flags_node = g.value(shape_node, SH.flags)
            flags = 0
            if flags_node is not None:
                text = str(flags_node).lower()
                flags = (re.I if "i" in text else 0) | (re.M if "m" in text else 0)
                if set(text) - {"i", "m"}:
                    raise Unsupported(f"regex flags {text!r}")
            rx = re.compile(str(value), flags)
            return lambda data, focus, values: [v for v in values
                                                if isinstance(v, Blank) or not rx.search(_string(v))]
        if name == "in":
            allowed = {_same(plain_term_of(n)) for n in Collection(g, value)}  # type: ignore[arg-type]
            return lambda data, focus, values: [v for v in values if _same(v) not in allowed]
        if name == "hasValue":
            wanted = _same(plain_term_of(value))
            return lambda data, focus, values: () if any(_same(v) == wanted for v in values) else _ONE
        if name in ("node", "not"):
            sub = self.shape(value, reported=False)
            if name == "node":
                return lambda data, focus, values: [v for v in values if not conforms(data, v, sub)]
            return lambda data, focus, values: [v for v in values if conforms(data, v, sub)]
        if name in ("or", "and", "xone"):
            subs = [self.shape(n, reported=False) for n in Collection(g, value)]  # type: ignore[arg-type]
            if name == "or":
                return lambda data, focus, values: [v for v in values if not any(conforms(data, v, s) for s in subs)]
            if name == "and":
                return lambda data, focus, values: [v for v in values if not all(conforms(data, v, s) for s in subs)]
            return lambda data, focus, values: [v for v in values if sum(conforms(data, v, s) for s in subs) != 1]
        if name == "qualifiedValueShape":
            if str(g.value(shape_node, SH.qualifiedValueShapesDisjoint)).lower() == "true":
                raise Unsupported("sh:qualifiedValueShapesDisjoint")
            sub = self.shape(value, reported=False)
            low, high = g.value(shape_node, SH.qualifiedMinCount), g.value(shape_node, SH.qualifiedMaxCount)
            if high is not None:
                raise Unsupported("sh:qualifiedMaxCount")
            n = int(low)  # type: ignore[call-overload]
            return lambda data, focus, values: _ONE if sum(1 for v in values if conforms(data, v, sub)) < n else ()
        raise Unsupported(f"constraint sh:{name}")


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
    while stack:  # rdfs:subClassOf* in the data, as pyshacl follows it
        t = stack.pop()
        for sup in data.objects(t, _SUBCLASS):
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
    if kind == "alt":
        return list(dict.fromkeys(v for sub in arg for v in path_values(data, focus, sub)))
    if kind == "seq":
        current = [focus]
        for sub in arg:
            current = list(dict.fromkeys(v for node in current for v in path_values(data, node, sub)))
        return current
    # inverse path (of a predicate: checked when compiled): the subjects pointing here, a scan
    return [s for s, po in data.spo.items() if focus in po.get(arg[1], ())]


def _value_nodes(data: FastData, focus: Term, shape: Shape) -> Collection_[Term]:
    return (focus,) if shape.path is None else path_values(data, focus, shape.path)


def conforms(data: FastData, focus: Term, shape: Shape) -> bool:
    if shape.deactivated:
        return True
    values = (focus,) if shape.path is None else path_values(data, focus, shape.path)
    for _, check in shape.checks:
        if check(data, focus, values):
            return False
    for prop in shape.properties:
        if not conforms(data, focus, prop):
            return False
    return True


@dataclass(frozen=True)
class RawResult:
    """One result as pyshacl reports it."""

    focus: Term
    path: Node | None
    value: Term | None
    severity: URIRef
    shape: Node
    component: URIRef
    messages: tuple[Node, ...]


def evaluate(data: FastData, focus: Term, shape: Shape, out: list[RawResult]) -> None:
    """Append the results of one focus node against one shape (and its property shapes) to ``out``."""
    if shape.deactivated:
        return
    values = (focus,) if shape.path is None else path_values(data, focus, shape.path)
    for component, check in shape.checks:
        found = check(data, focus, values)
        if found:
            for value in found:
                out.append(RawResult(focus, shape.path_node, value, shape.severity, shape.node, component,
                                     shape.messages))
    for prop in shape.properties:
        evaluate(data, focus, prop, out)


# --- targets -------------------------------------------------------------------------

@dataclass
class TopShape:
    shape: Shape
    targets: list[Callable[[FastData], Iterable[Term]]]


class FastValidator:
    """Shapes compiled once; :meth:`run` validates a :class:`FastData` and returns pyshacl's results graph."""

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        compiler = _Compiler(shapes)
        self.sparql_predicates: set[str] | None = set()
        tops: list[TopShape] = []
        fallback: list[Node] = []
        top_nodes = sorted({s for p in _TARGETS for s in shapes.subjects(p, None)}, key=str)
        shape_nodes = {s for t in (SH.NodeShape, SH.PropertyShape) for s in shapes.subjects(RDF.type, t)}
        # a shape that is also a class targets its instances implicitly: pyshacl's to check
        fallback_implicit = sorted((s for s in shape_nodes if (s, RDF.type, RDFS.Class) in shapes
                                    or (s, RDF.type, _OWL_CLASS) in shapes), key=str)
        for node in top_nodes:
            try:
                tops.append(TopShape(compiler.shape(node, reported=True), self._targets(node)))
            except Unsupported:
                fallback.append(node)
        self.top = tops
        self.fallback: tuple[Node, ...] = tuple(dict.fromkeys([*fallback, *fallback_implicit]))
        """Top-level shapes left to pyshacl."""
        nested = [shape for (_, reported), shape in compiler.done.items() if not reported]  # type: ignore[misc]
        later = [p for shape in compiler.done.values() if shape.path is not None for p in _later_steps(shape.path)]
        self.context_predicates = frozenset({_TYPE, _SUBCLASS, *later,
                                             *(p for s in nested for p in _path_predicates(s))})
        """Predicates the compiled shapes read on nodes other than the focus (value nodes: other records)."""
        self._fallback_shapes: Graph | None = None

    def _targets(self, node: Node) -> list[Callable[[FastData], Iterable[Term]]]:
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

        out += [nodes(plain_term_of(t)) for t in g.objects(node, SH.targetNode)]
        out += [instances(str(c)) for c in g.objects(node, SH.targetClass)]
        out += [subjects_of(str(p)) for p in g.objects(node, SH.targetSubjectsOf)]
        out += [objects_of(str(p)) for p in g.objects(node, SH.targetObjectsOf)]
        for target in g.objects(node, SH.target):
            out.append(self._sparql_target(target))
        return out

    def _sparql_target(self, target: Node) -> Callable[[FastData], Iterable[Term]]:
        g = self.shapes
        if (target, RDF.type, SH.SPARQLTarget) not in g:
            raise Unsupported("a target that is not a SPARQL target")
        if any(p not in (RDF.type, SH.select, SH.prefixes) for p in g.predicates(target, None)):
            raise Unsupported("SPARQL target with parameters")
        select = g.value(target, SH.select)
        if select is None:
            raise Unsupported("SPARQL target without sh:select")
        prefixes = {str(g.value(d, SH.prefix)): str(g.value(d, SH.namespace))
                    for holder in g.objects(target, SH.prefixes) for d in g.objects(holder, SH.declare)}
        query = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items())) + str(select)
        predicates = _query_predicates(str(select), prefixes)
        if predicates is None:
            self.sparql_predicates = None
        elif self.sparql_predicates is not None:
            self.sparql_predicates |= predicates

        def run(data: FastData) -> Iterable[Term]:
            store = data.oxigraph(None if self.sparql_predicates is None else frozenset(self.sparql_predicates))
            return [_from_ox(solution["this"]) for solution in store.query(query) if solution["this"] is not None]
        return run

    def run(self, data: FastData, keep: Callable[[Term], bool] | None = None) -> Graph:
        """Validate; ``keep`` limits the focus nodes (a batch's own nodes). Returns a pyshacl-style results graph."""
        results: list[RawResult] = []
        for top in self.top:
            if top.shape.deactivated:
                continue
            focus_nodes = dict.fromkeys(n for target in top.targets for n in target(data))
            shape = top.shape
            for focus in focus_nodes:
                if keep is None or keep(focus):
                    evaluate(data, focus, shape, results)
        graph = results_graph(results)
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
            g.addN((s, p, o, g) for s, p, o in self.shapes if not (s in compiled and p in _TARGETS))
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
        if any(graph.objects(report, SH.result)):
            graph.set((report, SH.conforms, Literal(not any(
                graph.value(r, SH.resultSeverity) == SH.Violation for r in graph.objects(report, SH.result)))))


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


def _walk(path: Path) -> Iterator[str]:
    kind, arg = path
    if kind == "p":
        yield arg
    elif kind == "inv":
        yield from _walk(arg)
    else:
        for sub in arg:
            yield from _walk(sub)


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


def results_graph(results: list[RawResult]) -> Graph:
    """The results as pyshacl writes them (one sh:ValidationReport)."""
    g = Graph(bind_namespaces="none")
    report = BNode()
    g.add((report, RDF.type, SH.ValidationReport))
    g.add((report, SH.conforms, Literal(not any(r.severity == SH.Violation for r in results))))
    for r in results:
        node = BNode()
        g.add((report, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.focusNode, rdflib_term(r.focus)))
        if r.path is not None:
            g.add((node, SH.resultPath, r.path))
        if r.value is not None:
            g.add((node, SH.value, rdflib_term(r.value)))
        g.add((node, SH.resultSeverity, r.severity))
        g.add((node, SH.sourceShape, r.shape))
        g.add((node, SH.sourceConstraintComponent, r.component))
        for m in r.messages:
            g.add((node, SH.resultMessage, m))
    return g


# --- pyshacl, the reference engine (and the fallback for what the compiler leaves) --------------

def run_shacl(data: Graph, shapes: Graph, focus_nodes: list[URIRef] | None = None,
              inference: str = "none") -> Graph:
    """pyshacl's results graph; any failure to run is a :class:`ValidationRunError`."""
    from pyshacl import Validator  # imported here: pyshacl is slow to import and only needed now
    from pyshacl.graph_abstraction import DataGraph

    if inference not in ("none", "rdfs", "owlrl", "both"):
        raise E.BadValue("unknown inference; use none, rdfs, owlrl or both", field="inference", value=inference)
    options = {"inference": inference, "advanced": True, "inplace": inference == "none", "abort_on_first": False,
               "allow_warnings": True, "allow_infos": True, "focus_nodes": focus_nodes}
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
