"""The ``lod`` command line.

    lod export [CATALOGUE] [-f turtle|json-ld|nt] [-o FILE] [--base IRI]
    lod schema [-o FILE]

With no CATALOGUE, ``lod export`` uses the bundled example (the two Klassiki interviews).
Exit codes: 0 done, 1 bad input (every problem is listed on stderr), 2 could not run.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__, errors as E
from .load import load_catalogue
from .mapping import DEFAULT_BASE, check_base
from .schema import catalogue_json_schema
from .writers import EXTENSIONS, format_name, serialize, write_atomic

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2


def _formats(value: str) -> list[str]:
    try:
        formats = [format_name(v.strip()) for v in value.split(",") if v.strip()]
    except E.InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if not formats:
        raise argparse.ArgumentTypeError("no format given; use turtle, nt or json-ld")
    return formats


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lod", description="Linked open data for film culture.")
    parser.add_argument("--version", action="version", version=f"lod {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    export = sub.add_parser("export", help="write a catalogue as Turtle, N-Triples or JSON-LD",
                            description="Write a catalogue (YAML/JSON, or lod RDF) as RDF. "
                                        "With no CATALOGUE, the bundled example is used.")
    export.add_argument("catalogue", nargs="?", help="catalogue file (default: the bundled example)")
    export.add_argument("-f", "--format", type=_formats, default=["turtle"],
                        help="turtle, nt or json-ld; several, comma-separated, write one file each into -o DIR")
    export.add_argument("-o", "--output", help="output file (or folder for several formats); default: stdout")
    export.add_argument("--base", default=DEFAULT_BASE, help=f"base IRI for record IRIs (default {DEFAULT_BASE})")

    schema = sub.add_parser("schema", help="print the JSON Schema of catalogue files")
    schema.add_argument("-o", "--output", help="write to this file instead of stdout")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "export":
            return _export(args)
        if args.command == "schema":
            text = json.dumps(catalogue_json_schema(), indent=2, ensure_ascii=False) + "\n"
            if args.output:
                write_atomic(args.output, text.encode())
            else:
                sys.stdout.write(text)
            return EXIT_OK
    except E.CatalogueError as exc:
        print(f"lod: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except E.InputError as exc:
        print(f"lod: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except (E.LodError, OSError) as exc:
        print(f"lod: could not run: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_ERROR  # pragma: no cover - argparse requires a command


def _export(args: argparse.Namespace) -> int:
    from . import example_path

    base = check_base(args.base)
    source = Path(args.catalogue) if args.catalogue else example_path()
    catalogue = load_catalogue(source)
    formats: list[str] = args.format
    if len(formats) > 1 and not args.output:
        raise E.BadValue("several formats need -o DIR", field="--output")
    if len(formats) > 1 or (args.output and Path(args.output).is_dir()):
        folder = Path(args.output)
        stem = catalogue.info.id if catalogue.info else source.stem
        for fmt in formats:
            path = write_atomic(folder / f"{stem}{EXTENSIONS[fmt]}", serialize(catalogue, fmt, base))
            print(f"wrote {path}", file=sys.stderr)
        return EXIT_OK
    data = serialize(catalogue, formats[0], base)
    if args.output:
        path = write_atomic(args.output, data)
        print(f"wrote {path}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
