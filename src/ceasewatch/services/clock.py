"""Moving the stored clock: `tick` to a given time, `run` with the wall clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from ..domain.events import ProtocolEvent
from . import unit_of_work
from .system import UNREACHABLE, System, reason

Stored = list[tuple[str, ProtocolEvent]]
"""Protocol events with the ceasefire each is for."""


class Clock(Protocol):
    def now(self) -> datetime: ...


class WallClock:
    """The only place ceasewatch reads the wall clock: live mode's ticks."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Ticked:
    """What one tick did: the stored clock before and after it, and the events it fired."""

    start: datetime | None
    end: datetime | None
    events: Stored


def advance_to(system: System, until: datetime) -> Ticked:
    """Advance the stored clock to `until` (never back), firing every timer due by then,
    once; says from where to where it went."""
    with unit_of_work.protocol(system) as batch:
        start = batch.now
        batch.advance(until)
        return Ticked(start, batch.now, list(batch.events))


def tick(system: System, until: datetime) -> Stored:
    """Advance the stored clock to `until`, firing every timer due by then, once."""
    return advance_to(system, until).events


OUTAGE_WAIT = 30.0
"""The longest `run` waits between tries while the database cannot be reached."""


def run(
    system: System,
    clock: Clock,
    *,
    interval: float = 1.0,
    keep_going: Callable[[], bool] = lambda: True,
    on_events: Callable[[Stored], None] = lambda _: None,
    after_tick: Callable[[], None] = lambda: None,
    on_failure: Callable[[str], None] = lambda _: None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Live mode: tick to the clock's time every `interval` seconds until told to stop.

    A timer that fell due while no process ran fires at the first tick, once; several
    `run` processes on one database share the work and never fire a timer twice. A
    database that cannot be reached for a while (restarted, cut off) is ridden out, as
    the sender rides it out beside the clock: each failed try is told to `on_failure`,
    and the next comes after twice the last wait, at most `OUTAGE_WAIT`; the first tick
    that succeeds fires what fell due meanwhile, once.
    """
    wait = interval
    while keep_going():
        try:
            events = tick(system, clock.now())
            if events:
                on_events(events)
            after_tick()
        except UNREACHABLE as exc:
            wait = min(max(wait, interval) * 2, max(OUTAGE_WAIT, interval))
            on_failure(
                f"the database could not be reached: {_first_line(exc)} (again in {wait:g} s)"
            )
        else:
            wait = interval
        if keep_going():
            sleep(wait)


def _first_line(exc: Exception) -> str:
    """The first line of the driver's own words (`reason`)."""
    said = reason(exc)
    return said.splitlines()[0] if said else type(exc).__name__
