"""Breach processes: when and where each actor really fires, drawn from a seeded RNG.

Times are hours since the ceasefire took effect, within `[0, horizon)`. Each process
draws from its own RNG stream, so changing one process never changes another's events.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

import numpy as np

from ..domain.reports import EventType, Target
from .geometry import Front, shift
from .scenario import Hawkes, Offensive, Poisson, Process, Scenario, Scheduled, Spoiler

HOURS_PER_DAY = 24.0
BREACHES = 0
"""The first key of the breach processes' RNG streams in a run (see generate.py)."""
K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class Happening:
    """A real event before it is given its id and instant."""

    hours: float
    lat: float
    lon: float
    actor: str
    process: str
    event_type: EventType
    target: Target
    killed: int
    injured: int
    framed: str | None = None
    disguise: float = 0.0
    """A provocation: the chance that a witness takes it for the framed party's work."""


@dataclass(frozen=True, slots=True)
class _Spot:
    hours: float
    lat: float
    lon: float
    framed: str | None = None


StreamFactory = Callable[[int, int], np.random.Generator]
"""The RNG of an actor's process, by the actor's and the process's position."""


def draw_breaches(
    scenario: Scenario, front: Front, stream: StreamFactory, horizon_h: float
) -> list[Happening]:
    """Every actor's real events, in time order."""
    happenings: list[Happening] = []
    for i, (actor, spec) in enumerate(scenario.actors.items()):
        for j, process in enumerate(spec.processes):
            rng = stream(i, j)
            label = f"{actor}/{process.kind}"
            for spot in _spots(rng, process, front, scenario.theatre.depth_km, horizon_h):
                happenings.append(_happening(rng, process, actor, label, spot))
    happenings.sort(key=lambda h: (h.hours, h.actor, h.process))
    return happenings


def _spots(
    rng: np.random.Generator, process: Process, front: Front, depth_km: float, horizon_h: float
) -> list[_Spot]:
    def place(at_h: float) -> _Spot:
        return _Spot(at_h, *front.point(rng.uniform(*process.sector), rng.normal(0, depth_km)))

    if isinstance(process, Poisson):
        end = horizon_h if process.until is None else min(horizon_h, hours(process.until))
        return [place(t) for t in poisson_times(rng, process.rate, hours(process.start), end)]
    if isinstance(process, Offensive):
        return [place(t) for t in offensive_times(rng, process, horizon_h)]
    if isinstance(process, Scheduled):
        return [place(t) for t in sorted(hours(d) for d in process.at) if 0 <= t < horizon_h]
    if isinstance(process, Hawkes):
        return hawkes_spots(rng, process, place, horizon_h)
    return _provocations(rng, process, place, horizon_h)


def poisson_times(
    rng: np.random.Generator, per_day: float, start_h: float, end_h: float
) -> list[float]:
    """A homogeneous Poisson process on `[start_h, end_h)`, sorted."""
    if end_h <= start_h or per_day <= 0:
        return []
    count = rng.poisson(per_day / HOURS_PER_DAY * (end_h - start_h))
    return sorted(float(t) for t in rng.uniform(start_h, end_h, count))


def offensive_times(rng: np.random.Generator, spec: Offensive, horizon_h: float) -> list[float]:
    """An inhomogeneous Poisson process by thinning: rate `peak * ramp-up share`."""
    start, ramp, hold = hours(spec.start), hours(spec.ramp), hours(spec.hold)
    end = min(horizon_h, start + ramp + hold)
    kept = []
    for t in poisson_times(rng, spec.peak, start, end):
        share = 1.0 if ramp == 0 else min(1.0, (t - start) / ramp)
        if rng.random() < share:
            kept.append(t)
    return kept


def offensive_expected_count(spec: Offensive, horizon_h: float) -> float:
    """The mean number of events an offensive makes (the integral of its rate)."""
    start, ramp, hold = hours(spec.start), hours(spec.ramp), hours(spec.hold)
    per_hour = spec.peak / HOURS_PER_DAY
    ramp_end = min(horizon_h, start + ramp)
    ramping = 0.0 if ramp == 0 else per_hour * max(0.0, ramp_end - start) ** 2 / (2 * ramp)
    holding = per_hour * max(0.0, min(horizon_h, start + ramp + hold) - max(start, ramp_end))
    return ramping + holding


def hawkes_spots(
    rng: np.random.Generator,
    spec: Hawkes,
    place: Callable[[float], _Spot],
    horizon_h: float,
) -> list[_Spot]:
    """The cluster (branching) form of a Hawkes process with an exponential kernel.

    Background events are a Poisson process; every event, background or not, has a
    Poisson(`excitation`) number of offspring, each an exponential lag (mean `decay`)
    later and `cluster_km` about it. Offspring past the horizon are dropped.
    """
    decay_h = hours(spec.decay)
    spots = [place(t) for t in poisson_times(rng, spec.background, 0.0, horizon_h)]
    parents = list(spots)
    while parents:
        children = []
        for parent in parents:
            for _ in range(rng.poisson(spec.excitation)):
                at = parent.hours + float(rng.exponential(decay_h))
                if at < horizon_h:
                    north, east = rng.normal(0, spec.cluster_km, 2).tolist()
                    children.append(_Spot(at, *shift(parent.lat, parent.lon, north, east)))
        spots.extend(children)
        parents = children
    return sorted(spots, key=lambda s: s.hours)


def _provocations(
    rng: np.random.Generator, spec: Spoiler, place: Callable[[float], _Spot], horizon_h: float
) -> list[_Spot]:
    spots = []
    for t in poisson_times(rng, spec.provocations, 0.0, horizon_h):
        spot = place(t)
        framed = spec.frames[rng.integers(len(spec.frames))]
        spots.append(_Spot(spot.hours, spot.lat, spot.lon, framed))
    return spots


def _happening(
    rng: np.random.Generator, process: Process, actor: str, label: str, spot: _Spot
) -> Happening:
    killed, injured = 0, 0
    if rng.random() < process.casualties.chance:
        killed = int(rng.poisson(process.casualties.killed))
        injured = int(rng.poisson(process.casualties.injured))
        if killed + injured == 0:
            injured = 1
    return Happening(
        hours=spot.hours,
        lat=spot.lat,
        lon=spot.lon,
        actor=actor,
        process=label,
        event_type=weighted(rng, process.event_types),
        target=weighted(rng, process.targets),
        killed=killed,
        injured=injured,
        framed=spot.framed,
        disguise=process.disguise if isinstance(process, Spoiler) else 0.0,
    )


def weighted(rng: np.random.Generator, weights: dict[K, float]) -> K:
    keys: Sequence[K] = list(weights)
    total = sum(weights.values())
    return keys[int(rng.choice(len(keys), p=[weights[k] / total for k in keys]))]


def hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600.0
