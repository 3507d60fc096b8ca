"""The `lod` command line: export, exit codes, atomic writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

import lod
from lod.cli import main
from lod.io import writer_for

EARLIER = writer_for("turtle")[0] + '<https://example.org/id/film/a> schema:name "the earlier export" .\n'
"""An earlier Turtle export: what lod writes begins with its header."""


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lod.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_export_bundled_example_to_stdout_is_turtle(seed):
    out = run("export")
    assert out.returncode == 0, out.stderr
    triples = list(ox.parse(out.stdout.encode(), format=ox.RdfFormat.TURTLE))
    assert len(triples) == len(lod.to_graph(seed))


def test_export_json_ld_to_file_with_base(tmp_path, seed):
    target = tmp_path / "sub" / "klassiki.jsonld"
    assert main(["export", str(lod.example_path()), "-f", "json-ld", "-o", str(target),
                 "--base", "https://films.example/id/"]) == 0
    doc = json.loads(target.read_text(encoding="utf-8"))
    ids = {n["@id"] for n in doc["@graph"]}
    assert "https://films.example/id/film/madina" in ids
    assert lod.from_graph(lod.read_graph(target)) == seed
    assert [p.name for p in target.parent.iterdir()] == ["klassiki.jsonld"], "no temp files left behind"


def test_export_several_formats_into_a_folder(tmp_path):
    assert main(["export", "-f", "turtle,nt,json-ld", "-o", str(tmp_path)]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["klassiki-interviews.jsonld", "klassiki-interviews.nt", "klassiki-interviews.ttl"]


def test_bad_catalogue_exits_1_and_names_record_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("films:\n  - id: f1\n    titles: {en: X}\n    date_created: 2019-02-30\n    directors: [ghost]\n",
                   encoding="utf-8")
    out = run("export", str(bad), "-o", str(tmp_path / "out.ttl"))
    assert out.returncode == 1
    assert "record 'f1' field 'date_created'" in out.stderr
    assert "record 'f1' field 'directors[0]'" in out.stderr
    assert not (tmp_path / "out.ttl").exists()


def test_failed_export_keeps_the_previous_file(tmp_path):
    target = tmp_path / "out.ttl"
    target.write_text(EARLIER, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("films: [{id: f1, titles: {en: ''}}]\n", encoding="utf-8")
    assert main(["export", str(bad), "-o", str(target)]) == 1
    assert target.read_text(encoding="utf-8") == EARLIER


def test_an_export_never_writes_over_a_file_that_is_not_an_earlier_export_of_its_format(tmp_path):
    # -o naming another catalogue (JSON Lines, or JSON, which also names JSON-LD) or a Turtle file someone wrote:
    # refused, and the file is kept; a file lod wrote in that format, or an empty one, is replaced
    other = tmp_path / "other.jsonl"
    other.write_text('{"films": {"id": "x", "titles": [{"text": "X", "lang": "en"}]}}\n', encoding="utf-8")
    theirs = tmp_path / "theirs.ttl"
    theirs.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b ex:c .\n", encoding="utf-8")
    catalogue_json = tmp_path / "catalogue.json"
    catalogue_json.write_text('{"films": []}\n', encoding="utf-8")
    for target, fmt in ((other, "turtle"), (theirs, "turtle"), (catalogue_json, "json-ld"), (other, "nt")):
        before = target.read_bytes()
        for extra in ((), ("--stream",)):
            done = run("export", str(lod.example_path()), "-f", fmt, "-o", str(target), *extra)
            assert done.returncode == 1 and "lod leaves it alone" in done.stderr and str(target) in done.stderr, \
                (target, fmt, done.stderr)
            assert "Traceback" not in done.stderr
            assert target.read_bytes() == before
    ours = tmp_path / "ours.ttl"
    ours.write_text(EARLIER, encoding="utf-8")
    empty = tmp_path / "empty.nt"
    empty.write_text("", encoding="utf-8")
    earlier_jsonld = tmp_path / "earlier.jsonld"
    assert run("export", str(lod.example_path()), "-o", str(earlier_jsonld)).returncode == 0
    for target in (ours, empty, earlier_jsonld):
        done = run("export", str(lod.example_path()), "-o", str(target))
        assert done.returncode == 0, done.stderr
        assert "Madina" in target.read_text(encoding="utf-8")


def test_interrupted_write_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "out.nt"
    target.write_text("old\n", encoding="utf-8")

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(lod.WriteError, match="No space left"):
        lod.dump(lod.load_catalogue(lod.example_path()), target)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.nt"]


def test_unknown_format_and_bad_base_are_usage_errors(tmp_path):
    assert run("export", "-f", "rdfxml").returncode == 2
    out = run("export", "--base", "https://example.org/no-slash")
    assert out.returncode == 1 and "base" in out.stderr


def test_missing_catalogue_file_is_could_not_run(tmp_path):
    # the README: 2 is "could not run"; a missing file is not bad input (before: exit 1)
    for args in (("export", str(tmp_path / "nope.yaml")), ("validate", str(tmp_path / "nope.yaml")),
                 ("export", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "out.ttl"))):
        out = run(*args)
        assert out.returncode == 2 and "could not run" in out.stderr and "nope." in out.stderr, out.stderr


def test_schema_command_prints_the_published_schema():
    out = run("schema")
    assert out.returncode == 0
    assert json.loads(out.stdout)["$id"].endswith("catalogue.schema.json")


def test_export_reads_lod_rdf_back(tmp_path, seed):
    ttl = tmp_path / "cat.ttl"
    lod.dump(seed, ttl)
    out = tmp_path / "cat.jsonld"
    assert main(["export", str(ttl), "-f", "json-ld", "-o", str(out)]) == 0
    assert lod.from_graph(lod.read_graph(out)) == seed


# --- the format and the output follow what the user wrote (issue: a new user's first hour) ---------------

@pytest.mark.parametrize("name, parse", [("out.jsonld", "json-ld"), ("out.nt", "nt"), ("out.ttl", "turtle"),
                                         ("out.turtle", "turtle"), ("out.json", "json-ld")])
def test_the_format_follows_the_file_name(tmp_path, seed, name, parse):
    target = tmp_path / name
    done = run("export", "-o", str(target))  # no -f: before, Turtle went into every file
    assert done.returncode == 0, done.stderr
    assert lod.from_graph(lod.read_graph(target, parse)) == seed
    assert run("validate", str(target)).returncode == 0  # and lod reads back what it wrote, by the same name


def test_a_format_that_contradicts_the_file_name_is_an_error(tmp_path):
    target = tmp_path / "out.jsonld"
    done = run("export", "-f", "nt", "-o", str(target))
    assert done.returncode == 1 and "disagree" in done.stderr and not target.exists()
    several = run("export", "-f", "turtle,nt", "-o", str(tmp_path / "single.ttl"))
    assert several.returncode == 1 and "folder" in several.stderr
    assert not (tmp_path / "single.ttl").exists()  # before: a folder named single.ttl
    odd = run("export", "-o", str(tmp_path / "out.txt"))
    assert odd.returncode == 1 and "-f" in odd.stderr and not (tmp_path / "out.txt").exists()
    assert run("export", "-f", "nt", "-o", str(tmp_path / "out.txt")).returncode == 0  # said explicitly


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "films: []\n", "info: {id: c, names: {en: C}}\n"])
@pytest.mark.parametrize("suffix", [".yaml", ".jsonl"])
def test_an_empty_catalogue_is_an_input_error_and_the_old_export_stays(tmp_path, text, suffix):
    if suffix == ".jsonl":
        text = "" if not text or text.startswith(("#", "films")) else json.dumps({"info": {"id": "c", "names":
                                                                                                {"en": "C"}}}) + "\n"
    src = tmp_path / f"empty{suffix}"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "out.ttl"
    out.write_text(EARLIER, encoding="utf-8")
    for args in (("export", str(src), "-o", str(out)), ("export", str(src), "-o", str(out), "--keep-going"),
                 ("export", str(src), "-o", str(out), "--stream")):
        done = run(*args)
        assert done.returncode == 1 and "no record" in done.stderr, (args, done.stderr)
        assert out.read_text(encoding="utf-8") == EARLIER
    done = run("validate", str(src), "--profile", "core,web,wikidata,archive")
    assert done.returncode == 1 and "no record" in done.stderr  # before: all four profiles said it conforms


def test_keep_going_that_leaves_out_every_record_keeps_the_old_export(tmp_path):
    src = tmp_path / "bad.yaml"
    src.write_text("films:\n  - {id: f, titles: [{en: F}], date_created: 2019-02-30}\n", encoding="utf-8")
    out = tmp_path / "out.ttl"
    out.write_text(EARLIER, encoding="utf-8")
    for extra in ((), ("--stream",)):
        done = run("export", str(src), "-o", str(out), "--keep-going", *extra)
        assert done.returncode == 1 and "no record left" in done.stderr, done.stderr
        assert out.read_text(encoding="utf-8") == EARLIER


def test_a_new_folder_for_the_output_is_announced(tmp_path):
    target = tmp_path / "new" / "deeper" / "out.ttl"
    done = run("export", "-o", str(target))
    assert done.returncode == 0 and f"created folder {tmp_path / 'new'}" in done.stderr and target.is_file()
    for args in (("--stream", "-o", str(tmp_path / "newdir") + "/"), ("--stream", "-f", "nt", "-o",
                                                                       str(tmp_path / "nn" / "x.ttl"))):
        done = run("export", *args)
        if done.returncode == 0:
            assert "created folder" in done.stderr and (tmp_path / "newdir").is_dir()
        else:  # refused: nothing said to be created, nothing left behind
            assert "created folder" not in done.stderr and not (tmp_path / "nn").exists()


def test_strict_says_does_not_conform_and_infos_are_counted(tmp_path):
    lenient = run("validate", "--profile", "archive")  # the seed: warnings and infos, no violation
    assert lenient.returncode == 0 and lenient.stdout.startswith("conforms to archive")
    done = run("validate", "--profile", "archive", "--strict")
    head = done.stdout.splitlines()[0]
    assert done.returncode == 1 and head.startswith("does not conform (warnings fail with --strict)")
    assert " 6 info(s)" in head  # counted as the results list them
    info = run("validate", "--profile", "archive", "--format", "json")
    assert "infos" in json.loads(info.stdout)


def test_a_trailing_slash_is_a_folder_and_the_catalogue_is_never_overwritten(tmp_path):
    done = run("export", "-f", "turtle,nt", "-o", str(tmp_path / "rel.v2") + "/")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "rel.v2").iterdir()) == ["klassiki-interviews.nt", "klassiki-interviews.ttl"]
    notes = tmp_path / "notes"
    notes.write_text("precious", encoding="utf-8")
    assert run("export", "-f", "nt", "-o", str(notes) + "/").returncode == 1
    assert notes.read_text(encoding="utf-8") == "precious"
    victim = tmp_path / "victim.json"
    victim.write_text(json.dumps({"films": [{"id": "f", "titles": [{"text": "F", "lang": "en"}]}]}), encoding="utf-8")
    before = victim.read_bytes()
    for extra in ((), ("--stream",)):
        done = run("export", str(victim), "-o", str(victim), *extra)
        assert done.returncode == 1 and "is the catalogue being exported" in done.stderr, done.stderr
        assert victim.read_bytes() == before


def test_duplicate_ids_are_named_at_their_places_in_the_file(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text("films:\n  - {id: zulu, titles: [{en: Z}]}\n  - {id: alpha, titles: [{en: A}]}\n"
                    "people:\n  - {id: yankee, names: {en: Y}}\n  - {id: alpha, names: {en: A}}\n", encoding="utf-8")
    with pytest.raises(lod.CatalogueError) as info:
        lod.load_catalogue(path)
    (dup,) = info.value.problems
    assert isinstance(dup, lod.DuplicateId)
    assert dup.line == 6 and "films[1] (line 3)" in dup.message and "(this one is people[1])" in dup.message
