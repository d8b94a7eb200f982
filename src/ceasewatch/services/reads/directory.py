"""The ceasefires and the stakeholder directory as they stand."""

from __future__ import annotations

from typing import cast

from ...store.database import reading
from ...store.queries import directory as rows
from ..system import System
from .models import CeasefireRow, PartyRow


def ceasefires(system: System) -> list[CeasefireRow]:
    """Every stored ceasefire, by id."""
    with reading(system.db) as conn:
        return [cast(CeasefireRow, dict(r)) for r in rows.ceasefires(conn)]


def ceasefire(system: System, ceasefire_id: str) -> CeasefireRow | None:
    with reading(system.db) as conn:
        found = rows.ceasefire(conn, ceasefire_id)
    return None if found is None else cast(CeasefireRow, dict(found))


def ceasefire_parties(system: System) -> list[str]:
    """The parties of every stored ceasefire, sorted: whom a report or the map may name."""
    with reading(system.db) as conn:
        return rows.ceasefire_parties(conn)


def parties(system: System) -> list[PartyRow]:
    """The directory, by code."""
    with reading(system.db) as conn:
        return [cast(PartyRow, dict(r)) for r in rows.parties(conn)]


def party(system: System, code: str) -> PartyRow | None:
    with reading(system.db) as conn:
        found = rows.party(conn, code)
    return None if found is None else cast(PartyRow, dict(found))
