"""Summaries across runs, and policies compared run by run."""

from __future__ import annotations

from typing import Any

import pytest

from ceasewatch.sim.summary import paired_differences, summarise


def row(policy: str, run: int, **outcome: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "policy": policy,
        "base_policy": policy,
        "sweep_param": None,
        "sweep_value": None,
        "run": run,
        "breaches": 4,
        "missed_breaches": 0,
        "hours_to_phase1": None,
        "hours_to_phase2": None,
        "hours_to_phase3": None,
        "reached_phase1": False,
        "reached_phase2": False,
        "reached_phase3": False,
        "false_phase1": 0,
        "false_phase2": 0,
        "false_phase3": 0,
        "false_escalations": 0,
        "cases": 0,
        "overdue_actions": 0,
    }
    values.update(outcome)
    return values


ROWS = [
    row("fast", 0, reached_phase1=True, hours_to_phase1=2.0, false_phase1=1, false_escalations=1),
    row("slow", 0, reached_phase1=True, hours_to_phase1=10.0, missed_breaches=2),
    row("fast", 1, reached_phase1=True, hours_to_phase1=4.0, reached_phase2=True),
    row("slow", 1),
]


def test_each_policy_is_summarised_in_the_order_given():
    fast, slow = summarise(ROWS)
    assert (fast.policy, slow.policy) == ("fast", "slow")
    assert fast.reached == (1.0, 0.5, 0.0)
    assert slow.reached == (0.5, 0.0, 0.0)


def test_time_to_a_phase_is_summarised_over_the_runs_that_reached_it():
    fast, slow = summarise(ROWS)
    assert fast.hours_to_phase[0] is not None and slow.hours_to_phase[0] is not None
    assert (fast.hours_to_phase[0].median, fast.hours_to_phase[0].n) == (3.0, 2)
    assert (slow.hours_to_phase[0].median, slow.hours_to_phase[0].n) == (10.0, 1)
    assert fast.hours_to_phase[1] is None


def test_false_escalations_and_misses_are_per_run_and_per_breach():
    fast, slow = summarise(ROWS)
    assert fast.false_per_run == (0.5, 0.0, 0.0)
    assert fast.runs_with_false == 0.5
    assert slow.missed_share == pytest.approx(2 / 8)


def test_policies_are_compared_with_the_first_on_the_runs_both_answered():
    [slow] = paired_differences(ROWS)
    assert (slow.policy, slow.baseline) == ("slow", "fast")
    assert slow.hours_later[0] == 8.0 and slow.paired_runs[0] == 1
    assert slow.false_more_per_run == -0.5
    assert slow.missed_more_per_run == 1.0
