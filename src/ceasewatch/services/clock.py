"""Moving the stored clock: `tick` to a given time, `run` with the wall clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from ..bootstrap import System
from ..domain.events import ProtocolEvent

Stored = list[tuple[str, ProtocolEvent]]
"""Protocol events with the ceasefire each is for."""


class Clock(Protocol):
    def now(self) -> datetime: ...


class WallClock:
    """The only place ceasewatch reads the wall clock: live mode's ticks."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def tick(system: System, until: datetime) -> Stored:
    """Advance the stored clock to `until`, firing every timer due by then, once."""
    with system.engines.transaction() as batch:
        batch.advance(until)
        return list(batch.events)


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
