"""Measure lod's pipeline next to plain rdflib on a synthetic catalogue.

    python benchmarks/bench.py --films 10000
    python benchmarks/bench.py --films 1000 --steps lod.turtle,rdflib.turtle
    python benchmarks/bench.py --films 100000 --write-catalogue big.yaml   # then: time lod export big.yaml

Each step runs in a fresh subprocess so its peak memory is its own (the catalogue records it
needs are built first, untimed, and count in the peak). Every step prints one JSON line:
{"step": ..., "films": N, "triples": ..., "seconds": ..., "peak_rss_mb": ...}; a summary
compares each lod step with the plain rdflib step that does the same job.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

STEPS = {
    "lod.records": "validate records (pydantic) from the raw catalogue mapping",
    "lod.map": "map records to triples (no rdflib graph)",
    "rdflib.graph": "map records into an rdflib Graph (lod.to_graph)",
    "lod.turtle": "records -> Turtle (lod: sorted triples, pyoxigraph writer)",
    "rdflib.turtle": "rdflib Graph -> Turtle (rdflib writer)",
    "lod.nt": "records -> N-Triples (lod)",
    "rdflib.nt": "rdflib Graph -> N-Triples (rdflib writer)",
    "lod.jsonld": "records -> JSON-LD (lod writer, inline context)",
    "rdflib.jsonld": "rdflib Graph -> JSON-LD (rdflib writer, same context as a dict)",
    "lod.read": "rdflib Graph -> records (lod.from_graph)",
}
PAIRS = [("lod.turtle", "rdflib.graph+rdflib.turtle"), ("lod.nt", "rdflib.graph+rdflib.nt"),
         ("lod.jsonld", "rdflib.graph+rdflib.jsonld"), ("lod.map", "rdflib.graph")]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_step(step: str, films: int) -> dict[str, Any]:
    import lod
    from lod.mapping import triples
    from lod.synthetic import synthetic_data

    data = synthetic_data(films)
    cat = None if step == "lod.records" else lod.Catalogue(**data)
    needs_graph = step == "lod.read" or (step.startswith("rdflib.") and step != "rdflib.graph")
    graph = lod.to_graph(cat) if needs_graph else None
    jobs: dict[str, Callable[[], Any]] = {
        "lod.records": lambda: lod.Catalogue(**data),
        "lod.map": lambda: list(triples(cat)),
        "rdflib.graph": lambda: lod.to_graph(cat),
        "lod.turtle": lambda: lod.serialize(cat, "turtle"),
        "rdflib.turtle": lambda: graph.serialize(format="turtle", encoding="utf-8"),
        "lod.nt": lambda: lod.serialize(cat, "nt"),
        "rdflib.nt": lambda: graph.serialize(format="nt", encoding="utf-8"),
        "lod.jsonld": lambda: lod.serialize(cat, "json-ld"),
        "rdflib.jsonld": lambda: graph.serialize(format="json-ld", context=lod.jsonld_context(), encoding="utf-8"),
        "lod.read": lambda: lod.from_graph(graph),
    }
    gc.collect()
    start = time.perf_counter()
    jobs[step]()
    seconds = time.perf_counter() - start
    peak = _peak_mb()  # read before the (untimed) triple count below can raise it
    n_triples = None if cat is None else (len(graph) if graph is not None else len(set(triples(cat))))
    return {"step": step, "films": films, "triples": n_triples, "seconds": round(seconds, 3),
            "peak_rss_mb": round(peak, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--films", type=int, default=10000)
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated; default: all")
    parser.add_argument("--write-catalogue", metavar="FILE", help="write the synthetic catalogue (YAML or JSON) and exit")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.write_catalogue:
        from lod.synthetic import synthetic_data
        from lod.writers import write_atomic
        data = synthetic_data(args.films)
        path = Path(args.write_catalogue)
        if path.suffix == ".json":
            text = json.dumps(data, ensure_ascii=False, indent=1)
        else:
            import yaml
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        write_atomic(path, text.encode("utf-8"))
        print(f"wrote {path} ({args.films} films)", file=sys.stderr)
        return 0
    if args.worker:
        print(json.dumps(run_step(args.worker, args.films)))
        return 0

    results: dict[str, dict[str, Any]] = {}
    for step in [s.strip() for s in args.steps.split(",") if s.strip()]:
        if step not in STEPS:
            parser.error(f"unknown step {step!r}; known: {', '.join(STEPS)}")
        out = subprocess.run([sys.executable, __file__, "--films", str(args.films), "--worker", step],
                             capture_output=True, text=True)
        if out.returncode != 0:
            print(json.dumps({"step": step, "films": args.films, "error": out.stderr.strip().splitlines()[-1:]}))
            continue
        line = out.stdout.strip().splitlines()[-1]
        results[step] = json.loads(line)
        print(line, flush=True)
    for fast, slow in PAIRS:
        parts = slow.split("+")
        if fast in results and all(p in results for p in parts):
            slow_s = sum(results[p]["seconds"] for p in parts)
            print(json.dumps({"compare": fast, "with": slow, "lod_seconds": results[fast]["seconds"],
                              "rdflib_seconds": round(slow_s, 3),
                              "speedup": round(slow_s / max(results[fast]["seconds"], 1e-9), 1),
                              "lod_peak_rss_mb": results[fast]["peak_rss_mb"],
                              "rdflib_peak_rss_mb": max(results[p]["peak_rss_mb"] for p in parts)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
