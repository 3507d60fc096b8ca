"""``lod.parse`` and ``lod.read_graph``: strict pyoxigraph parsing, and the choices made converting to rdflib.

The W3C suites are in ``tests/test_w3c_rdf.py``; this file covers what they do not: lod's own
output read back exactly, literals with unusual lexical forms through every writer, the base IRI,
JSON-LD (pyld's expansion read strictly), messages, and the term choices documented on
:func:`lod.parse` (``xsd:string``, language tag case, fresh blank nodes).
"""

from __future__ import annotations

import json
import re

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

import lod
from lod.synthetic import synthetic_catalogue

from test_w3c_rdf import exact

WRITERS = ["turtle", "nt", "json-ld"]
S = URIRef("https://example.org/id/thing/s")
NAME = URIRef("http://schema.org/name")


# --- lod's own output --------------------------------------------------------------------

@pytest.mark.parametrize("fmt", WRITERS)
def test_what_lod_writes_reads_back_as_the_graph_it_wrote(seed, fmt):
    graph = lod.to_graph(seed)
    back = lod.parse(lod.serialize(seed, fmt), fmt)
    assert exact(back) == exact(graph)  # language tags in their BCP 47 case, plain strings without a datatype
    assert lod.serialize(back, fmt) == lod.serialize(graph, fmt)
    assert lod.from_graph(back) == seed


def test_lod_files_load_as_catalogues_in_every_format(tmp_path):
    cat = synthetic_catalogue(30)
    for fmt, ext in (("turtle", ".ttl"), ("nt", ".nt"), ("json-ld", ".jsonld")):
        path = lod.dump(cat, tmp_path / f"cat{ext}", format=fmt)
        assert lod.load_catalogue(path) == cat, fmt


# --- literals survive exactly --------------------------------------------------------------

UNUSUAL = r"""
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://example.org/id/thing/s> <http://schema.org/value>
    "abc"^^xsd:integer, "01"^^xsd:integer, "+5"^^xsd:integer, "-0"^^xsd:integer, 1.50, "1.0e0"^^xsd:double,
    "INF"^^xsd:double, 12E-3, "2020-13-45"^^xsd:date, "1"^^xsd:boolean,
    "x"^^<https://example.org/my-type>, 123456789012345678901234567890 ;
  <http://schema.org/name> "en"@en-GB, "oxford"@en-GB-oxendict, "trad"@zh-Hant-TW, "priv"@x-klingon,
    "sgn"@sgn-BE-FR, "tagged case"@KK-cyrl ;
  <http://schema.org/text> '''a "quoted" 'text' with
a newline, a tab\t, a \\ backslash, \u00e9 \U0001F600 escapes, a NUL \u0000 and \u007F, \r\n''' .
"""


def _unusual() -> Graph:
    graph = lod.parse(UNUSUAL, "turtle")
    graph.add((S, URIRef("http://schema.org/description"), Literal("x" * 100_000 + '"\n\\')))
    graph.add((S, URIRef("http://schema.org/position"), Literal("007", datatype=XSD.integer, normalize=False)))
    graph.add((S, URIRef("http://schema.org/text"), Literal("long \'\'\' and \"\"\" mixed \u2028\x85\ufffe")))
    return graph


def test_unusual_literals_are_read_as_written():
    values = {str(o): o for o in _unusual().objects(S, URIRef("http://schema.org/value"))}
    assert {"abc", "01", "+5", "-0", "1.50", "1.0e0", "INF", "12E-3", "2020-13-45", "1"} <= set(values)
    assert values["01"].datatype == XSD.integer and values["1.50"].datatype == XSD.decimal
    assert values["12E-3"].datatype == XSD.double and values["abc"].ill_typed
    tags = {o.language for o in _unusual().objects(S, NAME)}
    assert tags == {"en-GB", "en-GB-oxendict", "zh-Hant-TW", "x-klingon", "sgn-BE-FR", "kk-Cyrl"}
    (text,) = [o for o in _unusual().objects(S, URIRef("http://schema.org/text")) if "quoted" in o]
    assert str(text) == "a \"quoted\" 'text' with\na newline, a tab\t, a \\ backslash, \u00e9 \U0001F600 escapes, " \
        "a NUL \x00 and \x7f, \r\n"


@pytest.mark.parametrize("fmt", WRITERS)
def test_unusual_literals_survive_every_writer_exactly(fmt):
    graph = _unusual()
    back = lod.parse(lod.serialize(graph, fmt), fmt)
    assert exact(back) == exact(graph)
    assert lod.serialize(back, fmt) == lod.serialize(graph, fmt)  # and write the same bytes again


def test_a_string_typed_xsd_string_is_the_plain_literal_lod_writes():
    graph = lod.parse('<https://example.org/a> <http://schema.org/name> "x"^^<http://www.w3.org/2001/XMLSchema#string>,'
                      ' "y" .', "turtle")
    assert set(graph.objects()) == {Literal("x"), Literal("y")}
    assert all(o.datatype is None for o in graph.objects())
    assert '"x"^^' not in lod.dumps(graph, format="nt")


def test_language_tags_come_back_in_bcp47_case():
    graph = lod.parse('<https://example.org/a> <http://schema.org/name> "a"@EN-gb, "b"@kk-CYRL, "c"@X-Klingon, '
                      '"d"@i-KLINGON, "e"@es-419, "f"@sr-latn-RS .', "turtle")
    assert {o.language for o in graph.objects()} == {"en-GB", "kk-Cyrl", "x-klingon", "i-klingon", "es-419",
                                                     "sr-Latn-RS"}


def test_blank_nodes_of_two_parses_stay_apart():
    text = "_:b <http://schema.org/name> \"x\" ."
    first, second = lod.parse(text, "nt"), lod.parse(text, "nt")
    (a,), (b,) = first.subjects(), second.subjects()
    assert isinstance(a, BNode) and isinstance(b, BNode) and a != b
    merged = first + second
    assert len(merged) == 2


def test_the_files_prefixes_and_lods_are_bound():
    graph = lod.parse("@prefix ex: <https://example.org/ns#> . ex:a <http://schema.org/name> \"x\" .", "turtle")
    bound = dict(graph.namespaces())
    assert str(bound["ex"]) == "https://example.org/ns#"
    assert str(bound["schema"]) == "http://schema.org/" and str(bound["xsd"]) == str(XSD)


# --- the base IRI ------------------------------------------------------------------------------

def test_a_relative_iri_needs_a_base():
    text = '<a> <http://schema.org/name> "x" .'
    with pytest.raises(lod.RdfError, match=r"^not valid Turtle at line 1, column 1: a relative IRI and no base .*"
                                           r"@base.*base="):
        lod.parse(text, "turtle")
    graph = lod.parse(text, "turtle", base="https://example.org/data/file.ttl")
    assert set(graph.subjects()) == {URIRef("https://example.org/data/a")}
    in_file = lod.parse("@base <https://example.org/x/> . " + text, "turtle")
    assert set(in_file.subjects()) == {URIRef("https://example.org/x/a")}
    with pytest.raises(lod.RdfError, match="N-Triples allows only absolute"):
        lod.parse(text, "nt", base="https://example.org/")


def test_read_graph_takes_a_base_too_and_names_the_file(tmp_path):
    path = tmp_path / "rel.ttl"
    path.write_text('<https://example.org/a> <http://schema.org/name> "x" .\n<a> <http://schema.org/url> <b> .\n',
                    encoding="utf-8")
    with pytest.raises(lod.RdfError, match=rf"^{re.escape(str(path))}: not valid Turtle at line 2, column 1: "):
        lod.read_graph(path)
    assert URIRef("https://example.org/b") in set(lod.read_graph(path, base="https://example.org/").objects())
    with pytest.raises(lod.FileError, match="cannot be read"):
        lod.read_graph(tmp_path, "turtle")  # a folder
    with pytest.raises(lod.errors.MissingFile):
        lod.read_graph(tmp_path / "missing.ttl")


@pytest.mark.parametrize("base", ["relative/", "https://exa mple.org/", ""])
def test_a_base_that_is_not_an_absolute_iri_is_refused(base):
    with pytest.raises(lod.errors.BadValue, match="absolute IRI") as info:
        lod.parse('<a> <http://schema.org/name> "x" .', "turtle", base=base)
    assert info.value.field == "base"


# --- JSON-LD ---------------------------------------------------------------------------------

def _doc(node: dict, **context: str) -> str:
    return json.dumps({"@context": {"@vocab": "http://schema.org/", **context}, **node})


def test_json_ld_relative_ids_need_a_base_not_a_made_up_one():
    doc = _doc({"@id": "film/1", "name": "x"})
    with pytest.raises(lod.RdfError, match="'film/1' is a relative IRI and there is no base"):
        lod.parse(doc, "json-ld")
    assert set(lod.parse(doc, "json-ld", base="https://example.org/id/").subjects()) == \
        {URIRef("https://example.org/id/film/1")}
    assert set(lod.parse(_doc({"@id": "film/1", "name": "x"}, **{"@base": "https://example.org/b/"}),
                         "json-ld").subjects()) == {URIRef("https://example.org/b/film/1")}
    typed = json.dumps({"@id": "https://example.org/x", "http://schema.org/name": {"@value": "v", "@type": "my"}})
    with pytest.raises(lod.RdfError, match="'my' is a relative IRI"):
        lod.parse(typed, "json-ld")  # a datatype too
    (value,) = lod.parse(typed, "json-ld", base="https://example.org/t/").objects()
    assert value.datatype == URIRef("https://example.org/t/my")


@pytest.mark.parametrize("node,words", [
    ({"@id": "https://example.org/{x}", "name": "x"}, "invalid IRI code point '{'"),
    ({"@id": "https://example.org/x", "url": {"@id": "https://example.org/<y>"}}, "invalid IRI code point '<'"),
    ({"@id": "https://example.org/x", "name": {"@value": "y", "@language": "not a tag"}}, "not valid"),
    ({"@id": "https://example.org/x", "name": {"@value": "y", "@type": "https://example.org/a\\u0020b"}}, "not valid"),
])
def test_invalid_rdf_coming_out_of_json_ld_is_refused_as_in_turtle(node, words):
    with pytest.raises(lod.RdfError, match="^not valid JSON-LD: ") as info:
        lod.parse(_doc(node), "json-ld")
    assert words in str(info.value)


def test_json_ld_named_graphs_and_bad_json_are_refused_clearly():
    with pytest.raises(lod.RdfError, match=r"named graph \(<https://example.org/g>\)"):
        lod.parse(_doc({"@id": "https://example.org/g", "@graph": [{"@id": "https://example.org/x", "name": "n"}]}),
                  "json-ld")
    with pytest.raises(lod.RdfError, match=r"^not valid JSON-LD: not JSON at line 2, column 7: "):
        lod.parse('{"@id":\n "x", ]', "json-ld")


def test_json_ld_keeps_a_double_as_written():
    doc = _doc({"@id": "https://example.org/x", "value": [{"@value": "1.0e0", "@type": "xsd:double"}, 1.5]},
               xsd="http://www.w3.org/2001/XMLSchema#")
    assert {str(o) for o in lod.parse(doc, "json-ld").objects()} == {"1.0e0", "1.5E0"}  # a JSON number: canonical


# --- what is refused, and how --------------------------------------------------------------------

def test_utf8_bom_is_skipped_and_other_bytes_are_refused_with_line_and_column():
    text = '<https://example.org/a> <http://schema.org/name> "é" .\n'
    assert len(lod.parse(b"\xef\xbb\xbf" + text.encode("utf-8"), "nt")) == 1
    assert len(lod.parse("\ufeff" + text, "nt")) == 1
    ascii_line = '<https://example.org/b> <http://schema.org/name> "e" .\n'
    with pytest.raises(lod.RdfError, match=r"^not UTF-8 text \(byte 0xe9 at line 2, column 51\); RDF files are UTF-8"):
        lod.parse((ascii_line + text).encode("latin-1"), "nt")


@pytest.mark.parametrize("text,words", [
    ('<https://example.org/a> <https://example.org/p> <<( <https://example.org/a> <https://example.org/p> '
     '<https://example.org/o> )>> .', "triple terms are RDF 1.2"),
    ('<< <https://example.org/a> <https://example.org/p> <https://example.org/o> >> <https://example.org/p> '
     '<https://example.org/o> .', "triple terms are RDF 1.2"),
    ('<https://example.org/a> <https://example.org/p> "x"@en--ltr .', "a base direction is RDF 1.2"),
])
def test_rdf_12_is_refused(text, words):
    with pytest.raises(lod.RdfError, match=words):
        lod.parse(text, "turtle")


def test_messages_show_the_text_at_fault():
    with pytest.raises(lod.RdfError) as info:
        lod.parse('<https://example.org/a> <http://schema.org/name> "unclosed .\n', "turtle")
    assert str(info.value) == "not valid Turtle at line 1, column 50: the string that starts here is never closed " \
                              "(at '\"')"
    with pytest.raises(lod.RdfError) as info:
        lod.parse('<https://example.org/a> schema:name "x" .', "turtle")
    assert str(info.value) == "not valid Turtle at line 1, column 25: the prefix schema: has not been declared " \
                              "(at 'schema:name')"


def test_deep_nesting_is_read_without_recursion():
    depth = 20_000
    text = "<https://example.org/a> <https://example.org/p> " + "[ <https://example.org/p> " * depth + \
        "<https://example.org/o>" + " ]" * depth + " ."
    assert len(lod.parse(text, "turtle")) == depth + 1
