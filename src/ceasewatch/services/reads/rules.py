"""The protocol's rules as the read side applies them to stored rows: the quorum so far,
who may decide a phase, who owns an action. Each reads inside a read service's
transaction (`conn`); none decides anything the engines have not."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy.engine import Connection

from ...domain.decisions import Decision, Who, standing, tally
from ...domain.policy import Policy, parse_policy
from ...store.queries import directory
from .models import ActionRow, CaseSummary, Quorum


@lru_cache(maxsize=64)
def policy_of(policy_text: str) -> Policy:
    """A stored policy, parsed once (its text is its identity)."""
    return parse_policy(policy_text, "stored policy", stored=True)


def ceasefire_policy(conn: Connection, ceasefire_id: str) -> tuple[Policy, list[str]] | None:
    row = directory.ceasefire(conn, ceasefire_id)
    if row is None:
        return None
    return policy_of(row["policy_text"]), list(row["definition"]["parties"])


def quorum(conn: Connection, case: CaseSummary) -> list[Quorum]:
    """For each recommended phase that needs authorising: each rule's tally so far."""
    found = ceasefire_policy(conn, case["ceasefire_id"])
    if found is None:
        return []
    policy, parties = found
    decisions = [
        Decision(
            d["phase"], d["party"], d["authorise"], d["reason"], d["at"], frozenset(d["roles"])
        )
        for d in case["decisions"]
    ]
    out: list[Quorum] = []
    for phase_text in sorted(case["recommended"]):
        phase = int(phase_text)
        authorisation = policy.phase(phase).authorisation
        if authorisation is None or not authorisation.all_rules:
            continue
        tallies = tally(
            authorisation, [d for d in decisions if d.phase == phase], case["violator"], parties
        )
        out.append(
            {
                "phase": phase,
                "standing": standing(authorisation, tallies).value,
                "rules": [
                    {
                        "of": list(t.of),
                        "at_least": t.at_least,
                        "authorised": list(t.authorised),
                        "declined": list(t.declined),
                        "met": t.met,
                    }
                    for t in tallies
                ],
            }
        )
    return out


def may_decide(conn: Connection, case: CaseSummary, phase: int, party: str) -> bool:
    """Whether the policy names `party` (by code or directory role) for deciding `phase`."""
    found = ceasefire_policy(conn, case["ceasefire_id"])
    if found is None or phase not in (1, 2, 3):
        return False
    policy, parties = found
    authorisation = policy.phase(phase).authorisation
    roles = directory.party_roles(conn, party) or frozenset()
    who = Who(party, roles, case["violator"], parties)
    return authorisation is not None and any(who.meets(r) for r in authorisation.all_rules)


def owns_action(conn: Connection, case: CaseSummary, action: ActionRow, party: str) -> bool:
    """Whether `party` is one of the action's owners (by code, role, violator or defender)."""
    found = ceasefire_policy(conn, case["ceasefire_id"])
    parties = found[1] if found else []
    roles = directory.party_roles(conn, party) or frozenset()
    who = Who(party, roles, case["violator"], parties)
    return any(who.is_(owner) for owner in action["owners"])
