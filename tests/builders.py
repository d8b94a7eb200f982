"""Builders that let a test read like the rule it checks: reports, ceasefires, policies, replays."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from itertools import count
from math import cos, radians
from pathlib import Path
from typing import Any

from ceasewatch.config import ceasefire_from_dict, policy_text
from ceasewatch.domain.ceasefire import Ceasefire
from ceasewatch.domain.events import ProtocolEvent, iso_z
from ceasewatch.domain.geo import EARTH_RADIUS_KM
from ceasewatch.domain.policy import Policy, parse_policy
from ceasewatch.domain.reports import Report, parse_report
from ceasewatch.domain.sources import Source
from ceasewatch.services.replay import ReplayResult, replay

SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
"""A moment a day after the test ceasefire took effect."""

EFFECTIVE_FROM = datetime(2026, 3, 1, tzinfo=UTC)
HOME = (48.0, 37.8)
KM_PER_DEGREE_LAT = EARTH_RADIUS_KM * radians(1)

KEY_EVENTS = ("case_opened", "phase_recommended", "case_closed")


def at(text: str) -> datetime:
    """`2026-03-02T10:00Z` (or any ISO 8601 instant with a zone) as an aware datetime."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no zone")
    return value.astimezone(UTC)


def place(km_north: float = 0.0, km_east: float = 0.0) -> dict[str, float]:
    """lat/lon that many kilometres from HOME (east along HOME's parallel)."""
    lat, lon = HOME
    return {
        "lat": lat + km_north / KM_PER_DEGREE_LAT,
        "lon": lon + km_east / (KM_PER_DEGREE_LAT * cos(radians(lat))),
    }


def make_ceasefire(**overrides: Any) -> Ceasefire:
    data: dict[str, Any] = {
        "id": "cf-test",
        "name": "Test ceasefire",
        "parties": ["RU", "UA"],
        "effective_from": iso_z(EFFECTIVE_FROM),
        **overrides,
    }
    return ceasefire_from_dict(data, "test ceasefire")


def default_policy_text() -> str:
    return policy_text("three-phase")[0]


def policy_variant(*edits: tuple[str, str]) -> Policy:
    """The default policy with each `(old, new)` text edit applied to its YAML."""
    text = default_policy_text()
    for old, new in edits:
        if old not in text:
            raise AssertionError(f"{old!r} is not in the default policy")
        text = text.replace(old, new, 1)
    return parse_policy(text, "variant")


def make_report(**overrides: Any) -> Report:
    """A valid report through the real validator; datetimes may be given as datetimes."""
    data: dict[str, Any] = {
        "id": "r-1",
        "source": "osint-1",
        "source_kind": "osint",
        "reliability": "C",
        "credibility": 3,
        "occurred_at": T0,
        "event_type": "artillery",
        "perpetrator": "RU",
        **place(),
    }
    data.update(overrides)
    for name in ("occurred_at", "reported_at"):
        if isinstance(data.get(name), datetime):
            data[name] = iso_z(data[name])
    return parse_report({k: v for k, v in data.items() if v is not None})


def make_source(id: str, **fields: Any) -> Source:
    """A declared source of the registry, e.g. `make_source("chan-a", kind="media",
    group="newsroom-1")`, validated as a sources file is."""
    return Source.model_validate({"id": id, **fields})


class Scenario:
    """Reports for one ceasefire under one policy, replayed as the replay contract says.

    `report()` is one unremarkable account (an osint report that does not verify alone);
    `violation()` is a report that verifies alone (a monitor graded A1), each at a place of
    its own, 40 km from the last, so that violations never corroborate one another (rule
    6) nor answer one another (rule 7) by accident.
    """

    def __init__(self, ceasefire: Ceasefire, policy: Policy, *, trust_input: bool = False):
        self.ceasefire = ceasefire
        self.policy = policy
        self.trust_input = trust_input
        self.reports: list[Report] = []
        self.sources: list[Source] = []
        """The source registry, declared before the first report."""
        self._ids = count(1)
        self._places = count(0)

    def source(self, id: str, **fields: Any) -> Source:
        """Declare a source in the registry the replay starts with."""
        source = make_source(id, **fields)
        self.sources.append(source)
        return source

    def report(
        self, occurred: datetime = T0, *, arrives: datetime | None = None, **fields: Any
    ) -> Report:
        number = next(self._ids)
        fields.setdefault("id", f"r-{number}")
        fields.setdefault("source", f"osint-{number}")
        report = make_report(occurred_at=occurred, reported_at=arrives, **fields)
        self.reports.append(report)
        return report

    def violation(
        self,
        occurred: datetime = T0,
        *,
        by: str = "RU",
        arrives: datetime | None = None,
        **fields: Any,
    ) -> Report:
        fields.setdefault("source", "monitor-1")
        fields.setdefault("source_kind", "monitor")
        fields.setdefault("reliability", "A")
        fields.setdefault("credibility", 1)
        fields.setdefault("event_type", "small_arms")
        if "lat" not in fields and "lon" not in fields:
            fields.update(place(km_east=40.0 * next(self._places)))
        return self.report(occurred, arrives=arrives, perpetrator=by, **fields)

    def replay(self, until: datetime | None = None) -> ReplayResult:
        return replay(
            self.ceasefire,
            self.policy,
            self.reports,
            trust_input=self.trust_input,
            until=until,
            sources=self.sources,
        )

    def events(self, until: datetime | None = None) -> list[ProtocolEvent]:
        return self.replay(until).events


def protocol(events: Iterable[ProtocolEvent]) -> list[tuple[str, str, int | None, datetime]]:
    """The replay contract's key events as `(event, violator, phase, at)`; no phase on close."""
    return [
        (e.event, e.violator, None if e.event == "case_closed" else e.details.get("phase"), e.at)
        for e in events
        if e.event in KEY_EVENTS
    ]


def named(events: Iterable[ProtocolEvent], *kinds: str) -> list[ProtocolEvent]:
    return [e for e in events if e.event in kinds]


def opened(events: Iterable[ProtocolEvent]) -> list[ProtocolEvent]:
    return named(events, "case_opened")


def phases(events: Iterable[ProtocolEvent], violator: str = "RU") -> list[tuple[int, datetime]]:
    return [
        (e.details["phase"], e.at)
        for e in events
        if e.event == "phase_recommended" and e.violator == violator
    ]


SOURCES = [
    ("omm-1", "monitor", "A", 2),
    ("omm-2", "monitor", "B", 3),
    ("sensor-1", "sensor", "B", 2),
    ("osint-1", "osint", "C", 3),
    ("osint-2", "osint", "D", 4),
    ("media-1", "media", "C", 4),
    ("ua-army", "defending_forces", "B", 3),
    ("ru-mod", "party_statement", "E", 5),
]
TYPES = ["artillery", "mortar", "small_arms", "drone_strike", "rocket", "ground_assault", "other"]


def front_reports(events: int, seed: int = 1, start: datetime = T0) -> list[dict[str, Any]]:
    """Report records of `events` real events along a line of contact, a few per hour.

    Each event is seen by one to three sources, with reporting delays and position
    errors; some are attributed to each party; a few carry casualties or are air
    strikes. Seeded: the same arguments give the same records.
    """
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    at = start
    for n in range(events):
        at += timedelta(minutes=rng.expovariate(1 / 40))
        lat, lon = 47.5 + rng.random() * 2.5, 35.5 + rng.random() * 3
        kind = rng.choice(TYPES) if rng.random() > 0.03 else "air_strike"
        party = "RU" if rng.random() < 0.65 else "UA"
        for source, source_kind, reliability, credibility in rng.sample(SOURCES, rng.randint(1, 3)):
            delay = timedelta(minutes=5 + rng.expovariate(1 / 60))
            record: dict[str, Any] = {
                "id": f"{source}-{n}",
                "source": source,
                "source_kind": source_kind,
                "reliability": reliability,
                "credibility": credibility,
                "occurred_at": iso_z(at - timedelta(minutes=rng.uniform(0, 10))),
                "reported_at": iso_z(at + delay),
                "lat": round(lat + rng.gauss(0, 0.01), 5),
                "lon": round(lon + rng.gauss(0, 0.01), 5),
                "location_precision_m": rng.choice([100, 500, 1000, 2000]),
                "event_type": kind,
                "perpetrator": ("UA" if party == "RU" else "RU") if source == "ru-mod" else party,
            }
            if rng.random() < 0.1:
                record["killed"], record["injured"] = rng.randint(0, 3), rng.randint(0, 12)
            records.append(record)
    return records


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> Path:
    with open(path, "w", encoding="utf-8") as stream:
        for record in records:
            stream.write(json.dumps(record) + "\n")
    return path
