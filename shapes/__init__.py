"""Data shipped with lod as the package lod.shapes (see pyproject.toml)."""
