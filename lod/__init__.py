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

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from ._resources import data_dir
from .errors import (BadDate, BadId, BadIRI, BadLanguageTag, BadQID, BadValue, CatalogueError, DuplicateId,
                     EmptyText, FileError, InputError, LodError, MissingField, MissingFile, RdfError, UnknownField,
                     UnknownReference, WriteError, WrongReferenceType)
from .io import catalogue_from_data, load_catalogue
from .mapping import DEFAULT_BASE, from_graph, record_iri, triples
from .mapping import to_graph
from .records import (REGISTRY, Award, AwardOutcome, CastCredit, Catalogue, CatalogueInfo, CompanyCredit,
                      ContentRating, CrewCredit, Entity, Festival, FestivalEdition, FestivalSection, Film, Funding,
                      Identifier, Image, Interview, Organization, Person, Place, Programme, Record, RecordKind,
                      Screening, Selection, StreamingWindow, Title, Work)
from .validation import PROFILES, Report, ValidationResult, ValidationRunError, validate, validate_batched
from .records import LangText
from .io import dump, dumps, jsonld_context, parse, read_graph, serialize

__version__ = "0.1.0"


# --- the module paths of the flat layout ------------------------------------------------------

_MOVED = {
    "values": "records._values", "model": "records._model", "alignment": "records._alignment",
    "decode": "records._decode", "schema": "records._schema", "views": "mapping._views", "fiaf": "mapping._fiaf",
    "statements": "mapping._statements", "web": "mapping._web", "atomic": "io._atomic", "writers": "io._writers",
    "fastwrite": "io._fastwrite", "load": "io._load", "shacl": "validation._shacl", "stream": "pipeline._stream",
    "distributed": "pipeline._distributed", "synthetic": "pipeline._synthetic", "publish": "archive._publish",
    "html": "site._html", "docs": "cli._docs",
}
"""Old module (``lod.stream``) -> the module it became (``lod.pipeline._stream``). ``lod.mapping``,
``lod.validation``, ``lod.pipeline``, ``lod.wikidata``, ``lod.archive`` and ``lod.cli`` are packages now
and give the names of the modules they were themselves."""


class _OldPaths(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``import lod.stream`` (and every module path of the flat layout) gives the module it became: the same
    module object, so its names, and a test's ``monkeypatch`` of them, are the module's own."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith("lod.") or fullname[4:] not in _MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(f"lod.{_MOVED[spec.name[4:]]}")
        self._own_specs[module.__name__] = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # the module it became has run already; the import system gave it the old name's spec: give its own back
        module.__spec__ = self._own_specs.get(module.__name__, module.__spec__)

    _own_specs: dict[str, Any] = {}

    def get_code(self, fullname: str) -> Any:
        """``python -m lod.docs`` (the old way to run ``lod vocab``): the command's code."""
        if fullname == "lod.docs":
            return compile("import sys\nfrom lod.cli import main\nsys.exit(main(['vocab', *sys.argv[1:]]))",
                           "<lod vocab>", "exec")
        raise ImportError(f"{fullname} is a module of the flat layout, not a script: use the lod command")


if not any(isinstance(f, _OldPaths) for f in sys.meta_path):
    sys.meta_path.append(_OldPaths())


def __getattr__(name: str) -> Any:
    """``lod.model`` (and the other modules of the flat layout) after a bare ``import lod``."""
    if name in _MOVED:
        return importlib.import_module(f"lod.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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
    from .archive import load_bag as load

    return load(path)


def example_path() -> Path:
    """The bundled example catalogue: the two Klassiki interviews (``examples/klassiki``)."""
    return Path(str(data_dir("examples").joinpath("klassiki", "catalogue.yaml")))
