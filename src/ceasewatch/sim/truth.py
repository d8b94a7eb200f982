"""Ground truth: what really happened in a run, and what each generated report describes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ..domain.ceasefire import Ceasefire
from ..domain.reports import EventType, Report, Target


@dataclass(frozen=True, slots=True)
class Event:
    """A real event of a run: who really did it, where and when."""

    id: str
    at: datetime
    lat: float
    lon: float
    actor: str
    """Who really did it: a party, or another actor such as a spoiler."""
    process: str
    """Which process made it, e.g. `RU/hawkes`."""
    event_type: EventType
    target: Target
    killed: int = 0
    injured: int = 0
    framed: str | None = None
    """A staged provocation: the party it was made to look like the work of."""
    disguise: float = 0.0
    """A provocation: the chance that a witness takes it for the framed party's work."""

    def is_breach_of(self, ceasefire: Ceasefire) -> bool:
        """A real violation: by a party, inside the ceasefire's period, zone and scope."""
        return (
            self.actor in ceasefire.parties
            and ceasefire.in_period(self.at)
            and ceasefire.in_zone(self.lat, self.lon)
            and (
                ceasefire.scope is None or ceasefire.scope.covers([self.event_type], [self.target])
            )
        )


@dataclass(frozen=True, slots=True)
class Truth:
    """What a generated report really describes."""

    event: str | None
    """The real event it describes; None when it describes nothing that happened."""
    misattributed: bool = False
    """It describes a real event but blames someone who did not do it."""

    @property
    def fabricated(self) -> bool:
        return self.event is None


@dataclass(frozen=True, slots=True)
class GeneratedReport:
    report: Report
    truth: Truth


@dataclass(frozen=True)
class GeneratedRun:
    """One run of a scenario: its real events and the reports about them, by arrival."""

    run: int
    events: tuple[Event, ...]
    reports: tuple[GeneratedReport, ...]
    _events: Mapping[str, Event] = field(init=False, repr=False, compare=False)
    _truths: Mapping[tuple[str, str], Truth] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_events", {e.id: e for e in self.events})
        object.__setattr__(self, "_truths", {g.report.key: g.truth for g in self.reports})

    def event(self, event_id: str) -> Event:
        return self._events[event_id]

    def truth(self, report: Report) -> Truth:
        return self._truths[report.key]

    def describes_real_event_by(self, report: Report, actor: str) -> bool:
        truth = self.truth(report)
        return truth.event is not None and self._events[truth.event].actor == actor

    @property
    def plain_reports(self) -> list[Report]:
        return [g.report for g in self.reports]
