"""The daily situation report: what the store knew at a fixed cut-off, for one ceasefire.

Windows are half-open and end at the cut-off: the last 24 h is [cut-off - 24 h, cut-off),
the day before is the 24 h before that, and the 7- and 30-day baselines are the daily
means over the 7 and 30 days before the last 24 h. "Since the ceasefire began" counts from
its `effective_from` to the cut-off.

A violation, here, is a verified incident (not rejected) that occurred in the ceasefire's
period and was verified by the cut-off: one the engine filed in a case, or one with no
perpetrator that falls in the ceasefire's zone and scope. Unattributed incidents count
in every table and on the map; they open no case. Rejections are as the store stands now
(an incident rejected after the cut-off is no longer counted).

A `revised` report counts what the store knows now about the days before the cut-off,
whenever it was verified: for data published late (ACLED's lag is days), where a report
at the cut-off would know little.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..config import ceasefire_from_dict
from ..domain.ceasefire import Ceasefire
from ..domain.events import iso_z
from ..domain.reports import EventType, Target
from ..domain.severity import Severity
from ..oblasts import Area, areas
from ..services.reads.daily import DailyReads, daily_reads
from ..services.system import System
from ..timezones import zone

DAY = timedelta(days=1)
UNATTRIBUTED = "unattributed"
SEVERAL = "Several oblasts (region-wide)"
OUTSIDE = "Outside Ukraine's oblasts"
NOTABLE = 10
SERIES_DAYS = 30


class ReportError(ValueError):
    """The report cannot be made as asked (no such ceasefire, several to choose from)."""


@dataclass(frozen=True)
class Windows:
    cutoff: datetime
    start: datetime
    """When the ceasefire began."""

    @property
    def day(self) -> tuple[datetime, datetime]:
        return self.cutoff - DAY, self.cutoff

    @property
    def previous(self) -> tuple[datetime, datetime]:
        return self.cutoff - 2 * DAY, self.cutoff - DAY

    def baseline(self, days: int) -> tuple[datetime, datetime]:
        return self.cutoff - (days + 1) * DAY, self.cutoff - DAY

    def days_in_force(self, days: int) -> float:
        """How much of a baseline's window the ceasefire was in force: its mean's divisor."""
        start, end = self.baseline(days)
        return max(0.0, (end - max(start, self.start)) / DAY)


@dataclass
class Tally:
    """Counts of one row of a table: a place, a type or a party."""

    last_24h: int = 0
    previous_24h: int = 0
    last_7d: int = 0
    """Over the 7 days before the last 24 h (the baseline is its daily mean)."""
    last_30d: int = 0
    total: int = 0

    @property
    def change(self) -> int:
        return self.last_24h - self.previous_24h


@dataclass(frozen=True)
class Violation:
    id: str
    occurred_at: datetime
    perpetrator: str | None
    event_types: list[str]
    severity: str
    killed: int
    injured: int
    lat: float
    lon: float
    area: str
    area_iso: str | None
    case: str | None
    reports: list[list[str]]

    @property
    def party(self) -> str:
        return self.perpetrator or UNATTRIBUTED


@dataclass(frozen=True)
class DueAction:
    id: str
    title: str
    owners: list[str]
    due: datetime | None
    overdue: bool


@dataclass(frozen=True)
class OpenCase:
    id: str
    violator: str
    phase: int
    severity: str
    opened: datetime
    last_violation: datetime | None
    settled: dict[int, str]
    actions: list[DueAction]


@dataclass(frozen=True)
class Source:
    source: str
    source_kind: str | None
    id: str
    text: str
    evidence: list[str]


@dataclass
class DailyReport:
    ceasefire: Ceasefire
    day: date
    tz: str
    windows: Windows
    clock: datetime | None
    revised: bool = False
    by_area: dict[str, Tally] = field(default_factory=dict)
    by_type: dict[str, Tally] = field(default_factory=dict)
    by_party: dict[str, Tally] = field(default_factory=dict)
    overall: Tally = field(default_factory=Tally)
    series: list[tuple[date, Counter[str]]] = field(default_factory=list)
    """Violations per local day, by party, up to the cut-off."""
    last_24h: list[Violation] = field(default_factory=list)
    open_cases: list[OpenCase] = field(default_factory=list)
    notable: list[tuple[Violation, list[Source]]] = field(default_factory=list)

    def mean(self, tally: Tally, days: int) -> float | None:
        """The daily mean of a baseline; None when the ceasefire had not begun by then."""
        span = self.windows.days_in_force(days)
        count = tally.last_7d if days == 7 else tally.last_30d
        return count / span if span > 0 else None

    @property
    def incomplete(self) -> bool:
        """The store's clock had not reached the cut-off: later news may still come."""
        return self.clock is None or self.clock < self.windows.cutoff

    @property
    def before_start(self) -> bool:
        """The cut-off comes before the ceasefire took effect: nothing can be counted."""
        return self.windows.cutoff <= self.ceasefire.effective_from

    @property
    def warning(self) -> str | None:
        """What a reader must know before the figures, or None."""
        if self.before_start:
            return (
                f"{self.day.isoformat()} is before {self.ceasefire.id} took effect "
                f"({iso_z(self.ceasefire.effective_from)}): there is nothing to count"
            )
        return None


def cutoff_of(day: date, tz: ZoneInfo, at: time | None) -> datetime:
    """The cut-off: `at` on `day` in local time, or (by default) the end of the day."""
    if at is None:
        return datetime.combine(day + DAY, time(), tz).astimezone(UTC)
    return datetime.combine(day, at, tz).astimezone(UTC)


def stored_ceasefire(reads: DailyReads, ceasefire_id: str | None) -> Ceasefire:
    stored = reads.ceasefires()
    if ceasefire_id is None:
        if len(stored) != 1:
            names = ", ".join(r["id"] for r in stored) or "none is stored"
            raise ReportError(f"which ceasefire? give --ceasefire ({names})")
        row = stored[0]
    else:
        found = [r for r in stored if r["id"] == ceasefire_id]
        if not found:
            raise ReportError(f"no ceasefire {ceasefire_id}")
        row = found[0]
    return ceasefire_from_dict(row["definition"], f"stored ceasefire {row['id']}")


def build(
    system: System,
    day: date,
    *,
    ceasefire: str | None = None,
    tz: str = "Europe/Kyiv",
    at: time | None = None,
    revised: bool = False,
) -> DailyReport:
    """The report of `day` (its cut-off: midnight after it, or `at` on it, in `tz`), from
    one state of the store."""
    with daily_reads(system) as reads:
        return compose(reads, day, ceasefire=ceasefire, tz=tz, at=at, revised=revised)


def compose(
    reads: DailyReads,
    day: date,
    *,
    ceasefire: str | None = None,
    tz: str = "Europe/Kyiv",
    at: time | None = None,
    revised: bool = False,
) -> DailyReport:
    cf = stored_ceasefire(reads, ceasefire)
    local = zone(tz)
    cutoff = cutoff_of(day, local, at)
    windows = Windows(cutoff, cf.effective_from)
    report = DailyReport(cf, day, tz, windows, reads.clock(), revised=revised)
    if cutoff <= cf.effective_from:
        return report
    daily: dict[date, Counter[str]] = defaultdict(Counter)
    known = violations(reads, cf, cutoff, revised=revised)
    for violation in known:
        _tally(report, windows, violation)
        daily[violation.occurred_at.astimezone(local).date()][violation.party] += 1
    first_day = max(cf.effective_from.astimezone(local).date(), day - timedelta(SERIES_DAYS - 1))
    report.series = [
        (first_day + timedelta(n), daily.get(first_day + timedelta(n), Counter()))
        for n in range((day - first_day).days + 1)
    ]
    report.open_cases = open_cases(reads, cf.id, cutoff, known)
    report.notable = notable(reads, report.last_24h)
    return report


def _tally(report: DailyReport, windows: Windows, violation: Violation) -> None:
    at = violation.occurred_at
    rows_ = [
        report.overall,
        report.by_area.setdefault(violation.area, Tally()),
        report.by_party.setdefault(violation.party, Tally()),
    ]
    rows_.extend(report.by_type.setdefault(t, Tally()) for t in violation.event_types)
    in_day = _within(at, windows.day)
    for tally in rows_:
        tally.total += 1
        tally.last_24h += in_day
        tally.previous_24h += _within(at, windows.previous)
        tally.last_7d += _within(at, windows.baseline(7))
        tally.last_30d += _within(at, windows.baseline(30))
    if in_day:
        report.last_24h.append(violation)


def _within(at: datetime, window: tuple[datetime, datetime]) -> bool:
    return window[0] <= at < window[1]


def violations(
    reads: DailyReads, cf: Ceasefire, cutoff: datetime, *, revised: bool = False
) -> list[Violation]:
    """The ceasefire's violations known at the cut-off, or now if `revised` (see the
    module's docstring)."""
    found: list[tuple[dict[str, Any], float | None]] = []
    for row in reads.incidents(ceasefire=cf.id, since=cf.effective_from, until=cutoff):
        if row["status"] != "verified" or row["verified_at"] is None:
            continue
        if (not revised and row["verified_at"] > cutoff) or not cf.in_period(row["occurred_at"]):
            continue
        first = row["first_report"]
        if row["case_id"] is None and not _unattributed_violation(cf, row, first):
            continue
        found.append((row, first.get("location_precision_m")))
    known = areas()
    lats = [r["lat"] for r, _ in found]
    lons = [r["lon"] for r, _ in found]
    inside = known.locate_many(lats, lons)
    placed = known.locate_many(lats, lons, [p for _, p in found])
    return [
        Violation(
            id=row["id"],
            occurred_at=row["occurred_at"],
            perpetrator=row["perpetrator"],
            event_types=list(row["event_types"]),
            severity=row["severity"],
            killed=row["killed"],
            injured=row["injured"],
            lat=row["lat"],
            lon=row["lon"],
            area=_area_name(area, point_in),
            area_iso=None if area is None else area.iso,
            case=row["case_id"],
            reports=row["reports"],
        )
        for (row, _), point_in, area in zip(found, inside, placed, strict=True)
    ]


def _area_name(area: Area | None, point_in: Area | None) -> str:
    if area is not None:
        return area.name
    return SEVERAL if point_in is not None else OUTSIDE


def _unattributed_violation(cf: Ceasefire, row: dict[str, Any], first: dict[str, Any]) -> bool:
    if row["perpetrator"] is not None:
        return False
    if not cf.in_zone(row["lat"], row["lon"]):
        return False
    if cf.scope is None:
        return True
    target = first.get("target")
    types = [EventType(t) for t in row["event_types"]]
    return cf.scope.covers(types, [Target(target) if target else None])


def open_cases(
    reads: DailyReads, ceasefire: str, cutoff: datetime, known: list[Violation]
) -> list[OpenCase]:
    """Cases open at the cut-off as they stood then: phase, severity and last violation
    from what was known by the cut-off, and the actions not done by then."""
    held: dict[str, list[Violation]] = defaultdict(list)
    for violation in known:
        if violation.case is not None:
            held[violation.case].append(violation)
    cases = []
    for row, actions in reads.cases_open_at(ceasefire, cutoff):
        recommended = {
            int(p): datetime.fromisoformat(at) for p, at in (row["recommended"] or {}).items()
        }
        phase = max([1, *(p for p, at in recommended.items() if at < cutoff)])
        settled = {
            int(p): standing
            for p, (standing, at) in (row["settled"] or {}).items()
            if datetime.fromisoformat(at) < cutoff
        }
        due = [
            DueAction(
                x["action_id"],
                x["title"],
                list(x["owners"]),
                x["due"],
                overdue=x["due"] is not None and x["due"] <= cutoff,
            )
            for x in actions
            if x["phase"] <= phase and (x["done_at"] is None or x["done_at"] >= cutoff)
        ]
        mine = held.get(row["id"], [])
        severity = max(
            (Severity.from_label(v.severity) for v in mine),
            default=Severity.from_label(row["severity"]),
        )
        last = max((v.occurred_at for v in mine), default=row["opened"])
        cases.append(
            OpenCase(
                row["id"], row["violator"], phase, severity.label, row["opened"], last, settled, due
            )
        )
    return cases


def notable(reads: DailyReads, last_24h: list[Violation]) -> list[tuple[Violation, list[Source]]]:
    """The most serious violations of the last 24 h, each with its reports' sources."""
    ranked = sorted(
        last_24h,
        key=lambda v: (
            -Severity.from_label(v.severity).value,
            -(v.killed + v.injured),
            v.occurred_at,
            v.id,
        ),
    )[:NOTABLE]
    out = []
    for violation in ranked:
        records = reads.reports(violation.reports)
        sources = [
            Source(
                r["source"],
                r.get("source_kind"),
                r["id"],
                r.get("text") or "",
                [e["uri"] for e in r.get("evidence", [])],
            )
            for r in records
        ]
        out.append((violation, sources))
    return out
