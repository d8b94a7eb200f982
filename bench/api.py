"""Reports through the HTTP API against `ceasewatch ingest` of the same reports.

    python bench/api.py --reports 20000 --singles 2000 --workers 1,2 --db sqlite,postgresql

For each database and number of uvicorn workers: a fresh database with one ceasefire and an
analyst's token (an unbound reporter's may not send the generated monitors' grades);
`ceasewatch serve --workers W` in its own process on loopback; a load generator in another
process, with `--clients` connections at once, POSTs the reports in batches of 100, then
(into another fresh database) `--singles` reports one by one. Each request's latency is
recorded (p50, p99). With `--repeat N` the batched runs go N times, the worker counts in
turn, and the fastest of each is shown. In the same run, `ingest` of the same reports into
a fresh database gives the ratio. Records get `reported_at` (= occurred_at) so that the API
and the file take them at the same event time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from ingest import CEASEFIRE, PG_DEFAULT, fresh_database
from replay import generate  # the replay benchmark's seeded generator


def records(path: Path, size: int) -> list[dict[str, Any]]:
    generate(path, size, 1, 150.0)
    out = []
    with path.open() as stream:
        for line in stream:
            record = json.loads(line)
            record.setdefault("reported_at", record["occurred_at"])
            out.append(record)
    path.write_text("".join(json.dumps(r) + "\n" for r in out))
    return out


def prepared(url: str, folder: Path) -> str:
    """Init the database, add the ceasefire; returns an analyst's token (not limited in the
    kinds and grades it may send, as an unbound reporter's is)."""
    from ceasewatch.services import setup, tokens
    from ceasewatch.services.system import open_system

    setup.init(url)
    system = open_system(url)
    (folder / "cf.yaml").write_text(CEASEFIRE)
    setup.add_ceasefire(system, folder / "cf.yaml")
    token = tokens.create(
        system,
        name=f"bench-{uuid.uuid4().hex[:6]}",
        role=tokens.UserRole.ANALYST,
        party=None,
        now=datetime.now(UTC),
    )
    system.db.dispose()
    return token


def ingest_seconds(url: str, path: Path, folder: Path) -> float:
    from ceasewatch.services.ingest import ingest
    from ceasewatch.services.system import open_system

    prepared(url, folder)
    system = open_system(url)
    began = time.perf_counter()
    ingest(system, [str(path)])
    elapsed = time.perf_counter() - began
    system.db.dispose()
    return elapsed


def load(base: str, token: str, bodies: list[Any], clients: int) -> dict[str, Any]:
    """POST each body (from `clients` threads); seconds in all and each request's ms."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:

        def post(body: Any) -> float:
            began = time.perf_counter()
            response = client.post("/api/v1/reports", json=body)
            response.raise_for_status()
            return (time.perf_counter() - began) * 1000

        began = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            latencies = list(pool.map(post, bodies))
        return {"seconds": time.perf_counter() - began, "latencies_ms": latencies}


def serve(url: str, workers: int, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CEASEWATCH_DB": url}
    with log.open("wb") as stderr:
        server = _start(env, workers, port, stderr)
    deadline = time.monotonic() + 300  # a loaded machine starts five processes slowly
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()  # not kill: uvicorn's workers outlive a parent killed outright
    server.wait(timeout=60)
    raise RuntimeError(f"the server did not start:\n{log.read_text()}")


def _start(env: dict[str, str], workers: int, port: int, stderr: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ceasewatch",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )


def cpu_seconds(root: int) -> dict[int, float]:
    """CPU seconds (user + system) of each process under `root`, itself included, from
    /proc (Linux; empty elsewhere): the busiest one bounds what spare cores could give."""
    stats = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = entry.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        stats[int(entry.parent.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, (ppid, _) in stats.items() if ppid in tree} - tree
        tree, grew = tree | more, bool(more)
    tick = os.sysconf("SC_CLK_TCK")
    return {p: stats[p][1] / tick for p in tree if p in stats}


def through_api(
    kind: str, workers: int, bodies: list[Any], clients: int, folder: Path, pg_url: str
) -> dict[str, Any]:
    url, drop = fresh_database(kind, str(folder), pg_url)
    try:
        token = prepared(url, folder)
        port = 18000 + os.getpid() % 1000
        server = serve(url, workers, port, folder / "serve.log")
        try:
            before = cpu_seconds(server.pid)
            with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
                run = pool.submit(load, f"http://127.0.0.1:{port}", token, bodies, clients)
                result = run.result()
            after = cpu_seconds(server.pid)
            spent = [cpu - before.get(pid, 0.0) for pid, cpu in after.items()]
            result["busiest_cpu_s"], result["all_cpu_s"] = max(spent, default=0), sum(spent)
            return result
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        drop()


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def singles_cells(row: dict[str, Any]) -> str:
    if "single_per_s" not in row:
        return "- | -"
    return f"{row['single_per_s']:,.0f} | {row['single_p50_ms']:.1f} / {row['single_p99_ms']:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=20000, help="reports sent in batches")
    parser.add_argument("--singles", type=int, default=2000, help="reports sent one by one")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--clients", type=int, default=4, help="connections at once")
    parser.add_argument("--pg-url", default=PG_DEFAULT)
    parser.add_argument(
        "--repeat", type=int, default=1, help="batched runs per worker count, in turn; the best"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ceasewatch-bench-"))
    batch_file, single_file = folder / "batched.jsonl", folder / "single.jsonl"
    batched = records(batch_file, args.reports)
    singles = records(single_file, args.singles)
    batches = [batched[i : i + 100] for i in range(0, len(batched), 100)]
    rows = []
    for kind in [k for k in args.db.split(",") if k]:
        url, drop = fresh_database(kind, str(folder), args.pg_url)
        try:
            ingest_s = ingest_seconds(url, batch_file, folder)
        finally:
            drop()
        counts = [int(w) for w in args.workers.split(",") if w]
        best: dict[int, dict[str, Any]] = {}
        for _ in range(args.repeat):  # the worker counts in turn, so load hits each alike
            for workers in counts:
                run = through_api(kind, workers, batches, args.clients, folder, args.pg_url)
                if workers not in best or run["seconds"] < best[workers]["seconds"]:
                    best[workers] = run
                print(
                    f"  {kind} {workers} worker(s): {run['seconds']:.1f} s; CPU s: busiest "
                    f"process {run['busiest_cpu_s']:.1f}, all {run['all_cpu_s']:.1f}",
                    file=sys.stderr,
                )
        for workers in counts:
            batch_run = best[workers]
            single_run = (
                through_api(kind, workers, singles, args.clients, folder, args.pg_url)
                if singles
                else None
            )
            rows.append(
                {
                    "db": kind,
                    "workers": workers,
                    "ingest_per_s": args.reports / ingest_s,
                    "batched_per_s": args.reports / batch_run["seconds"],
                    "batch_p50_ms": percentile(batch_run["latencies_ms"], 50),
                    "batch_p99_ms": percentile(batch_run["latencies_ms"], 99),
                    **(
                        {
                            "single_per_s": args.singles / single_run["seconds"],
                            "single_p50_ms": percentile(single_run["latencies_ms"], 50),
                            "single_p99_ms": percentile(single_run["latencies_ms"], 99),
                        }
                        if single_run
                        else {}
                    ),
                }
            )
    print(
        "| database | workers | ingest rep/s | API batched rep/s | ratio | batch p50 / p99 ms "
        "| API single rep/s | single p50 / p99 ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['db']} | {r['workers']} | {r['ingest_per_s']:,.0f} | {r['batched_per_s']:,.0f} "
            f"| {r['batched_per_s'] / r['ingest_per_s']:.2f} "
            f"| {r['batch_p50_ms']:.0f} / {r['batch_p99_ms']:.0f} | {singles_cells(r)} |"
        )
    print(
        f"\n{args.reports} reports in batches of 100 and {args.singles} singly, "
        f"{args.clients} clients, batched runs best of {args.repeat}; "
        f"CPython {platform.python_version()} on {platform.machine()}."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
