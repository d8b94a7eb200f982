"""`audit verify`: the chain holds, the journal is what it recorded, every row derives from it.

Three checks, each catching what the one before cannot:

1. **The chain** (`audit.verify`): no entry edited, deleted, inserted or moved; with a
   published head, none cut off.
2. **The journal against the chain**: each report's body hashes to the SHA-256 its
   batch's `reports_accepted` entry lists at its number, taken at the clock and trust
   listed there; each command's body to its `command` entry's; each ceasefire's
   definition and policy text to its `ceasefire_added` entry's. None missing, none
   extra. A report's other columns (what queries filter on) must be its body's.
3. **The derived rows**: fresh engines, one per stored ceasefire, are fed the journal as
   a catch-up feeds them (`handlers.take_input`) and moved to the stored clock; the
   incidents, their report membership, cases, actions, decisions and each ceasefire's
   events they give are built by the same `readmodels` functions that wrote the store,
   and compared with the stored rows (`rowdiff`).

Edits to the read models alone pass the first two checks: `quick` runs only the first.

The journal is walked once, for the second and third checks together, with the chain
read beside it (`chain_claims.Claims`); stored tables are streamed, and each derived
table is made only when its turn comes and let go row by row as it is compared. What
stays in memory is the rebuilt engines (as in any catch-up) and the derived events.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from .. import audit, rowdiff
from ..audit import Break, sha256_hex
from ..domain.cases import Case
from ..domain.engine import Engine
from ..domain.events import ProtocolEvent
from ..domain.incidents import Incident
from ..store import auditlog, journal, readmodels, tables
from ..store.database import snapshot, streamed
from ..store.journal import REPORT_LISTING, CommandInput, Input
from .chain_claims import Chained, Claim, Claims
from .handlers import build_engine, take_input
from .replay import paused_gc

CHAIN, JOURNAL, DERIVED = "chain", "journal", "derived"
"""The three checks, as problems are filed under them."""
PLACES = {CHAIN: "the chain", JOURNAL: "the journal", DERIVED: "derived rows"}

Problem = Callable[[str, str], None]
"""Told each problem found: its check and what is wrong."""


@dataclass
class Verified:
    """What was checked, and how many problems each check found."""

    quick: bool
    entries: int = 0
    chain: Break | None = None
    journal: Counter[str] = field(default_factory=Counter)
    """Journal rows checked against the chain, by table."""
    derived: Counter[str] = field(default_factory=Counter)
    """Rows derived from the journal and compared with the store's, by table."""
    problems: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_store(
    db: sa.Engine, *, quick: bool = False, head: str | None = None, on_problem: Problem
) -> Verified:
    """Run the checks on one snapshot of the store, telling `on_problem` each problem."""
    result = Verified(quick)

    def problem(check: str, text: str) -> None:
        result.problems[check] += 1
        on_problem(check, text)

    with snapshot(db) as conn:
        journal_problem = partial(problem, JOURNAL)
        chained = Chained(journal_problem, noting=not quick)
        result.chain = audit.verify(chained.entries(conn), head=head)
        result.entries = chained.count
        if result.chain is not None:
            problem(CHAIN, str(result.chain))
        if quick:
            return result
        engines = _engines(conn, chained, result, problem)
        clock = journal.read_clock(conn)
        claims = Claims(auditlog.entries(conn), clock.next_seq + 1, journal_problem)
        events = EventChecks(conn, engines, problem)
        _rebuild(conn, engines, clock.now, claims, events, result, problem)
        for spec, stored, derived in _keyed_tables(conn, engines):
            for difference in rowdiff.compare_keyed(spec, stored, derived):
                problem(DERIVED, str(difference))
            result.derived[spec.table] = derived.count
        result.derived[tables.events.name] = events.count
    return result


def summary(result: Verified) -> list[str]:
    """What was checked, one line a check, and the verdict last."""
    lines = [f"checked the chain: {result.entries} entries"]
    if not result.quick:
        lines.append(f"checked the journal against the chain: {_counts(result.journal)}")
        lines.append(f"checked the rows derived from the journal: {_counts(result.derived)}")
    if result.ok:
        done = "the chain holds" if result.quick else "the chain, the journal and every row hold"
        lines.append(f"verified: {done}" + (" (--quick: the chain alone)" if result.quick else ""))
    else:
        found = ", ".join(
            f"{result.problems[check]} in {where}"
            for check, where in PLACES.items()
            if result.problems[check]
        )
        total = result.problems.total()
        lines.append(f"broken: {total} problem{'s' if total != 1 else ''} ({found})")
    return lines


def _counts(counts: Counter[str]) -> str:
    return ", ".join(f"{n} {table}" for table, n in counts.items()) or "nothing"


# -- the journal against the chain, and the engines rebuilt from it ----------------------


def _engines(
    conn: Connection, chained: Chained, result: Verified, problem: Problem
) -> dict[str, Engine]:
    """An engine for each stored ceasefire, whose terms are checked against the chain."""
    engines = {}
    for stored in journal.stored_ceasefires(conn):
        result.journal[tables.ceasefires.name] += 1
        claim = chained.ceasefires.pop(stored.id, None)
        name = f"ceasefires {stored.id}"
        mine = journal.ceasefire_record(stored)
        if claim is not None and isinstance(claim.record, dict):
            # an older version recorded fewer fields: check those (the chain vouches for it)
            mine = {key: mine.get(key) for key in claim.record}
        _against(name, claim, tables.ceasefires.name, mine, problem)
        try:
            engines[stored.id] = build_engine(stored)
        except ValueError as exc:
            problem(JOURNAL, f"{name}: cannot be rebuilt: {exc}")
    for cf, claim in chained.ceasefires.items():
        problem(JOURNAL, f"ceasefires {cf}: in the audit chain (entry {claim.entry}), not stored")
    return engines


def _rebuild(
    conn: Connection,
    engines: dict[str, Engine],
    now: datetime | None,
    claims: Claims,
    events: EventChecks,
    result: Verified,
    problem: Problem,
) -> None:
    """Check each journal row against the chain and feed it to the engines; then move
    them to the stored clock, `now`. The events they give are checked as they come."""
    with paused_gc():
        for table, row in journal.rows_after(conn, 0, whole=True):
            result.journal[table] += 1
            item = _checked(table, row, claims, problem)
            if item is None:
                continue
            try:
                taken = take_input(engines, item)
            except (ValueError, KeyError, TypeError) as exc:
                problem(JOURNAL, f"{_name(table, row)}: the engine refuses it: {exc}")
                continue
            for cf, event in taken:
                events.check(cf, event)
        if now is not None:
            for cf, engine in engines.items():
                for event in engine.advance(now):
                    events.check(cf, event)
    events.finish()
    for what, claim in claims.left():
        problem(JOURNAL, f"{what}: in the audit chain (entry {claim.entry}), not in the journal")


def _checked(table: str, row: Row[Any], claims: Claims, problem: Problem) -> Input | None:
    """The input of a journal row, after checking the row against what the chain holds."""
    claim = claims.take(row.seq)
    name = _name(table, row)
    if table == tables.reports.name:
        digest = sha256_hex(row.body.encode("utf-8"))
        unnumbered = claims.unnumbered.pop((row.source, row.id), None)
        if claim is None and unnumbered is not None:
            _against(name, unnumbered, table, (digest, row.trusted), problem)
        else:
            listing = journal.report_listing(row.seq, row.source, row.id, digest, row.clock)
            _against(name, claim, table, (listing, row.trusted), problem)
    else:
        command = CommandInput(row.seq, row.clock, row.ceasefire_id, row.kind, row.body)
        _against(name, claim, table, journal.command_record(command), problem)
    try:
        item = journal.input_of(table, row)
    except ValueError as exc:
        problem(JOURNAL, f"{name}: not a valid report: {exc}")
        return None
    if isinstance(item, journal.ReportInput):
        own = journal.report_row(item.seq, item.clock, item.report, item.trusted, row.body)
        columns = rowdiff.differing(row._mapping, own)
        if columns:
            label = name.removeprefix(f"{table} ")
            problem(JOURNAL, str(rowdiff.Difference(table, label, rowdiff.DIFFERS, columns)))
    return item


def _name(table: str, row: Row[Any]) -> str:
    if table == tables.reports.name:
        return f"reports seq {row.seq} ({row.source}/{row.id})"
    return f"commands seq {row.seq} ({row.kind} on {row.ceasefire_id})"


def _against(name: str, claim: Claim | None, table: str, mine: Any, problem: Problem) -> None:
    """A journal entry against the chain's record of it: named where they differ."""
    if claim is None:
        problem(JOURNAL, f"{name}: not in the audit chain")
    elif claim.table != table:
        problem(JOURNAL, f"{name}: audit entry {claim.entry} records this number in {claim.table}")
    elif claim.record != mine:
        fields = ", ".join(
            f"{key} {rowdiff.show(ours)} in the journal, {rowdiff.show(theirs)} in the chain"
            for key, ours, theirs in _fields(table, mine, claim.record)
        )
        problem(JOURNAL, f"{name}: not as audit entry {claim.entry} recorded it: {fields}")


def _fields(table: str, mine: Any, chained: Any) -> Iterator[tuple[str, Any, Any]]:
    """The fields of two records of one journal entry that differ."""
    if table == tables.reports.name:
        (listing, trusted), (their_listing, their_trusted) = mine, chained
        if not isinstance(listing, list):  # listed by an older version: its body's hash
            listing, their_listing = [listing], [their_listing]
        fields = REPORT_LISTING if len(listing) == len(REPORT_LISTING) else ("sha256",)
        named = [
            *zip(fields, listing, their_listing, strict=True),
            ("trusted", trusted, their_trusted),
        ]
        names = {"sha256": "body sha256"}
        yield from ((names.get(k, k), a, b) for k, a, b in named if a != b)
        return
    for key in sorted(set(mine) | set(chained)):
        if mine.get(key) != chained.get(key):
            yield key, mine.get(key), chained.get(key)


# -- the derived rows --------------------------------------------------------------------


def _stored(conn: Connection, table: sa.Table) -> Iterator[Any]:
    for row in conn.execute(streamed(sa.select(table))):
        yield row._mapping


def _keyed_tables(
    conn: Connection, engines: dict[str, Engine]
) -> Iterator[tuple[rowdiff.Keyed, Iterable[rowdiff.Row], rowdiff.Derived[Any]]]:
    """Each keyed read model: how to compare it, its stored rows, its derived rows.

    Each table's derived rows are filed only when its turn comes, and let go as they are
    compared: the incidents and the membership of their reports (a row each report, with
    trusted input) are never held together.
    """
    incidents: rowdiff.Derived[Incident] = rowdiff.Derived(
        2, lambda k, i: readmodels.incident_row(k[0], i)
    )
    for cf, engine in engines.items():
        for incident in engine.incidents.values():
            incidents.add((cf, incident.id), incident)
    yield (
        rowdiff.Keyed(
            "incidents",
            key=lambda r: (r["ceasefire_id"], r["id"]),
            label=lambda r: f"{r['ceasefire_id']} {r['id']}",
            alt=lambda r: (r["ceasefire_id"], r["seq"]),
        ),
        _stored(conn, tables.incidents),
        incidents,
    )
    del incidents
    membership: rowdiff.Derived[str] = rowdiff.Derived(
        3,
        lambda key, incident_id: dict(
            zip(readmodels.MEMBERSHIP_COLUMNS, (*key, incident_id), strict=True)
        ),
    )
    for cf, engine in engines.items():
        for report, incident in readmodels.memberships(engine.incidents.values()):
            membership.add((cf, report.source, report.id), incident.id)
    yield (
        rowdiff.Keyed(
            "incident_reports",
            key=lambda r: (r["ceasefire_id"], r["source"], r["report_id"]),
            label=lambda r: f"{r['ceasefire_id']} {r['source']}/{r['report_id']}",
        ),
        _stored(conn, tables.incident_reports),
        membership,
    )
    del membership
    cases: rowdiff.Derived[tuple[str, Case]] = rowdiff.Derived(
        1, lambda _, pair: readmodels.case_row(*pair)
    )
    actions: rowdiff.Derived[rowdiff.Row] = rowdiff.Derived(2, _itself)
    decisions: rowdiff.Derived[rowdiff.Row] = rowdiff.Derived(3, _itself)
    for cf, engine in engines.items():
        for case in engine.cases.values():
            cases.add((case.id,), (cf, case))
            for row in readmodels.action_rows(case):
                actions.add((row["case_id"], row["action_id"]), row)
            for row in readmodels.decision_rows(case):
                decisions.add((row["case_id"], row["phase"], row["party"]), row)
    yield (
        rowdiff.Keyed("cases", key=lambda r: (r["id"],), label=lambda r: r["id"]),
        _stored(conn, tables.cases),
        cases,
    )
    yield (
        rowdiff.Keyed(
            "actions",
            key=lambda r: (r["case_id"], r["action_id"]),
            label=lambda r: f"{r['case_id']} {r['action_id']}",
        ),
        _stored(conn, tables.actions),
        actions,
    )
    yield (
        rowdiff.Keyed(
            "decisions",
            key=lambda r: (r["case_id"], r["phase"], r["party"]),
            label=lambda r: f"{r['case_id']} phase {r['phase']} party {r['party']}",
            alt=lambda r: (r["case_id"], r["position"]),
        ),
        _stored(conn, tables.decisions),
        decisions,
    )


def _itself(_key: rowdiff.Key, row: rowdiff.Row) -> rowdiff.Row:
    return row


class EventChecks:
    """Each ceasefire's stored events, in the order stored, against those its rebuilt
    engine gives, checked as they come: none is held once judged (`SequenceComparison`)."""

    def __init__(self, conn: Connection, engines: dict[str, Engine], problem: Problem) -> None:
        self._conn, self._problem = conn, problem
        self._checks = {
            cf: rowdiff.SequenceComparison(tables.events.name, self._stored(cf), _event_label)
            for cf in engines
        }
        self.count = 0

    def check(self, ceasefire: str, event: ProtocolEvent) -> None:
        self.count += 1
        self._found(self._checks[ceasefire].push(readmodels.event_row(ceasefire, event)))

    def finish(self) -> None:
        """The events left on either side; those stored for a ceasefire not stored."""
        for check in self._checks.values():
            self._found(check.finish())
        orphans = rowdiff.SequenceComparison(tables.events.name, self._stored(None), _event_label)
        self._found(orphans.finish())

    def _stored(self, ceasefire: str | None) -> Iterator[rowdiff.Row]:
        """The events stored for `ceasefire` (None: for none of the engines), in order."""
        t = tables.events
        which = (
            t.c.ceasefire_id == ceasefire
            if ceasefire is not None
            else t.c.ceasefire_id.not_in(list(self._checks))
        )
        query = sa.select(t).where(which).order_by(t.c.ceasefire_id, t.c.seq)
        for row in self._conn.execute(streamed(query)):
            yield row._mapping

    def _found(self, differences: list[rowdiff.Difference]) -> None:
        for difference in differences:
            self._problem(DERIVED, str(difference))


def _event_label(row: rowdiff.Row, place: int | None) -> str:
    where = str(row["ceasefire_id"])
    if place is not None:
        where += f" #{place + 1}"
    if "seq" in row:
        where += f" seq {row['seq']}"
    return f"{where} ({rowdiff.show(row['at'])} {row['event']} {row['case_id']})"
