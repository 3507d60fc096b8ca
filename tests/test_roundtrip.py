"""Records -> RDF -> records is lossless, for the seed catalogue and random catalogues."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lod
from lod.synthetic import synthetic_catalogue

FORMATS = ["turtle", "nt", "json-ld"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_seed_catalogue_round_trips(seed, fmt):
    text = lod.dumps(seed, format=fmt)
    back = lod.from_graph(lod.parse(text, fmt))
    assert back == seed
    # and a second trip writes the same bytes
    assert lod.dumps(back, format=fmt) == text


def test_graph_round_trip_keeps_every_list_and_field(seed, seed_graph):
    back = lod.from_graph(seed_graph)
    for name in lod.model.LISTS:
        assert getattr(back, name) == getattr(seed, name), name
    assert back.info == seed.info


@pytest.mark.parametrize("fmt", FORMATS)
def test_synthetic_catalogue_round_trips(fmt):
    cat = synthetic_catalogue(60)
    assert lod.from_graph(lod.parse(lod.dumps(cat, format=fmt), fmt)) == cat


# --- random catalogues (hypothesis) ---------------------------------------------------

LANGS = ["en", "ru", "kk-Cyrl", "kk-Latn", "kk", "de", "fr-CA", "zh-Hant"]
text = st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")) | st.sampled_from(
    list("\"'<>&\\{}|^`\n\t") + ["\u2028", "é", "é", "Қ", "😀"]), min_size=1, max_size=20).filter(
    lambda s: s.strip() != "")
ids = st.text(alphabet=string.ascii_lowercase + string.digits + "-", min_size=1, max_size=12).filter(
    lambda s: s[0].isalnum())
dates = st.one_of(
    st.integers(1890, 2030).map(str),
    st.tuples(st.integers(1890, 2030), st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}"),
    st.dates().map(lambda d: d.isoformat() if d.year >= 1000 else "1999-01-01"),
    st.tuples(st.integers(1, 12), st.integers(1, 28)).map(lambda t: f"--{t[0]:02d}-{t[1]:02d}"),
)
lang_texts = st.lists(st.tuples(st.sampled_from(LANGS), text).map(lambda t: {"text": t[1], "lang": t[0]}),
                      min_size=1, max_size=3)


@st.composite
def catalogues(draw):
    n_people = draw(st.integers(1, 4))
    person_ids = [f"p{i}" for i in range(n_people)]
    people = [{"id": pid, "names": draw(lang_texts), "alternate_names": draw(st.lists(
        st.tuples(st.sampled_from(LANGS), text).map(lambda t: {"text": t[1], "lang": t[0]}), max_size=2)),
        "occupations": draw(st.lists(text, max_size=2)),
        **({"birth_date": draw(dates)} if draw(st.booleans()) else {}),
        **({"qid": f"Q{draw(st.integers(1, 10**9))}"} if draw(st.booleans()) else {})} for pid in person_ids]
    orgs = [{"id": "org", "names": draw(lang_texts), "kinds": draw(st.lists(text, max_size=2))}]
    places = [{"id": "place", "names": draw(lang_texts),
               "place_type": draw(st.sampled_from(["place", "country", "city", "region", "landmark"]))}]
    films = []
    for i in range(draw(st.integers(1, 3))):
        titles = [{"text": t, "lang": lang, "kind": draw(st.sampled_from(
            [None, "original", "translated", "transliterated", "alternative", "working"]))}
            for lang, t in draw(st.lists(st.tuples(st.sampled_from(LANGS), text), min_size=1, max_size=3))]
        films.append({
            "id": f"f{i}-{draw(ids)}", "titles": titles,
            **({"date_created": draw(dates)} if draw(st.booleans()) else {}),
            "directors": draw(st.lists(st.sampled_from(person_ids), max_size=2)),
            "cast": [{"person": p, **({"character": draw(text)} if draw(st.booleans()) else {})}
                     for p in draw(st.lists(st.sampled_from(person_ids), max_size=3))],
            "crew": [{"person": p, "role": draw(text)} for p in draw(st.lists(st.sampled_from(person_ids), max_size=2))],
            "genres": draw(st.lists(text, max_size=2)),
            "countries": ["place"] if places[0]["place_type"] == "country" else [],
            "original_languages": draw(st.lists(st.sampled_from(LANGS), max_size=2)),
            **({"runtime_minutes": draw(st.integers(1, 900))} if draw(st.booleans()) else {}),
            "availability": [{"platform": "org", **({"ends": draw(dates)} if draw(st.booleans()) else {}),
                              "regions": draw(st.lists(text, max_size=2))}] if draw(st.booleans()) else [],
            "content_ratings": [{"value": draw(text), "issuer": "org"}] if draw(st.booleans()) else [],
            "funding": [{"funder": draw(st.sampled_from(person_ids)), "kind": draw(text)}] if draw(st.booleans()) else [],
            "identifiers": [{"scheme": "imdb", "value": draw(text)}] if draw(st.booleans()) else [],
            "same_as": [f"https://example.com/{draw(ids)}"] if draw(st.booleans()) else [],
        })
    film_ids = [f["id"] for f in films]
    awards = [{"id": "award", "names": draw(lang_texts), "conferred_by": "org"}]
    outcomes = [{"id": f"o{i}", "award": "award", "status": draw(st.sampled_from(["won", "nominated"])),
                 "recipients": draw(st.lists(st.sampled_from(film_ids + person_ids), min_size=1, max_size=2)),
                 **({"date": draw(dates)} if draw(st.booleans()) else {})} for i in range(draw(st.integers(0, 2)))]
    interviews = [{"id": "iv", "headlines": draw(lang_texts), "publisher": "org",
                   "interviewees": draw(st.lists(st.sampled_from(person_ids), max_size=2)),
                   "about": draw(st.lists(st.sampled_from(film_ids + person_ids), max_size=2)),
                   "mentions": draw(st.lists(st.sampled_from(film_ids + ["place"]), max_size=2)),
                   "text": draw(st.lists(st.tuples(st.sampled_from(LANGS), text).map(
                       lambda t: {"text": t[1], "lang": t[0]}), max_size=1))}] if draw(st.booleans()) else []
    return lod.Catalogue(people=people, organizations=orgs, places=places, films=films, awards=awards,
                         award_outcomes=outcomes, interviews=interviews)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogues(), st.sampled_from(FORMATS))
def test_random_catalogues_round_trip(cat, fmt):
    text = lod.dumps(cat, format=fmt)
    assert lod.from_graph(lod.parse(text, fmt)) == cat


def test_interviewee_listed_in_about_too_round_trips():
    cat = lod.Catalogue(people=[{"id": "p", "names": {"en": "P"}}],
                        interviews=[{"id": "i", "headlines": {"en": "H"}, "interviewees": ["p"], "about": ["p"]}])
    assert cat.interviews[0].about == ()
    assert lod.from_graph(lod.to_graph(cat)) == cat


def test_https_schema_org_input_is_normalised(seed):
    nt = lod.dumps(seed, format="nt").replace("<http://schema.org/", "<https://schema.org/")
    assert "http://schema.org/" not in nt
    assert lod.from_graph(lod.parse(nt, "nt")) == seed


def _catalogue(seed: lod.Catalogue, which: str) -> lod.Catalogue:
    """The seed, a synthetic catalogue or the Aftersun fixture (the mapping tests run on each)."""
    if which == "seed":
        return seed
    if which == "synthetic":
        return synthetic_catalogue(60)
    from test_model_gaps import AFTERSUN
    return lod.catalogue_from_data(AFTERSUN)


@pytest.mark.parametrize("which", ["seed", "synthetic", "aftersun"])
def test_both_term_factories_give_the_same_triples(seed, which):
    """The one walker with rdflib terms and with plain terms: the same triples, in the same order."""
    from lod.mapping import PLAIN_TERMS, RDFLIB_TERMS, Mapper, fast_term

    cat = _catalogue(seed, which)
    rich = list(Mapper(cat, terms=RDFLIB_TERMS).triples())
    plain = list(Mapper(cat, terms=PLAIN_TERMS).triples())
    assert len(rich) == len(plain) > 50
    assert [(str(s), str(p), fast_term(o)) for s, p, o in rich] == plain
    assert all(type(s) is str and type(p) is str for s, p, _ in plain)
    assert all(type(o) in (str, tuple) for _, _, o in plain)


def _plan_walk(m, s, obj, out):  # noqa: C901 - the plan read field by field: what Mapper._object did before it was compiled
    from lod.mapping._walker import WD, XSD, date_datatype, iso_duration, node_iris

    p = m._plan(type(obj))
    out += [(s, m._rdf_type, t) for t in p.types] + [(s, pred, v) for pred, v in p.consts]
    vias = {}
    for fp in p.fields:
        value = getattr(obj, fp.name)
        if value is None or value == ():
            continue
        subject = s
        if fp.via is not None:
            if fp.via[0] not in vias:
                vias[fp.via[0]] = m._via(s, fp.via, out.append)
            subject = vias[fp.via[0]]
        items = value if fp.many else (value,)
        if fp.kind == "node":
            for position, (item, iri) in enumerate(node_iris(s, fp.name, items), start=1):
                node = m._node_iri(iri)
                m.node_paths[iri] = (m._current, f"{fp.name}[{position - 1}]")
                out.append((s, fp.pred, node))
                if fp.ordered:
                    out.append((node, m._position, m._int(position)))
                _plan_walk(m, node, item, out)
            continue
        for v in items:
            if fp.kind == "enum-type":
                out.append((subject, m._rdf_type, fp.enum[v]))
                continue
            if fp.kind == "bool" and not v:
                continue
            term = {"lang": lambda: m._lang(v.text, v.lang), "title": lambda: m._lang(v.text, v.lang),
                    "ref": lambda: m._iri_of(v), "text": lambda: m._plain(v), "int": lambda: m._int(v),
                    "bool": m._true, "date": lambda: m._typed(v, XSD + date_datatype(v)),
                    "minutes": lambda: m._typed(iso_duration(v), XSD + "duration"), "iri": lambda: m._iri(v),
                    "qid": lambda: m._iri(WD + v), "enum-iri": lambda: fp.enum[v]}[fp.kind]()
            if fp.kind == "title" and v.kind is not None:
                out.append((subject, fp.enum[v.kind], term))
            out += [(subject, pred, term) for pred in (fp.pred, *fp.also)]


@pytest.mark.parametrize("which", ["seed", "synthetic", "aftersun"])
def test_the_compiled_walk_appends_what_the_plan_says(seed, which):
    """Each class's plan is compiled to one function (lod.mapping._walker._emitter): it must append exactly what
    reading the plan field by field appends, for every record, with both term factories."""
    from lod.mapping import PLAIN_TERMS, RDFLIB_TERMS, Mapper

    cat = _catalogue(seed, which)
    kinds = set()
    for terms in (RDFLIB_TERMS, PLAIN_TERMS):
        compiled, walked = Mapper(cat, terms=terms), Mapper(cat, terms=terms)
        for rec in cat.records():
            walked._current = rec.id
            expected: list = []
            _plan_walk(walked, walked._iri_of(rec.id), rec, expected)
            got = compiled.record_list(rec)
            assert got[:len(expected)] == expected, rec.id  # (an award outcome's award texts follow)
            kinds.update(fp.kind for fp in compiled._plan(type(rec)).fields if getattr(rec, fp.name) not in (None, ()))
        assert compiled.node_paths == walked.node_paths
    assert len(kinds) >= 8  # the catalogue exercises most kinds of field
