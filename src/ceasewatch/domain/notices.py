"""Who is told what: each party gets the protocol events that concern it.

- the violator: its warning (the phase actions that `notify` the violator);
- each action's owners: that it is due, and while undone after its deadline, overdue;
- the parties a phase's authorisation names: that a decision is needed (coalition
  members named by `commitments`: a call to commit);
- the coordination cell (the directory's `coordination_cell` role): every overdue alert,
  decision and settled phase, and every case opened and closed;
- everyone the case concerns (the ceasefire's parties and those above): that it closed.

Pure: the policy, the ceasefire's parties and the directory's roles in; notices out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from . import events as ev
from .events import ProtocolEvent
from .policy import Policy

CELL = "role:coordination_cell"


@dataclass(frozen=True, slots=True)
class Notice:
    party: str
    kind: str
    """warning, action_due, decision_needed, call_to_commit, overdue, decision,
    phase_settled, case_opened, case_closed."""
    event: ProtocolEvent


def resolve(
    participants: Iterable[str],
    violator: str,
    parties: Sequence[str],
    directory: Mapping[str, frozenset[str]],
) -> list[str]:
    """Party codes for participants: a code, `violator`, `defender`, or `role:NAME`."""
    found: list[str] = []
    for participant in participants:
        if participant == "violator":
            codes = [violator]
        elif participant == "defender":
            codes = [p for p in parties if p != violator]
        elif participant.startswith("role:"):
            role = participant.removeprefix("role:")
            codes = sorted(code for code, roles in directory.items() if role in roles)
        else:
            codes = [participant]
        found.extend(c for c in codes if c not in found)
    return found


def notices_for(
    event: ProtocolEvent,
    policy: Policy,
    parties: Sequence[str],
    directory: Mapping[str, frozenset[str]],
) -> list[Notice]:
    """The notices one protocol event gives, one per party and kind, in a stable order."""
    out: list[Notice] = []

    def tell(kind: str, participants: Iterable[str]) -> None:
        for party in resolve(participants, event.violator, parties, directory):
            if not any(n.party == party and n.kind == kind for n in out):
                out.append(Notice(party, kind, event))

    details = event.details
    match event.event:
        case ev.CASE_OPENED | ev.PHASE_RECOMMENDED:
            phase = policy.phase(details["phase"] if event.event == ev.PHASE_RECOMMENDED else 1)
            for action in phase.actions:
                tell("warning" if "violator" in action.notify else "notice", action.notify)
                tell("action_due", action.owners)
            if phase.authorisation is not None:
                tell("decision_needed", [p for r in phase.authorisation.rules for p in r.of])
                if phase.authorisation.commitments is not None:
                    tell("call_to_commit", phase.authorisation.commitments.of)
            if event.event == ev.CASE_OPENED:
                tell("case_opened", [CELL])
        case ev.ACTION_OVERDUE | ev.ACTION_STILL_OVERDUE:
            tell("overdue", [*details["owners"], CELL])
        case ev.DECISION_RECORDED:
            tell("decision", [CELL])
        case ev.PHASE_AUTHORISED | ev.PHASE_DECLINED:
            phase = policy.phase(details["phase"])
            named = (
                [p for r in phase.authorisation.all_rules for p in r.of]
                if phase.authorisation
                else []
            )
            tell("phase_settled", [*named, *(o for a in phase.actions for o in a.owners), CELL])
        case ev.CASE_CLOSED:
            tell("case_closed", [*parties, CELL])
    return out
