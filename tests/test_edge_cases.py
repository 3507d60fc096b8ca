"""Edge cases found in review: each once broke a round trip, crashed, or misreported an error."""

from __future__ import annotations

import json
import os
import stat

import pytest

import lod
from lod.cli import main

FORMATS = ["turtle", "nt", "json-ld"]


def round_trips(cat: lod.Catalogue) -> None:
    for fmt in FORMATS:
        assert lod.from_graph(lod.parse(lod.dumps(cat, format=fmt), fmt)) == cat, fmt


def test_date_times_are_canonical_and_round_trip():
    p = lod.Person(id="p", names={"en": "P"}, birth_date="2019-11-14T10:00Z")
    assert p.birth_date == "2019-11-14T10:00:00+00:00"
    round_trips(lod.Catalogue(people=[p, lod.Person(id="q", names={"en": "Q"}, birth_date="2019-11-14T10:00:00.5")]))


@pytest.mark.parametrize("minutes", [1, 59, 60, 93, 1439, 1440, 1500, 99999])
def test_runtimes_round_trip_also_past_a_day(minutes):
    round_trips(lod.Catalogue(films=[{"id": "f", "titles": {"en": "F"}, "runtime_minutes": minutes}]))


@pytest.mark.parametrize("base", ["https://ex.org/id#", "https://ex.org/id/#x/", "https://ex.org/?q=/"])
def test_bases_with_fragment_or_query_are_refused(base):
    with pytest.raises(lod.BadIRI):
        lod.to_graph(lod.Catalogue(), base=base)


def test_node_keys_never_collide():
    cat = lod.Catalogue(
        people=[{"id": "p", "names": {"en": "P"}}],
        organizations=[{"id": "netflix", "names": {"en": "N"}}, {"id": "netflix-access", "names": {"en": "A"}}],
        films=[{"id": "f", "titles": {"en": "F"},
                "cast": [{"person": "p", "character": c} for c in ("Ivan 2", "Ivan", "Ivan!")],
                "availability": [{"platform": "netflix", "regions": ["KZ"]},
                                 {"platform": "netflix-access", "regions": ["GB"]}]}])
    g = lod.to_graph(cat)
    film = lod.record_iri(lod.DEFAULT_BASE, "film", "f")
    assert len(set(g.objects(film, lod.mapping.table().iri("schema:actor")))) == 3
    assert len(set(g.objects(film, lod.mapping.table().iri("schema:potentialAction")))) == 2
    round_trips(cat)


@pytest.mark.parametrize("iri", ["wd:Q5", "lod:x", "schema:Movie", "http://a.org/x\u00a0y", "http://a.org/x\u2028y",
                                 "http://a.org/x\u3000y", "http://a.org/x\ty"])
def test_iris_that_json_ld_or_n_triples_would_misread_are_refused(iri):
    with pytest.raises(lod.BadIRI):
        lod.Organization(id="o", names={"en": "O"}, url=iri)


def test_https_schema_org_as_a_value_is_kept():
    cat = lod.Catalogue(organizations=[{"id": "o", "names": {"en": "O"}, "url": "https://schema.org/"}])
    round_trips(cat)
    nt = lod.dumps(cat, format="nt").replace("<http://schema.org/name>", "<https://schema.org/name>")
    assert lod.from_graph(lod.parse(nt, "nt")) == cat


def test_json_ld_writer_on_a_foreign_graph_keeps_types_and_checks_iris():
    from rdflib import Graph, Literal, URIRef
    g = Graph()
    s = URIRef("https://example.org/id/screening/s")
    g.add((s, URIRef("http://schema.org/startDate"), Literal("spring")))  # a plain string under a date term
    g.add((s, URIRef("http://schema.org/position"), Literal(10**21)))
    back = lod.parse(lod.dumps(g, format="json-ld"), "json-ld")
    assert set(back) == set(g)
    g.add((s, URIRef("http://schema.org/url"), URIRef("relative/x")))
    with pytest.raises(lod.BadIRI):
        lod.dumps(g, format="json-ld")


@pytest.mark.parametrize("field,value", [("genres", ["drama\ud800"]), ("shooting_days", True),
                                         ("runtime_minutes", True), ("shooting_days", 10**21),
                                         ("date_created", "0000")])
def test_values_that_cannot_be_written_are_refused_on_input(field, value):
    with pytest.raises(lod.InputError) as info:
        lod.Film(id="f", titles={"en": "F"}, **{field: value})
    assert info.value.field.startswith(field)


def test_interview_about_with_bad_items_reports_the_right_position():
    with pytest.raises(lod.InputError) as info:
        lod.Interview(id="i", headlines={"en": "H"}, interviewees=["p"], about=["p", "bad id!"])
    assert info.value.field == "about[1]"
    with pytest.raises(lod.InputError):
        lod.Interview(id="i", headlines={"en": "H"}, interviewees=["p"], about=[{"x": 1}])


def test_numbers_as_ids_and_titles_are_text_and_errors_name_the_position():
    cat = lod.catalogue_from_data({"films": [{"id": 1917, "titles": {"en": 1917}}]})
    assert cat.films[0].id == "1917" and cat.films[0].titles[0].text == "1917"
    with pytest.raises(lod.CatalogueError) as info:
        lod.catalogue_from_data({"films": [{"id": "ok", "titles": {"en": "A"}}, {"id": -3, "titles": {"en": ""}}]})
    assert {(p.record, p.field) for p in info.value.problems} == {("films[1]", "id"), ("films[1]", "titles[0].text")}


def test_a_file_reports_unknown_lists_together_with_record_problems():
    with pytest.raises(lod.CatalogueError) as info:
        lod.catalogue_from_data({"filmz": [], "films": [{"id": "f", "titles": {"en": ""}, "directors": ["x"]}]})
    fields = {p.field for p in info.value.problems}
    assert {"filmz", "titles[0].text", "directors[0]"} <= fields


def test_both_spellings_of_a_list_are_refused_not_merged_silently():
    with pytest.raises(lod.CatalogueError, match="same list"):
        lod.catalogue_from_data({"organizations": [{"id": "a", "names": {"en": "A"}}],
                                 "organisations": [{"id": "b", "names": {"en": "B"}}]})


def test_transcript_problems(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe")
    (tmp_path / "ok.txt").write_text("hello", encoding="utf-8")
    item = {"id": "i", "headlines": {"en": "H"}, "text_file": "bad.txt", "text_lang": "en"}
    with pytest.raises(lod.CatalogueError, match="not UTF-8"):
        lod.catalogue_from_data({"interviews": [item]}, root=tmp_path)
    item = {**item, "text_file": "ok.txt", "text": {"ru": "вступление"}}
    cat = lod.catalogue_from_data({"interviews": [item]}, root=tmp_path)
    assert {(t.lang, t.text) for t in cat.interviews[0].text} == {("ru", "вступление"), ("en", "hello")}


def test_json_written_by_dump_loads_back(tmp_path, seed):
    path = lod.dump(seed, tmp_path / "out.json")
    assert lod.load_catalogue(path) == seed


def test_write_errors_are_write_errors(tmp_path):
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    with pytest.raises(lod.WriteError):
        lod.dump(lod.Catalogue(), tmp_path / "afile" / "out.ttl")


def test_written_files_get_the_usual_permissions(tmp_path):
    path = lod.dump(lod.Catalogue(), tmp_path / "out.ttl")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask


def test_empty_format_list_is_a_usage_error():
    with pytest.raises(SystemExit) as info:
        main(["export", "-f", ","])
    assert info.value.code == 2


def test_graph_problems_are_lod_errors():
    from rdflib import Literal, URIRef
    cat = lod.Catalogue(people=[{"id": "p", "names": {"en": "P"}}],
                        films=[{"id": "f", "titles": {"en": "F"}, "cast": [{"person": "p"}], "directors": ["p"]}])
    g = lod.to_graph(cat)
    role = next(iter(g.objects(lod.record_iri(lod.DEFAULT_BASE, "film", "f"), URIRef("http://schema.org/actor"))))
    bad = lod.parse(lod.dumps(g, format="nt"), "nt")
    bad.set((role, URIRef("https://w3id.org/lod-film/vocab#position"), Literal("first")))
    with pytest.raises(lod.RdfError, match="position"):
        lod.from_graph(bad)
    dangling = lod.parse(lod.dumps(g, format="nt"), "nt")
    dangling.remove((lod.record_iri(lod.DEFAULT_BASE, "person", "p"), None, None))
    with pytest.raises(lod.LodError) as info:
        lod.from_graph(dangling)
    assert isinstance(info.value, (lod.UnknownReference, lod.CatalogueError))
    problems = getattr(info.value, "problems", [info.value])
    assert any(isinstance(p, lod.UnknownReference) and p.record == "f" for p in problems)


def test_yaml_keeps_no_as_a_language_and_refuses_duplicate_keys(tmp_path):
    ok = tmp_path / "ok.yaml"
    ok.write_text("people:\n  - id: ola\n    names: {no: Ola Nordmann, en: Ola Nordmann}\n", encoding="utf-8")
    assert {n.lang for n in lod.load_catalogue(ok).people[0].names} == {"no", "en"}
    dup = tmp_path / "dup.yaml"
    dup.write_text("films: []\nfilms: []\n", encoding="utf-8")
    with pytest.raises(lod.InputError, match="duplicate key"):
        lod.load_catalogue(dup)


def test_context_copies_are_independent():
    ctx = lod.jsonld_context()
    ctx["@vocab"] = "https://evil.example/"
    assert lod.jsonld_context()["@vocab"] == "http://schema.org/"


def test_private_use_language_subtags_stay_lower_case():
    p = lod.Person(id="p", names=[{"text": "Q", "lang": "x-klingon"}, {"text": "R", "lang": "en-x-ab"}])
    assert {n.lang for n in p.names} == {"x-klingon", "en-x-ab"}


def test_a_single_json_ld_document_with_two_catalogues_is_refused(seed):
    doc = json.loads(lod.dumps(seed, format="json-ld"))
    extra = dict(next(n for n in doc["@graph"] if "/catalogue/" in n["@id"]))
    extra["@id"] = extra["@id"] + "-2"
    doc["@graph"].append(extra)
    with pytest.raises(lod.InputError, match="more than one catalogue"):
        lod.from_graph(lod.parse(json.dumps(doc), "json-ld"))
