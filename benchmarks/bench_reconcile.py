"""Reconciliation against the loopback Wikidata stand-in, and against a local Wikidata extract.

    python benchmarks/bench_reconcile.py [--records 200]
    python benchmarks/bench_reconcile.py --local --records 10000 --extract 100000

Without --local: runs twice with one on-disk cache, cold (every answer fetched) and warm (every
answer from the cache), and prints requests made to the stand-in, requests answered from the cache,
and seconds. With --local: builds an extract of --extract items (half films, half people, with
their types, years, directors and a few look-alikes) as a Wikidata JSON dump, and reconciles
--records records against it twice: through a real Oxigraph server (--endpoint) and from the dump
file (--dump: reading the dump into its index, then reconciling). Prints records per second, peak
memory of this process, and how many records got the right item first.
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


def extract(items: int) -> list[dict]:
    """Dump entities: person i (Q1000000+i) directed film i (Q2000000+i); every tenth film has a namesake city."""
    def claim(pid: str, value: dict) -> dict:
        return {"mainsnak": {"snaktype": "value", "property": pid, "datavalue": value}, "rank": "normal"}

    def item(q: str) -> dict:
        return {"value": {"entity-type": "item", "id": q}, "type": "wikibase-entityid"}

    out = [{"type": "item", "id": "Q11424", "labels": {"en": {"language": "en", "value": "film"}}},
           {"type": "item", "id": "Q5", "labels": {"en": {"language": "en", "value": "human"}}}]
    for i in range(items // 2):
        out.append({"type": "item", "id": f"Q{1000000 + i}", "labels": {"en": {"language": "en",
                    "value": f"Director Number {i}"}}, "claims": {"P31": [claim("P31", item("Q5"))],
                    "P106": [claim("P106", item("Q2526255"))]}})
        out.append({"type": "item", "id": f"Q{2000000 + i}", "labels": {"en": {"language": "en",
                    "value": f"Film Title {i}"}}, "descriptions": {"en": {"language": "en", "value": "film"}},
                    "claims": {"P31": [claim("P31", item("Q11424"))], "P57": [claim("P57", item(f"Q{1000000 + i}"))],
                               "P577": [claim("P577", {"value": {"time": f"+{1950 + i % 70}-00-00T00:00:00Z",
                                                                 "precision": 9}, "type": "time"})]}})
        if i % 10 == 0:
            out.append({"type": "item", "id": f"Q{3000000 + i}", "labels": {"en": {"language": "en",
                        "value": f"Film Title {i}"}}, "descriptions": {"en": {"language": "en", "value": "a city"}}})
    return out


def local_catalogue(records: int, items: int) -> lod.Catalogue:
    n = min(records // 2, items // 2)
    people = [{"id": f"p{i}", "names": {"en": f"Director Number {i}"}, "qid": f"Q{1000000 + i}" if i % 2 else None}
              for i in range(n)]
    films = [{"id": f"f{i}", "titles": {"en": f"Film Title {i}"}, "date_created": 1950 + i % 70,
              "directors": [f"p{i}"]} for i in range(n)]
    return lod.Catalogue(people=[{k: v for k, v in p.items() if v is not None} for p in people], films=films)


def local(args: argparse.Namespace) -> int:
    import resource

    entities = extract(args.extract)
    cat = local_catalogue(args.records, args.extract)
    asked = sum(1 for r in cat.records() if not getattr(r, "qid", None))
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "extract.json"
        dump.write_text("[\n" + ",\n".join(json.dumps(e) for e in entities) + "\n]\n", encoding="utf-8")
        server = Server(Path(tmp) / "db").start()
        try:
            start = time.perf_counter()
            loading = Client.from_dump(dump)  # the same triples, loaded into the server
            server_nt = loading.store.dump(format=__import__("pyoxigraph").RdfFormat.N_TRIPLES,
                                           from_graph=__import__("pyoxigraph").DefaultGraph())
            import requests
            requests.post(f"http://127.0.0.1:{server.port}/store?default", data=server_nt,
                          headers={"Content-Type": "application/n-triples"}, timeout=600).raise_for_status()
            load_s = time.perf_counter() - start
            for how in ("endpoint", "dump"):
                start = time.perf_counter()
                client = Client.local(server.query_url) if how == "endpoint" else Client.from_dump(
                    dump, index=Path(tmp) / "index")
                ready = time.perf_counter() - start
                rows = review_rows(client, cat)
                seconds = time.perf_counter() - start
                right = sum(1 for r in rows if r["rank"] == "1" and r["qid"] == (
                    f"Q{2000000 + int(r['record'][1:])}" if r["record"].startswith("f") else
                    f"Q{1000000 + int(r['record'][1:])}"))
                print(json.dumps({"via": how, "extract_items": len(entities), "records_asked": asked,
                                  "right_first": right, "seconds": round(seconds, 2),
                                  "of_which_reading_the_dump": round(ready, 2) if how == "dump" else 0,
                                  "records_per_s": round(asked / seconds, 1),
                                  "server_load_s": round(load_s, 2) if how == "endpoint" else None,
                                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
        finally:
            server.stop()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--local", action="store_true", help="reconcile against a local extract (see above)")
    parser.add_argument("--extract", type=int, default=100000, help="items in the local extract")
    args = parser.parse_args()
    if args.local:
        return local(args)
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
