"""How much the store holds, and the stored clock."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from ...store.database import reading
from ...store.queries import status as rows
from ..system import System
from .models import Stats


def stats(system: System) -> Stats:
    """Rows of each kind: reports, incidents, cases, pending timers, events, audit entries,
    ceasefires."""
    with reading(system.db) as conn:
        return cast(Stats, rows.stats(conn))


def clock(system: System) -> datetime | None:
    """The stored clock: None until the first report or tick."""
    with reading(system.db) as conn:
        return rows.clock(conn)
