"""Incidents and corroboration (rule 6): which reports describe one real event."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from enum import StrEnum
from operator import attrgetter
from typing import NamedTuple

from .geo import haversine_km
from .policy import Corroboration
from .reports import EventType, Report, restore, slot_setters
from .severity import Severity
from .spacetime import KM_PER_DEGREE_LAT, SLACK_KM, SpaceTimeGrid, micros


class Status(StrEnum):
    UNVERIFIED = "unverified"
    CORROBORATED = "corroborated"
    VERIFIED = "verified"
    DISPUTED = "disputed"
    REJECTED = "rejected"
    MERGED = "merged"
    """Its reports moved into another incident (`merged_into`) by an analyst."""


class Verification(StrEnum):
    """How an incident came to be verified (rule 6, an analyst, or curated input)."""

    CORROBORATION = "corroboration"
    """Reports from enough independence groups."""
    GRADED_REPORT = "graded_report"
    """One report graded well enough, from a kind of source trusted to verify alone (a
    monitor, sensor or satellite): `verified_by` names its source."""
    ANALYST = "analyst"
    """An analyst's verdict: `verified_by` names the analyst."""
    TRUSTED_INPUT = "trusted_input"
    """A record of curated data taken as a verified incident (`--trust-input`)."""


@dataclass(eq=False, slots=True)
class Incident:
    """One real-world event and the reports that describe it.

    Made from its first report (`Incident.of`); `add` files each further report and keeps
    the summary (earliest time, most casualties, event types) current.
    """

    id: str
    seq: int
    perpetrator: str | None
    reports: tuple[Report, ...]
    """A tuple, not a list: most incidents have one report, and a replay holds millions."""
    status: Status = Status.UNVERIFIED
    severity: Severity = Severity.MINOR
    groups: AbstractSet[str] = frozenset()
    """Independence groups of the reports that count toward verification (none yet: one
    empty set shared by every incident, not one each, until a report adds some)."""
    verified_at: datetime | None = None
    violation_at: datetime | None = None
    """`occurred_at` as it stood at verification: the protocol's clocks run from it."""
    verified_by: str | None = None
    """The analyst, the source whose graded report verified it alone, or `trusted input`;
    none for corroboration (the sources are its reports')."""
    verified_how: Verification | None = None
    reviewed_by: str | None = None
    """Who last set the status by hand (verified, disputed, rejected), and why."""
    review_reason: str | None = None
    case: str | None = None
    response_to: str | None = None
    """The case whose breach this fire acted to halt (rule 7): it is no violation then."""
    merged_into: str | None = None
    occurred_at: datetime = field(init=False)
    """The earliest report's `occurred_at`."""
    killed: int = field(init=False)
    """The most killed that any of its reports gives; likewise `injured`."""
    injured: int = field(init=False)
    _types: frozenset[EventType] = field(init=False, repr=False)
    """Shared between incidents of one type (most): a replay holds millions of them."""

    @property
    def verification(self) -> tuple[Verification, str | None] | None:
        """How it was verified, and by whom; None if it never was."""
        return None if self.verified_how is None else (self.verified_how, self.verified_by)

    @classmethod
    def of(cls, report: Report, id: str, seq: int) -> Incident:
        return cls(id, seq, report.perpetrator, (report,))

    def __post_init__(self) -> None:
        self.summarise()

    def summarise(self) -> None:
        """Work the summary out afresh from the reports (after some were taken away)."""
        first = self.reports[0]
        self.occurred_at = first.occurred_at
        self.killed = first.killed or 0
        self.injured = first.injured or 0
        self._types = _ONE_TYPE[first.event_type]
        for report in self.reports[1:]:
            self._summarise(report)

    def add(self, report: Report) -> None:
        self.reports += (report,)
        self._summarise(report)

    def _summarise(self, report: Report) -> None:
        self.occurred_at = min(self.occurred_at, report.occurred_at)
        self.killed = max(self.killed, report.killed or 0)
        self.injured = max(self.injured, report.injured or 0)
        if report.event_type not in self._types:
            self._types = self._types | {report.event_type}

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

    def __getstate__(self) -> tuple[object, ...]:
        """For pickle (a snapshot holds every incident): the values in one tuple. The
        default state is a dict of every field, which a pickler and an unpickler each
        keep until they are done: a kilobyte an incident, a gigabyte at a million."""
        return _values(self)

    def __setstate__(self, state: tuple[object, ...]) -> None:
        restore(self, _SETTERS, state)


_FIELDS = tuple(f.name for f in fields(Incident))
_values = attrgetter(*_FIELDS)
_SETTERS = slot_setters(Incident, _FIELDS)
_ONE_TYPE = {t: frozenset((t,)) for t in EventType}


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


class CorroborationIndex:
    """Reports filed by alleged perpetrator, time and place (rule 6's search).

    A report is filed under its alleged perpetrator in a grid whose time buckets are as
    long as the corroboration window, so a search looks only at what its window and
    radius can reach.
    """

    def __init__(self, rules: Corroboration) -> None:
        self._radius_km = rules.radius_km
        self._window_us = rules.window // timedelta(microseconds=1)
        self._compatible = Compatibility(rules).table()
        self._grid: SpaceTimeGrid[_Filed] = SpaceTimeGrid(rules.window)

    def add(self, report: Report, incident: Incident) -> None:
        filed = self._filed(report, incident)
        self._grid.add(
            report.perpetrator, report.lat, report.lon, filed.at_us, filed.precision_km, filed
        )

    def move(self, report: Report, incident: Incident) -> None:
        """File `report` under `incident` from now on (an analyst split it off)."""
        at_us = micros(report.occurred_at)
        filed = self._grid.slot(
            report.perpetrator, report.lat, report.lon, at_us, precision_km(report)
        )
        for i, entry in enumerate(filed):
            if entry.report is report:
                filed[i] = entry._replace(incident=incident)
                return
        raise KeyError(f"report {report.key} is not in the index")

    def find(self, report: Report) -> Incident | None:
        """The incident holding the nearest compatible report; ties go to the older one."""
        at_us = micros(report.occurred_at)
        lat_km = report.lat * KM_PER_DEGREE_LAT
        precision = precision_km(report)
        compatible = self._compatible[report.event_type]
        best: tuple[float, int] | None = None
        found: Incident | None = None
        candidates = self._grid.near(
            report.perpetrator, report.lat, report.lon, at_us, self._radius_km + precision
        )
        for filed in candidates:
            other, incident, other_at_us, other_lat_km, other_precision, other_type = filed
            if abs(other_at_us - at_us) > self._window_us or other_type not in compatible:
                continue
            # the distance is at least the difference in latitude: rule most out cheaply
            reach = self._radius_km + precision + other_precision + SLACK_KM
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

    def _filed(self, report: Report, incident: Incident) -> _Filed:
        return _Filed(
            report,
            incident,
            micros(report.occurred_at),
            report.lat * KM_PER_DEGREE_LAT,
            precision_km(report),
            report.event_type,
        )


def precision_km(report: Report) -> float:
    """A report's radius of uncertainty in kilometres (0 when it gives none).

    One float for each radius given, shared by every report that gives it: the indexes
    of rules 6 and 7 keep one per report they file.
    """
    metres = report.location_precision_m
    km = _KM.get(metres)
    if km is None:
        km = (metres or 0) / 1000.0
        if len(_KM) < 10_000:  # sources round their radii: a few hundred distinct at most
            _KM[metres] = km
    return km


_KM: dict[int | None, float] = {}
"""Radii in kilometres, by radius in metres."""
