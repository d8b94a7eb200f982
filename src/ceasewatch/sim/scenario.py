"""Scenario models: who breaks the ceasefire and how, who reports it, and how well.

A scenario is a YAML file validated here (every problem with its line, like a policy).
It holds no randomness itself: `generate.py` draws a run from it with a seeded RNG.
Rates are events per day; durations are written as in policies (`24h`, `90m`, `3d`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..domain.ceasefire import Ceasefire
from ..domain.durations import Duration
from ..domain.reports import EventType, SourceKind, Target
from ..domain.yamlfile import DocumentInvalid, Problem, parse_yaml

Probability = Annotated[float, Field(ge=0, le=1)]
Rate = Annotated[float, Field(ge=0)]
"""Events (or reports) per day."""
Weight = Annotated[float, Field(gt=0)]
Credibility = Annotated[int, Field(ge=1, le=6)]
ActorId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$")]
SourceId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Casualties(_Model):
    """How many people an event kills and injures."""

    chance: Probability = 0.0
    """Share of events with any casualties."""
    killed: Annotated[float, Field(ge=0)] = 0.0
    """Mean killed (Poisson) in an event with casualties."""
    injured: Annotated[float, Field(ge=0)] = 1.0
    """Mean injured (Poisson, at least one casualty in all) in an event with casualties."""


Sector = tuple[Annotated[float, Field(ge=0, le=1)], Annotated[float, Field(ge=0, le=1)]]


class _Process(_Model):
    """What every breach process draws its events' details from."""

    event_types: Annotated[dict[EventType, Weight], Field(min_length=1)] = {
        EventType.SMALL_ARMS: 1.0
    }
    """Relative weights of the event types it produces."""
    targets: Annotated[dict[Target, Weight], Field(min_length=1)] = {Target.MILITARY: 1.0}
    casualties: Casualties = Casualties()
    sector: Sector = (0.0, 1.0)
    """Where along the front its events fall: fractions of the front's length."""

    @model_validator(mode="after")
    def _sector_in_order(self) -> _Process:
        if self.sector[0] > self.sector[1]:
            raise ValueError("sector: give [from, to] with from <= to (fractions of the front)")
        return self


class Poisson(_Process):
    """Background fire: events at a constant rate, independent of one another."""

    kind: Literal["poisson"]
    rate: Rate
    start: Duration = timedelta(0)
    """From this long after the ceasefire took effect..."""
    until: Duration | None = None
    """...to this long after it (default: the end of the scenario)."""


class Hawkes(_Process):
    """Self-exciting bursts: each event may provoke others soon after, nearby.

    Background events arrive at `background` per day; each event has on average
    `excitation` direct offspring, each after an exponential lag of mean `decay`, within
    `cluster_km` (standard deviation) of its parent. The long-run rate is
    `background / (1 - excitation)`.
    """

    kind: Literal["hawkes"]
    background: Rate
    excitation: Annotated[float, Field(ge=0, lt=1)]
    decay: Duration
    cluster_km: Annotated[float, Field(ge=0)] = 3.0


class Offensive(_Process):
    """A planned offensive: from `start`, the rate rises linearly to `peak` over `ramp`,
    holds there for `hold`, then stops."""

    kind: Literal["offensive"]
    start: Duration
    ramp: Duration
    peak: Rate
    hold: Duration = timedelta(0)


class Spoiler(_Process):
    """An actor who wants the ceasefire to fail.

    It stages provocations (real attacks, made to look like the work of a party it
    `frames`: each witness is fooled with the `disguise` chance), and plants false reports
    of attacks that never happened, each through `outlets` of the sources listed in `via`.
    """

    kind: Literal["spoiler"]
    frames: Annotated[list[str], Field(min_length=1)]
    provocations: Rate = 0.0
    disguise: Probability = 0.8
    false_reports: Rate = 0.0
    via: list[SourceId] = []
    outlets: tuple[Annotated[int, Field(ge=1)], Annotated[int, Field(ge=1)]] = (1, 1)
    """The least and most sources one fabrication is planted through."""

    @model_validator(mode="after")
    def _plants_through_sources(self) -> Spoiler:
        if self.false_reports > 0 and not self.via:
            raise ValueError("a spoiler with false_reports needs `via`: the sources it plants")
        if self.outlets[0] > self.outlets[1]:
            raise ValueError("outlets: give [least, most] with least <= most")
        return self


class Scheduled(_Process):
    """Events at fixed times: for known-answer tests and scripted stories."""

    kind: Literal["scheduled"]
    at: Annotated[list[Duration], Field(min_length=1)]
    """How long after the ceasefire took effect each event happens."""


Process = Annotated[Poisson | Hawkes | Offensive | Spoiler | Scheduled, Field(discriminator="kind")]


class Actor(_Model):
    """A party of the ceasefire, or anyone else who fights (a spoiler)."""

    processes: Annotated[list[Process], Field(min_length=1)]


class Delay(_Model):
    """A log-normal delay: half of them are shorter than `median`."""

    median: Duration
    sigma: Annotated[float, Field(ge=0)] = 0.5


class SourceSpec(_Model):
    """One source and its habits: what it sees, how late, how exactly, how honestly."""

    id: SourceId
    kind: SourceKind
    reliability: Annotated[str, Field(pattern="^[A-F]$")] = "F"
    credibility: Annotated[list[Credibility], Field(min_length=1)] = [6]
    """Grades its reports get, drawn uniformly per report."""
    side: str | None = None
    """The party it belongs to (a party's forces or ministry): it reports only the other
    parties' events, and blames another party in its false reports."""
    detection: Probability = 0.0
    """The chance that it reports a real event it can observe."""
    event_types: list[EventType] | None = None
    """The only event types it can observe (default: all)."""
    delay: Delay
    """From the event to its report's arrival."""
    time_error: Duration = timedelta(minutes=10)
    """Standard deviation of its error on `occurred_at`."""
    location_error_km: Annotated[float, Field(ge=0)] = 0.5
    """Standard deviation of its position error, along each axis."""
    precision_m: Annotated[int, Field(ge=0)] | None = None
    """The radius of uncertainty its reports state."""
    type_error: Probability = 0.05
    """The chance it names a related event type (mortar for artillery, ...)."""
    casualty_reporting: Probability = 0.5
    """The chance it gives the casualty counts of an event that had casualties."""
    misattribution: Probability = 0.0
    """The chance it blames another party than the one it believes did it."""
    blames_other_for_own: Probability = 0.0
    """With a `side`: the chance it reports its own side's event, blaming another party."""
    duplicates: Probability = 0.0
    """The chance it files a second report (a new id) of the same event, later."""
    false_reports: Rate = 0.0
    """Reports per day of events that never happened."""


class Verification(_Model):
    """The monitoring mission's on-site checks: the verification delay.

    Of the real events that at least one source reported, the mission checks `chance`
    on site; its report arrives `delay` after the event, graded well enough that the
    default policy's single-source rule verifies it alone. It is harder to fool than
    other witnesses: it `sees_through` a staged provocation with that chance.
    """

    id: SourceId = "verification-mission"
    chance: Probability
    delay: Delay
    reliability: Annotated[str, Field(pattern="^[A-F]$")] = "A"
    credibility: Annotated[list[Credibility], Field(min_length=1)] = [1, 2]
    location_error_km: Annotated[float, Field(ge=0)] = 0.1
    precision_m: Annotated[int, Field(ge=0)] | None = 100
    time_error: Duration = timedelta(minutes=5)
    sees_through: Probability = 0.5
    """The chance that its check exposes a staged provocation (it then names who did it);
    otherwise it is fooled as any witness may be."""


Point = tuple[Annotated[float, Field(ge=-90, le=90)], Annotated[float, Field(ge=-180, le=180)]]


class Theatre(_Model):
    """Where events happen: scattered about a front line."""

    front: Annotated[list[Point], Field(min_length=2)]
    """The line of contact, as [lat, lon] points."""
    depth_km: Annotated[float, Field(ge=0)] = 5.0
    """Standard deviation of an event's distance from the line."""


class Scenario(_Model):
    name: Annotated[str, Field(min_length=1)]
    title: str = ""
    description: str = ""
    ceasefire: Ceasefire
    duration: Duration
    """Events happen from the ceasefire's `effective_from` for this long."""
    theatre: Theatre
    actors: Annotated[dict[ActorId, Actor], Field(min_length=1)]
    sources: list[SourceSpec] = []
    verification: Verification | None = None

    @property
    def start(self) -> datetime:
        return self.ceasefire.effective_from

    @property
    def parties(self) -> list[str]:
        return list(self.ceasefire.parties)

    def source(self, source_id: str) -> SourceSpec:
        return next(s for s in self.sources if s.id == source_id)

    @model_validator(mode="after")
    def _references_resolve(self) -> Scenario:
        if self.duration <= timedelta(0):
            raise ValueError("duration must be positive")
        ids = [s.id for s in self.sources]
        if self.verification is not None:
            ids.append(self.verification.id)
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"source ids must be unique: {', '.join(twice)} named twice")
        parties = set(self.parties)
        for source in self.sources:
            if source.side is not None and source.side not in parties:
                raise ValueError(f"source {source.id}: side {source.side} is not a party")
        for actor_id, actor in self.actors.items():
            for process in actor.processes:
                if isinstance(process, Spoiler):
                    _check_spoiler(actor_id, process, parties, set(ids))
        return self


def _check_spoiler(actor: str, spoiler: Spoiler, parties: set[str], sources: set[str]) -> None:
    for framed in spoiler.frames:
        if framed not in parties:
            raise ValueError(f"actor {actor}: spoiler frames {framed}, which is not a party")
    for source in spoiler.via:
        if source not in sources:
            raise ValueError(f"actor {actor}: spoiler plants through unknown source {source}")
    if spoiler.false_reports > 0 and spoiler.outlets[1] > len(spoiler.via):
        raise ValueError(
            f"actor {actor}: spoiler outlets go up to {spoiler.outlets[1]} "
            f"but `via` names {len(spoiler.via)} source(s)"
        )


ScenarioProblem = Problem


class ScenarioInvalid(DocumentInvalid):
    what = "scenario"


def parse_scenario(text: str, origin: str = "<scenario>") -> Scenario:
    """Validate a scenario's YAML text; every problem is reported with its line."""
    return parse_yaml(Scenario, text, origin, ScenarioInvalid, path_of=_yaml_path)


_PROCESS_KINDS = frozenset({"poisson", "hawkes", "offensive", "spoiler", "scheduled"})


def _yaml_path(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """The location in the file: without the tag pydantic adds after a process's index."""
    return tuple(
        part
        for i, part in enumerate(loc)
        if not (part in _PROCESS_KINDS and i > 0 and isinstance(loc[i - 1], int))
    )
