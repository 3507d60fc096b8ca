"""A small static site: one page per film, person, interview and festival edition, each with its
visible content and its JSON-LD, and an index page with the films as a carousel.

    lod html [CATALOGUE] -o site/ [--lang en] [--base IRI]

Output is deterministic; every file is written atomically; the folder is built next to the
target and renamed into place, so a failed run leaves the previous site whole.
"""

from __future__ import annotations

import os
import shutil
from html import escape
from pathlib import Path
from typing import Any

from . import errors as E
from .mapping import DEFAULT_BASE
from .model import Catalogue, FestivalEdition, Film, Interview, Person, Record
from .web import Site, script_tag
from .atomic import replace_dir, replaceable, staging_dir

PAGE_KINDS = {"film": Film, "person": Person, "interview": Interview, "festival-edition": FestivalEdition}

_CSS = """body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
h1{margin-bottom:.2rem}.meta{color:#555}dt{font-weight:600}dd{margin:0 0 .5rem 0}
.transcript{white-space:pre-wrap;border-top:1px solid #ddd;padding-top:1rem}nav a{margin-right:1rem}"""


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def human_date(value: str) -> str:
    """``--05-16`` -> ``16 May``; ``2024-05-16`` -> ``16 May 2024``; ``2020-11`` -> ``November 2020``."""
    if value.startswith("--"):
        return f"{int(value[5:7])} {_MONTHS[int(value[2:4]) - 1]}"
    parts = value.split("T")[0].split("-")
    if len(parts) == 3 and all(parts):
        return f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2 and all(parts):
        return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return value


def page_path(kind: str, rid: str) -> str:
    return f"{kind}/{rid}.html"


class SiteWriter:
    """Renders pages of one catalogue in one language."""

    def __init__(self, catalogue: Catalogue, *, lang: str = "en", base: str = DEFAULT_BASE) -> None:
        self.cat = catalogue
        self.site = Site(catalogue, lang=lang, base=base)
        self.lang = lang

    def pages(self) -> dict[str, str]:
        """Relative path -> HTML, for every page of the site."""
        out = {"index.html": self.index()}
        for kind, cls in PAGE_KINDS.items():
            for rec in self.cat.records():
                if isinstance(rec, cls):
                    out[page_path(kind, rec.id)] = self.page(rec)
        return out

    def index(self) -> str:
        films = list(self.cat.films)
        body = ["<h1>Films</h1>", "<ul>"]
        body += [f'<li><a href="{page_path("film", f.id)}">{escape(self.site.text(f.titles) or f.id)}</a></li>'
                 for f in films]
        body.append("</ul>")
        for kind, label in (("interview", "Interviews"), ("person", "People"), ("festival-edition", "Festivals")):
            recs = [r for r in self.cat.records() if isinstance(r, PAGE_KINDS[kind])]
            body += [f"<h2>{label}</h2>", "<ul>"] + [
                f'<li><a href="{page_path(kind, r.id)}">{escape(self._title(r))}</a></li>' for r in recs] + ["</ul>"]
        return self._html("Films", "\n".join(body), self.site.carousel(films), root="")

    def page(self, rec: Record) -> str:
        data = self.site.page(rec)
        title = self._title(rec)
        body = [f"<h1>{escape(title)}</h1>"]
        facts: list[tuple[str, str]] = []
        if isinstance(rec, Film):
            facts += [("Year", rec.date_created or ""), ("Directed by", self._names(rec.directors)),
                      ("Written by", self._names(rec.screenwriters)), ("Produced by", self._names(rec.producers)),
                      ("Cast", ", ".join(self._link(c.person) + (f" as {escape(c.character)}" if c.character else "")
                                         for c in rec.cast)),
                      ("Crew", ", ".join(f"{self._link(c.person)} ({escape(c.role)})" for c in rec.crew)),
                      ("Awards", "; ".join(escape(a) for a in self.site.award_texts(rec.id))),
                      ("Rating", ", ".join(escape(r.value) for r in rec.content_ratings)),
                      ("Streaming", ", ".join(self._link(w.platform) + (f" until {escape(human_date(w.ends))}"
                                                                                       if w.ends else "")
                                              for w in rec.availability))]
        elif isinstance(rec, Person):
            facts += [("Occupation", escape(", ".join(rec.occupations))),
                      ("Also known as", escape(", ".join(sorted({n.text for n in rec.names if n.text != title})))),
                      ("Awards", "; ".join(escape(a) for a in self.site.award_texts(rec.id)))]
        elif isinstance(rec, Interview):
            facts += [("Interviewer", self._names(rec.interviewers)),
                      ("With", self._names(rec.interviewees)),
                      ("Published by", self._link(rec.publisher) if rec.publisher else ""),
                      ("About", self._names(rec.about)), ("Mentions", self._names(rec.mentions))]
        elif isinstance(rec, FestivalEdition):
            facts += [("Festival", self._link(rec.festival)), ("Dates", escape(" – ".join(
                human_date(d) for d in (rec.start_date, rec.end_date) if d))),
                ("Place", self._link(rec.location) if rec.location else "")]
        facts = [(k, v) for k, v in facts if v]
        if facts:
            body.append("<dl>" + "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>")
        description = self.site.text(getattr(rec, "description", ()))
        if description:
            body.append(f"<p>{escape(description)}</p>")
        if isinstance(rec, Interview):
            summary = self.site.text(rec.summary)
            if summary:
                body.append(f'<p class="meta">{escape(summary)}</p>')
            text = self.site.text(rec.text)
            if text:
                body.append(f'<div class="transcript">{escape(text)}</div>')
        return self._html(title, "\n".join(body), data, root="../")

    def _title(self, rec: Record) -> str:
        names = getattr(rec, "titles", None) or getattr(rec, "names", None) or getattr(rec, "headlines", None) or ()
        return self.site.text(names) or rec.id

    def _link(self, rid: str) -> str:
        rec = self.cat[rid]
        label = escape(self._title(rec))
        for kind, cls in PAGE_KINDS.items():
            if isinstance(rec, cls):
                return f'<a href="../{page_path(kind, rid)}">{label}</a>'
        return label

    def _names(self, ids: Any) -> str:
        return ", ".join(self._link(i) for i in ids)

    def _html(self, title: str, body: str, data: dict[str, Any], root: str) -> str:
        return (f'<!doctype html>\n<html lang="{escape(self.lang)}">\n<head>\n<meta charset="utf-8">\n'
                f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n{script_tag(data)}\n</head>\n<body>\n"
                f'<nav><a href="{root}index.html">All films</a></nav>\n{body}\n</body>\n</html>\n')


SITE_MARKER = ".lod-site"
"""The file that marks a folder as a site lod wrote (and may replace)."""


def is_site(folder: Path) -> bool:
    """Whether a folder is a site lod wrote: its marker, or (sites from before the marker) an index
    page of lod's making and nothing but pages."""
    if (folder / SITE_MARKER).is_file():
        return True
    try:
        index = (folder / "index.html").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    ours = 'All films</a></nav>' in index and '<script type="application/ld+json">' in index
    return ours and all(p.suffix == ".html" for p in folder.rglob("*") if p.is_file())


def write_site(catalogue: Catalogue, out_dir: str | os.PathLike[str], *, lang: str = "en",
               base: str = DEFAULT_BASE) -> list[Path]:
    """Write the site into ``out_dir``, replacing it whole (built beside it, then swapped in).

    ``out_dir`` must be new, empty, or a site lod wrote before (it holds the marker file
    ``.lod-site``): lod never replaces a folder of someone else's files.
    """
    target = Path(out_dir).resolve()
    if not replaceable(target, is_site):
        raise E.BadValue(f"{target} is not a site lod wrote (no {SITE_MARKER} in it) and is not empty; lod replaces "
                         "the whole folder, so name a new or empty folder", field="--output", value=str(out_dir))
    target.parent.mkdir(parents=True, exist_ok=True)
    pages = SiteWriter(catalogue, lang=lang, base=base).pages()
    pages[SITE_MARKER] = "A static site written by lod (lod html); lod replaces this folder whole.\n"
    staging = staging_dir(target)
    try:
        for rel, text in sorted(pages.items()):
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            os.chmod(path, 0o644)
        os.chmod(staging, 0o755)
        replace_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [target / rel for rel in sorted(pages) if rel != SITE_MARKER]
