"""Incidents and corroboration (rule 6): which reports describe one real event."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from math import cos, floor, radians

from .geo import haversine_km
from .policy import Corroboration
from .reports import EventType, Report
from .severity import Severity


class Status(StrEnum):
    UNVERIFIED = "unverified"
    CORROBORATED = "corroborated"
    VERIFIED = "verified"
    DISPUTED = "disputed"
    REJECTED = "rejected"


@dataclass(eq=False, slots=True)
class Incident:
    id: str
    seq: int
    perpetrator: str | None
    reports: list[Report] = field(default_factory=list)
    status: Status = Status.UNVERIFIED
    severity: Severity = Severity.MINOR
    groups: set[str] = field(default_factory=set)
    """Independence groups of the reports that count toward verification."""
    verified_at: datetime | None = None
    violation_at: datetime | None = None
    """`occurred_at` as it stood at verification: the protocol's clocks run from it."""
    verified_by: str | None = None
    case: str | None = None

    @property
    def first(self) -> Report:
        return self.reports[0]

    @property
    def occurred_at(self) -> datetime:
        return min(r.occurred_at for r in self.reports)

    @property
    def lat(self) -> float:
        return self.first.lat

    @property
    def lon(self) -> float:
        return self.first.lon

    @property
    def killed(self) -> int:
        return max((r.killed or 0) for r in self.reports)

    @property
    def injured(self) -> int:
        return max((r.injured or 0) for r in self.reports)

    @property
    def event_types(self) -> set[EventType]:
        return {r.event_type for r in self.reports}

    @property
    def verified(self) -> bool:
        return self.status is Status.VERIFIED


class Compatibility:
    """Which event types may describe the same event: one type, one family, or a wildcard."""

    def __init__(self, rules: Corroboration) -> None:
        self._family = {t: name for name, types in rules.families.items() for t in types}
        self._wildcards = frozenset(rules.fits_all)

    def __call__(self, a: EventType, b: EventType) -> bool:
        if a == b or a in self._wildcards or b in self._wildcards:
            return True
        family = self._family.get(a)
        return family is not None and family == self._family.get(b)


_CELL_DEG = 0.2
_WIDE_KM = 5.0
"""Reports less precise than this go to a list searched by time alone."""


class CorroborationIndex:
    """Reports bucketed by space and time, so finding a match costs the same at any size.

    A report is filed under a grid cell of `_CELL_DEG` degrees and a time bucket of the
    corroboration window; a search looks only at the cells and buckets its radius and
    window can reach. Imprecise reports (radius over `_WIDE_KM`) reach far, so they are
    kept apart, by time bucket only.
    """

    def __init__(self, rules: Corroboration) -> None:
        self._radius_km = rules.radius_km
        self._window = rules.window
        self._bucket_s = max(rules.window.total_seconds(), 60.0)
        self._compatible = Compatibility(rules)
        self._cells: defaultdict[tuple[int, int, int], list[tuple[Report, Incident]]] = (
            defaultdict(list)
        )
        self._wide: defaultdict[int, list[tuple[Report, Incident]]] = defaultdict(list)

    def _bucket(self, at: datetime) -> int:
        return floor(at.timestamp() / self._bucket_s)

    def add(self, report: Report, incident: Incident) -> None:
        bucket = self._bucket(report.occurred_at)
        if _precision_km(report) > _WIDE_KM:
            self._wide[bucket].append((report, incident))
        else:
            cell = (floor(report.lat / _CELL_DEG), floor(report.lon / _CELL_DEG), bucket)
            self._cells[cell].append((report, incident))

    def find(self, report: Report) -> Incident | None:
        """The incident holding the nearest compatible report; ties go to the older one."""
        best: tuple[float, int] | None = None
        found: Incident | None = None
        for other, incident in self._candidates(report):
            if (
                other.perpetrator != report.perpetrator
                or abs(other.occurred_at - report.occurred_at) > self._window
                or not self._compatible(other.event_type, report.event_type)
            ):
                continue
            gap = haversine_km(report.lat, report.lon, other.lat, other.lon)
            gap = max(0.0, gap - _precision_km(report) - _precision_km(other))
            if gap > self._radius_km:
                continue
            rank = (gap, incident.seq)
            if best is None or rank < best:
                best, found = rank, incident
        return found

    def _candidates(self, report: Report) -> list[tuple[Report, Incident]]:
        bucket = self._bucket(report.occurred_at)
        buckets = range(bucket - 1, bucket + 2)
        reach_km = self._radius_km + _precision_km(report) + _WIDE_KM
        dlat = reach_km / 110.5
        coslat = max(cos(radians(min(abs(report.lat) + dlat, 89.9))), 0.01)
        dlon = reach_km / (111.32 * coslat)
        rows = range(floor((report.lat - dlat) / _CELL_DEG), floor((report.lat + dlat) / _CELL_DEG) + 1)
        cols = range(floor((report.lon - dlon) / _CELL_DEG), floor((report.lon + dlon) / _CELL_DEG) + 1)
        found: list[tuple[Report, Incident]] = []
        cells = self._cells
        for row in rows:
            for col in cols:
                for b in buckets:
                    hit = cells.get((row, col, b))
                    if hit:
                        found.extend(hit)
        for b in buckets:
            hit = self._wide.get(b)
            if hit:
                found.extend(hit)
        return found


def _precision_km(report: Report) -> float:
    return (report.location_precision_m or 0) / 1000.0
