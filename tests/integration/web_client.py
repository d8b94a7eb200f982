"""Signing in to the web pages from a test, as a browser would: the form, its CSRF token."""

from __future__ import annotations

import re
from datetime import datetime

from api_world import World
from starlette.testclient import TestClient

from ceasewatch.app import create_app
from ceasewatch.web.settings import WebSettings

SETTINGS = WebSettings(secret="test-secret-" + "x" * 32)


class FixedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def client(world: World, clock: FixedClock | None = None) -> TestClient:
    app = create_app(world.system, clock=clock, web=SETTINGS)
    return TestClient(app, follow_redirects=False)


def sign_in(http: TestClient, token: str) -> str:
    """Sign in; returns the session's CSRF token for the forms."""
    page = http.get("/login")
    response = http.post("/login", data={"token": token, "csrf": csrf_of(page.text), "next": "/"})
    assert response.status_code == 303, response.text
    return csrf_of(http.get("/cases").text)


def words_of(html: str) -> str:
    """A page's text as a reader sees it: no tags, spaces (and no-break spaces) as one."""
    text = re.sub(r"<[^>]+>", "", html).replace("&nbsp;", " ").replace("\u00a0", " ")
    return " ".join(text.split())
