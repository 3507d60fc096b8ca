"""lod's compiled SHACL engine against pyshacl on general shapes and a large graph.

    python benchmarks/bench_shapes.py --films 26000          # about 1.04 million triples
    python benchmarks/bench_shapes.py --films 2000 --modes fast,pyshacl

The graph is the synthetic catalogue's N-Triples export (every 97th film with an availability that
ends before it starts, so the shapes find something). The shapes are ``benchmarks/shapes/general.ttl``:
W3C-style features lod's own profiles do not use (closed shapes, value ranges, string lengths,
one-or-more and zero-or-more paths, inverse paths, qualified counts, property pairs, ``sh:in``,
patterns). Each mode runs in its own process and starts from the file:

- ``fast``: ``lod.validate(path, shapes=…)``, the compiled engine (pyoxigraph reads the file
  straight into the engine's index);
- ``pyshacl``: the plain path, rdflib parses the file and pyshacl validates it.

Prints one JSON line per mode ({"mode", "triples", "seconds", "triples_per_s", "peak_rss_mb",
"results"}), then whether both found exactly the same results (focus node, path, value, constraint
component, severity) and the speed and memory ratios.
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

SHAPES = Path(__file__).parent / "shapes" / "general.ttl"


def write_graph(films: int, path: Path) -> int:
    import lod
    from lod.synthetic import synthetic_data

    data = synthetic_data(films)
    for i, film in enumerate(data["films"]):
        if i % 97 == 0:
            film["availability"] = [{"platform": "platform", "starts": "2024-06-01", "ends": "2024-01-01"}]
    lod.dump(lod.Catalogue(**data), path, format="nt")
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started (VmHWM: unlike ru_maxrss on Linux, it does
    not carry over the parent's peak from before exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _keys(results) -> list[str]:
    from rdflib.namespace import SH
    from rdflib.term import BNode

    def text(node) -> str | None:
        return None if node is None else "(path)" if isinstance(node, BNode) else node.n3()
    return sorted(json.dumps([text(results.value(r, p)) for p in (SH.focusNode, SH.resultPath, SH.value,
                                                                  SH.sourceConstraintComponent, SH.resultSeverity)])
                  for r in results.objects(None, SH.result))


def worker(mode: str, path: str, triples: int, out: str) -> None:
    start = time.perf_counter()
    if mode == "fast":
        import lod

        report = lod.validate(Path(path), shapes=SHAPES)
        graph = report.graph
    else:
        from rdflib import Graph

        from lod.validation import run_shacl

        data = Graph()
        data.parse(path, format="nt")
        shapes = Graph()
        shapes.parse(SHAPES, format="turtle")
        graph = run_shacl(data, shapes)
    seconds = time.perf_counter() - start
    peak = peak_rss_mb()
    keys = _keys(graph)
    Path(out).write_text("\n".join(keys), encoding="utf-8")
    print(json.dumps({"mode": mode, "triples": triples, "seconds": round(seconds, 2),
                      "triples_per_s": round(triples / seconds), "peak_rss_mb": round(peak, 1),
                      "results": len(keys)}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--films", type=int, default=26000)
    parser.add_argument("--modes", default="fast,pyshacl")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--triples", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "write":
        print(write_graph(args.films, Path(args.path)))
        return 0
    if args.worker:
        worker(args.worker, args.path, args.triples, args.out)
        return 0
    found: dict[str, dict] = {}
    outputs: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "catalogue.nt"
        # written by a process of its own, so that the catalogue is not in memory beside the modes
        made = subprocess.run([sys.executable, __file__, "--worker", "write", "--films", str(args.films), "--path",
                               str(path)], capture_output=True, text=True, check=True)
        triples = int(made.stdout.split()[-1])
        for mode in args.modes.split(","):
            out = str(Path(tmp) / f"{mode}.txt")
            proc = subprocess.run([sys.executable, __file__, "--worker", mode, "--path", str(path), "--triples",
                                   str(triples), "--out", out], capture_output=True, text=True)
            if proc.returncode != 0:
                print(json.dumps({"mode": mode, "error": proc.stderr.strip().splitlines()[-3:]}))
                return 2
            line = proc.stdout.strip().splitlines()[-1]
            print(line, flush=True)
            found[mode] = json.loads(line)
            outputs[mode] = Path(out).read_text(encoding="utf-8")
    if {"fast", "pyshacl"} <= set(found):
        same = outputs["fast"] == outputs["pyshacl"]
        print(json.dumps({"identical_results": same, "results": found["fast"]["results"],
                          "speed_ratio": round(found["pyshacl"]["seconds"] / found["fast"]["seconds"], 1),
                          "memory_ratio": round(found["fast"]["peak_rss_mb"] / found["pyshacl"]["peak_rss_mb"], 2)}))
        return 0 if same else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
