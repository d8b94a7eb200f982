"""Inputs admitted now, and inputs read back from the store.

A rule added to what an input must meet (no `true` for a number, a duration's unit, a
bound on evidence) holds what comes in from now on. What the store already holds was
admitted by the rules of its day and is read as it was then: its journal must replay as
it did, and a store must never stop building its engines after an upgrade. Validation
that reads stored text passes `STORED` as pydantic's context; validators of such rules
ask `admitted`.
"""

from __future__ import annotations

from pydantic import ValidationInfo

STORED = {"stored": True}
"""The validation context of an input read back from the store."""


def admitted(info: ValidationInfo) -> bool:
    """Whether the input being validated is new, not one read back from the store."""
    return is_new(info.context)


def is_new(context: object) -> bool:
    """Whether an input validated in this context is new (see `admitted`)."""
    return not (isinstance(context, dict) and context.get("stored"))
