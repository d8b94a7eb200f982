"""Known answers: scenarios whose outcome the protocol's rules fix, whatever the seed."""

from __future__ import annotations

from datetime import timedelta

from ceasewatch.config import load_policy
from ceasewatch.services.replay import replay
from ceasewatch.sim.generate import generate_run
from ceasewatch.sim.montecarlo import Row, simulate_batch, simulate_run
from ceasewatch.sim.outcomes import score
from ceasewatch.sim.scenario import Scenario
from sim_builders import EXAMPLES, actor, experiment, ministry, monitor, osint, scenario

RUNS = 20
CAUTIOUS = EXAMPLES / "policy-cautious.yaml"


def outcomes(chosen: Scenario, runs: int = RUNS) -> list[Row]:
    return simulate_batch(experiment(chosen, runs), range(runs))


def one_certain_breach() -> Scenario:
    """RU fires once, on day 2; three monitoring teams see it and report it within hours."""
    return scenario(
        {"RU": actor({"kind": "scheduled", "at": ["2d"], "event_types": {"artillery": 1}})},
        [monitor("monitor-1"), monitor("monitor-2"), monitor("monitor-3")],
    )


def test_one_certain_well_reported_breach_reaches_phase_1_in_every_run_and_never_phase_2():
    rows = outcomes(one_certain_breach())

    assert all(r["reached_phase1"] for r in rows)
    assert not any(r["reached_phase2"] or r["reached_phase3"] for r in rows)
    assert all(r["breaches"] == 1 and r["missed_breaches"] == 0 for r in rows)
    assert all(r["false_escalations"] == 0 and r["cases"] == 1 for r in rows)


def test_time_to_phase_1_is_the_wait_for_the_first_report_that_verifies_it():
    chosen = one_certain_breach()
    for run in range(5):
        generated = generate_run(chosen, 1, run)
        [breach] = generated.events
        first_report = min(g.report.arrival for g in generated.reports)
        [row] = simulate_run(experiment(chosen, 5), run)
        assert row["first_breach_at"] == breach.at
        assert row["hours_to_phase1"] == (first_report - breach.at) / timedelta(hours=1)


def test_a_spoilers_party_statements_alone_never_open_a_case():
    chosen = scenario(
        {
            "SPOILER": actor(
                {
                    "kind": "spoiler",
                    "frames": ["RU", "UA"],
                    "false_reports": 5.0,
                    "via": ["ru-mod", "ua-mod"],
                    "outlets": [1, 2],
                    "sector": [0.5, 0.5],
                }
            )
        },
        [ministry("ru-mod", "RU"), ministry("ua-mod", "UA")],
    )
    rows = outcomes(chosen)

    assert all(r["fabricated_reports"] >= 100 for r in rows)
    assert not any(r["reached_phase1"] for r in rows)
    assert all(r["cases"] == 0 and r["breaches"] == 0 for r in rows)


def test_a_fabrication_planted_through_two_independent_outlets_is_a_false_escalation():
    chosen = scenario(
        {
            "SPOILER": actor(
                {
                    "kind": "spoiler",
                    "frames": ["UA"],
                    "false_reports": 0.2,
                    "via": ["osint-1", "osint-2"],
                    "outlets": [2, 2],
                }
            )
        },
        [osint("osint-1", time_error="1m"), osint("osint-2", time_error="1m")],
    )
    rows = outcomes(chosen)

    assert sum(r["false_phase1"] for r in rows) > 0
    assert all(r["false_phase1"] == r["cases"] for r in rows)
    assert all(r["hours_to_phase1"] is None for r in rows)  # no real breach: no response time


def test_a_staged_provocation_blamed_on_a_party_is_a_false_escalation_not_a_breach():
    chosen = scenario(
        {
            "SPOILER": actor(
                {"kind": "spoiler", "frames": ["UA"], "provocations": 0.3, "disguise": 1.0}
            )
        },
        [monitor("monitor-1")],
    )
    rows = outcomes(chosen)

    assert all(r["breaches"] == 0 for r in rows)
    assert sum(r["false_phase1"] for r in rows) > 0
    assert all(r["false_phase1"] == r["cases"] for r in rows)


def test_a_breach_nobody_sees_is_missed():
    chosen = scenario(
        {"RU": actor({"kind": "poisson", "rate": 1.0})},
        [monitor("monitor-1", detection=0.0)],
    )
    rows = outcomes(chosen)

    assert all(r["missed_breaches"] == r["breaches"] > 0 for r in rows)
    assert not any(r["reached_phase1"] for r in rows)


def test_fire_outside_the_ceasefire_period_is_no_breach():
    chosen = scenario(
        {"RU": actor({"kind": "scheduled", "at": ["2d"]})},
        [monitor("monitor-1")],
        ceasefire={
            "id": "cf-late",
            "name": "Late ceasefire",
            "parties": ["RU", "UA"],
            "effective_from": "2026-03-01T00:00:00Z",
            "effective_until": "2026-03-02T00:00:00Z",
        },
    )
    [row] = outcomes(chosen, runs=1)
    assert (row["breaches"], row["cases"], row["first_breach_at"]) == (0, 0, None)


def test_sustained_fire_reaches_phase_2_on_true_evidence():
    chosen = scenario(
        {"RU": actor({"kind": "scheduled", "at": ["2d", "3d12h"]})},
        [monitor("monitor-1")],
    )
    rows = outcomes(chosen)

    assert all(r["reached_phase2"] and r["false_phase2"] == 0 for r in rows)
    assert all(36 <= r["hours_to_phase2"] <= 48 for r in rows)


def test_each_policy_of_a_run_is_scored_on_a_replay_of_the_same_reports():
    chosen = one_certain_breach()
    policies = ("three-phase", str(CAUTIOUS))
    generated = generate_run(chosen, 3, 0)
    rows = simulate_run(experiment(chosen, 1, seed=3, policies=policies), 0)

    assert [row["policy"] for row in rows] == ["three-phase", "cautious"]
    for policy, row in zip(policies, rows, strict=True):
        result = replay(chosen.ceasefire, load_policy(policy), generated.plain_reports)
        expected = score(generated, chosen.ceasefire, result).as_row()
        assert {key: row[key] for key in expected} == expected
