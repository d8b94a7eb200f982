"""What one ceasefire's engine holds: its incidents and cases, its clock, and what it owes.

The parts of the engine (corroboration, cases, timers, review, rule 7) share one `State`:
each changes the records it is about, and all of them tell the store what changed
(`Changes`) and the world what happened (protocol events) through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .cases import Case
from .ceasefire import Ceasefire
from .events import ProtocolEvent
from .incidents import Incident, Verification
from .policy import Policy
from .refusals import UnknownRecord

How = tuple[Verification, str | None]
"""How an incident was verified, and by whom (see `Verification`)."""


@dataclass(slots=True)
class Changes:
    """What the engine changed since it was last asked: for a store to write back."""

    incidents: dict[str, Incident] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    verified: list[Incident] = field(default_factory=list)
    """Incidents that became verified, in order."""
    rejected: list[Incident] = field(default_factory=list)


class State:
    """One ceasefire's records under its policy, the engine's clock, and the events and
    changes not yet taken."""

    def __init__(self, ceasefire: Ceasefire, policy: Policy) -> None:
        self.ceasefire = ceasefire
        self.policy = policy
        self.now: datetime | None = None
        self.incidents: dict[str, Incident] = {}
        self.cases: dict[str, Case] = {}
        self.open: dict[str, Case] = {}
        """Each violator's open case."""
        self.changes = Changes()
        self.out: list[ProtocolEvent] = []

    @property
    def clock(self) -> datetime:
        """The engine's clock, once it has started."""
        assert self.now is not None, "the clock has not started"
        return self.now

    def emit(self, case: Case, event: str, **details: object) -> None:
        self.out.append(ProtocolEvent(self.clock, event, case.id, case.violator, details))
        self.changes.cases[case.id] = case

    def take_events(self) -> list[ProtocolEvent]:
        out, self.out = self.out, []
        return out

    def take_changes(self) -> Changes:
        changes, self.changes = self.changes, Changes()
        return changes

    def incident(self, incident_id: str) -> Incident:
        try:
            return self.incidents[incident_id]
        except KeyError:
            raise UnknownRecord(f"no incident {incident_id}") from None

    def case(self, case_id: str) -> Case:
        try:
            return self.cases[case_id]
        except KeyError:
            raise UnknownRecord(f"no case {case_id}") from None
