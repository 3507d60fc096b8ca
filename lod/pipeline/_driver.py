"""The one export driver: scan, check and map, validate, write, then decide what is published.

Every export runs :func:`export`: ``lod export`` (a YAML, JSON or JSON Lines catalogue, to files
or to stdout), :func:`lod.stream.export` and :func:`lod.distributed.export`. What differs is
only *where* the passes run and *what* is written:

- an **executor** runs a pass's tasks: :class:`InProcess` (one part, the whole file, with
  progress bars) or :class:`lod.distributed.OnDask` (parts cut on line boundaries, tasks on a
  Dask cluster);
- an **output** receives the parts' files: :class:`Files` (one file a format, written to a temp
  file and renamed into place, or copied to stdout) or :class:`lod.distributed.PartsFolder` (a
  folder of parts with ``manifest.json``, swapped in whole).

The passes, the keep-going policy (:func:`decide`) and the reference closure
(:func:`lod.stream.left_out_closure`) are written once, here and in :mod:`lod.stream`, and give
one :class:`lod.stream.Summary` in every mode. The tasks are module functions taking
``(job, index, run)``: picklable, so Dask ships them as they are.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from .. import errors as E
from ..io import publish_file, spill_dir, temp_beside
from ..mapping import DEFAULT_BASE, check_base
from ._stream import (DEFAULT_BATCH, Index, Part, PartResult, Problem, Sink, Streamer, Summary, in_writing_order,
                      left_out_closure, no_records, not_the_source, output_paths, progress_bar, scan, settle_duplicates,
                      written_dependents)
from ..validation import DEFAULT_ENGINE, ENGINES, profile_names
from ..io import EXTENSIONS, format_name

Run = dict[str, Any]
"""What every task of an export needs besides its own job: settings, where the files go, the left-out ids."""


# --- the tasks (the same code in one process or on a Dask worker) ---------------------------

_STREAMERS: dict[Any, Streamer] = {}


def _streamer(index: Index, settings: dict[str, Any]) -> Streamer:
    """One Streamer per process, thread, index and settings (the shapes are compiled once)."""
    import json

    key = (id(index), threading.get_ident(), json.dumps(settings, sort_keys=True))  # a worker may run threads
    found = _STREAMERS.get(key)
    if found is None:
        for old in [k for k in _STREAMERS if k[0] != id(index)]:
            del _STREAMERS[old]  # an earlier index (an earlier export)
        found = _STREAMERS[key] = Streamer(index, **settings)
    return found


def sink_paths(run: Run, number: int) -> dict[str, Path]:
    """Format -> the file part ``number`` writes: the output's temp files, or ``part-NNNNN.<ext>`` in a folder."""
    if "folder" in run:
        return {fmt: Path(run["folder"]) / f"{part_stem(number)}{EXTENSIONS[fmt]}" for fmt in run["formats"]}
    return {fmt: Path(path) for fmt, path in run["files"].items()}


def part_stem(number: int) -> str:
    return f"part-{number:05d}"


def _with_sinks(run: Run, number: int, write: Callable[[dict[str, Sink]], PartResult]
                ) -> PartResult:
    sinks = {fmt: Sink(path, fmt, hashed="folder" in run) for fmt, path in sink_paths(run, number).items()}
    try:
        done = write(sinks)
    finally:
        for sink in sinks.values():
            sink.close()
    done.files = {fmt: str(sink.path) for fmt, sink in sinks.items()}
    done.sha256 = {fmt: sink.sha256 for fmt, sink in sinks.items() if sink.sha256 is not None}
    return done


def scan_task(job: tuple[int, Part], index: Any, run: Run) -> Index:
    number, part = job
    keep = os.path.join(run["decoded"], f"scan-{number:05d}.marshal") if run.get("decoded") else None
    return scan(part, keep)


def map_task(job: tuple[int, Part], index: Index, run: Run) -> PartResult:
    """Check and map a part, spilling its batches (with validation)."""
    return _streamer(index, run["settings"]).map_part(job[1], run["spill"], run.get("progress"),
                                                      ship=not run.get("in_place"))


def validate_task(job: tuple[int, PartResult], index: Index, run: Run) -> PartResult:
    """Validate a mapped part, writing each batch's clean records as it goes."""
    number, result = job

    def write(sinks: dict[str, Sink]) -> PartResult:
        streamer = _streamer(index, run["settings"])
        streamer.take_contexts(run["contexts"])  # the other parts' (files from their map tasks; none in one process)
        streamer.validate_part(result, first=number == 0, progress=run.get("progress"),
                                                        out=sinks, doomed=run["doomed"])
        return result
    return _with_sinks(run, number, write)


def rewrite_task(job: tuple[int, PartResult], index: Index, run: Run) -> PartResult:
    """Write a part again without the records found wanting after it was written."""
    number, result = job

    def write(sinks: dict[str, Sink]) -> PartResult:
        result.triples = result.written = 0
        _streamer(index, run["settings"]).write_part(result, sinks, run["left_out"], with_info=number == 0,
                                                     progress=run.get("progress"))
        return result
    return _with_sinks(run, number, write)


def map_write_task(job: tuple[int, Part], index: Index, run: Run) -> PartResult:
    """Without validation: check, map and write a part in one pass."""
    number, part = job
    return _with_sinks(run, number, lambda sinks: _streamer(index, run["settings"]).map_and_write(
        part, sinks, with_info=number == 0, progress=run.get("progress")))


def needs_rewrite_task(job: tuple[int, PartResult], index: Any, run: Run) -> bool:
    return Streamer.needs_rewrite(job[1], run["left_out"])


def dependents_task(job: tuple[int, Part], index: Any, run: Run) -> list[Problem]:
    return written_dependents(job[1], run["left_out"])


# --- executors -----------------------------------------------------------------------------

class Executor(Protocol):
    """Where the passes run."""

    where: str
    """What the summary line says of it (``""`` in one process, ``on Dask (4 parts)``)."""

    def parts(self, source: Path) -> list[Part]: ...
    def share(self, index: Index) -> Any: ...
    def map(self, task: Callable[..., Any], jobs: list[Any], index: Any, run: Run, desc: str = "",
            total: int = 0) -> list[Any]: ...
    def close(self) -> None: ...


class InProcess:
    """The passes in this process, over the whole file as one part, with a progress bar each."""

    where = ""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet

    def parts(self, source: Path) -> list[Part]:
        return [Part(str(source))]

    def share(self, index: Index) -> Index:
        return index

    def map(self, task: Callable[..., Any], jobs: list[Any], index: Any, run: Run, desc: str = "",
            total: int = 0) -> list[Any]:
        with progress_bar(total, desc, self.quiet or not desc) as bar:
            return [task(job, index, {**run, "progress": bar}) for job in jobs]

    def close(self) -> None:
        pass


# --- outputs -------------------------------------------------------------------------------

class Output(Protocol):
    """Where the parts' files go, and how they are published."""

    def open(self, stem: str, run: Run) -> None: ...
    def spill(self) -> Path: ...
    def publish(self, summary: Summary, parts: list[Part], results: list[PartResult]) -> None: ...
    def discard(self) -> None: ...


class Files:
    """One file a format under ``output`` (a folder, or a file for one format), or stdout (``output=None``).

    Each file is written to a temp file beside it and renamed into place at the end; for stdout, to a
    temp file that is copied out once the export is known to be published.
    """

    def __init__(self, source: Path, output: str | os.PathLike[str] | None, formats: list[str] | None) -> None:
        self.source = source
        self.output = output
        self.formats = formats
        self.targets: dict[str, Path | None] = {}
        self.temps: dict[str, Path] = {}
        self.made: list[Path] = []
        self._spill: Path | None = None

    def spill(self) -> Path:
        if self._spill is None:
            self._spill = spill_dir()
        return self._spill

    def open(self, stem: str, run: Run) -> None:
        if self.output is None:
            if self.formats and len(self.formats) > 1:
                raise E.BadValue("several formats need -o DIR", field="--output")
            fmt = (self.formats or ["turtle"])[0]
            self.targets = {fmt: None}
            self.temps = {fmt: self.spill() / f"stdout{EXTENSIONS[fmt]}"}
        else:
            targets = output_paths(self.formats, self.output, stem)
            not_the_source(targets, self.source)
            self.made = [p for p in dict.fromkeys(a for t in targets.values() for a in reversed(t.parents))
                         if not p.exists()]
            for path in targets.values():
                path.parent.mkdir(parents=True, exist_ok=True)
            self.targets = dict(targets)
            self.temps = {fmt: temp_beside(path) for fmt, path in targets.items()}
        run["formats"] = list(self.targets)
        run["files"] = {fmt: str(path) for fmt, path in self.temps.items()}

    def publish(self, summary: Summary, parts: list[Part], results: list[PartResult]) -> None:
        for fmt, tmp in self.temps.items():
            target = self.targets[fmt]
            if target is None:
                with open(tmp, "rb") as fh:
                    shutil.copyfileobj(fh, sys.stdout.buffer)
                sys.stdout.flush()
            else:
                publish_file(tmp, target)
                summary.files[fmt] = target

    def discard(self) -> None:
        for tmp in self.temps.values():
            Path(tmp).unlink(missing_ok=True)
        if self._spill is not None:
            shutil.rmtree(self._spill, ignore_errors=True)
        for folder in reversed(self.made):  # folders made for files that were not published go again (if empty)
            try:
                folder.rmdir()
            except OSError:
                pass


# --- the driver ----------------------------------------------------------------------------

def export(source: str | os.PathLike[str], output: str | os.PathLike[str] | None, formats: Iterable[str] | None = None,
           *, executor: Executor | None = None, sink: Output | None = None, base: str = DEFAULT_BASE,
           profiles: Iterable[str] = ("core",), validate: bool = True, keep_going: bool = False,
           engine: str = DEFAULT_ENGINE, batch_size: int = DEFAULT_BATCH, shapes_dir: str | None = None,
           quiet: bool = False, transcripts: str | os.PathLike[str] | None = None) -> Summary:
    """Export a catalogue file (YAML, JSON or JSON Lines) to RDF: the one driver of every export.

    ``executor`` runs the passes (default :class:`InProcess`), ``sink`` receives the files (default
    :class:`Files` under ``output``; ``output=None`` is stdout). Files appear whole or not at all.
    Without ``keep_going``, nothing is written when any record has a problem or a violation; with
    it, such records are left out, with every record that refers to one (see :func:`decide`).
    """
    t_start = time.perf_counter()
    executor = executor if executor is not None else InProcess(quiet)
    try:  # an executor handed in is closed whatever happens (a Dask client, its cluster)
        asked = None if formats is None else list(dict.fromkeys(format_name(f) for f in formats))
        names = profile_names(profiles) if validate else ("core",)
        if engine not in ENGINES:
            raise E.BadValue(f"unknown engine; use one of {', '.join(ENGINES)}", field="engine", value=engine)
        src = Path(source)
        if not src.is_file():
            raise E.MissingFile("no such catalogue file" if not src.exists() else "not a file", path=str(source))
        settings = {"base": check_base(base), "profiles": names, "validate": validate, "engine": engine,
                    "batch_size": batch_size,
                    "shapes_dir": None if shapes_dir is None else str(Path(shapes_dir).resolve()),
                    "transcripts": None if transcripts is None else str(Path(transcripts).resolve())}
        out = sink if sink is not None else Files(src, output, asked)
        return _run(src, executor, out, settings, keep_going, t_start)
    finally:
        executor.close()
        _STREAMERS.clear()  # this process's: the index and the models it cached go with the export


def _run(src: Path, executor: Executor, out: Output, settings: dict[str, Any], keep_going: bool,
         t_start: float) -> Summary:
    phases: dict[str, float] = {}
    t0 = time.perf_counter()
    parts = executor.parts(src)
    decoded = spill_dir()  # each line is decoded once, by the scan: the later passes read what it decoded
    try:
        return _passes(src, executor, out, settings, keep_going, t_start, phases, t0, parts, decoded)
    finally:
        shutil.rmtree(decoded, ignore_errors=True)


def _passes(src: Path, executor: Executor, out: Output, settings: dict[str, Any], keep_going: bool,
            t_start: float, phases: dict[str, float], t0: float, parts: list[Part], decoded: Path) -> Summary:
    scanned = executor.map(scan_task, list(enumerate(parts)), None, {"decoded": str(decoded)})
    kept = [s.decoded for s in scanned]
    index = scanned.pop(0)  # the first part's index takes the others in (one index in memory, not two)
    while scanned:
        index.merge(scanned.pop(0))
    no_records(index, src)
    in_file_order = [replace(p, decoded=k) for p, k in zip(parts, kept)]
    settle_duplicates(index, in_file_order)  # (only if an id repeats: the file read again)
    ordered = in_writing_order(parts, index)  # so that the parts concatenate to the single file
    if ordered is parts:
        parts = in_file_order
    else:  # read again in writing order, from the file
        parts = ordered
        shutil.rmtree(decoded, ignore_errors=True)
    phases["scan"] = time.perf_counter() - t0
    here = _streamer(index, settings)  # this process's: the catalogue block, the file stem
    run: Run = {"settings": settings}
    try:
        out.open(here.info.id if here.info is not None else src.stem, run)
        run["spill"] = str(out.spill())
        jobs = list(enumerate(parts))
        total = index.records
        t0 = time.perf_counter()
        shared = executor.share(index)
        run["in_place"] = shared is index  # the parts' streamers keep what they find in this index
        extra: list[str] = []
        if settings["validate"]:
            results = executor.map(map_task, jobs, shared, run, "mapping", total)
            phases["mapping"] = time.perf_counter() - t0
            # what the shapes read on other records, the whole catalogue's, for every part: in the index already
            # when the parts ran in this process; else in files beside the spill, which each process takes in
            run["contexts"] = [r.context for r in results if r.context]
            # the records that did not load, and every record anywhere that refers to one: not validated
            unloaded = set().union(*(r.left_out for r in results))
            run["doomed"] = left_out_closure(results, unloaded) if unloaded else set()
            t0 = time.perf_counter()
            results = executor.map(validate_task, list(enumerate(results)), shared, run, "validating+writing", total)
            phases["validating+writing"] = time.perf_counter() - t0
            problem_ids = set().union(*(r.left_out | r.bad for r in results))
            left_out = left_out_closure(results, problem_ids) if problem_ids else set()
            extra = sorted(left_out - problem_ids)
            info_gone = {rid: fld for rid, fld in here.info_refs().items() if rid in left_out}
            if info_gone:  # the block is written without the reference: validate it as it will be written
                here.take_contexts(run["contexts"])
                found, _ = here.checker.check([], set(), info=here.info_triples(left_out), with_info=True,
                                              context=index.known(here.base))
                results[0].results = [x for x in results[0].results if not (x.record or "").startswith("info:")]
                results[0].results += found
            if keep_going and left_out:
                # parts holding a record written early that refers to one found wanting later: written again
                t0 = time.perf_counter()
                run["left_out"] = left_out
                again = [n for n, flag in enumerate(executor.map(needs_rewrite_task, list(enumerate(results)),
                                                                 None, run)) if flag or (n == 0 and info_gone)]
                for n, r in zip(again, executor.map(rewrite_task, [(n, results[n]) for n in again], shared, run,
                                                    "writing", total)):
                    results[n] = r
                phases["writing"] = time.perf_counter() - t0
        else:
            results = executor.map(map_write_task, jobs, shared, run, "mapping+writing", total)
            phases["mapping+writing"] = time.perf_counter() - t0
            left_out = set().union(*(r.left_out for r in results))
            info_gone = {rid: fld for rid, fld in here.info_refs().items() if rid in left_out}
            if left_out:  # records written before the record they refer to was found wanting
                run["left_out"] = left_out
                reported = {p.record for r in results for p in r.problems}
                for r, late in zip(results, executor.map(dependents_task, jobs, None, run)):
                    r.problems += [p for p in late if p.record not in reported]
        if info_gone:  # with validation the block is written again without the reference; without, it is written
            where = here.index.info_where
            extra_problems = [Problem("info", where, f"record 'info' field {fld!r}: refers to {rid!r}, which was left "
                                      f"out; " + ("the catalogue block is written without it" if settings["validate"]
                                                  else "written with the reference (validate to have it dropped)"),
                                      leaves_out=False) for rid, fld in sorted(info_gone.items())]
            results[0].problems += extra_problems
        summary = decide(results, here.info_problem, extra, keep_going, phases, t_start, executor.where)
        summary.left_out = len(left_out)
        summary.parts = len(parts)
        if not summary.published:
            summary.written = summary.triples = 0  # nothing was written
        summary.seconds = time.perf_counter() - t_start
        if summary.published:
            out.publish(summary, parts, results)  # a manifest holds the summary as it is now
        return summary
    finally:
        out.discard()  # temp files, the spill, folders made for nothing (after publishing: what is left)


def decide(results: list[PartResult], info_problem: Problem | None, extra: list[str], keep_going: bool,
           phases: dict[str, float], t_start: float, where: str) -> Summary:
    """The keep-going policy, once for every mode: what the parts found, and whether the files are published.

    ``phases`` gets each stage's seconds summed over the parts (``load``, ``map``, ``validate``, ``write``)
    beside the wall-clock seconds of the passes the driver timed.

    Published when nothing is wrong, or with ``keep_going`` when some record is left to write and no
    violation is about something that is not a record (the catalogue block) and the catalogue block
    loads.
    """
    problems = [str(p) for r in results for p in r.problems]
    if info_problem is not None:
        problems.insert(0, str(info_problem))
    problems += [f"record {rid!r}: left out: refers to a record that was left out" if keep_going else
                 f"record {rid!r}: refers to a record with a problem (with --keep-going both are left out)"
                 for rid in extra]
    found = [x for r in results for x in r.results]
    violations = [x for x in found if x.severity == "violation"]
    unplaced = [x for x in violations if not x.record or x.record.startswith("info:")]
    written = sum(r.written for r in results)
    complete = not problems and not violations
    published = complete or (keep_going and not unplaced and info_problem is None and written > 0)
    if keep_going and not complete and written == 0:
        problems.append("no record left to write: the earlier export, if any, is kept")
    for r in results:
        for stage, seconds in r.seconds.items():
            phases[stage] = phases.get(stage, 0.0) + seconds
    return Summary(records=sum(r.records for r in results), written=written,
                   triples=sum(r.triples for r in results), violations=len(violations),
                   warnings=sum(1 for x in found if x.severity == "warning"),
                   seconds=time.perf_counter() - t_start, problems=problems, results=found, files={},
                   phases=phases, complete=complete, published=published, where=where)
