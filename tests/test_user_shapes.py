"""Anyone's shapes, not only lod's profiles: ``lod validate DATA --shapes FILE…`` and ``lod.validate(…, shapes=…)``.

An archive keeps its own application profile; lod validates a catalogue, or an export of one, against
it with the compiled engine, with the reports and exit codes of the profiles, and the results pyshacl
gives on the same graph.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SH

import lod
from lod.synthetic import synthetic_catalogue
from lod.validation import run_shacl

ARCHIVE_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix schema: <http://schema.org/> .
@prefix lod: <https://w3id.org/lod-film/vocab#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix ex: <https://archive.example/profile#> .
ex:Film a sh:NodeShape ; sh:targetClass schema:Movie ;
  sh:property [ sh:path schema:name ; sh:minCount 1 ; sh:maxLength 13 ; sh:uniqueLang true ] ;
  sh:property [ sh:path schema:dateCreated ; sh:maxCount 1 ] ;
  sh:property [ sh:path ( schema:actor lod:position ) ; sh:maxInclusive 2 ] ;
  sh:property [ sh:path ( schema:director [ sh:zeroOrMorePath schema:knows ] ) ; sh:nodeKind sh:IRI ] .
ex:Person a sh:NodeShape ; sh:targetClass schema:Person ;
  sh:property [ sh:path schema:name ; sh:languageIn ( "en" ) ; sh:severity sh:Warning ] .
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lod.cli", *args], capture_output=True, text=True)


def _keys(results: Graph) -> Counter:
    return Counter((r_focus, results.value(r, SH.resultPath), results.value(r, SH.value),
                    results.value(r, SH.sourceConstraintComponent), results.value(r, SH.resultSeverity))
                   for r in results.objects(None, SH.result) for r_focus in [results.value(r, SH.focusNode)])


def test_a_graph_against_users_shapes_gives_pyshacls_results(tmp_path):
    cat = synthetic_catalogue(40)
    shapes = Graph().parse(data=ARCHIVE_SHAPES, format="turtle")
    graph = lod.parse(lod.dumps(cat, format="nt"), "nt")
    report = lod.validate(graph, shapes=shapes)
    assert report.profiles == ("shapes graph",)
    reference = run_shacl(graph, shapes)
    assert _keys(report.graph) == _keys(reference)
    assert report.results, "the synthetic catalogue breaks some of these shapes"
    # the same shapes from a file give the same report, and a catalogue is mapped and named by record
    path = tmp_path / "archive.ttl"
    path.write_text(ARCHIVE_SHAPES, encoding="utf-8")
    from_file = lod.validate(graph, shapes=path)
    assert from_file.profiles == ("archive.ttl",)
    assert [(r.severity, r.focus, r.value) for r in from_file.results] == [
        (r.severity, r.focus, r.value) for r in report.results]
    on_catalogue = lod.validate(cat, shapes=[path])
    assert {(r.focus, r.value) for r in on_catalogue.results} == {(r.focus, r.value) for r in report.results}
    assert all(r.record for r in on_catalogue.results)


def test_profiles_and_users_shapes_together():
    cat = synthetic_catalogue(10)
    shapes = Graph().parse(data=ARCHIVE_SHAPES, format="turtle")
    both = lod.validate(cat, profiles="core", shapes=shapes)
    core = lod.validate(cat, profiles="core")
    own = lod.validate(cat, shapes=shapes)
    assert both.profiles == ("core", "shapes graph")
    assert Counter(both.results) == Counter(core.results) + Counter(own.results)


def test_the_cli_validates_an_export_against_an_archives_shapes(tmp_path):
    cat = synthetic_catalogue(30)
    data = tmp_path / "export.nt"
    lod.dump(cat, data, format="nt")
    shapes = tmp_path / "archive.ttl"
    shapes.write_text(ARCHIVE_SHAPES, encoding="utf-8")
    out = run("validate", str(data), "--shapes", str(shapes), "--format", "json")
    report = json.loads(out.stdout)
    expected = lod.validate(lod.read_graph(data), shapes=shapes)
    assert report["profiles"] == ["archive.ttl"]
    assert report["violations"] == len(expected.violations) > 0
    assert report["warnings"] == len(expected.warnings)
    assert report["shacl_conforms"] is False
    assert out.returncode == 1, out.stderr
    # shapes it satisfies: exit 0; the same shapes as JSON-LD (inline context) read the same way
    fine = tmp_path / "fine.jsonld"
    fine.write_text(json.dumps({
        "@context": {"sh": "http://www.w3.org/ns/shacl#", "schema": "http://schema.org/"},
        "@id": "https://archive.example/profile#Named", "@type": "sh:NodeShape",
        "sh:targetClass": {"@id": "schema:Movie"},
        "sh:property": {"sh:path": {"@id": "schema:name"}, "sh:minCount": 1}}), encoding="utf-8")
    ok = run("validate", str(data), "--shapes", str(fine))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("conforms to fine.jsonld")


def test_shapes_files_that_cannot_be_used_exit_2_in_the_users_words(tmp_path):
    data = tmp_path / "export.nt"
    lod.dump(synthetic_catalogue(3), data, format="nt")
    missing = run("validate", str(data), "--shapes", str(tmp_path / "nope.ttl"))
    assert missing.returncode == 2 and "nope.ttl" in missing.stderr and "no such shapes file" in missing.stderr
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n<a b> sh:minCount 1 .\n", encoding="utf-8")
    out = run("validate", str(data), "--shapes", str(broken))
    assert out.returncode == 2 and "broken.ttl" in out.stderr and "Traceback" not in out.stderr
    remote = tmp_path / "remote.jsonld"  # a remote @context is never fetched
    remote.write_text(json.dumps({"@context": "http://127.0.0.1:9/context.jsonld", "@id": "http://x/s"}),
                      encoding="utf-8")
    out = run("validate", str(data), "--shapes", str(remote))
    assert out.returncode == 2 and "remote JSON-LD context" in out.stderr
    service = tmp_path / "service.ttl"
    service.write_text('@prefix sh: <http://www.w3.org/ns/shacl#> .\n<http://x/S> sh:targetNode <http://x/a> ; '
                       'sh:sparql [ sh:select "SELECT $this WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }" ] .\n',
                       encoding="utf-8")
    out = run("validate", str(data), "--shapes", str(service))
    assert out.returncode == 2 and "SERVICE" in out.stderr


def test_a_json_lines_catalogue_against_users_shapes(tmp_path):
    cat = synthetic_catalogue(25)
    source = tmp_path / "cat.jsonl"
    from lod.stream import write_jsonl

    write_jsonl(cat.model_dump(mode="json", exclude_defaults=True), source)
    shapes = tmp_path / "archive.ttl"
    shapes.write_text(ARCHIVE_SHAPES, encoding="utf-8")
    out = run("validate", str(source), "--shapes", str(shapes), "--format", "json")
    report = json.loads(out.stdout)
    expected = lod.validate(cat, shapes=shapes)
    assert report["profiles"] == ["archive.ttl"]
    assert (report["violations"], report["warnings"]) == (len(expected.violations), len(expected.warnings))
    assert {(r["record"], r["value"]) for r in report["results"]} == {(r.record, r.value) for r in expected.results}



def test_lods_verdict_and_shacls_verdict_are_both_given():
    """W3C core misc/severity-001: a graph with only warnings does not conform by SHACL; lod's verdict
    (no violation) passes it, and says the difference."""
    shapes = Graph().parse(data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix schema: <http://schema.org/> .
    <https://archive.example/W> sh:targetClass schema:Movie ;
      sh:property [ sh:path schema:name ; sh:maxLength 3 ; sh:severity sh:Warning ] .""", format="turtle")
    report = lod.validate(synthetic_catalogue(3), shapes=shapes)
    assert report.warnings and not report.violations
    assert report.conforms is True and report.shacl_conforms is False
    assert next(report.graph.objects(None, SH.conforms)).toPython() is False
    assert json.loads(report.json())["shacl_conforms"] is False
    assert "by SHACL's own" in report.text().splitlines()[0]
    assert lod.validate(synthetic_catalogue(3)).shacl_conforms is True


def test_an_rdf_file_is_validated_straight_from_the_file_with_the_same_results(tmp_path):
    cat = lod.load_catalogue(lod.example_path())
    for fmt, name in (("nt", "ex.nt"), ("turtle", "ex.ttl")):
        path = tmp_path / name
        lod.dump(cat, path, format=fmt)
        from_file = lod.validate(path, profiles="web,wikidata")
        from_graph = lod.validate(lod.read_graph(path), profiles="web,wikidata")
        assert from_file.results == from_graph.results and from_file.violations, fmt
    bad = tmp_path / "bad.nt"
    bad.write_text("<http://x/a> <http://x/b> <http://x/c d> .\n", encoding="utf-8")
    try:
        lod.validate(bad)
    except lod.errors.RdfError as exc:
        assert "bad.nt" in str(exc) and "line 1" in str(exc)
    else:
        raise AssertionError("an invalid IRI must be refused")


def test_a_shacl_sparql_shape_is_run_by_pyshacl_and_the_report_says_so(tmp_path):
    data = tmp_path / "export.nt"
    lod.dump(synthetic_catalogue(3), data, format="nt")
    shapes = tmp_path / "sparql.ttl"
    shapes.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix schema: <http://schema.org/> .
    <https://archive.example/NoDrama> sh:targetClass schema:Movie ;
      sh:sparql [ sh:message "no drama" ; sh:select "SELECT $this WHERE { $this <http://schema.org/genre> 'drama' }" ] .
    """, encoding="utf-8")
    out = run("validate", str(data), "--shapes", str(shapes), "--format", "json")
    report = json.loads(out.stdout)
    assert out.returncode == 1 and report["violations"] >= 1
    assert {r["message"] for r in report["results"]} == {"no drama"}
    assert report["by_pyshacl"] and "SHACL-SPARQL" in report["by_pyshacl"][0]
    text = run("validate", str(data), "--shapes", str(shapes)).stdout
    assert "NOTE: validated by pyshacl, not compiled: https://archive.example/NoDrama" in text


INVERSE = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix schema: <http://schema.org/> .
<https://archive.example/DirectorOf> sh:targetObjectsOf schema:director ;
  sh:property [ sh:path [ sh:inversePath schema:director ] ; sh:maxCount 1 ; sh:message "directs more than one film" ] .
"""


def test_shapes_that_read_other_records_are_not_checked_in_batches(tmp_path):
    """Targets found from the object side and inverse paths see triples in other records' batches: batched paths
    refuse them in words (exit 2), and the whole catalogue gives the result."""
    cat = synthetic_catalogue(20)
    shapes = tmp_path / "inverse.ttl"
    shapes.write_text(INVERSE, encoding="utf-8")
    whole = lod.validate(cat, shapes=shapes)
    assert {r.message for r in whole.violations} == {"directs more than one film"}
    try:
        lod.validate(cat, shapes=shapes, batch_size=5)
    except lod.errors.ValidationRunError as exc:
        assert "could not validate in batches" in str(exc) and "targetObjectsOf" in str(exc)
    else:
        raise AssertionError("batches must not drop the results")
    source = tmp_path / "cat.jsonl"
    from lod.stream import write_jsonl

    write_jsonl(cat.model_dump(mode="json", exclude_defaults=True), source)
    out = run("validate", str(source), "--shapes", str(shapes))
    assert out.returncode == 2 and "could not validate in batches" in out.stderr and "Traceback" not in out.stderr
    data = tmp_path / "export.nt"
    lod.dump(cat, data, format="nt")
    out = run("validate", str(data), "--shapes", str(shapes), "--format", "json")
    assert out.returncode == 1 and json.loads(out.stdout)["violations"] == len(whole.violations)


def test_the_data_comes_before_the_shapes_and_a_file_without_shapes_is_refused(tmp_path):
    data = tmp_path / "export.nt"
    lod.dump(synthetic_catalogue(3), data, format="nt")
    shapes = tmp_path / "inverse.ttl"
    shapes.write_text(INVERSE, encoding="utf-8")
    swallowed = run("validate", "--shapes", str(shapes), str(data))  # --shapes takes both files
    assert swallowed.returncode == 1 and "name the data before the shapes" in swallowed.stderr
    assert run("validate", "--shapes", str(shapes), "--", str(data)).returncode == 1  # the data named after --
    not_shapes = run("validate", str(data), "--shapes", str(data))
    assert not_shapes.returncode == 2 and "holds no SHACL shapes" in not_shapes.stderr


def test_a_catalogue_json_is_not_read_as_json_ld_and_https_schema_reads_as_lods(tmp_path):
    cat = synthetic_catalogue(5)
    catalogue = tmp_path / "cat.json"
    catalogue.write_text(json.dumps(cat.model_dump(mode="json", exclude_defaults=True)), encoding="utf-8")
    try:
        lod.validate(catalogue)
    except lod.errors.BadValue as exc:
        assert "load it with lod.load_catalogue" in str(exc)
    else:
        raise AssertionError("a catalogue file must not be validated as an empty JSON-LD graph")
    https = tmp_path / "https.nt"
    https.write_text(lod.dumps(lod.load_catalogue(lod.example_path()), format="nt")
                     .replace("<http://schema.org/", "<https://schema.org/"), encoding="utf-8")
    from_file = lod.validate(https, profiles="core,web")
    assert from_file.results == lod.validate(lod.read_graph(https), profiles="core,web").results
    assert from_file.violations


def test_lods_profiles_beside_users_shapes_still_validate_in_batches():
    """archive uses sh:targetObjectsOf within a record: only the users' own shapes decide whether batches are exact."""
    cat = synthetic_catalogue(12)
    shapes = Graph().parse(data=ARCHIVE_SHAPES, format="turtle")
    batched = lod.validate(cat, profiles="archive", shapes=shapes, batch_size=5)
    whole = lod.validate(cat, profiles="archive", shapes=shapes)
    assert Counter(batched.results) == Counter(whole.results) and whole.results
