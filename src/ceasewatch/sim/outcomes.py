"""Scoring one replay of a run against the run's ground truth.

- A **breach** is a real event by a party inside the ceasefire's period, zone and scope.
- A phase is reached **on true evidence** when the incident the engine names with it
  (`case_opened`: phase 1; `phase_recommended`: phases 2 and 3) holds a report of a real
  event by the case's violator. Otherwise it is a **false escalation**: every report
  behind it was fabricated, or blamed the violator for someone else's act.
- **Time to phase k**: from the run's first breach to the first phase-k event on true
  evidence, in hours (none when phase k is never reached on true evidence).
- A breach is **missed** when no verified violation of its party holds a report of it.
- **Overdue actions**: `action_overdue` events. The simulation, like `replay`, marks no
  action done, so this counts every deadline the protocol set in a case that was still
  open at its deadline: the load of deadlines the policy imposes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from ..domain import events as ev
from ..domain.ceasefire import Ceasefire
from ..domain.events import ProtocolEvent
from ..services.replay import ReplayResult
from .truth import GeneratedRun

PHASES = (1, 2, 3)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one policy did in one run: one row of results.parquet, less the labels."""

    breaches: int
    missed_breaches: int
    reports: int
    fabricated_reports: int
    misattributed_reports: int
    first_breach_at: datetime | None
    hours_to_phase1: float | None
    hours_to_phase2: float | None
    hours_to_phase3: float | None
    reached_phase1: bool
    reached_phase2: bool
    reached_phase3: bool
    false_phase1: int
    false_phase2: int
    false_phase3: int
    false_escalations: int
    cases: int
    overdue_actions: int
    protocol_events: int

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


def phase_of(event: ProtocolEvent) -> int | None:
    """The phase an event reaches: 1 for an opening, 2 or 3 for a recommendation."""
    if event.event == ev.CASE_OPENED:
        return 1
    if event.event == ev.PHASE_RECOMMENDED:
        phase = event.details["phase"]
        assert isinstance(phase, int)
        return phase
    return None


def score(run: GeneratedRun, ceasefire: Ceasefire, result: ReplayResult) -> Outcome:
    breaches = [e for e in run.events if e.is_breach_of(ceasefire)]
    first_breach = min((e.at for e in breaches), default=None)
    reached: dict[int, bool] = dict.fromkeys(PHASES, False)
    false: dict[int, int] = dict.fromkeys(PHASES, 0)
    first_true: dict[int, datetime] = {}
    for event in result.events:
        phase = phase_of(event)
        if phase is None:
            continue
        reached[phase] = True
        if _on_true_evidence(run, result, event):
            first_true.setdefault(phase, event.at)
        else:
            false[phase] += 1
    truths = [g.truth for g in run.reports]
    return Outcome(
        breaches=len(breaches),
        missed_breaches=len(breaches) - len(_answered(run, result) & {e.id for e in breaches}),
        reports=len(run.reports),
        fabricated_reports=sum(t.fabricated for t in truths),
        misattributed_reports=sum(t.misattributed for t in truths),
        first_breach_at=first_breach,
        hours_to_phase1=_hours_after(first_breach, first_true.get(1)),
        hours_to_phase2=_hours_after(first_breach, first_true.get(2)),
        hours_to_phase3=_hours_after(first_breach, first_true.get(3)),
        reached_phase1=reached[1],
        reached_phase2=reached[2],
        reached_phase3=reached[3],
        false_phase1=false[1],
        false_phase2=false[2],
        false_phase3=false[3],
        false_escalations=sum(false.values()),
        cases=len(result.engine.cases),
        overdue_actions=sum(1 for e in result.events if e.event == ev.ACTION_OVERDUE),
        protocol_events=len(result.events),
    )


def _on_true_evidence(run: GeneratedRun, result: ReplayResult, event: ProtocolEvent) -> bool:
    incident = result.engine.incidents[event.details["incident"]]
    return any(run.describes_real_event_by(r, event.violator) for r in incident.reports)


def _answered(run: GeneratedRun, result: ReplayResult) -> set[str]:
    """The real events that a verified violation of their own actor holds a report of."""
    answered: set[str] = set()
    for incident in result.engine.incidents.values():
        if incident.case is None or incident.perpetrator is None:
            continue
        for report in incident.reports:
            truth = run.truth(report)
            if truth.event is not None and run.event(truth.event).actor == incident.perpetrator:
                answered.add(truth.event)
    return answered


def _hours_after(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 3600.0
