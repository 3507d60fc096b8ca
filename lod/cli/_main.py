"""The ``lod`` command line.

    lod export [CATALOGUE] [-f turtle|json-ld|nt] [-o FILE] [--base IRI] [--no-validate | --keep-going]
    lod validate [CATALOGUE_OR_RDF_FILE] [--profile core,web,wikidata,archive] [--format text|json] [--strict]
    lod html [CATALOGUE] -o DIR [--lang en]
    lod bag CATALOGUE OUTDIR --source-org NAME --contact-email ADDRESS [--allow-invalid]
    lod bag --verify OUTDIR
    lod quickstatements [CATALOGUE] [-o batch.qs] [--create-unmatched]
    lod reconcile CATALOGUE -o review.csv --user-agent "name (contact)" | lod reconcile --apply review.csv CATALOGUE
    lod reconcile CATALOGUE -o review.csv --endpoint http://127.0.0.1:7878/query   (or --dump wikidata-films.json.gz)
    lod publish [CATALOGUE] --endpoint URL [--graph IRI] [--auth user:password] [--resume]
    lod schema [-o FILE]

With no CATALOGUE, the bundled example (the two Klassiki interviews) is used.
Exit codes: 0 done (conforms), 1 bad input or violations (every problem is listed), 2 could not run
(including "could not validate").
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .. import __version__, errors as E
from ..io import CATALOGUE_SUFFIXES, is_jsonld_file, load_catalogue
from ..mapping import DEFAULT_BASE, Mapper, Reader, check_base
from ..records import catalogue_json_schema
from ..records import Catalogue
from ..pipeline import DEFAULT_BATCH
from ..validation import DEFAULT_ENGINE, ENGINES, Report, ValidationRunError, profile_names, shape_files, validate
from ..wikidata import WIKIDATA_API, WIKIDATA_SPARQL
from ..io import format_name, read_graph, write_atomic

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _formats(value: str) -> list[str]:
    try:
        formats = list(dict.fromkeys(format_name(v.strip()) for v in value.split(",") if v.strip()))
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
    export.add_argument("-f", "--format", type=_formats, default=None,
                        help="turtle, nt or json-ld (default: what the -o file name says, else turtle); several, "
                             "comma-separated, write one file each into -o DIR")
    export.add_argument("-o", "--output", help="output file (.ttl, .nt, .jsonld) or folder (one file a format); "
                                                "default: stdout")
    export.add_argument("--base", default=DEFAULT_BASE, help=f"base IRI for record IRIs (default {DEFAULT_BASE})")
    export.add_argument("--profile", default="core", help="validation profiles to enforce (default: core)")
    mode = export.add_mutually_exclusive_group()
    mode.add_argument("--no-validate", action="store_true", help="write without validating")
    mode.add_argument("--keep-going", action="store_true",
                      help="write the records that load and conform; list the others with their errors (exit 1)")
    export.add_argument("--stream", action="store_true",
                        help="kept for old scripts: every export streams in bounded batches now")
    export.add_argument("--dask", metavar="SCHEDULER",
                        help="run the streaming export partitioned on Dask: local:N (N worker processes) or a "
                             "scheduler address (tcp://host:8786); -o names the folder for parts and manifest")
    export.add_argument("--partitions", type=_positive, help="Dask partitions (default: four a worker)")

    val = sub.add_parser("validate", help="validate a catalogue or an RDF file against SHACL profiles",
                         description="Exit 0 when it conforms, 1 on violations (warnings too with --strict), "
                                     "2 when validation could not run.")
    val.add_argument("source", nargs="?", help="catalogue (YAML/JSON) or RDF file (.ttl, .nt, .jsonld)")
    val.add_argument("--profile", help="comma-separated: core, web, wikidata, archive (default: core, or none "
                                       "with --shapes FILE)")
    val.add_argument("--format", choices=("text", "json"), default="text")
    val.add_argument("--strict", action="store_true", help="warnings fail too")
    val.add_argument("--base", default=DEFAULT_BASE, help="base IRI used to map a catalogue")
    val.add_argument("--shapes", nargs="+", action="extend", metavar="FILE",
                     help="SHACL shapes files (Turtle, N-Triples, JSON-LD; read offline) to validate against, "
                          "instead of lod's profiles (add --profile to check both); or one folder of "
                          "<profile>.ttl files to use instead of lod's own")
    val.add_argument("--workers", type=_positive, default=1, help="validate in batches across this many processes")
    for p in (export, val):
        p.add_argument("--batch-size", type=_positive,
                       help="records per batch (validation with --workers: 500; exports and JSON Lines: 1000)")
        p.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE,
                       help="fast: lod's compiled shapes (default; shapes it cannot compile go to pyshacl); "
                            "pyshacl: the reference engine")

    vocab = sub.add_parser("vocab", help="regenerate alignment.md, context.jsonld and catalogue.schema.json",
                           description="Write the documents generated from vocab/alignment.tsv into DIR.")
    vocab.add_argument("folder", nargs="?", default="vocab", help="folder to write into (default: vocab)")

    site = sub.add_parser("html", help="write a static site: a page per film, person, interview, festival edition")
    site.add_argument("catalogue", nargs="?", help="catalogue file (default: the bundled example)")
    site.add_argument("-o", "--output", required=True, help="folder for the site (replaced whole)")
    site.add_argument("--lang", default="en", help="page language (BCP 47), default en")
    site.add_argument("--base", default=DEFAULT_BASE, help="base IRI of the records")

    pub = sub.add_parser("publish", help="send a catalogue to a triplestore (SPARQL 1.1 Graph Store Protocol)")
    pub.add_argument("catalogue", nargs="?", help="catalogue file (default: the bundled example)")
    pub.add_argument("--endpoint", required=True, help="Graph Store Protocol URL, e.g. http://localhost:7878/store")
    pub.add_argument("--graph", help="named graph IRI (default: the catalogue's IRI)")
    pub.add_argument("--auth", help="user:password for HTTP basic auth (or LOD_PUBLISH_AUTH)")
    pub.add_argument("--base", default=DEFAULT_BASE, help="base IRI of the records")
    pub.add_argument("--chunk", type=_positive, default=50_000, help="triples per request (default 50000)")
    pub.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    pub.add_argument("--state", help="state file (default: CATALOGUE.publish-state.json beside the catalogue)")
    pub.add_argument("--resume", action="store_true", help="continue after the chunks an earlier run got acknowledged")

    bag = sub.add_parser("bag", help="build (or --verify) a BagIt submission package for an archive")
    bag.add_argument("paths", nargs="+", metavar="CATALOGUE OUTDIR", help="CATALOGUE OUTDIR, or OUTDIR with --verify")
    bag.add_argument("--verify", action="store_true", help="check a bag's fixity and completeness")
    bag.add_argument("--source-org", help="the supplying institution (bag-info Source-Organization)")
    bag.add_argument("--contact-email", help="contact address (bag-info Contact-Email)")
    bag.add_argument("--description", help="bag-info External-Description")
    bag.add_argument("--allow-invalid", action="store_true", help="bag even if validation fails (the report says so)")
    bag.add_argument("--base", default=DEFAULT_BASE, help="base IRI of the records")

    qs = sub.add_parser("quickstatements", help="write a QuickStatements V1 batch for Wikidata")
    qs.add_argument("catalogue", nargs="?", help="catalogue file (default: the bundled example)")
    qs.add_argument("-o", "--output", help="batch file (default: stdout)")
    qs.add_argument("--create-unmatched", action="store_true",
                    help="create items for records without a QID (your decision for this batch)")
    qs.add_argument("--allow-unsourced", action="store_true",
                    help="write statements even for records whose facts have no source (no info.url, no url)")
    qs.add_argument("--links", metavar="FIRST_BATCH.lod.json",
                    help="the second batch: the statements linking to the items the first batch created "
                         "(once their QIDs are in the catalogue)")

    rec = sub.add_parser("reconcile", help="find Wikidata QIDs for records (a review file), or --apply one")
    rec.add_argument("catalogue", help="catalogue file (YAML keeps its comments when QIDs are applied)")
    rec.add_argument("-o", "--output", help="review CSV to write (default: stdout)")
    rec.add_argument("--apply", metavar="REVIEW_CSV", help="write the accepted QIDs into the catalogue file")
    rec.add_argument("--auto-accept", type=float, metavar="SCORE",
                     help="with --apply: also accept top candidates scoring at least SCORE (each one is listed)")
    rec.add_argument("--user-agent", default=os.environ.get("LOD_USER_AGENT"),
                     help="User-Agent with contact information (or LOD_USER_AGENT); Wikidata requires it")
    rec.add_argument("--cache", default=os.environ.get("LOD_WIKIDATA_CACHE", ".lod-cache"),
                     help="answer cache folder (re-runs cost nothing)")
    rec.add_argument("--offline", action="store_true", help="use only cached answers")
    rec.add_argument("--api-url", default=os.environ.get("LOD_WIKIDATA_API", WIKIDATA_API))
    rec.add_argument("--sparql-url", default=os.environ.get("LOD_WIKIDATA_SPARQL", WIKIDATA_SPARQL))
    local = rec.add_mutually_exclusive_group()
    local.add_argument("--endpoint", metavar="URL",
                       help="reconcile against your own SPARQL endpoint holding a Wikidata extract (e.g. an Oxigraph "
                            "server), not the live API: no rate limits, nothing sent to Wikidata")
    local.add_argument("--dump", metavar="FILE",
                       help="reconcile against a Wikidata JSON dump (.json, .json.gz, .json.bz2), read once in a "
                            "stream into an index kept in the --cache folder")

    for p in (export, val, site, pub, bag, qs, rec):
        p.add_argument("--transcripts", metavar="DIR",
                       help="folder interview transcripts (text_file) may be read from; default: the catalogue's "
                            "own folder (paths leading outside it are refused)")

    schema = sub.add_parser("schema", help="print the JSON Schema of catalogue files")
    schema.add_argument("-o", "--output", help="write to this file instead of stdout")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a name that is not valid Unicode is shown escaped, not a crash
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except E.MissingFile as exc:
        print(f"lod: could not run: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except (E.InputError, E.RdfError) as exc:  # CatalogueError included: every problem is in the message
        print(f"lod: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except ValidationRunError as exc:
        print(f"lod: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except (E.LodError, OSError) as exc:
        print(f"lod: could not run: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except (RecursionError, MemoryError) as exc:  # bounded inputs should never get here; say so plainly
        print(f"lod: could not run: the input is too large or too deeply nested ({type(exc).__name__})",
              file=sys.stderr)
        return EXIT_ERROR


def _load(args: argparse.Namespace, path: str | os.PathLike[str]) -> Catalogue:
    """A catalogue file, with transcripts read from where ``--transcripts`` allows; it must hold records."""
    catalogue = load_catalogue(path, transcripts=getattr(args, "transcripts", None))
    if not len(catalogue):
        raise E.FileError("holds no records (films:, people:, …): nothing to export or validate", path=str(path))
    return catalogue


def _html(args: argparse.Namespace) -> int:
    from .. import example_path
    from ..site import write_site

    catalogue = _load(args, Path(args.catalogue) if args.catalogue else example_path())
    pages = write_site(catalogue, args.output, lang=args.lang, base=check_base(args.base))
    print(f"wrote {len(pages)} pages into {args.output}", file=sys.stderr)
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    text = json.dumps(catalogue_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        write_atomic(args.output, text.encode())
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    """``lod export``: the one export driver (:func:`lod.pipeline.export`), in this process or on Dask."""
    from .. import example_path
    from ..pipeline import export

    source = Path(args.catalogue) if args.catalogue else example_path()
    options: dict[str, Any] = dict(
        base=check_base(args.base), profiles=profile_names(args.profile) if not args.no_validate else ("core",),
        validate=not args.no_validate, keep_going=args.keep_going, engine=args.engine,
        batch_size=args.batch_size or DEFAULT_BATCH, transcripts=args.transcripts)
    new = _missing(Path(args.output)) if args.output else None
    if args.dask:
        from ..pipeline import export_on_dask as dask_export

        if not args.output:
            raise E.BadValue("a Dask export needs -o, the folder for its parts and manifest", field="--output")
        summary = dask_export(source, args.output, args.format, scheduler=args.dask, partitions=args.partitions,
                              **options)
    else:
        summary = export(source, args.output, args.format, **options)
    for problem in summary.problems:
        print(f"  - {problem}", file=sys.stderr)
    for result in summary.results:
        print(f"  - {result}", file=sys.stderr)
    if summary.files:
        _said_new_folder(new)
    for path in summary.files.values():
        print(f"wrote {path}", file=sys.stderr)
    if not summary.published:
        print("lod: nothing written: the export has problems" + ("" if args.keep_going else
              " (use --keep-going to write the records that load and conform, --no-validate to skip validation)"),
              file=sys.stderr)
    print(summary.line(), file=sys.stderr)
    return EXIT_OK if summary.complete else EXIT_INVALID


def _missing(path: Path) -> Path | None:
    """The outermost folder of ``path`` (itself included) that does not exist yet."""
    return next((p for p in reversed([path, *path.parents]) if not p.exists()), None)


def _said_new_folder(folder: Path | None) -> None:
    if folder is not None and folder.is_dir():
        print(f"lod: created folder {folder}", file=sys.stderr)


def _reconcile(args: argparse.Namespace) -> int:
    from ..wikidata import Client, WikidataError, accepted, apply_qids, pending, read_review, review_rows, write_review

    if args.apply:
        qids, notes = accepted(Path(args.apply).read_text(encoding="utf-8-sig"), args.auto_accept)
        for note in notes:
            print(f"lod: {note}", file=sys.stderr)
        applied = apply_qids(args.catalogue, qids)
        print(f"lod: wrote {len(applied)} QID(s) into {args.catalogue}", file=sys.stderr)
        return EXIT_OK
    catalogue = _load(args, args.catalogue)
    earlier: list[dict[str, str]] = []
    if args.output and Path(args.output).is_file():  # resume: what an earlier run decided stays (with its marks)
        earlier = [r for r in read_review(Path(args.output).read_text(encoding="utf-8-sig"))
                   if r.get("record") and r["record"] not in pending([r])]
    try:
        if args.endpoint:
            client = Client.local(args.endpoint)
        elif args.dump:
            print(f"lod: reading the Wikidata dump {args.dump} (once; the index is kept in {args.cache})",
                  file=sys.stderr)
            client = Client.from_dump(args.dump, index=args.cache)
        else:
            client = Client(args.user_agent or "", cache=args.cache, api_url=args.api_url,
                            sparql_url=args.sparql_url, offline=args.offline)
        rows = earlier + review_rows(client, catalogue, done={r["record"] for r in earlier})
    except WikidataError as exc:
        print(f"lod: could not reconcile: {exc}", file=sys.stderr)
        return EXIT_ERROR
    text = write_review(rows)
    waiting = pending(rows)
    if args.output:
        write_atomic(args.output, text.encode("utf-8"))
        print(f"lod: wrote {len(rows) - len(waiting)} candidate(s) to {args.output}"
              + (f" ({len(earlier)} kept from the earlier run)" if earlier else "")
              + "; mark 'accept' and run --apply", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if waiting:
        print(f"lod: {len(waiting)} record(s) pending, not reconciled (Wikidata could not be asked): "
              f"{', '.join(waiting[:5])}{' …' if len(waiting) > 5 else ''}; run the same command again to resume",
              file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def _quickstatements(args: argparse.Namespace) -> int:
    from .. import example_path
    from ..mapping import UNSOURCED, quickstatements

    links_for = None
    if args.links:
        state = _read_batch_state(Path(args.links))
        links_for = state["created"]
    catalogue = _load(args, Path(args.catalogue) if args.catalogue else example_path())
    batch = quickstatements(catalogue, create_unmatched=args.create_unmatched, allow_unsourced=args.allow_unsourced,
                            links_for=links_for)
    unsourced = [rid for rid, why in batch.skipped if why == UNSOURCED]
    for rid, why in batch.skipped:
        if why != UNSOURCED:
            print(f"lod: skipped record {rid!r}: {why}", file=sys.stderr)
    kept = f"; {args.output} left as it was" if args.output and Path(args.output).exists() else ""
    if unsourced:  # refused as a whole: a batch with some records silently missing is worse than none
        print(f"lod: nothing written: {len(unsourced)} record(s) have no source for their facts "
              f"({', '.join(unsourced[:5])}{' …' if len(unsourced) > 5 else ''}): give the catalogue an info.url "
              f"(where its facts come from) or the records a url, or pass --allow-unsourced{kept}", file=sys.stderr)
        return EXIT_INVALID
    if not batch.lines:
        print("lod: nothing to write" + kept, file=sys.stderr)
        return EXIT_OK
    if args.output:
        print(f"lod: wrote {write_atomic(args.output, batch.text().encode())} ({len(batch.lines)} lines)",
              file=sys.stderr)
    else:
        sys.stdout.write(batch.text())
    if links_for is not None:
        return EXIT_OK
    state_path = Path(str(args.output) + ".lod.json") if args.output else None
    if batch.created:
        later = [rid for rid in batch.created if rid not in set(batch.complete)]
        print(f"lod: the batch creates {len(batch.created)} item(s); "
              + "; ".join(part for part in (
                  f"complete in this batch (LAST chain): {', '.join(batch.complete)}" if batch.complete else "",
                  f"statements of {', '.join(later)} wait for the second batch" if later else "") if part),
              file=sys.stderr)
    if batch.deferred and state_path is not None:
        write_atomic(state_path, (json.dumps({"generator": "lod", "batch": Path(args.output).name,
                                              "created": batch.created, "deferred": batch.deferred},
                                             indent=1) + "\n").encode())
        then = (f"then run lod quickstatements {args.catalogue or ''} --links {state_path} -o SECOND.qs "
                "for the second batch").replace("  ", " ")
    elif batch.deferred:
        then = "write the first batch with -o FILE, which also writes what the second batch needs"
    if batch.deferred:
        print(f"lod: {batch.deferred} statement(s) link to the new items (a film to its new director, an award "
              "to its winner) and need their QIDs: run this batch in QuickStatements, find the new items "
              f"(lod reconcile) and write their QIDs in (lod reconcile --apply); {then}", file=sys.stderr)
    elif state_path is not None and state_path.is_file():
        try:  # an earlier first batch's state no longer describes this batch: lod's own file, removed
            if json.loads(state_path.read_text(encoding="utf-8")).get("generator") == "lod":
                state_path.unlink()
        except (OSError, ValueError, AttributeError):
            pass
    return EXIT_OK


def _read_batch_state(path: Path) -> dict[str, Any]:
    """The state file lod wrote beside a first batch (the records it creates)."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise E.MissingFile(f"{path}: no such file (lod writes it beside a first batch written with -o)",
                            path=str(path)) from None
    except (OSError, ValueError) as exc:
        raise E.FileError(f"{path}: not a batch state file lod wrote ({exc})", path=str(path)) from None
    if (not isinstance(state, dict) or state.get("generator") != "lod" or not isinstance(state.get("created"), list)
            or not all(isinstance(r, str) for r in state["created"])):
        raise E.FileError(f"{path}: not a batch state file lod wrote (it names the records the first batch "
                          "created)", path=str(path))
    return state


def _bag(args: argparse.Namespace) -> int:
    from ..archive import BagError, make_bag, verify_bag

    try:
        if args.verify:
            if len(args.paths) != 1:
                raise E.BadValue(f"--verify takes one OUTDIR, not {len(args.paths)}: lod bag --verify OUTDIR")
            verify_bag(args.paths[0])
            print(f"{args.paths[0]}: valid bag (fixity and completeness checked)", file=sys.stderr)
            return EXIT_OK
        missing = [what for what, given in (("CATALOGUE OUTDIR", len(args.paths) == 2),
                                            ("--source-org NAME", args.source_org),
                                            ("--contact-email ADDRESS", args.contact_email)) if not given]
        if missing:
            raise E.BadValue(f"lod bag needs {' and '.join(missing)}; usage: lod bag CATALOGUE OUTDIR "
                             "--source-org NAME --contact-email ADDRESS")
        result = make_bag(_load(args, args.paths[0]), args.paths[1], source_org=args.source_org,
                          contact_email=args.contact_email, base=check_base(args.base),
                          allow_invalid=args.allow_invalid, description=args.description)
    except BagError as exc:
        print(f"lod: {exc}", file=sys.stderr)
        return EXIT_INVALID
    print(f"wrote bag {result.path} ({len(result.files)} payload files"
          + ("" if result.conforms else ", NOT CONFORMING") + ")", file=sys.stderr)
    return EXIT_OK if result.conforms else EXIT_INVALID


def _publish(args: argparse.Namespace) -> int:
    from .. import example_path
    from ..archive import PublishError, parse_auth, publish

    source = Path(args.catalogue) if args.catalogue else example_path()
    catalogue = _load(args, source)
    # beside the catalogue; for the bundled example (inside the installed package) in the current folder
    state = Path(args.state) if args.state else (
        Path.cwd() / f"{source.stem}.publish-state.json" if not args.catalogue
        else source.with_name(f"{source.stem}.publish-state.json"))
    try:
        result = publish(catalogue, args.endpoint, graph=args.graph, base=check_base(args.base),
                         auth=parse_auth(args.auth), chunk_triples=args.chunk, timeout=args.timeout,
                         state_file=state, resume=args.resume)
    except PublishError as exc:
        print(f"lod: could not publish: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print(f"published {result.triples} triples in {result.chunks} chunk(s) to <{result.graph}> "
          f"({result.sent} sent now)", file=sys.stderr)
    return EXIT_OK


def _exact_records(graph: Any) -> tuple[Catalogue, str] | None:
    """The records a graph holds, if mapping them back gives exactly the graph (else None)."""
    try:
        reader = Reader(graph)
        catalogue = reader.catalogue()
    except E.LodError:
        return None
    if reader.base is None or set(Mapper(catalogue, reader.base).triples()) != set(graph):
        return None
    return catalogue, reader.base


def _shapes_of(args: argparse.Namespace) -> tuple[str | None, list[str]]:
    """``--shapes``: one folder of <profile>.ttl files (shapes_dir), or shapes files."""
    given = list(args.shapes or [])
    if len(given) == 1 and Path(given[0]).is_dir():
        return given[0], []
    shape_files(given)  # each file exists, and none is a folder: said now, in the user's words
    return None, given


def _run_validation(catalogue: Catalogue, profiles: tuple[str, ...], base: str, args: argparse.Namespace) -> Report:
    shapes_dir, files = _shapes_of(args)
    if args.workers > 1:
        return validate(catalogue, profiles or None, base, shapes_dir=shapes_dir, engine=args.engine,
                        batch_size=args.batch_size or 500, workers=args.workers, shapes=files or None)
    return validate(catalogue, profiles or None, base, shapes_dir=shapes_dir, engine=args.engine,
                    shapes=files or None)


def _validate(args: argparse.Namespace) -> int:
    from .. import example_path

    shapes_dir, files = _shapes_of(args)
    if files and not args.source:
        raise E.BadValue("name the data before the shapes: lod validate DATA --shapes FILE… (--shapes takes every "
                         "file after it; end the list with -- to name the data after it)", field="--shapes",
                         value=" ".join(files))
    profiles = profile_names(args.profile) if args.profile else () if files else ("core",)
    source = Path(args.source) if args.source else example_path()
    from ..pipeline import JSONL_SUFFIXES, validate_file

    if not source.is_file():
        raise E.MissingFile("no such file" if not source.exists() else "not a file", path=str(source))

    if source.suffix.lower() in JSONL_SUFFIXES:  # a JSON Lines catalogue is validated in batches
        report = validate_file(source, profiles, base=check_base(args.base), engine=args.engine,
                               batch_size=args.batch_size or DEFAULT_BATCH, shapes_dir=shapes_dir,
                               transcripts=args.transcripts, shapes=files)
    elif source.suffix.lower() in CATALOGUE_SUFFIXES and not is_jsonld_file(source):
        report = _run_validation(_load(args, source), profiles, check_base(args.base), args)
    elif args.workers == 1 and args.engine == "fast" and not is_jsonld_file(source) \
            and source.suffix.lower() not in CATALOGUE_SUFFIXES:
        # Turtle or N-Triples, read by pyoxigraph straight into the compiled engine (no rdflib graph: a fifth
        # of the memory, benchmarks/bench_shapes.py)
        report = validate(source, profiles or None, shapes_dir=shapes_dir, engine=args.engine, shapes=files or None)
    else:
        graph = read_graph(source)
        if not len(graph):
            raise E.FileError("holds no triples: nothing to validate", path=str(source))
        records = _exact_records(graph) if args.workers > 1 else None
        if records is not None:  # lod's own RDF, read back exactly: validate the records in batches
            report = _run_validation(records[0], profiles, records[1], args)
        else:  # anything else is validated as the graph it is
            report = validate(graph, profiles or None, shapes_dir=shapes_dir, engine=args.engine, shapes=files or None)
    sys.stdout.write(report.json(args.strict) if args.format == "json" else report.text(args.strict))
    if not report.conforms or (args.strict and report.warnings):
        return EXIT_INVALID
    return EXIT_OK


def _vocab(args: argparse.Namespace) -> int:
    from ._docs import main as write_docs

    return write_docs([args.folder])


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "export": _export, "validate": _validate, "publish": _publish, "bag": _bag,
    "quickstatements": _quickstatements, "reconcile": _reconcile, "html": _html, "schema": _schema,
    "vocab": _vocab,
}
"""Sub-command -> handler (each returns the exit code)."""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
