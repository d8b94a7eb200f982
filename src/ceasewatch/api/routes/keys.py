"""`/api/v1/keys` and `/api/v1/parties/{code}/keys`: the parties' public signing keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from ...httpkit.errors import ApiError, FieldProblem
from ...services import keys
from ...services.tokens import Principal, UserRole
from ...tlog.note import NoteError, Verifier, unb64
from ..auth import EVERYONE, allow, system_of
from ..schemas import KeyIn, KeyList, KeyOut, KeyRegistered

router = APIRouter(tags=["keys"])
PartyPath = Annotated[str, Path(max_length=40, pattern=r"^[A-Z][A-Z0-9_-]*$")]
Reader = Annotated[Principal, Depends(allow(*EVERYONE))]
Registrar = Annotated[Principal, Depends(allow(UserRole.ADMIN, UserRole.DECISION_MAKER))]


@router.get("/keys", response_model=KeyList)
def list_keys(request: Request, _who: Reader) -> KeyList:
    """Every public key ever registered (retired ones too: they verify what they signed),
    as `ceasewatch key export` writes them."""
    listed = keys.listed(system_of(request))
    return KeyList(keys=[KeyOut.model_validate(keys.key_record(k)) for k in listed])


@router.put("/parties/{code}/keys", response_model=KeyRegistered)
def register_key(request: Request, code: PartyPath, body: KeyIn, who: Registrar) -> KeyRegistered:
    """Register a party's public key (audited); it retires the party's older keys. An
    admin registers any party's key, a decision maker its own party's only. The same key
    again changes nothing."""
    try:
        verifier = Verifier(body.name or code, unb64(body.public_key, "public_key"))
    except NoteError as exc:
        problem = FieldProblem(record="body", field="public_key", message=str(exc))
        raise ApiError(422, str(exc), [problem]) from None
    as_party = who.party if who.role is UserRole.DECISION_MAKER else None
    try:
        registered = keys.register(
            system_of(request), code, verifier, request.app.state.clock.now(), as_party=as_party
        )
    except keys.NotTheirs as exc:
        raise ApiError(403, str(exc)) from None
    except keys.KeyRefused as exc:
        status = 404 if "not in the directory" in str(exc) else 409
        raise ApiError(status, str(exc)) from None
    stored = next(
        k for k in keys.listed(system_of(request)) if k.key.verifier == registered.key.verifier
    )
    return KeyRegistered.model_validate(
        keys.key_record(stored) | {"new": registered.new, "retired": registered.retired}
    )
