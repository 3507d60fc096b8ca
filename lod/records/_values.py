"""Value types shared by the records: language-tagged text, partial dates, ids, QIDs, IRIs.

Every validator raises :class:`pydantic_core.PydanticCustomError` with one of the
codes of :mod:`lod.errors`, so a failure is turned into the matching ``InputError``
subclass with the record and field attached (see :func:`lod.model.input_errors`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from dataclasses import dataclass
from typing import Annotated, Any

import langcodes
import pyoxigraph
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

__all__ = [
    "LangText", "LangTag", "Text", "PartialDate", "QID", "Id", "Url", "SameAsIri",
    "date_datatype", "nfc", "XSD", "Kind", "Minutes",
]

XSD = "http://www.w3.org/2001/XMLSchema#"
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"

RESERVED_SCHEMES = frozenset({"schema", "lod", "wd", "wdt", "fiaf", "rdf", "rdfs", "xsd"})
"""Prefixes of lod's JSON-LD context: an IRI with such a 'scheme' would be read as a compact IRI."""

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*\Z")
_QID = re.compile(r"Q[1-9][0-9]*\Z")
_LANG_SHAPE = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*\Z")


def nfc(value: str) -> str:
    """Unicode NFC: the same name typed two ways is one name."""
    return unicodedata.normalize("NFC", value)


def _text(value: Any) -> str:
    if type(value) is not str or not value.isascii():  # (ASCII text, the usual case, is encodable and NFC)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # YAML reads a title such as 1917 as a number
        if not isinstance(value, str):
            raise PydanticCustomError("bad_value", "expected text, got {kind}", {"kind": type(value).__name__})
        if not value.isascii():
            _encodable(value)
            value = nfc(value)
    value = value.strip()
    if not value:
        raise PydanticCustomError("empty_text", "text must not be empty")
    return value


def _encodable(value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("bad_value", "text contains a lone surrogate (not valid Unicode)", {}) from None


def _lang(value: Any) -> str:
    if isinstance(value, str) and not value.isascii():
        _encodable(value)
    if not isinstance(value, str):
        raise PydanticCustomError("bad_language_tag", "not a valid BCP 47 language tag", {})
    return _lang_tag(value)


@lru_cache(maxsize=4096)
def _lang_tag(value: str) -> str:
    """A checked tag in BCP 47 case (a catalogue uses few tags: each is checked once)."""
    if not _LANG_SHAPE.match(value) or not langcodes.tag_is_valid(value):
        fixed = value.replace("_", "-").strip()
        if fixed != value and _LANG_SHAPE.match(fixed) and langcodes.tag_is_valid(fixed):
            raise PydanticCustomError("bad_language_tag", "not a valid BCP 47 language tag; did you mean '{tag}'? "
                                      "(BCP 47 joins the parts with '-')", {"tag": _lang_tag(fixed)})
        raise PydanticCustomError("bad_language_tag", "not a valid BCP 47 language tag (e.g. en, kk-Cyrl, en-GB)",
                                  {})
    return bcp47_case(value)


@lru_cache(maxsize=4096)
def bcp47_case(tag: str) -> str:
    """A language tag in BCP 47 case (RFC 5646 2.1.1), as lod's records write tags: ``kk-cyrl`` -> ``kk-Cyrl``."""
    parts = tag.split("-")
    out = [parts[0].lower()]
    singleton = len(parts[0]) == 1  # "x-…" (private use) and "i-…": everything after is lower case
    for part in parts[1:]:
        if singleton or len(part) == 1:
            singleton = True
            out.append(part.lower())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def names_a_record(value: Any) -> bool:
    """Whether a record's ``id``, even a bad one, can name it in a message (else it is named by position)."""
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-"


def _id(value: Any) -> str:
    if type(value) is str and value.isascii() and value[:1].isalnum() and not value.strip(_ID_CHARS):
        return value  # the usual case, without the pattern: ASCII, a letter or digit first, every character allowed
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10 ** 30:
        value = str(value)
    if isinstance(value, str) and not value.isascii():
        _encodable(value)
    if not isinstance(value, str) or not _ID.match(value):
        raise PydanticCustomError(
            "bad_id", "not a valid id (letters, digits, '.', '_', '~', '-'; starting with a letter or digit)",
            {})
    return value


def _qid(value: Any) -> str:
    if isinstance(value, str) and not value.isascii():
        _encodable(value)
    if isinstance(value, str) and value.startswith(WIKIDATA_ENTITY):
        value = value.rsplit("/", 1)[1]
    if not isinstance(value, str) or not _QID.match(value):
        raise PydanticCustomError("bad_qid", "not a Wikidata QID (Q followed by digits, no leading 0)",
                                  {})
    return value


def _iri(value: Any, schemes: frozenset[str]) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("bad_iri", "expected an IRI, got {kind}", {"kind": type(value).__name__})
    _encodable(value)
    value = nfc(value)
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", value)
    if not scheme:
        raise PydanticCustomError("bad_iri", "not an absolute IRI", {})
    if scheme.group(1).lower() not in schemes and scheme.group(1).lower() not in RESERVED_SCHEMES:
        raise PydanticCustomError(
            "bad_iri", "'{scheme}:' links are not accepted here; use {allowed}",
            {"scheme": scheme.group(1), "allowed": " or ".join(f"{s}:" for s in sorted(schemes))})
    if scheme.group(1).lower() in RESERVED_SCHEMES:
        raise PydanticCustomError(
            "bad_iri", "'{scheme}:' is a prefix in lod's JSON-LD context, not an IRI scheme; write the full IRI",
            {"scheme": scheme.group(1)})
    if any(ch.isspace() or unicodedata.category(ch) in {"Zs", "Zl", "Zp", "Cc", "Cf"} for ch in value):
        raise PydanticCustomError("bad_iri", "IRIs cannot contain spaces, line separators or control characters", {})
    try:
        # pyoxigraph parses IRIs strictly (RFC 3987): spaces, '<>"{}|\\^`' and control characters fail.
        pyoxigraph.NamedNode(value)
    except ValueError as exc:
        raise PydanticCustomError("bad_iri", "not a valid IRI: {why}",
                                  {"why": str(exc)}) from None
    return value


WEB_SCHEMES = frozenset({"http", "https"})
"""Schemes a link a page may show can have: ``javascript:``, ``data:`` and ``file:`` never reach a page."""
SAME_AS_SCHEMES = WEB_SCHEMES | {"urn"}
"""``same_as`` also takes URNs (``urn:isbn:…``, ``urn:nbn:…``): identifiers, not links."""


def strict_url(value: Any) -> str:
    return _iri(value, WEB_SCHEMES)


def _same_as(value: Any) -> str:
    return _iri(value, SAME_AS_SCHEMES)


_DATE_FORMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"-?\d{4}\Z"), "gYear"),
    (re.compile(r"-?\d{4}-\d{2}\Z"), "gYearMonth"),
    (re.compile(r"-?\d{4}-\d{2}-\d{2}\Z"), "date"),
    (re.compile(r"--\d{2}-\d{2}\Z"), "gMonthDay"),
    (re.compile(r"-?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?\Z"), "dateTime"),
)


@lru_cache(maxsize=4096)
def date_datatype(value: str) -> str:
    """The XSD datatype local name of a canonical :data:`PartialDate` string."""
    for pattern, name in _DATE_FORMS:
        if pattern.match(value):
            return name
    raise ValueError(f"not a partial date: {value!r}")


def _date(value: Any) -> str:
    return _date_text(value) if type(value) is str else _check_date(value)


@lru_cache(maxsize=4096)
def _date_text(value: str) -> str:
    """A date text found good, checked once (a catalogue repeats its years and days; a bad one raises, not kept)."""
    return _check_date(value)


def _check_date(value: Any) -> str:
    if isinstance(value, bool):
        raise PydanticCustomError("bad_date", "not a date", {})
    if isinstance(value, int):
        value = f"{value:04d}"
    elif isinstance(value, dt.datetime):
        value = value.isoformat()
    elif isinstance(value, dt.date):
        value = value.isoformat()
    if not isinstance(value, str):
        raise PydanticCustomError("bad_date", "not a date", {})
    if not value.isascii():
        _encodable(value)
    value = value.strip()
    try:
        kind = date_datatype(value)
        if kind == "gYear" and int(value) == 0:
            raise ValueError("year 0000")
        if kind == "gYearMonth":
            dt.date(int(value[-7:-3]), int(value[-2:]), 1)
        elif kind == "date":
            dt.date.fromisoformat(value.lstrip("-"))
        elif kind == "gMonthDay":
            dt.date(2000, int(value[2:4]), int(value[5:7]))  # 2000 is a leap year: --02-29 is fine
        elif kind == "dateTime":
            if value.startswith("-"):
                raise ValueError("date-times before year 1 are not supported")
            # canonical form (seconds always, "+00:00" for Z), so RDF parsers give back the same text
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    except ValueError:
        raise PydanticCustomError(
            "bad_date",
            "not a date: use YYYY, YYYY-MM, YYYY-MM-DD, --MM-DD (day without a known year) "
            "or an ISO 8601 date-time", {}) from None
    return value


@dataclass(frozen=True)
class Kind:
    """Marks what a string value means in RDF (a date, an IRI, a QID…)."""

    name: str


TEXT_SCHEMA: dict[str, Any] = {"anyOf": [{"type": "string", "minLength": 1}, {"type": "integer"}]}
Text = Annotated[str, BeforeValidator(_text), WithJsonSchema(TEXT_SCHEMA)]
"""Non-empty, NFC-normalised, stripped text."""
LangTag = Annotated[str, BeforeValidator(_lang), Field(json_schema_extra={"format": "bcp47"})]
"""A BCP 47 language tag such as ``kk-Cyrl``, ``ru`` or ``en-GB``."""
Id = Annotated[str, BeforeValidator(_id), WithJsonSchema({"anyOf": [
    {"type": "string", "pattern": "^" + _ID.pattern.removesuffix("\\Z") + "$"}, {"type": "integer", "minimum": 0}]})]
"""A record's local id: the stable part of its IRI."""
QID = Annotated[str, BeforeValidator(_qid), WithJsonSchema({"type": "string", "pattern": r"^Q[1-9][0-9]*$"}),
              Kind("qid")]
"""A Wikidata item id (``Q232``); the entity IRI is accepted and reduced to the id."""
Url = Annotated[str, BeforeValidator(strict_url), Field(json_schema_extra={"format": "iri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?:"}),
                Kind("iri")]
"""An ``http:`` or ``https:`` IRI, checked strictly before it is ever written (other schemes are refused)."""
SameAsIri = Annotated[str, BeforeValidator(_same_as),
                      Field(json_schema_extra={"format": "iri", "pattern": "^([Hh][Tt][Tt][Pp][Ss]?|[Uu][Rr][Nn]):"}),
                      Kind("iri")]
"""An ``http:``, ``https:`` or ``urn:`` IRI: what ``same_as`` may name."""
PartialDate = Annotated[str, BeforeValidator(_date), WithJsonSchema({
    "anyOf": [{"type": "string", "pattern": r"^(-?\d{4}(-\d{2}(-\d{2}(T.+)?)?)?|--\d{2}-\d{2})$"},
              {"type": "integer", "description": "a year"}],
    "description": "YYYY, YYYY-MM, YYYY-MM-DD, --MM-DD (no known year) or an ISO 8601 date-time"}), Kind("date")]
"""A date as precise as the source: year, year-month, full date, month-day or date-time."""


class LangText(BaseModel):
    """Text in one language and script: ``LangText(text="Алматы", lang="kk-Cyrl")``."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    text: Text
    lang: LangTag

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        # {"en": "Almaty"} is the short form of {"text": "Almaty", "lang": "en"}.
        return text_shorthand(data)

    def __str__(self) -> str:
        return f"{self.text}@{self.lang}"


def text_shorthand(data: Any) -> Any:
    """``{"en": "Almaty"}`` -> ``{"text": "Almaty", "lang": "en"}``; bare text is refused clearly."""
    if isinstance(data, dict) and len(data) == 1 and "text" not in data:
        ((lang, text),) = data.items()
        return {"text": text, "lang": lang}
    if isinstance(data, str):
        raise PydanticCustomError("bad_language_tag", "text needs a language tag: write it as "
                                  "'en: ...' or with 'text' and 'lang' keys", {})
    return data


def lang_list(value: Any) -> Any:
    """``{"en": "A", "ru": "Б"}`` is the short form of a list of :class:`LangText`."""
    if isinstance(value, dict) and "text" not in value:
        out: list[Any] = []
        for lang, text in value.items():
            out.extend({"text": t, "lang": lang} for t in (text if isinstance(text, list) else [text]))
        return out
    if isinstance(value, (str, dict)):
        return [value]
    return value


def count_value(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("bad_value", "expected a whole number, not true/false", {})
    return value


Count = Annotated[int, BeforeValidator(count_value), Field(gt=0, lt=1_000_000)]
"""A positive whole number (days, an edition number)."""

Minutes = Annotated[int, BeforeValidator(count_value), Field(gt=0, lt=100000), Kind("minutes")]
"""A running time in whole minutes, written as an ISO 8601 duration (``PT1H33M``)."""

LANGTEXT_SCHEMA: dict[str, Any] = {"anyOf": [
    {"type": "object", "properties": {"text": {"type": "string", "minLength": 1}, "lang": {"type": "string"}},
     "required": ["text", "lang"], "additionalProperties": False},
    {"type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": TEXT_SCHEMA,
     "description": "short form {lang: text}"}]}
"""JSON Schema of one language-tagged text, long or short form."""

TEXTS_SCHEMA: dict[str, Any] = {"anyOf": [
    {"type": "array", "items": LANGTEXT_SCHEMA},
    {"type": "object", "description": "short form {lang: text or [texts]}",
     "additionalProperties": {"anyOf": [TEXT_SCHEMA, {"type": "array", "items": TEXT_SCHEMA}]}}]}
"""JSON Schema of a list of language-tagged texts, long or short form."""
