"""Reading the read models, by topic: what the read services (`ceasewatch.services.reads`)
and the engines' services read. Import the topic's module (`store.queries.cases`); the
names below are the same functions, for the services and tests that read several topics.
"""

from __future__ import annotations

from .events import events, events_after, last_event_seq
from .reports import registry_history, report_page, reports, source_reports
from .directory import (
    ceasefire,
    ceasefire_parties,
    ceasefires,
    parties,
    party,
    party_roles,
    sources,
)
from .incidents import (
    count_up_to,
    defensive_responses,
    incident,
    incident_page,
    live_incidents,
    response_count,
    REVIEW,
    review_count,
    review_queue,
)
from .cases import (
    case,
    case_ceasefire,
    case_overview,
    case_summaries,
    cases,
    closed_cases,
    MILESTONES,
    recommendations,
)
from .maps import journal_state, map_rows, map_rows_changed, MapRow, REVIEWS, SPLITS
from .audit import audit_bodies, audit_page
from .status import clock, stats

__all__ = [
    "audit_bodies",
    "audit_page",
    "case",
    "case_ceasefire",
    "case_overview",
    "case_summaries",
    "cases",
    "ceasefire",
    "ceasefire_parties",
    "ceasefires",
    "clock",
    "closed_cases",
    "count_up_to",
    "defensive_responses",
    "events",
    "events_after",
    "incident",
    "incident_page",
    "journal_state",
    "last_event_seq",
    "live_incidents",
    "map_rows",
    "map_rows_changed",
    "MapRow",
    "MILESTONES",
    "parties",
    "party",
    "party_roles",
    "recommendations",
    "registry_history",
    "report_page",
    "reports",
    "response_count",
    "REVIEW",
    "review_count",
    "review_queue",
    "REVIEWS",
    "source_reports",
    "sources",
    "SPLITS",
    "stats",
]
