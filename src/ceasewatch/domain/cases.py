"""Cases: the response to one violator's breaches of one ceasefire."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .decisions import Decision, Standing
from .incidents import Incident
from .severity import Severity
from .stamps import stamp


@dataclass(eq=False, slots=True)
class Action:
    id: str
    phase: int
    title: str
    owners: list[str]
    due: datetime | None
    done_at: datetime | None = None
    done_by: str | None = None
    note: str | None = None
    overdue_at: datetime | None = None
    evidence: tuple[tuple[str, str], ...] = ()
    """(uri, sha256) of what shows it done."""

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(eq=False, slots=True)
class Case:
    id: str
    seq: int
    ceasefire: str
    violator: str
    opened: datetime
    """The opening violation's occurred_at: the protocol's windows run from it."""
    opened_at: datetime
    """When the case was opened: the arrival that verified that violation."""
    phase: int = 1
    incidents: list[Incident] = field(default_factory=list)
    responses: list[Incident] = field(default_factory=list)
    """The other side's fire to halt its breaches (rule 7), which counts as no violation."""
    last_violation: datetime | None = None
    recommended: dict[int, datetime] = field(default_factory=dict)
    actions: list[Action] = field(default_factory=list)
    closed_at: datetime | None = None
    close_reason: str | None = None
    decisions: list[Decision] = field(default_factory=list)
    settled: dict[int, tuple[Standing, datetime]] = field(default_factory=dict)
    """Phases authorised or declined, and when."""

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def closed_note(self) -> str:
        """Why and when it closed, as a refusal says it: `quiet, 2026-04-16 06:02`."""
        return "" if self.closed_at is None else f"{self.close_reason}, {stamp(self.closed_at)}"

    @property
    def severity(self) -> Severity:
        """The highest of its incidents' (read at every write of the case: a case of a
        long war holds many, and one broad attack settles it)."""
        top = Severity.MINOR
        for incident in self.incidents:
            severity = incident.severity
            if severity > top:
                if severity is Severity.BROAD_ATTACK:
                    return severity
                top = severity
        return top

    def action(self, action_id: str) -> Action | None:
        return next((a for a in self.actions if a.id == action_id), None)

    def standing(self, phase: int) -> Standing:
        settled = self.settled.get(phase)
        return Standing.PENDING if settled is None else settled[0]
