"""Moving the stored clock: `tick` to a given time, `run` with the wall clock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from ..domain.durations import span
from ..domain.events import ProtocolEvent, iso_z
from . import unit_of_work
from .reads.status import clock as stored_clock
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
"""How far the wall clock may stray from the time that has passed (`uptime`) before it is
taken for a jump of the host's clock."""


BOOTTIME: int | None = getattr(time, "CLOCK_BOOTTIME", None)


def uptime() -> float:
    """Seconds on a clock that only moves forward, through a suspended host too (Linux's
    `CLOCK_BOOTTIME`; elsewhere the monotonic clock)."""
    return time.clock_gettime(BOOTTIME) if BOOTTIME is not None else time.monotonic()


class SteadyClock:
    """The host's wall clock, held to the time that passes: what a long-lived process
    reads (`run`'s ticks, the server's stamp on each report it receives).

    The host's clock is an input like any other. Set days ahead (a virtual machine
    restored with a stale clock, a bad time server), it would fire at once every
    deadline in between (overdue alerts, quiet closes) into the audit log and the
    parties' notifications, none of which can be taken back. So the wall clock may stray
    at most `JUMP` from the time `uptime` says has passed since it was last taken as
    right (time servers' slow corrections move both alike; a step moves only the wall
    clock). A step ahead beyond that is not followed: time goes on at the uptime's pace,
    `say` is told once, and `ahead` says by how much, until the wall clock is back in
    step or `accept` takes it as right. A step back is followed: the stored clock, which
    never goes back, waits for it.
    """

    def __init__(
        self,
        wall: Clock | None = None,
        monotonic: Callable[[], float] = uptime,
        say: Callable[[str], None] = lambda _: None,
    ) -> None:
        self._wall = wall if wall is not None else WallClock()
        self._monotonic, self._say = monotonic, say
        self._anchor: tuple[datetime, float] | None = None
        """A wall-clock time taken as right, and `monotonic` then."""
        self.ahead = timedelta(0)
        """How far the wall clock is ahead of the time kept, while it is not followed."""
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:  # a server's threads read it at once
            return self._read()

    def _read(self) -> datetime:
        wall, up = self._wall.now(), self._monotonic()
        if self._anchor is None:
            self._anchor = (wall, up)
            return wall
        at, then = self._anchor
        kept = at + timedelta(seconds=up - then)
        if wall - kept > JUMP:
            if not self.ahead:
                self._say(
                    f"the wall clock ({_shown(wall)}) jumped {span(wall - kept)} ahead of the "
                    f"time this host's uptime keeps ({_shown(kept)}): not followed; time goes "
                    "on at the uptime's pace"
                )
            self.ahead = wall - kept
            return kept
        if kept - wall > JUMP:
            self._say(f"the wall clock went back {span(kept - wall)}")
            self._anchor = (wall, up)
        if self.ahead:
            self.ahead = timedelta(0)
            self._say("the wall clock is in step again")
        return wall

    def accept(self) -> None:
        """Take the wall clock as right from now on (a person has said so)."""
        with self._lock:
            self._anchor, self.ahead = None, timedelta(0)


def ahead_of_time(clock: Clock) -> timedelta:
    """How far the host's clock has jumped ahead of the time `clock` goes by (zero for a
    clock that is not a `SteadyClock`: a test's, set by hand)."""
    return clock.ahead if isinstance(clock, SteadyClock) else timedelta(0)


class Pace:
    """Where `run` may move the stored clock: to the `SteadyClock`'s time, and when it
    starts, only if the stored clock is at most `catch_up` behind it (None: however far).

    Further behind, `run` waits for a person to move it (`ceasewatch tick --until`) and
    says so; so too while the wall clock has jumped ahead. A person who moves the stored
    clock to the wall clock (within `JUMP`) has taken it as right, and `run` follows it
    from there.
    """

    def __init__(
        self,
        catch_up: timedelta | None = CATCH_UP,
        clock: SteadyClock | None = None,
        say: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.catch_up, self._say = catch_up, say
        self.clock = clock if clock is not None else SteadyClock(say=say)
        self.started = False
        self._told = False

    def target(self, stored: datetime | None) -> datetime | None:
        """Where to move the stored clock (at `stored`) now; None: nowhere until a person
        moves it."""
        now = self.clock.now()
        if not self.started:
            if stored is None or self.catch_up is None or now - stored <= self.catch_up:
                self.started = True
                return self._moving(now, "moving with the wall clock")
            self._tell(
                f"not moved: the wall clock ({_shown(now)}) is {span(now - stored)} ahead of "
                f"the stored clock ({_shown(stored)}), more than --catch-up "
                f"{span(self.catch_up)}; moving it there would fire every deadline in "
                "between at once. If the wall clock is right, move it: ceasewatch tick "
                f"--until {_shown(now)}"
            )
            return None
        if not self.clock.ahead:
            return self._moving(now, None)  # the clock has said it is in step again
        wall = now + self.clock.ahead
        if stored is not None and stored >= wall - JUMP:  # a person moved it there
            self.clock.accept()
            return self._moving(self.clock.now(), "the wall clock taken as right: moving with it")
        self._tell(
            "if the wall clock is right, move the stored clock to it: ceasewatch tick "
            f"--until {_shown(wall)}"
        )
        return now

    def _moving(self, to: datetime, words: str | None) -> datetime:
        if self._told:
            self._told = False
            if words is not None:
                self._say(words)
        return to

    def _tell(self, words: str) -> None:
        if not self._told:
            self._told = True
            self._say(words)


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
    may go (`Pace`: by default, `clock` held to the time that passes, and a catch-up of
    at most `CATCH_UP` at the start); what it holds back is told to `on_failure` too.
    """
    if pace is None:
        pace = Pace(clock=SteadyClock(clock, say=on_failure), say=on_failure)
    wait = interval
    stored: datetime | None = None
    while keep_going():
        try:
            if not pace.started:
                stored = stored_clock(system)
            until = pace.target(stored)
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


def _first_line(exc: Exception) -> str:
    """The first line of the driver's own words (`reason`)."""
    said = reason(exc)
    return said.splitlines()[0] if said else type(exc).__name__
