"""The one strict reader of Turtle and N-Triples: pyoxigraph's parser, with errors in lod's words.

:func:`lod.parse` (and :func:`lod.read_graph`) build an rdflib graph from :func:`rdf_quads`;
``lod.validate(path)`` builds the compiled engine's index from it, with no rdflib graph between.
``tests/test_w3c_rdf.py`` runs the W3C RDF 1.1 Turtle and N-Triples suites through it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from itertools import islice
from typing import Any

import pyoxigraph as ox

from .. import errors as E

OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}
LABELS = {"turtle": "Turtle", "nt": "N-Triples", "json-ld": "JSON-LD"}
_OX_PREFIX = re.compile(r"(?:Parser error (?:at|between) [^:]*: )+", re.I)


def rdf_quads(source: str | bytes | os.PathLike[str], fmt: str, base: str | None = None) -> Quads:
    """The triples of Turtle or N-Triples text (``str`` or ``bytes``) or of a file (a path), parsed strictly,
    one at a time. A syntax error is a :class:`lod.errors.RdfError` naming the line, the column, what is
    wrong and the text there (and the file, for a path)."""
    return Quads(source, fmt, base)


class Quads:
    """pyoxigraph's quads of one text or file; ``prefixes`` are the ones it declares (known once read)."""

    def __init__(self, source: str | bytes | os.PathLike[str], fmt: str, base: str | None) -> None:
        self.text = source if isinstance(source, (str, bytes)) else None
        self.path: str | None = None if self.text is not None else str(os.fspath(source))  # type: ignore[arg-type]
        self.fmt = fmt
        self.base = base
        self._parser: Any = None

    @property
    def prefixes(self) -> dict[str, str]:
        found = getattr(self._parser, "prefixes", None)
        return dict(found) if found else {}

    def __iter__(self) -> Iterator[Any]:
        try:
            if self.text is not None:
                self._parser = ox.parse(self.text, format=OX_FORMATS[self.fmt], base_iri=self.base)
            else:
                self._parser = ox.parse(path=self.path, format=OX_FORMATS[self.fmt], base_iri=self.base)
            yield from self._parser
        except SyntaxError as exc:
            if self.text is not None:
                raise syntax_error(exc, self.text, self.fmt) from None
            error = syntax_error(exc, _line_of(str(self.path), exc.lineno), self.fmt, whole=False)
            raise E.RdfError(f"{self.path}: {error}") from None
        except FileNotFoundError:
            raise E.MissingFile("no such file", path=str(self.path)) from None
        except OSError as exc:  # a folder, no permission, …
            raise E.FileError(f"cannot be read: {exc.strerror or exc}", path=str(self.path)) from None


def _line_of(path: str, line_no: int | None) -> str:
    """The one line of a file an error is on (the file is not read whole for a message)."""
    if not line_no:
        return ""
    with open(path, "rb") as f:
        found = next(islice(f, line_no - 1, None), b"")
    return found.decode("utf-8", "replace").rstrip("\r\n")


def syntax_error(exc: SyntaxError, text: str | bytes, fmt: str, whole: bool = True) -> E.RdfError:
    """pyoxigraph's parse error in lod's words: where (line, column in characters), what, and the text there.

    ``text`` is the whole text parsed, or (``whole=False``) only the line the error is on.
    """
    reason = _OX_PREFIX.sub("", exc.msg or str(exc), count=1)
    reason = reason[:1].lower() + reason[1:]
    if reason.startswith("no scheme found in an absolute IRI"):
        reason = ("a relative IRI, and N-Triples allows only absolute ones" if fmt == "nt" else
                  "a relative IRI and no base to resolve it against (add @base to the file, or give lod.parse base=)")
    line_no = exc.lineno or 0
    if whole:
        lines = (text.decode("utf-8", "replace") if isinstance(text, bytes) else text).split("\n")
        line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    else:
        line = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    if fmt == "json-ld":  # the position is in pyld's N-Quads, not in the user's file: show the statement instead
        return E.RdfError(f"not valid JSON-LD: it expands to RDF that is not valid: {reason} (in {_shorten(line)!r})")
    start = (exc.offset or 1) - 1  # pyoxigraph's columns count characters, from 1; the end is exclusive
    end = exc.end_offset - 1 if exc.end_lineno == line_no and exc.end_offset else start
    near = line[start: max(end, start + 1)] if end - start <= 60 else line[start: start + 60] + "…"
    if reason == "unexpected end of file" and near[:1] in "\"'":
        reason = "the string that starts here is never closed"
    where = f"at line {line_no}, column {start + 1}" if line_no else "at its end"
    return E.RdfError(f"not valid {LABELS[fmt]} {where}: {reason}" + (f" (at {near!r})" if near.strip() else ""))


def _shorten(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
