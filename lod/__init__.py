"""lod: linked open data for film culture.

Film-culture records (films, people, interviews, awards, festivals, screenings,
organisations, places, streaming windows) mapped to schema.org RDF aligned with
Wikidata, written as Turtle, N-Triples or JSON-LD, and read back.

>>> import lod
>>> cat = lod.load_catalogue(lod.example_path())
>>> g = lod.to_graph(cat, base="https://example.org/id/")
>>> lod.from_graph(g) == cat
True
>>> lod.dumps(cat, format="turtle").startswith("@prefix")
True
"""

from __future__ import annotations

from pathlib import Path

from ._resources import data_dir
from .errors import (BadDate, BadId, BadIRI, BadLanguageTag, BadQID, BadValue, CatalogueError, DuplicateId,
                     EmptyText, FileError, InputError, LodError, MissingField, MissingFile, RdfError, UnknownField, UnknownReference,
                     WriteError, WrongReferenceType)
from .load import catalogue_from_data, load_catalogue
from .mapping import DEFAULT_BASE, from_graph, record_iri, triples
from .views import to_graph
from .model import (REGISTRY, Award, AwardOutcome, CastCredit, Catalogue, CatalogueInfo, CompanyCredit,
                    ContentRating, CrewCredit, Entity, Festival, FestivalEdition, FestivalSection, Film, Funding,
                    Identifier, Image, Interview, Organization, Person, Place, Programme, Record, RecordKind, Screening,
                    Selection, StreamingWindow, Title, Work)
from .validation import PROFILES, Report, ValidationResult, ValidationRunError, validate, validate_batched
from .values import LangText
from .writers import dump, dumps, jsonld_context, parse, read_graph, serialize

__version__ = "0.1.0"

__all__ = [
    # reading and writing
    "load_catalogue", "catalogue_from_data", "to_graph", "from_graph", "triples", "dumps", "dump", "serialize",
    "parse", "read_graph", "jsonld_context", "record_iri", "example_path", "load_bag", "DEFAULT_BASE",
    # validation
    "validate", "validate_batched", "Report", "ValidationResult", "ValidationRunError", "PROFILES",
    # records
    "Catalogue", "CatalogueInfo", "Record", "Entity", "Film", "Person", "Organization", "Place", "Work",
    "Interview", "Award", "AwardOutcome", "Festival", "FestivalEdition", "FestivalSection", "Screening",
    "Programme", "Selection", "Title", "LangText", "CastCredit", "CrewCredit", "ContentRating", "Funding",
    "StreamingWindow", "Identifier", "Image", "CompanyCredit", "REGISTRY", "RecordKind",
    # errors
    "LodError", "InputError", "CatalogueError", "BadDate", "BadLanguageTag", "BadQID", "BadIRI", "BadId",
    "EmptyText", "UnknownReference", "WrongReferenceType", "DuplicateId", "MissingField", "UnknownField",
    "BadValue", "FileError", "MissingFile", "RdfError", "WriteError",
]


def load_bag(path: str | Path) -> Catalogue:
    """The records of a BagIt bag made by ``lod bag`` (verified first)."""
    from .archive import load_bag as _load_bag

    return _load_bag(path)


def example_path() -> Path:
    """The bundled example catalogue: the two Klassiki interviews (``examples/klassiki``)."""
    return Path(str(data_dir("examples").joinpath("klassiki", "catalogue.yaml")))
