"""Moving the stored clock: `tick` to a given time, `run` with the wall clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from ..domain.durations import span
from ..domain.events import ProtocolEvent, iso_z
from ..store.database import reading
from ..store.queries import status
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


CATCH_UP = timedelta(hours=1)
"""How far behind the wall clock `run` finds the stored clock and still moves it there
by itself when it starts (`--catch-up`)."""
JUMP = timedelta(minutes=1)
"""How far the wall clock may stray from the time that has passed (`uptime`) before `run`
takes it for a jump of the host's clock."""


BOOTTIME: int | None = getattr(time, "CLOCK_BOOTTIME", None)


def uptime() -> float:
    """Seconds on a clock that only moves forward, through a suspended host too (Linux's
    `CLOCK_BOOTTIME`; elsewhere the monotonic clock)."""
    return time.clock_gettime(BOOTTIME) if BOOTTIME is not None else time.monotonic()


class Pace:
    """Where `run` may move the stored clock: to the wall clock, so long as the wall clock
    keeps pace with time passing.

    The host's clock is an input like any other: set days ahead (a virtual machine
    restored with a wrong clock, a bad time server), it would make `run` fire at once
    every deadline in between (overdue alerts, quiet closes) into the audit log and the
    parties' notifications, none of which can be taken back. Going back, it only holds
    the stored clock, which never goes back, until it catches up.

    - When `run` starts, it moves the stored clock to the wall clock if it is at most
      `catch_up` behind (None: however far); further, it waits for a person to move it
      (`ceasewatch tick --until`), and says so.
    - From then on, the wall clock may stray at most `JUMP` from the time `uptime` says
      has passed (the time servers' slow corrections move both alike; a step moves only
      the wall clock). A wall clock that jumps further ahead is not followed: the stored
      clock goes on at `uptime`'s pace, and `run` says so, until the wall clock is back
      in step or a person has moved the stored clock to it.
    """

    def __init__(
        self,
        catch_up: timedelta | None = CATCH_UP,
        monotonic: Callable[[], float] = uptime,
        say: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.catch_up, self._monotonic, self._say = catch_up, monotonic, say
        self._anchor: tuple[datetime, float] | None = None
        """A wall-clock time taken as right, and `monotonic` then (None: not started)."""
        self._held = False

    @property
    def started(self) -> bool:
        return self._anchor is not None

    def target(self, wall: datetime, stored: datetime | None) -> datetime | None:
        """Where to move the stored clock (at `stored`) now that the wall clock reads
        `wall`; None: nowhere until a person moves it."""
        now = self._monotonic()
        if self._anchor is None:
            if stored is None or self.catch_up is None or wall - stored <= self.catch_up:
                return self._follow(wall, now)
            self._hold(
                f"not moved: the wall clock ({_shown(wall)}) is {span(wall - stored)} ahead of "
                f"the stored clock ({_shown(stored)}), more than --catch-up "
                f"{span(self.catch_up)}; moving it there would fire every deadline in "
                "between at once. If the wall clock is right, move it: ceasewatch tick "
                f"--until {_shown(wall)}"
            )
            return None
        at, then = self._anchor
        steady = at + timedelta(seconds=now - then)
        if wall - steady <= JUMP:
            if steady - wall > JUMP:
                back = span(steady - wall)
                self._say(f"the wall clock went back {back}: the stored clock waits for it")
                return self._follow(wall, now)
            return self._follow(wall, now, anchor=False)
        if stored is not None and stored >= wall - JUMP:  # a person moved it there
            return self._follow(wall, now)
        self._hold(
            f"the wall clock ({_shown(wall)}) jumped {span(wall - steady)} ahead of the time "
            f"this host's uptime keeps ({_shown(steady)}): not followed; the stored clock "
            "goes on at the uptime's pace. If the wall clock is right, move the stored "
            f"clock to it: ceasewatch tick --until {_shown(wall)}"
        )
        return steady

    def _follow(self, wall: datetime, now: float, anchor: bool = True) -> datetime:
        if anchor:
            self._anchor = (wall, now)
        if self._held:
            self._held = False
            self._say("moving with the wall clock again")
        return wall

    def _hold(self, why: str) -> None:
        if not self._held:
            self._held = True
            self._say(why)


def _shown(at: datetime) -> str:
    """An instant as a person reads it and types it back (`tick --until`): to the second."""
    return iso_z(at.replace(microsecond=0))


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
    pace: Pace | None = None,
) -> None:
    """Live mode: tick to the clock's time every `interval` seconds until told to stop.

    A timer that fell due while no process ran fires at the first tick, once; several
    `run` processes on one database share the work and never fire a timer twice. A
    database that cannot be reached for a while (restarted, cut off) is ridden out, as
    the sender rides it out beside the clock: each failed try is told to `on_failure`,
    and the next comes after twice the last wait, at most `OUTAGE_WAIT`; the first tick
    that succeeds fires what fell due meanwhile, once. `pace` says how far each tick
    may go (`Pace`: by default, a catch-up of at most `CATCH_UP` at the start, and no
    jump of the wall clock followed); what it holds back is told to `on_failure` too.
    """
    pace = pace if pace is not None else Pace(say=on_failure)
    wait = interval
    stored: datetime | None = None
    while keep_going():
        try:
            if not pace.started:
                stored = _stored_clock(system)
            until = pace.target(clock.now(), stored)
            if until is not None:
                ticked = advance_to(system, until)
                stored = ticked.end
                if ticked.events:
                    on_events(ticked.events)
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


def _stored_clock(system: System) -> datetime | None:
    with reading(system.db) as conn:
        return status.clock(conn)


def _first_line(exc: Exception) -> str:
    """The first line of the driver's own words (`reason`)."""
    said = reason(exc)
    return said.splitlines()[0] if said else type(exc).__name__
