"""The W3C SHACL core test suite, run on lod's compiled engine (no fallback) and on pyshacl.

Every approved ``sht:Validate`` test of ``data-shapes-test-suite/tests/core`` (read from the
manifests, not from a list kept here) must give the expected report: ``sh:conforms`` and each
result's focus node, path, value, source shape, constraint component and severity. Where pyshacl
also passes, the two engines' results must be the same, messages included (pyshacl's generated
messages for shapes without ``sh:message``). The compiled engine's results graph must stand on its
own: a complex ``sh:resultPath`` is read from the results graph, not from the shapes.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

import lod
from lod.shacl import FastData, FastValidator, read_path
from lod.validation import run_shacl

from conftest import REFERENCE

CORE = REFERENCE / "w3c" / "data-shapes-test-suite" / "tests" / "core"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")


def _parse(path: Path) -> Graph:
    """The file read by lod's strict parser (lexical forms kept: "none"^^xsd:boolean stays ill-typed)."""
    return lod.read_graph(path, "turtle", base=path.as_uri())


def _tests() -> list[tuple[str, Path, URIRef]]:
    found: list[tuple[str, Path, URIRef]] = []
    todo = [CORE / "manifest.ttl"]
    while todo:
        manifest = todo.pop(0)
        g = _parse(manifest)
        for m in g.subjects(RDF.type, MF.Manifest):
            todo += [Path(str(inc)[len("file://"):]) for inc in g.objects(m, MF.include)]
            for entries in g.objects(m, MF.entries):
                for test in Collection(g, entries):
                    if (test, RDF.type, SHT.Validate) in g and (test, MF.status, SHT.approved) in g:
                        name = str(manifest.parent.relative_to(CORE)) + "/" + str(test).rsplit("/", 1)[-1]
                        found.append((name, manifest, test))  # type: ignore[arg-type]
    return sorted(found)


TESTS = _tests()


def test_the_suite_is_all_there():
    assert len(TESTS) == 98, "the W3C core suite has 98 approved sht:Validate tests"


def _describe(g: Graph, node: Any, depth: int = 0) -> Any:
    """A blank node by what it says (two graphs give the same description), anything else as itself."""
    if not isinstance(node, BNode) or depth > 4:
        return node
    return ("_", frozenset((p, _describe(g, o, depth + 1)) for p, o in g.predicate_objects(node)
                           if p != SH.message))


def _results(report: Graph, graphs: list[Graph]) -> tuple[bool, Counter, dict]:
    """(conforms, the results as a multiset of keys, key -> messages) of a report graph."""
    both = Graph()
    for g in graphs:
        both += g
    node = next(iter(report.subjects(RDF.type, SH.ValidationReport)))
    keys: Counter = Counter()
    messages: dict = {}
    for r in report.objects(node, SH.result):
        path = report.value(r, SH.resultPath)
        key = (_describe(both, report.value(r, SH.focusNode)),
               None if path is None else read_path(report, path),
               _describe(both, report.value(r, SH.value)),
               _describe(both, report.value(r, SH.sourceShape)),
               report.value(r, SH.sourceConstraintComponent), report.value(r, SH.resultSeverity))
        keys[key] += 1
        messages.setdefault(key, set()).update(_unordered(str(m)) for m in report.objects(r, SH.resultMessage))
    return bool(report.value(node, SH.conforms).toPython()), keys, messages


def _unordered(message: str) -> str:
    """pyshacl writes sh:in's list from a Python set, in an order that changes from run to run."""
    head, sep, listed = message.partition(" not in list [")
    if not sep:
        return message
    return head + sep + ", ".join(sorted(listed.rstrip("]").split(", "))) + "]"


def _load(manifest: Path, test: URIRef) -> tuple[Graph, Graph, Graph, Any]:
    g = _parse(manifest)
    action = g.value(test, MF.action)
    files = {str(g.value(action, SHT.dataGraph)), str(g.value(action, SHT.shapesGraph))}
    graphs = {f: (g if f == manifest.as_uri() else _parse(Path(f[len("file://"):]))) for f in files}
    data = graphs[str(g.value(action, SHT.dataGraph))]
    shapes = graphs[str(g.value(action, SHT.shapesGraph))]
    return g, data, shapes, g.value(test, MF.result)


def _expected(g: Graph, result: Any, data: Graph, shapes: Graph) -> tuple[bool, Counter]:
    sub = Graph()  # the expected report, on its own, as a results graph
    stack = [result]
    while stack:
        n = stack.pop()
        for p, o in g.predicate_objects(n):
            sub.add((n, p, o))
            if isinstance(o, BNode):
                stack.append(o)
    conforms, keys, _ = _results(sub, [g, data, shapes])
    return conforms, keys


@pytest.mark.parametrize("name,manifest,test", TESTS, ids=[t[0] for t in TESTS])
def test_w3c_core(name, manifest, test):
    g, data, shapes, result = _load(manifest, test)
    expected = _expected(g, result, data, shapes)
    engine = FastValidator(shapes)
    assert engine.fallback == (), engine.fallback_reasons
    ours = _results(engine.run(FastData.from_graph(data)), [data, shapes])
    assert ours[:2] == expected, name
    report = lod.validate(data, shapes=shapes)  # the public entry: the same engine, the same verdict
    assert (report.shacl_conforms, len(report.results)) == (expected[0], sum(expected[1].values())), name
    theirs = _results(run_shacl(data, shapes), [data, shapes])
    if theirs[:2] == expected:  # pyshacl passes this test: the same results, and the same messages
        assert ours[2] == theirs[2], name
