"""The stakeholder directory: the parties, and the roles the policy names them by."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .ceasefire import PartyCode


class Role(StrEnum):
    SIDE = "side"
    COALITION_LEAD = "coalition_lead"
    COALITION_MEMBER = "coalition_member"
    GUARANTOR = "guarantor"
    COORDINATION_CELL = "coordination_cell"
    """Runs the mechanism day to day: gets every overdue alert."""


class Party(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: PartyCode
    name: Annotated[str, Field(min_length=1)]
    roles: list[Role] = []
    webhook_url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    webhook_secret: Annotated[str, Field(min_length=16)] | None = None
    """Signs its webhooks (HMAC-SHA256); required with a webhook URL."""
    emails: list[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]] = []

    @model_validator(mode="after")
    def _secret_with_webhook(self) -> Party:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("a webhook_url needs a webhook_secret (16 characters or more)")
        return self
