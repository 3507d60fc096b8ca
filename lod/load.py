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
import re
from pathlib import Path
from typing import Any

import yaml

from . import errors as E
from .model import ALIASES, LISTS, Catalogue
from .values import lang_list
from .writers import format_for_path, read_graph

CATALOGUE_SUFFIXES = (".yaml", ".yml", ".json")

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """YAML safe loader that keeps dates as text: lod checks them itself and names the record.

    (PyYAML would turn ``2019-02-30`` into a crash and ``2019-11-14`` into a ``date``.)
    """


_Loader.yaml_implicit_resolvers = {  # type: ignore[attr-defined]
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()  # type: ignore[attr-defined]
}
# YAML 1.1 reads yes/no/on/off as booleans: a Norwegian name {no: Ola} would get the language False.
# As in YAML 1.2, only true and false are booleans here.
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def _mapping_without_duplicates(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (the second would silently replace the first)",
                key_node.start_mark)
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)  # type: ignore[no-any-return]


_Loader.add_constructor("tag:yaml.org,2002:map", _mapping_without_duplicates)


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
    problems: list[E.InputError] = []
    clean: dict[str, Any] = {}
    for key, value in data.items():
        name = ALIASES.get(key, key)
        if name not in LISTS and name != "info":
            problems.append(E.UnknownField(f"unknown list; expected one of info, {', '.join(LISTS)}", field=key))
        elif name in clean:
            problems.append(E.BadValue(f"'{key}' and '{name}' are the same list; give it once", field=key))
        elif value is None:
            continue  # an empty YAML list written as "films:"
        elif name in LISTS and not isinstance(value, list):
            problems.append(E.BadValue("must be a list of records", field=key, value=type(value).__name__))
        else:
            clean[name] = value
    data = clean
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
    except UnicodeDecodeError as exc:
        problems.append(E.InputError(f"transcript is not UTF-8 text: {exc.reason} at byte {exc.start}",
                                     record=rid, field="text_file", value=str(rel)))
        return item
    inline = lang_list(item.get("text") or [])
    item["text"] = [*(inline if isinstance(inline, list) else [inline]), {"text": text, "lang": lang}]
    return item


def load_partial(path: str | os.PathLike[str]) -> tuple[Catalogue, list[E.InputError]]:
    """Load what can be loaded: records with problems are left out and their problems returned.

    A record that refers to a left-out record is left out too (its problem says so), so the
    catalogue that comes back is always whole. Problems that concern the file itself (it cannot
    be read, an unknown list) are still raised.
    """
    p = Path(path)
    if p.suffix.lower() not in CATALOGUE_SUFFIXES or is_jsonld_file(p):
        return load_catalogue(p), []
    return partial_from_data(read_data(p), root=p.parent, source=str(p))


def is_jsonld_file(path: Path) -> bool:
    """A ``.json`` file that holds JSON-LD (as ``lod.dump`` writes for ``.json``), not a catalogue."""
    if path.name.endswith((".jsonld", ".ld.json")):
        return True
    if path.suffix.lower() != ".json":
        return False
    data = read_data(path)
    return "@context" in data or "@graph" in data


def partial_from_data(data: dict[str, Any], *, root: Path | None = None, source: str | None = None
                      ) -> tuple[Catalogue, list[E.InputError]]:
    """:func:`catalogue_from_data` that leaves bad records out instead of failing."""
    data = dict(data)
    dropped: list[E.InputError] = []
    for _ in range(len(LISTS) * 1000):  # each round drops at least one record
        try:
            return catalogue_from_data(data, root=root, source=source), dropped
        except E.CatalogueError as exc:
            problems = exc.problems
        except E.InputError as exc:
            problems = [exc]
        bad = {p.record for p in problems if p.record}
        if not bad or any(p.record is None for p in problems):
            raise E.CatalogueError([*dropped, *problems], source)
        before = (_size(data), data.get("info"))
        data = {name: [item for i, item in enumerate(items)
                       if not (_item_id(item) in bad or f"{name}[{i}]" in bad)]
                if name in LISTS and isinstance(items, list) else items
                for name, items in data.items()}
        info_refs = [p for p in problems if p.record and p.record.startswith("info:") and p.field == "publisher"]
        if info_refs and isinstance(data.get("info"), dict):
            # the catalogue block stays: it referred to a record that was left out, so that reference goes
            data["info"] = {k: v for k, v in data["info"].items() if k != "publisher"}
        if (_size(data), data.get("info")) == before:
            raise E.CatalogueError([*dropped, *problems], source)  # nothing more can be left out
        dropped.extend(problems)
    raise E.CatalogueError(dropped, source)  # pragma: no cover - the loop always ends sooner


def _size(data: dict[str, Any]) -> int:
    return sum(len(v) for k, v in data.items() if k in LISTS and isinstance(v, list))


def _item_id(item: Any) -> Any:
    return str(item.get("id")) if isinstance(item, dict) and item.get("id") is not None else None


def load_catalogue(path: str | os.PathLike[str]) -> Catalogue:
    """Load a catalogue from a YAML/JSON catalogue file or from lod's own RDF output.

    >>> import lod
    >>> cat = lod.load_catalogue(lod.example_path())
    >>> cat["madina"].titles[0].text
    'Madina'
    """
    from .mapping import from_graph

    p = Path(path)
    if is_jsonld_file(p):
        return from_graph(read_graph(p, "json-ld"))  # JSON-LD, as lod.dump writes for .json
    if p.suffix.lower() in CATALOGUE_SUFFIXES:
        return catalogue_from_data(read_data(p), root=p.parent, source=str(p))
    format_for_path(p)  # a clear error for unknown extensions
    return from_graph(read_graph(p))
