"""The protocol engine: reports and clock ticks in, protocol events out.

Event time only: the engine's clock moves with the arrivals and ticks it is given and
never reads the wall clock, so the same input always yields the same events. At one
instant, timers fire before arrivals.

`Engine` is the front: each rule lives in a module of its own, on one shared `State`:

- `corroboration.py`: reports into incidents; rule 6, when an incident is verified;
- `case_rules.py`: incidents into cases, phases, escalation, closing (rules 1-5);
- `violations.py`: each violator's history, rule 5's repeat clause;
- `halting.py`: rule 7, fire that halts a breach;
- `timers.py`: the clock, deadlines, overdue alerts, the quiet close;
- `review.py`, `case_commands.py`: what analysts and parties do (commands by people).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .case_commands import CaseCommands
from .case_rules import CaseRules
from .cases import Case
from .ceasefire import Ceasefire
from .corroboration import TRUSTED_INPUT, Corroborator
from .events import ProtocolEvent
from .halting import Halting
from .incidents import Incident
from .policy import Policy
from .refusals import CommandRefused, NotAnOwner, UnknownRecord
from .reports import Report
from .review import Review
from .sources import Registry, Source
from .state import Changes, How, State
from .timers import Timekeeper, Timer, TimerKind, TimerQueue
from .violations import ViolationHistory, Violations

__all__ = [
    "TRUSTED_INPUT",
    "Changes",
    "CommandRefused",
    "Engine",
    "How",
    "NotAnOwner",
    "Timer",
    "TimerKind",
    "UnknownRecord",
    "ViolationHistory",
]


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
        self.registry = Registry(sources)
        self._seen: dict[str, set[str]] | None = {}
        """The ids of the reports taken, by source: no pair made and kept per report. None
        once a report was fed vouched unique (`feed(..., unique=True)`)."""
        state = self._state = State(ceasefire, policy)
        self.incidents: dict[str, Incident] = state.incidents
        self.cases: dict[str, Case] = state.cases
        self._queue = TimerQueue()
        violations = self._violations = Violations(state)
        halting = self._halting = Halting(state)
        cases = CaseRules(state, self._queue, violations, halting)
        self._clock = Timekeeper(state, self._queue, cases)
        self._corroborator = Corroborator(state, cases, violations)
        self._review = Review(state, self._clock, cases, self._corroborator)
        self._case_commands = CaseCommands(state, self._clock, cases)

    def bulk(self) -> list[tuple[object, str]]:
        """The attributes that grow with the journal, which a snapshot may leave out until
        they are read (`services/snapshots.py`): every incident and report, the indexes of
        rules 6 and 7, the violation histories. A tick reads none of them: timers read
        cases and their actions. Each is an object of its own (a snapshot finds them by
        identity), so the index of ids taken is listed only while there is one."""
        state, corroborator = self._state, self._corroborator
        out: list[tuple[object, str]] = [] if self._seen is None else [(self, "_seen")]
        out += [
            (self, "incidents"),
            (state, "incidents"),
            (corroborator, "index"),
            (corroborator, "graded"),
            (self._halting, "_breaches"),
            (self._violations, "_histories"),
            (self._violations, "repeat_broad"),
        ]
        for case in state.cases.values():
            out += [(case, "incidents"), (case, "responses")]
        return out

    @staticmethod
    def summary(owner: object) -> dict[str, object]:
        """What an owner of `bulk` derives from it alone that a tick reads: a case's
        severity (written with the case at each of its events)."""
        return {"severity": owner.severity} if isinstance(owner, Case) else {}

    @property
    def now(self) -> datetime | None:
        """The engine's clock: the latest arrival or tick it was given (None: none yet)."""
        return self._state.now

    # -- input -------------------------------------------------------------

    def feed(
        self, report: Report, *, trusted: bool = False, unique: bool = False
    ) -> list[ProtocolEvent]:
        """Take one report at its arrival: due timers fire first, then the report.

        A trusted report (or any, with `trust_input`) is a verified incident of its own.
        A report whose `(source, id)` was taken before is ignored. With `unique`, the
        caller vouches that it was not (a replay keeps one copy of each report, a store
        journals each once), and the engine keeps no index of the ids it took: at a
        million reports it would be the largest thing it holds after the reports and
        incidents themselves. Fed a report later without `unique`, the engine makes
        the index again from its incidents, which hold every report taken.
        """
        if unique:
            self._seen = None
            return self._take(report, trusted)
        seen = self._seen if self._seen is not None else self._ids_taken()
        ids = seen.get(report.source)
        if ids is None:
            ids = seen[report.source] = set()
        elif report.id in ids:
            return []
        ids.add(report.id)
        return self._take(report, trusted)

    def feed_all(self, reports: Iterable[Report], *, unique: bool = False) -> list[ProtocolEvent]:
        """Feed each report in turn (`unique`: as for `feed`)."""
        out: list[ProtocolEvent] = []
        for report in reports:
            out.extend(self.feed(report, unique=unique))
        return out

    def _take(self, report: Report, trusted: bool) -> list[ProtocolEvent]:
        self._clock.move_to(report.arrival)
        if self.registry:
            entry = self.registry.get(report.source)
            if entry is not None:
                self._corroborator.grade(report, entry)
        self._corroborator.accept(report, trusted or self.trust_input)
        return self._flush()

    def _ids_taken(self) -> dict[str, set[str]]:
        """The index of the ids taken, made again from the incidents' reports."""
        seen: dict[str, set[str]] = {}
        for incident in self._state.incidents.values():
            for report in incident.reports:
                ids = seen.get(report.source)
                if ids is None:
                    ids = seen[report.source] = set()
                ids.add(report.id)
        self._seen = seen
        return seen

    def advance(self, until: datetime) -> list[ProtocolEvent]:
        """Move the clock to `until`, firing every timer due by then."""
        self._clock.move_to(until)
        return self._flush()

    def run_out(self) -> list[ProtocolEvent]:
        """Let the clock run until no timer is pending (the end of a replay)."""
        self._clock.run_out()
        return self._flush()

    @property
    def timers_pending(self) -> int:
        return len(self._queue)

    def pending_timers(self) -> list[Timer]:
        """The timers that can still do something: their case open, their action undone."""
        return self._clock.pending()

    def grading(self, report: Report) -> Source | None:
        """The registry's entry that rule 6 judged this report by (None: undeclared then)."""
        return self._corroborator.grading(report)

    def take_changes(self) -> Changes:
        """The incidents and cases changed since the last call (for a store to write)."""
        return self._state.take_changes()

    # -- commands by people ------------------------------------------------

    def declare_sources(
        self, sources: Iterable[Source], at: datetime | None = None
    ) -> list[ProtocolEvent]:
        """Declare or regrade sources at `at` (timers due by then fire first): reports
        arriving from then on are judged by them; reports already taken keep the judgement
        they had (what was verified stays verified)."""
        if at is not None:
            self._clock.move_to(at)
        self.registry.declare(sources)
        return self._flush()

    def verify_incident(
        self, incident_id: str, at: datetime, by: str, reason: str = ""
    ) -> list[ProtocolEvent]:
        """An analyst verifies an incident the corroboration rule has not."""
        self._review.verify(incident_id, at, by, reason)
        return self._flush()

    def dispute_incident(
        self, incident_id: str, at: datetime, by: str, reason: str
    ) -> list[ProtocolEvent]:
        """An analyst holds an incident for review (see `Review.dispute`)."""
        self._review.dispute(incident_id, at, by, reason)
        return self._flush()

    def reject_incident(
        self, incident_id: str, at: datetime, by: str, reason: str
    ) -> list[ProtocolEvent]:
        """An analyst rejects an incident, or its source withdrew it (see `Review.reject`)."""
        self._review.reject(incident_id, at, by, reason)
        return self._flush()

    def count_as_violation(
        self, incident_id: str, at: datetime, by: str, reason: str
    ) -> list[ProtocolEvent]:
        """An analyst finds a defensive response (rule 7) was a violation after all."""
        self._review.count_as_violation(incident_id, at, by, reason)
        return self._flush()

    def merge_incidents(
        self, target_id: str, others: list[str], at: datetime, by: str, reason: str
    ) -> list[ProtocolEvent]:
        """An analyst finds that several incidents are one event (see `Review.merge`)."""
        self._review.merge(target_id, others, at, by, reason)
        return self._flush()

    def split_incident(
        self,
        incident_id: str,
        reports: list[tuple[str, str]],
        at: datetime,
        by: str,
        reason: str,
    ) -> list[ProtocolEvent]:
        """An analyst moves some reports out into a new incident (see `Review.split`)."""
        self._review.split(incident_id, reports, at, by, reason)
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
        self._case_commands.mark_action_done(case_id, action_id, at, by, note, evidence)
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
        self._case_commands.check_action_done(case_id, action_id, party, roles)

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
        self._case_commands.decide(
            case_id, phase, party, authorise=authorise, reason=reason, at=at, roles=roles
        )
        return self._flush()

    def close_case(self, case_id: str, at: datetime) -> list[ProtocolEvent]:
        self._case_commands.close(case_id, at)
        return self._flush()

    # -- helpers -----------------------------------------------------------

    def _flush(self) -> list[ProtocolEvent]:
        """The events of the input just taken, with the timers it made due already.

        An input can make a timer due at once (a breach reported after its deadline, a
        case verified after its quiet period): it fires now, with the input's events,
        so no timer due by the engine's clock is ever left pending between inputs. A
        store relies on that: whatever the journaling process returns is all there is,
        and a process catching up from the journal fires nothing new.
        """
        self._clock.fire_due_now()
        return self._state.take_events()
