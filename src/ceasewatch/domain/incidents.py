"""Incidents and corroboration (rule 6): which reports describe one real event."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from math import cos, floor, pi, radians
from typing import NamedTuple

from .geo import EARTH_RADIUS_KM, haversine_km
from .policy import Corroboration
from .reports import EventType, Report
from .severity import Severity


class Status(StrEnum):
    UNVERIFIED = "unverified"
    CORROBORATED = "corroborated"
    VERIFIED = "verified"
    DISPUTED = "disputed"
    REJECTED = "rejected"
    MERGED = "merged"
    """Its reports moved into another incident (`merged_into`) by an analyst."""


@dataclass(eq=False, slots=True)
class Incident:
    """One real-world event and the reports that describe it.

    Made from its first report (`Incident.of`); `add` files each further report and keeps
    the summary (earliest time, most casualties, event types) current.
    """

    id: str
    seq: int
    perpetrator: str | None
    reports: list[Report]
    status: Status = Status.UNVERIFIED
    severity: Severity = Severity.MINOR
    groups: set[str] = field(default_factory=set)
    """Independence groups of the reports that count toward verification."""
    verified_at: datetime | None = None
    violation_at: datetime | None = None
    """`occurred_at` as it stood at verification: the protocol's clocks run from it."""
    verified_by: str | None = None
    reviewed_by: str | None = None
    """Who last set the status by hand (verified, disputed, rejected), and why."""
    review_reason: str | None = None
    case: str | None = None
    merged_into: str | None = None
    occurred_at: datetime = field(init=False)
    """The earliest report's `occurred_at`."""
    killed: int = field(init=False)
    """The most killed that any of its reports gives; likewise `injured`."""
    injured: int = field(init=False)
    _types: set[EventType] = field(init=False, repr=False)

    @classmethod
    def of(cls, report: Report, id: str, seq: int) -> Incident:
        return cls(id, seq, report.perpetrator, [report])

    def __post_init__(self) -> None:
        self.summarise()

    def summarise(self) -> None:
        """Work the summary out afresh from the reports (after some were taken away)."""
        first = self.reports[0]
        self.occurred_at = first.occurred_at
        self.killed = first.killed or 0
        self.injured = first.injured or 0
        self._types = {first.event_type}
        for report in self.reports[1:]:
            self._summarise(report)

    def add(self, report: Report) -> None:
        self.reports.append(report)
        self._summarise(report)

    def _summarise(self, report: Report) -> None:
        self.occurred_at = min(self.occurred_at, report.occurred_at)
        self.killed = max(self.killed, report.killed or 0)
        self.injured = max(self.injured, report.injured or 0)
        self._types.add(report.event_type)

    @property
    def first(self) -> Report:
        return self.reports[0]

    @property
    def lat(self) -> float:
        return self.reports[0].lat

    @property
    def lon(self) -> float:
        return self.reports[0].lon

    @property
    def event_types(self) -> AbstractSet[EventType]:
        return self._types

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

    def table(self) -> dict[EventType, frozenset[EventType]]:
        """For each type, every type compatible with it."""
        return {a: frozenset(b for b in EventType if self(a, b)) for a in EventType}


_CELL_DEG = 0.2
_COLUMNS = round(360 / _CELL_DEG)
_WIDE_KM = 5.0
"""Reports less precise than this go to a list searched by time alone."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_KM_PER_DEGREE_LAT = EARTH_RADIUS_KM * pi / 180
_SLACK_KM = 1e-6
"""Margin for rounding when a cheap bound rules a candidate out before the exact distance."""


class _Filed(NamedTuple):
    """A report in the index, with what a search compares worked out once."""

    report: Report
    incident: Incident
    at_us: int
    """`occurred_at` in microseconds since the epoch: exact, and cheap to compare."""
    lat_km: float
    """Latitude as kilometres north of the equator along a meridian."""
    precision_km: float
    event_type: EventType


@dataclass(slots=True)
class _Slice:
    """The reports of one alleged perpetrator whose `occurred_at` falls in one time bucket."""

    cells: defaultdict[tuple[int, int], list[_Filed]] = field(
        default_factory=lambda: defaultdict(list)
    )
    wide: list[_Filed] = field(default_factory=list)


class CorroborationIndex:
    """Reports bucketed by perpetrator, space and time, so a search costs the same at any size.

    A report is filed under its alleged perpetrator, a time bucket as long as the
    corroboration window and a grid cell of `_CELL_DEG` degrees; a search looks only at
    the buckets and cells its window and radius can reach. Imprecise reports (radius
    over `_WIDE_KM`) reach far, so they are kept apart, by perpetrator and time only.
    """

    def __init__(self, rules: Corroboration) -> None:
        self._radius_km = rules.radius_km
        self._window_us = rules.window // _MICROSECOND
        self._bucket_us = max(self._window_us, 60_000_000)
        self._compatible = Compatibility(rules).table()
        self._slices: dict[tuple[str | None, int], _Slice] = {}

    def add(self, report: Report, incident: Incident) -> None:
        filed = self._filed(report, incident)
        key = (report.perpetrator, filed.at_us // self._bucket_us)
        part = self._slices.get(key)
        if part is None:
            part = self._slices[key] = _Slice()
        if filed.precision_km > _WIDE_KM:
            part.wide.append(filed)
        else:
            part.cells[_cell(report.lat, report.lon)].append(filed)

    def move(self, report: Report, incident: Incident) -> None:
        """File `report` under `incident` from now on (an analyst split it off)."""
        at_us = _micros(report.occurred_at)
        part = self._slices[(report.perpetrator, at_us // self._bucket_us)]
        filed = (
            part.wide
            if _precision_km(report) > _WIDE_KM
            else part.cells[_cell(report.lat, report.lon)]
        )
        for i, entry in enumerate(filed):
            if entry.report is report:
                filed[i] = entry._replace(incident=incident)
                return
        raise KeyError(f"report {report.key} is not in the index")

    def find(self, report: Report) -> Incident | None:
        """The incident holding the nearest compatible report; ties go to the older one."""
        at_us = _micros(report.occurred_at)
        lat_km = report.lat * _KM_PER_DEGREE_LAT
        precision = _precision_km(report)
        compatible = self._compatible[report.event_type]
        best: tuple[float, int] | None = None
        found: Incident | None = None
        for filed in self._candidates(report, at_us):
            other, incident, other_at_us, other_lat_km, other_precision, other_type = filed
            if abs(other_at_us - at_us) > self._window_us or other_type not in compatible:
                continue
            # the distance is at least the difference in latitude: rule most out cheaply
            reach = self._radius_km + precision + other_precision + _SLACK_KM
            if abs(other_lat_km - lat_km) > reach:
                continue
            gap = haversine_km(report.lat, report.lon, other.lat, other.lon)
            gap = max(0.0, gap - precision - other_precision)
            if gap > self._radius_km:
                continue
            rank = (gap, incident.seq)
            if best is None or rank < best:
                best, found = rank, incident
        return found

    def _candidates(self, report: Report, at_us: int) -> Iterator[_Filed]:
        """Every filed report of the same alleged perpetrator that the search can reach."""
        bucket = at_us // self._bucket_us
        rows, cols = _reach(report.lat, report.lon, self._radius_km + _precision_km(report))
        for b in (bucket - 1, bucket, bucket + 1):
            part = self._slices.get((report.perpetrator, b))
            if part is None:
                continue
            yield from part.wide
            cells = part.cells
            if len(rows) * len(cols) > len(cells):
                for (row, col), filed in cells.items():
                    if row in rows and col in cols:
                        yield from filed
            else:
                for row in rows:
                    for col in cols:
                        yield from cells.get((row, col), ())

    def _filed(self, report: Report, incident: Incident) -> _Filed:
        return _Filed(
            report,
            incident,
            _micros(report.occurred_at),
            report.lat * _KM_PER_DEGREE_LAT,
            _precision_km(report),
            report.event_type,
        )


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return (floor(lat / _CELL_DEG), floor(lon / _CELL_DEG) % _COLUMNS)


def _reach(lat: float, lon: float, km: float) -> tuple[range, set[int] | range]:
    """The grid rows and columns holding every cell-filed report within `km` of a point.

    A cell-filed report may lie up to `_WIDE_KM` further, less its own precision. The
    bound on longitude is taken at the parallel nearest a pole that the reach touches;
    columns wrap at the antimeridian, and a reach over a pole takes every column.
    """
    reach_km = km + _WIDE_KM + _SLACK_KM
    dlat = reach_km / _KM_PER_DEGREE_LAT
    rows = range(floor((lat - dlat) / _CELL_DEG), floor((lat + dlat) / _CELL_DEG) + 1)
    nearest_pole = abs(lat) + dlat
    if nearest_pole >= 90:
        return rows, range(_COLUMNS)
    dlon = reach_km / (_KM_PER_DEGREE_LAT * cos(radians(nearest_pole)))
    if dlon >= 180:
        return rows, range(_COLUMNS)
    first, last = floor((lon - dlon) / _CELL_DEG), floor((lon + dlon) / _CELL_DEG)
    return rows, {col % _COLUMNS for col in range(first, last + 1)}


def _micros(at: datetime) -> int:
    return (at - _EPOCH) // _MICROSECOND


def _precision_km(report: Report) -> float:
    return (report.location_precision_m or 0) / 1000.0
