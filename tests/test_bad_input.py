"""Bad input: one clear error type per problem, naming record, field and value; files report all problems."""

from __future__ import annotations

import json
import unicodedata

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

import lod
from lod import errors as E


def film(**extra):
    return {"id": "f1", "titles": [{"text": "Madina", "lang": "en", "kind": "original"}], **extra}


CASES = [
    ("malformed date", film(date_created="2019-13-01"), lod.BadDate, "f1", "date_created", "2019-13-01"),
    ("impossible day", film(date_published="2023-02-30"), lod.BadDate, "f1", "date_published", "2023-02-30"),
    ("date words", film(date_created="November 2020"), lod.BadDate, "f1", "date_created", "November 2020"),
    ("language tag", film(titles=[{"text": "Мадина", "lang": "kk_Cyrl"}]), lod.BadLanguageTag, "f1",
     "titles[0].lang", "kk_Cyrl"),
    ("unknown language", film(original_languages=["xx-!!"]), lod.BadLanguageTag, "f1", "original_languages[0]",
     "xx-!!"),
    ("QID leading zero", film(qid="Q0123"), lod.BadQID, "f1", "qid", "Q0123"),
    ("QID wrong letter", film(qid="P57"), lod.BadQID, "f1", "qid", "P57"),
    ("IRI with space", film(same_as=["https://example.org/a b"]), lod.BadIRI, "f1", "same_as[0]",
     "https://example.org/a b"),
    ("IRI with angle brackets", film(same_as=['https://example.org/<x>"']), lod.BadIRI, "f1", "same_as[0]",
     'https://example.org/<x>"'),
    ("relative IRI", film(same_as=["example.org/x"]), lod.BadIRI, "f1", "same_as[0]", "example.org/x"),
    ("empty title", film(titles=[{"text": "   ", "lang": "en"}]), lod.EmptyText, "f1", "titles[0].text", "   "),
    ("no titles", film(titles=[]), lod.MissingField, "f1", "titles", None),
    ("bad id", film(id="welcome to the usa"), lod.BadId, "welcome to the usa", "id", "welcome to the usa"),
    ("unknown field", film(director=["x"]), lod.UnknownField, "f1", "director", None),
]


@pytest.mark.parametrize("name,data,error,record,field,value", CASES, ids=[c[0] for c in CASES])
def test_each_problem_has_its_error_type_record_field_and_value(name, data, error, record, field, value):
    with pytest.raises(error) as info:
        lod.Catalogue(films=[data])
    exc = info.value
    assert exc.record == record
    assert exc.field == field
    if value is not None:
        assert exc.value == value
        assert repr(value)[:40] in str(exc)
    assert record in str(exc) and field in str(exc)


def test_direct_record_construction_raises_lod_errors():
    with pytest.raises(lod.BadDate) as info:
        lod.Film(id="f1", titles=[{"en": "X"}], date_created="20190")
    assert info.value.record == "f1" and info.value.field == "date_created"
    assert isinstance(info.value, ValueError) and isinstance(info.value, lod.LodError)


def test_unknown_reference_and_wrong_type():
    with pytest.raises(lod.CatalogueError) as info:
        lod.Catalogue(films=[film(directors=["nobody"], countries=["olga"])],
                      people=[{"id": "olga", "names": {"en": "Olga Doletskaya"}}])
    kinds = {(type(p), p.record, p.field, p.value) for p in info.value.problems}
    assert (lod.UnknownReference, "f1", "directors[0]", "nobody") in kinds
    assert (lod.WrongReferenceType, "f1", "countries[0]", "olga") in kinds


def test_nested_reference_is_checked():
    with pytest.raises(lod.UnknownReference) as info:
        lod.Catalogue(films=[film(cast=[{"person": "ghost", "character": "Rauan"}])])
    assert info.value.field == "cast[0].person"


def test_duplicate_ids_across_lists():
    with pytest.raises(lod.DuplicateId) as info:
        lod.Catalogue(films=[film(id="madina")], people=[{"id": "madina", "names": {"en": "Madina Akylbek"}}])
    assert info.value.record == "madina"


def test_wikidata_iri_in_same_as_is_refused():
    with pytest.raises(lod.BadQID):
        lod.Catalogue(films=[film(same_as=["http://www.wikidata.org/entity/Q232"])])


def test_loading_a_file_reports_every_problem_together(tmp_path):
    data = {
        "films": [film(date_created="2019-13"), film(id="f2", qid="Q0", directors=["nobody"])],
        "people": [{"id": "p1", "names": [{"text": "Assel", "lang": "en_GB"}]}, {"id": "p2", "names": {"en": ""}}],
    }
    path = tmp_path / "cat.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(lod.CatalogueError) as info:
        lod.load_catalogue(path)
    found = {(type(p).__name__, p.record, p.field) for p in info.value.problems}
    assert ("BadDate", "f1", "date_created") in found
    assert ("BadQID", "f2", "qid") in found
    assert ("BadLanguageTag", "p1", "names[0].lang") in found
    assert ("EmptyText", "p2", "names[0].text") in found
    assert str(path) in str(info.value)


def test_reference_problems_in_a_file_are_reported_with_the_record(tmp_path):
    path = tmp_path / "cat.json"
    path.write_text('{"films": [{"id": "f1", "titles": {"en": "X"}, "directors": ["nobody"]}]}', encoding="utf-8")
    with pytest.raises(lod.CatalogueError) as info:
        lod.load_catalogue(path)
    assert [(p.record, p.field) for p in info.value.problems] == [("f1", "directors[0]")]


def test_broken_yaml_and_unknown_lists_are_clear(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("films: [\n", encoding="utf-8")
    with pytest.raises(lod.InputError, match="not valid YAML") as info:
        lod.load_catalogue(bad)
    assert str(info.value).startswith(f"{bad}:2:1: ")  # the file, then the line and column
    assert "<unicode string>" not in str(info.value)
    odd = tmp_path / "odd.yaml"
    odd.write_text("movies: []\n", encoding="utf-8")
    with pytest.raises(lod.CatalogueError, match="unknown list"):
        lod.load_catalogue(odd)


def test_nfd_text_is_stored_as_nfc_and_is_the_same_name():
    nfc = "Айжан Қасымбек, Renée"  # й and é decompose under NFD
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    a = lod.Person(id="p", names=[{"text": nfd, "lang": "kk-Cyrl"}])
    b = lod.Person(id="p", names=[{"text": nfc, "lang": "kk-Cyrl"}])
    assert a.names[0].text == nfc
    assert a == b
    two = lod.Person(id="p", names=[{"text": nfd, "lang": "kk-Cyrl"}, {"text": nfc, "lang": "kk-Cyrl"}])
    assert len(two.names) == 1


def test_language_tags_are_case_normalised_but_keep_the_script():
    p = lod.Person(id="p", names=[{"text": "Айжан", "lang": "KK-cyrl"}, {"text": "Aizhan", "lang": "kk-latn-kz"}])
    assert {n.lang for n in p.names} == {"kk-Cyrl", "kk-Latn-KZ"}


def test_bad_base_iri():
    cat = lod.Catalogue(people=[{"id": "p", "names": {"en": "P"}}])
    for base in ("https://example.org/id", "not an iri/", "https://ex ample.org/"):
        with pytest.raises(lod.BadIRI):
            lod.to_graph(cat, base=base)


def test_problems_in_a_yaml_file_name_the_line_and_suggest_the_fix(tmp_path):
    # before: no line numbers, "used by a Person and a Person", pydantic's "Extra inputs are not permitted"
    path = tmp_path / "cat.yaml"
    path.write_text("people:\n"
                    "  - id: p\n"
                    "    names: {en: P}\n"
                    "  - id: q\n"
                    "    names: {en_US: Q}\n"
                    "  - id: p\n"
                    "    names: {en: Again}\n"
                    "films:\n"
                    "  - id: f\n"
                    "    title: [{en: T}]\n", encoding="utf-8")
    with pytest.raises(lod.CatalogueError) as info:
        lod.load_catalogue(path)
    by_field = {(p.record, p.field): p for p in info.value.problems}
    tag = by_field[("q", "names[0].lang")]
    assert tag.line == 4 and "did you mean 'en-US'?" in tag.message
    dup = by_field[("p", "id")]
    assert dup.line == 6 and "people[0] (line 2)" in dup.message and "Person and a Person" not in dup.message
    unknown = by_field[("f", "title")]
    assert unknown.line == 9 and "did you mean 'titles'?" in unknown.message and "directors" in unknown.message
    assert "Extra inputs" not in str(info.value) and "Field required" not in str(info.value)
    assert f"in {path}:" in str(info.value) and "  - line 4: record 'q'" in str(info.value)


_JSON_BITS = [b'{', b'}', b'[', b']', b'"', b':', b',', b' ', b'\t', b'\n', b'\\', b'\\u', b'\\ud800', b'\\u00e9',
              b'a', b'films', b'0', b'-', b'1e400', b'12345678901234567890123', b'NaN', b'true', b'null',
              b'\xef\xbb\xbf', b'\x00', b'\xff', b'\xc3\xa9', b'\x0b', b'"id":', b'{"films":{"id":"f"}}']


@settings(max_examples=400, deadline=None)
@example(b'{"\\ud800": 1}')  # a key that is not Unicode: shown escaped
@example(b"[" * 60 + b"]" * 60)  # nested too deep
@example(b'\xef\xbb\xbf{"films": {}}')  # a byte-order mark
@given(st.one_of(
    st.lists(st.sampled_from(_JSON_BITS), max_size=14).map(b"".join),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
                 lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=4), kids, max_size=3),
                 max_leaves=60).map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8"))))
def test_a_json_line_reads_as_the_whole_way_reads_it(line):
    """load_json reads most JSON Lines lines with json's C scanner alone; a line must give what ``json.loads`` and
    the checks after it give (_load_json_whole), value or error, whatever the bytes."""
    from lod.records._decode import _load_json_whole, load_json

    def outcome(read):
        try:
            return "value", read(line.strip(), "c.jsonl", 7)
        except E.LodError as exc:
            return "error", str(exc)
    fast, whole = outcome(load_json), outcome(_load_json_whole)
    assert fast[0] == whole[0]
    if fast[0] == "value":  # (compared as JSON text: NaN is unequal to itself)
        assert json.dumps(fast[1], sort_keys=True) == json.dumps(whole[1], sort_keys=True)
        assert type(fast[1]) is type(whole[1])
    else:
        assert fast[1] == whole[1]
