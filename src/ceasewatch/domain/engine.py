"""The protocol engine: reports and clock ticks in, protocol events out.

Event time only: the engine's clock moves with the arrivals and ticks it is given and
never reads the wall clock, so the same input always yields the same events. At one
instant, timers fire before arrivals.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum
from math import asin, cos, radians, sin, sqrt
from typing import NamedTuple

from . import events as ev
from .cases import Action, Case
from .ceasefire import Ceasefire
from .decisions import Decision, Standing, Who, standing, tally
from .events import ProtocolEvent
from .geo import EARTH_RADIUS_KM
from .incidents import CorroborationIndex, Incident, Status, Verification, precision_km
from .policy import Authorisation, Policy, Repeat
from .reports import Report
from .severity import Severity, SeverityTable
from .sources import Registry, Source, weighed
from .spacetime import KM_PER_DEGREE_LAT, SLACK_KM, Timelines, micros

TRUSTED_INPUT = "trusted input"
"""Who verified an incident made of a trusted report (curated data, --trust-input)."""


How = tuple[Verification, str | None]
"""How an incident was verified, and by whom (see `Verification`)."""


class TimerKind(IntEnum):
    """Timers due at one instant fire in this order."""

    DEADLINE = 0
    ESCALATION = 1
    QUIET = 2
    REALERT = 3


@dataclass(frozen=True, order=True, slots=True)
class Timer:
    due: datetime
    kind: TimerKind
    case_seq: int
    case: str
    action: str = ""


class UnknownRecord(KeyError):
    """A command named an incident, case or action the engine does not hold."""


class CommandRefused(ValueError):
    """A command the protocol does not allow now, with why (e.g. a phase not recommended)."""


class NotAnOwner(CommandRefused):
    """A party marks done an action the policy does not give it."""


@dataclass(slots=True)
class Changes:
    """What the engine changed since it was last asked: for a store to write back."""

    incidents: dict[str, Incident] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    verified: list[Incident] = field(default_factory=list)
    """Incidents that became verified, in order."""
    rejected: list[Incident] = field(default_factory=list)


class _Breach(NamedTuple):
    """A violation of a case, filed where rule 7 looks for the fire that answered it."""

    incident: Incident
    at_us: int
    lat: float
    lon: float
    precision_km: float
    cos_lat: float
    """cos of the latitude, for the haversine worked out once."""


class ViolationHistory:
    """One violator's violations for rule 5's repeat clause.

    They are kept in order of `violation_at` (ties: in the order they became known); a
    violation is a repeat when it is the `count`-th or later in its trailing window. A
    violation's rank only grows as late ones arrive, and a repeat stays one, so the
    violations not yet repeats are also listed apart: a late violation re-examines only
    those, not every later violation in its window.
    """

    def __init__(self) -> None:
        self._times: list[datetime] = []
        self._incidents: list[Incident] = []
        self._open_times: list[datetime] = []
        self._open: list[Incident] = []

    def add(self, incident: Incident, at: datetime, repeat: Repeat | None) -> list[Incident]:
        """File a violation; return those that became repeats with it, in time order."""
        place = bisect_right(self._times, at)
        self._times.insert(place, at)
        self._incidents.insert(place, incident)
        if repeat is None:
            return []
        within = repeat.within
        repeated = []
        # the new violation first: it comes after every one known at its instant
        pos = bisect_right(self._open_times, at)
        if place - bisect_right(self._times, at - within) + 1 >= repeat.count:
            repeated.append(incident)
        else:
            self._open_times.insert(pos, at)
            self._open.insert(pos, incident)
            pos += 1
        # then the later ones it moved up a place
        while pos < len(self._open) and self._open_times[pos] - at < within:
            other = self._open[pos]
            if self._rank(other, self._open_times[pos], within) >= repeat.count:
                del self._open[pos], self._open_times[pos]
                repeated.append(other)
            else:
                pos += 1
        return repeated

    def _rank(self, incident: Incident, at: datetime, within: timedelta) -> int:
        """Its place among the violations in its trailing window, counting from 1."""
        i = bisect_left(self._times, at)
        while self._incidents[i] is not incident:
            i += 1
        return i - bisect_right(self._times, at - within) + 1


class Engine:
    def __init__(
        self,
        ceasefire: Ceasefire,
        policy: Policy,
        *,
        trust_input: bool = False,
        sources: Iterable[Source] = (),
    ) -> None:
        self.ceasefire = ceasefire
        self.policy = policy
        self.trust_input = trust_input
        self.now: datetime | None = None
        self.incidents: dict[str, Incident] = {}
        self.cases: dict[str, Case] = {}
        self.registry = Registry(sources)
        self._graded: dict[tuple[str, str], Source] = {}
        """The registry's entry for each report from a declared source, as it stood when
        the report arrived: rule 6 judges the report by it."""
        self._index = CorroborationIndex(policy.corroboration)
        self._seen: set[tuple[str, str]] = set()
        self._timers: list[Timer] = []
        self._open: dict[str, Case] = {}
        self._case_count: dict[str, int] = {}
        self._last_closed: dict[str, Case] = {}
        self._histories: dict[str, ViolationHistory] = {}
        self._repeat_broad: set[int] = set()
        self._out: list[ProtocolEvent] = []
        self._changes = Changes()
        rules = policy.corroboration
        self._never_counts = frozenset(rules.never_counts)
        self._grades = (
            frozenset(rules.single_source.reliability),
            frozenset(rules.single_source.credibility),
            frozenset(rules.single_source.source_kinds),
        )
        # the policy is immutable: look its rules up once, not at every report
        self._phase2_after = policy.phase2_after
        trigger = policy.phase3_trigger
        assert trigger.after_open and trigger.severity and trigger.recent_violation
        self._phase3_after_open = trigger.after_open
        self._phase3_severity = Severity.from_label(trigger.severity)
        self._phase3_recent = trigger.recent_violation
        self._quiet = policy.close.quiet
        self._realert = policy.alerts.repeat_overdue
        self._repeat = policy.severity.broad_attack.repeat
        self._classify = SeverityTable(policy.severity)
        self._parties = frozenset(ceasefire.parties)
        self._zoned = ceasefire.zone is not None
        self._halting = policy.defensive_response
        self._halting_within_us = self._halting.within // timedelta(microseconds=1)
        self._halting_never = (
            frozenset(self._halting.excluded_event_types),
            frozenset(self._halting.excluded_targets),
        )
        self._breaches: Timelines[_Breach] = Timelines()
        """The violations of open cases, by case number (rule 7's search)."""

    # -- input -------------------------------------------------------------

    def feed(self, report: Report, *, trusted: bool = False) -> list[ProtocolEvent]:
        """Take one report at its arrival: due timers fire first, then the report.

        A trusted report (or any, with `trust_input`) is a verified incident of its own.
        """
        key = report.key
        if key in self._seen:
            return []
        self._seen.add(key)
        self._move_clock(report.arrival)
        if self.registry:
            entry = self.registry.get(report.source)
            if entry is not None:
                self._graded[key] = entry
        self._accept(report, trusted or self.trust_input)
        return self._flush()

    def feed_all(self, reports: Iterable[Report]) -> list[ProtocolEvent]:
        out: list[ProtocolEvent] = []
        for report in reports:
            out.extend(self.feed(report))
        return out

    def advance(self, until: datetime) -> list[ProtocolEvent]:
        """Move the clock to `until`, firing every timer due by then."""
        self._move_clock(until)
        return self._flush()

    def run_out(self) -> list[ProtocolEvent]:
        """Let the clock run until no timer is pending (the end of a replay)."""
        while self._timers:
            self._fire_due(self._timers[0].due)
        return self._flush()

    @property
    def timers_pending(self) -> int:
        return len(self._timers)

    def pending_timers(self) -> list[Timer]:
        """The timers that can still do something: their case open, their action undone."""
        return sorted({t for t in self._timers if self._live(t)})

    def _live(self, timer: Timer) -> bool:
        case = self.cases[timer.case]
        if not case.is_open:
            return False
        deadline = timer.kind in (TimerKind.DEADLINE, TimerKind.REALERT)
        action = case.action(timer.action) if deadline else None
        return action is None or not action.done

    def grading(self, report: Report) -> Source | None:
        """The registry's entry that rule 6 judged this report by (None: undeclared then)."""
        return self._graded.get(report.key)

    # -- commands by people ------------------------------------------------

    def declare_sources(
        self, sources: Iterable[Source], at: datetime | None = None
    ) -> list[ProtocolEvent]:
        """Declare or regrade sources at `at` (timers due by then fire first): reports
        arriving from then on are judged by them; reports already taken keep the judgement
        they had (what was verified stays verified)."""
        if at is not None:
            self._move_clock(at)
        self.registry.declare(sources)
        return self._flush()

    def verify_incident(
        self, incident_id: str, at: datetime, by: str, reason: str = ""
    ) -> list[ProtocolEvent]:
        """An analyst verifies an incident the corroboration rule has not."""
        incident = self._incident(incident_id)
        if incident.status is Status.REJECTED:
            raise CommandRefused(f"incident {incident_id} is rejected")
        self._move_clock(at)
        if not incident.verified:
            incident.reviewed_by, incident.review_reason = by, reason
            self._verify(incident, (Verification.ANALYST, by))
        return self._flush()

    def dispute_incident(
        self, incident_id: str, at: datetime, by: str, reason: str
    ) -> list[ProtocolEvent]:
        """An analyst holds an incident for review: corroboration will not verify it.

        Only an incident not yet verified can be disputed (a verified one can be
        rejected); an analyst then verifies or rejects it.
        """
        incident = self._incident(incident_id)
        _need_reason(reason, "disputing an incident")
        if incident.status is Status.REJECTED:
            raise CommandRefused(f"incident {incident_id} is rejected")
        if incident.verified:
            raise CommandRefused(f"incident {incident_id} is verified: reject it instead")
        self._move_clock(at)
        incident.status = Status.DISPUTED
        incident.reviewed_by, incident.review_reason = by, reason
        self._changes.incidents[incident.id] = incident
        return self._flush()

    def reject_incident(
        self, incident_id: str, at: datetime, by: str, reason: str
    ) -> list[ProtocolEvent]:
        """An analyst rejects an incident (or its source withdrew it): it counts no more.

        Phases already recommended and decisions taken stand; in its case the incident
        no longer counts toward phase 3, and the quiet close runs from the last violation
        that still counts (or from the opening, if none does).
        """
        incident = self._incident(incident_id)
        _need_reason(reason, "rejecting an incident")
        self._move_clock(at)
        if incident.status is Status.REJECTED:
            return self._flush()
        incident.status = Status.REJECTED
        incident.reviewed_by, incident.review_reason = by, reason
        self._changes.incidents[incident.id] = incident
        self._changes.rejected.append(incident)
        self._stop_counting(incident, ev.INCIDENT_REJECTED, reason=reason)
        return self._flush()

    def count_as_violation(
        self, incident_id: str, at: datetime, by: str, reason: str
    ) -> list[ProtocolEvent]:
        """An analyst finds a defensive response (rule 7) was a violation after all.

        It counts from this decision's arrival, as a violation verified now would: its
        `occurred_at` still measures the protocol's windows.
        """
        incident = self._incident(incident_id)
        _need_reason(reason, "counting a defensive response as a violation")
        if incident.response_to is None:
            raise CommandRefused(f"incident {incident_id} is not a defensive response")
        if not incident.verified:
            raise CommandRefused(f"incident {incident_id} is {incident.status.value}")
        self._move_clock(at)
        case = self.cases[incident.response_to]
        case.responses.remove(incident)
        incident.response_to = None
        incident.reviewed_by, incident.review_reason = by, reason
        self._changes.incidents[incident.id] = incident
        self._emit(case, ev.RESPONSE_RECLASSIFIED, incident=incident.id, by=by, reason=reason)
        self._count_violation(incident)
        return self._flush()

    def merge_incidents(
        self, target_id: str, others: list[str], at: datetime, by: str, reason: str
    ) -> list[ProtocolEvent]:
        """An analyst finds that several incidents are one event: their reports join `target`.

        The others become `merged` and stop counting in their cases; the target is
        verified if any part was, or if together they meet the corroboration rule.
        """
        _need_reason(reason, "merging an incident")
        target = self._incident(target_id)
        parts = [self._incident(i) for i in others]
        if not parts or target_id in others or len(set(others)) != len(others):
            raise CommandRefused(
                "merge names the target and one or more other incidents, once each"
            )
        for incident in (target, *parts):
            if incident.status in (Status.REJECTED, Status.MERGED):
                raise CommandRefused(f"incident {incident.id} is {incident.status.value}")
            if incident.perpetrator != target.perpetrator:
                raise CommandRefused(
                    f"incident {incident.id} alleges another perpetrator than {target.id}"
                )
        self._move_clock(at)
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
            self._changes.incidents[part.id] = part
            if counted:
                self._stop_counting(part, ev.INCIDENT_MERGED, into=target.id, reason=reason)
        target.reviewed_by, target.review_reason = by, reason
        target.severity = self._severity(target)
        self._changes.incidents[target.id] = target
        if was_verified:
            if target.severity > before:
                self._severity_rose(target)
        elif any_verified:
            self._verify(target, next(p.verification for p in parts if p.verification))
        elif target.status is not Status.DISPUTED and (how := self._qualifies(target)):
            self._verify(target, how)
        elif target.status is Status.UNVERIFIED:
            target.status = Status.CORROBORATED
        return self._flush()

    def split_incident(
        self,
        incident_id: str,
        reports: list[tuple[str, str]],
        at: datetime,
        by: str,
        reason: str,
    ) -> list[ProtocolEvent]:
        """An analyst finds that some reports describe another event: they leave as a new one.

        The new incident is weighed by the corroboration rule afresh; the one split stays
        verified if it was (what was verified stands), with its summary worked out anew.
        """
        _need_reason(reason, "splitting an incident")
        incident = self._incident(incident_id)
        if incident.status in (Status.REJECTED, Status.MERGED):
            raise CommandRefused(f"incident {incident_id} is {incident.status.value}")
        leaving = [r for r in incident.reports if r.key in set(reports)]
        if len(leaving) != len(set(reports)):
            raise CommandRefused(f"not every report named is in incident {incident_id}")
        if not leaving or len(leaving) == len(incident.reports):
            raise CommandRefused("a split moves some of an incident's reports, not none or all")
        self._move_clock(at)
        incident.reports = [r for r in incident.reports if r.key not in set(reports)]
        incident.summarise()
        incident.groups = self._groups_of(incident.reports)
        incident.severity = self._severity(incident)
        incident.reviewed_by, incident.review_reason = by, reason
        if not incident.verified and incident.status is Status.CORROBORATED:
            incident.status = (
                Status.CORROBORATED if len(incident.reports) > 1 else Status.UNVERIFIED
            )
        self._changes.incidents[incident.id] = incident
        seq = len(self.incidents) + 1
        split = Incident(f"inc-{seq}", seq, incident.perpetrator, leaving)
        split.groups = self._groups_of(leaving)
        split.severity = self._severity(split)
        split.reviewed_by, split.review_reason = by, reason
        self.incidents[split.id] = split
        self._changes.incidents[split.id] = split
        for report in leaving:
            self._index.move(report, split)
        if how := self._qualifies(split):
            self._verify(split, how)
        elif len(leaving) > 1:
            split.status = Status.CORROBORATED
        return self._flush()

    def mark_action_done(
        self,
        case_id: str,
        action_id: str,
        at: datetime,
        by: str,
        note: str = "",
        evidence: tuple[tuple[str, str], ...] = (),
    ) -> list[ProtocolEvent]:
        """Record an action as done; one done late stays overdue. Doing it again changes nothing."""
        case = self._case(case_id)
        action = case.action(action_id)
        if action is None:
            raise UnknownRecord(f"case {case_id} has no action {action_id}")
        self._move_clock(at)
        if not action.done:
            action.done_at, action.done_by, action.note = self._now, by, note
            action.evidence = evidence
            self._emit(case, ev.ACTION_DONE, action=action.id, phase=action.phase, by=by)
        return self._flush()

    def check_action_done(
        self, case_id: str, action_id: str, party: str | None, roles: frozenset[str]
    ) -> None:
        """Whether an action may be marked done now, asked before the command is taken (the
        clock moved first): its case is open, and `party`, when given, is one of its owners
        (a party code, a directory role it holds, or `violator`/`defender` of this case).
        Raises UnknownRecord, CommandRefused or NotAnOwner.

        `mark_action_done` itself takes what a journal holds, as the rules of its day let
        it through.
        """
        case = self._case(case_id)
        action = case.action(action_id)
        if action is None:
            raise UnknownRecord(f"case {case_id} has no action {action_id}")
        if not case.is_open:
            raise CommandRefused(f"case {case.id} is closed ({case.closed_note})")
        who = Who(party or "", roles, case.violator, self.ceasefire.parties)
        if party is not None and not any(who.is_(owner) for owner in action.owners):
            raise NotAnOwner(
                f"{party} is not an owner of {action_id} of case {case.id}: "
                f"its owners are {', '.join(action.owners)}"
            )

    def decide(
        self,
        case_id: str,
        phase: int,
        party: str,
        *,
        authorise: bool,
        reason: str,
        at: datetime,
        roles: frozenset[str] = frozenset(),
    ) -> list[ProtocolEvent]:
        """A party authorises or declines a recommended phase; the quorum may settle it.

        `roles` are the party's roles in the stakeholder directory. Raises CommandRefused
        when the phase is not open to decision or the party may not decide it (after the
        clock has moved to `at`: timers due by then have fired either way).
        """
        case = self._case(case_id)
        self._move_clock(at)
        who = Who(party, roles, case.violator, self.ceasefire.parties)
        authorisation = self._decidable(case, phase, who, reason)
        decision = Decision(phase, party, authorise, reason.strip(), self._now, roles)
        case.decisions.append(decision)
        verdict = "authorise" if authorise else "decline"
        self._emit(
            case,
            ev.DECISION_RECORDED,
            phase=phase,
            party=party,
            decision=verdict,
            reason=decision.reason,
        )
        phase_decisions = [d for d in case.decisions if d.phase == phase]
        parties = self.ceasefire.parties
        settled = standing(
            authorisation, tally(authorisation, phase_decisions, case.violator, parties)
        )
        if settled is not Standing.PENDING:
            case.settled[phase] = (settled, self._now)
            name = ev.PHASE_AUTHORISED if settled is Standing.AUTHORISED else ev.PHASE_DECLINED
            self._emit(case, name, phase=phase)
        return self._flush()

    def _decidable(self, case: Case, phase: int, who: Who, reason: str) -> Authorisation:
        """The phase's authorisation rules, if `who` may decide it now; else CommandRefused."""
        authorisation = self.policy.phase(phase).authorisation if phase in (1, 2, 3) else None
        refusal = None
        if not case.is_open:
            refusal = f"case {case.id} is closed ({case.closed_note})"
        elif phase not in case.recommended:
            refusal = f"phase {phase} of case {case.id} has not been recommended"
        elif authorisation is None or not authorisation.all_rules:
            refusal = f"phase {phase} needs no authorisation"
        elif case.standing(phase) is not Standing.PENDING:
            refusal = f"phase {phase} of case {case.id} is already {case.standing(phase).value}"
        elif not any(who.meets(rule) for rule in authorisation.all_rules):
            named = sorted({p for rule in authorisation.all_rules for p in rule.of})
            refusal = f"{who.party} may not decide phase {phase}: it needs {', '.join(named)}"
        elif any(d.phase == phase and d.party == who.party for d in case.decisions):
            refusal = f"{who.party} has already decided phase {phase} of case {case.id}"
        elif not reason.strip():
            refusal = "a decision needs a reason"
        if refusal is not None:
            raise CommandRefused(refusal)
        assert authorisation is not None
        return authorisation

    def close_case(self, case_id: str, at: datetime) -> list[ProtocolEvent]:
        case = self._case(case_id)
        self._move_clock(at)
        if case.is_open:
            self._close(case, self._now, "manual")
        return self._flush()

    def _stop_counting(self, incident: Incident, event: str, **details: object) -> None:
        """An incident of an open case no longer counts (rejected, merged into another).

        The quiet close runs from the last violation that still counts, or from the
        opening if none does.
        """
        case = self.cases.get(incident.case) if incident.case else None
        if case is None or not case.is_open:
            return
        self._emit(case, event, incident=incident.id, **details)
        counting = [i.violation_at for i in case.incidents if i.verified and i.violation_at]
        case.last_violation = max(counting, default=case.opened)
        quiet = case.last_violation + self._quiet
        self._schedule(Timer(quiet, TimerKind.QUIET, case.seq, case.id))

    def take_changes(self) -> Changes:
        """The incidents and cases changed since the last call (for a store to write)."""
        changes, self._changes = self._changes, Changes()
        return changes

    # -- reports into incidents --------------------------------------------

    def _accept(self, report: Report, trusted: bool) -> None:
        if trusted:
            incident = self._new_incident(report)
            incident.severity = self._severity(incident)
            self._verify(incident, (Verification.TRUSTED_INPUT, TRUSTED_INPUT))
            return
        match = self._index.find(report)
        while match is not None and match.merged_into is not None:
            match = self.incidents[match.merged_into]
        if match is None:
            incident = self._new_incident(report)
        else:
            incident = match
            incident.add(report)
            self._changes.incidents[incident.id] = incident
        self._index.add(report, incident)
        incident.groups |= self._groups_of((report,))
        before = incident.severity
        incident.severity = self._severity(incident)
        if incident.verified:
            if incident.severity > before:
                self._severity_rose(incident)
        elif incident.status in (Status.REJECTED, Status.DISPUTED, Status.MERGED):
            return
        elif how := self._corroborated(incident, report):
            self._verify(incident, how)
        elif len(incident.reports) > 1 and incident.status is Status.UNVERIFIED:
            incident.status = Status.CORROBORATED

    def _new_incident(self, report: Report) -> Incident:
        seq = len(self.incidents) + 1
        incident = Incident.of(report, f"inc-{seq}", seq)
        self.incidents[incident.id] = incident
        self._changes.incidents[incident.id] = incident
        return incident

    def _corroborated(self, incident: Incident, report: Report) -> How | None:
        """Rule 6, as a report arrives: independent groups, or this report graded well."""
        if len(incident.groups) >= self.policy.corroboration.independent_groups:
            return Verification.CORROBORATION, None
        return (Verification.GRADED_REPORT, report.source) if self._verifies_alone(report) else None

    def _qualifies(self, incident: Incident) -> How | None:
        """Rule 6 over all of an incident's reports (after an analyst regrouped them)."""
        if len(incident.groups) >= self.policy.corroboration.independent_groups:
            return Verification.CORROBORATION, None
        alone = next((r for r in incident.reports if self._verifies_alone(r)), None)
        return None if alone is None else (Verification.GRADED_REPORT, alone.source)

    def _verifies_alone(self, report: Report) -> bool:
        """One report graded well enough, from a kind of source trusted to verify alone
        (the registry's kind and grades, where it declared the source)."""
        reliability, credibility, kinds = self._grades
        entry = self._graded.get(report.key) if self._graded else None
        kind, graded, credible = weighed(report, entry)
        return (
            kind in kinds
            and kind not in self._never_counts
            and graded in reliability
            and credible in credibility
        )

    def _groups_of(self, reports: Iterable[Report]) -> set[str]:
        """The independence groups of the reports that count toward verification: the
        registry's where it declared the source, else each source its own."""
        groups = set()
        graded = self._graded
        for report in reports:
            entry = graded.get(report.key) if graded else None
            if entry is None:
                if report.source_kind not in self._never_counts:
                    groups.add(report.source)
            elif entry.kind not in self._never_counts:
                groups.add(entry.independence_group)
        return groups

    def _severity(self, incident: Incident) -> Severity:
        if incident.seq in self._repeat_broad:
            return Severity.BROAD_ATTACK
        return self._classify(incident.event_types, incident.killed + incident.injured)

    # -- incidents into cases ----------------------------------------------

    def _verify(self, incident: Incident, how: How) -> None:
        incident.verified_how, incident.verified_by = how
        incident.status = Status.VERIFIED
        incident.verified_at = self._now
        incident.violation_at = incident.occurred_at
        self._changes.incidents[incident.id] = incident
        self._changes.verified.append(incident)
        if self._is_violation(incident) and not self._halts_breach(incident):
            self._count_violation(incident)

    def _count_violation(self, incident: Incident) -> None:
        """Rules 1-3 and 5: a verified violation opens its violator's case or joins it."""
        raised = self._record_violation(incident)
        violator = incident.perpetrator
        assert violator is not None
        case = self._open.get(violator)
        if case is None:
            self._open_case(violator, incident)
        else:
            self._add_to_case(case, incident)
        for other in raised:
            self._severity_rose(other)

    def _is_violation(self, incident: Incident) -> bool:
        """Attributed to a party, inside the ceasefire's period, zone and scope."""
        cf = self.ceasefire
        at = incident.violation_at
        if at is None or incident.perpetrator not in self._parties or not cf.in_period(at):
            return False
        if self._zoned and not cf.in_zone(incident.lat, incident.lon):
            return False
        return cf.scope is None or cf.scope.covers(
            incident.event_types, (r.target for r in incident.reports)
        )

    def _halts_breach(self, incident: Incident) -> bool:
        """Rule 7: fire by the other side near a breach of an open case and soon after it.

        Judged once, as the incident is verified, against the cases open then; recorded
        on the violator's case instead of counting as a violation of its own.
        """
        if not self._halting.enabled or not self._open:
            return False
        types, targets = self._halting_never
        if any(r.event_type in types or r.target in targets for r in incident.reports):
            return False
        found = self._breach_answered(incident)
        if found is None:
            return False
        case, breach, gap = found
        incident.response_to = case.id
        case.responses.append(incident)
        self._emit(
            case,
            ev.DEFENSIVE_RESPONSE,
            incident=incident.id,
            party=incident.perpetrator,
            occurred_at=ev.iso_z(incident.occurred_at),
            breach=breach.id,
            distance_km=round(gap, 1),
        )
        return True

    def _breach_answered(self, incident: Incident) -> tuple[Case, Incident, float] | None:
        """The open case (oldest first) with a violation this fire may answer, the
        nearest such violation (ties: the older), and the distance between them.

        The distance is `haversine_km`'s, worked out inline with the cosines of the
        breaches' latitudes kept from when they were filed (the same arithmetic, so the
        same figures): this search runs for every verified fire while cases are open.
        """
        assert incident.violation_at is not None
        first = incident.first
        at_us = micros(incident.violation_at)
        precision = precision_km(first)
        radius, within_us = self._halting.radius_km, self._halting_within_us
        others = sorted(
            (c for v, c in self._open.items() if v != incident.perpetrator), key=lambda c: c.seq
        )
        lat, lon = first.lat, first.lon
        p1 = radians(lat)
        cos_p1 = cos(p1)
        # the distance is at least the difference in latitude: rule most out cheaply
        reach_deg = (radius + precision + SLACK_KM) / KM_PER_DEGREE_LAT
        for case in others:
            best: tuple[float, int, Incident] | None = None
            candidates = self._breaches.between(
                case.seq, lat, lon, at_us - within_us, at_us, radius + precision
            )
            for breach in candidates:
                breach_lat = breach.lat
                if abs(breach_lat - lat) > reach_deg + breach.precision_km / KM_PER_DEGREE_LAT:
                    continue
                other = breach.incident
                if other.status is not Status.VERIFIED:
                    continue
                a = (
                    sin((radians(breach_lat) - p1) / 2) ** 2
                    + cos_p1 * breach.cos_lat * sin(radians(breach.lon - lon) / 2) ** 2
                )
                gap = 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(a)))
                gap = max(0.0, gap - precision - breach.precision_km)
                if gap <= radius and (best is None or (gap, other.seq) < best[:2]):
                    best = (gap, other.seq, other)
            if best is not None:
                return case, best[2], best[0]
        return None

    def _file_breach(self, case: Case, incident: Incident) -> None:
        if not self._halting.enabled:
            return
        assert incident.violation_at is not None
        first = incident.first
        breach = _Breach(
            incident,
            micros(incident.violation_at),
            first.lat,
            first.lon,
            precision_km(first),
            cos(radians(first.lat)),
        )
        self._breaches.add(
            case.seq, first.lat, first.lon, breach.at_us, breach.precision_km, breach
        )

    def _record_violation(self, incident: Incident) -> list[Incident]:
        """File a violation in its violator's history; apply rule 5's repeat clause.

        Returns the earlier-known violations this one pushed into broad_attack (a late
        report can make a later violation the 10th within its trailing window).
        """
        violator, at = incident.perpetrator, incident.violation_at
        assert violator is not None and at is not None
        history = self._histories.get(violator)
        if history is None:
            history = self._histories[violator] = ViolationHistory()
        raised = []
        for other in history.add(incident, at, self._repeat):
            self._repeat_broad.add(other.seq)
            if other.severity < Severity.BROAD_ATTACK:
                other.severity = Severity.BROAD_ATTACK
                self._changes.incidents[other.id] = other
                if other is not incident:
                    raised.append(other)
        return raised

    def _open_case(self, violator: str, incident: Incident) -> None:
        number = self._case_count.get(violator, 0) + 1
        self._case_count[violator] = number
        assert incident.violation_at is not None
        case = Case(
            id=f"{self.ceasefire.id}/{violator}/{number}",
            seq=len(self.cases) + 1,
            ceasefire=self.ceasefire.id,
            violator=violator,
            opened=incident.violation_at,
            opened_at=self._now,
            incidents=[incident],
            last_violation=incident.violation_at,
        )
        incident.case = case.id
        self.cases[case.id] = case
        self._open[violator] = case
        self._file_breach(case, incident)
        phase = self._opening_phase(violator)
        self._add_actions(case, 1, case.opened)
        self._emit(
            case,
            ev.CASE_OPENED,
            phase=phase,
            incident=incident.id,
            severity=incident.severity.label,
        )
        if phase > 1:
            for number in range(2, phase + 1):
                self._recommend(case, number, incident, reason="repeat_offence")
        self._schedule(
            Timer(case.opened + self._phase3_after_open, TimerKind.ESCALATION, case.seq, case.id)
        )
        self._schedule(Timer(case.opened + self._quiet, TimerKind.QUIET, case.seq, case.id))

    def _opening_phase(self, violator: str) -> int:
        rule = self.policy.repeat_offence
        previous = self._last_closed.get(violator)
        if not rule.enabled or previous is None or previous.closed_at is None:
            return 1
        return rule.open_at_phase if self._now - previous.closed_at <= rule.within else 1

    def _add_to_case(self, case: Case, incident: Incident) -> None:
        assert incident.violation_at is not None and case.last_violation is not None
        incident.case = case.id
        case.incidents.append(incident)
        case.last_violation = max(case.last_violation, incident.violation_at)
        self._file_breach(case, incident)
        self._emit(case, ev.VIOLATION_ADDED, incident=incident.id, severity=incident.severity.label)
        if 2 not in case.recommended and incident.violation_at > case.opened + self._phase2_after:
            self._recommend(case, 2, incident, reason="fighting_continues")
        self._check_escalation(case)

    def _severity_rose(self, incident: Incident) -> None:
        case = self.cases.get(incident.case) if incident.case else None
        if case is not None and case.is_open:
            self._emit(
                case, ev.SEVERITY_RAISED, incident=incident.id, severity=incident.severity.label
            )
            self._check_escalation(case)

    def _check_escalation(self, case: Case) -> None:
        """Rule 3: after the wait, a broad attack in the case and a recent violation."""
        now = self._now
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
        case.recommended[phase] = self._now
        case.phase = max(case.phase, phase)
        self._add_actions(case, phase, self._now)
        self._emit(case, ev.PHASE_RECOMMENDED, phase=phase, incident=incident.id, reason=reason)

    def _add_actions(self, case: Case, phase: int, anchor: datetime) -> None:
        for spec in self.policy.phase(phase).actions:
            due = anchor + spec.deadline if spec.deadline is not None else None
            case.actions.append(Action(spec.id, phase, spec.title, list(spec.owners), due))
            if due is not None:
                self._schedule(Timer(due, TimerKind.DEADLINE, case.seq, case.id, spec.id))

    def _close(self, case: Case, at: datetime, reason: str) -> None:
        case.closed_at, case.close_reason = at, reason
        del self._open[case.violator]
        self._breaches.drop(case.seq)
        self._last_closed[case.violator] = case
        self._emit(case, ev.CASE_CLOSED, reason=reason, phase=case.phase)

    # -- the clock ---------------------------------------------------------

    def _schedule(self, timer: Timer) -> None:
        heapq.heappush(self._timers, timer)

    def _move_clock(self, until: datetime) -> None:
        """Fire every timer due by `until`, then stand the clock there (it never goes back)."""
        if self._timers and self._timers[0].due <= until:
            self._fire_due(until)
        if self.now is None or until > self.now:
            self.now = until

    def _fire_due(self, until: datetime) -> None:
        while self._timers and self._timers[0].due <= until:
            timer = heapq.heappop(self._timers)
            self.now = timer.due if self.now is None else max(self.now, timer.due)
            self._fire(timer)

    def _fire(self, timer: Timer) -> None:
        case = self.cases[timer.case]
        if not case.is_open:
            return
        if timer.kind is TimerKind.DEADLINE:
            action = next(a for a in case.actions if a.id == timer.action)
            if not action.done and action.overdue_at is None:
                action.overdue_at = self._now
                self._emit(
                    case,
                    ev.ACTION_OVERDUE,
                    action=action.id,
                    phase=action.phase,
                    due=ev.iso_z(timer.due),
                    owners=action.owners,
                )
                self._schedule_realert(timer, case)
        elif timer.kind is TimerKind.REALERT:
            action = next(a for a in case.actions if a.id == timer.action)
            if not action.done:
                assert action.due is not None
                self._emit(
                    case,
                    ev.ACTION_STILL_OVERDUE,
                    action=action.id,
                    phase=action.phase,
                    due=ev.iso_z(action.due),
                    owners=action.owners,
                )
                self._schedule_realert(timer, case)
        elif timer.kind is TimerKind.ESCALATION:
            self._check_escalation(case)
        else:
            assert case.last_violation is not None
            due = case.last_violation + self._quiet
            if due > timer.due:
                self._schedule(Timer(due, TimerKind.QUIET, timer.case_seq, case.id))
            else:
                self._close(case, self._now, "quiet")

    def _schedule_realert(self, timer: Timer, case: Case) -> None:
        """The next alert, one interval after this one was raised (not after it was due:
        a deadline learnt of late is alerted once, then on the interval)."""
        if self._realert is not None:
            due = self._now + self._realert
            self._schedule(Timer(due, TimerKind.REALERT, timer.case_seq, case.id, timer.action))

    # -- helpers -----------------------------------------------------------

    @property
    def _now(self) -> datetime:
        assert self.now is not None, "the clock has not started"
        return self.now

    def _emit(self, case: Case, event: str, **details: object) -> None:
        self._out.append(ProtocolEvent(self._now, event, case.id, case.violator, details))
        self._changes.cases[case.id] = case

    def _flush(self) -> list[ProtocolEvent]:
        """The events of the input just taken, with the timers it made due already.

        An input can make a timer due at once (a breach reported after its deadline, a
        case verified after its quiet period): it fires now, with the input's events,
        so no timer due by the engine's clock is ever left pending between inputs. A
        store relies on that: whatever the journaling process returns is all there is,
        and a process catching up from the journal fires nothing new.
        """
        if self._timers and self.now is not None and self._timers[0].due <= self.now:
            self._fire_due(self.now)
        out, self._out = self._out, []
        return out

    def _incident(self, incident_id: str) -> Incident:
        try:
            return self.incidents[incident_id]
        except KeyError:
            raise UnknownRecord(f"no incident {incident_id}") from None

    def _case(self, case_id: str) -> Case:
        try:
            return self.cases[case_id]
        except KeyError:
            raise UnknownRecord(f"no case {case_id}") from None


def _need_reason(reason: str, doing: str) -> None:
    if not reason.strip():
        raise CommandRefused(f"{doing} needs a reason")
