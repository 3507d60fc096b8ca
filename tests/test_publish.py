"""Publishing to a real Oxigraph server (from PyPI) on loopback with the Graph Store Protocol."""

from __future__ import annotations

import http.server
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from oxigraph_server import Server, free_port as _free_port

import lod
from lod.publish import PublishError, publish
from lod.synthetic import synthetic_catalogue


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path / "db").start()
    yield srv
    srv.stop()


def expected(cat) -> set:
    return set(ox.parse(lod.serialize(cat, "nt"), format=ox.RdfFormat.N_TRIPLES))


def test_publish_then_query_back_and_republish_is_idempotent(server, seed):
    first = publish(seed, server.store)
    assert first.graph == "https://example.org/id/catalogue/klassiki-interviews"
    assert server.graph(first.graph) == expected(seed)
    n = server.count()
    assert n == len(expected(seed)) == first.triples
    again = publish(seed, server.store, chunk_triples=37)  # other chunking, same result
    assert again.chunks > 10
    assert server.graph(first.graph) == expected(seed) and server.count() == n


def test_republishing_a_changed_catalogue_replaces_the_graph(server, seed):
    publish(seed, server.store)
    smaller = lod.Catalogue(people=[{"id": "p", "names": {"en": "P"}}])
    publish(smaller, server.store, graph="https://example.org/id/catalogue/klassiki-interviews")
    assert server.graph("https://example.org/id/catalogue/klassiki-interviews") == expected(smaller)


def _publish_until_stopped(tmp_path: Path, cat, state: Path, chunk_triples: int) -> tuple[Server, PublishError]:
    """Publish to a fresh server that is stopped after the second chunk; the server and the error."""
    srv = Server(tmp_path / "db").start()

    def stop_after_two(done: int, total: int) -> None:
        if done == 2:
            srv.stop()

    with pytest.raises(PublishError) as info:
        publish(cat, srv.store, chunk_triples=chunk_triples, state_file=state, on_chunk=stop_after_two, timeout=2,
                http=lod.publish.session(retries=1, backoff=0.01))
    return srv, info.value


def test_server_stopped_mid_publish_gives_a_clear_error_and_resumes(tmp_path):
    cat = synthetic_catalogue(40)
    state = tmp_path / "state.json"
    srv, error = _publish_until_stopped(tmp_path, cat, state, chunk_triples=200)
    assert re.search(r"chunk 3/\d+ not sent.*2 chunk\(s\) were acknowledged.*--resume", str(error))
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert saved["acknowledged"] == 2 and saved["complete"] is False
    srv.start()  # the same data folder and port
    try:
        result = publish(cat, srv.store, chunk_triples=200, state_file=state, resume=True)
        assert result.sent == result.chunks - 2
        assert srv.graph(result.graph) == expected(cat)
        assert json.loads(state.read_text(encoding="utf-8"))["complete"] is True
    finally:
        srv.stop()


def test_cli_publish_and_unreachable_endpoint(server, tmp_path):
    ok = subprocess.run([sys.executable, "-m", "lod.cli", "publish", "--endpoint", server.store, "--state",
                         str(tmp_path / "s.json")], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert server.count() > 400
    dead = f"http://127.0.0.1:{_free_port()}/store"
    bad = subprocess.run([sys.executable, "-m", "lod.cli", "publish", "--endpoint", dead, "--timeout", "1",
                          "--state", str(tmp_path / "d.json")], capture_output=True, text=True)
    assert bad.returncode == 2 and "could not publish" in bad.stderr


class _Flaky(http.server.BaseHTTPRequestHandler):
    seen: list[tuple[str, str | None]] = []

    def do_PUT(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        _Flaky.seen.append((self.command, self.headers.get("Authorization")))
        if len(_Flaky.seen) == 1:
            self.send_response(503)
            self.send_header("Retry-After", "0")
            self.end_headers()
            return
        self.send_response(204)
        self.end_headers()

    do_POST = do_PUT

    def log_message(self, *args) -> None:
        pass


def test_retries_on_503_and_sends_basic_auth():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        _Flaky.seen = []
        cat = lod.Catalogue(people=[{"id": "p", "names": {"en": "P"}}])
        publish(cat, f"http://127.0.0.1:{srv.server_address[1]}/store", auth=("archive", "secret"))
        assert [m for m, _ in _Flaky.seen] == ["PUT", "PUT"]  # refused once with 503, then accepted
        assert all(a and a.startswith("Basic ") for _, a in _Flaky.seen)
    finally:
        srv.shutdown()


def test_resume_with_other_chunking_starts_again_not_skips(tmp_path):
    cat = synthetic_catalogue(20)
    state = tmp_path / "state.json"
    srv, _ = _publish_until_stopped(tmp_path, cat, state, chunk_triples=10)
    srv.start()
    try:
        result = publish(cat, srv.store, chunk_triples=50_000, state_file=state, resume=True)
        assert result.sent == result.chunks == 1  # other chunking: the acknowledged count means nothing now
        assert srv.graph(result.graph) == expected(cat)
        state.write_text("not json", encoding="utf-8")
        again = publish(cat, srv.store, state_file=state, resume=True)  # a corrupt state file starts again
        assert again.sent == again.chunks and srv.graph(again.graph) == expected(cat)
    finally:
        srv.stop()


def test_publishing_the_bundled_example_keeps_its_state_in_the_current_folder(server, tmp_path):
    # before: the state file went beside the example, inside the installed package
    package = lod.example_path().parent
    before = sorted(p.name for p in package.iterdir())
    ok = subprocess.run([sys.executable, "-m", "lod.cli", "publish", "--endpoint", server.store],
                        capture_output=True, text=True, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert sorted(p.name for p in package.iterdir()) == before
    assert (tmp_path / "catalogue.publish-state.json").is_file()
