"""Every schema.org term lod writes exists in release 30.0 and is used within its domain."""

from __future__ import annotations

import pytest
from rdflib import RDF, URIRef

import lod
from lod.synthetic import synthetic_catalogue

SCHEMA = "http://schema.org/"
ROLE_TYPES = {SCHEMA + "Role", SCHEMA + "PerformanceRole"}



def _check(graph, vocab, schema_only: bool = False):
    """Problems with the schema.org terms of a graph; ``schema_only``: as a reader that knows only schema.org
    sees it (lod's classes, and what vocab/lod.ttl says of them, unknown)."""
    problems = []
    types: dict = {}
    for s, o in graph.subject_objects(RDF.type):
        if not schema_only or str(o).startswith(SCHEMA):
            types.setdefault(s, set()).add(str(o))
    for cls in {str(o) for o in graph.objects(None, RDF.type)}:
        if cls.startswith(SCHEMA) and cls not in vocab.classes:
            problems.append(f"class {cls} is not in schema.org 30.0")
    for s, p, o in graph:
        p = str(p)
        if not p.startswith(SCHEMA):
            continue
        if p not in vocab.properties:
            problems.append(f"property {p} is not in schema.org 30.0")
            continue
        subject_types = types.get(s, set())
        if subject_types & ROLE_TYPES:
            continue  # Role nodes repeat the property they qualify (schema.org example eg-0205)
        allowed = vocab.domains[p]
        closure = set().union(*(vocab.closure(t) for t in subject_types)) if subject_types else set()
        if not closure & allowed:
            problems.append(f"{p} used on {s} typed {sorted(subject_types)}; domain is {sorted(allowed)}")
    return sorted(set(problems))


def test_seed_terms_exist_and_fit_their_domains(seed_graph, schemaorg):
    assert _check(seed_graph, schemaorg) == []


def test_synthetic_terms_exist_and_fit_their_domains(schemaorg):
    assert _check(lod.to_graph(synthetic_catalogue(40)), schemaorg) == []


def test_the_new_fields_terms_exist_and_fit_their_domains(schemaorg):
    from test_new_fields import DATA

    graph = lod.to_graph(lod.catalogue_from_data(DATA))
    assert _check(graph, schemaorg) == [] and _check(graph, schemaorg, schema_only=True) == []


def test_the_check_itself_catches_a_wrong_domain_and_a_made_up_term(seed_graph, schemaorg):
    g = lod.parse(lod.dumps(seed_graph, format="nt"), "nt")
    person = next(g.subjects(RDF.type, URIRef(SCHEMA + "Person")))
    g.add((person, URIRef(SCHEMA + "filmRuntime"), URIRef(SCHEMA + "x")))   # not a property
    g.add((person, URIRef(SCHEMA + "workPresented"), URIRef(SCHEMA + "x")))  # ScreeningEvent only
    g.add((person, RDF.type, URIRef(SCHEMA + "Interview")))                  # no such class
    problems = _check(g, schemaorg)
    assert any("filmRuntime is not in schema.org" in p for p in problems)
    assert any("workPresented used on" in p for p in problems)
    assert any("Interview is not in schema.org" in p for p in problems)


def test_every_record_type_appears_in_the_seed_or_synthetic_graphs(seed_graph):
    kinds = {str(s).split("/")[-2] for s in seed_graph.subjects(RDF.type, None) if "#" not in str(s)}
    kinds |= {str(s).split("/")[-2] for s in lod.to_graph(synthetic_catalogue(40)).subjects(RDF.type, None)
              if "#" not in str(s)}
    from test_new_fields import DATA  # releases and events: kinds neither the seed nor the synthetic one has

    kinds |= {str(s).split("/")[-2] for s in lod.to_graph(lod.catalogue_from_data(DATA)).subjects(RDF.type, None)
              if "#" not in str(s)}
    expected = {cls.kind for cls in lod.model.RECORD_TYPES} | {"catalogue"}
    assert expected <= kinds, expected - kinds


def test_a_schema_org_only_reader_sees_every_term_in_its_domain(seed_graph, schemaorg):
    """Nodes of lod's own classes (lod:Award, lod:AwardOutcome, lod:Selection, lod:FestivalSection) carry the
    schema.org class they specialise too, so schema:name and schema:superEvent fit without lod.ttl."""
    from lod import web
    from test_web import full_catalogue, page_graph

    assert _check(seed_graph, schemaorg, schema_only=True) == []
    assert _check(lod.to_graph(synthetic_catalogue(40)), schemaorg, schema_only=True) == []
    cat = full_catalogue()
    for rid in ("f", "d"):
        assert _check(page_graph(web.jsonld(rid, cat)), schemaorg, schema_only=True) == [], rid

