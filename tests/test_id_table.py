"""The streaming index's id table (SQLite, on disk) behaves as a dict of id -> small integer would."""

from __future__ import annotations

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from lod.pipeline._stream import _CONTEXTS, IdTable, Index

# ids of every sort a raw record may carry before it is checked: prefixes of one another, non-ASCII,
# lone surrogates (JSON allows them), hex-looking text; NUL and SOH are the table's own bytes (not kept)
ids = st.one_of(st.sampled_from(["a", "ab", "b", "a1", "1", "0", "ff", "a-b", "a.b", "~"]),
                st.text(st.characters(blacklist_characters="\x00\x01"), min_size=1, max_size=12))
values = st.integers(min_value=0, max_value=2 ** 40)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["add", "set", "update", "keep", "seal"]), ids, values), max_size=60),
       st.lists(ids, max_size=20), st.sampled_from([IdTable._RECENT, 5, 0]),
       st.sampled_from([hash, len, lambda rid: 7]))
def test_the_table_answers_as_a_dict_does(ops, probes, cap, hash_of):
    """With every id in the dict (the whole table there), with the dict outgrown after 5 ids (SQLite's from
    then on, the dict a cache), and SQLite's from the first id; sealed (:meth:`IdTable.seal`) at any point,
    with Python's hash, with one that many ids share (their length) and with one hash for every id (each
    look-up of a sealed table then SQLite's)."""
    default = IdTable._RECENT
    IdTable._RECENT = cap
    IdTable._HASH = staticmethod(hash_of)  # type: ignore[assignment]
    try:
        _answers_as_a_dict_does(ops, probes)
    finally:
        IdTable._RECENT = default
        IdTable._HASH = hash


def test_a_sealed_table_of_many_ids_answers_from_memory_as_the_dict_did():
    """Past the dict, sealed: every id found with its value, updated ones too, ids not there not found."""
    default = IdTable._RECENT
    IdTable._RECENT = 1000
    try:
        table = IdTable()
        for i in range(5000):
            table.add(f"person-{i}", i % 64)
        table.seal()
        assert table._buckets is not None and len(table._values) == 5000 and not table._recent
        table.update_many(((f"person-{i}", i << 6) for i in range(0, 5000, 3)), 63)
        table.update("person-1", 63, 9 << 6)
        expected = {f"person-{i}": i % 64 | ((i << 6) if i % 3 == 0 else 0) for i in range(5000)}
        expected["person-1"] = 1 | 9 << 6
        assert all(table.get(rid) == value for rid, value in expected.items())
        assert table._stale  # the changes are in the arrays only…
        assert dict(pickle.loads(pickle.dumps(table)).items()) == expected  # …and in SQLite once it is read
        assert dict(table.items()) == expected and not table._stale
        assert table.get("person-5000") is None and "person-x" not in table
        assert table.add("person-5000", 2) and table._buckets is None  # an id added: unsealed, still right
        assert table.get("person-5000") == 2 and table.get("person-3") == 3 | 3 << 6
    finally:
        IdTable._RECENT = default


def _answers_as_a_dict_does(ops: list[tuple[str, str, int]], probes: list[str]) -> None:
    table, model = IdTable(), {}
    for op, rid, value in ops:
        if op == "add":
            assert table.add(rid, value) == (rid not in model)
            model.setdefault(rid, value)
        elif op == "update":  # keep the low 6 bits, put the value above them
            assert table.update(rid, 63, value << 6) == (rid in model)
            if rid not in model:
                continue
            model[rid] = model[rid] & 63 | value << 6
        elif op == "keep":
            table.keep_bits(63)
            model = {k: v & 63 for k, v in model.items()}
            continue
        elif op == "seal":
            table.seal()
            continue
        else:
            table[rid] = value
            model[rid] = value
        assert table.get(rid) == model[rid]  # (the last ids found are cached: a change must reach the cache)
        assert len(table) == len(model)
    for rid in probes + [rid for _, rid, _ in ops]:
        assert table.get(rid) == model.get(rid)
        assert (rid in table) == (rid in model)
    again = pickle.loads(pickle.dumps(table))
    assert dict(again.items()) == model and len(again) == len(model)
    assert dict(table.items()) == model


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(ids, st.integers(0, 63), max_size=40), st.dictionaries(ids, st.integers(0, 63), max_size=40),
       st.sampled_from([IdTable._RECENT, 30, 0]), st.booleans())
def test_taking_in_another_table_keeps_the_first_and_names_each_repeat_once(first, second, cap, shipped):
    """Both whole in their dicts and merged there, too many together for one dict (merged by SQLite), each in
    SQLite; and each table shipped (pickled) first or not."""
    default = IdTable._RECENT
    IdTable._RECENT = cap
    try:
        a, b = IdTable(), IdTable()
        for rid, value in first.items():
            a.add(rid, value)
        for rid, value in second.items():
            b.add(rid, value)
        if shipped:
            a, b = pickle.loads(pickle.dumps(a)), pickle.loads(pickle.dumps(b))
        repeated = a.take(b)
        assert sorted(repeated) == sorted(set(first) & set(second))
        assert dict(a.items()) == {**second, **first}
        assert len(a) == len(set(first) | set(second))
        assert all(a.get(rid) == value for rid, value in {**second, **first}.items())
    finally:
        IdTable._RECENT = default


def test_a_whole_table_ships_as_its_dict_and_stays_whole():
    table = IdTable()
    for i in range(1000):
        table.add(f"film-{i}", i % 64)
    again = pickle.loads(pickle.dumps(table))
    assert table._whole and again._whole and len(again) == 1000  # (shipping changed neither)
    assert all(again.get(f"film-{i}") == i % 64 for i in range(1000)) and again.get("film-1000") is None
    assert dict(again.items()) == dict(table.items())


def test_merged_indexes_keep_kinds_but_not_another_indexs_context_numbers():
    first, second = Index(), Index()
    first.ids.add("madina", 0)
    second.ids.add("olga", 1 | 5 << 6)  # a context number of the second index: means nothing in the first
    second.contexts.append({"type": ("x",)})
    first.merge(second)
    assert first.ids.get("olga") == 1 and first.ids.get("madina") == 0


def test_an_id_with_the_tables_own_bytes_is_not_kept_and_names_nothing():
    table = IdTable()
    assert table.add("a\x00b", 1)
    assert table.add("a\x01", 1)
    assert len(table) == 0 and table.get("a") is None and "a\x00b" not in table


def test_taking_in_a_table_that_shares_most_buckets_keeps_every_id_once():
    # 2 x 100,000 ids, 10,000 of them in both tables
    first, second = IdTable(), IdTable()
    for i in range(100_000):
        first.add(f"film-{i}", i % 7)
        second.add(f"film-{i + 90_000}", 3)
    repeated = first.take(second)
    assert sorted(repeated) == sorted(f"film-{i}" for i in range(90_000, 100_000))
    expected = {f"film-{i}": i % 7 for i in range(100_000)} | {f"film-{i}": 3 for i in range(100_000, 190_000)}
    assert len(first) == len(expected) == 190_000
    assert dict(first.items()) == expected
    assert all(first.get(rid) == value for rid, value in expected.items())


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(ids, st.integers(0, 63), max_size=40), st.lists(st.tuples(ids, values), max_size=40))
def test_many_updates_at_once_are_the_updates_one_by_one(kept, changes):
    together, alone = IdTable(), IdTable()
    for rid, value in kept.items():
        together.add(rid, value)
        alone.add(rid, value)
    for rid in list(kept)[:5]:
        together.get(rid)  # cached before the change: the change must reach the cache
    together.update_many(((rid, add << 6) for rid, add in changes), 63)
    for rid, add in changes:
        alone.update(rid, 63, add << 6)
    assert dict(together.items()) == dict(alone.items())
    assert all(together.get(rid) == alone.get(rid) for rid in kept)
    assert len(together) == len(kept)


def test_an_index_sent_while_a_task_adds_contexts_is_a_whole_snapshot():
    """On Dask a worker sends its index to another worker from its event loop while its own task adds contexts to
    it: every copy holds the contexts its ids name, and the task's table stays in its one transaction. (Before
    ``Index.__getstate__`` took the task's lock, the copy ended the transaction under the task, which then
    committed row by row: this test ran for minutes, as the 100,000-film Dask export did.)"""
    import threading

    index = Index()
    for i in range(3000):
        index.ids.add(f"film-{i}", 1)
    index.contexts.append(None)
    pickle.dumps(index)  # (the table now SQLite's, as a shipped index's is)
    errors: list[BaseException] = []
    outside: list[int] = []

    def task() -> None:
        try:
            for n in range(30):
                with _CONTEXTS:
                    for _ in range(3):  # the table's one transaction holds while the task works (else: stop now)
                        if not index.ids._db.in_transaction:
                            outside.append(n)
                            return
                        index.add_context({f"film-{i}": {"type": {f"urn:x:{n}-{i % 7}": None}}
                                           for i in range(0, 3000, 3)})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    worker = threading.Thread(target=task)
    worker.start()
    copies = []
    try:
        while worker.is_alive() and len(copies) < 200:
            copies.append(pickle.loads(pickle.dumps(index)))
    finally:
        worker.join()
    assert not errors and not outside
    assert index.ids._db.in_transaction
    assert copies
    for copy in copies:
        numbers = {value >> 6 for _, value in copy.ids.items()}
        assert max(numbers) < len(copy.contexts)
        assert all(copy.ids.get(f"film-{i}") & 63 == 1 for i in range(0, 3000, 300))
