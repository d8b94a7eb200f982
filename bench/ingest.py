"""Durable ingest against the raw ceiling for the same rows, on SQLite and PostgreSQL.

    python bench/ingest.py --sizes 100000,1000000 --db sqlite,postgresql --mode trusted

For each size, one generated JSONL file (bench/replay.py's generator: seeded, a constant
density of events along the front), then, per database, each in a fresh process:

- ceiling: `json.loads` of each line, then the record's fields stored in one
  transaction: SQLite, one `executemany` INSERT; PostgreSQL, binary `COPY`;
- durable: `ceasewatch ingest` (the service), into a fresh database with one ceasefire:
  validation, sorting, the engine, the journal, events, read models, the audit chain,
  in transactions of 10,000 reports.

The ratio is ceiling seconds / durable seconds (1.0: ingest costs what the raw insert
costs). Growth divides the µs per report at each size by the first size's.
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from replay import generate  # the replay benchmark's seeded generator

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
FIELDS = [
    ("id", "text"),
    ("source", "text"),
    ("source_kind", "text"),
    ("reliability", "text"),
    ("credibility", "integer"),
    ("occurred_at", "timestamptz"),
    ("reported_at", "timestamptz"),
    ("lat", "double precision"),
    ("lon", "double precision"),
    ("location_precision_m", "integer"),
    ("event_type", "text"),
    ("perpetrator", "text"),
    ("target", "text"),
    ("killed", "integer"),
    ("injured", "integer"),
    ("text", "text"),
]
CEASEFIRE = """\
id: cf-bench
name: Benchmark ceasefire
parties: [RU, UA]
effective_from: 2026-03-01T00:00:00Z
"""


# -- the ceiling ------------------------------------------------------------------------


def ceiling_sqlite(path: str, folder: str, clock: Callable[[], float] = time.perf_counter) -> float:
    db = sqlite3.connect(Path(folder) / f"ceiling-{uuid.uuid4().hex}.db", isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL"):
        db.execute(f"PRAGMA {pragma}")
    columns = ", ".join(f"{name} {kind.split()[0]}" for name, kind in FIELDS)
    db.execute(f"CREATE TABLE raw ({columns})")
    insert = f"INSERT INTO raw VALUES ({', '.join('?' * len(FIELDS))})"
    began = clock()
    with open(path, "rb") as stream:
        rows = [_fields(json.loads(line)) for line in stream]
    db.execute("BEGIN")
    db.executemany(insert, rows)
    db.execute("COMMIT")
    elapsed = clock() - began
    db.close()
    return elapsed


def ceiling_postgresql(path: str, url: str) -> float:
    import psycopg

    table = f"raw_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url) as conn:
        columns = ", ".join(f"{name} {kind}" for name, kind in FIELDS)
        conn.execute(f"CREATE TABLE {table} ({columns})")
        conn.commit()
        began = time.perf_counter()
        with open(path, "rb") as stream:
            rows = [_fields(json.loads(line), times=True) for line in stream]
        with conn.cursor() as cur, cur.copy(f"COPY {table} FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([kind for _, kind in FIELDS])
            for row in rows:
                copy.write_row(row)
        conn.commit()
        elapsed = time.perf_counter() - began
        conn.execute(f"DROP TABLE {table}")
        conn.commit()
    return elapsed


def _fields(record: dict[str, Any], times: bool = False) -> tuple[Any, ...]:
    values = [record.get(name) for name, _ in FIELDS]
    if times:
        for i in (5, 6):
            if values[i] is not None:
                values[i] = datetime.fromisoformat(values[i])
    return tuple(values)


# -- durable ingest ---------------------------------------------------------------------


def durable(
    path: str, url: str, folder: str, trusted: bool, clock: Callable[[], float] = time.perf_counter
) -> dict[str, Any]:
    """`ceasewatch ingest` of the file into a fresh database with one ceasefire; `clock`
    times it (`time.process_time`: CPU seconds, as `bench/ingest_cpu.py` does)."""
    from ceasewatch.services.ingest import ingest
    from ceasewatch.services.setup import add_ceasefire, init
    from ceasewatch.services.system import open_system

    init(url)
    system = open_system(url)
    ceasefire = Path(folder) / "ceasefire.yaml"
    ceasefire.write_text(CEASEFIRE)
    add_ceasefire(system, ceasefire)
    began = clock()
    result = ingest(system, [path], trusted=trusted)
    elapsed = clock() - began
    system.db.dispose()
    return {"seconds": elapsed, "stored": result.accepted, "events": sum(result.events.values())}


def fresh_database(kind: str, folder: str, pg_url: str) -> tuple[str, Any]:
    """A URL for an empty database, and how to drop it afterwards."""
    if kind == "sqlite":
        return f"sqlite:///{Path(folder) / f'durable-{uuid.uuid4().hex}.db'}", lambda: None
    import psycopg

    name = f"cw_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    base, _, _ = pg_url.rpartition("/")
    return f"{base}/{name}", drop


def in_fresh_process(function: Any, *args: Any) -> Any:
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def store_arguments(description: str, sizes: str, mode: str) -> argparse.ArgumentParser:
    """The options of a benchmark that builds stores of generated reports."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", default=sizes)
    parser.add_argument("--db", default="sqlite,postgresql", help="sqlite and/or postgresql")
    parser.add_argument("--mode", default=mode, help="trusted and/or untrusted")
    parser.add_argument("--pg-url", default=PG_DEFAULT, help="a server database to work from")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--events-per-day", type=float, default=150.0)
    parser.add_argument("--json", metavar="OUT", help="also write the figures as JSON")
    return parser


def listed(args: argparse.Namespace) -> tuple[list[int], list[str], list[str]]:
    """The sizes, databases and modes the options list."""
    sizes = [int(s) for s in args.sizes.split(",") if s]
    return sizes, [k for k in args.db.split(",") if k], [m for m in args.mode.split(",") if m]


def generated(folder: str, sizes: list[int], args: argparse.Namespace) -> Iterator[tuple[int, str]]:
    """For each size, a file of that many generated reports in `folder`: (size, path)."""
    for size in sizes:
        path = str(Path(folder) / f"reports-{size}.jsonl")
        generate(Path(path), size, args.seed, args.events_per_day)
        yield size, path


def written(rows: list[dict[str, Any]], text: str, json_path: str | None) -> None:
    """Print the figures' table, and write the figures as JSON if asked to."""
    print(text)
    print(f"\nCPython {platform.python_version()} on {platform.machine()}; one process at a time.")
    if json_path:
        Path(json_path).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = store_arguments(__doc__.split("\n\n")[0], "100000,1000000", "trusted")
    args = parser.parse_args(argv)
    sizes, kinds, modes = listed(args)

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="ceasewatch-bench-") as folder:
        for size, path in generated(folder, sizes, args):
            for kind in kinds:
                if kind == "sqlite":
                    ceiling = in_fresh_process(ceiling_sqlite, path, folder)
                else:
                    ceiling = in_fresh_process(ceiling_postgresql, path, args.pg_url)
                for mode in modes:
                    url, drop = fresh_database(kind, folder, args.pg_url)
                    try:
                        figures = in_fresh_process(durable, path, url, folder, mode == "trusted")
                    finally:
                        drop()
                    row = {"size": size, "db": kind, "mode": mode, "ceiling_s": ceiling, **figures}
                    rows.append(row)
                    print(f"  {size} {kind} {mode}: done", file=sys.stderr, flush=True)
    written(rows, table(rows), args.json)
    return 0


def table(rows: list[dict[str, Any]]) -> str:
    first: dict[tuple[str, str], float] = {}
    lines = [
        "     size | db         | mode      | ceiling rep/s | durable rep/s | ratio | growth",
        "----------+------------+-----------+---------------+---------------+-------+-------",
    ]
    for row in sorted(rows, key=lambda r: (r["db"], r["mode"], r["size"])):
        n = row["size"]
        us = row["seconds"] / n * 1e6
        base = first.setdefault((row["db"], row["mode"]), us)
        lines.append(
            f"{n:>9,} | {row['db']:10} | {row['mode']:9} | {n / row['ceiling_s']:>13,.0f} | "
            f"{n / row['seconds']:>13,.0f} | {row['ceiling_s'] / row['seconds']:>5.2f} | "
            f"{us / base:>6.2f}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
