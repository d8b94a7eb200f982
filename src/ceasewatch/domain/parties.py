"""The stakeholder directory: the parties, and the roles the policy names them by."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .ceasefire import PartyCode
from .text import NO_NUL, Name

WEB = r"^https?://[^\s\x00]+$"
EMAIL = r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$"


class Role(StrEnum):
    SIDE = "side"
    COALITION_LEAD = "coalition_lead"
    COALITION_MEMBER = "coalition_member"
    GUARANTOR = "guarantor"
    COORDINATION_CELL = "coordination_cell"
    """Runs the mechanism day to day: gets every overdue alert."""


Secret = Annotated[str, Field(min_length=16, max_length=500, pattern=NO_NUL)]


class Contact(BaseModel):
    """A party as the directory holds it, but for its code."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Name
    roles: list[Role] = []
    webhook_url: Annotated[str, Field(max_length=2000, pattern=WEB)] | None = None
    webhook_secret: Secret | None = None
    """Signs its webhooks (HMAC-SHA256); required with a webhook URL."""
    emails: list[Annotated[str, Field(max_length=320, pattern=EMAIL)]] = []


class Party(Contact):
    code: PartyCode

    @model_validator(mode="after")
    def _secret_with_webhook(self) -> Party:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("a webhook_url needs a webhook_secret (16 characters or more)")
        return self
