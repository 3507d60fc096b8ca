"""Same input, same bytes: across runs and across PYTHONHASHSEED values, in fresh processes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

SCRIPT = r"""
import hashlib, sys, lod
from lod.synthetic import synthetic_catalogue
for cat in (lod.load_catalogue(lod.example_path()), synthetic_catalogue(30)):
    for fmt in ("turtle", "nt", "json-ld"):
        print(fmt, hashlib.sha256(lod.serialize(cat, fmt)).hexdigest())
"""


def _run(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True)
    return out.stdout


def test_bytes_identical_across_hash_seeds():
    runs = {seed: _run(seed) for seed in ("0", "1", "12345")}
    assert len(set(runs.values())) == 1, runs
    assert len(runs["0"].splitlines()) == 6


def test_bytes_identical_across_cli_runs(tmp_path):
    outs = []
    for seed in ("3", "4"):
        target = tmp_path / f"out-{seed}.jsonld"
        subprocess.run([sys.executable, "-m", "lod.cli", "export", "-f", "json-ld", "-o", str(target)],
                       env={**os.environ, "PYTHONHASHSEED": seed}, check=True, capture_output=True)
        outs.append(hashlib.sha256(target.read_bytes()).hexdigest())
    assert outs[0] == outs[1]


def test_record_order_in_the_file_does_not_change_output(seed):
    import lod
    data = {name: list(reversed([r.model_dump(exclude_defaults=True) for r in getattr(seed, name)]))
            for name in lod.model.LISTS}
    shuffled = lod.Catalogue(info=seed.info, **data)
    assert lod.dumps(shuffled, format="turtle") == lod.dumps(seed, format="turtle")


def test_set_members_sort_by_their_models_json(seed):
    """A set of nested records (titles, identifiers, windows…) is kept in the order of each member's JSON:
    the key lod computes (``_sort_key``, the serializer called directly) is ``model_dump_json()`` itself."""
    from pydantic import BaseModel

    from lod.records._model import _sort_key
    from lod.synthetic import synthetic_catalogue

    members = []

    def walk(obj: object) -> None:
        if isinstance(obj, BaseModel):
            members.append(obj)
            for name in type(obj).model_fields:
                walk(getattr(obj, name))
        elif isinstance(obj, (tuple, list)):
            for item in obj:
                walk(item)
    for cat in (seed, synthetic_catalogue(50)):
        for name in type(cat).model_fields:
            walk(getattr(cat, name))
    assert len(members) > 500
    assert all(_sort_key(m) == m.model_dump_json() for m in members)


def test_an_id_is_taken_exactly_when_the_id_pattern_matches():
    """The id check's fast path (no regular expression) takes what the pattern takes, and nothing else."""
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from pydantic_core import PydanticCustomError

    from lod.records._values import _ID, _id

    @settings(max_examples=3000, deadline=None)
    @given(st.one_of(st.text(max_size=12), st.text(alphabet="aZ09._~- \n\t/é", max_size=8)))
    def check(value: str) -> None:
        try:
            taken = _id(value) == value
        except PydanticCustomError:
            taken = False
        assert taken == bool(_ID.match(value))
    check()
