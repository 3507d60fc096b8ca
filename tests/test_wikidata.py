"""Reconciliation over real HTTP: a Wikidata stand-in on loopback and a real Oxigraph server for SPARQL."""

from __future__ import annotations

import email.utils
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

import lod
from lod.wikidata import Client, OfflineMiss, WikidataError, accepted, apply_qids, parse_retry_after
from oxigraph_server import Server
from wikidata_standin import FIXTURE, StandIn

UA = "lod-tests/1.0 (tests@example.org)"


@pytest.fixture(scope="module")
def standin():
    s = StandIn()
    yield s
    s.close()


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("wikidata-db")).start()
    srv.load(FIXTURE.read_text(encoding="utf-8"))
    yield srv
    srv.stop()


@pytest.fixture
def waits():
    return []


@pytest.fixture
def client(standin, oxigraph, tmp_path, waits):
    standin.faults.clear()
    standin.down = False
    return Client(UA, cache=tmp_path / "cache", api_url=standin.api, sparql_url=oxigraph.query_url,
                  sleep=waits.append, timeout=2, retries=3)


@pytest.fixture(scope="module")
def cat() -> lod.Catalogue:
    return lod.Catalogue(
        places=[{"id": "kz", "names": {"en": "Kazakhstan"}, "place_type": "country", "qid": "Q232"}],
        people=[{"id": "aizhan", "names": {"en": "Aizhan Kassymbek"}, "nationality": ["kz"]},
                {"id": "aizhan-known", "names": {"en": "A. K."}, "qid": "Q9001"}],
        films=[{"id": "madina", "titles": [{"text": "Madina", "lang": "en"}, {"text": "Мадина", "lang": "ru"}],
                "date_created": 2023, "directors": ["aizhan-known"], "countries": ["kz"]}])


def test_a_user_agent_with_contact_is_required(standin):
    for ua in ("", "lod", "python-requests/2.31"):
        with pytest.raises(WikidataError, match="User-Agent"):
            Client(ua, api_url=standin.api)


def test_film_candidates_are_ranked_with_evidence(client, cat):
    cands = client.candidates(cat["madina"], cat)
    assert cands[0].qid == "Q9100"
    assert {"year 2023", "same director", "same country"} <= set(cands[0].evidence)
    assert any(e.startswith("instance of Q11424") for e in cands[0].evidence)  # via subclass feature film
    scores = {c.qid: c.score for c in cands}
    assert scores["Q9100"] > scores["Q9101"] > scores["Q9003"]  # the 1985 short film, then the city
    assert any("not an instance of Q11424" in e for c in cands if c.qid == "Q9003" for e in c.evidence)


def test_person_candidates(client, cat):
    (best, *_) = client.candidates(cat["aizhan"], cat)
    assert best.qid == "Q9001" and "instance of Q5 (or a subclass)" in best.evidence
    assert "film occupation" in best.evidence and "same country" in best.evidence


def test_merged_items_are_followed(client, cat):
    cands = client.candidates(cat["madina"], cat)
    merged = [c for c in cands if any("Q9200 was merged into Q9100" in e for e in c.evidence)]
    assert not merged or merged[0].qid == "Q9100"
    assert client.entities(["Q9200"])["Q9200"]["id"] == "Q9100"


@pytest.mark.parametrize("header,expected", [("2.5", 2.5), ("0", 0.0), ("garbage", None)])
def test_retry_after_seconds(header, expected):
    assert parse_retry_after(header) == expected


def test_retry_after_as_http_date_is_honoured_and_capped(client, standin, waits):
    soon = email.utils.format_datetime(email.utils.localtime().replace(microsecond=0), usegmt=False)
    later = email.utils.formatdate(time.time() + 3600, usegmt=True)
    standin.faults[:] = [("retry-after", "2.5"), ("retry-after", later)]
    assert client.search("Aizhan Kassymbek", "en")[0]["id"] == "Q9001"
    assert waits[0] == 2.5 and waits[1] == client.max_wait  # an hour away: capped
    assert parse_retry_after(soon) is not None


def test_maxlag_and_503_are_retried(client, standin, waits):
    standin.faults[:] = [("maxlag", "1"), ("status", "503"), ("status", "502")]
    assert client.search("Madina Akylbek", "en")[0]["id"] == "Q9002"
    assert len(waits) == 3 and waits[0] == 1.0
    assert client.stats.retries == 3


def test_persistent_failure_is_an_error_not_no_match(client, standin):
    standin.faults[:] = [("status", "503")] * 10
    with pytest.raises(WikidataError, match="gave up"):
        client.search("Madina", "en")


def test_a_truncated_sparql_answer_is_an_error(standin, tmp_path, waits):
    c = Client(UA, api_url=standin.api, sparql_url=standin.sparql, sleep=waits.append, retries=1)
    standin.faults[:] = [("truncated", "")]
    with pytest.raises(WikidataError, match="truncated"):
        c.sparql("SELECT ?x WHERE { ?x ?p ?o }")


def test_no_answer_at_all_times_out_and_is_retried(client, standin, waits):
    standin.faults[:] = [("hang", "3")]  # longer than the client's 2 s timeout
    assert client.search("Aizhan Kassymbek", "en")[0]["id"] == "Q9001"
    assert len(waits) == 1


def test_cache_makes_reruns_free_and_offline_reads_only_the_cache(standin, oxigraph, tmp_path, cat, waits):
    cache = tmp_path / "cache"
    cold = Client(UA, cache=cache, api_url=standin.api, sparql_url=oxigraph.query_url, sleep=waits.append)
    before = len(standin.requests)
    first = cold.candidates(cat["madina"], cat)
    asked = len(standin.requests) - before
    assert asked > 0
    warm = Client(UA, cache=cache, api_url=standin.api, sparql_url=oxigraph.query_url, sleep=waits.append)
    assert warm.candidates(cat["madina"], cat) == first
    assert len(standin.requests) - before == asked  # nothing asked again
    assert warm.stats.from_cache == warm.stats.requests > 0
    offline = Client(UA, cache=cache, api_url=standin.api, sparql_url=oxigraph.query_url, offline=True)
    assert offline.candidates(cat["madina"], cat) == first
    with pytest.raises(OfflineMiss):
        offline.search("never asked", "en")


def test_losing_the_network_part_way_keeps_answers_and_resumes(standin, oxigraph, tmp_path, cat, waits):
    cache = tmp_path / "cache"
    c = Client(UA, cache=cache, api_url=standin.api, sparql_url=oxigraph.query_url, sleep=waits.append, retries=1)
    c.candidates(cat["aizhan"], cat)  # answered and cached
    standin.down = True
    try:
        with pytest.raises(WikidataError):
            c.candidates(cat["madina"], cat)
    finally:
        standin.down = False
    before = len(standin.requests)
    again = Client(UA, cache=cache, api_url=standin.api, sparql_url=oxigraph.query_url, sleep=waits.append)
    again.candidates(cat["aizhan"], cat)
    assert len(standin.requests) == before  # the first record's answers were kept
    assert again.candidates(cat["madina"], cat)[0].qid == "Q9100"


def test_user_text_cannot_change_a_query(standin, tmp_path, waits):
    c = Client(UA, api_url=standin.api, sparql_url=standin.sparql, sleep=waits.append)
    evil = '"} ; DROP ALL ; SELECT * { ?s ?p ?o'
    person = lod.Person(id="x", names={"en": evil})
    c.candidates(person, lod.Catalogue(people=[person]))
    searches = [r for r in standin.requests if r.get("action") == "wbsearchentities" and r.get("search") == evil]
    assert searches  # the name went to the search as one parameter, exactly
    queries = [r["query"] for r in standin.requests if r["path"] == "/sparql"]
    assert all("DROP" not in q for q in queries)


def test_review_file_and_apply_keep_the_yaml_comments(standin, oxigraph, tmp_path):
    src = tmp_path / "cat.yaml"
    src.write_text("""# my catalogue: comments must survive
people:
  - id: aizhan   # the director
    names: {en: Aizhan Kassymbek}
films:
  - id: madina
    titles: [{text: Madina, lang: en}]
    date_created: 2023
""", encoding="utf-8")
    review = tmp_path / "review.csv"
    env = {"LOD_WIKIDATA_API": standin.api, "LOD_WIKIDATA_SPARQL": oxigraph.query_url}
    import os
    made = subprocess.run([sys.executable, "-m", "lod.cli", "reconcile", str(src), "-o", str(review), "--user-agent",
                           UA, "--cache", str(tmp_path / "c")], capture_output=True, text=True, env={**os.environ, **env})
    assert made.returncode == 0, made.stderr
    rows = review.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("record,kind,name,rank,qid") and any(",Q9100," in r for r in rows)
    # nothing is accepted without a person (or an explicit --auto-accept that is reported)
    assert accepted(review.read_text(encoding="utf-8")) == ({}, [])
    # a person accepts the director's top candidate (the accept column is the second-last)
    marked = "\n".join(r[:-2] + ",x," if r.split(",")[0] == "aizhan" and ",1,Q9001," in r and r.endswith(",,") else r
                       for r in rows) + "\n"
    review.write_text(marked, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "lod.cli", "reconcile", str(src), "--apply", str(review),
                           "--auto-accept", "0.8"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "accepted automatically" in done.stderr and "madina -> Q9100" in done.stderr
    text = src.read_text(encoding="utf-8")
    assert "# my catalogue: comments must survive" in text and "# the director" in text
    data = yaml.safe_load(text)
    assert data["people"][0]["qid"] == "Q9001" and data["films"][0]["qid"] == "Q9100"
    assert lod.load_catalogue(src)["madina"].qid == "Q9100"


def test_quickstatements_leave_out_what_wikidata_has(client):
    from lod.statements import quickstatements
    cat = lod.Catalogue(info={"id": "c", "names": {"en": "C"}, "url": "https://example.org/source"},
                        people=[{"id": "d", "names": {"en": "Aizhan Kassymbek"}, "qid": "Q9001"}],
                        places=[{"id": "kz", "names": {"en": "Kazakhstan"}, "place_type": "country", "qid": "Q232"}],
                        films=[{"id": "f", "titles": {"en": "Madina"}, "qid": "Q9100", "directors": ["d"],
                                "countries": ["kz"], "date_created": 2023}])
    lines = quickstatements(cat, existing=client.existing_statements).lines
    assert not any(line.startswith(("Q9100\tP57\tQ9001", "Q9100\tP495\tQ232")) for line in lines)
    assert any(line.startswith("Q9100\tP571") for line in lines)  # not on Wikidata yet: kept


def test_a_merged_item_is_scored_with_its_targets_facts(client):
    film = lod.Film(id="m", titles=[{"text": "Мадина (фильм)", "lang": "ru"}], date_created=2023)
    (best, *_) = client.candidates(film, lod.Catalogue(films=[film]))
    assert best.qid == "Q9100" and "Q9200 was merged into Q9100" in best.evidence
    assert any(e.startswith("instance of Q11424") for e in best.evidence) and "year 2023" in best.evidence


def test_a_body_cut_off_mid_transfer_is_retried(client, standin, waits):
    standin.faults[:] = [("short-body", "")]
    assert client.search("Aizhan Kassymbek", "en")[0]["id"] == "Q9001"
    assert len(waits) == 1


def test_maxlag_is_not_part_of_the_cache_key(standin, oxigraph, tmp_path, cat, waits):
    cache = tmp_path / "cache"
    Client(UA, cache=cache, api_url=standin.api, sparql_url=oxigraph.query_url, maxlag=5).search("Madina", "en")
    again = Client(UA, cache=cache, api_url=standin.api, sparql_url=oxigraph.query_url, maxlag=10, offline=True)
    assert again.search("Madina", "en")


def test_review_files_as_spreadsheets_save_them():
    header = "record,kind,name,rank,qid,label,description,score,evidence,accept,reject\n"
    bom = "\ufeff" + header + "p,person,P,1, Q9001 ,A,,\"0,850\",,x,\n"
    assert accepted(bom) == ({"p": "Q9001"}, [])
    with pytest.raises(lod.InputError, match="columns"):
        accepted("name,qid\nx,Q1\n")
    with pytest.raises(lod.InputError, match="score"):
        accepted(header + "p,person,P,1,Q9001,A,,n/a,,,\n", auto_accept=0.5)


def test_apply_keeps_json_catalogues_json_and_reads_ids_as_lod_does(tmp_path):
    src = tmp_path / "cat.json"
    src.write_text('{"films": [{"id": "f", "titles": {"en": "Madina"}}]}', encoding="utf-8")
    apply_qids(src, {"f": "Q9100"})
    assert lod.load_catalogue(src)["f"].qid == "Q9100"
    yml = tmp_path / "ids.yaml"
    yml.write_text("films:\n  - id: 0042\n    titles: {en: A}\n", encoding="utf-8")
    (rid,) = [f.id for f in lod.load_catalogue(yml).films]
    apply_qids(yml, {rid: "Q9100"})
    assert lod.load_catalogue(yml)[rid].qid == "Q9100"


@pytest.mark.parametrize("call, body", [
    ("search", "null"), ("search", "[]"), ("search", '"ok"'), ("search", '{"search": "Madina"}'),
    ("search", '{"search": [{"id": 5}]}'), ("search", '{"search": [{"id": "Q1", "aliases": [["x"]]}]}'),
    ("entities", "null"), ("entities", "[]"), ("entities", '{"entities": []}'),
    ("entities", '{"entities": {"Q1": {"claims": {"P31": {"mainsnak": 1}}}}}'),
    ("sparql", "null"), ("sparql", "[]"), ("sparql", '{"results": null}'),
    ("sparql", '{"results": {"bindings": [{"item": "wd:Q1"}]}}'),
])
def test_an_answer_of_another_shape_is_a_wikidata_error_saying_what_came_back(standin, waits, call, body):
    # Each is well-formed JSON from a server that answers 200 but not in the documented format
    # (wbsearchentities, wbgetentities, SPARQL 1.1 results JSON); before, null and [] crashed the client.
    standin.faults[:] = [("body", body)]
    c = Client(UA, api_url=standin.api, sparql_url=standin.sparql, sleep=waits.append, retries=0)
    run = {"search": lambda: c.search("Madina", "en"), "entities": lambda: c.entities(["Q1"]),
           "sparql": lambda: c.sparql("SELECT ?x WHERE { ?x ?p ?o }")}[call]
    with pytest.raises(WikidataError, match="not the documented shape") as info:
        run()
    assert json.dumps(json.loads(body))[:40] in str(info.value)  # it says what came back


def test_without_wikidata_the_review_file_is_written_with_the_rest_pending_and_a_later_run_resumes(
        standin, oxigraph, tmp_path, cat, waits):
    # before: the first record that could not be asked stopped the run, with nothing written
    import os
    from lod.wikidata import pending, read_review, review_rows

    cache = tmp_path / "cache"
    c = Client(UA, cache=cache, api_url=standin.api, sparql_url=oxigraph.query_url, sleep=waits.append, retries=2)
    c.candidates(cat["aizhan"], cat)  # one record answered (and cached) before the network goes
    standin.down = True
    try:
        before = len(standin.requests)
        rows = review_rows(c, cat)
    finally:
        standin.down = False
    assert pending(rows) == ["madina"]  # asked once, found unreachable; the cached person still answered
    assert any(r["record"] == "aizhan" and r["qid"] == "Q9001" for r in rows)
    assert len(standin.requests) - before == 3  # one request and its 2 retries, not 3 for every record

    src = tmp_path / "cat.yaml"
    src.write_text("people:\n  - {id: aizhan, names: {en: Aizhan Kassymbek}}\n"
                   "films:\n  - {id: madina, titles: [{text: Madina, lang: en}], date_created: 2023}\n",
                   encoding="utf-8")
    review = tmp_path / "review.csv"
    env = {**os.environ, "LOD_WIKIDATA_API": standin.api, "LOD_WIKIDATA_SPARQL": oxigraph.query_url}
    args = [sys.executable, "-m", "lod.cli", "reconcile", str(src), "-o", str(review), "--user-agent", UA,
            "--cache", str(tmp_path / "cli-cache")]
    offline = subprocess.run([*args, "--offline"], capture_output=True, text=True, env=env)
    assert offline.returncode == 2 and "2 record(s) pending" in offline.stderr, offline.stderr
    assert sorted(pending(read_review(review.read_text(encoding="utf-8")))) == ["aizhan", "madina"]
    online = subprocess.run(args, capture_output=True, text=True, env=env)
    assert online.returncode == 0 and "pending" not in online.stderr, online.stderr
    rows = read_review(review.read_text(encoding="utf-8"))
    assert not pending(rows) and {r["qid"] for r in rows} >= {"Q9001", "Q9100"}
    marked = [dict(r, accept="x") if r["record"] == "aizhan" and r["rank"] == "1" else r for r in rows]
    from lod.wikidata import write_review
    review.write_text(write_review(marked), encoding="utf-8")
    again = subprocess.run(args, capture_output=True, text=True, env=env)  # nothing pending: the marks stay
    assert again.returncode == 0 and "kept from the earlier run" in again.stderr
    assert accepted(review.read_text(encoding="utf-8"))[0] == {"aizhan": "Q9001"}
