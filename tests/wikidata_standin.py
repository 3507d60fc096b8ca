"""A Wikidata stand-in on loopback: wbsearchentities and wbgetentities in Wikidata's documented
JSON formats, answered from tests/fixtures/wikidata.ttl, with faults on request (429 with
Retry-After, a maxlag error, 503, a truncated body, no answer at all) and a SPARQL endpoint that
can answer truncated."""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.parse
from pathlib import Path

import pyoxigraph as ox

FIXTURE = Path(__file__).parent / "fixtures" / "wikidata.ttl"
WD = "http://www.wikidata.org/entity/"
REDIRECTS = {"Q9200": "Q9100"}


class StandIn:
    def __init__(self) -> None:
        self.store = ox.Store()
        self.store.load(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)
        self.faults: list[tuple[str, str]] = []  # (fault, value) consumed one per request
        self.requests: list[dict[str, str]] = []
        self.down = False
        handler = self._handler()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/w/api.php"

    @property
    def sparql(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/sparql"

    def close(self) -> None:
        self.server.shutdown()

    # --- answers ----------------------------------------------------------------------------
    def _labels(self, qid: str) -> list[tuple[str, str, str]]:
        out = []
        for q in self.store.quads_for_pattern(ox.NamedNode(WD + qid), None, None):
            if q.predicate.value.endswith(("#label", "#altLabel")) and isinstance(q.object, ox.Literal):
                out.append((q.predicate.value.rsplit("#", 1)[1], q.object.language or "", q.object.value))
        return out

    def _description(self, qid: str) -> str:
        for q in self.store.quads_for_pattern(ox.NamedNode(WD + qid), ox.NamedNode("http://schema.org/description"),
                                              None):
            return q.object.value
        return ""

    def search(self, text: str, lang: str) -> dict:
        hits = []
        for subject in sorted({q.subject.value for q in self.store.quads_for_pattern(None, None, None)}):
            qid = subject.rsplit("/", 1)[1]
            if not subject.startswith(WD) or int(qid[1:]) < 9000:
                continue
            for kind, label_lang, label in self._labels(qid):
                if label.casefold().startswith(text.casefold()):
                    labels = self._labels(qid)
                    main = next((v for k, ll, v in labels if k == "label" and ll == lang), label)
                    hits.append({"id": qid, "title": qid, "pageid": int(qid[1:]), "display": {},
                                 "repository": "wikidata", "url": f"//www.wikidata.org/wiki/{qid}",
                                 "concepturi": WD + qid, "label": main, "description": self._description(qid),
                                 "match": {"type": "alias" if kind == "altLabel" else "label",
                                           "language": label_lang, "text": label},
                                 "aliases": [v for k, _, v in labels if k == "altLabel"]})
                    break
        return {"searchinfo": {"search": text}, "search": hits, "success": 1}

    def entities(self, ids: list[str]) -> dict:
        out = {}
        for asked in ids:
            qid = REDIRECTS.get(asked, asked)
            claims: dict[str, list] = {}
            for q in self.store.quads_for_pattern(ox.NamedNode(WD + qid), None, None):
                if q.predicate.value.startswith("http://www.wikidata.org/prop/direct/") and isinstance(q.object,
                                                                                                      ox.NamedNode):
                    pid = q.predicate.value.rsplit("/", 1)[1]
                    target = q.object.value.rsplit("/", 1)[1]
                    claims.setdefault(pid, []).append({"mainsnak": {"snaktype": "value", "property": pid,
                        "datavalue": {"value": {"entity-type": "item", "numeric-id": int(target[1:]), "id": target},
                                      "type": "wikibase-entityid"}}, "type": "statement", "rank": "normal"})
            entity = {"type": "item", "id": qid, "labels": {ll: {"language": ll, "value": v}
                                                             for k, ll, v in self._labels(qid) if k == "label"},
                      "claims": claims}
            if qid != asked:
                entity["redirects"] = {"from": asked, "to": qid}
            out[qid] = entity
        return {"entities": out, "success": 1}

    def _handler(self) -> type:
        standin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                url = urllib.parse.urlparse(self.path)
                params = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
                standin.requests.append({"path": url.path, **params})
                if standin.down:
                    self.connection.close()  # the network is gone: no answer at all
                    return
                if standin.faults:
                    fault, value = standin.faults.pop(0)
                    if fault == "status":
                        self._send(int(value), b"{}")
                        return
                    if fault == "retry-after":
                        self._send(429, b'{"error": "too many requests"}', {"Retry-After": value})
                        return
                    if fault == "maxlag":
                        self._send(200, json.dumps({"error": {"code": "maxlag", "info": "Waiting for db: 6 seconds "
                                   "lagged", "lag": 6}}).encode(), {"Retry-After": value})
                        return
                    if fault == "short-body":  # promises more bytes than it sends, then closes
                        self.send_response(200)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", "1000")
                        self.end_headers()
                        self.wfile.write(b'{"search": [')
                        self.close_connection = True
                        return
                    if fault == "body":  # a well-formed JSON answer of another shape
                        self._send(200, value.encode())
                        return
                    if fault == "truncated":
                        self._send(200, b'{"head": {"vars": ["item"]}, "results": {"bindings": [{"item": {"ty')
                        return
                    if fault == "hang":
                        time.sleep(float(value))
                        self._send(503, b"{}")
                        return
                if url.path == "/w/api.php" and params.get("action") == "wbsearchentities":
                    self._send(200, json.dumps(standin.search(params["search"], params.get("language", "en"))).encode())
                elif url.path == "/w/api.php" and params.get("action") == "wbgetentities":
                    self._send(200, json.dumps(standin.entities(params["ids"].split("|"))).encode())
                elif url.path == "/sparql":
                    body = standin.store.query(params["query"]).serialize(format=ox.QueryResultsFormat.JSON)
                    self._send(200, body, {"Content-Type": "application/sparql-results+json"})
                else:
                    self._send(404, b'{"error": {"code": "unknown"}}')

            def _send(self, status: int, body: bytes, headers: dict | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                try:
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the "no answer" fault): nothing to tell it

            def log_message(self, *args: object) -> None:
                pass

        return Handler
