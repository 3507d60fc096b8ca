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
    target.write_text("previous\n", encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("films: [{id: f1, titles: {en: ''}}]\n", encoding="utf-8")
    assert main(["export", str(bad), "-o", str(target)]) == 1
    assert target.read_text(encoding="utf-8") == "previous\n"


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


def test_missing_catalogue_file(tmp_path):
    out = run("export", str(tmp_path / "nope.yaml"))
    assert out.returncode == 1 and "not found" in out.stderr


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
