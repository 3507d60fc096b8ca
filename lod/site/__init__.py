"""The static site: a page per film, person, interview and festival edition.
"""

from __future__ import annotations

from ._html import write_site

__all__ = ["write_site"]
