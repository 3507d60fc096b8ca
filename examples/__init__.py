"""Data shipped with lod as the package lod.examples (see pyproject.toml)."""
