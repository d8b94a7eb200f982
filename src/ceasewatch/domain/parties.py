"""The stakeholder directory: the parties, and the roles the policy names them by."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from .ceasefire import PartyCode


class Role(StrEnum):
    SIDE = "side"
    COALITION_LEAD = "coalition_lead"
    COALITION_MEMBER = "coalition_member"
    GUARANTOR = "guarantor"


class Party(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: PartyCode
    name: Annotated[str, Field(min_length=1)]
    roles: list[Role] = []
