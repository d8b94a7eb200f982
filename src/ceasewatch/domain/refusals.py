"""Why the engine refuses a command: an unknown record, or a rule that does not allow it."""

from __future__ import annotations


class UnknownRecord(KeyError):
    """A command named an incident, case or action the engine does not hold."""


class CommandRefused(ValueError):
    """A command the protocol does not allow now, with why (e.g. a phase not recommended)."""


class NotAnOwner(CommandRefused):
    """A party marks done an action the policy does not give it."""


def need_reason(reason: str, doing: str) -> None:
    if not reason.strip():
        raise CommandRefused(f"{doing} needs a reason")
