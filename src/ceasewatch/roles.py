"""Who may do what: the roles a token or a signed-in user holds.

Apart from `services.tokens` (which stores tokens) so that the command line can name
them in its options without loading a database library.
"""

from __future__ import annotations

from enum import StrEnum


class UserRole(StrEnum):
    REPORTER = "reporter"
    """Submits reports (field monitors, sensor feeds)."""
    ANALYST = "analyst"
    """Verifies, rejects, disputes, merges and splits incidents."""
    DECISION_MAKER = "decision_maker"
    """Decides for one party: authorises or declines what the policy lets that party decide."""
    OBSERVER = "observer"
    """Reads."""
    ADMIN = "admin"
    """Runs the system: ceasefires, the directory, the outbox."""


def listed(roles: tuple[UserRole, ...] = tuple(UserRole)) -> str:
    """`reporter, analyst, decision_maker, observer or admin`."""
    names = [r.value for r in roles]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def with_article(role: UserRole) -> str:
    """`an analyst`, `a reporter`: the role's name after its article."""
    return f"{'an' if role.value[0] in 'aeiou' else 'a'} {role.value}"
