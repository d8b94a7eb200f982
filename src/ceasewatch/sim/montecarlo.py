"""Monte Carlo runs: generate a run's reports once, replay them under every policy, score.

Each policy sees the very same reports in a run (the runs are paired), and replays
them with `services.replay.replay`: the code path of `ceasewatch replay`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..domain.policy import Policy
from ..services.replay import replay
from .generate import generate_run
from .outcomes import score
from .scenario import Scenario
from .sweep import Sweep, SweepError

Row = dict[str, Any]


@dataclass(frozen=True)
class PolicyVariant:
    """A policy under a label, perhaps one point of a sweep."""

    label: str
    policy: Policy
    base: str
    """The label of the policy it was made from (itself, outside a sweep)."""
    sweep_param: str | None = None
    sweep_value: str | None = None


@dataclass(frozen=True)
class Experiment:
    scenario: Scenario
    variants: tuple[PolicyVariant, ...]
    seed: int
    runs: int

    def __post_init__(self) -> None:
        if self.seed < 0:
            raise ValueError("the seed must be a non-negative integer")
        if self.runs < 1:
            raise ValueError("at least one run")
        labels = [v.label for v in self.variants]
        if not labels or len(set(labels)) != len(labels):
            raise ValueError(f"policies need distinct labels (got {labels})")


def policy_variants(
    policies: Sequence[tuple[str, Policy]], sweep: Sweep | None = None
) -> tuple[PolicyVariant, ...]:
    """Each policy under its name (with how it was asked for, when two share a name), or
    once per value of the sweep, labelled `NAME[PATH=VALUE]`."""
    names = [policy.name for _, policy in policies]
    variants = []
    for asked, policy in policies:
        label = policy.name if names.count(policy.name) == 1 else f"{policy.name} ({asked})"
        if sweep is None:
            variants.append(PolicyVariant(label, policy, label))
            continue
        for value in sweep.values:
            try:
                varied = sweep.apply(policy, value)
            except SweepError as exc:
                raise SweepError(f"--sweep on {label}: {exc}") from None
            tag = f"{label}[{sweep.param}={value}]"
            variants.append(PolicyVariant(tag, varied, label, sweep.param, value))
    return tuple(variants)


def simulate_run(experiment: Experiment, run: int) -> list[Row]:
    """One run under every policy: one row each, in the experiment's policy order."""
    scenario = experiment.scenario
    generated = generate_run(scenario, experiment.seed, run)
    reports = generated.plain_reports
    rows = []
    for variant in experiment.variants:
        result = replay(scenario.ceasefire, variant.policy, reports)
        outcome = score(generated, scenario.ceasefire, result)
        rows.append(
            {
                "scenario": scenario.name,
                "policy": variant.label,
                "base_policy": variant.base,
                "sweep_param": variant.sweep_param,
                "sweep_value": variant.sweep_value,
                "seed": experiment.seed,
                "run": run,
                **outcome.as_row(),
            }
        )
    return rows


def simulate_batch(experiment: Experiment, runs: Sequence[int]) -> list[Row]:
    """Several runs, for one task of a worker pool or cluster."""
    return [row for run in runs for row in simulate_run(experiment, run)]


def in_run_order(rows: list[Row], experiment: Experiment) -> list[Row]:
    """Rows sorted by run, then by the experiment's policy order: never by completion."""
    order = {v.label: i for i, v in enumerate(experiment.variants)}
    return sorted(rows, key=lambda row: (row["run"], order[row["policy"]]))
