"""Protocol events: what the engine says happened, in the replay contract's shape."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

CASE_OPENED = "case_opened"
VIOLATION_ADDED = "violation_added"
SEVERITY_RAISED = "severity_raised"
PHASE_RECOMMENDED = "phase_recommended"
ACTION_OVERDUE = "action_overdue"
ACTION_DONE = "action_done"
ACTION_STILL_OVERDUE = "action_still_overdue"
DECISION_RECORDED = "decision_recorded"
PHASE_AUTHORISED = "phase_authorised"
PHASE_DECLINED = "phase_declined"
INCIDENT_REJECTED = "incident_rejected"
INCIDENT_MERGED = "incident_merged"
DEFENSIVE_RESPONSE = "defensive_response"
"""Rule 7: the other side's fire to halt a breach, recorded on the violator's case."""
RESPONSE_RECLASSIFIED = "response_reclassified"
"""An analyst counts a defensive response as a violation after all."""
CASE_CLOSED = "case_closed"


def iso_z(at: datetime) -> str:
    """ISO 8601 UTC with a `Z`, seconds unless the instant has a fraction.

    An instant in `UTC` from year 1000 on (every instant the engine holds) is written
    by `isoformat`, which says the same at a fifth of `strftime`'s cost: a replay
    writes one or two a report.
    """
    if at.tzinfo is UTC and at.year >= 1000:
        return at.isoformat()[:-6] + "Z"
    text = at.strftime("%Y-%m-%dT%H:%M:%S")
    if at.microsecond:
        text += f".{at.microsecond:06d}"
    return text + "Z"


class ProtocolEvent(NamedTuple):
    """One thing the protocol did, at an instant of event time, for one case.

    A named tuple: immutable, and cheap to make, since a replay makes one per violation.
    """

    at: datetime
    event: str
    case: str
    violator: str
    details: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": iso_z(self.at),
            "event": self.event,
            "case": self.case,
            "violator": self.violator,
            **self.details,
        }
