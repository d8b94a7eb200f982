"""`/queue`: analysts' verification queue: incidents awaiting a verdict, their reports side by
side, and verify / reject / dispute / merge with a reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from ...domain.text import NO_NUL
from ...services import commands, views
from ...store import queries
from ...store.database import reading
from ..access import ANALYSTS, Visitor, WebError, checked_form, require, system_of
from ..forms import reason
from ..templating import render

router = APIRouter()
PAGE = 25
NEAR_DEG = 0.25
"""How far (about 25 km) and ..."""
NEAR_TIME = timedelta(hours=24)
""" ... how long apart incidents may be to be offered for merging."""
VERDICTS = {"verify": "verified", "reject": "rejected", "dispute": "disputed"}
Key = Annotated[str | None, Query(max_length=310, pattern=NO_NUL)]


def _split(key: str) -> tuple[str, str]:
    parts = views.parse_incident_key(key)
    if parts is None:
        raise WebError(404, f"No incident {key}.")
    return parts


def _candidates(conn: Any, incident: dict[str, Any]) -> list[dict[str, Any]]:
    """Incidents of the same ceasefire near it in space and time: what it might merge."""
    lat, lon, at = incident["lat"], incident["lon"], incident["occurred_at"]
    rows = queries.incident_page(
        conn,
        limit=40,
        ceasefire=incident["ceasefire_id"],
        since=at - NEAR_TIME,
        until=at + NEAR_TIME,
        bbox=(lon - NEAR_DEG, lat - NEAR_DEG, lon + NEAR_DEG, lat + NEAR_DEG),
    )
    return [
        views.with_incident_key(r)
        for r in rows
        if r["id"] != incident["id"] and r["status"] not in ("merged", "rejected")
    ][:20]


def _queue(
    request: Request,
    who: Visitor,
    key: str | None,
    page: int,
    status: int = 200,
    **more: Any,
) -> Response:
    with reading(system_of(request).db) as conn:
        waiting = [
            views.with_incident_key(r)
            for r in queries.review_queue(conn, limit=PAGE, offset=page * PAGE)
        ]
        count = queries.review_count(conn)
        chosen = key or (waiting[0]["key"] if waiting else None)
        incident = None
        candidates: list[dict[str, Any]] = []
        if chosen is not None:
            ceasefire, incident_id = _split(chosen)
            incident = queries.incident(conn, ceasefire, incident_id)
            if incident is None:
                raise WebError(404, f"No incident {chosen}.")
            incident = {**incident, "key": chosen}
            candidates = _candidates(conn, incident)
    return render(
        request,
        "queue.html",
        who,
        status_code=status,
        waiting=waiting,
        count=count,
        page=page,
        pages=PAGE,
        incident=incident,
        candidates=candidates,
        **more,
    )


@router.get("/queue")
def queue(
    request: Request,
    incident: Key = None,
    page: Annotated[int, Query(ge=0, le=100_000)] = 0,
    done: Annotated[str | None, Query(max_length=20)] = None,
    key: Key = None,
) -> Response:
    who = require(request, *ANALYSTS)
    notice = None
    if done in VERDICTS and key:
        notice = f"{key} {VERDICTS[done]}."
    elif done == "merge" and key:
        notice = f"Merged into {key}."
    return _queue(request, who, incident, page, notice=notice)


def _text(value: object, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def given(form: FormData, name: str) -> str | None:
    return reason(form.get(name))


@router.post("/queue/verdict")
async def verdict(request: Request) -> Response:
    who = require(request, *ANALYSTS)
    form = await checked_form(request, who)
    key, verdict, why = _text(form.get("key"), 310), form.get("verdict"), given(form, "reason")
    if not isinstance(verdict, str) or verdict not in VERDICTS:
        raise WebError(422, "Verify, reject or dispute?")
    ceasefire, incident = _split(key)
    if why is None:
        return _queue(request, who, key, 0, 422, error="Give a reason for the verdict.")
    system = system_of(request)
    try:
        await run_in_threadpool(
            lambda: commands.review_incident(
                system, ceasefire, incident, verdict, by=who.principal.name, reason=why
            )
        )
    except commands.Refused as exc:
        return _queue(request, who, key, 0, 409, error=str(exc))
    return RedirectResponse("/queue?" + urlencode({"done": verdict, "key": key}), 303)


@router.post("/queue/merge")
async def merge(request: Request) -> Response:
    who = require(request, *ANALYSTS)
    form = await checked_form(request, who)
    key, why = _text(form.get("key"), 310), given(form, "reason")
    ceasefire, incident = _split(key)
    others = []
    for other in form.getlist("others"):
        other_ceasefire, other_id = _split(_text(other, 310))
        if other_ceasefire != ceasefire:
            raise WebError(409, f"{other} is of another ceasefire than {key}.")
        others.append(other_id)
    if not others:
        return _queue(request, who, key, 0, 422, error="Choose the incidents to merge in.")
    if why is None:
        return _queue(request, who, key, 0, 422, error="Give a reason for the merge.")
    system = system_of(request)
    try:
        await run_in_threadpool(
            lambda: commands.merge_incidents(
                system, ceasefire, incident, others, by=who.principal.name, reason=why
            )
        )
    except commands.Refused as exc:
        return _queue(request, who, key, 0, 409, error=str(exc))
    return RedirectResponse("/queue?" + urlencode({"done": "merge", "key": key}), 303)
