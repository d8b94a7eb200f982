"""Where durable ingest spends its time: µs per report for each part of a batch.

    python bench/ingest_phases.py --size 20000 [--untrusted] [--db URL]

Ingests one generated file (bench/replay.py's generator) into a fresh database with one
ceasefire, timing the parts of each transaction by wrapping them: reading and sorting,
the engine, the journal rows, the read models, the events, the rest of the write (the
audit chain, timers, the clock) and the commits. Times are CPU seconds of this process
(`time.process_time`), which a machine busy with other work disturbs far less than wall
time; the commits' waits for the disk are left out with them. `PYTHONPATH=OTHER/src`
runs another checkout's code under the same probes, for a before and after.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from replay import generate  # the replay benchmark's seeded generator

from ceasewatch.services import ingest, unit_of_work
from ceasewatch.services.setup import add_ceasefire, init
from ceasewatch.services.system import open_system
from ceasewatch.store import journal, readmodels

CEASEFIRE = "id: cf-bench\nname: B\nparties: [RU, UA]\neffective_from: 2026-03-01T00:00:00Z\n"
spent: defaultdict[str, float] = defaultdict(float)


def timed(owner: Any, name: str, label: str) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - began

    setattr(owner, name, wrapper)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--untrusted", action="store_true")
    parser.add_argument("--db", help="a database URL (default: a SQLite file in a temp dir)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ceasewatch-bench-"))
    path = folder / "reports.jsonl"
    generate(path, args.size, 1, 150.0)
    url = args.db or f"sqlite:///{folder / 'bench.db'}"
    init(url)
    system = open_system(url)
    (folder / "cf.yaml").write_text(CEASEFIRE)
    add_ceasefire(system, folder / "cf.yaml")

    timed(ingest, "in_arrival_order", "read, validate, sort")
    timed(unit_of_work.Batch, "take_reports", "engine")
    timed(journal, "append_reports", "journal rows")
    timed(readmodels, "write_changes", "incidents, membership, cases")
    timed(readmodels, "write_events", "events")
    timed(unit_of_work.Batch, "write", "write (all)")
    began = time.process_time()
    ingest.ingest(system, [str(path)], trusted=not args.untrusted)
    total = time.process_time() - began

    parts = {k: v for k, v in spent.items() if k != "write (all)"}
    parts["audit chain, timers, clock"] = (
        spent["write (all)"]
        - parts["journal rows"]
        - parts["incidents, membership, cases"]
        - parts["events"]
    )
    parts["transactions, commits"] = total - sum(parts.values())
    n = args.size
    print(
        f"{n} {'untrusted' if args.untrusted else 'trusted'} reports into {url.split(':')[0]}: "
        f"{total / n * 1e6:,.1f} CPU µs a report"
    )
    for label, seconds in parts.items():
        print(f"  {label:32} {seconds / n * 1e6:6.1f} µs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
