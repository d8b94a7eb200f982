"""The bundled demo scenario: a ceasefire along the line of contact, broken and answered.

The story is a fixed plan of episodes (who fires, where, when, how hard). The seed only
varies what the sources say about them: who reports, from exactly where, when, with what
grade and after what delay, and where the unverifiable chatter falls. Every report of an
episode lies within 1 km and 15 minutes of the event, so rule 6 always joins them; every
party statement and single-source rumour is placed too far in time or space from anything
else alleged against the same party for rule 6 to join it. So no seed can change the story.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from ..domain.ceasefire import Ceasefire
from ..domain.geo import haversine_km
from ..domain.reports import (
    EventType,
    Evidence,
    Report,
    SourceKind,
    Target,
    arrival_order,
    report_record,
)

E = EventType
K = SourceKind
T = Target

START = datetime(2026, 4, 6, tzinfo=UTC)

CEASEFIRE = Ceasefire(
    id="cf-demo",
    name="Demonstration ceasefire along the line of contact (Kharkiv, Donetsk, Zaporizhzhia)",
    parties=["RU", "UA"],
    effective_from=START,
    policy="three-phase",
)

DESCRIPTION = (
    "A ceasefire between Russia and Ukraine takes effect at midnight UTC on 6 April 2026. "
    "Russia breaks it with artillery on Chasiv Yar on 7 April and keeps fighting, so its case "
    "is escalated to phase 2 on 8 April and, after a missile strike on Zaporizhzhia's power "
    "grid and glide bombs on Huliaipole, to phase 3 on 10 April; it closes once Russian fire "
    "has stopped for three days. A single Ukrainian drone strike near Kamianske opens a "
    "phase-1 case that closes quietly, while both ministries of defence blame each other and "
    "dozens of single-source rumours stay unverified."
)


# -- the map --------------------------------------------------------------------------


@dataclass(frozen=True)
class Town:
    name: str
    lat: float
    lon: float
    oblast: str


TOWNS = {
    town.name: town
    for town in (
        Town("Vovchansk", 50.290, 36.941, "Kharkiv"),
        Town("Kupiansk", 49.711, 37.614, "Kharkiv"),
        Town("Lyman", 48.989, 37.803, "Donetsk"),
        Town("Siversk", 48.866, 38.100, "Donetsk"),
        Town("Kramatorsk", 48.738, 37.584, "Donetsk"),
        Town("Chasiv Yar", 48.586, 37.836, "Donetsk"),
        Town("Kostiantynivka", 48.527, 37.707, "Donetsk"),
        Town("Toretsk", 48.398, 37.847, "Donetsk"),
        Town("Horlivka", 48.336, 38.053, "Donetsk"),
        Town("Pokrovsk", 48.282, 37.176, "Donetsk"),
        Town("Donetsk", 48.016, 37.803, "Donetsk"),
        Town("Kurakhove", 47.984, 37.281, "Donetsk"),
        Town("Vuhledar", 47.780, 37.248, "Donetsk"),
        Town("Velyka Novosilka", 47.844, 36.826, "Donetsk"),
        Town("Huliaipole", 47.662, 36.256, "Zaporizhzhia"),
        Town("Zaporizhzhia", 47.838, 35.139, "Zaporizhzhia"),
        Town("Orikhiv", 47.567, 35.785, "Zaporizhzhia"),
        Town("Robotyne", 47.449, 35.838, "Zaporizhzhia"),
        Town("Tokmak", 47.255, 35.713, "Zaporizhzhia"),
        Town("Kamianske", 47.493, 35.370, "Zaporizhzhia"),
        Town("Vasylivka", 47.444, 35.277, "Zaporizhzhia"),
        Town("Enerhodar", 47.499, 34.656, "Zaporizhzhia"),
    )
}

FRONT_TOWNS = (
    "Vovchansk",
    "Kupiansk",
    "Lyman",
    "Siversk",
    "Chasiv Yar",
    "Kostiantynivka",
    "Toretsk",
    "Pokrovsk",
    "Kurakhove",
    "Vuhledar",
    "Velyka Novosilka",
    "Huliaipole",
    "Orikhiv",
    "Robotyne",
    "Kamianske",
)
RU_HELD_TOWNS = ("Horlivka", "Donetsk", "Tokmak", "Vasylivka", "Enerhodar")


# -- who reports ----------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    id: str
    kind: SourceKind
    reliability: str
    """Admiralty grade of the source itself: fixed per source."""
    credibility: tuple[int, ...]
    """Admiralty grades its information usually gets: drawn per report."""
    oblast: str | None = None
    """The area a monitoring team or sensor array covers."""


SOURCES = (
    Source("cmm-team-kharkiv", K.MONITOR, "B", (1, 2, 2, 3), "Kharkiv"),
    Source("cmm-team-donetsk", K.MONITOR, "B", (1, 2, 2, 3), "Donetsk"),
    Source("cmm-team-zaporizhzhia", K.MONITOR, "B", (1, 2, 2, 3), "Zaporizhzhia"),
    Source("acoustic-array-kharkiv", K.SENSOR, "B", (1, 2, 3), "Kharkiv"),
    Source("acoustic-array-donetsk", K.SENSOR, "B", (1, 2, 3), "Donetsk"),
    Source("acoustic-array-zaporizhzhia", K.SENSOR, "B", (1, 2, 3), "Zaporizhzhia"),
    Source("sat-imagery-eu", K.SATELLITE, "A", (1, 2)),
    Source("sat-imagery-commercial", K.SATELLITE, "B", (2, 3)),
    Source("ua-armed-forces", K.DEFENDING_FORCES, "C", (2, 3)),
    Source("ru-armed-forces", K.DEFENDING_FORCES, "D", (3, 4)),
    Source("osint-geoconfirm", K.OSINT, "B", (2, 3)),
    Source("osint-frontline-maps", K.OSINT, "C", (2, 3, 4)),
    Source("osint-channel-digest", K.OSINT, "E", (3, 4, 5)),
    Source("media-wire-service", K.MEDIA, "B", (2, 3)),
    Source("media-national-daily", K.MEDIA, "C", (2, 3, 4)),
    Source("media-regional-tv", K.MEDIA, "C", (3, 4)),
    Source("ru-mod", K.PARTY_STATEMENT, "E", (4, 5, 6)),
    Source("ua-mod", K.PARTY_STATEMENT, "E", (4, 5, 6)),
)
SOURCE = {source.id: source for source in SOURCES}
DEFENDING_FORCES = {"RU": "ua-armed-forces", "UA": "ru-armed-forces"}
"""Whose forces report a violation by each party."""
MINISTRY = {"RU": "ru-mod", "UA": "ua-mod"}


@dataclass(frozen=True)
class KindProfile:
    precision_m: tuple[int, int]
    delay_min: tuple[int, int]
    """How long after the event its report arrives."""
    evidence_chance: float
    casualty_chance: float
    evidence_file: str


PROFILES = {
    K.MONITOR: KindProfile((200, 1000), (40, 360), 0.4, 0.6, "photo.jpg"),
    K.SENSOR: KindProfile((150, 600), (2, 20), 0.5, 0.0, "waveform.wav"),
    K.SATELLITE: KindProfile((10, 50), (180, 720), 1.0, 0.0, "scene.tif"),
    K.DEFENDING_FORCES: KindProfile((100, 800), (10, 120), 0.2, 0.7, "photo.jpg"),
    K.OSINT: KindProfile((50, 1500), (20, 300), 0.7, 0.2, "footage.mp4"),
    K.MEDIA: KindProfile((1000, 3000), (60, 600), 0.3, 0.7, "photo.jpg"),
    K.PARTY_STATEMENT: KindProfile((2000, 5000), (120, 720), 0.0, 0.3, "statement.pdf"),
}

EPISODE_KIND_WEIGHTS = {
    K.OSINT: 3.0,
    K.MEDIA: 3.0,
    K.MONITOR: 2.0,
    K.DEFENDING_FORCES: 1.5,
    K.SENSOR: 1.5,
    K.SATELLITE: 1.0,
}
RUMOUR_KIND_WEIGHTS = {K.OSINT: 4.0, K.MEDIA: 3.0, K.DEFENDING_FORCES: 2.0, K.MONITOR: 1.0}
SENSED = frozenset(
    {E.ARTILLERY, E.MORTAR, E.ROCKET, E.MISSILE_STRIKE, E.AIR_STRIKE, E.DRONE_STRIKE, E.MINE}
)
IMAGED = frozenset({E.ARTILLERY, E.ROCKET, E.MISSILE_STRIKE, E.AIR_STRIKE})
MISREPORTED_AS = {
    E.ARTILLERY: (E.MORTAR, E.ROCKET),
    E.MORTAR: (E.ARTILLERY,),
    E.ROCKET: (E.ARTILLERY,),
    E.MISSILE_STRIKE: (E.AIR_STRIKE,),
    E.AIR_STRIKE: (E.MISSILE_STRIKE, E.DRONE_STRIKE),
    E.GROUND_ASSAULT: (E.SMALL_ARMS, E.ARMOUR_MOVEMENT),
    E.SMALL_ARMS: (E.GROUND_ASSAULT,),
}
"""A source may name another type of the episode's family, but never a broad-attack type for
an episode that is not one: a misreport must not escalate the story."""


# -- the plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Episode:
    """A real event that several independent sources report."""

    hour: float
    """Hours after the ceasefire takes effect."""
    perpetrator: str | None
    town: str
    event_type: EventType
    target: Target
    reports: tuple[int, int]
    """How many reports describe it, at least and at most."""
    killed: int = 0
    injured: int = 0


EPISODES = (
    # The last exchanges before the ceasefire takes effect: verified, but not violations.
    Episode(-5.0, "RU", "Pokrovsk", E.ARTILLERY, T.MILITARY, (6, 9), injured=2),
    Episode(-3.5, "UA", "Horlivka", E.ARTILLERY, T.MILITARY, (5, 8)),
    # Russia breaks the ceasefire: its case opens at phase 1.
    Episode(30.0, "RU", "Chasiv Yar", E.ARTILLERY, T.MILITARY, (12, 16), injured=2),
    Episode(41.0, "RU", "Toretsk", E.MORTAR, T.MILITARY, (7, 10)),
    # More than 24 h after the opening violation, fighting continues: phase 2.
    Episode(58.0, "RU", "Pokrovsk", E.GROUND_ASSAULT, T.MILITARY, (12, 16), killed=1, injured=3),
    Episode(67.0, "RU", "Kurakhove", E.DRONE_STRIKE, T.CIVILIAN, (9, 12), killed=1, injured=2),
    # The broader attack: missiles and glide bombs in two oblasts at once.
    Episode(84.0, "RU", "Zaporizhzhia", E.MISSILE_STRIKE, T.ENERGY, (20, 26), killed=3, injured=11),
    Episode(84.5, "RU", "Huliaipole", E.AIR_STRIKE, T.CIVILIAN, (9, 12), injured=4),
    Episode(96.0, "RU", "Vuhledar", E.ARTILLERY, T.MILITARY, (7, 10), injured=1),
    # 72 h after opening, a broad attack in the case and a violation within 24 h: phase 3.
    Episode(110.0, "RU", "Kupiansk", E.ARTILLERY, T.INFRASTRUCTURE, (9, 12), injured=3),
    # Ukraine's one violation: a case that stays at phase 1 and closes quietly.
    Episode(118.0, "UA", "Kamianske", E.DRONE_STRIKE, T.MILITARY, (7, 10), injured=1),
    Episode(126.0, "RU", "Vovchansk", E.ROCKET, T.CIVILIAN, (9, 12), killed=2, injured=5),
    # Russia's last violation; three quiet days later its case closes.
    Episode(140.0, "RU", "Robotyne", E.SMALL_ARMS, T.MILITARY, (6, 9)),
    # A verified mine blast no one is blamed for: no case.
    Episode(150.0, None, "Huliaipole", E.MINE, T.CIVILIAN, (4, 6), killed=1, injured=1),
)

CHATTER_HOURS = (-8.0, 236.0)
ALLEGATIONS_PER_MINISTRY_PER_DAY = (1, 3)
ALLEGATION_TYPES = (E.ARTILLERY, E.MORTAR, E.ROCKET, E.DRONE_STRIKE, E.SMALL_ARMS)
RUMOURS = (70, 90)
RUMOUR_TYPES = (
    E.SMALL_ARMS,
    E.MORTAR,
    E.ARTILLERY,
    E.DRONE_STRIKE,
    E.ARMOUR_MOVEMENT,
    E.HEAVY_WEAPONS_IN_ZONE,
    E.OTHER,
)
RUMOUR_PERPETRATORS: dict[str | None, float] = {"RU": 5.0, "UA": 3.0, None: 3.0}
FOLLOW_UP_CHANCE = 0.25
"""A ministry's evening briefing, or a channel's update, repeats the same claim."""

# How far reports stray from the event they describe, and what rule 6 of the default
# policy joins; together they say how far apart unrelated claims must be.
EPISODE_SCATTER_KM, CHATTER_SCATTER_KM = 3.0, 6.0
REPORT_SCATTER_KM = 1.0
EPISODE_CLOCK_ERROR_MIN, REPORT_CLOCK_ERROR_MIN = 20, 15
JOIN_RADIUS_KM, JOIN_WINDOW = 5.0, timedelta(hours=2)
MAX_PRECISION_KM = max(p.precision_m[1] for p in PROFILES.values()) / 1000
APART_KM = JOIN_RADIUS_KM + 2 * (MAX_PRECISION_KM + REPORT_SCATTER_KM) + 1.0
APART_IN_TIME = JOIN_WINDOW + 2 * timedelta(minutes=REPORT_CLOCK_ERROR_MIN + 5)


@dataclass(frozen=True)
class Happening:
    """One thing alleged to have happened, at a place and time the seed has fixed."""

    at: datetime
    lat: float
    lon: float
    town: Town
    perpetrator: str | None
    event_type: EventType
    target: Target
    killed: int = 0
    injured: int = 0

    def could_be_joined_with(self, other: Happening) -> bool:
        return (
            self.perpetrator == other.perpetrator
            and abs(self.at - other.at) < APART_IN_TIME
            and haversine_km(self.lat, self.lon, other.lat, other.lon) < APART_KM
        )


@dataclass(frozen=True)
class DemoScenario:
    ceasefire: Ceasefire
    reports: list[Report]
    description: str


def build_demo(seed: int = 2026) -> DemoScenario:
    rng = random.Random(seed)
    desk = _ReportDesk(rng)
    episodes = [_episode_happening(rng, episode) for episode in EPISODES]
    for episode, happening in zip(EPISODES, episodes, strict=True):
        _report_episode(rng, desk, episode, happening)
    placed = list(episodes)
    _report_allegations(rng, desk, placed)
    _report_rumours(rng, desk, placed)
    reports = sorted(desk.reports, key=arrival_order)
    return DemoScenario(CEASEFIRE, reports, DESCRIPTION)


def write_demo(scenario: DemoScenario, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    ceasefire_path = folder / "ceasefire.yaml"
    reports_path = folder / "reports.jsonl"
    ceasefire = scenario.ceasefire.model_dump(mode="json", exclude_none=True)
    ceasefire_path.write_text(
        yaml.safe_dump(ceasefire, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    lines = (json.dumps(_record(report), ensure_ascii=False) for report in scenario.reports)
    reports_path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return ceasefire_path, reports_path


def _record(report: Report) -> dict[str, object]:
    record = report_record(report)
    if not report.evidence:
        del record["evidence"]
    return record


# -- placing happenings -----------------------------------------------------------------


def _episode_happening(rng: random.Random, episode: Episode) -> Happening:
    town = TOWNS[episode.town]
    lat, lon = _scatter(rng, town.lat, town.lon, EPISODE_SCATTER_KM)
    jitter = rng.randint(-EPISODE_CLOCK_ERROR_MIN, EPISODE_CLOCK_ERROR_MIN)
    at = START + timedelta(minutes=round(episode.hour * 60) + jitter)
    return Happening(
        at=at,
        lat=lat,
        lon=lon,
        town=town,
        perpetrator=episode.perpetrator,
        event_type=episode.event_type,
        target=episode.target,
        killed=episode.killed,
        injured=episode.injured,
    )


def _place_apart(
    rng: random.Random,
    placed: list[Happening],
    perpetrator: str | None,
    towns: tuple[str, ...],
    hours: tuple[float, float],
    event_type: EventType,
) -> Happening:
    """A claim at a random town and time that rule 6 cannot join to anything placed."""
    for _ in range(1000):
        town = TOWNS[rng.choice(towns)]
        lat, lon = _scatter(rng, town.lat, town.lon, CHATTER_SCATTER_KM)
        at = START + timedelta(minutes=rng.randint(round(hours[0] * 60), round(hours[1] * 60)))
        injured = rng.choice((0, 0, 0, 0, 1, 2))
        happening = Happening(
            at, lat, lon, town, perpetrator, event_type, Target.UNKNOWN, injured=injured
        )
        if not any(happening.could_be_joined_with(other) for other in placed):
            placed.append(happening)
            return happening
    raise RuntimeError("the demo plan is too crowded to place its chatter apart")


# -- what the sources say ---------------------------------------------------------------


def _report_episode(
    rng: random.Random, desk: _ReportDesk, episode: Episode, happening: Happening
) -> None:
    """Two independent sources always report; the rest are drawn by weight."""
    first = _first_witness(happening)
    second = rng.choice([s for s in _witnesses(happening) if s.id != first.id])
    desk.report(first, happening, _reported_type(rng, first, happening.event_type))
    desk.report(second, happening, _reported_type(rng, second, happening.event_type))
    for _ in range(rng.randint(*episode.reports) - 2):
        source = _draw_witness(rng, happening)
        desk.report(source, happening, _reported_type(rng, source, happening.event_type))


def _first_witness(happening: Happening) -> Source:
    if happening.perpetrator is None:
        return _regional(K.MONITOR, happening.town)
    return SOURCE[DEFENDING_FORCES[happening.perpetrator]]


def _witnesses(happening: Happening) -> list[Source]:
    """Sources that could plausibly report this happening, statements excepted."""
    found = []
    for source in SOURCES:
        if source.kind is K.PARTY_STATEMENT:
            continue
        if source.oblast is not None and source.oblast != happening.town.oblast:
            continue
        if source.kind is K.SENSOR and happening.event_type not in SENSED:
            continue
        if source.kind is K.SATELLITE and happening.event_type not in IMAGED:
            continue
        if source.kind is K.DEFENDING_FORCES and source.id != _defender_of(happening):
            continue
        found.append(source)
    return found


def _defender_of(happening: Happening) -> str | None:
    if happening.perpetrator is None:
        return None
    return DEFENDING_FORCES[happening.perpetrator]


def _draw_witness(rng: random.Random, happening: Happening) -> Source:
    return _draw_by_kind(rng, _witnesses(happening), EPISODE_KIND_WEIGHTS)


def _draw_by_kind(
    rng: random.Random, candidates: list[Source], weights: dict[SourceKind, float]
) -> Source:
    """A kind by its weight, then one of that kind's sources."""
    kinds = sorted({s.kind for s in candidates if s.kind in weights})
    kind = rng.choices(kinds, [weights[k] for k in kinds])[0]
    return rng.choice([s for s in candidates if s.kind is kind])


def _regional(kind: SourceKind, town: Town) -> Source:
    return next(s for s in SOURCES if s.kind is kind and s.oblast == town.oblast)


def _reported_type(rng: random.Random, source: Source, true_type: EventType) -> EventType:
    roll = rng.random()
    if source.kind is K.MEDIA and roll < 0.1:
        return E.OTHER
    alternatives = MISREPORTED_AS.get(true_type, ())
    if alternatives and roll > 0.85:
        return rng.choice(alternatives)
    return true_type


def _report_allegations(rng: random.Random, desk: _ReportDesk, placed: list[Happening]) -> None:
    """Each ministry blames the other daily; nobody else ever confirms it."""
    days = math.ceil(CHATTER_HOURS[1] / 24)
    for day in range(days):
        for accuser, accused in (("RU", "UA"), ("UA", "RU")):
            towns = RU_HELD_TOWNS if accused == "UA" else FRONT_TOWNS
            for _ in range(rng.randint(*ALLEGATIONS_PER_MINISTRY_PER_DAY)):
                event_type = rng.choice(ALLEGATION_TYPES)
                hours = (day * 24.0, day * 24.0 + 23.0)
                happening = _place_apart(rng, placed, accused, towns, hours, event_type)
                _report_claim(rng, desk, SOURCE[MINISTRY[accuser]], happening)


def _report_rumours(rng: random.Random, desk: _ReportDesk, placed: list[Happening]) -> None:
    """Single, weakly graded sources whose claims nobody independent repeats."""
    perpetrators = list(RUMOUR_PERPETRATORS)
    weights = list(RUMOUR_PERPETRATORS.values())
    for _ in range(rng.randint(*RUMOURS)):
        perpetrator = rng.choices(perpetrators, weights)[0]
        event_type = rng.choice(RUMOUR_TYPES)
        happening = _place_apart(rng, placed, perpetrator, FRONT_TOWNS, CHATTER_HOURS, event_type)
        _report_claim(rng, desk, _rumour_source(rng, happening), happening)


def _rumour_source(rng: random.Random, happening: Happening) -> Source:
    return _draw_by_kind(rng, _witnesses(happening), RUMOUR_KIND_WEIGHTS)


def _report_claim(
    rng: random.Random, desk: _ReportDesk, source: Source, happening: Happening
) -> None:
    """One source's claim, perhaps repeated by the same source: one independence group.

    Its credibility is 3 or worse, so no grade can verify it alone.
    """
    for _ in range(2 if rng.random() < FOLLOW_UP_CHANCE else 1):
        credibility = rng.choice([c for c in (3, 4, 5, 6) if c >= min(source.credibility)])
        desk.report(source, happening, happening.event_type, credibility=credibility)


class _ReportDesk:
    """Writes each source's report of a happening, numbering them per source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.reports: list[Report] = []
        self._numbers: dict[str, int] = {}

    def report(
        self,
        source: Source,
        happening: Happening,
        event_type: EventType,
        *,
        credibility: int | None = None,
    ) -> None:
        rng = self.rng
        profile = PROFILES[source.kind]
        report_id = self._next_id(source)
        error = rng.randint(-REPORT_CLOCK_ERROR_MIN, REPORT_CLOCK_ERROR_MIN)
        occurred = happening.at + timedelta(minutes=error)
        reported = occurred + timedelta(minutes=rng.randint(*profile.delay_min))
        lat, lon = _scatter(rng, happening.lat, happening.lon, REPORT_SCATTER_KM)
        killed, injured = self._toll(profile, happening)
        report = Report(
            id=report_id,
            source=source.id,
            source_kind=source.kind,
            reliability=source.reliability,
            credibility=credibility or rng.choice(source.credibility),
            occurred_at=occurred,
            reported_at=reported,
            lat=round(lat, 5),
            lon=round(lon, 5),
            location_precision_m=round(rng.randint(*profile.precision_m), -1),
            event_type=event_type,
            perpetrator=happening.perpetrator,
            target=happening.target,
            killed=killed,
            injured=injured,
            evidence=self._evidence(profile, source, report_id),
        )
        text = _account(rng, source.kind, happening.town, report)
        self.reports.append(replace(report, text=text))

    def _next_id(self, source: Source) -> str:
        number = self._numbers.get(source.id, 0) + 1
        self._numbers[source.id] = number
        return f"{source.id}-{number:04d}"

    def _toll(self, profile: KindProfile, happening: Happening) -> tuple[int | None, int | None]:
        """Casualty counts, if this report gives any: early counts fall short, never over."""
        if happening.killed + happening.injured == 0:
            return None, None
        if self.rng.random() >= profile.casualty_chance:
            return None, None
        killed = self.rng.randint(happening.killed // 2, happening.killed)
        injured = self.rng.randint(happening.injured // 2, happening.injured)
        return killed, injured

    def _evidence(
        self, profile: KindProfile, source: Source, report_id: str
    ) -> tuple[Evidence, ...]:
        if self.rng.random() >= profile.evidence_chance:
            return ()
        uri = f"https://evidence.example.org/{source.id}/{report_id}/{profile.evidence_file}"
        digest = hashlib.sha256(f"{uri}#{self.rng.getrandbits(64)}".encode()).hexdigest()
        return (Evidence(uri=uri, sha256=digest),)


# -- free-text accounts -----------------------------------------------------------------

WHAT = {
    E.SMALL_ARMS: "small-arms fire",
    E.ARTILLERY: "artillery fire",
    E.MORTAR: "mortar fire",
    E.ROCKET: "multiple-rocket-launcher fire",
    E.MISSILE_STRIKE: "a missile strike",
    E.AIR_STRIKE: "a guided-bomb air strike",
    E.DRONE_STRIKE: "a drone strike",
    E.GROUND_ASSAULT: "a ground assault",
    E.ARMOUR_MOVEMENT: "armoured vehicles advancing",
    E.HEAVY_WEAPONS_IN_ZONE: "heavy weapons moved into the withdrawal zone",
    E.MINE: "a mine explosion",
    E.OTHER: "explosions",
}
WHO = {"RU": "Russian forces", "UA": "Ukrainian forces", None: "an unidentified party"}
ACCOUNTS = {
    K.MONITOR: (
        "Patrol observed {what} {where} at {time} UTC; origin assessed as {who}.{toll}",
        "Team recorded {what} {where}; evidence on site points to {who}.{toll}",
    ),
    K.SENSOR: (
        "Signatures consistent with {what} {where} at {time} UTC; bearing points to {who}.",
        "Array fix on {what} {where}; source bearing consistent with {who}.",
    ),
    K.SATELLITE: (
        "Imagery shows fresh damage consistent with {what} {where}; attributed to {who}.",
    ),
    K.DEFENDING_FORCES: (
        "Our units report {what} {where} at {time} UTC by {who}.{toll}",
        "{who_cap} violated the ceasefire {where}: {what} at {time} UTC.{toll}",
    ),
    K.OSINT: (
        "Geolocated footage shows {what} {where}, attributed to {who}.",
        "Local channels describe {what} {where}; attribution to {who} not yet confirmed.",
    ),
    K.MEDIA: (
        "Local officials report {what} {where}, blaming {who}.{toll}",
        "Residents describe {what} {where} at about {time} UTC.{toll}",
    ),
    K.PARTY_STATEMENT: (
        "Ministry of Defence: {who} violated the ceasefire with {what} {where}.{toll}",
        "Official statement: {who} broke the truce {where}; a formal protest has been lodged.",
    ),
}


def _account(rng: random.Random, kind: SourceKind, town: Town, report: Report) -> str:
    who = WHO[report.perpetrator]
    return rng.choice(ACCOUNTS[kind]).format(
        what=WHAT[report.event_type],
        where=_where(town, report.lat, report.lon),
        time=report.occurred_at.strftime("%H:%M"),
        who=who,
        who_cap=who[0].upper() + who[1:],
        toll=_toll_text(report.killed, report.injured),
    )


def _where(town: Town, lat: float, lon: float) -> str:
    distance = haversine_km(town.lat, town.lon, lat, lon)
    if distance < 1.0:
        return f"in {town.name}"
    return f"{distance:.0f} km {_compass(town.lat, town.lon, lat, lon)} of {town.name}"


def _toll_text(killed: int | None, injured: int | None) -> str:
    if killed is None and injured is None:
        return ""
    if not killed and not injured:
        return " No casualties reported."
    if not killed:
        return f" {injured} injured."
    return f" {killed} killed, {injured or 0} injured."


def _compass(lat1: float, lon1: float, lat2: float, lon2: float) -> str:
    east = (lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    north = lat2 - lat1
    degrees = math.degrees(math.atan2(east, north)) % 360
    return ("N", "NE", "E", "SE", "S", "SW", "W", "NW")[round(degrees / 45) % 8]


# -- geometry ---------------------------------------------------------------------------

KM_PER_DEGREE_LAT = 110.574


def _scatter(rng: random.Random, lat: float, lon: float, max_km: float) -> tuple[float, float]:
    """A point uniformly within `max_km` of (lat, lon)."""
    distance = max_km * math.sqrt(rng.random())
    bearing = rng.uniform(0.0, 2 * math.pi)
    north_km, east_km = distance * math.cos(bearing), distance * math.sin(bearing)
    km_per_degree_lon = KM_PER_DEGREE_LAT * math.cos(math.radians(lat))
    return lat + north_km / KM_PER_DEGREE_LAT, lon + east_km / km_per_degree_lon
