"""The response policy: every number and parameter of the protocol's rules, as data."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from .durations import Duration
from .reports import EventType, SourceKind, Target
from .yamlfile import DocumentInvalid, NoBoolean, Problem, parse_yaml

Participant = Annotated[str, Field(pattern=r"^(violator|defender|role:[a-z_]+|[A-Z][A-Z0-9_-]*)$")]
"""A party code (`US`), a directory role (`role:coalition_lead`), or `violator` / `defender`."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SingleSource(_Model):
    reliability: list[Annotated[str, Field(pattern="^[A-F]$")]]
    credibility: list[Annotated[int, NoBoolean, Field(ge=1, le=6)]]
    source_kinds: list[SourceKind]


class Corroboration(_Model):
    radius_km: Annotated[float, NoBoolean, Field(ge=0)]
    window: Duration
    independent_groups: Annotated[int, NoBoolean, Field(ge=1)]
    single_source: SingleSource
    never_counts: list[SourceKind] = []
    families: dict[str, list[EventType]] = {}
    fits_all: list[EventType] = []

    @model_validator(mode="after")
    def _types_in_one_family(self) -> Corroboration:
        seen: dict[EventType, str] = {}
        for family, types in self.families.items():
            for event_type in types:
                if event_type in seen:
                    raise ValueError(
                        f"{event_type.value} is in families {seen[event_type]} and {family}"
                    )
                seen[event_type] = family
        return self


class Repeat(_Model):
    count: Annotated[int, NoBoolean, Field(ge=1)]
    within: Duration


class SeverityRule(_Model):
    event_types: list[EventType] = []
    min_casualties: Annotated[int, NoBoolean, Field(ge=1)] | None = None
    repeat: Repeat | None = None


class SeverityRules(_Model):
    broad_attack: SeverityRule
    major: SeverityRule


class ActionSpec(_Model):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    title: str
    owners: Annotated[list[Participant], Field(min_length=1)]
    notify: list[Participant] = []
    deadline: Duration | None = None
    """From the case's opening violation for phase 1, from the recommendation after."""


class QuorumRule(_Model):
    of: Annotated[list[Participant], Field(min_length=1)]
    at_least: Annotated[int, NoBoolean, Field(ge=1)] = 1


class Authorisation(_Model):
    """Who must authorise a phase: every rule (and the commitments, if any) met."""

    rules: list[QuorumRule] = []
    commitments: QuorumRule | None = None
    """Parties committing forces (e.g. 20 coalition members): one more rule to meet."""
    veto: bool = True
    """One decline by a party a rule needs declines the phase; if false, it waits."""

    @property
    def all_rules(self) -> list[QuorumRule]:
        return [*self.rules, *([self.commitments] if self.commitments else [])]


class Trigger(_Model):
    violation_after_open: Duration | None = None
    after_open: Duration | None = None
    severity: Literal["major", "broad_attack"] | None = None
    recent_violation: Duration | None = None


class PhaseSpec(_Model):
    phase: Annotated[int, NoBoolean, Field(ge=1, le=3)]
    title: str
    trigger: Trigger | None = None
    actions: list[ActionSpec] = []
    authorisation: Authorisation | None = None


class Close(_Model):
    quiet: Duration


class Alerts(_Model):
    repeat_overdue: Duration | None = None
    """Alert an action still undone this often after its deadline, until it is done."""


class DefensiveResponse(_Model):
    """Rule 7: the defending side's fire to halt a breach is not a breach of its own."""

    enabled: bool = True
    radius_km: Annotated[float, NoBoolean, Field(ge=0)] = 15
    """Between the two incidents' first reports, less both precision radii."""
    within: Duration = timedelta(hours=24)
    """From one of the case's violations: at or after it, at most this much later."""
    excluded_event_types: list[EventType] = [EventType.MISSILE_STRIKE, EventType.AIR_STRIKE]
    """A report of one of these types makes the fire a violation as usual."""
    excluded_targets: list[Target] = [Target.CIVILIAN]
    """A report naming one of these targets makes the fire a violation as usual."""


class RepeatOffence(_Model):
    enabled: bool = False
    within: Duration = timedelta(days=30)
    open_at_phase: Annotated[int, NoBoolean, Field(ge=1, le=3)] = 2


class Policy(_Model):
    name: Annotated[str, Field(min_length=1)]
    version: Annotated[int, NoBoolean, Field(ge=1)]
    title: str = ""
    description: str = ""
    corroboration: Corroboration
    severity: SeverityRules
    phases: list[PhaseSpec]
    close: Close
    repeat_offence: RepeatOffence = RepeatOffence()
    defensive_response: DefensiveResponse = DefensiveResponse()
    alerts: Alerts = Alerts()

    @field_validator("phases")
    @classmethod
    def _phases_complete(cls, phases: list[PhaseSpec]) -> list[PhaseSpec]:
        numbers = [p.phase for p in phases]
        if sorted(numbers) != [1, 2, 3]:
            raise ValueError(f"phases must be 1, 2 and 3, once each (found {numbers})")
        by_number = {p.phase: p for p in phases}
        p2, p3 = by_number[2].trigger, by_number[3].trigger
        if p2 is None or p2.violation_after_open is None:
            raise ValueError("phase 2 needs trigger.violation_after_open")
        if p3 is None or None in (p3.after_open, p3.severity, p3.recent_violation):
            raise ValueError("phase 3 needs trigger.after_open, severity and recent_violation")
        ids = [a.id for spec in phases for a in spec.actions]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"action ids must be unique across phases: {', '.join(twice)}")
        return phases

    def phase(self, number: int) -> PhaseSpec:
        return next(p for p in self.phases if p.phase == number)

    @property
    def phase2_after(self) -> timedelta:
        trigger = self.phase(2).trigger
        assert trigger is not None and trigger.violation_after_open is not None
        return trigger.violation_after_open

    @property
    def phase3_trigger(self) -> Trigger:
        trigger = self.phase(3).trigger
        assert trigger is not None
        return trigger

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


PolicyProblem = Problem


class PolicyInvalid(DocumentInvalid):
    what = "policy"


def parse_policy(text: str, origin: str = "<policy>", *, stored: bool = False) -> Policy:
    """Validate a policy's YAML text; every problem is reported with its line. `stored`:
    a stored ceasefire's policy, read as it was when it was admitted (`yamlfile.STORED`):
    a rule added since (no bare number for a duration, no `yes` for a number) holds new
    policies only, and a store's journal replays as it did."""
    return parse_yaml(Policy, text, origin, PolicyInvalid, stored=stored)
