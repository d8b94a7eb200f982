"""How much the store holds, and the stored clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ...store.database import reading
from ...store.queries import status as rows
from ..system import System


def stats(system: System) -> dict[str, int]:
    """Rows of each kind: reports, incidents, cases, pending timers, events, audit entries,
    ceasefires."""
    with reading(system.db) as conn:
        return rows.stats(conn)


def clock(system: System) -> datetime | None:
    """The stored clock: None until the first report or tick."""
    with reading(system.db) as conn:
        return rows.clock(conn)


@dataclass(frozen=True)
class Counts:
    counts: dict[str, int]
    """Rows of each kind (see `stats`)."""
    clock: datetime | None


def counts(system: System) -> Counts:
    """The counts and the stored clock, from one read."""
    with reading(system.db) as conn:
        return Counts(rows.stats(conn), rows.clock(conn))
