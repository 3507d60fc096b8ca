"""Wikidata-shaped statements: truthy ``wdt:`` triples, full ``p:``/``ps:``/``pq:`` statements with
references, and QuickStatements V1 batches, all from one list of claims.

>>> import lod
>>> from lod.statements import claims
>>> cat = lod.Catalogue(places=[{"id": "kz", "names": {"en": "Kazakhstan"}, "place_type": "country",
...                              "qid": "Q232"}])
>>> [(c.pid, str(c.value)) for c in claims(cat)]
[('P31', 'Q6256')]

Property ids come from the alignment table only; a value that is a record becomes its QID, and
a record without one is left out (QIDs are never invented). Names become labels (``rdfs:label``,
QuickStatements ``L``), alternate names aliases.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from hashlib import sha1
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS, XSD

from .. import errors as E
from .._resources import read_text
from ..records import WD, table
from ._walker import DEFAULT_BASE, Mapper, check_base
from ..records import AwardOutcome, Catalogue, Film, MonetaryAmount, Record, Release
from ..records import date_datatype

WDT = "http://www.wikidata.org/prop/direct/"
P = "http://www.wikidata.org/prop/"
PS = "http://www.wikidata.org/prop/statement/"
PQ = "http://www.wikidata.org/prop/qualifier/"
PR = "http://www.wikidata.org/prop/reference/"
PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
MINUTE = "Q7727"  # the unit of P2047 duration values
LABEL_FIELDS = ("names", "titles", "headlines")


# --- values -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Value:
    """A Wikidata value: item, string, monolingual text, time, quantity or URL."""

    kind: str  # item | string | mono | time | quantity | url
    text: str
    lang: str | None = None
    precision: int | None = None
    unit: str | None = None
    record: str | None = None  # the catalogue record an item value stands for

    def __str__(self) -> str:
        return self.text

    def rdf(self) -> URIRef | Literal:
        if self.kind == "item":
            return URIRef(WD + self.text)
        if self.kind == "url":
            return URIRef(self.text)
        if self.kind == "mono":
            return Literal(self.text, lang=self.lang)
        if self.kind == "time":  # Wikidata's RDF writes an unknown month or day as 01 (precision says which)
            return Literal(_time_iso(self.text).replace("-00", "-01"), datatype=XSD.dateTime)
        if self.kind == "quantity":
            return Literal(self.text, datatype=XSD.decimal)
        return Literal(self.text)

    def qs(self) -> str:
        """The value in QuickStatements V1 syntax."""
        if self.kind == "item":
            return self.text
        if self.kind == "mono":  # Wikidata's language codes are lower case (kk-cyrl)
            return f'{(self.lang or "").lower()}:"{_qs_text(self.text)}"'
        if self.kind == "time":
            return f"+{_time_iso(self.text)}/{self.precision}"
        if self.kind == "quantity":
            return f"{self.text}U{self.unit[1:]}" if self.unit else self.text
        return f'"{_qs_text(self.text)}"'


def _qs_text(text: str) -> str:
    # QuickStatements V1 has no escape for the delimiters: a tab, newline or double quote would break
    # the line, so they are refused here (the record keeps them; only the batch cannot carry them)
    if any(ch in text for ch in '"\t\n\r'):
        raise ValueError(f"QuickStatements cannot carry this text (tab, newline or double quote): {text!r}")
    return text


def time_value(date: str) -> Value | None:
    """A partial date as a Wikidata time with precision (9 year, 10 month, 11 day); no year: None."""
    kind = date_datatype(date)
    if kind == "gMonthDay" or date.startswith("-"):
        return None
    precision = {"gYear": 9, "gYearMonth": 10, "date": 11, "dateTime": 11}[kind]
    return Value("time", date[:10] if kind == "dateTime" else date, precision=precision)


def _time_iso(date: str) -> str:
    parts = date.split("-")
    year, month, day = parts[0], parts[1] if len(parts) > 1 else "00", parts[2] if len(parts) > 2 else "00"
    return f"{year}-{month}-{day}T00:00:00Z"


# --- claims -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Claim:
    """One statement about one record: property, value, qualifiers, and where it comes from."""

    record: str
    pid: str
    value: Value
    qualifiers: tuple[tuple[str, Value], ...] = ()
    key: str = ""


@dataclass
class Reference:
    url: str | None = None
    retrieved: str | None = None


@cache
def property_types() -> dict[str, str]:
    """Wikidata property id -> datatype (reference subset plus lod's extra list)."""
    out: dict[str, str] = {}
    for name in ("wikidata-properties.tsv", "wikidata-extra-properties.tsv"):
        for row in csv.reader((line for line in read_text("vocab", name).splitlines() if not line.startswith("#")),
                              delimiter="\t"):
            if row and row[0].startswith("P"):
                out[row[0]] = row[2].rstrip("*")
    return out


NEW = "NEW:"
"""The text of an item value standing for a record the batch creates: its QID is known only after the batch ran."""


def claims(catalogue: Catalogue, created: Iterable[str] = ()) -> list[Claim]:
    """Every Wikidata claim the catalogue supports, in a stable order.

    Records in ``created`` (to be created, no QID yet) stand as values ``NEW:<id>``, so that the
    statements linking to them can be told apart and deferred to a second batch.
    """
    t = table()
    qids = {r.id: getattr(r, "qid", None) for r in catalogue.records()}
    qids.update({rid: NEW + rid for rid in created if not qids.get(rid)})
    types = property_types()
    out: list[Claim] = []
    released = {r.film for r in catalogue.releases if r.date and r.release_type in PUBLISHING_RELEASES}
    said: set[tuple[str, str, Value, tuple[tuple[str, Value], ...]]] = set()  # release statements, once each
    for rec in catalogue.records():
        if not hasattr(rec, "qid"):  # award outcomes, releases, selections: statements on items, not items
            if isinstance(rec, AwardOutcome):
                out.extend(_award_claims(rec, qids, catalogue))
            elif isinstance(rec, Release):
                for claim in _release_claims(rec, qids):  # two releases by one distributor: one P750
                    if (claim.record, claim.pid, claim.value, claim.qualifiers) not in said:
                        said.add((claim.record, claim.pid, claim.value, claim.qualifiers))
                        out.append(claim)
            continue
        mine: list[Claim] = []
        cls = type(rec).__name__
        type_row = t.find(cls, "@type")
        p31 = _enum_qid(t, cls, rec) or (type_row.wikidata[3:] if type_row and type_row.wikidata.startswith("wd:Q")
                                         else None)
        if p31:
            mine.append(Claim(rec.id, pid("Entity", "@instance-of"), Value("item", p31)))
        for name, info in type(rec).model_fields.items():
            row = t.find(cls, name)
            if row is None or not row.wikidata.startswith("P") or name in LABEL_FIELDS + ("alternate_names",):
                continue
            prop = row.wikidata
            if name == "contained_in" and _country_in_country(rec, catalogue):
                prop = pid("Place", "@in-country")  # Scotland in the United Kingdom: "country", not P131
            values = getattr(rec, name)
            items = values if isinstance(values, tuple) else (() if values is None else (values,))
            for item in items:
                value = _value(types.get(prop, ""), item, qids, name)
                if value is not None:
                    mine.append(Claim(rec.id, prop, value))
        if isinstance(rec, Film):
            mine.extend(_film_claims(rec, qids, types))
            if rec.date_published is None:  # Wikidata's films carry P577 (publication), not only P571
                mine.extend(_publications(rec, catalogue, qids, rec.id in released))
            else:
                mine = _qualify_publication(mine, rec, catalogue, qids)
        seen: set[tuple[str, Value, tuple[tuple[str, Value], ...]]] = set()
        for claim in mine:  # one statement per value (a company in production_companies and company_credits)
            if (claim.pid, claim.value, claim.qualifiers) not in seen:
                seen.add((claim.pid, claim.value, claim.qualifiers))
                out.append(claim)
    return out


def _country_in_country(place: Record, catalogue: Catalogue) -> bool:
    outer = catalogue.index.get(getattr(place, "contained_in", None) or "")
    return getattr(place, "place_type", None) == "country" and getattr(outer, "place_type", None) == "country"


def premieres(film: Film, catalogue: Catalogue) -> list[tuple[str, Any]]:
    """The film's premieres with a known date (the screening's, else its festival edition's), earliest first."""
    out = []
    for s in catalogue.screenings:
        if s.film != film.id or not s.premiere:
            continue
        edition = catalogue.index.get(s.edition) if s.edition else None
        when = s.start_date or getattr(edition, "start_date", None)
        if when:
            out.append((when, s))
    return sorted(out, key=lambda pair: (pair[0], pair[1].id))


def first_shown(film: Film, catalogue: Catalogue) -> str | None:
    """When the film was first shown: its publication date, else its earliest dated premiere, else its year."""
    if film.date_published:
        return film.date_published
    dated = premieres(film, catalogue)
    return dated[0][0] if dated else film.date_created


def _publications(film: Film, catalogue: Catalogue, qids: dict[str, str | None], released: bool = False
                  ) -> list[Claim]:
    """P577 without a ``date_published``: one value per dated premiere, each qualified by that premiere's own
    place (P291), as Wikidata records releases; with no dated premiere and no dated release (``released``),
    the film's year, unqualified."""
    date_pid, place_pid = pid("Film", "date_published"), pid("Film", "@published-in")
    out = []
    for when, screening in premieres(film, catalogue):
        value = time_value(when)
        place = next((q for q in (_item(qids, p) for p in screening.locations) if q), None)
        if value is not None:
            out.append(Claim(film.id, date_pid, value, ((place_pid, place),) if place else (), key=screening.id))
    if not out and not released and film.date_created and (year := time_value(film.date_created)):
        out.append(Claim(film.id, date_pid, year))
    return out


def _item(qids: dict[str, str | None], rid: str | None) -> Value | None:
    qid = qids.get(rid) if isinstance(rid, str) else None
    return Value("item", qid, record=rid) if qid else None  # a record without a QID is never invented one


def _qualify_publication(out: list[Claim], film: Film, catalogue: Catalogue, qids: dict[str, str | None]
                         ) -> list[Claim]:
    """The publication date (P577) given as ``date_published``, qualified by where the world premiere was (P291)."""
    premiere = next((s for s in catalogue.screenings if s.film == film.id and s.premiere == "world"), None)
    places = [_item(qids, p) for p in (premiere.locations if premiere else ())]
    place = next((q for q in places if q), None)
    date_pid = pid("Film", "date_published")
    if place is None:
        return out
    return [Claim(c.record, c.pid, c.value, (*c.qualifiers, (pid("Film", "@published-in"), place)),
                  c.key) if c.record == film.id and c.pid == date_pid else c for c in out]


def _enum_qid(t: Any, cls: str, rec: Record) -> str | None:
    for fname in ("place_type", "work_type"):
        value = getattr(rec, fname, None)
        if value is not None:
            row = t.values(cls, fname).get(value)
            if row is not None and row.wikidata.startswith("wd:Q"):
                return str(row.wikidata[3:])
    return None


def _value(datatype: str, item: Any, qids: dict[str, str | None], name: str) -> Value | None:
    if datatype == "wikibase-item":
        return _item(qids, item)
    if datatype == "time" and isinstance(item, str):
        return time_value(item)
    if datatype == "url" and isinstance(item, str) and item.startswith(("http://", "https://")):
        return Value("url", item)
    if datatype == "quantity" and isinstance(item, MonetaryAmount):  # in the currency's item (USD: Q4917)
        row = table().values("MonetaryAmount", "currency").get(item.currency)
        unit = row.wikidata[3:] if row is not None and row.wikidata.startswith("wd:Q") else None
        return Value("quantity", f"+{item.amount}", unit=unit) if unit else None
    if datatype == "monolingualtext" and hasattr(item, "lang"):
        return Value("mono", item.text, lang=item.lang)
    if datatype == "string" and isinstance(item, (str, int)) and name not in ("kinds",):
        return Value("string", str(item))
    return None


def pid(record: str, fname: str) -> str:
    """A Wikidata property id, from the alignment table only."""
    value = table().row(record, fname).wikidata
    if not value.startswith("P"):
        raise KeyError(f"the alignment table gives no Wikidata property for {record}.{fname}")
    return value


def _film_claims(film: Film, qids: dict[str, str | None], types: dict[str, str],
                 catalogue: Catalogue | None = None) -> Iterator[Claim]:
    for title in film.titles:
        if title.kind == "original":
            yield Claim(film.id, table().values("Title", "kind")["original"].wikidata,
                        Value("mono", title.text, lang=title.lang))
    if film.runtime_minutes:
        yield Claim(film.id, pid("Film", "runtime_minutes"), Value("quantity", f"+{film.runtime_minutes}",
                                                                   unit=MINUTE))
    for credit in film.cast:  # cast member, qualified by the character's name
        person = _item(qids, credit.person)
        if person:
            quals = ((pid("CastCredit", "character"), Value("string", credit.character)),) if credit.character else ()
            yield Claim(film.id, pid("Film", "cast"), person, quals, key=credit.person)
    for crew in film.crew:  # crew roles with their own property (P344 director of photography…)
        row = table().values("CrewCredit", "role").get(crew.role)
        person = _item(qids, crew.person)
        if row is not None and row.wikidata.startswith("P") and person:
            yield Claim(film.id, row.wikidata, person, key=crew.person)
    for company in film.company_credits:  # the parts the table aligns (production, co-production: P272)
        row = table().values("CompanyCredit", "role")[company.role]
        org = _item(qids, company.organization)
        if row.wikidata.startswith("P") and org:
            yield Claim(film.id, row.wikidata, org, key=company.organization)
    for ident in film.identifiers:
        row = table().values("Identifier", "scheme").get(ident.scheme)  # external-id properties
        if row is not None and row.wikidata.startswith("P"):
            yield Claim(film.id, row.wikidata, Value("string", ident.value))


def _award_claims(outcome: AwardOutcome, qids: dict[str, str | None], catalogue: Catalogue) -> Iterator[Claim]:
    award = _item(qids, outcome.award)
    if not award:
        return
    main = table().values("AwardOutcome", "status")[outcome.status].wikidata
    if not main.startswith("P"):
        return  # shortlisted, submitted: Wikidata has no property of their own; nothing is forced into one
    quals: list[tuple[str, Value]] = []
    if outcome.date and (date := time_value(outcome.date)):
        quals.append((pid("AwardOutcome", "date"), date))
    conferrer = catalogue[outcome.award].conferred_by  # type: ignore[attr-defined]
    for qpid, rid in ((pid("Award", "conferred_by"), conferrer), (pid("AwardOutcome", "edition"), outcome.edition),
                      (pid("AwardOutcome", "ceremony"), outcome.ceremony),
                      (pid("AwardOutcome", "for_work"), outcome.for_work)):
        if value := _item(qids, rid):
            quals.append((qpid, value))
    for recipient in outcome.recipients:
        yield Claim(recipient, main, award, tuple(quals), key=outcome.id)


PUBLISHING_RELEASES = (None, "theatrical", "festival")
"""The release types whose date is a publication date (P577) on Wikidata; a television, home video or
streaming release is not written as one (lod has no checked QID for the distribution format, P437)."""


def _release_claims(release: Release, qids: dict[str, str | None]) -> Iterator[Claim]:
    """A release on the film's item: its date (P577, qualified by the countries, P291) when it is a cinema or
    festival release, and its distributor (P750, unqualified: the countries are P577's qualifier)."""
    places = tuple((pid("Release", "countries"), v) for v in (_item(qids, c) for c in release.countries) if v)
    if release.release_type in PUBLISHING_RELEASES and release.date and (when := time_value(release.date)):
        yield Claim(release.film, pid("Release", "date"), when, places, key=release.id)
    if distributor := _item(qids, release.distributor):
        yield Claim(release.film, pid("Release", "distributor"), distributor, key=release.id)


def reference_for(catalogue: Catalogue, rid: str) -> Reference:
    """Where a record's facts come from: the record's own first source (``sources``), an interview about it
    (its URL), the record's own URL (a festival's or an organisation's site), else the catalogue's
    ``info.url``; none of them: no source."""
    rec = catalogue.index.get(rid)
    for source in getattr(rec, "sources", ()):
        return Reference(source.url, source.retrieved)
    url = next((i.url for i in catalogue.interviews if i.url and (rid in (*i.about, *i.interviewees, *i.mentions)
                                                                  or rid == i.id)), None)
    own = getattr(catalogue.index.get(rid), "url", None)
    info = catalogue.info
    return Reference(url or own or (info.url if info else None), info.retrieved if info else None)


# --- RDF ----------------------------------------------------------------------------------

def wikidata_graph(catalogue: Catalogue, base: str = DEFAULT_BASE) -> Graph:
    """Truthy ``wdt:`` triples, labels, and full statements with qualifiers and references."""
    m = Mapper(catalogue, check_base(base))
    g = Graph(bind_namespaces="none")
    for prefix, ns in (("wd", WD), ("wdt", WDT), ("p", P), ("ps", PS), ("pq", PQ), ("pr", PR),
                       ("prov", "http://www.w3.org/ns/prov#")):
        g.bind(prefix, ns)
    for rec in catalogue.records():
        s = m.iri(rec.id)
        qid = getattr(rec, "qid", None)
        if qid:
            g.add((s, URIRef("http://schema.org/sameAs"), URIRef(WD + qid)))
        for fname in LABEL_FIELDS:
            for text in getattr(rec, fname, ()):
                g.add((s, RDFS.label, Literal(text.text, lang=text.lang)))
        for text in getattr(rec, "alternate_names", ()):
            g.add((s, SKOS.altLabel, Literal(text.text, lang=text.lang)))
    for claim in claims(catalogue):
        s = m.iri(claim.record)
        g.add((s, URIRef(WDT + claim.pid), claim.value.rdf()))
        stmt = URIRef(f"{s}#wd-{claim.pid}-{_digest(claim)}")
        g.add((s, URIRef(P + claim.pid), stmt))
        g.add((stmt, URIRef(PS + claim.pid), claim.value.rdf()))
        for qpid, qvalue in claim.qualifiers:
            g.add((stmt, URIRef(PQ + qpid), qvalue.rdf()))
        ref = reference_for(catalogue, claim.record)
        if ref.url or ref.retrieved:
            node = URIRef(f"{stmt}-ref")
            g.add((stmt, PROV_DERIVED, node))
            if ref.url:
                g.add((node, URIRef(PR + pid("CatalogueInfo", "url")), URIRef(ref.url)))
            if ref.retrieved and (when := time_value(ref.retrieved)):
                g.add((node, URIRef(PR + pid("CatalogueInfo", "retrieved")), when.rdf()))
    return g


def _digest(claim: Claim) -> str:
    return sha1(f"{claim.pid}|{claim.value.kind}|{claim.value.text}|{claim.value.lang}|{claim.key}".encode()
                ).hexdigest()[:12]


# --- QuickStatements ---------------------------------------------------------------------------

@dataclass
class Batch:
    """A QuickStatements V1 batch, and what it had to leave out (and why).

    ``created`` lists the records whose items the batch creates (``CREATE``, then ``LAST`` for
    their labels and the statements whose values are known). ``deferred`` counts the statements
    that link to those items (a film to its new director, an award to its new winner): their QIDs
    exist only once QuickStatements has run the batch, so they go in a second batch,
    :func:`quickstatements` with ``links_for=created``.
    """

    lines: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    deferred: int = 0
    complete: list[str] = field(default_factory=list)  # created items with no statement of theirs left for batch 2

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)


UNSOURCED = ("no source for its statements: give the catalogue an info.url (where its facts come from), or the "
             "record a url, or pass allow_unsourced=True (lod quickstatements --allow-unsourced)")


def quickstatements(catalogue: Catalogue, *, create_unmatched: bool = False, existing: Any = None,
                    allow_unsourced: bool = False, links_for: Sequence[str] | None = None) -> Batch:
    """QuickStatements V1 for the catalogue.

    Records with a QID get their statements; records without one are created (``CREATE`` /
    ``LAST``) only if marked ``new_wikidata_item`` or when ``create_unmatched`` records the user's
    decision for the whole batch; the others are skipped ("reconcile first"). A new film without
    an English description gets one ("2023 film by Aizhan Kassymbek"). ``existing(qid)``, when
    given, returns the (property, value) pairs Wikidata already has: those are left out.

    Every statement carries its sources (``S854`` reference URL, ``S813`` retrieved); a record
    whose facts have no source is skipped, saying so, unless ``allow_unsourced``.

    Statements whose value is an item this batch creates cannot be written before its QID exists
    (QuickStatements' ``LAST`` names only the item just created): they are counted in
    ``Batch.deferred``. Once the batch has run and the new QIDs are in the catalogue, call again
    with ``links_for=batch.created`` for the second batch: exactly those statements.
    """
    batch = Batch()
    second = links_for is not None
    if second:
        unknown = [rid for rid in links_for or () if not getattr(catalogue.index.get(rid), "qid", None)]
        if unknown:
            raise E.InputError(f"the first batch created {', '.join(unknown)}, but the catalogue has no QID for "
                               f"{'it' if len(unknown) == 1 else 'them'} yet: find the new items (lod reconcile) and "
                               "write their QIDs in (lod reconcile --apply) before the second batch",
                               record=unknown[0], field="qid")
        batch.created = list(links_for or ())
    else:
        batch.created = [r.id for r in catalogue.records() if hasattr(r, "qid") and r.qid is None
                         and (r.new_wikidata_item or create_unmatched)]  # type: ignore[attr-defined]
    new = set(batch.created)
    written: list[str] = []
    by_record: dict[str, list[Claim]] = {}
    deferred: list[tuple[str, set[str]]] = []  # (record the statement is on, the new records it links to)
    for claim in claims(catalogue, created=() if second else batch.created):
        values = (claim.value, *(q for _, q in claim.qualifiers))
        linked = {v.record for v in values if v.record in new}
        if bool(linked) != second:
            if linked:
                deferred.append((claim.record, linked))  # type: ignore[arg-type]
            continue
        by_record.setdefault(claim.record, []).append(claim)
    for rec in catalogue.records():
        if not hasattr(rec, "qid"):
            continue  # award outcomes and selections are statements on other items, not items
        mine = by_record.get(rec.id, [])
        qid = rec.qid
        if second and not mine:
            continue
        if qid is None and rec.id not in new:
            batch.skipped.append((rec.id, "no QID and no decision to create a new item: reconcile first"))
            continue
        if any(c.value.kind == "item" for c in mine) is False and qid is None and not _labels(rec):
            batch.skipped.append((rec.id, "nothing to say on Wikidata"))
            continue
        if not allow_unsourced and not reference_for(catalogue, rec.id).url:
            batch.skipped.append((rec.id, UNSOURCED))
            continue
        try:
            lines = _record_lines(catalogue, rec, qid, mine, existing)
        except ValueError as exc:
            batch.skipped.append((rec.id, str(exc)))
            continue
        batch.lines.extend(lines)
        written.append(rec.id)
    if not second:  # only the items really created; a statement linking to one left out waits for its QID
        made = set(written) & new
        batch.created = [rid for rid in batch.created if rid in made]
        has_qid = {r.id for r in catalogue.records() if getattr(r, "qid", None)}
        # a statement the second batch will write: its subject is an item (created now, or with a QID) and
        # every new item it links to is created now
        pending = [(on, linked) for on, linked in deferred if linked <= made and (on in made or on in has_qid)]
        batch.deferred = len(pending)
        waiting = {on for on, _ in pending}
        batch.complete = [rid for rid in batch.created if rid not in waiting]
    return batch


def film_description(film: Film, catalogue: Catalogue) -> str:
    """Wikidata's usual English description of a film: "2022 film by Charlotte Wells"."""
    year = (first_shown(film, catalogue) or "")[:4]
    names = []
    for director in film.directors:
        texts = getattr(catalogue.index.get(director), "names", ())
        names.append(next((t.text for t in texts if t.lang.split("-")[0] == "en"), texts[0].text if texts else director))
    by = (", ".join(names[:-1]) + " and " + names[-1]) if len(names) > 1 else "".join(names)
    return " ".join(part for part in (year, "film", f"by {by}" if by else "") if part)


def _shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _labels(rec: Record) -> list[Any]:
    return [t for f in LABEL_FIELDS for t in getattr(rec, f, ())]


def _record_lines(catalogue: Catalogue, rec: Record, qid: str | None, mine: list[Claim], existing: Any) -> list[str]:
    lines: list[str] = []
    subject = qid or "LAST"
    have = existing(qid) if existing is not None and qid else set()
    if qid is None:
        lines.append("CREATE")
        seen_labels: set[str] = set()
        for text in _labels(rec):
            lang = text.lang.lower()
            kind = "A" if lang in seen_labels else "L"
            seen_labels.add(lang)
            lines.append(f'LAST\t{kind}{lang}\t"{_qs_text(text.text)}"')
        for text in getattr(rec, "alternate_names", ()):
            lines.append(f'LAST\tA{text.lang.lower()}\t"{_qs_text(text.text)}"')
        described: set[str] = set()
        for text in getattr(rec, "description", ()):
            lang = text.lang.lower()
            if lang not in described:  # one description per language (Wikidata allows 250 characters)
                described.add(lang)
                lines.append(f'LAST\tD{lang}\t"{_qs_text(_shorten(text.text, 250))}"')
        if isinstance(rec, Film) and not any(lang.split("-")[0] == "en" for lang in described):
            lines.append(f'LAST\tDen\t"{_qs_text(_shorten(film_description(rec, catalogue), 250))}"')
    ref = reference_for(catalogue, rec.id)
    sources = []
    if ref.url:
        sources += ["S" + pid("CatalogueInfo", "url")[1:], f'"{_qs_text(ref.url)}"']
    if ref.retrieved and (when := time_value(ref.retrieved)):
        sources += ["S" + pid("CatalogueInfo", "retrieved")[1:], when.qs()]
    for claim in mine:
        if (claim.pid, claim.value.qs()) in have:
            continue  # Wikidata already says this
        parts = [subject, claim.pid, claim.value.qs()]
        for qpid, qvalue in claim.qualifiers:
            parts += [qpid, qvalue.qs()]
        lines.append("\t".join(parts + sources))
    return lines
