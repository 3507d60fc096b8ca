"""The alignment table (``vocab/alignment.tsv``): one place for every mapping fact.

Each row says, for one record field, its schema.org term, its Wikidata property and its
FIAFcore term. :func:`table` reads it once; the mapper, the reader, the JSON-LD context
and the docs all ask it.

>>> from lod.alignment import table
>>> table().row("Film", "directors").schema
'schema:director'
>>> str(table().iri("schema:director"))
'http://schema.org/director'
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from rdflib import URIRef

from .._resources import read_text
from ..errors import AlignmentError

SCHEMA = "http://schema.org/"
LOD = "https://w3id.org/lod-film/vocab#"
WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
FIAF = "https://fiafcore.org/ontology/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"

PREFIXES: dict[str, str] = {
    "schema": SCHEMA, "lod": LOD, "wd": WD, "wdt": WDT, "fiaf": FIAF, "rdf": RDF, "rdfs": RDFS, "xsd": XSD,
}
"""Prefixes written in every Turtle file and JSON-LD context, in this order."""

COLUMNS = ("record", "field", "schema", "wikidata", "fiaf", "also", "via", "note")


@dataclass(frozen=True)
class Row:
    """One line of the alignment table."""

    record: str
    field: str
    schema: str
    wikidata: str
    fiaf: str
    also: str
    via: str
    note: str
    line: int




class Table:
    """The parsed alignment table, indexed by (record, field)."""

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows
        self._by_key: dict[tuple[str, str], list[Row]] = {}
        for row in rows:
            self._by_key.setdefault((row.record, row.field), []).append(row)
        for key, found in self._by_key.items():
            if len(found) > 1 and key[1] != "@const":
                raise AlignmentError(f"alignment table lines {[r.line for r in found]}: {key} is listed twice")

    def row(self, record: str, field: str) -> Row:
        """The row for a field; ``Entity`` rows serve every entity."""
        for rec in (record, "Entity", "*"):
            found = self._by_key.get((rec, field))
            if found:
                return found[0]
        raise KeyError(f"the alignment table has no row for {record}.{field}")

    def find(self, record: str, field: str) -> Row | None:
        try:
            return self.row(record, field)
        except KeyError:
            return None

    def consts(self, record: str) -> list[Row]:
        return self._by_key.get((record, "@const"), [])

    def values(self, record: str, field: str) -> dict[str, Row]:
        """Enumeration rows ``Record.field <value>``: value -> row."""
        prefix = f"{record}.{field}"
        return {r.field: r for r in self.rows if r.record == prefix}

    @staticmethod
    def iri(curie: str) -> URIRef:
        """Expand ``schema:name`` to a full IRI (only the table's known prefixes)."""
        prefix, _, local = curie.partition(":")
        if prefix not in PREFIXES or not local:
            raise AlignmentError(f"not a known CURIE: {curie!r}")
        return URIRef(PREFIXES[prefix] + local)


@cache
def table() -> Table:
    """The alignment table shipped with lod, parsed once."""
    text = read_text("vocab", "alignment.tsv")
    rows: list[Row] = []
    header_seen = False
    for number, cells in enumerate(csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE), start=1):
        if not cells or cells[0].startswith("#"):
            continue
        if not header_seen:
            if tuple(cells) != COLUMNS:
                raise AlignmentError(f"alignment table line {number}: header must be {COLUMNS}")
            header_seen = True
            continue
        if len(cells) != len(COLUMNS):
            raise AlignmentError(f"alignment table line {number}: {len(cells)} columns, expected {len(COLUMNS)}")
        record, field, schema, wikidata, fiaf, also, via, note = (c.strip() for c in cells)
        rows.append(Row(record, field, schema, wikidata, fiaf, also, via, note, line=number))
    return Table(rows)


@cache
def schema_supertypes(cls: str) -> tuple[URIRef, ...]:
    """The schema.org classes a lod class specialises, as ``vocab/lod.ttl`` states them (``rdfs:subClassOf``).

    Every node typed with a lod class is also typed with these, so that a reader that knows only
    schema.org (a search engine, a schema.org validator) sees ``schema:name`` and
    ``schema:superEvent`` used within their domains.

    >>> [str(t) for t in schema_supertypes(LOD + "FestivalSection")]
    ['http://schema.org/Event']
    """
    if not cls.startswith(LOD):
        return ()
    return _lod_superclasses().get(cls, ())


@cache
def _lod_superclasses() -> dict[str, tuple[URIRef, ...]]:
    import pyoxigraph as ox

    found: dict[str, list[str]] = {}
    for t in ox.parse(read_text("vocab", "lod.ttl").encode(), format=ox.RdfFormat.TURTLE):
        if t.predicate.value == RDFS + "subClassOf" and t.object.value.startswith(SCHEMA):
            found.setdefault(t.subject.value, []).append(t.object.value)
    return {k: tuple(URIRef(v) for v in sorted(vs)) for k, vs in found.items()}

