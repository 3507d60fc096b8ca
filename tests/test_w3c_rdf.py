"""The W3C RDF 1.1 Turtle and N-Triples test suites, run on ``lod.read_graph`` / ``lod.parse`` and lod's writers.

Every test is read from the suites' ``manifest.ttl`` (not from a list kept here), and the number
found of each type is checked, so a broken manifest reader cannot pass by finding nothing:

* a negative syntax (or negative evaluation) test must be refused with a :class:`lod.errors.RdfError`
  naming the file, the line and the column;
* a positive syntax test must be read;
* an evaluation test must give the graph of its expected N-Triples, blank nodes compared by
  isomorphism: once with rdflib (lod's graph against lod's reading of the expected file) and once
  independently of lod's term conversion (pyoxigraph's canonical form of both);
* every graph read (positive tests, expected results) goes through every writer: without blank nodes
  it reads back exactly (lexical forms, language tags, datatypes); with them every writer refuses it
  with lod's one message, and its skolemised graph (blank nodes as IRIs) reads back exactly.

Relative IRIs are resolved as the suites' README says: against the test file's address, the
manifest's ``mf:assumedTestBase`` followed by the file name.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

import lod

from conftest import REFERENCE

SUITES = REFERENCE / "w3c" / "rdf" / "rdf11"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
RDFT = "http://www.w3.org/ns/rdftest#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
WRITERS = ["turtle", "nt", "json-ld"]
BLANK_NODES = "blank nodes cannot be written deterministically; lod mints IRIs instead"

EXPECTED = {"TestTurtleEval": 145, "TestTurtlePositiveSyntax": 74, "TestTurtleNegativeSyntax": 94,
            "TestTurtleNegativeEval": 0, "TestNTriplesPositiveSyntax": 41, "TestNTriplesNegativeSyntax": 29}
"""Tests of each type in the suites as shipped in shared/reference (this copy has no negative evaluation test)."""


@dataclass(frozen=True)
class Case:
    """One manifest entry: its name, type, input file, expected result (evaluation tests) and base IRI (Turtle)."""

    name: str
    kind: str
    action: Path
    result: Path | None
    base: str | None

    @property
    def fmt(self) -> str:
        return "nt" if self.action.suffix == ".nt" else "turtle"


def _file(node: Any) -> Path:
    assert isinstance(node, ox.NamedNode) and node.value.startswith("file://"), node
    return Path(node.value[len("file://"):])


def _read_manifest(suite: str) -> tuple[list[Case], set[str]]:
    """The typed tests of a suite's manifest, and the names its ``mf:entries`` list holds."""
    manifest = SUITES / suite / "manifest.ttl"
    store = ox.Store()
    store.load(path=str(manifest), format=ox.RdfFormat.TURTLE, base_iri=manifest.as_uri())

    def objects(subject: Any, predicate: str) -> list[Any]:
        return [q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)]

    top = ox.NamedNode(manifest.as_uri())
    bases = objects(top, MF + "assumedTestBase")  # the Turtle suite's home; N-Triples has no relative IRIs
    base = bases[0].value if bases else None
    listed: set[str] = set()
    for head in objects(top, MF + "entries"):
        while head != ox.NamedNode(RDF + "nil"):
            listed.add(objects(head, RDF + "first")[0].value.rsplit("#", 1)[1])
            head = objects(head, RDF + "rest")[0]
    cases = []
    for q in store.quads_for_pattern(None, ox.NamedNode(RDF + "type"), None):
        if not q.object.value.startswith(RDFT):
            continue
        action = _file(objects(q.subject, MF + "action")[0])
        results = objects(q.subject, MF + "result")
        cases.append(Case(name=q.subject.value.rsplit("#", 1)[1], kind=q.object.value[len(RDFT):], action=action,
                          result=_file(results[0]) if results else None,
                          base=None if base is None else base + action.name))
    return sorted(cases, key=lambda c: c.name), listed


_TURTLE, _TURTLE_LISTED = _read_manifest("rdf-turtle")
_NTRIPLES, _NTRIPLES_LISTED = _read_manifest("rdf-n-triples")
CASES = _TURTLE + _NTRIPLES


def _of(*kinds: str) -> list[Any]:
    return [pytest.param(c, id=c.name) for c in CASES if c.kind in kinds]


def _read(case: Case) -> Graph:
    return lod.read_graph(case.action, case.fmt, base=case.base)


def test_the_suites_are_all_there():
    found = Counter(c.kind for c in CASES)
    assert set(found) <= set(EXPECTED) and {kind: found[kind] for kind in EXPECTED} == EXPECTED, found
    assert sum(EXPECTED.values()) == len(CASES) == 383
    assert {c.name for c in _TURTLE} == _TURTLE_LISTED and {c.name for c in _NTRIPLES} == _NTRIPLES_LISTED
    assert all(c.action.is_file() and (c.result is None or c.result.is_file()) for c in CASES)
    assert all((c.result is not None) == (c.kind == "TestTurtleEval") for c in CASES)


@pytest.mark.parametrize("case", _of("TestTurtleNegativeSyntax", "TestTurtleNegativeEval",
                                     "TestNTriplesNegativeSyntax"))
def test_negative_tests_are_refused_with_the_file_line_and_column(case: Case):
    with pytest.raises(lod.RdfError) as info:
        _read(case)
    label = "N-Triples" if case.fmt == "nt" else "Turtle"
    m = re.fullmatch(rf"{re.escape(str(case.action))}: not valid {label} at line (\d+), column (\d+): (\S.*)",
                     str(info.value), re.S)
    assert m, str(info.value)
    lines = case.action.read_text(encoding="utf-8").split("\n")
    assert int(m[1]) <= len(lines) and int(m[2]) <= len(lines[int(m[1]) - 1]) + 1, str(info.value)
    assert "Parser error" not in m[3]  # said in lod's words, not pyoxigraph's prefix
    with pytest.raises(lod.RdfError, match=rf"^not valid {label} at line {m[1]}, column {m[2]}: "):
        lod.parse(case.action.read_bytes(), case.fmt, base=case.base)


@pytest.mark.parametrize("case", _of("TestTurtlePositiveSyntax", "TestNTriplesPositiveSyntax"))
def test_positive_tests_are_read(case: Case):
    graph = _read(case)
    assert isinstance(graph, Graph)
    assert lod.parse(case.action.read_text(encoding="utf-8"), case.fmt,
                     base=case.base) is not None


def _ox_canonical(triples: Any) -> ox.Dataset:
    data = ox.Dataset(ox.Quad(s, p, o) for s, p, o in triples)
    data.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return data


def _as_ox(term: Any) -> Any:
    """An rdflib term as pyoxigraph's (language tags lower-cased, as pyoxigraph keeps them)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, Literal), term
    if term.language:
        return ox.Literal(str(term), language=term.language.lower())
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD_STRING)))


@pytest.mark.parametrize("case", _of("TestTurtleEval"))
def test_evaluation_tests_give_the_expected_graph(case: Case):
    assert case.result is not None
    graph = _read(case)
    expected = lod.read_graph(case.result, "nt")
    assert isomorphic(graph, expected)
    assert len(graph) == len(expected)
    # the same without lod's reading of the expected file: pyoxigraph's own terms, canonicalised
    truth = _ox_canonical((t.subject, t.predicate, t.object)
                          for t in ox.parse(path=str(case.result), format=ox.RdfFormat.N_TRIPLES))
    assert _ox_canonical((_as_ox(s), _as_ox(p), _as_ox(o)) for s, p, o in graph) == truth


# --- every writer --------------------------------------------------------------------

def exact(graph: Graph) -> set[tuple[Any, ...]]:
    """A graph's triples with every part spelled out: lexical form, language tag (its case too) and datatype."""
    def spelled(term: Any) -> tuple[Any, ...]:
        if isinstance(term, Literal):
            return ("literal", str(term), term.language, None if term.datatype is None else str(term.datatype))
        return (type(term).__name__, str(term))

    return {(spelled(s), spelled(p), spelled(o)) for s, p, o in graph}


def has_blank_nodes(graph: Graph) -> bool:
    return any(isinstance(term, BNode) for triple in graph for term in triple)


def round_trips(graph: Graph, fmt: str) -> None:
    """``graph`` through ``fmt``'s writer and back is the same graph, or (with blank nodes) lod's one refusal."""
    if has_blank_nodes(graph):
        for write in (lambda: lod.serialize(graph, fmt), lambda: lod.dumps(graph, format=fmt)):
            with pytest.raises(lod.RdfError) as info:
                write()
            assert str(info.value) == BLANK_NODES
        graph = graph.skolemize()  # the data itself, blank nodes turned into IRIs
        assert not has_blank_nodes(graph)
    back = lod.parse(lod.serialize(graph, fmt), fmt)
    assert exact(back) == exact(graph)


def _graphs() -> list[Any]:
    found = [pytest.param(c.action, c, id=c.name) for c in CASES if "Positive" in c.kind]
    found += [pytest.param(c.result, c, id=c.name + "-result") for c in CASES if c.kind == "TestTurtleEval"]
    return found


GRAPHS = _graphs()


def test_the_writers_see_graphs_with_and_without_blank_nodes():
    with_blank = [p for p in GRAPHS if has_blank_nodes(_graph_of(*p.values))]
    assert 40 < len(with_blank) < len(GRAPHS) - 100, len(with_blank)


def _graph_of(path: Path, case: Case) -> Graph:
    if path == case.action:
        return _read(case)
    return lod.read_graph(path, "nt")


@pytest.mark.parametrize("fmt", WRITERS)
@pytest.mark.parametrize("path,case", GRAPHS)
def test_every_graph_read_round_trips_through_every_writer(path: Path, case: Case, fmt: str):
    round_trips(_graph_of(path, case), fmt)
