"""Decoding catalogue text from outside: YAML and JSON with bounded work.

Catalogues come from contributors, submission forms and spreadsheets, so the text is
untrusted. Before anything is built from it, the decoder checks two bounds that the
format itself does not:

- **nesting**: at most :data:`MAX_DEPTH` levels of lists and mappings (a catalogue needs
  about eight: list, record, credit, note, text). Deeper input is refused with its
  position, instead of exhausting Python's stack;
- **YAML aliases**: ``*name`` repeats what ``&name`` marked. Aliases inside aliases grow
  exponentially (nine levels of nine aliases are 387 million values in under 1 KB), so
  what aliases add to a file is counted from the parser's events, before any value is
  built, and refused beyond :data:`MAX_ALIAS_VALUES`.

Problems are :class:`lod.errors.FileError`: the file, the line and column, and what to
do about it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from .. import errors as E

MAX_DEPTH = 48
"""Levels of lists and mappings a catalogue file or line may nest."""

MAX_ALIAS_VALUES = 100_000
"""Values YAML aliases may add to a file, counted as they expand."""

MAX_ALIAS_CHARS = 4_000_000
"""Characters of text YAML aliases may add to a file (a 1 MB text repeated 300 times is 300 MB)."""

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """YAML safe loader that keeps dates as text: lod checks them itself and names the record.

    (PyYAML would turn ``2019-02-30`` into a crash and ``2019-11-14`` into a ``date``.)
    """


_DROPPED = ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_Loader.yaml_implicit_resolvers = {  # type: ignore[attr-defined]
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()  # type: ignore[attr-defined]
}
# Numbers: plain decimal whole numbers only (a year, a count). YAML 1.1's octal, hexadecimal, binary and
# base-60 forms (1:59:59, whose conversion takes quadratic time) and every float stay text, as written:
# lod has no float field, "007" keeps its zeros, and a title "1.5" is a title. More than 30 digits stay
# text too (the field that wanted a number says so).
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]{0,29})$"),
                              list("-+0123456789"))

MAX_NUMBER_LENGTH = 40
"""Characters a YAML number may have (an explicit ``!!int`` or ``!!float`` included)."""


def _bounded_number(kind: str) -> Any:
    base = yaml.SafeLoader.yaml_constructors[f"tag:yaml.org,2002:{kind}"]

    def construct(loader: Any, node: yaml.ScalarNode) -> Any:
        if len(str(node.value)) > MAX_NUMBER_LENGTH:
            raise yaml.constructor.ConstructorError(
                None, None, f"a number of more than {MAX_NUMBER_LENGTH} characters", node.start_mark)
        return base(loader, node)

    return construct


_Loader.add_constructor("tag:yaml.org,2002:int", _bounded_number("int"))
_Loader.add_constructor("tag:yaml.org,2002:float", _bounded_number("float"))
# YAML 1.1 reads yes/no/on/off as booleans: a Norwegian name {no: Ola} would get the language False.
# As in YAML 1.2, only true and false are booleans here.
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def _mapping_without_duplicates(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            duplicate = key in seen
        except TypeError:  # a list or mapping as a key
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be text or a number, not a list or mapping", key_node.start_mark) from None
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (the second would silently replace the first)",
                key_node.start_mark)
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)  # type: ignore[no-any-return]


_Loader.add_constructor("tag:yaml.org,2002:map", _mapping_without_duplicates)


def _mark(mark: Any) -> tuple[int | None, int | None]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)


def _bound_yaml(text: str, source: str) -> None:
    """Refuse YAML nested too deeply or whose aliases expand too far, from the events alone."""
    sizes: dict[str, tuple[int, int]] = {}  # anchor -> (values, characters) its node stands for, expanded
    stack: list[list[Any]] = []  # per open collection: [anchor, values so far, characters so far]
    added = chars = 0  # what the aliases add
    loader = _Loader(text)
    try:
        while True:
            event = loader.get_event()
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if len(stack) >= MAX_DEPTH:
                    line, col = _mark(event.start_mark)
                    raise E.FileError(f"nested more than {MAX_DEPTH} levels deep; a catalogue needs far fewer",
                                      path=source, line=line, column=col)
                stack.append([event.anchor, 1, 0])
                continue
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                anchor, size, length = stack.pop()
            elif isinstance(event, yaml.ScalarEvent):
                anchor, size, length = event.anchor, 1, len(event.value)
            elif isinstance(event, yaml.AliasEvent):
                anchor = None
                size, length = sizes.get(event.anchor or "", (1, 0))
                added += size
                chars += length
                if added > MAX_ALIAS_VALUES or chars > MAX_ALIAS_CHARS:
                    line, col = _mark(event.start_mark)
                    what = f"{MAX_ALIAS_VALUES:,} values" if added > MAX_ALIAS_VALUES else \
                        f"{MAX_ALIAS_CHARS:,} characters"
                    raise E.FileError(
                        f"YAML aliases (*{event.anchor}) expand this file by more than {what}; "
                        "write the repeated values out, or split the file", path=source, line=line, column=col)
            elif isinstance(event, yaml.StreamEndEvent):
                return
            else:
                continue
            if anchor is not None:
                sizes[anchor] = (size, length)
            if stack:
                stack[-1][1] += size
                stack[-1][2] += length
    finally:
        loader.dispose()


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether a decoded value nests lists and mappings deeper than ``limit`` (without recursion)."""
    todo: list[tuple[Any, int]] = [(value, 0)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth >= limit:
            return True
        todo.extend((child, depth + 1) for child in children)
    return False


def _escape_surrogate_keys(value: Any) -> None:
    """Keys that are not valid Unicode (a lone surrogate escape such as \\ud800) are shown escaped.

    Keys name fields, lists and languages, all ASCII, so such a key is refused anyway; escaped, it
    is refused by the field check, naming the record and the field, like any other unknown name.
    """
    todo: list[Any] = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            for key in list(item):
                if isinstance(key, str) and not key.isascii():
                    try:
                        key.encode("utf-8")
                    except UnicodeEncodeError:
                        item[key.encode("utf-8", "backslashreplace").decode("ascii")] = item.pop(key)
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE_B = re.compile(rb"\\u[dD][89a-fA-F]")


_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
"""The C scanner ``json.loads`` ends in (a line's value is read with it directly: see :func:`load_json`)."""


def load_json(text: str | bytes, source: str, line: int | None = None) -> Any:
    """JSON text (a file, or one line of a JSON Lines file) with nesting bounded.

    Stripped UTF-8 bytes (a JSON Lines line) that hold one value, no ``\\u`` escape and few brackets are read by
    the C scanner ``json.loads`` ends in, without the calls on its way there (the encoding guessed, the value
    found again); anything else, and any line that does not read so, goes the whole way, which gives every
    error (``tests/test_bad_input.py``)."""
    if type(text) is bytes and not text.startswith(b"\xef\xbb\xbf") and b"\\u" not in text \
            and text.count(b"[") + text.count(b"{") <= MAX_DEPTH:
        try:
            decoded = text.decode("utf-8")
            value, end = _SCAN(decoded, 0)
        except (ValueError, StopIteration, RecursionError):
            pass  # (read again below, for the error it gives)
        else:
            if end == len(decoded):
                return value
    return _load_json_whole(text, source, line)


def _load_json_whole(text: str | bytes, source: str, line: int | None = None) -> Any:
    """:func:`load_json` the whole way: ``json.loads``, then the checks; each error in lod's words."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise E.FileError(f"nested more than {MAX_DEPTH} levels deep; a catalogue needs far fewer",
                          path=source, line=line) from None
    except json.JSONDecodeError as exc:
        raise E.FileError(f"not valid JSON: {exc.msg}", path=source,
                          line=exc.lineno if line is None else line,
                          column=exc.colno) from None
    except ValueError as exc:  # a number of more than 4300 digits
        raise E.FileError(f"not valid JSON: {exc}", path=source, line=line) from None
    if (_SURROGATE_ESCAPE_B if isinstance(text, bytes) else _SURROGATE_ESCAPE).search(text):  # type: ignore[arg-type]
        _escape_surrogate_keys(value)  # only a \\ud800-\\udfff escape makes text that is not Unicode
    brackets = (text.count(b"[") + text.count(b"{")) if isinstance(text, bytes) else (text.count("[") + text.count("{"))
    if brackets > MAX_DEPTH and _depth_exceeds(value, MAX_DEPTH):  # few brackets cannot nest deeply
        raise E.FileError(f"nested more than {MAX_DEPTH} levels deep; a catalogue needs far fewer",
                          path=source, line=line)
    return value


Lines = dict[tuple[str, int], int]
"""(top-level key, index in its list; -1 for the key itself) -> line in the file."""


def load_yaml(text: str, source: str, lines: Lines | None = None) -> Any:
    """YAML text with nesting and alias expansion bounded, dates kept as text, duplicate keys refused.

    With ``lines``, the line of each top-level key and of each item of a top-level list is put in it.
    """
    try:
        _bound_yaml(text, source)
        loader = _Loader(text)  # a safe loader
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
        if lines is not None and isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    lines[(key.value, -1)] = key.start_mark.line + 1
                    if isinstance(value, yaml.SequenceNode):
                        for i, item in enumerate(value.value):
                            lines[(key.value, i)] = item.start_mark.line + 1
        return data
    except E.FileError:
        raise
    except yaml.MarkedYAMLError as exc:
        line, col = _mark(exc.problem_mark)
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        raise E.FileError(f"not valid YAML: {what}", path=source, line=line, column=col) from None
    except yaml.YAMLError as exc:
        raise E.FileError(f"not valid YAML: {exc}", path=source) from None
    except (ValueError, OverflowError) as exc:  # a number of more than 4300 digits
        raise E.FileError(f"not valid YAML: {exc}", path=source) from None
    except RecursionError:  # pragma: no cover - the bound above stops such files first
        raise E.FileError(f"nested more than {MAX_DEPTH} levels deep", path=source) from None


def read_text(path: Path) -> str:
    """A catalogue file's text: UTF-8 (a byte-order mark is allowed), or a :class:`FileError`."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise E.MissingFile("no such catalogue file", path=str(path)) from None
    except IsADirectoryError:
        raise E.FileError("is a folder, not a catalogue file", path=str(path)) from None
    except OSError as exc:
        raise E.FileError(f"cannot read the catalogue file: {exc.strerror}", path=str(path)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise E.FileError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                          "save the file as UTF-8", path=str(path), line=line, column=column) from None
