"""Typed commands keep the journal's JSON: the bodies earlier versions stored, key for key
and in order, decode to the same commands and encode back to the same text."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from ceasewatch.domain import commands as c
from ceasewatch.domain.sources import Source

AT = datetime(2026, 4, 2, 12, 30, tzinfo=UTC)
STAMP = AT.isoformat()
SOURCE = Source(id="omm", kind="monitor", reliability="A", group="omm")

STORED: list[tuple[str, dict[str, Any], c.Command]] = [
    (
        "action_done",
        {
            "case": "cf-1/RU/1",
            "action": "diplomatic_warning",
            "by": "EU",
            "note": "sent",
            "evidence": [{"uri": "https://x.example/a", "sha256": "ab" * 32}],
            "at": STAMP,
        },
        c.ActionDone(
            "cf-1/RU/1", "diplomatic_warning", "EU", "sent", (("https://x.example/a", "ab" * 32),)
        ),
    ),
    (
        "decide",
        {
            "case": "cf-1/RU/1",
            "phase": 2,
            "party": "US",
            "authorise": True,
            "reason": "continued fire",
            "roles": ["coalition_member", "guarantor"],
            "at": STAMP,
        },
        c.Decide(
            "cf-1/RU/1",
            2,
            "US",
            True,
            "continued fire",
            frozenset({"guarantor", "coalition_member"}),
        ),
    ),
    ("close", {"case": "cf-1/RU/1", "at": STAMP}, c.Close("cf-1/RU/1")),
    (
        "verify",
        {"incident": "inc-3", "by": "ann", "reason": "video", "at": STAMP},
        c.Verify("inc-3", "ann", "video"),
    ),
    (
        "dispute",
        {"incident": "inc-3", "by": "ann", "reason": "contested", "at": STAMP},
        c.Dispute("inc-3", "ann", "contested"),
    ),
    (
        "reject",
        {"incident": "inc-3", "by": "ann", "reason": "staged", "at": STAMP},
        c.Reject("inc-3", "ann", "staged"),
    ),
    (
        "count_as_violation",
        {"incident": "inc-3", "by": "ann", "reason": "no breach", "at": STAMP},
        c.CountAsViolation("inc-3", "ann", "no breach"),
    ),
    (
        "merge",
        {
            "incident": "inc-1",
            "others": ["inc-2", "inc-4"],
            "by": "ann",
            "reason": "one",
            "at": STAMP,
        },
        c.Merge("inc-1", ("inc-2", "inc-4"), "ann", "one"),
    ),
    (
        "split",
        {
            "incident": "inc-1",
            "reports": [["osint", "r-9"]],
            "by": "ann",
            "reason": "two",
            "at": STAMP,
        },
        c.Split("inc-1", (("osint", "r-9"),), "ann", "two"),
    ),
]


@pytest.mark.parametrize(("kind", "body", "command"), STORED, ids=[k for k, _, _ in STORED])
def test_a_stored_body_decodes_to_its_command_and_encodes_back_to_the_same_text(
    kind: str, body: dict[str, Any], command: c.Command
) -> None:
    assert c.ceasefire_command(kind, body) == command
    assert command.kind == kind
    assert json.dumps(c.journal_body(command, AT)) == json.dumps(body)


def test_sources_are_a_store_command_taken_at_the_clock_or_before_it_started() -> None:
    body = {"sources": [SOURCE.as_record()], "at": None}
    command = c.store_command("sources", body)
    assert command == c.DeclareSources((SOURCE,))
    assert json.dumps(c.journal_body(command, None)) == json.dumps(body)
    assert c.taken_at(body) is None
    assert c.taken_at({**body, "at": STAMP}) == AT


def test_fields_older_journals_left_out_take_their_defaults() -> None:
    assert c.ceasefire_command("verify", {"incident": "inc-1", "by": "a", "at": STAMP}) == (
        c.Verify("inc-1", "a", "")
    )
    old = {"case": "k", "action": "a", "by": "EU", "at": STAMP}
    assert c.ceasefire_command("action_done", old) == c.ActionDone("k", "a", "EU")
    decided = {"case": "k", "phase": 3, "party": "US", "authorise": False, "reason": "r"}
    assert c.ceasefire_command("decide", decided).roles == frozenset()


def test_an_unknown_kind_or_a_body_short_of_a_field_does_not_decode() -> None:
    with pytest.raises(ValueError, match="unknown command 'sources'"):
        c.ceasefire_command("sources", {"sources": []})
    with pytest.raises(ValueError, match="unknown store command 'verify'"):
        c.store_command("verify", {})
    with pytest.raises(KeyError, match="reason"):
        c.ceasefire_command("reject", {"incident": "inc-1", "by": "a"})
