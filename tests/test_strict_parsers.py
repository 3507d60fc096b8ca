"""Outputs are valid by independent strict parsers: pyoxigraph for Turtle/N-Triples, pyld for JSON-LD."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from pyld import jsonld

import lod
from lod.synthetic import synthetic_catalogue


def _no_remote(url, options=None):
    raise AssertionError(f"pyld tried to load {url}")


def _ox_set(data: bytes, fmt: ox.RdfFormat) -> set:
    return set(ox.parse(data, format=fmt))


def _pyld_set(doc: str) -> set:
    nquads = jsonld.to_rdf(json.loads(doc), {"format": "application/n-quads", "documentLoader": _no_remote})
    return _ox_set(nquads.encode(), ox.RdfFormat.N_TRIPLES)


@pytest.fixture(scope="module", params=["seed", "synthetic"])
def catalogue(request, seed):
    return seed if request.param == "seed" else synthetic_catalogue(50)


def test_turtle_and_ntriples_parse_strictly_and_agree(catalogue):
    ttl = _ox_set(lod.serialize(catalogue, "turtle"), ox.RdfFormat.TURTLE)
    nt = _ox_set(lod.serialize(catalogue, "nt"), ox.RdfFormat.N_TRIPLES)
    assert ttl == nt
    assert len(ttl) == len(lod.to_graph(catalogue))


def test_jsonld_expanded_by_pyld_is_the_turtle_graph(catalogue):
    ttl = _ox_set(lod.serialize(catalogue, "turtle"), ox.RdfFormat.TURTLE)
    assert _pyld_set(lod.dumps(catalogue, format="json-ld")) == ttl


def test_jsonld_context_is_inline_and_dates_are_plain_strings(seed):
    doc = json.loads(lod.dumps(seed, format="json-ld"))
    assert isinstance(doc["@context"], dict), "the context must be inline: no remote loading"
    assert doc["@context"]["@vocab"] == "http://schema.org/"
    values = [v for node in doc["@graph"] for k, v in node.items() if k == "startDate"]
    assert values, "the seed has festival dates"
    # a year stays a typed gYear; a full date would be a plain string (coerced by the context)
    for v in values:
        assert isinstance(v, str) or v["@type"] in {"xsd:gYear", "xsd:gYearMonth", "xsd:gMonthDay", "xsd:dateTime"}


def test_full_dates_are_written_as_plain_strings():
    cat = synthetic_catalogue(5)
    doc = json.loads(lod.dumps(cat, format="json-ld"))
    starts = [n["startDate"] for n in doc["@graph"] if "startDate" in n]
    assert starts and all(isinstance(s, str) for s in starts)


def test_invalid_iri_is_refused_before_writing():
    with pytest.raises(lod.BadIRI):
        lod.dumps(synthetic_catalogue(2), format="turtle", base="https://example.org/a b/")
