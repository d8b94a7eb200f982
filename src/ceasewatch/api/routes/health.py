"""`/healthz` (for load balancers: no token) and `/metrics` (Prometheus: a reader's token)."""

from __future__ import annotations

import math
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, generate_latest

from ...httpkit.errors import ApiError
from ...services.clock import ahead_of_time
from ...services.reads import status
from ...services.tokens import Principal, UserRole
from ..auth import allow, system_of
from ..schemas import Health
from .clock import clock_out, lag_of

router = APIRouter(tags=["operations"])

REQUESTS = Counter(
    "ceasewatch_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
STORED = Gauge(
    "ceasewatch_stored",
    "Rows in the store (on PostgreSQL, the planner's estimate for a table of 100,000 or more)",
    ["kind"],
)
CLOCK_LAG = Gauge(
    "ceasewatch_clock_lag_seconds",
    "How far the stored clock is behind the wall clock (NaN: it has not started)",
)
CLOCK_STALLED = Gauge(
    "ceasewatch_clock_stalled",
    "1 when no live ticker keeps the clock: it has not started, or lags over a minute",
)
OUTBOX = Gauge("ceasewatch_outbox_messages", "Notifications by status", ["status"])
OUTBOX_WAITING = Gauge(
    "ceasewatch_outbox_waiting_seconds",
    "How long the notification due longest has waited to be sent (0: none waits)",
)
ACTIONS_OVERDUE = Gauge(
    "ceasewatch_actions_overdue", "Actions of open cases not done by their deadline"
)
SINCE_CHECKPOINT = Gauge(
    "ceasewatch_audit_entries_since_checkpoint", "Audit entries no checkpoint covers yet"
)
WALL_CLOCK_AHEAD = Gauge(
    "ceasewatch_wall_clock_ahead_seconds",
    "How far the host's wall clock has jumped ahead of the time its uptime keeps, which "
    "ceasewatch goes by instead (0: in step)",
)
DATABASE_CLOCK = Gauge(
    "ceasewatch_database_clock_offset_seconds",
    "How far the database server's clock is ahead of this host's (NaN: SQLite)",
)
CHECKPOINT_AGE = Gauge(
    "ceasewatch_checkpoint_age_seconds",
    "Seconds since the newest checkpoint of the audit log (NaN: there is none)",
)


@router.get("/healthz", response_model=Health)
def healthz(request: Request) -> Health:
    """Whether the service can reach its database, and how far its stored clock lags the
    wall clock (a `lag_s` over 60: no live ticker). Open to all: it tells nothing else."""
    try:
        lag = lag_of(request)
    except sa.exc.SQLAlchemyError:
        raise ApiError(503, "the database cannot be reached") from None
    return Health.model_validate({"status": "ok", **clock_out(lag)})


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(
    request: Request,
    _who: Annotated[Principal, Depends(allow(UserRole.OBSERVER, UserRole.ADMIN))],
) -> PlainTextResponse:
    """Prometheus metrics: requests by route and status, the store's counts, and what
    says whether the live machinery keeps up: the clock's lag, the outbox, overdue
    actions, the audit log's checkpoints (deploy/prometheus/ceasewatch-alerts.yml)."""
    system = system_of(request)
    for kind, count in status.stats(system, estimated=True).items():
        STORED.labels(kind).set(count)
    watch = status.watch(system, request.app.state.clock)
    lag = watch.lag.lag_s
    CLOCK_LAG.set(math.nan if lag is None else lag)
    CLOCK_STALLED.set(int(watch.lag.stalled))
    for state, count in watch.outbox.items():
        OUTBOX.labels(state).set(count)
    OUTBOX_WAITING.set(watch.waiting_s)
    ACTIONS_OVERDUE.set(watch.actions_overdue)
    SINCE_CHECKPOINT.set(watch.since_checkpoint)
    age = watch.checkpoint_age_s
    CHECKPOINT_AGE.set(math.nan if age is None else age)
    offset = watch.database_clock_s
    DATABASE_CLOCK.set(math.nan if offset is None else offset)
    WALL_CLOCK_AHEAD.set(ahead_of_time(request.app.state.clock).total_seconds())
    return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)
