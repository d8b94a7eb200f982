"""What the audit chain records of the journal, read beside the journal: a claim is read
only when the journal walk reaches it, and a journal number claimed twice is named
whether or not its first claim was already checked."""

from __future__ import annotations

from collections.abc import Iterator

from ceasewatch.audit import Entry
from ceasewatch.services.chain_claims import Claims


def accepted(entry: int, *seqs: int) -> Entry:
    """An audit entry listing reports by journal number, as a batch's entry does."""
    listings = [[seq, "omm", f"r{seq}", "0" * 64, "2026-03-01T00:00:00Z"] for seq in seqs]
    return Entry(entry, None, "reports_accepted", {"reports": listings, "trusted": False}, "", "")


class Chain:
    """A chain to read, counting the entries read so far."""

    def __init__(self, *entries: Entry) -> None:
        self.entries, self.read = entries, 0

    def __iter__(self) -> Iterator[Entry]:
        for entry in self.entries:
            self.read += 1
            yield entry


def claims_of(chain: Chain, problems: list[str], size: int = 100) -> Claims:
    return Claims(iter(chain), size, problems.append)


def test_a_claim_is_read_when_the_journal_reaches_it_and_no_sooner():
    chain = Chain(accepted(1, 1, 2), accepted(2, 3, 4), accepted(3, 5, 6))
    claims = claims_of(chain, [])

    first = claims.take(1)

    assert first is not None and first.entry == 1
    assert chain.read == 1
    assert list(claims.ahead) == [2]
    claims.take(2)
    assert chain.read == 1 and not claims.ahead
    assert claims.take(3) is not None and chain.read == 2


def test_a_number_the_chain_does_not_hold_reads_it_to_the_end():
    chain = Chain(accepted(1, 1), accepted(2, 3))
    claims = claims_of(chain, [])

    assert claims.take(2) is None
    assert chain.read == 2
    assert claims.take(3) is not None


def test_what_the_journal_did_not_hold_is_left_in_order():
    claims = claims_of(Chain(accepted(1, 1, 7), accepted(2, 4)), [])
    claims.take(1)

    assert [what for what, _ in claims.left()] == ["reports seq 4", "reports seq 7"]


def test_a_number_claimed_twice_is_named_before_its_first_claim_is_taken():
    problems: list[str] = []
    claims = claims_of(Chain(accepted(1, 1), accepted(2, 1)), problems)

    list(claims.left())

    assert problems == ["journal seq 1 is recorded twice in the chain: audit entries 1 and 2"]


def test_a_number_claimed_twice_is_named_after_its_first_claim_was_taken():
    problems: list[str] = []
    claims = claims_of(Chain(accepted(1, 1), accepted(2, 1, 2)), problems)

    claims.take(1)
    second = claims.take(2)

    assert second is not None and second.entry == 2
    assert problems == ["journal seq 1 is recorded twice in the chain: audit entries 1 and 2"]


def test_a_number_listed_twice_in_one_entry_is_named():
    problems: list[str] = []
    claims = claims_of(Chain(accepted(5, 3, 3)), problems)

    claims.take(3)

    assert problems == ["journal seq 3 is recorded twice in the chain: audit entries 5 and 5"]


def test_a_number_beyond_the_journal_or_not_a_number_is_left_not_refused():
    problems: list[str] = []
    odd = accepted(1, 1)
    odd.body["reports"] += [[10**12, "omm", "x", "0" * 64, None], ["7", "omm", "y", "0" * 64, None]]
    claims = claims_of(Chain(odd), problems, size=10)

    assert claims.take(1) is not None
    assert [what for what, _ in claims.left()] == ["reports seq 1000000000000", "reports seq 7"]
    assert problems == []


def test_an_entry_that_is_not_well_formed_is_named_and_the_rest_still_read():
    problems: list[str] = []
    broken = Entry(1, None, "reports_accepted", {"reports": [[1, "omm", "r1", "0", None]]}, "", "")
    claims = claims_of(Chain(broken, accepted(2, 2)), problems)

    assert claims.take(2) is not None
    assert problems == ["audit entry 1: not a well-formed reports_accepted entry"]
