"""Wikidata-shaped RDF and QuickStatements V1: syntax, references, no invented QIDs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

import lod
from lod.statements import UNSOURCED, quickstatements, wikidata_graph

ITEM = r"Q[1-9]\d*"
VALUE = (rf'(?:{ITEM}|"[^"\t\n]*"|[a-z]{{2,3}}(?:-[A-Za-z0-9]+)*:"[^"\t\n]*"|'
         r"\+\d{4}-\d{2}-\d{2}T00:00:00Z/(?:9|10|11)|[+-]\d+(?:\.\d+)?(?:U[1-9]\d*)?)")
STATEMENT = re.compile(rf"^(?:{ITEM}|LAST)\tP[1-9]\d*\t{VALUE}(?:\tP[1-9]\d*\t{VALUE})*(?:\tS[1-9]\d*\t{VALUE})*$")
TERM = re.compile(r'^LAST\t[LDA][a-z]{2,3}(?:-[A-Za-z0-9]+)*\t"[^"\t\n]*"$')


def valid_v1(line: str) -> bool:
    return line == "CREATE" or bool(STATEMENT.match(line)) or bool(TERM.match(line))


@pytest.fixture(scope="module")
def full() -> lod.Catalogue:
    return lod.Catalogue(
        info={"id": "c", "names": {"en": "C"}, "url": "https://klassiki.example/interviews", "retrieved": "2024-05-01"},
        people=[{"id": "p", "names": {"en": "Madina Akylbek", "ru": "Мадина Акылбек"}, "qid": "Q200"},
                {"id": "d", "names": {"en": "Aizhan Kassymbek"}, "qid": "Q201"},
                {"id": "n", "names": {"en": "Nesibeli Serikbayeva"}, "new_wikidata_item": True,
                 "description": {"en": "actor in Madina (2023)"}},
                {"id": "u", "names": {"en": "Unreconciled Person"}}],
        places=[{"id": "kz", "names": {"en": "Kazakhstan"}, "place_type": "country", "qid": "Q232"}],
        films=[{"id": "f", "titles": [{"text": "Мадина", "lang": "kk", "kind": "original"},
                                      {"text": "Madina", "lang": "en", "kind": "translated"}],
                "qid": "Q300", "date_created": 2023, "date_published": "2023-11", "countries": ["kz"],
                "directors": ["d"], "runtime_minutes": 93, "identifiers": [{"scheme": "imdb", "value": "tt123"}],
                "cast": [{"person": "p", "character": "Madina"}, {"person": "n", "character": "the grandmother"},
                         {"person": "u"}]}],
        festivals=[{"id": "g", "names": {"en": "goEast"}, "qid": "Q400"}],
        festival_editions=[{"id": "e", "festival": "g", "names": {"en": "goEast 2024"}, "qid": "Q401"}],
        organizations=[{"id": "goeast-org", "names": {"en": "goEast organiser"}, "qid": "Q600"}],
        awards=[{"id": "a", "names": {"en": "Grand Prize"}, "qid": "Q500", "conferred_by": "goeast-org"}],
        award_outcomes=[{"id": "o", "award": "a", "status": "won", "recipients": ["f"], "for_work": "f",
                         "edition": "e", "date": 2024}])


def test_quickstatements_lines_follow_v1_syntax(full):
    batch = quickstatements(full)
    assert batch.lines
    bad = [line for line in batch.lines if not valid_v1(line)]
    assert bad == []
    assert "Q300\tP161\tQ200\tP4633\t\"Madina\"\tS854\t\"https://klassiki.example/interviews\"\tS813\t" \
           "+2024-05-01T00:00:00Z/11" in batch.lines
    assert any(line.startswith("Q300\tP166\tQ500\tP585\t+2024-00-00T00:00:00Z/9\tP1027\tQ600\tP805\tQ401\t"
                               "P1686\tQ300") for line in batch.lines)
    assert any(line.startswith("Q300\tP2047\t+93U7727") for line in batch.lines)  # quantity with its unit
    assert any(line.startswith('Q300\tP1476\tkk:"Мадина"') for line in batch.lines)  # monolingual text
    assert any(line.startswith("Q300\tP577\t+2023-11-00T00:00:00Z/10") for line in batch.lines)  # month precision


def test_every_statement_has_its_sources(full):
    for line in quickstatements(full).lines:
        if line != "CREATE" and not TERM.match(line):
            assert "\tS854\t" in line and "\tS813\t" in line, line


def test_new_items_only_on_a_decision(full):
    batch = quickstatements(full)
    text = batch.text()
    assert 'CREATE\nLAST\tLen\t"Nesibeli Serikbayeva"\nLAST\tDen\t"actor in Madina (2023)"' in text
    assert ("u", "no QID and no decision to create a new item: reconcile first") in batch.skipped
    assert "Unreconciled" not in text
    everything = quickstatements(full, create_unmatched=True)
    assert 'LAST\tLen\t"Unreconciled Person"' in everything.text() and not any(r == "u" for r, _ in
                                                                             everything.skipped)


def test_statements_wikidata_already_has_are_left_out(full):
    have = {"Q300": {("P57", "Q201"), ("P495", "Q232")}}
    batch = quickstatements(full, existing=lambda qid: have.get(qid, set()))
    assert not any(line.startswith(("Q300\tP57\tQ201", "Q300\tP495\tQ232")) for line in batch.lines)
    assert any(line.startswith("Q300\tP161\tQ200") for line in batch.lines)


def test_no_qid_is_invented(full):
    from lod.alignment import table
    from lod.statements import MINUTE
    classes = {row.wikidata[3:] for row in table().rows if row.wikidata.startswith("wd:Q")} | {MINUTE}
    known = {r.qid for r in full.records() if getattr(r, "qid", None)}
    used = set(re.findall(r"\bQ[1-9]\d*\b", quickstatements(full).text()))
    assert used - classes <= known  # items are the catalogue's own QIDs; the rest are the table's classes
    iris = {str(o) for _, _, o in wikidata_graph(full) if str(o).startswith("http://www.wikidata.org/entity/Q")}
    assert {i.rsplit("/", 1)[1] for i in iris} - classes <= known
    # only the cast member with a QID gets a P161 statement (truthy and full); the others none
    g = wikidata_graph(full)
    film = lod.record_iri(lod.DEFAULT_BASE, "film", "f")
    from rdflib import URIRef
    assert len(set(g.objects(film, URIRef("http://www.wikidata.org/prop/P161")))) == 1
    assert set(g.objects(film, URIRef("http://www.wikidata.org/prop/direct/P161"))) == {
        URIRef("http://www.wikidata.org/entity/Q200")}


def test_wikidata_graph_is_strict_rdf_with_truthy_and_full_statements(full):
    g = wikidata_graph(full)
    nt = lod.dumps(g, format="nt")
    parsed = set(ox.parse(nt.encode(), format=ox.RdfFormat.N_TRIPLES))
    assert len(parsed) == len(g)
    film = "https://example.org/id/film/f"
    assert f"<{film}> <http://www.wikidata.org/prop/direct/P161> <http://www.wikidata.org/entity/Q200> ." in nt
    assert "<http://www.wikidata.org/prop/qualifier/P4633> \"Madina\"" in nt
    assert "<http://www.wikidata.org/prop/qualifier/P585> \"2024-01-01T00:00:00" in nt
    assert "<http://www.wikidata.org/prop/reference/P854> <https://klassiki.example/interviews>" in nt


def test_schema_and_wikidata_views_together_pass_the_wikidata_profile(full):
    g = lod.to_graph(full)
    for t in wikidata_graph(full):
        g.add(t)
    report = lod.validate(g, profiles=("wikidata",))
    assert {(r.record, r.field) for r in report.violations} == {("u", "qid")}  # the unreconciled person only


def test_a_statement_without_reference_is_reported(full):
    bare = lod.Catalogue(**{n: getattr(full, n) for n in lod.model.LISTS})
    g = lod.to_graph(bare)
    for t in wikidata_graph(bare):
        g.add(t)
    messages = {r.message for r in lod.validate(g, profiles=("wikidata",)).violations}
    assert any("needs a reference" in m for m in messages)


def test_text_quickstatements_cannot_carry_is_skipped_not_broken():
    cat = lod.Catalogue(people=[{"id": "q", "names": {"en": 'Say "cheese"'}, "new_wikidata_item": True}])
    batch = quickstatements(cat, allow_unsourced=True)  # this test is about quoting, not sources
    assert batch.lines == [] and batch.skipped and "double quote" in batch.skipped[0][1]


def test_publication_date_is_qualified_by_the_premiere_place():
    cat = lod.Catalogue(places=[{"id": "la", "names": {"en": "Los Angeles"}, "place_type": "city", "qid": "Q65"}],
                        films=[{"id": "f", "titles": {"en": "F"}, "qid": "Q300", "date_published": "2019-11"}],
                        screenings=[{"id": "s", "film": "f", "premiere": "world", "locations": ["la"]}])
    assert any(line.startswith("Q300\tP577\t+2019-11-00T00:00:00Z/10\tP291\tQ65")
               for line in quickstatements(cat, allow_unsourced=True).lines)


def test_seed_quickstatements_are_valid_v1_line_by_line(seed):
    # the interviews give no URL: nothing is written without a source unless the user asks for it
    refused = quickstatements(seed, create_unmatched=True)
    assert refused.lines == [] and {why for _, why in refused.skipped} == {UNSOURCED, "nothing to say on Wikidata"}
    batch = quickstatements(seed, create_unmatched=True, allow_unsourced=True)
    assert len(batch.lines) > 100
    assert [line for line in batch.lines if not valid_v1(line)] == []
    assert {rid for rid, _ in quickstatements(seed).skipped} >= {"madina", "welcome-to-the-usa", "assel-aushakimova"}


def test_property_ids_come_from_the_alignment_table_only():
    import re as _re
    from pathlib import Path
    source = Path(lod.statements.__file__).read_text(encoding="utf-8")
    assert _re.findall(r'"P[1-9]\d*"', source) == []


def test_language_codes_are_lower_case_and_one_description_per_language():
    cat = lod.Catalogue(places=[{"id": "a", "names": [{"text": "Ақтау", "lang": "kk-Cyrl"}, {"text": "Aktau", "lang": "en"}],
                                 "place_type": "city", "new_wikidata_item": True,
                                 "description": [{"text": "port city on the Caspian Sea " * 12, "lang": "en"},
                                                 {"text": "портовый город", "lang": "ru"}]}],
                        films=[{"id": "f", "qid": "Q300", "titles": [{"text": "Ақтау", "lang": "kk-Cyrl",
                                                                       "kind": "original"}]}])
    text = quickstatements(cat, allow_unsourced=True).text()
    assert 'LAST\tLkk-cyrl\t"Ақтау"' in text and 'Q300\tP1476\tkk-cyrl:"Ақтау"' in text
    descriptions = [line for line in text.splitlines() if line.startswith("LAST\tD")]
    assert [d.split("\t")[1] for d in descriptions] == ["Den", "Dru"]
    assert all(len(d.split("\t")[2]) <= 252 for d in descriptions) and descriptions[0].endswith('…"')


# --- the command line: sources, and new items in two batches -----------------------------------

TWO_BATCHES = """info:
  id: c
  names: {en: C}
  url: https://festival.example/catalogue
  retrieved: 2024-05-01
places:
  - {id: kz, names: {en: Kazakhstan}, place_type: country, qid: Q232}
people:
  - {id: p, names: {en: Known Actor}, qid: Q200}
  - {id: d, names: {en: New Director}, nationality: [kz]}
films:
  - id: f
    titles: [{text: New Film, lang: en}]
    date_created: 2023
    countries: [kz]
    directors: [d]
    cast: [{person: p, character: Madina}]
screenings:
  - {id: s, film: f, premiere: world, start_date: 2023-09-08}
"""


def qs_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lod.cli", "quickstatements", *args], capture_output=True, text=True,
                          cwd=cwd)


def test_new_items_come_in_two_batches_linked_once_their_qids_are_known(tmp_path):
    cat = tmp_path / "cat.yaml"
    cat.write_text(TWO_BATCHES, encoding="utf-8")
    first = qs_cli(str(cat), "--create-unmatched", "-o", "b1.qs", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    lines = (tmp_path / "b1.qs").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if not valid_v1(line)] == []
    assert lines.count("CREATE") == 2
    film = lines[:lines.index("CREATE", 1)]  # films come first: the film's block
    assert 'LAST\tLen\t"New Film"' in film and 'LAST\tDen\t"2023 film by New Director"' in film
    assert any(line.startswith("LAST\tP161\tQ200\tP4633\t\"Madina\"\tS854\t") for line in film)  # a known value
    assert any(line.startswith("LAST\tP577\t+2023-09-08T00:00:00Z/11") for line in film)  # first shown
    assert not any("\tP57\t" in line for line in lines)  # the director is new: no QID to link to yet
    assert "1 statement(s) link to the new items" in first.stderr and "--links" in first.stderr
    assert "complete in this batch (LAST chain): d" in first.stderr
    state = json.loads((tmp_path / "b1.qs.lod.json").read_text(encoding="utf-8"))
    assert state == {"generator": "lod", "batch": "b1.qs", "created": ["f", "d"], "deferred": 1}
    # before the new QIDs are in the catalogue, the second batch cannot be made
    early = qs_cli(str(cat), "--links", "b1.qs.lod.json", "-o", "b2.qs", cwd=tmp_path)
    assert early.returncode == 1 and "no QID for them yet" in early.stderr and "lod reconcile" in early.stderr
    assert not (tmp_path / "b2.qs").exists()
    # QuickStatements ran the batch; a person accepts the two new items in a review file and applies it
    review = tmp_path / "review.csv"
    review.write_text("record,kind,name,rank,qid,label,description,score,evidence,accept,reject\n"
                      "f,film,New Film,1,Q1001,New Film,2023 film by New Director,1.000,,x,\n"
                      "d,person,New Director,1,Q1002,New Director,,0.800,,x,\n", encoding="utf-8")
    applied = subprocess.run([sys.executable, "-m", "lod.cli", "reconcile", str(cat), "--apply", str(review)],
                             capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    second = qs_cli(str(cat), "--links", "b1.qs.lod.json", "-o", "b2.qs", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert (tmp_path / "b2.qs").read_text(encoding="utf-8").splitlines() == [
        "Q1001\tP57\tQ1002\tS854\t\"https://festival.example/catalogue\"\tS813\t+2024-05-01T00:00:00Z/11"]


def test_unsourced_statements_are_refused_unless_asked(tmp_path):
    cat = tmp_path / "cat.yaml"
    cat.write_text(TWO_BATCHES.replace("  url: https://festival.example/catalogue\n", ""), encoding="utf-8")
    (tmp_path / "old.qs").write_text("Q1\tP31\tQ5\n", encoding="utf-8")
    refused = qs_cli(str(cat), "-o", "old.qs", cwd=tmp_path)
    assert refused.returncode == 1
    assert "nothing written: 2 record(s) have no source" in refused.stderr and "--allow-unsourced" in refused.stderr
    assert (tmp_path / "old.qs").read_text(encoding="utf-8") == "Q1\tP31\tQ5\n"  # the earlier batch is kept
    asked = qs_cli(str(cat), "--allow-unsourced", "-o", "new.qs", cwd=tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert (tmp_path / "new.qs").read_text(encoding="utf-8").splitlines() == [  # written, with no made-up source
        "Q200\tP31\tQ5\tS813\t+2024-05-01T00:00:00Z/11", "Q232\tP31\tQ6256\tS813\t+2024-05-01T00:00:00Z/11"]


def test_a_bad_batch_state_file_is_named(tmp_path):
    cat = tmp_path / "cat.yaml"
    cat.write_text(TWO_BATCHES, encoding="utf-8")
    (tmp_path / "x.json").write_text('{"created": 3}', encoding="utf-8")
    bad = qs_cli(str(cat), "--links", "x.json", cwd=tmp_path)
    assert bad.returncode == 1 and "x.json: not a batch state file lod wrote" in bad.stderr
    missing = qs_cli(str(cat), "--links", "nope.json", cwd=tmp_path)
    assert missing.returncode == 2 and "nope.json" in missing.stderr


def test_each_publication_date_has_its_own_premieres_place():
    cat = lod.Catalogue(
        info={"id": "c", "names": {"en": "C"}, "url": "https://example.org/src"},
        places=[{"id": "berlin", "names": {"en": "Berlin"}, "place_type": "city", "qid": "Q64"},
                {"id": "almaty", "names": {"en": "Almaty"}, "place_type": "city", "qid": "Q35493"}],
        festivals=[{"id": "berlinale", "names": {"en": "Berlinale"}}],
        festival_editions=[{"id": "b23", "festival": "berlinale", "names": {"en": "Berlinale 2023"},
                            "start_date": "2023-02-16"}],
        films=[{"id": "f", "titles": {"en": "F"}, "qid": "Q9100", "date_created": 2023}],
        screenings=[{"id": "wp", "film": "f", "premiere": "world", "edition": "b23", "locations": ["berlin"]},
                    {"id": "np", "film": "f", "premiere": "national", "start_date": "2023-10-05",
                     "locations": ["almaty"]}])
    p577 = sorted(line.split("\tS854")[0] for line in quickstatements(cat).lines if "\tP577\t" in line)
    assert p577 == ["Q9100\tP577\t+2023-02-16T00:00:00Z/11\tP291\tQ64",  # the world premiere: its edition's date
                    "Q9100\tP577\t+2023-10-05T00:00:00Z/11\tP291\tQ35493"]


def test_a_company_in_both_lists_is_one_statement():
    cat = lod.Catalogue(info={"id": "c", "names": {"en": "C"}, "url": "https://example.org/src"},
                        organizations=[{"id": "o", "names": {"en": "O"}, "qid": "Q1"}],
                        films=[{"id": "f", "titles": {"en": "F"}, "qid": "Q509", "production_companies": ["o"],
                                "company_credits": [{"organization": "o", "role": "production"}]}])
    assert sum(line.startswith("Q509\tP272\tQ1\t") for line in quickstatements(cat).lines) == 1
    assert len(set(wikidata_graph(cat).objects(None, lod.mapping.URIRef("http://www.wikidata.org/prop/P272")))) == 1


def test_a_first_batch_counts_only_what_the_second_will_write_and_replaces_its_state(tmp_path):
    cat = tmp_path / "cat.yaml"
    extra = "  - {id: s2, film: f, premiere: national, locations: [kz]}\n"  # a screening: no QID, never created
    cat.write_text(TWO_BATCHES + extra, encoding="utf-8")
    first = qs_cli(str(cat), "--create-unmatched", "-o", "b1.qs", cwd=tmp_path)
    state = json.loads((tmp_path / "b1.qs.lod.json").read_text(encoding="utf-8"))
    assert first.returncode == 0 and state["deferred"] == 1  # only f -> d; the screenings are skipped items
    # the same catalogue with every QID in: nothing waits, and the old state file no longer describes b1.qs
    done = TWO_BATCHES.replace("{id: d, names: {en: New Director}", "{id: d, names: {en: New Director}, qid: Q2")
    done = done.replace("  - id: f\n", "  - id: f\n    qid: Q3\n")
    cat.write_text(done, encoding="utf-8")
    again = qs_cli(str(cat), "--create-unmatched", "-o", "b1.qs", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert not (tmp_path / "b1.qs.lod.json").exists()


def test_a_batch_with_some_records_unsourced_is_refused_whole(tmp_path):
    cat = tmp_path / "cat.yaml"
    cat.write_text("""festivals:
  - {id: g, names: {en: goEast}, qid: Q400, url: "https://www.filmmuseum.de/goeast"}
people:
  - {id: p, names: {en: Somebody}, qid: Q200}
""", encoding="utf-8")
    (tmp_path / "old.qs").write_text("OLD BATCH\n", encoding="utf-8")
    run = qs_cli(str(cat), "-o", "old.qs", cwd=tmp_path)
    assert run.returncode == 1 and "nothing written: 1 record(s)" in run.stderr and "(p)" in run.stderr
    assert (tmp_path / "old.qs").read_text(encoding="utf-8") == "OLD BATCH\n"
