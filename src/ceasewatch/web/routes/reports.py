"""`/reports/new`: a field monitor's report form (phone-sized screens), with a map pick of the
location and the API's validation, each bad field shown beside it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ...domain.events import iso_z
from ...domain.reports import EventType, SourceKind, Target
from ...domain.sources import VOUCHED_KINDS, VOUCHED_RELIABILITY
from ...services import submit
from ...services.reads import directory
from ...services.tokens import UserRole
from ..access import REPORTERS, Visitor, checked_form, require, system_of
from ..forms import new_report_id, report_record
from ..templating import render

router = APIRouter()


def _form(
    request: Request,
    who: Visitor,
    values: dict[str, str],
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    **more: Any,
) -> Response:
    parties = directory.ceasefire_parties(system_of(request))
    grades_itself = who.role is UserRole.REPORTER and not who.principal.sources
    return render(
        request,
        "report_form.html",
        who,
        status_code=status,
        values=values,
        errors=errors or {},
        event_types=[t.value for t in EventType],
        source_kinds=[k.value for k in SourceKind if not grades_itself or k not in VOUCHED_KINDS],
        reliabilities=[g for g in "ABCDE" if not grades_itself or g not in VOUCHED_RELIABILITY],
        bound_sources=list(who.principal.sources),
        default_kind="" if who.role is UserRole.REPORTER else "monitor",
        targets=[t.value for t in Target],
        parties=parties,
        **more,
    )


@router.get("/reports/new")
def report_form(request: Request, stored: str | None = None) -> Response:
    who = require(request, *REPORTERS)
    now = request.app.state.clock.now()
    bound = who.principal.sources
    values = {
        "id": new_report_id(),
        "source": bound[0] if bound else who.principal.name,
        "occurred_at": iso_z(now - timedelta(seconds=now.second))[:16],
        "reliability": "",
        "credibility": "",
    }
    notice = f"Report {stored[:200]} stored." if stored else None
    return _form(request, who, values, notice=notice)


@router.post("/reports/new")
async def submit_report(request: Request) -> Response:
    who = require(request, *REPORTERS)
    form = await checked_form(request, who)
    record, typed = report_record(form)
    received = request.app.state.clock.now()
    system = system_of(request)
    sent_by = await run_in_threadpool(submit.sender, system, who.principal)
    _, bad = submit.validate([record], received, sent_by)
    if not bad:
        submitter = request.app.state.submitter  # the API's: a worker's hands it to the writer
        result = await run_in_threadpool(submitter.submit, [record], received, sent_by)
        bad = result.rejected
    if bad:
        errors: dict[str, list[str]] = {}
        for problem in bad:
            field = problem.field.split(".")[0] if problem.field else "(record)"
            errors.setdefault(field if field in typed else "(record)", []).append(problem.message)
        return _form(request, who, typed, errors, 422)
    return RedirectResponse(f"/reports/new?stored={record['id']}", 303)
