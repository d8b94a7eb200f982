"""The web dashboard at 1,000 and 100,000 incidents: page loads and the map's data requests.

    python bench/web.py --sizes 1000,100000 --repeat 30

For each size, a fresh SQLite database is filled as `ceasewatch ingest --trust` fills it:
bench/replay.py's generated reports (seeded; a constant density of events along a
1000 km front, so more reports cover more days), every report a verified incident, with
the cases, events and audit log the engine makes of them. The app (API and web, as
`ceasewatch serve` runs it) is served by uvicorn on a loopback port, an observer signs in
through the login form, and each request is timed from the client, as a browser waits for
it: the median of `--repeat` after one warm-up. "After a change" stores one report through
the API before each timed map request, so the map's snapshot of the incidents is read
again from the store (see `ceasewatch.web.mapindex`).

The ratio is the 100,000-incident median over the 1,000-incident median.
"""

from __future__ import annotations

import argparse
import platform
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from replay import generate

CEASEFIRE = """\
id: cf-bench
name: Benchmark ceasefire
parties: [RU, UA]
effective_from: 2026-03-01T00:00:00Z
"""
COUNTRY = {"bbox": "21.5,43.8,41.5,53.0", "zoom": 6}
FRONT = {"bbox": "36.8,47.6,38.6,48.8", "zoom": 10}
FILTERED = {**COUNTRY, "type": "artillery", "party": "RU", "status": "verified"}


@contextmanager
def serving(app: Any) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def fill(folder: Path, size: int) -> tuple[str, int, float]:
    """A database of `size` generated reports, trusted; its URL, incidents, seconds taken."""
    from ceasewatch.services.ingest import ingest
    from ceasewatch.services.setup import add_ceasefire, init
    from ceasewatch.services.system import open_system
    from ceasewatch.store import queries
    from ceasewatch.store.database import reading

    url = f"sqlite:///{folder / f'web-{size}.db'}"
    reports = folder / f"reports-{size}.jsonl"
    generate(reports, size, seed=1, events_per_day=200.0)
    init(url)
    system = open_system(url)
    (folder / "ceasefire.yaml").write_text(CEASEFIRE)
    add_ceasefire(system, folder / "ceasefire.yaml")
    began = time.perf_counter()
    ingest(system, [str(reports)], trusted=True)
    seconds = time.perf_counter() - began
    with reading(system.db) as conn:
        incidents = queries.stats(conn)["incidents"]
    system.db.dispose()
    return url, incidents, seconds


def timed(repeat: int, request: Callable[[], httpx.Response], before: Callable[[], None]) -> float:
    """Median milliseconds of `request` (each after `before`), after one warm-up."""
    before()
    request().raise_for_status()
    times = []
    for _ in range(repeat):
        before()
        began = time.perf_counter()
        response = request()
        times.append((time.perf_counter() - began) * 1000)
        response.raise_for_status()
    return statistics.median(times)


def measure(url: str, repeat: int) -> tuple[dict[str, float], dict[str, int]]:
    from ceasewatch.app import create_app
    from ceasewatch.services import tokens
    from ceasewatch.services.system import open_system
    from ceasewatch.services.tokens import UserRole
    from ceasewatch.store import queries
    from ceasewatch.store.database import reading
    from ceasewatch.web.settings import WebSettings

    system = open_system(url)
    now = datetime.now(UTC)
    observer = tokens.create(system, name="obs", role=UserRole.OBSERVER, party=None, now=now)
    reporter = tokens.create(system, name="rep", role=UserRole.REPORTER, party=None, now=now)
    with reading(system.db) as conn:
        held = {
            c["id"]: queries.case_overview(conn, c["id"], incidents=0, count_to=10**7)[
                "incident_count"
            ]
            for c in queries.cases(conn)
        }
    biggest = max(held, key=lambda c: held[c])
    print(f"  {len(held)} cases; the largest, {biggest}, holds {held[biggest]:,}", file=sys.stderr)
    app = create_app(system, web=WebSettings(secret="bench" * 10))
    results: dict[str, float] = {}
    sizes: dict[str, int] = {}
    with serving(app) as base, httpx.Client(base_url=base, timeout=120) as browser:
        page = browser.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        browser.post("/login", data={"token": observer, "csrf": csrf.group(1)})
        began = time.perf_counter()
        browser.get("/map/data", params=COUNTRY).raise_for_status()
        results["first /map/data after start (reads every incident), once"] = (
            time.perf_counter() - began
        ) * 1000
        sizes["first /map/data after start (reads every incident), once"] = 0
        counter = iter(range(10**9))

        def change() -> None:
            n = next(counter)
            httpx.post(
                f"{base}/api/v1/reports",
                json={
                    "id": f"bench-web-{n}",
                    "source": "bench-web",
                    "occurred_at": "2026-03-01T12:00:00Z",
                    "lat": 48.0,
                    "lon": 37.5,
                    "event_type": "other",
                },
                headers={"Authorization": f"Bearer {reporter}"},
            ).raise_for_status()

        nothing: Callable[[], None] = lambda: None  # noqa: E731
        requests: list[tuple[str, str, dict[str, Any], Callable[[], None]]] = [
            ("/map page", "/map", {}, nothing),
            ("/map/data, whole country (zoom 6)", "/map/data", COUNTRY, nothing),
            ("/map/data, the front (zoom 10)", "/map/data", FRONT, nothing),
            ("/map/data, filtered (type, party, status)", "/map/data", FILTERED, nothing),
            ("/cases board", "/cases", {}, nothing),
            ("/cases/ID, the largest case", f"/cases/{biggest}", {}, nothing),
            ("/map/data, whole country, after a change", "/map/data", COUNTRY, change),
        ]
        for name, path, params, before in requests:
            results[name] = timed(repeat, lambda p=path, q=params: browser.get(p, params=q), before)
            sizes[name] = len(browser.get(path, params=params).content)
    system.db.dispose()
    return results, sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    found: dict[int, tuple[dict[str, float], dict[str, int], int]] = {}
    with tempfile.TemporaryDirectory(prefix="ceasewatch-bench-web-") as folder:
        for size in sizes:
            url, incidents, seconds = fill(Path(folder), size)
            print(f"{size:,} reports -> {incidents:,} incidents ({seconds:.1f} s)", file=sys.stderr)
            medians, body = measure(url, args.repeat)
            found[size] = (medians, body, incidents)
    first, last = sizes[0], sizes[-1]
    head = f"| request | {found[first][2]:,} incidents (ms) | {found[last][2]:,} incidents (ms) |"
    print(head + " ratio | response at the larger size (KiB) |")
    print("|---|---:|---:|---:|---:|")
    for name, small in found[first][0].items():
        large = found[last][0][name]
        kib = f"{found[last][1][name] / 1024:.1f}" if found[last][1][name] else ""
        print(f"| {name} | {small:.1f} | {large:.1f} | {large / small:.2f} | {kib} |")
    print(
        f"\nMedian of {args.repeat}; Python {platform.python_version()} on "
        f"{platform.machine()}, SQLite.",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
