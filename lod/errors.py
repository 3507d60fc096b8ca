"""One exception hierarchy, rooted at :class:`LodError`, so callers can catch one thing.

``InputError`` and its subclasses describe bad input: each names the record, the
field and the offending value. ``CatalogueError`` carries every problem found in a
catalogue at once, so a curator fixes a file in one pass. The whole tree (the classes
defined elsewhere are named by the stage they are raised from, and imported from it; ``tests/test_typing.py`` checks it is complete)::

    LodError
    ├── InputError (also ValueError)
    │   ├── BadDate, BadLanguageTag, BadQID, BadIRI, BadId, EmptyText
    │   ├── UnknownReference, WrongReferenceType, DuplicateId, MissingField, UnknownField
    │   ├── BadValue
    │   ├── FileError
    │   │   ├── UnknownFormat (also BadValue)
    │   │   └── MissingFile
    │   └── CatalogueError
    ├── RdfError (also ValueError)
    ├── WriteError (also OSError)
    ├── AlignmentError
    ├── ValidationRunError (also RuntimeError; also importable from lod.validation)
    ├── wikidata.WikidataError
    │   ├── wikidata.OfflineMiss
    │   └── wikidata.Unreachable
    ├── archive.BagError
    └── archive.PublishError
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


class LodError(Exception):
    """Root of every error raised on purpose by lod."""


class InputError(LodError, ValueError):
    """A record, field or value is wrong.

    ``record`` is the record's id (or its position, such as ``films[3]``, when it
    has no usable id), ``field`` a dotted path inside the record (``titles[0].lang``)
    and ``value`` the value that was refused.
    """

    code = "invalid"

    def __init__(self, message: str, *, record: str | None = None, field: str | None = None,
                 value: Any = None) -> None:
        self.message = message
        self.record = record
        self.field = field
        self.value = value
        self.line: int | None = getattr(self, "line", None)
        """The line of the record in its catalogue file, where the file tells (YAML, JSON Lines)."""
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = " ".join(p for p in (f"line {self.line}:" if self.line else "",
                                     f"record {self.record!r}" if self.record else "",
                                     f"field {self.field!r}" if self.field else "") if p)
        value = "" if self.value is None else f" (value: {_short(self.value)})"
        return f"{where}: {self.message}{value}" if where else f"{self.message}{value}"

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "line": self.line, "record": self.record, "field": self.field,
                "value": None if self.value is None else _short(self.value), "message": self.message}


class BadDate(InputError):
    code = "bad_date"


class BadLanguageTag(InputError):
    code = "bad_language_tag"


class BadQID(InputError):
    code = "bad_qid"


class BadIRI(InputError):
    code = "bad_iri"


class BadId(InputError):
    code = "bad_id"


class EmptyText(InputError):
    code = "empty_text"


class UnknownReference(InputError):
    code = "unknown_reference"


class WrongReferenceType(InputError):
    code = "wrong_reference_type"


class DuplicateId(InputError):
    code = "duplicate_id"
    first: str | None = None
    """Where the id is used first (``people[0]``)."""
    at: str | None = None
    """Where this second use is (``films[2]``)."""


class MissingField(InputError):
    code = "missing_field"


class UnknownField(InputError):
    code = "unknown_field"


class BadValue(InputError):
    code = "bad_value"


class FileError(InputError):
    """A catalogue file cannot be read or decoded: it names the file and, where known, the line and column."""

    code = "bad_file"

    def __init__(self, message: str, *, path: str, line: int | None = None, column: int | None = None) -> None:
        self.path, self.line, self.column = path, line, column
        super().__init__(message)

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.path, self.line, self.column if self.line else None) if p is not None)
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "file": self.path, "line": self.line, "column": self.column}


class UnknownFormat(FileError, BadValue):
    """A file name that names no RDF format (also a :class:`BadValue`, as it was before it named the file)."""

    code = "unknown_format"


class MissingFile(FileError):
    """The file to read is not there (the command could not run, rather than bad input)."""

    code = "file_not_found"


class CatalogueError(InputError):
    """Several problems in one catalogue (file, dict or graph), reported together."""

    code = "catalogue"

    def __init__(self, problems: Sequence[InputError], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        head = f"{len(self.problems)} problem(s)" + (f" in {source}" if source else "")
        body = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{head}:\n{body}")

    def __str__(self) -> str:
        return self.message


class RdfError(LodError, ValueError):
    """An RDF document could not be parsed or does not describe lod records."""


class AlignmentError(LodError):
    """The alignment table itself is malformed (a packaging or editing mistake, not bad input)."""


class WriteError(LodError, OSError):
    """An output file could not be written; nothing partial was left behind."""


def _short(value: Any, limit: int = 80) -> str:
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # an int past Python's 4300-digit limit, a value nested too deep
        return f"<a {type(value).__name__} too large to show>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def first_or_group(problems: Iterable[InputError], source: str | None = None) -> InputError:
    """One problem is raised as itself; several as a :class:`CatalogueError`."""
    items = list(problems)
    return items[0] if len(items) == 1 else CatalogueError(items, source)


class ValidationRunError(LodError, RuntimeError):
    """Validation could not run (broken shapes, engine failure): nothing is known about conformance."""
