"""Typed, immutable film-culture records and the :class:`Catalogue` that holds them.

Records are frozen pydantic models validated on construction. References between
records are local ids (``directors=("assel-aushakimova",)``); the catalogue checks
that every reference exists and points at a record of the right type.

Fields typed ``Set[...]`` are unordered: they are kept sorted and without
duplicates, so two records that say the same thing are equal. Plain tuples (cast and
crew credits) keep the order given: billing order matters to archives.

>>> from lod import Film, Title
>>> Film(id="madina", titles=[Title(text="Madina", lang="en", kind="original")]).titles[0].text
'Madina'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, ClassVar, Literal, TypeVar, get_args, get_origin

from pydantic_core import PydanticCustomError
from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo,
                      WithJsonSchema, field_validator, model_validator)

from .. import errors as E
from ._values import (TEXTS_SCHEMA, QID, Count, count_value, WIKIDATA_ENTITY, Id, LangTag, LangText, Minutes,
                      PartialDate, Text, Url, SameAsIri, names_a_record, lang_list, text_shorthand)

T = TypeVar("T")


def canonical_set(items: tuple[Any, ...]) -> tuple[Any, ...]:
    if len(items) < 2:  # nothing to sort or merge (most sets): the same tuple
        return items
    keyed = {(_sort_key(i)): i for i in items}
    return tuple(keyed[k] for k in sorted(keyed))


def _sort_key(item: Any) -> str:
    # the model's JSON, as model_dump_json gives it (its serializer called directly: the same defaults)
    return item.__pydantic_serializer__.to_json(item).decode() if isinstance(item, BaseModel) else str(item)


Set = Annotated[tuple[T, ...], AfterValidator(canonical_set)]
"""An unordered collection: stored sorted and de-duplicated."""
Texts = Annotated[tuple[LangText, ...], BeforeValidator(lang_list), AfterValidator(canonical_set), WithJsonSchema(TEXTS_SCHEMA)]
"""Language-tagged texts; ``{"en": "…", "ru": "…"}`` is accepted as a short form."""
NonEmptyTexts = Annotated[tuple[LangText, ...], BeforeValidator(lang_list), Field(min_length=1),
                          AfterValidator(canonical_set), WithJsonSchema(TEXTS_SCHEMA)]
"""At least one language-tagged text (names, headlines)."""


@dataclass(frozen=True)
class RefTo:
    """Marks an id field as a reference to records of the given classes."""

    kinds: tuple[str, ...]


# Reference types: an id that must name a record of one of the given classes.
AgentRef = Annotated[Id, RefTo(("Person", "Organization"))]
AwardRef = Annotated[Id, RefTo(("Award",))]
ConfererRef = Annotated[Id, RefTo(("Festival", "Organization"))]
DepictedRef = Annotated[Id, RefTo(("Person", "Film", "Place", "Work"))]
EditionRef = Annotated[Id, RefTo(("FestivalEdition",))]
EventSeriesRef = Annotated[Id, RefTo(("Festival", "FestivalEdition"))]
FestivalRef = Annotated[Id, RefTo(("Festival",))]
FilmRef = Annotated[Id, RefTo(("Film",))]
MentionRef = Annotated[Id, RefTo(("Film", "Person", "Organization", "Place", "Work", "Festival", "FestivalEdition", "FestivalSection", "Programme", "Award", "Event"))]
OrganizationRef = Annotated[Id, RefTo(("Organization",))]
PersonRef = Annotated[Id, RefTo(("Person",))]
PlaceRef = Annotated[Id, RefTo(("Place",))]
ProgrammeRef = Annotated[Id, RefTo(("Programme", "FestivalEdition", "FestivalSection"))]
RecipientRef = Annotated[Id, RefTo(("Film", "Person", "Organization"))]
SectionRef = Annotated[Id, RefTo(("FestivalSection",))]
SubjectRef = Annotated[Id, RefTo(("Film", "Person", "Organization", "Place", "Work", "Festival", "FestivalEdition", "Event"))]
BasedOnRef = Annotated[Id, RefTo(("Work", "Film"))]
WorkRef = Annotated[Id, RefTo(("Work",))]
CeremonyRef = Annotated[Id, RefTo(("Event", "FestivalEdition"))]
DedicateeRef = Annotated[Id, RefTo(("Person", "Organization", "Place", "Film", "Work", "Event"))]
ParticipantRef = Annotated[Id, RefTo(("Person", "Organization"))]
PartnerRef = Annotated[Id, RefTo(("Organization", "Festival"))]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


# --- nested values (nodes that belong to one record) -------------------------------

class Identifier(Model):
    """An external identifier: ``Identifier(scheme="imdb", value="tt1234567")``."""

    key_fields: ClassVar[tuple[str, ...]] = ("scheme", "value")
    scheme: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]
    value: Text


class Title(Model):
    """A film title in one language/script; ``kind`` says original, translated, …"""

    text: Text
    lang: LangTag
    kind: Literal["original", "translated", "transliterated", "alternative", "working"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return text_shorthand(data)


class CastCredit(Model):
    """An actor and the character played (``character`` may be unknown)."""

    key_fields: ClassVar[tuple[str, ...]] = ("person", "character")
    person: PersonRef
    character: Text | None = None
    note: Texts = ()


class CrewCredit(Model):
    """A crew member and the role, e.g. ``role="director of photography"``."""

    key_fields: ClassVar[tuple[str, ...]] = ("person", "role")
    person: AgentRef
    role: Text
    note: Texts = ()


class CompanyCredit(Model):
    """A company's part in making a film, as credited: ``role="co-production"``, ``"in-association-with"``.

    ``production_companies`` lists companies with no part named; ``company_credits`` names it:
    ``company_credits: [{organization: pastel, role: co-production}]``.
    """

    key_fields: ClassVar[tuple[str, ...]] = ("organization", "role")
    organization: OrganizationRef
    role: Literal["production", "co-production", "in-association-with", "with-the-participation-of",
                  "presented-by"]
    note: Texts = ()


class MonetaryAmount(Model):
    """An amount of money in a currency: ``{amount: 1500000, currency: USD}`` (ISO 4217 code, whole units)."""

    key_fields: ClassVar[tuple[str, ...]] = ("amount", "currency")
    amount: Annotated[int, BeforeValidator(count_value), Field(ge=0, lt=10**15)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    note: Texts = ()


class Source(Model):
    """Where a record's facts come from: a web page, and when it was read (Wikidata's S854 and S813)."""

    key_fields: ClassVar[tuple[str, ...]] = ("url",)
    url: Url
    retrieved: PartialDate | None = None
    title: Text | None = None


class ContentRating(Model):
    """An age or content rating, e.g. ``21+`` issued by a ministry of culture."""

    key_fields: ClassVar[tuple[str, ...]] = ("value", "issuer")
    value: Text
    issuer: OrganizationRef | None = None
    note: Texts = ()


class Funding(Model):
    """How a film was paid for: a funder (may be the filmmaker), a kind, a note."""

    key_fields: ClassVar[tuple[str, ...]] = ("kind", "funder")
    funder: AgentRef | None = None
    kind: Text | None = None
    note: Texts = ()


class StreamingWindow(Model):
    """A film's availability on a platform: URL, regions, start and end."""

    key_fields: ClassVar[tuple[str, ...]] = ("platform", "starts", "ends")
    platform: OrganizationRef
    url: Url | None = None
    regions: Set[Text] = ()
    category: Text | None = None
    starts: PartialDate | None = None
    ends: PartialDate | None = None
    note: Texts = ()


class Image(Model):
    """A still or photograph with caption, creator and what it depicts."""

    key_fields: ClassVar[tuple[str, ...]] = ("url",)
    url: Url | None = None
    caption: Texts = ()
    creator: AgentRef | None = None
    depicts: Set[DepictedRef] = ()


_WIKIDATA_ANY = re.compile(r"https?://(www\.|m\.)?wikidata\.org/")


def _no_wikidata(iris: tuple[str, ...]) -> tuple[str, ...]:
    for iri in iris:
        if iri.startswith(WIKIDATA_ENTITY) or _WIKIDATA_ANY.match(iri):
            raise PydanticCustomError("bad_qid", "a Wikidata link belongs in 'qid' (as Q…), not in 'same_as'", {})
    return iris


def _titles(titles: tuple[Title, ...]) -> tuple[Title, ...]:
    # A title without a kind that repeats a typed title (same text and language) says nothing more.
    typed = {(t.text, t.lang) for t in titles if t.kind is not None}
    return canonical_set(tuple(t for t in titles if t.kind is not None or (t.text, t.lang) not in typed))


# --- records ----------------------------------------------------------------------

class Record(Model):
    """Base of every record: a local ``id`` that becomes the stable part of its IRI."""

    kind: ClassVar[str] = "record"
    id: Id

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise E.first_or_group(input_errors(exc, record=data.get("id") if names_a_record(data.get("id")) else None,
                                                model=type(self))) from None


class Entity(Record):
    """A record that can be aligned with Wikidata and other authorities."""

    qid: QID | None = None
    new_wikidata_item: bool = False
    identifiers: Set[Identifier] = ()
    same_as: Annotated[Set[SameAsIri], AfterValidator(_no_wikidata)] = ()
    description: Texts = ()
    sources: tuple[Source, ...] = ()


class Person(Entity):
    """A person: names per language and script (``kk-Cyrl``, ``kk-Latn``, ``ru``, ``en``)."""

    kind = "person"
    names: NonEmptyTexts
    alternate_names: Texts = ()
    occupations: Set[Text] = ()
    birth_date: PartialDate | None = None
    birth_place: PlaceRef | None = None
    death_date: PartialDate | None = None
    image: Url | None = None
    nationality: Set[PlaceRef] = ()
    works_for: Set[OrganizationRef] = ()
    member_of: Set[OrganizationRef] = ()
    alumni_of: Set[OrganizationRef] = ()
    spouses: Set[PersonRef] = ()
    knows: Set[PersonRef] = ()
    colleagues: Set[PersonRef] = ()


class Organization(Entity):
    """A platform, ministry, activist group, production company, festival organiser…"""

    kind = "organization"
    names: NonEmptyTexts
    alternate_names: Texts = ()
    kinds: Set[Text] = ()
    location: PlaceRef | None = None
    url: Url | None = None
    parent: OrganizationRef | None = None
    leaders: Set[PersonRef] = ()
    partners: Set[PartnerRef] = ()


class Place(Entity):
    """A country, city, region or landmark."""

    kind = "place"
    names: NonEmptyTexts
    alternate_names: Texts = ()
    place_type: Literal["place", "country", "city", "region", "landmark"] = "place"
    contained_in: PlaceRef | None = None
    address: Text | None = None


class Work(Entity):
    """A work other than a film that the content refers to: a book, a law, a programme."""

    kind = "work"
    names: NonEmptyTexts
    work_type: Literal["creative_work", "book", "legislation", "article", "film_series"] = "creative_work"
    creators: Set[AgentRef] = ()
    date_created: PartialDate | None = None
    country: PlaceRef | None = None
    about: Set[SubjectRef] = ()


class Film(Entity):
    """A film: titles, dates, credits, ratings, funding, locations, availability."""

    kind = "film"
    titles: Annotated[tuple[Title, ...], BeforeValidator(lang_list), Field(min_length=1), AfterValidator(_titles)]
    date_created: PartialDate | None = None
    date_published: PartialDate | None = None
    countries: Set[PlaceRef] = ()
    original_languages: Set[LangTag] = ()
    runtime_minutes: Minutes | None = None
    genres: Set[Text] = ()
    keywords: Set[Text] = ()
    image: Url | None = None
    directors: Set[PersonRef] = ()
    screenwriters: Set[PersonRef] = ()
    producers: Set[AgentRef] = ()
    composers: Set[PersonRef] = ()
    cast: tuple[CastCredit, ...] = ()
    crew: tuple[CrewCredit, ...] = ()
    production_companies: Set[OrganizationRef] = ()
    company_credits: tuple[CompanyCredit, ...] = ()
    content_ratings: Set[ContentRating] = ()
    funding: Set[Funding] = ()
    shooting_days: Count | None = None
    filming_locations: Set[PlaceRef] = ()
    narrative_locations: Set[PlaceRef] = ()
    availability: Set[StreamingWindow] = ()
    dedication: Texts = ()
    dedicatees: Set[DedicateeRef] = ()
    based_on: Set[BasedOnRef] = ()
    series: WorkRef | None = None
    follows: FilmRef | None = None
    followed_by: FilmRef | None = None
    budget: MonetaryAmount | None = None
    box_office: MonetaryAmount | None = None


class Interview(Entity):
    """A published interview (schema.org Article typed as Wikidata's interview, Q178651)."""

    kind = "interview"
    headlines: NonEmptyTexts
    url: Url | None = None
    publisher: OrganizationRef | None = None
    date_published: PartialDate | None = None
    languages: Set[LangTag] = ()
    interviewers: Set[PersonRef] = ()
    interviewees: Set[PersonRef] = ()
    about: Set[SubjectRef] = ()
    mentions: Set[MentionRef] = ()
    summary: Texts = ()
    text: Texts = ()
    images: tuple[Image, ...] = ()

    @field_validator("about", mode="after")
    @classmethod
    def _interviewees_are_about(cls, about: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        # An interview is always about its interviewees (they are written as schema:about too), so
        # listing them in `about` as well says nothing more; dropping them keeps equality semantic.
        people = set(info.data.get("interviewees") or ())
        return tuple(a for a in about if a not in people)


class Award(Entity):
    """A prize, e.g. "Grand Jury Prize, Best International Narrative Feature"."""

    kind = "award"
    names: NonEmptyTexts
    conferred_by: ConfererRef | None = None


class AwardOutcome(Record):
    """An award won, a nomination, a shortlisting or a national submission: who, for which work, where, when.

    ``ceremony`` is the event it was decided at when that is not a festival edition (the 92nd Academy
    Awards, an :class:`Event`); ``edition`` a festival edition.
    """

    kind = "award-outcome"
    award: AwardRef
    status: Literal["won", "nominated", "shortlisted", "submitted"]
    recipients: Annotated[Set[RecipientRef], Field(min_length=1)]
    for_work: FilmRef | None = None
    edition: EditionRef | None = None
    ceremony: CeremonyRef | None = None
    date: PartialDate | None = None
    category: Text | None = None
    description: Texts = ()


class Festival(Entity):
    """A festival as a series (brand): "AFI Fest", "NewFest", "goEast"."""

    kind = "festival"
    names: NonEmptyTexts
    alternate_names: Texts = ()
    organizer: OrganizationRef | None = None
    location: PlaceRef | None = None
    url: Url | None = None


class FestivalEdition(Entity):
    """One edition of a festival: "AFI Fest 2019"."""

    kind = "festival-edition"
    festival: FestivalRef
    names: NonEmptyTexts
    edition_number: Count | None = None
    start_date: PartialDate | None = None
    end_date: PartialDate | None = None
    location: PlaceRef | None = None
    organizer: OrganizationRef | None = None


class FestivalSection(Entity):
    """A section or competition of an edition: "New Auteurs", "Competition"."""

    kind = "festival-section"
    edition: EditionRef
    names: NonEmptyTexts
    alternate_names: Texts = ()
    organizer: OrganizationRef | None = None  # a section run by another organisation (Critics' Week at Cannes)
    url: Url | None = None


class Screening(Entity):
    """A screening of a film, at a festival or in cinemas, possibly a premiere."""

    kind = "screening"
    film: FilmRef
    section: SectionRef | None = None
    edition: EditionRef | None = None
    start_date: PartialDate | None = None
    end_date: PartialDate | None = None
    locations: Set[PlaceRef] = ()
    premiere: Literal["world", "international", "european", "north-american", "national", "regional"] | None = None


class Event(Entity):
    """An event that is neither a festival nor a screening: an award ceremony, a trial, a gathering."""

    kind = "event"
    names: NonEmptyTexts
    alternate_names: Texts = ()
    start_date: PartialDate | None = None
    end_date: PartialDate | None = None
    location: PlaceRef | None = None
    organizer: AgentRef | None = None
    participants: Set[ParticipantRef] = ()
    part_of: EventSeriesRef | None = None
    url: Url | None = None


class Release(Record):
    """A film's release in a country or on a platform: when, how, by whom, under which title.

    Not a Wikidata item: on Wikidata it is the film's publication date (P577, qualified by the country,
    P291) and its distributor (P750).
    """

    kind = "release"
    film: FilmRef
    release_type: Literal["theatrical", "festival", "television", "home-video", "streaming"] | None = None
    date: PartialDate | None = None
    countries: Set[PlaceRef] = ()
    distributor: OrganizationRef | None = None
    platform: OrganizationRef | None = None
    titles: Texts = ()
    description: Texts = ()


class Programme(Entity):
    """A programme that selects projects or people, e.g. a development workshop."""

    kind = "programme"
    names: NonEmptyTexts
    part_of: EventSeriesRef | None = None
    organizer: OrganizationRef | None = None
    start_date: PartialDate | None = None
    end_date: PartialDate | None = None


class Selection(Record):
    """A film or project selected into a programme, workshop, section or edition."""

    kind = "selection"
    programme: ProgrammeRef
    persons: Set[PersonRef] = ()
    film: FilmRef | None = None
    project: Texts = ()
    stage: Text | None = None
    date: PartialDate | None = None


class CatalogueInfo(Model):
    """What the catalogue is and who supplies it (the archival record source)."""

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise E.first_or_group(input_errors(exc, record="info", model=CatalogueInfo)) from None

    id: Id
    names: NonEmptyTexts
    description: Texts = ()
    publisher: OrganizationRef | None = None
    license: Url | None = None
    url: Url | None = None
    retrieved: PartialDate | None = None


@dataclass(frozen=True)
class RecordKind:
    """One kind of record, as data: what every stage asks about a kind is here, or in the alignment table.

    The registry's order is the order of the catalogue's lists everywhere: in files, in
    :meth:`Catalogue.records`, in the JSON Schema and in JSON Lines written by lod.
    """

    list_name: str
    cls: type[Record]
    page: bool = False
    """Whether it gets a page of its own on the static site (``lod html``)."""
    reconcile: bool = False
    """Whether ``lod reconcile`` looks it up on Wikidata (its candidates must be instances of its class)."""
    lookup: bool = False
    """Whether other records' triples need it (award texts name the award, the edition or the conferrer):
    streaming keeps such records at hand."""

    @property
    def kind(self) -> str:
        """The IRI segment and the ``kind`` of its records: ``festival-edition``."""
        return self.cls.kind

    @property
    def name(self) -> str:
        """The class name, as the alignment table's rows name it: ``FestivalEdition``."""
        return self.cls.__name__

    @property
    def wikidata_class(self) -> str | None:
        """The Wikidata class of its ``@type`` row in the alignment table (``Q11424``), if any."""
        from ._alignment import table

        row = table().find(self.name, "@type")
        return row.wikidata[3:] if row is not None and row.wikidata.startswith("wd:Q") else None


REGISTRY: tuple[RecordKind, ...] = (
    RecordKind("films", Film, page=True, reconcile=True),
    RecordKind("people", Person, page=True, reconcile=True),
    RecordKind("organizations", Organization, lookup=True),
    RecordKind("places", Place),
    RecordKind("works", Work),
    RecordKind("interviews", Interview, page=True),
    RecordKind("awards", Award, reconcile=True, lookup=True),
    RecordKind("award_outcomes", AwardOutcome),
    RecordKind("festivals", Festival, reconcile=True, lookup=True),
    RecordKind("festival_editions", FestivalEdition, page=True, reconcile=True, lookup=True),
    RecordKind("festival_sections", FestivalSection),
    RecordKind("events", Event, page=False, reconcile=False, lookup=True),
    RecordKind("screenings", Screening),
    RecordKind("releases", Release),
    RecordKind("programmes", Programme),
    RecordKind("selections", Selection),
)
"""Every kind of record lod knows, in catalogue order. Adding a kind: a class above, a row here, its rows
in ``vocab/alignment.tsv``, a list on :class:`Catalogue` (checked against this registry at import)."""

RECORD_TYPES: tuple[type[Record], ...] = tuple(k.cls for k in REGISTRY)
"""Every record class, in the order the catalogue lists them."""

LISTS: dict[str, type[Record]] = {k.list_name: k.cls for k in REGISTRY}
"""Catalogue list name -> record class."""

BY_KIND: dict[str, RecordKind] = {k.kind: k for k in REGISTRY}
"""Record kind (``film``) -> its registry entry."""

ALIASES = {"organisations": "organizations", "programs": "programmes"}


def _by_id(items: tuple[Record, ...]) -> tuple[Record, ...]:
    return tuple(sorted(items, key=lambda r: r.id))


class Catalogue(Model):
    """A checked set of records: ids unique, every reference resolved and well typed.

    >>> from lod import Catalogue, Person
    >>> cat = Catalogue(people=[Person(id="olga-doletskaya", names={"en": "Olga Doletskaya"})])
    >>> cat["olga-doletskaya"].names[0].text
    'Olga Doletskaya'
    """

    info: CatalogueInfo | None = None
    films: Annotated[tuple[Film, ...], AfterValidator(_by_id)] = ()
    people: Annotated[tuple[Person, ...], AfterValidator(_by_id)] = ()
    organizations: Annotated[tuple[Organization, ...], AfterValidator(_by_id)] = ()
    places: Annotated[tuple[Place, ...], AfterValidator(_by_id)] = ()
    works: Annotated[tuple[Work, ...], AfterValidator(_by_id)] = ()
    interviews: Annotated[tuple[Interview, ...], AfterValidator(_by_id)] = ()
    awards: Annotated[tuple[Award, ...], AfterValidator(_by_id)] = ()
    award_outcomes: Annotated[tuple[AwardOutcome, ...], AfterValidator(_by_id)] = ()
    festivals: Annotated[tuple[Festival, ...], AfterValidator(_by_id)] = ()
    festival_editions: Annotated[tuple[FestivalEdition, ...], AfterValidator(_by_id)] = ()
    festival_sections: Annotated[tuple[FestivalSection, ...], AfterValidator(_by_id)] = ()
    events: Annotated[tuple[Event, ...], AfterValidator(_by_id)] = ()
    screenings: Annotated[tuple[Screening, ...], AfterValidator(_by_id)] = ()
    releases: Annotated[tuple[Release, ...], AfterValidator(_by_id)] = ()
    programmes: Annotated[tuple[Programme, ...], AfterValidator(_by_id)] = ()
    selections: Annotated[tuple[Selection, ...], AfterValidator(_by_id)] = ()

    def __init__(self, /, **data: Any) -> None:
        for alias, name in ALIASES.items():
            if alias in data:
                data[name] = data.pop(alias)
        try:
            super().__init__(**data)
        except ValidationError as exc:
            found = input_errors(exc, data=data, model=Catalogue)
            flagged = {(p.record, p.field) for p in found}
            found += [p for p in check_references(data) if (p.record, p.field) not in flagged]
            raise E.first_or_group(found) from None
        problems = check_references(self, order=data)
        if problems:
            raise E.first_or_group(problems)

    def records(self) -> Iterator[Record]:
        """Every record, list by list, each list sorted by id."""
        for name in LISTS:
            yield from getattr(self, name)

    @property
    def index(self) -> Mapping[str, Record]:
        """Records by id (built once per catalogue)."""
        cached: dict[str, Record] | None = self.__dict__.get("_index")
        if cached is None:
            cached = {r.id: r for r in self.records()}
            self.__dict__["_index"] = cached
        return cached

    def __getitem__(self, record_id: str) -> Record:
        return self.index[record_id]

    def __len__(self) -> int:
        return sum(len(getattr(self, name)) for name in LISTS)


if tuple(name for name in Catalogue.model_fields if name != "info") != tuple(LISTS):  # pragma: no cover
    raise TypeError(f"Catalogue's lists {list(Catalogue.model_fields)} differ from the registry's {list(LISTS)}")


# --- reference checking ------------------------------------------------------------

@dataclass(frozen=True)
class _RefField:
    name: str
    kinds: tuple[str, ...]
    many: bool


@cache
def ref_fields(cls: type[BaseModel]) -> tuple[_RefField, ...]:
    """The reference fields of a model class, found from the ``RefTo`` markers."""
    out: list[_RefField] = []
    for name, info in cls.model_fields.items():
        marker, many = _ref_marker(tuple_item(info.annotation)), True
        if marker is None:
            marker, many = _ref_marker(info.annotation), False
        if marker is None:  # pydantic moves a bare Annotated's metadata to FieldInfo.metadata
            marker = next((m for m in info.metadata if isinstance(m, RefTo)), None)
        if marker is not None:
            out.append(_RefField(name, marker.kinds, many))
    return tuple(out)


@cache
def nested_fields(cls: type[BaseModel]) -> tuple[tuple[str, type[BaseModel], bool], ...]:
    """``(field, model, many)`` for every field holding nested models."""
    out = []
    for name, info in cls.model_fields.items():
        for ann, many in ((tuple_item(info.annotation), True), (info.annotation, False)):
            model = _model_in(ann)
            if model is not None and model is not LangText:
                out.append((name, model, many))
                break
    return tuple(out)


def _strip(ann: Any) -> Any:
    while get_origin(ann) is Annotated:
        ann = get_args(ann)[0]
    return ann


def tuple_item(ann: Any) -> Any:
    ann = _strip(ann)
    if get_origin(ann) is tuple:
        return get_args(ann)[0]
    for arg in get_args(ann):
        if get_origin(_strip(arg)) is tuple:
            return get_args(_strip(arg))[0]
    return None


def _ref_marker(ann: Any) -> RefTo | None:
    if ann is None:
        return None
    candidates = [ann, *get_args(ann)] if get_origin(ann) is not Annotated else [ann]
    for cand in candidates:
        if get_origin(cand) is Annotated:
            for meta in get_args(cand)[1:]:
                if isinstance(meta, RefTo):
                    return meta
    return None


def _model_in(ann: Any) -> type[BaseModel] | None:
    ann = _strip(ann)
    if get_origin(ann) is tuple:
        return None
    for cand in (ann, *get_args(ann)):
        cand = _strip(cand)
        if isinstance(cand, type) and issubclass(cand, BaseModel):
            return cand
    return None


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def refs_of(cls: type[BaseModel], obj: Any, path: str = "") -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """References in a record, validated or raw (then malformed parts are skipped: they fail elsewhere).

    The walk follows the class's reference plan (:func:`_ref_plan`): only fields that are references,
    and nested values whose class can hold one (a title, a rating's value, are not visited).
    """
    out: list[tuple[str, str, tuple[str, ...]]] = []
    _refs_into(cls, obj, path, out)
    return iter(out)


@cache
def _ref_plan(cls: type[BaseModel]) -> tuple[tuple[tuple[str, bool, tuple[str, ...]], ...],
                                             tuple[tuple[str, type[BaseModel], bool], ...]]:
    """(reference fields as (name, many, kinds), nested fields whose class can hold a reference)."""
    return (tuple((rf.name, rf.many, rf.kinds) for rf in ref_fields(cls)),
            tuple(n for n in nested_fields(cls) if _holds_refs(n[1], frozenset())))


def model_refs(rec: BaseModel) -> list[tuple[str, tuple[str, ...]]]:
    """(target, classes the field takes) for every reference of a *validated* record: :func:`refs_of`
    without the field paths and type checks (a checked model holds ids where references go), for the
    usual case where every reference is fine; :func:`refs_of` names the field of one that is not."""
    out: list[tuple[str, tuple[str, ...]]] = []
    _model_refs_into(type(rec), rec, out)
    return out


def _model_refs_into(cls: type[BaseModel], obj: Any, out: list[tuple[str, tuple[str, ...]]]) -> None:
    refs, nested = _ref_plan(cls)
    values = obj.__dict__
    for name, many, kinds in refs:
        value = values[name]
        if value is None:
            continue
        if many:
            for v in value:
                out.append((v, kinds))
        else:
            out.append((value, kinds))
    for name, sub, many in nested:
        value = values[name]
        if value is None:
            continue
        if many:
            for item in value:
                _model_refs_into(sub, item, out)
        else:
            _model_refs_into(sub, value, out)


def referable(classes: Iterable[type[BaseModel]]) -> frozenset[str]:
    """The class names some reference field of these models (or of models nested in them) may take: a record
    of any other class is never the object of another record's triple."""
    found: set[str] = set()
    seen: set[type[BaseModel]] = set()
    todo = list(classes)
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        found.update(kind for rf in ref_fields(cls) for kind in rf.kinds)
        todo.extend(sub for _, sub, _ in nested_fields(cls))
    return frozenset(found)


@cache
def referable_kinds() -> frozenset[str]:
    """The record kinds (``film``, ``person``…) a reference field of some record or of the catalogue block may
    name, from the registry. Only these are ever the object of another record's triple, so only theirs is what
    the shapes read from other records (:meth:`lod.validation.BatchValidator.remember`, kept by the streaming
    export and by ``lod.validate`` in batches). At 1,000,000 films the 40,000 interviews (each with its own
    author) had held 37,000 such contexts, 23 MB (the issue-13 note)."""
    names = referable([*LISTS.values(), CatalogueInfo])
    return frozenset(cls.kind for cls in LISTS.values() if cls.__name__ in names)


def _holds_refs(cls: type[BaseModel], seen: frozenset[type[BaseModel]]) -> bool:
    if ref_fields(cls):
        return True
    return any(sub not in seen and _holds_refs(sub, seen | {cls}) for _, sub, _ in nested_fields(cls))


def _refs_into(cls: type[BaseModel], obj: Any, path: str, out: list[tuple[str, str, tuple[str, ...]]]) -> None:
    refs, nested = _ref_plan(cls)
    if not refs and not nested:
        return
    get = obj.get if isinstance(obj, Mapping) else obj.__dict__.get if isinstance(obj, BaseModel) else None
    if get is None:
        return
    for name, many, kinds in refs:
        value = get(name)
        if value is None:
            continue
        if many:
            if isinstance(value, (list, tuple)):
                for i, v in enumerate(value):
                    if isinstance(v, str):
                        out.append((f"{path}{name}[{i}]", v, kinds))
        elif isinstance(value, str):
            out.append((f"{path}{name}", value, kinds))
    for name, sub, many in nested:
        value = get(name)
        if value is None:
            continue
        if many:
            if isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    _refs_into(sub, item, f"{path}{name}[{i}].", out)
        else:
            _refs_into(sub, value, f"{path}{name}.", out)


def ref_targets(record: BaseModel) -> set[str]:
    """The ids a record refers to (its own fields and its nested values)."""
    return {target for target, _ in model_refs(record)}


def check_references(data: Any, order: Any = None) -> list[E.InputError]:
    """Duplicate ids, dangling references and references to the wrong type of record.

    ``data`` is a :class:`Catalogue` or the raw mapping it is built from, so reference
    problems are reported together with field problems when a file has both. ``order``, the
    raw mapping of a checked catalogue, gives duplicates their positions as the file has them
    (the catalogue's lists are sorted by id).
    """
    problems: list[E.InputError] = []
    seen: dict[str, str] = {}
    first: dict[str, str] = {}  # id -> where it is first used ("people[0]")
    sources: list[tuple[str, type[BaseModel], Any]] = []  # (record id, class, record or raw dict)
    for list_name, list_cls in LISTS.items():
        cls: type[BaseModel] = list_cls
        items = _get(data, list_name) or ()
        if not isinstance(items, (list, tuple)):
            continue
        for index, rec in enumerate(items):
            rid = _get(rec, "id") if isinstance(rec, (Mapping, BaseModel)) else None
            if not isinstance(rid, str):
                continue
            if rid in seen and order is None:
                dup = E.DuplicateId(f"id is already used by the {seen[rid]} at {first[rid]}; ids must be unique "
                                    f"across the catalogue (this one is {list_name}[{index}])", record=rid,
                                    field="id", value=rid)
                dup.first, dup.at = first[rid], f"{list_name}[{index}]"
                problems.append(dup)
            elif rid not in seen:
                seen[rid] = cls.__name__
                first[rid] = f"{list_name}[{index}]"
            sources.append((rid, cls, rec))
    if order is not None:
        problems += _duplicates(order)
    info = _get(data, "info")
    if isinstance(info, (Mapping, BaseModel)):
        sources.append((f"info:{_get(info, 'id')}", CatalogueInfo, info))
    for rid, cls, rec in sources:
        problems += reference_problems(refs_of(cls, rec), seen.get, rid)
    return problems


def reference_problems(refs: Iterable[tuple[str, str, tuple[str, ...]]], class_of: Callable[[str], str | None],
                       record: str | None) -> list[E.InputError]:
    """References (``refs_of``) to ids not in the catalogue, or to a record of another kind than the field takes;
    ``class_of`` gives the class name of the record an id names (None: no such record). The one check of
    references, for a catalogue in memory and for the streaming passes."""
    found: list[E.InputError] = []
    for field, target, kinds in refs:
        hit = class_of(target)
        if hit is None:
            found.append(E.UnknownReference(f"refers to {target!r}, which is not in the catalogue (expected "
                                            f"{a_kind(kinds)})", record=record, field=field, value=target))
        elif hit not in kinds:
            found.append(E.WrongReferenceType(f"refers to {target!r}, {a_kind((hit,))}; expected {a_kind(kinds)}",
                                              record=record, field=field, value=target))
    return found


def a_kind(kinds: tuple[str, ...]) -> str:
    """``a Person or Organization``, ``an Award``: record kinds with their article."""
    words = " or ".join(kinds)
    return f"{'an' if words[:1].lower() in 'aeiou' else 'a'} {words}"


def _duplicates(data: Any) -> list[E.InputError]:
    """Ids used twice, at the positions the raw catalogue mapping gives them."""
    problems: list[E.InputError] = []
    first: dict[str, tuple[str, str]] = {}  # id -> (position, class name)
    for list_name, cls in LISTS.items():
        items = _get(data, list_name) or ()
        if not isinstance(items, (list, tuple)):
            continue
        for index, rec in enumerate(items):
            rid = _get(rec, "id") if isinstance(rec, (Mapping, BaseModel)) else None
            if isinstance(rid, int) and not isinstance(rid, bool):
                rid = str(rid)
            if not isinstance(rid, str):
                continue
            here = f"{list_name}[{index}]"
            if rid in first:
                where, kind = first[rid]
                dup = E.DuplicateId(f"id is already used by the {kind} at {where}; ids must be unique across the "
                                    f"catalogue (this one is {here})", record=rid, field="id", value=rid)
                dup.first, dup.at = where, here
                problems.append(dup)
            else:
                first[rid] = (here, cls.__name__)
    return problems


# --- pydantic errors -> lod errors --------------------------------------------------

_CODES: dict[str, type[E.InputError]] = {
    cls.code: cls for cls in (E.BadDate, E.BadLanguageTag, E.BadQID, E.BadIRI, E.BadId, E.EmptyText, E.BadValue)
}
_CODES.update({"missing": E.MissingField, "extra_forbidden": E.UnknownField,
               "too_short": E.MissingField, "string_pattern_mismatch": E.BadValue})


def input_errors(exc: ValidationError, *, record: Any = None, data: Mapping[str, Any] | None = None,
                 model: type[BaseModel] | None = None) -> list[E.InputError]:
    """Turn pydantic's errors into lod errors that name the record and the field.

    ``model`` is the class that was validated: an unknown field is then told the closest known
    field and the fields there are.
    """
    out: list[E.InputError] = []
    errs = exc.errors()
    for err in errs:
        loc = list(err["loc"])
        owner = model
        if model is Catalogue and loc and loc[0] in LISTS:
            owner = LISTS[loc[0]]
        elif model is Catalogue and loc and loc[0] == "info":
            owner = CatalogueInfo
        rec = record if isinstance(record, str) else None
        if data is not None and loc and loc[0] in LISTS:
            name, index = loc[0], loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
            loc = loc[2:] if index is not None else loc[1:]
            rec = f"{name}[{index}]" if index is not None else name
            try:
                item = data[name][index]  # type: ignore[index]
                rid = item.get("id") if isinstance(item, Mapping) else getattr(item, "id", None)
                if names_a_record(rid):
                    rec = rid
            except (KeyError, IndexError, TypeError):
                pass
        elif data is not None and loc and loc[0] == "info":
            rec, loc = "info", loc[1:]
        field = _path([p for p in loc if not (isinstance(p, str) and p.startswith(("function-", "tagged-")))])
        inner = (err.get("ctx") or {}).get("error")
        if isinstance(inner, E.InputError):
            # A nested record validated by its own __init__ already named the field (and the record,
            # unless its id itself was unusable: then it is named by its position).
            for problem in inner.problems if isinstance(inner, E.CatalogueError) else [inner]:
                if problem.record is None:
                    problem.record = rec
                out.append(problem)
            continue
        if err["type"] == "too_short" and any(
                o is not err and tuple(o["loc"][: len(err["loc"])]) == tuple(err["loc"]) for o in errs):
            continue  # the list's items failed; "too short" would only repeat that
        msg = _message(err)
        if err["type"] == "extra_forbidden" and owner is not None:
            msg = _unknown_field(owner, [p for p in loc if not isinstance(p, int)], loc[-1] if loc else None)
        cls = _CODES.get(err["type"], E.BadValue)
        out.append(cls(msg, record=rec, field=field or None,
                       value=None if err["type"] == "missing" else err.get("input")))
    return out


def _path(loc: list[Any]) -> str:
    out = ""
    for part in loc:
        if part == "":
            part = '""'  # a key that is empty text
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _model_at(cls: type[BaseModel], parts: list[Any]) -> type[BaseModel] | None:
    """The model class a field path leads into (None when it leaves the models)."""
    for part in parts:
        nested = {name: sub for name, sub, _ in nested_fields(cls)}
        if part not in nested:
            return None
        cls = nested[part]
    return cls


def _unknown_field(owner: type[BaseModel], path: list[Any], name: Any) -> str:
    import difflib

    cls = _model_at(owner, path[1:-1] if owner is not Catalogue and path and path[0] in (*LISTS, "info")
                    else path[:-1])
    if cls is None:
        return "unknown field"
    known = sorted(cls.model_fields)
    close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.6) if isinstance(name, str) else []
    hint = f"; did you mean {close[0]!r}?" if close else ""
    what = re.sub(r"(?<!^)(?=[A-Z])", " ", cls.__name__).lower()  # CastCredit -> cast credit
    return f"unknown field{hint} ({a_kind((what,))}'s fields: {', '.join(known)})"


def _kind_of(value: Any) -> str:
    return {str: "text", int: "a number", float: "a number", bool: "true/false", list: "a list", tuple: "a list",
            dict: "a mapping", type(None): "nothing (null)"}.get(type(value), type(value).__name__)


def _message(err: Any) -> str:
    """pydantic's message for one error, in a catalogue writer's words where pydantic's are its own."""
    kind = err["type"]
    if kind == "too_short":
        return "needs at least one value"
    if kind == "missing":
        return "this field is required"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"must be a mapping of fields (name: value), not {_kind_of(err.get('input'))}"
    if kind in ("tuple_type", "list_type", "set_type"):
        return f"must be a list, not {_kind_of(err.get('input'))}"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number, not {_kind_of(err.get('input'))}"
    if kind == "bool_type":
        return "must be true or false"
    if kind == "literal_error":
        return f"must be one of {err.get('ctx', {}).get('expected', '')}"
    return str(err["msg"])
