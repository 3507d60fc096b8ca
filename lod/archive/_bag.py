"""BagIt submission packages for film archives (RFC 8493, with the ``bagit`` library).

    lod bag CATALOGUE OUTDIR --source-org "Klassiki" --contact-email archive@example.org
    lod bag --verify OUTDIR

``data/`` holds the records in both views (schema.org and FIAFcore) as Turtle, N-Triples and
JSON-LD, the SHACL report of each profile, the interview transcripts and a ``README.txt``;
``bag-info.txt`` names the source organisation and contact; the manifests are SHA-256 and
SHA-512. The bag is built in a staging folder beside OUTDIR and renamed into place, so a crash
or a kill leaves either no bag or the previous complete one, never a half bag.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import bagit

from .. import errors as E
from ..mapping import DEFAULT_BASE, check_base, from_graph
from ..mapping import to_graph
from ..records import Catalogue
from ..validation import Report, validate
from ..io import replace_dir, replaceable, staging_dir
from ..io import read_graph, serialize

CHECKSUMS = ["sha256", "sha512"]
VIEWS = {"schema": "schema.org, aligned with Wikidata", "fiaf": "FIAFcore (https://fiafcore.org/ontology/)"}
FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}
CHECKS = (("schema", "core"), ("schema", "archive"), ("fiaf", "archive"))


class BagError(E.LodError):
    """A bag could not be made, or does not verify (fixity or completeness)."""


@dataclass
class BagResult:
    path: Path
    files: list[str]
    conforms: bool
    reports: dict[str, Report]


def make_bag(catalogue: Catalogue, outdir: str | os.PathLike[str], *, source_org: str, contact_email: str,
             base: str = DEFAULT_BASE, allow_invalid: bool = False, description: str | None = None) -> BagResult:
    """Build a validated BagIt bag of the catalogue at ``outdir`` (replacing a previous bag whole)."""
    base = check_base(base)
    if not source_org.strip() or "@" not in contact_email:
        raise E.BadValue("a bag needs a source organisation and a contact e-mail address", field="source_org",
                         value=f"{source_org!r} / {contact_email!r}")
    graphs = {view: to_graph(catalogue, base, view=view) for view in VIEWS}
    reports = {f"{view}-{profile}": validate(graphs[view], profiles=(profile,)) for view, profile in CHECKS}
    conforms = all(r.conforms for r in reports.values())
    if not conforms and not allow_invalid:
        failed = [name for name, r in reports.items() if not r.conforms]
        raise BagError("refusing to bag a catalogue that does not conform (" + ", ".join(failed) + "); fix it or "
                       "pass --allow-invalid.\n" + "".join(reports[n].text() for n in failed))
    target = Path(outdir).resolve()
    if not replaceable(target, lambda folder: (folder / "bagit.txt").is_file()):
        raise BagError(f"{target} exists and is not a bag: lod replaces only an earlier bag (or an empty folder)")
    staging = staging_dir(target)  # what a killed run left beside it is swept first
    try:
        files = _write_payload(staging, catalogue, graphs, reports, conforms)
        info = {"Source-Organization": source_org, "Contact-Email": contact_email,
                "External-Description": description or _describe(catalogue),
                "External-Identifier": catalogue.info.id if catalogue.info else _printable(target.name),
                "Bagging-Date": dt.date.today().isoformat()}
        bagit.make_bag(str(staging), bag_info=info, checksums=CHECKSUMS)
        for folder in (staging, *(p for p in staging.rglob("*") if p.is_dir())):
            os.chmod(folder, 0o755)
        replace_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BagResult(target, files, conforms, reports)


def _printable(name: str) -> str:
    """A file name as text (bytes that are not UTF-8 shown as U+FFFD)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _describe(catalogue: Catalogue) -> str:
    name = next((n.text for n in catalogue.info.names), catalogue.info.id) if catalogue.info else "lod catalogue"
    return f"{name}: {len(catalogue)} film-culture records (lod)"


def _write_payload(root: Path, catalogue: Catalogue, graphs: dict, reports: dict[str, Report],
                   conforms: bool) -> list[str]:
    files: dict[str, bytes] = {}
    for view, graph in graphs.items():
        for ext, fmt in FORMATS.items():
            files[f"records/{view}.{ext}"] = serialize(graph, fmt)
    for name, report in reports.items():
        head = "" if report.conforms else "NOT CONFORMING: these records were bagged with --allow-invalid.\n"
        files[f"validation/{name}.txt"] = (head + report.text()).encode()
        files[f"validation/{name}.json"] = report.json().encode()
    for interview in catalogue.interviews:
        for text in interview.text:
            files[f"transcripts/{interview.id}.{text.lang}.txt"] = (text.text + "\n").encode()
    lines = [("NOT CONFORMING: this bag was made with --allow-invalid; see validation/.\n\n" if not conforms else "")
             + f"{_describe(catalogue)}", "", "Contents of data/:", ""]
    for name in sorted(files):
        view = name.split("/")[1].split(".")[0] if name.startswith("records/") else ""
        what = {"records": f"records, {VIEWS.get(view, '')}", "validation": "SHACL validation report",
                "transcripts": "interview transcript"}[name.split("/")[0]]
        lines.append(f"  {name:52} {what}")
    lines += ["", "Read the records back with lod.load_bag(path); check the bag with: lod bag --verify PATH", ""]
    files["README.txt"] = "\n".join(lines).encode()
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.chmod(path, 0o644)
    return sorted(f"data/{rel}" for rel in files)


def verify_bag(path: str | os.PathLike[str]) -> None:
    """Check fixity (every checksum) and completeness; :class:`BagError` says what is wrong."""
    try:
        bagit.Bag(str(path)).validate(processes=1)
    except bagit.BagValidationError as exc:
        details = "; ".join(str(d) for d in getattr(exc, "details", [])[:10])
        raise BagError(f"bag {path} does not verify: {exc.message}" + (f" ({details})" if details else "")) from None
    except (bagit.BagError, UnicodeError, ValueError, OSError) as exc:
        raise BagError(f"{path} is not a readable bag: {exc}") from None


def load_bag(path: str | os.PathLike[str]) -> Catalogue:
    """The records of a bag (verified first), read back from its schema.org N-Triples."""
    verify_bag(path)
    return from_graph(read_graph(Path(path) / "data" / "records" / "schema.nt"))
