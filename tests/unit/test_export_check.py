"""Checking an export offline, without a database: the chain, each checkpoint's root, each
signature; a change is placed between the checkpoints that hold and those that fail."""

from __future__ import annotations

from typing import Any

from ceasewatch.audit import GENESIS, extend, link
from ceasewatch.tlog import merkle
from ceasewatch.tlog.checkpoint import Checkpoint
from ceasewatch.tlog.exported import SignedCheckpoint, check_export, check_prefix
from ceasewatch.tlog.keyring import Keyring, PartyKey
from ceasewatch.tlog.note import Note, Signer

US = Signer("US", bytes(range(32)))
GB = Signer("GB", bytes(range(1, 33)))
KEYS = Keyring([PartyKey("US", US.verifier), PartyKey("GB", GB.verifier)])


def log(n: int) -> list[dict[str, Any]]:
    return [e.to_dict() for e in extend(0, GENESIS, ((None, "k", {"n": i}) for i in range(n)))]


def signed(entries: list[dict[str, Any]], size: int, *by: Signer, origin: str = "ceasewatch/t"):
    checkpoint = Checkpoint(origin, size, merkle.root(merkle.leaf_of(e) for e in entries[:size]))
    text = checkpoint.text()
    return SignedCheckpoint(Note(text, tuple(s.sign(text) for s in by)), checkpoint)


def rewrite_from(entries: list[dict[str, Any]], index: int) -> None:
    """Change entry `index` and recompute every hash after it: a chain that holds."""
    entries[index]["kind"] = "changed"
    prev = entries[index - 1]["hash"] if index else GENESIS
    for e in entries[index:]:
        e["prev"] = prev
        e["hash"] = prev = link(e["seq"], e["at"], e["kind"], e["body"], prev)


def test_an_untouched_log_holds_every_checkpoint_and_names_each_signer():
    entries = log(10)
    checkpoints = [signed(entries, 4, US), signed(entries, 10, US, GB)]

    result = check_export(entries, checkpoints, KEYS)

    assert result.ok
    assert [(c.size, c.parties) for c in result.checkpoints] == [(4, ["US"]), (10, ["GB", "US"])]
    assert result.signed_up_to() == {"US": 10, "GB": 10}


def test_a_rewrite_is_placed_after_the_last_checkpoint_that_still_holds():
    entries = log(10)
    checkpoints = [signed(entries, 4, US), signed(entries, 10, US, GB)]
    rewrite_from(entries, 6)

    result = check_export(entries, checkpoints, KEYS)

    assert result.chain is None
    [problem] = result.problems
    assert problem.startswith(
        "checkpoint 10 (signed by GB, US): entries 1..10 do not give its root"
    )
    assert problem.endswith("entries 1..4 still give checkpoint 4's root, so after 4")
    assert result.signed_up_to() == {"US": 4}


def test_checkpoints_of_another_origin_are_named():
    entries = log(5)
    checkpoints = [signed(entries, 3, US), signed(entries, 5, US, origin="ceasewatch/other")]

    result = check_export(entries, checkpoints, KEYS)

    assert result.problems == [
        "checkpoint 5 (signed by US): its origin is ceasewatch/other, not ceasewatch/t"
    ]


def test_a_signer_checks_the_prefix_it_signs_and_nothing_after_it():
    entries = log(8)
    checkpoint = signed(entries, 5).checkpoint
    entries[6]["kind"] = "changed"  # after the checkpoint: not its business

    assert check_prefix(entries, checkpoint, entries[4]["hash"]) is None
    assert "holds 4 entries, not the 5" in str(check_prefix(entries[:4], checkpoint))
    entries[2]["kind"] = "changed"
    assert "(seq 3): edited" in str(check_prefix(entries, checkpoint))
