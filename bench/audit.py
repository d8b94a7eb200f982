"""`ceasewatch audit verify` on a store of N reports: the full check and `--quick`.

    python bench/audit.py --sizes 100000 --db sqlite,postgresql --mode untrusted

For each size, one generated JSONL file (bench/replay.py's seeded generator), then, per
database and mode, a fresh database with one ceasefire into which the file is ingested
(bench/ingest.py's `durable`: `ceasewatch ingest`, batches of 2000) and whose clock is
then ticked a day past the last report. Then, each in a fresh process, as the CLI runs
them: `verify_store(quick=True)` (the chain alone) and `verify_store()` (the chain, the
journal against it, and every row derived from the journal). Both must find nothing; a
problem stops the benchmark.

Wall-clock seconds are the figures a user waits; the verifying process's CPU seconds are
given beside them, since the database server's work and other load show in the first only.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from ingest import (
    durable,
    fresh_database,
    generated,
    in_fresh_process,
    listed,
    store_arguments,
    written,
)


def build(path: str, url: str, folder: str, trusted: bool) -> dict[str, Any]:
    """A store of the file's reports (as bench/ingest.py stores them), ticked a day past
    the last; what is in it."""
    from ceasewatch.services.clock import tick
    from ceasewatch.services.system import open_system
    from ceasewatch.store import queries
    from ceasewatch.store.database import reading

    ingested = durable(path, url, folder, trusted)
    system = open_system(url)
    with reading(system.db) as conn:
        now = queries.clock(conn)
    assert now is not None
    tick(system, now + timedelta(days=1))
    with reading(system.db) as conn:
        stats = queries.stats(conn)
    system.db.dispose()
    return {"ingest_s": ingested["seconds"], "stored": ingested["stored"], **stats}


def verify(url: str, quick: bool) -> dict[str, Any]:
    """Time one verification of the store, in this (fresh) process."""
    from ceasewatch.services.verify import verify_store
    from ceasewatch.store.database import connect

    problems: list[str] = []
    db = connect(url)
    began, cpu = time.perf_counter(), time.process_time()
    result = verify_store(db, quick=quick, on_problem=lambda _c, text: problems.append(text))
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    db.dispose()
    if problems:
        raise SystemExit(f"{len(problems)} problems, the first: {problems[0]}")
    return {
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "entries": result.entries,
        "rows": sum(result.derived.values()),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = store_arguments(__doc__.split("\n\n")[0], "100000", "untrusted")
    parser.add_argument("--repeat", type=int, default=1, help="verifications of each store")
    args = parser.parse_args(argv)
    sizes, kinds, modes = listed(args)

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="ceasewatch-bench-") as folder:
        for size, path in generated(folder, sizes, args):
            for kind in kinds:
                for mode in modes:
                    url, drop = fresh_database(kind, folder, args.pg_url)
                    try:
                        store = in_fresh_process(build, path, url, folder, mode == "trusted")
                        runs = {
                            name: min(
                                (in_fresh_process(verify, url, quick) for _ in range(args.repeat)),
                                key=lambda r: r["seconds"],
                            )
                            for name, quick in (("quick", True), ("full", False))
                        }
                    finally:
                        drop()
                    rows.append({"size": size, "db": kind, "mode": mode, **store, **runs})
                    print(f"  {size} {kind} {mode}: done", file=sys.stderr, flush=True)
    written(rows, table(rows), args.json)
    return 0


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| reports | database | mode | audit entries | derived rows | ingest s "
        "| --quick s | full s | full CPU s | full rep/s | full peak RSS |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        quick, full = r["quick"], r["full"]
        lines.append(
            f"| {r['stored']:,} | {'SQLite' if r['db'] == 'sqlite' else 'PostgreSQL'} "
            f"| {r['mode']} | {full['entries']:,} | {full['rows']:,} | {r['ingest_s']:.1f} "
            f"| {quick['seconds']:.2f} | {full['seconds']:.1f} | {full['cpu_seconds']:.1f} "
            f"| {r['stored'] / full['seconds']:,.0f} | {full['peak_rss_mib']:,.0f} MiB |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
