"""Data shipped with lod as the package lod.vocab (see pyproject.toml)."""
