"""Generated documents: the alignment table as Markdown, the JSON-LD context, the JSON Schema.

``lod vocab DIR`` writes ``alignment.md``, ``context.jsonld`` and
``catalogue.schema.json`` into DIR (the repository keeps them in ``vocab/``; the test
suite checks they are current).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..records import table
from ..records import catalogue_json_schema
from ..io import jsonld_context, write_atomic


def alignment_markdown() -> str:
    """The alignment table as a Markdown document, one section per record type."""
    out = ["# lod alignment table", "",
           "Generated from `vocab/alignment.tsv` by `lod vocab`; do not edit by hand.", ""]
    current = None
    for row in table().rows:
        group = row.record.split(".")[0]
        if group != current:
            current = group
            out += ["", f"## {group}", "", "| field | schema.org | Wikidata | FIAFcore | note |", "|---|---|---|---|---|"]
        name = row.field if "." not in row.record else f"{row.record.split('.')[1]} = {row.field}"
        extra = f" (also {row.also})" if row.also and row.field != "@const" else (f" = {row.also}" if row.also else "")
        via = f" via {row.via}" if row.via else ""
        cells = [name, f"`{row.schema}`{extra}{via}" if row.schema else "", row.wikidata, row.fiaf,
                 row.note.replace("|", "\\|")]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def generated_files() -> dict[str, str]:
    return {
        "alignment.md": alignment_markdown(),
        "context.jsonld": json.dumps({"@context": jsonld_context()}, indent=2, ensure_ascii=False) + "\n",
        "catalogue.schema.json": json.dumps(catalogue_json_schema(), indent=2, ensure_ascii=False) + "\n",
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0] if args else "vocab")
    for name, text in generated_files().items():
        write_atomic(folder / name, text.encode("utf-8"))
        print(f"wrote {folder / name}")
    return 0

