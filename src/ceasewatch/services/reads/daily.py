"""What the daily situation report (`ceasewatch.reports.daily`) reads: one read
transaction, opened here, in which the report asks for the ceasefires, the stored clock,
the incidents of a period with their first reports, the cases open at its cut-off, and
the records of the reports it quotes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, cast

from sqlalchemy.engine import Connection

from ...store import exports
from ...store.database import reading
from ...store.queries import case_rows, directory, report_rows, status
from ..system import System
from .models import ActionRow, CaseRow, CeasefireRow, ReportRecord


class DailyReads:
    """The report's questions, answered from one state of the store."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def ceasefires(self) -> list[CeasefireRow]:
        return [cast(CeasefireRow, dict(r)) for r in directory.ceasefires(self._conn)]

    def clock(self) -> datetime | None:
        return status.clock(self._conn)

    def incidents(
        self, *, ceasefire: str, since: datetime, until: datetime
    ) -> Iterator[dict[str, Any]]:
        """The ceasefire's incidents that occurred in [since, until), by time, streamed,
        each with its first report's record as `first_report`."""
        where = exports.Filter(since=since, until=until, ceasefire=ceasefire)
        return exports.incidents(self._conn, where)

    def cases_open_at(
        self, ceasefire: str, cutoff: datetime
    ) -> list[tuple[CaseRow, list[ActionRow]]]:
        """The cases open at the cut-off, each with all its actions."""
        return cast(
            list[tuple[CaseRow, list[ActionRow]]],
            case_rows.cases_open_at(self._conn, ceasefire, cutoff),
        )

    def reports(self, keys: list[list[str]]) -> list[ReportRecord]:
        """The records of the reports named by [source, id], in that order."""
        return report_rows.reports(self._conn, keys)


@contextmanager
def daily_reads(system: System) -> Iterator[DailyReads]:
    """The report's reads, from one read transaction."""
    with reading(system.db) as conn:
        yield DailyReads(conn)
