"""The examples in lod's docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import lod

MODULES = sorted(m.name for m in pkgutil.walk_packages(lod.__path__, "lod.") if not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", ["lod", *MODULES])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_there_are_examples():
    total = sum(doctest.testmod(importlib.import_module(n)).attempted for n in ["lod", *MODULES])
    assert total >= 20
