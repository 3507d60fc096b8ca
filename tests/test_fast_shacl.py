"""The compiled SHACL engine (lod.shacl) gives exactly pyshacl's results.

Each comparison is between two real runs on the same data and shapes: pyshacl's results graph
and the fast engine's, reduced to (focus, path, value, severity, source shape, constraint
component, messages) and compared as multisets.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from test_profiles import CASES as PROFILE_CASES
from test_profiles import full  # noqa: F401  (fixture)
from test_validate import MUTATIONS as CORE_CASES
from test_validate import small  # noqa: F401  (fixture)

import lod
from lod.shacl import FastData, FastValidator
from lod.synthetic import synthetic_catalogue
from lod.validation import PROFILES, run_shacl, shapes_graph

S = "http://schema.org/"


def raw(results: Graph, shapes: Graph) -> Counter:
    out: Counter = Counter()
    for r in results.objects(None, SH.result):
        shape = results.value(r, SH.sourceShape)
        path = results.value(r, SH.resultPath)
        # a complex path is a blank node of its own graph: compare the shape's path instead
        path_key = str(path) if isinstance(path, URIRef) else ("complex", shape) if path is not None else None
        out[(results.value(r, SH.focusNode), path_key, results.value(r, SH.value),
             results.value(r, SH.resultSeverity), shape, results.value(r, SH.sourceConstraintComponent),
             tuple(sorted(map(str, results.objects(r, SH.resultMessage)))))] += 1
    return out


def both(graph: Graph, shapes: Graph) -> tuple[Counter, Counter, FastValidator]:
    engine = FastValidator(shapes)
    fast = raw(engine.run(FastData.from_graph(graph)), shapes)
    reference = raw(run_shacl(graph, shapes), shapes)
    return fast, reference, engine


def graph_of(cat: lod.Catalogue) -> Graph:
    return lod.parse(lod.dumps(cat, format="nt"), "nt")


@pytest.mark.parametrize("profile", PROFILES)
def test_lods_shapes_all_compile(profile):
    assert FastValidator(shapes_graph((profile,))).fallback == ()


@pytest.mark.parametrize("profile", PROFILES)
def test_engines_agree_on_the_seed(seed_graph, profile):
    fast, reference, _ = both(seed_graph, shapes_graph((profile,)))
    assert fast == reference
    if profile != "core":
        assert sum(reference.values()) > 0  # the seeds give no posters, no QIDs for most records…


@pytest.mark.parametrize("profile,name,case", PROFILE_CASES, ids=[f"{p}: {n}" for p, n, _ in PROFILE_CASES])
def test_engines_agree_on_every_profile_fixture(full, profile, name, case):  # noqa: F811
    g = graph_of(full)
    case[0](g)
    fast, reference, _ = both(g, shapes_graph((profile,)))
    assert fast == reference and sum(reference.values()) == 1


@pytest.mark.parametrize("name", list(CORE_CASES))
def test_engines_agree_on_every_core_fixture(small, name):  # noqa: F811
    g = graph_of(small)
    CORE_CASES[name][0](g)
    fast, reference, _ = both(g, shapes_graph(PROFILES))
    assert fast == reference
    assert any(k[3] == SH.Violation for k in reference)


def _mutated(n_films: int, seed: int) -> Graph:
    """A synthetic catalogue's graph with random damage: triples dropped, retyped, untagged, added."""
    rnd = random.Random(seed)
    g = graph_of(synthetic_catalogue(n_films, seed=seed))
    triples = sorted(g, key=lambda t: (str(t[0]), str(t[1]), str(t[2])))
    for s, p, o in triples:
        roll = rnd.random()
        if roll < 0.04:
            g.remove((s, p, o))
        elif roll < 0.05 and isinstance(o, Literal):
            g.remove((s, p, o))
            g.add((s, p, Literal(str(o))))  # language tag or datatype lost
        elif roll < 0.055 and isinstance(o, Literal):
            g.add((s, p, Literal("not a date", datatype=XSD.date)))  # ill-typed
        elif roll < 0.06:
            g.add((s, URIRef(S + "sameAs"), URIRef(f"https://www.wikidata.org/wiki/Q{rnd.randint(1, 99)}")))
        elif roll < 0.065 and p == RDF.type:
            g.set((s, RDF.type, URIRef(S + rnd.choice(["Thing", "Person", "Movie", "Organization"]))))
    return g


@pytest.mark.parametrize("profile", PROFILES)
def test_engines_agree_on_thousands_of_damaged_records(profile):
    g = _mutated(1200, seed=11)  # about 2,100 records, 48,000 triples
    fast, reference, _ = both(g, shapes_graph((profile,)))
    assert fast == reference
    assert sum(reference.values()) > 100


def test_engines_agree_on_generated_catalogues_through_lod_validate():
    cat = synthetic_catalogue(300)
    for profiles in (("core",), ("web", "archive"), ("wikidata",)):
        fast = lod.validate(cat, profiles, engine="fast")
        reference = lod.validate(cat, profiles)
        assert fast.results == reference.results and fast.conforms == reference.conforms
    assert reference.results  # the synthetic films have no QIDs for most records


FEATURES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:Patterns a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property [ sh:path ex:code ; sh:pattern "^ab" ; sh:flags "i" ; sh:message "pattern" ] ,
              [ sh:path ex:count ; sh:datatype xsd:integer ; sh:maxCount 1 ; sh:message "integer" ] ,
              [ sh:path ex:kind ; sh:in ( ex:a ex:b "c" ) ; sh:message "in" ] ,
              [ sh:path ex:kind ; sh:hasValue ex:a ; sh:message "hasValue" ] ,
              [ sh:path ex:link ; sh:xone ( [ sh:class ex:Thing ] [ sh:class ex:Other ] ) ; sh:message "xone" ] ,
              [ sh:path ex:link ; sh:not [ sh:class ex:Forbidden ] ; sh:message "not" ] ,
              [ sh:path ( ex:link ex:code ) ; sh:minCount 1 ; sh:message "sequence" ] ,
              [ sh:path [ sh:inversePath ex:link ] ; sh:maxCount 1 ; sh:message "inverse" ] ,
              [ sh:path ex:link ; sh:qualifiedValueShape [ sh:class ex:Other ] ; sh:qualifiedMinCount 1 ;
                sh:message "qualified" ] ,
              [ sh:path ex:code ; sh:minCount 5 ; sh:deactivated true ; sh:message "off" ] .
ex:Named a sh:NodeShape ; sh:targetNode ex:x1, ex:nowhere ; sh:targetObjectsOf ex:link ;
  sh:and ( [ sh:path ex:code ; sh:minCount 1 ] [ sh:path ex:count ; sh:minCount 1 ] ) ; sh:message "and" .
"""


def test_each_constraint_kind_agrees_with_pyshacl():
    shapes = Graph().parse(data=FEATURES, format="turtle")
    ex = "http://example.org/"
    g = Graph()
    g.parse(data=f"""
    @prefix ex: <{ex}> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ex:Sub rdfs:subClassOf ex:Thing .
    ex:x1 a ex:Thing ; ex:code "ABc" ; ex:count 1 ; ex:kind ex:a ; ex:link ex:x2 .
    ex:x2 a ex:Sub ; ex:code "zz" ; ex:count "one"^^xsd:integer, 2 ; ex:kind "c", ex:d ; ex:link ex:x3, ex:x4, ex:x1 .
    ex:x3 a ex:Other, ex:Thing ; ex:code _:b ; ex:link ex:x4, ex:x1 .
    ex:x4 a ex:Forbidden, ex:Other ; ex:kind "c" .
    ex:x5 a ex:Thing ; ex:link ex:x4 .
    """, format="turtle")
    fast, reference, engine = both(g, shapes)
    assert engine.fallback == ()
    assert fast == reference
    messages = {m for key in reference for m in key[6]}
    assert messages >= {"pattern", "integer", "in", "hasValue", "xone", "not", "sequence", "inverse", "and"}
    assert "off" not in messages


def test_shapes_without_messages_compile_and_only_shacl_sparql_goes_to_pyshacl():
    shapes = Graph().parse(data="""
    @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
    ex:Short a sh:NodeShape ; sh:targetClass ex:Thing ;
      sh:property [ sh:path ex:code ; sh:minLength 3 ; sh:message "too short" ] .
    ex:Silent a sh:NodeShape ; sh:targetClass ex:Thing ;
      sh:property [ sh:path ex:name ; sh:minCount 1 ] .
    ex:Compiled a sh:NodeShape ; sh:targetClass ex:Thing ;
      sh:property [ sh:path ex:code ; sh:maxCount 1 ; sh:message "one code" ] .
    ex:Sparql a sh:NodeShape ; sh:targetClass ex:Thing ;
      sh:sparql [ sh:message "no code x" ; sh:select \"\"\"
        SELECT $this WHERE { $this <http://example.org/code> "x" }\"\"\" ] .
    """, format="turtle")
    g = Graph().parse(data="""
    @prefix ex: <http://example.org/> .
    ex:a a ex:Thing ; ex:code "ab", "abcd" .
    ex:b a ex:Thing ; ex:name "B" ; ex:code "x" .
    """, format="turtle")
    fast, reference, engine = both(g, shapes)
    ex = "http://example.org/"
    assert set(map(str, engine.fallback)) == {ex + "Sparql"}
    assert "SHACL-SPARQL" in engine.fallback_reasons[URIRef(ex + "Sparql")]
    assert fast == reference
    messages = {m for k in reference for m in k[6]}
    assert {"too short", "one code", "no code x"} <= messages
    # a shape without sh:message: pyshacl's generated text, from the compiled engine too
    assert "Less than 1 values on ex:a->ex:name" in messages


def test_fast_results_keep_blank_node_free_focus_and_values():
    g = Graph().parse(data="""
    @prefix schema: <http://schema.org/> .
    <https://example.org/id/person/p> a schema:Person .
    """, format="turtle")
    report = lod.validate(g, engine="fast")
    reference = lod.validate(g)
    assert report.results == reference.results
    assert [(r.record, r.field) for r in report.violations] == [("p", "names")]
    assert not isinstance(report.graph.value(None, SH.focusNode), BNode)


EDGES_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:A a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property ex:Shared .
ex:B a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property ex:Shared .
ex:Shared a sh:PropertyShape ; sh:path ex:label ; sh:languageIn ( "en" ) ; sh:message "english" .
ex:Lit a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property [ sh:path ex:label ; sh:datatype rdfs:Literal ; sh:message "literal" ] ,
              [ sh:path ex:tagged ; sh:datatype rdf:langString ; sh:message "tagged" ] ,
              [ sh:path ex:label ; sh:hasValue "a"@en ; sh:message "has a" ] .
ex:Implicit a sh:NodeShape, rdfs:Class ; sh:property [ sh:path ex:label ; sh:minCount 1 ; sh:message "implicit" ] .
"""


def test_review_edge_cases_agree_with_pyshacl():
    shapes = Graph().parse(data=EDGES_SHAPES, format="turtle")
    g = Graph().parse(data="""
    @prefix ex: <http://example.org/> . @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
    ex:x a ex:Thing ; ex:label "a"@EN, "b"@ru ; ex:tagged "x"^^rdf:langString .
    ex:y a ex:Implicit .
    """, format="turtle")
    fast, reference, engine = both(g, shapes)
    assert fast == reference
    ex = "http://example.org/"
    assert engine.fallback == ()  # implicit class targets and shared property shapes compile
    assert {m for key in reference for m in key[6]} >= {"english", "tagged", "implicit"}


def test_ill_typed_literals_agree_with_pyshacl():
    g = graph_of(synthetic_catalogue(3))
    g.add((URIRef("https://example.org/id/film/film-0"), URIRef(S + "dateCreated"),
           Literal("nope", datatype=XSD.gYear)))
    g.add((URIRef("https://example.org/id/film/film-1"), URIRef(S + "isFamilyFriendly"),
           Literal("nope", datatype=XSD.boolean)))
    for profiles in (("core",), ("archive",)):
        fast = lod.validate(g, profiles, engine="fast")
        assert fast.results == lod.validate(g, profiles, engine="pyshacl").results
        if profiles == ("core",):
            assert "film-0" in {r.record for r in fast.violations}, "the ill-typed year is a violation"


NESTED = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ; sh:message "person" ;
  sh:property [ sh:path ex:address ; sh:message "address" ; sh:property ex:AddressCity ] .
ex:AddressCity sh:path ex:city ; sh:class ex:City ; sh:message "the address's city must be a City" .
"""
NESTED_DATA = """@prefix ex: <http://example.org/> .
ex:bad a ex:Person ; ex:address ex:a1 . ex:a1 ex:city ex:nowhere .
ex:good a ex:Person ; ex:address ex:a2 . ex:a2 ex:city ex:berlin . ex:berlin a ex:City .
"""


def test_a_property_nested_in_a_property_shape_is_checked_on_each_value_not_the_focus():
    """W3C core property/property-001, with messages so that nothing else sends it to pyshacl: the compiled
    engine applied the nested shape to the person (so it conformed); now it is checked on each value node."""
    from rdflib import Graph
    from rdflib.namespace import SH

    from lod.shacl import FastData, FastValidator

    shapes, data = Graph().parse(data=NESTED, format="turtle"), Graph().parse(data=NESTED_DATA, format="turtle")
    engine = FastValidator(shapes)
    assert engine.fallback == ()
    results = engine.run(FastData.from_graph(data))
    foci = {str(results.value(r, SH.focusNode)) for r in results.subjects(SH.resultSeverity, None)}
    assert foci == {"http://example.org/a1"}  # the bad person's address (the value node), as the W3C report says


def test_one_default_engine_everywhere_and_one_batched_entry():
    import inspect
    import warnings

    from lod import cli, stream, validation
    from lod.synthetic import synthetic_catalogue

    assert validation.DEFAULT_ENGINE == "fast"
    for fn in (validation.validate, stream.export, stream.validate_file, stream.Streamer):
        assert inspect.signature(fn).parameters["engine"].default == validation.DEFAULT_ENGINE, fn
    parser = cli.build_parser()
    assert parser.parse_args(["validate"]).engine == validation.DEFAULT_ENGINE
    cat = synthetic_catalogue(30)
    whole = lod.validate(cat, ("core", "web"))
    batched = lod.validate(cat, ("core", "web"), batch_size=7)
    key = lambda r: (r.severity, r.record, r.field, r.message, r.value, r.focus)  # noqa: E731
    assert sorted(map(key, batched.results)) == sorted(map(key, whole.results)) and whole.results
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = lod.validate_batched(cat, ("core", "web"), batch_size=7)
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)
    assert sorted(map(key, old.results)) == sorted(map(key, whole.results))


PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
"""


def test_review_cases_beyond_the_w3c_suite_agree_with_pyshacl():
    cases = [
        # sibling qualified value shapes that share their shape: a shape is not its own sibling (SHACL §4.7.3)
        ("""ex:S sh:targetNode ex:a ;
              sh:property [ sh:path ex:p ; sh:qualifiedValueShape ex:Q ; sh:qualifiedMinCount 1 ;
                            sh:qualifiedValueShapesDisjoint true ] ,
                          [ sh:path ex:p ; sh:qualifiedValueShape ex:Q ; sh:qualifiedMinCount 1 ;
                            sh:qualifiedValueShapesDisjoint true ] .
            ex:Q sh:class ex:C .""", "ex:a ex:p ex:b . ex:b a ex:C ."),
        # an owl:Class that is a shape targets its instances
        ("""ex:C a owl:Class ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .""", "ex:x a ex:C . ex:y a ex:C ; ex:name 'y' ."),
        # a path with no value still reports what can fail on none: qualified, hasValue, equals, minCount;
        # and nothing else (maxCount, class, node, lessThan…)
        ("""ex:S sh:targetNode ex:a, ex:b ;
              sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:C ] ; sh:qualifiedMinCount 1 ] ,
                          [ sh:path ex:p ; sh:hasValue ex:v ] ,
                          [ sh:path ex:p ; sh:equals ex:q ] ,
                          [ sh:path ex:p ; sh:minCount 1 ; sh:maxCount 1 ; sh:class ex:C ; sh:node ex:Q ;
                            sh:lessThan ex:q ; sh:disjoint ex:q ; sh:qualifiedValueShape [ sh:class ex:C ] ;
                            sh:qualifiedMaxCount 0 ] .
            ex:Q sh:class ex:C .""", "ex:a ex:q ex:v . ex:b ex:p ex:v ."),
    ]
    for shapes_text, data_text in cases:
        shapes = Graph().parse(data=PREFIXES + shapes_text, format="turtle")
        data = Graph().parse(data=PREFIXES + data_text, format="turtle")
        fast, reference, engine = both(data, shapes)
        assert engine.fallback == ()
        assert fast == reference, shapes_text


def test_a_shape_reached_through_many_paths_is_checked_once_per_node():
    """A DAG of 26 nodes, each pointing to the next two: 2^24 paths if each were followed (pyshacl stops following a
    shape that refers to itself after two levels, with a ShapeRecursionWarning, and says it conforms); each (node, shape) is checked once, and the broken end is found."""
    shapes = Graph().parse(data=PREFIXES + """ex:S sh:targetNode ex:n0 ; sh:property [ sh:path ex:next ; sh:node ex:S ] ;
        sh:property [ sh:path ex:v ; sh:maxCount 1 ] .""", format="turtle")
    data = Graph().parse(data=PREFIXES + " ".join(f"ex:n{i} ex:next ex:n{i + 1}, ex:n{i + 2} ." for i in range(24))
                         + " ex:n25 ex:v 1, 2 .", format="turtle")
    results = FastValidator(shapes).run(FastData.from_graph(data))
    assert sorted(str(v) for v in results.objects(None, SH.value)) == ["http://example.org/n1", "http://example.org/n2"]


def test_a_datetimestamp_compares_as_a_datetime():
    """pyshacl (rdflib has no converter for xsd:dateTimeStamp) lets 2019 pass a 2020 minimum; lod does not."""
    shapes = Graph().parse(data=PREFIXES + """ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:d ;
        sh:minInclusive "2020-01-01T00:00:00Z"^^xsd:dateTime ] .""", format="turtle")
    data = Graph().parse(data=PREFIXES + 'ex:a ex:d "2021-01-01T00:00:00Z"^^xsd:dateTimeStamp, '
                         '"2019-01-01T00:00:00Z"^^xsd:dateTimeStamp .', format="turtle")
    results = FastValidator(shapes).run(FastData.from_graph(data))
    assert [str(v) for v in results.objects(None, SH.value)] == ["2019-01-01T00:00:00Z"]


@pytest.mark.parametrize("shapes_text,words", [
    ("ex:S sh:targetNode ex:a ; sh:path ex:p, ex:q ; sh:minCount 1 .", "2 values of sh:path"),
    ("ex:S sh:targetNode ex:a ; sh:and ex:X .", "must be an RDF list"),
    ("ex:S sh:targetNode ex:a ; sh:in _:l . _:l rdf:first 1 ; rdf:rest _:l .", "broken"),
    ("ex:S sh:targetNode ex:a ; sh:minCount 1 .", "belongs on a property shape"),
    ("ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:pattern ex:notAString ] .", "not a string"),
    ("ex:S sh:target [ a sh:SPARQLTarget ; sh:select 'SELEC $this WHERE {}' ] ; sh:class ex:C .", "not valid SPARQL"),
    ("ex:S sh:targetNode ex:a ; sh:property [ sh:path _:x ; sh:minCount 1 ] . _:x sh:inversePath _:x .",
     "nests more than 64 deep"),
])
def test_ill_formed_shapes_are_a_clear_error_not_a_silent_pass(shapes_text, words):
    shapes = Graph().parse(data=PREFIXES + shapes_text, format="turtle")
    with pytest.raises(lod.errors.ValidationRunError) as info:
        FastValidator(shapes)
    assert words in str(info.value)


def test_a_deep_chain_of_nodes_is_a_clear_error():
    shapes = Graph().parse(data=PREFIXES + "ex:S sh:targetNode ex:n0 ; sh:property [ sh:path ex:next ; sh:node ex:S ] .",
                           format="turtle")
    data = Graph().parse(data=PREFIXES + " ".join(f"ex:n{i} ex:next ex:n{i + 1} ." for i in range(3000)),
                         format="turtle")
    with pytest.raises(lod.errors.ValidationRunError) as info:
        FastValidator(shapes).run(FastData.from_graph(data))
    assert "nest too deeply" in str(info.value)


def _all_shapes(engine: FastValidator) -> list:
    """Every shape compiled for the top shapes: their property shapes and the shapes their components name."""
    seen: dict[int, object] = {}
    stack = [top.shape for top in engine.top]
    while stack:
        shape = stack.pop()
        if id(shape) not in seen:
            seen[id(shape)] = shape
            stack += [*shape.properties, *(r for c in shape.constraints for r in c.refs)]
    return list(seen.values())


def _checks_pass(data: FastData, focus, shape) -> bool:
    """Whether ``focus`` conforms to ``shape``, read off the constraints' own checks (each returns the values it
    finds wanting), then each property shape on each value: what a compiled shape must answer."""
    from lod.validation._shacl import path_values

    if shape.deactivated:
        return True
    values = (focus,) if shape.path is None else path_values(data, focus, shape.path)
    if any(c.check(data, focus, values) for c in shape.constraints):
        return False
    return all(_checks_pass(data, v, prop) for v in values for prop in shape.properties)


def test_a_compiled_shape_passes_where_its_checks_do():
    """Shape.passes (an acyclic shape compiled to one function) against the constraints' checks, on every node of
    every W3C SHACL core test's data and of a damaged synthetic catalogue under each of lod's profiles."""
    from test_w3c_shacl import TESTS, _load

    cases = [(_load(manifest, test)[1], _load(manifest, test)[2]) for _, manifest, test in TESTS]
    damaged = _mutated(200, seed=5)
    cases += [(damaged, shapes_graph((profile,))) for profile in PROFILES]
    compared = Counter()
    for graph, shapes in cases:
        engine = FastValidator(shapes)
        data = FastData.from_graph(graph)
        nodes = {n for po in data.spo.values() for objs in po.values() for n in objs} | set(data.spo)
        for shape in _all_shapes(engine):
            if shape.passes is None:
                compared["cyclic"] += 1
                continue
            for node in sorted(nodes, key=repr):
                found = shape.passes(data, node)
                assert found == _checks_pass(data, node, shape), (shape.node, node, shape.passes.__doc__)
                compared[found] += 1
    assert compared[True] > 10_000 and compared[False] > 10_000, compared
    # a shape that leads back to itself is not compiled (conforms() guards it), nor is one that leads to it
    recursive = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:Top a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:q ; sh:node ex:Loop ] .
        ex:Loop a sh:NodeShape ; sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:node ex:Loop ] .
        ex:Plain a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
        """, format="turtle")
    compiled = {str(s.node): s.passes is not None for s in _all_shapes(FastValidator(recursive))}
    assert compiled["http://example.org/Loop"] is False and compiled["http://example.org/Top"] is False
    assert compiled["http://example.org/Plain"] is True
