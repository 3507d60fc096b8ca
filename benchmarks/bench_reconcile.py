"""Reconciliation of 200 records against the loopback Wikidata stand-in and an Oxigraph server.

    python benchmarks/bench_reconcile.py [--records 200]

Runs twice with one on-disk cache: cold (every answer fetched) and warm (every answer from the
cache). Prints requests made to the stand-in, requests answered from the cache, and seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import lod  # noqa: E402
from lod.wikidata import Client, review_rows  # noqa: E402
from oxigraph_server import Server  # noqa: E402
from wikidata_standin import FIXTURE, StandIn  # noqa: E402

NAMES = ["Madina", "Aizhan Kassymbek", "Madina Akylbek", "Мадина", "Medina", "Nobody Known"]


def catalogue(n: int) -> lod.Catalogue:
    people = [{"id": f"p{i}", "names": {"en": f"{NAMES[i % len(NAMES)]}" if i % 3 else f"Person {i}"}}
              for i in range(n // 2)]
    films = [{"id": f"f{i}", "titles": {"en": NAMES[i % len(NAMES)]}, "date_created": 2000 + i % 25}
             for i in range(n - n // 2)]
    return lod.Catalogue(people=people, films=films)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=200)
    args = parser.parse_args()
    cat = catalogue(args.records)
    standin = StandIn()
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp) / "db").start()
        try:
            server.load(FIXTURE.read_text(encoding="utf-8"))
            for run in ("cold", "warm"):
                client = Client("lod-bench/1.0 (bench@example.org)", cache=Path(tmp) / "cache", api_url=standin.api,
                                sparql_url=server.query_url)
                before = len(standin.requests)
                start = time.perf_counter()
                rows = review_rows(client, cat)
                seconds = time.perf_counter() - start
                print(json.dumps({"run": run, "records": args.records, "candidate_rows": len(rows),
                                  "requests_to_standin": len(standin.requests) - before,
                                  "client_requests": client.stats.requests, "from_cache": client.stats.from_cache,
                                  "seconds": round(seconds, 2)}))
        finally:
            server.stop()
            standin.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
