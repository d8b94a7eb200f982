"""The ceasefires, the stakeholder directory and the source registry as they stand."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from ...domain.sources import Source
from .. import tables


def ceasefires(conn: Connection) -> list[RowMapping]:
    return list(
        conn.execute(sa.select(tables.ceasefires).order_by(tables.ceasefires.c.id)).mappings()
    )


def ceasefire(conn: Connection, ceasefire_id: str) -> RowMapping | None:
    c = tables.ceasefires
    return conn.execute(sa.select(c).where(c.c.id == ceasefire_id)).mappings().first()


def ceasefire_parties(conn: Connection) -> list[str]:
    """The parties of every stored ceasefire, sorted: whom a report or the map may name."""
    return sorted({p for cf in ceasefires(conn) for p in cf["definition"].get("parties", [])})


def parties(conn: Connection) -> list[RowMapping]:
    return list(conn.execute(sa.select(tables.parties).order_by(tables.parties.c.code)).mappings())


def party(conn: Connection, code: str) -> RowMapping | None:
    p = tables.parties
    return conn.execute(sa.select(p).where(p.c.code == code)).mappings().first()


def party_roles(conn: Connection, code: str) -> frozenset[str] | None:
    """A party's roles in the directory; None when the directory does not know it."""
    row = conn.execute(
        sa.select(tables.parties.c.roles).where(tables.parties.c.code == code)
    ).first()
    return None if row is None else frozenset(row.roles)


def sources(conn: Connection) -> list[Source]:
    """The source registry as it stands, by id."""
    t = tables.sources
    return [
        Source(
            id=row.id,
            kind=row.kind,
            reliability=row.reliability,
            credibility=row.credibility,
            group=row.independence_group,
        )
        for row in conn.execute(sa.select(t).order_by(t.c.id))
    ]
