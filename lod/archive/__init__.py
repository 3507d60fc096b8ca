"""Archive submissions: BagIt packages, and publishing to a triplestore.

The names of the former module ``lod.archive`` are reachable here too (see ``__getattr__``).
"""

from __future__ import annotations

from typing import Any

from ._bag import (BagError, load_bag, make_bag, verify_bag)
from ._publish import (parse_auth, publish, PublishError)

__all__ = ["BagError", "load_bag", "make_bag", "parse_auth", "publish", "PublishError", "verify_bag"]


def __getattr__(name: str) -> Any:
    """Any other name of the former module ``lod.archive`` (now ``lod.archive._bag``)."""
    from . import _bag

    try:
        return getattr(_bag, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
