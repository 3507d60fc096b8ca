"""JSON-LD for web pages: one nested tree per page, rooted at the page's main entity.

>>> import lod
>>> from lod import web
>>> cat = lod.load_catalogue(lod.example_path())
>>> page = web.jsonld(cat["madina"], cat, lang="en")
>>> page["@type"], page["name"]
('Movie', 'Madina')
>>> web.script_tag({"name": "</script>"})
'<script type="application/ld+json">{"name":"\\\\u003c/script\\\\u003e"}</script>'

The writer goes straight from records to dicts (no rdflib graph): a web server calls it on
every page view. Every node carries the IRI the RDF export gives it, so the page describes
the same graph: expanded with the schema.org context it yields only triples the export has,
up to two conventions: dates are plain ISO strings (the schema.org context types them
``schema:Date``), and names are written in the page's language as plain strings, the other
languages and scripts in ``alternateName`` (the export tags every name with its language).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from ._walker import DEFAULT_BASE, iso_duration, check_base, node_iris, record_iri, via_iri
from ..records import (Award, AwardOutcome, Catalogue, Event, Festival, FestivalEdition, FestivalSection, Film,
                       Interview, Organization, Person, Place, Record, Release, Screening, Work)
from ..records import WIKIDATA_ENTITY, LangText

CONTEXT = "https://schema.org"
LOD = "https://w3id.org/lod-film/vocab#"
XSD_DURATION = "http://www.w3.org/2001/XMLSchema#duration"
INTERVIEW = WIKIDATA_ENTITY + "Q178651"


def _schema_types(record: str, field: str) -> dict[str, str]:
    """An enumeration's schema.org classes from the alignment table, as a page writes them: ``{"city": "City"}``."""
    from ..records import table

    return {value: row.schema.split(":", 1)[1] for value, row in table().values(record, field).items()}


_PLACE_TYPES = _schema_types("Place", "place_type")
_WORK_TYPES = _schema_types("Work", "work_type")


class Site:
    """Builds the JSON-LD of a catalogue's pages in one language.

    >>> import lod
    >>> site = Site(lod.load_catalogue(lod.example_path()), lang="en")
    >>> site.page("madina")["@type"]
    'Movie'
    """

    def __init__(self, catalogue: Catalogue, *, lang: str = "en", base: str = DEFAULT_BASE) -> None:
        self.cat = catalogue
        self.lang = lang
        self.base = check_base(base)
        self._iris: dict[str, str] = {}
        self._refs: dict[tuple[str, bool], dict[str, Any]] = {}  # shared by every page of the site
        self._won: dict[str, list[AwardOutcome]] = {}
        self._outcomes: dict[str, list[AwardOutcome]] = {}  # won and nominated, by recipient
        for outcome in catalogue.award_outcomes:
            for rid in outcome.recipients:
                self._outcomes.setdefault(rid, []).append(outcome)
                if outcome.status == "won":
                    self._won.setdefault(rid, []).append(outcome)
        self._screenings: dict[str, list[Screening]] = {}
        for screening in catalogue.screenings:
            self._screenings.setdefault(screening.film, []).append(screening)
        self._releases: dict[str, list[Release]] = {}
        for release in catalogue.releases:
            self._releases.setdefault(release.film, []).append(release)
        self._credits: dict[str, list[tuple[str, Film, Any]]] = {}  # person -> (role key, film, credit node)
        for film in catalogue.films:
            for key, ids in (("director", film.directors), ("author", film.screenwriters),
                             ("producer", film.producers), ("musicBy", film.composers)):
                for rid in ids:
                    self._credits.setdefault(rid, []).append((key, film, None))
            for credit, n in node_iris(self.iri(film.id), "cast", film.cast):
                self._credits.setdefault(credit.person, []).append(("actor", film, (credit, str(n))))
            for crew, n in node_iris(self.iri(film.id), "crew", film.crew):
                self._credits.setdefault(crew.person, []).append(("contributor", film, (crew, str(n))))

    # --- pages ---------------------------------------------------------------------
    def page(self, record: Record | str) -> dict[str, Any]:
        """The JSON-LD of a record's page (film, person, interview, festival edition…)."""
        rec = self.cat[record] if isinstance(record, str) else record
        if isinstance(rec, Film):
            node = self.film(rec)
        elif isinstance(rec, Person):
            node = self.person(rec, full=True)
        elif isinstance(rec, Interview):
            node = self.interview(rec)
        elif isinstance(rec, FestivalEdition):
            node = self.edition(rec)
        else:
            node = self.ref(rec.id, full=True)
        return {"@context": CONTEXT, **node}

    def carousel(self, films: Iterable[Film | str]) -> dict[str, Any]:
        """An ``ItemList`` of films (Google's Movie carousel), each item a full Movie."""
        items = [self.cat[f] if isinstance(f, str) else f for f in films]
        return {"@context": CONTEXT, "@type": "ItemList", "itemListElement": [
            {"@type": "ListItem", "position": i, "item": self.film(film)}  # type: ignore[arg-type]
            for i, film in enumerate(items, start=1)]}

    # --- main entities ---------------------------------------------------------------
    def film(self, film: Film) -> dict[str, Any]:
        iri = self.iri(film.id)
        node = self._named(film, "Movie", [t for t in film.titles], film)
        _put(node, "dateCreated", film.date_created)
        _put(node, "datePublished", film.date_published)
        _put(node, "description", self.text(film.description))
        _put(node, "image", film.image)
        _put(node, "genre", list(film.genres))
        _put(node, "keywords", list(film.keywords))
        _put(node, "inLanguage", list(film.original_languages))
        if film.runtime_minutes:
            node["duration"] = {"@value": iso_duration(film.runtime_minutes), "@type": XSD_DURATION}
        _put(node, "countryOfOrigin", [self.ref(c) for c in film.countries])
        _put(node, "director", [self.ref(p) for p in film.directors])
        _put(node, "author", [self.ref(p) for p in film.screenwriters])
        _put(node, "producer", [self.ref(p) for p in film.producers])
        _put(node, "musicBy", [self.ref(p) for p in film.composers])
        _put(node, "productionCompany", [self.ref(o) for o in film.production_companies] + [
            {"@type": "Role", "@id": str(n), "productionCompany": self.ref(c.organization),
             "roleName": {"@id": _lod_iri("CompanyCredit", "role", c.role)}}
            for c, n in node_iris(iri, "company_credits", film.company_credits)])
        _put(node, "actor", [{"@type": "PerformanceRole", "@id": str(n), "actor": self.ref(c.person),
                              **({"characterName": c.character} if c.character else {}),
                              **_opt("description", self.text(c.note))}
                             for c, n in node_iris(iri, "cast", film.cast)])
        _put(node, "contributor", [{"@type": "Role", "@id": str(n), "contributor": self.ref(c.person),
                                    "roleName": c.role, **_opt("description", self.text(c.note))}
                                   for c, n in node_iris(iri, "crew", film.crew)])
        _put(node, "contentRating", [{"@type": "Rating", "@id": str(n), "ratingValue": r.value,
                                      **({"author": self.ref(r.issuer)} if r.issuer else {})}
                                     for r, n in node_iris(iri, "content_ratings", film.content_ratings)])
        _put(node, "funding", [{"@type": "Grant", "@id": str(n), **_opt("funder", self.ref(f.funder) if f.funder else None),
                                **_opt(LOD + "fundingKind", f.kind), **_opt("description", self.text(f.note))}
                               for f, n in node_iris(iri, "funding", film.funding)])
        _put(node, LOD + "shootingDays", film.shooting_days)
        _put(node, LOD + "dedication", self.text(film.dedication))
        _put(node, LOD + "dedicatee", [self.ref(r) for r in film.dedicatees])
        _put(node, "isBasedOn", [self.ref(r) for r in film.based_on])
        _put(node, "isPartOf", self.ref(film.series) if film.series else None)
        _put(node, LOD + "follows", self.ref(film.follows) if film.follows else None)
        _put(node, LOD + "followedBy", self.ref(film.followed_by) if film.followed_by else None)
        for key, amount in (("budget", film.budget), ("box_office", film.box_office)):
            if amount is not None:
                ((_, n),) = node_iris(iri, key, (amount,))
                node[LOD + ("budget" if key == "budget" else "boxOffice")] = {
                    "@type": "MonetaryAmount", "@id": str(n), "value": amount.amount, "currency": amount.currency}
        _put(node, "locationCreated", [self.ref(p) for p in film.filming_locations])
        _put(node, "contentLocation", [self.ref(p) for p in film.narrative_locations])
        _put(node, "award", self.award_texts(film.id))
        _put(node, "subjectOf", self.sources(film, iri))
        _put(node, "potentialAction", [self._watch(w, n) for w, n in node_iris(iri, "availability", film.availability)])
        reverse: dict[str, Any] = {}
        _put(reverse, "workPresented", [self.screening(s) for s in self.screenings(film.id)])
        _put(reverse, "workFeatured", [self.release(r) for r in self._releases.get(film.id, ())])
        _put(reverse, LOD + "recipient", [self.outcome(o) for o in self._outcomes.get(film.id, ())])
        if reverse:
            node["@reverse"] = reverse
        return node

    def outcomes_of(self, rid: str, status: str | None = None) -> list[AwardOutcome]:
        """The award outcomes a record received (``status``: only those), as listed."""
        return [o for o in self._outcomes.get(rid, ()) if status is None or o.status == status]

    def credits_of(self, person_id: str) -> list[tuple[str, Film, Any]]:
        """A person's credits, film by film in catalogue order: (property, film, (credit, node IRI) or None)."""
        return list(self._credits.get(person_id, ()))

    def releases_of(self, film_id: str) -> list[Release]:
        """The film's releases, as listed."""
        return list(self._releases.get(film_id, ()))

    def screenings(self, film_id: str) -> list[Screening]:
        """The film's screenings, premieres first, then by date."""
        return sorted(self._screenings.get(film_id, ()), key=lambda s: (s.premiere is None, s.start_date or "", s.id))

    def screening(self, screening: Screening) -> dict[str, Any]:
        """A screening (a premiere, say) as the export writes it: where, when, at which edition."""
        node: dict[str, Any] = {"@type": "ScreeningEvent", "@id": self.iri(screening.id)}
        _put(node, "startDate", screening.start_date)
        _put(node, "endDate", screening.end_date)
        _put(node, "location", [self.ref(p) for p in screening.locations])
        _put(node, "superEvent", self.ref(screening.section) if screening.section else None)
        if screening.edition:
            node[LOD + "festivalEdition"] = self.ref(screening.edition)
        if screening.premiere:
            node[LOD + "premiereType"] = {"@id": _lod_iri("Screening", "premiere", screening.premiere)}
        return node

    def release(self, release: Release) -> dict[str, Any]:
        """A release (schema:PublicationEvent) as the export writes it."""
        node: dict[str, Any] = {"@type": "PublicationEvent", "@id": self.iri(release.id)}
        _put(node, "name", self.text(release.titles))
        _put(node, "startDate", release.date)
        _put(node, "location", [self.ref(c) for c in release.countries])
        _put(node, "publishedBy", self.ref(release.distributor) if release.distributor else None)
        if release.platform:
            node[LOD + "platform"] = self.ref(release.platform)
        if release.release_type:
            node[LOD + "releaseType"] = {"@id": _lod_iri("Release", "release_type", release.release_type)}
        return node

    def sources(self, rec: Any, iri: str) -> list[dict[str, Any]]:
        """Where a record's facts come from (``schema:subjectOf`` web pages), as the export writes them."""
        return [{"@type": "WebPage", "@id": str(n), "url": src.url, **_opt("name", src.title),
                 **_opt(LOD + "retrieved", src.retrieved)} for src, n in node_iris(iri, "sources", rec.sources)]

    def outcome(self, outcome: AwardOutcome) -> dict[str, Any]:
        """An award won or a nomination, in lod's vocabulary (schema.org has no term for a nomination)."""
        award = self.cat[outcome.award]
        node: dict[str, Any] = {"@type": _lod_types("AwardOutcome"), "@id": self.iri(outcome.id),
                                LOD + "outcomeStatus": {"@id": _lod_iri("AwardOutcome", "status", outcome.status)},
                                LOD + "award": self.ref(award.id)}
        if outcome.edition:
            node[LOD + "festivalEdition"] = self.ref(outcome.edition)
        if outcome.ceremony:
            node[LOD + "ceremony"] = self.ref(outcome.ceremony)
        if outcome.for_work:
            node[LOD + "forWork"] = self.ref(outcome.for_work)
        if outcome.date:
            node[LOD + "pointInTime"] = outcome.date
        return node

    def credits(self, person_id: str) -> dict[str, Any]:
        """The films a person made or played in, as ``@reverse`` of the film's properties."""
        out: dict[str, Any] = {}
        for key, film, cast in self._credits.get(person_id, ()):
            if cast is None:
                out.setdefault(key, []).append(self.ref(film.id))
            elif key == "actor":
                credit, role_iri = cast
                role = {"@type": "PerformanceRole", "@id": role_iri, **_opt("characterName", credit.character),
                        "@reverse": {"actor": self.ref(film.id)}}
                out.setdefault("actor", []).append(role)
            else:  # crew: the Role node between the film and the person
                crew, role_iri = cast
                out.setdefault("contributor", []).append({"@type": "Role", "@id": role_iri, "roleName": crew.role,
                                                          "@reverse": {"contributor": self.ref(film.id)}})
        return {k: v[0] if len(v) == 1 else v for k, v in out.items()}

    def person(self, person: Person, full: bool = False) -> dict[str, Any]:
        node = self._named(person, "Person", person.names, person, alternates=person.alternate_names if full else ())
        if not full:
            return node
        _put(node, "jobTitle", list(person.occupations))
        _put(node, "birthDate", person.birth_date)
        _put(node, "deathDate", person.death_date)
        _put(node, "birthPlace", self.ref(person.birth_place) if person.birth_place else None)
        _put(node, "nationality", [self.ref(c) for c in person.nationality])
        _put(node, "worksFor", [self.ref(o) for o in person.works_for])
        _put(node, "memberOf", [self.ref(o) for o in person.member_of])
        _put(node, "alumniOf", [self.ref(o) for o in person.alumni_of])
        _put(node, "spouse", [self.ref(p) for p in person.spouses])
        _put(node, "knows", [self.ref(p) for p in person.knows])
        _put(node, "colleague", [self.ref(p) for p in person.colleagues])
        _put(node, "subjectOf", self.sources(person, self.iri(person.id)))
        _put(node, "image", person.image)
        _put(node, "description", self.text(person.description))
        _put(node, "award", self.award_texts(person.id))
        reverse = self.credits(person.id)
        _put(reverse, LOD + "recipient", [self.outcome(o) for o in self._outcomes.get(person.id, ())])
        if reverse:
            node["@reverse"] = reverse
        return node

    def interview(self, iv: Interview) -> dict[str, Any]:
        iri = self.iri(iv.id)
        node: dict[str, Any] = {"@type": "Article", "@id": iri, "additionalType": {"@id": INTERVIEW},
                                "genre": "interview"}
        _put(node, "headline", self.text(iv.headlines))
        _put(node, "url", iv.url)
        _put(node, "datePublished", iv.date_published)
        _put(node, "inLanguage", list(iv.languages))
        _put(node, "author", [self.ref(p) for p in iv.interviewers])
        _put(node, "publisher", self.ref(iv.publisher) if iv.publisher else None)
        _put(node, "about", [self.ref(r) for r in (*iv.interviewees, *iv.about)])
        _put(node, "mentions", [self.ref(r) for r in iv.mentions])
        _put(node, "abstract", self.text(iv.summary))
        _put(node, "description", self.text(iv.description))
        _put(node, "text", self.text(iv.text))
        _put(node, "image", [{"@type": "ImageObject", "@id": str(n),
                              **({"contentUrl": im.url} if im.url else {}),
                              **_opt("caption", self.text(im.caption)),
                              **({"creator": self.ref(im.creator)} if im.creator else {}),
                              **_opt("about", [self.ref(d) for d in im.depicts])}
                             for im, n in node_iris(iri, "images", iv.images)])
        return node

    def edition(self, ed: FestivalEdition) -> dict[str, Any]:
        node = self._named(ed, "Festival", ed.names, ed)
        _put(node, "startDate", ed.start_date)
        _put(node, "endDate", ed.end_date)
        _put(node, "location", self.place(self.cat[ed.location], full=True) if ed.location else None)  # type: ignore[arg-type]
        _put(node, "organizer", self.ref(ed.organizer) if ed.organizer else None)
        _put(node, "superEvent", self.ref(ed.festival))
        _put(node, "description", self.text(ed.description))
        return node

    def place(self, place: Place, full: bool = False) -> dict[str, Any]:
        node = self._named(place, _PLACE_TYPES[place.place_type], place.names, place)
        if place.contained_in:  # one level: Scotland in the United Kingdom, Almaty in Kazakhstan
            outer = self.cat[place.contained_in]
            node["containedInPlace"] = self._named(outer, _PLACE_TYPES[outer.place_type],  # type: ignore[attr-defined]
                                                   outer.names, outer)  # type: ignore[attr-defined]
        if full:
            _put(node, "address", place.address)
        return node

    # --- references ------------------------------------------------------------------
    def ref(self, rid: str, full: bool = False) -> dict[str, Any]:
        """A referenced record: type, IRI, name in the page language, Wikidata link."""
        cached = self._refs.get((rid, full))
        if cached is None:
            cached = self._refs[(rid, full)] = self._ref(rid, full)
        return dict(cached)  # a copy: a caller changing one page changes no other

    def _ref(self, rid: str, full: bool) -> dict[str, Any]:
        rec = self.cat[rid]
        if isinstance(rec, Film):
            node = self._named(rec, "Movie", rec.titles, rec)
            _put(node, "dateCreated", rec.date_created)
            _put(node, "image", rec.image)
            return node
        if isinstance(rec, Person):
            return self.person(rec, full=full)
        if isinstance(rec, Place):
            return self.place(rec, full=full)
        if isinstance(rec, Organization):
            node = self._named(rec, "Organization", rec.names, rec)
            _put(node, "url", rec.url)
            return node
        if isinstance(rec, Work):
            return self._named(rec, _WORK_TYPES[rec.work_type], rec.names, rec)
        if isinstance(rec, Interview):
            return {"@type": "Article", "@id": self.iri(rec.id), **_opt("headline", self.text(rec.headlines))}
        if isinstance(rec, Festival):
            return self._named(rec, "EventSeries", rec.names, rec)
        if isinstance(rec, FestivalEdition):
            node = self._named(rec, "Festival", rec.names, rec)
            _put(node, "startDate", rec.start_date)
            return node
        if isinstance(rec, Award):  # lod:Award, and the schema.org class it specialises
            return {"@type": _lod_types("Award"), "@id": self.iri(rec.id), **_opt("name", self.text(rec.names))}
        if isinstance(rec, Event):
            node = self._named(rec, "Event", rec.names, rec)
            _put(node, "startDate", rec.start_date)
            return node
        if isinstance(rec, FestivalSection):
            return {"@type": _lod_types("FestivalSection"), "@id": self.iri(rec.id),
                    **_opt("name", self.text(rec.names))}
        names = getattr(rec, "names", ())
        return {"@id": self.iri(rec.id), **_opt("name", self.text(names))}

    # --- helpers ---------------------------------------------------------------------
    def iri(self, rid: str) -> str:
        found = self._iris.get(rid)
        if found is None:
            found = self._iris[rid] = str(record_iri(self.base, self.cat[rid].kind, rid))
        return found

    def text(self, texts: Sequence[Any]) -> str | None:
        """The text in the page language (or the closest one: same language, then any)."""
        return _pick(texts, self.lang)

    def award_texts(self, rid: str) -> list[str]:
        """The ``schema:award`` texts of a record's wins, one per award in the page's language (as the export)."""
        from ._walker import award_texts

        out = []
        for outcome in self._won.get(rid, ()):
            award = self.cat[outcome.award]
            where = outcome.edition or outcome.ceremony or getattr(award, "conferred_by", None)
            context = self.cat[where] if where else None
            texts = award_texts(award, context, outcome.date)
            primary = self.lang.split("-")[0].lower()
            best = next((t for t, lang in texts if lang == self.lang), None) or next(
                (t for t, lang in texts if lang and lang.split("-")[0].lower() == primary), None)
            out.append(best or texts[0][0])
        return out

    def _named(self, rec: Any, type_: str, names: Sequence[Any], entity: Any,
               alternates: Sequence[LangText] = ()) -> dict[str, Any]:
        node: dict[str, Any] = {"@type": type_, "@id": self.iri(rec.id)}
        name = _pick(names, self.lang)
        _put(node, "name", name)
        others = sorted({n.text for n in names if n.text != name} | {a.text for a in alternates})
        _put(node, "alternateName", others)
        same = ([WIKIDATA_ENTITY + entity.qid] if getattr(entity, "qid", None) else []) + list(
            getattr(entity, "same_as", ()))
        _put(node, "sameAs", same)
        return node

    def _watch(self, window: Any, node_iri: Any) -> dict[str, Any]:
        node: dict[str, Any] = {"@type": "WatchAction", "@id": str(node_iri), "provider": self.ref(window.platform)}
        _put(node, "target", window.url)
        access: dict[str, Any] = {}
        _put(access, "availabilityStarts", window.starts)
        _put(access, "availabilityEnds", window.ends)
        _put(access, "eligibleRegion", list(window.regions))
        _put(access, "category", window.category)
        if access:
            node["actionAccessibilityRequirement"] = {"@type": "ActionAccessSpecification",
                                                      "@id": str(via_iri(str(node_iri))), **access}
        return node


def _lod_types(record: str) -> list[str]:
    """A lod class and the schema.org classes it specialises, as a page writes them (``["…#Award", "Intangible"]``)."""
    from ..records import schema_supertypes, table

    main = str(table().iri(table().row(record, "@type").schema))
    return [main, *(str(t)[len("http://schema.org/"):] for t in schema_supertypes(main))]


def _lod_iri(record: str, field: str, value: str) -> str:
    """The IRI the alignment table gives an enumeration value (``lod:Nominated``, ``lod:WorldPremiere``)."""
    from ..records import table

    return str(table().iri(table().values(record, field)[value].schema))


def _pick(texts: Sequence[Any], lang: str) -> str | None:
    if not texts:
        return None
    primary = lang.split("-")[0].lower()
    for match in (lambda t: t.lang == lang, lambda t: t.lang.split("-")[0].lower() == primary,
                  lambda t: getattr(t, "kind", None) == "original"):
        for t in texts:
            if match(t):
                return str(t.text)
    return str(texts[0].text)


def _put(node: dict[str, Any], key: str, value: Any) -> None:
    if value is None or value == [] or value == "":
        return
    node[key] = value[0] if isinstance(value, list) and len(value) == 1 else value


def _opt(key: str, value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put(out, key, value)
    return out


def jsonld(record: Record | str, catalogue: Catalogue, *, lang: str = "en", base: str = DEFAULT_BASE
           ) -> dict[str, Any]:
    """The JSON-LD of one record's page (film, person, interview, festival edition…)."""
    return Site(catalogue, lang=lang, base=base).page(record)


def carousel(films: Iterable[Film | str], catalogue: Catalogue, *, lang: str = "en",
             base: str = DEFAULT_BASE) -> dict[str, Any]:
    """An ``ItemList`` carousel of films."""
    return Site(catalogue, lang=lang, base=base).carousel(films)


_SCRIPT_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def dumps(data: Any) -> str:
    """Compact, deterministic JSON (keys in insertion order, no ASCII escaping but for safety)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def script_tag(data: Any) -> str:
    """``<script type="application/ld+json">…</script>``, safe for any content.

    ``<``, ``>``, ``&``, U+2028 and U+2029 are written as JSON ``\\u`` escapes (never HTML
    entities): the JSON means the same, and nothing in it can close the element or open a
    comment.
    """
    text = dumps(data)
    for char, escaped in _SCRIPT_ESCAPES:  # str.replace runs in C; str.translate would not
        if char in text:
            text = text.replace(char, escaped)
    return f'<script type="application/ld+json">{text}</script>'
