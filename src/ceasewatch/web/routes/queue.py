"""`/queue`: analysts' verification queue: incidents awaiting a verdict, their reports side by
side, and verify / reject / dispute / merge with a reason; and the defensive responses (rule 7),
any of which an analyst may count as a violation after all, with a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, NamedTuple
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from ...domain.text import NO_NUL
from ...services import commands
from ...services.reads import incidents
from ...services.system import System
from ..access import ANALYSTS, Visitor, WebError, checked_form, require, system_of
from ..forms import reason
from ..templating import render

router = APIRouter()
PAGE = 25
VERDICTS = {"verify": "verified", "reject": "rejected", "dispute": "disputed"}
Key = Annotated[str | None, Query(max_length=310, pattern=NO_NUL)]


def _split(key: str) -> tuple[str, str]:
    parts = incidents.parse_incident_key(key)
    if parts is None:
        raise WebError(404, f"No incident {key}.")
    return parts


def _queue(
    request: Request,
    who: Visitor,
    key: str | None,
    page: int,
    status: int = 200,
    **more: Any,
) -> Response:
    try:
        found = incidents.review_queue(system_of(request), limit=PAGE, offset=page * PAGE, key=key)
    except incidents.NoIncident as exc:
        raise WebError(404, f"No incident {exc.key}.") from None
    return render(
        request,
        "queue.html",
        who,
        status_code=status,
        waiting=found.waiting,
        count=found.count,
        page=page,
        pages=PAGE,
        incident=found.incident,
        candidates=found.candidates,
        responses=found.responses,
        response_count=found.response_count,
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
    elif done == "count" and key:
        notice = f"{key} counted as a violation."
    return _queue(request, who, incident, page, notice=notice)


def _text(value: object, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def given(form: FormData, name: str) -> str | None:
    return reason(form.get(name))


Command = Callable[[System, str, str], object]
"""An analyst's command on one incident, given the system, the analyst and the reason."""


class _Asked(NamedTuple):
    """An analyst's form about one incident: who sent it, the form, the incident, the reason."""

    who: Visitor
    form: FormData
    key: str
    ceasefire: str
    incident: str
    why: str | None

    def again(self, request: Request, status: int, error: str) -> Response:
        """The queue at this incident again, saying what was wrong."""
        return _queue(request, self.who, self.key, 0, status, error=error)

    async def carry_out(
        self, request: Request, done: str, no_reason: str, command: Command
    ) -> Response:
        """Run the command (given the system, the analyst and the reason) off the event loop;
        back to the queue saying what was done, or the queue at this incident again with why
        not (no reason given, or the protocol refused)."""
        if self.why is None:
            return self.again(request, 422, no_reason)
        system, by, why = system_of(request), self.who.principal.name, self.why
        try:
            await run_in_threadpool(lambda: command(system, by, why))
        except commands.Refused as exc:
            return self.again(request, 409, str(exc))
        return RedirectResponse("/queue?" + urlencode({"done": done, "key": self.key}), 303)


async def _asked(request: Request) -> _Asked:
    who = require(request, *ANALYSTS)
    form = await checked_form(request, who)
    key = _text(form.get("key"), 310)
    ceasefire, incident = _split(key)
    return _Asked(who, form, key, ceasefire, incident, given(form, "reason"))


@router.post("/queue/verdict")
async def verdict(request: Request) -> Response:
    asked = await _asked(request)
    verdict = asked.form.get("verdict")
    if not isinstance(verdict, str) or verdict not in VERDICTS:
        raise WebError(422, "Verify, reject or dispute?")
    return await asked.carry_out(
        request,
        verdict,
        "Give a reason for the verdict.",
        lambda system, by, why: commands.review_incident(
            system, asked.ceasefire, asked.incident, verdict, by=by, reason=why
        ),
    )


@router.post("/queue/merge")
async def merge(request: Request) -> Response:
    asked = await _asked(request)
    others = []
    for other in asked.form.getlist("others"):
        other_ceasefire, other_id = _split(_text(other, 310))
        if other_ceasefire != asked.ceasefire:
            raise WebError(409, f"{other} is of another ceasefire than {asked.key}.")
        others.append(other_id)
    if not others:
        return asked.again(request, 422, "Choose the incidents to merge in.")
    return await asked.carry_out(
        request,
        "merge",
        "Give a reason for the merge.",
        lambda system, by, why: commands.merge_incidents(
            system, asked.ceasefire, asked.incident, others, by=by, reason=why
        ),
    )


@router.post("/queue/count-as-violation")
async def count_as_violation(request: Request) -> Response:
    """Count a defensive response (rule 7) as a violation after all, with a reason."""
    asked = await _asked(request)
    return await asked.carry_out(
        request,
        "count",
        "Give a reason for counting it as a violation.",
        lambda system, by, why: commands.count_as_violation(
            system, asked.ceasefire, asked.incident, by=by, reason=why
        ),
    )
