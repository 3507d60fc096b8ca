"""Catalogue-scale export: records read, mapped, validated and written in bounded batches.

The input is a JSON Lines catalogue (``.jsonl``): one record a line, as a one-key object
naming its list, the same names a catalogue file uses::

    {"info": {"id": "klassiki", "names": {"en": "Klassiki"}}}
    {"people": {"id": "olga-doletskaya", "names": {"en": "Olga Doletskaya"}}}
    {"films": {"id": "madina", "titles": [{"text": "Madina", "lang": "en"}], "cast": [...]}}

(A YAML or JSON catalogue file works too; it is read whole, then streamed.) The export runs
in passes over a :class:`Part` of the input (the whole file here, a slice of it on Dask):

1. **scan**: ids and kinds of every record (JSON only, no model): references can then be
   named and checked in any order, and the record count gives the progress bar its total;
2. **map**: each record is checked (pydantic), its references resolved, and mapped by
   :class:`~lod.mapping.FastMapper`. Without validation each batch is written at once;
   with it, the triples are spilled to a temp file, and what the shapes read on
   *referenced* records (their types…) is kept in the index;
3. **validate and write**: each spilled batch is validated by the compiled shapes
   (:mod:`lod.shacl`, or pyshacl with ``engine="pyshacl"``) with the index as context, and
   its clean records are appended to the output files, grouped by subject.

Memory is one batch plus the index (the id and kind of every record, and the few triples
of each record the shapes read from elsewhere), not the catalogue. Output is deterministic
for a given input, whatever the batch size; its triples are exactly those of the in-memory
export (the test suite compares the canonical N-Triples of both), in the input's order.

Without ``keep_going``, any problem means nothing is written. With it, records with
problems are left out, and so are records that refer to one: a record already written
when the record it refers to was found wanting makes the part be written again (with
validation), or is listed in the summary (without).

Validation sees a batch plus, for records elsewhere, the triples the compiled shapes read
on value nodes (types, and the predicates of nested shapes and of later path steps). A
shape that reaches a record only *from another record* (``sh:targetObjectsOf``, an inverse
path) sees the batch alone; lod's own shapes use those only within a record.
"""

from __future__ import annotations

import json
import marshal
from array import array
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Callable, cast

from pydantic import ValidationError
from rdflib import URIRef

from .. import errors as E
from ..io import spill_dir
from ..io import grouped, writer_for
from ..mapping import DEFAULT_BASE, FastMapper, FastTriple, RecordIris, check_base, gc_paused
from ..records import (ALIASES, LISTS, PREFIXES, REGISTRY, CatalogueInfo, Record, model_refs, refs_of, input_errors,
                       referable_kinds, reference_problems)
from ..io import EXTENSIONS, format_of_suffix
from ..validation import DEFAULT_ENGINE
from ..io import JSONL_SUFFIXES, jsonl_record

DEFAULT_BATCH = 1000

_CONTEXTS = threading.RLock()
"""Held while contexts are numbered into an index: a Dask worker's threads share the index it was sent."""


# --- reading -------------------------------------------------------------------------

@dataclass(frozen=True)
class Part:
    """A slice of a JSON Lines file: bytes [start, end), starting at line ``first_line``; or, with ``order``,
    the lines at those (byte offset, line number) pairs, in that order (a file whose records are not in
    writing order: see :func:`ordered_parts`)."""

    path: str
    start: int = 0
    end: int | None = None
    first_line: int = 1
    order: tuple[tuple[int, int], ...] | None = None
    decoded: str | None = None
    """A file of the part's lines as the scan decoded them (:func:`scan`'s ``keep``): the later passes read it
    instead of decoding the JSON again; if it is not there (a worker on another machine), they read the JSON."""


def split(path: str | os.PathLike[str], parts: int) -> list[Part]:
    """Cut a JSON Lines file into about ``parts`` slices on line boundaries."""
    p = Path(path)
    size = p.stat().st_size
    cuts = [0]
    with p.open("rb") as fh:
        for i in range(1, parts):
            fh.seek(max(cuts[-1], size * i // parts))
            fh.readline()  # to the start of the next line
            pos = fh.tell()
            if cuts[-1] < pos < size:
                cuts.append(pos)
    cuts.append(size)
    out, line = [], 1
    with p.open("rb") as fh:
        for a, b in zip(cuts, cuts[1:]):
            out.append(Part(str(p), a, b, line))
            fh.seek(a)
            for start in range(a, b, 1 << 20):  # a megabyte at a time, not the slice at once
                line += fh.read(min(1 << 20, b - start)).count(b"\n")
    return out


Item = tuple[str, Any, str]  # (list name, raw record, where: "file.jsonl:12")

_RANK = {name: rank for rank, name in enumerate(LISTS)}
"""List name -> its place in the writing order (the registry's)."""


def _write_key(name: str, raw: Any) -> tuple[int, str] | None:
    """Where a raw record goes in lod's writing order: (list, id); None for a record that cannot be written."""
    rank = _RANK.get(name)
    rid = _raw_id(raw)
    return None if rank is None or rid is None else (rank, rid)


def ordered_parts(path: str | os.PathLike[str], parts: int = 1) -> list[Part]:
    """A JSON Lines file's records in writing order (list by list, each by id), cut into ``parts`` parts.

    Only for a file whose records are not in that order already (:attr:`Index.in_order`): every line is
    read once more, and its offset kept (a few hundred bytes a record) until the parts are made.
    """
    keyed: list[tuple[tuple[int, str], int, int]] = []
    for item, offset, line_no in _lines(Part(str(path))):
        name, raw, _ = item
        key = _write_key(name, raw) if name else None
        # a line that cannot be written (no id, not an object) keeps its place at the start: it is reported
        keyed.append(((-1, "") if key is None else key, offset, line_no))
    keyed.sort()
    order = [(offset, line_no) for _, offset, line_no in keyed]
    size = max(1, -(-len(order) // max(1, parts)))
    return [Part(str(path), order=tuple(order[i:i + size])) for i in range(0, max(len(order), 1), size)]


def in_writing_order(parts: list[Part], index: Index) -> list[Part]:
    """``parts`` as they are when the file's records are in writing order (or the file is read whole: YAML, JSON,
    whose lists :func:`read_part` orders itself), else as many :func:`ordered_parts` of the file."""
    path = parts[0].path
    if index.in_order or Path(path).suffix.lower() not in JSONL_SUFFIXES:
        return parts
    return ordered_parts(path, len(parts))


def _decode_line(raw: bytes, file_name: str, line_no: int) -> Item | None:
    text = raw.strip()
    if not text:
        return None
    where = f"{file_name}:{line_no}"
    try:
        name, item = jsonl_record(text, file_name, line_no)
    except E.FileError as exc:
        return "", exc.message, where
    return ALIASES.get(name, name), item, where


def _lines(part: Part) -> Iterator[tuple[Item, int, int]]:
    """The decoded lines of a JSON Lines part, with each one's byte offset and line number."""
    path = Path(part.path)
    file_name = path.name  # (a property that splits the path: once, not twice a line)
    with path.open("rb") as fh:
        if part.order is not None:
            for offset, line_no in part.order:
                fh.seek(offset)
                found = _decode_line(fh.readline(), file_name, line_no)
                if found is not None:
                    yield found, offset, line_no
            return
        fh.seek(part.start)
        line_no = part.first_line - 1
        pos = part.start
        for raw in fh:
            if part.end is not None and pos >= part.end:
                break
            offset = pos
            pos += len(raw)
            line_no += 1
            found = _decode_line(raw, file_name, line_no)
            if found is not None:
                yield found, offset, line_no


_FRAME = 2000
"""Decoded lines a frame of a scan's ``keep`` file holds."""


def _write_frames(items: Iterable[Item], keep: str) -> Iterator[Item]:
    """``items`` as they go by, written to ``keep`` in marshal frames (length, then data), atomically."""
    tmp = f"{keep}.tmp"
    with open(tmp, "wb") as fh:
        frame: list[Item] = []
        for item in items:
            frame.append(item)
            yield item
            if len(frame) >= _FRAME:
                data = marshal.dumps(frame)
                fh.write(len(data).to_bytes(8, "little") + data)
                frame = []
        if frame:
            data = marshal.dumps(frame)
            fh.write(len(data).to_bytes(8, "little") + data)
    os.replace(tmp, keep)


def _read_frames(path: str) -> Iterator[Item]:
    with open(path, "rb") as fh:
        while head := fh.read(8):
            data = fh.read(int.from_bytes(head, "little"))
            with gc_paused():
                frame: list[Item] = marshal.loads(data)
            yield from frame


def read_part(part: Part) -> Iterator[Item]:
    """The raw records of a JSON Lines slice, or of a whole catalogue file."""
    if part.decoded is not None and os.path.isfile(part.decoded):
        yield from _read_frames(part.decoded)
        return
    path = Path(part.path)
    if path.suffix.lower() not in JSONL_SUFFIXES:
        from ..io import catalogue_data

        lines: dict[tuple[str, int], int] = {}
        data = catalogue_data(path, lines)  # a YAML file tells each record's line; a JSON file does not
        spellings: dict[str, str] = {}
        for key in data:
            name = ALIASES.get(key, key)
            if name in spellings:  # organisations and organizations: which would be meant is not clear
                yield "", (f"'{spellings[name]}' and '{key}' are the same list; give it once"), \
                    f"{path.name}:{lines.get((key, -1), key)}"
            spellings[name] = key
        def rank(key: str) -> int:  # info, the lists in the registry's order, then unknown keys
            name = ALIASES.get(key, key)
            return -1 if name == "info" else _RANK.get(name, len(_RANK))

        keys = sorted(data, key=rank)
        for key in keys:
            value = data[key]
            name = ALIASES.get(key, key)
            if name == "info":
                yield "info", value, f"{path.name}:{lines.get((key, -1), 'info')}"
            elif isinstance(value, list):
                # in writing order (by id); a record without a usable id first, so its problem is reported
                order = sorted(range(len(value)), key=lambda i: (_raw_id(value[i]) is not None,
                                                                 _raw_id(value[i]) or ""))
                for i in order:
                    yield name, value[i], f"{path.name}:{lines.get((key, i), f'{key}[{i}]')}"
            elif value is None:  # "films:" with nothing under it: an empty list
                continue
            elif name in LISTS:
                yield "", f"record list {key!r}: must be a list of records (it is a {type(value).__name__})", \
                    f"{path.name}:{lines.get((key, -1), key)}"
            else:
                yield name, value, f"{path.name}:{key}"
        return
    for item, _, _ in _lines(part):
        yield item


# --- pass 1: scan ------------------------------------------------------------------

_KIND_NAMES: tuple[str, ...] = tuple(dict.fromkeys(cls.kind for cls in LISTS.values()))
"""Record kinds by number, as :attr:`Index.ids` packs them."""
_KIND_NO = {kind: n for n, kind in enumerate(_KIND_NAMES)}
_KIND_BITS = 6
_KIND_MASK = (1 << _KIND_BITS) - 1
assert len(_KIND_NAMES) <= _KIND_MASK + 1


class IdTable:
    """Record id -> a small integer: a dict while the catalogue is small, a private SQLite table on disk past it
    (``sqlite3`` from the standard library; a temporary file that SQLite removes when the table goes), and, once
    the scan is over, compact arrays in memory in front of SQLite (:meth:`seal`).

    Why not one dict: the table is the one part of the index that grows with every record, and a dict of
    str -> int costs about 100 bytes an id (1,767,001 ids at 1,000,000 films: some 170 MB). So the dict holds
    the whole table only up to :attr:`_RECENT` ids (262,144: every id of the 100,000-film catalogue, 176,701),
    and SQLite is asked nothing until then; past it every id goes to SQLite (the scan's duplicate check is an
    ``INSERT OR IGNORE``). SQLite's own look-ups are slow at that size (3.5 µs each, its pages read from the
    operating system's cache, against 0.9 µs for the arrays: 200,000 random look-ups in a table of 1,767,001
    ids, one run), so :meth:`seal` copies the table into hash buckets, the ids' bytes end to end and their
    values (16 bytes an id besides its bytes; about 40 MB at 1,767,001 ids), and a look-up compares the id's
    bytes with those of its bucket: exact, whatever the hash. A sealed table changes values in the arrays and
    writes them to SQLite only when SQLite is read again (it ships, merges, lists its items or takes an id).
    With the arrays the 1,000,000-film export with validation took 318.5 and 332.1 s and peaked at 197.8 and
    199.0 MB (``python benchmarks/bench_stream.py --films 1000000 --cases stream-validate --repeat 2``, at
    8565741, load below 1); with SQLite's look-ups, one run of the same export took 336.7 s and 177 MB (at
    4ec82da), and one at 7b30389 with the arrays 312.1 s: the machine's speed drifts by a tenth.

    Ids are kept as their UTF-8 bytes (lone surrogates as a scan reads them); an id with a NUL or SOH in it is
    not kept (it is not a valid id: its record does not load, and no reference can name it). A table still whole
    in its dict pickles as the dict, and stays whole where it goes (a Dask worker); else as its database's bytes
    (``Connection.serialize``), which become a file there again. ``tests/test_id_table.py`` holds every mode, and
    the changes from one to another, to a dict."""

    __slots__ = ("_db", "_len", "_recent", "_whole", "_buckets", "_ends", "_keys", "_values", "_stale")
    _RECENT = 1 << 18
    _stale: bool
    _SEALED_RECENT = 1 << 14
    """The ids last found a sealed table keeps in its dict in front."""
    _HASH: Callable[[str], int] = hash
    """The hash :meth:`seal` puts ids in buckets by (Python's own, cached on each string; the tests give others)."""
    CACHE_KB = 2048
    """SQLite's page cache a table (``PRAGMA cache_size``)."""
    _TABLE = "CREATE TABLE ids (k BLOB PRIMARY KEY, v INTEGER NOT NULL) WITHOUT ROWID"

    def __init__(self) -> None:
        self._db = self._open()
        self._db.execute(self._TABLE)
        self._db.execute("BEGIN")
        self._len = 0
        self._recent: dict[str, int] = {}
        self._whole = True
        """Every id is in :attr:`_recent`, with its value, and none in the database yet: until the table outgrows
        the dict (:attr:`_RECENT` ids) or is shipped, the dict is the table and SQLite is not asked anything."""
        self._unseal()

    def _unseal(self) -> None:
        if getattr(self, "_buckets", None) is not None and self._stale:
            self._write_back()
        self._stale = False
        """Values changed in the sealed arrays and not yet in SQLite (written back before SQLite is read)."""
        self._buckets: array[int] | None = None
        """Once sealed (:meth:`seal`, a table past the dict): where each hash bucket's ids start…"""
        self._ends: array[int] = array("I")
        """…where each id's bytes end in :attr:`_keys`…"""
        self._keys = bytearray()
        """…the ids' bytes, end to end, bucket by bucket…"""
        self._values: array[int] = array("q")
        """…and each one's value, in the same order."""

    @classmethod
    def _open(cls) -> Any:
        import sqlite3

        # "": a private database in a temporary file; one transaction, never journalled: the file is lod's own
        db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        for pragma in (f"cache_size = -{cls.CACHE_KB}", "journal_mode = OFF", "synchronous = OFF",
                       "locking_mode = EXCLUSIVE"):
            db.execute(f"PRAGMA {pragma}")
        return db

    def seal(self) -> None:
        """No more ids will be added (more may be, but then this is undone): a table past the dict answers
        look-ups from arrays in memory instead of asking SQLite, which read its pages from the operating system
        for most look-ups of a catalogue that large. The ids are put in hash buckets (``hash()``'s low bits,
        about two ids a bucket): where each bucket starts, the ids' bytes end to end, where each ends, and the
        values (16 bytes an id besides its own bytes; the dict in front is emptied). A look-up compares the
        id's bytes with those of its bucket, so the answer is exact. SQLite stays the table (it is what ships
        and merges): values changed while sealed are written to it when it is next read (:meth:`_write_back`)."""
        if self._whole or self._buckets is not None:
            return
        of, mask = self._HASH, (1 << max(4, (self._len // 2).bit_length())) - 1
        self._db.create_function("lod_bucket", 1, lambda k: of(k.decode("utf-8", "surrogatepass")) & mask,
                                 deterministic=True)
        (size,) = self._db.execute("SELECT total(length(k)) FROM ids").fetchone()
        # (where the ids' bytes end: 4 bytes each, unless they come to 4 GiB or more)
        buckets, ends, values, keys = array("I"), array("I" if size < 1 << 32 else "Q"), array("q"), bytearray()
        n = 0
        for b, k, v in self._db.execute("SELECT lod_bucket(k) AS b, k, v FROM ids ORDER BY b"):  # (SQLite sorts)
            while len(buckets) <= b:
                buckets.append(n)
            keys += k
            ends.append(len(keys))
            values.append(v)
            n += 1
        while len(buckets) <= mask + 1:
            buckets.append(n)
        self._recent.clear()
        self._buckets, self._ends, self._keys, self._values = buckets, ends, keys, values

    def _sealed(self, rid: str) -> int:
        """Where ``rid`` is in the sealed arrays, or -1."""
        buckets = cast("array[int]", self._buckets)
        b = self._HASH(rid) & (len(buckets) - 2)
        i, end = buckets[b], buckets[b + 1]
        if i == end:
            return -1
        key = rid.encode("utf-8", "surrogatepass")
        ends, keys, size = self._ends, self._keys, len(key)
        start = ends[i - 1] if i else 0
        while i < end:
            stop = ends[i]
            if stop - start == size and keys.startswith(key, start):
                return i
            start = stop
            i += 1
        return -1

    def _write_back(self) -> None:
        """The sealed arrays' values into SQLite (what a sealed table changed is kept only there until SQLite is
        read: when the table ships, merges, lists its items, or takes a new id)."""
        ends, keys, values = self._ends, self._keys, self._values
        self._db.executemany("UPDATE ids SET v = ? WHERE k = ?",
                             ((values[i], keys[ends[i - 1] if i else 0:ends[i]]) for i in range(len(values))))
        self._stale = False

    def _to_disk(self) -> None:
        """Write the ids held only in the dict to the database (which has none yet); the dict stays, as a cache."""
        if self._whole:
            key = self._key
            self._db.executemany("INSERT INTO ids VALUES (?, ?)", ((key(rid), v) for rid, v in self._recent.items()))
            self._whole = False

    def __getstate__(self) -> tuple[bytes | dict[str, int], int]:
        # a table still whole in its dict ships as the dict, and stays whole where it goes (a Dask worker's
        # look-ups are then the dict's, not SQLite's); else as its database's bytes
        return (dict(self._recent) if self._whole else self._serialized()), self._len

    def _serialized(self) -> bytes:
        """The database as bytes (``Connection.serialize``, between two transactions)."""
        self._to_disk()
        if self._stale:
            self._write_back()
        self._db.execute("COMMIT")
        try:
            return self._db.serialize()
        finally:
            self._db.execute("BEGIN")

    def __setstate__(self, state: tuple[bytes | dict[str, int], int]) -> None:
        import sqlite3

        data, self._len = state
        self._db = self._open()
        if isinstance(data, dict):
            self._db.execute(self._TABLE)
            self._db.execute("BEGIN")
            self._recent, self._whole = data, True
            self._unseal()
            return
        with sqlite3.connect(":memory:") as shipped:
            shipped.deserialize(data)
            shipped.backup(self._db)
        shipped.close()
        self._db.execute("BEGIN")
        self._recent = {}
        self._whole = False
        self._unseal()

    @staticmethod
    def _key(rid: str) -> bytes:
        return rid.encode("utf-8", "surrogatepass")

    def add(self, rid: str, value: int) -> bool:
        """Keep ``rid``; False if it is here already (its value is left as it was)."""
        if "\x00" in rid or "\x01" in rid:
            return True
        if self._whole:
            recent = self._recent
            if rid in recent:
                return False
            if len(recent) < self._RECENT:
                recent[rid] = value
                self._len += 1
                return True
            self._to_disk()  # the dict is full: from here on the table is SQLite's
        if self._db.execute("INSERT OR IGNORE INTO ids VALUES (?, ?)", (self._key(rid), value)).rowcount != 1:
            return False
        self._len += 1
        if self._buckets is not None:
            self._unseal()
        return True

    def get(self, rid: str, default: int | None = None) -> int | None:
        found = self._recent.get(rid)
        if found is not None:
            return found
        if self._whole or type(rid) is not str:
            return default
        if self._buckets is not None:  # sealed: the arrays answer
            i = self._sealed(rid)
            if i < 0:
                return default
            recent = self._recent  # a record's references are asked for again as it is mapped
            if len(recent) >= self._SEALED_RECENT:
                recent.clear()
            found = recent[rid] = self._values[i]
            return found
        row = self._db.execute("SELECT v FROM ids WHERE k = ?", (self._key(rid),)).fetchone()
        if row is None:
            return default
        found = row[0]
        recent = self._recent
        if len(recent) >= self._RECENT:
            recent.clear()
        recent[rid] = found
        return found

    def __getitem__(self, rid: str) -> int:
        found = self.get(rid)
        if found is None:
            raise KeyError(rid)
        return found

    def __contains__(self, rid: object) -> bool:
        return isinstance(rid, str) and self.get(rid) is not None

    def __setitem__(self, rid: str, value: int) -> None:
        if not self.update(rid, 0, value):
            self.add(rid, value)

    def update(self, rid: str, keep: int, add: int) -> bool:
        """Set the value of ``rid`` to ``value & keep | add`` (False: ``rid`` is not here)."""
        if self._whole:
            known = self._recent.get(rid)
            if known is None:
                return False
            self._recent[rid] = known & keep | add
            return True
        self._recent.pop(rid, None)
        if type(rid) is not str:
            return False
        if self._buckets is not None:  # sealed: in the arrays only (SQLite is written when it is read)
            i = self._sealed(rid)
            if i < 0:
                return False
            self._values[i] = self._values[i] & keep | add
            self._stale = True
            return True
        return bool(self._db.execute("UPDATE ids SET v = v & ? | ? WHERE k = ?",
                                     (keep, add, self._key(rid))).rowcount)

    def keep_bits(self, keep: int) -> None:
        """Set every value to ``value & keep``, in one statement."""
        recent = self._recent
        if self._whole:
            for rid, value in recent.items():
                recent[rid] = value & keep  # (a key's value replaced: the dict does not change size)
            return
        recent.clear()
        self._unseal()
        self._db.execute("UPDATE ids SET v = v & ?", (keep,))

    def update_many(self, changes: Iterable[tuple[str, int]], keep: int) -> None:
        """:meth:`update` for many ids at once, each ``(rid, add)``."""
        recent = self._recent
        if self._whole:
            for rid, add in changes:
                known = recent.get(rid)
                if known is not None:  # (an id not here is left alone, as SQLite's UPDATE leaves it)
                    recent[rid] = known & keep | add
            return
        if self._buckets is not None:  # sealed: in the arrays only (SQLite is written when it is read)
            values, sealed = self._values, self._sealed
            for rid, add in changes:
                known = recent.get(rid)
                if known is not None:
                    recent[rid] = known & keep | add
                if type(rid) is str and (i := sealed(rid)) >= 0:
                    values[i] = values[i] & keep | add
                    self._stale = True
            return
        rows = []
        for rid, add in changes:
            known = recent.get(rid)
            if known is not None:  # kept up to date, not dropped: validation asks for it next
                recent[rid] = known & keep | add
            rows.append((keep, add, self._key(rid)))
        self._db.executemany("UPDATE ids SET v = v & ? | ? WHERE k = ?", rows)

    def __len__(self) -> int:
        return self._len

    def items(self) -> Iterator[tuple[str, int]]:
        """(id, value), in the order of the ids' bytes (read as they are given, not all at once)."""
        if self._whole:
            key = self._key
            yield from sorted(self._recent.items(), key=lambda item: key(item[0]))
            return
        if self._stale:
            self._write_back()
        for key, value in self._db.execute("SELECT k, v FROM ids ORDER BY k"):
            yield key.decode("utf-8", "surrogatepass"), value

    def __iter__(self) -> Iterator[str]:
        return (rid for rid, _ in self.items())

    def take(self, other: IdTable) -> list[str]:
        """Add the ids of ``other`` that are not here, with their values; the ids that are, each once.
        (Two whole tables that fit one dict merge in it; else ``other``'s database is copied in beside this one
        and merged by SQLite, with no row through Python.)"""
        if self._whole and other._whole and self._len + other._len <= self._RECENT:
            # both whole in their dicts and together within one: merged there (the parts of a catalogue of
            # fewer ids than the dict holds, as a Dask export's scan gives them)
            mine, repeated = self._recent, []
            for rid, value in other._recent.items():
                if rid in mine:
                    repeated.append(rid)
                else:
                    mine[rid] = value
            self._len = len(mine)
            return repeated
        db = self._db
        self._to_disk()
        self._recent.clear()
        self._unseal()
        data = other._serialized()
        db.execute("COMMIT")  # (a database is attached between transactions)
        db.execute("ATTACH ':memory:' AS incoming")
        try:
            db.deserialize(data, name="incoming")
            db.execute("BEGIN")
            repeated = [key.decode("utf-8", "surrogatepass") for (key,) in
                        db.execute("SELECT i.k FROM incoming.ids AS i JOIN main.ids AS m ON m.k = i.k")]
            before = db.total_changes
            db.execute("INSERT OR IGNORE INTO main.ids SELECT k, v FROM incoming.ids")
            self._len += db.total_changes - before
        finally:
            if db.in_transaction:
                db.execute("COMMIT")
            db.execute("DETACH incoming")
            db.execute("BEGIN")
        return repeated


class Kinds(Mapping[str, str]):
    """Record id -> kind (``film``, ``person``…): a view of :attr:`Index.ids`."""

    def __init__(self, ids: IdTable) -> None:
        self._ids = ids
        self._get = ids.get

    def __getitem__(self, rid: str) -> str:
        found = self._get(rid)
        if found is None:
            raise KeyError(rid)
        return _KIND_NAMES[found & _KIND_MASK]

    def __contains__(self, rid: object) -> bool:
        return rid in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


@dataclass
class Index:
    """What every part needs to know about the whole catalogue.

    One :class:`IdTable` (on disk) holds what is known of each record: its kind and the number of what the shapes
    read on it (:meth:`add_context`), packed in one integer. Where a repeated id first
    occurs is found only when an id repeats (:func:`settle_duplicates`), so no location is kept for each
    record."""

    ids: IdTable = field(default_factory=IdTable)
    """Record id -> kind number | context number << 6."""
    repeated: set[str] = field(default_factory=set)
    """The ids more than one record has (found by the scan and the merge)."""
    repeats: dict[str, str] = field(default_factory=dict)
    """Where a record repeats an earlier record's id (``file.jsonl:40``) -> the id (:func:`settle_duplicates`)."""
    first_at: dict[str, str] = field(default_factory=dict)
    """A repeated id -> where its first record is (:func:`settle_duplicates`)."""
    contexts: list[dict[str, Any] | None] = field(default_factory=lambda: [None])
    """Context number -> what the shapes read on a record from other records (0: nothing)."""
    context_numbers: dict[tuple[tuple[str, tuple[Any, ...]], ...], int] = field(default_factory=dict)
    """A context's content -> its number."""
    lookups: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    """Raw records other records' triples need (awards and festival editions: award texts), each as its list's
    name and the record in :mod:`marshal` bytes: the 18,001 of the 1,000,000-film synthetic catalogue take
    17.1 MB decoded (``sys.getsizeof``, nested) and 2.0 MB as bytes (3.0 with their tuples)."""
    info: Any = None
    info_where: str = "info"
    """Where the catalogue block is (``file.jsonl:1``)."""
    more_info: list[str] = field(default_factory=list)
    """Where further catalogue blocks are (a file gives one; the first counts, each other is a problem)."""
    records: int = 0
    in_order: bool = True
    """The records are in writing order (list by list, each by id): read as they are, or else through
    :func:`ordered_parts`."""
    first_key: tuple[int, str] | None = None
    last_key: tuple[int, str] | None = None
    decoded: str | None = None
    """The file the scan wrote the part's decoded lines to (:func:`scan`'s ``keep``), if any."""
    taken: set[str] = field(default_factory=set)
    """The context files of parts whose context this index holds (:meth:`Streamer.take_contexts`)."""

    def __getstate__(self) -> dict[str, Any]:
        """A snapshot taken under the lock the tasks add contexts under: on Dask, a worker sends its copy of the
        index to another worker (the broadcast's replicas) from its event loop while its own task may be adding
        contexts to it; sent halfway, SQLite's transaction was ended under the task, which then committed each
        row on its own (minutes at 100,000 films: the issue-13 note), and the copy could name contexts it lacked."""
        with _CONTEXTS:
            state = {k: v.copy() if isinstance(v, (list, dict, set)) else v for k, v in self.__dict__.items()}
            state["ids"] = self.ids.__getstate__()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        ids = IdTable.__new__(IdTable)
        ids.__setstate__(state["ids"])
        self.__dict__.update(state, ids=ids)

    @property
    def kinds(self) -> Kinds:
        """Record id -> kind."""
        return Kinds(self.ids)

    def add_context(self, found: Mapping[str, dict[str, Any] | None]) -> None:
        """Record id -> what the shapes read on it (:meth:`lod.validation.BatchValidator.remember`); records
        alike share one dict, kept once here (known by its content: dicts from other processes are copies)."""
        ids, numbers, contexts = self.ids, self.context_numbers, self.contexts
        seen: dict[int, int] = {}  # id() of a dict of this call -> its number
        changes: list[tuple[str, int]] = []
        for rid, ctx in found.items():
            if ctx is None:
                continue  # (a context numbered for ids none of which is here is kept, and unused)
            n = seen.get(id(ctx))
            if n is None:
                key = tuple((p, tuple(objs)) for p, objs in ctx.items())
                n = numbers.get(key)
                if n is None:
                    n = numbers[key] = len(contexts)
                    contexts.append(ctx)
                seen[id(ctx)] = n
            changes.append((rid, n << _KIND_BITS))
        ids.update_many(changes, _KIND_MASK)

    def known(self, base: str) -> Callable[[Any], dict[str, Any] | None]:
        """Record IRI -> what the shapes read on it (None for a node that is not a record's, or nothing kept)."""
        ids, contexts, kinds, start = self.ids, self.contexts, _KIND_NAMES, len(base)

        def known(iri: Any) -> dict[str, Any] | None:
            if type(iri) is not str or not iri.startswith(base):
                return None
            kind, slash, rid = iri[start:].partition("/")
            found = ids.get(rid)
            if found is None or not slash or kinds[found & _KIND_MASK] != kind:
                return None
            return contexts[found >> _KIND_BITS]
        return known

    def merge(self, other: Index) -> None:
        """Take in the index of the next part of the file (parts merge in file order: an id already here is
        repeated there)."""
        if len(other.contexts) > 1:  # what the shapes read is numbered in each index: only the kinds are taken
            other.ids.keep_bits(_KIND_MASK)  # (never so in an export: parts merge as they were scanned)
        again = self.ids.take(other.ids)
        self.repeated.update(again)  # where: found by settle_duplicates
        for rid, item in other.lookups.items():
            if rid not in self.lookups and rid not in again:
                self.lookups[rid] = item
        self.repeated |= other.repeated
        if other.info is not None and self.info is None:
            self.info = other.info
            self.info_where = other.info_where
        elif other.info is not None:
            self.more_info.append(other.info_where)
        self.more_info += other.more_info
        # parts merge in file order: still in order if each is and they meet in order
        self.in_order = self.in_order and other.in_order and (
            self.last_key is None or other.first_key is None or self.last_key <= other.first_key)
        if self.first_key is None:
            self.first_key = other.first_key
        if other.last_key is not None:
            self.last_key = other.last_key
        self.records += other.records


def settle_duplicates(index: Index, parts: Iterable[Part]) -> None:
    """Where each repeated id first occurs, and where it repeats (:attr:`Index.first_at`, :attr:`Index.repeats`):
    the parts read again, only when an id repeats (the index keeps no location for each record)."""
    if not index.repeated:
        return
    wanted = index.repeated
    index.repeats, index.first_at = {}, {}
    for part in parts:
        for name, raw, where in read_part(part):
            rid = _raw_id(raw) if name in LISTS else None
            if rid is None or rid not in wanted:
                continue
            if rid in index.first_at:
                index.repeats[where] = rid
            else:
                index.first_at[rid] = where


_LOOKUP_KINDS = {k.kind for k in REGISTRY if k.lookup}


def _raw_id(raw: Any) -> str | None:
    """A raw record's id as the model reads it (a YAML number is text), or None."""
    rid = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(rid, int) and not isinstance(rid, bool) and rid >= 0:
        return str(rid)
    return rid if isinstance(rid, str) else None


def scan(part: Part, keep: str | None = None) -> Index:
    """The part's :class:`Index`. With ``keep`` (a file name), the decoded lines of a JSON Lines part are also
    written there (:attr:`Index.decoded`), so that each line is decoded once: the later passes read that file."""
    with gc_paused():  # many small objects, none in a cycle
        return _scan(part, keep)


def _scan(part: Part, keep: str | None) -> Index:
    index = Index()
    items = read_part(part)
    if keep is not None and part.order is None and part.decoded is None \
            and Path(part.path).suffix.lower() in JSONL_SUFFIXES and os.path.isdir(os.path.dirname(keep)):
        items = _write_frames(items, keep)
        index.decoded = keep
    for name, raw, where in items:
        if name == "info":
            if index.info is None:
                index.info, index.info_where = raw, where
            else:
                index.more_info.append(where)
            continue
        cls = LISTS.get(name)
        index.records += 1
        rid = _raw_id(raw)
        if cls is None or rid is None:
            continue
        key = (_RANK[name], rid)
        if index.last_key is not None and key < index.last_key:
            index.in_order = False
        if index.first_key is None:
            index.first_key = key
        index.last_key = key
        if not index.ids.add(rid, _KIND_NO[cls.kind]):
            index.repeated.add(rid)
        elif cls.kind in _LOOKUP_KINDS:
            index.lookups[rid] = (name, marshal.dumps(raw))  # (an eighth of the decoded dict's memory)
    return index


# --- pass 2: check and map -----------------------------------------------------------

@dataclass
class Problem:
    record: str | None
    where: str
    message: str
    leaves_out: bool = True
    """The record's id is left out (not so for a duplicate id: the first record with it stays)."""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class PartResult:
    """What one part did: counts, problems, validation results, files written."""

    records: int = 0
    written: int = 0
    triples: int = 0
    problems: list[Problem] = field(default_factory=list)
    results: list[Any] = field(default_factory=list)  # ValidationResult
    left_out: set[str] = field(default_factory=set)
    bad: set[str] = field(default_factory=set)
    excluded: set[str] = field(default_factory=set)
    """Records validate_part did not write (their problem or violation was known by then)."""
    spill: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    sha256: dict[str, str] = field(default_factory=dict)
    """Format -> the SHA-256 of the part's file, taken as it was written (a Dask part's; :class:`Sink`)."""
    context: str = ""
    """The file holding what the shapes read on this part's records (:meth:`Streamer.map_part` with ``ship``)."""
    seconds: dict[str, float] = field(default_factory=dict)


class Streamer:
    """The passes of a streaming export; one part at a time, the same code in-process or on Dask."""

    def __init__(self, index: Index, *, base: str = DEFAULT_BASE, profiles: tuple[str, ...] = ("core",),
                 validate: bool = True, engine: str = DEFAULT_ENGINE, batch_size: int = DEFAULT_BATCH,
                 shapes_dir: str | None = None, transcripts: str | None = None,
                 shape_files: tuple[tuple[str, int, int], ...] = ()) -> None:
        self.index = index
        self.shape_files = shape_files
        """Users' own shapes files (:func:`lod.validation.shape_files`), checked with the profiles."""
        self.transcripts = transcripts
        """The folder interview transcripts may be read from (default: the catalogue's folder)."""
        self._transcripts: dict[Path, Any] = {}
        self.base = check_base(base)
        self.profiles = profiles
        self.validate = validate
        self.engine = engine
        self.batch_size = batch_size
        self.shapes_dir = shapes_dir
        self._models: dict[str, Record] = {}
        index.ids.seal()  # (every id is in: the scan is over)
        self.mapper = FastMapper(None, self.base, kinds=index.kinds, lookup=self._lookup)
        self.mapper.keep_paths = validate  # (nested nodes' field paths place validation results, nothing else)
        self._iri = self.mapper.iri  # (a bound method made once: each record's RecordIris falls back on it)
        self._checker: Any = None
        self.info: CatalogueInfo | None = None
        self.info_problem: Problem | None = None
        if index.info is not None:
            try:
                self.info = CatalogueInfo.model_validate(index.info)
            except ValidationError as exc:
                self.info_problem = Problem("info", index.info_where, "; ".join(
                    str(p) for p in input_errors(exc, record="info")))
        if index.more_info:
            self.info_problem = Problem("info", index.more_info[0], f"a second catalogue block (info); the first is "
                                                                    f"at {index.info_where}: give one")
        if self.info is not None:
            for fld, target, kinds in refs_of(CatalogueInfo, self.info):
                if _class_name(index.kinds[target]) not in kinds if target in index.kinds else True:
                    self.info_problem = Problem("info", index.info_where, f"record 'info' field {fld!r}: refers to "
                                                                f"{target!r}, which is not a {' or '.join(kinds)} here")

    def _lookup(self, rid: str) -> Record:
        found = self._models.get(rid)
        if found is None:
            name, raw = self.index.lookups[rid]
            found = self._models[rid] = LISTS[name](**marshal.loads(raw))
        return found

    @property
    def checker(self) -> Any:
        """The batch validator (:class:`lod.validation.BatchValidator`): the one ``lod.validate`` runs."""
        if self._checker is None:
            from ..validation import BatchValidator

            self._checker = BatchValidator(self.profiles, self.base, self.shapes_dir, self.engine, self.shape_files)
        return self._checker

    def info_triples(self, left_out: set[str] | frozenset[str] = frozenset()) -> list[FastTriple]:
        """The catalogue block's triples, without its references to records in ``left_out``."""
        if self.info is None or self.info_problem is not None:
            return []  # a catalogue block with a problem is reported, not written
        found = grouped(cast("Iterator[FastTriple]", self.mapper.info_triples(self.info)))  # plain terms
        gone = {f"{self.base}{self.index.kinds[rid]}/{rid}" for rid in self.info_refs() if rid in left_out}
        return [t for t in found if t[2] not in gone] if gone else found

    def info_refs(self) -> dict[str, str]:
        """Record id -> the catalogue block's field that refers to it (its publisher)."""
        if self.info is None or self.info_problem is not None:
            return {}
        return {target: fld for fld, target, _ in refs_of(CatalogueInfo, self.info)}

    # records -> checked models

    def load(self, name: str, raw: Any, where: str, root: Path
             ) -> tuple[Record, tuple[str, ...], RecordIris] | Problem:
        """The checked record, the ids it refers to and the IRIs of those and its own (for
        :meth:`lod.mapping.Mapper.record_list`), or its problem."""
        rid = _raw_id(raw)
        cls = LISTS.get(name)
        if not name:
            return Problem(None, where, str(raw))
        if cls is None:
            return Problem(rid, where, f"unknown list {name!r}; expected one of info, {', '.join(LISTS)}")
        if not isinstance(raw, dict):
            return Problem(rid, where, f"a {name} entry must be an object")
        if where in self.index.repeats:
            return Problem(rid, where, f"record {rid!r} field 'id': id is already used by the record at "
                                       f"{self.index.first_at[self.index.repeats[where]]}", leaves_out=False)
        if name == "interviews" and "text_file" in raw:
            from ..io import TranscriptFolder

            problems: list[E.InputError] = []
            folder = self._transcripts.get(root)
            if folder is None:  # one per catalogue folder: a transcript file belongs to one interview
                folder = self._transcripts[root] = TranscriptFolder(root, self.transcripts)
            raw = folder.attach(raw, 0, problems)
            if problems:
                return Problem(rid, where, "; ".join(str(p) for p in problems))
        try:
            # BaseModel.__init__'s one call, without Record.__init__ around it (which turns pydantic's error into
            # lod's: done here). model_validate calls Record.__init__, which validates again from keyword
            # arguments: 0.699 s against 0.639 for the 35,341 records of 20,000 films (best of 3, gc off)
            rec = cls.__new__(cls)
            cls.__pydantic_validator__.validate_python(raw, self_instance=rec)
        except E.LodError as exc:
            return Problem(rid, where, str(exc))
        except ValidationError as exc:  # every problem of the record: its fields', then its references'
            found = input_errors(exc, record=rid, model=cls)
            flagged = {p.field for p in found}
            found += [p for p in self._reference_problems(cls, raw, rid) if p.field not in flagged]
            return Problem(rid, where, "; ".join(str(p) for p in found))
        refs = model_refs(rec)
        packed = self.index.ids.get
        base = self.base
        # the IRIs of the record and of those it refers to, for its mapping: each id is looked up once, here
        iris = RecordIris(self._iri)
        for target, allowed in refs:  # the usual case, cheaply: every target known and of a kind the field takes
            known = packed(target)
            if known is None or known & _KIND_MASK not in _kinds_of(allowed):
                wrong = self._reference_problems(cls, rec, rid, list(refs_of(cls, rec)))
                return Problem(rid, where, "; ".join(str(p) for p in wrong))
            iris[target] = f"{base}{_KIND_NAMES[known & _KIND_MASK]}/{target}"
        targets = tuple(iris)  # each id it refers to once, in the order first met
        iris[rec.id] = f"{base}{rec.kind}/{rec.id}"
        return rec, targets, iris

    def _reference_problems(self, cls: type[Record], obj: Any, rid: str | None,
                            refs: list[tuple[str, str, tuple[str, ...]]] | None = None) -> list[E.InputError]:
        """The record's references to ids not in the catalogue, or to a record of the wrong kind
        (the same problems :func:`lod.model.check_references` names for a catalogue in memory)."""
        kinds = self.index.kinds

        def class_of(target: str) -> str | None:
            return _class_name(kinds[target]) if target in kinds else None
        return reference_problems(refs if refs is not None else refs_of(cls, obj), class_of, rid)

    def batches(self, part: Part, result: PartResult, progress: Any = None
                ) -> Iterator[list[tuple[str, str, list[FastTriple], tuple[str, ...]]]]:
        """Each checked record's id, kind, triples and the ids it refers to, a batch at a time (problems go into
        ``result``). The record itself is not kept: it is freed as the next one is read, while it is still in the
        processor's cache, not with its batch (farm-bench -n 5, 20,000 films without validation, against 2618e7d:
        A/B wall median 0.958)."""
        root = Path(part.path).parent
        batch: list[tuple[str, str, list[FastTriple], tuple[str, ...]]] = []
        clock = time.perf_counter
        seconds = result.seconds
        seconds.setdefault("load", 0.0)
        seconds.setdefault("map", 0.0)
        t0 = clock()
        for name, raw, where in read_part(part):
            if name == "info":
                continue
            result.records += 1
            loaded = self.load(name, raw, where, root)
            t1 = clock()
            seconds["load"] += t1 - t0
            if isinstance(loaded, Problem):
                result.problems.append(loaded)
                if loaded.record and loaded.leaves_out:
                    result.left_out.add(loaded.record)
            else:
                rec, refs, iris = loaded
                try:
                    triples = grouped(cast("list[FastTriple]", self.mapper.record_list(rec, iris)))
                except E.InputError as exc:  # a record it needs (an outcome's award) does not load
                    result.problems.append(Problem(rec.id, where, f"record {rec.id!r}: refers to a record that "
                                                                  f"does not load: {exc}"))
                    result.left_out.add(rec.id)
                else:
                    batch.append((rec.id, rec.kind, triples, refs))
                seconds["map"] += clock() - t1
            if progress is not None:
                progress.update(1)
            if len(batch) >= self.batch_size:
                yield batch
                batch = []
            t0 = clock()
        if batch:
            yield batch

    # the passes

    def map_part(self, part: Part, spill_dir: str, progress: Any = None, ship: bool = False) -> PartResult:
        """Check and map; spill the triples of each batch and keep what the shapes read from elsewhere in this
        streamer's index. With ``ship`` (the index is this process's copy) it is also written to a file beside
        the spill (``result.context``), which the other processes take in (:meth:`take_contexts`)."""
        result = PartResult()
        remember = self.checker.remember if self.validate else None
        kept = referable_kinds()  # (what the shapes read on a record nothing can refer to is never asked for)
        shipped: dict[str, Any] = {}
        with gc_paused():
            for n, batch in enumerate(self.batches(part, result, progress)):
                entries: list[Any] = []
                found: dict[str, Any] = {}
                for rid, kind, triples, refs in batch:
                    if remember is not None and kind in kept:
                        found[rid] = remember(f"{self.base}{kind}/{rid}", triples)
                    entries.append((rid, triples, [], refs))
                with _CONTEXTS:
                    self.index.add_context(found)
                if ship:
                    shipped.update(found)
                if entries:  # nested node -> (record, field path), for every record of the batch
                    entries[0] = (*entries[0][:2], [(str(k), r, f) for k, (r, f) in self.mapper.node_paths.items()],
                                  entries[0][3])
                self.mapper.node_paths.clear()
                path = os.path.join(spill_dir, f"{_part_name(part)}-{n:05d}.spill")
                with open(path, "wb") as fh:
                    fh.write(marshal.dumps(entries))
                result.spill.append(path)
                del batch, entries, found  # before the next batch is made: one batch in memory, not two
            if not result.spill:  # no record here: the catalogue block is still validated (with batch 0)
                path = os.path.join(spill_dir, f"{_part_name(part)}-00000.spill")
                with open(path, "wb") as fh:
                    marshal.dump([], fh)
                result.spill.append(path)
            if ship:  # (marshal keeps the dicts records alike share shared)
                result.context = os.path.join(spill_dir, f"{_part_name(part)}.context")
                with open(result.context, "wb") as fh:
                    fh.write(marshal.dumps(shipped))
                self.index.taken.add(result.context)
        return result

    def take_contexts(self, paths: Iterable[str]) -> None:
        """Take into this streamer's index what the shapes read on the records of other parts, from the files
        their :meth:`map_part` wrote (each file once: an index keeps the names of those it took)."""
        index = self.index
        with _CONTEXTS:  # (a worker's threads share one index)
            for path in paths:
                if path and path not in index.taken:
                    index.add_context(cast(dict[str, Any], _read_spill(path)))
                    index.taken.add(path)

    def validate_part(self, result: PartResult, first: bool, progress: Any = None,
                      out: dict[str, Sink] | None = None, doomed: set[str] | None = None) -> None:
        """Validate each spilled batch with the whole catalogue's index as context.

        ``doomed`` are the records left out already, whichever part they are in (those that did not
        load, and every record that refers to one): they are not validated (by default: this part's).

        With ``out``, each batch's records are written as soon as they are validated (those
        with no violation and no problem known so far): one read of the spill instead of two.
        ``result.excluded`` holds the records not written then; if the final left-out set holds
        any other record, the caller writes the part again (see :meth:`needs_rewrite`).
        """
        t0 = time.perf_counter()
        t_write = 0.0
        if out is not None and first:
            self._emit(self.info_triples(), out, result)
        info = self.info_triples()
        ctx = self.index.known(self.base)
        check = self.checker.check

        if doomed is None:
            doomed = left_out_closure([result], result.left_out) if result.left_out else set()
        result.excluded = set(doomed)
        for path in result.spill:
            with gc_paused():  # millions of small tuples: the collector would rescan them all, again and again
                entries = _read_spill(path)
                own = {rid for rid, _, _, _ in entries} - doomed  # records left out anyway are not validated
                found, _ = check([t for _, triples, _, _ in entries for t in triples], own, info=info,
                                 with_info=first and path == result.spill[0], context=ctx,
                                 # nested node -> (record, field path): made only to place results
                                 paths=lambda: {URIRef(k): (rid, fld) for _, _, plist, _ in entries
                                                for k, rid, fld in plist})
                result.results.extend(found)
                bad = {r.record for r in found if r.severity == "violation" and r.record}
                result.bad |= bad
                if out is not None:
                    t1 = time.perf_counter()
                    result.excluded |= bad
                    self._write_entries(entries, result.excluded, out, result)
                    t_write += time.perf_counter() - t1
                done = len(entries)
                del entries, own, found  # before the next batch is read: one batch in memory, not two
            if progress is not None:
                progress.update(done)
        result.seconds["validate"] = time.perf_counter() - t0 - t_write
        if out is not None:
            result.seconds["write"] = result.seconds.get("write", 0.0) + t_write

    @staticmethod
    def needs_rewrite(result: PartResult, left_out: set[str]) -> bool:
        """Records were written (by :meth:`validate_part`) that turned out to be left out."""
        return bool(left_out - result.excluded) and any(
            rid in left_out and rid not in result.excluded for path in result.spill for rid, _, _, _ in _read_spill(path))

    def write_part(self, result: PartResult, out: dict[str, Sink], left_out: set[str],
                   with_info: bool, progress: Any = None) -> None:
        """Append the kept records' triples, batch by batch, to the output files."""
        t0 = time.perf_counter()
        if with_info:
            self._emit(self.info_triples(left_out), out, result)
        for path in result.spill:
            with gc_paused():  # millions of small tuples: the collector would rescan them all, again and again
                entries = _read_spill(path)
                self._write_entries(entries, left_out, out, result)
                done = len(entries)
                del entries  # before the next batch is read
            if progress is not None:
                progress.update(done)
        result.seconds["write"] = result.seconds.get("write", 0.0) + time.perf_counter() - t0

    def _write_entries(self, entries: list[Any], skip: set[str], out: dict[str, Sink], result: PartResult) -> None:
        """Write the spilled records of one batch, but those in ``skip``."""
        kept = [triples for rid, triples, _, _ in entries if rid not in skip]
        self._emit([t for triples in kept for t in triples], out, result)
        result.written += len(kept)

    @staticmethod
    def _emit(items: list[FastTriple], out: dict[str, Sink], result: PartResult) -> None:
        for sink in out.values():
            sink.write(items)
        result.triples += len(items)

    def map_and_write(self, part: Part, out: dict[str, Sink], with_info: bool, progress: Any = None) -> PartResult:
        """Without validation: one pass, each batch written as soon as it is mapped."""
        result = PartResult()
        if with_info:
            self._emit(self.info_triples(), out, result)
        with gc_paused():
            for batch in self.batches(part, result, progress):
                kept = []
                left_out = result.left_out
                for rid, _, triples, refs in batch:
                    gone = left_out.intersection(refs) if left_out else None
                    if gone:
                        result.problems.append(Problem(rid, rid, f"record {rid!r}: refers to "
                                                                 f"{sorted(gone)[0]!r}, which was left out"))
                        result.left_out.add(rid)
                        continue
                    kept.append(triples)
                    result.written += 1
                self.mapper.node_paths.clear()
                items = [t for triples in kept for t in triples]
                t0 = time.perf_counter()
                self._emit(items, out, result)
                result.seconds["write"] = result.seconds.get("write", 0.0) + time.perf_counter() - t0
                del batch, kept, items  # before the next batch is made
        return result


class Sink:
    """One output file being written: header, chunks of sorted triples, footer. With ``hashed``, the SHA-256 of
    the bytes written is taken as they go (:attr:`sha256`, once closed), so a Dask part's manifest entry costs no
    second read of the file on the client."""

    def __init__(self, path: str | os.PathLike[str], fmt: str, hashed: bool = False) -> None:
        import hashlib

        self.path = Path(path)
        self.header, self.chunk, self.footer = writer_for(fmt)
        self.fh = open(self.path, "wb")
        self.digest: Any = hashlib.sha256() if hashed else None
        self.sha256: str | None = None
        self._put(self.header.encode("utf-8"))
        self.first = True

    def _put(self, data: bytes) -> None:
        self.fh.write(data)
        if self.digest is not None:
            self.digest.update(data)

    def write(self, items: list[FastTriple]) -> None:
        text = self.chunk(items, self.first)
        if text:
            self._put(text.encode("utf-8"))
            self.first = False

    def close(self) -> None:
        """Finish the file (footer, flush, fsync)."""
        if self.fh.closed:
            return
        self._put(self.footer.encode("utf-8"))
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        if self.digest is not None:
            self.sha256 = self.digest.hexdigest()


@cache
def _kinds_of(classes: tuple[str, ...]) -> frozenset[int]:
    """The numbers (:data:`_KIND_NAMES`) of the record kinds of the classes a reference field takes
    (``("Person", "Organization")``)."""
    from ..mapping import KINDS

    return frozenset(_KIND_NO[kind] for kind, cls in KINDS.items() if cls.__name__ in classes and kind in _KIND_NO)


@cache
def _class_name(kind: str) -> str:
    from ..mapping import KINDS

    return KINDS[kind].__name__


def _part_name(part: Part) -> str:
    if part.order:
        return f"part-o{part.order[0][0]:012d}"  # ordered parts: each begins at another line
    return f"part-{part.start:012d}"


def _read_spill(path: str) -> list[Any]:
    # marshal.loads on the bytes: marshal.load on a file reads it in small pieces (10x slower here)
    with open(path, "rb") as fh:
        raw = fh.read()
    with gc_paused():
        data: list[Any] = marshal.loads(raw)
    return data


def written_dependents(part: Part, left_out: set[str]) -> list[Problem]:
    """Records written (without validation, before the problem was known) that refer to a left-out record.

    A second look at the raw records, made only when something was left out.
    """
    found = []
    for name, raw, where in read_part(part):
        cls = LISTS.get(name)
        rid = _raw_id(raw)
        if cls is None or rid is None or rid in left_out:
            continue
        for fld, target, _ in refs_of(cls, raw):
            if target in left_out:
                found.append(Problem(rid, where, f"record {rid!r} field {fld!r}: written, but refers to {target!r}, "
                                                 "which was left out", leaves_out=False))
                break
    return found


def left_out_closure(parts: Iterable[PartResult], left_out: set[str]) -> set[str]:
    """``left_out`` and every record that (transitively) refers to one of them, read from the spills."""
    parts = list(parts)
    out = set(left_out)
    while out:
        more = set()
        for part in parts:
            for path in part.spill:
                for rid, _, _, refs in _read_spill(path):
                    if rid not in out and not out.isdisjoint(refs):
                        more.add(rid)
        if not more:
            break
        out |= more
    return out


# --- what an export says (lod.pipeline.export runs it) -----------------------------------

@dataclass
class Summary:
    """The outcome of an export (:func:`lod.pipeline.export`), the same in every mode."""

    records: int
    written: int
    triples: int
    violations: int
    warnings: int
    seconds: float
    problems: list[str]
    results: list[Any]
    files: dict[str, Path]
    """What was written: format -> file (a Dask export: ``manifest`` -> its ``manifest.json``)."""
    phases: dict[str, float]
    complete: bool
    """Every record was written (nothing left out, nothing wrong)."""
    published: bool = False
    """The files were written (complete, or with ``keep_going`` what could be kept); false: nothing was."""
    where: str = ""
    """Where it ran, as the summary line says it (``""`` in one process, ``on Dask (4 parts)``)."""
    parts: int = 1
    left_out: int = 0
    """Records left out: those with problems or violations, and every record that refers to one."""
    manifest: dict[str, Any] = field(default_factory=dict)
    """A folder of parts (Dask): ``manifest.json`` as written, this summary serialised with the files."""

    def line(self, where: str | None = None) -> str:
        """The one summary line every export prints (in one process or on Dask: ``where`` says which)."""
        return summary_line(self.records, self.written, self.triples, self.violations, self.warnings,
                            len(self.problems), self.seconds, self.where if where is None else where)

    def as_dict(self) -> dict[str, Any]:
        """The summary as JSON data (the body of a Dask ``manifest.json``)."""
        return {"records": self.records, "written_records": self.written, "triples": self.triples,
                "violations": self.violations, "warnings": self.warnings, "problems": list(self.problems),
                "left_out": self.left_out, "complete": self.complete, "written": self.published,
                "seconds": round(self.seconds, 3), "phases": {k: round(v, 3) for k, v in self.phases.items()}}


def summary_line(records: int, written: int, triples: int, violations: int, warnings: int, problems: int,
                 seconds: float, where: str = "") -> str:
    """``lod: 120 records, 118 written, 4,321 triples, 1 violations, … 0.4 s (300 records/s)``: every mode's last line."""
    rate = records / seconds if seconds else 0.0
    return (f"lod: {records} records, {written} written, {triples} triples, {violations} violations, "
            f"{warnings} warnings, {problems} problems, {seconds:.1f} s ({rate:,.0f} records/s)"
            + (f" {where}" if where else ""))


def progress_bar(total: int, desc: str, quiet: bool = False) -> Any:
    """A tqdm bar on stderr: records/s and ETA on a terminal, nothing in a pipe."""
    from tqdm import tqdm

    # a terminal that reports no size (some ptys) gets 100x24 rather than an invisible bar (tqdm hides it)
    size = shutil.get_terminal_size((100, 24))
    return tqdm(total=total, desc=desc, unit=" records", file=sys.stderr, ncols=size.columns, nrows=size.lines,
                smoothing=0.1, disable=True if quiet else None, leave=False)


def no_records(index: Index, source: str | os.PathLike[str]) -> None:
    """A catalogue without records is an input error: exporting it would replace a good file with an empty one."""
    if index.records == 0:
        raise E.FileError("holds no records (films:, people:, …): nothing to export or validate", path=str(source))


def not_the_source(targets: Mapping[str, Path], source: str | os.PathLike[str]) -> None:
    """An export never writes over its own catalogue, nor over a file that is not an export of the same format
    (another catalogue, someone's notes): an existing target must be empty or begin as lod writes that format."""
    src = Path(source).resolve()
    for fmt, target in targets.items():
        if target.resolve() == src:
            raise E.BadValue(f"-o {target} is the catalogue being exported; name another file", field="--output",
                             value=str(target))
        if target.is_file() and not _written_as(target, fmt):
            raise E.BadValue(f"{target} exists and is not a {fmt} file lod wrote (it does not begin as lod's "
                             f"{fmt} does), so lod leaves it alone; name a new file, or remove this one first",
                             field="--output", value=str(target))


_SIGNATURES = {"turtle": (b"@prefix ", f"@prefix lod: <{PREFIXES['lod']}> .".encode()),
               "json-ld": (b'{\n  "@context": {', f'"lod": "{PREFIXES["lod"]}"'.encode())}
"""Format -> how a file lod wrote in it begins, and what its header holds (lod's own prefix, so that a header
with other prefixes, from another version of lod, still counts)."""


def _written_as(path: Path, fmt: str) -> bool:
    """Whether a file is empty or begins as lod's ``fmt`` files do (N-Triples, which has no header: with a
    subject IRI or a blank node)."""
    try:
        with path.open("rb") as fh:
            start = fh.read(4096)
    except OSError:
        return False
    if fmt not in _SIGNATURES:
        return not start or start.startswith((b"<", b"_:"))
    begins, holds = _SIGNATURES[fmt]
    return not start or (start.startswith(begins) and holds in start)


def output_paths(formats: list[str] | None, output: str | os.PathLike[str], stem: str) -> dict[str, Path]:
    """Format -> file for ``-o OUTPUT``: one file, or one file a format in a folder (``STEM.ttl``, …).

    ``formats`` is what the user asked for (None: not said). A name ending in an RDF suffix is one
    file in the format it names; a ``-f`` that contradicts it, or several formats for one file, is
    an error. An existing folder, a name ending in ``/``, or a name without a suffix, is a folder.
    """
    out = Path(output)
    named = format_of_suffix(out)
    if str(output).endswith(("/", os.sep)) and out.is_file():
        raise E.BadValue(f"{out} is a file, and -o {output} asks for a folder", field="--output", value=str(output))
    if out.is_dir() or str(output).endswith(("/", os.sep)) or (not out.suffix and not out.is_file()):
        return {fmt: out / f"{stem}{EXTENSIONS[fmt]}" for fmt in (formats or ["turtle"])}
    if formats and len(formats) > 1:
        raise E.BadValue(f"{len(formats)} formats are written as one file each into a folder, and {out.name!r} "
                         "names a file; give a folder (-o out/)", field="--output", value=str(output))
    if named is None:
        if not formats:
            raise E.BadValue(f"cannot tell the format from {out.name!r}; name the file .ttl, .nt or .jsonld, or "
                             "give -f", field="--output", value=str(output))
        return {formats[0]: out}
    if formats and formats[0] != named:
        raise E.BadValue(f"-f {formats[0]} and the file name {out.name!r} ({named}) disagree; drop -f (the name "
                         "says the format) or rename the file", field="--format", value=formats[0])
    return {named: out}


def __getattr__(name: str) -> Any:
    """``lod.stream.export`` is :func:`lod.pipeline.export`, the one export driver (its old home)."""
    if name == "export":
        from ._driver import export

        return export
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def validate_file(source: str | os.PathLike[str], profiles: Iterable[str] = ("core",), *, base: str = DEFAULT_BASE,
                  engine: str = DEFAULT_ENGINE, batch_size: int = DEFAULT_BATCH, shapes_dir: str | None = None,
                  quiet: bool = False, transcripts: str | os.PathLike[str] | None = None,
                  shapes: Iterable[str | os.PathLike[str]] = ()) -> Any:
    """Validate a catalogue file in batches, writing nothing: a :class:`lod.validation.Report`.

    ``shapes`` are users' own shapes files, checked instead of the profiles when ``profiles`` is empty.

    Records that do not load are reported as violations of their own (field and message from
    the loader), so one report says everything that is wrong. ``report.graph`` is empty: the
    results are in ``report.results``.
    """
    from rdflib import Graph

    from ..validation import Report, ValidationResult, profile_names, shape_files

    files = shape_files(list(shapes))
    names = profile_names(profiles) if profiles or not files else ()
    part = Part(str(source))
    if not Path(source).is_file():
        raise E.MissingFile("no such catalogue file", path=str(source))
    spill = str(spill_dir())
    try:
        index = scan(part, os.path.join(spill, "scan.marshal"))  # each line decoded once: map_part reads this
        no_records(index, source)
        settle_duplicates(index, [replace(part, decoded=index.decoded)])
        (ordered,) = in_writing_order([part], index)
        part = ordered if ordered is not part else replace(part, decoded=index.decoded)
        streamer = Streamer(index, base=base, profiles=names, engine=engine, batch_size=batch_size,
                            shapes_dir=shapes_dir, transcripts=None if transcripts is None else str(transcripts),
                            shape_files=files)
        with progress_bar(index.records, "mapping", quiet) as bar:
            result = streamer.map_part(part, spill, bar)
        with progress_bar(index.records, "validating", quiet) as bar:
            streamer.validate_part(result, first=True, progress=bar)
    finally:
        shutil.rmtree(spill, ignore_errors=True)
    problems = ([streamer.info_problem] if streamer.info_problem else []) + result.problems
    loaded = [ValidationResult(severity="violation", record=p.record, field=None, value=None,
                               message=f"{p.where}: {p.message}", focus=p.where) for p in problems]
    results = loaded + result.results
    return Report(not any(r.severity == "violation" for r in results), results, streamer.checker.profiles, Graph(),
                  streamer.checker.fallback_notes)


# --- writing JSON Lines ----------------------------------------------------------------

def jsonl_line(name: str, record: Any) -> str:
    """One record as a JSON Lines catalogue holds it: ``{"films": {...}}`` (keys sorted, UTF-8 as is)."""
    return json.dumps({name: record}, ensure_ascii=False, sort_keys=True)


def write_jsonl(data: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write a catalogue mapping (as a catalogue file holds it) as JSON Lines, atomically.

    The lists come in the registry's order (:data:`lod.model.REGISTRY`); any order streams.
    """
    from ..io import write_atomic

    order = ["info", *LISTS]  # the registry's order, as every catalogue file lists them
    lines: list[str] = []
    for name in order + [k for k in data if k not in order]:
        value = data.get(name)
        if value is None:
            continue
        items = [value] if name == "info" else value
        lines.extend(jsonl_line(name, item) for item in items)
    return write_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"))

