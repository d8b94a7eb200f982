"""Commands: what people ask of the protocol, as typed values.

Every command is journaled as its `kind` and a JSON body (`to_json`, with the instant it
was taken at added as `"at"`), and decoded from them on replay (`from_json`). The bodies
are exactly what earlier versions stored, key for key and in the same order, so a journal
written by any version decodes the same: a field an older version left out takes its
default. A body that does not decode raises KeyError, ValueError or TypeError, as the
engine's own refusals do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from .sources import Source

Body = dict[str, Any]
"""A command's JSON body, as the journal stores it."""


@dataclass(frozen=True, slots=True)
class ActionDone:
    """A party (or the coordination cell) marks an action of a case done."""

    kind: ClassVar[str] = "action_done"
    case: str
    action: str
    by: str
    note: str = ""
    evidence: tuple[tuple[str, str], ...] = ()
    """(uri, sha256) of what shows it done."""

    def to_json(self) -> Body:
        return {
            "case": self.case,
            "action": self.action,
            "by": self.by,
            "note": self.note,
            "evidence": [{"uri": uri, "sha256": sha256} for uri, sha256 in self.evidence],
        }

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> ActionDone:
        evidence = tuple((e["uri"], e["sha256"]) for e in body.get("evidence", ()))
        return cls(body["case"], body["action"], body["by"], body.get("note", ""), evidence)


@dataclass(frozen=True, slots=True)
class Decide:
    """A party authorises or declines a recommended phase, with its directory roles."""

    kind: ClassVar[str] = "decide"
    case: str
    phase: int
    party: str
    authorise: bool
    reason: str
    roles: frozenset[str] = frozenset()

    def to_json(self) -> Body:
        return {
            "case": self.case,
            "phase": self.phase,
            "party": self.party,
            "authorise": self.authorise,
            "reason": self.reason,
            "roles": sorted(self.roles),
        }

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Decide:
        return cls(
            body["case"],
            body["phase"],
            body["party"],
            body["authorise"],
            body["reason"],
            frozenset(body.get("roles", ())),
        )


@dataclass(frozen=True, slots=True)
class Close:
    """The coordination cell closes a case by hand."""

    kind: ClassVar[str] = "close"
    case: str

    def to_json(self) -> Body:
        return {"case": self.case}

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Close:
        return cls(body["case"])


@dataclass(frozen=True, slots=True)
class _Verdict:
    """An analyst's verdict on one incident, with who gave it and why."""

    incident: str
    by: str
    reason: str

    def to_json(self) -> Body:
        return {"incident": self.incident, "by": self.by, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Verify(_Verdict):
    kind: ClassVar[str] = "verify"
    reason: str = ""

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Verify:
        return cls(body["incident"], body["by"], body.get("reason", ""))


@dataclass(frozen=True, slots=True)
class Dispute(_Verdict):
    kind: ClassVar[str] = "dispute"

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Dispute:
        return cls(body["incident"], body["by"], body["reason"])


@dataclass(frozen=True, slots=True)
class Reject(_Verdict):
    kind: ClassVar[str] = "reject"

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Reject:
        return cls(body["incident"], body["by"], body["reason"])


@dataclass(frozen=True, slots=True)
class CountAsViolation(_Verdict):
    """A defensive response (rule 7) counted as a violation after all."""

    kind: ClassVar[str] = "count_as_violation"

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> CountAsViolation:
        return cls(body["incident"], body["by"], body["reason"])


@dataclass(frozen=True, slots=True)
class Merge:
    """Several incidents are one event: the others' reports join `incident`."""

    kind: ClassVar[str] = "merge"
    incident: str
    others: tuple[str, ...]
    by: str
    reason: str

    def to_json(self) -> Body:
        return {
            "incident": self.incident,
            "others": list(self.others),
            "by": self.by,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Merge:
        return cls(body["incident"], tuple(body["others"]), body["by"], body["reason"])


@dataclass(frozen=True, slots=True)
class Split:
    """Some reports of an incident describe another event: they leave as a new one."""

    kind: ClassVar[str] = "split"
    incident: str
    reports: tuple[tuple[str, str], ...]
    """(source, id) of each report that leaves."""
    by: str
    reason: str

    def to_json(self) -> Body:
        return {
            "incident": self.incident,
            "reports": [list(r) for r in self.reports],
            "by": self.by,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Split:
        reports = tuple((source, rid) for source, rid in body["reports"])
        return cls(body["incident"], reports, body["by"], body["reason"])


@dataclass(frozen=True, slots=True)
class DeclareSources:
    """Declare or regrade sources of the registry: for every ceasefire's engine."""

    kind: ClassVar[str] = "sources"
    sources: tuple[Source, ...]

    def to_json(self) -> Body:
        return {"sources": [s.as_record() for s in self.sources]}

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> DeclareSources:
        return cls(tuple(Source.model_validate(s) for s in body["sources"]))


CaseCommand = ActionDone | Decide | Close
"""A command on one case (its ceasefire is the case's)."""

IncidentCommand = Verify | Dispute | Reject | CountAsViolation | Merge | Split
"""A command on incidents of one ceasefire."""

CeasefireCommand = CaseCommand | IncidentCommand
"""A command for one ceasefire's engine."""

StoreCommand = DeclareSources
"""A command for every ceasefire's engine (journaled with no ceasefire)."""

Command = CeasefireCommand | StoreCommand

CEASEFIRE_COMMANDS: dict[str, type[CeasefireCommand]] = {
    c.kind: c
    for c in (ActionDone, Decide, Close, Verify, Dispute, Reject, CountAsViolation, Merge, Split)
}
STORE_COMMANDS: dict[str, type[StoreCommand]] = {DeclareSources.kind: DeclareSources}


def journal_body(command: Command, at: datetime | None) -> Body:
    """The body the journal stores: the command's, and the instant it was taken at."""
    return {**command.to_json(), "at": None if at is None else at.isoformat()}


def taken_at(body: Mapping[str, Any]) -> datetime | None:
    """The instant a journaled command was taken at (None: a store command taken before
    the clock started)."""
    at = body["at"]
    return None if at is None else datetime.fromisoformat(at)


def ceasefire_command(kind: str, body: Mapping[str, Any]) -> CeasefireCommand:
    """A journaled command for one ceasefire's engine, decoded."""
    command = CEASEFIRE_COMMANDS.get(kind)
    if command is None:
        raise ValueError(f"unknown command {kind!r}")
    return command.from_json(body)


def store_command(kind: str, body: Mapping[str, Any]) -> StoreCommand:
    """A journaled command for every ceasefire's engine, decoded."""
    command = STORE_COMMANDS.get(kind)
    if command is None:
        raise ValueError(f"unknown store command {kind!r}")
    return command.from_json(body)
