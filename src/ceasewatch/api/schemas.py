"""What the API takes and gives, as pydantic models (they are its OpenAPI schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import dataclasses as pydantic_dataclasses

from ..domain.ceasefire import Ceasefire
from ..domain.parties import Contact
from ..domain.reports import Evidence, Report, few_enough
from ..domain.text import NO_NUL, Code, Key, Reason, Text
from ..httpkit.errors import FieldProblem


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# -- the clock --------------------------------------------------------------------------


class ClockOut(Out):
    clock: datetime | None = Field(
        description="The stored clock: what every deadline is counted against (null until "
        "the first report or tick)."
    )
    wall: datetime = Field(description="The wall clock, as this server reads it.")
    lag_s: float | None = Field(
        description="Seconds the stored clock is behind the wall clock (negative: ahead of "
        "it). Over 60: no live ticker (`ceasewatch run`) is keeping it on time."
    )


class Health(ClockOut):
    status: Literal["ok"]


# -- reports ----------------------------------------------------------------------------


@pydantic_dataclasses.dataclass(frozen=True, kw_only=True)
class JudgedReport(Report):
    """A stored report as rule 6 weighed it: where the source registry declared its source
    (as the registry stood when the report arrived), `source_kind`, `reliability` (and
    `credibility`, if the registry gives one) are the registry's, and what the report
    claimed otherwise is kept under `claims`."""

    group: str = Field(description="Its independence group (undeclared sources: the source id).")
    claims: dict[str, Any] | None = Field(
        None,
        description="What the report said of itself where the registry says otherwise, "
        'e.g. {"source_kind": "monitor"}; the journal keeps the report as sent.',
    )


@pydantic_dataclasses.dataclass(frozen=True, kw_only=True)
class StoredReport(JudgedReport):
    seq: int = Field(description="Its place in the journal: the cursor for paging.")


class ReportPage(Out):
    items: list[StoredReport]
    next: str | None = Field(description="Pass as `cursor` for the next page; null at the end.")


class Submitted(Out):
    stored: list[str] = Field(description="Ids of the reports stored.")
    duplicates: list[str] = Field(description="Ids stored before: nothing changed for them.")
    rejected: list[FieldProblem] = Field(description="Each bad field of each bad record.")


# -- incidents --------------------------------------------------------------------------


class IncidentOut(Out):
    key: str = Field(description="CEASEFIRE:INCIDENT, e.g. cf-2026:inc-12")
    ceasefire_id: str
    id: str
    status: str
    severity: str
    perpetrator: str | None
    occurred_at: datetime
    lat: float
    lon: float
    killed: int
    injured: int
    event_types: list[str]
    verified_at: datetime | None
    violation_at: datetime | None
    verified_by: str | None = Field(
        description="The analyst, the source whose graded report verified it alone, or "
        "`trusted input`; none for corroboration."
    )
    verified_how: str | None = Field(
        description="corroboration, graded_report, analyst or trusted_input (none for an "
        "incident verified by rule 6 before this was recorded)"
    )
    reviewed_by: str | None
    review_reason: str | None
    case_id: str | None = Field(description="The case it counts toward as a violation.")
    response_to: str | None = Field(
        description="The case whose breach this fire acted to halt (rule 7): a defensive "
        "response, which counts as no violation unless an analyst counts it as one."
    )
    reports: list[list[str]] = Field(description="[source, id] of each of its reports")


class IncidentDetail(IncidentOut):
    records: list[JudgedReport] = Field(
        description="Its reports' records, in the order of `reports`: the first 16 MiB of them."
    )
    records_left: int = Field(
        0, description="Its reports whose records are left out here (`reports` names them all)."
    )


class IncidentPage(Out):
    items: list[IncidentOut]
    next: str | None


class Verdict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason


class Merge(Verdict):
    others: Annotated[
        list[str], Field(min_length=1, description="Keys of the incidents to merge in.")
    ]


class ReportKey(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: Key
    id: Key


class Split(Verdict):
    reports: Annotated[list[ReportKey], Field(min_length=1)]


# -- events -----------------------------------------------------------------------------


class EventOut(BaseModel):
    """A protocol event as the replay contract prints it (details as further fields)."""

    model_config = ConfigDict(extra="allow")
    at: str
    event: str
    case: str
    violator: str


class Done(Out):
    events: list[EventOut] = Field(description="What the command set off.")


# -- cases ------------------------------------------------------------------------------


class CaseOut(Out):
    id: str
    ceasefire_id: str
    violator: str
    phase: int
    severity: str
    opened: datetime
    opened_at: datetime
    last_violation: datetime | None
    closed_at: datetime | None
    close_reason: str | None
    recommended: dict[str, str]
    settled: dict[str, list[str]]


class ActionOut(Out):
    action_id: str
    phase: int
    title: str
    owners: list[str]
    due: datetime | None
    done_at: datetime | None
    done_by: str | None
    note: str | None
    overdue_at: datetime | None
    evidence: list[Evidence]


class DecisionOut(Out):
    phase: int
    party: str
    authorise: bool
    reason: str
    at: datetime
    roles: list[str]


class RuleProgress(Out):
    of: list[str]
    at_least: int
    authorised: list[str]
    declined: list[str]
    met: bool


class Quorum(Out):
    phase: int
    standing: str
    rules: list[RuleProgress]


class CaseDetail(CaseOut):
    actions: list[ActionOut]
    decisions: list[DecisionOut]
    quorum: list[Quorum]
    incidents: list[IncidentOut]
    responses: list[IncidentOut] = Field(
        description="The other side's defensive responses to its breaches (rule 7)."
    )
    events: list[EventOut]


class Decide(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phase: Annotated[int, Field(ge=1, le=3, strict=True)]
    decision: Literal["authorise", "decline"]
    reason: Reason
    party: Code | None = Field(None, description="Only the token's own party may be named.")


class ActionDone(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Text = ""
    evidence: list[Evidence] = []

    @field_validator("evidence")
    @classmethod
    def _few_enough(cls, evidence: list[Evidence]) -> list[Evidence]:
        few_enough(evidence)
        return evidence


# -- ceasefires and parties ---------------------------------------------------------------


class CeasefireCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ceasefire: Ceasefire
    policy_yaml: Annotated[str, Field(max_length=200_000, pattern=NO_NUL)] | None = Field(
        None, description="A policy's YAML, if not the shipped policy the ceasefire names."
    )


class CeasefireOut(Out):
    id: str
    name: str
    definition: dict[str, Any]
    policy_name: str
    policy_version: int
    added_at: datetime | None


class CeasefireDetail(CeasefireOut):
    policy_text: str


class PartyIn(Contact):
    """Leave `webhook_secret` out to keep the stored one."""


class PartyOut(Out):
    code: str
    name: str
    roles: list[str]
    contacts_shown: bool = Field(
        description="Whether this token may see the party's contact details (admins and "
        "observers: every party's; a decision maker: its own party's). When false, "
        "webhook_url, webhook_secret_set and emails are null. The secret is never shown."
    )
    webhook_url: str | None
    webhook_secret_set: bool | None
    emails: list[str] | None


class WebhookTested(Out):
    party: str
    url: str | None
    taken: bool = Field(description="Whether the receiver answered the test message with a 2xx.")
    error: str | None = Field(description="Why it was not taken (`HTTP 500`, a refusal, ...).")


# -- the audit log --------------------------------------------------------------------------


class AuditEntry(Out):
    seq: int
    at: datetime | None
    kind: str
    body: Any
    prev: str
    hash: str


class AuditPage(Out):
    items: list[AuditEntry]
    next: str | None


class Verification(Out):
    ok: bool
    problem: str | None
    head_seq: int
    head_hash: str


# -- checkpoints, the parties' keys, the journal for mirrors ----------------------------------

B64 = r"^[A-Za-z0-9+/]*={0,2}$"


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    public_key: str = Field(
        max_length=64,
        pattern=B64,
        description="base64 of the party's 32-byte Ed25519 public key "
        "(`ceasewatch key create --print-public` prints it).",
    )
    name: str | None = Field(
        None,
        max_length=200,
        pattern=r"^[^\s+]+$",
        description="The key's name in signature lines (default: the party code).",
    )


class KeyOut(Out):
    party: str
    name: str
    key_id: str = Field(description="8 hex digits: SHA-256(name, 0x0A, 0x01, key)[:4].")
    public_key: str
    verifier: str = Field(description="The key as Go's note package reads it.")
    added_at: datetime
    retired_at: datetime | None = Field(
        None, description="When a newer key replaced it: it signs no more, but verifies."
    )


class KeyList(Out):
    keys: list[KeyOut]


class KeyRegistered(KeyOut):
    new: bool = Field(description="False: this key was registered already.")
    retired: list[str] = Field(description="NAME+KEYID of the party's keys it retired.")


class SignatureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=200, pattern=r"^[^\s+]+$", description="The key name.")
    signature: str = Field(
        max_length=200, pattern=B64, description="base64(key ID || Ed25519 signature)."
    )


class SignatureOut(Out):
    party: str
    name: str
    key_id: str
    signature: str
    signed_at: datetime


class CheckpointOut(Out):
    size: int = Field(description="How many audit entries it covers: 1..size.")
    origin: str
    root: str = Field(description="base64 RFC 6962 root over entries 1..size.")
    head: str = Field(description="The hash of entry `size`.")
    created_at: datetime
    text: str = Field(description="The checkpoint (C2SP tlog-checkpoint): what parties sign.")
    note: str | None = Field(description="The C2SP signed note; null until signed.")
    signatures: list[SignatureOut]


class Signed(Out):
    size: int
    party: str
    new: bool = Field(description="False: this key's signature was stored already.")


class JournalRow(Out):
    table: Literal["reports", "commands"]
    row: dict[str, Any] = Field(description="The row's columns, instants in ISO 8601.")


class JournalPage(Out):
    items: list[JournalRow]
    next_after: int | None = Field(description="Pass as `after` for more; null at the end.")


class AuditTail(Out):
    items: list[dict[str, Any]] = Field(description="Entries exactly as held (`at` as `Z`).")
    next_after: int | None


# -- notifications --------------------------------------------------------------------------


class OutboxMessage(Out):
    id: int
    key: str = Field(description="Its Idempotency-Key.")
    ceasefire_id: str
    case_id: str
    event: str
    party: str
    kind: str
    channel: str
    address: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    sent_at: datetime | None
    acked_at: datetime | None
    acked_by: str | None


class OutboxPage(Out):
    counts: dict[str, int]
    items: list[OutboxMessage]
