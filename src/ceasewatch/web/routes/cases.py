"""`/cases`: the board of open cases, a page per case, decisions and actions done."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ...services import checkpoints, commands
from ...services.reads import board as boards
from ...services.reads import cases
from ...services.tokens import UserRole
from ..access import EVERYONE, Visitor, WebError, checked_form, require, system_of
from ..forms import reason
from ..templating import clock_of, render

router = APIRouter()
NOTE_MAX = 20_000


@router.get("/cases")
def board(request: Request, part: Annotated[str | None, Query(max_length=10)] = None) -> Response:
    who = require(request, *EVERYONE)
    now = clock_of(request).now
    shown = boards.board(system_of(request), now)
    name = "_board.html" if part == "board" else "cases.html"
    return render(request, name, who, cases=shown.cases, closed=shown.closed)


def _page(
    request: Request, who: Visitor, case_id: str, status: int = 200, **more: object
) -> Response:
    now = clock_of(request).now
    case = _arranged(request, who, case_id, now)
    record = checkpoints.case_record(system_of(request), case_id)
    return render(request, "case.html", who, status_code=status, case=case, record=record, **more)


def _arranged(request: Request, who: Visitor, case_id: str, now: datetime) -> boards.Arranged:
    """The case as its page shows it to this visitor; 404 if there is none."""
    case = boards.case_page(system_of(request), case_id, now, who.role, who.principal.party)
    if case is None:
        raise WebError(404, f"No case {case_id}.")
    return case


def case_url(case_id: str) -> str:
    return "/cases/" + quote(case_id, safe="/")


@router.get("/cases/{case_id:path}")
def case_page(
    request: Request, case_id: str, part: Annotated[str | None, Query(max_length=10)] = None
) -> Response:
    who = require(request, *EVERYONE)
    if len(case_id) > 300 or "\x00" in case_id:
        raise WebError(404, "No such case.")
    if part == "body":
        now = clock_of(request).now
        case = _arranged(request, who, case_id, now)
        return render(request, "_case_body.html", who, case=case)
    return _page(request, who, case_id)


def _note(value: object) -> str:
    return value.strip()[:NOTE_MAX] if isinstance(value, str) else ""


@router.post("/cases/{case_id:path}/decisions")
async def decide(request: Request, case_id: str) -> Response:
    """A decision maker authorises or declines a recommended phase for their own party."""
    who = require(request, UserRole.DECISION_MAKER)
    form = await checked_form(request, who)
    why, decision = reason(form.get("reason")), form.get("decision")
    phase_text = form.get("phase")
    if not isinstance(phase_text, str) or phase_text not in ("1", "2", "3"):
        raise WebError(422, "Which phase? (1, 2 or 3)")
    if decision not in ("authorise", "decline"):
        raise WebError(422, "Authorise or decline?")
    if why is None:
        return _page(request, who, case_id, 422, error="Give a reason for the decision.")
    phase, party = int(phase_text), who.principal.party or ""
    system = system_of(request)
    may = cases.may_decide(system, case_id, phase, party)
    if may is None:
        raise WebError(404, f"No case {case_id}.")
    if not may:
        raise WebError(403, f"{party} may not decide phase {phase} of {case_id}.")
    try:
        await run_in_threadpool(
            lambda: commands.decide(
                system,
                case_id,
                phase,
                party=party,
                authorise=decision == "authorise",
                reason=why,
            )
        )
    except commands.Refused as exc:
        return _page(request, who, case_id, 409, error=_sentence(str(exc)))
    return RedirectResponse(f"{case_url(case_id)}?done={decision}", 303)


@router.post("/cases/{case_id:path}/actions/{action}")
async def action_done(request: Request, case_id: str, action: str) -> Response:
    """An owner's decision maker, or an admin of the cell, marks an action done."""
    who = require(request, UserRole.DECISION_MAKER, UserRole.ADMIN)
    form = await checked_form(request, who)
    system = system_of(request)
    cell = who.role is UserRole.ADMIN
    by = who.principal.name if cell else who.principal.party or ""
    note = _note(form.get("note"))
    try:
        await run_in_threadpool(
            lambda: commands.action_done(system, case_id, action, by=by, note=note, cell=cell)
        )
    except commands.Unknown as exc:
        raise WebError(404, _sentence(str(exc))) from None
    except commands.Forbidden as exc:
        raise WebError(403, _sentence(str(exc))) from None
    except commands.Refused as exc:
        return _page(request, who, case_id, 409, error=_sentence(str(exc)))
    return RedirectResponse(f"{case_url(case_id)}?done=action", 303)


def _sentence(text: str) -> str:
    """A refusal as the pages say it: `Case cf-1/RU/1 is closed (…).`"""
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
