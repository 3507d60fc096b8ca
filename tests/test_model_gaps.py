"""Facts met while writing a catalogue for a film outside the example (Aftersun, 2022): a production
company's part, a festival section another organisation runs inside a festival's edition (Critics'
Week at Cannes), and a country inside another (Scotland within the United Kingdom) as the country of
origin. Each through the model and the alignment table, in every view."""

from __future__ import annotations

import json
import subprocess
import sys

import pyoxigraph as ox
import pytest
from rdflib import URIRef

import lod
from lod import web
from lod.html import SiteWriter
from lod.statements import claims
from test_web import not_in_export, page_graph

SCHEMA = "http://schema.org/"
LODV = "https://w3id.org/lod-film/vocab#"
BASE = lod.DEFAULT_BASE

AFTERSUN = {
    "info": {"id": "aftersun", "names": {"en": "Aftersun"}, "url": "https://www.festival-cannes.com/en/f/aftersun/"},
    "places": [{"id": "uk", "names": {"en": "United Kingdom"}, "place_type": "country", "qid": "Q145"},
               {"id": "scotland", "names": {"en": "Scotland"}, "place_type": "country", "contained_in": "uk",
                "qid": "Q22"},
               {"id": "cannes-city", "names": {"en": "Cannes"}, "place_type": "city"}],
    "organizations": [{"id": "pastel", "names": {"en": "Pastel"}, "qid": "Q9990001"},
                      {"id": "unified-theory", "names": {"en": "Unified Theory"}},
                      {"id": "bbc-film", "names": {"en": "BBC Film"}, "qid": "Q9990002"},
                      {"id": "semaine", "names": {"en": "French Union of Film Critics"}},
                      {"id": "festival-de-cannes", "names": {"en": "Festival de Cannes"}}],
    "people": [{"id": "charlotte-wells", "names": {"en": "Charlotte Wells"}}],
    "festivals": [{"id": "cannes", "names": {"en": "Cannes Film Festival"}, "organizer": "festival-de-cannes"}],
    "festival_editions": [{"id": "cannes-2022", "festival": "cannes", "names": {"en": "Cannes 2022"},
                           "organizer": "festival-de-cannes", "location": "cannes-city"}],
    "festival_sections": [{"id": "critics-week-2022", "edition": "cannes-2022", "names": {"en": "Critics' Week"},
                           "alternate_names": {"fr": "Semaine de la Critique"}, "organizer": "semaine"}],
    "films": [{"id": "aftersun", "titles": [{"text": "Aftersun", "lang": "en", "kind": "original"}],
               "date_created": 2022, "countries": ["scotland"], "directors": ["charlotte-wells"], "qid": "Q9990003",
               "company_credits": [{"organization": "pastel", "role": "production"},
                                   {"organization": "unified-theory", "role": "co-production"},
                                   {"organization": "bbc-film", "role": "in-association-with"}]}],
    "screenings": [{"id": "aftersun-cannes", "film": "aftersun", "section": "critics-week-2022",
                    "edition": "cannes-2022", "premiere": "world", "start_date": "2022-05-21"}],
}


@pytest.fixture(scope="module")
def cat() -> lod.Catalogue:
    return lod.catalogue_from_data(json.loads(json.dumps(AFTERSUN)))


def iri(kind: str, rid: str) -> ox.NamedNode:
    return ox.NamedNode(str(lod.record_iri(BASE, kind, rid)))


@pytest.fixture(scope="module")
def store(cat):
    s = ox.Store()
    s.load(lod.dumps(cat, format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
    return s


def test_every_new_fact_reads_back_equal(cat):
    assert lod.from_graph(lod.to_graph(cat)) == cat
    assert lod.from_graph(lod.parse(lod.dumps(cat, format="json-ld"), "json-ld")) == cat


def test_a_companys_part_is_a_role_node(store):
    rows = {(r["org"].value, r["role"].value) for r in store.query(f"""
        SELECT ?org ?role WHERE {{ {iri('film', 'aftersun')} <{SCHEMA}productionCompany> ?n .
          ?n a <{SCHEMA}Role> ; <{SCHEMA}productionCompany> ?org ; <{SCHEMA}roleName> ?role }}""")}
    assert rows == {(iri("organization", "pastel").value, LODV + "Production"),
                    (iri("organization", "unified-theory").value, LODV + "CoProduction"),
                    (iri("organization", "bbc-film").value, LODV + "InAssociationWith")}


def test_a_section_run_by_another_organisation(store):
    section, edition = iri("festival-section", "critics-week-2022"), iri("festival-edition", "cannes-2022")
    organizers = {q.object.value for q in store.quads_for_pattern(section, ox.NamedNode(SCHEMA + "organizer"), None)}
    assert organizers == {iri("organization", "semaine").value}
    assert {q.object.value for q in store.quads_for_pattern(edition, ox.NamedNode(SCHEMA + "organizer"), None)} == {
        iri("organization", "festival-de-cannes").value}
    assert {q.object for q in store.quads_for_pattern(section, ox.NamedNode(SCHEMA + "superEvent"), None)} == {edition}


def test_scotland_within_the_united_kingdom_as_the_country_of_origin(cat, store):
    scotland = iri("place", "scotland")
    assert ox.Quad(iri("film", "aftersun"), ox.NamedNode(SCHEMA + "countryOfOrigin"), scotland) in store
    assert ox.Quad(scotland, ox.NamedNode(SCHEMA + "containedInPlace"), iri("place", "uk")) in store
    found = {(c.record, c.pid, c.value.text) for c in claims(cat)}
    assert ("scotland", "P17", "Q145") in found  # Wikidata: a country's country, not P131
    assert not any(r == "scotland" and p == "P131" for r, p, _ in found)


def test_wikidata_gets_the_production_companies_only(cat):
    companies = {c.value.text for c in claims(cat) if c.record == "aftersun" and c.pid == "P272"}
    assert companies == {"Q9990001"}  # Pastel (production); BBC Film is "in association with": no P272
    assert not any("Q9990002" in str(c.value) for c in claims(cat))


def test_the_fiaf_view_has_the_producing_activities(cat):
    g = lod.to_graph(cat, view="fiaf")
    fiaf = "https://fiafcore.org/ontology/"
    agents = {str(o) for s, p, o in g if str(p) == fiaf + "hasAgent"}
    assert {str(lod.record_iri(BASE, "organization", o)) for o in ("pastel", "unified-theory", "bbc-film")} <= agents
    kinds = {str(o) for s, p, o in g if str(p).endswith("type") and str(o).startswith(fiaf)}
    assert fiaf + "ProductionCompany" in kinds


def test_the_pages_show_them(cat):
    export = lod.to_graph(cat)
    for rid in ("aftersun", "charlotte-wells", "cannes-2022"):
        assert not_in_export(page_graph(web.jsonld(rid, cat)), export) == [], rid
    html = SiteWriter(cat).page(cat["aftersun"])
    assert "Pastel (production)" in html and "Unified Theory (co-production)" in html
    assert "BBC Film (in association with)" in html
    assert "Scotland (United Kingdom)" in html
    assert "Critics&#x27; Week (French Union of Film Critics)" in html


def test_the_profiles_accept_them(cat):
    report = lod.validate(cat, profiles=("core",))
    assert report.conforms, report.text()


def test_a_company_part_that_is_not_one_is_named(tmp_path):
    bad = json.loads(json.dumps(AFTERSUN))
    bad["films"][0]["company_credits"][1]["role"] = "coproducer"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "lod.cli", "validate", str(path)], capture_output=True, text=True)
    assert run.returncode == 1
    assert "record 'aftersun'" in run.stderr and "company_credits[1].role" in run.stderr
    assert "co-production" in run.stderr and "Traceback" not in run.stderr


def test_the_stream_path_writes_the_same_graph(cat, tmp_path):
    lines = tmp_path / "films.jsonl"
    with lines.open("w", encoding="utf-8") as f:
        for list_name, records in AFTERSUN.items():
            if list_name == "info":
                continue
            for record in records:
                f.write(json.dumps({list_name: record}) + "\n")
    out = tmp_path / "out.nt"
    run = subprocess.run([sys.executable, "-m", "lod.cli", "export", str(lines), "-o", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    streamed = set(ox.parse(out.read_bytes(), format=ox.RdfFormat.N_TRIPLES))
    whole = set(ox.parse(lod.dumps(lod.Catalogue(**{k: v for k, v in cat if k != "info"}), format="nt").encode(),
                         format=ox.RdfFormat.N_TRIPLES))
    assert streamed == whole


def test_no_wikidata_iri_for_a_role(cat):
    g = lod.to_graph(cat)
    assert not any(isinstance(o, URIRef) and "wikidata" in str(o) and "Role" in str(o) for o in g.objects())
