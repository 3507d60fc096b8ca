"""The JSON Schema of catalogue files, generated from the record types.

Editors can check a catalogue file against ``vocab/catalogue.schema.json`` (kept equal to
:func:`catalogue_json_schema` by the test suite) or print it with ``lod schema``.
"""

from __future__ import annotations

from typing import Any

from ._model import LISTS, Catalogue
from ._values import TEXT_SCHEMA

SCHEMA_ID = "https://w3id.org/lod-film/catalogue.schema.json"


def catalogue_json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of a YAML/JSON catalogue file."""
    schema = Catalogue.model_json_schema(mode="validation")
    defs = schema.get("$defs", {})
    # The loader also accepts a transcript file instead of inline text (see lod.load).
    interview = defs["Interview"]["properties"]
    interview["text_file"] = {"type": "string", "description": "transcript file, relative to the catalogue file"}
    interview["text_lang"] = {"type": "string", "description": "BCP 47 language of text_file"}
    # A title is also accepted in the short form {lang: text} (no kind).
    defs["Title"] = {"anyOf": [defs["Title"], {"type": "object", "minProperties": 1, "maxProperties": 1,
                                               "additionalProperties": TEXT_SCHEMA}]}
    film = defs["Film"]["properties"]
    film["titles"] = {"anyOf": [film["titles"], {"type": "object", "additionalProperties": TEXT_SCHEMA,
                                                 "description": "short form {lang: title}"}]}
    # Catalogue lists: any order, also spelled 'organisations' / 'programs'.
    props = schema["properties"]
    props["organisations"] = props["organizations"]
    props["programs"] = props["programmes"]
    for name in LISTS:
        props[name].pop("default", None)
    _fix_array_lengths(schema)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def _fix_array_lengths(node: Any) -> None:
    """pydantic writes a tuple's min_length as ``minLength``; for arrays JSON Schema says ``minItems``."""
    if isinstance(node, dict):
        if node.get("type") == "array" and "minLength" in node:
            node["minItems"] = node.pop("minLength")
        for value in node.values():
            _fix_array_lengths(value)
    elif isinstance(node, list):
        for value in node:
            _fix_array_lengths(value)
