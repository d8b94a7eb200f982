"""One run of a scenario: real events, then the reports about them, from (seed, run) only.

Run `r` of seed `s` draws from `SeedSequence(s, spawn_key=(r, ...))`: the run-th child of
`SeedSequence(s)`, as `spawn` would give it, so a run's reports depend on nothing but the
scenario, the seed and the run's index (not on which worker draws it, nor when). Inside a
run every breach process and every source's inventions draw from a stream of their own.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from ..domain.reports import arrival_order
from .breaches import BREACHES, Happening, draw_breaches, hours
from .geometry import Front
from .reporting import write_reports
from .scenario import Scenario
from .truth import Event, GeneratedRun


def run_stream(seed: int, run: int, *key: int) -> np.random.Generator:
    """The RNG of one part of one run: a child of `SeedSequence(seed)`, by position only."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(run, *key))))


def generate_run(scenario: Scenario, seed: int, run: int) -> GeneratedRun:
    def streams(*key: int) -> np.random.Generator:
        return run_stream(seed, run, *key)

    front = Front(list(scenario.theatre.front))
    horizon_h = hours(scenario.duration)
    happenings = draw_breaches(scenario, front, lambda i, j: streams(BREACHES, i, j), horizon_h)
    events = tuple(_event(scenario, n, h) for n, h in enumerate(happenings, start=1))
    reports = write_reports(scenario, front, events, streams, horizon_h)
    reports.sort(key=lambda g: arrival_order(g.report))
    return GeneratedRun(run, events, tuple(reports))


def _event(scenario: Scenario, number: int, happening: Happening) -> Event:
    at = scenario.start + timedelta(seconds=round(happening.hours * 3600))
    return Event(
        id=f"e-{number}",
        at=at,
        lat=happening.lat,
        lon=happening.lon,
        actor=happening.actor,
        process=happening.process,
        event_type=happening.event_type,
        target=happening.target,
        killed=happening.killed,
        injured=happening.injured,
        framed=happening.framed,
        disguise=happening.disguise,
    )
