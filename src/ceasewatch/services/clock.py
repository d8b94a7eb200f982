"""Moving the stored clock: `tick` to a given time, `run` with the wall clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from ..domain.events import ProtocolEvent
from . import unit_of_work
from .system import System

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


def run(
    system: System,
    clock: Clock,
    *,
    interval: float = 1.0,
    keep_going: Callable[[], bool] = lambda: True,
    on_events: Callable[[Stored], None] = lambda _: None,
    after_tick: Callable[[], None] = lambda: None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Live mode: tick to the clock's time every `interval` seconds until told to stop.

    A timer that fell due while no process ran fires at the first tick, once; several
    `run` processes on one database share the work and never fire a timer twice.
    """
    while keep_going():
        events = tick(system, clock.now())
        if events:
            on_events(events)
        after_tick()
        if keep_going():
            sleep(interval)
