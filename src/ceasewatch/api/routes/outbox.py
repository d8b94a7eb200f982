"""`/api/v1/outbox`: the notifications to the parties; dead letters; retry; acknowledge."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from ...httpkit.errors import ApiError
from ...services import notify
from ...services.reads import outbox
from ...services.tokens import Principal, UserRole
from ..auth import allow, system_of
from ..schemas import OutboxMessage, OutboxPage
from .common import Filter

router = APIRouter(prefix="/outbox", tags=["notifications"])
Status = Literal["pending", "sending", "sent", "dead", "acknowledged"]
MessageId = Annotated[int, Path(ge=1, le=2**62)]


@router.get("", response_model=OutboxPage)
def list_outbox(
    request: Request,
    _who: Annotated[Principal, Depends(allow(UserRole.OBSERVER, UserRole.ADMIN))],
    status: Annotated[Status | None, Query(description="dead: the dead letters")] = None,
    party: Filter = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> OutboxPage:
    """Counts by status, and the messages (oldest first)."""
    found = outbox.listing(system_of(request), status=status, party=party, limit=limit)
    return OutboxPage.model_validate({"counts": found.counts, "items": found.items})


def _message(request: Request, message_id: int) -> OutboxMessage:
    row = outbox.message(system_of(request), message_id)
    if row is None:
        raise ApiError(404, f"no message {message_id}")
    return OutboxMessage.model_validate(row)


@router.post("/{message_id}/retry", response_model=OutboxMessage)
def retry(
    request: Request,
    message_id: MessageId,
    _who: Annotated[Principal, Depends(allow(UserRole.ADMIN))],
) -> OutboxMessage:
    """Send a message again from its first attempt (a dead letter, once its cause is mended)."""
    _message(request, message_id)
    notify.retry(system_of(request), message_id)
    return _message(request, message_id)


@router.post("/{message_id}/ack", response_model=OutboxMessage)
def acknowledge(
    request: Request,
    message_id: MessageId,
    who: Annotated[Principal, Depends(allow(UserRole.DECISION_MAKER, UserRole.ADMIN))],
) -> OutboxMessage:
    """Acknowledge a message: its retries stop; an overdue action's deadline does not.
    A decision maker acknowledges its own party's messages only."""
    message = _message(request, message_id)
    if who.role is UserRole.DECISION_MAKER and message.party != who.party:
        raise ApiError(403, f"this token is for {who.party}; the message is for {message.party}")
    notify.acknowledge(system_of(request), message_id, who.name, request.app.state.clock.now())
    return _message(request, message_id)
