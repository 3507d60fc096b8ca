"""A real Oxigraph server (pip install oxigraph) on a free loopback port, for the tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _oxigraph() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    assert Path(found).exists(), "the oxigraph server (pip install oxigraph) is needed for these tests"
    return found


class Server:
    """An Oxigraph server process on a loopback port, with its data in a folder."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder, self.port = folder, port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def store(self) -> str:
        return f"http://127.0.0.1:{self.port}/store"

    def start(self) -> Server:
        self.proc = subprocess.Popen([_oxigraph(), "serve", "--location", str(self.folder), "--bind",
                                      f"127.0.0.1:{self.port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{self.port}/", timeout=1)
                return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("oxigraph did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None

    def graph(self, iri: str) -> set:
        r = requests.get(self.store, params={"graph": iri}, headers={"Accept": "application/n-triples"}, timeout=10)
        r.raise_for_status()
        return set(ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES))

    def count(self) -> int:
        r = requests.post(f"http://127.0.0.1:{self.port}/query", data={"query":
                          "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                          headers={"Accept": "application/sparql-results+json"}, timeout=10)
        return int(r.json()["results"]["bindings"][0]["n"]["value"])

    def load(self, turtle: str) -> None:
        """Load Turtle into the default graph."""
        r = requests.post(f"http://127.0.0.1:{self.port}/store?default", data=turtle.encode(),
                          headers={"Content-Type": "text/turtle"}, timeout=10)
        r.raise_for_status()

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"
