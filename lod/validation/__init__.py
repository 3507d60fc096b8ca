"""SHACL validation: profiles and shapes, the one batch validator, reports, and the engines (compiled
shapes, pyshacl).

The names of the former module ``lod.validation`` are reachable here too (see ``__getattr__``).
"""

from __future__ import annotations

from typing import Any

from ._validate import (BatchValidator, DEFAULT_ENGINE, ENGINES, profile_names, PROFILES, Report, shape_files,
                        validate, validate_batched, ValidationResult, ValidationRunError)

__all__ = ["BatchValidator", "DEFAULT_ENGINE", "ENGINES", "profile_names", "PROFILES", "Report", "shape_files",
    "validate", "validate_batched", "ValidationResult", "ValidationRunError"]


def __getattr__(name: str) -> Any:
    """Any other name of the former module ``lod.validation`` (now ``lod.validation._validate``)."""
    from . import _validate

    try:
        return getattr(_validate, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
