"""The web, wikidata and archive profiles: a conforming fixture each, and one fixture per constraint
that produces exactly that one finding, with the right record, field and severity."""

from __future__ import annotations

import pytest
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

import lod

S = Namespace("http://schema.org/")
L = Namespace("https://w3id.org/lod-film/vocab#")
ID = "https://example.org/id/"


def iri(kind, rid):
    return URIRef(f"{ID}{kind}/{rid}")


FILM, PERSON, EDITION, INTERVIEW = iri("film", "f"), iri("person", "p"), iri("festival-edition", "e"), \
    iri("interview", "i")
PLACE, OUTCOME, DATASET = iri("place", "almaty"), iri("award-outcome", "won"), iri("catalogue", "c")


@pytest.fixture(scope="module")
def full() -> lod.Catalogue:
    return lod.Catalogue(
        info={"id": "c", "names": {"en": "Test catalogue"}, "publisher": "o"},
        people=[{"id": "p", "names": {"en": "Aizhan Kassymbek"}, "qid": "Q100", "image": "https://img.example/p.jpg"},
                {"id": "q", "names": {"en": "Olga Doletskaya"}, "qid": "Q104", "image": "https://img.example/q.jpg"}],
        organizations=[{"id": "o", "names": {"en": "Klassiki"}}],
        places=[{"id": "almaty", "names": {"en": "Almaty"}, "place_type": "city", "address": "Almaty, Kazakhstan"},
                {"id": "kz", "names": {"en": "Kazakhstan"}, "place_type": "country", "qid": "Q232"}],
        films=[{"id": "f", "titles": [{"text": "Madina", "lang": "kk", "kind": "original"}], "date_created": 2023,
                "qid": "Q101", "image": "https://img.example/f.jpg", "directors": ["p"], "countries": ["kz"],
                "original_languages": ["kk"], "production_companies": ["o"],
                "cast": [{"person": "p", "character": "Madina"}]}],
        festivals=[{"id": "fest", "names": {"en": "goEast"}, "qid": "Q102"}],
        festival_editions=[{"id": "e", "festival": "fest", "names": {"en": "goEast 2024"}, "qid": "Q103",
                            "start_date": "2024-04-17", "end_date": "2024-04-23", "location": "almaty",
                            "organizer": "o"}],
        awards=[{"id": "a", "names": {"en": "Grand Prize"}, "new_wikidata_item": True}],
        award_outcomes=[{"id": "won", "award": "a", "status": "won", "recipients": ["f"], "date": 2024}],
        interviews=[{"id": "i", "headlines": {"en": "H"}, "publisher": "o", "interviewers": ["p"],
                     "interviewees": ["p"], "date_published": "2024-04-20T10:00:00+02:00", "languages": ["en"],
                     "images": [{"url": "https://img.example/i.jpg"}]}],
    )


def graph_of(cat):
    return lod.parse(lod.dumps(cat, format="nt"), "nt")


@pytest.mark.parametrize("profile", ["core", "web", "wikidata", "archive"])
def test_full_fixture_has_no_findings(full, profile):
    report = lod.validate(full, profiles=(profile,))
    assert report.results == [], report.text()


def remove(*pairs):
    return lambda g: [g.remove((s, p, None)) for s, p in pairs]


WEB = {
    "film without image": (remove((FILM, S.image)), "violation", "f", "image"),
    "film without name": (remove((FILM, S.name)), "violation", "f", "titles"),
    "film without dateCreated": (remove((FILM, S.dateCreated)), "warning", "f", "date_created"),
    "film without director": (remove((FILM, S.director)), "warning", "f", "directors"),
    "article without headline": (remove((INTERVIEW, S.headline)), "warning", "i", "headlines"),
    "article without author": (remove((INTERVIEW, S.author)), "warning", "i", "interviewers"),
    "author without url or sameAs": (remove((PERSON, S.sameAs)), "warning", "i", "interviewers"),
    "article without date": (remove((INTERVIEW, S.datePublished)), "warning", "i", "date_published"),
    "article date without time zone": (
        lambda g: g.set((INTERVIEW, S.datePublished, Literal("2024-04-20", datatype=XSD.date))),
        "warning", "i", "date_published"),
    "article without image": (remove((INTERVIEW, S.image)), "warning", "i", "images"),
    "event without name": (remove((EDITION, S.name)), "violation", "e", "names"),
    "event without start": (remove((EDITION, S.startDate)), "violation", "e", "start_date"),
    "event without location": (remove((EDITION, S.location)), "violation", "e", "location"),
    "event location without address": (remove((PLACE, S.address)), "violation", "e", "location"),
    "event without end": (remove((EDITION, S.endDate)), "warning", "e", "end_date"),
    "event without organizer": (remove((EDITION, S.organizer)), "warning", "e", "organizer"),
    "person without name": (remove((iri("person", "q"), S.name)), "violation", "q", "names"),
    "person without image": (remove((PERSON, S.image)), "info", "p", "image"),
}

WIKIDATA = {
    "film without QID or decision": (remove((FILM, S.sameAs)), "violation", "f", "qid"),
    "person without QID or decision": (remove((PERSON, S.sameAs)), "violation", "p", "qid"),
    "award without decision": (remove((iri("award", "a"), L.newWikidataItem)), "violation", "a", "qid"),
    "edition without QID": (remove((EDITION, S.sameAs)), "violation", "e", "qid"),
    "award outcome without date": (remove((OUTCOME, L.pointInTime)), "violation", "won", "date"),
    "cast role without person": (lambda g: g.remove((next(iter(g.objects(FILM, S.actor))), S.actor, None)),
                                 "violation", "f", "cast[0].person"),
}

ARCHIVE = {
    "film without title": (remove((FILM, S.name)), "violation", "f", "titles"),
    "film without year of reference": (remove((FILM, S.dateCreated)), "violation", "f", "date_created"),
    "title without type": (remove((FILM, L.originalTitle)), "warning", "f", "titles"),
    "film without credits": (remove((FILM, S.director), (FILM, S.actor)), "warning", "f", "directors"),
    "film without production company": (remove((FILM, S.productionCompany)), "info", "f", "production_companies"),
    "film without country": (remove((FILM, S.countryOfOrigin)), "warning", "f", "countries"),
    "film without language": (remove((FILM, S.inLanguage)), "warning", "f", "original_languages"),
    "film without identifiers": (remove((FILM, S.sameAs)), "warning", "f", "identifiers"),
    "catalogue without record source": (remove((DATASET, S.publisher)), "violation", "info:c", "publisher"),
    "person without name": (remove((PERSON, S.name)), "violation", "p", "names"),
    "interview without interviewer or publisher": (remove((INTERVIEW, S.author), (INTERVIEW, S.publisher)),
                                                   "violation", "i", "interviewers"),
    "interview without headline": (remove((INTERVIEW, S.headline)), "violation", "i", "headlines"),
    "interview without date": (remove((INTERVIEW, S.datePublished)), "warning", "i", "date_published"),
    "interview without language": (remove((INTERVIEW, S.inLanguage)), "warning", "i", "languages"),
}

CASES = [(p, n, c) for p, table in (("web", WEB), ("wikidata", WIKIDATA), ("archive", ARCHIVE))
         for n, c in table.items()]


@pytest.mark.parametrize("profile,name,case", CASES, ids=[f"{p}: {n}" for p, n, _ in CASES])
def test_each_constraint_gives_exactly_its_finding(full, profile, name, case):
    mutate, severity, record, field = case
    g = graph_of(full)
    mutate(g)
    report = lod.validate(g, profiles=(profile,))
    assert len(report.results) == 1, report.text()
    (result,) = report.results
    assert (result.severity, result.record, result.field) == (severity, record, field), report.text()
    assert report.conforms == (severity != "violation")
    assert result.message and "shapes#" not in result.message


def test_catalogue_without_info_has_no_record_source(full):
    cat = lod.Catalogue(**{n: getattr(full, n) for n in lod.model.LISTS})
    report = lod.validate(cat, profiles=("archive",))
    assert [(r.severity, r.record) for r in report.results] == [("violation", "f")]
    assert "record source" in report.results[0].message


def test_seed_conforms_to_archive_with_warnings_only(seed):
    report = lod.validate(seed, profiles=("archive",))
    assert report.conforms and report.warnings


def test_seed_web_report_lists_exactly_what_the_seeds_do_not_give(seed):
    report = lod.validate(seed, profiles=("web",))
    found = {(r.severity, r.record, r.field) for r in report.results if r.severity != "info"}
    films = {"welcome-to-the-usa", "madina", "fire", "carol", "july-rain", "and-then-we-danced"}
    expected = {("violation", f, "image") for f in films}  # the seeds give no posters
    expected |= {("violation", e, "location") for e in ("afi-fest-2019", "newfest-2020", "goeast-edition-madina")}
    expected |= {("violation", "goeast-edition-madina", "start_date")}  # "this year's edition": no year given
    expected |= {("warning", e, f) for e in ("afi-fest-2019", "newfest-2020", "goeast-edition-madina")
                 for f in ("end_date", "organizer")}
    expected |= {("warning", "and-then-we-danced", "directors"),
                 ("warning", "aushakimova-welcome-to-the-usa", "date_published"),
                 ("warning", "kassymbek-madina", "date_published"),
                 ("warning", "aushakimova-welcome-to-the-usa", "interviewers"),  # no url/sameAs for the curator
                 ("warning", "kassymbek-madina", "interviewers")}  # the interviewer is not named
    assert found == expected
