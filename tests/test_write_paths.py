"""Every export path writes the same bytes: ``lod.dumps``, ``lod export`` in memory, ``--stream``, the Dask
parts joined as the manifest says, and the published N-Triples, for Turtle, N-Triples and JSON-LD.

The inputs are the seed (a YAML file whose lists are not sorted by id), a synthetic catalogue written as
JSON Lines in writing order, and the same lines shuffled (a file in no order at all). The expected bytes
are not stored: the paths are compared with each other, and the output is parsed by pyoxigraph and pyld
and compared, as a graph, with ``lod.to_graph`` (rdflib terms), so a path that agreed with the others on
something wrong would still fail.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyld import jsonld

import lod
from lod.cli import main
from lod.distributed import export as dask_export, joined
from lod.publish import chunks_of
from lod.stream import export as stream_export, write_jsonl
from lod.synthetic import synthetic_data
from lod.writers import _offline_loader

FORMATS = ("turtle", "nt", "json-ld")
SUFFIX = {"turtle": ".ttl", "nt": ".nt", "json-ld": ".jsonld"}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("paths")
    data = synthetic_data(120)
    ordered = write_jsonl(data, folder / "synthetic.jsonl")
    lines = ordered.read_text(encoding="utf-8").splitlines(keepends=True)
    random.Random(3).shuffle(lines)
    shuffled = folder / "shuffled.jsonl"
    shuffled.write_text("".join(lines), encoding="utf-8")
    return {"seed": lod.example_path(), "synthetic": ordered, "shuffled": shuffled}


def _cli(args: list[str]) -> None:
    assert main(args) == 0, args


def _graph_nt(data: bytes, fmt: str) -> set[str]:
    """The triples as pyoxigraph (Turtle, N-Triples) or pyld (JSON-LD) reads them, as N-Triples lines."""
    if fmt == "json-ld":
        nq = jsonld.to_rdf(json.loads(data), {"format": "application/n-quads", "documentLoader": _offline_loader})
        return {str(t) for t in ox.parse(nq.encode("utf-8"), format=ox.RdfFormat.N_QUADS)}
    kind = ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.N_TRIPLES
    return {str(t) for t in ox.parse(data, format=kind)}


@pytest.mark.parametrize("name", ["seed", "synthetic", "shuffled"])
def test_every_path_writes_the_same_bytes(tmp_path, inputs, name):
    source = inputs[name]
    catalogue = lod.load_catalogue(source)
    expected = {fmt: lod.dumps(catalogue, format=fmt).encode("utf-8") for fmt in FORMATS}
    assert lod.serialize(catalogue, "nt") == expected["nt"]

    _cli(["export", str(source), "-f", ",".join(FORMATS), "-o", str(tmp_path / "memory")])
    _cli(["export", str(source), "--stream", "-f", ",".join(FORMATS), "-o", str(tmp_path / "stream")])
    stem = catalogue.info.id if catalogue.info else source.stem
    for fmt in FORMATS:
        memory = (tmp_path / "memory" / f"{stem}{SUFFIX[fmt]}").read_bytes()
        stream = (tmp_path / "stream" / f"{stem}{SUFFIX[fmt]}").read_bytes()
        assert memory == expected[fmt], f"lod export ({fmt}) differs from lod.dumps"
        assert stream == expected[fmt], f"lod export --stream ({fmt}) differs from lod.dumps"
    assert b"".join(chunks_of(catalogue, lod.DEFAULT_BASE, 37)) == expected["nt"]

    # and the bytes say the right thing: the graph rdflib's mapping makes, through independent parsers
    truth = {str(t) for t in ox.parse(lod.to_graph(catalogue).serialize(format="nt").encode("utf-8"),
                                      format=ox.RdfFormat.N_TRIPLES)}
    for fmt in FORMATS:
        assert _graph_nt(expected[fmt], fmt) == truth, fmt
    lines = expected["nt"].decode("utf-8").splitlines()
    assert len(lines) == len(set(lines)) == len(truth)


def test_language_tags_keep_their_case_on_every_path(tmp_path, inputs):
    """BCP 47 canonical case, as the records store it (pyoxigraph's own writer lower-cased ``kk-Cyrl``)."""
    catalogue = lod.load_catalogue(inputs["seed"])
    text = lod.dumps(catalogue, format="nt")
    assert '"@kk-Cyrl .\n' in text and "@kk-cyrl" not in text
    for fmt in ("turtle", "json-ld"):
        other = lod.dumps(catalogue, format=fmt)
        assert "kk-Cyrl" in other and "kk-cyrl" not in other, fmt


def test_dask_parts_join_to_the_single_file(tmp_path, inputs):
    for name in ("synthetic", "shuffled"):
        source = inputs[name]
        single = stream_export(source, tmp_path / name / "single", list(FORMATS), quiet=True)
        assert single.complete
        manifest = dask_export(source, tmp_path / name / "parts", list(FORMATS), scheduler="local:2",
                               partitions=3).manifest
        assert manifest["complete"] and manifest["parts"] == 3
        assert set(manifest["compose"]) == set(FORMATS)
        for fmt in FORMATS:
            parts = [f for f in manifest["files"] if f["format"] == fmt]
            assert len(parts) == 3 and all(f["triples"] > 0 for f in parts), (name, fmt)
            assert joined(tmp_path / name / "parts", fmt) == single.files[fmt].read_bytes(), (name, fmt)
        if name == "shuffled":  # the parts say which lines they hold, in the order they were read
            report = json.loads((tmp_path / name / "parts" / "part-00000.report.json").read_text())
            assert report["source"]["lines"] and report["source"]["lines"] != sorted(report["source"]["lines"])


def test_nt_parts_concatenate_to_the_single_file(tmp_path, inputs):
    source = inputs["synthetic"]
    single = stream_export(source, tmp_path / "single.nt", ["nt"], quiet=True)
    dask_export(source, tmp_path / "parts", ["nt"], scheduler="local:2", partitions=2)
    parts = sorted((tmp_path / "parts").glob("part-*.nt"))
    assert len(parts) == 2
    assert b"".join(p.read_bytes() for p in parts) == single.files["nt"].read_bytes()


def test_a_graph_is_written_sorted_by_every_writer():
    g = lod.parse("""
        <https://example.org/b> <http://schema.org/name> "B"@kk-Cyrl .
        <https://example.org/a> <http://schema.org/name> "A" .
        <https://example.org/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://schema.org/Movie> .
    """, "nt")
    assert lod.dumps(g, format="nt").splitlines() == [
        "<https://example.org/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://schema.org/Movie> .",
        '<https://example.org/a> <http://schema.org/name> "A" .',
        '<https://example.org/b> <http://schema.org/name> "B"@kk-Cyrl .']
    assert "<https://example.org/a> a schema:Movie ;\n    schema:name \"A\" .\n" in lod.dumps(g, format="turtle")


def test_keep_going_leaves_out_the_same_records_in_one_process_and_on_dask(tmp_path, capsys):
    """One driver, one policy: records with violations or problems, and those that refer to one, are left out;
    the rest is written, byte for byte the same, from a JSON file, from JSON Lines, and on Dask in 3 parts
    (where the record found wanting and the records referring to it are in different parts)."""
    from lod.synthetic import synthetic_film

    data = synthetic_data(60)
    synthetic_film(data, 10)["availability"] = [{"platform": "platform", "starts": "2024-06-01",
                                                 "ends": "2024-01-01"}]  # a violation; screening-10 refers to it
    synthetic_film(data, 20)["directors"] = ["nobody"]  # a problem on load
    source = tmp_path / "flawed.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    lines_file = write_jsonl(data, tmp_path / "flawed.jsonl")
    lines = []
    for name, args in (("json", [str(source)]), ("jsonl", [str(lines_file)]),
                       ("dask", [str(lines_file), "--dask", "local:2", "--partitions", "3"])):
        assert main(["export", *args, "--keep-going", "-f", "nt", "-o", str(tmp_path / name)]) == 1
        lines.append(capsys.readouterr().err.splitlines()[-1])
    # one summary line for every mode, with the same counts (only the time and where it ran differ)
    counts = [line.split(" s (")[0].rsplit(",", 1)[0] for line in lines]
    assert counts[0] == counts[1] == counts[2] and counts[0].startswith("lod: 125 records, 119 written, "), lines
    assert lines[2].endswith("on Dask (3 parts)") and lines[0].endswith("records/s)")
    memory = (tmp_path / "json" / "synthetic.nt").read_bytes()
    assert memory == (tmp_path / "jsonl" / "synthetic.nt").read_bytes() == joined(tmp_path / "dask", "nt")
    text = memory.decode("utf-8")
    for kept in ("/film/film-11>", "/screening/screening-30>", "/award-outcome/outcome-30>"):
        assert kept in text, kept  # the IRIs below are spelled as lod writes them
    for gone in ("/film/film-10>", "/screening/screening-10>", "/film/film-20>", "/screening/screening-20>",
                 "/award-outcome/outcome-10>"):
        assert gone not in text, gone


def test_an_invalid_iri_in_a_record_is_the_same_problem_in_memory_streamed_and_on_dask(tmp_path, capsys):
    """A catalogue's IRIs are checked where they enter (a record's field), so no writer meets one: the record is
    refused with the same BadIRI words, naming record and field, on every path; the other records are written."""
    from lod.synthetic import synthetic_film

    data = synthetic_data(12)
    synthetic_film(data, 3)["same_as"] = ["https://example.org/a b"]
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    lines_file = write_jsonl(data, tmp_path / "bad.jsonl")
    said = []
    for name, args in (("json", [str(source)]), ("jsonl", [str(lines_file)]),
                       ("dask", [str(lines_file), "--dask", "local:2", "--partitions", "2"])):
        assert main(["export", *args, "--keep-going", "-f", "turtle,nt,json-ld", "-o", str(tmp_path / name)]) == 1
        err = capsys.readouterr().err
        found = [line for line in err.splitlines() if "film-3" in line and "same_as[0]" in line]
        assert found and "https://example.org/a b" in found[0], err
        said.append(found[0].split(": ", 1)[-1])  # the words after where it is
    assert said[0] == said[1] == said[2], said
    for fmt, name in (("turtle", "synthetic.ttl"), ("nt", "synthetic.nt")):
        text = (tmp_path / "jsonl" / name).read_text(encoding="utf-8")
        assert "/film/film-4>" in text and "/film/film-3>" not in text, fmt


def _bad_graphs():
    """(what is wrong, a triple with it, the lod error, words the message must hold) for a graph handed in."""
    from rdflib import BNode, Literal, URIRef

    s, name, url = URIRef("https://example.org/a"), URIRef("http://schema.org/name"), URIRef("http://schema.org/url")
    return [
        ("space in subject", (URIRef("https://example.org/a b"), name, Literal("x")), lod.errors.BadIRI, "invalid IRI"),
        ("space in predicate", (s, URIRef("http://schema.org/na me"), Literal("x")), lod.errors.BadIRI, "invalid IRI"),
        ("space in object", (s, url, URIRef("https://exa mple.org/")), lod.errors.BadIRI, "invalid IRI"),
        ("relative object", (s, url, URIRef("relative/x")), lod.errors.BadIRI, "invalid IRI"),
        ("literal subject", (Literal("not a subject"), name, Literal("x")), lod.errors.RdfError, "its subject"),
        ("literal predicate", (s, Literal("p"), Literal("x")), lod.errors.RdfError, "its predicate"),
        ("blank node predicate", (s, BNode(), Literal("x")), lod.errors.RdfError, "its predicate"),
        ("blank node subject", (BNode(), name, Literal("x")), lod.errors.RdfError, "blank nodes cannot be written"),
        ("blank node object", (s, url, BNode()), lod.errors.RdfError, "blank nodes cannot be written"),
        ("invalid datatype IRI", (s, name, Literal("x", datatype=URIRef("not an iri"))), lod.errors.BadIRI,
         "invalid IRI"),
        # rdflib accepts this tag; RDF (BCP 47) does not: a subtag has at most 8 characters
        ("bad language tag", (s, name, Literal("x", lang="abcdefghij")), lod.errors.BadLanguageTag,
         "invalid language tag"),
        ("lone surrogate in a literal", (s, name, Literal("a\ud800")), lod.errors.BadValue, "not valid Unicode"),
    ]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("what,triple,error,words", _bad_graphs(), ids=[case[0] for case in _bad_graphs()])
def test_every_writer_refuses_a_bad_graph_with_a_lod_error(fmt, what, triple, error, words, tmp_path):
    from rdflib import Graph

    graph = Graph()
    graph.add(triple)
    target = tmp_path / ("out" + lod.io.EXTENSIONS[fmt])
    for write in (lambda: lod.serialize(graph, fmt), lambda: lod.dumps(graph, format=fmt),
                  lambda: lod.dump(graph, target, format=fmt), lambda: lod.dump(graph, target)):
        with pytest.raises(error, match=words):
            write()
    assert list(tmp_path.iterdir()) == [], "nothing is written, not even a temporary file"


def test_json_ld_refuses_iris_its_context_would_read_as_others_and_keeps_the_rest():
    """An IRI whose scheme is a prefix of lod's context (``xsd:foo``) would read back as a compact IRI."""
    from rdflib import Graph, Literal, URIRef

    s, rdf_type = URIRef("https://example.org/a"), URIRef(lod.records.RDF + "type")
    for triple in [(URIRef("xsd:foo"), URIRef("http://schema.org/name"), Literal("a")),
                   (s, URIRef("http://schema.org/url"), URIRef("schema:bar")), (s, rdf_type, URIRef("wd:Q1")),
                   (s, URIRef("xsd:p"), Literal("x")), (s, URIRef("http://schema.org/value"),
                                                        Literal("x", datatype=URIRef("lod:T")))]:
        graph = Graph()
        graph.add(triple)
        with pytest.raises(lod.errors.BadIRI, match="prefix of lod's context"):
            lod.dumps(graph, format="json-ld")
        assert set(lod.parse(lod.dumps(graph, format="nt"), "nt")) == set(graph)  # the other writers can
    graph = Graph()  # a schema.org term named like a prefix is still itself (written schema:xsd, not xsd)
    for triple in [(s, URIRef("http://schema.org/xsd"), Literal("p")), (s, URIRef("http://schema.org/schema"),
                   Literal("q")), (s, rdf_type, URIRef("http://schema.org/rdf")),
                   (s, URIRef("http://schema.org/url"), URIRef("xsd://host/x"))]:
        graph.add(triple)
    assert set(lod.parse(lod.dumps(graph, format="json-ld"), "json-ld")) == set(graph)


def test_json_lines_with_unicode_line_separators_load_and_stream_alike(tmp_path):
    """U+2028, U+0085 and friends are legal raw in JSON strings (write_jsonl writes them raw): one line a record."""
    source = write_jsonl({"people": [{"id": "p", "names": {"en": "A\u2028B\x85C\x0cD"}}]}, tmp_path / "ls.jsonl")
    catalogue = lod.load_catalogue(source)
    assert catalogue["p"].names[0].text == "A\u2028B\x85C\x0cD"
    _cli(["export", str(source), "-f", "nt", "-o", str(tmp_path / "out.nt")])
    assert (tmp_path / "out.nt").read_bytes() == lod.serialize(catalogue, "nt")


def test_serialize_triples_takes_rdflib_triples_too():
    catalogue = lod.Catalogue(places=[lod.Place(id="almaty", names={"en": "Almaty"}, place_type="city")])
    from lod.writers import catalogue_triples, serialize_triples

    rdflib_triples = list(lod.triples(catalogue))
    assert serialize_triples(rdflib_triples, "nt") == serialize_triples(catalogue_triples(catalogue), "nt") \
        == lod.serialize(catalogue, "nt")
    assert '"Almaty"@en' in serialize_triples(rdflib_triples, "turtle").decode("utf-8")


def test_joining_parts_of_a_folder_that_is_not_one_is_a_lod_error(tmp_path):
    with pytest.raises(lod.errors.MissingFile, match="manifest.json"):
        joined(tmp_path, "nt")
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(lod.errors.FileError, match="not a manifest"):
        joined(tmp_path, "nt")
    (tmp_path / "manifest.json").write_text('{"files": [], "compose": {"nt": "…"}}', encoding="utf-8")
    with pytest.raises(lod.errors.FileError, match="no turtle parts"):
        joined(tmp_path, "turtle")


def test_the_turtle_writer_keeps_vocabulary_terms_compacted_but_not_each_wikidata_item():
    """The writer's cache of compact names holds vocabulary terms (they repeat), not Wikidata items (one a
    record: at 1,000,000 films they grew the export's memory while it wrote); both are written compact."""
    from lod.io import _fastwrite

    items = [(f"https://example.org/id/film/f{n}", "http://schema.org/sameAs", f"http://www.wikidata.org/entity/Q{n}")
             for n in range(1, 5001)]
    text = _fastwrite.turtle_chunk(items)
    assert text.count(" schema:sameAs wd:Q") == 5000 and "wd:Q4999 ." in text
    assert not any(k.startswith("http://www.wikidata.org/entity/") for k in _fastwrite._compact_cache)
    assert _fastwrite._compact_cache["http://schema.org/sameAs"] == "schema:sameAs"
