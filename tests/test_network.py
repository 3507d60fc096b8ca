"""Exports, parsing and the CLI never open a socket or a URL."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import lod

GUARD = r"""
import sys
NETWORK = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "socket.sendto",
           "socket.sendmsg", "urllib.Request", "http.client.connect", "ftplib.connect", "smtplib.connect"}
def hook(event, args):
    if event in NETWORK:
        # SystemExit, not an Exception: no library's `except Exception` can swallow it
        print(f"network access attempted: {event} {args!r}", file=sys.stderr)
        raise SystemExit(3)
sys.addaudithook(hook)
"""


def test_audit_hook_detects_network_use():
    code = GUARD + "import socket\nsocket.create_connection(('127.0.0.1', 9))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 3 and "network access attempted: socket." in out.stderr
    code = GUARD + "import urllib.request\nurllib.request.urlopen('http://127.0.0.1:9/')\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 3 and "network access attempted" in out.stderr


def test_export_and_parse_use_no_network():
    code = GUARD + r"""
import lod
from lod.synthetic import synthetic_catalogue
for cat in (lod.load_catalogue(lod.example_path()), synthetic_catalogue(20)):
    for fmt in ("turtle", "nt", "json-ld"):
        text = lod.dumps(cat, format=fmt)
        assert lod.from_graph(lod.parse(text, fmt)) == cat
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_cli_export_uses_no_network(tmp_path):
    code = GUARD + f"import sys\nfrom lod.cli import main\nsys.exit(main(['export', '-f', 'turtle,json-ld,nt', '-o', {str(tmp_path)!r}]))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert len(list(tmp_path.iterdir())) == 3


@pytest.mark.parametrize("context", ["https://example.org/ctx.jsonld", "http://127.0.0.1:9/ctx.jsonld",
                                     "file:///etc/passwd"])
def test_jsonld_with_a_remote_context_is_refused_not_fetched(context):
    doc = json.dumps({"@context": context, "@id": "https://example.org/id/person/x", "name": "X"})
    with pytest.raises(lod.RdfError, match="remote"):
        lod.parse(doc, "json-ld")


def test_the_schema_org_context_is_answered_from_the_bundle_offline():
    code = GUARD + r"""
import json, lod
doc = json.dumps({"@context": "https://schema.org", "@id": "https://example.org/id/person/x", "@type": "Person",
                  "name": "X", "birthDate": "1967"})
g = lod.parse(doc, "json-ld")
print(sorted(str(p) for _, p, _ in g))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "http://schema.org/birthDate" in out.stdout and "http://schema.org/name" in out.stdout
