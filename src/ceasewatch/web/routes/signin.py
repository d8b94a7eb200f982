"""Signing in with a token, signing out, and the front door."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ...services import signins, tokens
from ...services.tokens import UserRole
from ..access import (
    EVERYONE,
    WebError,
    checked_form,
    require,
    safe_next,
    sessions_of,
    system_of,
    visitor,
)
from ..sessions import Session, new_csrf
from ..templating import render

router = APIRouter()

HOME = {
    UserRole.REPORTER: "/reports/new",
    UserRole.ANALYST: "/queue",
}


@router.get("/")
def home(request: Request) -> Response:
    who = visitor(request)
    if who is None:
        return RedirectResponse("/login", 303)
    return RedirectResponse(HOME.get(who.role, "/cases"), 303)


@router.get("/login")
def login_page(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    sessions = sessions_of(request)
    session = sessions.load(request) or Session(csrf=new_csrf())
    response = render(request, "login.html", None, csrf=session.csrf, next=safe_next(next))
    sessions.save(response, session)
    return response


@router.post("/login")
async def login(
    request: Request,
    token: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    sessions = sessions_of(request)
    session = sessions.load(request)
    if session is None or not session.csrf_ok(csrf):
        raise WebError(403, "The sign-in form has expired: reload it and sign in again.")
    now = request.app.state.clock.now()
    principal = await run_in_threadpool(tokens.authenticate, system_of(request), token.strip(), now)
    if principal is None:
        response = render(
            request,
            "login.html",
            None,
            status_code=401,
            csrf=session.csrf,
            next=safe_next(next),
            error="Unknown, revoked or expired token.",
        )
        return response
    target = safe_next(next)
    if target == "/":
        target = HOME.get(principal.role, "/cases")
    started = await run_in_threadpool(
        signins.start,
        system_of(request),
        tokens.digest(token.strip()),
        request.app.state.clock.now(),
        timedelta(hours=sessions.settings.session_hours),
    )
    response = RedirectResponse(target, 303)
    sessions.save(response, session.signed_in(started))
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """Sign out: the session ends on the server, whatever copy of its cookie is kept."""
    who = require(request, *EVERYONE)
    await checked_form(request, who)
    if who.session.id is not None:
        await run_in_threadpool(signins.end, system_of(request), who.session.id)
    response = RedirectResponse("/login", 303)
    sessions_of(request).clear(response)
    return response
