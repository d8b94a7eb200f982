"""Importers: files of reports into the report record; one folder for every format.

- `files.py`: the one file opener (stdin, gzip, UTF-8 and its byte-order mark, errors
  that name the file);
- `records.py`: the report record itself, as JSONL or CSV (what `ingest` reads);
- `rows.py`: a table row by row, and what becomes of each row: a report, a rejection
  (file, line, id, field and why) or a skip (a row its mapping says is no violation);
- `mapping.py`: a format's YAML mapping (shipped in `mappings/`, a user's merged over);
- `formats.py`: the table of mapped formats, from which the `import` commands, `replay
  --format` and the import service are made;
- one module per mapped format (`acled.py`, `ucdp.py`, `air_attacks.py`, the generic
  `csv_mapping.py`), and `plans.py`: what an import stores and withdraws.

This package's top imports only the table (standard library): `ceasewatch --help`
reads it.
"""

from __future__ import annotations

from .formats import FORMATS, Format, Switch, in_words, mapping_for, read

__all__ = ["FORMATS", "Format", "Switch", "in_words", "mapping_for", "read"]
