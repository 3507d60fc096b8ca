"""Batched, parallel validation finds exactly what whole-graph pyshacl finds."""

from __future__ import annotations

import json

import pytest

import lod
from lod.synthetic import synthetic_data
from lod.validation import PROFILES, validate


def keys(report):
    return sorted((r.severity, r.record or "", r.field or "", r.value or "", r.message, r.focus, r.path or "")
                  for r in report.results)


@pytest.mark.parametrize("profile", PROFILES)
def test_seed_batched_equals_whole_graph(seed, profile):
    whole = validate(seed, profiles=(profile,), engine="pyshacl")  # the reference, on the whole graph
    for batch_size, workers, engine in ((1, 1, "pyshacl"), (7, 1, "fast"), (5, 2, "fast"), (5, 2, "pyshacl")):
        batched = validate(seed, profiles=(profile,), batch_size=batch_size, workers=workers, engine=engine)
        assert keys(batched) == keys(whole), (profile, batch_size, workers, engine)
        assert batched.conforms == whole.conforms


@pytest.fixture(scope="module")
def flawed() -> lod.Catalogue:
    data = synthetic_data(150, seed=3)
    for film in data["films"]:
        if int(film["id"].removeprefix("film-")) % 11 == 0:
            film["availability"] = [{"platform": "platform", "starts": "2024-06-01", "ends": "2024-01-01"}]
    for interview in data["interviews"][::2]:
        interview.pop("publisher", None)
        interview["interviewers"] = []
    return lod.Catalogue(**data)


def test_flawed_synthetic_batched_equals_whole_graph(flawed):
    profiles = ("core", "web", "wikidata", "archive")
    whole = validate(flawed, profiles=profiles, engine="pyshacl")
    assert len(whole.violations) > 100  # the comparison compares something
    batched = validate(flawed, profiles=profiles, batch_size=40, workers=2)
    assert keys(batched) == keys(whole)
    assert keys(validate(flawed, profiles=profiles)) == keys(whole)  # the default engine, whole graph
    assert {r.record for r in whole.violations if "ends before" in r.message} == {
        f"film-{i}" for i in range(0, 150, 11)}


def test_cli_workers_give_the_same_report(tmp_path, flawed):
    import subprocess
    import sys
    path = lod.dump(flawed, tmp_path / "flawed.ttl")
    one = subprocess.run([sys.executable, "-m", "lod.cli", "validate", str(path), "--format", "json"],
                         capture_output=True, text=True)
    two = subprocess.run([sys.executable, "-m", "lod.cli", "validate", str(path), "--format", "json",
                          "--workers", "2", "--batch-size", "30"], capture_output=True, text=True)
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout


def test_every_path_runs_the_one_batch_validator(tmp_path, flawed, monkeypatch):
    """``lod.validate`` (whole, in batches, with workers), ``lod validate`` on JSON Lines and the streaming
    export all give pyshacl's results on the rdflib graph, and all go through ``BatchValidator.check``."""
    from lod import stream
    from lod.validation import BatchValidator

    profiles = ("core", "web")
    reference = validate(lod.to_graph(flawed), profiles=profiles, engine="pyshacl")  # pyshacl on rdflib's graph
    assert len(reference.violations) > 50
    calls: list[int] = []
    real = BatchValidator.check

    def counted(self, triples, own=None, **kw):
        calls.append(0 if own is None else len(own))
        return real(self, triples, own, **kw)

    monkeypatch.setattr(BatchValidator, "check", counted)
    source = tmp_path / "flawed.jsonl"
    stream.write_jsonl(json.loads(json.dumps(flawed.model_dump(mode="json", exclude_defaults=True))), source)
    found = {
        "whole": validate(flawed, profiles=profiles),
        "whole pyshacl": validate(flawed, profiles=profiles, engine="pyshacl"),
        "batches": validate(flawed, profiles=profiles, batch_size=13),
        "file": stream.validate_file(source, profiles, batch_size=13, quiet=True),
    }
    summary = stream.export(source, tmp_path / "out", ["nt"], profiles=profiles, batch_size=13, keep_going=True,
                            quiet=True)
    records = len(flawed)
    # whole: one call each; batches: ceil(records / 13) calls; the file and the export: as many again
    batches = -(-records // 13)
    assert calls.count(0) == 2 and len(calls) == 2 + 3 * batches, calls
    for name, report in found.items():
        assert keys(report) == keys(reference), name
    assert sorted(map(str, summary.results)) == sorted(map(str, reference.results))
    monkeypatch.undo()
    assert keys(validate(flawed, profiles=profiles, batch_size=13, workers=2, engine="pyshacl")) == keys(reference)


def test_partial_subjects_are_those_of_other_records():
    """``BatchValidator._partial`` (record_id inlined) names the same subjects as asking ``record_id`` of each:
    other records' nodes, nested nodes of other records, IRIs outside the base, blank nodes, not the catalogue
    block and not the batch's own records or their nested nodes."""
    from lod.shacl import Blank
    from lod.validation import BatchValidator

    base = "https://example.org/"
    checker = BatchValidator(("core",), base)
    subjects = [f"{base}film/a", f"{base}film/a#credit-1", f"{base}person/b", f"{base}person/b#x", f"{base}info",
                f"{base}nokind", "https://other.example/film/a", Blank("b0"), f"{base}film/", f"{base}film/c"]
    own = {"a", "c"}
    info = f"{base}info"
    by_call = {s for s in subjects if s != info and checker.record_id(s) not in own}
    assert checker._partial(subjects, own, info) == by_call
    assert by_call == {f"{base}person/b", f"{base}person/b#x", f"{base}nokind", "https://other.example/film/a",
                       Blank("b0"), f"{base}film/"}
    assert BatchValidator(("core",), None)._partial(subjects, own, info) == set(subjects) - {info}


def test_remember_reads_the_run_of_the_records_own_node():
    """``BatchValidator.remember`` stops where the run of the record's own node ends in grouped triples; what it
    keeps equals a look at every triple of the record (its own node's triples with a context predicate)."""
    from lod.io import grouped
    from lod.mapping import FastMapper
    from lod.validation import BatchValidator

    base = "https://example.org/"
    cat = lod.Catalogue.model_validate(synthetic_data(200))
    checker = BatchValidator(("core",), base)
    mapper = FastMapper(cat, base)
    keep = checker.context_predicates
    checked = 0
    for rec in cat.records():
        iri = f"{base}{rec.kind}/{rec.id}"
        triples = grouped(mapper.record_list(rec))
        every: dict[str, list] = {}
        for s, p, o in triples:  # every triple looked at
            if s == iri and p in keep:
                every.setdefault(p, []).append(o)
        found = checker.remember(iri, triples) or {}
        assert {p: len(v) for p, v in found.items()} == {p: len(v) for p, v in every.items()}, rec.id
        assert all(set(found[p]) == set(v) for p, v in every.items() if not any("#" in str(o) for o in v)), rec.id
        checked += bool(every)
    assert checked > 100
