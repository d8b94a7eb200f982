"""`/healthz` (for load balancers: no token) and `/metrics` (Prometheus: a reader's token)."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, generate_latest

from ...httpkit.errors import ApiError
from ...services.reads import status
from ...services.tokens import Principal, UserRole
from ..auth import allow, system_of
from ..schemas import Health
from .clock import clock_out, lag_of

router = APIRouter(tags=["operations"])

REQUESTS = Counter(
    "ceasewatch_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
STORED = Gauge("ceasewatch_stored", "Rows in the store", ["kind"])


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
    """Prometheus metrics: requests by route and status, and the store's counts."""
    for kind, count in status.stats(system_of(request)).items():
        STORED.labels(kind).set(count)
    return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)
