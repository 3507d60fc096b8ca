"""Formats and the writers (one per format), parsing, catalogue files, atomic writes and staged folders.
"""

from __future__ import annotations

from ._atomic import (publish_file, replace_dir, replaceable, spill_dir, staging_dir, temp_beside, usual_mode,
                      write_atomic)
from ._fastwrite import (grouped, writer_for)
from ._quads import rdf_quads
from ._load import (catalogue_data, catalogue_from_data, CATALOGUE_SUFFIXES, is_jsonld_file, jsonl_record,
                    JSONL_SUFFIXES, load_catalogue, read_data, TranscriptFolder)
from ._writers import (dump, dumps, EXTENSIONS, format_name, format_of_suffix, jsonld_context, parse, read_graph,
                       serialize)

__all__ = ["catalogue_data", "catalogue_from_data", "CATALOGUE_SUFFIXES", "dump", "dumps", "EXTENSIONS",
    "format_name", "format_of_suffix", "grouped", "is_jsonld_file", "jsonl_record", "JSONL_SUFFIXES",
    "jsonld_context", "load_catalogue", "parse", "publish_file", "rdf_quads", "read_data", "read_graph", "replace_dir",
    "replaceable", "serialize", "spill_dir", "staging_dir", "temp_beside", "TranscriptFolder", "usual_mode",
    "write_atomic", "writer_for"]
