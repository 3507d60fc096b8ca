"""SHACL validation with profiles, and reports a curator can act on.

>>> import lod
>>> report = lod.validate(lod.load_catalogue(lod.example_path()), profiles=("core",))
>>> report.conforms
True

Profiles are Turtle files in ``shapes/`` (``core``, ``web``, ``wikidata``, ``archive``),
parsed once and reused. pyshacl runs with no inference and no ``owl:imports``. Each
result is mapped back from its focus node and path, through the alignment table, to the
record id and field (``cast[1].person``).

"Could not validate" (a broken shapes file, an engine error) raises
:class:`ValidationRunError`; it is never reported as "does not conform".
"""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from .. import errors as E
from .._resources import data_dir
from ..mapping import (ID_IRI, CATALOGUE_KIND, DEFAULT_BASE, KINDS, POSITION, FastMapper, FastTriple, Mapper,
                       gc_paused, plan)
from ..records import Catalogue, CatalogueInfo, nested_fields, referable_kinds
from ..io import grouped
from ._shacl import FastData, PositionLookup, drop_result, plain_term_of, rdflib_term, run_shacl
from ..records import WIKIDATA_ENTITY

PROFILES: tuple[str, ...] = ("core", "web", "wikidata", "archive")
"""The validation profiles shipped in ``shapes/``."""

SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}


ValidationRunError = E.ValidationRunError  # defined in errors.py (every error is); importable from here too


@dataclass(frozen=True)
class ValidationResult:
    """One finding: how severe, which record and field, the value, and what to do."""

    severity: str
    record: str | None
    field: str | None
    value: str | None
    message: str
    focus: str
    path: str | None = None
    shape: str | None = None

    def __str__(self) -> str:
        where = " ".join(p for p in (f"record {self.record!r}" if self.record else f"node <{self.focus}>",
                                     f"field {self.field!r}" if self.field else "") if p)
        value = f" (value: {self.value})" if self.value is not None else ""
        return f"{self.severity.upper()}: {where}: {self.message}{value}"


@dataclass
class Report:
    """The outcome of validating one catalogue or graph against some profiles.

    ``conforms`` is lod's verdict: no violation (warnings and infos are advice to a curator; ``--strict``
    makes warnings fail too). SHACL 1.0's own verdict, false as soon as there is any result of any
    severity, is :attr:`shacl_conforms`, and the ``sh:conforms`` of :attr:`graph`.
    """

    conforms: bool
    results: list[ValidationResult]
    profiles: tuple[str, ...]
    graph: Graph = field(repr=False)
    """The SHACL results graph of the engine that ran. Its ``sh:conforms`` is SHACL's verdict
    (:attr:`shacl_conforms`). The compiled engine (the default) copies each complex ``sh:resultPath``
    in (its list and path nodes), so the results read on their own; a blank ``sh:sourceShape`` is named,
    not described (pyshacl copies all the shapes' triples in: ``engine="pyshacl"`` for that)."""

    by_pyshacl: tuple[str, ...] = ()
    """The shapes the compiled engine left to pyshacl (SHACL-SPARQL), each with the reason."""

    @property
    def shacl_conforms(self) -> bool:
        """The SHACL Recommendation's verdict (§3.6.1): true only without any result at all."""
        return not self.results

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "warning"]

    @property
    def infos(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "info"]

    def records_with_violations(self) -> set[str]:
        return {r.record for r in self.violations if r.record}

    def text(self, strict: bool = False) -> str:
        """The verdict and every result; with ``strict``, warnings make it "does not conform" too."""
        fails = not self.conforms or (strict and bool(self.warnings))
        verdict = "does not conform" if fails else "conforms"
        if strict and self.conforms and self.warnings:
            verdict += " (warnings fail with --strict)"
        head = (f"{verdict} to {', '.join(self.profiles)}: {len(self.violations)} violation(s), "
                f"{len(self.warnings)} warning(s), {len(self.infos)} info(s)")
        if not fails and self.results:
            head += " (lod's verdict: no violation; by SHACL's own, which any result fails, it does not conform)"
        notes = [f"NOTE: validated by pyshacl, not compiled: {note}" for note in self.by_pyshacl]
        return "\n".join([head, *(str(r) for r in self.results), *notes]) + "\n"

    def json(self, strict: bool = False) -> str:
        return json.dumps({"conforms": self.conforms and not (strict and bool(self.warnings)),
                           "shacl_conforms": self.shacl_conforms,
                           "profiles": list(self.profiles), "strict": strict,
                           "violations": len(self.violations), "warnings": len(self.warnings),
                           "infos": len(self.infos),
                           "results": [asdict(r) for r in self.results],
                           "by_pyshacl": list(self.by_pyshacl)}, ensure_ascii=False, indent=2) + "\n"


# --- shapes ----------------------------------------------------------------------------

def profile_names(profiles: str | Iterable[str]) -> tuple[str, ...]:
    """Normalise ``"core,web"`` or ``("core", "web")``; unknown names are an error."""
    names = [p.strip() for p in (profiles.split(",") if isinstance(profiles, str) else profiles) if p.strip()]
    unknown = [p for p in names if p not in PROFILES]
    if unknown or not names:
        raise E.BadValue(f"unknown profile; use some of {', '.join(PROFILES)}", field="profiles",
                         value=",".join(unknown) or "")
    return tuple(dict.fromkeys(names))


ShapeFiles = tuple[tuple[str, int, int], ...]
"""Shapes files as ``(resolved path, mtime_ns, size)``: a key that changes when a file does."""


def shape_files(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None) -> ShapeFiles:
    """Users' own shapes files (Turtle, N-Triples or JSON-LD, by extension), checked to exist."""
    if paths is None:
        return ()
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    out = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            raise E.BadValue(f"{path} is a folder: give shapes files (a folder of <profile>.ttl files is "
                             "shapes_dir, --shapes DIR alone on the command line)", field="shapes", value=str(path))
        try:
            stat = path.stat()
        except FileNotFoundError:
            raise E.MissingFile("no such shapes file", path=str(path)) from None
        out.append((str(path.resolve()), stat.st_mtime_ns, stat.st_size))
    return tuple(out)


def shapes_graph(profiles: tuple[str, ...], shapes_dir: str | os.PathLike[str] | None = None,
                 files: ShapeFiles = ()) -> Graph:
    """The shapes of the given profiles (from lod's ``shapes/`` or another folder) and of users' own
    shapes files (:func:`shape_files`), parsed once per process (again when a file changes)."""
    folder = None if shapes_dir is None else str(Path(shapes_dir).resolve())
    if not files:
        return _shapes_graph(profiles, folder)
    return _with_files(profiles, folder, files)


def _union(parts: list[Graph]) -> Graph:
    """Shapes graphs as one (one part is used as it is), with every part's prefixes: generated messages use them."""
    if len(parts) == 1:
        return parts[0]
    g = Graph(bind_namespaces="none")
    for part in parts:
        g.addN((s, p, o, g) for s, p, o in part)
        for prefix, ns in part.namespaces():
            g.bind(prefix, ns, override=False)
    return g


@cache
def _with_files(profiles: tuple[str, ...], shapes_dir: str | None, files: ShapeFiles) -> Graph:
    from ..io import read_graph

    parts = [_shapes_graph(profiles, shapes_dir)] if profiles else []
    for path, _, _ in files:
        try:
            part = read_graph(path)  # strict and offline: no remote context, no owl:imports followed
        except E.LodError as exc:
            raise ValidationRunError(f"could not validate: the shapes file cannot be read: {exc}") from None
        if not any(str(p).startswith(str(SH)) for p in part.predicates()) and \
                not any(part.triples((None, RDF.type, SH.NodeShape))):
            raise ValidationRunError(f"could not validate: {path} holds no SHACL shapes (no sh:NodeShape, no "
                                     "sh: parameters); is it the data? Give the data first: "
                                     "lod validate DATA --shapes SHAPES…")
        parts.append(part)
    g = _union(parts)  # never the cached profile graph itself: a file is always among the parts
    if not any(g.triples((None, None, None))):
        raise ValidationRunError("could not validate: the shapes files hold no triples")
    _refuse_unsafe_shapes(g)
    return g


def shapes_names(profiles: tuple[str, ...], files: ShapeFiles) -> tuple[str, ...]:
    """What a report says it validated against: the profiles, then each shapes file by name."""
    return (*profiles, *(Path(path).name for path, _, _ in files))


@cache
def _shapes_graph(profiles: tuple[str, ...], shapes_dir: str | None) -> Graph:
    g = Graph(bind_namespaces="none")
    folder: Any = data_dir("shapes") if shapes_dir is None else Path(shapes_dir)
    for name in profiles:
        resource = folder.joinpath(f"{name}.ttl")
        try:
            text = resource.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationRunError(f"could not validate: shapes file for profile {name!r} cannot be read: {exc}"
                                     ) from None
        try:
            g.parse(data=text, format="turtle", publicID=f"https://w3id.org/lod-film/shapes/{name}")
        except Exception as exc:  # rdflib raises several types for syntax errors
            raise ValidationRunError(f"could not validate: shapes file {name}.ttl is broken: {exc}") from None
    _refuse_unsafe_shapes(g)
    return g


_SPARQL_TEXT = (SH.select, SH.ask, SH.construct, SH.update)


def _refuse_unsafe_shapes(shapes: Graph) -> None:
    """No network and no rules: SPARQL SERVICE would query a remote endpoint, sh:rule changes data."""
    import re

    for pred in _SPARQL_TEXT:
        for text in shapes.objects(None, pred):
            if re.search(r"\bSERVICE\b", str(text), re.IGNORECASE):
                raise ValidationRunError("could not validate: a shape uses SPARQL SERVICE, which would query a remote "
                                         "endpoint; lod's validation never touches the network")
    if any(shapes.triples((None, SH.rule, None))):
        raise ValidationRunError("could not validate: the shapes contain SHACL rules (sh:rule), which would change "
                                 "the data; lod validates without rules or inference unless asked")


# --- running ---------------------------------------------------------------------------

ENGINES = ("pyshacl", "fast")
"""Validation engines: pyshacl (the reference) and lod's compiled shapes (:mod:`lod.shacl`, same results)."""


DEFAULT_ENGINE = "fast"
"""The engine every path uses unless told otherwise: Python, the CLI, streaming and Dask alike."""


def validate(source: Catalogue | Graph | str | os.PathLike[str], profiles: str | Iterable[str] | None = None,
             base: str = DEFAULT_BASE, shapes_dir: str | os.PathLike[str] | None = None,
             inference: str = "none", engine: str = DEFAULT_ENGINE, *, batch_size: int | None = None,
             workers: int = 1,
             shapes: Graph | str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None) -> Report:
    """Validate a catalogue (mapped under ``base``) or an RDF graph against SHACL profiles or any shapes.

    ``profiles`` are lod's (default ``core``). ``shapes`` are anyone's: an rdflib graph, or shapes
    files (Turtle, N-Triples, JSON-LD; read offline, never fetched). With ``shapes`` and no
    ``profiles``, only those shapes are checked; name profiles too to check both.
    ``shapes_dir`` replaces lod's own ``shapes/`` folder (it must hold ``<profile>.ttl`` files).
    ``inference`` is off (``"none"``) unless asked: ``"rdfs"``, ``"owlrl"`` or ``"both"`` as pyshacl
    knows them (the data graph is then copied, not changed).
    ``engine="fast"`` (the default) runs the shapes compiled by :mod:`lod.shacl` (many times faster,
    the same results; shapes it cannot compile, and any inference, go to pyshacl);
    ``engine="pyshacl"`` runs the reference engine on everything.
    ``batch_size`` validates a catalogue record by record in batches of that many records, with
    ``workers`` processes: the graph in memory is one batch, and the results are the same
    (``tests/test_validate_batched.py``). A catalogue is validated by :class:`BatchValidator`
    in every case (the whole catalogue is one batch), as the streaming export and Dask do.
    """
    if workers > 1 and batch_size is None:
        batch_size = 500  # several workers share batches: the CLI's default size
    names = () if profiles is None and shapes is not None else profile_names(("core",) if profiles is None else profiles)
    files = shape_files(None if shapes is None or isinstance(shapes, Graph) else shapes)
    if isinstance(source, (str, os.PathLike)):
        return _validate_rdf_file(Path(source), names, shapes_dir, inference, engine, shapes, files)
    if not isinstance(source, (Catalogue, Graph)):
        raise E.BadValue("validate takes a Catalogue, an rdflib Graph or the path of an RDF file (load catalogue "
                         "files with lod.load_catalogue)", field="source", value=type(source).__name__)
    if batch_size is not None:
        if inference != "none":
            raise E.BadValue("inference needs the whole graph: validate without batch_size (and workers)",
                             field="inference", value=inference)
        if not isinstance(source, Catalogue):
            raise E.BadValue("batch_size needs a Catalogue (a graph is validated whole)", field="batch_size",
                             value=batch_size)
        if batch_size < 1 or workers < 1:
            raise E.BadValue("batch_size and workers must be at least 1", field="batch_size",
                             value=f"{batch_size}/{workers}")
    checker = BatchValidator(names, base if isinstance(source, Catalogue) else None, shapes_dir, engine, files,
                             shapes if isinstance(shapes, Graph) else None)
    names = checker.profiles
    if isinstance(source, Catalogue):
        if batch_size is not None:
            return _validate_batches(checker, source, batch_size, workers)
        mapper = FastMapper(source, base)
        # plain terms (see lod.mapping.Terms), taken as they come: no list of the catalogue's triples beside the data
        triples = cast("Iterator[FastTriple]", mapper.triples())
        found, results_graph = checker.check(triples, paths=lambda: mapper.node_paths, inference=inference)
        return Report(not any(r.severity == "violation" for r in found), found, names, results_graph,
                      checker.fallback_notes)
    data = FastData.from_graph(source)
    results_graph = checker.run(data, inference=inference)
    paths, graph_base = _paths_from_graph(source) if any(results_graph.objects(None, SH.result)) else ({}, None)
    found = report_results(results_graph, source, paths, checker.shapes, graph_base)
    return Report(not any(r.severity == "violation" for r in found), found, names, results_graph,
                  checker.fallback_notes)


EXACT_PATHS_UP_TO = 64 * 2**20
"""An RDF file up to this size with results is read back as records too, so that fields carry their list
positions (``availability[0].ends``); a larger one names records and fields without them."""


def _validate_rdf_file(path: Path, names: tuple[str, ...], shapes_dir: str | os.PathLike[str] | None,
                       inference: str, engine: str, shapes: Any, files: ShapeFiles) -> Report:
    """An RDF file (Turtle or N-Triples) read strictly by pyoxigraph straight into the compiled engine's
    index: no rdflib graph of the data is made to validate it. Results name records by their IRIs
    (``…/film/<id>``); up to :data:`EXACT_PATHS_UP_TO`, fields carry list positions too."""
    from ..io import format_of_suffix, rdf_quads, read_graph

    from ..io import is_jsonld_file

    fmt = format_of_suffix(path)
    if fmt == "json-ld" and path.suffix.lower() == ".json" and path.is_file() and not is_jsonld_file(path):
        raise E.BadValue("this .json file is a catalogue, not JSON-LD: load it with lod.load_catalogue and validate "
                         "the catalogue", field="source", value=str(path))
    if fmt is None:
        raise E.UnknownFormat("cannot tell the RDF format from the file name; name it .ttl, .nt or .jsonld",
                              path=str(path))
    if engine != "fast" or inference != "none" or fmt == "json-ld":
        graph = read_graph(path)
        if not len(graph):
            raise E.FileError("holds no triples: nothing to validate", path=str(path))
        return validate(graph, names or None, shapes_dir=shapes_dir, inference=inference, engine=engine,
                        shapes=shapes)
    checker = BatchValidator(names, None, shapes_dir, engine, files, shapes if isinstance(shapes, Graph) else None)
    try:
        with gc_paused():
            data = FastData.from_quads(rdf_quads(path, fmt))
    except E.RdfError as exc:
        message = str(exc)
        raise E.RdfError(message if message.startswith(str(path)) else f"{path}: {message}") from None
    if not data.spo:
        raise E.FileError("holds no triples: nothing to validate", path=str(path))
    results_graph = checker.run(data)
    paths: dict[URIRef, tuple[str, str]] = {}
    base: str | None = None
    if next(results_graph.objects(None, SH.result), None) is not None and path.stat().st_size <= EXACT_PATHS_UP_TO:
        paths, base = _paths_from_graph(read_graph(path))  # lod's records read back: fields with list positions
    found = report_results(results_graph, PositionLookup(data), paths, checker.shapes, base)  # type: ignore[arg-type]
    return Report(not any(r.severity == "violation" for r in found), found, checker.profiles, results_graph,
                  checker.fallback_notes)


@cache
def fast_validator(profiles: tuple[str, ...], shapes_dir: str | None = None, files: ShapeFiles = ()) -> Any:
    """The compiled shapes of some profiles and files (:class:`lod.shacl.FastValidator`), once per process."""
    from ._shacl import FastValidator

    return FastValidator(shapes_graph(profiles, shapes_dir, files))


class BatchValidator:
    """The one validator of catalogue records: ``lod.validate`` (whole, or with ``batch_size`` and
    ``workers``), ``lod validate``, the streaming export and every Dask part run :meth:`check`.

    A batch is some records' triples in plain terms (:data:`lod.mapping.PLAIN_TERMS`). The records
    outside it are seen through a *context*: for each record IRI, the objects of the predicates the
    compiled shapes read on nodes other than the focus (:attr:`lod.shacl.FastValidator.context_predicates`:
    types, nested shapes' predicates, later path steps), kept by :meth:`remember` while the records are
    mapped. Only the batch's own nodes are focus nodes, so every result is found once whatever the batch
    size, and the results equal those of the whole catalogue in one batch
    (``tests/test_validate_batched.py::test_every_path_runs_the_one_batch_validator``).

    ``engine`` is ``"fast"`` (the compiled shapes, pyshacl for what they cannot compile) or ``"pyshacl"``
    (the reference engine on the batch and its context as an rdflib graph).
    """

    def __init__(self, profiles: tuple[str, ...], base: str | None = DEFAULT_BASE,
                 shapes_dir: str | os.PathLike[str] | None = None, engine: str = DEFAULT_ENGINE,
                 files: ShapeFiles = (), shapes: Graph | None = None) -> None:
        if engine not in ENGINES:
            raise E.BadValue(f"unknown engine; use one of {', '.join(ENGINES)}", field="engine", value=engine)
        self.base = base
        self.engine = engine
        self.shapes_dir = None if shapes_dir is None else str(Path(shapes_dir).resolve())
        from ._shacl import FastValidator

        user = ([shapes_graph((), None, files)] if files else []) + ([shapes] if shapes is not None else [])
        """The users' own shapes (files, a graph), without lod's profiles."""
        if shapes is not None:  # a shapes graph handed in from Python, compiled for this validator
            _refuse_unsafe_shapes(shapes)
            self.compiled = FastValidator(_union([shapes_graph(profiles, self.shapes_dir), *user]) if profiles
                                          else _union(user))
        else:
            self.compiled = fast_validator(profiles, self.shapes_dir, files)
        self.batch_limits: tuple[str, ...] = ()
        """Why the users' shapes cannot be checked batch by batch (lod's profiles can, on lod's records:
        ``tests/test_validate_batched.py``); empty when they can."""
        if user:
            self.batch_limits = (self.compiled if not profiles else FastValidator(_union(user))).batch_limits
        self.profiles = shapes_names(profiles, files) + (("shapes graph",) if shapes is not None else ())
        """What the reports say they validated against."""
        self.shapes: Graph = self.compiled.shapes
        self.context_predicates: frozenset[str] = self.compiled.context_predicates
        self._interned: dict[Any, dict[str, dict[Any, None]]] = {}

    @property
    def fallback_notes(self) -> tuple[str, ...]:
        """The shapes the compiled engine leaves to pyshacl, with why (none unless ``engine="fast"``)."""
        if self.engine != "fast":
            return ()
        reasons = self.compiled.fallback_reasons
        return tuple(f"{node}: {reasons[node]}" for node in self.compiled.fallback)

    def remember(self, iri: str, triples: Iterable[FastTriple], context: dict[str, Any] | None = None
                 ) -> dict[str, dict[Any, None]] | None:
        """What the shapes read on record ``iri`` from other records (None: nothing), also kept in ``context``
        if given. Records alike get the same dict (among the last 4096 kinds of context).

        ``triples`` are the record's, :func:`lod.io.grouped` (its own node's in one run): the walk stops where
        that run ends, before the nested nodes' triples (most of a film's)."""
        keep = self.context_predicates
        own: dict[str, list[Any]] = {}
        nested = iri + "#"
        met = False
        for s, p, o in triples:
            if s != iri:
                if met:
                    break  # the run of the record's own node is over
                continue
            met = True
            if p in keep:
                if type(o) is str and o.startswith(nested):
                    # the record's own nested nodes (its credits…): their triples are not in the
                    # context anyway, so a stand-in keeps the count and lets records alike share one entry
                    o = _stand_in(len(own.get(p, ())))
                own.setdefault(p, []).append(o)
        if own:
            key = tuple(sorted((p, tuple(objs)) for p, objs in own.items()))
            found = self._interned.get(key)
            if found is None:  # records alike (every person: a schema:Person) share one dict
                if len(self._interned) >= 4096:  # (records each unlike the others, interviews by their authors,
                    self._interned.clear()       # would keep this growing: the index keeps each context once)
                found = self._interned[key] = {p: dict.fromkeys(objs) for p, objs in key}
            if context is not None:
                context[iri] = found
            return found
        return None

    def record_id(self, node: Any) -> str | None:
        """The id of the record a node is or belongs to (``{base}{kind}/{id}``, ``…#nested``), or None."""
        if type(node) is not str or self.base is None or not node.startswith(self.base):
            return None
        kind, slash, rest = node[len(self.base):].partition("/")
        return rest.partition("#")[0] if slash else None

    def _partial(self, subjects: Iterable[Any], own: set[str], info_iri: Any) -> set[Any]:
        """The subjects that are not the catalogue block's and not of a record in ``own``: described here only in
        part (:attr:`FastData.partial`). :meth:`record_id` in one comprehension, without a call a subject (the
        same sets: ``tests/test_validate_batched.py::test_partial_subjects_are_those_of_other_records``)."""
        base = self.base
        if base is None:
            return {s for s in subjects if s != info_iri}
        cut = len(base)
        # (no "/" after the base: partition gives "", and no record's id is empty)
        return {s for s in subjects if s != info_iri and (
            type(s) is not str or not s.startswith(base) or s[cut:].partition("/")[2].partition("#")[0] not in own)}

    def run(self, data: FastData, keep: Callable[[Any], bool] | None = None, inference: str = "none") -> Graph:
        """The engine's results graph for ``data``; ``keep`` says which focus nodes count (all if None)."""
        if self.engine == "fast" and inference == "none":
            return cast(Graph, self.compiled.run(data, keep))
        graph = run_shacl(data.graph(), self.shapes, inference=inference)
        if keep is not None:
            for r in list(graph.objects(None, SH.result)):
                if not keep(plain_term_of(graph.value(r, SH.focusNode))):  # type: ignore[arg-type]
                    drop_result(graph, r)
        return graph

    def check(self, triples: Iterable[FastTriple], own: set[str] | None = None, *,
              info: Sequence[FastTriple] = (), with_info: bool = True,
              context: Callable[[str], Any] | None = None,
              paths: Callable[[], Mapping[URIRef, tuple[str, str]]] | None = None,
              inference: str = "none") -> tuple[list[ValidationResult], Graph]:
        """Validate one batch: the results about its own records, and the engine's results graph.

        ``own`` names the batch's records (None: the triples are the whole catalogue); ``info`` is
        the catalogue block's triples, validated with the batch when ``with_info``; ``context``
        gives what is known of other records (``dict.get`` of a :meth:`remember`-ed dict);
        ``paths`` gives nested node -> (record, field path), asked only when there are results.
        """
        if own is not None and self.batch_limits:
            raise ValidationRunError(
                f"could not validate in batches: {self.batch_limits[0]}, so a node's results depend on triples held "
                "in other records' batches. Validate the catalogue whole: lod.validate(catalogue, shapes=…) without "
                "batch_size or workers, or export it and run lod validate EXPORT.nt --shapes …")
        info_iri = info[0][0] if info else None
        keep: Callable[[Any], bool] | None = None
        if own is None and (self.engine == "pyshacl" or inference != "none"):
            # pyshacl on the whole catalogue: straight into rdflib's graph (no index beside it: half the memory)
            g = Graph(bind_namespaces="none")
            made: dict[Any, Any] = {}  # one rdflib term a distinct term: the graph then shares them, as the mapper's

            def term(t: Any) -> Any:
                found = made.get(t)
                if found is None:
                    found = made[t] = rdflib_term(t)
                return found
            with gc_paused():
                g.addN((term(s), term(p), term(o), g) for s, p, o in chain(triples, info))
            del made
            graph = run_shacl(g, self.shapes, inference=inference)
            known = paths() if paths is not None and next(graph.objects(None, SH.result), None) is not None else {}
            return report_results(graph, g, known, self.shapes, self.base), graph  # type: ignore[arg-type]
        if own is None:
            with gc_paused():
                data = FastData(chain(triples, info), indexed=self.compiled.indexed_predicates)
        else:
            rid = self.record_id
            with gc_paused():
                data = FastData(chain(triples, info), context=context, indexed=self.compiled.indexed_predicates)
                data.partial = self._partial(data.spo, own, info_iri)

            def own_node(node: Any) -> bool:
                return with_info if node == info_iri else rid(node) in own
            keep = own_node
        graph = self.run(data, keep, inference)
        known = paths() if paths is not None and next(graph.objects(None, SH.result), None) is not None else {}
        found = report_results(graph, PositionLookup(data), known, self.shapes, self.base)  # type: ignore[arg-type]
        return found, graph


@cache
def _stand_in(n: int) -> str:
    return f"urn:lod:nested-node:{n}"


NO_BASE = "\x00"
"""A base no IRI starts with (an IRI cannot hold NUL): with it, no node is named as a record."""


def _paths_from_graph(graph: Graph) -> tuple[dict[URIRef, tuple[str, str]], str | None]:
    """Exact field paths (``availability[0]``) for a graph that reads back as a catalogue, and its base."""
    from ..mapping import Reader

    try:
        reader = Reader(graph)
    except E.LodError:
        return {}, NO_BASE  # records under several bases: no record can be named safely
    try:
        cat = reader.catalogue()
        if reader.base is None:
            return {}, None
        mapper = Mapper(cat, reader.base)
        for _ in mapper.triples():
            pass
        return mapper.node_paths, reader.base
    except E.LodError:
        return {}, reader.base  # not (only) lod records: fields come without list positions


# --- results -> records and fields --------------------------------------------------------

LOD_FIELD = URIRef("https://w3id.org/lod-film/vocab#field")


def report_results(results: Graph, data: Graph, paths: dict[URIRef, tuple[str, str]],
             shapes: Graph | None = None, base: str | None = None) -> list[ValidationResult]:
    out = []
    # only the report's own results: nested ones (sh:detail of an sh:node check) explain those
    for r in results.objects(None, SH.result):
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        if path is not None and not isinstance(path, URIRef) and shapes is not None:
            path = _first_alternative(shapes, results.value(r, SH.sourceShape))
        value = results.value(r, SH.value)
        message = results.value(r, SH.resultMessage)
        severity = SEVERITIES.get(results.value(r, SH.resultSeverity), "violation")  # type: ignore[call-overload]
        record, fld = locate(focus, path, data, paths, base=base, value=value)
        if fld is None and record is not None and shapes is not None:
            named = shapes.value(results.value(r, SH.sourceShape), LOD_FIELD)  # type: ignore[arg-type]
            fld = str(named) if named is not None else None
        out.append(ValidationResult(
            severity=severity, record=record, field=fld,
            value=None if value is None else str(value),
            message=str(message) if message is not None else "does not satisfy its shape",
            focus=str(focus) if isinstance(focus, URIRef) else "(blank node)",
            path=None if path is None or not isinstance(path, URIRef) else str(path),
            shape=_shape_name(results.value(r, SH.sourceShape))))
    order = {"violation": 0, "warning": 1, "info": 2}
    return sorted(out, key=lambda x: (order[x.severity], x.record or "", x.field or "", x.message, x.value or "",
                                      x.focus))


def _first_alternative(shapes: Graph, shape: Node | None) -> Node | None:
    """For ``sh:alternativePath (a b c)`` the first path stands for the field (titles, credits…)."""
    from rdflib.collection import Collection

    if shape is None:
        return None
    path = shapes.value(shape, SH.path)  # type: ignore[arg-type]
    alternatives = shapes.value(path, SH.alternativePath) if path is not None else None  # type: ignore[arg-type]
    if alternatives is None:
        return None
    items = list(Collection(shapes, alternatives))  # type: ignore[arg-type]
    return items[0] if items else None


def _shape_name(shape: Node | None) -> str | None:
    return str(shape) if isinstance(shape, URIRef) else None


def locate(focus: Node | None, path: Node | None, data: Graph,
           paths: dict[URIRef, tuple[str, str]] | None = None, *, base: str | None = None,
           value: Node | None = None) -> tuple[str | None, str | None]:
    """The record id and field a (focus node, path) pair stands for.

    The catalogue block is named ``info:<id>`` (an id cannot hold ``:``, so it never clashes with a
    record). With ``base``, IRIs outside it are nobody's record.
    """
    if not isinstance(focus, URIRef):
        return None, None
    iri = str(focus)
    if base is not None and not iri.startswith(base):
        return None, None
    parent, _, fragment = iri.partition("#")
    m = ID_IRI.match(parent)
    if not m:
        return None, None
    kind = m["kind"]
    cls = CatalogueInfo if kind == CATALOGUE_KIND else KINDS.get(kind)
    if cls is None:
        return None, None
    record = m["id"] if kind != CATALOGUE_KIND else f"info:{m['id']}"
    prefix = ""
    if fragment:
        known = (paths or {}).get(focus)
        sub = _nested_class(cls, fragment.removesuffix("_access").split("_")[0])
        if sub is None:
            return record, None
        name, nested = sub
        if known is not None:
            prefix = known[1]
        else:
            node = URIRef(iri.removesuffix("_access"))
            pos = data.value(node, POSITION)
            prefix = f"{name}[{int(str(pos)) - 1}]" if isinstance(pos, Literal) and str(pos).isdigit() else name
        cls = nested
    fld = _field_for(cls, path, value)
    if prefix:
        return record, f"{prefix}.{fld}" if fld else prefix
    return record, fld


def _nested_class(cls: type, fragment: str) -> tuple[str, type] | None:
    best: tuple[str, type] | None = None
    for name, sub, _ in nested_fields(cls):  # type: ignore[arg-type]
        key = name.replace("_", "-") + "-"
        if fragment.startswith(key) and (best is None or len(key) > len(best[0])):
            best = (name, sub)
    return best


def _field_for(cls: type, path: Node | None, value: Node | None = None) -> str | None:
    if not isinstance(path, URIRef):
        return None
    try:
        fields = plan(cls).fields  # type: ignore[arg-type]
    except Exception:
        return None
    for fp in fields:
        if fp.pred == path or (fp.via is not None and fp.via[0] == path):
            # qid and same_as share schema:sameAs: a Wikidata entity IRI is the qid, anything else same_as
            if fp.kind == "qid" and value is not None and not str(value).startswith(WIKIDATA_ENTITY) and any(
                    f.kind == "iri" and f.pred == path for f in fields):
                continue
            return fp.name
    for fp in fields:
        if path in fp.also or path in fp.enum.values():
            return fp.name
    return None


def record_ids(results: Sequence[ValidationResult], severity: str = "violation") -> set[str]:
    """The records that have results of the given severity."""
    return {r.record for r in results if r.severity == severity and r.record}


# --- batched and parallel validation ------------------------------------------------------

_WORKER: dict[str, Any] = {}


def validate_batched(catalogue: Catalogue, profiles: str | Iterable[str] = ("core",), base: str = DEFAULT_BASE,
                     *, batch_size: int = 500, workers: int = 1,
                     shapes_dir: str | os.PathLike[str] | None = None, engine: str = DEFAULT_ENGINE) -> Report:
    """Deprecated: ``lod.validate(catalogue, …, batch_size=500)`` does the same."""
    import warnings

    warnings.warn("lod.validate_batched is deprecated: call lod.validate(catalogue, …, batch_size=…)",
                  DeprecationWarning, stacklevel=2)
    return validate(catalogue, profiles, base, shapes_dir, engine=engine, batch_size=batch_size, workers=workers)


def _validate_batches(checker: BatchValidator, catalogue: Catalogue, batch_size: int, workers: int) -> Report:
    """A catalogue in memory, in batches of records (across ``workers`` forked processes).

    The records are mapped once to gather the context (:meth:`BatchValidator.remember`), then batch by
    batch again for :meth:`BatchValidator.check`: the graph in memory is one batch, not the catalogue.
    """
    base = cast(str, checker.base)
    mapper = FastMapper(catalogue, base)
    records = list(catalogue.records())
    context: dict[str, Any] = {}
    kept = referable_kinds()  # (what the shapes read on a record nothing can refer to is never asked for)
    with gc_paused():
        for rec in (r for r in records if r.kind in kept):
            checker.remember(f"{base}{rec.kind}/{rec.id}", grouped(cast("list[FastTriple]", mapper.record_list(rec))),
                             context)
    mapper.node_paths.clear()
    info = cast("list[FastTriple]", list(mapper.info_triples(catalogue.info))) if catalogue.info is not None else []
    batches = [(i, min(i + batch_size, len(records))) for i in range(0, max(len(records), 1), batch_size)]
    _WORKER.update(checker=checker, mapper=mapper, records=records, context=context, info=info)
    frozen = False
    try:
        if workers > 1 and len(batches) > 1:
            import multiprocessing as mp

            gc.freeze()  # keep the parent's objects out of the children's collections (copy-on-write)
            frozen = True
            with mp.get_context("fork").Pool(workers) as pool:
                parts = pool.map(_validate_batch, batches, chunksize=1)
        else:
            parts = [_validate_batch(b) for b in batches]
    finally:
        if frozen:
            gc.unfreeze()
        _WORKER.clear()
    results = [r for part, _ in parts for r in part]
    # one report node for the whole run, linking every result kept (the batches' own reports dropped)
    graph = Graph(bind_namespaces="none")
    for _, nt in parts:
        graph.parse(data=nt, format="nt")
    report_node = BNode()
    graph.add((report_node, RDF.type, SH.ValidationReport))
    for r in list(graph.subjects(RDF.type, SH.ValidationResult)):
        if not any(graph.subjects(SH.detail, r)):
            graph.add((report_node, SH.result, r))
    order = {"violation": 0, "warning": 1, "info": 2}
    results.sort(key=lambda x: (order[x.severity], x.record or "", x.field or "", x.message, x.value or "", x.focus))
    graph.add((report_node, SH.conforms, Literal(not results)))  # SHACL's verdict; lod's is Report.conforms
    return Report(not any(r.severity == "violation" for r in results), results, checker.profiles, graph,
                  checker.fallback_notes)


def _validate_batch(span: tuple[int, int]) -> tuple[list[ValidationResult], str]:
    checker: BatchValidator = _WORKER["checker"]
    mapper: FastMapper = _WORKER["mapper"]
    mapper.node_paths.clear()  # only this batch's nodes: memory bounded by the batch
    own = _WORKER["records"][span[0]:span[1]]
    with gc_paused():
        triples = cast("list[FastTriple]", [t for rec in own for t in mapper.record_list(rec)])
        found, results_graph = checker.check(triples, {r.id for r in own}, info=_WORKER["info"],
                                             with_info=span[0] == 0, context=_WORKER["context"].get,
                                             paths=lambda: mapper.node_paths)
    for report in list(results_graph.subjects(RDF.type, SH.ValidationReport)):
        results_graph.remove((report, None, None))  # the run gets one report node (see _validate_batches)
    return found, results_graph.serialize(format="nt")
