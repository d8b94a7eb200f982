"""`/api/v1/cases`: cases with their timeline and quorum; decisions; actions done."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from ...domain.text import NO_NUL
from ...httpkit.errors import ApiError
from ...services import commands
from ...services.reads import cases
from ...services.reads.models import CaseDetail as CaseRead
from ...services.tokens import Principal, UserRole
from ..auth import EVERYONE, allow, system_of
from ..schemas import ActionDone, CaseDetail, CaseOut, Decide, Done
from .common import events_out, refused

router = APIRouter(prefix="/cases", tags=["cases"])
CaseId = Annotated[
    str, Path(description="CEASEFIRE/VIOLATOR/N, e.g. cf-2026/RU/1", max_length=300, pattern=NO_NUL)
]
ActionId = Annotated[str, Path(max_length=100, pattern=NO_NUL)]


@router.get("", response_model=list[CaseOut])
def list_cases(
    request: Request,
    _who: Annotated[Principal, Depends(allow(*EVERYONE))],
    open: bool = False,
) -> list[CaseOut]:
    """Cases, oldest first; `open=true` for the open ones only."""
    return [CaseOut.model_validate(r) for r in cases.cases(system_of(request), open_only=open)]


def _case(request: Request, case_id: str) -> CaseRead:
    case = cases.case(system_of(request), case_id)
    if case is None:
        raise ApiError(404, f"no case {case_id}")
    return case


@router.post("/{case_id:path}/decisions", response_model=Done)
def decide(
    request: Request,
    case_id: CaseId,
    body: Decide,
    who: Annotated[Principal, Depends(allow(UserRole.DECISION_MAKER))],
) -> Done:
    """Authorise or decline a recommended phase, for the token's own party."""
    party = who.party or ""
    if body.party is not None and body.party != party:
        raise ApiError(403, f"this token decides for {party}, not for {body.party}")
    may = cases.may_decide(system_of(request), case_id, body.phase, party)
    if may is None:
        raise ApiError(404, f"no case {case_id}")
    if not may:
        raise ApiError(403, f"{party} may not decide phase {body.phase} of {case_id}")
    try:
        events = commands.decide(
            system_of(request),
            case_id,
            body.phase,
            party=party,
            authorise=body.decision == "authorise",
            reason=body.reason,
        )
    except commands.Refused as exc:
        raise refused(exc) from None
    return Done(events=events_out(events))


@router.post("/{case_id:path}/actions/{action}", response_model=Done)
def action_done(
    request: Request,
    case_id: CaseId,
    action: ActionId,
    body: ActionDone,
    who: Annotated[Principal, Depends(allow(UserRole.DECISION_MAKER, UserRole.ADMIN))],
) -> Done:
    """Mark an action done, with a note and evidence: by an owner's decision maker, or an
    admin of the coordination cell recording it."""
    cell = who.role is not UserRole.DECISION_MAKER
    try:
        events = commands.action_done(
            system_of(request),
            case_id,
            action,
            by=who.name if cell else who.party or "",
            note=body.note,
            evidence=[e.model_dump() for e in body.evidence],
            cell=cell,
        )
    except commands.Refused as exc:
        raise refused(exc) from None
    return Done(events=events_out(events))


@router.get("/{case_id:path}", response_model=CaseDetail)
def show_case(
    request: Request, case_id: CaseId, _who: Annotated[Principal, Depends(allow(*EVERYONE))]
) -> CaseDetail:
    """A case: timeline, actions and deadlines, decisions and the quorum so far, incidents."""
    case = _case(request, case_id)
    return CaseDetail.model_validate({**case, "events": [e.to_dict() for e in case["events"]]})
