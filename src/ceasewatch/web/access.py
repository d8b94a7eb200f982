"""Who is looking at a page, and what they may do: the session's token and its role.

Every page and form calls `require` with the roles that may use it (the same roles the API
admits for the same action); every POST calls `checked_form`, which refuses a form without
the session's CSRF token.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request

from ..roles import UserRole, with_article
from ..services import signins
from ..services.system import System
from ..services.tokens import Principal
from .sessions import CSRF_FIELD, CSRF_HEADER, Session, Sessions

EVERYONE = tuple(UserRole)
ANALYSTS = (UserRole.ANALYST, UserRole.ADMIN)
REPORTERS = (UserRole.REPORTER, UserRole.ANALYST, UserRole.ADMIN)


class WebError(Exception):
    """A page that cannot be shown: rendered as an HTML error page with this status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class SignInNeeded(Exception):
    """No session, or its token was revoked or expired: back to /login, then to `next`."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


@dataclass(frozen=True, slots=True)
class Visitor:
    principal: Principal
    session: Session

    @property
    def role(self) -> UserRole:
        return self.principal.role


def system_of(request: Request) -> System:
    system: System = request.app.state.system
    return system


def sessions_of(request: Request) -> Sessions:
    sessions: Sessions = request.app.state.web_sessions
    return sessions


def visitor(request: Request) -> Visitor | None:
    """Who is signed in: the cookie's session, while it lasts on the server."""
    session = sessions_of(request).load(request)
    if session is None or session.id is None:
        return None
    now = request.app.state.clock.now()
    principal = signins.holder(system_of(request), session.id, now)
    return None if principal is None else Visitor(principal, session)


def require(request: Request, *roles: UserRole, data: bool = False) -> Visitor:
    """The visitor, if signed in with one of `roles`; else sign in (401 for `data` that a
    page's script fetches), or 403."""
    found = visitor(request)
    if found is None and data:
        raise WebError(401, "Sign in again: the session has ended.")
    if found is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInNeeded(target)
    if found.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        who = with_article(found.role).capitalize()
        raise WebError(403, f"{who} may not use this page (it takes: {allowed}).")
    return found


async def checked_form(request: Request, who: Visitor) -> FormData:
    """The POSTed form, if it carries this session's CSRF token (field or header)."""
    form = await request.form()
    given = form.get(CSRF_FIELD)
    token = given if isinstance(given, str) else request.headers.get(CSRF_HEADER)
    if not who.session.csrf_ok(token):
        raise WebError(403, "The form has expired or did not come from this site: reload it.")
    return form


def login_url(next_url: str) -> str:
    return "/login?next=" + quote(next_url, safe="/")


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
