"""``kill -9`` at any moment leaves the previous output whole, and the next run leaves no debris.

Each writer (``lod export`` in memory, ``--stream``, ``--dask``, ``lod bag``, ``lod html``) is run
once to completion, then killed with SIGKILL at several moments spread over its running time,
then run once more. After every kill the output is the complete earlier one, byte for byte; after
the last run, the output folder holds only the output and the temp folder no spill. At the commit
before this file (4c71994) killed streaming runs left ``.NAME.*.tmp`` files and ``.lod-spill-*``
folders in the output folder and Dask runs ``.NAME.staging-*`` folders, which no later run removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from lod.atomic import _HOST, replace_dir, staging_dir, sweep, temp_beside
from lod.synthetic import synthetic_data, write_synthetic_jsonl

ORG, EMAIL = "Klassiki", "archive@example.org"


def _digest(path: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    if path.is_file():
        return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()}
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()  # what a killed run left
            for p in sorted(path.rglob("*")) if p.is_file() and not p.name.endswith(skip) and not p.name.startswith(".")}


def _env(tmp: Path) -> dict[str, str]:
    return {**os.environ, "TMPDIR": str(tmp)}  # spill folders go here, where the test can see them


def _run(args: list[str], env: dict[str, str], kill_after: float | None = None) -> int | None:
    proc = subprocess.Popen([sys.executable, "-m", "lod.cli", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    if kill_after is None:
        return proc.wait(timeout=300)
    time.sleep(kill_after)
    os.kill(proc.pid, signal.SIGKILL)  # lod itself, as kill -9 PID would
    proc.wait()
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # and whatever it started (Dask workers), as a crash would end them
    except ProcessLookupError:
        pass
    time.sleep(0.2)
    return None


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("kill-sources")
    yml = folder / "big.yaml"
    yml.write_text(yaml.safe_dump(synthetic_data(1200), allow_unicode=True), encoding="utf-8")
    small = folder / "small.yaml"  # a bag validates four views with pyshacl: fewer films keep it to seconds
    small.write_text(yaml.safe_dump(synthetic_data(250), allow_unicode=True), encoding="utf-8")
    return {"yaml": yml, "small": small, "jsonl": write_synthetic_jsonl(6000, folder / "films.jsonl")}


CASES = {
    "export": lambda s, out: ["export", str(s["yaml"]), "-f", "turtle", "-o", str(out / "klassiki.ttl")],
    "stream": lambda s, out: ["export", str(s["jsonl"]), "-f", "turtle,nt,json-ld", "-o", str(out / "rdf")],
    "dask": lambda s, out: ["export", str(s["jsonl"]), "--dask", "local:2", "-o", str(out / "parts")],
    "bag": lambda s, out: ["bag", str(s["small"]), str(out / "bag"), "--source-org", ORG, "--contact-email", EMAIL],
    "html": lambda s, out: ["html", str(s["yaml"]), "-o", str(out / "site")],
}
TARGET = {"export": "klassiki.ttl", "stream": "rdf", "dask": "parts", "bag": "bag", "html": "site"}


@pytest.mark.parametrize("case", list(CASES))
def test_kill_9_leaves_the_previous_output_whole_and_the_next_run_no_debris(case, sources, tmp_path):
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    out.mkdir()
    tmp.mkdir()
    env = _env(tmp)
    args = CASES[case](sources, out)
    target = out / TARGET[case]
    skip = ("manifest.json", ".report.json", "bag-info.txt", "tagmanifest-sha256.txt",  # timings and dates
            "tagmanifest-sha512.txt")
    t0 = time.perf_counter()
    assert _run(args, env) == 0
    took = time.perf_counter() - t0
    before = _digest(target, skip)
    assert before
    for fraction in (0.2, 0.45, 0.7, 0.9):
        _run(args, env, kill_after=took * fraction)
        assert target.exists(), f"killed at {fraction:.0%}: the previous output is gone"
        assert _digest(target, skip) == before, f"killed at {fraction:.0%}: the output is not the whole previous one"
        if case == "dask":
            json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert _run(args, env) == 0
    assert _digest(target, skip) == before
    assert sorted(p.name for p in out.iterdir()) == [target.name], "debris beside the output"
    assert not [p for p in out.rglob(".*") if ".lod-" in p.name and p.name != ".lod-site"], "debris in the output"
    assert not list(tmp.glob("lod-spill-*")), "spill folders left in the temp folder"


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_sweep_removes_only_lod_debris_of_processes_that_are_gone(tmp_path):
    target = tmp_path / "out.ttl"
    dead, live = _dead_pid(), os.getpid()
    other_host = "0" * 6 if _HOST != "0" * 6 else "1" * 6
    debris = [tmp_path / f".out.ttl.lod-{_HOST}-{dead}-abc123.tmp", tmp_path / f".out.ttl.lod-staging-{_HOST}-{dead}-x1"]
    keep = [tmp_path / f".out.ttl.lod-{_HOST}-{live}-abc123.tmp", tmp_path / ".out.ttl.notes", tmp_path / "out.ttl.bak",
            tmp_path / f".other.ttl.lod-{_HOST}-{dead}-abc123.tmp",
            tmp_path / f".out.ttl.lod-{other_host}-{dead}-abc123.tmp",  # another machine's, on a shared disk
            tmp_path / ".out.ttl.previous", tmp_path / ".out.ttl.staging-area", tmp_path / ".out.ttl.notes_v2.tmp"]
    debris[0].write_text("half")
    debris[1].mkdir()
    (debris[1] / "part-00000.ttl").write_text("half")
    for path in keep:
        path.write_text("someone's")
    assert sorted(sweep(target)) == sorted(debris)
    assert all(p.exists() for p in keep) and not any(p.exists() for p in debris)


def test_a_run_killed_between_the_two_renames_gets_its_folder_back(tmp_path, monkeypatch):
    # Where the system has no RENAME_EXCHANGE, replace_dir renames the old folder aside first.
    import lod.atomic as atomic

    target = tmp_path / "site"
    target.mkdir()
    (target / "index.html").write_text("old site")
    aside = tmp_path / f".site.lod-previous-{_HOST}-{_dead_pid()}"
    target.rename(aside)  # the state a kill between the two renames leaves
    staging = staging_dir(target)  # the next run: its sweep restores the old folder first
    assert (target / "index.html").read_text() == "old site" and not aside.exists()
    (staging / "index.html").write_text("new site")
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    replace_dir(staging, target)
    assert (target / "index.html").read_text() == "new site"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_folders_are_swapped_in_one_step(tmp_path):
    target = tmp_path / "parts"
    target.mkdir()
    (target / "a").write_text("old")
    staging = staging_dir(target)
    (staging / "a").write_text("new")
    replace_dir(staging, target)
    assert (target / "a").read_text() == "new" and sorted(p.name for p in tmp_path.iterdir()) == ["parts"]
    tmp = temp_beside(tmp_path / "x.ttl")
    assert tmp.name.startswith(f".x.ttl.lod-{_HOST}-{os.getpid()}-") and tmp.name.endswith(".tmp")


def test_several_formats_are_replaced_together(tmp_path, monkeypatch):
    # the data of every format is written before any file is renamed into place
    import lod.atomic as atomic

    a, b = tmp_path / "x.ttl", tmp_path / "x.jsonld"
    a.write_text("old a")
    b.write_text("old b")
    renamed: list[str] = []
    real = atomic.publish_file

    def publish(tmp, target):
        renamed.append(Path(target).name)
        assert Path(tmp).read_bytes() in (b"new a", b"new b")
        assert all(p.read_text().startswith("old") for p in (a, b) if p.name not in renamed[:-1])
        real(tmp, target)

    monkeypatch.setattr(atomic, "publish_file", publish)
    atomic.write_all_atomic({a: b"new a", b: b"new b"})
    assert a.read_text() == "new a" and b.read_text() == "new b" and renamed == ["x.ttl", "x.jsonld"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.jsonld", "x.ttl"]
