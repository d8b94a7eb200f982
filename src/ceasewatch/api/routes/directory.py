"""`/api/v1/ceasefires` and `/api/v1/parties`: the ceasefires, the stakeholder directory,
and a check of a party's webhook receiver."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import ValidationError

from ...config import ConfigError, served_policy_text
from ...domain.parties import Party
from ...domain.problems import problems_in
from ...domain.text import NO_NUL
from ...httpkit.errors import ApiError, ErrorBody, FieldProblem
from ...notify.net import NetTransport
from ...services import notify, setup
from ...services.reads import directory
from ...services.reads.models import PartyRow
from ...services.tokens import Principal, UserRole
from ..auth import EVERYONE, allow, system_of
from ..schemas import (
    CeasefireCreate,
    CeasefireDetail,
    CeasefireOut,
    PartyIn,
    PartyOut,
    WebhookTested,
)
from ..settings import ApiSettings

router = APIRouter(tags=["ceasefires and parties"])
CeasefireId = Annotated[str, Path(max_length=200, pattern=NO_NUL)]
PartyPath = Annotated[str, Path(max_length=40, pattern=r"^[A-Z][A-Z0-9_-]*$")]
Admin = Annotated[Principal, Depends(allow(UserRole.ADMIN))]
Reader = Annotated[Principal, Depends(allow(*EVERYONE))]


@router.get("/ceasefires", response_model=list[CeasefireOut])
def list_ceasefires(request: Request, _who: Reader) -> list[CeasefireOut]:
    return [CeasefireOut.model_validate(r) for r in directory.ceasefires(system_of(request))]


@router.get("/ceasefires/{ceasefire_id}", response_model=CeasefireDetail)
def show_ceasefire(request: Request, ceasefire_id: CeasefireId, _who: Reader) -> CeasefireDetail:
    """A ceasefire with its zone (in `definition`) and the text of its policy."""
    row = directory.ceasefire(system_of(request), ceasefire_id)
    if row is None:
        raise ApiError(404, f"no ceasefire {ceasefire_id}")
    return CeasefireDetail.model_validate(row)


@router.post("/ceasefires", response_model=CeasefireDetail, status_code=201)
def create_ceasefire(request: Request, body: CeasefireCreate, _who: Admin) -> CeasefireDetail:
    """Store a ceasefire under a shipped policy (by name), a policy file of the server's
    policy folder (`CEASEWATCH_POLICY_DIR`, by its path there) or the policy YAML given;
    its engine runs over every stored report. The same terms again change nothing (201 all
    the same); other terms under a stored id are refused (409)."""
    ceasefire = body.ceasefire
    settings: ApiSettings = request.app.state.settings
    try:
        text = body.policy_yaml or served_policy_text(ceasefire.policy, settings.policy_dir)[0]
    except ConfigError as exc:
        problem = FieldProblem(record="body", field="ceasefire.policy", message=str(exc))
        raise ApiError(422, f"policy: {exc}", [problem]) from None
    try:
        setup.store_ceasefire(system_of(request), ceasefire, text)
    except setup.SetupError as exc:
        status = 409 if "stored with other terms" in str(exc) else 422
        raise ApiError(status, str(exc)) from None
    return show_ceasefire(request, ceasefire.id, _who)


CONTACTS_SEEN_BY = (UserRole.ADMIN, UserRole.OBSERVER)
"""Who sees every party's webhook URL and e-mail addresses: those who keep the directory
and watch the deliveries (the outbox shows them the addresses too)."""


def sees_contacts(who: Principal, code: str) -> bool:
    """Admins and observers see every party's contact details, a decision maker its own
    party's; reporters and analysts none. No one sees a webhook secret."""
    own = who.role is UserRole.DECISION_MAKER and who.party == code
    return who.role in CONTACTS_SEEN_BY or own


def _party_out(row: PartyRow, who: Principal) -> PartyOut:
    shown = sees_contacts(who, row["code"])
    return PartyOut(
        code=row["code"],
        name=row["name"],
        roles=row["roles"],
        contacts_shown=shown,
        webhook_url=row["webhook_url"] if shown else None,
        webhook_secret_set=bool(row["webhook_secret"]) if shown else None,
        emails=row["emails"] if shown else None,
    )


@router.get("/parties", response_model=list[PartyOut])
def list_parties(request: Request, who: Reader) -> list[PartyOut]:
    """The directory: contact details to admins, observers and each party's own decision
    makers (see `sees_contacts`); webhook secrets to no one."""
    return [_party_out(r, who) for r in directory.parties(system_of(request))]


@router.get("/parties/{code}", response_model=PartyOut)
def show_party(request: Request, code: PartyPath, who: Reader) -> PartyOut:
    row = directory.party(system_of(request), code)
    if row is None:
        raise ApiError(404, f"no party {code}")
    return _party_out(row, who)


@router.put("/parties/{code}", response_model=PartyOut)
def save_party(
    request: Request,
    code: PartyPath,
    body: PartyIn,
    _who: Admin,
) -> PartyOut:
    """Add or update a party (audited). Leave `webhook_secret` out to keep the stored one."""
    known = directory.party(system_of(request), code)
    secret = body.webhook_secret or (known["webhook_secret"] if known else None)
    try:
        party = Party.model_validate({**body.model_dump(), "code": code, "webhook_secret": secret})
    except ValidationError as exc:
        problems = [
            FieldProblem(record=f"party {code}", field=p.path or "(party)", message=p.message)
            for p in problems_in(exc)
        ]
        raise ApiError(422, "the party is not valid", problems) from None
    settings: ApiSettings = request.app.state.settings
    try:
        setup.import_parties(system_of(request), [party], settings.webhooks)
    except setup.WebhooksRefused as exc:
        problems = [
            FieldProblem(record=f"party {c}", field="webhook_url", message=why)
            for c, why in exc.refused
        ]
        raise ApiError(422, str(exc), problems) from None
    return show_party(request, code, _who)


Checker = Annotated[Principal, Depends(allow(UserRole.ADMIN, UserRole.DECISION_MAKER))]
CHECKS_AT_ONCE = 4
"""Webhook checks under way at once in a server's process: a receiver may hold each for
the whole exchange, and they must not take every thread that answers requests."""
_checking: set[str] = set()
_checking_lock = threading.Lock()


@contextmanager
def _one_check(code: str) -> Iterator[None]:
    with _checking_lock:
        if code in _checking:
            raise ApiError(429, f"a check of {code}'s receiver is under way: wait for it")
        if len(_checking) >= CHECKS_AT_ONCE:
            raise ApiError(429, f"{CHECKS_AT_ONCE} receivers are being checked: try again shortly")
        _checking.add(code)
    try:
        yield
    finally:
        with _checking_lock:
            _checking.discard(code)


@router.post(
    "/parties/{code}/webhook-test",
    response_model=WebhookTested,
    responses={429: {"model": ErrorBody, "description": "A check is under way already."}},
)
def test_webhook(request: Request, code: PartyPath, who: Checker) -> WebhookTested:
    """Send the party's webhook receiver a signed test message now, as the outbox sends its
    webhooks (`X-Ceasewatch-Kind: test`), and say whether it took it: a party checks its
    receiver before a deadline depends on it. An admin checks any party's, a decision
    maker its own party's. One check of a receiver at a time (429 while one is under way)."""
    if who.role is UserRole.DECISION_MAKER and who.party != code:
        raise ApiError(403, f"this token checks {who.party}'s receiver, not {code}'s")
    row = directory.party(system_of(request), code)
    if row is None:
        raise ApiError(404, f"no party {code}")
    settings: ApiSettings = request.app.state.settings
    with _one_check(code):
        transport = NetTransport(webhooks=settings.webhooks)
        try:
            notify.check_webhook(transport, row, request.app.state.clock.now())
        except notify.DeliveryFailed as exc:
            return WebhookTested(party=code, url=row["webhook_url"], taken=False, error=str(exc))
        finally:
            transport.close()
    return WebhookTested(party=code, url=row["webhook_url"], taken=True, error=None)
