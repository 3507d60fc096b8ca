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

from .. import errors as E
from ..mapping import DEFAULT_BASE
from ..records import REGISTRY, Catalogue, FestivalEdition, Film, Interview, Person, Record
from ..mapping import Site, script_tag
from ..io import replace_dir, replaceable, staging_dir

PAGE_KINDS = {k.kind: k.cls for k in REGISTRY if k.page}
"""The kinds of record with a page of their own (from the registry), by kind."""

STYLESHEET = """/* lod html: one small stylesheet, system fonts, no scripts */
:root{color-scheme:light dark;--muted:#5b5b66;--line:#d8d8de;--accent:#1f5fa8}
@media (prefers-color-scheme:dark){:root{--muted:#a8a8b3;--line:#3a3a44;--accent:#8ab8f0}}
body{font:1rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:48rem;margin:0 auto;padding:1.5rem 1rem 3rem}
nav{border-bottom:1px solid var(--line);padding-bottom:.5rem;margin-bottom:1.5rem}
nav a{margin-right:1rem}
a{color:var(--accent)}
h1{font-size:2rem;line-height:1.2;margin:0 0 .25rem}
h2{font-size:1.2rem;margin:2rem 0 .5rem}
.meta{color:var(--muted);margin:0 0 1rem}
.poster{float:right;margin:0 0 1rem 1.5rem;max-width:14rem}
.poster img{display:block;width:100%;height:auto;border:1px solid var(--line)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:1rem 0}
dt{font-weight:600;color:var(--muted)}
dd{margin:0}
ul.list{padding-left:1.2rem}
.transcript{white-space:pre-wrap;border-top:1px solid var(--line);padding-top:1rem}
@media (max-width:36rem){.poster{float:none;margin:0 0 1rem}dl{grid-template-columns:1fr}dt{margin-top:.4rem}}
"""
"""The site's only stylesheet (``style.css``): plain, readable, no web fonts, no scripts."""

_LABELS = {
    "en": {"films": "Films", "all": "All films", "interviews": "Interviews", "people": "People",
           "festivals": "Festivals", "poster": "Poster of {}", "images": "Images", "year": "Year", "released": "Released",
           "runtime": "Running time", "minutes": "{} min", "countries": "Countries", "languages": "Languages",
           "genres": "Genres", "directed": "Directed by", "written": "Written by", "produced": "Produced by",
           "music": "Music by", "cast": "Cast", "as": "as", "crew": "Crew", "companies": "Production companies",
           "premieres": "Screenings", "awards": "Awards", "nominations": "Nominations", "rating": "Rating",
           "filmed": "Filmed at", "set": "Set in", "keywords": "Keywords", "streaming": "Streaming",
           "until": "until", "from": "from", "occupation": "Occupation", "born": "Born", "died": "Died",
           "nationality": "Nationality", "works_for": "Works for", "member_of": "Member of",
           "aka": "Also known as", "filmography": "Films", "interviewer": "Interviewer", "with": "With",
           "published_by": "Published by", "published": "Published", "about": "About", "mentions": "Mentions",
           "festival": "Festival", "dates": "Dates", "place": "Place", "organizer": "Organised by",
           "for": "for", "director": "director", "screenwriter": "screenwriter", "producer": "producer",
           "composer": "composer", "actor": "actor",
           "world": "World premiere", "international": "International premiere", "european": "European premiere",
           "north-american": "North American premiere", "national": "National premiere",
           "regional": "Regional premiere", "screening": "Screening", "funding": "Funding",
           "shooting": "Shooting", "days": "{} days", "dedication": "Dedication",
           "releases": "Releases", "shortlisted": "Shortlisted", "submitted": "Submitted", "based_on": "Based on",
           "series": "Series", "after": "after", "before": "before", "budget": "Budget", "box_office": "Box office",
           "sources": "Sources", "alumni_of": "Educated at", "spouse": "Spouse", "knows": "Knows",
           "colleagues": "Colleagues",
           "release-types": {"theatrical": "in cinemas", "festival": "at festivals", "television": "on television",
                             "home-video": "on home video", "streaming": "streaming"},
           "company-roles": {"production": "production", "co-production": "co-production",
                             "in-association-with": "in association with",
                             "with-the-participation-of": "with the participation of", "presented-by": "presents"},
           "months": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December")},
    "ru": {"films": "Фильмы", "all": "Все фильмы", "interviews": "Интервью", "people": "Люди",
           "festivals": "Фестивали", "poster": "Постер: {}", "images": "Изображения", "year": "Год", "released": "Выход",
           "runtime": "Продолжительность", "minutes": "{} мин", "countries": "Страны", "languages": "Языки",
           "genres": "Жанры", "directed": "Режиссёр", "written": "Сценарий", "produced": "Продюсер",
           "music": "Композитор", "cast": "В ролях", "as": "—", "crew": "Съёмочная группа",
           "companies": "Производство", "premieres": "Показы", "awards": "Награды", "nominations": "Номинации",
           "rating": "Возрастной рейтинг", "filmed": "Место съёмок", "set": "Место действия",
           "keywords": "Ключевые слова", "streaming": "Онлайн", "until": "до", "from": "с",
           "occupation": "Род занятий", "born": "Родился(-ась)", "died": "Умер(-ла)", "nationality": "Гражданство",
           "works_for": "Работает в", "member_of": "Член", "aka": "Другие имена", "filmography": "Фильмы",
           "interviewer": "Интервьюер", "with": "С кем", "published_by": "Издатель", "published": "Опубликовано",
           "about": "О чём", "mentions": "Упоминаются", "festival": "Фестиваль", "dates": "Даты",
           "place": "Место", "organizer": "Организатор", "for": "за", "director": "режиссёр",
           "screenwriter": "сценарист", "producer": "продюсер", "composer": "композитор", "actor": "актёр",
           "world": "Мировая премьера", "international": "Международная премьера",
           "european": "Европейская премьера", "north-american": "Североамериканская премьера",
           "national": "Национальная премьера", "regional": "Региональная премьера", "screening": "Показ",
           "funding": "Финансирование", "shooting": "Съёмки", "days": "{} дн.", "dedication": "Посвящение",
           "releases": "Прокат", "shortlisted": "Шорт-лист", "submitted": "Выдвижение", "based_on": "По мотивам",
           "series": "Серия", "after": "после", "before": "до", "budget": "Бюджет", "box_office": "Сборы",
           "sources": "Источники", "alumni_of": "Образование", "spouse": "Супруг(а)", "knows": "Знакомые",
           "colleagues": "Коллеги",
           "release-types": {"theatrical": "в кинотеатрах", "festival": "на фестивалях", "television": "на телевидении",
                             "home-video": "на видео", "streaming": "онлайн"},
           "company-roles": {"production": "производство", "co-production": "совместное производство",
                             "in-association-with": "при участии", "with-the-participation-of": "при поддержке",
                             "presented-by": "представляет"},
           "months": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                      "октября", "ноября", "декабря"),
           "months_alone": ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
                            "октябрь", "ноябрь", "декабрь")},
}
"""Page wording by language (the base language of ``--lang``); any other language is written in English."""



def human_date(value: str, lang: str = "en") -> str:
    """``--05-16`` -> ``16 May``; ``2024-05-16`` -> ``16 May 2024``; ``2020-11`` -> ``November 2020``."""
    months = _labels(lang)["months"]
    if value.startswith("--"):
        return f"{int(value[5:7])} {months[int(value[2:4]) - 1]}"
    parts = value.split("T")[0].split("-")
    if len(parts) == 3 and all(parts):
        return f"{int(parts[2])} {months[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2 and all(parts):
        alone = _labels(lang).get("months_alone", months)  # a month with its year: nominative in Russian
        return f"{alone[int(parts[1]) - 1]} {parts[0]}"
    return value


def _labels(lang: str) -> dict[str, Any]:
    return _LABELS.get(lang.split("-")[0].lower(), _LABELS["en"])


def language_name(tag: str, lang: str) -> str:
    """A language tag as a reader says it, in the page's language (``kk`` -> ``Kazakh``); the tag if unknown."""
    try:
        import langcodes

        name = langcodes.Language.get(tag).display_name(lang)
    except (ImportError, LookupError, ValueError):
        return tag
    return name[:1].upper() + name[1:] if name and not name.lower().startswith("unknown") else tag


def page_path(kind: str, rid: str) -> str:
    return f"{kind}/{rid}.html"


class SiteWriter:
    """Renders pages of one catalogue in one language: every fact the page's JSON-LD holds, visible."""

    def __init__(self, catalogue: Catalogue, *, lang: str = "en", base: str = DEFAULT_BASE) -> None:
        self.cat = catalogue
        self.site = Site(catalogue, lang=lang, base=base)
        self.lang = lang
        self.words = _labels(lang)

    def pages(self) -> dict[str, str]:
        """Relative path -> HTML, for every page of the site (and its stylesheet)."""
        out = {"index.html": self.index(), "style.css": STYLESHEET}
        for kind, cls in PAGE_KINDS.items():
            for rec in self.cat.records():
                if isinstance(rec, cls):
                    out[page_path(kind, rec.id)] = self.page(rec)
        return out

    def index(self) -> str:
        w = self.words
        films = list(self.cat.films)
        body = [f"<h1>{escape(w['films'])}</h1>", '<ul class="list">']
        body += [f'<li><a href="{page_path("film", f.id)}">{escape(self.site.text(f.titles) or f.id)}</a>'
                 + (f" ({escape(f.date_created[:4])})" if f.date_created else "") + "</li>" for f in films]
        body.append("</ul>")
        for kind, label in (("interview", w["interviews"]), ("person", w["people"]),
                            ("festival-edition", w["festivals"])):
            recs = [r for r in self.cat.records() if isinstance(r, PAGE_KINDS[kind])]
            body += [f"<h2>{escape(label)}</h2>", '<ul class="list">'] + [
                f'<li><a href="{page_path(kind, r.id)}">{escape(self._title(r))}</a></li>' for r in recs] + ["</ul>"]
        return self._html(w["films"], "\n".join(body), self.site.carousel(films), root="")

    def page(self, rec: Record) -> str:
        data = self.site.page(rec)
        title = self._title(rec)
        body = [f"<h1>{escape(title)}</h1>"]
        facts: list[tuple[str, str]] = []
        w = self.words
        if isinstance(rec, Film):
            if rec.image:
                body.append(f'<figure class="poster"><img src="{escape(rec.image)}" alt="'
                            f'{escape(w["poster"].format(title))}"></figure>')
            others = [t.text for t in rec.titles if t.text != title]
            if others:
                body.append(f'<p class="meta">{escape(" · ".join(dict.fromkeys(others)))}</p>')
            facts += self._film_facts(rec)
        elif isinstance(rec, Person):
            if rec.image:
                body.append(f'<figure class="poster"><img src="{escape(rec.image)}" alt="{escape(title)}"></figure>')
            facts += [(w["occupation"], escape(", ".join(rec.occupations))),
                      (w["born"], ", ".join(x for x in (escape(human_date(rec.birth_date, self.lang))
                                                         if rec.birth_date else "",
                                                         self._link(rec.birth_place) if rec.birth_place else "") if x)),
                      (w["died"], escape(human_date(rec.death_date, self.lang)) if rec.death_date else ""),
                      (w["nationality"], self._names(rec.nationality)),
                      (w["works_for"], self._names(rec.works_for)), (w["member_of"], self._names(rec.member_of)),
                      (w["alumni_of"], self._names(rec.alumni_of)), (w["spouse"], self._names(rec.spouses)),
                      (w["knows"], self._names(rec.knows)), (w["colleagues"], self._names(rec.colleagues)),
                      (w["aka"], escape(", ".join(sorted({n.text for n in (*rec.names, *rec.alternate_names)
                                                          if n.text != title})))),
                      (w["filmography"], self._filmography(rec.id)),
                      (w["awards"], self._outcomes(rec.id, "won")),
                      (w["nominations"], self._outcomes(rec.id, "nominated")),
                      (w["shortlisted"], self._outcomes(rec.id, "shortlisted")),
                      (w["sources"], self._sources(rec))]
        elif isinstance(rec, Interview):
            if rec.url:
                body.append(f'<p class="meta"><a href="{escape(rec.url)}">{escape(rec.url)}</a></p>')
            facts += [(w["interviewer"], self._names(rec.interviewers)),
                      (w["with"], self._names(rec.interviewees)),
                      (w["published_by"], self._link(rec.publisher) if rec.publisher else ""),
                      (w["published"], escape(human_date(rec.date_published, self.lang)) if rec.date_published else ""),
                      (w["languages"], escape(", ".join(language_name(t, self.lang) for t in rec.languages))),
                      (w["about"], self._names(rec.about)), (w["mentions"], self._names(rec.mentions)),
                      (w["images"], "<br>".join(self._image(im) for im in rec.images))]
        elif isinstance(rec, FestivalEdition):
            facts += [(w["festival"], self._link(rec.festival)), (w["dates"], escape(" – ".join(
                human_date(d, self.lang) for d in (rec.start_date, rec.end_date) if d))),
                (w["place"], self._link(rec.location) if rec.location else ""),
                (w["organizer"], self._link(rec.organizer) if rec.organizer else "")]
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

    def _film_facts(self, film: Film) -> list[tuple[str, str]]:
        w, lang = self.words, self.lang
        return [
            (w["year"], escape(film.date_created or "")),
            (w["released"], escape(human_date(film.date_published, lang)) if film.date_published else ""),
            (w["runtime"], escape(w["minutes"].format(film.runtime_minutes)) if film.runtime_minutes else ""),
            (w["countries"], self._names(film.countries)),
            (w["languages"], escape(", ".join(language_name(t, lang) for t in film.original_languages))),
            (w["genres"], escape(", ".join(film.genres))),
            (w["directed"], self._names(film.directors)), (w["written"], self._names(film.screenwriters)),
            (w["produced"], self._names(film.producers)), (w["music"], self._names(film.composers)),
            (w["cast"], ", ".join(self._link(c.person) + (f" {escape(w['as'])} {escape(c.character)}"
                                                         if c.character else "") + self._note(c.note)
                                  for c in film.cast)),
            (w["crew"], ", ".join(f"{self._link(c.person)} ({escape(c.role)})" + self._note(c.note)
                                  for c in film.crew)),
            (w["companies"], ", ".join([self._link(o) for o in film.production_companies] + [
                f"{self._link(c.organization)} ({escape(w['company-roles'][c.role])})" for c in film.company_credits])),
            (w["premieres"], "<br>".join(self._screening(s) for s in self.site.screenings(film.id))),
            (w["releases"], "<br>".join(self._release(r) for r in self.site.releases_of(film.id))),
            (w["awards"], self._outcomes(film.id, "won")),
            (w["nominations"], self._outcomes(film.id, "nominated")),
            (w["shortlisted"], self._outcomes(film.id, "shortlisted")),
            (w["submitted"], self._outcomes(film.id, "submitted")),
            (w["based_on"], self._names(film.based_on)),
            (w["series"], " · ".join(x for x in (
                f"{escape(w['after'])} {self._link(film.follows)}" if film.follows else "",
                self._link(film.series) if film.series else "",
                f"{escape(w['before'])} {self._link(film.followed_by)}" if film.followed_by else "") if x)),
            (w["budget"], self._money(film.budget)), (w["box_office"], self._money(film.box_office)),
            (w["rating"], ", ".join(escape(r.value) + (f" ({self._link(r.issuer)})" if r.issuer else "")
                                    for r in film.content_ratings)),
            (w["funding"], "<br>".join(", ".join(x for x in (escape(f.kind or ""), self._link(f.funder) if f.funder else "",
                                                             escape(self.site.text(f.note) or "")) if x)
                                       for f in film.funding)),
            (w["shooting"], escape(w["days"].format(film.shooting_days)) if film.shooting_days else ""),
            (w["dedication"], " — ".join(x for x in (escape(self.site.text(film.dedication) or ""),
                                                      self._names(film.dedicatees)) if x)),
            (w["filmed"], self._names(film.filming_locations)), (w["set"], self._names(film.narrative_locations)),
            (w["keywords"], escape(", ".join(film.keywords))),
            (w["streaming"], ", ".join(self._window(win) for win in film.availability)),
            (w["sources"], self._sources(film)),
        ]

    def _money(self, amount: Any) -> str:
        return escape(f"{amount.amount:,} {amount.currency}".replace(",", "\u202f")) if amount is not None else ""

    def _sources(self, rec: Any) -> str:
        return "<br>".join(f'<a href="{escape(src.url)}">{escape(src.title or src.url)}</a>'
                           + (f" ({escape(human_date(src.retrieved, self.lang))})" if src.retrieved else "")
                           for src in getattr(rec, "sources", ()))

    def _release(self, r: Any) -> str:
        w = self.words
        parts = [escape(w["release-types"][r.release_type]) if r.release_type else ""]
        parts += [self._names(r.countries), escape(human_date(r.date, self.lang)) if r.date else ""]
        parts += [self._link(r.distributor) if r.distributor else "", self._link(r.platform) if r.platform else ""]
        title = self.site.text(r.titles)
        return ", ".join(p for p in parts if p) + (f" — <i>{escape(title)}</i>" if title else "")

    def _image(self, image: Any) -> str:
        caption = escape(self.site.text(image.caption) or "")
        parts = [f'<a href="{escape(image.url)}">{caption or escape(image.url)}</a>' if image.url else caption]
        if image.creator:
            parts.append(self._link(image.creator))
        if image.depicts:
            parts.append(self._names(image.depicts))
        return " — ".join(p for p in parts if p)

    def _note(self, note: Any) -> str:
        text = self.site.text(note)
        return f' <span class="meta">({escape(text)})</span>' if text else ""

    def _screening(self, s: Any) -> str:
        w = self.words
        where = [self._link(r) for r in (s.edition, s.section) if r] + [self._link(p) for p in s.locations]
        when = " – ".join(human_date(d, self.lang) for d in (s.start_date, s.end_date) if d)
        return escape(w[s.premiere] if s.premiere else w["screening"]) + ": " + ", ".join(
            where + ([escape(when)] if when else []))

    def _outcomes(self, rid: str, status: str) -> str:
        items = []
        for o in self.site.outcomes_of(rid, status):  # indexed by recipient: no scan of every outcome per page
            award = self.cat[o.award]
            text = escape(self.site.text(getattr(award, "names", ())) or award.id)
            if o.category:
                text += f" ({escape(o.category)})"
            where = o.edition or o.ceremony or getattr(award, "conferred_by", None)
            parts = [self._link(where)] if where else []
            if o.for_work and o.for_work != rid:
                parts.append(f"{escape(self.words['for'])} {self._link(o.for_work)}")
            if o.date and not o.edition:
                parts.append(escape(human_date(o.date, self.lang)))
            items.append(" — ".join([", ".join(parts), text]) if parts else text)
        return "<br>".join(items)

    def _filmography(self, person: str) -> str:
        w = self.words
        label = {"director": w["director"], "author": w["screenwriter"], "producer": w["producer"],
                 "musicBy": w["composer"]}
        rows: dict[str, list[str]] = {}
        for key, film, credit in self.site.credits_of(person):  # indexed by person: no scan of every film
            if key == "actor":
                role = w["actor"] + (f" ({credit[0].character})" if credit[0].character else "")
            elif key == "contributor":
                role = credit[0].role
            else:
                role = label[key]
            rows.setdefault(film.id, []).append(role)  # plain text: escaped once, below
        return "<br>".join(f"{self._link(fid)}" + (f" ({escape(self.cat[fid].date_created[:4])})"  # type: ignore[attr-defined]
                                                   if getattr(self.cat[fid], "date_created", None) else "")
                           + ": " + escape(", ".join(roles)) for fid, roles in rows.items())

    def _window(self, win: Any) -> str:
        w = self.words
        text = self._link(win.platform)
        if win.url:
            text = f'<a href="{escape(win.url)}">{escape(self._title(self.cat[win.platform]))}</a>'
        if win.starts:
            text += f" {escape(w['from'])} {escape(human_date(win.starts, self.lang))}"
        if win.ends:
            text += f" {escape(w['until'])} {escape(human_date(win.ends, self.lang))}"
        if win.regions:
            text += f" ({escape(', '.join(win.regions))})"
        return text

    def _title(self, rec: Record) -> str:
        names = getattr(rec, "titles", None) or getattr(rec, "names", None) or getattr(rec, "headlines", None) or ()
        return self.site.text(names) or rec.id

    def _link(self, rid: str) -> str:
        rec = self.cat[rid]
        label = escape(self._title(rec))
        outer = getattr(rec, "contained_in", None)
        if outer:  # a place with the place it lies in: "Scotland (United Kingdom)"
            label += f" ({escape(self._title(self.cat[outer]))})"
        section_org = getattr(rec, "organizer", None) if rec.kind == "festival-section" else None
        if section_org:  # a section another organisation runs: "Critics' Week (French Union of Film Critics)"
            label += f" ({escape(self._title(self.cat[section_org]))})"
        for kind, cls in PAGE_KINDS.items():
            if isinstance(rec, cls):
                return f'<a href="../{page_path(kind, rid)}">{label}</a>'
        return label

    def _names(self, ids: Any) -> str:
        return ", ".join(self._link(i) for i in ids)

    def _html(self, title: str, body: str, data: dict[str, Any], root: str) -> str:
        return (f'<!doctype html>\n<html lang="{escape(self.lang)}">\n<head>\n<meta charset="utf-8">\n'
                '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f'<title>{escape(title)}</title>\n<link rel="stylesheet" href="{root}style.css">\n'
                f"{script_tag(data)}\n</head>\n<body>\n"
                f'<nav><a href="{root}index.html">{escape(self.words["all"])}</a></nav>\n<main>\n{body}\n</main>\n'
                "</body>\n</html>\n")


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
    return ours and all(p.suffix in (".html", ".css") for p in folder.rglob("*") if p.is_file())


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
