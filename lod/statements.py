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
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from hashlib import sha1
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS, XSD

from ._resources import read_text
from .alignment import WD, table
from .mapping import DEFAULT_BASE, Mapper, check_base
from .model import AwardOutcome, Catalogue, Film, Record
from .values import date_datatype

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


def claims(catalogue: Catalogue) -> list[Claim]:
    """Every Wikidata claim the catalogue supports, in a stable order."""
    t = table()
    qids = {r.id: getattr(r, "qid", None) for r in catalogue.records()}
    types = property_types()
    out: list[Claim] = []
    for rec in catalogue.records():
        if not hasattr(rec, "qid"):  # award outcomes and selections are statements on items, not items
            if isinstance(rec, AwardOutcome):
                out.extend(_award_claims(rec, qids, catalogue))
            continue
        cls = type(rec).__name__
        type_row = t.find(cls, "@type")
        p31 = _enum_qid(t, cls, rec) or (type_row.wikidata[3:] if type_row and type_row.wikidata.startswith("wd:Q")
                                         else None)
        if p31:
            out.append(Claim(rec.id, pid("Entity", "@instance-of"), Value("item", p31)))
        for name, info in type(rec).model_fields.items():
            row = t.find(cls, name)
            if row is None or not row.wikidata.startswith("P") or name in LABEL_FIELDS + ("alternate_names",):
                continue
            prop = row.wikidata
            values = getattr(rec, name)
            items = values if isinstance(values, tuple) else (() if values is None else (values,))
            for item in items:
                value = _value(types.get(prop, ""), item, qids, name)
                if value is not None:
                    out.append(Claim(rec.id, prop, value))
        if isinstance(rec, Film):
            out.extend(_film_claims(rec, qids, types))
            out = _qualify_publication(out, rec, catalogue, qids)
    return out


def _qualify_publication(out: list[Claim], film: Film, catalogue: Catalogue, qids: dict[str, str | None]
                         ) -> list[Claim]:
    """The publication date (P577) qualified by where the film was first shown (P291), if known."""
    premiere = next((s for s in catalogue.screenings if s.film == film.id and s.premiere == "world"), None)
    places = [qids.get(p) for p in (premiere.locations if premiere else ())]
    place = next((q for q in places if q), None)
    date_pid = pid("Film", "date_published")
    if place is None:
        return out
    return [Claim(c.record, c.pid, c.value, (*c.qualifiers, (pid("Film", "@published-in"), Value("item", place))),
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
        qid = qids.get(item) if isinstance(item, str) else None
        return Value("item", qid) if qid else None  # a record without a QID is never invented one
    if datatype == "time" and isinstance(item, str):
        return time_value(item)
    if datatype == "url" and isinstance(item, str) and item.startswith(("http://", "https://")):
        return Value("url", item)
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
        qid = qids.get(credit.person)
        if qid:
            quals = ((pid("CastCredit", "character"), Value("string", credit.character)),) if credit.character else ()
            yield Claim(film.id, pid("Film", "cast"), Value("item", qid), quals, key=credit.person)
    for crew in film.crew:  # crew roles with their own property (P344 director of photography…)
        row = table().values("CrewCredit", "role").get(crew.role)
        qid = qids.get(crew.person)
        if row is not None and row.wikidata.startswith("P") and qid:
            yield Claim(film.id, row.wikidata, Value("item", qid), key=crew.person)
    for ident in film.identifiers:
        row = table().values("Identifier", "scheme").get(ident.scheme)  # external-id properties
        if row is not None and row.wikidata.startswith("P"):
            yield Claim(film.id, row.wikidata, Value("string", ident.value))


def _award_claims(outcome: AwardOutcome, qids: dict[str, str | None], catalogue: Catalogue) -> Iterator[Claim]:
    award = qids.get(outcome.award)
    if not award:
        return
    main = table().values("AwardOutcome", "status")[outcome.status].wikidata
    quals: list[tuple[str, Value]] = []
    if outcome.date and (date := time_value(outcome.date)):
        quals.append((pid("AwardOutcome", "date"), date))
    conferrer = catalogue[outcome.award].conferred_by  # type: ignore[attr-defined]
    for qpid, rid in ((pid("Award", "conferred_by"), conferrer), (pid("AwardOutcome", "edition"), outcome.edition),
                      (pid("AwardOutcome", "for_work"), outcome.for_work)):
        if rid and qids.get(rid):
            quals.append((qpid, Value("item", qids[rid])))  # type: ignore[arg-type]
    for recipient in outcome.recipients:
        yield Claim(recipient, main, Value("item", award), tuple(quals), key=outcome.id)


def reference_for(catalogue: Catalogue, rid: str) -> Reference:
    """Where a record's facts come from: an interview about it (its URL), else the catalogue."""
    url = next((i.url for i in catalogue.interviews if i.url and (rid in (*i.about, *i.interviewees, *i.mentions)
                                                                  or rid == i.id)), None)
    info = catalogue.info
    return Reference(url or (info.url if info else None), info.retrieved if info else None)


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
    """A QuickStatements V1 batch, and the records it had to leave out (and why)."""

    lines: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)


def quickstatements(catalogue: Catalogue, *, create_unmatched: bool = False,
                    existing: Any = None) -> Batch:
    """QuickStatements V1 for the catalogue.

    Records with a QID get their statements; records without one are created (``CREATE`` /
    ``LAST``) only if marked ``new_wikidata_item`` or when ``create_unmatched`` records the user's
    decision for the whole batch; the others are skipped ("reconcile first"). ``existing(qid)``,
    when given, returns the (property, value) pairs Wikidata already has: those are left out.
    Every statement carries its sources (``S854`` reference URL, ``S813`` retrieved).
    """
    batch = Batch()
    by_record: dict[str, list[Claim]] = {}
    for claim in claims(catalogue):
        by_record.setdefault(claim.record, []).append(claim)
    for rec in catalogue.records():
        if not hasattr(rec, "qid"):
            continue  # award outcomes and selections are statements on other items, not items
        mine = by_record.get(rec.id, [])
        qid = rec.qid
        if qid is None and not (rec.new_wikidata_item or create_unmatched):  # type: ignore[attr-defined]
            batch.skipped.append((rec.id, "no QID and no decision to create a new item: reconcile first"))
            continue
        if any(c.value.kind == "item" for c in mine) is False and qid is None and not _labels(rec):
            batch.skipped.append((rec.id, "nothing to say on Wikidata"))
            continue
        try:
            lines = _record_lines(catalogue, rec, qid, mine, existing)
        except ValueError as exc:
            batch.skipped.append((rec.id, str(exc)))
            continue
        batch.lines.extend(lines)
    return batch


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
