"""Reading the read models, by topic: what the read services (`ceasewatch.services.reads`)
and the engines' services read. Import the topic's module (`store.queries.cases`); the
names below are the same functions, for the services and tests that read several topics.
"""

from __future__ import annotations

from .audit import audit_bodies, audit_page
from .case_rows import (
    MILESTONES,
    case,
    case_ceasefire,
    case_overview,
    case_summaries,
    cases,
    closed_cases,
    recommendations,
)
from .directory import (
    ceasefire,
    ceasefire_parties,
    ceasefires,
    parties,
    party,
    party_roles,
    sources,
)
from .event_rows import events, events_after, last_event_seq
from .incident_rows import (
    REVIEW,
    count_up_to,
    defensive_responses,
    incident,
    incident_page,
    live_incidents,
    response_count,
    review_count,
    review_queue,
)
from .maps import REVIEWS, SPLITS, MapRow, journal_state, map_rows, map_rows_changed
from .report_rows import registry_history, report_page, reports, source_reports
from .status import clock, stats

__all__ = [
    "MILESTONES",
    "REVIEW",
    "REVIEWS",
    "SPLITS",
    "MapRow",
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
    "parties",
    "party",
    "party_roles",
    "recommendations",
    "registry_history",
    "report_page",
    "reports",
    "response_count",
    "review_count",
    "review_queue",
    "source_reports",
    "sources",
    "stats",
]
