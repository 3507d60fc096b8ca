"""Catalogue files: YAML or JSON lists of records that refer to each other by local id.

A file looks like::

    info: {id: klassiki, names: {en: Klassiki interviews}, publisher: klassiki}
    films:
      - id: madina
        titles: [{text: Madina, lang: en, kind: original}]
        directors: [aizhan-kassymbek]
    people:
      - id: aizhan-kassymbek
        names: {en: Aizhan Kassymbek}

An interview may give ``text_file: transcripts/x.txt`` (relative to the catalogue file)
instead of inline ``text``; the file is read with the language given by ``text_lang``.
Every problem in a file is collected and raised together as one :class:`CatalogueError`;
nothing half-built is returned.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

from . import errors as E
from .model import ALIASES, LISTS, Catalogue
from .writers import format_for_path, read_graph

CATALOGUE_SUFFIXES = (".yaml", ".yml", ".json")

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """YAML safe loader that keeps dates as text: lod checks them itself and names the record.

    (PyYAML would turn ``2019-02-30`` into a crash and ``2019-11-14`` into a ``date``.)
    """


_Loader.yaml_implicit_resolvers = {  # type: ignore[attr-defined]
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()  # type: ignore[attr-defined]
}


def read_data(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The raw mapping in a YAML or JSON catalogue file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise E.InputError("catalogue file not found", field="path", value=str(p)) from None
    except UnicodeDecodeError as exc:
        raise E.InputError(f"catalogue file is not UTF-8 text: {exc}", field="path", value=str(p)) from None
    try:
        if p.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise E.InputError(f"cannot parse {p.name}: {exc}", field="path", value=str(p)) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise E.InputError("a catalogue file must hold a mapping of lists (films, people, …)",
                           field="path", value=str(p))
    return data


def catalogue_from_data(data: dict[str, Any], *, root: Path | None = None, source: str | None = None) -> Catalogue:
    """Build a catalogue from a parsed mapping; every problem is reported together."""
    data = dict(data)
    problems: list[E.InputError] = []
    for key in list(data):
        name = ALIASES.get(key, key)
        if name != key:
            data[name] = data.pop(key)
        if name not in LISTS and name != "info":
            problems.append(E.UnknownField(f"unknown list; expected one of info, {', '.join(LISTS)}", field=key))
        elif name in LISTS and not isinstance(data[name], list):
            problems.append(E.BadValue("must be a list of records", field=name, value=type(data[name]).__name__))
    if problems:
        raise E.CatalogueError(problems, source)
    interviews = data.get("interviews") or []
    data["interviews"] = [_attach_text(item, i, root, problems) for i, item in enumerate(interviews)]
    try:
        cat = Catalogue(**data)
    except E.CatalogueError as exc:
        raise E.CatalogueError([*problems, *exc.problems], source) from None
    except E.InputError as exc:
        raise E.CatalogueError([*problems, exc], source) from None
    if problems:
        raise E.CatalogueError(problems, source)
    return cat


def _attach_text(item: Any, index: int, root: Path | None, problems: list[E.InputError]) -> Any:
    if not isinstance(item, dict) or "text_file" not in item:
        return item
    item = dict(item)
    rid = item.get("id") or f"interviews[{index}]"
    rel = item.pop("text_file")
    lang = item.pop("text_lang", None)
    if lang is None:
        problems.append(E.MissingField("text_file needs text_lang (the transcript's language)",
                                       record=rid, field="text_lang"))
        return item
    path = (root or Path.cwd()) / str(rel)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        problems.append(E.InputError(f"cannot read transcript: {exc.strerror}", record=rid, field="text_file",
                                     value=str(rel)))
        return item
    item["text"] = [*(item.get("text") or []), {"text": text, "lang": lang}]
    return item


def load_catalogue(path: str | os.PathLike[str]) -> Catalogue:
    """Load a catalogue from a YAML/JSON catalogue file or from lod's own RDF output.

    >>> import lod
    >>> cat = lod.load_catalogue(lod.example_path())
    >>> cat["madina"].titles[0].text
    'Madina'
    """
    p = Path(path)
    if p.suffix.lower() in CATALOGUE_SUFFIXES and not p.name.endswith((".jsonld", ".ld.json")):
        return catalogue_from_data(read_data(p), root=p.parent, source=str(p))
    format_for_path(p)  # a clear error for unknown extensions
    from .mapping import from_graph
    return from_graph(read_graph(p))
