"""Reconciliation with Wikidata: candidate QIDs for records, ranked, with the evidence.

>>> from lod.wikidata import Client
>>> Client(user_agent="")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
lod.wikidata..._client.WikidataError: ...User-Agent...

Only this module talks to the network, and only when called. Every request has a timeout;
connection errors, 429 and 5xx are retried with exponential backoff and jitter, honouring
``Retry-After`` (seconds, also fractional, or an HTTP date) up to a cap; ``maxlag`` is sent and
a maxlag error (HTTP 200 with an error body) is retried too. Answers are cached on disk
(requests-cache), so a run that stops part-way resumes with every answer it had, and
``offline=True`` reads only the cache. A truncated or non-JSON answer is an error, never
"no match". User text goes only into URL parameters; SPARQL holds nothing but checked QIDs.
"""

from __future__ import annotations

import csv
import email.utils
import hashlib
import io
import json
import os
import random
import re
import shutil
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .. import errors as E
from ..records import REGISTRY, Catalogue, Film, Person, Record

WIKIDATA_API = "https://www.wikidata.org/w/api.php"
WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"
WD_ENTITY = "http://www.wikidata.org/entity/"
LOCAL_AGENT = "lod (a local Wikidata extract)"
_QID = re.compile(r"Q[1-9]\d*\Z")
FILM_OCCUPATIONS = frozenset({"Q2526255", "Q33999", "Q10800557", "Q28389", "Q3282637", "Q222344"})
"""film director, actor, film actor, screenwriter, film producer, cinematographer"""

TYPES: dict[type, str] = {k.cls: k.wikidata_class for k in REGISTRY if k.reconcile and k.wikidata_class}
"""The Wikidata class a candidate must be an instance of (or of a subclass of), by record type: the kinds the
registry reconciles, with their class from the alignment table's ``@type`` rows."""


class WikidataError(E.LodError):
    """Wikidata (or the configured mirror) could not answer properly; nothing is guessed."""


class OfflineMiss(WikidataError):
    """Offline mode, and the answer is not in the cache."""


class Unreachable(WikidataError):
    """Wikidata (or the mirror) did not answer after every retry: the network or the service is down."""


@dataclass
class Candidate:
    qid: str
    label: str
    description: str
    score: float
    evidence: list[str] = field(default_factory=list)


# --- the documented answer shapes (only the parts lod reads; anything else may be there too) ---------------

class _Answer(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class _Match(_Answer):
    text: str = ""


class _SearchHit(_Answer):
    id: str
    label: str = ""
    description: str = ""
    aliases: list[str] = []
    match: _Match | None = None


class _SearchAnswer(_Answer):
    """``wbsearchentities``: https://www.wikidata.org/w/api.php?action=help&modules=wbsearchentities"""

    search: list[_SearchHit]


class _DataValue(_Answer):
    value: Any = None


class _Snak(_Answer):
    datavalue: _DataValue | None = None


class _Claim(_Answer):
    mainsnak: _Snak | None = None


class _Label(_Answer):
    value: str


class _Redirect(_Answer):
    from_: str = Field(alias="from")
    to: str


class _Entity(_Answer):
    id: str | None = None
    redirects: _Redirect | None = None
    labels: dict[str, _Label] = {}
    claims: dict[str, list[_Claim]] = {}


class _EntitiesAnswer(_Answer):
    """``wbgetentities``: https://www.wikidata.org/w/api.php?action=help&modules=wbgetentities"""

    entities: dict[str, _Entity]


class _Term(_Answer):
    type: str
    value: str


class _Results(_Answer):
    bindings: list[dict[str, _Term]]


class _SparqlAnswer(_Answer):
    """SPARQL 1.1 Query Results JSON Format: https://www.w3.org/TR/sparql11-results-json/"""

    results: _Results


def _shaped(adapter: type[_Answer], data: Any, what: str) -> Any:
    """The answer checked against its documented shape, or a WikidataError saying what came back."""
    try:
        return adapter.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "the answer"
        raise WikidataError(f"{what} answered {_short_json(data)}, which is not the documented shape "
                            f"({where}: {first['msg']}); this is an error, not 'no match'") from None


def _short_json(data: Any, limit: int = 120) -> str:
    text = json.dumps(data, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Stats:
    requests: int = 0
    from_cache: int = 0
    retries: int = 0


class Client:
    """A polite Wikidata client: ``Client(user_agent="lod-example/1.0 (archive@example.org)")``."""

    def __init__(self, user_agent: str, *, cache: str | os.PathLike[str] | None = None,
                 api_url: str | None = WIKIDATA_API, sparql_url: str = WIKIDATA_SPARQL, offline: bool = False,
                 timeout: float = 20.0, retries: int = 5, backoff: float = 1.0, max_wait: float = 60.0,
                 maxlag: int = 5, sleep: Callable[[float], None] = time.sleep, store: Any = None) -> None:
        if api_url is not None and (not user_agent or not re.search(r"@|https?://", user_agent)):
            raise WikidataError("Wikidata requires a User-Agent with contact information, e.g. "
                                "'lod-archive/1.0 (curator@example.org)'; pass user_agent=… (or --user-agent)")
        if offline and cache is None:
            raise WikidataError("offline mode reads the cache: give a cache folder")
        self.has_cache = cache is not None
        self.api_url, self.sparql_url = api_url, sparql_url
        self.store = store  # a pyoxigraph Store holding a Wikidata extract (from_dump): SPARQL in-process
        self.timeout, self.retries, self.backoff, self.max_wait, self.maxlag = timeout, retries, backoff, max_wait, maxlag
        self.offline = offline
        self.sleep = sleep
        self.stats = Stats()
        if cache is not None:
            import requests_cache

            Path(cache).mkdir(parents=True, exist_ok=True)
            self.session: requests.Session = requests_cache.CachedSession(
                str(Path(cache) / "wikidata"), backend="sqlite", allowable_methods=("GET", "POST"),
                filter_fn=_cacheable, expire_after=-1,
                ignored_parameters=("maxlag", "Authorization", "X-API-Key"))  # the answer does not depend on it
        else:
            self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent

    @classmethod
    def local(cls, endpoint: str, *, user_agent: str = LOCAL_AGENT, **options: Any) -> Client:
        """A client for a SPARQL endpoint the user runs, holding a Wikidata extract.

        The extract is in the Wikidata Query Service's RDF model: ``rdfs:label`` and
        ``skos:altLabel`` (names), ``schema:description``, truthy ``wdt:`` claims, ``owl:sameAs``
        from a merged item to its target; class items with their ``wdt:P279`` for the type check.
        Search, entities and facts are all SPARQL queries (:data:`LOCAL_QUERIES`); names are matched
        exactly (as written, in the record's language, its base language, English and ``mul``),
        through the store's index rather than a scan. Nothing goes to Wikidata.
        """
        return cls(user_agent, api_url=None, sparql_url=endpoint, **options)

    @classmethod
    def from_dump(cls, path: str | os.PathLike[str], *, index: str | os.PathLike[str] | None = None,
                  on_entity: Callable[[int], None] | None = None) -> Client:
        """A client answering from a Wikidata JSON dump file (``.json``, ``.json.gz``, ``.json.bz2``).

        The dump is read once, in a stream (one entity a line, as Wikidata's dumps are, or JSON
        Lines), into a pyoxigraph store in the same model as :meth:`local`; with ``index`` (a
        folder) the store is kept on disk there, keyed by the dump's name, size and time, so a
        later run does not read the dump again. Only labels, aliases, descriptions and the truthy
        values of items, strings, identifiers and times are kept.
        """
        store = dump_store(Path(path), None if index is None else Path(index), on_entity)
        return cls(LOCAL_AGENT, api_url=None, sparql_url=f"file:{Path(path)}", store=store)

    # --- transport -----------------------------------------------------------------------
    def _get(self, url: str, params: dict[str, str], *, accept: str = "application/json") -> Any:
        last: str = ""
        for attempt in range(self.retries + 1):
            kwargs: dict[str, Any] = {"params": params, "timeout": self.timeout, "headers": {"Accept": accept}}
            if self.offline:
                kwargs["only_if_cached"] = True
            try:
                response = self.session.get(url, **kwargs)
            except requests.RequestException as exc:  # connection, timeout, a body cut off mid-transfer
                last = f"{type(exc).__name__}: {exc}"
                self._wait(attempt, None)
                continue
            self.stats.requests += 1
            if getattr(response, "from_cache", False):
                self.stats.from_cache += 1
            if self.offline and response.status_code == 504:
                raise OfflineMiss(f"offline, and not in the cache: {url}?{_show(params)}")
            if response.status_code == 429 or response.status_code >= 500:
                last = f"HTTP {response.status_code}"
                self._wait(attempt, response.headers.get("Retry-After"))
                continue
            if response.status_code != 200:
                raise WikidataError(f"HTTP {response.status_code} from {url}: {response.text[:200]!r}")
            try:
                data = response.json()
            except (ValueError, RecursionError):
                raise WikidataError(f"truncated or non-JSON answer from {url} ({len(response.content)} bytes); "
                                    "this is an error, not 'no match'") from None
            error = data.get("error") if isinstance(data, dict) else None
            if isinstance(error, dict) and error.get("code") == "maxlag":
                last = f"maxlag: {error.get('info', '')}"
                self._wait(attempt, response.headers.get("Retry-After"))
                continue
            if isinstance(error, dict):
                raise WikidataError(f"Wikidata API error {error.get('code')}: {error.get('info')}")
            return data
        raise Unreachable(f"gave up after {self.retries + 1} tries: {last}")

    def _wait(self, attempt: int, retry_after: str | None) -> None:
        if attempt >= self.retries:
            return
        self.stats.retries += 1
        delay = parse_retry_after(retry_after)
        if delay is None:
            delay = self.backoff * (2 ** attempt) * (0.5 + random.random())  # exponential, with jitter
        self.sleep(min(delay, self.max_wait))

    # --- API calls -------------------------------------------------------------------------
    def search(self, text: str, lang: str, limit: int = 7) -> list[dict[str, Any]]:
        """``wbsearchentities`` for items; user text only ever goes in as a URL parameter."""
        if self.api_url is None:
            return self._search_local(text, lang, limit)
        data = self._get(self.api_url, {"action": "wbsearchentities", "search": text, "language": lang.split("-")[0],
                                        "uselang": lang.split("-")[0], "type": "item", "limit": str(limit),
                                        "format": "json", "maxlag": str(self.maxlag)})
        answer = _shaped(_SearchAnswer, data, "wbsearchentities")
        return [hit.model_dump(by_alias=True) for hit in answer.search if _QID.match(hit.id)]

    def entities(self, qids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """``wbgetentities`` (claims and labels); merged items are followed: the key is the asked QID."""
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(qids), 50):
            chunk = [q for q in qids[i:i + 50] if _QID.match(q)]
            if self.api_url is None:
                out.update(self._entities_local(chunk))
                continue
            data = self._get(self.api_url, {"action": "wbgetentities", "ids": "|".join(chunk), "redirects": "yes",
                                            "props": "labels|claims", "format": "json", "maxlag": str(self.maxlag)})
            answer = _shaped(_EntitiesAnswer, data, "wbgetentities")
            for key, entity in answer.entities.items():
                target = entity.id or key
                asked = entity.redirects.from_ if entity.redirects is not None else key
                out[asked] = {**entity.model_dump(by_alias=True), "id": target}
        return out

    def sparql(self, query: str) -> list[dict[str, Any]]:
        """SELECT results as a list of bindings; a truncated answer is an error."""
        if self.store is not None:
            import pyoxigraph as ox

            data = json.loads(self.store.query(query).serialize(format=ox.QueryResultsFormat.JSON))
            self.stats.requests += 1
        else:
            data = self._get(self.sparql_url, {"query": query, "format": "json"}, accept="application/sparql-results+json")
        answer = _shaped(_SparqlAnswer, data, "the query service")
        return [{var: term.model_dump(by_alias=True) for var, term in row.items()} for row in answer.results.bindings]

    def _search_local(self, text: str, lang: str, limit: int) -> list[dict[str, Any]]:
        """``wbsearchentities``' answer from the extract: items with the name as a label or an alias."""
        base = lang.split("-")[0].lower()
        tags = dict.fromkeys(t for t in (lang.lower(), base, "en", "mul") if _LANG.match(t))
        words = " ".join(_sparql_string(text) + "@" + tag for tag in tags)
        rows = self.sparql(LOCAL_QUERIES["search"].format(names=words, lang=base))
        hits: dict[str, dict[str, Any]] = {}
        for row in rows:
            qid = row["item"]["value"].rsplit("/", 1)[-1]
            if not _QID.match(qid):
                continue
            hit = hits.setdefault(qid, {"id": qid, "label": "", "description": "", "aliases": [],
                                        "match": {"text": row["matched"]["value"]}})
            for key in ("label", "label_en"):
                if not hit["label"] and key in row:
                    hit["label"] = row[key]["value"]
            for key in ("description", "description_en"):
                if not hit["description"] and key in row:
                    hit["description"] = row[key]["value"]
            if row.get("kind", {}).get("value") == "alias" and row["matched"]["value"] not in hit["aliases"]:
                hit["aliases"].append(row["matched"]["value"])
        # every exact hit goes on to be scored (the live API's relevance order has no local equivalent, and
        # cutting by QID would drop recent items first); LOCAL_HITS only bounds a very common name
        ranked = sorted(hits.values(), key=lambda h: (len(h["id"]), h["id"]))[:max(limit, LOCAL_HITS)]
        return [hit.model_dump(by_alias=True) for hit in _SearchAnswer.model_validate({"search": ranked}).search]

    def _entities_local(self, qids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """``wbgetentities``' answer from the extract: labels and truthy claims, merged items followed."""
        if not qids:
            return {}
        rows = self.sparql(LOCAL_QUERIES["entities"].format(items=" ".join(f"wd:{q}" for q in qids)))
        entities: dict[str, dict[str, Any]] = {}
        for row in rows:
            asked = row["asked"]["value"].rsplit("/", 1)[-1]
            target = row["target"]["value"].rsplit("/", 1)[-1]
            entity = entities.setdefault(asked, {"id": target, "labels": {}, "claims": {}})
            if target != asked:
                entity["redirects"] = {"from": asked, "to": target}
            if "p" not in row:
                continue
            prop, obj = row["p"]["value"], row["o"]
            if prop == str(RDFS_LABEL):
                tag = obj.get("xml:lang", "")
                entity["labels"].setdefault(tag, {"language": tag, "value": obj["value"]})
            elif prop.startswith(WDT_NS):
                value: Any = ({"id": obj["value"].rsplit("/", 1)[-1]} if obj["type"] == "uri" else obj["value"])
                entity["claims"].setdefault(prop[len(WDT_NS):], []).append({"mainsnak": {"datavalue": {"value": value}}})
        answer = _shaped(_EntitiesAnswer, {"entities": entities}, "the local extract")
        return {asked: {**entity.model_dump(by_alias=True), "id": entity.id or asked}
                for asked, entity in answer.entities.items()}

    def existing_statements(self, qid: str) -> set[tuple[str, str]]:
        """(property, QuickStatements value) pairs an item already has (items and strings)."""
        entity = self.entities([qid]).get(qid, {})
        have: set[tuple[str, str]] = set()
        for pid, claims in (entity.get("claims") or {}).items():
            for claim in claims:
                value = ((claim.get("mainsnak") or {}).get("datavalue") or {}).get("value")
                if isinstance(value, dict) and isinstance(value.get("id"), str):
                    have.add((pid, value["id"]))
                elif isinstance(value, str):
                    have.add((pid, f'"{value}"'))
        return have

    # --- reconciliation --------------------------------------------------------------------
    def candidates(self, record: Record, catalogue: Catalogue, limit: int = 5) -> list[Candidate]:
        """Candidates for one record, best first, each with the evidence for its score."""
        names = _names(record)
        found: dict[str, dict[str, Any]] = {}
        matched: dict[str, set[str]] = {}
        for text, lang in names:
            for hit in self.search(text, lang):
                qid = hit["id"]
                found.setdefault(qid, hit)
                labels = {hit.get("label", "")} | set(hit.get("aliases") or []) | {(hit.get("match") or {}).get("text", "")}
                if any(_same(text, label) for label in labels if label):
                    matched.setdefault(qid, set()).add(f"{lang}:{text}")
        if not found:
            return []
        redirects = self.entities(sorted(found))
        target_of = {qid: str(redirects.get(qid, {}).get("id", qid)) for qid in found}
        facts = self._facts(sorted(set(target_of.values())))  # a merged item's facts are its target's
        merged: dict[str, list[str]] = {}
        target_names: dict[str, set[str]] = {}
        hits: dict[str, dict[str, Any]] = {}
        for qid, hit in found.items():
            target = target_of[qid]
            target_names.setdefault(target, set()).update(matched.get(qid, set()))
            if target != qid:
                merged.setdefault(target, []).append(qid)
            if qid == target or target not in hits:
                hits[target] = hit
        ranked = []
        for target, hit in hits.items():
            score, evidence = _score(record, catalogue, target_names[target], facts.get(target, {}))
            evidence += [f"{old} was merged into {target}" for old in sorted(merged.get(target, []))]
            label = str(hit.get("label", "")) if hit.get("id") == target else str(
                ((redirects.get(hit["id"], {}).get("labels") or {}).get("en") or {}).get("value", hit.get("label", "")))
            ranked.append(Candidate(target, label, str(hit.get("description", "")), round(score, 3), evidence))
        return sorted(ranked, key=lambda c: (-c.score, c.qid))[:limit]

    def _facts(self, qids: list[str]) -> dict[str, dict[str, set[str]]]:
        values = " ".join(f"wd:{q}" for q in qids if _QID.match(q))  # only checked QIDs reach the query
        query = f"""PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
SELECT ?item ?type ?date ?director ?country ?occupation WHERE {{
  VALUES ?item {{ {values} }}
  OPTIONAL {{ ?item wdt:P31/wdt:P279* ?type . VALUES ?type {{ wd:Q5 wd:Q11424 wd:Q27787439 wd:Q618779 wd:Q220505 }} }}
  OPTIONAL {{ ?item wdt:P577 ?date }}
  OPTIONAL {{ ?item wdt:P57 ?director }}
  OPTIONAL {{ ?item wdt:P495|wdt:P27 ?country }}
  OPTIONAL {{ ?item wdt:P106 ?occupation }}
}}"""
        out: dict[str, dict[str, set[str]]] = {}
        for row in self.sparql(query):
            if "item" not in row:
                continue
            qid = row["item"]["value"].rsplit("/", 1)[-1]
            facts = out.setdefault(qid, {"type": set(), "year": set(), "director": set(), "country": set(),
                                         "occupation": set()})
            for key in ("type", "director", "country", "occupation"):
                if key in row:
                    facts[key].add(row[key]["value"].rsplit("/", 1)[-1])
            if "date" in row:
                facts["year"].add(row["date"]["value"][:4].lstrip("+"))
        return out


# --- a local Wikidata extract: a SPARQL endpoint, or a JSON dump read into a store --------------------

WDT_NS = "http://www.wikidata.org/prop/direct/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_LANG = re.compile(r"[a-z]{1,8}(-[a-z0-9]{1,8})*\Z")
_PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""
LOCAL_QUERIES = {
    "search": _PREFIXES + """SELECT ?item ?matched ?kind ?label ?label_en ?description ?description_en WHERE {{
  VALUES ?matched {{ {names} }}
  {{ ?item rdfs:label ?matched BIND("label" AS ?kind) }} UNION {{ ?item skos:altLabel ?matched BIND("alias" AS ?kind) }}
  OPTIONAL {{ ?item rdfs:label ?label FILTER(LANG(?label) = "{lang}") }}
  OPTIONAL {{ ?item rdfs:label ?label_en FILTER(LANG(?label_en) = "en") }}
  OPTIONAL {{ ?item schema:description ?description FILTER(LANG(?description) = "{lang}") }}
  OPTIONAL {{ ?item schema:description ?description_en FILTER(LANG(?description_en) = "en") }}
}}""",
    "entities": _PREFIXES + """SELECT ?asked ?target ?p ?o WHERE {{
  VALUES ?asked {{ {items} }}
  OPTIONAL {{ ?asked owl:sameAs ?merged }}
  BIND(COALESCE(?merged, ?asked) AS ?target)
  OPTIONAL {{ {{ ?target rdfs:label ?o BIND(rdfs:label AS ?p) }}
             UNION {{ ?target ?p ?o FILTER(STRSTARTS(STR(?p), "http://www.wikidata.org/prop/direct/")) }} }}
}}""",
}
"""The SPARQL a local client sends in place of ``wbsearchentities`` and ``wbgetentities``. Labels and
descriptions are taken in exactly the page language, else exactly English (``en-gb`` is not ``en``)."""
LOCAL_HITS = 200
"""At most this many exact hits of one name are scored (Wikidata has a few hundred items named "Madina")."""


def _sparql_string(text: str) -> str:
    """User text as a SPARQL string literal: control characters become spaces, quotes and backslashes escaped
    (never ``\\u`` escapes, which SPARQL decodes before parsing)."""
    clean = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return '"' + clean.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dump_store(path: Path, index: Path | None = None, on_entity: Callable[[int], None] | None = None) -> Any:
    """A pyoxigraph store of a Wikidata JSON dump (see :meth:`Client.from_dump`)."""
    import pyoxigraph as ox

    from ..io import staging_dir

    if not path.is_file():
        raise E.MissingFile(f"{path}: no such Wikidata dump file", path=str(path))
    if index is None:
        store = ox.Store()
        store.bulk_extend(_dump_quads(path, on_entity))
        return store
    stat = path.stat()
    key = hashlib.sha256(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    folder = index / f"wikidata-dump-{key}"
    if not folder.is_dir():
        index.mkdir(parents=True, exist_ok=True)
        staged = staging_dir(folder)
        try:
            store = ox.Store(str(staged))
            store.bulk_extend(_dump_quads(path, on_entity))
            store.flush()
            del store
            os.rename(staged, folder)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
    return ox.Store.read_only(str(folder))


def _dump_lines(path: Path) -> Iterable[tuple[int, str]]:
    import bz2
    import gzip

    opener: Any = gzip.open if path.suffix == ".gz" else bz2.open if path.suffix == ".bz2" else open
    number = 0
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            for number, line in enumerate(f, start=1):
                yield number, line
    except (OSError, EOFError, UnicodeDecodeError) as exc:  # cut off mid-download, not gzip, not UTF-8
        raise WikidataError(f"{path}, line {number + 1}: cannot read the dump ({exc}); is the file complete?"
                            ) from None


def _dump_quads(path: Path, on_entity: Callable[[int], None] | None) -> Iterable[Any]:
    """The triples of each dump entity, in the Query Service's model (truthy: best rank, no deprecated)."""
    import pyoxigraph as ox

    label, alt = ox.NamedNode(RDFS_LABEL), ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
    described = ox.NamedNode("http://schema.org/description")
    date = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
    count = 0

    def literal(value: str, tag: str) -> Any:
        try:
            return ox.Literal(value, language=tag)
        except ValueError:  # a tag Wikidata allows and BCP 47 does not: the name is left out
            return None

    for number, line in _dump_lines(path):
        text = line.strip().rstrip(",")
        if text in ("", "[", "]"):
            continue
        try:
            entity = json.loads(text)
            qid = entity["id"]
        except (ValueError, KeyError, TypeError, RecursionError):
            raise WikidataError(f"{path}, line {number}: not a Wikidata entity in JSON (a dump has one entity "
                                "a line, between '[' and ']')") from None
        if not isinstance(qid, str) or not _QID.match(qid):
            continue  # properties and lexemes say nothing lod asks about
        s = ox.NamedNode(WD_ENTITY + qid)
        for field_name, pred in (("labels", label), ("descriptions", described)):
            for tag, term in (entity.get(field_name) or {}).items():
                if isinstance(term, dict) and isinstance(term.get("value"), str) and _LANG.match(tag.lower()):
                    if (lit := literal(term["value"], tag.lower())) is not None:
                        yield ox.Quad(s, pred, lit)
        for tag, terms in (entity.get("aliases") or {}).items():
            for term in terms if isinstance(terms, list) and _LANG.match(tag.lower()) else ():
                if isinstance(term, dict) and isinstance(term.get("value"), str):
                    if (lit := literal(term["value"], tag.lower())) is not None:
                        yield ox.Quad(s, alt, lit)
        for prop, statements in (entity.get("claims") or {}).items():
            if not isinstance(statements, list) or not re.fullmatch(r"P[1-9]\d*", prop):
                continue
            ranks = {st.get("rank") for st in statements if isinstance(st, dict)}
            best = "preferred" if "preferred" in ranks else "normal"
            for st in statements:
                if not isinstance(st, dict) or st.get("rank", "normal") != best:
                    continue
                value = ((st.get("mainsnak") or {}).get("datavalue") or {}).get("value")
                obj: Any = None
                if isinstance(value, dict) and isinstance(value.get("id"), str) and _QID.match(value["id"]):
                    obj = ox.NamedNode(WD_ENTITY + value["id"])
                elif isinstance(value, str):
                    obj = ox.Literal(value)
                elif isinstance(value, dict) and isinstance(value.get("time"), str):
                    when = re.fullmatch(r"\+?(-?\d{4,})-(\d\d)-(\d\d)(T.*)", value["time"])
                    if when:
                        y, m, d, rest = when.groups()
                        obj = ox.Literal(f"{y}-{m if m != '00' else '01'}-{d if d != '00' else '01'}{rest}",
                                         datatype=date)
                if obj is not None:
                    yield ox.Quad(s, ox.NamedNode(WDT_NS + prop), obj)
        count += 1
        if on_entity is not None:
            on_entity(count)


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds: ``"2.5"`` or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _cacheable(response: requests.Response) -> bool:
    """Cache only whole, successful JSON answers (never a maxlag error or a truncated body)."""
    try:
        data = response.json()
    except ValueError:
        return False
    return not (isinstance(data, dict) and "error" in data)


def _show(params: dict[str, str]) -> str:
    return "&".join(f"{k}={v}" for k, v in params.items() if k != "maxlag")


def _names(record: Record) -> list[tuple[str, str]]:
    texts = [*getattr(record, "names", ()), *getattr(record, "titles", ()), *getattr(record, "alternate_names", ())]
    seen: dict[tuple[str, str], None] = {}
    for t in texts:
        seen[(t.text, t.lang)] = None
    return list(seen)


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def _same(a: str, b: str) -> bool:
    return _fold(a) == _fold(b)


def _score(record: Record, catalogue: Catalogue, matched: set[str], facts: dict[str, set[str]]
           ) -> tuple[float, list[str]]:
    score, evidence = 0.0, []
    if matched:
        score += 0.4
        evidence.append("name matches " + ", ".join(sorted(matched)))
    wanted = TYPES.get(type(record))
    if wanted and wanted in facts.get("type", set()):
        score += 0.3
        evidence.append(f"instance of {wanted} (or a subclass)")
    elif wanted:
        evidence.append(f"not an instance of {wanted}")
    year = getattr(record, "date_created", None) or getattr(record, "date_published", None)
    if isinstance(record, Film) and year and year[:4] in facts.get("year", set()):
        score += 0.15
        evidence.append(f"year {year[:4]}")
    if isinstance(record, Film):
        directors = {catalogue[d].qid for d in record.directors if getattr(catalogue[d], "qid", None)}  # type: ignore[attr-defined]
        if directors & facts.get("director", set()):
            score += 0.1
            evidence.append("same director")
    if isinstance(record, Person) and facts.get("occupation", set()) & FILM_OCCUPATIONS:
        score += 0.05
        evidence.append("film occupation")
    countries = {getattr(catalogue[c], "qid", None)
                 for c in (*getattr(record, "countries", ()), *getattr(record, "nationality", ()))} - {None}
    if countries & facts.get("country", set()):
        score += 0.05
        evidence.append("same country")
    return score, evidence


# --- the review file -------------------------------------------------------------------------

REVIEW_COLUMNS = ("record", "kind", "name", "rank", "qid", "label", "description", "score", "evidence",
                  "accept", "reject")


PENDING = "PENDING"
"""The ``evidence`` of a review row for a record that could not be reconciled yet (``qid`` empty)."""


def review_rows(client: Client, catalogue: Catalogue, kinds: Iterable[type] = tuple(TYPES),
                on_record: Callable[[Record], None] | None = None, done: Iterable[str] = ()
                ) -> list[dict[str, str]]:
    """Candidate rows for every record without a QID (accept/reject left for a person).

    A record Wikidata cannot be asked about (no network, not in the offline cache) gets one row
    with an empty ``qid`` and ``evidence`` starting with :data:`PENDING`, and the others go on:
    once Wikidata is out of reach, the rest are answered from the cache or marked pending at
    once, without waiting for retries. Records in ``done`` (reconciled by an earlier run) are
    left out, so a later run resumes where this one stopped.
    """
    rows: list[dict[str, str]] = []
    skip = set(done)
    unreachable: str | None = None
    for record in catalogue.records():
        if not isinstance(record, tuple(kinds)) or getattr(record, "qid", None) or record.id in skip:  # noqa: SIM102
            continue
        name = next((t.text for t in _names_first(record)), record.id)
        try:
            if unreachable is not None and not client.offline:
                raise Unreachable(unreachable)
            found = client.candidates(record, catalogue)
        except (Unreachable, OfflineMiss) as exc:
            if isinstance(exc, Unreachable) and unreachable is None:
                unreachable = str(exc)
                if client.has_cache:  # the rest from the cache only: no more waiting on a dead network
                    client.offline = True
            rows.append({"record": record.id, "kind": record.kind, "name": name, "rank": "", "qid": "", "label": "",
                         "description": "", "score": "", "evidence": f"{PENDING}: not reconciled ({exc}); run "
                         "lod reconcile again to resume", "accept": "", "reject": ""})
            continue
        for rank, cand in enumerate(found, start=1):
            rows.append({"record": record.id, "kind": record.kind, "name": name, "rank": str(rank), "qid": cand.qid,
                         "label": cand.label, "description": cand.description, "score": f"{cand.score:.3f}",
                         "evidence": "; ".join(cand.evidence), "accept": "", "reject": ""})
        if on_record is not None:
            on_record(record)
    return rows


def pending(rows: Iterable[dict[str, str]]) -> list[str]:
    """The records a review file marks as not reconciled yet."""
    return [r["record"] for r in rows if not r.get("qid") and r.get("evidence", "").startswith(PENDING)]


def read_review(text: str) -> list[dict[str, str]]:
    """The rows of a review file (as lod wrote it, or as a spreadsheet saved it), values stripped."""
    return _review(text)[1]


def _review(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))  # a spreadsheet may add a BOM
    rows = [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    return list(reader.fieldnames or ()), rows


def _names_first(record: Record) -> list[Any]:
    return [*getattr(record, "names", ()), *getattr(record, "titles", ())]


def write_review(rows: Sequence[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=REVIEW_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def accepted(review_csv: str, auto_accept: float | None = None) -> tuple[dict[str, str], list[str]]:
    """Record id -> accepted QID, and notes on what was accepted automatically (never silently)."""
    chosen: dict[str, str] = {}
    notes: list[str] = []
    columns, rows = _review(review_csv)
    missing = {"record", "rank", "qid", "score", "accept", "reject"} - set(columns)
    if missing:
        raise E.BadValue(f"the review file lacks the columns {sorted(missing)}", field="review",
                         value=",".join(columns))
    yes = {"x", "yes", "y", "1", "true", "accept"}
    rows = [row for row in rows if row.get("qid")]  # a pending record has no candidate to accept yet
    for row in rows:
        if row.get("accept", "").strip().lower() in yes and row.get("reject", "").strip().lower() not in yes:
            if row["record"] in chosen and chosen[row["record"]] != row["qid"]:
                raise E.BadValue("two candidates accepted for one record", record=row["record"], field="accept",
                                 value=f"{chosen[row['record']]}, {row['qid']}")
            chosen[row["record"]] = row["qid"]
    if auto_accept is not None:
        for row in rows:
            try:
                score = float(row["score"].replace(",", "."))
            except ValueError:
                raise E.BadValue("the score is not a number", record=row["record"], field="score",
                                 value=row["score"]) from None
            if (row["record"] not in chosen and row["rank"] == "1" and score >= auto_accept
                    and row.get("reject", "").strip().lower() not in yes):
                chosen[row["record"]] = row["qid"]
                notes.append(f"accepted automatically (score {row['score']} >= {auto_accept}): "
                             f"{row['record']} -> {row['qid']} {row['label']!r}")
    for rid, qid in chosen.items():
        if not _QID.match(qid):
            raise E.BadQID("not a QID in the review file", record=rid, field="qid", value=qid)
    return chosen, notes


def apply_qids(catalogue_path: str | os.PathLike[str], qids: dict[str, str]) -> list[str]:
    """Write accepted QIDs into a YAML catalogue file, keeping its formatting and comments."""
    from ruamel.yaml import YAML

    from ..io import write_atomic

    from ..io import load_catalogue, read_data

    path = Path(catalogue_path)
    load_catalogue(path)  # a catalogue with problems is named and left as it is
    ids = {name: [str(item.get("id")) if isinstance(item, dict) else None for item in items]
           for name, items in read_data(path).items() if isinstance(items, list)}  # ids as lod reads them
    is_json = path.suffix.lower() == ".json"
    yaml = YAML()  # round-trip: comments, order and quoting are kept
    yaml.preserve_quotes = True
    yaml.width = 4096
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if is_json else yaml.load(text)
    applied = []
    for name, items in (data or {}).items():
        if not isinstance(items, list):
            continue
        for position, item in enumerate(items):
            rid = ids.get(name, [None] * len(items))[position]
            if isinstance(item, dict) and rid in qids:
                item["qid"] = qids[rid]
                applied.append(rid)
    missing = sorted(set(qids) - set(applied))
    if missing:
        raise E.UnknownReference("the review file names records that are not in the catalogue", record=missing[0],
                                 field="record", value=", ".join(missing))
    if is_json:
        out = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        buf = io.StringIO()
        yaml.dump(data, buf)
        out = buf.getvalue()
    write_atomic(path, out.encode("utf-8"))
    return applied
