"""`/api/v1/audit`: page through the hash-chained log, export it, verify it; its
checkpoints and the parties' signatures on them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import StreamingResponse

from ...httpkit.errors import ApiError, FieldProblem
from ...httpkit.spool import spooled_lines
from ...services import checkpoints
from ...services.keys import NotTheirs
from ...services.reads import audit
from ...services.tokens import Principal, UserRole
from ...tlog.note import NoteError, Signature
from ..auth import EVERYONE, allow, system_of
from ..schemas import AuditPage, CheckpointOut, SignatureIn, Signed, Verification
from .common import CURSOR, MAX_PAGE, MAX_SEQ, decode_cursor, encode_cursor

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
    items = audit.page(system_of(request), after=after, limit=limit)
    nxt = encode_cursor(items[-1]["seq"]) if len(items) == limit else None
    return AuditPage.model_validate({"items": items, "next": nxt})


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}, "description": "JSON lines"}},
)
def export(request: Request, _who: Reader) -> StreamingResponse:
    """The whole log as JSON lines, for `ceasewatch audit verify --file` (one snapshot of
    it, gathered before it is sent)."""
    entries = (entry.to_dict() for entry in audit.entries(system_of(request)))
    return StreamingResponse(spooled_lines(entries), media_type="application/x-ndjson")


@router.get("/verify", response_model=Verification)
def verify(request: Request, _who: Reader) -> Verification:
    """Check the chain in the database; the head to publish."""
    checked = audit.check_chain(system_of(request))
    return Verification(
        ok=checked.problem is None,
        problem=checked.problem,
        head_seq=checked.head_seq,
        head_hash=checked.head_hash,
    )


# -- checkpoints ------------------------------------------------------------------------

Admin = Annotated[Principal, Depends(allow(UserRole.ADMIN))]
Signer = Annotated[Principal, Depends(allow(UserRole.ADMIN, UserRole.DECISION_MAKER))]
Size = Annotated[int, PathParam(ge=1, le=MAX_SEQ, description="The checkpoint's size.")]
SizeOrLatest = Annotated[
    str, PathParam(pattern=r"^(latest|[1-9][0-9]{0,17})$", description="A size, or `latest`.")
]


@router.get("/checkpoints", response_model=list[CheckpointOut])
def list_checkpoints(request: Request, _who: Reader) -> list[CheckpointOut]:
    """Every checkpoint, smallest first, with the parties' signatures."""
    stored = checkpoints.listed(system_of(request))
    return [CheckpointOut.model_validate(checkpoints.as_record(c)) for c in stored]


@router.post(
    "/checkpoints",
    response_model=CheckpointOut,
    status_code=201,
    responses={200: {"model": CheckpointOut, "description": "The log has not grown: the latest."}},
)
def create_checkpoint(request: Request, response: Response, _who: Admin) -> CheckpointOut:
    """Checkpoint the log as it stands (200 with the latest if it has not grown)."""
    try:
        made = checkpoints.create(system_of(request), request.app.state.clock.now())
    except checkpoints.CheckpointError as exc:
        raise ApiError(409, str(exc)) from None
    if not made.new:
        response.status_code = 200
    return CheckpointOut.model_validate(checkpoints.as_record(made.checkpoint))


@router.get("/checkpoints/{size}", response_model=CheckpointOut)
def show_checkpoint(request: Request, size: SizeOrLatest, _who: Reader) -> CheckpointOut:
    try:
        found = checkpoints.get(system_of(request), None if size == "latest" else int(size))
    except checkpoints.NoCheckpoint as exc:
        raise ApiError(404, str(exc)) from None
    return CheckpointOut.model_validate(checkpoints.as_record(found))


@router.post(
    "/checkpoints/{size}/signatures",
    response_model=Signed,
    status_code=201,
    responses={200: {"model": Signed, "description": "This key's signature was stored already."}},
)
def sign_checkpoint(
    request: Request, response: Response, size: Size, body: SignatureIn, who: Signer
) -> Signed:
    """Add a party's signature line: it must verify over the checkpoint under a live key
    registered for the party (`PUT /parties/{code}/keys`). A decision maker adds its own
    party's signatures only. The same signature again: 200."""
    try:
        signature = Signature.decode(body.name, body.signature)
        signed = checkpoints.add_signature(
            system_of(request),
            size,
            signature,
            request.app.state.clock.now(),
            as_party=who.party if who.role is UserRole.DECISION_MAKER else None,
        )
    except NoteError as exc:
        problem = FieldProblem(record="body", field="signature", message=str(exc))
        raise ApiError(422, str(exc), [problem]) from None
    except checkpoints.NoCheckpoint as exc:
        raise ApiError(404, str(exc)) from None
    except NotTheirs as exc:
        raise ApiError(403, str(exc)) from None
    except checkpoints.SignatureRefused as exc:
        raise ApiError(422, str(exc)) from None
    if not signed.new:
        response.status_code = 200
    return Signed(size=signed.size, party=signed.party, new=signed.new)
