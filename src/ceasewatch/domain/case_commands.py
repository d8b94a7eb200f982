"""What parties and the coordination cell do to a case: mark an action done, decide a
recommended phase, close it.

As with review, a command is refused before it changes anything but the clock; the
engine hands out the events it gave.
"""

from __future__ import annotations

from datetime import datetime

from . import events as ev
from .case_rules import CaseRules
from .cases import Case
from .decisions import Decision, Standing, Who, standing, tally
from .policy import Authorisation
from .refusals import CommandRefused, NotAnOwner, UnknownRecord
from .state import State
from .timers import Timekeeper


class CaseCommands:
    def __init__(self, state: State, clock: Timekeeper, cases: CaseRules) -> None:
        self._state = state
        self._clock = clock
        self._cases = cases

    def mark_action_done(
        self,
        case_id: str,
        action_id: str,
        at: datetime,
        by: str,
        note: str,
        evidence: tuple[tuple[str, str], ...],
    ) -> None:
        """Record an action as done; one done late stays overdue. Doing it again changes nothing."""
        case = self._state.case(case_id)
        action = case.action(action_id)
        if action is None:
            raise UnknownRecord(f"case {case_id} has no action {action_id}")
        self._clock.move_to(at)
        if not action.done:
            action.done_at, action.done_by, action.note = self._state.clock, by, note
            action.evidence = evidence
            self._state.emit(case, ev.ACTION_DONE, action=action.id, phase=action.phase, by=by)

    def check_action_done(
        self, case_id: str, action_id: str, party: str | None, roles: frozenset[str]
    ) -> None:
        """Whether an action may be marked done now (see `Engine.check_action_done`)."""
        case = self._state.case(case_id)
        action = case.action(action_id)
        if action is None:
            raise UnknownRecord(f"case {case_id} has no action {action_id}")
        if not case.is_open:
            raise CommandRefused(f"case {case.id} is closed ({case.closed_note})")
        who = Who(party or "", roles, case.violator, self._state.ceasefire.parties)
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
        roles: frozenset[str],
    ) -> None:
        """A party authorises or declines a recommended phase; the quorum may settle it
        (see `Engine.decide`)."""
        state = self._state
        case = state.case(case_id)
        self._clock.move_to(at)
        who = Who(party, roles, case.violator, state.ceasefire.parties)
        authorisation = self._decidable(case, phase, who, reason)
        decision = Decision(phase, party, authorise, reason.strip(), state.clock, roles)
        case.decisions.append(decision)
        verdict = "authorise" if authorise else "decline"
        state.emit(
            case,
            ev.DECISION_RECORDED,
            phase=phase,
            party=party,
            decision=verdict,
            reason=decision.reason,
        )
        phase_decisions = [d for d in case.decisions if d.phase == phase]
        parties = state.ceasefire.parties
        settled = standing(
            authorisation, tally(authorisation, phase_decisions, case.violator, parties)
        )
        if settled is not Standing.PENDING:
            case.settled[phase] = (settled, state.clock)
            name = ev.PHASE_AUTHORISED if settled is Standing.AUTHORISED else ev.PHASE_DECLINED
            state.emit(case, name, phase=phase)

    def _decidable(self, case: Case, phase: int, who: Who, reason: str) -> Authorisation:
        """The phase's authorisation rules, if `who` may decide it now; else CommandRefused."""
        policy = self._state.policy
        authorisation = policy.phase(phase).authorisation if phase in (1, 2, 3) else None
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

    def close(self, case_id: str, at: datetime) -> None:
        """The coordination cell closes a case by hand."""
        case = self._state.case(case_id)
        self._clock.move_to(at)
        if case.is_open:
            self._cases.close(case, self._state.clock, "manual")
