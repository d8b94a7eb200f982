"""What the audit chain records of the journal, for `audit verify` to check it against.

The chain is read twice, in one snapshot of the store: once whole, by `audit.verify`
(`Chained`, which counts the entries and notes the ceasefires they record), and once
beside the journal (`Claims`), each journal entry's claim read only when its turn comes.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from .. import rowdiff
from ..audit import Entry
from ..store import auditlog, tables
from ..store.journal import REPORT_LISTING
from .unit_of_work import CEASEFIRE_ADDED, COMMAND, REPORTS_ACCEPTED

UNNUMBERED = ("source", "id", "sha256")
"""How versions before the chain held every journal entry listed a report."""

Problem = Callable[[str], None]
"""Told each problem found with what the chain records of the journal."""


@dataclass(frozen=True, slots=True)
class Claim:
    """What an audit entry recorded of one journal entry."""

    entry: int
    table: str
    record: Any


class Chained:
    """Reads the chain for `audit.verify`, counting its entries and noting the ceasefires
    they record.

    Whatever follows a break in the chain is still read and noted: the journal is then
    checked against what the log says, and the break itself is reported on its own.
    """

    def __init__(self, problem: Problem, *, noting: bool = True) -> None:
        self.problem = problem
        self.noting = noting
        """Whether to note the ceasefires (not for the chain alone)."""
        self.count = 0
        self.ceasefires: dict[str, Claim] = {}

    def entries(self, conn: Connection) -> Iterator[dict[str, Any]]:
        stream = auditlog.entries(conn)
        for entry in stream:
            self._note(entry)
            yield entry.to_dict()
        # audit.verify stops at a break; the entries after it are noted all the same
        for entry in stream:
            self._note(entry)

    def _note(self, entry: Entry) -> None:
        self.count += 1
        if self.noting and entry.kind == CEASEFIRE_ADDED:
            with _well_formed(entry, self.problem):
                claim = Claim(entry.seq, tables.ceasefires.name, entry.body)
                self.ceasefires.setdefault(entry.body["ceasefire"], claim)


class Claims:
    """What the chain recorded of each journal entry (a report or a command), read from the
    chain a second time as the journal is walked.

    The chain records journal entries in the journal's order, so asked for the next
    entry's claim it reads on only to it: what is held is what was read ahead (in a store
    that was not tampered with, a batch's listing at most), never a claim for every
    report. Of each claim taken, only the audit entry that made it is kept, to name
    a second claim of the same number.
    """

    def __init__(self, entries: Iterator[Entry], size: int, problem: Problem) -> None:
        self._entries = entries
        self.problem = problem
        self.ahead: dict[int, Claim] = {}
        """Claims read and not yet taken, by journal number."""
        self.unnumbered: dict[tuple[str, str], Claim] = {}
        """Reports listed by an older version as [source, id, sha256]: by (source, id)."""
        self._taken = array("q", bytes(8 * size))
        """For each journal number below `size` taken, the audit entry that claimed it."""

    def take(self, seq: int) -> Claim | None:
        """The claim of journal number `seq`, reading the chain on until it is found."""
        while seq not in self.ahead and self._read_next():
            pass
        claim = self.ahead.pop(seq, None)
        if claim is not None and 0 <= seq < len(self._taken):
            self._taken[seq] = claim.entry
        return claim

    def left(self) -> Iterator[tuple[str, Claim]]:
        """What the chain records that the journal did not hold, named."""
        while self._read_next():
            pass
        for seq, claim in sorted(self.ahead.items(), key=lambda item: _in_order(item[0])):
            yield f"{claim.table} seq {seq}", claim
        for (source, rid), claim in self.unnumbered.items():
            yield f"reports {source}/{rid}", claim

    def _read_next(self) -> bool:
        entry = next(self._entries, None)
        if entry is None:
            return False
        with _well_formed(entry, self.problem):
            self._read(entry)
        return True

    def _read(self, entry: Entry) -> None:
        body = entry.body
        if entry.kind == REPORTS_ACCEPTED:
            for listing in body["reports"]:
                if len(listing) == len(REPORT_LISTING):
                    record = (listing, body["trusted"])
                    self._claim(listing[0], Claim(entry.seq, tables.reports.name, record))
                elif len(listing) == len(UNNUMBERED):
                    record = (listing[2], body["trusted"])
                    claim = Claim(entry.seq, tables.reports.name, record)
                    self.unnumbered.setdefault((listing[0], listing[1]), claim)
                else:
                    self.problem(
                        f"audit entry {entry.seq} lists a report as {rowdiff.show(listing)}, "
                        f"not as [{', '.join(REPORT_LISTING)}]",
                    )
        elif entry.kind == COMMAND:
            self._claim(body["seq"], Claim(entry.seq, tables.commands.name, body))

    def _claim(self, seq: int, claim: Claim) -> None:
        if type(seq) is int and 0 <= seq < len(self._taken) and self._taken[seq]:
            earlier = self._taken[seq]
        else:
            first = self.ahead.setdefault(seq, claim)
            if first is claim:
                return
            earlier = first.entry
        self.problem(
            f"journal seq {seq} is recorded twice in the chain: "
            f"audit entries {earlier} and {claim.entry}",
        )


@contextmanager
def _well_formed(entry: Entry, problem: Problem) -> Iterator[None]:
    """Reads an audit entry's body, naming the entry as not well formed where it is not."""
    try:
        yield
    except (KeyError, TypeError, IndexError, AttributeError):
        problem(f"audit entry {entry.seq}: not a well-formed {entry.kind} entry")


def _in_order(seq: Any) -> tuple[bool, int, str]:
    """Journal numbers in order, anything else a chain may hold as one after them."""
    return (False, seq, "") if type(seq) is int else (True, 0, str(seq))
