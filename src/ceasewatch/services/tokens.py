"""API tokens: who may do what. Only a token's SHA-256 is stored; the token is shown once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..bootstrap import System
from ..store import tables
from ..store.database import reading

PREFIX = "cw_"


class UserRole(StrEnum):
    REPORTER = "reporter"
    """Submits reports (field monitors, sensor feeds)."""
    ANALYST = "analyst"
    """Verifies, rejects, disputes, merges and splits incidents."""
    DECISION_MAKER = "decision_maker"
    """Decides for one party: authorises or declines what the policy lets that party decide."""
    OBSERVER = "observer"
    """Reads."""
    ADMIN = "admin"
    """Runs the system: ceasefires, the directory, the outbox."""


@dataclass(frozen=True, slots=True)
class Principal:
    name: str
    role: UserRole
    party: str | None


class TokenError(ValueError):
    """A token cannot be made or revoked as asked."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(system: System, *, name: str, role: UserRole, party: str | None, now: datetime) -> str:
    """Make a token; returns it (the only time it is ever seen)."""
    if role is UserRole.DECISION_MAKER and not party:
        raise TokenError("a decision maker's token is bound to a party: give --party")
    if role is not UserRole.DECISION_MAKER and party:
        raise TokenError("only a decision maker's token is bound to a party")
    token = PREFIX + secrets.token_urlsafe(32)
    row = {
        "name": name,
        "role": role.value,
        "party": party,
        "digest": digest(token),
        "created_at": now,
        "revoked_at": None,
    }
    try:
        with system.db.begin() as conn:
            conn.execute(sa.insert(tables.tokens).values(row))
    except IntegrityError:
        raise TokenError(f"a token named {name!r} exists already") from None
    return token


def revoke(system: System, name: str, now: datetime) -> None:
    with system.db.begin() as conn:
        done = conn.execute(
            sa.update(tables.tokens)
            .where(tables.tokens.c.name == name, tables.tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
    if done.rowcount == 0:
        raise TokenError(f"no live token named {name!r}")


def authenticate(system: System, token: str) -> Principal | None:
    """Who holds this token, or None for an unknown or revoked one."""
    return holder(system, digest(token))


def holder(system: System, token_digest: str) -> Principal | None:
    """Who holds the token with this SHA-256, or None for an unknown or revoked one."""
    t = tables.tokens
    with reading(system.db) as conn:
        row = conn.execute(
            sa.select(t.c.name, t.c.role, t.c.party).where(
                t.c.digest == token_digest, t.c.revoked_at.is_(None)
            )
        ).first()
    return None if row is None else Principal(row.name, UserRole(row.role), row.party)


def listed(system: System) -> list[sa.RowMapping]:
    t = tables.tokens
    with reading(system.db) as conn:
        query = sa.select(t.c.name, t.c.role, t.c.party, t.c.created_at, t.c.revoked_at)
        return list(conn.execute(query.order_by(t.c.name)).mappings())
