"""An analyst's review of incidents: verify, dispute, reject, merge, split, and count a
defensive response (rule 7) as a violation after all.

Each command is checked first and refused (`CommandRefused`, `UnknownRecord`) before it
changes anything; then the clock moves to its instant (timers due by then fire first),
and it takes effect. The engine hands out the events it gave.
"""

from __future__ import annotations

from datetime import datetime

from . import events as ev
from .case_rules import CaseRules
from .corroboration import Corroborator
from .incidents import Incident, Status, Verification
from .refusals import CommandRefused, need_reason
from .state import State
from .timers import Timekeeper


class Review:
    def __init__(
        self, state: State, clock: Timekeeper, cases: CaseRules, corroborator: Corroborator
    ) -> None:
        self._state = state
        self._clock = clock
        self._cases = cases
        self._corroborator = corroborator

    def verify(self, incident_id: str, at: datetime, by: str, reason: str) -> None:
        """An analyst verifies an incident the corroboration rule has not."""
        incident = self._state.incident(incident_id)
        if incident.status is Status.REJECTED:
            raise CommandRefused(f"incident {incident_id} is rejected")
        self._clock.move_to(at)
        if not incident.verified:
            incident.reviewed_by, incident.review_reason = by, reason
            self._cases.verify(incident, (Verification.ANALYST, by))

    def dispute(self, incident_id: str, at: datetime, by: str, reason: str) -> None:
        """An analyst holds an incident for review: corroboration will not verify it.

        Only an incident not yet verified can be disputed (a verified one can be
        rejected); an analyst then verifies or rejects it.
        """
        incident = self._state.incident(incident_id)
        need_reason(reason, "disputing an incident")
        if incident.status is Status.REJECTED:
            raise CommandRefused(f"incident {incident_id} is rejected")
        if incident.verified:
            raise CommandRefused(f"incident {incident_id} is verified: reject it instead")
        self._clock.move_to(at)
        incident.status = Status.DISPUTED
        incident.reviewed_by, incident.review_reason = by, reason
        self._state.changes.incidents[incident.id] = incident

    def reject(self, incident_id: str, at: datetime, by: str, reason: str) -> None:
        """An analyst rejects an incident (or its source withdrew it): it counts no more.

        Phases already recommended and decisions taken stand; in its case the incident
        no longer counts toward phase 3, and the quiet close runs from the last violation
        that still counts (or from the opening, if none does).
        """
        incident = self._state.incident(incident_id)
        need_reason(reason, "rejecting an incident")
        self._clock.move_to(at)
        if incident.status is Status.REJECTED:
            return
        incident.status = Status.REJECTED
        incident.reviewed_by, incident.review_reason = by, reason
        changes = self._state.changes
        changes.incidents[incident.id] = incident
        changes.rejected.append(incident)
        self._cases.stop_counting(incident, ev.INCIDENT_REJECTED, reason=reason)

    def count_as_violation(self, incident_id: str, at: datetime, by: str, reason: str) -> None:
        """An analyst finds a defensive response (rule 7) was a violation after all.

        It counts from this decision's arrival, as a violation verified now would: its
        `occurred_at` still measures the protocol's windows.
        """
        state = self._state
        incident = state.incident(incident_id)
        need_reason(reason, "counting a defensive response as a violation")
        if incident.response_to is None:
            raise CommandRefused(f"incident {incident_id} is not a defensive response")
        if not incident.verified:
            raise CommandRefused(f"incident {incident_id} is {incident.status.value}")
        self._clock.move_to(at)
        case = state.cases[incident.response_to]
        case.responses.remove(incident)
        incident.response_to = None
        incident.reviewed_by, incident.review_reason = by, reason
        state.changes.incidents[incident.id] = incident
        state.emit(case, ev.RESPONSE_RECLASSIFIED, incident=incident.id, by=by, reason=reason)
        self._cases.count_violation(incident)

    def merge(self, target_id: str, others: list[str], at: datetime, by: str, reason: str) -> None:
        """An analyst finds that several incidents are one event: their reports join `target`.

        The others become `merged` and stop counting in their cases; the target is
        verified if any part was, or if together they meet the corroboration rule.
        """
        need_reason(reason, "merging an incident")
        state, corroborator = self._state, self._corroborator
        target = state.incident(target_id)
        parts = [state.incident(i) for i in others]
        if not parts or target_id in others or len(set(others)) != len(others):
            raise CommandRefused(
                "merge names the target and one or more other incidents, once each"
            )
        _check_mergeable(target, parts)
        self._clock.move_to(at)
        was_verified, before = target.verified, target.severity
        any_verified = False
        for part in parts:
            any_verified = any_verified or part.verified
            for report in part.reports:
                target.add(report)
            target.groups |= part.groups
            counted = part.verified
            part.status, part.merged_into = Status.MERGED, target.id
            part.reviewed_by, part.review_reason = by, reason
            state.changes.incidents[part.id] = part
            if counted:
                self._cases.stop_counting(part, ev.INCIDENT_MERGED, into=target.id, reason=reason)
        target.reviewed_by, target.review_reason = by, reason
        target.severity = corroborator.severity(target)
        state.changes.incidents[target.id] = target
        if was_verified:
            if target.severity > before:
                self._cases.severity_rose(target)
        elif any_verified:
            self._cases.verify(target, next(p.verification for p in parts if p.verification))
        elif target.status is not Status.DISPUTED and (how := corroborator.qualifies(target)):
            self._cases.verify(target, how)
        elif target.status is Status.UNVERIFIED:
            target.status = Status.CORROBORATED

    def split(
        self, incident_id: str, reports: list[tuple[str, str]], at: datetime, by: str, reason: str
    ) -> None:
        """An analyst finds that some reports describe another event: they leave as a new one.

        The new incident is weighed by the corroboration rule afresh; the one split stays
        verified if it was (what was verified stands), with its summary worked out anew.
        """
        need_reason(reason, "splitting an incident")
        state, corroborator = self._state, self._corroborator
        incident = state.incident(incident_id)
        if incident.status in (Status.REJECTED, Status.MERGED):
            raise CommandRefused(f"incident {incident_id} is {incident.status.value}")
        leaving = tuple(r for r in incident.reports if r.key in set(reports))
        if len(leaving) != len(set(reports)):
            raise CommandRefused(f"not every report named is in incident {incident_id}")
        if not leaving or len(leaving) == len(incident.reports):
            raise CommandRefused("a split moves some of an incident's reports, not none or all")
        self._clock.move_to(at)
        incident.reports = tuple(r for r in incident.reports if r.key not in set(reports))
        incident.summarise()
        incident.groups = corroborator.groups_of(incident.reports)
        incident.severity = corroborator.severity(incident)
        incident.reviewed_by, incident.review_reason = by, reason
        if not incident.verified and incident.status is Status.CORROBORATED:
            incident.status = (
                Status.CORROBORATED if len(incident.reports) > 1 else Status.UNVERIFIED
            )
        state.changes.incidents[incident.id] = incident
        seq = len(state.incidents) + 1
        split = Incident(f"inc-{seq}", seq, incident.perpetrator, leaving)
        split.groups = corroborator.groups_of(leaving)
        split.severity = corroborator.severity(split)
        split.reviewed_by, split.review_reason = by, reason
        state.incidents[split.id] = split
        state.changes.incidents[split.id] = split
        for report in leaving:
            corroborator.index.move(report, split)
        if how := corroborator.qualifies(split):
            self._cases.verify(split, how)
        elif len(leaving) > 1:
            split.status = Status.CORROBORATED


def _check_mergeable(target: Incident, parts: list[Incident]) -> None:
    for incident in (target, *parts):
        if incident.status in (Status.REJECTED, Status.MERGED):
            raise CommandRefused(f"incident {incident.id} is {incident.status.value}")
        if incident.perpetrator != target.perpetrator:
            raise CommandRefused(
                f"incident {incident.id} alleges another perpetrator than {target.id}"
            )
