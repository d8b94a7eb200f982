"""The stored clock beside the wall clock: what deadlines are counted against, and whether
a live ticker keeps it on time.

Deadlines shown to people are counted against the stored clock, the time the protocol has
reached (DESIGN, "Live time"). Without `ceasewatch run` nothing moves it between reports,
and a replayed or demo database stands months behind the wall clock: what it shows is then
true as of its clock, and pages say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..store import queries
from ..store.database import reading
from .system import System

if TYPE_CHECKING:  # services.clock imports reads.status, which imports this module
    from .clock import Clock

LAG_ALLOWED = timedelta(minutes=1)
"""How far the stored clock may lag (or lead) the wall clock before pages say so: a live
ticker keeps it within a second or two."""


@dataclass(frozen=True, slots=True)
class ClockLag:
    clock: datetime | None
    """The stored clock; None until the first report or tick."""
    wall: datetime

    @property
    def now(self) -> datetime:
        """What deadlines are counted against: the stored clock (once it has started)."""
        return self.clock if self.clock is not None else self.wall

    @property
    def lag_s(self) -> float | None:
        """Seconds the stored clock is behind the wall clock (negative: ahead of it)."""
        return None if self.clock is None else (self.wall - self.clock).total_seconds()

    @property
    def stalled(self) -> bool:
        """No live ticker: the clock has not started, or lags by more than allowed."""
        return self.clock is None or self.wall - self.clock > LAG_ALLOWED

    @property
    def ahead(self) -> bool:
        """Ticked past the wall clock (a what-if database)."""
        return self.clock is not None and self.clock - self.wall > LAG_ALLOWED


def clock_lag(system: System, wall: Clock) -> ClockLag:
    with reading(system.db) as conn:
        stored = queries.clock(conn)
    return ClockLag(stored, wall.now())
