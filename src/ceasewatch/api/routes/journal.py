"""`/api/v1/journal`: what a mirror pulls (`ceasewatch mirror`). Every role may read it,
as every role reads the record: an observer's token is enough."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from ...httpkit.spool import spooled_lines
from ...services import journalfeed
from ...services.tokens import Principal
from ..auth import EVERYONE, allow, system_of
from ..schemas import AuditTail, JournalPage
from .common import MAX_PAGE, MAX_SEQ

router = APIRouter(prefix="/journal", tags=["journal"])
Reader = Annotated[Principal, Depends(allow(*EVERYONE))]
After = Annotated[int, Query(ge=0, le=MAX_SEQ, description="Start after this number.")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]


@router.get("/entries", response_model=JournalPage)
def entries(request: Request, _who: Reader, after: After = 0, limit: Limit = 500) -> JournalPage:
    """The journal's rows (reports and commands: the inputs every derived row is a
    function of) numbered after `after`, in order, every column as stored."""
    page = journalfeed.journal_page(system_of(request), after, limit)
    return JournalPage.model_validate(page)


@router.get("/audit", response_model=AuditTail)
def audit_tail(request: Request, _who: Reader, after: After = 0, limit: Limit = 500) -> AuditTail:
    """The audit entries numbered after `after`, exactly as held (as `audit export`
    writes them)."""
    return AuditTail.model_validate(journalfeed.audit_page(system_of(request), after, limit))


@router.get(
    "/state",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}, "description": "JSON lines"}},
)
def state(request: Request, _who: Reader) -> StreamingResponse:
    """One snapshot of the store, as JSON lines: `{"mark": {clock, next_seq, journal_end,
    audit_size, audit_head}}`, then `{"table", "row"}` for every ceasefire and every row
    derived from the journal (incidents, incident_reports, cases, actions, decisions,
    events), then `{"end": true}`. Blank lines may come first, while the server gathers
    the snapshot: skip them."""
    lines = spooled_lines(journalfeed.state(system_of(request)), awake=True)
    return StreamingResponse(lines, media_type="application/x-ndjson")
