"""Synthetic catalogues for benchmarks and tests: deterministic, every record type present.

``synthetic_data(n)`` returns the raw mapping of a catalogue with ``n`` films (about 40
triples a film, people shared across films), the same for a given ``n`` and ``seed``.

>>> from lod.synthetic import synthetic_catalogue
>>> len(synthetic_catalogue(10).films)
10
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..records import LISTS, Catalogue

_GIVEN = ["Aizhan", "Assel", "Madina", "Daniyar", "Saltanat", "Alibek", "Aigul", "Olga", "Marlen", "Zhanna",
          "Nesibeli", "Gulzada", "Zhanar", "Saodat", "Todd", "Greta"]
_FAMILY = ["Kassymbek", "Aushakimova", "Akylbek", "Beisov", "Nauruz", "Adiken", "Nurbulatova", "Doletskaya",
           "Khutsiev", "Issabayeva", "Serikbayeva", "Serzhan", "Sekerbaeva", "Ismailova", "Haynes", "Orlova"]
_CYR = str.maketrans("aeiouklmnrstdbzgh", "аеиоуклмнрстдбзгх")
_ROLES = ["director of photography", "editor", "production designer", "sound designer", "costume designer"]
_GENRES = ["drama", "documentary", "comedy", "queer cinema", "road movie"]


def _in_id_order(prefix: str, numbers: Iterable[int]) -> list[int]:
    """``numbers`` in the order of their ids ``prefix + str(n)`` (``film-10`` before ``film-2``): writing order."""
    return sorted(numbers, key=lambda n: f"{prefix}{n}")


def synthetic_records(n_films: int, seed: int = 7, faulty_every: int = 0) -> Iterator[tuple[str, dict[str, Any]]]:
    """The catalogue record by record, as (list name, raw record): nothing is kept, so any size streams.

    Records come in lod's writing order (list by list, each by id: see :mod:`lod.fastwrite`), so the
    streaming export reads the file as it is. Each film is made from its own random generator, so it is
    the same whatever order it is made in. Every 10th film has a screening and an award outcome, every
    25th an interview. With ``faulty_every=N``, every Nth film (from film N-1) has a streaming window
    that ends before it starts: it loads, and fails the core profile.
    """
    n_people = max(8, n_films // 2)
    n_places = max(4, n_films // 200)
    n_orgs = max(3, n_films // 100)
    n_fest = max(2, n_films // 500)
    yield "info", {"id": "synthetic", "names": {"en": f"Synthetic catalogue of {n_films} films"},
                   "publisher": "platform"}
    editions: list[dict[str, Any]] = [
        {"id": f"festival-{i}-{y}", "festival": f"festival-{i}", "names": {"en": f"Festival {i} {y}"},
         "start_date": f"{y}-11-0{1 + i % 9}", "location": f"city-{1 + i % max(1, n_places - 1)}"}
        for i in range(n_fest) for y in (2019, 2020)]
    editions_by_id = sorted(editions, key=lambda e: e["id"])

    def film(i: int) -> dict[str, Any]:
        rnd = random.Random(seed * 1_000_003 + i)  # one generator a film: the same film in any order
        year = 1990 + i % 35
        cast = rnd.sample(range(n_people), 5)
        made: dict[str, Any] = {
            "id": f"film-{i}",
            "titles": [{"text": f"Film number {i}", "lang": "en", "kind": "original"},
                       {"text": f"Фильм {i}", "lang": "ru", "kind": "translated"}],
            "date_created": year, "countries": ["country-0"], "original_languages": ["kk"],
            "runtime_minutes": 70 + i % 60, "genres": [_GENRES[i % len(_GENRES)]],
            "directors": [f"person-{rnd.randrange(n_people)}"],
            "cast": [{"person": f"person-{p}", "character": f"Character {j}"} for j, p in enumerate(cast[:3])],
            "crew": [{"person": f"person-{cast[3]}", "role": _ROLES[i % len(_ROLES)]}],
            "production_companies": [f"org-{i % n_orgs}"],
        }
        if i % 4 == 0:
            made["content_ratings"] = [{"value": "16+", "issuer": f"org-{(i + 1) % n_orgs}"}]
            made["availability"] = [{"platform": "platform", "starts": f"{2020 + i % 5}-01-01",
                                     "ends": f"{2021 + i % 5}-05-16", "regions": ["KZ", "GB"]}]
        if faulty_every and i % faulty_every == faulty_every - 1:
            made["availability"] = [{"platform": "platform", "starts": "2024-06-01", "ends": "2024-01-01"}]
        if i % 7 == 0:
            made["qid"] = f"Q{1000 + i}"
            made["identifiers"] = [{"scheme": "imdb", "value": f"tt{1000000 + i}"}]
        return made

    def films() -> Iterator[dict[str, Any]]:
        for i in _in_id_order("film-", range(n_films)):
            yield film(i)

    def people() -> Iterator[dict[str, Any]]:
        for i in _in_id_order("person-", range(n_people)):
            given, family = _GIVEN[i % len(_GIVEN)], _FAMILY[(i // len(_GIVEN)) % len(_FAMILY)]
            name = f"{given} {family} {i}"
            yield {"id": f"person-{i}", "names": {"en": name, "kk-Cyrl": name.lower().translate(_CYR)},
                   "occupations": ["film director" if i % 5 == 0 else "actor"],
                   **({"birth_date": 1960 + i % 40} if i % 3 == 0 else {})}

    def organizations() -> Iterator[dict[str, Any]]:
        for i in _in_id_order("org-", range(n_orgs)):
            yield {"id": f"org-{i}", "names": {"en": f"Studio {i}"}, "kinds": ["production company"]}
        yield {"id": "platform", "names": {"en": "Streaming Platform"}, "kinds": ["streaming platform"]}

    def places() -> Iterator[dict[str, Any]]:
        for i in _in_id_order("city-", range(1, n_places)):
            yield {"id": f"city-{i}", "names": {"en": f"City {i}", "ru": f"Город {i}"}, "place_type": "city",
                   "contained_in": "country-0"}
        yield {"id": "country-0", "names": {"en": "Kazakhstan", "kk-Cyrl": "Қазақстан", "ru": "Казахстан"},
               "place_type": "country", "qid": "Q232"}

    def interviews() -> Iterator[dict[str, Any]]:
        for i in _in_id_order("interview-", range(0, n_films, 25)):
            made = film(i)
            cast = random.Random(seed * 1_000_003 + i).sample(range(n_people), 5)  # the film's, as film() drew it
            yield {"id": f"interview-{i}", "headlines": {"en": f"On making film {i}"},
                   "publisher": "platform", "languages": ["en"],
                   "interviewers": [f"person-{cast[4]}"], "interviewees": [made["directors"][0]],
                   "about": [made["id"]], "date_published": f"{made['date_created'] + 1}-03-0{1 + i % 9}"}

    def awards() -> Iterator[dict[str, Any]]:
        for i in _in_id_order("award-", range(n_fest)):
            yield {"id": f"award-{i}", "names": {"en": f"Grand Prize {i}"}, "conferred_by": f"festival-{i}"}

    def award_outcomes() -> Iterator[dict[str, Any]]:
        for i in _in_id_order("outcome-", range(0, n_films, 10)):
            edition = editions[i % len(editions)]
            yield {"id": f"outcome-{i}", "award": f"award-{(i // 10) % n_fest}",
                   "status": "won" if i % 20 == 0 else "nominated", "recipients": [f"film-{i}"],
                   "for_work": f"film-{i}", "edition": edition["id"], "date": edition["start_date"][:4]}

    def festivals() -> Iterator[dict[str, Any]]:
        for i in _in_id_order("festival-", range(n_fest)):
            yield {"id": f"festival-{i}", "names": {"en": f"Festival {i}"}}

    def festival_editions() -> Iterator[dict[str, Any]]:
        yield from editions_by_id

    def festival_sections() -> Iterator[dict[str, Any]]:
        for edition in editions_by_id:
            yield {"id": f"{edition['id']}-competition", "edition": edition["id"], "names": {"en": "Competition"}}

    def screenings() -> Iterator[dict[str, Any]]:
        for i in _in_id_order("screening-", range(0, n_films, 10)):
            edition = editions[i % len(editions)]
            yield {"id": f"screening-{i}", "film": f"film-{i}", "section": f"{edition['id']}-competition",
                   "start_date": edition["start_date"], "premiere": "world"}

    makers = {"films": films, "people": people, "organizations": organizations, "places": places,
              "interviews": interviews, "awards": awards, "award_outcomes": award_outcomes, "festivals": festivals,
              "festival_editions": festival_editions, "festival_sections": festival_sections,
              "screenings": screenings}
    for name in LISTS:  # the registry's order
        if name in makers:
            for record in makers[name]():
                yield name, record


def synthetic_film(data: dict[str, Any], number: int) -> dict[str, Any]:
    """Film ``film-{number}`` of :func:`synthetic_data`'s mapping (the lists are in id order, not by number)."""
    return next(f for f in data["films"] if f["id"] == f"film-{number}")


def synthetic_data(n_films: int, seed: int = 7) -> dict[str, Any]:
    """The raw mapping (as a catalogue file would hold it) of a synthetic catalogue."""
    data: dict[str, Any] = {"info": None, **{name: [] for name in _LIST_ORDER}}
    for name, record in synthetic_records(n_films, seed):
        if name == "info":
            data["info"] = record
        else:
            data[name].append(record)
    return data


_LIST_ORDER = tuple(name for name in LISTS if name not in ("works", "programmes", "selections"))
"""The lists the synthetic catalogue fills, in the registry's order."""


def write_synthetic_jsonl(n_films: int, path: str | os.PathLike[str], seed: int = 7, faulty_every: int = 0) -> Path:
    """Write a synthetic catalogue straight to JSON Lines (constant memory, for catalogues of any size)."""
    from ..io import publish_file, temp_beside
    from ._stream import jsonl_line

    target = Path(path)
    tmp = temp_beside(target)
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            for name, record in synthetic_records(n_films, seed, faulty_every):
                fh.write(jsonl_line(name, record) + "\n")
        publish_file(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def synthetic_catalogue(n_films: int, seed: int = 7) -> Catalogue:
    """A validated synthetic catalogue of ``n_films`` films."""
    return Catalogue(**synthetic_data(n_films, seed))
