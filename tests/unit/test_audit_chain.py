"""The audit log's hash chain: an export verifies, and each kind of tampering is named."""

from __future__ import annotations

import json
from typing import Any

from ceasewatch.audit import GENESIS, extend, link, read_jsonl, verify


def chain(n: int = 6) -> list[dict[str, Any]]:
    items = [
        (f"2026-03-0{i}T10:00:00Z", "case_opened", {"case": f"c/{i}"}) for i in range(1, n + 1)
    ]
    return [e.to_dict() for e in extend(0, GENESIS, items)]


def rehash(entry: dict[str, Any]) -> dict[str, Any]:
    """What a careful forger does: make the entry's own hash match its content."""
    entry = dict(entry)
    entry["hash"] = link(entry["seq"], entry["at"], entry["kind"], entry["body"], entry["prev"])
    return entry


def test_an_untouched_chain_verifies():
    assert verify(chain()) is None


def test_the_chain_links_each_entry_to_the_one_before():
    entries = chain(3)

    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert entries[0]["prev"] == GENESIS
    assert [e["prev"] for e in entries[1:]] == [e["hash"] for e in entries[:-1]]


def test_an_edited_entry_is_named():
    entries = chain()
    entries[2]["body"] = {"case": "forged"}

    problem = verify(entries)

    assert problem is not None and (problem.line, problem.seq) == (3, 3)
    assert "edited" in problem.message


def test_an_edited_entry_whose_hash_was_recomputed_breaks_the_next_link():
    entries = chain()
    entries[2] = rehash({**entries[2], "body": {"case": "forged"}})

    problem = verify(entries)

    assert problem is not None and problem.line == 4
    assert "line 3 was rewritten" in problem.message


def test_a_deleted_entry_is_named():
    entries = chain()
    del entries[3]

    problem = verify(entries)

    assert problem is not None and (problem.line, problem.seq) == (4, 5)
    assert "seq 4 is missing" in problem.message


def test_an_inserted_entry_is_named():
    entries = chain()
    entries.insert(2, {**entries[2], "body": {"case": "forged"}})

    problem = verify(entries)

    assert problem is not None and problem.line == 3
    assert problem.message.startswith("inserted")


def test_an_inserted_entry_with_a_sound_hash_and_link_is_named():
    entries = chain()
    entries.insert(2, rehash({**entries[2], "body": {"case": "forged"}}))

    problem = verify(entries)

    assert problem is not None and problem.line == 3
    assert problem.message.startswith("inserted")


def test_reordered_entries_are_named():
    entries = chain()
    entries[1], entries[2] = entries[2], entries[1]

    problem = verify(entries)

    assert problem is not None and problem.line == 2


def test_a_chain_cut_short_fails_against_its_published_head():
    entries = chain()
    head = entries[-1]["hash"]

    problem = verify(entries[:-1], head=head)

    assert problem is not None and "expected head" in problem.message
    assert verify(entries, head=head) is None


def test_a_line_that_is_not_json_is_named(tmp_path):
    lines = [json.dumps(e) for e in chain(3)]
    lines[1] = "{not json"

    problem = verify(read_jsonl(lines))

    assert problem is not None and problem.line == 2
    assert "malformed" in problem.message
