"""SHACL validation: every core constraint can fail, and names the record, field and severity."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

import lod
from lod.validation import ValidationRunError

S = Namespace("http://schema.org/")
L = Namespace("https://w3id.org/lod-film/vocab#")
ID = "https://example.org/id/"


def iri(kind: str, rid: str) -> URIRef:
    return URIRef(f"{ID}{kind}/{rid}")


FILM, PERSON, ORG = iri("film", "f"), iri("person", "p"), iri("organization", "o")
INTERVIEW, OUTCOME, SCREENING = iri("interview", "i"), iri("award-outcome", "won"), iri("screening", "s")


@pytest.fixture(scope="module")
def small() -> lod.Catalogue:
    return lod.Catalogue(
        people=[{"id": "p", "names": {"en": "Madina Akylbek"}, "alternate_names": {"ru": "Мадина"}}],
        organizations=[{"id": "o", "names": {"en": "Klassiki"}}],
        films=[{"id": "f", "titles": [{"text": "Madina", "lang": "en", "kind": "original"}], "date_created": 2023,
                "qid": "Q1", "cast": [{"person": "p", "character": "Madina"}],
                "crew": [{"person": "p", "role": "editor"}],
                "availability": [{"platform": "o", "starts": "2024-04-01", "ends": "--05-16"}]}],
        interviews=[{"id": "i", "headlines": {"en": "H"}, "publisher": "o", "interviewees": ["p"]}],
        awards=[{"id": "a", "names": {"en": "Grand Prize"}}],
        award_outcomes=[{"id": "won", "award": "a", "status": "won", "recipients": ["f"], "for_work": "f"}],
        screenings=[{"id": "s", "film": "f", "start_date": "2024-04-20"}],
    )


def graph_of(cat):
    return lod.parse(lod.dumps(cat, format="nt"), "nt")


def test_conforming_fixture_and_seed_conform(small, seed):
    assert lod.validate(small).conforms
    report = lod.validate(seed)
    assert report.conforms and report.results == []


def role(g, pred):
    return next(iter(g.objects(FILM, pred)))


def access(g):
    return next(o for o in g.subjects(RDF.type, S.ActionAccessSpecification))


MUTATIONS = {
    "film without title": (lambda g: [g.remove((FILM, p, None)) for p in (S.name, L.originalTitle)],
                           "f", "titles", "at least one title"),
    "untagged title": (lambda g: g.add((FILM, S.name, Literal("Madina plain"))), "f", "titles", "language tag"),
    "cast is an organisation": (lambda g: g.add((FILM, S.actor, ORG)), "f", "cast", "cast entry"),
    "role with two actors": (lambda g: g.add((role(g, S.actor), S.actor, ORG)), "f", "cast", "cast entry"),
    "crew role without role name": (lambda g: g.remove((role(g, S.contributor), S.roleName, None)), "f", "crew",
                                    "crew entry"),
    "person without name": (lambda g: g.remove((PERSON, S.name, None)), "p", "names", "name is required"),
    "untagged name": (lambda g: g.add((ORG, S.name, Literal("Klassiki plain"))), "o", "names", "language tag"),
    "untagged alternate name": (lambda g: g.add((PERSON, S.alternateName, Literal("M"))), "p", "alternate_names",
                                "alternate name"),
    "date typed as string": (lambda g: g.set((FILM, S.dateCreated, Literal("2023"))), "f", "date_created",
                             "dateCreated must be one date"),
    "two creation dates": (lambda g: g.add((FILM, S.dateCreated, Literal("2022", datatype=XSD.gYear))), "f",
                           "date_created", "dateCreated must be one date"),
    "wikidata page instead of entity": (
        lambda g: g.add((FILM, S.sameAs, URIRef("https://www.wikidata.org/wiki/Q1"))), "f", "same_as", "Wikidata link"),
    "interview without interviewer or publisher": (lambda g: g.remove((INTERVIEW, S.publisher, None)), "i",
                                                   "interviewers",
                                                   "interviewer (author) or a publisher"),
    "interview without subject": (lambda g: g.remove((INTERVIEW, S.about, None)), "i", "about", "subject"),
    "interview without headline": (lambda g: g.remove((INTERVIEW, S.headline, None)), "i", "headlines", "headline"),
    "outcome without award": (lambda g: g.remove((OUTCOME, L.award, None)), "won", "award", "exactly one award"),
    "outcome award of the wrong type": (lambda g: g.set((OUTCOME, L.award, FILM)), "won", "award", "exactly one award"),
    "outcome without recipient": (lambda g: g.remove((OUTCOME, L.recipient, None)), "won", "recipients", "recipient"),
    "outcome without status": (lambda g: g.remove((OUTCOME, L.outcomeStatus, None)), "won", "status", "won, or only"),
    "outcome with another status": (lambda g: g.set((OUTCOME, L.outcomeStatus, L.Withdrawn)), "won", "status",
                                    "won, or only"),
    "award for a person": (lambda g: g.set((OUTCOME, L.forWork, PERSON)), "won", "for_work", "must be a film"),
    "screening without film": (lambda g: g.remove((SCREENING, S.workPresented, None)), "s", "film", "point to the film"),
    "screening of a person": (lambda g: g.set((SCREENING, S.workPresented, PERSON)), "s", "film", "must be a film"),
    "window ends before it starts": (lambda g: g.set((access(g), S.availabilityEnds,
                                                      Literal("2024-03-01", datatype=XSD.date))),
                                     "f", "availability.ends", "ends before it starts"),
    "bad start date type": (lambda g: g.set((SCREENING, S.startDate, Literal("April"))), "s", "start_date",
                            "startDate must be one date"),
    "window start typed as string": (lambda g: g.set((access(g), S.availabilityStarts, Literal("spring"))), "f",
                                     "availability.starts", "availabilityStarts must be one date"),
    "window end typed as string": (lambda g: g.set((access(g), S.availabilityEnds, Literal("May"))), "f",
                                   "availability.ends", "availabilityEnds must be one date"),
    "untagged headline": (lambda g: g.set((INTERVIEW, S.headline, Literal("H"))), "i", "headlines", "headline"),
    "crew role with two people": (lambda g: g.add((role(g, S.contributor), S.contributor, ORG)), "f", "crew",
                                  "crew entry"),
}


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_each_core_constraint_reports_record_field_and_severity(small, name):
    mutate, record, field, message = MUTATIONS[name]
    g = graph_of(small)
    mutate(g)
    report = lod.validate(g)
    assert not report.conforms
    assert len(report.violations) == 1, report.text()
    (result,) = report.violations
    assert (result.severity, result.record, result.field) == ("violation", record, field), report.text()
    assert message in result.message
    assert "shapes#" not in result.message  # written for a person, not a shape IRI


def test_window_from_records_names_the_list_position(small):
    films = [small.films[0].model_copy(update={"availability": (
        lod.StreamingWindow(platform="o", starts="2024-04-01", ends="2024-06-01"),
        lod.StreamingWindow(platform="o", starts="2024-09-01", ends="2024-08-01"))})]
    cat = lod.Catalogue(**{**{n: getattr(small, n) for n in lod.model.LISTS}, "films": films})
    (result,) = lod.validate(cat).violations
    assert (result.record, result.field) == ("f", "availability[1].ends")


@pytest.mark.parametrize("pred,field,record", [
    (S.datePublished, "date_published", "f"), (S.birthDate, "birth_date", "p"), (S.deathDate, "death_date", "p"),
    (S.endDate, "end_date", "s"), (L.pointInTime, "date", "won")])
def test_every_date_property_is_typed(small, pred, field, record):
    g = graph_of(small)
    g.add((iri({"f": "film", "p": "person", "s": "screening", "won": "award-outcome"}[record], record), pred,
           Literal("sometime")))
    (result,) = lod.validate(g).violations
    assert (result.record, result.field) == (record, field)


@pytest.mark.parametrize("pred,field,record", [
    (S.dateCreated, "date_created", "f"), (S.datePublished, "date_published", "f"),
    (S.birthDate, "birth_date", "p"), (S.deathDate, "death_date", "p"), (S.startDate, "start_date", "s"),
    (S.endDate, "end_date", "s"), (L.pointInTime, "date", "won")])
def test_every_date_property_is_single_valued(small, pred, field, record):
    g = graph_of(small)
    subject = iri({"f": "film", "p": "person", "s": "screening", "won": "award-outcome"}[record], record)
    g.add((subject, pred, Literal("2001", datatype=XSD.gYear)))
    g.add((subject, pred, Literal("2002", datatype=XSD.gYear)))
    (result,) = lod.validate(g).violations
    assert (result.record, result.field) == (record, field) and "must be one date" in result.message


def test_inference_is_off_unless_asked_and_never_changes_the_input(small):
    g = graph_of(small)
    g.add((S.Movie, URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf"), S.CreativeWork))
    before = set(g)
    assert lod.validate(g).conforms
    assert set(g) == before  # no inference: nothing added
    assert lod.validate(g, inference="rdfs").conforms
    assert set(g) == before  # inference works on a copy: the caller's graph is unchanged
    with pytest.raises(lod.InputError, match="inference"):
        lod.validate(g, inference="magic")
    g.remove((INTERVIEW, S.publisher, None))  # and later validations are not affected by it
    assert len(lod.validate(g).violations) == 1


def test_report_text_json_and_raw_graph(small):
    g = graph_of(small)
    g.remove((INTERVIEW, S.publisher, None))
    report = lod.validate(g)
    data = json.loads(report.json())
    assert data["conforms"] is False and data["violations"] == 1
    assert data["results"][0]["record"] == "i"
    assert "VIOLATION: record 'i'" in report.text()
    assert len(list(report.graph.subjects(RDF.type, URIRef("http://www.w3.org/ns/shacl#ValidationResult")))) == 1


def test_broken_shapes_are_could_not_validate_not_non_conformance(small, tmp_path):
    (tmp_path / "core.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\nthis is not turtle",
                                       encoding="utf-8")
    with pytest.raises(ValidationRunError, match="could not validate"):
        lod.validate(small, shapes_dir=tmp_path)
    out = subprocess.run([sys.executable, "-m", "lod.cli", "validate", "--shapes", str(tmp_path)],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "could not validate" in out.stderr


def test_engine_failure_is_could_not_validate(small, tmp_path):
    # a SPARQL constraint SHACL forbids (VALUES) makes pyshacl fail at run time
    (tmp_path / "core.ttl").write_text("""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix schema: <http://schema.org/> .
<urn:s> a sh:NodeShape ; sh:targetClass schema:Movie ;
  sh:sparql [ sh:select "SELECT $this WHERE { VALUES ?x { 1 } $this ?p ?o }" ] .
""", encoding="utf-8")
    with pytest.raises(ValidationRunError):
        lod.validate(small, shapes_dir=tmp_path)


def test_unknown_profile_is_refused(small):
    with pytest.raises(lod.InputError, match="unknown profile"):
        lod.validate(small, profiles=("core", "nonsense"))


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "lod.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_validate_cli_exit_codes_and_json(small, tmp_path):
    good = tmp_path / "good.ttl"
    lod.dump(small, good)
    out = _cli("validate", str(good), "--format", "json")
    assert out.returncode == 0 and json.loads(out.stdout)["conforms"] is True
    g = graph_of(small)
    g.remove((SCREENING, S.workPresented, None))
    bad = tmp_path / "bad.nt"
    bad.write_text(lod.dumps(g, format="nt"), encoding="utf-8")
    out = _cli("validate", str(bad))
    assert out.returncode == 1 and "record 's' field 'film'" in out.stdout


def _batch(tmp_path: Path, bad: dict) -> Path:
    import yaml
    films = [{"id": f"f{i:03d}", "titles": {"en": f"Film {i}"},
              "availability": [{"platform": "o", "starts": "2024-01-01", "ends": "2024-06-01"}]} for i in range(100)]
    films[42].update(bad)
    path = tmp_path / "batch.yaml"
    path.write_text(yaml.safe_dump({"organizations": [{"id": "o", "names": {"en": "Klassiki"}}], "films": films}),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("bad", [
    {"availability": [{"platform": "o", "starts": "2024-06-01", "ends": "2024-01-01"}]},  # fails SHACL
    {"date_created": "2019-13"},                                                         # fails on load
])
def test_keep_going_writes_99_of_100_and_exits_1(tmp_path, bad):
    src = _batch(tmp_path, bad)
    out_file = tmp_path / "out.nt"
    refused = _cli("export", str(src), "-f", "nt", "-o", str(out_file))
    assert refused.returncode == 1 and not out_file.exists()
    kept = _cli("export", str(src), "-f", "nt", "-o", str(out_file), "--keep-going")
    assert kept.returncode == 1
    assert "f042" in kept.stderr
    films = {s for s in lod.parse(out_file.read_text(encoding="utf-8"), "nt").subjects(RDF.type, S.Movie)}
    assert len(films) == 99 and iri("film", "f042") not in films


def test_no_validate_writes_everything(tmp_path):
    src = _batch(tmp_path, {"availability": [{"platform": "o", "starts": "2024-06-01", "ends": "2024-01-01"}]})
    out_file = tmp_path / "out.nt"
    done = _cli("export", str(src), "-f", "nt", "-o", str(out_file), "--no-validate")
    assert done.returncode == 0
    assert len(set(lod.parse(out_file.read_text(encoding="utf-8"), "nt").subjects(RDF.type, S.Movie))) == 100


def test_validation_uses_no_network(small):
    from test_network import GUARD
    code = GUARD + r"""
import lod
from lod.validation import PROFILES
r = lod.validate(lod.load_catalogue(lod.example_path()), profiles=PROFILES)
print("ok", r.conforms)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
