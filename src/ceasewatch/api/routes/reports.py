"""`/api/v1/reports`: submit reports (one or a batch), and page through them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from ...domain.reports import EventType
from ...domain.text import NO_NUL
from ...httpkit.errors import ApiError, problems_of
from ...httpkit.params import BBOX, Since, Until, bbox_of, since_until
from ...services import submit
from ...services.reads import reports
from ...services.tokens import Principal, UserRole
from ..auth import EVERYONE, allow, system_of
from ..schemas import ReportPage, Submitted
from .common import CURSOR, MAX_PAGE, Filter, decode_cursor, encode_cursor, json_body

router = APIRouter(prefix="/reports", tags=["reports"])
MAX_BATCH = 10_000


@router.post(
    "",
    response_model=Submitted,
    responses={413: {"description": "Over 10,000 records, or the body is too large."}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"$ref": "#/components/schemas/Report"},
                            {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/Report"},
                                "maxItems": MAX_BATCH,
                            },
                        ]
                    }
                }
            },
        }
    },
)
async def submit_reports(
    request: Request,
    who: Annotated[Principal, Depends(allow(UserRole.REPORTER, UserRole.ANALYST, UserRole.ADMIN))],
) -> Submitted:
    """One report, or a JSON array of up to 10,000: the good ones are stored, each bad field
    named. A lone bad report is refused (422); a batch answers 200 with what was stored and
    what was rejected. A record without `reported_at` was reported when it was received.

    A reporter bound to sources sends only as them (another `source` is rejected), and the
    registry grades its reports; a reporter bound to none may not report as a declared
    source, nor claim `source_kind` monitor, sensor or satellite, nor reliability A or B."""
    data = json_body(await request.body())
    records = data if isinstance(data, list) else [data]
    if len(records) > MAX_BATCH:
        raise ApiError(413, f"a batch holds at most {MAX_BATCH} reports, this one {len(records)}")
    received = request.app.state.clock.now()
    system = system_of(request)
    sent_by = await run_in_threadpool(submit.sender, system, who)
    result = await run_in_threadpool(request.app.state.submitter.submit, records, received, sent_by)
    if not isinstance(data, list) and result.rejected:
        raise ApiError(422, "the report is not valid", problems_of(result.rejected))
    return Submitted(
        stored=result.stored, duplicates=result.duplicates, rejected=problems_of(result.rejected)
    )


@router.get("", response_model=ReportPage)
def list_reports(
    request: Request,
    _who: Annotated[Principal, Depends(allow(*EVERYONE))],
    since: Since = None,
    until: Until = None,
    bbox: Annotated[str | None, Query(description="W,S,E,N", pattern=BBOX)] = None,
    type: Annotated[EventType | None, Query()] = None,
    source: Filter = None,
    status: Annotated[
        str | None, Query(description="its incident's status", max_length=40, pattern=NO_NUL)
    ] = None,
    ceasefire: Filter = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    cursor: Annotated[str | None, Query(pattern=CURSOR)] = None,
) -> ReportPage:
    """Stored reports in the order they were taken, filtered; page with `cursor`. A page
    holds `limit` reports, or fewer where their records pass 16 MiB: follow `next`."""
    since_until(since, until)
    after = decode_cursor(cursor) or 0
    if not isinstance(after, int):
        raise ApiError(422, "bad cursor")
    page = reports.page(
        system_of(request),
        after=after,
        limit=limit,
        since=since,
        until=until,
        bbox=bbox_of(bbox),
        event_type=type.value if type else None,
        source=source,
        status=status,
        ceasefire=ceasefire,
    )
    items = page.items
    nxt = encode_cursor(items[-1]["seq"]) if page.more else None
    return ReportPage.model_validate({"items": items, "next": nxt})
