"""Cases as the API and the CLI read them: the list, one whole with its quorum, and
whether a party may decide one of its phases."""

from __future__ import annotations

from typing import cast

from ...store.database import reading
from ...store.queries import case_rows as rows
from ..system import System
from . import rules
from .models import CaseDetail, CaseRow, CaseSummary


def cases(system: System, *, open_only: bool = False) -> list[CaseRow]:
    """Cases, oldest first (the open ones only, if asked)."""
    with reading(system.db) as conn:
        return [cast(CaseRow, dict(r)) for r in rows.cases(conn, open_only=open_only)]


def case(system: System, case_id: str) -> CaseDetail | None:
    """A case whole (see `CaseDetail`), its incidents and responses keyed."""
    with reading(system.db) as conn:
        found = rows.case(conn, case_id)
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
