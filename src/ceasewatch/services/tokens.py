"""API tokens: who may do what. Only a token's SHA-256 is stored; the token is shown once.

A token may expire (counted on the wall clock the caller gives: tokens are not protocol
state); an expired token is refused like a revoked one. A reporter's token may be bound
to sources of the registry: it then reports only as them (see `services.submit`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..roles import UserRole as UserRole  # re-exported for its importers
from ..store import queries, tables
from ..store.database import reading
from . import unit_of_work
from .system import System

PREFIX = "cw_"


@dataclass(frozen=True, slots=True)
class Principal:
    name: str
    role: UserRole
    party: str | None
    sources: tuple[str, ...] = ()
    """A reporter's sources: it reports only as them (none: it grades nothing itself)."""


class TokenError(ValueError):
    """A token cannot be made or revoked as asked."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(
    system: System,
    *,
    name: str,
    role: UserRole,
    party: str | None,
    now: datetime,
    sources: Iterable[str] = (),
    expires: timedelta | None = None,
) -> str:
    """Make a token; returns it (the only time it is ever seen).

    A decision maker's party must be in the directory; a reporter's sources in the
    registry. `expires`: how long from `now` the token works (default: until revoked).
    """
    bound = sorted(set(sources))
    if role is UserRole.DECISION_MAKER and not party:
        raise TokenError("a decision maker's token is bound to a party: give --party")
    if role is not UserRole.DECISION_MAKER and party:
        raise TokenError("only a decision maker's token is bound to a party")
    if bound and role is not UserRole.REPORTER:
        raise TokenError("only a reporter's token is bound to sources")
    if expires is not None and expires <= timedelta(0):
        raise TokenError("a token's lifetime must be longer than nothing, e.g. 90d")
    with reading(system.db) as conn:
        if party:
            _check_party(conn, party)
        if bound:
            declared = {s.id for s in queries.sources(conn)}
            unknown = [s for s in bound if s not in declared]
            if unknown:
                raise TokenError(
                    f"source {', '.join(unknown)} is not in the registry: declare it first "
                    "(ceasewatch source import)"
                )
    token = PREFIX + secrets.token_urlsafe(32)
    row = {
        "name": name,
        "role": role.value,
        "party": party,
        "digest": digest(token),
        "created_at": now,
        "revoked_at": None,
        "expires_at": None if expires is None else now + expires,
        "sources": bound,
    }
    try:
        with unit_of_work.rows(system) as conn:
            conn.execute(sa.insert(tables.tokens).values(row))
    except IntegrityError:
        raise TokenError(f"a token named {name!r} exists already") from None
    return token


PARTY_CODE = re.compile(r"^[A-Z][A-Z0-9_-]*$")


def _check_party(conn: sa.Connection, party: str) -> None:
    if not PARTY_CODE.match(party):
        hint = f" ({party.upper()}?)" if PARTY_CODE.match(party.upper()) else ""
        raise TokenError(f"party {party!r}: a party code is upper case, as in the directory{hint}")
    if queries.party_roles(conn, party) is None:
        raise TokenError(
            f"party {party} is not in the directory: add it first (ceasewatch party import)"
        )


def revoke(system: System, name: str, now: datetime) -> None:
    with unit_of_work.rows(system) as conn:
        done = conn.execute(
            sa.update(tables.tokens)
            .where(tables.tokens.c.name == name, tables.tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
    if done.rowcount == 0:
        raise TokenError(f"no live token named {name!r}")


def authenticate(system: System, token: str, now: datetime) -> Principal | None:
    """Who holds this token, or None for an unknown, revoked or expired one."""
    return holder(system, digest(token), now)


def holder(system: System, token_digest: str, now: datetime) -> Principal | None:
    """Who holds the token with this SHA-256 (a web session keeps only the digest), or
    None if it is unknown, revoked or expired at `now` (the wall clock)."""
    t = tables.tokens
    with reading(system.db) as conn:
        row = conn.execute(
            sa.select(t.c.name, t.c.role, t.c.party, t.c.sources).where(
                t.c.digest == token_digest,
                t.c.revoked_at.is_(None),
                sa.or_(t.c.expires_at.is_(None), t.c.expires_at > now),
            )
        ).first()
    if row is None:
        return None
    return Principal(row.name, UserRole(row.role), row.party, tuple(row.sources))


def listed(system: System) -> list[sa.RowMapping]:
    t = tables.tokens
    with reading(system.db) as conn:
        query = sa.select(
            t.c.name,
            t.c.role,
            t.c.party,
            t.c.sources,
            t.c.created_at,
            t.c.expires_at,
            t.c.revoked_at,
        )
        return list(conn.execute(query.order_by(t.c.name)).mappings())
