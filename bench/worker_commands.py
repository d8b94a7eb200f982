"""An analyst's verdicts on a `serve --workers 2` server: how long each takes, and what
each process holds before and after.

    python bench/worker_commands.py --size 200000 [--verdicts 6] [--keep DIR]

A SQLite store of `--size` trusted reports of issue 15's shape with a snapshot
(`snapshot.build`, reused from DIR with `--keep`), served by `ceasewatch serve --workers
2`. Once it answers, the resident memory of each of its processes (the writer and the
workers; from /proc, Linux) is read, then `--verdicts` verdicts are sent one after
another (`reject` on incidents no verdict has touched, so each changes something), each
timed, and the memory is read again. A worker that runs verdicts itself feeds its own
engines first; one that hands them to the writer holds none.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from snapshot import CLI, build

from ceasewatch.services import tokens
from ceasewatch.services.system import open_system
from ceasewatch.services.tokens import UserRole


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def resident_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def descendants(pid: int) -> list[int]:
    """The processes `pid` started, and theirs (Linux's /proc), but for multiprocessing's
    resource tracker."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in map(int, (task / "children").read_text().split()):
            if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes():
                found += [child, *descendants(child)]
    return found


def memory(server: int) -> dict[int, float]:
    return {pid: resident_mib(pid) for pid in descendants(server)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--verdicts", type=int, default=6)
    parser.add_argument("--keep", type=Path, help="build the store here, or reuse it")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="cw-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = build(folder, args.size)
    url = f"sqlite:///{db}"
    system = open_system(url)
    token = tokens.create(
        system,
        name=f"bench-{time.time_ns()}",
        role=UserRole.ANALYST,
        party=None,
        now=datetime.now(UTC),
    )
    system.db.dispose()
    port = free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", "2"],
        env={**os.environ, "CEASEWATCH_DB": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        time.sleep(5)  # a writer reads its engines as it starts: let it
        before = memory(server.pid)
        first = 1_000 + time.time_ns() % 50_000  # incidents no earlier run rejected
        headers = {"Authorization": f"Bearer {token}"}
        seconds = []
        for n in range(args.verdicts):  # a connection each: the workers share them out
            began = time.perf_counter()
            answer = httpx.post(
                f"{base}/api/v1/incidents/cf-bench:inc-{first + n}/reject",
                json={"reason": "benchmark"},
                headers=headers,
                timeout=300,
            )
            seconds.append(time.perf_counter() - began)
            answer.raise_for_status()
        after = memory(server.pid)
    finally:
        server.terminate()
        server.wait(60)
    print(f"{args.size:,} reports, serve --workers 2, SQLite")
    print("verdict seconds: " + ", ".join(f"{s:.3f}" for s in seconds))
    print("process resident MiB before -> after:")
    for pid, mib in before.items():
        print(f"  {pid}: {mib:.0f} -> {after.get(pid, 0.0):.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
