"""The FIAFcore view of a catalogue, for film archives (https://fiafcore.org/ontology/).

>>> import lod
>>> g = lod.to_graph(lod.load_catalogue(lod.example_path()), view="fiaf")
>>> len(g) > 100
True

A film is a ``fiaf:WorkVariant`` with ``fiaf:Title`` nodes typed by kind (title proper,
translated, transliterated…), its countries, identifiers typed by scheme, and events:
a ``ProductionEvent`` (year of reference, filming locations) whose activities carry the
credits (``Director``, ``Writer``, ``CastMember``, ``Cinematographer``… with ``hasAgent``),
``AwardsOrNominationsEvent`` (award name, date, place, nomination only), ``CensorshipEvent``
(a rating and who issued it) and ``PublicationEvent`` (screenings, premieres). A streaming
window is an ``InternetManifestation``; no other manifestation or item is invented.

The records keep their IRIs; FIAFcore's classes for titles, activities and identifiers come
from the alignment table (its ``fiaf`` column: the last class of each path).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache

from rdflib import Literal, URIRef
from rdflib.namespace import RDFS

from ..records import FIAF, RDF, table
from ._walker import DEFAULT_BASE, Mapper, Triple, slug_of, node_iris
from ..records import Catalogue, Film
from ..records import XSD, date_datatype

RDF_TYPE = URIRef(RDF + "type")
SCHEMA_CHARACTER = URIRef("http://schema.org/characterName")
SCHEMA_PROVIDER = URIRef("http://schema.org/provider")
SCHEMA_TARGET = URIRef("http://schema.org/target")
PREMIERE = URIRef("https://w3id.org/lod-film/vocab#premiereType")


def F(local: str) -> URIRef:  # noqa: N802 - reads like a namespace
    return URIRef(FIAF + local)


def _last_class(path: str) -> URIRef | None:
    """``fiaf:hasActivity/fiaf:DirectingActivity/fiaf:Director`` -> fiaf:Director."""
    parts = [p for p in path.split("/") if p.startswith("fiaf:") and p[5:6].isupper()]
    return F(parts[-1][5:]) if parts else None


@cache
def _classes() -> dict[str, URIRef]:
    t = table()
    out: dict[str, URIRef] = {}
    for field in ("directors", "screenwriters", "producers", "composers", "production_companies", "cast"):
        cls = _last_class(t.row("Film", field).fiaf)
        assert cls is not None, field
        out[field] = cls
    for kind, row in t.values("Title", "kind").items():
        out[f"title:{kind}"] = _last_class(row.fiaf) or F("Title")
    for role, row in t.values("CrewCredit", "role").items():
        cls = _last_class(row.fiaf)
        if cls is not None:
            out[f"role:{role}"] = cls
    for role, row in t.values("CompanyCredit", "role").items():
        out[f"company:{role}"] = _last_class(row.fiaf) or F("ProducingActivity")
    for scheme, row in t.values("Identifier", "scheme").items():
        cls = _last_class(row.fiaf)
        if cls is not None:
            out[f"id:{scheme}"] = cls
    out["id:wikidata"] = _last_class(t.row("Entity", "qid").fiaf) or F("Identifier")
    return out


def _date(value: str) -> Literal:
    return Literal(value, datatype=URIRef(XSD + date_datatype(value)))


def fiaf_triples(catalogue: Catalogue, base: str = DEFAULT_BASE) -> Iterator[Triple]:
    """Every triple of the catalogue's FIAFcore view."""
    m = Mapper(catalogue, base)
    cls = _classes()
    if catalogue.info is not None:  # the record source: the catalogue and the institution supplying it
        yield from m.info_triples(catalogue.info)
    for person in catalogue.people:
        s = m.iri(person.id)
        yield s, RDF_TYPE, F("Person")
        for name in person.names:
            yield s, RDFS.label, Literal(name.text, lang=name.lang)
    for org in catalogue.organizations:
        s = m.iri(org.id)
        yield s, RDF_TYPE, F("Agent")
        for name in org.names:
            yield s, RDFS.label, Literal(name.text, lang=name.lang)
    for place in catalogue.places:
        s = m.iri(place.id)
        yield s, RDF_TYPE, F("Country") if place.place_type == "country" else F("Location")
        for name in place.names:
            yield s, RDFS.label, Literal(name.text, lang=name.lang)
    for film in catalogue.films:
        yield from _work(m, cls, catalogue, film)


def _event(m: Mapper, work: URIRef, node: URIRef, cls: str, date: str | None, places: Iterable[str]
           ) -> Iterator[Triple]:
    """An event of a work: its class, date and places."""
    yield work, F("hasEvent"), node
    yield node, RDF_TYPE, F(cls)
    if date:
        yield node, F("hasEventDate"), _date(date)
    for place in places:
        yield node, F("hasEventLocation"), m.iri(place)


def _work(m: Mapper, cls: dict[str, URIRef], cat: Catalogue, film: Film) -> Iterator[Triple]:
    w = m.iri(film.id)
    yield w, RDF_TYPE, F("WorkVariant")
    for title, node in node_iris(w, "fiaf_title", film.titles):
        yield w, F("hasTitle"), node
        yield node, RDF_TYPE, cls.get(f"title:{title.kind}", F("Title")) if title.kind else F("Title")
        yield node, F("hasTitleValue"), Literal(title.text, lang=title.lang)
    for country in film.countries:
        yield w, F("hasCountry"), m.iri(country)
    # identifiers, typed by scheme
    if film.qid:
        node = URIRef(f"{w}#fiaf-id-wikidata")
        yield w, F("hasIdentifier"), node
        yield node, RDF_TYPE, cls["id:wikidata"]
        yield node, F("hasIdentifierValue"), Literal(film.qid)
    for ident, node in node_iris(w, "fiaf_id", film.identifiers):
        yield w, F("hasIdentifier"), node
        yield node, RDF_TYPE, cls.get(f"id:{ident.scheme}", F("Identifier"))
        yield node, RDFS.label, Literal(ident.scheme)
        yield node, F("hasIdentifierValue"), Literal(ident.value)
    # production: year of reference, filming locations, credits as activities with their agents
    pe = URIRef(f"{w}#fiaf-production")
    yield from _event(m, w, pe, "ProductionEvent", film.date_created, film.filming_locations)
    for field in ("directors", "screenwriters", "producers", "composers", "production_companies"):
        for agent in getattr(film, field):
            node = URIRef(f"{w}#fiaf-{field.replace('_', '-')}-{slug_of(agent)}")
            yield pe, F("hasActivity"), node
            yield node, RDF_TYPE, cls[field]
            yield node, F("hasAgent"), m.iri(agent)
    for company, node in node_iris(w, "fiaf_company", film.company_credits):
        yield pe, F("hasActivity"), node
        yield node, RDF_TYPE, cls[f"company:{company.role}"]
        yield node, RDFS.label, Literal(company.role)
        yield node, F("hasAgent"), m.iri(company.organization)
    for credit, node in node_iris(w, "fiaf_cast", film.cast):
        yield pe, F("hasActivity"), node
        yield node, RDF_TYPE, cls["cast"]
        yield node, F("hasAgent"), m.iri(credit.person)
        if credit.character:
            yield node, SCHEMA_CHARACTER, Literal(credit.character)
    for crew, node in node_iris(w, "fiaf_crew", film.crew):
        yield pe, F("hasActivity"), node
        yield node, RDF_TYPE, cls.get(f"role:{crew.role}", F("Activity"))
        yield node, RDFS.label, Literal(crew.role)
        yield node, F("hasAgent"), m.iri(crew.person)
    # ratings: a censorship decision and who took it
    for rating, node in node_iris(w, "fiaf_rating", film.content_ratings):
        yield w, F("hasEvent"), node
        yield node, RDF_TYPE, F("CensorshipEvent")
        yield node, F("hasVerdict"), Literal(rating.value)
        if rating.issuer:
            act = URIRef(f"{node}-censor")
            yield node, F("hasActivity"), act
            yield act, RDF_TYPE, F("Censor")
            yield act, F("hasAgent"), m.iri(rating.issuer)
    # awards and nominations
    for outcome in cat.award_outcomes:
        if film.id not in outcome.recipients and outcome.for_work != film.id:
            continue
        node = URIRef(f"{w}#fiaf-award-{slug_of(outcome.id)}")
        yield w, F("hasEvent"), node
        yield node, RDF_TYPE, F("AwardsOrNominationsEvent")
        for name in cat[outcome.award].names:  # type: ignore[attr-defined]
            yield node, F("hasAwardName"), Literal(name.text, lang=name.lang)
        yield node, F("nominationOnly"), Literal(outcome.status == "nominated")
        if outcome.date:
            yield node, F("hasEventDate"), _date(outcome.date)
        if outcome.edition:
            edition = cat[outcome.edition]
            if edition.location:  # type: ignore[attr-defined]
                yield node, F("hasEventLocation"), m.iri(edition.location)  # type: ignore[attr-defined]
    # screenings and premieres: publication events
    for screening in cat.screenings:
        if screening.film != film.id:
            continue
        node = URIRef(f"{w}#fiaf-publication-{slug_of(screening.id)}")
        yield from _event(m, w, node, "PublicationEvent", screening.start_date, screening.locations)
        if screening.premiere:
            yield node, PREMIERE, table().iri(table().values("Screening", "premiere")[screening.premiere].schema)
    # a streaming window is an internet manifestation (nothing else is invented)
    for window, node in node_iris(w, "fiaf_manifestation", film.availability):
        yield w, F("hasManifestation"), node
        yield node, RDF_TYPE, F("InternetManifestation")
        yield node, SCHEMA_PROVIDER, m.iri(window.platform)
        if window.url:
            yield node, SCHEMA_TARGET, URIRef(window.url)
