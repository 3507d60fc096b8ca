"""The bundled catalogue carries the seed interviews' facts, as RDF a SPARQL user can query."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

import lod

PREFIXES = """
PREFIX schema: <http://schema.org/>
PREFIX lod: <https://w3id.org/lod-film/vocab#>
PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def ask(graph, query: str) -> bool:
    return bool(graph.query(PREFIXES + "ASK {" + query + "}").askAnswer)


FACTS = {
    "Welcome to the USA (2019), directed, written and produced by Assel Aushakimova": """
        ?f a schema:Movie ; schema:name "Welcome to the USA"@en ; schema:dateCreated "2019"^^xsd:gYear ;
           schema:director ?a ; schema:author ?a ; schema:producer ?a .
        ?a schema:name "Assel Aushakimova"@en .""",
    "world premiere at AFI Fest 2019, section New Auteurs": """
        ?s a schema:ScreeningEvent ; schema:workPresented ?f ; lod:premiereType lod:WorldPremiere ;
           schema:superEvent ?sec .
        ?sec schema:name "New Auteurs"@en ; schema:superEvent ?ed .
        ?ed a schema:Festival ; schema:name "AFI Fest 2019"@en ; schema:superEvent ?series .
        ?series a schema:EventSeries .
        ?f schema:name "Welcome to the USA"@en .""",
    "Grand Jury Prize won at NewFest 2020, as an entity and as schema:award text": """
        ?o a lod:AwardOutcome ; lod:outcomeStatus lod:Won ; lod:recipient ?f ; lod:forWork ?f ;
           lod:festivalEdition ?ed ; lod:pointInTime "2020"^^xsd:gYear ; lod:award ?aw .
        ?aw a lod:Award ; schema:name "Grand Jury Prize, Best International Narrative Feature"@en .
        ?ed schema:name "NewFest 2020"@en .
        ?f schema:award "NewFest 2020 — Grand Jury Prize, Best International Narrative Feature"@en .""",
    "second feature project selected for the first workshop of Biennale College Cinema 2020–2021": """
        ?sel a lod:Selection ; lod:selectedPerson ?a ; lod:stage "first workshop" ; lod:selectedFor ?p .
        ?p a schema:EducationEvent ; schema:superEvent ?venice .
        ?venice schema:name "Venice International Film Festival"@en .
        ?a schema:name "Assel Aushakimova"@en .""",
    "rated 21+ by the Ministry of Culture": """
        ?f schema:contentRating ?r . ?r a schema:Rating ; schema:ratingValue "21+" ; schema:author ?m .
        ?m a schema:Organization .""",
    "self-funded, 10-day shoot, the statue as filming location": """
        ?f schema:name "Welcome to the USA"@en ; lod:shootingDays 10 ; schema:funding ?g ;
           schema:locationCreated ?statue .
        ?g a schema:Grant ; schema:funder ?a ; lod:fundingKind "self-funded" .
        ?f schema:director ?a .
        ?statue a schema:LandmarksOrHistoricalBuildings .""",
    "Madina cast with characters and DoP Aigul Nurbulatova": """
        ?f schema:name "Madina"@en ; schema:actor ?r1, ?r2 ; schema:contributor ?c .
        ?r1 a schema:PerformanceRole ; schema:actor ?ma ; schema:characterName "Madina" .
        ?ma schema:name "Madina Akylbek"@en .
        ?r2 schema:characterName "Rauan" ; schema:actor ?aa . ?aa schema:name "Alibek Adiken"@en .
        ?c a schema:Role ; schema:roleName "director of photography" ; schema:contributor ?dop .
        ?dop schema:name "Aigul Nurbulatova"@en .""",
    "Madina streams on Klassiki until 16 May (no year given)": """
        ?f schema:name "Madina"@en ; schema:potentialAction ?w .
        ?w a schema:WatchAction ; schema:provider ?k ; schema:actionAccessibilityRequirement ?acc .
        ?acc a schema:ActionAccessSpecification ; schema:availabilityEnds "--05-16"^^xsd:gMonthDay .
        ?k schema:name "Klassiki"@en .""",
    "Madina in competition at goEast, set in Aktau": """
        ?s schema:workPresented ?f ; schema:superEvent ?sec . ?sec schema:name "Competition"@en .
        ?f schema:name "Madina"@en ; schema:contentLocation ?aktau . ?aktau a schema:City ;
           schema:name "Aktau"@en .""",
    "interview 1: Article typed as a Wikidata interview, by Olga Doletskaya, with Aushakimova": """
        ?i a schema:Article ; schema:additionalType wd:Q178651 ; schema:genre "interview" ;
           schema:author ?o ; lod:interviewee ?a ; schema:about ?a, ?f ; schema:publisher ?k ;
           schema:mentions ?carol, ?july .
        ?o schema:name "Olga Doletskaya"@en ; schema:worksFor ?k .
        ?carol schema:name "Carol"@en . ?july schema:name "July Rain"@en ; lod:originalTitle "Июльский дождь"@ru .""",
    "interview 2 is published by Klassiki and names no interviewer": """
        ?i a schema:Article ; schema:headline ?h ; schema:publisher ?k ; lod:interviewee ?ak .
        ?ak schema:name "Aizhan Kassymbek"@en .
        FILTER NOT EXISTS { ?i schema:author ?anyone }""",
    "names in Kazakh and Russian scripts": """
        ?almaty schema:name "Almaty"@en, ?kk, ?ru .
        FILTER(lang(?kk) = "kk-Cyrl" && lang(?ru) = "ru")""",
    "photographs by Greta Orlova, with captions": """
        ?i schema:image ?img . ?img a schema:ImageObject ; schema:creator ?g ; schema:caption ?c .
        ?g schema:name "Greta Orlova"@en .""",
}


@pytest.mark.parametrize("name", list(FACTS))
def test_seed_fact_is_in_the_graph(seed_graph, name):
    assert ask(seed_graph, FACTS[name]), name


def test_a_false_fact_is_not_found(seed_graph):
    assert not ask(seed_graph, '?f schema:name "Madina"@en ; lod:shootingDays 10 .')


def test_transcripts_are_stored_whole(seed, seed_graph):
    transcript = lod.example_path().parent / "transcripts" / "kassymbek-madina.txt"
    text = transcript.read_text(encoding="utf-8")
    interview = next(i for i in seed.interviews if any(t.text.strip() == text.strip() for t in i.text))
    assert interview.publisher == "klassiki"
    assert (None, URIRef("http://schema.org/text"), Literal(text.strip(), lang="en")) in seed_graph


def test_nothing_invented_only_certain_qids_and_no_urls(seed):
    qids = {r.qid for r in seed.records() if getattr(r, "qid", None)}
    assert qids <= {"Q232", "Q159", "Q230", "Q212", "Q813", "Q30"}
    assert all(not getattr(r, "url", None) for r in seed.records())
    assert all(i.date_published is None for i in seed.interviews), "the seeds give no publication dates"
