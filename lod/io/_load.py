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

import difflib
import os
import re
from pathlib import Path
from typing import Any

from .. import errors as E
from ..records import Lines, load_json, load_yaml, read_text
from ..records import ALIASES, LISTS, Catalogue
from ..records import lang_list
from ._writers import format_for_path, read_graph

CATALOGUE_SUFFIXES = (".yaml", ".yml", ".json")


def read_data(path: str | os.PathLike[str], lines: Lines | None = None) -> dict[str, Any]:
    """The raw mapping in a YAML or JSON catalogue file (bounded, see :mod:`lod.decode`).

    With ``lines`` (a dict), a YAML file's record lines are put in it, for messages.
    """
    p = Path(path)
    text = read_text(p)
    if p.suffix.lower() in JSONL_SUFFIXES:
        return _jsonl_data(text, p, lines)
    data = load_json(text, str(p)) if p.suffix.lower() == ".json" else load_yaml(text, str(p), lines)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise E.FileError("a catalogue file must hold a mapping of lists (films:, people:, …), "
                          f"not a {type(data).__name__}", path=str(p), line=1)
    return data


JSONL_SUFFIXES = (".jsonl", ".ndjson")
"""JSON Lines catalogues: one record a line, ``{"films": {...}}`` (see :mod:`lod.stream`)."""


def jsonl_record(line: str | bytes, name: str, line_no: int) -> tuple[str, Any]:
    """One JSON Lines record: (list name as written, raw record), or a :class:`~lod.errors.FileError` at that line.

    The one reading of a line, for :func:`load_catalogue` and the streaming export alike.
    """
    obj = load_json(line, name, line_no)
    if not isinstance(obj, dict) or len(obj) != 1:
        raise E.FileError("a line must be one object with one key naming its list (films, people…)",
                          path=name, line=line_no)
    ((key, item),) = obj.items()
    return str(key), item


def _jsonl_data(text: str, path: Path, lines: Lines | None) -> dict[str, Any]:
    """A JSON Lines catalogue as the mapping a catalogue file holds (each record's line put in ``lines``)."""
    data: dict[str, Any] = {}
    for line_no, line in enumerate(text.split("\n"), start=1):  # JSON strings may hold U+2028, U+0085 raw
        if not line.strip():
            continue
        key, item = jsonl_record(line, path.name, line_no)
        if key == "info":
            data["info"] = item
            if lines is not None:
                lines[(key, -1)] = line_no
            continue
        items = data.setdefault(key, [])
        if lines is not None:
            lines[(key, len(items))] = line_no
        items.append(item)
    return data


def catalogue_from_data(data: dict[str, Any], *, root: Path | None = None, source: str | None = None,
                        transcripts: str | os.PathLike[str] | None = None, lines: Lines | None = None) -> Catalogue:
    """Build a catalogue from a parsed mapping; every problem is reported together.

    ``root`` is the folder that ``text_file`` paths are relative to (the catalogue's folder;
    default: the current folder). Transcripts are read only from inside ``transcripts``
    (default: ``root``): a path that leads elsewhere, by ``..``, an absolute path or a symbolic
    link, is refused, so a catalogue from outside cannot put other files into the export.
    ``lines`` (from :func:`read_data`) gives each problem the line of its record.
    """
    try:
        return _catalogue_from_data(data, root, source, transcripts)
    except E.CatalogueError as exc:
        if lines:
            place(exc.problems, data, lines)
            raise E.CatalogueError(exc.problems, source) from None
        raise


def place(problems: list[E.InputError], data: dict[str, Any], lines: Lines) -> None:
    """Give each problem the line of its record in the file (and a duplicate id the line of the first use)."""
    by_name = {(ALIASES.get(k, k), i): line for (k, i), line in lines.items()}
    first_of: dict[str, tuple[str, int]] = {}  # in the order the checks take the lists, as check_references
    named = {ALIASES.get(k, k): v for k, v in data.items()}
    for name in LISTS:
        items = named.get(name)
        if isinstance(items, list):
            for i, item in enumerate(items):
                rid = item.get("id") if isinstance(item, dict) else None
                if isinstance(rid, (str, int)) and not isinstance(rid, bool):
                    first_of.setdefault(str(rid), (name, i))

    def line_of(where: str | None) -> int | None:
        if where is None:
            return None
        if where == "info" or where.startswith("info:"):
            return by_name.get(("info", -1))
        pos = re.fullmatch(r"([a-z_]+)\[(\d+)\]", where)
        if pos:
            return by_name.get((pos.group(1), int(pos.group(2))))
        found = first_of.get(where)
        return by_name.get(found) if found else None

    for problem in problems:
        if problem.line is None:
            problem.line = line_of(problem.at if isinstance(problem, E.DuplicateId) else problem.record) or (by_name.get((str(problem.field), -1))
                                                      if problem.record is None else None)
        if isinstance(problem, E.DuplicateId) and problem.first and line_of(problem.first):
            problem.message = problem.message.replace(f"at {problem.first};",
                                                      f"at {problem.first} (line {line_of(problem.first)});")


def _catalogue_from_data(data: dict[str, Any], root: Path | None, source: str | None,
                         transcripts: str | os.PathLike[str] | None) -> Catalogue:
    problems: list[E.InputError] = []
    clean: dict[str, Any] = {}
    given: dict[str, str] = {}
    for key, value in data.items():
        name = ALIASES.get(key, key)
        given.setdefault(name, key)
        if name not in LISTS and name != "info":
            close = difflib.get_close_matches(str(key), [*LISTS, "info"], n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(E.UnknownField(f"unknown list; {hint}expected one of info, {', '.join(LISTS)}", field=key))
        elif name in clean:
            problems.append(E.BadValue(f"'{given[name]}' and '{key}' are the same list; give it once", field=key))
        elif value is None:
            continue  # an empty YAML list written as "films:"
        elif name in LISTS and not isinstance(value, list):
            problems.append(E.BadValue("must be a list of records", field=key, value=type(value).__name__))
        else:
            clean[name] = value
    data = clean
    interviews = data.get("interviews") or []
    texts = TranscriptFolder(root, transcripts)
    data["interviews"] = [texts.attach(item, i, problems) for i, item in enumerate(interviews)]
    try:
        cat = Catalogue(**data)
    except E.CatalogueError as exc:
        raise E.CatalogueError([*problems, *exc.problems], source) from None
    except E.InputError as exc:
        raise E.CatalogueError([*problems, exc], source) from None
    if problems:
        raise E.CatalogueError(problems, source)
    return cat


MAX_TRANSCRIPT_BYTES = 16 * 1024 * 1024
"""The largest transcript file read (16 MiB: a long interview is well under 1 MiB)."""


class TranscriptFolder:
    """Reads ``text_file`` transcripts, relative to ``root`` and only from inside ``allowed``."""

    def __init__(self, root: Path | None, allowed: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root) if root is not None else Path.cwd()
        self.allowed = Path(allowed) if allowed is not None else self.root
        self._allowed_real: Path | None = None
        self._used: dict[Path, str] = {}  # transcript -> the interview it belongs to

    def _inside(self, path: Path) -> Path | None:
        if self._allowed_real is None:
            self._allowed_real = self.allowed.resolve()
        real = path.resolve()
        return real if real.is_relative_to(self._allowed_real) else None

    def attach(self, item: Any, index: int, problems: list[E.InputError]) -> Any:
        """The interview with its transcript added to ``text`` (problems are appended, naming the record)."""
        if not isinstance(item, dict) or "text_file" not in item:
            return item
        item = dict(item)
        rid = item.get("id") if isinstance(item.get("id"), str) and item.get("id") else f"interviews[{index}]"
        rel = item.pop("text_file")
        lang = item.pop("text_lang", None)
        if lang is None:
            problems.append(E.MissingField("text_file needs text_lang (the transcript's language)",
                                           record=rid, field="text_lang"))
            return item
        if not isinstance(rel, str) or not rel.strip():
            problems.append(E.BadValue("text_file must be a file name, relative to the catalogue's folder",
                                       record=rid, field="text_file", value=rel))
            return item
        text = self._read(rel, rid, problems)
        if text is not None:
            inline = lang_list(item.get("text") or [])
            item["text"] = [*(inline if isinstance(inline, list) else [inline]), {"text": text, "lang": lang}]
        return item

    def _read(self, rel: str, rid: str, problems: list[E.InputError]) -> str | None:
        def refuse(message: str) -> None:
            problems.append(E.BadValue(message, record=rid, field="text_file", value=rel))

        try:
            real = self._inside(self.root / rel)
            if real is None:
                refuse(f"the transcript must be inside {self.allowed} (the catalogue's folder); to read from "
                       "another folder, name it with --transcripts DIR (Python: transcripts=DIR)")
                return None
            if not real.is_file():
                refuse("no such transcript file" if not real.exists() else "not a regular file")
                return None
            if real.stat().st_size > MAX_TRANSCRIPT_BYTES:
                refuse(f"the transcript is larger than {MAX_TRANSCRIPT_BYTES // (1024 * 1024)} MiB")
                return None
            if real.suffix.lower() in (*CATALOGUE_SUFFIXES, ".jsonl", ".ndjson"):
                refuse("a catalogue file is not a transcript; name the interview's text file")
                return None
            owner = self._used.setdefault(real, rid)
            if owner != rid:  # one file repeated by many interviews would multiply the export
                refuse(f"this file is already the transcript of interview {owner!r}; each interview has its own")
                return None
            return real.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            refuse(f"transcript is not UTF-8 text: {exc.reason} at byte {exc.start}")
        except (OSError, ValueError) as exc:  # ValueError: a NUL or a lone surrogate in the name
            refuse(f"cannot read transcript: {getattr(exc, 'strerror', None) or 'not a usable file name'}")
        return None


def is_jsonld_file(path: Path) -> bool:
    """A ``.json`` file that holds JSON-LD (as ``lod.dump`` writes for ``.json``), not a catalogue."""
    if path.name.endswith((".jsonld", ".ld.json")):
        return True
    if path.suffix.lower() != ".json":
        return False
    data = read_data(path)
    return "@context" in data or "@graph" in data


def catalogue_data(path: str | os.PathLike[str], lines: Lines | None = None) -> dict[str, Any]:
    """The raw mapping of any catalogue file: a YAML/JSON/JSON Lines file as it is written (with each
    record's line in ``lines``), lod's own RDF (Turtle, N-Triples, JSON-LD) as the records it reads back as."""
    p = Path(path)
    if p.suffix.lower() in (*CATALOGUE_SUFFIXES, *JSONL_SUFFIXES) and not is_jsonld_file(p):
        return read_data(p, lines)
    dumped: dict[str, Any] = load_catalogue(p).model_dump(mode="json", exclude_defaults=True)
    return {k: v for k, v in dumped.items() if v not in ((), [], None)}


def load_catalogue(path: str | os.PathLike[str], *, transcripts: str | os.PathLike[str] | None = None) -> Catalogue:
    """Load a catalogue from a YAML/JSON catalogue file or from lod's own RDF output.

    Interview transcripts (``text_file``) are read from inside the catalogue's folder only,
    unless ``transcripts`` names another folder they may come from.

    >>> import lod
    >>> cat = lod.load_catalogue(lod.example_path())
    >>> cat["madina"].titles[0].text
    'Madina'
    """
    from ..mapping import from_graph

    p = Path(path)
    if is_jsonld_file(p):
        return from_graph(read_graph(p, "json-ld"))  # JSON-LD, as lod.dump writes for .json
    if p.suffix.lower() in (*CATALOGUE_SUFFIXES, *JSONL_SUFFIXES):
        lines: Lines = {}
        return catalogue_from_data(read_data(p, lines), root=p.parent, source=str(p), transcripts=transcripts,
                                   lines=lines)
    format_for_path(p)  # a clear error for unknown extensions
    return from_graph(read_graph(p))
