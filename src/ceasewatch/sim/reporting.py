"""The reporting process: what the sources say about a run's real events, and what they
make up. Every report is built by the same validator as a report read from a file, and
keeps beside it the truth of what it describes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import exp
from typing import Any

import numpy as np

from ..domain.events import iso_z
from ..domain.reports import EventType, SourceKind, Target, parse_report
from .breaches import poisson_times, weighted
from .geometry import Front, shift
from .scenario import Delay, Scenario, SourceSpec, Spoiler, Verification
from .truth import Event, GeneratedReport, Truth

E = EventType

MISTAKEN_FOR: dict[EventType, tuple[EventType, ...]] = {
    E.ARTILLERY: (E.MORTAR, E.ROCKET),
    E.MORTAR: (E.ARTILLERY,),
    E.ROCKET: (E.ARTILLERY, E.MISSILE_STRIKE),
    E.MISSILE_STRIKE: (E.AIR_STRIKE, E.ROCKET),
    E.AIR_STRIKE: (E.MISSILE_STRIKE, E.DRONE_STRIKE),
    E.DRONE_STRIKE: (E.AIR_STRIKE, E.MISSILE_STRIKE),
    E.GROUND_ASSAULT: (E.SMALL_ARMS, E.ARMOUR_MOVEMENT),
    E.SMALL_ARMS: (E.GROUND_ASSAULT,),
    E.ARMOUR_MOVEMENT: (E.GROUND_ASSAULT, E.HEAVY_WEAPONS_IN_ZONE),
    E.HEAVY_WEAPONS_IN_ZONE: (E.ARMOUR_MOVEMENT,),
}
"""What a witness may take an event for: its neighbours, sometimes a worse weapon."""

CLAIMED_TYPES = (E.ARTILLERY, E.MORTAR, E.SMALL_ARMS, E.DRONE_STRIKE, E.ROCKET)
"""What a source's made-up reports allege, unless it only observes some types."""
CLAIMED_TARGETS = (Target.MILITARY, Target.CIVILIAN, Target.INFRASTRUCTURE)

# RNG streams of a run beside the breach processes' (see generate.py)
WITNESSES, INVENTIONS, PLANTS = 1, 2, 3

Streams = Callable[..., np.random.Generator]


@dataclass(frozen=True, slots=True)
class Channel:
    """How one source writes a report: its grades, errors and delays."""

    id: str
    kind: SourceKind
    reliability: str
    credibility: tuple[int, ...]
    delay: Delay
    time_error: timedelta
    location_error_km: float
    precision_m: int | None
    type_error: float
    casualty_reporting: float

    @classmethod
    def of(cls, source: SourceSpec) -> Channel:
        return cls(
            source.id,
            source.kind,
            source.reliability,
            tuple(source.credibility),
            source.delay,
            source.time_error,
            source.location_error_km,
            source.precision_m,
            source.type_error,
            source.casualty_reporting,
        )

    @classmethod
    def mission(cls, spec: Verification) -> Channel:
        return cls(
            spec.id,
            SourceKind.MONITOR,
            spec.reliability,
            tuple(spec.credibility),
            spec.delay,
            spec.time_error,
            spec.location_error_km,
            spec.precision_m,
            0.0,
            1.0,
        )


@dataclass(frozen=True, slots=True)
class Account:
    """What a report alleges: an event, real or not, as its source believes it was."""

    at: datetime
    lat: float
    lon: float
    event_type: EventType
    target: Target
    killed: int
    injured: int
    perpetrator: str | None
    truth: Truth

    @classmethod
    def of(cls, event: Event, perpetrator: str | None) -> Account:
        wrong = perpetrator is not None and perpetrator != event.actor
        truth = Truth(event.id, misattributed=wrong)
        return cls(
            event.at,
            event.lat,
            event.lon,
            event.event_type,
            event.target,
            event.killed,
            event.injured,
            perpetrator,
            truth,
        )


class Newsroom:
    """Writes the reports of one run, numbering them per source."""

    def __init__(self) -> None:
        self.reports: list[GeneratedReport] = []
        self._numbers: dict[str, int] = {}

    def file(
        self,
        rng: np.random.Generator,
        channel: Channel,
        account: Account,
        duplicates: float = 0.0,
    ) -> None:
        """One report, and with the `duplicates` chance a later second one."""
        arrival = account.at + lognormal(rng, channel.delay)
        self._write(rng, channel, account, arrival)
        if duplicates and rng.random() < duplicates:
            self._write(rng, channel, account, arrival + lognormal(rng, channel.delay))

    def _write(
        self, rng: np.random.Generator, channel: Channel, account: Account, arrival: datetime
    ) -> None:
        number = self._numbers.get(channel.id, 0) + 1
        self._numbers[channel.id] = number
        error_s = float(rng.normal(0, channel.time_error.total_seconds()))
        occurred = account.at + timedelta(seconds=error_s)
        north, east = rng.normal(0, channel.location_error_km, 2).tolist()
        lat, lon = shift(account.lat, account.lon, north, east)
        record: dict[str, Any] = {
            "id": f"{channel.id}-{number:05d}",
            "source": channel.id,
            "source_kind": channel.kind.value,
            "reliability": channel.reliability,
            "credibility": channel.credibility[int(rng.integers(len(channel.credibility)))],
            "occurred_at": iso_z(_to_second(occurred)),
            "reported_at": iso_z(_to_second(max(arrival, occurred))),
            "lat": round(lat, 5),
            "lon": round(lon, 5),
            "event_type": _as_seen(rng, account.event_type, channel.type_error).value,
            "target": account.target.value,
        }
        if channel.precision_m is not None:
            record["location_precision_m"] = channel.precision_m
        if account.perpetrator is not None:
            record["perpetrator"] = account.perpetrator
        if account.killed + account.injured and rng.random() < channel.casualty_reporting:
            record["killed"], record["injured"] = account.killed, account.injured
        report = parse_report(record, f"run report {record['id']}")
        self.reports.append(GeneratedReport(report, account.truth))


def write_reports(
    scenario: Scenario, front: Front, events: Sequence[Event], streams: Streams, horizon_h: float
) -> list[GeneratedReport]:
    """Every source's reports of the real events, its inventions, and the spoilers' plants."""
    newsroom = Newsroom()
    _witness(scenario, events, streams(WITNESSES), newsroom)
    for i, source in enumerate(scenario.sources):
        _invent(scenario, front, source, streams(INVENTIONS, i), newsroom, horizon_h)
    for i, spec in enumerate(scenario.actors.values()):
        for j, process in enumerate(spec.processes):
            if isinstance(process, Spoiler):
                rng = streams(PLANTS, i, j)
                _plant(scenario, front, process, rng, newsroom, horizon_h)
    return newsroom.reports


def _witness(
    scenario: Scenario, events: Sequence[Event], rng: np.random.Generator, newsroom: Newsroom
) -> None:
    channels = [Channel.of(source) for source in scenario.sources]
    for event in events:
        seen = False
        for source, channel in zip(scenario.sources, channels, strict=True):
            if source.event_types is not None and event.event_type not in source.event_types:
                continue
            named = _whom_it_blames(rng, scenario.parties, source, event)
            if named is not None:
                newsroom.file(rng, channel, Account.of(event, named), source.duplicates)
                seen = True
        mission = scenario.verification
        if mission is not None and seen and rng.random() < mission.chance:
            exposed = event.framed is not None and rng.random() < mission.sees_through
            named = event.actor if exposed else _believed(rng, event)
            newsroom.file(rng, Channel.mission(mission), Account.of(event, named))


def _whom_it_blames(
    rng: np.random.Generator, parties: list[str], source: SourceSpec, event: Event
) -> str | None:
    """Whom the source blames for an event, or None when it does not report it.

    A party's own source reports its side's events only to blame another party. Others
    report what they see with their `detection` chance, and may misattribute it.
    """
    believed = _believed(rng, event)
    if source.side is not None and believed == source.side:
        if rng.random() >= source.blames_other_for_own:
            return None
        return _another_party(rng, parties, {source.side})
    if rng.random() >= source.detection:
        return None
    if rng.random() < source.misattribution:
        exclude = {believed} | ({source.side} if source.side else set())
        return _another_party(rng, parties, exclude) or believed
    return believed


def _believed(rng: np.random.Generator, event: Event) -> str:
    """Who a witness thinks did it: a staged provocation may fool it."""
    if event.framed is not None and rng.random() < event.disguise:
        return event.framed
    return event.actor


def _another_party(rng: np.random.Generator, parties: list[str], exclude: set[str]) -> str | None:
    others = [p for p in parties if p not in exclude]
    return others[int(rng.integers(len(others)))] if others else None


def _invent(
    scenario: Scenario,
    front: Front,
    source: SourceSpec,
    rng: np.random.Generator,
    newsroom: Newsroom,
    horizon_h: float,
) -> None:
    """A source's reports of events that never happened (a party's, against the other)."""
    channel = Channel.of(source)
    types = tuple(source.event_types or CLAIMED_TYPES)
    for t in poisson_times(rng, source.false_reports, 0.0, horizon_h):
        lat, lon = front.point(rng.random(), rng.normal(0, scenario.theatre.depth_km))
        blamed = _another_party(rng, scenario.parties, {source.side} if source.side else set())
        account = Account(
            at=scenario.start + timedelta(hours=t),
            lat=lat,
            lon=lon,
            event_type=types[int(rng.integers(len(types)))],
            target=CLAIMED_TARGETS[int(rng.integers(len(CLAIMED_TARGETS)))],
            killed=0,
            injured=0,
            perpetrator=blamed,
            truth=Truth(None),
        )
        newsroom.file(rng, channel, account, source.duplicates)


def _plant(
    scenario: Scenario,
    front: Front,
    spoiler: Spoiler,
    rng: np.random.Generator,
    newsroom: Newsroom,
    horizon_h: float,
) -> None:
    """A spoiler's fabrications: each one planted through a few of its outlets at once."""
    for t in poisson_times(rng, spoiler.false_reports, 0.0, horizon_h):
        depth = rng.normal(0, scenario.theatre.depth_km)
        lat, lon = front.point(rng.uniform(*spoiler.sector), depth)
        casualties = spoiler.casualties
        killed = injured = 0
        if rng.random() < casualties.chance:
            killed = int(rng.poisson(casualties.killed))
            injured = max(1 - killed, int(rng.poisson(casualties.injured)))
        account = Account(
            at=scenario.start + timedelta(hours=t),
            lat=lat,
            lon=lon,
            event_type=weighted(rng, spoiler.event_types),
            target=weighted(rng, spoiler.targets),
            killed=killed,
            injured=injured,
            perpetrator=spoiler.frames[int(rng.integers(len(spoiler.frames)))],
            truth=Truth(None),
        )
        count = int(rng.integers(spoiler.outlets[0], spoiler.outlets[1] + 1))
        for index in sorted(rng.choice(len(spoiler.via), size=count, replace=False)):
            source = scenario.source(spoiler.via[int(index)])
            newsroom.file(rng, Channel.of(source), account)


def lognormal(rng: np.random.Generator, delay: Delay) -> timedelta:
    """A delay whose median is `delay.median`."""
    median = delay.median.total_seconds()
    return timedelta(seconds=median * exp(float(rng.normal(0, delay.sigma))) if median else 0.0)


def _as_seen(rng: np.random.Generator, event_type: EventType, error: float) -> EventType:
    mistakes = MISTAKEN_FOR.get(event_type, (E.OTHER,))
    if error and rng.random() < error:
        return mistakes[int(rng.integers(len(mistakes)))]
    return event_type


def _to_second(at: datetime) -> datetime:
    return at.replace(microsecond=0)
