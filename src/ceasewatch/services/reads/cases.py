"""Cases as the API and the CLI read them: the list, one whole with its quorum, and
whether a party may decide one of its phases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from ...store.database import reading
from ...store.queries import case_rows as rows
from ...store.queries import status
from ..system import System
from . import rules
from .models import CaseDetail, CaseRecord, CaseRow, CaseSummary


def cases(system: System, *, open_only: bool = False) -> list[CaseRow]:
    """Cases, oldest first (the open ones only, if asked)."""
    with reading(system.db) as conn:
        return [cast(CaseRow, dict(r)) for r in rows.cases(conn, open_only=open_only)]


@dataclass(frozen=True)
class Summaries:
    """Cases with their actions and decisions, and the stored clock they stand at."""

    cases: list[CaseSummary]
    clock: datetime | None


def summaries(system: System, *, open_only: bool = False) -> Summaries:
    """Cases (the open ones, if asked) with their actions and decisions, oldest first."""
    with reading(system.db) as conn:
        found = rows.case_summaries(conn, open_only=open_only)
        return Summaries(cast(list[CaseSummary], found), status.clock(conn))


@dataclass(frozen=True)
class Stored:
    """A case as stored (None: no such case), and the stored clock it stands at."""

    case: CaseRecord | None
    clock: datetime | None


def stored(system: System, case_id: str) -> Stored:
    """A case as stored, whole (see `CaseRecord`), as `case show` prints it."""
    with reading(system.db) as conn:
        return Stored(cast(CaseRecord | None, rows.case(conn, case_id)), status.clock(conn))


def case(system: System, case_id: str) -> CaseDetail | None:
    """A case whole (see `CaseDetail`), its incidents and responses keyed (their reports'
    records not read: `GET /api/v1/incidents/{key}` gives them)."""
    with reading(system.db) as conn:
        found = rows.case(conn, case_id, records=False)
        if found is None:
            return None
        found["quorum"] = rules.quorum(conn, cast(CaseSummary, found))
    for listed in ("incidents", "responses"):
        found[listed] = [{**i, "key": f"{i['ceasefire_id']}:{i['id']}"} for i in found[listed]]
    return cast(CaseDetail, found)


def may_decide(system: System, case_id: str, phase: int, party: str) -> bool | None:
    """Whether the policy names `party` for deciding `phase` of the case; None if there is
    no such case."""
    with reading(system.db) as conn:
        found = rows.case_summaries(conn, open_only=False, ids=[case_id])
        if not found:
            return None
        return rules.may_decide(conn, cast(CaseSummary, found[0]), phase, party)
