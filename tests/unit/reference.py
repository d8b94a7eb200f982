"""DESIGN's rules 1-5 and 7, written out again as plainly as they read, for trusted input.

A second reading of the rules, slow and without the engine's indexes, heaps or caches:
every report is a verified incident at its arrival; the clock moves from arrival to
arrival, and before and after each one every timer due by then fires, oldest first (at
one instant: the phase-3 check before the quiet close; between cases, the older case
first). It gives the key events (`case_opened`, `phase_recommended`, `case_closed`) and
`defensive_response`, as `(at, event, violator, detail)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ceasewatch.domain.geo import haversine_km
from ceasewatch.domain.reports import Report

H24, H72 = timedelta(hours=24), timedelta(hours=72)
BROAD_TYPES = {"missile_strike", "air_strike"}


@dataclass(eq=False)
class Violation:
    report: Report
    order: int
    """When it became known, among all violations."""
    broad: bool = False

    @property
    def at(self) -> datetime:
        return self.report.occurred_at


@dataclass(eq=False)
class Case:
    violator: str
    opened: datetime
    seq: int
    violations: list[Violation] = field(default_factory=list)
    recommended: set[int] = field(default_factory=set)
    open: bool = True
    waited: bool = False
    """Whether the phase-3 check at opened + 72 h has run."""

    @property
    def last(self) -> datetime:
        return max(v.at for v in self.violations)


class Reference:
    def __init__(self, parties: list[str], effective_from: datetime) -> None:
        self.parties, self.effective_from = set(parties), effective_from
        self.cases: list[Case] = []
        self.history: list[Violation] = []
        self.out: list[tuple[datetime, str, str, object]] = []
        self.now: datetime | None = None

    def run(self, reports: list[Report]) -> list[tuple[datetime, str, str, object]]:
        seen: set[tuple[str, str]] = set()
        ordered = sorted(reports, key=lambda r: (r.arrival, r.occurred_at, r.source, r.id))
        for report in ordered:
            if report.key in seen:
                continue
            seen.add(report.key)
            self.fire_until(report.arrival)
            self.now = max(self.now or report.arrival, report.arrival)
            self.take(report)
            self.fire_until(self.now)
        self.fire_until(None)
        return self.out

    # -- the timers: the phase-3 check at opened + 72 h, the quiet close -----------------

    def next_timer(self) -> tuple[datetime, int, int, Case] | None:
        due = []
        for case in self.cases:
            if not case.open:
                continue
            if not case.waited:
                due.append((case.opened + H72, 1, case.seq, case))
            due.append((case.last + H72, 2, case.seq, case))
        return min(due, key=lambda d: d[:3], default=None)

    def fire_until(self, until: datetime | None) -> None:
        while (timer := self.next_timer()) is not None:
            at, kind, _, case = timer
            if until is not None and at > until:
                return
            self.now = max(self.now or at, at)
            if kind == 1:
                case.waited = True
                self.check_phase_3(case)
            else:
                case.open = False
                self.emit(case, "case_closed", None)

    # -- an arrival --------------------------------------------------------------------

    def take(self, report: Report) -> None:
        v = report.perpetrator
        if v not in self.parties or report.occurred_at < self.effective_from:
            return
        answered = self.answered(report)
        if answered is not None:
            case, breach = answered
            self.emit(case, "defensive_response", breach.report.id)
            return
        violation = Violation(report, len(self.history))
        self.history.append(violation)
        self.grade(v)
        case = next((c for c in self.cases if c.open and c.violator == v), None)
        if case is None:
            case = Case(v, report.occurred_at, len(self.cases) + 1, [violation])
            self.cases.append(case)
            self.emit(case, "case_opened", 1)
            return
        case.violations.append(violation)
        if 2 not in case.recommended and violation.at > case.opened + H24:
            case.recommended.add(2)
            self.emit(case, "phase_recommended", 2)
        self.check_phase_3(case)

    def answered(self, report: Report) -> tuple[Case, Violation] | None:
        """Rule 7: the other side's fire near one of an open case's violations and soon
        after it, of no excluded type or target: the oldest such case, its nearest one."""
        if report.event_type in BROAD_TYPES or report.target == "civilian":
            return None
        for case in self.cases:
            if not case.open or case.violator == report.perpetrator:
                continue
            near = []
            for breach in case.violations:
                if not breach.at <= report.occurred_at <= breach.at + H24:
                    continue
                gap = haversine_km(report.lat, report.lon, breach.report.lat, breach.report.lon)
                gap -= precision(report) + precision(breach.report)
                if max(gap, 0.0) <= 15:
                    near.append((max(gap, 0.0), breach.order, breach))
            if near:
                return case, min(near, key=lambda n: n[:2])[2]
        return None

    def grade(self, violator: str) -> None:
        """Rule 5: broad by type or casualties, or the violator's 10th (or later)
        violation within a trailing 24 h (ties in time: in the order they became known)."""
        mine = [v for v in self.history if v.report.perpetrator == violator]
        for v in mine:
            r = v.report
            rank = 1 + sum(
                1
                for w in mine
                if w is not v and (v.at - H24 < w.at < v.at or (w.at == v.at and w.order < v.order))
            )
            v.broad = (
                v.broad
                or r.event_type in BROAD_TYPES
                or (r.killed or 0) + (r.injured or 0) >= 10
                or rank >= 10
            )

    def check_phase_3(self, case: Case) -> None:
        now = self.now
        assert now is not None
        if (
            3 in case.recommended
            or not case.open
            or now < case.opened + H72
            or not any(v.broad for v in case.violations)
            or not any(now - H24 < v.at <= now for v in case.violations)
        ):
            return
        case.recommended.add(3)
        self.emit(case, "phase_recommended", 3)

    def emit(self, case: Case, event: str, detail: object) -> None:
        assert self.now is not None
        self.out.append((self.now, event, case.violator, detail))


def precision(report: Report) -> float:
    return (report.location_precision_m or 0) / 1000
