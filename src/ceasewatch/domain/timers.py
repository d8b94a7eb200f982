"""The engine's clock and its timers: deadlines, overdue alerts, escalation, quiet close.

Event time only: the clock moves with the arrivals and ticks the engine is given and
never reads the wall clock. At one instant, timers fire in `TimerKind` order, and before
the arrivals of that instant.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Protocol

from . import events as ev
from .cases import Case
from .state import State


class TimerKind(IntEnum):
    """Timers due at one instant fire in this order."""

    DEADLINE = 0
    ESCALATION = 1
    QUIET = 2
    REALERT = 3


@dataclass(frozen=True, order=True, slots=True)
class Timer:
    due: datetime
    kind: TimerKind
    case_seq: int
    case: str
    action: str = ""


class TimerQueue:
    """The timers not fired yet, soonest first."""

    def __init__(self) -> None:
        self.heap: list[Timer] = []

    def __len__(self) -> int:
        return len(self.heap)

    def schedule(self, timer: Timer) -> None:
        heapq.heappush(self.heap, timer)


class CaseTimers(Protocol):
    """What a timer does to a case when it fires (see `case_rules.CaseRules`)."""

    def check_escalation(self, case: Case) -> None: ...

    def close(self, case: Case, at: datetime, reason: str) -> None: ...


class Timekeeper:
    """Moves the clock and fires the timers due: an action overdue (and again on the
    policy's interval), the wait before phase 3 over, a case quiet long enough to close."""

    def __init__(self, state: State, queue: TimerQueue, cases: CaseTimers) -> None:
        self._state = state
        self._queue = queue
        self._cases = cases
        self._quiet = state.policy.close.quiet
        self._realert = state.policy.alerts.repeat_overdue

    def move_to(self, until: datetime) -> None:
        """Fire every timer due by `until`, then stand the clock there (it never goes back)."""
        heap, state = self._queue.heap, self._state
        if heap and heap[0].due <= until:
            self.fire_due(until)
        if state.now is None or until > state.now:
            state.now = until

    def fire_due(self, until: datetime) -> None:
        heap, state = self._queue.heap, self._state
        while heap and heap[0].due <= until:
            timer = heapq.heappop(heap)
            state.now = timer.due if state.now is None else max(state.now, timer.due)
            self._fire(timer)

    def fire_due_now(self) -> None:
        """Fire what an input just made due by the clock (see `Engine._flush`)."""
        heap, now = self._queue.heap, self._state.now
        if heap and now is not None and heap[0].due <= now:
            self.fire_due(now)

    def run_out(self) -> None:
        """Let the clock run until no timer is pending (the end of a replay)."""
        heap = self._queue.heap
        while heap:
            self.fire_due(heap[0].due)

    def pending(self) -> list[Timer]:
        """The timers that can still do something: their case open, their action undone."""
        return sorted({t for t in self._queue.heap if self._live(t)})

    def _live(self, timer: Timer) -> bool:
        case = self._state.cases[timer.case]
        if not case.is_open:
            return False
        deadline = timer.kind in (TimerKind.DEADLINE, TimerKind.REALERT)
        action = case.action(timer.action) if deadline else None
        return action is None or not action.done

    def _fire(self, timer: Timer) -> None:
        state = self._state
        case = state.cases[timer.case]
        if not case.is_open:
            return
        if timer.kind is TimerKind.DEADLINE:
            action = next(a for a in case.actions if a.id == timer.action)
            if not action.done and action.overdue_at is None:
                action.overdue_at = state.clock
                state.emit(
                    case,
                    ev.ACTION_OVERDUE,
                    action=action.id,
                    phase=action.phase,
                    due=ev.iso_z(timer.due),
                    owners=action.owners,
                )
                self._schedule_realert(timer, case)
        elif timer.kind is TimerKind.REALERT:
            action = next(a for a in case.actions if a.id == timer.action)
            if not action.done:
                assert action.due is not None
                state.emit(
                    case,
                    ev.ACTION_STILL_OVERDUE,
                    action=action.id,
                    phase=action.phase,
                    due=ev.iso_z(action.due),
                    owners=action.owners,
                )
                self._schedule_realert(timer, case)
        elif timer.kind is TimerKind.ESCALATION:
            self._cases.check_escalation(case)
        else:
            self._quiet_close(timer, case)

    def _quiet_close(self, timer: Timer, case: Case) -> None:
        """Rule 4: close a case quiet since its last violation; or wait on, if one came."""
        assert case.last_violation is not None
        due = case.last_violation + self._quiet
        if due > timer.due:
            self._queue.schedule(Timer(due, TimerKind.QUIET, timer.case_seq, case.id))
        else:
            self._cases.close(case, self._state.clock, "quiet")

    def _schedule_realert(self, timer: Timer, case: Case) -> None:
        """The next alert, one interval after this one was raised (not after it was due:
        a deadline learnt of late is alerted once, then on the interval)."""
        if self._realert is not None:
            due = self._state.clock + self._realert
            self._queue.schedule(
                Timer(due, TimerKind.REALERT, timer.case_seq, case.id, timer.action)
            )
