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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from . import errors as E
from ._resources import data_dir
from .mapping import (ID_IRI, CATALOGUE_KIND, DEFAULT_BASE, KINDS, POSITION, Mapper, gc_paused, plan, record_iri,
                      record_of)
from .model import Catalogue, CatalogueInfo, nested_fields
from .shacl import PositionLookup, drop_result, run_shacl
from .values import WIKIDATA_ENTITY

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
    """The outcome of validating one catalogue or graph against some profiles."""

    conforms: bool
    results: list[ValidationResult]
    profiles: tuple[str, ...]
    graph: Graph = field(repr=False)
    """The SHACL results graph of the engine that ran. pyshacl's copies the shapes' triples in (a
    ``sh:sourceShape`` blank node keeps its ``sh:path``, ``sh:message``…); the compiled engine's
    (the default) holds the results only: a blank source shape is a node without its description there
    (issue 12 asks for self-contained results). ``engine="pyshacl"`` when a saved report must carry it."""

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
        return "\n".join([head, *(str(r) for r in self.results)]) + "\n"

    def json(self, strict: bool = False) -> str:
        return json.dumps({"conforms": self.conforms and not (strict and bool(self.warnings)),
                           "profiles": list(self.profiles), "strict": strict,
                           "violations": len(self.violations), "warnings": len(self.warnings),
                           "infos": len(self.infos),
                           "results": [asdict(r) for r in self.results]}, ensure_ascii=False, indent=2) + "\n"


# --- shapes ----------------------------------------------------------------------------

def profile_names(profiles: str | Iterable[str]) -> tuple[str, ...]:
    """Normalise ``"core,web"`` or ``("core", "web")``; unknown names are an error."""
    names = [p.strip() for p in (profiles.split(",") if isinstance(profiles, str) else profiles) if p.strip()]
    unknown = [p for p in names if p not in PROFILES]
    if unknown or not names:
        raise E.BadValue(f"unknown profile; use some of {', '.join(PROFILES)}", field="profiles",
                         value=",".join(unknown) or "")
    return tuple(dict.fromkeys(names))


def shapes_graph(profiles: tuple[str, ...], shapes_dir: str | os.PathLike[str] | None = None) -> Graph:
    """The shapes of the given profiles (from lod's ``shapes/`` or another folder), parsed once per process."""
    return _shapes_graph(profiles, None if shapes_dir is None else str(Path(shapes_dir).resolve()))


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


def validate(source: Catalogue | Graph, profiles: str | Iterable[str] = ("core",),
             base: str = DEFAULT_BASE, shapes_dir: str | os.PathLike[str] | None = None,
             inference: str = "none", engine: str = DEFAULT_ENGINE, *, batch_size: int | None = None,
             workers: int = 1) -> Report:
    """Validate a catalogue (mapped under ``base``) or an RDF graph against SHACL profiles.

    ``shapes_dir`` replaces lod's own ``shapes/`` folder (it must hold ``<profile>.ttl`` files).
    ``inference`` is off (``"none"``) unless asked: ``"rdfs"``, ``"owlrl"`` or ``"both"`` as pyshacl
    knows them (the data graph is then copied, not changed).
    ``engine="fast"`` (the default) runs the shapes compiled by :mod:`lod.shacl` (many times faster,
    the same results; shapes it cannot compile, and any inference, go to pyshacl);
    ``engine="pyshacl"`` runs the reference engine on everything.
    ``batch_size`` validates a catalogue record by record in batches of that many records, with
    ``workers`` processes: memory is bounded by the batch, and the results are the same.
    """
    if workers > 1 and batch_size is None:
        batch_size = 500  # several workers share batches: the CLI's default size
    if batch_size is not None:
        if inference != "none":
            raise E.BadValue("inference needs the whole graph: validate without batch_size (and workers)",
                             field="inference", value=inference)
        if not isinstance(source, Catalogue):
            raise E.BadValue("batch_size needs a Catalogue (a graph is validated whole)", field="batch_size",
                             value=batch_size)
        return _validate_batches(source, profiles, base, batch_size=batch_size, workers=workers,
                                 shapes_dir=shapes_dir, engine=engine)
    names = profile_names(profiles)
    if not isinstance(source, (Catalogue, Graph)):
        raise E.BadValue("validate takes a Catalogue or an rdflib Graph (load files with lod.load_catalogue or "
                         "lod.read_graph)", field="source", value=type(source).__name__)
    if engine not in ENGINES:
        raise E.BadValue(f"unknown engine; use one of {', '.join(ENGINES)}", field="engine", value=engine)
    if engine == "fast" and inference == "none":
        return _validate_fast(source, names, base, shapes_dir)
    paths: dict[URIRef, tuple[str, str]] = {}
    graph_base: str | None = base
    if isinstance(source, Catalogue):
        mapper = Mapper(source, base)
        data = Graph(bind_namespaces="none")
        with gc_paused():
            data.addN((s, p, o, data) for s, p, o in mapper.triples())
        paths = mapper.node_paths
    else:
        data = source
        graph_base = None
    results_graph = run_shacl(data, shapes_graph(names, shapes_dir), inference=inference)
    if isinstance(source, Graph) and any(results_graph.objects(None, SH.result)):
        paths, graph_base = _paths_from_graph(source)
    results = report_results(results_graph, data, paths, shapes_graph(names, shapes_dir),
                       graph_base if isinstance(source, Graph) else base)
    conforms = not any(r.severity == "violation" for r in results)
    return Report(conforms, results, names, results_graph)


@cache
def fast_validator(profiles: tuple[str, ...], shapes_dir: str | None = None) -> Any:
    """The compiled shapes of some profiles (:class:`lod.shacl.FastValidator`), once per process."""
    from .shacl import FastValidator

    return FastValidator(shapes_graph(profiles, shapes_dir))


def _validate_fast(source: Catalogue | Graph, names: tuple[str, ...], base: str,
                   shapes_dir: str | os.PathLike[str] | None) -> Report:
    from .mapping import FastMapper, FastTriple
    from .shacl import FastData

    shapes_key = None if shapes_dir is None else str(Path(shapes_dir).resolve())
    engine = fast_validator(names, shapes_key)
    if isinstance(source, Catalogue):
        mapper = FastMapper(source, base)
        with gc_paused():
            data = FastData(cast("Iterator[FastTriple]", mapper.triples()))  # plain terms: see lod.mapping.Terms
        results_graph = engine.run(data)

        results = report_results(results_graph, PositionLookup(data), mapper.node_paths,  # type: ignore[arg-type]
                           engine.shapes, base)
    else:
        data = FastData.from_graph(source)
        if data.ill_typed:  # rdflib has rewritten such a literal: only pyshacl sees what the graph holds
            return validate(source, names, base, shapes_dir, engine="pyshacl")
        results_graph = engine.run(data)
        paths, graph_base = _paths_from_graph(source) if any(results_graph.objects(None, SH.result)) else ({}, None)
        results = report_results(results_graph, source, paths, engine.shapes, graph_base)
    conforms = not any(r.severity == "violation" for r in results)
    return Report(conforms, results, names, results_graph)


NO_BASE = "\x00"
"""A base no IRI starts with (an IRI cannot hold NUL): with it, no node is named as a record."""


def _paths_from_graph(graph: Graph) -> tuple[dict[URIRef, tuple[str, str]], str | None]:
    """Exact field paths (``availability[0]``) for a graph that reads back as a catalogue, and its base."""
    from .mapping import Reader

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


def _validate_batches(catalogue: Catalogue, profiles: str | Iterable[str] = ("core",), base: str = DEFAULT_BASE,
                      *, batch_size: int = 500, workers: int = 1,
                      shapes_dir: str | os.PathLike[str] | None = None, engine: str = DEFAULT_ENGINE) -> Report:
    """Validate record by record, in batches, optionally across worker processes.

    Each batch holds its records' own triples plus, as context, the descriptions of the records
    they refer to (one hop: what the shapes look at). Only the batch's own nodes are focus nodes,
    so every result is found exactly once and the results equal those of :func:`validate` on the
    whole graph (the test suite and ``benchmarks/bench_validate.py`` compare them). Memory is
    bounded by the batch, not the catalogue.
    """
    names = profile_names(profiles)
    if not isinstance(catalogue, Catalogue):
        raise E.BadValue("batched validation takes a Catalogue (a graph is validated whole)",
                         field="catalogue", value=type(catalogue).__name__)
    if batch_size < 1 or workers < 1:
        raise E.BadValue("batch_size and workers must be at least 1", field="batch_size",
                         value=f"{batch_size}/{workers}")
    shapes = shapes_graph(names, shapes_dir)  # parsed once, before any fork
    records = list(catalogue.records())
    batches = [(i, min(i + batch_size, len(records))) for i in range(0, max(len(records), 1), batch_size)]
    if engine not in ENGINES:
        raise E.BadValue(f"unknown engine; use one of {', '.join(ENGINES)}", field="engine", value=engine)
    fast = fast_validator(names, None if shapes_dir is None else str(Path(shapes_dir).resolve())) \
        if engine == "fast" else None
    _WORKER.update(catalogue=catalogue, base=base, shapes=shapes, records=records, mapper=None, fast=fast)
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
    conforms = not any(r.severity == "violation" for r in results)
    graph.add((report_node, SH.conforms, Literal(conforms)))
    return Report(conforms, results, names, graph)


def _validate_batch(span: tuple[int, int]) -> tuple[list[ValidationResult], str]:
    cat: Catalogue = _WORKER["catalogue"]
    mapper: Mapper | None = _WORKER.get("mapper")
    if mapper is None:
        mapper = _WORKER["mapper"] = Mapper(cat, _WORKER["base"])
    mapper.node_paths.clear()  # only this batch's nodes: memory bounded by the batch
    own = _WORKER["records"][span[0]:span[1]]
    own_ids = {r.id for r in own}
    g = Graph(bind_namespaces="none")
    focus: list[URIRef] = []
    referenced: set[str] = set()
    with gc_paused():
        triples = [t for rec in own for t in mapper.record_triples(rec)]
        if cat.info is not None:  # shapes look for the catalogue node (record source): every batch has it
            info_iri = record_iri(mapper.base, CATALOGUE_KIND, cat.info.id)
            triples += list(mapper.info_triples(cat.info))
            if span[0] == 0:
                focus.append(info_iri)  # and the first batch validates it
        g.addN((s, p, o, g) for s, p, o in triples)
        for s, _, o in triples:
            rid = record_of(s)
            if rid in own_ids:
                focus.append(s)  # type: ignore[arg-type]
            ref = record_of(o)
            if ref is not None and ref not in own_ids:
                referenced.add(ref)
        for rid in sorted(referenced):  # context: one hop, the referenced records' own descriptions
            g.addN((s, p, o, g) for s, p, o in mapper.record_triples(cat[rid]) if "#" not in str(s))
    # Every node is validated, and only the results about this batch's own nodes are kept: with
    # pyshacl's focus_nodes option, nested checks on context nodes (an author's name) go missing.
    mine = set(focus)
    if _WORKER["fast"] is not None:
        from .shacl import FastData

        results_graph = _WORKER["fast"].run(FastData.from_graph(g))
    else:
        results_graph = run_shacl(g, _WORKER["shapes"])
    for r in list(results_graph.objects(None, SH.result)):
        if results_graph.value(r, SH.focusNode) not in mine:
            drop_result(results_graph, r)
    found = report_results(results_graph, g, mapper.node_paths, _WORKER["shapes"], mapper.base)
    for report in list(results_graph.subjects(RDF.type, SH.ValidationReport)):
        results_graph.remove((report, None, None))  # the run gets one report node (see validate_batched)
    return found, results_graph.serialize(format="nt")


