"""Web sessions on the server: one row per sign-in, gone at sign-out.

A session cookie is signed, but a signature alone cannot be taken back: a copy of the
cookie would stay valid after signing out. So the cookie carries a random session id, the
store keeps its SHA-256 (as it keeps tokens' digests) with the token signed in with, and
every request looks both up: signing out deletes the row, revoking the token ends every
session signed in with it.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..store import tables
from ..store.database import reading
from . import tokens, unit_of_work
from .system import System
from .tokens import Principal, digest


def start(system: System, token_digest: str, now: datetime, lasts: timedelta) -> str:
    """A new session for the token with this digest; returns its id (for the cookie only).
    Sessions started more than `lasts` ago, whose cookies have expired, are cleared."""
    session = secrets.token_urlsafe(32)
    s = tables.web_sessions
    with unit_of_work.rows(system) as conn:
        conn.execute(sa.delete(s).where(s.c.started_at < now - lasts))
        conn.execute(
            sa.insert(s).values(digest=digest(session), token_digest=token_digest, started_at=now)
        )
    return session


def end(system: System, session: str) -> None:
    s = tables.web_sessions
    with unit_of_work.rows(system) as conn:
        conn.execute(sa.delete(s).where(s.c.digest == digest(session)))


def holder(system: System, session: str, now: datetime) -> Principal | None:
    """Who is signed in with this session, or None: signed out, or its token revoked or
    expired at `now` (the wall clock)."""
    s = tables.web_sessions
    with reading(system.db) as conn:
        token_digest = conn.execute(
            sa.select(s.c.token_digest).where(s.c.digest == digest(session))
        ).scalar()
    return None if token_digest is None else tokens.holder(system, token_digest, now)
