"""The alignment table is complete, consistent with the reference vocabularies, and the single source."""

from __future__ import annotations

import csv
import json
import re

import jsonschema
import pyoxigraph as ox
import pytest
import yaml

import lod
from lod.alignment import LOD, table
from lod.docs import generated_files
from lod.load import read_data
from lod.mapping import plan
from lod.model import CatalogueInfo, RECORD_TYPES, nested_fields

from conftest import REFERENCE, vocab_file

ALL_CLASSES = [*RECORD_TYPES, CatalogueInfo]


def _all_models():
    seen, stack = [], list(ALL_CLASSES)
    while stack:
        cls = stack.pop()
        if cls not in seen:
            seen.append(cls)
            stack.extend(sub for _, sub, _ in nested_fields(cls) if sub.__name__ not in ("Title",))
    return seen


def test_every_field_of_every_record_has_a_row_and_a_plan():
    for cls in _all_models():
        p = plan(cls)
        assert {f.name for f in p.fields} == set(cls.model_fields) - {"id"}, cls


def test_every_row_names_a_real_field_or_value():
    models = {cls.__name__: cls for cls in _all_models()}
    from lod.model import Title
    models["Title"] = Title
    for row in table().rows:
        if row.record in ("Entity", "*"):
            continue
        if "." in row.record:
            owner, fname = row.record.split(".")
            assert fname in models[owner].model_fields, row
            continue
        assert row.record in models, row
        assert row.field.startswith("@") or row.field in models[row.record].model_fields, row


def _fiaf_terms():
    graph = ox.parse(path=str(REFERENCE / "FIAFcore-v1.0.ttl"), format=ox.RdfFormat.TURTLE)
    ns = "https://fiafcore.org/ontology/"
    return {t.subject.value[len(ns):] for t in graph if isinstance(t.subject, ox.NamedNode)
            and t.subject.value.startswith(ns)}


def test_every_fiafcore_term_exists_in_the_ontology():
    known = _fiaf_terms()
    used = {m for row in table().rows for m in re.findall(r"fiaf:(\w+)", row.fiaf)}
    assert used, "the table aligns FIAFcore terms"
    assert used - known == set()


def test_every_wikidata_property_is_known():
    def ids(path):
        with open(path, encoding="utf-8") as fh:
            return {r[0] for r in csv.reader((l for l in fh if not l.startswith("#")), delimiter="\t") if r}
    known = ids(REFERENCE / "wikidata-film-properties-subset.tsv") | ids(vocab_file("wikidata-extra-properties.tsv"))
    used = {m for row in table().rows for m in re.findall(r"\bP\d+\b", row.wikidata)}
    assert len(used) > 40
    assert used - known == set()
    items = {m for row in table().rows for m in re.findall(r"wd:(\S*)", row.wikidata)}
    assert all(re.fullmatch(r"(Q[1-9]\d*)?", q) for q in items), items


def test_own_vocabulary_defines_every_lod_term_with_label_and_comment():
    graph = ox.parse(path=str(vocab_file("lod.ttl")), format=ox.RdfFormat.TURTLE)
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    comment = "http://www.w3.org/2000/01/rdf-schema#comment"
    by_term: dict[str, set[str]] = {}
    for t in graph:
        if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(LOD):
            by_term.setdefault(t.subject.value[len(LOD):], set()).add(t.predicate.value)
    used = {m for row in table().rows for col in (row.schema, row.also)
            for m in re.findall(r"lod:(\w+)", col)}
    assert used
    for term in used:
        assert {label, comment} <= by_term.get(term, set()), f"lod:{term} lacks a label or comment"
    # no owl:imports or anything else that would make a reasoner fetch
    assert not any(t.predicate.value == "http://www.w3.org/2002/07/owl#imports" for t in graph)


def test_generated_files_in_vocab_are_current():
    for name, text in generated_files().items():
        assert vocab_file(name).read_text(encoding="utf-8") == text, f"run: lod vocab ({name})"


def test_context_file_is_what_the_writer_inlines(seed):
    doc = json.loads(lod.dumps(seed, format="json-ld"))
    shipped = json.loads(vocab_file("context.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == shipped["@context"]


def test_example_catalogue_validates_against_the_published_json_schema():
    schema = json.loads(vocab_file("catalogue.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(_json_view(read_data(lod.example_path()))))
    assert errors == []


def _json_view(data):
    """YAML turns 2019-11-14 into a date; a JSON editor sees the string."""
    return json.loads(json.dumps(data, default=str))


def test_the_json_schema_rejects_what_the_loader_rejects():
    schema = json.loads(vocab_file("catalogue.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors({"films": [{"id": "x", "titles": []}]}))
    assert list(validator.iter_errors({"films": [{"id": "x", "titles": {"en": "X"}, "director": ["y"]}]}))
    assert list(validator.iter_errors({"movies": []}))
    assert not list(validator.iter_errors({"films": [{"id": "x", "titles": {"en": "X"}, "date_created": 2019}]}))


def test_the_json_schema_checks_ids_and_qids():
    schema = json.loads(vocab_file("catalogue.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors({"films": [{"id": "bad id!x", "titles": {"en": "X"}}]}))
    assert list(validator.iter_errors({"films": [{"id": "x", "titles": {"en": "X"}, "qid": "Q0123"}]}))
    assert not list(validator.iter_errors({"films": [{"id": 1917, "titles": {"en": 1917}, "qid": "Q123"}]}))
