"""Publishing to a triplestore with the SPARQL 1.1 Graph Store HTTP Protocol.

    lod publish CATALOGUE --endpoint http://localhost:7878/store [--graph IRI] [--auth user:password]

The catalogue's N-Triples go in chunks, each acknowledged before the next: the first with PUT
(it replaces the named graph, so publishing again leaves exactly the same triples), the rest
with POST (they add). Any standard store works (Oxigraph, Fuseki, GraphDB). Every request has
a timeout and is retried with backoff on connection errors, 429 and 5xx. A state file beside
the catalogue records the chunks acknowledged, so a run that stops part-way resumes where it
stopped (``--resume``) instead of starting again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .. import errors as E
from ..mapping import CATALOGUE_KIND, DEFAULT_BASE, check_base, record_iri
from ..records import Catalogue
from ..io import serialize, write_atomic

N_TRIPLES = "application/n-triples"


class PublishError(E.LodError):
    """The store refused or could not be reached; the state file says what was acknowledged."""


@dataclass
class PublishResult:
    graph: str
    triples: int
    chunks: int
    sent: int
    """Chunks sent by this run (the others were acknowledged by an earlier run)."""


def session(retries: int = 4, backoff: float = 0.5, auth: tuple[str, str] | None = None) -> requests.Session:
    """A requests session that retries connection errors, 429 and 5xx with exponential backoff."""
    s = requests.Session()
    retry = Retry(total=retries, connect=retries, read=retries, status=retries, backoff_factor=backoff,
                  status_forcelist=(429, 500, 502, 503, 504), allowed_methods=frozenset({"PUT", "POST"}),
                  respect_retry_after_header=True, raise_on_status=False)
    s.mount("http://", HTTPAdapter(max_retries=retry))
    s.mount("https://", HTTPAdapter(max_retries=retry))
    if auth is not None:
        s.auth = auth
    return s


def default_graph(catalogue: Catalogue, base: str) -> str:
    """The named graph a catalogue is published to: its catalogue IRI (or the base)."""
    return str(record_iri(base, CATALOGUE_KIND, catalogue.info.id)) if catalogue.info else base


def chunks_of(catalogue: Catalogue, base: str, chunk_triples: int) -> list[bytes]:
    """The catalogue's canonical N-Triples, cut into chunks of whole lines."""
    lines = serialize(catalogue, "nt", base).splitlines(keepends=True)
    return [b"".join(lines[i:i + chunk_triples]) for i in range(0, max(len(lines), 1), chunk_triples)]


def publish(catalogue: Catalogue, endpoint: str, *, graph: str | None = None, base: str = DEFAULT_BASE,
            auth: tuple[str, str] | None = None, chunk_triples: int = 50_000, timeout: float = 30.0,
            state_file: str | os.PathLike[str] | None = None, resume: bool = False,
            http: requests.Session | None = None,
            on_chunk: Callable[[int, int], None] | None = None) -> PublishResult:
    """Send the catalogue to ``endpoint`` (a Graph Store Protocol URL) as one named graph."""
    base = check_base(base)
    if chunk_triples < 1:
        raise E.BadValue("chunk_triples must be at least 1", field="chunk_triples", value=chunk_triples)
    target = graph or default_graph(catalogue, base)
    parts = chunks_of(catalogue, base, chunk_triples)
    digest = hashlib.sha256(b"".join(parts)).hexdigest()
    state_path = Path(state_file) if state_file else None
    done = 0
    if resume and state_path is not None and state_path.exists():
        try:
            state = json.loads(state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            state = {}  # unreadable: start again from the PUT (which replaces the graph)
        if (isinstance(state, dict) and state.get("graph") == target and state.get("sha256") == digest
                and state.get("endpoint") == endpoint and state.get("chunk_triples") == chunk_triples):
            done = int(state.get("acknowledged", 0))
    s = http or session(auth=auth)
    sent = 0
    for index in range(done, len(parts)):
        method = "PUT" if index == 0 else "POST"
        try:
            response = s.request(method, endpoint, params={"graph": target}, data=parts[index],
                                 headers={"Content-Type": N_TRIPLES}, timeout=timeout)
        except requests.RequestException as exc:
            _save(state_path, endpoint, target, digest, index, len(parts), chunk_triples)
            raise PublishError(f"chunk {index + 1}/{len(parts)} not sent to {endpoint}: {exc.__class__.__name__}: "
                               f"{exc}. {index} chunk(s) were acknowledged"
                               + ("; run again with --resume to continue" if state_path else "")) from None
        if not response.ok:
            _save(state_path, endpoint, target, digest, index, len(parts), chunk_triples)
            raise PublishError(f"chunk {index + 1}/{len(parts)} refused by {endpoint}: HTTP {response.status_code} "
                               f"{response.text[:300]!r}")
        sent += 1
        _save(state_path, endpoint, target, digest, index + 1, len(parts), chunk_triples)
        if on_chunk is not None:
            on_chunk(index + 1, len(parts))
    n_triples = sum(p.count(b"\n") for p in parts)
    return PublishResult(graph=target, triples=n_triples, chunks=len(parts), sent=sent)


def _save(path: Path | None, endpoint: str, graph: str, digest: str, acknowledged: int, total: int,
          chunk_triples: int) -> None:
    if path is None:
        return
    state: dict[str, Any] = {"endpoint": endpoint, "graph": graph, "sha256": digest, "chunk_triples": chunk_triples,
                             "acknowledged": acknowledged, "chunks": total, "complete": acknowledged == total}
    write_atomic(path, (json.dumps(state, indent=2) + "\n").encode())


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``user:password`` (or the LOD_PUBLISH_AUTH environment variable) for HTTP basic auth."""
    value = value or os.environ.get("LOD_PUBLISH_AUTH")
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep:
        raise E.BadValue("--auth takes user:password", field="auth", value="…")
    return user, password


__all__: Sequence[str] = ("publish", "PublishError", "PublishResult", "session", "default_graph", "parse_auth")
