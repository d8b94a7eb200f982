"""How long a process starting holds the writers' lock, on a store it must catch up on.

    python bench/writers_lock.py sqlite:///STORE.db tick
    python bench/writers_lock.py sqlite:///STORE.db ingest

Runs one unit of work in this (fresh) process, as a CLI command does: `tick` moves the
stored clock an hour on, `ingest` stores one new trusted report at the stored clock.
`unit_of_work.writing`, the writers' lock, is wrapped to time how long it is held; the
line printed gives that, the time in all and the peak resident memory. Every other
writer of the store (a server's) waits while the lock is held.

A store whose newest snapshot is behind its journal shows the catch-up (`tick`); one
whose snapshot is at the journal's end shows a write reading the snapshot's body
(`ingest`). Run it with `PYTHONPATH=OLD/src` for an older ceasewatch, on a copy of the
store holding a snapshot of that code (`ceasewatch snapshot`).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))
from snapshot_pause import one_report  # a file of one trusted report of a new id

from ceasewatch.services import unit_of_work
from ceasewatch.services.clock import tick
from ceasewatch.services.ingest import ingest
from ceasewatch.services.system import open_system
from ceasewatch.store import journal
from ceasewatch.store.database import reading
from ceasewatch.store.database import writing as _writing

held: list[float] = []


@contextmanager
def _timed(db: sa.Engine) -> Iterator[sa.Connection]:
    began = time.perf_counter()
    with _writing(db) as conn:
        yield conn
    held.append(time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the store, e.g. sqlite:///store-1000000.db")
    parser.add_argument("what", choices=["tick", "ingest"])
    args = parser.parse_args()
    unit_of_work.writing = _timed  # type: ignore[attr-defined]  # the lock every unit of work takes
    system = open_system(args.url)
    with reading(system.db) as conn:
        now = journal.read_clock(conn).now
    assert now is not None, "the store's clock has not started"
    began = time.perf_counter()
    if args.what == "tick":
        tick(system, now + timedelta(hours=1))
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = one_report(Path(folder), time.time_ns(), now.isoformat())
            ingest(system, [str(path)], trusted=True)
    spent = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.what}: {spent:.2f} s in all, {sum(held):.2f} s holding the writers' lock, "
        f"started from snapshot {system.protocol.started_from}, peak {peak:.0f} MiB"
    )


if __name__ == "__main__":
    main()
