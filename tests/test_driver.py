"""The one export driver (lod.pipeline.export) on the cases a review of it found wanting."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

import lod
from lod.cli import main
from lod.pipeline import export, export_on_dask


def test_a_catalogue_block_written_without_its_publisher_is_validated_as_written(tmp_path, capsys):
    """The archive profile needs the block's publisher: when the publisher is left out (here its same_as is not
    a Wikidata IRI it accepts), the block as it would be written breaks the profile, so nothing is written."""
    data = yaml.safe_load(lod.example_path().read_text(encoding="utf-8"))
    (org,) = [o for o in data["organizations"] if o["id"] == data["info"]["publisher"]]
    org["same_as"] = ["https://www.wikidata.org/wiki/Q1"]  # a page, not an entity IRI: a violation
    source = tmp_path / "catalogue.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out.ttl"
    assert main(["export", str(source), "--keep-going", "--profile", "core,archive", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert not out.exists() and "nothing written" in err
    assert "record 'info:klassiki-interviews' field 'publisher'" in err
    # with core only the block may go without a publisher: written, without the reference, and said so
    assert main(["export", str(source), "--keep-going", "-o", str(out)]) == 1
    assert "/organization/klassiki>" not in out.read_text(encoding="utf-8")
    assert "the catalogue block is written without it" in capsys.readouterr().err


def test_a_list_that_is_not_a_list_is_refused_and_an_empty_one_is_empty(tmp_path):
    one = tmp_path / "one.yaml"
    one.write_text("people:\n  id: p1\n  names: {en: P}\nfilms:\n  - {id: f, titles: {en: F}}\n", encoding="utf-8")
    summary = export(one, tmp_path / "one.nt", quiet=True)
    assert not summary.published and not (tmp_path / "one.nt").exists()
    assert summary.problems == ["one.yaml:1: record list 'people': must be a list of records (it is a dict)"]
    empty = tmp_path / "empty.yaml"
    empty.write_text("films:\n  - {id: f, titles: {en: F}}\npeople:\n", encoding="utf-8")
    summary = export(empty, tmp_path / "empty.nt", quiet=True)
    assert summary.complete and summary.records == summary.written == 1


def _two_blocks(tmp_path: Path) -> Path:
    lines = [json.dumps({"info": {"id": "first", "names": {"en": "First"}}})]
    lines += [json.dumps({"people": {"id": f"p{i:03d}", "names": {"en": f"P {i}"}}}) for i in range(200)]
    lines += [json.dumps({"info": {"id": "second", "names": {"en": "Second"}}})]
    path = tmp_path / "two.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_second_catalogue_block_is_the_same_problem_in_one_process_and_on_dask(tmp_path):
    source = _two_blocks(tmp_path)
    here = export(source, tmp_path / "here/", ["nt"], quiet=True)
    there = export_on_dask(source, tmp_path / "there", ["nt"], scheduler="local:2", partitions=2)
    expected = ["two.jsonl:202: a second catalogue block (info); the first is at two.jsonl:1: give one"]
    assert here.problems == there.problems == expected
    assert not here.published and not there.published


def test_a_failed_dask_export_removes_the_folders_it_made(tmp_path):
    source = tmp_path / "bad.yaml"
    source.write_text("films:\n  - {id: f, titles: {en: F}, directors: [nobody]}\n", encoding="utf-8")
    summary = export_on_dask(source, tmp_path / "new" / "sub" / "parts", ["nt"], scheduler="local:1",
                             keep_going=True)
    assert not summary.published and not (tmp_path / "new").exists()


def test_python_m_lod_docs_still_runs_the_vocab_command(tmp_path):
    done = subprocess.run([sys.executable, "-m", "lod.docs", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alignment.md", "catalogue.schema.json", "context.jsonld"]
