"""Severity of an incident (rule 5), from its reports' types and casualties."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

from .policy import SeverityRules
from .reports import EventType


class Severity(IntEnum):
    MINOR = 0
    MAJOR = 1
    BROAD_ATTACK = 2

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def from_label(cls, label: str) -> Severity:
        return cls[label.upper()]


_LABELS = tuple(s.name.lower() for s in Severity)


class SeverityTable:
    """Rule 5 as lookups: the severity each event type gives, and the casualty thresholds.

    The repeat clause (a violator's n-th violation in a trailing window) needs the
    violator's history, so the engine applies it on top.
    """

    def __init__(self, rules: SeverityRules) -> None:
        self._by_type = dict.fromkeys(EventType, Severity.MINOR)
        thresholds: list[tuple[int, Severity]] = []
        for severity, rule in (
            (Severity.MAJOR, rules.major),
            (Severity.BROAD_ATTACK, rules.broad_attack),
        ):
            for event_type in rule.event_types:
                self._by_type[event_type] = max(self._by_type[event_type], severity)
            if rule.min_casualties is not None:
                thresholds.append((rule.min_casualties, severity))
        self._thresholds = sorted(thresholds, key=lambda t: t[1], reverse=True)

    def __call__(self, types: Iterable[EventType], casualties: int) -> Severity:
        severity = max(map(self._by_type.__getitem__, types), default=Severity.MINOR)
        if casualties:
            for least, level in self._thresholds:
                if level > severity and casualties >= least:
                    return level
        return severity
