"""The FIAFcore view: real FIAFcore terms only, the seed facts in FIAF form, validated by the archive shapes."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, XSD

import lod
from lod.synthetic import synthetic_catalogue

from conftest import REFERENCE

F = Namespace("https://fiafcore.org/ontology/")
S = Namespace("http://schema.org/")
ID = "https://example.org/id/"


@pytest.fixture(scope="module")
def fiaf_terms() -> set[str]:
    graph = ox.parse(path=str(REFERENCE / "FIAFcore-v1.0.ttl"), format=ox.RdfFormat.TURTLE)
    return {t.subject.value for t in graph if isinstance(t.subject, ox.NamedNode)
            and t.subject.value.startswith(str(F))}


@pytest.fixture(scope="module")
def seed_fiaf(seed):
    return lod.to_graph(seed, view="fiaf")


def _fiaf_iris(graph) -> set[str]:
    return {str(t) for triple in graph for t in triple if isinstance(t, URIRef) and str(t).startswith(str(F))}


def test_every_fiafcore_term_used_exists_in_the_ontology(seed_fiaf, fiaf_terms):
    used = _fiaf_iris(seed_fiaf) | _fiaf_iris(lod.to_graph(synthetic_catalogue(40), view="fiaf"))
    assert len(used) > 20
    assert used - fiaf_terms == set()


def test_seed_facts_in_fiaf_form(seed_fiaf):
    g = seed_fiaf
    madina, welcome = URIRef(ID + "film/madina"), URIRef(ID + "film/welcome-to-the-usa")
    assert (madina, RDF.type, F.WorkVariant) in g
    production = URIRef(f"{madina}#fiaf-production")
    assert (production, F.hasEventDate, Literal("2023", datatype=XSD.gYear)) in g
    dop = [a for a in g.objects(production, F.hasActivity) if (a, RDF.type, F.Cinematographer) in g]
    assert [g.value(a, F.hasAgent) for a in dop] == [URIRef(ID + "person/aigul-nurbulatova")]
    characters = {str(g.value(a, S.characterName)) for a in g.objects(production, F.hasActivity)
                  if (a, RDF.type, F.CastMember) in g and g.value(a, S.characterName)}
    assert characters == {"Madina", "Rauan"}
    award = next(e for e in g.objects(welcome, F.hasEvent) if (e, RDF.type, F.AwardsOrNominationsEvent) in g)
    assert (award, F.nominationOnly, Literal(False)) in g
    assert str(g.value(award, F.hasAwardName)) == "Grand Jury Prize, Best International Narrative Feature"
    rating = next(e for e in g.objects(welcome, F.hasEvent) if (e, RDF.type, F.CensorshipEvent) in g)
    assert str(g.value(rating, F.hasVerdict)) == "21+"
    censor = g.value(rating, F.hasActivity)
    assert (censor, RDF.type, F.Censor) in g
    assert g.value(censor, F.hasAgent) == URIRef(ID + "organization/ministry-of-culture-kazakhstan")
    july = URIRef(ID + "film/july-rain")
    proper = [t for t in g.objects(july, F.hasTitle) if (t, RDF.type, F.TitleProper) in g]
    assert [g.value(t, F.hasTitleValue) for t in proper] == [Literal("Июльский дождь", lang="ru")]
    premiere = next(e for e in g.objects(welcome, F.hasEvent) if (e, RDF.type, F.PublicationEvent) in g
                    and g.value(e, URIRef("https://w3id.org/lod-film/vocab#premiereType")) is not None)
    assert premiere is not None
    assert (URIRef(ID + "person/assel-aushakimova"), RDFS.label, Literal("Assel Aushakimova", lang="en")) in g


def test_manifestations_only_where_the_data_has_them(seed, seed_fiaf):
    with_windows = {f.id for f in seed.films if f.availability}
    manifested = {str(s).rsplit("/", 1)[1] for s in seed_fiaf.subjects(F.hasManifestation, None)}
    assert manifested == with_windows == {"madina", "welcome-to-the-usa"}
    assert not any(seed_fiaf.subjects(RDF.type, F.Item))  # nothing held, nothing invented


@pytest.mark.parametrize("cat", ["seed", "synthetic"])
def test_fiaf_view_conforms_to_the_archive_profile(seed, cat):
    catalogue = seed if cat == "seed" else synthetic_catalogue(60)
    report = lod.validate(lod.to_graph(catalogue, view="fiaf"), profiles=("archive",))
    assert report.conforms, report.text()


def _full():
    return lod.Catalogue(
        info={"id": "c", "names": {"en": "C"}, "publisher": "o"},
        organizations=[{"id": "o", "names": {"en": "Archive"}}],
        places=[{"id": "kz", "names": {"en": "Kazakhstan"}, "place_type": "country"}],
        people=[{"id": "p", "names": {"en": "Aizhan Kassymbek"}}],
        films=[{"id": "f", "titles": [{"text": "Madina", "lang": "kk", "kind": "original"}], "date_created": 2023,
                "countries": ["kz"], "qid": "Q1", "directors": ["p"]}],
        awards=[{"id": "a", "names": {"en": "Grand Prize"}}],
        award_outcomes=[{"id": "won", "award": "a", "status": "won", "recipients": ["f"], "date": 2024}])


FILM = URIRef(ID + "film/f")
MUTATIONS = {
    "no title": (lambda g: g.remove((FILM, F.hasTitle, None)), "violation", "titles"),  # + no title proper
    "title without value": (lambda g: g.remove((None, F.hasTitleValue, None)), "violation", "titles"),
    "no year of reference": (lambda g: g.remove((None, F.hasEventDate, Literal("2023", datatype=XSD.gYear))),
                             "violation", "date_created"),
    "no title proper": (lambda g: [g.remove((t, RDF.type, None)) or g.add((t, RDF.type, F.TranslatedTitle))
                                   for t in list(g.objects(FILM, F.hasTitle))], "warning", "titles"),
    "no credits": (lambda g: g.remove((None, F.hasActivity, None)), "warning", "directors"),
    "credit without agent": (lambda g: g.remove((None, F.hasAgent, None)), "violation", "credits"),
    "no country": (lambda g: g.remove((FILM, F.hasCountry, None)), "warning", "countries"),
    "no identifier": (lambda g: g.remove((FILM, F.hasIdentifier, None)), "warning", "identifiers"),
    "award without name": (lambda g: g.remove((None, F.hasAwardName, None)), "violation", "awards"),
    "award without nomination flag": (lambda g: g.remove((None, F.nominationOnly, None)), "violation", "awards"),
}


def test_full_fiaf_fixture_has_no_findings():
    assert lod.validate(lod.to_graph(_full(), view="fiaf"), profiles=("archive",)).results == []


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_each_fiaf_constraint_gives_exactly_its_finding(name):
    mutate, severity, field = MUTATIONS[name]
    g = lod.to_graph(_full(), view="fiaf")
    mutate(g)
    report = lod.validate(g, profiles=("archive",))
    expected = [(severity, "f", field)]
    if name == "no title":  # with no title at all there is no title proper either
        expected.append(("warning", "f", "titles"))
    assert [(r.severity, r.record, r.field) for r in report.results] == expected, report.text()


def test_record_source_is_required_in_the_fiaf_view():
    cat = _full()
    bare = lod.Catalogue(**{n: getattr(cat, n) for n in lod.model.LISTS})
    report = lod.validate(lod.to_graph(bare, view="fiaf"), profiles=("archive",))
    assert [(r.severity, r.record) for r in report.violations] == [("violation", "f")]
    assert "record source" in report.violations[0].message


def test_unknown_rdf_profile_is_refused(seed):
    with pytest.raises(lod.InputError):
        lod.to_graph(seed, view="marc")


def test_the_old_profile_keyword_still_works_and_says_it_is_deprecated(seed):
    with pytest.warns(DeprecationWarning, match="view="):
        old = lod.to_graph(seed, profile="fiaf")
    assert set(old) == set(lod.to_graph(seed, view="fiaf"))
    with pytest.raises(lod.InputError, match="unknown RDF view"):
        lod.to_graph(seed, view="marc")
