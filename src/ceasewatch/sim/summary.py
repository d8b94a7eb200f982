"""Outcomes per policy across runs, and policies compared run by run on the same seeds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .montecarlo import Row
from .outcomes import PHASES


@dataclass(frozen=True)
class Spread:
    """A distribution of hours: its median and 10th and 90th percentiles, over `n` runs."""

    median: float
    p10: float
    p90: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread | None:
        if not values:
            return None
        p10, median, p90 = np.percentile(np.asarray(values, dtype=float), [10, 50, 90])
        return cls(float(median), float(p10), float(p90), len(values))


@dataclass(frozen=True)
class PolicySummary:
    policy: str
    base_policy: str
    sweep_param: str | None
    sweep_value: str | None
    runs: int
    reached: tuple[float, float, float]
    """Share of runs in which each phase was reached, on any evidence."""
    hours_to_phase: tuple[Spread | None, Spread | None, Spread | None]
    """Hours from the first breach to each phase reached on true evidence."""
    false_per_run: tuple[float, float, float]
    """False escalations per run, by phase."""
    runs_with_false: float
    """Share of runs with at least one false escalation."""
    missed_share: float | None
    """Share of all breaches (over all runs) that were missed; None without breaches."""
    breaches_per_run: float
    cases_per_run: float
    overdue_per_run: float

    @property
    def false_escalations_per_run(self) -> float:
        return sum(self.false_per_run)


@dataclass(frozen=True)
class PairedDifference:
    """A policy against the baseline on the same runs: positive hours mean it is slower."""

    policy: str
    baseline: str
    hours_later: tuple[float | None, float | None, float | None]
    """Mean difference in hours to each phase, over runs where both reached it truly."""
    paired_runs: tuple[int, int, int]
    false_more_per_run: float
    missed_more_per_run: float


def labels_in_order(rows: Sequence[Row]) -> list[str]:
    return list(dict.fromkeys(row["policy"] for row in rows))


def summarise(rows: Sequence[Row]) -> list[PolicySummary]:
    """One summary per policy, in the order the policies were given."""
    return [_summary([r for r in rows if r["policy"] == label]) for label in labels_in_order(rows)]


def _summary(rows: list[Row]) -> PolicySummary:
    first = rows[0]
    runs = len(rows)
    breaches = sum(r["breaches"] for r in rows)
    return PolicySummary(
        policy=first["policy"],
        base_policy=first["base_policy"],
        sweep_param=first["sweep_param"],
        sweep_value=first["sweep_value"],
        runs=runs,
        reached=_by_phase(lambda k: sum(r[f"reached_phase{k}"] for r in rows) / runs),
        hours_to_phase=(_spread(rows, 1), _spread(rows, 2), _spread(rows, 3)),
        false_per_run=_by_phase(lambda k: sum(r[f"false_phase{k}"] for r in rows) / runs),
        runs_with_false=sum(r["false_escalations"] > 0 for r in rows) / runs,
        missed_share=sum(r["missed_breaches"] for r in rows) / breaches if breaches else None,
        breaches_per_run=breaches / runs,
        cases_per_run=sum(r["cases"] for r in rows) / runs,
        overdue_per_run=sum(r["overdue_actions"] for r in rows) / runs,
    )


def _spread(rows: list[Row], phase: int) -> Spread | None:
    key = f"hours_to_phase{phase}"
    return Spread.of([r[key] for r in rows if r[key] is not None])


def _by_phase(value: Callable[[int], float]) -> tuple[float, float, float]:
    one, two, three = (float(value(k)) for k in PHASES)
    return one, two, three


def paired_differences(rows: Sequence[Row]) -> list[PairedDifference]:
    """Every policy against the first one, run by run (the runs are paired by seed)."""
    labels = labels_in_order(rows)
    by_run = {(r["policy"], r["run"]): r for r in rows}
    runs = sorted({r["run"] for r in rows})
    baseline = labels[0]
    return [_paired(by_run, runs, label, baseline) for label in labels[1:]]


def _paired(
    by_run: dict[tuple[str, int], Row], runs: list[int], label: str, baseline: str
) -> PairedDifference:
    pairs = [(by_run[(label, run)], by_run[(baseline, run)]) for run in runs]
    later: list[float | None] = []
    counts: list[int] = []
    for phase in PHASES:
        key = f"hours_to_phase{phase}"
        deltas = [a[key] - b[key] for a, b in pairs if a[key] is not None and b[key] is not None]
        later.append(float(np.mean(deltas)) if deltas else None)
        counts.append(len(deltas))
    return PairedDifference(
        policy=label,
        baseline=baseline,
        hours_later=(later[0], later[1], later[2]),
        paired_runs=(counts[0], counts[1], counts[2]),
        false_more_per_run=_mean_difference(pairs, "false_escalations"),
        missed_more_per_run=_mean_difference(pairs, "missed_breaches"),
    )


def _mean_difference(pairs: list[tuple[Row, Row]], key: str) -> float:
    return float(np.mean([a[key] - b[key] for a, b in pairs]))
