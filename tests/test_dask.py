"""The partitioned export on Dask: a LocalCluster of 2 worker processes, and the same code against a
scheduler started separately on loopback (its address, as a remote cluster is given)."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from dask.distributed import Client

from lod.distributed import export as dask_export
from lod.stream import export, write_jsonl
from lod.synthetic import synthetic_data, synthetic_film


def _triples(path: Path) -> set[str]:
    return {str(t) for t in ox.parse(path.read_bytes(), format=ox.RdfFormat.N_TRIPLES)}


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> Path:
    data = synthetic_data(300)
    synthetic_film(data, 7)["availability"] = [{"platform": "platform", "starts": "2024-06-01", "ends": "2024-01-01"}]
    path = tmp_path_factory.mktemp("dask") / "catalogue.jsonl"
    write_jsonl(data, path)
    return path


def _check_folder(folder: Path, manifest: dict) -> set[str]:
    """Every file the manifest lists is there with its checksum; returns the parts' triples."""
    assert json.loads((folder / "manifest.json").read_text()) == manifest
    triples: set[str] = set()
    total = 0
    for entry in manifest["files"]:
        path = folder / entry["path"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
        assert path.stat().st_size == entry["bytes"]
        if entry["format"] == "nt":
            lines = path.read_text(encoding="utf-8").splitlines()
            assert len(lines) == entry["triples"]
            total += entry["triples"]
            triples |= _triples(path)
        elif entry["format"] == "report":
            report = json.loads(path.read_text())
            assert report["part"] == entry["part"] and report["records"] >= report["written"]
    assert total == manifest["triples"] == len(triples)
    return triples


def test_parts_on_a_local_cluster_equal_the_single_process_export(tmp_path, catalogue):
    single = export(catalogue, tmp_path / "single.nt", ["nt"], keep_going=True, quiet=True)
    summary = dask_export(catalogue, tmp_path / "parts", ["nt", "turtle"], scheduler="local:2", partitions=3,
                          keep_going=True)
    manifest = summary.manifest
    assert {k: manifest[k] for k in summary.as_dict()} == summary.as_dict()  # the manifest is the summary
    assert summary.line().endswith("on Dask (3 parts)")
    assert manifest["written"] and not manifest["complete"]
    assert manifest["parts"] == 3 and manifest["violations"] == single.violations == 1
    assert manifest["records"] == single.records and manifest["written_records"] == single.written
    assert _check_folder(tmp_path / "parts", manifest) == _triples(single.files["nt"])
    turtle = set()
    for entry in manifest["files"]:
        if entry["format"] == "turtle":
            turtle |= {str(t) for t in ox.parse((tmp_path / "parts" / entry["path"]).read_bytes(),
                                                format=ox.RdfFormat.TURTLE)}
    assert turtle == _triples(single.files["nt"])
    reports = [json.loads((tmp_path / "parts" / f"part-0000{i}.report.json").read_text()) for i in range(3)]
    assert [r["record"] for rep in reports for r in rep["results"] if r["severity"] == "violation"] == ["film-7"]


def test_nothing_is_written_on_dask_when_a_record_fails(tmp_path, catalogue):
    out = tmp_path / "parts"
    summary = dask_export(catalogue, out, ["nt"], scheduler="local:2")
    assert not summary.published and summary.violations == 1 and summary.written == 0 and not summary.manifest
    assert not out.exists() and not list(tmp_path.glob(".parts.staging*"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def scheduler_address():
    """A scheduler and two worker processes started as a deployment would start them."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                               "--port", str(port), "--no-dashboard"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)]
    procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "2",
                                   "--nthreads", "1", "--no-dashboard"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL))
    deadline = time.time() + 60
    while True:
        try:
            with Client(address, timeout=5) as client:
                client.wait_for_workers(2, timeout=60)
            break
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.5)
    try:
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            p.wait(timeout=30)


def test_the_same_code_runs_against_a_scheduler_address(tmp_path, catalogue, scheduler_address):
    local = dask_export(catalogue, tmp_path / "local", ["nt"], scheduler="local:2", partitions=4,
                        keep_going=True).manifest
    remote = dask_export(catalogue, tmp_path / "remote", ["nt"], scheduler=scheduler_address, partitions=4,
                         keep_going=True).manifest
    assert [(f["path"], f["sha256"]) for f in remote["files"] if f["format"] == "nt"] == \
        [(f["path"], f["sha256"]) for f in local["files"] if f["format"] == "nt"]
    _check_folder(tmp_path / "remote", remote)


def test_cli_exports_on_dask(tmp_path, catalogue):
    out = tmp_path / "cli"
    done = subprocess.run([sys.executable, "-m", "lod.cli", "export", str(catalogue), "--dask", "local:2", "-f", "nt",
                           "-o", str(out), "--keep-going"], capture_output=True, text=True)
    assert done.returncode == 1, done.stderr  # one record left out: the exit code says so
    assert "on Dask" in done.stderr and "1 violations" in done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["violations"] == 1 and manifest["written"]
    assert manifest["parts"] == 8  # by default four parts a worker (PARTS_PER_WORKER)


def test_the_cluster_lod_starts_runs_its_workers_without_the_profiler_and_the_trim_threshold():
    """local:N is lod.pipeline.local_cluster: its workers do not sample every task's stack and have lod's
    pipeline imported as they start (WORKER_CONFIG), and glibc keeps its own trim threshold
    (WORKER_ENVIRON_DROPPED); what else Dask sets for them is kept."""
    import dask.config

    from lod.distributed import client_for

    client, cluster = client_for("local:2")
    try:
        client.wait_for_workers(2)
        callbacks = client.run(lambda dask_worker: set(dask_worker.periodic_callbacks))
        environ = client.run(lambda: (os.environ.get("MALLOC_TRIM_THRESHOLD_"), os.environ.get("OMP_NUM_THREADS")))
        imported = client.run(lambda: "lod.pipeline._driver" in sys.modules)  # before any task: preloaded
    finally:
        client.close()
        cluster.close()
    assert len(callbacks) == 2
    for found in callbacks.values():
        assert "heartbeat" in found and "profile" not in found and "profile-cycle" not in found
    assert list(environ.values()) == [(None, "1")] * 2
    assert list(imported.values()) == [True, True]
    assert "MALLOC_TRIM_THRESHOLD_" in dask.config.get("distributed.nanny.pre-spawn-environ")  # as it was here


def test_a_yaml_catalogue_on_dask_is_one_part(tmp_path):
    import lod

    manifest = dask_export(lod.example_path(), tmp_path / "parts", ["nt"], scheduler="local:2", partitions=3).manifest
    assert manifest["parts"] == 1 and manifest["complete"]
    single = export(lod.example_path(), tmp_path / "single.nt", ["nt"], quiet=True)
    assert _check_folder(tmp_path / "parts", manifest) == _triples(single.files["nt"])


def test_a_duplicate_id_names_the_first_record_in_every_mode(tmp_path):
    """The index packs each record's first line into an integer: the duplicate's message still names the line of
    the first, in one process and when the duplicate is in a later Dask part than the first."""
    data = synthetic_data(40)
    first = dict(synthetic_film(data, 3))
    data["people"].append({**data["people"][0]})  # a person repeated at the end of the people
    path = tmp_path / "dup.jsonl"
    write_jsonl(data, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    with path.open("a", encoding="utf-8") as fh:  # a film repeated at the very end: the last part
        fh.write(json.dumps({"films": first}) + "\n")
    pid = data["people"][0]["id"]
    film_line = 1 + next(n for n, line in enumerate(lines) if json.loads(line).get("films", {}).get("id") == "film-3")
    person_line = 1 + next(n for n, line in enumerate(lines) if json.loads(line).get("people", {}).get("id") == pid)
    one = export(path, tmp_path / "one.nt", ["nt"], keep_going=True, quiet=True)
    parts = dask_export(path, tmp_path / "parts", ["nt"], scheduler="local:2", partitions=4, keep_going=True)
    for summary in (one, parts):
        text = "\n".join(summary.problems)
        assert f"record 'film-3' field 'id': id is already used by the record at dup.jsonl:{film_line}" in text, text
        assert f"record {pid!r} field 'id': id is already used by the record at dup.jsonl:{person_line}" in text, text
        assert len(summary.problems) == 2, summary.problems


def test_a_duplicate_id_in_a_json_file_names_the_first_by_its_place(tmp_path):
    data = synthetic_data(5)
    data["films"].append(dict(data["films"][2]))
    path = tmp_path / "dup.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    summary = export(path, tmp_path / "one.nt", ["nt"], keep_going=True, quiet=True)
    assert summary.problems == [f"dup.json:films[{len(data['films']) - 1}]: record 'film-2' field 'id': id is already "
                                f"used by the record at dup.json:films[2]"], summary.problems


def test_an_id_repeated_in_another_list_is_the_later_records_problem_in_file_order(tmp_path):
    """People are written after films, but the film that takes a person's id later in the file is the repeat."""
    data = synthetic_data(5)
    pid = data["people"][0]["id"]
    path = tmp_path / "dup.jsonl"
    write_jsonl({"people": data["people"]}, path)
    with path.open("a", encoding="utf-8") as fh:
        for film in data["films"]:
            fh.write(json.dumps({"films": {**film, "id": pid} if film["id"] == "film-1" else film}) + "\n")
    person_line = 1 + next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines())
                           if json.loads(line).get("people", {}).get("id") == pid)
    for summary in (export(path, tmp_path / "one.nt", ["nt"], keep_going=True, quiet=True),
                    dask_export(path, tmp_path / "parts", ["nt"], scheduler="local:2", partitions=3, keep_going=True)):
        repeats = [p for p in summary.problems if "already used" in p]
        assert len(repeats) == 1 and f"id is already used by the record at dup.jsonl:{person_line}" in repeats[0], \
            summary.problems
        film_line = len(data["people"]) + 1 + next(n for n, f in enumerate(data["films"]) if f["id"] == "film-1")
        assert repeats[0].startswith(f"dup.jsonl:{film_line}: "), repeats  # the film is the repeat, not the person
