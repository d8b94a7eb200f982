"""The outbox's rows: notices in, claims and outcomes of the senders."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from ..audit import canonical, sha256_hex
from ..domain.notices import Notice
from . import bulk, tables

PENDING, SENDING, SENT, DEAD, ACKNOWLEDGED = "pending", "sending", "sent", "dead", "acknowledged"
STATUSES = (PENDING, SENDING, SENT, DEAD, ACKNOWLEDGED)
WEBHOOK, EMAIL = "webhook", "email"
MAIL_SERVER = "smtp"
"""The endpoint every e-mail goes through: the one SMTP server."""
CANDIDATES = 200
"""Due messages a claim with lanes looks through, to find those whose endpoint has room."""


def payload(ceasefire: str, notice: Notice) -> dict[str, Any]:
    return {
        "kind": notice.kind,
        "party": notice.party,
        "ceasefire": ceasefire,
        "event": notice.event.to_dict(),
    }


def rows_for(
    ceasefire: str,
    notices: Iterable[Notice],
    contacts: Mapping[str, Mapping[str, Any]],
    created_at: datetime | None,
) -> list[dict[str, Any]]:
    """One row per notice and channel the party has (a webhook, each e-mail address).

    The row's key (the Idempotency-Key) is a digest of what it says and where it goes, so
    a notice is queued once however often its transaction's writer retried.
    """
    rows = []
    for notice in notices:
        contact = contacts.get(notice.party)
        if contact is None:
            continue
        channels = [(EMAIL, address) for address in contact["emails"]]
        if contact["webhook_url"]:
            channels.insert(0, (WEBHOOK, contact["webhook_url"]))
        body = payload(ceasefire, notice)
        for channel, address in channels:
            key = sha256_hex(canonical([body, channel, address]))[:40]
            rows.append(
                {
                    "key": key,
                    "ceasefire_id": ceasefire,
                    "case_id": notice.event.case,
                    "event": notice.event.event,
                    "party": notice.party,
                    "kind": notice.kind,
                    "channel": channel,
                    "address": address,
                    "payload": canonical({**body, "id": key}).decode("utf-8"),
                    "created_at": created_at,
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt_at": None,
                    "claimed_until": None,
                    "last_error": None,
                    "sent_at": None,
                    "acked_at": None,
                    "acked_by": None,
                }
            )
    return rows


def write(conn: Connection, rows: list[dict[str, Any]]) -> None:
    bulk.insert(conn, tables.outbox, rows)


def endpoint(channel: str, address: str) -> str:
    """Where a message goes, for sharing out the senders: its webhook's URL, or the SMTP server."""
    return address if channel == WEBHOOK else MAIL_SERVER


def claim(
    conn: Connection,
    now: datetime,
    until: datetime,
    limit: int,
    *,
    per_endpoint: int | None = None,
    busy: Mapping[str, int] | None = None,
) -> list[RowMapping]:
    """Take up to `limit` messages due for sending (or whose sender's claim lapsed).

    With `per_endpoint`, no more to one endpoint than it has free: `per_endpoint` less
    what the caller is sending there already (`busy`), oldest first. A busy endpoint's
    backlog is passed over in the query, so it never hides other endpoints' messages.
    """
    o = tables.outbox
    due = sa.or_(
        sa.and_(
            o.c.status == PENDING, sa.or_(o.c.next_attempt_at.is_(None), o.c.next_attempt_at <= now)
        ),
        sa.and_(o.c.status == SENDING, o.c.claimed_until < now),
    )
    taken = dict(busy or {})
    if per_endpoint is not None:
        full = [e for e, n in taken.items() if n >= per_endpoint]
        hooks = [e for e in full if e != MAIL_SERVER]
        if hooks:
            due = sa.and_(due, sa.or_(o.c.channel != WEBHOOK, o.c.address.not_in(hooks)))
        if MAIL_SERVER in full:
            due = sa.and_(due, o.c.channel != EMAIL)
    query = (
        sa.select(o.c.id, o.c.channel, o.c.address)
        .where(due)
        .order_by(o.c.id)
        .limit(limit if per_endpoint is None else max(limit, CANDIDATES))
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = []
    for row in conn.execute(query).all():
        where = endpoint(row.channel, row.address)
        if per_endpoint is not None and taken.get(where, 0) >= per_endpoint:
            continue
        taken[where] = taken.get(where, 0) + 1
        ids.append(row.id)
        if len(ids) == limit:
            break
    if not ids:
        return []
    conn.execute(sa.update(o).where(o.c.id.in_(ids)).values(status=SENDING, claimed_until=until))
    return list(conn.execute(sa.select(o).where(o.c.id.in_(ids)).order_by(o.c.id)).mappings())


def renew(conn: Connection, ids: Iterable[int], until: datetime) -> None:
    """Extend the claims of messages still being sent, so no other sender takes them."""
    o = tables.outbox
    conn.execute(
        sa.update(o).where(o.c.id.in_(list(ids)), o.c.status == SENDING).values(claimed_until=until)
    )


def settle(conn: Connection, message_id: int, **values: Any) -> None:
    """Record a sender's outcome, unless someone acknowledged the message meanwhile."""
    o = tables.outbox
    conn.execute(sa.update(o).where(o.c.id == message_id, o.c.status == SENDING).values(**values))


def listed(
    conn: Connection, *, status: str | None = None, party: str | None = None, limit: int = 1000
) -> list[RowMapping]:
    o = tables.outbox
    query = sa.select(o).order_by(o.c.id).limit(limit)
    if status is not None:
        query = query.where(o.c.status == status)
    if party is not None:
        query = query.where(o.c.party == party)
    return list(conn.execute(query).mappings())


def counts(conn: Connection) -> dict[str, int]:
    o = tables.outbox
    rows = conn.execute(sa.select(o.c.status, sa.func.count()).group_by(o.c.status))
    return {status: n for status, n in rows}


def get(conn: Connection, message_id: int) -> RowMapping | None:
    o = tables.outbox
    return conn.execute(sa.select(o).where(o.c.id == message_id)).mappings().first()


def update(conn: Connection, message_id: int, **values: Any) -> None:
    o = tables.outbox
    conn.execute(sa.update(o).where(o.c.id == message_id).values(**values))
