"""Reconciliation against a local Wikidata extract: a real Oxigraph server the user runs, and a
Wikidata JSON dump file read in a stream. The extract is the one the live-API tests use
(tests/fixtures/wikidata.ttl), so the candidates can be compared with the live path's."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml

import lod
from lod.wikidata import Client, WikidataError, review_rows
from oxigraph_server import Server
from wikidata_standin import FIXTURE, REDIRECTS, StandIn

UA = "lod-tests/1.0 (tests@example.org)"
WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
SAME_AS = "\n".join(f"<{WD}{old}> <http://www.w3.org/2002/07/owl#sameAs> <{WD}{new}> ."
                    for old, new in REDIRECTS.items())  # how the Query Service models a merged item

CATALOGUE = """places:
  - {id: kz, names: {en: Kazakhstan}, place_type: country, qid: Q232}
people:
  - {id: aizhan, names: {en: Aizhan Kassymbek}, nationality: [kz]}
  - {id: aizhan-known, names: {en: A. K.}, qid: Q9001}
  - {id: madina-a, names: {en: Madina Akylbek}}
films:
  - id: madina
    titles: [{text: Madina, lang: en}, {text: Мадина, lang: ru}]
    date_created: 2023
    directors: [aizhan-known]
    countries: [kz]
"""


def dump_of(turtle: str) -> str:
    """The extract as a Wikidata JSON dump: '[', one entity a line with a comma, ']' (as dumps.wikimedia.org
    serves them), with full statements (mainsnak, datavalue, rank) and year-precision times."""
    entities: dict[str, dict] = defaultdict(lambda: {"labels": {}, "descriptions": {}, "aliases": {}, "claims": {}})
    for t in ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE):
        qid = t.subject.value.rsplit("/", 1)[1]
        e, p, o = entities[qid], t.predicate.value, t.object
        if p.endswith("#label"):
            e["labels"][o.language] = {"language": o.language, "value": o.value}
        elif p == "http://schema.org/description":
            e["descriptions"][o.language] = {"language": o.language, "value": o.value}
        elif p.endswith("#altLabel"):
            e["aliases"].setdefault(o.language, []).append({"language": o.language, "value": o.value})
        elif p.startswith(WDT):
            pid = p[len(WDT):]
            if isinstance(o, ox.NamedNode):
                value = {"value": {"entity-type": "item", "numeric-id": int(o.value.rsplit("Q", 1)[1]),
                                   "id": o.value.rsplit("/", 1)[1]}, "type": "wikibase-entityid"}
            else:  # a time: the dump writes +YYYY-00-00 at year precision
                value = {"value": {"time": "+" + o.value[:4] + "-00-00T00:00:00Z", "precision": 9, "timezone": 0,
                                   "calendarmodel": "http://www.wikidata.org/entity/Q1985727"}, "type": "time"}
            e["claims"].setdefault(pid, []).append({"mainsnak": {"snaktype": "value", "property": pid,
                                                                 "datavalue": value}, "type": "statement",
                                                    "rank": "normal"})
    lines = [json.dumps({"type": "item", "id": qid, **e}, ensure_ascii=False) for qid, e in sorted(entities.items())]
    return "[\n" + ",\n".join(lines) + "\n]\n"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("wikidata-extract")).start()
    srv.load(FIXTURE.read_text(encoding="utf-8") + "\n" + SAME_AS + "\n")
    yield srv.query_url
    srv.stop()


@pytest.fixture(scope="module")
def dump(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("dump") / "wikidata-films.json.gz"
    path.write_bytes(gzip.compress(dump_of(FIXTURE.read_text(encoding="utf-8")).encode()))
    return path


@pytest.fixture(scope="module")
def cat(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cat") / "films.yaml"
    path.write_text(CATALOGUE, encoding="utf-8")
    return path


def reconcile(cat: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lod.cli", "reconcile", str(cat), "-o", str(out), *extra],
                          capture_output=True, text=True, env={**os.environ, "LOD_WIKIDATA_API": "http://127.0.0.1:9/",
                                                               "LOD_WIKIDATA_SPARQL": "http://127.0.0.1:9/"})


def best(review: Path) -> dict[str, tuple[str, str]]:
    rows = list(csv.DictReader(io.StringIO(review.read_text(encoding="utf-8"))))
    return {r["record"]: (r["qid"], r["score"]) for r in rows if r["rank"] == "1"}


def test_reconcile_against_a_local_oxigraph_endpoint(endpoint, cat, tmp_path):
    run = reconcile(cat, tmp_path / "review.csv", "--endpoint", endpoint)
    assert run.returncode == 0, run.stderr
    top = best(tmp_path / "review.csv")
    assert top == {"aizhan": ("Q9001", "0.800"), "madina-a": ("Q9002", "0.700"), "madina": ("Q9100", "1.000")}
    rows = list(csv.DictReader(io.StringIO((tmp_path / "review.csv").read_text(encoding="utf-8"))))
    film = [r for r in rows if r["record"] == "madina"]
    assert [r["qid"] for r in film] == ["Q9100", "Q9101", "Q9003"]  # the 2023 film, the 1985 short, the city
    assert "year 2023" in film[0]["evidence"] and "same director" in film[0]["evidence"]


def test_local_endpoint_ranks_as_the_live_api_does(endpoint, tmp_path):
    """The same extract behind the live API's formats and behind a SPARQL endpoint gives the same candidates."""
    standin = StandIn()
    try:
        catalogue = lod.catalogue_from_data(yaml.safe_load(CATALOGUE))
        live = Client(UA, api_url=standin.api, sparql_url=endpoint, sleep=lambda s: None)
        local = Client.local(endpoint)
        for rid in ("aizhan", "madina-a", "madina"):
            a = [(c.qid, c.score, c.evidence) for c in live.candidates(catalogue[rid], catalogue)]
            b = [(c.qid, c.score, c.evidence) for c in local.candidates(catalogue[rid], catalogue)]
            assert a[0][:2] == b[0][:2], rid  # the same best candidate, with the same score
            facts = [e for e in b[0][2] if not e.startswith("name matches")]
            assert set(facts) <= set(a[0][2])  # the same facts (prefix search may cite more names: Мадина (фильм))
            assert {q for q, _, _ in b} <= {q for q, _, _ in a}  # exact names find a subset of the prefix search
        assert local.entities(["Q9200"])["Q9200"]["id"] == "Q9100"  # a merged item is followed
    finally:
        standin.close()


def test_reconcile_against_a_dump_file_read_in_a_stream(dump, endpoint, cat, tmp_path):
    cache = tmp_path / "cache"
    run = reconcile(cat, tmp_path / "from-dump.csv", "--dump", str(dump), "--cache", str(cache))
    assert run.returncode == 0, run.stderr
    assert "reading the Wikidata dump" in run.stderr
    assert reconcile(cat, tmp_path / "from-endpoint.csv", "--endpoint", endpoint).returncode == 0
    assert best(tmp_path / "from-dump.csv") == best(tmp_path / "from-endpoint.csv")
    assert [p.name.startswith("wikidata-dump-") for p in cache.iterdir()] == [True]
    # the index is kept: a second client does not read the dump again
    read: list[int] = []
    again = Client.from_dump(dump, index=cache, on_entity=read.append)
    assert read == [] and again.search("Aizhan Kassymbek", "en")[0]["id"] == "Q9001"


def test_the_dump_keeps_only_truthy_values(tmp_path):
    entity = {"type": "item", "id": "Q9500", "labels": {"en": {"language": "en", "value": "Greta"}},
              "claims": {"P577": [
                  {"mainsnak": {"datavalue": {"value": {"time": "+2001-00-00T00:00:00Z", "precision": 9},
                                              "type": "time"}}, "rank": "deprecated"},
                  {"mainsnak": {"datavalue": {"value": {"time": "+2002-03-00T00:00:00Z", "precision": 10},
                                              "type": "time"}}, "rank": "normal"}],
                  "P57": [{"mainsnak": {"datavalue": {"value": {"id": "Q1"}}}, "rank": "normal"},
                          {"mainsnak": {"datavalue": {"value": {"id": "Q2"}}}, "rank": "preferred"}]}}
    path = tmp_path / "d.json"
    path.write_text(json.dumps(entity) + "\n", encoding="utf-8")  # JSON Lines works as well as the '[' form
    claims = Client.from_dump(path).entities(["Q9500"])["Q9500"]["claims"]
    assert claims["P577"] == [{"mainsnak": {"datavalue": {"value": "2002-03-01T00:00:00Z"}}}]
    assert claims["P57"] == [{"mainsnak": {"datavalue": {"value": {"id": "Q2"}}}}]  # preferred rank wins


def test_a_broken_dump_line_is_named(tmp_path, cat):
    path = tmp_path / "bad.json"
    path.write_text('[\n{"type": "item", "id": "Q1", "labels": {}},\n{"type": "item", "id": \n]\n', encoding="utf-8")
    with pytest.raises(WikidataError, match=r"bad\.json, line 3: not a Wikidata entity"):
        Client.from_dump(path)
    run = reconcile(cat, tmp_path / "r.csv", "--dump", str(path), "--cache", str(tmp_path / "c"))
    assert run.returncode == 2 and "line 3" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "r.csv").exists()
    assert not any((tmp_path / "c").iterdir())  # no half-built index left behind
    missing = reconcile(cat, tmp_path / "r.csv", "--dump", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "nope.json" in missing.stderr


def test_names_cannot_change_a_local_query(endpoint):
    local = Client.local(endpoint)
    for evil in ('"} ; DROP ALL ; SELECT * { ?s ?p ?o', "back\\slash", "line\nbreak", 'Madina"@en } UNION { ?item ?p "'):
        assert local.search(evil, "en") == []
    assert local.search("Aizhan Kassymbek", "en")[0]["id"] == "Q9001"  # the store is still whole


def test_review_rows_from_a_local_endpoint_in_python(endpoint):
    catalogue = lod.catalogue_from_data(yaml.safe_load(CATALOGUE))
    rows = review_rows(Client.local(endpoint), catalogue)
    assert {r["record"] for r in rows} == {"aizhan", "madina-a", "madina"}
    assert all(r["qid"] for r in rows)  # nothing pending: the endpoint answered every record


def _dump_file(path, entities):
    path.write_text("[\n" + ",\n".join(json.dumps(e) for e in entities) + "\n]\n", encoding="utf-8")
    return path


def _item(qid, label, claims=None, **labels):
    return {"type": "item", "id": qid, "labels": {"en": {"language": "en", "value": label},
                                                  **{k.replace("_", "-"): {"language": k.replace("_", "-"), "value": v}
                                                     for k, v in labels.items()}},
            "claims": claims or {}}


def test_a_common_name_does_not_push_the_right_item_out_before_scoring(tmp_path):
    film = {"P31": [{"mainsnak": {"datavalue": {"value": {"id": "Q11424"}}}, "rank": "normal"}],
            "P577": [{"mainsnak": {"datavalue": {"value": {"time": "+2023-00-00T00:00:00Z"}}}, "rank": "normal"}]}
    entities = [_item(f"Q{100 + i}", "Madina") for i in range(8)] + [_item("Q123456789", "Madina", film),
                                                                     _item("Q11424", "film")]
    client = Client.from_dump(_dump_file(tmp_path / "many.json", entities))
    cat = lod.Catalogue(films=[{"id": "m", "titles": {"en": "Madina"}, "date_created": 2023}])
    assert client.candidates(cat["m"], cat)[0].qid == "Q123456789"  # the 2023 film, though its QID is the longest


def test_labels_are_taken_in_exactly_the_language_asked(tmp_path):
    entity = _item("Q9", "Madina", en_gb="Zzz")
    entity["descriptions"] = {"en-ca": {"language": "en-ca", "value": "Canadian"},
                              "en": {"language": "en", "value": "the film"}}
    hit = Client.from_dump(_dump_file(tmp_path / "d.json", [entity])).search("Madina", "en")[0]
    assert (hit["label"], hit["description"]) == ("Madina", "the film")


def test_a_dump_cut_off_mid_download_is_named_not_a_traceback(tmp_path, cat):
    whole = gzip.compress(dump_of(FIXTURE.read_text(encoding="utf-8")).encode())
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(WikidataError, match=r"cut\.json\.gz, line \d+: cannot read the dump"):
        Client.from_dump(cut)
    run = reconcile(cat, tmp_path / "r.csv", "--dump", str(cut), "--cache", str(tmp_path / "c"))
    assert run.returncode == 2 and "is the file complete?" in run.stderr and "Traceback" not in run.stderr
    odd = _item("Q9", "Madina")
    odd["labels"]["ab-c"] = {"language": "ab-c", "value": "x"}  # a tag pyoxigraph refuses: that name is left out
    assert Client.from_dump(_dump_file(tmp_path / "odd.json", [odd])).search("Madina", "en")[0]["id"] == "Q9"
