"""Authorising a recommended phase: who may decide it, and when its quorum is reached.

The policy names participants by party code (`US`), by a role of the stakeholder
directory (`role:coalition_lead`), or relative to the case (`violator`, `defender`). A
decision carries the roles its party held when it decided, so a later change to the
directory never rewrites a past quorum.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .policy import Authorisation, QuorumRule


class Standing(StrEnum):
    PENDING = "pending"
    AUTHORISED = "authorised"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class Decision:
    phase: int
    party: str
    authorise: bool
    reason: str
    at: datetime
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Who:
    """A deciding party as the rules see it: its code and roles, and the case's sides."""

    party: str
    roles: Collection[str]
    violator: str
    parties: Collection[str]
    """The ceasefire's parties: every one but the violator is a `defender`."""

    def is_(self, participant: str) -> bool:
        if participant == "violator":
            return self.party == self.violator
        if participant == "defender":
            return self.party != self.violator and self.party in self.parties
        if participant.startswith("role:"):
            return participant.removeprefix("role:") in self.roles
        return participant == self.party

    def meets(self, rule: QuorumRule) -> bool:
        return any(self.is_(participant) for participant in rule.of)


@dataclass(frozen=True, slots=True)
class RuleTally:
    """One rule of a phase's authorisation, and the decisions that count toward it."""

    of: tuple[str, ...]
    at_least: int
    authorised: tuple[str, ...]
    declined: tuple[str, ...]

    @property
    def met(self) -> bool:
        return len(self.authorised) >= self.at_least


def tally(
    authorisation: Authorisation,
    decisions: Iterable[Decision],
    violator: str,
    parties: Collection[str],
) -> list[RuleTally]:
    """Each rule with the parties that authorised or declined it, in the order they decided."""
    decided = list(decisions)
    out = []
    for rule in authorisation.all_rules:
        counted = [d for d in decided if Who(d.party, d.roles, violator, parties).meets(rule)]
        out.append(
            RuleTally(
                of=tuple(rule.of),
                at_least=rule.at_least,
                authorised=tuple(d.party for d in counted if d.authorise),
                declined=tuple(d.party for d in counted if not d.authorise),
            )
        )
    return out


def standing(authorisation: Authorisation, tallies: Iterable[RuleTally]) -> Standing:
    tallies = list(tallies)
    if authorisation.veto and any(t.declined for t in tallies):
        return Standing.DECLINED
    if tallies and all(t.met for t in tallies):
        return Standing.AUTHORISED
    return Standing.PENDING
