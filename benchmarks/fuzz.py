"""Fuzz lod's loading with hostile catalogue files: crashes, unnamed refusals, time and memory per input.

    python benchmarks/fuzz.py --inputs 10000            # Python API, 2 worker processes
    python benchmarks/fuzz.py --inputs 10000 --cli 150  # and 150 of them through the lod command line

Inputs come from ``tests/fuzzing.py`` (the generator the test suite's hypothesis test uses), each
from its own seed, so a failing input is re-made with ``--start SEED --inputs 1 --keep DIR``.
Every input must be accepted or refused with a ``LodError`` naming the file and the record and
field (or the position in the file), within ``--max-seconds`` (2) and ``--max-mb`` (200) of memory
above the worker's resting size. Prints the counts, the slowest inputs and the peak memory; exits
1 if any input crashed, was refused without naming its place, or went over a bound.
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing as mp
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import fuzzing  # noqa: E402


class _Slow(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Slow()


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(seeds: list[int], folder: str, stop_after: float) -> dict:
    import random

    base = Path(folder) / f"w{os.getpid()}" / "catalogue"
    fuzzing.prepare(base)
    # warm up (imports, shapes, caches) so that resting memory is measured after them
    for seed in range(3):
        suffix, data = fuzzing.make_input(random.Random(-1 - seed), base)
        (base / f"warm{suffix}").write_bytes(data)
        fuzzing.check(base / f"warm{suffix}")
    resting = _rss_mb()
    signal.signal(signal.SIGALRM, _alarm)
    counts: collections.Counter[str] = collections.Counter()
    times: list[tuple[float, int]] = []
    bad: list[tuple[int, str, str]] = []
    grew: list[tuple[float, int]] = []
    for seed in seeds:
        suffix, data = fuzzing.make_input(random.Random(seed), base)
        path = base / f"input-{seed}{suffix}"
        path.write_bytes(data)
        peak_before = _peak_mb()
        signal.setitimer(signal.ITIMER_REAL, stop_after)
        try:
            outcome = fuzzing.check(path)
        except _Slow:
            outcome = fuzzing.Outcome("slow", stop_after, f"stopped after {stop_after} s")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if _peak_mb() > peak_before:
            grew.append((_peak_mb() - resting, seed))
        counts[outcome.kind] += 1
        times.append((outcome.seconds, seed))
        if outcome.kind not in ("accepted", "refused"):
            bad.append((seed, outcome.kind, outcome.detail))
        path.unlink()
    return {"counts": counts, "times": times, "bad": bad, "resting": resting, "peak": _peak_mb(), "grew": grew}


def cli_run(seeds: list[int], folder: Path) -> dict:
    import random

    base = folder / "cli" / "catalogue"
    fuzzing.prepare(base)
    out: dict = {"codes": collections.Counter(), "tracebacks": [], "seconds": []}
    for seed in seeds:
        suffix, data = fuzzing.make_input(random.Random(seed), base)
        path = base / f"input-{seed}{suffix}"
        path.write_bytes(data)
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "lod.cli", "validate", str(path)], capture_output=True,
                              text=True, timeout=120)
        out["seconds"].append(time.perf_counter() - t0)
        out["codes"][done.returncode] += 1
        if "Traceback" in done.stderr or done.returncode not in (0, 1):
            out["tracebacks"].append((seed, done.returncode, done.stderr[-300:]))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--start", type=int, default=0, help="first seed")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cli", type=int, default=0, help="also run this many inputs through `lod validate`")
    parser.add_argument("--max-seconds", type=float, default=2.0)
    parser.add_argument("--max-mb", type=float, default=200.0)
    parser.add_argument("--keep", help="write the inputs that failed into this folder")
    args = parser.parse_args()

    seeds = list(range(args.start, args.start + args.inputs))
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        chunks = [seeds[i::args.workers] for i in range(args.workers)]
        with mp.get_context("spawn").Pool(args.workers) as pool:
            results = pool.starmap(worker, [(c, folder, max(10.0, 5 * args.max_seconds)) for c in chunks])
        cli = cli_run(seeds[:: max(1, len(seeds) // args.cli)][: args.cli], Path(folder)) if args.cli else None
    wall = time.perf_counter() - t0

    counts: collections.Counter[str] = collections.Counter()
    for r in results:
        counts.update(r["counts"])
    times = sorted((t for r in results for t in r["times"]), reverse=True)
    bad = [b for r in results for b in r["bad"]]
    over_time = [(s, seed) for s, seed in times if s > args.max_seconds]
    growth = max((g for r in results for g in r["grew"]), default=(0.0, -1))
    print(f"lod fuzz: {len(seeds):,} inputs (seeds {seeds[0]}..{seeds[-1]}), {args.workers} workers, {wall:.1f} s, "
          f"commit {_commit()}, load average {os.getloadavg()[0]:.2f}")
    print("  outcomes: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
    print(f"  slowest: " + ", ".join(f"{s * 1000:.0f} ms (seed {seed})" for s, seed in times[:5]))
    print(f"  median {times[len(times) // 2][0] * 1000:.1f} ms; over {args.max_seconds} s: {len(over_time)}")
    print("  memory: resting " + ", ".join(f"{r['resting']:.0f}" for r in results) + " MB; peak "
          + ", ".join(f"{r['peak']:.0f}" for r in results) + f" MB; largest growth above resting "
          f"{growth[0]:.0f} MB (seed {growth[1]})")
    if cli is not None:
        print(f"  command line: {sum(cli['codes'].values())} inputs, exit codes "
              + ", ".join(f"{k}: {v}" for k, v in sorted(cli["codes"].items()))
              + f", tracebacks {len(cli['tracebacks'])}, slowest {max(cli['seconds']):.2f} s (process start included)")
    for seed, kind, detail in bad[:20]:
        print(f"  {kind}: seed {seed}: {detail}")
    if args.keep and bad:
        import random

        keep = Path(args.keep)
        keep.mkdir(parents=True, exist_ok=True)
        for seed, _, _ in bad:
            suffix, data = fuzzing.make_input(random.Random(seed), keep)
            (keep / f"input-{seed}{suffix}").write_bytes(data)
    failed = bool(bad or over_time or growth[0] > args.max_mb or (cli and cli["tracebacks"]))
    print("  verdict: " + ("FAILED" if failed else "every input accepted or refused with its place named, "
                                                   "within the bounds"))
    return 1 if failed else 0


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).parent).stdout.strip() or "?"
    except OSError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
