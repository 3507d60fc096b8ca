"""Records: values (texts, dates, ids), the record models and their registry, references, the alignment
table, and catalogue data (bounded YAML/JSON decoding, the JSON Schema).
"""

from __future__ import annotations

from ._alignment import (AlignmentError, FIAF, LOD, PREFIXES, RDF, SCHEMA, schema_supertypes, table, WD, XSD)
from ._decode import (Lines, load_json, load_yaml, read_text)
from ._model import (a_kind, ALIASES, Award, AwardOutcome, canonical_set, CastCredit, Catalogue, CatalogueInfo,
                     CompanyCredit, ContentRating, CrewCredit, Entity, Event, Festival, FestivalEdition,
                     FestivalSection, Film, Funding, Identifier, Image, input_errors, Interview, LangText, LISTS,
                     MonetaryAmount, nested_fields, Organization, Person, Place, Programme, Record, RECORD_TYPES,
                     RecordKind, model_refs, reference_problems, referable, referable_kinds, refs_of, RefTo, REGISTRY, Release, Screening, Selection, StreamingWindow, Title,
                     tuple_item, Work)
from ._schema import catalogue_json_schema
from ._values import (bcp47_case, date_datatype, Kind, lang_list, strict_url, WIKIDATA_ENTITY)

__all__ = ["bcp47_case", "a_kind", "ALIASES", "AlignmentError", "Award", "AwardOutcome", "canonical_set", "CastCredit",
    "Catalogue", "catalogue_json_schema", "CatalogueInfo", "CompanyCredit", "ContentRating", "CrewCredit",
    "date_datatype", "Entity", "Event", "Festival", "FestivalEdition", "FestivalSection", "FIAF", "Film", "Funding",
    "Identifier", "Image", "input_errors", "Interview", "Kind", "lang_list", "LangText", "Lines", "LISTS",
    "load_json", "load_yaml", "LOD", "MonetaryAmount", "nested_fields", "Organization", "Person", "Place",
    "PREFIXES", "Programme", "RDF", "read_text", "Record", "RECORD_TYPES", "RecordKind", "model_refs", "reference_problems", "referable", "referable_kinds", "refs_of", "RefTo",
    "REGISTRY", "Release", "SCHEMA", "schema_supertypes", "Screening", "Selection", "StreamingWindow", "strict_url",
    "table", "Title", "tuple_item", "WD", "WIKIDATA_ENTITY", "Work", "XSD"]
