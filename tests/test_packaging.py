"""`pip install .` ships vocab/, shapes/ and the example inside the package."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO


def test_wheel_contains_data_and_typing_marker(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("lod-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("lod/py.typed", "lod/vocab/alignment.tsv", "lod/vocab/lod.ttl", "lod/vocab/context.jsonld",
                     "lod/vocab/catalogue.schema.json", "lod/shapes/README.md",
                     "lod/examples/klassiki/catalogue.yaml",
                     "lod/examples/klassiki/transcripts/kassymbek-madina.txt"):
        assert required in names, required


def test_the_package_finds_its_data_where_it_is_installed():
    import lod
    from lod._resources import data_dir
    vocab = Path(str(data_dir("vocab")))
    assert (vocab / "alignment.tsv").is_file()
    assert lod.example_path().is_file()
