"""Validation edge cases found in review: each once gave a wrong verdict, a lying exit code or a crash."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH, XSD

import lod
from lod.validation import ValidationRunError

S = Namespace("http://schema.org/")
ID = "https://example.org/id/"


def cli(*args):
    return subprocess.run([sys.executable, "-m", "lod.cli", *args], capture_output=True, text=True)


def write_yaml(path, data):
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_keep_going_also_leaves_out_what_refers_to_a_left_out_record(tmp_path):
    src = write_yaml(tmp_path / "cat.yaml", {
        "people": [{"id": "bad", "names": {"en": "B"}, "same_as": ["https://example.org/x"]},
                   {"id": "ok", "names": {"en": "O"}}],
        "films": [{"id": "f-bad", "titles": {"en": "F"},
                   "availability": [{"platform": "o", "starts": "2024-06-01", "ends": "2024-01-01"}]},
                  {"id": "f-cast", "titles": {"en": "C"}, "cast": [{"person": "bad"}]},
                  {"id": "f-ok", "titles": {"en": "K"}, "directors": ["ok"]}],
        "organizations": [{"id": "o", "names": {"en": "Klassiki"}}],
        "awards": [{"id": "a", "names": {"en": "Prize"}}],
        "award_outcomes": [{"id": "won", "award": "a", "status": "won", "recipients": ["f-bad"]}]})
    # the person is made bad for the web profile (no image is a violation only for films; use core: window)
    out = tmp_path / "out.ttl"
    done = cli("export", str(src), "-o", str(out), "--keep-going")
    assert done.returncode == 1
    written = lod.load_catalogue(out)  # loads whole: no reference points at a left-out record
    assert {f.id for f in written.films} == {"f-cast", "f-ok"}
    assert written.award_outcomes == ()  # the outcome of the left-out film went with it
    assert "won" in done.stderr
    assert not any("NewFest" in str(o) or "Prize" in str(o) for o in lod.to_graph(written).objects(
        None, S.award))  # and so did the derived award text
    assert cli("validate", str(out)).returncode == 0


def test_the_catalogue_block_is_named_apart_from_records(tmp_path):
    src = write_yaml(tmp_path / "cat.yaml", {
        "info": {"id": "c", "names": {"en": "C"}},  # no publisher: the archive profile's record source
        "films": [{"id": "info", "titles": {"en": "A film called info"}, "date_created": 2020}]})
    report = lod.validate(lod.load_catalogue(src), profiles=("archive",))
    assert {r.record for r in report.violations} == {"info:c"}
    out = tmp_path / "out.ttl"
    done = cli("export", str(src), "-o", str(out), "--profile", "archive", "--keep-going")
    assert done.returncode == 1 and not out.exists()  # the catalogue block cannot be left out: refused


@pytest.mark.parametrize("size", ["0", "-1", "x"])
def test_batch_size_must_be_positive(tmp_path, size):
    assert cli("validate", "--workers", "2", "--batch-size", size).returncode == 2
    with pytest.raises(lod.InputError):
        lod.validate(lod.load_catalogue(lod.example_path()), batch_size=0)


def test_workers_do_not_change_the_verdict_on_foreign_rdf(tmp_path):
    path = tmp_path / "foreign.ttl"
    path.write_text("""@prefix schema: <http://schema.org/> .
<http://other.example/film/x> a schema:Movie .
[] a schema:Person ; schema:name "No language" .
""", encoding="utf-8")
    one, two = cli("validate", str(path), "--format", "json"), cli("validate", str(path), "--workers", "2",
                                                                  "--format", "json")
    assert one.returncode == two.returncode == 1 and one.stdout == two.stdout  # blank nodes print stably too
    assert '"focus": "(blank node)"' in one.stdout


def test_records_under_several_bases_are_nobodys(tmp_path):
    path = tmp_path / "mixed.ttl"
    path.write_text("""@prefix schema: <http://schema.org/> .
<http://one.example/film/x> a schema:Movie .
<http://two.example/film/y> a schema:Movie ; schema:name "Y"@en .
""", encoding="utf-8")
    report = lod.validate(lod.read_graph(path))
    assert [(r.record, r.focus) for r in report.violations] == [(None, "http://one.example/film/x")]


def test_unreadable_shapes_are_could_not_validate(tmp_path):
    (tmp_path / "core.ttl").write_bytes(b"\xff\xfe\x00 not utf-8")
    done = cli("validate", "--shapes", str(tmp_path))
    assert done.returncode == 2 and "could not validate" in done.stderr


def test_shapes_that_would_reach_the_network_or_run_rules_are_refused(tmp_path):
    service = tmp_path / "service"
    service.mkdir()
    (service / "core.ttl").write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:s> a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ;
  sh:select "SELECT ?this WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?this ?p ?o } }" ] .
""", encoding="utf-8")
    from test_network import GUARD
    code = GUARD + f"""
import lod
from lod.validation import ValidationRunError
try:
    lod.validate(lod.load_catalogue(lod.example_path()), shapes_dir={str(service)!r})
except ValidationRunError as exc:
    print("refused:", exc)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and "refused" in out.stdout and "SERVICE" in out.stdout, out.stdout + out.stderr
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "core.ttl").write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix schema: <http://schema.org/> .
<urn:s> a sh:NodeShape ; sh:targetClass schema:Movie ;
  sh:rule [ a sh:TripleRule ; sh:subject sh:this ; sh:predicate schema:image ; sh:object <urn:x> ] .
""", encoding="utf-8")
    graph = lod.to_graph(lod.load_catalogue(lod.example_path()))
    before = len(graph)
    with pytest.raises(ValidationRunError, match="rules"):
        lod.validate(graph, shapes_dir=rules)
    assert len(graph) == before


def test_a_qid_among_other_links_satisfies_the_wikidata_profile():
    cat = lod.Catalogue(people=[{"id": "p", "names": {"en": "P"}, "qid": "Q42",
                                 "same_as": ["https://viaf.org/viaf/113230702"]}])
    assert lod.validate(cat, profiles=("wikidata",)).conforms


def test_wikidata_pages_are_refused_in_same_as():
    with pytest.raises(lod.BadQID):
        lod.Person(id="p", names={"en": "P"}, same_as=["https://www.wikidata.org/wiki/Q42"])


@pytest.mark.parametrize("starts,ends,flagged", [
    ("2024-06-01T10:00:00+05:00", "2024-06-01T06:00:00+00:00", False),  # one hour later, other time zone
    ("2024-06-01", "2023", True), ("2024-06-01", "2024-01", True), ("2024-06-01", "2024-05-31", True),
    ("2024", "2024-03-01", False), ("2024-06", "2024-06-30", False), ("2024-06-01", "--05-16", False)])
def test_window_ends_before_it_starts(starts, ends, flagged):
    cat = lod.Catalogue(organizations=[{"id": "o", "names": {"en": "O"}}],
                        films=[{"id": "f", "titles": {"en": "F"},
                                "availability": [{"platform": "o", "starts": starts, "ends": ends}]}])
    violations = lod.validate(cat).violations
    assert bool(violations) == flagged, violations


@pytest.mark.parametrize("kind,type_", [("place", S.City), ("work", S.Book), ("festival-section", None)])
def test_names_are_checked_on_every_named_record(kind, type_):
    cat = lod.Catalogue(places=[{"id": "x", "names": {"en": "Almaty"}, "place_type": "city"}],
                        works=[{"id": "x2", "names": {"en": "Looking for Lenin"}, "work_type": "book"}],
                        festivals=[{"id": "fe", "names": {"en": "F"}}],
                        festival_editions=[{"id": "e", "festival": "fe", "names": {"en": "F 2024"}}],
                        festival_sections=[{"id": "x3", "edition": "e", "names": {"en": "Competition"}}])
    rid = {"place": "x", "work": "x2", "festival-section": "x3"}[kind]
    g = lod.to_graph(cat)
    node = URIRef(f"{ID}{kind}/{rid}")
    g.set((node, S.name, Literal("untagged")))
    (result,) = lod.validate(g).violations
    assert (result.record, result.field) == (rid, "names")


@pytest.mark.parametrize("validate", [True, False])
def test_keep_going_keeps_the_catalogue_block_when_its_publisher_goes(tmp_path, validate):
    import json

    from lod.pipeline import export

    source = tmp_path / "c.json"
    source.write_text(json.dumps({"info": {"id": "c", "names": {"en": "C"}, "publisher": "o"},
                                  "organizations": [{"id": "o", "names": {"en": ""}}],
                                  "films": [{"id": "f", "titles": {"en": "F"}}]}), encoding="utf-8")
    summary = export(source, tmp_path / "out.nt", keep_going=True, validate=validate, quiet=True)
    assert summary.published and summary.written == 1 and not summary.complete
    text = (tmp_path / "out.nt").read_text(encoding="utf-8")
    assert "/film/f>" in text and "/catalogue/c>" in text
    # with validation the block is written again without the reference; without, it stays and is reported
    assert ("/organization/o>" in text) is (not validate)
    assert len(summary.problems) == 2 and "field 'publisher': refers to 'o', which was left out" in summary.problems[1]


def test_batched_report_graph_has_one_report_that_agrees():
    report = lod.validate(lod.load_catalogue(lod.example_path()), profiles="archive", batch_size=1)
    (node,) = list(report.graph.subjects(RDF.type, SH.ValidationReport))
    # the graph states SHACL's verdict (any result fails it); lod's own (no violation) is report.conforms
    assert report.graph.value(node, SH.conforms) == Literal(report.shacl_conforms) == Literal(not report.results)
    assert report.conforms and not report.shacl_conforms  # the example: archive warnings, no violation
    assert len(list(report.graph.objects(node, SH.result))) == len(report.results)


def test_clear_errors_for_wrong_arguments():
    with pytest.raises(lod.InputError):
        lod.validate("catalogue.yaml")  # type: ignore[arg-type]
    with pytest.raises(lod.InputError):
        lod.validate(lod.to_graph(lod.Catalogue()), batch_size=10)
