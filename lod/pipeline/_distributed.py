"""The streaming export, partitioned on Dask (``dask.distributed``).

The one export driver (:func:`lod.pipeline.export`) with a Dask executor (:class:`OnDask`) and a
folder of parts as its output (:class:`PartsFolder`). The JSON Lines catalogue is cut into
partitions on line boundaries (:func:`lod.stream.split`). Each partition runs the same passes as
the single-process export (:class:`lod.stream.Streamer`) as Dask tasks: scan, then check and map (with validation: spill, then validate with the
whole catalogue's index as context), then write its own files ``part-NNNNN.nt`` /
``.ttl`` / ``.jsonld`` and a partition report ``part-NNNNN.report.json``. A last step
writes ``manifest.json``: every file with its triple count and SHA-256, and the totals.

The scheduler is a ``LocalCluster`` of worker processes (``"local:2"``), or the address of a
running scheduler (``"tcp://10.0.0.5:8786"``): the code is the same. With a remote cluster
the catalogue and the output folder must be on storage every worker sees at the same path.

The index goes to every worker once, after the scan. What the shapes read on each part's records (its
context) is written by the part's map task to a file beside the spill, and every worker takes in the other
parts' files before it validates (:meth:`lod.stream.Streamer.take_contexts`): nothing of it passes through the
client.

The output folder appears whole or not at all: parts are written into a staging folder
beside it, which replaces the folder at the end.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .. import errors as E
from ..io import replace_dir, replaceable, staging_dir, usual_mode, write_atomic
from ._driver import Run, export as run_export, part_stem
from ._stream import DEFAULT_BATCH, JSONL_SUFFIXES, Index, Part, PartResult, Summary, split
from ..validation import DEFAULT_ENGINE
from ..io import format_name, format_of_suffix


PARTS_PER_WORKER = 4
"""Parts a worker by default. Tasks go to whichever worker is free, so with more parts than workers the last
tasks of a pass end closer together: at 100,000 films with validation on 2 workers (profiler on), 8 parts took
54.0 and 55.8 s and 4 parts 57.6 and 57.9 s, in two series of runs minutes apart (not paired run by run; the
issue-13 note). Each part adds its own index to merge, and 16 parts were slower again: 21.86 and 22.46 s
against 20.83 and 22.13 s for 8 (runs in turn, 8, 16, 8, 16; profiler off; commit 6ebce61)."""


class OnDask:
    """The executor of :func:`lod.pipeline.export` on a Dask cluster: the file cut into parts on line
    boundaries, each pass's tasks mapped over them, the catalogue's index broadcast to every worker."""

    def __init__(self, scheduler: Any, partitions: int | None = None) -> None:
        self.client, self.cluster = client_for(scheduler)
        self.own_client = self.client is not scheduler  # a Client passed in stays open for its owner
        self.partitions = partitions
        self.where = "on Dask"

    def parts(self, source: Path) -> list[Part]:
        n_workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        # JSON Lines are cut on line boundaries; a YAML or JSON catalogue is one part
        jsonl = source.suffix.lower() in JSONL_SUFFIXES
        found = split(source, self.partitions or PARTS_PER_WORKER * n_workers) if jsonl else [Part(str(source))]
        self.where = f"on Dask ({len(found)} parts)"
        return found

    def share(self, index: Index) -> Any:
        return self.client.scatter(index, broadcast=True, hash=False)

    def map(self, task: Any, jobs: list[Any], index: Any, run: Run, desc: str = "", total: int = 0) -> list[Any]:
        n = len(jobs)
        return list(self.client.gather(self.client.map(task, jobs, [index] * n, [run] * n, pure=False)))

    def close(self) -> None:
        if self.own_client:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


class PartsFolder:
    """The output of a Dask export: ``part-NNNNN.<ext>`` and ``part-NNNNN.report.json`` for each part and
    ``manifest.json``, written into a staging folder beside ``output`` that replaces it whole."""

    def __init__(self, source: Path, output: str | os.PathLike[str], formats: list[str]) -> None:
        self.source = source
        self.target = Path(output).resolve()
        self.formats = formats
        _check_target(self.target, source.resolve(), output)
        self.staging: Path | None = None
        self.made: list[Path] = []

    def open(self, stem: str, run: Run) -> None:
        self.made = [p for p in reversed(self.target.parents) if not p.exists()]  # removed again if nothing is written
        self.staging = staging_dir(self.target)
        run["folder"] = str(self.staging)
        run["formats"] = self.formats

    def spill(self) -> Path:
        assert self.staging is not None
        spill = self.staging / ".spill"  # on the storage the workers share
        spill.mkdir(exist_ok=True)
        return spill

    def publish(self, summary: Summary, parts: list[Part], results: list[PartResult]) -> None:
        assert self.staging is not None
        shutil.rmtree(self.staging / ".spill", ignore_errors=True)
        manifest = {"generator": "lod", "output": str(self.target), "parts": len(parts),
                    "files": _part_files(results, parts, self.staging, self.formats),
                    "compose": {fmt: COMPOSE[fmt] for fmt in self.formats}, **summary.as_dict()}
        # file names are written as the system holds them (a name that is not UTF-8 keeps its bytes)
        text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
        write_atomic(self.staging / "manifest.json", text.encode("utf-8", "surrogateescape"))
        usual_mode(self.staging)
        replace_dir(self.staging, self.target)
        summary.manifest = manifest
        summary.files = {"manifest": self.target / "manifest.json"}

    def discard(self) -> None:
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)  # gone after a swap; removed if anything failed
        for folder in reversed(self.made):  # folders made for a folder of parts not written
            try:
                folder.rmdir()
            except OSError:
                pass


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
    from dask.distributed import Client

    if scheduler is None or (isinstance(scheduler, str) and (scheduler == "local" or scheduler.startswith("local:"))):
        count = scheduler.split(":", 1)[1] if isinstance(scheduler, str) and ":" in scheduler else "2"
        if not count.isdigit() or not 1 <= int(count) <= 256:
            raise E.BadValue("local:N needs a number of worker processes from 1 to 256", field="--dask",
                             value=scheduler)
        cluster = local_cluster(int(count))
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


WORKER_CONFIG = {"distributed": {"worker": {"profile": {"enabled": False}, "preload": ["lod.pipeline"]}}}
"""Dask settings for the workers of a cluster lod starts. lod's pipeline is imported as each worker starts
(``preload``), not by its first task: at 100,000 films the scan pass took 1.63 and 1.66 s with it imported
beforehand (``client.run``), against 1.85 and 1.87 without (runs in turn; the issue-13 note). The statistical
profiler is off: it samples each task's
stack every 10 ms on the worker's event loop, and lod's tasks are pure Python with deep stacks: with it on, the
100,000-film export with validation on 2 workers took 54.0 and 55.8 s, against 48.1 and 51.2 s with it off
(runs in turn, on, off, on, off; 8 parts; commit cbb0d5a with the setting made by hand; the issue-13 note).
Set the same on the workers of a cluster of your own."""


WORKER_ENVIRON_DROPPED = ("MALLOC_TRIM_THRESHOLD_",)
"""What lod leaves out of the environment Dask's nannies give the worker processes they start
(``distributed.nanny.pre-spawn-environ``). ``MALLOC_TRIM_THRESHOLD_`` (Dask sets 65536) makes glibc hand freed
memory back to the system at once and, set at all, keeps large blocks (lod's spilled batches, its lists of
triples) on fresh pages: each is mapped, faulted in page by page, and unmapped again. The export of 20,000 films
with validation, run three times in turn in one worker, made 79,703 and 79,634 page faults (0.50 and 0.38 s of
system time) on its second and third runs with it, 13,471 and 14,183 (0.25 and 0.20 s) without; the wall times,
about 10 s, differed by less than the machine's noise (commit 0597c37; the issue-13 note)."""


def local_cluster(workers: int = 2, **options: Any) -> Any:
    """A ``LocalCluster`` of ``workers`` processes of one thread each, set up as lod's tasks run best
    (:data:`WORKER_CONFIG`, :data:`WORKER_ENVIRON_DROPPED`); ``options`` go to ``LocalCluster``
    (``dashboard_address``…)."""
    import dask.config
    from dask.distributed import LocalCluster

    options.setdefault("dashboard_address", None)
    config = dask.config.merge(dask.config.config, WORKER_CONFIG)  # (the worker takes this in place of its own)
    environ = {k: v for k, v in dask.config.get("distributed.nanny.pre-spawn-environ", {}).items()
               if k not in WORKER_ENVIRON_DROPPED}
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):  # (read as the nannies are made)
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, config=config, **options)


def export_on_dask(source: str | os.PathLike[str], output: str | os.PathLike[str],
                   formats: list[str] | tuple[str, ...] = ("nt",),
           *, scheduler: Any = "local:2", partitions: int | None = None, base: str | None = None,
           profiles: tuple[str, ...] = ("core",), validate: bool = True, keep_going: bool = False,
           engine: str = DEFAULT_ENGINE, batch_size: int = DEFAULT_BATCH,
           transcripts: str | os.PathLike[str] | None = None) -> Summary:
    """Export a catalogue on Dask: :func:`lod.pipeline.export` with :class:`OnDask` and :class:`PartsFolder`.

    Returns the :class:`~lod.stream.Summary`; ``summary.manifest`` is ``manifest.json`` as written.
    Without ``keep_going`` nothing is written when any record has a problem or a violation
    (``summary.published`` is false).
    """
    from ..mapping import DEFAULT_BASE

    src = Path(source)
    if not src.is_file():
        raise E.MissingFile("no such catalogue file", path=str(source))
    fmts = list(dict.fromkeys(format_name(f) for f in (formats or ["turtle"])))
    folder = PartsFolder(src, output, fmts)
    return run_export(src, output, fmts, executor=OnDask(scheduler, partitions), sink=folder,
                      base=base or DEFAULT_BASE, profiles=profiles, validate=validate, keep_going=keep_going,
                      engine=engine, batch_size=batch_size, transcripts=transcripts, quiet=True)


export = export_on_dask
"""The name ``lod.distributed.export`` had."""


def _part_files(results: list[PartResult], parts: list[Part], staging: Path, formats: list[str]
                ) -> list[dict[str, Any]]:
    """Each part's report (written here) and files, with their sizes and SHA-256, for the manifest."""
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
        report_path = staging / f"{part_stem(number)}.report.json"
        write_atomic(report_path, (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8",
                                                                                                "surrogateescape"))
        for fmt in formats:
            path = r.files.get(fmt)
            if path is None:
                continue
            files.append({"path": Path(path).name, "format": fmt, "part": number, "triples": r.triples,
                          "bytes": Path(path).stat().st_size, "sha256": r.sha256[fmt]})
        files.append({"path": report_path.name, "format": "report", "part": number,
                      "bytes": report_path.stat().st_size, "sha256": _sha256(report_path)})
    return files


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
    from ..io import writer_for

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
