"""The streaming export: the same triples as the rdflib Graph path, valid files, deterministic,
validation equal to whole-graph pyshacl, bad records named and the rest written."""

from __future__ import annotations

import json
import os
import pty
import random
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyld import jsonld
from test_network import GUARD

import lod
from lod.stream import export, read_part, Part, split, write_jsonl
from lod.synthetic import synthetic_data, synthetic_film
from lod.writers import _offline_loader

FORMATS = {"nt": ox.RdfFormat.N_TRIPLES, "turtle": ox.RdfFormat.TURTLE}


def canonical(data: bytes, fmt: str) -> set[str]:
    """The triples of a file, each in pyoxigraph's N-Triples form (blank-node free output only)."""
    if fmt == "json-ld":
        nquads = jsonld.to_rdf(json.loads(data), {"format": "application/n-quads", "documentLoader": _offline_loader})
        data, fmt = nquads.encode("utf-8"), "nt"
    return {str(t) for t in ox.parse(data, format=FORMATS[fmt])}


def rdflib_path(cat: lod.Catalogue) -> set[str]:
    """The plain path: records -> rdflib Graph -> rdflib's N-Triples writer."""
    return canonical(lod.to_graph(cat).serialize(format="nt", encoding="utf-8"), "nt")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple[Path, dict]:
    data = synthetic_data(400)
    path = tmp_path_factory.mktemp("syn") / "catalogue.jsonl"
    write_jsonl(data, path)
    return path, data


def test_streaming_gives_the_rdflib_graph_paths_triples(tmp_path, seed, synthetic):
    for source, cat in ((lod.example_path(), seed), (synthetic[0], lod.Catalogue(**synthetic[1]))):
        out = tmp_path / Path(source).stem
        summary = export(source, out, ["nt", "turtle", "json-ld"], quiet=True, batch_size=97)
        assert summary.complete and set(summary.files) == {"nt", "turtle", "json-ld"}
        expected = rdflib_path(cat)
        assert summary.triples == len(expected)
        for fmt, path in summary.files.items():
            assert canonical(path.read_bytes(), fmt) == expected, fmt  # strict parsers: pyoxigraph and pyld


def test_output_is_byte_identical_across_runs_batch_sizes_and_hash_seeds(tmp_path, synthetic):
    outputs = []
    for i, (batch, seed) in enumerate(((7, "0"), (2000, "1"), (250, "12345"))):
        out = tmp_path / f"run{i}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "lod.cli", "export", str(synthetic[0]), "-f", "nt,turtle,json-ld",
                               "-o", str(out), "--batch-size", str(batch)], capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr
        outputs.append({p.name: p.read_bytes() for p in out.iterdir()})
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(outputs[0]) == 3


def test_a_table_past_its_dict_sealed_gives_the_same_files_and_results(tmp_path, synthetic, monkeypatch):
    """The id table of a catalogue too large for its dict (made so here: 50 ids) goes to SQLite in the scan and
    is sealed for the later passes (:meth:`lod.pipeline._stream.IdTable.seal`): the same bytes, the same
    results, and a bad reference still found, as with the whole table in the dict."""
    from lod.pipeline._stream import IdTable

    lines = synthetic[0].read_text(encoding="utf-8").splitlines()
    bad = next(i for i, line in enumerate(lines) if '"films"' in line)
    lines[bad] = lines[bad].replace('"directors": ["', '"directors": ["nobody-here", "', 1)
    source = tmp_path / "catalogue.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    seals: list[int] = []
    seal = IdTable.seal

    def counted(self: IdTable) -> None:
        seal(self)
        seals.append(len(self._values))
    monkeypatch.setattr(IdTable, "seal", counted)
    runs = []
    for cap in (IdTable._RECENT, 50):
        monkeypatch.setattr(IdTable, "_RECENT", cap)
        out = tmp_path / f"cap{cap}"
        summary = export(source, out, ["nt", "turtle"], quiet=True, keep_going=True, batch_size=97)
        runs.append(({p.name: p.read_bytes() for p in out.iterdir() if p.suffix in (".nt", ".ttl")},
                     summary.problems, [(r.record, r.message) for r in summary.results], summary.written))
    assert seals[0] == 0 and seals[-1] > 50  # whole in the dict, then sealed past it
    assert runs[0] == runs[1]
    assert any("nobody-here" in p for p in runs[1][1]) and runs[1][3] > 0


def test_record_order_changes_no_triple(tmp_path, synthetic):
    lines = synthetic[0].read_text(encoding="utf-8").splitlines()
    random.Random(3).shuffle(lines)
    shuffled = tmp_path / "shuffled.jsonl"
    shuffled.write_text("\n".join(lines) + "\n", encoding="utf-8")
    a = export(synthetic[0], tmp_path / "a.nt", ["nt"], quiet=True)
    b = export(shuffled, tmp_path / "b.nt", ["nt"], quiet=True)
    assert a.complete and b.complete
    assert canonical(a.files["nt"].read_bytes(), "nt") == canonical(b.files["nt"].read_bytes(), "nt")


def _key(r):
    return (r.severity, r.record or "", r.field or "", r.message, r.value or "", r.focus)


def test_streaming_validation_equals_whole_graph_pyshacl(tmp_path):
    data = synthetic_data(300)
    for film in (synthetic_film(data, n) for n in (5, 8, 11)):  # windows that end before they start: core violations
        film["availability"] = [{"platform": "platform", "starts": "2024-06-01", "ends": "2024-01-01"}]
    source = tmp_path / "cat.jsonl"
    write_jsonl(data, source)
    profiles = ("core", "web", "wikidata", "archive")
    reference = lod.validate(lod.Catalogue(**data), profiles)  # pyshacl on the whole graph
    for engine in ("fast", "pyshacl"):
        summary = export(source, tmp_path / engine, ["nt"], profiles=profiles, keep_going=True, engine=engine,
                         batch_size=64, quiet=True)
        assert sorted(summary.results, key=_key) == sorted(reference.results, key=_key), engine
    assert {r.record for r in reference.violations if "ends before" in r.message} == {"film-5", "film-8", "film-11"}


def _bad_catalogue(tmp_path: Path) -> Path:
    data = synthetic_data(40)
    synthetic_film(data, 3)["date_created"] = "2019-13"                                  # fails on load
    synthetic_film(data, 4)["directors"] = ["nobody"]                                  # dangling reference
    synthetic_film(data, 5)["availability"] = [{"platform": "platform", "starts": "2024-06-01", "ends": "2024-01-01"}]
    data["films"].append(dict(synthetic_film(data, 6)))                                  # duplicate id
    data["screenings"].append({"id": "screening-of-3", "film": "film-3"})            # refers to a bad film
    data["screenings"].append({"id": "screening-of-5", "film": "film-5"})            # refers to a violating film
    source = tmp_path / "bad.jsonl"
    write_jsonl(data, source)
    with source.open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
        fh.write(json.dumps({"movies": {"id": "x"}}) + "\n")
    return source


def test_bad_records_are_named_and_the_rest_written(tmp_path):
    source = _bad_catalogue(tmp_path)
    out = tmp_path / "out.nt"
    out.write_text('<https://example.org/id/film/a> <http://schema.org/name> "the previous export" .\n')
    refused = export(source, out, ["nt"], quiet=True)
    assert not refused.files and not refused.complete
    assert "the previous export" in out.read_text()  # nothing replaced
    kept = export(source, out, ["nt"], keep_going=True, quiet=True)
    text = "\n".join(kept.problems)
    assert "film-3" in text and "date_created" in text
    assert "film-4" in text and "'directors[0]'" in text and "nobody" in text
    assert "id is already used" in text and "film-6" in text
    assert "screening-of-3" in text and "screening-of-5" in text
    assert "bad.jsonl:" in text and "not valid JSON" in text and "unknown list 'movies'" in text
    assert [r.record for r in kept.results if r.severity == "violation"] == ["film-5"]
    assert kept.violations == 1 and kept.files
    subjects = {t.subject.value for t in ox.parse(out.read_bytes(), format=ox.RdfFormat.N_TRIPLES)}
    base = "https://example.org/id/"
    for gone in ("film/film-3", "film/film-4", "film/film-5", "screening/screening-of-3", "screening/screening-of-5"):
        assert base + gone not in subjects
    assert base + "film/film-6" in subjects and base + "film/film-7" in subjects
    # left out: 3 films, 2 screenings, the duplicate and the two lines that hold no record
    assert kept.written == kept.records - 8


def test_without_validation_problems_still_leave_records_out(tmp_path):
    source = _bad_catalogue(tmp_path)
    summary = export(source, tmp_path / "out.nt", ["nt"], validate=False, keep_going=True, quiet=True)
    subjects = {t.subject.value for t in ox.parse(summary.files["nt"].read_bytes(), format=ox.RdfFormat.N_TRIPLES)}
    assert "https://example.org/id/film/film-5" in subjects  # not validated: the window is written
    assert "https://example.org/id/film/film-3" not in subjects
    assert not summary.complete


def test_cli_streams_quietly_in_a_pipe_and_says_what_it_did(tmp_path, synthetic):
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "lod.cli", "export", str(synthetic[0]), "-f", "turtle", "-o", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr and "records/s" in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("lod: ") and "records" in last and "triples" in last and "violations" in last
    bad = subprocess.run([sys.executable, "-m", "lod.cli", "export", str(_bad_catalogue(tmp_path)), "-o",
                          str(tmp_path / "bad.nt"), "-f", "nt"], capture_output=True, text=True)
    assert bad.returncode == 1 and not (tmp_path / "bad.nt").exists()
    assert "nothing written" in bad.stderr


def test_cli_shows_a_progress_bar_on_a_terminal(tmp_path, synthetic):
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "lod.cli", "export", str(synthetic[0]), "-f", "nt", "-o",
                             str(tmp_path / "out.nt"), "--batch-size", "50"], stdout=subprocess.DEVNULL,
                            stderr=terminal, stdin=subprocess.DEVNULL)
    os.close(terminal)
    seen = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait() == 0
    text = seen.decode("utf-8", "replace")
    assert "records/s" in text and "%|" in text and "\r" in text  # a live bar with a rate
    assert "lod: " in text.splitlines()[-1]


def test_streaming_export_uses_no_network(tmp_path, synthetic):
    code = GUARD + f"""
from lod.stream import export
s = export({str(synthetic[0])!r}, {str(tmp_path / 'out')!r}, ["nt", "turtle", "json-ld"],
           profiles=("core", "web", "archive"), keep_going=True, quiet=True)
print(s.records)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) > 400


def test_split_cuts_on_line_boundaries_and_covers_every_record(synthetic):
    whole = [item for item in read_part(Part(str(synthetic[0])))]
    for n in (1, 2, 3, 7):
        parts = split(synthetic[0], n)
        pieces = [item for part in parts for item in read_part(part)]
        assert pieces == whole
        assert all(b.first_line > a.first_line for a, b in zip(parts, parts[1:]))


def _jsonl(tmp_path: Path, lines: list[dict]) -> Path:
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def test_the_catalogue_block_is_written_and_validated_and_alone_is_refused(tmp_path):
    film = {"films": {"id": "f", "titles": [{"text": "F", "lang": "en"}]}}
    source = _jsonl(tmp_path, [{"info": {"id": "cat", "names": {"en": "Cat"}}}, film])
    summary = export(source, tmp_path / "out.nt", ["nt"], quiet=True)
    assert summary.complete and "https://example.org/id/catalogue/cat" in summary.files["nt"].read_text()
    bad = _jsonl(tmp_path, [{"info": {"id": "cat", "names": {"en": "Cat"}, "publisher": "nobody"}}, film])
    assert not export(bad, tmp_path / "bad.nt", ["nt"], quiet=True).complete
    # a catalogue without records is an input error: it would replace an export with an empty one
    alone = _jsonl(tmp_path, [{"info": {"id": "cat", "names": {"en": "Cat"}}}])
    earlier = '<https://example.org/id/film/a> <http://schema.org/name> "the earlier export" .\n'
    (tmp_path / "kept.nt").write_text(earlier)
    with pytest.raises(lod.FileError, match="holds no records"):
        export(alone, tmp_path / "kept.nt", ["nt"], quiet=True)
    assert (tmp_path / "kept.nt").read_text() == earlier


def test_lookups_numbers_and_repeated_award_texts(tmp_path):
    film = {"id": "f", "titles": [{"text": "F", "lang": "en"}]}
    won = {"award": "a", "status": "won", "recipients": ["f"], "for_work": "f"}
    lines = [{"films": film}, {"awards": {"id": "a", "names": {"en": "Prize"}}},
             {"award_outcomes": {"id": "o1", **won}}, {"award_outcomes": {"id": "o2", **won}},
             {"people": {"id": 5, "names": {"en": "Five"}}}, {"awards": {"id": "broken"}},
             {"award_outcomes": {"id": "o3", **won, "award": "broken"}}]
    summary = export(_jsonl(tmp_path, lines), tmp_path / "out.nt", ["nt"], keep_going=True, quiet=True)
    text = "\n".join(summary.problems)
    assert "broken" in text and "o3" in text  # reported, not a crash
    cat = lod.Catalogue(films=[film], awards=[{"id": "a", "names": {"en": "Prize"}}],
                        award_outcomes=[{"id": "o1", **won}, {"id": "o2", **won}],
                        people=[{"id": "5", "names": {"en": "Five"}}])
    nt = summary.files["nt"].read_bytes()
    assert canonical(nt, "nt") == rdflib_path(cat)
    assert summary.triples == len(nt.splitlines())  # the award text is written once


def test_without_validation_late_problems_name_the_records_already_written(tmp_path):
    lines = [{"films": {"id": "f", "titles": [{"text": "F", "lang": "en"}], "directors": ["p"]}},
             {"people": {"id": "p", "names": {"en": "P"}, "birth_date": "1990-13"}}]
    summary = export(_jsonl(tmp_path, lines), tmp_path / "out.nt", ["nt"], validate=False, keep_going=True,
                     batch_size=1, quiet=True)
    assert any("'f'" in p and "directors" in p and "left out" in p for p in summary.problems)
    assert not summary.complete


def test_cli_validates_a_json_lines_catalogue_in_batches(tmp_path):
    source = _bad_catalogue(tmp_path)
    done = subprocess.run([sys.executable, "-m", "lod.cli", "validate", str(source), "--format", "json"],
                          capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    records = {r["record"] for r in report["results"] if r["severity"] == "violation"}
    assert {"film-3", "film-4", "film-5"} <= records
    assert any(r["record"] == "film-5" and r["field"] == "availability[0].ends" for r in report["results"])
    clean = tmp_path / "clean.jsonl"
    write_jsonl(synthetic_data(30), clean)
    assert subprocess.run([sys.executable, "-m", "lod.cli", "validate", str(clean)], capture_output=True).returncode == 0


def test_a_streamed_record_is_the_record_python_builds_and_fails_as_it_does(tmp_path):
    """Streamer.load checks a record without Record.__init__ (pydantic's one call): the model and its problems
    must be those of building it in Python, ``Film(**raw)``."""
    from lod import errors as E
    from lod.pipeline._stream import LISTS, Streamer, scan

    lines = [
        {"people": {"id": "p1", "names": {"en": "P", "kk-Cyrl": "П"}, "birth_date": "1980-05"}},
        {"films": {"id": "f0", "titles": [{"text": "Madina", "lang": "en", "kind": "original"}, {"text": "Мадина", "lang": "ru"}],
                   "directors": ["p1"], "cast": [{"person": "p1", "character": "Madina"}], "runtime_minutes": 90}},
        {"films": {"id": "f1", "titles": [{"text": "", "lang": "en"}], "runtime": "abc"}},
        {"films": {"id": "Bad Id", "titles": [{"text": "x", "lang": "en"}]}},
        {"films": {"id": "f2", "titles": [{"text": "x", "lang": "zz-!!"}]}},
        {"films": {"id": "f3", "titles": "nope"}},
        {"films": {"id": "f4"}},
        {"people": {"id": "p2", "names": {"en": "Q"}, "birth_date": "2020-13-45"}},
    ]
    src = tmp_path / "c.jsonl"
    src.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    streamer = Streamer(scan(Part(str(src))), validate=False)
    loaded = [(name, raw, streamer.load(name, raw, where, tmp_path)) for name, raw, where in read_part(Part(str(src)))]
    assert len(loaded) == len(lines)
    good = bad = 0
    for name, raw, got in loaded:
        cls = LISTS[name]
        try:
            built = cls(**raw)
        except E.LodError as exc:
            problems = exc.problems if isinstance(exc, E.CatalogueError) else [exc]
            assert not isinstance(got, tuple), raw
            assert got.message == "; ".join(str(p) for p in problems)
            bad += 1
        else:
            assert isinstance(got, tuple), got
            assert got[0] == built and got[0].model_fields_set == built.model_fields_set
            assert got[0].model_dump_json() == built.model_dump_json()
            good += 1
    assert (good, bad) == (2, 6)
