"""Exports of incidents, cases or reports (see `ceasewatch.export_formats`), streamed from one
read transaction."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import IO

from ... import export_formats
from ...store.database import reading
from ...store.exports import Filter
from ..system import System


def export(
    system: System,
    kind: str,
    fmt: str,
    out: IO[str] | Path,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    ceasefire: str | None = None,
) -> int:
    """Write the `kind` rows the filters let through to `out` in `fmt`; how many."""
    where = Filter(since=since, until=until, bbox=bbox, ceasefire=ceasefire)
    with reading(system.db) as conn:
        return export_formats.write(conn, kind, fmt, where, out)
