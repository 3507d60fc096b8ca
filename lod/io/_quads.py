"""Strict reading of Turtle and N-Triples by pyoxigraph, with errors in lod's words.

``rdf_quads`` is the one strict reader: :func:`lod.parse` builds an rdflib graph from it, and
``lod.validate(path)`` builds the compiled engine's index from it with no rdflib graph between.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from .. import errors as E

OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}
_POSITION = re.compile(r"^Parser error at line (\d+) between columns (\d+) and \d+: (.*?)(?: \(line \d+\))?$", re.S)


def syntax_message(exc: SyntaxError, fmt: str) -> str:
    """pyoxigraph's syntax error as lod says it: the line, the column and the reason."""
    text = str(exc)
    m = _POSITION.match(text)
    if m:
        return f"not valid {fmt}: line {m[1]}, column {m[2]}: {m[3]}"
    return f"not valid {fmt}: {text}"


def rdf_quads(source: str | os.PathLike[str] | bytes, fmt: str, base: str | None = None) -> Iterator[Any]:
    """The triples of a Turtle or N-Triples file (a path) or text (bytes), parsed strictly, one at a time.

    A syntax error is a :class:`lod.errors.RdfError` naming the line and column (and the file).
    """
    oxfmt = OX_FORMATS[fmt]
    where = "" if isinstance(source, bytes) else f"{os.fspath(source)}: "
    try:
        if isinstance(source, bytes):
            yield from ox.parse(source, format=oxfmt, base_iri=base)
        else:
            yield from ox.parse(path=os.fspath(source), format=oxfmt, base_iri=base)
    except FileNotFoundError:
        raise E.MissingFile("no such file", path=os.fspath(source)) from None  # type: ignore[arg-type]
    except SyntaxError as exc:
        raise E.RdfError(where + syntax_message(exc, fmt)) from None
    except (OSError, ValueError) as exc:
        raise E.RdfError(f"{where}cannot be read as {fmt}: {exc}") from None
