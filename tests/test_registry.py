"""Record kinds as data: one registry (lod.REGISTRY) that the catalogue, the files, the site, streaming and
Wikidata all read, instead of lists kept by hand in each."""

from __future__ import annotations

import json

import lod
from lod import html, stream, wikidata
from lod.alignment import table
from lod.schema import catalogue_json_schema


def test_the_catalogue_lists_are_the_registrys_in_its_order():
    assert [name for name in lod.Catalogue.model_fields if name != "info"] == [k.list_name for k in lod.REGISTRY]
    seed = lod.load_catalogue(lod.example_path())
    order = [r.kind for r in seed.records()]
    kinds = [k.kind for k in lod.REGISTRY]
    assert order == sorted(order, key=kinds.index)  # records() walks the lists in the registry's order


def test_every_kind_has_its_alignment_rows():
    for k in lod.REGISTRY:
        assert table().find(k.name, "@type") is not None, k.name
        for field in k.cls.model_fields:
            if field != "id":
                assert table().find(k.name, field) is not None, f"{k.name}.{field}"


def test_the_json_schema_and_json_lines_follow_the_registry(tmp_path):
    lists = [name for name in catalogue_json_schema()["properties"] if name in lod.model.LISTS]
    assert lists == [k.list_name for k in lod.REGISTRY]  # (then the spellings 'organisations' and 'programs')
    data = {k.list_name: [] for k in reversed(lod.REGISTRY)}
    data["places"] = [{"id": "kz", "names": {"en": "Kazakhstan"}, "place_type": "country"}]
    data["films"] = [{"id": "f", "titles": {"en": "F"}, "countries": ["kz"]}]
    path = stream.write_jsonl(data, tmp_path / "c.jsonl")
    written = [next(iter(json.loads(line))) for line in path.read_text(encoding="utf-8").splitlines()]
    assert written == ["films", "places"]  # registry order, whatever order the mapping had


def test_the_site_wikidata_and_streaming_read_the_registry():
    assert set(html.PAGE_KINDS) == {k.kind for k in lod.REGISTRY if k.page}
    assert {cls.kind: q for cls, q in wikidata.TYPES.items()} == {
        k.kind: table().row(k.name, "@type").wikidata[3:] for k in lod.REGISTRY if k.reconcile}
    assert stream._LOOKUP_KINDS == {k.kind for k in lod.REGISTRY if k.lookup}
    assert lod.REGISTRY[0].wikidata_class == "Q11424" and lod.model.BY_KIND["festival-edition"].lookup


def test_the_kinds_whose_context_validation_keeps_are_those_a_reference_field_takes():
    """What the shapes read on a record is kept (streaming, lod.validate in batches) only for kinds some
    reference field may name (the registry's RefTo markers): interviews, award outcomes and screenings are
    never another record's object."""
    from lod.records import LISTS, referable, referable_kinds

    kinds = referable_kinds()
    assert {"film", "person", "organization", "place", "award", "festival-edition"} <= kinds
    assert not {"interview", "award-outcome", "screening"} & kinds
    # every class a reference field of a record names is there, nested fields' included (a cast credit's person)
    assert "Person" in referable([LISTS["films"]]) and "Film" in referable([LISTS["award_outcomes"]])
    assert referable([LISTS["interviews"]]) >= {"Person", "Film"}
