"""Stored reports as the API pages through them."""

from __future__ import annotations

from datetime import datetime

from ...store.database import reading
from ...store.paging import Page
from ...store.queries import report_rows as rows
from ..system import System
from .models import ReportRecord


def page(
    system: System,
    *,
    after: int = 0,
    limit: int = 100,
    since: datetime | None = None,
    until: datetime | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    event_type: str | None = None,
    source: str | None = None,
    status: str | None = None,
    ceasefire: str | None = None,
) -> Page[ReportRecord]:
    """Stored reports in journal order after `after`, filtered, each with its `seq` and
    as rule 6 weighed it: at most `limit`, and fewer where their bodies pass `PAGE_BYTES`
    (`more` says whether more may follow). `status` is the status of the incident holding
    the report (in `ceasefire`, or in any)."""
    with reading(system.db) as conn:
        return rows.report_page(
            conn,
            after=after,
            limit=limit,
            since=since,
            until=until,
            bbox=bbox,
            event_type=event_type,
            source=source,
            status=status,
            ceasefire=ceasefire,
        )
