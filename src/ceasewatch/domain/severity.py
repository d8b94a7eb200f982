"""Severity of an incident (rule 5), from its reports' types and casualties."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

from .policy import SeverityRule, SeverityRules
from .reports import EventType


class Severity(IntEnum):
    MINOR = 0
    MAJOR = 1
    BROAD_ATTACK = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> Severity:
        return cls[label.upper()]


def _matches(rule: SeverityRule, types: Iterable[EventType], casualties: int) -> bool:
    if rule.min_casualties is not None and casualties >= rule.min_casualties:
        return True
    return any(t in rule.event_types for t in types)


def classify(rules: SeverityRules, types: Iterable[EventType], casualties: int) -> Severity:
    """Severity from what the reports say; the repeat rule needs the violator's history."""
    types = tuple(types)
    if _matches(rules.broad_attack, types, casualties):
        return Severity.BROAD_ATTACK
    if _matches(rules.major, types, casualties):
        return Severity.MAJOR
    return Severity.MINOR
