"""BagIt submission packages: complete, verifiable, readable back, never half-written."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import bagit
import pytest
import yaml

import lod
from lod.archive import BagError, make_bag, verify_bag

ORG, EMAIL = "Klassiki", "archive@example.org"


def run(*args):
    return subprocess.run([sys.executable, "-m", "lod.cli", *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def seed_bag(tmp_path_factory, seed) -> Path:
    out = tmp_path_factory.mktemp("bags") / "klassiki"
    make_bag(seed, out, source_org=ORG, contact_email=EMAIL)
    return out


def test_bag_contents_and_bag_info(seed_bag, seed):
    payload = sorted(str(p.relative_to(seed_bag)) for p in (seed_bag / "data").rglob("*") if p.is_file())
    for view in ("schema", "fiaf"):
        for ext in ("ttl", "nt", "jsonld"):
            assert f"data/records/{view}.{ext}" in payload
    assert {"data/validation/schema-core.txt", "data/validation/schema-archive.txt",
            "data/validation/fiaf-archive.txt", "data/README.txt"} <= set(payload)
    assert {f"data/transcripts/{i.id}.en.txt" for i in seed.interviews} <= set(payload)
    info = bagit.Bag(str(seed_bag)).info
    assert info["Source-Organization"] == ORG and info["Contact-Email"] == EMAIL
    assert info["Bagging-Date"] and info["External-Description"] and info["Payload-Oxum"]
    assert (seed_bag / "manifest-sha256.txt").is_file() and (seed_bag / "manifest-sha512.txt").is_file()
    readme = (seed_bag / "data" / "README.txt").read_text(encoding="utf-8")
    assert "records/fiaf.ttl" in readme and not readme.startswith("NOT CONFORMING")
    transcript = (seed_bag / "data/transcripts/kassymbek-madina.en.txt").read_text(encoding="utf-8")
    assert "To her, and to all women who have the courage to follow their dreams." in transcript


def test_bag_verifies_and_reads_back(seed_bag, seed):
    verify_bag(seed_bag)
    assert run("bag", "--verify", str(seed_bag)).returncode == 0
    assert lod.load_bag(seed_bag) == seed


def _copy(src: Path, dst: Path) -> Path:
    import shutil
    shutil.copytree(src, dst)
    return dst


def test_a_flipped_payload_byte_fails_verification(seed_bag, tmp_path):
    bag = _copy(seed_bag, tmp_path / "flipped")
    target = bag / "data" / "records" / "schema.nt"
    data = bytearray(target.read_bytes())
    data[100] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(BagError, match="does not verify"):
        verify_bag(bag)
    out = run("bag", "--verify", str(bag))
    assert out.returncode == 1 and "does not verify" in out.stderr
    with pytest.raises(BagError):
        lod.load_bag(bag)


def test_a_missing_payload_file_fails_verification(seed_bag, tmp_path):
    bag = _copy(seed_bag, tmp_path / "incomplete")
    (bag / "data" / "records" / "fiaf.jsonld").unlink()
    with pytest.raises(BagError):
        verify_bag(bag)


def _invalid_catalogue(tmp_path: Path) -> Path:
    path = tmp_path / "invalid.yaml"
    path.write_text(yaml.safe_dump({"films": [{"id": "f", "titles": {"en": "F"}}]}), encoding="utf-8")
    return path  # no year of reference and no record source: the archive profile refuses it


def test_invalid_catalogue_is_refused_unless_allowed(tmp_path):
    src = _invalid_catalogue(tmp_path)
    out = tmp_path / "bag"
    refused = run("bag", str(src), str(out), "--source-org", ORG, "--contact-email", EMAIL)
    assert refused.returncode == 1 and "does not conform" in refused.stderr and not out.exists()
    allowed = run("bag", str(src), str(out), "--source-org", ORG, "--contact-email", EMAIL, "--allow-invalid")
    assert allowed.returncode == 1 and "NOT CONFORMING" in allowed.stderr
    verify_bag(out)
    assert (out / "data" / "README.txt").read_text(encoding="utf-8").startswith("NOT CONFORMING")
    report = (out / "data" / "validation" / "schema-archive.txt").read_text(encoding="utf-8")
    assert report.splitlines()[0].startswith("NOT CONFORMING")


def test_a_crash_part_way_leaves_the_previous_bag(seed_bag, tmp_path, seed, monkeypatch):
    bag = _copy(seed_bag, tmp_path / "bag")
    before = (bag / "manifest-sha512.txt").read_text(encoding="utf-8")

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bagit, "make_bag", crash)
    with pytest.raises(OSError):
        make_bag(seed, bag, source_org=ORG, contact_email=EMAIL)
    verify_bag(bag)
    assert (bag / "manifest-sha512.txt").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bag"]  # no staging folder left


def test_a_killed_run_leaves_no_bag_or_the_previous_one(tmp_path, seed):
    from lod.synthetic import synthetic_data
    src = tmp_path / "big.yaml"
    src.write_text(yaml.safe_dump(synthetic_data(1500), allow_unicode=True), encoding="utf-8")
    out = tmp_path / "bag"
    for attempt, previous in enumerate((False, True)):
        proc = subprocess.Popen([sys.executable, "-m", "lod.cli", "bag", str(src), str(out), "--source-org", ORG,
                                 "--contact-email", EMAIL], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(2.0 + attempt)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if previous:
            verify_bag(out)  # the complete bag from before is still there, whole
            assert lod.load_bag(out) == seed
        else:
            assert not out.exists() or verify_bag(out) is None
            make_bag(seed, out, source_org=ORG, contact_email=EMAIL)  # a complete bag for the second round


def test_bag_never_replaces_something_that_is_not_a_bag(tmp_path, seed):
    docs = tmp_path / "mydocs"
    docs.mkdir()
    (docs / "thesis.txt").write_text("years of work", encoding="utf-8")
    with pytest.raises(BagError, match="not a bag"):
        make_bag(seed, docs, source_org=ORG, contact_email=EMAIL)
    assert (docs / "thesis.txt").read_text(encoding="utf-8") == "years of work"
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    with pytest.raises(BagError):
        make_bag(seed, afile, source_org=ORG, contact_email=EMAIL)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "mydocs"]


def test_an_unreadable_tag_file_is_a_bag_error(seed_bag, tmp_path):
    bag = _copy(seed_bag, tmp_path / "garbled")
    (bag / "bag-info.txt").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(BagError):
        verify_bag(bag)
    assert run("bag", "--verify", str(bag)).returncode == 1
