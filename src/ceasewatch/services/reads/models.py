"""The read models: what the read services hand the API, the pages, the CLI and the
reports. Typed dictionaries, one key a column: the API's schemas validate them as they
are, and templates read `case.id` or `case["id"]` alike."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple, TypedDict

from ...domain.events import ProtocolEvent

ReportRecord = dict[str, Any]
"""A stored report as rule 6 weighed it (see `domain.sources.judged`): the report's JSON
with `grade`, `group` and, where the registry overrode them, the `claims` it made."""


class CaseRow(TypedDict):
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
    """Phase -> when it was recommended (ISO 8601)."""
    settled: dict[str, list[str]]
    """Phase -> [standing, when]."""


class ActionRow(TypedDict):
    case_id: str
    action_id: str
    phase: int
    title: str
    owners: list[str]
    due: datetime | None
    done_at: datetime | None
    done_by: str | None
    note: str | None
    overdue_at: datetime | None
    evidence: list[dict[str, str]]


class DecisionRow(TypedDict):
    case_id: str
    phase: int
    party: str
    position: int
    authorise: bool
    reason: str
    at: datetime
    roles: list[str]


class CaseSummary(CaseRow):
    """A case with its actions and decisions (not its incidents or events)."""

    actions: list[ActionRow]
    decisions: list[DecisionRow]


class IncidentRow(TypedDict):
    ceasefire_id: str
    id: str
    seq: int
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
    verified_by: str | None
    verified_how: str | None
    case_id: str | None
    reports: list[list[str]]
    """[source, id] of each of its reports."""
    reviewed_by: str | None
    review_reason: str | None
    response_to: str | None


class KeyedIncident(IncidentRow):
    key: str
    """`CEASEFIRE:INCIDENT`: how the API and the pages name an incident."""


class IncidentRecords(IncidentRow):
    """An incident with its reports' records."""

    records: list[ReportRecord]


class IncidentWithRecords(KeyedIncident):
    """An incident, keyed, with its reports' records: the first 16 MiB of them."""

    records: list[ReportRecord]
    records_left: int
    """Its reports whose records are left out (its `reports` name them all)."""


class RuleTally(TypedDict):
    of: list[str]
    at_least: int
    authorised: list[str]
    declined: list[str]
    met: bool


class Quorum(TypedDict):
    """How a recommended phase that needs authorising stands: each rule's tally so far."""

    phase: int
    standing: str
    rules: list[RuleTally]


class CaseRecord(CaseSummary):
    """A case as stored, whole: its incidents and the other side's defensive responses
    (each with its reports' records) and its events."""

    incidents: list[IncidentRecords]
    responses: list[IncidentRecords]
    events: list[ProtocolEvent]


class CaseDetail(CaseSummary):
    """A case whole: its incidents and the other side's defensive responses (their
    reports' records not read), its events, and the quorum of each phase awaiting
    authorisation."""

    incidents: list[KeyedIncident]
    responses: list[KeyedIncident]
    events: list[ProtocolEvent]
    quorum: list[Quorum]


class CaseOverview(CaseSummary):
    """A case for one page: its milestone events, its newest incidents (their reports'
    records not read) and how many it holds, and the newest defensive responses to it."""

    milestones: list[ProtocolEvent]
    incidents: list[IncidentRow]
    incident_count: int
    incident_count_capped: bool
    responses: list[IncidentRow]


class CeasefireRow(TypedDict):
    id: str
    name: str
    definition: dict[str, Any]
    """The ceasefire as validated, its zone inline."""
    policy_name: str
    policy_version: int
    policy_text: str
    added_at: datetime | None


class PartyRow(TypedDict):
    code: str
    name: str
    roles: list[str]
    webhook_url: str | None
    webhook_secret: str | None
    """Signs webhooks: never shown back (see `api.routes.directory`)."""
    emails: list[str]


class AuditRow(TypedDict):
    seq: int
    at: datetime | None
    kind: str
    body: Any
    prev: str
    hash: str


class OutboxRow(TypedDict):
    id: int
    key: str
    ceasefire_id: str
    case_id: str
    event: str
    party: str
    kind: str
    channel: str
    address: str
    payload: str
    created_at: datetime | None
    status: str
    attempts: int
    next_attempt_at: datetime | None
    claimed_until: datetime | None
    last_error: str | None
    sent_at: datetime | None
    acked_at: datetime | None
    acked_by: str | None


class NumberedEvent(NamedTuple):
    """A stored protocol event and the number it was stored under (the stream's id)."""

    seq: int
    event: ProtocolEvent
