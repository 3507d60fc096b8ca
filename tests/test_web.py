"""Web JSON-LD: one tree per page, the export's graph (same IRIs), safe script tags, offline."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from rdflib import Literal, URIRef

import lod
from lod import web
from lod.html import SiteWriter

SCHEMA = "http://schema.org/"
SCHEMA_DATE = URIRef(SCHEMA + "Date")
NAMES = {URIRef(SCHEMA + "name"), URIRef(SCHEMA + "alternateName")}
PAGES = ["welcome-to-the-usa", "madina", "july-rain", "assel-aushakimova", "olga-doletskaya",
         "aushakimova-welcome-to-the-usa", "kassymbek-madina", "afi-fest-2019", "newfest-2020"]


def page_graph(data):
    return lod.parse(json.dumps(data), "json-ld")  # pyld, schema.org context from the bundle


def not_in_export(page, export):
    """Page triples the export lacks, modulo the two documented conventions."""
    missing = []
    for s, p, o in page:
        if (s, p, o) in export:
            continue
        if isinstance(o, Literal):
            preds = NAMES if p in NAMES else {p}
            texts = {str(x) for q in preds for x in export.objects(s, q) if isinstance(x, Literal)}
            # dates: the schema.org context types them schema:Date; the export keeps xsd types.
            # names and other text: plain on the page, language-tagged in the export.
            if str(o) in texts and (o.datatype in (None, SCHEMA_DATE) or o.language is None):
                continue
        missing.append((s, p, o))
    return missing


@pytest.mark.parametrize("rid", PAGES)
def test_page_is_a_tree_of_the_export_graph(seed, seed_graph, rid):
    data = web.jsonld(rid, seed)
    assert data["@context"] == "https://schema.org" and "@graph" not in data
    assert data["@id"] == str(lod.record_iri(lod.DEFAULT_BASE, seed[rid].kind, rid))
    page = page_graph(data)
    assert len(page) > 3
    assert not_in_export(page, seed_graph) == []


def test_the_check_notices_a_triple_the_export_lacks(seed, seed_graph):
    data = web.jsonld("madina", seed)
    data["genre"] = "made-up genre"
    assert not_in_export(page_graph(data), seed_graph)


def test_film_page_content(seed):
    page = web.jsonld("welcome-to-the-usa", seed)
    assert page["@type"] == "Movie" and page["name"] == "Welcome to the USA"
    assert page["dateCreated"] == "2019"  # a plain ISO string, year-only stays year-only
    assert page["award"] == "NewFest 2020 — Grand Jury Prize, Best International Narrative Feature"
    assert page["actor"][0]["@type"] == "PerformanceRole" and page["actor"][0]["actor"]["@type"] == "Person"
    assert page["countryOfOrigin"]["sameAs"] == "http://www.wikidata.org/entity/Q232"
    madina = web.jsonld("madina", seed)
    watch = madina["potentialAction"]
    assert watch["@type"] == "WatchAction"
    assert watch["actionAccessibilityRequirement"]["@type"] == "ActionAccessSpecification"
    assert watch["actionAccessibilityRequirement"]["availabilityEnds"] == "--05-16"


def test_page_language_and_alternate_names(seed):
    ru = web.jsonld("july-rain", seed, lang="ru")
    en = web.jsonld("july-rain", seed, lang="en")
    assert ru["name"] == "Июльский дождь" and ru["alternateName"] == "July Rain"
    assert en["name"] == "July Rain" and en["alternateName"] == "Июльский дождь"
    kk = web.jsonld("almaty", seed, lang="kk-Cyrl")
    assert kk["name"] == "Алматы"


def test_carousel_is_an_item_list_of_movies(seed):
    data = web.carousel(seed.films, seed)
    assert data["@type"] == "ItemList"
    assert [i["position"] for i in data["itemListElement"]] == list(range(1, len(seed.films) + 1))
    assert all(i["item"]["@type"] == "Movie" for i in data["itemListElement"])


def test_pages_against_the_web_profile(seed):
    """The page's main entity has what Google requires, except exactly what the seeds do not give."""
    missing = {}
    for rid in PAGES:
        report = lod.validate(page_graph(web.jsonld(rid, seed)), profiles=("web",))
        missing[rid] = sorted(r.field for r in report.violations if r.record == rid)
    assert missing == {"welcome-to-the-usa": ["image"], "madina": ["image"], "july-rain": ["image"],  # no posters
                       "assel-aushakimova": [], "olga-doletskaya": [],
                       "aushakimova-welcome-to-the-usa": [], "kassymbek-madina": [],
                       "afi-fest-2019": ["location"], "newfest-2020": ["location"]}  # no venues given


def test_a_complete_page_conforms_to_the_web_profile():
    cat = lod.Catalogue(
        people=[{"id": "p", "names": {"en": "Aizhan Kassymbek"}, "qid": "Q100"}],
        organizations=[{"id": "o", "names": {"en": "goEast"}}],
        places=[{"id": "w", "names": {"en": "Wiesbaden"}, "place_type": "city", "address": "Wiesbaden, Germany"}],
        films=[{"id": "f", "titles": {"en": "Madina"}, "date_created": 2023, "image": "https://img.example/m.jpg",
                "directors": ["p"]}],
        festivals=[{"id": "g", "names": {"en": "goEast"}}],
        festival_editions=[{"id": "e", "festival": "g", "names": {"en": "goEast 2024"}, "start_date": "2024-04-17",
                            "end_date": "2024-04-23", "location": "w", "organizer": "o"}])
    for rid in ("f", "e", "p"):
        report = lod.validate(page_graph(web.jsonld(rid, cat)), profiles=("web",))
        assert report.conforms and not report.warnings, report.text()


@pytest.mark.parametrize("text", ["</script><script>alert(1)</script>", "<!-- x", "a\u2028b\u2029c", "&amp; &lt;",
                                  "'\"\\", "]]>"])
def test_script_tag_is_safe_and_exact(text):
    tag = web.script_tag({"name": text})
    inner = tag[len('<script type="application/ld+json">'):-len("</script>")]
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in inner
    assert json.loads(inner) == {"name": text}


def test_json_ld_is_deterministic_across_processes():
    code = "import hashlib, lod; from lod import web; c = lod.load_catalogue(lod.example_path()); " \
           "print(hashlib.sha256(''.join(web.script_tag(web.jsonld(r, c)) for r in " \
           f"{PAGES!r}).encode()).hexdigest())"
    outs = {subprocess.run([sys.executable, "-c", code], env={"PYTHONHASHSEED": s, "PATH": ""},
                           capture_output=True, text=True).stdout for s in ("1", "2")}
    assert len(outs) == 1 and len(next(iter(outs))) == 65


def test_every_site_page_carries_its_json_ld(seed):
    writer = SiteWriter(seed)
    pages = writer.pages()
    assert "index.html" in pages and "film/madina.html" in pages and "festival-edition/newfest-2020.html" in pages
    assert set(pages) - {rel for rel in pages if rel.endswith(".html")} == {"style.css"}  # the one stylesheet
    for rel, html in pages.items():
        if rel.endswith(".html"):
            assert html.count('<script type="application/ld+json">') == 1
            assert ('<link rel="stylesheet" href="style.css">' if "/" not in rel else
                    '<link rel="stylesheet" href="../style.css">') in html
    assert web.script_tag(web.jsonld("madina", seed)) in pages["film/madina.html"]
    assert "Aigul Nurbulatova" in pages["film/madina.html"]  # visible credits


def test_html_command_replaces_the_site_whole(tmp_path):
    out = tmp_path / "site"
    for _ in range(2):
        done = subprocess.run([sys.executable, "-m", "lod.cli", "html", "-o", str(out)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert (out / "index.html").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no staging or old folders left


def test_html_never_replaces_a_folder_of_someone_elses_files(tmp_path):
    # before: `lod html -o DIR` deleted everything in DIR, and `-o .` the files of the current folder
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "thesis.txt").write_text("years of work", encoding="utf-8")
    for args, cwd in ((["-o", str(docs)], tmp_path), (["-o", "."], docs)):
        done = subprocess.run([sys.executable, "-m", "lod.cli", "html", *args], capture_output=True, text=True, cwd=cwd)
        assert done.returncode == 1 and "not a site lod wrote" in done.stderr, done.stderr
        assert (docs / "thesis.txt").read_text(encoding="utf-8") == "years of work"
        assert sorted(p.name for p in docs.iterdir()) == ["thesis.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert subprocess.run([sys.executable, "-m", "lod.cli", "html", "-o", str(empty)]).returncode == 0
    assert (empty / "index.html").is_file() and (empty / ".lod-site").is_file()  # an empty folder may take a site


@pytest.mark.parametrize("value,shown", [("--05-16", "16 May"), ("2024-05-16", "16 May 2024"), ("2020-11", "November 2020"),
                                         ("2019", "2019"), ("2024-04-20T10:00:00+02:00", "20 April 2024")])
def test_dates_are_shown_for_people(value, shown):
    from lod.html import human_date
    assert human_date(value) == shown


def test_a_site_written_before_the_marker_can_be_written_again(tmp_path, seed):
    from lod.html import SITE_MARKER, write_site

    site = tmp_path / "site"
    write_site(seed, site)
    (site / SITE_MARKER).unlink()  # as a site from before the marker file
    write_site(seed, site)
    assert (site / SITE_MARKER).is_file() and (site / "index.html").is_file()
    (site / SITE_MARKER).unlink()
    (site / "notes.txt").write_text("mine", encoding="utf-8")  # someone's file in it: not a site only
    with pytest.raises(lod.InputError, match="not a site lod wrote"):
        write_site(seed, site)
    assert (site / "notes.txt").read_text(encoding="utf-8") == "mine"


# --- pages show what the data holds -------------------------------------------------------------

def full_catalogue(poster: str = "https://img.example/madina.jpg") -> lod.Catalogue:
    """A film with everything a page can show: poster, runtime, countries, languages, companies, premiere,
    an award won and a nomination, for the film and for a person."""
    return lod.Catalogue(
        people=[{"id": "d", "names": {"en": "Aizhan Kassymbek", "ru": "Айжан Касымбек"}, "occupations": ["director"],
                 "nationality": ["kz"]},
                {"id": "a", "names": {"en": "Madina Akylbek"}}],
        organizations=[{"id": "co", "names": {"en": "Kazakhfilm"}}, {"id": "fest-org", "names": {"en": "goEast"}}],
        places=[{"id": "kz", "names": {"en": "Kazakhstan", "ru": "Казахстан"}, "place_type": "country", "qid": "Q232"},
                {"id": "wi", "names": {"en": "Wiesbaden"}, "place_type": "city"}],
        films=[{"id": "f", "titles": [{"text": "Madina", "lang": "en"}, {"text": "Мадина", "lang": "kk-Cyrl",
                                                                         "kind": "original"}],
                "date_created": 2023, "image": poster, "runtime_minutes": 93, "countries": ["kz"],
                "original_languages": ["kk", "ru"], "genres": ["drama"], "directors": ["d"],
                "production_companies": ["co"], "cast": [{"person": "a", "character": "Madina"}]}],
        festivals=[{"id": "g", "names": {"en": "goEast"}}],
        festival_editions=[{"id": "e", "festival": "g", "names": {"en": "goEast 2024"}, "start_date": "2024-04-17",
                            "location": "wi", "organizer": "fest-org"}],
        screenings=[{"id": "s", "film": "f", "edition": "e", "premiere": "world", "start_date": "2024-04-18",
                     "locations": ["wi"]}],
        awards=[{"id": "gp", "names": {"en": "Grand Prize"}, "conferred_by": "fest-org"},
                {"id": "bd", "names": {"en": "Best Director"}, "conferred_by": "fest-org"}],
        award_outcomes=[{"id": "won", "award": "gp", "status": "won", "recipients": ["f"], "edition": "e"},
                        {"id": "nom-f", "award": "bd", "status": "nominated", "recipients": ["f"], "edition": "e"},
                        {"id": "nom-d", "award": "bd", "status": "nominated", "recipients": ["d"], "for_work": "f",
                         "edition": "e"}])


def test_nominations_premieres_and_credits_are_in_the_json_ld_and_only_the_exports_triples():
    cat = full_catalogue()
    export = lod.to_graph(cat)
    film, person = web.jsonld("f", cat), web.jsonld("d", cat)
    lodv = web.LOD
    statuses = {o["@id"].rsplit("/", 1)[1]: o[lodv + "outcomeStatus"]["@id"] for o in film["@reverse"][lodv + "recipient"]}
    assert statuses == {"won": lodv + "Won", "nom-f": lodv + "Nominated"}
    assert person["@reverse"][lodv + "recipient"][lodv + "award"]["name"] == "Best Director"
    assert person["@reverse"]["director"]["@id"] == film["@id"]  # the person's films, as the export says
    premiere = film["@reverse"]["workPresented"]
    assert premiere["startDate"] == "2024-04-18" and premiere[lodv + "premiereType"]["@id"] == lodv + "WorldPremiere"
    for rid in ("f", "d", "a", "e"):
        assert not_in_export(page_graph(web.jsonld(rid, cat)), export) == [], rid


def test_the_film_page_shows_every_fact_its_json_ld_holds():
    html = SiteWriter(full_catalogue()).page(full_catalogue()["f"])
    for shown in ('<img src="https://img.example/madina.jpg" alt="Poster of Madina">', "93 min", "Kazakhstan",
                  "Kazakh, Russian", "drama", "Kazakhfilm", "World premiere", "18 April 2024", "Wiesbaden",
                  "Grand Prize", "<dt>Nominations</dt><dd>", "Best Director", "Мадина", "as Madina"):
        assert shown in html, shown
    person = SiteWriter(full_catalogue()).page(full_catalogue()["d"])
    assert "<dt>Nominations</dt><dd>" in person and "Best Director" in person and "for <a" in person
    assert "<dt>Films</dt><dd>" in person and "director" in person


def test_pages_speak_the_pages_language():
    cat = full_catalogue()
    ru = SiteWriter(cat, lang="ru").page(cat["f"])
    assert '<html lang="ru">' in ru and "Мировая премьера" in ru and "18 апреля 2024" in ru
    assert "Казахстан" in ru and "казахский" in ru.lower() and "93 мин" in ru and "Номинации" in ru


def test_a_filmography_is_escaped_once_and_crew_credits_are_in_the_json_ld():
    cat = lod.Catalogue(people=[{"id": "dop", "names": {"en": "D. O. P."}}],
                        films=[{"id": "f", "titles": {"en": "F"}, "cast": [{"person": "dop",
                                "character": "Sophie's mum & dad"}], "crew": [{"person": "dop", "role": "<b>dop</b>"}]}])
    html = SiteWriter(cat).page(cat["dop"])
    assert "actor (Sophie&#x27;s mum &amp; dad)" in html and "&lt;b&gt;dop&lt;/b&gt;" in html
    assert "&amp;amp;" not in html and "&amp;#x27;" not in html
    person = web.jsonld("dop", cat)
    assert person["@reverse"]["contributor"]["roleName"] == "<b>dop</b>"
    assert not_in_export(page_graph(person), lod.to_graph(cat)) == []


def test_an_interview_page_links_the_article_and_shows_its_languages_and_images():
    cat = lod.Catalogue(
        people=[{"id": "p", "names": {"en": "Aizhan Kassymbek"}}],
        interviews=[{"id": "i", "headlines": {"en": "An interview"}, "url": "https://klassiki.example/i",
                     "languages": ["en", "ru"], "interviewees": ["p"],
                     "images": [{"url": "https://img.example/1.jpg", "caption": {"en": "On set"}, "depicts": ["p"]}]}])
    html = SiteWriter(cat).page(cat["i"])
    assert '<a href="https://klassiki.example/i">' in html and "English, Russian" in html
    assert '<a href="https://img.example/1.jpg">On set</a>' in html
