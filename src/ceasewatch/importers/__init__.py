"""Importers: other people's tables onto the report record, one module per format.

Each reads its file as a stream, row by row, and yields for each row a report, a
rejection (file, line, id, field and why) or a skip (a row its mapping says is no
violation). How a format's columns become the record is a YAML mapping that ships with
the importer and that a user may override (`mapping.py`; docs/data.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from . import acled, air_attacks, csv_mapping, ucdp
from .mapping import MappingError, load, shipped_text
from .rows import Progress, Record, Skipped, file_size

__all__ = [
    "FORMATS",
    "Format",
    "MappingError",
    "Record",
    "Skipped",
    "file_size",
    "mapping_for",
    "read",
    "shipped_text",
]


@dataclass(frozen=True)
class Format:
    name: str
    model: type[BaseModel]
    reader: Callable[[str, Any, Progress | None], Iterator[Record]]
    shipped: bool
    """Whether a mapping ships with it (the generic CSV importer needs the user's)."""
    curated: bool
    """Curated data: each record is a verified incident unless told otherwise."""


FORMATS = {
    f.name: f
    for f in (
        Format("acled", acled.AcledMapping, acled.read, shipped=True, curated=True),
        Format("ucdp", ucdp.UcdpMapping, ucdp.read, shipped=True, curated=True),
        Format(
            "air-attacks",
            air_attacks.AirAttacksMapping,
            air_attacks.read,
            shipped=True,
            curated=True,
        ),
        Format("csv", csv_mapping.CsvMapping, csv_mapping.read, shipped=False, curated=False),
    )
}


def mapping_for(fmt: str, override: Path | None = None) -> BaseModel:
    """The format's mapping: the shipped one with `override` merged over it."""
    spec = FORMATS[fmt]
    if not spec.shipped and override is None:
        raise MappingError(f"a {fmt} import needs --mapping: which column is which field")
    return load(spec.model, fmt if spec.shipped else None, override)


def read(
    fmt: str,
    path: str,
    mapping: BaseModel | None = None,
    on_progress: Progress | None = None,
) -> Iterator[Record]:
    """Each row of `path` as a report, a rejection or a skip."""
    spec = FORMATS[fmt]
    chosen = mapping if mapping is not None else mapping_for(fmt)
    return spec.reader(path, chosen, on_progress)
