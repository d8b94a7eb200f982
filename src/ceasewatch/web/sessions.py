"""Signed session cookies and the CSRF token each session carries.

The cookie holds a random session id (never the token) and a random CSRF token, signed
with the secret (itsdangerous) and timestamped: it expires after `session_hours`. The
session id is looked up on the server on every request (`services.signins`): signing out
deletes it, and revoking the token signed in with ends every session of it, at once. The
cookie is HttpOnly and SameSite=Lax; every form carries the CSRF token and every POST is
refused without it (a cross-site form cannot read it).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, replace

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from .settings import WebSettings

COOKIE = "ceasewatch_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True, slots=True)
class Session:
    csrf: str
    id: str | None = None
    """The server-side session's id (`services.signins`); None before sign-in."""

    def signed_in(self, session_id: str) -> Session:
        """A fresh CSRF token at sign-in: none seen before it stays valid."""
        return replace(self, id=session_id, csrf=new_csrf())

    def csrf_ok(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.csrf.encode())


def new_csrf() -> str:
    return secrets.token_urlsafe(32)


class Sessions:
    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self._serializer = URLSafeTimedSerializer(settings.secret, salt="ceasewatch-web-session")

    def load(self, request: Request) -> Session | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data = self._serializer.loads(raw, max_age=self.settings.session_hours * 3600)
        except BadSignature:  # tampered with, signed with another secret, or expired
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        session_id = data.get("s")
        return Session(csrf=data["c"], id=session_id if isinstance(session_id, str) else None)

    def save(self, response: Response, session: Session) -> None:
        value = self._serializer.dumps({"c": session.csrf, "s": session.id})
        response.set_cookie(
            COOKIE,
            value,
            max_age=self.settings.session_hours * 3600,
            httponly=True,
            samesite="lax",
            secure=self.settings.secure_cookies,
            path="/",
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")
