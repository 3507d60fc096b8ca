"""schema:award text says which award, from whom and when, one language per literal (issue 11: the text named
neither the ceremony nor the conferrer without an edition, repeated itself per language, and tagged an English
edition name as Swedish)."""

from __future__ import annotations

import json

import pyoxigraph as ox

import lod
from lod import stream, web

AWARD = "http://schema.org/award"


def texts(cat: lod.Catalogue, rid: str) -> set[tuple[str, str | None]]:
    triples = ox.parse(lod.dumps(cat, format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
    subject = str(lod.record_iri(lod.DEFAULT_BASE, cat[rid].kind, rid))
    return {(t.object.value, t.object.language) for t in triples
            if t.subject.value == subject and t.predicate.value == AWARD}


def catalogue(award_names, *, edition=None, conferrer=True, date="2024") -> lod.Catalogue:
    data = {"organizations": [{"id": "academy", "names": {"en": "Swedish Film Institute"}}],
            "people": [{"id": "p", "names": {"en": "Somebody"}}],
            "awards": [{"id": "a", "names": award_names, **({"conferred_by": "academy"} if conferrer else {})}],
            "award_outcomes": [{"id": "o", "award": "a", "status": "won", "recipients": ["p"], "date": date,
                                **({"edition": "e"} if edition else {})}]}
    if edition:
        data["festivals"] = [{"id": "g", "names": {"en": "Guldbagge Awards"}}]
        data["festival_editions"] = [{"id": "e", "festival": "g", "names": edition}]
    return lod.catalogue_from_data(json.loads(json.dumps(data)))


def test_without_an_edition_the_conferrer_and_the_year_are_named():
    assert texts(catalogue({"en": "Best Actor"}), "p") == {("Swedish Film Institute — Best Actor, 2024", "en")}


def test_the_same_text_in_two_languages_is_written_once():
    assert texts(catalogue({"en": "Greta", "sv": "Greta"}, conferrer=False), "p") == {("Greta, 2024", "en")}


def test_an_english_edition_name_is_never_tagged_swedish():
    cat = catalogue({"sv": "Bästa manliga huvudroll"}, edition={"en": "Guldbagge Awards 2024"})
    assert texts(cat, "p") == {("Guldbagge Awards 2024 — Bästa manliga huvudroll", None)}  # no shared language
    both = catalogue({"sv": "Bästa manliga huvudroll", "en": "Best Actor"}, edition={"en": "Guldbagge Awards 2024"})
    assert texts(both, "p") == {("Guldbagge Awards 2024 — Best Actor", "en")}


def test_the_page_and_the_stream_say_the_same(tmp_path):
    cat = catalogue({"en": "Best Actor", "ru": "Лучший актёр"}, conferrer=True)
    assert web.jsonld("p", cat)["award"] == "Swedish Film Institute — Best Actor, 2024"
    lines = tmp_path / "c.jsonl"
    stream.write_jsonl(json.loads(json.dumps(cat.model_dump(mode="json", exclude_defaults=True))), lines)
    out = tmp_path / "out.nt"
    assert stream.export(lines, out, ["nt"], quiet=True).complete
    streamed = {(t.object.value, t.object.language) for t in ox.parse(out.read_bytes(), format=ox.RdfFormat.N_TRIPLES)
                if t.predicate.value == AWARD}
    assert streamed == texts(cat, "p") == {("Swedish Film Institute — Best Actor, 2024", "en")}
