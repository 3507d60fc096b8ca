"""Catalogue-scale export: lod's streaming path, on Dask, and the plain rdflib + pyshacl path, side by side.

    python benchmarks/bench_stream.py --films 10000,100000
    python benchmarks/bench_stream.py --films 1000000 --cases stream,stream-validate
    python benchmarks/bench_stream.py --films 10000,30000 --cases rdflib        # the reference path only
    python benchmarks/bench_stream.py --films 100000 --cases stream-validate,dask --repeat 2  # in turn, twice

Each (case, size) runs in a fresh subprocess, so its peak memory (RSS) is its own. The
synthetic catalogue (about 40 triples a film, people shared across films) is written once per
size as JSON Lines under --workdir and read by every case. Cases:

  stream           lod: read, check, map and write Turtle in batches (no validation)
  stream-validate  the same, validating every record against the core profile (compiled shapes)
  dask             stream-validate partitioned on a Dask LocalCluster of 2 worker processes, as
                   --dask local:2 starts it (lod.pipeline.local_cluster), in the default parts
  rdflib           the plain path: records, an rdflib Graph, rdflib's N-Triples writer, pyshacl
                   on the whole graph (rdflib's Turtle writer is left out: on lod's IRIs it is
                   quadratic, 350 s at 10,000 films; see bench.py)

Each prints one JSON line; a table follows. "map+write" is the time spent mapping records to
triples and writing them ("load", reading JSON and checking records with pydantic, is listed
apart); "total" is the wall time of the whole export.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

CASES = ("stream", "stream-validate", "dask", "rdflib")


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def catalogue_file(workdir: Path, films: int, faulty: int = 0) -> Path:
    from lod.synthetic import write_synthetic_jsonl

    path = workdir / (f"synthetic-{films}.jsonl" if not faulty else f"synthetic-{films}-faulty{faulty}.jsonl")
    if not path.exists():
        write_synthetic_jsonl(films, path, faulty_every=faulty)
    return path


def _digest(results: Any) -> str:
    """What identifies the violations, the same for either engine: focus node, value, message."""
    import hashlib

    keys = sorted((r.focus, r.value or "", r.message) for r in results if r.severity == "violation")
    return hashlib.sha256(repr(keys).encode()).hexdigest()[:16]


def run_case(case: str, films: int, workdir: Path, faulty: int = 0) -> dict[str, Any]:
    source = catalogue_file(workdir, films, faulty)
    out = workdir / f"out-{case}-{films}"
    t0 = time.perf_counter()
    row: dict[str, Any] = {"case": case, "films": films}
    if case in ("stream", "stream-validate"):
        from lod.stream import export

        summary = export(source, out, ["turtle"], validate=case == "stream-validate", keep_going=bool(faulty),
                         quiet=True)
        # (with faulty films: written without them and the records that refer to them, each such record a problem)
        assert summary.complete or (faulty and summary.published and summary.violations), summary.problems[:3]
        phases = summary.phases
        row["violations_digest"] = _digest(summary.results)
        row.update(records=summary.records, triples=summary.triples, violations=summary.violations,
                   load=phases.get("load", 0.0) + phases.get("scan", 0.0), map=phases["map"],
                   validate=phases.get("validate", 0.0), write=phases["write"])
        row["map+write"] = phases["map"] + phases["write"]
    elif case == "dask":
        from dask.distributed import Client

        from lod.distributed import export as dask_export, local_cluster

        with local_cluster(2) as cluster, Client(cluster) as client:  # the cluster --dask local:2 starts
            client.wait_for_workers(2)
            t0 = time.perf_counter()  # the cluster's start-up is not the export's
            manifest = dask_export(source, out, ["turtle"], scheduler=client, keep_going=bool(faulty)).manifest
            row["total"] = time.perf_counter() - t0  # the export alone: not the workers' peaks asked for after it,
            # nor the cluster's shutdown (its start is left out too)
            workers = client.run(_peak_mb)
        assert manifest["complete"] or (faulty and manifest["violations"]), manifest["problems"][:3]
        from types import SimpleNamespace

        found = [SimpleNamespace(**r) for f in manifest["files"] if f["format"] == "report"
                 for r in json.loads((out / f["path"]).read_text())["results"]]
        row["violations_digest"] = _digest(found)
        row.update(records=manifest["records"], triples=manifest["triples"], violations=manifest["violations"],
                   phases=manifest["phases"], worker_peak_mb=round(max(workers.values()), 1))
    elif case == "rdflib":
        import gc

        import lod
        from lod.validation import run_shacl, shapes_graph

        t = time.perf_counter()
        data: dict[str, Any] = {}
        with source.open(encoding="utf-8") as fh:
            for line in fh:
                ((name, record),) = json.loads(line).items()
                if name == "info":
                    data["info"] = record
                else:
                    data.setdefault(name, []).append(record)
        cat = lod.Catalogue(**data)
        del data
        row["load"] = time.perf_counter() - t
        t = time.perf_counter()
        gc.freeze()  # what helped rdflib most (performance.md): keep the collector off the records
        graph = lod.to_graph(cat)
        row["map"] = time.perf_counter() - t
        t = time.perf_counter()
        graph.serialize(destination=str(out) + ".nt", format="nt", encoding="utf-8")
        row["write"] = time.perf_counter() - t
        row["map+write"] = row["map"] + row["write"]
        t = time.perf_counter()
        shapes = shapes_graph(("core",))
        results = run_shacl(graph, shapes)
        row["validate"] = time.perf_counter() - t
        found = lod.validation.report_results(results, graph, {}, shapes, lod.DEFAULT_BASE)
        row.update(records=len(cat), triples=len(graph), violations=sum(1 for r in found if r.severity == "violation"),
                   violations_digest=_digest(found))
    else:
        raise SystemExit(f"unknown case {case}")
    row.setdefault("total", time.perf_counter() - t0)
    row["records_per_s"] = row["records"] / row["total"]
    row["peak_rss_mb"] = round(_peak_mb(), 1)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--films", default="10000,100000", help="comma-separated catalogue sizes")
    parser.add_argument("--cases", default="stream,stream-validate,dask,rdflib")
    parser.add_argument("--rdflib-max", type=int, default=30000,
                        help="largest size the rdflib path runs at (it is extrapolated beyond, and says so)")
    parser.add_argument("--workdir", default="bench-work", help="folder for catalogues and outputs")
    parser.add_argument("--faulty-every", type=int, default=0, metavar="N",
                        help="every Nth film fails the core profile (exports keep going); violations are compared "
                             "across cases by a digest")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run the cases N times in turn (A B A B…); the ratios take each case's fastest run")
    parser.add_argument("--one", nargs=2, metavar=("CASE", "FILMS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if args.one:
        print(json.dumps(run_case(args.one[0], int(args.one[1]), workdir, args.faulty_every)), flush=True)
        return
    sizes = [int(n) for n in args.films.split(",")]
    rows = []
    for films in sizes:
        catalogue_file(workdir, films, args.faulty_every)
        for case in [c for _ in range(max(1, args.repeat)) for c in args.cases.split(",")]:
            if case == "rdflib" and films > args.rdflib_max:
                continue
            done = subprocess.run([sys.executable, __file__, "--workdir", str(workdir), "--faulty-every",
                                   str(args.faulty_every), "--one", case, str(films)], capture_output=True, text=True)
            if done.returncode != 0:
                print(f"{case} at {films} films failed:\n{done.stderr[-2000:]}", file=sys.stderr)
                continue
            row = json.loads(done.stdout.strip().splitlines()[-1])
            print(json.dumps(row), flush=True)
            rows.append(row)
    _table(rows, sizes, args.rdflib_max)


def _table(rows: list[dict[str, Any]], sizes: list[int], rdflib_max: int) -> None:
    print()
    print(f"{'films':>9} {'case':<16} {'triples':>10} {'load s':>7} {'map+write s':>11} {'validate s':>10} "
          f"{'total s':>8} {'records/s':>10} {'peak MB':>8} {'violations':>10} {'digest':>16}")
    for row in rows:
        print(f"{row['films']:>9} {row['case']:<16} {row['triples']:>10} {row.get('load', 0):>7.1f} "
              f"{row.get('map+write', 0):>11.1f} {row.get('validate', 0):>10.1f} {row['total']:>8.1f} "
              f"{row['records_per_s']:>10.0f} {row['peak_rss_mb']:>8.0f} {row.get('violations', 0):>10} "
              f"{row.get('violations_digest', ''):>16}"
              + (f"  (workers ≤ {row['worker_peak_mb']:.0f} MB)" if "worker_peak_mb" in row else ""))
    ref = {r["films"]: r for r in rows if r["case"] == "rdflib"}
    if ref and any(n > rdflib_max for n in sizes):
        top = max(ref)
        for films in sizes:
            if films > rdflib_max:
                k = films / top
                r = ref[top]
                print(f"{films:>9} {'rdflib (est.)':<16} {'':>10} {r['load'] * k:>7.1f} {r['map+write'] * k:>11.1f} "
                      f"{r['validate'] * k:>10.1f} {r['total'] * k:>8.1f} {'':>10} {r['peak_rss_mb'] * k:>8.0f}"
                      f"  (linear from {top} films: not run)")
    _ratios(rows, ref)


def _ratios(rows: list[dict[str, Any]], ref: dict[int, dict[str, Any]]) -> None:
    """What issue 13 asks of the streaming path, as ratios of this run's own rows (of a case run more than once,
    its fastest run: its total and its peak)."""
    by: dict[tuple[str, int], dict[str, Any]] = {}
    for r in rows:
        key = (r["case"], r["films"])
        if key not in by or r["total"] < by[key]["total"]:
            by[key] = r
    lines = []
    for (case, films), row in sorted(by.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if case == "dask" and ("stream-validate", films) in by:
            lines.append(f"{films:>9} dask (2 workers) vs one process, with validation: "
                         f"{by['stream-validate', films]['total'] / row['total']:.2f}x faster")
        if case == "stream-validate" and ref:
            top = max(ref)
            k = films / top
            lines.append(f"{films:>9} stream-validate vs plain rdflib + pyshacl"
                         f"{'' if films in ref else f' (linear from {top} films)'}: "
                         f"{ref[top]['total'] * k / row['total']:.1f}x faster")
    sizes = sorted({films for _, films in by})
    for case in ("stream", "stream-validate"):
        have = [n for n in sizes if (case, n) in by]
        for small, big in zip(have, have[1:]):
            lines.append(f"{big:>9} {case} peak memory vs at {small} films: "
                         f"{by[case, big]['peak_rss_mb'] / by[case, small]['peak_rss_mb']:.2f}x "
                         f"({by[case, big]['films'] / by[case, small]['films']:.0f}x the films)")
    if lines:
        print()
        print("\n".join(lines))


if __name__ == "__main__":
    main()
