"""Shared fixtures: the seed catalogue, its graph, and the reference vocabularies."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest

import lod
from lod._resources import data_dir

REPO = Path(__file__).resolve().parent.parent


def _shared() -> Path:
    for candidate in (os.environ.get("LOD_SHARED"), REPO.parent / "shared", REPO / "shared"):
        if candidate and (Path(candidate) / "reference").is_dir():
            return Path(candidate)
    raise RuntimeError("the shared/ folder (reference vocabularies) is not next to the checkout; set LOD_SHARED")


SHARED = _shared()
REFERENCE = SHARED / "reference"
BASE = "https://example.org/id/"


def vocab_file(name: str) -> Path:
    """A file of the vocab/ folder as lod finds it (installed package or checkout)."""
    return Path(str(data_dir("vocab").joinpath(name)))


@pytest.fixture(scope="session")
def seed() -> lod.Catalogue:
    return lod.load_catalogue(lod.example_path())


@pytest.fixture(scope="session")
def seed_graph(seed: lod.Catalogue):
    return lod.to_graph(seed, base=BASE)


@dataclass
class Vocab:
    """The schema.org vocabulary (release 30.0) as sets and maps, http-normalised."""

    classes: set[str] = field(default_factory=set)
    properties: set[str] = field(default_factory=set)
    domains: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    supers: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def closure(self, cls: str) -> set[str]:
        seen, stack = set(), [cls]
        while stack:
            c = stack.pop()
            if c not in seen:
                seen.add(c)
                stack.extend(self.supers.get(c, ()))
        return seen


def _http(iri: str) -> str:
    return iri.replace("https://schema.org/", "http://schema.org/")


@pytest.fixture(scope="session")
def schemaorg() -> Vocab:
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    sub = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
    v = Vocab()
    graphs = [ox.parse(path=str(REFERENCE / "schemaorg-current-https-v30.0.ttl"), format=ox.RdfFormat.TURTLE),
              # lod's own classes declare their schema.org superclasses
              ox.parse(path=str(vocab_file("lod.ttl")), format=ox.RdfFormat.TURTLE)]
    for graph in graphs:
        for t in graph:
            s, p, o = _http(t.subject.value), _http(t.predicate.value), getattr(t.object, "value", "")
            o = _http(o)
            if p == rdf_type and o == "http://www.w3.org/2000/01/rdf-schema#Class":
                v.classes.add(s)
            elif p == rdf_type and o == "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property":
                v.properties.add(s)
            elif p == "http://schema.org/domainIncludes":
                v.domains[s].add(o)
            elif p == sub:
                v.supers[s].add(o)
    return v
