"""`/api/v1/journal`: what a mirror pulls (`ceasewatch mirror`). Every role may read it,
as every role reads the record: an observer's token is enough."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from ...services import journalfeed
from ...services.system import System
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
    return StreamingResponse(_spooled(system_of(request)), media_type="application/x-ndjson")


SPOOL_CHUNK = 1 << 20
KEEP_ALIVE_ROWS = 10_000


def _spooled(system: System) -> Iterator[bytes]:
    """The state's lines, gathered into a file at the store's pace and then sent at the
    reader's. Sent as they were read, a reader that took them slowly held the snapshot
    open as long as it liked: PostgreSQL could not vacuum, and SQLite's log could not be
    emptied, meanwhile. A blank line now and then tells the reader that the server is
    still gathering (a mirror gives up on a stream that sends nothing for minutes)."""
    with tempfile.TemporaryFile() as spool:
        yield b"\n"
        for n, item in enumerate(journalfeed.state(system), start=1):
            spool.write((json.dumps(item, ensure_ascii=False) + "\n").encode())
            if n % KEEP_ALIVE_ROWS == 0:
                yield b"\n"
        spool.seek(0)
        while chunk := spool.read(SPOOL_CHUNK):
            yield chunk
