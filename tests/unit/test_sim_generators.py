"""The generators: seeded, valid records, ground truth kept, and rates as their parameters say.

The statistical checks draw many runs from one fixed seed, so they cannot be flaky; their
tolerances are still set at about four standard errors, so that they would hold for
almost any seed, and fail when a rate is wrong by more than sampling noise.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from functools import cache
from itertools import pairwise
from statistics import mean, median, pvariance

import pytest

from ceasewatch.domain.reports import SourceKind, parse_report, report_json, report_record
from ceasewatch.sim.breaches import hours, offensive_expected_count
from ceasewatch.sim.generate import generate_run
from ceasewatch.sim.scenario import Offensive, Scenario
from ceasewatch.sim.truth import GeneratedRun
from sim_builders import actor, ministry, monitor, osint, scenario

RUNS = 200


def counts(chosen: Scenario, runs: int = RUNS, seed: int = 7) -> list[int]:
    return [len(generate_run(chosen, seed, run).events) for run in range(runs)]


def within(observed: float, expected: float, standard_error: float) -> bool:
    return abs(observed - expected) <= 4 * standard_error


# -- reproducibility ---------------------------------------------------------------------


@cache
def busy() -> Scenario:
    return scenario(
        {
            "RU": actor(
                {"kind": "poisson", "rate": 1.0},
                {"kind": "hawkes", "background": 0.3, "excitation": 0.5, "decay": "6h"},
            ),
            "UA": actor({"kind": "poisson", "rate": 0.5}),
            "SPOILER": actor(
                {
                    "kind": "spoiler",
                    "frames": ["UA"],
                    "provocations": 0.3,
                    "false_reports": 0.5,
                    "via": ["osint-1", "ru-mod"],
                    "outlets": [1, 2],
                }
            ),
        },
        [
            monitor("monitor-1", detection=0.4, duplicates=0.2),
            osint("osint-1", detection=0.6, misattribution=0.2, false_reports=0.5),
            ministry("ru-mod", "RU", detection=0.5, blames_other_for_own=0.5, false_reports=1),
        ],
        verification={"chance": 0.5, "delay": {"median": "20h"}},
    )


def test_the_same_seed_and_run_give_the_same_reports():
    assert generate_run(busy(), 3, 5) == generate_run(busy(), 3, 5)


def test_runs_and_seeds_differ_from_one_another():
    reports = {
        (seed, run): generate_run(busy(), seed, run).plain_reports
        for seed in (1, 2)
        for run in (0, 1)
    }
    assert len({tuple(report_json(r) for r in rs) for rs in reports.values()}) == 4


def test_a_run_depends_on_its_index_not_on_the_runs_drawn_before_it():
    alone = generate_run(busy(), 11, 9)
    for run in range(9):
        generate_run(busy(), 11, run)
    assert generate_run(busy(), 11, 9) == alone


# -- the records -------------------------------------------------------------------------


@pytest.mark.parametrize("run", range(3))
def test_every_report_is_a_valid_record_that_arrives_after_it_happened(run: int):
    generated = generate_run(busy(), 1, run)
    assert generated.reports
    for g in generated.reports:
        report = g.report
        assert parse_report(report_record(report)) == report
        assert report.reported_at is not None and report.occurred_at <= report.reported_at
    keys = [g.report.key for g in generated.reports]
    assert len(set(keys)) == len(keys)
    arrivals = [g.report.arrival for g in generated.reports]
    assert arrivals == sorted(arrivals)


def test_ground_truth_says_what_each_report_describes():
    generated = generate_run(busy(), 1, 0)
    truths = Counter()
    for g in generated.reports:
        truth, report = g.truth, g.report
        if truth.fabricated:
            truths["fabricated"] += 1
            assert not truth.misattributed
            continue
        event = generated.event(truth.event or "")
        assert truth.misattributed == (report.perpetrator != event.actor)
        truths["misattributed" if truth.misattributed else "true"] += 1
    assert truths["fabricated"] and truths["misattributed"] and truths["true"]


def test_a_party_statement_reports_its_own_sides_fire_only_to_blame_the_other_side():
    own_fire_reported = 0
    for run in range(5):
        generated = generate_run(busy(), 2, run)
        for g in generated.reports:
            event = generated.event(g.truth.event) if g.truth.event else None
            if g.report.source == "ru-mod" and event is not None and event.actor == "RU":
                assert g.report.perpetrator == "UA" and g.truth.misattributed
                own_fire_reported += 1
    assert own_fire_reported


# -- breach processes --------------------------------------------------------------------


def test_poisson_background_comes_at_its_rate_with_poisson_scatter():
    chosen = scenario({"RU": actor({"kind": "poisson", "rate": 2.0})})
    observed = counts(chosen)
    expected = 2.0 * 30
    assert within(mean(observed), expected, (expected / RUNS) ** 0.5)
    # a Poisson count's variance equals its mean; the sample ratio's error is about sqrt(2/n)
    assert within(pvariance(observed) / mean(observed), 1.0, (2 / RUNS) ** 0.5)


def test_poisson_events_are_spread_evenly_over_time():
    chosen = scenario({"RU": actor({"kind": "poisson", "rate": 5.0})})
    days = [
        (e.at - chosen.start) / timedelta(days=1)
        for run in range(40)
        for e in generate_run(chosen, 3, run).events
    ]
    first_half = sum(d < 15 for d in days) / len(days)
    assert within(first_half, 0.5, (0.25 / len(days)) ** 0.5)


def test_hawkes_bursts_average_background_over_one_less_excitation_and_cluster():
    background, excitation = 0.5, 0.5
    chosen = scenario(
        {
            "RU": actor(
                {
                    "kind": "hawkes",
                    "background": background,
                    "excitation": excitation,
                    "decay": "2h",
                }
            )
        },
        duration="200d",
    )
    observed = counts(chosen, runs=150)
    expected = background * 200 / (1 - excitation)
    # a cluster process's variance is the mean times 1 / (1 - excitation) ** 2
    dispersion = 1 / (1 - excitation) ** 2
    assert within(mean(observed), expected, (expected * dispersion / 150) ** 0.5)
    assert pvariance(observed) / mean(observed) > 2.0  # clustered, unlike a Poisson process


def test_hawkes_offspring_follow_their_parent_within_the_decay():
    chosen = scenario(
        {"RU": actor({"kind": "hawkes", "background": 0.05, "excitation": 0.8, "decay": "3h"})}
    )
    gaps = []
    for run in range(60):
        times = [e.at for e in generate_run(chosen, 5, run).events]
        gaps += [(b - a) / timedelta(hours=1) for a, b in pairwise(times)]
    # most events come within a few decays of the one before; background alone would
    # leave about 20 days between them
    assert median(gaps) < 6


def test_an_offensive_ramps_up_from_its_start_and_stops_after_its_hold():
    spec = {"kind": "offensive", "start": "10d", "ramp": "4d", "peak": 8, "hold": "3d"}
    chosen = scenario({"RU": actor(spec)})
    [process] = chosen.actors["RU"].processes
    assert isinstance(process, Offensive)
    expected = offensive_expected_count(process, hours(chosen.duration))
    assert expected == pytest.approx(8 * (4 / 2 + 3))
    days = [
        (e.at - chosen.start) / timedelta(days=1)
        for run in range(RUNS)
        for e in generate_run(chosen, 9, run).events
    ]
    assert within(len(days) / RUNS, expected, (expected / RUNS) ** 0.5)
    assert min(days) >= 10 and max(days) < 17
    # a linear ramp puts a quarter of its events in its first half
    ramp = [d for d in days if d < 14]
    early = sum(d < 12 for d in ramp) / len(ramp)
    assert within(early, 0.25, (0.25 * 0.75 / len(ramp)) ** 0.5)


def test_scheduled_events_happen_when_scheduled():
    chosen = scenario(
        {"UA": actor({"kind": "scheduled", "at": ["2d", "3d12h"], "event_types": {"mine": 1}})}
    )
    events = generate_run(chosen, 1, 0).events
    assert [e.at - chosen.start for e in events] == [timedelta(days=2), timedelta(days=3.5)]
    assert {(e.actor, e.event_type) for e in events} == {("UA", "mine")}


def test_a_spoilers_provocations_and_plants_come_at_their_rates():
    chosen = scenario(
        {
            "SPOILER": actor(
                {
                    "kind": "spoiler",
                    "frames": ["UA"],
                    "provocations": 1.0,
                    "false_reports": 2.0,
                    "via": ["osint-1", "osint-2", "osint-3"],
                    "outlets": [1, 3],
                }
            )
        },
        [osint("osint-1"), osint("osint-2"), osint("osint-3")],
    )
    provocations, plants = [], []
    for run in range(RUNS):
        generated = generate_run(chosen, 4, run)
        provocations.append(len(generated.events))
        assert all(e.framed == "UA" and e.actor == "SPOILER" for e in generated.events)
        plants.append(sum(g.truth.fabricated for g in generated.reports))
    assert within(mean(provocations), 30, (30 / RUNS) ** 0.5)
    # each fabrication goes out through 1, 2 or 3 outlets: 2 reports on average
    assert within(mean(plants), 60 * 2, ((60 * (4 + 2 / 3)) / RUNS) ** 0.5)


# -- the reporting process ---------------------------------------------------------------


@cache
def watched() -> tuple[Scenario, list[GeneratedRun]]:
    chosen = scenario(
        {"RU": actor({"kind": "poisson", "rate": 4.0})},
        [monitor("monitor-1", detection=0.3, delay={"median": "3h", "sigma": 0.5})],
    )
    return chosen, [generate_run(chosen, 8, run) for run in range(50)]


def test_a_source_reports_the_share_of_events_its_detection_says():
    _, runs = watched()
    events = sum(len(r.events) for r in runs)
    seen = sum(len({g.truth.event for g in r.reports}) for r in runs)
    assert within(seen / events, 0.3, (0.3 * 0.7 / events) ** 0.5)


def test_a_sources_reports_arrive_after_its_median_delay_half_the_time():
    _, runs = watched()
    delays = [
        (g.report.arrival - r.event(g.truth.event or "").at) / timedelta(hours=1)
        for r in runs
        for g in r.reports
    ]
    on_time = sum(d <= 3 for d in delays) / len(delays)
    assert within(on_time, 0.5, (0.25 / len(delays)) ** 0.5)


def test_the_mission_checks_its_share_of_reported_events_on_site():
    chosen = scenario(
        {"RU": actor({"kind": "poisson", "rate": 4.0})},
        [osint("osint-1", detection=1.0)],
        verification={"chance": 0.6, "delay": {"median": "20h", "sigma": 0.3}},
    )
    checked, events = 0, 0
    for run in range(30):
        generated = generate_run(chosen, 6, run)
        events += len(generated.events)
        mission = [g for g in generated.reports if g.report.source == "verification-mission"]
        checked += len(mission)
        assert all(g.report.source_kind is SourceKind.MONITOR for g in mission)
        assert all(g.report.reliability == "A" for g in mission)
    assert within(checked / events, 0.6, (0.24 / events) ** 0.5)
