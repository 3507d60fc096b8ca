"""The streaming export, partitioned on Dask (``dask.distributed``).

The JSON Lines catalogue is cut into partitions on line boundaries (:func:`lod.stream.split`).
Each partition runs the same passes as the single-process export (:class:`lod.stream.Streamer`)
as Dask tasks: scan, then check and map (with validation: spill, then validate with the
whole catalogue's index as context), then write its own files ``part-NNNNN.nt`` /
``.ttl`` / ``.jsonld`` and a partition report ``part-NNNNN.report.json``. A last step
writes ``manifest.json``: every file with its triple count and SHA-256, and the totals.

The scheduler is a ``LocalCluster`` of worker processes (``"local:2"``), or the address of a
running scheduler (``"tcp://10.0.0.5:8786"``): the code is the same. With a remote cluster
the catalogue and the output folder must be on storage every worker sees at the same path.

The output folder appears whole or not at all: parts are written into a staging folder
beside it, which replaces the folder at the end.
"""

from __future__ import annotations

import hashlib
import threading
import json
import os
import re
import shutil
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import errors as E
from .stream import (DEFAULT_BATCH, JSONL_SUFFIXES, Index, Part, PartResult, Sink, Streamer, in_writing_order, left_out_closure, no_records, scan,
                     split, written_dependents)
from .atomic import replace_dir, replaceable, staging_dir, usual_mode, write_atomic
from .writers import EXTENSIONS, format_name, format_of_suffix
from .validation import DEFAULT_ENGINE

_STREAMERS: dict[Any, Streamer] = {}


def _streamer(index: Index, settings: dict[str, Any]) -> Streamer:
    """One Streamer per worker process and index (the shapes are compiled once)."""
    key = (id(index), threading.get_ident(), json.dumps(settings, sort_keys=True))  # a worker may run threads
    found = _STREAMERS.get(key)
    if found is None:
        for old in [k for k in _STREAMERS if k[0] != id(index)]:
            del _STREAMERS[old]  # an earlier index (an earlier pass or export)
        found = _STREAMERS[key] = Streamer(index, **settings)
    return found


def _part_stem(number: int) -> str:
    return f"part-{number:05d}"


def _open_sinks(folder: str, number: int, formats: list[str]) -> dict[str, Sink]:
    return {fmt: Sink(Path(folder) / f"{_part_stem(number)}{EXTENSIONS[fmt]}", fmt) for fmt in formats}


def _map_task(part: Part, index: Index, settings: dict[str, Any], spill_dir: str) -> PartResult:
    return _streamer(index, settings).map_part(part, spill_dir)


def _validate_task(result: PartResult, index: Index, settings: dict[str, Any], number: int, folder: str,
                   formats: list[str]) -> PartResult:
    """Validate the part, writing each batch's clean records as it goes."""
    sinks = _open_sinks(folder, number, formats)
    try:
        _streamer(index, settings).validate_part(result, first=number == 0, out=sinks)
    finally:
        for sink in sinks.values():
            sink.close()
    result.files = {fmt: str(sink.path) for fmt, sink in sinks.items()}
    return result





def _write_task(result: PartResult, index: Index, settings: dict[str, Any], number: int, folder: str,
                formats: list[str], left_out: set[str]) -> PartResult:
    sinks = _open_sinks(folder, number, formats)
    result.triples = result.written = 0  # the part's files are written anew
    try:
        _streamer(index, settings).write_part(result, sinks, left_out, with_info=number == 0)
    finally:
        for sink in sinks.values():
            sink.close()
    result.files = {fmt: str(sink.path) for fmt, sink in sinks.items()}
    return result


def _map_write_task(part: Part, index: Index, settings: dict[str, Any], number: int, folder: str,
                    formats: list[str]) -> PartResult:
    sinks = _open_sinks(folder, number, formats)
    try:
        result = _streamer(index, settings).map_and_write(part, sinks, with_info=number == 0)
    finally:
        for sink in sinks.values():
            sink.close()
    result.files = {fmt: str(sink.path) for fmt, sink in sinks.items()}
    return result


def is_parts_folder(folder: Path) -> bool:
    """Whether a folder holds Dask parts lod wrote (its manifest.json is lod's)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and (manifest.get("generator") == "lod"
                                           or {"files", "parts", "triples", "complete"} <= set(manifest))


def _check_target(target: Path, source: Path, output: Any) -> None:
    if format_of_suffix(target) is not None and not target.is_dir():
        raise E.BadValue(f"a Dask export writes a folder of parts, and {target.name!r} names a file; give a folder "
                         "(-o parts/)", field="--output", value=str(output))
    if not replaceable(target, is_parts_folder):
        raise E.BadValue(f"{target} is not a folder of Dask parts lod wrote (no lod manifest.json) and is not empty; "
                         "lod replaces the whole folder, so name a new or empty folder", field="--output",
                         value=str(output))
    if source.is_relative_to(target):
        raise E.BadValue(f"the catalogue {source.name} is inside the output folder, which lod replaces whole; "
                         "write the parts elsewhere", field="--output", value=str(output))


def client_for(scheduler: Any) -> tuple[Any, Any]:
    """A Dask client for ``"local"``, ``"local:N"`` (N worker processes), an address, or a Client (as is).

    Returns (client, cluster or None): a cluster made here is closed with the client.
    """
    from dask.distributed import Client, LocalCluster

    if scheduler is None or (isinstance(scheduler, str) and (scheduler == "local" or scheduler.startswith("local:"))):
        count = scheduler.split(":", 1)[1] if isinstance(scheduler, str) and ":" in scheduler else "2"
        if not count.isdigit() or not 1 <= int(count) <= 256:
            raise E.BadValue("local:N needs a number of worker processes from 1 to 256", field="--dask",
                             value=scheduler)
        n = int(count)
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster), cluster
    if isinstance(scheduler, str):
        if not re.match(r"(tcp|tls|inproc|ucx|ws|wss)://[^/\s]+\Z", scheduler):
            raise E.BadValue("not a Dask scheduler: use local:N or an address such as tcp://host:8786",
                             field="--dask", value=scheduler)
        try:
            return Client(scheduler, timeout=30), None
        except (OSError, TimeoutError) as exc:
            raise E.WriteError(f"could not reach the Dask scheduler at {scheduler}: {exc}") from None
    return scheduler, None


def export(source: str | os.PathLike[str], output: str | os.PathLike[str], formats: list[str] | tuple[str, ...] = ("nt",),
           *, scheduler: Any = "local:2", partitions: int | None = None, base: str | None = None,
           profiles: tuple[str, ...] = ("core",), validate: bool = True, keep_going: bool = False,
           engine: str = DEFAULT_ENGINE, batch_size: int = DEFAULT_BATCH,
           transcripts: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Export a JSON Lines catalogue on Dask; returns the manifest (also written as ``manifest.json``).

    Without ``keep_going`` nothing is written when any record has a problem or a violation
    (the manifest is still returned, with ``"written": false``).
    """
    from .mapping import DEFAULT_BASE
    from .validation import profile_names

    t_start = time.perf_counter()
    src = Path(source).resolve()
    if not src.is_file():
        raise E.MissingFile("no such catalogue file", path=str(source))
    fmts = list(dict.fromkeys(format_name(f) for f in (formats or ["turtle"])))
    names = profile_names(profiles) if validate else ("core",)
    settings = {"base": base or DEFAULT_BASE, "profiles": names, "validate": validate, "engine": engine,
                "batch_size": batch_size,
                "transcripts": None if transcripts is None else str(Path(transcripts).resolve())}
    target = Path(output).resolve()
    _check_target(target, src, output)
    client, cluster = client_for(scheduler)
    try:
        staging = staging_dir(target)
    except BaseException:
        client.close()
        if cluster is not None:
            cluster.close()
        raise
    spill_dir = staging / ".spill"
    spill_dir.mkdir()
    own_client = client is not scheduler  # a Client passed in stays open for its owner
    phases: dict[str, float] = {}
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        # JSON Lines are cut on line boundaries; a YAML or JSON catalogue is one part
        parts = split(src, partitions or 2 * n_workers) if src.suffix.lower() in JSONL_SUFFIXES else [Part(str(src))]
        t0 = time.perf_counter()
        index = Index()
        for found in client.gather(client.map(scan, parts)):
            index.merge(found)
        no_records(index, src)
        parts = in_writing_order(parts, index)  # so that they concatenate to the single file
        phases["scan"] = time.perf_counter() - t0
        # the catalogue's index goes to every worker once
        t0 = time.perf_counter()
        index_f = client.scatter(index, broadcast=True, hash=False)
        numbers = list(range(len(parts)))
        if validate:
            results = client.gather(client.map(_map_task, parts, [index_f] * len(parts), [settings] * len(parts),
                                               [str(spill_dir)] * len(parts), pure=False))
            phases["map"] = time.perf_counter() - t0
            for r in results:
                index.context.update(r.context)
                r.context = {}
            t0 = time.perf_counter()
            index_f = client.scatter(index, broadcast=True, hash=False)
            results = client.gather(client.map(_validate_task, results, [index_f] * len(parts),
                                               [settings] * len(parts), numbers, [str(staging)] * len(parts),
                                               [fmts] * len(parts), pure=False))
            phases["validate+write"] = time.perf_counter() - t0
            problem_ids = set().union(*(r.left_out | r.bad for r in results))
            left_out = left_out_closure(results, problem_ids) if problem_ids else set()
            if keep_going and left_out:
                # parts holding a record written early that refers to one found wanting later: written again
                t0 = time.perf_counter()
                again = [n for n, flag in zip(numbers, client.gather(client.map(
                    Streamer.needs_rewrite, results, [left_out] * len(parts), pure=False))) if flag]
                redone = client.gather(client.map(_write_task, [results[n] for n in again], [index_f] * len(again),
                                                  [settings] * len(again), again, [str(staging)] * len(again),
                                                  [fmts] * len(again), [left_out] * len(again), pure=False))
                for n, r in zip(again, redone):
                    results[n] = r
                phases["rewrite"] = time.perf_counter() - t0
        else:
            results = client.gather(client.map(_map_write_task, parts, [index_f] * len(parts),
                                               [settings] * len(parts), numbers, [str(staging)] * len(parts),
                                               [fmts] * len(parts), pure=False))
            phases["map+write"] = time.perf_counter() - t0
            left_out = set().union(*(r.left_out for r in results))
            if left_out:  # records written before the record they refer to was found wanting
                reported = {p.record for r in results for p in r.problems}
                late = client.gather(client.map(written_dependents, parts, [left_out] * len(parts), pure=False))
                for r, found in zip(results, late):
                    r.problems += [p for p in found if p.record not in reported]
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if own_client:
            client.close()
        if cluster is not None:
            cluster.close()
    try:
        shutil.rmtree(spill_dir, ignore_errors=True)
        manifest = _manifest(results, parts, staging, target, fmts, phases, t_start)
        info_problem = Streamer(index, **settings).info_problem  # type: ignore[arg-type]
        if info_problem is not None:
            manifest["problems"].insert(0, str(info_problem))
        manifest["left_out"] = len(left_out)
        unplaced = any(not r.record or r.record.startswith("info:") for p in results for r in p.results
                       if r.severity == "violation")
        complete = not manifest["problems"] and manifest["violations"] == 0
        manifest["complete"] = complete
        manifest["written"] = complete or (keep_going and not unplaced and info_problem is None
                                           and manifest["written_records"] > 0)
        if keep_going and not complete and manifest["written_records"] == 0:
            manifest["problems"].append("no record left to write: the earlier export, if any, is kept")
        if manifest["written"]:
            # file names are written as the system holds them (a name that is not UTF-8 keeps its bytes)
            text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
            write_atomic(staging / "manifest.json", text.encode("utf-8", "surrogateescape"))
            usual_mode(staging)
            replace_dir(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone after a swap; removed if anything failed
    return manifest


def _manifest(results: list[PartResult], parts: list[Part], staging: Path, target: Path, formats: list[str],
              phases: dict[str, float], t_start: float) -> dict[str, Any]:
    files = []
    for number, (part, r) in enumerate(zip(parts, results)):
        source: dict[str, Any] = {"path": part.path, "start": part.start, "end": part.end, "first_line": part.first_line}
        if part.order is not None:  # the file was not in writing order: the part is these lines, in this order
            source = {"path": part.path, "lines": [line for _, line in part.order]}
        report = {"part": number, "source": source,
                  "records": r.records, "written": r.written, "triples": r.triples,
                  "violations": sum(1 for x in r.results if x.severity == "violation"),
                  "warnings": sum(1 for x in r.results if x.severity == "warning"),
                  "problems": [str(p) for p in r.problems], "results": [asdict(x) for x in r.results],
                  "seconds": r.seconds}
        report_path = staging / f"{_part_stem(number)}.report.json"
        write_atomic(report_path, (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8",
                                                                                                "surrogateescape"))
        for fmt in formats:
            path = r.files.get(fmt)
            if path is None:
                continue
            files.append({"path": Path(path).name, "format": fmt, "part": number, "triples": r.triples,
                          "bytes": Path(path).stat().st_size, "sha256": _sha256(Path(path))})
        files.append({"path": report_path.name, "format": "report", "part": number,
                      "bytes": report_path.stat().st_size, "sha256": _sha256(report_path)})
    return {"generator": "lod", "output": str(target), "parts": len(parts), "files": files,
            "compose": {fmt: COMPOSE[fmt] for fmt in formats},
            "records": sum(r.records for r in results), "written_records": sum(r.written for r in results),
            "triples": sum(r.triples for r in results),
            "violations": sum(1 for r in results for x in r.results if x.severity == "violation"),
            "warnings": sum(1 for r in results for x in r.results if x.severity == "warning"),
            "problems": [str(p) for r in results for p in r.problems],
            "seconds": round(time.perf_counter() - t_start, 3), "phases": {k: round(v, 3) for k, v in phases.items()}}


COMPOSE = {
    "nt": "the parts concatenated in order are the single-file export",
    "turtle": "the parts concatenated in order, each after the first without its prefix header (the lines up to "
              "and including the first empty line), are the single-file export",
    "json-ld": "each part is a JSON-LD document with the same @context; the members of their @graph arrays, in "
               "order, are those of the single-file export",
}
"""How a format's parts make the single-file export (``manifest.json`` says it too); :func:`joined` does it."""


def joined(folder: str | os.PathLike[str], fmt: str) -> bytes:
    """The single-file export that a folder of Dask parts holds: byte for byte what ``lod export --stream`` writes.

    ``tests/test_write_paths.py`` compares the two.
    """
    from .fastwrite import writer_for

    fmt = format_name(fmt)
    header, _, footer = writer_for(fmt)
    head, foot = header.encode("utf-8"), footer.encode("utf-8")
    where = Path(folder) / "manifest.json"
    try:
        manifest = json.loads(where.read_text(encoding="utf-8"))
        paths = [Path(folder) / f["path"] for f in sorted(manifest["files"], key=lambda f: f["part"])
                 if f["format"] == fmt]
    except FileNotFoundError:
        raise E.MissingFile("no manifest.json: not a folder of Dask parts lod wrote", path=str(where)) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise E.FileError(f"not a manifest lod wrote ({type(exc).__name__}: {exc})", path=str(where)) from None
    if not paths:
        raise E.FileError(f"the manifest lists no {fmt} parts (formats here: "
                          f"{', '.join(sorted(manifest.get('compose', {}))) or 'none'})", path=str(where))
    bodies = []
    for path in paths:
        data = path.read_bytes()
        if not (data.startswith(head) and data.endswith(foot)):
            raise E.FileError(f"not a {fmt} part lod wrote (its header or footer differs)", path=str(path))
        bodies.append(data[len(head):len(data) - len(foot)])
    if fmt == "json-ld":
        return head + b",\n".join(b for b in bodies if b) + foot
    return head + b"".join(bodies) + foot


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
