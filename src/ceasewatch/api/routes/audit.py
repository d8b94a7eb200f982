"""`/api/v1/audit`: page through the hash-chained log, export it, verify it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from ... import audit
from ...services.tokens import Principal
from ...store import auditlog, queries
from ...store.database import reading
from ..auth import EVERYONE, allow, system_of
from ..errors import ApiError
from ..schemas import AuditPage, Verification
from .common import CURSOR, MAX_PAGE, decode_cursor, encode_cursor

router = APIRouter(prefix="/audit", tags=["audit"])
Reader = Annotated[Principal, Depends(allow(*EVERYONE))]


@router.get("", response_model=AuditPage)
def page(
    request: Request,
    _who: Reader,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    cursor: Annotated[str | None, Query(pattern=CURSOR)] = None,
) -> AuditPage:
    after = decode_cursor(cursor) or 0
    if not isinstance(after, int):
        raise ApiError(422, "bad cursor")
    with reading(system_of(request).db) as conn:
        items = queries.audit_page(conn, after=after, limit=limit)
    nxt = encode_cursor(items[-1]["seq"]) if len(items) == limit else None
    return AuditPage.model_validate({"items": items, "next": nxt})


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}, "description": "JSON lines"}},
)
def export(request: Request, _who: Reader) -> StreamingResponse:
    """The whole log as JSON lines, for `ceasewatch audit verify --file`."""
    db = system_of(request).db

    def lines() -> Iterator[bytes]:
        with reading(db) as conn:
            for entry in auditlog.entries(conn):
                yield (json.dumps(entry.to_dict(), ensure_ascii=False) + "\n").encode()

    return StreamingResponse(lines(), media_type="application/x-ndjson")


@router.get("/verify", response_model=Verification)
def verify(request: Request, _who: Reader) -> Verification:
    """Check the chain in the database; the head to publish."""
    with reading(system_of(request).db) as conn:
        problem = audit.verify(e.to_dict() for e in auditlog.entries(conn))
        seq, head = auditlog.last_link(conn)
    return Verification(
        ok=problem is None,
        problem=None if problem is None else str(problem),
        head_seq=seq,
        head_hash=head,
    )
