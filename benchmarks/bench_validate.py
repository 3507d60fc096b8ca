"""Whole-graph pyshacl against lod's batched, parallel validation, on a synthetic catalogue.

    python benchmarks/bench_validate.py --films 10000 --workers 2
    python benchmarks/bench_validate.py --films 2000 --profiles core,web,archive --batch-size 250

Modes: ``whole`` (pyshacl on the whole graph: the plain path, and the reference), ``batched``
(``lod.validate(…, batch_size, workers, engine="pyshacl")``) and ``fast`` (the same batches on the
compiled shapes, the default engine).

Each mode runs in its own process (peak memory is its own, pool workers included). Prints one
JSON line per mode, {"mode", "films", "triples", "seconds", "triples_per_s", "peak_rss_mb",
"results"}, then a verdict line saying whether both found exactly the same results.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _catalogue(films: int):
    from lod.synthetic import synthetic_data
    import lod

    data = synthetic_data(films)
    # a few problems to find, so the comparison compares something
    for i, film in enumerate(data["films"]):
        if i % 97 == 0:
            film["availability"] = [{"platform": "platform", "starts": "2024-06-01", "ends": "2024-01-01"}]
    for i, interview in enumerate(data["interviews"]):
        if i % 3 == 0:
            interview.pop("publisher", None)
            interview["interviewers"] = []
    return lod.Catalogue(**data)


def worker(mode: str, films: int, profiles: str, batch_size: int, workers: int, out: str) -> None:
    import lod
    from lod.validation import validate

    cat = _catalogue(films)
    triples = len(set(lod.triples(cat)))
    start = time.perf_counter()
    if mode == "whole":
        report = validate(cat, profiles=profiles, engine="pyshacl")
    else:
        report = validate(cat, profiles=profiles, batch_size=batch_size, workers=workers,
                          engine="fast" if mode == "fast" else "pyshacl")
    seconds = time.perf_counter() - start
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    keys = sorted(json.dumps([r.severity, r.record, r.field, r.value, r.message, r.focus]) for r in report.results)
    Path(out).write_text("\n".join(keys), encoding="utf-8")
    print(json.dumps({"mode": mode if mode == "whole" else f"{mode} x{workers} ({batch_size}/batch)",
                      "films": films, "profiles": profiles, "triples": triples, "seconds": round(seconds, 2),
                      "triples_per_s": round(triples / seconds), "peak_rss_mb": round(peak, 1),
                      "results": len(report.results), "violations": len(report.violations)}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--films", type=int, default=10000)
    parser.add_argument("--profiles", default="core")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--modes", default="whole,batched,fast")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.films, args.profiles, args.batch_size, args.workers, args.out)
        return 0
    outputs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in args.modes.split(","):
            out = str(Path(tmp) / f"{mode}.txt")
            proc = subprocess.run([sys.executable, __file__, "--worker", mode, "--out", out, "--films", str(args.films),
                                   "--profiles", args.profiles, "--batch-size", str(args.batch_size),
                                   "--workers", str(args.workers)], capture_output=True, text=True)
            if proc.returncode != 0:
                print(json.dumps({"mode": mode, "error": proc.stderr.strip().splitlines()[-1:]}))
                continue
            print(proc.stdout.strip(), flush=True)
            outputs[mode] = Path(out).read_text(encoding="utf-8")
        if "whole" in outputs and len(outputs) > 1:
            same = all(found == outputs["whole"] for found in outputs.values())
            print(json.dumps({"identical_results": same, "results": outputs["whole"].count("\n") + 1}))
            return 0 if same else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
