"""Hostile catalogue inputs, and the check every one must pass (shared by the tests and benchmarks/fuzz.py).

An input is made from a ``random.Random`` (hypothesis hands one in through ``st.randoms()``, so
it shrinks; ``benchmarks/fuzz.py`` seeds its own): either the bundled example with one to four
records or fields damaged, written as YAML, JSON or JSON Lines, or a file-level attack: YAML
alias bombs, deep nesting, lone surrogates, bytes that are not UTF-8, YAML tags, truncation,
duplicate keys, byte-order marks, NUL bytes, numbers of thousands of digits, transcripts that
point outside the catalogue's folder.

:func:`check` loads an input as lod's users do and sorts the outcome:

- ``accepted``: it loaded; its N-Triples parse in pyoxigraph to as many triples as lod wrote,
  and nothing of the file outside the catalogue's folder (:data:`SECRET`) is in them;
- ``refused``: a :class:`lod.LodError` that names the file and, for every problem, the record
  and the field (the record alone when the record as a whole is wrong, the list alone for a
  top-level key), or the position in the file;
- ``unnamed``: refused, but a problem names no record and no field, or the file is not named;
- ``crash``: any other exception.
"""

from __future__ import annotations

import copy
import json
import random
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

import lod
from lod.model import LISTS

SECRET = "SECRET-OUTSIDE-THE-CATALOGUE-FOLDER"
"""The text of a file beside the catalogue's folder, which no input may get into the RDF."""

_SEED: dict[str, Any] | None = None


def seed_data() -> dict[str, Any]:
    """The bundled example as plain data (transcript paths kept)."""
    global _SEED
    if _SEED is None:
        _SEED = yaml.safe_load(lod.example_path().read_text(encoding="utf-8"))
    return copy.deepcopy(_SEED)


HOSTILE_STRINGS = [
    "", " ", "\ud800", "a\udfffb", "\x00", "nul\x00inside", "\u202etxet", "\ufeffbom", "x" * 5000,
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd",
    "http://exa mple.org/", "https://example.org/<>", "urn:isbn:0451450523", "https://example.org/ok",
    "Q0", "Q01", "Q-1", "Q" + "9" * 40, "2019-02-30", "0000", "--02-30", "2019-13", "99999-01-01",
    "en_US", "kk-cyrl", "x-private", "zz-Zzzz", "i-klingon", "<script>alert(1)</script>", "'; DROP TABLE x; --",
    "../../../../etc/hostname", "/etc/passwd", "schema:Movie", "_:b0", "\\u0000", "{{7*7}}", "${jndi:ldap://x}",
]

HOSTILE_VALUES: list[Any] = [
    None, True, False, 0, -1, 1.5, float("nan"), float("inf"), 10 ** 100, [], {}, [[[]]], {"a": {"b": {}}},
    ["x"] * 50, {"en": None}, {"": "x"}, {"en": ["a", "b"]}, [{"text": "x"}], {"text": "x", "lang": "en", "extra": 1},
]


def _value(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.45:
        return rng.choice(HOSTILE_STRINGS)
    if roll < 0.8:
        return copy.deepcopy(rng.choice(HOSTILE_VALUES))
    nested: Any = rng.choice(HOSTILE_STRINGS)
    for _ in range(rng.randint(1, 60)):
        nested = [nested] if rng.random() < 0.5 else {"k": nested}
    return nested


def _damage(rng: random.Random, data: dict[str, Any]) -> None:
    lists = [k for k, v in data.items() if isinstance(v, list) and v]
    roll = rng.random()
    if roll < 0.08:
        data[rng.choice(["movies", "films ", "", "\ud800", "info2"])] = _value(rng)
        return
    if roll < 0.14 and isinstance(data.get("info"), dict):
        info = data["info"]
        info[rng.choice([*info, "license", "url", "retrieved", "bogus"])] = _value(rng)
        return
    if not lists:
        return
    name = rng.choice(lists)
    items = data[name]
    i = rng.randrange(len(items))
    item = items[i]
    if roll < 0.2:
        items[i] = _value(rng)  # the record itself is not a mapping
    elif roll < 0.28 and isinstance(item, dict):
        items.append(copy.deepcopy(item))  # a duplicate id
    elif roll < 0.34 and isinstance(item, dict):
        other = rng.choice(lists)
        item.setdefault("id", "x")
        data[other].append({**copy.deepcopy(item)})
    elif roll < 0.42 and isinstance(item, dict) and item:
        item.pop(rng.choice(list(item)))  # a field is missing
    elif roll < 0.5 and name == "interviews" and isinstance(item, dict):
        item["text_file"] = rng.choice(["../secret.txt", "/etc/passwd", "../../../../etc/hostname",
                                        "transcripts/../../secret.txt", "transcripts", "nope.txt", "\ud800",
                                        "transcripts/kassymbek-madina.txt", "link-out.txt", 5, None])
        item["text_lang"] = rng.choice(["en", "en", "ru", "bad tag", None])
    elif isinstance(item, dict):
        target: Any = item
        path = [k for k in target]
        key = rng.choice(path + ["unknown_field", "qid", "same_as", "image", "url"]) if path else "id"
        for _ in range(rng.randint(0, 2)):  # sometimes go into a nested value
            inner = target.get(key) if isinstance(target, dict) else None
            if isinstance(inner, list) and inner and isinstance(inner[0], dict):
                target = rng.choice(inner)
                key = rng.choice(list(target) or ["x"])
            elif isinstance(inner, dict) and inner:
                target = inner
                key = rng.choice(list(inner))
        target[key] = _value(rng)


def _alias_bomb(rng: random.Random) -> str:
    width, levels = rng.randint(2, 12), rng.randint(2, 12)
    lines = [f"a0: &a0 [{', '.join(['x'] * width)}]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * width)}]" for n in range(1, levels)]
    where = rng.choice(["films", "people", "info"])
    tail = (f"films:\n  - id: f\n    titles: [{{en: T}}]\n    keywords: *a{levels - 1}\n" if where == "films" else
            f"people:\n  - id: p\n    names: {{en: P}}\n    occupations: *a{levels - 1}\n" if where == "people" else
            f"info: {{id: c, names: {{en: C}}, description: *a{levels - 1}}}\n")
    return "\n".join(lines) + "\n" + tail


def _file_attack(rng: random.Random, folder: Path) -> tuple[str, bytes]:
    kind = rng.randrange(14)
    if kind == 0:
        return ".yaml", _alias_bomb(rng).encode()
    if kind == 1:
        depth = rng.choice([60, 500, 1000, 5000, 100_000])
        return ".json", ('{"films": ' + "[" * depth + "]" * depth + "}").encode()
    if kind == 2:
        depth = rng.choice([60, 999, 5000])
        return ".yaml", ("films: " + "[" * depth + "]" * depth + "\n").encode()
    if kind == 3:
        depth = rng.choice([60, 200, 900])
        nested = "[" * depth + '"x"' + "]" * depth
        return ".json", ('{"films": [{"id": ' + nested + ', "titles": [{"en": "T"}]}]}').encode()
    if kind == 4:
        where = rng.choice(['{"info": {"id": "\\ud800", "names": {"en": "C"}}}',
                            '{"info": {"id": "c", "names": {"en": "C"}, "publisher": "\\udfff"}}',
                            '{"interviews": [{"id": "i", "headlines": {"en": "H"}, "text_file": "\\ud800", '
                            '"text_lang": "en"}]}',
                            '{"people": [{"id": "p", "names": {"\\ud800": "P"}}]}',
                            '{"people": [{"id": "p", "names": {"en": "P"}, "same_as": ["https://x.org/\\ud800"]}]}',
                            '{"\\ud800": []}'])
        return ".json", where.encode()
    if kind == 5:
        text = seed_text(rng, ".yaml")
        cut = rng.randrange(len(text))
        return ".yaml", text[:cut] + bytes([rng.choice([0x80, 0xC3, 0xFF, 0xFE, 0xED])]) + text[cut:]
    if kind == 6:
        tag = rng.choice(["!!python/object/apply:os.system ['echo pwned']", "!!python/name:os.system",
                          "!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]", "!custom x", "!!timestamp 2019-01-01",
                          "!!float .nan", "!!int 0x10", "!!str 2019", "!!null ''", "!!bool yes"])
        return ".yaml", f"films:\n  - id: f\n    titles: [{{en: T}}]\n    date_created: {tag}\n".encode()
    if kind == 7:
        suffix = rng.choice([".yaml", ".json"])
        text = seed_text(rng, suffix)
        return suffix, text[: rng.randrange(len(text) + 1)]
    if kind == 8:
        return ".yaml", rng.choice([b"films: []\nfilms: []\n", b"people:\n  - id: p\n    names: {en: A, en: B}\n",
                                    b"? [a, b]\n: c\n", b"films:\n  - {id: f, titles: [{en: T}], id: g}\n",
                                    b"{1: 2}\n", b"? {a: 1}\n: x\n"])
    if kind == 9:
        return rng.choice([".yaml", ".json"]), rng.choice([b"", b"\xef\xbb\xbf", b"null", b"[]", b"42", b'"text"',
                                                          b"\x00\x00\x00", b"\xef\xbb\xbf{}", b"---\n...\n",
                                                          b"--- 1\n--- 2\n", b"%YAML 1.2\n---\n{}\n"])
    if kind == 10:
        digits = "9" * rng.choice([4301, 10_000])
        return rng.choice([".yaml", ".json"]), (f'{{"films": [{{"id": "f", "titles": [{{"en": "T"}}], '
                                                f'"runtime_minutes": {digits}}}]}}').encode()
    if kind == 11:
        text = seed_text(rng, ".json")
        return ".json", text.replace(b'"', b'"\x00', 1) if rng.random() < 0.5 else b"\xef\xbb\xbf" + text
    if kind == 12:  # a transcript that is a link to a file outside the catalogue's folder
        link = folder / "link-out.txt"
        if not link.is_symlink():
            link.symlink_to(folder.parent / "secret.txt")
        data = {"interviews": [{"id": "i", "headlines": {"en": "H"}, "text_file": "link-out.txt", "text_lang": "en"}]}
        return ".json", json.dumps(data).encode()
    lines = [json.dumps({name: item}, ensure_ascii=rng.random() < 0.5) for name, items in seed_data().items()
             if isinstance(items, list) for item in items[:3]]
    lines.insert(rng.randrange(len(lines) + 1), rng.choice(["{", "[]", '{"films": {"id": ' + "[" * 3000 + "]" * 3000 +
                                                            "}}", '{"a": 1, "b": 2}', "\ud800", "null"]))
    return ".jsonl", "\n".join(lines).encode("utf-8", "surrogatepass")


def seed_text(rng: random.Random, suffix: str, data: dict[str, Any] | None = None) -> bytes:
    data = seed_data() if data is None else data
    if suffix == ".json":
        return json.dumps(data, ensure_ascii=rng.random() < 0.5, allow_nan=True).encode("utf-8", "surrogatepass")
    if suffix == ".jsonl":
        lines = [json.dumps({"info": data["info"]})] if isinstance(data.get("info"), dict) else []
        lines += [json.dumps({name: item}) for name, items in data.items() if isinstance(items, list) for item in items]
        return "\n".join(lines).encode("utf-8", "surrogatepass")
    return yaml.safe_dump(data, allow_unicode=rng.random() < 0.5, sort_keys=False).encode("utf-8", "surrogatepass")


def make_input(rng: random.Random, folder: Path) -> tuple[str, bytes]:
    """``(suffix, bytes)`` of one hostile catalogue file to be written into ``folder``."""
    if rng.random() < 0.4:
        return _file_attack(rng, folder)
    data = seed_data()
    for _ in range(rng.randint(1, 4)):
        _damage(rng, data)
    suffix = rng.choice([".yaml", ".yaml", ".json", ".jsonl"])
    try:
        return suffix, seed_text(rng, suffix, data)
    except (ValueError, yaml.YAMLError, TypeError):  # what the writer itself cannot write
        return ".json", json.dumps(data, default=str).encode("utf-8", "surrogatepass")


def prepare(folder: Path) -> None:
    """A catalogue folder with the example's transcripts, and a secret file just outside it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder.parent / "secret.txt").write_text(SECRET, encoding="utf-8")
    (folder / "transcripts").mkdir(exist_ok=True)
    for src in (lod.example_path().parent / "transcripts").iterdir():
        (folder / "transcripts" / src.name).write_bytes(src.read_bytes())


@dataclass
class Outcome:
    kind: str  # accepted, refused, unnamed, crash
    seconds: float
    detail: str = ""


def _names_its_place(exc: lod.LodError, path: Path) -> str | None:
    """Why a refusal does not say where the problem is, or None when it does."""
    text = str(exc)
    if path.name not in text:
        return f"the file is not named: {text[:200]!r}"
    problems = exc.problems if isinstance(exc, lod.CatalogueError) else [exc]
    for p in problems:
        if isinstance(p, lod.FileError):
            continue
        if isinstance(p, lod.InputError) and p.field is None and p.record is None:
            return f"a problem names no record and no field: {str(p)[:200]!r}"
        if isinstance(p, lod.InputError) and p.record is None and p.field not in (*LISTS, "info", "organisations",
                                                                                   "programs") and not _top(p.field):
            return f"a problem names no record: {str(p)[:200]!r}"
    return None


def _top(field: Any) -> bool:
    return not isinstance(field, str) or "." not in field and "[" not in field  # a top-level key of the file


def check(path: Path) -> Outcome:
    """Load one input as lod's users do and sort the outcome (see the module's docstring)."""
    import pyoxigraph as ox

    t0 = time.perf_counter()
    try:
        if path.suffix == ".jsonl":
            from lod.stream import validate_file

            report = validate_file(path, ("core",), quiet=True)
            loaded = [r for r in report.results if r.focus and r.message.startswith(f"{r.focus}: ")]
            unplaced = [r.message for r in loaded if not re.match(rf"{re.escape(path.name)}:\d+\Z", r.focus)]
            if unplaced:  # each line's problem must name the file and the line
                return Outcome("unnamed", time.perf_counter() - t0, unplaced[0][:200])
            return Outcome("refused" if loaded else "accepted", time.perf_counter() - t0)
        cat = lod.load_catalogue(path)
        nt = lod.dumps(cat, format="nt")
        parsed = list(ox.parse(nt.encode(), format=ox.RdfFormat.N_TRIPLES))
        if len(parsed) != sum(1 for line in nt.splitlines() if line.strip()):
            return Outcome("crash", time.perf_counter() - t0, "N-Triples do not parse to as many triples")
        if SECRET in nt:
            return Outcome("crash", time.perf_counter() - t0, "a file outside the catalogue's folder was read")
        return Outcome("accepted", time.perf_counter() - t0)
    except lod.LodError as exc:
        why = _names_its_place(exc, path)
        return Outcome("unnamed" if why else "refused", time.perf_counter() - t0, why or "")
    except Exception as exc:  # noqa: BLE001 - that is what is being looked for
        return Outcome("crash", time.perf_counter() - t0, f"{type(exc).__name__}: {str(exc)[:200]}")
