"""Who is asking, and may they: bearer tokens, each with one role (and a party)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..httpkit.errors import ApiError
from ..roles import UserRole, with_article
from ..services import tokens
from ..services.system import System
from ..services.tokens import Principal

bearer = HTTPBearer(auto_error=False, description="A token from `ceasewatch token create`.")

EVERYONE = tuple(UserRole)
"""Every role may read the record: it is meant to be a fact all parties can trust."""


def system_of(request: Request) -> System:
    system: System = request.app.state.system
    return system


def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "a bearer token is needed", headers={"WWW-Authenticate": "Bearer"})
    now = request.app.state.clock.now()
    found = tokens.authenticate(system_of(request), credentials.credentials, now)
    if found is None:
        raise ApiError(
            401, "unknown, revoked or expired token", headers={"WWW-Authenticate": "Bearer"}
        )
    return found


def allow(*roles: UserRole) -> Callable[..., Principal]:
    """A dependency admitting only these roles (403 for the others)."""

    def check(who: Annotated[Principal, Depends(principal)]) -> Principal:
        if who.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise ApiError(403, f"{with_article(who.role)} may not do this (it takes: {allowed})")
        return who

    return check
