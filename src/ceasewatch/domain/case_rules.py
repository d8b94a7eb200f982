"""Incidents into cases (rules 1-5): a verified violation opens its violator's case or
joins it; phases are recommended as fighting continues or escalates; cases close.

Also what a case does when an incident stops counting (rejected, merged) and when a
timer fires (escalation, quiet close); the timers themselves are `timers.py`'s.
"""

from __future__ import annotations

from datetime import datetime

from . import events as ev
from .cases import Action, Case
from .halting import Halting
from .incidents import Incident, Status
from .severity import Severity
from .state import How, State
from .timers import Timer, TimerKind, TimerQueue
from .violations import Violations


class CaseRules:
    def __init__(
        self, state: State, queue: TimerQueue, violations: Violations, halting: Halting
    ) -> None:
        self._state = state
        self._queue = queue
        self._violations = violations
        self._halting = halting
        self._case_count: dict[str, int] = {}
        self._last_closed: dict[str, Case] = {}
        # the policy is immutable: look its rules up once, not at every report
        policy, ceasefire = state.policy, state.ceasefire
        self._policy = policy
        self._phase2_after = policy.phase2_after
        trigger = policy.phase3_trigger
        assert trigger.after_open and trigger.severity and trigger.recent_violation
        self._phase3_after_open = trigger.after_open
        self._phase3_severity = Severity.from_label(trigger.severity)
        self._phase3_recent = trigger.recent_violation
        self._quiet = policy.close.quiet
        self._parties = frozenset(ceasefire.parties)
        self._zoned = ceasefire.zone is not None

    def verify(self, incident: Incident, how: How) -> None:
        """An incident is verified now: a violation counts, unless it halts a breach."""
        incident.verified_how, incident.verified_by = how
        incident.status = Status.VERIFIED
        incident.verified_at = self._state.clock
        incident.violation_at = incident.occurred_at
        changes = self._state.changes
        changes.incidents[incident.id] = incident
        changes.verified.append(incident)
        if self._is_violation(incident) and not self._halting.halts_breach(incident):
            self.count_violation(incident)

    def count_violation(self, incident: Incident) -> None:
        """Rules 1-3 and 5: a verified violation opens its violator's case or joins it."""
        raised = self._violations.record(incident)
        violator = incident.perpetrator
        assert violator is not None
        case = self._state.open.get(violator)
        if case is None:
            self._open_case(violator, incident)
        else:
            self._add_to_case(case, incident)
        for other in raised:
            self.severity_rose(other)

    def _is_violation(self, incident: Incident) -> bool:
        """Attributed to a party, inside the ceasefire's period, zone and scope."""
        cf = self._state.ceasefire
        at = incident.violation_at
        if at is None or incident.perpetrator not in self._parties or not cf.in_period(at):
            return False
        if self._zoned and not cf.in_zone(incident.lat, incident.lon):
            return False
        return cf.scope is None or cf.scope.covers(
            incident.event_types, (r.target for r in incident.reports)
        )

    def _open_case(self, violator: str, incident: Incident) -> None:
        state = self._state
        number = self._case_count.get(violator, 0) + 1
        self._case_count[violator] = number
        assert incident.violation_at is not None
        case = Case(
            id=f"{state.ceasefire.id}/{violator}/{number}",
            seq=len(state.cases) + 1,
            ceasefire=state.ceasefire.id,
            violator=violator,
            opened=incident.violation_at,
            opened_at=state.clock,
            incidents=[incident],
            last_violation=incident.violation_at,
        )
        incident.case = case.id
        state.cases[case.id] = case
        state.open[violator] = case
        self._halting.file(case, incident)
        phase = self._opening_phase(violator)
        self._add_actions(case, 1, case.opened)
        state.emit(
            case,
            ev.CASE_OPENED,
            phase=phase,
            incident=incident.id,
            severity=incident.severity.label,
        )
        if phase > 1:
            for number in range(2, phase + 1):
                self._recommend(case, number, incident, reason="repeat_offence")
        self._queue.schedule(
            Timer(case.opened + self._phase3_after_open, TimerKind.ESCALATION, case.seq, case.id)
        )
        self._queue.schedule(Timer(case.opened + self._quiet, TimerKind.QUIET, case.seq, case.id))

    def _opening_phase(self, violator: str) -> int:
        rule = self._policy.repeat_offence
        previous = self._last_closed.get(violator)
        if not rule.enabled or previous is None or previous.closed_at is None:
            return 1
        return rule.open_at_phase if self._state.clock - previous.closed_at <= rule.within else 1

    def _add_to_case(self, case: Case, incident: Incident) -> None:
        assert incident.violation_at is not None and case.last_violation is not None
        incident.case = case.id
        case.incidents.append(incident)
        case.last_violation = max(case.last_violation, incident.violation_at)
        self._halting.file(case, incident)
        self._state.emit(
            case, ev.VIOLATION_ADDED, incident=incident.id, severity=incident.severity.label
        )
        if 2 not in case.recommended and incident.violation_at > case.opened + self._phase2_after:
            self._recommend(case, 2, incident, reason="fighting_continues")
        self.check_escalation(case)

    def severity_rose(self, incident: Incident) -> None:
        case = self._state.cases.get(incident.case) if incident.case else None
        if case is not None and case.is_open:
            self._state.emit(
                case, ev.SEVERITY_RAISED, incident=incident.id, severity=incident.severity.label
            )
            self.check_escalation(case)

    def check_escalation(self, case: Case) -> None:
        """Rule 3: after the wait, a broad attack in the case and a recent violation."""
        now = self._state.clock
        if (
            3 in case.recommended
            or not case.is_open
            or now < case.opened + self._phase3_after_open
            or case.last_violation is None
            or case.last_violation <= now - self._phase3_recent
        ):
            return
        severe = self._phase3_severity
        broad = next((i for i in case.incidents if i.severity >= severe and i.verified), None)
        if broad is not None:
            self._recommend(case, 3, broad, reason="broad_attack")

    def _recommend(self, case: Case, phase: int, incident: Incident, reason: str) -> None:
        now = self._state.clock
        case.recommended[phase] = now
        case.phase = max(case.phase, phase)
        self._add_actions(case, phase, now)
        self._state.emit(
            case, ev.PHASE_RECOMMENDED, phase=phase, incident=incident.id, reason=reason
        )

    def _add_actions(self, case: Case, phase: int, anchor: datetime) -> None:
        for spec in self._policy.phase(phase).actions:
            due = anchor + spec.deadline if spec.deadline is not None else None
            case.actions.append(Action(spec.id, phase, spec.title, list(spec.owners), due))
            if due is not None:
                self._queue.schedule(Timer(due, TimerKind.DEADLINE, case.seq, case.id, spec.id))

    def close(self, case: Case, at: datetime, reason: str) -> None:
        case.closed_at, case.close_reason = at, reason
        del self._state.open[case.violator]
        self._halting.drop(case)
        self._last_closed[case.violator] = case
        self._state.emit(case, ev.CASE_CLOSED, reason=reason, phase=case.phase)

    def stop_counting(self, incident: Incident, event: str, **details: object) -> None:
        """An incident of an open case no longer counts (rejected, merged into another).

        The quiet close runs from the last violation that still counts, or from the
        opening if none does.
        """
        state = self._state
        case = state.cases.get(incident.case) if incident.case else None
        if case is None or not case.is_open:
            return
        state.emit(case, event, incident=incident.id, **details)
        counting = [i.violation_at for i in case.incidents if i.verified and i.violation_at]
        case.last_violation = max(counting, default=case.opened)
        quiet = case.last_violation + self._quiet
        self._queue.schedule(Timer(quiet, TimerKind.QUIET, case.seq, case.id))
