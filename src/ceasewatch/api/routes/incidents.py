"""`/api/v1/incidents`: list, show, and analysts' verdicts on them.

Verify, reject, dispute, merge and split, and counting a defensive response as a violation
after all: each with a reason, each audited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from ...domain.events import ProtocolEvent
from ...domain.text import NO_NUL
from ...httpkit.errors import ApiError
from ...httpkit.params import BBOX, Since, Until, bbox_of, since_until
from ...services import commands
from ...services.reads import incidents
from ...services.tokens import Principal, UserRole
from ..auth import EVERYONE, allow, system_of
from ..schemas import Done, IncidentDetail, IncidentPage, Merge, Split, Verdict
from .common import (
    CURSOR,
    MAX_PAGE,
    Filter,
    decode_cursor,
    encode_cursor,
    events_out,
    refused,
)

router = APIRouter(prefix="/incidents", tags=["incidents"])
Key = Annotated[
    str,
    Path(description="CEASEFIRE:INCIDENT, e.g. cf-2026:inc-12", max_length=310, pattern=NO_NUL),
]
Analyst = Annotated[Principal, Depends(allow(UserRole.ANALYST, UserRole.ADMIN))]


def split_key(key: str) -> tuple[str, str]:
    parts = incidents.parse_incident_key(key)
    if parts is None:
        raise ApiError(404, f"no incident {key}: a key is CEASEFIRE:INCIDENT")
    return parts


@router.get("", response_model=IncidentPage)
def list_incidents(
    request: Request,
    _who: Annotated[Principal, Depends(allow(*EVERYONE))],
    ceasefire: Filter = None,
    status: Filter = None,
    severity: Filter = None,
    perpetrator: Filter = None,
    case: Filter = None,
    response_to: Annotated[
        str | None,
        Query(max_length=300, pattern=NO_NUL, description="defensive responses to this case"),
    ] = None,
    since: Since = None,
    until: Until = None,
    bbox: Annotated[str | None, Query(description="W,S,E,N", pattern=BBOX)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    cursor: Annotated[str | None, Query(pattern=CURSOR)] = None,
) -> IncidentPage:
    """Incidents of every ceasefire, filtered; page with `cursor`."""
    since_until(since, until)
    after = decode_cursor(cursor)
    if after is not None and not (isinstance(after, list) and len(after) == 2):
        raise ApiError(422, "bad cursor")
    rows = incidents.page(
        system_of(request),
        after=(str(after[0]), int(after[1])) if after else None,
        limit=limit,
        ceasefire=ceasefire,
        status=status,
        severity=severity,
        perpetrator=perpetrator,
        case=case,
        response_to=response_to,
        since=since,
        until=until,
        bbox=bbox_of(bbox),
    )
    nxt = encode_cursor([rows[-1]["ceasefire_id"], rows[-1]["seq"]]) if len(rows) == limit else None
    return IncidentPage.model_validate({"items": rows, "next": nxt})


@router.get("/{key}", response_model=IncidentDetail)
def show_incident(
    request: Request, key: Key, _who: Annotated[Principal, Depends(allow(*EVERYONE))]
) -> IncidentDetail:
    """An incident with its reports."""
    ceasefire, incident = split_key(key)
    row = incidents.incident(system_of(request), ceasefire, incident)
    if row is None:
        raise ApiError(404, f"no incident {key}")
    return IncidentDetail.model_validate(row)


def _done(command: Callable[[], list[ProtocolEvent]]) -> Done:
    """Run an analyst's command: what it set off, or why the protocol refused it."""
    try:
        return Done(events=events_out(command()))
    except commands.Refused as exc:
        raise refused(exc) from None


def _verdict(request: Request, key: str, verdict: str, who: Principal, reason: str) -> Done:
    ceasefire, incident = split_key(key)
    return _done(
        lambda: commands.review_incident(
            system_of(request), ceasefire, incident, verdict, by=who.name, reason=reason
        )
    )


@router.post("/{key}/verify", response_model=Done)
def verify(request: Request, key: Key, body: Verdict, who: Analyst) -> Done:
    """Verify an incident the corroboration rule has not (it may open or join a case)."""
    return _verdict(request, key, "verify", who, body.reason)


@router.post("/{key}/reject", response_model=Done)
def reject(request: Request, key: Key, body: Verdict, who: Analyst) -> Done:
    """Reject an incident: it no longer counts toward its case."""
    return _verdict(request, key, "reject", who, body.reason)


@router.post("/{key}/dispute", response_model=Done)
def dispute(request: Request, key: Key, body: Verdict, who: Analyst) -> Done:
    """Hold an unverified incident for review: corroboration will not verify it."""
    return _verdict(request, key, "dispute", who, body.reason)


@router.post("/{key}/count-as-violation", response_model=Done)
def count_as_violation(request: Request, key: Key, body: Verdict, who: Analyst) -> Done:
    """Count a defensive response (rule 7) as a violation after all: it counts from now,
    toward a case of its own side (409 if the incident is no defensive response)."""
    ceasefire, incident = split_key(key)
    return _done(
        lambda: commands.count_as_violation(
            system_of(request), ceasefire, incident, by=who.name, reason=body.reason
        )
    )


@router.post("/{key}/merge", response_model=Done)
def merge(request: Request, key: Key, body: Merge, who: Analyst) -> Done:
    """Merge other incidents of the same ceasefire into this one."""
    ceasefire, incident = split_key(key)
    others = []
    for other in body.others:
        other_ceasefire, other_id = split_key(other)
        if other_ceasefire != ceasefire:
            raise ApiError(409, f"{other} is of another ceasefire than {key}")
        others.append(other_id)
    return _done(
        lambda: commands.merge_incidents(
            system_of(request), ceasefire, incident, others, by=who.name, reason=body.reason
        )
    )


@router.post("/{key}/split", response_model=Done)
def split(request: Request, key: Key, body: Split, who: Analyst) -> Done:
    """Split reports off into a new incident."""
    ceasefire, incident = split_key(key)
    reports = [(r.source, r.id) for r in body.reports]
    return _done(
        lambda: commands.split_incident(
            system_of(request), ceasefire, incident, reports, by=who.name, reason=body.reason
        )
    )
