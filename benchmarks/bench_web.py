"""Page JSON-LD: lod's direct writer against an rdflib graph of the same entities serialised as JSON-LD.

    python benchmarks/bench_web.py [--repeat 2000]

A typical film page: a director, 5 cast, 3 crew, 2 awards won, an interview about the film and a
streaming window. Prints one JSON line per path (median and p95 microseconds, peak memory) and
the speed-up. A web server keeps one ``lod.web.Site`` per catalogue and language and calls
``site.page(id)`` per request; ``lod.web.jsonld(id, catalogue)`` builds that object each time.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from typing import Any, Callable

import lod
from lod import web


def typical_catalogue() -> lod.Catalogue:
    people = [{"id": f"p{i}", "names": {"en": f"Person {i}", "kk-Cyrl": f"Адам {i}"}, **({"qid": f"Q{100 + i}"}
               if i % 2 else {})} for i in range(10)]
    return lod.Catalogue(
        people=people,
        organizations=[{"id": "klassiki", "names": {"en": "Klassiki"}, "url": "https://klassiki.example/"},
                       {"id": "ministry", "names": {"en": "Ministry of Culture"}}],
        places=[{"id": "kz", "names": {"en": "Kazakhstan", "ru": "Казахстан"}, "place_type": "country", "qid": "Q232"}],
        films=[{"id": "madina", "titles": [{"text": "Madina", "lang": "en", "kind": "original"},
                                           {"text": "Мадина", "lang": "ru", "kind": "translated"}],
                "date_created": 2023, "qid": "Q1", "image": "https://img.example/madina.jpg", "runtime_minutes": 93,
                "countries": ["kz"], "genres": ["drama"], "directors": ["p0"],
                "cast": [{"person": f"p{i}", "character": f"Character {i}"} for i in range(1, 6)],
                "crew": [{"person": f"p{i}", "role": r} for i, r in
                         zip(range(6, 9), ("director of photography", "editor", "production designer"))],
                "content_ratings": [{"value": "16+", "issuer": "ministry"}],
                "availability": [{"platform": "klassiki", "url": "https://klassiki.example/madina",
                                  "starts": "2024-04-01", "ends": "2024-05-16", "regions": ["GB", "DE"]}]}],
        festivals=[{"id": "goeast", "names": {"en": "goEast"}}],
        festival_editions=[{"id": "goeast-2024", "festival": "goeast", "names": {"en": "goEast 2024"}}],
        awards=[{"id": f"a{i}", "names": {"en": f"Prize {i}"}, "conferred_by": "goeast"} for i in range(2)],
        award_outcomes=[{"id": f"o{i}", "award": f"a{i}", "status": "won", "recipients": ["madina"],
                         "for_work": "madina", "edition": "goeast-2024"} for i in range(2)],
        interviews=[{"id": "iv", "headlines": {"en": "On Madina"}, "publisher": "klassiki", "interviewees": ["p0"],
                     "about": ["madina"]}],
    )


def rdflib_page(cat: lod.Catalogue, film_id: str) -> bytes:
    """The same entities as an rdflib graph, serialised by rdflib's JSON-LD writer."""
    mapper = lod.mapping.Mapper(cat)
    film = cat[film_id]
    wanted = {film_id} | {r for r in (*film.directors, *film.countries) } | {c.person for c in film.cast} | \
        {c.person for c in film.crew} | {"klassiki", "ministry"}
    wanted |= {o.id for o in cat.award_outcomes if film_id in o.recipients} | {"iv"}
    g = lod.to_graph(lod.Catalogue())  # an empty graph with lod's prefixes bound
    for rid in sorted(wanted):
        g.addN((s, p, o, g) for s, p, o in mapper.record_triples(cat[rid]))
    return g.serialize(format="json-ld", context=lod.jsonld_context(), encoding="utf-8")


def measure(fn: Callable[[], Any], repeat: int) -> list[float]:
    for _ in range(min(50, repeat)):
        fn()  # warm up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    cat = typical_catalogue()
    site = web.Site(cat)
    page = site.page("madina")
    assert len(page["actor"]) == 5 and len(page["contributor"]) == 3 and len(page["award"]) == 2
    paths = {
        "lod.web Site.page + script_tag": lambda: web.script_tag(site.page("madina")),
        "lod.web.jsonld (new Site each call)": lambda: web.jsonld("madina", cat),
        "rdflib graph + JSON-LD writer": lambda: rdflib_page(cat, "madina"),
    }
    medians = {}
    for name, fn in paths.items():
        times = measure(fn, args.repeat if "rdflib" not in name else max(50, args.repeat // 20))
        medians[name] = statistics.median(times)
        print(json.dumps({"path": name, "median_us": round(medians[name] * 1e6, 1),
                          "p95_us": round(sorted(times)[int(len(times) * 0.95)] * 1e6, 1), "runs": len(times),
                          "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
    fast = medians["lod.web Site.page + script_tag"]
    print(json.dumps({"speedup_vs_rdflib": round(medians["rdflib graph + JSON-LD writer"] / fast, 1),
                      "target_median_us": 300, "meets_target": fast < 0.0003}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
